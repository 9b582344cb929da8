//! Native hot paths of the apy-written `Task` and `Future`: a task's step (send into the
//! coroutine, then subscribe to the future it yielded or reschedule itself), its wake-up, and a
//! future's result and done callbacks. The objects stay instances of the library's apy classes,
//! so reprs, subclasses and the rest of the library are unchanged: these functions read and
//! write the same attributes the apy methods use, take the fast path only for the library's
//! own `Future` and `Task` classes, and hand every unusual case (a bad yield, a step on a
//! finished task, a pending cancellation, an exception out of the coroutine) to the apy
//! methods that handle it. Scheduling goes through `Job`s on the native ready queue, in the
//! order CPython 3.11 schedules the same callbacks.

use super::{push_job, sleep, Job};
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::methods::{arg, check_count};
use crate::vm::object::class::{empty_tuple, Class, Instance};
use crate::vm::object::dict::Dict;
use crate::vm::object::function::Args;
use crate::vm::object::iter::{Iter, IterKind, IterState};
use crate::vm::object::str::{intern_name, interned, PyStr};
use crate::vm::resume::GenResult;
use crate::vm::value::{Value, B64};
use crate::vm::Vm;
use std::cell::Cell;
use std::rc::Rc;

/// Where the library's `Future` and `Task` keep their fields: the indices of their
/// `__slots__` members, found by name when the library is bound (the same for every VM, as
/// the library's source is). `NONE` (no slot: reads give `None`, writes are dropped) until then.
#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) state: usize,
    pub(super) loop_: usize,
    pub(super) callbacks: usize,
    pub(super) result: usize,
    pub(super) fut_waiter: usize,
    pub(super) coro: usize,
    pub(super) name: usize,
}

pub(super) const NONE: usize = usize::MAX;

thread_local! {
    /// The event loop's attribute naming its native loop.
    static LOOP_ID: Rc<PyStr> = intern_name("_id");
}

thread_local! {
    static FIELDS: Cell<Fields> = const {
        Cell::new(Fields {
            state: NONE,
            loop_: NONE,
            callbacks: NONE,
            result: NONE,
            fut_waiter: NONE,
            coro: NONE,
            name: NONE,
        })
    };
}

/// A field of a future or task (`None` when unset). Callers make sure `inst` is one
/// (`is_future`, `is_task`): another slotted class lays its slots out differently.
pub(super) fn field(inst: &Instance, pick: fn(&Fields) -> usize) -> Value {
    let index = FIELDS.with(|f| pick(&f.get()));
    inst.slot(index).unwrap_or(Value::None)
}

pub(super) fn set_field(inst: &Instance, pick: fn(&Fields) -> usize, value: Value) {
    let index = FIELDS.with(|f| pick(&f.get()));
    drop(inst.set_slot(index, value));
}

thread_local! {
    static EXCEPTION: Rc<PyStr> = intern_name("_exception");
    static MUST_CANCEL: Rc<PyStr> = intern_name("_must_cancel");
}

/// The exception a future finished with (`None` if none): a field most futures never set,
/// so it is a class default until `set_exception` gives the future its own.
pub(super) fn exception_of(fut: &Instance) -> Value {
    EXCEPTION
        .with(|key| fut.dict_get(key))
        .unwrap_or(Value::None)
}

/// `task._must_cancel`, a class default (`False`) until `cancel()` sets it.
pub(super) fn must_cancel(vm: &mut Vm, task: &Instance) -> PResult<bool> {
    match MUST_CANCEL.with(|key| task.dict_get(key)) {
        Some(v) => vm.truthy(&v),
        None => Ok(false),
    }
}

/// `task._must_cancel = False`, written only if the task has its own.
pub(super) fn clear_must_cancel(task: &Instance) {
    MUST_CANCEL.with(|key| {
        if task.dict_get(key).is_some() {
            task.dict_set(key, Value::Bool(B64::FALSE));
        }
    });
}

/// The library's module namespace and the classes the fast paths recognise.
#[derive(Default)]
pub(super) struct Lib {
    pub dict: Option<Rc<Dict>>,
    future_cls: Option<Rc<Class>>,
    task_cls: Option<Rc<Class>>,
    pub queue_cls: Option<Rc<Class>>,
    pub event_cls: Option<Rc<Class>>,
    /// How many tasks got a default name ("Task-N").
    pub task_counter: i64,
    /// Every task made, oldest first, until `register` compacts the list: those still pending
    /// are `all_tasks()` (CPython's weak set). A finished task stays until the next
    /// compaction, so making and finishing a task cost no dictionary operations.
    tasks: Vec<Rc<Instance>>,
    /// The length at which `register` next drops the finished tasks.
    compact_at: usize,
}

/// The fewest tasks `register` keeps before it compacts.
const MIN_COMPACT: usize = 1024;

/// Adds a new task to the list `all_tasks` reads, dropping the finished ones first whenever
/// the list doubled since the last time (so it holds at most about twice the pending tasks,
/// or `MIN_COMPACT`).
pub(super) fn register(vm: &mut Vm, task: Rc<Instance>) {
    let lib = vm.extension(Lib::default);
    if lib.tasks.len() >= lib.compact_at {
        let kept: Vec<Rc<Instance>> = std::mem::take(&mut lib.tasks)
            .into_iter()
            .filter(|t| is_pending(t))
            .collect();
        lib.compact_at = MIN_COMPACT.max(2 * kept.len());
        lib.tasks = kept;
    }
    lib.tasks.push(task);
}

/// `all_tasks()`: every task not done yet, of every loop, oldest first.
pub(super) fn all_tasks_native(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("all_tasks", &args, 0, 0, 0)?;
    let lib = vm.extension(Lib::default);
    let pending = lib
        .tasks
        .iter()
        .filter(|t| is_pending(t))
        .map(|t| Value::Instance(t.clone()))
        .collect();
    Ok(Value::list(pending))
}

/// Called once the library's apy code has run: remembers what the fast paths compare with,
/// and where `Future` and `Task` keep their fields.
pub(super) fn bind_library(vm: &mut Vm, dict: Rc<Dict>) {
    let class = |name: &str| match dict.get_str(&intern_name(name)) {
        Some(Value::Class(c)) => Some(c),
        _ => None,
    };
    let (future_cls, task_cls) = (class("Future"), class("Task"));
    // Future's slots found on Future (Task hides its `_result` behind a property), the
    // task's own on Task.
    let slot = |name: &str| slot_index(future_cls.as_ref(), name);
    let task_slot = |name: &str| slot_index(task_cls.as_ref(), name);
    FIELDS.with(|f| {
        f.set(Fields {
            state: slot("_state"),
            loop_: slot("_loop"),
            callbacks: slot("_callbacks"),
            result: slot("_result"),
            // What a pending task waits for shares the `_result` slot, free until it is
            // done (`future::task_fut_waiter`).
            fut_waiter: slot("_result"),
            coro: task_slot("_coro"),
            name: task_slot("_name"),
        })
    });
    if let Some(cls) = &future_cls {
        crate::vm::methods::add_methods(cls, "Future", super::future::METHODS);
    }
    let lib = vm.extension(Lib::default);
    lib.future_cls = future_cls;
    lib.task_cls = task_cls;
    lib.queue_cls = class("Queue");
    lib.event_cls = class("Event");
    super::queue::bind(lib.queue_cls.as_ref(), lib.event_cls.as_ref());
    lib.dict = Some(dict);
}

/// The index of `cls`'s `__slots__` member `name`, or `NONE` (reads of it give nothing,
/// writes are dropped) when there is no such class or member.
pub(super) fn slot_index(cls: Option<&Rc<Class>>, name: &str) -> usize {
    match cls.and_then(|c| c.lookup(&intern_name(name))) {
        Some(Value::Member(m)) => m.index,
        _ => NONE,
    }
}

/// An instance of the library's exception class `name`, made with `args`, to raise (or the
/// error making it raised).
pub(super) fn lib_exception(vm: &mut Vm, name: &str, args: &[Value]) -> Exc {
    match lib_get(vm, name).and_then(|cls| vm.call(&cls, args)) {
        Ok(err) => Exc::value(err),
        Err(exc) => exc,
    }
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

/// `inst._asyncio_future_blocking` for an instance of exactly `Future` or `Task` (`isfuture`'s
/// question, whose answer for those classes is in the slot).
pub(super) fn plain_blocking(vm: &mut Vm, inst: &Instance) -> Option<Value> {
    is_plain_future(vm, inst).then(|| Value::bool(is_blocking(inst)))
}

thread_local! {
    /// A pending future's `_state` while it is blocking (`_asyncio_future_blocking`): a
    /// "PENDING" of its own, equal to the interned one that every other pending future
    /// holds but not the same object, so that the flag takes no slot of its own.
    static BLOCKING: Rc<PyStr> = Rc::new(PyStr::new("PENDING"));
}

/// Whether `fut._asyncio_future_blocking` is true.
pub(super) fn is_blocking(fut: &Instance) -> bool {
    matches!(field(fut, |f| f.state), Value::Str(s) if is_blocking_state(&s))
}

fn is_blocking_state(state: &Rc<PyStr>) -> bool {
    BLOCKING.with(|b| Rc::ptr_eq(state, b))
}

/// Sets `fut._asyncio_future_blocking`: only a pending future can be blocking.
pub(super) fn set_blocking(fut: &Instance, on: bool) {
    let Value::Str(state) = field(fut, |f| f.state) else {
        return;
    };
    let now = is_blocking_state(&state);
    if on && !now && state.as_str() == "PENDING" {
        mark_blocking(fut);
    } else if !on && now {
        unmark_blocking(fut);
    }
}

/// `set_blocking(fut, true)` for a future known to be pending.
fn mark_blocking(fut: &Instance) {
    set_field(fut, |f| f.state, Value::Str(BLOCKING.with(Rc::clone)));
}

/// `set_blocking(fut, false)` for a future known to be blocking.
fn unmark_blocking(fut: &Instance) {
    set_field(fut, |f| f.state, Value::Str(interned("PENDING")));
}

/// True for an instance of the library's `Future` or a subclass (`Task` among them): one
/// whose fields `field` can read.
pub(super) fn is_future(vm: &mut Vm, inst: &Instance) -> bool {
    let lib = vm.extension(Lib::default);
    lib.future_cls
        .as_ref()
        .is_some_and(|c| inst.class.is_subclass(c))
}

/// True for an instance of the library's `Task` or a subclass.
pub(super) fn is_task(vm: &mut Vm, inst: &Instance) -> bool {
    let lib = vm.extension(Lib::default);
    lib.task_cls
        .as_ref()
        .is_some_and(|c| inst.class.is_subclass(c))
}

pub(super) fn is_pending(fut: &Instance) -> bool {
    matches!(field(fut, |f| f.state), Value::Str(s) if s.as_str() == "PENDING")
}

/// The id of the native loop a future belongs to (`fut._loop._id`).
pub(super) fn loop_id_of(fut: &Instance) -> PResult<usize> {
    loop_obj_id(&field(fut, |f| f.loop_))
}

/// The id of the native loop behind an event loop object (`loop._id`).
pub(super) fn loop_obj_id(loop_obj: &Value) -> PResult<usize> {
    if let Value::Instance(lp) = loop_obj {
        if let Some(Value::Int(id)) = LOOP_ID.with(|key| lp.dict_get(key)) {
            if let Ok(id) = usize::try_from(id) {
                return Ok(id);
            }
        }
    }
    Err(Exc::runtime_error("Event loop is closed"))
}

/// Every slot of a new future (`Future.__init__`), in the state `futures.apy` expects (its
/// rarely set fields are class defaults).
pub(super) fn init_future(fut: &Instance, loop_obj: Value) {
    set_field(fut, |f| f.loop_, loop_obj);
    set_field(fut, |f| f.state, Value::Str(interned("PENDING")));
    set_field(fut, |f| f.callbacks, empty_tuple());
    set_field(fut, |f| f.result, Value::None);
}

/// The fields `Task.__init__` adds to a future's.
pub(super) fn init_task(task: &Instance, name: Value, coro: Value, context: Option<Value>) {
    set_field(task, |f| f.name, name);
    set_field(task, |f| f.coro, coro);
    if let Some(context) = context.filter(|c| !c.is_none()) {
        task.dict_set(&interned("_context"), context);
    }
    set_field(task, |f| f.fut_waiter, Value::None);
}

/// A new pending `Future` of `loop_obj`: what `Future(loop=loop_obj)` makes, without going
/// through the general instantiation (the class's `__init__` is `future_init`, which sets
/// these same fields).
pub(super) fn new_future(vm: &mut Vm, loop_obj: Value) -> PResult<Value> {
    let Some(cls) = vm.extension(Lib::default).future_cls.clone() else {
        return Err(Exc::internal("asyncio library has no Future"));
    };
    let fut = Instance::new_value(cls);
    if let Value::Instance(inst) = &fut {
        init_future(inst, loop_obj);
    }
    Ok(fut)
}

/// `v` as a future (or task) whose fields can be read.
pub(super) fn future_instance(vm: &mut Vm, v: &Value) -> PResult<Rc<Instance>> {
    match v {
        Value::Instance(inst) if is_future(vm, inst) => Ok(inst.clone()),
        _ => Err(Exc::type_error("a Future or Task was expected")),
    }
}

/// `v` as a task whose fields can be read.
pub(super) fn task_instance(vm: &mut Vm, v: &Value) -> PResult<Rc<Instance>> {
    match v {
        Value::Instance(inst) if is_task(vm, inst) => Ok(inst.clone()),
        _ => Err(Exc::type_error("a Task was expected")),
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
    let inst = task_instance(vm, task)?;
    if !is_pending(&inst) {
        let raise = lib_get(vm, "_step_already_done")?;
        vm.call(&raise, std::slice::from_ref(task))?;
        return Ok(());
    }
    let mut exc = exc;
    if must_cancel(vm, &inst)? {
        let take = vm.get_attr_str(task, "_take_cancel")?;
        let e = vm.call(&take, &[exc.unwrap_or(Value::None)])?;
        exc = Some(e);
    }
    if !field(&inst, |f| f.fut_waiter).is_none() {
        set_field(&inst, |f| f.fut_waiter, Value::None);
    }
    let loop_id = loop_id_of(&inst)?;
    let Value::Generator(coro) = field(&inst, |f| f.coro) else {
        // Not a native coroutine: the apy step handles whatever `send`/`throw` it has.
        let step = vm.get_attr_str(task, "_step_coro")?;
        return set_current(vm, loop_id, task, |vm| {
            vm.call(&step, &[exc.unwrap_or(Value::None)]).map(drop)
        });
    };
    set_current(vm, loop_id, task, |vm| {
        let res = match exc {
            None => vm.gen_send(&coro, Value::None),
            Some(e) => vm.gen_throw(&coro, Exc::value(e)),
        };
        if matches!(&res, Ok(GenResult::Yield(v)) if sleep::is_own_timer(&inst, v)) {
            return sleep::await_timer(vm, task, &inst);
        }
        // Any other outcome leaves a sleep timer the step armed unawaited.
        sleep::disarm(vm, &inst)?;
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
    // Its coroutine runs in a dispatch loop one level deeper than this.
    let nest = vm.nest + 1;
    let (outer, outer_nest) = super::set_current_task(vm, loop_id, task.clone(), nest);
    // The task's own context is current while it runs (`contextvars`).
    let outer_context = match vm.context {
        Some(_) => task_context(task).map(|context| crate::stdlib::contextvars::swap(vm, context)),
        None => None,
    };
    let res = body(vm);
    if let Some(context) = outer_context {
        crate::stdlib::contextvars::swap(vm, context);
    }
    super::set_current_task(vm, loop_id, outer, outer_nest);
    res
}

/// The context a task runs in (set when the program uses contextvars).
fn task_context(task: &Value) -> Option<Value> {
    let Value::Instance(inst) = task else {
        return None;
    };
    inst.dict_get(&interned("_context"))
        .filter(|c| !c.is_none())
}

/// The coroutine returned: the task finishes with its value (or is cancelled if a cancel
/// arrived after its last await).
fn returned(vm: &mut Vm, task: &Value, inst: &Rc<Instance>, value: Value) -> PResult<()> {
    if must_cancel(vm, inst)? || !is_plain_future(vm, inst) {
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
        return Err(Exc::value(exc));
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
        return push_job(vm, loop_id, Job::Step(inst.clone()));
    }
    if let Value::Instance(fut) = &yielded {
        let fast = !Rc::ptr_eq(fut, inst)
            && is_plain_future(vm, fut)
            && is_blocking(fut)
            && loop_id_of(fut).ok() == Some(loop_id);
        if fast {
            unmark_blocking(fut);
            // The task itself stands for its `task_wakeup` among the future's callbacks
            // (`callback_job`): no bound method per await.
            add_done_callback(vm, fut, task.clone())?;
            set_field(inst, |f| f.fut_waiter, yielded);
            if must_cancel(vm, inst)? {
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
pub(super) fn add_done_callback(vm: &mut Vm, fut: &Rc<Instance>, callback: Value) -> PResult<()> {
    if is_pending(fut) {
        let callbacks = match field(fut, |f| f.callbacks) {
            Value::List(list) => {
                list.items.borrow_mut().push(callback);
                return Ok(());
            }
            // `()` (or an unset field): none yet; the first is kept as itself.
            Value::Tuple(_) | Value::None => callback,
            first => Value::list(vec![first, callback]),
        };
        set_field(fut, |f| f.callbacks, callbacks);
        return Ok(());
    }
    let loop_id = loop_id_of(fut)?;
    let job = callback_job(vm, callback, fut);
    push_job(vm, loop_id, job)
}

/// The job that runs a done callback of `fut`: a task among a future's callbacks is the
/// task waiting on it (`handle_yield`), woken up; anything else is called with the future.
fn callback_job(vm: &mut Vm, callback: Value, fut: &Rc<Instance>) -> Job {
    match callback {
        Value::Instance(inst) if is_task(vm, &inst) => {
            Job::Wakeup(Box::new((inst, Value::Instance(fut.clone()))))
        }
        _ => Job::Call(Box::new((callback, fut.clone()))),
    }
}

/// `task_wakeup(task, future)`: the done callback a task sets on the future it awaits.
pub(super) fn task_wakeup_native(vm: &mut Vm, args: Args) -> PResult<Value> {
    let task = arg(&args, 0)?.clone();
    let future = arg(&args, 1)?.clone();
    wakeup(vm, &task, &future)?;
    Ok(Value::None)
}

/// Steps `task` now that `future`, which it awaited, is done: with the future's exception
/// thrown in, if it has one.
pub(super) fn wakeup(vm: &mut Vm, task: &Value, future: &Value) -> PResult<()> {
    let finished_ok = match future {
        Value::Instance(f) => {
            is_plain_future(vm, f)
                && matches!(field(f, |f| f.state), Value::Str(s) if s.as_str() == "FINISHED")
                && exception_of(f).is_none()
        }
        _ => false,
    };
    let exc = if finished_ok {
        None
    } else {
        match vm.call_method(future, "result", &[]) {
            Ok(_) => None,
            Err(e) => Some(vm.exc_value(e)),
        }
    };
    step(vm, task, exc)
}

/// `future_set_result(fut, result)`: `Future.set_result`.
pub(super) fn future_set_result_native(vm: &mut Vm, args: Args) -> PResult<Value> {
    let fut = future_instance(vm, arg(&args, 0)?)?;
    let result = arg(&args, 1)?.clone();
    set_result(vm, &fut, result)?;
    Ok(Value::None)
}

fn set_result(vm: &mut Vm, fut: &Rc<Instance>, result: Value) -> PResult<()> {
    if !is_pending(fut) {
        let unset = [Value::str("invalid state")];
        return Err(lib_exception(vm, "InvalidStateError", &unset));
    }
    set_field(fut, |f| f.result, result);
    set_field(fut, |f| f.state, Value::Str(interned("FINISHED")));
    schedule_callbacks(vm, fut)
}

/// `schedule_callbacks(fut)`: `Future._schedule_callbacks`, each callback called with the
/// future on the next iteration, in the order they were added.
pub(super) fn schedule_callbacks_native(vm: &mut Vm, args: Args) -> PResult<Value> {
    let fut = future_instance(vm, arg(&args, 0)?)?;
    schedule_callbacks(vm, &fut)?;
    Ok(Value::None)
}

fn schedule_callbacks(vm: &mut Vm, fut: &Rc<Instance>) -> PResult<()> {
    let callbacks = match field(fut, |f| f.callbacks) {
        Value::List(list) => {
            if list.items.borrow().is_empty() {
                return Ok(());
            }
            // Emptied in place: the list is the future's own, never handed out.
            std::mem::take(&mut *list.items.borrow_mut())
        }
        Value::Tuple(_) | Value::None => return Ok(()),
        // A future's only callback is kept as itself (`futures.apy`, `_callback_list`).
        one => {
            set_field(fut, |f| f.callbacks, empty_tuple());
            vec![one]
        }
    };
    let loop_id = loop_id_of(fut)?;
    for callback in callbacks {
        let job = callback_job(vm, callback, fut);
        push_job(vm, loop_id, job)?;
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
    Ok(Iter::new_value(state, IterKind::FutureIter))
}

/// The steps of awaiting a future, as the apy generator did: yield the future itself (marked
/// blocking) while it is pending, then return its result.
fn future_await_step(
    vm: &mut Vm,
    fut: &Value,
    stage: &mut u32,
    _sent: Value,
) -> PResult<GenResult> {
    let inst = future_instance(vm, fut)?;
    let at = *stage;
    *stage = 2;
    match at {
        0 if is_pending(&inst) => {
            *stage = 1;
            mark_blocking(&inst);
            return Ok(GenResult::Yield(fut.clone()));
        }
        0 => {}
        1 if is_pending(&inst) => {
            return Err(Exc::runtime_error("await wasn't used with future"));
        }
        1 => {}
        // Finished: as an exhausted generator.
        _ => return Err(Exc::stop_iteration()),
    }
    let finished_ok = matches!(field(&inst, |f| f.state), Value::Str(s) if s.as_str() == "FINISHED")
        && exception_of(&inst).is_none();
    if finished_ok {
        return Ok(GenResult::Return(field(&inst, |f| f.result)));
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
    if !is_pending(inst) {
        return Ok(Some(false));
    }
    set_result(vm, inst, result)?;
    Ok(Some(true))
}

/// `set_result_unless_cancelled(fut, result)`: what a `sleep` timer does when it fires.
pub(super) fn wake_sleeper(vm: &mut Vm, fut: &Value, result: Value) -> PResult<()> {
    let inst = future_instance(vm, fut)?;
    if is_plain_future(vm, &inst) && is_pending(&inst) {
        return set_result(vm, &inst, result);
    }
    let wake = lib_get(vm, "_set_result_unless_cancelled")?;
    vm.call(&wake, &[fut.clone(), result])?;
    Ok(())
}
