//! The learned points as a model fragment: fit rules over traits, one per bin that earns points,
//! in the model's own rule shape, so the dashboard can show them as a diff against the current
//! model and apply them as a new version.
//!
//! A bin becomes a `when` on the trait named like the column:
//! `{"trait": "job", "in": ["student"]}`, `{"trait": "age", "gt": 30, "lte": 40}`,
//! `{"trait": "pdays", "exists": false}`, and for pooled values
//! `{"all": [{"trait": "job", "exists": true}, {"not": {"trait": "job", "in": [<kept values>]}}]}`.
//! Bins with 0 points (each column's lowest) get no rule. The constant `basePoints` is not a rule:
//! it is the same for everyone, so a stage threshold on the rules' group is `threshold − base`.

use crate::json::{json, Map, Value};
use serde::{Deserialize, Serialize};

use super::features::{BinRule, FeatureBins};
use super::scorecard::Scorecard;

/// Prefix of every generated rule id; applying a fragment replaces the rules with this prefix.
pub const RULE_PREFIX: &str = "calibrated.";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelFragment {
    /// Fit rules in the model's rule shape (`id`, `kind`, `group`, `points`, `when`,
    /// `description`).
    pub rules: Vec<Value>,
    /// The group the rules add to.
    pub group: String,
    /// Constant points every lead has on the learned scale (not expressed as a rule).
    pub base_points: i64,
    /// The suggested stage criterion on the group (`{"score": group, "gte": threshold − base}`),
    /// when a threshold was suggested.
    pub stage_criterion: Option<Value>,
}

/// `Job Title` → `job-title`: rule ids stay readable and free of spaces.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// Numbers that are whole stay integers in the JSON.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// The condition for one bin of a column's bins.
pub fn bin_condition(feature: &FeatureBins, bin: &BinRule) -> Value {
    let name = &feature.column;
    match bin {
        BinRule::In { values } => json!({ "trait": name, "in": values }),
        BinRule::Other { .. } => {
            let kept: Vec<&String> = feature
                .bins
                .iter()
                .filter_map(|b| match b {
                    BinRule::In { values } => Some(values),
                    _ => None,
                })
                .flatten()
                .collect();
            json!({ "all": [
                { "trait": name, "exists": true },
                { "not": { "trait": name, "in": kept } }
            ]})
        }
        BinRule::Range { lower, upper } => {
            let mut leaf = Map::new();
            leaf.insert("trait".into(), json!(name));
            if let Some(l) = lower {
                leaf.insert("gt".into(), number(*l));
            }
            if let Some(u) = upper {
                leaf.insert("lte".into(), number(*u));
            }
            Value::Object(leaf)
        }
        BinRule::Missing => json!({ "trait": name, "exists": false }),
    }
}

/// A short human label for a bin (`student`, `other (3 values)`, `30 < x ≤ 40`, `missing`).
pub fn bin_label(bin: &BinRule) -> String {
    match bin {
        BinRule::In { values } => values.join(", "),
        BinRule::Other { count, .. } => format!("other ({count} rare values)"),
        BinRule::Range {
            lower: None,
            upper: Some(u),
        } => format!("≤ {u}"),
        BinRule::Range {
            lower: Some(l),
            upper: None,
        } => format!("> {l}"),
        BinRule::Range {
            lower: Some(l),
            upper: Some(u),
        } => format!("{l} < x ≤ {u}"),
        BinRule::Range {
            lower: None,
            upper: None,
        } => "any".to_string(),
        BinRule::Missing => "missing".to_string(),
    }
}

pub fn build(
    features: &[FeatureBins],
    card: &Scorecard,
    group: &str,
    threshold: Option<i64>,
) -> ModelFragment {
    let mut rules = Vec::new();
    for f in features {
        let column = slug(&f.column);
        for (i, bin) in f.bins.iter().enumerate() {
            let points = card.points[f.offset + i];
            if points == 0 {
                continue;
            }
            let bin_id = match bin {
                BinRule::In { values } => slug(&values.join("-")),
                BinRule::Other { .. } => "other".to_string(),
                BinRule::Missing => "missing".to_string(),
                BinRule::Range { .. } => format!("bin{}", i + 1),
            };
            rules.push(json!({
                "id": format!("{RULE_PREFIX}{column}.{bin_id}"),
                "kind": "fit",
                "group": group,
                "points": points,
                "description": format!("{}: {}", f.column, bin_label(bin)),
                "when": bin_condition(f, bin),
            }));
        }
    }
    ModelFragment {
        rules,
        group: group.to_string(),
        base_points: card.base_points,
        stage_criterion: threshold.map(|t| json!({ "score": group, "gte": t - card.base_points })),
    }
}

/// One rule's change between the current model and the model with the fragment applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleChange {
    pub id: String,
    /// Points before (`None`: the rule is new).
    pub before: Option<Value>,
    /// Points after (`None`: the rule is removed).
    pub after: Option<Value>,
    /// `true` when the rule's condition changed.
    pub when_changed: bool,
}

/// The model with the fragment applied: earlier calibrated rules (ids starting with
/// [`RULE_PREFIX`]) are replaced by the fragment's rules, every other rule is kept, and the
/// changes are listed for review. The result still has to pass model validation.
pub fn apply(model: &Value, fragment: &ModelFragment) -> (Value, Vec<RuleChange>) {
    let mut out = model.clone();
    let old_rules: Vec<Value> = model
        .get("rules")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let id_of = |r: &Value| r.get("id").and_then(Value::as_str).map(str::to_string);
    let calibrated = |r: &Value| id_of(r).is_some_and(|id| id.starts_with(RULE_PREFIX));
    let mut changes = Vec::new();
    for old in old_rules.iter().filter(|r| calibrated(r)) {
        let id = id_of(old).unwrap_or_default();
        match fragment
            .rules
            .iter()
            .find(|n| id_of(n).as_deref() == Some(id.as_str()))
        {
            Some(new)
                if new.get("points") == old.get("points") && new.get("when") == old.get("when") => {
            }
            Some(new) => changes.push(RuleChange {
                id,
                before: old.get("points").cloned(),
                after: new.get("points").cloned(),
                when_changed: new.get("when") != old.get("when"),
            }),
            None => changes.push(RuleChange {
                id,
                before: old.get("points").cloned(),
                after: None,
                when_changed: false,
            }),
        }
    }
    for new in &fragment.rules {
        let id = id_of(new).unwrap_or_default();
        if !old_rules
            .iter()
            .any(|o| id_of(o).as_deref() == Some(id.as_str()))
        {
            changes.push(RuleChange {
                id,
                before: None,
                after: new.get("points").cloned(),
                when_changed: true,
            });
        }
    }
    let mut rules: Vec<Value> = old_rules.into_iter().filter(|r| !calibrated(r)).collect();
    rules.extend(fragment.rules.iter().cloned());
    if let Value::Object(map) = &mut out {
        map.insert("rules".into(), Value::Array(rules));
    }
    (out, changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::dataset::{Column, ColumnData};
    use crate::calibrate::features::{learn_bins, BinningOptions};
    use crate::calibrate::scorecard::Scale;

    fn job_bins() -> FeatureBins {
        let levels: Vec<String> = ["admin.", "student", "rare job"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut codes = vec![Some(0); 3];
        codes.extend([Some(1), Some(1), Some(2), None]);
        let col = Column {
            name: "Job Title".into(),
            data: ColumnData::Categorical { levels, codes },
        };
        let opts = BinningOptions {
            max_bins: 10,
            min_share: 0.0,
            min_count: 2,
        };
        learn_bins(&col, &(0..7).collect::<Vec<_>>(), &[false; 7], 0, &opts).unwrap()
    }

    #[test]
    fn bins_become_trait_conditions() {
        let f = job_bins();
        assert_eq!(
            bin_condition(&f, &f.bins[1]),
            json!({"trait": "Job Title", "in": ["student"]})
        );
        assert_eq!(
            bin_condition(&f, &f.bins[2]),
            json!({"all": [{"trait": "Job Title", "exists": true},
                           {"not": {"trait": "Job Title", "in": ["admin.", "student"]}}]})
        );
        assert_eq!(
            bin_condition(&f, &f.bins[3]),
            json!({"trait": "Job Title", "exists": false})
        );
        let range = BinRule::Range {
            lower: Some(30.0),
            upper: Some(40.5),
        };
        assert_eq!(
            bin_condition(&f, &range),
            json!({"trait": "Job Title", "gt": 30, "lte": 40.5})
        );
        assert_eq!(bin_label(&range), "30 < x ≤ 40.5");
    }

    #[test]
    fn fragment_rules_skip_zero_points_and_apply_as_a_diff() {
        let f = job_bins();
        let card = Scorecard {
            scale: Scale::default(),
            base_points: -7,
            points: vec![0, 12, 3, 5],
        };
        let fragment = build(&[f], &card, "fit", Some(20));
        let ids: Vec<&str> = fragment
            .rules
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "calibrated.job-title.student",
                "calibrated.job-title.other",
                "calibrated.job-title.missing"
            ]
        );
        assert_eq!(fragment.rules[0]["points"], json!(12));
        assert_eq!(fragment.rules[0]["kind"], json!("fit"));
        assert_eq!(
            fragment.stage_criterion,
            Some(json!({"score": "fit", "gte": 27}))
        );

        let model = json!({"version": "3", "rules": [
            {"id": "pricing", "kind": "behavior", "points": 5},
            {"id": "calibrated.job-title.student", "kind": "fit", "points": 10,
             "when": {"trait": "Job Title", "in": ["student"]}},
            {"id": "calibrated.age.bin1", "kind": "fit", "points": 4}
        ]});
        let (applied, changes) = apply(&model, &fragment);
        let ids: Vec<&str> = applied["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids[0], "pricing");
        assert_eq!(ids.len(), 4);
        assert_eq!(applied["version"], json!("3"));
        let summary: Vec<(&str, Option<&Value>, Option<&Value>)> = changes
            .iter()
            .map(|c| (c.id.as_str(), c.before.as_ref(), c.after.as_ref()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "calibrated.job-title.student",
                    Some(&json!(10)),
                    Some(&json!(12))
                ),
                ("calibrated.age.bin1", Some(&json!(4)), None),
                ("calibrated.job-title.other", None, Some(&json!(3))),
                ("calibrated.job-title.missing", None, Some(&json!(5))),
            ]
        );
        assert!(!changes[0].when_changed);
    }

    #[test]
    fn applied_fragment_is_a_valid_model() {
        // Every condition shape the fragment emits, applied to the demo model, must pass the
        // engine's own model validation.
        let f = job_bins();
        let card = Scorecard {
            scale: Scale::default(),
            base_points: -7,
            points: vec![0, 12, 3, 5],
        };
        let mut fragment = build(std::slice::from_ref(&f), &card, "calibrated", Some(20));
        let mut age = f;
        age.column = "age".into();
        for (i, bin) in [
            BinRule::Range {
                lower: None,
                upper: Some(29.0),
            },
            BinRule::Range {
                lower: Some(29.0),
                upper: Some(40.5),
            },
            BinRule::Range {
                lower: Some(40.5),
                upper: None,
            },
        ]
        .iter()
        .enumerate()
        {
            fragment.rules.push(json!({
                "id": format!("{RULE_PREFIX}age.bin{}", i + 1),
                "kind": "fit",
                "group": "calibrated",
                "points": 4,
                "description": bin_label(bin),
                "when": bin_condition(&age, bin),
            }));
        }
        let demo: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/models/demo.model.json"))
                .unwrap();
        let (applied, changes) = apply(&demo, &fragment);
        assert_eq!(changes.len(), 6);
        let problems = crate::model::Model::problems(&applied);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Job Title"), "job-title");
        assert_eq!(slug("admin."), "admin");
        assert_eq!(slug("--"), "x");
    }
}
