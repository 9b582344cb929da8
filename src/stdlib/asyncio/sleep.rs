//! `asyncio.sleep` without a future. CPython's `sleep` makes a future, a timer handle that
//! sets its result, and the task's wake-up callback on it; here a sleeping task keeps only a
//! timer that steps the task itself, recorded in the task's `_fut_waiter` slot where the
//! future would be (its states below). `repr(task)`, `task.cancel()` and the order in which
//! things happen are CPython's: the timer firing and a cancellation each schedule the task's
//! step for the next iteration, as the future's done callback would.
//!
//! `sleep` (in `tasks.apy`) is an `async def` whose coroutines run a native body
//! (`sleep_step`, see `NativeBody`): no frame, just the two arguments. Resumed by the task
//! stepping it, the body arms the timer and yields the timer's id; the task's step
//! (`task::step`) accepts that yield as its own timer and waits. Any other outcome of the step
//! disarms the timer, so a task has at most one. A sleep its task does not step straight (a
//! coroutine's `send` called by hand, which must see a future as in CPython; no task
//! running) awaits a real future that a timer sets to `result` (`sleep_future`).

use super::task::{
    clear_must_cancel, field, is_pending, is_task, lib_get, loop_id_of, loop_obj_id, must_cancel,
    set_field, task_instance,
};
use super::{float_arg, loop_by_id, push_job, Job};
use crate::runtime::TimerHandle;
use crate::syntax::ast::CmpOp;
use crate::vm::exception::{Exc, PResult};
use crate::vm::methods::{arg, check_count};
use crate::vm::object::class::Instance;
use crate::vm::object::function::Args;
use crate::vm::object::generator::{Generator, NativeBody, Resume};
use crate::vm::resume::GenResult;
use crate::vm::value::Value;
use crate::vm::Vm;
use std::rc::Rc;

/// What a task's `_fut_waiter` holds while it sleeps, in place of CPython's future: the
/// armed timer's id (`TimerHandle::to_bits`, never negative), or one of these once the
/// timer fired or was cancelled (until the step they scheduled clears the slot).
const FIRED: i64 = -1;
const CANCELLED: i64 = -2;

/// The state a sleeping task's waiter is in.
enum Waiter {
    Armed(TimerHandle),
    Fired,
    Cancelled,
}

fn waiter_of(v: &Value) -> Option<Waiter> {
    match *v {
        Value::Int(FIRED) => Some(Waiter::Fired),
        Value::Int(CANCELLED) => Some(Waiter::Cancelled),
        Value::Int(bits) if bits >= 0 => TimerHandle::from_bits(bits).map(Waiter::Armed),
        _ => None,
    }
}

fn armed(inst: &Instance) -> Option<TimerHandle> {
    match waiter_of(&field(inst, |f| f.fut_waiter)) {
        Some(Waiter::Armed(handle)) => Some(handle),
        _ => None,
    }
}

/// The native body's stages (`NativeBody::stage`).
const START: u16 = 0;
/// `delay <= 0`: yielded once, returns `result` when resumed.
const YIELDED: u16 = 1;
/// Waits on the task's own timer (the yield was its id).
const TIMER: u16 = 2;
/// Waits on a future (`values[0]` holds the iterator its `__await__()` made).
const FUTURE: u16 = 3;

/// `set_native_sleep(sleep)`: gives `sleep`'s coroutines the native body below.
pub(super) fn set_native_sleep(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set_native_sleep", &args, 0, 1, 1)?;
    match arg(&args, 0)? {
        Value::Function(f) if f.code.set_native(sleep_step) => Ok(Value::None),
        _ => Err(Exc::type_error(
            "set_native_sleep() needs a plain async function",
        )),
    }
}

/// The native body of `sleep(delay, result)` (`tasks.apy` has the body it stands for). With
/// `delay <= 0`, one bare yield. Else, resumed straight by the task whose step runs (the
/// task's own coroutine, or a `Send` of the dispatch loop the step runs), a timer that steps
/// the task after `delay` seconds: the yield is the timer's id, which the step takes as its
/// own (`is_own_timer`). Anywhere else (no task, or a coroutine's `send` called by hand,
/// which must get a future as in CPython), the future of `sleep_future`, awaited.
fn sleep_step(
    vm: &mut Vm,
    gen: &Rc<Generator>,
    body: &NativeBody,
    how: Resume,
) -> PResult<GenResult> {
    let first = body.value(0);
    match (body.stage(), how) {
        (START, Resume::Send(_)) => {
            let le = vm.compare(CmpOp::LtE, &first, &Value::Int(0))?;
            if vm.truthy(&le)? {
                body.set_stage(YIELDED);
                return Ok(GenResult::Yield(Value::None));
            }
            let delay = float_arg(vm, &first)?;
            body.set_at_await(1);
            if let Some(bits) = start_timer(vm, gen, delay)? {
                body.set_stage(TIMER);
                return Ok(GenResult::Yield(Value::Int(bits)));
            }
            let future = sleep_future_at(vm, delay, body.value(1))?;
            let awaiting = vm.get_awaitable(future)?;
            body.set_value(0, awaiting.clone());
            Generator::track_native(gen);
            body.set_stage(FUTURE);
            forward(vm, &awaiting, Resume::Send(Value::None), body.value(1))
        }
        (FUTURE, how) => forward(vm, &first, how, body.value(1)),
        (_, Resume::Send(_)) => Ok(GenResult::Return(body.value(1))),
        (_, Resume::Throw(exc)) => Err(exc),
    }
}

/// A resumption of the future's iterator `sleep` waits on; its return is `sleep`'s result.
fn forward(vm: &mut Vm, awaiting: &Value, how: Resume, result: Value) -> PResult<GenResult> {
    let res = match how {
        Resume::Send(v) => vm.send_into(awaiting, v)?,
        Resume::Throw(exc) => vm.throw_into(awaiting, exc)?,
    };
    Ok(match res {
        GenResult::Yield(v) => GenResult::Yield(v),
        GenResult::Return(_) => GenResult::Return(result),
    })
}

/// Arms the sleep timer of the task stepping `gen` straight, if one is (see `sleep_step`),
/// and gives its id.
fn start_timer(vm: &mut Vm, gen: &Rc<Generator>, delay: f64) -> PResult<Option<i64>> {
    let loop_obj = super::construct::get_running_loop(vm, Args::new(&[]))?;
    let id = loop_obj_id(&loop_obj)?;
    let nest = vm.nest;
    let state = loop_by_id(vm, id)?;
    let when = state.ev.time() + delay;
    let current_nest = state.current_nest;
    let current = state.current.clone();
    let Value::Instance(task) = &current else {
        return Ok(None);
    };
    // A `Send` of the step's dispatch loop, or the step itself resuming its coroutine.
    let straight = nest == current_nest
        || (nest + 1 == current_nest
            && matches!(field(task, |f| f.coro), Value::Generator(c) if Rc::ptr_eq(&c, gen)));
    if !straight || !is_task(vm, task) || loop_id_of(task).ok() != Some(id) {
        return Ok(None);
    }
    // A timer left armed by a sleep its task never waited on goes first.
    disarm(vm, task)?;
    let bits = loop_by_id(vm, id)?
        .ev
        .call_at(when, Job::SleepWake(task.clone()))
        .to_bits();
    set_field(task, |f| f.fut_waiter, Value::Int(bits));
    Ok(Some(bits))
}

/// `sleep_future(delay, result)`: a future of the running loop that a timer sets to
/// `result` after `delay` seconds (what `sleep` awaits outside a task's own step).
pub(super) fn sleep_future(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("sleep_future", &args, 0, 2, 2)?;
    let delay = float_arg(vm, arg(&args, 0)?)?;
    sleep_future_at(vm, delay, arg(&args, 1)?.clone())
}

fn sleep_future_at(vm: &mut Vm, delay: f64, result: Value) -> PResult<Value> {
    let loop_obj = super::construct::get_running_loop(vm, Args::new(&[]))?;
    let id = loop_obj_id(&loop_obj)?;
    let future = super::construct::create_future_on(vm, &loop_obj)?;
    let ev = &mut loop_by_id(vm, id)?.ev;
    let when = ev.time() + delay;
    ev.call_at(when, Job::Wake(Box::new((future.clone(), result))));
    Ok(future)
}

/// Whether the coroutine of `inst` yielded the id of the task's armed sleep timer.
pub(super) fn is_own_timer(inst: &Instance, yielded: &Value) -> bool {
    matches!(yielded, Value::Int(bits) if *bits >= 0)
        && armed(inst).is_some_and(|h| Value::Int(h.to_bits()).is(yielded))
}

/// The task waits on its sleep timer; a cancellation requested while its step ran cancels
/// the sleep at once, as it would cancel the future awaited.
pub(super) fn await_timer(vm: &mut Vm, task: &Value, inst: &Rc<Instance>) -> PResult<()> {
    if must_cancel(vm, inst)? {
        let msg = vm.get_attr_str(task, "_cancel_message")?;
        if cancel(vm, inst, msg)? {
            clear_must_cancel(inst);
        }
    }
    Ok(())
}

/// Cancels the task's armed sleep timer, if it has one (its step ended some other way).
pub(super) fn disarm(vm: &mut Vm, inst: &Instance) -> PResult<()> {
    if let Some(handle) = armed(inst) {
        set_field(inst, |f| f.fut_waiter, Value::None);
        drop_timer(vm, inst, handle)?;
    }
    Ok(())
}

/// Takes the task's timer off its loop's timer heap.
fn drop_timer(vm: &mut Vm, inst: &Instance, handle: TimerHandle) -> PResult<usize> {
    let id = loop_id_of(inst)?;
    drop(loop_by_id(vm, id)?.ev.cancel_timer(handle));
    Ok(id)
}

/// `Job::SleepWake`: the sleep timer of `task` fired; its step runs in the next iteration.
pub(super) fn fired(vm: &mut Vm, task: &Rc<Instance>) -> PResult<()> {
    if !is_pending(task) || armed(task).is_none() {
        return Ok(());
    }
    set_field(task, |f| f.fut_waiter, Value::Int(FIRED));
    let id = loop_id_of(task)?;
    push_job(vm, id, Job::Step(task.clone()))
}

/// Cancels a sleep whose timer has not fired: the task's step, in the next iteration, gets
/// `CancelledError(msg)`. False if the timer fired or was cancelled already.
fn cancel(vm: &mut Vm, inst: &Rc<Instance>, msg: Value) -> PResult<bool> {
    let Some(handle) = armed(inst) else {
        return Ok(false);
    };
    let id = drop_timer(vm, inst, handle)?;
    set_field(inst, |f| f.fut_waiter, Value::Int(CANCELLED));
    let cls = lib_get(vm, "CancelledError")?;
    let args: &[Value] = if msg.is_none() { &[] } else { &[msg] };
    let exc = vm.call(&cls, args)?;
    push_job(vm, id, Job::Throw(Box::new((inst.clone(), exc))))?;
    Ok(true)
}

/// `cancel_sleep(task, msg)`: `task._fut_waiter.cancel(msg=msg)` for a sleeping task.
pub(super) fn cancel_sleep(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("cancel_sleep", &args, 0, 2, 2)?;
    let task = arg(&args, 0)?;
    let inst = task_instance(vm, task)?;
    let msg = arg(&args, 1)?.clone();
    Ok(Value::bool(cancel(vm, &inst, msg)?))
}

/// `waiter_repr(waiter)`: `repr(task._fut_waiter)`, with a sleep's timer shown as the future
/// CPython's `sleep` would have made.
pub(super) fn waiter_repr(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("waiter_repr", &args, 0, 1, 1)?;
    let waiter = arg(&args, 0)?;
    let text = match waiter_of(waiter) {
        Some(Waiter::Armed(_)) => "<Future pending cb=[Task.task_wakeup()]>".to_owned(),
        Some(Waiter::Fired) => "<Future finished result=None>".to_owned(),
        Some(Waiter::Cancelled) => "<Future cancelled>".to_owned(),
        None => vm.repr(waiter)?,
    };
    Ok(Value::str(&text))
}
