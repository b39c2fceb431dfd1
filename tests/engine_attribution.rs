//! First and last touch through the engine: a campaign clicked mid-visit is credited as a new
//! visit, the site's own pages are never a referrer, and a direct visit keeps the last source
//! (Google Analytics' last non-direct convention; see src/attribution.rs).

use baton::json::{json, Value};
use baton::model::Model;
use baton::Engine;

/// 2026-11-02T09:00:00Z.
const T0: i64 = 1_793_610_000_000;
const MIN: i64 = 60_000;

fn page(id: &str, t: i64, url: &str, referrer: &str) -> Value {
    json!({"type": "page", "messageId": id, "anonymousId": "a", "timestamp": t,
           "properties": {"url": url, "referrer": referrer}})
}

fn run(events: &[Value]) -> Engine {
    let m = Model::from_value(&json!({"version": "1", "rules": [
        {"id": "pv", "points": 1, "when": {"type": "page"}}]}))
    .unwrap();
    let mut e = Engine::new(m);
    for v in events {
        e.ingest_value(v, v["timestamp"].as_i64().unwrap()).unwrap();
    }
    e
}

#[test]
fn a_campaign_clicked_mid_visit_is_a_new_visit_and_the_last_touch() {
    let e = run(&[
        page("1", T0, "https://acme.io/", "https://news.ycombinator.com/"),
        page(
            "2",
            T0 + 5 * MIN,
            "https://acme.io/pricing?utm_source=linkedin&utm_campaign=q4",
            "https://www.linkedin.com/",
        ),
        // Same campaign again a minute later: the same visit.
        page(
            "3",
            T0 + 6 * MIN,
            "https://acme.io/docs?utm_source=linkedin&utm_campaign=q4",
            "https://acme.io/pricing",
        ),
    ]);
    let st = e.state();
    assert_eq!(st.sessions, 2);
    let first = st.first_touch.as_ref().unwrap();
    assert_eq!(
        first.referrer.as_deref(),
        Some("https://news.ycombinator.com/")
    );
    assert!(first.utm.source.is_none());
    let last = st.last_touch.as_ref().unwrap();
    assert_eq!(last.at, T0 + 5 * MIN);
    assert_eq!(last.utm.source.as_deref(), Some("linkedin"));
    assert_eq!(last.utm.name.as_deref(), Some("q4"));
}

#[test]
fn the_sites_own_page_is_never_the_referrer() {
    // A visit that starts after 31 idle minutes on an inner page: document.referrer is the
    // site's previous page, which is navigation, not a source. The previous source stays.
    let e = run(&[
        page("1", T0, "https://acme.io/", "https://google.com/"),
        page(
            "2",
            T0 + 31 * MIN,
            "https://acme.io/pricing",
            "https://ACME.io/blog",
        ),
    ]);
    let st = e.state();
    assert_eq!(st.sessions, 2);
    let last = st.last_touch.as_ref().unwrap();
    assert_eq!(last.at, T0 + 31 * MIN);
    assert_eq!(last.referrer.as_deref(), Some("https://google.com/"));
}

#[test]
fn a_direct_visit_keeps_the_last_source_and_a_new_source_replaces_it() {
    let e = run(&[
        page("1", T0, "https://acme.io/?utm_source=newsletter", ""),
        page("2", T0 + 24 * 60 * MIN, "https://acme.io/pricing", ""),
    ]);
    let last = e.state().last_touch.clone().unwrap();
    assert_eq!(last.at, T0 + 24 * 60 * MIN);
    assert_eq!(last.landing_page.as_deref(), Some("/pricing"));
    assert_eq!(last.utm.source.as_deref(), Some("newsletter"));

    let e = run(&[
        page("1", T0, "https://acme.io/?utm_source=newsletter", ""),
        page(
            "2",
            T0 + 24 * 60 * MIN,
            "https://acme.io/pricing",
            "https://bing.com/",
        ),
    ]);
    let last = e.state().last_touch.clone().unwrap();
    assert_eq!(last.referrer.as_deref(), Some("https://bing.com/"));
    assert!(last.utm.source.is_none());
}

/// A CRM sync's identify and group calls (server-side, no context) come before the first visit:
/// they are no touch, the visit's campaign is the first touch.
#[test]
fn identify_and_group_calls_are_no_first_touch() {
    let e = run(&[
        json!({"type": "identify", "messageId": "i", "anonymousId": "a", "timestamp": T0,
               "traits": {"email": "a@acme.io"}}),
        json!({"type": "group", "messageId": "g", "anonymousId": "a", "groupId": "c",
               "timestamp": T0 + MIN, "traits": {"name": "Acme"}}),
        page(
            "1",
            T0 + 2 * MIN,
            "https://acme.io/?utm_source=linkedin&utm_campaign=q4",
            "https://www.linkedin.com/",
        ),
        page(
            "2",
            T0 + 3 * 60 * MIN,
            "https://acme.io/docs",
            "https://news.ycombinator.com/",
        ),
    ]);
    let first = e.state().first_touch.as_ref().unwrap();
    assert_eq!(first.at, T0 + 2 * MIN);
    assert_eq!(first.utm.source.as_deref(), Some("linkedin"));
    // A visit without a campaign in the visit an identify call opened.
    let e = run(&[
        json!({"type": "identify", "messageId": "i", "anonymousId": "a", "timestamp": T0,
               "traits": {"email": "a@acme.io"}}),
        page(
            "1",
            T0 + MIN,
            "https://acme.io/",
            "https://news.ycombinator.com/",
        ),
    ]);
    let first = e.state().first_touch.as_ref().unwrap();
    assert_eq!(first.at, T0 + MIN);
    assert_eq!(
        first.referrer.as_deref(),
        Some("https://news.ycombinator.com/")
    );
    // Only an identify: no touch at all.
    let e = run(&[
        json!({"type": "identify", "messageId": "i", "anonymousId": "a",
                         "timestamp": T0, "traits": {"email": "a@acme.io"}}),
    ]);
    assert_eq!(e.state().first_touch, None);
}
