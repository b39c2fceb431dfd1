//! Native throughput of the reference replay over the generated benchmark log, for the side-by-side
//! table in BENCHMARKS.md (benches/throughput.mjs runs it and reads the JSON it prints).
//!
//! `BENCH_LOG=benches/out/events-100000.ndjson BENCH_MODEL=benches/model30.json BENCH_REPS=5 \
//!  cargo bench --bench native_throughput`
//!
//! A measurement, never an assertion on speed. Prints one JSON object on the last line:
//! events/s for decoding (JSON text → `Event`), replay of decoded events, and both together
//! (medians of `BENCH_REPS` repetitions), plus a summary of the results that the JavaScript
//! implementations must reproduce exactly (same visitors, stages and summed scores).

use baton::event::Event;
use baton::model::Model;
use baton::replay::{replay, VisitorResult};
use baton::stage::Stage;
use std::hint::black_box;
use std::time::Instant;

fn env_or(name: &str, fallback: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| fallback.to_string())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn decode(text: &str) -> Vec<Event> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| Event::from_json(l).unwrap_or_else(|e| panic!("log line {}: {e}", i + 1)))
        .collect()
}

/// What every implementation must agree on: visitors, stage counts, summed total score.
fn summary(results: &[VisitorResult]) -> baton::json::Value {
    let count = |s: Stage| results.iter().filter(|r| r.stage == s).count();
    let total: f64 = results.iter().map(|r| r.score.total).sum();
    baton::json::json!({
        "visitors": results.len(),
        "known": count(Stage::Known),
        "mql": count(Stage::Mql),
        "scoreSum": (total * 100.0).round() / 100.0,
    })
}

fn main() {
    let log_path = env_or("BENCH_LOG", "benches/out/events-100000.ndjson");
    let model_path = env_or("BENCH_MODEL", "benches/model30.json");
    let reps: usize = env_or("BENCH_REPS", "5")
        .parse()
        .expect("BENCH_REPS: a number");
    let text = std::fs::read_to_string(&log_path)
        .unwrap_or_else(|e| panic!("{log_path}: {e} (generate it with benches/gen-events.mjs)"));
    let model_text =
        std::fs::read_to_string(&model_path).unwrap_or_else(|e| panic!("{model_path}: {e}"));
    let model = Model::from_json(&model_text).unwrap_or_else(|e| panic!("{model_path}: {e}"));

    let events = decode(&text);
    let n = events.len();
    let as_of = events.iter().map(|e| e.timestamp).max().unwrap_or(0);

    let (mut decode_rates, mut replay_rates, mut both_rates) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = Vec::new();
    for _ in 0..reps.max(1) {
        let start = Instant::now();
        let decoded = black_box(decode(&text));
        let decode_s = start.elapsed().as_secs_f64();
        let start = Instant::now();
        last = black_box(replay(&model, &decoded, as_of));
        let replay_s = start.elapsed().as_secs_f64();
        decode_rates.push(n as f64 / decode_s);
        replay_rates.push(n as f64 / replay_s);
        both_rates.push(n as f64 / (decode_s + replay_s));
    }
    let out = baton::json::json!({
        "events": n,
        "rules": model.rules().len(),
        "reps": reps.max(1),
        "asOf": as_of,
        "decodePerSec": median(decode_rates),
        "replayPerSec": median(replay_rates),
        "decodeAndReplayPerSec": median(both_rates),
        "summary": summary(&last),
    });
    println!("{out}");
}
