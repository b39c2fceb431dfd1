//! A small streaming CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM).
//!
//! Files arrive in chunks from the dashboard's Worker, and a chunk boundary can fall anywhere,
//! even inside a quoted field that spans lines. `CsvStream` therefore keeps the unfinished tail of
//! each chunk and parses it again with the next one; only complete records come out.

/// One parsed record and the 1-based line of the file where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub fields: Vec<String>,
}

/// A record that cannot be read, with the line where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: u64,
    pub reason: String,
}

/// Incremental CSV reader: `push` chunks, then `finish`.
#[derive(Debug, Default)]
pub struct CsvStream {
    /// Unparsed text carried over from the previous chunk (an incomplete record).
    tail: String,
    /// Line number of the first line of `tail`.
    line: u64,
    started: bool,
}

enum Scan {
    /// A full record ended at this byte offset (exclusive), spanning this many lines.
    Record(Vec<String>, usize, u64),
    /// The text ends inside a record.
    Incomplete,
    /// A quote appeared in the middle of an unquoted field, or stray text followed a closing quote.
    Malformed(String, usize, u64),
}

/// Scans one record from the start of `s`. `at_end` says no more text will follow.
fn scan_record(s: &str, at_end: bool) -> Scan {
    let bytes = s.as_bytes();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut i = 0;
    let mut lines = 1;
    let mut quoted = false;
    let mut after_quote = false;
    let mut field_start = 0;
    let mut error: Option<String> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    field.push('"');
                    i += 2;
                    continue;
                }
                if i + 1 == bytes.len() && !at_end {
                    return Scan::Incomplete; // cannot tell `"` from `""` yet
                }
                quoted = false;
                after_quote = true;
                i += 1;
                continue;
            }
            // Copy the whole run up to the next quote at once (keeps UTF-8 intact).
            let run_end = s[i..].find('"').map_or(bytes.len(), |k| i + k);
            let run = &s[i..run_end];
            lines += run.matches('\n').count() as u64;
            field.push_str(run);
            i = run_end;
            continue;
        }
        match b {
            b',' => {
                fields.push(std::mem::take(&mut field));
                after_quote = false;
                i += 1;
                field_start = i;
            }
            b'\n' | b'\r' => {
                let end = if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else if b == b'\r' && i + 1 == bytes.len() && !at_end {
                    return Scan::Incomplete; // a CR whose LF is in the next chunk
                } else {
                    i + 1
                };
                fields.push(field);
                return match error {
                    Some(e) => Scan::Malformed(e, end, lines),
                    None => Scan::Record(fields, end, lines),
                };
            }
            b'"' if i == field_start => {
                quoted = true;
                i += 1;
            }
            _ => {
                if after_quote && error.is_none() {
                    error = Some(format!("text after the closing quote of field {}", fields.len() + 1));
                }
                if b == b'"' && error.is_none() {
                    error = Some(format!("stray quote inside unquoted field {}", fields.len() + 1));
                }
                let run_end = s[i..]
                    .find([',', '\n', '\r', '"'])
                    .map_or(bytes.len(), |k| i + k)
                    .max(i + 1);
                let run_end = (i + 1..=run_end.min(bytes.len()))
                    .rev()
                    .find(|&k| s.is_char_boundary(k))
                    .unwrap_or(run_end);
                field.push_str(&s[i..run_end]);
                i = run_end;
            }
        }
    }
    if !at_end {
        return Scan::Incomplete;
    }
    if quoted {
        return Scan::Malformed("unterminated quoted field".into(), bytes.len(), lines);
    }
    fields.push(field);
    match error {
        Some(e) => Scan::Malformed(e, bytes.len(), lines),
        None => Scan::Record(fields, bytes.len(), lines),
    }
}

impl CsvStream {
    pub fn new() -> Self {
        CsvStream { tail: String::new(), line: 1, started: false }
    }

    /// Feeds a chunk; returns every record completed by it (blank lines are skipped).
    pub fn push(&mut self, chunk: &str) -> Vec<Result<Record, CsvError>> {
        let mut chunk = chunk;
        if !self.started {
            chunk = chunk.strip_prefix('\u{feff}').unwrap_or(chunk);
            self.started = !chunk.is_empty();
        }
        self.tail.push_str(chunk);
        self.drain(false)
    }

    /// Ends the input: the last record may lack a line break.
    pub fn finish(&mut self) -> Vec<Result<Record, CsvError>> {
        self.drain(true)
    }

    fn drain(&mut self, at_end: bool) -> Vec<Result<Record, CsvError>> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < self.tail.len() {
            let rest = &self.tail[pos..];
            match scan_record(rest, at_end) {
                Scan::Incomplete => break,
                Scan::Record(fields, used, lines) => {
                    let blank = fields.len() == 1 && fields[0].is_empty();
                    if !blank {
                        out.push(Ok(Record { line: self.line, fields }));
                    }
                    self.line += lines;
                    pos += used;
                }
                Scan::Malformed(reason, used, lines) => {
                    out.push(Err(CsvError { line: self.line, reason }));
                    self.line += lines;
                    pos += used;
                }
            }
        }
        self.tail.drain(..pos);
        out
    }
}

/// Parses a whole CSV text at once.
pub fn parse(text: &str) -> Vec<Result<Record, CsvError>> {
    let mut stream = CsvStream::new();
    let mut out = stream.push(text);
    out.extend(stream.finish());
    out
}

/// Quotes a field for writing when it needs it.
pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<(u64, Vec<String>)> {
        parse(text)
            .into_iter()
            .map(|r| {
                let r = r.expect("record");
                (r.line, r.fields)
            })
            .collect()
    }

    fn v(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn worked_examples() {
        assert_eq!(ok("a,b\n1,2\n"), vec![(1, v(&["a", "b"])), (2, v(&["1", "2"]))]);
        assert_eq!(ok("a,b\r\n1,2"), vec![(1, v(&["a", "b"])), (2, v(&["1", "2"]))]);
        assert_eq!(ok("\u{feff}x\n\n\ny\n"), vec![(1, v(&["x"])), (4, v(&["y"]))]);
        assert_eq!(ok("\"a,\"\"b\"\"\",c\n"), vec![(1, v(&["a,\"b\"", "c"]))]);
        assert_eq!(ok("\"two\nlines\",x\nnext\n"), vec![(1, v(&["two\nlines", "x"])), (3, v(&["next"]))]);
        assert_eq!(ok("é,ü\n,\n"), vec![(1, v(&["é", "ü"])), (2, v(&["", ""]))]);
    }

    #[test]
    fn malformed_rows_are_reported_and_reading_continues() {
        let out = parse("a,b\nx\"y,1\n\"q\"z,2\nok,3\n\"open,4\n");
        assert_eq!(out[0], Ok(Record { line: 1, fields: v(&["a", "b"]) }));
        assert!(matches!(&out[1], Err(CsvError { line: 2, reason }) if reason.contains("stray quote")));
        assert!(matches!(&out[2], Err(CsvError { line: 3, reason }) if reason.contains("after the closing quote")));
        assert_eq!(out[3], Ok(Record { line: 4, fields: v(&["ok", "3"]) }));
        assert!(matches!(&out[4], Err(CsvError { line: 5, reason }) if reason.contains("unterminated")));
    }

    #[test]
    fn quote_writes_what_parse_reads() {
        for f in ["plain", "a,b", "say \"hi\"", "two\nlines", ""] {
            let line = format!("{},end\n", quote(f));
            assert_eq!(ok(&line), vec![(1, v(&[f, "end"]))]);
        }
    }

    proptest::proptest! {
        /// Splitting the text into chunks anywhere never changes what is read.
        #[test]
        fn chunking_does_not_change_records(
            rows in proptest::collection::vec(proptest::collection::vec("[a-z\",\\n é]{0,6}", 1..4), 1..6),
            cuts in proptest::collection::vec(0usize..200, 0..6),
        ) {
            let text: String = rows
                .iter()
                .map(|r| r.iter().map(|f| quote(f)).collect::<Vec<_>>().join(",") + "\r\n")
                .collect();
            let whole = parse(&text);
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c % (text.len() + 1)).filter(|&c| text.is_char_boundary(c)).collect();
            bounds.push(0);
            bounds.push(text.len());
            bounds.sort_unstable();
            let mut stream = CsvStream::new();
            let mut pieces = Vec::new();
            for w in bounds.windows(2) {
                pieces.extend(stream.push(&text[w[0]..w[1]]));
            }
            pieces.extend(stream.finish());
            proptest::prop_assert_eq!(pieces, whole);
        }
    }
}
