//! A small strict JSON reader for provider responses (RFC 8259).
//!
//! Token responses, metadata and ID-token claims arrive as text and are read here, so the
//! core can check them on the host and under a fuzzer. Numbers are kept as integers only:
//! every number the protocol uses (`expires_in`, `exp`, `iat`) is an integer, and leaving
//! out float parsing keeps it out of the shipped module. A number with a fraction or an
//! exponent reads as [`Value::Number`] with `None`.

use alloc::string::String;
use alloc::vec::Vec;

use super::decimal::push_u64;

/// A parsed JSON value.
#[derive(Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number: `Some` when it is an integer that fits in an `i64`.
    Number(Option<i64>),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, members in document order.
    Object(Vec<(String, Value)>),
}

/// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

/// Parses a whole document. `None` when it is not valid JSON.
pub fn parse(text: &str) -> Option<Value> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let value = reader.value(0)?;
    reader.skip_space();
    (reader.pos == reader.bytes.len()).then_some(value)
}

impl Value {
    /// The member `name` of an object. Objects with a repeated member name are refused by
    /// [`Value::object`], so the first match is the only one.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an object with unique member names, or `None`.
    pub fn object(self) -> Option<Value> {
        self.is_unique_object().then_some(self)
    }

    /// True for an object in which no member name repeats.
    pub fn is_unique_object(&self) -> bool {
        match self {
            Value::Object(members) => members
                .iter()
                .enumerate()
                .all(|(i, (k, _))| members.iter().take(i).all(|(other, _)| other != k)),
            _ => false,
        }
    }
}

/// Appends `text` to `out` as a JSON string literal, quotes included.
pub fn push_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(HEX[(c as usize) >> 4]));
                out.push(char::from(HEX[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Builds a flat JSON object of string members, for results crossing into JavaScript.
#[derive(Default)]
pub struct ObjectWriter(String);

impl ObjectWriter {
    /// Starts a member: the separator and `"name":`.
    fn key(mut self, name: &str) -> Self {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        push_string(&mut self.0, name);
        self.0.push(':');
        self
    }

    /// Adds a string member.
    pub fn string(self, name: &str, value: &str) -> Self {
        let mut out = self.key(name);
        push_string(&mut out.0, value);
        out
    }

    /// Adds a number member (a non-negative integer), written without a temporary string.
    pub fn number(self, name: &str, value: u64) -> Self {
        let mut out = self.key(name);
        push_u64(&mut out.0, value);
        out
    }

    /// Adds a string member when `value` is `Some`.
    pub fn optional(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.string(name, v),
            None => self,
        }
    }

    /// Adds a member whose value is already JSON text.
    pub fn raw(self, name: &str, json: &str) -> Self {
        let mut out = self.key(name);
        out.0.push_str(json);
        out
    }

    /// The finished object text.
    pub fn finish(mut self) -> String {
        if self.0.is_empty() {
            self.0.push('{');
        }
        self.0.push('}');
        self.0
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match *self.bytes.get(self.pos)? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Value::String),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            _ => self.number(),
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_space();
        if self.eat(b'}') {
            return Some(Value::Object(members));
        }
        loop {
            self.skip_space();
            let key = self.string()?;
            self.skip_space();
            self.expect(b':')?;
            members.push((key, self.value(depth + 1)?));
            self.skip_space();
            if self.eat(b'}') {
                return Some(Value::Object(members));
            }
            self.expect(b',')?;
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.eat(b']') {
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_space();
            if self.eat(b']') {
                return Some(Value::Array(items));
            }
            self.expect(b',')?;
        }
    }

    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a &str and we stopped on an ASCII byte, so this is a char boundary.
            out.push_str(core::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?);
            match *self.bytes.get(self.pos)? {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                _ => return None,
            }
        }
    }

    fn escape(&mut self) -> Option<char> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) {
                    if self.bytes.get(self.pos..self.pos + 2)? != b"\\u" {
                        return None;
                    }
                    self.pos += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                } else {
                    char::from_u32(high)?
                }
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        self.pos += 4;
        digits
            .iter()
            .try_fold(0u32, |acc, &d| Some(acc * 16 + char::from(d).to_digit(16)?))
    }

    fn number(&mut self) -> Option<Value> {
        let negative = self.eat(b'-');
        let digits_start = self.pos;
        let mut value: Option<i64> = Some(0);
        while let Some(d) = self.bytes.get(self.pos).filter(|b| b.is_ascii_digit()) {
            value = value.and_then(|v| v.checked_mul(10)?.checked_add(i64::from(d - b'0')));
            self.pos += 1;
        }
        let digits = self.pos - digits_start;
        if digits == 0 || (digits > 1 && self.bytes.get(digits_start) == Some(&b'0')) {
            return None;
        }
        let mut integer = true;
        if self.eat(b'.') {
            integer = false;
            self.digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            integer = false;
            let _sign = self.eat(b'+') || self.eat(b'-');
            self.digits()?;
        }
        let value = value
            .filter(|_| integer)
            .map(|v| if negative { -v } else { v });
        Some(Value::Number(value))
    }

    fn digits(&mut self) -> Option<()> {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        if self.bytes.get(self.pos..self.pos + word.len())? == word.as_bytes() {
            self.pos += word.len();
            Some(value)
        } else {
            None
        }
    }

    fn skip_space(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.bytes.get(self.pos) == Some(&byte);
        self.pos += usize::from(hit);
        hit
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_token_response_shape() {
        let v = parse(r#" {"access_token":"a\u00e9\ud83d\ude00","expires_in":3600,"ok":true,"n":null,"s":["x",1.5,-2e3]} "#)
            .unwrap()
            .object()
            .unwrap();
        assert_eq!(v.get("access_token").unwrap().as_str(), Some("aé😀"));
        assert_eq!(v.get("expires_in"), Some(&Value::Number(Some(3600))));
        assert_eq!(v.get("ok"), Some(&Value::Bool(true)));
        assert_eq!(v.get("n"), Some(&Value::Null));
        assert_eq!(
            v.get("s"),
            Some(&Value::Array(vec![
                Value::String("x".into()),
                Value::Number(None),
                Value::Number(None)
            ]))
        );
    }

    #[test]
    fn refuses_malformed_documents() {
        for bad in [
            "",
            "{",
            "{\"a\":}",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "-",
            "1.",
            "\"\\x\"",
            "\"a\nb\"",
            "tru",
            "{} x",
            "\"\\ud800\"",
            "{\"a\" 1}",
            "[1 2]",
        ] {
            assert_eq!(parse(bad), None, "{bad:?} accepted");
        }
    }

    #[test]
    fn refuses_deep_nesting_without_recursing_forever() {
        assert!(parse(&"[".repeat(10_000)).is_none());
        assert!(parse(&format!("{}{}", "[".repeat(20), "]".repeat(20))).is_some());
    }

    #[test]
    fn refuses_objects_with_a_repeated_member() {
        assert!(parse(r#"{"a":1,"a":2}"#).unwrap().object().is_none());
        assert!(parse("[]").unwrap().object().is_none());
    }

    #[test]
    fn writer_output_parses_back_to_the_same_strings() {
        let nasty = "q\"b\\s\n\u{1}é😀</script>";
        let text = ObjectWriter::default()
            .string("a", nasty)
            .optional("b", None)
            .raw("c", "true")
            .number("d", 1_700_000_000)
            .finish();
        let v = parse(&text).unwrap();
        assert_eq!(v.get("a").unwrap().as_str(), Some(nasty));
        assert_eq!(v.get("b"), None);
        assert_eq!(v.get("c"), Some(&Value::Bool(true)));
        assert_eq!(v.get("d"), Some(&Value::Number(Some(1_700_000_000))));
        assert_eq!(ObjectWriter::default().finish(), "{}");
    }

    #[test]
    fn integers_that_overflow_are_not_numbers() {
        assert_eq!(parse("99999999999999999999"), Some(Value::Number(None)));
        assert_eq!(parse("-42"), Some(Value::Number(Some(-42))));
    }
}
