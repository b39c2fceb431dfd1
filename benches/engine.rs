//! Benchmark: ingest and replay with a 30-rule model. Run with `cargo bench --bench engine`.
//! Prints events per second; a measurement, not a timed test (nothing here can fail on speed).

use baton::event::Event;
use baton::json::{json, Value};
use baton::model::Model;
use baton::replay::replay;
use baton::Engine;
use std::hint::black_box;
use std::time::Instant;

const T0: i64 = 1_794_009_600_000;

/// The demo model plus 14 more behaviour rules: 30 rules in all.
fn model_30() -> Model {
    let mut doc: Value =
        serde_json::from_str(include_str!("../tests/fixtures/models/demo.model.json")).unwrap();
    let rules = doc["rules"].as_array_mut().unwrap();
    for i in 0..(30 - rules.len()) {
        rules.push(json!({
            "id": format!("docs-{i}"), "group": "engagement", "points": 1 + (i % 3),
            "when": {"any": [{"path": format!("/docs/{i}/*")}, {"all": [{"event": "Feature Used"}, {"property": "feature", "equals": format!("f{i}")}]}]},
            "cap": {"perDay": 2}
        }));
    }
    assert_eq!(rules.len(), 30);
    Model::from_value(&doc).unwrap()
}

/// A visitor's realistic mix of events (pages, downloads, identify), `n` of them.
fn visitor_events(visitor: usize, n: usize) -> Vec<Event> {
    let paths = [
        "/",
        "/pricing",
        "/blog/lead-scoring",
        "/resources",
        "/docs/3/setup",
        "/careers",
        "/docs/7/api",
        "/about",
    ];
    let mut t = T0 + (visitor as i64) * 1_000;
    (0..n)
        .map(|i| {
            t += 90_000 + ((i * 7919 + visitor * 104_729) % 5_000_000) as i64;
            let anon = format!("anon-{visitor}");
            let v = match i % 10 {
                3 => json!({"type": "track", "event": "Asset Downloaded", "anonymousId": anon, "messageId": format!("{visitor}-{i}"),
                            "timestamp": t, "properties": {"path": "/resources/case-study.pdf", "category": "case-study"}}),
                7 => json!({"type": "track", "event": "Feature Used", "anonymousId": anon, "messageId": format!("{visitor}-{i}"),
                            "timestamp": t, "properties": {"feature": format!("f{}", i % 14)}}),
                9 if i == 9 => json!({"type": "identify", "anonymousId": anon, "userId": format!("user-{visitor}"), "messageId": format!("{visitor}-{i}"),
                            "timestamp": t, "traits": {"title": "Director of Marketing", "employees": 500, "email": "d@globex.example"}}),
                _ => json!({"type": "page", "anonymousId": anon, "messageId": format!("{visitor}-{i}"), "timestamp": t,
                            "properties": {"url": format!("https://x.test{}?utm_source=linkedin", paths[(i * 31 + visitor) % paths.len()])}}),
            };
            Event::from_value(&v).unwrap()
        })
        .collect()
}

fn report(label: &str, events: usize, secs: f64) {
    println!(
        "{label:<48} {events:>9} events  {secs:>8.3} s  {:>12.0} events/s",
        events as f64 / secs
    );
}

fn main() {
    let model = model_30();
    println!(
        "model: {} rules, hash {}",
        model.rules().len(),
        model.hash()
    );

    // 1. Ingest into one long-lived engine (the snippet while a page stays open).
    let events = visitor_events(1, 20_000);
    let start = Instant::now();
    let mut engine = Engine::new(model.clone());
    for e in &events {
        black_box(engine.ingest(e.clone(), e.timestamp));
    }
    report(
        "ingest (one visitor, engine kept)",
        events.len(),
        start.elapsed().as_secs_f64(),
    );
    println!(
        "state after {} events: {} bytes",
        events.len(),
        engine.export_state().len()
    );

    // 2. Ingest with export + import around each event (the snippet across page loads).
    let few = &events[..5_000];
    let start = Instant::now();
    let mut state = Engine::new(model.clone()).export_state();
    for e in few {
        let mut eng = Engine::with_state(model.clone(), &state).unwrap();
        black_box(eng.ingest(e.clone(), e.timestamp));
        state = eng.export_state();
    }
    report(
        "ingest + export/import state per event",
        few.len(),
        start.elapsed().as_secs_f64(),
    );

    // 3. Decode JSON + ingest (what the wasm binding does per call).
    let raw: Vec<Value> = few
        .iter()
        .map(|e| baton::json::to_value(e).unwrap())
        .collect();
    let _ = raw;
    let texts: Vec<String> = (0..5_000)
        .map(|i| json!({"type": "page", "anonymousId": "a", "messageId": format!("j{i}"), "timestamp": T0 + i * 60_000,
                        "properties": {"url": "https://x.test/pricing?utm_source=linkedin"}}).to_string())
        .collect();
    let start = Instant::now();
    let mut eng = Engine::new(model.clone());
    for (i, text) in texts.iter().enumerate() {
        black_box(eng.ingest_json(text, T0 + i as i64 * 60_000).unwrap());
    }
    report(
        "parse JSON text + ingest",
        texts.len(),
        start.elapsed().as_secs_f64(),
    );

    // 4. Batch replay: many visitors, time-ordered (the dashboard backtest).
    let mut log: Vec<Event> = (0..10_000).flat_map(|v| visitor_events(v, 20)).collect();
    log.sort_by_key(|e| e.timestamp);
    let start = Instant::now();
    let results = replay(&model, &log, T0 + 400 * 86_400_000);
    let secs = start.elapsed().as_secs_f64();
    report("replay (10,000 visitors x 20 events)", log.len(), secs);
    let mql = results
        .iter()
        .filter(|r| r.stage == baton::stage::Stage::Mql)
        .count();
    println!("replay: {} visitors, {} reached mql", results.len(), mql);

    // 5. Reads.
    let start = Instant::now();
    for i in 0..20_000 {
        black_box(engine.score(T0 + i * 3_600_000));
    }
    report("score(as_of) reads", 20_000, start.elapsed().as_secs_f64());
    let start = Instant::now();
    for i in 0..200 {
        black_box(engine.next_change(T0 + i * 3_600_000));
    }
    report(
        "next_change(as_of) reads",
        200,
        start.elapsed().as_secs_f64(),
    );

    // 6. One engine per visitor: model parsed each time (`new Engine(model)`) vs one model
    //    compiled once and shared (`Engine.fromModel(compiled)`).
    let doc = model.to_value().clone();
    let n = 300;
    let start = Instant::now();
    for _ in 0..n {
        black_box(Engine::new(Model::from_value(&doc).unwrap()));
    }
    let parsed = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for _ in 0..n * 100 {
        black_box(Engine::new(model.clone()));
    }
    let shared = start.elapsed().as_secs_f64() / 100.0;
    println!(
        "engine per visitor: model parsed each time {:.1} µs, shared model {:.2} µs",
        parsed / n as f64 * 1e6,
        shared / n as f64 * 1e6
    );
}
