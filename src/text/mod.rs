//! Small string routines the engine uses in place of core's general ones.
//!
//! Why: the site snippet's wasm is downloaded by every site visitor (benches/SIZE.md, step 26).
//! core's versions carry machinery the engine does not need for its inputs: the two-way substring
//! searcher, the Unicode alphabetic/numeric tables behind `char::is_alphanumeric`, `{:?}`'s
//! escaping with its Unicode printable tables (kept in by every `{:?}` of a string and by the
//! panic of every `str` slice), and a generic `str::parse` per integer type. Each routine here
//! says what it agrees with and where (if anywhere) it deliberately differs; its tests pin that.

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
/// Debug builds (the tests) assert the caller's promise, so a misplaced cut fails loudly there
/// instead of silently dropping text.
pub fn slice<R: SliceIndex<str, Output = str>>(text: &str, range: R) -> &str {
    let cut = text.get(range);
    debug_assert!(cut.is_some(), "text::slice outside the text or a char");
    cut.unwrap_or_default()
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
        let mut cuts = 0;
        for a in 0..=text.len() {
            for b in a..=text.len() {
                if let Some(s) = text.get(a..b) {
                    assert_eq!(slice(text, a..b), s, "{a}..{b}");
                    cuts += 1;
                }
            }
            if let Some(s) = text.get(a..) {
                assert_eq!(slice(text, a..), s);
                assert_eq!(slice(text, ..a), &text[..a]);
            }
        }
        assert_eq!(cuts, 15, "five boundaries: 5·4/2 + 5 empty ranges");
        assert_eq!(slice(text, 1..3), "é");
    }

    /// A cut inside a char is the caller's bug: the tests (debug builds) fail on it.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "text::slice")]
    fn slice_inside_a_char_fails_in_debug_builds() {
        slice("aé", 1..2);
    }
}
