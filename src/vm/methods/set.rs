//! Methods of `set` and `frozenset` (and their constructors).

use crate::syntax::ast::BinOp;
use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::object::set::Set;
use crate::vm::value::{Value, B64};
use std::rc::Rc;

pub fn register(vm: &mut Vm) {
    let shared: &[(&'static str, crate::vm::object::function::NativeFn)] = &[
        ("copy", copy),
        ("union", union),
        ("intersection", intersection),
        ("difference", difference),
        ("symmetric_difference", symmetric_difference),
        ("issubset", issubset),
        ("issuperset", issuperset),
        ("isdisjoint", isdisjoint),
    ];
    add_methods(&vm.types.set, "set", shared);
    add_methods(&vm.types.frozenset, "frozenset", shared);
    add_methods(
        &vm.types.set,
        "set",
        &[
            ("__new__", set_new),
            ("add", add),
            ("discard", discard),
            ("remove", remove),
            ("pop", pop),
            ("clear", clear),
            ("update", update),
            ("intersection_update", intersection_update),
            ("difference_update", difference_update),
            ("symmetric_difference_update", symmetric_difference_update),
        ],
    );
    add_methods(
        &vm.types.frozenset,
        "frozenset",
        &[("__new__", frozenset_new)],
    );
}

fn this<'a>(vm: &Vm, args: &Args<'a>, method: &str) -> PResult<&'a Rc<Set>> {
    match args.pos.first() {
        Some(Value::Set(s)) => Ok(s),
        Some(other) => Err(crate::vm::methods::wrong_self(vm, "set", method, other)),
        None => Err(Exc::type_error(format!(
            "unbound method set.{method}() needs an argument"
        ))),
    }
}

fn build(vm: &mut Vm, src: Option<&Value>, frozen: bool) -> PResult<Value> {
    let set = match src {
        Some(Value::Set(s)) => s.copy(frozen),
        Some(v) => {
            let set = Set::new(frozen);
            for item in vm.collect(v)? {
                set.add(vm, item)?;
            }
            set
        }
        None => Set::new(frozen),
    };
    Ok(Value::set(set))
}

fn set_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set", &args, 1, 0, 1)?;
    build(vm, args.pos.get(1), false)
}

fn frozenset_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("frozenset", &args, 1, 0, 1)?;
    if let Some(v @ Value::Set(s)) = args.pos.get(1) {
        if s.frozen {
            return Ok(v.clone());
        }
    }
    build(vm, args.pos.get(1), true)
}

fn add(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set.add", &args, 1, 1, 1)?;
    let s = this(vm, &args, "add")?.clone();
    s.add(vm, arg(&args, 1)?.clone())?;
    Ok(Value::None)
}

fn discard(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set.discard", &args, 1, 1, 1)?;
    let s = this(vm, &args, "discard")?.clone();
    s.discard(vm, arg(&args, 1)?)?;
    Ok(Value::None)
}

fn remove(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("set.remove", &args, 1, 1, 1)?;
    let s = this(vm, &args, "remove")?.clone();
    let key = arg(&args, 1)?;
    if s.discard(vm, key)? {
        Ok(Value::None)
    } else {
        Err(vm.key_error(key.clone()))
    }
}

fn pop(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "pop")?;
    s.pop()
        .ok_or_else(|| vm.key_error(Value::str("pop from an empty set")))
}

fn clear(vm: &mut Vm, args: Args) -> PResult<Value> {
    this(vm, &args, "clear")?.clear();
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "copy")?;
    Ok(Value::set(s.copy(s.frozen)))
}

/// Applies a binary set operation across all arguments (each any iterable).
fn fold(vm: &mut Vm, args: &Args, name: &str, op: BinOp) -> PResult<Value> {
    let s = this(vm, args, name)?.clone();
    let mut acc = Value::set(s.copy(s.frozen));
    for other in args.pos.get(1..).unwrap_or(&[]) {
        let other = match other {
            Value::Set(_) => other.clone(),
            v => build(vm, Some(v), false)?,
        };
        acc = vm.binary(op, &acc, &other)?;
    }
    Ok(acc)
}

fn union(vm: &mut Vm, args: Args) -> PResult<Value> {
    fold(vm, &args, "union", BinOp::BitOr)
}

fn intersection(vm: &mut Vm, args: Args) -> PResult<Value> {
    fold(vm, &args, "intersection", BinOp::BitAnd)
}

fn difference(vm: &mut Vm, args: Args) -> PResult<Value> {
    fold(vm, &args, "difference", BinOp::Sub)
}

fn symmetric_difference(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("symmetric_difference", &args, 1, 1, 1)?;
    fold(vm, &args, "symmetric_difference", BinOp::BitXor)
}

fn replace_contents(target: &Rc<Set>, src: &Value) {
    if let Value::Set(res) = src {
        let table = res.table.borrow().clone();
        *target.table.borrow_mut() = table;
    }
}

fn update(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "update")?.clone();
    for other in args.pos.get(1..).unwrap_or(&[]) {
        for item in vm.collect(other)? {
            s.add(vm, item)?;
        }
    }
    Ok(Value::None)
}

fn intersection_update(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "intersection_update")?.clone();
    let res = fold(vm, &args, "intersection_update", BinOp::BitAnd)?;
    replace_contents(&s, &res);
    Ok(Value::None)
}

fn difference_update(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "difference_update")?.clone();
    let res = fold(vm, &args, "difference_update", BinOp::Sub)?;
    replace_contents(&s, &res);
    Ok(Value::None)
}

fn symmetric_difference_update(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "symmetric_difference_update")?.clone();
    let res = fold(vm, &args, "symmetric_difference_update", BinOp::BitXor)?;
    replace_contents(&s, &res);
    Ok(Value::None)
}

fn subset_check(vm: &mut Vm, a: &Value, b: &Value) -> PResult<bool> {
    for item in vm.collect(a)? {
        if !vm.contains(b, &item)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn issubset(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("issubset", &args, 1, 1, 1)?;
    let other = build(vm, Some(arg(&args, 1)?), false)?;
    Ok(Value::bool(subset_check(vm, arg(&args, 0)?, &other)?))
}

fn issuperset(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("issuperset", &args, 1, 1, 1)?;
    let other = build(vm, Some(arg(&args, 1)?), false)?;
    Ok(Value::bool(subset_check(vm, &other, arg(&args, 0)?)?))
}

fn isdisjoint(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("isdisjoint", &args, 1, 1, 1)?;
    let me = arg(&args, 0)?.clone();
    for item in vm.collect(arg(&args, 1)?)? {
        if vm.contains(&me, &item)? {
            return Ok(Value::Bool(B64::FALSE));
        }
    }
    Ok(Value::Bool(B64::TRUE))
}
