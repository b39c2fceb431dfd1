//! Writes an [`Outbox`] as JSON text by hand, the bytes its derived `Serialize` writes (why by
//! hand: [`crate::json::JsonOut`]); tests pin the two routes to each other.

use super::{DeliveryState, Outbox, OutboxEntry, RetryPolicy};
use crate::json::{JsonOut, WriteJson};

impl WriteJson for Outbox {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("v").u64(self.version.into());
        o.key("policy");
        self.policy.write_json(o);
        o.key("entries").array(&self.entries);
        o.end_object();
    }
}

impl WriteJson for RetryPolicy {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("maxAttempts").u64(self.max_attempts.into());
        o.key("maxAgeMs").i64(self.max_age_ms);
        o.key("baseDelayMs").i64(self.base_delay_ms);
        o.key("maxDelayMs").i64(self.max_delay_ms);
        o.key("leaseMs").i64(self.lease_ms);
        o.end_object();
    }
}

impl WriteJson for OutboxEntry {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("handoffId").str(&self.handoff_id);
        o.key("body").str(&self.body);
        o.key("createdAt").i64(self.created_at);
        o.key("attempts").u64(self.attempts.into());
        o.key("nextAttemptAt").i64(self.next_attempt_at);
        if let Some(e) = &self.last_error {
            o.key("lastError").str(e);
        }
        o.key("delivery");
        self.delivery.write_json(o);
        o.end_object();
    }
}

impl WriteJson for DeliveryState {
    /// serde's internal tagging: `{"state":"inFlight","since":…}`, the tag first.
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object().key("state");
        match self {
            DeliveryState::Pending => {
                o.str("pending");
            }
            DeliveryState::InFlight { since } => {
                o.str("inFlight").key("since").i64(*since);
            }
            DeliveryState::Acknowledged { at, status } => {
                o.str("acknowledged").key("at").i64(*at);
                o.key("status").u64((*status).into());
            }
            DeliveryState::Failed { at, reason } => {
                o.str("failed").key("at").i64(*at).key("reason").str(reason);
            }
            DeliveryState::GaveUp { at, reason } => {
                o.str("gaveUp").key("at").i64(*at).key("reason").str(reason);
            }
        }
        o.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arb::{opt_text, text};
    use proptest::prelude::*;

    fn delivery() -> impl Strategy<Value = DeliveryState> {
        prop_oneof![
            Just(DeliveryState::Pending),
            any::<i64>().prop_map(|since| DeliveryState::InFlight { since }),
            (any::<i64>(), any::<u16>())
                .prop_map(|(at, status)| DeliveryState::Acknowledged { at, status }),
            (any::<i64>(), text()).prop_map(|(at, reason)| DeliveryState::Failed { at, reason }),
            (any::<i64>(), text()).prop_map(|(at, reason)| DeliveryState::GaveUp { at, reason }),
        ]
    }

    fn entry() -> impl Strategy<Value = OutboxEntry> {
        (
            (text(), text(), any::<i64>()),
            (any::<u32>(), any::<i64>(), opt_text(), delivery()),
        )
            .prop_map(
                |(
                    (handoff_id, body, created_at),
                    (attempts, next_attempt_at, last_error, delivery),
                )| {
                    OutboxEntry {
                        handoff_id,
                        body,
                        created_at,
                        attempts,
                        next_attempt_at,
                        last_error,
                        delivery,
                    }
                },
            )
    }

    fn outbox() -> impl Strategy<Value = Outbox> {
        (
            any::<u32>(),
            (
                any::<u32>(),
                any::<i64>(),
                any::<i64>(),
                any::<i64>(),
                any::<i64>(),
            ),
            prop::collection::vec(entry(), 0..4),
        )
            .prop_map(|(version, (a, b, c, d, e), entries)| Outbox {
                version,
                policy: RetryPolicy {
                    max_attempts: a,
                    max_age_ms: b,
                    base_delay_ms: c,
                    max_delay_ms: d,
                    lease_ms: e,
                },
                entries,
            })
    }

    /// The stored format, pinned: every delivery state, with and without a last error.
    #[test]
    fn worked_example() {
        let mut o = Outbox::new(RetryPolicy::default());
        let states = [
            DeliveryState::Pending,
            DeliveryState::InFlight { since: 5 },
            DeliveryState::Acknowledged { at: 6, status: 204 },
            DeliveryState::Failed {
                at: 7,
                reason: "HTTP 400".into(),
            },
            DeliveryState::GaveUp {
                at: -8,
                reason: "too \"old\"".into(),
            },
        ];
        for (i, delivery) in states.into_iter().enumerate() {
            o.entries.push(OutboxEntry {
                handoff_id: format!("h{i}"),
                body: r#"{"a":1}"#.into(),
                created_at: 1,
                attempts: i as u32,
                next_attempt_at: 2,
                last_error: (i % 2 == 1).then(|| "offline".to_string()),
                delivery,
            });
        }
        let entry = |i: u32, error: &str, delivery: &str| {
            format!(
                r#"{{"handoffId":"h{i}","body":"{{\"a\":1}}","createdAt":1,"attempts":{i},"nextAttemptAt":2,{error}"delivery":{delivery}}}"#
            )
        };
        let error = r#""lastError":"offline","#;
        let text = format!(
            r#"{{"v":1,"policy":{{"maxAttempts":8,"maxAgeMs":604800000,"baseDelayMs":2000,"maxDelayMs":3600000,"leaseMs":30000}},"entries":[{},{},{},{},{}]}}"#,
            entry(0, "", r#"{"state":"pending"}"#),
            entry(1, error, r#"{"state":"inFlight","since":5}"#),
            entry(2, "", r#"{"state":"acknowledged","at":6,"status":204}"#),
            entry(3, error, r#"{"state":"failed","at":7,"reason":"HTTP 400"}"#),
            entry(
                4,
                "",
                r#"{"state":"gaveUp","at":-8,"reason":"too \"old\""}"#
            ),
        );
        assert_eq!(o.export(), text);
        assert_eq!(serde_json::to_string(&o).unwrap(), text);
        assert_eq!(Outbox::import(&text).unwrap(), o);
        assert_eq!(
            Outbox::new(RetryPolicy::default()).export(),
            r#"{"v":1,"policy":{"maxAttempts":8,"maxAgeMs":604800000,"baseDelayMs":2000,"maxDelayMs":3600000,"leaseMs":30000},"entries":[]}"#
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The hand-written bytes are the derive's, for any outbox.
        #[test]
        fn writes_what_the_derive_writes(outbox in outbox()) {
            let text = outbox.export();
            prop_assert_eq!(&text, &serde_json::to_string(&outbox).unwrap());
        }
    }
}
