//! The dashboard's data in memory: imported events (compact, in [`EventStore`]), CRM outcomes and
//! received handoffs, and the lead rows a model makes of them (cached per model hash, `as_of` and
//! data version).

use std::collections::{HashMap, HashSet};

use crate::json::{Map, Value};
use serde::Serialize;

use super::backtest::{
    backtest, decision_cutoff, decision_score, handoff_decision_score, swept_score, Backtest,
    BacktestOptions,
};
use super::import::{CsvMapping, EventImport};
use super::lead::Lead;
use super::outcomes::{parse_outcomes, Outcome};
use super::report::ImportReport;
use super::store::{EventStore, Pushed, Sym, Visitors};
use crate::engine::Engine;
use crate::event::Event;
use crate::model::Model;
use crate::replay::{visitor_result, VisitorResult};
use crate::score::Explanation;
use crate::stage::Stage;

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
    /// Older events not listed in `timeline` (it keeps the most recent [`TIMELINE_LIMIT`]).
    pub timeline_omitted: usize,
}

struct Cache {
    key: (String, i64, u64),
    leads: Vec<Lead>,
}

#[derive(Default)]
pub struct Workspace {
    events: EventStore,
    import: Option<EventImport>,
    outcomes: Vec<Outcome>,
    /// Received handoff payloads (demo receiver), by handoffId.
    handoffs: Vec<Value>,
    handoff_ids: HashSet<String>,
    /// Bumped on every data change; part of the cache key.
    version: u64,
    cache: Option<Cache>,
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

    /// A workspace that keeps at most `limit` events; rows beyond it are reported as bad rows.
    pub fn with_event_limit(limit: usize) -> Self {
        Workspace {
            events: EventStore::with_limit(limit),
            ..Self::default()
        }
    }

    pub fn summary(&self) -> Summary {
        Summary {
            events: self.events.len() as u64,
            outcomes: self.outcomes.len() as u64,
            handoffs: self.handoffs.len() as u64,
            first_event_at: self.events.first_at(),
            last_event_at: self.events.last_at(),
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

    /// Stores parsed events; `rows` are their row numbers in the file (for the report).
    fn add_events(&mut self, events: Vec<(u64, Event)>, report: &mut ImportReport) {
        for (row, e) in events {
            match self.events.push(&e) {
                Ok(Pushed::Kept) => {}
                Ok(Pushed::Duplicate) => {
                    // Counted as a duplicate, not as imported.
                    report.imported -= 1;
                    report.duplicates += 1;
                }
                Err(full) => {
                    report.imported -= 1;
                    report.rows -= 1;
                    report.bad(row, full.to_string());
                }
            }
        }
    }

    /// Starts an event import (`jsonl`, `json`, `csv` or `auto`); a running one is discarded.
    pub fn begin_events(&mut self, format: &str, mapping: CsvMapping) -> Result<(), String> {
        self.begin_events_at(format, mapping, None)
    }

    /// [`Workspace::begin_events`] with the caller's clock: a row more than a day after `now`,
    /// or whose number looks like epoch seconds, is a bad row with its reason
    /// ([`EventImport::at`]).
    pub fn begin_events_at(
        &mut self,
        format: &str,
        mapping: CsvMapping,
        now: Option<i64>,
    ) -> Result<(), String> {
        self.import = Some(EventImport::at(format, mapping, now)?);
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
                    report.bad(row, super::import::json_reason(line, &e, "line"));
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

    /// First touch per id (anonymousId or userId text): the first visit (page, screen or track
    /// call; not identify or group, which a CRM sync sends without any context) at or before
    /// `as_of`, in time order, that carries it.
    fn first_touches(&self, visitors: &Visitors, as_of: i64) -> HashMap<Sym, u32> {
        let mut touches: HashMap<Sym, u32> = HashMap::new();
        for &i in visitors.by_time() {
            if self.events.at(i as usize) > as_of {
                break;
            }
            if !self.events.is_touch(i as usize) {
                continue;
            }
            for sym in self.events.id_syms(i as usize).into_iter().flatten() {
                touches.entry(sym).or_insert(i);
            }
        }
        touches
    }

    /// Runs the engine over visitor `v`'s events: one visitor's state in memory at a time.
    fn replay_visitor(
        &self,
        model: &Model,
        visitors: &Visitors,
        v: usize,
        as_of: i64,
    ) -> (Engine, VisitorResult) {
        let mut engine = Engine::new(model.clone());
        let mut handoffs = Vec::new();
        for &i in visitors.events_of(v) {
            let e = self.events.event(i as usize);
            let at = e.timestamp;
            handoffs.extend(engine.ingest(e, at).handoffs);
        }
        let result = visitor_result(&engine, handoffs, as_of);
        (engine, result)
    }

    fn build_leads(&mut self, model: &Model, as_of: i64) -> Vec<Lead> {
        let sla_ms = model_sla_ms(model);
        let visitors = self.events.visitors();
        let touches = self.first_touches(&visitors, as_of);
        let touch = |r: &VisitorResult| {
            [
                r.anonymous_id.as_deref(),
                r.user_id.as_deref(),
                Some(r.visitor_id.as_str()),
            ]
            .into_iter()
            .flatten()
            .filter_map(|id| self.events.find_text(id))
            .find_map(|sym| touches.get(&sym))
            .map(|&i| touch_of(&self.events.event(i as usize)))
        };
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
        let mut leads: Vec<Lead> = Vec::with_capacity(visitors.len());
        let mut seen_visitors: HashSet<String> = HashSet::new();
        for v in 0..visitors.len() {
            let (_, r) = self.replay_visitor(model, &visitors, v, as_of);
            let mut lead = lead_from_result(&r, touch(&r));
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

    /// One visitor's ledger (from the engine's own explain) and timeline: the events the replay
    /// grouped under the lead, up to `as_of`.
    pub fn lead_detail(&mut self, model: &Model, as_of: i64, id: &str) -> Option<LeadDetail> {
        let leads = self.leads(model, as_of);
        let index = leads.iter().position(|l| l.id == id)?;
        let lead = leads[index].clone();
        let visitors = self.events.visitors();
        // Leads are the visitors (in order), then handoff-only and CRM-only leads (no events).
        let mine: Vec<u32> = if index < visitors.len() {
            visitors
                .events_of(index)
                .iter()
                .copied()
                .filter(|&i| self.events.at(i as usize) <= as_of)
                .collect()
        } else {
            Vec::new()
        };
        let mut engine = Engine::new(model.clone());
        for &i in &mine {
            let e = self.events.event(i as usize);
            let at = e.timestamp;
            engine.ingest(e, at);
        }
        let timeline: Vec<TimelineItem> = mine
            .iter()
            .rev()
            .take(TIMELINE_LIMIT)
            .map(|&i| {
                let e = self.events.event(i as usize);
                TimelineItem {
                    at: e.timestamp,
                    kind: e.kind.as_str(),
                    label: e.label(),
                    message_id: e.message_id,
                }
            })
            .collect();
        Some(LeadDetail {
            explanation: engine.explain(as_of),
            events_total: mine.len(),
            timeline_omitted: mine.len() - timeline.len(),
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
        // Leads are the visitors (in order), then handoff-only and CRM-only leads.
        let visitors = self.events.visitors();
        let swept = candidate
            .stages
            .iter()
            .find(|s| s.stage == Stage::Mql)
            .and_then(|s| swept_score(&s.when))
            .unwrap_or("total")
            .to_string();
        let decisions: Vec<Option<f64>> = cand
            .iter()
            .enumerate()
            .map(|(v, lead)| match v < visitors.len() {
                true => decision_score(
                    Engine::new(candidate.clone()),
                    visitors
                        .events_of(v)
                        .iter()
                        .map(|&i| self.events.event(i as usize)),
                    decision_cutoff(lead),
                ),
                false => handoff_decision_score(lead, &swept),
            })
            .collect();
        let mut bt = backtest(&cur, &cand, &decisions, options);
        bt.sweep.score = swept;
        bt
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

fn trait_text(traits: &Map, key: &str) -> Option<String> {
    match traits.get(key)? {
        Value::Object(o) => text(o.get("name")),
        other => text(Some(other)),
    }
}

/// `touch`: first-touch (source, campaign); none means `direct`.
fn lead_from_result(r: &VisitorResult, touch: Option<(String, String)>) -> Lead {
    let touch = touch.unwrap_or_else(|| ("direct".into(), "(none)".into()));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn line(i: u32, visitor: &str) -> String {
        format!(
            r#"{{"type":"page","messageId":"m{i}","anonymousId":"{visitor}","timestamp":{},"properties":{{"path":"/p{}"}}}}"#,
            1_000 + i,
            i % 3
        )
    }

    /// A CRM sync's identify (and group) call, sent server-side with no context before the
    /// visitor's first visit, is no touch: the first visit's campaign is the source.
    #[test]
    fn identify_and_group_calls_are_no_first_touch() {
        let model = Model::from_value(&crate::json::json!({
            "version": "1",
            "rules": [{"id": "p0", "points": 1, "when": {"type": "page"}}],
            "stages": {"mql": {"score": "total", "gte": 1000}}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let text = [
            r#"{"type":"identify","messageId":"i1","userId":"u1","timestamp":1000,"traits":{"email":"a@x.example"}}"#,
            r#"{"type":"group","messageId":"g1","userId":"u1","groupId":"c1","timestamp":1500,"traits":{"name":"X"}}"#,
            r#"{"type":"page","messageId":"p1","userId":"u1","timestamp":2000,"properties":{"path":"/a"},"context":{"campaign":{"source":"newsletter","name":"may"}}}"#,
            r#"{"type":"page","messageId":"p2","userId":"u1","timestamp":3000,"properties":{"path":"/b"},"context":{"campaign":{"source":"ads","name":"june"}}}"#,
            // Only an identify: no visit, no source.
            r#"{"type":"identify","messageId":"i2","userId":"u2","timestamp":1000,"traits":{"email":"b@x.example"}}"#,
        ]
        .join("\n");
        let mut ws = Workspace::new();
        ws.begin_events("jsonl", CsvMapping::default()).unwrap();
        ws.push_events(&text).unwrap();
        ws.finish_events().unwrap();
        let leads = ws.leads(&model, i64::MAX).to_vec();
        let of = |id: &str| {
            let l = leads
                .iter()
                .find(|l| l.user_id.as_deref() == Some(id))
                .unwrap_or_else(|| panic!("{id}: {leads:?}"));
            (l.source.as_str(), l.campaign.as_str())
        };
        assert_eq!(of("u1"), ("newsletter", "may"));
        assert_eq!(of("u2"), ("direct", "(none)"));
    }

    #[test]
    fn rows_beyond_the_event_limit_are_bad_rows_with_their_numbers() {
        let mut ws = Workspace::with_event_limit(3);
        let text: String = (1..=5).map(|i| line(i, "a") + "\n").collect();
        ws.begin_events("jsonl", CsvMapping::default()).unwrap();
        ws.push_events(&text).unwrap();
        // Line 1 again: a duplicate, not a bad row, even when full.
        ws.push_events(&(line(1, "a") + "\n")).unwrap();
        let r = ws.finish_events().unwrap();
        assert_eq!((r.rows, r.imported, r.rejected, r.duplicates), (6, 3, 2, 1));
        let rows: Vec<u64> = r.errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [4, 5]);
        assert!(r.errors[0].reason.contains("full (3 events)"), "{r:?}");
        assert_eq!(ws.summary().events, 3);
    }

    #[test]
    fn the_timeline_is_bounded_and_says_how_much_it_left_out() {
        let model = Model::from_value(&crate::json::json!({
            "version": "1",
            "rules": [{"id": "p0", "points": 1, "when": {"path": "/p0"}}],
            "stages": {"mql": {"score": "total", "gte": 1000}}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let n = TIMELINE_LIMIT as u32 + 20;
        let text: String = (0..n).map(|i| line(i, "busy") + "\n").collect();
        let mut ws = Workspace::new();
        ws.begin_events("jsonl", CsvMapping::default()).unwrap();
        ws.push_events(&text).unwrap();
        ws.push_events(&(line(n, "quiet") + "\n")).unwrap();
        ws.finish_events().unwrap();
        let d = ws.lead_detail(&model, i64::MAX, "busy").unwrap();
        assert_eq!(d.events_total, n as usize);
        assert_eq!((d.timeline.len(), d.timeline_omitted), (TIMELINE_LIMIT, 20));
        // Newest first; the explanation counts every event, not only those listed.
        assert_eq!(d.timeline[0].message_id, format!("m{}", n - 1));
        assert_eq!(d.lead.score, f64::from(n.div_ceil(3)));
        let quiet = ws.lead_detail(&model, i64::MAX, "quiet").unwrap();
        assert_eq!((quiet.events_total, quiet.timeline_omitted), (1, 0));
        assert!(ws.lead_detail(&model, i64::MAX, "nobody").is_none());
    }
}
