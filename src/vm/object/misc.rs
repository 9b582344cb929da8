//! Small heap kinds without much behaviour of their own: modules, ranges, slices,
//! descriptors (property, staticmethod, classmethod), `super` objects and dict views.

use crate::vm::object::class::Class;
use crate::vm::object::dict::Dict;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::rc::Rc;

pub struct Module {
    pub name: Rc<PyStr>,
    pub dict: Rc<Dict>,
}

/// `range(start, stop, step)` over `i64` (larger bounds raise OverflowError at creation).
pub struct Range {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl Range {
    pub fn len(&self) -> i64 {
        let (lo, hi, step) = (self.start as i128, self.stop as i128, self.step as i128);
        let n = if step > 0 && lo < hi {
            (hi - lo - 1) / step + 1
        } else if step < 0 && lo > hi {
            (lo - hi - 1) / (-step) + 1
        } else {
            0
        };
        n.min(i64::MAX as i128) as i64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The item at `idx` (already known to be in range).
    pub fn item(&self, idx: i64) -> i64 {
        (self.start as i128 + idx as i128 * self.step as i128) as i64
    }
}

pub struct Slice {
    pub start: Value,
    pub stop: Value,
    pub step: Value,
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
