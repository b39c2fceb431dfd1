//! The whole output of model parsing over a corpus of mutated models, pinned by a digest.
//!
//! Why: the parsing code is written for size (benches/SIZE.md, step 29), and every accepted
//! model, every problem, its path, its message and the order of the list must stay as they were.
//! The corpus: three valid models (the demo model, the schema README's example and a small one),
//! each mutated at every node (removed, replaced by values of every JSON type, typo'd keys added)
//! and, where a condition may sit, replaced by conditions from a library of right and wrong ones.
//! The digest was recorded on the code before step 29. On a mismatch, set
//! `BATON_CORPUS_OUT=/some/file` to write the text and compare it with the previous code's.

use super::Model;
use crate::json::{json, Value};

/// Values every node is replaced by.
fn replacements() -> Vec<Value> {
    vec![
        json!(null),
        json!(""),
        json!(" "),
        json!("x"),
        json!("pgae"),
        json!("none"),
        json!("mql"),
        json!("/x"),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(3),
        json!(101),
        json!(5000),
        json!(1e13),
        json!(true),
        json!(false),
        json!([]),
        json!(["x"]),
        json!(["x", 1, null]),
        json!({}),
        json!({"x": 1}),
        json!({"min": 5, "max": 1}),
        json!({"halfLifeDays": 3, "periodDays": 2}),
        json!({"linearPercent": 150, "periodDays": 2}),
        json!({"linearPercent": 5}),
    ]
}

/// Conditions put wherever a condition sits.
fn conditions() -> Vec<Value> {
    let deep = (0..14).fold(json!({"type": "page"}), |c, _| json!({"not": c}));
    vec![
        json!({}),
        json!([]),
        json!({"type": ["page", "pgae", "zzzzzz", 3]}),
        json!({"type": "track", "x": 1}),
        json!({"path": ["pricing", "", "/a*"]}),
        json!({"pathPrefix": "docs"}),
        json!({"url": "*x*", "referrer": "*y*"}),
        json!({"referrer": []}),
        json!({"event": 5}),
        json!({"query": "utm", "equals": [1]}),
        json!({"query": "utm", "in": []}),
        json!({"query": "utm", "in": "x"}),
        json!({"query": "utm", "in": ["a", {}, 2, true]}),
        json!({"property": "properties.a.b", "contains": "x", "startsWith": "", "endsWith": 3}),
        json!({"property": "", "gte": 1}),
        json!({"trait": "traits.title", "containsWord": ["VP", "--"]}),
        json!({"trait": "title", "containsWord": []}),
        json!({"trait": "title", "exists": null}),
        json!({"trait": "title", "exists": "yes"}),
        json!({"trait": "title", "gte": 1e13, "lt": "x", "gt": 2, "lte": null}),
        json!({"trait": "title"}),
        json!({"trait": "title", "atLeast": 2}),
        json!({"atLeast": 2}),
        json!({"withinDays": 2, "zzz": 1}),
        json!({"identified": "yes"}),
        json!({"identified": true, "equals": 1}),
        json!({"identified": null}),
        json!({"score": "total", "gte": 50}),
        json!({"score": "totl", "equals": 1, "in": [1]}),
        json!({"score": "intent", "lt": 5}),
        json!({"score": "fit", "gte": 5, "scor": 1}),
        json!({"matches": ["download", "downlaod", "senior", "page-view"], "atLeast": 60}),
        json!({"matches": [], "atLeast": 0.5, "withinDays": 4000}),
        json!({"matches": "x", "withinDays": 0}),
        json!({"matches": "pricing", "atLeast": 2, "withinDays": 1.5}),
        json!({"visits": 60, "withinDays": -1}),
        json!({"visits": 3, "withinDays": 30}),
        json!({"visits": "3"}),
        json!({"all": [{"type": "page"}, {"path": "x"}, 3]}),
        json!({"any": {}}),
        json!({"any": [], "all": []}),
        json!({"not": {"trait": "country", "in": ["US"]}, "x": 1}),
        json!({"alll": []}),
        deep,
    ]
}

/// `/a/0/b` style paths of every node of `v`, the root first.
fn node_paths(v: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_string());
    match v {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, x)| node_paths(x, &format!("{at}/{k}"), out)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, x)| node_paths(x, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

fn node_mut<'a>(v: &'a mut Value, path: &str) -> &'a mut Value {
    path.split('/').skip(1).fold(v, |cur, part| match cur {
        Value::Object(map) => map.get_mut(part).expect("key"),
        Value::Array(items) => &mut items[part.parse::<usize>().expect("index")],
        _ => panic!("{path}"),
    })
}

/// Whether a condition sits at this path (a rule's or a route's `when`, a stage, or a part).
fn holds_condition(path: &str) -> bool {
    path.ends_with("/when")
        || path.starts_with("/stages/")
        || path.contains("/when/")
        || path.ends_with("/not")
}

/// What parsing gives, as text: the model's `Debug` or the numbered problems.
fn outcome(v: &Value) -> String {
    match super::parse::parse_model(v) {
        Ok(model) => {
            // Nothing is left out of an accepted model without a problem saying so.
            let count = |key: &str| match &v[key] {
                Value::Array(items) => items.len(),
                Value::Object(map) => map.len(),
                _ => 0,
            };
            assert_eq!(model.rules.len(), count("rules"), "rules of {v:?}");
            assert_eq!(model.stages.len(), count("stages"), "stages of {v:?}");
            let routes = match &v["handoff"]["routing"]["rules"] {
                Value::Array(items) => items.len(),
                _ => 0,
            };
            let kept = model.handoff.as_ref().map_or(0, |h| h.routing.rules.len());
            assert_eq!(kept, routes, "routing rules of {v:?}");
            format!("ok {:?}\n", model.0)
        }
        Err(problems) => problems
            .iter()
            .map(|p| format!("  {} | {}\n", p.path, p.message))
            .collect(),
    }
}

fn corpus_text() -> String {
    let readme = include_str!("../../tests/fixtures/schema/README.md");
    let start = readme.find("```json\n").expect("example block") + 8;
    let end = start + readme[start..].find("```").expect("end of block");
    let bases = [
        crate::json::parse(include_str!("../../tests/fixtures/models/demo.model.json"))
            .expect("demo"),
        crate::json::parse(&readme[start..end]).expect("readme"),
        json!({
            "version": "1",
            "rules": [
                {"id": "pricing", "points": 10, "when": {"path": "/pricing"}, "cap": {"perSession": 1}},
                {"id": "download", "points": 3, "when": {"event": "Asset Downloaded"}},
                {"id": "senior", "kind": "fit", "points": 15, "when": {"trait": "title", "containsWord": ["VP"]}}
            ],
            "stages": {"mql": {"all": [{"score": "total", "gte": 50}, {"matches": "download", "atLeast": 2, "withinDays": 30}]}},
            "handoff": {"stage": "mql", "endpoint": "https://crm.example/intake",
                "routing": {"rules": [{"when": {"trait": "country", "equals": "US"}, "owner": "a"}], "reps": ["b"]},
                "include": ["traits", "ledger"], "retry": {"maxAttempts": 3}}
        }),
    ];
    let (values, conds) = (replacements(), conditions());
    let mut out = String::new();
    let case = |label: &str, doc: &Value, out: &mut String| {
        out.push_str(label);
        out.push('\n');
        out.push_str(&outcome(doc));
    };
    for (b, base) in bases.iter().enumerate() {
        case(&format!("base {b}"), base, &mut out);
        let mut paths = Vec::new();
        node_paths(base, "", &mut paths);
        for path in &paths {
            for (r, value) in values.iter().enumerate() {
                let mut doc = base.clone();
                *node_mut(&mut doc, path) = value.clone();
                case(&format!("{b} {path} = v{r}"), &doc, &mut out);
            }
            if holds_condition(path) {
                for (c, cond) in conds.iter().enumerate() {
                    let mut doc = base.clone();
                    *node_mut(&mut doc, path) = cond.clone();
                    case(&format!("{b} {path} = c{c}"), &doc, &mut out);
                }
            }
            let mut doc = base.clone();
            if let Value::Object(map) = node_mut(&mut doc, path) {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in &keys {
                    let mut removed = base.clone();
                    if let Value::Object(m) = node_mut(&mut removed, path) {
                        m.remove(key);
                    }
                    case(&format!("{b} {path} -{key}"), &removed, &mut out);
                }
                // A typo of the first key (a swapped pair) and a key like none.
                if let Some(first) = keys.first() {
                    let mut typo: Vec<char> = first.chars().collect();
                    if typo.len() > 2 {
                        typo.swap(1, 2);
                    }
                    map.insert(typo.into_iter().collect(), json!(1));
                }
                map.insert("zzzzzzzz".to_string(), json!(1));
                case(&format!("{b} {path} +keys"), &doc, &mut out);
            }
        }
    }
    out
}

/// FNV-1a, 64 bits: a digest without a dependency.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn corpus_outcomes_are_unchanged() {
    let text = corpus_text();
    if let Ok(file) = std::env::var("BATON_CORPUS_OUT") {
        std::fs::write(file, &text).expect("write");
    }
    let cases = text.lines().filter(|l| !l.starts_with(' ')).count();
    let problems = text.lines().filter(|l| l.starts_with("  ")).count();
    let accepted = text.lines().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(
        (cases, problems, accepted, fnv(&text)),
        (23_841, 22_582, 1_648, 15_704_175_342_343_613_929),
        "cases, problem lines, accepted models, digest"
    );
}

#[test]
fn a_changed_message_changes_the_digest() {
    // The digest can fail: one byte of one message apart.
    let mut doc = json!({"version": "1", "rules": []});
    let a = outcome(&doc);
    doc["rules"] = json!(3);
    let b = outcome(&doc);
    assert_ne!(fnv(&a), fnv(&b));
    assert_eq!(b, "  rules | must be a list, found a number\n");
    let _ = Model::problems(&doc);
}
