//! The virtual machine: values, heap objects, frames and the dispatch loop.
//! It never names event-loop types: when bytecode has to wait, the dispatch loop returns a
//! `Halt` saying why, and the runtime decides what to do.
//!
//! Map: `value` (the Value enum), `object/` (heap kinds), `gc` (cycle collector), `frame`,
//! `interp` (dispatch loop), `call` (argument binding), `resume` (generators/coroutines), `green` (`to_thread`'s green threads),
//! `ops`/`compare`/`item`/`attr` (operators, subscripts, attributes), `repr`/`format` (text),
//! `exception`/`excgroup` (raising, tracebacks, except*), `classdef` (classes, imports),
//! `types` (built-in classes), `methods/` (one file per built-in type's methods),
//! `machine` (Vm, run_main).

pub mod async_protocol;
pub mod asyncgen_hooks;
pub mod attr;
pub mod attr_cache;
pub mod call;
pub mod classdef;
pub mod clock;
pub mod compare;
pub mod delegate;
pub mod exception;
pub mod excgroup;
pub mod float_repr;
pub mod format;
pub mod format_spec;
pub mod frame;
pub mod fused;
pub mod gc;
pub mod green;
pub mod halt;
pub mod hash;
pub mod interp;
pub mod interp_ops;
pub mod interrupt;
pub mod introspect;
pub mod item;
pub mod machine;
pub mod methods;
pub mod object;
pub mod ops;
pub mod pattern;
pub mod percent;
pub mod repr;
pub mod resume;
pub mod stack;
pub mod suggest;
pub mod type_forms;
pub mod types;
pub mod unpack;
pub mod value;
pub mod warnings;

pub use machine::{run_main_with, run_on_big_stack, Outcome, Vm, VmOptions};
pub use value::Value;

#[cfg(test)]
mod tests;
