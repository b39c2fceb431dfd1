//! The wasm-bindgen skin: decode → call the engine → encode. Compiled only for wasm32.
//! One file per exported type.

// The snippet's own small allocator; the builds with `analytics` keep Rust's default.
#[cfg(not(feature = "analytics"))]
mod allocator;
#[cfg(feature = "analytics")]
mod batch;
#[cfg(feature = "analytics")]
mod calibrate;
mod convert;
#[cfg(feature = "analytics")]
mod dashboard;
#[cfg(feature = "engine-api")]
mod engine;
mod tracker;
mod types;
#[cfg(feature = "analytics")]
mod verify;
