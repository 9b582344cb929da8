//! `asyncio.sleep` without a future. CPython's `sleep` makes a future, a timer handle that
//! sets its result, and the task's wake-up callback on it; here a sleeping task keeps only a
//! timer that steps the task itself, recorded in the task's `_fut_waiter` slot where the
//! future would be (its states below). `repr(task)`, `task.cancel()` and the order in which
//! things happen are CPython's: the timer firing and a cancellation each schedule the task's
//! step for the next iteration, as the future's done callback would.
//!
//! `sleep` (in `tasks.apy`) awaits `sleep_timer(delay, result)`, which arms the timer for the
//! task stepping it and yields the timer's id; the task's step (`task::step`) accepts that
//! yield as its own timer and waits. Any other outcome of the step disarms the timer, so a
//! task has at most one. A sleep its task does not step straight (a coroutine's `send`
//! called by hand, which must see a future as in CPython; no task running) gets a real
//! future that the timer sets to `result`.

use super::task::{
    clear_must_cancel, field, is_pending, is_task, lib_get, loop_id_of, loop_obj_id, must_cancel,
    set_field, task_instance,
};
use super::{float_arg, loop_by_id, push_job, Job};
use crate::runtime::TimerHandle;
use crate::vm::exception::PResult;
use crate::vm::methods::{arg, check_count};
use crate::vm::object::class::Instance;
use crate::vm::object::function::Args;
use crate::vm::object::iter::{Iter, IterKind, IterState};
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

/// `sleep_timer(delay, result)`: what `sleep` awaits for a positive delay. Called straight
/// from the coroutine chain its task steps (a call instruction of the dispatch loop the
/// task's step runs, `current_nest`), a timer that steps the task after `delay` seconds,
/// awaited through an iterator that yields the timer's id once. Anywhere else (no task, or
/// a coroutine's `send` called by hand, which must get a future as in CPython), a future
/// the timer sets to `result`.
pub(super) fn sleep_timer(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("sleep_timer", &args, 0, 2, 2)?;
    let delay = float_arg(vm, arg(&args, 0)?)?;
    let loop_obj = super::construct::get_running_loop(vm, Args::new(&[]))?;
    let id = loop_obj_id(&loop_obj)?;
    let (nest, direct_nest) = (vm.nest, vm.direct_nest);
    let state = loop_by_id(vm, id)?;
    let when = state.ev.time() + delay;
    let direct = direct_nest == nest && nest == state.current_nest + 1;
    let current = state.current.clone();
    let task = match &current {
        Value::Instance(inst)
            if direct && is_task(vm, inst) && loop_id_of(inst).ok() == Some(id) =>
        {
            inst.clone()
        }
        _ => {
            let future = super::construct::create_future_on(vm, &loop_obj)?;
            let result = arg(&args, 1)?.clone();
            loop_by_id(vm, id)?
                .ev
                .call_at(when, Job::Wake(future.clone(), result));
            return Ok(future);
        }
    };
    // A timer left armed by a sleep its task never waited on goes first.
    disarm(vm, &task)?;
    let bits = loop_by_id(vm, id)?
        .ev
        .call_at(when, Job::SleepWake(current))
        .to_bits();
    set_field(&task, |f| f.fut_waiter, Value::Int(bits));
    let state = IterState::NativeAwait {
        target: Value::Int(bits),
        stage: 0,
        step: timer_step,
    };
    Ok(Iter::new_value(state, IterKind::SleepTimer))
}

/// Yields the timer's id once, then returns `None` (the task's step after the timer fired).
fn timer_step(_vm: &mut Vm, bits: &Value, stage: &mut u32, _sent: Value) -> PResult<GenResult> {
    let at = *stage;
    *stage = 1;
    Ok(match at {
        0 => GenResult::Yield(bits.clone()),
        _ => GenResult::Return(Value::None),
    })
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
        if cancel(vm, task, inst, msg)? {
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
pub(super) fn fired(vm: &mut Vm, task: &Value) -> PResult<()> {
    let Value::Instance(inst) = task else {
        return Ok(());
    };
    if !is_pending(inst) || armed(inst).is_none() {
        return Ok(());
    }
    set_field(inst, |f| f.fut_waiter, Value::Int(FIRED));
    let id = loop_id_of(inst)?;
    push_job(vm, id, Job::Step(task.clone(), None))
}

/// Cancels a sleep whose timer has not fired: the task's step, in the next iteration, gets
/// `CancelledError(msg)`. False if the timer fired or was cancelled already.
fn cancel(vm: &mut Vm, task: &Value, inst: &Instance, msg: Value) -> PResult<bool> {
    let Some(handle) = armed(inst) else {
        return Ok(false);
    };
    let id = drop_timer(vm, inst, handle)?;
    set_field(inst, |f| f.fut_waiter, Value::Int(CANCELLED));
    let cls = lib_get(vm, "CancelledError")?;
    let args: &[Value] = if msg.is_none() { &[] } else { &[msg] };
    let exc = vm.call(&cls, args)?;
    push_job(vm, id, Job::Step(task.clone(), Some(exc)))?;
    Ok(true)
}

/// `cancel_sleep(task, msg)`: `task._fut_waiter.cancel(msg=msg)` for a sleeping task.
pub(super) fn cancel_sleep(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("cancel_sleep", &args, 0, 2, 2)?;
    let task = arg(&args, 0)?;
    let inst = task_instance(vm, task)?;
    let msg = arg(&args, 1)?.clone();
    Ok(Value::bool(cancel(vm, task, &inst, msg)?))
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
