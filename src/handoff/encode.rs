//! Writes a [`Handoff`] as JSON text by hand, the bytes its derived `Serialize` writes (why by
//! hand: [`crate::json::JsonOut`]): every field in declaration order, camelCase, `None` as
//! `null`. Tests pin the two routes to each other; the receiver's schema is
//! `tests/fixtures/schema/handoff.schema.json`.

use super::{Assignment, Handoff, HistoryItem, ModelRef, ScoreParts};
use crate::json::{JsonOut, WriteJson};

impl WriteJson for Handoff {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("format").str(&self.format);
        o.key("handoffId").str(&self.handoff_id);
        o.key("visitorId").str(&self.visitor_id);
        o.key("anonymousId").opt_str(self.anonymous_id.as_deref());
        o.key("userId").opt_str(self.user_id.as_deref());
        o.key("stage").str(self.stage.as_str());
        o.key("enteredAt").i64(self.entered_at);
        o.key("createdAt").i64(self.created_at);
        o.key("followUpBy").i64(self.follow_up_by);
        o.key("slaMinutes").u64(self.sla_minutes.into());
        o.key("traits").map(&self.traits);
        o.key("company").map(&self.company);
        // Over a slice, not an array by value: no array iterator for this pair in the wasm.
        for &(key, touch) in &[
            ("firstTouch", &self.first_touch),
            ("lastTouch", &self.last_touch),
        ] {
            o.key(key);
            match touch {
                Some(t) => t.write_json(o),
                None => {
                    o.null();
                }
            }
        }
        o.key("score");
        self.score.write_json(o);
        o.key("ledger").array(&self.ledger);
        o.key("explanation");
        self.explanation.write_json(o);
        o.key("history").array(&self.history);
        o.key("stages").array(&self.stages);
        o.key("routing");
        self.routing.write_json(o);
        o.key("model");
        self.model.write_json(o);
        o.key("endpoint").str(&self.endpoint);
        o.end_object();
    }
}

impl WriteJson for ScoreParts {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("rules").array(&self.rules);
        o.key("fit").array(&self.fit);
        o.key("groups").array(&self.groups);
        o.key("totalRaw").f64(self.total_raw);
        o.key("totalClamp").opt_str(self.total_clamp.as_deref());
        o.key("otherPoints").f64(self.other_points);
        o.end_object();
    }
}

impl WriteJson for HistoryItem {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("at").i64(self.at);
        o.key("type").str(&self.kind);
        o.key("label").str(&self.label);
        o.end_object();
    }
}

impl WriteJson for Assignment {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("owner").opt_str(self.owner.as_deref());
        o.key("team").opt_str(self.team.as_deref());
        o.key("matched").str(&self.matched);
        o.end_object();
    }
}

impl WriteJson for ModelRef {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("id").opt_str(self.id.as_deref());
        o.key("version").str(&self.version);
        o.key("hash").str(&self.hash);
        o.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arb::{self, opt_text, text};
    use crate::json::{json, Map};
    use crate::model::RuleKind;
    use crate::score::{GroupSummary, RuleSummary, Score};
    use crate::sorted_map::SortedMap;
    use crate::stage::{Stage, StageEntry};
    use crate::state::Touch;
    use proptest::prelude::*;

    fn handoff() -> impl Strategy<Value = Handoff> {
        let ids = (text(), text(), text(), opt_text(), opt_text(), arb::stage());
        let times = (any::<i64>(), any::<i64>(), any::<i64>(), any::<u32>());
        let people = (
            arb::map(),
            arb::map(),
            prop::option::of(arb::touch()),
            prop::option::of(arb::touch()),
        );
        let parts = (
            prop::collection::vec(arb::rule_summary(), 0..3),
            prop::collection::vec(arb::fit_entry(), 0..3),
            prop::collection::vec(arb::group_summary(), 0..3),
            (
                crate::json::arb::arb_any_f64(),
                opt_text(),
                crate::json::arb::arb_any_f64(),
            ),
        )
            .prop_map(
                |(rules, fit, groups, (total_raw, total_clamp, other_points))| ScoreParts {
                    rules,
                    fit,
                    groups,
                    total_raw,
                    total_clamp,
                    other_points,
                },
            );
        let record = (
            (arb::score(), parts),
            prop::collection::vec(arb::ledger_entry(), 0..3),
            prop::collection::vec(
                (any::<i64>(), text(), text()).prop_map(|(at, kind, label)| HistoryItem {
                    at,
                    kind,
                    label,
                }),
                0..3,
            ),
            prop::collection::vec(arb::stage_entry(), 0..3),
        );
        let ends = (
            (opt_text(), opt_text(), text()).prop_map(|(owner, team, matched)| Assignment {
                owner,
                team,
                matched,
            }),
            (opt_text(), text(), text()).prop_map(|(id, version, hash)| ModelRef {
                id,
                version,
                hash,
            }),
            text(),
        );
        (ids, times, people, record, ends).prop_map(
            |(
                (format, handoff_id, visitor_id, anonymous_id, user_id, stage),
                (entered_at, created_at, follow_up_by, sla_minutes),
                (traits, company, first_touch, last_touch),
                ((score, explanation), ledger, history, stages),
                (routing, model, endpoint),
            )| Handoff {
                format,
                handoff_id,
                visitor_id,
                anonymous_id,
                user_id,
                stage,
                entered_at,
                created_at,
                follow_up_by,
                sla_minutes,
                traits,
                company,
                first_touch,
                last_touch,
                score,
                ledger,
                explanation,
                history,
                stages,
                routing,
                model,
                endpoint,
            },
        )
    }

    /// The payload receivers get, pinned (every `None` as `null`, empty lists kept).
    #[test]
    fn worked_example() {
        let handoff = Handoff {
            format: "baton.handoff/1".into(),
            handoff_id: "h1".into(),
            visitor_id: "u1".into(),
            anonymous_id: None,
            user_id: Some("u1".into()),
            stage: Stage::Mql,
            entered_at: 10,
            created_at: 11,
            follow_up_by: 70,
            sla_minutes: 1,
            traits: json!({"email": "a@b.example"}).as_object().unwrap().clone(),
            company: Map::new(),
            first_touch: Some(Touch {
                at: 1,
                referrer: Some("https://r.example/".into()),
                ..Touch::default()
            }),
            last_touch: None,
            score: Score {
                total: 30.0,
                fit: 0.0,
                engagement: 30.0,
                groups: SortedMap::new(),
                grade: None,
                stage: Stage::Mql,
                as_of: 11,
            },
            ledger: Vec::new(),
            explanation: ScoreParts {
                rules: vec![RuleSummary {
                    rule_id: "view".into(),
                    kind: RuleKind::Behavior,
                    group: "engagement".into(),
                    matches: 4,
                    counted: 3,
                    capped: 1,
                    points: 30.0,
                    earlier_points: 30.0,
                }],
                fit: Vec::new(),
                groups: vec![GroupSummary {
                    group: "engagement".into(),
                    kind: RuleKind::Behavior,
                    raw: 30.0,
                    value: 30.0,
                    clamp: None,
                }],
                total_raw: 30.0,
                total_clamp: None,
                other_points: 0.0,
            },
            history: vec![HistoryItem {
                at: 2,
                kind: "page".into(),
                label: "/pricing".into(),
            }],
            stages: vec![StageEntry {
                stage: Stage::Mql,
                at: 10,
            }],
            routing: Assignment {
                owner: Some("a".into()),
                team: None,
                matched: "fallback".into(),
            },
            model: ModelRef {
                id: None,
                version: "1".into(),
                hash: "ff".into(),
            },
            endpoint: "/h".into(),
        };
        let text = concat!(
            r#"{"format":"baton.handoff/1","handoffId":"h1","visitorId":"u1","anonymousId":null,"#,
            r#""userId":"u1","stage":"mql","enteredAt":10,"createdAt":11,"followUpBy":70,"#,
            r#""slaMinutes":1,"traits":{"email":"a@b.example"},"company":{},"#,
            r#""firstTouch":{"at":1,"referrer":"https://r.example/"},"lastTouch":null,"#,
            r#""score":{"total":30.0,"fit":0.0,"engagement":30.0,"groups":{},"grade":null,"#,
            r#""stage":"mql","asOf":11},"ledger":[],"explanation":{"rules":[{"ruleId":"view","#,
            r#""kind":"behavior","group":"engagement","matches":4,"counted":3,"capped":1,"#,
            r#""points":30.0,"earlierPoints":30.0}],"fit":[],"groups":[{"group":"engagement","#,
            r#""kind":"behavior","raw":30.0,"value":30.0,"clamp":null}],"totalRaw":30.0,"#,
            r#""totalClamp":null,"otherPoints":0.0},"#,
            r#""history":[{"at":2,"type":"page","label":"/pricing"}],"#,
            r#""stages":[{"stage":"mql","at":10}],"#,
            r#""routing":{"owner":"a","team":null,"matched":"fallback"},"#,
            r#""model":{"id":null,"version":"1","hash":"ff"},"endpoint":"/h"}"#
        );
        assert_eq!(handoff.to_json(), text);
        assert_eq!(serde_json::to_string(&handoff).unwrap(), text);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The hand-written bytes are the derive's, for any payload.
        #[test]
        fn writes_what_the_derive_writes(handoff in handoff()) {
            let text = handoff.to_json();
            prop_assert_eq!(&text, &serde_json::to_string(&handoff).unwrap());
        }
    }
}
