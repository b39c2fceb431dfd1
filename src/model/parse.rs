//! Reading a model document into typed values, collecting every problem.

use super::check::{
    found, index, join, quoting, suggest, unknown_listing, unknown_name, Checker, Head, ROOT,
};
use super::ModelData;
use super::{
    Bounds, Cap, Decay, GroupSpec, HandoffSpec, Include, Model, Rings, RouteRule, Routing, Rule,
    RuleKind, StageSpec,
};
use crate::condition::{self, Condition, Scope, MAX_RING};
use crate::error::Problem;
use crate::hash;
use crate::json::num::display_f64;
use crate::json::{Map, Value};
use crate::outbox::RetryPolicy;
use crate::stage::Stage;

const MODEL_KEYS: [&str; 13] = [
    "$schema",
    "id",
    "version",
    "name",
    "description",
    "sessionTimeoutMinutes",
    "decay",
    "groups",
    "limits",
    "grades",
    "rules",
    "stages",
    "handoff",
];
const RULE_KEYS: [&str; 8] = [
    "id",
    "description",
    "kind",
    "group",
    "points",
    "when",
    "cap",
    "decay",
];
/// The grade letters, best first.
const GRADES: [&str; 5] = ["A", "B", "C", "D", "E"];
const CAP_KEYS: [&str; 4] = ["once", "perSession", "perDay", "total"];
const BOUND_KEYS: [&str; 3] = ["min", "max", "description"];
const HANDOFF_KEYS: [&str; 6] = [
    "stage",
    "endpoint",
    "slaMinutes",
    "routing",
    "include",
    "retry",
];
const ROUTING_KEYS: [&str; 3] = ["rules", "reps", "team"];
const ROUTE_KEYS: [&str; 3] = ["when", "owner", "team"];
const RETRY_KEYS: [&str; 5] = [
    "maxAttempts",
    "maxAgeMinutes",
    "baseDelaySeconds",
    "maxDelaySeconds",
    "leaseSeconds",
];
/// The largest value of each of `RETRY_KEYS`.
const RETRY_MAX: [u32; 5] = [100, 525_600, 86_400, 604_800, 3_600];
const INCLUDE_PARTS: [&str; 5] = ["traits", "attribution", "ledger", "history", "stages"];
const MAX_RULES: usize = 200;
// Messages spell `MAX_RULES` out.
const _: () = assert!(MAX_RULES == 200);

/// CRM fields a handoff wants even when no rule looks at them.
const STANDARD_TRAITS: [&str; 14] = [
    "email",
    "name",
    "firstName",
    "lastName",
    "title",
    "phone",
    "company",
    "employees",
    "industry",
    "country",
    "city",
    "website",
    "role",
    "seniority",
];
const MAX_KEPT_TRAITS: usize = 24;

pub(super) fn parse_model(v: &Value) -> Result<Model, Vec<Problem>> {
    let mut ck = Checker::default();
    // Not an object: the document itself is the problem, named as event errors name the
    // event (`$`; its keys' paths start at the root: `version`, `rules[0]`).
    if !v.is_object() {
        ck.report(ROOT, found("must be an object", v));
        return Err(ck.problems);
    }
    let Some(root) = ck.object(v, "", &MODEL_KEYS) else {
        return Err(ck.problems);
    };
    let id = ck.string(root.get("id"), "", "id", false);
    let version = ck.string(root.get("version"), "", "version", true);
    let name = ck.string(root.get("name"), "", "name", false);
    if let Some(d) = root.get("description") {
        ck.string(Some(d), "", "description", false);
    }
    if let Some(s) = root.get("$schema") {
        ck.string(Some(s), "", "$schema", false);
    }
    let session_minutes = match root.get("sessionTimeoutMinutes") {
        None => 30,
        v => ck
            .count(v, "", "sessionTimeoutMinutes", true, 1, 1440)
            .unwrap_or(30),
    };
    let decay = match root.get("decay") {
        None => Decay::None,
        Some(d) => parse_decay(&mut ck, d, "decay").unwrap_or(Decay::None),
    };

    // Groups declared up front (with limits); rules may also name groups not declared.
    // In the document's key order (its keys are unique): a list searched by name, not a map.
    let mut group_bounds: Vec<(&str, Bounds)> = Vec::new();
    if let Some(g) = root.get("groups") {
        if let Some(map) = object_any_keys(&mut ck, g, "groups") {
            for (name, spec) in map {
                let p = join("groups", name);
                if let Some(b) = parse_bounds(&mut ck, spec, &p) {
                    group_bounds.push((name, b));
                }
            }
        }
    }
    let total_bounds = match root.get("limits") {
        None => Bounds::default(),
        Some(l) => match ck.object(l, "limits", &["total"]) {
            Some(map) => map
                .get("total")
                .and_then(|t| parse_bounds(&mut ck, t, "limits.total"))
                .unwrap_or_default(),
            None => Bounds::default(),
        },
    };
    let grades = root
        .get("grades")
        .map(|g| parse_grades(&mut ck, g))
        .unwrap_or_default();

    // Rules, each with its index in the document (a rule with a problem is left out), and what
    // every rule says of itself even when it has a problem (`Head`): ids, kinds and groups are
    // checked against each other and against the stage criteria over these, so those problems
    // come in the same pass as the rules' own.
    let mut rules: Vec<Rule> = Vec::new();
    let mut rule_at: Vec<usize> = Vec::new();
    match root.get("rules") {
        None => ck.report("rules", "missing"),
        Some(Value::Array(items)) => {
            if items.len() > MAX_RULES {
                ck.report("rules", "at most 200 rules");
            }
            for (i, item) in items.iter().enumerate() {
                // (A `break`, not `take`: the adapter was code of its own.)
                if i == MAX_RULES {
                    break;
                }
                if let Some(rule) = parse_rule(&mut ck, item, i, decay) {
                    rules.push(rule);
                    rule_at.push(i);
                }
            }
        }
        Some(other) => ck.report("rules", found("must be a list", other)),
    }
    // Unique ids. Each duplicate names the nearest earlier rule with its id (at most
    // `MAX_RULES` rules: a scan back, no map).
    // Taken out while they are read, so problems are reported as they are found.
    let heads = std::mem::take(&mut ck.rules);
    for (n, h) in heads.iter().enumerate() {
        let Some(id) = &h.id else { continue };
        if let Some(first) = (0..n).rev().find(|&e| heads[e].id.as_ref() == Some(id)) {
            let mut m = quoting("duplicate id ", id, " (also ");
            m.push_str(&index("rules", heads[first].at));
            m.push(')');
            ck.report_at(&index("rules", h.at), "id", m);
        }
    }
    // A group holds one kind of rule, so fit and engagement stay separable. (A rule whose kind
    // or group is itself a problem takes no part: what it would hold is unknown.)
    let mut groups: Vec<GroupSpec> = Vec::new();
    for h in &heads {
        let (Some(kind), Some(group)) = (h.kind, h.group()) else {
            continue;
        };
        match groups.iter().find(|g| g.name == group) {
            Some(g) if g.kind != kind => ck.report_at(
                &index("rules", h.at),
                "group",
                quoting(
                    "group ",
                    group,
                    match g.kind {
                        RuleKind::Behavior => {
                            " already holds behavior rules; a group holds one kind"
                        }
                        RuleKind::Fit => " already holds fit rules; a group holds one kind",
                    },
                ),
            ),
            Some(_) => {}
            None => groups.push(GroupSpec {
                name: String::from(group),
                kind,
                bounds: group_bounds
                    .iter()
                    .find(|(n, _)| *n == group)
                    .map(|(_, b)| *b)
                    .unwrap_or_default(),
            }),
        }
    }
    ck.rules = heads;
    for &(name, _) in &group_bounds {
        if !groups.iter().any(|g| g.name == name) {
            let mut known: Vec<&str> = Vec::new();
            for g in &groups {
                known.push(&g.name);
            }
            // `join`, not `report_at`: a group named "" is at "groups." (an empty key there
            // means the path itself).
            ck.report(
                &join("groups", name),
                unknown_name("no rule uses group", name, &known, "", ""),
            );
        }
    }

    // Stages, their criteria checked against the rules and scores (`ck.rules`) as they are read.
    let mut stages = Vec::new();
    // Every stage given criteria, valid or not (for `handoff.stage`).
    let mut named: Vec<Stage> = Vec::new();
    if let Some(s) = root.get("stages") {
        if let Some(map) = object_any_keys(&mut ck, s, "stages") {
            for (name, cond) in map {
                let p = join("stages", name);
                match Stage::parse(name) {
                    Some(Stage::Anonymous) => {
                        ck.report(&p, "every visitor starts anonymous; it takes no criteria")
                    }
                    Some(stage) => {
                        named.push(stage);
                        if let Some(mut when) = condition::parse(&mut ck, cond, &p, Scope::Stage) {
                            when.cheap_first();
                            // In stage order: before the first later stage (no sort after).
                            let at = stages
                                .iter()
                                .position(|s: &StageSpec| s.stage > stage)
                                .unwrap_or(stages.len());
                            stages.insert(at, StageSpec { stage, when });
                        }
                    }
                    None => ck.report(&p, unknown_listing("unknown stage", name, &Stage::NAMES)),
                }
            }
        }
    }

    let handoff = root
        .get("handoff")
        .and_then(|h| parse_handoff(&mut ck, h, &named));

    let rule_list = rules;
    // Loops, not `map(..).collect()`: each collect was its own copy of Vec's iterator
    // machinery in the snippet (benches/SIZE.md, step 33).
    let mut rule_group: Vec<usize> = Vec::new();
    for r in &rule_list {
        rule_group.push(groups.iter().position(|g| g.name == r.group).unwrap_or(0));
    }
    let (ring, visit_ring) = ring_sizes(&rule_list, &stages);
    let kept_traits = kept_traits(&rule_list, &stages, handoff.as_ref());

    let mut rule_ring: Vec<usize> = Vec::new();
    let mut by_id: Vec<usize> = Vec::new();
    for (i, n) in ring.iter().enumerate() {
        rule_ring.push(*n as usize);
        by_id.push(i);
    }
    crate::hash::sort_small(&mut by_id, |a, b| rule_list[*a].id < rule_list[*b].id);
    // The rings by id, pushed in id order: the rules `matches` names (every ring is at least 1).
    let mut rings = Rings::default();
    for &i in &by_id {
        if ring[i] > 0 {
            rings.0.push((rule_list[i].id.clone(), ring[i]));
        }
    }
    // Gathered (hash included) before the problems are looked at: on a problem the parts go
    // in one drop of `ModelData` instead of a drop per part on the early return
    // (benches/SIZE.md, step 42).
    let data = ModelData {
        id,
        version: version.unwrap_or_default(),
        name,
        session_timeout_ms: i64::from(session_minutes) * 60_000,
        decay,
        rules: rule_list,
        groups,
        rule_group,
        total_bounds,
        grades,
        stages,
        handoff,
        rings,
        rule_ring,
        by_id,
        visit_ring,
        kept_traits,
        hash: hash::content_hash(v),
        #[cfg(any(feature = "analytics", not(target_arch = "wasm32")))]
        source: v.clone(),
    };
    if !ck.problems.is_empty() {
        return Err(ck.problems);
    }
    Ok(Model(std::sync::Arc::new(data)))
}

fn object_any_keys<'a>(
    ck: &mut Checker,
    v: &'a Value,
    path: &str,
) -> Option<&'a Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        other => {
            ck.report(path, found("must be an object", other));
            None
        }
    }
}

fn parse_bounds(ck: &mut Checker, v: &Value, path: &str) -> Option<Bounds> {
    let map = ck.object(v, path, &BOUND_KEYS)?;
    let min = ck.number(map.get("min"), path, "min", false);
    let max = ck.number(map.get("max"), path, "max", false);
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            // Numbers printed by the JSON layer: `{a}` on an `f64` would keep core's float
            // formatting in the snippet's wasm only for this message.
            let mut m = String::from("min (");
            display_f64(a, &mut m);
            m.push_str(") is greater than max (");
            display_f64(b, &mut m);
            m.push(')');
            ck.report(path, m);
            return None;
        }
    }
    Some(Bounds { min, max })
}

fn parse_grades(ck: &mut Checker, v: &Value) -> Vec<(String, f64)> {
    let Some(map) = ck.object(v, "grades", &GRADES) else {
        return Vec::new();
    };
    let mut out: Vec<(String, f64)> = Vec::new();
    // Over a slice: an array by value is an iterator type of its own in the wasm.
    for &letter in &GRADES {
        if let Some(min) = ck.number(map.get(letter), "grades", letter, false) {
            if let Some((prev, prev_min)) = out.last() {
                if min >= *prev_min {
                    let mut m = String::from("minimum fit ");
                    display_f64(min, &mut m);
                    m.push_str(" must be below grade ");
                    m.push_str(prev);
                    m.push_str("'s ");
                    display_f64(*prev_min, &mut m);
                    ck.report_at("grades", letter, m);
                }
            }
            out.push((letter.to_string(), min));
        }
    }
    out
}

fn parse_decay(ck: &mut Checker, v: &Value, path: &str) -> Option<Decay> {
    match v {
        Value::String(s) if s == "none" => Some(Decay::None),
        Value::String(s) => {
            ck.report(
                path,
                quoting(
                    "unknown decay ",
                    s,
                    ": use \"none\", {\"halfLifeDays\": n} or {\"linearPercent\": p, \"periodDays\": d}",
                ),
            );
            None
        }
        Value::Object(map) => {
            ck.object(v, path, &["halfLifeDays", "linearPercent", "periodDays"])?;
            // Each key looked up once (was `contains_key` and then `get`).
            let half_life = map.get("halfLifeDays");
            let linear = map.get("linearPercent");
            let period = map.get("periodDays");
            if half_life.is_some() {
                if linear.is_some() || period.is_some() {
                    ck.report(
                        path,
                        "choose either halfLifeDays or linearPercent with periodDays",
                    );
                    return None;
                }
                let days = ck.positive(half_life, path, "halfLifeDays", true)?;
                Some(Decay::HalfLife { days })
            } else if linear.is_some() {
                let percent = ck.positive(linear, path, "linearPercent", true);
                let period_days = ck.positive(period, path, "periodDays", true);
                let percent = percent?;
                if percent > 100.0 {
                    ck.report_at(path, "linearPercent", "at most 100");
                    return None;
                }
                Some(Decay::Linear {
                    percent,
                    period_days: period_days?,
                })
            } else {
                ck.report(path, "needs halfLifeDays, or linearPercent with periodDays");
                None
            }
        }
        other => {
            ck.report(path, found("must be \"none\" or an object", other));
            None
        }
    }
}

/// Rule `at` of `rules`, `None` on any problem; its [`Head`] is pushed on `ck.rules` when it
/// is an object.
fn parse_rule(ck: &mut Checker, v: &Value, at: usize, default_decay: Decay) -> Option<Rule> {
    let path = &index("rules", at);
    let map = ck.object(v, path, &RULE_KEYS)?;
    let before = ck.problems.len();
    let id = ck.string(map.get("id"), path, "id", true);
    if let Some(id) = &id {
        if id.len() > 64
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
        {
            ck.report_at(
                path,
                "id",
                "use at most 64 letters, digits, '-', '_', '.' or ':'",
            );
        }
    }
    let description = ck.string(map.get("description"), path, "description", false);
    let mut known_kind = true;
    let kind = match map.get("kind") {
        None => RuleKind::Behavior,
        Some(v) => match v.as_str() {
            Some("behavior" | "behaviour") => RuleKind::Behavior,
            Some("fit") => RuleKind::Fit,
            text => {
                known_kind = false;
                let text = text.unwrap_or("");
                let kinds = ["behavior", "fit"];
                if !text.is_empty() && suggest(text, &kinds).is_some() {
                    ck.report_at(
                        path,
                        "kind",
                        unknown_name("unknown kind", text, &kinds, "", ""),
                    );
                } else {
                    ck.report_at(path, "kind", "must be \"behavior\" or \"fit\"");
                }
                RuleKind::Behavior
            }
        },
    };
    // Absent or null: the kind's default group; given and not a name: unknown.
    let given = map.get("group").filter(|g| !g.is_null());
    let group = match ck.string(given, path, "group", false) {
        None if given.is_some() => None,
        named => Some(named.unwrap_or_else(|| {
            match kind {
                RuleKind::Behavior => "engagement",
                RuleKind::Fit => "fit",
            }
            .to_string()
        })),
    };
    ck.rules.push(Head {
        at,
        id: id.clone(),
        kind: if known_kind { Some(kind) } else { None },
        group: group.clone(),
    });
    let points = ck.number(map.get("points"), path, "points", true);
    if points == Some(0.0) {
        ck.report_at(path, "points", "must not be 0");
    }
    let scope = match kind {
        RuleKind::Behavior => Scope::Behavior,
        RuleKind::Fit => Scope::Fit,
    };
    let when = match map.get("when") {
        None => {
            ck.report_at(path, "when", "missing");
            None
        }
        Some(w) => condition::parse(ck, w, &join(path, "when"), scope),
    };
    let cap = match map.get("cap") {
        None => Cap::default(),
        Some(c) if kind == RuleKind::Fit => {
            let _ = c;
            ck.report_at(
                path,
                "cap",
                "fit rules count once on current traits; a cap does not apply",
            );
            Cap::default()
        }
        Some(c) => parse_cap(ck, c, &join(path, "cap")).unwrap_or_default(),
    };
    let decay = match map.get("decay") {
        None => default_decay,
        Some(_) if kind == RuleKind::Fit => {
            ck.report_at(path, "decay", "fit points do not decay");
            Decay::None
        }
        Some(d) => parse_decay(ck, d, &join(path, "decay")).unwrap_or(Decay::None),
    };
    let (Some(id), Some(group), Some(points), Some(when), true) =
        (id, group, points, when, ck.problems.len() == before)
    else {
        return None;
    };
    let decay = if kind == RuleKind::Fit || points < 0.0 {
        Decay::None
    } else {
        decay
    };
    Some(Rule {
        id,
        description,
        kind,
        group,
        points,
        when,
        cap,
        decay,
    })
}

fn parse_cap(ck: &mut Checker, v: &Value, path: &str) -> Option<Cap> {
    let map = ck.object(v, path, &CAP_KEYS)?;
    let once = ck.boolean(map.get("once"), path, "once").unwrap_or(false);
    let per_session = ck.count(map.get("perSession"), path, "perSession", false, 1, 10_000);
    let per_day = ck.count(map.get("perDay"), path, "perDay", false, 1, 10_000);
    let mut total = ck.count(map.get("total"), path, "total", false, 1, 1_000_000);
    if once {
        if total.is_some() {
            ck.report(path, "once means total 1; give one of them");
        }
        total = Some(1);
    }
    if map.is_empty() {
        ck.report(path, "an empty cap: give once, perSession, perDay or total");
    }
    Some(Cap {
        per_session,
        per_day,
        total,
    })
}

/// `handoff`; `staged` are the stages given criteria under `stages` (valid or not).
fn parse_handoff(ck: &mut Checker, v: &Value, staged: &[Stage]) -> Option<HandoffSpec> {
    let map = ck.object(v, "handoff", &HANDOFF_KEYS)?;
    let before = ck.problems.len();
    let stage = match ck.string(map.get("stage"), "handoff", "stage", true) {
        Some(s) => match Stage::parse(&s) {
            Some(Stage::Anonymous) => {
                ck.report("handoff.stage", "an anonymous visitor cannot be handed off");
                None
            }
            Some(st) if st != Stage::Known && !staged.contains(&st) => {
                ck.report(
                    "handoff.stage",
                    quoting("stage ", st.as_str(), " has no criteria under \"stages\""),
                );
                None
            }
            Some(st) => Some(st),
            None => {
                ck.report(
                    "handoff.stage",
                    unknown_name("unknown stage", &s, &Stage::NAMES, "", ""),
                );
                None
            }
        },
        None => None,
    };
    let endpoint = ck.string(map.get("endpoint"), "handoff", "endpoint", true);
    if let Some(e) = &endpoint {
        if !(e.starts_with("https://") || e.starts_with("http://") || e.starts_with('/')) {
            ck.report(
                "handoff.endpoint",
                "must be an http(s) URL or a path starting with \"/\"",
            );
        }
    }
    let sla_minutes = match map.get("slaMinutes") {
        None => Some(60),
        v => ck.count(v, "handoff", "slaMinutes", true, 1, 525_600),
    };
    let routing = match map.get("routing") {
        None => Some(Routing {
            rules: Vec::new(),
            reps: Vec::new(),
            team: None,
        }),
        Some(r) => parse_routing(ck, r),
    };
    let include = match map.get("include") {
        None => Include::ALL,
        Some(v) => {
            let parts = ck.strings(v, "handoff.include");
            let mut inc = Include {
                traits: false,
                attribution: false,
                ledger: false,
                history: false,
                stages: false,
            };
            for (i, p) in parts.iter().enumerate() {
                let at = if v.is_array() {
                    index("handoff.include", i)
                } else {
                    "handoff.include".to_string()
                };
                match p.as_str() {
                    "traits" => inc.traits = true,
                    "attribution" => inc.attribution = true,
                    "ledger" => inc.ledger = true,
                    "history" => inc.history = true,
                    "stages" => inc.stages = true,
                    other => ck.report(
                        &at,
                        unknown_name("unknown part", other, &INCLUDE_PARTS, "", ""),
                    ),
                }
            }
            inc
        }
    };
    let retry = match map.get("retry") {
        None => RetryPolicy::default(),
        Some(r) => parse_retry(ck, r).unwrap_or_default(),
    };
    let (Some(stage), Some(endpoint), Some(sla_minutes), Some(routing), true) = (
        stage,
        endpoint,
        sla_minutes,
        routing,
        ck.problems.len() == before,
    ) else {
        return None;
    };
    Some(HandoffSpec {
        stage,
        endpoint,
        sla_minutes,
        routing,
        include,
        retry,
    })
}

fn parse_routing(ck: &mut Checker, v: &Value) -> Option<Routing> {
    let map = ck.object(v, "handoff.routing", &ROUTING_KEYS)?;
    let mut rules = Vec::new();
    if let Some(r) = map.get("rules") {
        match r {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let p = index("handoff.routing.rules", i);
                    let Some(m) = ck.object(item, &p, &ROUTE_KEYS) else {
                        continue;
                    };
                    let when = match m.get("when") {
                        None => {
                            ck.report_at(&p, "when", "missing");
                            None
                        }
                        Some(w) => condition::parse(ck, w, &join(&p, "when"), Scope::Routing),
                    };
                    let owner = ck.string(m.get("owner"), &p, "owner", false);
                    let team = ck.string(m.get("team"), &p, "team", false);
                    if owner.is_none() && team.is_none() {
                        ck.report(&p, "a routing rule assigns an owner or a team");
                    }
                    if let Some(when) = when {
                        rules.push(RouteRule { when, owner, team });
                    }
                }
            }
            other => ck.report("handoff.routing.rules", found("must be a list", other)),
        }
    }
    let reps = match map.get("reps") {
        None => Vec::new(),
        Some(r) => ck.strings(r, "handoff.routing.reps"),
    };
    let team = ck.string(map.get("team"), "handoff.routing", "team", false);
    Some(Routing { rules, reps, team })
}

fn parse_retry(ck: &mut Checker, v: &Value) -> Option<RetryPolicy> {
    let map = ck.object(v, "handoff.retry", &RETRY_KEYS)?;
    let d = RetryPolicy::default();
    // One `count` call in a loop over the keys (`RETRY_KEYS` order) and their largest values.
    let mut got = [None; 5];
    // By index, not zips (one over `RETRY_MAX` by value): the arrays' length bounds it.
    for i in 0..RETRY_KEYS.len() {
        let key = RETRY_KEYS[i];
        got[i] = ck.count(map.get(key), "handoff.retry", key, false, 1, RETRY_MAX[i]);
    }
    let [max_attempts, max_age, base, max_delay, lease] = got;
    let policy = RetryPolicy {
        max_attempts: max_attempts.unwrap_or(d.max_attempts),
        max_age_ms: max_age.map_or(d.max_age_ms, |m| i64::from(m) * 60_000),
        base_delay_ms: base.map_or(d.base_delay_ms, |s| i64::from(s) * 1000),
        max_delay_ms: max_delay.map_or(d.max_delay_ms, |s| i64::from(s) * 1000),
        lease_ms: lease.map_or(d.lease_ms, |s| i64::from(s) * 1000),
    };
    if policy.base_delay_ms > policy.max_delay_ms {
        ck.report(
            "handoff.retry",
            "baseDelaySeconds is greater than maxDelaySeconds",
        );
    }
    Some(policy)
}

/// The timestamp rings stage criteria need: per rule position (sized for the first rule with
/// the name) the largest `atLeast` of a `matches` naming it, and the largest `visits`. The
/// names were checked as the criteria were read (`condition::parse`); a name that is no
/// behaviour rule sizes nothing.
fn ring_sizes(rules: &[Rule], stages: &[StageSpec]) -> (Vec<u32>, u32) {
    // By rule position, not a map by id: a ring is sized for the first rule with the name,
    // where the map's lookups and inserts were ~0.4 KB of wasm for this one use.
    let mut ring: Vec<u32> = vec![0; rules.len()];
    let mut visit_ring = 0u32;
    for spec in stages {
        spec.when.walk(&mut |leaf| match leaf {
            Condition::Matches {
                rules: names,
                at_least,
                ..
            } => {
                for name in names {
                    if let Some(i) = rules.iter().position(|r| &r.id == name) {
                        ring[i] = ring[i].max(*at_least);
                    }
                }
            }
            Condition::Visits { at_least, .. } => visit_ring = visit_ring.max(*at_least),
            _ => {}
        });
    }
    for r in &mut ring {
        *r = (*r).min(MAX_RING);
    }
    (ring, visit_ring.min(MAX_RING))
}

fn kept_traits(rules: &[Rule], stages: &[StageSpec], handoff: Option<&HandoffSpec>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |c: &Condition| {
        c.walk(&mut |leaf| {
            if let Condition::Trait(path, _) = leaf {
                let top = path.split('.').next().unwrap_or(path).to_string();
                if !names.contains(&top) {
                    names.push(top);
                }
            }
        })
    };
    rules.iter().for_each(|r| add(&r.when));
    stages.iter().for_each(|s| add(&s.when));
    if let Some(h) = handoff {
        h.routing.rules.iter().for_each(|r| add(&r.when));
    }
    // Over a slice: an array by value is an iterator type of its own in the wasm.
    for &s in &STANDARD_TRAITS {
        if !names.iter().any(|n| n == s) {
            names.push(s.to_string());
        }
    }
    names.truncate(MAX_KEPT_TRAITS);
    names
}
