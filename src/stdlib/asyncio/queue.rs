//! Native `full`, `empty`, `put_nowait` and `get_nowait` of asyncio's `Queue`. They take the
//! fast path only for an instance of exactly the library's `Queue`, whose hooks (`_put`,
//! `_get`, `qsize`, ...) nobody can have overridden; for subclasses (`PriorityQueue`,
//! `LifoQueue`, user classes) they call the apy versions (`_full_py`, ...), which go through
//! the hooks as CPython's Queue does. What the fast path does is what the apy code does.

use super::task::{is_exactly, lib_get, set_result_of_plain};
use crate::vm::exception::{Exc, PResult};
use crate::vm::methods::arg;
use crate::vm::object::class::Instance;
use crate::vm::object::function::Args;
use crate::vm::object::str::{intern_name, PyStr};
use crate::vm::object::List;
use crate::vm::value::Value;
use crate::vm::Vm;
use std::cell::Cell;
use std::rc::Rc;

/// The names of the queue's fields, each with the shared-key index it had last time
/// (`Instance::dict_get_hinted`).
struct Keys {
    queue: Key,
    maxsize: Key,
    getters: Key,
    putters: Key,
    unfinished: Key,
    finished: Key,
    value: Key,
}

struct Key {
    name: Rc<PyStr>,
    hint: Cell<usize>,
}

fn key(name: &str) -> Key {
    Key {
        name: intern_name(name),
        hint: Cell::new(0),
    }
}

thread_local! {
    static KEYS: Keys = Keys {
        queue: key("_queue"),
        maxsize: key("_maxsize"),
        getters: key("_getters"),
        putters: key("_putters"),
        unfinished: key("_unfinished_tasks"),
        finished: key("_finished"),
        value: key("_value"),
    };
}

fn get(inst: &Instance, pick: fn(&Keys) -> &Key) -> Option<Value> {
    KEYS.with(|k| {
        let key = pick(k);
        inst.dict_get_hinted(&key.name, &key.hint)
    })
}

fn set(inst: &Instance, pick: fn(&Keys) -> &Key, value: Value) {
    KEYS.with(|k| {
        let key = pick(k);
        inst.dict_set_hinted(&key.name, value, &key.hint)
    });
}

/// The queue's instance if it is exactly the library's `Queue` with the fields its
/// `__init__` set, else `None` (the caller then takes the apy path).
fn plain_queue(vm: &mut Vm, obj: &Value) -> PResult<Option<(Rc<Instance>, Rc<List>)>> {
    let Value::Instance(inst) = obj else {
        return Ok(None);
    };
    if !is_exactly(vm, inst, |lib| &lib.queue_cls) {
        return Ok(None);
    }
    match get(inst, |k| &k.queue) {
        Some(Value::List(items)) => Ok(Some((inst.clone(), items))),
        _ => Ok(None),
    }
}

fn slow(vm: &mut Vm, args: &Args, name: &str) -> PResult<Value> {
    let obj = arg(args, 0)?.clone();
    let method = vm.get_attr_str(&obj, name)?;
    vm.call(&method, args.pos.get(1..).unwrap_or(&[]))
}

/// `full()`: `0 < maxsize <= qsize()`.
fn is_full(inst: &Instance, items: &List) -> Option<bool> {
    match get(inst, |k| &k.maxsize) {
        Some(Value::Int(max)) => Some(max > 0 && items.items.borrow().len() as i64 >= max),
        _ => None,
    }
}

pub(super) fn full(vm: &mut Vm, args: Args) -> PResult<Value> {
    if let Some((inst, items)) = plain_queue(vm, arg(&args, 0)?)? {
        if let Some(res) = is_full(&inst, &items) {
            return Ok(Value::Bool(res));
        }
    }
    slow(vm, &args, "_full_py")
}

pub(super) fn empty(vm: &mut Vm, args: Args) -> PResult<Value> {
    if let Some((_, items)) = plain_queue(vm, arg(&args, 0)?)? {
        return Ok(Value::Bool(items.items.borrow().is_empty()));
    }
    slow(vm, &args, "_empty_py")
}

/// `put_nowait(item)`.
pub(super) fn put_nowait(vm: &mut Vm, args: Args) -> PResult<Value> {
    let plain = plain_queue(vm, arg(&args, 0)?)?;
    let Some((inst, items)) = plain else {
        return slow(vm, &args, "_put_nowait_py");
    };
    let (Some(is_full), Some(Value::Int(unfinished))) =
        (is_full(&inst, &items), get(&inst, |k| &k.unfinished))
    else {
        return slow(vm, &args, "_put_nowait_py");
    };
    if is_full {
        let cls = lib_get(vm, "QueueFull")?;
        return Err(Exc::Value(vm.call(&cls, &[])?));
    }
    items.items.borrow_mut().push(arg(&args, 1)?.clone());
    set(
        &inst,
        |k| &k.unfinished,
        Value::Int(unfinished.saturating_add(1)),
    );
    clear_event(vm, get(&inst, |k| &k.finished))?;
    wakeup_next(vm, get(&inst, |k| &k.getters))?;
    Ok(Value::None)
}

/// `get_nowait()`.
pub(super) fn get_nowait(vm: &mut Vm, args: Args) -> PResult<Value> {
    let plain = plain_queue(vm, arg(&args, 0)?)?;
    let Some((inst, items)) = plain else {
        return slow(vm, &args, "_get_nowait_py");
    };
    let item = {
        let mut items = items.items.borrow_mut();
        if items.is_empty() {
            None
        } else {
            Some(items.remove(0))
        }
    };
    let Some(item) = item else {
        let cls = lib_get(vm, "QueueEmpty")?;
        return Err(Exc::Value(vm.call(&cls, &[])?));
    };
    wakeup_next(vm, get(&inst, |k| &k.putters))?;
    Ok(item)
}

/// `self._finished.clear()`: an `Event` of the library's own class only loses its flag.
fn clear_event(vm: &mut Vm, event: Option<Value>) -> PResult<()> {
    let Some(event) = event else {
        return Err(Exc::attribute_error(
            "'Queue' object has no attribute '_finished'",
        ));
    };
    if let Value::Instance(inst) = &event {
        if is_exactly(vm, inst, |lib| &lib.event_cls) {
            set(inst, |k| &k.value, Value::Bool(false));
            return Ok(());
        }
    }
    vm.call_method(&event, "clear", &[])?;
    Ok(())
}

/// `_wakeup_next(waiters)`: wakes the first waiter not done yet, dropping done ones.
fn wakeup_next(vm: &mut Vm, waiters: Option<Value>) -> PResult<()> {
    let Some(waiters) = waiters else {
        return Err(Exc::attribute_error("'Queue' object has no waiter list"));
    };
    let Value::List(waiters) = waiters else {
        let wake = lib_get(vm, "_wakeup_next")?;
        vm.call(&wake, &[waiters])?;
        return Ok(());
    };
    loop {
        let waiter = {
            let mut items = waiters.items.borrow_mut();
            if items.is_empty() {
                return Ok(());
            }
            items.remove(0)
        };
        match set_result_of_plain(vm, &waiter, Value::None)? {
            Some(true) => return Ok(()),
            Some(false) => continue,
            None => {}
        }
        let done = vm.call_method(&waiter, "done", &[])?;
        if !vm.truthy(&done)? {
            vm.call_method(&waiter, "set_result", &[Value::None])?;
            return Ok(());
        }
    }
}
