//! Streaming split of CSV text into batches of whole records, chunk by chunk, so each batch can go
//! through the shared RFC 4180 reader (`crate::calibrate::csv`) on its own. A record ends at a
//! line feed outside quotes; a quote opens a quoted field only at the start of a field, as in
//! the reader, so both agree on where records end.

/// One batch: complete records and the 1-based file line its first line is.
pub type Batch = (String, u64);

#[derive(Debug)]
pub struct CsvSplitter {
    buf: String,
    /// Next byte of `buf` to scan.
    pos: usize,
    quoted: bool,
    field_start: bool,
    /// End of the last complete record in `buf`.
    cut: usize,
    /// The separator, once the header has told; until then `,` `;` and tab all separate.
    separator: Option<u8>,
    line: u64,
}

impl Default for CsvSplitter {
    fn default() -> Self {
        CsvSplitter {
            buf: String::new(),
            pos: 0,
            quoted: false,
            field_start: true,
            cut: 0,
            separator: None,
            line: 1,
        }
    }
}

impl CsvSplitter {
    pub fn set_separator(&mut self, sep: char) {
        self.separator = u8::try_from(sep).ok();
    }

    /// Feeds a chunk; returns the records it completed, if any.
    pub fn push(&mut self, chunk: &str) -> Option<Batch> {
        self.buf.push_str(chunk);
        self.scan();
        self.take(self.cut)
    }

    /// Ends the input: the rest, complete or not.
    pub fn finish(&mut self) -> Option<Batch> {
        let rest = self.take(self.buf.len());
        self.buf = String::new();
        rest
    }

    fn is_separator(&self, b: u8) -> bool {
        match self.separator {
            Some(s) => b == s,
            None => matches!(b, b',' | b';' | b'\t'),
        }
    }

    fn scan(&mut self) {
        let bytes = self.buf.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() {
            let b = bytes[i];
            if self.quoted {
                if b == b'"' {
                    match bytes.get(i + 1) {
                        // A doubled quote is a literal one.
                        Some(b'"') => i += 1,
                        Some(_) => self.quoted = false,
                        // Which it is depends on the next chunk.
                        None => break,
                    }
                }
            } else if b == b'"' && self.field_start {
                self.quoted = true;
                self.field_start = false;
            } else if b == b'\n' {
                self.cut = i + 1;
                self.field_start = true;
            } else {
                self.field_start = b == b'\r' || self.is_separator(b);
            }
            i += 1;
        }
        self.pos = i;
    }

    fn take(&mut self, end: usize) -> Option<Batch> {
        if end == 0 {
            return None;
        }
        let batch: String = self.buf.drain(..end).collect();
        let first = self.line;
        self.line += batch.bytes().filter(|&b| b == b'\n').count() as u64;
        self.pos -= end.min(self.pos);
        self.cut -= end.min(self.cut);
        Some((batch, first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&str]) -> Vec<Batch> {
        let mut s = CsvSplitter::default();
        let mut out: Vec<Batch> = chunks.iter().filter_map(|c| s.push(c)).collect();
        out.extend(s.finish());
        out
    }

    #[test]
    fn batches_end_at_record_ends_only() {
        let text = "a,b\n1,\"x\ny\"\n2,\"say \"\"hi\"\"\"\n3,z";
        let batches = split(&[&text[..6], &text[6..14], &text[14..]]);
        // Re-joined, the batches are the text; each but the last ends a record.
        assert_eq!(
            batches.iter().map(|b| b.0.as_str()).collect::<String>(),
            text
        );
        assert_eq!(batches[0], ("a,b\n".to_string(), 1));
        for (cut, _) in text.char_indices() {
            let parts = split(&[&text[..cut], &text[cut..]]);
            let mut line = 1;
            for (batch, first) in &parts {
                assert_eq!(*first, line, "cut at {cut}");
                line += batch.matches('\n').count() as u64;
            }
            let lines: Vec<u64> = parts.iter().map(|p| p.1).collect();
            assert!(
                !lines.contains(&3),
                "never inside a quoted field: cut at {cut}: {parts:?}"
            );
        }
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_text() {
        let batches = split(&["a,b\n1,x\"y\n2,z\n"]);
        assert_eq!(batches, [("a,b\n1,x\"y\n2,z\n".to_string(), 1)]);
        let mut s = CsvSplitter::default();
        assert_eq!(
            s.push("a,b\n1,x\"y\n2,"),
            Some(("a,b\n1,x\"y\n".to_string(), 1))
        );
        assert_eq!(s.push("z\n"), Some(("2,z\n".to_string(), 3)));
    }
}
