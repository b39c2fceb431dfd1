//! Baton: lead scoring and marketing-to-sales handoff.
//!
//! The engine (every module here except `wasm`) is pure Rust: no clock, no I/O, no browser types.
//! Time is always a parameter (`now` / `as_of`, milliseconds since the Unix epoch), so the snippet,
//! the dashboard and a server give the same answer for the same input.
//!
//! The `wasm` module is the thin wasm-bindgen layer, compiled only for `wasm32`.

// The snippet's code (what builds without `analytics`) never slices a `str` by index: the
// panic of `&s[a..b]` formats the cut char with `{:?}`, which brings core's escaping and Unicode
// tables back into every site visitor's download (~4.6 KB gzip, benches/SIZE.md step 26). Use
// `text::slice` or `str::get`. The lint runs in CI's `cargo clippy --lib` (snippet features).
#![cfg_attr(not(feature = "analytics"), deny(clippy::string_slice))]

mod attribution;
pub mod condition;
pub mod engine;
pub mod error;
pub mod event;
pub mod fold;
pub mod handoff;
pub mod hash;
pub mod json;
pub mod model;
pub mod outbox;
pub mod replay;
pub mod score;
pub mod sorted_map;
pub mod stage;
pub mod state;
mod text;
mod tree;

#[cfg(test)]
mod arb;

/// Replay/backtest, funnel, import: only the dashboard and Node builds carry these.
#[cfg(feature = "analytics")]
pub mod analytics;
/// Scorecard calibration from outcomes (dashboard and Node builds only).
#[cfg(feature = "analytics")]
pub mod calibrate;
/// Server-side handoff verification: re-score a payload with the model it names (Node build).
#[cfg(feature = "analytics")]
pub mod verify;

/// The snippet's global allocator (installed by `wasm`); compiled natively for its tests.
#[cfg(any(test, all(target_arch = "wasm32", not(feature = "analytics"))))]
mod small_alloc;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use engine::Engine;
pub use error::Error;
