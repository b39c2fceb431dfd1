//! The trainer's input: labelled rows in columns, whichever way they arrived.
//!
//! Two sources feed the same trainer: a lead table (CSV, one row per lead) and a replay joined with
//! CRM outcomes (per-visitor rule match counts and trait values). Both become a [`Dataset`]: named
//! columns that are either numeric or categorical, an outcome per row, an optional time per row
//! (for the time-ordered split) and an optional score from the current model (for the side-by-side).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::csv::{BadRow, CsvTable, MAX_LISTED_BAD_ROWS};
use super::CalibrateError;

/// One feature value of a labelled row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Bool(bool),
    Text(String),
    /// `null` in JSON; an empty cell in CSV.
    Missing,
}

/// One labelled row from any source: feature values by name, the outcome, and optionally the time
/// the lead was created (ms since the Unix epoch) and the current model's score for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabeledRow {
    pub features: BTreeMap<String, Value>,
    pub outcome: bool,
    #[serde(default)]
    pub time: Option<i64>,
    #[serde(default)]
    pub current_score: Option<f64>,
}

/// A column's values: numbers (with gaps) or category codes (with gaps).
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    Numeric(Vec<Option<f64>>),
    Categorical {
        /// Distinct values in order of first appearance; `codes` index into it.
        levels: Vec<String>,
        codes: Vec<Option<u32>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
}

/// Labelled rows in columns. All vectors have one entry per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub columns: Vec<Column>,
    pub outcome: Vec<bool>,
    /// Present when every row has a time; otherwise row order stands for time.
    pub time: Option<Vec<i64>>,
    /// Present when a current model's score was supplied (per row, possibly missing).
    pub current_score: Option<Vec<Option<f64>>>,
    /// Rows dropped while building (bad outcome, bad time, CSV errors), listed up to a bound.
    pub bad_rows: Vec<BadRow>,
    pub bad_row_count: usize,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.outcome.len()
    }

    pub fn is_empty(&self) -> bool {
        self.outcome.is_empty()
    }

    fn reject(&mut self, line: usize, reason: String) {
        self.bad_row_count += 1;
        if self.bad_rows.len() < MAX_LISTED_BAD_ROWS {
            self.bad_rows.push(BadRow { line, reason });
        }
    }

    /// Builds a dataset from labelled rows (the replay path). A column is numeric when every
    /// present value is a number; otherwise every present value is treated as a category.
    /// `line` in bad-row reports is the 1-based index of the row.
    pub fn from_rows(rows: &[LabeledRow]) -> Dataset {
        let names: Vec<&String> = {
            let mut seen: BTreeMap<&String, ()> = BTreeMap::new();
            for row in rows {
                for name in row.features.keys() {
                    seen.insert(name, ());
                }
            }
            seen.into_keys().collect()
        };
        let columns = names
            .iter()
            .map(|name| {
                let values: Vec<&Value> = rows
                    .iter()
                    .map(|r| r.features.get(*name).unwrap_or(&Value::Missing))
                    .collect();
                let numeric = values
                    .iter()
                    .all(|v| matches!(v, Value::Number(_) | Value::Missing));
                let data = if numeric {
                    ColumnData::Numeric(
                        values
                            .iter()
                            .map(|v| match v {
                                Value::Number(x) if x.is_finite() => Some(*x),
                                _ => None,
                            })
                            .collect(),
                    )
                } else {
                    let texts: Vec<Option<String>> = values
                        .iter()
                        .map(|v| match v {
                            Value::Number(x) => Some(format_number(*x)),
                            Value::Bool(b) => Some(b.to_string()),
                            Value::Text(t) if !is_missing_text(t) => Some(t.trim().to_string()),
                            _ => None,
                        })
                        .collect();
                    categorical(texts.iter().map(Option::as_deref))
                };
                Column {
                    name: (*name).clone(),
                    data,
                }
            })
            .collect();
        let all_timed = !rows.is_empty() && rows.iter().all(|r| r.time.is_some());
        let any_score = rows.iter().any(|r| r.current_score.is_some());
        Dataset {
            columns,
            outcome: rows.iter().map(|r| r.outcome).collect(),
            time: all_timed.then(|| rows.iter().map(|r| r.time.unwrap_or(0)).collect()),
            current_score: any_score.then(|| rows.iter().map(|r| r.current_score).collect()),
            bad_rows: Vec::new(),
            bad_row_count: 0,
        }
    }

    /// Builds a dataset from a parsed CSV table (the lead-table path).
    ///
    /// `outcome_column` holds the outcome; a row is positive when its value equals one of
    /// `positive_values` (trimmed, case-insensitive); rows with an empty outcome are dropped and
    /// counted. `time_column` (epoch ms or ISO-8601 date/time) and `current_score_column` are
    /// optional; neither becomes a feature. Columns in `drop` are not read at all.
    pub fn from_csv(
        table: &CsvTable,
        outcome_column: &str,
        positive_values: &[String],
        time_column: Option<&str>,
        current_score_column: Option<&str>,
        drop: &[String],
    ) -> Result<Dataset, CalibrateError> {
        let find = |name: &str, option: &str| {
            table
                .headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| CalibrateError::Option {
                    field: option.to_string(),
                    reason: format!(
                        "no column named \"{name}\" (columns: {})",
                        table.headers.join(", ")
                    ),
                })
        };
        let outcome_at = find(outcome_column, "outcomeColumn")?;
        let time_at = time_column.map(|c| find(c, "timeColumn")).transpose()?;
        let score_at = current_score_column
            .map(|c| find(c, "currentScoreColumn"))
            .transpose()?;
        for name in drop {
            find(name, "exclude")?;
        }
        let positives: Vec<String> = positive_values
            .iter()
            .map(|v| v.trim().to_lowercase())
            .collect();

        let mut ds = Dataset {
            columns: Vec::new(),
            outcome: Vec::new(),
            time: time_at.map(|_| Vec::new()),
            current_score: score_at.map(|_| Vec::new()),
            bad_rows: table.bad_rows.clone(),
            bad_row_count: table.bad_row_count,
        };
        let mut kept: Vec<usize> = Vec::with_capacity(table.len());
        for i in 0..table.len() {
            let line = table.line(i);
            let outcome = table.cell(i, outcome_at).trim();
            if is_missing_text(outcome) {
                ds.reject(line, format!("{outcome_column}: empty outcome"));
                continue;
            }
            let time = match time_at {
                Some(at) => match parse_time(table.cell(i, at)) {
                    Some(t) => Some(t),
                    None => {
                        let name = &table.headers[at];
                        let value = table.cell(i, at);
                        ds.reject(line, format!("{name}: not a date or time: \"{value}\""));
                        continue;
                    }
                },
                None => None,
            };
            let score = match score_at {
                Some(at) => {
                    let text = table.cell(i, at).trim();
                    if is_missing_text(text) {
                        Some(None)
                    } else if let Some(x) = parse_number(text) {
                        Some(Some(x))
                    } else {
                        let name = &table.headers[at];
                        ds.reject(line, format!("{name}: not a number: \"{text}\""));
                        continue;
                    }
                }
                None => None,
            };
            ds.outcome
                .push(positives.iter().any(|p| p == &outcome.to_lowercase()));
            if let (Some(times), Some(t)) = (ds.time.as_mut(), time) {
                times.push(t);
            }
            if let (Some(scores), Some(s)) = (ds.current_score.as_mut(), score) {
                scores.push(s);
            }
            kept.push(i);
        }

        for (at, name) in table.headers.iter().enumerate() {
            if at == outcome_at
                || Some(at) == time_at
                || Some(at) == score_at
                || drop.contains(name)
            {
                continue;
            }
            let cells = kept.iter().map(|&i| table.cell(i, at).trim());
            // Numeric when every present cell is a number; one pass that stops at the first word.
            let numbers: Option<Vec<Option<f64>>> = cells
                .clone()
                .map(|c| {
                    if is_missing_text(c) {
                        Some(None)
                    } else {
                        parse_number(c).map(Some)
                    }
                })
                .collect();
            let data = match numbers {
                Some(values) => ColumnData::Numeric(values),
                None => categorical(cells.map(|c| (!is_missing_text(c)).then_some(c))),
            };
            ds.columns.push(Column {
                name: name.clone(),
                data,
            });
        }
        Ok(ds)
    }
}

fn categorical<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ColumnData {
    let mut levels: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, u32> = BTreeMap::new();
    let codes = values
        .map(|v| {
            v.map(|text| {
                // Most columns have a handful of values: a scan beats a tree walk there.
                if levels.len() <= 16 {
                    if let Some(code) = levels.iter().position(|l| l == text) {
                        return code as u32;
                    }
                } else if let Some(&code) = index.get(text) {
                    return code;
                }
                let code = levels.len() as u32;
                index.insert(text.to_string(), code);
                levels.push(text.to_string());
                code
            })
        })
        .collect();
    ColumnData::Categorical { levels, codes }
}

/// Cells that mean "no value" in exports: empty, `NA`, `N/A`, `null`.
fn is_missing_text(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t.eq_ignore_ascii_case("na")
        || t.eq_ignore_ascii_case("n/a")
        || t.eq_ignore_ascii_case("null")
}

fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    // `inf`/`nan` parse as f64 but are words in a lead table, not numbers.
    if t.is_empty()
        || t.bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Whole numbers print without a fraction so `3` and `3.0` are the same category.
fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A time cell: integer epoch milliseconds, or ISO-8601 `YYYY-MM-DD`, optionally followed by
/// `THH:MM[:SS[.fff]]` (or a space instead of `T`) and `Z` or `±HH:MM`. No zone means UTC.
pub fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'-') && !t[1..].contains('-')
    {
        return t.parse::<i64>().ok();
    }
    // One reader of ISO-8601 text for the whole crate: the events'.
    crate::event::parse_iso8601(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::csv;

    #[test]
    fn times_table() {
        for (text, expected) in [
            ("0", Some(0)),
            ("1700000000000", Some(1_700_000_000_000)),
            ("1970-01-02", Some(86_400_000)),
            ("2000-03-01", Some(951_868_800_000)),
            ("2024-02-29T12:30:00Z", Some(1_709_209_800_000)),
            ("2024-02-29 12:30", Some(1_709_209_800_000)),
            ("2024-02-29T12:30:00.5+01:00", Some(1_709_206_200_500)),
            ("1969-12-31", Some(-86_400_000)),
            ("2023-02-29", None),
            ("2024-13-01", None),
            ("yesterday", None),
            ("2024-01-01T25:00", None),
            ("", None),
        ] {
            assert_eq!(parse_time(text), expected, "{text}");
        }
    }

    #[test]
    fn numbers_and_missing_cells() {
        assert_eq!(parse_number(" 12.5 "), Some(12.5));
        assert_eq!(parse_number("-1e3"), Some(-1000.0));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("12a"), None);
        assert!(is_missing_text(" NA "));
        assert!(!is_missing_text("unknown"));
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(2.5), "2.5");
    }

    #[test]
    fn csv_columns_are_typed_and_outcome_rows_checked() {
        let text = "age;job;when;y\n30;admin;2024-01-01;yes\n;student;2024-01-02;no\n41;;2024-01-03;\n50;admin;soon;yes\n";
        let table = csv::parse(text, None).unwrap();
        let ds = Dataset::from_csv(&table, "y", &["YES".into()], Some("when"), None, &[]).unwrap();
        assert_eq!(ds.outcome, [true, false]);
        assert_eq!(ds.time, Some(vec![1_704_067_200_000, 1_704_153_600_000]));
        assert_eq!(ds.bad_row_count, 2);
        assert_eq!(ds.bad_rows[0].line, 4);
        assert_eq!(ds.bad_rows[0].reason, "y: empty outcome");
        assert_eq!(ds.bad_rows[1].reason, "when: not a date or time: \"soon\"");
        assert_eq!(ds.columns.len(), 2);
        assert_eq!(
            ds.columns[0].data,
            ColumnData::Numeric(vec![Some(30.0), None])
        );
        assert_eq!(
            ds.columns[1].data,
            ColumnData::Categorical {
                levels: vec!["admin".into(), "student".into()],
                codes: vec![Some(0), Some(1)]
            }
        );
    }

    #[test]
    fn unknown_column_names_are_option_errors() {
        let table = csv::parse("a,b\n1,2\n", None).unwrap();
        let err = Dataset::from_csv(&table, "y", &[], None, None, &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid option outcomeColumn: no column named \"y\" (columns: a, b)"
        );
    }

    #[test]
    fn rows_from_a_replay_become_the_same_columns() {
        let rows: Vec<LabeledRow> = serde_json::from_str(
            r#"[
              {"features": {"rule.pricing": 3, "industry": "saas"}, "outcome": true, "time": 5},
              {"features": {"rule.pricing": 0, "industry": null, "vip": true}, "outcome": false, "time": 9, "currentScore": 12}
            ]"#,
        )
        .unwrap();
        let ds = Dataset::from_rows(&rows);
        let names: Vec<&str> = ds.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["industry", "rule.pricing", "vip"]);
        assert_eq!(
            ds.columns[1].data,
            ColumnData::Numeric(vec![Some(3.0), Some(0.0)])
        );
        assert_eq!(
            ds.columns[2].data,
            ColumnData::Categorical {
                levels: vec!["true".into()],
                codes: vec![None, Some(0)]
            }
        );
        assert_eq!(ds.time, Some(vec![5, 9]));
        assert_eq!(ds.current_score, Some(vec![None, Some(12.0)]));
    }
}
