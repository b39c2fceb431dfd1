//! Crossing the boundary by shape: every result goes out through one serializer, every input
//! comes in through serde, and engine errors become real JS `Error` objects. The JSON text on
//! this side is the engine's own (`crate::json`), not serde_json's text layer.

#[cfg(feature = "analytics")]
use serde::de::DeserializeOwned;
#[cfg(feature = "engine-api")]
use serde::Serialize;
use wasm_bindgen::prelude::*;

// NOTE: data crosses as JSON text (`serde_json` on this side, the host's `JSON.parse` /
// `JSON.stringify` on the other) rather than through serde-wasm-bindgen's value-by-value walk.
// Measured on the snippet build: -11.4 KB gzip of wasm and glue, because serde_json is in the
// binary anyway (models, state) and a second serde backend is not. What it changes, all of it
// JSON's own semantics: `undefined` and functions are dropped, `Date`s arrive as ISO-8601 text
// (which the event parser accepts), `NaN` leaves as `null`, a `Map` arrives as `{}`.

/// Encodes an engine result as plain JS data (objects, arrays, numbers, strings, `null`), the
/// same as `JSON.parse` of the engine's JSON. Not in the snippet, which writes its results by
/// hand ([`written_to_js`]).
#[cfg(feature = "engine-api")]
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    // serde_json's own writer: these builds link it anyway (the analytics code uses it), and it
    // writes the same bytes as the snippet's hand writers (src/json/tests.rs).
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("result is not valid JSON"))
}

/// Like [`to_js`], for the snippet's results (score, explanation, stage entries), written by
/// hand ([`crate::json::WriteJson`]): the same text, without serde's serializer in the
/// snippet's wasm. The text is valid JSON by construction (`null` if `JSON.parse` disagreed).
pub fn written_to_js<T: crate::json::WriteJson + ?Sized>(value: &T) -> JsValue {
    js_sys::JSON::parse(&crate::json::text_of(value)).unwrap_or(JsValue::NULL)
}

/// Decodes JS data into an engine input type: JSON text → JSON tree → the type's derived
/// `Deserialize` through serde_json's tree deserializer (no text deserializer in the wasm).
/// Only the dashboard and Node builds decode typed inputs: serde's type errors print floats
/// with core's `<f64 as Display>`, so the snippet reads its one options object by hand.
#[cfg(feature = "analytics")]
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsError> {
    from_js_named(value, "input")
}

/// Like [`from_js`], with the message naming what was being decoded (`invalid rows: ...`).
#[cfg(feature = "analytics")]
pub fn from_js_named<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    let tree = crate::json::parse(&json_text(&value)?)
        .map_err(|e| JsError::new(&format!("invalid {what}: {e}")))?;
    crate::json::from_value(&tree).map_err(|e| JsError::new(&format!("invalid {what}: {e}")))
}

/// Decodes a value that callers may pass either as a JS object or as JSON text (models and
/// state are often stored as text), into a JSON tree the engine validates with paths.
pub fn json_value(value: JsValue) -> Result<crate::json::Value, JsError> {
    let text = match value.as_string() {
        Some(text) => text,
        None => json_text(&value)?,
    };
    parse_json(&text)
}

/// JSON text into a JSON tree, a syntax error worded as [`json_value`] words it.
pub fn parse_json(text: &str) -> Result<crate::json::Value, JsError> {
    crate::json::parse(text).map_err(|e| JsError::new(&format!("invalid JSON: {e}")))
}

/// `JSON.stringify` of a JS value; `undefined` (which stringifies to nothing) reads as `null`,
/// and what JSON cannot hold (a `BigInt`, a cycle) is an error rather than a throw.
pub fn json_text(value: &JsValue) -> Result<String, JsError> {
    if value.is_undefined() {
        return Ok("null".into());
    }
    match js_sys::JSON::stringify(value) {
        Ok(text) => Ok(text.as_string().unwrap_or_else(|| "null".into())),
        Err(_) => Err(JsError::new(
            "input cannot be represented as JSON (a BigInt or a cycle?)",
        )),
    }
}

/// An engine error as a JS `Error` carrying the engine's message.
pub fn js_error(err: crate::Error) -> JsError {
    JsError::new(&err.to_string())
}

/// JS passes time as a `number` of milliseconds since the epoch; the engine counts in `i64`.
/// Non-finite values are rejected instead of silently becoming 0 (the Unix epoch).
#[cfg(feature = "engine-api")]
pub fn millis(value: f64, name: &str) -> Result<i64, JsError> {
    if value.is_finite() {
        Ok(value as i64)
    } else {
        Err(JsError::new(&format!(
            "{name}: expected a finite number of milliseconds since the epoch"
        )))
    }
}
