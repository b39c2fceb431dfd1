//! Lifecycle stages. An enum with an explicit order, never a set of booleans: the browser moves a
//! visitor forward through `anonymous → known → mql`; the sales-side stages come from CRM outcomes
//! imported into the dashboard.

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    #[default]
    Anonymous,
    Known,
    Mql,
    Sal,
    Sql,
    Opportunity,
    Won,
    Lost,
    Rejected,
    Recycled,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Anonymous,
        Stage::Known,
        Stage::Mql,
        Stage::Sal,
        Stage::Sql,
        Stage::Opportunity,
        Stage::Won,
        Stage::Lost,
        Stage::Rejected,
        Stage::Recycled,
    ];

    /// The stages' names, in [`Stage::ALL`]'s order (the declaration order): the one spelling
    /// the state reader, the model's messages and `as_str` share.
    pub const NAMES: [&'static str; 10] = [
        "anonymous",
        "known",
        "mql",
        "sal",
        "sql",
        "opportunity",
        "won",
        "lost",
        "rejected",
        "recycled",
    ];

    pub fn as_str(self) -> &'static str {
        Stage::NAMES[self as usize]
    }

    pub fn parse(s: &str) -> Option<Stage> {
        // By name position over a slice: no by-value array iterator in the wasm.
        let i = Stage::NAMES.iter().position(|name| *name == s)?;
        Some(Stage::ALL[i])
    }

    /// Position in the forward order; a transition is allowed only to a higher rank.
    pub fn rank(self) -> u8 {
        self as u8
    }

    /// Forward-only rule: can a visitor at `self` move to `next`?
    pub fn can_advance_to(self, next: Stage) -> bool {
        next.rank() > self.rank()
    }
}

/// The moment a visitor reached a stage. Kept even if the score later decays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageEntry {
    pub stage: Stage,
    pub at: i64,
}

/// `{"stage":…,"at":…}`, its derived `Serialize`'s bytes, written by hand for the snippet
/// (why: [`crate::json::JsonOut`]).
impl crate::json::WriteJson for StageEntry {
    fn write_json(&self, o: &mut crate::json::JsonOut) {
        o.begin_object();
        o.key("stage").str(self.stage.as_str());
        o.key("at").i64(self.at);
        o.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    #[test]
    fn names_round_trip_and_order_is_forward() {
        for (i, st) in Stage::ALL.into_iter().enumerate() {
            // `as_str` indexes `NAMES` by discriminant: `ALL` must be in declaration order.
            assert_eq!(st as usize, i);
            assert_eq!(Stage::parse(st.as_str()), Some(st));
            assert_eq!(
                serde_json::to_string(&st).unwrap(),
                format!("\"{}\"", st.as_str())
            );
        }
        assert!(Stage::Anonymous.can_advance_to(Stage::Known));
        assert!(Stage::Known.can_advance_to(Stage::Mql));
        assert!(!Stage::Mql.can_advance_to(Stage::Known));
        assert!(!Stage::Mql.can_advance_to(Stage::Mql));
        assert_eq!(Stage::parse("MQL"), None);
        assert_eq!(Stage::parse(""), None);
        assert_eq!(Stage::parse("known "), None);
        assert_eq!(Stage::parse("recycled"), Some(Stage::Recycled));
    }

    proptest::proptest! {
        /// `parse` accepts exactly the names the derived `Deserialize` accepts.
        #[test]
        fn parse_is_the_derive(
            s in proptest::prop_oneof![
                proptest::sample::select(Stage::NAMES.to_vec()).prop_map(str::to_string),
                "[a-z]{0,12}",
                ".{0,6}",
            ]
        ) {
            let derived = serde_json::from_value::<Stage>(serde_json::Value::String(s.clone())).ok();
            proptest::prop_assert_eq!(Stage::parse(&s), derived);
        }
    }
}
