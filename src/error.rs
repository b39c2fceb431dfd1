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
