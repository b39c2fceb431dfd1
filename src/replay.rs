//! Batch replay: a time-ordered log of many visitors' events → one result per visitor.
//!
//! It runs the very same [`Engine`] per visitor (each event ingested with `now` = its timestamp),
//! which is what makes "incremental equals batch" hold by construction. Identity: an event joins
//! the visitor already known by its userId, else by its anonymousId; identify links the two.

use crate::engine::Engine;
use crate::event::Event;
use crate::handoff::Handoff;
use crate::hash::FnvBuild;
use crate::json::{Map, Value};
use crate::model::Model;
use crate::score::Score;
use crate::stage::{Stage, StageEntry};
use serde::Serialize;
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
    let mut replay = Replay::new(model.clone());
    for event in events {
        replay.push(event);
    }
    replay.results(as_of)
}

/// A replay fed one event at a time (a log streamed in chunks): [`replay`] without holding the
/// whole log. Every visitor's engine shares the one model.
#[derive(Debug, Clone)]
pub struct Replay {
    model: Model,
    visitors: Vec<(Engine, Vec<Handoff>)>,
    // Two maps rather than one keyed by "u:"/"a:"-prefixed text: a lookup borrows the event's
    // id instead of formatting a key per event.
    by_user: HashMap<String, usize, FnvBuild>,
    by_anonymous: HashMap<String, usize, FnvBuild>,
}

impl Replay {
    pub fn new(model: Model) -> Replay {
        Replay {
            model,
            visitors: Vec::new(),
            by_user: HashMap::default(),
            by_anonymous: HashMap::default(),
        }
    }

    /// Folds one event into its visitor (time order across calls).
    pub fn push(&mut self, event: &Event) {
        let user = event.user_id.as_deref();
        let anonymous = event.anonymous_id.as_deref();
        let by_user = user.and_then(|u| self.by_user.get(u).copied());
        let by_anonymous = anonymous.and_then(|a| self.by_anonymous.get(a).copied());
        let idx = by_user.or(by_anonymous).unwrap_or_else(|| {
            self.visitors
                .push((Engine::new(self.model.clone()), Vec::new()));
            self.visitors.len() - 1
        });
        // The event links its ids to the visitor (an id already known keeps its visitor).
        if let (Some(u), None) = (user, by_user) {
            self.by_user.insert(u.to_string(), idx);
        }
        if let (Some(a), None) = (anonymous, by_anonymous) {
            self.by_anonymous.insert(a.to_string(), idx);
        }
        let (engine, handoffs) = &mut self.visitors[idx];
        handoffs.extend(engine.ingest_event(event, event.timestamp).handoffs);
    }

    /// Every visitor's engine and the handoffs it made, in order of first appearance.
    pub fn visitors(&self) -> &[(Engine, Vec<Handoff>)] {
        &self.visitors
    }

    pub fn results(self, as_of: i64) -> Vec<VisitorResult> {
        self.visitors
            .into_iter()
            .map(|(engine, handoffs)| visitor_result(&engine, handoffs, as_of))
            .collect()
    }
}
