//! The workspace's event store: imported events kept compactly, so a million of them fit in a
//! browser tab, and handed back to the engine one visitor at a time.
//!
//! A normalised [`Event`] owns a dozen `String`s and two JSON maps (several hundred bytes on the
//! heap, most of it repeated: the same visitor ids, paths, property sets and campaigns come back
//! event after event). Here every text is interned once and every property map, trait map, query
//! and campaign is interned once as a list of `(key, value)` fields; an event is one fixed-size
//! [`Row`] of symbols plus its `messageId` in a shared text arena. [`EventStore::event`] rebuilds
//! the exact `Event` (round trip, tested), which is what the engine ingests during a replay.
//!
//! [`EventStore::visitors`] groups the events by visitor the way [`crate::replay::replay`] does
//! (time order; an event joins the visitor known by its userId, else by its anonymousId), so a
//! replay can run the engine for one visitor at a time and hold one visitor's state at once
//! instead of every visitor's.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use crate::json::{Map, Number, Value};

use crate::event::{Campaign, Event, EventKind};
use crate::hash::{fnv1a64, fnv1a64_from};
use crate::replay::Identities;

/// FNV-1a for the store's maps: their keys are short ids and small integers from the user's
/// own file, hashed millions of times per import, where SipHash's flood resistance buys nothing.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(fnv1a64(b""))
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv1a64_from(self.0, bytes);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// Index of an interned text or field list.
pub type Sym = u32;
/// "No value" in a [`Row`] slot.
const NONE: Sym = Sym::MAX;

/// Events one workspace holds by default: about 70 bytes each plus what is unique in them, so
/// the bound keeps a runaway import (or several) within a tab's memory.
pub const DEFAULT_MAX_EVENTS: usize = 5_000_000;

/// One JSON value, with texts and nested lists interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Val {
    Null,
    Bool(bool),
    /// Numbers keep serde_json's own kind, so `1`, `-1` and `1.0` come back as they went in.
    Unsigned(u64),
    Signed(i64),
    /// The bits of an `f64`.
    Float(u64),
    Str(Sym),
    /// A field list whose keys are [`NONE`].
    Array(Sym),
    Object(Sym),
}

/// A key and its value: an entry of an object, a query or a campaign; an array item has no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Field {
    key: Sym,
    val: Val,
}

/// Each distinct value stored once; `Rc` lets the lookup map and the list share it.
struct Interner<T: ?Sized> {
    index: FastMap<Rc<T>, Sym>,
    items: Vec<Rc<T>>,
}

impl<T: ?Sized> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            index: FastMap::default(),
            items: Vec::new(),
        }
    }
}

impl<T: ?Sized + Hash + Eq> Interner<T> {
    fn intern<'a>(&mut self, item: &'a T) -> Sym
    where
        Rc<T>: From<&'a T>,
    {
        if let Some(&sym) = self.index.get(item) {
            return sym;
        }
        let sym = self.items.len() as Sym;
        let rc: Rc<T> = Rc::from(item);
        self.items.push(rc.clone());
        self.index.insert(rc, sym);
        sym
    }

    fn find(&self, item: &T) -> Option<Sym> {
        self.index.get(item).copied()
    }

    fn get(&self, sym: Sym) -> &T {
        &self.items[sym as usize]
    }

    fn len(&self) -> usize {
        self.items.len()
    }
}

/// One event: its time, kind and a symbol per field.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Row {
    at: i64,
    kind: EventKind,
    anonymous_id: Sym,
    user_id: Sym,
    group_id: Sym,
    name: Sym,
    path: Sym,
    url: Sym,
    referrer: Sym,
    query: Sym,
    campaign: Sym,
    properties: Sym,
    traits: Sym,
}

/// Why an event was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The store holds its maximum number of events.
    Full { limit: usize },
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Full { limit } => write!(
                f,
                "the workspace is full ({limit} events): clear it or import a shorter period"
            ),
        }
    }
}

/// What [`EventStore::push`] did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Kept,
    /// An event with the same `messageId` is already stored.
    Duplicate,
}

/// The events grouped by visitor, each visitor's in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Visitors {
    /// Event indices, visitor after visitor; visitors numbered by their first event in time.
    events: Vec<u32>,
    /// Where each visitor's events start in `events` (one more entry than visitors).
    starts: Vec<u32>,
    /// Every event index in time order (stable: equal times keep import order).
    by_time: Vec<u32>,
}

impl Visitors {
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Indices of visitor `v`'s events, oldest first.
    pub fn events_of(&self, v: usize) -> &[u32] {
        &self.events[self.starts[v] as usize..self.starts[v + 1] as usize]
    }

    /// Every event index, oldest first.
    pub fn by_time(&self) -> &[u32] {
        &self.by_time
    }
}

/// Imported events, compact. See the module documentation.
pub struct EventStore {
    rows: Vec<Row>,
    /// Every `messageId`, concatenated; `message_ends[i]` is where event `i`'s ends.
    message_ids: String,
    message_ends: Vec<usize>,
    /// Hashes of the stored `messageId`s: a re-imported file does not double the data.
    seen: FastSet<u64>,
    texts: Interner<str>,
    fields: Interner<[Field]>,
    limit: usize,
    /// Rows were pushed in time order (a replay need not sort them).
    in_time_order: bool,
    first_at: Option<i64>,
    last_at: Option<i64>,
    visitors: Option<Rc<Visitors>>,
}

impl Default for EventStore {
    fn default() -> Self {
        EventStore::with_limit(DEFAULT_MAX_EVENTS)
    }
}

fn message_hash(id: &str) -> u64 {
    fnv1a64(id.as_bytes())
}

impl EventStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that refuses events beyond `limit`.
    pub fn with_limit(limit: usize) -> Self {
        EventStore {
            rows: Vec::new(),
            message_ids: String::new(),
            message_ends: Vec::new(),
            seen: FastSet::default(),
            texts: Interner::default(),
            fields: Interner::default(),
            limit: limit.min(u32::MAX as usize),
            in_time_order: true,
            first_at: None,
            last_at: None,
            visitors: None,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn first_at(&self) -> Option<i64> {
        self.first_at
    }

    pub fn last_at(&self) -> Option<i64> {
        self.last_at
    }

    /// Distinct texts and distinct field lists held (for tests and the benchmark's figures).
    pub fn distinct(&self) -> (usize, usize) {
        (self.texts.len(), self.fields.len())
    }

    /// Stores `e` unless its `messageId` is already stored.
    pub fn push(&mut self, e: &Event) -> Result<Pushed, StoreError> {
        let hash = message_hash(&e.message_id);
        if self.seen.contains(&hash) {
            return Ok(Pushed::Duplicate);
        }
        if self.rows.len() >= self.limit {
            return Err(StoreError::Full { limit: self.limit });
        }
        self.seen.insert(hash);
        let row = Row {
            at: e.timestamp,
            kind: e.kind,
            anonymous_id: self.text(e.anonymous_id.as_deref()),
            user_id: self.text(e.user_id.as_deref()),
            group_id: self.text(e.group_id.as_deref()),
            name: self.text(e.name.as_deref()),
            path: self.text(e.path.as_deref()),
            url: self.text(e.url.as_deref()),
            referrer: self.text(e.referrer.as_deref()),
            query: self.pairs(&e.query),
            campaign: self.campaign(&e.campaign),
            properties: self.object(&e.properties),
            traits: self.object(&e.traits),
        };
        if self.last_at.is_some_and(|last| last > e.timestamp) {
            self.in_time_order = false;
        }
        self.first_at = Some(self.first_at.map_or(e.timestamp, |t| t.min(e.timestamp)));
        self.last_at = Some(self.last_at.map_or(e.timestamp, |t| t.max(e.timestamp)));
        self.rows.push(row);
        self.message_ids.push_str(&e.message_id);
        self.message_ends.push(self.message_ids.len());
        self.visitors = None;
        Ok(Pushed::Kept)
    }

    fn text(&mut self, s: Option<&str>) -> Sym {
        match s {
            Some(s) => self.texts.intern(s),
            None => NONE,
        }
    }

    fn list(&mut self, fields: Vec<Field>) -> Sym {
        self.fields.intern(fields.as_slice())
    }

    fn value(&mut self, v: &Value) -> Val {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Val::Unsigned(u),
                (None, Some(i)) => Val::Signed(i),
                _ => Val::Float(n.as_f64().unwrap_or(0.0).to_bits()),
            },
            Value::String(s) => Val::Str(self.texts.intern(s)),
            Value::Array(items) => {
                let fields = items
                    .iter()
                    .map(|item| Field {
                        key: NONE,
                        val: self.value(item),
                    })
                    .collect();
                Val::Array(self.list(fields))
            }
            Value::Object(map) => Val::Object(self.object(map)),
        }
    }

    fn object(&mut self, map: &Map<String, Value>) -> Sym {
        if map.is_empty() {
            return NONE;
        }
        let fields = map
            .iter()
            .map(|(k, v)| Field {
                key: self.texts.intern(k),
                val: self.value(v),
            })
            .collect();
        self.list(fields)
    }

    fn pairs(&mut self, pairs: &[(String, String)]) -> Sym {
        if pairs.is_empty() {
            return NONE;
        }
        let fields = pairs
            .iter()
            .map(|(k, v)| Field {
                key: self.texts.intern(k),
                val: Val::Str(self.texts.intern(v)),
            })
            .collect();
        self.list(fields)
    }

    fn campaign(&mut self, c: &Campaign) -> Sym {
        if c.is_empty() {
            return NONE;
        }
        // Positional: source, medium, name, term, content.
        let fields = [&c.source, &c.medium, &c.name, &c.term, &c.content]
            .into_iter()
            .map(|part| Field {
                key: NONE,
                val: match part {
                    Some(s) => Val::Str(self.texts.intern(s)),
                    None => Val::Null,
                },
            })
            .collect();
        self.list(fields)
    }

    fn opt_text(&self, sym: Sym) -> Option<String> {
        (sym != NONE).then(|| self.texts.get(sym).to_string())
    }

    fn json(&self, v: Val) -> Value {
        match v {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(b),
            Val::Unsigned(u) => Value::Number(u.into()),
            Val::Signed(i) => Value::Number(i.into()),
            Val::Float(bits) => {
                Number::from_f64(f64::from_bits(bits)).map_or(Value::Null, Value::Number)
            }
            Val::Str(s) => Value::String(self.texts.get(s).to_string()),
            Val::Array(list) => Value::Array(
                self.fields
                    .get(list)
                    .iter()
                    .map(|f| self.json(f.val))
                    .collect(),
            ),
            Val::Object(list) => Value::Object(self.map(list)),
        }
    }

    fn map(&self, list: Sym) -> Map<String, Value> {
        let mut out = Map::new();
        if list != NONE {
            for f in self.fields.get(list) {
                out.insert(self.texts.get(f.key).to_string(), self.json(f.val));
            }
        }
        out
    }

    fn text_of(&self, v: Val) -> Option<String> {
        match v {
            Val::Str(s) => Some(self.texts.get(s).to_string()),
            _ => None,
        }
    }

    /// The `messageId` of event `i`.
    pub fn message_id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.message_ends[i - 1] };
        &self.message_ids[start..self.message_ends[i]]
    }

    /// The time of event `i`.
    pub fn at(&self, i: usize) -> i64 {
        self.rows[i].at
    }

    /// Event `i`, exactly as it was pushed.
    pub fn event(&self, i: usize) -> Event {
        let r = &self.rows[i];
        let list = |sym: Sym| -> &[Field] {
            if sym == NONE {
                &[]
            } else {
                self.fields.get(sym)
            }
        };
        let query = list(r.query)
            .iter()
            .map(|f| {
                (
                    self.texts.get(f.key).to_string(),
                    self.text_of(f.val).unwrap_or_default(),
                )
            })
            .collect();
        let c = list(r.campaign);
        let part = |k: usize| c.get(k).and_then(|f| self.text_of(f.val));
        Event {
            kind: r.kind,
            message_id: self.message_id(i).to_string(),
            anonymous_id: self.opt_text(r.anonymous_id),
            user_id: self.opt_text(r.user_id),
            group_id: self.opt_text(r.group_id),
            timestamp: r.at,
            name: self.opt_text(r.name),
            path: self.opt_text(r.path),
            url: self.opt_text(r.url),
            referrer: self.opt_text(r.referrer),
            query,
            campaign: Campaign {
                source: part(0),
                medium: part(1),
                name: part(2),
                term: part(3),
                content: part(4),
            },
            properties: self.map(r.properties),
            traits: self.map(r.traits),
        }
    }

    /// The events grouped by visitor (computed once per change of the data).
    pub fn visitors(&mut self) -> Rc<Visitors> {
        if let Some(v) = &self.visitors {
            return v.clone();
        }
        let v = Rc::new(self.group());
        self.visitors = Some(v.clone());
        v
    }

    /// Identity as in [`crate::replay::replay`] ([`Identities`]): in time order, an event joins
    /// the visitor its userId is known under, else the one its anonymousId is known under, else a
    /// new one; an identify from a second device merges that device's anonymous visitor into the
    /// known one, whose events are then the time-ordered union of both. Visitors are numbered by
    /// their first event in time.
    fn group(&self) -> Visitors {
        let mut by_time: Vec<u32> = (0..self.rows.len() as u32).collect();
        if !self.in_time_order {
            by_time.sort_by_key(|&i| self.rows[i as usize].at);
        }
        let id = |sym: Sym| (sym != NONE).then_some(sym);
        let mut ids: Identities<Sym> = Identities::default();
        let mut owner = vec![0u32; self.rows.len()];
        for &i in &by_time {
            let r = &self.rows[i as usize];
            owner[i as usize] = ids
                .join(id(r.user_id).as_ref(), id(r.anonymous_id).as_ref())
                .visitor;
        }
        // Merged visitors resolved, then numbered by their first event in time.
        let mut number = vec![u32::MAX; ids.len()];
        let mut counts: Vec<u32> = Vec::new();
        for &i in &by_time {
            let root = ids.root(owner[i as usize]) as usize;
            if number[root] == u32::MAX {
                number[root] = counts.len() as u32;
                counts.push(0);
            }
            owner[i as usize] = number[root];
            counts[number[root] as usize] += 1;
        }
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut next = Vec::with_capacity(counts.len());
        let mut total = 0u32;
        for c in &counts {
            starts.push(total);
            next.push(total);
            total += c;
        }
        starts.push(total);
        let mut events = vec![0u32; self.rows.len()];
        for &i in &by_time {
            let slot = &mut next[owner[i as usize] as usize];
            events[*slot as usize] = i;
            *slot += 1;
        }
        Visitors {
            events,
            starts,
            by_time,
        }
    }

    /// The symbol of a text already stored (ids are looked up this way).
    pub fn find_text(&self, s: &str) -> Option<Sym> {
        self.texts.find(s)
    }

    /// Whether event `i` is a visit (a page, screen or track call): identify and group calls
    /// say who someone is, not where they came from, so they are no touch.
    pub fn is_touch(&self, i: usize) -> bool {
        !matches!(self.rows[i].kind, EventKind::Identify | EventKind::Group)
    }

    /// The symbols of event `i`'s anonymousId and userId.
    pub fn id_syms(&self, i: usize) -> [Option<Sym>; 2] {
        let r = &self.rows[i];
        [r.anonymous_id, r.user_id].map(|s| (s != NONE).then_some(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;
    use crate::model::Model;
    use crate::replay::replay;

    fn ev(v: Value) -> Event {
        Event::from_value(&v).unwrap()
    }

    fn store_of(events: &[Event]) -> EventStore {
        let mut s = EventStore::new();
        for e in events {
            s.push(e).unwrap();
        }
        s
    }

    #[test]
    fn every_field_round_trips() {
        let events = [
            ev(json!({
                "type": "page", "messageId": "m1", "anonymousId": "a1",
                "timestamp": "2026-03-02T10:00:00Z",
                "properties": {
                    "url": "https://x.io/pricing/?utm_source=li&utm_campaign=q3&b=2#top",
                    "referrer": "https://news.example/", "title": "Pricing",
                    "n": 1, "neg": -3, "f": 2.5, "big": 18446744073709551615u64, "ok": true,
                    "nothing": null, "tags": ["a", 1, {"deep": [1.0]}], "nested": {"x": {"y": "z"}}
                },
                "context": {"campaign": {"medium": "social", "term": "lead scoring"}}
            })),
            ev(json!({
                "type": "identify", "messageId": "m2", "anonymousId": "a1", "userId": "u@x.io",
                "groupId": "g1", "timestamp": 1_772_445_600_000i64,
                "traits": {"email": "u@x.io", "employees": 250.0, "company": {"name": "X"}}
            })),
            ev(json!({
                "type": "track", "event": "Demo Requested", "messageId": "m3", "userId": "u@x.io",
                "timestamp": 1_772_445_700_000i64, "properties": {}
            })),
        ];
        let s = store_of(&events);
        assert_eq!(s.len(), 3);
        for (i, e) in events.iter().enumerate() {
            assert_eq!(&s.event(i), e, "event {i}");
            assert_eq!(s.message_id(i), e.message_id);
        }
        // Numbers keep their kind: 1 stays an integer, 250.0 a float.
        assert_eq!(s.event(0).properties["n"], json!(1));
        assert!(s.event(1).traits["employees"].is_f64());
    }

    #[test]
    fn repeated_values_are_stored_once() {
        let page = |i: u32, visitor: u32| {
            ev(json!({
                "type": "page", "messageId": format!("m{i}"), "anonymousId": format!("v{visitor}"),
                "timestamp": 1_000 + i, "properties": {"path": "/pricing", "title": "Pricing"}
            }))
        };
        let events: Vec<Event> = (0..1000).map(|i| page(i, i % 10)).collect();
        let s = store_of(&events);
        let (texts, lists) = s.distinct();
        // 10 visitor ids + "/pricing", "Pricing", "path", "title"; one property list.
        assert_eq!((texts, lists), (14, 1));
        assert_eq!(s.event(999), events[999]);
    }

    #[test]
    fn duplicates_are_refused_and_the_limit_holds() {
        let e = |id: &str, t: i64| {
            ev(json!({"type": "page", "messageId": id, "anonymousId": "a", "timestamp": t}))
        };
        let mut s = EventStore::with_limit(2);
        assert_eq!(s.push(&e("m1", 5)), Ok(Pushed::Kept));
        assert_eq!(s.push(&e("m1", 6)), Ok(Pushed::Duplicate));
        assert_eq!(s.push(&e("m2", 1)), Ok(Pushed::Kept));
        let full = s.push(&e("m3", 9)).unwrap_err();
        assert_eq!(full, StoreError::Full { limit: 2 });
        assert!(full.to_string().contains("2 events"));
        // A duplicate is still a duplicate when full, not an error.
        assert_eq!(s.push(&e("m2", 1)), Ok(Pushed::Duplicate));
        assert_eq!((s.len(), s.first_at(), s.last_at()), (2, Some(1), Some(5)));
    }

    #[test]
    fn visitors_group_like_the_engines_replay() {
        // Worked example: a1 browses, identifies as u1 and comes back on a2 as u1; a3 is alone.
        // Out of time order on purpose.
        let e = |id: &str, t: i64, anon: Option<&str>, user: Option<&str>| {
            let mut v = json!({"type": "page", "messageId": id, "timestamp": t});
            if let Some(a) = anon {
                v["anonymousId"] = json!(a);
            }
            if let Some(u) = user {
                v["userId"] = json!(u);
            }
            ev(v)
        };
        let events = [
            e("m4", 40, Some("a2"), Some("u1")),
            e("m1", 10, Some("a1"), None),
            e("m3", 30, Some("a3"), None),
            e("m2", 20, Some("a1"), Some("u1")),
            e("m5", 50, Some("a2"), None),
            e("m0", 10, Some("a3"), None),
        ];
        let mut s = store_of(&events);
        let g = s.visitors();
        assert_eq!(g.len(), 2);
        let ids = |v: usize| -> Vec<String> {
            g.events_of(v)
                .iter()
                .map(|&i| s.message_id(i as usize).to_string())
                .collect()
        };
        assert_eq!(ids(0), ["m1", "m2", "m4", "m5"]);
        assert_eq!(ids(1), ["m0", "m3"]);
        let times: Vec<i64> = g.by_time().iter().map(|&i| s.at(i as usize)).collect();
        assert_eq!(times, [10, 10, 20, 30, 40, 50]);

        // Replaying visitor by visitor gives the engine's batch replay, result for result.
        let model = Model::from_value(&json!({
            "version": "1",
            "rules": [{"id": "any", "points": 5, "when": {"path": "/"}}],
            "stages": {"mql": {"score": "total", "gte": 10}}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let mut sorted = events.to_vec();
        sorted.sort_by_key(|e| e.timestamp);
        let batch = replay(&model, &sorted, 100);
        let one_by_one: Vec<_> = (0..g.len())
            .map(|v| {
                let mine: Vec<Event> = g
                    .events_of(v)
                    .iter()
                    .map(|&i| s.event(i as usize))
                    .collect();
                replay(&model, &mine, 100).remove(0)
            })
            .collect();
        assert_eq!(batch, one_by_one);
    }

    #[test]
    fn a_second_devices_history_merges_into_the_known_visitor() {
        // a1 identifies as u; a2 browses (before and after), then identifies as u too.
        // Out of time order on purpose: the union is replayed in time order.
        let e = |id: &str, t: i64, anon: &str, user: Option<&str>| {
            let mut v =
                json!({"type": "page", "messageId": id, "timestamp": t, "anonymousId": anon});
            if let Some(u) = user {
                v["userId"] = json!(u);
            }
            ev(v)
        };
        let events = [
            e("m5", 50, "a2", Some("u")),
            e("m1", 10, "a1", None),
            e("m0", 5, "a2", None),
            e("m2", 20, "a1", Some("u")),
            e("m3", 30, "a2", None),
            e("m6", 60, "a2", None),
        ];
        let mut s = store_of(&events);
        let g = s.visitors();
        assert_eq!(g.len(), 1);
        let ids: Vec<&str> = g
            .events_of(0)
            .iter()
            .map(|&i| s.message_id(i as usize))
            .collect();
        assert_eq!(ids, ["m0", "m1", "m2", "m3", "m5", "m6"]);
        let model = Model::from_value(&json!({
            "version": "1", "rules": [{"id": "pv", "points": 10, "when": {"type": "page"}}]
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let mut sorted = events.to_vec();
        sorted.sort_by_key(|e| e.timestamp);
        let batch = replay(&model, &sorted, 100);
        assert_eq!(batch.len(), 1);
        assert_eq!(
            (batch[0].visitor_id.as_str(), batch[0].score.total),
            ("u", 60.0)
        );
    }

    #[test]
    fn an_empty_store_has_no_visitors() {
        let mut s = EventStore::new();
        assert!(s.visitors().is_empty());
        assert_eq!(s.first_at(), None);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        /// JSON values a few levels deep, with repeats likely (small alphabets).
        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(|n| json!(n)),
                any::<u64>().prop_map(|n| json!(n)),
                (-1e9f64..1e9).prop_map(|f| json!(f)),
                "[a-c]{0,3}".prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map("[a-c]{1,2}", inner, 0..4)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn event() -> impl Strategy<Value = Event> {
            (
                prop::sample::select(vec!["page", "track", "identify", "group", "screen"]),
                prop::option::of("[ab]{1,2}"),
                "[ab]{1,2}",
                0i64..1_000_000,
                prop::collection::btree_map("[a-d]{1,2}", value(), 0..4),
                prop::option::of("/[a-c]{0,2}\\?utm_source=[xy]&q=[a-c]{0,2}"),
            )
                .prop_map(|(kind, user, anon, t, props, url)| {
                    let mut props: Map<String, Value> = props.into_iter().collect();
                    if let Some(u) = url {
                        props.insert("url".into(), json!(format!("https://x.io{u}")));
                    }
                    let mut v = json!({
                        "type": kind, "event": "E", "anonymousId": anon, "timestamp": t,
                        "properties": props, "traits": {"title": anon},
                        "context": {"campaign": {"name": "q"}},
                    });
                    if let Some(u) = user {
                        v["userId"] = json!(u);
                    }
                    Event::from_value(&v).unwrap()
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            /// Whatever goes in comes back out, field for field; only duplicates are dropped.
            #[test]
            fn events_round_trip(events in prop::collection::vec(event(), 0..12)) {
                let mut s = EventStore::new();
                let mut kept = Vec::new();
                for e in &events {
                    if s.push(e).unwrap() == Pushed::Kept {
                        kept.push(e.clone());
                    }
                }
                prop_assert_eq!(s.len(), kept.len());
                for (i, e) in kept.iter().enumerate() {
                    prop_assert_eq!(&s.event(i), e);
                }
                let g = s.visitors();
                let mut all: Vec<u32> = (0..g.len()).flat_map(|v| g.events_of(v).to_vec()).collect();
                all.sort_unstable();
                prop_assert_eq!(all, (0..kept.len() as u32).collect::<Vec<_>>());
            }
        }
    }
}
