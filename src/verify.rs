//! Server-side verification of a handoff payload: re-score what the payload carries with the model
//! it names, rebuild the payload with the engine's own builder, and compare.
//!
//! The browser is untrusted: a visitor can post any JSON to a handoff endpoint. Verification
//! cannot tell whether the events happened; it tells whether the payload is consistent, i.e.
//! whether its score, ledger, stage, routing, SLA deadline, model and `handoffId` are what this
//! engine computes from the visitor data the payload itself carries. Every difference is reported
//! with the payload field, the claimed value, the recomputed value and a reason.
//!
//! What is re-scored (the `basis`):
//! - `state`: the payload carries the visitor's exported state (`state`, the same compact JSON the
//!   snippet persists). The engine resumes it, so every counter, decay accumulator, cap, window
//!   ring and visit count is the real one.
//! - `ledger`: otherwise the visitor is rebuilt from the payload's ledger (each match with its rule
//!   and time), traits, company and stage entries. Exact while the ledger is complete. A visitor
//!   state keeps only its last `LEDGER_LEN` matches and the payload carries no visit counts, so
//!   with a full ledger the behaviour part of the score, and with visit-based criteria the stage,
//!   cannot be settled from the payload: such differences are listed as `unverifiable`, not as
//!   mismatches, so a genuine payload is never refused for data it does not carry. Everything
//!   that depends on traits alone (fit, grade, routing) and on identity (handoffId, model, SLA
//!   deadline) is always settled.
//!
//! No second scoring implementation: the score, the ledger view, stage criteria, routing and the
//! payload itself all come from `score`, `handoff` and `Engine`.

use crate::condition::Condition;
use crate::engine::Engine;
use crate::handoff::{self, Handoff};
use crate::json::{Map, Value};
use crate::model::{Model, RuleKind};
use crate::score;
use crate::stage::Stage;
use crate::state::{LedgerRecord, VisitorState, LEDGER_LEN, STATE_VERSION};
use serde::Serialize;

/// At most this many mismatches are listed: a hostile payload must not produce an unbounded answer.
pub const MAX_MISMATCHES: usize = 100;
/// A ledger longer than any visitor state keeps is refused before any work is done on it.
const MAX_LEDGER: usize = 4 * LEDGER_LEN;

/// What was re-scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The visitor state carried in the payload.
    State,
    /// The payload's ledger, traits and stage entries.
    Ledger,
    /// Nothing: the payload could not be read or names another model.
    None,
}

/// One difference between the payload and the engine's recomputation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mismatch {
    /// Path of the payload field (`score.total`, `ledger[2].countedPoints`, `model.hash`).
    pub field: String,
    /// What the payload says (`null` when absent).
    pub claimed: Value,
    /// What the engine computes (`null` when it has nothing there).
    pub recomputed: Value,
    pub reason: String,
}

/// The verdict on one payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// True when no mismatch was found: refuse the payload when false.
    pub ok: bool,
    /// True when every part was settled (nothing `unverifiable`).
    pub complete: bool,
    /// The `handoffId` the engine computes for this visitor, stage and model (empty when the
    /// payload could not be read).
    pub handoff_id: String,
    /// Hash of the model the payload was verified with.
    pub model_hash: String,
    pub basis: Basis,
    /// Differences the payload's own data proves.
    pub mismatches: Vec<Mismatch>,
    /// Differences (or checks) the payload lacks the data to settle either way.
    pub unverifiable: Vec<Mismatch>,
}

/// Verifies a handoff payload (as posted, parsed JSON) against the model it claims.
///
/// ```
/// # use baton::{model::Model, verify::verify_handoff};
/// let model = Model::from_json(r#"{"version":"1","rules":[]}"#).unwrap();
/// let verdict = verify_handoff(&baton::json::json!({"handoffId": "x"}), &model);
/// assert!(!verdict.ok);
/// ```
pub fn verify_handoff(payload: &Value, model: &Model) -> Verification {
    let mut out = Verification {
        ok: false,
        complete: false,
        handoff_id: String::new(),
        model_hash: model.hash().to_string(),
        basis: Basis::None,
        mismatches: Vec::new(),
        unverifiable: Vec::new(),
    };
    let mut report = |field: &str, claimed: Value, recomputed: Value, reason: String| {
        out.mismatches.push(Mismatch {
            field: field.to_string(),
            claimed,
            recomputed,
            reason,
        });
    };

    // The model first: scores from another model differ everywhere, and say nothing.
    let claimed_hash = payload
        .pointer("/model/hash")
        .cloned()
        .unwrap_or(Value::Null);
    if claimed_hash.as_str() != Some(model.hash()) {
        let reason = if claimed_hash.is_null() {
            "the payload names no model (model.hash is missing)".to_string()
        } else {
            format!(
                "the payload names another model than the one given (version {:?}): verify with the model whose hash the payload names",
                model.version()
            )
        };
        report(
            "model.hash",
            claimed_hash,
            Value::from(model.hash()),
            reason,
        );
        return finish(out);
    }
    let Some(spec) = model.handoff() else {
        report(
            "model",
            Value::Null,
            Value::Null,
            "the model has no handoff settings: it never hands a visitor off".into(),
        );
        return finish(out);
    };
    let claim: Handoff = match crate::json::from_value(payload) {
        Ok(h) => h,
        Err(e) => {
            report(
                "$",
                Value::Null,
                Value::Null,
                format!("not a handoff payload: {e}"),
            );
            return finish(out);
        }
    };
    if claim.ledger.len() > MAX_LEDGER {
        report(
            "ledger",
            Value::from(claim.ledger.len()),
            Value::from(LEDGER_LEN),
            format!(
                "{} entries: more than any visitor state keeps",
                claim.ledger.len()
            ),
        );
        return finish(out);
    }

    let (state, basis) = match payload.get("state") {
        Some(carried) => match resume_state(model, carried) {
            Ok(state) => (state, Basis::State),
            Err(reason) => {
                report("state", Value::Null, Value::Null, reason);
                return finish(out);
            }
        },
        None => {
            let (state, problems) = state_from_ledger(model, &claim);
            for (field, reason) in problems {
                report(&field, Value::Null, Value::Null, reason);
            }
            (state, Basis::Ledger)
        }
    };
    out.basis = basis;

    // The payload the engine would have posted for this visitor at the same moments.
    let rebuilt = handoff::build(model, &state, spec, claim.entered_at, claim.created_at);
    out.handoff_id = rebuilt.handoff_id.clone();
    let claimed_value = crate::json::to_value(&claim).unwrap_or(Value::Null);
    let mut rebuilt_value = crate::json::to_value(&rebuilt).unwrap_or(Value::Null);
    // Payloads of earlier versions carry no `explanation`: nothing to compare.
    if payload.get("explanation").is_none() {
        if let Value::Object(map) = &mut rebuilt_value {
            map.remove("explanation");
        }
    }
    let context = Context {
        basis,
        ledger_full: claim.ledger.len() >= LEDGER_LEN,
    };
    let mut diffs = Vec::new();
    diff("", &claimed_value, &rebuilt_value, &context, &mut diffs);
    for d in diffs {
        if context.settles(model, &d.field) {
            out.mismatches.push(d);
        } else {
            out.unverifiable.push(d);
        }
    }

    // The stage must be earned: its criteria hold for the re-scored visitor when it was entered.
    // (Another stage than the model's handoff stage is already a mismatch of the diff.)
    if claim.stage == spec.stage && !stage_earned(model, &state, spec.stage, claim.entered_at) {
        let mut reason = format!(
            "the re-scored visitor does not meet the {:?} criteria at enteredAt",
            spec.stage.as_str()
        );
        let visits = basis == Basis::Ledger && uses_visits(model, spec.stage);
        let truncated = basis == Basis::Ledger && context.ledger_full;
        if visits {
            reason.push_str("; the criteria count visits, which the payload does not carry");
        }
        if truncated {
            reason.push_str(&truncation_note());
        }
        let m = Mismatch {
            field: "stage".into(),
            claimed: Value::from(claim.stage.as_str()),
            recomputed: Value::Null,
            reason,
        };
        if visits || truncated {
            out.unverifiable.push(m);
        } else {
            out.mismatches.push(m);
        }
    }
    finish(out)
}

/// Verifies a payload given as JSON text.
pub fn verify_handoff_json(text: &str, model: &Model) -> Verification {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => verify_handoff(&v, model),
        Err(e) => finish(Verification {
            ok: false,
            complete: false,
            handoff_id: String::new(),
            model_hash: model.hash().to_string(),
            basis: Basis::None,
            mismatches: vec![Mismatch {
                field: "$".into(),
                claimed: Value::Null,
                recomputed: Value::Null,
                reason: format!("not JSON: {e}"),
            }],
            unverifiable: Vec::new(),
        }),
    }
}

fn finish(mut v: Verification) -> Verification {
    v.mismatches.truncate(MAX_MISMATCHES);
    v.unverifiable.truncate(MAX_MISMATCHES);
    v.ok = v.mismatches.is_empty();
    v.complete = v.ok && v.basis != Basis::None && v.unverifiable.is_empty();
    v
}

/// The carried state, as text or as an object, resumed by the engine itself.
fn resume_state(model: &Model, carried: &Value) -> Result<VisitorState, String> {
    let text = match carried {
        Value::String(s) => s.clone(),
        Value::Object(_) => carried.to_string(),
        other => {
            return Err(format!(
                "must be the visitor state (text or object), found {}",
                kind(other)
            ))
        }
    };
    let parsed = VisitorState::from_json(&text).map_err(|e| e.to_string())?;
    if parsed.model_hash != model.hash() {
        return Err(format!(
            "the state was written under model {:?}, not the payload's model",
            parsed.model_hash
        ));
    }
    let engine = Engine::with_state(model.clone(), &text).map_err(|e| e.to_string())?;
    Ok(engine.state().clone())
}

/// A visitor state rebuilt from the payload: identity, traits (with the company merged back),
/// stage entries, attribution, history, and every ledger match folded into its rule's counters.
/// Returns the problems met on the way (ledger entries naming no behaviour rule).
fn state_from_ledger(model: &Model, claim: &Handoff) -> (VisitorState, Vec<(String, String)>) {
    let mut problems = Vec::new();
    let mut traits: Map<String, Value> = claim.traits.clone();
    // The payload splits `company` out of the traits, turning a bare company name (an identify
    // form's `company` field) into `{ name }`; a bare name goes back as text, so conditions on
    // the `company` trait see what the browser saw.
    match claim.company.get("name") {
        Some(Value::String(name)) if claim.company.len() == 1 => {
            traits.insert("company".into(), Value::String(name.clone()));
        }
        _ if !claim.company.is_empty() => {
            traits.insert("company".into(), Value::Object(claim.company.clone()));
        }
        _ => {}
    }
    let mut state = VisitorState {
        version: STATE_VERSION,
        model_hash: model.hash().to_string(),
        anonymous_id: claim.anonymous_id.clone(),
        user_id: claim.user_id.clone(),
        traits,
        stage: claim.stage,
        stage_entries: claim.stages.clone(),
        first_touch: claim.first_touch.clone(),
        last_touch: claim.last_touch.clone(),
        history: claim
            .history
            .iter()
            .map(|h| crate::state::HistoryRecord(h.at, h.kind.clone(), h.label.clone()))
            .collect(),
        ..VisitorState::default()
    };
    for (i, entry) in claim.ledger.iter().enumerate() {
        let Some(rule) = model
            .rule(&entry.rule_id)
            .filter(|r| r.kind == RuleKind::Behavior)
        else {
            problems.push((
                format!("ledger[{i}].ruleId"),
                format!("no behaviour rule {:?} in this model", entry.rule_id),
            ));
            continue;
        };
        // Points come from the model, never from the claim: a capped match counts nothing.
        let points = if entry.cap_hit.is_some() {
            0.0
        } else {
            rule.points
        };
        let rs = state.rules.get_or_insert_default(rule.id.as_str());
        rs.matches = rs.matches.saturating_add(1);
        rs.ring.push(entry.timestamp);
        if entry.cap_hit.is_none() {
            rs.counted = rs.counted.saturating_add(1);
            rs.acc.add(rule.decay, points, entry.timestamp);
        }
        state.ledger.push(LedgerRecord(
            rule.id.clone(),
            entry.timestamp,
            points,
            entry.cap_hit,
            entry.message_id.clone(),
            entry.event_type.clone(),
            entry.label.clone(),
        ));
        state.first_seen = Some(
            state
                .first_seen
                .map_or(entry.timestamp, |f| f.min(entry.timestamp)),
        );
        state.last_seen = Some(
            state
                .last_seen
                .map_or(entry.timestamp, |l| l.max(entry.timestamp)),
        );
    }
    for rs in state.rules.values_mut() {
        rs.ring.sort_unstable();
    }
    (state, problems)
}

fn stage_earned(model: &Model, state: &VisitorState, stage: Stage, at: i64) -> bool {
    let score = score::score(model, state, at);
    score::stage_holds(model, state, &score, stage, at)
}

fn uses_visits(model: &Model, stage: Stage) -> bool {
    fn walk(c: &Condition) -> bool {
        match c {
            Condition::Visits { .. } => true,
            Condition::All(items) | Condition::Any(items) => items.iter().any(walk),
            Condition::Not(inner) => walk(inner),
            _ => false,
        }
    }
    model
        .stages()
        .iter()
        .any(|s| s.stage == stage && walk(&s.when))
}

fn truncation_note() -> String {
    format!(
        "; the payload's ledger holds {LEDGER_LEN} entries, as many as a visitor state keeps, so older matches are not in it"
    )
}

struct Context {
    basis: Basis,
    ledger_full: bool,
}

impl Context {
    /// Does the payload carry what it takes to settle a difference in this field? Only the
    /// behaviour part of the score rests on matches a full ledger may have dropped.
    fn settles(&self, model: &Model, field: &str) -> bool {
        if self.basis != Basis::Ledger || !self.ledger_full {
            return true;
        }
        let behaviour_group = |name: &str| {
            model
                .groups()
                .iter()
                .any(|g| g.name == name && g.kind == RuleKind::Behavior)
        };
        match field {
            "score.total" | "score.engagement" => false,
            // The explanation's parts are rounded from the total down: all rest on it.
            f if f.starts_with("explanation.") => false,
            f if f.starts_with("ledger[") && f.ends_with(".groupClamped") => false,
            f => !f.strip_prefix("score.groups.").is_some_and(behaviour_group),
        }
    }
}

/// Scores and their parts are reported in cents, and native and wasm builds may differ in the
/// last bit of `powf`: a score may differ by a cent at a rounding edge. Everything else must
/// agree to 1e-9.
fn close(field: &str, a: f64, b: f64) -> bool {
    let cents = ["score.", "explanation."]
        .iter()
        .any(|p| field.starts_with(p))
        || field.ends_with(".countedPoints");
    let tolerance = if cents {
        0.010_000_1
    } else {
        1e-9 * a.abs().max(b.abs()).max(1.0)
    };
    (a - b).abs() <= tolerance
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Field-by-field comparison of the claimed and the rebuilt payload.
fn diff(path: &str, claimed: &Value, rebuilt: &Value, cx: &Context, out: &mut Vec<Mismatch>) {
    if out.len() >= MAX_MISMATCHES {
        return;
    }
    match (claimed, rebuilt) {
        (Value::Object(c), Value::Object(r)) => {
            // Keys the engine writes are compared; extra keys in the claim carry no score. The
            // carried `state` is the input of the rebuild, not a claim about it.
            for (key, rv) in r
                .iter()
                .filter(|(k, _)| !(path.is_empty() && k.as_str() == "state"))
            {
                diff(
                    &join(path, key),
                    c.get(key).unwrap_or(&Value::Null),
                    rv,
                    cx,
                    out,
                );
            }
        }
        (Value::Array(c), Value::Array(r)) => {
            for (i, (cv, rv)) in c.iter().zip(r).enumerate() {
                diff(&format!("{path}[{i}]"), cv, rv, cx, out);
            }
            if c.len() != r.len() {
                out.push(Mismatch {
                    field: path.to_string(),
                    claimed: Value::from(c.len()),
                    recomputed: Value::from(r.len()),
                    reason: format!(
                        "the payload lists {} entries, the engine {}",
                        c.len(),
                        r.len()
                    ),
                });
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            // Times and counts are integers and must be equal; points are compared as reals.
            let same = match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => x == y,
                _ => close(
                    path,
                    a.as_f64().unwrap_or(f64::NAN),
                    b.as_f64().unwrap_or(f64::NAN),
                ),
            };
            if !same {
                out.push(mismatch(path, claimed, rebuilt, cx));
            }
        }
        _ if claimed == rebuilt => {}
        _ => out.push(mismatch(path, claimed, rebuilt, cx)),
    }
}

/// A value as a reader expects it: `60`, not serde's `60.0`.
fn show(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if v.is_f64() && x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        _ => v.to_string(),
    }
}

fn mismatch(path: &str, claimed: &Value, rebuilt: &Value, cx: &Context) -> Mismatch {
    let (shown_claim, shown_rebuilt) = (show(claimed), show(rebuilt));
    let mut reason = match path {
        "handoffId" => "not the id of this visitor, stage and model: a changed id would slip past deduplication".to_string(),
        "visitorId" => "not the payload's userId (or anonymousId when anonymous)".to_string(),
        "followUpBy" => "not enteredAt plus the model's SLA".to_string(),
        "stage" => "the model hands off at another stage".to_string(),
        p if p.starts_with("routing") => "the model's routing rules assign this visitor differently".to_string(),
        p if p.starts_with("score.") => {
            format!("the payload claims {shown_claim}, re-scoring its data gives {shown_rebuilt}")
        }
        p if p.starts_with("ledger") => {
            format!("the payload's ledger says {shown_claim}, the model gives {shown_rebuilt}")
        }
        p if claimed.is_null() => format!("{p} is missing"),
        _ => format!("the payload says {shown_claim}, the model gives {shown_rebuilt}"),
    };
    if cx.basis == Basis::Ledger && cx.ledger_full && path.starts_with("score.") {
        reason.push_str(&truncation_note());
    }
    Mismatch {
        field: path.to_string(),
        claimed: claimed.clone(),
        recomputed: rebuilt.clone(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_agree_to_a_cent_in_scores_and_exactly_elsewhere() {
        for (field, a, b, same) in [
            ("score.total", 55.0, 55.01, true),
            ("score.total", 55.0, 55.02, false),
            ("score.groups.intent", 10.0, 10.0, true),
            ("ledger[0].decayFactor", 0.5, 0.500_000_000_1, true),
            ("ledger[0].decayFactor", 0.5, 0.51, false),
            ("ledger[0].countedPoints", 1.0e6, 1.0e6 + 1.0, false),
        ] {
            assert_eq!(close(field, a, b), same, "{field}: {a} vs {b}");
        }
    }

    #[test]
    fn diff_names_every_differing_field() {
        let cx = Context {
            basis: Basis::State,
            ledger_full: false,
        };
        let claimed = crate::json::json!({"a": 1, "b": {"c": [1, 2, 3]}, "extra": true, "score": {"total": 9}});
        let rebuilt =
            crate::json::json!({"a": 1, "b": {"c": [1, 5]}, "d": "x", "score": {"total": 5}});
        let mut out = Vec::new();
        diff("", &claimed, &rebuilt, &cx, &mut out);
        let fields: Vec<&str> = out.iter().map(|m| m.field.as_str()).collect();
        assert_eq!(fields, ["b.c[1]", "b.c", "d", "score.total"]);
        assert!(out[3].reason.contains("claims 9"), "{}", out[3].reason);
    }

    #[test]
    fn unreadable_payloads_are_a_verdict_not_a_panic() {
        let model = Model::from_json(
            r#"{"version":"1","rules":[{"id":"r","points":5,"when":{"type":"page"}}],
                "handoff":{"stage":"known","endpoint":"/h"}}"#,
        )
        .unwrap();
        let hash = model.hash().to_string();
        for payload in [
            crate::json::json!(null),
            crate::json::json!([]),
            crate::json::json!({"model": {"hash": hash}}),
            crate::json::json!({"model": {"hash": hash, "version": "1"}, "ledger": "x"}),
        ] {
            let v = verify_handoff(&payload, &model);
            assert!(!v.ok, "{payload}");
            assert!(!v.mismatches.is_empty());
        }
        assert!(!verify_handoff_json("{", &model).ok);
    }
}
