//! Small string routines the engine uses in place of core's general ones.
//!
//! Why: the site snippet's wasm is downloaded by every site visitor (benches/SIZE.md, step 26).
//! core's versions carry machinery the engine does not need for its inputs: the two-way substring
//! searcher, the Unicode alphabetic/numeric tables behind `char::is_alphanumeric`, `{:?}`'s
//! escaping with its Unicode printable tables (kept in by every `{:?}` of a string and by the
//! panic of every `str` slice), and a generic `str::parse` per integer type. Each routine here says what it agrees
//! with and where (if anywhere) it deliberately differs; its tests pin that.

pub mod int;
pub mod lossy;
pub mod quote;
pub mod search;
pub mod words;

use core::slice::SliceIndex;

/// `&text[range]` without its panic: `""` if `range` is out of bounds or not on char boundaries,
/// which callers rule out (they slice at positions they found in `text`). Why: the panic of
/// `str` indexing (`slice_error_fail`) formats the char it cut with `{:?}`, which keeps core's
/// escaping and Unicode printable tables in the snippet (~1.5 KB gzip with the message code).
pub fn slice<R: SliceIndex<str, Output = str>>(text: &str, range: R) -> &str {
    text.get(range).unwrap_or_default()
}

/// `items.join(sep)`: core's `join` is a general routine (~1 KB of wasm) for what is, in the
/// engine, a few names in a message.
pub fn join(items: &[&str], sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn join_worked_examples() {
        assert_eq!(join(&[], ", "), "");
        assert_eq!(join(&["a"], ", "), "a");
        assert_eq!(join(&["all", "any", "not"], ", "), "all, any, not");
        assert_eq!(join(&["path", "url"], " and "), "path and url");
        assert_eq!(join(&["", ""], "é"), "é");
    }

    proptest! {
        #[test]
        fn join_agrees_with_std(items in proptest::collection::vec(".{0,4}", 0..6), sep in ".{0,3}") {
            let items: Vec<&str> = items.iter().map(String::as_str).collect();
            prop_assert_eq!(join(&items, &sep), items.join(sep.as_str()));
        }
    }

    #[test]
    fn slice_is_indexing_where_indexing_does_not_panic() {
        let text = "aé日😀";
        for a in 0..=text.len() + 1 {
            for b in 0..=text.len() + 1 {
                let std = text.get(a..b);
                assert_eq!(slice(text, a..b), std.unwrap_or(""), "{a}..{b}");
                if let Some(s) = std {
                    assert_eq!(slice(text, a..b), &text[a..b]);
                    assert!(!s.is_empty() || a == b);
                }
            }
            assert_eq!(slice(text, a..), text.get(a..).unwrap_or(""));
            assert_eq!(slice(text, ..a), text.get(..a).unwrap_or(""));
        }
        assert_eq!(slice(text, 1..3), "é");
        assert_eq!(slice(text, 1..2), "");
    }
}
