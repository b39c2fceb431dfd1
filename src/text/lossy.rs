//! Bytes to text with invalid UTF-8 replaced: what `String::from_utf8_lossy(..).into_owned()`
//! gives, through `str::from_utf8` and its error's lengths instead of core's `Utf8Chunks`
//! iterator (~0.7 KB of wasm that only the query-string decoder used).

/// `bytes` as text, each maximal invalid subsequence replaced by U+FFFD, exactly as
/// `String::from_utf8_lossy` does (`Utf8Error::error_len` is the length of that subsequence).
pub fn utf8_lossy(bytes: Vec<u8>) -> String {
    let mut out = String::new();
    let mut rest = &bytes[..];
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, after) = rest.split_at_checked(e.valid_up_to()).unwrap_or_default();
                // SAFETY: `from_utf8` just found these bytes valid.
                out.push_str(unsafe { std::str::from_utf8_unchecked(valid) });
                out.push('\u{FFFD}');
                match e.error_len() {
                    Some(len) => rest = after.get(len..).unwrap_or_default(),
                    // Cut short at the end: one replacement for the whole tail.
                    None => return out,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
