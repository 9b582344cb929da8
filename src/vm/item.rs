//! Subscripts, slices, iteration, length and membership for every kind: `get_item`,
//! `set_item`, `del_item`, `iter`, `next`, `collect`, `len`, `contains`.

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::machine::Vm;
use crate::vm::object::iter::{Iter, IterKind, IterState};
use crate::vm::object::misc::{Slice, ViewKind};
use crate::vm::object::Bytes;
use crate::vm::value::Value;
use num_traits::Signed;
use std::rc::Rc;

impl Slice {
    /// A slice; tracked by the collector only when a bound is an object that could refer
    /// back to it (`a[1:3]` makes one of plain ints per subscript).
    pub fn new_value(start: Value, stop: Value, step: Value) -> Value {
        let tracked = [&start, &stop, &step]
            .into_iter()
            .any(crate::vm::gc::may_hold);
        let slice = Rc::new(Slice {
            gc: Default::default(),
            start,
            stop,
            step,
        });
        if tracked {
            crate::vm::gc::track_rc(&slice);
        }
        Value::Slice(slice)
    }
}

/// Resolved slice bounds for a sequence of length `len`: `(start, stop, step, count)`.
pub fn slice_indices(vm: &mut Vm, s: &Slice, len: usize) -> PResult<(i64, i64, i64, usize)> {
    let len = len as i64;
    let step = match &s.step {
        Value::None => 1,
        v => vm.index_value(
            v,
            "slice indices must be integers or None or have an __index__ method",
        )?,
    };
    if step == 0 {
        return Err(Exc::value_error("slice step cannot be zero"));
    }
    let clamp = |v: i64, lo: i64, hi: i64| v.max(lo).min(hi);
    let bound = |vm: &mut Vm, v: &Value, default: i64| -> PResult<i64> {
        match v {
            Value::None => Ok(default),
            v => {
                let i = vm.index_value(
                    v,
                    "slice indices must be integers or None or have an __index__ method",
                )?;
                Ok(if i < 0 { i.saturating_add(len) } else { i })
            }
        }
    };
    let (start, stop) = if step > 0 {
        let start = clamp(bound(vm, &s.start, 0)?, 0, len);
        let stop = clamp(bound(vm, &s.stop, len)?, 0, len);
        (start, stop)
    } else {
        let start = clamp(bound(vm, &s.start, len - 1)?, -1, len - 1);
        let stop = clamp(bound(vm, &s.stop, -1)?, -1, len - 1);
        (start, stop)
    };
    let count = if step > 0 && stop > start {
        ((stop - start - 1) / step + 1) as usize
    } else if step < 0 && start > stop {
        ((start - stop - 1) / (-step) + 1) as usize
    } else {
        0
    };
    Ok((start, stop, step, count))
}

fn slice_positions(start: i64, step: i64, count: usize) -> impl Iterator<Item = usize> {
    (0..count).map(move |k| (start + k as i64 * step) as usize)
}

impl Vm {
    /// An integer usable as an index (`__index__` for bools and ints), clamped into i64.
    pub fn index_value(&mut self, v: &Value, msg: &str) -> PResult<i64> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(b.get() as i64),
            Value::BigInt(b) => Ok(if b.is_negative() { i64::MIN } else { i64::MAX }),
            Value::Instance(inst) => match inst.class.lookup_special("__index__") {
                Some(f) => {
                    let r = self.call(&f, std::slice::from_ref(v))?;
                    self.index_value(&r, msg)
                }
                None => Err(Exc::type_error(msg.to_owned())),
            },
            _ => Err(Exc::type_error(msg.to_owned())),
        }
    }

    /// `slice.indices(len)` over `i128`, for ranges longer than memory.
    fn slice_indices_i128(&mut self, s: &Slice, len: i128) -> PResult<(i128, i128, i128)> {
        let msg = "slice indices must be integers or None or have an __index__ method";
        let as_i128 = |vm: &mut Vm, v: &Value| -> PResult<i128> {
            match v {
                Value::BigInt(b) => Ok(num_traits::ToPrimitive::to_i128(&**b).unwrap_or(
                    if b.is_negative() {
                        i128::MIN / 2
                    } else {
                        i128::MAX / 2
                    },
                )),
                other => Ok(vm.index_value(other, msg)? as i128),
            }
        };
        let step = match &s.step {
            Value::None => 1,
            v => as_i128(self, v)?,
        };
        if step == 0 {
            return Err(Exc::value_error("slice step cannot be zero"));
        }
        let (lower, upper) = if step > 0 { (0, len) } else { (-1, len - 1) };
        let mut bound = |v: &Value, default: i128| -> PResult<i128> {
            if v.is_none() {
                return Ok(default);
            }
            let i = as_i128(self, v)?;
            Ok(if i < 0 {
                (i + len).max(lower)
            } else {
                i.min(upper)
            })
        };
        let start = bound(&s.start, if step > 0 { lower } else { upper })?;
        let stop = bound(&s.stop, if step > 0 { upper } else { lower })?;
        Ok((start, stop, step))
    }

    fn seq_index(&mut self, key: &Value, len: usize, what: &str) -> PResult<usize> {
        let idx = match key {
            Value::Int(i) => *i,
            _ => {
                let msg = format!(
                    "{what} indices must be integers or slices, not {}",
                    self.type_name(key)
                );
                self.index_value(key, &msg)?
            }
        };
        let real = if idx < 0 {
            idx.checked_add(len as i64)
        } else {
            Some(idx)
        };
        match real {
            Some(i) if i >= 0 && (i as usize) < len => Ok(i as usize),
            _ => Err(Exc::index_error(format!("{what} index out of range"))),
        }
    }

    /// `container[key]`.
    pub fn get_item(&mut self, container: &Value, key: &Value) -> PResult<Value> {
        match container {
            Value::List(list) => {
                if let Value::Slice(s) = key {
                    let items = list.snapshot();
                    let (start, _, step, count) = slice_indices(self, s, items.len())?;
                    let res = slice_positions(start, step, count)
                        .filter_map(|i| items.get(i).cloned())
                        .collect();
                    return Ok(Value::list(res));
                }
                if let Value::Int(i) = key {
                    let items = list.items.borrow();
                    let len = items.len() as i64;
                    let real = if *i < 0 { i + len } else { *i };
                    if real >= 0 && real < len {
                        if let Some(v) = items.get(real as usize) {
                            return Ok(v.dup());
                        }
                    }
                }
                let len = list.len();
                let idx = self.seq_index(key, len, "list")?;
                list.get(idx)
                    .ok_or_else(|| Exc::index_error("list index out of range"))
            }
            Value::Tuple(t) => {
                if let Value::Slice(s) = key {
                    let (start, _, step, count) = slice_indices(self, s, t.items.len())?;
                    let res = slice_positions(start, step, count)
                        .filter_map(|i| t.items.get(i).cloned())
                        .collect();
                    return Ok(Value::tuple(res));
                }
                let idx = self.seq_index(key, t.items.len(), "tuple")?;
                t.items
                    .get(idx)
                    .map(Value::dup)
                    .ok_or_else(|| Exc::index_error("tuple index out of range"))
            }
            Value::Str(s) => {
                if let Value::Slice(sl) = key {
                    let (start, _, step, count) = slice_indices(self, sl, s.char_len())?;
                    if step == 1 {
                        let (a, b) = (
                            s.byte_offset(start as usize),
                            s.byte_offset(start as usize + count),
                        );
                        let text = s.as_str().get(a..b).unwrap_or("").to_owned();
                        return Ok(Value::counted_string(text, count));
                    }
                    let chars: Vec<char> = s.as_str().chars().collect();
                    let res: String = slice_positions(start, step, count)
                        .filter_map(|i| chars.get(i))
                        .collect();
                    return Ok(Value::string(res));
                }
                let idx = self.seq_index(key, s.char_len(), "string")?;
                match s.char_at(idx) {
                    Some(c) => Ok(self.char_value(c)),
                    None => Err(Exc::index_error("string index out of range")),
                }
            }
            Value::Bytes(b) => {
                if let Value::Slice(sl) = key {
                    let (start, _, step, count) = slice_indices(self, sl, b.data.len())?;
                    let res = slice_positions(start, step, count)
                        .filter_map(|i| b.data.get(i).copied())
                        .collect();
                    return Ok(Value::Bytes(Rc::new(Bytes::new(res))));
                }
                let idx = self.seq_index(key, b.data.len(), "index")?;
                b.data
                    .get(idx)
                    .map(|&c| Value::Int(c as i64))
                    .ok_or_else(|| Exc::index_error("index out of range"))
            }
            Value::Range(r) => {
                if let Value::Slice(sl) = key {
                    let (start, stop, step) = self.slice_indices_i128(sl, r.len())?;
                    return Ok(Value::Range(Rc::new(crate::vm::object::misc::Range {
                        start: r.item(start),
                        stop: r.item(stop),
                        step: r.step.saturating_mul(step),
                    })));
                }
                let idx: i128 = match key {
                    Value::BigInt(b) => num_traits::ToPrimitive::to_i128(&**b).unwrap_or(i128::MAX),
                    other => {
                        let msg = format!(
                            "range indices must be integers or slices, not {}",
                            self.type_name(other)
                        );
                        self.index_value(other, &msg)? as i128
                    }
                };
                let len = r.len();
                let real = if idx < 0 { idx + len } else { idx };
                if real < 0 || real >= len {
                    return Err(Exc::index_error("range object index out of range"));
                }
                Ok(crate::vm::object::misc::int_value(r.item(real)))
            }
            Value::Dict(d) => match d.get(self, key)? {
                Some(v) => Ok(v),
                None => Err(self.key_error(key.clone())),
            },
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                match cls.lookup_special("__getitem__") {
                    Some(f) => self.call(&f, &[container.clone(), key.clone()]),
                    None => Err(Exc::type_error(format!(
                        "'{}' object is not subscriptable",
                        cls.name()
                    ))),
                }
            }
            Value::Class(cls) => match cls.lookup_str("__class_getitem__") {
                Some(f) => {
                    let f = self.bind_descriptor(&f, container, cls)?;
                    self.call(&f, std::slice::from_ref(key))
                }
                // `list[int]` and friends: generic aliases, for annotations.
                None if !cls.is_user => self.generic_alias(container, key),
                None => Err(Exc::type_error(format!(
                    "type '{}' is not subscriptable",
                    cls.name()
                ))),
            },
            _ => Err(Exc::type_error(format!(
                "'{}' object is not subscriptable",
                self.type_name(container)
            ))),
        }
    }

    /// One-character strings, cached for ASCII.
    pub fn char_value(&mut self, c: char) -> Value {
        crate::vm::object::str::char_value(c)
    }

    /// `container[key] = value`.
    pub fn set_item(&mut self, container: &Value, key: Value, value: Value) -> PResult<()> {
        match container {
            Value::List(list) => {
                if let Value::Slice(s) = &key {
                    let new_items = self.collect(&value)?;
                    let len = list.len();
                    let (start, _, step, count) = slice_indices(self, s, len)?;
                    let mut items = list.items.borrow_mut();
                    if step == 1 {
                        let start = start as usize;
                        let end = (start + count).min(items.len());
                        items.splice(start..end, new_items);
                        return Ok(());
                    }
                    if new_items.len() != count {
                        return Err(Exc::value_error(format!(
                            "attempt to assign sequence of size {} to extended slice of size {count}",
                            new_items.len()
                        )));
                    }
                    for (pos, v) in slice_positions(start, step, count).zip(new_items) {
                        if let Some(slot) = items.get_mut(pos) {
                            *slot = v;
                        }
                    }
                    return Ok(());
                }
                let len = list.len();
                let idx = self.seq_index(&key, len, "list").map_err(|e| {
                    if self.exc_matches(&e, ExcKind::IndexError) {
                        Exc::index_error("list assignment index out of range")
                    } else {
                        e
                    }
                })?;
                let old = list
                    .items
                    .borrow_mut()
                    .get_mut(idx)
                    .map(|slot| std::mem::replace(slot, value));
                drop(old);
                Ok(())
            }
            Value::Dict(d) => d.insert(self, key, value),
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                match cls.lookup_special("__setitem__") {
                    Some(f) => self.call(&f, &[container.clone(), key, value]).map(|_| ()),
                    None => Err(Exc::type_error(format!(
                        "'{}' object does not support item assignment",
                        cls.name()
                    ))),
                }
            }
            _ => Err(Exc::type_error(format!(
                "'{}' object does not support item assignment",
                self.type_name(container)
            ))),
        }
    }

    /// `del container[key]`.
    pub fn del_item(&mut self, container: &Value, key: &Value) -> PResult<()> {
        match container {
            Value::List(list) => {
                if let Value::Slice(s) = key {
                    let len = list.len();
                    let (start, _, step, count) = slice_indices(self, s, len)?;
                    let mut positions: Vec<usize> = slice_positions(start, step, count).collect();
                    positions.sort_unstable();
                    let mut items = list.items.borrow_mut();
                    for pos in positions.into_iter().rev() {
                        if pos < items.len() {
                            items.remove(pos);
                        }
                    }
                    return Ok(());
                }
                let len = list.len();
                let idx = self.seq_index(key, len, "list").map_err(|e| {
                    if self.exc_matches(&e, ExcKind::IndexError) {
                        Exc::index_error("list assignment index out of range")
                    } else {
                        e
                    }
                })?;
                let removed = list.items.borrow_mut().remove(idx);
                drop(removed);
                Ok(())
            }
            Value::Dict(d) => match d.remove(self, key)? {
                Some(_) => Ok(()),
                None => Err(self.key_error(key.clone())),
            },
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                match cls.lookup_str("__delitem__") {
                    Some(f) => self.call(&f, &[container.clone(), key.clone()]).map(|_| ()),
                    None => Err(Exc::type_error(format!(
                        "'{}' object does not support item deletion",
                        cls.name()
                    ))),
                }
            }
            _ => Err(Exc::type_error(format!(
                "'{}' object does not support item deletion",
                self.type_name(container)
            ))),
        }
    }

    /// `iter(v)`.
    pub fn iter(&mut self, v: &Value) -> PResult<Value> {
        let (state, name) = match v {
            Value::List(_) => (
                IterState::Seq {
                    seq: v.clone(),
                    idx: 0,
                },
                IterKind::List,
            ),
            Value::Tuple(_) => (
                IterState::Seq {
                    seq: v.clone(),
                    idx: 0,
                },
                IterKind::Tuple,
            ),
            Value::Str(s) => (
                IterState::Seq {
                    seq: v.clone(),
                    idx: 0,
                },
                if s.is_ascii() {
                    IterKind::StrAscii
                } else {
                    IterKind::Str
                },
            ),
            Value::Bytes(_) => (
                IterState::Seq {
                    seq: v.clone(),
                    idx: 0,
                },
                IterKind::Bytes,
            ),
            Value::Range(r) => (IterState::range(r.start, r.len(), r.step), IterKind::Range),
            Value::Dict(d) => (
                IterState::Dict {
                    dict: d.clone(),
                    idx: 0,
                    len: d.len(),
                    kind: ViewKind::Keys,
                },
                IterKind::DictKey,
            ),
            Value::DictView(view) => (
                IterState::Dict {
                    dict: view.dict.clone(),
                    idx: 0,
                    len: view.dict.len(),
                    kind: view.kind,
                },
                match view.kind {
                    ViewKind::Keys => IterKind::DictKey,
                    ViewKind::Values => IterKind::DictValue,
                    ViewKind::Items => IterKind::DictItem,
                },
            ),
            Value::Set(s) => (
                IterState::Set {
                    set: s.clone(),
                    pos: 0,
                    len: s.len(),
                },
                IterKind::Set,
            ),
            Value::Generator(g) if g.kind != crate::compile::code::CodeKind::Generator => {
                return Err(self.not_iterable(v))
            }
            Value::Iter(_) | Value::Generator(_) => return Ok(v.clone()),
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                if let Some(f) = cls.lookup_special("__iter__") {
                    let it = self.call(&f, std::slice::from_ref(v))?;
                    let it_cls = self.class_of(&it);
                    let ok = matches!(it, Value::Iter(_) | Value::Generator(_))
                        || it_cls.lookup_str("__next__").is_some();
                    if !ok {
                        return Err(Exc::type_error(format!(
                            "iter() returned non-iterator of type '{}'",
                            it_cls.name()
                        )));
                    }
                    return Ok(it);
                }
                if cls.lookup_str("__getitem__").is_some() {
                    (
                        IterState::GetItem {
                            obj: v.clone(),
                            idx: 0,
                        },
                        IterKind::GetItem,
                    )
                } else {
                    return Err(self.not_iterable(v));
                }
            }
            _ => return Err(self.not_iterable(v)),
        };
        Ok(Iter::new_value(state, name))
    }

    pub fn not_iterable(&self, v: &Value) -> Exc {
        Exc::type_error(format!("'{}' object is not iterable", self.type_name(v)))
    }

    /// `next` with the iterators `for` loops use most (over a range, a list, a tuple) done
    /// inline, for `ForIter`: the call of `next` and its result's wrapping were most of a
    /// loop step over a list.
    #[inline(always)]
    pub fn for_next(&mut self, it: &Value) -> PResult<Option<Value>> {
        if let Value::Iter(i) = it {
            if let Some(item) = i.next_common() {
                return Ok(item);
            }
        }
        self.next(it)
    }

    /// `next(it)`; `None` when exhausted.
    #[inline]
    pub fn next(&mut self, it: &Value) -> PResult<Option<Value>> {
        match it {
            Value::Iter(i) => match i.next_common() {
                Some(item) => Ok(item),
                None => i.next(self),
            },
            Value::Generator(g) => match self.gen_send(g, Value::None) {
                Ok(crate::vm::resume::GenResult::Yield(v)) => Ok(Some(v)),
                Ok(crate::vm::resume::GenResult::Return(_)) => Ok(None),
                Err(e)
                    if g.kind != crate::compile::code::CodeKind::Coroutine
                        && self.exc_matches(&e, ExcKind::StopIteration)
                        && g.state.get() == crate::vm::object::generator::GenState::Finished
                        && e.lazy_kind().is_some() =>
                {
                    Ok(None)
                }
                Err(e) => Err(e),
            },
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                let Some(f) = cls.lookup_special("__next__") else {
                    return Err(Exc::type_error(format!(
                        "'{}' object is not an iterator",
                        cls.name()
                    )));
                };
                match self.call(&f, std::slice::from_ref(it)) {
                    Ok(v) => Ok(Some(v)),
                    Err(e) if self.exc_matches(&e, ExcKind::StopIteration) => Ok(None),
                    Err(e) => Err(e),
                }
            }
            _ => Err(Exc::type_error(format!(
                "'{}' object is not an iterator",
                self.type_name(it)
            ))),
        }
    }

    /// All items of an iterable.
    pub fn collect(&mut self, v: &Value) -> PResult<Vec<Value>> {
        match v {
            Value::Range(r) => {
                let n = r.len();
                if n > crate::vm::ops::MAX_SEQ_LEN as i128 {
                    return Err(Exc::memory());
                }
                let mut res = Vec::new();
                res.try_reserve(n as usize).map_err(|_| Exc::memory())?;
                res.extend((0..n).map(|i| crate::vm::object::misc::int_value(r.item(i))));
                Ok(res)
            }
            Value::List(l) => Ok(l.snapshot()),
            Value::Tuple(t) => Ok(t.items.to_vec()),
            Value::Dict(d) => Ok(d.keys()),
            Value::Set(s) => Ok(s.items()),
            _ => {
                let it = self.iter(v)?;
                let mut res = Vec::new();
                while let Some(item) = self.next(&it)? {
                    res.push(item);
                }
                Ok(res)
            }
        }
    }

    /// `len(v)`.
    pub fn len(&mut self, v: &Value) -> PResult<usize> {
        Ok(match v {
            Value::Str(s) => s.char_len(),
            Value::List(l) => l.len(),
            Value::Tuple(t) => t.items.len(),
            Value::Dict(d) => d.len(),
            Value::Set(s) => s.len(),
            Value::Bytes(b) => b.data.len(),
            Value::Range(r) => usize::try_from(r.len())
                .ok()
                .filter(|&n| n <= i64::MAX as usize)
                .ok_or_else(|| Exc::overflow("Python int too large to convert to C ssize_t"))?,
            Value::DictView(view) => view.dict.len(),
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                let Some(f) = cls.lookup_special("__len__") else {
                    return Err(Exc::type_error(format!(
                        "object of type '{}' has no len()",
                        cls.name()
                    )));
                };
                match self.call(&f, std::slice::from_ref(v))? {
                    Value::Int(i) if i >= 0 => i as usize,
                    Value::Bool(b) => b.get() as usize,
                    Value::Int(_) => return Err(Exc::value_error("__len__() should return >= 0")),
                    other => {
                        return Err(Exc::type_error(format!(
                            "'{}' object cannot be interpreted as an integer",
                            self.type_name(&other)
                        )))
                    }
                }
            }
            _ => {
                return Err(Exc::type_error(format!(
                    "object of type '{}' has no len()",
                    self.type_name(v)
                )))
            }
        })
    }

    /// `item in container`.
    pub fn contains(&mut self, container: &Value, item: &Value) -> PResult<bool> {
        match container {
            Value::Str(s) => match item {
                Value::Str(sub) => {
                    Ok(crate::vm::object::str::find_str(s.as_str(), sub.as_str()).is_some())
                }
                _ => Err(Exc::type_error(format!(
                    "'in <string>' requires string as left operand, not {}",
                    self.type_name(item)
                ))),
            },
            Value::Bytes(b) => {
                match item {
                    Value::Int(i) => Ok(b.data.contains(&(*i as u8))),
                    Value::Bytes(sub) => Ok(sub.data.is_empty()
                        || b.data.windows(sub.data.len()).any(|w| w == &*sub.data)),
                    _ => Err(Exc::type_error("a bytes-like object is required")),
                }
            }
            Value::Dict(d) => d.contains(self, item),
            Value::DictView(view) if view.kind == ViewKind::Keys => view.dict.contains(self, item),
            Value::Set(s) => s.contains(self, item),
            Value::Range(r) => Ok(match item {
                Value::Int(_) | Value::Bool(_) | Value::BigInt(_)
                    if crate::vm::methods::int::as_bigint(item)
                        .and_then(|b| num_traits::ToPrimitive::to_i128(&b))
                        .is_some() =>
                {
                    let i = crate::vm::methods::int::as_bigint(item)
                        .and_then(|b| num_traits::ToPrimitive::to_i128(&b))
                        .unwrap_or(0);
                    let (start, stop, step) = (r.start, r.stop, r.step);
                    let inside = if step > 0 {
                        start <= i && i < stop
                    } else {
                        stop < i && i <= start
                    };
                    inside && (i - start) % step == 0
                }
                _ => {
                    let items = self.collect(container)?;
                    self.seq_contains(&items, item)?
                }
            }),
            Value::List(l) => {
                let items = l.snapshot();
                self.seq_contains(&items, item)
            }
            Value::Tuple(t) => {
                let t = t.clone();
                self.seq_contains(&t.items, item)
            }
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                if let Some(f) = cls.lookup_special("__contains__") {
                    let r = self.call(&f, &[container.clone(), item.clone()])?;
                    return self.truthy(&r);
                }
                let it = self.iter(container).map_err(|_| {
                    Exc::type_error(format!("argument of type '{}' is not iterable", cls.name()))
                })?;
                while let Some(v) = self.next(&it)? {
                    if self.eq(&v, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Generator(g) if g.kind != crate::compile::code::CodeKind::Generator => {
                Err(Exc::type_error(format!(
                    "argument of type '{}' is not iterable",
                    g.type_name()
                )))
            }
            Value::Iter(_) | Value::Generator(_) | Value::DictView(_) => {
                let it = self.iter(container)?;
                while let Some(v) = self.next(&it)? {
                    if self.eq(&v, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(Exc::type_error(format!(
                "argument of type '{}' is not iterable",
                self.type_name(container)
            ))),
        }
    }

    fn seq_contains(&mut self, items: &[Value], item: &Value) -> PResult<bool> {
        for v in items {
            if self.eq(v, item)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
