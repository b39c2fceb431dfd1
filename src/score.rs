//! Reading the score: a pure function of the model, the visitor state and `as_of`.
//!
//! Behaviour rules contribute their decayed accumulators; fit rules are evaluated on the current
//! traits. Group sums are clamped to the group's bounds, the total to the model's limits.
//! Reported values are rounded to cents (monotone, so "never rises with time" survives it), and
//! stage criteria read the same rounded values the user sees. An explanation's parts are
//! rounded so that they add up to the total it explains ([`apportion`]).

use crate::condition::{CountSource, Facts, ScoreSource};
use crate::json::{Map, Value};
use crate::model::{Model, RuleKind};
use crate::sorted_map::SortedMap;
use crate::stage::Stage;
use crate::state::{decay_factor, CapHit, VisitorState};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};

mod encode;
#[cfg(test)]
mod tests;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    pub total: f64,
    pub fit: f64,
    pub engagement: f64,
    pub groups: SortedMap<String, f64>,
    /// Fit grade A–F, when the model defines grades.
    #[serde(default)]
    pub grade: Option<String>,
    pub stage: Stage,
    pub as_of: i64,
}

impl ScoreSource for Score {
    fn score_of(&self, name: &str) -> Option<f64> {
        match name {
            "total" => Some(self.total),
            "fit" => Some(self.fit),
            "engagement" => Some(self.engagement),
            group => self.groups.get(group).copied(),
        }
    }
}

// Out of line: one copy for the score's fifteen rounding sites (inlined, each was a copy of
// the multiply, round, divide and the `-0` check).
#[inline(never)]
pub fn round2(x: f64) -> f64 {
    let r = (x * 100.0).round() / 100.0;
    if r == 0.0 {
        0.0 // no "-0" in payloads
    } else {
        r
    }
}

/// Whole cents of `x`, rounded as [`round2`] rounds.
pub(crate) fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// Largest-remainder rounding to cents: whole cents for `parts` (exact values) that add up to
/// `target` cents, so that the parts an explanation shows add up to the total it shows. Each
/// part gets its value rounded down, and the cents still missing go one each to the parts with
/// the largest remainders (the first part on a tie). When `target` is the exact sum of the parts
/// rounded either way, every part ends less than a cent from its exact value.
pub(crate) fn apportion(parts: &[f64], target: i64) -> Vec<i64> {
    let mut out = Vec::with_capacity(parts.len());
    let mut rest = Vec::with_capacity(parts.len());
    let mut missing = target;
    for &p in parts {
        let v = p * 100.0;
        let mut down = v.floor();
        let mut r = v - down;
        // Float noise around a whole cent (0.29 * 100 = 28.999999999999996) is that cent.
        if r > 1.0 - 1e-9 {
            down += 1.0;
            r = 0.0;
        } else if r < 1e-9 {
            r = 0.0;
        }
        out.push(down as i64);
        missing -= down as i64;
        rest.push(r);
    }
    // Cents are handed out (or, on a float edge, taken back from the smallest remainders) one
    // part at a time; a part given one is marked with NaN. The counts are small (rules and
    // groups of one model), so a scan per cent, not a sort.
    while missing != 0 && !out.is_empty() {
        let up = missing > 0;
        let mut best: Option<usize> = None;
        for (i, r) in rest.iter().enumerate() {
            let better = match best {
                _ if r.is_nan() => false,
                None => true,
                Some(b) => (up && *r > rest[b]) || (!up && *r < rest[b]),
            };
            if better {
                best = Some(i);
            }
        }
        match best {
            Some(i) => {
                out[i] += if up { 1 } else { -1 };
                rest[i] = f64::NAN;
                missing += if up { -1 } else { 1 };
            }
            // Every part had its cent and some are still missing: another round.
            None => rest.iter_mut().for_each(|r| *r = 0.0),
        }
    }
    out
}

fn from_cents(c: i64) -> f64 {
    c as f64 / 100.0
}

/// One counted (or capped) match, as the ledger shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub message_id: String,
    pub event_type: String,
    /// Page path or track event name.
    pub label: String,
    pub timestamp: i64,
    pub rule_id: String,
    pub group: String,
    pub raw_points: f64,
    pub decay_factor: f64,
    /// `raw_points` × `decay_factor` in cents, rounded so that a rule's entries and its
    /// `earlier_points` add up to its `points` (see [`explain`]); 0 when a cap stopped it or the
    /// model no longer has the rule.
    pub counted_points: f64,
    #[serde(default)]
    pub cap_hit: Option<CapHit>,
    /// The entry's group was clamped at its bound (the entry may count less than shown).
    #[serde(default)]
    pub group_clamped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSummary {
    pub rule_id: String,
    pub kind: RuleKind,
    pub group: String,
    pub matches: u32,
    pub counted: u32,
    pub capped: u32,
    /// Current (decayed) points of this rule, before group clamps, in cents.
    pub points: f64,
    /// Part of `points` from matches older than the listed ledger entries (all of it when
    /// the entries are not listed).
    pub earlier_points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FitEntry {
    pub rule_id: String,
    pub group: String,
    pub points: f64,
    pub matched: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSummary {
    pub group: String,
    pub kind: RuleKind,
    /// Sum of its rules' points, before the clamp.
    pub raw: f64,
    /// `raw` after the clamp: the group's part of `total_raw`.
    pub value: f64,
    /// "min" or "max" when the clamp changed the sum.
    pub clamp: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub as_of: i64,
    pub score: Score,
    /// Recent ledger entries, oldest first.
    pub entries: Vec<LedgerEntry>,
    pub rules: Vec<RuleSummary>,
    pub fit: Vec<FitEntry>,
    pub groups: Vec<GroupSummary>,
    /// Sum of the groups' values, before the total clamp.
    pub total_raw: f64,
    pub total_clamp: Option<String>,
}

/// Read back from a handoff payload by `verify` (the model's enum is written, never read, by
/// the engine).
impl<'de> Deserialize<'de> for RuleKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        match name.as_str() {
            "behavior" => Ok(RuleKind::Behavior),
            "fit" => Ok(RuleKind::Fit),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["behavior", "fit"],
            )),
        }
    }
}

/// The exact (unrounded) sums a score is made of.
pub(crate) struct Breakdown {
    pub rule_points: Vec<f64>,
    pub groups: Vec<GroupSummary>,
    pub total_raw: f64,
    pub score: Score,
}

fn clamp_name(raw: f64, value: f64) -> Option<String> {
    if value < raw {
        Some("max".to_string())
    } else if value > raw {
        Some("min".to_string())
    } else {
        None
    }
}

pub(crate) fn breakdown(model: &Model, state: &VisitorState, as_of: i64) -> Breakdown {
    let hits = fit_hits(model, &state.traits, state.user_id.is_some());
    breakdown_with(model, state, as_of, &hits)
}

/// Which rules' conditions hold on these traits, by rule position: the fit rules' results
/// (behaviour rules read `false`). Fit conditions see traits and `identified` only, so an
/// engine keeps this until one of them changes.
pub(crate) fn fit_hits(model: &Model, traits: &Map<String, Value>, identified: bool) -> Vec<bool> {
    let facts = Facts {
        event: None,
        traits,
        identified,
        scores: None,
        counts: None,
        as_of: 0,
    };
    model
        .rules
        .iter()
        .map(|rule| rule.kind == RuleKind::Fit && rule.when.eval(&facts))
        .collect()
}

/// Current points of every rule at `as_of`, by rule position, into `out`: behaviour rules their
/// decayed accumulator, fit rules their points when `fit[i]` holds.
pub(crate) fn rule_points_into(
    model: &Model,
    state: &VisitorState,
    fit: &[bool],
    as_of: i64,
    out: &mut Vec<f64>,
) {
    out.clear();
    out.resize(model.rules.len(), 0.0);
    // The state's rule map and `by_id` are both in id order: one walk side by side instead of
    // a string-keyed lookup per rule.
    let mut states = state.rules.iter().peekable();
    for &i in &model.by_id {
        let rule = &model.rules[i];
        let mut acc = None;
        while let Some((id, rs)) = states.peek() {
            match id.as_str().cmp(rule.id.as_str()) {
                std::cmp::Ordering::Less => {
                    states.next();
                }
                std::cmp::Ordering::Equal => {
                    acc = Some(&rs.acc);
                    states.next();
                    break;
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        out[i] = match rule.kind {
            RuleKind::Behavior => acc.map_or(0.0, |a| a.value(rule.decay, as_of)),
            RuleKind::Fit if fit.get(i).copied().unwrap_or(false) => rule.points,
            RuleKind::Fit => 0.0,
        };
    }
}

/// Group sums clamped to their bounds (by group position, into `values`, unrounded) from rule
/// points; returns (fit, engagement), the sums of the fit and behaviour groups.
pub(crate) fn group_values_into(
    model: &Model,
    rule_points: &[f64],
    raw: &mut Vec<f64>,
    values: &mut Vec<f64>,
) -> (f64, f64) {
    raw.clear();
    raw.resize(model.groups.len(), 0.0);
    for (gi, p) in model.rule_group.iter().zip(rule_points) {
        raw[*gi] += *p;
    }
    values.clear();
    let (mut fit, mut engagement) = (0.0, 0.0);
    for (g, sum) in model.groups.iter().zip(raw.iter()) {
        let value = g.bounds.clamp(*sum);
        match g.kind {
            RuleKind::Fit => fit += value,
            RuleKind::Behavior => engagement += value,
        }
        values.push(value);
    }
    (fit, engagement)
}

/// Reusable buffers for [`Totals`], so reading the score after every event allocates nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    rule_points: Vec<f64>,
    raw: Vec<f64>,
    values: Vec<f64>,
}

/// The rounded numbers of a [`Score`] without its strings: what stage criteria read after each
/// event. Computed on the first read only (criteria whose cheaper tests fail never read it),
/// with the same arithmetic as [`breakdown`], so the same values.
pub(crate) struct Totals<'a> {
    model: &'a Model,
    state: &'a VisitorState,
    fit_hits: &'a [bool],
    as_of: i64,
    scratch: RefCell<&'a mut Scratch>,
    /// (total, fit, engagement), rounded, once computed.
    computed: Cell<Option<(f64, f64, f64)>>,
}

impl<'a> Totals<'a> {
    pub(crate) fn new(
        model: &'a Model,
        state: &'a VisitorState,
        fit_hits: &'a [bool],
        as_of: i64,
        scratch: &'a mut Scratch,
    ) -> Totals<'a> {
        Totals {
            model,
            state,
            fit_hits,
            as_of,
            scratch: RefCell::new(scratch),
            computed: Cell::new(None),
        }
    }

    fn numbers(&self) -> (f64, f64, f64) {
        if let Some(n) = self.computed.get() {
            return n;
        }
        let mut guard = self.scratch.borrow_mut();
        let scratch: &mut Scratch = &mut guard;
        rule_points_into(
            self.model,
            self.state,
            self.fit_hits,
            self.as_of,
            &mut scratch.rule_points,
        );
        let (fit, engagement) = group_values_into(
            self.model,
            &scratch.rule_points,
            &mut scratch.raw,
            &mut scratch.values,
        );
        let total = self.model.total_bounds.clamp(fit + engagement);
        let n = (round2(total), round2(fit), round2(engagement));
        self.computed.set(Some(n));
        n
    }
}

impl ScoreSource for Totals<'_> {
    fn score_of(&self, name: &str) -> Option<f64> {
        let (total, fit, engagement) = self.numbers();
        match name {
            "total" => Some(total),
            "fit" => Some(fit),
            "engagement" => Some(engagement),
            group => {
                let i = self.model.groups.iter().position(|g| g.name == group)?;
                Some(round2(self.scratch.borrow().values[i]))
            }
        }
    }
}

/// [`breakdown`] with the fit rules' results given (see [`fit_hits`]).
pub(crate) fn breakdown_with(
    model: &Model,
    state: &VisitorState,
    as_of: i64,
    fit_hits: &[bool],
) -> Breakdown {
    let mut rule_points = Vec::new();
    rule_points_into(model, state, fit_hits, as_of, &mut rule_points);
    let (mut raw, mut values) = (Vec::new(), Vec::new());
    let (fit, engagement) = group_values_into(model, &rule_points, &mut raw, &mut values);
    let mut groups = Vec::with_capacity(model.groups.len());
    let mut group_values = SortedMap::new();
    for (i, g) in model.groups.iter().enumerate() {
        let (raw, value) = (raw[i], values[i]);
        group_values.insert(g.name.clone(), round2(value));
        groups.push(GroupSummary {
            group: g.name.clone(),
            kind: g.kind,
            raw,
            value,
            clamp: clamp_name(raw, value),
        });
    }
    let total_raw = fit + engagement;
    let total = model.total_bounds.clamp(total_raw);
    let score = Score {
        total: round2(total),
        fit: round2(fit),
        engagement: round2(engagement),
        groups: group_values,
        grade: model.grade_for(round2(fit)),
        stage: state.stage,
        as_of,
    };
    Breakdown {
        rule_points,
        groups,
        total_raw,
        score,
    }
}

pub fn score(model: &Model, state: &VisitorState, as_of: i64) -> Score {
    breakdown(model, state, as_of).score
}

/// [`score`] with the fit rules' results given (see [`fit_hits`]).
pub(crate) fn score_with(
    model: &Model,
    state: &VisitorState,
    as_of: i64,
    fit_hits: &[bool],
) -> Score {
    // Through `breakdown_with`, not a leaner copy of it: one copy of this code in the snippet.
    breakdown_with(model, state, as_of, fit_hits).score
}

/// The score with its parts: every counted match, each rule's points and what older matches
/// left, the fit rules, the groups and the clamps.
///
/// Every number is in cents, and the parts add up exactly to what they explain (largest
/// remainder rounding, [`apportion`], from the total down): `score.total` is `totalRaw` plus the
/// total clamp; `totalRaw` is the sum of the groups' `value`; a group's `raw` is the sum of its
/// rules' `points` (fit rules' when matched), its `value` that plus its clamp; a behaviour rule's
/// `points` are its entries' `countedPoints` plus its `earlierPoints`. A part may differ by a
/// cent from the same quantity rounded on its own (`score.groups`), never by a cent or more from
/// its exact value.
pub fn explain(model: &Model, state: &VisitorState, as_of: i64) -> Explanation {
    // The fit rules' results kept here: a fit entry's `matched` is its rule's hit (`fit_hits`
    // is `false` for behaviour rules), so the breakdown carries no copy of them.
    let hits = fit_hits(model, &state.traits, state.user_id.is_some());
    let b = breakdown_with(model, state, as_of, &hits);
    // Loops, not iterator chains: each `map(..).collect()` is its own copy of the collecting
    // code in the snippet's wasm (benches/SIZE.md step 31).
    let mut entries = Vec::with_capacity(state.ledger.len());
    // Each entry's rule position and exact counted points, for the rounding below.
    let mut exact = Vec::with_capacity(state.ledger.len());
    // Points of the listed entries, by rule position, summed in ledger order (the order the
    // per-rule sum over `entries` had), so no second walk over the entries per rule.
    // (`resize`, not `vec![0.0; n]`: the resize `rule_points_into` already has.)
    let mut listed = Vec::new();
    listed.resize(model.rules.len(), 0.0);
    for rec in &state.ledger {
        // Rule ids are unique and so are group names: the entry's group is clamped when its
        // rule's group (by position) is.
        let position = model.rules.iter().position(|r| r.id == rec.0);
        let rule = position.map(|i| &model.rules[i]);
        let group_clamped = position.is_some_and(|i| b.groups[model.rule_group[i]].clamp.is_some());
        let factor = match (rule, rec.3) {
            (Some(r), None) => decay_factor(r.decay, rec.1, as_of),
            _ => 1.0,
        };
        if let Some(i) = position {
            listed[i] += rec.2 * factor;
        }
        // A match of a rule the model no longer has counts nothing.
        exact.push((position, position.map_or(0.0, |_| rec.2 * factor)));
        entries.push(LedgerEntry {
            message_id: rec.4.clone(),
            event_type: rec.5.clone(),
            label: rec.6.clone(),
            timestamp: rec.1,
            rule_id: rec.0.clone(),
            group_clamped,
            group: rule.map_or(String::new(), |r| r.group.clone()),
            raw_points: rule.map_or(rec.2, |r| r.points),
            decay_factor: factor,
            counted_points: 0.0,
            cap_hit: rec.3,
        });
    }

    // The total into the groups' values and the total clamp (last).
    let total = model.total_bounds.clamp(b.total_raw);
    let mut parts = Vec::with_capacity(b.groups.len() + 1);
    for g in &b.groups {
        parts.push(g.value);
    }
    parts.push(total - b.total_raw);
    let top = apportion(&parts, cents(total));
    let total_clamp_cents = top[b.groups.len()];
    // Each group's value into its rules' points (by rule position) and its clamp (last).
    let mut rule_cents = vec![0i64; model.rules.len()];
    let mut group_raw_cents = Vec::with_capacity(b.groups.len());
    for (gi, g) in b.groups.iter().enumerate() {
        let mut members = Vec::new();
        parts.clear();
        for (i, &rg) in model.rule_group.iter().enumerate() {
            if rg == gi {
                members.push(i);
                parts.push(b.rule_points[i]);
            }
        }
        parts.push(g.value - g.raw);
        let split = apportion(&parts, top[gi]);
        for (k, &i) in members.iter().enumerate() {
            rule_cents[i] = split[k];
        }
        group_raw_cents.push(top[gi] - split[members.len()]);
    }

    let mut rules = Vec::new();
    let mut fit = Vec::new();
    for (i, rule) in model.rules.iter().enumerate() {
        let points = from_cents(rule_cents[i]);
        match rule.kind {
            RuleKind::Behavior => {
                // The rule's points into its listed entries' counted points and the rest.
                parts.clear();
                let mut mine = Vec::new();
                for (k, e) in exact.iter().enumerate() {
                    if e.0 == Some(i) {
                        mine.push(k);
                        parts.push(e.1);
                    }
                }
                parts.push(b.rule_points[i] - listed[i]);
                let split = apportion(&parts, rule_cents[i]);
                for (n, &k) in mine.iter().enumerate() {
                    entries[k].counted_points = from_cents(split[n]);
                }
                let (matches, counted) = state
                    .rules
                    .get(&rule.id)
                    .map_or((0, 0), |s| (s.matches, s.counted));
                rules.push(RuleSummary {
                    rule_id: rule.id.clone(),
                    kind: rule.kind,
                    group: rule.group.clone(),
                    matches,
                    counted,
                    capped: matches.saturating_sub(counted),
                    points,
                    earlier_points: from_cents(split[mine.len()]),
                });
            }
            RuleKind::Fit => fit.push(FitEntry {
                rule_id: rule.id.clone(),
                group: rule.group.clone(),
                // What the rule gives: counted (in cents) when it matched.
                points: if hits[i] { points } else { rule.points },
                matched: hits[i],
            }),
        }
    }
    let total_clamp = clamp_name(b.total_raw, total);
    let mut groups = b.groups;
    for (gi, g) in groups.iter_mut().enumerate() {
        g.raw = from_cents(group_raw_cents[gi]);
        g.value = from_cents(top[gi]);
    }
    Explanation {
        as_of,
        score: b.score,
        entries,
        rules,
        fit,
        groups,
        total_raw: from_cents(cents(total) - total_clamp_cents),
        total_clamp,
    }
}

/// Counts for stage criteria, read from the state's counters and rings.
pub(crate) struct Counts<'a>(pub &'a VisitorState);

impl CountSource for Counts<'_> {
    fn rule_matches(&self, rules: &[String], since: Option<i64>) -> u32 {
        let mut total = 0u32;
        for id in rules {
            if let Some(r) = self.0.rules.get(id) {
                let n = match since {
                    None => r.matches,
                    Some(t) => count_since(&r.ring, t),
                };
                total = total.saturating_add(n);
            }
        }
        total
    }

    fn visits(&self, since: Option<i64>) -> u32 {
        match since {
            None => self.0.sessions,
            Some(t) => count_since(&self.0.visit_ring, t),
        }
    }
}

/// How many of `times` are at or after `t` (one loop shared by the rule rings and the visit
/// ring, instead of a `filter().count()` in each).
fn count_since(times: &[i64], t: i64) -> u32 {
    let mut n = 0u32;
    for at in times {
        if *at >= t {
            n += 1;
        }
    }
    n
}

/// Which stages' criteria hold at `as_of`, given the score at that time.
pub(crate) fn stage_holds(
    model: &Model,
    state: &VisitorState,
    score: &dyn ScoreSource,
    stage: Stage,
    as_of: i64,
) -> bool {
    let counts = Counts(state);
    let facts = Facts {
        event: None,
        traits: &state.traits,
        identified: state.user_id.is_some(),
        scores: Some(score),
        counts: Some(&counts),
        as_of,
    };
    match model.stages.iter().find(|s| s.stage == stage) {
        Some(spec) => spec.when.eval(&facts),
        // Without explicit criteria a visitor is known once identified (userId or email).
        None if stage == Stage::Known => {
            facts.identified
                || crate::condition::trait_value(&state.traits, "email")
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| !s.trim().is_empty())
        }
        None => false,
    }
}
