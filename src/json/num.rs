//! Numbers as text: the shortest round-trip digits of an `f64`, laid out the way serde_json
//! prints them (or the way `<f64 as Display>` does, for messages), and text back to `f64`.
//!
//! The hard parts (shortest digits, correctly rounded reading) come from a platform backend:
//! zmij (serde_json's formatter) and core's parsing everywhere except the site snippet, where
//! the browser's own `Number` does both so that no float tables ship in its wasm
//! (benches/SIZE.md, step 23).
//! Both backends hand over decimal text; [`Digits::read`] turns either dialect into digits and
//! an exponent, so the layout below is shared.

use crate::text::int::parse_i32;
use crate::text::slice;

/// A finite, non-zero magnitude as `0.d1d2…dn × 10^(exp + 1)`, i.e. `d1.d2…dn × 10^exp`:
/// at most 17 significant digits (the most a shortest `f64` needs), no leading or trailing
/// zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digits {
    digits: [u8; 17],
    len: usize,
    /// Scientific exponent: the power of ten of the first digit.
    exp: i32,
}

impl Digits {
    /// Reads decimal text in either backend's dialect: `123`, `0.000123`, `1.5e-7`, `1e+21`
    /// (JavaScript's `Number.prototype.toString`) or `1.0`, `1.5e-7`, `1e+21` (zmij, as
    /// serde_json writes). The sign, if any, is ignored; `None` for zero or text that is not a
    /// number.
    pub fn read(text: &str) -> Option<Digits> {
        let text = text.strip_prefix('-').unwrap_or(text);
        let (mantissa, exp) = match text.find(['e', 'E']) {
            Some(i) => {
                let e = slice(text, i + 1..);
                let e = e.strip_prefix('+').unwrap_or(e);
                (slice(text, ..i), parse_i32(e)?)
            }
            None => (text, 0),
        };
        let mut out = Digits {
            digits: [b'0'; 17],
            len: 0,
            exp: 0,
        };
        // Digits kept so far, and how many of them are significant (trailing zeros wait in
        // `pending` until a non-zero digit shows they are inside the number).
        let mut seen_point = false;
        let mut int_digits: i32 = 0;
        let mut leading_zeros: i32 = 0;
        let mut pending = 0usize;
        for b in mantissa.bytes() {
            match b {
                b'.' if !seen_point => seen_point = true,
                b'0'..=b'9' => {
                    if !seen_point {
                        int_digits += 1;
                    }
                    if out.len == 0 && pending == 0 && b == b'0' {
                        leading_zeros += 1;
                    } else if b == b'0' {
                        pending += 1;
                    } else {
                        // More than 17 significant digits never come from either backend.
                        if out.len + pending + 1 > out.digits.len() {
                            return None;
                        }
                        out.len += pending;
                        pending = 0;
                        out.digits[out.len] = b;
                        out.len += 1;
                    }
                }
                _ => return None,
            }
        }
        if out.len == 0 {
            return None;
        }
        // In `i64`: a token's exponent may be near `i32::MAX` (the caller then gets `None`).
        let e = i64::from(int_digits) - i64::from(leading_zeros) + i64::from(exp) - 1;
        out.exp = i32::try_from(e).ok()?;
        Some(out)
    }

    /// The digits of a whole number; `None` for zero. Read back from its decimal text: the
    /// same digits and exponent, without a digit loop of its own beside [`push_u64`] and
    /// [`Digits::read`].
    fn whole(n: u64) -> Option<Digits> {
        let mut text = String::new();
        push_u64(n, &mut text);
        Digits::read(&text)
    }

    /// Appends the digits at `range` (of `0..len`) to `out`.
    fn push(&self, range: core::ops::Range<usize>, out: &mut String) {
        // Only ASCII digits are ever stored: each byte is its char.
        let digits = self.digits.get(range).unwrap_or_default();
        out.extend(digits.iter().map(|&b| char::from(b)));
    }
}

/// The shortest digits of a finite, non-negative `x`; `None` for zero.
fn shortest(x: f64) -> Option<Digits> {
    // Whole numbers below 2^53 (counts, points, most scores) are their own digits: every
    // decimal with fewer significant digits is at least 1 away, farther than the next double.
    // No call into the backend (in the snippet, a call into JavaScript).
    if x < 9_007_199_254_740_992.0 && x.fract() == 0.0 {
        return Digits::whole(x as u64);
    }
    backend::shortest(x)
}

fn zeros(n: i32, out: &mut String) {
    for _ in 0..n {
        out.push('0');
    }
}

/// `digits` as a plain decimal (no exponent), with `".0"` after a whole number if asked.
fn fixed(d: &Digits, whole_suffix: &str, out: &mut String) {
    let (n, e) = (d.len as i32, d.exp);
    if n - 1 <= e {
        d.push(0..d.len, out);
        zeros(e + 1 - n, out);
        out.push_str(whole_suffix);
    } else if e >= 0 {
        let point = (e + 1) as usize;
        d.push(0..point, out);
        out.push('.');
        d.push(point..d.len, out);
    } else {
        out.push_str("0.");
        zeros(-e - 1, out);
        d.push(0..d.len, out);
    }
}

/// An `f64` as serde_json 1.0.154 writes it (its `zmij` formatter): plain decimals for
/// scientific exponents -5 through 15 (`0.00001`, `1000000000000000.0`, whole numbers with
/// `.0`), otherwise `d.ddde±x` (`1e-6`, `1e+16`, `1.5e-7`); `0.0`, `-0.0`; non-finite as `null`
/// (what serde_json writes for them).
pub fn write_f64(x: f64, out: &mut String) {
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    let Some(d) = shortest(x.abs()) else {
        out.push_str("0.0");
        return;
    };
    if (-5..=15).contains(&d.exp) {
        fixed(&d, ".0", out);
        return;
    }
    d.push(0..1, out);
    if d.len > 1 {
        out.push('.');
        d.push(1..d.len, out);
    }
    out.push('e');
    out.push(if d.exp < 0 { '-' } else { '+' });
    push_u64(u64::from(d.exp.unsigned_abs()), out);
}

/// An `f64` as `<f64 as Display>` prints it (`5`, `2.5`, `0.0000001`, `-0`, `NaN`, `inf`),
/// for messages, without core's float formatting in the snippet.
pub fn display_f64(x: f64, out: &mut String) {
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    if x.is_infinite() {
        out.push_str("inf");
        return;
    }
    match shortest(x.abs()) {
        Some(d) => fixed(&d, "", out),
        None => out.push('0'),
    }
}

/// [`display_f64`] as a `String`, for `format!` arguments.
pub fn display(x: f64) -> String {
    let mut out = String::new();
    display_f64(x, &mut out);
    out
}

/// Decimal digits of an unsigned integer (no `core::fmt`).
pub fn push_u64(mut n: u64, out: &mut String) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| char::from(b)));
}

/// A decimal number token as the nearest `f64`: JSON's grammar, or the looser
/// `[+-]digits[.digits]` of numeric strings (a `+`, leading zeros, `1.`, `.5`), which every
/// path below reads alike (checked by the caller; neither backend is handed anything else).
pub fn parse_f64(token: &str) -> f64 {
    exact(token).unwrap_or_else(|| backend::parse(token))
}

/// The common case without the backend (in the snippet, a call into JavaScript per number):
/// at most 15 significant digits and a power of ten within 10^±22. Both the digits and the
/// power are exact doubles then, so one multiplication or division rounds correctly (Clinger's
/// fast path). `None` for anything else, which the backend reads.
fn exact(token: &str) -> Option<f64> {
    let negative = token.starts_with('-');
    // Zero (no digits) is left to the backend.
    let d = Digits::read(token)?;
    if d.len > 15 {
        return None;
    }
    let mut digits: u64 = 0;
    for &b in &d.digits[..d.len] {
        digits = digits * 10 + u64::from(b - b'0');
    }
    let power = d.exp.checked_sub(d.len as i32 - 1)?;
    if !(-22..=22).contains(&power) {
        return None;
    }
    // 10^k for k <= 22 is an exact double, and so is every step of this product.
    let mut ten_k = 1.0f64;
    for _ in 0..power.unsigned_abs() {
        ten_k *= 10.0;
    }
    let magnitude = if power < 0 {
        digits as f64 / ten_k
    } else {
        digits as f64 * ten_k
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The backend this build uses (see the module note).
#[cfg(not(all(target_arch = "wasm32", not(feature = "analytics"))))]
use core_backend as backend;
#[cfg(all(target_arch = "wasm32", not(feature = "analytics")))]
use js_backend as backend;

/// Native conversions: zmij (serde_json's own formatter) for the shortest digits, core's
/// `str::parse` (correctly rounded) for reading.
pub mod core_backend {
    use super::Digits;

    pub fn shortest(x: f64) -> Option<Digits> {
        Digits::read(zmij::Buffer::new().format_finite(x))
    }

    pub fn parse(token: &str) -> f64 {
        token.parse().unwrap_or(f64::NAN)
    }
}

/// The host's conversions: `Number.prototype.toString()` prints the shortest digits that read
/// back as the same double (ECMA-262 Number::toString), `parseFloat` rounds correctly.
///
/// NOTE: the one place outside `src/wasm/` that imports `js_sys`. Numbers are needed by the
/// engine's own JSON text layer, below the binding layer, and the snippet's budget is the
/// reason to borrow the browser's float code rather than ship core's (~20 KB). Compiled for
/// every wasm32 build so `tests/wasm_*.rs` can compare it with [`super::core_backend`];
/// only the snippet build (no `analytics`) uses it.
#[cfg(target_arch = "wasm32")]
pub mod js_backend {
    use super::Digits;

    pub fn shortest(x: f64) -> Option<Digits> {
        let text = js_sys::Number::from(x).to_string_with_radix(10).ok()?;
        Digits::read(&String::from(text))
    }

    pub fn parse(token: &str) -> f64 {
        js_sys::Number::parse_float(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(x: f64) -> String {
        let mut s = String::new();
        write_f64(x, &mut s);
        s
    }

    #[test]
    fn digits_from_both_dialects() {
        let d = |t: &str| {
            Digits::read(t).map(|d| {
                let mut digits = String::new();
                d.push(0..d.len, &mut digits);
                (digits, d.exp)
            })
        };
        let table: &[(&str, Option<(&str, i32)>)] = &[
            ("123", Some(("123", 2))),
            ("100000000000000000000", Some(("1", 20))),
            ("0.000123", Some(("123", -4))),
            ("1.5e-7", Some(("15", -7))),
            ("1e+21", Some(("1", 21))),
            ("1e21", Some(("1", 21))),
            ("-2.5", Some(("25", 0))),
            ("1.2345678901234568e17", Some(("12345678901234568", 17))),
            ("102.05", Some(("10205", 2))),
            ("5e-324", Some(("5", -324))),
            ("0e0", None),
            ("0", None),
            ("", None),
            ("1x", None),
            ("1e", None),
            ("123456789012345678", None),
        ];
        for (text, want) in table {
            assert_eq!(d(text), want.map(|(s, e)| (s.to_string(), e)), "{text}");
        }
    }

    #[test]
    fn serde_json_layout() {
        let table: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e-5, "0.00001"),
            (1e-6, "1e-6"),
            (1.5e-7, "1.5e-7"),
            (0.0001234, "0.0001234"),
            (12345.678, "12345.678"),
            (1e15, "1000000000000000.0"),
            (1.2345e15, "1234500000000000.0"),
            (1e16, "1e+16"),
            (1.2345e16, "1.2345e+16"),
            (1e21, "1e+21"),
            (2_710_279_511_066_905.0 / 4.0, "677569877766726.2"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::NAN, "null"),
            (f64::NEG_INFINITY, "null"),
        ];
        for (x, want) in table {
            assert_eq!(json(*x), *want, "{x:e}");
            if x.is_finite() {
                assert_eq!(json(*x), serde_json::to_string(x).unwrap(), "{x:e}");
            }
        }
    }

    #[test]
    fn display_layout() {
        // (`Display` breaks ties upwards: 677569877766726.25 prints `…726.3`, we print `…726.2`.)
        assert_eq!(display(2_710_279_511_066_905.0 / 4.0), "677569877766726.2");
        for x in [
            0.0,
            -0.0,
            5.0,
            2.5,
            -1.0,
            1e21,
            1e-7,
            0.1,
            123.456,
            1e300,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(display(x), format!("{x}"), "{x:e}");
        }
    }

    #[test]
    fn whole_numbers_skip_the_backend() {
        for x in [
            1.0,
            7.0,
            10.0,
            120.0,
            1e15,
            9_007_199_254_740_991.0,
            4_503_599_627_370_497.0,
        ] {
            assert_eq!(shortest(x), core_backend::shortest(x), "{x}");
        }
        assert_eq!(Digits::whole(0), None);
    }

    #[test]
    fn integers() {
        for n in [0, 7, 10, 99, 100, 12345, u64::MAX] {
            let mut s = String::new();
            push_u64(n, &mut s);
            assert_eq!(s, n.to_string());
        }
    }

    /// The fast path through [`Digits::read`]: trailing zeros are not significant digits
    /// (`1500` is 15 × 10²), zero and anything past 15 digits or 10^±22 go to the backend, and
    /// an exponent near `i32`'s ends is refused, not wrapped.
    #[test]
    fn exact_reads_the_common_tokens() {
        for (token, want) in [
            ("1500", Some(1500.0)),
            ("-2.50", Some(-2.5)),
            ("0.000125", Some(0.000125)),
            ("00012", Some(12.0)),
            (".5", Some(0.5)),
            ("1.", Some(1.0)),
            ("1e+5", Some(1e5)),
            ("12345678901234500000", Some(1.234_567_890_123_45e19)),
            ("123456789012345.6", None),
            ("1e23", None),
            ("1e-23", None),
            ("0", None),
            ("-0.0", None),
            ("+5", None),
            ("1e2147483647", None),
            ("10e2147483647", None),
            ("0.01e-2147483648", None),
            ("1e99999999999", None),
        ] {
            assert_eq!(exact(token), want, "{token}");
        }
    }

    /// The digit loop `Digits::whole` was before it read its number's text back (benches/SIZE.md,
    /// step 41): the oracle of the tests below.
    fn whole_by_division(mut n: u64) -> Option<Digits> {
        if n == 0 {
            return None;
        }
        let mut exp = -1;
        while n % 10 == 0 {
            n /= 10;
            exp += 1;
        }
        let mut rev = [0u8; 17];
        let mut len = 0;
        while n > 0 {
            rev[len] = b'0' + (n % 10) as u8;
            n /= 10;
            len += 1;
        }
        let mut out = Digits {
            digits: [b'0'; 17],
            len,
            exp: exp + len as i32,
        };
        for i in 0..len {
            out.digits[i] = rev[len - 1 - i];
        }
        Some(out)
    }

    #[test]
    fn whole_numbers_worked_examples() {
        let digits = |d: Digits| (d.digits[..d.len].to_vec(), d.exp);
        assert_eq!(Digits::whole(0), None);
        assert_eq!(Digits::whole(7).map(digits), Some((b"7".to_vec(), 0)));
        assert_eq!(Digits::whole(1500).map(digits), Some((b"15".to_vec(), 3)));
        assert_eq!(Digits::whole(10).map(digits), Some((b"1".to_vec(), 1)));
        assert_eq!(
            Digits::whole((1 << 53) - 1).map(digits),
            Some((b"9007199254740991".to_vec(), 15))
        );
        for n in [0, 1, 9, 10, 101, 1000, 123_456_789, (1 << 53) - 1, 1 << 53] {
            assert_eq!(Digits::whole(n), whole_by_division(n), "{n}");
        }
    }

    proptest::proptest! {
        /// Every whole number `shortest` hands to `whole` (below 2^53) and beyond, up to the
        /// 17 digits a `Digits` holds: the same digits and exponent as the division loop.
        #[test]
        fn whole_reads_as_the_division_loop(
            n in proptest::prop_oneof![0u64..1000, 0u64..(1 << 53), 0u64..100_000_000_000_000_000],
            zeros in 0u32..4,
        ) {
            let n = n.saturating_mul(10u64.pow(zeros)).min(99_999_999_999_999_999);
            proptest::prop_assert_eq!(Digits::whole(n), whole_by_division(n), "{}", n);
        }

        /// Whatever the fast path reads is what core reads (the nearest double), over the
        /// loose grammar of numeric strings and exponents up to `i32`'s ends and past them.
        #[test]
        fn exact_is_core_parse(
            token in "[+-]?[0-9]{0,20}(\\.[0-9]{0,20})?([eE][+-]?([0-9]{1,3}|214748364[0-9]|[0-9]{11}))?"
        ) {
            if let Ok(core) = token.parse::<f64>() {
                if let Some(x) = exact(&token) {
                    proptest::prop_assert_eq!(x.to_bits(), core.to_bits(), "{}", token);
                }
                proptest::prop_assert_eq!(parse_f64(&token).to_bits(), core.to_bits(), "{}", token);
            }
        }
    }
}
