//! Methods of the built-in types, one file per type; `register_all` fills the class dicts.
//! To add a method: write `fn name(vm: &mut Vm, args: Args) -> PResult<Value>` in the type's
//! file and add it to that file's `register` table. `self` is `args.pos[0]`.

pub mod dict;
pub mod dunder;
pub mod exception;
pub mod int;
pub mod list;
pub mod object;
pub mod set;
pub mod str;
pub mod tuple;

use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::object::class::Class;
use crate::vm::object::dict::Dict;
use crate::vm::object::function::{Args, Native, NativeFn};
use crate::vm::value::Value;
use std::rc::Rc;

pub fn register_all(vm: &mut Vm) {
    object::register(vm);
    int::register(vm);
    str::register(vm);
    list::register(vm);
    tuple::register(vm);
    dict::register(vm);
    set::register(vm);
    exception::register(vm);
    dunder::register(vm);
}

/// Puts the native functions of `table` into a module's (or the builtins') namespace.
pub fn add_functions(dict: &Dict, table: &[(&'static str, NativeFn)]) {
    for &(name, func) in table {
        dict.set_item_str(name, Vm::native(name, func));
    }
}

/// Adds native methods to a class, owned by `owner` (the type name shown in reprs).
pub fn add_methods(cls: &Rc<Class>, owner: &'static str, table: &[(&'static str, NativeFn)]) {
    for &(name, func) in table {
        cls.dict.set_item_str(
            name,
            Value::Native(Rc::new(Native {
                name,
                func,
                owner: Some(owner),
            })),
        );
    }
}

/// Checks a positional argument count (self included in `args.pos` for methods, not
/// counted: pass `skip = 1`). Inline, with the errors out of line: every native call makes
/// this check, and the call to it cost more than the check.
#[inline]
pub fn check_count(name: &str, args: &Args, skip: usize, min: usize, max: usize) -> PResult<()> {
    let n = args.pos.len().saturating_sub(skip);
    if !args.has_kw() && n >= min && n <= max {
        return Ok(());
    }
    Err(count_error(name, args, n, min, max))
}

#[cold]
#[inline(never)]
fn count_error(name: &str, args: &Args, n: usize, min: usize, max: usize) -> Exc {
    if args.has_kw() {
        return Exc::type_error(format!("{name}() takes no keyword arguments"));
    }
    Exc::type_error(if min == max && max == 0 {
        format!("{name}() takes no arguments ({n} given)")
    } else if min == max && max == 1 {
        format!("{name}() takes exactly one argument ({n} given)")
    } else if min == max {
        format!("{name} expected {max} arguments, got {n}")
    } else if n < min {
        format!(
            "{name} expected at least {min} argument{}, got {n}",
            if min == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{name} expected at most {max} argument{}, got {n}",
            if max == 1 { "" } else { "s" }
        )
    })
}

/// The positional argument `idx`, or an internal error (callers check counts first).
#[inline]
pub fn arg<'a>(args: &Args<'a>, idx: usize) -> PResult<&'a Value> {
    args.pos
        .get(idx)
        .ok_or_else(|| Exc::type_error("missing argument"))
}

pub fn self_arg<'a>(args: &Args<'a>, vm: &Vm, type_name: &str, method: &str) -> PResult<&'a Value> {
    let v = args.pos.first().ok_or_else(|| {
        Exc::type_error(format!(
            "unbound method {type_name}.{method}() needs an argument"
        ))
    })?;
    let _ = vm;
    Ok(v)
}

/// A descriptor-type error for a method called on the wrong kind of object.
pub fn wrong_self(vm: &Vm, type_name: &str, method: &str, v: &Value) -> Exc {
    Exc::type_error(format!(
        "descriptor '{method}' for '{type_name}' objects doesn't apply to a '{}' object",
        vm.type_name(v)
    ))
}
