//! Built-in modules and functions: builtins, time, math, random, sys, asyncio.
//! `register_modules` fills the VM's module registry (name → constructor); a module is built
//! on its first import.

pub mod builtins;
pub mod math;
pub mod random;
pub mod sys;
pub mod time;

use crate::vm::Vm;

pub fn register_modules(vm: &mut Vm) {
    vm.module_registry.insert("sys", sys::init);
    vm.module_registry.insert("time", time::init);
    vm.module_registry.insert("math", math::init);
    // TODO(integrator): register `random` (stdlib/random.rs) and `asyncio` here.
}
