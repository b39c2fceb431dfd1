//! The engine: one visitor scored against one model.
//!
//! `ingest` folds one event into the bounded visitor state and reports what changed; reads
//! (`score`, `explain`, `next_change`) are pure functions of the state and `as_of`. The engine
//! never reads a clock, so the snippet, the dashboard's replay and a server agree exactly.

use crate::attribution;
use crate::condition::{trait_value, Facts, DAY_MS};
use crate::error::Error;
use crate::event::{clip, clipped, Event, EventKind};
use crate::handoff::{self, Handoff};
use crate::hash;
use crate::json::{Map, Value};
use crate::model::{Model, RuleKind};
use crate::score::{self, Explanation, Score, Scratch};
use crate::stage::{Stage, StageEntry};
use crate::state::{
    trim_front, trim_front_copied, CapHit, HistoryRecord, LedgerRecord, VisitWindow, VisitorState,
    DEDUPE_LEN, HISTORY_LEN, LEDGER_LEN, MAX_LABEL, MAX_TRAIT_TEXT, VISITS_KEPT,
};
use serde::Serialize;

/// What one `ingest` changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestOutcome {
    /// The message id was seen before; nothing changed.
    pub duplicate: bool,
    pub score: Score,
    pub stage: Stage,
    pub stages_entered: Vec<StageEntry>,
    pub handoffs: Vec<Handoff>,
}

/// "Goes cold on ...": when time alone makes the visitor's stage criteria stop holding.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextChange {
    pub at: i64,
    /// The stage whose criteria stop holding at `at`.
    pub stage: Stage,
    /// Total score at `at`.
    pub total: f64,
}

/// What one event changed, without the score: what a replay keeps. [`Engine::ingest`] returns
/// this plus the score; [`Engine::ingest_event`] returns only this and builds nothing more.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ingested {
    /// The message id was seen before; nothing changed.
    pub duplicate: bool,
    pub stages_entered: Vec<StageEntry>,
    pub handoffs: Vec<Handoff>,
}

#[derive(Debug, Clone)]
pub struct Engine {
    model: Model,
    state: VisitorState,
    /// The fit rules' results on the current traits, by rule position (`score::fit_hits`).
    /// Fit conditions see only traits and `identified`, so this is refreshed when an event can
    /// change either, not on every score read.
    fit: Vec<bool>,
    /// Buffers for the score read after every event (no allocation per event).
    scratch: Scratch,
}

/// A decoded state made fit for `model`: unchanged if written under it; otherwise what still
/// applies (behaviour counters by rule id, decay accumulators rebased to the rule's decay, rings
/// trimmed), stamped with the model's hash.
fn adapted(model: &Model, mut state: VisitorState) -> VisitorState {
    if state.model_hash != model.hash() {
        let at = state.last_seen.unwrap_or(0);
        // One walk: a kept rule state is adapted where it is kept (one rule lookup per id).
        state.rules.retain(|id, rs| match model.rule(id) {
            Some(rule) if rule.kind == RuleKind::Behavior => {
                rs.acc = rs.acc.rebase(rule.decay, at);
                let keep = model.rings.get(id).copied().unwrap_or(0) as usize;
                trim_front_copied(&mut rs.ring, keep);
                true
            }
            _ => false,
        });
        state.model_hash = model.hash().to_string();
    }
    state
}

/// The state of a visitor not seen yet, under `model`. Out of line: one copy of the state's
/// defaults for `Engine::new` and `Engine::reset`.
#[inline(never)]
#[allow(clippy::field_reassign_with_default)]
fn fresh_state(model: &Model) -> VisitorState {
    // The hash is set after building, not by struct update (`..default()`, what the lint asks
    // for), which copies every other field out of a temporary one store at a time: 295 B more
    // wasm (benches/SIZE.md step 38).
    let mut state = VisitorState::default();
    state.model_hash = model.hash().to_string();
    state
}

/// How far ahead `next_change` looks.
const HORIZON_DAYS: i64 = 730;

impl Engine {
    pub fn new(model: Model) -> Engine {
        let state = fresh_state(&model);
        Engine::assemble(model, state)
    }

    fn assemble(model: Model, state: VisitorState) -> Engine {
        let mut engine = Engine {
            model,
            state,
            fit: Vec::new(),
            scratch: Scratch::default(),
        };
        engine.refresh_fit();
        engine
    }

    fn refresh_fit(&mut self) {
        self.fit = score::fit_hits(
            &self.model,
            &self.state.traits,
            self.state.user_id.is_some(),
        );
    }

    /// Resume a visitor from exported state. A corrupt or foreign blob is an error. State
    /// written under another model keeps what still applies: counters by rule id, and decay
    /// accumulators re-expressed under the new rules' decay.
    pub fn with_state(model: Model, state_json: &str) -> Result<Engine, Error> {
        let state = adapted(&model, VisitorState::from_json(state_json)?);
        Ok(Engine::assemble(model, state))
    }

    /// [`Engine::with_state`] in place, from a state already parsed into a JSON tree: the
    /// snippet's stored record holds the state inline, so it is neither written back to text
    /// and parsed again nor is the model cloned into a new engine. On error the engine is
    /// unchanged. No length check: the caller bounds the text it parsed
    /// ([`crate::state::check_text_len`]).
    pub fn restore_state_value(&mut self, tree: Value) -> Result<(), Error> {
        self.state = adapted(&self.model, VisitorState::from_value(tree)?);
        self.refresh_fit();
        Ok(())
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn state(&self) -> &VisitorState {
        &self.state
    }

    /// userId when identified, else the anonymousId.
    pub fn visitor_id(&self) -> Option<&str> {
        self.state
            .user_id
            .as_deref()
            .or(self.state.anonymous_id.as_deref())
    }

    pub fn stage(&self) -> Stage {
        self.state.stage
    }

    pub fn stage_entries(&self) -> &[StageEntry] {
        &self.state.stage_entries
    }

    /// Versioned compact JSON (bounded: a few KB however many events).
    pub fn export_state(&self) -> String {
        self.state.to_json()
    }

    /// Forget the visitor (e.g. consent withdrawn).
    pub fn reset(&mut self) {
        self.state = fresh_state(&self.model);
        self.refresh_fit();
    }

    pub fn score(&self, as_of: i64) -> Score {
        score::score_with(&self.model, &self.state, as_of, &self.fit)
    }

    pub fn explain(&self, as_of: i64) -> Explanation {
        score::explain(&self.model, &self.state, as_of)
    }

    /// Decode and ingest a raw event; an event without a timestamp is taken as happening `now`.
    pub fn ingest_value(&mut self, v: &Value, now: i64) -> Result<IngestOutcome, Error> {
        let event = Event::from_value_or(v, Some(now))?;
        Ok(self.ingest(event, now))
    }

    /// [`Engine::ingest_value`] taking the value: the event's maps move instead of being copied.
    pub fn ingest_owned_value(&mut self, v: Value, now: i64) -> Result<IngestOutcome, Error> {
        let event = Event::from_owned_value(v, Some(now))?;
        Ok(self.ingest(event, now))
    }

    pub fn ingest_json(&mut self, text: &str, now: i64) -> Result<IngestOutcome, Error> {
        let v: Value = crate::json::parse(text).map_err(|e| Error::event("$", e.to_string()))?;
        self.ingest_owned_value(v, now)
    }

    /// Fold one event in. Points are earned at the event's timestamp; stage criteria are checked
    /// at `now` and a stage reached is recorded at `now`.
    pub fn ingest(&mut self, event: Event, now: i64) -> IngestOutcome {
        let Ingested {
            duplicate,
            stages_entered,
            handoffs,
        } = self.ingest_event(&event, now);
        IngestOutcome {
            duplicate,
            score: self.score(now),
            stage: self.state.stage,
            stages_entered,
            handoffs,
        }
    }

    /// [`Engine::ingest`] without building the score for the caller: the same state change, for
    /// replays that read the score once at the end.
    pub fn ingest_event(&mut self, event: &Event, now: i64) -> Ingested {
        let key = (hash::fnv1a64(event.message_id.as_bytes()) & 0xffff_ffff) as u32;
        if self.state.seen.contains(&key) {
            self.state.duplicates += 1;
            return Ingested {
                duplicate: true,
                ..Ingested::default()
            };
        }
        self.state.seen.push(key);
        trim_front_copied(&mut self.state.seen, DEDUPE_LEN);

        self.switch_person(event);
        let identified = self.state.user_id.is_some();
        self.absorb_identity_and_traits(event);
        if matches!(event.kind, EventKind::Identify | EventKind::Group)
            || identified != self.state.user_id.is_some()
        {
            self.refresh_fit();
        }
        let visit = self.track_session(event);
        let label = clipped(event.label_str(), MAX_LABEL);
        self.apply_behavior_rules(event, label, visit);
        let st = &mut self.state;
        let mut record = recycled(&mut st.history, HISTORY_LEN)
            .unwrap_or_else(|| HistoryRecord(0, String::new(), String::new()));
        record.0 = event.timestamp;
        set_text(&mut record.1, event.kind.as_str());
        set_text(&mut record.2, label);
        st.history.push(record);
        st.events += 1;

        let stages_entered = self.advance_stages(now);
        let handoffs = self.maybe_handoff(&stages_entered, now);
        Ingested {
            duplicate: false,
            stages_entered,
            handoffs,
        }
    }

    /// An event with a userId other than the identified visitor's is another person (two people
    /// on one device, a shared login): they start from a fresh state, as a new visitor, and
    /// nothing of the previous person (traits, points, stages, handoffs made, history,
    /// attribution) carries over. Only the ring of message ids seen stays: it is about messages,
    /// not people (a retried message of the previous person is still a duplicate). What a device
    /// did before its first identify stays with the first person it identified as. The same rule
    /// as the replays' ([`crate::replay::Identities`]). Out of line: 20 B less gzip than inlined
    /// into `ingest_event`.
    #[inline(never)]
    fn switch_person(&mut self, event: &Event) {
        let other = match (&event.user_id, &self.state.user_id) {
            (Some(u), Some(known)) => clipped(u, 128) != known,
            _ => false,
        };
        if other {
            let seen = std::mem::take(&mut self.state.seen);
            self.reset();
            self.state.seen = seen;
        }
    }

    fn absorb_identity_and_traits(&mut self, event: &Event) {
        let st = &mut self.state;
        if st.anonymous_id.is_none() {
            st.anonymous_id = event.anonymous_id.as_deref().map(|s| clip(s, 128));
        }
        if st.user_id.is_none() {
            // Another userId than a known one started a fresh state (`switch_person`).
            st.user_id = event.user_id.as_deref().map(|u| clip(u, 128));
        }
        let kept = &self.model.kept_traits;
        match event.kind {
            EventKind::Identify => {
                for (k, v) in &event.traits {
                    if k == "company" {
                        if let Value::Object(c) = v {
                            merge_company(&mut st.traits, c);
                            continue;
                        }
                    }
                    if kept.iter().any(|name| name == k) {
                        if let Some(v) = bounded_scalar(v) {
                            st.traits.insert(k.clone(), v);
                        }
                    }
                }
            }
            EventKind::Group => merge_company(&mut st.traits, &event.traits),
            _ => {}
        }
    }

    /// Counts a visit when the event starts one, keeps the windows of the latest visits
    /// ([`VisitWindow`]) and returns the id of the event's visit: `None` when that visit is
    /// older than every visit kept.
    ///
    /// Events may arrive out of time order (batched sends, retries, a broken clock):
    /// - at or after the newest time seen, a gap of at least the session timeout (or a new
    ///   campaign) starts a visit, else the event is in the current visit;
    /// - before it, the event is in the kept visit it lies in or within the timeout of (the
    ///   earlier one when two are near: visits are not merged), so it is checked against that
    ///   visit's own counts, as in time order;
    /// - otherwise it starts an earlier visit (counted and kept in time order), unless it lies
    ///   before every kept visit and older visits were dropped: then its visit is not known,
    ///   and it is counted as a new one unless a recent event or visit start we still know of
    ///   lies within the timeout of it. So a visit is still counted when time goes backwards,
    ///   e.g. after one event stamped far ahead, and nothing here depends on `ts - last_seen`
    ///   being non-negative.
    fn track_session(&mut self, event: &Event) -> Option<u32> {
        let st = &mut self.state;
        let ts = event.timestamp;
        let timeout = self.model.session_timeout_ms();
        let kept = &mut st.visits;
        // Kept visits starting at or before `ts` (windows are in time order, disjoint).
        let p = kept.iter().take_while(|w| w.1 <= ts).count();
        // Whether the event starts a visit, is at the newest time, the kept visit it is in, and
        // whether its visit's place among the kept ones is known.
        // Times are within 0..=MAX_TIME (event.rs): no overflow.
        let (new_session, current, visit, placed) = match st.last_seen {
            None => (true, true, None, true),
            Some(last) if ts >= last => {
                let new = ts - last >= timeout
                    || attribution::is_new_campaign(event, st.last_touch.as_ref());
                (new, true, kept.len().checked_sub(1), true)
            }
            Some(_) => {
                if p > 0 && ts - kept[p - 1].2 < timeout {
                    (false, false, Some(p - 1), true)
                } else if p < kept.len() && kept[p].1 - ts < timeout {
                    (false, false, Some(p), true)
                } else if p == 0 && st.sessions as usize > kept.len() {
                    let near = |t: i64| (t - ts).abs() < timeout;
                    let known = st.history.iter().any(|h| near(h.0))
                        || st.visit_ring.iter().any(|&v| near(v));
                    (!known, false, None, false)
                } else {
                    (true, false, None, true)
                }
            }
        };
        let mut id = None;
        if let (false, Some(i)) = (new_session, visit) {
            let w = &mut kept[i];
            w.1 = w.1.min(ts);
            w.2 = w.2.max(ts);
            id = Some(w.0);
        }
        // Identify and group calls say who someone is, not where they came from (a CRM sync
        // sends them server-side, with no context): the first touch is the first visit's.
        let is_touch = !matches!(event.kind, EventKind::Identify | EventKind::Group);
        if new_session {
            st.sessions = st.sessions.saturating_add(1);
            insert_sorted(&mut st.visit_ring, ts, self.model.visit_ring as usize);
            if placed {
                id = Some(st.sessions);
                crate::state::room_for_one(kept);
                kept.insert(p, VisitWindow(st.sessions, ts, ts));
                trim_front_copied(kept, VISITS_KEPT);
            }
            let touch = attribution::touch_of(event);
            if current {
                if is_touch && st.first_touch.is_none() {
                    st.first_touch = Some(touch.clone());
                }
                st.last_touch = Some(attribution::last_touch(touch, st.last_touch.as_ref()));
            } else if is_touch && st.first_touch.as_ref().is_none_or(|f| ts < f.at) {
                st.first_touch = Some(touch);
            }
        } else if is_touch && current && st.first_touch.is_none() {
            // A visit an identify or group call opened.
            st.first_touch = Some(attribution::touch_of(event));
        }
        st.first_seen = Some(st.first_seen.map_or(ts, |f| f.min(ts)));
        st.last_seen = Some(st.last_seen.map_or(ts, |l| l.max(ts)));
        id
    }

    /// Counts the event's points for each behaviour rule it matches, within the rule's caps.
    ///
    /// Caps are never exceeded, whatever order events arrive in. A rule capped per day or per
    /// visit keeps the counts of its latest days and of the kept visits (`DAYS_KEPT`,
    /// `VISITS_KEPT`), so a late event is checked against its own day's and visit's count,
    /// exactly as in time order. A late event from a day or visit older than those kept
    /// (`visit` is `None`) cannot be checked: for a rule capped that way it counts nothing,
    /// and its ledger line says so ([`CapHit::Late`]).
    fn apply_behavior_rules(&mut self, event: &Event, label: &str, visit: Option<u32>) {
        let st = &mut self.state;
        let facts = Facts {
            event: Some(event),
            traits: &st.traits,
            identified: st.user_id.is_some(),
            scores: None,
            counts: None,
            as_of: event.timestamp,
        };
        let ts = event.timestamp;
        let day = ts.div_euclid(DAY_MS);
        let message_id = clipped(&event.message_id, 64);
        for (i, rule) in self.model.rules.iter().enumerate() {
            if rule.kind != RuleKind::Behavior {
                continue;
            }
            if !rule.when.eval(&facts) {
                continue;
            }
            let rs = st.rules.get_or_insert_default(rule.id.as_str());
            rs.matches = rs.matches.saturating_add(1);
            insert_sorted(&mut rs.ring, ts, self.model.rule_ring[i]);
            let cap = rule.cap;
            let hit = if cap.total.is_some_and(|n| rs.counted >= n) {
                Some(CapHit::Total)
            } else {
                cap.per_day
                    .and_then(|n| over(n, rs.day_count(day), CapHit::PerDay))
                    .or_else(|| {
                        cap.per_session.and_then(|n| {
                            over(n, visit.map(|id| rs.visit_count(id)), CapHit::PerSession)
                        })
                    })
            };
            let counted = if hit.is_none() {
                rs.counted = rs.counted.saturating_add(1);
                if let (Some(_), Some(id)) = (cap.per_session, visit) {
                    rs.count_visit(id, &st.visits);
                }
                if cap.per_day.is_some() {
                    rs.count_day(day);
                }
                // A fresh rule state starts as an empty sum; `add` switches it to the rule's decay.
                rs.acc.add(rule.decay, rule.points, ts);
                rule.points
            } else {
                0.0
            };
            // The oldest record's strings are reused once the ledger is full: same contents
            // as pushing a new record and trimming the front, without allocating.
            let mut record = recycled(&mut st.ledger, LEDGER_LEN).unwrap_or_else(|| {
                LedgerRecord(
                    String::new(),
                    0,
                    0.0,
                    None,
                    String::new(),
                    String::new(),
                    String::new(),
                )
            });
            set_text(&mut record.0, &rule.id);
            record.1 = ts;
            record.2 = counted;
            record.3 = hit;
            set_text(&mut record.4, message_id);
            set_text(&mut record.5, event.kind.as_str());
            set_text(&mut record.6, label);
            st.ledger.push(record);
        }
    }

    /// Stages whose criteria hold at `now` and lie ahead of the current one are entered.
    fn advance_stages(&mut self, now: i64) -> Vec<StageEntry> {
        // The model's stages plus `known` (always reachable), in forward order: walking
        // `Stage::ALL` (declared in that order) sorts without a sort routine in the wasm. A
        // loop, not a `flat_map`/`filter` chain: one small body in the snippet's wasm instead
        // of the flattening adapters' (benches/SIZE.md step 31). The score is read only if a
        // criterion gets to a score test (cheap tests go first,
        // `condition::Condition::cheap_first`): `Totals` computes on its first read.
        let stages = &self.model.stages;
        let current = self.state.stage;
        let totals =
            score::Totals::new(&self.model, &self.state, &self.fit, now, &mut self.scratch);
        let mut entered = Vec::new();
        for &stage in &Stage::ALL {
            if !current.can_advance_to(stage) {
                continue;
            }
            let listed = stages.iter().filter(|x| x.stage == stage).count();
            for _ in 0..listed.max(usize::from(stage == Stage::Known)) {
                if score::stage_holds(&self.model, &self.state, &totals, stage, now) {
                    entered.push(StageEntry { stage, at: now });
                }
            }
        }
        if let Some(last) = entered.last() {
            self.state.stage = last.stage;
            self.state.stage_entries.extend(entered.iter().copied());
        }
        entered
    }

    fn maybe_handoff(&mut self, entered: &[StageEntry], now: i64) -> Vec<Handoff> {
        let Some(spec) = self.model.handoff.as_ref() else {
            return Vec::new();
        };
        let Some(entry) = entered.iter().find(|e| e.stage >= spec.stage) else {
            return Vec::new();
        };
        // `stage@version` by pushes, not `format!` (no `fmt::Arguments` built per handoff).
        let mut key = spec.stage.as_str().to_string();
        key.push('@');
        key.push_str(self.model.version());
        if self.state.handoffs.contains(&key) {
            return Vec::new();
        }
        self.state.handoffs.push(key);
        trim_front(&mut self.state.handoffs, 16);
        vec![handoff::build(
            &self.model,
            &self.state,
            spec,
            entry.at,
            now,
        )]
    }

    /// When, with no new events, decay or a sliding window next makes the criteria of the
    /// visitor's current stage (or the highest reached stage that still holds) stop holding.
    pub fn next_change(&self, as_of: i64) -> Option<NextChange> {
        let holds = |stage: Stage, t: i64| {
            let s = self.score(t);
            score::stage_holds(&self.model, &self.state, &s, stage, t)
        };
        let stage = self
            .model
            .stages
            .iter()
            .map(|s| s.stage)
            .filter(|s| *s <= self.state.stage && *s != Stage::Known)
            .rev()
            .find(|s| holds(*s, as_of))?;
        // Doubling steps from one hour up to the horizon, then bisection to the millisecond.
        // Criteria only weaken with time (decay, sliding windows), so the first failing probe
        // brackets the change.
        let mut lo = as_of;
        let mut step = 3_600_000i64;
        let hi = loop {
            let t = as_of.saturating_add(step);
            if !holds(stage, t) {
                break t;
            }
            lo = t;
            if step >= HORIZON_DAYS * DAY_MS {
                return None;
            }
            step *= 2;
        };
        let (mut lo, mut hi) = (lo, hi);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if holds(stage, mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(NextChange {
            at: hi,
            stage,
            total: self.score(hi).total,
        })
    }

    /// Current traits (including `company`).
    pub fn traits(&self) -> &Map<String, Value> {
        &self.state.traits
    }

    /// A trait by name (falls back to the company traits).
    pub fn trait_value(&self, name: &str) -> Option<&Value> {
        trait_value(&self.state.traits, name)
    }
}

/// The oldest element when `list` already holds `max` (removed, for reuse), else `None`.
fn recycled<T>(list: &mut Vec<T>, max: usize) -> Option<T> {
    if max == 0 || list.len() < max {
        return None;
    }
    trim_front(list, max);
    Some(list.remove(0))
}

fn set_text(slot: &mut String, text: &str) {
    slot.clear();
    slot.push_str(text);
}

/// Which cap a match stops at, given its window's `count` so far (`None`: a window no longer
/// kept, [`CapHit::Late`]) and the window's cap `n`.
fn over(n: u32, count: Option<u32>, hit: CapHit) -> Option<CapHit> {
    match count {
        None => Some(CapHit::Late),
        Some(c) => (c >= n).then_some(hit),
    }
}

fn insert_sorted(ring: &mut Vec<i64>, t: i64, cap: usize) {
    if cap == 0 {
        ring.clear();
        return;
    }
    let pos = ring.partition_point(|x| *x <= t);
    ring.insert(pos, t);
    trim_front_copied(ring, cap);
}

fn bounded_scalar(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) => Some(Value::String(clip(s, MAX_TRAIT_TEXT))),
        Value::Number(_) | Value::Bool(_) => Some(v.clone()),
        _ => None,
    }
}

/// A copy of the company traits as an object: none yet is an empty one, a company given as a
/// name is `{"name": ...}`; `None` for a company of another kind. One copy of this for the
/// merge and the handoff payload.
pub(crate) fn company_of(traits: &Map<String, Value>) -> Option<Map<String, Value>> {
    match traits.get("company") {
        None => Some(Map::new()),
        Some(Value::Object(m)) => Some(m.clone()),
        Some(Value::String(name)) => {
            let mut m = Map::new();
            m.insert("name".to_string(), Value::String(name.clone()));
            Some(m)
        }
        Some(_) => None,
    }
}

/// Company (group) traits live under `traits.company`, bounded like the others. A company
/// given as a name becomes `{"name": ...}`; a company of another kind is left alone.
///
/// Read, merged into a copy and stored back: the JSON map's `get` and `insert` only, no entry
/// API (a company holds at most 12 keys).
fn merge_company(traits: &mut Map<String, Value>, company: &Map<String, Value>) {
    let Some(mut target) = company_of(traits) else {
        return;
    };
    for (k, v) in company.iter() {
        if target.len() >= 12 && !target.contains_key(k) {
            break;
        }
        if k.len() <= 40 {
            if let Some(v) = bounded_scalar(v) {
                target.insert(k.clone(), v);
            }
        }
    }
    traits.insert("company".to_string(), Value::Object(target));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::arb::arb_value;
    use crate::json::json;
    use proptest::prelude::*;

    #[test]
    fn fresh_state_is_the_default_stamped_with_the_model_hash() {
        let model =
            Model::from_json(include_str!("../tests/fixtures/models/demo.model.json")).unwrap();
        let fresh = fresh_state(&model);
        assert!(!model.hash().is_empty());
        assert_eq!(
            fresh,
            VisitorState {
                model_hash: model.hash().to_string(),
                ..VisitorState::default()
            }
        );
        assert_ne!(fresh, VisitorState::default());
    }

    fn handoff_model() -> Model {
        Model::from_value(&json!({
            "version": "1",
            "rules": [
                {"id": "pv", "points": 30, "when": {"type": "page"}},
                {"id": "cfo", "kind": "fit", "points": 5, "when": {"trait": "title", "equals": "CFO"}}
            ],
            "stages": {"mql": {"score": "total", "gte": 50}},
            "handoff": {"stage": "mql", "endpoint": "https://crm.example/h"}
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    const T: i64 = 1_795_000_000_000;

    fn ev(id: &str, at: i64, v: Value) -> Event {
        let mut v = v;
        v["messageId"] = json!(id);
        v["timestamp"] = json!(T + at);
        Event::from_value(&v).unwrap_or_else(|e| panic!("{e}"))
    }

    fn feed(engine: &mut Engine, e: Event) -> IngestOutcome {
        engine.ingest(e, T + 10_000)
    }

    #[test]
    fn another_user_on_one_device_starts_a_fresh_person() {
        let mut engine = Engine::new(handoff_model());
        feed(
            &mut engine,
            ev("0", 0, json!({"type": "page", "anonymousId": "dev"})),
        );
        feed(
            &mut engine,
            ev(
                "1",
                1000,
                json!({"type": "identify", "anonymousId": "dev", "userId": "alice",
            "traits": {"email": "alice@corp.example", "title": "CFO"}}),
            ),
        );
        let alice = feed(
            &mut engine,
            ev(
                "2",
                2000,
                json!({"type": "page", "anonymousId": "dev", "userId": "alice"}),
            ),
        );
        // alice: the device's page before her identify and hers, and her title: 65, a handoff.
        assert_eq!(alice.score.total, 65.0);
        assert_eq!(alice.handoffs.len(), 1);
        assert_eq!(
            alice.handoffs[0].traits.get("email"),
            Some(&json!("alice@corp.example"))
        );
        let bob = feed(
            &mut engine,
            ev(
                "3",
                3000,
                json!({"type": "identify", "anonymousId": "dev", "userId": "bob",
            "traits": {"name": "Bob"}}),
            ),
        );
        // bob: nothing of alice's (traits, points, stages, history).
        assert_eq!(bob.score.total, 0.0);
        assert_eq!(bob.stage, Stage::Known);
        assert_eq!(
            bob.stages_entered,
            [StageEntry {
                stage: Stage::Known,
                at: T + 10_000
            }]
        );
        let st = engine.state();
        assert_eq!(st.user_id.as_deref(), Some("bob"));
        assert_eq!(st.anonymous_id.as_deref(), Some("dev"));
        assert_eq!(st.traits, *json!({"name": "Bob"}).as_object().unwrap());
        assert_eq!(
            (st.events, st.sessions, st.first_seen),
            (1, 1, Some(T + 3000))
        );
        assert!(st.handoffs.is_empty());
        assert_eq!(
            st.stage_entries,
            [StageEntry {
                stage: Stage::Known,
                at: T + 10_000
            }]
        );
        // Only the message ids seen stay: a retried message of alice's is still a duplicate.
        assert!(
            feed(
                &mut engine,
                ev(
                    "2",
                    2000,
                    json!({"type": "page", "anonymousId": "dev", "userId": "alice"})
                )
            )
            .duplicate
        );
        assert_eq!(engine.state().user_id.as_deref(), Some("bob"));
        feed(
            &mut engine,
            ev(
                "4",
                4000,
                json!({"type": "page", "anonymousId": "dev", "userId": "bob"}),
            ),
        );
        let bob = feed(
            &mut engine,
            ev("5", 5000, json!({"type": "page", "anonymousId": "dev"})),
        );
        // bob's own handoff, with his traits only.
        assert_eq!(bob.score.total, 60.0);
        assert_eq!(bob.handoffs.len(), 1);
        let payload = bob.handoffs[0].to_json();
        assert!(payload.contains(r#""userId":"bob""#), "{payload}");
        assert!(
            !payload.contains("alice") && !payload.contains("CFO"),
            "{payload}"
        );
        assert_ne!(bob.handoffs[0].handoff_id, alice.handoffs[0].handoff_id);
        // The state written after the switch reads back the same.
        let back = Engine::with_state(handoff_model(), &engine.export_state()).unwrap();
        assert_eq!(back.state(), engine.state());
    }

    #[test]
    fn a_plain_event_of_another_user_is_another_person() {
        // The reviewer's p13 case: an engine identified as u1 given a page of u2.
        let mut engine = Engine::new(handoff_model());
        engine.ingest(
            ev(
                "1",
                0,
                json!({"type": "identify", "anonymousId": "a", "userId": "u1",
            "traits": {"title": "CFO"}}),
            ),
            T,
        );
        assert_eq!(
            engine
                .ingest(ev("2", 1, json!({"type": "page", "userId": "u1"})), T)
                .score
                .total,
            35.0
        );
        let out = engine.ingest(ev("3", 2, json!({"type": "page", "userId": "u2"})), T);
        assert_eq!(
            out.score.total, 30.0,
            "u2's page only, no fit from u1's title"
        );
        assert_eq!(engine.state().user_id.as_deref(), Some("u2"));
        assert_eq!(engine.state().anonymous_id, None);
        assert!(engine.traits().is_empty());
    }

    #[test]
    fn the_same_user_again_keeps_everything() {
        let mut engine = Engine::new(handoff_model());
        engine.ingest(
            ev(
                "1",
                0,
                json!({"type": "identify", "anonymousId": "a", "userId": "alice",
            "traits": {"title": "CFO"}}),
            ),
            T,
        );
        engine.ingest(
            ev(
                "2",
                1,
                json!({"type": "page", "anonymousId": "a", "userId": "alice"}),
            ),
            T,
        );
        let out = engine.ingest(
            ev(
                "3",
                2,
                json!({"type": "identify", "anonymousId": "b", "userId": "alice",
            "traits": {"email": "alice@corp.example"}}),
            ),
            T,
        );
        assert_eq!(out.score.total, 35.0);
        assert_eq!(engine.state().anonymous_id.as_deref(), Some("a"));
        assert_eq!(
            *engine.traits(),
            *json!({"title": "CFO", "email": "alice@corp.example"})
                .as_object()
                .unwrap()
        );
        // A userId past 128 bytes is kept clipped, and the same clipped id is the same person.
        let long = "x".repeat(200);
        let mut engine = Engine::new(handoff_model());
        engine.ingest(
            ev("1", 0, json!({"type": "page", "userId": long.clone()})),
            T,
        );
        let out = engine.ingest(ev("2", 1, json!({"type": "page", "userId": long})), T);
        assert_eq!(out.score.total, 60.0);
        assert_eq!(engine.state().user_id.as_deref().map(str::len), Some(128));
    }

    /// `adapted` as it was, two walks (retain, then rebase and trim the kept states): the
    /// oracle of the proptest below.
    fn adapted_in_two_walks(model: &Model, mut state: VisitorState) -> VisitorState {
        if state.model_hash != model.hash() {
            let at = state.last_seen.unwrap_or(0);
            state
                .rules
                .retain(|id, _| model.rule(id).is_some_and(|r| r.kind == RuleKind::Behavior));
            for (id, rs) in state.rules.iter_mut() {
                if let Some(rule) = model.rule(id) {
                    rs.acc = rs.acc.rebase(rule.decay, at);
                    let keep = model.rings.get(id).copied().unwrap_or(0) as usize;
                    trim_front_copied(&mut rs.ring, keep);
                }
            }
            state.model_hash = model.hash().to_string();
        }
        state
    }

    fn demo_model() -> Model {
        Model::from_json(include_str!("../tests/fixtures/models/demo.model.json")).unwrap()
    }

    fn arb_acc() -> impl Strategy<Value = crate::state::Acc> {
        use crate::state::Acc;
        prop_oneof![
            (-50.0..50.0f64).prop_map(Acc::Sum),
            ((-50.0..50.0f64), 0..10_000_000_000i64).prop_map(|(v, t)| Acc::Half(v, t)),
            proptest::collection::vec((0..400i64, -20.0..20.0f64), 0..5).prop_map(Acc::Lin),
        ]
    }

    #[test]
    fn adapted_keeps_behaviour_rules_only() {
        let model = demo_model();
        let behaviour = model
            .rules
            .iter()
            .find(|r| r.kind == RuleKind::Behavior)
            .unwrap();
        let fit = model
            .rules
            .iter()
            .find(|r| r.kind == RuleKind::Fit)
            .unwrap();
        let mut state = VisitorState::default();
        for id in [behaviour.id.as_str(), fit.id.as_str(), "no-such-rule"] {
            let rs = state.rules.get_or_insert_default(id);
            rs.matches = 3;
            rs.ring = (0..100).collect();
        }
        let out = adapted(&model, state.clone());
        assert_eq!(out.model_hash, model.hash());
        let ids: Vec<&str> = out.rules.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, [behaviour.id.as_str()]);
        let keep = model.rings.get(&behaviour.id).copied().unwrap_or(0) as usize;
        assert_eq!(out.rules.iter().next().unwrap().1.ring.len(), keep.min(100));
        // Written under the model: unchanged.
        state.model_hash = model.hash().to_string();
        assert_eq!(adapted(&model, state.clone()), state);
    }

    proptest! {
        /// One walk adapts every state as the two walks did.
        #[test]
        fn adapted_agrees_with_two_walks(
            rules in proptest::collection::vec(
                (0..12usize, arb_acc(), proptest::collection::vec(0..1000i64, 0..70)),
                0..10,
            ),
            same_hash in any::<bool>(),
            last_seen in proptest::option::of(0..10_000_000_000i64),
        ) {
            let model = demo_model();
            let mut state = VisitorState {
                last_seen,
                model_hash: if same_hash { model.hash().to_string() } else { "old".to_string() },
                ..VisitorState::default()
            };
            for (pick, acc, ring) in rules {
                let id = model.rules.get(pick).map_or("unknown", |r| r.id.as_str());
                let rs = state.rules.get_or_insert_default(id);
                rs.acc = acc;
                rs.ring = ring;
            }
            prop_assert_eq!(adapted(&model, state.clone()), adapted_in_two_walks(&model, state));
        }
    }

    /// `merge_company` as it was, in place through the map's `get_or_insert_with` (test code
    /// only): the oracle of the proptest.
    fn merge_company_by_entry(traits: &mut Map<String, Value>, company: &Map<String, Value>) {
        let entry = traits.get_or_insert_with("company", || Value::Object(Map::new()));
        if let Value::String(name) = entry {
            let mut m = Map::new();
            m.insert("name".to_string(), Value::String(name.clone()));
            *entry = Value::Object(m);
        }
        if let Value::Object(target) = entry {
            for (k, v) in company.iter() {
                if target.len() >= 12 && !target.contains_key(k) {
                    break;
                }
                if k.len() <= 40 {
                    if let Some(v) = bounded_scalar(v) {
                        target.insert(k.clone(), v);
                    }
                }
            }
        }
    }

    #[test]
    fn company_of_reads_each_kind() {
        let of = |traits: Value| company_of(traits.as_object().unwrap());
        assert_eq!(of(json!({"title": "VP"})), Some(Map::new()));
        let object = json!({"name": "Acme", "size": 5});
        assert_eq!(
            of(json!({"company": object.clone()})),
            object.as_object().cloned()
        );
        assert_eq!(
            of(json!({"company": "Acme"})),
            json!({"name": "Acme"}).as_object().cloned()
        );
        for other in [json!(7), json!(null), json!(true), json!(["Acme"])] {
            assert_eq!(of(json!({ "company": other })), None);
        }
    }

    fn merged(traits: Value, company: Value) -> Value {
        let (Value::Object(mut traits), Value::Object(company)) = (traits, company) else {
            unreachable!()
        };
        merge_company(&mut traits, &company);
        Value::Object(traits)
    }

    #[test]
    fn merge_company_worked_examples() {
        let long = "k".repeat(41);
        let cases = [
            // No company yet: one is made, even when nothing is kept.
            (json!({}), json!({long.clone(): 1}), json!({"company": {}})),
            (
                json!({"title": "VP"}),
                json!({"name": "Acme", "size": 5, "tags": ["a"], "hq": {"c": 1}}),
                json!({"title": "VP", "company": {"name": "Acme", "size": 5}}),
            ),
            // A company name becomes the name of a company object.
            (
                json!({"company": "Acme"}),
                json!({"plan": "pro"}),
                json!({"company": {"name": "Acme", "plan": "pro"}}),
            ),
            // Later values replace earlier ones; text is clipped.
            (
                json!({"company": {"name": "Old", "ok": true}}),
                json!({"name": "x".repeat(300)}),
                json!({"company": {"name": "x".repeat(MAX_TRAIT_TEXT), "ok": true}}),
            ),
            // A company of another kind is left alone.
            (
                json!({"company": 7}),
                json!({"name": "Acme"}),
                json!({"company": 7}),
            ),
        ];
        for (traits, company, expected) in cases {
            assert_eq!(merged(traits.clone(), company), expected, "{traits}");
        }
        // At most 12 keys: once full, the merge stops at the first new key (known keys after it
        // are not updated either).
        let full: Map<String, Value> = (0..12).map(|i| (format!("k{i:02}"), json!(i))).collect();
        let more = json!({"a": 1, "k05": "five", "z": 2});
        let out = merged(json!({"company": full}), more);
        let company = out.get("company").and_then(Value::as_object).unwrap();
        assert_eq!(company.len(), 12);
        assert_eq!(
            company.get("k05"),
            Some(&json!(5)),
            "the loop stops at the first new key"
        );
    }

    proptest! {
        /// The same traits as the entry-based merge, for any traits and company.
        #[test]
        fn merge_company_agrees_with_the_entry_api(
            others in proptest::collection::vec(("[a-z]{1,3}", arb_value()), 0..4),
            existing in proptest::option::of(prop_oneof![
                arb_value(),
                proptest::collection::vec(("[a-m]{1,2}", arb_value()), 0..14)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]),
            company in proptest::collection::vec(("[a-m]{1,2}|[a-z]{38,42}", arb_value()), 0..16),
        ) {
            let mut traits: Map<String, Value> = others.into_iter().collect();
            if let Some(v) = existing {
                traits.insert("company".to_string(), v);
            }
            let company: Map<String, Value> = company.into_iter().collect();
            let mut want = traits.clone();
            merge_company_by_entry(&mut want, &company);
            merge_company(&mut traits, &company);
            prop_assert_eq!(traits, want);
        }
    }
}
