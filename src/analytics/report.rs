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
    }

    pub fn bad(&mut self, row: u64, reason: impl Into<String>) {
        self.rows += 1;
        self.rejected += 1;
        if self.errors.len() < MAX_ROW_ERRORS {
            self.errors.push(RowError {
                row,
                reason: reason.into(),
            });
        } else {
            self.errors_omitted += 1;
        }
    }
}
