//! The calibration report: everything the dashboard's Calibrate view shows after a run
//! (serialized camelCase, as the bindings hand it to JS).

use serde::Serialize;

use super::csv::BadRow;
use super::evaluate::Metrics;
use super::features::BinRule;
use super::fragment::ModelFragment;
use super::leakage::LeakageFlag;
use super::options::SplitKind;
use super::scorecard::{Scale, ThresholdSuggestion};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowSummary {
    /// Rows used for training and testing.
    pub used: usize,
    /// Rows rejected (CSV errors, empty outcome, bad time), listed up to 100.
    pub bad_row_count: usize,
    pub bad_rows: Vec<BadRow>,
    pub positives: usize,
    pub base_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SplitSummary {
    pub kind: SplitKind,
    /// How rows were ordered or drawn: `"timeColumn"`, `"rowOrder"` or `"seeded"`.
    pub by: &'static str,
    pub seed: Option<u64>,
    pub test_fraction: f64,
    pub train_rows: usize,
    pub train_positives: usize,
    pub test_rows: usize,
    pub test_positives: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FitSummary {
    pub l2: f64,
    pub iterations: u32,
    pub converged: bool,
    pub parameters: usize,
    pub intercept: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BinReport {
    pub label: String,
    pub rule: BinRule,
    pub train_rows: usize,
    pub train_positives: usize,
    pub coefficient: f64,
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureReport {
    pub column: String,
    pub numeric: bool,
    /// Numeric bins merged to monotone conversion rates.
    pub monotone: bool,
    pub single_feature_auc: Option<f64>,
    pub bins: Vec<BinReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExcludedColumn {
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// The integer scorecard on the test rows (calibration from the points scale).
    pub test: Metrics,
    /// AUC of the unrounded fitted probabilities on the test rows (what rounding costs).
    pub test_auc_unrounded: Option<f64>,
    /// AUC of the scorecard on the training rows (a large gap to `test.auc` means overfitting).
    pub train_auc: Option<f64>,
    /// The current model's scores on the test rows that have one, side by side.
    pub current: Option<Metrics>,
}

/// Everything the dashboard shows after a calibration run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationReport {
    pub rows: RowSummary,
    pub split: SplitSummary,
    pub fit: FitSummary,
    pub scale: Scale,
    pub base_points: i64,
    pub features: Vec<FeatureReport>,
    pub excluded: Vec<ExcludedColumn>,
    pub leakage: Vec<LeakageFlag>,
    pub evaluation: Evaluation,
    pub thresholds: Vec<ThresholdSuggestion>,
    pub fragment: ModelFragment,
    pub warnings: Vec<String>,
}
