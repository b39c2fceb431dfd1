//! A [`Value`] as compact JSON text, byte for byte what `serde_json::to_string`
//! writes for it (the model hash and every stored state depend on the exact text).

use super::{Map, Number, Value};

use super::num;
use crate::text::slice;

/// Appends `v` as compact JSON.
pub fn write_into(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_into(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(map, out),
    }
}

/// Appends an object (a `Value::Object`'s map) as compact JSON.
pub fn write_object(map: &Map, out: &mut String) {
    out.push('{');
    for (i, (k, item)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(k, out);
        out.push(':');
        write_into(item, out);
    }
    out.push('}');
}

/// An integer as its digits, a float as serde_json lays it out ([`num::write_f64`]).
pub fn write_number(n: &Number, out: &mut String) {
    if let Some(u) = n.as_u64() {
        num::push_u64(u, out);
    } else if let Some(i) = n.as_i64() {
        out.push('-');
        num::push_u64(i.unsigned_abs(), out);
    } else if let Some(x) = n.as_f64() {
        num::write_f64(x, out);
    }
}

/// A string in quotes. Like serde_json: `"` and `\` escaped, control characters as `\b \f \n
/// \r \t` or `\u00XX` (lowercase hex); `/`, DEL and non-ASCII as they are.
pub fn write_str(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // Every byte that stops here is ASCII, so `start..i` is on character boundaries.
        out.push_str(slice(s, start..i));
        if escaped.is_empty() {
            out.push_str("\\u00");
            crate::text::int::push_hex(b.into(), 2, out);
        } else {
            out.push_str(escaped);
        }
        start = i + 1;
    }
    out.push_str(slice(s, start..));
    out.push('"');
}
