//! Native `Future.__init__` and `Task.__init__`: they set the same attributes, in the same
//! order, as the apy methods they replace did, and a new task's first step is queued as a
//! native job. Creating a task is the hot path of programs that spawn many of them.

use super::task::lib_get;
use super::{push_job, Job};
use crate::compile::code::CodeKind;
use crate::vm::exception::{Exc, PResult};
use crate::vm::methods::arg;
use crate::vm::object::class::Instance;
use crate::vm::object::function::Args;
use crate::vm::value::Value;
use crate::vm::Vm;

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
    let is_coroutine = matches!(&coro, Value::Generator(g)
        if matches!(g.kind, CodeKind::Coroutine | CodeKind::Generator));
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
    let task_value = Value::Instance(task);
    push_job(vm, loop_id, Job::Step(task_value.clone(), None))?;
    if let Value::Dict(all) = lib_get(vm, "_all_tasks")? {
        all.insert(vm, task_value, Value::None)?;
    }
    Ok(Value::None)
}

/// The default name's number N ("Task-N", which `get_name` makes on first use), counting
/// the tasks named so far on this thread, as CPython's module-level counter does.
fn next_task_name(vm: &mut Vm) -> PResult<Value> {
    let lib = vm.extension(super::task::Lib::default);
    lib.task_counter = lib.task_counter.saturating_add(1);
    Ok(Value::Int(lib.task_counter))
}
