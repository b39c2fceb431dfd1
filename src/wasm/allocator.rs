//! The snippet's global allocator: [`crate::small_alloc`] over `memory.grow`, in place of
//! Rust's default (dlmalloc, ~8 KB of wasm). Only the snippet build (no `analytics`) installs
//! it: the dashboard and Node builds read million-event files, where a general-purpose allocator
//! that coalesces free memory earns its bytes.

use crate::small_alloc::{Pages, SmallAlloc, PAGE};
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

// NOTE: the allocator's state is shared without a lock, which is sound only while wasm runs on
// one thread (no `atomics` target feature: no shared memory, no second thread to race with).
#[cfg(target_feature = "atomics")]
compile_error!(
    "the snippet's allocator is single-threaded: build with `analytics` (dlmalloc) for threads"
);

/// Linear memory itself: new pages come at its end.
struct LinearMemory;

// SAFETY: `memory.grow` adds pages after the current end of memory 0 and returns the old size
// in pages (never 0: the stack and data come first). The pages did not exist before the call,
// and every other user of memory keeps to its own (the stack and data; dlmalloc, if something
// uses `std::alloc::System`, to the pages its own `memory.grow` returned): they are ours alone.
unsafe impl Pages for LinearMemory {
    fn grow(&mut self, pages: usize) -> Option<usize> {
        let old = core::arch::wasm32::memory_grow(0, pages);
        (old != usize::MAX).then(|| old * PAGE)
    }
}

struct SnippetAllocator(UnsafeCell<SmallAlloc<LinearMemory>>);

// SAFETY: one thread (see the NOTE above): the cell is never reached from two at once.
unsafe impl Sync for SnippetAllocator {}

impl SnippetAllocator {
    /// The allocator's state, borrowed for one call.
    ///
    /// # Safety
    /// No other borrow is alive: true on one thread, as the allocator never calls back into
    /// `GlobalAlloc` (it allocates nothing itself).
    #[allow(clippy::mut_from_ref)]
    unsafe fn state(&self) -> &mut SmallAlloc<LinearMemory> {
        // SAFETY: the caller's promise.
        unsafe { &mut *self.0.get() }
    }
}

#[global_allocator]
static ALLOCATOR: SnippetAllocator =
    SnippetAllocator(UnsafeCell::new(SmallAlloc::new(LinearMemory)));

// SAFETY: `SmallAlloc` meets `GlobalAlloc`'s contract (tested in `small_alloc::tests`): blocks
// are aligned, disjoint and stay valid until freed, failure is null, `realloc` keeps contents.
unsafe impl GlobalAlloc for SnippetAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: one call at a time (see `state`).
        unsafe { self.state() }.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `GlobalAlloc::dealloc`'s caller passes a block of ours with its layout.
        unsafe { self.state().dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; `GlobalAlloc::realloc`'s caller stops using `ptr`.
        unsafe { self.state().realloc(ptr, layout, new_size) }
    }
}
