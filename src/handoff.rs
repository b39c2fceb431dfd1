//! The handoff payload: everything sales needs to act on a qualified visitor, built once per
//! visitor, stage and model version. Documented by `tests/fixtures/schema/handoff.schema.json`.

use crate::condition::Facts;
use crate::hash;
use crate::json::{Map, Value};
use crate::model::{HandoffSpec, Model};
use crate::score::{self, FitEntry, GroupSummary, LedgerEntry, RuleSummary, Score};
use crate::stage::{Stage, StageEntry};
use crate::state::{Touch, VisitorState};
use serde::{Deserialize, Serialize};

mod encode;

pub const HANDOFF_FORMAT: &str = "baton.handoff/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelRef {
    #[serde(default)]
    pub id: Option<String>,
    pub version: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
    /// `rules[i]` of the routing settings, or `fallback` (hash over reps), or `none`.
    pub matched: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub at: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub label: String,
}

/// At most this many rules are listed in a payload's `explanation.rules`, and as many in its
/// `explanation.fit` (the ledger keeps `LEDGER_LEN` entries): the ones with the most points;
/// the others' points are summed in `other_points`.
pub const MAX_LISTED_RULES: usize = 24;

/// What the score a payload carries is made of, in the shapes of [`score::explain`]: with the
/// payload's `ledger`, its parts add up to `score.total` to the cent:
///
/// `score.total` = Σ `ledger[].countedPoints` + Σ `rules[].earlierPoints` + Σ `fit[].points`
/// + `other_points` + Σ (`groups[].value` − `groups[].raw`) + (`score.total` − `total_raw`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ScoreParts {
    /// Behaviour rules with matches or points, as `explain` lists them (model order), at most
    /// [`MAX_LISTED_RULES`]; `earlier_points` is all of `points` when the ledger is not sent.
    pub rules: Vec<RuleSummary>,
    /// Fit rules that matched, at most [`MAX_LISTED_RULES`].
    pub fit: Vec<FitEntry>,
    /// Every group, with its clamp.
    pub groups: Vec<GroupSummary>,
    pub total_raw: f64,
    pub total_clamp: Option<String>,
    /// Points of the rules left out of `rules` and `fit`, beyond their entries in the ledger
    /// (0 when none is left out).
    pub other_points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Handoff {
    /// Format tag for receivers.
    pub format: String,
    /// Hash of visitor, stage and model hash: the receiver's idempotency key.
    pub handoff_id: String,
    pub visitor_id: String,
    #[serde(default)]
    pub anonymous_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    pub stage: Stage,
    pub entered_at: i64,
    pub created_at: i64,
    /// `entered_at` + the SLA.
    pub follow_up_by: i64,
    pub sla_minutes: u32,
    #[serde(default)]
    pub traits: Map<String, Value>,
    #[serde(default)]
    pub company: Map<String, Value>,
    #[serde(default)]
    pub first_touch: Option<Touch>,
    #[serde(default)]
    pub last_touch: Option<Touch>,
    pub score: Score,
    #[serde(default)]
    pub ledger: Vec<LedgerEntry>,
    /// The rest of the score's parts (absent from payloads of earlier versions).
    #[serde(default)]
    pub explanation: ScoreParts,
    #[serde(default)]
    pub history: Vec<HistoryItem>,
    #[serde(default)]
    pub stages: Vec<StageEntry>,
    pub routing: Assignment,
    pub model: ModelRef,
    /// Where the snippet posts it (from the model).
    pub endpoint: String,
}

impl Handoff {
    /// The payload as compact JSON: the bytes of its derived `Serialize`, written by hand
    /// (`encode`) so the snippet carries no serde serializer.
    pub fn to_json(&self) -> String {
        crate::json::text_of(self)
    }
}

pub fn handoff_id(visitor_id: &str, stage: Stage, model_hash: &str) -> String {
    hash::parts_hex(&[visitor_id, stage.as_str(), model_hash])
}

/// Owner/team for a visitor: the first routing rule whose condition holds on the traits, else a
/// stable hash of the visitor id over the reps (the same visitor always lands with the same rep).
pub fn route(
    spec: &HandoffSpec,
    traits: &Map<String, Value>,
    identified: bool,
    visitor_id: &str,
) -> Assignment {
    let facts = Facts {
        event: None,
        traits,
        identified,
        scores: None,
        counts: None,
        as_of: 0,
    };
    for (i, r) in spec.routing.rules.iter().enumerate() {
        if r.when.eval(&facts) {
            return Assignment {
                owner: r.owner.clone(),
                team: r.team.clone().or_else(|| spec.routing.team.clone()),
                matched: rule_ref(i),
            };
        }
    }
    if spec.routing.reps.is_empty() {
        return Assignment {
            owner: None,
            team: spec.routing.team.clone(),
            matched: "none".to_string(),
        };
    }
    let pick = (hash::fnv1a64(visitor_id.as_bytes()) % spec.routing.reps.len() as u64) as usize;
    Assignment {
        owner: Some(spec.routing.reps[pick].clone()),
        team: spec.routing.team.clone(),
        matched: "fallback".to_string(),
    }
}

/// `rules[i]`, the routing rule that matched (no `format!`: see `crate::text`).
fn rule_ref(i: usize) -> String {
    let mut out = "rules[".to_string();
    crate::json::num::push_u64(i as u64, &mut out);
    out.push(']');
    out
}

// Not inlined by LLVM (wasm-opt still merges it into its one caller): measured 35 B gzip
// smaller than letting LLVM inline it into the ingest path (benches/SIZE.md step 38).
#[inline(never)]
pub(crate) fn build(
    model: &Model,
    state: &VisitorState,
    spec: &HandoffSpec,
    entered_at: i64,
    now: i64,
) -> Handoff {
    // One `String` copy, not two `Option<String>` clones.
    let visitor_id = state
        .user_id
        .as_deref()
        .or(state.anonymous_id.as_deref())
        .unwrap_or("")
        .to_string();
    let explanation = score::explain(model, state, now);
    let inc = spec.include;
    let (traits, company) = if inc.traits {
        let traits = crate::state::map_without(&state.traits, "company");
        // A company of another kind is left out.
        let company = crate::engine::company_of(&state.traits).unwrap_or_default();
        (traits, company)
    } else {
        (Map::new(), Map::new())
    };
    let mut history = Vec::new();
    if inc.history {
        for h in &state.history {
            history.push(HistoryItem {
                at: h.0,
                kind: h.1.clone(),
                label: h.2.clone(),
            });
        }
    }
    Handoff {
        format: HANDOFF_FORMAT.to_string(),
        handoff_id: handoff_id(&visitor_id, spec.stage, model.hash()),
        anonymous_id: state.anonymous_id.clone(),
        user_id: state.user_id.clone(),
        stage: spec.stage,
        entered_at,
        created_at: now,
        follow_up_by: entered_at.saturating_add(i64::from(spec.sla_minutes) * 60_000),
        sla_minutes: spec.sla_minutes,
        traits,
        company,
        first_touch: if inc.attribution {
            state.first_touch.clone()
        } else {
            None
        },
        last_touch: if inc.attribution {
            state.last_touch.clone()
        } else {
            None
        },
        explanation: ScoreParts {
            // The ledger's entries left out: their points are part of their rules' earlier
            // points, and the parts still add up.
            rules: if inc.ledger {
                explanation.rules
            } else {
                let mut rules = explanation.rules;
                for r in &mut rules {
                    r.earlier_points = r.points;
                }
                rules
            },
            fit: explanation.fit,
            groups: explanation.groups,
            total_raw: explanation.total_raw,
            total_clamp: explanation.total_clamp,
            other_points: 0.0,
        }
        .bounded(),
        score: explanation.score,
        ledger: if inc.ledger {
            explanation.entries
        } else {
            Vec::new()
        },
        history,
        stages: if inc.stages {
            state.stage_entries.clone()
        } else {
            Vec::new()
        },
        routing: route(spec, &state.traits, state.user_id.is_some(), &visitor_id),
        model: ModelRef {
            id: model.id().map(str::to_string),
            version: model.version().to_string(),
            hash: model.hash().to_string(),
        },
        endpoint: spec.endpoint.clone(),
        visitor_id,
    }
}

impl ScoreParts {
    /// Rules that give nothing (no match, no points; fit rules not matched) left out, and of
    /// the rest at most [`MAX_LISTED_RULES`] of each kind kept, those with the most points
    /// (the first on a tie); what the others add up to goes to `other_points`.
    fn bounded(mut self) -> ScoreParts {
        let mut size = Vec::new();
        for r in &self.rules {
            size.push(if r.matches > 0 || r.points != 0.0 {
                r.points.abs()
            } else {
                -1.0
            });
        }
        let keep = largest(&size);
        let mut other = 0;
        for (r, k) in self.rules.iter().zip(&keep) {
            if !k {
                other += score::cents(r.earlier_points);
            }
        }
        compact(&mut self.rules, &keep);
        size.clear();
        for f in &self.fit {
            size.push(if f.matched { f.points.abs() } else { -1.0 });
        }
        let keep = largest(&size);
        for (f, k) in self.fit.iter().zip(&keep) {
            if !k && f.matched {
                other += score::cents(f.points);
            }
        }
        compact(&mut self.fit, &keep);
        self.other_points = other as f64 / 100.0;
        self
    }
}

/// The items of `v` whose `keep` is true, in order (swaps and a truncate: less code than
/// `retain` or moving into a new vector).
fn compact<T>(v: &mut Vec<T>, keep: &[bool]) {
    let mut n = 0;
    for (i, k) in keep.iter().enumerate() {
        if *k {
            v.swap(n, i);
            n += 1;
        }
    }
    v.truncate(n);
}

/// Which items to keep, by their size (negative: never): at most [`MAX_LISTED_RULES`], the
/// largest (the first on a tie).
fn largest(size: &[f64]) -> Vec<bool> {
    let mut keep = Vec::new();
    keep.resize(size.len(), false);
    for _ in 0..MAX_LISTED_RULES {
        let mut best: Option<usize> = None;
        for (i, s) in size.iter().enumerate() {
            if *s >= 0.0 && !keep[i] && best.is_none_or(|b| *s > size[b]) {
                best = Some(i);
            }
        }
        match best {
            Some(b) => keep[b] = true,
            None => break,
        }
    }
    keep
}

/// Attribution helper shared with the engine: the touch of an event that starts a visit.
pub(crate) fn touch_of(event: &crate::event::Event) -> Touch {
    Touch {
        at: event.timestamp,
        landing_page: event.path.as_deref().map(|p| crate::event::clip(p, 200)),
        referrer: event
            .referrer
            .as_deref()
            .map(|r| crate::event::clip(r, 200)),
        utm: event.campaign.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ref_is_the_formatted_index() {
        for i in [0usize, 7, 10, 199, 4096, usize::MAX] {
            assert_eq!(rule_ref(i), format!("rules[{i}]"));
        }
    }
}
