//! `Iter`: the built-in iterator kinds (sequence, range, dict and set iterators, enumerate,
//! zip, map, filter, reversed, `iter(callable, sentinel)`), with their `next`. Iterators over
//! apy objects go through `Vm::next`, so no borrow is held while apy code runs.

use crate::vm::exception::{Exc, PResult};
use crate::vm::gc::{self, GcHeader, Trace, Visit};
use crate::vm::machine::Vm;
use crate::vm::object::dict::Dict;
use crate::vm::object::misc::ViewKind;
use crate::vm::object::set::Set;
use crate::vm::value::Value;
use std::cell::RefCell;
use std::rc::Rc;

pub enum IterState {
    /// A list, tuple, str or bytes walked by index.
    Seq {
        seq: Value,
        idx: usize,
    },
    /// A range whose items, length and step all fit in an `i64` (`IterState::range`).
    Range {
        next: i64,
        remaining: i64,
        step: i64,
    },
    /// Any other range: kept apart so the common kind stays small and word-aligned.
    BigRange(Box<BigRange>),
    Dict {
        dict: Rc<Dict>,
        idx: usize,
        len: usize,
        kind: ViewKind,
    },
    Set {
        set: Rc<Set>,
        pos: usize,
        len: usize,
    },
    Enumerate {
        iter: Value,
        count: i64,
    },
    Zip {
        iters: Rc<[Value]>,
        strict: bool,
    },
    // The function of `map`, `filter` and `iter(func, sentinel)` is boxed: unboxed, these
    // three would make every iterator 8 bytes larger, and an `Iter` one size class bigger.
    Map {
        func: Box<Value>,
        iters: Rc<[Value]>,
    },
    Filter {
        func: Box<Value>,
        iter: Value,
    },
    /// A list, tuple or str walked backwards; `idx` is the number of items left.
    Reversed {
        seq: Value,
        idx: usize,
    },
    /// An object with `__getitem__` but no `__iter__`.
    GetItem {
        obj: Value,
        idx: i64,
    },
    Callable {
        func: Box<Value>,
        sentinel: Value,
    },
    /// The awaitable of `agen.__anext__()` / `agen.asend(v)`: `value` is sent on the first
    /// step only.
    AsyncSend {
        gen: Rc<crate::vm::object::generator::Generator>,
        value: Option<Value>,
        done: bool,
    },
    /// The awaitable of `agen.athrow(exc)` / `agen.aclose()`.
    AsyncThrow {
        gen: Rc<crate::vm::object::generator::Generator>,
        exc: Option<Value>,
        closing: bool,
        done: bool,
    },
    /// `coro.__await__()`: steps the coroutine (`next`, `send`, `throw`, `close`); `await` and
    /// `yield from` push the coroutine's own frame (`delegate_of`).
    CoroWrapper {
        coro: Rc<crate::vm::object::generator::Generator>,
    },
    /// The iterator of an awaitable whose `__await__` is native (asyncio's Future): each send
    /// calls `step` with the awaitable, the stage reached so far (starting at 0) and the value
    /// sent; a throw raises where it waits. See `Vm::native_await_send`.
    NativeAwait {
        target: Value,
        stage: u32,
        step: NativeAwaitStep,
    },
    Exhausted,
}

/// Which iterator type an iterator shows itself as (one byte, where a name would take
/// sixteen in every iterator).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IterKind {
    FutureIter,
    YieldOnce,
    Enumerate,
    Zip,
    Map,
    Filter,
    ListReverse,
    Reversed,
    Range,
    DictReverseKey,
    Callable,
    AsyncGenAthrow,
    AsyncGenAsend,
    CoroutineWrapper,
    List,
    Tuple,
    StrAscii,
    Str,
    Bytes,
    DictKey,
    DictValue,
    DictItem,
    Set,
    GetItem,
}

impl IterKind {
    pub fn name(self) -> &'static str {
        match self {
            IterKind::FutureIter => "FutureIter",
            IterKind::YieldOnce => "yield_once",
            IterKind::Enumerate => "enumerate",
            IterKind::Zip => "zip",
            IterKind::Map => "map",
            IterKind::Filter => "filter",
            IterKind::ListReverse => "list_reverseiterator",
            IterKind::Reversed => "reversed",
            IterKind::Range => "range_iterator",
            IterKind::DictReverseKey => "dict_reversekeyiterator",
            IterKind::Callable => "callable_iterator",
            IterKind::AsyncGenAthrow => "async_generator_athrow",
            IterKind::AsyncGenAsend => "async_generator_asend",
            IterKind::CoroutineWrapper => "coroutine_wrapper",
            IterKind::List => "list_iterator",
            IterKind::Tuple => "tuple_iterator",
            IterKind::StrAscii => "str_ascii_iterator",
            IterKind::Str => "str_iterator",
            IterKind::Bytes => "bytes_iterator",
            IterKind::DictKey => "dict_keyiterator",
            IterKind::DictValue => "dict_valueiterator",
            IterKind::DictItem => "dict_itemiterator",
            IterKind::Set => "set_iterator",
            IterKind::GetItem => "iterator",
        }
    }
}

/// The state of a range iterator beyond `i64`.
pub struct BigRange {
    next: i128,
    remaining: i128,
    step: i128,
}

impl IterState {
    /// Whether the collector tracks an iterator in this state: whether it refers to objects
    /// that could refer back to it. The awaitables of `await` (an asyncio future's, an async
    /// generator's `__anext__`) are left out: one lives only in the frame awaiting it, while
    /// that frame waits, and the task running that frame stays referenced by the loop (its
    /// set of tasks) until it finishes, so a cycle through one is never garbage in a program
    /// run by the loop. Tracking them would cost every `await` a collector entry.
    #[inline]
    fn holds_objects(&self) -> bool {
        match self {
            IterState::Range { .. } | IterState::BigRange(_) | IterState::Exhausted => false,
            IterState::NativeAwait { .. }
            | IterState::AsyncSend { .. }
            | IterState::AsyncThrow { .. } => false,
            IterState::Seq { seq, .. } | IterState::Reversed { seq, .. } => {
                !matches!(seq, Value::Str(_) | Value::Bytes(_))
            }
            _ => true,
        }
    }

    /// Visits the objects the state refers to (the collector's `Trace`).
    fn trace(&self, visit: &mut Visit) {
        match self {
            IterState::Seq { seq: v, .. }
            | IterState::Reversed { seq: v, .. }
            | IterState::Enumerate { iter: v, .. }
            | IterState::GetItem { obj: v, .. } => gc::visit_value(v, visit),
            IterState::Dict { dict, .. } => gc::visit_rc(dict, visit),
            IterState::Set { set, .. } => gc::visit_rc(set, visit),
            IterState::Zip { iters, .. } => gc::visit_values(iters, visit),
            IterState::Map { func, iters } => {
                gc::visit_value(func, visit);
                gc::visit_values(iters, visit);
            }
            IterState::Filter { func, iter } => {
                gc::visit_value(func, visit);
                gc::visit_value(iter, visit);
            }
            IterState::Callable { func, sentinel } => {
                gc::visit_value(func, visit);
                gc::visit_value(sentinel, visit);
            }
            IterState::AsyncSend { gen, value, .. } => {
                gc::visit_rc(gen, visit);
                if let Some(v) = value {
                    gc::visit_value(v, visit);
                }
            }
            IterState::AsyncThrow { gen, exc, .. } => {
                gc::visit_rc(gen, visit);
                if let Some(v) = exc {
                    gc::visit_value(v, visit);
                }
            }
            IterState::NativeAwait { target, .. } => gc::visit_value(target, visit),
            IterState::CoroWrapper { coro } => gc::visit_rc(coro, visit),
            IterState::Range { .. } | IterState::BigRange(_) | IterState::Exhausted => {}
        }
    }
    /// The iterator of `remaining` items from `next` by `step`, small when they all fit.
    pub fn range(next: i128, remaining: i128, step: i128) -> IterState {
        let last = next.saturating_add(remaining.saturating_sub(1).saturating_mul(step));
        let small = (
            i64::try_from(next),
            i64::try_from(remaining),
            i64::try_from(step),
            i64::try_from(last),
        );
        match small {
            (Ok(next), Ok(remaining), Ok(step), Ok(_)) => IterState::Range {
                next,
                remaining,
                step,
            },
            _ => IterState::BigRange(Box::new(BigRange {
                next,
                remaining,
                step,
            })),
        }
    }
}

/// One step of a native awaitable: yields or returns, and advances `stage`.
pub type NativeAwaitStep =
    fn(&mut Vm, &Value, &mut u32, Value) -> PResult<crate::vm::resume::GenResult>;

pub struct Iter {
    pub state: RefCell<IterState>,
    kind: IterKind,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

impl Trace for Iter {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        match self.state.try_borrow() {
            Ok(state) => {
                state.trace(visit);
                true
            }
            Err(_) => false,
        }
    }

    /// Garbage: what the iterator refers to goes, which breaks the cycle through it.
    fn clear(&self) {
        if let Ok(mut state) = self.state.try_borrow_mut() {
            let old = std::mem::replace(&mut *state, IterState::Exhausted);
            drop(state);
            drop(old);
        }
    }
}

impl Iter {
    #[inline(always)]
    pub fn new_value(state: IterState, kind: IterKind) -> Value {
        let holds_objects = state.holds_objects();
        let iter = Rc::new(Iter {
            gc: Default::default(),
            state: RefCell::new(state),
            kind,
        });
        // An iterator over a list can be part of a cycle (a generator's frame walking a list
        // that holds the generator); one over a range or a string cannot.
        if holds_objects {
            // Out of line, so that making an untracked iterator (every `await`) stays small.
            gc::track_rc(&iter);
        }
        Value::Iter(iter)
    }

    pub fn type_name(&self) -> &'static str {
        self.kind.name()
    }

    pub fn kind(&self) -> IterKind {
        self.kind
    }

    /// `coro.__await__()`, the iterator of a coroutine.
    pub fn coroutine_wrapper(coro: Rc<crate::vm::object::generator::Generator>) -> Value {
        Iter::new_value(IterState::CoroWrapper { coro }, IterKind::CoroutineWrapper)
    }

    /// Whether this is an async generator's `asend`/`athrow` awaitable, which has the
    /// coroutine protocol (`send`, `throw`, `close`, `__await__`) as in CPython.
    pub fn is_async_step(&self) -> bool {
        matches!(
            self.state.try_borrow().as_deref(),
            Ok(IterState::AsyncSend { .. } | IterState::AsyncThrow { .. })
        )
    }

    /// Marks an `asend`/`athrow` awaitable closed: awaiting it again is an error.
    pub fn close_async_step(&self) {
        if let Ok(mut state) = self.state.try_borrow_mut() {
            if let IterState::AsyncSend { done, .. } | IterState::AsyncThrow { done, .. } =
                &mut *state
            {
                *done = true;
            }
        }
    }

    /// The coroutine this iterator steps, if it is a `coroutine_wrapper`.
    pub fn wrapped_coroutine(&self) -> Option<Rc<crate::vm::object::generator::Generator>> {
        match &*self.state.try_borrow().ok()? {
            IterState::CoroWrapper { coro } => Some(coro.clone()),
            _ => None,
        }
    }

    fn finish(&self) {
        *self.state.borrow_mut() = IterState::Exhausted;
    }

    /// The next item of the iterators `for` loops use most (over a range, a list, a
    /// tuple), inline for `Vm::next`: `Some(None)` once exhausted, `None` for any other
    /// kind (`next` then does the work).
    #[inline(always)]
    pub fn next_common(&self) -> Option<Option<Value>> {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return None;
        };
        let item = match &mut *state {
            IterState::Range {
                next,
                remaining,
                step,
            } => return Some(range_step(next, remaining, *step).map(Value::Int)),
            IterState::Seq {
                seq: Value::List(list),
                idx,
            } => list.get(*idx),
            IterState::Seq {
                seq: Value::Tuple(tuple),
                idx,
            } => tuple.items.get(*idx).map(Value::dup),
            _ => return None,
        };
        match (&mut *state, &item) {
            (IterState::Seq { idx, .. }, Some(_)) => *idx += 1,
            _ => *state = IterState::Exhausted,
        }
        Some(item)
    }

    /// The next item, or `None` when exhausted.
    pub fn next(&self, vm: &mut Vm) -> PResult<Option<Value>> {
        let mut state = self.state.borrow_mut();
        match &mut *state {
            // A string's index is a byte offset (a char index would cost a walk from the
            // start for each item of a non-ASCII string).
            IterState::Seq {
                seq: Value::Str(s),
                idx,
            } => {
                let next = s.as_str().get(*idx..).and_then(|rest| rest.chars().next());
                match next {
                    Some(c) => *idx += c.len_utf8(),
                    None => *state = IterState::Exhausted,
                }
                Ok(next.map(crate::vm::object::str::char_value))
            }
            IterState::Seq { seq, idx } => {
                let item = seq_item(seq, *idx);
                if item.is_some() {
                    *idx += 1;
                } else {
                    *state = IterState::Exhausted;
                }
                Ok(item)
            }
            IterState::Range {
                next,
                remaining,
                step,
            } => Ok(range_step(next, remaining, *step).map(Value::Int)),
            IterState::BigRange(big) => {
                if big.remaining <= 0 {
                    return Ok(None);
                }
                let res = big.next;
                big.remaining -= 1;
                big.next = big.next.saturating_add(big.step);
                Ok(Some(match i64::try_from(res) {
                    Ok(small) => Value::Int(small),
                    Err(_) => crate::vm::object::misc::int_value(res),
                }))
            }
            IterState::Dict {
                dict,
                idx,
                len,
                kind,
            } => {
                if dict.len() != *len {
                    *len = usize::MAX;
                    return Err(Exc::runtime_error(
                        "dictionary changed size during iteration",
                    ));
                }
                let span = dict.entry_span();
                while *idx < span {
                    let at = *idx;
                    *idx += 1;
                    let item = match kind {
                        ViewKind::Keys => dict.key_of_entry(at),
                        ViewKind::Values => dict.value_of_entry(at),
                        ViewKind::Items => dict
                            .entry_at(at)
                            .map(|e| Value::tuple(vec![e.key, e.value])),
                    };
                    if item.is_some() {
                        return Ok(item);
                    }
                }
                Ok(None)
            }
            IterState::Set { set, pos, len } => {
                if set.len() != *len {
                    *len = usize::MAX;
                    return Err(Exc::runtime_error("Set changed size during iteration"));
                }
                match set.next_from(*pos) {
                    Some((next, item)) => {
                        *pos = next;
                        Ok(Some(item))
                    }
                    None => Ok(None),
                }
            }
            IterState::Reversed {
                seq: Value::Str(s),
                idx,
            } => {
                let prev = s
                    .as_str()
                    .get(..*idx)
                    .and_then(|head| head.chars().next_back());
                match prev {
                    Some(c) => *idx -= c.len_utf8(),
                    None => *idx = 0,
                }
                Ok(prev.map(crate::vm::object::str::char_value))
            }
            IterState::Reversed { seq, idx } => {
                if *idx == 0 {
                    return Ok(None);
                }
                *idx -= 1;
                let item = seq_item(seq, *idx);
                if item.is_none() {
                    *idx = 0;
                }
                Ok(item)
            }
            IterState::Exhausted => Ok(None),
            _ => {
                drop(state);
                self.next_slow(vm)
            }
        }
    }

    /// Iterator kinds that call back into apy code: the state is read, released, and
    /// updated after the call.
    fn next_slow(&self, vm: &mut Vm) -> PResult<Option<Value>> {
        if let Some(coro) = self.wrapped_coroutine() {
            return match vm.gen_send(&coro, Value::None)? {
                crate::vm::resume::GenResult::Yield(v) => Ok(Some(v)),
                crate::vm::resume::GenResult::Return(_) => Ok(None),
            };
        }
        if matches!(&*self.state.borrow(), IterState::NativeAwait { .. }) {
            return match vm.native_await_send(self, Value::None)? {
                crate::vm::resume::GenResult::Yield(v) => Ok(Some(v)),
                crate::vm::resume::GenResult::Return(_) => Ok(None),
            };
        }
        enum Plan {
            Enumerate(Value, i64),
            Zip(Rc<[Value]>, bool),
            Map(Value, Rc<[Value]>),
            Filter(Value, Value),
            GetItem(Value, i64),
            Callable(Value, Value),
        }
        let plan = match &*self.state.borrow() {
            IterState::Enumerate { iter, count } => Plan::Enumerate(iter.clone(), *count),
            IterState::Zip { iters, strict } => Plan::Zip(iters.clone(), *strict),
            IterState::Map { func, iters } => Plan::Map((**func).clone(), iters.clone()),
            IterState::Filter { func, iter } => Plan::Filter((**func).clone(), iter.clone()),
            IterState::GetItem { obj, idx } => Plan::GetItem(obj.clone(), *idx),
            IterState::Callable { func, sentinel } => {
                Plan::Callable((**func).clone(), sentinel.clone())
            }
            _ => return Ok(None),
        };
        match plan {
            Plan::Enumerate(iter, count) => {
                let Some(item) = vm.next(&iter)? else {
                    self.finish();
                    return Ok(None);
                };
                if let IterState::Enumerate { count: c, .. } = &mut *self.state.borrow_mut() {
                    *c = count.saturating_add(1);
                }
                Ok(Some(Value::tuple(vec![Value::Int(count), item])))
            }
            Plan::Zip(iters, strict) => self.next_zip(vm, &iters, strict),
            Plan::Map(func, iters) => {
                // One iterable (the common `map(f, xs)`): its item is the argument, with no
                // vector made for each step.
                if let [it] = &iters[..] {
                    let Some(item) = vm.next(it)? else {
                        self.finish();
                        return Ok(None);
                    };
                    return vm.call(&func, std::slice::from_ref(&item)).map(Some);
                }
                let mut args = Vec::with_capacity(iters.len());
                for it in iters.iter() {
                    match vm.next(it)? {
                        Some(v) => args.push(v),
                        None => {
                            self.finish();
                            return Ok(None);
                        }
                    }
                }
                vm.call(&func, &args).map(Some)
            }
            Plan::Filter(func, iter) => loop {
                let Some(item) = vm.next(&iter)? else {
                    self.finish();
                    return Ok(None);
                };
                let keep = if func.is_none() {
                    vm.truthy(&item)?
                } else {
                    let res = vm.call(&func, std::slice::from_ref(&item))?;
                    vm.truthy(&res)?
                };
                if keep {
                    return Ok(Some(item));
                }
            },
            Plan::GetItem(obj, idx) => match vm.get_item(&obj, &Value::Int(idx)) {
                Ok(v) => {
                    if let IterState::GetItem { idx: i, .. } = &mut *self.state.borrow_mut() {
                        *i += 1;
                    }
                    Ok(Some(v))
                }
                Err(e)
                    if vm.exc_matches(&e, crate::vm::exception::ExcKind::IndexError)
                        || vm.exc_matches(&e, crate::vm::exception::ExcKind::StopIteration) =>
                {
                    self.finish();
                    Ok(None)
                }
                Err(e) => Err(e),
            },
            Plan::Callable(func, sentinel) => {
                let v = vm.call(&func, &[])?;
                if vm.eq(&v, &sentinel)? {
                    self.finish();
                    return Ok(None);
                }
                Ok(Some(v))
            }
        }
    }

    fn next_zip(&self, vm: &mut Vm, iters: &[Value], strict: bool) -> PResult<Option<Value>> {
        let mut items = Vec::with_capacity(iters.len());
        for (idx, it) in iters.iter().enumerate() {
            match vm.next(it)? {
                Some(v) => items.push(v),
                None => {
                    self.finish();
                    if strict && idx > 0 {
                        return Err(Exc::value_error(format!(
                            "zip() argument {} is shorter than argument{} 1",
                            idx + 1,
                            if idx > 1 { "s" } else { "" }
                        )));
                    }
                    if strict && idx == 0 {
                        for (j, rest) in iters.iter().enumerate().skip(1) {
                            if vm.next(rest)?.is_some() {
                                return Err(Exc::value_error(format!(
                                    "zip() argument {} is longer than argument{} 1",
                                    j + 1,
                                    if j > 1 { "s" } else { "" }
                                )));
                            }
                        }
                    }
                    return Ok(None);
                }
            }
        }
        if items.is_empty() {
            self.finish();
            return Ok(None);
        }
        Ok(Some(Value::tuple(items)))
    }
}

/// Item `idx` of a list, tuple, str or bytes, if in range.
/// A range iterator's next item (`IterState::Range`), or `None` once none is left.
#[inline(always)]
fn range_step(next: &mut i64, remaining: &mut i64, step: i64) -> Option<i64> {
    if *remaining <= 0 {
        return None;
    }
    let item = *next;
    *remaining -= 1;
    // Past the last item the sum may wrap; it is never read then.
    *next = next.wrapping_add(step);
    Some(item)
}

pub fn seq_item(seq: &Value, idx: usize) -> Option<Value> {
    match seq {
        Value::List(l) => l.get(idx),
        Value::Tuple(t) => t.items.get(idx).map(Value::dup),
        Value::Str(s) => s.char_at(idx).map(crate::vm::object::str::char_value),
        Value::Bytes(b) => b.data.get(idx).map(|&c| Value::Int(c as i64)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Word-aligned, so an iterator is a plain allocation (an `i128` field would make every
    /// one, an `await`'s and an async generator's included, an over-aligned one), and with
    /// its reference counts within a 64-byte block (one more word and it takes 80).
    #[test]
    fn iter_is_small_and_word_aligned() {
        assert_eq!(std::mem::align_of::<Iter>(), 8);
        assert!(std::mem::size_of::<IterState>() <= 32);
        assert!(std::mem::size_of::<Iter>() <= 48);
    }

    #[test]
    fn ranges_beyond_i64_keep_counting() {
        let big = i128::from(i64::MAX);
        let mut state = IterState::range(big - 1, 3, 1);
        assert!(matches!(state, IterState::BigRange(_)));
        let IterState::BigRange(b) = &mut state else {
            return;
        };
        assert_eq!((b.next, b.remaining), (big - 1, 3));
        assert!(matches!(
            IterState::range(0, 3, 1),
            IterState::Range {
                next: 0,
                remaining: 3,
                step: 1
            }
        ));
    }
}
