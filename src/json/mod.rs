//! The engine's own JSON text layer: text → `serde_json::Value` ([`parse`]) and `Value` (or
//! anything `Serialize`) → compact text ([`write`], [`to_string`]), for models, events, state,
//! outbox, handoffs and canonical hashing, in every build.
//!
//! Why not serde_json's own text parser and writer: in the site snippet they came with float
//! tables (serde_json's power-of-ten table, zmij's) and kept core's `<f64 as Display>` and
//! `flt2dec` reachable, about 12 KB gzip of the wasm (benches/SIZE.md, step 21). Here the
//! float conversions go through a small backend ([`num`]): the browser's `Number` in the
//! snippet, core elsewhere. serde_json's `Value` stays the engine's data type.
//!
//! Both directions match serde_json exactly (proptests in `tests`): the same texts accepted,
//! the same values built (integers as `u64`/`i64` when they fit), the same bytes written.

pub mod num;
mod parse;
mod write;

#[cfg(test)]
mod tests;

use serde::Serialize;
use serde_json::Value;

pub use parse::{parse, Error};
pub use write::{write_into, write_number, write_str};

/// `v` as compact JSON text, the same bytes as `serde_json::to_string(v)`.
pub fn write(v: &Value) -> String {
    let mut out = String::new();
    write_into(v, &mut out);
    out
}

/// Any `Serialize` value as compact JSON text, through its JSON tree (`serde_json::to_value`).
/// Object keys come out in the tree's (sorted) order rather than in struct field order; an
/// error is what `to_value` refuses (a map with non-string keys).
pub fn to_string<T: Serialize + ?Sized>(v: &T) -> Result<String, String> {
    serde_json::to_value(v)
        .map(|tree| write(&tree))
        .map_err(|e| e.to_string())
}

/// A number as serde_json's `Number` displays it (the same text [`write`] gives it).
pub fn number_text(n: &serde_json::Number) -> String {
    let mut out = String::new();
    write_number(n, &mut out);
    out
}
