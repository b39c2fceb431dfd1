//! Content hashing without a crypto crate: FNV-1a (64-bit) over canonical JSON.
//!
//! Why FNV-1a: a dozen lines, no dependency, stable on every platform, and good enough to tell
//! model versions apart and to derive idempotency keys. It is not a security boundary.

use crate::json::Value;

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 over `bytes`, continuing from `state` (start with [`fnv1a64`] for a fresh hash).
pub fn fnv1a64_from(state: u64, bytes: &[u8]) -> u64 {
    let mut h = state;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// FNV-1a 64 of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_from(OFFSET, bytes)
}

/// FNV-1a as a `HashMap` hasher, for maps keyed by visitor ids in a replay: a few
/// instructions per byte where the default SipHash costs several times that, and it is
/// deterministic. (A replay reads the marketer's own export, not hostile input.)
#[derive(Debug, Clone, Copy)]
pub struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(OFFSET)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv1a64_from(self.0, bytes);
    }
}

/// `HashMap<K, V, FnvBuild>` hashes with [`FnvHasher`].
pub type FnvBuild = std::hash::BuildHasherDefault<FnvHasher>;

/// A 128-bit hex digest made of two FNV-1a passes with different seeds: 32 hex characters,
/// so accidental collisions between model versions are out of the question in practice.
pub fn digest_hex(bytes: &[u8]) -> String {
    // Sixteen hex digits each by `push_hex`: `format!("{a:016x}")` kept core's `LowerHex` and
    // its padding in the snippet for these two numbers alone.
    let mut out = String::with_capacity(32);
    for &h in &[fnv1a64(bytes), fnv1a64_from(fnv1a64(b"baton"), bytes)] {
        crate::text::int::push_hex(h, 16, &mut out);
    }
    out
}

/// Hash of several string parts, separated unambiguously (length-prefixed).
pub fn parts_hex(parts: &[&str]) -> String {
    let mut buf = Vec::new();
    for p in parts {
        buf.extend_from_slice(&(p.len() as u64).to_le_bytes());
        buf.extend_from_slice(p.as_bytes());
    }
    digest_hex(&buf)
}

/// Canonical JSON: object keys sorted, no whitespace. Two documents that differ only in key
/// order or formatting give the same text (and therefore the same hash).
///
/// NOTE: the JSON layer's compact text already is that: the JSON type's `Map` keeps its keys
/// sorted (as serde_json's `Map` without `preserve_order` did), so keys come out sorted. The test below pins it: a
/// map kept in insertion order would change the text and fail there.
pub fn canonical_json(v: &Value) -> String {
    crate::json::write(v)
}

/// Stable insertion sort: a few dozen bytes of wasm per use, where `sort` brings a full
/// merge/quick sort per element type. Linear on sorted input, so it is meant for that and for
/// short lists (model stages, rule ids, a condition group's tests).
pub(crate) fn sort_small<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && less(&items[j], &items[j - 1]) {
            items.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Content hash of a JSON value: [`digest_hex`] of its [`canonical_json`].
pub fn content_hash(v: &Value) -> String {
    digest_hex(canonical_json(v).as_bytes())
}

/// A number in `[0, 1)` derived from a seed and a key: deterministic jitter.
pub fn unit_interval(seed: u64, key: &str) -> f64 {
    let h = fnv1a64_from(fnv1a64(&seed.to_le_bytes()), key.as_bytes());
    // Top 53 bits give an exactly representable fraction.
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_small_is_a_stable_sort() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 0..40 {
            let mut items: Vec<(u64, usize)> = (0..len)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    (seed % 5, i)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|p| p.0);
            sort_small(&mut items, |a, b| a.0 < b.0);
            assert_eq!(items, expected);
        }
    }
    use crate::json::json;

    #[test]
    fn fnv1a_known_vectors() {
        // Published FNV-1a 64 test vectors.
        for (input, expected) in [
            ("", 0xcbf2_9ce4_8422_2325_u64),
            ("a", 0xaf63_dc4c_8601_ec8c),
            ("foobar", 0x8594_4171_f739_67e8),
        ] {
            assert_eq!(fnv1a64(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn canonical_json_ignores_key_order_and_whitespace() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"s","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), r#"{"a":{"x":"s","y":[1,2]},"b":1}"#);
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_ne!(content_hash(&a), content_hash(&json!({"a": 1})));
        assert_eq!(content_hash(&a).len(), 32);
    }

    #[test]
    fn digest_hex_worked_examples() {
        // The empty input: FNV-1a's offset basis, then the pass seeded with "baton".
        let seeded = fnv1a64(b"baton");
        assert_eq!(digest_hex(b""), format!("cbf29ce484222325{seeded:016x}"));
        let a = fnv1a64(b"a");
        let b = fnv1a64_from(seeded, b"a");
        assert_eq!(digest_hex(b"a"), format!("{a:016x}{b:016x}"));
        assert_eq!(
            digest_hex(b"a"),
            "af63dc4c8601ec8c".to_string() + &format!("{b:016x}")
        );
    }

    proptest::proptest! {
        /// The hand-pushed digits are `format!`'s zero-padded lower-case hex, the text the
        /// digest was before (leading zeros included: short hashes are padded, not cut).
        #[test]
        fn digest_hex_is_the_formatted_pair(bytes in proptest::collection::vec(0u8..=255, 0..40)) {
            let a = fnv1a64(&bytes);
            let b = fnv1a64_from(fnv1a64(b"baton"), &bytes);
            proptest::prop_assert_eq!(digest_hex(&bytes), format!("{a:016x}{b:016x}"));
        }
    }

    #[test]
    fn parts_are_unambiguous() {
        assert_ne!(parts_hex(&["ab", "c"]), parts_hex(&["a", "bc"]));
    }

    #[test]
    fn unit_interval_is_in_range_and_deterministic() {
        for seed in 0..50u64 {
            let u = unit_interval(seed, "x");
            assert!((0.0..1.0).contains(&u));
            assert_eq!(u, unit_interval(seed, "x"));
        }
    }
}
