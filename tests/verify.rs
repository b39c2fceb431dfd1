//! `verify_handoff`: a genuine payload verifies, a tampered one is refused with a reason naming
//! the field. The genuine payload is the one the engine itself builds for the packaging fixture
//! visitor (tests/packaging/fixture.json, scored with the demo model).
#![cfg(feature = "analytics")]

use baton::engine::Engine;
use baton::json::Value;
use baton::model::Model;
use baton::verify::{verify_handoff, Basis, Verification};

fn fixture() -> Value {
    serde_json::from_str(include_str!("packaging/fixture.json")).unwrap()
}

fn demo_model() -> Model {
    Model::from_json(include_str!("fixtures/models/demo.model.json")).unwrap()
}

fn millis(v: &Value) -> i64 {
    let text = v.as_str().unwrap();
    // The fixture's timestamps are whole UTC seconds: parse them with the engine's event parser.
    let probe = baton::json::json!({ "type": "page", "messageId": "t", "anonymousId": "t", "timestamp": text });
    baton::event::Event::from_value(&probe).unwrap().timestamp
}

/// The handoff the engine posts for the fixture visitor, and the visitor state it was built from
/// (exported right after that ingest).
fn genuine() -> (Model, Value, String) {
    let model = demo_model();
    let mut engine = Engine::new(model.clone());
    let mut handoffs = Vec::new();
    let mut state = String::new();
    for event in fixture()["events"].as_array().unwrap() {
        let now = millis(&event["timestamp"]);
        let out = engine.ingest_value(event, now).unwrap();
        if !out.handoffs.is_empty() {
            state = engine.export_state();
        }
        handoffs.extend(out.handoffs);
    }
    assert_eq!(
        handoffs.len(),
        1,
        "the fixture visitor is handed off exactly once"
    );
    (model, baton::json::to_value(&handoffs[0]).unwrap(), state)
}

fn with_state(mut payload: Value, state: &str) -> Value {
    payload["state"] = Value::String(state.to_string());
    payload
}

fn fields(v: &Verification) -> Vec<&str> {
    v.mismatches.iter().map(|m| m.field.as_str()).collect()
}

fn unverifiable(v: &Verification) -> Vec<&str> {
    v.unverifiable.iter().map(|m| m.field.as_str()).collect()
}

/// Parts a payload rebuilt from its ledger takes as given (they feed no score): listed whenever
/// the payload carries them, so that `complete` is never true while they are unchecked.
const PAYLOADS_WORD: [&str; 4] = ["history", "firstTouch", "lastTouch", "anonymousId"];

/// Verified, and nothing left open but the parts no score depends on.
fn verified_but_for_the_payloads_word(v: &Verification) -> bool {
    v.ok && v
        .unverifiable
        .iter()
        .all(|m| PAYLOADS_WORD.contains(&m.field.as_str()))
}

#[test]
fn a_genuine_payload_verifies_from_its_ledger() {
    let (model, payload, _) = genuine();
    let v = verify_handoff(&payload, &model);
    assert!(v.ok, "{:#?}", v.mismatches);
    assert_eq!(v.basis, Basis::Ledger);
    assert_eq!(v.handoff_id, payload["handoffId"].as_str().unwrap());
    // The demo's MQL criteria count visits, which a payload without state does not carry;
    // history, attribution and the anonymousId of an identified visitor feed no score.
    assert!(!v.complete);
    assert_eq!(
        unverifiable(&v),
        ["stage", "history", "firstTouch", "lastTouch", "anonymousId"],
        "{:#?}",
        v.unverifiable
    );
    assert!(
        v.unverifiable[0].reason.contains("visits"),
        "{}",
        v.unverifiable[0].reason
    );
}

#[test]
fn a_genuine_payload_with_its_state_verifies_completely() {
    let (model, payload, state) = genuine();
    let v = verify_handoff(&with_state(payload, &state), &model);
    assert!(v.ok && v.complete, "{v:#?}");
    assert_eq!(v.basis, Basis::State);
}

/// Each tampering, applied to both bases, must be refused with the named field.
#[test]
fn tampered_payloads_are_refused_with_the_field_and_a_reason() {
    let (model, genuine_payload, state) = genuine();
    type Tamper = fn(&mut Value);
    // (what, tampering, field refused from the ledger, field refused from the state)
    let cases: [(&str, Tamper, &str, &str); 10] = [
        (
            "score raised",
            |p| p["score"]["total"] = 99.0.into(),
            "score.total",
            "score.total",
        ),
        (
            "fit raised",
            |p| p["score"]["fit"] = 50.0.into(),
            "score.fit",
            "score.fit",
        ),
        (
            "grade raised",
            |p| p["score"]["grade"] = "A".into(),
            "score.grade",
            "score.grade",
        ),
        (
            "ledger points doubled",
            |p| p["ledger"][1]["countedPoints"] = 20.0.into(),
            "ledger[1].countedPoints",
            "ledger[1].countedPoints",
        ),
        (
            "ledger raw points",
            |p| p["ledger"][2]["rawPoints"] = 30.0.into(),
            "ledger[2].rawPoints",
            "ledger[2].rawPoints",
        ),
        (
            "ledger entry dropped",
            |p| drop(p["ledger"].as_array_mut().unwrap().remove(0)),
            "score.total",
            "ledger",
        ),
        (
            "handoffId changed",
            |p| p["handoffId"] = "0000".into(),
            "handoffId",
            "handoffId",
        ),
        (
            "SLA stretched",
            |p| p["followUpBy"] = (p["followUpBy"].as_i64().unwrap() + 86_400_000).into(),
            "followUpBy",
            "followUpBy",
        ),
        (
            "routed elsewhere",
            |p| p["routing"]["owner"] = "me@attacker.example".into(),
            "routing.owner",
            "routing.owner",
        ),
        // From the ledger the traits are taken as given, so the fit they earn no longer matches;
        // from the state the traits themselves differ.
        (
            "title forged",
            |p| p["traits"]["title"] = "Student".into(),
            "score.fit",
            "traits.title",
        ),
    ];
    for (what, tamper, ledger_field, state_field) in cases {
        for (payload, field) in [
            (genuine_payload.clone(), ledger_field),
            (with_state(genuine_payload.clone(), &state), state_field),
        ] {
            let mut forged = payload;
            tamper(&mut forged);
            let v = verify_handoff(&forged, &model);
            assert!(!v.ok, "{what}: accepted\n{v:#?}");
            let m = v.mismatches.iter().find(|m| m.field == field);
            let m = m.unwrap_or_else(|| panic!("{what}: no mismatch on {field}: {:?}", fields(&v)));
            assert!(!m.reason.is_empty());
            assert_ne!(m.claimed, m.recomputed, "{what}");
        }
    }
}

#[test]
fn a_forged_event_in_the_ledger_is_refused() {
    let (model, payload, _) = genuine();
    // An extra "Demo Requested" match the visitor never earned (30 intent points) ...
    let mut forged = payload.clone();
    let mut extra = forged["ledger"][0].clone();
    extra["ruleId"] = "demo-request".into();
    extra["rawPoints"] = 30.0.into();
    extra["countedPoints"] = 30.0.into();
    extra["group"] = "intent".into();
    forged["ledger"].as_array_mut().unwrap().push(extra);
    let v = verify_handoff(&forged, &model);
    // ... re-scores to a higher total than the payload claims: the payload contradicts itself.
    assert!(!v.ok);
    assert!(fields(&v).contains(&"score.total"), "{:?}", fields(&v));
    // An event naming a rule the model does not have.
    let mut forged = payload;
    forged["ledger"][0]["ruleId"] = "vip-visitor".into();
    let v = verify_handoff(&forged, &model);
    assert!(fields(&v).contains(&"ledger[0].ruleId"), "{:?}", fields(&v));
    assert!(v
        .mismatches
        .iter()
        .any(|m| m.reason.contains("no behaviour rule \"vip-visitor\"")));
}

#[test]
fn a_forged_state_is_refused_or_contradicts_the_claim() {
    let (model, payload, state) = genuine();
    // A state from which the claimed score does not follow: the accumulators were emptied.
    let mut st: Value = serde_json::from_str(&state).unwrap();
    st["r"] = baton::json::json!({});
    let v = verify_handoff(&with_state(payload.clone(), &st.to_string()), &model);
    assert!(!v.ok);
    assert!(fields(&v).contains(&"score.total"), "{:?}", fields(&v));
    // Garbage state: refused with the state's own error.
    let v = verify_handoff(&with_state(payload, "{\"v\":99}"), &model);
    assert_eq!(fields(&v), ["state"]);
    assert!(
        v.mismatches[0].reason.contains("invalid state"),
        "{}",
        v.mismatches[0].reason
    );
}

#[test]
fn another_model_is_named_as_the_reason() {
    let (model, payload, _) = genuine();
    let mut forged = payload.clone();
    forged["model"]["hash"] = "0123456789abcdef0123456789abcdef".into();
    let v = verify_handoff(&forged, &model);
    assert_eq!(fields(&v), ["model.hash"]);
    assert_eq!(v.basis, Basis::None);
    // The real payload against a different model: the same single, clear reason.
    let mut doc: Value =
        serde_json::from_str(include_str!("fixtures/models/demo.model.json")).unwrap();
    doc["version"] = "1.0.1".into();
    let other = Model::from_value(&doc).unwrap();
    let v = verify_handoff(&payload, &other);
    assert_eq!(fields(&v), ["model.hash"]);
    assert!(v.mismatches[0].reason.contains("another model"));
}

#[test]
fn a_stage_without_the_points_is_refused() {
    // A model with a score-only MQL: the criteria are settled from the payload's ledger alone.
    let model = Model::from_json(
        r#"{"version":"1","rules":[{"id":"demo","points":60,"when":{"event":"Demo Requested"}},
            {"id":"pricing","points":10,"when":{"path":"/pricing"}}],
            "stages":{"mql":{"score":"total","gte":50}},
            "handoff":{"stage":"mql","endpoint":"/api/handoff"}}"#,
    )
    .unwrap();
    let mut engine = Engine::new(model.clone());
    let at = 1_800_000_000_000;
    let event = baton::json::json!({"type":"track","event":"Demo Requested","messageId":"d1","anonymousId":"a1","timestamp":at});
    let payload =
        baton::json::to_value(&engine.ingest_value(&event, at).unwrap().handoffs[0]).unwrap();
    let v = verify_handoff(&payload, &model);
    assert!(verified_but_for_the_payloads_word(&v), "{v:#?}");
    // Swap the demo request for a pricing view and claim the same MQL: 10 points do not make one.
    let mut forged = payload;
    forged["ledger"][0]["ruleId"] = "pricing".into();
    forged["ledger"][0]["rawPoints"] = 10.0.into();
    forged["ledger"][0]["countedPoints"] = 10.0.into();
    forged["score"]["total"] = 10.0.into();
    forged["score"]["engagement"] = 10.0.into();
    forged["score"]["groups"]["engagement"] = 10.0.into();
    // Sent as an earlier version's payload (no `explanation`, whose parts would differ too).
    forged.as_object_mut().unwrap().remove("explanation");
    let v = verify_handoff(&forged, &model);
    assert!(!v.ok);
    assert_eq!(fields(&v), ["stage"], "{v:#?}");
    assert!(v.mismatches[0]
        .reason
        .contains("does not meet the \"mql\" criteria"));
}

mod random_visitors {
    //! Invariant over random visitors: every handoff the engine posts verifies (from its state
    //! completely, from its ledger without a mismatch), and a raised score never verifies.
    use super::*;
    use baton::json::json;
    use proptest::prelude::*;

    const T0: i64 = 1_794_009_600_000;
    const PATHS: [&str; 6] = [
        "/",
        "/pricing",
        "/blog/a",
        "/careers",
        "/about",
        "/?utm_source=linkedin",
    ];
    const TITLES: [&str; 4] = [
        "Director of Marketing",
        "VP Sales",
        "Marketing Manager",
        "Student",
    ];

    /// (kind, pick, gap in ms) → events of one visitor, time-ordered.
    fn events(steps: &[(u8, usize, i64)]) -> Vec<Value> {
        let mut t = T0;
        steps
            .iter()
            .enumerate()
            .map(|(i, (kind, pick, gap))| {
                t += gap;
                let id = format!("r{i}");
                match kind {
                    0..=5 => json!({"type": "page", "messageId": id, "anonymousId": "anon", "timestamp": t,
                        "properties": {"url": format!("https://x.test{}", PATHS[pick % PATHS.len()])}}),
                    6..=8 => json!({"type": "track", "event": "Asset Downloaded", "messageId": id, "anonymousId": "anon",
                        "timestamp": t, "properties": {"path": format!("/resources/{pick}.pdf"), "category": "case-study"}}),
                    _ => json!({"type": "identify", "messageId": id, "anonymousId": "anon", "userId": "u", "timestamp": t,
                        "traits": {"title": TITLES[pick % TITLES.len()], "employees": (pick * 60) as i64, "email": "x@corp.example"}}),
                }
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn genuine_handoffs_verify_and_raised_scores_do_not(
            steps in prop::collection::vec((0u8..10, 0usize..40, prop_oneof![0i64..600_000, 0i64..(2 * 86_400_000)]), 1..40),
            raise in 1.0f64..40.0,
        ) {
            let model = demo_model();
            let mut engine = Engine::new(model.clone());
            for event in events(&steps) {
                let now = event["timestamp"].as_i64().unwrap();
                let out = engine.ingest_value(&event, now).unwrap();
                for handoff in out.handoffs {
                    let payload = baton::json::to_value(&handoff).unwrap();
                    let full = with_state(payload.clone(), &engine.export_state());
                    let v = verify_handoff(&full, &model);
                    prop_assert!(v.ok && v.complete, "{v:#?}");
                    let v = verify_handoff(&payload, &model);
                    prop_assert!(v.ok, "{:#?}", v.mismatches);

                    let mut forged = full;
                    forged["score"]["total"] = (handoff.score.total + raise).into();
                    let v = verify_handoff(&forged, &model);
                    prop_assert!(!v.ok && fields(&v).contains(&"score.total"), "{v:#?}");
                }
            }
        }
    }
}

#[test]
fn a_bare_company_name_routes_the_same_from_the_ledger() {
    // Routing on the company trait, with the company given as text by an identify form.
    let model = Model::from_json(
        r#"{"version":"1","rules":[{"id":"demo","points":60,"when":{"event":"Demo Requested"}}],
            "stages":{"mql":{"score":"total","gte":50}},
            "handoff":{"stage":"mql","endpoint":"/h","routing":{"rules":[
              {"when":{"trait":"company","equals":"Northwind"},"owner":"key-accounts@x.example"}]}}}"#,
    )
    .unwrap();
    let mut engine = Engine::new(model.clone());
    let at = 1_800_000_000_000;
    let identify = baton::json::json!({"type":"identify","messageId":"i1","anonymousId":"a1","userId":"u1",
        "timestamp":at,"traits":{"email":"d@northwind.example","company":"Northwind"}});
    engine.ingest_value(&identify, at).unwrap();
    let demo = baton::json::json!({"type":"track","event":"Demo Requested","messageId":"d1","anonymousId":"a1","timestamp":at + 1});
    let handoff = engine
        .ingest_value(&demo, at + 1)
        .unwrap()
        .handoffs
        .remove(0);
    assert_eq!(
        handoff.routing.owner.as_deref(),
        Some("key-accounts@x.example")
    );
    let v = verify_handoff(&baton::json::to_value(&handoff).unwrap(), &model);
    assert!(verified_but_for_the_payloads_word(&v), "{v:#?}");
}

/// A model with a behaviour rule, a fit rule and trait routing, handing off at a score-only MQL,
/// carrying only the payload parts in `include`.
fn include_model(include: &[&str]) -> Model {
    let doc = baton::json::json!({
        "version": "1",
        "rules": [
            {"id": "demo", "points": 60, "when": {"event": "Demo Requested"}},
            {"id": "vp", "kind": "fit", "points": 5, "when": {"trait": "title", "contains": "VP"}}
        ],
        "stages": {"mql": {"score": "total", "gte": 50}},
        "handoff": {"stage": "mql", "endpoint": "/h", "include": include,
            "routing": {"rules": [{"when": {"trait": "title", "contains": "VP"}, "owner": "vp-desk@x.example"}],
                "reps": ["a@x.example", "b@x.example"]}}
    });
    Model::from_value(&doc).unwrap()
}

/// The engine's own payload for a VP who requests a demo.
fn include_payload(model: &Model) -> Value {
    let mut engine = Engine::new(model.clone());
    let at = 1_800_000_000_000;
    let identify = baton::json::json!({"type":"identify","messageId":"i","anonymousId":"a","userId":"u",
        "timestamp":at,"traits":{"title":"VP Sales"}});
    engine.ingest_value(&identify, at).unwrap();
    let demo = baton::json::json!({"type":"track","event":"Demo Requested","messageId":"t","anonymousId":"a",
        "userId":"u","timestamp":at + 1});
    let out = engine.ingest_value(&demo, at + 1).unwrap();
    baton::json::to_value(&out.handoffs[0]).unwrap()
}

#[test]
fn every_include_subset_verifies_genuine_payloads_and_refuses_what_it_can_check() {
    const PARTS: [&str; 5] = ["traits", "attribution", "ledger", "history", "stages"];
    for bits in 1u32..32 {
        let include: Vec<&str> = (0..5)
            .filter(|i| bits & (1 << i) != 0)
            .map(|i| PARTS[i])
            .collect();
        let has = |part: &str| include.contains(&part);
        let model = include_model(&include);
        let payload = include_payload(&model);

        // Genuine: never refused for what it leaves out; what it leaves out is listed.
        let v = verify_handoff(&payload, &model);
        assert!(v.ok, "{include:?}: {:#?}", v.mismatches);
        let open = unverifiable(&v);
        assert_eq!(
            open.contains(&"ledger"),
            !has("ledger"),
            "{include:?}: {open:?}"
        );
        assert_eq!(
            open.contains(&"traits"),
            !has("traits"),
            "{include:?}: {open:?}"
        );
        assert_eq!(
            open.contains(&"history"),
            has("history"),
            "{include:?}: {open:?}"
        );
        assert_eq!(
            open.contains(&"firstTouch"),
            has("attribution"),
            "{include:?}: {open:?}"
        );
        assert!(
            !v.complete,
            "{include:?}: the anonymousId of an identified visitor is open"
        );

        // A raised behaviour score: refused when the ledger is there to re-score.
        let mut forged = payload.clone();
        forged["score"]["engagement"] = 600.0.into();
        forged["score"]["total"] = 605.0.into();
        let v = verify_handoff(&forged, &model);
        assert_eq!(v.ok, !has("ledger"), "{include:?}: {v:#?}");
        if has("ledger") {
            assert!(fields(&v).contains(&"score.engagement"), "{include:?}");
        } else {
            assert!(
                unverifiable(&v).contains(&"score.engagement"),
                "{include:?}"
            );
            assert!(!v.complete);
        }

        // A raised fit score: refused when the traits are there.
        let mut forged = payload.clone();
        forged["score"]["fit"] = 50.0.into();
        let v = verify_handoff(&forged, &model);
        assert_eq!(v.ok, !has("traits"), "{include:?}: {v:#?}");
        if has("traits") {
            assert!(fields(&v).contains(&"score.fit"), "{include:?}");
        } else {
            assert!(unverifiable(&v).contains(&"score.fit"), "{include:?}");
        }

        // Rerouted: routing rules read traits.
        let mut forged = payload.clone();
        forged["routing"]["owner"] = "me@attacker.example".into();
        let v = verify_handoff(&forged, &model);
        assert_eq!(v.ok, !has("traits"), "{include:?}: {v:#?}");

        // A part the model leaves out, carried anyway, is refused: the engine never writes it.
        if !has("stages") {
            let mut forged = payload.clone();
            forged["stages"] = baton::json::json!([{"stage": "mql", "at": payload["enteredAt"]}]);
            assert!(!verify_handoff(&forged, &model).ok, "{include:?}");
        }
    }
}

/// The score-only MQL of the README, carrying no history nor attribution: an anonymous visitor's
/// payload is then settled completely, which makes every open part visible.
fn timed_model() -> Model {
    Model::from_json(
        r#"{"version":"1","rules":[{"id":"demo","points":60,"when":{"event":"Demo Requested"}},
            {"id":"p","points":5,"when":{"path":"/pricing"}}],
            "stages":{"mql":{"score":"total","gte":50}},
            "handoff":{"stage":"mql","endpoint":"/h","slaMinutes":60,"include":["ledger","stages","traits"]}}"#,
    )
    .unwrap()
}

const AT: i64 = 1_800_000_000_000;
const DAYS_3: i64 = 3 * 86_400_000;

fn timed_payload(model: &Model) -> Value {
    let mut engine = Engine::new(model.clone());
    let page = baton::json::json!({"type":"page","messageId":"p1","anonymousId":"a1","timestamp":AT - 3_600_000,
        "properties":{"path":"/pricing"}});
    engine.ingest_value(&page, AT - 3_600_000).unwrap();
    let demo = baton::json::json!({"type":"track","event":"Demo Requested","messageId":"d1","anonymousId":"a1","timestamp":AT});
    let out = engine.ingest_value(&demo, AT).unwrap();
    baton::json::to_value(&out.handoffs[0]).unwrap()
}

fn shift(p: &mut Value, field: &str, by: i64) {
    p[field] = (p[field].as_i64().unwrap() + by).into();
}

fn shift_stages(p: &mut Value, by: i64) {
    for s in p["stages"].as_array_mut().unwrap() {
        s["at"] = (s["at"].as_i64().unwrap() + by).into();
    }
}

#[test]
fn the_times_of_a_payload_are_checked() {
    let model = timed_model();
    let payload = timed_payload(&model);
    let v = verify_handoff(&payload, &model);
    assert!(v.ok && v.complete, "{v:#?}");

    type Tamper = fn(&mut Value);
    let refused: [(&str, Tamper, &str); 7] = [
        (
            "backdated to before the first event",
            |p| {
                shift(p, "enteredAt", -DAYS_3);
                shift(p, "followUpBy", -DAYS_3);
                shift_stages(p, -DAYS_3);
            },
            "stage",
        ),
        (
            "backdated to before the demo request (5 points then)",
            |p| {
                shift(p, "enteredAt", -60_000);
                shift(p, "followUpBy", -60_000);
                shift_stages(p, -60_000);
            },
            "stage",
        ),
        (
            "postdated past createdAt",
            |p| {
                shift(p, "enteredAt", DAYS_3);
                shift(p, "followUpBy", DAYS_3);
                shift_stages(p, DAYS_3);
            },
            "enteredAt",
        ),
        (
            "ledger dated after createdAt",
            |p| {
                for e in p["ledger"].as_array_mut().unwrap() {
                    e["timestamp"] = (e["timestamp"].as_i64().unwrap() + 5 * 86_400_000).into();
                }
            },
            "ledger[0].timestamp",
        ),
        (
            "stages emptied",
            |p| p["stages"] = baton::json::json!([]),
            "stages",
        ),
        (
            "a stage the model never enters",
            |p| {
                let at = p["enteredAt"].clone();
                p["stages"]
                    .as_array_mut()
                    .unwrap()
                    .push(baton::json::json!({"stage": "sql", "at": at}));
            },
            "stages[1].stage",
        ),
        (
            "an earlier mql entry",
            |p| {
                let at = p["enteredAt"].as_i64().unwrap();
                p["stages"].as_array_mut().unwrap().insert(
                    0,
                    baton::json::json!({"stage": "mql", "at": at - 3_600_000}),
                );
            },
            "stages[1]",
        ),
    ];
    for (what, tamper, field) in refused {
        let mut forged = payload.clone();
        tamper(&mut forged);
        let v = verify_handoff(&forged, &model);
        assert!(!v.ok, "{what}: accepted\n{v:#?}");
        let m = v.mismatches.iter().find(|m| m.field == field);
        let m = m.unwrap_or_else(|| panic!("{what}: no mismatch on {field}: {:?}", fields(&v)));
        assert!(!m.reason.is_empty(), "{what}");
    }

    // Postdated together with createdAt (a fresh SLA): every time is consistent, but the ledger
    // shows the criteria met three days earlier. Not provably forged (an event may be ingested
    // late), never `complete`.
    let mut forged = payload.clone();
    for field in ["enteredAt", "createdAt", "followUpBy"] {
        shift(&mut forged, field, DAYS_3);
    }
    forged["score"]["asOf"] = forged["createdAt"].clone();
    shift_stages(&mut forged, DAYS_3);
    let v = verify_handoff(&forged, &model);
    assert!(!v.complete, "{v:#?}");
    assert_eq!(unverifiable(&v), ["enteredAt"], "{v:#?}");
    assert!(v.unverifiable[0].reason.contains("already met"));
    assert_eq!(v.unverifiable[0].recomputed, Value::from(AT));
}

#[test]
fn history_attribution_and_anonymous_id_are_listed_as_the_payloads_word() {
    let model = Model::from_json(
        r#"{"version":"1","rules":[{"id":"demo","points":60,"when":{"event":"Demo Requested"}}],
            "stages":{"mql":{"score":"total","gte":50}},
            "handoff":{"stage":"mql","endpoint":"/h"}}"#,
    )
    .unwrap();
    let mut engine = Engine::new(model.clone());
    let demo = baton::json::json!({"type":"track","event":"Demo Requested","messageId":"d1","anonymousId":"a1",
        "userId":"u1","timestamp":AT,"context":{"page":{"path":"/demo"}}});
    let payload =
        baton::json::to_value(&engine.ingest_value(&demo, AT).unwrap().handoffs[0]).unwrap();
    let mut forged = payload.clone();
    forged["history"] =
        baton::json::json!([{"at": AT, "type": "track", "label": "Signed Contract"}]);
    forged["firstTouch"] = baton::json::json!({"at": AT - 1, "utm": {"source": "partner-x"}});
    forged["anonymousId"] = "someone-else".into();
    for p in [payload, forged] {
        let v = verify_handoff(&p, &model);
        assert!(v.ok && !v.complete, "{v:#?}");
        assert_eq!(
            unverifiable(&v),
            ["history", "firstTouch", "lastTouch", "anonymousId"],
            "{v:#?}"
        );
    }
}
