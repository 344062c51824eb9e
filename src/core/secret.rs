//! Secret newtypes: values that must not leak through `Debug`, be copied by accident, or be
//! compared in time that depends on their content.

/// Declares a secret string newtype: no `Clone`, no `Deref`, `Debug` prints only the type
/// name, and the text is reached only through `expose()`.
macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(::alloc::string::String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: ::alloc::string::String) -> Self {
                $name(value)
            }

            /// The secret text.
            ///
            /// # Security Warning
            /// Only for the one place the protocol sends it; never log or display it.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }
    };
}
pub(crate) use secret_string;

/// Compares two byte strings in time that depends only on their lengths (specs: state and
/// nonce comparisons must not leak how many leading bytes matched).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    secret_string!(
        /// A test secret.
        Sample
    );

    #[test]
    fn debug_is_redacted_and_expose_gives_the_value() {
        let s = Sample::new("hunter2".into());
        assert_eq!(format!("{s:?}"), "Sample(..)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn constant_time_eq_compares_content_and_length() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }
}
