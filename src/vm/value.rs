//! `Value`, the 16-byte handle every apy value travels in: small immutable values unboxed,
//! every heap kind behind an `Rc`. Constructors that allocate tracked containers register them
//! with the cycle collector here, so no other code forgets to. Behaviour (operators, repr,
//! attributes) lives in the modules that need a `Vm`; only identity and plain accessors are here.

use crate::vm::gc;
use crate::vm::object::class::{Class, Instance};
use crate::vm::object::dict::Dict;
use crate::vm::object::function::{BoundMethod, Cell, Code, Function, Native};
use crate::vm::object::generator::Generator;
use crate::vm::object::iter::Iter;
use crate::vm::object::misc::{DictView, Member, Module, Property, Range, Slice, Super, Wrapper};
use crate::vm::object::set::Set;
use crate::vm::object::str::PyStr;
use crate::vm::object::{Bytes, List, Tuple};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use std::rc::Rc;

// The tag is a whole word and every payload a whole word of integer or pointer (a `bool` and
// an `f64` too, kept as `B64` and `F64`): to the compiler a `Value` is then a pair of
// integers, passed and returned in two registers and moved as two words. With a one-byte
// `bool` or an `f64` among the payloads it was an aggregate, returned through memory and
// copied with 16-byte loads, which stalled whenever the two words had just been written
// separately (every value pushed from a branch that merged with another, every result of an
// out-of-line call).
#[repr(u64)]
pub enum Value {
    None,
    /// Internal marker (an empty `LoadMethod` slot, an unset local); never visible to users.
    Null,
    NotImplemented,
    Ellipsis,
    Bool(B64),
    Int(i64),
    Float(F64),
    /// Only for integers outside `i64`; `Value::from_bigint` normalises.
    BigInt(Rc<BigInt>),
    Str(Rc<PyStr>),
    Bytes(Rc<Bytes>),
    List(Rc<List>),
    Tuple(Rc<Tuple>),
    Dict(Rc<Dict>),
    Set(Rc<Set>),
    Function(Rc<Function>),
    Native(Rc<Native>),
    Method(Rc<BoundMethod>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    Module(Rc<Module>),
    Cell(Rc<Cell>),
    Code(Rc<Code>),
    Generator(Rc<Generator>),
    Iter(Rc<Iter>),
    Range(Rc<Range>),
    Slice(Rc<Slice>),
    Property(Rc<Property>),
    /// A `__slots__` member descriptor.
    Member(Rc<Member>),
    /// `staticmethod`/`classmethod` wrappers.
    Wrapper(Rc<Wrapper>),
    Super(Rc<Super>),
    DictView(Rc<DictView>),
}

/// A `bool` in a whole word (see `Value`'s layout).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(transparent)]
pub struct B64(u64);

impl B64 {
    pub const FALSE: B64 = B64(0);
    pub const TRUE: B64 = B64(1);

    #[inline(always)]
    pub const fn new(b: bool) -> B64 {
        B64(b as u64)
    }

    #[inline(always)]
    pub const fn get(self) -> bool {
        self.0 != 0
    }
}

/// An `f64` kept as its bits, an integer word (see `Value`'s layout).
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct F64(u64);

impl F64 {
    #[inline(always)]
    pub const fn new(f: f64) -> F64 {
        F64(f.to_bits())
    }

    #[inline(always)]
    pub const fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl std::fmt::Debug for F64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl Clone for Value {
    /// `dup`, out of line: it returns the value with one 16-byte store.
    #[inline(never)]
    fn clone(&self) -> Value {
        self.dup()
    }
}

/// Adds one to `rc`'s strong count, for a bitwise copy of the `Rc` to own (`Value::dup`).
#[inline(always)]
fn count_one_more<T>(rc: &Rc<T>) {
    std::mem::forget(Rc::clone(rc));
}

impl Value {
    #[inline(always)]
    pub const fn bool(b: bool) -> Value {
        Value::Bool(B64::new(b))
    }

    #[inline(always)]
    pub const fn float(f: f64) -> Value {
        Value::Float(F64::new(f))
    }

    pub fn str(text: &str) -> Value {
        Value::Str(Rc::new(PyStr::new(text)))
    }

    pub fn string(text: String) -> Value {
        Value::Str(Rc::new(PyStr::from_string(text)))
    }

    /// `Value::string` for text of `n_chars` characters (`PyStr::counted`).
    pub fn counted_string(text: String, n_chars: usize) -> Value {
        Value::Str(Rc::new(PyStr::counted(text, n_chars)))
    }

    pub fn from_bigint(big: BigInt) -> Value {
        match big.to_i64() {
            Some(small) => Value::Int(small),
            None => Value::BigInt(Rc::new(big)),
        }
    }

    pub fn list(items: Vec<Value>) -> Value {
        let list = Rc::new(List::new(items));
        gc::track(&list);
        Value::List(list)
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        let needs_tracking = items.iter().any(Value::may_hold_cycle);
        let tuple = Rc::new(Tuple::new(items));
        if needs_tracking {
            gc::track(&tuple);
        }
        Value::Tuple(tuple)
    }

    pub fn dict(dict: Dict) -> Value {
        let dict = Rc::new(dict);
        gc::track(&dict);
        Value::Dict(dict)
    }

    pub fn new_dict() -> Rc<Dict> {
        let dict = Rc::new(Dict::new());
        gc::track(&dict);
        dict
    }

    pub fn set(set: Set) -> Value {
        let set = Rc::new(set);
        gc::track(&set);
        Value::Set(set)
    }

    /// True for values that can be part of a reference cycle (so a tuple holding one must be
    /// tracked by the collector).
    pub fn may_hold_cycle(&self) -> bool {
        !self.is_unboxed()
            && !matches!(
                self,
                Value::BigInt(_)
                    | Value::Str(_)
                    | Value::Bytes(_)
                    | Value::Range(_)
                    | Value::Native(_)
                    | Value::Code(_)
            )
    }

    /// The address identifying a heap value, or `None` for unboxed values.
    pub fn heap_addr(&self) -> Option<usize> {
        fn addr<T: ?Sized>(rc: &Rc<T>) -> Option<usize> {
            Some(Rc::as_ptr(rc) as *const () as usize)
        }
        match self {
            Value::None
            | Value::Null
            | Value::NotImplemented
            | Value::Ellipsis
            | Value::Bool(_)
            | Value::Int(_)
            | Value::Float(_) => None,
            Value::BigInt(v) => addr(v),
            Value::Str(v) => addr(v),
            Value::Bytes(v) => addr(v),
            Value::List(v) => addr(v),
            Value::Tuple(v) => addr(v),
            Value::Dict(v) => addr(v),
            Value::Set(v) => addr(v),
            Value::Function(v) => addr(v),
            Value::Native(v) => addr(v),
            Value::Method(v) => addr(v),
            Value::Class(v) => addr(v),
            Value::Instance(v) => addr(v),
            Value::Module(v) => addr(v),
            Value::Cell(v) => addr(v),
            Value::Code(v) => addr(v),
            Value::Generator(v) => addr(v),
            Value::Iter(v) => addr(v),
            Value::Range(v) => addr(v),
            Value::Slice(v) => addr(v),
            Value::Property(v) => addr(v),
            Value::Member(v) => addr(v),
            Value::Wrapper(v) => addr(v),
            Value::Super(v) => addr(v),
            Value::DictView(v) => addr(v),
        }
    }

    /// `id(v)`: the heap address, or a stable number derived from an unboxed value.
    pub fn id(&self) -> i64 {
        match self.heap_addr() {
            Some(addr) => addr as i64,
            None => match self {
                Value::None => 0x1000,
                Value::NotImplemented => 0x1010,
                Value::Ellipsis => 0x1020,
                Value::Bool(b) => 0x1030 + b.get() as i64 * 16,
                Value::Int(i) => 0x10_0000_0000i64.wrapping_add(i.wrapping_mul(32)),
                Value::Float(f) => (f.get().to_bits() >> 3) as i64,
                _ => 0x1040,
            },
        }
    }

    /// The `is` operator.
    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None)
            | (Value::Null, Value::Null)
            | (Value::NotImplemented, Value::NotImplemented)
            | (Value::Ellipsis, Value::Ellipsis) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.get().to_bits() == b.get().to_bits(),
            _ => match (self.heap_addr(), other.heap_addr()) {
                (Some(a), Some(b)) => a == b && self.same_kind(other),
                _ => false,
            },
        }
    }

    fn same_kind(&self, other: &Value) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// `clone` as one 16-byte copy: the strong count of the `Rc` a heap kind holds goes up
    /// by one, then the two words are copied together. A clone built variant by variant
    /// wrote the tag and the pointer as two word stores, and the 16-byte load of the value
    /// that soon follows (a push, a pop) cannot be forwarded from two stores: it stalled for
    /// about a dozen cycles on every load of a global or a heap local.
    #[inline(always)]
    pub fn dup(&self) -> Value {
        if !self.is_unboxed() {
            self.own_one_more();
        }
        // SAFETY: every variant of `Value` holds either plain data (no destructor) or exactly
        // one `Rc`, and `own_one_more` (an exhaustive match, so a new variant must be added
        // to it) has just given the `Rc` of this one a strong count for the copy to own. The
        // copy is therefore a second, independent owner, exactly what `clone` would return.
        unsafe { std::ptr::read(self) }
    }

    /// Whether the value holds no `Rc` (nothing to count, nothing to drop).
    #[inline(always)]
    pub fn is_unboxed(&self) -> bool {
        matches!(
            self,
            Value::None
                | Value::Null
                | Value::NotImplemented
                | Value::Ellipsis
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
        )
    }

    /// Adds one to the strong count of the `Rc` the value holds (for `dup`'s copy to own).
    #[inline(always)]
    fn own_one_more(&self) {
        match self {
            Value::None
            | Value::Null
            | Value::NotImplemented
            | Value::Ellipsis
            | Value::Bool(_)
            | Value::Int(_)
            | Value::Float(_) => {}
            Value::BigInt(r) => count_one_more(r),
            Value::Str(r) => count_one_more(r),
            Value::Bytes(r) => count_one_more(r),
            Value::List(r) => count_one_more(r),
            Value::Tuple(r) => count_one_more(r),
            Value::Dict(r) => count_one_more(r),
            Value::Set(r) => count_one_more(r),
            Value::Function(r) => count_one_more(r),
            Value::Native(r) => count_one_more(r),
            Value::Method(r) => count_one_more(r),
            Value::Class(r) => count_one_more(r),
            Value::Instance(r) => count_one_more(r),
            Value::Module(r) => count_one_more(r),
            Value::Cell(r) => count_one_more(r),
            Value::Code(r) => count_one_more(r),
            Value::Generator(r) => count_one_more(r),
            Value::Iter(r) => count_one_more(r),
            Value::Range(r) => count_one_more(r),
            Value::Slice(r) => count_one_more(r),
            Value::Property(r) => count_one_more(r),
            Value::Member(r) => count_one_more(r),
            Value::Wrapper(r) => count_one_more(r),
            Value::Super(r) => count_one_more(r),
            Value::DictView(r) => count_one_more(r),
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_16_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
        assert_eq!(std::mem::size_of::<Option<Value>>(), 16);
    }

    #[test]
    fn dup_owns_one_more_strong_count_and_gives_it_back() {
        let s = Rc::new(PyStr::new("shared"));
        let v = Value::Str(s.clone());
        assert_eq!(Rc::strong_count(&s), 2);
        let copies: Vec<Value> = (0..3).map(|_| v.dup()).collect();
        assert_eq!(Rc::strong_count(&s), 5);
        assert!(copies.iter().all(|c| c.as_str() == Some("shared")));
        drop(copies);
        drop(v);
        assert_eq!(Rc::strong_count(&s), 1);
        assert!(matches!(Value::Int(7).dup(), Value::Int(7)));
        assert!(matches!(Value::float(1.5).dup(), Value::Float(f) if f.get() == 1.5));
        assert!(matches!(
            Value::Bool(B64::TRUE).dup(),
            Value::Bool(B64::TRUE)
        ));
    }
}
