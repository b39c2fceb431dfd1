//! Strings quoted in messages (`unknown key "pgae"`) without `{:?}`: core's `str` `Debug` escapes
//! with the Unicode printable and grapheme-extend tables (`char::escape_debug`), which the
//! snippet's wasm would otherwise carry for its messages alone.
//!
//! [`quoted`] writes what `{:?}` writes for every string of chars below U+0370 (ASCII, Latin,
//! IPA, combining marks): `"` and `\` escaped, `\t` `\r` `\n` `\0` as such, other control chars,
//! the no-break space, the soft hyphen and combining marks as `\u{..}`. Above, it escapes the
//! other spaces and the invisible format chars (zero-width space and joiners, General
//! Punctuation's direction marks and isolates, word joiner, byte-order mark) as `{:?}` does,
//! and writes the rest as it is, where `{:?}` also escapes unassigned code points, private use
//! chars, other scripts' combining marks and a few rarer format chars.

use core::fmt::{self, Display, Formatter};

/// `text` in double quotes, escaped for a message (see the module docs).
pub fn quoted(text: &str) -> Quoted<'_> {
    Quoted(text)
}

/// Appends `text` quoted as [`quoted`] writes it: one call for every message built by pushes
/// (`model::check`), instead of a `format!` per message site. Pushes to the `String` directly;
/// `Display` goes through here too, so the escaping is written once and its chars are not
/// each a call through the formatter's `dyn Write` (benches/SIZE.md, step 37).
#[inline(never)]
pub fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\0' => out.push_str("\\0"),
            c if escaped(c) => push_code_point(out, c),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// What [`quoted`] returns: writes the quoted text where it is formatted.
pub struct Quoted<'a>(&'a str);

impl Display for Quoted<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        push_quoted(&mut out, self.0);
        f.write_str(&out)
    }
}

/// `\u{..}` with the code point in lower-case hex, no leading zeros: as `{:?}` writes it.
fn push_code_point(out: &mut String, c: char) {
    let u = u32::from(c);
    let digits = (u32::BITS - u.leading_zeros()).div_ceil(4).max(1);
    out.push_str("\\u{");
    for i in (0..digits).rev() {
        out.push(char::from_digit((u >> (4 * i)) & 0xF, 16).unwrap_or('0'));
    }
    out.push('}');
}

/// Chars written as `\u{..}`: control chars, spaces other than the ASCII one, the soft hyphen,
/// combining diacritical marks and the invisible format chars.
fn escaped(c: char) -> bool {
    matches!(
        u32::from(c),
        0..=0x1F
            | 0x7F..=0xA0
            | 0xAD
            | 0x300..=0x36F
            | 0x1680
            | 0x2000..=0x200F
            | 0x2028..=0x202F
            | 0x205F..=0x206F
            | 0x3000
            | 0xFEFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        for (text, expected) in [
            ("pgae", r#""pgae""#),
            ("", r#""""#),
            (r#"say "hi" \o/"#, r#""say \"hi\" \\o/""#),
            ("tab\there\r\nend\0", r#""tab\there\r\nend\0""#),
            ("bell\u{7}del\u{7f}", r#""bell\u{7}del\u{7f}""#),
            ("it's", r#""it's""#),
            (
                "Zürich ΟΔΟΣ Москва 東京 🚀",
                r#""Zürich ΟΔΟΣ Москва 東京 🚀""#,
            ),
            (
                "cafe\u{301} soft\u{ad}hyphen",
                r#""cafe\u{301} soft\u{ad}hyphen""#,
            ),
            (
                "zero\u{200b}width \u{feff}bom \u{202e}rtl",
                r#""zero\u{200b}width \u{feff}bom \u{202e}rtl""#,
            ),
        ] {
            assert_eq!(quoted(text).to_string(), expected, "{text:?}");
            assert_eq!(format!("{text:?}"), expected, "std: {text:?}");
        }
    }

    /// Every char below U+0370, alone and between letters, is written as `{:?}` writes it.
    #[test]
    fn agrees_with_debug_below_greek() {
        for c in (0..0x370u32).filter_map(char::from_u32) {
            for text in [c.to_string(), format!("a{c}b")] {
                assert_eq!(quoted(&text).to_string(), format!("{text:?}"));
            }
        }
    }

    /// The invisible format chars escaped above U+0370 are the ones `{:?}` escapes too; what
    /// `{:?}` escapes besides (unassigned code points, private use, other marks) is written as is.
    #[test]
    fn escaped_format_chars_agree_with_debug() {
        for c in (0x370..=0x10FFFFu32).filter_map(char::from_u32) {
            if escaped(c) {
                assert_eq!(
                    quoted(&c.to_string()).to_string(),
                    format!("{:?}", c.to_string())
                );
            }
        }
        for (c, std) in [('\u{378}', r#""\u{378}""#), ('\u{e000}', r#""\u{e000}""#)] {
            assert_eq!(format!("{:?}", c.to_string()), std);
            assert_eq!(quoted(&c.to_string()).to_string(), format!("\"{c}\""));
        }
    }

    /// Text of ASCII, Latin, combining marks and controls, with the other scripts of messages.
    fn message_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                (0u32..0x370).prop_filter_map("a char", char::from_u32),
                prop::sample::select(vec!['Ω', 'ς', 'Ж', 'ї', '日', '本', 'ー', '😀', '\u{200d}']),
            ],
            0..24,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn agrees_with_debug(text in message_text()) {
            prop_assert_eq!(quoted(&text).to_string(), format!("{text:?}"));
        }
    }
}
