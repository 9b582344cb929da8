//! The `traceback` module: `format_exc`, `print_exc`, `format_exception`, `print_exception`
//! and `format_exception_only`, in CPython's plain text layout (the report an uncaught error
//! gets, without its source snippet). `sys.exc_info` lives in `sys.rs`.

use crate::diagnostics::render_traceback_plain_as;
use crate::vm::exception::{Exc, PResult};
use crate::vm::methods::arg;
use crate::vm::object::function::{Args, NativeFn};
use crate::vm::value::Value;
use crate::vm::Vm;

pub fn init(vm: &mut Vm) -> PResult<Value> {
    let (module, d) = vm.new_module("traceback");
    let table: &[(&'static str, NativeFn)] = &[
        ("format_exc", format_exc),
        ("print_exc", print_exc),
        ("format_exception", format_exception),
        ("print_exception", print_exception),
        ("format_exception_only", format_exception_only),
    ];
    crate::vm::methods::add_functions(&d, table);
    Ok(module)
}

/// The text for exception `exc` (`None` gives CPython's `NoneType: None`).
fn text_of(vm: &mut Vm, exc: &Value) -> String {
    if exc.is_none() {
        return "NoneType: None\n".to_string();
    }
    let tb = vm.build_traceback(exc);
    render_traceback_plain_as(&tb, &crate::vm::machine::python_path)
}

/// The exception argument of `format_exception(exc)` or `format_exception(type, value, tb)`.
fn exception_arg(args: &Args) -> PResult<Value> {
    match args.pos {
        [_, value, ..] => Ok(value.clone()),
        [exc] => Ok(exc.clone()),
        [] => Err(Exc::type_error(
            "format_exception() missing 1 required positional argument: 'exc'",
        )),
    }
}

/// Splits a report into lines that keep their newline, as CPython's list of strings does.
fn lines(text: &str) -> Value {
    Value::list(text.split_inclusive('\n').map(Value::str).collect())
}

fn format_exc(vm: &mut Vm, _args: Args) -> PResult<Value> {
    let exc = vm.handling.clone();
    Ok(Value::string(text_of(vm, &exc)))
}

fn print_exc(vm: &mut Vm, _args: Args) -> PResult<Value> {
    let exc = vm.handling.clone();
    let text = text_of(vm, &exc);
    vm.write_err(&text);
    Ok(Value::None)
}

fn format_exception(vm: &mut Vm, args: Args) -> PResult<Value> {
    let exc = exception_arg(&args)?;
    Ok(lines(&text_of(vm, &exc)))
}

fn print_exception(vm: &mut Vm, args: Args) -> PResult<Value> {
    let exc = exception_arg(&args)?;
    let text = text_of(vm, &exc);
    vm.write_err(&text);
    Ok(Value::None)
}

fn format_exception_only(vm: &mut Vm, args: Args) -> PResult<Value> {
    let exc = match args.pos {
        [_, value, ..] => value.clone(),
        _ => arg(&args, 0)?.clone(),
    };
    if exc.is_none() {
        return Ok(lines("NoneType: None\n"));
    }
    let summary = vm.exception_summary(&exc);
    Ok(lines(&format!("{summary}\n")))
}
