//! `_contextvars`: the current `contextvars.Context` (`Vm::context`). CPython keeps one per OS
//! thread; apy keeps one per VM, and asyncio's task step swaps each task's own context in
//! around the step (`task::set_current`), which is what a task sees in CPython too. The
//! `Context`, `ContextVar` and `Token` classes are written in apy (`lib/contextvars.apy`) on
//! these two natives. Until that module is imported there is no context at all, and tasks
//! and callbacks skip the bookkeeping.

use crate::vm::exception::PResult;
use crate::vm::methods::arg;
use crate::vm::object::function::Args;
use crate::vm::value::Value;
use crate::vm::Vm;

pub fn init(vm: &mut Vm) -> PResult<Value> {
    let (module, d) = vm.new_module("_contextvars");
    d.set_item_str("current", Vm::native("current", current));
    d.set_item_str("swap", Vm::native("swap", swap_native));
    Ok(module)
}

/// Makes `context` the current one; returns the one it replaces (`None` before the first).
pub fn swap(vm: &mut Vm, context: Value) -> Value {
    vm.context.replace(context).unwrap_or(Value::None)
}

/// `current()`: the current context, or `None` before `contextvars` made the first one.
fn current(vm: &mut Vm, _args: Args) -> PResult<Value> {
    Ok(vm.context.clone().unwrap_or(Value::None))
}

/// `swap(context)`: makes `context` current and returns the previous one.
fn swap_native(vm: &mut Vm, args: Args) -> PResult<Value> {
    let context = arg(&args, 0)?.clone();
    Ok(swap(vm, context))
}
