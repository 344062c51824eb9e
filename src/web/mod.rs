//! Thin browser primitives. No protocol decisions are made here: each function moves bytes
//! between the browser and the driver and maps every JavaScript failure to a typed error.

pub(crate) mod page;
pub(crate) mod random;
pub(crate) mod storage;
pub(crate) mod timer;
