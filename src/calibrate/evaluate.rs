//! Honest evaluation: train/test splits, AUC, lift and conversion by score decile, and a
//! calibration table (predicted against observed conversion by band).
//!
//! The split is by time when the rows carry times (train on the past, test on the future: what the
//! model will face), else seeded and stratified (both outcomes in the same proportion on each
//! side). The PRNG is SplitMix64, so the same seed gives the same split on every platform.

use serde::Serialize;

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and the same sequence everywhere.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by rejection so no value is favoured.
    pub fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// Row indices on each side of a split, each list ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Each outcome class is shuffled with the seed and `test_fraction` of it (rounded) goes to test.
pub fn stratified_split(outcome: &[bool], test_fraction: f64, seed: u64) -> Split {
    let mut rng = SplitMix64::new(seed);
    let mut train = Vec::new();
    let mut test = Vec::new();
    for class in [false, true] {
        let mut rows: Vec<usize> = (0..outcome.len())
            .filter(|&r| outcome[r] == class)
            .collect();
        for i in (1..rows.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            rows.swap(i, j);
        }
        let n_test = (rows.len() as f64 * test_fraction).round() as usize;
        test.extend_from_slice(&rows[..n_test]);
        train.extend_from_slice(&rows[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Split { train, test }
}

/// The earliest rows train, the latest `test_fraction` test. Without times, row order is time
/// order (exports are usually chronological; the bank table is). Equal times keep row order.
pub fn time_split(n: usize, times: Option<&[i64]>, test_fraction: f64) -> Split {
    let mut order: Vec<usize> = (0..n).collect();
    if let Some(t) = times {
        order.sort_by_key(|&r| t[r]);
    }
    let n_train = n - (n as f64 * test_fraction).round() as usize;
    let mut train = order[..n_train].to_vec();
    let mut test = order[n_train..].to_vec();
    train.sort_unstable();
    test.sort_unstable();
    Split { train, test }
}

/// Area under the ROC curve: the chance that a random positive scores above a random negative,
/// ties counting one half (Mann–Whitney U with mid-ranks). `None` without both outcomes.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let positives = labels.iter().filter(|&&y| y).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let mid_rank = (i + j) as f64 / 2.0 + 1.0;
        let tied_positives = order[i..=j].iter().filter(|&&r| labels[r]).count();
        rank_sum += mid_rank * tied_positives as f64;
        i = j + 1;
    }
    let p = positives as f64;
    let u = rank_sum - p * (p + 1.0) / 2.0;
    Some(u / (p * negatives as f64))
}

/// One tenth of the rows, best scores first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecileRow {
    /// 1 = the top-scoring tenth.
    pub decile: u32,
    pub rows: usize,
    pub positives: usize,
    pub min_score: f64,
    pub max_score: f64,
    pub conversion_rate: f64,
    /// Conversion rate over the overall rate.
    pub lift: f64,
    /// Share of all positives found in this and the better deciles.
    pub cumulative_recall: f64,
}

/// Predicted against observed conversion in one band of rows ordered by prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationBand {
    pub band: u32,
    pub rows: usize,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// How well one set of scores ranks (and, with probabilities, predicts) one set of outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    pub rows: usize,
    pub positives: usize,
    pub base_rate: f64,
    pub auc: Option<f64>,
    pub deciles: Vec<DecileRow>,
    /// Empty when the scores are not probabilities (e.g. a current model's points).
    pub calibration: Vec<CalibrationBand>,
    /// Mean squared error of the probabilities, when there are probabilities.
    pub brier: Option<f64>,
}

/// Metrics of `scores` against `labels`; `predicted` (probabilities, same order) adds the
/// calibration table and the Brier score.
pub fn metrics(scores: &[f64], labels: &[bool], predicted: Option<&[f64]>) -> Metrics {
    let n = labels.len();
    let positives = labels.iter().filter(|&&y| y).count();
    let base_rate = if n > 0 {
        positives as f64 / n as f64
    } else {
        0.0
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let bands = n.min(10);
    let mut deciles = Vec::with_capacity(bands);
    let mut calibration = Vec::new();
    let mut found = 0;
    for k in 0..bands {
        let slice = &order[k * n / bands..(k + 1) * n / bands];
        let pos = slice.iter().filter(|&&r| labels[r]).count();
        found += pos;
        let rate = pos as f64 / slice.len() as f64;
        deciles.push(DecileRow {
            decile: k as u32 + 1,
            rows: slice.len(),
            positives: pos,
            min_score: scores[*slice.last().expect("non-empty band")],
            max_score: scores[slice[0]],
            conversion_rate: rate,
            lift: if base_rate > 0.0 {
                rate / base_rate
            } else {
                0.0
            },
            cumulative_recall: if positives > 0 {
                found as f64 / positives as f64
            } else {
                0.0
            },
        });
        if let Some(p) = predicted {
            calibration.push(CalibrationBand {
                band: k as u32 + 1,
                rows: slice.len(),
                mean_predicted: slice.iter().map(|&r| p[r]).sum::<f64>() / slice.len() as f64,
                observed_rate: rate,
            });
        }
    }
    let brier = predicted.filter(|_| n > 0).map(|p| {
        (0..n)
            .map(|r| (p[r] - if labels[r] { 1.0 } else { 0.0 }).powi(2))
            .sum::<f64>()
            / n as f64
    });
    Metrics {
        rows: n,
        positives,
        base_rate,
        auc: auc(scores, labels),
        deciles,
        calibration,
        brier,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // First outputs for seed 1234567 (the published SplitMix64 test vector).
        let mut rng = SplitMix64::new(1_234_567);
        let got: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn auc_of_a_tiny_known_table() {
        // Positives score 0.9, 0.4; negatives 0.6, 0.4, 0.1. Pairs (pos, neg):
        // 0.9 beats all three (3); 0.4 beats 0.1 (1) and ties 0.4 (0.5). 4.5 of 6 = 0.75.
        let scores = [0.9, 0.6, 0.4, 0.4, 0.1];
        let labels = [true, false, true, false, false];
        assert_eq!(auc(&scores, &labels), Some(0.75));
        assert_eq!(auc(&[1.0, 2.0], &[true, true]), None);
        assert_eq!(auc(&[1.0, 2.0], &[false, true]), Some(1.0));
        assert_eq!(auc(&[1.0, 1.0], &[false, true]), Some(0.5));
    }

    #[test]
    fn stratified_split_keeps_the_rate_and_is_seeded() {
        let outcome: Vec<bool> = (0..1000).map(|i| i % 10 == 0).collect();
        let a = stratified_split(&outcome, 0.3, 42);
        assert_eq!(a.test.len(), 300);
        assert_eq!(a.test.iter().filter(|&&r| outcome[r]).count(), 30);
        assert_eq!(a, stratified_split(&outcome, 0.3, 42));
        assert_ne!(a, stratified_split(&outcome, 0.3, 43));
        let mut all: Vec<usize> = a.train.iter().chain(&a.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn time_split_trains_on_the_past() {
        let times = [50, 10, 40, 20, 30];
        let s = time_split(5, Some(&times), 0.4);
        assert_eq!(s.train, [1, 3, 4]);
        assert_eq!(s.test, [0, 2]);
        let by_order = time_split(5, None, 0.4);
        assert_eq!(by_order.train, [0, 1, 2]);
    }

    #[test]
    fn deciles_and_calibration_of_twenty_rows() {
        // Scores 20..1; positives are the rows scoring 20, 19, 18 and 5.
        let scores: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        let labels: Vec<bool> = scores.iter().map(|&s| s >= 18.0 || s == 5.0).collect();
        let predicted: Vec<f64> = scores.iter().map(|s| s / 40.0).collect();
        let m = metrics(&scores, &labels, Some(&predicted));
        assert_eq!(m.base_rate, 0.2);
        assert_eq!(m.deciles.len(), 10);
        assert_eq!(m.deciles[0].positives, 2);
        assert_eq!(m.deciles[0].lift, 5.0);
        assert_eq!(m.deciles[1].positives, 1);
        assert_eq!(m.deciles[1].cumulative_recall, 0.75);
        assert_eq!(m.deciles[7].positives, 1);
        assert_eq!(m.deciles[8].min_score, 3.0);
        assert_eq!(m.deciles[8].positives, 0);
        assert!((m.calibration[0].mean_predicted - 19.5 / 40.0).abs() < 1e-15);
        assert_eq!(m.calibration[0].observed_rate, 1.0);
        let scores_only = metrics(&scores, &labels, None);
        assert!(scores_only.calibration.is_empty() && scores_only.brier.is_none());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn auc_is_a_probability_and_ignores_monotone_transforms(
                rows in prop::collection::vec((-50i32..50, any::<bool>()), 2..60)
            ) {
                let scores: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
                let labels: Vec<bool> = rows.iter().map(|r| r.1).collect();
                let base = auc(&scores, &labels);
                if let Some(a) = base {
                    prop_assert!((0.0..=1.0).contains(&a));
                }
                let transformed: Vec<f64> = scores.iter().map(|s| (s / 7.0).exp() * 3.0 + s.powi(3)).collect();
                prop_assert_eq!(auc(&transformed, &labels), base);
                // Reversing the order mirrors the AUC.
                let reversed: Vec<f64> = scores.iter().map(|s| -s).collect();
                if let (Some(a), Some(r)) = (base, auc(&reversed, &labels)) {
                    prop_assert!((a + r - 1.0).abs() < 1e-12);
                }
            }
        }
    }
}
