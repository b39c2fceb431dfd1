//! The seed journey, shared by the Node and the browser wasm suites: the same engine must give
//! the same answer in both.

use baton::model::Model;
use baton::stage::Stage;
use baton::Engine;
use serde_json::Value;

const MODEL: &str = include_str!("../fixtures/models/demo.model.json");
const JOURNEY: &str = include_str!("../fixtures/journeys/seed.events.json");

pub fn seed_journey_qualifies() {
    let model = Model::from_json(MODEL).expect("demo model is valid");
    let mut engine = Engine::new(model);
    let events: Vec<Value> = serde_json::from_str(JOURNEY).unwrap();
    let mut handoffs = Vec::new();
    let mut last_ts = 0;
    for event in &events {
        let ts = baton::event::Event::from_value(event).unwrap().timestamp;
        last_ts = ts;
        let outcome = engine.ingest_value(event, ts).unwrap();
        handoffs.extend(outcome.handoffs);
    }
    assert_eq!(engine.stage(), Stage::Mql);
    assert_eq!(handoffs.len(), 1, "exactly one handoff for the journey");
    let score = engine.score(last_ts);
    assert!(score.total >= 50.0, "total {}", score.total);
    assert_eq!(handoffs[0].visitor_id, "dana@northwind.example");

    // Replaying the journey gives the same handoff id: receipt is idempotent.
    let mut again = Engine::new(Model::from_json(MODEL).unwrap());
    let mut ids = Vec::new();
    for event in &events {
        let ts = baton::event::Event::from_value(event).unwrap().timestamp;
        ids.extend(
            again
                .ingest_value(event, ts)
                .unwrap()
                .handoffs
                .into_iter()
                .map(|h| h.handoff_id),
        );
    }
    assert_eq!(ids, vec![handoffs[0].handoff_id.clone()]);
}

pub fn malformed_event_is_an_error_naming_the_field() {
    let mut engine = Engine::new(Model::from_json(MODEL).unwrap());
    let err = engine
        .ingest_value(
            &serde_json::json!({ "messageId": "x", "anonymousId": "a" }),
            0,
        )
        .unwrap_err();
    assert!(err.to_string().contains("type"), "{err}");
}
