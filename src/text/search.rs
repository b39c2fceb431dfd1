//! Substring search without core's two-way searcher (`str::contains(&str)`, `str::find(&str)`).
//!
//! The naive scan is O(len(haystack) · len(needle)) at worst, where core's is linear; the
//! engine's needles are a model's short words and the URL's `"://"`, so the worst case stays
//! small, and the scan is a byte compare after a first-byte test.

/// Byte offset of the first occurrence of `needle` in `haystack`: what `haystack.find(needle)`
/// gives. Byte-wise is exact on UTF-8: a valid needle can only match at char boundaries.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, pat) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = pat.split_first() else {
        return Some(0);
    };
    let last_start = hay.len().checked_sub(pat.len())?;
    (0..=last_start).find(|&i| hay[i] == first && hay[i + 1..i + pat.len()] == *rest)
}

/// Whether `needle` occurs in `haystack`: what `haystack.contains(needle)` gives.
pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        for (hay, needle, at) in [
            ("", "", Some(0)),
            ("abc", "", Some(0)),
            ("", "a", None),
            ("abc", "abc", Some(0)),
            ("abc", "abcd", None),
            ("senior director", "director", Some(7)),
            ("aaab", "aab", Some(1)),
            ("abab", "bab", Some(1)),
            ("https://x.io/a", "://", Some(5)),
            ("école à paris", "à", Some(7)),
            ("日本語のテキスト", "テキ", Some(12)),
            ("é", "\u{301}", None),
        ] {
            assert_eq!(find(hay, needle), at, "{hay} / {needle}");
            assert_eq!(hay.find(needle), at, "std: {hay} / {needle}");
            assert_eq!(contains(hay, needle), at.is_some());
        }
    }

    /// Strings over a small alphabet with multi-byte chars, so that matches, near misses and
    /// shared UTF-8 lead/continuation bytes are all frequent.
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec!['a', 'b', 'é', 'è', 'σ', 'ς', '日', '本', '😀']),
            0..24,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn agrees_with_std(hay in text(), needle in text()) {
            prop_assert_eq!(find(&hay, &needle), hay.find(needle.as_str()));
            prop_assert_eq!(contains(&hay, &needle), hay.contains(needle.as_str()));
        }

        /// A needle cut out of the haystack is always found, at or before where it was cut.
        #[test]
        fn finds_every_cut(hay in text(), a in 0usize..24, len in 0usize..8) {
            let chars: Vec<char> = hay.chars().collect();
            let a = a.min(chars.len());
            let b = (a + len).min(chars.len());
            let needle: String = chars[a..b].iter().collect();
            let cut_at: usize = chars[..a].iter().map(|c| c.len_utf8()).sum();
            let found = find(&hay, &needle);
            prop_assert!(found.is_some_and(|i| i <= cut_at));
            prop_assert_eq!(found, hay.find(needle.as_str()));
        }
    }
}
