//! Time in the engine: events out of time order are counted against their own day's and
//! visit's caps as in time order (within the windows kept), far-future times are refused, a
//! visit is still counted when time goes backwards, and linear decay keeps every point over
//! any number of periods (bounded state).

use baton::condition::DAY_MS;
use baton::event::{Event, FUTURE_TOLERANCE_MS};
use baton::json::{json, Value};
use baton::model::{Decay, Model};
use baton::state::{decay_factor, Acc, CapHit, DAYS_KEPT, MAX_BUCKETS, VISITS_KEPT};
use baton::Engine;
use proptest::prelude::*;

const DAY: i64 = DAY_MS;
/// 2026-11-02T09:00:00Z, the reviewer's T0.
const T0: i64 = 1_793_610_000_000;

fn model(v: Value) -> Model {
    Model::from_value(&v).unwrap()
}

fn page(id: &str, t: i64, path: &str) -> Value {
    json!({"type": "page", "messageId": id, "anonymousId": "a", "timestamp": t,
           "properties": {"path": path}})
}

fn feed(m: &Model, events: &[Value]) -> Engine {
    let mut e = Engine::new(m.clone());
    for v in events {
        let t = v["timestamp"].as_i64().unwrap();
        e.ingest_value(v, t).unwrap();
    }
    e
}

/// The reviewer's p7c_order case: six page views over two UTC days arriving interleaved,
/// `perDay: 1` → 2 points, as in time order; the others name the perDay cap (their day's one
/// point was counted).
#[test]
fn interleaved_days_do_not_reopen_a_per_day_cap() {
    let m = model(json!({"version": "1", "rules": [
        {"id": "pv", "points": 1, "when": {"type": "page"}, "cap": {"perDay": 1}}]}));
    let times = [
        T0,
        T0 + DAY,
        T0 + 60_000,
        T0 + DAY + 60_000,
        T0 + 120_000,
        T0 + DAY + 120_000,
    ];
    let events: Vec<Value> = times
        .iter()
        .enumerate()
        .map(|(i, t)| page(&format!("m{i}"), *t, "/"))
        .collect();
    let as_of = T0 + 2 * DAY;
    let e = feed(&m, &events);
    assert_eq!(e.score(as_of).total, 2.0);
    let ex = e.explain(as_of);
    assert_eq!((ex.rules[0].matches, ex.rules[0].counted), (6, 2));
    // Arrival order: day 1 counts, day 2 counts, then every other one is capped: its day's
    // count is kept and at the cap.
    let hits: Vec<(i64, Option<CapHit>)> = ex
        .entries
        .iter()
        .map(|x| (x.timestamp, x.cap_hit))
        .collect();
    assert_eq!(hits.len(), 6);
    for (t, hit) in &hits {
        let counted = *t == T0 || *t == T0 + DAY;
        assert_eq!(hit.is_none(), counted, "{t}");
        if !counted {
            assert_eq!(*hit, Some(CapHit::PerDay));
        }
    }
    // The same events in time order: the same score.
    let mut sorted = events.clone();
    sorted.sort_by_key(|v| v["timestamp"].as_i64().unwrap());
    assert_eq!(feed(&m, &sorted).score(as_of).total, 2.0);
}

/// A late event from an earlier visit is checked against that visit's own count: at the cap,
/// capped; a late event inside the current visit counts as in time order.
#[test]
fn late_events_and_per_session_caps() {
    let m = model(
        json!({"version": "1", "sessionTimeoutMinutes": 30, "rules": [
        {"id": "pricing", "points": 10, "when": {"path": "/pricing"}, "cap": {"perSession": 1}}]}),
    );
    let min = 60_000;
    // Visit 1 at T0 (pricing counted), visit 2 two hours later (other page), then a pricing
    // view from visit 1 arrives late: visit 1 already counted one, so it counts nothing.
    let events = [
        page("a", T0, "/pricing"),
        page("b", T0 + 120 * min, "/about"),
        page("c", T0 + 10 * min, "/pricing"),
    ];
    let e = feed(&m, &events);
    assert_eq!(e.score(T0 + 121 * min).total, 10.0);
    assert_eq!(e.state().sessions, 2);
    assert_eq!(
        e.explain(T0 + 121 * min).entries.last().unwrap().cap_hit,
        Some(CapHit::PerSession)
    );
    // Late but inside the current visit (reordered by a second): counts as in order.
    let events = [
        page("a", T0, "/about"),
        page("b", T0 + 120 * min, "/about"),
        page("c", T0 + 125 * min, "/about"),
        page("d", T0 + 121 * min, "/pricing"),
    ];
    let e = feed(&m, &events);
    assert_eq!(e.score(T0 + 126 * min).total, 10.0);
    assert_eq!(e.state().sessions, 2);
}

/// The ledger lines (time, rule, counted points, cap hit), in time order.
fn ledger(e: &Engine, as_of: i64) -> Vec<(i64, String, f64, Option<CapHit>)> {
    let mut lines: Vec<_> = e
        .explain(as_of)
        .entries
        .iter()
        .map(|x| (x.timestamp, x.rule_id.clone(), x.counted_points, x.cap_hit))
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    lines
}

/// The reviewer's p8b/p8_order cases: a page view of day 2 arrives, then the one of day 1
/// (`perDay: 3`); a page view of a later visit, then one of an earlier visit (`perSession:
/// 1`). Each late one counts against its own day's or visit's count, which nothing had
/// reached: the same total and ledger as in time order, and no cap named.
#[test]
fn a_late_event_of_an_earlier_day_or_visit_counts_as_in_time_order() {
    let min = 60_000;
    for (cap, late, later) in [
        (json!({"perDay": 3}), T0, T0 + DAY),
        (json!({"perSession": 1}), T0, T0 + 120 * min),
        (json!({"perSession": 1, "perDay": 1}), T0, T0 + DAY),
    ] {
        let m = model(
            json!({"version": "1", "sessionTimeoutMinutes": 30, "rules": [
            {"id": "pv", "points": 10, "when": {"type": "page"}, "cap": cap.clone(), "decay": "none"}]}),
        );
        let as_of = later + min;
        let late_first = feed(&m, &[page("b", later, "/"), page("a", late, "/")]);
        let in_order = feed(&m, &[page("a", late, "/"), page("b", later, "/")]);
        assert_eq!(late_first.score(as_of).total, 20.0, "{cap}");
        assert_eq!(in_order.score(as_of).total, 20.0, "{cap}");
        let lines = ledger(&late_first, as_of);
        assert_eq!(lines, ledger(&in_order, as_of), "{cap}");
        assert!(
            lines.iter().all(|l| l.2 == 10.0 && l.3.is_none()),
            "{lines:?}"
        );
    }
    // Within the earlier day's count: `perDay: 2`, day 2 then three of day 1 → 10 + 2 × 10,
    // the third capped by its own day's count.
    let m = model(json!({"version": "1", "rules": [
        {"id": "pv", "points": 10, "when": {"type": "page"}, "cap": {"perDay": 2}, "decay": "none"}]}));
    let e = feed(
        &m,
        &[
            page("d2", T0 + DAY, "/"),
            page("a", T0, "/"),
            page("b", T0 + min, "/"),
            page("c", T0 + 2 * min, "/"),
        ],
    );
    assert_eq!(e.score(T0 + DAY).total, 30.0);
    assert_eq!(
        e.explain(T0 + DAY).entries.last().unwrap().cap_hit,
        Some(CapHit::PerDay)
    );
}

/// A late event whose day or visit is older than every one kept cannot be checked: it counts
/// nothing and its ledger line says `late`; one within the kept windows still counts.
#[test]
fn a_late_event_beyond_the_kept_windows_says_late() {
    let min = 60_000;
    // perDay: one page view a day for DAYS_KEPT + 1 days; the first day is no longer kept.
    let m = model(json!({"version": "1", "rules": [
        {"id": "pv", "points": 1, "when": {"type": "page"}, "cap": {"perDay": 1}, "decay": "none"}]}));
    let days = DAYS_KEPT as i64 + 1;
    let mut events: Vec<Value> = (0..days)
        .map(|d| page(&format!("d{d}"), T0 + d * DAY, "/"))
        .collect();
    let mut e = feed(&m, &events);
    let as_of = T0 + days * DAY;
    assert_eq!(e.score(as_of).total, days as f64);
    // The first day (at its cap), and the day before it (never seen): not kept, `late`.
    for (id, t) in [("old", T0 + min), ("older", T0 - DAY)] {
        e.ingest_value(&page(id, t, "/"), as_of).unwrap();
        let line = e.explain(as_of).entries.last().cloned().unwrap();
        assert_eq!(
            (line.counted_points, line.cap_hit),
            (0.0, Some(CapHit::Late)),
            "{id}"
        );
    }
    assert_eq!(e.score(as_of).total, days as f64);
    // The oldest kept day (day 1, at its cap): `perDay`; a kept day's second event in order of
    // arrival is checked the same way.
    e.ingest_value(&page("kept", T0 + DAY + min, "/"), as_of)
        .unwrap();
    let line = e.explain(as_of).entries.last().cloned().unwrap();
    assert_eq!(line.cap_hit, Some(CapHit::PerDay));
    // The state keeps DAYS_KEPT days.
    let rule = e.state().rules.get("pv").unwrap();
    assert_eq!(rule.days.len(), DAYS_KEPT);
    assert_eq!(rule.days_from, (T0 + DAY).div_euclid(DAY));
    // Sorted, the same events count each day once (the reference for the kept days).
    events.push(page("kept", T0 + DAY + min, "/"));
    assert_eq!(feed(&m, &events).score(as_of).total, days as f64);

    // perSession: VISITS_KEPT + 1 visits an hour apart; a late event of the first one is
    // `late`, one of the second (kept) is checked against its count.
    let m = model(
        json!({"version": "1", "sessionTimeoutMinutes": 30, "rules": [
        {"id": "pr", "points": 1, "when": {"path": "/pricing"}, "cap": {"perSession": 1}, "decay": "none"},
        {"id": "pv", "points": 1, "when": {"path": "/"}, "cap": {"perSession": 1}, "decay": "none"}]}),
    );
    let visits = VISITS_KEPT as i64 + 1;
    let events: Vec<Value> = (0..visits)
        .map(|v| page(&format!("v{v}"), T0 + v * 60 * min, "/"))
        .collect();
    let mut e = feed(&m, &events);
    assert_eq!(e.state().visits.len(), VISITS_KEPT);
    let as_of = T0 + visits * 60 * min;
    e.ingest_value(&page("late", T0 + 5 * min, "/pricing"), as_of)
        .unwrap();
    let line = e.explain(as_of).entries.last().cloned().unwrap();
    assert_eq!(
        (line.rule_id.as_str(), line.cap_hit),
        ("pr", Some(CapHit::Late))
    );
    e.ingest_value(&page("kept", T0 + 65 * min, "/pricing"), as_of)
        .unwrap();
    e.ingest_value(&page("kept2", T0 + 66 * min, "/"), as_of)
        .unwrap();
    let lines = ledger(&e, as_of);
    let hit = |id: &str, t: i64| lines.iter().find(|l| l.0 == t && l.1 == id).map(|l| l.3);
    assert_eq!(hit("pr", T0 + 65 * min), Some(None));
    assert_eq!(hit("pv", T0 + 66 * min), Some(Some(CapHit::PerSession)));
    assert_eq!(e.score(as_of).total, visits as f64 + 1.0);
    // The late event's visit is not known: counted as one, as before (no event we still
    // know of lies near it).
    assert_eq!(e.state().sessions, visits as u32 + 1);
}

/// A version 2 state kept the count of a rule's latest day and visit only: read as version 3,
/// a late event on the latest day is checked against its count, one on an earlier day says
/// `late` (that day's count is not known), and a new day counts.
#[test]
fn a_version_2_state_keeps_its_latest_counts() {
    let m = model(json!({"version": "1", "rules": [
        {"id": "pv", "points": 10, "when": {"type": "page"}, "cap": {"perDay": 2}, "decay": "none"}]}));
    let mut e = feed(&m, &[page("a", T0 + DAY, "/")]);
    let day = (T0 + DAY).div_euclid(DAY);
    let v3 = e.export_state();
    let rule = format!(
        r#"{{"m":1,"c":1,"d":{day},"dc":1,"a":{{"s":10.0}},"w":[{}]}}"#,
        T0 + DAY
    );
    let start = v3.find(r#""pv":"#).unwrap() + 5;
    let end = start + v3[start..].find("}}").unwrap() + 2;
    let v2 = format!("{}{}{}", &v3[..start], rule, &v3[end..]).replace(r#""v":3"#, r#""v":2"#);
    let v2 = v2[..v2.find(r#","vw":"#).unwrap()].to_string() + "}";
    e = Engine::with_state(m.clone(), &v2).unwrap();
    assert_eq!(e.state().rules.get("pv").unwrap().days, [(day, 1)]);
    let as_of = T0 + 2 * DAY;
    for (id, t, hit) in [
        ("b", T0 + DAY + 1, None),
        ("c", T0 + DAY + 2, Some(CapHit::PerDay)),
        ("d", T0, Some(CapHit::Late)),
        ("e", T0 + 2 * DAY, None),
    ] {
        e.ingest_value(&page(id, t, "/"), as_of).unwrap();
        let line = e.explain(as_of).entries.last().cloned().unwrap();
        assert_eq!(line.cap_hit, hit, "{id}");
    }
    assert_eq!(e.score(as_of).total, 30.0);
    assert!(e.export_state().starts_with(r#"{"v":3,"#));
}

fn visits_model() -> Model {
    model(
        json!({"version": "1", "sessionTimeoutMinutes": 30, "rules": [
        {"id": "pv", "points": 1, "when": {"type": "page"}}],
        "stages": {"mql": {"all": [{"visits": 3, "withinDays": 30}]}}}),
    )
}

/// The reviewer's p1_order far-future case. With the caller's `now`, an event stamped in 2099
/// is refused, with its reason; visits go on being counted.
#[test]
fn an_event_far_ahead_of_now_is_refused() {
    let m = visits_model();
    let far = 4_070_908_800_000; // 2099-01-01
    let mut e = Engine::new(m.clone());
    e.ingest_value(&page("m10", T0, "/x"), T0).unwrap();
    let err = e
        .ingest_value(&page("m100", far, "/x"), T0 + 1000)
        .unwrap_err()
        .to_string();
    // The far date is named as a date, and `now` beside it (was "632028 hours ahead of now").
    assert_eq!(
        err,
        "invalid event: timestamp: 2099-01-01T00:00:00Z is more than a day after now \
         (2026-11-02T09:00:01Z): the sender's clock is wrong"
    );
    for d in 1..4 {
        let t = T0 + d * DAY;
        e.ingest_value(&page(&format!("m1{d}"), t, "/x"), t)
            .unwrap();
    }
    assert_eq!(e.stage().as_str(), "mql");
    assert_eq!(e.state().events, 4);
    // Within the tolerance (clock drift): accepted.
    let mut e = Engine::new(m.clone());
    let skew = page("s", T0 + FUTURE_TOLERANCE_MS, "/x");
    assert!(e.ingest_value(&skew, T0).is_ok());
    let ahead = page("s2", T0 + FUTURE_TOLERANCE_MS + 1, "/x");
    assert!(e.ingest_value(&ahead, T0).is_err());
    // The reviewer's "10 days ahead of now": refused, the score untouched.
    let mut e = Engine::new(m);
    assert!(e
        .ingest_value(&page("f", T0 + 10 * DAY, "/pricing"), T0)
        .is_err());
    assert_eq!(e.score(T0).total, 0.0);
}

/// Without a `now` (a replay takes each event's own time), the 2099 event is scored, and
/// later events going back in time still count as visits.
#[test]
fn visits_are_counted_when_time_goes_backwards() {
    let m = visits_model();
    let far = 4_070_908_800_000;
    let events = [
        page("m10", T0, "/x"),
        page("m100", far, "/x"),
        page("m11", T0 + DAY, "/x"),
        page("m12", T0 + 2 * DAY, "/x"),
        page("m13", T0 + 3 * DAY, "/x"),
    ];
    let mut e = Engine::new(m);
    for v in &events {
        let ev = Event::from_value(v).unwrap();
        let t = ev.timestamp;
        e.ingest(ev, t);
    }
    assert_eq!(e.state().sessions, 5);
    // Before this fix: the sessions after the 2099 event were never counted (1 + 1).
    let visit_ring = &e.state().visit_ring;
    assert!(visit_ring.contains(&(T0 + 3 * DAY)), "{visit_ring:?}");
    // A late event within the timeout of a known one joins its visit.
    let mut e2 = e.clone();
    let ev = Event::from_value(&page("m14", T0 + 2 * DAY + 60_000, "/x")).unwrap();
    e2.ingest(ev, T0 + 2 * DAY + 60_000);
    assert_eq!(e2.state().sessions, 5);
}

fn exact(decay: Decay, points: &[(f64, i64)], as_of: i64) -> f64 {
    points
        .iter()
        .map(|(p, at)| p * decay_factor(decay, *at, as_of))
        .sum()
}

/// The reviewer's p3_explain case: 1 % a day, +10 a day for 40 days (more periods than
/// `MAX_BUCKETS`). Every bucket is still above zero (a point lives 100 days), where merging
/// is exact, so the tolerance is float rounding only.
#[test]
fn linear_decay_keeps_points_past_the_bucket_bound() {
    let decay = Decay::Linear {
        percent: 1.0,
        period_days: 1.0,
    };
    let m = model(
        json!({"version": "1", "decay": {"linearPercent": 1, "periodDays": 1},
        "rules": [{"id": "pv", "points": 10, "when": {"type": "page"}}]}),
    );
    let day0 = (T0 / DAY) * DAY;
    let events: Vec<Value> = (0..40)
        .map(|d| page(&format!("m{d}"), day0 + d * DAY + 3_600_000, "/"))
        .collect();
    let e = feed(&m, &events);
    let as_of = day0 + 40 * DAY;
    // 10 · Σ_{age=1..40} (1 − age/100) = 400 − 82 = 318.
    let total = e.score(as_of).total;
    assert!((total - 318.0).abs() < 1e-6, "{total}");
    match &e.state().rules.iter().next().unwrap().1.acc {
        Acc::Lin(b) => assert!(b.len() <= MAX_BUCKETS, "{}", b.len()),
        other => panic!("{other:?}"),
    }
    let pts: Vec<(f64, i64)> = (0..40)
        .map(|d| (10.0, day0 + d * DAY + 3_600_000))
        .collect();
    for later in [41, 60, 99, 100, 120, 139, 140, 200] {
        let t = day0 + later * DAY;
        let want = exact(decay, &pts, t);
        let got = e.score(t).total;
        // Up to day 100 every point is above zero: exact. After, within the bound of the
        // proptest below (p · span per merged point).
        let tol = if later <= 100 {
            1e-6
        } else {
            0.01 * 40.0 * 10.0
        };
        assert!((got - want).abs() <= tol, "day {later}: {got} vs {want}");
    }
}

/// Measured: up to ~2.5 % with the oldest points past their end; 10 % leaves room.
const BOUND: f64 = 0.1;

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Linear decay over any number of periods, points of one sign (a rule has one `points`):
    /// exact while every point is worth something, and after that within BOUND of the sum of
    /// the points (what the merged buckets hold as worth something past their points' end).
    #[test]
    fn linear_accumulator_error_is_bounded(
        percent in prop_oneof![Just(0.5), Just(1.0), Just(2.0), Just(4.0), Just(12.5)],
        sign in prop_oneof![Just(1.0), Just(-1.0)],
        pts in prop::collection::vec((0.5f64..20.0, 0i64..400, 0i64..DAY), 1..120),
        reads in prop::collection::vec(0i64..500, 1..6),
    ) {
        let decay = Decay::Linear { percent, period_days: 1.0 };
        let day0 = (T0 / DAY) * DAY;
        let mut pts: Vec<(f64, i64)> = pts.iter().map(|(p, d, ms)| (sign * p, day0 + d * DAY + ms)).collect();
        pts.sort_by_key(|x| x.1);
        let mut acc = Acc::empty(decay);
        for (p, at) in &pts {
            acc.add(decay, *p, *at);
            if let Acc::Lin(b) = &acc {
                prop_assert!(b.len() <= MAX_BUCKETS);
            }
        }
        let last = pts.last().unwrap().1;
        let life = (100.0 / percent) as i64;
        let p = percent / 100.0;
        for r in reads {
            let t = last + r * DAY;
            let want = exact(decay, &pts, t);
            let got = acc.value(decay, t);
            // Exact while every point read is still worth something.
            if t.div_euclid(DAY) - pts[0].1.div_euclid(DAY) < life {
                prop_assert!((got - want).abs() <= 1e-6 * (1.0 + want.abs()), "{} vs {}", got, want);
            }
            let _ = p;
            let bound: f64 = pts.iter().map(|(x, _)| x.abs()).sum::<f64>() * BOUND;
            prop_assert!((got - want).abs() <= bound + 1e-6, "{} vs {} (bound {})", got, want, bound);
        }
    }
}

/// The reviewer's p6_malformed case: a numeric timestamp in epoch **seconds**. Read as
/// milliseconds it is 1970-01-21 (points decayed to nothing, `firstSeen` corrupted); where the
/// caller's `now` is known it is refused, naming the field and the fix, and nothing changes.
#[test]
fn epoch_seconds_are_refused_where_now_is_known() {
    let m = visits_model();
    let now = T0 + 60_000;
    let mut e = Engine::new(m.clone());
    let err = e
        .ingest_value(&page("s", T0 / 1000, "/x"), now)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid event: timestamp: looks like seconds since the epoch (2026-11-02T09:00:00Z); \
         numbers are milliseconds: send 1793610000000 or ISO 8601 text"
    );
    assert_eq!((e.state().events, e.state().first_seen), (0, None));

    // Every time field, as a number, a fraction or a string of digits, is read the same way.
    let cases: [(Value, &str, &str); 5] = [
        (json!({"sentAt": 1_793_610_000}), "sentAt", "1793610000000"),
        (
            json!({"receivedAt": "1793610000"}),
            "receivedAt",
            "1793610000000",
        ),
        (
            json!({"timestamp": 1_793_610_000.5}),
            "timestamp",
            "1793610000500",
        ),
        (
            json!({"originalTimestamp": 1_577_836_800}),
            "originalTimestamp",
            "1577836800000",
        ),
        (
            json!({"timestamp": null, "sentAt": 1_793_610_000}),
            "sentAt",
            "1793610000000",
        ),
    ];
    for (times, field, fix) in cases {
        let mut v = json!({"type": "page", "messageId": "x", "anonymousId": "a"});
        for (k, t) in times.as_object().unwrap() {
            v[k.as_str()] = t.clone();
        }
        let err = Engine::new(m.clone())
            .ingest_value(&v, now)
            .unwrap_err()
            .to_string();
        let head = format!("invalid event: {field}: looks like seconds since the epoch (");
        assert!(err.starts_with(&head), "{v}: {err}");
        assert!(
            err.ends_with(&format!("send {fix} or ISO 8601 text")),
            "{v}: {err}"
        );
    }

    // Not refused: milliseconds near `now`, ISO text, seconds from more than 20 years before
    // `now` or more than a day after it, and any number for a `now` near the epoch.
    let accepted = [
        (json!(T0), now),
        (json!("2026-11-02T09:00:00Z"), now),
        (json!("1970-01-21T18:13:30Z"), now),
        (json!(5), 10_000),
        (json!(1_000), 1_000_000_000),
    ];
    for (t, now) in accepted {
        let v = json!({"type": "page", "messageId": "y", "anonymousId": "a", "timestamp": t});
        assert!(
            Engine::new(m.clone()).ingest_value(&v, now).is_ok(),
            "{v} at {now}"
        );
    }
}

/// The reviewer's false negatives: numbers that read as milliseconds land in 1970 while `now`
/// is decades later, and read as seconds are no time near `now` either (2005, 2000, 25 hours
/// ahead). Both readings are named; nothing is scored.
#[test]
fn a_1970_that_is_no_seconds_near_now_is_refused() {
    let m = visits_model();
    let now = T0 + 60_000;
    let cases: [(Value, &str); 4] = [
        (
            json!(1_117_584_000),
            "reads as 1970-01-13T22:26:24Z in milliseconds or 2005-06-01T00:00:00Z in seconds",
        ),
        (
            json!(946_684_800),
            "reads as 1970-01-11T22:58:04Z in milliseconds or 2000-01-01T00:00:00Z in seconds",
        ),
        (
            json!(1_793_700_000),
            "reads as 1970-01-21T18:15:00Z in milliseconds or 2026-11-03T10:00:00Z in seconds",
        ),
        (
            json!("0"),
            "reads as 1970-01-01T00:00:00Z in milliseconds or 1970-01-01T00:00:00Z in seconds",
        ),
    ];
    for (t, head) in cases {
        let v = json!({"type": "page", "messageId": "y", "anonymousId": "a", "timestamp": t});
        let mut e = Engine::new(m.clone());
        let err = e.ingest_value(&v, now).unwrap_err().to_string();
        let want = format!(
            "invalid event: timestamp: {head}, neither within 20 years before now or a day \
             after it: send milliseconds since the epoch or ISO 8601 text"
        );
        assert_eq!(err, want, "{v}");
        assert_eq!(e.state().events, 0);
    }
    // Not refused: the same numbers with a `now` near them, ISO text for 1970, and any time
    // within 20 years of `now`, 1970 included for a `now` before 1990.
    let accepted = [
        (json!(1_117_584_000), 1_117_584_000 + DAY),
        (json!("1970-01-13T22:26:24Z"), now),
        (json!(0), 20 * 365 * DAY),
        (json!(T0 - 19 * 365 * DAY), now),
    ];
    for (t, now) in accepted {
        let v = json!({"type": "page", "messageId": "y", "anonymousId": "a", "timestamp": t});
        assert!(
            Engine::new(m.clone()).ingest_value(&v, now).is_ok(),
            "{v} at {now}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Any number that is a 1970 time read as milliseconds is refused against any `now` more
    /// than 20 years after it (as seconds or as neither reading), and never scored.
    #[test]
    fn a_1970_number_is_refused_decades_later(
        t in 0i64..31_536_000_000,
        later in 20 * 365 * DAY + 1..=253_402_300_799_999 - 31_536_000_000 - FUTURE_TOLERANCE_MS,
    ) {
        let now = t + later;
        let v = json!({"type": "page", "messageId": "s", "anonymousId": "a", "timestamp": t});
        let err = Engine::new(visits_model()).ingest_value(&v, now).unwrap_err().to_string();
        prop_assert!(
            err.contains("looks like seconds since the epoch") || err.contains("in seconds, neither"),
            "{}", err
        );
    }

    /// Against any `now` from 1971 to 9999: a millisecond time within 20 years before `now`
    /// and a day after it is never refused; the same instant sent in seconds always is, once
    /// `now` is past 1990 (nothing is 20 years before an earlier `now`).
    #[test]
    fn seconds_near_now_are_refused_and_milliseconds_never(
        now in 31_536_000_000i64..=253_402_300_799_999 - FUTURE_TOLERANCE_MS,
        back in -FUTURE_TOLERANCE_MS..=20 * 365 * DAY,
    ) {
        let m = visits_model();
        let t = (now - back).max(0);
        let ms = json!({"type": "page", "messageId": "m", "anonymousId": "a", "timestamp": t});
        prop_assert!(Engine::new(m.clone()).ingest_value(&ms, now).is_ok(), "{} at {}", t, now);
        let seconds = t / 1000;
        let v = json!({"type": "page", "messageId": "s", "anonymousId": "a", "timestamp": seconds});
        let out = Engine::new(m).ingest_value(&v, now);
        if now > 20 * 365 * DAY + now / 1000 + FUTURE_TOLERANCE_MS && seconds * 1000 >= now - 20 * 365 * DAY {
            let err = out.unwrap_err().to_string();
            prop_assert!(err.contains("looks like seconds since the epoch"), "{}", err);
        }
    }
}

/// Rules capped each way (decay none, so points do not depend on which of a window's
/// matches count): by day, by visit, by day within a total, uncapped.
fn windows_model(per_day: u32, per_session: u32, total: u32) -> Model {
    model(
        json!({"version": "w", "sessionTimeoutMinutes": 30, "decay": "none", "rules": [
        {"id": "day", "points": 3, "when": {"type": "page"}, "cap": {"perDay": per_day}},
        {"id": "visit", "points": 5, "when": {"path": "/pricing"}, "cap": {"perSession": per_session}},
        {"id": "dl", "points": 7, "when": {"event": "Asset Downloaded"}, "cap": {"perDay": per_day, "total": total}},
        {"id": "pv", "points": 1, "when": {"type": "page"}}]}),
    )
}

/// One event of `(visit, minute in it, what)`: a page `/`, a page `/pricing`, a download.
fn window_event(i: usize, visit_start: i64, minute: i64, what: u8) -> Value {
    let t = visit_start + minute * 60_000;
    match what {
        0 => page(&format!("e{i}"), t, "/"),
        1 => page(&format!("e{i}"), t, "/pricing"),
        _ => json!({"type": "track", "event": "Asset Downloaded", "messageId": format!("e{i}"),
                    "anonymousId": "a", "timestamp": t}),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Disorder within the kept windows (at most VISITS_KEPT visits, each shorter than the
    /// timeout and apart by more, spanning at most DAYS_KEPT UTC days): one-by-one ingest of
    /// the shuffled events equals that of the sorted ones (total, and per rule the matches and
    /// counted points), both equal the count of each window's matches up to its cap, and no
    /// kept window's count exceeds its cap.
    #[test]
    fn shuffled_within_the_kept_windows_scores_as_sorted(
        gaps in prop::collection::vec(31i64..(22 * 60), 1..=VISITS_KEPT),
        events in prop::collection::vec((0usize..VISITS_KEPT, 0i64..30, 0u8..3), 1..40),
        caps in (1u32..4, 1u32..3, 1u32..6),
        order in prop::collection::vec(any::<u32>(), 40),
        start_minute in 0i64..(24 * 60),
    ) {
        let (per_day, per_session, total) = caps;
        let m = windows_model(per_day, per_session, total);
        // Visit starts: gaps of 31 minutes to 22 hours (7 gaps < 8 days).
        let mut starts = vec![T0 - T0.rem_euclid(DAY) + start_minute * 60_000];
        for g in &gaps[1..] {
            let last = *starts.last().unwrap();
            starts.push(last + 29 * 60_000 + g * 60_000);
        }
        let mut evs: Vec<(i64, Value)> = events
            .iter()
            .enumerate()
            .map(|(i, (v, min, what))| {
                let v = v % starts.len();
                let e = window_event(i, starts[v], *min, *what);
                (e["timestamp"].as_i64().unwrap(), e)
            })
            .collect();
        let mut shuffled: Vec<(u32, Value)> = evs
            .iter()
            .enumerate()
            .map(|(i, (_, e))| (order[i], e.clone()))
            .collect();
        shuffled.sort_by_key(|(k, _)| *k);
        let shuffled: Vec<Value> = shuffled.into_iter().map(|(_, e)| e).collect();
        evs.sort_by_key(|(t, _)| *t);
        let sorted: Vec<Value> = evs.iter().map(|(_, e)| e.clone()).collect();
        let as_of = evs.last().unwrap().0 + 1;
        let a = feed(&m, &shuffled);
        let b = feed(&m, &sorted);
        prop_assert_eq!(a.score(as_of).total, b.score(as_of).total);
        prop_assert_eq!(a.state().sessions, b.state().sessions);
        let counts = |e: &Engine| -> Vec<(String, u32, u32, f64)> {
            e.explain(as_of)
                .rules
                .iter()
                .map(|r| (r.rule_id.clone(), r.matches, r.counted, r.points))
                .collect()
        };
        prop_assert_eq!(counts(&a), counts(&b));
        // The oracle: per window, its matches up to the cap.
        let mut by_day: std::collections::BTreeMap<(u8, i64), u32> = Default::default();
        let mut by_visit: std::collections::BTreeMap<usize, u32> = Default::default();
        for (i, (v, _, what)) in events.iter().enumerate() {
            let t = evs.iter().find(|(_, e)| e["messageId"] == json!(format!("e{i}"))).unwrap().0;
            let day = t.div_euclid(DAY);
            match what {
                0 | 1 => *by_day.entry((0, day)).or_default() += 1,
                _ => *by_day.entry((2, day)).or_default() += 1,
            }
            if *what == 1 {
                *by_visit.entry(v % starts.len()).or_default() += 1;
            }
        }
        let capped = |kind: u8, cap: u32| -> u32 {
            by_day.iter().filter(|((k, _), _)| *k == kind).map(|(_, n)| (*n).min(cap)).sum()
        };
        let want_day = capped(0, per_day);
        let want_visit: u32 = by_visit.values().map(|n| (*n).min(per_session)).sum();
        let want_dl = capped(2, per_day).min(total);
        for e in [&a, &b] {
            let rules = &e.state().rules;
            let counted = |id: &str| rules.get(id).map_or(0, |r| r.counted);
            prop_assert_eq!(counted("day"), want_day);
            prop_assert_eq!(counted("visit"), want_visit);
            prop_assert_eq!(counted("dl"), want_dl);
            for (id, cap) in [("day", per_day), ("dl", per_day)] {
                if let Some(r) = rules.get(id) {
                    prop_assert!(r.days.iter().all(|d| d.1 <= cap), "{:?}", r.days);
                }
            }
            if let Some(r) = rules.get("visit") {
                prop_assert!(r.visits.iter().all(|v| v.1 <= per_session), "{:?}", r.visits);
            }
            prop_assert!(e.explain(as_of).entries.iter().all(|x| x.cap_hit != Some(CapHit::Late)));
        }
    }
}
