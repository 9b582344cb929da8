//! The `gc` module: the cycle collector (`vm::gc`) seen from apy code. `collect` runs a full
//! collection at once (closing the suspended generators it frees, so their `finally` blocks
//! run before it returns) and returns how many objects it freed (CPython counts what it found
//! unreachable by its own object model, so the two numbers can differ); `disable` stops the
//! automatic collections, as in CPython, and `collect` still runs.

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::methods::check_count;
use crate::vm::object::function::Args;
use crate::vm::value::Value;
use crate::vm::Vm;

pub fn init(vm: &mut Vm) -> PResult<Value> {
    let (module, d) = vm.new_module("gc");
    let table: &[(&'static str, crate::vm::object::function::NativeFn)] = &[
        ("collect", collect),
        ("enable", enable),
        ("disable", disable),
        ("isenabled", isenabled),
    ];
    crate::vm::methods::add_functions(&d, table);
    Ok(module)
}

/// `collect(generation=2)`.
fn collect(vm: &mut Vm, args: Args) -> PResult<Value> {
    if let Some(k) = args.kwnames.iter().find(|k| k.as_str() != "generation") {
        return Err(Exc::type_error(format!(
            "'{}' is an invalid keyword argument for collect()",
            k.as_str()
        )));
    }
    let generation = match (args.pos, args.kw("generation")) {
        ([], None) => None,
        ([g], None) | ([], Some(g)) => Some(g),
        _ => {
            return Err(Exc::type_error(format!(
                "collect() takes at most 1 argument ({} given)",
                args.pos.len() + args.kwnames.len()
            )))
        }
    };
    let generation = match generation {
        None => 2,
        Some(Value::Int(g)) => *g,
        Some(Value::Bool(b)) => i64::from(b.get()),
        Some(other) => {
            return Err(Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(other)
            )))
        }
    };
    if !(0..=2).contains(&generation) {
        return Err(Exc::new(ExcKind::ValueError, "invalid generation"));
    }
    let freed = crate::vm::gc::collect_full();
    // Generators it freed that were suspended in a `try` are closed before it returns, as
    // CPython finalizes them during the collection.
    if crate::vm::object::generator::close_pending() {
        vm.run_finalizers();
    }
    Ok(Value::Int(i64::try_from(freed).unwrap_or(i64::MAX)))
}

fn enable(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("gc.enable", &args, 0, 0, 0)?;
    crate::vm::gc::set_enabled(true);
    Ok(Value::None)
}

fn disable(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("gc.disable", &args, 0, 0, 0)?;
    crate::vm::gc::set_enabled(false);
    Ok(Value::None)
}

fn isenabled(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("gc.isenabled", &args, 0, 0, 0)?;
    Ok(Value::bool(crate::vm::gc::is_enabled()))
}
