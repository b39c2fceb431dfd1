//! Worked examples beside proptests against `std::collections::BTreeMap`, the map this one
//! stands in for: same contents, order, return values and serde text.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::SortedMap;

fn entries<K: Clone, V: Clone>(m: &SortedMap<K, V>) -> Vec<(K, V)> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn pairs(list: &[(&str, u32)]) -> Vec<(String, u32)> {
    list.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn insert_keeps_key_order() {
    let mut m = SortedMap::new();
    for (k, v) in [
        ("m", 1),
        ("b", 2),
        ("z", 3),
        ("a", 4),
        ("ab", 5),
        ("B", 6),
        ("", 7),
    ] {
        assert_eq!(m.insert(k.to_string(), v), None, "{k} is new");
    }
    // Byte order, as `String`'s `Ord`: uppercase before lowercase, a prefix first.
    assert_eq!(
        entries(&m),
        pairs(&[
            ("", 7),
            ("B", 6),
            ("a", 4),
            ("ab", 5),
            ("b", 2),
            ("m", 1),
            ("z", 3)
        ])
    );
    assert_eq!(m.len(), 7);
    assert_eq!(
        m.keys().map(String::as_str).collect::<Vec<_>>(),
        ["", "B", "a", "ab", "b", "m", "z"]
    );
}

#[test]
fn insert_replaces_and_returns_the_old_value() {
    let mut m = SortedMap::new();
    assert_eq!(m.insert("a".to_string(), 1), None);
    assert_eq!(m.insert("b".to_string(), 2), None);
    assert_eq!(m.insert("a".to_string(), 10), Some(1));
    assert_eq!(m.insert("a".to_string(), 11), Some(10));
    assert_eq!(entries(&m), pairs(&[("a", 11), ("b", 2)]));
}

#[test]
fn lookups() {
    let mut m = SortedMap::new();
    for (k, v) in [("intent", 5.0), ("engagement", 12.5), ("fit", -3.0)] {
        m.insert(k.to_string(), v);
    }
    assert_eq!(m.get("fit"), Some(&-3.0));
    assert_eq!(m.get(&"intent".to_string()), Some(&5.0));
    assert_eq!(m.get("fi"), None);
    assert_eq!(m.get("zzz"), None);
    assert!(m.contains_key("engagement"));
    assert!(!m.contains_key("Engagement"));
    assert_eq!(m["engagement"], 12.5);
    *m.get_mut("intent").unwrap() += 1.0;
    assert_eq!(m.get("intent"), Some(&6.0));
    assert_eq!(m.get_mut("nope"), None);
}

#[test]
#[should_panic(expected = "no entry found for key")]
fn index_of_a_missing_key_panics() {
    let m: SortedMap<String, u32> = SortedMap::new();
    let _ = m["missing"];
}

#[test]
fn get_or_insert_default_inserts_once_in_order() {
    let mut m: SortedMap<String, u32> = SortedMap::new();
    *m.get_or_insert_default("c") += 1;
    *m.get_or_insert_default("a") += 5;
    *m.get_or_insert_default("c") += 1;
    assert_eq!(entries(&m), pairs(&[("a", 5), ("c", 2)]));
}

#[test]
fn iter_mut_and_values_mut_reach_every_value_in_order() {
    let mut m = SortedMap::new();
    for (k, v) in [("b", 2), ("a", 1), ("c", 3)] {
        m.insert(k.to_string(), v);
    }
    let mut seen = Vec::new();
    for (k, v) in m.iter_mut() {
        seen.push(k.clone());
        *v *= 10;
    }
    assert_eq!(seen, ["a", "b", "c"]);
    for v in m.values_mut() {
        *v += 1;
    }
    assert_eq!(entries(&m), pairs(&[("a", 11), ("b", 21), ("c", 31)]));
    let by_ref: Vec<(&String, &u32)> = (&m).into_iter().collect();
    assert_eq!(by_ref.len(), 3);
    assert_eq!(m.iter().len(), 3);
}

#[test]
fn remove_and_retain() {
    let mut m = SortedMap::new();
    for (k, v) in [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)] {
        m.insert(k.to_string(), v);
    }
    assert_eq!(m.remove("c"), Some(3));
    assert_eq!(m.remove("c"), None);
    assert_eq!(m.remove("zz"), None);
    assert_eq!(
        entries(&m),
        pairs(&[("a", 1), ("b", 2), ("d", 4), ("e", 5)])
    );
    // `retain` sees keys in order and may change the values it keeps.
    let mut asked = Vec::new();
    m.retain(|k, v| {
        asked.push(k.clone());
        *v += 100;
        *v % 2 == 0
    });
    assert_eq!(asked, ["a", "b", "d", "e"]);
    assert_eq!(entries(&m), pairs(&[("b", 102), ("d", 104)]));
    m.retain(|_, _| false);
    assert!(m.is_empty());
    assert_eq!(m, SortedMap::default());
}

#[test]
fn borrowed_str_keys() {
    let mut m: SortedMap<&str, usize> = SortedMap::new();
    assert_eq!(m.insert("x", 0), None);
    assert_eq!(m.insert("x", 3), Some(0));
    assert_eq!(m.get("x"), Some(&3));
}

#[test]
fn debug_prints_as_a_btree_map() {
    let mut m = SortedMap::new();
    let mut b = BTreeMap::new();
    for (k, v) in [("b", 2.5), ("a", -1.0)] {
        m.insert(k.to_string(), v);
        b.insert(k.to_string(), v);
    }
    assert_eq!(format!("{m:?}"), format!("{b:?}"));
    assert_eq!(format!("{m:?}"), r#"{"a": -1.0, "b": 2.5}"#);
}

#[test]
fn serializes_as_a_json_object_in_key_order() {
    let mut m = SortedMap::new();
    for (k, v) in [("intent", 5.0), ("engagement", 12.5), ("Fit", 0.0)] {
        m.insert(k.to_string(), v);
    }
    let text = r#"{"Fit":0.0,"engagement":12.5,"intent":5.0}"#;
    assert_eq!(serde_json::to_string(&m).unwrap(), text);
    assert_eq!(
        serde_json::to_string(&SortedMap::<String, u32>::new()).unwrap(),
        "{}"
    );
}

#[test]
fn deserializes_as_a_btree_map() {
    // A repeated key keeps its last value, as `BTreeMap`'s `Deserialize` does.
    let text = r#"{"b":1,"a":2,"b":3}"#;
    let m: SortedMap<String, u32> = serde_json::from_str(text).unwrap();
    assert_eq!(entries(&m), pairs(&[("a", 2), ("b", 3)]));
    let b: BTreeMap<String, u32> = serde_json::from_str(text).unwrap();
    assert_eq!(entries(&m), b.into_iter().collect::<Vec<_>>());
    // Refused with the same message.
    for bad in ["[1]", "3", r#"{"a":"x"}"#, "null"] {
        let ours = serde_json::from_str::<SortedMap<String, u32>>(bad).map_err(|e| e.to_string());
        let std = serde_json::from_str::<BTreeMap<String, u32>>(bad).map_err(|e| e.to_string());
        assert_eq!(ours.unwrap_err(), std.unwrap_err(), "{bad}");
    }
}

/// One operation of the model-based test, on keys from a small alphabet (so they collide).
#[derive(Debug, Clone)]
enum Op {
    Insert(String, u32),
    Get(String),
    GetMut(String, u32),
    GetOrInsertDefault(String, u32),
    ContainsKey(String),
    Remove(String),
    /// Keep entries whose value modulo the divisor is not the remainder; add 1 to those kept.
    Retain(u32, u32),
}

fn key() -> impl Strategy<Value = String> {
    "[abAB]{0,3}"
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (key(), any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
        1 => key().prop_map(Op::Get),
        1 => (key(), any::<u32>()).prop_map(|(k, v)| Op::GetMut(k, v)),
        1 => (key(), any::<u32>()).prop_map(|(k, v)| Op::GetOrInsertDefault(k, v)),
        1 => key().prop_map(Op::ContainsKey),
        1 => key().prop_map(Op::Remove),
        1 => (2..5u32, 0..5u32).prop_map(|(d, r)| Op::Retain(d, r)),
    ]
}

/// What an operation returned, comparable across the two maps.
fn apply_ours(m: &mut SortedMap<String, u32>, op: &Op) -> Option<u32> {
    match op {
        Op::Insert(k, v) => m.insert(k.clone(), *v),
        Op::Get(k) => m.get(k.as_str()).copied(),
        Op::GetMut(k, v) => m.get_mut(k.as_str()).map(|x| std::mem::replace(x, *v)),
        Op::GetOrInsertDefault(k, v) => {
            let x = m.get_or_insert_default(k.as_str());
            Some(std::mem::replace(x, *v))
        }
        Op::ContainsKey(k) => Some(u32::from(m.contains_key(k.as_str()))),
        Op::Remove(k) => m.remove(k.as_str()),
        Op::Retain(d, r) => {
            m.retain(|_, v| {
                let keep = *v % d != *r;
                *v = v.wrapping_add(1);
                keep
            });
            None
        }
    }
}

fn apply_std(m: &mut BTreeMap<String, u32>, op: &Op) -> Option<u32> {
    match op {
        Op::Insert(k, v) => m.insert(k.clone(), *v),
        Op::Get(k) => m.get(k.as_str()).copied(),
        Op::GetMut(k, v) => m.get_mut(k.as_str()).map(|x| std::mem::replace(x, *v)),
        Op::GetOrInsertDefault(k, v) => {
            let x = m.entry(k.clone()).or_default();
            Some(std::mem::replace(x, *v))
        }
        Op::ContainsKey(k) => Some(u32::from(m.contains_key(k.as_str()))),
        Op::Remove(k) => m.remove(k.as_str()),
        Op::Retain(d, r) => {
            m.retain(|_, v| {
                let keep = *v % d != *r;
                *v = v.wrapping_add(1);
                keep
            });
            None
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn behaves_as_a_btree_map(ops in prop::collection::vec(op(), 0..60)) {
        let mut ours = SortedMap::new();
        let mut std = BTreeMap::new();
        for (i, op) in ops.iter().enumerate() {
            prop_assert_eq!(apply_ours(&mut ours, op), apply_std(&mut std, op), "op {} {:?}", i, op);
            prop_assert_eq!(ours.len(), std.len());
            prop_assert_eq!(ours.is_empty(), std.is_empty());
            prop_assert!(ours.iter().eq(std.iter()), "after op {} {:?}", i, op);
        }
        prop_assert!(ours.keys().eq(std.keys()));
    }

    #[test]
    fn serializes_as_a_btree_map(
        items in prop::collection::vec(("[a-c\"\\\\é\u{1}]{0,4}", -1e6..1e6f64), 0..12),
    ) {
        let mut ours = SortedMap::new();
        let mut std = BTreeMap::new();
        for (k, v) in &items {
            ours.insert(k.clone(), *v);
            std.insert(k.clone(), *v);
        }
        let text = serde_json::to_string(&std).unwrap();
        prop_assert_eq!(&serde_json::to_string(&ours).unwrap(), &text);
        // And back, through serde (integers: a float's text need not read back bit-exact).
        let mut ints = SortedMap::new();
        for (k, v) in &items {
            ints.insert(k.clone(), *v as i64);
        }
        let back: SortedMap<String, i64> =
            serde_json::from_str(&serde_json::to_string(&ints).unwrap()).unwrap();
        prop_assert_eq!(back, ints);
    }
}
