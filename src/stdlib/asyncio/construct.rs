//! Native `Future.__init__`, `Task.__init__`, `loop.create_future()` and
//! `get_running_loop()`: they set the same attributes, in the same order, as the apy code
//! they replace did, and a new task's first step is queued as a native job. Creating tasks
//! and futures is the hot path of programs that spawn many tasks or wait on queues and locks.

use super::task::lib_get;
use super::{push_job, Job};
use crate::compile::code::CodeKind;
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::methods::arg;
use crate::vm::object::class::Instance;
use crate::vm::object::function::Args;
use crate::vm::object::str::intern_name;
use crate::vm::value::Value;
use crate::vm::Vm;

/// `BaseEventLoop.create_future(self)`: `Future(loop=self)`, made directly.
pub(super) fn loop_create_future(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_keywords("BaseEventLoop.create_future", &args, &[])?;
    if args.pos.len() != 1 {
        return Err(Exc::type_error(format!(
            "BaseEventLoop.create_future() takes 1 positional argument but {} were given",
            args.pos.len()
        )));
    }
    super::task::new_future(vm, arg(&args, 0)?.clone())
}

/// `get_running_loop()`: the loop running on this thread; at the REPL's prompt, the
/// session's loop (it runs whenever the prompt waits for input, see runners.apy).
pub(super) fn get_running_loop(vm: &mut Vm, args: Args) -> PResult<Value> {
    let given = args.pos.len() + args.kwnames.len();
    if given > 0 {
        return Err(Exc::type_error(format!(
            "_asyncio.get_running_loop() takes no arguments ({given} given)"
        )));
    }
    for name in ["_running_loop", "_session_loop"] {
        let found = lib_get(vm, name)?;
        if !found.is_none() {
            return Ok(found);
        }
    }
    Err(Exc::new(ExcKind::RuntimeError, "no running event loop"))
}

/// `_waiter(label)`: `get_running_loop().create_future()`, labelled with what it waits for
/// ("Queue.get()", "Lock.acquire()", ...) for the report of a task blocked forever. Every
/// blocking Queue, Lock, Event, Condition and Semaphore operation makes one.
pub(super) fn waiter(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_keywords("_waiter", &args, &[])?;
    let label = arg(&args, 0)?.clone();
    let loop_obj = get_running_loop(vm, Args::new(&[]))?;
    let fut = create_future_on(vm, &loop_obj)?;
    vm.set_attr(&fut, &intern_name("_apy_label"), label)?;
    Ok(fut)
}

/// `loop_obj.create_future()`, made natively unless the loop's class has its own.
pub(super) fn create_future_on(vm: &mut Vm, loop_obj: &Value) -> PResult<Value> {
    let native = match loop_obj {
        Value::Instance(lp) => matches!(lp.class.lookup_str("create_future"),
            Some(Value::Native(n)) if n.name == "loop_create_future"),
        _ => false,
    };
    if native {
        return super::task::new_future(vm, loop_obj.clone());
    }
    vm.call_method(loop_obj, "create_future", &[])
}

/// Rejects keyword arguments other than `allowed`, with CPython's message.
fn check_keywords(name: &str, args: &Args, allowed: &[&str]) -> PResult<()> {
    match args.kwnames.iter().find(|k| !allowed.contains(&k.as_str())) {
        Some(bad) => Err(Exc::type_error(format!(
            "{name}() got an unexpected keyword argument '{}'",
            bad.as_str()
        ))),
        None => Ok(()),
    }
}

/// `Future.__init__(self, *, loop=None)`.
pub(super) fn future_init(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_keywords("Future.__init__", &args, &["loop"])?;
    if args.pos.len() != 1 {
        return Err(Exc::type_error(format!(
            "Future.__init__() takes 1 positional argument but {} were given",
            args.pos.len()
        )));
    }
    let fut = super::task::future_instance(vm, arg(&args, 0)?)?;
    init_fields(vm, &fut, args.kw("loop").cloned())?;
    Ok(Value::None)
}

fn init_fields(vm: &mut Vm, fut: &Instance, loop_obj: Option<Value>) -> PResult<()> {
    let loop_obj = match loop_obj.filter(|l| !l.is_none()) {
        Some(l) => l,
        None => {
            let get = lib_get(vm, "get_event_loop")?;
            vm.call(&get, &[])?
        }
    };
    super::task::init_future(fut, loop_obj);
    Ok(())
}

/// `Task.__init__(self, coro, *, loop=None, name=None, context=None)`.
pub(super) fn task_init(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_keywords("Task.__init__", &args, &["loop", "name", "context"])?;
    if args.pos.len() != 2 {
        return Err(Exc::type_error(format!(
            "Task.__init__() takes 2 positional arguments but {} were given",
            args.pos.len()
        )));
    }
    let task = super::task::task_instance(vm, arg(&args, 0)?)?;
    let coro = arg(&args, 1)?.clone();
    init_fields(vm, &task, args.kw("loop").cloned())?;
    let is_coroutine = match &coro {
        Value::Generator(g) => matches!(g.kind, CodeKind::Coroutine | CodeKind::Generator),
        Value::Iter(it) => it.is_async_step(),
        _ => false,
    };
    if !is_coroutine {
        let text = vm.repr(&coro)?;
        return Err(Exc::type_error(format!(
            "a coroutine was expected, got {text}"
        )));
    }
    let name = match args.kw("name").filter(|n| !n.is_none()) {
        Some(n) => Value::string(vm.to_str(n)?),
        None => next_task_name(vm)?,
    };
    // The context each step runs in: the one given, else a copy of the creator's (only once
    // the program uses contextvars).
    let context = match args.kw("context").filter(|c| !c.is_none()) {
        Some(c) => Some(c.clone()),
        None => match vm.context.clone() {
            Some(current) => Some(vm.call_method(&current, "copy", &[])?),
            None => None,
        },
    };
    super::task::init_task(&task, name, coro, context);
    let loop_id = super::task::loop_id_of(&task)?;
    super::task::register(vm, task.clone());
    push_job(vm, loop_id, Job::Step(task))?;
    Ok(Value::None)
}

/// The default name's number N ("Task-N", which `get_name` makes on first use), counting
/// the tasks named so far on this thread, as CPython's module-level counter does.
fn next_task_name(vm: &mut Vm) -> PResult<Value> {
    let lib = vm.extension(super::task::Lib::default);
    lib.task_counter = lib.task_counter.saturating_add(1);
    Ok(Value::Int(lib.task_counter))
}
