//! An explanation's parts add up to the score it explains, to the cent, in `explain` and in the
//! handoff payload (review findings 5 and 11): the demo journey (worked examples with the
//! reviewer's numbers), a model with fit rules, clamps and decay, and the payload's bound.

use baton::handoff::{Handoff, MAX_LISTED_RULES};
use baton::json::Value;
use baton::model::Model;
use baton::score::Explanation;
use baton::Engine;
use std::path::Path;

const DAY: i64 = 86_400_000;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn c(x: f64) -> i64 {
    let cents = (x * 100.0).round();
    assert!(
        (x * 100.0 - cents).abs() < 1e-6,
        "{x} is not a whole number of cents"
    );
    cents as i64
}

fn sum(xs: impl IntoIterator<Item = f64>) -> i64 {
    xs.into_iter().map(c).sum()
}

/// Every level of an explanation adds up, in whole cents: entries and earlier points to each
/// rule, rules and clamp to each group, groups to `totalRaw`, and the total clamp to the total.
fn check_explanation(e: &Explanation) {
    let total = c(e.score.total);
    for r in &e.rules {
        let listed = sum(e
            .entries
            .iter()
            .filter(|x| x.rule_id == r.rule_id)
            .map(|x| x.counted_points));
        assert_eq!(
            listed + c(r.earlier_points),
            c(r.points),
            "rule {}",
            r.rule_id
        );
    }
    for g in &e.groups {
        let rules = sum(e
            .rules
            .iter()
            .filter(|r| r.group == g.group)
            .map(|r| r.points))
            + sum(e
                .fit
                .iter()
                .filter(|f| f.group == g.group && f.matched)
                .map(|f| f.points));
        assert_eq!(rules, c(g.raw), "group {}", g.group);
        if g.clamp.is_none() {
            assert_eq!(c(g.raw), c(g.value), "group {} is not clamped", g.group);
        }
    }
    assert_eq!(sum(e.groups.iter().map(|g| g.value)), c(e.total_raw));
    if e.total_clamp.is_none() {
        assert_eq!(c(e.total_raw), total);
    }
    // The flat sum a reader does: every part, plus the clamps.
    let flat = sum(e.entries.iter().map(|x| x.counted_points))
        + sum(e.rules.iter().map(|r| r.earlier_points))
        + sum(e.fit.iter().filter(|f| f.matched).map(|f| f.points))
        + e.groups.iter().map(|g| c(g.value) - c(g.raw)).sum::<i64>()
        + (total - c(e.total_raw));
    assert_eq!(flat, total);
}

/// The payload's parts add up to its `score.total`, in whole cents (the sum the README gives).
fn payload_sum(h: &Handoff) -> i64 {
    let x = &h.explanation;
    sum(h.ledger.iter().map(|e| e.counted_points))
        + sum(x.rules.iter().map(|r| r.earlier_points))
        + sum(x.fit.iter().map(|f| f.points))
        + c(x.other_points)
        + x.groups.iter().map(|g| c(g.value) - c(g.raw)).sum::<i64>()
        + (c(h.score.total) - c(x.total_raw))
}

fn check_payload(h: &Handoff) {
    assert_eq!(payload_sum(h), c(h.score.total), "payload {}", h.to_json());
    assert!(h.explanation.rules.len() <= MAX_LISTED_RULES);
    assert!(h.explanation.fit.len() <= MAX_LISTED_RULES);
    assert!(h.explanation.fit.iter().all(|f| f.matched));
    // What a receiver gets is what the struct says.
    let v = baton::json::parse(&h.to_json()).unwrap();
    let back: Handoff = baton::json::from_value(&v).unwrap();
    assert_eq!(&back, h);
}

fn group_value(e: &Explanation, name: &str) -> f64 {
    e.groups.iter().find(|g| g.group == name).unwrap().value
}

struct Journey {
    model: Model,
    events: Vec<Value>,
}

fn demo_journey() -> Journey {
    let model = Model::from_json(&fixture("scenarios/demo-journey.model.json")).unwrap();
    let events: Vec<Value> =
        serde_json::from_str(&fixture("scenarios/demo-journey.events.json")).unwrap();
    Journey { model, events }
}

fn time_of(e: &Value) -> i64 {
    baton::event::Event::from_value_or(e, None)
        .unwrap()
        .timestamp
}

/// One engine per anonymous id, like the reviewer's probe.
fn visitor(j: &Journey, anon: &str) -> (Engine, Vec<Handoff>, i64) {
    let mut engine = Engine::new(j.model.clone());
    let mut handoffs = Vec::new();
    let mut last = 0;
    for e in j.events.iter().filter(|e| e["anonymousId"] == anon) {
        last = time_of(e);
        handoffs.extend(engine.ingest_value(e, last).unwrap().handoffs);
    }
    (engine, handoffs, last)
}

#[test]
fn demo_journey_explanations_add_up_at_every_level() {
    let j = demo_journey();
    let mut anons: Vec<&str> = j
        .events
        .iter()
        .filter_map(|e| e["anonymousId"].as_str())
        .collect();
    anons.sort_unstable();
    anons.dedup();
    assert!(anons.len() >= 3);
    for anon in anons {
        let (engine, handoffs, last) = visitor(&j, anon);
        for days in [0, 1, 10, 45, 90, 365] {
            check_explanation(&engine.explain(last + days * DAY));
        }
        for h in &handoffs {
            check_payload(h);
        }
    }
}

/// Finding 11's numbers: 90 days after the last event Dana's groups summed to 31.70 against a
/// total of 31.69, the rival's to 0.40 against 0.39.
#[test]
fn reviewer_examples_groups_add_up_to_the_total() {
    let j = demo_journey();
    let (dana, _, last) = visitor(&j, "anon-dana");
    let e = dana.explain(last + 90 * DAY);
    assert_eq!(e.score.total, 31.69);
    let groups: Vec<(String, f64)> = e
        .groups
        .iter()
        .map(|g| (g.group.clone(), g.value))
        .collect();
    assert_eq!(sum(groups.iter().map(|g| g.1)), 3169, "{groups:?}");
    // Each group within a cent of what it is on its own (the score's groups, rounded alone).
    for (name, value) in &groups {
        let alone = e.score.groups.get(name).copied().unwrap();
        assert!((value - alone).abs() < 0.0101, "{name}: {value} vs {alone}");
    }
    // The probe's 90 days run from the journey's last event (Dana's).
    let (rival, _, _) = visitor(&j, "anon-rival");
    let e = rival.explain(last + 90 * DAY);
    assert_eq!(e.score.total, 0.39);
    assert_eq!(sum(e.groups.iter().map(|g| g.value)), 39);
    check_explanation(&e);
}

/// Finding 5's payload: total 77.54 (fit 25, engagement 52.54), of which the ledger showed only
/// 48.29; now the fit rules, the older matches and the clamps are in it.
#[test]
fn demo_payload_accounts_for_its_score() {
    let j = demo_journey();
    let (_, handoffs, _) = visitor(&j, "anon-dana");
    assert_eq!(handoffs.len(), 1);
    let h = &handoffs[0];
    assert_eq!((h.score.total, h.score.fit), (77.54, 25.0));
    check_payload(h);
    let x = &h.explanation;
    assert_eq!(sum(x.fit.iter().map(|f| f.points)), 2500, "{:?}", x.fit);
    assert!(
        x.rules.iter().any(|r| r.earlier_points != 0.0),
        "{:?}",
        x.rules
    );
    assert_eq!(x.other_points, 0.0);
    assert_eq!(x.groups.len(), 3);
    // The text receivers get names every part.
    let text = h.to_json();
    for key in [
        r#""explanation":{"rules":["#,
        r#""earlierPoints":"#,
        r#""totalRaw":"#,
        r#""otherPoints":0.0}"#,
    ] {
        assert!(text.contains(key), "{key} in {text}");
    }
}

const T0: i64 = 1_793_952_000_000; // 2026-11-05

fn page(n: usize, path: &str, at: i64) -> Value {
    baton::json::json!({
        "type": "page", "messageId": format!("m{n}"), "anonymousId": "a1",
        "timestamp": at, "properties": { "path": path },
    })
}

/// Fit rules, a group clamp (intent max 10), a total clamp (max 40), decay (half-life 7 days,
/// points of thirds so no part is a whole cent), and 15 matches so the ledger drops some.
fn clamp_model(include: &str) -> Model {
    Model::from_json(&format!(
        r#"{{"version": "1", "decay": {{"halfLifeDays": 7}},
        "groups": {{"intent": {{"max": 10}}, "fit": {{"min": -5}}}},
        "limits": {{"total": {{"min": 0, "max": 40}}}},
        "rules": [
          {{"id": "view", "group": "engagement", "points": 1.3333, "when": {{"type": "page"}}}},
          {{"id": "pricing", "group": "intent", "points": 3.3333, "when": {{"path": "/pricing"}}}},
          {{"id": "vp", "kind": "fit", "group": "fit", "points": 12.5, "when": {{"trait": "title", "contains": "VP"}}}},
          {{"id": "big", "kind": "fit", "group": "fit", "points": 7.25, "when": {{"trait": "employees", "gte": 200}}}},
          {{"id": "student", "kind": "fit", "group": "fit", "points": -20, "when": {{"trait": "title", "contains": "Student"}}}}
        ],
        "stages": {{"mql": {{"all": [{{"score": "total", "gte": 20}}, {{"matches": "view", "atLeast": 15}}]}}}},
        "handoff": {{"stage": "mql", "endpoint": "/h", "slaMinutes": 60 {include}}}}}"#
    ))
    .unwrap()
}

fn clamp_journey(model: Model) -> (Engine, Vec<Handoff>, i64) {
    let mut engine = Engine::new(model);
    let mut handoffs = Vec::new();
    let ident = baton::json::json!({
        "type": "identify", "messageId": "id", "anonymousId": "a1", "userId": "u1",
        "timestamp": T0, "traits": { "title": "VP Marketing", "employees": 500 },
    });
    handoffs.extend(engine.ingest_value(&ident, T0).unwrap().handoffs);
    let mut at = T0;
    for n in 0..15 {
        at = T0 + (n as i64) * DAY / 3 + 1;
        let path = if n % 2 == 0 { "/pricing" } else { "/blog" };
        handoffs.extend(
            engine
                .ingest_value(&page(n, path, at), at)
                .unwrap()
                .handoffs,
        );
    }
    (engine, handoffs, at)
}

#[test]
fn fit_rules_clamps_and_decay_add_up() {
    let (engine, handoffs, last) = clamp_journey(clamp_model(""));
    for days in [0, 3, 20, 200] {
        let e = engine.explain(last + days * DAY);
        check_explanation(&e);
        let intent = e.groups.iter().find(|g| g.group == "intent").unwrap();
        if days == 0 {
            assert_eq!(intent.clamp.as_deref(), Some("max"));
            assert_eq!(intent.value, 10.0);
        }
        let fit = e.fit.iter().filter(|f| f.matched).count();
        assert_eq!(fit, 2, "VP and big company");
    }
    assert_eq!(handoffs.len(), 1);
    let h = &handoffs[0];
    check_payload(h);
    assert_eq!(h.ledger.len(), 12, "the ledger keeps 12 of 15 matches");
    let fit: Vec<&str> = h
        .explanation
        .fit
        .iter()
        .map(|f| f.rule_id.as_str())
        .collect();
    assert_eq!(fit, ["vp", "big"]);
    assert_eq!(group_value(&engine.explain(h.created_at), "fit"), 19.75);
}

#[test]
fn total_clamp_is_a_part() {
    // Fit 19.75 plus engagement and a clamped intent over the total's max of 40.
    let model = Model::from_json(
        r#"{"version": "1", "decay": {"halfLifeDays": 7}, "limits": {"total": {"max": 25.005}},
        "rules": [
          {"id": "view", "points": 1.3333, "when": {"type": "page"}},
          {"id": "vp", "kind": "fit", "group": "fit", "points": 12.5, "when": {"trait": "title", "contains": "VP"}}
        ]}"#,
    )
    .unwrap();
    let mut engine = Engine::new(model);
    let ident = baton::json::json!({
        "type": "identify", "messageId": "id", "anonymousId": "a1", "userId": "u1",
        "timestamp": T0, "traits": { "title": "VP" },
    });
    engine.ingest_value(&ident, T0).unwrap();
    for n in 0..20 {
        let at = T0 + n * 3_600_000;
        engine.ingest_value(&page(n as usize, "/", at), at).unwrap();
    }
    let e = engine.explain(T0 + DAY);
    assert_eq!(e.total_clamp.as_deref(), Some("max"));
    check_explanation(&e);
    assert_eq!(e.score.total, 25.01);
}

#[test]
fn without_the_ledger_earlier_points_carry_it() {
    let (_, handoffs, _) = clamp_journey(clamp_model(r#", "include": ["traits"]"#));
    let h = &handoffs[0];
    assert!(h.ledger.is_empty());
    check_payload(h);
    for r in &h.explanation.rules {
        assert_eq!(r.earlier_points, r.points);
    }
}

/// 30 behaviour rules, all matched: 24 are listed, the 6 with the fewest points summed in
/// `otherPoints`, and the parts still add up.
#[test]
fn the_payload_lists_at_most_24_rules() {
    let mut rules = Vec::new();
    for i in 0..30 {
        rules.push(format!(
            r#"{{"id": "r{i:02}", "points": {}, "when": {{"path": "/p{i}"}}}}"#,
            1.0 + i as f64 / 3.0
        ));
    }
    let model = Model::from_json(&format!(
        r#"{{"version": "1", "decay": {{"halfLifeDays": 10}}, "rules": [{}],
        "stages": {{"mql": {{"score": "total", "gte": 170}}}},
        "handoff": {{"stage": "mql", "endpoint": "/h", "slaMinutes": 60}}}}"#,
        rules.join(",")
    ))
    .unwrap();
    let mut engine = Engine::new(model);
    let mut handoffs = Vec::new();
    for i in 0..30 {
        let at = T0 + i as i64 * 60_000;
        handoffs.extend(
            engine
                .ingest_value(&page(i, &format!("/p{i}"), at), at)
                .unwrap()
                .handoffs,
        );
    }
    assert_eq!(handoffs.len(), 1);
    let h = &handoffs[0];
    check_payload(h);
    let listed: Vec<&str> = h
        .explanation
        .rules
        .iter()
        .map(|r| r.rule_id.as_str())
        .collect();
    assert_eq!(listed.len(), MAX_LISTED_RULES);
    assert_eq!(listed[0], "r06", "r00..r05 have the fewest points");
    assert!(h.explanation.other_points > 0.0);
    let e = engine.explain(h.created_at);
    let omitted: i64 = e.rules[..6]
        .iter()
        .map(|r| {
            c(r.points)
                - sum(e
                    .entries
                    .iter()
                    .filter(|x| x.rule_id == r.rule_id)
                    .map(|x| x.counted_points))
        })
        .sum();
    assert_eq!(c(h.explanation.other_points), omitted);
}

/// A payload of an earlier version (no `explanation`) still reads, and verifies.
#[test]
fn a_payload_without_explanation_still_reads_and_verifies() {
    let j = demo_journey();
    let (_, handoffs, _) = visitor(&j, "anon-dana");
    let mut v = baton::json::parse(&handoffs[0].to_json()).unwrap();
    v.as_object_mut().unwrap().remove("explanation");
    let back: Handoff = baton::json::from_value(&v).unwrap();
    assert!(back.explanation.rules.is_empty());
    let verdict = baton::verify::verify_handoff(&v, &j.model);
    assert!(verdict.ok, "{:?}", verdict.mismatches);
    let full = baton::json::parse(&handoffs[0].to_json()).unwrap();
    let verdict = baton::verify::verify_handoff(&full, &j.model);
    assert!(verdict.ok, "{:?}", verdict.mismatches);
}
