//! The seed journey, shared by the Node and the browser wasm suites: the same engine must give
//! the same answer in both.

use baton::json::Value;
use baton::model::Model;
use baton::stage::Stage;
use baton::Engine;

const MODEL: &str = include_str!("../fixtures/models/demo.model.json");
const JOURNEY: &str = include_str!("../fixtures/journeys/seed.events.json");

pub fn seed_journey_qualifies() {
    let model = Model::from_json(MODEL).expect("demo model is valid");
    let mut engine = Engine::new(model);
    let events: Vec<Value> = serde_json::from_str(JOURNEY).unwrap();
    let mut handoffs = Vec::new();
    let mut last_ts = 0;
    for event in &events {
        let ts = baton::event::Event::from_value(event).unwrap().timestamp;
        last_ts = ts;
        let outcome = engine.ingest_value(event, ts).unwrap();
        handoffs.extend(outcome.handoffs);
    }
    assert_eq!(engine.stage(), Stage::Mql);
    assert_eq!(handoffs.len(), 1, "exactly one handoff for the journey");
    let score = engine.score(last_ts);
    assert!(score.total >= 50.0, "total {}", score.total);
    assert_eq!(handoffs[0].visitor_id, "dana@northwind.example");

    // Replaying the journey gives the same handoff id: receipt is idempotent.
    let mut again = Engine::new(Model::from_json(MODEL).unwrap());
    let mut ids = Vec::new();
    for event in &events {
        let ts = baton::event::Event::from_value(event).unwrap().timestamp;
        ids.extend(
            again
                .ingest_value(event, ts)
                .unwrap()
                .handoffs
                .into_iter()
                .map(|h| h.handoff_id),
        );
    }
    assert_eq!(ids, vec![handoffs[0].handoff_id.clone()]);
}

pub fn malformed_event_is_an_error_naming_the_field() {
    let mut engine = Engine::new(Model::from_json(MODEL).unwrap());
    let err = engine
        .ingest_value(
            &baton::json::json!({ "messageId": "x", "anonymousId": "a" }),
            0,
        )
        .unwrap_err();
    assert!(err.to_string().contains("type"), "{err}");
}

/// The snippet's float conversions (the host's `Number`, `json::num::js_backend`) against
/// core's (`core_backend`, what every other build uses): the same shortest digits for random
/// doubles of every magnitude (subnormals, powers of ten and two, exact ties, integers past 2^53) and
/// the same double for number tokens, short and long. The JSON layer's proptests pin the core
/// side to serde_json's bytes, so equal digits here mean the snippet writes serde_json's text.
pub fn js_numbers_match_core() {
    use baton::json::num::{core_backend, js_backend};

    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut doubles: Vec<f64> = vec![
        5e-324,
        f64::MIN_POSITIVE,
        f64::MAX,
        0.1,
        1e21,
        1e-7,
        // An exact tie between two shortest candidates: both pick the even one.
        2_710_279_511_066_905.0 / 4.0,
        9_007_199_254_740_993.0,
    ];
    doubles.extend((-323..=308).map(|e| 10f64.powi(e)));
    // Powers of two: the gap below is half the gap above, where a tie's even pick can miss.
    doubles.extend((-1074..1024).map(|e| 2f64.powi(e)));
    for _ in 0..3000 {
        let bits = next();
        doubles.push(f64::from_bits(bits));
        // Subnormals: exponent bits zero.
        doubles.push(f64::from_bits(bits & 0x800f_ffff_ffff_ffff));
        // Values with few fraction bits, where exact ties live.
        doubles.push((bits >> 11) as f64 / 4.0);
    }
    let mut compared = 0;
    for x in doubles.into_iter().filter(|x| x.is_finite() && *x != 0.0) {
        let x = x.abs();
        assert_eq!(js_backend::shortest(x), core_backend::shortest(x), "{x:e}");
        let mut text = String::new();
        baton::json::num::write_f64(x, &mut text);
        assert_eq!(js_backend::parse(&text).to_bits(), x.to_bits(), "{text}");
        compared += 1;
    }
    assert!(compared > 9000, "{compared}");

    // Numeric strings' looser form (a sign, leading zeros, a bare point), which
    // `condition::as_number` hands over as it is: both backends read it alike.
    for token in [
        "+7",
        "007",
        "1.",
        ".5",
        "-.5",
        "+.25",
        "-0",
        "+0.0",
        "0.3269313306439629570",
        "+123456789012345678901234567890.123456789",
        "00000000000000000000001.5",
    ] {
        let core = core_backend::parse(token);
        assert!(core.is_finite(), "{token}");
        assert_eq!(
            js_backend::parse(token).to_bits(),
            core.to_bits(),
            "{token}"
        );
        assert_eq!(
            baton::json::num::parse_f64(token).to_bits(),
            core.to_bits(),
            "{token}"
        );
    }
    // Tokens: up to 30 digits, with and without fraction and exponent.
    for _ in 0..3000 {
        let r = next();
        let digits: String = (0..1 + r % 30)
            .map(|i| char::from(b'0' + ((next() >> (i % 7)) % 10) as u8))
            .collect();
        let digits = digits.trim_start_matches('0');
        let digits = if digits.is_empty() { "1" } else { digits };
        let split = (r >> 8) as usize % (digits.len() + 1);
        let mut token = digits[..split.max(1)].to_string();
        if split < digits.len() && split > 0 {
            token.push('.');
            token.push_str(&digits[split..]);
        }
        if r & (1 << 20) != 0 {
            token.push_str(&format!("e{}", (r >> 24) as i64 % 330 - 10));
        }
        let core = core_backend::parse(&token);
        assert_eq!(
            js_backend::parse(&token).to_bits(),
            core.to_bits(),
            "{token}"
        );
    }
}

/// The global allocator under random alloc / realloc / free with sizes from 1 B to 3 MB and
/// alignments up to 4 KiB: every block aligned, disjoint from the others and intact. In the
/// snippet build (no `analytics`) that is the crate's own `small_alloc` over `memory.grow`.
pub fn allocator_keeps_blocks_intact() {
    use std::alloc::{alloc, dealloc, realloc, Layout};

    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pattern = |tag: usize, i: usize| (tag.wrapping_mul(131) ^ i.wrapping_mul(7)) as u8;
    let fill = |p: *mut u8, len: usize, tag: usize| {
        // SAFETY: `p` is a live block of at least `len` bytes.
        let bytes = unsafe { std::slice::from_raw_parts_mut(p, len) };
        bytes
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = pattern(tag, i));
    };
    let intact = |p: *const u8, len: usize, tag: usize| {
        // SAFETY: `p` is a live block of at least `len` bytes, filled by `fill`.
        let bytes = unsafe { std::slice::from_raw_parts(p, len) };
        bytes.iter().enumerate().all(|(i, b)| *b == pattern(tag, i))
    };
    let size = |r: u64| match r % 16 {
        0 => 1 + (r >> 8) as usize % 200_000,
        1..=5 => 1 + (r >> 8) as usize % 4_000,
        _ => 1 + (r >> 8) as usize % 64,
    };
    // (address, layout, tag) of every live block.
    let mut live: Vec<(*mut u8, Layout, usize)> = Vec::new();
    let disjoint = |live: &[(*mut u8, Layout, usize)], p: *mut u8, len: usize| {
        let (start, end) = (p as usize, p as usize + len);
        live.iter()
            .all(|&(q, l, _)| end <= q as usize || q as usize + l.size() <= start)
    };
    for tag in 0..3000 {
        let r = next();
        match r % 8 {
            0..=3 => {
                let align = 1 << if r & 0xf00 == 0 { 12 } else { (r >> 12) % 6 };
                let layout = Layout::from_size_align(
                    if tag == 1500 {
                        3_000_000
                    } else {
                        size(r >> 16)
                    },
                    align,
                )
                .unwrap();
                // SAFETY: the size is not zero.
                let p = unsafe { alloc(layout) };
                assert!(!p.is_null() && p as usize % align == 0, "{layout:?}");
                assert!(disjoint(&live, p, layout.size()), "{layout:?} overlaps");
                fill(p, layout.size(), tag);
                live.push((p, layout, tag));
            }
            4 | 5 if !live.is_empty() => {
                let (p, layout, old_tag) = live.swap_remove((r >> 8) as usize % live.len());
                assert!(intact(p, layout.size(), old_tag), "{layout:?}");
                let new_size = size(r >> 16);
                // SAFETY: `p` is live with `layout`; the new size is not zero.
                let q = unsafe { realloc(p, layout, new_size) };
                assert!(!q.is_null() && q as usize % layout.align() == 0);
                assert!(
                    intact(q, layout.size().min(new_size), old_tag),
                    "{layout:?} → {new_size}"
                );
                assert!(disjoint(&live, q, new_size));
                fill(q, new_size, tag);
                live.push((
                    q,
                    Layout::from_size_align(new_size, layout.align()).unwrap(),
                    tag,
                ));
            }
            _ if !live.is_empty() => {
                let (p, layout, tag) = live.swap_remove((r >> 8) as usize % live.len());
                assert!(intact(p, layout.size(), tag), "{layout:?}");
                // SAFETY: `p` is live with `layout` and dropped from `live`.
                unsafe { dealloc(p, layout) };
            }
            _ => {}
        }
    }
    for (p, layout, tag) in live {
        assert!(intact(p, layout.size(), tag), "{layout:?}");
        // SAFETY: as above.
        unsafe { dealloc(p, layout) };
    }
}
