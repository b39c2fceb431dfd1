//! Worked examples beside proptests against serde_json's `Value`, the type this one stands in
//! for: the same numbers, equality, key order, accessors, indexing, pointers, printing and
//! serde data model.

use proptest::prelude::*;
use serde::de::value::{I128Deserializer, U128Deserializer};
use serde::Deserialize;

use super::super::arb::arb_value;
use super::super::{json, parse, write};
use super::{Map, Number, Value};

type Theirs = serde_json::Value;

fn theirs(v: &Value) -> Theirs {
    Theirs::from(v)
}

#[test]
fn integers_keep_their_kind_and_floats_stay_floats() {
    let cases: &[(Value, Option<u64>, Option<i64>, f64)] = &[
        (Value::from(0u64), Some(0), Some(0), 0.0),
        (Value::from(0i64), Some(0), Some(0), 0.0),
        (Value::from(7i32), Some(7), Some(7), 7.0),
        (Value::from(-1i64), None, Some(-1), -1.0),
        (Value::from(u64::MAX), Some(u64::MAX), None, u64::MAX as f64),
        (Value::from(i64::MIN), None, Some(i64::MIN), i64::MIN as f64),
        (Value::from(1.0), None, None, 1.0),
        (Value::from(-0.0), None, None, -0.0),
        (Value::from(2.5e-3), None, None, 2.5e-3),
    ];
    for (v, u, i, x) in cases {
        assert_eq!(
            (v.as_u64(), v.as_i64(), v.as_f64()),
            (*u, *i, Some(*x)),
            "{v:?}"
        );
        let t = theirs(v);
        assert_eq!(
            (t.as_u64(), t.as_i64(), t.as_f64()),
            (*u, *i, Some(*x)),
            "{v:?}"
        );
        assert_eq!(v.is_f64(), t.is_f64(), "{v:?}");
    }
    // JSON has no NaN or infinity: serde_json makes them `null`, so does this type.
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(Value::from(x), Value::Null);
        assert_eq!(Number::from_f64(x), None);
    }
}

#[test]
fn equality_is_serde_jsons() {
    // The same integer however it was made; an integer is not the float of the same value.
    assert_eq!(Value::from(1u64), Value::from(1i64));
    assert_ne!(Value::from(1u64), Value::from(1.0));
    assert_ne!(json!(1), json!(1.0));
    // Floats compare as floats: -0.0 == 0.0.
    assert_eq!(Value::from(-0.0), Value::from(0.0));
    assert_eq!(json!({"b": 1, "a": [null]}), json!({"a": [null], "b": 1}));
    assert_ne!(json!({"a": 1}), json!({"a": 1, "b": 1}));
    assert_ne!(json!([1, 2]), json!([2, 1]));
    // Against scalars, as serde_json's `PartialEq` impls.
    assert_eq!(json!("x"), "x");
    assert_eq!(json!(3), 3i64);
    assert_eq!(json!(3), 3u64);
    assert_ne!(json!(3.0), 3i64);
    assert_eq!(json!(3.0), 3.0);
    assert_eq!(json!(true), true);
}

#[test]
fn objects_iterate_in_key_order() {
    let mut m = Map::new();
    for k in ["m", "b", "z", "a", "ab", "B", ""] {
        m.insert(k.to_string(), Value::from(k.len()));
    }
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    assert_eq!(keys, ["", "B", "a", "ab", "b", "m", "z"]);
    let t = theirs(&Value::Object(m.clone()));
    let their_keys: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, their_keys);
    assert_eq!(
        write(&Value::Object(m)),
        r#"{"":0,"B":1,"a":1,"ab":2,"b":1,"m":1,"z":1}"#
    );
}

#[test]
fn indexing_yields_null_where_nothing_is() {
    let mut v = json!({"a": [1, {"b": "x"}]});
    assert_eq!(v["a"][1]["b"], "x");
    assert_eq!(v["missing"], Value::Null);
    assert_eq!(v["a"][9], Value::Null);
    assert_eq!(v["a"]["b"], Value::Null);
    assert_eq!(v["a"][1]["b"][0], Value::Null);
    // Assigning through a missing key inserts it; a `null` becomes an object.
    v["c"]["d"] = json!(2);
    v["a"][0] = json!(false);
    assert_eq!(v, json!({"a": [false, {"b": "x"}], "c": {"d": 2}}));
    assert_eq!(v.get("c"), Some(&json!({"d": 2})));
    assert_eq!(v["a"].get("b"), None);
}

#[test]
#[should_panic(expected = "not an object")]
fn assigning_a_key_of_a_non_object_panics() {
    let mut v = json!([1]);
    v["a"] = json!(1);
}

#[test]
fn pointers_worked_examples() {
    let v = json!({"a/b": {"~": [10, 20]}, "": 1, "x": [{"y": true}]});
    for (pointer, want) in [
        ("", Some(v.clone())),
        ("/", Some(json!(1))),
        ("/a~1b/~0/1", Some(json!(20))),
        ("/x/0/y", Some(json!(true))),
        ("/x/00/y", None),
        ("/x/+0/y", None),
        ("/x/1", None),
        ("x", None),
        ("/x/0/y/z", None),
    ] {
        assert_eq!(v.pointer(pointer).cloned(), want, "{pointer}");
        assert_eq!(
            theirs(&v).pointer(pointer).map(Value::from),
            want,
            "{pointer}"
        );
    }
    let mut m = v.clone();
    *m.pointer_mut("/a~1b/~0/0").unwrap() = json!("ten");
    assert_eq!(m["a/b"]["~"], json!(["ten", 20]));
    assert!(m.pointer_mut("/nope").is_none());
}

#[test]
fn prints_as_serde_json_prints() {
    let v = json!({"b": [1, -2, 2.5, "s\n"], "a": {"n": null, "t": true}});
    assert_eq!(format!("{v:?}"), format!("{:?}", theirs(&v)));
    assert_eq!(
        format!("{v:?}"),
        r#"Object {"a": Object {"n": Null, "t": Bool(true)}, "b": Array [Number(1), Number(-2), Number(2.5), String("s\n")]}"#
    );
    assert_eq!(v.to_string(), theirs(&v).to_string());
    assert_eq!(Number::from(-3i64).to_string(), "-3");
    assert_eq!(Number::from_f64(1e21).unwrap().to_string(), "1e+21");
}

#[test]
fn wide_integers_read_as_serde_json_reads_them() {
    let wide: [i128; 6] = [
        0,
        -1,
        i128::from(i64::MIN),
        i128::from(i64::MIN) - 1,
        i128::from(u64::MAX),
        i128::from(u64::MAX) + 1,
    ];
    for i in wide {
        let ours = Value::deserialize(I128Deserializer::<serde::de::value::Error>::new(i));
        let std = Theirs::deserialize(I128Deserializer::<serde::de::value::Error>::new(i));
        assert_eq!(
            ours.map_err(|e| e.to_string()),
            std.map(Value::from).map_err(|e| e.to_string()),
            "{i}"
        );
        let Ok(u) = u128::try_from(i) else { continue };
        let ours = Value::deserialize(U128Deserializer::<serde::de::value::Error>::new(u));
        let std = Theirs::deserialize(U128Deserializer::<serde::de::value::Error>::new(u));
        assert_eq!(
            ours.map_err(|e| e.to_string()),
            std.map(Value::from).map_err(|e| e.to_string()),
            "{u}"
        );
    }
}

/// Values from a handful of leaves, so that two drawn independently are often equal.
fn small_value() -> impl Strategy<Value = Value> {
    let leaf = prop::sample::select(vec![
        Value::Null,
        Value::Bool(true),
        Value::from(0u64),
        Value::from(1u64),
        Value::from(1.0),
        Value::from(-0.0),
        Value::from(0.0),
        Value::from(-1i64),
        Value::from("a"),
    ]);
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..2).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(vec!["a", "b"]), inner), 0..2).prop_map(
                |kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            ),
        ]
    })
}

/// A pointer into `v` along one of its paths (or one step off it), escaped.
fn pointer_into(v: &Value, picks: &[usize]) -> String {
    let mut out = String::new();
    let mut at = v;
    for &p in picks {
        let token = match at {
            Value::Object(m) if !m.is_empty() => {
                let (k, next) = m.iter().nth(p % m.len()).unwrap();
                at = next;
                k.replace('~', "~0").replace('/', "~1")
            }
            Value::Array(a) if !a.is_empty() => {
                at = &a[p % a.len()];
                (p % a.len()).to_string()
            }
            _ => p.to_string(),
        };
        out.push('/');
        out.push_str(&token);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn converts_to_serde_json_and_back_unchanged(v in arb_value()) {
        let t = theirs(&v);
        prop_assert_eq!(Value::from(&t), v.clone());
        prop_assert_eq!(Theirs::from(v.clone()), t);
    }

    #[test]
    fn serializes_as_serde_jsons_value(v in arb_value()) {
        let t = theirs(&v);
        prop_assert_eq!(serde_json::to_string(&v).unwrap(), serde_json::to_string(&t).unwrap());
        prop_assert_eq!(
            serde_json::to_string_pretty(&v).unwrap(),
            serde_json::to_string_pretty(&t).unwrap()
        );
        // And through serde_json's tree serializer.
        prop_assert_eq!(serde_json::to_value(&v).unwrap(), t);
    }

    #[test]
    fn deserializes_as_serde_jsons_value(v in arb_value()) {
        let t = theirs(&v);
        let text = serde_json::to_string_pretty(&t).unwrap();
        // From text through serde_json's reader, and from serde_json's tree.
        let from_text: Value = serde_json::from_str(&text).unwrap();
        let their_text: Theirs = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&from_text, &Value::from(their_text));
        prop_assert_eq!(&from_text, &parse(&text).unwrap());
        prop_assert_eq!(Value::deserialize(t).unwrap(), v);
    }

    #[test]
    fn equality_agrees_with_serde_json(a in small_value(), b in small_value()) {
        prop_assert_eq!(a == b, theirs(&a) == theirs(&b), "{:?} / {:?}", a, b);
        prop_assert_eq!(&a, &a.clone());
    }

    #[test]
    fn accessors_agree_with_serde_json(v in arb_value(), key in "[a-c]?", i in 0usize..4) {
        let t = theirs(&v);
        prop_assert_eq!(v.as_u64(), t.as_u64());
        prop_assert_eq!(v.as_i64(), t.as_i64());
        prop_assert_eq!(v.as_f64().map(f64::to_bits), t.as_f64().map(f64::to_bits));
        prop_assert_eq!(v.as_str(), t.as_str());
        prop_assert_eq!(v.as_bool(), t.as_bool());
        prop_assert_eq!(v.as_array().map(Vec::len), t.as_array().map(Vec::len));
        prop_assert_eq!(v.as_object().map(Map::len), t.as_object().map(serde_json::Map::len));
        prop_assert_eq!(
            (v.is_null(), v.is_boolean(), v.is_number(), v.is_string(), v.is_array(), v.is_object()),
            (t.is_null(), t.is_boolean(), t.is_number(), t.is_string(), t.is_array(), t.is_object())
        );
        prop_assert_eq!((v.is_u64(), v.is_i64(), v.is_f64()), (t.is_u64(), t.is_i64(), t.is_f64()));
        prop_assert_eq!(v.get(&key).map(theirs), t.get(&key).cloned());
        prop_assert_eq!(theirs(&v[key.as_str()]), t[key.as_str()].clone());
        prop_assert_eq!(theirs(&v[i]), t[i].clone());
        prop_assert_eq!(format!("{v:?}"), format!("{t:?}"));
        prop_assert_eq!(v.to_string(), t.to_string());
    }

    #[test]
    fn pointers_agree_with_serde_json(v in arb_value(), picks in prop::collection::vec(0usize..6, 0..5)) {
        let pointer = pointer_into(&v, &picks);
        let t = theirs(&v);
        prop_assert_eq!(v.pointer(&pointer).map(theirs), t.pointer(&pointer).cloned(), "{}", pointer);
    }
}
