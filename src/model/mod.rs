//! The scoring model: the marketer's versioned JSON document (rules, groups, limits, decay,
//! grades, stages, handoff settings), validated into typed values.
//!
//! Validation walks the whole document and lists every problem with its JSON path; unknown keys
//! are rejected with a "did you mean" suggestion. The content hash is taken over canonical JSON,
//! so key order and whitespace do not change it. The format is documented in
//! `tests/fixtures/schema/model.schema.json` and `tests/fixtures/schema/README.md`.

pub(crate) mod check;
#[cfg(test)]
mod corpus_tests;
mod parse;
#[cfg(test)]
mod tests;

use crate::condition::Condition;
use crate::error::{Error, Problem};
use crate::json::Value;
use crate::outbox::RetryPolicy;
use crate::stage::Stage;
use serde::Serialize;
use std::ops::Deref;
use std::sync::Arc;

/// Behaviour rules accumulate per matching event; fit rules are evaluated on current traits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Behavior,
    Fit,
}

impl RuleKind {
    /// Its name in models and results (serde's `lowercase`).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Behavior => "behavior",
            RuleKind::Fit => "fit",
        }
    }
}

/// How behaviour points lose value with age.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Decay {
    None,
    /// Worth half after `days`, a quarter after twice that, ...
    HalfLife {
        days: f64,
    },
    /// Loses `percent` of the raw points per whole period elapsed; periods are aligned to the
    /// Unix epoch (UTC days when `period_days` is 1), which keeps state exact and bounded.
    Linear {
        percent: f64,
        period_days: f64,
    },
}

/// Frequency limits of one behaviour rule. All that are set apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cap {
    pub per_session: Option<u32>,
    /// Per UTC day.
    pub per_day: Option<u32>,
    /// Ever (`once` is `total: 1`).
    pub total: Option<u32>,
}

impl Cap {
    pub fn is_none(&self) -> bool {
        self.per_session.is_none() && self.per_day.is_none() && self.total.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub description: Option<String>,
    pub kind: RuleKind,
    pub group: String,
    pub points: f64,
    pub when: Condition,
    pub cap: Cap,
    /// Effective decay (the rule's override, else the model default; always `None` for fit rules
    /// and for negative points: a penalty does not wear off).
    pub decay: Decay,
}

/// Clamp bounds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Bounds {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Bounds {
    pub fn clamp(&self, v: f64) -> f64 {
        let v = self.max.map_or(v, |m| v.min(m));
        self.min.map_or(v, |m| v.max(m))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    pub name: String,
    pub kind: RuleKind,
    pub bounds: Bounds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageSpec {
    pub stage: Stage,
    /// The criteria, the parts of each `all` / `any` cheapest first (evaluation order only:
    /// see `Condition::cheap_first`).
    pub when: Condition,
}

/// Which parts a handoff payload carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Include {
    pub traits: bool,
    pub attribution: bool,
    pub ledger: bool,
    pub history: bool,
    pub stages: bool,
}

impl Include {
    pub const ALL: Include = Include {
        traits: true,
        attribution: true,
        ledger: true,
        history: true,
        stages: true,
    };
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteRule {
    pub when: Condition,
    pub owner: Option<String>,
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    pub rules: Vec<RouteRule>,
    /// Fallback: a stable hash of the visitor picks one of these.
    pub reps: Vec<String>,
    /// Team for the fallback.
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HandoffSpec {
    pub stage: Stage,
    pub endpoint: String,
    pub sla_minutes: u32,
    pub routing: Routing,
    pub include: Include,
    pub retry: RetryPolicy,
}

/// How many recent match times to keep per rule id, for the rules stage criteria count
/// (`matches`), in id order. A list searched by id: it is read only when a stored state meets
/// a new model; a `SortedMap<String, u32>` was ~0.4 KB of wasm for this one use
/// (benches/SIZE.md, step 42).
#[derive(Default, PartialEq)]
pub(crate) struct Rings(pub(crate) Vec<(String, u32)>);

impl Rings {
    /// The ring size of rule `id`, if stage criteria count its matches.
    pub(crate) fn get(&self, id: &str) -> Option<&u32> {
        for (rule, n) in &self.0 {
            if rule == id {
                return Some(n);
            }
        }
        None
    }
}

/// As the map it replaced printed: `{id: n, ...}`.
impl std::fmt::Debug for Rings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for (rule, n) in &self.0 {
            m.entry(rule, n);
        }
        m.finish()
    }
}

/// A validated scoring model. Cheap to clone (shared, immutable): replay creates one engine
/// per visitor and the bindings hand the same model to many engines.
#[derive(Debug, Clone, PartialEq)]
pub struct Model(Arc<ModelData>);

impl Deref for Model {
    type Target = ModelData;
    fn deref(&self) -> &ModelData {
        &self.0
    }
}

/// The validated contents of a [`Model`]; read it through the accessors on `Model`.
#[doc(hidden)]
#[derive(Debug, PartialEq)]
pub struct ModelData {
    pub(crate) id: Option<String>,
    pub(crate) version: String,
    pub(crate) name: Option<String>,
    pub(crate) session_timeout_ms: i64,
    pub(crate) decay: Decay,
    pub(crate) rules: Vec<Rule>,
    pub(crate) groups: Vec<GroupSpec>,
    /// Index into `groups` for each rule (same order as `rules`).
    pub(crate) rule_group: Vec<usize>,
    pub(crate) total_bounds: Bounds,
    /// (grade letter, minimum fit score), best grade first; below the last is "F".
    pub(crate) grades: Vec<(String, f64)>,
    pub(crate) stages: Vec<StageSpec>,
    pub(crate) handoff: Option<HandoffSpec>,
    /// How many recent match times to keep per rule id (what stage criteria can ask for).
    pub(crate) rings: Rings,
    /// `rings` by rule position (same order as `rules`): the hot path reads it without a lookup.
    pub(crate) rule_ring: Vec<usize>,
    /// Rule positions in the order of their ids (byte order, the order of the state's rule map),
    /// so the score walks the visitor's rule states and the model's rules side by side.
    pub(crate) by_id: Vec<usize>,
    pub(crate) visit_ring: u32,
    /// Trait names worth keeping in visitor state (referenced by conditions, or standard CRM fields).
    pub(crate) kept_traits: Vec<String>,
    pub(crate) hash: String,
    /// The document as given, for [`Model::to_value`]. Not in the site snippet's wasm (no
    /// `analytics`): nothing there reads it back, and the copy was ~40 B of wasm.
    #[cfg(any(feature = "analytics", not(target_arch = "wasm32")))]
    pub(crate) source: Value,
}

impl Model {
    /// Parse and validate a model from JSON text. Text that is not JSON is one problem at `$`;
    /// a key given twice in one object is a problem at the key's path (JSON would keep the last
    /// value without a word).
    pub fn from_json(text: &str) -> Result<Model, Error> {
        let (v, repeated) = Model::read_json(text).map_err(|p| Error::InvalidModel(vec![p]))?;
        Model::checked(&v, repeated).map_err(Error::InvalidModel)
    }

    /// Validate a model document; on failure every problem is listed with its JSON path.
    pub fn from_value(v: &Value) -> Result<Model, Error> {
        parse::parse_model(v).map_err(Error::InvalidModel)
    }

    /// Every problem of a model document (empty when valid).
    pub fn problems(v: &Value) -> Vec<Problem> {
        match parse::parse_model(v) {
            Ok(_) => Vec::new(),
            Err(p) => p,
        }
    }

    /// Every problem of a model's JSON text (empty when valid): [`Model::from_json`]'s, as a
    /// list.
    pub fn problems_of_json(text: &str) -> Vec<Problem> {
        match Model::from_json(text) {
            Ok(_) => Vec::new(),
            Err(Error::InvalidModel(p)) => p,
            // `from_json` refuses with `InvalidModel` only.
            Err(other) => vec![Problem::new(check::ROOT, other.to_string())],
        }
    }

    /// A model's JSON text read into a document, with a problem for each key given twice in
    /// one object (the document holds the last value); the text's own syntax error as the one
    /// problem.
    pub(crate) fn read_json(text: &str) -> Result<(Value, Vec<Problem>), Problem> {
        let (v, keys) = crate::json::parse_noting_repeated_keys(text).map_err(|e| {
            let mut m = String::from("not valid JSON: ");
            m.push_str(&e.to_string());
            Problem::new(check::ROOT, m)
        })?;
        let mut repeated = Vec::new();
        for (path, key) in keys {
            let m = check::quoting("duplicate key ", &key, ": give each key once");
            repeated.push(Problem::new(path, m));
        }
        Ok((v, repeated))
    }

    /// `v` validated, `repeated` (from [`Model::read_json`]) listed before its own problems.
    pub(crate) fn checked(v: &Value, repeated: Vec<Problem>) -> Result<Model, Vec<Problem>> {
        match (parse::parse_model(v), repeated.is_empty()) {
            (Ok(model), true) => Ok(model),
            (Ok(_), false) => Err(repeated),
            (Err(problems), _) => {
                let mut all = repeated;
                all.extend(problems);
                // As many as the validator lists (a hostile text repeats keys too).
                all.truncate(crate::json::MAX_REPEATED);
                Err(all)
            }
        }
    }

    /// Content hash (32 hex characters) of the canonical JSON of the document.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The model's own `version` field.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn groups(&self) -> &[GroupSpec] {
        &self.groups
    }

    pub fn stages(&self) -> &[StageSpec] {
        &self.stages
    }

    pub fn handoff(&self) -> Option<&HandoffSpec> {
        self.handoff.as_ref()
    }

    pub fn default_decay(&self) -> Decay {
        self.decay
    }

    pub fn session_timeout_ms(&self) -> i64 {
        self.session_timeout_ms
    }

    pub fn total_bounds(&self) -> Bounds {
        self.total_bounds
    }

    /// The original document (as given, not canonicalised).
    #[cfg(any(feature = "analytics", not(target_arch = "wasm32")))]
    pub fn to_value(&self) -> &Value {
        &self.source
    }

    /// The fit grade for a fit score, when the model defines grades.
    pub fn grade_for(&self, fit: f64) -> Option<String> {
        if self.grades.is_empty() {
            return None;
        }
        Some(
            self.grades
                .iter()
                .find(|(_, min)| fit >= *min)
                .map_or_else(|| "F".to_string(), |(g, _)| g.clone()),
        )
    }
}
