//! JSON text (RFC 8259, strict) into a [`Value`], accepting exactly what
//! `serde_json::from_str::<Value>` accepts and building the same value.
//!
//! A recursive descent over bytes: the input is a `&str`, so every slice between ASCII
//! delimiters is valid UTF-8 and strings are copied, not re-validated.

use super::{Map, Number, Value};

use super::num;
use crate::text::slice;

/// serde_json's limit: it refuses the 128th nested array or object. Hostile input cannot run
/// the recursion (one stack frame per level) further than this.
const MAX_DEPTH: u32 = 127;

/// What went wrong and where (1-based line and column, the column in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    what: &'static str,
    line: usize,
    column: usize,
}

impl Error {
    /// What went wrong, without the place.
    pub fn what(&self) -> &'static str {
        self.what
    }

    pub fn line(&self) -> usize {
        self.line
    }

    pub fn column(&self) -> usize {
        self.column
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.what, self.line, self.column
        )
    }
}

impl std::error::Error for Error {}

/// Parses one JSON value; whitespace may surround it, nothing else may follow it. A key given
/// twice in one object keeps its last value, as serde_json's `Map` does.
pub fn parse(text: &str) -> Result<Value, Error> {
    parse_with(text, ())
}

/// Why `text`, one row of a larger input (`what`: `line`, `element`), is not JSON, placed
/// within the row: `not valid JSON at column 2: expected a value`, or `not valid JSON at line
/// 3, column 5 of the element: ...` for a row of several lines. `None` when it is JSON. The one
/// wording of a row that is no JSON, wherever rows are read (`BatchReplay`, the `Workspace`
/// imports): the report gives the row's own number, so "at line 1" would contradict it.
pub fn row_reason(text: &str, what: &str) -> Option<String> {
    let e = parse(text).err()?;
    Some(if e.line == 1 {
        format!("not valid JSON at column {}: {}", e.column, e.what)
    } else {
        format!(
            "not valid JSON at line {}, column {} of the {what}: {}",
            e.line, e.column, e.what
        )
    })
}

/// [`parse`], also listing every key given twice in one object (the value is the same): each as
/// the key's path, written as model problems write it (`stages.mql`, `rules[0].points`), and
/// the key. At most [`MAX_REPEATED`] of them. For models, where a repeated key is a typo the
/// reader would otherwise hide; events and stored state keep [`parse`], which pays nothing for
/// this (the site snippet never calls this one, so its parser has no path bookkeeping).
pub fn parse_noting_repeated_keys(text: &str) -> Result<(Value, Vec<(String, String)>), Error> {
    let mut paths = Paths::default();
    let v = parse_with(text, &mut paths)?;
    Ok((v, paths.repeated))
}

/// The most repeated keys [`parse_noting_repeated_keys`] lists (a hostile text could repeat
/// millions).
pub const MAX_REPEATED: usize = 200;

fn parse_with<K: Keys>(text: &str, keys: K) -> Result<Value, Error> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        keys,
    };
    let v = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(v)
}

/// What the parser tells about where it is: nothing (`()`, for [`parse`]), or the path of the
/// value being read and the keys repeated ([`Paths`]). Each `key` / `item` returns a mark that
/// `back` returns to once the value is read.
trait Keys {
    fn key(&mut self, key: &str) -> usize;
    fn item(&mut self, i: usize) -> usize;
    /// The key entered at `mark` was already in its object.
    fn repeated(&mut self, mark: usize);
    fn back(&mut self, mark: usize);
}

impl Keys for () {
    fn key(&mut self, _: &str) -> usize {
        0
    }
    fn item(&mut self, _: usize) -> usize {
        0
    }
    fn repeated(&mut self, _: usize) {}
    fn back(&mut self, _: usize) {}
}

#[derive(Default)]
struct Paths {
    /// The path of the value being read: `a.b[2].c`, empty at the root.
    path: String,
    repeated: Vec<(String, String)>,
}

impl Keys for &mut Paths {
    fn key(&mut self, key: &str) -> usize {
        let mark = self.path.len();
        if mark > 0 {
            self.path.push('.');
        }
        self.path.push_str(key);
        mark
    }
    fn item(&mut self, i: usize) -> usize {
        let mark = self.path.len();
        self.path.push('[');
        num::push_u64(i as u64, &mut self.path);
        self.path.push(']');
        mark
    }
    fn repeated(&mut self, mark: usize) {
        if self.repeated.len() < MAX_REPEATED {
            let key = slice(&self.path, if mark > 0 { mark + 1 } else { 0 }..);
            self.repeated.push((self.path.clone(), key.to_string()));
        }
    }
    fn back(&mut self, mark: usize) {
        self.path.truncate(mark);
    }
}

struct Parser<'a, K> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    keys: K,
}

impl<K: Keys> Parser<'_, K> {
    /// An error at the current position (the offending character, or just past the end).
    fn error(&self, what: &'static str) -> Error {
        // On bytes: the column counts the bytes that start a char (not continuation bytes), so no
        // `str` slicing (see `text::slice`) is needed.
        // One pass counting lines and the chars since the last newline (was `rposition` and
        // two `filter().count()`s, each an iterator routine of its own).
        let (mut line, mut column) = (1, 1);
        for &b in &self.bytes[..self.pos.min(self.bytes.len())] {
            if b == b'\n' {
                line += 1;
                column = 1;
            } else if b & 0xC0 != 0x80 {
                column += 1;
            }
        }
        Error { what, line, column }
    }

    /// The error for the byte at `pos`: running out of input is its own kind.
    fn unexpected(&self, what: &'static str) -> Error {
        if self.pos >= self.bytes.len() {
            self.error("unexpected end of input")
        } else {
            self.error(what)
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: u32) -> Result<Value, Error> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.unexpected("expected a value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, Error> {
        for &b in word.as_bytes() {
            if self.peek() != Some(b) {
                return Err(self.unexpected("expected a value"));
            }
            self.pos += 1;
        }
        Ok(v)
    }

    fn enter(&self, depth: u32) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested deeper than 127 levels"));
        }
        Ok(())
    }

    fn array(&mut self, depth: u32) -> Result<Value, Error> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            let mark = self.keys.item(items.len());
            items.push(self.value(depth)?);
            self.keys.back(mark);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.unexpected("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: u32) -> Result<Value, Error> {
        self.enter(depth)?;
        self.pos += 1;
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("expected a string key"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("expected ':'"));
            }
            self.pos += 1;
            // A repeated key keeps its last value, as serde_json's `Map` does.
            let mark = self.keys.key(&key);
            let value = self.value(depth)?;
            if map.insert(key, value).is_some() {
                self.keys.repeated(mark);
            }
            self.keys.back(mark);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                _ => return Err(self.unexpected("expected ',' or '}'")),
            }
        }
    }

    /// A string starting at its opening quote.
    fn string(&mut self) -> Result<String, Error> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            // The run of plain characters up to the next quote, backslash or control character,
            // found in one pass and copied at once (most strings have no escape at all).
            let Some(len) = self.bytes[self.pos..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            else {
                self.pos = self.bytes.len();
                return Err(self.error("unexpected end of input"));
            };
            let end = self.pos + len;
            out.push_str(slice(self.text, self.pos..end));
            self.pos = end;
            match self.bytes[end] {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                _ => return Err(self.error("control character in string")),
            }
        }
    }

    /// One escape after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), Error> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                return self.unicode_escape(out);
            }
            _ => return Err(self.unexpected("invalid escape")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    /// `\u` and four hex digits, after the `\u`; a UTF-16 surrogate pair is two escapes in a
    /// row, and a surrogate without its partner is an error (serde_json refuses those too).
    fn unicode_escape(&mut self, out: &mut String) -> Result<(), Error> {
        let first = self.hex4()?;
        let code = match first {
            0xDC00..=0xDFFF => return Err(self.error("lone surrogate in \\u escape")),
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(self.error("lone surrogate in \\u escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone surrogate in \\u escape"));
                }
                0x1_0000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00)
            }
            _ => u32::from(first),
        };
        // Every value left is a scalar value (surrogates were handled above).
        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, Error> {
        let mut n: u16 = 0;
        for _ in 0..4 {
            let Some(d) = self.peek().and_then(|b| char::from(b).to_digit(16)) else {
                return Err(self.unexpected("invalid \\u escape"));
            };
            n = n * 16 + d as u16;
            self.pos += 1;
        }
        Ok(n)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, typed as serde_json types it: a
    /// token without fraction or exponent is a `u64` (non-negative) or `i64` (negative) when it
    /// fits, otherwise, like every other token, an `f64` (`-0` too); a token beyond the `f64`
    /// range is an error.
    fn number(&mut self) -> Result<Value, Error> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.digits() {
            0 => return Err(self.unexpected("invalid number")),
            n if n > 1 && self.bytes[int_start] == b'0' => {
                self.pos = int_start + 1;
                return Err(self.error("invalid number"));
            }
            _ => {}
        }
        let int_end = self.pos;
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.unexpected("invalid number"));
            }
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.unexpected("invalid number"));
            }
            integer = false;
        }
        if integer {
            // `Some(n)` while the digits fit a `u64` (a loop, not an `all` closure).
            let mut fits = Some(0u64);
            for &b in &self.bytes[int_start..int_end] {
                fits = fits
                    .and_then(|n| n.checked_mul(10))
                    .and_then(|n| n.checked_add(u64::from(b - b'0')));
            }
            if let Some(n) = fits {
                if !negative {
                    return Ok(Value::Number(n.into()));
                }
                if n != 0 && n <= 1 << 63 {
                    return Ok(Value::Number((n.wrapping_neg() as i64).into()));
                }
            }
        }
        let x = num::parse_f64(slice(self.text, start..self.pos));
        match Number::from_f64(x) {
            Some(n) => Ok(Value::Number(n)),
            None => {
                self.pos = start;
                Err(self.error("number out of range"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error's place as it was computed before one pass counted it (benches/SIZE.md,
    /// step 41): the last newline by `rposition`, lines and columns by `filter().count()`.
    fn place_by_scans(bytes: &[u8], pos: usize) -> (usize, usize) {
        let before = &bytes[..pos.min(bytes.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before[line_start..]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count()
            + 1;
        (line, column)
    }

    proptest::proptest! {
        /// Every position, inside a char or past the end included, gets the same line and
        /// column as by the scans.
        #[test]
        fn error_place_as_by_the_scans(text in "[a \n\u{e9}\u{1f600}]{0,24}", pos in 0usize..100) {
            let p = Parser { text: &text, bytes: text.as_bytes(), pos, keys: () };
            let e = p.error("x");
            proptest::prop_assert_eq!((e.line, e.column), place_by_scans(text.as_bytes(), pos));
        }
    }

    #[test]
    fn repeated_keys_worked_examples() {
        let noted = |text: &str| {
            let (v, keys) = parse_noting_repeated_keys(text).expect("JSON");
            assert_eq!(Ok(&v), parse(text).as_ref(), "the same value as parse");
            keys.into_iter()
                .map(|(path, key)| format!("{path} {key}"))
                .collect::<Vec<_>>()
        };
        let none: Vec<String> = Vec::new();
        assert_eq!(noted(r#"{"a": 1, "b": {"a": 2}}"#), none);
        assert_eq!(noted(r#"{"a": 1, "a": 2}"#), ["a a"]);
        assert_eq!(
            noted(r#"{"stages": {"mql": {"gte": 10}, "mql": {"gte": 90}}}"#),
            ["stages.mql mql"]
        );
        assert_eq!(
            noted(r#"{"rules": [{"id": "x"}, {"points": 1, "when": {}, "points": 50}]}"#),
            ["rules[1].points points"]
        );
        // Three times is two repeats; a repeat inside a repeated value is noted first.
        assert_eq!(
            noted(r#"{"k": 1, "k": {"z": 1, "z": 2}, "k": 3}"#),
            ["k.z z", "k k", "k k"]
        );
        // Keys are compared unescaped; the path is built from the key as read.
        assert_eq!(
            noted(r#"[[], [{"a\u0062": 1, "ab": 2}]]"#),
            ["[1][0].ab ab"]
        );
        // An empty key at the root is the path "".
        assert_eq!(noted(r#"{"": 1, "": 2}"#), [" "]);
        // At most MAX_REPEATED of them.
        let many = format!("{{{}\"a\": 0}}", "\"a\": 0, ".repeat(MAX_REPEATED + 10));
        assert_eq!(noted(&many).len(), MAX_REPEATED);
        // A syntax error is the same error.
        assert_eq!(
            parse_noting_repeated_keys("{bad json").map(|_| ()),
            parse("{bad json").map(|_| ())
        );
    }

    /// A JSON text whose objects may repeat keys: leaves, lists, and objects as member lists.
    #[derive(Debug, Clone)]
    enum Doc {
        Leaf(u8),
        List(Vec<Doc>),
        Object(Vec<(String, Doc)>),
    }

    impl Doc {
        fn text(&self, out: &mut String) {
            match self {
                Doc::Leaf(n) => out.push_str(&n.to_string()),
                Doc::List(items) => {
                    out.push('[');
                    for (i, d) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        d.text(out);
                    }
                    out.push(']');
                }
                Doc::Object(members) => {
                    out.push('{');
                    for (i, (k, d)) in members.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&format!("{k:?}: "));
                        d.text(out);
                    }
                    out.push('}');
                }
            }
        }

        /// The repeats, in the order the parser meets their ends.
        fn repeats(&self, path: &str, out: &mut Vec<(String, String)>) {
            match self {
                Doc::Leaf(_) => {}
                Doc::List(items) => {
                    for (i, d) in items.iter().enumerate() {
                        d.repeats(&format!("{path}[{i}]"), out);
                    }
                }
                Doc::Object(members) => {
                    let mut seen: Vec<&str> = Vec::new();
                    for (k, d) in members {
                        let at = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        d.repeats(&at, out);
                        if seen.contains(&k.as_str()) {
                            out.push((at, k.clone()));
                        } else {
                            seen.push(k);
                        }
                    }
                }
            }
        }
    }

    fn arb_doc() -> impl proptest::strategy::Strategy<Value = Doc> {
        use proptest::prelude::*;
        let leaf = any::<u8>().prop_map(Doc::Leaf);
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Doc::List),
                proptest::collection::vec(("[ab.]{0,2}", inner), 0..5).prop_map(Doc::Object),
            ]
        })
    }

    proptest::proptest! {
        /// The value is `parse`'s; the repeats are every key met again in its object, at the
        /// key's path.
        #[test]
        fn repeated_keys_as_by_the_members(doc in arb_doc()) {
            let mut text = String::new();
            doc.text(&mut text);
            let (v, keys) = parse_noting_repeated_keys(&text).expect("JSON");
            proptest::prop_assert_eq!(Ok(v), parse(&text));
            let mut want = Vec::new();
            doc.repeats("", &mut want);
            want.truncate(MAX_REPEATED);
            proptest::prop_assert_eq!(keys, want);
        }
    }
}
