//! The dashboard's data in memory: imported events, CRM outcomes and received handoffs, and the
//! lead rows a model makes of them (cached per model hash, `as_of` and data version).

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use serde::Serialize;
use serde_json::Value;

use super::backtest::{backtest, Backtest, BacktestOptions};
use super::import::{CsvMapping, EventImport};
use super::lead::Lead;
use super::outcomes::{parse_outcomes, Outcome};
use super::report::ImportReport;
use crate::engine::Engine;
use crate::event::Event;
use crate::model::Model;
use crate::replay::{replay, VisitorResult};
use crate::score::Explanation;

/// SLA when neither the model nor a handoff names one.
pub const DEFAULT_SLA_MINUTES: i64 = 24 * 60;
/// Events shown in a lead's timeline (the most recent ones).
pub const TIMELINE_LIMIT: usize = 500;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub events: u64,
    pub outcomes: u64,
    pub handoffs: u64,
    pub first_event_at: Option<i64>,
    pub last_event_at: Option<i64>,
    pub importing: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineItem {
    pub at: i64,
    pub kind: &'static str,
    pub label: String,
    pub message_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadDetail {
    pub lead: Lead,
    pub explanation: Explanation,
    pub timeline: Vec<TimelineItem>,
    pub events_total: usize,
}

struct Cache {
    key: (String, i64, u64),
    leads: Vec<Lead>,
}

#[derive(Default)]
pub struct Workspace {
    events: Vec<Event>,
    /// Hashes of kept `messageId`s: a re-imported file does not double the data.
    seen: HashSet<u64>,
    sorted: bool,
    import: Option<EventImport>,
    outcomes: Vec<Outcome>,
    /// Received handoff payloads (demo receiver), by handoffId.
    handoffs: Vec<Value>,
    handoff_ids: HashSet<String>,
    /// Bumped on every data change; part of the cache key.
    version: u64,
    cache: Option<Cache>,
}

fn id_hash(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let h = rest
        .split(['/', '?', '#'])
        .next()?
        .trim_start_matches("www.");
    (!h.is_empty()).then(|| h.to_string())
}

/// First-touch attribution of an event: UTM source/campaign, else referrer host, else direct.
fn touch_of(e: &Event) -> (String, String) {
    let source = e
        .campaign
        .source
        .clone()
        .or_else(|| e.referrer.as_deref().and_then(host))
        .unwrap_or_else(|| "direct".into());
    (
        source,
        e.campaign.name.clone().unwrap_or_else(|| "(none)".into()),
    )
}

/// The SLA a model sets (`handoff.slaMinutes`), in ms.
pub fn model_sla_ms(model: &Model) -> i64 {
    model
        .to_value()
        .pointer("/handoff/slaMinutes")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_SLA_MINUTES)
        * 60_000
}

impl Workspace {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn summary(&self) -> Summary {
        Summary {
            events: self.events.len() as u64,
            outcomes: self.outcomes.len() as u64,
            handoffs: self.handoffs.len() as u64,
            first_event_at: self.events.iter().map(|e| e.timestamp).min(),
            last_event_at: self.events.iter().map(|e| e.timestamp).max(),
            importing: self.import.is_some(),
        }
    }

    pub fn clear(&mut self) {
        *self = Workspace {
            version: self.version + 1,
            ..Workspace::default()
        };
    }

    fn changed(&mut self) {
        self.version += 1;
        self.cache = None;
    }

    fn add_events(&mut self, events: Vec<Event>, report: &mut ImportReport) {
        for e in events {
            if self.seen.insert(id_hash(&e.message_id)) {
                if self
                    .events
                    .last()
                    .is_some_and(|l| l.timestamp > e.timestamp)
                {
                    self.sorted = false;
                }
                self.events.push(e);
            } else {
                // Counted as a duplicate, not as imported.
                report.imported -= 1;
                report.duplicates += 1;
            }
        }
    }

    /// Starts an event import (`jsonl`, `json`, `csv` or `auto`); a running one is discarded.
    pub fn begin_events(&mut self, format: &str, mapping: CsvMapping) -> Result<(), String> {
        self.import = Some(EventImport::new(format, mapping)?);
        Ok(())
    }

    /// Feeds one chunk; returns the counts so far.
    pub fn push_events(&mut self, chunk: &str) -> Result<ImportReport, String> {
        let mut imp = self
            .import
            .take()
            .ok_or("no import in progress: call beginEvents first")?;
        let events = imp.push(chunk);
        self.add_events(events, &mut imp.report);
        let report = imp.report.clone();
        self.import = Some(imp);
        self.changed();
        Ok(report)
    }

    /// Ends the import; returns the final counts.
    pub fn finish_events(&mut self) -> Result<ImportReport, String> {
        let mut imp = self
            .import
            .take()
            .ok_or("no import in progress: call beginEvents first")?;
        let events = imp.finish();
        self.add_events(events, &mut imp.report);
        self.changed();
        Ok(imp.report)
    }

    /// Abandons the running import. Events from chunks already fed stay (they were valid);
    /// call `clear` to drop them too.
    pub fn cancel_events(&mut self) -> bool {
        self.import.take().is_some()
    }

    /// Replaces the CRM outcomes with those in `csv`.
    pub fn import_outcomes(&mut self, csv: &str) -> ImportReport {
        let (outcomes, report) = parse_outcomes(csv);
        self.outcomes = outcomes;
        self.changed();
        report
    }

    /// Adds handoffs received by the demo receiver: JSON lines, each a handoff payload or a
    /// receiver record wrapping it (`body`, `payload` or `handoff`, as an object or JSON text).
    pub fn import_handoffs(&mut self, jsonl: &str) -> ImportReport {
        let mut report = ImportReport::default();
        for (i, line) in jsonl.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let row = i as u64 + 1;
            let v = match serde_json::from_str::<Value>(line) {
                Ok(v) => v,
                Err(e) => {
                    report.bad(row, format!("not valid JSON: {e}"));
                    continue;
                }
            };
            let payload = unwrap_handoff(v);
            let Some(id) = payload.as_ref().and_then(|p| text(p.get("handoffId"))) else {
                report.bad(row, "not a handoff: no handoffId");
                continue;
            };
            let payload = payload.unwrap_or_default();
            if text(payload.get("visitorId")).is_none() {
                report.bad(row, "handoff has no visitorId");
                continue;
            }
            if self.handoff_ids.insert(id) {
                self.handoffs.push(payload);
                report.kept();
            } else {
                report.duplicate();
            }
        }
        self.changed();
        report
    }

    fn ensure_sorted(&mut self) {
        if !self.sorted {
            self.events.sort_by_key(|e| e.timestamp);
            self.sorted = true;
        }
    }

    /// Every visitor as a lead under `model` at `as_of`, joined with outcomes and handoffs.
    /// Cached until the data, the model or `as_of` change.
    pub fn leads(&mut self, model: &Model, as_of: i64) -> &[Lead] {
        let key = (model.hash().to_string(), as_of, self.version);
        if self.cache.as_ref().is_none_or(|c| c.key != key) {
            let leads = self.build_leads(model, as_of);
            self.cache = Some(Cache { key, leads });
        }
        self.cache
            .as_ref()
            .map(|c| c.leads.as_slice())
            .unwrap_or(&[])
    }

    fn build_leads(&mut self, model: &Model, as_of: i64) -> Vec<Lead> {
        self.ensure_sorted();
        let sla_ms = model_sla_ms(model);
        // First touch per anonymous id / user id (events are in time order).
        let mut touches: HashMap<&str, (String, String)> = HashMap::new();
        for e in self.events.iter().filter(|e| e.timestamp <= as_of) {
            for id in [e.anonymous_id.as_deref(), e.user_id.as_deref()]
                .into_iter()
                .flatten()
            {
                touches.entry(id).or_insert_with(|| touch_of(e));
            }
        }
        let results = replay(model, &self.events, as_of);
        let mut by_email: HashMap<String, usize> = HashMap::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (i, o) in self.outcomes.iter().enumerate() {
            if let Some(e) = &o.email {
                by_email.entry(e.clone()).or_insert(i);
            }
            if let Some(id) = &o.lead_id {
                by_id.entry(id.clone()).or_insert(i);
            }
        }
        let mut used = vec![false; self.outcomes.len()];
        let mut leads: Vec<Lead> = Vec::with_capacity(results.len());
        let mut seen_visitors: HashSet<String> = HashSet::new();
        for r in results {
            let mut lead = lead_from_result(&r, &touches);
            let hit = [
                Some(&r.visitor_id),
                r.user_id.as_ref(),
                r.anonymous_id.as_ref(),
            ]
            .into_iter()
            .flatten()
            .find_map(|id| by_id.get(id))
            .or_else(|| {
                lead.email
                    .as_ref()
                    .and_then(|e| by_email.get(&e.to_lowercase()))
            })
            .copied();
            if let Some(i) = hit {
                used[i] = true;
            }
            let sla = r
                .handoffs
                .last()
                .map_or(sla_ms, |h| i64::from(h.sla_minutes) * 60_000);
            lead.apply_outcome(hit.map(|i| self.outcomes[i].clone()), sla, as_of);
            seen_visitors.insert(r.visitor_id.clone());
            leads.push(lead);
        }
        // Handoffs received for visitors whose events were not imported.
        for h in &self.handoffs {
            let Some(mut lead) = lead_from_handoff(h) else {
                continue;
            };
            if seen_visitors.contains(&lead.id) || lead.mql_at.is_some_and(|t| t > as_of) {
                continue;
            }
            seen_visitors.insert(lead.id.clone());
            let hit = lead
                .email
                .as_ref()
                .and_then(|e| by_email.get(&e.to_lowercase()))
                .or_else(|| by_id.get(&lead.id))
                .copied();
            if let Some(i) = hit {
                used[i] = true;
            }
            let sla = h
                .get("slaMinutes")
                .and_then(Value::as_i64)
                .map_or(sla_ms, |m| m * 60_000);
            lead.apply_outcome(hit.map(|i| self.outcomes[i].clone()), sla, as_of);
            leads.push(lead);
        }
        // CRM leads no event or handoff explains still belong in the funnel.
        for (i, o) in self.outcomes.iter().enumerate().filter(|(i, _)| !used[*i]) {
            let _ = i;
            let mut lead = Lead {
                id: o
                    .lead_id
                    .clone()
                    .or_else(|| o.email.clone())
                    .unwrap_or_default(),
                stage: "known".into(),
                source: "(crm only)".into(),
                campaign: "(none)".into(),
                ..Default::default()
            };
            lead.apply_outcome(Some(o.clone()), sla_ms, as_of);
            leads.push(lead);
        }
        leads
    }

    /// One visitor's ledger (from the engine's own explain) and timeline.
    pub fn lead_detail(&mut self, model: &Model, as_of: i64, id: &str) -> Option<LeadDetail> {
        let lead = self
            .leads(model, as_of)
            .iter()
            .find(|l| l.id == id)?
            .clone();
        let anon = lead.anonymous_id.clone();
        let user = lead.user_id.clone();
        let mine: Vec<&Event> = self
            .events
            .iter()
            .filter(|e| e.timestamp <= as_of)
            .filter(|e| {
                (anon.is_some() && e.anonymous_id == anon)
                    || (user.is_some() && e.user_id == user)
                    || e.anonymous_id.as_deref() == Some(id)
            })
            .collect();
        let mut engine = Engine::new(model.clone());
        for e in &mine {
            engine.ingest((*e).clone(), e.timestamp);
        }
        let timeline = mine
            .iter()
            .rev()
            .take(TIMELINE_LIMIT)
            .map(|e| TimelineItem {
                at: e.timestamp,
                kind: e.kind.as_str(),
                label: e.label(),
                message_id: e.message_id.clone(),
            })
            .collect();
        Some(LeadDetail {
            explanation: engine.explain(as_of),
            events_total: mine.len(),
            timeline,
            lead,
        })
    }

    /// Replays under both models; compares MQL volume and conversion, and sweeps the threshold.
    pub fn backtest(
        &mut self,
        current: &Model,
        candidate: &Model,
        as_of: i64,
        options: &BacktestOptions,
    ) -> Backtest {
        let cur = self.leads(current, as_of).to_vec();
        let cand = self.build_leads(candidate, as_of);
        backtest(&cur, &cand, options)
    }
}

fn unwrap_handoff(v: Value) -> Option<Value> {
    if v.get("handoffId").is_some() {
        return Some(v);
    }
    for key in ["body", "payload", "handoff"] {
        match v.get(key) {
            Some(Value::String(s)) => {
                return serde_json::from_str::<Value>(s)
                    .ok()
                    .filter(|p| p.get("handoffId").is_some())
            }
            Some(o @ Value::Object(_)) if o.get("handoffId").is_some() => return Some(o.clone()),
            _ => {}
        }
    }
    None
}

fn trait_text(traits: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match traits.get(key)? {
        Value::Object(o) => text(o.get("name")),
        other => text(Some(other)),
    }
}

fn lead_from_result(r: &VisitorResult, touches: &HashMap<&str, (String, String)>) -> Lead {
    let touch = [
        r.anonymous_id.as_deref(),
        r.user_id.as_deref(),
        Some(r.visitor_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .find_map(|id| touches.get(id))
    .cloned()
    .unwrap_or_else(|| ("direct".into(), "(none)".into()));
    let name = trait_text(&r.traits, "name").or_else(|| {
        let first = trait_text(&r.traits, "firstName")?;
        Some(match trait_text(&r.traits, "lastName") {
            Some(last) => format!("{first} {last}"),
            None => first,
        })
    });
    Lead {
        id: r.visitor_id.clone(),
        anonymous_id: r.anonymous_id.clone(),
        user_id: r.user_id.clone(),
        email: trait_text(&r.traits, "email").map(|e| e.to_lowercase()),
        name,
        company: trait_text(&r.traits, "company"),
        title: trait_text(&r.traits, "title"),
        score: r.score.total,
        fit: r.score.fit,
        engagement: r.score.engagement,
        grade: r.score.grade.clone(),
        stage: r.stage.as_str().to_string(),
        mql_at: r
            .stage_entries
            .iter()
            .find(|s| s.stage.as_str() == "mql")
            .map(|s| s.at),
        first_seen: r.first_seen,
        last_seen: r.last_seen,
        source: touch.0,
        campaign: touch.1,
        owner: r.handoffs.last().and_then(|h| h.routing.owner.clone()),
        rule_counts: r.rule_counts.clone(),
        event_count: r.events.min(u64::from(u32::MAX)) as u32,
        ..Default::default()
    }
}

fn lead_from_handoff(h: &Value) -> Option<Lead> {
    let traits = h
        .get("traits")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let score = h.get("score");
    let num = |k: &str| {
        score
            .and_then(|s| s.get(k))
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
    };
    let utm = h.pointer("/firstTouch/utm");
    Some(Lead {
        id: text(h.get("visitorId"))?,
        anonymous_id: text(h.get("anonymousId")),
        user_id: text(h.get("userId")),
        email: trait_text(&traits, "email").map(|e| e.to_lowercase()),
        name: trait_text(&traits, "name"),
        company: trait_text(&traits, "company").or_else(|| text(h.pointer("/company/name"))),
        title: trait_text(&traits, "title"),
        score: num("total"),
        fit: num("fit"),
        engagement: num("engagement"),
        grade: score.and_then(|s| text(s.get("grade"))),
        stage: text(h.get("stage")).unwrap_or_else(|| "mql".into()),
        mql_at: h.get("enteredAt").and_then(Value::as_i64),
        first_seen: h.get("enteredAt").and_then(Value::as_i64),
        last_seen: h.get("createdAt").and_then(Value::as_i64),
        source: utm
            .and_then(|u| text(u.get("source")))
            .or_else(|| {
                text(h.pointer("/firstTouch/referrer"))
                    .as_deref()
                    .and_then(host)
            })
            .unwrap_or_else(|| "direct".into()),
        campaign: utm
            .and_then(|u| text(u.get("name")))
            .unwrap_or_else(|| "(none)".into()),
        owner: text(h.pointer("/routing/owner")),
        ..Default::default()
    })
}
