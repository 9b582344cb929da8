//! Standard modules written in apy (`typing`, `dataclasses`, `functools`, `itertools`,
//! `contextlib`, `collections`, ...): each is one source file under `lib/`, compiled on its
//! first import (once per thread, like the asyncio library) and run as the module. Their frames
//! are library frames (`<name>/file.apy`), left out of tracebacks.

use crate::compile::code::CodeObject;
use crate::compile::codegen::compile_module;
use crate::syntax::parser::parse_module;
use crate::syntax::span::Source;
use crate::vm::exception::{Exc, PResult};
use crate::vm::value::Value;
use crate::vm::Vm;
use hashbrown::HashMap;
use std::cell::RefCell;
use std::rc::Rc;

macro_rules! apy_modules {
    ($($name:literal => $file:literal),* $(,)?) => {
        /// Registers every apy-written module with the VM's module registry.
        pub fn register(vm: &mut Vm) {
            $(
                vm.module_registry.insert($name, |vm| {
                    load(vm, $name, concat!("<", $name, ">/", $file), include_str!(concat!("lib/", $file)))
                });
            )*
        }
    };
}

apy_modules! {
    "typing" => "typing.apy",
    "functools" => "functools.apy",
    "itertools" => "itertools.apy",
    "contextlib" => "contextlib.apy",
    "dataclasses" => "dataclasses.apy",
    "collections" => "collections.apy",
    "operator" => "operator.apy",
    "copy" => "copy.apy",
    "heapq" => "heapq.apy",
    "bisect" => "bisect.apy",
    "string" => "string.apy",
    "json" => "json.apy",
    "abc" => "abc.apy",
    "logging" => "logging.apy",
    "reprlib" => "reprlib.apy",
    "contextvars" => "contextvars.apy",
}

thread_local! {
    /// Compiled library sources by file name: every VM on the thread runs the same code
    /// objects.
    static COMPILED: RefCell<HashMap<&'static str, Rc<CodeObject>>> = RefCell::new(HashMap::new());
}

/// The code of a library source written in apy (this file's modules and the asyncio
/// library), compiled on first use on this thread.
pub fn compiled(file: &'static str, text: &'static str) -> PResult<Rc<CodeObject>> {
    if let Some(code) = COMPILED.with(|c| c.borrow().get(file).cloned()) {
        return Ok(code);
    }
    let source = Source::new(file, text);
    let code = parse_module(&source)
        .and_then(|m| compile_module(&m, &source, false))
        .map_err(|d| {
            let first = d.first().map(|d| d.message.clone()).unwrap_or_default();
            Exc::internal(&format!("library module {file} does not compile: {first}"))
        })?;
    COMPILED.with(|c| c.borrow_mut().insert(file, code.clone()));
    Ok(code)
}

fn load(vm: &mut Vm, name: &'static str, file: &'static str, text: &'static str) -> PResult<Value> {
    let code = compiled(file, text)?;
    vm.exec_module(name, code)
}
