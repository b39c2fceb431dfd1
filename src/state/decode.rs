//! Reads a [`VisitorState`] from its JSON tree by hand (why, and what it accepts: [`crate::tree`]).

use super::{Acc, CapHit, HistoryRecord, LedgerRecord, RuleState, Touch, VisitorState};
use crate::event::Campaign;
use crate::sorted_map::SortedMap;
use crate::stage::{Stage, StageEntry};
use crate::text::quote::quoted;
use crate::tree::{
    f64_, fields, i64_, list, object, optional, or_default, required, string, tuple, u32_, u64_,
    unit, variant, wrong, Read,
};
use serde_json::Value;

fn stage(v: &Value) -> Read<Stage> {
    let names = Stage::ALL.map(Stage::as_str);
    Ok(Stage::ALL[unit(v, &names)?])
}

fn cap_hit(v: &Value) -> Read<CapHit> {
    let all = [CapHit::PerSession, CapHit::PerDay, CapHit::Total];
    Ok(all[unit(v, &["perSession", "perDay", "total"])?])
}

fn acc(v: &Value) -> Read<Acc> {
    match variant(v)? {
        ("s", Some(c)) => Ok(Acc::Sum(f64_(c)?)),
        ("h", Some(c)) => {
            let t = tuple::<2>(c)?;
            Ok(Acc::Half(f64_(&t[0])?, i64_(&t[1])?))
        }
        ("l", Some(c)) => Ok(Acc::Lin(list(c, |b| {
            let t = tuple::<2>(b)?;
            Ok((i64_(&t[0])?, f64_(&t[1])?))
        })?)),
        (name, _) => Err(format!("not an accumulator: {}", quoted(name))),
    }
}

fn rule_state(v: &Value) -> Read<RuleState> {
    let [m, c, s, sc, d, dc, a, w] =
        fields(v, ["m", "c", "s", "sc", "d", "dc", "a", "w"], "rule state")?;
    Ok(RuleState {
        matches: or_default(m, "m", u32_)?,
        counted: or_default(c, "c", u32_)?,
        session: or_default(s, "s", u32_)?,
        session_count: or_default(sc, "sc", u32_)?,
        day: or_default(d, "d", i64_)?,
        day_count: or_default(dc, "dc", u32_)?,
        acc: or_default(a, "a", acc)?,
        ring: or_default(w, "w", |v| list(v, i64_))?,
    })
}

fn ledger_record(v: &Value) -> Read<LedgerRecord> {
    let t = tuple::<7>(v)?;
    Ok(LedgerRecord(
        string(&t[0])?,
        i64_(&t[1])?,
        f64_(&t[2])?,
        optional(Some(&t[3]), "cap", cap_hit)?,
        string(&t[4])?,
        string(&t[5])?,
        string(&t[6])?,
    ))
}

fn history_record(v: &Value) -> Read<HistoryRecord> {
    let t = tuple::<3>(v)?;
    Ok(HistoryRecord(i64_(&t[0])?, string(&t[1])?, string(&t[2])?))
}

fn campaign(v: &Value) -> Read<Campaign> {
    let [source, medium, name, term, content] = fields(
        v,
        ["source", "medium", "name", "term", "content"],
        "campaign",
    )?;
    Ok(Campaign {
        source: optional(source, "source", string)?,
        medium: optional(medium, "medium", string)?,
        name: optional(name, "name", string)?,
        term: optional(term, "term", string)?,
        content: optional(content, "content", string)?,
    })
}

fn touch(v: &Value) -> Read<Touch> {
    let [at, landing, referrer, utm] =
        fields(v, ["at", "landingPage", "referrer", "utm"], "touch")?;
    Ok(Touch {
        at: required(at, "at", i64_)?,
        landing_page: optional(landing, "landingPage", string)?,
        referrer: optional(referrer, "referrer", string)?,
        utm: or_default(utm, "utm", campaign)?,
    })
}

fn stage_entry(v: &Value) -> Read<StageEntry> {
    let [s, at] = fields(v, ["stage", "at"], "stage entry")?;
    Ok(StageEntry {
        stage: required(s, "stage", stage)?,
        at: required(at, "at", i64_)?,
    })
}

fn rules(v: &Value) -> Read<SortedMap<String, RuleState>> {
    let mut rules = SortedMap::new();
    for (id, r) in v.as_object().ok_or_else(|| wrong("an object"))? {
        rules.insert(
            id.clone(),
            rule_state(r).map_err(|e| crate::tree::at(id, e))?,
        );
    }
    Ok(rules)
}

/// The state in `v`, or what is wrong with it (path and reason).
pub(super) fn visitor_state(v: &Value) -> Read<VisitorState> {
    let [v_, mh, a, u, t, f, l, n, dn, s_, vr, r, g, h, d, st, se, ho, ft, lt] = fields(
        v,
        [
            "v", "mh", "a", "u", "t", "f", "l", "n", "dn", "s", "vr", "r", "g", "h", "d", "st",
            "se", "ho", "ft", "lt",
        ],
        "visitor state",
    )?;
    // Filled in place, not built as one struct literal: with a literal, every `?` drops all
    // the fields read before it, and those drop paths were most of this function's bytes.
    let mut s = VisitorState {
        version: required(v_, "v", u32_)?,
        ..VisitorState::default()
    };
    s.model_hash = or_default(mh, "mh", string)?;
    s.anonymous_id = optional(a, "a", string)?;
    s.user_id = optional(u, "u", string)?;
    s.traits = or_default(t, "t", object)?;
    s.first_seen = optional(f, "f", i64_)?;
    s.last_seen = optional(l, "l", i64_)?;
    s.events = or_default(n, "n", u64_)?;
    s.duplicates = or_default(dn, "dn", u64_)?;
    s.sessions = or_default(s_, "s", u32_)?;
    s.visit_ring = or_default(vr, "vr", |v| list(v, i64_))?;
    s.rules = or_default(r, "r", rules)?;
    s.ledger = or_default(g, "g", |v| list(v, ledger_record))?;
    s.history = or_default(h, "h", |v| list(v, history_record))?;
    s.seen = or_default(d, "d", |v| list(v, u32_))?;
    s.stage = or_default(st, "st", stage)?;
    s.stage_entries = or_default(se, "se", |v| list(v, stage_entry))?;
    s.handoffs = or_default(ho, "ho", |v| list(v, string))?;
    s.first_touch = optional(ft, "ft", touch)?;
    s.last_touch = optional(lt, "lt", touch)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::differential::{each_node, mutations};
    use serde_json::json;

    /// A state using every field and every variant, as `to_json` writes it.
    fn full_state() -> Value {
        json!({
            "v": 2, "mh": "abc", "a": "anon", "u": "user", "t": {"title": "VP", "n": 3},
            "f": 1, "l": 2, "n": 5, "dn": 1, "s": 2, "vr": [1, 2],
            "r": {
                "r1": {"m": 3, "c": 2, "s": 1, "sc": 1, "d": 19000, "dc": 1, "a": {"s": 5.5}, "w": [1, 2]},
                "r2": {"m": 1, "c": 1, "a": {"h": [2.5, 100]}},
                "r3": {"a": {"l": [[1, 2.0], [2, 3]]}}
            },
            "g": [["r1", 1, 5.0, null, "m1", "page", "/x"], ["r1", 2, 0, "perDay", "m2", "track", "E"]],
            "h": [[1, "page", "/x"]], "d": [1, 4294967295_u64], "st": "mql",
            "se": [{"stage": "known", "at": 1}, {"stage": "mql", "at": 2}], "ho": ["mql@1"],
            "ft": {"at": 1, "landingPage": "/", "referrer": "r", "utm": {"source": "li", "term": "t"}},
            "lt": {"at": 2}
        })
    }

    #[test]
    fn reads_what_to_json_writes() {
        let v = full_state();
        let by_hand = visitor_state(&v).unwrap();
        assert_eq!(by_hand, serde_json::from_value::<VisitorState>(v).unwrap());
        let text = by_hand.to_json();
        let again = visitor_state(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(again, by_hand);
        assert_eq!(
            visitor_state(&json!({"v": 2})).unwrap(),
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
                let derived = serde_json::from_value::<VisitorState>(case.clone()).ok();
                let by_hand = visitor_state(&case).ok();
                assert_eq!(by_hand, derived, "{case}");
                checked += 1;
            }
        });
        assert!(checked > 2000, "{checked}");
    }
}
