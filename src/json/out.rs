//! A compact JSON text writer for the hand-written encoders of the snippet's outputs (visitor
//! state, outbox, handoff, score, explanation).
//!
//! Why not `#[derive(Serialize)]` through a serde `Serializer`: serde's derived code is one
//! generic copy per type and serializer (the visitor state's alone was ~4 KB of the snippet's
//! wasm), plus the serializer itself and serde_json's `Value: Serialize`. This writer is not
//! generic: each encoder is a short list of calls. The bytes are the ones serde_json writes (the
//! same number and string writers as [`super::write`]); tests pin every encoder to its type's
//! derived `Serialize` or to a pinned text.
//!
//! Separators are implied: a value or key written right after `{`, `[` or `:` (or first) gets
//! none, anything else gets a comma first. A complete JSON value never ends in one of those
//! bytes, so callers only say what comes next.

use super::{Map, Value};

use super::num;
use super::write::{write_into, write_object, write_str};

/// A type written as JSON by hand (the snippet's outputs).
pub trait WriteJson {
    fn write_json(&self, o: &mut JsonOut);
}

/// `v` as compact JSON text.
pub fn text_of<T: WriteJson + ?Sized>(v: &T) -> String {
    let mut o = JsonOut::new();
    v.write_json(&mut o);
    o.finish()
}

/// JSON text being written; [`JsonOut::finish`] hands it over.
#[derive(Debug, Default)]
pub struct JsonOut(String);

impl JsonOut {
    pub fn new() -> JsonOut {
        JsonOut(String::new())
    }

    pub fn finish(self) -> String {
        self.0
    }

    /// The comma between members or elements (see the module comment).
    fn sep(&mut self) -> &mut String {
        if !matches!(self.0.as_bytes().last(), None | Some(b'{' | b'[' | b':')) {
            self.0.push(',');
        }
        &mut self.0
    }

    pub fn begin_object(&mut self) -> &mut Self {
        self.sep().push('{');
        self
    }

    pub fn end_object(&mut self) -> &mut Self {
        self.0.push('}');
        self
    }

    pub fn begin_array(&mut self) -> &mut Self {
        self.sep().push('[');
        self
    }

    pub fn end_array(&mut self) -> &mut Self {
        self.0.push(']');
        self
    }

    /// `"key":` (escaped as any string: map keys are data).
    pub fn key(&mut self, key: &str) -> &mut Self {
        write_str(key, self.sep());
        self.0.push(':');
        self
    }

    pub fn str(&mut self, v: &str) -> &mut Self {
        write_str(v, self.sep());
        self
    }

    /// A string or `null`, as serde writes an `Option<String>`.
    pub fn opt_str(&mut self, v: Option<&str>) -> &mut Self {
        match v {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    pub fn i64(&mut self, v: i64) -> &mut Self {
        let out = self.sep();
        if v < 0 {
            out.push('-');
        }
        num::push_u64(v.unsigned_abs(), out);
        self
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        num::push_u64(v, self.sep());
        self
    }

    /// As serde_json writes an `f64` (non-finite as `null`).
    pub fn f64(&mut self, v: f64) -> &mut Self {
        num::write_f64(v, self.sep());
        self
    }

    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.sep().push_str(if v { "true" } else { "false" });
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.sep().push_str("null");
        self
    }

    /// A list of hand-written items (one small copy per item type).
    pub fn array<T: WriteJson>(&mut self, items: &[T]) -> &mut Self {
        self.begin_array();
        for item in items {
            item.write_json(self);
        }
        self.end_array()
    }

    pub fn value(&mut self, v: &Value) -> &mut Self {
        write_into(v, self.sep());
        self
    }

    pub fn map(&mut self, v: &Map) -> &mut Self {
        write_object(v, self.sep());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    #[test]
    fn commas_fall_where_json_needs_them() {
        let mut o = JsonOut::new();
        o.begin_object();
        o.key("a").begin_array().end_array();
        o.key("b").begin_array().i64(-3).u64(4).f64(0.5).end_array();
        o.key("c").begin_object().end_object();
        o.key("d").begin_array().begin_array().null().end_array();
        o.begin_object()
            .key("x")
            .bool(true)
            .end_object()
            .end_array();
        o.key("q\"k").opt_str(None).key("s").opt_str(Some("\n"));
        o.key("v").value(&json!({"z": [1, 2.0], "a": "é"}));
        o.key("m").map(&Map::new()).key("f").f64(f64::NAN);
        o.end_object();
        assert_eq!(
            o.finish(),
            r#"{"a":[],"b":[-3,4,0.5],"c":{},"d":[[null],{"x":true}],"q\"k":null,"s":"\n","v":{"a":"é","z":[1,2.0]},"m":{},"f":null}"#
        );
    }

    #[test]
    fn a_lone_value_has_no_comma() {
        let text = |write: fn(&mut JsonOut) -> &mut JsonOut| {
            let mut o = JsonOut::new();
            write(&mut o);
            o.finish()
        };
        assert_eq!(text(|o| o.i64(i64::MIN)), "-9223372036854775808");
        assert_eq!(text(|o| o.u64(u64::MAX)), "18446744073709551615");
        assert_eq!(text(|o| o.str("")), "\"\"");
        assert_eq!(text(|o| o.bool(false)), "false");
        assert_eq!(text(|o| o.f64(-0.0)), "-0.0");
    }
}
