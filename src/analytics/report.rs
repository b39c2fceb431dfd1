//! What an import did: rows read, rows kept, and every bad row with its number and reason.

use serde::Serialize;

/// At most this many row errors are kept with their text; the rest are only counted, so a file of
/// a million bad rows cannot fill memory with messages.
pub const MAX_ROW_ERRORS: usize = 1000;

/// One rejected row: its number in the file (1-based line; for a JSON array, the element's
/// 1-based position) and why it was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub row: u64,
    pub reason: String,
}

/// Counts for one import, cumulative over its chunks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Data rows read (header lines and blank lines are not rows).
    pub rows: u64,
    /// Rows kept.
    pub imported: u64,
    /// Rows rejected (`errors` lists the first `MAX_ROW_ERRORS`).
    pub rejected: u64,
    /// Rows skipped because an identical record (same `messageId` or `handoffId`) was already kept.
    pub duplicates: u64,
    pub errors: Vec<RowError>,
    /// Rejected rows beyond `MAX_ROW_ERRORS`, counted but not listed.
    pub errors_omitted: u64,
    /// Of `rejected`: well-formed rows the clock check skipped (a time more than a day ahead of
    /// the importer's clock, or seconds sent for milliseconds), not malformed ones.
    pub clock_skipped: u64,
    /// Every rejected row (listed or not) counted by reason, most frequent first (ties in
    /// first-seen order); at most `MAX_REASONS` reasons, the rest under "other reasons".
    pub by_reason: Vec<ReasonCount>,
}

/// At most this many distinct reasons are counted apart in `by_reason`.
pub const MAX_REASONS: usize = 20;

/// How many rejected rows share a reason: the reason without its row's own numbers
/// ("timestamp: 71 hours ahead of now…" and "…: 70 hours…" are one reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasonCount {
    pub reason: String,
    pub count: u64,
    /// Skipped by the clock check (the row itself was well formed).
    pub clock: bool,
}

/// A reason's summary and whether the clock check gave it. The clock check's two reasons (the
/// event reader's words: src/event/read.rs, src/event.rs `seconds_reason`) get a short name;
/// any other reason is its text with each run of digits as `N`, cut at 120 characters.
fn summary_of(reason: &str) -> (String, bool) {
    use crate::event::{FUTURE_PHRASE, NEITHER_PHRASE, SECONDS_PHRASE};
    if reason.contains(FUTURE_PHRASE) {
        return (
            "time more than a day ahead of now (the sender's clock)".into(),
            true,
        );
    }
    if reason.contains(SECONDS_PHRASE) {
        return ("time in seconds, not milliseconds".into(), true);
    }
    if reason.contains(NEITHER_PHRASE) {
        return (
            "time in 1970, neither milliseconds nor seconds near now".into(),
            true,
        );
    }
    let mut out = String::new();
    let mut digits = false;
    for c in reason.chars() {
        if !c.is_ascii_digit() {
            out.push(c);
        } else if !digits {
            out.push('N');
        }
        digits = c.is_ascii_digit();
        if out.chars().count() >= 120 {
            out.push('…');
            break;
        }
    }
    (out, false)
}

impl ImportReport {
    pub fn kept(&mut self) {
        self.rows += 1;
        self.imported += 1;
    }

    pub fn duplicate(&mut self) {
        self.rows += 1;
        self.duplicates += 1;
    }

    /// A rejected row whose number and reason the reader did not keep (counted, not listed).
    pub fn bad_unlisted(&mut self) {
        self.rows += 1;
        self.rejected += 1;
        self.errors_omitted += 1;
        self.count_reason("reason not kept".into(), false);
    }

    fn count_reason(&mut self, summary: String, clock: bool) {
        if clock {
            self.clock_skipped += 1;
        }
        let at = match self.by_reason.iter().position(|r| r.reason == summary) {
            Some(i) => i,
            None if self.by_reason.len() < MAX_REASONS => {
                self.by_reason.push(ReasonCount {
                    reason: summary,
                    count: 0,
                    clock,
                });
                self.by_reason.len() - 1
            }
            None => {
                let other = "other reasons";
                match self.by_reason.iter().position(|r| r.reason == other) {
                    Some(i) => i,
                    None => {
                        // The last slot becomes "other reasons" (its rows with it).
                        let last = self.by_reason.len() - 1;
                        self.by_reason[last].reason = other.into();
                        self.by_reason[last].clock = false;
                        last
                    }
                }
            }
        };
        self.by_reason[at].count += 1;
        // Most frequent first; a stable bubble up keeps ties in first-seen order.
        let mut i = at;
        while i > 0 && self.by_reason[i - 1].count < self.by_reason[i].count {
            self.by_reason.swap(i - 1, i);
            i -= 1;
        }
    }

    pub fn bad(&mut self, row: u64, reason: impl Into<String>) {
        self.rows += 1;
        self.rejected += 1;
        let reason = reason.into();
        let (summary, clock) = summary_of(&reason);
        self.count_reason(summary, clock);
        if self.errors.len() < MAX_ROW_ERRORS {
            self.errors.push(RowError { row, reason });
        } else {
            self.errors_omitted += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_summed_by_reason_and_clock_skips_apart() {
        let mut r = ImportReport::default();
        r.bad(3, "timestamp: 2026-11-27T11:49:00Z is more than a day after now (2026-11-24T11:49:00Z): the sender's clock is wrong");
        r.bad(4, "timestamp: looks like seconds since the epoch (2026-11-24T11:49:00Z); numbers are milliseconds: send 1795520940000 or ISO 8601 text");
        r.bad(5, "timestamp: 2026-11-27T12:49:00Z is more than a day after now (2026-11-24T11:49:00Z): the sender's clock is wrong");
        r.bad(9, "not valid JSON at column 68: EOF while parsing");
        r.bad(12, "not valid JSON at column 7: EOF while parsing");
        r.bad(13, "not valid JSON at column 7: EOF while parsing");
        r.bad(14, "unknown type \"bogus\"");
        // The event reader's own words for a 1970 number (2005 in seconds) against a 2026 `now`.
        let now = 1_795_520_940_000;
        let v = crate::json::Value::from(1_117_584_000_i64);
        let why = crate::event::unit_problem(&v, 1_117_584_000, now).unwrap();
        r.bad(15, format!("timestamp: {why}"));
        let got: Vec<(&str, u64, bool)> = r
            .by_reason
            .iter()
            .map(|c| (c.reason.as_str(), c.count, c.clock))
            .collect();
        assert_eq!(
            got,
            [
                ("not valid JSON at column N: EOF while parsing", 3, false),
                (
                    "time more than a day ahead of now (the sender's clock)",
                    2,
                    true
                ),
                ("time in seconds, not milliseconds", 1, true),
                ("unknown type \"bogus\"", 1, false),
                (
                    "time in 1970, neither milliseconds nor seconds near now",
                    1,
                    true
                ),
            ]
        );
        assert_eq!((r.rejected, r.clock_skipped, r.errors.len()), (8, 4, 8));
    }

    #[test]
    fn reasons_are_counted_for_unlisted_rows_and_bounded() {
        let mut r = ImportReport::default();
        for i in 0..(MAX_ROW_ERRORS as u64 + 50) {
            r.bad(
                i + 1,
                format!("reason {}", char::from(b'a' + (i % 26) as u8)),
            );
        }
        r.bad_unlisted();
        assert_eq!(r.by_reason.len(), MAX_REASONS);
        assert_eq!(r.by_reason.iter().map(|c| c.count).sum::<u64>(), r.rejected);
        assert!(r.by_reason.iter().any(|c| c.reason == "other reasons"));
        assert_eq!(r.errors_omitted, 51);
    }
}
