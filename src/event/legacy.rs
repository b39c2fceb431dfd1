//! The event reader as it was before step 34 (benches/SIZE.md), kept as the oracle of the
//! differential tests: the first-error reader must accept and refuse exactly what this did,
//! naming the same field with the same reason.

use super::*;
use crate::text::int::parse_i64;
use crate::text::quote::quoted;

pub(super) fn from_value_or(v: &Value, default_time: Option<i64>) -> Result<Event, Error> {
    let mut event = read_scalars(v, default_time)?;
    let Value::Object(obj) = v else {
        return Ok(event);
    };
    let mut obj = obj.clone();
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
fn read_scalars(v: &Value, default_time: Option<i64>) -> Result<Event, Error> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::event("$", "an event must be a JSON object"))?;
    read_fields(obj, Ids::copied(obj), Some(v), default_time)
}

/// [`Event::read_scalars`] from the top-level fields; `whole` is the event's value, hashed
/// for a missing messageId.
fn read_fields(
    obj: &dyn Fields,
    ids: Ids,
    whole: Option<&Value>,
    default_time: Option<i64>,
) -> Result<Event, Error> {
    let kind_text = match obj.field("type") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(Error::event("type", "must be a string")),
        None => return Err(Error::event("type", "missing")),
    };
    let kind = EventKind::parse(kind_text).ok_or_else(|| {
        Error::event(
            "type",
            format!(
                "unknown type {} (expected page, screen, track, identify or group)",
                quoted(clipped(kind_text, 40))
            ),
        )
    })?;

    let timestamp = read_timestamp(obj, default_time)?;
    let anonymous_id = ids.anonymous?;
    let user_id = ids.user?;
    if anonymous_id.is_none() && user_id.is_none() {
        return Err(Error::event(
            "anonymousId",
            "missing: an event needs an anonymousId or a userId",
        ));
    }
    let group_id = ids.group?;
    let message_id = match (ids.message?, whole) {
        (Some(id), _) => id,
        (None, Some(v)) => format!("h-{}", hash::content_hash(v)),
        (None, None) => return Err(Error::event("messageId", "missing")),
    };

    let empty = Map::new();
    let properties = opt_object(obj, "properties")?.unwrap_or(&empty);
    opt_object(obj, "traits")?;
    let context = opt_object(obj, "context")?.unwrap_or(&empty);
    let page_ctx = match context.get("page") {
        Some(Value::Object(m)) => m,
        _ => &empty,
    };

    let name =
        match kind {
            EventKind::Track => Some(opt_string(obj, "event")?.ok_or_else(|| {
                Error::event("event", "missing: a track call needs an event name")
            })?),
            _ => opt_string(obj, "name")?,
        };

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
    let mut campaign = Campaign::default();
    let from_context = match context.get("campaign") {
        Some(Value::Object(c)) => Some(c),
        _ => None,
    };
    for (slot, key, param) in [
        (&mut campaign.source, "source", "utm_source"),
        (&mut campaign.medium, "medium", "utm_medium"),
        (&mut campaign.name, "name", "utm_campaign"),
        (&mut campaign.term, "term", "utm_term"),
        (&mut campaign.content, "content", "utm_content"),
    ] {
        let text = from_context
            .and_then(|c| c.get(key))
            .and_then(Value::as_str)
            .or_else(|| {
                query
                    .iter()
                    .find(|(qk, _)| qk == param)
                    .map(|(_, v)| v.as_str())
            });
        *slot = text.map(|s| clip(s, 200));
    }

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

/// The id fields of an event, each read (or its error) ahead of the other fields;
/// [`Event::read_fields`] takes them in its usual order, so errors are reported as ever.
struct Ids {
    anonymous: Result<Option<String>, Error>,
    user: Result<Option<String>, Error>,
    group: Result<Option<String>, Error>,
    message: Result<Option<String>, Error>,
}

impl Ids {
    fn copied(obj: &dyn Fields) -> Ids {
        let id = |key| owned_id(obj.field(key).cloned(), key);
        Ids {
            anonymous: id("anonymousId"),
            user: id("userId"),
            group: id("groupId"),
            message: id("messageId"),
        }
    }
}

fn owned_id(v: Option<Value>, key: &str) -> Result<Option<String>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) if s.len() > 256 => {
            Err(Error::event(key, "longer than 256 characters"))
        }
        Some(Value::String(s)) => Ok(Some(s)),
        // Some libraries send numeric ids.
        Some(Value::Number(n)) => Ok(Some(crate::json::number_text(&n))),
        Some(_) => Err(Error::event(key, "must be a string")),
    }
}

fn opt_string(obj: &dyn Fields, key: &str) -> Result<Option<String>, Error> {
    match obj.field(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(clip(s, MAX_TEXT))),
        Some(_) => Err(Error::event(key, "must be a string")),
    }
}

fn opt_object<'a>(obj: &'a dyn Fields, key: &str) -> Result<Option<&'a Map<String, Value>>, Error> {
    match obj.field(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(Error::event(key, "must be an object")),
    }
}

fn read_timestamp(obj: &dyn Fields, default_time: Option<i64>) -> Result<i64, Error> {
    for key in ["timestamp", "originalTimestamp", "sentAt", "receivedAt"] {
        match obj.field(key) {
            None | Some(Value::Null) => continue,
            Some(v) => return parse_time_value(v).map_err(|reason| Error::event(key, reason)),
        }
    }
    default_time.ok_or_else(|| {
        Error::event(
            "timestamp",
            "missing (also no originalTimestamp, sentAt or receivedAt)",
        )
    })
}

/// Latest accepted time: year 9999. Keeps every later computation far from overflow.
const MAX_TIME: i64 = 253_402_300_799_999;

fn parse_time_value(v: &Value) -> Result<i64, String> {
    let ms = match v {
        Value::Number(n) => match n.as_i64() {
            Some(ms) => ms,
            None => match n.as_f64() {
                Some(f) if f.is_finite() && f.abs() < MAX_TIME as f64 => f.floor() as i64,
                _ => return Err("epoch milliseconds out of range".to_string()),
            },
        },
        Value::String(s) => {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.len() <= 15 {
                // At most 15 digits: always read.
                parse_i64(s).unwrap_or_default()
            } else {
                parse_iso8601(s)
                    .ok_or_else(|| format!("not an ISO-8601 date: {}", quoted(clipped(s, 40))))?
            }
        }
        _ => return Err("must be an ISO-8601 string or epoch milliseconds".to_string()),
    };
    if !(0..=MAX_TIME).contains(&ms) {
        return Err("out of range (before 1970 or after 9999)".to_string());
    }
    Ok(ms)
}

/// Parse `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH[:MM]]` (a space may replace `T`; no zone = UTC).
pub(super) fn parse_iso8601(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        // At most 4 ASCII digits: no overflow, no text parser needed.
        part.iter().try_fold(0i64, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let month_len = [
        31,
        if is_leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if day < 1 || day > month_len[(month - 1) as usize] {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;
    use proptest::prelude::*;
    use proptest::sample::select;

    /// Values a field may hold: each kind the reader tells apart, and the edge cases.
    fn values(of_kind: Vec<Value>) -> impl Strategy<Value = Option<Value>> {
        let mut all = of_kind;
        all.extend([
            json!(null),
            json!(5),
            json!(-5),
            json!(true),
            json!([1]),
            json!({}),
        ]);
        proptest::option::weighted(0.7, select(all))
    }

    fn page() -> Vec<Value> {
        vec![
            json!({"url": "https://x.test/a/b/?utm_source=li&q=a%20b#f", "path": "/p/"}),
            json!({"url": "x.test", "referrer": "", "search": "?utm_medium=cpc&&k"}),
            json!({"path": 3, "referrer": "https://r.test/", "url": ["u"]}),
            json!({"url": "https://x.test/?utm_campaign=%FF&utm_term=t+1&utm_content=%zz"}),
        ]
    }

    /// A random event from the fields the reader looks at (and one it ignores).
    fn event() -> impl Strategy<Value = Value> {
        let long = "x".repeat(300);
        let ids = vec![json!(""), json!("a1"), json!(long), json!(42), json!(2.5)];
        let kinds = [
            "page", "screen", "track", "identify", "group", "TRACK", "jump", &long,
        ];
        let times = vec![
            json!(1_795_530_600_000i64),
            json!(2.5),
            json!(1e300),
            json!("2026-11-24T14:30:00Z"),
            json!("soon"),
            json!("123"),
            json!(""),
        ];
        let names = vec![json!("Demo Requested"), json!("x".repeat(3000))];
        let mut objects = page();
        objects.push(json!({"traits": {"email": "e"}, "page": page()[0], "campaign": {"source": "s", "term": 1}}));
        objects.push(json!({"company": {"name": "Acme"}, "title": "VP"}));
        (
            values(kinds.iter().map(|k| json!(k)).collect()),
            [
                values(ids.clone()),
                values(ids.clone()),
                values(ids.clone()),
                values(ids),
            ],
            [
                values(times.clone()),
                values(times.clone()),
                values(times.clone()),
                values(times),
            ],
            [values(names.clone()), values(names)],
            [
                values(objects.clone()),
                values(objects.clone()),
                values(objects),
            ],
        )
            .prop_map(|(kind, ids, times, names, objects)| {
                let keys = [
                    ("type", kind),
                    ("anonymousId", ids[0].clone()),
                    ("userId", ids[1].clone()),
                    ("groupId", ids[2].clone()),
                    ("messageId", ids[3].clone()),
                    ("timestamp", times[0].clone()),
                    ("originalTimestamp", times[1].clone()),
                    ("sentAt", times[2].clone()),
                    ("receivedAt", times[3].clone()),
                    ("event", names[0].clone()),
                    ("name", names[1].clone()),
                    ("properties", objects[0].clone()),
                    ("traits", objects[1].clone()),
                    ("context", objects[2].clone()),
                    ("ignored", Some(json!("x"))),
                ];
                let mut map = Map::new();
                for (key, value) in keys {
                    if let Some(value) = value {
                        map.insert(key.to_string(), value);
                    }
                }
                Value::Object(map)
            })
    }

    /// Dates of the accepted shape, with fields in and just out of their ranges.
    const DATE: &str = "[ ]?[0-9]{4}-(0[0-9]|1[0-3])-([0-2][0-9]|3[0-2])([Tt ]([01][0-9]|2[0-5]):[0-6][0-9](:[0-6][0-9]([.,][0-9]{0,5})?)?)?([Zz]|[+-][0-2][0-9](:?[0-6][0-9])?)?[ ]?";
    /// Shapes around it: lengths off by one, other separators, junk after.
    const NEAR_DATE: &str = "[ ]?[0-9]{3,5}[-/]?[0-9]{1,2}-[0-9]{1,3}([Tt ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{0,5})?)?)?([Zz]|[+-][0-9]{2}:?[0-9]{0,3}|x)?[ ]?";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Dates read as the old parser read them: near-dates (each field of the shape
        /// drawn from digits, separators and junk) and arbitrary text.
        #[test]
        fn dates_read_as_before(
            text in prop_oneof![DATE, NEAR_DATE],
            other in ".{0,30}",
        ) {
            prop_assert_eq!(super::super::parse_iso8601(&text), parse_iso8601(&text), "{}", text);
            prop_assert_eq!(super::super::parse_iso8601(&other), parse_iso8601(&other), "{}", other);
        }

        /// The reader accepts and refuses exactly what the old one did: equal events, or the
        /// same field with the same reason; from a value and from its JSON text (the fast
        /// line reader), with and without a default time.
        #[test]
        fn reads_what_the_old_reader_read(v in event()) {
            // A default time of the year 9999: no time is ahead of it (the far-future check,
            // which the old reader lacked, is tested in tests/engine_time.rs).
            for default_time in [None, Some(super::super::MAX_TIME)] {
                let old = from_value_or(&v, default_time);
                // Against a `now` of 9999, a number in 1970 is refused for its unit (neither
                // reading is near `now`), which the old reader lacked too (tests/engine_time.rs).
                let unit = |r: &Result<Event, Error>| matches!(r, Err(Error::InvalidEvent { reason, .. }) if reason.contains("in seconds, neither"));
                if default_time.is_some() && unit(&Event::from_value_or(&v, default_time)) {
                    continue;
                }
                prop_assert_eq!(&Event::from_value_or(&v, default_time), &old);
                prop_assert_eq!(&Event::from_owned_value(v.clone(), default_time), &old);
                prop_assert_eq!(&Event::from_json_or(&v.to_string(), default_time), &old);
            }
        }
    }

    /// The strategy reaches every outcome: some events are accepted, and each field is the one
    /// refused for some event (so the property above compares errors, not only successes).
    #[test]
    fn random_events_reach_every_outcome() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = event();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..3000 {
            let v = strategy.new_tree(&mut runner).unwrap().current();
            seen.insert(match from_value_or(&v, None) {
                Ok(_) => "ok".to_string(),
                Err(Error::InvalidEvent { field, .. }) => field,
                Err(other) => panic!("{other:?}"),
            });
        }
        for outcome in [
            "ok",
            "type",
            "timestamp",
            "originalTimestamp",
            "sentAt",
            "receivedAt",
            "anonymousId",
            "userId",
            "groupId",
            "messageId",
            "properties",
            "traits",
            "context",
            "event",
            "name",
        ] {
            assert!(seen.contains(outcome), "{outcome} never reached: {seen:?}");
        }
    }
}
