//! The validation walker: reads a JSON document while collecting every problem with its path,
//! instead of stopping at the first one (serde's derive would stop and could not say "did you mean").

use super::RuleKind;
use crate::error::Problem;
use crate::fold::fold_chars;
use crate::json::num::push_u64;
use crate::json::{Map, Value};
use crate::text::quote::push_quoted;

#[derive(Default)]
pub(crate) struct Checker {
    pub problems: Vec<Problem>,
    /// What every rule says of itself, valid or not: ids, kinds and groups are checked against
    /// each other over these, and stage criteria check the rules and scores they name against
    /// them as they are read, so a name is reported at its own path, in the same pass as every
    /// other problem (a rule with a problem of its own is still a rule the model names). One
    /// list for both (a second list of names was ~0.2 KB of wasm).
    pub rules: Vec<Head>,
}

/// What a rule says of itself, read even when the rule has a problem: its index in `rules`, its
/// id, kind and group (each `None` when absent or itself a problem; the group's default is
/// filled in).
pub(crate) struct Head {
    pub at: usize,
    pub id: Option<String>,
    pub kind: Option<RuleKind>,
    pub group: Option<String>,
}

impl Head {
    /// The group of a rule that has one known kind: the groups a model has.
    pub fn group(&self) -> Option<&str> {
        self.kind.and(self.group.as_deref())
    }
}

/// `path.key` (`key` at the root).
#[inline(never)]
pub(crate) fn join(path: &str, key: &str) -> String {
    let mut out = String::from(path);
    if !path.is_empty() {
        out.push('.');
    }
    out.push_str(key);
    out
}

/// `path[i]`.
#[inline(never)]
pub(crate) fn index(path: &str, i: usize) -> String {
    let mut out = String::from(path);
    out.push('[');
    push_u64(i as u64, &mut out);
    out.push(']');
    out
}

/// Edit distance (insert, delete, substitute, swap two neighbours), case-insensitive: for
/// "did you mean" only, where a swapped pair ("pgae") is the commonest typo.
#[cfg(test)]
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    folded_distance(&fold_chars(a), &fold_chars(b))
}

/// [`edit_distance`] of two folded texts.
fn folded_distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    // Exclusive ranges: `0..=n` is a `RangeInclusive` iterator of its own in the snippet.
    for i in 0..a.len() + 1 {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..a.len() + 1 {
        for j in 1..b.len() + 1 {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    d[a.len() * w + b.len()]
}

/// The closest candidate, if it is close enough to be a plausible typo. On a tie, the first.
///
/// The word is folded once, into chars: their number is the word's (no `chars().count()`,
/// which alone kept core's 836 B char counter in the snippet), and each candidate is folded
/// once for both tests. A prefix match wins over any distance, so one loop can return at the
/// first prefix match (benches/SIZE.md, step 37).
pub(crate) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = fold_chars(word);
    let limit = (word.len() / 3).clamp(1, 3);
    // A truncated name ("sessionTimeout" for "sessionTimeoutMinutes") is a typo too, when the
    // folded word is at least 4 bytes long.
    let mut bytes = 0;
    for c in &word {
        bytes += c.len_utf8();
    }
    let long = bytes >= 4;
    // A loop, not `map`/`filter`/`min_by_key`: the iterator chain was ~0.9 KB of wasm.
    let mut best = None;
    let mut best_distance = limit + 1;
    for c in candidates {
        let candidate = fold_chars(c);
        if long && candidate.starts_with(&word) {
            return Some(c);
        }
        let d = folded_distance(&word, &candidate);
        if d < best_distance {
            best = Some(*c);
            best_distance = d;
        }
    }
    best
}

// Messages are built by pushes in the functions below, not by `format!` at each site: every
// `format!` is an argument table and a call inlined where it stands, and the model reader has
// dozens of them (benches/SIZE.md, step 29).

/// `what` followed by `, found <kind of v>`: "must be a number, found a string".
#[inline(never)]
pub(crate) fn found(what: &str, v: &Value) -> String {
    let mut m = String::from(what);
    m.push_str(", found ");
    m.push_str(kind_of(v));
    m
}

/// `what "name"`, then `tail`, then `, did you mean "x"?` when a candidate is close, else
/// `otherwise`: "unknown stage \"mqll\", did you mean \"mql\"?".
#[inline(never)]
pub(crate) fn unknown_name(
    what: &str,
    name: &str,
    candidates: &[&str],
    tail: &str,
    otherwise: &str,
) -> String {
    let mut m = String::from(what);
    m.push(' ');
    push_quoted(&mut m, name);
    m.push_str(tail);
    match suggest(name, candidates) {
        Some(s) => {
            m.push_str(", did you mean ");
            push_quoted(&mut m, s);
            m.push('?');
        }
        None => m.push_str(otherwise),
    }
    m
}

/// `what "name"` and what follows when no candidate is close: ` (expected one of: a, b)`.
pub(crate) fn unknown_listing(what: &str, name: &str, candidates: &[&str]) -> String {
    let mut otherwise = String::from(" (expected one of: ");
    otherwise.push_str(&crate::text::join(candidates, ", "));
    otherwise.push(')');
    unknown_name(what, name, candidates, "", &otherwise)
}

/// `before "text" after`: the messages that quote one name.
#[inline(never)]
pub(crate) fn quoting(before: &str, text: &str, after: &str) -> String {
    let mut m = String::from(before);
    push_quoted(&mut m, text);
    m.push_str(after);
    m
}

pub(crate) fn unknown_key_message(key: &str, allowed: &[&str]) -> String {
    unknown_listing("unknown key", key, allowed)
}

/// The path of the whole document (a model that is not an object, not JSON at all), as event
/// errors name the whole event.
pub(crate) const ROOT: &str = "$";

/// Where a problem is reported: `path`, then `.key` unless `key` is empty. Readers take the
/// key apart from the path so that a field's path is built only when it has a problem (was a
/// `join` at every field read, and its drop; benches/SIZE.md, step 33).
impl Checker {
    pub fn report(&mut self, path: &str, message: impl Into<String>) {
        self.report_in(path, "", message.into());
    }

    /// A problem at `path.key` (at `path` when `key` is empty). For the model's own key names
    /// only: a document's key may be "" and is reported at `join(path, key)` ("path.").
    pub fn report_at(&mut self, path: &str, key: &str, message: impl Into<String>) {
        self.report_in(path, key, message.into());
    }

    #[inline(never)]
    fn report_in(&mut self, path: &str, key: &str, message: String) {
        // A hostile document could produce millions of problems; the first 200 say enough.
        if self.problems.len() < 200 {
            let path = if key.is_empty() {
                path.to_string()
            } else {
                join(path, key)
            };
            self.problems.push(Problem { path, message });
        }
    }

    /// `v` must be an object whose keys are all in `allowed`.
    pub fn object<'a>(
        &mut self,
        v: &'a Value,
        path: &str,
        allowed: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        match v {
            Value::Object(map) => {
                for key in map.keys() {
                    if !allowed.contains(&key.as_str()) {
                        self.report(&join(path, key), unknown_key_message(key, allowed));
                    }
                }
                Some(map)
            }
            other => {
                self.report(path, found("must be an object", other));
                None
            }
        }
    }

    /// `None` for an absent value, after reporting "missing" if it is `required`. A `null` is
    /// an absent optional value; a required one is passed on, for the reader to say what it
    /// must be instead ("must be a number, found null": the key is there, not missing).
    fn present<'a>(
        &mut self,
        v: Option<&'a Value>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<&'a Value> {
        match v {
            None => {
                if required {
                    self.report_at(path, key, "missing");
                }
                None
            }
            Some(Value::Null) if !required => None,
            Some(v) => Some(v),
        }
    }

    pub fn string(
        &mut self,
        v: Option<&Value>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<String> {
        match self.present(v, path, key, required)? {
            Value::String(s) if s.trim().is_empty() => {
                self.report_at(path, key, "must not be empty");
                None
            }
            Value::String(s) => Some(s.clone()),
            other => {
                self.report_at(path, key, found("must be a string", other));
                None
            }
        }
    }

    pub fn number(
        &mut self,
        v: Option<&Value>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<f64> {
        match self.present(v, path, key, required)? {
            Value::Number(n) => match n.as_f64() {
                Some(f) if f.is_finite() && f.abs() <= 1e12 => Some(f),
                _ => {
                    self.report_at(path, key, "number out of range");
                    None
                }
            },
            other => {
                self.report_at(path, key, found("must be a number", other));
                None
            }
        }
    }

    /// A positive number (> 0).
    pub fn positive(
        &mut self,
        v: Option<&Value>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<f64> {
        let n = self.number(v, path, key, required)?;
        if n <= 0.0 {
            self.report_at(path, key, "must be greater than 0");
            return None;
        }
        Some(n)
    }

    /// A whole number in `min..=max`.
    pub fn count(
        &mut self,
        v: Option<&Value>,
        path: &str,
        key: &str,
        required: bool,
        min: u32,
        max: u32,
    ) -> Option<u32> {
        let n = self.number(v, path, key, required)?;
        if n.fract() != 0.0 || n < f64::from(min) || n > f64::from(max) {
            let mut m = String::from("must be a whole number from ");
            push_u64(u64::from(min), &mut m);
            m.push_str(" to ");
            push_u64(u64::from(max), &mut m);
            self.report_at(path, key, m);
            return None;
        }
        Some(n as u32)
    }

    pub fn boolean(&mut self, v: Option<&Value>, path: &str, key: &str) -> Option<bool> {
        match self.present(v, path, key, false)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.report_at(path, key, found("must be true or false", other));
                None
            }
        }
    }

    /// A required `true` or `false` (a `null` is no answer: "must be true or false, found null").
    pub fn flag(&mut self, v: &Value, path: &str, key: &str) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            other => {
                self.report_at(path, key, found("must be true or false", other));
                None
            }
        }
    }

    /// A string or a non-empty list of strings.
    pub fn strings(&mut self, v: &Value, path: &str) -> Vec<String> {
        // One list filled in every arm (was a `vec![s]` for a single string, a collect of its
        // own before that, and an empty `Vec` per problem arm).
        let mut out = Vec::new();
        match v {
            Value::String(_) => {
                if let Some(s) = self.string(Some(v), path, "", true) {
                    out.push(s);
                }
            }
            Value::Array(items) if items.is_empty() => {
                self.report(path, "must not be an empty list");
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(s) = self.string(Some(item), &index(path, i), "", true) {
                        out.push(s);
                    }
                }
            }
            other => self.report(path, found("must be a string or a list of strings", other)),
        }
        out
    }
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::fold_case;
    use crate::text::quote::quoted;

    #[test]
    fn edit_distance_examples() {
        for (a, b, d) in [
            ("", "", 0),
            ("points", "points", 0),
            ("piont", "point", 1),
            ("pgae", "page", 1),
            ("Points", "points", 0),
            ("cap", "caps", 1),
            ("abc", "xyz", 3),
        ] {
            assert_eq!(edit_distance(a, b), d, "{a} {b}");
        }
    }

    #[test]
    fn message_helpers_worked_examples() {
        assert_eq!(join("", "id"), "id");
        assert_eq!(join("rules[0]", "when"), "rules[0].when");
        assert_eq!(index("rules", 0), "rules[0]");
        assert_eq!(index("a.b", 1234), "a.b[1234]");
        assert_eq!(
            found("must be a list", &Value::Null),
            "must be a list, found null"
        );
        assert_eq!(
            unknown_listing("unknown key", "x\"y", &["a", "b"]),
            "unknown key \"x\\\"y\" (expected one of: a, b)"
        );
        assert_eq!(
            unknown_name("unknown score", "totl", &["total"], " (t)", "!"),
            "unknown score \"totl\" (t), did you mean \"total\"?"
        );
        assert_eq!(
            unknown_name("no rule uses group", "zeta", &["fit"], "", ""),
            "no rule uses group \"zeta\""
        );
        assert_eq!(quoting("a ", "b\n", " c"), "a \"b\\n\" c");
    }

    /// The suggestion loop picks what the iterator chain it replaced picked: the first
    /// candidate with a prefix match, else the first with the least distance within the limit.
    fn suggest_by_chain<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let limit = (word.chars().count() / 3).clamp(1, 3);
        let lower = fold_case(word);
        if lower.len() >= 4 {
            if let Some(c) = candidates.iter().find(|c| fold_case(c).starts_with(&lower)) {
                return Some(c);
            }
        }
        candidates
            .iter()
            .map(|c| (edit_distance(word, c), *c))
            .filter(|(d, _)| *d <= limit)
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c)
    }

    proptest::proptest! {
        #[test]
        fn helpers_agree_with_format(
            path in "[a-z.\\[\\]0-9]{0,8}",
            key in ".{0,6}",
            i in 0usize..100_000,
            word in "[a-zA-Zé]{0,7}",
            candidates in proptest::collection::vec("[a-zA-Zé]{0,7}", 0..6),
        ) {
            let expected = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            proptest::prop_assert_eq!(join(&path, &key), expected);
            proptest::prop_assert_eq!(index(&path, i), format!("{path}[{i}]"));
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            let best = suggest_by_chain(&word, &candidates);
            proptest::prop_assert_eq!(suggest(&word, &candidates), best);
            let expected = match best {
                Some(s) => format!("unknown key {}, did you mean {}?", quoted(&word), quoted(s)),
                None => format!(
                    "unknown key {} (expected one of: {})",
                    quoted(&word),
                    candidates.join(", ")
                ),
            };
            proptest::prop_assert_eq!(unknown_key_message(&word, &candidates), expected);
            proptest::prop_assert_eq!(quoting("<", &key, ">"), format!("<{}>", quoted(&key)));
        }
    }

    /// The problems `read` reports, as `path | message` lines.
    fn reported(read: impl FnOnce(&mut Checker)) -> Vec<String> {
        let mut ck = Checker::default();
        read(&mut ck);
        ck.problems
            .iter()
            .map(|p| format!("{} | {}", p.path, p.message))
            .collect()
    }

    #[test]
    fn readers_report_at_the_path_and_key() {
        let text = Value::String("x".into());
        let bad: Vec<String> = Vec::new();
        // A key goes after the path; an empty key means the path itself; at the root, the key.
        assert_eq!(
            reported(|ck| assert_eq!(ck.number(Some(&text), "rules[0]", "points", true), None)),
            ["rules[0].points | must be a number, found a string"]
        );
        assert_eq!(
            reported(|ck| assert_eq!(ck.string(None, "", "version", true), None)),
            ["version | missing"]
        );
        assert_eq!(
            reported(|ck| assert_eq!(ck.boolean(Some(&text), "a.cap", ""), None)),
            ["a.cap | must be true or false, found a string"]
        );
        assert_eq!(
            reported(|ck| {
                let three = num("3.5");
                assert_eq!(
                    ck.count(Some(&three), "handoff.retry", "maxAttempts", false, 1, 100),
                    None
                );
            }),
            ["handoff.retry.maxAttempts | must be a whole number from 1 to 100"]
        );
        assert_eq!(
            reported(|ck| {
                let zero = num("0");
                assert_eq!(
                    ck.positive(Some(&zero), "decay", "halfLifeDays", true),
                    None
                );
            }),
            ["decay.halfLifeDays | must be greater than 0"]
        );
        // Absent and not required: nothing to say; a good value reads without a problem.
        assert_eq!(
            reported(|ck| assert_eq!(ck.string(None, "r", "id", false), None)),
            bad
        );
        assert_eq!(
            reported(|ck| assert_eq!(ck.string(Some(&text), "r", "id", true), Some("x".into()))),
            bad
        );
        assert_eq!(
            reported(|ck| ck.report_at("stages", "mql", "m")),
            ["stages.mql | m"]
        );
    }

    /// A JSON number from its text (through the engine's JSON layer).
    fn num(text: &str) -> Value {
        crate::json::parse(text).expect("a number")
    }

    /// A JSON value of every kind the readers tell apart.
    fn any_value() -> impl proptest::strategy::Strategy<Value = Option<Value>> {
        use proptest::prelude::*;
        prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            any::<bool>().prop_map(|b| Some(Value::Bool(b))),
            (-5i64..2_000_000).prop_map(|n| Some(num(&n.to_string()))),
            (-1e13f64..1e13).prop_map(|f| Some(num(&f.to_string()))),
            "[ a-z]{0,3}".prop_map(|s| Some(Value::String(s))),
            Just(Some(Value::Array(Vec::new()))),
        ]
    }

    proptest::proptest! {
        /// Reading with the key apart reports what reading at the joined path reports, and
        /// reads the same value: the key only moves where the path is built.
        #[test]
        fn key_apart_is_the_joined_path(
            v in any_value(),
            path in "[a-z.\\[\\]0-9]{0,8}",
            key in "[a-zA-Z]{1,6}",
            required in proptest::bool::ANY,
            (min, max) in (0u32..50, 50u32..2_000_000),
        ) {
            let v = v.as_ref();
            let full = join(&path, &key);
            let mut got = (None, None, None, None, None);
            let apart = reported(|ck| {
                got = (
                    ck.string(v, &path, &key, required),
                    ck.number(v, &path, &key, required),
                    ck.positive(v, &path, &key, required),
                    ck.count(v, &path, &key, required, min, max),
                    ck.boolean(v, &path, &key),
                );
            });
            let mut want = (None, None, None, None, None);
            let joined = reported(|ck| {
                want = (
                    ck.string(v, &full, "", required),
                    ck.number(v, &full, "", required),
                    ck.positive(v, &full, "", required),
                    ck.count(v, &full, "", required, min, max),
                    ck.boolean(v, &full, ""),
                );
            });
            proptest::prop_assert_eq!(apart, joined);
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn suggestions() {
        let keys = ["id", "points", "when", "cap", "decay", "group"];
        assert_eq!(suggest("piont", &keys), None);
        assert_eq!(suggest("pionts", &keys), Some("points"));
        assert_eq!(suggest("wen", &keys), Some("when"));
        assert_eq!(suggest("groups", &keys), Some("group"));
        assert_eq!(suggest("zzzzzz", &keys), None);
    }
}
