//! A small RFC 4180 reader for lead tables exported from CRMs and spreadsheets.
//!
//! Fields are separated by `,` or `;` (auto-detected from the header line when not given, because
//! European spreadsheet exports use `;`), records by LF or CRLF. A field may be quoted with `"`;
//! inside quotes the separator and line breaks are literal and `""` is one quote.
//!
//! Bad input loses nothing that is good: a record with the wrong number of fields or broken quoting
//! is skipped, counted and reported with the line it starts on, and the remaining rows are kept.

use serde::Serialize;

/// At most this many bad rows are listed one by one; the count covers all of them.
/// A reason per row is useful for the first few; a file that is all bad needs only the count.
pub const MAX_LISTED_BAD_ROWS: usize = 100;

/// One rejected record: the 1-based line it starts on and why it was rejected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

/// A parsed table: header names, the good rows, and the bad rows (listed up to
/// [`MAX_LISTED_BAD_ROWS`], counted in full).
///
/// The cells of all good rows live in one string (a lead table has hundreds of thousands of
/// cells; one allocation each is most of the parse time in wasm).
#[derive(Debug, Clone, PartialEq)]
pub struct CsvTable {
    pub separator: char,
    pub headers: Vec<String>,
    cells: String,
    /// End offset in `cells` of every cell, row by row.
    ends: Vec<usize>,
    /// The 1-based line each good row starts on.
    lines: Vec<usize>,
    pub bad_rows: Vec<BadRow>,
    pub bad_row_count: usize,
}

impl CsvTable {
    /// Number of good rows.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The 1-based line good row `row` starts on.
    pub fn line(&self, row: usize) -> usize {
        self.lines[row]
    }

    /// The text of cell `col` of good row `row` (quotes removed, `""` unescaped).
    pub fn cell(&self, row: usize, col: usize) -> &str {
        let i = row * self.headers.len() + col;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.cells[start..self.ends[i]]
    }
}

/// Why a whole file cannot be read (as opposed to a bad row, which is skipped).
#[derive(Debug, Clone, PartialEq)]
pub enum CsvError {
    /// No header line at all.
    Empty,
    /// The header itself is malformed (e.g. an unterminated quote).
    BadHeader(String),
    /// Two columns share a name, so a column cannot be named unambiguously.
    DuplicateHeader(String),
    /// The separator option is not one of `,` `;` or a tab.
    BadSeparator(char),
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsvError::Empty => write!(f, "csv: the file is empty (no header line)"),
            CsvError::BadHeader(reason) => write!(f, "csv: line 1 (header): {reason}"),
            CsvError::DuplicateHeader(name) => {
                write!(f, "csv: line 1 (header): column \"{name}\" appears twice")
            }
            CsvError::BadSeparator(c) => {
                write!(
                    f,
                    "csv: separator {c:?} is not supported (use ',', ';' or a tab)"
                )
            }
        }
    }
}

impl std::error::Error for CsvError {}

/// Parses `text`. `separator` of `None` auto-detects `;`, `,` or tab from the header line.
pub fn parse(text: &str, separator: Option<char>) -> Result<CsvTable, CsvError> {
    parse_from(text, separator, 1)
}

/// [`parse`] for a piece of a larger file whose first line is line `first_line` of the file:
/// every line number (of rows and in reasons) is the file's.
pub fn parse_from(
    text: &str,
    separator: Option<char>,
    first_line: usize,
) -> Result<CsvTable, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sep = match separator {
        Some(c @ (',' | ';' | '\t')) => c,
        Some(other) => return Err(CsvError::BadSeparator(other)),
        None => detect_separator(text),
    };
    let mut reader = Records {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        line: first_line.max(1),
        sep: sep as u8,
    };
    let mut cells = String::new();
    let mut ends = Vec::new();
    let headers = loop {
        cells.clear();
        ends.clear();
        match reader.next_record(&mut cells, &mut ends) {
            None => return Err(CsvError::Empty),
            Some((_, Ok(()))) if is_blank(&cells, &ends) => continue,
            Some((_, Ok(()))) => break split_cells(&cells, &ends),
            Some((_, Err(reason))) => return Err(CsvError::BadHeader(reason)),
        }
    };
    let headers: Vec<String> = headers.into_iter().map(|h| h.trim().to_string()).collect();
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(CsvError::DuplicateHeader(h.clone()));
        }
    }
    let width = headers.len();
    let mut table = CsvTable {
        separator: sep,
        headers,
        cells: String::with_capacity(text.len()),
        ends: Vec::new(),
        lines: Vec::new(),
        bad_rows: Vec::new(),
        bad_row_count: 0,
    };
    loop {
        let (cells_mark, ends_mark) = (table.cells.len(), table.ends.len());
        let Some((line, record)) = reader.next_record(&mut table.cells, &mut table.ends) else {
            break;
        };
        let found = table.ends.len() - ends_mark;
        let reason = match record {
            Ok(()) if found == width => {
                table.lines.push(line);
                continue;
            }
            Ok(()) if found == 1 && table.cells[cells_mark..].trim().is_empty() => None,
            Ok(()) => Some(format!("expected {width} fields, found {found}")),
            Err(reason) => Some(reason),
        };
        table.cells.truncate(cells_mark);
        table.ends.truncate(ends_mark);
        if let Some(reason) = reason {
            table.bad_row_count += 1;
            if table.bad_rows.len() < MAX_LISTED_BAD_ROWS {
                table.bad_rows.push(BadRow { line, reason });
            }
        }
    }
    Ok(table)
}

fn split_cells(cells: &str, ends: &[usize]) -> Vec<String> {
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            let cell = cells[start..end].to_string();
            start = end;
            cell
        })
        .collect()
}

/// A blank line parses as one empty field; it is not a record.
fn is_blank(cells: &str, ends: &[usize]) -> bool {
    ends.len() == 1 && cells.trim().is_empty()
}

/// The most frequent of `;`, `,` and tab outside quotes on the first line; `,` when none occurs.
fn detect_separator(text: &str) -> char {
    let mut counts = [(';', 0usize), (',', 0), ('\t', 0)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            _ if !quoted => {
                for entry in counts.iter_mut() {
                    if entry.0 == c {
                        entry.1 += 1;
                    }
                }
            }
            _ => {}
        }
    }
    // On a tie `max_by_key` keeps the last candidate, so they are listed from least to most
    // preferred: ',' wins ties (the RFC default), ';' beats a tab.
    let [semi, comma, tab] = counts;
    [tab, semi, comma]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map_or(',', |(c, _)| c)
}

/// A cursor over the records of the text.
struct Records<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    sep: u8,
}

impl Records<'_> {
    /// Appends the next record's cells to `cells`/`ends` and returns the line it starts on;
    /// `Err(reason)` for a malformed record (its cells may be partly appended), after which the
    /// cursor stands at the start of the next line so reading can go on.
    fn next_record(
        &mut self,
        cells: &mut String,
        ends: &mut Vec<usize>,
    ) -> Option<(usize, Result<(), String>)> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let start_line = self.line;
        loop {
            match self.field(cells) {
                Ok(end) => {
                    ends.push(cells.len());
                    match end {
                        FieldEnd::Separator => continue,
                        FieldEnd::Record => return Some((start_line, Ok(()))),
                    }
                }
                Err(reason) => {
                    self.skip_to_line_end();
                    return Some((start_line, Err(reason)));
                }
            }
        }
    }

    /// Reads one field starting at `pos`; leaves `pos` after its terminator.
    fn field(&mut self, out: &mut String) -> Result<FieldEnd, String> {
        if self.bytes.get(self.pos) == Some(&b'"') {
            return self.quoted_field(out);
        }
        let start = self.pos;
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == self.sep || b == b'\n' || b == b'\r' {
                break;
            }
            if b == b'"' {
                return Err(format!(
                    "a quote inside an unquoted field (column {})",
                    self.column_hint(start)
                ));
            }
            self.pos += 1;
        }
        out.push_str(&self.text[start..self.pos]);
        Ok(self.terminator())
    }

    fn quoted_field(&mut self, out: &mut String) -> Result<FieldEnd, String> {
        let (open_line, open_pos) = (self.line, self.pos);
        self.pos += 1;
        let mut chunk_start = self.pos;
        loop {
            match self.bytes.get(self.pos) {
                None => {
                    // Never closed: a stray quote, not a field spanning the rest of the file.
                    // Reading goes on from the line after the quote, so the rows after it are
                    // read. Each such scan stops at the next quote, so the file is still read
                    // in linear time.
                    self.pos = open_pos;
                    self.line = open_line;
                    return Err(format!(
                        "unterminated quoted field (opened on line {open_line})"
                    ));
                }
                Some(b'"') => {
                    out.push_str(&self.text[chunk_start..self.pos]);
                    if self.bytes.get(self.pos + 1) == Some(&b'"') {
                        out.push('"');
                        self.pos += 2;
                        chunk_start = self.pos;
                        continue;
                    }
                    self.pos += 1;
                    return match self.bytes.get(self.pos) {
                        None | Some(b'\n' | b'\r') => Ok(self.terminator()),
                        Some(&b) if b == self.sep => Ok(self.terminator()),
                        // Over several lines to a quote that does not end the field: the opening
                        // quote was a stray one. Only its own line is lost, as above.
                        Some(_) if self.line > open_line => {
                            self.pos = open_pos;
                            self.line = open_line;
                            Err(format!(
                                "unterminated quoted field (opened on line {open_line})"
                            ))
                        }
                        Some(_) => Err("text after a closing quote".to_string()),
                    };
                }
                Some(b'\n') => {
                    self.line += 1;
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Consumes the separator or line break at `pos` and says which it was.
    fn terminator(&mut self) -> FieldEnd {
        match self.bytes.get(self.pos) {
            Some(&b) if b == self.sep => {
                self.pos += 1;
                FieldEnd::Separator
            }
            Some(b'\r') => {
                self.pos += 1;
                if self.bytes.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                }
                self.line += 1;
                FieldEnd::Record
            }
            Some(b'\n') => {
                self.pos += 1;
                self.line += 1;
                FieldEnd::Record
            }
            _ => FieldEnd::Record,
        }
    }

    /// After an error: drop the rest of the physical line.
    fn skip_to_line_end(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            if b == b'\n' {
                self.line += 1;
                return;
            }
        }
    }

    /// 1-based column number of the field starting at `start` on the current line.
    fn column_hint(&self, start: usize) -> usize {
        let line_start = self.bytes[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        1 + self.bytes[line_start..start]
            .iter()
            .filter(|&&b| b == self.sep)
            .count()
    }
}

enum FieldEnd {
    Separator,
    Record,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(table: &CsvTable) -> Vec<Vec<&str>> {
        (0..table.len())
            .map(|r| (0..table.headers.len()).map(|c| table.cell(r, c)).collect())
            .collect()
    }

    #[test]
    fn reads_quoted_fields_with_separators_quotes_and_newlines() {
        let text =
            "name,note,n\r\n\"Ada, Countess\",\"said \"\"hi\"\"\",1\r\nBob,\"two\nlines\",2\n";
        let t = parse(text, None).unwrap();
        assert_eq!(t.separator, ',');
        assert_eq!(t.headers, ["name", "note", "n"]);
        assert_eq!(
            fields(&t),
            [
                vec!["Ada, Countess", "said \"hi\"", "1"],
                vec!["Bob", "two\nlines", "2"]
            ]
        );
        assert_eq!(t.line(0), 2);
        assert_eq!(t.line(1), 3);
        assert_eq!(t.bad_row_count, 0);
    }

    #[test]
    fn detects_semicolons_like_the_bank_file() {
        let text = "\"age\";\"job\";\"y\"\n58;\"management\";\"no\"\n44;\"tech, senior\";\"yes\"";
        let t = parse(text, None).unwrap();
        assert_eq!(t.separator, ';');
        assert_eq!(
            fields(&t),
            [
                vec!["58", "management", "no"],
                vec!["44", "tech, senior", "yes"]
            ]
        );
    }

    #[test]
    fn separator_detection_table() {
        for (header, expected) in [
            ("a,b,c", ','),
            ("a;b;c", ';'),
            ("a\tb\tc", '\t'),
            ("\"x;y\",b,c", ','),
            ("single", ','),
            ("a;b,c;d", ';'),
        ] {
            assert_eq!(detect_separator(header), expected, "{header}");
        }
    }

    #[test]
    fn bad_rows_are_numbered_counted_and_skipped() {
        let text = "a,b\n1,2\n3\n\"4\"x,5\n6,7\n8,9,10\n\n11,\"12\n";
        let t = parse(text, None).unwrap();
        assert_eq!(fields(&t), [vec!["1", "2"], vec!["6", "7"]]);
        assert_eq!(t.bad_row_count, 4);
        let lines: Vec<usize> = t.bad_rows.iter().map(|b| b.line).collect();
        assert_eq!(lines, [3, 4, 6, 8]);
        assert_eq!(t.bad_rows[0].reason, "expected 2 fields, found 1");
        assert_eq!(t.bad_rows[1].reason, "text after a closing quote");
        assert_eq!(t.bad_rows[2].reason, "expected 2 fields, found 3");
        assert!(t.bad_rows[3]
            .reason
            .starts_with("unterminated quoted field"));
    }

    #[test]
    fn a_stray_quote_loses_only_its_own_line() {
        let text = "a,b\n1,2\n\"3,4\n5,6\n7,\"8\"\"x\"\n";
        let t = parse_from(text, None, 40).unwrap();
        assert_eq!(
            fields(&t),
            [vec!["1", "2"], vec!["5", "6"], vec!["7", "8\"x"]]
        );
        assert_eq!((t.line(0), t.line(1), t.line(2)), (41, 43, 44));
        assert_eq!(
            t.bad_rows,
            [BadRow {
                line: 42,
                reason: "unterminated quoted field (opened on line 42)".into()
            }]
        );
    }

    #[test]
    fn stray_quote_in_unquoted_field_names_the_column() {
        let t = parse("a,b\n1,x\"y\n2,3\n", None).unwrap();
        assert_eq!(fields(&t), [vec!["2", "3"]]);
        assert_eq!(
            t.bad_rows[0].reason,
            "a quote inside an unquoted field (column 2)"
        );
    }

    #[test]
    fn header_errors() {
        assert_eq!(parse("", None), Err(CsvError::Empty));
        assert_eq!(parse("\n\n", None), Err(CsvError::Empty));
        assert_eq!(
            parse("a,b,a\n1,2,3", None),
            Err(CsvError::DuplicateHeader("a".into()))
        );
        assert!(matches!(
            parse("\"a,b\n", None),
            Err(CsvError::BadHeader(_))
        ));
        assert_eq!(parse("a|b", Some('|')), Err(CsvError::BadSeparator('|')));
    }

    #[test]
    fn bom_and_missing_final_newline_and_empty_fields() {
        let t = parse("\u{feff}a,b\n,\n1,", Some(',')).unwrap();
        assert_eq!(t.headers, ["a", "b"]);
        assert_eq!(fields(&t), [vec!["", ""], vec!["1", ""]]);
    }

    #[test]
    fn listing_of_bad_rows_is_bounded() {
        let mut text = String::from("a,b\n");
        for _ in 0..(MAX_LISTED_BAD_ROWS + 5) {
            text.push_str("1\n");
        }
        let t = parse(&text, None).unwrap();
        assert_eq!(t.bad_row_count, MAX_LISTED_BAD_ROWS + 5);
        assert_eq!(t.bad_rows.len(), MAX_LISTED_BAD_ROWS);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            /// Writing fields with RFC 4180 quoting and reading them back gives the same fields.
            #[test]
            fn quoted_round_trip(rows in prop::collection::vec(
                prop::collection::vec("[a-z,;\" \n]{0,6}", 3), 1..6)) {
                let mut text = String::from("x,y,z\n");
                for row in &rows {
                    let quoted: Vec<String> =
                        row.iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect();
                    text.push_str(&quoted.join(","));
                    text.push_str("\r\n");
                }
                let t = parse(&text, Some(',')).unwrap();
                let got: Vec<Vec<String>> = fields(&t)
                    .iter()
                    .map(|r| r.iter().map(|c| c.to_string()).collect())
                    .collect();
                prop_assert_eq!(got, rows);
            }
        }
    }
}
