//! Streaming split of a JSON array of events (or a Segment `{"batch": [...]}` object) into the
//! texts of its elements, chunk by chunk. Only brackets, commas and strings are tracked; each
//! element is then parsed on its own, so a 150 MB array is never one JSON tree in memory, and a
//! broken element is one bad row instead of a rejected file.

/// An element larger than this is rejected and the rest of the file with it: without a closing
/// bracket in sight the splitter cannot tell where the next element starts.
pub const MAX_ELEMENT_BYTES: usize = 16 << 20;

const NOT_AN_ARRAY: &str = "expected a JSON array of events (or an object with a \"batch\" array)";
const NOT_CLOSED: &str = "not valid JSON: the array is not closed (is the file cut short?)";

/// Where the splitter is in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    /// Only whitespace so far.
    Start,
    /// Inside a top-level array (elements at depth 1).
    Array,
    /// Inside a top-level object, looking for its `batch` array (elements at depth 2).
    Object,
    /// The events array has closed; anything after it is ignored.
    Done,
    /// The document is not an array or batch object, or an element was too large.
    Failed,
}

/// One element: its 1-based position in the array and its text, or why it cannot be read.
pub type Element<'a> = (u64, Result<&'a str, String>);

#[derive(Debug)]
pub struct ArraySplitter {
    buf: String,
    /// Next byte of `buf` to scan.
    pos: usize,
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Where the string being read starts (its opening quote).
    string_start: usize,
    /// The last string closed at depth 1 of a top-level object: the key before a `[` there.
    last_key: String,
    top: Top,
    /// Depth of the events array's elements; 0 until the array is found.
    items_depth: u32,
    item_start: usize,
    items: u64,
}

impl Default for ArraySplitter {
    fn default() -> Self {
        ArraySplitter {
            buf: String::new(),
            pos: 0,
            depth: 0,
            in_string: false,
            escaped: false,
            string_start: 0,
            last_key: String::new(),
            top: Top::Start,
            items_depth: 0,
            item_start: 0,
            items: 0,
        }
    }
}

impl ArraySplitter {
    /// Feeds the next chunk; `each` gets every element it completes.
    pub fn push(&mut self, chunk: &str, each: &mut dyn FnMut(Element)) {
        if matches!(self.top, Top::Done | Top::Failed) {
            return;
        }
        self.buf.push_str(chunk);
        let buf = std::mem::take(&mut self.buf);
        let end = self.scan(&buf, each);
        self.buf = buf;
        self.compact(end);
        if self.items_depth > 0
            && self.top != Top::Done
            && self.buf.len() - self.item_start > MAX_ELEMENT_BYTES
        {
            self.items += 1;
            each((
                self.items,
                Err(format!(
                    "element larger than {} MiB: the rest of the file is skipped",
                    MAX_ELEMENT_BYTES >> 20
                )),
            ));
            self.fail();
        }
    }

    /// Ends the input: reports a document that was not an array or an array left open.
    pub fn finish(&mut self, each: &mut dyn FnMut(Element)) {
        match self.top {
            Top::Start | Top::Done => {}
            Top::Failed => {}
            Top::Object if self.items_depth == 0 => each((1, Err(NOT_AN_ARRAY.into()))),
            Top::Array | Top::Object => {
                self.items += 1;
                each((self.items, Err(NOT_CLOSED.into())));
            }
        }
        self.fail();
    }

    fn fail(&mut self) {
        if self.top != Top::Done {
            self.top = Top::Failed;
        }
        self.buf = String::new();
        self.pos = 0;
        self.item_start = 0;
    }

    /// Scans `buf` from `self.pos`; returns where it stopped.
    fn scan(&mut self, buf: &str, each: &mut dyn FnMut(Element)) -> usize {
        let bytes = buf.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() {
            let b = bytes[i];
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.top == Top::Object && self.depth == 1 && self.items_depth == 0 {
                        self.last_key.clear();
                        self.last_key.push_str(&buf[self.string_start + 1..i]);
                    }
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    self.string_start = i;
                }
                b'[' | b'{' => {
                    if self.top == Top::Start {
                        self.top = if b == b'[' { Top::Array } else { Top::Object };
                    }
                    self.depth += 1;
                    let opens_events = match self.top {
                        Top::Array => self.depth == 1,
                        Top::Object => self.depth == 2 && b == b'[' && self.last_key == "batch",
                        _ => false,
                    };
                    if self.items_depth == 0 && opens_events {
                        self.items_depth = self.depth;
                        self.item_start = i + 1;
                    }
                }
                b']' | b'}' => {
                    if b == b']' && self.items_depth > 0 && self.depth == self.items_depth {
                        self.element(buf, i, true, each);
                        self.top = Top::Done;
                        return bytes.len();
                    }
                    self.depth = self.depth.saturating_sub(1);
                }
                b',' if self.items_depth > 0 && self.depth == self.items_depth => {
                    self.element(buf, i, false, each);
                    self.item_start = i + 1;
                }
                _ if self.top == Top::Start && !b.is_ascii_whitespace() => {
                    each((1, Err(NOT_AN_ARRAY.into())));
                    self.top = Top::Failed;
                    return bytes.len();
                }
                _ => {}
            }
            i += 1;
        }
        i
    }

    fn element(&mut self, buf: &str, end: usize, closing: bool, each: &mut dyn FnMut(Element)) {
        let text = buf[self.item_start..end].trim();
        if text.is_empty() {
            if !(closing && self.items == 0) {
                self.items += 1;
                each((
                    self.items,
                    Err("not valid JSON: an empty element (two commas or a trailing comma)".into()),
                ));
            }
            return;
        }
        self.items += 1;
        each((self.items, Ok(text)));
    }

    /// Drops what is scanned and no longer needed (keeps a partial element or key).
    fn compact(&mut self, end: usize) {
        if matches!(self.top, Top::Done | Top::Failed) {
            self.buf = String::new();
            self.pos = 0;
            return;
        }
        let mut keep = end;
        if self.items_depth > 0 {
            keep = keep.min(self.item_start);
        }
        if self.in_string {
            keep = keep.min(self.string_start);
        }
        self.buf.drain(..keep);
        self.pos = end - keep;
        self.item_start = self.item_start.saturating_sub(keep);
        self.string_start = self.string_start.saturating_sub(keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&str]) -> Vec<(u64, Result<String, String>)> {
        let mut s = ArraySplitter::default();
        let mut out = Vec::new();
        let mut each = |(row, r): Element| out.push((row, r.map(str::to_string)));
        for c in chunks {
            s.push(c, &mut each);
        }
        s.finish(&mut each);
        out
    }

    fn ok(row: u64, text: &str) -> (u64, Result<String, String>) {
        (row, Ok(text.to_string()))
    }

    #[test]
    fn elements_are_the_same_wherever_the_chunks_split() {
        let doc = r#" [ {"a": "x,]}"}, {"b": [1, {"c": "\"]"}]} ,3 ] trailing"#;
        let whole = split(&[doc]);
        assert_eq!(
            whole,
            [
                ok(1, r#"{"a": "x,]}"}"#),
                ok(2, r#"{"b": [1, {"c": "\"]"}]}"#),
                ok(3, "3")
            ]
        );
        for cut in 0..doc.len() {
            let (a, b) = doc.split_at(cut);
            assert_eq!(split(&[a, b]), whole, "cut at {cut}");
        }
    }

    #[test]
    fn segment_batch_objects() {
        let doc = r#"{"sentAt": "x", "context": {"batch": [9]}, "batch": [{"e": 1}, {"e": 2}]}"#;
        assert_eq!(split(&[doc]), [ok(1, r#"{"e": 1}"#), ok(2, r#"{"e": 2}"#)]);
        let no_batch = split(&[r#"{"events": [1]}"#]);
        assert_eq!(no_batch, [(1, Err(NOT_AN_ARRAY.to_string()))]);
    }

    #[test]
    fn bad_documents_and_elements_are_reported_by_position() {
        assert_eq!(split(&["[]"]), []);
        assert_eq!(split(&["  "]), []);
        assert_eq!(split(&["5"]), [(1, Err(NOT_AN_ARRAY.to_string()))]);
        let gaps = split(&["[1,,2,]"]);
        let rows: Vec<(u64, bool)> = gaps.iter().map(|(r, t)| (*r, t.is_ok())).collect();
        assert_eq!(rows, [(1, true), (2, false), (3, true), (4, false)]);
        assert_eq!(
            split(&["[1, {\"a\""]),
            [ok(1, "1"), (2, Err(NOT_CLOSED.to_string()))]
        );
    }
}
