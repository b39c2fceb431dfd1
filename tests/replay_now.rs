//! Replays given the caller's `now` (the engine reads no clock): a log line stamped more than a
//! day after it, or a number that looks like epoch seconds, is skipped and counted with its
//! reason like any malformed line; without `now` a replay takes times as given (unchanged).
#![cfg(feature = "analytics")]

use baton::analytics::import::CsvMapping;
use baton::analytics::workspace::Workspace;
use baton::json::json;
use baton::model::Model;
use baton::replay::{NdjsonReplay, Replay};

const DAY: i64 = 86_400_000;
/// 2026-11-02T09:00:00Z.
const T0: i64 = 1_793_610_000_000;
/// 2099-01-01: a broken clock.
const FAR: i64 = 4_070_908_800_000;

/// A page view is worth 10, once a day.
fn model() -> Model {
    Model::from_value(&json!({"version": "1", "rules": [
        {"id": "pv", "points": 10, "when": {"type": "page"}, "cap": {"perDay": 1}}]}))
    .unwrap()
}

/// Day 1, a 2099 event, epoch seconds of day 1 + 1 h, day 2.
fn log() -> String {
    [
        json!({"type": "page", "messageId": "1", "anonymousId": "a", "timestamp": T0}),
        json!({"type": "page", "messageId": "2", "anonymousId": "a", "timestamp": FAR}),
        json!({"type": "page", "messageId": "3", "anonymousId": "a", "timestamp": (T0 + 3_600_000) / 1000}),
        json!({"type": "page", "messageId": "4", "anonymousId": "a", "timestamp": T0 + DAY}),
    ]
    .iter()
    .map(|v| v.to_string() + "\n")
    .collect()
}

fn replayed(now: Option<i64>) -> NdjsonReplay {
    let mut r = NdjsonReplay::at(Replay::new(model()), now);
    let text = log();
    // Cut inside a line: the check is per line, wherever the chunks end.
    r.push(&text.as_bytes()[..150]);
    r.push(&text.as_bytes()[150..]);
    r.finish();
    r
}

#[test]
fn a_replay_given_now_skips_future_and_seconds_lines_with_their_reasons() {
    let now = T0 + 2 * DAY;
    let r = replayed(Some(now));
    assert_eq!((r.events, r.skipped), (2, 2));
    let lines: Vec<(u64, &str)> = r
        .skipped_lines
        .iter()
        .map(|s| (s.line, s.reason.as_str()))
        .collect();
    assert_eq!(lines[0].0, 2);
    assert_eq!(
        lines[0],
        (
            2,
            "invalid event: timestamp: 2099-01-01T00:00:00Z is more than a day after now \
             (2026-11-04T09:00:00Z): the sender's clock is wrong"
        )
    );
    assert_eq!(
        lines[1],
        (
            3,
            "invalid event: timestamp: looks like seconds since the epoch (2026-11-02T10:00:00Z); \
             numbers are milliseconds: send 1793613600000 or ISO 8601 text"
        )
    );
    // Both days count: the 2099 event no longer closes the per-day cap for good.
    let (engine, _) = r.replay.visitors().next().unwrap();
    assert_eq!(engine.score(now).total, 20.0);
    assert_eq!(engine.state().first_seen, Some(T0));
    assert_eq!(engine.state().last_seen, Some(T0 + DAY));
}

#[test]
fn without_now_a_replay_takes_times_as_given() {
    let r = replayed(None);
    assert_eq!((r.events, r.skipped), (4, 0));
    let (engine, _) = r.replay.visitors().next().unwrap();
    // As before: the 2099 event is scored and is the visitor's latest time; the seconds one is
    // in January 1970.
    assert_eq!(engine.state().last_seen, Some(FAR));
    assert_eq!(engine.state().first_seen, Some((T0 + 3_600_000) / 1000));
}

#[test]
fn a_workspace_import_given_now_reports_future_and_seconds_rows() {
    let now = T0 + 2 * DAY;
    let text = log();
    let csv = format!(
        "timestamp,anonymousId,messageId\n{T0},a,c1\n{FAR},a,c2\n{},a,c3\n",
        T0 / 1000
    );
    for (format, body) in [("jsonl", text.clone()), ("csv", csv)] {
        let mut ws = Workspace::new();
        ws.begin_events_at(format, CsvMapping::default(), Some(now))
            .unwrap();
        ws.push_events(&body).unwrap();
        let report = ws.finish_events().unwrap();
        let rows: Vec<u64> = report.errors.iter().map(|e| e.row).collect();
        let first = if format == "csv" { 3 } else { 2 };
        assert_eq!(
            rows,
            vec![first, first + 1],
            "{format}: {:?}",
            report.errors
        );
        assert!(
            report.errors[0]
                .reason
                .contains("2099-01-01T00:00:00Z is more than a day after now"),
            "{:?}",
            report.errors
        );
        assert!(
            report.errors[1]
                .reason
                .contains("looks like seconds since the epoch (2026-11-02T"),
            "{:?}",
            report.errors
        );
        assert_eq!(report.rejected, 2);
        assert_eq!(
            ws.summary().last_event_at,
            Some(if format == "csv" { T0 } else { T0 + DAY })
        );
    }
    // A JSON array too; and without `now` every row is imported, as before.
    let array = format!("[{}]", log().trim_end().replace('\n', ","));
    let mut ws = Workspace::new();
    ws.begin_events_at("json", CsvMapping::default(), Some(now))
        .unwrap();
    ws.push_events(&array).unwrap();
    assert_eq!(ws.finish_events().unwrap().rejected, 2);
    let mut ws = Workspace::new();
    ws.begin_events("jsonl", CsvMapping::default()).unwrap();
    ws.push_events(&text).unwrap();
    let report = ws.finish_events().unwrap();
    assert_eq!((report.imported, report.rejected), (4, 0));
    assert_eq!(ws.summary().last_event_at, Some(FAR));
}

/// The same line that is no JSON gets the same reason from a replay and from a `Workspace`
/// import (was `invalid event: $: expected a value at column 2` against `not valid JSON at
/// column 2: expected ident`).
#[test]
fn a_line_that_is_no_json_has_one_reason_everywhere() {
    let model = Model::from_value(&json!({"version": "1", "rules": []})).unwrap();
    for bad in ["{oops", "{\"type\": tru}", "[1,", "nope"] {
        let text = format!("{bad}\n");
        let mut r = NdjsonReplay::new(Replay::new(model.clone()));
        r.push(text.as_bytes());
        r.finish();
        let mut ws = Workspace::new();
        ws.begin_events_at("jsonl", CsvMapping::default(), None)
            .unwrap();
        ws.push_events(&text).unwrap();
        let report = ws.finish_events().unwrap();
        let replayed = &r.skipped_lines[0].reason;
        assert_eq!(replayed, &report.errors[0].reason, "{bad}");
        assert!(
            replayed.starts_with("not valid JSON at column "),
            "{replayed}"
        );
    }
}
