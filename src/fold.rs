//! Case folding for case-insensitive matching (globs, `equals`, `contains`, `containsWord`, ...).
//!
//! Why not `str::to_lowercase`: it carries the whole Unicode case-conversion table (~17 KB of
//! data plus the final-sigma logic) into the site snippet's wasm, which every site visitor
//! downloads (benches/SIZE.md). Matching only needs both sides folded the same way, so this folds
//! the scripts B2B marketing data is written in, one char to one char:
//!
//! - ASCII, Latin-1 Supplement and Latin Extended-A (every European Latin-script language),
//! - Greek (final `ς` folds to `σ`, so "ΟΔΟΣ" matches "οδος"),
//! - Cyrillic (basic block and `Ѐ`–`Џ`).
//!
//! Other scripts compare exactly (case-sensitively); the test below pins which chars fold.

/// `c` folded: its lower-case form in the blocks above, itself elsewhere.
pub fn fold_char(c: char) -> char {
    // ASCII first: most text folded on the per-event path (paths, titles, event names) is
    // ASCII, which would otherwise be compared with every range below.
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let u = c as u32;
    // The first range holding `u` (with the right parity) says how far its folded form is.
    for &(low, high, parity, delta) in &FOLDS {
        if u >= u32::from(low)
            && u <= u32::from(high)
            && (parity == ANY || u % 2 == u32::from(parity))
        {
            return char::from_u32(u.wrapping_add_signed(i32::from(delta))).unwrap_or(c);
        }
    }
    c
}

/// In [`FOLDS`]: every char of the range folds, not only the even (0) or odd (1) ones.
const ANY: u8 = 2;

/// The folds as data (`first..=last`, which parity, how far the folded char is), tried in
/// order: a table and one loop are smaller in the snippet's wasm than the `match` over ranges
/// they replace (kept as the tests' oracle). ASCII never reaches it: [`fold_char`] folds that
/// first.
#[rustfmt::skip]
const FOLDS: [(u16, u16, u8, i16); 18] = [
    // Latin-1: À–Þ except the multiplication sign ×.
    (0xC0, 0xD6, ANY, 0x20),
    (0xD8, 0xDE, ANY, 0x20),
    // Latin Extended-A: upper/lower pairs, upper first; the parity flips after ĸ and ŉ.
    // İ → i first (to_lowercase gives "i̇"; the dot would never match a typed "i").
    (0x130, 0x130, ANY, 0x69 - 0x130),
    (0x100, 0x137, 0, 1),
    (0x14A, 0x177, 0, 1),
    (0x139, 0x148, 1, 1),
    (0x179, 0x17E, 1, 1),
    (0x178, 0x178, ANY, 0xFF - 0x178), // Ÿ → ÿ
    (0x17F, 0x17F, ANY, 0x73 - 0x17F), // long s ſ folds to s
    // Greek: accented capitals, then Α–Ω (0x3A2 is unassigned), and final sigma.
    (0x386, 0x386, ANY, 0x3AC - 0x386),
    (0x388, 0x38A, ANY, 0x25),
    (0x38C, 0x38C, ANY, 0x3CC - 0x38C),
    (0x38E, 0x38F, ANY, 0x3F),
    (0x391, 0x3A1, ANY, 0x20),
    (0x3A3, 0x3AB, ANY, 0x20),
    (0x3C2, 0x3C2, ANY, 1),
    // Cyrillic: Ѐ–Џ, then А–Я.
    (0x400, 0x40F, ANY, 0x50),
    (0x410, 0x42F, ANY, 0x20),
];

/// The match this table replaced (benches/SIZE.md, step 41): the tests' oracle.
#[cfg(test)]
fn fold_char_by_match(c: char) -> char {
    let u = c as u32;
    let folded = match u {
        0x41..=0x5A => u + 0x20,
        0..=0x7F => u,
        // Latin-1: À–Þ except the multiplication sign ×.
        0xC0..=0xDE if u != 0xD7 => u + 0x20,
        // Latin Extended-A: upper/lower pairs, upper first; the parity flips after ĸ and ŉ.
        0x130 => 0x69, // İ → i (to_lowercase gives "i̇"; the dot would never match a typed "i")
        0x100..=0x137 | 0x14A..=0x177 if u % 2 == 0 => u + 1,
        0x139..=0x148 | 0x179..=0x17E if u % 2 == 1 => u + 1,
        0x178 => 0xFF, // Ÿ → ÿ
        0x17F => 0x73, // long s ſ folds to s
        // Greek: accented capitals, then Α–Ω (0x3A2 is unassigned), and final sigma.
        0x386 => 0x3AC,
        0x388..=0x38A => u + 0x25,
        0x38C => 0x3CC,
        0x38E..=0x38F => u + 0x3F,
        0x391..=0x3AB if u != 0x3A2 => u + 0x20,
        0x3C2 => 0x3C3,
        // Cyrillic: Ѐ–Џ, then А–Я.
        0x400..=0x40F => u + 0x50,
        0x410..=0x42F => u + 0x20,
        _ => u,
    };
    char::from_u32(folded).unwrap_or(c)
}

/// `text` with every char folded ([`fold_char`]); borrows nothing, allocates once.
pub fn fold_case(text: &str) -> String {
    // Pushes, not `collect()`: `String`'s `FromIterator<char>` is three generic functions in
    // the snippet's wasm (benches/SIZE.md, step 37).
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        out.push(fold_char(c));
    }
    out
}

/// The chars of `text`, each folded ([`fold_char`]): what globs and "did you mean" compare.
/// Pushes, not `collect()`, for the reason above.
pub fn fold_chars(text: &str) -> Vec<char> {
    let mut out = Vec::new();
    for c in text.chars() {
        out.push(fold_char(c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_folds_as_the_match() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(fold_char(c), fold_char_by_match(c), "{c:?}");
        }
    }

    #[test]
    fn worked_examples() {
        for (text, folded) in [
            ("/Pricing/ENTERPRISE", "/pricing/enterprise"),
            ("Senior Director, EMEA", "senior director, emea"),
            ("ÉCOLE Ÿ Æ ×", "école ÿ æ ×"),
            ("ŁÓDŹ ĞÜŞ İstanbul", "łódź ğüş istanbul"),
            ("ΟΔΟΣ Ἀ", "οδοσ Ἀ"),
            ("οδος", "οδοσ"),
            ("МОСКВА ЁЖ Ђ", "москва ёж ђ"),
            ("Straße ſ", "straße s"),
            ("日本語 ＡＢ", "日本語 ＡＢ"),
        ] {
            assert_eq!(fold_case(text), folded, "{text}");
        }
    }

    /// Wherever a char folds, it folds to what `to_lowercase` gives (but for the documented
    /// `İ`, `ſ`, `ς`); and in the folded blocks every char `to_lowercase` changes is folded.
    #[test]
    fn agrees_with_to_lowercase_in_the_folded_blocks() {
        let special = ['İ', 'ſ', 'ς'];
        let blocks = [0x0..=0x17F, 0x386..=0x3CE, 0x400..=0x44F];
        for c in (0..=0x4FFu32).filter_map(char::from_u32) {
            let lower: Vec<char> = c.to_lowercase().collect();
            let folded = fold_char(c);
            if special.contains(&c) {
                assert_ne!(folded, c);
                continue;
            }
            if folded != c {
                assert_eq!(lower, vec![folded], "{c:?}");
            }
            if blocks.iter().any(|b| b.contains(&(c as u32))) && lower != vec![c] {
                assert_eq!(lower, vec![folded], "{c:?} is not folded");
            }
            // Folding is idempotent: a folded char folds to itself.
            assert_eq!(fold_char(folded), folded, "{c:?}");
        }
    }

    proptest::proptest! {
        /// The pushing loops give what the `map(fold_char).collect()` they replaced gave, on
        /// ASCII, folded blocks and other scripts.
        #[test]
        fn loops_fold_as_the_collects(text in "[a-zA-Z ÀÉßİſΣςЖж€中]{0,12}") {
            let chars: Vec<char> = text.chars().map(fold_char).collect();
            let string: String = chars.iter().collect();
            proptest::prop_assert_eq!(fold_chars(&text), chars);
            proptest::prop_assert_eq!(fold_case(&text), string);
        }
    }
}
