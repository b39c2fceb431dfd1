//! The dashboard's analytics end to end on the real engine: imports with bad rows, a worked
//! example through funnel / SLA / backtest, and the sample data through every analysis.
#![cfg(feature = "analytics")]

use baton::analytics::backtest::BacktestOptions;
use baton::analytics::dates::parse_time;
use baton::analytics::import::CsvMapping;
use baton::analytics::outcomes::SalesStage;
use baton::analytics::workspace::Workspace;
use baton::analytics::{funnel, rejected, sample, sla};
use baton::model::Model;

const H: i64 = 3_600_000;

fn demo_model() -> Model {
    Model::from_json(include_str!("fixtures/models/demo.model.json")).expect("demo model")
}

fn t(s: &str) -> i64 {
    parse_time(s).unwrap()
}

#[test]
fn a_chunked_import_keeps_good_rows_and_numbers_bad_ones() {
    let text = include_str!("fixtures/imports/events-with-bad-rows.jsonl");
    let mut ws = Workspace::new();
    ws.begin_events("auto", CsvMapping::default()).unwrap();
    // Chunk boundaries in the middle of lines.
    for piece in [&text[..100], &text[100..777], &text[777..]] {
        ws.push_events(piece).unwrap();
    }
    let report = ws.finish_events().unwrap();
    let rows: Vec<u64> = report.errors.iter().map(|e| e.row).collect();
    assert!(
        rows.contains(&3) && rows.contains(&4) && rows.contains(&7),
        "{:?}",
        report.errors
    );
    assert_eq!(report.rows, 8);
    assert_eq!(report.imported + report.rejected, 8);
    assert!(report.errors[0].reason.starts_with("not valid JSON"));
    assert_eq!(ws.summary().events, report.imported);

    // The same file again: every good row is a duplicate, nothing doubles.
    ws.begin_events("jsonl", CsvMapping::default()).unwrap();
    ws.push_events(text).unwrap();
    let again = ws.finish_events().unwrap();
    assert_eq!((again.imported, again.duplicates), (0, report.imported));
    assert_eq!(ws.summary().events, report.imported);

    let outcomes = ws.import_outcomes(include_str!("fixtures/imports/outcomes-with-bad-rows.csv"));
    let bad: Vec<u64> = outcomes.errors.iter().map(|e| e.row).collect();
    assert_eq!((outcomes.imported, bad), (3, vec![5, 6]));
}

/// A buyer who qualifies on day 3 (third visit), and a visitor who only reads the blog.
fn buyer_events() -> String {
    [
        r#"{"type":"page","messageId":"w1","anonymousId":"buyer","timestamp":"2026-10-01T10:00:00Z","properties":{"path":"/pricing"},"context":{"campaign":{"source":"linkedin","name":"q4"}}}"#,
        r#"{"type":"track","messageId":"w2","anonymousId":"buyer","timestamp":"2026-10-01T10:01:00Z","event":"Asset Downloaded","properties":{"path":"/resources/a.pdf"}}"#,
        r#"{"type":"page","messageId":"w3","anonymousId":"buyer","timestamp":"2026-10-02T10:00:00Z","properties":{"path":"/"}}"#,
        r#"{"type":"track","messageId":"w4","anonymousId":"buyer","timestamp":"2026-10-02T10:01:00Z","event":"Asset Downloaded","properties":{"path":"/resources/b.pdf"}}"#,
        r#"{"type":"identify","messageId":"w5","anonymousId":"buyer","userId":"vp@northwind.example","timestamp":"2026-10-03T10:00:00Z","traits":{"email":"vp@northwind.example","title":"VP Marketing","employees":1200,"industry":"Software"}}"#,
        r#"{"type":"page","messageId":"w6","anonymousId":"buyer","timestamp":"2026-10-03T10:00:30Z","properties":{"path":"/pricing"}}"#,
        r#"{"type":"page","messageId":"w7","anonymousId":"browser","timestamp":"2026-10-03T11:00:00Z","properties":{"path":"/blog/x"}}"#,
    ]
    .join("\n")
}

/// One buyer qualifies on day 3; sales accepts two hours later, against a one-hour SLA.
#[test]
fn worked_example_through_funnel_sla_and_backtest() {
    let events = buyer_events();
    let mut ws = Workspace::new();
    ws.begin_events("jsonl", CsvMapping::default()).unwrap();
    ws.push_events(&events).unwrap();
    assert_eq!(ws.finish_events().unwrap().rejected, 0);
    ws.import_outcomes(
        "email,stage,date,owner\n\
         vp@northwind.example,sal,2026-10-03T12:00:30Z,alex@baton.example\n\
         vp@northwind.example,sql,2026-10-06T12:00:30Z,alex@baton.example\n",
    );
    let model = demo_model();
    let as_of = t("2026-10-10T00:00:00Z");
    let leads = ws.leads(&model, as_of).to_vec();
    assert_eq!(leads.len(), 2);
    let buyer = leads
        .iter()
        .find(|l| l.email.as_deref() == Some("vp@northwind.example"))
        .unwrap();
    let mql_at = t("2026-10-03T10:00:30Z");
    assert_eq!(buyer.mql_at, Some(mql_at), "{buyer:?}");
    assert_eq!(
        (buyer.source.as_str(), buyer.campaign.as_str()),
        ("linkedin", "q4")
    );
    assert_eq!(buyer.stage, "sql");
    assert_eq!(buyer.sla_due_at, Some(mql_at + H)); // slaMinutes 60
    assert!(buyer.sla_breached);
    let browser = leads.iter().find(|l| l.id != buyer.id).unwrap();
    assert_eq!(browser.mql_at, None);

    let f = funnel::funnel(&leads);
    let counts: Vec<u64> = f.steps.iter().map(|s| s.count).collect();
    assert_eq!(counts, [1, 1, 1, 0, 0]);
    assert_eq!(f.steps[0].median_ms_in_stage, Some((2 * H) as f64));
    assert_eq!(f.steps[1].median_ms_in_stage, Some((72 * H) as f64));
    assert_eq!(f.by_source[0].key, "linkedin");

    let s = sla::sla(&leads, H, as_of);
    assert_eq!((s.mqls, s.breached), (1, 1));
    assert_eq!(s.breaches[0].late_by_ms, H);
    assert_eq!(s.breaches[0].owner.as_deref(), Some("alex@baton.example"));

    // A stricter candidate (MQL at 90 points) loses the buyer; the same model changes nothing.
    let same = ws.backtest(&model, &model, as_of, &BacktestOptions::default());
    assert_eq!((same.mql_delta, same.conversion_delta), (0, Some(0.0)));
    let mut strict = model.to_value().clone();
    strict["stages"]["mql"]["all"][0]["gte"] = baton::json::json!(90);
    let strict = Model::from_value(&strict).unwrap();
    let bt = ws.backtest(&model, &strict, as_of, &BacktestOptions::default());
    assert_eq!(
        (bt.current.mqls, bt.candidate.mqls, bt.no_longer_qualified),
        (1, 0, 1)
    );
    assert_eq!(bt.positives, 1);
    assert_eq!(bt.current.recall, Some(1.0));
    assert_eq!(bt.candidate.recall, Some(0.0));

    let detail = ws.lead_detail(&model, as_of, &buyer.id).unwrap();
    assert_eq!(detail.events_total, 6);
    assert!(detail
        .explanation
        .entries
        .iter()
        .any(|e| e.rule_id == "pricing-page"));
}

#[test]
fn sample_data_populates_every_analysis() {
    let now = t("2026-11-01T00:00:00Z");
    let data = sample::generate(42, 1500, now);
    let mut ws = Workspace::new();
    ws.begin_events("jsonl", CsvMapping::default()).unwrap();
    ws.push_events(&data.events_jsonl).unwrap();
    let report = ws.finish_events().unwrap();
    assert_eq!((report.imported, report.rejected), (data.events as u64, 0));
    assert_eq!(ws.import_outcomes(&data.outcomes_csv).rejected, 0);
    let model = demo_model();
    let leads = ws.leads(&model, now).to_vec();
    let mqls = leads.iter().filter(|l| l.mql_at.is_some()).count();
    assert!(mqls > 30, "{mqls} MQLs");
    let f = funnel::funnel(&leads);
    assert!(f.steps.windows(2).all(|w| w[1].count <= w[0].count));
    assert!(f.steps[4].count > 0 && f.by_source.len() >= 4);
    let s = sla::sla(&leads, 60 * 60_000, now);
    assert!(
        s.breached > 0 && s.met > 0,
        "{} met, {} breached",
        s.met,
        s.breached
    );
    let r = rejected::rejected(&leads);
    for reason in ["Student", "Job seeker", "Competitor"] {
        assert!(r.by_reason.iter().any(|x| x.key == reason), "{reason}");
    }
    assert!(leads.iter().any(|l| l.reached(SalesStage::Won).is_some()));
    let bt = ws.backtest(
        &model,
        &model,
        now,
        &BacktestOptions {
            capacity_per_week: Some(10.0),
            ..Default::default()
        },
    );
    assert_eq!(bt.mql_delta, 0);
    assert!(bt.capacity.unwrap().threshold.is_some());
}

/// Handoffs as the demo receiver stores them (a record wrapping the payload) become leads with
/// their owner, SLA deadline and attribution, once each.
#[test]
fn received_handoffs_import_once_and_become_leads() {
    let model = demo_model();
    let events: Vec<baton::event::Event> = buyer_events()
        .lines()
        .map(|l| baton::event::Event::from_json(l).unwrap())
        .collect();
    let results = baton::replay::replay(&model, &events, t("2026-10-04T00:00:00Z"));
    assert_eq!(results.iter().map(|r| r.handoffs.len()).sum::<usize>(), 1);
    let handoffs: Vec<String> = results
        .iter()
        .flat_map(|r| r.handoffs.iter())
        .map(|h| baton::json::json!({ "receivedAt": 1, "handoff": h }).to_string())
        .collect();
    let mut ws = Workspace::new();
    let lines = format!(
        "{}\nnot json\n{{\"hello\":1}}\n{}\n",
        handoffs.join("\n"),
        handoffs.join("\n")
    );
    let report = ws.import_handoffs(&lines);
    assert_eq!(report.imported, handoffs.len() as u64);
    assert_eq!(report.duplicates, handoffs.len() as u64);
    let bad: Vec<(u64, &str)> = report
        .errors
        .iter()
        .map(|e| (e.row, e.reason.as_str()))
        .collect();
    let n = handoffs.len() as u64;
    assert_eq!(bad.len(), 2);
    assert_eq!(bad[0].0, n + 1);
    assert!(bad[0].1.starts_with("not valid JSON"));
    assert_eq!(bad[1], (n + 2, "not a handoff: no handoffId"));
    let leads = ws.leads(&model, t("2026-10-10T00:00:00Z")).to_vec();
    assert_eq!(leads.len(), handoffs.len());
    for l in &leads {
        assert!(
            l.mql_at.is_some() && l.sla_due_at.is_some() && l.owner.is_some(),
            "{l:?}"
        );
    }
}
