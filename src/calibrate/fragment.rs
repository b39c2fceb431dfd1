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
    /// The most the rules add together: every column's best bin (the group's score for the best
    /// possible lead). Checked against the model's total limit when applied.
    #[serde(default)]
    pub max_points: i64,
}

/// `Job Title` → `job-title`: rule ids stay readable and within the model's id alphabet (ASCII
/// letters and digits, `-`); anything else (`.`, spaces, `é`, `<`) becomes one `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
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

/// Longest column part and bin part of an id: `calibrated.` (11) + 24 + `.` + 28 = 64, the
/// model's limit on rule ids.
const COLUMN_ID_LEN: usize = 24;
const BIN_ID_LEN: usize = 28;

/// `slug` cut to `max` characters (ASCII, so bytes) without a trailing `-`.
fn cut(slug: &str, max: usize) -> &str {
    slug[..slug.len().min(max)].trim_end_matches('-')
}

/// `candidate` (a slug) made unique among `used` and at most `max` long: cut to fit, and on a
/// collision a `-2`, `-3`, … suffix (`admin.` and `admin` are `admin` and `admin-2`; a category
/// `other` and the pooled rare values are `other` and `other-2`). Records the result in `used`.
fn unique(candidate: &str, max: usize, used: &mut std::collections::BTreeSet<String>) -> String {
    let base = match cut(candidate, max) {
        "" => "x",
        b => b,
    };
    let mut id = base.to_string();
    let mut n = 1usize;
    while used.contains(&id) {
        n += 1;
        let suffix = format!("-{n}");
        let stem = match cut(base, max - suffix.len()) {
            "" => "x",
            s => s,
        };
        id = format!("{stem}{suffix}");
    }
    used.insert(id.clone());
    id
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
    // Ids are unique by construction: column parts among columns, bin parts within a column
    // (a pooled bin is named after the categories it is not, so a real `other` may exist).
    let mut columns = std::collections::BTreeSet::new();
    for f in features {
        let column = unique(&slug(&f.column), COLUMN_ID_LEN, &mut columns);
        let mut bins = std::collections::BTreeSet::new();
        for (i, bin) in f.bins.iter().enumerate() {
            let candidate = match bin {
                BinRule::In { values } => slug(&values.join("-")),
                BinRule::Other { .. } => "other".to_string(),
                BinRule::Missing => "missing".to_string(),
                BinRule::Range { .. } => format!("bin{}", i + 1),
            };
            // Every bin takes its name, with or without points, so a bin's id does not depend
            // on whether an earlier bin earned points.
            let bin_id = unique(&candidate, BIN_ID_LEN, &mut bins);
            let points = card.points[f.offset + i];
            if points == 0 {
                continue;
            }
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
        max_points: card.max_points(features),
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

/// What applying the fragment does to the model's scores that the rule diff does not show: the
/// learned points reaching past the model's total limit (`limits.total`), where every lead
/// above it reads the same clamped score and sorting, histogram and grades stop ranking them.
pub fn warnings(model: &Value, fragment: &ModelFragment) -> Vec<String> {
    let total = model.get("limits").and_then(|l| l.get("total"));
    let bound = |k: &str| total.and_then(|t| t.get(k)).and_then(Value::as_f64);
    let mut out = Vec::new();
    if let Some(max) = bound("max") {
        let floor = bound("min").unwrap_or(0.0).max(0.0);
        let room = max - floor;
        if fragment.max_points as f64 > room {
            out.push(format!(
                "the learned points add up to {} for the best leads, more than the {} the model's total allows \
                 (limits.total {} to {}): leads above it all score {}, so their scores stop ranking them; \
                 learn again with the points fitted to the model's range (pointsRange {}) or raise limits.total.max",
                fragment.max_points,
                number(room),
                number(floor),
                number(max),
                number(max),
                number(room),
            ));
        }
    }
    out
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
        // The model's id alphabet is ASCII: `é` is not a letter there.
        assert_eq!(slug("Café Owner"), "caf-owner");
    }

    /// A categorical column with these levels, every level its own bin (plus the pooled bin and
    /// missing when asked), and a card giving every bin points.
    fn categorical(column: &str, levels: &[&str], pooled: bool) -> FeatureBins {
        let mut bins: Vec<BinRule> = levels
            .iter()
            .map(|l| BinRule::In {
                values: vec![l.to_string()],
            })
            .collect();
        if pooled {
            bins.push(BinRule::Other {
                count: 1,
                values: vec!["success".into()],
            });
        }
        bins.push(BinRule::Missing);
        FeatureBins::for_test(column, bins)
    }

    fn fragment_of(features: &mut [FeatureBins]) -> ModelFragment {
        let mut offset = 0;
        for f in features.iter_mut() {
            f.offset = offset;
            offset += f.len();
        }
        let card = Scorecard {
            scale: Scale::default(),
            base_points: -30,
            points: (0..offset as i64).map(|i| i % 7 + 1).collect(),
        };
        build(features, &card, "calibrated", Some(40))
    }

    fn ids(fragment: &ModelFragment) -> Vec<String> {
        fragment
            .rules
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn colliding_categories_get_unique_ids_and_the_model_validates() {
        // The bank table: `poutcome` has a real `other` and a pooled rare `success`; `job` has
        // `admin.` beside an `admin`; two columns slug alike.
        let mut features = vec![
            categorical("poutcome", &["failure", "other", "unknown"], true),
            categorical("job", &["admin.", "admin", "blue-collar"], false),
            categorical("Job", &["x"], false),
        ];
        let fragment = fragment_of(&mut features);
        assert_eq!(
            ids(&fragment),
            [
                "calibrated.poutcome.failure",
                "calibrated.poutcome.other",
                "calibrated.poutcome.unknown",
                "calibrated.poutcome.other-2",
                "calibrated.poutcome.missing",
                "calibrated.job.admin",
                "calibrated.job.admin-2",
                "calibrated.job.blue-collar",
                "calibrated.job.missing",
                "calibrated.job-2.x",
                "calibrated.job-2.missing",
            ]
        );
        // The pooled bin's rule is the pooled condition, whatever its id.
        assert_eq!(
            fragment.rules[3]["description"],
            json!("poutcome: other (1 rare values)")
        );
        let demo: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/models/demo.model.json"))
                .unwrap();
        let (applied, _) = apply(&demo, &fragment);
        let problems = crate::model::Model::problems(&applied);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn long_values_are_cut_to_the_id_limit_and_stay_unique() {
        let long = "a".repeat(80);
        let mut features = vec![
            categorical(&"c".repeat(40), &[&long, &format!("{long}b"), "ä"], false),
            categorical(&format!("{}d", "c".repeat(40)), &["ö", "ü"], false),
        ];
        let fragment = fragment_of(&mut features);
        let ids = ids(&fragment);
        assert_eq!(ids[0].len(), 64, "{}", ids[0]);
        assert!(ids[1].ends_with("-2") && ids[1].len() <= 64, "{}", ids[1]);
        assert_eq!(ids[2], format!("calibrated.{}.x", "c".repeat(24)));
        assert_eq!(ids[4], format!("calibrated.{}-2.x", "c".repeat(22)));
        assert_eq!(ids[5], format!("calibrated.{}-2.x-2", "c".repeat(22)));
    }

    #[test]
    fn warns_when_the_learned_points_pass_the_total_limit() {
        let mut features = vec![categorical("job", &["a", "b"], false)];
        let mut fragment = fragment_of(&mut features);
        assert_eq!(fragment.max_points, 3);
        let model = json!({"limits": {"total": {"min": 0, "max": 100}}, "rules": []});
        assert!(warnings(&model, &fragment).is_empty());
        fragment.max_points = 163;
        assert_eq!(
            warnings(&model, &fragment),
            ["the learned points add up to 163 for the best leads, more than the 100 the model's total \
              allows (limits.total 0 to 100): leads above it all score 100, so their scores stop ranking \
              them; learn again with the points fitted to the model's range (pointsRange 100) or raise \
              limits.total.max"]
        );
        // No total limit: nothing to pass.
        assert!(warnings(&json!({"rules": []}), &fragment).is_empty());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn text() -> impl Strategy<Value = String> {
            // Short strings from a small alphabet collide often; the rest reach the id limit.
            prop_oneof![
                "[aA. _-]{0,4}",
                "[a-z0-9 .éß<>/\\-]{0,90}",
                proptest::collection::vec(any::<char>(), 0..12)
                    .prop_map(|c| c.into_iter().collect::<String>()),
            ]
        }

        /// Column names: never empty (a CSV header cell or a row key names the trait).
        fn column() -> impl Strategy<Value = String> {
            prop_oneof!["[aA][aA. _-]{0,3}", "[a-zé][a-z0-9 .é<>/-]{0,60}"]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn generated_ids_are_unique_and_valid(
                columns in proptest::collection::vec(
                    (column(), proptest::collection::vec(text(), 1..6), any::<bool>()), 1..5),
            ) {
                let mut features: Vec<FeatureBins> = columns
                    .iter()
                    .map(|(c, levels, pooled)| {
                        let levels: Vec<&str> = levels.iter().map(String::as_str).collect();
                        categorical(c, &levels, *pooled)
                    })
                    .collect();
                let fragment = fragment_of(&mut features);
                let ids = ids(&fragment);
                let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
                prop_assert_eq!(distinct.len(), ids.len(), "{:?}", ids);
                for id in &ids {
                    prop_assert!(id.len() <= 64 && id.starts_with(RULE_PREFIX), "{}", id);
                    prop_assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.')), "{}", id);
                }
                let (applied, _) = apply(&json!({"version": "1", "rules": []}), &fragment);
                let problems = crate::model::Model::problems(&applied);
                prop_assert!(problems.is_empty(), "{:?}", problems);
            }
        }
    }
}
