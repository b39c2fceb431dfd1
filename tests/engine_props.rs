//! Invariants under random input (proptest): determinism, incremental == batch replay, caps
//! never exceeded, no rise with time alone, limits hold, bounded state, no panics.

use baton::event::Event;
use baton::json::{json, Value};
use baton::model::Model;
use baton::replay::{replay, visitor_result};
use baton::Engine;
use proptest::prelude::*;

const T0: i64 = 1_794_009_600_000;
const DAY: i64 = 86_400_000;

fn demo() -> Model {
    Model::from_json(include_str!("fixtures/models/demo.model.json")).unwrap()
}

/// A model with every cap kind, both decays, group and total limits and window criteria.
fn caps_model() -> Model {
    Model::from_value(&json!({
        "version": "p",
        "decay": {"halfLifeDays": 3},
        "groups": {"engagement": {"min": -15, "max": 40}, "intent": {"max": 35}},
        "limits": {"total": {"min": 0, "max": 60}},
        "rules": [
            {"id": "view", "points": 2, "when": {"type": "page"}, "cap": {"perDay": 3}},
            {"id": "pricing", "group": "intent", "points": 10, "when": {"path": "/pricing"}, "cap": {"perSession": 1}},
            {"id": "dl", "group": "intent", "points": 5, "when": {"event": "Asset Downloaded"}, "cap": {"total": 4},
             "decay": {"linearPercent": 20, "periodDays": 2}},
            {"id": "demo", "group": "intent", "points": 25, "when": {"event": "Demo Requested"}, "cap": {"once": true}, "decay": "none"},
            {"id": "careers", "points": -8, "when": {"path": "/careers"}, "cap": {"perSession": 2, "perDay": 3}},
            {"id": "senior", "kind": "fit", "points": 15, "when": {"trait": "title", "containsWord": ["VP", "Director"]}}
        ],
        "stages": {"mql": {"all": [{"score": "total", "gte": 30}, {"matches": "dl", "atLeast": 2, "withinDays": 14}, {"visits": 2, "withinDays": 30}]}},
        "handoff": {"stage": "mql", "endpoint": "/h", "routing": {"reps": ["a", "b"]}}
    }))
    .unwrap()
}

const PATHS: [&str; 8] = [
    "/",
    "/pricing",
    "/blog/post",
    "/resources/guide.pdf",
    "/careers",
    "/pricing/",
    "/about",
    "/?utm_source=linkedin",
];
const NAMES: [&str; 4] = [
    "Asset Downloaded",
    "Demo Requested",
    "Webinar Attended",
    "Unsubscribed",
];
const TITLES: [&str; 5] = [
    "Director of Marketing",
    "VP Sales",
    "Engineer",
    "Marketing Manager",
    "Student",
];

#[derive(Debug, Clone)]
struct Step {
    kind: u8,
    pick: usize,
    gap_ms: i64,
    msg: u16,
}

fn steps(max: usize) -> impl Strategy<Value = Vec<Step>> {
    steps_in(1, max)
}

fn steps_in(min: usize, max: usize) -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            0u8..10,
            0usize..64,
            prop_oneof![0i64..120_000, 0i64..7_200_000, 0i64..(3 * DAY)],
            0u16..2000,
        )
            .prop_map(|(kind, pick, gap_ms, msg)| Step {
                kind,
                pick,
                gap_ms,
                msg,
            }),
        min..max,
    )
}

/// One visitor's events from the steps; message ids repeat now and then (duplicates).
fn events_of(steps: &[Step]) -> Vec<Value> {
    let mut t = T0;
    steps
        .iter()
        .map(|s| {
            t += s.gap_ms;
            let id = format!("m{}", s.msg);
            match s.kind {
                0..=5 => json!({"type": "page", "messageId": id, "anonymousId": "anon", "timestamp": t,
                               "properties": {"url": format!("https://x.test{}", PATHS[s.pick % PATHS.len()])}}),
                6..=8 => json!({"type": "track", "messageId": id, "anonymousId": "anon", "timestamp": t,
                                "event": NAMES[s.pick % NAMES.len()], "properties": {"category": "case-study", "path": "/resources/a.pdf"}}),
                _ => json!({"type": "identify", "messageId": id, "anonymousId": "anon", "userId": "user", "timestamp": t,
                            "traits": {"title": TITLES[s.pick % TITLES.len()], "employees": (s.pick * 40) as i64, "email": "x@corp.example"}}),
            }
        })
        .collect()
}

fn parse_all(values: &[Value]) -> Vec<Event> {
    values
        .iter()
        .map(|v| Event::from_value(v).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn deterministic(s in steps(60)) {
        for model in [demo(), caps_model()] {
            let run = || {
                let mut e = Engine::new(model.clone());
                let outs: Vec<_> = events_of(&s).iter().map(|v| e.ingest_value(v, v["timestamp"].as_i64().unwrap()).unwrap()).collect();
                (e.export_state(), serde_json::to_string(&outs).unwrap())
            };
            prop_assert_eq!(run(), run());
        }
    }

    #[test]
    fn incremental_equals_batch_replay(s in steps(60), reload_every in 1usize..8) {
        for model in [demo(), caps_model()] {
            let events = parse_all(&events_of(&s));
            let as_of = events.last().unwrap().timestamp + DAY;
            let mut engine = Engine::new(model.clone());
            let mut handoffs = Vec::new();
            for (i, e) in events.iter().enumerate() {
                if i % reload_every == 0 {
                    engine = Engine::with_state(model.clone(), &engine.export_state()).unwrap();
                }
                handoffs.extend(engine.ingest(e.clone(), e.timestamp).handoffs);
            }
            let incremental = visitor_result(&engine, handoffs, as_of);
            let batch = replay(&model, &events, as_of);
            prop_assert_eq!(batch.len(), 1);
            prop_assert_eq!(&batch[0], &incremental);
        }
    }

    #[test]
    fn caps_and_limits_hold_and_time_alone_never_raises_the_score(s in steps(80), probes in prop::collection::vec(0i64..(400 * DAY), 1..6)) {
        let model = caps_model();
        let events = parse_all(&events_of(&s));
        let mut engine = Engine::new(model.clone());
        for e in &events {
            engine.ingest(e.clone(), e.timestamp);
        }
        let last = events.iter().map(|e| e.timestamp).max().unwrap();
        let days: std::collections::BTreeSet<i64> = events.iter().map(|e| e.timestamp.div_euclid(DAY)).collect();
        let sessions = engine.state().sessions;
        let ex = engine.explain(last);
        for r in &ex.rules {
            let cap = model.rule(&r.rule_id).unwrap().cap;
            if let Some(n) = cap.total { prop_assert!(r.counted <= n, "{} total", r.rule_id); }
            if let Some(n) = cap.per_day { prop_assert!(r.counted as usize <= n as usize * days.len(), "{} per day", r.rule_id); }
            if let Some(n) = cap.per_session { prop_assert!(r.counted <= n * sessions, "{} per session", r.rule_id); }
            prop_assert!(r.counted <= r.matches);
        }
        let mut times: Vec<i64> = probes.iter().map(|p| last + p).collect();
        times.sort();
        let mut prev = engine.score(last);
        for t in times {
            let s = engine.score(t);
            prop_assert!(s.total <= prev.total, "total rose {} -> {} at {}", prev.total, s.total, t);
            prop_assert!(s.engagement <= prev.engagement);
            for (g, v) in &s.groups { prop_assert!(*v <= prev.groups[g], "group {} rose", g); }
            prop_assert!((0.0..=60.0).contains(&s.total));
            prop_assert!(s.groups["engagement"] >= -15.0 && s.groups["engagement"] <= 40.0);
            prop_assert!(s.groups["intent"] <= 35.0);
            prev = s;
        }
        // Stages never move backwards.
        let entries = engine.stage_entries();
        prop_assert!(entries.windows(2).all(|w| w[0].stage < w[1].stage && w[0].at <= w[1].at));
    }

    /// Events arriving with small time reorders (each swapped with one up to 8 places later)
    /// never exceed a cap: per UTC day (for every day, counted by the day of each event that
    /// counted), in total, and per visit as the engine counts visits.
    #[test]
    fn caps_hold_under_reordering(s in steps(80), swaps in prop::collection::vec((0usize..80, 1usize..9), 0..40)) {
        let model = caps_model();
        let mut events = parse_all(&events_of(&s));
        for (i, k) in swaps {
            if i + k < events.len() { events.swap(i, i + k); }
        }
        let mut engine = Engine::new(model.clone());
        let mut per_day: std::collections::BTreeMap<(String, i64), u32> = Default::default();
        for e in &events {
            let before: Vec<(String, u32)> = engine.state().rules.iter().map(|(k, r)| (k.clone(), r.counted)).collect();
            engine.ingest(e.clone(), e.timestamp);
            for (k, r) in engine.state().rules.iter() {
                let was = before.iter().find(|b| &b.0 == k).map_or(0, |b| b.1);
                if r.counted > was {
                    *per_day.entry((k.clone(), e.timestamp.div_euclid(DAY))).or_default() += r.counted - was;
                }
            }
        }
        for ((rule, day), n) in &per_day {
            if let Some(cap) = model.rule(rule).unwrap().cap.per_day {
                prop_assert!(*n <= cap, "{} counted {} on day {}", rule, n, day);
            }
        }
        let sessions = engine.state().sessions;
        for (id, r) in engine.state().rules.iter() {
            let cap = model.rule(id).unwrap().cap;
            if let Some(n) = cap.total { prop_assert!(r.counted <= n); }
            if let Some(n) = cap.per_session { prop_assert!(r.counted <= n * sessions); }
        }
    }

    /// The snippet's in-place restore from a JSON tree is `with_state` of the text: the same
    /// engine for a journey's state under its own model and under another, and for a mutated
    /// state text the same error with the engine left as it was.
    #[test]
    fn restoring_from_the_tree_equals_with_state(s in steps(40), cut in 0usize..2000, byte in any::<u8>()) {
        use baton::state::VisitorState;
        for (from, to) in [(demo(), demo()), (caps_model(), caps_model()), (demo(), caps_model()), (caps_model(), demo())] {
            let mut e = Engine::new(from);
            for v in events_of(&s) { let _ = e.ingest_value(&v, T0); }
            let text = e.export_state();
            let mut bytes = text.clone().into_bytes();
            let i = cut % bytes.len();
            bytes[i] = byte;
            let mutated = String::from_utf8_lossy(&bytes).into_owned();
            for t in [text, mutated] {
                let by_text = Engine::with_state(to.clone(), &t);
                let mut in_place = Engine::new(to.clone());
                let before = in_place.export_state();
                let restored = VisitorState::parse_text(&t).and_then(|tree| in_place.restore_state_value(tree));
                match (by_text, restored) {
                    (Ok(want), Ok(())) => {
                        prop_assert_eq!(in_place.export_state(), want.export_state());
                        prop_assert_eq!(in_place.score(T0 + DAY), want.score(T0 + DAY));
                    }
                    (Err(want), Err(got)) => {
                        prop_assert_eq!(got.to_string(), want.to_string());
                        prop_assert_eq!(in_place.export_state(), before.clone());
                    }
                    (want, got) => prop_assert!(false, "with_state {:?}, restore {:?}", want.map(|_| ()), got),
                }
            }
        }
    }

    #[test]
    fn no_panic_on_arbitrary_json(v in arb_json()) {
        let _ = Model::problems(&v);
        let _ = Model::from_value(&v);
        let _ = Event::from_value(&v);
        let mut e = Engine::new(demo());
        let _ = e.ingest_value(&v, T0);
        let _ = Engine::with_state(demo(), &v.to_string());
        let _ = baton::outbox::Outbox::import(&v.to_string());
    }

    #[test]
    fn no_panic_on_arbitrary_text(s in ".{0,200}") {
        let _ = Model::from_json(&s);
        let _ = Event::from_json(&s);
        let _ = Engine::with_state(demo(), &s);
        let _ = baton::event::parse_iso8601(&s);
    }

    #[test]
    fn no_panic_on_mutated_state(s in steps(30), cut in 0usize..2000, byte in any::<u8>()) {
        let mut e = Engine::new(demo());
        for v in events_of(&s) { let _ = e.ingest_value(&v, T0); }
        let mut bytes = e.export_state().into_bytes();
        if !bytes.is_empty() {
            let i = cut % bytes.len();
            bytes[i] = byte;
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Ok(mut resumed) = Engine::with_state(demo(), &text) {
            let _ = resumed.score(T0 + DAY);
            let _ = resumed.explain(T0 + DAY);
            let _ = resumed.next_change(T0);
            let _ = resumed.ingest_value(&json!({"type": "page", "anonymousId": "z", "timestamp": T0}), T0);
        }
    }

    #[test]
    fn no_panic_on_model_like_documents(rules in prop::collection::vec(arb_rule(), 1..6)) {
        let doc = json!({"version": "x", "rules": rules, "stages": {"mql": {"score": "total", "gte": 10}}});
        if let Ok(m) = Model::from_value(&doc) {
            let mut e = Engine::new(m);
            for v in events_of(&[Step { kind: 0, pick: 1, gap_ms: 0, msg: 1 }, Step { kind: 9, pick: 1, gap_ms: 5, msg: 2 }, Step { kind: 6, pick: 0, gap_ms: 5, msg: 3 }]) {
                e.ingest_value(&v, T0).unwrap();
            }
            let _ = e.explain(T0 + DAY);
            let _ = e.next_change(T0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

    /// Budget: ≤ 4 KB of state after 10,000 events from one visitor.
    #[test]
    fn state_stays_bounded(s in steps_in(40, 41)) {
        for model in [demo(), caps_model()] {
            let mut e = Engine::new(model);
            let mut max_len = 0;
            for round in 0..250 {
                for (i, v) in events_of(&s).into_iter().enumerate() {
                    let mut v = v;
                    v["messageId"] = json!(format!("r{round}-{i}"));
                    v["timestamp"] = json!(v["timestamp"].as_i64().unwrap() + round * 30 * DAY);
                    let now = v["timestamp"].as_i64().unwrap();
                    e.ingest_value(&v, now).unwrap();
                }
                max_len = max_len.max(e.export_state().len());
            }
            prop_assert_eq!(e.state().events + e.state().duplicates, 10_000);
            prop_assert!(max_len <= 4096, "state grew to {} bytes", max_len);
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| baton::json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just("page".to_string()),
            Just("track".to_string()),
            Just("/pricing".to_string()),
            ".{0,12}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_string()),
                    Just("timestamp".to_string()),
                    Just("anonymousId".to_string()),
                    Just("rules".to_string()),
                    Just("when".to_string()),
                    Just("version".to_string()),
                    Just("v".to_string()),
                    Just("properties".to_string()),
                    Just("traits".to_string()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_condition() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        prop::sample::select(vec!["page", "track", "identify", "nope"])
            .prop_map(|t| json!({"type": t})),
        prop::sample::select(vec!["/pricing", "/resources/*", "*", "", "/a?b*"])
            .prop_map(|p| json!({"path": p})),
        prop::sample::select(vec!["Asset *", "Demo Requested", "*"])
            .prop_map(|n| json!({"event": n})),
        (
            prop::sample::select(vec!["title", "employees", "email", "company.name"]),
            prop::sample::select(vec!["gte", "lte", "containsWord", "equals", "exists", "in"]),
            any::<i16>()
        )
            .prop_map(|(t, op, n)| match op {
                "containsWord" => json!({"trait": t, "containsWord": ["VP", "Head of"]}),
                "exists" => json!({"trait": t, "exists": n % 2 == 0}),
                "in" => json!({"trait": t, "in": [n, "x"]}),
                _ => json!({"trait": t, op: n}),
            }),
        (prop::sample::select(vec!["utm_source", "q"]), ".{0,5}")
            .prop_map(|(k, v)| json!({"query": k, "equals": v})),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({"all": v})),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({"any": v})),
            inner.prop_map(|c| json!({"not": c})),
        ]
    })
}

fn arb_rule() -> impl Strategy<Value = Value> {
    (
        "[a-c]{1,2}",
        prop_oneof![Just("behavior"), Just("fit")],
        -50i32..50,
        arb_condition(),
        prop_oneof![
            Just(Value::Null),
            Just(json!({"once": true})),
            (1u32..5).prop_map(|n| json!({"perDay": n})),
            (1u32..5).prop_map(|n| json!({"perSession": n, "total": n * 2})),
        ],
        prop_oneof![
            Just(Value::Null),
            Just(json!({"halfLifeDays": 2})),
            Just(json!({"linearPercent": 50, "periodDays": 1})),
            Just(json!("none"))
        ],
    )
        .prop_map(|(id, kind, points, when, cap, decay)| {
            let mut r = json!({"id": id, "kind": kind, "points": points, "when": when});
            if !cap.is_null() {
                r["cap"] = cap;
            }
            if !decay.is_null() {
                r["decay"] = decay;
            }
            r
        })
}

/// Fit rules on `identified` and on absent traits, and a stage criterion whose cheap part comes
/// last as written: what the engine's cached fit results and reordered criteria must not change.
fn fit_cache_model() -> Model {
    Model::from_value(&json!({
        "version": "f",
        "groups": {"fit": {"min": -10, "max": 30}},
        "rules": [
            {"id": "view", "points": 4, "when": {"type": "page"}, "cap": {"perDay": 4}},
            {"id": "known", "kind": "fit", "group": "fit", "points": 5, "when": {"identified": true}},
            {"id": "no-title", "kind": "fit", "group": "fit", "points": -3, "when": {"trait": "title", "exists": false}},
            {"id": "senior", "kind": "fit", "group": "fit", "points": 15, "when": {"trait": "title", "containsWord": ["VP", "Director"]}},
            {"id": "big", "kind": "fit", "group": "fit", "points": 10, "when": {"trait": "employees", "gte": 400}}
        ],
        "stages": {
            "known": {"any": [{"score": "fit", "gte": 12}, {"identified": true}]},
            "mql": {"all": [{"score": "total", "gte": 25}, {"visits": 2, "withinDays": 7}, {"trait": "employees", "gte": 200}]}
        }
    }))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// After every event the engine's score (fit results cached, refreshed on identity and
    /// trait changes) equals the score computed from its state alone, and a fresh engine
    /// resumed from the exported state reads the same.
    #[test]
    fn cached_reads_equal_reads_from_the_state(s in steps(60), user_on_page in 0usize..64) {
        for model in [fit_cache_model(), demo(), caps_model()] {
            let mut values = events_of(&s);
            // Some visitors are identified by a page view's userId, not by an identify call.
            for (i, v) in values.iter_mut().enumerate() {
                if v["type"] == "page" && i >= user_on_page {
                    v["userId"] = json!("user-from-page");
                }
            }
            let mut engine = Engine::new(model.clone());
            for e in parse_all(&values) {
                let out = engine.ingest(e.clone(), e.timestamp);
                let from_state = baton::score::score(&model, engine.state(), e.timestamp);
                prop_assert_eq!(&out.score, &from_state);
                let resumed = Engine::with_state(model.clone(), &engine.export_state()).unwrap();
                prop_assert_eq!(resumed.score(e.timestamp + DAY), engine.score(e.timestamp + DAY));
                prop_assert_eq!(resumed.explain(e.timestamp).score, engine.score(e.timestamp));
            }
        }
    }
}
