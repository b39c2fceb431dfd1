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

use crate::json::num::push_u64;
use crate::json::{Map, Value};
use crate::text::quote::quoted;

pub(crate) type Read<T> = Result<T, String>;

/// A struct field's value, `None` when absent.
pub(crate) type Field<'v> = Option<&'v Value>;

/// Reads values out of a tree, remembering the first thing wrong (with its path) instead of
/// returning it: each field is then one call of a small method per kind of value returning the
/// value (or a default after an error), and a struct reader checks for an error once, in
/// [`Reader::result`]. Why: generic `Result<T, String>` readers propagated with `?` were
/// inlined per field with their error paths, several KB of the snippet's wasm (benches/SIZE.md).
///
/// After an error, reads go on (returning defaults) but cannot replace it, so the error is the
/// one `?` would have returned from the same reading order. A message is `path: key: what`:
/// the keys and list indices entered ([`Reader::enter`], [`Reader::list`]), then the field's
/// key (none when `""`, as for tuple elements and list items).
pub(crate) struct Reader<'k> {
    error: Option<String>,
    path: Vec<Step<'k>>,
}

enum Step<'k> {
    Key(&'k str),
    Index(usize),
}

/// `v` unless it is `null` (an `Option` field: absent or `null` is `None`).
pub(crate) fn present(f: Field<'_>) -> Field<'_> {
    f.filter(|v| !v.is_null())
}

impl<'k> Reader<'k> {
    pub(crate) fn new() -> Self {
        Reader {
            error: None,
            path: Vec::new(),
        }
    }

    /// `value`, or the first error met while reading it.
    pub(crate) fn result<T>(self, value: T) -> Read<T> {
        match self.error {
            None => Ok(value),
            Some(e) => Err(e),
        }
    }

    /// Records `parts` (concatenated) under the current path and `key`, unless an error is
    /// already recorded.
    #[cold]
    #[inline(never)]
    pub(crate) fn fail(&mut self, key: &str, parts: &[&str]) {
        if self.error.is_some() {
            return;
        }
        let mut e = String::new();
        for step in &self.path {
            match step {
                Step::Key(k) => e.push_str(k),
                Step::Index(i) => {
                    e.push('[');
                    push_u64(*i as u64, &mut e);
                    e.push(']');
                }
            }
            e.push_str(": ");
        }
        if !key.is_empty() {
            e.push_str(key);
            e.push_str(": ");
        }
        for part in parts {
            e.push_str(part);
        }
        self.error = Some(e);
    }

    /// Records "expected `what`" under `key`.
    #[inline(never)]
    pub(crate) fn expected(&mut self, key: &str, what: &str) {
        self.fail(key, &["expected ", what]);
    }

    /// Reads under `key` until [`Reader::leave`] (a nested struct's fields).
    #[inline(never)]
    pub(crate) fn enter(&mut self, key: &'k str) {
        self.path.push(Step::Key(key));
    }

    #[inline(never)]
    pub(crate) fn leave(&mut self) {
        self.path.pop();
    }

    /// `f`, recording "missing field" when it is absent (a field without `default`).
    #[inline(never)]
    pub(crate) fn need<'v>(&mut self, f: Field<'v>, key: &str) -> Field<'v> {
        if f.is_none() {
            self.fail("", &["missing field `", key, "`"]);
        }
        f
    }

    /// A struct's fields, by name from an object or by position from an array; all absent
    /// when `f` is (then the struct's own defaults or "missing field" errors apply).
    pub(crate) fn fields<'v, const N: usize>(
        &mut self,
        f: Field<'v>,
        key: &str,
        names: &[&str; N],
        what: &str,
    ) -> [Field<'v>; N] {
        let mut out = [None; N];
        self.fill_fields(f, key, names, what, &mut out);
        out
    }

    #[inline(never)]
    fn fill_fields<'v>(
        &mut self,
        f: Field<'v>,
        key: &str,
        names: &[&str],
        what: &str,
        out: &mut [Field<'v>],
    ) {
        match f {
            None => {}
            Some(Value::Object(m)) => {
                for (slot, name) in out.iter_mut().zip(names) {
                    *slot = m.get(*name);
                }
            }
            Some(Value::Array(a)) if a.len() <= out.len() => {
                for (slot, item) in out.iter_mut().zip(a) {
                    *slot = Some(item);
                }
            }
            Some(Value::Array(_)) => self.fail(key, &[what, ": too many elements"]),
            Some(_) => self.fail(key, &[what, ": expected an object"]),
        }
    }

    /// A tuple (struct): an array of exactly `N` elements; all absent when it is not.
    pub(crate) fn tuple<'v, const N: usize>(&mut self, f: Field<'v>, key: &str) -> [Field<'v>; N] {
        let items = self.tuple_items(f, key, N);
        core::array::from_fn(|i| items.get(i))
    }

    #[inline(never)]
    fn tuple_items<'v>(&mut self, f: Field<'v>, key: &str, n: usize) -> &'v [Value] {
        match f {
            Some(Value::Array(a)) if a.len() == n => a,
            None => &[],
            Some(_) => {
                let mut len = String::new();
                push_u64(n as u64, &mut len);
                self.fail(key, &["expected an array of ", &len]);
                &[]
            }
        }
    }

    /// A required `u32` field ([`Reader::need`] then [`Reader::u32`]).
    #[inline(never)]
    pub(crate) fn need_u32(&mut self, f: Field<'_>, key: &str) -> u32 {
        let f = self.need(f, key);
        self.u32(f, key)
    }

    /// A required `i64` field.
    #[inline(never)]
    pub(crate) fn need_i64(&mut self, f: Field<'_>, key: &str) -> i64 {
        let f = self.need(f, key);
        self.i64(f, key)
    }

    /// A required `String` field.
    #[inline(never)]
    pub(crate) fn need_string(&mut self, f: Field<'_>, key: &str) -> String {
        let f = self.need(f, key);
        self.string(f, key)
    }

    #[inline(never)]
    pub(crate) fn u32(&mut self, f: Field<'_>, key: &str) -> u32 {
        match f {
            None => 0,
            Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) => n,
                None => {
                    self.expected(key, "an unsigned 32-bit integer");
                    0
                }
            },
        }
    }

    #[inline(never)]
    pub(crate) fn u64(&mut self, f: Field<'_>, key: &str) -> u64 {
        match f {
            None => 0,
            Some(v) => v.as_u64().unwrap_or_else(|| {
                self.expected(key, "an unsigned integer");
                0
            }),
        }
    }

    #[inline(never)]
    pub(crate) fn i64(&mut self, f: Field<'_>, key: &str) -> i64 {
        match f {
            None => 0,
            Some(v) => v.as_i64().unwrap_or_else(|| {
                self.expected(key, "an integer");
                0
            }),
        }
    }

    #[inline(never)]
    pub(crate) fn f64(&mut self, f: Field<'_>, key: &str) -> f64 {
        match f {
            None => 0.0,
            Some(v) => v.as_f64().unwrap_or_else(|| {
                self.expected(key, "a number");
                0.0
            }),
        }
    }

    #[inline(never)]
    pub(crate) fn string(&mut self, f: Field<'_>, key: &str) -> String {
        match f {
            None => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.expected(key, "a string");
                String::new()
            }
        }
    }

    /// An `Option<i64>` field: absent or `null` is `None`.
    #[inline(never)]
    pub(crate) fn opt_i64(&mut self, f: Field<'_>, key: &str) -> Option<i64> {
        present(f).map(|v| self.i64(Some(v), key))
    }

    /// An `Option<String>` field: absent or `null` is `None`.
    #[inline(never)]
    pub(crate) fn opt_string(&mut self, f: Field<'_>, key: &str) -> Option<String> {
        present(f).map(|v| self.string(Some(v), key))
    }

    #[inline(never)]
    pub(crate) fn object(&mut self, f: Field<'_>, key: &str) -> Map<String, Value> {
        match f {
            None => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => {
                self.expected(key, "an object");
                Map::new()
            }
        }
    }

    /// A list field, each element read by `read` under its index; empty when absent.
    pub(crate) fn list<'v, T>(
        &mut self,
        f: Field<'v>,
        key: &'k str,
        read: fn(&mut Self, &'v Value) -> T,
    ) -> Vec<T> {
        let mut out = Vec::new();
        self.each(f, key, &mut |r, item| out.push(read(r, item)));
        out
    }

    /// [`Reader::list`]'s loop, once for every element type (only the push is per type: a
    /// loop per type was ~90 B more gzip).
    #[inline(never)]
    fn each<'v>(&mut self, f: Field<'v>, key: &'k str, read: &mut dyn FnMut(&mut Self, &'v Value)) {
        let items = match f {
            None => &[][..],
            Some(Value::Array(a)) => a,
            Some(_) => {
                self.expected(key, "an array");
                &[]
            }
        };
        self.path.push(Step::Key(key));
        for (i, item) in items.iter().enumerate() {
            self.path.push(Step::Index(i));
            read(self, item);
            self.path.pop();
        }
        self.path.pop();
    }

    /// An enum variant's name and its content: `"name"` (no content) or `{"name": content}`;
    /// `None` when absent or wrong.
    #[inline(never)]
    pub(crate) fn variant<'v>(&mut self, f: Field<'v>, key: &str) -> Option<(&'v str, Field<'v>)> {
        match f? {
            Value::String(s) => Some((s, None)),
            Value::Object(m) if m.len() == 1 => m.iter().next().map(|(k, c)| (k.as_str(), Some(c))),
            _ => {
                self.expected(key, "a string or an object with one key");
                None
            }
        }
    }

    /// A unit variant among `names` (index into it); `None` when absent or wrong.
    #[inline(never)]
    pub(crate) fn unit(&mut self, f: Field<'_>, key: &str, names: &[&str]) -> Option<usize> {
        let (name, content) = self.variant(f, key)?;
        if !matches!(content, None | Some(Value::Null)) {
            let message = format!("variant {} takes no value", quoted(name));
            self.fail(key, &[&message]);
            return None;
        }
        let index = names.iter().position(|n| *n == name);
        if index.is_none() {
            let message = format!("unknown variant {}", quoted(name));
            self.fail(key, &[&message]);
        }
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;
    use proptest::prelude::*;

    #[test]
    fn the_first_error_wins_and_carries_its_path() {
        let mut r = Reader::new();
        r.enter("r");
        r.enter("r1");
        assert_eq!(r.u32(Some(&json!(-1)), "m"), 0);
        r.leave();
        r.fail("later", &["ignored"]);
        assert_eq!(r.string(Some(&json!(1)), "s"), "");
        r.leave();
        assert_eq!(
            r.result(()),
            Err("r: r1: m: expected an unsigned 32-bit integer".to_string())
        );
    }

    #[test]
    fn absent_fields_are_defaults_and_need_names_the_missing_one() {
        let mut r = Reader::new();
        assert_eq!(r.u32(None, "a"), 0);
        assert_eq!(r.i64(None, "a"), 0);
        assert_eq!(r.string(None, "a"), "");
        assert_eq!(r.opt_string(Some(&Value::Null), "a"), None);
        assert_eq!(r.opt_i64(Some(&json!(-3)), "a"), Some(-3));
        assert!(r.list(None, "a", |r, v| r.u64(Some(v), "")).is_empty());
        assert_eq!(r.fields(None, "a", &["x", "y"], "pair"), [None, None]);
        assert_eq!(r.unit(None, "a", &["x"]), None);
        r.enter("t");
        assert_eq!(r.need_i64(None, "at"), 0);
        r.leave();
        assert_eq!(r.result(()), Err("t: missing field `at`".to_string()));
    }

    #[test]
    fn fields_by_name_or_position() {
        let mut r = Reader::new();
        let (one, two) = (json!(1), json!(2));
        let by_name = json!({"y": 2, "x": 1, "z": 3});
        assert_eq!(
            r.fields(Some(&by_name), "", &["x", "y"], "pair"),
            [Some(&one), Some(&two)]
        );
        let short = json!([1]);
        assert_eq!(
            r.fields(Some(&short), "", &["x", "y"], "pair"),
            [Some(&one), None]
        );
        assert!(r.result(()).is_ok());
        for (v, error) in [
            (json!([1, 2, 3]), "p: pair: too many elements"),
            (json!("x"), "p: pair: expected an object"),
        ] {
            let mut r = Reader::new();
            assert_eq!(r.fields(Some(&v), "p", &["x", "y"], "pair"), [None, None]);
            assert_eq!(r.result(()), Err(error.to_string()));
        }
    }

    #[test]
    fn lists_and_tuples_name_the_element() {
        let mut r = Reader::new();
        let v = json!([[1, 2.5], [2, "x"], [3]]);
        let read = r.list(Some(&v), "b", |r, item| {
            let [at, points] = r.tuple(Some(item), "");
            (r.i64(at, ""), r.f64(points, ""))
        });
        assert_eq!(read, [(1, 2.5), (2, 0.0), (0, 0.0)]);
        assert_eq!(r.result(()), Err("b: [1]: expected a number".to_string()));

        let mut r = Reader::new();
        let v = json!([[1, 2.5], [3]]);
        r.list(Some(&v), "b", |r, item| {
            r.tuple::<2>(Some(item), "")[0].is_some()
        });
        // The list's path is left after it: a later error has none of it.
        r.u32(Some(&json!("x")), "n");
        assert_eq!(
            r.result(()),
            Err("b: [1]: expected an array of 2".to_string())
        );

        let mut r = Reader::new();
        r.list(Some(&json!({})), "b", |r, v| r.u32(Some(v), ""));
        assert_eq!(r.result(()), Err("b: expected an array".to_string()));
    }

    #[test]
    fn variants_and_unit_variants() {
        let mut r = Reader::new();
        let names = ["perDay", "total"];
        assert_eq!(r.unit(Some(&json!("total")), "cap", &names), Some(1));
        assert_eq!(
            r.unit(Some(&json!({"perDay": null})), "cap", &names),
            Some(0)
        );
        let content = json!(5);
        assert_eq!(
            r.variant(Some(&json!({"s": 5})), "a"),
            Some(("s", Some(&content)))
        );
        assert!(r.result(()).is_ok());
        for (v, error) in [
            (json!("weekly"), "cap: unknown variant \"weekly\""),
            (json!({"total": 1}), "cap: variant \"total\" takes no value"),
            (
                json!({"total": null, "perDay": null}),
                "cap: expected a string or an object with one key",
            ),
            (json!(1), "cap: expected a string or an object with one key"),
        ] {
            let mut r = Reader::new();
            assert_eq!(r.unit(Some(&v), "cap", &names), None);
            assert_eq!(r.result(()), Err(error.to_string()), "{v}");
        }
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            (0..=u32::MAX as u64 + 1).prop_map(Value::from),
        ]
    }

    proptest! {
        /// Each number kind accepts exactly what serde reads as that type, with the same value.
        #[test]
        fn number_kinds_read_what_serde_reads(v in number()) {
            let mut r = Reader::new();
            let u32_ = r.u32(Some(&v), "");
            prop_assert_eq!(r.result(u32_).ok(), crate::json::from_value::<u32>(&v).ok());
            let mut r = Reader::new();
            let u64_ = r.u64(Some(&v), "");
            prop_assert_eq!(r.result(u64_).ok(), crate::json::from_value::<u64>(&v).ok());
            let mut r = Reader::new();
            let i64_ = r.i64(Some(&v), "");
            prop_assert_eq!(r.result(i64_).ok(), crate::json::from_value::<i64>(&v).ok());
            let mut r = Reader::new();
            let f64_ = r.f64(Some(&v), "");
            prop_assert_eq!(r.result(f64_).ok(), crate::json::from_value::<f64>(&v).ok());
        }

        /// However many reads fail after the first, the first one's message is kept.
        #[test]
        fn later_failures_never_replace_the_first(keys in prop::collection::vec("[a-z]{1,3}", 1..8)) {
            let mut r = Reader::new();
            for key in &keys {
                r.i64(Some(&json!("x")), key);
            }
            prop_assert_eq!(r.result(()), Err(format!("{}: expected an integer", keys[0])));
        }
    }
}

/// Test support: the differential check of a hand reader against serde's derive.
#[cfg(test)]
pub(crate) mod differential {
    use crate::json::{json, Value};

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
