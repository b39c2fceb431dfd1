//! `calibrate`, `calibrateRows`, `applyCalibration`: learn scorecard points from outcomes
//! (dashboard and Node builds only). Each function: decode the input, call the engine, encode.

use wasm_bindgen::prelude::*;

use super::convert::{from_js, from_js_named, json_value, model_error, to_js};
use crate::calibrate::dataset::LabeledRow;
use crate::calibrate::fragment::ModelFragment;
use crate::calibrate::{self as engine, CalibrateError, CalibrateOptions, Progress};

#[wasm_bindgen(typescript_custom_section)]
const CALIBRATE_TYPES: &str = r#"
/** Options of `calibrate` / `calibrateRows`; every field is optional except `outcomeColumn` for CSV. */
export interface CalibrateOptions {
  /** CSV: the outcome column (required for `calibrate`). */
  outcomeColumn?: string;
  /** CSV: outcome values that mean converted (trimmed, case-insensitive). Default yes, y, true, 1, won, converted. */
  positiveValues?: string[];
  /** CSV: ',' ';' or '\t'; detected from the header line when absent. */
  separator?: string;
  /** CSV: the lead's creation time (epoch ms or ISO-8601); used for the time split, never a feature. */
  timeColumn?: string;
  /** CSV: the current model's score per lead, evaluated side by side; never a feature. */
  currentScoreColumn?: string;
  /** Columns left out of the model. */
  exclude?: string[];
  /** Columns known to be recorded after the outcome: flagged and always left out. */
  postOutcomeColumns?: string[];
  /** Also leave out columns flagged by name or single-feature AUC (default false: flag only). */
  excludeLeaky?: boolean;
  /** Single-feature AUC at or above which a column is flagged (default 0.8); a column at 0.75+ whose lift over chance is 1.75× the runner-up's is flagged too. */
  leakageAuc?: number;
  /** Default: 'time' when rows carry times (timeColumn / row.time), else 'stratified'. 'time' without times uses row order. */
  split?: 'stratified' | 'time';
  /** Seed of the stratified split (default 42; an integer up to 2^53). */
  seed?: number;
  /** Share of rows held out for testing (default 0.3). */
  testFraction?: number;
  /** L2 penalty (scikit-learn's 1/C; default 1). Must be > 0. */
  l2?: number;
  /** Newton iterations at most (default 50). */
  maxIterations?: number;
  /** Most quantile bins per numeric column (default 10). */
  maxBins?: number;
  /** Minimum share of training rows for a value or bin of its own (default 0.005). */
  minBinShare?: number;
  /** Points to double the odds (default 20). */
  pdo?: number;
  /** The score meaning odds `anchorOdds` (default 50 at odds 1 = 50%). */
  anchorScore?: number;
  anchorOdds?: number;
  /** Fit the points to `0..=pointsRange` instead (every column's lowest bin 0, the best lead at
   *  most `pointsRange`, `basePoints` 0): pass the model's `limits.total` width so the learned
   *  points are not clamped by it. `pdo` and the anchor are then derived (see `scale`). */
  pointsRange?: number;
  /** Threshold suggestion: share of leads to pass as MQLs (default 0.1 when no target is set). */
  targetMqlRate?: number;
  /** Threshold suggestion: sales capacity per week (needs leadsPerWeek or timeColumn). */
  capacityPerWeek?: number;
  leadsPerWeek?: number;
  /** Threshold suggestion: share of MQLs that should convert. */
  targetPrecision?: number;
  /** Model group of the generated fit rules (default 'calibrated'). */
  group?: string;
}

/**
 * Reported during `calibrate`, stages in this order, `done` of `total` steps within a stage
 * ('bin' and 'screen' count columns; 'fit' counts Newton steps against `maxIterations`, and
 * usually converges in under 10, then jumps to 'evaluate').
 */
export interface CalibrateProgress { stage: 'parse' | 'bin' | 'screen' | 'fit' | 'evaluate'; done: number; total: number; }

/** One labelled row for `calibrateRows` (e.g. a replay's `ruleCounts` and traits joined with a CRM outcome). */
export interface LabeledRow {
  features: { [name: string]: number | string | boolean | null };
  outcome: boolean;
  /** Epoch ms (for the time split). */
  time?: number | null;
  /** The current model's score (for the side-by-side). */
  currentScore?: number | null;
}

export type BinRule =
  | { kind: 'in'; values: string[] }
  /** `count` pooled values, the first 20 listed. */
  | { kind: 'other'; values: string[]; count: number }
  | { kind: 'range'; lower: number | null; upper: number | null }
  | { kind: 'missing' };

export interface DecileRow { decile: number; rows: number; positives: number; minScore: number; maxScore: number; conversionRate: number; lift: number; cumulativeRecall: number; }
export interface CalibrationBand { band: number; rows: number; meanPredicted: number; observedRate: number; }
export interface CalibrationMetrics { rows: number; positives: number; baseRate: number; auc: number | null; deciles: DecileRow[]; calibration: CalibrationBand[]; brier: number | null; }
/** A suggested MQL threshold and what it does on the test rows. */
export interface ThresholdSuggestion {
  basis: 'mqlRate' | 'capacity' | 'precision';
  target: number;
  /** MQL when score >= this. */
  score: number;
  achievable: boolean;
  mqlRate: number;
  precision: number | null;
  recall: number | null;
  leadsPerWeek: number | null;
  mqlsPerWeek: number | null;
}
export interface CalibrationFragment {
  /** Fit rules in the model's rule shape, ids prefixed 'calibrated.'. */
  rules: { id: string; kind: 'fit'; group: string; points: number; description: string; when: JsonValue }[];
  group: string;
  basePoints: number;
  /** `{ score: group, gte: threshold - basePoints }` when a threshold was suggested. */
  stageCriterion: JsonValue | null;
  /** The most the rules add together (every column's best bin). */
  maxPoints: number;
}

/** The result of `calibrate` / `calibrateRows`. */
export interface CalibrationReport {
  rows: { used: number; badRowCount: number; badRows: { line: number; reason: string }[]; positives: number; baseRate: number };
  split: { kind: 'stratified' | 'time'; by: 'seeded' | 'timeColumn' | 'rowOrder'; seed: number | null; testFraction: number;
           trainRows: number; trainPositives: number; testRows: number; testPositives: number };
  fit: { l2: number; iterations: number; converged: boolean; parameters: number; intercept: number };
  scale: { pdo: number; anchorScore: number; anchorOdds: number };
  basePoints: number;
  features: { column: string; numeric: boolean; monotone: boolean; singleFeatureAuc: number | null;
              bins: { label: string; rule: BinRule; trainRows: number; trainPositives: number; coefficient: number; points: number }[] }[];
  excluded: { column: string; reason: string }[];
  leakage: { column: string; reasons: string[]; singleFeatureAuc: number | null; excluded: boolean }[];
  evaluation: { test: CalibrationMetrics; testAucUnrounded: number | null; trainAuc: number | null; current: CalibrationMetrics | null };
  thresholds: ThresholdSuggestion[];
  fragment: CalibrationFragment;
  warnings: string[];
}

/** The result of `applyCalibration`. */
export interface AppliedCalibration {
  model: Model;
  changes: { id: string; before: number | null; after: number | null; whenChanged: boolean }[];
  /** What the diff does not show, e.g. learned points that reach past `limits.total`. */
  warnings: string[];
}
"#;

fn decode_options(options: JsValue) -> Result<CalibrateOptions, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(CalibrateOptions::default());
    }
    // Decoded through a JSON tree so `deny_unknown_fields` names a misspelt option.
    let tree = json_value(options)?;
    crate::json::from_value(&tree).map_err(|e| JsError::new(&format!("invalid options: {e}")))
}

/// Runs `run` with a progress callback that forwards to `on_progress`; the callback's own
/// exception is rethrown unchanged once the engine returns (the engine cannot be interrupted).
fn with_progress(
    on_progress: Option<js_sys::Function>,
    run: impl FnOnce(&mut dyn FnMut(Progress)) -> Result<engine::CalibrationReport, CalibrateError>,
) -> Result<JsValue, JsValue> {
    let mut thrown: Option<JsValue> = None;
    let mut forward = |p: Progress| {
        if let (Some(f), None) = (&on_progress, &thrown) {
            match to_js(&p) {
                Ok(arg) => {
                    if let Err(e) = f.call1(&JsValue::NULL, &arg) {
                        thrown = Some(e);
                    }
                }
                Err(e) => thrown = Some(e.into()),
            }
        }
    };
    let result = run(&mut forward);
    if let Some(e) = thrown {
        return Err(e);
    }
    let report = result.map_err(|e| JsValue::from(JsError::new(&e.to_string())))?;
    to_js(&report).map_err(JsValue::from)
}

/// Learns integer scorecard points from a lead table (CSV text, `,` or `;` separated, one row per
/// lead, an outcome column) and reports AUC, lift by decile, calibration, leakage warnings,
/// threshold suggestions and the points as a model fragment. Throws an `Error` for bad options or
/// unusable data; bad rows are skipped and listed in `report.rows`.
///
/// ```js
/// import { calibrate } from 'baton';
/// const report = calibrate(csvText, { outcomeColumn: 'y', positiveValues: ['yes'],
///   exclude: ['duration'], split: 'stratified', seed: 42 }, (p) => console.log(p.stage, p.done, p.total));
/// console.log(report.evaluation.test.auc, report.fragment.rules.length);
/// ```
#[wasm_bindgen(unchecked_return_type = "CalibrationReport")]
pub fn calibrate(
    #[wasm_bindgen(js_name = csvText)] csv_text: &str,
    #[wasm_bindgen(unchecked_param_type = "CalibrateOptions")] options: JsValue,
    #[wasm_bindgen(js_name = onProgress, unchecked_optional_param_type = "(progress: CalibrateProgress) => void")]
    on_progress: Option<js_sys::Function>,
) -> Result<JsValue, JsValue> {
    let options = decode_options(options)?;
    with_progress(on_progress, |progress| {
        engine::calibrate_csv(csv_text, &options, progress)
    })
}

/// The same trainer over labelled rows, e.g. a replay's per-visitor `ruleCounts` and traits
/// joined with CRM outcomes. CSV-only options are ignored.
///
/// ```js
/// const rows = visitors.map((v) => ({ features: { ...v.ruleCounts, industry: v.traits.industry },
///   outcome: wonIds.has(v.visitorId), time: v.firstSeen, currentScore: v.score.total }));
/// const report = calibrateRows(rows, { split: 'time' });
/// ```
#[wasm_bindgen(js_name = calibrateRows, unchecked_return_type = "CalibrationReport")]
pub fn calibrate_rows(
    #[wasm_bindgen(unchecked_param_type = "LabeledRow[]")] rows: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CalibrateOptions")] options: JsValue,
    #[wasm_bindgen(js_name = onProgress, unchecked_optional_param_type = "(progress: CalibrateProgress) => void")]
    on_progress: Option<js_sys::Function>,
) -> Result<JsValue, JsValue> {
    let rows: Vec<LabeledRow> = from_js_named(rows, "rows")?;
    let options = decode_options(options)?;
    with_progress(on_progress, |progress| {
        engine::calibrate_rows(&rows, &options, progress)
    })
}

/// The model with a calibration's rules applied (earlier `calibrated.*` rules replaced, all other
/// rules kept), the rule-by-rule changes to review, and warnings the diff does not show (learned
/// points reaching past the model's `limits.total`). The result is not yet validated: pass it to
/// `Engine.validate` / `new Engine` before saving it as a new version. Model text with a key
/// given twice throws a `ModelError` naming each (the result would silently keep the last).
///
/// ```js
/// const { model: next, changes } = applyCalibration(currentModel, report.fragment);
/// ```
#[wasm_bindgen(js_name = applyCalibration, unchecked_return_type = "AppliedCalibration")]
pub fn apply_calibration(
    #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CalibrationFragment")] fragment: JsValue,
) -> Result<JsValue, JsError> {
    let model = match model.as_string() {
        Some(text) => {
            let (doc, repeated) =
                crate::model::Model::read_json(&text).map_err(|p| model_error(vec![p]))?;
            if !repeated.is_empty() {
                return Err(model_error(repeated));
            }
            doc
        }
        None => json_value(model)?,
    };
    let fragment: ModelFragment = from_js(fragment)?;
    let warnings = crate::calibrate::fragment::warnings(&model, &fragment);
    let (model, changes) = crate::calibrate::fragment::apply(&model, &fragment);
    to_js(&crate::json::json!({ "model": model, "changes": changes, "warnings": warnings }))
}
