//! The natives behind `asyncio.to_thread`: building a green thread (`vm::green`), and the
//! stdin reader an `input()` in one waits on (a real thread that posts to the loop when the
//! line has come, so the loop runs other tasks meanwhile).

use super::{loop_id_arg, poster, Posted};
use crate::compile::code::CodeKind;
use crate::vm::call::Callee;
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::methods::{arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::object::generator::Generator;
use crate::vm::value::Value;
use crate::vm::Vm;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// `green_thread(func, args, kwargs, call)`: a green thread (`vm::green`) that will run
/// `func(*args, **kwargs)`, in `func`'s own frame when it is a plain apy function (or a method
/// of one), else in a frame of the apy function `call(func, args, kwargs)`.
pub(super) fn green_thread(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("green_thread", &args, 0, 4, 4)?;
    let func = arg(&args, 0)?.clone();
    let (pos, kw, call) = (arg(&args, 1)?, arg(&args, 2)?, arg(&args, 3)?);
    let (f, prefix) = match &func {
        Value::Function(f) => (Some(f.clone()), None),
        Value::Method(m) => match &m.func {
            Value::Function(f) => (Some(f.clone()), Some(m.obj.clone())),
            _ => (None, None),
        },
        _ => (None, None),
    };
    if let Some(f) = f.filter(|f| f.code.obj.kind == CodeKind::Function) {
        let spread = vm.spread_args(pos, Some(kw))?;
        if let Callee::Frame(frame) = vm.bind_call(&f, prefix.as_ref(), spread.args())? {
            return Ok(Generator::new_green(frame));
        }
    }
    let Value::Function(call) = call else {
        return Err(Exc::type_error(
            "green_thread() needs an apy function to call through",
        ));
    };
    let through = [func, pos.clone(), kw.clone()];
    match vm.bind_call(call, None, Args::new(&through))? {
        Callee::Frame(frame) => Ok(Generator::new_green(frame)),
        Callee::Done(_) => Err(Exc::type_error("green_thread() needs a plain function")),
    }
}

/// `cpu_count()`: the processors this process may use (`os.cpu_count()`), which size the
/// default executor as in CPython.
pub(super) fn cpu_count(_vm: &mut Vm, _args: Args) -> PResult<Value> {
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(Value::Int(n as i64))
}

/// Lines read for green threads' `input()`, by listener id, until the thread takes them.
static LINES: Mutex<Option<HashMap<i64, std::io::Result<String>>>> = Mutex::new(None);

/// `read_line(loop_id, listener_id)`: reads one line of stdin on a real thread, then posts
/// `listener_id` to the loop; `take_line(listener_id)` returns it.
pub(super) fn read_line(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("read_line", &args, 0, 2, 2)?;
    let loop_id = loop_id_arg(&args)? as i64;
    let Value::Int(listener) = *arg(&args, 1)? else {
        return Err(Exc::type_error("read_line() needs a listener id"));
    };
    let Some(completer) = poster(vm, loop_id) else {
        return Err(Exc::runtime_error("Event loop is closed"));
    };
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = std::io::stdin().read_line(&mut line).map(|_| line);
        LINES
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(HashMap::new)
            .insert(listener, read);
        // The loop may have closed meanwhile: then nobody waits for the line.
        let _ = completer.complete(Posted(listener));
    });
    Ok(Value::None)
}

/// `take_line(listener_id)`: the line `read_line` read, as `input()` returns it (`EOFError`
/// at the end of the input).
pub(super) fn take_line(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("take_line", &args, 0, 1, 1)?;
    let Value::Int(listener) = *arg(&args, 0)? else {
        return Err(Exc::type_error("take_line() needs a listener id"));
    };
    let read = LINES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_mut()
        .and_then(|lines| lines.remove(&listener));
    match read {
        Some(Ok(line)) => input_result(line),
        Some(Err(e)) => Err(Exc::new(ExcKind::OSError, e.to_string())),
        None => Err(Exc::runtime_error("no line was read")),
    }
}

/// What `input()` returns for `line` as read (with its newline, empty at the end).
pub fn input_result(mut line: String) -> PResult<Value> {
    if line.is_empty() {
        return Err(Exc::new(ExcKind::EOFError, "EOF when reading a line"));
    }
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    Ok(Value::string(line))
}
