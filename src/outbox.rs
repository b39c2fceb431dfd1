//! The outbox: handoffs not yet acknowledged by the endpoint, persisted and retried.
//!
//! Each entry is a small state machine: `pending → inFlight → acknowledged`, or back to
//! `pending` with a later attempt time (exponential backoff with deterministic jitter, or the
//! server's `Retry-After`), or `failed` (a 4xx other than 408/429: retrying cannot help), or
//! `gaveUp` (too many attempts or too old). An in-flight entry whose lease ran out (the tab
//! closed mid-send) is due again. No clock: every call takes `now`.
//!
//! Read by hand (`decode`) and written by hand (`encode`), so the snippet carries neither of
//! serde's routes. The serde attributes remain the format's definition: `Serialize` is derived
//! for tests only, as the reference `encode`'s bytes are checked against.

use crate::error::Error;
use crate::hash;
use crate::json::num::push_u64;
use crate::json::Value;
use crate::text::int::push_i64;
use serde::{Deserialize, Serialize};

mod decode;
mod encode;
#[cfg(test)]
mod step40_tests;

pub const OUTBOX_VERSION: u32 = 1;
/// Entries kept (finished ones are dropped first): persisted in localStorage, so bounded.
pub const MAX_ENTRIES: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub max_age_ms: i64,
    pub base_delay_ms: i64,
    pub max_delay_ms: i64,
    /// How long an attempt may stay in flight before it counts as lost.
    pub lease_ms: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            max_age_ms: 7 * 86_400_000,
            base_delay_ms: 2_000,
            max_delay_ms: 3_600_000,
            lease_ms: 30_000,
        }
    }
}

impl RetryPolicy {
    /// Delay before attempt `attempt + 1` after `attempt` failures: base·2^(attempt-1), capped,
    /// then "equal jitter" (half fixed, half random) so many visitors do not retry in lockstep.
    pub fn backoff_ms(&self, attempt: u32, jitter: f64) -> i64 {
        let exp = attempt.saturating_sub(1).min(40);
        let raw = (self.base_delay_ms as f64) * 2f64.powi(exp as i32);
        let capped = raw.min(self.max_delay_ms as f64);
        (capped / 2.0 + capped / 2.0 * jitter.clamp(0.0, 1.0)).round() as i64
    }
}

/// Where one delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum DeliveryState {
    Pending,
    #[serde(rename_all = "camelCase")]
    InFlight {
        since: i64,
    },
    #[serde(rename_all = "camelCase")]
    Acknowledged {
        at: i64,
        status: u16,
    },
    /// Permanent failure: retrying cannot help.
    #[serde(rename_all = "camelCase")]
    Failed {
        at: i64,
        reason: String,
    },
    #[serde(rename_all = "camelCase")]
    GaveUp {
        at: i64,
        reason: String,
    },
}

impl DeliveryState {
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            DeliveryState::Acknowledged { .. }
                | DeliveryState::Failed { .. }
                | DeliveryState::GaveUp { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub handoff_id: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: u32,
    pub next_attempt_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub delivery: DeliveryState,
}

/// What the caller should send now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DueDelivery {
    pub handoff_id: String,
    pub body: String,
    /// 1 for the first attempt.
    pub attempt: u32,
}

/// The result of one attempt as the transport saw it. JSON form:
/// `{"status": {"code": 503, "retryAfterMs": 120000}}` or `{"networkError": "offline"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeliveryResult {
    #[serde(rename_all = "camelCase")]
    Status {
        code: u16,
        #[serde(default)]
        retry_after_ms: Option<i64>,
    },
    NetworkError(String),
}

impl DeliveryResult {
    pub fn network_error(message: impl Into<String>) -> DeliveryResult {
        DeliveryResult::NetworkError(message.into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
#[serde(rename_all = "camelCase")]
pub struct Outbox {
    #[serde(rename = "v")]
    version: u32,
    policy: RetryPolicy,
    entries: Vec<OutboxEntry>,
}

impl Outbox {
    pub fn new(policy: RetryPolicy) -> Outbox {
        Outbox {
            version: OUTBOX_VERSION,
            policy,
            entries: Vec::new(),
        }
    }

    pub fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// Add a delivery; `false` if this handoff id is already known (idempotent enqueue).
    pub fn enqueue(&mut self, handoff_id: &str, body: String, now: i64) -> bool {
        if self.entries.iter().any(|e| e.handoff_id == handoff_id) {
            return false;
        }
        if self.entries.len() >= MAX_ENTRIES {
            // Drop the oldest finished entry; if none is finished, the oldest entry of all.
            let victim = self
                .entries
                .iter()
                .position(|e| e.delivery.is_finished())
                .unwrap_or(0);
            self.entries.remove(victim);
        }
        self.entries.push(OutboxEntry {
            handoff_id: handoff_id.to_string(),
            body,
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            delivery: DeliveryState::Pending,
        });
        true
    }

    fn too_old(&self, e: &OutboxEntry, now: i64) -> bool {
        now.saturating_sub(e.created_at) > self.policy.max_age_ms
    }

    fn is_due(&self, e: &OutboxEntry, now: i64) -> bool {
        if self.too_old(e, now) {
            return false;
        }
        match e.delivery {
            DeliveryState::Pending => e.next_attempt_at <= now,
            DeliveryState::InFlight { since } => since.saturating_add(self.policy.lease_ms) <= now,
            _ => false,
        }
    }

    /// Deliveries to attempt now, oldest first.
    pub fn due(&self, now: i64) -> Vec<DueDelivery> {
        // Loops, not iterator chains, here and in `next_wake`: each chain is generic adapter
        // code of its own in the snippet's wasm (benches/SIZE.md, steps 37 and 40).
        let mut due = Vec::new();
        for e in &self.entries {
            if self.is_due(e, now) {
                due.push(DueDelivery {
                    handoff_id: e.handoff_id.clone(),
                    body: e.body.clone(),
                    attempt: e.attempts + 1,
                });
            }
        }
        due
    }

    /// Mark an entry in flight (pending, or in flight with an expired lease).
    pub fn begin(&mut self, id: &str, now: i64) -> Result<(), Error> {
        self.try_begin(id, now)
            .map_err(|reason| outbox_error(id, reason))
    }

    /// [`Outbox::begin`] with the refusal's reason only: the tracker just needs to know whether
    /// the entry moved, and an `Error` (the id and the reason copied into `String`s) would be
    /// built for it to drop (benches/SIZE.md, step 40).
    pub fn try_begin(&mut self, id: &str, now: i64) -> Result<(), &'static str> {
        let policy = self.policy;
        let e = self.entry(id)?;
        if now.saturating_sub(e.created_at) > policy.max_age_ms && !e.delivery.is_finished() {
            let mut reason = String::new();
            push_older_than(&mut reason, policy.max_age_ms);
            e.delivery = DeliveryState::GaveUp { at: now, reason };
            return Err("given up: too old");
        }
        match e.delivery {
            DeliveryState::Pending => {}
            DeliveryState::InFlight { since } if since.saturating_add(policy.lease_ms) <= now => {}
            DeliveryState::InFlight { .. } => return Err("already in flight"),
            _ => return Err("already finished"),
        }
        e.attempts = e.attempts.saturating_add(1);
        e.delivery = DeliveryState::InFlight { since: now };
        Ok(())
    }

    /// Record the result of the attempt begun with [`Outbox::begin`]; returns the new state.
    pub fn complete(
        &mut self,
        id: &str,
        result: DeliveryResult,
        now: i64,
        jitter_seed: u64,
    ) -> Result<DeliveryState, Error> {
        match self.record(id, result, now, jitter_seed) {
            Ok(state) => Ok(state.clone()),
            Err(reason) => Err(outbox_error(id, reason)),
        }
    }

    /// [`Outbox::complete`] returning the new state by reference and a refusal's reason only:
    /// what the tracker calls, which keeps neither (no state cloned, no `Error` built to drop).
    pub fn record(
        &mut self,
        id: &str,
        result: DeliveryResult,
        now: i64,
        jitter_seed: u64,
    ) -> Result<&DeliveryState, &'static str> {
        let policy = self.policy;
        let e = self.entry(id)?;
        if !matches!(e.delivery, DeliveryState::InFlight { .. }) {
            return Err("not in flight");
        }
        // The messages are stored (`lastError`, a final state's `reason`), so their bytes are
        // part of the outbox's format; they are built by pushes, not `format!` (step 40).
        let mut error = String::new();
        let retry_after = match result {
            DeliveryResult::Status { code, .. } if (200..300).contains(&code) => {
                e.delivery = DeliveryState::Acknowledged {
                    at: now,
                    status: code,
                };
                e.last_error = None;
                return Ok(&e.delivery);
            }
            DeliveryResult::Status {
                code,
                retry_after_ms,
            } => {
                error.push_str("HTTP ");
                push_u64(code.into(), &mut error);
                if !(code == 408 || code == 429 || code >= 500) {
                    error.push_str(if (400..500).contains(&code) {
                        ": the endpoint refused the handoff; retrying cannot help"
                    } else {
                        ": unexpected status"
                    });
                    e.last_error = Some(error.clone());
                    e.delivery = DeliveryState::Failed {
                        at: now,
                        reason: error,
                    };
                    return Ok(&e.delivery);
                }
                retry_after_ms
            }
            DeliveryResult::NetworkError(message) => {
                error.push_str("network error: ");
                error.push_str(crate::event::clipped(&message, 200));
                None
            }
        };
        e.last_error = Some(error.clone());
        if e.attempts >= policy.max_attempts {
            let mut reason = String::new();
            push_u64(e.attempts.into(), &mut reason);
            reason.push_str(" attempts, last: ");
            reason.push_str(&error);
            e.delivery = DeliveryState::GaveUp { at: now, reason };
            return Ok(&e.delivery);
        }
        // The jitter's key: `{id}#{attempts}`.
        let mut key = String::from(id);
        key.push('#');
        push_u64(e.attempts.into(), &mut key);
        let backoff = policy.backoff_ms(e.attempts, hash::unit_interval(jitter_seed, &key));
        // `Retry-After` is a floor, never a shortcut: a server that says "0" (or a second) during
        // an outage would otherwise use up every attempt in moments.
        let delay = match retry_after {
            Some(ms) if ms >= 0 => ms.min(policy.max_age_ms).max(backoff),
            _ => backoff,
        };
        let next = now.saturating_add(delay);
        if next.saturating_sub(e.created_at) > policy.max_age_ms {
            let mut reason = String::from("next attempt would be ");
            push_older_than(&mut reason, policy.max_age_ms);
            reason.push_str(", last: ");
            reason.push_str(&error);
            e.delivery = DeliveryState::GaveUp { at: now, reason };
            return Ok(&e.delivery);
        }
        e.next_attempt_at = next;
        e.delivery = DeliveryState::Pending;
        Ok(&e.delivery)
    }

    /// When something next becomes due (a retry time or a lease expiry), if anything is waiting.
    pub fn next_wake(&self) -> Option<i64> {
        let mut wake: Option<i64> = None;
        for e in &self.entries {
            let at = match e.delivery {
                DeliveryState::Pending => e.next_attempt_at,
                DeliveryState::InFlight { since } => since.saturating_add(self.policy.lease_ms),
                _ => continue,
            };
            wake = Some(wake.map_or(at, |w| w.min(at)));
        }
        wake
    }

    pub fn entries(&self) -> &[OutboxEntry] {
        &self.entries
    }

    pub fn get(&self, id: &str) -> Option<&OutboxEntry> {
        self.entries.iter().find(|e| e.handoff_id == id)
    }

    /// Versioned JSON for localStorage: the bytes of its derived `Serialize`, written by hand
    /// (`encode`) so the snippet carries no serde serializer.
    pub fn export(&self) -> String {
        crate::json::text_of(self)
    }

    pub fn import(text: &str) -> Result<Outbox, Error> {
        let v: Value = crate::json::parse(text)
            .map_err(|e| Error::InvalidState(format!("outbox is not JSON: {e}")))?;
        match v.get("v").and_then(Value::as_u64) {
            Some(n) if n == u64::from(OUTBOX_VERSION) => {}
            Some(n) => {
                let mut reason = String::from("outbox version ");
                push_u64(n, &mut reason);
                reason.push_str(" is not supported");
                return Err(Error::InvalidState(reason));
            }
            None => {
                return Err(Error::InvalidState(
                    "not a baton outbox: no version".to_string(),
                ))
            }
        }
        // Read by hand, not `serde_json::from_value`: see `crate::tree` (snippet wasm size).
        let mut outbox =
            decode::outbox(&v).map_err(|e| Error::InvalidState(format!("outbox: {e}")))?;
        if outbox.entries.len() > MAX_ENTRIES {
            // The newest `MAX_ENTRIES`; `split_off`, not `drain`, whose drop is a routine per
            // element type (benches/SIZE.md, step 39).
            let extra = outbox.entries.len() - MAX_ENTRIES;
            outbox.entries = outbox.entries.split_off(extra);
        }
        Ok(outbox)
    }

    fn entry(&mut self, id: &str) -> Result<&mut OutboxEntry, &'static str> {
        self.entries
            .iter_mut()
            .find(|e| e.handoff_id == id)
            .ok_or("unknown handoff id")
    }
}

/// `older than {max_age_ms / 60_000} minutes`, the reason an entry gave up on its age.
fn push_older_than(out: &mut String, max_age_ms: i64) {
    out.push_str("older than ");
    push_i64(max_age_ms / 60_000, out);
    out.push_str(" minutes");
}

fn outbox_error(id: &str, reason: &str) -> Error {
    Error::Outbox {
        id: id.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> DeliveryResult {
        DeliveryResult::Status {
            code,
            retry_after_ms: None,
        }
    }

    #[test]
    fn backoff_table() {
        let p = RetryPolicy::default();
        // (attempt, jitter, expected delay): base 2 s doubling, capped at 1 h, half fixed.
        for (attempt, jitter, expected) in [
            (1, 0.0, 1_000),
            (1, 1.0, 2_000),
            (2, 0.0, 2_000),
            (3, 0.5, 6_000),
            (12, 0.0, 1_800_000),
            (12, 1.0, 3_600_000),
            (100, 1.0, 3_600_000),
        ] {
            assert_eq!(
                p.backoff_ms(attempt, jitter),
                expected,
                "attempt {attempt} jitter {jitter}"
            );
        }
    }

    #[test]
    fn status_codes_decide_the_next_state() {
        // (status, expected state name)
        for (code, expected) in [
            (200, "acknowledged"),
            (204, "acknowledged"),
            (400, "failed"),
            (404, "failed"),
            (408, "pending"),
            (429, "pending"),
            (500, "pending"),
            (503, "pending"),
            (301, "failed"),
        ] {
            let mut o = Outbox::new(RetryPolicy::default());
            assert!(o.enqueue("h", "{}".into(), 0));
            o.begin("h", 10).unwrap();
            let st = o.complete("h", status(code), 20, 1).unwrap();
            let name = crate::json::to_value(&st).unwrap()["state"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(name, expected, "HTTP {code}");
        }
    }

    #[test]
    fn lifecycle_with_retry_after_lease_and_give_up() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let mut o = Outbox::new(policy);
        assert!(o.enqueue("h1", "body".into(), 1_000));
        assert!(!o.enqueue("h1", "other".into(), 1_001), "same id twice");
        assert_eq!(o.due(1_000).len(), 1);
        o.begin("h1", 1_000).unwrap();
        assert!(o.begin("h1", 1_001).is_err(), "in flight");
        assert!(o.due(1_001).is_empty());
        // Lease expiry: the tab closed mid-send.
        assert_eq!(o.next_wake(), Some(31_000));
        assert_eq!(o.due(31_000)[0].attempt, 2);
        o.begin("h1", 31_000).unwrap();
        let st = o
            .complete(
                "h1",
                DeliveryResult::Status {
                    code: 429,
                    retry_after_ms: Some(120_000),
                },
                31_500,
                9,
            )
            .unwrap();
        assert_eq!(st, DeliveryState::Pending);
        assert_eq!(o.next_wake(), Some(151_500), "Retry-After honoured");
        assert!(o.due(151_499).is_empty());
        o.begin("h1", 151_500).unwrap();
        let st = o
            .complete("h1", DeliveryResult::network_error("offline"), 151_600, 9)
            .unwrap();
        assert!(matches!(st, DeliveryState::GaveUp { .. }), "{st:?}");
        assert_eq!(o.next_wake(), None);
        assert!(o.complete("h1", status(200), 1, 1).is_err());
    }

    /// `Retry-After` is a floor under the backoff: the delay is max(Retry-After, backoff).
    #[test]
    fn retry_after_never_shortens_the_backoff() {
        // Default policy: base 2 s, so after attempt 3 the backoff is 8 s · (½ + ½·jitter), 4-8 s.
        let run = |retry_after_ms: Option<i64>| {
            let mut o = Outbox::new(RetryPolicy::default());
            assert!(o.enqueue("h", "{}".into(), 0));
            let mut now = 0;
            for _ in 0..3 {
                now = o.next_wake().unwrap().max(now);
                o.begin("h", now).unwrap();
                let result = DeliveryResult::Status {
                    code: 503,
                    retry_after_ms,
                };
                o.complete("h", result, now, 42).unwrap();
            }
            o.next_wake().unwrap() - now
        };
        let backoff = run(None);
        assert!((4_000..=8_000).contains(&backoff), "{backoff}");
        // (Retry-After, expected delay)
        for (ra, expected) in [
            (0, backoff),
            (1_000, backoff),
            (backoff - 1, backoff),
            (backoff + 1, backoff + 1),
            (120_000, 120_000),
        ] {
            assert_eq!(run(Some(ra)), expected, "Retry-After {ra} ms");
        }
        // The reviewer's outage: 8 attempts with `Retry-After: 0` take at least the backoff sum
        // at its jitter floor (1 + 2 + 4 + ... + 64 s = 127 s), not under a second.
        let mut o = Outbox::new(RetryPolicy::default());
        assert!(o.enqueue("h", "{}".into(), 0));
        let mut now = 0;
        while let Some(at) = o.next_wake() {
            now = at;
            o.begin("h", now).unwrap();
            let result = DeliveryResult::Status {
                code: 503,
                retry_after_ms: Some(0),
            };
            if o.complete("h", result, now, 7).unwrap().is_finished() {
                break;
            }
        }
        assert!(now >= 127_000, "gave up after {now} ms");
    }

    proptest::proptest! {
        /// Whatever the server says, the wait is the larger of its `Retry-After` (bounded by the
        /// maximum age) and the backoff the same seed gives without one.
        #[test]
        fn retry_after_is_a_floor(
            ra in 0i64..20_000_000,
            seed in proptest::prelude::any::<u64>(),
            failures in 1u32..6,
        ) {
            // The last failure carries `last` as its Retry-After; the earlier ones none.
            let delay = |last: Option<i64>| {
                let mut o = Outbox::new(RetryPolicy::default());
                o.enqueue("h", "{}".into(), 0);
                let mut now = 0;
                for i in 0..failures {
                    now = o.next_wake().unwrap();
                    o.begin("h", now).unwrap();
                    let retry_after_ms = if i + 1 == failures { last } else { None };
                    let result = DeliveryResult::Status { code: 503, retry_after_ms };
                    o.complete("h", result, now, seed).unwrap();
                }
                o.next_wake().map(|at| at - now)
            };
            let backoff = delay(None).unwrap();
            let with_ra = delay(Some(ra));
            proptest::prop_assert_eq!(with_ra, Some(ra.min(RetryPolicy::default().max_age_ms).max(backoff)));
        }
    }

    #[test]
    fn jitter_is_deterministic_given_the_seed() {
        let run = |seed| {
            let mut o = Outbox::new(RetryPolicy::default());
            o.enqueue("h", String::new(), 0);
            o.begin("h", 0).unwrap();
            o.complete("h", status(503), 0, seed).unwrap();
            o.next_wake().unwrap()
        };
        assert_eq!(run(7), run(7));
        assert!((1_000..=2_000).contains(&run(7)));
        assert!(
            (0..50)
                .map(run)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                > 10
        );
    }

    #[test]
    fn old_entries_give_up_and_export_round_trips() {
        let mut o = Outbox::new(RetryPolicy::default());
        o.enqueue("old", "b".into(), 0);
        let week = 7 * 86_400_000;
        assert!(o.due(week + 1).is_empty());
        assert!(o.begin("old", week + 1).is_err());
        assert!(matches!(
            o.entries()[0].delivery,
            DeliveryState::GaveUp { .. }
        ));
        let again = Outbox::import(&o.export()).unwrap();
        assert_eq!(again, o);
        for bad in ["", "[]", "{}", r#"{"v":99}"#, r#"{"v":1,"entries":3}"#] {
            assert!(Outbox::import(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bounded_keeps_active_entries() {
        let mut o = Outbox::new(RetryPolicy::default());
        for i in 0..(MAX_ENTRIES as i64 + 10) {
            o.enqueue(&format!("h{i}"), String::new(), i);
        }
        assert_eq!(o.entries().len(), MAX_ENTRIES);
        assert_eq!(
            o.entries().last().unwrap().handoff_id,
            format!("h{}", MAX_ENTRIES + 9)
        );
    }
}
