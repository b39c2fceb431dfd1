//! Calendar dates for CRM exports: ISO-8601 dates and date-times, or epoch milliseconds.
//!
//! CRM exports carry dates as text (`2026-03-02`, `2026-03-02T14:05:00Z`, `2026-03-02 14:05`),
//! so the import needs a small, total parser. Everything is UTC unless an offset is given.

const MS_PER_DAY: i64 = 86_400_000;

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a date or date-time into milliseconds since the Unix epoch.
///
/// Accepts `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` (a space may replace the `T`),
/// and a bare integer of epoch milliseconds. Returns `None` for anything else.
pub fn parse_time(text: &str) -> Option<i64> {
    let s = text.trim();
    if let Some(ms) = digits(s) {
        // Ten digits or fewer is epoch seconds (exports from some CRMs), longer is milliseconds.
        return Some(if s.len() <= 10 { ms * 1000 } else { ms });
    }
    // One ISO-8601 reader for the whole crate: CRM dates parse exactly like event timestamps.
    crate::event::parse_iso8601(s)
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (UTC), years 0 to 9999: the
/// event reader's writer (one writer of the format for the crate).
pub fn format_time(ms: i64) -> String {
    let mut out = String::with_capacity(20);
    crate::event::push_iso8601(ms, &mut out);
    out
}

/// The start (Monday 00:00 UTC) of the ISO week holding `ms`.
pub fn week_start(ms: i64) -> i64 {
    let days = ms.div_euclid(MS_PER_DAY);
    // 1970-01-01 was a Thursday: shift so that Monday is weekday 0.
    let weekday = (days + 3).rem_euclid(7);
    (days - weekday) * MS_PER_DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1970-01-01", Some(0)),
            ("2026-03-02", Some(1_772_409_600_000)),
            (
                "2026-03-02T14:05:00Z",
                Some(1_772_409_600_000 + 14 * 3_600_000 + 5 * 60_000),
            ),
            (
                "2026-03-02 14:05",
                Some(1_772_409_600_000 + 14 * 3_600_000 + 5 * 60_000),
            ),
            ("2026-03-02T14:05:00.250Z", Some(1_772_460_300_250)),
            (
                "2026-03-02T14:05:00+02:00",
                Some(1_772_460_300_000 - 7_200_000),
            ),
            (
                "2026-03-02T14:05:00-0130",
                Some(1_772_460_300_000 + 5_400_000),
            ),
            ("1772409600000", Some(1_772_409_600_000)),
            ("1772409600", Some(1_772_409_600_000)),
            ("", None),
            ("yesterday", None),
            ("2026-13-01", None),
            ("2026-02-30x", None),
            ("2026-03-02T25:00Z", None),
            ("2026/03/02", None),
            ("2026-03-02T14", None),
            ("é026-03-02", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_time(text), *want, "{text}");
        }
    }

    #[test]
    fn formats_utc_with_zero_padding() {
        assert_eq!(format_time(1_772_460_300_000), "2026-03-02T14:05:00Z");
        assert_eq!(format_time(-86_400_000), "1969-12-31T00:00:00Z");
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(253_402_300_799_999), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn format_round_trips() {
        for ms in [0, 1_772_460_300_000, -86_400_000, 4_102_444_799_000] {
            assert_eq!(parse_time(&format_time(ms)), Some(ms));
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-03-04 is a Wednesday; its week starts Monday 2026-03-02.
        let wed = parse_time("2026-03-04T10:00:00Z").unwrap();
        assert_eq!(week_start(wed), parse_time("2026-03-02").unwrap());
        let mon = parse_time("2026-03-02").unwrap();
        assert_eq!(week_start(mon), mon);
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_is_identity(secs in -10_000_000_000i64..10_000_000_000i64) {
            let ms = secs * 1000;
            proptest::prop_assert_eq!(parse_time(&format_time(ms)), Some(ms));
        }
    }
}
