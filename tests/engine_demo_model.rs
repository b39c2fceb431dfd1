//! The demo model (tests/fixtures/models/demo.model.json) validates and the seed journey
//! qualifies as MQL with one handoff.

use baton::model::Model;
use baton::stage::Stage;
use baton::Engine;
use serde_json::json;

fn demo() -> Model {
    Model::from_json(include_str!("fixtures/models/demo.model.json")).expect("demo model is valid")
}

#[test]
fn demo_model_is_valid() {
    let m = demo();
    assert_eq!(m.version(), "1.0.0");
    assert_eq!(m.handoff().unwrap().endpoint, "http://127.0.0.1:8787/api/handoff");
}
