//! Calibration options: what the marketer chooses (outcome, exclusions, split, penalty, scale,
//! threshold targets), with defaults and validation that names the offending option.

use serde::{Deserialize, Serialize};

use super::scorecard::Scale;
use super::CalibrateError;

fn option_error(field: &str, reason: impl Into<String>) -> CalibrateError {
    CalibrateError::Option {
        field: field.to_string(),
        reason: reason.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SplitKind {
    Stratified,
    Time,
}

/// Options (camelCase in JS; every field has a default except `outcomeColumn` for CSV input).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CalibrateOptions {
    /// CSV: the outcome column.
    pub outcome_column: String,
    /// CSV: outcome values that count as converted (trimmed, case-insensitive).
    pub positive_values: Vec<String>,
    /// CSV: `,` `;` or tab; detected from the header when absent.
    pub separator: Option<char>,
    /// CSV: a column with the lead's creation time (epoch ms or ISO-8601); not a feature.
    pub time_column: Option<String>,
    /// CSV: a column with the current model's score, evaluated side by side; not a feature.
    pub current_score_column: Option<String>,
    /// Columns left out of the model.
    pub exclude: Vec<String>,
    /// Columns known to be recorded after the outcome: flagged and always left out.
    pub post_outcome_columns: Vec<String>,
    /// Also leave out columns flagged by name or by a suspicious single-feature AUC.
    pub exclude_leaky: bool,
    /// Single-feature AUC at or above which a column is flagged.
    pub leakage_auc: f64,
    /// `time` (train on the earliest rows; by `timeColumn`, else row order) or `stratified`
    /// (seeded). Default: `time` when rows carry times, else `stratified`.
    pub split: Option<SplitKind>,
    pub seed: u64,
    pub test_fraction: f64,
    /// L2 penalty weight on the coefficients (scikit-learn's `1 / C`).
    pub l2: f64,
    pub max_iterations: u32,
    /// Most quantile bins per numeric column.
    pub max_bins: usize,
    /// Minimum share of training rows for a category value or bin of its own.
    pub min_bin_share: f64,
    /// Points to double the odds.
    pub pdo: f64,
    /// The score that means odds `anchorOdds` (default 50 = even odds).
    pub anchor_score: f64,
    pub anchor_odds: f64,
    /// Put the learned points on the scale that spans `0..=pointsRange` instead (a lead in every
    /// column's lowest bin scores 0, one in every column's best bin at most `pointsRange`, and
    /// `basePoints` is 0), so they fit a model whose total is limited to that range: pass the
    /// model's `limits.total` width (the dashboard does). `pdo` and the anchor are then derived
    /// and reported in `scale`. Default: none (the `pdo`/anchor scale).
    pub points_range: Option<f64>,
    /// Threshold suggestions: a share of leads to pass as MQLs (default 0.1 when no target is
    /// given), a weekly sales capacity (with `leadsPerWeek`, or the rate derived from times), a
    /// target precision.
    pub target_mql_rate: Option<f64>,
    pub capacity_per_week: Option<f64>,
    pub leads_per_week: Option<f64>,
    pub target_precision: Option<f64>,
    /// The model group the generated fit rules add to (default `calibrated`: a group of its own,
    /// so the existing fit group's bounds do not clamp the learned points).
    pub group: String,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions {
            outcome_column: String::new(),
            positive_values: ["yes", "y", "true", "1", "won", "converted"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            separator: None,
            time_column: None,
            current_score_column: None,
            exclude: Vec::new(),
            post_outcome_columns: Vec::new(),
            exclude_leaky: false,
            leakage_auc: 0.80,
            split: None,
            seed: 42,
            test_fraction: 0.3,
            l2: 1.0,
            max_iterations: 50,
            max_bins: 10,
            min_bin_share: 0.005,
            pdo: 20.0,
            anchor_score: 50.0,
            anchor_odds: 1.0,
            points_range: None,
            target_mql_rate: None,
            capacity_per_week: None,
            leads_per_week: None,
            target_precision: None,
            group: "calibrated".to_string(),
        }
    }
}

impl CalibrateOptions {
    pub(super) fn validate(&self) -> Result<(), CalibrateError> {
        let fraction = |v: f64| v > 0.0 && v < 1.0;
        if !fraction(self.test_fraction) {
            return Err(option_error("testFraction", "must be between 0 and 1"));
        }
        if !(self.l2 > 0.0 && self.l2.is_finite()) {
            return Err(option_error(
                "l2",
                "must be a positive number (one-hot bins with an intercept need a penalty)",
            ));
        }
        if !(self.pdo > 0.0 && self.pdo.is_finite()) {
            return Err(option_error("pdo", "must be a positive number"));
        }
        if !(self.anchor_odds > 0.0 && self.anchor_odds.is_finite()) {
            return Err(option_error("anchorOdds", "must be a positive number"));
        }
        if !self.anchor_score.is_finite() {
            return Err(option_error("anchorScore", "must be a number"));
        }
        if self
            .points_range
            .is_some_and(|r| !(r.is_finite() && (1.0..=1e9).contains(&r)))
        {
            return Err(option_error(
                "pointsRange",
                "must be a number from 1 to 1,000,000,000",
            ));
        }
        if self.max_bins < 2 {
            return Err(option_error("maxBins", "must be at least 2"));
        }
        if !(0.0..0.5).contains(&self.min_bin_share) {
            return Err(option_error(
                "minBinShare",
                "must be at least 0 and below 0.5",
            ));
        }
        if !(0.5..=1.0).contains(&self.leakage_auc) {
            return Err(option_error("leakageAuc", "must be between 0.5 and 1"));
        }
        if self.max_iterations == 0 {
            return Err(option_error("maxIterations", "must be at least 1"));
        }
        if let Some(r) = self.target_mql_rate {
            if !(r > 0.0 && r <= 1.0) {
                return Err(option_error("targetMqlRate", "must be in (0, 1]"));
            }
        }
        if let Some(p) = self.target_precision {
            if !(p > 0.0 && p <= 1.0) {
                return Err(option_error("targetPrecision", "must be in (0, 1]"));
            }
        }
        for (field, v) in [
            ("capacityPerWeek", self.capacity_per_week),
            ("leadsPerWeek", self.leads_per_week),
        ] {
            if v.is_some_and(|v| !(v > 0.0 && v.is_finite())) {
                return Err(option_error(field, "must be a positive number"));
            }
        }
        if self.group.trim().is_empty() {
            return Err(option_error("group", "must not be empty"));
        }
        Ok(())
    }

    pub(super) fn scale(&self) -> Scale {
        Scale {
            pdo: self.pdo,
            anchor_score: self.anchor_score,
            anchor_odds: self.anchor_odds,
        }
    }
}
