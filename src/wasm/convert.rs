//! Crossing the boundary by shape: every result goes out through one configured serializer, every
//! input comes in through serde, and engine errors become real JS `Error` objects.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Encodes an engine result as plain JS data: objects (not `Map`s) for maps, numbers for 64-bit
/// integers, `null` for `None`, so results look the same as `JSON.parse` of the engine's JSON.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Decodes JS data into an engine input type.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&e.to_string()))
}

/// Decodes a value that callers may pass either as a JS object or as JSON text (models and
/// state are often stored as text), into a JSON tree the engine validates with paths.
pub fn json_value(value: JsValue) -> Result<serde_json::Value, JsError> {
    match value.as_string() {
        Some(text) => {
            serde_json::from_str(&text).map_err(|e| JsError::new(&format!("invalid JSON: {e}")))
        }
        None => from_js(value),
    }
}

/// An engine error as a JS `Error` carrying the engine's message.
pub fn js_error(err: crate::Error) -> JsError {
    JsError::new(&err.to_string())
}

/// JS passes time as a `number` of milliseconds since the epoch; the engine counts in `i64`.
/// Non-finite values are rejected instead of silently becoming 0 (the Unix epoch).
pub fn millis(value: f64, name: &str) -> Result<i64, JsError> {
    if value.is_finite() {
        Ok(value as i64)
    } else {
        Err(JsError::new(&format!(
            "{name}: expected a finite number of milliseconds since the epoch"
        )))
    }
}
