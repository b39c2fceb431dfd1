//! Worked examples beside proptests against serde_json itself, the reference for every byte
//! written and every text accepted.

use proptest::prelude::*;

use super::arb::{arb_f64, arb_value};
use super::{json, parse, text_of, write, Value};

/// serde_json's reading of `text`, as our type (serde_json's own `Value`, converted: the
/// reference is serde_json's parser and data type both).
fn serde_json_parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<serde_json::Value>(text).map(Value::from)
}

/// serde_json's text for `v` (its own `Value`'s, converted).
fn serde_json_text(v: &Value) -> String {
    serde_json::to_string(&serde_json::Value::from(v)).unwrap()
}

fn err(text: &str) -> (&'static str, usize, usize) {
    let e = parse(text).expect_err(text);
    (e.what(), e.line(), e.column())
}

#[test]
fn parses_worked_examples() {
    let table: &[(&str, Value)] = &[
        ("null", json!(null)),
        (" \t\r\n true \n", json!(true)),
        ("false", json!(false)),
        ("0", json!(0u64)),
        ("-1", json!(-1i64)),
        ("18446744073709551615", json!(u64::MAX)),
        ("-9223372036854775808", json!(i64::MIN)),
        // Past u64 / i64: floats, as serde_json reads them.
        ("18446744073709551616", json!(18446744073709551616.0f64)),
        ("-9223372036854775809", json!(-9223372036854775809.0f64)),
        ("-0", json!(-0.0f64)),
        ("1.5", json!(1.5)),
        ("1E2", json!(100.0)),
        ("2.5e-3", json!(0.0025)),
        ("1e-400", json!(0.0)),
        ("0e99999", json!(0.0)),
        (
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            json!("a\"b\\c/d\u{8}\u{c}\n\r\t"),
        ),
        (r#""\u00e9\u20AC\ud83d\ude00""#, json!("é€😀")),
        ("\"é😀\"", json!("é😀")),
        ("[]", json!([])),
        ("[1, [2, {}], \"x\"]", json!([1, [2, {}], "x"])),
        ("{}", json!({})),
        (
            r#"{"a": 1, "b": {"c": [null]}}"#,
            json!({"a": 1, "b": {"c": [null]}}),
        ),
        // A repeated key keeps its last value.
        (r#"{"a": 1, "a": 2}"#, json!({"a": 2})),
    ];
    for (text, want) in table {
        let got = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(&got, want, "{text}");
        assert_eq!(&serde_json_parse(text).unwrap(), want, "{text}");
    }
}

#[test]
fn every_error_says_what_and_where() {
    let table: &[(&str, (&str, usize, usize))] = &[
        ("", ("unexpected end of input", 1, 1)),
        ("   ", ("unexpected end of input", 1, 4)),
        ("x", ("expected a value", 1, 1)),
        ("tru", ("unexpected end of input", 1, 4)),
        ("trux", ("expected a value", 1, 4)),
        ("nul1", ("expected a value", 1, 4)),
        ("[1,]", ("expected a value", 1, 4)),
        ("[1 2]", ("expected ',' or ']'", 1, 4)),
        ("[1", ("unexpected end of input", 1, 3)),
        ("{\"a\":1,}", ("expected a string key", 1, 8)),
        ("{\"a\" 1}", ("expected ':'", 1, 6)),
        (r#"{"a":1,"b":2 "c"}"#, ("expected ',' or '}'", 1, 14)),
        ("{1:2}", ("expected a string key", 1, 2)),
        ("{\"a\":1", ("unexpected end of input", 1, 7)),
        ("1 2", ("trailing characters", 1, 3)),
        ("{} // comment", ("trailing characters", 1, 4)),
        ("\"abc", ("unexpected end of input", 1, 5)),
        ("\"a\tb\"", ("control character in string", 1, 3)),
        ("\"a\nb\"", ("control character in string", 1, 3)),
        (r#""\x""#, ("invalid escape", 1, 3)),
        (r#""\u12G4""#, ("invalid \\u escape", 1, 6)),
        (r#""\ud800""#, ("lone surrogate in \\u escape", 1, 8)),
        (r#""\ud800\u0041""#, ("lone surrogate in \\u escape", 1, 14)),
        (r#""\udc00""#, ("lone surrogate in \\u escape", 1, 8)),
        ("01", ("invalid number", 1, 2)),
        ("-", ("unexpected end of input", 1, 2)),
        ("-a", ("invalid number", 1, 2)),
        ("1.", ("unexpected end of input", 1, 3)),
        ("1.e5", ("invalid number", 1, 3)),
        ("1e+", ("unexpected end of input", 1, 4)),
        (".5", ("expected a value", 1, 1)),
        ("+1", ("expected a value", 1, 1)),
        ("1e400", ("number out of range", 1, 1)),
        ("[-1e999]", ("number out of range", 1, 2)),
        // Lines and columns count characters, after the last newline.
        ("{\n  \"é\": [1,\n   2,,]}", ("expected a value", 3, 6)),
        ("[\"😀😀\" 1]", ("expected ',' or ']'", 1, 7)),
    ];
    for (text, want) in table {
        assert_eq!(err(text), *want, "{text:?}");
        assert!(serde_json_parse(text).is_err(), "{text:?}");
    }
    assert_eq!(
        parse(r#"{"a":1,"b":2 "c"}"#).unwrap_err().to_string(),
        "expected ',' or '}' at line 1 column 14"
    );
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    for depth in [1, 100, 127, 128, 129, 10_000] {
        for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
            let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let ours = parse(&text);
            assert_eq!(ours.is_ok(), serde_json_parse(&text).is_ok(), "{depth}");
            assert_eq!(ours.is_ok(), depth <= 127, "{depth}");
            if let Err(e) = ours {
                assert_eq!(
                    (e.what(), e.column()),
                    ("nested deeper than 127 levels", 1 + 127 * open.len())
                );
            }
        }
    }
}

#[test]
fn writes_worked_examples() {
    let table: &[(Value, &str)] = &[
        (json!(null), "null"),
        (json!([true, false]), "[true,false]"),
        (json!(u64::MAX), "18446744073709551615"),
        (json!(i64::MIN), "-9223372036854775808"),
        (json!(-0.0), "-0.0"),
        (json!(1.0), "1.0"),
        (json!(0.1), "0.1"),
        (json!(1e21), "1e+21"),
        (json!(1.5e-7), "1.5e-7"),
        (json!(f64::NAN), "null"),
        (
            json!("a\"b\\c/d é 😀 \u{7f}"),
            "\"a\\\"b\\\\c/d é 😀 \u{7f}\"",
        ),
        (
            json!("\u{0}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}"),
            r#""\u0000\b\t\n\u000b\f\r\u001f""#,
        ),
        (
            json!({"b": [1, {"c": null}], "a": ""}),
            r#"{"a":"","b":[1,{"c":null}]}"#,
        ),
    ];
    for (v, want) in table {
        assert_eq!(write(v), *want);
        assert_eq!(serde_json_text(v), *want);
        // Our `Serialize` through serde_json's writer.
        assert_eq!(serde_json::to_string(v).unwrap(), *want);
    }
}

/// Equal trees, floats to the bit (`-0.0` is not `0.0`). serde_json is built with
/// `float_roundtrip`: without it, it misrounds some long decimals (seen: 3 ulps for
/// `0.3269313306439629570E-14`), and the dashboard's imports would read numbers differently
/// from the snippet.
fn same(ours: &Value, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|((k, x), (l, y))| k == l && same(x, y))
        }
        (Value::Number(a), Value::Number(b)) if a.is_f64() && b.is_f64() => {
            let (x, y) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            x.to_bits() == y.to_bits()
        }
        _ => ours == theirs,
    }
}

fn check_text(text: &str) -> Result<(), TestCaseError> {
    let ours = parse(text);
    let theirs = serde_json_parse(text);
    prop_assert_eq!(
        ours.is_ok(),
        theirs.is_ok(),
        "{:?}: {:?} / {:?}",
        text,
        ours,
        theirs
    );
    if let (Ok(a), Ok(b)) = (&ours, &theirs) {
        prop_assert!(same(a, b), "{:?}: {:?} / {:?}", text, a, b);
    }
    Ok(())
}

const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\n",
    "\"a\"",
    "\"\"",
    "\"",
    "\\",
    "1",
    "0",
    "-",
    "-0",
    "01",
    "1.5",
    "1.",
    ".5",
    "e",
    "E+2",
    "1e400",
    "12345678901234567890",
    "true",
    "fals",
    "null",
    "\"\\u00e9\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"\\udc00x\"",
    "\"\\q\"",
    "\"\t\"",
    "\"é😀\"",
    "//",
    "/*",
    "x",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn writes_what_serde_json_writes_and_reads_it_back(v in arb_value()) {
        let text = write(&v);
        prop_assert_eq!(&text, &serde_json_text(&v));
        // The same through our `Serialize` into serde_json's writer.
        prop_assert_eq!(&text, &serde_json::to_string(&v).unwrap());
        prop_assert_eq!(parse(&text).unwrap(), v);
    }

    #[test]
    fn accepts_what_serde_json_accepts(
        v in arb_value(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, prop::sample::select(PIECES)), 0..4),
    ) {
        let mut text = serde_json::to_string_pretty(&serde_json::Value::from(&v)).unwrap();
        check_text(&text)?;
        for (at, how, piece) in edits {
            let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let i = bounds[at.index(bounds.len())];
            let next = bounds.iter().copied().find(|&j| j > i).unwrap_or(i);
            match how {
                0 => text.insert_str(i, piece),
                1 => text.replace_range(i..next, ""),
                _ => text.replace_range(i..next, piece),
            }
            check_text(&text)?;
        }
    }

    #[test]
    fn token_soup_is_judged_like_serde_json(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..12)) {
        check_text(&pieces.concat())?;
    }

    #[test]
    fn number_tokens_read_as_core_reads_them(
        token in "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?"
    ) {
        check_text(&token)?;
        let ours = parse(&token).unwrap_or(Value::Null);
        let core = token.parse::<f64>().unwrap();
        if let Some(x) = ours.as_number().filter(|n| n.is_f64()).and_then(|n| n.as_f64()) {
            prop_assert_eq!(x.to_bits(), core.to_bits(), "{}", token);
        } else if core.is_finite() {
            // An integer token that fits u64/i64 reads as that integer.
            prop_assert_eq!(ours.as_f64(), Some(core), "{}", token);
        }
    }

    #[test]
    fn short_tokens_read_exactly_without_the_backend(
        token in "-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,12})?([eE][+-]?[0-9]{1,2})?"
    ) {
        // Most of these take the fast path (<= 15 significant digits, 10^±22); the rest the
        // backend: either way the nearest double, as core reads it.
        let ours = super::num::parse_f64(&token);
        let core = token.parse::<f64>().unwrap();
        prop_assert_eq!(ours.to_bits(), core.to_bits(), "{}", token);
    }

    #[test]
    fn floats_shortest_and_exact(x in arb_f64()) {
        let text = write(&Value::from(x));
        prop_assert_eq!(&text, &serde_json::to_string(&x).unwrap());
        prop_assert_eq!(text.parse::<f64>().unwrap().to_bits(), x.to_bits());
        // `Display` breaks an exact tie between two shortest candidates upwards, we (like
        // serde_json) to even: there the texts differ in the last digit, both exact enough.
        let (ours, core) = (super::num::display(x), format!("{x}"));
        if ours != core {
            prop_assert_eq!(ours.len(), core.len());
            prop_assert_eq!(ours.parse::<f64>().unwrap().to_bits(), x.to_bits());
            prop_assert_eq!(core.parse::<f64>().unwrap().to_bits(), x.to_bits());
        }
    }
}

#[test]
fn every_power_of_two_is_written_as_serde_json_writes_it() {
    // At a power of two the gap below is half the gap above: a tie between two shortest
    // candidates can put the even one outside the gap (2^-24, 2^172, ... wrote the double below).
    for e in -1074..1024 {
        for x in [2f64.powi(e), -2f64.powi(e)] {
            let text = write(&Value::from(x));
            assert_eq!(text, serde_json::to_string(&x).unwrap(), "2^{e}");
            assert_eq!(text.parse::<f64>().unwrap().to_bits(), x.to_bits(), "2^{e}");
            let shown = super::num::display(x);
            assert_eq!(
                shown.parse::<f64>().unwrap().to_bits(),
                x.to_bits(),
                "2^{e}"
            );
        }
    }
}

/// The engine's own results, written by hand and by serde_json: the same bytes for the state,
/// the handoff, the score and its explanation, the outbox, after a full journey.
#[test]
fn engine_texts_are_serde_json_texts() {
    use crate::model::Model;
    use crate::Engine;

    let model = Model::from_json(include_str!("../../tests/fixtures/models/demo.model.json"))
        .expect("demo model");
    let mut engine = Engine::new(model);
    let events = parse(include_str!(
        "../../tests/fixtures/journeys/seed.events.json"
    ))
    .unwrap();
    let mut outbox = crate::outbox::Outbox::new(crate::outbox::RetryPolicy::default());
    let mut last = 0;
    for event in events.as_array().unwrap() {
        let ts = crate::event::Event::from_value(event).unwrap().timestamp;
        last = ts;
        let outcome = engine.ingest_value(event, ts).unwrap();
        for h in &outcome.handoffs {
            assert_eq!(h.to_json(), serde_json::to_string(h).unwrap());
            outbox.enqueue(&h.handoff_id, h.to_json(), ts);
        }
    }
    assert!(!outbox.entries().is_empty(), "the journey hands off");
    assert_eq!(outbox.export(), serde_json::to_string(&outbox).unwrap());
    assert_eq!(
        engine.export_state(),
        serde_json::to_string(engine.state()).unwrap()
    );
    let score = engine.score(last);
    assert_eq!(text_of(&score), serde_json::to_string(&score).unwrap());
    let explain = engine.explain(last);
    assert_eq!(text_of(&explain), serde_json::to_string(&explain).unwrap());
}

/// A model with every cap kind, both decays, group and total limits, grades and a handoff, so
/// random journeys reach every field of the snippet's outputs.
fn journey_model() -> crate::model::Model {
    crate::model::Model::from_value(&json!({
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
            {"id": "senior", "kind": "fit", "points": 15, "when": {"trait": "title", "containsWord": ["VP", "Director"]}}
        ],
        "stages": {"mql": {"all": [{"score": "total", "gte": 20}, {"visits": 2, "withinDays": 30}]}},
        "handoff": {"stage": "mql", "endpoint": "/h", "routing": {"reps": ["a", "b"]}}
    }))
    .expect("journey model")
}

/// One random event: a page (with campaign and referrer now and then), a track, an identify.
fn journey_event(kind: u8, pick: usize, t: i64, msg: u16) -> Value {
    const PATHS: [&str; 4] = [
        "/",
        "/pricing",
        "/blog/\"x\"",
        "/?utm_source=li&utm_term=%C3%A9",
    ];
    const NAMES: [&str; 3] = ["Asset Downloaded", "Demo Requested", "Other"];
    let id = format!("m{msg}");
    let title = ["VP Sales", "Engineer"][pick % 2];
    match kind {
        0..=4 => json!({"type": "page", "messageId": id, "anonymousId": "anon", "timestamp": t,
                        "context": {"referrer": {"url": "https://ref.example/\u{1}"}},
                        "properties": {"url": format!("https://x.test{}", PATHS[pick % PATHS.len()])}}),
        5..=7 => json!({"type": "track", "messageId": id, "anonymousId": "anon", "timestamp": t,
                        "event": NAMES[pick % NAMES.len()]}),
        _ => {
            json!({"type": "identify", "messageId": id, "anonymousId": "anon", "userId": "user", "timestamp": t,
                    "traits": {"title": title, "score": pick as f64 / 3.0,
                               "company": {"name": "Co\n", "size": pick}}})
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random journeys through the engine: the hand-written state, handoffs, stage entries,
    /// score, explanation and outbox are serde_json's bytes of the same values at every step.
    #[test]
    fn journeys_write_what_serde_json_writes(
        steps in prop::collection::vec((0u8..10, 0usize..16, 0i64..(2 * 86_400_000), 0u16..60, 0u8..4), 1..40),
    ) {
        use crate::outbox::{DeliveryResult, Outbox, RetryPolicy};
        let mut engine = crate::Engine::new(journey_model());
        let mut outbox = Outbox::new(RetryPolicy::default());
        let mut t = 1_794_009_600_000i64;
        for (kind, pick, gap, msg, result) in steps {
            t += gap;
            let outcome = engine.ingest_value(&journey_event(kind, pick, t, msg), t).unwrap();
            for h in &outcome.handoffs {
                prop_assert_eq!(h.to_json(), serde_json::to_string(h).unwrap());
                outbox.enqueue(&h.handoff_id, h.to_json(), t);
            }
            for e in &outcome.stages_entered {
                prop_assert_eq!(text_of(e), serde_json::to_string(e).unwrap());
            }
            prop_assert_eq!(text_of(&outcome.score), serde_json::to_string(&outcome.score).unwrap());
            if let Some(due) = outbox.due(t).first() {
                let id = due.handoff_id.clone();
                outbox.begin(&id, t).unwrap();
                let result = match result {
                    0 => DeliveryResult::network_error("offline"),
                    1 => DeliveryResult::Status { code: 503, retry_after_ms: Some(1_000) },
                    2 => DeliveryResult::Status { code: 400, retry_after_ms: None },
                    _ => DeliveryResult::Status { code: 204, retry_after_ms: None },
                };
                outbox.complete(&id, result, t, u64::from(msg)).unwrap();
            }
            prop_assert_eq!(outbox.export(), serde_json::to_string(&outbox).unwrap());
            prop_assert_eq!(engine.export_state(), serde_json::to_string(engine.state()).unwrap());
        }
        let explain = engine.explain(t + 86_400_000);
        prop_assert_eq!(text_of(&explain), serde_json::to_string(&explain).unwrap());
    }
}
