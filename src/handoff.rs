//! The handoff payload: everything sales needs to act on a qualified visitor, built once per
//! visitor, stage and model version. Documented by `tests/fixtures/schema/handoff.schema.json`.

use crate::condition::Facts;
use crate::hash;
use crate::json::{Map, Value};
use crate::model::{HandoffSpec, Model};
use crate::score::{self, LedgerEntry, Score};
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
