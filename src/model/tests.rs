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
            "stages.mql | \"matches\" names unknown rule \"b\", did you mean \"a\"?",
            "stages.mql | \"atLeast\" is at most 50",
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
