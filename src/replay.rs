//! Batch replay: a time-ordered log of many visitors' events → one result per visitor.
//!
//! It runs the very same [`Engine`] per visitor (each event ingested with `now` = its timestamp),
//! which is what makes "incremental equals batch" hold by construction. Identity: an event joins
//! the visitor already known by its userId, else by its anonymousId; an event carrying both links
//! the two, and merges a second device's anonymous history into the known visitor ([`Identities`]).

use crate::engine::Engine;
use crate::event::Event;
use crate::handoff::Handoff;
use crate::hash::FnvBuild;
use crate::json::{Map, Value};
use crate::model::Model;
use crate::score::Score;
use crate::stage::{Stage, StageEntry};
use serde::Serialize;
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

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

/// Who is who in a log: the identity rule every replay shares (this module's streaming
/// [`Replay`] and batch [`replay`], and the dashboard's event store), and the one engine's
/// (`Engine::ingest` starts a fresh state for another userId).
///
/// In time order, an event joins the visitor its userId is known under, else the one its
/// anonymousId is known under unless that visitor already has another userId, else a new one;
/// then each id not yet known points at that visitor (user and anonymous ids are separate
/// namespaces), and an anonymousId that came with a userId points at that userId's visitor from
/// then on (the device's later anonymous events are the person who used it last).
/// - An event that carries a userId already known **and** an anonymousId known under another
///   visitor that has no userId yet (the identify of a second device, as Segment and PostHog
///   treat it) merges that anonymous visitor into the known one: from then on both are one
///   visitor, whose events are the time-ordered union of the two.
/// - A userId other than the one the anonymousId's visitor already has is another person (a
///   shared device): never merged, whether the userId is new (a new visitor, fresh) or known (its
///   own visitor). [`Joined::refused`] says so. A device's history before its first userId is
///   the first person's.
#[derive(Debug, Clone)]
pub struct Identities<K: Hash + Eq> {
    by_user: HashMap<K, u32, FnvBuild>,
    by_anonymous: HashMap<K, u32, FnvBuild>,
    /// Visitor → the visitor it was merged into (itself while it stands alone).
    parent: Vec<u32>,
    /// The visitor (a root) carries a userId.
    identified: Vec<bool>,
}

/// Where [`Identities::join`] put an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Joined {
    /// The event's visitor (a root).
    pub visitor: u32,
    /// A visitor created for this event.
    pub new: bool,
    /// An anonymous visitor this event merged into `visitor`.
    pub merged: Option<u32>,
    /// The event's anonymousId was another identified visitor's: a different person, not
    /// merged (the anonymousId now points at `visitor`).
    pub refused: bool,
}

impl<K: Hash + Eq> Default for Identities<K> {
    fn default() -> Self {
        Identities {
            by_user: HashMap::default(),
            by_anonymous: HashMap::default(),
            parent: Vec::new(),
            identified: Vec::new(),
        }
    }
}

impl<K: Hash + Eq> Identities<K> {
    /// Visitors created so far, merged ones included.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The visitor `v` now belongs to (`v` itself unless it was merged).
    pub fn root(&self, mut v: u32) -> u32 {
        while self.parent[v as usize] != v {
            v = self.parent[v as usize];
        }
        v
    }

    /// Places one event, given its ids (time order across calls).
    pub fn join<Q>(&mut self, user: Option<&Q>, anonymous: Option<&Q>) -> Joined
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let by_user = user
            .and_then(|u| self.by_user.get(u).copied())
            .map(|v| self.root(v));
        let by_anonymous = anonymous
            .and_then(|a| self.by_anonymous.get(a).copied())
            .map(|v| self.root(v));
        let mut joined = Joined {
            visitor: 0,
            new: false,
            merged: None,
            refused: false,
        };
        // The anonymousId's visitor has a userId, and the event another one.
        let taken = by_anonymous
            .is_some_and(|a| user.is_some() && by_user != Some(a) && self.identified[a as usize]);
        joined.refused = taken;
        joined.visitor = match (by_user, by_anonymous) {
            (Some(u), Some(a)) if u != a && !taken => {
                self.parent[a as usize] = u;
                joined.merged = Some(a);
                u
            }
            (Some(v), _) => v,
            (None, Some(v)) if !taken => v,
            _ => {
                let v = self.parent.len() as u32;
                self.parent.push(v);
                self.identified.push(false);
                joined.new = true;
                v
            }
        };
        let v = joined.visitor;
        if let (Some(u), None) = (user, by_user) {
            self.by_user.insert(u.to_owned(), v);
        }
        if let Some(a) = anonymous.filter(|_| by_anonymous != Some(v)) {
            // New, or a device now used by the event's person: its later events are theirs.
            self.by_anonymous.insert(a.to_owned(), v);
        }
        if user.is_some() {
            self.identified[v as usize] = true;
        }
        joined
    }
}

/// Replays a time-ordered log (stable order for equal times), one result per visitor in order
/// of each visitor's first event. Every event is at hand, so a merged visitor (see
/// [`Identities`]) is scored from the time-ordered union of its events, exactly as one engine
/// that had seen them all.
pub fn replay(model: &Model, events: &[Event], as_of: i64) -> Vec<VisitorResult> {
    let mut ids: Identities<String> = Identities::default();
    let owner: Vec<u32> = events
        .iter()
        .map(|e| {
            ids.join(e.user_id.as_deref(), e.anonymous_id.as_deref())
                .visitor
        })
        .collect();
    // Visitors numbered by their first event, each holding its events in log order.
    let mut slot_of: HashMap<u32, usize, FnvBuild> = HashMap::default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, &v) in owner.iter().enumerate() {
        let root = ids.root(v);
        let slot = *slot_of.entry(root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[slot].push(i);
    }
    groups
        .into_iter()
        .map(|mine| {
            let mut engine = Engine::new(model.clone());
            let mut handoffs = Vec::new();
            for i in mine {
                let e = &events[i];
                handoffs.extend(engine.ingest_event(e, e.timestamp).handoffs);
            }
            visitor_result(&engine, handoffs, as_of)
        })
        .collect()
}

/// Text a streaming [`Replay`] keeps of its visitors' events by default, all visitors together.
pub const DEFAULT_HISTORY_BYTES: usize = 16 << 20;
/// At most this much per visitor (about a thousand events): one busy visitor does not use up the
/// whole budget.
pub const HISTORY_BYTES_PER_VISITOR: usize = 256 << 10;

/// How a streaming [`Replay`]'s identity merges were scored (see [`Replay`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Merges {
    /// Re-scored from the time-ordered union of both visitors' events: the same result as the
    /// batch [`replay`].
    pub exact: u64,
    /// The known visitor's history was past the bound and the two overlap in time: the anonymous
    /// visitor's events were folded into the known one after its own (points at their own times;
    /// sessions and per-session caps may differ from a full re-score).
    pub late: u64,
    /// The anonymous visitor's history was past the bound: it stays a visitor of its own with the
    /// points it had; its later events join the known visitor.
    pub separate: u64,
    /// Not merged: a userId other than the one the anonymousId's visitor already has (two people
    /// on one device). Each is a visitor of their own ([`Joined::refused`]).
    pub refused: u64,
}

/// One visitor of a streaming replay.
#[derive(Debug, Clone)]
struct Slot {
    engine: Engine,
    handoffs: Vec<Handoff>,
    /// The visitor's event lines, while within the bounds (`None` once past them).
    history: Option<History>,
    /// Log positions of the visitor's first and last events.
    first_seq: u64,
    last_seq: u64,
}

/// Event lines, concatenated, with the log position and end of each.
#[derive(Debug, Clone, Default)]
struct History {
    text: String,
    items: Vec<(u64, usize)>,
}

impl History {
    fn lines(&self) -> impl Iterator<Item = (u64, &str)> {
        let mut start = 0;
        self.items.iter().map(move |&(seq, end)| {
            // Ends are char boundaries by construction (each is a pushed line's end).
            let line = self.text.get(start..end).unwrap_or_default();
            start = end;
            (seq, line)
        })
    }
}

/// A replay fed one event at a time (a log streamed in chunks): [`replay`] without holding the
/// whole log. Every visitor's engine shares the one model.
///
/// Identity merges ([`Identities`]) need the merged visitors' events, which a stream does not
/// keep. So each visitor's event lines are kept while they fit in a bounded history
/// ([`HISTORY_BYTES_PER_VISITOR`] each, the budget given to [`Replay::with_history`] in all;
/// a visitor past either bound keeps none). A merge is then, best first:
/// - both histories kept: the merged visitor is re-scored from the time-ordered union, exactly
///   as the batch [`replay`] does ([`Merges::exact`]);
/// - the anonymous visitor's kept and all of it after the known visitor's last event: its
///   events are folded into the known visitor in order, also exact;
/// - the anonymous visitor's kept, overlapping in time: folded in after the known visitor's
///   events ([`Merges::late`]);
/// - the anonymous visitor's not kept: it stays a visitor of its own ([`Merges::separate`]).
///
/// It takes events already read. To check their times against the caller's clock, read them
/// with [`Event::from_json_at`] (as [`NdjsonReplay::at`] does): each event is scored at its own
/// time, so one stamped in 2099 would otherwise be scored there.
#[derive(Debug, Clone)]
pub struct Replay {
    model: Model,
    ids: Identities<String>,
    /// By visitor number; `None` once merged into another.
    slots: Vec<Option<Slot>>,
    seq: u64,
    kept_bytes: usize,
    budget: usize,
    merges: Merges,
}

impl Replay {
    pub fn new(model: Model) -> Replay {
        Replay::with_history(model, DEFAULT_HISTORY_BYTES)
    }

    /// A replay keeping at most `budget` bytes of event text for identity merges (0: none).
    pub fn with_history(model: Model, budget: usize) -> Replay {
        Replay {
            model,
            ids: Identities::default(),
            slots: Vec::new(),
            seq: 0,
            kept_bytes: 0,
            budget,
            merges: Merges::default(),
        }
    }

    /// Folds one event into its visitor (time order across calls). `line` is the event's own
    /// JSON text, kept within the bounds to re-score a merge.
    pub fn push(&mut self, event: &Event, line: &str) {
        let joined = self
            .ids
            .join(event.user_id.as_deref(), event.anonymous_id.as_deref());
        let v = joined.visitor as usize;
        let seq = self.seq;
        self.seq += 1;
        if joined.new {
            self.slots.push(Some(Slot {
                engine: Engine::new(self.model.clone()),
                handoffs: Vec::new(),
                history: Some(History::default()),
                first_seq: seq,
                last_seq: seq,
            }));
        }
        if let Some(from) = joined.merged {
            self.merge(from as usize, v);
        }
        self.merges.refused += u64::from(joined.refused);
        let Some(slot) = self.slots[v].as_mut() else {
            return;
        };
        slot.handoffs
            .extend(slot.engine.ingest_event(event, event.timestamp).handoffs);
        slot.last_seq = seq;
        let fits = slot.history.as_ref().is_some_and(|h| {
            h.text.len() + line.len() <= HISTORY_BYTES_PER_VISITOR
                && self.kept_bytes + line.len() <= self.budget
        });
        if fits {
            if let Some(h) = slot.history.as_mut() {
                h.text.push_str(line);
                h.items.push((seq, h.text.len()));
                self.kept_bytes += line.len();
            }
        } else if let Some(h) = slot.history.take() {
            self.kept_bytes -= h.text.len();
        }
    }

    /// Merges anonymous visitor `from` into known visitor `into` (see the type's documentation).
    fn merge(&mut self, from: usize, into: usize) {
        let Some(mut gone) = self.slots[from].take() else {
            return;
        };
        let Some(mut known) = self.slots[into].take() else {
            self.slots[from] = Some(gone);
            return;
        };
        match (gone.history.take(), known.history.take()) {
            (None, history) => {
                // Nothing to re-score from: the anonymous visitor stays as it was.
                known.history = history;
                self.merges.separate += 1;
                self.slots[from] = Some(gone);
            }
            (Some(theirs), Some(mine)) => {
                let mut engine = Engine::new(self.model.clone());
                let mut handoffs = Vec::new();
                let mut union = History::default();
                let (mut a, mut b) = (mine.lines().peekable(), theirs.lines().peekable());
                loop {
                    let next = match (a.peek(), b.peek()) {
                        (Some(x), Some(y)) if x.0 < y.0 => a.next(),
                        (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                        (Some(_), None) => a.next(),
                        (None, None) => break,
                    };
                    let Some((seq, line)) = next else { break };
                    if let Ok(e) = Event::from_json(line) {
                        handoffs.extend(engine.ingest_event(&e, e.timestamp).handoffs);
                    }
                    union.text.push_str(line);
                    union.items.push((seq, union.text.len()));
                }
                known.engine = engine;
                known.handoffs = handoffs;
                if union.text.len() <= HISTORY_BYTES_PER_VISITOR {
                    known.history = Some(union);
                } else {
                    self.kept_bytes -= union.text.len();
                }
                known.first_seq = known.first_seq.min(gone.first_seq);
                known.last_seq = known.last_seq.max(gone.last_seq);
                self.merges.exact += 1;
                self.slots[from] = None;
            }
            (Some(theirs), None) => {
                if theirs
                    .items
                    .first()
                    .is_some_and(|&(seq, _)| seq > known.last_seq)
                {
                    self.merges.exact += 1;
                } else {
                    self.merges.late += 1;
                }
                for (_, line) in theirs.lines() {
                    if let Ok(e) = Event::from_json(line) {
                        known
                            .handoffs
                            .extend(known.engine.ingest_event(&e, e.timestamp).handoffs);
                    }
                }
                self.kept_bytes -= theirs.text.len();
                known.first_seq = known.first_seq.min(gone.first_seq);
                known.last_seq = known.last_seq.max(gone.last_seq);
                self.slots[from] = None;
            }
        }
        self.slots[into] = Some(known);
    }

    /// Every visitor's engine and the handoffs it made, in order of first appearance.
    pub fn visitors(&self) -> impl Iterator<Item = (&Engine, &[Handoff])> {
        self.slots
            .iter()
            .flatten()
            .map(|s| (&s.engine, s.handoffs.as_slice()))
    }

    /// How identity merges were scored so far.
    pub fn merges(&self) -> Merges {
        self.merges
    }

    /// Bytes of event text kept for merges now.
    pub fn history_bytes(&self) -> usize {
        self.kept_bytes
    }

    pub fn results(self, as_of: i64) -> Vec<VisitorResult> {
        self.slots
            .into_iter()
            .flatten()
            .map(|s| visitor_result(&s.engine, s.handoffs, as_of))
            .collect()
    }
}

/// At most this many skipped lines are listed with their reason; all are counted.
pub const MAX_LISTED_SKIPS: usize = 100;

/// A line of an NDJSON log that was not ingested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedLine {
    /// 1-based line of the whole stream (every chunk so far).
    pub line: u64,
    pub reason: String,
}

/// A [`Replay`] fed NDJSON in chunks cut anywhere (even inside a line or a UTF-8 character).
/// A malformed line is skipped, counted and listed with its line number in the whole stream and
/// the reason; every valid line is ingested.
#[derive(Debug, Clone)]
pub struct NdjsonReplay {
    pub replay: Replay,
    /// The unfinished last line of the chunks so far.
    pending: Vec<u8>,
    /// The last chunk's unterminated last line was taken as complete (it is whole JSON): a line
    /// feed opening the next chunk ends that line, it does not start another.
    took_tail: bool,
    lines: u64,
    pub events: u64,
    pub skipped: u64,
    /// The first [`MAX_LISTED_SKIPS`] skipped lines.
    pub skipped_lines: Vec<SkippedLine>,
    /// The caller's clock, each line's time checked against it ([`NdjsonReplay::at`]).
    now: Option<i64>,
}

impl NdjsonReplay {
    pub fn new(replay: Replay) -> NdjsonReplay {
        NdjsonReplay::at(replay, None)
    }

    /// A replay that checks each line's time against the caller's `now` (the engine reads no
    /// clock; a JS caller passes `Date.now()`): a line stamped more than a day after `now`
    /// (a broken clock: scored at face value it would count full points, and close per-day
    /// caps, until then), or whose number looks like epoch seconds
    /// ([`crate::event::seconds_like`]), is skipped and counted with its reason, like any
    /// malformed line. `None`: times are taken as given.
    pub fn at(replay: Replay, now: Option<i64>) -> NdjsonReplay {
        NdjsonReplay {
            now,
            replay,
            pending: Vec::new(),
            took_tail: false,
            lines: 0,
            events: 0,
            skipped: 0,
            skipped_lines: Vec::new(),
        }
    }

    /// Feeds a chunk of UTF-8 NDJSON; returns the events it completed. A last line without a
    /// line feed is ingested when it is whole JSON, else it waits for the next chunk (or
    /// [`NdjsonReplay::finish`]).
    pub fn push(&mut self, mut bytes: &[u8]) -> u32 {
        let mut n = 0;
        if bytes.is_empty() {
            return 0;
        }
        if std::mem::take(&mut self.took_tail) {
            bytes = bytes
                .strip_prefix(b"\r\n")
                .or_else(|| bytes.strip_prefix(b"\n"))
                .unwrap_or(bytes);
        }
        if !self.pending.is_empty() {
            match bytes.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    let mut line = std::mem::take(&mut self.pending);
                    line.extend_from_slice(&bytes[..i]);
                    n += self.line_bytes(&line);
                    bytes = &bytes[i + 1..];
                }
                None => {
                    let mut tail = std::mem::take(&mut self.pending);
                    tail.extend_from_slice(bytes);
                    return n + self.tail(&tail);
                }
            }
        }
        let (body, tail) = match bytes.iter().rposition(|&b| b == b'\n') {
            Some(i) => (&bytes[..i], &bytes[i + 1..]),
            None => (&bytes[..0], bytes),
        };
        if !bytes.is_empty() && bytes.len() != tail.len() {
            match std::str::from_utf8(body) {
                Ok(text) => {
                    for line in text.split('\n') {
                        n += self.line(line);
                    }
                }
                Err(_) => {
                    for line in body.split(|&b| b == b'\n') {
                        n += self.line_bytes(line);
                    }
                }
            }
        }
        n + self.tail(tail)
    }

    /// Ends the stream: an unfinished last line is read as it is.
    pub fn finish(&mut self) -> u32 {
        let rest = std::mem::take(&mut self.pending);
        self.took_tail = false;
        if rest.iter().all(u8::is_ascii_whitespace) {
            return 0;
        }
        self.line_bytes(&rest)
    }

    /// Bytes of an unfinished last line waiting for the next chunk.
    pub fn pending_bytes(&self) -> usize {
        self.pending.len()
    }

    fn tail(&mut self, tail: &[u8]) -> u32 {
        if tail.iter().all(u8::is_ascii_whitespace) {
            // Blank so far; it may still be the start of a line.
            self.pending.extend_from_slice(tail);
            return 0;
        }
        // A cut line is never whole JSON: a prefix of an object lacks its closing brace.
        let whole = std::str::from_utf8(tail)
            .is_ok_and(|t| serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok());
        if whole {
            self.took_tail = true;
            self.line_bytes(tail)
        } else {
            self.pending.extend_from_slice(tail);
            0
        }
    }

    fn line_bytes(&mut self, line: &[u8]) -> u32 {
        match std::str::from_utf8(line) {
            Ok(text) => self.line(text),
            Err(e) => {
                self.lines += 1;
                let at = line[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b != b'\r')
                    .count();
                self.skip(format!("not valid UTF-8 (byte {} of the line)", at + 1));
                0
            }
        }
    }

    fn line(&mut self, line: &str) -> u32 {
        self.lines += 1;
        let text = line.trim();
        if text.is_empty() {
            return 0;
        }
        match Event::from_json_at(text, self.now) {
            Ok(event) => {
                self.replay.push(&event, text);
                self.events += 1;
                1
            }
            Err(e) => {
                // A line that is no JSON is worded as the `Workspace` imports word it.
                let reason = crate::json::row_reason(text, "line").unwrap_or_else(|| e.to_string());
                self.skip(reason);
                0
            }
        }
    }

    fn skip(&mut self, reason: String) {
        self.skipped += 1;
        if self.skipped_lines.len() < MAX_LISTED_SKIPS {
            self.skipped_lines.push(SkippedLine {
                line: self.lines,
                reason,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    const T0: i64 = 1_793_610_000_000;
    const DAY: i64 = 86_400_000;

    fn model() -> Model {
        Model::from_value(&json!({
            "version": "1",
            "rules": [{"id": "pv", "points": 10, "when": {"type": "page"}}]
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn line(v: Value) -> String {
        serde_json::to_string(&v).unwrap()
    }

    /// The reviewer's case: device 1 (`a1`) identifies as `u`; device 2 (`a2`) browses, then
    /// identifies as `u`, then browses as `u`.
    fn two_devices() -> Vec<String> {
        [
            json!({"type": "page", "messageId": "1", "anonymousId": "a1", "timestamp": T0}),
            json!({"type": "identify", "messageId": "2", "anonymousId": "a1", "userId": "u", "timestamp": T0 + 1000, "traits": {"email": "x@y.z"}}),
            json!({"type": "page", "messageId": "3", "anonymousId": "a2", "timestamp": T0 + DAY}),
            json!({"type": "page", "messageId": "4", "anonymousId": "a2", "timestamp": T0 + DAY + 1000}),
            json!({"type": "identify", "messageId": "5", "anonymousId": "a2", "userId": "u", "timestamp": T0 + DAY + 2000}),
            json!({"type": "page", "messageId": "6", "anonymousId": "a2", "userId": "u", "timestamp": T0 + DAY + 3000}),
        ]
        .into_iter()
        .map(line)
        .collect()
    }

    fn events(lines: &[String]) -> Vec<Event> {
        lines.iter().map(|l| Event::from_json(l).unwrap()).collect()
    }

    fn stream(lines: &[String], budget: usize) -> NdjsonReplay {
        let mut r = NdjsonReplay::new(Replay::with_history(model(), budget));
        r.push(lines.join("\n").as_bytes());
        r.finish();
        r
    }

    fn summary(results: &[VisitorResult]) -> Vec<(String, f64, u64)> {
        let mut s: Vec<_> = results
            .iter()
            .map(|r| (r.visitor_id.clone(), r.score.total, r.events))
            .collect();
        s.sort_by(|a, b| a.0.cmp(&b.0));
        s
    }

    #[test]
    fn a_second_device_merges_into_the_known_visitor() {
        let lines = two_devices();
        let as_of = T0 + 2 * DAY;
        // Batch: one lead u with all four page views (40).
        let batch = replay(&model(), &events(&lines), as_of);
        assert_eq!(summary(&batch), [("u".to_string(), 40.0, 6)]);
        assert_eq!(batch[0].anonymous_id.as_deref(), Some("a1"));
        // Streaming, histories kept: the same result, one exact merge.
        let s = stream(&lines, DEFAULT_HISTORY_BYTES);
        assert_eq!(
            s.replay.merges(),
            Merges {
                exact: 1,
                late: 0,
                separate: 0,
                refused: 0
            }
        );
        assert_eq!(s.replay.clone().results(as_of), batch);
        // No history kept: a2's two page views stay a visitor of their own (the old result).
        let s = stream(&lines, 0);
        assert_eq!(
            s.replay.merges(),
            Merges {
                exact: 0,
                late: 0,
                separate: 1,
                refused: 0
            }
        );
        assert_eq!(
            summary(&s.replay.results(as_of)),
            [("a2".to_string(), 20.0, 2), ("u".to_string(), 20.0, 4)]
        );
    }

    #[test]
    fn merges_without_the_known_visitors_history() {
        let lines = two_devices();
        let as_of = T0 + 2 * DAY;
        // A budget too small for u's identify line but enough for a2's page views: u keeps no
        // history; a2's events all follow u's, so folding them in is still exact.
        let identify = line(
            json!({"type": "identify", "messageId": "2", "anonymousId": "a1",
            "userId": "u", "timestamp": T0 + 1000, "traits": {"note": "x".repeat(400)}}),
        );
        let budget = lines[2].len() + lines[3].len();
        assert!(identify.len() > budget);
        let s = stream(
            &[
                identify.clone(),
                lines[2].clone(),
                lines[3].clone(),
                lines[4].clone(),
            ],
            budget,
        );
        assert_eq!(
            s.replay.merges(),
            Merges {
                exact: 1,
                late: 0,
                separate: 0,
                refused: 0
            }
        );
        assert_eq!(
            summary(&s.replay.results(as_of)),
            [("u".to_string(), 20.0, 4)]
        );
        // a2 browsing between u's events: folded in after them, counted as late.
        let interleaved = [
            identify,
            lines[2].clone(),
            line(
                json!({"type": "page", "messageId": "7", "userId": "u", "timestamp": T0 + DAY + 500}),
            ),
            lines[4].clone(),
        ];
        let s = stream(&interleaved, lines[2].len());
        assert_eq!(
            s.replay.merges(),
            Merges {
                exact: 0,
                late: 1,
                separate: 0,
                refused: 0
            }
        );
        assert_eq!(
            summary(&s.replay.results(as_of)),
            [("u".to_string(), 20.0, 4)]
        );
    }

    #[test]
    fn two_known_people_are_not_merged() {
        // a2 is already w's device; u's identify on it does not fold w into u. From then on a2
        // is u's device: its anonymous page is u's (as on the device itself, whose engine
        // started u's fresh state at the identify).
        let lines: Vec<String> = [
            json!({"type": "identify", "messageId": "1", "anonymousId": "a1", "userId": "u", "timestamp": T0}),
            json!({"type": "page", "messageId": "2", "anonymousId": "a2", "userId": "w", "timestamp": T0 + 1}),
            json!({"type": "identify", "messageId": "3", "anonymousId": "a2", "userId": "u", "timestamp": T0 + 2}),
            json!({"type": "page", "messageId": "4", "anonymousId": "a2", "timestamp": T0 + 3}),
        ]
        .into_iter()
        .map(line)
        .collect();
        let batch = replay(&model(), &events(&lines), T0 + 10);
        assert_eq!(
            summary(&batch),
            [("u".to_string(), 10.0, 3), ("w".to_string(), 10.0, 1)]
        );
        let s = stream(&lines, DEFAULT_HISTORY_BYTES);
        assert_eq!(
            s.replay.merges(),
            Merges {
                refused: 1,
                ..Merges::default()
            }
        );
        assert_eq!(s.replay.results(T0 + 10), batch);
    }

    fn handoff_model() -> Model {
        Model::from_value(&json!({
            "version": "1",
            "rules": [{"id": "pv", "points": 30, "when": {"type": "page"}}],
            "stages": {"mql": {"score": "total", "gte": 50}},
            "handoff": {"stage": "mql", "endpoint": "https://crm.example/h"}
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The reviewer's case: one device, alice identifies and browses, then bob does.
    fn alice_then_bob() -> Vec<String> {
        [
            json!({"type": "page", "messageId": "0", "anonymousId": "dev", "timestamp": T0}),
            json!({"type": "identify", "messageId": "1", "anonymousId": "dev", "userId": "alice", "timestamp": T0 + 1000,
                "traits": {"email": "alice@corp.example", "title": "CFO"}}),
            json!({"type": "page", "messageId": "2", "anonymousId": "dev", "userId": "alice", "timestamp": T0 + 2000}),
            json!({"type": "identify", "messageId": "3", "anonymousId": "dev", "userId": "bob", "timestamp": T0 + 3000,
                "traits": {"name": "Bob"}}),
            json!({"type": "page", "messageId": "4", "anonymousId": "dev", "userId": "bob", "timestamp": T0 + 4000}),
            json!({"type": "page", "messageId": "5", "anonymousId": "dev", "timestamp": T0 + 5000}),
        ]
        .into_iter()
        .map(line)
        .collect()
    }

    #[test]
    fn two_people_on_one_device_are_two_visitors() {
        let lines = alice_then_bob();
        let as_of = T0 + DAY;
        let batch = replay(&handoff_model(), &events(&lines), as_of);
        // alice: the device's page before her identify, and hers (60: a handoff); bob: his page
        // and the device's page after his identify (60), none of alice's traits.
        assert_eq!(
            summary(&batch),
            [("alice".to_string(), 60.0, 3), ("bob".to_string(), 60.0, 3)]
        );
        let (alice, bob) = (&batch[0], &batch[1]);
        assert_eq!(
            alice.traits,
            *json!({"email": "alice@corp.example", "title": "CFO"})
                .as_object()
                .unwrap()
        );
        assert_eq!(bob.traits, *json!({"name": "Bob"}).as_object().unwrap());
        assert_eq!(
            (alice.first_seen, bob.first_seen),
            (Some(T0), Some(T0 + 3000))
        );
        assert_eq!((alice.handoffs.len(), bob.handoffs.len()), (1, 1));
        let payload = bob.handoffs[0].to_json();
        assert!(payload.contains(r#""userId":"bob""#), "{payload}");
        assert!(
            !payload.contains("alice") && !payload.contains("CFO"),
            "{payload}"
        );
        assert_ne!(alice.handoffs[0].handoff_id, bob.handoffs[0].handoff_id);
        // The stream: the same, and its summary says why there are two.
        let mut s = NdjsonReplay::new(Replay::new(handoff_model()));
        s.push(lines.join("\n").as_bytes());
        s.finish();
        assert_eq!(
            s.replay.merges(),
            Merges {
                refused: 1,
                ..Merges::default()
            }
        );
        assert_eq!(s.replay.results(as_of), batch);
        // One engine fed the device's events one by one (the snippet): alice's handoff, then
        // bob's, each with their own traits, and bob's state at the end, as in the batch.
        let mut engine = Engine::new(handoff_model());
        let mut handoffs = Vec::new();
        for e in events(&lines) {
            handoffs.extend(engine.ingest_event(&e, e.timestamp).handoffs);
        }
        assert_eq!(
            handoffs,
            [alice.handoffs.clone(), bob.handoffs.clone()].concat()
        );
        assert_eq!(visitor_result(&engine, bob.handoffs.clone(), as_of), *bob);
    }

    #[test]
    fn the_same_user_again_on_one_device_is_one_visitor() {
        let mut lines = alice_then_bob();
        for l in &mut lines {
            *l = l.replace("bob", "alice").replace("Bob", "Alice");
        }
        let batch = replay(&handoff_model(), &events(&lines), T0 + DAY);
        assert_eq!(summary(&batch), [("alice".to_string(), 120.0, 6)]);
        assert_eq!(
            batch[0].traits,
            *json!({"email": "alice@corp.example", "title": "CFO", "name": "Alice"})
                .as_object()
                .unwrap()
        );
        let s = stream(&lines, DEFAULT_HISTORY_BYTES);
        assert_eq!(s.replay.merges(), Merges::default());
    }

    #[test]
    fn malformed_lines_are_skipped_counted_and_numbered_across_chunks() {
        let good = two_devices();
        let text = [
            good[0].as_str(),
            "{not json",
            good[1].as_str(),
            "",
            r#"{"messageId":"b1","anonymousId":"a","timestamp":1}"#,
            good[2].as_str(),
            r#"{"type":"page","messageId":"b6","anonymousId":"a","timestamp":"yesterday"}"#,
            good[3].as_str(),
            good[4].as_str(),
            good[5].as_str(),
        ]
        .join("\r\n");
        let whole = {
            let mut r = NdjsonReplay::new(Replay::new(model()));
            assert_eq!(r.push(text.as_bytes()) + r.finish(), 6);
            r
        };
        assert_eq!(whole.events, 6);
        assert_eq!(whole.skipped, 3);
        let lines: Vec<u64> = whole.skipped_lines.iter().map(|s| s.line).collect();
        assert_eq!(lines, [2, 5, 7]);
        let first = &whole.skipped_lines[0].reason;
        assert!(first.contains("at column 2"), "{first}");
        assert!(!first.contains("line 1"), "{first}");
        assert!(
            whole.skipped_lines[1].reason.contains("type"),
            "{:?}",
            whole.skipped_lines
        );
        assert!(
            whole.skipped_lines[2].reason.contains("timestamp"),
            "{:?}",
            whole.skipped_lines
        );
        let as_of = T0 + 2 * DAY;
        let expected = whole.replay.clone().results(as_of);
        assert_eq!(summary(&expected), [("u".to_string(), 40.0, 6)]);
        // Cut anywhere, in two or three pieces, with or without a final line feed: the same.
        let bytes = text.as_bytes();
        for ending in [&b""[..], b"\n"] {
            let all = [bytes, ending].concat();
            for cut in 0..=all.len() {
                let second = (cut + 7).min(all.len());
                let mut r = NdjsonReplay::new(Replay::new(model()));
                let n = r.push(&all[..cut])
                    + r.push(&all[cut..second])
                    + r.push(&all[second..])
                    + r.finish();
                assert_eq!(n, 6, "cut at {cut}");
                assert_eq!(r.skipped_lines, whole.skipped_lines, "cut at {cut}");
                assert_eq!(r.replay.results(as_of), expected, "cut at {cut}");
            }
        }
    }

    #[test]
    fn bad_utf8_and_a_cut_last_line() {
        let good = two_devices();
        let mut bytes = format!("{}\n", good[0]).into_bytes();
        bytes.extend_from_slice(&[b'{', 0xff, b'}', b'\n']);
        bytes.extend_from_slice(good[1].as_bytes());
        bytes.extend_from_slice(b"\n{\"type\":\"pa");
        let mut r = NdjsonReplay::new(Replay::new(model()));
        assert_eq!(r.push(&bytes), 2);
        assert_eq!(r.pending_bytes(), 11);
        assert_eq!(r.finish(), 0);
        let lines: Vec<(u64, bool)> = r
            .skipped_lines
            .iter()
            .map(|s| (s.line, s.reason.starts_with("not valid UTF-8")))
            .collect();
        assert_eq!(lines, [(2, true), (4, false)]);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        /// The rule without merges: an event joins its userId's visitor, else its anonymousId's
        /// unless that one has another userId (then a new one); a userId maps to the first
        /// visitor it was seen with, an anonymousId to the visitor of the last userId it came
        /// with (else the first it was seen with); visitors never merge.
        fn without_merges(events: &[Event], as_of: i64) -> Vec<VisitorResult> {
            let mut users: HashMap<String, usize> = HashMap::new();
            let mut anons: HashMap<String, usize> = HashMap::new();
            let mut engines: Vec<(Engine, Vec<Handoff>)> = Vec::new();
            for e in events {
                let u = e.user_id.as_ref().and_then(|u| users.get(u)).copied();
                let a = e.anonymous_id.as_ref().and_then(|a| anons.get(a)).copied();
                let a =
                    a.filter(|&v| e.user_id.is_none() || engines[v].0.state().user_id.is_none());
                let v = u.or(a).unwrap_or_else(|| {
                    engines.push((Engine::new(model()), Vec::new()));
                    engines.len() - 1
                });
                if let Some(id) = &e.user_id {
                    users.entry(id.clone()).or_insert(v);
                }
                if let Some(id) = &e.anonymous_id {
                    if e.user_id.is_some() {
                        anons.insert(id.clone(), v);
                    } else {
                        anons.entry(id.clone()).or_insert(v);
                    }
                }
                let (engine, handoffs) = &mut engines[v];
                handoffs.extend(engine.ingest_event(e, e.timestamp).handoffs);
            }
            engines
                .iter()
                .map(|(e, h)| visitor_result(e, h.clone(), as_of))
                .collect()
        }

        fn log() -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec(
                (
                    0u8..3,
                    prop::option::of(0u8..3),
                    prop::option::of(0u8..2),
                    0i64..DAY,
                ),
                1..30,
            )
            .prop_map(|steps| {
                let mut t = T0;
                steps
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, (kind, anon, user, gap))| {
                        t += gap;
                        let kind = ["page", "identify", "track"][kind as usize];
                        let mut v = json!({
                            "type": kind,
                            "event": "E", "messageId": format!("m{i}"), "timestamp": t,
                        });
                        if let Some(a) = anon {
                            v["anonymousId"] = json!(format!("a{a}"));
                        }
                        if let Some(u) = user {
                            v["userId"] = json!(format!("u{u}"));
                        }
                        (anon.is_some() || user.is_some()).then(|| line(v))
                    })
                    .collect()
            })
        }

        fn people_model() -> Model {
            Model::from_value(&json!({
                "version": "1",
                "rules": [
                    {"id": "pv", "points": 10, "when": {"type": "page"}},
                    {"id": "tr", "points": 5, "when": {"type": "track"}},
                    {"id": "vp", "kind": "fit", "points": 20, "when": {"trait": "title", "equals": "VP"}}
                ],
                "stages": {"mql": {"score": "total", "gte": 40}},
                "handoff": {"stage": "mql", "endpoint": "https://crm.example/h"}
            }))
            .unwrap_or_else(|e| panic!("{e}"))
        }

        /// One or two devices (a0, a1), 1-3 people (u0..u2): anonymous events, identifies
        /// (with or without a userId), events with a userId, some without an anonymousId. An
        /// identify of `uN` carries `email: uN@x`; an anonymous one a title only.
        fn people_log() -> impl Strategy<Value = Vec<String>> {
            (1u8..3, 1u8..4).prop_flat_map(|(devices, people)| {
                prop::collection::vec(
                    (
                        0u8..3,
                        prop::option::weighted(0.9, 0..devices),
                        prop::option::of(0..people),
                        0i64..DAY / 2,
                    ),
                    1..32,
                )
                .prop_map(|steps| {
                    let mut t = T0;
                    steps
                        .into_iter()
                        .enumerate()
                        .filter_map(|(i, (kind, anon, user, gap))| {
                            t += gap;
                            let kind = ["page", "identify", "track"][kind as usize];
                            let mut v = json!({"type": kind, "event": "E", "messageId": format!("m{i}"), "timestamp": t});
                            if let Some(a) = anon {
                                v["anonymousId"] = json!(format!("a{a}"));
                            }
                            if let Some(u) = user {
                                v["userId"] = json!(format!("u{u}"));
                            }
                            if kind == "identify" {
                                v["traits"] = match user {
                                    Some(u) => json!({"email": format!("u{u}@x")}),
                                    None => json!({"title": "VP"}),
                                };
                            }
                            (anon.is_some() || user.is_some()).then(|| line(v))
                        })
                        .collect()
                })
            })
        }

        /// The identity rule in plain words: an event is its userId's person; else its device's
        /// current person (the last userId it came with); else the first person the device
        /// identifies as (a device's history before its first identify is theirs); else the
        /// device's own anonymous visitor. Each person is one engine fed their events one by one.
        /// Returns each person's result and the positions of their events.
        fn by_person(model: &Model, evs: &[Event], as_of: i64) -> Vec<(VisitorResult, Vec<usize>)> {
            let mut first: HashMap<&str, &str> = HashMap::new();
            for e in evs {
                if let (Some(a), Some(u)) = (&e.anonymous_id, &e.user_id) {
                    first.entry(a).or_insert(u);
                }
            }
            let mut current: HashMap<&str, &str> = HashMap::new();
            let mut people: Vec<(String, Engine, Vec<Handoff>, Vec<usize>)> = Vec::new();
            for (i, e) in evs.iter().enumerate() {
                let (user, anon) = (e.user_id.as_deref(), e.anonymous_id.as_deref());
                let device = anon.and_then(|a| current.get(a).or(first.get(a)).copied());
                let who = match user.or(device) {
                    Some(u) => format!("user {u}"),
                    None => format!("anonymous {}", anon.unwrap_or_default()),
                };
                if let (Some(u), Some(a)) = (user, anon) {
                    current.insert(a, u);
                }
                let at = people.iter().position(|p| p.0 == who).unwrap_or_else(|| {
                    people.push((who, Engine::new(model.clone()), Vec::new(), Vec::new()));
                    people.len() - 1
                });
                let (_, engine, handoffs, mine) = &mut people[at];
                handoffs.extend(engine.ingest_event(e, e.timestamp).handoffs);
                mine.push(i);
            }
            people
                .into_iter()
                .map(|(_, e, h, mine)| (visitor_result(&e, h, as_of), mine))
                .collect()
        }

        /// Nothing of another person: a result or handoff of `uN` holds no email but `uN@x`.
        fn own_traits_only(r: &VisitorResult) -> Result<(), TestCaseError> {
            let own = r.user_id.as_ref().map(|u| json!(format!("{u}@x")));
            let email = |t: &Map<String, Value>| t.get("email").cloned();
            if let Some(e) = email(&r.traits) {
                prop_assert_eq!(Some(e), own.clone(), "{:?}", r);
            }
            for h in &r.handoffs {
                // Made while anonymous (the person's history before their identify), or theirs.
                prop_assert!(h.user_id.is_none() || h.user_id == r.user_id, "{:?}", h);
                if let Some(e) = email(&h.traits) {
                    prop_assert_eq!(Some(e), own.clone(), "{:?}", h);
                }
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            /// The stream with its histories kept is the batch replay, merges or not; where no
            /// merge happens, every visitor is exactly the per-visitor incremental engine.
            #[test]
            fn streaming_equals_batch_and_incremental_without_merges(lines in log(), cut in 0usize..4000) {
                let evs = events(&lines);
                let as_of = evs.last().map_or(T0, |e| e.timestamp) + DAY;
                let batch = replay(&model(), &evs, as_of);
                let text = lines.join("\n");
                let cut = cut.min(text.len());
                let mut s = NdjsonReplay::new(Replay::new(model()));
                s.push(&text.as_bytes()[..cut]);
                s.push(&text.as_bytes()[cut..]);
                s.finish();
                let merges = s.replay.merges();
                prop_assert_eq!(merges.late + merges.separate, 0);
                let mut streamed = s.replay.results(as_of);
                let mut sorted_batch = batch.clone();
                let key = |r: &VisitorResult| (r.first_seen, r.visitor_id.clone());
                streamed.sort_by_key(key);
                sorted_batch.sort_by_key(key);
                prop_assert_eq!(&streamed, &sorted_batch);
                if merges.exact == 0 {
                    prop_assert_eq!(&batch, &without_merges(&evs, as_of));
                }
            }

            /// Incremental equals batch across people and devices: the batch replay, the stream and
            /// the dashboard's grouping are the rule's people, each one engine fed their events one
            /// by one; and one engine per device fed all of the device's events one by one (the
            /// snippet) makes, for each person it held, the same result, whenever that person's
            /// events are exactly the ones it held (one device, no return to an earlier person).
            #[test]
            fn incremental_equals_batch_across_people_and_devices(lines in people_log()) {
                let model = people_model();
                let evs = events(&lines);
                let as_of = evs.last().map_or(T0, |e| e.timestamp) + DAY;
                let people = by_person(&model, &evs, as_of);
                let batch = replay(&model, &evs, as_of);
                let want: Vec<VisitorResult> = people.iter().map(|p| p.0.clone()).collect();
                prop_assert_eq!(&batch, &want);
                for r in &batch {
                    own_traits_only(r)?;
                }
                let mut s = NdjsonReplay::new(Replay::new(model.clone()));
                s.push(lines.join("\n").as_bytes());
                s.finish();
                let merges = s.replay.merges();
                prop_assert_eq!(merges.late + merges.separate, 0);
                // The stream lists visitors in order of creation, a merged one where the known
                // visitor was created: compared in one order.
                let mut streamed = s.replay.results(as_of);
                let mut sorted_batch = batch.clone();
                streamed.sort_by(|a, b| a.visitor_id.cmp(&b.visitor_id));
                sorted_batch.sort_by(|a, b| a.visitor_id.cmp(&b.visitor_id));
                prop_assert_eq!(streamed, sorted_batch);
                #[cfg(feature = "analytics")]
                {
                    let mut store = crate::analytics::store::EventStore::new();
                    for e in &evs {
                        store.push(e).unwrap();
                    }
                    let groups = store.visitors();
                    let grouped: Vec<Vec<usize>> = (0..groups.len())
                        .map(|v| groups.events_of(v).iter().map(|&i| i as usize).collect())
                        .collect();
                    let want: Vec<Vec<usize>> = people.iter().map(|p| p.1.clone()).collect();
                    prop_assert_eq!(grouped, want);
                }
                for device in ["a0", "a1"] {
                    let mut engine = Engine::new(model.clone());
                    let (mut handoffs, mut mine) = (Vec::new(), Vec::new());
                    let mut held: Vec<(VisitorResult, Vec<usize>)> = Vec::new();
                    for (i, e) in evs.iter().enumerate() {
                        if e.anonymous_id.as_deref() != Some(device) {
                            continue;
                        }
                        let before = engine.clone();
                        let out = engine.ingest_event(e, e.timestamp);
                        let was = before.state().user_id.as_ref();
                        if was.is_some() && engine.state().user_id.as_ref() != was {
                            let h = std::mem::take(&mut handoffs);
                            held.push((visitor_result(&before, h, as_of), std::mem::take(&mut mine)));
                        }
                        handoffs.extend(out.handoffs);
                        mine.push(i);
                    }
                    if !mine.is_empty() {
                        held.push((visitor_result(&engine, handoffs, as_of), mine));
                    }
                    for (result, mine) in &held {
                        own_traits_only(result)?;
                        if let Some(p) = people.iter().find(|p| &p.1 == mine) {
                            prop_assert_eq!(result, &p.0);
                        }
                    }
                }
            }
        }
    }
}
