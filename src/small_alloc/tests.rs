//! Worked examples of the allocator's placement decisions, beside a proptest that runs random
//! alloc / dealloc / realloc sequences against a model of the live blocks.

use super::*;
use proptest::prelude::*;

/// One page of the test arena: a `Vec` of these is page-aligned, like wasm's linear memory.
#[repr(C, align(65536))]
struct Page([u8; PAGE]);

/// A fixed arena standing in for `memory.grow`: hands out its pages in order from a 1 MiB
/// boundary (wasm's memory starts at address 0, so offsets below are addresses there). The next
/// `gaps` grows each leave a page out first, as if someone else had grown memory in between.
struct Arena {
    pages: Vec<Page>,
    /// Index of the arena's first page (at a multiple of 1 MiB), then pages handed out.
    first: usize,
    used: usize,
    gaps: usize,
}

const ARENA_ALIGN_PAGES: usize = 16;

impl Arena {
    fn new(pages: usize) -> Self {
        let pages: Vec<Page> = Vec::with_capacity(pages + ARENA_ALIGN_PAGES);
        let to_boundary = (pages.as_ptr() as usize).wrapping_neg() % (ARENA_ALIGN_PAGES * PAGE);
        Arena {
            first: to_boundary / PAGE,
            pages,
            used: 0,
            gaps: 0,
        }
    }

    fn base(&self) -> usize {
        self.pages.as_ptr() as usize + self.first * PAGE
    }

    fn limit(&self) -> usize {
        self.base() + (self.pages.capacity() - ARENA_ALIGN_PAGES) * PAGE
    }
}

// SAFETY: the pages are the `Vec`'s spare capacity, which nothing else touches and which lives
// as long as the allocator that owns the arena; handed out once each, in order.
unsafe impl Pages for Arena {
    fn grow(&mut self, pages: usize) -> Option<usize> {
        let at = self.used + usize::from(self.gaps > 0);
        if self.base() + (at + pages) * PAGE > self.limit() {
            return None;
        }
        self.gaps = self.gaps.saturating_sub(1);
        self.used = at + pages;
        Some(self.base() + at * PAGE)
    }
}

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

fn new_alloc(pages: usize) -> SmallAlloc<Arena> {
    SmallAlloc::new(Arena::new(pages))
}

/// Offset of a block from the arena's start.
fn offset(a: &SmallAlloc<Arena>, p: *mut u8) -> usize {
    assert!(!p.is_null());
    p as usize - a.pages.base()
}

/// Allocates and returns the block's offset from the arena's start.
fn alloc_at(a: &mut SmallAlloc<Arena>, size: usize, align: usize) -> usize {
    let p = a.alloc(layout(size, align));
    offset(a, p)
}

/// The byte at position `i` of a block tagged `tag`: shifts and overlaps show.
fn pattern(tag: usize, i: usize) -> u8 {
    (tag.wrapping_mul(131) ^ i.wrapping_mul(7)) as u8
}

fn fill(p: *mut u8, len: usize, tag: usize) {
    for i in 0..len {
        // SAFETY: `p` is a live block of at least `len` bytes (every caller's allocation).
        unsafe { p.add(i).write(pattern(tag, i)) };
    }
}

/// Index of the first byte of `p[..len]` that is not `tag`'s pattern.
fn first_wrong(p: *const u8, len: usize, tag: usize) -> Option<usize> {
    // SAFETY: as in `fill`; every byte was written by `fill`.
    (0..len).find(|&i| unsafe { p.add(i).read() } != pattern(tag, i))
}

#[test]
fn classes_are_powers_of_two_from_16_bytes() {
    // (size, align) → class (blocks of 16 << class bytes)
    let cases = [
        ((0, 1), Some(0)),
        ((1, 1), Some(0)),
        ((16, 8), Some(0)),
        ((17, 1), Some(1)),
        ((24, 8), Some(1)),
        ((32, 4), Some(1)),
        ((33, 1), Some(2)),
        ((1, 64), Some(2)),
        ((100, 64), Some(3)),
        ((4096, 4096), Some(8)),
        ((65_536, 1), Some(12)),
        ((65_537, 1), Some(13)),
        ((1 << 31, 1), Some(27)),
        (((1 << 31) + 1, 1), None),
        ((8, 1 << 32), None),
        ((isize::MAX as usize, 1), None),
    ];
    for ((size, align), want) in cases {
        assert_eq!(
            class_of(layout(size, align)),
            want,
            "size {size} align {align}"
        );
    }
}

#[test]
fn blocks_are_carved_in_order_and_reused_last_freed_first() {
    let mut a = new_alloc(4);
    let l = layout(16, 8);
    let (p, q, r) = (a.alloc(l), a.alloc(l), a.alloc(l));
    assert_eq!([offset(&a, p), offset(&a, q), offset(&a, r)], [0, 16, 32]);
    assert_eq!(a.pages.used, 1, "one page for the first block, none after");
    unsafe {
        a.dealloc(p, l);
        a.dealloc(r, l);
    }
    // A free block of the class comes before carving; the last freed first.
    assert_eq!(a.alloc(layout(10, 2)), r);
    assert_eq!(a.alloc(layout(1, 1)), p);
    assert_eq!(alloc_at(&mut a, 16, 8), 48);
    // Another class never takes a 16 B block.
    unsafe { a.dealloc(q, l) };
    assert_eq!(alloc_at(&mut a, 20, 4), 64);
}

#[test]
fn padding_below_an_aligned_block_goes_to_the_free_lists() {
    let mut a = new_alloc(4);
    assert_eq!(alloc_at(&mut a, 8, 8), 0);
    // 64 B must start at a multiple of 64: 16..64 is padding, freed as 16 at 16 and 32 at 32.
    assert_eq!(alloc_at(&mut a, 40, 8), 64);
    assert_eq!(alloc_at(&mut a, 30, 8), 32);
    assert_eq!(alloc_at(&mut a, 12, 4), 16);
    assert_eq!(alloc_at(&mut a, 12, 4), 128);
}

#[test]
fn alignment_above_the_size_takes_the_alignment_class() {
    let mut a = new_alloc(4);
    assert_eq!(alloc_at(&mut a, 1, 1), 0);
    for align in [16, 32, 64, 128, 4096, PAGE] {
        let p = a.alloc(layout(8, align));
        assert_eq!(p as usize % align, 0, "align {align}");
        assert_eq!(offset(&a, p) % align, 0);
    }
    // A freed 64-aligned block serves a 64 B request of any smaller alignment, and back.
    let big = layout(8, 64);
    let p = a.alloc(big);
    unsafe { a.dealloc(p, big) };
    assert_eq!(a.alloc(layout(64, 1)), p);
}

#[test]
fn large_blocks_grow_the_region_by_whole_pages() {
    let mut a = new_alloc(16);
    let small = a.alloc(layout(16, 1));
    assert_eq!(a.pages.used, 1);
    // 100,000 B → a 128 KiB block at the next multiple of 128 KiB: pages 2 and 3.
    let big = a.alloc(layout(100_000, 8));
    assert_eq!(offset(&a, big), 2 * PAGE);
    assert_eq!(a.pages.used, 4);
    fill(big, 100_000, 1);
    assert_eq!(first_wrong(big, 100_000, 1), None);
    // The rest of page 0 and all of page 1 went to the free lists: 32 B at 32, ... 64 KiB.
    assert_eq!(alloc_at(&mut a, PAGE, 8), PAGE);
    assert_eq!(alloc_at(&mut a, PAGE / 2, 8), PAGE / 2);
    assert_eq!(alloc_at(&mut a, 16, 8), 16);
    assert_eq!(a.pages.used, 4, "no growth for blocks the padding held");
    assert_eq!(offset(&a, small), 0);
}

#[test]
fn realloc_stays_in_place_within_the_class_and_keeps_contents_when_moving() {
    let mut a = new_alloc(4);
    let l = layout(20, 4);
    let p = a.alloc(l);
    fill(p, 20, 7);
    // 20 → 32 B: the same 32 B block.
    let q = unsafe { a.realloc(p, l, 32) };
    assert_eq!(q, p);
    assert_eq!(first_wrong(q, 20, 7), None);
    // 32 → 33 B: a 64 B block elsewhere, the first 32 B copied, the old block freed.
    fill(q, 32, 8);
    let r = unsafe { a.realloc(q, layout(32, 4), 33) };
    assert_eq!(offset(&a, r), 64);
    assert_eq!(first_wrong(r, 32, 8), None);
    assert_eq!(a.alloc(layout(17, 1)), p, "the old block is free again");
}

#[test]
fn shrinking_realloc_frees_the_upper_halves() {
    let mut a = new_alloc(4);
    let l = layout(1024, 8);
    let p = a.alloc(l);
    fill(p, 1024, 3);
    // 1024 → 100 B (class 128): 128..256, 256..512 and 512..1024 of the block are free.
    let q = unsafe { a.realloc(p, l, 100) };
    assert_eq!(q, p);
    assert_eq!(first_wrong(q, 100, 3), None);
    assert_eq!(alloc_at(&mut a, 512, 8), 512);
    assert_eq!(alloc_at(&mut a, 256, 8), 256);
    assert_eq!(alloc_at(&mut a, 128, 8), 128);
    assert_eq!(alloc_at(&mut a, 100, 8), 1024);
}

#[test]
fn running_out_of_pages_is_null_and_harmless() {
    let mut a = new_alloc(2);
    let p = a.alloc(layout(100, 8));
    fill(p, 100, 5);
    // 3 pages do not fit an arena of 2; neither does a 2 GiB class or more.
    assert!(a.alloc(layout(3 * PAGE, 8)).is_null());
    assert!(a.alloc(layout(1 << 31, 8)).is_null());
    assert!(a.alloc(layout(usize::MAX / 2, 1)).is_null());
    // A failed realloc leaves the block as it was.
    let same = unsafe { a.realloc(p, layout(100, 8), 2 * PAGE + 1) };
    assert!(same.is_null());
    assert_eq!(first_wrong(p, 100, 5), None);
    // What fits still comes: the second page, then nothing.
    assert_eq!(alloc_at(&mut a, PAGE, 8), PAGE);
    assert!(a.alloc(layout(PAGE, 8)).is_null());
    // Free blocks still serve their class (the padding below the 64 KiB block: 128 B at 128),
    // but a class with none cannot split a larger one.
    assert_eq!(alloc_at(&mut a, 128, 8), 128);
    assert!(a.alloc(layout(16, 8)).is_null());
}

#[test]
fn pages_that_do_not_follow_the_region_start_a_new_one() {
    let mut a = new_alloc(8);
    a.pages.gaps = usize::MAX; // every grow leaves a page out, as if another user grew memory
    assert_eq!(alloc_at(&mut a, 16, 1), PAGE);
    // The next 64 KiB block needs a new page; it lands at page 3 and the region moves there.
    assert_eq!(alloc_at(&mut a, PAGE, 1), 3 * PAGE);
    // The rest of page 1 is not lost: 32 KiB at 32 KiB of it is still there.
    assert_eq!(alloc_at(&mut a, PAGE / 2, 1), PAGE + PAGE / 2);
    // And the arena's last page is reached by a block that needs a fresh region.
    assert_eq!(alloc_at(&mut a, PAGE, 1), 5 * PAGE);
    assert_eq!(alloc_at(&mut a, PAGE, 1), 7 * PAGE);
    assert!(a.alloc(layout(PAGE, 1)).is_null());
}

/// One step of a random sequence; indices pick a live block modulo their number.
#[derive(Debug, Clone)]
enum Op {
    Alloc { size: usize, align_shift: u32 },
    Dealloc { pick: usize },
    Realloc { pick: usize, size: usize },
}

fn size() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 1..=48usize, 3 => 1..=2_000usize, 1 => 1..=150_000usize]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (size(), prop_oneof![4 => 0..=4u32, 1 => 5..=12u32])
            .prop_map(|(size, align_shift)| Op::Alloc { size, align_shift }),
        2 => any::<usize>().prop_map(|pick| Op::Dealloc { pick }),
        2 => (any::<usize>(), size()).prop_map(|(pick, size)| Op::Realloc { pick, size }),
    ]
}

/// A live block in the model: where, its layout, the tag of the pattern it holds.
struct Live {
    at: *mut u8,
    layout: Layout,
    tag: usize,
}

/// The whole block the allocator reserves for `layout` at `at` (its class's size).
fn span(at: *mut u8, layout: Layout) -> (usize, usize) {
    let start = at as usize;
    (start, start + block_size(class_of(layout).unwrap()))
}

/// A new or moved block is aligned, inside the arena, and disjoint from every other live one
/// (its whole class block, not only the bytes asked for: `realloc` in place relies on that).
fn check_placement(a: &SmallAlloc<Arena>, live: &[Live], new: &Live) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        new.at as usize % new.layout.align(),
        0,
        "misaligned {:?}",
        new.layout
    );
    let (start, stop) = span(new.at, new.layout);
    prop_assert!(
        start >= a.pages.base() && stop <= a.pages.limit(),
        "outside the arena"
    );
    for other in live {
        let (s, e) = span(other.at, other.layout);
        prop_assert!(
            stop <= s || e <= start,
            "{:#x}..{:#x} overlaps {:#x}..{:#x}",
            start,
            stop,
            s,
            e
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Every live block stays aligned, in the arena, disjoint and intact through any sequence;
    /// with room enough (4,096 pages) nothing fails, also when a few grows are not contiguous;
    /// in a small arena, or when no grow is, failures are null and change nothing.
    #[test]
    fn random_sequences_keep_blocks_aligned_disjoint_and_intact(
        ops in prop::collection::vec(op(), 1..120),
        roomy in any::<bool>(),
        gaps in prop_oneof![3 => 0..3usize, 1 => Just(usize::MAX)],
    ) {
        let mut a = new_alloc(if roomy { 4096 } else { 6 });
        a.pages.gaps = gaps;
        let roomy = roomy && gaps != usize::MAX;
        let mut live: Vec<Live> = Vec::new();
        for (tag, op) in ops.into_iter().enumerate() {
            match op {
                Op::Alloc { size, align_shift } => {
                    let layout = layout(size, 1 << align_shift);
                    let at = a.alloc(layout);
                    if at.is_null() {
                        prop_assert!(!roomy, "out of memory in a roomy arena");
                        continue;
                    }
                    let block = Live { at, layout, tag };
                    check_placement(&a, &live, &block)?;
                    fill(at, size, tag);
                    live.push(block);
                }
                Op::Dealloc { pick } if !live.is_empty() => {
                    let block = live.swap_remove(pick % live.len());
                    prop_assert_eq!(first_wrong(block.at, block.layout.size(), block.tag), None);
                    unsafe { a.dealloc(block.at, block.layout) };
                }
                Op::Realloc { pick, size } if !live.is_empty() => {
                    let block = live.swap_remove(pick % live.len());
                    let old = block.layout.size();
                    prop_assert_eq!(first_wrong(block.at, old, block.tag), None);
                    let at = unsafe { a.realloc(block.at, block.layout, size) };
                    if at.is_null() {
                        prop_assert!(!roomy, "out of memory in a roomy arena");
                        prop_assert_eq!(first_wrong(block.at, old, block.tag), None);
                        live.push(block);
                        continue;
                    }
                    let moved = Live { at, layout: layout(size, block.layout.align()), tag };
                    check_placement(&a, &live, &moved)?;
                    prop_assert_eq!(first_wrong(at, old.min(size), block.tag), None, "contents lost");
                    fill(at, size, tag);
                    live.push(moved);
                }
                _ => {}
            }
        }
        for block in live {
            prop_assert_eq!(first_wrong(block.at, block.layout.size(), block.tag), None);
            unsafe { a.dealloc(block.at, block.layout) };
        }
    }
}
