//! Dunder methods of the built-in types (`int.__add__`, `str.__len__`, `list.__getitem__`,
//! ...), so that explicit calls like `(5).__add__(3)` and `super().__eq__(other)` work. Each
//! one defers to the VM's built-in operation and answers `NotImplemented` when the operand
//! kinds do not apply; user classes are never consulted from here.

use crate::syntax::ast::{BinOp, CmpOp, UnaryOp};
use crate::vm::exception::PResult;
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg};
use crate::vm::object::function::{Args, NativeFn};
use crate::vm::value::Value;

macro_rules! binary {
    ($name:ident, $op:expr, $reflected:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PResult<Value> {
            let (a, b) = (arg(&args, 0)?, arg(&args, 1)?);
            let res = if $reflected {
                vm.binary_builtin($op, b, a)?
            } else {
                vm.binary_builtin($op, a, b)?
            };
            Ok(res.unwrap_or(Value::NotImplemented))
        }
    };
}

macro_rules! compare {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PResult<Value> {
            let (a, b) = (arg(&args, 0)?, arg(&args, 1)?);
            Ok(match vm.builtin_cmp($op, a, b)? {
                Some(r) => Value::bool(r),
                None => Value::NotImplemented,
            })
        }
    };
}

binary!(add, BinOp::Add, false);
binary!(radd, BinOp::Add, true);
binary!(sub, BinOp::Sub, false);
binary!(rsub, BinOp::Sub, true);
binary!(mul, BinOp::Mul, false);
binary!(rmul, BinOp::Mul, true);
binary!(truediv, BinOp::Div, false);
binary!(rtruediv, BinOp::Div, true);
binary!(floordiv, BinOp::FloorDiv, false);
binary!(rfloordiv, BinOp::FloorDiv, true);
binary!(modulo, BinOp::Mod, false);
binary!(rmodulo, BinOp::Mod, true);
binary!(power, BinOp::Pow, false);
binary!(rpower, BinOp::Pow, true);
binary!(and, BinOp::BitAnd, false);
binary!(or, BinOp::BitOr, false);
binary!(xor, BinOp::BitXor, false);
binary!(lshift, BinOp::LShift, false);
binary!(rshift, BinOp::RShift, false);
compare!(eq, CmpOp::Eq);
compare!(ne, CmpOp::NotEq);
compare!(lt, CmpOp::Lt);
compare!(le, CmpOp::LtE);
compare!(gt, CmpOp::Gt);
compare!(ge, CmpOp::GtE);

fn neg(vm: &mut Vm, args: Args) -> PResult<Value> {
    vm.unary(UnaryOp::Neg, arg(&args, 0)?)
}

fn pos(vm: &mut Vm, args: Args) -> PResult<Value> {
    vm.unary(UnaryOp::Pos, arg(&args, 0)?)
}

fn invert(vm: &mut Vm, args: Args) -> PResult<Value> {
    vm.unary(UnaryOp::Invert, arg(&args, 0)?)
}

fn abs(vm: &mut Vm, args: Args) -> PResult<Value> {
    let v = arg(&args, 0)?;
    let negative = crate::vm::methods::int::is_negative(v);
    if negative {
        vm.unary(UnaryOp::Neg, v)
    } else {
        vm.unary(UnaryOp::Pos, v)
    }
}

fn boolean(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::bool(vm.truthy(arg(&args, 0)?)?))
}

fn hash(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::Int(vm.hash(arg(&args, 0)?)?))
}

fn len(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::Int(vm.len(arg(&args, 0)?)? as i64))
}

fn contains(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::bool(vm.contains(arg(&args, 0)?, arg(&args, 1)?)?))
}

fn getitem(vm: &mut Vm, args: Args) -> PResult<Value> {
    vm.get_item(arg(&args, 0)?, arg(&args, 1)?)
}

fn setitem(vm: &mut Vm, args: Args) -> PResult<Value> {
    vm.set_item(
        arg(&args, 0)?,
        arg(&args, 1)?.clone(),
        arg(&args, 2)?.clone(),
    )?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: Args) -> PResult<Value> {
    vm.del_item(arg(&args, 0)?, arg(&args, 1)?)?;
    Ok(Value::None)
}

fn iter(vm: &mut Vm, args: Args) -> PResult<Value> {
    vm.iter(arg(&args, 0)?)
}

fn next(vm: &mut Vm, args: Args) -> PResult<Value> {
    match vm.next(arg(&args, 0)?)? {
        Some(v) => Ok(v),
        None => Err(crate::vm::exception::Exc::stop_iteration()),
    }
}

pub fn register(vm: &mut Vm) {
    let numeric: &[(&'static str, NativeFn)] = &[
        ("__add__", add),
        ("__radd__", radd),
        ("__sub__", sub),
        ("__rsub__", rsub),
        ("__mul__", mul),
        ("__rmul__", rmul),
        ("__truediv__", truediv),
        ("__rtruediv__", rtruediv),
        ("__floordiv__", floordiv),
        ("__rfloordiv__", rfloordiv),
        ("__mod__", modulo),
        ("__rmod__", rmodulo),
        ("__pow__", power),
        ("__rpow__", rpower),
        ("__neg__", neg),
        ("__pos__", pos),
        ("__abs__", abs),
        ("__bool__", boolean),
    ];
    let bits: &[(&'static str, NativeFn)] = &[
        ("__and__", and),
        ("__or__", or),
        ("__xor__", xor),
        ("__lshift__", lshift),
        ("__rshift__", rshift),
        ("__invert__", invert),
    ];
    let compare: &[(&'static str, NativeFn)] = &[
        ("__eq__", eq),
        ("__ne__", ne),
        ("__lt__", lt),
        ("__le__", le),
        ("__gt__", gt),
        ("__ge__", ge),
        ("__hash__", hash),
    ];
    let sequence: &[(&'static str, NativeFn)] = &[
        ("__len__", len),
        ("__contains__", contains),
        ("__getitem__", getitem),
        ("__iter__", iter),
        ("__add__", add),
        ("__mul__", mul),
        ("__rmul__", rmul),
    ];
    let t = &vm.types;
    for (cls, name) in [(&t.int, "int"), (&t.float, "float"), (&t.bool_, "bool")] {
        add_methods(cls, name, numeric);
        add_methods(cls, name, compare);
    }
    add_methods(&t.int, "int", bits);
    add_methods(&t.bool_, "bool", bits);
    for (cls, name) in [
        (&t.str_, "str"),
        (&t.list, "list"),
        (&t.tuple, "tuple"),
        (&t.bytes, "bytes"),
    ] {
        add_methods(cls, name, sequence);
        add_methods(cls, name, compare);
    }
    add_methods(&t.str_, "str", &[("__mod__", modulo)]);
    add_methods(
        &t.list,
        "list",
        &[("__setitem__", setitem), ("__delitem__", delitem)],
    );
    add_methods(
        &t.dict,
        "dict",
        &[
            ("__len__", len),
            ("__contains__", contains),
            ("__getitem__", getitem),
            ("__setitem__", setitem),
            ("__delitem__", delitem),
            ("__iter__", iter),
            ("__eq__", eq),
            ("__ne__", ne),
            ("__or__", or),
        ],
    );
    for (cls, name) in [(&t.set, "set"), (&t.frozenset, "frozenset")] {
        add_methods(
            cls,
            name,
            &[
                ("__len__", len),
                ("__contains__", contains),
                ("__iter__", iter),
                ("__eq__", eq),
                ("__ne__", ne),
                ("__or__", or),
                ("__and__", and),
                ("__sub__", sub),
                ("__xor__", xor),
                ("__le__", le),
                ("__lt__", lt),
                ("__ge__", ge),
                ("__gt__", gt),
            ],
        );
    }
    add_methods(
        &t.range,
        "range",
        &[
            ("__len__", len),
            ("__contains__", contains),
            ("__getitem__", getitem),
            ("__iter__", iter),
        ],
    );
}

/// `it.__next__` / `it.__iter__` for the built-in iterator kinds (their classes are made on
/// demand, so the methods are handed out by attribute lookup instead of a class dict).
pub fn iterator_method(name: &str) -> Option<Value> {
    match name {
        "__next__" => Some(Vm::native("__next__", next)),
        "__iter__" => Some(Vm::native("__iter__", iter_self)),
        _ => None,
    }
}

fn iter_self(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(arg(&args, 0)?.clone())
}
