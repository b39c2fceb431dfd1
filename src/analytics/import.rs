//! Event imports: Segment/RudderStack JSON lines, JSON arrays (or a `{"batch": [...]}` object),
//! and CSV with a column mapping — each row through the engine's own `Event::from_value`.
//!
//! Every format streams: each chunk's complete rows are parsed at once and an unfinished last row
//! waits for the next chunk, so a million-event file goes through in pieces with progress and no
//! second copy. JSON lines split at line feeds; arrays at their top-level commas
//! ([`super::json_array`]); CSV at record ends ([`super::csv_stream`]), each batch read by the
//! shared calibration reader.

use std::collections::BTreeMap;

use crate::json::{Map, Number, Value};
use serde::Deserialize;

use super::csv_stream::{Batch, CsvSplitter};
use super::json_array::ArraySplitter;
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
        "utm_source" | "utm_medium" | "utm_term" | "utm_content" => {
            Some(format!("context.campaign.{}", &h[4..].to_ascii_lowercase()))
        }
        // Segment's field for utm_campaign is `context.campaign.name`.
        "utm_campaign" => Some("context.campaign.name".into()),
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
        let child = node.get_or_insert_with(p, || Value::Object(Map::new()));
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

/// Which columns become which event fields, known once the CSV header is read.
#[derive(Debug)]
struct CsvColumns {
    headers: Vec<String>,
    separator: char,
    /// Column index → event path.
    targets: Vec<(usize, String)>,
    /// The type of rows without a type column.
    default_type: Option<String>,
}

/// The parser of the format in use, with its state between chunks.
#[derive(Debug)]
enum Parser {
    /// No data yet (`auto` decides from the first non-empty chunk).
    Pending,
    /// JSON lines: `buffer` holds the unfinished last line.
    Lines,
    Array(ArraySplitter),
    /// CSV: columns known after the header.
    Csv(CsvSplitter, Option<CsvColumns>),
    /// The file cannot be read further (bad CSV header, missing mapped column).
    Failed,
}

/// One import in progress; cumulative counts in `report`. Every format streams: a chunk's
/// complete rows are parsed at once, only an unfinished row waits for the next chunk.
#[derive(Debug)]
pub struct EventImport {
    format: Option<EventFormat>,
    format_name: String,
    mapping: CsvMapping,
    parser: Parser,
    /// JSON lines: the unfinished last line.
    buffer: String,
    /// Line number of the first line in `buffer` (JSON lines).
    line: u64,
    /// The caller's clock: each row's time is checked against it ([`crate::event::Times`]).
    now: Option<i64>,
    pub report: ImportReport,
}

/// Parsed events with their row numbers.
pub type Rows = Vec<(u64, Event)>;

impl EventImport {
    /// `format`: `jsonl`, `json`, `csv` or `auto`. Unknown names are an error.
    pub fn new(format: &str, mapping: CsvMapping) -> Result<EventImport, String> {
        EventImport::at(format, mapping, None)
    }

    /// [`EventImport::new`] checking each row's time against the caller's `now`: a row more
    /// than a day after it, or with a number that looks like epoch seconds
    /// ([`crate::event::seconds_like`]), is a bad row with its reason. `None`: unchecked.
    pub fn at(format: &str, mapping: CsvMapping, now: Option<i64>) -> Result<EventImport, String> {
        if EventFormat::parse(format, "").is_none() {
            return Err(format!(
                "unknown import format {format:?} (expected jsonl, json, csv or auto)"
            ));
        }
        Ok(EventImport {
            format: None,
            format_name: format.to_string(),
            mapping,
            parser: Parser::Pending,
            buffer: String::new(),
            line: 1,
            now,
            report: ImportReport::default(),
        })
    }

    /// The format in use (known after the first non-empty chunk).
    pub fn format(&self) -> Option<EventFormat> {
        self.format
    }

    /// Feeds the next chunk; returns the events completed by it.
    pub fn push(&mut self, chunk: &str) -> Rows {
        let mut out = Vec::new();
        if matches!(self.parser, Parser::Pending) {
            let chunk = chunk.trim_start_matches('\u{feff}');
            if chunk.trim().is_empty() {
                return out;
            }
            let f = EventFormat::parse(&self.format_name, chunk).unwrap_or(EventFormat::JsonLines);
            self.format = Some(f);
            self.parser = match f {
                EventFormat::JsonLines => Parser::Lines,
                EventFormat::JsonArray => Parser::Array(ArraySplitter::default()),
                EventFormat::Csv => Parser::Csv(CsvSplitter::default(), None),
            };
            self.feed(chunk, &mut out);
        } else {
            self.feed(chunk, &mut out);
        }
        out
    }

    fn feed(&mut self, chunk: &str, out: &mut Rows) {
        match &mut self.parser {
            Parser::Pending | Parser::Failed => {}
            Parser::Lines => {
                self.buffer.push_str(chunk);
                if let Some(end) = self.buffer.rfind('\n') {
                    let rest = self.buffer.split_off(end + 1);
                    let complete = std::mem::replace(&mut self.buffer, rest);
                    self.lines(&complete, out);
                }
            }
            Parser::Array(splitter) => {
                let (report, now) = (&mut self.report, self.now);
                splitter.push(chunk, &mut |(row, text)| {
                    keep_text(report, row, text, now, out)
                });
            }
            Parser::Csv(splitter, _) => {
                if let Some(batch) = splitter.push(chunk) {
                    self.csv(batch, out);
                }
            }
        }
    }

    /// Ends the input; returns the remaining events.
    pub fn finish(&mut self) -> Rows {
        let mut out = Vec::new();
        match &mut self.parser {
            Parser::Pending | Parser::Failed => {}
            Parser::Lines => {
                let rest = std::mem::take(&mut self.buffer);
                self.lines(&rest, &mut out);
            }
            Parser::Array(splitter) => {
                let (report, now) = (&mut self.report, self.now);
                splitter.finish(&mut |(row, text)| keep_text(report, row, text, now, &mut out));
            }
            Parser::Csv(splitter, _) => {
                if let Some(batch) = splitter.finish() {
                    self.csv(batch, &mut out);
                }
            }
        }
        self.parser = Parser::Failed;
        out
    }

    fn lines(&mut self, text: &str, out: &mut Rows) {
        for raw in text.split('\n') {
            let row = self.line;
            self.line += 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(v) => keep(&mut self.report, row, &v, self.now, out),
                Err(e) => self.report.bad(row, json_reason(line, &e, "line")),
            }
        }
        // `split` yields one piece after the final newline; it is not a line of the file.
        if text.ends_with('\n') {
            self.line -= 1;
        }
    }

    /// One batch of whole CSV records (the first batch starts with the header).
    fn csv(&mut self, (text, first_line): Batch, out: &mut Rows) {
        let Parser::Csv(splitter, columns) = &mut self.parser else {
            return;
        };
        // Later batches are parsed behind a copy of the header, `header_lines` long, numbered
        // so that every line (of a row, or named in a reason) is the file's.
        let table = match columns {
            None => match crate::calibrate::csv::parse_from(&text, None, first_line as usize) {
                Ok(t) => t,
                // Only blank lines so far: the header is still to come.
                Err(crate::calibrate::csv::CsvError::Empty) => return,
                Err(e) => {
                    self.report.bad(1, e.to_string());
                    self.parser = Parser::Failed;
                    return;
                }
            },
            Some(c) => {
                let header = header_line(&c.headers, c.separator);
                let header_lines = header.matches('\n').count() as u64 + 1;
                let start = first_line.saturating_sub(header_lines).max(1) as usize;
                match crate::calibrate::csv::parse_from(
                    &format!("{header}\n{text}"),
                    Some(c.separator),
                    start,
                ) {
                    Ok(t) => t,
                    Err(e) => {
                        self.report.bad(first_line, e.to_string());
                        return;
                    }
                }
            }
        };
        if columns.is_none() {
            match csv_columns(&table.headers, table.separator, &self.mapping) {
                Ok(c) => {
                    splitter.set_separator(c.separator);
                    *columns = Some(c);
                }
                Err(reason) => {
                    self.report.bad(1, reason);
                    self.parser = Parser::Failed;
                    return;
                }
            }
        }
        let Some(c) = columns.as_ref() else { return };
        let file_line = |line: usize| line as u64;
        let mut rows: Vec<(u64, Result<Event, String>)> = table
            .bad_rows
            .iter()
            .map(|b| (file_line(b.line), Err(b.reason.clone())))
            .collect();
        for row in 0..table.len() {
            rows.push((
                file_line(table.line(row)),
                csv_event(c, &table, row, self.now),
            ));
        }
        // Report in file order, good and bad interleaved as they appear.
        rows.sort_by_key(|r| r.0);
        for (line, event) in rows {
            match event {
                Ok(e) => {
                    self.report.kept();
                    out.push((line, e));
                }
                Err(reason) => self.report.bad(line, reason),
            }
        }
        for _ in table.bad_rows.len()..table.bad_row_count {
            self.report.bad_unlisted();
        }
    }
}

/// A header line that parses back to `headers`: every name quoted.
fn header_line(headers: &[String], separator: char) -> String {
    let quoted: Vec<String> = headers
        .iter()
        .map(|h| format!("\"{}\"", h.replace('"', "\"\"")))
        .collect();
    quoted.join(&separator.to_string())
}

fn csv_columns(
    headers: &[String],
    separator: char,
    mapping: &CsvMapping,
) -> Result<CsvColumns, String> {
    let mut targets: Vec<(usize, String)> = Vec::new();
    for (target, column) in &mapping.columns {
        match headers.iter().position(|h| h.trim() == column.trim()) {
            Some(i) => targets.push((i, target.clone())),
            None => {
                return Err(format!(
                    "mapped column {column:?} (for {target}) is not in the header"
                ))
            }
        }
    }
    for (i, h) in headers.iter().enumerate() {
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
    let default_type = (!has_type).then(|| {
        mapping
            .default_type
            .clone()
            .unwrap_or_else(|| if has_event { "track" } else { "page" }.to_string())
    });
    Ok(CsvColumns {
        headers: headers.to_vec(),
        separator,
        targets,
        default_type,
    })
}

fn csv_event(
    c: &CsvColumns,
    table: &crate::calibrate::csv::CsvTable,
    row: usize,
    now: Option<i64>,
) -> Result<Event, String> {
    let mut obj = Map::new();
    if let Some(t) = &c.default_type {
        obj.insert("type".into(), Value::String(t.clone()));
    }
    for (col, target) in &c.targets {
        let text = table.cell(row, *col).trim();
        if !text.is_empty() {
            set_path(&mut obj, target, cell_value(target, text));
        }
    }
    Event::from_value_at(&Value::Object(obj), now).map_err(|e| e.to_string())
}

fn keep(report: &mut ImportReport, row: u64, value: &Value, now: Option<i64>, out: &mut Rows) {
    match Event::from_value_at(value, now) {
        Ok(e) => {
            report.kept();
            out.push((row, e));
        }
        Err(e) => report.bad(row, e.to_string()),
    }
}

/// One JSON array element's text (or why there is none) → an event or a bad row.
/// Why a row is not JSON ([`crate::json::row_reason`], the wording `BatchReplay` gives the same
/// line), `e` being serde's refusal of it: `not valid JSON at column 2: expected a value`.
pub fn json_reason(text: &str, e: &serde_json::Error, what: &str) -> String {
    crate::json::row_reason(text, what).unwrap_or_else(|| format!("not valid JSON: {e}"))
}

fn keep_text(
    report: &mut ImportReport,
    row: u64,
    text: Result<&str, String>,
    now: Option<i64>,
    out: &mut Rows,
) {
    match text
        .and_then(|t| serde_json::from_str::<Value>(t).map_err(|e| json_reason(t, &e, "element")))
    {
        Ok(v) => keep(report, row, &v, now, out),
        Err(reason) => report.bad(row, reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(format: &str, mapping: CsvMapping, chunks: &[&str]) -> (Vec<Event>, ImportReport) {
        let mut imp = EventImport::new(format, mapping).unwrap();
        let mut events = Vec::new();
        for c in chunks {
            events.extend(imp.push(c).into_iter().map(|(_, e)| e));
        }
        events.extend(imp.finish().into_iter().map(|(_, e)| e));
        (events, imp.report)
    }

    const GOOD: &str = r#"{"type":"page","messageId":"m1","anonymousId":"a1","timestamp":"2026-03-02T10:00:00Z","properties":{"path":"/pricing"}}"#;

    /// The report's summary by reason names the clock check's skips (from the event reader's
    /// own words) apart from malformed rows.
    #[test]
    fn the_report_sums_bad_rows_by_reason_with_clock_skips_apart() {
        let now = crate::analytics::dates::parse_time("2026-03-02T12:00:00Z").unwrap();
        let ahead = GOOD.replace("2026-03-02T10:00:00Z", "2026-03-05T12:00:00Z");
        let seconds = GOOD.replace("\"2026-03-02T10:00:00Z\"", &(now / 1000 - 60).to_string());
        let text = [
            GOOD.to_string(),
            ahead.replace("m1", "m2"),
            ahead.replace("m1", "m3"),
            seconds.replace("m1", "m4"),
            "{oops".into(),
        ]
        .join("\n");
        let mut imp = EventImport::at("jsonl", CsvMapping::default(), Some(now)).unwrap();
        imp.push(&text);
        imp.finish();
        let r = imp.report;
        let got: Vec<(&str, u64, bool)> = r
            .by_reason
            .iter()
            .map(|c| (c.reason.as_str(), c.count, c.clock))
            .collect();
        assert_eq!(got.len(), 3, "{r:?}");
        assert_eq!(
            got[..2],
            [
                (
                    "time more than a day ahead of now (the sender's clock)",
                    2,
                    true
                ),
                ("time in seconds, not milliseconds", 1, true),
            ]
        );
        assert!(
            got[2].0.starts_with("not valid JSON") && !got[2].2,
            "{got:?}"
        );
        assert_eq!((r.rejected, r.clock_skipped), (4, 3));
    }

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
        assert_eq!(bad.errors[0].row, 1);
        assert!(bad.errors[0].reason.contains("JSON object"), "{bad:?}");
        assert_eq!(bad.errors[1].row, 2);
        assert!(bad.errors[1].reason.starts_with("not valid JSON"));
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
            Some(&crate::json::json!(250.0))
        );
        let missing = CsvMapping {
            columns: [("timestamp".to_string(), "nope".to_string())].into(),
            default_type: None,
        };
        let (_, r) = run("csv", missing, &[csv]);
        assert!(r.errors[0].reason.contains("\"nope\""));
    }

    #[test]
    fn arrays_and_csv_stream_the_same_rows_wherever_the_chunks_split() {
        let arr = format!(
            "[{GOOD},\n {{\"type\": \"page\"}}, {{oops}}, {}]",
            GOOD.replace("m1", "m2")
        );
        let csv = r#"timestamp,anonymousId,path,title
2026-03-02T10:00:00Z,v1,/pricing,"VP, ""Sales"""
2026-03-02T10:01:00Z,,/blog,x
2026-03-02T10:02:00Z,v3,/,"two
lines"
2026-03-02T10:03:00Z,v4,/x
2026-03-02T10:04:00Z,v5,/docs,y"#;
        for (format, text, good, bad_rows) in [
            ("json", arr.as_str(), 2, vec![2, 3]),
            ("csv", csv, 3, vec![3, 6]),
        ] {
            let whole = run(format, CsvMapping::default(), &[text]);
            assert_eq!(whole.0.len(), good, "{format}: {whole:?}");
            let rows: Vec<u64> = whole.1.errors.iter().map(|e| e.row).collect();
            assert_eq!(rows, bad_rows, "{format}");
            for (cut, _) in text.char_indices() {
                let (a, b) = text.split_at(cut);
                assert_eq!(
                    run(format, CsvMapping::default(), &[a, b]),
                    whole,
                    "{format} cut at {cut}"
                );
            }
        }
        let (events, _) = run("csv", CsvMapping::default(), &[csv]);
        assert_eq!(
            events[0].traits["title"],
            crate::json::json!("VP, \"Sales\"")
        );
    }

    #[test]
    fn json_errors_name_the_column_not_a_line_of_their_own() {
        let text = format!("{GOOD}\n{{oops\n");
        let (_, report) = run("jsonl", CsvMapping::default(), &[&text]);
        assert_eq!(report.errors[0].row, 2);
        assert_eq!(
            report.errors[0].reason,
            "not valid JSON at column 2: expected a string key"
        );
        // An array element over several lines says where inside the element.
        let arr = format!("[{GOOD},\n{{\n  \"a\": tru\n}}]");
        let (_, report) = run("json", CsvMapping::default(), &[&arr]);
        assert_eq!(report.errors[0].row, 2);
        let reason = &report.errors[0].reason;
        assert!(
            reason.starts_with("not valid JSON at line 2, column ")
                && reason.ends_with("of the element: expected a value"),
            "{reason}"
        );
    }

    #[test]
    fn a_stray_csv_quote_names_its_file_line_and_loses_no_other_row() {
        // The reviewer's file: n good rows, a stray quote, two good rows; cut into chunks so
        // the stray quote lies in a later batch than the header.
        let row = |i: u32| format!("2026-10-01T10:00:{i:02}Z,a,track,x{i}\n");
        for n in [1u32, 5, 20] {
            let mut text = String::from("timestamp,anonymousId,type,event\n");
            for i in 0..n {
                text.push_str(&row(i));
            }
            text.push_str("\"open,a,track,x\n");
            text.push_str(&row(50));
            text.push_str(&row(51));
            let bad_line = u64::from(n) + 2;
            for chunk in [7usize, 40, 100_000] {
                let chunks: Vec<&str> = text
                    .as_bytes()
                    .chunks(chunk)
                    .map(|c| std::str::from_utf8(c).unwrap())
                    .collect();
                let (events, report) = run("csv", CsvMapping::default(), &chunks);
                assert_eq!(events.len() as u32, n + 2, "n={n} chunk={chunk}");
                assert_eq!(
                    (report.rows, report.imported, report.rejected),
                    (u64::from(n) + 3, u64::from(n) + 2, 1),
                    "n={n} chunk={chunk}"
                );
                assert_eq!(report.errors[0].row, bad_line);
                assert_eq!(
                    report.errors[0].reason,
                    format!("unterminated quoted field (opened on line {bad_line})")
                );
            }
        }
    }

    #[test]
    fn a_bad_csv_header_stops_the_import() {
        let (events, report) = run("csv", CsvMapping::default(), &["a,a\n1,2\n", "3,4\n"]);
        assert!(events.is_empty());
        assert_eq!((report.rejected, report.errors[0].row), (1, 1));
        assert!(report.errors[0].reason.contains("appears twice"));
    }

    #[test]
    fn unknown_format_is_an_error() {
        assert!(EventImport::new("xml", CsvMapping::default()).is_err());
    }
}
