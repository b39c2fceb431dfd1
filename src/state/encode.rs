//! Writes a [`VisitorState`] as JSON text by hand, the bytes its derived `Serialize` writes
//! (why by hand: [`crate::json::JsonOut`]). Field order, short names and the
//! `skip_serializing_if` rules follow the struct's serde attributes one for one; tests in
//! `super::write_tests` pin the two routes to each other.

use super::{
    Acc, CapHit, HistoryRecord, LedgerRecord, RuleState, Touch, VisitWindow, VisitorState,
};
use crate::event::Campaign;
use crate::json::{JsonOut, WriteJson};

impl WriteJson for VisitorState {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("v").u64(self.version.into());
        o.key("mh").str(&self.model_hash);
        if let Some(a) = &self.anonymous_id {
            o.key("a").str(a);
        }
        if let Some(u) = &self.user_id {
            o.key("u").str(u);
        }
        if !self.traits.is_empty() {
            o.key("t").map(&self.traits);
        }
        if let Some(f) = self.first_seen {
            o.key("f").i64(f);
        }
        if let Some(l) = self.last_seen {
            o.key("l").i64(l);
        }
        o.key("n").u64(self.events);
        o.key("dn").u64(self.duplicates);
        o.key("s").u64(self.sessions.into());
        if !self.visit_ring.is_empty() {
            o.key("vr");
            i64_array(o, &self.visit_ring);
        }
        o.key("r").begin_object();
        for (id, rule) in self.rules.iter() {
            o.key(id);
            rule.write_json(o);
        }
        o.end_object();
        if !self.ledger.is_empty() {
            o.key("g").array(&self.ledger);
        }
        if !self.history.is_empty() {
            o.key("h").array(&self.history);
        }
        if !self.seen.is_empty() {
            o.key("d").begin_array();
            for d in &self.seen {
                o.u64((*d).into());
            }
            o.end_array();
        }
        o.key("st").str(self.stage.as_str());
        if !self.stage_entries.is_empty() {
            o.key("se").array(&self.stage_entries);
        }
        if !self.handoffs.is_empty() {
            o.key("ho").begin_array();
            for h in &self.handoffs {
                o.str(h);
            }
            o.end_array();
        }
        if let Some(t) = &self.first_touch {
            o.key("ft");
            t.write_json(o);
        }
        if let Some(t) = &self.last_touch {
            o.key("lt");
            t.write_json(o);
        }
        if !self.visits.is_empty() {
            o.key("vw").begin_array();
            for VisitWindow(id, start, end) in &self.visits {
                o.begin_array().u64((*id).into()).i64(*start).i64(*end);
                o.end_array();
            }
            o.end_array();
        }
        o.end_object();
    }
}

fn i64_array(o: &mut JsonOut, items: &[i64]) {
    o.begin_array();
    for i in items {
        o.i64(*i);
    }
    o.end_array();
}

impl WriteJson for RuleState {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("m").u64(self.matches.into());
        o.key("c").u64(self.counted.into());
        if !self.days.is_empty() {
            o.key("dw").begin_array();
            for (day, count) in &self.days {
                o.begin_array().i64(*day).u64((*count).into()).end_array();
            }
            o.end_array();
        }
        if self.days_from != 0 {
            o.key("df").i64(self.days_from);
        }
        if !self.visits.is_empty() {
            o.key("sw").begin_array();
            for (id, count) in &self.visits {
                o.begin_array()
                    .u64((*id).into())
                    .u64((*count).into())
                    .end_array();
            }
            o.end_array();
        }
        o.key("a");
        self.acc.write_json(o);
        if !self.ring.is_empty() {
            o.key("w");
            i64_array(o, &self.ring);
        }
        o.end_object();
    }
}

impl WriteJson for Acc {
    /// serde's external tagging: `{"s":sum}`, `{"h":[value,at]}`, `{"l":[[period,sum],…]}`.
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        match self {
            Acc::Sum(s) => {
                o.key("s").f64(*s);
            }
            Acc::Half(v, t) => {
                o.key("h").begin_array().f64(*v).i64(*t).end_array();
            }
            Acc::Lin(buckets) => {
                o.key("l").begin_array();
                for (i, s) in buckets {
                    o.begin_array().i64(*i).f64(*s).end_array();
                }
                o.end_array();
            }
        }
        o.end_object();
    }
}

impl CapHit {
    /// The name serde gives it (`rename_all = "camelCase"`).
    pub fn as_str(self) -> &'static str {
        CapHit::NAMES[self as usize]
    }
}

impl WriteJson for LedgerRecord {
    /// A tuple struct: a 7-element array, the cap `null` when none was hit.
    fn write_json(&self, o: &mut JsonOut) {
        let LedgerRecord(rule, at, points, cap, message, kind, label) = self;
        o.begin_array().str(rule).i64(*at).f64(*points);
        o.opt_str(cap.map(CapHit::as_str));
        o.str(message).str(kind).str(label).end_array();
    }
}

impl WriteJson for HistoryRecord {
    fn write_json(&self, o: &mut JsonOut) {
        let HistoryRecord(at, kind, label) = self;
        o.begin_array().i64(*at).str(kind).str(label).end_array();
    }
}

impl WriteJson for Touch {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("at").i64(self.at);
        if let Some(p) = &self.landing_page {
            o.key("landingPage").str(p);
        }
        if let Some(r) = &self.referrer {
            o.key("referrer").str(r);
        }
        if !self.utm.is_empty() {
            o.key("utm");
            campaign(o, &self.utm);
        }
        o.end_object();
    }
}

/// `Campaign` (defined with the events) as its derive writes it: every part optional.
fn campaign(o: &mut JsonOut, c: &Campaign) {
    o.begin_object();
    for (name, part) in [
        ("source", &c.source),
        ("medium", &c.medium),
        ("name", &c.name),
        ("term", &c.term),
        ("content", &c.content),
    ] {
        if let Some(p) = part {
            o.key(name).str(p);
        }
    }
    o.end_object();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;
    use crate::sorted_map::SortedMap;
    use crate::stage::{Stage, StageEntry};
    use proptest::prelude::*;

    /// The stored format, pinned: an empty state, and one with every field and every variant.
    #[test]
    fn worked_examples() {
        assert_eq!(
            VisitorState::default().to_json(),
            r#"{"v":3,"mh":"","n":0,"dn":0,"s":0,"r":{},"st":"anonymous"}"#
        );
        let mut rules = SortedMap::new();
        let capped = RuleState {
            matches: 3,
            counted: 2,
            days: vec![(-1, 2), (3, 1)],
            days_from: -5,
            visits: vec![(4, 1)],
            acc: Acc::Half(7.5, 1_000),
            ring: vec![5, 6],
        };
        rules.insert("view".to_string(), capped);
        rules.insert("a\"b".to_string(), RuleState::default());
        let lin = RuleState {
            acc: Acc::Lin(vec![(3, 1.0), (4, 0.25)]),
            ..RuleState::default()
        };
        rules.insert("dl".to_string(), lin);
        let touch = Touch {
            at: 9,
            landing_page: Some("/p?q=1".into()),
            referrer: None,
            utm: Campaign {
                source: Some("li".into()),
                term: Some("é\n".into()),
                ..Campaign::default()
            },
        };
        let state = VisitorState {
            version: 3,
            model_hash: "ab12".into(),
            anonymous_id: Some("anon".into()),
            user_id: Some("u\u{1}".into()),
            traits: json!({"title": "VP", "n": 1e21, "z": [null, true]})
                .as_object()
                .unwrap()
                .clone(),
            first_seen: Some(1),
            last_seen: Some(-2),
            events: u64::MAX,
            duplicates: 1,
            sessions: 2,
            visit_ring: vec![1, 2],
            rules,
            ledger: vec![
                LedgerRecord(
                    "view".into(),
                    5,
                    2.0,
                    None,
                    "m1".into(),
                    "page".into(),
                    "/".into(),
                ),
                LedgerRecord(
                    "view".into(),
                    6,
                    0.0,
                    Some(CapHit::PerDay),
                    "m2".into(),
                    "track".into(),
                    "X".into(),
                ),
                LedgerRecord(
                    "view".into(),
                    -7,
                    0.0,
                    Some(CapHit::Late),
                    "m3".into(),
                    "page".into(),
                    "/".into(),
                ),
            ],
            history: vec![HistoryRecord(5, "page".into(), "/a".into())],
            seen: vec![7, 4_294_967_295],
            stage: Stage::Mql,
            stage_entries: vec![StageEntry {
                stage: Stage::Known,
                at: 3,
            }],
            handoffs: vec!["mql@1".into()],
            first_touch: Some(touch.clone()),
            last_touch: Some(Touch {
                at: 10,
                ..Touch::default()
            }),
            visits: vec![VisitWindow(2, 1, 10), VisitWindow(u32::MAX, -3, 12)],
        };
        let text = concat!(
            r#"{"v":3,"mh":"ab12","a":"anon","u":"u\u0001","#,
            r#""t":{"n":1e+21,"title":"VP","z":[null,true]},"f":1,"l":-2,"#,
            r#""n":18446744073709551615,"dn":1,"s":2,"vr":[1,2],"#,
            r#""r":{"a\"b":{"m":0,"c":0,"a":{"s":0.0}},"#,
            r#""dl":{"m":0,"c":0,"a":{"l":[[3,1.0],[4,0.25]]}},"#,
            r#""view":{"m":3,"c":2,"dw":[[-1,2],[3,1]],"df":-5,"sw":[[4,1]],"a":{"h":[7.5,1000]},"w":[5,6]}},"#,
            r#""g":[["view",5,2.0,null,"m1","page","/"],["view",6,0.0,"perDay","m2","track","X"],"#,
            r#"["view",-7,0.0,"late","m3","page","/"]],"#,
            r#""h":[[5,"page","/a"]],"d":[7,4294967295],"st":"mql","#,
            r#""se":[{"stage":"known","at":3}],"ho":["mql@1"],"#,
            r#""ft":{"at":9,"landingPage":"/p?q=1","utm":{"source":"li","term":"é\n"}},"#,
            r#""lt":{"at":10},"vw":[[2,1,10],[4294967295,-3,12]]}"#,
        );
        assert_eq!(state.to_json(), text);
        assert_eq!(serde_json::to_string(&state).unwrap(), text);
        assert_eq!(VisitorState::from_json(text).unwrap(), state);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The hand-written bytes are the derive's, through serde_json and through the JSON
        /// layer's serializer, for any state.
        #[test]
        fn writes_what_the_derive_writes(state in crate::arb::visitor_state()) {
            let text = state.to_json();
            prop_assert_eq!(&text, &serde_json::to_string(&state).unwrap());
        }
    }
}
