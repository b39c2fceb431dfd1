//! Reads an [`Outbox`] from its JSON tree by hand (why, and what it accepts: [`crate::tree`]).

use super::{DeliveryState, Outbox, OutboxEntry, RetryPolicy};
use crate::tree::{fields, i64_, list, optional, required, string, u32_, wrong, Read};
use serde_json::Value;

fn policy(v: &Value) -> Read<RetryPolicy> {
    let [max_attempts, max_age, base, max_delay, lease] = fields(
        v,
        [
            "maxAttempts",
            "maxAgeMs",
            "baseDelayMs",
            "maxDelayMs",
            "leaseMs",
        ],
        "retry policy",
    )?;
    Ok(RetryPolicy {
        max_attempts: required(max_attempts, "maxAttempts", u32_)?,
        max_age_ms: required(max_age, "maxAgeMs", i64_)?,
        base_delay_ms: required(base, "baseDelayMs", i64_)?,
        max_delay_ms: required(max_delay, "maxDelayMs", i64_)?,
        lease_ms: required(lease, "leaseMs", i64_)?,
    })
}

const STATES: [&str; 5] = ["pending", "inFlight", "acknowledged", "failed", "gaveUp"];

/// Internally tagged (`{"state": "inFlight", "since": 5}`), or as serde also reads it, an array
/// of the tag then the variant's fields (`["inFlight", 5]`).
fn delivery(v: &Value) -> Read<DeliveryState> {
    let (tag, content): (&Value, Value) = match v {
        Value::Object(m) => {
            let tag = m.get("state").ok_or("missing field `state`")?;
            (tag, v.clone())
        }
        Value::Array(a) => {
            let tag = a.first().ok_or("missing the `state` tag")?;
            (tag, Value::Array(a[1..].to_vec()))
        }
        _ => return Err(wrong("an object")),
    };
    let index = match tag {
        Value::String(s) => STATES.iter().position(|n| n == s),
        _ => None,
    }
    .ok_or_else(|| format!("unknown delivery state {}", crate::json::write(tag)))?;
    let what = STATES[index];
    let state = match index {
        0 => match &content {
            Value::Array(rest) if !rest.is_empty() => return Err(wrong("no fields")),
            _ => DeliveryState::Pending,
        },
        1 => {
            let [since] = fields(&content, ["since"], what)?;
            DeliveryState::InFlight {
                since: required(since, "since", i64_)?,
            }
        }
        2 => {
            let [at, status] = fields(&content, ["at", "status"], what)?;
            DeliveryState::Acknowledged {
                at: required(at, "at", i64_)?,
                status: required(status, "status", |v| {
                    v.as_u64()
                        .and_then(|n| u16::try_from(n).ok())
                        .ok_or_else(|| wrong("an HTTP status"))
                })?,
            }
        }
        _ => {
            let [at, reason] = fields(&content, ["at", "reason"], what)?;
            let at = required(at, "at", i64_)?;
            let reason = required(reason, "reason", string)?;
            if index == 3 {
                DeliveryState::Failed { at, reason }
            } else {
                DeliveryState::GaveUp { at, reason }
            }
        }
    };
    Ok(state)
}

fn entry(v: &Value) -> Read<OutboxEntry> {
    let [id, body, created, attempts, next, last_error, delivery_] = fields(
        v,
        [
            "handoffId",
            "body",
            "createdAt",
            "attempts",
            "nextAttemptAt",
            "lastError",
            "delivery",
        ],
        "outbox entry",
    )?;
    Ok(OutboxEntry {
        handoff_id: required(id, "handoffId", string)?,
        body: required(body, "body", string)?,
        created_at: required(created, "createdAt", i64_)?,
        attempts: required(attempts, "attempts", u32_)?,
        next_attempt_at: required(next, "nextAttemptAt", i64_)?,
        last_error: optional(last_error, "lastError", string)?,
        delivery: required(delivery_, "delivery", delivery)?,
    })
}

/// The outbox in `v`, or what is wrong with it.
pub(super) fn outbox(v: &Value) -> Read<Outbox> {
    let [version, policy_, entries] = fields(v, ["v", "policy", "entries"], "outbox")?;
    Ok(Outbox {
        version: required(version, "v", u32_)?,
        policy: required(policy_, "policy", policy)?,
        entries: required(entries, "entries", |v| list(v, entry))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::differential::{each_node, mutations};
    use serde_json::json;

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
        assert_eq!(by_hand, serde_json::from_value::<Outbox>(v).unwrap());
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
                let derived = serde_json::from_value::<Outbox>(case.clone()).ok();
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
            let derived = serde_json::from_value::<DeliveryState>(case.clone());
            let by_hand = delivery(&case);
            assert_eq!(
                by_hand.is_ok(),
                derived.is_ok(),
                "{case}: {derived:?} {by_hand:?}"
            );
            if let Ok(state) = by_hand {
                let back = serde_json::to_value(&state).unwrap();
                let expected = serde_json::from_value::<DeliveryState>(back).unwrap();
                assert_eq!(state, expected);
                assert_eq!(derived.unwrap(), state);
            }
        }
    }
}
