//! Speed to lead: time from MQL to the first sales touch, against the follow-up SLA.

use serde::Serialize;

use super::lead::Lead;
use super::stats::median_p90;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Breach {
    pub lead_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub company: Option<String>,
    pub owner: Option<String>,
    pub source: String,
    pub mql_at: i64,
    pub due_at: i64,
    /// None: nobody has touched the lead yet.
    pub touched_at: Option<i64>,
    /// How far past the deadline the touch came (or `as_of` is, for untouched leads).
    pub late_by_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlaReport {
    pub sla_ms: i64,
    pub mqls: u64,
    pub met: u64,
    pub breached: u64,
    /// Not touched yet and still within the SLA.
    pub pending: u64,
    pub median_response_ms: Option<f64>,
    pub p90_response_ms: Option<f64>,
    /// Per-owner (owner, mqls, breached).
    pub by_owner: Vec<(String, u64, u64)>,
    /// Worst first.
    pub breaches: Vec<Breach>,
}

/// Leads must carry `sla_due_at`/`touched_at` (see `Lead::apply_outcome`).
pub fn sla(leads: &[Lead], sla_ms: i64, as_of: i64) -> SlaReport {
    let mut r = SlaReport {
        sla_ms,
        mqls: 0,
        met: 0,
        breached: 0,
        pending: 0,
        median_response_ms: None,
        p90_response_ms: None,
        by_owner: Vec::new(),
        breaches: Vec::new(),
    };
    let mut responses = Vec::new();
    let mut owners: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    for l in leads {
        let Some(mql_at) = l.mql_at else { continue };
        let due = mql_at + sla_ms;
        r.mqls += 1;
        let owner = owners
            .entry(l.owner.clone().unwrap_or_else(|| "(unassigned)".into()))
            .or_default();
        owner.0 += 1;
        let late_by = match l.touched_at {
            Some(t) => {
                responses.push((t - mql_at).max(0) as f64);
                t - due
            }
            None => as_of - due,
        };
        if late_by > 0 {
            r.breached += 1;
            owner.1 += 1;
            r.breaches.push(Breach {
                lead_id: l.id.clone(),
                email: l.email.clone(),
                name: l.name.clone(),
                company: l.company.clone(),
                owner: l.owner.clone(),
                source: l.source.clone(),
                mql_at,
                due_at: due,
                touched_at: l.touched_at,
                late_by_ms: late_by,
            });
        } else if l.touched_at.is_some() {
            r.met += 1;
        } else {
            r.pending += 1;
        }
    }
    (r.median_response_ms, r.p90_response_ms) = median_p90(&mut responses);
    r.breaches.sort_by(|a, b| {
        b.late_by_ms
            .cmp(&a.late_by_ms)
            .then_with(|| a.lead_id.cmp(&b.lead_id))
    });
    r.by_owner = owners.into_iter().map(|(k, (n, b))| (k, n, b)).collect();
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::lead::tests::lead;
    use crate::analytics::outcomes::Outcome;

    const H: i64 = 3_600_000;

    #[test]
    fn worked_example() {
        // SLA 1 h, read at 10 h. (mql_at, touched) → expected bucket.
        let rows = [
            ("met", Some(0), Some(H / 2)),
            ("late", Some(0), Some(3 * H)),
            ("never", Some(H), None),
            ("pending", Some(9 * H + H / 2), None),
            ("not-mql", None, Some(H)),
        ];
        let leads: Vec<Lead> = rows
            .iter()
            .map(|&(id, mql, touch)| {
                let mut l = lead(id, 1.0, mql, &[]);
                l.touched_at = touch;
                l.outcome = touch.map(|t| Outcome {
                    touched_at: Some(t),
                    ..Default::default()
                });
                l
            })
            .collect();
        let r = sla(&leads, H, 10 * H);
        assert_eq!((r.mqls, r.met, r.breached, r.pending), (4, 1, 2, 1));
        // Worst first: "never" is 8 h late at as_of, "late" 2 h.
        let late: Vec<(&str, i64)> = r
            .breaches
            .iter()
            .map(|b| (b.lead_id.as_str(), b.late_by_ms))
            .collect();
        assert_eq!(late, [("never", 8 * H), ("late", 2 * H)]);
        assert_eq!(r.median_response_ms, Some((H / 2) as f64));
        assert_eq!(r.p90_response_ms, Some((3 * H) as f64));
        assert_eq!(r.by_owner, vec![("(unassigned)".to_string(), 4, 2)]);
    }
}
