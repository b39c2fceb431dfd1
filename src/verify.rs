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
//! - `ledger` (what the snippet posts): the visitor is rebuilt from the payload's ledger (each
//!   match with its rule and time), traits, company and stage entries. Exact while the parts it
//!   needs are there: a part the model's `handoff.include` leaves out, a full ledger (a visitor
//!   state keeps only its last `LEDGER_LEN` matches) and visit-based criteria (the payload carries
//!   no visit counts) leave what rests on them `unverifiable`, never a mismatch, so a genuine
//!   payload is never refused for data it does not carry.
//! - `state`: a payload a server extended with a visitor state it holds itself (`state`, the
//!   compact JSON the snippet persists; the snippet never sends one, and the handoff schema
//!   refuses it). The engine resumes it and trusts it as the visitor's data.
//!
//! Times are claims too: nothing is dated after `createdAt`, the handoff stage holds at
//! `enteredAt` scoring only the matches dated up to then, criteria already met at an earlier
//! match leave `enteredAt` (and the SLA deadline) open, and `stages[]` is what the engine records.
//! What feeds no score (history, attribution, the anonymousId of an identified visitor) is
//! listed as `unverifiable` whenever the payload carries it: `complete` means every part was
//! re-derived.
//!
//! No second scoring implementation: the score, the ledger view, stage criteria, routing and the
//! payload itself all come from `score`, `handoff` and `Engine`.

use crate::condition::Condition;
use crate::engine::Engine;
use crate::handoff::{self, Handoff};
use crate::json::{Map, Value};
use crate::model::{HandoffSpec, Include, Model, RuleKind};
use crate::score;
use crate::stage::{Stage, StageEntry};
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

    times_after_creation(&claim, &mut out.mismatches);

    let (state, basis) = match payload.get("state") {
        Some(carried) => match resume_state(model, carried) {
            Ok(state) => (state, Basis::State),
            Err(reason) => {
                out.mismatches.push(Mismatch {
                    field: "state".into(),
                    claimed: Value::Null,
                    recomputed: Value::Null,
                    reason,
                });
                return finish(out);
            }
        },
        None => {
            let (state, problems) = state_from_ledger(model, &claim, spec, i64::MAX);
            for (field, reason) in problems {
                out.mismatches.push(Mismatch {
                    field,
                    claimed: Value::Null,
                    recomputed: Value::Null,
                    reason,
                });
            }
            (state, Basis::Ledger)
        }
    };
    out.basis = basis;
    let context = Context::new(model, spec, &claim, basis);

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
    let mut diffs = Vec::new();
    diff("", &claimed_value, &rebuilt_value, &mut diffs);
    for mut d in diffs {
        match context.unsettled(model, &d.field) {
            None => out.mismatches.push(d),
            Some(why) => {
                d.reason.push_str(&why);
                out.unverifiable.push(d);
            }
        }
    }

    match basis {
        Basis::Ledger => {
            check_stages(model, spec, &claim, &context, &mut out);
            payloads_word(model, spec, &claim, &mut out.unverifiable);
        }
        _ => {
            // The carried state is the visitor now: the stage must hold for it at enteredAt.
            // (Another stage than the model's handoff stage is already a mismatch of the diff.)
            if claim.stage == spec.stage
                && !stage_earned(model, &state, spec.stage, claim.entered_at)
            {
                out.mismatches.push(Mismatch {
                    field: "stage".into(),
                    claimed: Value::from(claim.stage.as_str()),
                    recomputed: Value::Null,
                    reason: format!(
                        "the carried state does not meet the {:?} criteria at enteredAt",
                        spec.stage.as_str()
                    ),
                });
            }
        }
    }
    finish(out)
}

/// Times no genuine payload has: a stage entered, an event, a touch or a stage entry dated after
/// the payload was built (`createdAt`, which is also the score's `asOf`).
fn times_after_creation(claim: &Handoff, out: &mut Vec<Mismatch>) {
    let created = claim.created_at;
    let mut late = |field: String, at: i64, what: &str| {
        if at > created && out.len() < MAX_MISMATCHES {
            out.push(Mismatch {
                field,
                claimed: Value::from(at),
                recomputed: Value::from(created),
                reason: format!(
                    "{what} is dated {} ms after createdAt: the payload was built before it",
                    at.saturating_sub(created)
                ),
            });
        }
    };
    late("enteredAt".into(), claim.entered_at, "the stage entry");
    for (i, e) in claim.ledger.iter().enumerate() {
        late(format!("ledger[{i}].timestamp"), e.timestamp, "this match");
    }
    for (i, s) in claim.stages.iter().enumerate() {
        late(format!("stages[{i}].at"), s.at, "this stage entry");
    }
    for (i, h) in claim.history.iter().enumerate() {
        late(format!("history[{i}].at"), h.at, "this event");
    }
    for (field, touch) in [
        ("firstTouch.at", &claim.first_touch),
        ("lastTouch.at", &claim.last_touch),
    ] {
        if let Some(t) = touch {
            late(field.into(), t.at, "this touch");
        }
    }
}

/// What the stage criteria of `stage` read.
#[derive(Debug, Default, Clone, Copy)]
struct Needs {
    /// Visit counts, which no payload carries.
    visits: bool,
    /// The behaviour score or rule matches: the ledger.
    behaviour: bool,
    /// Traits, directly or through the fit score.
    traits: bool,
}

fn needs(model: &Model, stage: Stage, identified: bool) -> Needs {
    fn walk(model: &Model, fit_rules: bool, c: &Condition, n: &mut Needs) {
        match c {
            Condition::Visits { .. } => n.visits = true,
            Condition::Matches { .. } => n.behaviour = true,
            Condition::Trait(..) => n.traits = true,
            Condition::Score(name, _) => {
                let kind = model
                    .groups()
                    .iter()
                    .find(|g| &g.name == name)
                    .map(|g| g.kind);
                match (name.as_str(), kind) {
                    ("engagement", _) | (_, Some(RuleKind::Behavior)) => n.behaviour = true,
                    ("fit", _) | (_, Some(RuleKind::Fit)) => n.traits |= fit_rules,
                    _ => {
                        n.behaviour = true;
                        n.traits |= fit_rules;
                    }
                }
            }
            Condition::All(items) | Condition::Any(items) => {
                items.iter().for_each(|i| walk(model, fit_rules, i, n))
            }
            Condition::Not(inner) => walk(model, fit_rules, inner, n),
            // The identity (userId) is always in the payload; event conditions see no event.
            _ => {}
        }
    }
    let mut n = Needs::default();
    let fit_rules = model.rules().iter().any(|r| r.kind == RuleKind::Fit);
    match model.stages().iter().find(|s| s.stage == stage) {
        Some(spec) => walk(model, fit_rules, &spec.when, &mut n),
        // `known` without criteria: identified (userId), or an email trait.
        None => n.traits = !identified,
    }
    n
}

/// Can the engine ever enter `stage`? Only through the model's criteria, or `known`.
fn enterable(model: &Model, stage: Stage) -> bool {
    stage == Stage::Known || model.stages().iter().any(|s| s.stage == stage)
}

/// Do the criteria of `stage` hold at `at` for the visitor rebuilt from the ledger entries dated
/// up to `at` (and the payload's traits)? Later matches do not count: a stage is entered when the
/// score crosses, not when a later event would have made it cross.
fn holds_at(model: &Model, spec: &HandoffSpec, claim: &Handoff, stage: Stage, at: i64) -> bool {
    let (state, _) = state_from_ledger(model, claim, spec, at);
    stage_earned(model, &state, stage, at)
}

/// The stage claims of a payload rebuilt from its ledger: the handoff stage holds at enteredAt
/// and was not already met earlier, and `stages[]` is what the engine records (forward order,
/// stages it can enter, each one earned when it is dated, the handoff stage at enteredAt).
fn check_stages(
    model: &Model,
    spec: &HandoffSpec,
    claim: &Handoff,
    cx: &Context,
    out: &mut Verification,
) {
    let identified = claim.user_id.is_some();
    // (field, stage, at) of every stage claim whose criteria must hold when dated.
    let mut claims = Vec::new();
    if claim.stage == spec.stage {
        claims.push(("stage".to_string(), spec.stage, claim.entered_at));
    }
    if cx.include.stages {
        let mut previous: Option<StageEntry> = None;
        for (i, e) in claim.stages.iter().enumerate() {
            let field = format!("stages[{i}]");
            if !enterable(model, e.stage) {
                out.mismatches.push(Mismatch {
                    field: format!("{field}.stage"),
                    claimed: Value::from(e.stage.as_str()),
                    recomputed: Value::Null,
                    reason: format!(
                        "the model has no criteria for {:?}: the engine never enters it",
                        e.stage.as_str()
                    ),
                });
            } else if previous.is_some_and(|p| !p.stage.can_advance_to(e.stage) || e.at < p.at) {
                out.mismatches.push(Mismatch {
                    field,
                    claimed: crate::json::to_value(e).unwrap_or(Value::Null),
                    recomputed: Value::Null,
                    reason: "out of order: the engine enters stages forward only, each later than or with the one before".into(),
                });
            } else if e.stage != spec.stage || e.at != claim.entered_at {
                // The handoff stage's own entry is the `stage` claim above.
                claims.push((field, e.stage, e.at));
            }
            previous = Some(*e);
        }
        let handed = claim.stages.iter().find(|e| e.stage >= spec.stage);
        if handed.map(|e| e.at) != Some(claim.entered_at) {
            out.mismatches.push(Mismatch {
                field: "stages".into(),
                claimed: handed.map_or(Value::Null, |e| crate::json::to_value(e).unwrap_or(Value::Null)),
                recomputed: crate::json::to_value(StageEntry { stage: spec.stage, at: claim.entered_at }).unwrap_or(Value::Null),
                reason: format!(
                    "the engine records entering {:?} (or a later stage) at enteredAt, where the handoff is built",
                    spec.stage.as_str()
                ),
            });
        }
    }

    for (field, stage, at) in claims {
        let n = needs(model, stage, identified);
        let why_not = cx.cannot_settle(n);
        if !holds_at(model, spec, claim, stage, at) {
            let mut m = Mismatch {
                field,
                claimed: Value::from(stage.as_str()),
                recomputed: Value::Null,
                reason: format!(
                    "the re-scored visitor does not meet the {:?} criteria at {at} (scoring the ledger entries dated up to then)",
                    stage.as_str()
                ),
            };
            match why_not {
                Some(why) => {
                    m.reason.push_str(&why);
                    out.unverifiable.push(m);
                }
                None => out.mismatches.push(m),
            }
            continue;
        }
        if why_not.is_some() || stage != spec.stage || field != "stage" {
            continue;
        }
        // Entered at enteredAt, not before: the engine enters a stage at the first event after
        // which its criteria hold. Criteria already met at an earlier match mean a later
        // enteredAt (and a later SLA deadline) than the ledger shows, unless something the
        // ledger does not hold (a trait from an identify or group call) came in between.
        let earlier = claim
            .ledger
            .iter()
            .map(|e| e.timestamp)
            .filter(|t| *t < at)
            .find(|t| holds_at(model, spec, claim, stage, *t));
        if let Some(t) = earlier {
            let explained = n.traits
                && claim.history.iter().any(|h| {
                    h.at > t && h.at <= at && matches!(h.kind.as_str(), "identify" | "group")
                });
            if !explained {
                out.unverifiable.push(Mismatch {
                    field: "enteredAt".into(),
                    claimed: Value::from(at),
                    recomputed: Value::from(t),
                    reason: format!(
                        "the re-scored visitor already met the {:?} criteria at {t}, {} ms before enteredAt, and the payload shows nothing in between that would have held them back: enteredAt and the SLA deadline rest on the payload's word",
                        stage.as_str(),
                        at.saturating_sub(t)
                    ),
                });
            }
        }
    }
}

/// Parts a payload rebuilt from its ledger takes as given and nothing re-derives: listed (when
/// present) so that `complete` is never true while they are unchecked.
fn payloads_word(model: &Model, spec: &HandoffSpec, claim: &Handoff, out: &mut Vec<Mismatch>) {
    let mut word = |field: &str, claimed: Value, reason: String| {
        out.push(Mismatch {
            field: field.into(),
            claimed,
            recomputed: Value::Null,
            reason,
        })
    };
    if !claim.history.is_empty() {
        word(
            "history",
            Value::from(claim.history.len()),
            "the events listed in history feed no score: they rest on the payload's word".into(),
        );
    }
    for (field, touch) in [
        ("firstTouch", &claim.first_touch),
        ("lastTouch", &claim.last_touch),
    ] {
        if let Some(t) = touch {
            word(
                field,
                crate::json::to_value(t).unwrap_or(Value::Null),
                "attribution feeds no score: it rests on the payload's word".into(),
            );
        }
    }
    if claim.user_id.is_some() && claim.anonymous_id.is_some() {
        word(
            "anonymousId",
            claim.anonymous_id.clone().map_or(Value::Null, Value::String),
            "with a userId the anonymousId is neither the visitorId nor part of the handoffId: it rests on the payload's word".into(),
        );
    }
    let include = spec.include;
    if !include.ledger && model.rules().iter().any(|r| r.kind == RuleKind::Behavior) {
        word(
            "ledger",
            Value::Null,
            "the model's handoff.include leaves the ledger out: the behaviour score rests on the payload's word".into(),
        );
    }
    let trait_routing = !spec.routing.rules.is_empty();
    if !include.traits && (model.rules().iter().any(|r| r.kind == RuleKind::Fit) || trait_routing) {
        word(
            "traits",
            Value::Null,
            "the model's handoff.include leaves traits out: fit, grade and routing rest on the payload's word".into(),
        );
    }
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
/// stage entries, attribution, history, and every ledger match dated up to `upto` folded into
/// its rule's counters. Returns the problems met on the way (ledger entries naming no behaviour
/// rule).
fn state_from_ledger(
    model: &Model,
    claim: &Handoff,
    spec: &HandoffSpec,
    upto: i64,
) -> (VisitorState, Vec<(String, String)>) {
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
    // The visitor's stage: the last one recorded, when the payload lists them.
    let stage = match claim.stages.last() {
        Some(last) if spec.include.stages && last.stage > claim.stage => last.stage,
        _ => claim.stage,
    };
    let mut state = VisitorState {
        version: STATE_VERSION,
        model_hash: model.hash().to_string(),
        anonymous_id: claim.anonymous_id.clone(),
        user_id: claim.user_id.clone(),
        traits,
        stage,
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
        if entry.timestamp > upto {
            continue;
        }
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

fn truncation_note() -> String {
    format!(
        "; the payload's ledger holds {LEDGER_LEN} entries, as many as a visitor state keeps, so older matches are not in it"
    )
}

struct Context {
    basis: Basis,
    include: Include,
    /// The ledger holds as many entries as a visitor state keeps: older matches may be missing.
    ledger_full: bool,
    /// The model has behaviour (fit) rules.
    behaviour_rules: bool,
    fit_rules: bool,
    /// The model's routing rules read traits.
    trait_routing: bool,
}

const LEFT_OUT_LEDGER: &str = "; the model's handoff.include leaves the ledger out";
const LEFT_OUT_TRAITS: &str = "; the model's handoff.include leaves traits out";

impl Context {
    fn new(model: &Model, spec: &HandoffSpec, claim: &Handoff, basis: Basis) -> Context {
        Context {
            basis,
            include: spec.include,
            ledger_full: claim.ledger.len() >= LEDGER_LEN,
            behaviour_rules: model.rules().iter().any(|r| r.kind == RuleKind::Behavior),
            fit_rules: model.rules().iter().any(|r| r.kind == RuleKind::Fit),
            trait_routing: !spec.routing.rules.is_empty(),
        }
    }

    /// Why the behaviour score cannot be settled from the payload, if it cannot.
    fn behaviour_unsettled(&self) -> Option<String> {
        if self.basis != Basis::Ledger || !self.behaviour_rules {
            None
        } else if !self.include.ledger {
            Some(LEFT_OUT_LEDGER.to_string())
        } else if self.ledger_full {
            Some(truncation_note())
        } else {
            None
        }
    }

    /// Why what rests on traits (fit, grade) cannot be settled from the payload, if it cannot.
    fn traits_unsettled(&self) -> Option<String> {
        (self.basis == Basis::Ledger && self.fit_rules && !self.include.traits)
            .then(|| LEFT_OUT_TRAITS.to_string())
    }

    /// Does the payload carry what it takes to settle a difference in this field? `None` when it
    /// does; otherwise why not (appended to the difference's reason). The behaviour part of the
    /// score rests on the ledger (which may be left out, or full and missing older matches), the
    /// fit part, the grade and routing rules on traits (which may be left out).
    fn unsettled(&self, model: &Model, field: &str) -> Option<String> {
        let group_kind = |name: &str| {
            model
                .groups()
                .iter()
                .find(|g| g.name == name)
                .map(|g| g.kind)
        };
        match field {
            "score.total" => self
                .behaviour_unsettled()
                .or_else(|| self.traits_unsettled()),
            "score.engagement" => self.behaviour_unsettled(),
            // The explanation's parts are rounded from the total down: all rest on it.
            f if f.starts_with("explanation.") => self
                .behaviour_unsettled()
                .or_else(|| self.traits_unsettled()),
            "score.fit" | "score.grade" => self.traits_unsettled(),
            f if f.starts_with("ledger[") && f.ends_with(".groupClamped") => {
                self.behaviour_unsettled()
            }
            f if f.starts_with("routing") => {
                (self.basis == Basis::Ledger && self.trait_routing && !self.include.traits)
                    .then(|| LEFT_OUT_TRAITS.to_string())
            }
            f => match f.strip_prefix("score.groups.").map(group_kind) {
                Some(Some(RuleKind::Behavior)) => self.behaviour_unsettled(),
                Some(Some(RuleKind::Fit)) => self.traits_unsettled(),
                _ => None,
            },
        }
    }

    /// Why stage criteria with these needs cannot be settled from the payload, if they cannot.
    fn cannot_settle(&self, n: Needs) -> Option<String> {
        if n.visits {
            return Some("; the criteria count visits, which the payload does not carry".into());
        }
        if n.behaviour {
            if let Some(why) = self.behaviour_unsettled() {
                return Some(why);
            }
        }
        if n.traits && !self.include.traits {
            return Some(LEFT_OUT_TRAITS.to_string());
        }
        None
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
fn diff(path: &str, claimed: &Value, rebuilt: &Value, out: &mut Vec<Mismatch>) {
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
                    out,
                );
            }
        }
        (Value::Array(c), Value::Array(r)) => {
            for (i, (cv, rv)) in c.iter().zip(r).enumerate() {
                diff(&format!("{path}[{i}]"), cv, rv, out);
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
                out.push(mismatch(path, claimed, rebuilt));
            }
        }
        _ if claimed == rebuilt => {}
        _ => out.push(mismatch(path, claimed, rebuilt)),
    }
}

/// A value as a reader expects it: `60`, not serde's `60.0`.
fn show(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if v.is_f64() && x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        _ => v.to_string(),
    }
}

fn mismatch(path: &str, claimed: &Value, rebuilt: &Value) -> Mismatch {
    let (shown_claim, shown_rebuilt) = (show(claimed), show(rebuilt));
    let reason = match path {
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
        let claimed = crate::json::json!({"a": 1, "b": {"c": [1, 2, 3]}, "extra": true, "score": {"total": 9}});
        let rebuilt =
            crate::json::json!({"a": 1, "b": {"c": [1, 5]}, "d": "x", "score": {"total": 5}});
        let mut out = Vec::new();
        diff("", &claimed, &rebuilt, &mut out);
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
