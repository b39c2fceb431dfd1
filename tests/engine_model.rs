//! Model validation: every problem with its JSON path, unknown keys with "did you mean",
//! a content hash stable across key order and whitespace.

use baton::error::{Error, Problem};
use baton::json::{json, Value};
use baton::model::Model;

fn problems(v: Value) -> Vec<String> {
    Model::problems(&v).iter().map(Problem::to_string).collect()
}

fn valid() -> Value {
    json!({
        "version": "1",
        "rules": [
            {"id": "pricing", "points": 10, "when": {"path": "/pricing"}, "cap": {"perSession": 1}},
            {"id": "download", "points": 3, "when": {"event": "Asset Downloaded"}},
            {"id": "senior", "kind": "fit", "points": 15, "when": {"trait": "title", "containsWord": ["VP"]}}
        ],
        "stages": {"mql": {"all": [{"score": "total", "gte": 50}, {"matches": "download", "atLeast": 2, "withinDays": 30}]}},
        "handoff": {"stage": "mql", "endpoint": "https://crm.example/intake"}
    })
}

#[test]
fn a_valid_model_has_no_problems() {
    assert!(problems(valid()).is_empty(), "{:?}", problems(valid()));
}

#[test]
fn problem_table() {
    // (JSON pointer-ish edit, new value, expected problem text)
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/version", Value::Null, "version: missing"),
        ("/rules/1/when/event", json!(""), "rules[1].when.event: empty pattern"),
        ("/rules/0/when", json!({"path": ""}), "rules[0].when.path: empty pattern"),
        ("/rules/0/when", json!({"path": "pricing"}), "rules[0].when.path: a path pattern starts with \"/\" or \"*\": \"pricing\""),
        ("/rules/0/pionts", json!(3), "rules[0].pionts: unknown key \"pionts\", did you mean \"points\"?"),
        ("/rules/0/points", json!("ten"), "rules[0].points: must be a number, found a string"),
        ("/rules/0/points", json!(0), "rules[0].points: must not be 0"),
        ("/rules/0/kind", json!("fitt"), "rules[0].kind: unknown kind \"fitt\", did you mean \"fit\"?"),
        ("/rules/0/cap", json!({"perSesion": 1}), "rules[0].cap.perSesion: unknown key \"perSesion\", did you mean \"perSession\"?"),
        ("/rules/0/cap", json!({"perDay": 0}), "rules[0].cap.perDay: must be a whole number from 1 to 10000"),
        ("/rules/0/cap", json!({"perDay": 1.5}), "rules[0].cap.perDay: must be a whole number from 1 to 10000"),
        ("/rules/0/decay", json!({"halfLifeDays": -1}), "rules[0].decay.halfLifeDays: must be greater than 0"),
        ("/rules/0/decay", json!({"halfLifeDay": 3}), "rules[0].decay.halfLifeDay: unknown key \"halfLifeDay\", did you mean \"halfLifeDays\"?"),
        ("/rules/0/decay", json!("slow"), "rules[0].decay: unknown decay \"slow\": use \"none\", {\"halfLifeDays\": n} or {\"linearPercent\": p, \"periodDays\": d}"),
        ("/rules/0/when", json!({"type": "pgae"}), "rules[0].when.type: unknown event type \"pgae\", did you mean \"page\"?"),
        ("/rules/0/when", json!({"pth": "/x"}), "rules[0].when.pth: unknown key \"pth\", did you mean \"path\"?"),
        ("/rules/0/when", json!({"path": "/x", "type": "page"}), "rules[0].when: a condition names exactly one subject, found path and type"),
        ("/rules/0/when", json!({"all": []}), "rules[0].when.all: must not be an empty list"),
        ("/rules/0/when", json!({"trait": "title"}), "rules[0].when: needs a test: one of equals, in, contains, containsWord, startsWith, endsWith, gte, lte, gt, lt, exists"),
        ("/rules/0/when", json!({"trait": "employees", "gte": "many"}), "rules[0].when.gte: must be a number, found a string"),
        ("/rules/0/when", json!({"trait": "title", "containz": "x"}), "rules[0].when.containz: unknown key \"containz\", did you mean \"contains\"?"),
        ("/rules/0/when", json!({"score": "total", "gte": 1}), "rules[0].when.score: \"score\" is only available in stage criteria"),
        ("/rules/2/when", json!({"path": "/x"}), "rules[2].when.path: \"path\" looks at an event; fit rules (they are evaluated on traits) see no single event"),
        ("/rules/2/cap", json!({"once": true}), "rules[2].cap: fit rules count once on current traits; a cap does not apply"),
        ("/rules/2/decay", json!("none"), "rules[2].decay: fit points do not decay"),
        ("/rules/1/id", json!("pricing"), "rules[1].id: duplicate id \"pricing\" (also rules[0])"),
        ("/rules/1/group", json!("fit"), "rules[2].group: group \"fit\" already holds behavior rules; a group holds one kind"),
        ("/stages/mqll", json!({"score": "total", "gte": 1}), "stages.mqll: unknown stage \"mqll\", did you mean \"mql\"?"),
        ("/stages/mql", json!({"matches": "downlaod", "atLeast": 2}), "stages.mql.matches: \"matches\" names unknown rule \"downlaod\", did you mean \"download\"?"),
        ("/stages/mql", json!({"score": "totl", "gte": 2}), "stages.mql.score: unknown score \"totl\" (total, fit, engagement or a group), did you mean \"total\"?"),
        ("/stages/mql", json!({"score": "total", "equals": 2}), "stages.mql.equals: a score is compared with gte, lte, gt or lt"),
        ("/stages/mql", json!({"visits": 0, "withinDays": 30}), "stages.mql.visits: must be a whole number from 1 to 50"),
        ("/stages/mql", json!({"event": "X"}), "stages.mql.event: \"event\" looks at an event; stage criteria see no single event"),
        ("/handoff/stage", json!("sql"), "handoff.stage: stage \"sql\" has no criteria under \"stages\""),
        ("/handoff/endpoint", json!("ftp://x"), "handoff.endpoint: must be an http(s) URL or a path starting with \"/\""),
        ("/handoff/slaMinutes", json!(-5), "handoff.slaMinutes: must be a whole number from 1 to 525600"),
        ("/handoff/include", json!(["ledgr"]), "handoff.include[0]: unknown part \"ledgr\", did you mean \"ledger\"?"),
        ("/groups", json!({"engagment": {"max": 5}}), "groups.engagment: no rule uses group \"engagment\", did you mean \"engagement\"?"),
        ("/groups", json!({"engagement": {"min": 5, "max": 1}}), "groups.engagement: min (5) is greater than max (1)"),
        ("/grades", json!({"A": 10, "B": 20}), "grades.B: minimum fit 20 must be below grade A's 10"),
        ("/limits", json!({"totl": {}}), "limits.totl: unknown key \"totl\", did you mean \"total\"?"),
        ("/sessionTimeout", json!(30), "sessionTimeout: unknown key \"sessionTimeout\", did you mean \"sessionTimeoutMinutes\"?"),
    ];
    for (pointer, value, expected) in cases {
        let mut doc = valid();
        set(&mut doc, pointer, value);
        let got = problems(doc);
        assert!(
            got.iter().any(|p| p == expected),
            "{pointer}: expected {expected:?}, got {got:?}"
        );
    }
}

/// Set (or, with null, remove) the value at a `/a/0/b` pointer, creating objects on the way.
fn set(doc: &mut Value, pointer: &str, value: Value) {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let mut cur = doc;
    for part in &parts[..parts.len() - 1] {
        cur = match cur {
            Value::Array(items) => &mut items[part.parse::<usize>().unwrap()],
            Value::Object(map) => map.get_or_insert_with(*part, || json!({})),
            _ => panic!("bad pointer {pointer}"),
        };
    }
    let last = parts[parts.len() - 1];
    match cur {
        Value::Object(map) if value.is_null() => {
            map.remove(last);
        }
        Value::Object(map) => {
            map.insert(last.to_string(), value);
        }
        Value::Array(items) => items[last.parse::<usize>().unwrap()] = value,
        _ => panic!("bad pointer {pointer}"),
    }
}

#[test]
fn every_problem_is_listed_at_once() {
    let doc = json!({
        "versoin": "1",
        "rules": [
            {"id": "a", "points": "x", "when": {"path": ""}},
            {"id": "b", "points": 1, "when": {"tpye": "page"}, "cap": {"perDay": -1}}
        ]
    });
    let err = Model::from_value(&doc).unwrap_err();
    let Error::InvalidModel(list) = &err else {
        panic!("{err:?}")
    };
    let paths: Vec<&str> = list.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "versoin",
            "version",
            "rules[0].points",
            "rules[0].when.path",
            "rules[1].when.tpye",
            "rules[1].cap.perDay"
        ],
        "{err}"
    );
    assert!(err.to_string().starts_with("invalid model: 6 problem(s): versoin: unknown key \"versoin\", did you mean \"version\"?; version: missing"), "{err}");
}

#[test]
fn hash_is_stable_across_key_order_and_whitespace() {
    let a = Model::from_json(&serde_json::to_string_pretty(&valid()).unwrap()).unwrap();
    // Same document, keys reversed, no whitespace.
    let reordered = r#"{"handoff":{"endpoint":"https://crm.example/intake","stage":"mql"},"stages":{"mql":{"all":[{"gte":50,"score":"total"},{"withinDays":30,"atLeast":2,"matches":"download"}]}},"rules":[{"cap":{"perSession":1},"when":{"path":"/pricing"},"points":10,"id":"pricing"},{"when":{"event":"Asset Downloaded"},"points":3,"id":"download"},{"when":{"containsWord":["VP"],"trait":"title"},"points":15,"kind":"fit","id":"senior"}],"version":"1"}"#;
    let b = Model::from_json(reordered).unwrap();
    assert_eq!(a.hash(), b.hash());
    assert_eq!(a.hash().len(), 32);
    let mut changed = valid();
    changed["rules"][0]["points"] = json!(11);
    assert_ne!(Model::from_value(&changed).unwrap().hash(), a.hash());
}

#[test]
fn not_json_and_not_an_object() {
    for text in ["", "{", "[]", "42", "null"] {
        assert!(
            matches!(Model::from_json(text), Err(Error::InvalidModel(_))),
            "{text}"
        );
    }
}

#[test]
fn the_documented_example_model_is_valid() {
    let readme = include_str!("fixtures/schema/README.md");
    let start = readme.find("```json\n").expect("example block") + 8;
    let end = start + readme[start..].find("```").unwrap();
    let m = Model::from_json(&readme[start..end]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.rules().len(), 5);
}

/// Problems that come from walking a map of names: each repeated id names the nearest earlier
/// rule with it (a rule with a problem of its own counts too: its id is still taken), unused
/// groups are listed in name order. Pinned as a whole: the order of messages is part of the output.
#[test]
fn repeated_ids_and_unused_groups_in_order() {
    let doc = json!({
        "version": "1",
        "groups": {"zeta": {"max": 5}, "alpha": {"max": 1}, "engagement": {"max": 50}},
        "rules": [
            {"id": "x", "points": 1, "when": {"path": "/a"}},
            {"id": "y", "points": 1, "when": {"path": "/b"}},
            {"id": "x", "points": 1, "when": {"path": "/c"}},
            {"id": "x", "points": "bad", "when": {"path": "/d"}},
            {"id": "x", "points": 1, "when": {"path": "/e"}},
            {"id": "y", "points": 1, "when": {"path": "/f"}}
        ]
    });
    assert_eq!(
        problems(doc),
        [
            "rules[3].points: must be a number, found a string",
            "rules[2].id: duplicate id \"x\" (also rules[0])",
            "rules[3].id: duplicate id \"x\" (also rules[2])",
            "rules[4].id: duplicate id \"x\" (also rules[3])",
            "rules[5].id: duplicate id \"y\" (also rules[1])",
            "groups.alpha: no rule uses group \"alpha\"",
            "groups.zeta: no rule uses group \"zeta\"",
        ]
    );
}

/// An empty key is a key like any other: its path ends in "." (`rules[0].`), and at the root
/// the path is empty. Pinned because the readers take a field's key apart from its path and
/// read an empty key as "the path itself" (benches/SIZE.md, step 33): user keys must not.
#[test]
fn empty_keys_keep_their_dot() {
    let doc = json!({
        "version": "1",
        "": 1,
        "groups": {"": {"max": 5}},
        "rules": [
            {"id": "x", "points": 1, "when": {"path": "/a", "": 2}, "": 3},
            {"id": "y", "points": 1, "when": {"": 2}}
        ]
    });
    assert_eq!(
        problems(doc),
        [
            "unknown key \"\" (expected one of: $schema, id, version, name, description, sessionTimeoutMinutes, decay, groups, limits, grades, rules, stages, handoff)",
            "rules[0].: unknown key \"\" (expected one of: id, description, kind, group, points, when, cap, decay)",
            "rules[0].when.: unknown key \"\" (expected one of: path)",
            "rules[1].when.: unknown key \"\" (expected one of: all, any, not, type, path, pathPrefix, url, referrer, event, query, property, score, matches, visits, trait, identified)",
            "groups.: no rule uses group \"\"",
        ]
    );
}
