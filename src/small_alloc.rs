//! A small memory allocator for the site snippet (`src/wasm/allocator.rs` installs it there),
//! written for code size: Rust's default on wasm32, dlmalloc, is ~8 KB of the snippet's wasm.
//!
//! Design, for the snippet's workload (one visitor's state of a few KB, events, small strings,
//! `Vec`s that double; one thread; memory that wasm never returns to the host anyway):
//!
//! - **Power-of-two size classes**, 16 B to 2 GiB (every `Layout` wasm32 can express). A block's
//!   class follows from the `Layout`, which `GlobalAlloc` always hands back unchanged to
//!   `dealloc` and `realloc`: no header per block, no boundary tags.
//! - **One free list per class**, LIFO; a free block holds the address of the next.
//! - **Every block is naturally aligned** (a block of 2^k bytes starts at a multiple of 2^k), so
//!   any alignment up to the class size is met by any block of the class; a request whose
//!   alignment exceeds its size takes the class of its alignment.
//! - **New blocks are carved from a region that only grows**, by whole 64 KiB pages. Aligning the
//!   carving point leaves a gap below the block: the gap goes to the free lists as naturally
//!   aligned pieces, so nothing is lost to padding.
//! - **`realloc` stays in place** whenever the new size fits the block's class; shrinking to a
//!   smaller class gives the upper part back (its halves, each naturally aligned).
//! - **No coalescing, no splitting.** A free block serves its own class only: a class without
//!   one carves new memory even while larger blocks are free. The snippet repeats the same
//!   shapes of allocation per event, so each free list settles at its peak and memory stops
//!   growing (measured in Chromium with the demo model: 21 pages of wasm memory after 8,000
//!   events, against dlmalloc's 19, steady from the first event); at worst a block is twice the
//!   bytes asked for. The dashboard and Node builds, which read million-event files, keep Rust's
//!   default allocator.
//!
//! The algorithm is plain Rust over a [`Pages`] backend (`memory.grow` on wasm32, a fixed
//! arena in the tests), so it is tested natively.

use core::alloc::Layout;
use core::ptr;

/// Bytes in a WebAssembly page, the unit the region grows by.
pub const PAGE: usize = 64 * 1024;

/// The smallest class, 2^4 = 16 B: room for the free list's next address on any target, and
/// every block address stays a multiple of 16.
const MIN_SHIFT: u32 = 4;

/// 16 B ..= 2 GiB: the largest `Layout` on wasm32 is below 2^31 bytes.
const CLASSES: usize = 28;

/// Where new memory comes from.
///
/// # Safety
/// `grow(n)` returning `Some(base)` promises that `base..base + n * PAGE` is memory nobody else
/// uses, readable and writable for as long as the allocator lives, and that `base` is a multiple
/// of [`PAGE`] and not zero.
pub unsafe trait Pages {
    /// Grows by `pages` pages: the address of the first new byte, or `None` when memory is full.
    fn grow(&mut self, pages: usize) -> Option<usize>;
}

/// The allocator's state: free list heads, the carving region, the page source.
pub struct SmallAlloc<P> {
    /// The first free block of each class (0 = none).
    free: [usize; CLASSES],
    /// The next unused byte of the region, and its end (`next <= end`, both multiples of 16).
    next: usize,
    end: usize,
    pages: P,
}

/// The class of a request: index `k` holds blocks of `16 << k` bytes. `None` beyond 2 GiB.
fn class_of(layout: Layout) -> Option<usize> {
    // The block must hold `size` bytes and start at a multiple of `align`: a naturally aligned
    // block of max(size, align) rounded up to a power of two does both.
    let need = layout.size().max(layout.align()).max(1 << MIN_SHIFT);
    // Bits of `need - 1` = log2 of the next power of two (16 → 4, 17 → 5); never overflows.
    let class = (usize::BITS - (need - 1).leading_zeros() - MIN_SHIFT) as usize;
    (class < CLASSES).then_some(class)
}

/// The size of the blocks of class `class`.
const fn block_size(class: usize) -> usize {
    1 << (class as u32 + MIN_SHIFT)
}

impl<P: Pages> SmallAlloc<P> {
    pub const fn new(pages: P) -> Self {
        SmallAlloc {
            free: [0; CLASSES],
            next: 0,
            end: 0,
            pages,
        }
    }

    /// A block for `layout`, or null when memory is full or the layout exceeds 2 GiB. A size of
    /// zero (which `GlobalAlloc` never passes) gets a 16 B block.
    pub fn alloc(&mut self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(class) => self.alloc_class(class) as *mut u8,
            None => ptr::null_mut(),
        }
    }

    /// Returns a block to its class's free list.
    ///
    /// # Safety
    /// `ptr` was returned by this allocator for `layout` (by `alloc`, or by `realloc` with
    /// `layout.size()` as its new size), and is not used afterwards.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        if let Some(class) = class_of(layout) {
            // SAFETY: the caller gives the block back, and it is of this class.
            unsafe { self.push(ptr as usize, class) };
        }
    }

    /// Resizes a block to `new_size` bytes (same alignment), keeping its first
    /// `min(old, new)` bytes: the same address whenever `new_size` fits the block's class.
    /// Null when no memory is left, and then the old block is untouched and still valid.
    ///
    /// # Safety
    /// As for [`SmallAlloc::dealloc`]: `ptr` is a live block of this allocator for `layout`.
    /// On success the block is `new_size` bytes and `ptr` must not be used if it moved.
    pub unsafe fn realloc(&mut self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align(new_size, layout.align());
        let (Some(old), Some(new)) = (class_of(layout), new_layout.ok().and_then(class_of)) else {
            return ptr::null_mut();
        };
        let at = ptr as usize;
        if new <= old {
            // SAFETY: the block (the caller's) spans `block_size(old)` bytes; its lower
            // `block_size(new)` stay the block, the rest is no longer used.
            unsafe { self.release(at + block_size(new), at + block_size(old)) };
            return ptr;
        }
        let moved = self.alloc_class(new);
        if moved != 0 {
            // SAFETY: `ptr` is live for `layout.size()` bytes (the caller's promise), `moved`
            // is a fresh block of more than that, and two blocks of this allocator never
            // overlap while both are in use.
            // The old block is given back whole.
            unsafe {
                ptr::copy_nonoverlapping(ptr, moved as *mut u8, layout.size());
                self.push(at, old);
            }
        }
        moved as *mut u8
    }

    /// A block of class `class` (its address), or 0 when memory is full.
    fn alloc_class(&mut self, class: usize) -> usize {
        let head = self.free[class];
        if head != 0 {
            // SAFETY: `head` is on this class's free list: `push` wrote the next address into
            // its first word, and no live block covers it.
            self.free[class] = unsafe { (head as *const usize).read() };
            return head;
        }
        self.carve(block_size(class)).unwrap_or(0)
    }

    /// A new naturally aligned block of `size` bytes (a power of two) from the region, which
    /// grows by as many pages as it lacks.
    fn carve(&mut self, size: usize) -> Option<usize> {
        // One round when the new pages follow the region, the usual case. Not always on wasm32:
        // where something uses `std::alloc::System` directly (std's thread handles do, in test
        // binaries), dlmalloc grows memory too. Then the region moves to the new pages, and a
        // large block may take another round; every round that does not fit has grown memory,
        // so the loop ends when memory is full at the latest.
        loop {
            let start = self.next.checked_add(size - 1)? & !(size - 1);
            let stop = start.checked_add(size)?;
            if stop <= self.end {
                // SAFETY: `next..start` is unused region (the backend's promise for its pages).
                unsafe { self.release(self.next, start) };
                self.next = stop;
                return Some(start);
            }
            let pages = (stop - self.end).div_ceil(PAGE);
            let base = self.pages.grow(pages)?;
            let end = pages.checked_mul(PAGE).and_then(|n| base.checked_add(n))?;
            if base != self.end {
                // Not contiguous: what is left of the old region is still good memory.
                // SAFETY: `next..end` is unused region.
                unsafe { self.release(self.next, self.end) };
                self.next = base;
            }
            self.end = end;
        }
    }

    /// Hands `from..to` (multiples of 16) to the free lists in the largest naturally aligned
    /// pieces that fit: the padding below an aligned block, the part of a block a shrinking
    /// `realloc` no longer needs, the rest of a region left behind.
    ///
    /// # Safety
    /// `from..to` belongs to the allocator (from the backend) and nothing uses it.
    unsafe fn release(&mut self, mut from: usize, to: usize) {
        while from < to {
            // The largest power of two dividing `from` (so the piece is aligned to its size)...
            let mut size = 1 << from.trailing_zeros().min(MIN_SHIFT + CLASSES as u32 - 1);
            // ...that ends by `to`. At least 16, as both ends are multiples of 16.
            while size > to - from {
                size >>= 1;
            }
            // SAFETY: the piece lies in `from..to`, which the caller hands over, and starts at
            // a multiple of its size.
            unsafe { self.push(from, (size.trailing_zeros() - MIN_SHIFT) as usize) };
            from += size;
        }
    }

    /// Puts the block at `at` on the free list of `class`.
    ///
    /// # Safety
    /// `at..at + block_size(class)` belongs to the allocator, nothing uses it, and `at` is a
    /// multiple of `block_size(class)`.
    unsafe fn push(&mut self, at: usize, class: usize) {
        // SAFETY: the caller's promise; the block (at least 16 B, aligned) holds the next
        // address in its first word.
        unsafe { (at as *mut usize).write(self.free[class]) };
        self.free[class] = at;
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
