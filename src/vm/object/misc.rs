//! Small heap kinds without much behaviour of their own: modules, ranges, slices,
//! descriptors (property, staticmethod, classmethod, slot members), `super` objects and dict views.

use crate::vm::gc::{self, GcHeader, Trace, Visit};
use crate::vm::object::class::Class;
use crate::vm::object::dict::Dict;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::rc::{Rc, Weak};

pub struct Module {
    pub name: Rc<PyStr>,
    pub dict: Rc<Dict>,
}

/// `range(start, stop, step)` over `i128` (bounds beyond that raise OverflowError at
/// creation; lengths beyond `i64` raise it in `len()`, as in CPython).
pub struct Range {
    pub start: i128,
    pub stop: i128,
    pub step: i128,
}

impl Range {
    pub fn len(&self) -> i128 {
        let (lo, hi, step) = (self.start, self.stop, self.step);
        if step > 0 && lo < hi {
            (hi - lo - 1) / step + 1
        } else if step < 0 && lo > hi {
            (lo - hi - 1) / (-step) + 1
        } else {
            0
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The item at `idx` (already known to be in range).
    pub fn item(&self, idx: i128) -> i128 {
        self.start.saturating_add(idx.saturating_mul(self.step))
    }
}

/// An `i128` as an int value.
pub fn int_value(v: i128) -> Value {
    match i64::try_from(v) {
        Ok(small) => Value::Int(small),
        Err(_) => Value::from_bigint(num_bigint::BigInt::from(v)),
    }
}

pub struct Slice {
    pub start: Value,
    pub stop: Value,
    pub step: Value,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

/// A `__slots__` name on its class: `<member 'x' of 'P' objects>`, the value in slot `index`
/// of the instances of `owner` and its subclasses.
pub struct Member {
    pub name: Rc<PyStr>,
    pub index: usize,
    /// Weak: the member lives in its owner's dict.
    pub owner: Weak<Class>,
    pub owner_name: Rc<PyStr>,
}

pub struct Property {
    pub fget: Value,
    pub fset: Value,
    pub fdel: Value,
    pub doc: Value,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WrapperKind {
    StaticMethod,
    ClassMethod,
}

pub struct Wrapper {
    pub kind: WrapperKind,
    pub func: Value,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

// Properties, staticmethod/classmethod wrappers and dict views are tracked: a class made in
// a function holds its property, whose getter's closure holds the class, and a dict can
// hold a view of itself. They are immutable, so `clear` does nothing: the cycle breaks at
// the class dict, the cell or the dict.

impl Property {
    pub fn new_value(fget: Value, fset: Value, fdel: Value, doc: Value) -> Value {
        let prop = Rc::new(Property {
            gc: Default::default(),
            fget,
            fset,
            fdel,
            doc,
        });
        gc::track(&prop);
        Value::Property(prop)
    }
}

impl Trace for Property {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        for v in [&self.fget, &self.fset, &self.fdel, &self.doc] {
            gc::visit_value(v, visit);
        }
        true
    }

    fn clear(&self) {}
}

impl Wrapper {
    pub fn new_value(kind: WrapperKind, func: Value) -> Value {
        let wrapper = Rc::new(Wrapper {
            gc: Default::default(),
            kind,
            func,
        });
        gc::track(&wrapper);
        Value::Wrapper(wrapper)
    }
}

impl Trace for Wrapper {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        gc::visit_value(&self.func, visit);
        true
    }

    fn clear(&self) {}
}

/// `super(cls, obj)`: attribute lookup starts after `cls` in `type(obj)`'s MRO.
pub struct Super {
    pub cls: Rc<Class>,
    pub obj: Value,
    /// The class whose MRO is searched (`type(obj)`, or `obj` itself for class methods).
    pub start: Rc<Class>,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ViewKind {
    Keys,
    Values,
    Items,
}

pub struct DictView {
    pub dict: Rc<Dict>,
    pub kind: ViewKind,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

impl Trace for Slice {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        for v in [&self.start, &self.stop, &self.step] {
            gc::visit_value(v, visit);
        }
        true
    }

    fn clear(&self) {}
}

impl Trace for Super {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        gc::visit_rc(&self.cls, visit);
        gc::visit_value(&self.obj, visit);
        gc::visit_rc(&self.start, visit);
        true
    }

    fn clear(&self) {}
}

impl DictView {
    pub fn new_value(dict: Rc<Dict>, kind: ViewKind) -> Value {
        let view = Rc::new(DictView {
            gc: Default::default(),
            dict,
            kind,
        });
        gc::track(&view);
        Value::DictView(view)
    }
}

impl Trace for DictView {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        gc::visit_rc(&self.dict, visit);
        true
    }

    fn clear(&self) {}
}
