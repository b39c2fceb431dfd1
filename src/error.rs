//! Engine errors: typed values that say what is wrong and where. Never a panic.

use serde::Serialize;
use std::fmt;

/// One problem found while validating a model, located by its JSON path
/// (`rules[3].when.path`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

// The `Display`s here write their parts with `write_str`, not `write!`: the same text (a
// `write!` inside `fmt` ignores the outer width and fill too), without an `Arguments` built
// per variant in the snippet's wasm (benches/SIZE.md, step 40).
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            f.write_str(&self.path)?;
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

/// Everything the engine can refuse.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The model document has problems; all of them are listed.
    InvalidModel(Vec<Problem>),
    /// An event was rejected; `field` names the offending field.
    InvalidEvent { field: String, reason: String },
    /// A persisted visitor state (or outbox) could not be read: corrupt, foreign or too new.
    InvalidState(String),
    /// Text that should be JSON is not.
    InvalidJson(String),
    /// An outbox operation named an unknown entry or one in the wrong state.
    Outbox { id: String, reason: String },
}

impl Error {
    pub(crate) fn event(field: &str, reason: impl Into<String>) -> Error {
        Error::InvalidEvent {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What it is, then one or two details (`what: first: second`).
        let (what, first, second) = match self {
            Error::InvalidModel(problems) => {
                let mut count = String::new();
                crate::json::num::push_u64(problems.len() as u64, &mut count);
                f.write_str("invalid model: ")?;
                f.write_str(&count)?;
                f.write_str(" problem(s): ")?;
                for (i, p) in problems.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    fmt::Display::fmt(p, f)?;
                }
                return Ok(());
            }
            Error::InvalidEvent { field, reason } => ("invalid event: ", field, Some(reason)),
            Error::InvalidState(reason) => ("invalid state: ", reason, None),
            Error::InvalidJson(reason) => ("invalid JSON: ", reason, None),
            Error::Outbox { id, reason } => ("outbox: ", id, Some(reason)),
        };
        f.write_str(what)?;
        f.write_str(first)?;
        if let Some(second) = second {
            f.write_str(": ")?;
            f.write_str(second)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The `Display`s as they were (`write!`), the oracle of the proptest.
    fn old_display(e: &Error) -> String {
        let problem = |p: &Problem| {
            if p.path.is_empty() {
                p.message.to_string()
            } else {
                format!("{}: {}", p.path, p.message)
            }
        };
        match e {
            Error::InvalidModel(problems) => {
                let mut s = format!("invalid model: {} problem(s): ", problems.len());
                for (i, p) in problems.iter().enumerate() {
                    if i > 0 {
                        s.push_str("; ");
                    }
                    s.push_str(&problem(p));
                }
                s
            }
            Error::InvalidEvent { field, reason } => format!("invalid event: {field}: {reason}"),
            Error::InvalidState(reason) => format!("invalid state: {reason}"),
            Error::InvalidJson(reason) => format!("invalid JSON: {reason}"),
            Error::Outbox { id, reason } => format!("outbox: {id}: {reason}"),
        }
    }

    #[test]
    fn every_variant_worded() {
        for (e, text) in [
            (Error::InvalidModel(vec![]), "invalid model: 0 problem(s): "),
            (
                Error::InvalidModel(vec![Problem::new("", "not an object")]),
                "invalid model: 1 problem(s): not an object",
            ),
            (
                Error::InvalidState("too new".into()),
                "invalid state: too new",
            ),
            (Error::InvalidJson("line 1".into()), "invalid JSON: line 1"),
            (
                Error::Outbox {
                    id: "h".into(),
                    reason: "not in flight".into(),
                },
                "outbox: h: not in flight",
            ),
        ] {
            assert_eq!(e.to_string(), text);
            // A width given to the outer format was never applied inside.
            assert_eq!(format!("{e:>80}"), text);
        }
    }

    proptest! {
        #[test]
        fn display_is_the_old_write(
            which in 0..5usize,
            a in ".{0,6}",
            b in ".{0,6}",
            problems in proptest::collection::vec(("[a-z.\\[\\]0-9]{0,6}", ".{0,6}"), 0..12),
        ) {
            let e = match which {
                0 => Error::InvalidModel(
                    problems.into_iter().map(|(p, m)| Problem::new(p, m)).collect(),
                ),
                1 => Error::InvalidEvent { field: a, reason: b },
                2 => Error::InvalidState(a),
                3 => Error::InvalidJson(a),
                _ => Error::Outbox { id: a, reason: b },
            };
            prop_assert_eq!(e.to_string(), old_display(&e));
        }
    }

    #[test]
    fn messages_name_what_and_where() {
        let e = Error::InvalidModel(vec![
            Problem::new("rules[3].when.path", "empty pattern"),
            Problem::new("version", "missing"),
        ]);
        assert_eq!(
            e.to_string(),
            "invalid model: 2 problem(s): rules[3].when.path: empty pattern; version: missing"
        );
        assert_eq!(
            Error::event("timestamp", "not a date").to_string(),
            "invalid event: timestamp: not a date"
        );
    }
}
