//! Reads a [`VisitorState`] from its JSON tree by hand (why, and what it accepts: [`crate::tree`]).

use super::{
    Acc, CapHit, HistoryRecord, LedgerRecord, RuleState, Touch, VisitWindow, VisitorState,
};
use crate::event::Campaign;
use crate::json::Value;
use crate::sorted_map::SortedMap;
use crate::stage::{Stage, StageEntry};
use crate::text::quote::quoted;
use crate::tree::{present, Field, Read, Reader};

fn stage(r: &mut Reader<'_>, f: Field<'_>, key: &str) -> Stage {
    r.unit(f, key, &Stage::NAMES)
        .map_or(Stage::default(), |i| Stage::ALL[i])
}

/// A ledger record's `Option<CapHit>`.
fn cap_hit(r: &mut Reader<'_>, f: Field<'_>) -> Option<CapHit> {
    let index = r.unit(present(f), "cap", &CapHit::NAMES)?;
    Some(CapHit::ALL[index])
}

/// A rule state's accumulator (field `a`).
fn acc(r: &mut Reader<'_>, f: Field<'_>) -> Acc {
    match r.variant(f, "a") {
        None => Acc::default(),
        Some(("s", Some(c))) => Acc::Sum(r.f64(Some(c), "a")),
        Some(("h", Some(c))) => {
            let [points, at] = r.tuple(Some(c), "a");
            Acc::Half(r.f64(points, "a"), r.i64(at, "a"))
        }
        Some(("l", Some(c))) => Acc::Lin(r.list(Some(c), "a", |r, bucket| {
            let [at, points] = r.tuple(Some(bucket), "");
            (r.i64(at, ""), r.f64(points, ""))
        })),
        Some((name, _)) => {
            r.fail("a", &[&format!("not an accumulator: {}", quoted(name))]);
            Acc::default()
        }
    }
}

/// A rule state; `counts`: in the form of versions 1 and 2, which kept the counts of the rule's
/// latest day (`d`, `dc`) and visit (`s`, `sc`) only. Read as version 3 keeps them, with the
/// days before `d` no longer known; the visit number is the visit's id.
fn rule_state(r: &mut Reader<'_>, v: &Value, counts: bool) -> RuleState {
    if counts {
        let [m, c, s, sc, d, dc, a, w] = r.fields(
            Some(v),
            "",
            &["m", "c", "s", "sc", "d", "dc", "a", "w"],
            "rule state",
        );
        let matches = r.u32(m, "m");
        let counted = r.u32(c, "c");
        let session = r.u32(s, "s");
        let session_count = r.u32(sc, "sc");
        let day = r.i64(d, "d");
        let day_count = r.u32(dc, "dc");
        return RuleState {
            matches,
            counted,
            days: counted_pair(day, day_count),
            days_from: day,
            visits: counted_pair(session, session_count),
            acc: acc(r, a),
            ring: r.list(w, "w", |r, v| r.i64(Some(v), "")),
        };
    }
    let [m, c, dw, df, sw, a, w] = r.fields(
        Some(v),
        "",
        &["m", "c", "dw", "df", "sw", "a", "w"],
        "rule state",
    );
    RuleState {
        matches: r.u32(m, "m"),
        counted: r.u32(c, "c"),
        days: r.list(dw, "dw", |r, v| {
            let [day, count] = r.tuple(Some(v), "");
            (r.i64(day, ""), r.u32(count, ""))
        }),
        days_from: r.i64(df, "df"),
        visits: r.list(sw, "sw", |r, v| {
            let [id, count] = r.tuple(Some(v), "");
            (r.u32(id, ""), r.u32(count, ""))
        }),
        acc: acc(r, a),
        ring: r.list(w, "w", |r, v| r.i64(Some(v), "")),
    }
}

/// `[(window, count)]` when `count` is not 0, else none.
fn counted_pair<T>(window: T, count: u32) -> Vec<(T, u32)> {
    if count == 0 {
        Vec::new()
    } else {
        vec![(window, count)]
    }
}

fn ledger_record(r: &mut Reader<'_>, v: &Value) -> LedgerRecord {
    let [rule, at, points, cap, message, kind, detail] = r.tuple(Some(v), "");
    LedgerRecord(
        r.string(rule, ""),
        r.i64(at, ""),
        r.f64(points, ""),
        cap_hit(r, cap),
        r.string(message, ""),
        r.string(kind, ""),
        r.string(detail, ""),
    )
}

fn history_record(r: &mut Reader<'_>, v: &Value) -> HistoryRecord {
    let [at, kind, detail] = r.tuple(Some(v), "");
    HistoryRecord(r.i64(at, ""), r.string(kind, ""), r.string(detail, ""))
}

/// A touch's `utm` (default when absent).
fn campaign(r: &mut Reader<'_>, f: Field<'_>) -> Campaign {
    let [source, medium, name, term, content] = r.fields(
        f,
        "utm",
        &["source", "medium", "name", "term", "content"],
        "campaign",
    );
    r.enter("utm");
    let campaign = Campaign {
        source: r.opt_string(source, "source"),
        medium: r.opt_string(medium, "medium"),
        name: r.opt_string(name, "name"),
        term: r.opt_string(term, "term"),
        content: r.opt_string(content, "content"),
    };
    r.leave();
    campaign
}

/// The `Option<Touch>` under `key`.
fn touch(r: &mut Reader<'_>, f: Field<'_>, key: &'static str) -> Option<Touch> {
    let f = present(f)?;
    let [at, landing, referrer, utm] = r.fields(
        Some(f),
        key,
        &["at", "landingPage", "referrer", "utm"],
        "touch",
    );
    r.enter(key);
    let touch = Touch {
        at: r.need_i64(at, "at"),
        landing_page: r.opt_string(landing, "landingPage"),
        referrer: r.opt_string(referrer, "referrer"),
        utm: campaign(r, utm),
    };
    r.leave();
    Some(touch)
}

fn stage_entry(r: &mut Reader<'_>, v: &Value) -> StageEntry {
    let [s, at] = r.fields(Some(v), "", &["stage", "at"], "stage entry");
    let s = r.need(s, "stage");
    let stage = stage(r, s, "stage");
    StageEntry {
        stage,
        at: r.need_i64(at, "at"),
    }
}

/// The rules by id (field `r`).
fn rules<'v>(r: &mut Reader<'v>, f: Field<'v>, counts: bool) -> SortedMap<String, RuleState> {
    let mut rules = SortedMap::new();
    match f {
        None => {}
        Some(Value::Object(m)) => {
            r.enter("r");
            for (id, v) in m {
                r.enter(id);
                rules.insert(id.clone(), rule_state(r, v, counts));
                r.leave();
            }
            r.leave();
        }
        Some(_) => r.expected("r", "an object"),
    }
    rules
}

/// What an older state changes in the reading: the time its current stage was reached (`sa`
/// of version 1, when a number), and whether its rule states keep the counts of their latest
/// day and visit only (versions 1 and 2).
#[derive(Clone, Copy)]
pub(super) struct Old {
    pub stage_at: Option<i64>,
    pub counts: bool,
}

/// The stage entries (field `se`). A version 1 state at a stage past `anonymous` with its
/// `sa` has that one entry, whatever `se` holds (the migration on the tree put it there);
/// `st` is read again for it (it was read just before: a problem there is already recorded).
fn stage_entries(
    r: &mut Reader<'_>,
    se: Field<'_>,
    st: Field<'_>,
    stage_at: Option<i64>,
) -> Vec<StageEntry> {
    if let Some(at) = stage_at {
        let stage = stage(r, st, "st");
        if stage != Stage::Anonymous {
            return vec![StageEntry { stage, at }];
        }
    }
    r.list(se, "se", stage_entry)
}

/// The state in `v`, or what is wrong with it (path and reason).
// Out of line: inlined into its one caller it was a few bytes larger (benches/SIZE.md, step 28).
#[inline(never)]
pub(super) fn visitor_state(v: &Value, old: Old) -> Read<VisitorState> {
    let mut r = Reader::new();
    let [v_, mh, a, u, t, f, l, n, dn, s_, vr, rs, g, h, d, st, se, ho, ft, lt, vw] = r.fields(
        Some(v),
        "",
        &[
            "v", "mh", "a", "u", "t", "f", "l", "n", "dn", "s", "vr", "r", "g", "h", "d", "st",
            "se", "ho", "ft", "lt", "vw",
        ],
        "visitor state",
    );
    // Fields in the order `?` read them (the first error is the one reported).
    let mut state = VisitorState {
        version: r.need_u32(v_, "v"),
        model_hash: r.string(mh, "mh"),
        anonymous_id: r.opt_string(a, "a"),
        user_id: r.opt_string(u, "u"),
        traits: r.object(t, "t"),
        first_seen: r.opt_i64(f, "f"),
        last_seen: r.opt_i64(l, "l"),
        events: r.u64(n, "n"),
        duplicates: r.u64(dn, "dn"),
        sessions: r.u32(s_, "s"),
        visit_ring: r.list(vr, "vr", |r, v| r.i64(Some(v), "")),
        rules: rules(&mut r, rs, old.counts),
        ledger: r.list(g, "g", ledger_record),
        history: r.list(h, "h", history_record),
        seen: r.list(d, "d", |r, v| r.u32(Some(v), "")),
        stage: stage(&mut r, st, "st"),
        stage_entries: stage_entries(&mut r, se, st, old.stage_at),
        handoffs: r.list(ho, "ho", |r, v| r.string(Some(v), "")),
        first_touch: touch(&mut r, ft, "ft"),
        last_touch: touch(&mut r, lt, "lt"),
        visits: Vec::new(),
    };
    if old.counts {
        // The one visit an older state knows: the current one, from its start (the last
        // touch) to the last event, under its number.
        if let (Some(last), 1..) = (state.last_seen, state.sessions) {
            let start = state.last_touch.as_ref().map_or(last, |t| t.at.min(last));
            state.visits.push(VisitWindow(state.sessions, start, last));
        }
    } else {
        state.visits = r.list(vw, "vw", |r, v| {
            let [id, start, end] = r.tuple(Some(v), "");
            VisitWindow(r.u32(id, ""), r.i64(start, ""), r.i64(end, ""))
        });
    }
    r.result(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;
    use crate::tree::differential::{each_node, mutations};

    /// Version 3's reading.
    const V3: Old = Old {
        stage_at: None,
        counts: false,
    };

    /// A state using every field and every variant, as `to_json` writes it.
    fn full_state() -> Value {
        json!({
            "v": 3, "mh": "abc", "a": "anon", "u": "user", "t": {"title": "VP", "n": 3},
            "f": 1, "l": 2, "n": 5, "dn": 1, "s": 2, "vr": [1, 2],
            "r": {
                "r1": {"m": 3, "c": 2, "dw": [[19000, 1], [19002, 3]], "df": 18990, "sw": [[1, 1], [2, 4]], "a": {"s": 5.5}, "w": [1, 2]},
                "r2": {"m": 1, "c": 1, "a": {"h": [2.5, 100]}},
                "r3": {"a": {"l": [[1, 2.0], [2, 3]]}}
            },
            "g": [["r1", 1, 5.0, null, "m1", "page", "/x"], ["r1", 2, 0, "perDay", "m2", "track", "E"], ["r2", 3, 0, "perSession", "m3", "page", "/y"], ["r2", 4, 0, "total", "m4", "page", "/z"], ["r2", 0, 0, "late", "m5", "page", "/w"]],
            "h": [[1, "page", "/x"]], "d": [1, 4294967295_u64], "st": "mql",
            "se": [{"stage": "known", "at": 1}, {"stage": "mql", "at": 2}], "ho": ["mql@1"],
            "ft": {"at": 1, "landingPage": "/", "referrer": "r", "utm": {"source": "li", "term": "t"}},
            "lt": {"at": 2},
            "vw": [[1, 0, 1], [2, 2, 2]]
        })
    }

    /// A version 2 state using every field and every variant, as version 2 wrote it.
    fn full_state_v2() -> Value {
        json!({
            "v": 2, "mh": "abc", "a": "anon", "u": "user", "t": {"title": "VP", "n": 3},
            "f": 1, "l": 2, "n": 5, "dn": 1, "s": 2, "vr": [1, 2],
            "r": {
                "r1": {"m": 3, "c": 2, "s": 2, "sc": 1, "d": 19000, "dc": 1, "a": {"s": 5.5}, "w": [1, 2]},
                "r2": {"m": 1, "c": 1, "s": 1, "sc": 3, "d": 18000, "a": {"h": [2.5, 100]}},
                "r3": {"a": {"l": [[1, 2.0], [2, 3]]}}
            },
            "g": [["r1", 1, 5.0, null, "m1", "page", "/x"], ["r1", 2, 0, "perDay", "m2", "track", "E"], ["r2", 3, 0, "perSession", "m3", "page", "/y"], ["r2", 4, 0, "total", "m4", "page", "/z"]],
            "h": [[1, "page", "/x"]], "d": [1, 4294967295_u64], "st": "mql",
            "se": [{"stage": "known", "at": 1}, {"stage": "mql", "at": 2}], "ho": ["mql@1"],
            "ft": {"at": 1, "landingPage": "/", "referrer": "r", "utm": {"source": "li", "term": "t"}},
            "lt": {"at": 2}
        })
    }

    /// Version 2's rule state, as its derive read it (`s`/`sc`: the latest counted visit's
    /// number and count, `d`/`dc`: the same for the UTC day).
    #[derive(serde::Deserialize)]
    struct RuleStateV2 {
        #[serde(rename = "m", default)]
        matches: u32,
        #[serde(rename = "c", default)]
        counted: u32,
        #[serde(rename = "s", default)]
        session: u32,
        #[serde(rename = "sc", default)]
        session_count: u32,
        #[serde(rename = "d", default)]
        day: i64,
        #[serde(rename = "dc", default)]
        day_count: u32,
        #[serde(rename = "a", default)]
        acc: Acc,
        #[serde(rename = "w", default)]
        ring: Vec<i64>,
    }

    /// The oracle of version 2's reading: the rules by version 2's derive, the rest by version
    /// 3's (without `vw`, which version 2 did not have), then the migration as specified: a
    /// rule's latest day and visit counts become its kept ones (days before the latest not
    /// known), and the current visit (number `s`, from the last touch to the last event) the
    /// one visit kept.
    fn v2_by_derive(doc: &Value) -> Option<VisitorState> {
        let mut rest = doc.clone();
        let rules = match &mut rest {
            Value::Object(m) => {
                let rules = m.get("r").cloned();
                if rules.is_some() {
                    m.insert("r".to_string(), json!({}));
                }
                *m = crate::state::map_without(m, "vw");
                rules
            }
            Value::Array(a) => {
                a.truncate(20);
                a.get_mut(11).map(|r| std::mem::replace(r, json!({})))
            }
            _ => None,
        };
        let mut state = crate::json::from_value::<VisitorState>(&rest).ok()?;
        let old: SortedMap<String, RuleStateV2> = match rules {
            None => SortedMap::new(),
            Some(r) => crate::json::from_value(&r).ok()?,
        };
        for (id, o) in old.iter() {
            let rule = RuleState {
                matches: o.matches,
                counted: o.counted,
                days: if o.day_count > 0 {
                    vec![(o.day, o.day_count)]
                } else {
                    vec![]
                },
                days_from: o.day,
                visits: if o.session_count > 0 {
                    vec![(o.session, o.session_count)]
                } else {
                    vec![]
                },
                acc: o.acc.clone(),
                ring: o.ring.clone(),
            };
            state.rules.insert(id.clone(), rule);
        }
        state.visits = match (state.last_seen, state.sessions) {
            (Some(last), s) if s > 0 => {
                let start = state.last_touch.as_ref().map_or(last, |t| t.at.min(last));
                vec![VisitWindow(s, start, last)]
            }
            _ => vec![],
        };
        Some(state)
    }

    #[test]
    fn cap_names_are_serdes() {
        for (i, cap) in CapHit::ALL.into_iter().enumerate() {
            // `as_str` indexes `NAMES` by discriminant: `ALL` must be in declaration order.
            assert_eq!(cap as usize, i);
            assert_eq!(
                serde_json::to_string(&cap).unwrap(),
                format!("\"{}\"", cap.as_str())
            );
        }
    }

    #[test]
    fn reads_what_to_json_writes() {
        let v = full_state();
        let by_hand = visitor_state(&v, V3).unwrap();
        assert_eq!(
            by_hand,
            crate::json::from_value::<VisitorState>(&v).unwrap()
        );
        let text = by_hand.to_json();
        let again = visitor_state(&serde_json::from_str(&text).unwrap(), V3).unwrap();
        assert_eq!(again, by_hand);
        assert_eq!(
            visitor_state(&json!({"v": 3}), V3).unwrap(),
            VisitorState::default()
        );
    }

    /// Differential: at every node of a full state, every mutation (and removing each key) is
    /// accepted or refused exactly as serde's derived `Deserialize` does, with the same result.
    #[test]
    fn accepts_exactly_what_the_derive_accepts() {
        let base = full_state();
        let mut checked = 0;
        each_node(&base, &mut |rebuild, node| {
            let mut cases = vec![rebuild(node.clone())];
            cases.extend(mutations(node).into_iter().map(rebuild));
            for case in cases {
                let derived = crate::json::from_value::<VisitorState>(&case).ok();
                let by_hand = visitor_state(&case, V3).ok();
                assert_eq!(by_hand, derived, "{case}");
                checked += 1;
            }
        });
        assert!(checked > 2000, "{checked}");
    }

    /// The same for a version 2 state, against version 2's derive and the migration
    /// (`v2_by_derive`).
    #[test]
    fn reads_version_2_exactly_as_its_derive_and_the_migration() {
        let base = full_state_v2();
        let old = Old {
            stage_at: None,
            counts: true,
        };
        let migrated = visitor_state(&base, old).unwrap();
        // r1 counted in the current visit (2) on day 19000; r2's visit 1 is no longer kept.
        assert_eq!(migrated.visits, [VisitWindow(2, 2, 2)]);
        let r1 = migrated.rules.get("r1").unwrap();
        assert_eq!(
            (&r1.days[..], r1.days_from, &r1.visits[..]),
            (&[(19000, 1)][..], 19000, &[(2, 1)][..])
        );
        let r2 = migrated.rules.get("r2").unwrap();
        assert_eq!(
            (&r2.days[..], r2.days_from, &r2.visits[..]),
            (&[][..], 18000, &[(1, 3)][..])
        );
        let mut checked = 0;
        each_node(&base, &mut |rebuild, node| {
            let mut cases = vec![rebuild(node.clone())];
            cases.extend(mutations(node).into_iter().map(rebuild));
            for case in cases {
                let by_hand = visitor_state(&case, old).ok();
                assert_eq!(by_hand, v2_by_derive(&case), "{case}");
                checked += 1;
            }
        });
        assert!(checked > 2000, "{checked}");
    }

    /// Errors name their path, and the first one met in reading order is the one reported.
    #[test]
    fn errors_name_the_first_wrong_field_by_path() {
        for (state, error) in [
            (json!([]), "missing field `v`"),
            (json!(7), "visitor state: expected an object"),
            (json!({"v": -1}), "v: expected an unsigned 32-bit integer"),
            (json!({"v": 2, "mh": 1, "s": -1}), "mh: expected a string"),
            (
                json!({"v": 2, "r": {"r1": {"a": {"l": [[1, 2], [1, "x"]]}}}}),
                "r: r1: a: [1]: expected a number",
            ),
            (
                json!({"v": 2, "r": {"r1": {"a": {"h": [1]}}}}),
                "r: r1: a: expected an array of 2",
            ),
            (
                json!({"v": 2, "r": {"r1": {"a": {"q": 1}}}}),
                "r: r1: a: not an accumulator: \"q\"",
            ),
            (
                json!({"v": 2, "r": {"r1": [1, 2, 3, 4, 5, 6, 7, 8, 9]}}),
                "r: r1: rule state: too many elements",
            ),
            (
                json!({"v": 2, "g": [["r1", 1, 5.0, "weekly", "m", "page", "/x"]]}),
                "g: [0]: cap: unknown variant \"weekly\"",
            ),
            (
                json!({"v": 2, "r": {"r1": {"dw": [[1, -2]]}}}),
                "r: r1: dw: [0]: expected an unsigned 32-bit integer",
            ),
            (
                json!({"v": 2, "vw": [[1, 2]]}),
                "vw: [0]: expected an array of 3",
            ),
            (
                json!({"v": 2, "h": [[1, "page", "/x"], [1]]}),
                "h: [1]: expected an array of 3",
            ),
            (
                json!({"v": 2, "st": {"mql": 1}}),
                "st: variant \"mql\" takes no value",
            ),
            (
                json!({"v": 2, "se": [{"stage": "mql"}]}),
                "se: [0]: missing field `at`",
            ),
            (
                json!({"v": 2, "ft": {"at": 1, "utm": {"source": 1}}, "lt": 1}),
                "ft: utm: source: expected a string",
            ),
            (
                json!({"v": 2, "ft": {"at": 1, "utm": 1}}),
                "ft: utm: campaign: expected an object",
            ),
            (
                json!({"v": 2, "lt": {"referrer": 1}}),
                "lt: missing field `at`",
            ),
            (
                json!({"v": 2, "d": [1, -1], "ho": [1]}),
                "d: [1]: expected an unsigned 32-bit integer",
            ),
        ] {
            assert_eq!(visitor_state(&state, V3).unwrap_err(), error, "{state}");
        }
    }

    /// The version 1 route as it was: the migration on the tree, then the version 2 reading.
    fn v1_by_migration(mut doc: Value) -> Result<VisitorState, crate::error::Error> {
        super::super::migrate_v1(&mut doc)?;
        let old = Old {
            stage_at: None,
            counts: true,
        };
        let mut state = visitor_state(&doc, old).map_err(|e| {
            crate::error::Error::InvalidState(format!("corrupt visitor state: {e}"))
        })?;
        state.version = super::super::STATE_VERSION;
        state.enforce_bounds();
        Ok(state)
    }

    /// Every combination of the fields the migration looks at (`sa`, `st`, `se`), on an empty
    /// and a full state, with and without a wrong field read after `se`: read as the migration
    /// on the tree read them, with the same error.
    #[test]
    fn v1_reads_as_migrated() {
        let sas = [
            None,
            Some(json!(1234)),
            Some(json!(-5)),
            Some(json!(1.5)),
            Some(json!("7")),
            Some(json!(null)),
        ];
        let sts = [
            None,
            Some(json!("anonymous")),
            Some(json!("mql")),
            Some(json!("known")),
            Some(json!("boss")),
            Some(json!(null)),
            Some(json!(3)),
        ];
        let ses = [
            None,
            Some(json!([{"stage": "known", "at": 1}, {"stage": "mql", "at": 2}])),
            Some(json!("x")),
            Some(json!([{"stage": "boss", "at": 1}])),
        ];
        let mut entries = 0;
        let mut errors = 0;
        for base in [json!({"v": 1}), full_state_v2()] {
            for sa in &sas {
                for st in &sts {
                    for se in &ses {
                        for bad_later in [false, true] {
                            let mut doc = base.clone();
                            doc["v"] = json!(1);
                            let obj = doc.as_object_mut().unwrap();
                            for (key, value) in [("sa", sa), ("st", st), ("se", se)] {
                                *obj = crate::state::map_without(obj, key);
                                if let Some(value) = value {
                                    obj.insert(key.to_string(), value.clone());
                                }
                            }
                            if bad_later {
                                obj.insert("ho".to_string(), json!(5));
                            }
                            let want = v1_by_migration(doc.clone());
                            let got = VisitorState::from_value(doc.clone());
                            assert_eq!(got, want, "{doc}");
                            match &got {
                                Ok(s) => entries += usize::from(s.stage_entries.len() == 1),
                                Err(_) => errors += 1,
                            }
                        }
                    }
                }
            }
        }
        // Both outcomes and the migrated entry are reached.
        assert!(entries > 10 && errors > 100, "{entries} {errors}");
    }

    proptest::proptest! {
        /// A random state written as version 1 (with or without `sa`) reads as the migration
        /// on the tree read it.
        #[test]
        fn random_v1_states_read_as_migrated(
            state in crate::arb::visitor_state(),
            sa in proptest::option::of(proptest::prelude::any::<i64>()),
        ) {
            let mut doc = crate::json::parse(&state.to_json()).unwrap();
            doc["v"] = json!(1);
            if let Some(sa) = sa {
                doc["sa"] = json!(sa);
            }
            proptest::prop_assert_eq!(VisitorState::from_value(doc.clone()), v1_by_migration(doc));
        }
    }
}
