//! Native `full`, `empty`, `put_nowait` and `get_nowait` of asyncio's `Queue`, and the
//! first step of `put()` and `get()` (`_queue_offer`, `_queue_take`). They take the
//! fast path only for an instance of exactly the library's `Queue`, whose hooks (`_put`,
//! `_get`, `qsize`, ...) nobody can have overridden; for subclasses (`PriorityQueue`,
//! `LifoQueue`, user classes) they call the apy versions (`_full_py`, ...), which go through
//! the hooks as CPython's Queue does. What the fast path does is what the apy code does.

use super::task::{lib_exception, lib_get, set_result_of_plain, slot_index, NONE};
use crate::vm::exception::{Exc, PResult};
use crate::vm::methods::arg;
use crate::vm::object::class::{Class, Instance};
use crate::vm::object::function::Args;
use crate::vm::object::List;
use crate::vm::value::{Value, B64};
use crate::vm::Vm;
use std::cell::Cell;
use std::rc::Rc;

/// Where `Queue` and `Event` keep the fields read here: the indices of their `__slots__`
/// members, found when the library is bound (`bind`). `NONE` (reads give nothing, writes
/// are dropped) until then. With them, the addresses of the two classes (0 until bound):
/// the library keeps its classes for as long as the VM lives, so an instance whose class
/// is at that address is one of exactly that class (what `task::is_exactly` answers,
/// without looking the library up).
#[derive(Clone, Copy)]
struct Slots {
    queue_cls: usize,
    event_cls: usize,
    queue: usize,
    head: usize,
    maxsize: usize,
    getters: usize,
    putters: usize,
    unfinished: usize,
    finished: usize,
    /// `Event._value`.
    value: usize,
}

thread_local! {
    static SLOTS: Cell<Slots> = const {
        Cell::new(Slots {
            queue_cls: 0,
            event_cls: 0,
            queue: NONE,
            head: NONE,
            maxsize: NONE,
            getters: NONE,
            putters: NONE,
            unfinished: NONE,
            finished: NONE,
            value: NONE,
        })
    };
}

/// Finds the slots of the library's `Queue` and `Event`.
pub(super) fn bind(queue_cls: Option<&Rc<Class>>, event_cls: Option<&Rc<Class>>) {
    SLOTS.with(|s| {
        s.set(Slots {
            queue_cls: queue_cls.map_or(0, class_addr),
            event_cls: event_cls.map_or(0, class_addr),
            queue: slot_index(queue_cls, "_queue"),
            head: slot_index(queue_cls, "_head"),
            maxsize: slot_index(queue_cls, "_maxsize"),
            getters: slot_index(queue_cls, "_getters"),
            putters: slot_index(queue_cls, "_putters"),
            unfinished: slot_index(queue_cls, "_unfinished_tasks"),
            finished: slot_index(queue_cls, "_finished"),
            value: slot_index(event_cls, "_value"),
        })
    });
}

fn class_addr(cls: &Rc<Class>) -> usize {
    Rc::as_ptr(cls) as usize
}

/// A field of a plain queue or event (callers check the class).
fn get(inst: &Instance, slots: &Slots, pick: fn(&Slots) -> usize) -> Option<Value> {
    inst.slot(pick(slots))
}

fn set(inst: &Instance, slots: &Slots, pick: fn(&Slots) -> usize, value: Value) {
    drop(inst.set_slot(pick(slots), value));
}

/// A plain queue's fields: the list of items, the first of them not taken yet at `head`.
struct Plain {
    inst: Rc<Instance>,
    items: Rc<List>,
    head: usize,
    slots: Slots,
}

impl Plain {
    /// `qsize()`.
    fn len(&self) -> usize {
        self.items.items.borrow().len().saturating_sub(self.head)
    }
}

/// The queue's fields if it is exactly the library's `Queue` with the fields its
/// `__init__` set, else `None` (the caller then takes the apy path).
fn plain_queue(obj: &Value) -> Option<Plain> {
    let Value::Instance(inst) = obj else {
        return None;
    };
    let slots = SLOTS.with(Cell::get);
    if class_addr(&inst.class) != slots.queue_cls {
        return None;
    }
    match (
        get(inst, &slots, |k| k.queue),
        get(inst, &slots, |k| k.head),
    ) {
        (Some(Value::List(items)), Some(Value::Int(head))) => {
            usize::try_from(head).ok().map(|head| Plain {
                inst: inst.clone(),
                items,
                head,
                slots,
            })
        }
        _ => None,
    }
}

fn slow(vm: &mut Vm, args: &Args, name: &str) -> PResult<Value> {
    let obj = arg(args, 0)?.clone();
    let method = vm.get_attr_str(&obj, name)?;
    vm.call(&method, args.pos.get(1..).unwrap_or(&[]))
}

/// `full()`: `0 < maxsize <= qsize()`.
fn is_full(q: &Plain) -> Option<bool> {
    match get(&q.inst, &q.slots, |k| k.maxsize) {
        Some(Value::Int(max)) => Some(max > 0 && q.len() as i64 >= max),
        _ => None,
    }
}

pub(super) fn full(vm: &mut Vm, args: Args) -> PResult<Value> {
    if let Some(q) = plain_queue(arg(&args, 0)?) {
        if let Some(res) = is_full(&q) {
            return Ok(Value::bool(res));
        }
    }
    slow(vm, &args, "_full_py")
}

pub(super) fn empty(vm: &mut Vm, args: Args) -> PResult<Value> {
    if let Some(q) = plain_queue(arg(&args, 0)?) {
        return Ok(Value::bool(q.len() == 0));
    }
    slow(vm, &args, "_empty_py")
}

/// `put_nowait(item)`.
pub(super) fn put_nowait(vm: &mut Vm, args: Args) -> PResult<Value> {
    if let Some(q) = plain_queue(arg(&args, 0)?) {
        match put_plain(vm, q, arg(&args, 1)?.clone())? {
            Some(true) => return Ok(Value::None),
            Some(false) => return Err(lib_exception(vm, "QueueFull", &[])),
            None => {}
        }
    }
    slow(vm, &args, "_put_nowait_py")
}

/// `_queue_offer(q, item)`: `q.put_nowait(item)` unless `q.full()`; whether it did. The
/// first step of `Queue.put()` in one call.
pub(super) fn offer(vm: &mut Vm, args: Args) -> PResult<Value> {
    let (q, item) = (arg(&args, 0)?.clone(), arg(&args, 1)?.clone());
    if let Some(plain) = plain_queue(&q) {
        if let Some(done) = put_plain(vm, plain, item.clone())? {
            return Ok(Value::bool(done));
        }
    }
    let full = vm.call_method(&q, "full", &[])?;
    if vm.truthy(&full)? {
        return Ok(Value::Bool(B64::FALSE));
    }
    vm.call_method(&q, "put_nowait", &[item])?;
    Ok(Value::Bool(B64::TRUE))
}

/// What `_put_nowait_py` does for a plain queue: false when it is full, `None` when its
/// fields are not what the library set (the caller then takes the apy path).
fn put_plain(vm: &mut Vm, q: Plain, item: Value) -> PResult<Option<bool>> {
    let (Some(is_full), Some(Value::Int(unfinished))) =
        (is_full(&q), get(&q.inst, &q.slots, |k| k.unfinished))
    else {
        return Ok(None);
    };
    if is_full {
        return Ok(Some(false));
    }
    let Plain {
        inst, items, slots, ..
    } = q;
    items.items.borrow_mut().push(item);
    set(
        &inst,
        &slots,
        |k| k.unfinished,
        Value::Int(unfinished.saturating_add(1)),
    );
    clear_event(vm, &slots, get(&inst, &slots, |k| k.finished))?;
    wakeup_next(vm, get(&inst, &slots, |k| k.getters))?;
    Ok(Some(true))
}

/// `get_nowait()`.
pub(super) fn get_nowait(vm: &mut Vm, args: Args) -> PResult<Value> {
    let Some(q) = plain_queue(arg(&args, 0)?) else {
        return slow(vm, &args, "_get_nowait_py");
    };
    match take_plain(vm, q)? {
        Some(item) => Ok(item),
        None => Err(lib_exception(vm, "QueueEmpty", &[])),
    }
}

/// `_queue_take(q, marker)`: `q.get_nowait()` unless `q.empty()`, else `marker`. The first
/// step of `Queue.get()` in one call.
pub(super) fn take(vm: &mut Vm, args: Args) -> PResult<Value> {
    let (q, marker) = (arg(&args, 0)?.clone(), arg(&args, 1)?.clone());
    if let Some(plain) = plain_queue(&q) {
        return Ok(take_plain(vm, plain)?.unwrap_or(marker));
    }
    let empty = vm.call_method(&q, "empty", &[])?;
    if vm.truthy(&empty)? {
        return Ok(marker);
    }
    vm.call_method(&q, "get_nowait", &[])
}

/// What `_get_nowait_py` does for a plain queue; `None` when it is empty.
fn take_plain(vm: &mut Vm, q: Plain) -> PResult<Option<Value>> {
    let Plain {
        inst,
        items,
        head,
        slots,
    } = q;
    // As Queue._get: the head moves on, and the taken slots go once they are half the list.
    let item = {
        let mut items = items.items.borrow_mut();
        let item = items
            .get_mut(head)
            .map(|slot| std::mem::replace(slot, Value::None));
        if item.is_some() {
            let mut head = head + 1;
            if head > 32 && head * 2 > items.len() {
                items.drain(..head);
                head = 0;
            }
            set(&inst, &slots, |k| k.head, Value::Int(head as i64));
        }
        item
    };
    if item.is_some() {
        wakeup_next(vm, get(&inst, &slots, |k| k.putters))?;
    }
    Ok(item)
}

/// `self._finished.clear()`: an `Event` of the library's own class only loses its flag.
fn clear_event(vm: &mut Vm, slots: &Slots, event: Option<Value>) -> PResult<()> {
    let Some(event) = event else {
        return Err(Exc::attribute_error(
            "'Queue' object has no attribute '_finished'",
        ));
    };
    if let Value::Instance(inst) = &event {
        if class_addr(&inst.class) == slots.event_cls {
            set(inst, slots, |k| k.value, Value::Bool(B64::FALSE));
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
