//! One row of the Leads view: a visitor as scored by a model, joined with what sales did.
//!
//! Funnel, SLA, rejected reasons, histogram and backtest all work on `Lead` rows, so they do not
//! depend on how the rows were produced (replaying events, imported handoffs, or a test table).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::outcomes::{Outcome, SalesStage};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    /// The visitor id the engine grouped events under (or the CRM/handoff id for leads known only
    /// from there).
    pub id: String,
    pub anonymous_id: Option<String>,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub score: f64,
    pub fit: f64,
    pub engagement: f64,
    pub grade: Option<String>,
    /// The engine's stage (`anonymous`, `known`, `mql`, ...) or, when the CRM says more, the
    /// furthest sales stage.
    pub stage: String,
    /// When the lead became an MQL under the model (None: never, or only known from the CRM).
    pub mql_at: Option<i64>,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// First-touch attribution (UTM source, else referrer host, else `direct`).
    pub source: String,
    pub campaign: String,
    pub owner: Option<String>,
    pub sla_due_at: Option<i64>,
    pub sla_breached: bool,
    pub touched_at: Option<i64>,
    pub outcome: Option<Outcome>,
    /// How often each rule fired for this visitor (used for rejected-lead patterns).
    pub rule_counts: BTreeMap<String, u32>,
    pub event_count: u32,
}

impl Lead {
    /// Handed to sales: an MQL under the model, or present in the CRM at all.
    pub fn is_mql(&self) -> bool {
        self.mql_at.is_some() || self.outcome.is_some()
    }

    pub fn reached(&self, stage: SalesStage) -> Option<i64> {
        self.outcome.as_ref().and_then(|o| o.reached(stage))
    }

    /// Reached `stage` or any later step of the funnel (SAL → SQL → Opportunity → Won).
    pub fn reached_at_least(&self, stage: SalesStage) -> bool {
        let Some(o) = &self.outcome else { return false };
        o.stages
            .keys()
            .any(|s| *s >= stage && *s <= SalesStage::Won)
    }

    /// Fills `owner`, `touched_at`, SLA due/breached and the displayed stage from the outcome.
    pub fn apply_outcome(&mut self, outcome: Option<Outcome>, sla_ms: i64, as_of: i64) {
        if let Some(o) = &outcome {
            if o.owner.is_some() {
                self.owner = o.owner.clone();
            }
            if let Some(s) = o.current() {
                self.stage = s.name().to_string();
            }
            if self.email.is_none() {
                self.email = o.email.clone();
            }
        }
        self.touched_at = outcome.as_ref().and_then(Outcome::first_touch);
        self.outcome = outcome;
        if let Some(mql) = self.mql_at {
            let due = mql + sla_ms;
            self.sla_due_at = Some(due);
            self.sla_breached = match self.touched_at {
                Some(t) => t > due,
                None => as_of > due,
            };
        }
    }
}

/// Which rows the Leads view asks for: filter, sort, one page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LeadQuery {
    /// Case-insensitive text matched against id, email, name, company, title, owner, source, campaign.
    pub text: String,
    /// Only these stages (empty: all).
    pub stages: Vec<String>,
    pub only_breached: bool,
    pub min_score: Option<f64>,
    /// Column to sort by (a `Lead` field name in camelCase); default `score`.
    pub sort: Option<String>,
    pub descending: Option<bool>,
    pub offset: usize,
    pub limit: Option<usize>,
}

fn text_matches(lead: &Lead, needle: &str) -> bool {
    let fields = [
        Some(&lead.id),
        lead.email.as_ref(),
        lead.name.as_ref(),
        lead.company.as_ref(),
        lead.title.as_ref(),
        lead.owner.as_ref(),
        Some(&lead.source),
        Some(&lead.campaign),
    ];
    fields
        .into_iter()
        .flatten()
        .any(|f| f.to_lowercase().contains(needle))
}

fn compare(a: &Lead, b: &Lead, column: &str) -> Ordering {
    fn opt<T: PartialOrd>(a: &Option<T>, b: &Option<T>) -> Ordering {
        match (a, b) {
            (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (None, None) => Ordering::Equal,
        }
    }
    match column {
        "id" => a.id.cmp(&b.id),
        "email" => opt(&a.email, &b.email),
        "name" => opt(&a.name, &b.name),
        "company" => opt(&a.company, &b.company),
        "title" => opt(&a.title, &b.title),
        "fit" => a.fit.total_cmp(&b.fit),
        "engagement" => a.engagement.total_cmp(&b.engagement),
        "grade" => opt(&b.grade, &a.grade), // "A" sorts above "F"
        "stage" => stage_rank(&a.stage).cmp(&stage_rank(&b.stage)),
        "mqlAt" => opt(&a.mql_at, &b.mql_at),
        "lastSeen" => opt(&a.last_seen, &b.last_seen),
        "firstSeen" => opt(&a.first_seen, &b.first_seen),
        "source" => a.source.cmp(&b.source),
        "campaign" => a.campaign.cmp(&b.campaign),
        "owner" => opt(&a.owner, &b.owner),
        "slaDueAt" => opt(&a.sla_due_at, &b.sla_due_at),
        "slaBreached" => a.sla_breached.cmp(&b.sla_breached),
        "eventCount" => a.event_count.cmp(&b.event_count),
        _ => a.score.total_cmp(&b.score),
    }
}

/// Lifecycle order for sorting by stage.
pub fn stage_rank(stage: &str) -> u8 {
    match stage {
        "anonymous" => 0,
        "known" => 1,
        "mql" => 2,
        "sal" => 3,
        "sql" => 4,
        "opportunity" => 5,
        "won" => 6,
        "lost" => 7,
        "rejected" => 8,
        _ => 9,
    }
}

/// Filters and sorts lead indices for a query; returns (matching count, indices of the page).
pub fn query(leads: &[Lead], q: &LeadQuery) -> (usize, Vec<usize>) {
    let needle = q.text.trim().to_lowercase();
    let mut idx: Vec<usize> = (0..leads.len())
        .filter(|&i| {
            let l = &leads[i];
            (needle.is_empty() || text_matches(l, &needle))
                && (q.stages.is_empty() || q.stages.contains(&l.stage))
                && (!q.only_breached || l.sla_breached)
                && q.min_score.is_none_or(|m| l.score >= m)
        })
        .collect();
    let column = q.sort.as_deref().unwrap_or("score");
    let desc = q.descending.unwrap_or(true);
    idx.sort_by(|&a, &b| {
        let o = compare(&leads[a], &leads[b], column).then_with(|| leads[a].id.cmp(&leads[b].id));
        if desc {
            o.reverse()
        } else {
            o
        }
    });
    let total = idx.len();
    let start = q.offset.min(total);
    let end = start.saturating_add(q.limit.unwrap_or(100)).min(total);
    (total, idx[start..end].to_vec())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analytics::outcomes::SalesStage;

    pub fn lead(id: &str, score: f64, mql_at: Option<i64>, stages: &[(SalesStage, i64)]) -> Lead {
        let outcome = (!stages.is_empty()).then(|| Outcome {
            lead_id: Some(id.into()),
            stages: stages.iter().copied().collect(),
            ..Default::default()
        });
        Lead {
            id: id.into(),
            score,
            mql_at,
            stage: if mql_at.is_some() { "mql" } else { "known" }.into(),
            source: "direct".into(),
            campaign: "(none)".into(),
            outcome,
            ..Default::default()
        }
    }

    #[test]
    fn query_filters_sorts_and_pages() {
        let mut a = lead("a", 10.0, Some(1), &[]);
        a.company = Some("Acme <b>Corp</b>".into());
        let b = lead("b", 30.0, None, &[]);
        let c = lead("c", 20.0, Some(2), &[(SalesStage::Sal, 5)]);
        let leads = vec![a, b, c];
        let page = |q: LeadQuery| {
            let (n, idx) = query(&leads, &q);
            (
                n,
                idx.iter().map(|&i| leads[i].id.clone()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            page(LeadQuery::default()),
            (3, vec!["b".into(), "c".into(), "a".into()])
        );
        assert_eq!(
            page(LeadQuery {
                sort: Some("id".into()),
                descending: Some(false),
                ..Default::default()
            }),
            (3, vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(
            page(LeadQuery {
                text: "ACME".into(),
                ..Default::default()
            }),
            (1, vec!["a".into()])
        );
        let mut c_stage = leads[2].clone();
        c_stage.apply_outcome(c_stage.outcome.clone(), 10, 100);
        assert_eq!(c_stage.stage, "sal");
        assert_eq!(
            page(LeadQuery {
                stages: vec!["mql".into()],
                ..Default::default()
            })
            .0,
            2
        );
        assert_eq!(
            page(LeadQuery {
                offset: 1,
                limit: Some(1),
                ..Default::default()
            }),
            (3, vec!["c".into()])
        );
        assert_eq!(
            page(LeadQuery {
                offset: 9,
                ..Default::default()
            }),
            (3, vec![])
        );
        assert_eq!(
            page(LeadQuery {
                min_score: Some(15.0),
                ..Default::default()
            })
            .0,
            2
        );
    }

    #[test]
    fn sla_due_and_breach_follow_the_first_touch() {
        // (mql_at, first touch, as_of) → breached; SLA is 10 ms.
        let cases = [
            (Some(0), Some(5), 100, Some(10), false),
            (Some(0), Some(11), 100, Some(10), true),
            (Some(0), None, 9, Some(10), false),
            (Some(0), None, 11, Some(10), true),
            (None, Some(50), 100, None, false),
        ];
        for (mql, touch, as_of, due, breached) in cases {
            let mut l = lead("x", 1.0, mql, &[]);
            let o = touch.map(|t| Outcome {
                touched_at: Some(t),
                ..Default::default()
            });
            l.apply_outcome(o, 10, as_of);
            assert_eq!(
                (l.sla_due_at, l.sla_breached),
                (due, breached),
                "{mql:?} {touch:?} {as_of}"
            );
        }
    }
}
