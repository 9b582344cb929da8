//! The global allocator: mimalloc, through its plain entry points whenever the alignment asked
//! for is one every mimalloc block has (a machine word), and through the aligned ones otherwise.
//!
//! The `mimalloc` crate sends every request through `mi_malloc_aligned`, whose checks and
//! extra calls cost about twenty instructions an allocation before reaching the same free
//! list; apy allocates small objects all the time (a string, a tuple, a frame's buffer), so
//! that was ~3% of a string-heavy program. This is one of apy's two `unsafe` places (with
//! `Value::dup`): the trait is unsafe by definition, and each method only forwards to
//! mimalloc under the trait's own contract (a non-zero-size layout; a pointer this allocator returned, with its layout).

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The alignment of every block mimalloc hands out (its `MI_INTPTR_SIZE`).
const WORD: usize = std::mem::size_of::<usize>();

pub struct Mimalloc;

// SAFETY: every method forwards to mimalloc with the layout's size, and to the aligned entry
// point whenever the alignment is above what mimalloc guarantees for all blocks; mimalloc
// returns null on failure, as `GlobalAlloc` requires.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi::mi_malloc(layout.size()).cast()
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi::mi_zalloc(layout.size()).cast()
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}
