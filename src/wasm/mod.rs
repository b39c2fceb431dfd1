//! The wasm-bindgen skin: decode → call the engine → encode. Compiled only for wasm32.
//! One file per exported type.

mod convert;
mod engine;
mod types;
#[cfg(feature = "analytics")]
mod verify;
#[cfg(feature = "analytics")]
mod calibrate;
mod tracker;
