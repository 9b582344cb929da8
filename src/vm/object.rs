//! Heap object kinds, one file each for the larger ones; the small sequence kinds (list,
//! tuple, bytes) live here. Their methods visible to apy code are in `vm::methods`.

pub mod cache;
pub mod class;
pub mod dict;
pub mod function;
pub mod generator;
pub mod iter;
pub mod misc;
pub mod origin;
pub mod set;
pub mod str;

use crate::vm::gc::{self, GcHeader, Trace, Visit};
use crate::vm::value::Value;
use std::cell::RefCell;

pub struct List {
    pub items: RefCell<Vec<Value>>,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

impl List {
    pub fn new(items: Vec<Value>) -> List {
        List {
            gc: Default::default(),
            items: RefCell::new(items),
        }
    }

    /// A copy of the items, so callers can run apy code over them without holding a borrow.
    pub fn snapshot(&self) -> Vec<Value> {
        self.items.borrow().clone()
    }

    pub fn len(&self) -> usize {
        self.items.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.borrow().is_empty()
    }

    #[inline(always)]
    pub fn get(&self, idx: usize) -> Option<Value> {
        self.items.borrow().get(idx).map(Value::dup)
    }
}

impl Drop for List {
    fn drop(&mut self) {
        crate::vm::gc::guarded_drop(std::mem::take(self.items.get_mut()));
    }
}

impl Drop for Tuple {
    fn drop(&mut self) {
        if !self.items.is_empty() {
            crate::vm::gc::guarded_drop(std::mem::take(&mut self.items));
        }
    }
}

impl Trace for List {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        match self.items.try_borrow() {
            Ok(items) => {
                gc::visit_values(&items, visit);
                true
            }
            Err(_) => false,
        }
    }

    fn clear(&self) {
        if let Ok(mut items) = self.items.try_borrow_mut() {
            let old = std::mem::take(&mut *items);
            drop(items);
            drop(old);
        }
    }
}

pub struct Tuple {
    pub items: Box<[Value]>,
}

impl Tuple {
    pub fn new(items: Vec<Value>) -> Tuple {
        Tuple {
            items: items.into_boxed_slice(),
        }
    }
}

impl Trace for Tuple {
    /// None: a collection keeps a tuple's mark by address (`gc::SideMarks`).
    fn gc_header(&self) -> Option<&GcHeader> {
        None
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        gc::visit_values(&self.items, visit);
        true
    }

    /// Tuples are immutable: the cycle through them is broken at the mutable members.
    fn clear(&self) {}
}

pub struct Bytes {
    pub data: Box<[u8]>,
}

impl Bytes {
    pub fn new(data: Vec<u8>) -> Bytes {
        Bytes {
            data: data.into_boxed_slice(),
        }
    }
}
