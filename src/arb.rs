//! Random engine values for the proptests that pin each hand-written JSON writer (`encode`
//! beside each type) to the type's derived `Serialize`: every optional field both present and
//! absent, zero and non-zero counters (`skip_serializing_if`), every enum variant, strings
//! needing every escape, floats across the whole range (non-finite too), `Value` trees.

use crate::json::{Map, Value};
use proptest::prelude::*;

use crate::event::Campaign;
use crate::json::arb::{arb_any_f64, arb_string, arb_value};
use crate::model::RuleKind;
use crate::score::{Explanation, FitEntry, GroupSummary, LedgerEntry, RuleSummary, Score};
use crate::sorted_map::SortedMap;
use crate::stage::{Stage, StageEntry};
use crate::state::{
    Acc, CapHit, HistoryRecord, LedgerRecord, RuleState, Touch, VisitWindow, VisitorState,
};

pub fn text() -> impl Strategy<Value = String> {
    arb_string()
}

pub fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(arb_string())
}

/// Zero half the time (the counters skipped when zero), else any.
pub fn u32_or_zero() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), any::<u32>()]
}

pub fn i64_or_zero() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0i64), any::<i64>(), Just(i64::MIN)]
}

pub fn i64s() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(any::<i64>(), 0..4)
}

/// An object (traits, company).
pub fn map() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((arb_string(), arb_value()), 0..4).prop_map(|kv| kv.into_iter().collect())
}

pub fn stage() -> impl Strategy<Value = Stage> {
    prop::sample::select(Stage::ALL.to_vec())
}

pub fn stage_entry() -> impl Strategy<Value = StageEntry> {
    (stage(), any::<i64>()).prop_map(|(stage, at)| StageEntry { stage, at })
}

pub fn cap_hit() -> impl Strategy<Value = Option<CapHit>> {
    prop::option::of(prop::sample::select(vec![
        CapHit::PerSession,
        CapHit::PerDay,
        CapHit::Total,
        CapHit::Late,
    ]))
}

pub fn rule_kind() -> impl Strategy<Value = RuleKind> {
    prop::sample::select(vec![RuleKind::Behavior, RuleKind::Fit])
}

pub fn campaign() -> impl Strategy<Value = Campaign> {
    (opt_text(), opt_text(), opt_text(), opt_text(), opt_text()).prop_map(
        |(source, medium, name, term, content)| Campaign {
            source,
            medium,
            name,
            term,
            content,
        },
    )
}

pub fn touch() -> impl Strategy<Value = Touch> {
    (
        any::<i64>(),
        opt_text(),
        opt_text(),
        prop_oneof![Just(Campaign::default()), campaign()],
    )
        .prop_map(|(at, landing_page, referrer, utm)| Touch {
            at,
            landing_page,
            referrer,
            utm,
        })
}

pub fn acc() -> impl Strategy<Value = Acc> {
    prop_oneof![
        arb_any_f64().prop_map(Acc::Sum),
        (arb_any_f64(), any::<i64>()).prop_map(|(v, t)| Acc::Half(v, t)),
        prop::collection::vec((any::<i64>(), arb_any_f64()), 0..4).prop_map(Acc::Lin),
    ]
}

pub fn rule_state() -> impl Strategy<Value = RuleState> {
    (
        (any::<u32>(), any::<u32>(), i64_or_zero()),
        (
            prop::collection::vec((any::<i64>(), u32_or_zero()), 0..3),
            prop::collection::vec((u32_or_zero(), any::<u32>()), 0..3),
            acc(),
            i64s(),
        ),
    )
        .prop_map(
            |((matches, counted, days_from), (days, visits, acc, ring))| RuleState {
                matches,
                counted,
                days,
                days_from,
                visits,
                acc,
                ring,
            },
        )
}

pub fn visit_window() -> impl Strategy<Value = VisitWindow> {
    (u32_or_zero(), any::<i64>(), any::<i64>())
        .prop_map(|(id, start, end)| VisitWindow(id, start, end))
}

pub fn ledger_record() -> impl Strategy<Value = LedgerRecord> {
    (
        (text(), any::<i64>(), arb_any_f64(), cap_hit()),
        (text(), text(), text()),
    )
        .prop_map(|((rule, at, points, cap), (message, kind, label))| {
            LedgerRecord(rule, at, points, cap, message, kind, label)
        })
}

pub fn history_record() -> impl Strategy<Value = HistoryRecord> {
    (any::<i64>(), text(), text()).prop_map(|(at, kind, label)| HistoryRecord(at, kind, label))
}

pub fn visitor_state() -> impl Strategy<Value = VisitorState> {
    let identity = (
        any::<u32>(),
        text(),
        opt_text(),
        opt_text(),
        prop_oneof![Just(Map::new()), map()],
        prop::option::of(any::<i64>()),
        prop::option::of(any::<i64>()),
    );
    let counters = (any::<u64>(), any::<u64>(), any::<u32>(), i64s());
    let rules = prop::collection::vec((text(), rule_state()), 0..4);
    let logs = (
        prop::collection::vec(ledger_record(), 0..3),
        prop::collection::vec(history_record(), 0..3),
        prop::collection::vec(any::<u32>(), 0..4),
    );
    let stages = (
        stage(),
        prop::collection::vec(stage_entry(), 0..3),
        prop::collection::vec(text(), 0..3),
        prop::option::of(touch()),
        prop::option::of(touch()),
    );
    let visits = prop::collection::vec(visit_window(), 0..3);
    (identity, counters, rules, logs, stages, visits).prop_map(
        |(
            (version, model_hash, anonymous_id, user_id, traits, first_seen, last_seen),
            (events, duplicates, sessions, visit_ring),
            rule_list,
            (ledger, history, seen),
            (stage, stage_entries, handoffs, first_touch, last_touch),
            visits,
        )| {
            let mut rules = SortedMap::new();
            for (id, rule) in rule_list {
                rules.insert(id, rule);
            }
            VisitorState {
                version,
                model_hash,
                anonymous_id,
                user_id,
                traits,
                first_seen,
                last_seen,
                events,
                duplicates,
                sessions,
                visit_ring,
                rules,
                ledger,
                history,
                seen,
                stage,
                stage_entries,
                handoffs,
                first_touch,
                last_touch,
                visits,
            }
        },
    )
}

pub fn score() -> impl Strategy<Value = Score> {
    (
        (arb_any_f64(), arb_any_f64(), arb_any_f64()),
        prop::collection::vec((text(), arb_any_f64()), 0..4),
        (opt_text(), stage(), any::<i64>()),
    )
        .prop_map(
            |((total, fit, engagement), group_list, (grade, stage, as_of))| {
                let mut groups = SortedMap::new();
                for (name, value) in group_list {
                    groups.insert(name, value);
                }
                Score {
                    total,
                    fit,
                    engagement,
                    groups,
                    grade,
                    stage,
                    as_of,
                }
            },
        )
}

pub fn ledger_entry() -> impl Strategy<Value = LedgerEntry> {
    (
        (text(), text(), text(), any::<i64>(), text(), text()),
        (
            arb_any_f64(),
            arb_any_f64(),
            arb_any_f64(),
            cap_hit(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (message_id, event_type, label, timestamp, rule_id, group),
                (raw_points, decay_factor, counted_points, cap_hit, group_clamped),
            )| LedgerEntry {
                message_id,
                event_type,
                label,
                timestamp,
                rule_id,
                group,
                raw_points,
                decay_factor,
                counted_points,
                cap_hit,
                group_clamped,
            },
        )
}

pub fn rule_summary() -> impl Strategy<Value = RuleSummary> {
    (
        (text(), rule_kind(), text()),
        (any::<u32>(), any::<u32>(), any::<u32>()),
        (arb_any_f64(), arb_any_f64()),
    )
        .prop_map(
            |((rule_id, kind, group), (matches, counted, capped), (points, earlier_points))| {
                RuleSummary {
                    rule_id,
                    kind,
                    group,
                    matches,
                    counted,
                    capped,
                    points,
                    earlier_points,
                }
            },
        )
}

pub fn fit_entry() -> impl Strategy<Value = FitEntry> {
    (text(), text(), arb_any_f64(), any::<bool>()).prop_map(|(rule_id, group, points, matched)| {
        FitEntry {
            rule_id,
            group,
            points,
            matched,
        }
    })
}

pub fn group_summary() -> impl Strategy<Value = GroupSummary> {
    (
        text(),
        rule_kind(),
        arb_any_f64(),
        arb_any_f64(),
        opt_text(),
    )
        .prop_map(|(group, kind, raw, value, clamp)| GroupSummary {
            group,
            kind,
            raw,
            value,
            clamp,
        })
}

pub fn explanation() -> impl Strategy<Value = Explanation> {
    let (rule, fit, group) = (rule_summary(), fit_entry(), group_summary());
    (
        (any::<i64>(), score()),
        prop::collection::vec(ledger_entry(), 0..3),
        prop::collection::vec(rule, 0..3),
        prop::collection::vec(fit, 0..3),
        prop::collection::vec(group, 0..3),
        (arb_any_f64(), opt_text()),
    )
        .prop_map(
            |((as_of, score), entries, rules, fit, groups, (total_raw, total_clamp))| Explanation {
                as_of,
                score,
                entries,
                rules,
                fit,
                groups,
                total_raw,
                total_clamp,
            },
        )
}
