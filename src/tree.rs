//! Reading engine types from a JSON tree (`serde_json::Value`) by hand, for the persisted
//! visitor state and outbox.
//!
//! Why not `serde_json::from_value`: serde's derived `Deserialize`, run through serde_json's tree
//! deserializer, costs a generic visitor per field type; for the state and the outbox that was
//! ~45 KB of the site snippet's wasm (benches/SIZE.md). These readers accept exactly what the
//! derive accepts (each reader's tests compare both on every node of a full document, mutated
//! every way, see [`differential`]): a struct as an object (unknown keys ignored) or as an array
//! in field order, `default` fields optional, `Option` fields also `null`, enum variants as
//! `"name"` or `{"name": content}`, integers only in their type's range.

use crate::text::quote::quoted;
use serde_json::{Map, Value};

pub(crate) type Read<T> = Result<T, String>;

/// A struct's fields, by name from an object or by position from an array; `None` = absent.
pub(crate) fn fields<'a, const N: usize>(
    v: &'a Value,
    names: [&str; N],
    what: &str,
) -> Read<[Option<&'a Value>; N]> {
    match v {
        Value::Object(m) => Ok(names.map(|n| m.get(n))),
        Value::Array(a) if a.len() <= N => {
            let mut i = 0;
            Ok(names.map(|_| {
                i += 1;
                a.get(i - 1)
            }))
        }
        Value::Array(_) => Err(format!("{what}: too many elements")),
        _ => Err(format!("{what}: expected an object")),
    }
}

pub(crate) fn required<T>(f: Option<&Value>, key: &str, read: fn(&Value) -> Read<T>) -> Read<T> {
    match f {
        Some(v) => read(v).map_err(|e| at(key, e)),
        None => Err(missing(key)),
    }
}

/// `e` under `key`. Out of line, like [`missing`]: inlined, each reader's call sites carried
/// their own copy of the formatting, per field of every struct read.
#[inline(never)]
pub(crate) fn at(key: &str, e: String) -> String {
    format!("{key}: {e}")
}

#[inline(never)]
fn at_index(i: usize, e: String) -> String {
    format!("[{i}]: {e}")
}

#[inline(never)]
fn missing(key: &str) -> String {
    format!("missing field `{key}`")
}

pub(crate) fn or_default<T: Default>(
    f: Option<&Value>,
    key: &str,
    read: fn(&Value) -> Read<T>,
) -> Read<T> {
    f.map_or(Ok(T::default()), |v| read(v).map_err(|e| at(key, e)))
}

pub(crate) fn optional<T>(
    f: Option<&Value>,
    key: &str,
    read: fn(&Value) -> Read<T>,
) -> Read<Option<T>> {
    match f {
        None | Some(Value::Null) => Ok(None),
        Some(v) => read(v).map(Some).map_err(|e| at(key, e)),
    }
}

#[inline(never)]
pub(crate) fn wrong(expected: &str) -> String {
    format!("expected {expected}")
}

pub(crate) fn u32_(v: &Value) -> Read<u32> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| wrong("an unsigned 32-bit integer"))
}

pub(crate) fn u64_(v: &Value) -> Read<u64> {
    v.as_u64().ok_or_else(|| wrong("an unsigned integer"))
}

pub(crate) fn i64_(v: &Value) -> Read<i64> {
    v.as_i64().ok_or_else(|| wrong("an integer"))
}

pub(crate) fn f64_(v: &Value) -> Read<f64> {
    v.as_f64().ok_or_else(|| wrong("a number"))
}

pub(crate) fn string(v: &Value) -> Read<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| wrong("a string"))
}

pub(crate) fn object(v: &Value) -> Read<Map<String, Value>> {
    v.as_object().cloned().ok_or_else(|| wrong("an object"))
}

pub(crate) fn list<T>(v: &Value, read: fn(&Value) -> Read<T>) -> Read<Vec<T>> {
    let items = v.as_array().ok_or_else(|| wrong("an array"))?;
    // A loop, not `collect::<Result<..>>()`: that adds an adapter copy per element type.
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(read(item).map_err(|e| at_index(i, e))?);
    }
    Ok(out)
}

/// A tuple (struct): an array of exactly `N` elements.
pub(crate) fn tuple<const N: usize>(v: &Value) -> Read<&[Value]> {
    match v.as_array() {
        Some(a) if a.len() == N => Ok(a),
        _ => Err(format!("expected an array of {N}")),
    }
}

/// An enum variant's name and its content: `"name"` (no content) or `{"name": content}`.
pub(crate) fn variant(v: &Value) -> Read<(&str, Option<&Value>)> {
    match v {
        Value::String(s) => Ok((s, None)),
        Value::Object(m) if m.len() == 1 => match m.iter().next() {
            Some((name, content)) => Ok((name, Some(content))),
            None => Err(wrong("an object with one key")),
        },
        _ => Err(wrong("a string or an object with one key")),
    }
}

/// A unit variant among `names` (index into it).
pub(crate) fn unit(v: &Value, names: &[&str]) -> Read<usize> {
    let (name, content) = variant(v)?;
    if !matches!(content, None | Some(Value::Null)) {
        return Err(format!("variant {} takes no value", quoted(name)));
    }
    names
        .iter()
        .position(|n| *n == name)
        .ok_or_else(|| format!("unknown variant {}", quoted(name)))
}

/// Test support: the differential check of a hand reader against serde's derive.
#[cfg(test)]
pub(crate) mod differential {
    use serde_json::{json, Value};

    /// Every way one value can be wrong or unusual.
    pub(crate) fn mutations(v: &Value) -> Vec<Value> {
        let mut out = vec![
            Value::Null,
            json!(true),
            json!(0),
            json!(-1),
            json!(1.5),
            json!(4294967296_u64),
            json!(u64::MAX),
            json!(i64::MIN),
            json!("x"),
            json!("perDay"),
            json!("mql"),
            json!([]),
            json!([1, 2]),
            json!({}),
            json!({"s": 1}),
            json!({"mql": null}),
            json!({"mql": 1}),
        ];
        match v {
            Value::Array(a) => {
                out.push(Value::Array(a[..a.len().saturating_sub(1)].to_vec()));
                let mut longer = a.clone();
                longer.push(json!(1));
                out.push(Value::Array(longer));
            }
            Value::Object(m) => {
                // The same struct in field order (serde's derive reads arrays too).
                out.push(Value::Array(m.values().cloned().collect()));
            }
            _ => {}
        }
        out
    }

    /// Rebuilds the whole document around a replacement for one node.
    pub(crate) type Rebuild<'a> = dyn Fn(Value) -> Value + 'a;
    /// Called with each node and how to rebuild the document around a replacement for it.
    pub(crate) type Visit<'a> = dyn FnMut(&Rebuild<'_>, &Value) + 'a;

    /// Calls `f` on every node of `v`, and once per object key with that key removed (then the
    /// node is `null` and rebuilding ignores its argument).
    pub(crate) fn each_node(v: &Value, f: &mut Visit<'_>) {
        fn walk(node: &Value, rebuild: &Rebuild<'_>, f: &mut Visit<'_>) {
            f(rebuild, node);
            match node {
                Value::Object(m) => {
                    for (k, child) in m {
                        let without = {
                            let mut m2 = m.clone();
                            m2.remove(k);
                            rebuild(Value::Object(m2))
                        };
                        f(&|_| without.clone(), &Value::Null);
                        let rb = |x: Value| {
                            let mut m2 = m.clone();
                            m2.insert(k.clone(), x);
                            rebuild(Value::Object(m2))
                        };
                        walk(child, &rb, f);
                    }
                }
                Value::Array(a) => {
                    for (i, child) in a.iter().enumerate() {
                        let rb = |x: Value| {
                            let mut a2 = a.clone();
                            a2[i] = x;
                            rebuild(Value::Array(a2))
                        };
                        walk(child, &rb, f);
                    }
                }
                _ => {}
            }
        }
        walk(v, &|x| x, f);
    }
}
