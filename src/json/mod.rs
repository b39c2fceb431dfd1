//! The engine's own JSON: its data type ([`Value`], [`Map`], [`Number`], see `value.rs`), text →
//! `Value` ([`parse`]), `Value` → compact
//! text ([`write`]) and a non-generic writer for the snippet's results ([`JsonOut`], used by the
//! `encode` modules beside each type), for models, events, state, outbox, handoffs and
//! canonical hashing. The Node and dashboard builds write `Serialize` values with serde_json
//! itself (they link it anyway); the tests pin both routes to the same bytes.
//!
//! Why not serde_json's own text parser and writer: in the site snippet they came with float
//! tables (serde_json's power-of-ten table, zmij's) and kept core's `<f64 as Display>` and
//! `flt2dec` reachable, about 12 KB gzip of the wasm (benches/SIZE.md, step 21). Here the
//! float conversions go through a small backend ([`num`]): the browser's `Number` in the
//! snippet, zmij (serde_json's own formatter) and core's `str::parse` elsewhere.
//!
//! Both directions match serde_json exactly (proptests in `tests`; serde_json is built with
//! `float_roundtrip`, so the analytics paths that still parse with it read every number as
//! this layer does): the same texts accepted,
//! the same values built (integers as `u64`/`i64` when they fit), the same bytes written.

pub mod num;
mod out;
mod parse;
mod value;
mod write;

#[cfg(test)]
pub(crate) mod arb;
#[cfg(test)]
mod tests;

/// The engine's JSON data type. Every engine module names it through here.
pub use value::{Map, Number, Value};

/// serde_json, for [`json!`] (which expands to its macro).
#[doc(hidden)]
pub use serde_json as __serde_json;

/// serde_json's `json!` syntax building this crate's [`Value`]: for tests and the Node and
/// dashboard builds (through serde_json's value, so never in the snippet).
#[doc(hidden)]
#[macro_export]
macro_rules! __json_value {
    ($($json:tt)+) => {
        $crate::json::Value::from($crate::json::__serde_json::json!($($json)+))
    };
}
pub use crate::__json_value as json;

pub use out::{text_of, JsonOut, WriteJson};
pub use parse::{parse, parse_noting_repeated_keys, row_reason, Error, MAX_REPEATED};
pub use write::{write_into, write_number, write_str};

/// `t` through its `Serialize` as a [`Value`], as `serde_json::to_value` builds it (the
/// Node and dashboard builds and the tests; the snippet writes by hand, see [`JsonOut`]).
pub fn to_value<T: serde::Serialize>(t: T) -> Result<Value, serde_json::Error> {
    serde_json::to_value(t).map(Value::from)
}

/// A `T` read from `v` through its `Deserialize`, as `serde_json::from_value` reads it, with
/// the same errors (the Node and dashboard builds and the tests; the snippet reads by hand).
pub fn from_value<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(serde_json::Value::from(v))
}

/// `v` as compact JSON text, the same bytes as `serde_json::to_string(v)`.
pub fn write(v: &Value) -> String {
    let mut out = String::new();
    write_into(v, &mut out);
    out
}

/// A number as serde_json's `Number` displays it (the same text [`write`] gives it).
pub fn number_text(n: &Number) -> String {
    let mut out = String::new();
    write_number(n, &mut out);
    out
}
