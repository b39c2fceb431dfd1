//! Turning columns into scorecard features: every column becomes a handful of bins, each bin one
//! indicator feature that gets its own points.
//!
//! - Categorical columns: one bin per value; values rarer than the minimum share are pooled into
//!   an "other" bin (too few rows to learn points of their own), as are values first seen after
//!   training.
//! - Numeric columns: quantile bins over the training rows (ties never split, so a value that fills
//!   half the column is one bin and the rest are cut finer); then, when the bin rates are close to
//!   monotone, pooled-adjacent-violators merges them into monotone bins. "Where it helps" is decided
//!   by BIC of the per-bin rate model: fewer bins must pay for the likelihood they lose.
//! - Missing values get a bin of their own (when the training rows have any).
//!
//! Bins are learned on the training rows only, so the test rows stay unseen.

use serde::Serialize;

use super::dataset::{Column, ColumnData};

/// How bins are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinningOptions {
    /// Most quantile bins for a numeric column (before merging).
    pub max_bins: usize,
    /// A category value or numeric bin needs at least this share of the training rows...
    pub min_share: f64,
    /// ... and at least this many rows.
    pub min_count: usize,
}

impl Default for BinningOptions {
    fn default() -> Self {
        BinningOptions {
            max_bins: 10,
            min_share: 0.005,
            min_count: 10,
        }
    }
}

/// The value range or category set a bin stands for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum BinRule {
    /// Categorical values listed here.
    In { values: Vec<String> },
    /// Categorical values not kept on their own (rare in training, or unseen): `count` of them,
    /// the first [`MAX_LISTED_POOLED`] listed (a free-text column can pool thousands).
    Other { values: Vec<String>, count: usize },
    /// Numbers `lower < x <= upper`; an open end is `None`.
    Range {
        lower: Option<f64>,
        upper: Option<f64>,
    },
    /// No value.
    Missing,
}

/// A column's bins; bin `i` is design column `offset + i`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureBins {
    pub column: String,
    pub numeric: bool,
    pub bins: Vec<BinRule>,
    pub offset: usize,
    /// Categorical: level code → bin. Numeric: unused.
    level_bin: Vec<u32>,
    /// Numeric: upper edges of all but the last range bin.
    edges: Vec<f64>,
    /// Bin for missing values, if training had any.
    missing_bin: Option<u32>,
    /// Categorical bin for values not kept on their own, if any.
    other_bin: Option<u32>,
    /// `true` when the numeric bins were merged to monotone rates.
    pub monotone: bool,
}

/// At most this many pooled values are listed in an "other" bin.
pub const MAX_LISTED_POOLED: usize = 20;

/// "No bin": the row contributes nothing for this column (e.g. a missing value when training
/// had none, so there are no points to give it).
pub const NO_BIN: u32 = u32::MAX;

impl FeatureBins {
    /// Bins as given, for tests of what is built from them (no level or edge lookup).
    #[cfg(test)]
    pub(crate) fn for_test(column: &str, bins: Vec<BinRule>) -> FeatureBins {
        FeatureBins {
            column: column.into(),
            numeric: false,
            bins,
            offset: 0,
            level_bin: Vec::new(),
            edges: Vec::new(),
            missing_bin: None,
            other_bin: None,
            monotone: false,
        }
    }

    /// The bin of row `row` of `column`, or [`NO_BIN`].
    pub fn bin_of(&self, column: &Column, row: usize) -> u32 {
        match &column.data {
            ColumnData::Numeric(values) => match values[row] {
                None => self.missing_bin.unwrap_or(NO_BIN),
                Some(x) => self.edges.partition_point(|&e| e < x) as u32,
            },
            ColumnData::Categorical { codes, .. } => match codes[row] {
                None => self.missing_bin.unwrap_or(NO_BIN),
                Some(code) => match self.level_bin.get(code as usize) {
                    Some(&b) if b != NO_BIN => b,
                    _ => self.other_bin.unwrap_or(NO_BIN),
                },
            },
        }
    }

    pub fn len(&self) -> usize {
        self.bins.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bins.is_empty()
    }
}

/// Learns the bins of `column` from the rows in `train` (with their outcomes).
/// Returns `None` for a column that has a single bin (no information to learn from).
pub fn learn_bins(
    column: &Column,
    train: &[usize],
    outcome: &[bool],
    offset: usize,
    options: &BinningOptions,
) -> Option<FeatureBins> {
    let min_rows = options
        .min_count
        .max((options.min_share * train.len() as f64).ceil() as usize);
    let bins = match &column.data {
        ColumnData::Categorical { levels, codes } => {
            categorical_bins(&column.name, levels, codes, train, min_rows, offset)
        }
        ColumnData::Numeric(values) => numeric_bins(
            &column.name,
            values,
            train,
            outcome,
            min_rows,
            options,
            offset,
        ),
    };
    (bins.len() > 1).then_some(bins)
}

fn categorical_bins(
    name: &str,
    levels: &[String],
    codes: &[Option<u32>],
    train: &[usize],
    min_rows: usize,
    offset: usize,
) -> FeatureBins {
    let mut counts = vec![0usize; levels.len()];
    let mut missing = 0usize;
    for &r in train {
        match codes[r] {
            Some(c) => counts[c as usize] += 1,
            None => missing += 1,
        }
    }
    // Kept values in order of frequency (then name) so the report reads from common to rare.
    let mut kept: Vec<usize> = (0..levels.len())
        .filter(|&l| counts[l] >= min_rows)
        .collect();
    kept.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(levels[a].cmp(&levels[b])));
    let mut pooled: Vec<String> = (0..levels.len())
        .filter(|&l| counts[l] > 0 && counts[l] < min_rows)
        .map(|l| levels[l].clone())
        .collect();
    pooled.sort();
    let mut level_bin = vec![NO_BIN; levels.len()];
    let mut bins = Vec::new();
    for &l in &kept {
        level_bin[l] = bins.len() as u32;
        bins.push(BinRule::In {
            values: vec![levels[l].clone()],
        });
    }
    // The other bin exists when training pooled something into it; values never seen in training
    // then land there too (otherwise they get no points).
    let other_bin = (!pooled.is_empty()).then(|| {
        let count = pooled.len();
        pooled.truncate(MAX_LISTED_POOLED);
        bins.push(BinRule::Other {
            values: pooled,
            count,
        });
        bins.len() as u32 - 1
    });
    let missing_bin = (missing > 0).then(|| {
        bins.push(BinRule::Missing);
        bins.len() as u32 - 1
    });
    FeatureBins {
        column: name.to_string(),
        numeric: false,
        bins,
        offset,
        level_bin,
        edges: Vec::new(),
        missing_bin,
        other_bin,
        monotone: false,
    }
}

fn numeric_bins(
    name: &str,
    values: &[Option<f64>],
    train: &[usize],
    outcome: &[bool],
    min_rows: usize,
    options: &BinningOptions,
    offset: usize,
) -> FeatureBins {
    let mut present: Vec<(f64, bool)> = Vec::with_capacity(train.len());
    let mut missing = 0usize;
    for &r in train {
        match values[r] {
            Some(x) => present.push((x, outcome[r])),
            None => missing += 1,
        }
    }
    present.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Distinct values with their row and positive counts.
    let mut distinct: Vec<(f64, usize, usize)> = Vec::new();
    for &(x, y) in &present {
        match distinct.last_mut() {
            Some(last) if last.0 == x => {
                last.1 += 1;
                last.2 += y as usize;
            }
            _ => distinct.push((x, 1, y as usize)),
        }
    }
    let raw = quantile_groups(&distinct, options.max_bins, min_rows);
    let (groups, monotone) = match monotone_groups(&raw) {
        Some(merged) if bic(&merged, present.len()) <= bic(&raw, present.len()) => (merged, true),
        _ => (raw, false),
    };
    // Edge between groups: the largest value of the lower group, so the rule reads `x <= edge`.
    let edges: Vec<f64> = groups[..groups.len().saturating_sub(1)]
        .iter()
        .map(|g| g.max)
        .collect();
    let mut bins: Vec<BinRule> = (0..groups.len())
        .map(|i| BinRule::Range {
            lower: (i > 0).then(|| edges[i - 1]),
            upper: edges.get(i).copied(),
        })
        .collect();
    let missing_bin = (missing > 0).then(|| {
        bins.push(BinRule::Missing);
        bins.len() as u32 - 1
    });
    FeatureBins {
        column: name.to_string(),
        numeric: true,
        bins,
        offset,
        level_bin: Vec::new(),
        edges,
        missing_bin,
        other_bin: None,
        monotone,
    }
}

/// Consecutive distinct values pooled into one bin.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Group {
    max: f64,
    rows: usize,
    positives: usize,
}

/// Equal-count bins over sorted distinct values. The target size is recomputed after each bin
/// (remaining rows / remaining bins), so one heavy value does not swallow the resolution of the
/// rest. A last bin smaller than `min_rows` is merged into its neighbour.
fn quantile_groups(
    distinct: &[(f64, usize, usize)],
    max_bins: usize,
    min_rows: usize,
) -> Vec<Group> {
    let total: usize = distinct.iter().map(|d| d.1).sum();
    let mut groups: Vec<Group> = Vec::new();
    let mut remaining = total;
    let mut current: Option<Group> = None;
    for &(x, rows, positives) in distinct {
        let g = current.get_or_insert(Group {
            max: x,
            rows: 0,
            positives: 0,
        });
        g.max = x;
        g.rows += rows;
        g.positives += positives;
        let bins_left = max_bins.saturating_sub(groups.len()).max(1);
        let target = (remaining as f64 / bins_left as f64).max(min_rows as f64);
        if g.rows as f64 >= target {
            remaining -= g.rows;
            groups.push(*g);
            current = None;
        }
    }
    if let Some(g) = current {
        match groups.last_mut() {
            Some(last) if g.rows < min_rows => {
                last.max = g.max;
                last.rows += g.rows;
                last.positives += g.positives;
            }
            _ => groups.push(g),
        }
    }
    groups
}

/// Pooled adjacent violators on the bin rates, in the direction (rising or falling) that fits
/// better; `None` when the rates are already monotone (nothing to merge).
fn monotone_groups(groups: &[Group]) -> Option<Vec<Group>> {
    let rising = pav(groups, true);
    let falling = pav(groups, false);
    let best = if log_likelihood(&rising) >= log_likelihood(&falling) {
        rising
    } else {
        falling
    };
    (best.len() < groups.len()).then_some(best)
}

fn pav(groups: &[Group], rising: bool) -> Vec<Group> {
    let rate = |g: &Group| g.positives as f64 / g.rows as f64;
    let mut out: Vec<Group> = Vec::with_capacity(groups.len());
    for &g in groups {
        out.push(g);
        while out.len() > 1 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            // Equal rates merge too: a bin that says nothing new costs a parameter.
            let violates = if rising {
                rate(&a) >= rate(&b)
            } else {
                rate(&a) <= rate(&b)
            };
            if !violates {
                break;
            }
            out.pop();
            let merged = out.last_mut().expect("two groups present");
            merged.max = b.max;
            merged.rows += b.rows;
            merged.positives += b.positives;
        }
    }
    out
}

fn log_likelihood(groups: &[Group]) -> f64 {
    groups
        .iter()
        .map(|g| {
            let (pos, neg) = (g.positives as f64, (g.rows - g.positives) as f64);
            let n = g.rows as f64;
            let term = |k: f64| if k > 0.0 { k * (k / n).ln() } else { 0.0 };
            term(pos) + term(neg)
        })
        .sum()
}

/// Bayesian information criterion of "one rate per bin": lower is better.
fn bic(groups: &[Group], n: usize) -> f64 {
    groups.len() as f64 * (n.max(1) as f64).ln() - 2.0 * log_likelihood(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(values: &[f64]) -> Column {
        Column {
            name: "x".into(),
            data: ColumnData::Numeric(values.iter().map(|&v| Some(v)).collect()),
        }
    }

    fn opts(max_bins: usize, min_count: usize) -> BinningOptions {
        BinningOptions {
            max_bins,
            min_share: 0.0,
            min_count,
        }
    }

    #[test]
    fn quantile_bins_of_one_to_twelve() {
        // Twelve distinct values, four bins of three values. Bin rates 0, 1/3, 2/3, 1 are strictly
        // rising, so there is nothing for the monotone merge to do.
        let col = numeric(&(1..=12).map(f64::from).collect::<Vec<_>>());
        let outcome = [0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1].map(|y| y == 1);
        let train: Vec<usize> = (0..12).collect();
        let f = learn_bins(&col, &train, &outcome, 0, &opts(4, 1)).unwrap();
        assert!(!f.monotone);
        assert_eq!(f.edges, [3.0, 6.0, 9.0]);
        assert_eq!(
            f.bins[0],
            BinRule::Range {
                lower: None,
                upper: Some(3.0)
            }
        );
        assert_eq!(
            f.bins[3],
            BinRule::Range {
                lower: Some(9.0),
                upper: None
            }
        );
        let bins: Vec<u32> = (0..12).map(|r| f.bin_of(&col, r)).collect();
        assert_eq!(bins, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    }

    #[test]
    fn a_heavy_tie_is_one_bin_and_the_rest_is_cut_finer() {
        // Like `pdays` in the bank table: most rows are -1.
        let mut values = vec![-1.0; 60];
        values.extend((1..=40).map(f64::from));
        let col = numeric(&values);
        let outcome = vec![false; 100];
        let distinct: Vec<(f64, usize, usize)> = {
            let mut d: Vec<(f64, usize, usize)> = vec![(-1.0, 60, 0)];
            d.extend((1..=40).map(|v| (f64::from(v), 1, 0)));
            d
        };
        let groups = quantile_groups(&distinct, 5, 1);
        let sizes: Vec<usize> = groups.iter().map(|g| g.rows).collect();
        assert_eq!(sizes, [60, 10, 10, 10, 10]);
        // All rates equal (0): merging is free in likelihood, so BIC prefers one bin and the
        // column carries no information.
        let train: Vec<usize> = (0..100).collect();
        assert_eq!(learn_bins(&col, &train, &outcome, 0, &opts(5, 1)), None);
    }

    #[test]
    fn small_last_bin_merges_into_its_neighbour() {
        let distinct = [(1.0, 5, 0), (2.0, 5, 0), (3.0, 1, 0)];
        let groups = quantile_groups(&distinct, 3, 2);
        let sizes: Vec<usize> = groups.iter().map(|g| g.rows).collect();
        assert_eq!(sizes, [5, 6]);
        assert_eq!(groups[1].max, 3.0);
    }

    #[test]
    fn pav_merges_violators() {
        let g = |max: f64, rows: usize, positives: usize| Group {
            max,
            rows,
            positives,
        };
        // Rates 0.1, 0.3, 0.2, 0.5: rising except the middle pair, which pools to 0.25.
        let groups = [g(1.0, 10, 1), g(2.0, 10, 3), g(3.0, 10, 2), g(4.0, 10, 5)];
        let merged = monotone_groups(&groups).unwrap();
        assert_eq!(merged, [g(1.0, 10, 1), g(3.0, 20, 5), g(4.0, 10, 5)]);
        // Already monotone: nothing to merge.
        assert_eq!(monotone_groups(&[g(1.0, 10, 1), g(2.0, 10, 3)]), None);
    }

    #[test]
    fn bic_keeps_a_real_u_shape_and_merges_noise() {
        let g = |max: f64, rows: usize, positives: usize| Group {
            max,
            rows,
            positives,
        };
        // Strong U shape (age-like): monotone merge loses too much.
        let u = [g(1.0, 1000, 300), g(2.0, 1000, 50), g(3.0, 1000, 300)];
        let merged = monotone_groups(&u).unwrap();
        assert!(bic(&merged, 3000) > bic(&u, 3000));
        // A small wiggle on a rising trend: merging wins.
        let wiggle = [
            g(1.0, 1000, 100),
            g(2.0, 1000, 205),
            g(3.0, 1000, 200),
            g(4.0, 1000, 300),
        ];
        let merged = monotone_groups(&wiggle).unwrap();
        assert!(bic(&merged, 4000) < bic(&wiggle, 4000));
    }

    #[test]
    fn categorical_pools_rare_values_and_keeps_missing() {
        let levels: Vec<String> = ["a", "b", "rare", "late"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut codes: Vec<Option<u32>> = vec![Some(0); 5];
        codes.extend([Some(1); 3]);
        codes.push(Some(2));
        codes.push(None);
        codes.push(Some(3)); // row 10 is a test row: "late" unseen in training
        let col = Column {
            name: "c".into(),
            data: ColumnData::Categorical { levels, codes },
        };
        let train: Vec<usize> = (0..10).collect();
        let outcome = vec![false; 11];
        let f = learn_bins(&col, &train, &outcome, 7, &opts(10, 2)).unwrap();
        assert_eq!(
            f.bins,
            [
                BinRule::In {
                    values: vec!["a".into()]
                },
                BinRule::In {
                    values: vec!["b".into()]
                },
                BinRule::Other {
                    values: vec!["rare".into()],
                    count: 1
                },
                BinRule::Missing
            ]
        );
        let bins: Vec<u32> = [0, 5, 8, 9, 10]
            .iter()
            .map(|&r| f.bin_of(&col, r))
            .collect();
        assert_eq!(bins, [0, 1, 2, 3, 2]);
        assert_eq!(f.offset, 7);
    }

    #[test]
    fn a_free_text_column_lists_few_pooled_values() {
        // 30 rows of "common", then 60 distinct one-off values.
        let mut levels = vec!["common".to_string()];
        levels.extend((0..60).map(|i| format!("v{i:02}")));
        let mut codes: Vec<Option<u32>> = vec![Some(0); 30];
        codes.extend((1..=60).map(Some));
        let col = Column {
            name: "note".into(),
            data: ColumnData::Categorical { levels, codes },
        };
        let train: Vec<usize> = (0..90).collect();
        let f = learn_bins(&col, &train, &[false; 90], 0, &opts(10, 5)).unwrap();
        match &f.bins[1] {
            BinRule::Other { values, count } => {
                assert_eq!(*count, 60);
                assert_eq!(values.len(), MAX_LISTED_POOLED);
                assert_eq!(values[0], "v00");
            }
            other => panic!("expected the other bin, got {other:?}"),
        }
        // Every pooled value still lands in the other bin, listed or not.
        assert_eq!(f.bin_of(&col, 89), 1);
    }

    #[test]
    fn unseen_missing_gets_no_bin() {
        let col = Column {
            name: "x".into(),
            data: ColumnData::Numeric(vec![Some(1.0), Some(2.0), None]),
        };
        let f = learn_bins(&col, &[0, 1], &[false, true, false], 0, &opts(2, 1)).unwrap();
        assert_eq!(f.bin_of(&col, 2), NO_BIN);
        assert_eq!(f.bin_of(&col, 1), 1);
    }
}
