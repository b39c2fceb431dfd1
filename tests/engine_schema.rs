//! The JSON Schemas in tests/fixtures/schema describe what the engine really accepts and emits:
//! the fixture models validate against model.schema.json, a real handoff against
//! handoff.schema.json, and documents the engine rejects for shape reasons fail the schema too.
//! A small validator for the subset of JSON Schema these files use (no `pattern`: no regex crate).

use baton::json::{json, Value};
use baton::model::Model;
use baton::Engine;
use std::path::Path;

fn read(rel: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) if r.starts_with("#/") => {
            let mut cur = root;
            for part in r[2..].split('/') {
                cur = &cur[part];
            }
            cur
        }
        _ => s,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

/// Errors of `v` against schema `s` (paths in the message).
fn validate(root: &Value, s: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    if s.get("$ref").is_some() {
        validate(root, resolve(root, s), v, path, errs);
    }
    if let Some(t) = s.get("type") {
        let ok = match t {
            Value::String(t) => type_ok(t, v),
            Value::Array(ts) => ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)),
            _ => true,
        };
        if !ok {
            errs.push(format!("{path}: type {t}"));
            return;
        }
    }
    if let Some(c) = s.get("const") {
        if c != v {
            errs.push(format!("{path}: const {c}"));
        }
    }
    if let Some(Value::Array(options)) = s.get("enum") {
        if !options.contains(v) {
            errs.push(format!("{path}: enum"));
        }
    }
    if let Some(n) = s.get("not") {
        let mut sub = Vec::new();
        validate(root, n, v, path, &mut sub);
        if sub.is_empty() {
            errs.push(format!("{path}: not"));
        }
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        for a in all {
            validate(root, a, v, path, errs);
        }
    }
    if let Some(Value::Array(options)) = s.get("oneOf") {
        let passing = options
            .iter()
            .filter(|o| {
                let mut sub = Vec::new();
                validate(root, o, v, path, &mut sub);
                sub.is_empty()
            })
            .count();
        if passing != 1 {
            errs.push(format!("{path}: oneOf matched {passing}"));
        }
    }
    if let (Some(min), Some(x)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if x < min {
            errs.push(format!("{path}: minimum"));
        }
    }
    if let (Some(max), Some(x)) = (s.get("maximum").and_then(Value::as_f64), v.as_f64()) {
        if x > max {
            errs.push(format!("{path}: maximum"));
        }
    }
    if let (Some(min), Some(x)) = (
        s.get("exclusiveMinimum").and_then(Value::as_f64),
        v.as_f64(),
    ) {
        if x <= min {
            errs.push(format!("{path}: exclusiveMinimum"));
        }
    }
    if let (Some(min), Some(x)) = (s.get("minLength").and_then(Value::as_u64), v.as_str()) {
        if (x.chars().count() as u64) < min {
            errs.push(format!("{path}: minLength"));
        }
    }
    if let Value::Array(items) = v {
        if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < min {
                errs.push(format!("{path}: minItems"));
            }
        }
        if let Some(item_schema) = s.get("items") {
            for (i, item) in items.iter().enumerate() {
                validate(root, item_schema, item, &format!("{path}[{i}]"), errs);
            }
        }
    }
    if let Value::Object(map) = v {
        if let Some(min) = s.get("minProperties").and_then(Value::as_u64) {
            if (map.len() as u64) < min {
                errs.push(format!("{path}: minProperties"));
            }
        }
        if let Some(Value::Array(req)) = s.get("required") {
            for r in req {
                if !map.contains_key(r.as_str().unwrap()) {
                    errs.push(format!("{path}: required {r}"));
                }
            }
        }
        if let Some(names) = s.get("propertyNames") {
            for k in map.keys() {
                validate(
                    root,
                    names,
                    &Value::String(k.clone()),
                    &format!("{path}.{k} (name)"),
                    errs,
                );
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (k, val) in map {
            let p = format!("{path}.{k}");
            match props.and_then(|pr| pr.get(k)) {
                Some(ps) => validate(root, ps, val, &p, errs),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errs.push(format!("{p}: not allowed")),
                    Some(extra @ Value::Object(_)) => validate(root, extra, val, &p, errs),
                    _ => {}
                },
            }
        }
    }
}

fn errors(schema: &Value, v: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    validate(schema, schema, v, "$", &mut errs);
    errs
}

#[test]
fn fixture_models_match_the_model_schema() {
    let schema = read("tests/fixtures/schema/model.schema.json");
    let mut files = vec!["tests/fixtures/models/demo.model.json".to_string()];
    for name in [
        "seed-points",
        "seed-mql",
        "decay-caps-limits",
        "demo-journey",
    ] {
        files.push(format!("tests/fixtures/scenarios/{name}.model.json"));
    }
    for f in files {
        let doc = read(&f);
        Model::from_value(&doc).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(errors(&schema, &doc), Vec::<String>::new(), "{f}");
    }
}

#[test]
fn shape_errors_fail_both_schema_and_engine() {
    let schema = read("tests/fixtures/schema/model.schema.json");
    let base = read("tests/fixtures/models/demo.model.json");
    let edits: Vec<(&str, Value)> = vec![
        ("/rules/0/pionts", json!(1)),
        ("/rules/0/when", json!({"path": "/a", "type": "page"})),
        ("/rules/0/cap", json!({"perDay": 0})),
        ("/rules/0/decay", json!({"halfLifeDays": 0})),
        ("/rules/0/points", json!(0)),
        ("/stages/mql", json!({"visits": 3, "withinDay": 30})),
        ("/handoff/include", json!(["ledger", "everything"])),
        ("/grades/F", json!(0)),
        ("/colour", json!("blue")),
    ];
    for (pointer, value) in edits {
        let mut doc = base.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = doc.pointer_mut(parent).unwrap();
        match target {
            Value::Object(m) => {
                m.insert(key.to_string(), value);
            }
            _ => panic!("{pointer}"),
        }
        assert!(
            !errors(&schema, &doc).is_empty(),
            "schema accepts {pointer}"
        );
        assert!(Model::from_value(&doc).is_err(), "engine accepts {pointer}");
    }
}

#[test]
fn a_real_handoff_matches_the_handoff_schema() {
    let schema = read("tests/fixtures/schema/handoff.schema.json");
    let model =
        Model::from_value(&read("tests/fixtures/scenarios/demo-journey.model.json")).unwrap();
    let events = read("tests/fixtures/scenarios/demo-journey.events.json");
    let mut engine = Engine::new(model);
    let mut handoffs = Vec::new();
    for e in events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["anonymousId"] == "anon-dana")
    {
        let now = baton::event::Event::from_value(e).unwrap().timestamp;
        handoffs.extend(engine.ingest_value(e, now).unwrap().handoffs);
    }
    assert_eq!(handoffs.len(), 1);
    let payload = baton::json::to_value(&handoffs[0]).unwrap();
    assert_eq!(errors(&schema, &payload), Vec::<String>::new());
    // And the schema is not vacuous.
    let mut broken = payload.clone();
    broken["score"]["total"] = json!("high");
    broken.as_object_mut().unwrap().remove("followUpBy");
    assert_eq!(errors(&schema, &broken).len(), 2);
}
