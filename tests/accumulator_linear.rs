//! `Acc::add` under linear decay keeps the same buckets, in the same order, as the `retain`
//! it had before step 38 (benches/SIZE.md): the oracle below is that code, up to the bucket
//! bound (a full ring now merges its oldest buckets instead of dropping them). Stored states are
//! not checked for sorted buckets, so unsorted bucket lists are tested too.

use baton::condition::DAY_MS;
use baton::model::Decay;
use baton::state::{Acc, MAX_BUCKETS};
use proptest::prelude::*;

/// Period and points per bucket.
type Buckets = Vec<(i64, f64)>;

fn oracle(
    mut buckets: Vec<(i64, f64)>,
    percent: f64,
    period_days: f64,
    points: f64,
    at: i64,
) -> Result<Buckets, Buckets> {
    let period = (period_days * DAY_MS as f64).max(1.0);
    let idx = (at as f64 / period).floor() as i64;
    match buckets.binary_search_by_key(&idx, |(i, _)| *i) {
        Ok(pos) => buckets[pos].1 += points,
        Err(pos) => buckets.insert(pos, (idx, points)),
    }
    let life = (100.0 / percent).ceil() as i64;
    let newest = buckets.last().map_or(idx, |(i, _)| *i);
    buckets.retain(|(i, _)| newest - *i < life);
    if buckets.len() > MAX_BUCKETS {
        // A full ring merges its oldest buckets (their values: `engine_time.rs`).
        return Err(buckets);
    }
    Ok(buckets)
}

fn added(buckets: Vec<(i64, f64)>, decay: Decay, points: f64, at: i64) -> Vec<(i64, f64)> {
    let mut acc = Acc::Lin(buckets);
    acc.add(decay, points, at);
    match acc {
        Acc::Lin(b) => b,
        other => panic!("not linear: {other:?}"),
    }
}

#[test]
fn old_buckets_leave_worked_example() {
    // 25 % a week: a bucket lives 4 periods. Adding in period 6 keeps periods 3 to 6.
    let decay = Decay::Linear {
        percent: 25.0,
        period_days: 7.0,
    };
    let week = 7 * DAY_MS;
    let before = vec![(0, 1.0), (2, 1.0), (3, 2.0), (5, 1.0)];
    assert_eq!(
        added(before.clone(), decay, 4.0, 6 * week),
        vec![(3, 2.0), (5, 1.0), (6, 4.0)]
    );
    // Into an existing period: the newest bucket (period 5) sets the horizon, period 0 leaves.
    assert_eq!(
        added(before, decay, 4.0, 2 * week + 5),
        vec![(2, 5.0), (3, 2.0), (5, 1.0)]
    );
    // Unsorted (a hand-edited state): kept as `retain` keeps, order unchanged.
    assert_eq!(
        added(vec![(9, 1.0), (1, 1.0), (8, 1.0)], decay, 1.0, 0),
        vec![(9, 1.0), (8, 1.0)]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn add_keeps_what_retain_kept(
        sorted in any::<bool>(),
        mut buckets in prop::collection::vec((-60i64..60, -10.0f64..10.0), 0..30),
        percent in 0.5f64..100.0,
        period_days in 0.5f64..30.0,
        points in -10.0f64..10.0,
        at_days in -400i64..400,
    ) {
        if sorted {
            buckets.sort_by_key(|b| b.0);
            buckets.dedup_by_key(|b| b.0);
        }
        let decay = Decay::Linear { percent, period_days };
        let at = at_days * DAY_MS;
        let got = added(buckets.clone(), decay, points, at);
        match oracle(buckets, percent, period_days, points, at) {
            Ok(want) => prop_assert_eq!(got, want),
            Err(over) => {
                // Over the bound: the oldest merged, not dropped. Every point is kept.
                prop_assert!(got.len() <= MAX_BUCKETS);
                let sum = |b: &[(i64, f64)]| b.iter().map(|x| x.1).sum::<f64>();
                prop_assert!((sum(&got) - sum(&over)).abs() < 1e-9, "{:?} {:?}", got, over);
                if sorted {
                    prop_assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "{:?}", got);
                }
            }
        }
    }
}
