//! Native hot paths of the apy-written `Task` and `Future`: a task's step (send into the
//! coroutine, then subscribe to the future it yielded or reschedule itself), its wake-up, and a
//! future's result and done callbacks. The objects stay instances of the library's apy classes,
//! so reprs, subclasses and the rest of the library are unchanged: these functions read and
//! write the same attributes the apy methods use, take the fast path only for the library's
//! own `Future` and `Task` classes, and hand every unusual case (a bad yield, a step on a
//! finished task, a pending cancellation, an exception out of the coroutine) to the apy
//! methods that handle it. Scheduling goes through `Job`s on the native ready queue, in the
//! order CPython 3.11 schedules the same callbacks.

use super::{push_job, Job};
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::methods::arg;
use crate::vm::object::class::{Class, Instance};
use crate::vm::object::dict::Dict;
use crate::vm::object::function::{Args, BoundMethod};
use crate::vm::object::iter::{Iter, IterState};
use crate::vm::object::str::{intern_name, PyStr};
use crate::vm::resume::GenResult;
use crate::vm::value::Value;
use crate::vm::Vm;
use std::rc::Rc;

/// The attribute names the apy classes use, interned once.
struct Keys {
    state: Rc<PyStr>,
    must_cancel: Rc<PyStr>,
    fut_waiter: Rc<PyStr>,
    coro: Rc<PyStr>,
    loop_: Rc<PyStr>,
    id: Rc<PyStr>,
    blocking: Rc<PyStr>,
    callbacks: Rc<PyStr>,
    result: Rc<PyStr>,
    exception: Rc<PyStr>,
    context: Rc<PyStr>,
}

thread_local! {
    static KEYS: Keys = Keys {
        state: intern_name("_state"),
        must_cancel: intern_name("_must_cancel"),
        fut_waiter: intern_name("_fut_waiter"),
        coro: intern_name("_coro"),
        loop_: intern_name("_loop"),
        id: intern_name("_id"),
        blocking: intern_name("_asyncio_future_blocking"),
        callbacks: intern_name("_callbacks"),
        result: intern_name("_result"),
        exception: intern_name("_exception"),
        context: intern_name("_context"),
    };
}

fn key(pick: fn(&Keys) -> &Rc<PyStr>) -> Rc<PyStr> {
    KEYS.with(|k| pick(k).clone())
}

/// The library's module namespace and the classes the fast paths recognise.
#[derive(Default)]
pub(super) struct Lib {
    pub dict: Option<Rc<Dict>>,
    future_cls: Option<Rc<Class>>,
    task_cls: Option<Rc<Class>>,
    pub queue_cls: Option<Rc<Class>>,
    pub event_cls: Option<Rc<Class>>,
    wakeup: Option<Value>,
}

/// Called once the library's apy code has run: remembers what the fast paths compare with.
pub(super) fn bind_library(vm: &mut Vm, dict: Rc<Dict>) {
    let class = |name: &str| match dict.get_str(&intern_name(name)) {
        Some(Value::Class(c)) => Some(c),
        _ => None,
    };
    let (future_cls, task_cls) = (class("Future"), class("Task"));
    let wakeup = task_cls.as_ref().and_then(|t| t.lookup_str("task_wakeup"));
    let lib = vm.extension(Lib::default);
    lib.future_cls = future_cls;
    lib.task_cls = task_cls;
    lib.queue_cls = class("Queue");
    lib.event_cls = class("Event");
    lib.wakeup = wakeup;
    lib.dict = Some(dict);
}

/// True if `inst` is an instance of exactly the library class `pick` selects.
pub(super) fn is_exactly(
    vm: &mut Vm,
    inst: &Instance,
    pick: fn(&Lib) -> &Option<Rc<Class>>,
) -> bool {
    pick(vm.extension(Lib::default))
        .as_ref()
        .is_some_and(|c| Rc::ptr_eq(c, &inst.class))
}

/// A name defined by the library's apy code.
pub(super) fn lib_get(vm: &mut Vm, name: &str) -> PResult<Value> {
    let dict = vm.extension(Lib::default).dict.clone();
    dict.and_then(|d| d.get_str(&intern_name(name)))
        .ok_or_else(|| Exc::internal(&format!("asyncio library has no {name}")))
}

/// True for an instance of exactly the library's `Future` or `Task` (not a subclass, whose
/// methods may be overridden).
fn is_plain_future(vm: &mut Vm, inst: &Instance) -> bool {
    let lib = vm.extension(Lib::default);
    let same = |c: &Option<Rc<Class>>| c.as_ref().is_some_and(|c| Rc::ptr_eq(c, &inst.class));
    same(&lib.future_cls) || same(&lib.task_cls)
}

fn is_pending(dict: &Dict) -> bool {
    matches!(dict.get_str(&key(|k| &k.state)), Some(Value::Str(s)) if s.as_str() == "PENDING")
}

fn get(dict: &Dict, pick: fn(&Keys) -> &Rc<PyStr>) -> Value {
    dict.get_str(&key(pick)).unwrap_or(Value::None)
}

/// The id of the native loop a future belongs to (`fut._loop._id`).
pub(super) fn loop_id_of(fut: &Instance) -> PResult<usize> {
    if let Value::Instance(lp) = get(&fut.dict, |k| &k.loop_) {
        if let Value::Int(id) = get(&lp.dict, |k| &k.id) {
            if let Ok(id) = usize::try_from(id) {
                return Ok(id);
            }
        }
    }
    Err(Exc::runtime_error("Event loop is closed"))
}

fn instance(v: &Value) -> PResult<&Rc<Instance>> {
    match v {
        Value::Instance(inst) => Ok(inst),
        _ => Err(Exc::type_error("a Future or Task was expected")),
    }
}

/// `task_step(task, exc=None)`: one step of the task, as CPython's `Task.__step`.
pub(super) fn task_step_native(vm: &mut Vm, args: Args) -> PResult<Value> {
    let task = arg(&args, 0)?.clone();
    let exc = args.pos.get(1).cloned().filter(|e| !e.is_none());
    step(vm, &task, exc)?;
    Ok(Value::None)
}

/// One step of `task`, throwing `exc` in if given.
pub(super) fn step(vm: &mut Vm, task: &Value, exc: Option<Value>) -> PResult<()> {
    let inst = instance(task)?.clone();
    let dict = &inst.dict;
    if !is_pending(dict) {
        let raise = lib_get(vm, "_step_already_done")?;
        vm.call(&raise, std::slice::from_ref(task))?;
        return Ok(());
    }
    let mut exc = exc;
    if vm.truthy(&get(dict, |k| &k.must_cancel))? {
        let take = vm.get_attr_str(task, "_take_cancel")?;
        let e = vm.call(&take, &[exc.unwrap_or(Value::None)])?;
        exc = Some(e);
    }
    if !get(dict, |k| &k.fut_waiter).is_none() {
        dict.set_str(key(|k| &k.fut_waiter), Value::None);
    }
    let loop_id = loop_id_of(&inst)?;
    let Value::Generator(coro) = get(dict, |k| &k.coro) else {
        // Not a native coroutine: the apy step handles whatever `send`/`throw` it has.
        let step = vm.get_attr_str(task, "_step_coro")?;
        return set_current(vm, loop_id, task, |vm| {
            vm.call(&step, &[exc.unwrap_or(Value::None)]).map(drop)
        });
    };
    set_current(vm, loop_id, task, |vm| {
        let res = match exc {
            None => vm.gen_send(&coro, Value::None),
            Some(e) => vm.gen_throw(&coro, Exc::Value(e)),
        };
        match res {
            Ok(GenResult::Yield(v)) => handle_yield(vm, task, &inst, loop_id, v),
            Ok(GenResult::Return(v)) => returned(vm, task, &inst, v),
            Err(e) => raised(vm, task, e),
        }
    })
}

/// Runs `body` with `task` as the loop's current task (`asyncio.current_task()`).
fn set_current(
    vm: &mut Vm,
    loop_id: usize,
    task: &Value,
    body: impl FnOnce(&mut Vm) -> PResult<()>,
) -> PResult<()> {
    // The previous one comes back after: a green thread's `time.sleep` runs other tasks'
    // steps inside this one.
    let outer = super::set_current_task(vm, loop_id, task.clone());
    // The task's own context is current while it runs (`contextvars`).
    let outer_context = match vm.context {
        Some(_) => task_context(task).map(|context| crate::stdlib::contextvars::swap(vm, context)),
        None => None,
    };
    let res = body(vm);
    if let Some(context) = outer_context {
        crate::stdlib::contextvars::swap(vm, context);
    }
    super::set_current_task(vm, loop_id, outer);
    res
}

/// The context a task runs in (set when the program uses contextvars).
fn task_context(task: &Value) -> Option<Value> {
    let Value::Instance(inst) = task else {
        return None;
    };
    Some(get(&inst.dict, |k| &k.context)).filter(|c| !c.is_none())
}

/// The coroutine returned: the task finishes with its value (or is cancelled if a cancel
/// arrived after its last await).
fn returned(vm: &mut Vm, task: &Value, inst: &Rc<Instance>, value: Value) -> PResult<()> {
    if let Value::Dict(all) = lib_get(vm, "_all_tasks")? {
        all.remove(vm, task)?;
    }
    if vm.truthy(&get(&inst.dict, |k| &k.must_cancel))? || !is_plain_future(vm, inst) {
        let finish = vm.get_attr_str(task, "_step_returned")?;
        vm.call(&finish, &[value])?;
        return Ok(());
    }
    set_result(vm, inst, value)
}

/// The coroutine raised: the apy `_step_raised` files it (cancelled, or the task's exception);
/// `SystemExit` and `KeyboardInterrupt` go on out of the loop as well.
fn raised(vm: &mut Vm, task: &Value, e: Exc) -> PResult<()> {
    let fatal =
        vm.exc_matches(&e, ExcKind::SystemExit) || vm.exc_matches(&e, ExcKind::KeyboardInterrupt);
    let exc = vm.exc_value(e);
    let file = vm.get_attr_str(task, "_step_raised")?;
    vm.call(&file, std::slice::from_ref(&exc))?;
    if fatal {
        return Err(Exc::Value(exc));
    }
    Ok(())
}

/// What the coroutine yielded: `None` reschedules the task (a bare yield); a pending plain
/// future of the same loop gets the task's wake-up as a done callback. Anything else goes to
/// the apy `_handle_yield`, which raises the right error into the task.
fn handle_yield(
    vm: &mut Vm,
    task: &Value,
    inst: &Rc<Instance>,
    loop_id: usize,
    yielded: Value,
) -> PResult<()> {
    if yielded.is_none() {
        return push_job(vm, loop_id, Job::Step(task.clone(), None));
    }
    if let Value::Instance(fut) = &yielded {
        let fast = !Rc::ptr_eq(fut, inst)
            && matches!(get(&fut.dict, |k| &k.blocking), Value::Bool(true))
            && loop_id_of(fut).ok() == Some(loop_id)
            && is_plain_future(vm, fut);
        if fast {
            fut.dict.set_str(key(|k| &k.blocking), Value::Bool(false));
            let wakeup = vm.extension(Lib::default).wakeup.clone();
            let Some(wakeup) = wakeup else {
                return Err(Exc::internal("Task has no task_wakeup"));
            };
            add_done_callback(
                vm,
                fut,
                &yielded,
                BoundMethod::new_value(wakeup, task.clone()),
            )?;
            inst.dict.set_str(key(|k| &k.fut_waiter), yielded);
            if vm.truthy(&get(&inst.dict, |k| &k.must_cancel))? {
                let cancel = vm.get_attr_str(task, "_cancel_waiter")?;
                vm.call(&cancel, &[])?;
            }
            return Ok(());
        }
    }
    let handle = vm.get_attr_str(task, "_handle_yield")?;
    vm.call(&handle, &[yielded])?;
    Ok(())
}

/// `fut.add_done_callback(callback)` for a plain future.
fn add_done_callback(
    vm: &mut Vm,
    fut: &Rc<Instance>,
    fut_value: &Value,
    callback: Value,
) -> PResult<()> {
    if is_pending(&fut.dict) {
        if let Value::List(list) = get(&fut.dict, |k| &k.callbacks) {
            list.items.borrow_mut().push(callback);
            return Ok(());
        }
        fut.dict
            .set_str(key(|k| &k.callbacks), Value::list(vec![callback]));
        return Ok(());
    }
    let loop_id = loop_id_of(fut)?;
    push_job(vm, loop_id, Job::Call(callback, fut_value.clone()))
}

/// `task_wakeup(task, future)`: the done callback a task sets on the future it awaits.
pub(super) fn task_wakeup_native(vm: &mut Vm, args: Args) -> PResult<Value> {
    let task = arg(&args, 0)?.clone();
    let future = arg(&args, 1)?.clone();
    let finished_ok = match &future {
        Value::Instance(f) => {
            is_plain_future(vm, f)
                && matches!(get(&f.dict, |k| &k.state), Value::Str(s) if s.as_str() == "FINISHED")
                && get(&f.dict, |k| &k.exception).is_none()
        }
        _ => false,
    };
    let exc = if finished_ok {
        None
    } else {
        match vm.call_method(&future, "result", &[]) {
            Ok(_) => None,
            Err(e) => Some(vm.exc_value(e)),
        }
    };
    step(vm, &task, exc)?;
    Ok(Value::None)
}

/// `future_set_result(fut, result)`: `Future.set_result`.
pub(super) fn future_set_result_native(vm: &mut Vm, args: Args) -> PResult<Value> {
    let fut = instance(arg(&args, 0)?)?.clone();
    let result = arg(&args, 1)?.clone();
    set_result(vm, &fut, result)?;
    Ok(Value::None)
}

fn set_result(vm: &mut Vm, fut: &Rc<Instance>, result: Value) -> PResult<()> {
    if !is_pending(&fut.dict) {
        let cls = lib_get(vm, "InvalidStateError")?;
        let err = vm.call(&cls, &[Value::str("invalid state")])?;
        return Err(Exc::Value(err));
    }
    fut.dict.set_str(key(|k| &k.result), result);
    fut.dict
        .set_str(key(|k| &k.state), Value::Str(intern_name("FINISHED")));
    schedule_callbacks(vm, fut)
}

/// `schedule_callbacks(fut)`: `Future._schedule_callbacks`, each callback called with the
/// future on the next iteration, in the order they were added.
pub(super) fn schedule_callbacks_native(vm: &mut Vm, args: Args) -> PResult<Value> {
    let fut = instance(arg(&args, 0)?)?.clone();
    schedule_callbacks(vm, &fut)?;
    Ok(Value::None)
}

fn schedule_callbacks(vm: &mut Vm, fut: &Rc<Instance>) -> PResult<()> {
    let callbacks = match get(&fut.dict, |k| &k.callbacks) {
        Value::List(list) => {
            if list.items.borrow().is_empty() {
                return Ok(());
            }
            // Emptied in place: the list is the future's own, never handed out.
            std::mem::take(&mut *list.items.borrow_mut())
        }
        _ => return Ok(()),
    };
    let loop_id = loop_id_of(fut)?;
    let fut_value = Value::Instance(fut.clone());
    for callback in callbacks {
        push_job(vm, loop_id, Job::Call(callback, fut_value.clone()))?;
    }
    Ok(())
}

/// `future_await(fut)`: `Future.__await__` (and `__iter__`), a native iterator.
pub(super) fn future_await_native(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let fut = arg(&args, 0)?.clone();
    let state = IterState::NativeAwait {
        target: fut,
        stage: 0,
        step: future_await_step,
    };
    Ok(Iter::new_value(state, "FutureIter"))
}

/// The steps of awaiting a future, as the apy generator did: yield the future itself (marked
/// blocking) while it is pending, then return its result.
fn future_await_step(
    vm: &mut Vm,
    fut: &Value,
    stage: &mut u32,
    _sent: Value,
) -> PResult<GenResult> {
    let inst = instance(fut)?.clone();
    let at = *stage;
    *stage = 2;
    match at {
        0 if is_pending(&inst.dict) => {
            *stage = 1;
            inst.dict.set_str(key(|k| &k.blocking), Value::Bool(true));
            return Ok(GenResult::Yield(fut.clone()));
        }
        0 => {}
        1 if is_pending(&inst.dict) => {
            return Err(Exc::runtime_error("await wasn't used with future"));
        }
        1 => {}
        // Finished: as an exhausted generator.
        _ => return Err(Exc::stop_iteration()),
    }
    let finished_ok = matches!(get(&inst.dict, |k| &k.state), Value::Str(s) if s.as_str() == "FINISHED")
        && get(&inst.dict, |k| &k.exception).is_none();
    if finished_ok {
        return Ok(GenResult::Return(get(&inst.dict, |k| &k.result)));
    }
    Ok(GenResult::Return(vm.call_method(fut, "result", &[])?))
}

/// For an instance of exactly `Future` or `Task`: sets the result if still pending (`Some(true)`)
/// or reports it done (`Some(false)`); `None` for anything else.
pub(super) fn set_result_of_plain(
    vm: &mut Vm,
    fut: &Value,
    result: Value,
) -> PResult<Option<bool>> {
    let Value::Instance(inst) = fut else {
        return Ok(None);
    };
    if !is_plain_future(vm, inst) {
        return Ok(None);
    }
    if !is_pending(&inst.dict) {
        return Ok(Some(false));
    }
    set_result(vm, inst, result)?;
    Ok(Some(true))
}

/// `set_result_unless_cancelled(fut, result)`: what a `sleep` timer does when it fires.
pub(super) fn wake_sleeper(vm: &mut Vm, fut: &Value, result: Value) -> PResult<()> {
    let inst = instance(fut)?.clone();
    if is_pending(&inst.dict) && is_plain_future(vm, &inst) {
        return set_result(vm, &inst, result);
    }
    let wake = lib_get(vm, "_set_result_unless_cancelled")?;
    vm.call(&wake, &[fut.clone(), result])?;
    Ok(())
}
