//! The engine's own JSON text layer: text → `serde_json::Value` ([`parse`]), `Value` → compact
//! text ([`write`]) and a non-generic writer for the snippet's results ([`JsonOut`], used by the
//! `encode` modules beside each type), for models, events, state, outbox, handoffs and
//! canonical hashing. The Node and dashboard builds write `Serialize` values with serde_json
//! itself (they link it anyway); the tests pin both routes to the same bytes.
//!
//! Why not serde_json's own text parser and writer: in the site snippet they came with float
//! tables (serde_json's power-of-ten table, zmij's) and kept core's `<f64 as Display>` and
//! `flt2dec` reachable, about 12 KB gzip of the wasm (benches/SIZE.md, step 21). Here the
//! float conversions go through a small backend ([`num`]): the browser's `Number` in the
//! snippet, zmij (serde_json's own formatter) and core's `str::parse` elsewhere. serde_json's
//! `Value` stays the engine's data type.
//!
//! Both directions match serde_json exactly (proptests in `tests`; serde_json is built with
//! `float_roundtrip`, so the analytics paths that still parse with it read every number as
//! this layer does): the same texts accepted,
//! the same values built (integers as `u64`/`i64` when they fit), the same bytes written.

pub mod num;
mod out;
mod parse;
mod write;

#[cfg(test)]
pub(crate) mod arb;
#[cfg(test)]
mod tests;

/// The engine's JSON data type. Every engine module names it through here (not serde_json
/// directly), so the type behind it can change in one place.
pub use serde_json::{Map, Number, Value};

pub use out::{text_of, JsonOut, WriteJson};
pub use parse::{parse, Error};
pub use write::{write_into, write_number, write_str};

/// `v` as compact JSON text, the same bytes as `serde_json::to_string(v)`.
pub fn write(v: &Value) -> String {
    let mut out = String::new();
    write_into(v, &mut out);
    out
}

/// A number as serde_json's `Number` displays it (the same text [`write`] gives it).
pub fn number_text(n: &serde_json::Number) -> String {
    let mut out = String::new();
    write_number(n, &mut out);
    out
}
