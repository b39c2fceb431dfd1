//! What a word character is for `containsWord` (`condition::words`), without core's Unicode
//! alphabetic and numeric tables (`char::is_alphanumeric`: ~2 KB of gzip in the snippet).
//!
//! The rule: ASCII letters and digits; above ASCII, every char except the separators listed in
//! [`SEPARATORS`]. Below U+0530 (Latin, IPA, Greek, Cyrillic: every script `fold` folds) the list
//! is exact, so the rule there is `char::is_alphanumeric`. Above, it names the punctuation and
//! symbol blocks and the common punctuation of other scripts (Armenian, Hebrew, Arabic,
//! Devanagari, Thai, CJK, full-width forms, emoji); letters of every script stay word chars.
//! Where it differs from `is_alphanumeric` (tests pin both directions):
//! - superscript digits and letters, letter-like symbols (`ℓ`, `Ω`), Roman numerals, circled and
//!   squared letters and digits (U+2000–U+2BFF, U+2E00–U+2E7F, U+1F000–U+1FBFF) separate words;
//! - above U+0530, combining marks (Devanagari's virama, Thai tone marks, ...; not Hebrew's
//!   cantillation marks U+0591–U+05AF, which separate), the rarer punctuation of other scripts
//!   and unassigned code points join words.

/// Non-ASCII ranges (inclusive, ascending) that separate words.
const SEPARATORS: [(u32, u32); 60] = [
    // Latin-1 punctuation and symbols (`ª µ º ¹ ² ³ ¼ ½ ¾` are word chars), `×`, `÷`.
    (0x80, 0xA9),
    (0xAB, 0xB1),
    (0xB4, 0xB4),
    (0xB6, 0xB8),
    (0xBB, 0xBB),
    (0xBF, 0xBF),
    (0xD7, 0xD7),
    (0xF7, 0xF7),
    // Modifier symbols (`˘ ˙ ˚ ˛ ˜ ˝`, tone letters) and combining marks, but for the few
    // `is_alphanumeric` counts (U+0345 and the combining Latin letters U+0363–U+036F).
    (0x2C2, 0x2C5),
    (0x2D2, 0x2DF),
    (0x2E5, 0x2EB),
    (0x2ED, 0x2ED),
    (0x2EF, 0x344),
    (0x346, 0x362),
    // Greek and Cyrillic punctuation and signs (and the unassigned code points among Greek).
    (0x375, 0x375),
    (0x378, 0x379),
    (0x37E, 0x37E),
    (0x380, 0x385),
    (0x387, 0x387),
    (0x38B, 0x38B),
    (0x38D, 0x38D),
    (0x3A2, 0x3A2),
    (0x3F6, 0x3F6),
    (0x482, 0x489),
    // Armenian, Hebrew, Arabic, Devanagari and Thai punctuation; U+0591–U+05AF are Hebrew
    // cantillation marks (combining marks for chanting), separators here as before.
    (0x55A, 0x55F),
    (0x589, 0x58A),
    (0x591, 0x5AF),
    (0x5BE, 0x5BE),
    (0x5C0, 0x5C0),
    (0x5C3, 0x5C3),
    (0x5C6, 0x5C6),
    (0x5F3, 0x5F4),
    (0x600, 0x60F),
    (0x61B, 0x61F),
    (0x66A, 0x66D),
    (0x6D4, 0x6D4),
    (0x964, 0x965),
    (0xE3F, 0xE3F),
    (0xE4F, 0xE4F),
    (0xE5A, 0xE5B),
    // General punctuation through miscellaneous symbols and arrows; supplemental punctuation.
    (0x2000, 0x2BFF),
    (0x2E00, 0x2E7F),
    // CJK punctuation (`々 〆 〇`, Hangzhou numerals and kana repeat marks are word chars),
    // kana voicing marks, `゠`, the katakana middle dot `・`.
    (0x3000, 0x3004),
    (0x3008, 0x3020),
    (0x302A, 0x3030),
    (0x3036, 0x3037),
    (0x303D, 0x303F),
    (0x3099, 0x309C),
    (0x30A0, 0x30A0),
    (0x30FB, 0x30FB),
    // Private use; variation selectors, vertical and small forms; the byte-order mark.
    (0xE000, 0xF8FF),
    (0xFE00, 0xFE6F),
    (0xFEFF, 0xFEFF),
    // Full-width punctuation and symbols; emoji and pictographs; tags and the private use planes.
    (0xFF00, 0xFF0F),
    (0xFF1A, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF65),
    (0xFFE0, 0xFFFF),
    (0x1F000, 0x1FBFF),
    (0xE0000, 0x10FFFF),
];

/// Whether `c` belongs to a word (see the module docs for the rule).
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let u = u32::from(c);
    !SEPARATORS.iter().any(|&(lo, hi)| lo <= u && u <= hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The words of `text` under a word-char rule, as `condition::words` splits them.
    fn split(text: &str, is_word: fn(char) -> bool) -> Vec<&str> {
        text.split(|c: char| !is_word(c))
            .filter(|w| !w.is_empty())
            .collect()
    }

    #[test]
    fn worked_examples() {
        for (text, expected) in [
            (
                "Sr. Director, EMEA/APAC",
                &["Sr", "Director", "EMEA", "APAC"][..],
            ),
            (
                "Head of Growth — «Ärzte» · Zürich",
                &["Head", "of", "Growth", "Ärzte", "Zürich"],
            ),
            (
                "ΟΔΟΣ; Ἀθῆναι · ООО «Рога»",
                &["ΟΔΟΣ", "Ἀθῆναι", "ООО", "Рога"],
            ),
            ("2×3 ½ µm ª", &["2", "3", "½", "µm", "ª"]),
            ("Hawaiʻi cafe\u{301}", &["Hawaiʻi", "cafe"]),
            (
                "マーケティング・マネージャー（東京）",
                &["マーケティング", "マネージャー", "東京"],
            ),
            (
                "市场部经理，北京。佐々木",
                &["市场部经理", "北京", "佐々木"],
            ),
            ("مدير، المبيعات؟", &["مدير", "المبيعات"]),
            ("מנהל־מכירות", &["מנהל", "מכירות"]),
            ("विपणन। प्रबंधक", &["विपणन", "प्रबंधक"]),
            ("ＣＥＯ！ＣＴＯ", &["ＣＥＯ", "ＣＴＯ"]),
            ("VP 🚀 Sales™", &["VP", "Sales"]),
        ] {
            assert_eq!(split(text, is_word_char), expected, "{text}");
        }
    }

    #[test]
    fn separators_are_sorted_and_disjoint() {
        assert!(SEPARATORS.iter().all(|&(lo, hi)| 0x80 <= lo && lo <= hi));
        assert!(SEPARATORS.windows(2).all(|w| w[0].1 < w[1].0));
    }

    /// Below U+0530 (ASCII, Latin, IPA, Greek, Cyrillic) the rule is `is_alphanumeric`.
    #[test]
    fn exact_below_armenian() {
        for c in (0..0x530u32).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    /// The letters and digits of the scripts B2B data is written in are word chars, as
    /// `is_alphanumeric` says.
    #[test]
    fn letters_of_other_scripts() {
        let blocks = [
            0x531..=0x556,   // Armenian capitals
            0x5D0..=0x5EA,   // Hebrew letters
            0x620..=0x64A,   // Arabic letters
            0x660..=0x669,   // Arabic-Indic digits
            0x905..=0x939,   // Devanagari letters
            0xE01..=0xE30,   // Thai consonants
            0x10D0..=0x10FA, // Georgian
            0x3041..=0x3096, // Hiragana
            0x30A1..=0x30FA, // Katakana
            0x4E00..=0x9FFF, // CJK ideographs
            0xAC00..=0xD7A3, // Hangul syllables
            0xFF10..=0xFF19, // full-width digits
            0xFF21..=0xFF3A, // full-width capitals
        ];
        for c in blocks.into_iter().flatten().filter_map(char::from_u32) {
            assert!(c.is_alphanumeric(), "{c:?}");
            assert!(is_word_char(c), "{c:?}");
        }
    }

    /// Every char where the rule and `is_alphanumeric` disagree is in a documented class.
    #[test]
    fn differences_are_the_documented_ones() {
        let (mut split_more, mut joined_more) = (0, 0);
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let u = u32::from(c);
            match (is_word_char(c), c.is_alphanumeric()) {
                (false, true) => {
                    split_more += 1;
                    let documented = [0x2000..=0x2BFF, 0x2E00..=0x2E7F, 0x1F000..=0x1FBFF];
                    assert!(documented.iter().any(|r| r.contains(&u)), "{c:?}");
                }
                (true, false) => {
                    joined_more += 1;
                    assert!(u >= 0x530, "{c:?}");
                }
                _ => {}
            }
        }
        // Superscripts, letter-like symbols, number forms and enclosed forms: a few hundred.
        assert!((100..1_000).contains(&split_more), "{split_more}");
        // Marks and punctuation of other scripts plus unassigned code points.
        assert!(joined_more > 0, "{joined_more}");
        // A virama joins a Hindi word where `is_alphanumeric` split it; `ℓ` separates.
        assert_eq!(split("हिन्दी", is_word_char), ["हिन्दी"]);
        assert_eq!(split("हिन्दी", char::is_alphanumeric), ["हिन", "दी"]);
        assert_eq!(split("5ℓ", is_word_char), ["5"]);
        assert_eq!(split("5ℓ", char::is_alphanumeric), ["5ℓ"]);
    }

    /// Chars from Latin, Greek and Cyrillic text with its punctuation, spaces and marks.
    fn european_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                (0x20u32..0x7F).prop_map(|u| char::from_u32(u).unwrap()),
                (0x80u32..0x530).prop_filter_map("a char", char::from_u32),
            ],
            0..32,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn splits_european_text_as_is_alphanumeric(text in european_text()) {
            prop_assert_eq!(split(&text, is_word_char), split(&text, char::is_alphanumeric));
        }
    }
}
