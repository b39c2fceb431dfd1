//! Integers read without `str::parse` (one generic copy per integer type in the wasm, ~600 B
//! each) and written without `core::fmt`.

/// What `text.parse::<i64>().ok()` gives: an optional `+` or `-`, then at least one ASCII digit
/// and nothing else, within range.
pub fn parse_i64(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        let digit = i64::from(b.wrapping_sub(b'0'));
        if digit > 9 {
            return None;
        }
        // Negative numbers accumulate downwards, so `i64::MIN` is read too.
        n = n.checked_mul(10)?;
        n = if negative {
            n.checked_sub(digit)?
        } else {
            n.checked_add(digit)?
        };
    }
    Some(n)
}

/// The low `digits` hex digits of `n`, lowercase, most significant first (`{n:0digits$x}` for
/// a number that fits): one writer for the model hash, random ids and JSON's `\u00XX`, where
/// `format!`'s `LowerHex` would bring core's padding code into the snippet.
pub fn push_hex(n: u64, digits: u32, out: &mut String) {
    for i in (0..digits).rev() {
        out.push(char::from(
            b"0123456789abcdef"[((n >> (4 * i)) & 0xf) as usize],
        ));
    }
}

/// `{n}` of an `i64` (what `n.to_string()` writes), pushed without core's integer `Display`:
/// each integer type's `Display` is a function of its own in the wasm, kept by every `{}` of it.
pub fn push_i64(n: i64, out: &mut String) {
    if n < 0 {
        out.push('-');
    }
    crate::json::num::push_u64(n.unsigned_abs(), out);
}

/// What `text.parse::<i32>().ok()` gives.
pub fn parse_i32(text: &str) -> Option<i32> {
    parse_i64(text).and_then(|n| i32::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        for text in [
            "0",
            "7",
            "+7",
            "-7",
            "007",
            "-0",
            "",
            "+",
            "-",
            "+-1",
            "--1",
            "1-",
            " 1",
            "1 ",
            "1e3",
            "١",
            "2147483647",
            "2147483648",
            "-2147483648",
            "-2147483649",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999999",
        ] {
            assert_eq!(parse_i64(text), text.parse::<i64>().ok(), "{text}");
            assert_eq!(parse_i32(text), text.parse::<i32>().ok(), "{text}");
        }
    }

    fn pushed(n: i64) -> String {
        let mut out = String::from("<");
        push_i64(n, &mut out);
        out
    }

    #[test]
    fn push_hex_worked_examples() {
        let hex = |n: u64, digits: u32| {
            let mut out = String::from("<");
            push_hex(n, digits, &mut out);
            out
        };
        assert_eq!(hex(0, 0), "<");
        assert_eq!(hex(0, 2), "<00");
        assert_eq!(hex(0x1f, 2), "<1f");
        assert_eq!(hex(0xabc, 2), "<bc");
        assert_eq!(hex(u64::MAX, 16), "<ffffffffffffffff");
        assert_eq!(hex(0x0123_4567_89ab_cdef, 16), "<0123456789abcdef");
    }

    #[test]
    fn push_i64_worked_examples() {
        assert_eq!(pushed(0), "<0");
        assert_eq!(pushed(7), "<7");
        assert_eq!(pushed(-1), "<-1");
        assert_eq!(pushed(10_080), "<10080");
        assert_eq!(pushed(i64::MAX), "<9223372036854775807");
        assert_eq!(pushed(i64::MIN), "<-9223372036854775808");
    }

    proptest! {
        #[test]
        fn push_hex_is_lower_hex(n: u64, digits in 1u32..=16) {
            let mut out = String::new();
            push_hex(n, digits, &mut out);
            let low = if digits == 16 { n } else { n & ((1u64 << (4 * digits)) - 1) };
            prop_assert_eq!(out, format!("{low:0width$x}", width = digits as usize));
        }

        #[test]
        fn push_i64_is_display(n: i64) {
            prop_assert_eq!(pushed(n), format!("<{n}"));
        }

        #[test]
        fn agrees_with_str_parse(text in "[-+]?[0-9+-]{0,21}|[0-9a ]{0,4}") {
            prop_assert_eq!(parse_i64(&text), text.parse::<i64>().ok());
            prop_assert_eq!(parse_i32(&text), text.parse::<i32>().ok());
        }

        #[test]
        fn reads_what_display_writes(n: i64) {
            prop_assert_eq!(parse_i64(&n.to_string()), Some(n));
            prop_assert_eq!(parse_i64(&format!("+{n}")), (n >= 0).then_some(n));
        }
    }
}
