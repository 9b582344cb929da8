//! Built-in modules and functions: builtins, time, math, gc, random, sys, traceback, asyncio,
//! `_contextvars` (the current context), and
//! the modules written in apy (`lib.rs`).
//! `register_modules` fills the VM's module registry (name → constructor); a module is built
//! on its first import.

pub mod asyncio;
pub mod builtins;
pub mod contextvars;
pub mod gc_module;
pub mod lib;
pub mod math;
pub mod random;
pub mod random_module;
pub mod sys;
pub mod time;
pub mod traceback;

use crate::compile::code::CodeObject;
use crate::vm::{Outcome, Vm, VmOptions};
use std::rc::Rc;

/// Fills a bare VM with the builtins and the module registry.
pub fn install(vm: &mut Vm) {
    builtins::register(vm);
    register_modules(vm);
}

/// A VM with the standard library installed (for the REPL and tests).
pub fn new_vm(options: VmOptions) -> Vm {
    let mut vm = Vm::new(options);
    install(&mut vm);
    vm
}

/// Runs `code` as `__main__` with the standard library. Call it inside
/// `vm::run_on_big_stack` (with parsing and compiling) so deep native recursion is safe.
pub fn run_main(code: Rc<CodeObject>, options: VmOptions) -> Outcome {
    crate::vm::run_main_with(code, options, install)
}

pub fn register_modules(vm: &mut Vm) {
    vm.module_registry.insert("sys", sys::init);
    vm.module_registry.insert("time", time::init);
    vm.module_registry.insert("math", math::init);
    vm.module_registry.insert("gc", gc_module::init);
    vm.module_registry.insert("random", random_module::init);
    vm.module_registry.insert("asyncio", asyncio::init);
    vm.module_registry.insert("traceback", traceback::init);
    vm.module_registry.insert("_contextvars", contextvars::init);
    lib::register(vm);
}
