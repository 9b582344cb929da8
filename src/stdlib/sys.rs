//! The `sys` module: argv, exit, stdout/stderr stream objects (writing through the VM's
//! buffered stdout), the recursion limit, version information.

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::class::{Instance, Layout};
use crate::vm::object::function::Args;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use crate::vm::Vm;

pub fn init(vm: &mut Vm) -> PResult<Value> {
    let (module, d) = vm.new_module("sys");
    let argv = vm.options.argv.iter().map(|a| Value::str(a)).collect();
    d.set_item_str("argv", Value::list(argv));
    let stream_cls = crate::vm::types::new_class(
        "TextIOWrapper",
        vec![vm.types.object.clone()],
        Layout::Object,
    );
    stream_cls
        .dict
        .set_item_str("__module__", Value::str("_io"));
    add_methods(
        &stream_cls,
        "TextIOWrapper",
        &[("write", stream_write), ("flush", stream_flush)],
    );
    for (name, fd) in [("stdout", 1), ("stderr", 2)] {
        let stream = Instance::new_value(stream_cls.clone());
        if let Value::Instance(inst) = &stream {
            inst.dict().set_item_str("_fd", Value::Int(fd));
        }
        d.set_item_str(name, stream.clone());
        d.set_item_str(&format!("__{name}__"), stream);
    }
    let table: &[(&'static str, crate::vm::object::function::NativeFn)] = &[
        ("exit", exit),
        ("setrecursionlimit", setrecursionlimit),
        ("getrecursionlimit", getrecursionlimit),
        ("intern", intern),
        ("exc_info", exc_info),
        ("exception", exception),
    ];
    crate::vm::methods::add_functions(&d, table);
    d.set_item_str("version", Value::str("3.11.0 (apy)"));
    d.set_item_str(
        "version_info",
        Value::tuple(vec![
            Value::Int(3),
            Value::Int(11),
            Value::Int(0),
            Value::str("final"),
            Value::Int(0),
        ]),
    );
    d.set_item_str("maxsize", Value::Int(i64::MAX));
    d.set_item_str("platform", Value::str(std::env::consts::OS));
    d.set_item_str("byteorder", Value::str("little"));
    d.set_item_str("path", Value::list(Vec::new()));
    d.set_item_str("executable", Value::str("apy"));
    Ok(module)
}

/// The file descriptor of a `sys.stdout`/`sys.stderr` object.
fn stream_fd(v: &Value) -> Option<i64> {
    match v {
        Value::Instance(inst) if inst.class.name() == "TextIOWrapper" => {
            match inst.dict_get(&PyStr::new("_fd")) {
                Some(Value::Int(fd)) => Some(fd),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Writes `text` to `file` (`None` is stdout), as `print(file=...)` does.
pub fn write_to(vm: &mut Vm, file: &Value, text: &str) -> PResult<()> {
    if file.is_none() {
        vm.write_out(text);
        return Ok(());
    }
    match stream_fd(file) {
        Some(1) => vm.write_out(text),
        Some(_) => vm.write_err(text),
        None => {
            vm.call_method(file, "write", &[Value::str(text)])?;
        }
    }
    Ok(())
}

fn stream_write(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("write", &args, 1, 1, 1)?;
    let text = match arg(&args, 1)? {
        Value::Str(s) => s.clone(),
        other => {
            return Err(Exc::type_error(format!(
                "write() argument must be str, not {}",
                vm.type_name(other)
            )))
        }
    };
    write_to(vm, arg(&args, 0)?, text.as_str())?;
    Ok(Value::Int(text.char_len() as i64))
}

fn stream_flush(vm: &mut Vm, args: Args) -> PResult<Value> {
    if stream_fd(arg(&args, 0)?) == Some(1) {
        vm.flush_out();
    }
    Ok(Value::None)
}

/// `sys.exc_info()`: `(type, value, traceback)` of the exception being handled.
fn exc_info(vm: &mut Vm, _args: Args) -> PResult<Value> {
    let exc = vm.handling.clone();
    if exc.is_none() {
        return Ok(Value::tuple(vec![Value::None, Value::None, Value::None]));
    }
    let cls = Value::Class(vm.class_of(&exc));
    let tb = vm
        .get_attr_str(&exc, "__traceback__")
        .unwrap_or(Value::None);
    Ok(Value::tuple(vec![cls, exc, tb]))
}

/// `sys.exception()` (new in 3.11): the exception being handled, or `None`.
fn exception(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("exception", &args, 0, 0, 0)?;
    Ok(vm.handling.clone())
}

fn exit(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("exit", &args, 0, 0, 1)?;
    let a: Vec<Value> = args.pos.first().cloned().into_iter().collect();
    Err(Exc::value(vm.new_exception(ExcKind::SystemExit, a)))
}

fn setrecursionlimit(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("setrecursionlimit", &args, 0, 1, 1)?;
    match arg(&args, 0)? {
        Value::Int(n) if *n >= 1 => {
            let limit = (*n).min(1_000_000) as usize;
            if limit <= vm.depth {
                return Err(Exc::new(
                    ExcKind::RecursionError,
                    format!(
                        "cannot set the recursion limit to {n} at the recursion depth {}: the limit is too low",
                        vm.depth
                    ),
                ));
            }
            vm.recursion_limit = limit;
            Ok(Value::None)
        }
        Value::Int(_) => Err(Exc::value_error(
            "recursion limit must be greater or equal than 1",
        )),
        other => Err(Exc::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            vm.type_name(other)
        ))),
    }
}

fn getrecursionlimit(vm: &mut Vm, _args: Args) -> PResult<Value> {
    Ok(Value::Int(vm.recursion_limit as i64))
}

fn intern(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(arg(&args, 0)?.clone())
}
