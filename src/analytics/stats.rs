//! Order statistics for time-in-stage and response times.

/// Nearest-rank quantile (`q` in 0..=1) of `values`; `None` when empty. Sorts `values` in place.
///
/// Nearest rank rather than interpolation: every reported figure is a duration some lead really
/// had, which is what a marketer expects when told "p90 time to first touch: 31 h".
pub fn quantile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = (q.clamp(0.0, 1.0) * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}

/// Median and 90th percentile together.
pub fn median_p90(values: &mut [f64]) -> (Option<f64>, Option<f64>) {
    (quantile(values, 0.5), quantile(values, 0.9))
}

/// `num / den`, or `None` when there is nothing to divide by.
pub fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples() {
        let cases: &[(&[f64], f64, Option<f64>)] = &[
            (&[], 0.5, None),
            (&[7.0], 0.5, Some(7.0)),
            (&[7.0], 0.9, Some(7.0)),
            (&[4.0, 1.0, 3.0, 2.0], 0.5, Some(2.0)),
            (
                &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
                0.9,
                Some(9.0),
            ),
            (
                &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
                0.9,
                Some(10.0),
            ),
            (&[5.0, 1.0], 0.0, Some(1.0)),
            (&[5.0, 1.0], 1.0, Some(5.0)),
        ];
        for (values, q, want) in cases {
            let mut v = values.to_vec();
            assert_eq!(quantile(&mut v, *q), *want, "{values:?} q={q}");
        }
        assert_eq!(ratio(1, 4), Some(0.25));
        assert_eq!(ratio(1, 0), None);
    }

    proptest::proptest! {
        #[test]
        fn quantiles_are_members_and_ordered(mut v in proptest::collection::vec(-1e6f64..1e6, 1..50)) {
            let (m, p) = median_p90(&mut v);
            let (m, p) = (m.unwrap(), p.unwrap());
            proptest::prop_assert!(v.contains(&m) && v.contains(&p));
            proptest::prop_assert!(m <= p);
        }
    }
}
