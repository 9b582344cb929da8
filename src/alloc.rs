//! The global allocator: mimalloc, through its plain entry points whenever the alignment asked
//! for is one every mimalloc block has (a machine word), and through the aligned ones otherwise.
//!
//! The `mimalloc` crate sends every request through `mi_malloc_aligned`, whose checks and
//! extra calls cost about twenty instructions an allocation before reaching the same free
//! list; apy allocates small objects all the time (a string, a tuple, a frame's buffer), so
//! that was ~3% of a string-heavy program. This is one of apy's three `unsafe` places (with
//! `Value::dup` and `vm::stack::push`): the trait is unsafe by definition, and each method only forwards to
//! mimalloc under the trait's own contract (a non-zero-size layout; a pointer this allocator returned, with its layout).

//!
//! In front of mimalloc sits a small per-thread cache of freed blocks for each word-rounded
//! size up to `CACHED_MAX` bytes: a block freed is kept (its first word links it to the
//! next), and the next request of that size takes it back. A program that makes and drops a
//! small object at a time (a string per loop iteration) otherwise found mimalloc's page free
//! list empty on every allocation, its freed block waiting on the page's other list, and paid
//! the slow path (about eighty instructions) each time.

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::c_void;
use std::ptr::null_mut;

/// The alignment of every block mimalloc hands out (its `MI_INTPTR_SIZE`).
const WORD: usize = std::mem::size_of::<usize>();

/// Requests up to this many bytes go through the cache.
const CACHED_MAX: usize = 128;
const CLASSES: usize = CACHED_MAX / WORD;
/// At most this many freed blocks are kept per size; the rest go back to mimalloc. (A
/// thread's cached blocks, at most 64 KiB, are not returned when it ends.)
const CACHE_DEPTH: u32 = 32;

/// Freed blocks by size class (`class`): a linked list through each block's first word.
struct Cache {
    heads: [Cell<*mut u8>; CLASSES],
    counts: [Cell<u32>; CLASSES],
}

thread_local! {
    // Constant-initialised and without a destructor: a plain thread-local static, which
    // allocates nothing and is usable for the whole life of the thread.
    static CACHE: Cache = const {
        Cache {
            heads: [const { Cell::new(null_mut()) }; CLASSES],
            counts: [const { Cell::new(0) }; CLASSES],
        }
    };
}

/// The cache class of a request, if it has one: sizes 1..=8 are class 0, 9..=16 class 1, and
/// so on. Every block mimalloc hands out for a size in a class is at least the class's
/// largest size (its size classes are whole words), so any block of the class fits any
/// request of it.
#[inline(always)]
fn class(layout: &Layout) -> Option<usize> {
    let size = layout.size();
    (layout.align() <= WORD && size > 0 && size <= CACHED_MAX).then(|| (size - 1) / WORD)
}

/// A cached block of class `k`, if any.
///
/// # Safety
/// `k < CLASSES`; the lists hold only blocks `push` put there.
#[inline(always)]
unsafe fn pop(k: usize) -> *mut u8 {
    CACHE
        .try_with(|cache| {
            let (Some(head), Some(count)) = (cache.heads.get(k), cache.counts.get(k)) else {
                return null_mut();
            };
            let block = head.get();
            if !block.is_null() {
                // SAFETY: a cached block is a live, word-aligned mimalloc block of at least a
                // word whose first word `push` set to the next block of the list.
                head.set(unsafe { block.cast::<*mut u8>().read() });
                count.set(count.get() - 1);
            }
            block
        })
        .unwrap_or(null_mut())
}

/// Keeps freed block `ptr` of class `k`; false (nothing done) if the class is full.
///
/// # Safety
/// `ptr` is a block this allocator handed out for a request of class `k`, now freed.
#[inline(always)]
unsafe fn push(k: usize, ptr: *mut u8) -> bool {
    CACHE
        .try_with(|cache| {
            let (Some(head), Some(count)) = (cache.heads.get(k), cache.counts.get(k)) else {
                return false;
            };
            if count.get() >= CACHE_DEPTH {
                return false;
            }
            // SAFETY: the block is at least a word and word-aligned (see `class`), and no
            // longer used by its owner.
            unsafe { ptr.cast::<*mut u8>().write(head.get()) };
            head.set(ptr);
            count.set(count.get() + 1);
            true
        })
        .unwrap_or(false)
}

pub struct Mimalloc;

// SAFETY: every method forwards to mimalloc with the layout's size, and to the aligned entry
// point whenever the alignment is above what mimalloc guarantees for all blocks; mimalloc
// returns null on failure, as `GlobalAlloc` requires. A cached block is a mimalloc block
// large enough for any request of its class, so handing it out, reallocating it or freeing
// it later through mimalloc is the same as for a block straight from mimalloc.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some(k) = class(&layout) {
            // SAFETY: `class` returns classes below CLASSES.
            let block = unsafe { pop(k) };
            if !block.is_null() {
                return block;
            }
        }
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
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(k) = class(&layout) {
            // SAFETY: the caller frees a block this allocator returned for `layout`.
            if unsafe { push(k, ptr) } {
                return;
            }
        }
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
