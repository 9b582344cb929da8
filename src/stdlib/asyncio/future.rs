//! Native `Future.done`, `cancelled`, `result`, `exception` and `add_done_callback`: what
//! every combinator asks of and does to every child (`gather` subscribes to each and asks
//! three or four questions as each finishes), answered from the slots as CPython's C
//! `Future` answers them from its struct. A future whose `__init__` never ran reads as
//! pending, as a zeroed C future does. The rare paths (making the `CancelledError`, a
//! callback with a context) stay with the apy methods.

use super::task::{
    exception_of, field, future_instance, is_blocking, lib_exception, set_blocking, set_field,
    task_instance,
};
use crate::vm::exception::{Exc, PResult};
use crate::vm::methods::{arg, check_count};
use crate::vm::object::class::Instance;
use crate::vm::object::function::{Args, NativeFn};
use crate::vm::object::str::interned;
use crate::vm::value::{Value, B64};
use crate::vm::Vm;
use std::rc::Rc;

/// The methods, added to the library's `Future` class once its apy code has run.
pub(super) const METHODS: &[(&str, NativeFn)] = &[
    ("done", done),
    ("cancelled", cancelled),
    ("result", result),
    ("exception", exception),
    ("add_done_callback", add_done_callback),
];

/// Where a future is in its life, read from its `_state` slot.
#[derive(PartialEq, Eq)]
enum State {
    Pending,
    Cancelled,
    Finished,
}

fn state(fut: &Instance) -> State {
    match field(fut, |f| f.state) {
        Value::Str(s) if s.as_str() == "CANCELLED" => State::Cancelled,
        Value::Str(s) if s.as_str() == "FINISHED" => State::Finished,
        _ => State::Pending,
    }
}

/// The future a method with no arguments but `self` was called on.
fn receiver(vm: &mut Vm, args: &Args, name: &str) -> PResult<Rc<Instance>> {
    if args.pos.len() != 1 || args.has_kw() {
        check_count(&format!("Future.{name}"), args, 1, 0, 0)?;
    }
    this(vm, args, name)
}

/// `self`, which must be a future (`Future.done(42)` is an error, as in CPython).
fn this(vm: &mut Vm, args: &Args, name: &str) -> PResult<Rc<Instance>> {
    let v = arg(args, 0)?;
    future_instance(vm, v).map_err(|_| {
        Exc::type_error(format!(
            "descriptor '{name}' for '_asyncio.Future' objects doesn't apply to a '{}' object",
            vm.type_name(v)
        ))
    })
}

/// `Future.done()`.
fn done(vm: &mut Vm, args: Args) -> PResult<Value> {
    let fut = receiver(vm, &args, "done")?;
    Ok(Value::bool(state(&fut) != State::Pending))
}

/// `Future.cancelled()`.
fn cancelled(vm: &mut Vm, args: Args) -> PResult<Value> {
    let fut = receiver(vm, &args, "cancelled")?;
    Ok(Value::bool(state(&fut) == State::Cancelled))
}

/// `Future.result()`: the result, or the exception it finished with raised again.
fn result(vm: &mut Vm, args: Args) -> PResult<Value> {
    let fut = receiver(vm, &args, "result")?;
    finished(vm, &fut, "Result is not set.")?;
    match exception_of(&fut) {
        Value::None => Ok(field(&fut, |f| f.result)),
        exc => Err(Exc::value(exc)),
    }
}

/// `Future.exception()`: the exception it finished with, or `None`.
fn exception(vm: &mut Vm, args: Args) -> PResult<Value> {
    let fut = receiver(vm, &args, "exception")?;
    finished(vm, &fut, "Exception is not set.")?;
    Ok(exception_of(&fut))
}

/// What `result()` and `exception()` check first: a cancelled future raises its
/// `CancelledError`, an unfinished one `InvalidStateError(unset)`. A finished one's
/// exception counts as retrieved from then on.
fn finished(vm: &mut Vm, fut: &Rc<Instance>, unset: &str) -> PResult<()> {
    match state(fut) {
        State::Finished => {
            // Written only when set (`_log_traceback` is a class default).
            let key = interned("_log_traceback");
            if matches!(fut.dict_get(&key), Some(Value::Bool(B64::TRUE))) {
                fut.dict_set(&key, Value::Bool(B64::FALSE));
            }
            Ok(())
        }
        State::Cancelled => {
            let err =
                vm.call_method(&Value::Instance(fut.clone()), "_make_cancelled_error", &[])?;
            Err(Exc::value(err))
        }
        State::Pending => Err(lib_exception(vm, "InvalidStateError", &[Value::str(unset)])),
    }
}

/// `Future.add_done_callback(fn, *, context=None)`. Without contextvars in play the
/// callback goes straight on the list; with a context (given, or the program's current one)
/// the apy method wraps it first.
fn add_done_callback(vm: &mut Vm, args: Args) -> PResult<Value> {
    let context = args.kw("context").filter(|c| !c.is_none()).cloned();
    let unexpected = args.kwnames.iter().find(|k| k.as_str() != "context");
    if let Some(bad) = unexpected {
        return Err(Exc::type_error(format!(
            "'{}' is an invalid keyword argument for add_done_callback()",
            bad.as_str()
        )));
    }
    if args.pos.len() != 2 {
        return Err(Exc::type_error(format!(
            "add_done_callback() takes exactly 1 positional argument ({} given)",
            args.pos.len().saturating_sub(1)
        )));
    }
    let fut = this(vm, &args, "add_done_callback")?;
    let fut_value = arg(&args, 0)?;
    let callback = arg(&args, 1)?.clone();
    if context.is_some() || vm.context.is_some() {
        let context = context.unwrap_or(Value::None);
        vm.call_method(
            fut_value,
            "_add_done_callback_in_context",
            &[callback, context],
        )?;
        return Ok(Value::None);
    }
    super::task::add_done_callback(vm, &fut, callback)?;
    Ok(Value::None)
}

/// `task_fut_waiter(task)`: what a pending task waits for (a future, or its sleep's timer).
/// A task keeps it in its `_result` slot, which is free until the task is done
/// (`task::bind_library`): one slot fewer per task. `None` once the task is done.
pub(super) fn task_fut_waiter(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("task_fut_waiter", &args, 0, 1, 1)?;
    let task = task_instance(vm, arg(&args, 0)?)?;
    Ok(match state(&task) {
        State::Pending => field(&task, |f| f.fut_waiter),
        _ => Value::None,
    })
}

/// `set_task_fut_waiter(task, waiter)`: sets what a pending task waits for (a done task's
/// slot holds its result, which stays).
pub(super) fn set_task_fut_waiter(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set_task_fut_waiter", &args, 0, 2, 2)?;
    let task = task_instance(vm, arg(&args, 0)?)?;
    if state(&task) == State::Pending {
        set_field(&task, |f| f.fut_waiter, arg(&args, 1)?.clone());
    }
    Ok(Value::None)
}

/// `task_result(task)`: a task's `_result`, `None` while it is pending (as in CPython; the
/// slot then holds what the task waits for).
pub(super) fn task_result(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("task_result", &args, 0, 1, 1)?;
    let task = task_instance(vm, arg(&args, 0)?)?;
    Ok(match state(&task) {
        State::Pending => Value::None,
        _ => field(&task, |f| f.result),
    })
}

/// `future_blocking(fut)`: `fut._asyncio_future_blocking` (kept in the `_state` slot:
/// `task::is_blocking`).
pub(super) fn future_blocking(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("future_blocking", &args, 0, 1, 1)?;
    let fut = future_instance(vm, arg(&args, 0)?)?;
    Ok(Value::bool(is_blocking(&fut)))
}

/// `set_future_blocking(fut, value)`: sets `fut._asyncio_future_blocking` (to false always;
/// to true only while the future is pending, the only time `await` yields it).
pub(super) fn set_future_blocking(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set_future_blocking", &args, 0, 2, 2)?;
    let fut = future_instance(vm, arg(&args, 0)?)?;
    let on = vm.truthy(arg(&args, 1)?)?;
    set_blocking(&fut, on);
    Ok(Value::None)
}
