//! Reading an event's top-level fields with the first problem recorded, not returned.
//!
//! An event is refused at its first problem (`Error::event(field, reason)`). Returning that
//! error from every read with `?` gave each early return its own cleanup of the strings read so
//! far: ~4.5 KB of wasm for one function (benches/SIZE.md, step 34). Here each read is a small
//! method that records the first problem and hands back a default, the reads run in the old
//! order, and the caller checks once ([`FirstError::result`]), so the same problem is named.

use super::{
    clip, clipped, future_reason, parse_iso8601, unit_problem, EventKind, Fields, Times,
    FUTURE_TOLERANCE_MS, MAX_TEXT, MAX_TIME,
};
use crate::error::Error;
use crate::json::{Map, Value};
use crate::text::int::parse_i64;
use crate::text::quote::quoted;

/// An id field read ahead of the others (the fast line reader moves it out of its value):
/// the id, none, or the reason it is refused.
pub(super) type IdRead = Result<Option<String>, &'static str>;

/// The first problem found in an event, if any.
#[derive(Default)]
pub(super) struct FirstError(Option<Error>);

impl FirstError {
    /// Records `field: reason` unless a problem was recorded before.
    #[inline(never)]
    pub(super) fn fail(&mut self, field: &str, reason: &str) {
        if self.0.is_none() {
            self.0 = Some(Error::event(field, reason));
        }
    }

    /// The event's kind from its `type` ([`EventKind::Page`] after a problem).
    pub(super) fn kind(&mut self, v: Option<&Value>) -> EventKind {
        let reason = match v {
            Some(Value::String(text)) => match EventKind::parse(text) {
                Some(kind) => return kind,
                None => &format!(
                    "unknown type {} (expected page, screen, track, identify or group)",
                    quoted(clipped(text, 40))
                ),
            },
            Some(_) => "must be a string",
            None => "missing",
        };
        self.fail("type", reason);
        EventKind::Page
    }

    /// [`FirstError::fail`], then `T`'s default.
    pub(super) fn failed<T: Default>(&mut self, field: &str, reason: &str) -> T {
        self.fail(field, reason);
        T::default()
    }

    /// The first of `timestamp`, `originalTimestamp`, `sentAt`, `receivedAt` that is present
    /// and not null, else `times.default` (the ingest time, when the caller has one). Against
    /// `times.now`: a time more than [`FUTURE_TOLERANCE_MS`] ahead of it is refused, and so is a
    /// number in the wrong unit ([`unit_problem`]: seconds, or a 1970 that is no time near `now`).
    pub(super) fn timestamp(&mut self, obj: &dyn Fields, times: Times) -> i64 {
        for &key in &["timestamp", "originalTimestamp", "sentAt", "receivedAt"] {
            match obj.field(key) {
                None | Some(Value::Null) => continue,
                Some(v) => {
                    let ms = self.time(v, key);
                    if let Some(now) = times.now {
                        if ms > now.saturating_add(FUTURE_TOLERANCE_MS) {
                            return self.failed(key, &future_reason(ms, now));
                        }
                        if let Some(why) = unit_problem(v, ms, now) {
                            return self.failed(key, &why);
                        }
                    }
                    return ms;
                }
            }
        }
        times.default.unwrap_or_else(|| {
            self.failed(
                "timestamp",
                "missing (also no originalTimestamp, sentAt or receivedAt)",
            )
        })
    }

    /// Epoch milliseconds from a time field: a number (a fraction rounded down), a string of
    /// at most 15 digits, or an ISO-8601 date ([`parse_iso8601`]); from 1970 to 9999.
    fn time(&mut self, v: &Value, key: &str) -> i64 {
        let ms = match v {
            Value::Number(n) => match n.as_i64() {
                Some(ms) => ms,
                None => match n.as_f64() {
                    Some(f) if f.is_finite() && f.abs() < MAX_TIME as f64 => f.floor() as i64,
                    _ => return self.failed(key, "epoch milliseconds out of range"),
                },
            },
            Value::String(s) => {
                if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.len() <= 15 {
                    // At most 15 digits: always read.
                    parse_i64(s).unwrap_or_default()
                } else {
                    match parse_iso8601(s) {
                        Some(ms) => ms,
                        None => {
                            let text = quoted(clipped(s, 40));
                            return self.failed(key, &format!("not an ISO-8601 date: {text}"));
                        }
                    }
                }
            }
            _ => return self.failed(key, "must be an ISO-8601 string or epoch milliseconds"),
        };
        if !(0..=MAX_TIME).contains(&ms) {
            return self.failed(key, "out of range (before 1970 or after 9999)");
        }
        ms
    }

    /// An id read by [`owned_id`] (none after a problem).
    pub(super) fn id(&mut self, read: IdRead, key: &str) -> Option<String> {
        read.unwrap_or_else(|reason| self.failed(key, reason))
    }

    /// An optional string field, clipped to [`MAX_TEXT`].
    pub(super) fn string(&mut self, obj: &dyn Fields, key: &str) -> Option<String> {
        match obj.field(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(clip(s, MAX_TEXT)),
            Some(_) => self.failed(key, "must be a string"),
        }
    }

    /// An optional object field.
    pub(super) fn object<'a>(
        &mut self,
        obj: &'a dyn Fields,
        key: &str,
    ) -> Option<&'a Map<String, Value>> {
        match obj.field(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => self.failed(key, "must be an object"),
        }
    }

    /// The first problem, if any.
    pub(super) fn result(self) -> Result<(), Error> {
        self.0.map_or(Ok(()), Err)
    }
}

/// An id field's value: empty and null are none, numbers are their JSON text (some libraries
/// send numeric ids), strings longer than 256 bytes and other values are refused.
pub(super) fn owned_id(v: Option<Value>) -> IdRead {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) if s.len() > 256 => Err("longer than 256 characters"),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(crate::json::number_text(&n))),
        Some(_) => Err("must be a string"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    fn field(e: Option<Error>) -> Option<(String, String)> {
        match e? {
            Error::InvalidEvent { field, reason } => Some((field, reason)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_first_problem_wins() {
        let mut r = FirstError::default();
        assert_eq!(r.id(Ok(Some("a".into())), "userId").as_deref(), Some("a"));
        assert!(r.0.is_none());
        assert_eq!(r.id(Err("must be a string"), "userId"), None);
        r.fail("type", "missing");
        assert_eq!(
            field(r.0),
            Some(("userId".to_string(), "must be a string".to_string()))
        );
    }

    #[test]
    fn reads_give_defaults_after_a_problem() {
        let Value::Object(obj) = json!({"type": 5, "event": "x", "name": [1], "context": "c",
            "properties": {"a": 1}, "sentAt": "soon", "timestamp": null})
        else {
            unreachable!()
        };
        let mut r = FirstError::default();
        assert_eq!(r.kind(obj.get("type")), EventKind::Page);
        assert_eq!(r.timestamp(&obj, Times::ingest(Some(9))), 0);
        assert_eq!(r.string(&obj, "event").as_deref(), Some("x"));
        assert_eq!(r.string(&obj, "name"), None);
        assert!(r.object(&obj, "properties").is_some());
        assert!(r.object(&obj, "context").is_none());
        assert!(r.object(&obj, "traits").is_none());
        assert_eq!(
            field(r.0),
            Some(("type".to_string(), "must be a string".to_string()))
        );

        let mut r = FirstError::default();
        assert_eq!(r.timestamp(&obj, Times::default()), 0);
        let (key, reason) = field(r.0).unwrap();
        assert_eq!(
            (key.as_str(), reason.as_str()),
            ("sentAt", "not an ISO-8601 date: \"soon\"")
        );
    }

    #[test]
    fn unknown_types_are_quoted_and_clipped() {
        let long = "x".repeat(50);
        let mut r = FirstError::default();
        assert_eq!(r.kind(Some(&json!(long))), EventKind::Page);
        let (key, reason) = field(r.0).unwrap();
        assert_eq!(key, "type");
        assert_eq!(
            reason,
            format!(
                "unknown type \"{}\" (expected page, screen, track, identify or group)",
                &long[..40]
            )
        );
        let mut r = FirstError::default();
        assert_eq!(r.kind(Some(&json!("TRACK"))), EventKind::Track);
        assert!(r.result().is_ok());
    }

    #[test]
    fn ids_worked_examples() {
        let long = "i".repeat(257);
        let cases = [
            (None, Ok(None)),
            (Some(json!(null)), Ok(None)),
            (Some(json!("")), Ok(None)),
            (Some(json!("a1")), Ok(Some("a1".to_string()))),
            (Some(json!(long[..256])), Ok(Some(long[..256].to_string()))),
            (Some(json!(long)), Err("longer than 256 characters")),
            (Some(json!(42)), Ok(Some("42".to_string()))),
            (Some(json!(2.5)), Ok(Some("2.5".to_string()))),
            (Some(json!(true)), Err("must be a string")),
            (Some(json!({})), Err("must be a string")),
        ];
        for (v, expected) in cases {
            assert_eq!(owned_id(v.clone()), expected, "{v:?}");
        }
    }
}
