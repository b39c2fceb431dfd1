//! Backtest: the same history under the current and a candidate model. How many MQLs each would
//! have produced, how many of those sales converted, week by week; and for the candidate, a
//! threshold sweep (MQL count, precision, recall against outcomes) with a weekly capacity line.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::dates::week_start;
use super::lead::Lead;
use super::outcomes::SalesStage;
use super::stats::ratio;

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
    /// Over the candidate's scores at `as_of`.
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
        let Some(at) = l.mql_at else { continue };
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

/// `current` and `candidate` are the same visitors scored by the two models, with outcomes applied.
pub fn backtest(current: &[Lead], candidate: &[Lead], options: &BacktestOptions) -> Backtest {
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
        .filter(|l| l.mql_at.is_some())
        .map(|l| l.id.as_str())
        .collect();
    let cand_set: HashSet<&str> = candidate
        .iter()
        .filter(|l| l.mql_at.is_some())
        .map(|l| l.id.as_str())
        .collect();

    // Sweep: sort by score descending, then walk thresholds from high to low.
    let mut scored: Vec<(f64, bool)> = candidate
        .iter()
        .map(|l| (l.score, is_positive(l)))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let steps = options.steps.unwrap_or(101).clamp(2, 1001);
    let hi = scored.first().map_or(100.0, |s| s.0.max(1.0));
    let lo = scored.last().map_or(0.0, |s| s.0.min(0.0));
    let mut sweep = Sweep {
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
        let bt = backtest(
            &current,
            &candidate,
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
        let bt = backtest(&[], &[], &BacktestOptions::default());
        assert_eq!(bt.current.conversion, None);
        assert!(bt.weeks.is_empty());
        assert_eq!(bt.sweep.count.iter().sum::<f64>(), 0.0);
    }
}
