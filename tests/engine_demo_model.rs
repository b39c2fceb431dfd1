//! The demo model (tests/fixtures/models/demo.model.json) validates and the seed journey
//! qualifies as MQL with one handoff.

use baton::json::json;
use baton::model::Model;
use baton::stage::Stage;
use baton::Engine;

fn demo() -> Model {
    Model::from_json(include_str!("fixtures/models/demo.model.json")).expect("demo model is valid")
}

#[test]
fn demo_model_is_valid() {
    let m = demo();
    assert_eq!(m.version(), "1.0.0");
    assert_eq!(
        m.handoff().unwrap().endpoint,
        "http://127.0.0.1:8787/api/handoff"
    );
}

#[test]
fn seed_journey_qualifies_and_state_is_small() {
    let mut engine = Engine::new(demo());
    let t0 = 1_794_042_000_000; // 2026-11-02T09:00:00Z
    let day = 86_400_000;
    let events = [
        json!({"type": "page", "properties": {"url": "https://baton.example/?utm_source=linkedin"}, "timestamp": t0}),
        json!({"type": "page", "properties": {"path": "/pricing"}, "timestamp": t0 + 60_000}),
        json!({"type": "page", "properties": {"path": "/pricing"}, "timestamp": t0 + 3 * day}),
        json!({"type": "track", "event": "Asset Downloaded", "properties": {"path": "/resources/case-study-acme.pdf"}, "timestamp": t0 + 3 * day + 60_000}),
        json!({"type": "page", "properties": {"path": "/pricing"}, "timestamp": t0 + 7 * day}),
        json!({"type": "track", "event": "Asset Downloaded", "properties": {"path": "/resources/case-study-globex.pdf"}, "timestamp": t0 + 7 * day + 60_000}),
        json!({"type": "identify", "userId": "u-dana", "traits": {"title": "Director", "employees": 500, "email": "dana@globex.example"}, "timestamp": t0 + 7 * day + 120_000}),
    ];
    let mut handoffs = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let mut e = e.clone();
        e["anonymousId"] = json!("anon-dana");
        e["messageId"] = json!(format!("m{i}"));
        let now = e["timestamp"].as_i64().unwrap();
        let out = engine.ingest_value(&e, now).unwrap();
        handoffs.extend(out.handoffs);
    }
    assert_eq!(engine.stage(), Stage::Mql);
    assert_eq!(handoffs.len(), 1);
    let h = &handoffs[0];
    assert_eq!(h.endpoint, "http://127.0.0.1:8787/api/handoff");
    assert_eq!(h.follow_up_by - h.entered_at, 60 * 60_000);
    assert_eq!(
        h.first_touch.as_ref().unwrap().utm.source.as_deref(),
        Some("linkedin")
    );
    assert!(h.score.total >= 50.0);
    assert_eq!(h.score.grade.as_deref(), Some("B"));
    // Goes cold when the first visit leaves the 30-day window ("3 visits in the last month"),
    // before decay takes the score under 50.
    let cold = engine.next_change(t0 + 7 * day).expect("will go cold");
    assert_eq!(cold.at, t0 + 30 * day + 1);
    assert_eq!(cold.stage, Stage::Mql);
    assert!(cold.total >= 50.0, "{cold:?}");
    assert!(
        engine.export_state().len() < 2600,
        "{}",
        engine.export_state()
    );
}
