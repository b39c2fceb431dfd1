//! Scenario fixtures (tests/fixtures/scenarios/<name>.{model,events,expected}.json), shared with
//! the JS tests. Expected numbers come from an independent calculation (per-event decay
//! formulas, not the engine's accumulators), written down in the fixtures.

use baton::event::Event;
use baton::json::Value;
use baton::model::Model;
use baton::replay::{replay, visitor_result, VisitorResult};
use baton::Engine;
use std::collections::BTreeMap;
use std::path::Path;

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn scenario_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".expected.json").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Incremental: one engine per anonymousId, events in file order, now = event time.
fn incremental(model: &Model, events: &[Event], as_of: i64) -> Vec<VisitorResult> {
    let mut order: Vec<String> = Vec::new();
    let mut engines: BTreeMap<String, (Engine, Vec<baton::handoff::Handoff>)> = BTreeMap::new();
    for e in events {
        let key = e
            .anonymous_id
            .clone()
            .expect("scenario events carry an anonymousId");
        if !engines.contains_key(&key) {
            order.push(key.clone());
        }
        let (engine, handoffs) = engines
            .entry(key)
            .or_insert_with(|| (Engine::new(model.clone()), Vec::new()));
        // Through JSON state on every event, like the snippet across page loads.
        let resumed = Engine::with_state(model.clone(), &engine.export_state()).unwrap();
        *engine = resumed;
        let out = engine.ingest(e.clone(), e.timestamp);
        handoffs.extend(out.handoffs);
    }
    order
        .iter()
        .map(|k| {
            let (engine, handoffs) = &engines[k];
            visitor_result(engine, handoffs.clone(), as_of)
        })
        .collect()
}

fn check_subset(expected: &Value, actual: &Value, path: &str) {
    match expected {
        Value::Object(map) => {
            for (k, v) in map {
                let a = actual.get(k).unwrap_or(&Value::Null);
                check_subset(v, a, &format!("{path}.{k}"));
            }
        }
        Value::Array(items) => {
            let a = actual
                .as_array()
                .unwrap_or_else(|| panic!("{path}: expected a list, got {actual}"));
            assert_eq!(items.len(), a.len(), "{path}: length; actual {actual}");
            for (i, (e, x)) in items.iter().zip(a).enumerate() {
                check_subset(e, x, &format!("{path}[{i}]"));
            }
        }
        Value::Number(n) => {
            let e = n.as_f64().unwrap();
            let x = actual
                .as_f64()
                .unwrap_or_else(|| panic!("{path}: expected {e}, got {actual}"));
            assert!((e - x).abs() < 1e-9, "{path}: expected {e}, got {x}");
        }
        other => assert_eq!(other, actual, "{path}"),
    }
}

#[test]
fn scenarios_match_their_expectations() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios");
    let names = scenario_names();
    assert!(names.len() >= 4, "scenarios: {names:?}");
    for name in names {
        let model = Model::from_value(&load(&dir.join(format!("{name}.model.json"))))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let raw_events = load(&dir.join(format!("{name}.events.json")));
        let events: Vec<Event> = raw_events
            .as_array()
            .unwrap()
            .iter()
            .map(|v| Event::from_value(v).unwrap_or_else(|e| panic!("{name}: {e}")))
            .collect();
        let expected = load(&dir.join(format!("{name}.expected.json")));
        let as_of = expected["asOf"].as_i64().unwrap();
        if let Some(h) = expected.get("modelHash") {
            assert_eq!(h.as_str().unwrap(), model.hash(), "{name}: model hash");
        }
        let batch = replay(&model, &events, as_of);
        let inc = incremental(&model, &events, as_of);
        assert_eq!(batch, inc, "{name}: incremental differs from batch replay");

        let exp_visitors = expected["visitors"].as_array().unwrap();
        assert_eq!(exp_visitors.len(), batch.len(), "{name}: visitor count");
        for exp in exp_visitors {
            let id = exp["visitorId"].as_str().unwrap();
            let got = batch
                .iter()
                .find(|v| v.visitor_id == id)
                .unwrap_or_else(|| panic!("{name}: no visitor {id}"));
            let mut exp = exp.clone();
            let checkpoints = exp.as_object_mut().unwrap().remove("checkpoints");
            let got_json = baton::json::to_value(got).unwrap();
            check_subset(&exp, &got_json, &format!("{name}/{id}"));
            if let Some(Value::Array(points)) = checkpoints {
                // Re-read the same visitor at other times.
                let engine_events: Vec<Event> = events
                    .iter()
                    .filter(|e| e.anonymous_id == got.anonymous_id)
                    .cloned()
                    .collect();
                for cp in points {
                    let t = cp["asOf"].as_i64().unwrap();
                    let again = replay(&model, &engine_events, t);
                    let score = baton::json::to_value(&again[0].score).unwrap();
                    check_subset(&cp["score"], &score, &format!("{name}/{id}@{t}"));
                }
            }
        }
    }
}
