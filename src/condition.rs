//! Conditions: the `when` of rules, the criteria of stages and the routing rules of a handoff.
//!
//! One JSON shape everywhere: `{"all": [...]}`, `{"any": [...]}`, `{"not": {...}}`, or a leaf
//! naming one subject plus its test, e.g. `{"path": "/resources/*"}`,
//! `{"query": "utm_source", "equals": "linkedin"}`, `{"trait": "title", "containsWord": ["VP"]}`,
//! `{"score": "total", "gte": 50}`, `{"matches": "download", "atLeast": 2, "withinDays": 30}`.
//! Which subjects are allowed depends on where the condition sits ([`Scope`]): fit rules see
//! traits only, stage criteria see scores and counts but no single event.

use crate::event::{Event, EventKind};
use crate::fold::{fold_case, fold_char, fold_chars};
use crate::json::{Map, Number, Value};
use crate::model::check::{
    found, index, join, quoting, unknown_key_message, unknown_name, Checker,
};
use crate::model::RuleKind;
use crate::text::join as join_all;
use crate::text::search;
use crate::text::words::is_word_char;
use std::borrow::Cow;

pub const DAY_MS: i64 = 86_400_000;

/// Where a condition is used; decides which subjects it may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `when` of a behaviour rule: the event and the visitor's traits.
    Behavior,
    /// `when` of a fit rule: traits only.
    Fit,
    /// Stage criteria: scores, counts in windows, traits.
    Stage,
    /// Handoff routing: traits only.
    Routing,
}

/// One test applied to a value (a property, a query parameter, a trait or a score).
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Equal; strings compare case-insensitively, numeric strings compare as numbers.
    Equals(Value),
    /// Equal to any of these.
    In(Vec<Value>),
    /// Substring (case-insensitive); for a list value, one element equals it.
    Contains(String),
    /// Any of these words or phrases appears as whole words (case-insensitive):
    /// "Senior Director, EMEA" contains the word "director" but not "direct".
    ContainsWord(Vec<Vec<String>>),
    StartsWith(String),
    EndsWith(String),
    Gte(f64),
    Lte(f64),
    Gt(f64),
    Lt(f64),
    /// Present, not null and not the empty string (or the opposite for `false`).
    Exists(bool),
}

/// A compiled glob: `*` matches any run of characters (also `/`), `?` exactly one;
/// case-insensitive, whole-string.
#[derive(Debug, Clone, PartialEq)]
pub struct Glob {
    pattern: Vec<char>,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob {
            pattern: fold_chars(pattern),
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        wildcard(&self.pattern, text)
    }
}

/// Wildcard match of `p` against the chars of `text`, each folded as it is read; iterative with
/// a single backtrack point, O(len(p) · len(text)), no recursion on hostile patterns. One copy
/// for every text and no folded copy of it (was an ASCII fast path beside a folded `Vec<char>`:
/// two instances of the loop in the snippet's wasm; benches/SIZE.md, step 37).
fn wildcard(p: &[char], text: &str) -> bool {
    // The text still to match, and at the backtrack point the text the star takes from.
    let mut rest = text.chars();
    let mut pi = 0usize;
    let mut star: Option<(usize, core::str::Chars<'_>)> = None;
    while let Some(c) = rest.clone().next() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == fold_char(c)) {
            rest.next();
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, rest.clone()));
            pi += 1;
        } else if let Some((sp, taken)) = &mut star {
            // The star takes one more char.
            taken.next();
            pi = *sp + 1;
            rest = taken.clone();
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// Event type is one of these.
    Type(Vec<EventKind>),
    /// Page path matches one of these globs.
    Path(Vec<Glob>),
    /// Page path starts with one of these prefixes (case-insensitive).
    PathPrefix(Vec<String>),
    /// Full page URL matches one of these globs.
    Url(Vec<Glob>),
    /// Referrer matches one of these globs.
    Referrer(Vec<Glob>),
    /// Track event name matches one of these globs.
    Event(Vec<Glob>),
    Query(String, Vec<Test>),
    /// Event property at a dot path (`properties.asset.type` → `asset.type`).
    Property(String, Vec<Test>),
    /// Visitor trait at a dot path; a name not found at the top level is looked up in the
    /// company (group) traits.
    Trait(String, Vec<Test>),
    /// The visitor has a userId (identified) or not.
    Identified(bool),
    /// A score: `total`, `fit`, `engagement` or a group name.
    Score(String, Vec<Test>),
    /// At least `at_least` matches of any of these rules, within the window if given.
    Matches {
        rules: Vec<String>,
        at_least: u32,
        within_ms: Option<i64>,
    },
    /// At least `at_least` visits (sessions), within the window if given.
    Visits {
        at_least: u32,
        within_ms: Option<i64>,
    },
}

/// Scores as the stage criteria see them.
pub trait ScoreSource {
    fn score_of(&self, name: &str) -> Option<f64>;
}

/// Counters as the stage criteria see them.
pub trait CountSource {
    /// Matches of these rules at or after `since` (or ever, with `None`), up to at least `need`
    /// when available (the rings keep only what criteria can ask for).
    fn rule_matches(&self, rules: &[String], since: Option<i64>) -> u32;
    fn visits(&self, since: Option<i64>) -> u32;
}

/// Everything a condition may look at.
pub struct Facts<'a> {
    pub event: Option<&'a Event>,
    pub traits: &'a Map<String, Value>,
    pub identified: bool,
    pub scores: Option<&'a dyn ScoreSource>,
    pub counts: Option<&'a dyn CountSource>,
    pub as_of: i64,
}

/// Whether `text` is present and one of `globs` matches it. One call site for the four glob
/// conditions (benches/SIZE.md, steps 34 and 41; no longer `#[inline(never)]`, which is
/// smaller now that `eval` calls it once).
fn any_match(globs: &[Glob], text: Option<&str>) -> bool {
    text.is_some_and(|t| globs.iter().any(|g| g.matches(t)))
}

impl Condition {
    pub fn eval(&self, f: &Facts<'_>) -> bool {
        match self {
            Condition::All(cs) => cs.iter().all(|c| c.eval(f)),
            Condition::Any(cs) => cs.iter().any(|c| c.eval(f)),
            Condition::Not(c) => !c.eval(f),
            Condition::Type(kinds) => f.event.is_some_and(|e| kinds.contains(&e.kind)),
            // The four glob conditions: which text, then one `any_match` site.
            Condition::Path(globs)
            | Condition::Url(globs)
            | Condition::Referrer(globs)
            | Condition::Event(globs) => {
                let text = f.event.and_then(|e| match self {
                    Condition::Path(_) => e.path.as_deref(),
                    Condition::Url(_) => e.url.as_deref(),
                    Condition::Referrer(_) => e.referrer.as_deref(),
                    _ if e.kind == EventKind::Track => e.name.as_deref(),
                    _ => None,
                });
                any_match(globs, text)
            }
            Condition::PathPrefix(prefixes) => {
                f.event.and_then(|e| e.path.as_deref()).is_some_and(|p| {
                    let p = fold_case(p);
                    prefixes.iter().any(|pre| p.starts_with(&fold_case(pre)))
                })
            }
            Condition::Query(key, tests) => {
                let v = f
                    .event
                    .and_then(|e| e.query_param(key))
                    .map(|s| Value::String(s.to_string()));
                run_tests(tests, v.as_ref())
            }
            Condition::Property(path, tests) => {
                run_tests(tests, f.event.and_then(|e| lookup(&e.properties, path)))
            }
            Condition::Trait(path, tests) => run_tests(tests, trait_value(f.traits, path)),
            Condition::Identified(want) => f.identified == *want,
            Condition::Score(name, tests) => {
                let v = f
                    .scores
                    .and_then(|s| s.score_of(name))
                    .and_then(Number::from_f64)
                    .map(Value::Number);
                run_tests(tests, v.as_ref())
            }
            // The two counts share their window and threshold (one copy of each).
            Condition::Matches {
                at_least,
                within_ms,
                ..
            }
            | Condition::Visits {
                at_least,
                within_ms,
            } => f.counts.is_some_and(|c| {
                let since = within_ms.map(|w| f.as_of.saturating_sub(w));
                let n = match self {
                    Condition::Matches { rules, .. } => c.rule_matches(rules, since),
                    _ => c.visits(since),
                };
                n >= *at_least
            }),
        }
    }

    /// Roughly what evaluating this costs: 0 for a test on the event or the traits, 1 for a
    /// count in a window, 2 for a score (computing one sums every rule).
    fn cost(&self) -> u8 {
        match self {
            Condition::All(cs) | Condition::Any(cs) => {
                let mut most = 0;
                for c in cs {
                    most = most.max(c.cost());
                }
                most
            }
            Condition::Not(c) => c.cost(),
            Condition::Score(..) => 2,
            Condition::Matches { .. } | Condition::Visits { .. } => 1,
            _ => 0,
        }
    }

    /// Puts the parts of every `all` / `any` in order of [`cost`](Condition::cost), cheapest first
    /// (stable otherwise). Conditions are pure, so the result of every evaluation is unchanged;
    /// only the work done before an `all` fails or an `any` holds shrinks (stage criteria:
    /// "employees ≥ 100" fails before the score is computed).
    pub(crate) fn cheap_first(&mut self) {
        match self {
            Condition::All(cs) | Condition::Any(cs) => {
                for c in cs.iter_mut() {
                    c.cheap_first();
                }
                crate::hash::sort_small(cs, |a, b| a.cost() < b.cost());
            }
            Condition::Not(c) => c.cheap_first(),
            _ => {}
        }
    }

    /// Visit every leaf (for collecting referenced rules, traits and windows).
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Condition)) {
        match self {
            Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| c.walk(visit)),
            Condition::Not(c) => c.walk(visit),
            leaf => visit(leaf),
        }
    }
}

/// Value at a dot path inside an object.
pub fn lookup<'a>(map: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if let Some(v) = map.get(path) {
        return Some(v);
    }
    let mut parts = path.split('.');
    let mut cur = map.get(parts.next()?)?;
    for part in parts {
        cur = cur.as_object()?.get(part)?;
    }
    Some(cur)
}

/// A trait by dot path, falling back to the company traits (`company.<path>`).
pub fn trait_value<'a>(traits: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    lookup(traits, path).or_else(|| match traits.get("company") {
        Some(Value::Object(company)) => lookup(company, path),
        _ => None,
    })
}

fn run_tests(tests: &[Test], v: Option<&Value>) -> bool {
    tests.iter().all(|t| t.check(v))
}

/// Numeric reading of a value: a number, or a string that is a number as a whole once trimmed:
/// JSON's number with a little slack (`[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`:
/// "500", " -3.5 ", "1e3", "+7", ".5"). Anything else is no number, so a numeric test fails on
/// it rather than reading part of it: "12abc", "1 000", "1,000", "500-1000", "0x10" (was the
/// leading number, which read "1 000" and "1.000" as 1 and "0x10" as 0). Non-finite results
/// ("1e999") are no number either.
pub fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let text = s.trim();
            if !is_numeric(text) {
                return None;
            }
            // The shape above is what the number reader takes as it is (both of its backends).
            let n = crate::json::num::parse_f64(text);
            n.is_finite().then_some(n)
        }
        _ => None,
    }
}

/// Whether all of `text` is `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`. One
/// loop over the bytes, each byte's meaning decided by what came before.
fn is_numeric(text: &str) -> bool {
    // Where the reading is: 0 before the mantissa (a sign may come), 1 in it before a point,
    // 2 after its point, 3 just after the `e` (a sign may come), 4 after the exponent's sign
    // or in its digits.
    let (mut at, mut digits, mut exp_digits) = (0u8, 0u32, 0u32);
    for b in text.bytes() {
        at = match (at, b) {
            (0, b'+' | b'-') => 1,
            (0 | 1, b'.') => 2,
            (0..=2, b'0'..=b'9') => {
                digits += 1;
                at.max(1)
            }
            (1 | 2, b'e' | b'E') if digits > 0 => 3,
            (3, b'+' | b'-') => 4,
            (3 | 4, b'0'..=b'9') => {
                exp_digits += 1;
                4
            }
            _ => return false,
        };
    }
    digits > 0 && (at < 3 || exp_digits > 0)
}

/// Reads `[+-]digits[.digits]` (either digit run may be empty, not both) as `str::parse::<f64>`
/// does, correctly rounded, through the JSON layer's number reader: `str::parse::<f64>` itself
/// would bring core's decimal conversion (~12 KB with its power-of-five table) into the
/// snippet's wasm, where the reader uses the browser's own `parseFloat` instead. The reader
/// takes this looser form as it is (a sign, leading zeros, a bare point), so nothing is copied.
/// The tests' reference for the decimal shapes [`as_number`] hands the number reader.
#[cfg(test)]
fn parse_decimal(text: &str) -> Option<f64> {
    // One loop over the bytes after the sign: digits with at most one point among them, at
    // least one digit (was `strip_prefix`, `split_once('.')` and two `all` scans: core's char
    // searcher and iterator code the conditions need nowhere else).
    let body = match text.as_bytes().first() {
        Some(b'-' | b'+') => &text.as_bytes()[1..],
        _ => text.as_bytes(),
    };
    let mut point = false;
    let mut digits = 0;
    for &b in body {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    Some(crate::json::num::parse_f64(text))
}

fn values_equal(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::String(a), Value::String(b)) => {
            a.trim().eq_ignore_ascii_case(b.trim()) || fold_case(a) == fold_case(b)
        }
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::Number(_))
        | (Value::Number(_), Value::String(_)) => match (as_number(actual), as_number(expected)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        (Value::Bool(a), Value::String(b)) | (Value::String(b), Value::Bool(a)) => {
            b.eq_ignore_ascii_case(if *a { "true" } else { "false" })
        }
        (a, b) => a == b,
    }
}

/// The next word of `text` from byte `at` on (a run of [`is_word_char`] chars), with `at` moved
/// past it. One word reader for [`words`] and [`contains_phrase`] (was a `split(..).filter(..)`
/// in each, with core's char searcher and filter code; benches/SIZE.md, step 37).
fn next_word<'t>(text: &'t str, at: &mut usize) -> Option<&'t str> {
    let rest = crate::text::slice(text, *at..);
    let mut start = None;
    for (i, c) in rest.char_indices() {
        match (start, is_word_char(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                *at += i;
                return Some(crate::text::slice(rest, s..i));
            }
            _ => {}
        }
    }
    *at = text.len();
    start.map(|s| crate::text::slice(rest, s..))
}

/// Case-folded ([`fold_case`]) words of a text; what a word char is: [`is_word_char`].
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(w) = next_word(text, &mut at) {
        out.push(fold_case(w));
    }
    out
}

/// Whether `word` folded ([`fold_char`]) is `folded`.
fn folds_to(word: &str, folded: &str) -> bool {
    let mut expected = folded.chars();
    for c in word.chars() {
        if expected.next() != Some(fold_char(c)) {
            return false;
        }
    }
    expected.next().is_none()
}

/// Whether the words of `text`, split and folded as [`words`] does, hold `phrase` (folded words)
/// as a run. Word by word, without building the folded word list: stage criteria run this after
/// every event.
fn contains_phrase(text: &str, phrase: &[String]) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let mut at = 0;
    loop {
        // The phrase's words against the words from `at` on.
        let mut run = at;
        let mut held = true;
        for p in phrase {
            if !next_word(text, &mut run).is_some_and(|w| folds_to(w, p)) {
                held = false;
                break;
            }
        }
        if held {
            return true;
        }
        if next_word(text, &mut at).is_none() {
            return false;
        }
    }
}

impl Test {
    pub fn check(&self, v: Option<&Value>) -> bool {
        if let Test::Exists(want) = self {
            let present = match v {
                None | Some(Value::Null) => false,
                Some(Value::String(s)) => !s.trim().is_empty(),
                Some(_) => true,
            };
            return present == *want;
        }
        let Some(v) = v else { return false };
        if let Value::Array(items) = v {
            // A list value passes when one element passes (tags, interests, ...).
            // The first 64 as a slice, not `take(64)` (an adapter's fold of its own).
            let first = &items[..items.len().min(64)];
            return first
                .iter()
                .any(|item| !item.is_array() && self.check(Some(item)));
        }
        match self {
            Test::Exists(_) => unreachable_exists(),
            // `equals` as an `in` of one: one comparison site.
            Test::Equals(_) | Test::In(_) => {
                let expected = match self {
                    Test::Equals(x) => core::slice::from_ref(x),
                    Test::In(xs) => xs.as_slice(),
                    _ => &[],
                };
                expected.iter().any(|x| values_equal(v, x))
            }
            // The four text tests share one reading of the value, the three below one folding
            // (one copy in the snippet's wasm, not four).
            Test::ContainsWord(_) | Test::Contains(_) | Test::StartsWith(_) | Test::EndsWith(_) => {
                let Some(t) = text_of(v) else { return false };
                let s = match self {
                    Test::ContainsWord(phrases) => {
                        return phrases.iter().any(|p| contains_phrase(&t, p))
                    }
                    Test::Contains(s) | Test::StartsWith(s) | Test::EndsWith(s) => s,
                    _ => return false,
                };
                let (t, s) = (fold_case(&t), fold_case(s));
                match self {
                    Test::Contains(_) => search::contains(&t, &s),
                    Test::StartsWith(_) => t.starts_with(&s),
                    _ => t.ends_with(&s),
                }
            }
            // Likewise the four comparisons: one reading of the number.
            Test::Gte(x) | Test::Lte(x) | Test::Gt(x) | Test::Lt(x) => {
                let Some(n) = as_number(v) else { return false };
                match self {
                    Test::Gte(_) => n >= *x,
                    Test::Lte(_) => n <= *x,
                    Test::Gt(_) => n > *x,
                    _ => n < *x,
                }
            }
        }
    }
}

// `Exists` is handled before the value is unwrapped; this keeps the match exhaustive without
// a panic path.
fn unreachable_exists() -> bool {
    false
}

/// The value's text: a string borrowed (this is on the per-event path, and the text tests fold
/// it into a copy of their own anyway), a number or boolean written.
fn text_of(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(crate::json::number_text(n))),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing with validation
//
// Written for size (the model is parsed in the site snippet, benches/SIZE.md step 29): subjects
// and tests are found by their index in one table and dispatched on it, messages are built by the
// non-generic helpers of `model::check`, lists are filled by loops.

/// Every subject, in the order messages list them: combinators, event subjects (`EVENT`), stage
/// subjects (`STAGE`), then those allowed everywhere.
const SUBJECTS: [&str; 16] = [
    "all",
    "any",
    "not",
    "type",
    "path",
    "pathPrefix",
    "url",
    "referrer",
    "event",
    "query",
    "property",
    "score",
    "matches",
    "visits",
    "trait",
    "identified",
];
/// `SUBJECTS` indices of the subjects that look at one event.
const EVENT: core::ops::Range<usize> = 3..11;
/// `SUBJECTS` indices of the subjects only stage criteria see.
const STAGE: core::ops::Range<usize> = 11..14;
const TESTS: [&str; 11] = [
    "equals",
    "in",
    "contains",
    "containsWord",
    "startsWith",
    "endsWith",
    "gte",
    "lte",
    "gt",
    "lt",
    "exists",
];
/// `TESTS` indices of the numeric tests (`gte`, `lte`, `gt`, `lt`).
const NUMERIC: core::ops::Range<usize> = 6..10;
const EVENT_KINDS: [&str; 5] = ["page", "screen", "track", "identify", "group"];

/// Largest `atLeast` of a `matches` and largest `visits`: each sizes a per-visitor timestamp
/// ring. (The count messages spell it out from this value.)
pub(crate) const MAX_RING: u32 = 50;

/// Deepest nesting accepted: keeps recursion bounded on hostile input.
const MAX_DEPTH: usize = 12;
// The message below spells the limit out.
const _: () = assert!(MAX_DEPTH == 12);

fn position(names: &[&str], key: &str) -> Option<usize> {
    names.iter().position(|n| *n == key)
}

pub(crate) fn parse(ck: &mut Checker, v: &Value, path: &str, scope: Scope) -> Option<Condition> {
    parse_at(ck, v, path, scope, 0)
}

fn parse_at(
    ck: &mut Checker,
    v: &Value,
    path: &str,
    scope: Scope,
    depth: usize,
) -> Option<Condition> {
    if depth > MAX_DEPTH {
        ck.report(path, "nested deeper than 12 levels");
        return None;
    }
    let Value::Object(map) = v else {
        ck.report(path, found("a condition must be an object", v));
        return None;
    };
    // The subjects present, in key order: the first (with its value) and how many.
    let mut first: Option<(usize, &str, &Value)> = None;
    let mut subjects = 0;
    for (key, value) in map {
        if let Some(i) = position(&SUBJECTS, key) {
            subjects += 1;
            if first.is_none() {
                first = Some((i, key, value));
            }
        }
    }
    let Some((si, subject, value)) = first else {
        // Loops, not `keys().find(..)`: each `find` was an iterator fold of its own.
        let mut unknown = None;
        for k in map.keys() {
            if position(&TESTS, k).is_none() && k != "atLeast" && k != "withinDays" {
                unknown = Some(k);
                break;
            }
        }
        match unknown {
            Some(k) => ck.report(&join(path, k), unknown_key_message(k, &SUBJECTS)),
            None => {
                let mut m = String::from("a condition needs one subject: ");
                m.push_str(&join_all(&SUBJECTS, ", "));
                ck.report(path, m);
            }
        }
        return None;
    };
    if subjects > 1 {
        // Named on this cold path only: every subject present, in key order.
        let mut m = String::from("a condition names exactly one subject, found ");
        let mut named = 0;
        for key in map.keys() {
            if position(&SUBJECTS, key).is_some() {
                if named > 0 {
                    m.push_str(" and ");
                }
                named += 1;
                m.push_str(key);
            }
        }
        ck.report(path, m);
        return None;
    }
    let sub_path = join(path, subject);
    // The subject's own reading apart: `sub_path` is dropped here once, not at each of its
    // returns.
    parse_subject(ck, map, path, &sub_path, (si, subject, value), scope, depth)
}

/// The condition `map` at `path`, whose subject is `SUBJECTS[si]` (`subject`, with its `value`),
/// found at `sub_path`.
fn parse_subject(
    ck: &mut Checker,
    map: &Map<String, Value>,
    path: &str,
    sub_path: &str,
    (si, subject, value): (usize, &str, &Value),
    scope: Scope,
    depth: usize,
) -> Option<Condition> {
    // A subject out of its scope: the message's tail, then one report site.
    let out_of_scope = if EVENT.contains(&si) && scope != Scope::Behavior {
        match scope {
            Scope::Fit => {
                " looks at an event; fit rules (they are evaluated on traits) see no single event"
            }
            Scope::Stage => " looks at an event; stage criteria see no single event",
            _ => " looks at an event; routing rules see no single event",
        }
    } else if STAGE.contains(&si) && scope != Scope::Stage {
        " is only available in stage criteria"
    } else {
        ""
    };
    if !out_of_scope.is_empty() {
        ck.report(sub_path, quoting("", subject, out_of_scope));
        return None;
    }

    // The subjects that take no other key (`all` … `event`, and `identified`; `SUBJECTS`'
    // order), checked at one call site (was one per arm).
    if si <= 8 || si == 15 {
        only_keys(ck, map, path, &[subject]);
    }
    match si {
        // all, any, not
        0..=2 => {
            if si == 2 {
                return parse_at(ck, value, sub_path, scope, depth + 1)
                    .map(|c| Condition::Not(Box::new(c)));
            }
            let Value::Array(items) = value else {
                ck.report(sub_path, found("must be a list of conditions", value));
                return None;
            };
            if items.is_empty() {
                ck.report(sub_path, "must not be an empty list");
                return None;
            }
            let before = ck.problems.len();
            let mut parsed = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if let Some(c) = parse_at(ck, item, &index(sub_path, i), scope, depth + 1) {
                    parsed.push(c);
                }
            }
            if ck.problems.len() != before {
                return None;
            }
            Some(if si == 0 {
                Condition::All(parsed)
            } else {
                Condition::Any(parsed)
            })
        }
        // type
        3 => {
            let names = ck.strings(value, sub_path);
            let mut kinds = Vec::new();
            for (i, n) in names.iter().enumerate() {
                match EventKind::parse(n) {
                    Some(k) => kinds.push(k),
                    None => ck.report(
                        &item_path(value, sub_path, i),
                        unknown_name(
                            "unknown event type",
                            n,
                            &EVENT_KINDS,
                            "",
                            " (expected page, screen, track, identify or group)",
                        ),
                    ),
                }
            }
            // `if`, not `then_some`: that builds the condition first and drops it on `false`.
            if kinds.len() == names.len() && !kinds.is_empty() {
                Some(Condition::Type(kinds))
            } else {
                None
            }
        }
        // path, pathPrefix, url, referrer, event
        4..=8 => {
            let before = ck.problems.len();
            let patterns = match value {
                // A blank pattern, in the contract's wording (`strings` would say "must not
                // be empty"; was reworded afterwards on the recorded problem).
                Value::String(s) if s.trim().is_empty() => {
                    ck.report(sub_path, "empty pattern");
                    Vec::new()
                }
                _ => ck.strings(value, sub_path),
            };
            if si <= 5 {
                for (i, p) in patterns.iter().enumerate() {
                    if !p.starts_with('/') && !p.starts_with('*') {
                        ck.report(
                            &item_path(value, sub_path, i),
                            quoting("a path pattern starts with \"/\" or \"*\": ", p, ""),
                        );
                    }
                }
            }
            if ck.problems.len() != before || patterns.is_empty() {
                return None;
            }
            if si == 5 {
                return Some(Condition::PathPrefix(patterns));
            }
            let mut globs = Vec::new();
            for p in &patterns {
                globs.push(Glob::new(p));
            }
            Some(match si {
                4 => Condition::Path(globs),
                6 => Condition::Url(globs),
                7 => Condition::Referrer(globs),
                _ => Condition::Event(globs),
            })
        }
        // query, property, score, trait
        9..=11 | 14 => {
            only_keys_or_tests(ck, map, path, subject);
            let before = ck.problems.len();
            let name = ck.string(Some(value), path, subject, true);
            if si == 11 {
                for k in map.keys() {
                    if position(&TESTS, k).is_some_and(|t| !NUMERIC.contains(&t)) {
                        ck.report_at(path, k, "a score is compared with gte, lte, gt or lt");
                    }
                }
                if let Some(name) = &name {
                    // The three scores and the model's groups (those of its rules).
                    // (Pushed from a slice: a `vec![..]` of the three was more wasm.)
                    let mut known: Vec<&str> = Vec::new();
                    for &s in &["total", "fit", "engagement"] {
                        known.push(s);
                    }
                    for h in &ck.rules {
                        if let Some(g) = h.group() {
                            known.push(g);
                        }
                    }
                    if !known.contains(&name.as_str()) {
                        let m = unknown_name(
                            "unknown score",
                            name,
                            &known,
                            " (total, fit, engagement or a group)",
                            "",
                        );
                        ck.report(sub_path, m);
                    }
                }
            }
            // The tests read even when the name is a problem: every problem in one pass.
            let tests = parse_tests(ck, map, path);
            let (Some(name), Some(tests), true) = (name, tests, ck.problems.len() == before) else {
                return None;
            };
            Some(match si {
                9 => Condition::Query(name, tests),
                10 => Condition::Property(without_prefix(name, "properties."), tests),
                14 => Condition::Trait(without_prefix(name, "traits."), tests),
                _ => Condition::Score(name, tests),
            })
        }
        // identified
        15 => ck.flag(value, path, subject).map(Condition::Identified),
        // matches
        12 => {
            only_keys(ck, map, path, &["matches", "atLeast", "withinDays"]);
            let before = ck.problems.len();
            let rules = ck.strings(value, sub_path);
            // Each name a behaviour rule of the model, reported where it is written.
            for (i, name) in rules.iter().enumerate() {
                let m = match ck.rules.iter().find(|h| h.id.as_ref() == Some(name)) {
                    Some(h) if h.kind == Some(RuleKind::Fit) => quoting(
                        "\"matches\" counts behaviour rules; ",
                        name,
                        " is a fit rule",
                    ),
                    Some(_) => continue,
                    None => {
                        let mut ids: Vec<&str> = Vec::new();
                        for h in &ck.rules {
                            if let Some(id) = &h.id {
                                ids.push(id);
                            }
                        }
                        unknown_name("\"matches\" names unknown rule", name, &ids, "", "")
                    }
                };
                ck.report(&item_path(value, sub_path, i), m);
            }
            let at_least = ck.count(map.get("atLeast"), path, "atLeast", true, 1, MAX_RING);
            let within = window(ck, map, path);
            let (Some(at_least), Some(within_ms), false, true) = (
                at_least,
                within,
                rules.is_empty(),
                ck.problems.len() == before,
            ) else {
                return None;
            };
            Some(Condition::Matches {
                rules,
                at_least,
                within_ms,
            })
        }
        // visits
        _ => {
            only_keys(ck, map, path, &["visits", "withinDays"]);
            let at_least = ck.count(Some(value), path, subject, true, 1, MAX_RING);
            let within = window(ck, map, path);
            let (Some(at_least), Some(within_ms)) = (at_least, within) else {
                return None;
            };
            Some(Condition::Visits {
                at_least,
                within_ms,
            })
        }
    }
}

/// Where an item of a string-or-list value is reported: `path[i]` in a list, `path` for a string.
fn item_path(value: &Value, path: &str, i: usize) -> String {
    if value.is_array() {
        index(path, i)
    } else {
        path.to_string()
    }
}

fn without_prefix(name: String, prefix: &str) -> String {
    match name.strip_prefix(prefix) {
        Some(rest) => rest.to_string(),
        None => name,
    }
}

/// `withinDays`: Some(None) when absent (lifetime), None on a problem.
fn window(ck: &mut Checker, map: &Map<String, Value>, path: &str) -> Option<Option<i64>> {
    match map.get("withinDays") {
        None => Some(None),
        v => {
            let days = ck.positive(v, path, "withinDays", true)?;
            if days > 3660.0 {
                ck.report_at(path, "withinDays", "at most 3660 days");
                return None;
            }
            Some(Some((days * DAY_MS as f64).round() as i64))
        }
    }
}

fn only_keys(ck: &mut Checker, map: &Map<String, Value>, path: &str, allowed: &[&str]) {
    for key in map.keys() {
        if position(allowed, key).is_none() {
            ck.report(&join(path, key), unknown_key_message(key, allowed));
        }
    }
}

/// [`only_keys`] for a subject that takes tests: the subject, then every test.
fn only_keys_or_tests(ck: &mut Checker, map: &Map<String, Value>, path: &str, subject: &str) {
    // A copy of a constant list with the subject set first (was a `Vec` extended from `TESTS`).
    let mut allowed = SUBJECT_AND_TESTS;
    allowed[0] = subject;
    only_keys(ck, map, path, &allowed);
}

/// `TESTS` after a place for the subject, copied from `TESTS` at compile time.
const SUBJECT_AND_TESTS: [&str; TESTS.len() + 1] = {
    let mut all = [""; TESTS.len() + 1];
    let mut i = 0;
    while i < TESTS.len() {
        all[i + 1] = TESTS[i];
        i += 1;
    }
    all
};

fn parse_tests(ck: &mut Checker, map: &Map<String, Value>, path: &str) -> Option<Vec<Test>> {
    let before = ck.problems.len();
    let mut tests = Vec::new();
    for (key, v) in map {
        let Some(t) = position(&TESTS, key) else {
            continue;
        };
        let test = match t {
            0 => scalar(ck, v, path, key).map(Test::Equals),
            1 => match v {
                Value::Array(items) if !items.is_empty() => {
                    let p = join(path, key);
                    let mut vals = Vec::new();
                    for (i, x) in items.iter().enumerate() {
                        if let Some(x) = scalar(ck, x, &index(&p, i), "") {
                            vals.push(x);
                        }
                    }
                    Some(Test::In(vals))
                }
                Value::Array(_) => {
                    ck.report_at(path, key, "must not be an empty list");
                    None
                }
                other => {
                    ck.report_at(path, key, found("must be a list", other));
                    None
                }
            },
            3 => {
                let list = ck.strings(v, &join(path, key));
                let mut phrases = Vec::new();
                for s in &list {
                    phrases.push(words(s));
                }
                if phrases.iter().any(Vec::is_empty) {
                    ck.report_at(path, key, "each entry needs at least one letter or digit");
                    None
                } else if phrases.is_empty() {
                    None
                } else {
                    Some(Test::ContainsWord(phrases))
                }
            }
            // contains, startsWith, endsWith
            2 | 4 | 5 => ck.string(Some(v), path, key, true).map(|s| match t {
                2 => Test::Contains(s),
                4 => Test::StartsWith(s),
                _ => Test::EndsWith(s),
            }),
            // gte, lte, gt, lt
            6..=9 => ck.number(Some(v), path, key, true).map(|n| match t {
                6 => Test::Gte(n),
                7 => Test::Lte(n),
                8 => Test::Gt(n),
                _ => Test::Lt(n),
            }),
            // exists
            _ => ck.flag(v, path, key).map(Test::Exists),
        };
        if let Some(t) = test {
            tests.push(t);
        }
    }
    if tests.is_empty() && ck.problems.len() == before {
        let mut m = String::from("needs a test: one of ");
        m.push_str(&join_all(&TESTS, ", "));
        ck.report(path, m);
    }
    if ck.problems.len() == before {
        Some(tests)
    } else {
        None
    }
}

fn scalar(ck: &mut Checker, v: &Value, path: &str, key: &str) -> Option<Value> {
    match v {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(v.clone()),
        other => {
            ck.report_at(
                path,
                key,
                found("must be a string, number or boolean", other),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text and number tests, each on the value kinds it reads (text of numbers and
    /// booleans, case folding, numeric strings, list elements) and the ones it refuses.
    #[test]
    fn text_and_number_tests_worked_examples() {
        use crate::json::json;
        let text = |t: &str| t.to_string();
        let cases = [
            (Test::Contains(text("CME")), json!("Acme Corp"), true),
            (Test::Contains(text("x")), json!("Acme"), false),
            (Test::Contains(text("25")), json!(1250), true),
            (Test::Contains(text("RU")), json!(true), true),
            (Test::Contains(text("a")), json!({"a": 1}), false),
            (Test::Contains(text("b")), json!(["a", "xbx"]), true),
            (Test::StartsWith(text("ac")), json!("ACME"), true),
            (Test::StartsWith(text("me")), json!("ACME"), false),
            (
                Test::StartsWith(text("\u{c9}")),
                json!("\u{e9}t\u{e9}"),
                true,
            ),
            (Test::EndsWith(text("ME")), json!("acme"), true),
            (Test::EndsWith(text("ac")), json!("acme"), false),
            (Test::EndsWith(text(".5")), json!(2.5), true),
            (Test::EndsWith(text("a")), json!(null), false),
            (Test::Gte(100.0), json!(100), true),
            (Test::Gte(100.0), json!("99"), false),
            (Test::Lte(100.0), json!("1,000"), false),
            (Test::Gt(100.0), json!("1,000"), false),
            (Test::Lte(100.0), json!(100), true),
            (Test::Gt(100.0), json!(100), false),
            (Test::Gt(100.0), json!("500-1000"), false),
            (Test::Lt(1000.0), json!("500-1000"), false),
            (Test::Gte(500.0), json!(" 1e3 "), true),
            (Test::Gte(500.0), json!("1 000"), false),
            (Test::Lt(500.0), json!("1 000"), false),
            (Test::Gte(10.0), json!("12abc"), false),
            (Test::Equals(json!(0)), json!("0x10"), false),
            (Test::Equals(json!(12)), json!("12abc"), false),
            (Test::Equals(json!(1000)), json!("1e3"), true),
            (Test::Equals(json!("1e3")), json!(1000), true),
            (Test::In(vec![json!(1), json!(1000)]), json!("1 000"), false),
            (Test::Lt(20.0), json!("12abc"), false),
            (Test::Lt(100.0), json!(-1), true),
            (Test::Lt(100.0), json!("many"), false),
            (Test::Lt(100.0), json!(true), false),
            (Test::Lt(100.0), json!([500, 5]), true),
        ];
        for (test, value, expected) in cases {
            assert_eq!(test.check(Some(&value)), expected, "{test:?} {value}");
            assert!(!test.check(None), "{test:?} on no value");
        }
    }

    #[test]
    fn parse_decimal_agrees_with_str_parse() {
        // (`as_number` passes only signs, digits and points: "1e5" never gets here.)
        let table = [
            "0",
            "7",
            "+7",
            "-7",
            "007",
            "1.",
            ".5",
            "-.5",
            "+.25",
            "1000",
            "0.1",
            "0.3",
            "123.456",
            "-0",
            "-0.0",
            "9007199254740991",
            "12345.678901234",
            "0.000001",
            "3.0000000000000000000001",
            // Past 2^53 and 22 decimals: still the correctly rounded value.
            "0.3269313306439629570",
            "123456789012345678901234567890.123456789",
            "0.000000000000000000000000000000000000000000000000000000000001",
            "",
            ".",
            "-",
            "+",
            "1.2.3",
            "--1",
            "1-",
            "0x10",
        ];
        for text in table {
            let std = text.parse::<f64>().ok();
            assert_eq!(parse_decimal(text), std, "{text:?}");
        }
        // Every short decimal (the realistic inputs) reads exactly as `str::parse` reads it.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let int = seed % 1_000_000_000;
            let frac_len = (seed >> 40) % 7;
            let frac = (seed >> 20) % 10u64.pow(frac_len as u32);
            let text = match frac_len {
                0 => format!("{int}"),
                n => format!("{int}.{frac:0n$}", n = n as usize),
            };
            assert_eq!(parse_decimal(&text), text.parse::<f64>().ok(), "{text}");
        }
    }

    #[test]
    fn glob_table() {
        for (pattern, text, expected) in [
            ("/pricing", "/pricing", true),
            ("/pricing", "/PRICING", true),
            ("/pricing", "/pricing/x", false),
            ("/resources/*", "/resources/a/b.pdf", true),
            ("/resources/*", "/resources/", true),
            ("/resources/*", "/resources", false),
            ("*.pdf", "/a/b.PDF", true),
            ("/a*b*c", "/aXXbYYc", true),
            ("/a*b*c", "/aXXcYYb", false),
            ("/v?", "/v1", true),
            ("/v?", "/v10", false),
            ("*", "", true),
            ("", "", true),
            ("", "/", false),
            ("/é*", "/École", true),
            ("/é*", "/ecole", false),
            ("/é*", "/ÉCOLE", true),
            ("**a", "bba", true),
        ] {
            assert_eq!(
                Glob::new(pattern).matches(text),
                expected,
                "{pattern} ~ {text}"
            );
        }
    }

    #[test]
    fn hostile_glob_is_fast() {
        let g = Glob::new(&"*a".repeat(50));
        let text = "a".repeat(49) + "b";
        assert!(!g.matches(&text));
    }

    /// `Glob::matches` as it was: the text folded into a `Vec<char>` first, the wildcard loop
    /// over char indices. The oracle of the proptest below.
    fn glob_by_folded_chars(pattern: &str, text: &str) -> bool {
        let p: Vec<char> = pattern.chars().map(fold_char).collect();
        let t: Vec<char> = text.chars().map(fold_char).collect();
        let (mut ti, mut pi) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
                ti += 1;
                pi += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        while pi < p.len() && p[pi] == '*' {
            pi += 1;
        }
        pi == p.len()
    }

    #[test]
    fn glob_backtracks_over_multibyte_chars() {
        for (pattern, text, expected) in [
            ("*é", "ééÉ", true),
            ("*éa", "ééaéa", true),
            ("*?b", "€€b", true),
            ("*€?", "a€€", true),
            ("a*€", "a€x", false),
            ("?", "€", true),
            ("??", "€", false),
        ] {
            assert_eq!(
                Glob::new(pattern).matches(text),
                expected,
                "{pattern} ~ {text}"
            );
            assert_eq!(glob_by_folded_chars(pattern, text), expected);
        }
    }

    proptest::proptest! {
        /// Globs match as before, on texts and patterns of ASCII and multi-byte chars that
        /// fold (`É`) or not (`€`), with stars and question marks.
        #[test]
        fn globs_match_as_before(
            pattern in "[aAéÉ€/*?]{0,8}",
            text in "[aAbéÉ€/]{0,12}",
        ) {
            proptest::prop_assert_eq!(
                Glob::new(&pattern).matches(&text),
                glob_by_folded_chars(&pattern, &text),
                "{:?} ~ {:?}", pattern, text
            );
        }

        /// Any text of digits, points and signs is a number exactly when `str::parse` reads
        /// one, with its value (the shape check by one byte loop, step 37).
        #[test]
        fn decimal_shapes_as_str_parse(text in "[0-9.+-]{0,7}") {
            proptest::prop_assert_eq!(
                parse_decimal(&text).map(f64::to_bits),
                text.parse::<f64>().ok().map(f64::to_bits),
                "{:?}", text
            );
        }

        /// A numeric string is what `str::parse::<f64>` reads from the whole trimmed text (a
        /// finite value; its "inf" and "nan" cannot be spelled here): digits, separators,
        /// signs, points, exponents, spaces, letters and non-ASCII in any order.
        #[test]
        fn numeric_strings_as_str_parse(s in "[ 0-9,_.+\\-eEx\u{e9}]{0,12}") {
            let got = as_number(&Value::String(s.clone()));
            let std = s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
            proptest::prop_assert_eq!(got.map(f64::to_bits), std.map(f64::to_bits), "{:?}", s);
        }

        /// Any finite double written as Rust writes it (`Display`, `Debug` with its exponent),
        /// as JavaScript writes it (`1e+300`) and as JSON writes it reads back as itself.
        #[test]
        fn numbers_written_read_back(x in crate::json::arb::arb_f64()) {
            let debug = format!("{x:?}");
            let js = match debug.split_once('e') {
                Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
                _ => debug.clone(),
            };
            let json = crate::json::write(&Value::from(x));
            for text in [format!("{x}"), debug, js, json, format!(" {x:e}\t")] {
                let got = as_number(&Value::String(text.clone()));
                proptest::prop_assert_eq!(got.map(f64::to_bits), Some(x.to_bits()), "{:?}", text);
            }
        }
    }

    /// A checker that knows the behaviour rule `x` and the three scores, for stage criteria.
    fn stage_checker() -> crate::model::check::Checker {
        let mut ck = crate::model::check::Checker::default();
        ck.rules.push(crate::model::check::Head {
            at: 0,
            id: Some("x".to_string()),
            kind: Some(RuleKind::Behavior),
            group: Some("engagement".to_string()),
        });
        ck
    }

    #[test]
    fn as_number_table() {
        use crate::json::json;
        for (v, expected) in [
            (json!(5), Some(5.0)),
            (json!("500"), Some(500.0)),
            (json!(" -3.5 "), Some(-3.5)),
            (json!("1e3"), Some(1000.0)),
            (json!("1E-2"), Some(0.01)),
            (json!("+7"), Some(7.0)),
            (json!(".5"), Some(0.5)),
            (json!("5."), Some(5.0)),
            (json!("007"), Some(7.0)),
            (json!("1.000"), Some(1.0)),
            (json!("-0"), Some(-0.0)),
            // Not numbers as a whole: no part of them is read.
            (json!("12abc"), None),
            (json!("1 000"), None),
            (json!(" 1,000 "), None),
            (json!("1_000"), None),
            (json!("500-1000"), None),
            (json!("5000+"), None),
            (json!("0x10"), None),
            (json!("1e"), None),
            (json!("1e+"), None),
            (json!("e3"), None),
            (json!("."), None),
            (json!("-"), None),
            (json!("1.2.3"), None),
            (json!("Infinity"), None),
            (json!("NaN"), None),
            (json!("1e999"), None),
            (json!("many"), None),
            (json!(""), None),
            (json!(true), None),
            (json!(null), None),
        ] {
            assert_eq!(as_number(&v), expected, "{v}");
        }
    }

    #[test]
    fn words_and_phrases() {
        assert_eq!(
            words("Sr. Director, EMEA/APAC"),
            ["sr", "director", "emea", "apac"]
        );
        let t = Test::ContainsWord(vec![words("vice president"), words("vp")]);
        for (title, expected) in [
            ("Vice-President, Sales", true),
            ("SVP", false),
            ("VP", true),
            ("Vice Chair", false),
        ] {
            assert_eq!(
                t.check(Some(&crate::json::json!(title))),
                expected,
                "{title}"
            );
        }
    }

    /// Reordering an `all` / `any` cheapest first never changes what it evaluates to.
    #[test]
    fn cheap_first_keeps_every_result() {
        use crate::json::json;
        struct Fixed(f64, u32);
        impl ScoreSource for Fixed {
            fn score_of(&self, name: &str) -> Option<f64> {
                (name == "total").then_some(self.0)
            }
        }
        impl CountSource for Fixed {
            fn rule_matches(&self, _: &[String], _: Option<i64>) -> u32 {
                self.1
            }
            fn visits(&self, _: Option<i64>) -> u32 {
                self.1
            }
        }
        let conditions = [
            json!({"all": [{"score": "total", "gte": 50}, {"trait": "employees", "gte": 100}, {"visits": 2, "withinDays": 30}]}),
            json!({"any": [{"score": "total", "gte": 50}, {"not": {"trait": "title", "exists": true}}, {"matches": "x", "atLeast": 3}]}),
            json!({"all": [{"any": [{"score": "total", "lt": 10}, {"identified": true}]}, {"not": {"all": [{"visits": 3}, {"trait": "country", "in": ["US"]}]}}]}),
        ];
        let trait_sets = [
            json!({}),
            json!({"employees": 500, "title": "VP", "country": "US"}),
            json!({"employees": 50, "country": "DE"}),
        ];
        for c in &conditions {
            let mut ck = stage_checker();
            let written = parse(&mut ck, c, "c", Scope::Stage).expect("valid");
            let mut reordered = written.clone();
            reordered.cheap_first();
            for traits in &trait_sets {
                for (total, count) in [(0.0, 0), (60.0, 1), (60.0, 5), (5.0, 3)] {
                    for identified in [false, true] {
                        let fixed = Fixed(total, count);
                        let facts = Facts {
                            event: None,
                            traits: traits.as_object().unwrap(),
                            identified,
                            scores: Some(&fixed),
                            counts: Some(&fixed),
                            as_of: 0,
                        };
                        assert_eq!(written.eval(&facts), reordered.eval(&facts), "{c} {traits}");
                    }
                }
            }
        }
        // The cheap part of the first moved ahead of the score.
        let mut ck = stage_checker();
        let mut first = parse(&mut ck, &conditions[0], "c", Scope::Stage).unwrap();
        first.cheap_first();
        let Condition::All(parts) = first else {
            panic!()
        };
        assert!(matches!(parts[0], Condition::Trait(..)), "{parts:?}");
        assert!(matches!(parts[2], Condition::Score(..)), "{parts:?}");
    }

    #[test]
    fn next_word_walks_the_runs() {
        let text = "  Sr. Director,EMEA/ÉCOLE-x ";
        let mut at = 0;
        let mut seen = Vec::new();
        while let Some(w) = next_word(text, &mut at) {
            seen.push(w);
            assert!(seen.len() <= 8, "{seen:?}");
        }
        assert_eq!(seen, ["Sr", "Director", "EMEA", "ÉCOLE", "x"]);
        assert_eq!(at, text.len());
        assert_eq!(next_word("", &mut 0), None);
        assert!(folds_to("École", "école"));
        assert!(!folds_to("École", "écol"));
        assert!(!folds_to("Écol", "école"));
    }

    /// A list value is tested on its first 64 elements only.
    #[test]
    fn list_values_are_read_to_64() {
        let list = |at: usize| {
            let mut items = vec![Value::String("no".into()); 70];
            items[at] = Value::String("yes".into());
            Value::Array(items)
        };
        let t = Test::Equals(Value::String("YES".into()));
        assert!(t.check(Some(&list(0))));
        assert!(t.check(Some(&list(63))));
        assert!(!t.check(Some(&list(64))));
        assert!(!t.check(Some(&list(69))));
    }

    #[test]
    fn cost_is_the_dearest_part() {
        use crate::json::json;
        for (c, cost) in [
            (json!({"trait": "title", "exists": true}), 0),
            (json!({"visits": 2}), 1),
            (json!({"score": "total", "gte": 5}), 2),
            (json!({"all": [{"identified": true}, {"visits": 2}]}), 1),
            (
                json!({"any": [{"visits": 2}, {"score": "fit", "lt": 1}, {"identified": true}]}),
                2,
            ),
            (json!({"not": {"all": [{"identified": true}]}}), 0),
            (
                json!({"all": [{"not": {"matches": "x", "atLeast": 1}}, {"identified": false}]}),
                1,
            ),
        ] {
            let mut ck = stage_checker();
            let parsed = parse(&mut ck, &c, "c", Scope::Stage).expect("valid");
            assert_eq!(parsed.cost(), cost, "{c}");
        }
    }

    proptest::proptest! {
        /// `words` by its loop gives the words of the iterator chain it replaced.
        #[test]
        fn words_as_by_the_chain(text in "[ aZ9é\u{c9},./_&-]{0,16}") {
            let chain: Vec<String> = text
                .split(|c: char| !is_word_char(c))
                .filter(|w| !w.is_empty())
                .map(fold_case)
                .collect();
            proptest::prop_assert_eq!(words(&text), chain);
        }

        /// A phrase is found word by word exactly where the folded word lists hold it as a run;
        /// short alphabets so that runs occur.
        #[test]
        fn contains_phrase_as_by_the_word_list(
            text in "[ aAé\u{c9}Σς,-]{0,14}",
            phrase in "[ aAé\u{c9}σ,]{0,6}",
        ) {
            let list = words(&text);
            let p = words(&phrase);
            let by_list = !p.is_empty() && list.windows(p.len()).any(|w| w == p.as_slice());
            proptest::prop_assert_eq!(contains_phrase(&text, &p), by_list);
        }
    }

    /// Word by word matching agrees with matching on the folded word list.
    #[test]
    fn contains_phrase_agrees_with_the_word_list() {
        let texts = [
            "",
            "VP",
            "Senior Vice-President, Sales",
            "vice chair, president",
            "Head of Growth / Head of Marketing",
            "ΟΔΟΣ Director",
            "director",
            "Co-Founder & CEO",
            "  Ärztin  ",
        ];
        let phrases = [
            "vp",
            "vice president",
            "head of marketing",
            "οδος",
            "director",
            "founder ceo",
            "ärztin",
            "of",
        ];
        for text in texts {
            let list = words(text);
            for phrase in phrases {
                let p = words(phrase);
                let by_list = list.windows(p.len()).any(|w| w == p.as_slice());
                assert_eq!(contains_phrase(text, &p), by_list, "{text:?} ~ {phrase:?}");
            }
        }
    }
}
