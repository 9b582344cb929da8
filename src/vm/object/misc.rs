//! Small heap kinds without much behaviour of their own: modules, ranges, slices,
//! descriptors (property, staticmethod, classmethod, slot members), `super` objects and dict views.

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
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WrapperKind {
    StaticMethod,
    ClassMethod,
}

pub struct Wrapper {
    pub kind: WrapperKind,
    pub func: Value,
}

/// `super(cls, obj)`: attribute lookup starts after `cls` in `type(obj)`'s MRO.
pub struct Super {
    pub cls: Rc<Class>,
    pub obj: Value,
    /// The class whose MRO is searched (`type(obj)`, or `obj` itself for class methods).
    pub start: Rc<Class>,
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
}
