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

/// Largest remainder, worked: the parts' cents add up to the total's, the cents missing after
/// rounding down go to the largest remainders.
#[test]
fn apportion_worked_examples() {
    // Finding 11: three groups of 10.565, 10.565 and 10.565 (31.695, shown 31.70 as a total)
    // rounded alone show 10.57 each, 31.71.
    assert_eq!(
        apportion(&[10.565, 10.565, 10.565], cents(31.695)),
        [1057, 1057, 1056]
    );
    // Groups rounded alone summed to 31.70 against a total of 31.69: 12.345 + 19.345 = 31.69.
    assert_eq!(
        apportion(&[12.345_000_1, 19.344_999_9], cents(31.69)),
        [1235, 1934]
    );
    // 0.40 against 0.39: 0.195 + 0.195 = 0.39.
    assert_eq!(apportion(&[0.195, 0.195], 39), [20, 19]);
    // Float noise around a whole cent is that cent (0.29 * 100 = 28.999999999999996).
    assert_eq!(apportion(&[0.29, 0.71], 100), [29, 71]);
    // Negative parts (a max clamp) round down too (-3.333 → -3.34, remainder 0.7), so the
    // missing cent goes to the clamp, not to 13.336 (remainder 0.6).
    assert_eq!(apportion(&[13.333, -3.333], 1000), [1333, -333]);
    assert_eq!(apportion(&[13.336, -3.333], cents(10.003)), [1333, -333]);
    // A target a cent off the rounded sum (a part of a part rounded up) still lands.
    assert_eq!(apportion(&[0.004, 0.004, 0.004], 2), [1, 1, 0]);
    assert_eq!(apportion(&[], 0), Vec::<i64>::new());
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

    /// For any parts, the rounded parts add up to the rounded total, and each is less than a
    /// cent from its exact value; so too for a target rounded the other way.
    #[test]
    fn apportioned_parts_add_up(
        parts in prop::collection::vec(
            prop_oneof![-1000.0f64..1000.0, (-100_000i64..100_000).prop_map(|c| c as f64 / 1000.0)],
            0..40,
        ),
        other_way in any::<bool>(),
    ) {
        let total: f64 = parts.iter().sum();
        let mut target = cents(total);
        if other_way && !parts.is_empty() {
            let exact = total * 100.0;
            target = if (target as f64) < exact { exact.ceil() as i64 } else { exact.floor() as i64 };
        }
        let got = apportion(&parts, target);
        prop_assert_eq!(got.len(), parts.len());
        prop_assert_eq!(got.iter().sum::<i64>(), target);
        for (c, p) in got.iter().zip(&parts) {
            prop_assert!((*c as f64 / 100.0 - p).abs() < 0.01, "{} for {}", c, p);
        }
    }

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
        let c = |x: f64| (x * 100.0).round() as i64;
        for r in &e.rules {
            let i = model.rules.iter().position(|x| x.id == r.rule_id).unwrap();
            // Entries and earlier points add up to the rule's points, each within a cent.
            let (mut listed, mut exact_listed) = (0, 0.0);
            for (entry, rec) in e.entries.iter().zip(&state.ledger) {
                if entry.rule_id == r.rule_id {
                    listed += c(entry.counted_points);
                    let exact = rec.2 * entry.decay_factor;
                    exact_listed += exact;
                    prop_assert!((entry.counted_points - exact).abs() < 0.01 + 1e-9);
                }
            }
            prop_assert_eq!(listed + c(r.earlier_points), c(r.points));
            prop_assert!((r.points - b.rule_points[i]).abs() < 0.01 + 1e-9);
            let earlier = b.rule_points[i] - exact_listed;
            prop_assert!((r.earlier_points - earlier).abs() < 0.01 + 1e-9);
        }
        for f in &e.fit {
            let i = model.rules.iter().position(|x| x.id == f.rule_id).unwrap();
            prop_assert_eq!(f.matched, model.rules[i].kind == RuleKind::Fit && hits[i]);
        }
        let groups: i64 = e.groups.iter().map(|g| c(g.value)).sum();
        prop_assert_eq!(groups, c(e.total_raw));
        if e.total_clamp.is_none() {
            prop_assert_eq!(c(e.score.total), c(e.total_raw));
        }
        prop_assert_eq!(e.rules.len() + e.fit.len(), model.rules.len());
    }
}
