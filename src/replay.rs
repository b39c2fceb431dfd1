//! Batch replay: a time-ordered log of many visitors' events → one result per visitor.
//!
//! It runs the very same [`Engine`] per visitor (each event ingested with `now` = its timestamp),
//! which is what makes "incremental equals batch" hold by construction. Identity: an event joins
//! the visitor already known by its userId, else by its anonymousId; identify links the two.

use crate::engine::Engine;
use crate::event::Event;
use crate::handoff::Handoff;
use crate::model::Model;
use crate::score::Score;
use crate::stage::{Stage, StageEntry};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorResult {
    pub visitor_id: String,
    pub anonymous_id: Option<String>,
    pub user_id: Option<String>,
    pub score: Score,
    pub stage: Stage,
    pub stage_entries: Vec<StageEntry>,
    pub handoffs: Vec<Handoff>,
    /// Matches per behaviour rule id.
    pub rule_counts: BTreeMap<String, u32>,
    pub traits: Map<String, Value>,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub events: u64,
    pub duplicates: u64,
}

/// The result for one engine, read at `as_of`.
pub fn visitor_result(engine: &Engine, handoffs: Vec<Handoff>, as_of: i64) -> VisitorResult {
    let st = engine.state();
    VisitorResult {
        visitor_id: engine.visitor_id().unwrap_or_default().to_string(),
        anonymous_id: st.anonymous_id.clone(),
        user_id: st.user_id.clone(),
        score: engine.score(as_of),
        stage: st.stage,
        stage_entries: st.stage_entries.clone(),
        handoffs,
        rule_counts: st
            .rules
            .iter()
            .map(|(id, r)| (id.clone(), r.matches))
            .collect(),
        traits: st.traits.clone(),
        first_seen: st.first_seen,
        last_seen: st.last_seen,
        events: st.events,
        duplicates: st.duplicates,
    }
}

pub fn replay(model: &Model, events: &[Event], as_of: i64) -> Vec<VisitorResult> {
    let mut engines: Vec<(Engine, Vec<Handoff>)> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for event in events {
        let user_key = event.user_id.as_ref().map(|u| format!("u:{u}"));
        let anon_key = event.anonymous_id.as_ref().map(|a| format!("a:{a}"));
        let found = user_key
            .as_ref()
            .and_then(|k| by_id.get(k))
            .or_else(|| anon_key.as_ref().and_then(|k| by_id.get(k)))
            .copied();
        let idx = found.unwrap_or_else(|| {
            engines.push((Engine::new(model.clone()), Vec::new()));
            engines.len() - 1
        });
        for key in [user_key, anon_key].into_iter().flatten() {
            by_id.entry(key).or_insert(idx);
        }
        let (engine, handoffs) = &mut engines[idx];
        let outcome = engine.ingest(event.clone(), event.timestamp);
        handoffs.extend(outcome.handoffs);
    }
    engines
        .into_iter()
        .map(|(engine, handoffs)| visitor_result(&engine, handoffs, as_of))
        .collect()
}
