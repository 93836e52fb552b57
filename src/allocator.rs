//! The process's allocator: mimalloc, entered by its plain functions where they suffice.
//!
//! The `mimalloc` crate sends every request through `mi_malloc_aligned`, whose extra checks
//! and calls were a tenth of a run's instructions (about 150 allocations a request; bench/
//! RESULTS.md). Every block mimalloc hands out is aligned to at least a word, so requests
//! that ask for no more take the plain path; the rest keep the aligned one.

// The one module allowed `unsafe`: a global allocator cannot be written without it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// The alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

pub struct Allocator;

type Plain = unsafe extern "C" fn(usize) -> *mut c_void;
type Aligned = unsafe extern "C" fn(usize, usize) -> *mut c_void;

/// A new block from `plain` when `layout` asks for no more than a word's alignment.
///
/// # Safety
/// `layout` is not zero-sized.
#[allow(
    clippy::inline_always,
    reason = "measured: the `allocator` row of bench/RESULTS.md (callgrind, 259.9 M → 250.7 M instructions, with the proxy change) was taken with this inlined, so `plain` and `aligned` are direct calls on every allocation; a build with plain `#[inline]` has not been measured"
)]
#[inline(always)]
unsafe fn new_block(layout: Layout, plain: Plain, aligned: Aligned) -> *mut u8 {
    // SAFETY: both functions take any size; mimalloc blocks are word-aligned.
    unsafe {
        if layout.align() <= WORD {
            plain(layout.size()).cast()
        } else {
            aligned(layout.size(), layout.align()).cast()
        }
    }
}

// SAFETY: each method forwards to the mimalloc function with the same contract, and the
// plain functions are only used for alignments every mimalloc block already has.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout is not zero-sized.
        unsafe { new_block(layout, mi::mi_malloc, mi::mi_malloc_aligned) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout is not zero-sized.
        unsafe { new_block(layout, mi::mi_zalloc, mi::mi_zalloc_aligned) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; see the impl.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_have_the_alignment_asked_for_and_keep_their_contents() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 24, 40, 100, 1000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: the layout is valid and not zero-sized; every block is freed.
                unsafe {
                    let block = Allocator.alloc(layout);
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align, 0, "{size} bytes aligned to {align}");
                    block.write_bytes(0xAB, size);
                    let grown = Allocator.realloc(block, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "grown {size} aligned to {align}");
                    assert!((0..size).all(|i| *grown.add(i) == 0xAB));
                    Allocator.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    let zeroed = Allocator.alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0);
                    assert!((0..size).all(|i| *zeroed.add(i) == 0));
                    Allocator.dealloc(zeroed, layout);
                }
            }
        }
    }
}
