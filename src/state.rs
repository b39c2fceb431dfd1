//! A visitor's persisted state: versioned, compact JSON, bounded however many events arrive.
//!
//! What it keeps: identity, the traits the model can use, per-rule counters and decay
//! accumulators (exact, see [`Acc`]), capped timestamp rings sized by what stage criteria ask
//! for, a short ledger and history, stage entries, handoffs made, first/last touch, and a ring of
//! recent message-id hashes for dedupe. Short field names: this lives in localStorage.
//!
//! Read by hand (`decode`) and written by hand (`encode`), so the snippet carries neither of
//! serde's routes. The serde attributes remain the format's definition: `Serialize` is derived
//! for tests only, as the reference `encode`'s bytes are checked against.

use crate::condition::DAY_MS;
use crate::error::Error;
use crate::event::Campaign;
use crate::json::{Map, Value};
use crate::model::Decay;
use crate::sorted_map::SortedMap;
use crate::stage::{Stage, StageEntry};
use serde::{Deserialize, Serialize};

mod decode;
mod encode;

pub const STATE_VERSION: u32 = 3;
/// Ledger entries kept individually (older ones live on in the accumulators).
pub const LEDGER_LEN: usize = 12;
pub const HISTORY_LEN: usize = 8;
/// Recent message ids remembered for dedupe.
pub const DEDUPE_LEN: usize = 48;
pub const MAX_TRAIT_TEXT: usize = 120;
pub const MAX_LABEL: usize = 80;
/// Linear-decay buckets kept per rule.
pub const MAX_BUCKETS: usize = 24;
/// UTC days whose count a rule capped `perDay` keeps: the 8 latest days with a counted match.
/// Delivery delays (batched sends, retries, a device offline for a few days) stay within them,
/// at ~10 bytes a day and rule. A late event from an older day counts nothing
/// ([`CapHit::Late`]).
pub const DAYS_KEPT: usize = 8;
/// Visits whose time window the state keeps ([`VisitWindow`]), and so whose count a rule capped
/// `perSession` keeps: the 8 latest (~35 bytes each in the state, ~8 per capped rule). A late
/// event from an older visit counts nothing for such a rule ([`CapHit::Late`]).
pub const VISITS_KEPT: usize = 8;

/// A decay accumulator: the decayed value of all counted points of one rule, kept exactly.
///
/// - `Sum`: no decay, a plain sum.
/// - `Half`: value `v` as of time `t`; half-life decay is multiplicative, so folding a new point
///   in is exact: `v' = v·½^((t'−t)/h) + p`.
/// - `Lin`: points per decay period (periods aligned to the epoch); a bucket older than
///   100/percent periods is worth nothing and is dropped.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub enum Acc {
    #[serde(rename = "s")]
    Sum(f64),
    #[serde(rename = "h")]
    Half(f64, i64),
    #[serde(rename = "l")]
    Lin(Vec<(i64, f64)>),
}

impl Default for Acc {
    fn default() -> Self {
        Acc::Sum(0.0)
    }
}

/// Decay factor of a point earned at `at`, read at `as_of` (never above 1).
pub fn decay_factor(decay: Decay, at: i64, as_of: i64) -> f64 {
    match decay {
        Decay::None => 1.0,
        Decay::HalfLife { days } => {
            let age = as_of.saturating_sub(at).max(0) as f64;
            0.5f64.powf(age / (days * DAY_MS as f64))
        }
        Decay::Linear {
            percent,
            period_days,
        } => {
            let elapsed = (period_index(period_days, as_of) - period_index(period_days, at)).max(0);
            (1.0 - percent / 100.0 * elapsed as f64).max(0.0)
        }
    }
}

fn period_index(period_days: f64, t: i64) -> i64 {
    let period = (period_days * DAY_MS as f64).max(1.0);
    (t as f64 / period).floor() as i64
}

impl Acc {
    pub fn empty(decay: Decay) -> Acc {
        match decay {
            Decay::None => Acc::Sum(0.0),
            Decay::HalfLife { .. } => Acc::Half(0.0, 0),
            Decay::Linear { .. } => Acc::Lin(Vec::new()),
        }
    }

    fn fits(&self, decay: Decay) -> bool {
        matches!(
            (self, decay),
            (Acc::Sum(_), Decay::None)
                | (Acc::Half(..), Decay::HalfLife { .. })
                | (Acc::Lin(_), Decay::Linear { .. })
        )
    }

    /// Re-express an accumulator under another decay (the model changed): its current value
    /// becomes one point earned at its reference time (`fallback_at` when it has none).
    pub fn rebase(&self, to: Decay, fallback_at: i64) -> Acc {
        if self.fits(to) {
            return self.clone();
        }
        let (v, at) = match self {
            Acc::Sum(s) => (*s, fallback_at),
            Acc::Half(v, t) => (*v, *t),
            Acc::Lin(b) => (b.iter().map(|(_, s)| s).sum(), fallback_at),
        };
        let mut acc = Acc::empty(to);
        if v != 0.0 {
            acc.add(to, v, at);
        }
        acc
    }

    pub fn add(&mut self, decay: Decay, points: f64, at: i64) {
        if !self.fits(decay) {
            *self = Acc::empty(decay);
        }
        match (self, decay) {
            (Acc::Sum(s), _) => *s += points,
            (Acc::Half(v, t), Decay::HalfLife { .. }) => {
                if *v == 0.0 && *t == 0 {
                    *v = points;
                    *t = at;
                } else if at >= *t {
                    *v = *v * decay_factor(decay, *t, at) + points;
                    *t = at;
                } else {
                    *v += points * decay_factor(decay, at, *t);
                }
            }
            (
                Acc::Lin(buckets),
                Decay::Linear {
                    percent,
                    period_days,
                },
            ) => {
                let idx = period_index(period_days, at);
                match buckets.binary_search_by_key(&idx, |(i, _)| *i) {
                    Ok(pos) => buckets[pos].1 += points,
                    Err(pos) => buckets.insert(pos, (idx, points)),
                }
                let life = (100.0 / percent).ceil() as i64;
                let newest = buckets.last().map_or(idx, |(i, _)| *i);
                // `retain` by hand: the same buckets kept in the same order, without std's
                // generic retain machinery in the wasm (benches/SIZE.md step 38).
                let mut kept = 0;
                for j in 0..buckets.len() {
                    let bucket = buckets[j];
                    if newest - bucket.0 < life {
                        buckets[kept] = bucket;
                        kept += 1;
                    }
                }
                buckets.truncate(kept);
                while buckets.len() > MAX_BUCKETS {
                    merge_oldest(buckets);
                }
            }
            _ => {}
        }
    }

    pub fn value(&self, decay: Decay, as_of: i64) -> f64 {
        match (self, decay) {
            (Acc::Sum(s), _) => *s,
            (Acc::Half(v, t), Decay::HalfLife { .. }) => *v * decay_factor(decay, *t, as_of),
            (Acc::Half(v, _), _) => *v,
            (
                Acc::Lin(buckets),
                Decay::Linear {
                    percent,
                    period_days,
                },
            ) => {
                let now = period_index(period_days, as_of);
                buckets
                    .iter()
                    .map(|(i, sum)| {
                        sum * (1.0 - percent / 100.0 * (now - i).max(0) as f64).max(0.0)
                    })
                    .sum()
            }
            (Acc::Lin(buckets), _) => buckets.iter().map(|(_, s)| s).sum(),
        }
    }
}

/// Makes room in a full linear ring without losing points: the three oldest buckets become
/// two adjacent ones holding the same points with the same point-weighted mean period.
///
/// Why this is exact while the merged points are all still worth something: a bucket's value
/// is `sum·(1 − p·(now − i))`, linear in `i`, so for buckets all above zero the total is
/// `Σsum − p·(now·Σsum − Σ(sum·i))`: it depends only on the points' total and first moment,
/// which the two new buckets keep (`a + b = S`, `a·k + b·(k+1) = Σ(sum·i)`, `k` the whole
/// part of the mean). The error starts when the oldest merged points reach zero: from then
/// on the new buckets still hold them as positive points while the mean is ahead of them and
/// as negative ones after, at most `p·(span)` per merged point, `span` the periods the merged
/// buckets covered. With one rule's points all of one sign (a rule has one `points`) the mean
/// lies within the merged periods. Mixed signs (a rebased accumulator) keep the sum at the
/// newest merged period instead, as do unsorted buckets (a hand-edited state).
fn merge_oldest(buckets: &mut Vec<(i64, f64)>) {
    let (i1, s1) = buckets[0];
    let (i2, s2) = buckets[1];
    let (i3, s3) = buckets[2];
    let total = s1 + s2 + s3;
    let same_sign = (s1 >= 0.0 && s2 >= 0.0 && s3 >= 0.0) || (s1 <= 0.0 && s2 <= 0.0 && s3 <= 0.0);
    let mut merged = [(i3, total), (i3 + 1, 0.0)];
    if same_sign && total != 0.0 && i1 < i2 && i2 < i3 {
        // Offsets from `i1` keep the products small (periods are ~20,000 for daily decay).
        let mean = (s2 * (i2 - i1) as f64 + s3 * (i3 - i1) as f64) / total;
        // Not `f64::clamp`: its min <= max assertion formats floats, ~5 KB gzip in the snippet.
        let whole = mean.floor().max(0.0).min((i3 - i1) as f64);
        let k = i1 + whole as i64;
        let b = total * (mean - whole);
        merged = [(k, total - b), (k + 1, b)];
    }
    // Replaces buckets[0..3] by the new ones (the empty ones left out), in order: `k + 1` is
    // at most `i3`, before `buckets[3]`'s period.
    let mut out: Vec<(i64, f64)> = Vec::with_capacity(buckets.len());
    for (i, sum) in merged {
        if sum != 0.0 {
            out.push((i, sum));
        }
    }
    out.extend_from_slice(&buckets[3..]);
    *buckets = out;
}

/// Per-rule counters. Day and visit counts are kept only for rules capped that way.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub struct RuleState {
    /// Matching events, ever.
    #[serde(rename = "m", default)]
    pub matches: u32,
    /// Matches that counted points (not capped), ever.
    #[serde(rename = "c", default)]
    pub counted: u32,
    /// `(UTC day, matches counted on it)` for the latest [`DAYS_KEPT`] days with a counted
    /// match, ascending by day.
    #[serde(rename = "dw", default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<(i64, u32)>,
    /// The counts of days before this one are no longer kept (dropped from `days`, or a
    /// version 2 state's days before its latest): 0 when every day's count is known.
    #[serde(rename = "df", default, skip_serializing_if = "is_zero")]
    pub days_from: i64,
    /// `(visit id, matches counted in it)` for visits the state still keeps
    /// ([`VisitorState::visits`]).
    #[serde(rename = "sw", default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<(u32, u32)>,
    #[serde(rename = "a", default)]
    pub acc: Acc,
    /// Most recent match times (ascending), as many as stage criteria need.
    #[serde(rename = "w", default, skip_serializing_if = "Vec::is_empty")]
    pub ring: Vec<i64>,
}

impl RuleState {
    /// Matches counted on UTC `day`; `None` when that day's count is no longer kept.
    pub fn day_count(&self, day: i64) -> Option<u32> {
        if day < self.days_from {
            return None;
        }
        Some(self.days.iter().find(|d| d.0 == day).map_or(0, |d| d.1))
    }

    /// One more match counted on `day` (whose count is kept: see [`RuleState::day_count`]).
    /// A day beyond the [`DAYS_KEPT`] latest drops the oldest, and with it every earlier day.
    pub fn count_day(&mut self, day: i64) {
        let days = &mut self.days;
        let pos = days.iter().take_while(|d| d.0 < day).count();
        match days.get_mut(pos) {
            Some(d) if d.0 == day => d.1 = d.1.saturating_add(1),
            _ => {
                room_for_one(days);
                days.insert(pos, (day, 1));
                if days.len() > DAYS_KEPT {
                    self.days_from = days[0].0.saturating_add(1);
                    trim_front_copied(days, DAYS_KEPT);
                }
            }
        }
    }

    /// Matches counted in the visit `id` (0 for a visit not met yet).
    pub fn visit_count(&self, id: u32) -> u32 {
        self.visits.iter().find(|v| v.0 == id).map_or(0, |v| v.1)
    }

    /// One more match counted in the visit `id`. A visit met for the first time drops the
    /// counts of visits no longer in `kept` (so at most [`VISITS_KEPT`] remain).
    pub fn count_visit(&mut self, id: u32, kept: &[VisitWindow]) {
        if let Some(v) = self.visits.iter_mut().find(|v| v.0 == id) {
            v.1 = v.1.saturating_add(1);
            return;
        }
        room_for_one(&mut self.visits);
        self.visits.push((id, 1));
        // `retain` by hand (benches/SIZE.md step 38).
        let mut n = 0;
        for j in 0..self.visits.len() {
            let v = self.visits[j];
            if kept.iter().any(|w| w.0 == v.0) {
                self.visits[n] = v;
                n += 1;
            }
        }
        self.visits.truncate(n);
    }
}

/// One recent visit: its id (the visit count when it was met, never reused), and the times of
/// its first and last events known. Windows are kept in time order and never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub struct VisitWindow(pub u32, pub i64, pub i64);

/// Which cap stopped a match from counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CapHit {
    PerSession,
    PerDay,
    Total,
    /// A late event whose UTC day or visit is older than those whose counts are kept
    /// ([`DAYS_KEPT`], [`VISITS_KEPT`]): its window's cap cannot be checked, so it counts
    /// nothing.
    Late,
}

impl CapHit {
    pub const ALL: [CapHit; 4] = [
        CapHit::PerSession,
        CapHit::PerDay,
        CapHit::Total,
        CapHit::Late,
    ];
    /// The names as stored and sent, in [`CapHit::ALL`]'s order: the one spelling the writer
    /// (`as_str`) and the state reader share.
    pub const NAMES: [&'static str; 4] = ["perSession", "perDay", "total", "late"];
}

/// One ledger line in state (compact array form).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub struct LedgerRecord(
    /// rule id
    pub String,
    /// event time
    pub i64,
    /// raw points counted (0 when capped)
    pub f64,
    /// cap hit
    pub Option<CapHit>,
    /// message id
    pub String,
    /// event type
    pub String,
    /// event label (path or name)
    pub String,
);

/// One recent event in state: time, type, label.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub struct HistoryRecord(pub i64, pub String, pub String);

/// Attribution of one visit: where it came from and where it landed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Touch {
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing_page: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    #[serde(default, skip_serializing_if = "Campaign::is_empty")]
    pub utm: Campaign,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub struct VisitorState {
    #[serde(rename = "v")]
    pub version: u32,
    /// Hash of the model this state was last written under.
    #[serde(rename = "mh", default)]
    pub model_hash: String,
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub anonymous_id: Option<String>,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(rename = "t", default, skip_serializing_if = "Map::is_empty")]
    pub traits: Map<String, Value>,
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<i64>,
    #[serde(rename = "l", default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<i64>,
    /// Events ingested (not counting duplicates).
    #[serde(rename = "n", default)]
    pub events: u64,
    #[serde(rename = "dn", default)]
    pub duplicates: u64,
    /// Sessions (visits) so far.
    #[serde(rename = "s", default)]
    pub sessions: u32,
    /// Start times of recent sessions (ascending).
    #[serde(rename = "vr", default, skip_serializing_if = "Vec::is_empty")]
    pub visit_ring: Vec<i64>,
    #[serde(rename = "r", default)]
    pub rules: SortedMap<String, RuleState>,
    #[serde(rename = "g", default, skip_serializing_if = "Vec::is_empty")]
    pub ledger: Vec<LedgerRecord>,
    #[serde(rename = "h", default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryRecord>,
    #[serde(rename = "d", default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<u32>,
    #[serde(rename = "st", default)]
    pub stage: Stage,
    #[serde(rename = "se", default, skip_serializing_if = "Vec::is_empty")]
    pub stage_entries: Vec<StageEntry>,
    /// Handoffs made, as `stage@modelVersion`.
    #[serde(rename = "ho", default, skip_serializing_if = "Vec::is_empty")]
    pub handoffs: Vec<String>,
    #[serde(rename = "ft", default, skip_serializing_if = "Option::is_none")]
    pub first_touch: Option<Touch>,
    #[serde(rename = "lt", default, skip_serializing_if = "Option::is_none")]
    pub last_touch: Option<Touch>,
    /// The latest [`VISITS_KEPT`] visits, in time order (last: the current one). Last in the
    /// format so that the fields before keep their positions of version 2.
    #[serde(rename = "vw", default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<VisitWindow>,
}

impl Default for VisitorState {
    fn default() -> Self {
        VisitorState {
            version: STATE_VERSION,
            model_hash: String::new(),
            anonymous_id: None,
            user_id: None,
            traits: Map::new(),
            first_seen: None,
            last_seen: None,
            events: 0,
            duplicates: 0,
            sessions: 0,
            visit_ring: Vec::new(),
            rules: SortedMap::new(),
            ledger: Vec::new(),
            history: Vec::new(),
            seen: Vec::new(),
            stage: Stage::Anonymous,
            stage_entries: Vec::new(),
            handoffs: Vec::new(),
            first_touch: None,
            last_touch: None,
            visits: Vec::new(),
        }
    }
}

impl VisitorState {
    /// The state as compact JSON: the bytes of its derived `Serialize`, written by hand
    /// (`encode`) so the snippet carries no serde serializer.
    pub fn to_json(&self) -> String {
        crate::json::text_of(self)
    }

    /// Read a persisted state, migrating older versions. Corrupt or foreign → error.
    pub fn from_json(text: &str) -> Result<VisitorState, Error> {
        VisitorState::from_value(VisitorState::parse_text(text)?)
    }

    /// The JSON tree of a state text, the first half of [`VisitorState::from_json`]: a text
    /// too long to be a state, or not JSON, is an error.
    pub fn parse_text(text: &str) -> Result<Value, Error> {
        check_text_len(text.len())?;
        // One decoding path (text → JSON tree → state, read by hand in `decode`), no serde
        // `from_str` fast path: each serde deserializer the state's derived code is run through
        // is a full copy of it in the snippet's wasm (benches/SIZE.md); a state is small.
        crate::json::parse(text).map_err(|e| Error::InvalidState(format!("not JSON: {e}")))
    }

    /// [`VisitorState::from_json`] for a state already parsed into a JSON tree (the snippet's
    /// stored record holds it inline): the same checks after the text's, without writing the
    /// tree back to text to parse it again.
    pub fn from_value(v: Value) -> Result<VisitorState, Error> {
        let version = match v.get("v").and_then(Value::as_u64) {
            Some(n) => n,
            None => {
                return Err(Error::InvalidState(
                    "not a baton visitor state: no version \"v\"".to_string(),
                ))
            }
        };
        // Version 1 kept only the time the current stage was reached (`sa`); version 2 keeps
        // every stage entry. The decoder makes that time the one entry. Versions 1 and 2 kept
        // the count of a rule's latest day and visit only (`Old::counts`); version 3 keeps
        // those of the latest days and visits.
        if !(1..=3).contains(&version) {
            return Err(Error::InvalidState(format!(
                "state version {version} is not supported (this engine reads 1 to 3)"
            )));
        }
        let old = decode::Old {
            stage_at: if version == 1 {
                v.get("sa").and_then(Value::as_i64)
            } else {
                None
            },
            counts: version < 3,
        };
        let mut state = decode::visitor_state(&v, old)
            .map_err(|e| Error::InvalidState(format!("corrupt visitor state: {e}")))?;
        state.version = STATE_VERSION;
        state.enforce_bounds();
        Ok(state)
    }

    /// Trim everything to its bound (a blob from elsewhere could be larger).
    pub fn enforce_bounds(&mut self) {
        trim_front(&mut self.ledger, LEDGER_LEN);
        trim_front(&mut self.history, HISTORY_LEN);
        trim_front_copied(&mut self.seen, DEDUPE_LEN);
        trim_front_copied(&mut self.visit_ring, 64);
        trim_front_copied(&mut self.stage_entries, Stage::ALL.len());
        trim_front(&mut self.handoffs, 16);
        trim_front_copied(&mut self.visits, VISITS_KEPT);
        for r in self.rules.values_mut() {
            trim_front_copied(&mut r.ring, 64);
            let days = r.days.len();
            if days > DAYS_KEPT {
                r.days_from = r
                    .days_from
                    .max(r.days[days - DAYS_KEPT - 1].0.saturating_add(1));
                trim_front_copied(&mut r.days, DAYS_KEPT);
            }
            trim_front_copied(&mut r.visits, VISITS_KEPT);
            if let Acc::Lin(b) = &mut r.acc {
                trim_front_copied(b, MAX_BUCKETS);
            }
        }
        if self.traits.len() > 32 {
            // The first 32 by key, copied into a new map: rebuilt, not `remove`d (see
            // `map_without`), and through `iter` and `insert` only (no consuming iterator of
            // the map in the snippet; such a state never comes from the engine itself).
            let mut kept = Map::new();
            for (k, v) in self.traits.iter().take(32) {
                kept.insert(k.clone(), v.clone());
            }
            self.traits = kept;
        }
    }
}

/// A state's JSON text is a few KB; anything longer than this is not one the engine wrote.
pub const MAX_TEXT_LEN: usize = 256 * 1024;

/// Refuses a state text (or a record holding one) of `len` bytes above [`MAX_TEXT_LEN`].
pub fn check_text_len(len: usize) -> Result<(), Error> {
    if len > MAX_TEXT_LEN {
        return Err(Error::InvalidState(
            "larger than 256 KB: not a visitor state".to_string(),
        ));
    }
    Ok(())
}

/// A copy of `map` without `key`, rebuilt by insertion: the snippet has no other use of
/// `remove` on a JSON object, and `clone` then `remove` measured 137 B larger (benches/SIZE.md,
/// step 32).
pub(crate) fn map_without(map: &Map<String, Value>, key: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in map {
        if k != key {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// `skip_serializing_if` of the test-only derive (the state is written by `encode`).
#[cfg(test)]
fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Drop the oldest elements of `v` until at most `max` are left.
///
/// Safe code on purpose: a shared bitwise move behind `unsafe` measured 227 B gzip smaller in
/// the snippet (benches/SIZE.md step 31), too little to put `unsafe` in the engine's state.
/// The kept tail is moved into a new vector (`split_off`) and the old one, holding only the
/// dropped head, is dropped: `drain`'s removal code was ~340 B per element type in the
/// snippet's wasm, `split_off` is a copy (benches/SIZE.md, step 39).
pub(crate) fn trim_front<T>(v: &mut Vec<T>, max: usize) {
    if v.len() > max {
        let extra = v.len() - max;
        *v = v.split_off(extra);
    }
}

/// [`trim_front`] for `Copy` elements (rings, dedupe keys, stage entries, buckets): the kept
/// ones copied to the front (one `memmove`) and the rest cut off. Safe code without `drain`,
/// whose removal code is a full routine per element type in the snippet's wasm
/// (benches/SIZE.md, step 34).
/// Makes room for exactly one more element. A visitor's short lists (a rule's kept days and
/// visits, the visit windows) stay as long as they are instead of Vec's growth (4, then 8): a
/// replay holds one of each per capped rule for every visitor (50,000 in the 1M-event bench).
pub(crate) fn room_for_one<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact(1);
    }
}

pub(crate) fn trim_front_copied<T: Copy>(v: &mut Vec<T>, max: usize) {
    let len = v.len();
    if len > max {
        v.copy_within(len - max.., 0);
        v.truncate(max);
    }
}

/// Version 1 kept only the time the current stage was reached (`sa`) and had no dedupe ring;
/// version 2 keeps every stage entry. The migration to version 2 as it was (on the JSON tree,
/// before decoding), now the oracle of `decode::tests::v1_reads_as_migrated`.
#[cfg(test)]
pub(super) fn migrate_v1(v: &mut Value) -> Result<(), Error> {
    let obj = v.as_object_mut().ok_or_else(|| {
        Error::InvalidState("not a baton visitor state: not an object".to_string())
    })?;
    let stage_at = obj.get("sa").and_then(Value::as_i64);
    *obj = map_without(obj, "sa");
    let stage = obj.get("st").cloned();
    if let (Some(at), Some(stage)) = (stage_at, stage) {
        if stage != Value::String("anonymous".to_string()) {
            // Built by hand: `json!` with values goes through `serde_json::to_value`, whose
            // `unwrap` brings serde_json's error formatting into the snippet.
            let mut entry = Map::new();
            entry.insert("stage".to_string(), stage);
            entry.insert("at".to_string(), Value::from(at));
            obj.insert("se".to_string(), Value::Array(vec![Value::Object(entry)]));
        }
    }
    obj.insert("v".to_string(), Value::from(2));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HALF_30: Decay = Decay::HalfLife { days: 30.0 };
    const LIN_25_7: Decay = Decay::Linear {
        percent: 25.0,
        period_days: 7.0,
    };

    #[test]
    fn decay_factor_table() {
        let d = DAY_MS;
        for (decay, age_ms, expected) in [
            (Decay::None, 400 * d, 1.0),
            (HALF_30, 0, 1.0),
            (HALF_30, 30 * d, 0.5),
            (HALF_30, 60 * d, 0.25),
            (HALF_30, -5 * d, 1.0),
            // Epoch-aligned weeks: an event at t=0 is in period 0.
            (LIN_25_7, 6 * d, 1.0),
            (LIN_25_7, 7 * d, 0.75),
            (LIN_25_7, 14 * d, 0.5),
            (LIN_25_7, 28 * d, 0.0),
            (LIN_25_7, 100 * d, 0.0),
        ] {
            let f = decay_factor(decay, 0, age_ms);
            assert!(
                (f - expected).abs() < 1e-12,
                "{decay:?} age {age_ms}: {f} != {expected}"
            );
        }
    }

    #[test]
    fn accumulators_equal_the_sum_of_decayed_points() {
        let d = DAY_MS;
        let points = [
            (10.0, 0),
            (5.0, 3 * d),
            (10.0, 3 * d + 5),
            (7.0, 20 * d),
            (3.0, 10 * d),
        ];
        for decay in [Decay::None, HALF_30, LIN_25_7] {
            let mut acc = Acc::empty(decay);
            for (p, at) in points {
                acc.add(decay, p, at);
            }
            for as_of in [20 * d, 25 * d, 40 * d, 90 * d] {
                let direct: f64 = points
                    .iter()
                    .map(|(p, at)| p * decay_factor(decay, *at, as_of))
                    .sum();
                let got = acc.value(decay, as_of);
                assert!(
                    (got - direct).abs() < 1e-9,
                    "{decay:?} at {as_of}: {got} vs {direct}"
                );
            }
        }
    }

    #[test]
    fn trim_front_keeps_the_newest() {
        let mut v: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        trim_front(&mut v, 2);
        assert_eq!(v, ["c", "d"]);
        trim_front(&mut v, 5);
        assert_eq!(v, ["c", "d"]);
        trim_front(&mut v, 0);
        assert!(v.is_empty());
        let mut b = vec![(1i64, 1.5f64), (2, 2.5), (3, 3.5)];
        trim_front(&mut b, 1);
        assert_eq!(b, [(3, 3.5)]);
    }

    /// A state with more than 32 traits keeps the first 32 by key, values unchanged; one with
    /// 32 or fewer keeps them all.
    #[test]
    fn enforce_bounds_keeps_the_first_32_traits() {
        for count in [0, 1, 32, 33, 50] {
            let mut state = VisitorState::default();
            for i in (0..count).rev() {
                let value = if i % 2 == 0 {
                    Value::from(i)
                } else {
                    Value::String(format!("v{i}"))
                };
                state.traits.insert(format!("t{i:02}"), value);
            }
            let before = state.traits.clone();
            state.enforce_bounds();
            assert_eq!(state.traits.len(), count.min(32), "{count}");
            for (i, (k, v)) in state.traits.iter().enumerate() {
                assert_eq!(*k, format!("t{i:02}"));
                assert_eq!(Some(v), before.get(k));
            }
        }
    }

    #[test]
    fn a_rules_kept_days_and_visits_hold_no_spare_room() {
        // A replay keeps these for every visitor: Vec's growth (4, then 8) would triple them.
        let mut rs = RuleState::default();
        let kept = [VisitWindow(1, 0, 0), VisitWindow(2, 10, 10)];
        for (i, day) in [5, 3, 5, 9].into_iter().enumerate() {
            rs.count_day(day);
            rs.count_visit(1 + (i as u32 % 2), &kept);
        }
        assert_eq!(rs.days, [(3, 1), (5, 2), (9, 1)]);
        assert_eq!(rs.visits, [(1, 2), (2, 2)]);
        assert_eq!((rs.days.capacity(), rs.visits.capacity()), (3, 2));
    }

    #[test]
    fn trim_front_copied_keeps_the_newest() {
        for (max, kept) in [
            (0, &[][..]),
            (1, &[4]),
            (3, &[2, 3, 4]),
            (4, &[1, 2, 3, 4]),
            (9, &[1, 2, 3, 4]),
        ] {
            let mut v = vec![1u32, 2, 3, 4];
            trim_front_copied(&mut v, max);
            assert_eq!(v, kept, "{max}");
        }
    }

    proptest::proptest! {
        #[test]
        fn trim_front_copied_is_trim_front(
            items in proptest::collection::vec((proptest::prelude::any::<i64>(), 0.0..1e6f64), 0..40),
            max in 0usize..50,
        ) {
            let mut want = items.clone();
            trim_front(&mut want, max);
            let mut got = items;
            trim_front_copied(&mut got, max);
            proptest::prop_assert_eq!(got, want);
        }

        #[test]
        fn trim_front_is_drain(items in proptest::collection::vec(".{0,3}", 0..40), max in 0usize..50) {
            let mut want = items.clone();
            if want.len() > max {
                let extra = want.len() - max;
                want.drain(..extra);
            }
            let mut got = items.clone();
            trim_front(&mut got, max);
            proptest::prop_assert_eq!(&got, &want);
            let mut nums: Vec<u32> = (0..items.len() as u32).collect();
            trim_front(&mut nums, max);
            let first = items.len().saturating_sub(max) as u32;
            proptest::prop_assert_eq!(nums, (first..items.len() as u32).collect::<Vec<_>>());
        }
    }

    #[test]
    fn linear_buckets_stay_bounded() {
        let mut acc = Acc::empty(LIN_25_7);
        for i in 0..1000 {
            acc.add(LIN_25_7, 1.0, i * DAY_MS);
        }
        match acc {
            Acc::Lin(b) => assert!(b.len() <= 4, "{}", b.len()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn migrates_v1_and_rejects_foreign_blobs() {
        let v1 = r#"{"v":1,"a":"anon","st":"mql","sa":1234,"r":{}}"#;
        let s = VisitorState::from_json(v1).unwrap();
        assert_eq!(s.version, STATE_VERSION);
        assert_eq!(
            s.stage_entries,
            vec![StageEntry {
                stage: Stage::Mql,
                at: 1234
            }]
        );
        for bad in [
            "",
            "null",
            "[]",
            "{}",
            r#"{"v":"2"}"#,
            r#"{"v":4}"#,
            r#"{"v":2,"r":[]}"#,
            r#"{"v":2,"st":"boss"}"#,
            "{\"v\":2,",
        ] {
            assert!(
                matches!(VisitorState::from_json(bad), Err(Error::InvalidState(_))),
                "{bad}"
            );
        }
        let round = VisitorState::from_json(&s.to_json()).unwrap();
        assert_eq!(round, s);
    }
}
