//! Event imports: Segment/RudderStack JSON lines, JSON arrays (or a `{"batch": [...]}` object),
//! and CSV with a column mapping — each row through the engine's own `Event::from_value`.
//!
//! JSON lines stream: each chunk's complete lines are parsed at once and the unfinished last line
//! waits for the next chunk, so a million-event file goes through in pieces with progress and no
//! second copy. Arrays and CSV are read whole at `finish` (a JSON array cannot be split safely
//! without a streaming JSON parser; CSV goes through the shared calibration reader).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Number, Value};

use super::report::ImportReport;
use crate::event::Event;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventFormat {
    JsonLines,
    JsonArray,
    Csv,
}

impl EventFormat {
    /// `jsonl`, `json`, `csv`, or `auto` (decided from the first character of the data).
    pub fn parse(name: &str, first_chunk: &str) -> Option<EventFormat> {
        Some(match name {
            "jsonl" | "ndjson" | "json-lines" => EventFormat::JsonLines,
            "json" | "json-array" => EventFormat::JsonArray,
            "csv" => EventFormat::Csv,
            "auto" | "" => match first_chunk
                .trim_start_matches('\u{feff}')
                .trim_start()
                .chars()
                .next()
            {
                Some('[') => EventFormat::JsonArray,
                Some('{') => EventFormat::JsonLines,
                _ => EventFormat::Csv,
            },
            _ => return None,
        })
    }
}

/// Which CSV column fills which event field. Keys are event paths (`type`, `event`, `messageId`,
/// `anonymousId`, `userId`, `timestamp`, `properties.url`, `traits.email`, `context.page.path`,
/// `context.campaign.source`, ...), values are column names. Columns not mapped are used as-is
/// when their header already is such a path (e.g. a column named `traits.title`), or one of the
/// well-known names (`email`, `url`, `path`, ...).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct CsvMapping {
    pub columns: BTreeMap<String, String>,
    /// Event type when there is no type column (`track` if an event name is mapped, else `page`).
    pub default_type: Option<String>,
}

/// Where an unmapped header goes by default.
fn default_target(header: &str) -> Option<String> {
    let h = header.trim();
    let known = [
        "type",
        "event",
        "messageId",
        "anonymousId",
        "userId",
        "timestamp",
        "name",
        "receivedAt",
        "sentAt",
        "originalTimestamp",
    ];
    if let Some(k) = known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(h) || k.eq_ignore_ascii_case(&h.replace('_', "")))
    {
        return Some((*k).to_string());
    }
    if ["properties.", "traits.", "context."]
        .iter()
        .any(|p| h.starts_with(p))
    {
        return Some(h.to_string());
    }
    match h.to_ascii_lowercase().as_str() {
        "email" | "title" | "company" | "employees" | "industry" | "country" | "firstname"
        | "lastname" => Some(format!("traits.{}", h.to_ascii_lowercase())),
        "url" | "path" | "referrer" | "search" | "category" => {
            Some(format!("properties.{}", h.to_ascii_lowercase()))
        }
        "utm_source" | "utm_medium" | "utm_campaign" => {
            Some(format!("context.campaign.{}", &h[4..].to_ascii_lowercase()))
        }
        _ => None,
    }
}

fn set_path(root: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.').peekable();
    let mut node = root;
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            node.insert(p.to_string(), value);
            return;
        }
        let child = node
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !child.is_object() {
            *child = Value::Object(Map::new());
        }
        let Value::Object(next) = child else { return };
        node = next;
    }
}

/// A CSV cell as JSON: numbers in properties and traits become numbers (so `employees >= 100`
/// works), ids and timestamps stay text.
fn cell_value(target: &str, text: &str) -> Value {
    if target.starts_with("traits.") || target.starts_with("properties.") {
        if let Ok(n) = text.parse::<f64>() {
            if let Some(n) = Number::from_f64(n) {
                return Value::Number(n);
            }
        }
        if text == "true" || text == "false" {
            return Value::Bool(text == "true");
        }
    }
    Value::String(text.to_string())
}

/// One import in progress; cumulative counts in `report`.
#[derive(Debug)]
pub struct EventImport {
    format: Option<EventFormat>,
    format_name: String,
    mapping: CsvMapping,
    /// JSON lines: the unfinished last line. Arrays and CSV: everything so far.
    buffer: String,
    /// Line number of the first line in `buffer` (JSON lines).
    line: u64,
    pub report: ImportReport,
}

impl EventImport {
    /// `format`: `jsonl`, `json`, `csv` or `auto`. Unknown names are an error.
    pub fn new(format: &str, mapping: CsvMapping) -> Result<EventImport, String> {
        if EventFormat::parse(format, "").is_none() {
            return Err(format!(
                "unknown import format {format:?} (expected jsonl, json, csv or auto)"
            ));
        }
        Ok(EventImport {
            format: None,
            format_name: format.to_string(),
            mapping,
            buffer: String::new(),
            line: 1,
            report: ImportReport::default(),
        })
    }

    /// The format in use (known after the first non-empty chunk).
    pub fn format(&self) -> Option<EventFormat> {
        self.format
    }

    /// Feeds the next chunk; returns the events completed by it.
    pub fn push(&mut self, chunk: &str) -> Vec<Event> {
        let format = match self.format {
            Some(f) => f,
            None if chunk.trim().is_empty() && self.buffer.is_empty() => return Vec::new(),
            None => {
                let f =
                    EventFormat::parse(&self.format_name, chunk).unwrap_or(EventFormat::JsonLines);
                self.format = Some(f);
                f
            }
        };
        let chunk = if self.buffer.is_empty() {
            chunk.trim_start_matches('\u{feff}')
        } else {
            chunk
        };
        self.buffer.push_str(chunk);
        match format {
            EventFormat::JsonLines => match self.buffer.rfind('\n') {
                Some(end) => {
                    let complete: String = self.buffer.drain(..=end).collect();
                    self.lines(&complete)
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Ends the input; returns the remaining events.
    pub fn finish(&mut self) -> Vec<Event> {
        let rest = std::mem::take(&mut self.buffer);
        match self.format {
            None => Vec::new(),
            Some(EventFormat::JsonLines) => self.lines(&rest),
            Some(EventFormat::JsonArray) => self.array(&rest),
            Some(EventFormat::Csv) => self.csv(&rest),
        }
    }

    fn keep(&mut self, row: u64, value: &Value, out: &mut Vec<Event>) {
        match Event::from_value(value) {
            Ok(e) => {
                self.report.kept();
                out.push(e);
            }
            Err(e) => self.report.bad(row, e.to_string()),
        }
    }

    fn lines(&mut self, text: &str) -> Vec<Event> {
        let mut out = Vec::new();
        for raw in text.split('\n') {
            let row = self.line;
            self.line += 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(v) => self.keep(row, &v, &mut out),
                Err(e) => self.report.bad(row, format!("not valid JSON: {e}")),
            }
        }
        // `split` yields one piece after the final newline; it is not a line of the file.
        if text.ends_with('\n') {
            self.line -= 1;
        }
        out
    }

    fn array(&mut self, text: &str) -> Vec<Event> {
        let mut out = Vec::new();
        let items = match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => items,
            Ok(Value::Object(mut o)) if o.get("batch").is_some_and(Value::is_array) => {
                match o.remove("batch") {
                    Some(Value::Array(items)) => items,
                    _ => Vec::new(),
                }
            }
            Ok(_) => {
                self.report.bad(
                    1,
                    "expected a JSON array of events (or an object with a \"batch\" array)",
                );
                return out;
            }
            Err(e) => {
                self.report
                    .bad(e.line() as u64, format!("not valid JSON: {e}"));
                return out;
            }
        };
        for (i, v) in items.iter().enumerate() {
            self.keep(i as u64 + 1, v, &mut out);
        }
        out
    }

    fn csv(&mut self, text: &str) -> Vec<Event> {
        let mut out = Vec::new();
        let table = match crate::calibrate::csv::parse(text, None) {
            Ok(t) => t,
            Err(e) => {
                self.report.bad(1, e.to_string());
                return out;
            }
        };
        // Column index → event path.
        let mut targets: Vec<(usize, String)> = Vec::new();
        for (target, column) in &self.mapping.columns {
            match table.headers.iter().position(|h| h.trim() == column.trim()) {
                Some(i) => targets.push((i, target.clone())),
                None => {
                    self.report.bad(
                        1,
                        format!("mapped column {column:?} (for {target}) is not in the header"),
                    );
                    return out;
                }
            }
        }
        for (i, h) in table.headers.iter().enumerate() {
            if targets.iter().all(|(c, _)| *c != i) {
                if let Some(t) = default_target(h) {
                    if targets.iter().all(|(_, existing)| *existing != t) {
                        targets.push((i, t));
                    }
                }
            }
        }
        let has_type = targets.iter().any(|(_, t)| t == "type");
        let has_event = targets.iter().any(|(_, t)| t == "event");
        let default_type = self
            .mapping
            .default_type
            .clone()
            .unwrap_or_else(|| if has_event { "track" } else { "page" }.to_string());
        let mut bad: Vec<(u64, String, Option<Event>)> = table
            .bad_rows
            .iter()
            .map(|b| (b.line as u64, b.reason.clone(), None))
            .collect();
        for row in 0..table.len() {
            let mut obj = Map::new();
            if !has_type {
                obj.insert("type".into(), Value::String(default_type.clone()));
            }
            for (col, target) in &targets {
                let text = table.cell(row, *col).trim();
                if !text.is_empty() {
                    set_path(&mut obj, target, cell_value(target, text));
                }
            }
            let line = table.line(row) as u64;
            match Event::from_value(&Value::Object(obj)) {
                Ok(e) => bad.push((line, String::new(), Some(e))),
                Err(e) => bad.push((line, e.to_string(), None)),
            }
        }
        // Report in file order, good and bad interleaved as they appear.
        bad.sort_by_key(|b| b.0);
        for (line, reason, event) in bad {
            match event {
                Some(e) => {
                    self.report.kept();
                    out.push(e);
                }
                None => self.report.bad(line, reason),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(format: &str, mapping: CsvMapping, chunks: &[&str]) -> (Vec<Event>, ImportReport) {
        let mut imp = EventImport::new(format, mapping).unwrap();
        let mut events = Vec::new();
        for c in chunks {
            events.extend(imp.push(c));
        }
        events.extend(imp.finish());
        (events, imp.report)
    }

    const GOOD: &str = r#"{"type":"page","messageId":"m1","anonymousId":"a1","timestamp":"2026-03-02T10:00:00Z","properties":{"path":"/pricing"}}"#;

    #[test]
    fn json_lines_split_anywhere_give_the_same_events() {
        let text = format!("{GOOD}\n\n{{oops\n{}\n", GOOD.replace("m1", "m2"));
        let whole = run("auto", CsvMapping::default(), &[&text]);
        for cut in 0..text.len() {
            let (a, b) = text.split_at(cut);
            assert_eq!(
                run("jsonl", CsvMapping::default(), &[a, b]),
                whole,
                "cut at {cut}"
            );
        }
        let (events, report) = whole;
        assert_eq!(events.len(), 2);
        assert_eq!((report.rows, report.imported, report.rejected), (3, 2, 1));
        assert_eq!(report.errors[0].row, 3);
        assert!(report.errors[0].reason.starts_with("not valid JSON"));
    }

    #[test]
    fn engine_rejections_carry_the_engine_reason_and_line() {
        let text = format!("{GOOD}\n{{\"type\":\"track\",\"anonymousId\":\"a\",\"timestamp\":1}}\n{{\"type\":\"page\"}}");
        let (events, report) = run("jsonl", CsvMapping::default(), &[&text]);
        assert_eq!(events.len(), 1);
        let rows: Vec<u64> = report.errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [2, 3]);
        assert!(
            report.errors[0].reason.contains("event"),
            "{:?}",
            report.errors[0]
        );
    }

    #[test]
    fn json_arrays_and_segment_batches() {
        let arr = format!("[{GOOD}, 5, {}]", GOOD.replace("m1", "m3"));
        let (events, report) = run("auto", CsvMapping::default(), &[&arr[..10], &arr[10..]]);
        assert_eq!(events.len(), 2);
        assert_eq!(report.errors[0].row, 2);
        let batch = format!("{{\"batch\": [{GOOD}]}}");
        assert_eq!(run("json", CsvMapping::default(), &[&batch]).0.len(), 1);
        let (_, bad) = run("json", CsvMapping::default(), &["[1,"]);
        assert!(bad.errors[0].reason.starts_with("not valid JSON"));
    }

    #[test]
    fn csv_with_a_mapping_and_default_columns() {
        let csv = "when,visitor,page,email,employees\n\
                   2026-03-02T10:00:00Z,v1,/pricing,a@x.io,250\n\
                   ,v2,/blog,,\n\
                   2026-03-02T11:00:00Z,v3,/,b@x.io,12\n";
        let mapping = CsvMapping {
            columns: [
                ("timestamp", "when"),
                ("anonymousId", "visitor"),
                ("properties.path", "page"),
            ]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            default_type: None,
        };
        let (events, report) = run("csv", mapping.clone(), &[csv]);
        assert_eq!(events.len(), 2);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].row, 3);
        assert_eq!(events[0].path.as_deref(), Some("/pricing"));
        assert_eq!(
            events[0].traits.get("employees"),
            Some(&serde_json::json!(250.0))
        );
        let missing = CsvMapping {
            columns: [("timestamp".to_string(), "nope".to_string())].into(),
            default_type: None,
        };
        let (_, r) = run("csv", missing, &[csv]);
        assert!(r.errors[0].reason.contains("\"nope\""));
    }

    #[test]
    fn unknown_format_is_an_error() {
        assert!(EventImport::new("xml", CsvMapping::default()).is_err());
    }
}
