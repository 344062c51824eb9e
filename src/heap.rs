//! The global allocator of the wasm build, about 1 KB smaller than dlmalloc's 7 KB.
//!
//! Every block is a power of two in size (8 bytes up to 2 GiB) and aligned to its size, so
//! any block of a size class fits any request of that class. Freed blocks go on their class's
//! free list and are handed out again first; new blocks are cut from the end of the heap,
//! which `memory.grow` extends. Blocks are never split or merged: memory use is bounded by the
//! peak of each size class (at most twice the bytes requested), which suits a client that
//! makes the same few allocations again and again for as long as the page lives. Wasm memory
//! cannot shrink, so no allocator gives pages back to the browser.
//!
//! Freed blocks are overwritten with zeros, so a dropped secret (a token, a verifier, a
//! response body) does not linger in the heap where a script could read it later. Copies
//! that lived on the wasm stack are not covered: they last until that stack space is
//! reused.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr;

/// The allocator. Its state lives in one static.
pub struct Heap(UnsafeCell<State>);

struct State {
    /// For each size class `2^k`, the first free block; each free block starts with the
    /// address of the next one. One entry more than there are classes, so that any
    /// `trailing_zeros` result indexes it without a bounds check (and its panic path).
    free: [*mut u8; usize::BITS as usize + 1],
    /// Where the next new block may start.
    next: usize,
    /// The end of the memory this allocator owns.
    end: usize,
}

// SAFETY: wasm32 without the `atomics` target feature runs one thread, so the state is
// never touched concurrently.
unsafe impl Sync for Heap {}

impl Heap {
    /// An empty heap: it takes its first page on the first allocation.
    pub const fn new() -> Self {
        Heap(UnsafeCell::new(State {
            free: [ptr::null_mut(); usize::BITS as usize + 1],
            next: 0,
            end: 0,
        }))
    }
}

// SAFETY: blocks are handed out once until freed, aligned to their size (which is at least
// the layout's size and alignment), and come from memory that only this allocator grows.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(layout) else {
            return ptr::null_mut();
        };
        // SAFETY: one thread (see `Sync`), and no other reference to the state is alive.
        let state = unsafe { &mut *self.0.get() };
        let head = state.free[class];
        if !head.is_null() {
            // SAFETY: a free block starts with the link that `dealloc` wrote.
            state.free[class] = unsafe { head.cast::<*mut u8>().read() };
            return head;
        }
        state.carve(class)
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        if let Some(class) = class_of(layout) {
            // SAFETY: as in `alloc`; the block is at least 8 bytes and 8-aligned.
            let state = unsafe { &mut *self.0.get() };
            // Wipe on free: tokens, response bodies and the strings passed to and from
            // JavaScript leave no bytes behind in wasm memory once dropped (logout wipe).
            // The whole block, not just `layout.size()`: a shrink in place keeps old bytes
            // past the new size.
            // SAFETY: the block is owned by the caller until now and `2^class` bytes long.
            unsafe { ptr::write_bytes(block, 0, 1 << class) };
            unsafe { block.cast::<*mut u8>().write(state.free[class]) };
            state.free[class] = block;
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller passes a valid layout; the new one keeps its alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class_of(new_layout) == class_of(layout) {
            return block; // Strings and vectors grow in place up to their class size.
        }
        // SAFETY: as for any allocation; the copy stays within both blocks.
        unsafe {
            let moved = self.alloc(new_layout);
            if !moved.is_null() {
                ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
            moved
        }
    }
}

impl State {
    /// Cuts a new block of size `2^class` from the end of the heap, growing memory as needed.
    /// The bytes skipped to align it become free blocks of the smaller classes.
    fn carve(&mut self, class: usize) -> *mut u8 {
        let size = 1usize << class;
        loop {
            let start = self.next.checked_add(size - 1).map(|n| n & !(size - 1));
            match start.and_then(|start| Some((start, start.checked_add(size)?))) {
                Some((start, stop)) if stop <= self.end => {
                    while self.next < start {
                        // The largest block that `next` is aligned to; `next` is not 0 here.
                        let piece_class = self.next.trailing_zeros() as usize;
                        let block = self.next as *mut u8;
                        // SAFETY: the piece lies in owned, unused memory and is 8-aligned.
                        unsafe { block.cast::<*mut u8>().write(self.free[piece_class]) };
                        self.free[piece_class] = block;
                        self.next += 1 << piece_class;
                    }
                    self.next = stop;
                    return start as *mut u8;
                }
                _ => {
                    let pages = size.div_ceil(PAGE);
                    let old = wasm32::memory_grow(0, pages);
                    if old == usize::MAX {
                        return ptr::null_mut();
                    }
                    if old * PAGE != self.end {
                        // The first page, or memory someone else grew: start afresh there.
                        self.next = old * PAGE;
                    }
                    // Memory ends at 4 GiB at most; its very last byte is not used.
                    self.end = (old + pages).saturating_mul(PAGE);
                }
            }
        }
    }
}

/// The size class of `layout`: `k` for blocks of `2^k` bytes, or `None` beyond 2 GiB.
fn class_of(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(MIN_BLOCK);
    size.checked_next_power_of_two()
        .map(|s| s.trailing_zeros() as usize)
}

/// The smallest block: room for a free-list link, 8-aligned.
const MIN_BLOCK: usize = 8;
/// The wasm page size.
const PAGE: usize = 65536;
