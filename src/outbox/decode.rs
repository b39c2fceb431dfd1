//! Reads an [`Outbox`] from its JSON tree by hand (why, and what it accepts: [`crate::tree`]).

use super::{DeliveryState, Outbox, OutboxEntry, RetryPolicy};
use crate::json::Value;
use crate::tree::{Field, Read, Reader};

/// The outbox's `policy` (required).
fn policy(r: &mut Reader<'_>, f: Field<'_>) -> RetryPolicy {
    let f = r.need(f, "policy");
    let [max_attempts, max_age, base, max_delay, lease] = r.fields(
        f,
        "policy",
        &[
            "maxAttempts",
            "maxAgeMs",
            "baseDelayMs",
            "maxDelayMs",
            "leaseMs",
        ],
        "retry policy",
    );
    r.enter("policy");
    let policy = RetryPolicy {
        max_attempts: r.need_u32(max_attempts, "maxAttempts"),
        max_age_ms: r.need_i64(max_age, "maxAgeMs"),
        base_delay_ms: r.need_i64(base, "baseDelayMs"),
        max_delay_ms: r.need_i64(max_delay, "maxDelayMs"),
        lease_ms: r.need_i64(lease, "leaseMs"),
    };
    r.leave();
    policy
}

const STATES: [&str; 5] = ["pending", "inFlight", "acknowledged", "failed", "gaveUp"];

/// An entry's `delivery` (required). Internally tagged (`{"state": "inFlight", "since": 5}`),
/// or as serde also reads it, an array of the tag then the variant's fields (`["inFlight", 5]`).
fn delivery(r: &mut Reader<'_>, f: Field<'_>) -> DeliveryState {
    const KEY: &str = "delivery";
    let rest;
    let (tag, content): (&Value, &Value) = match r.need(f, KEY) {
        None => return DeliveryState::Pending,
        Some(v @ Value::Object(m)) => match m.get("state") {
            Some(tag) => (tag, v),
            None => {
                r.fail(KEY, &["missing field `state`"]);
                return DeliveryState::Pending;
            }
        },
        Some(Value::Array(a)) => match a.split_first() {
            Some((tag, fields)) => {
                rest = Value::Array(fields.to_vec());
                (tag, &rest)
            }
            None => {
                r.fail(KEY, &["missing the `state` tag"]);
                return DeliveryState::Pending;
            }
        },
        Some(_) => {
            r.expected(KEY, "an object");
            return DeliveryState::Pending;
        }
    };
    let Some(index) = (match tag {
        Value::String(s) => STATES.iter().position(|n| n == s),
        _ => None,
    }) else {
        // In parts: `fail` joins them (and keeps only the first problem), no `format!`.
        r.fail(KEY, &["unknown delivery state ", &crate::json::write(tag)]);
        return DeliveryState::Pending;
    };
    let what = STATES[index];
    r.enter(KEY);
    let state = match index {
        0 => {
            if matches!(content, Value::Array(rest) if !rest.is_empty()) {
                r.expected("", "no fields");
            }
            DeliveryState::Pending
        }
        1 => {
            let [since] = r.fields(Some(content), "", &["since"], what);
            DeliveryState::InFlight {
                since: r.need_i64(since, "since"),
            }
        }
        2 => {
            let [at, status] = r.fields(Some(content), "", &["at", "status"], what);
            let at = r.need_i64(at, "at");
            let status = r.need(status, "status").map_or(0, |v| {
                v.as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .unwrap_or_else(|| {
                        r.expected("status", "an HTTP status");
                        0
                    })
            });
            DeliveryState::Acknowledged { at, status }
        }
        _ => {
            let [at, reason] = r.fields(Some(content), "", &["at", "reason"], what);
            let at = r.need_i64(at, "at");
            let reason = r.need_string(reason, "reason");
            if index == 3 {
                DeliveryState::Failed { at, reason }
            } else {
                DeliveryState::GaveUp { at, reason }
            }
        }
    };
    r.leave();
    state
}

fn entry(r: &mut Reader<'_>, v: &Value) -> OutboxEntry {
    let [id, body, created, attempts, next, last_error, delivery_] = r.fields(
        Some(v),
        "",
        &[
            "handoffId",
            "body",
            "createdAt",
            "attempts",
            "nextAttemptAt",
            "lastError",
            "delivery",
        ],
        "outbox entry",
    );
    OutboxEntry {
        handoff_id: r.need_string(id, "handoffId"),
        body: r.need_string(body, "body"),
        created_at: r.need_i64(created, "createdAt"),
        attempts: r.need_u32(attempts, "attempts"),
        next_attempt_at: r.need_i64(next, "nextAttemptAt"),
        last_error: r.opt_string(last_error, "lastError"),
        delivery: delivery(r, delivery_),
    }
}

/// The outbox in `v`, or what is wrong with it.
// Out of line: inlined into its one caller it was a few bytes larger (benches/SIZE.md, step 28).
#[inline(never)]
pub(super) fn outbox(v: &Value) -> Read<Outbox> {
    let mut r = Reader::new();
    let [version, policy_, entries] = r.fields(Some(v), "", &["v", "policy", "entries"], "outbox");
    let outbox = Outbox {
        version: r.need_u32(version, "v"),
        policy: policy(&mut r, policy_),
        entries: {
            let entries = r.need(entries, "entries");
            r.list(entries, "entries", entry)
        },
    };
    r.result(outbox)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;
    use crate::tree::differential::{each_node, mutations};

    fn full_outbox() -> Value {
        json!({
            "v": 1,
            "policy": {"maxAttempts": 8, "maxAgeMs": 604800000, "baseDelayMs": 2000,
                       "maxDelayMs": 3600000, "leaseMs": 30000},
            "entries": [
                {"handoffId": "h1", "body": "{}", "createdAt": 1, "attempts": 0,
                 "nextAttemptAt": 1, "delivery": {"state": "pending"}},
                {"handoffId": "h2", "body": "b", "createdAt": 2, "attempts": 1, "nextAttemptAt": 3,
                 "lastError": "HTTP 503", "delivery": {"state": "inFlight", "since": 4}},
                {"handoffId": "h3", "body": "b", "createdAt": 2, "attempts": 1, "nextAttemptAt": 3,
                 "delivery": {"state": "acknowledged", "at": 5, "status": 204}},
                {"handoffId": "h4", "body": "b", "createdAt": 2, "attempts": 1, "nextAttemptAt": 3,
                 "delivery": {"state": "failed", "at": 5, "reason": "HTTP 400"}},
                {"handoffId": "h5", "body": "b", "createdAt": 2, "attempts": 9, "nextAttemptAt": 3,
                 "delivery": {"state": "gaveUp", "at": 6, "reason": "too old"}}
            ]
        })
    }

    #[test]
    fn reads_what_export_writes() {
        let v = full_outbox();
        let by_hand = outbox(&v).unwrap();
        assert_eq!(by_hand, crate::json::from_value::<Outbox>(&v).unwrap());
        let again = outbox(&serde_json::from_str(&by_hand.export()).unwrap()).unwrap();
        assert_eq!(again, by_hand);
    }

    /// Differential: every node of a full outbox, mutated every way, is accepted or refused as
    /// serde's derive does, with the same result.
    #[test]
    fn accepts_exactly_what_the_derive_accepts() {
        let base = full_outbox();
        let mut checked = 0;
        each_node(&base, &mut |rebuild, node| {
            let mut cases = vec![rebuild(node.clone())];
            cases.extend(mutations(node).into_iter().map(rebuild));
            for case in cases {
                let derived = crate::json::from_value::<Outbox>(&case).ok();
                assert_eq!(outbox(&case).ok(), derived, "{case}");
                checked += 1;
            }
        });
        assert!(checked > 1000, "{checked}");
    }

    /// Spellings of a delivery state serde reads or refuses: the array form, an index as tag.
    #[test]
    fn delivery_state_worked_examples() {
        for case in [
            json!({"state": 1, "since": 5}),
            json!({"state": 5}),
            json!({"state": "pending", "at": "ignored"}),
            json!({"state": "acknowledged", "at": 1, "status": 65536}),
            json!({"state": "failed", "at": 1, "reason": 7}),
            json!(["inFlight", 5]),
            json!(["pending"]),
            json!(["pending", 1]),
            json!(["acknowledged", 1, 204]),
            json!(["acknowledged", 1]),
            json!(["acknowledged", 1, 204, 9]),
            json!(["gaveUp", 1, "old"]),
            json!([]),
            json!("pending"),
            json!({"since": 5}),
        ] {
            // Serde's derive on `DeliveryState` is the reference the reader must match.
            let derived = crate::json::from_value::<DeliveryState>(&case);
            let mut r = Reader::new();
            let state = delivery(&mut r, Some(&case));
            let by_hand = r.result(state);
            assert_eq!(
                by_hand.is_ok(),
                derived.is_ok(),
                "{case}: {derived:?} {by_hand:?}"
            );
            if let Ok(state) = by_hand {
                let back = crate::json::to_value(&state).unwrap();
                let expected = crate::json::from_value::<DeliveryState>(&back).unwrap();
                assert_eq!(state, expected);
                assert_eq!(derived.unwrap(), state);
            }
        }
    }

    /// Errors name their path, and the first one met in reading order is the one reported.
    #[test]
    fn errors_name_the_first_wrong_field_by_path() {
        let policy = json!({"maxAttempts": 8, "maxAgeMs": 1, "baseDelayMs": 1, "maxDelayMs": 1, "leaseMs": 1});
        let entry = |delivery: Value| {
            json!({"v": 1, "policy": policy, "entries": [
                {"handoffId": "h1", "body": "b", "createdAt": 1, "attempts": 0, "nextAttemptAt": 1,
                 "delivery": {"state": "pending"}},
                {"handoffId": "h2", "body": "b", "createdAt": 1, "attempts": 0, "nextAttemptAt": 1,
                 "delivery": delivery}
            ]})
        };
        for (outbox_, error) in [
            (json!({"v": 1}), "missing field `policy`".to_string()),
            (
                json!({"v": 1, "policy": {"maxAttempts": -1}, "entries": 1}),
                "policy: maxAttempts: expected an unsigned 32-bit integer".into(),
            ),
            (
                json!({"v": 1, "policy": [1, 2]}),
                "policy: missing field `baseDelayMs`".into(),
            ),
            (
                json!({"v": 1, "policy": policy, "entries": [{"handoffId": 1, "body": 2}]}),
                "entries: [0]: handoffId: expected a string".into(),
            ),
            (
                entry(json!({"state": "inFlight"})),
                "entries: [1]: delivery: missing field `since`".into(),
            ),
            (
                entry(json!(["acknowledged", 1, 70000])),
                "entries: [1]: delivery: status: expected an HTTP status".into(),
            ),
            (
                entry(json!(["pending", 1])),
                "entries: [1]: delivery: expected no fields".into(),
            ),
            (
                entry(json!({"state": "lost"})),
                "entries: [1]: delivery: unknown delivery state \"lost\"".into(),
            ),
            (
                entry(json!({"at": 1})),
                "entries: [1]: delivery: missing field `state`".into(),
            ),
            (
                entry(json!([])),
                "entries: [1]: delivery: missing the `state` tag".into(),
            ),
            (
                entry(json!(["failed", 1, "r", 2])),
                "entries: [1]: delivery: failed: too many elements".into(),
            ),
        ] {
            assert_eq!(outbox(&outbox_).unwrap_err(), error, "{outbox_}");
        }
    }
}
