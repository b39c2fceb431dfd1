//! `Workspace`: the dashboard's data (imported events, CRM outcomes, received handoffs) and the
//! analyses over it. It lives in the dashboard's Web Worker. Each method: decode the input, call
//! `crate::analytics`, encode the result. Long numeric series come back as `Float64Array`
//! columns, the shape uPlot draws directly.

use js_sys::{Float64Array, Reflect};
use wasm_bindgen::prelude::*;

use super::convert::{from_js, known_keys, optional_millis, time_arg, to_js};
use crate::analytics::backtest::BacktestOptions;
use crate::analytics::import::CsvMapping;
use crate::analytics::lead::{query, LeadQuery};
use crate::analytics::report::ImportReport;
use crate::analytics::workspace::{model_sla_ms, Workspace};
use crate::analytics::{funnel, histogram, rejected, sample, sla};

#[wasm_bindgen(typescript_custom_section)]
const WORKSPACE_TYPES: &str = r#"
/** Event file formats `beginEvents` / `importEvents` read; `auto` decides from the first character. */
export type ImportFormat = 'auto' | 'jsonl' | 'ndjson' | 'json-lines' | 'json' | 'json-array' | 'csv';

/**
 * How CSV columns become event fields: keys are event paths (`timestamp`, `anonymousId`,
 * `properties.path`, `traits.email`, `context.campaign.source`, …), values are column names.
 */
export interface CsvMapping {
  columns?: { [eventPath: string]: string };
  /** Event type when there is no type column (`track` if an event name is mapped, else `page`). */
  defaultType?: EventType | Capitalize<EventType> | null;
}

/** One rejected row: its 1-based line (or array position) and why. */
export interface RowError {
  row: number;
  reason: string;
}

/** Counts of one import, cumulative over its chunks. */
export interface ImportReport {
  /** Data rows read (header and blank lines are not rows). */
  rows: number;
  imported: number;
  rejected: number;
  /** Rows skipped because the same `messageId` / `handoffId` was already kept. */
  duplicates: number;
  /** The first 1000 rejected rows. */
  errors: RowError[];
  /** Rejected rows beyond those listed in `errors`. */
  errorsOmitted: number;
  /** Of `rejected`: well-formed rows the clock check skipped (a time more than a day ahead of
   * now, or seconds sent for milliseconds). */
  clockSkipped: number;
  /** Every rejected row counted by reason (the reason without the row's own numbers), most
   * frequent first; at most 20 reasons, the rest as "other reasons". */
  byReason: { reason: string; count: number; clock: boolean }[];
}

/** What the workspace holds. */
export interface WorkspaceSummary {
  events: number;
  outcomes: number;
  handoffs: number;
  firstEventAt: number | null;
  lastEventAt: number | null;
  /** A chunked event import is running. */
  importing: boolean;
}

/** Seeded sample files (`Workspace.sampleData`). */
export interface SampleData {
  eventsJsonl: string;
  outcomesCsv: string;
  events: number;
  visitors: number;
  leads: number;
}

/** The import reports of `loadSample`. */
export interface SampleImport {
  events: ImportReport;
  outcomes: ImportReport;
}

/** Sales-side stages from CRM outcomes, in funnel order (`lost` and `rejected` end a lead). */
export type SalesStage = 'sal' | 'sql' | 'opportunity' | 'won' | 'lost' | 'rejected';

/** What the CRM says about one lead. */
export interface SalesOutcome {
  leadId: string | null;
  /** Lowercased. */
  email: string | null;
  owner: string | null;
  /** First sales touch, when the CRM exports it. */
  touchedAt: number | null;
  /** When each stage was reached. */
  stages: { [S in SalesStage]?: number };
  rejectionReason: string | null;
  amount: number | null;
}

/** One row of the Leads view: a visitor scored by a model, joined with what sales did. */
export interface Lead {
  id: string;
  anonymousId: string | null;
  userId: string | null;
  email: string | null;
  name: string | null;
  company: string | null;
  title: string | null;
  score: number;
  fit: number;
  engagement: number;
  grade: string | null;
  /** The engine's stage or, when the CRM says more, the furthest sales stage (imported handoffs may carry others). */
  stage: StageName | (string & {});
  mqlAt: number | null;
  firstSeen: number | null;
  lastSeen: number | null;
  /** First-touch attribution: UTM source, else referrer host, else `direct`. */
  source: string;
  campaign: string;
  owner: string | null;
  slaDueAt: number | null;
  slaBreached: boolean;
  touchedAt: number | null;
  outcome: SalesOutcome | null;
  /** How often each rule fired for this visitor. */
  ruleCounts: { [ruleId: string]: number };
  eventCount: number;
}

/** Columns the Leads view sorts by (anything else sorts by `score`). */
export type LeadSortColumn =
  | 'score' | 'id' | 'email' | 'name' | 'company' | 'title' | 'fit' | 'engagement' | 'grade' | 'stage'
  | 'mqlAt' | 'lastSeen' | 'firstSeen' | 'source' | 'campaign' | 'owner' | 'slaDueAt' | 'slaBreached' | 'eventCount';

/** Filter, sort and page of `leads`. */
export interface LeadQuery {
  /** Case-insensitive, over id, email, name, company, title, owner, source, campaign. */
  text?: string;
  /** Only these stages (empty: all). */
  stages?: (StageName | (string & {}))[];
  onlyBreached?: boolean;
  minScore?: number | null;
  /** Default `score`. */
  sort?: LeadSortColumn | null;
  descending?: boolean | null;
  offset?: number;
  limit?: number | null;
}

/** One page of leads: `total` match the query, `all` are scored. */
export interface LeadPage {
  total: number;
  all: number;
  rows: Lead[];
}

/** One event in a lead's timeline. */
export interface TimelineItem {
  at: number;
  kind: EventType;
  /** Page path or track event name. */
  label: string;
  messageId: string;
}

/** A lead, the engine's explanation of its score, and its most recent events (newest first). */
export interface LeadDetail {
  lead: Lead;
  explanation: Explanation;
  timeline: TimelineItem[];
  /** All of the lead's events (the timeline lists the most recent 500). */
  eventsTotal: number;
  /** Older events left out of `timeline`. */
  timelineOmitted: number;
}

/** One step of the funnel after MQL. Rates and times are `null` when there is nothing to divide. */
export interface FunnelStep {
  stage: 'mql' | 'sal' | 'sql' | 'opportunity' | 'won';
  /** Leads that reached this step or a later one. */
  count: number;
  conversionFromPrevious: number | null;
  conversionFromMql: number | null;
  /** Time in this step before the next (ms), over leads with both dates. */
  medianMsInStage: number | null;
  p90MsInStage: number | null;
}

/** The funnel of one source or campaign. */
export interface FunnelSplit {
  key: string;
  /** MQL, SAL, SQL, Opportunity, Won. */
  counts: [number, number, number, number, number];
  /** MQL → Won. */
  winRate: number | null;
  wonAmount: number;
}

/** MQL → SAL → SQL → Opportunity → Won. The MQLs are the model's, made before sales acted on
 * the lead (as the backtest counts them); the other steps count those leads only. */
export interface FunnelReport {
  steps: FunnelStep[];
  lost: number;
  rejected: number;
  /** CRM leads the model did not make MQLs before sales acted on them: not in the steps. */
  crmWithoutMql: number;
  bySource: FunnelSplit[];
  byCampaign: FunnelSplit[];
}

/** An MQL not touched within the SLA. */
export interface SlaBreach {
  leadId: string;
  email: string | null;
  name: string | null;
  company: string | null;
  owner: string | null;
  source: string;
  mqlAt: number;
  dueAt: number;
  /** `null`: nobody has touched the lead yet. */
  touchedAt: number | null;
  /** How late the touch came (or `asOf` is, for untouched leads). */
  lateByMs: number;
}

/** MQL → first sales touch against the SLA. */
export interface SlaReport {
  slaMs: number;
  mqls: number;
  met: number;
  breached: number;
  /** Not touched yet and still within the SLA. */
  pending: number;
  medianResponseMs: number | null;
  p90ResponseMs: number | null;
  /** `[owner, mqls, breached]` per owner. */
  byOwner: [string, number, number][];
  /** Worst first. */
  breaches: SlaBreach[];
}

/** A rejection reason and how many leads gave it. */
export interface KeyCount {
  key: string;
  count: number;
}

/** Rejections among the MQLs of one source or one rule. */
export interface RejectionRow {
  key: string;
  mqls: number;
  rejected: number;
  rejectionRate: number | null;
  /** Relative to all MQLs' rate (above 1: over-represented among rejections). */
  lift: number | null;
  topReason: string | null;
}

/** Why sales sent leads back, by reason, source and rule. */
export interface RejectedReport {
  mqls: number;
  rejected: number;
  rejectionRate: number | null;
  byReason: KeyCount[];
  bySource: RejectionRow[];
  byRule: RejectionRow[];
}

/** Score histogram: equal-width bins, one count column per population. */
export interface ScoreHistogram {
  /** Lower edge of each bin (the last bin includes its upper edge). */
  lower: Float64Array;
  width: number;
  all: Float64Array;
  mql: Float64Array;
  won: Float64Array;
}

/** Options of `backtest`. */
export interface BacktestOptions {
  /** The outcome that counts as a good lead (default `sql`). */
  positive?: 'sal' | 'sql' | 'opportunity' | 'won' | null;
  /** Leads sales can work per week. */
  capacityPerWeek?: number | null;
  /** Thresholds in the sweep (default 101). */
  steps?: number | null;
}

/** One model's MQLs over the replayed history. */
export interface BacktestModelResult {
  mqls: number;
  /** MQLs whose outcome reached the positive stage. */
  converted: number;
  conversion: number | null;
  /** Share of all positive leads this model qualified. */
  recall: number | null;
  /** One value per `weeks` entry. */
  mqlsPerWeek: Float64Array;
}

/** The candidate's scores at `asOf`, thresholded: one value per threshold in each column. */
export interface ThresholdSweep {
  /** The score whose threshold varies: the MQL criterion's `score <name> gte` test's name
   * (`total` when it has one, else the first group's, e.g. a calibration's). */
  score: string;
  thresholds: Float64Array;
  count: Float64Array;
  perWeek: Float64Array;
  precision: Float64Array;
  recall: Float64Array;
}

/** The lowest threshold whose weekly volume fits the capacity. */
export interface CapacityPick {
  perWeek: number;
  threshold: number | null;
  precision: number | null;
  recall: number | null;
}

/** The same history under the current and a candidate model. */
export interface BacktestReport {
  positive: 'sal' | 'sql' | 'opportunity' | 'won';
  positives: number;
  /** Week starts (ms). */
  weeks: Float64Array;
  current: BacktestModelResult;
  candidate: BacktestModelResult;
  mqlDelta: number;
  conversionDelta: number | null;
  /** MQL under the candidate only. */
  newlyQualified: number;
  /** MQL under the current model only. */
  noLongerQualified: number;
  sweep: ThresholdSweep;
  /** `null` without `capacityPerWeek`. */
  capacity: CapacityPick | null;
}
"#;

use super::engine::{decode_model, decode_model_named};

/// `options.now` of an event import (`{ now?: number }`, or none).
fn import_now(options: &JsValue) -> Result<Option<i64>, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() {
        return Err(JsError::new(
            "options: must be an object like { now: Date.now() }",
        ));
    }
    known_keys(options, "options", &["now"])?;
    optional_millis(options, "now", "options.now")
}

fn optional<T: serde::de::DeserializeOwned + Default>(v: JsValue) -> Result<T, JsError> {
    if v.is_undefined() || v.is_null() {
        Ok(T::default())
    } else {
        from_js(v)
    }
}

/// Replaces `obj[path...]` arrays with `Float64Array`s (uPlot's data columns).
fn typed(obj: &JsValue, path: &[&str], values: &[f64]) -> Result<(), JsError> {
    let mut target = obj.clone();
    for key in &path[..path.len() - 1] {
        target = Reflect::get(&target, &JsValue::from_str(key))
            .map_err(|_| JsError::new("typed: missing object"))?;
    }
    let key = JsValue::from_str(path[path.len() - 1]);
    Reflect::set(&target, &key, &Float64Array::from(values))
        .map_err(|_| JsError::new("typed: cannot set"))?;
    Ok(())
}

fn report(r: Result<ImportReport, String>) -> Result<JsValue, JsError> {
    to_js(&r.map_err(|e| JsError::new(&e))?)
}

/// Imported data and the analyses the dashboard shows. Events are kept compact (interned texts
/// and property lists, about 185 MB of wasm memory for a million) and replayed one visitor at a
/// time; every import format streams chunk by chunk.
///
/// ```js
/// import init, { Workspace } from './pkg-dashboard/baton.js';
/// await init();
/// const ws = new Workspace();
/// ws.beginEvents('auto');
/// for (const chunk of chunks) console.log(ws.pushEvents(chunk).imported);
/// const report = ws.finishEvents();          // { rows, imported, rejected, errors: [{ row, reason }] }
/// ws.importOutcomes(crmCsv);
/// const { total, rows } = ws.leads(model, Date.now(), { sort: 'score', limit: 50 });
/// ```
#[wasm_bindgen(js_name = Workspace)]
pub struct JsWorkspace {
    inner: Workspace,
}

impl Default for JsWorkspace {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen(js_class = Workspace)]
impl JsWorkspace {
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsWorkspace {
        JsWorkspace {
            inner: Workspace::new(),
        }
    }

    /// Counts of what is loaded: `{ events, outcomes, handoffs, firstEventAt, lastEventAt, importing }`.
    #[wasm_bindgen(unchecked_return_type = "WorkspaceSummary")]
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.summary())
    }

    /// Drops all data.
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// Starts a chunked event import. `format`: `jsonl`, `json`, `csv` or `auto`; `mapping` (CSV):
    /// `{ columns: { timestamp: 'when', anonymousId: 'visitor', 'properties.path': 'page' }, defaultType }`.
    /// `options.now` (ms, e.g. `Date.now()`: the engine reads no clock) checks each row's time
    /// against the caller's clock: a row more than a day after it, or a number that looks like
    /// epoch seconds, is a bad row with its reason. Without it, times are taken as given. Any
    /// other key throws, naming the nearest known one.
    ///
    /// ```js
    /// ws.beginEvents('csv', { columns: { timestamp: 'Date', anonymousId: 'Visitor' } }, { now: Date.now() });
    /// ```
    #[wasm_bindgen(js_name = beginEvents)]
    pub fn begin_events(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ImportFormat")] format: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "CsvMapping | null")] mapping: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ now?: number } | null")] options: JsValue,
    ) -> Result<(), JsError> {
        let mapping: CsvMapping = optional(mapping)?;
        let now = import_now(&options)?;
        self.inner
            .begin_events_at(format, mapping, now)
            .map_err(|e| JsError::new(&e))
    }

    /// Feeds the next chunk of text; returns the counts so far.
    #[wasm_bindgen(js_name = pushEvents, unchecked_return_type = "ImportReport")]
    pub fn push_events(&mut self, chunk: &str) -> Result<JsValue, JsError> {
        report(self.inner.push_events(chunk))
    }

    /// Ends the import; returns the final counts with every bad row's number and reason.
    #[wasm_bindgen(js_name = finishEvents, unchecked_return_type = "ImportReport")]
    pub fn finish_events(&mut self) -> Result<JsValue, JsError> {
        report(self.inner.finish_events())
    }

    /// Abandons the running import (rows already fed stay).
    #[wasm_bindgen(js_name = cancelEvents)]
    pub fn cancel_events(&mut self) -> bool {
        self.inner.cancel_events()
    }

    /// A whole file in one call (`mapping` and `options` as in `beginEvents`).
    ///
    /// ```js
    /// const r = ws.importEvents(text, 'jsonl', null, { now: Date.now() });
    /// ```
    #[wasm_bindgen(js_name = importEvents, unchecked_return_type = "ImportReport")]
    pub fn import_events(
        &mut self,
        text: &str,
        #[wasm_bindgen(unchecked_param_type = "ImportFormat")] format: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "CsvMapping | null")] mapping: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ now?: number } | null")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        self.begin_events(format, mapping, options)?;
        self.inner.push_events(text).map_err(|e| JsError::new(&e))?;
        self.finish_events()
    }

    /// Replaces CRM outcomes with a CSV (lead id or email, stage, date, owner, rejection reason, amount).
    #[wasm_bindgen(js_name = importOutcomes, unchecked_return_type = "ImportReport")]
    pub fn import_outcomes(&mut self, csv: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.import_outcomes(csv))
    }

    /// Adds handoffs received by the demo receiver (JSON lines).
    #[wasm_bindgen(js_name = importHandoffs, unchecked_return_type = "ImportReport")]
    pub fn import_handoffs(&mut self, jsonl: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.import_handoffs(jsonl))
    }

    /// Seeded sample files: `{ eventsJsonl, outcomesCsv, events, visitors, leads }`.
    ///
    /// ```js
    /// const s = Workspace.sampleData(42, 2000, Date.now());
    /// ```
    #[wasm_bindgen(js_name = sampleData, unchecked_return_type = "SampleData")]
    pub fn sample_data(
        seed: f64,
        visitors: u32,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsError> {
        let s = sample::generate(seed as u64, visitors as usize, time_arg(&now, "now")?);
        let out = js_sys::Object::new();
        let set = |k: &str, v: JsValue| Reflect::set(&out, &JsValue::from_str(k), &v).map(|_| ());
        set("eventsJsonl", JsValue::from_str(&s.events_jsonl))
            .and_then(|_| set("outcomesCsv", JsValue::from_str(&s.outcomes_csv)))
            .and_then(|_| set("events", JsValue::from(s.events as f64)))
            .and_then(|_| set("visitors", JsValue::from(s.visitors as f64)))
            .and_then(|_| set("leads", JsValue::from(s.leads as f64)))
            .map_err(|_| JsError::new("sampleData: cannot build result"))?;
        Ok(out.into())
    }

    /// Replaces the data with seeded sample data; returns `{ events, outcomes }` import reports.
    #[wasm_bindgen(js_name = loadSample, unchecked_return_type = "SampleImport")]
    pub fn load_sample(
        &mut self,
        seed: f64,
        visitors: u32,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsError> {
        let s = sample::generate(seed as u64, visitors as usize, time_arg(&now, "now")?);
        self.inner.clear();
        self.inner
            .begin_events("jsonl", CsvMapping::default())
            .map_err(|e| JsError::new(&e))?;
        self.inner
            .push_events(&s.events_jsonl)
            .map_err(|e| JsError::new(&e))?;
        let events = self.inner.finish_events().map_err(|e| JsError::new(&e))?;
        let outcomes = self.inner.import_outcomes(&s.outcomes_csv);
        to_js(&crate::json::json!({ "events": events, "outcomes": outcomes }))
    }

    /// One page of leads under `model` at `asOf`: `{ total, all, rows }`.
    /// `query`: `{ text, stages, onlyBreached, minScore, sort, descending, offset, limit }`.
    #[wasm_bindgen(unchecked_return_type = "LeadPage")]
    pub fn leads(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
        #[wasm_bindgen(js_name = asOf, unchecked_param_type = "number")] as_of: JsValue,
        #[wasm_bindgen(js_name = query, unchecked_optional_param_type = "LeadQuery | null")]
        query_opts: JsValue,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        let q: LeadQuery = optional(query_opts)?;
        let leads = self.inner.leads(&model, time_arg(&as_of, "asOf")?);
        let (total, page) = query(leads, &q);
        let rows: Vec<&crate::analytics::lead::Lead> = page.iter().map(|&i| &leads[i]).collect();
        to_js(&crate::json::json!({ "total": total, "all": leads.len(), "rows": rows }))
    }

    /// A lead's ledger (the engine's explanation) and timeline; `null` if unknown.
    #[wasm_bindgen(js_name = leadDetail, unchecked_return_type = "LeadDetail | null")]
    pub fn lead_detail(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
        #[wasm_bindgen(js_name = asOf, unchecked_param_type = "number")] as_of: JsValue,
        id: &str,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        to_js(
            &self
                .inner
                .lead_detail(&model, time_arg(&as_of, "asOf")?, id),
        )
    }

    /// MQL → SAL → SQL → Opportunity → Won counts, rates, median/p90 time in stage, by source and campaign.
    #[wasm_bindgen(unchecked_return_type = "FunnelReport")]
    pub fn funnel(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
        #[wasm_bindgen(js_name = asOf, unchecked_param_type = "number")] as_of: JsValue,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        to_js(&funnel::funnel(
            self.inner.leads(&model, time_arg(&as_of, "asOf")?),
        ))
    }

    /// MQL → first sales touch against the model's SLA (`slaMinutes` overrides it); breach list.
    #[wasm_bindgen(unchecked_return_type = "SlaReport")]
    pub fn sla(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
        #[wasm_bindgen(js_name = asOf, unchecked_param_type = "number")] as_of: JsValue,
        #[wasm_bindgen(js_name = slaMinutes)] sla_minutes: Option<f64>,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        let as_of = time_arg(&as_of, "asOf")?;
        let sla_ms = sla_minutes.map_or_else(|| model_sla_ms(&model), |m| (m * 60_000.0) as i64);
        to_js(&sla::sla(self.inner.leads(&model, as_of), sla_ms, as_of))
    }

    /// Rejected leads: reasons, and rejection rates by source and by rule.
    #[wasm_bindgen(unchecked_return_type = "RejectedReport")]
    pub fn rejected(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
        #[wasm_bindgen(js_name = asOf, unchecked_param_type = "number")] as_of: JsValue,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        to_js(&rejected::rejected(
            self.inner.leads(&model, time_arg(&as_of, "asOf")?),
        ))
    }

    /// Score histogram: `{ width, lower, all, mql, won }` (Float64Array columns).
    #[wasm_bindgen(unchecked_return_type = "ScoreHistogram")]
    pub fn histogram(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
        #[wasm_bindgen(js_name = asOf, unchecked_param_type = "number")] as_of: JsValue,
        bins: Option<u32>,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        let h = histogram::histogram(
            self.inner.leads(&model, time_arg(&as_of, "asOf")?),
            bins.unwrap_or(20) as usize,
        );
        let out = to_js(&h)?;
        for (key, values) in [
            ("lower", &h.lower),
            ("all", &h.all),
            ("mql", &h.mql),
            ("won", &h.won),
        ] {
            typed(&out, &[key], values)?;
        }
        Ok(out)
    }

    /// Replays history under `current` and `candidate`. `options`: `{ positive: 'sql', capacityPerWeek, steps }`.
    /// Weekly series and the threshold sweep are Float64Array columns.
    ///
    /// ```js
    /// const bt = ws.backtest(model, candidate, Date.now(), { capacityPerWeek: 25 });
    /// bt.mqlDelta; bt.sweep.precision; // Float64Array
    /// ```
    #[wasm_bindgen(unchecked_return_type = "BacktestReport")]
    pub fn backtest(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Model | string")] current: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Model | string")] candidate: JsValue,
        #[wasm_bindgen(js_name = asOf, unchecked_param_type = "number")] as_of: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BacktestOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        let current = decode_model_named(current, "current")?;
        let candidate = decode_model_named(candidate, "candidate")?;
        let options: BacktestOptions = optional(options)?;
        let bt = self
            .inner
            .backtest(&current, &candidate, time_arg(&as_of, "asOf")?, &options);
        let out = to_js(&bt)?;
        typed(&out, &["weeks"], &bt.weeks)?;
        typed(&out, &["current", "mqlsPerWeek"], &bt.current.mqls_per_week)?;
        typed(
            &out,
            &["candidate", "mqlsPerWeek"],
            &bt.candidate.mqls_per_week,
        )?;
        let s = &bt.sweep;
        for (key, values) in [
            ("thresholds", &s.thresholds),
            ("count", &s.count),
            ("perWeek", &s.per_week),
            ("precision", &s.precision),
            ("recall", &s.recall),
        ] {
            typed(&out, &["sweep", key], values)?;
        }
        Ok(out)
    }
}
