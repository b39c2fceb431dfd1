//! Random values for the JSON layer's proptests and for the hand-written writers' (strings
//! with every kind of escape, floats across the whole range, `Value` trees).

use super::Value;
use proptest::prelude::*;

/// Finite doubles: random bits, powers of ten and two, cents, big integers, subnormals.
pub fn arb_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<u64>().prop_map(f64::from_bits).prop_filter("finite", |x| x.is_finite()),
        1 => (-330i32..309).prop_map(|e| 10f64.powi(e)),
        1 => any::<i32>().prop_map(|n| f64::from(n) / 100.0),
        1 => any::<i64>().prop_map(|n| (n >> (n as u64 % 64)) as f64),
        1 => (0u64..1 << 53).prop_map(|n| n as f64 * 10f64.powi((n % 7) as i32)),
        1 => any::<u64>().prop_map(|n| f64::from_bits(n & 0x000f_ffff_ffff_ffff)),
        1 => prop::sample::select(vec![0.0, -0.0, f64::MAX, f64::MIN, f64::MIN_POSITIVE, 5e-324, 9007199254740993.0]),
        // Powers of two: the gap below is half the gap above (a tie can sit outside it).
        1 => (-1074i32..1024).prop_map(|e| 2f64.powi(e)),
    ]
}

/// Short strings with control characters, quotes, backslashes, non-ASCII.
pub fn arb_string() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => any::<char>(),
        1 => (0u32..0x20).prop_map(|n| char::from_u32(n).unwrap()),
        1 => prop::sample::select(vec!['"', '\\', '/', '\u{7f}', 'é', '€', '😀', '\u{2028}', 'a']),
    ];
    prop::collection::vec(c, 0..8).prop_map(String::from_iter)
}

/// `Value` trees up to depth 4 (objects with such string keys).
pub fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![0, 1, u64::MAX, i64::MAX as u64, 1 << 53]).prop_map(Value::from),
        prop::sample::select(vec![i64::MIN, -1, i64::MIN + 1]).prop_map(Value::from),
        arb_f64().prop_map(Value::from),
        arb_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_string(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Any double, NaN and the infinities too (serde_json writes them as `null`).
pub fn arb_any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => arb_f64(),
        1 => prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY]),
    ]
}
