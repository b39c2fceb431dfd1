//! Worked examples for every condition kind: event type, path/URL globs and prefixes, query
//! parameters, track names, property comparisons, trait tests, all/any/not.

use baton::json::{json, Value};
use baton::model::Model;
use baton::Engine;

/// Does a behaviour rule with `when` match `event` (after the `identify` traits, if any)?
fn behaviour_matches(when: Value, traits: Value, event: Value) -> bool {
    let model = Model::from_value(&json!({
        "version": "t", "rules": [{ "id": "r", "points": 1, "when": when }]
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let mut engine = Engine::new(model);
    if traits.as_object().is_some_and(|t| !t.is_empty()) {
        engine
            .ingest_value(&json!({"type": "identify", "messageId": "id", "userId": "u", "timestamp": 1, "traits": traits}), 1)
            .unwrap();
    }
    let mut event = event;
    event["messageId"] = json!("ev");
    event["anonymousId"] = json!("a");
    event["timestamp"] = json!(2);
    engine.ingest_value(&event, 2).unwrap();
    engine.score(2).total > 0.0
}

/// Does a fit rule with `when` match these traits?
fn fit_matches(when: Value, traits: Value) -> bool {
    let model = Model::from_value(&json!({
        "version": "t", "rules": [{ "id": "f", "kind": "fit", "points": 1, "when": when }]
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let mut engine = Engine::new(model);
    engine
        .ingest_value(&json!({"type": "identify", "messageId": "id", "userId": "u", "timestamp": 1, "traits": traits}), 1)
        .unwrap();
    engine.score(1).fit > 0.0
}

fn page(url: &str) -> Value {
    json!({"type": "page", "properties": {"url": url}})
}

fn track(name: &str, props: Value) -> Value {
    json!({"type": "track", "event": name, "properties": props})
}

#[test]
fn event_conditions() {
    let none = json!({});
    let cases: Vec<(&str, Value, Value, bool)> = vec![
        (
            "type page",
            json!({"type": "page"}),
            page("https://x.test/"),
            true,
        ),
        (
            "type list",
            json!({"type": ["track", "identify"]}),
            page("https://x.test/"),
            false,
        ),
        (
            "type track",
            json!({"type": "track"}),
            track("Signed Up", json!({})),
            true,
        ),
        (
            "path exact",
            json!({"path": "/pricing"}),
            page("https://x.test/pricing"),
            true,
        ),
        (
            "path trailing slash and query",
            json!({"path": "/pricing"}),
            page("https://x.test/pricing/?a=1#x"),
            true,
        ),
        (
            "path case-insensitive",
            json!({"path": "/pricing"}),
            page("https://x.test/Pricing"),
            true,
        ),
        (
            "path not prefix",
            json!({"path": "/pricing"}),
            page("https://x.test/pricing/enterprise"),
            false,
        ),
        (
            "path glob",
            json!({"path": "/resources/*"}),
            page("https://x.test/resources/guide.pdf"),
            true,
        ),
        (
            "path glob needs segment",
            json!({"path": "/resources/*"}),
            page("https://x.test/resources"),
            false,
        ),
        (
            "path glob middle",
            json!({"path": "/blog/*/comments"}),
            page("https://x.test/blog/2026/post/comments"),
            true,
        ),
        (
            "path glob ?",
            json!({"path": "/v?"}),
            page("https://x.test/v2"),
            true,
        ),
        (
            "path list",
            json!({"path": ["/careers", "/careers/*"]}),
            page("https://x.test/careers/eng"),
            true,
        ),
        (
            "path prefix",
            json!({"pathPrefix": "/resources"}),
            page("https://x.test/resources"),
            true,
        ),
        (
            "path prefix no",
            json!({"pathPrefix": "/resources"}),
            page("https://x.test/blog"),
            false,
        ),
        (
            "url glob",
            json!({"url": "https://*.x.test/*"}),
            page("https://www.x.test/a"),
            true,
        ),
        (
            "url glob other host",
            json!({"url": "https://*.x.test/*"}),
            page("https://evil.test/a"),
            false,
        ),
        (
            "query equals",
            json!({"query": "utm_source", "equals": "linkedin"}),
            page("https://x.test/?utm_source=LinkedIn"),
            true,
        ),
        (
            "query other",
            json!({"query": "utm_source", "equals": "linkedin"}),
            page("https://x.test/?utm_source=google"),
            false,
        ),
        (
            "query exists",
            json!({"query": "gclid", "exists": true}),
            page("https://x.test/?gclid=abc"),
            true,
        ),
        (
            "query missing",
            json!({"query": "gclid", "exists": true}),
            page("https://x.test/"),
            false,
        ),
        (
            "query decoded",
            json!({"query": "q", "equals": "lead scoring"}),
            page("https://x.test/?q=lead%20scoring"),
            true,
        ),
        (
            "referrer glob",
            json!({"referrer": "*google.*"}),
            json!({"type": "page", "properties": {"path": "/", "referrer": "https://www.google.com/"}}),
            true,
        ),
        (
            "track name",
            json!({"event": "Demo Requested"}),
            track("Demo Requested", json!({})),
            true,
        ),
        (
            "track name glob",
            json!({"event": "Webinar *"}),
            track("Webinar Attended", json!({})),
            true,
        ),
        (
            "track name not page",
            json!({"event": "Demo Requested"}),
            page("https://x.test/demo"),
            false,
        ),
        (
            "property equals",
            json!({"property": "category", "equals": "case-study"}),
            track("Asset Downloaded", json!({"category": "Case-Study"})),
            true,
        ),
        (
            "property equals number",
            json!({"property": "value", "equals": 10}),
            track("Order", json!({"value": "10"})),
            true,
        ),
        (
            "property in",
            json!({"property": "plan", "in": ["pro", "enterprise"]}),
            track("Trial", json!({"plan": "Pro"})),
            true,
        ),
        (
            "property in no",
            json!({"property": "plan", "in": ["pro", "enterprise"]}),
            track("Trial", json!({"plan": "free"})),
            false,
        ),
        (
            "property contains",
            json!({"property": "file", "contains": ".pdf"}),
            track("Asset Downloaded", json!({"file": "Guide.PDF"})),
            true,
        ),
        (
            "property contains list",
            json!({"property": "tags", "contains": "ai"}),
            track("Read", json!({"tags": ["ml", "ai"]})),
            true,
        ),
        (
            "property startsWith",
            json!({"property": "path", "startsWith": "/resources/"}),
            track("Asset Downloaded", json!({"path": "/resources/a.pdf"})),
            true,
        ),
        (
            "property gte",
            json!({"property": "seconds", "gte": 60}),
            track("Video Watched", json!({"seconds": 60})),
            true,
        ),
        (
            "property gte no",
            json!({"property": "seconds", "gte": 60}),
            track("Video Watched", json!({"seconds": 59.9})),
            false,
        ),
        (
            "property lte",
            json!({"property": "seconds", "lte": 10}),
            track("Video Watched", json!({"seconds": 3})),
            true,
        ),
        (
            "property range",
            json!({"property": "seconds", "gt": 10, "lt": 20}),
            track("Video Watched", json!({"seconds": 20})),
            false,
        ),
        (
            "property exists",
            json!({"property": "coupon", "exists": true}),
            track("Checkout", json!({"coupon": "X"})),
            true,
        ),
        (
            "property exists empty",
            json!({"property": "coupon", "exists": true}),
            track("Checkout", json!({"coupon": ""})),
            false,
        ),
        (
            "property not exists",
            json!({"property": "coupon", "exists": false}),
            track("Checkout", json!({})),
            true,
        ),
        (
            "property nested",
            json!({"property": "asset.type", "equals": "pdf"}),
            track("Asset Downloaded", json!({"asset": {"type": "pdf"}})),
            true,
        ),
        (
            "property missing",
            json!({"property": "x", "equals": 1}),
            track("A", json!({})),
            false,
        ),
        (
            "all",
            json!({"all": [{"type": "page"}, {"path": "/pricing"}]}),
            page("https://x.test/pricing"),
            true,
        ),
        (
            "all fails",
            json!({"all": [{"type": "track"}, {"path": "/pricing"}]}),
            page("https://x.test/pricing"),
            false,
        ),
        (
            "any",
            json!({"any": [{"path": "/a"}, {"path": "/pricing"}]}),
            page("https://x.test/pricing"),
            true,
        ),
        (
            "not",
            json!({"not": {"path": "/pricing"}}),
            page("https://x.test/pricing"),
            false,
        ),
        (
            "not other",
            json!({"all": [{"type": "page"}, {"not": {"path": "/pricing"}}]}),
            page("https://x.test/about"),
            true,
        ),
    ];
    for (name, when, event, expected) in cases {
        assert_eq!(
            behaviour_matches(when.clone(), none.clone(), event.clone()),
            expected,
            "{name}: {when} on {event}"
        );
    }
}

#[test]
fn trait_conditions() {
    let title = |t: &str| json!({"title": t});
    let senior = json!({"trait": "title", "containsWord": ["Manager", "Director", "VP", "Vice President", "Chief", "Head"]});
    let cases: Vec<(&str, Value, Value, bool)> = vec![
        (
            "word director",
            senior.clone(),
            title("Senior Director, Demand Gen"),
            true,
        ),
        ("word case", senior.clone(), title("vp of sales"), true),
        (
            "phrase",
            senior.clone(),
            title("Vice President Marketing"),
            true,
        ),
        (
            "phrase split",
            senior.clone(),
            title("Vice Principal, President's office"),
            false,
        ),
        (
            "not a substring",
            senior.clone(),
            title("Directory Administrator"),
            false,
        ),
        ("head", senior.clone(), title("Head of Growth"), true),
        ("none", senior.clone(), title("Software Engineer"), false),
        ("missing", senior.clone(), json!({"email": "a@b.c"}), false),
        (
            "employees gte",
            json!({"trait": "employees", "gte": 500}),
            json!({"employees": 500}),
            true,
        ),
        (
            "employees below",
            json!({"trait": "employees", "gte": 500}),
            json!({"employees": 499}),
            false,
        ),
        (
            "employees text",
            json!({"trait": "employees", "gte": 500}),
            json!({"employees": " 1000 "}),
            true,
        ),
        (
            "employees exponent",
            json!({"trait": "employees", "gte": 500}),
            json!({"employees": "1e3"}),
            true,
        ),
        // A text is a number only as a whole: no leading number is read out of it.
        (
            "employees with a separator",
            json!({"trait": "employees", "gte": 500}),
            json!({"employees": "1,000"}),
            false,
        ),
        (
            "employees with a space",
            json!({"trait": "employees", "gte": 500}),
            json!({"employees": "1 000"}),
            false,
        ),
        (
            "employees range text",
            json!({"trait": "employees", "gte": 500}),
            json!({"employees": "500-1000"}),
            false,
        ),
        (
            "employees plus",
            json!({"trait": "employees", "gte": 500}),
            json!({"employees": "5000+"}),
            false,
        ),
        (
            "employees trailing letters",
            json!({"trait": "employees", "lt": 500}),
            json!({"employees": "12abc"}),
            false,
        ),
        (
            "employees not numeric",
            json!({"trait": "employees", "gte": 500}),
            json!({"employees": "many"}),
            false,
        ),
        (
            "range",
            json!({"trait": "employees", "gte": 100, "lt": 500}),
            json!({"employees": 250}),
            true,
        ),
        (
            "range upper",
            json!({"trait": "employees", "gte": 100, "lt": 500}),
            json!({"employees": 500}),
            false,
        ),
        (
            "industry in",
            json!({"trait": "industry", "in": ["Software", "SaaS"]}),
            json!({"industry": "saas"}),
            true,
        ),
        (
            "industry not in",
            json!({"trait": "industry", "in": ["Software", "SaaS"]}),
            json!({"industry": "Retail"}),
            false,
        ),
        (
            "country in",
            json!({"trait": "country", "in": ["DE", "FR"]}),
            json!({"country": "de"}),
            true,
        ),
        (
            "email domain",
            json!({"trait": "email", "endsWith": "@gmail.com"}),
            json!({"email": "X@GMAIL.com"}),
            true,
        ),
        (
            "email exists",
            json!({"trait": "email", "exists": true}),
            json!({"email": "x@y.z"}),
            true,
        ),
        (
            "company fallback",
            json!({"trait": "employees", "gte": 100}),
            json!({"company": {"employees": 150}}),
            true,
        ),
        (
            "company path",
            json!({"trait": "company.name", "equals": "Globex"}),
            json!({"company": {"name": "globex"}}),
            true,
        ),
        (
            "bool trait",
            json!({"trait": "customer", "equals": true}),
            json!({"customer": true}),
            true,
        ),
        (
            "identified",
            json!({"identified": true}),
            json!({"x": 1}),
            true,
        ),
        (
            "not",
            json!({"not": {"trait": "country", "in": ["US"]}}),
            json!({"country": "CA"}),
            true,
        ),
    ];
    for (name, when, traits, expected) in cases {
        assert_eq!(
            fit_matches(when.clone(), traits.clone()),
            expected,
            "{name}: {when} on {traits}"
        );
    }
}

#[test]
fn behaviour_rules_see_current_traits() {
    let when = json!({"all": [{"event": "Demo Requested"}, {"trait": "employees", "gte": 100}]});
    assert!(behaviour_matches(
        when.clone(),
        json!({"employees": 250}),
        track("Demo Requested", json!({}))
    ));
    assert!(!behaviour_matches(
        when,
        json!({"employees": 20}),
        track("Demo Requested", json!({}))
    ));
}
