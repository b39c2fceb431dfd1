//! From fitted log-odds to integer points, and from points to an MQL threshold.
//!
//! The scale is the credit-scorecard convention: `score = offset + factor · ln(odds)` with
//! `factor = pdo / ln 2`, so every `pdo` points double the odds of converting, and
//! `offset = anchor_score − factor · ln(anchor_odds)`, so a score of `anchor_score` means odds of
//! `anchor_odds` (default: 50 points = even odds, 20 points to double).
//!
//! Each feature's bins are shifted so its lowest bin gets 0 points and the others get positive
//! points; the shifts go into `base_points`. A value that falls in no bin (e.g. a missing value
//! when training had none) therefore scores like the feature's lowest bin.

use serde::Serialize;

use super::features::FeatureBins;
use super::logistic::{sigmoid, Design, LogisticFit};

/// The documented points scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scale {
    /// Points to double the odds.
    pub pdo: f64,
    /// The score that means odds of `anchor_odds`.
    pub anchor_score: f64,
    pub anchor_odds: f64,
}

impl Default for Scale {
    fn default() -> Self {
        Scale {
            pdo: 20.0,
            anchor_score: 50.0,
            anchor_odds: 1.0,
        }
    }
}

impl Scale {
    pub fn factor(&self) -> f64 {
        self.pdo / std::f64::consts::LN_2
    }

    pub fn offset(&self) -> f64 {
        self.anchor_score - self.factor() * self.anchor_odds.ln()
    }

    /// The probability a score stands for on this scale.
    pub fn probability(&self, score: f64) -> f64 {
        sigmoid((score - self.offset()) / self.factor())
    }
}

/// Integer points per design feature plus a constant.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub scale: Scale,
    pub base_points: i64,
    pub points: Vec<i64>,
}

impl Scorecard {
    pub fn from_fit(fit: &LogisticFit, features: &[FeatureBins], scale: Scale) -> Scorecard {
        let factor = scale.factor();
        let mut points = vec![0i64; fit.coefficients.len()];
        let mut shift = 0.0;
        for f in features {
            let betas = &fit.coefficients[f.offset..f.offset + f.len()];
            let lowest = betas.iter().copied().fold(f64::INFINITY, f64::min);
            shift += lowest;
            for (i, b) in betas.iter().enumerate() {
                points[f.offset + i] = (factor * (b - lowest)).round() as i64;
            }
        }
        Scorecard {
            scale,
            base_points: (scale.offset() + factor * (fit.intercept + shift)).round() as i64,
            points,
        }
    }

    /// The scale on which the learned points span `0..=range`: a lead in every column's lowest
    /// bin scores 0 (so `base_points` is 0), one in every column's best bin at most `range`.
    /// The ranking is the fit's, as on any scale; only the unit and the zero move, so a model
    /// whose total is limited to `0..=range` shows the learned points without clamping them.
    /// Rounding can push the sum of the best bins past `range` by a point or two; the factor is
    /// then shrunk until it fits (a few steps at most).
    pub fn scale_for_range(fit: &LogisticFit, features: &[FeatureBins], range: f64) -> Scale {
        let spans: Vec<f64> = features
            .iter()
            .map(|f| {
                let betas = &fit.coefficients[f.offset..f.offset + f.len()];
                let (lo, hi) = betas
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &b| {
                        (lo.min(b), hi.max(b))
                    });
                if betas.is_empty() {
                    0.0
                } else {
                    hi - lo
                }
            })
            .collect();
        let total: f64 = spans.iter().sum();
        let shift: f64 = features
            .iter()
            .map(|f| {
                fit.coefficients[f.offset..f.offset + f.len()]
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min)
            })
            .filter(|m| m.is_finite())
            .sum();
        let mut factor = if total > 0.0 && total.is_finite() {
            range / total
        } else {
            Scale::default().factor()
        };
        for _ in 0..16 {
            let top: f64 = spans.iter().map(|s| (factor * s).round()).sum();
            if top <= range || top <= 0.0 {
                break;
            }
            factor *= range / (top + 0.5);
        }
        Scale {
            pdo: factor * std::f64::consts::LN_2,
            anchor_score: -factor * (fit.intercept + shift),
            anchor_odds: 1.0,
        }
    }

    /// The most the points can add: every column's best bin.
    pub fn max_points(&self, features: &[FeatureBins]) -> i64 {
        features
            .iter()
            .map(|f| {
                self.points[f.offset..f.offset + f.len()]
                    .iter()
                    .copied()
                    .max()
                    .unwrap_or(0)
            })
            .sum()
    }

    pub fn score(&self, design: &Design, row: usize) -> i64 {
        self.base_points + design.row(row).map(|f| self.points[f]).sum::<i64>()
    }
}

/// What a threshold is chosen for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ThresholdBasis {
    /// A share of leads to pass as MQLs.
    MqlRate,
    /// Sales can take N leads per week.
    Capacity,
    /// At least this share of MQLs should convert.
    Precision,
}

/// A suggested MQL threshold (`score >= score` qualifies) and what it does on the test rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdSuggestion {
    pub basis: ThresholdBasis,
    pub target: f64,
    pub score: i64,
    /// False when no threshold meets the target; `score` is then the closest one.
    pub achievable: bool,
    pub mql_rate: f64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    /// For capacity: the lead volume the rate was derived from, and the MQLs per week it gives.
    pub leads_per_week: Option<f64>,
    pub mqls_per_week: Option<f64>,
}

/// Qualifying counts at every distinct threshold, best scores first.
struct Cut {
    score: i64,
    qualified: usize,
    positives: usize,
}

fn cuts(scores: &[i64], labels: &[bool]) -> Vec<Cut> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].cmp(&scores[a]));
    let mut out: Vec<Cut> = Vec::new();
    let (mut qualified, mut positives) = (0, 0);
    for (i, &r) in order.iter().enumerate() {
        qualified += 1;
        positives += labels[r] as usize;
        let last_of_score = i + 1 == order.len() || scores[order[i + 1]] != scores[r];
        if last_of_score {
            out.push(Cut {
                score: scores[r],
                qualified,
                positives,
            });
        }
    }
    out
}

fn suggestion(
    basis: ThresholdBasis,
    target: f64,
    cut: Option<&Cut>,
    fallback_score: i64,
    achievable: bool,
    n: usize,
    total_positives: usize,
) -> ThresholdSuggestion {
    let (score, qualified, positives) = cut.map_or((fallback_score, 0, 0), |c| {
        (c.score, c.qualified, c.positives)
    });
    ThresholdSuggestion {
        basis,
        target,
        score,
        achievable,
        mql_rate: if n > 0 {
            qualified as f64 / n as f64
        } else {
            0.0
        },
        precision: (qualified > 0).then(|| positives as f64 / qualified as f64),
        recall: (total_positives > 0).then(|| positives as f64 / total_positives as f64),
        leads_per_week: None,
        mqls_per_week: None,
    }
}

/// The lowest threshold that passes at most `rate` of the rows (the most leads within the rate).
pub fn threshold_for_rate(
    scores: &[i64],
    labels: &[bool],
    rate: f64,
    basis: ThresholdBasis,
) -> ThresholdSuggestion {
    let n = scores.len();
    let total_positives = labels.iter().filter(|&&y| y).count();
    let cuts = cuts(scores, labels);
    let allowed = (rate * n as f64 + 1e-9).floor() as usize;
    let best = cuts.iter().take_while(|c| c.qualified <= allowed).last();
    let top = scores.iter().copied().max().unwrap_or(0);
    // Nothing fits (the top score alone is too many leads): nobody qualifies above the top.
    suggestion(
        basis,
        rate,
        best,
        top + 1,
        best.is_some(),
        n,
        total_positives,
    )
}

/// The lowest threshold whose MQLs convert at `precision` or better (the most leads at that
/// precision); when none does, the threshold with the best precision.
pub fn threshold_for_precision(
    scores: &[i64],
    labels: &[bool],
    precision: f64,
) -> ThresholdSuggestion {
    let n = scores.len();
    let total_positives = labels.iter().filter(|&&y| y).count();
    let cuts = cuts(scores, labels);
    let ratio = |c: &Cut| c.positives as f64 / c.qualified as f64;
    let meets = cuts.iter().rfind(|c| ratio(c) >= precision);
    let best = meets.or_else(|| {
        cuts.iter()
            .max_by(|a, b| ratio(a).total_cmp(&ratio(b)).then(b.score.cmp(&a.score)))
    });
    let top = scores.iter().copied().max().unwrap_or(0);
    suggestion(
        ThresholdBasis::Precision,
        precision,
        best,
        top + 1,
        meets.is_some(),
        n,
        total_positives,
    )
}

/// Capacity N per week over `leads_per_week` incoming leads is an MQL rate.
pub fn threshold_for_capacity(
    scores: &[i64],
    labels: &[bool],
    capacity_per_week: f64,
    leads_per_week: f64,
) -> ThresholdSuggestion {
    let rate = (capacity_per_week / leads_per_week).min(1.0);
    let mut s = threshold_for_rate(scores, labels, rate, ThresholdBasis::Capacity);
    s.target = capacity_per_week;
    s.leads_per_week = Some(leads_per_week);
    s.mqls_per_week = Some(s.mql_rate * leads_per_week);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::dataset::{Column, ColumnData};
    use crate::calibrate::features::{learn_bins, BinningOptions};

    #[test]
    fn scale_table() {
        let s = Scale::default();
        assert!((s.probability(50.0) - 0.5).abs() < 1e-12);
        // 20 points up doubles the odds: 2:1 → 2/3; 20 down halves: 1:2 → 1/3.
        assert!((s.probability(70.0) - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.probability(30.0) - 1.0 / 3.0).abs() < 1e-12);
        let credit = Scale {
            pdo: 20.0,
            anchor_score: 600.0,
            anchor_odds: 50.0,
        };
        assert!((credit.probability(600.0) - 50.0 / 51.0).abs() < 1e-12);
    }

    #[test]
    fn points_shift_each_feature_to_zero() {
        // Two columns: a (bins 0, 1) and b (bins 2, 3, 4).
        let col = |name: &str, levels: usize| Column {
            name: name.into(),
            data: ColumnData::Categorical {
                levels: (0..levels).map(|l| l.to_string()).collect(),
                codes: (0..levels as u32).map(Some).collect(),
            },
        };
        let opts = BinningOptions {
            max_bins: 10,
            min_share: 0.0,
            min_count: 1,
        };
        let train: Vec<usize> = (0..3).collect();
        let outcome = [false; 3];
        let a = learn_bins(&col("a", 2), &train[..2], &outcome, 0, &opts).unwrap();
        let b = learn_bins(&col("b", 3), &train, &outcome, 2, &opts).unwrap();
        let fit = LogisticFit {
            intercept: -2.0,
            coefficients: vec![0.0, std::f64::consts::LN_2, -0.5, 0.0, 0.5],
            iterations: 1,
            converged: true,
            objective: 0.0,
        };
        let card = Scorecard::from_fit(&fit, &[a, b], Scale::default());
        // factor = 20 / ln 2 ≈ 28.85: ln 2 → 20 points; 0.5 → 14.43 → 14; 1.0 → 28.85 → 29.
        assert_eq!(card.points, [0, 20, 0, 14, 29]);
        // base = 50 + 28.85 · (-2 + 0 - 0.5) = -22.13 → -22.
        assert_eq!(card.base_points, -22);
    }

    #[test]
    fn thresholds_worked_example() {
        // Ten leads, scores 10..1; converted: 10, 9, 7, 4.
        let scores: Vec<i64> = (1..=10).rev().collect();
        let labels: Vec<bool> = scores.iter().map(|s| [10, 9, 7, 4].contains(s)).collect();
        let r = threshold_for_rate(&scores, &labels, 0.3, ThresholdBasis::MqlRate);
        assert_eq!((r.score, r.mql_rate), (8, 0.3));
        assert_eq!(r.precision, Some(2.0 / 3.0));
        assert_eq!(r.recall, Some(0.5));
        // Precision ≥ 0.75: at 7, 3 of 4; lower thresholds fall below (3 of 5 at 6).
        let p = threshold_for_precision(&scores, &labels, 0.75);
        assert_eq!((p.score, p.achievable), (7, true));
        // Capacity 2 per week out of 10 leads a week: a 20% rate.
        let c = threshold_for_capacity(&scores, &labels, 2.0, 10.0);
        assert_eq!((c.score, c.mqls_per_week), (9, Some(2.0)));
        // Ties: three leads share the top score, a 20% rate cannot split them.
        let tied = [5, 5, 5, 1, 1, 1, 1, 1, 1, 1];
        let t = threshold_for_rate(&tied, &labels, 0.2, ThresholdBasis::MqlRate);
        assert_eq!((t.score, t.achievable, t.mql_rate), (6, false, 0.0));
        // Unreachable precision: the best available is reported as not achievable.
        let u = threshold_for_precision(&scores, &labels, 1.5);
        assert_eq!((u.score, u.achievable), (9, false));
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            /// Integer points rank rows like the probabilities do, up to rounding: if two rows'
            /// log-odds differ by more than the rounding slack of their points, their scores agree.
            #[test]
            fn points_rank_like_probabilities(
                betas in prop::collection::vec(-3.0f64..3.0, 6),
                intercept in -3.0f64..3.0,
                rows in prop::collection::vec((0u32..3, 3u32..6), 2..30),
            ) {
                let col = |name: &str| Column {
                    name: name.into(),
                    data: ColumnData::Categorical {
                        levels: (0..3).map(|l| l.to_string()).collect(),
                        codes: (0..3).map(Some).collect(),
                    },
                };
                let opts = BinningOptions { max_bins: 10, min_share: 0.0, min_count: 1 };
                let train = [0, 1, 2];
                let outcome = [false; 3];
                let a = learn_bins(&col("a"), &train, &outcome, 0, &opts).unwrap();
                let b = learn_bins(&col("b"), &train, &outcome, 3, &opts).unwrap();
                let fit = LogisticFit {
                    intercept, coefficients: betas.clone(), iterations: 1, converged: true, objective: 0.0,
                };
                let scale = Scale::default();
                let card = Scorecard::from_fit(&fit, &[a, b], scale);
                let design = Design {
                    n_features: 6,
                    stride: 2,
                    active: rows.iter().flat_map(|&(x, y)| [x, y]).collect(),
                };
                for i in 0..rows.len() {
                    for j in 0..rows.len() {
                        let gap = scale.factor()
                            * (design.eta(i, intercept, &betas) - design.eta(j, intercept, &betas));
                        // Three rounded terms (base + two features), each off by at most 1/2.
                        if gap > 3.0 {
                            prop_assert!(card.score(&design, i) > card.score(&design, j));
                        }
                    }
                }
            }
        }
    }
}
