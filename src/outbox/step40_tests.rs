//! Step 40 (benches/SIZE.md) rewrote the outbox's messages as pushes, gave the tracker
//! `try_begin`/`record` (no `Error`, no cloned state), and turned `due`/`next_wake` into loops
//! and the import's trim into `split_off`. The oracle below is the code as it was (`format!`,
//! iterator chains, `drain`): every state, stored message, error and wake time must agree.

use super::*;
use proptest::prelude::*;

/// `begin` as it was, on the same entries.
fn old_begin(o: &mut Outbox, id: &str, now: i64) -> Result<(), Error> {
    let policy = o.policy;
    let Some(e) = o.entries.iter_mut().find(|e| e.handoff_id == id) else {
        return Err(outbox_error(id, "unknown handoff id"));
    };
    if now.saturating_sub(e.created_at) > policy.max_age_ms && !e.delivery.is_finished() {
        e.delivery = DeliveryState::GaveUp {
            at: now,
            reason: format!("older than {} minutes", policy.max_age_ms / 60_000),
        };
        return Err(outbox_error(id, "given up: too old"));
    }
    match e.delivery {
        DeliveryState::Pending => {}
        DeliveryState::InFlight { since } if since.saturating_add(policy.lease_ms) <= now => {}
        DeliveryState::InFlight { .. } => return Err(outbox_error(id, "already in flight")),
        _ => return Err(outbox_error(id, "already finished")),
    }
    e.attempts = e.attempts.saturating_add(1);
    e.delivery = DeliveryState::InFlight { since: now };
    Ok(())
}

/// `complete` as it was.
fn old_complete(
    o: &mut Outbox,
    id: &str,
    result: DeliveryResult,
    now: i64,
    jitter_seed: u64,
) -> Result<DeliveryState, Error> {
    let policy = o.policy;
    let Some(e) = o.entries.iter_mut().find(|e| e.handoff_id == id) else {
        return Err(outbox_error(id, "unknown handoff id"));
    };
    if !matches!(e.delivery, DeliveryState::InFlight { .. }) {
        return Err(outbox_error(id, "not in flight"));
    }
    let (error, retry_after) = match result {
        DeliveryResult::Status { code, .. } if (200..300).contains(&code) => {
            e.delivery = DeliveryState::Acknowledged {
                at: now,
                status: code,
            };
            e.last_error = None;
            return Ok(e.delivery.clone());
        }
        DeliveryResult::Status {
            code,
            retry_after_ms,
        } if code == 408 || code == 429 || code >= 500 => (format!("HTTP {code}"), retry_after_ms),
        DeliveryResult::Status { code, .. } => {
            let reason = if (400..500).contains(&code) {
                format!("HTTP {code}: the endpoint refused the handoff; retrying cannot help")
            } else {
                format!("HTTP {code}: unexpected status")
            };
            e.last_error = Some(reason.clone());
            e.delivery = DeliveryState::Failed { at: now, reason };
            return Ok(e.delivery.clone());
        }
        DeliveryResult::NetworkError(message) => (
            format!("network error: {}", crate::event::clip(&message, 200)),
            None,
        ),
    };
    e.last_error = Some(error.clone());
    if e.attempts >= policy.max_attempts {
        e.delivery = DeliveryState::GaveUp {
            at: now,
            reason: format!("{} attempts, last: {error}", e.attempts),
        };
        return Ok(e.delivery.clone());
    }
    let backoff = policy.backoff_ms(
        e.attempts,
        hash::unit_interval(jitter_seed, &format!("{id}#{}", e.attempts)),
    );
    // Since the review of issue 5, `Retry-After` is a floor under the backoff (it replaced it
    // before); the oracle follows, the rest of it is the code as it was.
    let delay = match retry_after {
        Some(ms) if ms >= 0 => ms.min(policy.max_age_ms).max(backoff),
        _ => backoff,
    };
    let next = now.saturating_add(delay);
    if next.saturating_sub(e.created_at) > policy.max_age_ms {
        e.delivery = DeliveryState::GaveUp {
            at: now,
            reason: format!(
                "next attempt would be older than {} minutes, last: {error}",
                policy.max_age_ms / 60_000
            ),
        };
        return Ok(e.delivery.clone());
    }
    e.next_attempt_at = next;
    e.delivery = DeliveryState::Pending;
    Ok(e.delivery.clone())
}

fn old_due(o: &Outbox, now: i64) -> Vec<DueDelivery> {
    o.entries
        .iter()
        .filter(|e| o.is_due(e, now))
        .map(|e| DueDelivery {
            handoff_id: e.handoff_id.clone(),
            body: e.body.clone(),
            attempt: e.attempts + 1,
        })
        .collect()
}

fn old_next_wake(o: &Outbox) -> Option<i64> {
    o.entries
        .iter()
        .filter_map(|e| match e.delivery {
            DeliveryState::Pending => Some(e.next_attempt_at),
            DeliveryState::InFlight { since } => Some(since.saturating_add(o.policy.lease_ms)),
            _ => None,
        })
        .min()
}

fn status(code: u16, retry_after_ms: Option<i64>) -> DeliveryResult {
    DeliveryResult::Status {
        code,
        retry_after_ms,
    }
}

/// One entry `h` begun at 0 under `policy`, then completed with `result` at `now`.
fn completed(policy: RetryPolicy, result: DeliveryResult, now: i64) -> DeliveryState {
    let mut o = Outbox::new(policy);
    o.enqueue("h", String::new(), 0);
    o.begin("h", 0).unwrap();
    o.complete("h", result, now, 5).unwrap()
}

fn reason_of(state: &DeliveryState) -> &str {
    match state {
        DeliveryState::Failed { reason, .. } | DeliveryState::GaveUp { reason, .. } => reason,
        _ => "",
    }
}

#[test]
fn stored_messages_keep_their_words() {
    let one_try = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let cases = [
        (
            status(404, None),
            "HTTP 404: the endpoint refused the handoff; retrying cannot help",
        ),
        (status(301, None), "HTTP 301: unexpected status"),
        (status(0, None), "HTTP 0: unexpected status"),
        (status(65_535, Some(1)), "1 attempts, last: HTTP 65535"),
        (status(503, None), "1 attempts, last: HTTP 503"),
        (
            DeliveryResult::network_error("offline"),
            "1 attempts, last: network error: offline",
        ),
    ];
    for (result, reason) in cases {
        let state = completed(one_try, result.clone(), 10);
        assert_eq!(reason_of(&state), reason, "{result:?}");
    }
    // The last error is stored on the entry too, and a network error is clipped to 200 bytes
    // on a char boundary.
    let mut o = Outbox::new(RetryPolicy::default());
    o.enqueue("h", String::new(), 0);
    o.begin("h", 0).unwrap();
    let long = "é".repeat(150);
    o.complete("h", DeliveryResult::network_error(long), 1, 5)
        .unwrap();
    let expected = format!("network error: {}", "é".repeat(100));
    assert_eq!(o.get("h").unwrap().last_error.as_deref(), Some(&*expected));

    // Too old: at `begin`, and when the next attempt would be (minutes rounded toward zero,
    // negative ages too).
    for (max_age_ms, minutes) in [(7 * 86_400_000, "10080"), (119_999, "1"), (-60_000, "-1")] {
        let policy = RetryPolicy {
            max_age_ms,
            ..RetryPolicy::default()
        };
        let mut o = Outbox::new(policy);
        o.enqueue("h", String::new(), 0);
        assert_eq!(
            o.begin("h", max_age_ms.max(0) + 1),
            Err(outbox_error("h", "given up: too old"))
        );
        let reason = format!("older than {minutes} minutes");
        assert_eq!(reason_of(&o.entries[0].delivery), reason);
    }
    let policy = RetryPolicy {
        max_age_ms: 60_000,
        ..RetryPolicy::default()
    };
    let state = completed(policy, status(503, Some(60_000)), 1);
    assert_eq!(
        reason_of(&state),
        "next attempt would be older than 1 minutes, last: HTTP 503"
    );
}

#[test]
fn the_jitter_key_is_the_id_and_attempt() {
    // The delay after a 503 without `Retry-After` is the backoff with the jitter of
    // `{id}#{attempts}` under the seed.
    for (id, seed) in [("h", 5u64), ("ünï#1", 0), ("", u64::MAX)] {
        let mut o = Outbox::new(RetryPolicy::default());
        o.enqueue(id, String::new(), 0);
        for attempt in 1..=3u32 {
            let now = o.next_wake().unwrap();
            o.begin(id, now).unwrap();
            o.complete(id, status(503, None), now, seed).unwrap();
            let jitter = hash::unit_interval(seed, &format!("{id}#{attempt}"));
            let delay = RetryPolicy::default().backoff_ms(attempt, jitter);
            assert_eq!(o.next_wake(), Some(now + delay), "{id} {attempt}");
        }
    }
}

#[test]
fn the_tracker_calls_refuse_with_the_same_reasons() {
    let mut o = Outbox::new(RetryPolicy::default());
    assert_eq!(o.try_begin("x", 0), Err("unknown handoff id"));
    assert_eq!(
        o.record("x", status(200, None), 0, 1),
        Err("unknown handoff id")
    );
    o.enqueue("h", String::new(), 0);
    assert_eq!(o.record("h", status(200, None), 0, 1), Err("not in flight"));
    assert_eq!(o.try_begin("h", 0), Ok(()));
    assert_eq!(o.try_begin("h", 1), Err("already in flight"));
    assert_eq!(
        o.record("h", status(204, None), 2, 1),
        Ok(&DeliveryState::Acknowledged { at: 2, status: 204 })
    );
    assert_eq!(o.try_begin("h", 3), Err("already finished"));
    assert_eq!(
        o.begin("h", 3),
        Err(Error::Outbox {
            id: "h".into(),
            reason: "already finished".into()
        })
    );
}

#[test]
fn an_import_keeps_the_newest_entries() {
    let entry = |i: usize| OutboxEntry {
        handoff_id: format!("h{i}"),
        body: String::new(),
        created_at: i as i64,
        attempts: 0,
        next_attempt_at: 0,
        last_error: None,
        delivery: DeliveryState::Pending,
    };
    for n in [0, 1, MAX_ENTRIES, MAX_ENTRIES + 1, MAX_ENTRIES + 9] {
        let mut o = Outbox::new(RetryPolicy::default());
        o.entries = (0..n).map(entry).collect();
        let read = Outbox::import(&o.export()).unwrap();
        let kept: Vec<OutboxEntry> = (n.saturating_sub(MAX_ENTRIES)..n).map(entry).collect();
        assert_eq!(read.entries, kept, "{n} entries");
    }
}

#[derive(Debug, Clone)]
enum Op {
    Enqueue(usize, i64),
    Begin(usize, i64),
    Complete(usize, DeliveryResult, i64, u64),
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0..3usize;
    let time = prop_oneof![0..200_000i64, any::<i64>()];
    let code = prop_oneof![
        prop::sample::select(vec![200u16, 204, 301, 400, 404, 408, 429, 500, 503]),
        any::<u16>()
    ];
    let retry = prop::option::of(prop_oneof![-5..200_000i64, any::<i64>()]);
    let result = prop_oneof![
        (code, retry).prop_map(|(c, r)| status(c, r)),
        "[a-zé😀 ]{0,3}|.{190,210}".prop_map(DeliveryResult::NetworkError),
    ];
    prop_oneof![
        (id.clone(), time.clone()).prop_map(|(i, t)| Op::Enqueue(i, t)),
        (id.clone(), time.clone()).prop_map(|(i, t)| Op::Begin(i, t)),
        (id, result, time, any::<u64>()).prop_map(|(i, r, t, s)| Op::Complete(i, r, t, s)),
    ]
}

fn policy() -> impl Strategy<Value = RetryPolicy> {
    let ms = prop_oneof![0..300_000i64, any::<i64>()];
    (0..4u32, ms.clone(), 0..5_000i64, ms.clone(), ms).prop_map(
        |(max_attempts, max_age_ms, base_delay_ms, max_delay_ms, lease_ms)| RetryPolicy {
            max_attempts,
            max_age_ms,
            base_delay_ms,
            max_delay_ms,
            lease_ms,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Random lifecycles: the public calls, the tracker's calls and the old code give the same
    /// results and leave the same entries; `due` and `next_wake` agree with the old chains.
    #[test]
    fn lifecycles_agree_with_the_old_outbox(
        policy in policy(),
        ops in prop::collection::vec(op(), 0..24),
    ) {
        const IDS: [&str; 3] = ["a", "b", "ç#2"];
        let mut new = Outbox::new(policy);
        let mut tracker = Outbox::new(policy);
        let mut old = Outbox::new(policy);
        for op in ops {
            match op {
                Op::Enqueue(i, now) => {
                    let added = new.enqueue(IDS[i], "body".into(), now);
                    prop_assert_eq!(tracker.enqueue(IDS[i], "body".into(), now), added);
                    prop_assert_eq!(old.enqueue(IDS[i], "body".into(), now), added);
                }
                Op::Begin(i, now) => {
                    let got = new.begin(IDS[i], now);
                    let quiet = tracker.try_begin(IDS[i], now);
                    prop_assert_eq!(quiet.map_err(|r| outbox_error(IDS[i], r)), got.clone());
                    prop_assert_eq!(old_begin(&mut old, IDS[i], now), got);
                }
                Op::Complete(i, result, now, seed) => {
                    let got = new.complete(IDS[i], result.clone(), now, seed);
                    let quiet = tracker.record(IDS[i], result.clone(), now, seed);
                    prop_assert_eq!(
                        quiet.cloned().map_err(|r| outbox_error(IDS[i], r)),
                        got.clone()
                    );
                    prop_assert_eq!(old_complete(&mut old, IDS[i], result, now, seed), got);
                }
            }
            prop_assert_eq!(&new, &old);
            prop_assert_eq!(&tracker, &old);
            prop_assert_eq!(new.next_wake(), old_next_wake(&old));
            for now in [0, 100_000, i64::MAX] {
                prop_assert_eq!(new.due(now), old_due(&old, now));
            }
        }
    }
}
