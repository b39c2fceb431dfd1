//! Rejected leads: why sales sent them back, and which rules and sources they came from, so the
//! marketer can "review rejected leads for patterns" and fix the model.

use std::collections::BTreeMap;

use serde::Serialize;

use super::lead::Lead;
use super::outcomes::SalesStage;
use super::stats::ratio;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyCount {
    pub key: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateRow {
    pub key: String,
    /// MQLs with this source / that fired this rule.
    pub mqls: u64,
    pub rejected: u64,
    pub rejection_rate: Option<f64>,
    /// Rejection rate relative to all MQLs' (above 1: over-represented among rejections).
    pub lift: Option<f64>,
    /// The most common reason among these rejections.
    pub top_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedReport {
    pub mqls: u64,
    pub rejected: u64,
    pub rejection_rate: Option<f64>,
    pub by_reason: Vec<KeyCount>,
    pub by_source: Vec<RateRow>,
    pub by_rule: Vec<RateRow>,
}

fn reason(l: &Lead) -> String {
    l.outcome
        .as_ref()
        .and_then(|o| o.rejection_reason.clone())
        .unwrap_or_else(|| "(no reason given)".into())
}

fn rows(
    groups: BTreeMap<String, (u64, u64, BTreeMap<String, u64>)>,
    overall: Option<f64>,
) -> Vec<RateRow> {
    let mut out: Vec<RateRow> = groups
        .into_iter()
        .map(|(key, (mqls, rejected, reasons))| {
            let rate = ratio(rejected, mqls);
            RateRow {
                key,
                mqls,
                rejected,
                rejection_rate: rate,
                lift: match (rate, overall) {
                    (Some(r), Some(o)) if o > 0.0 => Some(r / o),
                    _ => None,
                },
                top_reason: reasons
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map(|r| r.0),
            }
        })
        .collect();
    out.sort_by(|a, b| b.rejected.cmp(&a.rejected).then_with(|| a.key.cmp(&b.key)));
    out
}

pub fn rejected(leads: &[Lead]) -> RejectedReport {
    let mqls: Vec<&Lead> = leads.iter().filter(|l| l.is_mql()).collect();
    let is_rejected = |l: &Lead| l.reached(SalesStage::Rejected).is_some();
    let total_rejected = mqls.iter().filter(|l| is_rejected(l)).count() as u64;
    let overall = ratio(total_rejected, mqls.len() as u64);
    let mut by_reason: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_source: BTreeMap<String, (u64, u64, BTreeMap<String, u64>)> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, (u64, u64, BTreeMap<String, u64>)> = BTreeMap::new();
    for l in &mqls {
        let rej = is_rejected(l);
        let why = reason(l);
        if rej {
            *by_reason.entry(why.clone()).or_default() += 1;
        }
        let bump = |e: &mut (u64, u64, BTreeMap<String, u64>)| {
            e.0 += 1;
            if rej {
                e.1 += 1;
                *e.2.entry(why.clone()).or_default() += 1;
            }
        };
        bump(by_source.entry(l.source.clone()).or_default());
        for (rule, n) in &l.rule_counts {
            if *n > 0 {
                bump(by_rule.entry(rule.clone()).or_default());
            }
        }
    }
    let mut reasons: Vec<KeyCount> = by_reason
        .into_iter()
        .map(|(key, count)| KeyCount { key, count })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    RejectedReport {
        mqls: mqls.len() as u64,
        rejected: total_rejected,
        rejection_rate: overall,
        by_reason: reasons,
        by_source: rows(by_source, overall),
        by_rule: rows(by_rule, overall),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::lead::tests::lead;
    use SalesStage::*;

    #[test]
    fn worked_example() {
        let mk = |id: &str, source: &str, rules: &[&str], rejected_for: Option<&str>| {
            let stages: &[(SalesStage, i64)] = if rejected_for.is_some() {
                &[(Rejected, 5)]
            } else {
                &[(Sal, 5)]
            };
            let mut l = lead(id, 60.0, Some(0), stages);
            l.source = source.into();
            l.rule_counts = rules.iter().map(|r| (r.to_string(), 1)).collect();
            l.outcome.as_mut().unwrap().rejection_reason = rejected_for.map(str::to_string);
            l
        };
        let leads = vec![
            mk("1", "google", &["pricing", "careers"], Some("Job seeker")),
            mk("2", "google", &["careers"], Some("Job seeker")),
            mk("3", "linkedin", &["pricing"], Some("No budget")),
            mk("4", "linkedin", &["pricing"], None),
            lead("5", 1.0, None, &[]),
        ];
        let r = rejected(&leads);
        assert_eq!((r.mqls, r.rejected, r.rejection_rate), (4, 3, Some(0.75)));
        assert_eq!(
            r.by_reason[0],
            KeyCount {
                key: "Job seeker".into(),
                count: 2
            }
        );
        let careers = r.by_rule.iter().find(|x| x.key == "careers").unwrap();
        assert_eq!((careers.mqls, careers.rejected), (2, 2));
        assert_eq!(careers.lift, Some(1.0 / 0.75));
        assert_eq!(careers.top_reason.as_deref(), Some("Job seeker"));
        let linkedin = r.by_source.iter().find(|x| x.key == "linkedin").unwrap();
        assert_eq!(linkedin.rejection_rate, Some(0.5));
    }
}
