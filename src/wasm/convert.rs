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

/// An engine error as a JS `Error` carrying the engine's message. An invalid model's error also
/// carries the problems as data (the builds with the `Engine` class): `err.problems`, the list
/// `Engine.validate` returns ([`model_error`]).
pub fn js_error(err: crate::Error) -> JsError {
    #[cfg(feature = "engine-api")]
    if let crate::Error::InvalidModel(problems) = err {
        return model_error(problems);
    }
    JsError::new(&err.to_string())
}

/// The `Error` thrown for an invalid model: the message lists every problem (as the engine's
/// `Display` words them) and `problems` holds them, `[{path, message}, ...]`, so a caller need
/// not parse the message nor validate again (`ModelError` in the `.d.ts`).
#[cfg(feature = "engine-api")]
pub fn model_error(problems: Vec<crate::error::Problem>) -> JsError {
    model_error_of(problems, None)
}

/// [`model_error`] for a call that takes more than one model (`Workspace.backtest`): the
/// message starts with the argument's name (`candidate: invalid model: ...`) and `argument`
/// holds it, so the caller knows which model to fix.
#[cfg(feature = "engine-api")]
pub fn model_error_of(problems: Vec<crate::error::Problem>, argument: Option<&str>) -> JsError {
    let list = to_js(&problems).unwrap_or(JsValue::NULL);
    let mut message = String::new();
    if let Some(name) = argument {
        message.push_str(name);
        message.push_str(": ");
    }
    message.push_str(&crate::Error::InvalidModel(problems).to_string());
    let err = JsError::new(&message);
    // The same JS object: a `JsError` is a handle to it.
    let object = JsValue::from(err.clone());
    let _ = js_sys::Reflect::set(&object, &JsValue::from_str("problems"), &list);
    if let Some(name) = argument {
        let _ = js_sys::Reflect::set(
            &object,
            &JsValue::from_str("argument"),
            &JsValue::from_str(name),
        );
    }
    err
}

/// A model as the `Engine` bindings take it (a JS value or its JSON text) as JSON text (the
/// document `new Engine` caches by), with a problem for each number JSON cannot hold
/// (`Infinity`, `NaN`: `JSON.stringify` writes `null` for them, which a model would read as
/// "missing" or, for an optional limit, as no limit at all). `Err` when it is no document at
/// all: `undefined`, a function, a symbol, a `BigInt` or a cycle, one problem at `$`.
#[cfg(feature = "engine-api")]
pub fn model_text(
    value: &JsValue,
) -> Result<(String, Vec<crate::error::Problem>), crate::error::Problem> {
    use crate::error::Problem;
    let root = |kind: &str| {
        let mut m = String::from("must be a model object or its JSON text, found ");
        m.push_str(kind);
        Problem::new("$", m)
    };
    if let Some(text) = value.as_string() {
        return Ok((text, Vec::new()));
    }
    if value.is_undefined() {
        return Err(root("undefined"));
    }
    if value.is_function() {
        return Err(root("a function"));
    }
    if value.is_symbol() {
        return Err(root("a symbol"));
    }
    if value.is_bigint() {
        return Err(root("a BigInt"));
    }
    let Ok(text) = json_text(value) else {
        return Err(Problem::new(
            "$",
            "cannot be written as JSON (a BigInt or a cycle inside?)",
        ));
    };
    // Non-finite numbers are written as `null`: only a text with a `null` can hold one.
    let non_finite = if text.contains("null") {
        non_finite(value)
    } else {
        Vec::new()
    };
    Ok((text, non_finite))
}

/// Where `value` holds a number JSON cannot (`NaN`, `Infinity`, `-Infinity`), each a problem at
/// its path. `JSON.stringify` again, its replacer putting a marker in their place, then a walk
/// of the document for the markers.
#[cfg(feature = "engine-api")]
fn non_finite(value: &JsValue) -> Vec<crate::error::Problem> {
    const MARK: &str = "\u{0}baton:non-finite:";
    let replacer = Closure::wrap(Box::new(|_key: JsValue, v: JsValue| -> JsValue {
        match v.as_f64() {
            Some(f) if !f.is_finite() => {
                let mut m = String::from(MARK);
                m.push_str(if f.is_nan() {
                    "NaN"
                } else if f > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                });
                JsValue::from_str(&m)
            }
            _ => v,
        }
    }) as Box<dyn FnMut(JsValue, JsValue) -> JsValue>);
    let marked = js_sys::JSON::stringify_with_replacer(value, replacer.as_ref())
        .ok()
        .and_then(|t| t.as_string())
        .and_then(|t| crate::json::parse(&t).ok());
    let mut out = Vec::new();
    if let Some(doc) = marked {
        find_marks(&doc, "", MARK, &mut out);
    }
    out
}

/// The problems of [`non_finite`]: every string of `v` that starts with `mark`, at its path.
#[cfg(feature = "engine-api")]
fn find_marks(
    v: &crate::json::Value,
    path: &str,
    mark: &str,
    out: &mut Vec<crate::error::Problem>,
) {
    use crate::json::Value;
    use crate::model::check::{index, join};
    match v {
        Value::String(s) => {
            if let Some(what) = s.strip_prefix(mark) {
                let mut m = String::from("must be a finite number, found ");
                m.push_str(what);
                let at = if path.is_empty() { "$" } else { path };
                out.push(crate::error::Problem::new(at, m));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_marks(item, &index(path, i), mark, out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                find_marks(item, &join(path, key), mark, out);
            }
        }
        _ => {}
    }
}

/// The largest time JS `Date` holds, in ms either side of the epoch (ECMA-262 "Time Values and
/// Time Range": ±100,000,000 days).
#[cfg(feature = "engine-api")]
pub const JS_DATE_RANGE_MS: f64 = 8.64e15;

/// JS passes time as a `number` of milliseconds since the epoch; the engine counts in `i64`.
/// `NaN`, `±Infinity` and numbers outside JS `Date`'s range ([`JS_DATE_RANGE_MS`]) are refused,
/// naming the argument, instead of silently becoming the epoch or being clamped to `i64`'s
/// ends (`score(-1e20)` answered `asOf: -9223372036854776000`); so is a number that reads as
/// epoch seconds ([`seconds_not_ms`]).
#[cfg(feature = "engine-api")]
pub fn millis(value: f64, name: &str) -> Result<i64, JsError> {
    if value.is_finite() && value.abs() <= JS_DATE_RANGE_MS {
        return match seconds_not_ms(value, name) {
            Some(message) => Err(JsError::new(&message)),
            None => Ok(value as i64),
        };
    }
    let message = if value.is_finite() {
        format!(
            "{name}: {value:e} is outside the range of a JavaScript Date (±8.64e15 ms since the epoch); pass milliseconds such as Date.now()"
        )
    } else {
        let found = if value.is_nan() {
            "NaN"
        } else if value > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        format!("{name}: expected a finite number of milliseconds since the epoch, found {found}")
    };
    Err(JsError::new(&message))
}

/// Epoch seconds from 2001-09-09 (10^9 s) up to 2100: what `Date.now() / 1000` and Unix
/// timestamps read as. As milliseconds they are 1970-01-12T13:46:40Z to 1970-02-17: no clock
/// of a caller is there, and taken at its word such a `now` blamed every correctly stamped
/// event on the sender's clock ("498281 hours ahead of now") and gave an event without a time
/// a date in January 1970.
#[cfg(feature = "engine-api")]
const SECONDS_AS_MS: core::ops::Range<f64> = 1e9..4_102_444_800.0;

/// Why a time argument `value` reads as epoch seconds rather than milliseconds
/// ([`SECONDS_AS_MS`]), naming the argument, the date it would be and the fix; else `None`.
#[cfg(feature = "engine-api")]
fn seconds_not_ms(value: f64, name: &str) -> Option<String> {
    if !SECONDS_AS_MS.contains(&value) {
        return None;
    }
    let mut date = String::new();
    crate::event::push_iso8601((value * 1000.0) as i64, &mut date);
    Some(format!(
        "{name}: {value} looks like seconds since the epoch ({date}), not milliseconds; multiply it by 1000, or pass Date.now()"
    ))
}

/// What a time argument that is not a number is, for its message: `missing`, `null`, ...
#[cfg(feature = "engine-api")]
fn not_a_number(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "missing"
    } else if value.is_null() {
        "null, where a time is required"
    } else if value.is_bigint() {
        "a BigInt (convert it with Number())"
    } else if value.is_string() {
        "a string (convert ISO text with Date.parse())"
    } else {
        "not a number"
    }
}

/// A required time argument (`now`, `asOf`) as JS passes it: a number [`millis`] accepts, or a
/// `Date`. Anything else is refused naming the argument: a missing one (was `found NaN`),
/// `null` (was the epoch), a string of digits (was read as its number), a `BigInt` (was
/// "Cannot convert a BigInt value to a number", naming nothing).
#[cfg(feature = "engine-api")]
pub fn time_arg(value: &JsValue, name: &str) -> Result<i64, JsError> {
    if let Some(n) = value.as_f64() {
        return millis(n, name);
    }
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        return millis(date.get_time(), name);
    }
    Err(JsError::new(&format!(
        "{name}: {}: expected a number of milliseconds since the epoch, e.g. Date.now()",
        not_a_number(value)
    )))
}

/// An optional time in an options object (`options.now`): absent, `undefined` or `null` is
/// none; anything else must be a number [`millis`] accepts. `name` is the full name for the
/// message (`options.now`).
#[cfg(feature = "analytics")]
pub fn optional_millis(options: &JsValue, key: &str, name: &str) -> Result<Option<i64>, JsError> {
    let v = js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) => millis(n, name).map(Some),
        None => Err(JsError::new(&format!(
            "{name}: must be a number of milliseconds since the epoch, e.g. Date.now()"
        ))),
    }
}

/// Refuses every own key of an options object not in `known`, naming it and the nearest known
/// one (the model validator's "did you mean"): a misspelled `{ Now: ... }` silently turned the
/// time checks off. `what` names the argument (`options`).
#[cfg(feature = "analytics")]
pub fn known_keys(options: &JsValue, what: &str, known: &[&str]) -> Result<(), JsError> {
    for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            use crate::model::check::{quoting, unknown_key_message};
            // A known key with a unit or a suffix on it (`nowMs`) is meant as that key too:
            // farther than the validator's edit distance reaches.
            let message = match known.iter().find(|k| key.starts_with(**k)) {
                Some(k) => quoting("unknown key ", &key, &quoting(", did you mean ", k, "?")),
                None => unknown_key_message(&key, known),
            };
            return Err(JsError::new(&format!("{what}: {message}")));
        }
    }
    Ok(())
}
