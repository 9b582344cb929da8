//! Methods of `list` (and its constructor), including the stable merge sort used by
//! `list.sort` and `sorted`, which tolerates comparisons that fail or are inconsistent.

use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::object::List;
use crate::vm::value::Value;
use std::rc::Rc;

pub fn register(vm: &mut Vm) {
    add_methods(
        &vm.types.list,
        "list",
        &[
            ("__new__", list_new),
            ("append", append),
            ("extend", extend),
            ("pop", pop),
            ("insert", insert),
            ("remove", remove),
            ("index", index),
            ("count", count),
            ("sort", sort),
            ("reverse", reverse),
            ("clear", clear),
            ("copy", copy),
        ],
    );
}

fn this<'a>(vm: &Vm, args: &Args<'a>, method: &str) -> PResult<&'a Rc<List>> {
    match args.pos.first() {
        Some(Value::List(l)) => Ok(l),
        Some(other) => Err(crate::vm::methods::wrong_self(vm, "list", method, other)),
        None => Err(Exc::type_error(format!(
            "unbound method list.{method}() needs an argument"
        ))),
    }
}

fn list_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("list", &args, 1, 0, 1)?;
    match args.pos.get(1) {
        Some(v) => {
            let items = vm.collect(v)?;
            Ok(Value::list(items))
        }
        None => Ok(Value::list(Vec::new())),
    }
}

fn append(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("list.append", &args, 1, 1, 1)?;
    let list = this(vm, &args, "append")?;
    list.items.borrow_mut().push(arg(&args, 1)?.clone());
    Ok(Value::None)
}

fn extend(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("list.extend", &args, 1, 1, 1)?;
    let list = this(vm, &args, "extend")?.clone();
    let items = vm.collect(arg(&args, 1)?)?;
    list.items.borrow_mut().extend(items);
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("pop", &args, 1, 0, 1)?;
    let list = this(vm, &args, "pop")?.clone();
    let len = list.len() as i64;
    let idx = match args.pos.get(1) {
        Some(v) => vm.index_value(v, "'list' object cannot be interpreted as an integer")?,
        None => -1,
    };
    if len == 0 {
        return Err(Exc::index_error("pop from empty list"));
    }
    let real = if idx < 0 { idx + len } else { idx };
    if real < 0 || real >= len {
        return Err(Exc::index_error("pop index out of range"));
    }
    let v = list.items.borrow_mut().remove(real as usize);
    Ok(v)
}

fn insert(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("insert", &args, 1, 2, 2)?;
    let list = this(vm, &args, "insert")?.clone();
    let idx = vm.index_value(
        arg(&args, 1)?,
        "'str' object cannot be interpreted as an integer",
    )?;
    let len = list.len() as i64;
    let real = if idx < 0 {
        (idx + len).max(0)
    } else {
        idx.min(len)
    };
    list.items
        .borrow_mut()
        .insert(real as usize, arg(&args, 2)?.clone());
    Ok(Value::None)
}

fn position(
    vm: &mut Vm,
    list: &Rc<List>,
    v: &Value,
    start: usize,
    end: usize,
) -> PResult<Option<usize>> {
    // As CPython: by index, re-reading the length, since `__eq__` may change the list.
    let mut idx = start;
    while idx < end {
        let Some(item) = list.items.borrow().get(idx).cloned() else {
            break;
        };
        if vm.eq(&item, v)? {
            return Ok(Some(idx));
        }
        idx += 1;
    }
    Ok(None)
}

fn remove(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("list.remove", &args, 1, 1, 1)?;
    let list = this(vm, &args, "remove")?.clone();
    match position(vm, &list, arg(&args, 1)?, 0, usize::MAX)? {
        Some(idx) => {
            let mut items = list.items.borrow_mut();
            if idx < items.len() {
                items.remove(idx);
            }
            Ok(Value::None)
        }
        None => Err(Exc::value_error("list.remove(x): x not in list")),
    }
}

fn index(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("index", &args, 1, 1, 3)?;
    let list = this(vm, &args, "index")?.clone();
    let len = list.len() as i64;
    let norm = |v: i64| {
        if v < 0 {
            (v + len).max(0) as usize
        } else {
            v as usize
        }
    };
    let start = match args.pos.get(2) {
        Some(v) => norm(vm.index_value(v, "slice indices must be integers")?),
        None => 0,
    };
    let end = match args.pos.get(3) {
        Some(v) => norm(vm.index_value(v, "slice indices must be integers")?),
        None => usize::MAX,
    };
    let v = arg(&args, 1)?;
    match position(vm, &list, v, start, end)? {
        Some(idx) => Ok(Value::Int(idx as i64)),
        None => Err(Exc::value_error(format!("{} is not in list", vm.repr(v)?))),
    }
}

fn count(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("count", &args, 1, 1, 1)?;
    let list = this(vm, &args, "count")?.clone();
    let v = arg(&args, 1)?;
    let mut n = 0;
    for item in list.snapshot() {
        if vm.eq(&item, v)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

/// Stable merge sort of `items` by `keys` (same length), ascending or descending.
pub fn sort_values(
    vm: &mut Vm,
    items: Vec<Value>,
    keys: Option<Vec<Value>>,
    reverse: bool,
) -> PResult<Vec<Value>> {
    let keys = keys.unwrap_or_else(|| items.clone());
    let mut order: Vec<usize> = (0..items.len()).collect();
    if !sort_plain(&keys, &mut order, reverse) {
        let mut buf = order.clone();
        merge_sort(vm, &keys, &mut order, &mut buf, reverse)?;
    }
    let mut slots: Vec<Option<Value>> = items.into_iter().map(Some).collect();
    Ok(order
        .iter()
        .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
        .collect())
}

/// Sorts `order` by `keys` when every key is an int, every key a str, or every key a float
/// that is not NaN: comparing those runs no apy code and cannot fail, so a stable sort by
/// their natural order gives what the general merge sort would, faster. False (nothing done)
/// for any other mix.
fn sort_plain(keys: &[Value], order: &mut [usize], reverse: bool) -> bool {
    fn by<K: Ord>(order: &mut [usize], reverse: bool, key: impl Fn(usize) -> K) {
        if reverse {
            order.sort_by_key(|&i| std::cmp::Reverse(key(i)));
        } else {
            order.sort_by_key(|&i| key(i));
        }
    }
    if keys.iter().all(|k| matches!(k, Value::Int(_))) {
        by(order, reverse, |i| match keys.get(i) {
            Some(Value::Int(x)) => *x,
            _ => 0,
        });
    } else if keys.iter().all(|k| matches!(k, Value::Str(_))) {
        by(order, reverse, |i| match keys.get(i) {
            Some(Value::Str(s)) => s.as_str(),
            _ => "",
        });
    } else if keys
        .iter()
        .all(|k| matches!(k, Value::Float(f) if !f.get().is_nan()))
    {
        by(order, reverse, |i| match keys.get(i) {
            Some(Value::Float(f)) => Total(f.get()),
            _ => Total(0.0),
        });
    } else if uniform_tuples(keys) {
        by(order, reverse, |i| match keys.get(i) {
            Some(Value::Tuple(t)) => PlainTuple(&t.items),
            _ => PlainTuple(&[]),
        });
    } else {
        return false;
    }
    true
}

/// True when every key is a tuple and, position by position, the keys' items there are all
/// ints, all strs or all floats that are not NaN (tuples may differ in length). Comparing
/// two such tuples is then what Python does, with no apy code run and no error possible:
/// the first position where the items differ decides, else the shorter tuple comes first.
fn uniform_tuples(keys: &[Value]) -> bool {
    let mut kinds: Vec<u8> = Vec::new();
    for key in keys {
        let Value::Tuple(t) = key else { return false };
        for (pos, item) in t.items.iter().enumerate() {
            let kind = match item {
                Value::Int(_) => 0,
                Value::Str(_) => 1,
                Value::Float(f) if !f.get().is_nan() => 2,
                _ => return false,
            };
            match kinds.get(pos) {
                Some(&known) if known != kind => return false,
                Some(_) => {}
                None => kinds.push(kind),
            }
        }
    }
    true
}

/// A tuple of `uniform_tuples` keys, ordered as Python orders it.
struct PlainTuple<'a>(&'a [Value]);

impl PlainTuple<'_> {
    fn item_cmp(a: &Value, b: &Value) -> std::cmp::Ordering {
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => x.cmp(y),
            (Value::Str(x), Value::Str(y)) => x.as_str().cmp(y.as_str()),
            (Value::Float(x), Value::Float(y)) => Total(x.get()).cmp(&Total(y.get())),
            _ => std::cmp::Ordering::Equal,
        }
    }
}

impl Ord for PlainTuple<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        for (a, b) in self.0.iter().zip(other.0) {
            let ord = PlainTuple::item_cmp(a, b);
            if ord.is_ne() {
                return ord;
            }
        }
        self.0.len().cmp(&other.0.len())
    }
}

impl PartialOrd for PlainTuple<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PlainTuple<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for PlainTuple<'_> {}

/// A float that is not NaN, ordered as Python orders it.
#[derive(PartialEq)]
struct Total(f64);

impl Eq for Total {}

impl Ord for Total {
    fn cmp(&self, other: &Total) -> std::cmp::Ordering {
        self.0
            .partial_cmp(&other.0)
            .unwrap_or(std::cmp::Ordering::Equal)
    }
}

impl PartialOrd for Total {
    fn partial_cmp(&self, other: &Total) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

fn merge_sort(
    vm: &mut Vm,
    keys: &[Value],
    idx: &mut [usize],
    buf: &mut [usize],
    reverse: bool,
) -> PResult<()> {
    let n = idx.len();
    if n <= 1 {
        return Ok(());
    }
    if n <= 8 {
        // Insertion sort for short runs.
        for i in 1..n {
            let mut j = i;
            while j > 0 && before(vm, keys, idx[j], idx[j - 1], reverse)? {
                idx.swap(j, j - 1);
                j -= 1;
            }
        }
        return Ok(());
    }
    let mid = n / 2;
    {
        let (left, right) = idx.split_at_mut(mid);
        let (bl, br) = buf.split_at_mut(mid);
        merge_sort(vm, keys, left, bl, reverse)?;
        merge_sort(vm, keys, right, br, reverse)?;
    }
    buf[..n].copy_from_slice(idx);
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if before(vm, keys, buf[j], buf[i], reverse)? {
            idx[k] = buf[j];
            j += 1;
        } else {
            idx[k] = buf[i];
            i += 1;
        }
        k += 1;
    }
    while i < mid {
        idx[k] = buf[i];
        i += 1;
        k += 1;
    }
    while j < n {
        idx[k] = buf[j];
        j += 1;
        k += 1;
    }
    Ok(())
}

/// Must item `a` come strictly before item `b`?
fn before(vm: &mut Vm, keys: &[Value], a: usize, b: usize, reverse: bool) -> PResult<bool> {
    let (Some(ka), Some(kb)) = (keys.get(a), keys.get(b)) else {
        return Ok(false);
    };
    if reverse {
        vm.lt(kb, ka)
    } else {
        vm.lt(ka, kb)
    }
}

/// The `key=` and `reverse=` arguments of `sort`/`sorted`.
pub fn sort_options(vm: &mut Vm, args: &Args, name: &str) -> PResult<(Option<Value>, bool)> {
    for k in args.kwnames {
        if k.as_str() != "key" && k.as_str() != "reverse" {
            return Err(Exc::type_error(format!(
                "'{}' is an invalid keyword argument for {name}()",
                k.as_str()
            )));
        }
    }
    let key = args.kw("key").filter(|k| !k.is_none()).cloned();
    let reverse = match args.kw("reverse") {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    Ok((key, reverse))
}

pub fn sort_with(
    vm: &mut Vm,
    items: Vec<Value>,
    key: Option<Value>,
    reverse: bool,
) -> PResult<Vec<Value>> {
    let keys = match &key {
        Some(f) => {
            let mut keys = Vec::with_capacity(items.len());
            for item in &items {
                keys.push(vm.call(f, std::slice::from_ref(item))?);
            }
            Some(keys)
        }
        None => None,
    };
    sort_values(vm, items, keys, reverse)
}

fn sort(vm: &mut Vm, args: Args) -> PResult<Value> {
    if args.pos.len() > 1 {
        return Err(Exc::type_error("sort() takes no positional arguments"));
    }
    let list = this(vm, &args, "sort")?.clone();
    let (key, reverse) = sort_options(vm, &args, "sort")?;
    let items = std::mem::take(&mut *list.items.borrow_mut());
    let res = sort_with(vm, items.clone(), key, reverse);
    let mut slot = list.items.borrow_mut();
    let modified = !slot.is_empty();
    match res {
        Ok(sorted) => {
            *slot = sorted;
            if modified {
                return Err(Exc::value_error("list modified during sort"));
            }
            Ok(Value::None)
        }
        Err(e) => {
            *slot = items;
            Err(e)
        }
    }
}

fn reverse(vm: &mut Vm, args: Args) -> PResult<Value> {
    this(vm, &args, "reverse")?.items.borrow_mut().reverse();
    Ok(Value::None)
}

fn clear(vm: &mut Vm, args: Args) -> PResult<Value> {
    let old = std::mem::take(&mut *this(vm, &args, "clear")?.items.borrow_mut());
    drop(old);
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::list(this(vm, &args, "copy")?.snapshot()))
}
