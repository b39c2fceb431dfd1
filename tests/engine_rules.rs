//! Worked-example tables for caps, decay, limits, stages, handoffs, dedupe, explain and
//! next_change.

use baton::json::{json, Value};
use baton::model::Model;
use baton::stage::Stage;
use baton::Engine;

const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;
/// 2026-11-02T00:00:00Z, a Monday.
const T0: i64 = 1_794_009_600_000;

fn model(v: Value) -> Model {
    Model::from_value(&v).unwrap_or_else(|e| panic!("{e}"))
}

fn one_rule(rule: Value) -> Model {
    let mut r = rule;
    r["id"] = json!("r");
    if r.get("when").is_none() {
        r["when"] = json!({"type": "page"});
    }
    model(json!({"version": "1", "rules": [r]}))
}

fn page_at(engine: &mut Engine, n: usize, t: i64, path: &str) {
    let v = json!({"type": "page", "messageId": format!("m{n}"), "anonymousId": "a", "timestamp": t, "properties": {"path": path}});
    engine.ingest_value(&v, t).unwrap();
}

fn run(m: &Model, times: &[i64]) -> Engine {
    let mut e = Engine::new(m.clone());
    for (i, t) in times.iter().enumerate() {
        page_at(&mut e, i, *t, "/");
    }
    e
}

#[test]
fn cap_table() {
    let h9 = T0 + 9 * HOUR;
    // (cap, event times, counted matches)
    let cases: Vec<(Value, Vec<i64>, f64)> = vec![
        (json!({"once": true}), vec![h9, h9 + DAY, h9 + 2 * DAY], 1.0),
        (
            json!({"total": 2}),
            vec![h9, h9 + 1, h9 + 2, h9 + DAY, h9 + 9 * DAY],
            2.0,
        ),
        // A session ends after 30 minutes without events.
        (
            json!({"perSession": 1}),
            vec![h9, h9 + 5 * MIN, h9 + 40 * MIN, h9 + 45 * MIN],
            2.0,
        ),
        (
            json!({"perSession": 1}),
            vec![h9, h9 + 29 * MIN, h9 + 58 * MIN, h9 + 87 * MIN],
            1.0,
        ),
        // UTC days.
        (
            json!({"perDay": 2}),
            vec![h9, h9 + HOUR, h9 + 2 * HOUR, h9 + DAY],
            3.0,
        ),
        (json!({"perDay": 1}), vec![T0 + DAY - 1, T0 + DAY], 2.0),
        (
            json!({"perSession": 2, "perDay": 3}),
            vec![
                h9,
                h9 + MIN,
                h9 + 2 * MIN,
                h9 + HOUR,
                h9 + HOUR + MIN,
                h9 + HOUR + 2 * MIN,
            ],
            3.0,
        ),
        (
            json!({"total": 3, "perDay": 1}),
            (0..5).map(|d| h9 + d * DAY).collect(),
            3.0,
        ),
        (
            json!({"perDay": 1000}),
            (0..50).map(|i| h9 + i * MIN).collect(),
            50.0,
        ),
    ];
    for (cap, times, expected) in cases {
        let m = one_rule(json!({"points": 1, "cap": cap.clone()}));
        let e = run(&m, &times);
        assert_eq!(e.score(h9 + 10 * DAY).total, expected, "cap {cap}");
        let ex = e.explain(h9 + 10 * DAY);
        assert_eq!(ex.rules[0].matches as usize, times.len());
        assert_eq!(f64::from(ex.rules[0].counted), expected);
        assert_eq!(ex.rules[0].capped as usize, times.len() - expected as usize);
    }
}

#[test]
fn decay_table() {
    let at = T0 + 12 * HOUR;
    // (rule decay override or model default, points, age, expected total)
    let cases: Vec<(Value, f64, i64, f64)> = vec![
        (json!("none"), 10.0, 400 * DAY, 10.0),
        (json!({"halfLifeDays": 7}), 10.0, 0, 10.0),
        (json!({"halfLifeDays": 7}), 10.0, 7 * DAY, 5.0),
        (json!({"halfLifeDays": 7}), 10.0, 14 * DAY, 2.5),
        (json!({"halfLifeDays": 7}), 10.0, 7 * DAY / 2, 7.07),
        (json!({"halfLifeDays": 7}), 10.0, 70 * DAY, 0.01),
        // Linear: periods aligned to UTC midnight for 1-day periods.
        (
            json!({"linearPercent": 50, "periodDays": 1}),
            10.0,
            11 * HOUR,
            10.0,
        ),
        (
            json!({"linearPercent": 50, "periodDays": 1}),
            10.0,
            12 * HOUR,
            5.0,
        ),
        (
            json!({"linearPercent": 50, "periodDays": 1}),
            10.0,
            36 * HOUR,
            0.0,
        ),
        (
            json!({"linearPercent": 10, "periodDays": 1}),
            10.0,
            3 * DAY,
            7.0,
        ),
        // Negative points never decay: a penalty does not wear off.
        (json!({"halfLifeDays": 7}), -10.0, 70 * DAY, -10.0),
    ];
    for (decay, points, age, expected) in cases {
        let m = one_rule(json!({"points": points, "decay": decay.clone()}));
        let e = run(&m, &[at]);
        assert_eq!(
            e.explain(at + age).score.engagement,
            expected,
            "{decay} {points} age {age}"
        );
    }
    // The model default applies when a rule has no override.
    let m = model(
        json!({"version": "1", "decay": {"halfLifeDays": 1}, "rules": [{"id": "r", "points": 8, "when": {"type": "page"}}]}),
    );
    assert_eq!(run(&m, &[at]).score(at + 3 * DAY).total, 1.0);
}

#[test]
fn limits_table() {
    let doc = |groups: Value, limits: Value| {
        model(json!({
            "version": "1", "groups": groups, "limits": limits,
            "rules": [
                {"id": "plus", "group": "engagement", "points": 10, "when": {"path": "/plus"}},
                {"id": "minus", "group": "penalty", "points": -10, "when": {"path": "/minus"}},
                {"id": "fit", "kind": "fit", "points": 10, "when": {"identified": false}}
            ]
        }))
    };
    // (groups, limits, pages visited, expected total, expected engagement, expected penalty)
    type Case<'a> = (Value, Value, Vec<&'a str>, f64, f64, f64);
    let cases: Vec<Case> = vec![
        (
            json!({}),
            json!({}),
            vec!["/plus", "/plus", "/plus"],
            40.0,
            30.0,
            0.0,
        ),
        (
            json!({"engagement": {"max": 15}}),
            json!({}),
            vec!["/plus", "/plus", "/plus"],
            25.0,
            15.0,
            0.0,
        ),
        (
            json!({"penalty": {"min": -5}}),
            json!({}),
            vec!["/minus", "/minus"],
            5.0,
            0.0,
            -5.0,
        ),
        (
            json!({}),
            json!({"total": {"max": 20}}),
            vec!["/plus", "/plus", "/plus"],
            20.0,
            30.0,
            0.0,
        ),
        (
            json!({}),
            json!({"total": {"min": 0}}),
            vec!["/minus", "/minus", "/minus"],
            0.0,
            0.0,
            -30.0,
        ),
        (
            json!({"engagement": {"min": 0, "max": 100}}),
            json!({"total": {"min": -100, "max": 100}}),
            vec!["/plus", "/minus"],
            10.0,
            10.0,
            -10.0,
        ),
    ];
    for (groups, limits, pages, total, engagement, penalty) in cases {
        let m = doc(groups.clone(), limits.clone());
        let mut e = Engine::new(m);
        for (i, p) in pages.iter().enumerate() {
            page_at(&mut e, i, T0 + i as i64 * MIN, p);
        }
        let s = e.score(T0 + HOUR);
        let label = format!("{groups} {limits} {pages:?}");
        assert_eq!(s.total, total, "{label}");
        assert_eq!(s.fit, 10.0, "{label}");
        assert_eq!(
            s.groups["engagement"],
            engagement.min(groups["engagement"]["max"].as_f64().unwrap_or(f64::MAX)),
            "{label}"
        );
        assert_eq!(s.groups["penalty"], penalty, "{label}");
    }
}

#[test]
fn grades_from_fit_bands() {
    for (fit_points, grade) in [
        (35.0, "A"),
        (30.0, "A"),
        (29.99, "B"),
        (20.0, "B"),
        (10.0, "C"),
        (0.5, "D"),
        (-1.0, "F"),
    ] {
        let m = model(json!({
            "version": "1", "grades": {"A": 30, "B": 20, "C": 10, "D": 0},
            "rules": [{"id": "emp", "kind": "fit", "points": fit_points, "when": {"trait": "employees", "exists": true}}]
        }));
        let mut e = Engine::new(m);
        e.ingest_value(&json!({"type": "identify", "userId": "u", "timestamp": T0, "traits": {"employees": 5}}), T0).unwrap();
        assert_eq!(
            e.score(T0).grade.as_deref(),
            Some(grade),
            "fit {fit_points}"
        );
    }
}

fn mql_model() -> Model {
    model(json!({
        "version": "1",
        "decay": {"halfLifeDays": 10},
        "rules": [{"id": "big", "points": 60, "when": {"event": "Demo Requested"}, "cap": {"once": true}}],
        "stages": {"mql": {"score": "total", "gte": 50}},
        "handoff": {"stage": "mql", "endpoint": "/api/handoff", "slaMinutes": 90, "routing": {
            "rules": [{"when": {"trait": "country", "in": ["DE"]}, "team": "emea"}],
            "reps": ["r1", "r2", "r3"]
        }}
    }))
}

#[test]
fn stages_move_forward_and_handoff_happens_once() {
    let m = mql_model();
    let mut e = Engine::new(m.clone());
    let demo = |id: &str, t: i64| json!({"type": "track", "event": "Demo Requested", "messageId": id, "anonymousId": "a1", "timestamp": t});
    let out = e.ingest_value(&demo("m1", T0), T0).unwrap();
    assert_eq!(out.stage, Stage::Mql);
    // known has no criteria in this model: the default (identified) does not hold.
    assert_eq!(out.stages_entered.len(), 1);
    assert_eq!(out.handoffs.len(), 1);
    let h = &out.handoffs[0];
    assert_eq!(h.entered_at, T0);
    assert_eq!(h.follow_up_by, T0 + 90 * MIN);
    assert_eq!(h.routing.matched, "fallback");
    assert!(["r1", "r2", "r3"].contains(&h.routing.owner.as_deref().unwrap()));
    assert_eq!(h.model.hash, m.hash());
    assert_eq!(h.ledger.len(), 1);
    assert_eq!(h.ledger[0].rule_id, "big");

    // Same message again: a duplicate, nothing changes.
    let dup = e.ingest_value(&demo("m1", T0), T0 + 1).unwrap();
    assert!(dup.duplicate);
    assert!(dup.handoffs.is_empty());

    // Score decays below the threshold: the stage stays, with its entry time.
    let later = T0 + 30 * DAY;
    assert!(e.score(later).total < 50.0);
    let out = e
        .ingest_value(&json!({"type": "page", "messageId": "m2", "anonymousId": "a1", "timestamp": later, "properties": {"path": "/"}}), later)
        .unwrap();
    assert_eq!(out.stage, Stage::Mql);
    assert!(out.handoffs.is_empty());
    assert_eq!(
        e.stage_entries(),
        &[baton::stage::StageEntry {
            stage: Stage::Mql,
            at: T0
        }]
    );

    // Identify later: known is below mql, so no backwards move.
    let out = e
        .ingest_value(&json!({"type": "identify", "messageId": "m3", "anonymousId": "a1", "userId": "u1", "timestamp": later + 1, "traits": {"country": "DE"}}), later + 1)
        .unwrap();
    assert!(out.stages_entered.is_empty());
    assert_eq!(e.visitor_id(), Some("u1"));

    // After a reload (export/import) the handoff is still not repeated.
    let mut resumed = Engine::with_state(m, &e.export_state()).unwrap();
    let out = resumed
        .ingest_value(&demo("m4", later + 2), later + 2)
        .unwrap();
    assert!(out.handoffs.is_empty());
}

#[test]
fn routing_first_matching_rule_wins() {
    let m = mql_model();
    let mut e = Engine::new(m);
    e.ingest_value(&json!({"type": "identify", "messageId": "i", "anonymousId": "a", "userId": "u", "timestamp": T0, "traits": {"country": "DE"}}), T0)
        .unwrap();
    let out = e
        .ingest_value(&json!({"type": "track", "event": "Demo Requested", "messageId": "d", "anonymousId": "a", "timestamp": T0 + 1}), T0 + 1)
        .unwrap();
    let h = &out.handoffs[0];
    assert_eq!(h.routing.team.as_deref(), Some("emea"));
    assert_eq!(h.routing.matched, "rules[0]");
    assert_eq!(
        h.handoff_id,
        baton::handoff::handoff_id("u", Stage::Mql, e.model().hash())
    );
    // The payload round-trips through JSON (receivers deserialize it).
    let back: baton::handoff::Handoff = serde_json::from_str(&h.to_json()).unwrap();
    assert_eq!(&back, h);
}

#[test]
fn next_change_says_when_the_visitor_goes_cold() {
    let m = mql_model();
    let mut e = Engine::new(m);
    e.ingest_value(&json!({"type": "track", "event": "Demo Requested", "messageId": "d", "anonymousId": "a", "timestamp": T0}), T0)
        .unwrap();
    let nc = e.next_change(T0).expect("goes cold");
    assert_eq!(nc.stage, Stage::Mql);
    // 60·½^(t/10d) drops below 49.995 (shown as 49.99 < 50).
    let expected = T0 as f64 + 10.0 * DAY as f64 * (60.0f64 / 49.995).log2();
    assert!(
        (nc.at as f64 - expected).abs() <= 2.0,
        "{} vs {expected}",
        nc.at
    );
    assert!(nc.total < 50.0);
    assert!(e.score(nc.at - 1).total >= 50.0);
    // Already cold: nothing left to change.
    assert_eq!(e.next_change(nc.at), None);
}

#[test]
fn next_change_for_windows() {
    let m = model(json!({
        "version": "1",
        "rules": [{"id": "dl", "points": 1, "when": {"event": "Asset Downloaded"}}],
        "stages": {"mql": {"matches": "dl", "atLeast": 2, "withinDays": 30}}
    }));
    let mut e = Engine::new(m);
    for (i, t) in [T0, T0 + 5 * DAY].iter().enumerate() {
        e.ingest_value(&json!({"type": "track", "event": "Asset Downloaded", "messageId": format!("m{i}"), "anonymousId": "a", "timestamp": t}), *t)
            .unwrap();
    }
    assert_eq!(e.stage(), Stage::Mql);
    // The first download leaves the 30-day window just after T0 + 30 days.
    assert_eq!(e.next_change(T0 + 5 * DAY).unwrap().at, T0 + 30 * DAY + 1);
}

#[test]
fn explain_lists_the_ledger() {
    let m = model(json!({
        "version": "1", "groups": {"engagement": {"max": 15}},
        "rules": [{"id": "p", "points": 10, "when": {"path": "/pricing"}, "cap": {"perSession": 1}, "decay": {"halfLifeDays": 1}}]
    }));
    let mut e = Engine::new(m);
    for (i, t) in [T0, T0 + MIN, T0 + DAY].iter().enumerate() {
        page_at(&mut e, i, *t, "/pricing");
    }
    let ex = e.explain(T0 + DAY);
    type Row = (String, i64, f64, f64, f64, Option<String>, bool);
    let rows: Vec<Row> = ex
        .entries
        .iter()
        .map(|l| {
            let cap = l.cap_hit.map(|c| {
                baton::json::to_value(c)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            });
            (
                l.label.clone(),
                l.timestamp,
                l.raw_points,
                l.decay_factor,
                l.counted_points,
                cap,
                l.group_clamped,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("/pricing".to_string(), T0, 10.0, 0.5, 5.0, None, false),
            (
                "/pricing".to_string(),
                T0 + MIN,
                10.0,
                1.0,
                0.0,
                Some("perSession".to_string()),
                false
            ),
            (
                "/pricing".to_string(),
                T0 + DAY,
                10.0,
                1.0,
                10.0,
                None,
                false
            ),
        ]
    );
    assert_eq!(ex.score.total, 15.0);
    assert_eq!(ex.groups[0].raw, 15.0);
    assert_eq!(ex.groups[0].clamp, None);
    // A third counted visit an hour later: 10·½^(25/24) + 10·½^(1/24) + 10 = 24.57 raw, clamped to 15.
    page_at(&mut e, 9, T0 + DAY + HOUR, "/pricing");
    let ex = e.explain(T0 + DAY + HOUR);
    assert_eq!(ex.groups[0].raw, 24.57);
    assert_eq!(ex.groups[0].clamp.as_deref(), Some("max"));
    assert_eq!(ex.score.total, 15.0);
    assert!(ex.entries.iter().all(|l| l.group_clamped));
}

#[test]
fn state_survives_export_and_rejects_garbage() {
    let m = mql_model();
    let mut e = Engine::new(m.clone());
    page_at(&mut e, 1, T0, "/");
    let text = e.export_state();
    let again = Engine::with_state(m.clone(), &text).unwrap();
    assert_eq!(again.export_state(), text);
    for bad in [
        "",
        "x",
        "[]",
        "{}",
        r#"{"v":9}"#,
        r#"{"v":2,"r":{"x":{"a":{"q":1}}}}"#,
        r#"{"v":2,"se":[{"stage":"nope","at":1}]}"#,
    ] {
        match Engine::with_state(m.clone(), bad) {
            Err(baton::Error::InvalidState(_)) => {}
            other => panic!("{bad}: {other:?}"),
        }
    }
    e.reset();
    assert_eq!(e.stage(), Stage::Anonymous);
    assert_eq!(e.score(T0).total, 0.0);
    // A reset engine is a new one: the same state bytes, stamped with the model's hash.
    assert_eq!(e.export_state(), Engine::new(m.clone()).export_state());
    assert!(e.export_state().contains(m.hash()));
}

/// The snippet restores its stored state from the record's JSON tree in place
/// (`restore_state_value`): the same engine as `with_state` of the text, under the same model
/// and under another (counters kept by rule id), the same error for a bad blob, and nothing
/// changed when it fails.
#[test]
fn restoring_from_the_tree_equals_with_state() {
    use baton::state::{check_text_len, VisitorState, MAX_TEXT_LEN};
    let m = mql_model();
    let mut e = Engine::new(m.clone());
    page_at(&mut e, 1, T0, "/");
    let demo = json!({"type": "track", "event": "Demo Requested", "messageId": "d", "anonymousId": "a", "timestamp": T0 + MIN});
    e.ingest_value(&demo, T0 + MIN).unwrap();
    let text = e.export_state();
    let other = model(json!({
        "version": "2",
        "rules": [{"id": "big", "points": 30, "when": {"event": "Demo Requested"}, "decay": "none"}]
    }));
    for target in [m.clone(), other] {
        let by_text = Engine::with_state(target.clone(), &text).unwrap();
        let mut in_place = Engine::new(target);
        in_place
            .restore_state_value(VisitorState::parse_text(&text).unwrap())
            .unwrap();
        assert_eq!(in_place.export_state(), by_text.export_state());
        assert_eq!(in_place.score(T0 + DAY), by_text.score(T0 + DAY));
    }
    // Under the same model: the state as it was written.
    let mut again = Engine::new(m.clone());
    again
        .restore_state_value(VisitorState::parse_text(&text).unwrap())
        .unwrap();
    assert_eq!(again.export_state(), text);
    assert_eq!(again.score(T0 + MIN).total, 60.0);
    for bad in [
        "[]",
        "{}",
        r#"{"v":9}"#,
        r#"{"v":2,"r":{"x":{"a":{"q":1}}}}"#,
        r#"{"v":2,"se":[{"stage":"nope","at":1}]}"#,
    ] {
        let want = Engine::with_state(m.clone(), bad).unwrap_err().to_string();
        let mut kept = e.clone();
        let got = kept
            .restore_state_value(serde_json::from_str(bad).unwrap())
            .unwrap_err()
            .to_string();
        assert_eq!(got, want, "{bad}");
        assert_eq!(kept.export_state(), text, "{bad}: engine changed");
    }
    // The length bound, exactly at its edge, with `with_state`'s message.
    assert!(check_text_len(MAX_TEXT_LEN).is_ok());
    let too_long = check_text_len(MAX_TEXT_LEN + 1).unwrap_err().to_string();
    assert_eq!(
        too_long,
        "invalid state: larger than 256 KB: not a visitor state"
    );
    let padded = format!("{}{}", " ".repeat(MAX_TEXT_LEN), text);
    assert_eq!(
        Engine::with_state(m, &padded).unwrap_err().to_string(),
        too_long
    );
}

#[test]
fn invalid_events_are_rejected_without_changing_state() {
    let mut e = Engine::new(mql_model());
    let before = e.export_state();
    for bad in [
        json!({"type": "track", "anonymousId": "a", "timestamp": T0}),
        json!({"type": "page"}),
        json!("page"),
    ] {
        assert!(e.ingest_value(&bad, T0).is_err(), "{bad}");
    }
    assert_eq!(e.export_state(), before);
}

#[test]
fn replay_links_identities() {
    let m = mql_model();
    let raw = [
        json!({"type": "page", "messageId": "1", "anonymousId": "laptop", "timestamp": T0, "properties": {"path": "/"}}),
        json!({"type": "page", "messageId": "2", "anonymousId": "phone", "timestamp": T0 + 1, "properties": {"path": "/"}}),
        json!({"type": "identify", "messageId": "3", "anonymousId": "laptop", "userId": "u1", "timestamp": T0 + 2, "traits": {"email": "a@b.example"}}),
        // Another device, now logged in: joins u1.
        json!({"type": "page", "messageId": "4", "anonymousId": "tablet", "userId": "u1", "timestamp": T0 + 3, "properties": {"path": "/"}}),
        // userId only (server-side track): joins u1.
        json!({"type": "track", "messageId": "5", "userId": "u1", "event": "Demo Requested", "timestamp": T0 + 4}),
        // The same message twice counts once.
        json!({"type": "track", "messageId": "5", "userId": "u1", "event": "Demo Requested", "timestamp": T0 + 4}),
    ];
    let events: Vec<_> = raw
        .iter()
        .map(|v| baton::event::Event::from_value(v).unwrap())
        .collect();
    let results = baton::replay::replay(&m, &events, T0 + 10);
    let ids: Vec<&str> = results.iter().map(|r| r.visitor_id.as_str()).collect();
    assert_eq!(ids, ["u1", "phone"]);
    assert_eq!(results[0].events, 4);
    assert_eq!(results[0].duplicates, 1);
    assert_eq!(results[0].stage, Stage::Mql);
    assert_eq!(results[0].handoffs.len(), 1);
    assert_eq!(results[0].rule_counts["big"], 1);
}

#[test]
fn state_carries_over_to_a_changed_model() {
    let v1 = model(json!({"version": "1", "decay": {"halfLifeDays": 10},
        "rules": [{"id": "p", "points": 8, "when": {"type": "page"}}, {"id": "gone", "points": 1, "when": {"type": "page"}}]}));
    let mut e = Engine::new(v1);
    page_at(&mut e, 1, T0, "/");
    // v2: no decay, one rule removed, one added.
    let v2 = model(json!({"version": "2",
        "rules": [{"id": "p", "points": 8, "when": {"type": "page"}}, {"id": "new", "points": 2, "when": {"type": "page"}}]}));
    let mut resumed = Engine::with_state(v2.clone(), &e.export_state()).unwrap();
    assert_eq!(
        resumed.score(T0 + 100 * DAY).total,
        8.0,
        "value at the switch is kept, then no decay"
    );
    page_at(&mut resumed, 2, T0 + DAY, "/");
    assert_eq!(resumed.score(T0 + DAY).total, 18.0);
    assert!(!resumed.state().rules.contains_key("gone"));
    assert!(resumed.export_state().contains(v2.hash()));
}

#[test]
fn handoff_flows_through_the_outbox() {
    use baton::outbox::{DeliveryResult, DeliveryState, Outbox};
    let m = mql_model();
    let mut e = Engine::new(m.clone());
    let out = e
        .ingest_value(&json!({"type": "track", "event": "Demo Requested", "messageId": "d", "anonymousId": "a", "timestamp": T0}), T0)
        .unwrap();
    let h = &out.handoffs[0];
    let mut outbox = Outbox::new(m.handoff().unwrap().retry);
    assert!(outbox.enqueue(&h.handoff_id, h.to_json(), T0));
    assert!(
        !outbox.enqueue(&h.handoff_id, h.to_json(), T0 + 5),
        "idempotent"
    );
    let due = outbox.due(T0);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempt, 1);
    outbox.begin(&due[0].handoff_id, T0).unwrap();
    let st = outbox
        .complete(
            &h.handoff_id,
            DeliveryResult::network_error("offline"),
            T0 + 100,
            42,
        )
        .unwrap();
    assert_eq!(st, DeliveryState::Pending);
    let wake = outbox.next_wake().unwrap();
    assert!(
        (T0 + 100 + 1_000..=T0 + 100 + 2_000).contains(&wake),
        "{wake}"
    );
    // Persisted between pages.
    let mut outbox = Outbox::import(&outbox.export()).unwrap();
    outbox.begin(&h.handoff_id, wake).unwrap();
    let st = outbox
        .complete(
            &h.handoff_id,
            DeliveryResult::Status {
                code: 202,
                retry_after_ms: None,
            },
            wake + 50,
            42,
        )
        .unwrap();
    assert_eq!(
        st,
        DeliveryState::Acknowledged {
            at: wake + 50,
            status: 202
        }
    );
    let body: baton::handoff::Handoff = serde_json::from_str(&outbox.entries()[0].body).unwrap();
    assert_eq!(&body, h);
    // The transport result's JSON form (what the bindings pass in).
    let r: DeliveryResult =
        baton::json::from_value(&json!({"status": {"code": 429, "retryAfterMs": 5000}})).unwrap();
    assert_eq!(
        r,
        DeliveryResult::Status {
            code: 429,
            retry_after_ms: Some(5000)
        }
    );
    let r: DeliveryResult = baton::json::from_value(&json!({"networkError": "timeout"})).unwrap();
    assert_eq!(r, DeliveryResult::NetworkError("timeout".into()));
}
