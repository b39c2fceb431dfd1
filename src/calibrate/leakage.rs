//! Leakage warnings: columns that know the outcome because they were recorded after it.
//!
//! A model trained with such a column looks excellent in a backtest and is useless on a new lead
//! (the bank table's `duration`, the call length, is only known once the call ended in a yes or
//! a no). Three signals, each with its reason:
//! - the column is in the configured list of post-outcome columns;
//! - its name has a word that usually names a result (`status`, `closed`, `won`, ...);
//! - alone it ranks the test rows suspiciously well (single-feature AUC at or above a bound, or
//!   far above every other column).

use serde::Serialize;

use super::dataset::Column;
use super::evaluate::auc;
use super::features::{FeatureBins, NO_BIN};

/// A column flagged as possibly recorded after the outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakageFlag {
    pub column: String,
    pub reasons: Vec<String>,
    pub single_feature_auc: Option<f64>,
    /// Whether the column was left out of the model.
    pub excluded: bool,
}

/// Words in column names that usually name a result of the sales process rather than an
/// attribute known when the lead arrived.
const POST_OUTCOME_WORDS: &[&str] = &[
    "closed",
    "close",
    "won",
    "lost",
    "converted",
    "conversion",
    "status",
    "stage",
    "result",
    "revenue",
    "deal",
    "opportunity",
    "churned",
    "signed",
    "purchased",
    "subscribed",
];

/// Splits `dealStage`, `deal_stage`, `Deal Stage` into lowercase words.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The word of `name` that suggests a result, if any.
pub fn post_outcome_word(name: &str) -> Option<&'static str> {
    let words = words(name);
    POST_OUTCOME_WORDS
        .iter()
        .find(|w| words.iter().any(|x| x == *w))
        .copied()
}

/// How well the column alone ranks the test rows: each bin scores its training conversion rate
/// (rows in no bin score the base rate). Learned on train, measured on test, like the model.
pub fn single_feature_auc(
    bins: &FeatureBins,
    column: &Column,
    train: &[usize],
    test: &[usize],
    outcome: &[bool],
) -> Option<f64> {
    let mut rows = vec![0usize; bins.len()];
    let mut positives = vec![0usize; bins.len()];
    for &r in train {
        let b = bins.bin_of(column, r);
        if b != NO_BIN {
            rows[b as usize] += 1;
            positives[b as usize] += outcome[r] as usize;
        }
    }
    let base = train.iter().filter(|&&r| outcome[r]).count() as f64 / train.len().max(1) as f64;
    // Add-one smoothing so an empty bin scores near the base rate rather than 0 or 1.
    let rate: Vec<f64> = (0..bins.len())
        .map(|b| (positives[b] as f64 + base) / (rows[b] as f64 + 1.0))
        .collect();
    let scores: Vec<f64> = test
        .iter()
        .map(|&r| match bins.bin_of(column, r) {
            NO_BIN => base,
            b => rate[b as usize],
        })
        .collect();
    let labels: Vec<bool> = test.iter().map(|&r| outcome[r]).collect();
    auc(&scores, &labels)
}

/// Bounds for the single-feature AUC test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeakageBounds {
    /// At or above this, a single column is suspicious on its own.
    pub auc: f64,
    /// A column whose lift over chance (AUC − 0.5) is this many times the runner-up's is
    /// suspicious too, if its AUC is at least `far_above_min`.
    pub far_above_ratio: f64,
    pub far_above_min: f64,
}

impl Default for LeakageBounds {
    fn default() -> Self {
        LeakageBounds {
            auc: 0.80,
            far_above_ratio: 2.0,
            far_above_min: 0.70,
        }
    }
}

/// Reasons from the single-feature AUCs, one entry per column in order (empty when unflagged).
pub fn auc_reasons(aucs: &[(String, Option<f64>)], bounds: &LeakageBounds) -> Vec<Vec<String>> {
    aucs.iter()
        .enumerate()
        .map(|(i, (_, a))| {
            let Some(a) = *a else { return Vec::new() };
            let mut reasons = Vec::new();
            if a >= bounds.auc {
                reasons.push(format!(
                    "alone it ranks the test rows with AUC {a:.3} (at or above {:.2}): \
                     likely recorded after the outcome",
                    bounds.auc
                ));
            } else if a >= bounds.far_above_min {
                let runner_up = aucs
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .filter_map(|(_, (_, b))| *b)
                    .fold(0.5f64, f64::max);
                if a - 0.5 >= bounds.far_above_ratio * (runner_up - 0.5) {
                    reasons.push(format!(
                        "alone it ranks the test rows with AUC {a:.3}, far above every other \
                         column (next best {runner_up:.3})"
                    ));
                }
            }
            reasons
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_heuristics_table() {
        for (name, expected) in [
            ("dealStage", Some("stage")),
            ("Close Date", Some("close")),
            ("closed_won", Some("closed")),
            ("lead_status", Some("status")),
            ("poutcome", None),
            ("duration", None),
            ("job", None),
            ("Stagecoach", None),
            ("employees", None),
        ] {
            assert_eq!(post_outcome_word(name), expected, "{name}");
        }
        assert_eq!(words("dealStageHTML2x"), ["deal", "stage", "html2x"]);
    }

    #[test]
    fn auc_bounds_table() {
        let named = |v: &[Option<f64>]| -> Vec<(String, Option<f64>)> {
            v.iter()
                .enumerate()
                .map(|(i, a)| (format!("c{i}"), *a))
                .collect()
        };
        let bounds = LeakageBounds::default();
        // The bank table: duration 0.81, the best honest column about 0.68.
        let flagged = auc_reasons(&named(&[Some(0.81), Some(0.68), Some(0.60), None]), &bounds);
        assert_eq!(flagged[0].len(), 1);
        assert!(flagged[0][0].contains("AUC 0.810"));
        assert!(flagged[1].is_empty() && flagged[3].is_empty());
        // Far above the rest without reaching 0.80.
        let far = auc_reasons(&named(&[Some(0.75), Some(0.60), Some(0.55)]), &bounds);
        assert!(far[0][0].contains("next best 0.600"));
        // Two strong honest columns: neither is far above the other.
        let two = auc_reasons(&named(&[Some(0.75), Some(0.72)]), &bounds);
        assert!(two.iter().all(Vec::is_empty));
    }
}
