//! The model's derived tables (ring sizes, rule order by id, stage order), built for size since
//! step 42, against what the earlier code built: a map of ring sizes by id filled while walking
//! the stages, and a sort of the stages.

use super::Model;
use crate::json::{json, Value};
use crate::sorted_map::SortedMap;
use crate::stage::Stage;
use proptest::prelude::*;

/// A behaviour rule with this id (a page view worth a point).
fn rule(id: &str) -> Value {
    json!({"id": id, "points": 1, "when": {"type": "page"}})
}

fn model(rules: &[&str], stages: Value) -> Model {
    let rules: Vec<Value> = rules.iter().map(|id| rule(id)).collect();
    Model::from_value(&json!({"version": "1", "rules": rules, "stages": stages}))
        .expect("a valid model")
}

#[test]
fn rings_are_sized_by_the_largest_count_per_rule() {
    let m = model(
        &["pricing", "demo", "blog"],
        json!({
            "mql": {"all": [
                {"matches": ["pricing", "demo"], "atLeast": 3},
                {"matches": "pricing", "atLeast": 5, "withinDays": 7},
            ]},
            "sql": {"matches": "demo", "atLeast": 2},
        }),
    );
    // By id in byte order; a rule no criterion counts has no ring.
    assert_eq!(format!("{:?}", m.rings), r#"{"demo": 3, "pricing": 5}"#);
    assert_eq!(m.rings.get("pricing"), Some(&5));
    assert_eq!(m.rings.get("blog"), None);
    assert_eq!(m.rings.get("nope"), None);
    // By rule position, in the rules' order.
    assert_eq!(m.rule_ring, [5, 3, 0]);
    // Rule positions in id order.
    assert_eq!(m.by_id, [2, 1, 0]);
}

#[test]
fn stages_are_kept_in_stage_order() {
    let m = model(
        &["a"],
        json!({
            "won": {"score": "total", "gte": 9},
            "known": {"identified": true},
            "mql": {"score": "total", "gte": 5},
            "sql": {"score": "total", "gte": 7},
        }),
    );
    let order: Vec<Stage> = m.stages().iter().map(|s| s.stage).collect();
    assert_eq!(order, [Stage::Known, Stage::Mql, Stage::Sql, Stage::Won]);
}

#[test]
fn an_invalid_model_lists_its_problems_only() {
    // Everything is gathered (hash included) before the problems are looked at; they are
    // what comes back.
    let v = json!({"version": "1", "rules": [rule("a"), rule("a")], "stages": {
        "mql": {"matches": "b", "atLeast": 51}
    }});
    let problems: Vec<String> = Model::problems(&v)
        .iter()
        .map(|p| format!("{} | {}", p.path, p.message))
        .collect();
    assert_eq!(
        problems,
        [
            "rules[1].id | duplicate id \"a\" (also rules[0])",
            "stages.mql.matches | \"matches\" names unknown rule \"b\", did you mean \"a\"?",
            "stages.mql.atLeast | must be a whole number from 1 to 50",
        ]
    );
}

/// Stage criteria: `matches` over the rule ids by index into `ids` (an index past them is an
/// unknown id, which makes the model invalid), with counts up to 50.
fn criteria(ids: usize) -> impl Strategy<Value = Vec<(Vec<usize>, u32)>> {
    proptest::collection::vec(
        (proptest::collection::vec(0..ids + 1, 1..4), 1u32..=50),
        0..5,
    )
}

proptest! {
    /// The ring sizes and the rule order by id are what the map filled while walking the
    /// stages and a stable sort by id gave.
    #[test]
    fn rings_and_order_as_by_the_map(
        ids in proptest::collection::btree_set("[a-e]{1,3}", 1..6),
        mql in criteria(6),
        sql in criteria(6),
    ) {
        // Distinct ids in a shuffled (not sorted) order: reversed and rotated by their count.
        let mut ids: Vec<String> = ids.into_iter().rev().collect();
        let n = ids.len();
        ids.rotate_left(n / 2);
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let condition = |parts: &[(Vec<usize>, u32)]| -> Value {
            if parts.is_empty() {
                // (An empty `all` is a problem of its own.)
                return json!({"identified": true});
            }
            let all: Vec<Value> = parts
                .iter()
                .map(|(names, at_least)| {
                    let names: Vec<&str> = names
                        .iter()
                        .map(|&i| refs.get(i).copied().unwrap_or("unknown"))
                        .collect();
                    json!({"matches": names, "atLeast": at_least})
                })
                .collect();
            json!({"all": all})
        };
        let rules: Vec<Value> = refs.iter().map(|id| rule(id)).collect();
        let v = json!({
            "version": "1",
            "rules": rules,
            "stages": {"mql": condition(&mql), "sql": condition(&sql)},
        });
        let unknown = mql.iter().chain(&sql).any(|(names, _)| names.iter().any(|&i| i >= n));
        let parsed = Model::from_value(&v);
        prop_assert_eq!(parsed.is_err(), unknown);
        if let Ok(m) = parsed {
            let mut want: SortedMap<String, u32> = SortedMap::new();
            for (names, at_least) in mql.iter().chain(&sql) {
                for &i in names {
                    let slot = want.get_or_insert_default(refs[i]);
                    *slot = (*slot).max(*at_least);
                }
            }
            prop_assert_eq!(format!("{:?}", m.rings), format!("{want:?}"));
            for (i, id) in refs.iter().enumerate() {
                let size = want.get(*id).copied();
                prop_assert_eq!(m.rings.get(id).copied(), size);
                prop_assert_eq!(m.rule_ring[i], size.unwrap_or(0) as usize);
            }
            let mut by_id: Vec<usize> = (0..n).collect();
            by_id.sort_by(|a, b| refs[*a].cmp(refs[*b]));
            prop_assert_eq!(&m.by_id, &by_id);
        }
    }

    /// Stages come out in stage order whatever the document's (sorted by name) order is.
    #[test]
    fn stages_in_stage_order(picked in proptest::collection::btree_set(1usize..10, 0..9)) {
        let mut stages = crate::json::Map::new();
        for &i in &picked {
            stages.insert(Stage::NAMES[i].to_string(), json!({"identified": true}));
        }
        let v = json!({"version": "1", "rules": [rule("a")], "stages": Value::Object(stages)});
        let m = Model::from_value(&v).expect("a valid model");
        let got: Vec<usize> = m.stages().iter().map(|s| s.stage as usize).collect();
        let want: Vec<usize> = picked.into_iter().collect();
        prop_assert_eq!(got, want);
    }
}

/// One model with a problem of every kind at once, as the text a marketer would paste (with
/// keys given twice): every problem comes back in one pass, each at its own path, among them
/// those that used to wait until everything else was fixed (a duplicate id among rules with
/// problems of their own, stage criteria naming unknown rules and scores, a handoff stage
/// whose criteria have problems).
#[test]
fn every_problem_in_one_pass() {
    let text = r#"{
      "version": 1, "rulez": [], "sessionTimeoutMinutes": 0,
      "decay": {"halfLifeDays": -3},
      "groups": {"engagement": {"min": 10, "max": 5}, "intent": {"mx": 3}, "zeta": {}},
      "limits": {"total": {"min": "a"}},
      "grades": {"A": 50, "B": 70, "G": 1},
      "rules": [
        {"id": "a", "points": "x", "when": {"path": ""}},
        {"id": "a", "points": 1, "points": 2, "when": {"pathh": "/x"}},
        {"points": 1, "when": {"all": [{"trait": "title", "containsWord": []}, {"property": "p", "gte": "ten"}]}},
        {"id": "c", "points": null, "when": {"event": "X"}, "cap": {"perDay": -1, "once": "yes"}},
        {"id": "e", "points": 5, "kind": "fitt", "when": {"type": "pag"}},
        {"id": "f", "points": 5, "kind": "fit", "group": "engagement", "when": {"path": "/x"}, "decay": {"halfLifeDays": 3}},
        {"id": "g", "points": 5, "when": {"identified": null}},
        {"id": "h", "points": 5, "when": {"matches": "zzz", "atLeast": 2}}
      ],
      "stages": {
        "mqll": {},
        "mql": {"all": [
          {"score": "nogroup", "gte": 5},
          {"matches": ["nope", "a", "f"], "atLeast": 51},
          {"visits": -1},
          {"score": "totl", "equals": 3}
        ]},
        "sal": {"score": "total", "gte": "x"},
        "sal": {"score": "total", "gte": 90}
      },
      "handoff": {"stage": "sql", "endpoint": "javascript:alert(1)", "slaMinutes": -5,
        "include": ["trait"], "routing": {"rules": [{"when": {"path": "/x"}, "ownr": "x"}], "reps": []}}
    }"#;
    let problems: Vec<String> = match Model::from_json(text) {
        Err(crate::Error::InvalidModel(problems)) => problems
            .iter()
            .map(|p| format!("{} | {}", p.path, p.message))
            .collect(),
        other => panic!("an invalid model, got {other:?}"),
    };
    let want = [
        // The keys given twice, first (the document read keeps the last value).
        "rules[1].points | duplicate key \"points\": give each key once",
        "stages.sal | duplicate key \"sal\": give each key once",
        "rulez | unknown key \"rulez\", did you mean \"rules\"?",
        "version | must be a string, found a number",
        "sessionTimeoutMinutes | must be a whole number from 1 to 1440",
        "decay.halfLifeDays | must be greater than 0",
        "groups.engagement | min (10) is greater than max (5)",
        "groups.intent.mx | unknown key \"mx\", did you mean \"max\"?",
        "limits.total.min | must be a number, found a string",
        "grades.G | unknown key \"G\", did you mean \"A\"?",
        "grades.B | minimum fit 70 must be below grade A's 50",
        "rules[0].points | must be a number, found a string",
        "rules[0].when.path | empty pattern",
        "rules[1].when.pathh | unknown key \"pathh\", did you mean \"path\"?",
        "rules[2].id | missing",
        "rules[2].when.all[0].containsWord | must not be an empty list",
        "rules[2].when.all[1].gte | must be a number, found a string",
        "rules[3].points | must be a number, found null",
        "rules[3].cap.once | must be true or false, found a string",
        "rules[3].cap.perDay | must be a whole number from 1 to 10000",
        "rules[4].kind | unknown kind \"fitt\", did you mean \"fit\"?",
        "rules[4].when.type | unknown event type \"pag\", did you mean \"page\"?",
        "rules[5].when.path | \"path\" looks at an event; fit rules (they are evaluated on traits) see no single event",
        "rules[5].decay | fit points do not decay",
        "rules[6].when.identified | must be true or false, found null",
        "rules[7].when.matches | \"matches\" is only available in stage criteria",
        // What the rules say of each other, the ones with problems included.
        "rules[1].id | duplicate id \"a\" (also rules[0])",
        "rules[5].group | group \"engagement\" already holds behavior rules; a group holds one kind",
        "groups.intent | no rule uses group \"intent\"",
        "groups.zeta | no rule uses group \"zeta\"",
        // Stage criteria, each name at its own path.
        "stages.mql.all[0].score | unknown score \"nogroup\" (total, fit, engagement or a group)",
        "stages.mql.all[1].matches[0] | \"matches\" names unknown rule \"nope\"",
        "stages.mql.all[1].matches[2] | \"matches\" counts behaviour rules; \"f\" is a fit rule",
        "stages.mql.all[1].atLeast | must be a whole number from 1 to 50",
        "stages.mql.all[2].visits | must be a whole number from 1 to 50",
        "stages.mql.all[3].equals | a score is compared with gte, lte, gt or lt",
        "stages.mql.all[3].score | unknown score \"totl\" (total, fit, engagement or a group), did you mean \"total\"?",
        "stages.mqll | unknown stage \"mqll\", did you mean \"mql\"?",
        "handoff.stage | stage \"sql\" has no criteria under \"stages\"",
        "handoff.endpoint | must be an http(s) URL or a path starting with \"/\"",
        "handoff.slaMinutes | must be a whole number from 1 to 525600",
        "handoff.routing.rules[0].ownr | unknown key \"ownr\", did you mean \"owner\"?",
        "handoff.routing.rules[0].when.path | \"path\" looks at an event; routing rules see no single event",
        "handoff.routing.rules[0] | a routing rule assigns an owner or a team",
        "handoff.routing.reps | must not be an empty list",
        "handoff.include[0] | unknown part \"trait\", did you mean \"traits\"?",
    ];
    assert_eq!(problems, want);
}

/// A valid model and independent faults, each a JSON pointer and the value put there.
fn faults() -> (Value, Vec<(&'static str, Value)>) {
    let base = json!({
        "version": "1",
        "rules": [
            {"id": "a", "points": 1, "when": {"type": "page"}},
            {"id": "b", "points": 2, "when": {"path": "/pricing"}},
            {"id": "c", "kind": "fit", "points": 5, "when": {"trait": "title", "containsWord": ["VP"]}}
        ],
        "stages": {"mql": {"all": [
            {"score": "total", "gte": 10},
            {"matches": "a", "atLeast": 1},
            {"visits": 2}
        ]}},
        "handoff": {"stage": "mql", "endpoint": "https://crm.example/in"}
    });
    let faults = vec![
        ("/rules/0/points", json!("x")),
        ("/rules/1/id", json!("a")),
        ("/rules/1/points", Value::Null),
        ("/rules/1/kind", json!("fitt")),
        ("/rules/2/when", json!({"pathh": "/x"})),
        ("/stages/mql/all/0/score", json!("nogroup")),
        ("/stages/mql/all/1/matches", json!(["nope", "c"])),
        ("/stages/mql/all/2/visits", json!(60)),
        ("/stages/sql", json!({"matches": "c", "atLeast": 2})),
        ("/handoff/endpoint", json!("javascript:x")),
        ("/decay", json!({"halfLifeDays": -1})),
        ("/groups", json!({"zeta": {}})),
    ];
    (base, faults)
}

/// `v` with `value` at the JSON pointer `at` (whose parent exists).
fn put(v: &mut Value, at: &str, value: Value) {
    let (parent, key) = at.rsplit_once('/').expect("a pointer");
    let mut node = v;
    for part in parent.split('/').skip(1) {
        node = match node {
            Value::Array(items) => &mut items[part.parse::<usize>().expect("an index")],
            other => &mut other[part],
        };
    }
    match node {
        Value::Array(items) => items[key.parse::<usize>().expect("an index")] = value,
        other => other[key] = value,
    }
}

fn problem_lines(v: &Value) -> Vec<String> {
    let mut lines: Vec<String> = Model::problems(v)
        .iter()
        .map(|p| format!("{} | {}", p.path, p.message))
        .collect();
    lines.sort();
    lines
}

proptest! {
    /// One pass: faults in independent places, together, give exactly the problems each gives
    /// alone (none waits for another to be fixed, none is said twice or made up).
    #[test]
    fn faults_together_are_the_faults_alone(picked in proptest::collection::btree_set(0usize..12, 0..12)) {
        let (base, faults) = faults();
        prop_assert_eq!(problem_lines(&base), Vec::<String>::new());
        let mut together = base.clone();
        let mut alone = Vec::new();
        for &i in &picked {
            let (at, value) = &faults[i];
            put(&mut together, at, value.clone());
            let mut one = base.clone();
            put(&mut one, at, value.clone());
            let lines = problem_lines(&one);
            prop_assert!(!lines.is_empty(), "fault {} alone is a problem", at);
            alone.extend(lines);
        }
        alone.sort();
        prop_assert_eq!(problem_lines(&together), alone);
    }
}
