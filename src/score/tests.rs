//! `count_since` against `filter().count()`, and `explain`'s per-rule sums and fit matches
//! against the walks they replaced (a sum over the listed entries per rule, the breakdown's
//! own copy of the fit results).

use super::*;
use crate::state::{LedgerRecord, RuleState};
use proptest::prelude::*;

fn demo() -> Model {
    Model::from_json(include_str!("../../tests/fixtures/models/demo.model.json")).unwrap()
}

#[test]
fn count_since_counts_times_at_or_after() {
    assert_eq!(count_since(&[], 5), 0);
    assert_eq!(count_since(&[1, 5, 9], 5), 2);
    assert_eq!(count_since(&[1, 5, 9], 10), 0);
    assert_eq!(count_since(&[i64::MIN, 0, i64::MAX], i64::MIN), 3);
}

#[test]
fn earlier_points_leave_out_the_listed_entries() {
    let model = demo();
    let mut state = VisitorState::default();
    let day = crate::condition::DAY_MS;
    let decay = model.rules[0].decay;
    let mut acc = crate::state::Acc::empty(decay);
    acc.add(decay, 7.0, 0);
    state.rules.insert(
        "page-view".to_string(),
        RuleState {
            matches: 3,
            counted: 2,
            acc,
            ..RuleState::default()
        },
    );
    // One listed entry of 2 points; an entry of a rule the model lacks counts for no rule.
    for (rule, points) in [("page-view", 2.0), ("gone", 4.0)] {
        state.ledger.push(LedgerRecord(
            rule.to_string(),
            day,
            points,
            None,
            "m".into(),
            "page".into(),
            "/".into(),
        ));
    }
    let e = explain(&model, &state, 2 * day);
    let view = e.rules.iter().find(|r| r.rule_id == "page-view").unwrap();
    let decayed = 7.0 * decay_factor(decay, 0, 2 * day);
    assert_eq!(view.points, round2(decayed));
    let listed = 2.0 * decay_factor(decay, day, 2 * day);
    assert_eq!(view.earlier_points, round2(decayed - listed));
    assert_eq!((view.matches, view.counted, view.capped), (3, 2, 1));
    assert!(e.fit.iter().all(|f| !f.matched), "no traits, no fit match");
}

fn ledger_of(model: &Model) -> impl Strategy<Value = Vec<LedgerRecord>> {
    let mut ids: Vec<String> = model.rules.iter().map(|r| r.id.clone()).collect();
    ids.push("not-a-rule".to_string());
    let record = (
        prop::sample::select(ids),
        -100i64..100,
        prop_oneof![Just(0.0), -50.0f64..50.0],
        crate::arb::cap_hit(),
    )
        .prop_map(|(rule, at, points, cap)| {
            let day = crate::condition::DAY_MS;
            LedgerRecord(
                rule,
                at * day,
                points,
                cap,
                "m".into(),
                "page".into(),
                "/".into(),
            )
        });
    prop::collection::vec(record, 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn count_since_is_filter_count(
        times in prop::collection::vec(any::<i64>(), 0..20),
        t in any::<i64>(),
    ) {
        let want = times.iter().filter(|at| **at >= t).count() as u32;
        prop_assert_eq!(count_since(&times, t), want);
    }

    #[test]
    fn explain_agrees_with_the_per_rule_walks(
        ledger in ledger_of(&demo()),
        accs in prop::collection::vec((any::<bool>(), -20.0f64..20.0), 16),
        title in prop::sample::select(vec!["VP Sales", "Manager", "intern", ""]),
        employees in 0u32..2000,
        as_of_day in 0i64..200,
    ) {
        let model = demo();
        let mut state = VisitorState {
            ledger,
            ..VisitorState::default()
        };
        for (rule, (present, points)) in model.rules.iter().zip(&accs) {
            if *present && rule.kind == RuleKind::Behavior {
                let mut acc = crate::state::Acc::empty(rule.decay);
                acc.add(rule.decay, *points, 0);
                state.rules.insert(rule.id.clone(), RuleState { acc, ..RuleState::default() });
            }
        }
        state.traits.insert("title".into(), Value::String(title.into()));
        state.traits.insert("employees".into(), Value::from(employees));
        let as_of = as_of_day * crate::condition::DAY_MS;
        let e = explain(&model, &state, as_of);
        let b = breakdown(&model, &state, as_of);
        let hits = fit_hits(&model, &state.traits, false);
        for r in &e.rules {
            let i = model.rules.iter().position(|x| x.id == r.rule_id).unwrap();
            let mut listed = 0.0;
            for entry in &e.entries {
                if entry.rule_id == r.rule_id {
                    listed += entry.counted_points;
                }
            }
            prop_assert_eq!(r.earlier_points, round2(b.rule_points[i] - listed));
        }
        for f in &e.fit {
            let i = model.rules.iter().position(|x| x.id == f.rule_id).unwrap();
            prop_assert_eq!(f.matched, model.rules[i].kind == RuleKind::Fit && hits[i]);
        }
        prop_assert_eq!(e.rules.len() + e.fit.len(), model.rules.len());
    }
}
