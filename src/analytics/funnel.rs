//! The funnel: MQL → SAL → SQL → Opportunity → Won, with conversion rates and time in stage,
//! overall and split by first-touch source and campaign. Its MQLs are the model's (before sales
//! acted, as in the Backtest); CRM leads the model did not qualify are counted apart.

use std::collections::BTreeMap;

use serde::Serialize;

use super::backtest::decided_mql;
use super::lead::Lead;
use super::outcomes::SalesStage;
use super::stats::{median_p90, ratio};

/// Funnel steps after MQL, in order.
const STEPS: [SalesStage; 4] = [
    SalesStage::Sal,
    SalesStage::Sql,
    SalesStage::Opportunity,
    SalesStage::Won,
];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunnelStep {
    pub stage: &'static str,
    /// Leads that reached this step or a later one.
    pub count: u64,
    pub conversion_from_previous: Option<f64>,
    pub conversion_from_mql: Option<f64>,
    /// Time spent in this step before reaching the next one (ms), over leads with both dates.
    pub median_ms_in_stage: Option<f64>,
    pub p90_ms_in_stage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunnelSplit {
    pub key: String,
    /// Counts for MQL, SAL, SQL, Opportunity, Won.
    pub counts: [u64; 5],
    /// MQL → Won.
    pub win_rate: Option<f64>,
    pub won_amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Funnel {
    pub steps: Vec<FunnelStep>,
    pub lost: u64,
    pub rejected: u64,
    /// Leads in the CRM that the model did not make MQLs before sales acted on them (sales found
    /// them some other way, or the model qualified them only later): not in the steps.
    pub crm_without_mql: u64,
    pub by_source: Vec<FunnelSplit>,
    pub by_campaign: Vec<FunnelSplit>,
}

/// In the funnel: an MQL under the model before sales acted on the lead, as the Backtest
/// counts MQLs ([`decided_mql`]). A lead sales had without one is counted apart
/// (`Funnel::crm_without_mql`), not as an MQL.
fn in_funnel(lead: &Lead) -> bool {
    decided_mql(lead)
}

fn counts(lead: &Lead) -> [u64; 5] {
    let mut c = [u64::from(in_funnel(lead)), 0, 0, 0, 0];
    if in_funnel(lead) {
        for (i, s) in STEPS.iter().enumerate() {
            c[i + 1] = u64::from(lead.reached_at_least(*s));
        }
    }
    c
}

/// The date a lead entered funnel position `i` (0 = MQL).
fn entered(lead: &Lead, i: usize) -> Option<i64> {
    if i == 0 {
        lead.mql_at
    } else {
        lead.reached(STEPS[i - 1])
    }
}

fn splits(leads: &[Lead], key: impl Fn(&Lead) -> &str) -> Vec<FunnelSplit> {
    let mut by: BTreeMap<String, ([u64; 5], f64)> = BTreeMap::new();
    for l in leads.iter().filter(|l| in_funnel(l)) {
        let e = by.entry(key(l).to_string()).or_insert(([0; 5], 0.0));
        for (a, b) in e.0.iter_mut().zip(counts(l)) {
            *a += b;
        }
        if l.reached(SalesStage::Won).is_some() {
            e.1 += l.outcome.as_ref().and_then(|o| o.amount).unwrap_or(0.0);
        }
    }
    let mut out: Vec<FunnelSplit> = by
        .into_iter()
        .map(|(key, (counts, won_amount))| FunnelSplit {
            key,
            counts,
            win_rate: ratio(counts[4], counts[0]),
            won_amount,
        })
        .collect();
    out.sort_by(|a, b| {
        b.counts[0]
            .cmp(&a.counts[0])
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

pub fn funnel(leads: &[Lead]) -> Funnel {
    let mut total = [0u64; 5];
    for l in leads {
        for (a, b) in total.iter_mut().zip(counts(l)) {
            *a += b;
        }
    }
    let names = ["mql", "sal", "sql", "opportunity", "won"];
    let steps = (0..5)
        .map(|i| {
            let mut durations: Vec<f64> = if i < 4 {
                leads
                    .iter()
                    .filter(|l| in_funnel(l))
                    .filter_map(|l| Some((entered(l, i + 1)? - entered(l, i)?).max(0) as f64))
                    .collect()
            } else {
                Vec::new()
            };
            let (median, p90) = median_p90(&mut durations);
            FunnelStep {
                stage: names[i],
                count: total[i],
                conversion_from_previous: if i == 0 {
                    None
                } else {
                    ratio(total[i], total[i - 1])
                },
                conversion_from_mql: ratio(total[i], total[0]),
                median_ms_in_stage: median,
                p90_ms_in_stage: p90,
            }
        })
        .collect();
    let ended = |s| {
        leads
            .iter()
            .filter(|l| in_funnel(l) && l.reached(s).is_some())
            .count() as u64
    };
    Funnel {
        steps,
        lost: ended(SalesStage::Lost),
        rejected: ended(SalesStage::Rejected),
        crm_without_mql: leads
            .iter()
            .filter(|l| l.outcome.is_some() && !in_funnel(l))
            .count() as u64,
        by_source: splits(leads, |l| &l.source),
        by_campaign: splits(leads, |l| &l.campaign),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::lead::tests::lead;
    use SalesStage::*;

    const H: i64 = 3_600_000;

    #[test]
    fn worked_example() {
        // Four MQLs and one visitor who never qualified.
        let mut a = lead(
            "a",
            80.0,
            Some(0),
            &[
                (Sal, 2 * H),
                (Sql, 10 * H),
                (Opportunity, 20 * H),
                (Won, 50 * H),
            ],
        );
        a.source = "linkedin".into();
        a.outcome.as_mut().unwrap().amount = Some(1000.0);
        let b = lead(
            "b",
            60.0,
            Some(0),
            &[(Sal, 4 * H), (Sql, 8 * H), (Lost, 30 * H)],
        );
        let c = lead("c", 55.0, Some(0), &[(Rejected, H)]);
        let d = lead("d", 52.0, Some(0), &[]);
        let e = lead("e", 10.0, None, &[]);
        // In the CRM without a model MQL, and an MQL only after sales had worked it: not in
        // the steps, counted apart.
        let g = lead("g", 30.0, None, &[(Sal, H), (Sql, 2 * H), (Won, 3 * H)]);
        let late = lead("late", 70.0, Some(5 * H), &[(Sal, H), (Lost, 9 * H)]);
        let f = funnel(&[a, b, c, d, e, g, late]);
        assert_eq!(f.crm_without_mql, 2);
        let counts: Vec<u64> = f.steps.iter().map(|s| s.count).collect();
        assert_eq!(counts, [4, 2, 2, 1, 1]);
        assert_eq!(f.steps[1].conversion_from_previous, Some(0.5));
        assert_eq!(f.steps[4].conversion_from_mql, Some(0.25));
        // MQL → SAL took 2 h and 4 h: median 2 h (nearest rank), p90 4 h.
        assert_eq!(f.steps[0].median_ms_in_stage, Some(2.0 * H as f64));
        assert_eq!(f.steps[0].p90_ms_in_stage, Some(4.0 * H as f64));
        // SAL → SQL: 8 h and 4 h.
        assert_eq!(f.steps[1].median_ms_in_stage, Some(4.0 * H as f64));
        assert_eq!(f.steps[4].median_ms_in_stage, None);
        assert_eq!((f.lost, f.rejected), (1, 1));
        assert_eq!(f.by_source[0].key, "direct");
        assert_eq!(f.by_source[0].counts, [3, 1, 1, 0, 0]);
        assert_eq!(f.by_source[1].counts, [1, 1, 1, 1, 1]);
        assert_eq!(f.by_source[1].won_amount, 1000.0);
        assert_eq!(f.by_source[1].win_rate, Some(1.0));
    }

    /// The funnel's MQLs are the Backtest's (the working model against itself) on the sample,
    /// and every CRM lead is either in the funnel or counted apart.
    #[test]
    fn the_funnels_mqls_are_the_backtests() {
        use crate::analytics::backtest::BacktestOptions;
        use crate::analytics::dates::parse_time;
        use crate::analytics::import::CsvMapping;
        use crate::analytics::workspace::Workspace;
        let now = parse_time("2026-06-01").unwrap();
        let s = crate::analytics::sample::generate(7, 300, now);
        let mut ws = Workspace::new();
        ws.begin_events("jsonl", CsvMapping::default()).unwrap();
        ws.push_events(&s.events_jsonl).unwrap();
        ws.finish_events().unwrap();
        ws.import_outcomes(&s.outcomes_csv);
        let model = crate::model::Model::from_value(&{
            let mut v =
                crate::json::parse(include_str!("../../tests/fixtures/models/demo.model.json"))
                    .unwrap();
            if let crate::json::Value::Object(m) = &mut v {
                m.remove("$schema");
            }
            v
        })
        .unwrap();
        let bt = ws.backtest(&model, &model, now, &BacktestOptions::default());
        let leads = ws.leads(&model, now).to_vec();
        let f = funnel(&leads);
        assert_eq!(f.steps[0].count, bt.current.mqls);
        let in_crm = leads.iter().filter(|l| l.outcome.is_some()).count() as u64;
        let mqls_in_crm = leads
            .iter()
            .filter(|l| l.outcome.is_some() && decided_mql(l))
            .count() as u64;
        assert_eq!(f.crm_without_mql + mqls_in_crm, in_crm);
        assert!(f.crm_without_mql > 0 && f.steps[0].count > 0, "{f:?}");
    }

    proptest::proptest! {
        /// Each step counts no more leads than the step before it.
        #[test]
        fn counts_never_grow_down_the_funnel(stages in proptest::collection::vec(proptest::collection::vec(0usize..6, 0..4), 0..30)) {
            let leads: Vec<Lead> = stages.iter().enumerate().map(|(i, s)| {
                let st: Vec<(SalesStage, i64)> = s.iter().map(|&k| (SalesStage::ALL[k], k as i64)).collect();
                lead(&i.to_string(), 1.0, (i % 2 == 0).then_some(0), &st)
            }).collect();
            let f = funnel(&leads);
            for w in f.steps.windows(2) {
                proptest::prop_assert!(w[1].count <= w[0].count);
            }
        }
    }
}
