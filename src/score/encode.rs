//! Writes a [`Score`] and an [`Explanation`] as JSON text by hand, the bytes their derived
//! `Serialize` writes (why by hand: [`crate::json::JsonOut`]): every field, in declaration
//! order, camelCase, `None` as `null`. Tests pin the two routes to each other.

use super::{Explanation, FitEntry, GroupSummary, LedgerEntry, RuleSummary, Score};
use crate::json::{JsonOut, WriteJson};
use crate::state::CapHit;

impl WriteJson for Score {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("total").f64(self.total);
        o.key("fit").f64(self.fit);
        o.key("engagement").f64(self.engagement);
        o.key("groups").begin_object();
        for (name, value) in self.groups.iter() {
            o.key(name).f64(*value);
        }
        o.end_object();
        o.key("grade").opt_str(self.grade.as_deref());
        o.key("stage").str(self.stage.as_str());
        o.key("asOf").i64(self.as_of);
        o.end_object();
    }
}

impl WriteJson for LedgerEntry {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("messageId").str(&self.message_id);
        o.key("eventType").str(&self.event_type);
        o.key("label").str(&self.label);
        o.key("timestamp").i64(self.timestamp);
        o.key("ruleId").str(&self.rule_id);
        o.key("group").str(&self.group);
        o.key("rawPoints").f64(self.raw_points);
        o.key("decayFactor").f64(self.decay_factor);
        o.key("countedPoints").f64(self.counted_points);
        o.key("capHit").opt_str(self.cap_hit.map(CapHit::as_str));
        o.key("groupClamped").bool(self.group_clamped);
        o.end_object();
    }
}

impl WriteJson for Explanation {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("asOf").i64(self.as_of);
        o.key("score");
        self.score.write_json(o);
        o.key("entries").array(&self.entries);
        o.key("rules").array(&self.rules);
        o.key("fit").array(&self.fit);
        o.key("groups").array(&self.groups);
        o.key("totalRaw").f64(self.total_raw);
        o.key("totalClamp").opt_str(self.total_clamp.as_deref());
        o.end_object();
    }
}

impl WriteJson for RuleSummary {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("ruleId").str(&self.rule_id);
        o.key("kind").str(self.kind.as_str());
        o.key("group").str(&self.group);
        o.key("matches").u64(self.matches.into());
        o.key("counted").u64(self.counted.into());
        o.key("capped").u64(self.capped.into());
        o.key("points").f64(self.points);
        o.key("earlierPoints").f64(self.earlier_points);
        o.end_object();
    }
}

impl WriteJson for FitEntry {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("ruleId").str(&self.rule_id);
        o.key("group").str(&self.group);
        o.key("points").f64(self.points);
        o.key("matched").bool(self.matched);
        o.end_object();
    }
}

impl WriteJson for GroupSummary {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("group").str(&self.group);
        o.key("kind").str(self.kind.as_str());
        o.key("raw").f64(self.raw);
        o.key("value").f64(self.value);
        o.key("clamp").opt_str(self.clamp.as_deref());
        o.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::text_of;
    use crate::model::RuleKind;
    use crate::sorted_map::SortedMap;
    use crate::stage::{Stage, StageEntry};
    use proptest::prelude::*;

    /// The shapes JS receives, pinned.
    #[test]
    fn worked_examples() {
        let mut groups = SortedMap::new();
        groups.insert("intent".to_string(), 12.5);
        groups.insert("engagement".to_string(), -0.0);
        let score = Score {
            total: 42.0,
            fit: 1e-7,
            engagement: 12.25,
            groups,
            grade: Some("A".into()),
            stage: Stage::Mql,
            as_of: 1_794_009_600_000,
        };
        let score_text = concat!(
            r#"{"total":42.0,"fit":1e-7,"engagement":12.25,"#,
            r#""groups":{"engagement":-0.0,"intent":12.5},"grade":"A","stage":"mql","asOf":1794009600000}"#
        );
        assert_eq!(text_of(&score), score_text);
        assert_eq!(serde_json::to_string(&score).unwrap(), score_text);

        let explanation = Explanation {
            as_of: 5,
            score: Score {
                grade: None,
                groups: SortedMap::new(),
                ..score
            },
            entries: vec![LedgerEntry {
                message_id: "m".into(),
                event_type: "page".into(),
                label: "/".into(),
                timestamp: 4,
                rule_id: "view".into(),
                group: "engagement".into(),
                raw_points: 2.0,
                decay_factor: 0.5,
                counted_points: 1.0,
                cap_hit: Some(CapHit::PerSession),
                group_clamped: true,
            }],
            rules: vec![RuleSummary {
                rule_id: "view".into(),
                kind: RuleKind::Behavior,
                group: "engagement".into(),
                matches: 3,
                counted: 2,
                capped: 1,
                points: 1.0,
                earlier_points: 0.0,
            }],
            fit: vec![FitEntry {
                rule_id: "vp".into(),
                group: "fit".into(),
                points: 15.0,
                matched: false,
            }],
            groups: vec![GroupSummary {
                group: "fit".into(),
                kind: RuleKind::Fit,
                raw: f64::NAN,
                value: 0.0,
                clamp: Some("max".into()),
            }],
            total_raw: 1.0,
            total_clamp: None,
        };
        let text = concat!(
            r#"{"asOf":5,"score":{"total":42.0,"fit":1e-7,"engagement":12.25,"groups":{},"#,
            r#""grade":null,"stage":"mql","asOf":1794009600000},"#,
            r#""entries":[{"messageId":"m","eventType":"page","label":"/","timestamp":4,"#,
            r#""ruleId":"view","group":"engagement","rawPoints":2.0,"decayFactor":0.5,"#,
            r#""countedPoints":1.0,"capHit":"perSession","groupClamped":true}],"#,
            r#""rules":[{"ruleId":"view","kind":"behavior","group":"engagement","matches":3,"#,
            r#""counted":2,"capped":1,"points":1.0,"earlierPoints":0.0}],"#,
            r#""fit":[{"ruleId":"vp","group":"fit","points":15.0,"matched":false}],"#,
            r#""groups":[{"group":"fit","kind":"fit","raw":null,"value":0.0,"clamp":"max"}],"#,
            r#""totalRaw":1.0,"totalClamp":null}"#
        );
        assert_eq!(text_of(&explanation), text);
        assert_eq!(serde_json::to_string(&explanation).unwrap(), text);

        let entry = StageEntry {
            stage: Stage::Known,
            at: -1,
        };
        assert_eq!(text_of(&entry), r#"{"stage":"known","at":-1}"#);
        assert_eq!(serde_json::to_string(&entry).unwrap(), text_of(&entry));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The hand-written bytes are the derive's, for any score, explanation, stage entry.
        #[test]
        fn writes_what_the_derive_writes(
            score in crate::arb::score(),
            explanation in crate::arb::explanation(),
            entry in crate::arb::stage_entry(),
        ) {
            prop_assert_eq!(text_of(&score), serde_json::to_string(&score).unwrap());
            prop_assert_eq!(
                text_of(&explanation),
                serde_json::to_string(&explanation).unwrap()
            );
            prop_assert_eq!(text_of(&entry), serde_json::to_string(&entry).unwrap());
        }
    }
}
