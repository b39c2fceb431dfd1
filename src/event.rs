//! Segment-spec events (`page`, `track`, `identify`, `group`, `screen`) as exported by
//! Segment and RudderStack. Unknown fields are ignored; what the engine needs is pulled out and
//! normalised here once, so rule matching never re-parses URLs.

use crate::error::Error;
use crate::hash;
use crate::json::{Map, Value};
use crate::text::slice;
use read::{owned_id, FirstError, IdRead};
use serde::{Deserialize, Serialize};

#[cfg(test)]
mod legacy;
mod read;

/// The Segment call type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Page,
    Screen,
    Track,
    Identify,
    Group,
}

impl EventKind {
    pub fn parse(s: &str) -> Option<EventKind> {
        // Over a slice, not an array by value (core's array `IntoIter` in the wasm).
        [
            EventKind::Page,
            EventKind::Screen,
            EventKind::Track,
            EventKind::Identify,
            EventKind::Group,
        ]
        .iter()
        .copied()
        .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Page => "page",
            EventKind::Screen => "screen",
            EventKind::Track => "track",
            EventKind::Identify => "identify",
            EventKind::Group => "group",
        }
    }
}

/// UTM campaign parameters (from `context.campaign` or the page URL's query).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Campaign {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

impl Campaign {
    pub fn is_empty(&self) -> bool {
        self.source.is_none()
            && self.medium.is_none()
            && self.name.is_none()
            && self.term.is_none()
            && self.content.is_none()
    }
}

/// One normalised event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// Dedupe key. When the source has none, a hash of the event's canonical JSON.
    pub message_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymous_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub timestamp: i64,
    /// `track` event name, or the `page`/`screen` name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Page path, normalised (no query, no fragment, no trailing slash except `/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// Query parameters of the page URL (decoded, first value wins).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Campaign::is_empty")]
    pub campaign: Campaign,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub traits: Map<String, Value>,
}

/// Longest string kept from an event field: untrusted input must not blow up state or memory.
pub const MAX_TEXT: usize = 2048;

impl Event {
    /// Parse a JSON text holding one event.
    pub fn from_json(text: &str) -> Result<Event, Error> {
        Event::from_json_or(text, None)
    }

    /// [`Event::from_json`] with [`Event::from_value_or`]'s `default_time`.
    pub fn from_json_or(text: &str, default_time: Option<i64>) -> Result<Event, Error> {
        Event::json_with(text, Times::ingest(default_time))
    }

    /// [`Event::from_json`] checked against the caller's clock, `now` (see [`Times`]), with no
    /// default time: how a replay reads a log it was given `now` for. Without `now`, exactly
    /// [`Event::from_json`].
    pub fn from_json_at(text: &str, now: Option<i64>) -> Result<Event, Error> {
        Event::json_with(text, Times { default: None, now })
    }

    /// [`Event::from_value`] checked against `now`, as [`Event::from_json_at`].
    pub fn from_value_at(v: &Value, now: Option<i64>) -> Result<Event, Error> {
        Event::value_with(v, Times { default: None, now })
    }

    fn json_with(text: &str, times: Times) -> Result<Event, Error> {
        // Fast path: only the fields an event is read from become JSON values, the keys are not
        // copied. Anything unusual (not an object, no messageId to dedupe by) takes the
        // general path, which also words every error.
        if let Ok(mut top) = serde_json::from_str::<TopLevel>(text) {
            // The ids move out of the line's values instead of being copied.
            let message = owned_id(top.take_value("messageId"));
            if let Ok(Some(_)) = message {
                let ids = Ids {
                    anonymous: owned_id(top.take_value("anonymousId")),
                    user: owned_id(top.take_value("userId")),
                    group: owned_id(top.take_value("groupId")),
                    message,
                };
                let mut event = Event::read_fields(&top, ids, None, times)?;
                event.properties = take_object(top.take("properties"));
                event.traits = take_object(top.take("traits"));
                if event.traits.is_empty() && event.kind == EventKind::Identify {
                    if let Some(Value::Object(context)) = top.take("context") {
                        event.traits = take_object(context.get_mut("traits"));
                    }
                }
                return Ok(event);
            }
        }
        let v: Value = crate::json::parse(text).map_err(|e| Error::event("$", e.to_string()))?;
        Event::owned_with(v, times)
    }

    /// Normalise one Segment-spec event. The timestamp is required (`timestamp`, else
    /// `originalTimestamp`, `sentAt`, `receivedAt`).
    pub fn from_value(v: &Value) -> Result<Event, Error> {
        Event::from_value_or(v, None)
    }

    /// Like [`Event::from_value`], but an event without any timestamp gets `default_time`
    /// (the snippet passes the current time for events it captured itself), which is also the
    /// `now` its times are checked against ([`Times`]).
    pub fn from_value_or(v: &Value, default_time: Option<i64>) -> Result<Event, Error> {
        Event::value_with(v, Times::ingest(default_time))
    }

    fn value_with(v: &Value, times: Times) -> Result<Event, Error> {
        // Only the two maps the event keeps are copied, not the whole value.
        let mut event = Event::read_scalars(v, times)?;
        let object = |m: &Map<String, Value>, key: &str| match m.get(key) {
            Some(Value::Object(o)) => o.clone(),
            _ => Map::new(),
        };
        if let Value::Object(obj) = v {
            event.properties = object(obj, "properties");
            event.traits = object(obj, "traits");
            // As in `from_owned_value`: `context.traits` when the top level has none.
            if event.traits.is_empty() && event.kind == EventKind::Identify {
                if let Some(Value::Object(context)) = obj.get("context") {
                    event.traits = object(context, "traits");
                }
            }
        }
        Ok(event)
    }

    /// [`Event::from_value_or`] taking the value: `properties` and `traits` move into the event
    /// instead of being copied.
    pub fn from_owned_value(v: Value, default_time: Option<i64>) -> Result<Event, Error> {
        Event::owned_with(v, Times::ingest(default_time))
    }

    fn owned_with(mut v: Value, times: Times) -> Result<Event, Error> {
        let mut event = Event::read_scalars(&v, times)?;
        // Page data lives in `properties` for page calls; identify/group carry traits at the top
        // level, older libraries put them in `context.traits` (read only when the top level has
        // none). Taken out with `mem::take`, not `remove`: see `state::map_without`.
        let Value::Object(obj) = &mut v else {
            return Ok(event);
        };
        event.properties = take_object(obj.get_mut("properties"));
        event.traits = take_object(obj.get_mut("traits"));
        if event.traits.is_empty() && event.kind == EventKind::Identify {
            if let Some(Value::Object(context)) = obj.get_mut("context") {
                event.traits = take_object(context.get_mut("traits"));
            }
        }
        Ok(event)
    }

    /// Everything but `properties` and `traits` (left empty), every field checked.
    fn read_scalars(v: &Value, times: Times) -> Result<Event, Error> {
        let obj = v
            .as_object()
            .ok_or_else(|| Error::event("$", "an event must be a JSON object"))?;
        Event::read_fields(obj, Ids::copied(obj), Some(v), times)
    }

    /// [`Event::read_scalars`] from the top-level fields; `whole` is the event's value, hashed
    /// for a missing messageId.
    fn read_fields(
        obj: &dyn Fields,
        ids: Ids,
        whole: Option<&Value>,
        times: Times,
    ) -> Result<Event, Error> {
        // Read in this order, so the first problem found is the one the event is refused for.
        let mut r = FirstError::default();
        let kind = r.kind(obj.field("type"));
        let timestamp = r.timestamp(obj, times);
        let anonymous_id = r.id(ids.anonymous, "anonymousId");
        let user_id = r.id(ids.user, "userId");
        if anonymous_id.is_none() && user_id.is_none() {
            r.fail(
                "anonymousId",
                "missing: an event needs an anonymousId or a userId",
            );
        }
        let group_id = r.id(ids.group, "groupId");
        let message_id = match (r.id(ids.message, "messageId"), whole) {
            (Some(id), _) => id,
            (None, Some(v)) => format!("h-{}", hash::content_hash(v)),
            (None, None) => r.failed("messageId", "missing"),
        };

        let empty = Map::new();
        let properties = r.object(obj, "properties").unwrap_or(&empty);
        r.object(obj, "traits");
        let context = r.object(obj, "context").unwrap_or(&empty);
        let page_ctx = match context.get("page") {
            Some(Value::Object(m)) => m,
            _ => &empty,
        };

        let name = if kind == EventKind::Track {
            let name = r.string(obj, "event");
            if name.is_none() {
                r.fail("event", "missing: a track call needs an event name");
            }
            name
        } else {
            r.string(obj, "name")
        };
        r.result()?;

        // Page data lives in `properties` for page calls, in `context.page` for the others.
        let pick = |key: &str| -> Option<&str> {
            let from_props = if matches!(kind, EventKind::Page | EventKind::Screen) {
                properties.get(key).and_then(Value::as_str)
            } else {
                None
            };
            from_props
                .or_else(|| page_ctx.get(key).and_then(Value::as_str))
                .map(|s| clipped(s, MAX_TEXT))
        };
        let url = pick("url").map(str::to_string);
        let referrer = pick("referrer")
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        let search = pick("search");
        let path = pick("path")
            .map(normalize_path)
            .or_else(|| url.as_deref().map(|u| normalize_path(path_of_url(u))));
        let mut query = Vec::new();
        if let Some(s) = search {
            parse_query(s, &mut query);
        }
        if let Some(u) = url.as_deref() {
            if let Some(q) = query_of_url(u) {
                parse_query(q, &mut query);
            }
        }

        // One loop over the five fields (context.campaign first, else the utm_ parameter), not
        // five copies of the reading code.
        let from_context = match context.get("campaign") {
            Some(Value::Object(c)) => Some(c),
            _ => None,
        };
        let mut found: [Option<String>; 5] = Default::default();
        for (slot, &(key, param)) in found.iter_mut().zip(&CAMPAIGN_FIELDS) {
            let text = from_context
                .and_then(|c| c.get(key))
                .and_then(Value::as_str)
                .or_else(|| param_of(&query, param));
            *slot = text.map(|s| clip(s, 200));
        }
        let [source, medium, name_, term, content] = found;
        let campaign = Campaign {
            source,
            medium,
            name: name_,
            term,
            content,
        };

        Ok(Event {
            kind,
            message_id,
            anonymous_id,
            user_id,
            group_id,
            timestamp,
            name,
            path,
            url,
            referrer,
            query,
            campaign,
            properties: Map::new(),
            traits: Map::new(),
        })
    }

    /// Who this event belongs to: the userId when present, else the anonymousId.
    pub fn identity(&self) -> &str {
        self.user_id
            .as_deref()
            .or(self.anonymous_id.as_deref())
            .unwrap_or("")
    }

    /// A short human label: the page path or the track event name.
    pub fn label(&self) -> String {
        self.label_str().to_string()
    }

    /// [`Event::label`] without a copy.
    pub fn label_str(&self) -> &str {
        match self.kind {
            EventKind::Page | EventKind::Screen => {
                self.path.as_deref().or(self.name.as_deref()).unwrap_or("")
            }
            EventKind::Track => self.name.as_deref().unwrap_or(""),
            EventKind::Identify => "identify",
            EventKind::Group => "group",
        }
    }

    /// Value of a query parameter (first occurrence).
    pub fn query_param(&self, key: &str) -> Option<&str> {
        param_of(&self.query, key)
    }
}

/// The campaign fields in [`Campaign`]'s order: the key in `context.campaign`, else the query
/// parameter. One loop over this table, not five copies of the reading code.
const CAMPAIGN_FIELDS: [(&str, &str); 5] = [
    ("source", "utm_source"),
    ("medium", "utm_medium"),
    ("name", "utm_campaign"),
    ("term", "utm_term"),
    ("content", "utm_content"),
];

/// Value of the first `key` parameter of a query.
fn param_of<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

pub(crate) fn clip(s: &str, max: usize) -> String {
    clipped(s, max).to_string()
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub(crate) fn clipped(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    slice(s, ..end)
}

/// The id fields of an event, each read (or its problem) ahead of the other fields;
/// [`Event::read_fields`] takes them in its usual order, so errors are reported as ever.
struct Ids {
    anonymous: IdRead,
    user: IdRead,
    group: IdRead,
    message: IdRead,
}

impl Ids {
    fn copied(obj: &dyn Fields) -> Ids {
        let id = |key| owned_id(obj.field(key).cloned());
        Ids {
            anonymous: id("anonymousId"),
            user: id("userId"),
            group: id("groupId"),
            message: id("messageId"),
        }
    }
}

/// Top-level fields of an event, by name: a JSON object, or the fields of a line read by
/// [`TopLevel`].
trait Fields {
    fn field(&self, key: &str) -> Option<&Value>;
}

impl Fields for Map<String, Value> {
    fn field(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

/// Every top-level field [`Event::read_fields`] looks at.
const FIELDS: [&str; 14] = [
    "type",
    "messageId",
    "anonymousId",
    "userId",
    "groupId",
    "timestamp",
    "originalTimestamp",
    "sentAt",
    "receivedAt",
    "event",
    "name",
    "properties",
    "traits",
    "context",
];

/// An event's JSON object read with only the [`FIELDS`] kept (the last of repeated keys wins, as
/// in a JSON object): no key is copied, no map built. Other fields are still parsed (as values,
/// then dropped), so exactly the texts the general path accepts are accepted.
#[derive(Default)]
struct TopLevel {
    values: [Option<Value>; FIELDS.len()],
}

impl TopLevel {
    fn take(&mut self, key: &str) -> Option<&mut Value> {
        self.values[field_index(key)?].as_mut()
    }

    fn take_value(&mut self, key: &str) -> Option<Value> {
        self.values[field_index(key)?].take()
    }
}

impl Fields for TopLevel {
    fn field(&self, key: &str) -> Option<&Value> {
        self.values[field_index(key)?].as_ref()
    }
}

/// Position of `key` in [`FIELDS`].
fn field_index(key: &str) -> Option<usize> {
    // By length first: one or two comparisons instead of a scan of all fourteen names.
    let candidates: &[usize] = match key.len() {
        4 => &[0, 10],
        5 => &[9],
        6 => &[3, 7, 12],
        7 => &[4, 13],
        9 => &[1, 5],
        10 => &[8, 11],
        11 => &[2],
        17 => &[6],
        _ => &[],
    };
    candidates.iter().copied().find(|i| FIELDS[*i] == key)
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TopLevel, D::Error> {
        d.deserialize_map(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> serde::de::Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an event object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut top = TopLevel::default();
        while let Some(FieldKey(i)) = map.next_key()? {
            let value: Value = map.next_value()?;
            if let Some(i) = i {
                top.values[i] = Some(value);
            }
        }
        Ok(top)
    }
}

/// A top-level key as its position in [`FIELDS`], read without copying it.
struct FieldKey(Option<usize>);

impl<'de> Deserialize<'de> for FieldKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FieldKey, D::Error> {
        d.deserialize_str(FieldKeyVisitor)
    }
}

struct FieldKeyVisitor;

impl serde::de::Visitor<'_> for FieldKeyVisitor {
    type Value = FieldKey;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<FieldKey, E> {
        Ok(FieldKey(field_index(key)))
    }
}

fn take_object(v: Option<&mut Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(m)) => std::mem::take(m),
        _ => Map::new(),
    }
}

/// Latest accepted time: year 9999. Keeps every later computation far from overflow.
pub(crate) const MAX_TIME: i64 = 253_402_300_799_999;

/// How far ahead of the caller's `now` an event's time may be. Clocks drift and devices sit
/// in other time zones with wrong settings, so a few hours ahead is normal; an event more than
/// a day ahead comes from a broken clock. Taken at its word it would count full points until
/// that time and be the visitor's latest time (`lastSeen`) meanwhile, so it is refused (with
/// its reason, as a malformed event is). Applies where an ingest time is given (`now` of
/// `Engine::ingest_value` and the snippet); a replay of stored events has none.
pub const FUTURE_TOLERANCE_MS: i64 = 86_400_000;

/// How far before the caller's `now` a number read as seconds may land and still be taken
/// for seconds ([`seconds_like`]): 20 years, longer than any event log is kept.
pub const SECONDS_WINDOW_MS: i64 = 20 * 365 * 86_400_000;

/// The times an event is read against. `default`: the time of an event without any time field
/// (the ingest time of an event the caller captured itself; a replay has none). `now`: the
/// caller's clock, which the engine never reads: an event time more than
/// [`FUTURE_TOLERANCE_MS`] after it is refused, and so is a number that [`seconds_like`]
/// takes for seconds. Without `now`, times are taken as given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Times {
    pub default: Option<i64>,
    pub now: Option<i64>,
}

impl Times {
    /// An ingest at `now`: `now` is both the default and the clock.
    pub fn ingest(now: Option<i64>) -> Times {
        Times { default: now, now }
    }
}

/// Whether a numeric event time read as `ms` milliseconds (`as_seconds`: the same number read
/// as seconds, in ms) was meant as seconds since the epoch, given the caller's `now`.
///
/// The rule: read as milliseconds it lies more than [`SECONDS_WINDOW_MS`] (20 years) before
/// `now`, while read as seconds it lands within [`SECONDS_WINDOW_MS`] before `now` up to
/// [`FUTURE_TOLERANCE_MS`] after it. Relative to `now`, never a fixed date: a caller whose
/// clock is near the epoch (tests with tiny times) never has a number refused, since nothing is
/// 20 years before its `now`. A millisecond time within 20 years of `now` is never refused; a
/// seconds time within those 20 years always is, once `now` is past 1990 (20 years and a
/// thousandth after the epoch). What is refused as well, read as ms: a few days of January 1970
/// (for a `now` in 2026, days 13 to 20), where no real event lies.
///
/// | `now`                    | number          | read as ms        | as seconds            | refused |
/// |--------------------------|-----------------|-------------------|-----------------------|---------|
/// | 2026-11-02T09:00Z        | `1793610000`    | 1970-01-21        | 2026-11-02T09:00Z     | yes     |
/// | 2026-11-02T09:00Z        | `1577836800`    | 1970-01-19        | 2020-01-01 (in 20 y)  | yes     |
/// | 2026-11-02T09:00Z        | `1793610000000` | 2026-11-02T09:00Z | year 58807            | no      |
/// | 2026-11-02T09:00Z        | `946684800`     | 1970-01-11        | 2000-01-01 (26 y ago) | no (1)  |
/// | 2026-11-02T09:00Z        | `1793700000`    | 1970-01-21        | 25 h after `now`      | no (1)  |
/// | 1970-01-01T00:00:10Z     | `5`             | 5 ms              | 5 s                   | no      |
///
/// (1) Not seconds, but refused all the same by [`unit_problem`]: in 1970 read as milliseconds
/// while `now` is decades later, and no time near `now` read as seconds.
pub fn seconds_like(ms: i64, as_seconds: i64, now: i64) -> bool {
    let from = now.saturating_sub(SECONDS_WINDOW_MS);
    ms < from && as_seconds >= from && as_seconds <= now.saturating_add(FUTURE_TOLERANCE_MS)
}

/// The end of 1970 in milliseconds: a number read as milliseconds before it lies in 1970.
const END_OF_1970_MS: i64 = 31_536_000_000;

/// Why a time field's value `v`, read as `ms`, is refused for its unit, given the caller's
/// `now`; `None` when it is not. A number (or a string of digits: ISO text never is) that lies
/// more than [`SECONDS_WINDOW_MS`] before `now`:
/// - read as seconds it lands where [`seconds_like`] takes it for seconds: refused with the
///   seconds to send ([`seconds_reason`]);
/// - else, read as milliseconds it lies in 1970 while `now` is more than 20 years later, so
///   neither reading is a time near `now` (`1117584000`, 2005 in seconds, read as 1970-01-13):
///   refused, naming both readings.
///
/// Every time within 20 years of `now` leaves at the first comparison.
pub(crate) fn unit_problem(v: &Value, ms: i64, now: i64) -> Option<String> {
    if ms >= now.saturating_sub(SECONDS_WINDOW_MS) {
        return None;
    }
    let as_seconds = match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.saturating_mul(1000),
            None => (n.as_f64()? * 1000.0).floor() as i64,
        },
        // A string of digits reads as the number it spells (`time`).
        Value::String(s) if s.bytes().all(|b| b.is_ascii_digit()) => ms.saturating_mul(1000),
        _ => return None,
    };
    if seconds_like(ms, as_seconds, now) {
        return Some(seconds_reason(as_seconds));
    }
    // (A negative number was refused as out of range before: no second reason to build.)
    if ms >= END_OF_1970_MS || as_seconds < 0 {
        return None;
    }
    // Pushed, not `format!`: i64's `Display` is not in the snippet.
    let mut why = String::from("reads as ");
    push_iso8601(ms, &mut why);
    why.push_str(" in milliseconds or ");
    push_iso8601(as_seconds.min(MAX_TIME), &mut why);
    why.push_str(" in seconds, ");
    why.push_str(NEITHER_PHRASE);
    why.push_str(": send milliseconds since the epoch or ISO 8601 text");
    Some(why)
}

/// The words of the clock check's three reasons that never change: the dashboard's import report
/// sums its skips by them (`analytics::report`), so they are written once.
pub(crate) const FUTURE_PHRASE: &str = " is more than a day after now";
pub(crate) const SECONDS_PHRASE: &str = "looks like seconds since the epoch";
pub(crate) const NEITHER_PHRASE: &str = "neither within 20 years before now or a day after it";

/// Why a time `ms` more than [`FUTURE_TOLERANCE_MS`] after `now` is refused, naming both:
/// `2099-01-01T00:00:00Z is more than a day after now (2026-11-02T09:00:00Z): the sender's
/// clock is wrong`. A `now` outside 1970..=9999 (only the native API takes one) is not written.
pub(crate) fn future_reason(ms: i64, now: i64) -> String {
    let mut why = String::new();
    push_iso8601(ms, &mut why);
    why.push_str(FUTURE_PHRASE);
    if (0..=MAX_TIME).contains(&now) {
        why.push_str(" (");
        push_iso8601(now, &mut why);
        why.push(')');
    }
    why.push_str(": the sender's clock is wrong");
    why
}

/// Why a time [`seconds_like`] took for seconds is refused, with the fix:
/// `looks like seconds since the epoch (2026-11-02T09:00:00Z); numbers are milliseconds: send
/// 1793610000000 or ISO 8601 text`. Pushed, not `format!`: i64's `Display` is not in the snippet.
pub(crate) fn seconds_reason(as_seconds: i64) -> String {
    let mut why = String::from(SECONDS_PHRASE);
    why.push_str(" (");
    push_iso8601(as_seconds, &mut why);
    why.push_str("); numbers are milliseconds: send ");
    crate::text::int::push_i64(as_seconds, &mut why);
    why.push_str(" or ISO 8601 text");
    why
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC) of a time from 1970 to 9999 (ms within 0..=[`MAX_TIME`]).
pub fn push_iso8601(ms: i64, out: &mut String) {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    let s = ms.rem_euclid(86_400_000) / 1000;
    // Each part's two digits, then what follows it. Over a slice, not an array by value (core's
    // array `IntoIter` in the wasm); no `format!`.
    let parts = [y / 100, y % 100, m, d, s / 3600, s / 60 % 60, s % 60];
    for (n, after) in parts.iter().zip(b"\0--T::Z") {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
        if *after != 0 {
            out.push(char::from(*after));
        }
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`, the inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Parse `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH[:MM]]` (a space may replace `T`; no zone = UTC).
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| digits(b, from, len);
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    // 31 days in the odd months up to July and the even ones from August on.
    let month_len = match month {
        2 => 28 + i64::from(is_leap(year)),
        _ => 30 + ((month + (month >> 3)) & 1),
    };
    if day < 1 || day > month_len {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * 86_400_000;
    let mut i = 10;
    if i < b.len() && (b[i] == b'T' || b[i] == b't' || b[i] == b' ') {
        let hour = num(i + 1, 2)?;
        if b.get(i + 3) != Some(&b':') {
            return None;
        }
        let minute = num(i + 4, 2)?;
        i += 6;
        let mut second = 0;
        if b.get(i) == Some(&b':') {
            second = num(i + 1, 2)?;
            i += 3;
            if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
                i += 1;
                let start = i;
                let mut frac_ms = 0i64;
                while i < b.len() && b[i].is_ascii_digit() {
                    if i - start < 3 {
                        frac_ms = frac_ms * 10 + i64::from(b[i] - b'0');
                    }
                    i += 1;
                }
                if i == start {
                    return None;
                }
                for _ in (i - start)..3 {
                    frac_ms *= 10;
                }
                ms += frac_ms;
            }
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        ms += ((hour * 60 + minute) * 60 + second) * 1000;
        match b.get(i) {
            None => {}
            Some(b'Z') | Some(b'z') if i + 1 == b.len() => {}
            Some(&sign) if sign == b'+' || sign == b'-' => {
                let oh = num(i + 1, 2)?;
                let mut j = i + 3;
                if b.get(j) == Some(&b':') {
                    j += 1;
                }
                let om = if j < b.len() { num(j, 2)? } else { 0 };
                if j < b.len() && j + 2 != b.len() {
                    return None;
                }
                if oh > 23 || om > 59 {
                    return None;
                }
                let offset = (oh * 60 + om) * 60_000;
                ms += if sign == b'+' { -offset } else { offset };
            }
            _ => return None,
        }
    } else if i != b.len() {
        return None;
    }
    Some(ms)
}

/// The number written by the `len` ASCII digits of `b` at `from`; none if any is not a digit
/// or `b` is too short. At most 4 digits are asked for: no overflow, no text parser needed.
/// Out of line: one copy for the seven fields of a date.
#[inline(never)]
fn digits(b: &[u8], from: usize, len: usize) -> Option<i64> {
    let part = b.get(from..from + len)?;
    part.iter().try_fold(0i64, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
    })
}

/// Strip query and fragment, decode nothing, drop a trailing slash (except the root).
pub fn normalize_path(p: &str) -> String {
    let end = p.find(['?', '#']).unwrap_or(p.len());
    let mut path = slice(p, ..end).trim().to_string();
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    while path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    path
}

fn path_of_url(url: &str) -> &str {
    let after_scheme = match crate::text::search::find(url, "://") {
        Some(i) => slice(url, i + 3..),
        None => url,
    };
    match after_scheme.find('/') {
        Some(i) => slice(after_scheme, i..),
        None => "/",
    }
}

fn query_of_url(url: &str) -> Option<&str> {
    let start = url.find('?')? + 1;
    let end = slice(url, start..)
        .find('#')
        .map_or(url.len(), |i| start + i);
    Some(slice(url, start..end))
}

fn parse_query(q: &str, out: &mut Vec<(String, String)>) {
    let q = q.strip_prefix('?').unwrap_or(q);
    for pair in q.split('&').filter(|p| !p.is_empty()).take(32) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(k);
        if !out.iter().any(|(ek, _)| *ek == k) {
            out.push((k, clip(&percent_decode(v), 256)));
        }
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match hex_pair(b[i + 1], b[i + 2]) {
                Some(byte) => {
                    out.push(byte);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    crate::text::lossy::utf8_lossy(out)
}

/// The byte `%hh` stands for: what `u8::from_str_radix` read from the two chars, which includes
/// its sign (`%+5` is byte 5, as it always was).
fn hex_pair(high: u8, low: u8) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    let low = digit(low)?;
    if high == b'+' {
        return Some(low);
    }
    Some(digit(high)? * 16 + low)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    #[test]
    fn iso8601_worked_examples() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1970-01-01T00:00:00Z", Some(0)),
            ("1970-01-01", Some(0)),
            ("2026-11-24T14:30:00.000Z", Some(1_795_530_600_000)),
            ("2026-11-24T14:30:00Z", Some(1_795_530_600_000)),
            ("2026-11-24 14:30:00", Some(1_795_530_600_000)),
            ("2026-11-24T15:30:00+01:00", Some(1_795_530_600_000)),
            ("2026-11-24T09:30:00-0500", Some(1_795_530_600_000)),
            ("2026-11-24T14:30:00.123456Z", Some(1_795_530_600_123)),
            ("2026-11-24T14:30:00.5Z", Some(1_795_530_600_500)),
            ("2024-02-29T00:00:00Z", Some(1_709_164_800_000)),
            ("2023-02-29T00:00:00Z", None),
            ("2026-13-01", None),
            ("2026-11-24T25:00:00Z", None),
            ("yesterday", None),
            ("2026-11-24T14:30:00Zjunk", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_iso8601(text), *expected, "{text}");
        }
    }

    #[test]
    fn page_event_is_normalised() {
        let e = Event::from_value(&json!({
            "type": "page", "messageId": "m1", "anonymousId": "a1",
            "timestamp": "2026-11-24T14:30:00Z",
            "properties": {"url": "https://x.test/Pricing/?utm_source=linkedin&q=a%20b#top", "referrer": "https://google.com/"},
            "unknownField": 1
        }))
        .unwrap();
        assert_eq!(e.kind, EventKind::Page);
        assert_eq!(e.path.as_deref(), Some("/Pricing"));
        assert_eq!(e.query_param("utm_source"), Some("linkedin"));
        assert_eq!(e.query_param("q"), Some("a b"));
        assert_eq!(e.campaign.source.as_deref(), Some("linkedin"));
        assert_eq!(e.referrer.as_deref(), Some("https://google.com/"));
        assert_eq!(e.timestamp, 1_795_530_600_000);
    }

    #[test]
    fn campaign_prefers_context_then_utm_parameters() {
        let long = "x".repeat(250);
        let e = Event::from_value(&json!({
            "type": "track", "event": "e", "anonymousId": "a", "timestamp": 1,
            "context": {
                "campaign": {"source": "ctx", "medium": 5, "term": long},
                "page": {"url": "https://x.test/?utm_source=q&utm_medium=m%2Bx&utm_campaign=c%FF%e6%97&utm_content=%zz+1&utm_term=t"}
            }
        }))
        .unwrap();
        let c = &e.campaign;
        assert_eq!(c.source.as_deref(), Some("ctx"));
        assert_eq!(c.medium.as_deref(), Some("m+x"));
        assert_eq!(c.name.as_deref(), Some("c\u{FFFD}\u{FFFD}"));
        assert_eq!(c.term.as_deref(), Some(&long[..200]));
        assert_eq!(c.content.as_deref(), Some("%zz 1"));
        let none = Event::from_value(&json!({"type": "identify", "userId": "u", "timestamp": 1}));
        assert!(none.unwrap().campaign.is_empty());
    }

    #[test]
    fn rejections_name_the_field() {
        let cases = [
            (json!([]), "$"),
            (json!({"anonymousId": "a", "timestamp": 1}), "type"),
            (
                json!({"type": "jump", "anonymousId": "a", "timestamp": 1}),
                "type",
            ),
            (json!({"type": "page", "timestamp": 1}), "anonymousId"),
            (json!({"type": "page", "anonymousId": "a"}), "timestamp"),
            (
                json!({"type": "page", "anonymousId": "a", "timestamp": "soon"}),
                "timestamp",
            ),
            (
                json!({"type": "page", "anonymousId": "a", "timestamp": -5}),
                "timestamp",
            ),
            (
                json!({"type": "track", "anonymousId": "a", "timestamp": 1}),
                "event",
            ),
            (
                json!({"type": "page", "anonymousId": "a", "timestamp": 1, "properties": 3}),
                "properties",
            ),
            (
                json!({"type": "page", "anonymousId": ["a"], "timestamp": 1}),
                "anonymousId",
            ),
        ];
        for (v, field) in cases {
            match Event::from_value(&v) {
                Err(Error::InvalidEvent { field: f, .. }) => assert_eq!(f, field, "{v}"),
                other => panic!("{v}: expected error on {field}, got {other:?}"),
            }
        }
    }

    #[test]
    fn timestamp_fallbacks_and_message_id_hash() {
        let v =
            json!({"type": "track", "event": "Demo Requested", "userId": "u", "receivedAt": 1000});
        let e = Event::from_value(&v).unwrap();
        assert_eq!(e.timestamp, 1000);
        assert!(e.message_id.starts_with("h-"));
        assert_eq!(e.message_id, Event::from_value(&v).unwrap().message_id);
        let e =
            Event::from_value_or(&json!({"type": "page", "anonymousId": "a"}), Some(7)).unwrap();
        assert_eq!(e.timestamp, 7);
    }

    /// `%hh` decodes every pair of bytes as `from_utf8` + `u8::from_str_radix` did.
    #[test]
    fn hex_pair_agrees_with_from_str_radix() {
        for high in 0..=u8::MAX {
            for low in 0..=u8::MAX {
                let std = std::str::from_utf8(&[high, low])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                assert_eq!(hex_pair(high, low), std, "{high} {low}");
            }
        }
        assert_eq!(percent_decode("a%2Fb%2fc%+5%zz%4"), "a/b/c\u{5}%zz%4");
    }

    #[test]
    fn track_event_reads_page_context() {
        let e = Event::from_value(&json!({
            "type": "track", "event": "Asset Downloaded", "anonymousId": "a", "timestamp": 5,
            "context": {"page": {"path": "/resources/guide/"}, "campaign": {"source": "newsletter"}},
            "properties": {"path": "/ignored"}
        }))
        .unwrap();
        assert_eq!(e.path.as_deref(), Some("/resources/guide"));
        assert_eq!(e.campaign.source.as_deref(), Some("newsletter"));
        assert_eq!(e.label(), "Asset Downloaded");
    }

    /// `from_json` reads a line through [`TopLevel`] when it can; it must give exactly what the
    /// general path (`from_value` of the parsed value) gives, errors included.
    #[test]
    fn fast_line_reading_equals_the_general_path() {
        let lines = [
            r#"{"type":"page","messageId":"m1","anonymousId":"a","timestamp":"2026-11-01T00:07:22.744Z","properties":{"path":"/about/","url":"https://x.test/about?utm_source=li&utm_medium=cpc","title":"about","referrer":""}}"#,
            r#"{"type":"track","messageId":"m2","userId":"u","timestamp":5,"event":"Asset Downloaded","properties":{"category":"case-study"},"context":{"page":{"path":"/r/"},"campaign":{"source":"news"}}}"#,
            r#"{"type":"IDENTIFY","messageId":"m3","anonymousId":"a","timestamp":5,"traits":{},"context":{"traits":{"email":"x@y.z"}}}"#,
            r#"{"type":"identify","messageId":"m3","anonymousId":"a","timestamp":5,"traits":{"title":"VP"},"context":{"traits":{"email":"x@y.z"}}}"#,
            r#"{"type":"group","messageId":"m4","anonymousId":"a","groupId":7,"sentAt":"2026-11-01","traits":{"name":"Acme"}}"#,
            // Repeated keys: the last one counts, as in a parsed object.
            r#"{"type":"track","type":"page","messageId":"x","messageId":"m5","anonymousId":"a","timestamp":5,"properties":{"path":"/a"},"properties":{"path":"/b"}}"#,
            // Unknown fields are parsed and dropped, escapes in keys and values.
            r#"{"type":"page","messageId":"m\u0036","anonymousId":"a","timestamp":5,"library":{"name":"x","v":[1,2.5e3,null,true]},"pro\u0070erties":{"path":"/\u00e9"}}"#,
            // No messageId: the general path hashes the whole event.
            r#"{"type":"page","anonymousId":"a","timestamp":5,"unused":1}"#,
            r#"{"type":"page","messageId":"","anonymousId":"a","timestamp":5}"#,
            r#"{"type":"page","messageId":null,"anonymousId":"a","timestamp":5}"#,
            // Errors, each named the same way.
            r#"{"type":"jump","messageId":"m","anonymousId":"a","timestamp":5}"#,
            r#"{"type":"page","messageId":"m","timestamp":5}"#,
            r#"{"type":"page","messageId":"m","anonymousId":"a"}"#,
            r#"{"type":"page","messageId":"m","anonymousId":"a","timestamp":5,"properties":3}"#,
            r#"{"type":"page","messageId":["m"],"anonymousId":"a","timestamp":5}"#,
            r#"{"type":"track","messageId":"m","anonymousId":"a","timestamp":5}"#,
            r#"{"type":"page","messageId":"m","anonymousId":"a","timestamp":5,"x":1e999}"#,
            r#"{"type":"page","messageId":"m","anonymousId":"a","timestamp":5} trailing"#,
            r#"[{"type":"page"}]"#,
            "null",
            "",
        ];
        for line in lines {
            for default_time in [None, Some(7)] {
                let general = crate::json::parse(line)
                    .map_err(|e| Error::event("$", e.to_string()))
                    .and_then(|v| Event::from_value_or(&v, default_time));
                assert_eq!(
                    Event::from_json_or(line, default_time),
                    general,
                    "{line} {default_time:?}"
                );
            }
        }
    }

    #[test]
    fn field_index_finds_every_field_and_nothing_else() {
        for (i, name) in FIELDS.iter().enumerate() {
            assert_eq!(field_index(name), Some(i), "{name}");
        }
        for other in [
            "",
            "typ",
            "types",
            "Type",
            "message_id",
            "properties2",
            "contexts",
        ] {
            assert_eq!(field_index(other), None, "{other}");
        }
    }
}
