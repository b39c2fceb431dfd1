//! Bytes to text with invalid UTF-8 replaced: what `String::from_utf8_lossy(..).into_owned()`
//! gives, decoded here one sequence at a time. Neither core's `Utf8Chunks` iterator nor
//! `str::from_utf8` (whose word-at-a-time validator is ~0.7 KB of wasm that only the
//! query-string decoder used; benches/SIZE.md, steps 31 and 34) is needed.

/// `bytes` as text, each maximal invalid subsequence replaced by U+FFFD, exactly as
/// `String::from_utf8_lossy` does.
pub fn utf8_lossy(bytes: Vec<u8>) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let (len, decoded) = sequence(rest);
        out.push(decoded.unwrap_or('\u{FFFD}'));
        rest = rest.get(len..).unwrap_or_default();
    }
    out
}

/// The UTF-8 sequence at the start of `b` (not empty): its length and its char, or, when it
/// is not well formed, the length of its maximal invalid subpart (at least 1) and none. The
/// well-formed sequences are those of the Unicode Standard's table 3-7: the second byte's
/// range depends on the first (no overlong forms, no surrogates, nothing above U+10FFFF).
fn sequence(b: &[u8]) -> (usize, Option<char>) {
    let first = b.first().copied().unwrap_or_default();
    let (len, low, high) = match first {
        0x00..=0x7F => return (1, Some(char::from(first))),
        0xC2..=0xDF => (2, 0x80, 0xBF),
        0xE0 => (3, 0xA0, 0xBF),
        0xED => (3, 0x80, 0x9F),
        0xE1..=0xEF => (3, 0x80, 0xBF),
        0xF0 => (4, 0x90, 0xBF),
        0xF4 => (4, 0x80, 0x8F),
        0xF1..=0xF3 => (4, 0x80, 0xBF),
        _ => return (1, None),
    };
    // The payload bits of the first byte: 5, 4 or 3 for sequences of 2, 3 or 4 bytes.
    let mut code = u32::from(first) & (0x7F >> len);
    for i in 1..len {
        let (low, high) = if i == 1 { (low, high) } else { (0x80, 0xBF) };
        match b.get(i) {
            Some(&c) if (low..=high).contains(&c) => code = code << 6 | u32::from(c & 0x3F),
            _ => return (i, None),
        }
    }
    (len, char::from_u32(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sequences_worked_examples() {
        for (bytes, expected) in [
            (&b"a"[..], (1, Some('a'))),
            (b"\x7f\x80", (1, Some('\u{7f}'))),
            ("\u{e9}x".as_bytes(), (2, Some('\u{e9}'))),
            ("\u{800}".as_bytes(), (3, Some('\u{800}'))),
            ("\u{d7ff}".as_bytes(), (3, Some('\u{d7ff}'))),
            ("\u{ffff}".as_bytes(), (3, Some('\u{ffff}'))),
            ("\u{10000}".as_bytes(), (4, Some('\u{10000}'))),
            ("\u{10ffff}".as_bytes(), (4, Some('\u{10ffff}'))),
            (b"\x80", (1, None)),
            (b"\xc1\xbf", (1, None)),
            (b"\xc3", (1, None)),
            (b"\xe0\x9f\x80", (1, None)),
            (b"\xe0\xa0", (2, None)),
            (b"\xed\xa0\x80", (1, None)),
            (b"\xf0\x8f\x80\x80", (1, None)),
            (b"\xf0\x90\x80z", (3, None)),
            (b"\xf4\x90\x80\x80", (1, None)),
            (b"\xf5\x80\x80\x80", (1, None)),
            (b"\xff", (1, None)),
        ] {
            assert_eq!(sequence(bytes), expected, "{bytes:?}");
        }
    }

    #[test]
    fn worked_examples() {
        for (bytes, text) in [
            (&b""[..], ""),
            (b"utm", "utm"),
            ("caf\u{e9}".as_bytes(), "caf\u{e9}"),
            (b"a\xffb", "a\u{FFFD}b"),
            (b"\xe6\x97", "\u{FFFD}"),
            (b"x\xe6\x97y", "x\u{FFFD}y"),
            (b"\xf0\x9f\x98", "\u{FFFD}"),
            (b"\xc0\x80", "\u{FFFD}\u{FFFD}"),
            (b"\xed\xa0\x80z", "\u{FFFD}\u{FFFD}\u{FFFD}z"),
            (b"\xff\xfe", "\u{FFFD}\u{FFFD}"),
        ] {
            assert_eq!(utf8_lossy(bytes.to_vec()), text, "{bytes:?}");
        }
    }

    proptest! {
        #[test]
        fn every_char_is_one_sequence(c in any::<char>(), tail in proptest::collection::vec(any::<u8>(), 0..3)) {
            let mut bytes = c.to_string().into_bytes();
            bytes.extend(tail);
            prop_assert_eq!(sequence(&bytes), (c.len_utf8(), Some(c)));
        }

        #[test]
        fn agrees_with_std(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(utf8_lossy(bytes.clone()), String::from_utf8_lossy(&bytes).into_owned());
        }

        #[test]
        fn agrees_with_std_on_near_utf8(text in ".{0,8}", cuts in proptest::collection::vec((0usize..40, any::<u8>()), 0..4)) {
            let mut bytes = text.into_bytes();
            for (at, byte) in cuts {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = byte;
                }
            }
            prop_assert_eq!(utf8_lossy(bytes.clone()), String::from_utf8_lossy(&bytes).into_owned());
        }
    }
}
