//! `Workspace`: the dashboard's data (imported events, CRM outcomes, received handoffs) and the
//! analyses over it. It lives in the dashboard's Web Worker. Each method: decode the input, call
//! `crate::analytics`, encode the result. Long numeric series come back as `Float64Array`
//! columns, the shape uPlot draws directly.

use js_sys::{Float64Array, Reflect};
use wasm_bindgen::prelude::*;

use super::convert::{from_js, js_error, json_value, millis, to_js};
use crate::analytics::backtest::BacktestOptions;
use crate::analytics::import::CsvMapping;
use crate::analytics::lead::{query, LeadQuery};
use crate::analytics::report::ImportReport;
use crate::analytics::workspace::{model_sla_ms, Workspace};
use crate::analytics::{funnel, histogram, rejected, sample, sla};
use crate::model::Model;

fn decode_model(model: JsValue) -> Result<Model, JsError> {
    Model::from_value(&json_value(model)?).map_err(js_error)
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

/// Imported data and the analyses the dashboard shows.
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
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.summary())
    }

    /// Drops all data.
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// Starts a chunked event import. `format`: `jsonl`, `json`, `csv` or `auto`; `mapping` (CSV):
    /// `{ columns: { timestamp: 'when', anonymousId: 'visitor', 'properties.path': 'page' }, defaultType }`.
    ///
    /// ```js
    /// ws.beginEvents('csv', { columns: { timestamp: 'Date', anonymousId: 'Visitor' } });
    /// ```
    #[wasm_bindgen(js_name = beginEvents)]
    pub fn begin_events(&mut self, format: &str, mapping: JsValue) -> Result<(), JsError> {
        let mapping: CsvMapping = optional(mapping)?;
        self.inner
            .begin_events(format, mapping)
            .map_err(|e| JsError::new(&e))
    }

    /// Feeds the next chunk of text; returns the counts so far.
    #[wasm_bindgen(js_name = pushEvents)]
    pub fn push_events(&mut self, chunk: &str) -> Result<JsValue, JsError> {
        report(self.inner.push_events(chunk))
    }

    /// Ends the import; returns the final counts with every bad row's number and reason.
    #[wasm_bindgen(js_name = finishEvents)]
    pub fn finish_events(&mut self) -> Result<JsValue, JsError> {
        report(self.inner.finish_events())
    }

    /// Abandons the running import (rows already fed stay).
    #[wasm_bindgen(js_name = cancelEvents)]
    pub fn cancel_events(&mut self) -> bool {
        self.inner.cancel_events()
    }

    /// A whole file in one call.
    ///
    /// ```js
    /// const r = ws.importEvents(text, 'jsonl');
    /// ```
    #[wasm_bindgen(js_name = importEvents)]
    pub fn import_events(
        &mut self,
        text: &str,
        format: &str,
        mapping: JsValue,
    ) -> Result<JsValue, JsError> {
        self.begin_events(format, mapping)?;
        self.inner.push_events(text).map_err(|e| JsError::new(&e))?;
        self.finish_events()
    }

    /// Replaces CRM outcomes with a CSV (lead id or email, stage, date, owner, rejection reason, amount).
    #[wasm_bindgen(js_name = importOutcomes)]
    pub fn import_outcomes(&mut self, csv: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.import_outcomes(csv))
    }

    /// Adds handoffs received by the demo receiver (JSON lines).
    #[wasm_bindgen(js_name = importHandoffs)]
    pub fn import_handoffs(&mut self, jsonl: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.import_handoffs(jsonl))
    }

    /// Seeded sample files: `{ eventsJsonl, outcomesCsv, events, visitors, leads }`.
    ///
    /// ```js
    /// const s = Workspace.sampleData(42, 2000, Date.now());
    /// ```
    #[wasm_bindgen(js_name = sampleData)]
    pub fn sample_data(seed: f64, visitors: u32, now: f64) -> Result<JsValue, JsError> {
        let s = sample::generate(seed as u64, visitors as usize, millis(now, "now")?);
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
    #[wasm_bindgen(js_name = loadSample)]
    pub fn load_sample(&mut self, seed: f64, visitors: u32, now: f64) -> Result<JsValue, JsError> {
        let s = sample::generate(seed as u64, visitors as usize, millis(now, "now")?);
        self.inner.clear();
        self.inner
            .begin_events("jsonl", CsvMapping::default())
            .map_err(|e| JsError::new(&e))?;
        self.inner
            .push_events(&s.events_jsonl)
            .map_err(|e| JsError::new(&e))?;
        let events = self.inner.finish_events().map_err(|e| JsError::new(&e))?;
        let outcomes = self.inner.import_outcomes(&s.outcomes_csv);
        to_js(&serde_json::json!({ "events": events, "outcomes": outcomes }))
    }

    /// One page of leads under `model` at `asOf`: `{ total, all, rows }`.
    /// `query`: `{ text, stages, onlyBreached, minScore, sort, descending, offset, limit }`.
    pub fn leads(
        &mut self,
        model: JsValue,
        as_of: f64,
        query_opts: JsValue,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        let q: LeadQuery = optional(query_opts)?;
        let leads = self.inner.leads(&model, millis(as_of, "asOf")?);
        let (total, page) = query(leads, &q);
        let rows: Vec<&crate::analytics::lead::Lead> = page.iter().map(|&i| &leads[i]).collect();
        to_js(&serde_json::json!({ "total": total, "all": leads.len(), "rows": rows }))
    }

    /// A lead's ledger (the engine's explanation) and timeline; `null` if unknown.
    #[wasm_bindgen(js_name = leadDetail)]
    pub fn lead_detail(
        &mut self,
        model: JsValue,
        as_of: f64,
        id: &str,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        to_js(&self.inner.lead_detail(&model, millis(as_of, "asOf")?, id))
    }

    /// MQL → SAL → SQL → Opportunity → Won counts, rates, median/p90 time in stage, by source and campaign.
    pub fn funnel(&mut self, model: JsValue, as_of: f64) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        to_js(&funnel::funnel(
            self.inner.leads(&model, millis(as_of, "asOf")?),
        ))
    }

    /// MQL → first sales touch against the model's SLA (`slaMinutes` overrides it); breach list.
    pub fn sla(
        &mut self,
        model: JsValue,
        as_of: f64,
        sla_minutes: Option<f64>,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        let as_of = millis(as_of, "asOf")?;
        let sla_ms = sla_minutes.map_or_else(|| model_sla_ms(&model), |m| (m * 60_000.0) as i64);
        to_js(&sla::sla(self.inner.leads(&model, as_of), sla_ms, as_of))
    }

    /// Rejected leads: reasons, and rejection rates by source and by rule.
    pub fn rejected(&mut self, model: JsValue, as_of: f64) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        to_js(&rejected::rejected(
            self.inner.leads(&model, millis(as_of, "asOf")?),
        ))
    }

    /// Score histogram: `{ width, lower, all, mql, won }` (Float64Array columns).
    pub fn histogram(
        &mut self,
        model: JsValue,
        as_of: f64,
        bins: Option<u32>,
    ) -> Result<JsValue, JsError> {
        let model = decode_model(model)?;
        let h = histogram::histogram(
            self.inner.leads(&model, millis(as_of, "asOf")?),
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
    pub fn backtest(
        &mut self,
        current: JsValue,
        candidate: JsValue,
        as_of: f64,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let current = decode_model(current)?;
        let candidate = decode_model(candidate)?;
        let options: BacktestOptions = optional(options)?;
        let bt = self
            .inner
            .backtest(&current, &candidate, millis(as_of, "asOf")?, &options);
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
