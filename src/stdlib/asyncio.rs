//! The `asyncio` module: a native core over `crate::runtime::EventLoop` (the ready queue,
//! the timers, the one clock, stall detection) and the library itself, written in apy under
//! `asyncio/` and compiled on first import. The apy side defines every asyncio type (Future,
//! Task, Handle, the loop object, queues, locks) and decides what is scheduled when; the native
//! side runs each iteration's batch of `Job`s, the batch CPython's `_run_once` would run, and
//! (in `asyncio/task.rs` and `asyncio/construct.rs`) the hot methods of Future and Task.

use crate::compile::code::CodeKind;
use crate::diagnostics::render_traceback;
use crate::runtime::{EventLoop, Iteration, TimerHandle};
use crate::stdlib::time::ThreadSleep;
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::introspect::{await_chain, definition_site};
use crate::vm::methods::{arg, check_count};
use crate::vm::object::class::Instance;
use crate::vm::object::function::{Args, NativeFn};
use crate::vm::object::iter::{Iter, IterKind, IterState};
use crate::vm::value::{Value, B64};
use crate::vm::Vm;
use hashbrown::HashMap;
use std::rc::Rc;

/// The library sources, run in this order in the module's namespace (later files use names the
/// earlier ones define). Each keeps its own file name in tracebacks.
const SOURCES: &[(&str, &str)] = &[
    ("<asyncio>/base.apy", include_str!("asyncio/base.apy")),
    ("<asyncio>/futures.apy", include_str!("asyncio/futures.apy")),
    ("<asyncio>/tasks.apy", include_str!("asyncio/tasks.apy")),
    (
        "<asyncio>/combinators.apy",
        include_str!("asyncio/combinators.apy"),
    ),
    ("<asyncio>/sync.apy", include_str!("asyncio/sync.apy")),
    ("<asyncio>/queues.apy", include_str!("asyncio/queues.apy")),
    ("<asyncio>/runners.apy", include_str!("asyncio/runners.apy")),
];

mod construct;
mod future;
mod queue;
mod sleep;
mod task;
mod thread;
pub use thread::input_result;

/// What a ready-queue entry does when its turn comes. Sixteen bytes (a test holds): a
/// hundred thousand tasks made at once all queue their first step, and each sleeping task's
/// timer keeps one in its slot. So every job is one word beside the tag, which the niche in a
/// `Value`'s tag word holds, except `Handle`, which is that value: the jobs with two parts keep
/// them in a box (a done callback's call, a wake-up, a step that throws).
enum Job {
    /// A `Handle`'s `_run` (from `loop.call_soon`/`call_at`), which reports its own errors.
    Handle(Value),
    /// A library-internal callback `func(arg)` (a future's done callback, the future its
    /// argument); an exception is reported the way the `Handle` CPython would have made would
    /// report it.
    Call(Box<(Value, Rc<Instance>)>),
    /// A task's step.
    Step(Rc<Instance>),
    /// A task's step that throws an exception into its coroutine.
    Throw(Box<(Rc<Instance>, Value)>),
    /// A task's wake-up when the future it awaits is done (`task_wakeup(task, fut)`).
    Wakeup(Box<(Rc<Instance>, Value)>),
    /// A `sleep` timer outside a task: sets the future's result unless it was cancelled.
    Wake(Box<(Value, Value)>),
    /// A task's `sleep` timer (`asyncio/sleep.rs`): schedules the task's step.
    SleepWake(Rc<Instance>),
    /// Another thread's `Posted`: calls the listener it names, if still registered.
    Posted(i64),
}

/// What another thread (the REPL's line reader) posts to a loop: the id of a listener that
/// `_core.listen` registered. The loop turns it into a call of the listener's callback.
pub struct Posted(pub i64);

impl From<Posted> for Job {
    fn from(posted: Posted) -> Job {
        Job::Posted(posted.0)
    }
}

/// Every event loop the program created, by id.
#[derive(Default)]
struct Loops {
    loops: Vec<Option<LoopState>>,
}

struct LoopState {
    /// A timer's id (what `call_at` returns, `cancel_timer` takes) is its handle's bits.
    ev: EventLoop<Job, Posted>,
    /// Callbacks waiting for a `Posted` from another thread, by listener id.
    listeners: HashMap<i64, Value>,
    next_listener_id: i64,
    /// The task whose step is running (`asyncio.current_task()`), or `None`.
    current: Value,
    /// The `Vm::nest` of the dispatch loop running the current task's coroutine: a native
    /// called straight from that loop runs one level deeper; a `Send` of that loop at this
    /// level (`sleep::start_timer`).
    current_nest: u32,
}

pub fn init(vm: &mut Vm) -> PResult<Value> {
    let (module, dict) = vm.new_module("asyncio");
    let (core, core_dict) = vm.new_module("_asyncio_core");
    let table: &[(&'static str, NativeFn)] = &[
        ("new_loop", new_loop),
        ("close_loop", close_loop),
        ("time", time),
        ("call_soon", call_soon),
        ("call_at", call_at),
        ("cancel_timer", cancel_timer),
        ("run_once", run_once),
        ("listen", listen),
        ("unlisten", unlisten),
        ("run_batch", run_batch),
        ("run_until_stopped", run_until_stopped),
        ("call_soon_cb", call_soon_cb),
        ("schedule_step", schedule_step),
        ("set_native_sleep", sleep::set_native_sleep),
        ("sleep_future", sleep::sleep_future),
        ("cancel_sleep", sleep::cancel_sleep),
        ("waiter_repr", sleep::waiter_repr),
        ("current_task", current_task),
        ("all_tasks", task::all_tasks_native),
        ("yield_once", yield_once),
        ("task_step", task::task_step_native),
        ("queue_full", queue::full),
        ("queue_empty", queue::empty),
        ("queue_put_nowait", queue::put_nowait),
        ("queue_get_nowait", queue::get_nowait),
        ("queue_offer", queue::offer),
        ("queue_take", queue::take),
        ("future_await", task::future_await_native),
        ("future_init", construct::future_init),
        ("loop_create_future", construct::loop_create_future),
        ("get_running_loop", construct::get_running_loop),
        ("waiter", construct::waiter),
        ("task_init", construct::task_init),
        ("task_wakeup", task::task_wakeup_native),
        ("task_fut_waiter", future::task_fut_waiter),
        ("set_task_fut_waiter", future::set_task_fut_waiter),
        ("task_result", future::task_result),
        ("future_blocking", future::future_blocking),
        ("set_future_blocking", future::set_future_blocking),
        ("future_set_result", task::future_set_result_native),
        ("schedule_callbacks", task::schedule_callbacks_native),
        ("stop", stop),
        ("is_stopping", is_stopping),
        ("clear_stop", clear_stop),
        ("await_chain", chain),
        ("definition", definition),
        ("python_path", python_path),
        ("origin", origin),
        ("is_coroutine", is_coroutine),
        ("iscoroutine", is_coroutine),
        ("isfuture", isfuture),
        ("is_coroutine_function", is_coroutine_function),
        ("set_asyncgen_firstiter", set_asyncgen_firstiter),
        ("set_thread_sleep_hook", set_thread_sleep_hook),
        ("set_in_thread", set_in_thread),
        ("green_thread", thread::green_thread),
        ("read_line", thread::read_line),
        ("take_line", thread::take_line),
        ("cpu_count", thread::cpu_count),
        ("clock_sleep", clock_sleep),
        ("format_exception", format_exception),
    ];
    crate::vm::methods::add_functions(&core_dict, table);
    dict.set_item_str("_core", core);
    dict.set_item_str("__builtins__", Value::Dict(vm.builtins.clone()));
    for &(file, text) in SOURCES {
        let code = crate::stdlib::lib::compiled(file, text)?;
        vm.run_code(code, dict.clone())?;
    }
    task::bind_library(vm, dict);
    Ok(module)
}

fn loop_state<'a>(vm: &'a mut Vm, args: &Args) -> PResult<&'a mut LoopState> {
    let id = match arg(args, 0)? {
        Value::Int(i) => usize::try_from(*i).ok(),
        _ => None,
    };
    let loops = vm.extension(Loops::default);
    id.and_then(|id| loops.loops.get_mut(id))
        .and_then(Option::as_mut)
        .ok_or_else(|| Exc::runtime_error("Event loop is closed"))
}

fn float_arg(vm: &Vm, v: &Value) -> PResult<f64> {
    match v {
        Value::Float(f) => Ok(f.get()),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(b.get() as i64 as f64),
        other => Err(Exc::type_error(format!(
            "must be real number, not {}",
            vm.type_name(other)
        ))),
    }
}

fn new_loop(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("new_loop", &args, 0, 0, 0)?;
    let clock = vm.clock.clone();
    let ev = EventLoop::new(clock)
        .map_err(|e| Exc::runtime_error(format!("cannot create an event loop: {e}")))?;
    let loops = vm.extension(Loops::default);
    loops.loops.push(Some(LoopState {
        ev,
        listeners: HashMap::new(),
        next_listener_id: 0,
        current: Value::None,
        current_nest: 0,
    }));
    Ok(Value::Int(loops.loops.len() as i64 - 1))
}

fn close_loop(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("close_loop", &args, 0, 1, 1)?;
    if let Value::Int(i) = arg(&args, 0)? {
        let loops = vm.extension(Loops::default);
        if let Some(slot) = usize::try_from(*i)
            .ok()
            .and_then(|i| loops.loops.get_mut(i))
        {
            // Dropping the loop drops the callbacks it still holds.
            let old = slot.take();
            drop(old);
        }
    }
    Ok(Value::None)
}

fn time(vm: &mut Vm, _args: Args) -> PResult<Value> {
    Ok(Value::float(vm.clock.now()))
}

fn call_soon(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("call_soon", &args, 0, 2, 2)?;
    let func = arg(&args, 1)?.clone();
    loop_state(vm, &args)?.ev.call_soon(Job::Handle(func));
    Ok(Value::None)
}

fn call_at(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("call_at", &args, 0, 3, 3)?;
    let when = float_arg(vm, arg(&args, 1)?)?;
    let func = arg(&args, 2)?.clone();
    let handle = loop_state(vm, &args)?.ev.call_at(when, Job::Handle(func));
    Ok(Value::Int(handle.to_bits()))
}

fn cancel_timer(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("cancel_timer", &args, 0, 2, 2)?;
    let handle = match arg(&args, 1)? {
        Value::Int(bits) => TimerHandle::from_bits(*bits),
        _ => None,
    };
    if let Some(handle) = handle {
        drop(loop_state(vm, &args)?.ev.cancel_timer(handle));
    }
    Ok(Value::None)
}

/// `run_once(id)`: one iteration (CPython's `_run_once` up to running the handles): how many
/// callables are ready to run now, or `None` if the loop stalled (nothing ready, no timer,
/// nothing external: nothing can ever happen). Take them with `next_ready`.
fn run_once(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("run_once", &args, 0, 1, 1)?;
    vm.flush_out();
    let state = loop_state(vm, &args)?;
    let iteration = state
        .ev
        .run_once()
        .map_err(|e| Exc::runtime_error(format!("event loop poll failed: {e}")))?;
    Ok(match iteration {
        Iteration::Stalled => Value::None,
        Iteration::Ready(n) => Value::Int(n as i64),
    })
}

/// Takes the listener `listener` of loop `id` off the books.
fn state_listener(vm: &mut Vm, id: usize, listener: i64) -> PResult<Option<Value>> {
    let state = loop_by_id(vm, id)?;
    let func = state.listeners.remove(&listener);
    if func.is_some() {
        state.ev.listen_end();
    }
    Ok(func)
}

/// `listen(id, callback)`: registers `callback` to run when another thread posts the returned
/// listener id (see `poster`). Until then the loop does not stall, but virtual time still jumps.
fn listen(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("listen", &args, 0, 2, 2)?;
    let func = arg(&args, 1)?.clone();
    let state = loop_state(vm, &args)?;
    let id = state.next_listener_id;
    state.next_listener_id += 1;
    state.listeners.insert(id, func);
    state.ev.listen_begin();
    Ok(Value::Int(id))
}

/// `unlisten(id, listener)`: withdraws a listener that has not been woken.
fn unlisten(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("unlisten", &args, 0, 2, 2)?;
    let id = match arg(&args, 1)? {
        Value::Int(i) => *i,
        _ => return Ok(Value::None),
    };
    let state = loop_state(vm, &args)?;
    if state.listeners.remove(&id).is_some() {
        state.ev.listen_end();
    }
    Ok(Value::None)
}

/// A handle through which another thread wakes listeners of loop `loop_id` (the REPL's line
/// reader): post `Posted(listener_id)`. `None` if there is no such open loop.
pub fn poster(vm: &mut Vm, loop_id: i64) -> Option<crate::runtime::Completer<Posted>> {
    let loops = vm.extension(Loops::default);
    let state = usize::try_from(loop_id)
        .ok()
        .and_then(|id| loops.loops.get(id))?
        .as_ref()?;
    Some(state.ev.completer())
}

/// The loop with this id, or the error CPython gives for a closed loop.
fn loop_by_id(vm: &mut Vm, id: usize) -> PResult<&mut LoopState> {
    vm.extension(Loops::default)
        .loops
        .get_mut(id)
        .and_then(Option::as_mut)
        .ok_or_else(|| Exc::runtime_error("Event loop is closed"))
}

/// Queues a job on loop `id` for the next iteration.
fn push_job(vm: &mut Vm, id: usize, job: Job) -> PResult<()> {
    loop_by_id(vm, id)?.ev.call_soon(job);
    Ok(())
}

/// Makes `task` the loop's current task, its coroutine run by a dispatch loop at `nest`;
/// returns the task and level it replaces.
fn set_current_task(vm: &mut Vm, id: usize, task: Value, nest: u32) -> (Value, u32) {
    match loop_by_id(vm, id) {
        Ok(state) => (
            std::mem::replace(&mut state.current, task),
            std::mem::replace(&mut state.current_nest, nest),
        ),
        Err(_) => (Value::None, 0),
    }
}

fn loop_id_arg(args: &Args) -> PResult<usize> {
    match arg(args, 0)? {
        Value::Int(i) => {
            usize::try_from(*i).map_err(|_| Exc::runtime_error("Event loop is closed"))
        }
        _ => Err(Exc::runtime_error("Event loop is closed")),
    }
}

/// `run_batch(id, loop)`: runs the jobs of the current iteration's batch. Taking them one at a
/// time keeps the rest of the batch queued (at the front, as in CPython) if an exception
/// escapes the loop halfway.
fn run_batch(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("run_batch", &args, 0, 2, 2)?;
    let id = loop_id_arg(&args)?;
    run_jobs(vm, id, arg(&args, 1)?)?;
    Ok(Value::None)
}

/// `run_until_stopped(id, loop)`: the body of `run_forever`, iterations (`run_once`, then
/// `run_batch`) until `stop` is called; a stalled loop goes to `_report_deadlock`.
fn run_until_stopped(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("run_until_stopped", &args, 0, 2, 2)?;
    let id = loop_id_arg(&args)?;
    let loop_obj = arg(&args, 1)?;
    loop {
        // An iteration with no jobs still counts against the budget and hears Ctrl-C.
        vm.back_edge()?;
        vm.flush_out();
        let iteration = loop_by_id(vm, id)?
            .ev
            .run_once()
            .map_err(|e| Exc::runtime_error(format!("event loop poll failed: {e}")))?;
        if let Iteration::Stalled = iteration {
            let report = task::lib_get(vm, "_report_deadlock")?;
            vm.call(&report, std::slice::from_ref(loop_obj))?;
        }
        run_jobs(vm, id, loop_obj)?;
        if loop_by_id(vm, id)?.ev.is_stopping() {
            return Ok(Value::None);
        }
    }
}

/// Runs the jobs of loop `id`'s current batch, one at a time.
fn run_jobs(vm: &mut Vm, id: usize, loop_obj: &Value) -> PResult<()> {
    loop {
        let state = loop_by_id(vm, id)?;
        let Some(job) = state.ev.next_ready() else {
            return Ok(());
        };
        vm.back_edge()?;
        let res = match &job {
            Job::Handle(run) => {
                vm.call(run, &[])?;
                continue;
            }
            Job::Posted(listener) => {
                // A post for a listener withdrawn meanwhile wakes nothing.
                if let Some(func) = state_listener(vm, id, *listener)? {
                    vm.call(&func, &[])?;
                }
                continue;
            }
            Job::Call(call) => vm
                .call(&call.0, &[Value::Instance(call.1.clone())])
                .map(drop),
            Job::Step(task) => task::step(vm, &Value::Instance(task.clone()), None),
            Job::Throw(throw) => {
                task::step(vm, &Value::Instance(throw.0.clone()), Some(throw.1.clone()))
            }
            Job::Wakeup(wake) => task::wakeup(vm, &Value::Instance(wake.0.clone()), &wake.1),
            Job::Wake(wake) => task::wake_sleeper(vm, &wake.0, wake.1.clone()),
            Job::SleepWake(task) => sleep::fired(vm, task),
        };
        if let Err(e) = res {
            report_failed_job(vm, loop_obj, job, e)?;
        }
    }
}

/// An exception out of a library-internal job goes to the loop's exception handler, with the
/// context a CPython `Handle` would give; `SystemExit` and `KeyboardInterrupt` leave the loop.
fn report_failed_job(vm: &mut Vm, loop_obj: &Value, job: Job, e: Exc) -> PResult<()> {
    if vm.exc_matches(&e, ExcKind::SystemExit) || vm.exc_matches(&e, ExcKind::KeyboardInterrupt) {
        return Err(e);
    }
    let exc = vm.exc_value(e);
    let (func, args) = match job {
        Job::Handle(run) => (run, Vec::new()),
        Job::Call(call) => {
            let (func, arg) = *call;
            (func, vec![Value::Instance(arg)])
        }
        Job::Step(task) => (
            vm.get_attr_str(&Value::Instance(task), "task_step")?,
            Vec::new(),
        ),
        Job::Throw(throw) => {
            let (task, exc) = *throw;
            (
                vm.get_attr_str(&Value::Instance(task), "task_step")?,
                vec![exc],
            )
        }
        Job::Wakeup(wake) => {
            let (task, fut) = *wake;
            (
                vm.get_attr_str(&Value::Instance(task), "task_wakeup")?,
                vec![fut],
            )
        }
        Job::Wake(wake) => {
            let (fut, result) = *wake;
            (
                task::lib_get(vm, "_set_result_unless_cancelled")?,
                vec![fut, result],
            )
        }
        Job::SleepWake(task) => (
            vm.get_attr_str(&Value::Instance(task), "task_step")?,
            Vec::new(),
        ),
        Job::Posted(_) => return Err(Exc::value(exc)),
    };
    let report = task::lib_get(vm, "_callback_failed")?;
    vm.call(&report, &[loop_obj.clone(), func, Value::tuple(args), exc])?;
    Ok(())
}

/// `call_soon_cb(id, func, arg)`: schedules `func(arg)` without a `Handle` (the library's own
/// callbacks, whose handles nobody sees).
fn call_soon_cb(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("call_soon_cb", &args, 0, 3, 3)?;
    let id = loop_id_arg(&args)?;
    let fut = task::future_instance(vm, arg(&args, 2)?)?;
    let job = Job::Call(Box::new((arg(&args, 1)?.clone(), fut)));
    push_job(vm, id, job)?;
    Ok(Value::None)
}

/// `schedule_step(id, task)`: schedules the task's (first) step.
fn schedule_step(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("schedule_step", &args, 0, 2, 2)?;
    let id = loop_id_arg(&args)?;
    let task = task::task_instance(vm, arg(&args, 1)?)?;
    push_job(vm, id, Job::Step(task))?;
    Ok(Value::None)
}

/// `yield_once(awaitable)`: `_YieldOnce.__await__`, an iterator that yields `None` once (a
/// bare yield: the task runs again on the next iteration).
fn yield_once(_vm: &mut Vm, _args: Args) -> PResult<Value> {
    let state = IterState::NativeAwait {
        target: Value::None,
        stage: 0,
        step: yield_once_step,
    };
    Ok(Iter::new_value(state, IterKind::YieldOnce))
}

/// Yields `None` once, then returns `None`.
fn yield_once_step(
    _vm: &mut Vm,
    _target: &Value,
    stage: &mut u32,
    _sent: Value,
) -> PResult<crate::vm::resume::GenResult> {
    let at = *stage;
    *stage = 1;
    Ok(match at {
        0 => crate::vm::resume::GenResult::Yield(Value::None),
        _ => crate::vm::resume::GenResult::Return(Value::None),
    })
}

/// `current_task(id)`: the task whose step is running on that loop, or `None`.
fn current_task(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("current_task", &args, 0, 1, 1)?;
    let id = loop_id_arg(&args)?;
    Ok(loop_by_id(vm, id)
        .map(|s| s.current.clone())
        .unwrap_or(Value::None))
}

fn stop(vm: &mut Vm, args: Args) -> PResult<Value> {
    loop_state(vm, &args)?.ev.stop();
    Ok(Value::None)
}

fn is_stopping(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::bool(loop_state(vm, &args)?.ev.is_stopping()))
}

fn clear_stop(vm: &mut Vm, args: Args) -> PResult<Value> {
    loop_state(vm, &args)?.ev.clear_stop();
    Ok(Value::None)
}

/// `await_chain(coro)`: `[(name, file, line), ...]` from the coroutine's own frame down to the
/// innermost suspended one.
fn chain(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let sites = match arg(&args, 0)? {
        Value::Generator(gen) => await_chain(gen),
        _ => Vec::new(),
    };
    let items = sites
        .into_iter()
        .map(|site| {
            Value::tuple(vec![
                Value::string(site.name),
                Value::string(site.file),
                Value::Int(site.line as i64),
            ])
        })
        .collect();
    Ok(Value::list(items))
}

/// `python_path(name)`: a source name as Python code sees it (`vm::machine::python_path`).
fn python_path(_vm: &mut Vm, args: Args) -> PResult<Value> {
    match arg(&args, 0)? {
        Value::Str(name) => Ok(Value::string(crate::vm::machine::python_path(
            name.as_str(),
        ))),
        other => Ok(other.clone()),
    }
}

/// `definition(coro)`: `(file, line)` of the coroutine function's `def` (known after the
/// coroutine has finished too), or `None` for an object that is not an apy coroutine.
fn definition(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(match arg(&args, 0)? {
        Value::Generator(gen) => {
            let (file, line) = definition_site(gen);
            let file = crate::vm::machine::python_path(&file);
            Value::tuple(vec![Value::string(file), Value::Int(line as i64)])
        }
        _ => Value::None,
    })
}

/// `origin(coro)`: `"file:line"` of the call that created the coroutine, or `None`.
fn origin(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let site = match arg(&args, 0)? {
        Value::Generator(gen) => gen.origin_site(),
        _ => None,
    };
    Ok(match site {
        Some((file, line, _)) => Value::string(format!("{file}:{line}")),
        None => Value::None,
    })
}

fn is_coroutine(_vm: &mut Vm, args: Args) -> PResult<Value> {
    // As CPython's `asyncio.iscoroutine`, plain generators count too (generator-based
    // coroutines), and so do an async generator's `asend`/`athrow` awaitables (they have
    // the coroutine protocol); async generators do not.
    let yes = match arg(&args, 0)? {
        Value::Generator(g) => matches!(g.kind, CodeKind::Coroutine | CodeKind::Generator),
        Value::Iter(it) => it.is_async_step(),
        _ => false,
    };
    Ok(Value::bool(yes))
}

/// `isfuture(obj)`: CPython's duck-typed test, an object whose class and itself have a
/// non-`None` `_asyncio_future_blocking`.
fn isfuture(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("isfuture", &args, 0, 1, 1)?;
    let obj = arg(&args, 0)?;
    if let Value::Instance(inst) = obj {
        if let Some(blocking) = task::plain_blocking(vm, inst) {
            return Ok(Value::bool(!blocking.is_none()));
        }
    }
    let cls = vm.class_of(obj);
    let marked = cls
        .lookup_str("_asyncio_future_blocking")
        .is_some_and(|v| !v.is_none());
    if !marked {
        return Ok(Value::Bool(B64::FALSE));
    }
    match vm.get_attr_str(obj, "_asyncio_future_blocking") {
        Ok(v) => Ok(Value::bool(!v.is_none())),
        Err(e) if vm.exc_matches(&e, ExcKind::AttributeError) => Ok(Value::Bool(B64::FALSE)),
        Err(e) => Err(e),
    }
}

fn is_coroutine_function(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let func = match arg(&args, 0)? {
        Value::Method(m) => m.func.clone(),
        other => other.clone(),
    };
    let yes = matches!(&func, Value::Function(f)
        if f.code.obj.kind == CodeKind::Coroutine);
    Ok(Value::bool(yes))
}

/// `set_asyncgen_firstiter(hook)`: installs the hook called with each async generator on its
/// first iteration (`None` removes it); returns the previous hook.
fn set_asyncgen_firstiter(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set_asyncgen_firstiter", &args, 0, 1, 1)?;
    let hook = Some(arg(&args, 0)?.clone()).filter(|h| !h.is_none());
    Ok(vm.set_async_gen_firstiter(hook).unwrap_or(Value::None))
}

/// `set_thread_sleep_hook(hook)`: what `time.sleep(secs)` calls inside a green thread.
fn set_thread_sleep_hook(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set_thread_sleep_hook", &args, 0, 1, 1)?;
    let hook = Some(arg(&args, 0)?.clone()).filter(|h| !h.is_none());
    vm.extension(ThreadSleep::default).hook = hook;
    Ok(Value::None)
}

/// `set_in_thread(flag)`: marks whether a green thread's function is running; returns the
/// previous mark so that callers can restore it.
fn set_in_thread(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set_in_thread", &args, 0, 1, 1)?;
    let flag = matches!(arg(&args, 0)?, Value::Bool(B64::TRUE));
    let state = vm.extension(ThreadSleep::default);
    Ok(Value::bool(std::mem::replace(&mut state.in_thread, flag)))
}

/// `clock_sleep(secs)`: a blocking sleep on the one clock (advances the virtual clock).
fn clock_sleep(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("clock_sleep", &args, 0, 1, 1)?;
    let secs = float_arg(vm, arg(&args, 0)?)?;
    vm.flush_out();
    vm.clock.sleep(secs);
    Ok(Value::None)
}

/// `format_exception(exc)`: the exception's traceback as the uncaught-exception report shows it
/// (without colour), for the loop's default exception handler.
fn format_exception(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("format_exception", &args, 0, 1, 1)?;
    let tb = vm.build_traceback(arg(&args, 0)?);
    Ok(Value::string(render_traceback(&tb, false)))
}

#[cfg(test)]
mod tests {
    /// A job is 16 bytes: each ready callback and each timer's slot keeps one, and a hundred
    /// thousand tasks made at once all queue their first step.
    #[test]
    fn job_fits_16_bytes() {
        assert!(std::mem::size_of::<super::Job>() <= 16);
        assert!(std::mem::size_of::<Option<super::Job>>() <= 16);
    }
}
