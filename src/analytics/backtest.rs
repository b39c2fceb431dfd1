//! Backtest: the same history under the current and a candidate model. How many MQLs each would
//! have produced, how many of those sales converted, week by week; and for the candidate, a
//! threshold sweep (MQL count, precision, recall against outcomes) with a weekly capacity line.
//!
//! Only what was known before sales acted counts: an MQL the model would reach after the CRM's
//! first touch of the lead is not counted, and the sweep ranks each lead by its score at the MQL
//! decision (see [`decision_score`]), never by its score at `as_of` or behaviour after the
//! outcome. So the sweep's count at a threshold is the MQL count of a candidate whose criterion's
//! `score <name> gte` tests use that threshold (`total`, or the group the criterion reads, e.g. a
//! calibration's: [`swept_score`]).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::dates::week_start;
use super::lead::Lead;
use super::outcomes::{Outcome, SalesStage};
use super::stats::ratio;
use crate::condition::{Condition, Facts, ScoreSource, Test};
use crate::engine::Engine;
use crate::event::Event;
use crate::score::Counts;
use crate::stage::Stage;

const WEEK: f64 = 7.0 * 86_400_000.0;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BacktestOptions {
    /// The outcome that counts as a good lead: `sal`, `sql` (default), `opportunity` or `won`.
    pub positive: Option<String>,
    /// Leads sales can work per week.
    pub capacity_per_week: Option<f64>,
    /// Thresholds in the sweep (default 101).
    pub steps: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelResult {
    pub mqls: u64,
    /// MQLs whose outcome reached the positive stage.
    pub converted: u64,
    pub conversion: Option<f64>,
    /// Share of all positive leads this model qualified.
    pub recall: Option<f64>,
    pub mqls_per_week: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sweep {
    /// The score whose threshold varies ([`swept_score`]): `total` or a group's name.
    pub score: String,
    pub thresholds: Vec<f64>,
    pub count: Vec<f64>,
    pub per_week: Vec<f64>,
    pub precision: Vec<f64>,
    pub recall: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capacity {
    pub per_week: f64,
    /// The lowest threshold whose weekly volume fits the capacity.
    pub threshold: Option<f64>,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backtest {
    pub positive: &'static str,
    pub positives: u64,
    pub weeks: Vec<f64>,
    pub current: ModelResult,
    pub candidate: ModelResult,
    pub mql_delta: i64,
    pub conversion_delta: Option<f64>,
    /// MQL under the candidate only / under the current only.
    pub newly_qualified: u64,
    pub no_longer_qualified: u64,
    /// Over the candidate's scores at the MQL decision (see [`decision_score`]).
    pub sweep: Sweep,
    pub capacity: Option<Capacity>,
}

fn positive_stage(name: Option<&str>) -> SalesStage {
    match name.and_then(SalesStage::parse) {
        Some(
            s @ (SalesStage::Sal | SalesStage::Sql | SalesStage::Opportunity | SalesStage::Won),
        ) => s,
        _ => SalesStage::Sql,
    }
}

/// The last moment a lead's own behaviour can qualify it: the CRM's first touch (the explicit
/// touch, else the earliest stage date). None: sales never had the lead.
pub fn decision_cutoff(lead: &Lead) -> Option<i64> {
    lead.outcome.as_ref().and_then(Outcome::first_touch)
}

/// An MQL under the model before sales acted on the lead (at the first touch at the latest).
pub fn decided_mql(lead: &Lead) -> bool {
    lead.mql_at
        .is_some_and(|t| decision_cutoff(lead).is_none_or(|c| t <= c))
}

/// The score the sweep varies: the name in the MQL criterion's `score <name> gte` tests
/// (`{"score": "calibrated", "gte": 200}`), `total` when the criterion has such a test on it,
/// else the first other score's (depth first, outside any `not`). None: no such test.
pub fn swept_score(cond: &Condition) -> Option<&str> {
    fn walk<'a>(cond: &'a Condition, found: &mut Vec<&'a str>) {
        match cond {
            Condition::All(parts) | Condition::Any(parts) => {
                for c in parts {
                    walk(c, found);
                }
            }
            Condition::Score(name, tests) if matches!(tests[..], [Test::Gte(_)]) => {
                found.push(name);
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(cond, &mut found);
    found
        .iter()
        .find(|n| **n == "total")
        .or(found.first())
        .copied()
}

/// The highest threshold of the `score <name> gte` tests (`name` the [`swept_score`]) at which
/// `cond` holds, with that score at `value` (`INFINITY`: at any threshold, `NEG_INFINITY`: at
/// none); every other test is evaluated as it is. `all` takes the lowest of its parts, `any`
/// the highest.
fn critical_threshold(cond: &Condition, facts: &Facts<'_>, name: &str, value: f64) -> f64 {
    match cond {
        Condition::All(parts) => parts
            .iter()
            .map(|c| critical_threshold(c, facts, name, value))
            .fold(f64::INFINITY, f64::min),
        Condition::Any(parts) => parts
            .iter()
            .map(|c| critical_threshold(c, facts, name, value))
            .fold(f64::NEG_INFINITY, f64::max),
        Condition::Score(n, tests) if n == name && matches!(tests[..], [Test::Gte(_)]) => value,
        other if other.eval(facts) => f64::INFINITY,
        _ => f64::NEG_INFINITY,
    }
}

/// The score at the MQL decision: replays `events` (one visitor's, in order) under `engine`'s
/// model and, after each event the engine takes (not a duplicate) up to `cutoff`, takes the
/// highest threshold of the criterion's `score <name> gte` tests ([`swept_score`]: `total`, or
/// a group such as a calibration's) the model's MQL criterion would pass at that moment, with
/// that score at that moment, exactly where the engine checks stage criteria. The lead becomes
/// an MQL under threshold `t` (before the cutoff) exactly when this is `>= t`. None: no moment
/// before the cutoff at which any threshold qualifies it.
pub fn decision_score(
    mut engine: Engine,
    events: impl IntoIterator<Item = Event>,
    cutoff: Option<i64>,
) -> Option<f64> {
    let criterion = engine
        .model()
        .stages
        .iter()
        .find(|s| s.stage == Stage::Mql)
        .map(|s| s.when.clone())?;
    let name = swept_score(&criterion).unwrap_or("total").to_string();
    let mut best = f64::NEG_INFINITY;
    for event in events {
        let at = event.timestamp;
        if cutoff.is_some_and(|c| at > c) {
            break;
        }
        if engine.ingest_event(&event, at).duplicate {
            continue;
        }
        let score = engine.score(at);
        let state = engine.state();
        let counts = Counts(state);
        let facts = Facts {
            event: None,
            traits: &state.traits,
            identified: state.user_id.is_some(),
            scores: Some(&score),
            counts: Some(&counts),
            as_of: at,
        };
        // A group the score does not have fails its test at every threshold.
        let value = score.score_of(&name).unwrap_or(f64::NEG_INFINITY);
        best = best.max(critical_threshold(&criterion, &facts, &name, value));
    }
    // `INFINITY` when the criterion was met by a part without a score test (any threshold).
    (best > f64::NEG_INFINITY).then_some(best)
}

/// The decision score of a lead known without events (from a received handoff): its score at the
/// handoff, if that came before sales acted.
/// `score` is the [`swept_score`]: a lead carries its total, fit and engagement; of another
/// group it knows nothing, and the backtest counts it as an MQL whatever that group's
/// threshold, so it counts at every threshold (`INFINITY`).
pub fn handoff_decision_score(lead: &Lead, score: &str) -> Option<f64> {
    let value = match score {
        "total" => lead.score,
        "fit" => lead.fit,
        "engagement" => lead.engagement,
        _ => f64::INFINITY,
    };
    decided_mql(lead).then_some(value)
}

fn result(
    leads: &[Lead],
    is_positive: &dyn Fn(&Lead) -> bool,
    positives: u64,
    weeks: &[f64],
) -> ModelResult {
    let mut per_week: BTreeMap<i64, f64> = BTreeMap::new();
    let mut mqls = 0;
    let mut converted = 0;
    for l in leads {
        let Some(at) = l.mql_at.filter(|_| decided_mql(l)) else {
            continue;
        };
        mqls += 1;
        converted += u64::from(is_positive(l));
        *per_week.entry(week_start(at)).or_default() += 1.0;
    }
    ModelResult {
        mqls,
        converted,
        conversion: ratio(converted, mqls),
        recall: ratio(converted, positives),
        mqls_per_week: weeks
            .iter()
            .map(|w| per_week.get(&(*w as i64)).copied().unwrap_or(0.0))
            .collect(),
    }
}

/// `current` and `candidate` are the same visitors scored by the two models, with outcomes applied;
/// `decisions[i]` is `candidate[i]`'s [`decision_score`] (None: never qualifies).
pub fn backtest(
    current: &[Lead],
    candidate: &[Lead],
    decisions: &[Option<f64>],
    options: &BacktestOptions,
) -> Backtest {
    let stage = positive_stage(options.positive.as_deref());
    let is_positive = move |l: &Lead| l.reached_at_least(stage);
    let positives = candidate.iter().filter(|l| is_positive(l)).count() as u64;
    let first = current
        .iter()
        .chain(candidate)
        .filter_map(|l| l.mql_at.or(l.first_seen))
        .min();
    let last = current
        .iter()
        .chain(candidate)
        .filter_map(|l| l.mql_at.or(l.last_seen))
        .max();
    let weeks: Vec<f64> = match (first, last) {
        (Some(a), Some(b)) => {
            let mut w = week_start(a);
            let mut out = Vec::new();
            while w <= b && out.len() < 1000 {
                out.push(w as f64);
                w += WEEK as i64;
            }
            out
        }
        _ => Vec::new(),
    };
    let span_weeks = (weeks.len() as f64).max(1.0);
    let cur = result(current, &is_positive, positives, &weeks);
    let cand = result(candidate, &is_positive, positives, &weeks);
    let cur_set: HashSet<&str> = current
        .iter()
        .filter(|l| decided_mql(l))
        .map(|l| l.id.as_str())
        .collect();
    let cand_set: HashSet<&str> = candidate
        .iter()
        .filter(|l| decided_mql(l))
        .map(|l| l.id.as_str())
        .collect();

    // Sweep: sort by decision score descending, then walk thresholds from high to low. A lead
    // that never qualifies at any threshold is never counted.
    let mut scored: Vec<(f64, bool)> = candidate
        .iter()
        .zip(decisions)
        .filter_map(|(l, d)| Some(((*d)?, is_positive(l))))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let steps = options.steps.unwrap_or(101).clamp(2, 1001);
    // The range spans the finite scores (a lead qualified by a part without a score test counts
    // at every threshold).
    let finite = scored.iter().map(|s| s.0).filter(|s| s.is_finite());
    let hi = finite
        .clone()
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    let lo = finite.fold(0.0_f64, f64::min);
    let hi = hi.map_or(100.0, |s| s.max(1.0));
    let mut sweep = Sweep {
        score: "total".to_string(),
        thresholds: vec![],
        count: vec![],
        per_week: vec![],
        precision: vec![],
        recall: vec![],
    };
    let (mut taken, mut tp) = (0usize, 0u64);
    for k in (0..steps).rev() {
        let t = lo + (hi - lo) * k as f64 / (steps - 1) as f64;
        while taken < scored.len() && scored[taken].0 >= t {
            tp += u64::from(scored[taken].1);
            taken += 1;
        }
        sweep.thresholds.push(t);
        sweep.count.push(taken as f64);
        sweep.per_week.push(taken as f64 / span_weeks);
        sweep
            .precision
            .push(ratio(tp, taken as u64).unwrap_or(f64::NAN));
        sweep.recall.push(ratio(tp, positives).unwrap_or(f64::NAN));
    }
    // Ascending thresholds read naturally on a chart's x axis.
    for v in [
        &mut sweep.thresholds,
        &mut sweep.count,
        &mut sweep.per_week,
        &mut sweep.precision,
        &mut sweep.recall,
    ] {
        v.reverse();
    }
    let capacity = options.capacity_per_week.map(|per_week| {
        let i = sweep.per_week.iter().position(|&n| n <= per_week);
        let finite = |x: f64| x.is_finite().then_some(x);
        Capacity {
            per_week,
            threshold: i.map(|i| sweep.thresholds[i]),
            precision: i.and_then(|i| finite(sweep.precision[i])),
            recall: i.and_then(|i| finite(sweep.recall[i])),
        }
    });
    Backtest {
        positive: stage.name(),
        positives,
        weeks,
        mql_delta: cand.mqls as i64 - cur.mqls as i64,
        conversion_delta: match (cand.conversion, cur.conversion) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        },
        newly_qualified: cand_set.difference(&cur_set).count() as u64,
        no_longer_qualified: cur_set.difference(&cand_set).count() as u64,
        current: cur,
        candidate: cand,
        sweep,
        capacity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::dates::parse_time;
    use crate::analytics::lead::tests::lead;
    use SalesStage::*;

    #[test]
    fn worked_example() {
        let mon = parse_time("2026-03-02").unwrap();
        let next = parse_time("2026-03-10").unwrap();
        // Current qualifies a, b, c; the candidate drops c (rejected) and adds d (became SQL).
        let current = vec![
            lead("a", 80.0, Some(mon), &[(Sal, mon), (Sql, mon)]),
            lead("b", 60.0, Some(mon), &[(Sal, mon)]),
            lead("c", 55.0, Some(next), &[(Rejected, next)]),
            lead("d", 40.0, None, &[(Sql, next)]),
        ];
        let mut candidate = current.clone();
        candidate[2].mql_at = None;
        candidate[2].score = 20.0;
        candidate[3].mql_at = Some(next);
        candidate[3].score = 70.0;
        let decisions: Vec<Option<f64>> = candidate.iter().map(|l| Some(l.score)).collect();
        let bt = backtest(
            &current,
            &candidate,
            &decisions,
            &BacktestOptions {
                capacity_per_week: Some(1.0),
                steps: Some(11),
                ..Default::default()
            },
        );
        assert_eq!(bt.positive, "sql");
        assert_eq!(bt.positives, 2);
        assert_eq!((bt.current.mqls, bt.current.converted), (3, 1));
        assert_eq!((bt.candidate.mqls, bt.candidate.converted), (3, 2));
        assert_eq!(bt.conversion_delta, Some(1.0 / 3.0));
        assert_eq!(
            (bt.mql_delta, bt.newly_qualified, bt.no_longer_qualified),
            (0, 1, 1)
        );
        assert_eq!(bt.weeks, vec![mon as f64, (mon + 7 * 86_400_000) as f64]);
        assert_eq!(bt.current.mqls_per_week, vec![2.0, 1.0]);
        assert_eq!(bt.candidate.mqls_per_week, vec![2.0, 1.0]);
        // Thresholds 0, 8, ..., 80 over candidate scores 80, 70, 60, 20.
        assert_eq!(bt.sweep.thresholds.len(), 11);
        assert_eq!(bt.sweep.count[0], 4.0);
        assert_eq!(bt.sweep.count[10], 1.0);
        let at_64 = bt.sweep.thresholds.iter().position(|&t| t == 64.0).unwrap();
        assert_eq!(
            (
                bt.sweep.count[at_64],
                bt.sweep.precision[at_64],
                bt.sweep.recall[at_64]
            ),
            (2.0, 1.0, 1.0)
        );
        // Two weeks: capacity 1/week allows at most 2 leads → threshold 64.
        let cap = bt.capacity.unwrap();
        assert_eq!(
            (cap.threshold, cap.precision, cap.recall),
            (Some(64.0), Some(1.0), Some(1.0))
        );
    }

    #[test]
    fn no_data_gives_empty_figures_not_errors() {
        let bt = backtest(&[], &[], &[], &BacktestOptions::default());
        assert_eq!(bt.current.conversion, None);
        assert!(bt.weeks.is_empty());
        assert_eq!(bt.sweep.count.iter().sum::<f64>(), 0.0);
    }

    #[test]
    fn an_mql_reached_after_sales_acted_is_not_counted() {
        let mon = parse_time("2026-03-02").unwrap();
        let next = parse_time("2026-03-10").unwrap();
        // b crosses only after sales worked it (its later visits are the outcome's, not a signal).
        let leads = vec![
            lead("a", 80.0, Some(mon), &[(Sal, next)]),
            lead("b", 80.0, Some(next), &[(Sal, mon), (Sql, mon)]),
            lead("c", 60.0, Some(next), &[]),
        ];
        let decisions = [Some(80.0), None, Some(60.0)];
        let bt = backtest(&leads, &leads, &decisions, &BacktestOptions::default());
        assert_eq!((bt.current.mqls, bt.candidate.mqls), (2, 2));
        assert_eq!(bt.sweep.count[0], 2.0);
        assert_eq!((bt.newly_qualified, bt.no_longer_qualified), (0, 0));
    }

    fn demo_model(threshold: Option<f64>) -> crate::model::Model {
        let mut v: crate::json::Value =
            crate::json::parse(include_str!("../../tests/fixtures/models/demo.model.json"))
                .unwrap();
        if let crate::json::Value::Object(m) = &mut v {
            m.remove("$schema");
        }
        if let Some(t) = threshold {
            let gte = v
                .pointer_mut("/stages/mql/all/0/gte")
                .unwrap_or_else(|| panic!("the demo's MQL criterion moved"));
            *gte = crate::json::json!(t);
        }
        crate::model::Model::from_value(&v).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The sweep's count at a threshold is the backtest's own MQL count for a candidate whose
    /// `score total gte` test uses that threshold (the demo model's MQL is an `all` of that test
    /// and behaviour and fit tests), on the seeded sample with its CRM outcomes.
    #[test]
    fn the_sweep_count_at_a_threshold_is_the_backtests_mql_count_there() {
        let bt = sweep_matches_backtests(&demo_model);
        assert_eq!(bt.sweep.score, "total");
    }

    /// The demo model with the MQL criterion `{"score": "intent", "gte": t}` (a group, as a
    /// calibration writes `{"score": "calibrated", ...}`; 20 by default).
    fn intent_model(threshold: Option<f64>) -> crate::model::Model {
        let mut v = demo_model(None).to_value().clone();
        *v.pointer_mut("/stages/mql").unwrap() =
            crate::json::json!({ "score": "intent", "gte": threshold.unwrap_or(20.0) });
        crate::model::Model::from_value(&v).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The same for a criterion on a group's score: the sweep varies that group's threshold.
    #[test]
    fn the_sweep_of_a_group_criterion_varies_that_groups_threshold() {
        let bt = sweep_matches_backtests(&intent_model);
        assert_eq!(bt.sweep.score, "intent");
        // The intent group reaches 45 (pricing 10 + case studies + demo 30), past 1.
        let top = bt.sweep.thresholds.last().copied().unwrap();
        assert!(top > 20.0, "{:?}", bt.sweep.thresholds);
    }

    #[test]
    fn the_swept_score_is_total_else_the_first_group() {
        let crit = |v: crate::json::Value| {
            let mut m = demo_model(None).to_value().clone();
            *m.pointer_mut("/stages/mql").unwrap() = v;
            let m = crate::model::Model::from_value(&m).unwrap_or_else(|e| panic!("{e}"));
            let s = m.stages.iter().find(|s| s.stage == Stage::Mql).unwrap();
            swept_score(&s.when).map(str::to_string)
        };
        use crate::json::json;
        assert_eq!(
            crit(json!({ "score": "intent", "gte": 5 })).as_deref(),
            Some("intent")
        );
        assert_eq!(
            crit(
                json!({ "all": [{ "score": "intent", "gte": 5 }, { "score": "total", "gte": 50 }] })
            )
            .as_deref(),
            Some("total")
        );
        assert_eq!(
            crit(json!({ "any": [{ "trait": "title", "exists": true }, { "score": "fit", "gte": 5 }] }))
                .as_deref(),
            Some("fit")
        );
        // Only `gte` tests are swept; a `not` is not.
        assert_eq!(crit(json!({ "score": "intent", "lt": 5 })), None);
        assert_eq!(
            crit(json!({ "not": { "score": "intent", "gte": 5 } })),
            None
        );
    }

    fn sweep_matches_backtests(model: &dyn Fn(Option<f64>) -> crate::model::Model) -> Backtest {
        use crate::analytics::import::CsvMapping;
        use crate::analytics::workspace::Workspace;
        let now = parse_time("2026-06-01").unwrap();
        let s = crate::analytics::sample::generate(7, 400, now);
        let mut ws = Workspace::new();
        ws.begin_events("jsonl", CsvMapping::default()).unwrap();
        ws.push_events(&s.events_jsonl).unwrap();
        ws.finish_events().unwrap();
        ws.import_outcomes(&s.outcomes_csv);
        let current = model(None);
        let options = BacktestOptions {
            capacity_per_week: Some(3.0),
            steps: Some(41),
            ..Default::default()
        };
        let bt = ws.backtest(&current, &current, now, &options);
        assert!(bt.candidate.mqls > 5, "too few MQLs to compare: {bt:?}");
        // The sweep does not depend on the candidate's own threshold.
        let mut checked = 0;
        let mut distinct = HashSet::new();
        for (i, &t) in bt.sweep.thresholds.iter().enumerate() {
            // Every fourth threshold (bounded: 11 replays), plus the capacity threshold.
            if i % 4 != 0 && Some(t) != bt.capacity.as_ref().and_then(|c| c.threshold) {
                continue;
            }
            let at_t = ws.backtest(&current, &model(Some(t)), now, &options);
            assert_eq!(
                bt.sweep.count[i], at_t.candidate.mqls as f64,
                "threshold {t}: sweep says {}, the backtest makes {} MQLs",
                bt.sweep.count[i], at_t.candidate.mqls
            );
            assert_eq!(at_t.sweep, bt.sweep, "threshold {t}");
            let precision = at_t.candidate.conversion.unwrap_or(f64::NAN);
            assert!(
                precision.to_bits() == bt.sweep.precision[i].to_bits(),
                "threshold {t}: precision {precision} vs sweep {}",
                bt.sweep.precision[i]
            );
            distinct.insert(at_t.candidate.mqls);
            checked += 1;
        }
        assert!(
            checked >= 10 && distinct.len() >= 3,
            "{checked} {distinct:?}"
        );
        bt
    }
}
