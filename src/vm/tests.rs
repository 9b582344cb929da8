//! Unit tests of the object model and of the dispatch loop with hand-assembled code objects
//! (the compiler lives elsewhere; these pin the VM's side of the contract).

use crate::compile::code::{CodeKind, CodeObject, Const, Handler, Instr};
use crate::syntax::ast::{BinOp, CmpOp};
use crate::syntax::span::{Source, Span};
use crate::vm::exception::Exc;
use crate::vm::machine::{Vm, VmOptions};
use crate::vm::value::{Value, B64};
use std::rc::Rc;

#[allow(clippy::too_many_arguments)]
pub(crate) fn code(
    kind: CodeKind,
    name: &str,
    instrs: Vec<Instr>,
    consts: Vec<Const>,
    names: &[&str],
    varnames: &[&str],
    argcount: u32,
    handlers: Vec<Handler>,
) -> Rc<CodeObject> {
    let n = instrs.len();
    Rc::new(CodeObject {
        kind,
        name: name.into(),
        qualname: name.into(),
        source: Source::new("t.apy", "x = 1\n"),
        span: Span::new(0, 1),
        instrs,
        spans: vec![Span::new(0, 5); n],
        consts,
        names: names.iter().map(|s| Rc::from(*s)).collect(),
        varnames: varnames.iter().map(|s| Rc::from(*s)).collect(),
        cellvars: Vec::new(),
        freevars: Vec::new(),
        cell_params: Vec::new(),
        argcount,
        posonlyargcount: 0,
        kwonlyargcount: 0,
        has_varargs: false,
        has_varkw: false,
        handlers,
        max_stack: 16,
    })
}

/// A minimal `print` for these tests (the real one lives in the stdlib, which the VM may not
/// depend on).
fn test_print(vm: &mut Vm, args: crate::vm::object::function::Args) -> Result<Value, Exc> {
    let mut parts = Vec::new();
    for v in args.pos {
        parts.push(vm.to_str(v)?);
    }
    vm.write_out(&parts.join(" "));
    vm.write_out("\n");
    Ok(Value::None)
}

fn run(module: Rc<CodeObject>) -> (String, Option<String>) {
    let mut vm = Vm::new(VmOptions::default());
    vm.builtins
        .set_item_str("print", Vm::native("print", test_print));
    let globals = vm.main_globals();
    let res = vm.run_code(module, globals);
    let err = match res {
        Ok(_) => None,
        Err(e) => {
            let v = vm.exc_value(e);
            Some(vm.exception_summary(&v))
        }
    };
    (String::from_utf8_lossy(&vm.out).into_owned(), err)
}

fn eval(vm: &mut Vm, f: impl FnOnce(&mut Vm) -> Result<Value, Exc>) -> String {
    match f(vm) {
        Ok(v) => vm.repr(&v).unwrap_or_default(),
        Err(e) => {
            let v = vm.exc_value(e);
            vm.exception_summary(&v)
        }
    }
}

#[test]
fn loop_sums_a_range() {
    // total = 0; for i in range(10): total += i; print(total)
    let m = code(
        CodeKind::Module,
        "<module>",
        vec![
            Instr::LoadConst(0),
            Instr::StoreName(0),
            Instr::LoadName(1),
            Instr::LoadConst(1),
            Instr::Call(1),
            Instr::GetIter,
            Instr::ForIter(13),
            Instr::StoreName(2),
            Instr::LoadName(0),
            Instr::LoadName(2),
            Instr::Inplace(BinOp::Add),
            Instr::StoreName(0),
            Instr::Jump(6),
            Instr::LoadName(3),
            Instr::LoadName(0),
            Instr::Call(1),
            Instr::PopTop,
            Instr::LoadConst(2),
            Instr::ReturnValue,
        ],
        vec![Const::Int(0), Const::Int(10), Const::None],
        &["total", "range", "i", "print"],
        &[],
        0,
        Vec::new(),
    );
    assert_eq!(run(m), ("45\n".to_owned(), None));
}

#[test]
fn call_and_raise_and_except() {
    // def f(a, b): return a + b
    let f = code(
        CodeKind::Function,
        "f",
        vec![
            Instr::LoadLocal(0),
            Instr::LoadLocal(1),
            Instr::Binary(BinOp::Add),
            Instr::ReturnValue,
        ],
        vec![],
        &[],
        &["a", "b"],
        2,
        Vec::new(),
    );
    // print(f(2, 3)); try: f(1, 'x') except TypeError as e: print(e)
    let m = code(
        CodeKind::Module,
        "<module>",
        vec![
            Instr::LoadConst(0),
            Instr::MakeFunction(0),
            Instr::StoreName(0),
            Instr::LoadName(1),
            Instr::LoadName(0),
            Instr::LoadConst(1),
            Instr::LoadConst(2),
            Instr::Call(2),
            Instr::Call(1),
            Instr::PopTop,
            // try body: 10..15
            Instr::LoadName(0),
            Instr::LoadConst(2),
            Instr::LoadConst(3),
            Instr::Call(2),
            Instr::PopTop,
            Instr::Jump(26),
            // handler at 16: [exc]
            Instr::PushExcInfo,
            Instr::LoadName(2),
            Instr::CheckExcMatch,
            Instr::PopJumpIfFalse(25),
            Instr::LoadName(1),
            Instr::Swap(2),
            Instr::Call(1),
            Instr::PopTop,
            Instr::PopExcept,
            Instr::Jump(26),
            Instr::LoadConst(4),
            Instr::ReturnValue,
        ],
        vec![
            Const::Code(f),
            Const::Int(2),
            Const::Int(3),
            Const::Str("x".into()),
            Const::None,
        ],
        &["f", "print", "TypeError"],
        &[],
        0,
        vec![Handler {
            start: 10,
            end: 15,
            target: 16,
            depth: 0,
        }],
    );
    let (out, err) = run(m);
    assert_eq!(
        out,
        "5\nunsupported operand type(s) for +: 'int' and 'str'\n"
    );
    assert_eq!(err, None);
}

#[test]
fn uncaught_exception_reports_summary() {
    let m = code(
        CodeKind::Module,
        "<module>",
        vec![
            Instr::LoadConst(0),
            Instr::LoadConst(1),
            Instr::Binary(BinOp::FloorDiv),
            Instr::ReturnValue,
        ],
        vec![Const::Int(1), Const::Int(0)],
        &[],
        &[],
        0,
        Vec::new(),
    );
    let (_, err) = run(m);
    assert_eq!(
        err.as_deref(),
        Some("ZeroDivisionError: integer division or modulo by zero")
    );
}

#[test]
fn deep_recursion_raises_recursion_error() {
    // def f(n): return f(n + 1)
    let f = code(
        CodeKind::Function,
        "f",
        vec![
            Instr::LoadGlobal(0),
            Instr::LoadLocal(0),
            Instr::LoadConst(0),
            Instr::Binary(BinOp::Add),
            Instr::Call(1),
            Instr::ReturnValue,
        ],
        vec![Const::Int(1)],
        &["f"],
        &["n"],
        1,
        Vec::new(),
    );
    let m = code(
        CodeKind::Module,
        "<module>",
        vec![
            Instr::LoadConst(0),
            Instr::MakeFunction(0),
            Instr::StoreName(0),
            Instr::LoadName(0),
            Instr::LoadConst(1),
            Instr::Call(1),
            Instr::ReturnValue,
        ],
        vec![Const::Code(f), Const::Int(0)],
        &["f"],
        &[],
        0,
        Vec::new(),
    );
    let (_, err) = run(m);
    assert_eq!(
        err.as_deref(),
        Some("RecursionError: maximum recursion depth exceeded")
    );
}

#[test]
fn int_arithmetic_edge_cases() {
    let mut vm = Vm::new(VmOptions::default());
    let cases: Vec<(BinOp, Value, Value, &str)> = vec![
        (BinOp::FloorDiv, Value::Int(-7), Value::Int(2), "-4"),
        (BinOp::Mod, Value::Int(-7), Value::Int(2), "1"),
        (BinOp::Mod, Value::Int(7), Value::Int(-2), "-1"),
        (
            BinOp::Add,
            Value::Int(i64::MAX),
            Value::Int(1),
            "9223372036854775808",
        ),
        (
            BinOp::Mul,
            Value::Int(i64::MIN),
            Value::Int(-1),
            "9223372036854775808",
        ),
        (
            BinOp::FloorDiv,
            Value::Int(i64::MIN),
            Value::Int(-1),
            "9223372036854775808",
        ),
        (
            BinOp::Pow,
            Value::Int(2),
            Value::Int(100),
            "1267650600228229401496703205376",
        ),
        (BinOp::Pow, Value::Int(2), Value::Int(-1), "0.5"),
        (
            BinOp::Div,
            Value::Int(1),
            Value::Int(3),
            "0.3333333333333333",
        ),
        (
            BinOp::Div,
            Value::Int(1),
            Value::Int(0),
            "ZeroDivisionError: division by zero",
        ),
        (BinOp::Mod, Value::float(-7.5), Value::Int(2), "0.5"),
        (
            BinOp::FloorDiv,
            Value::float(7.0),
            Value::float(-2.0),
            "-4.0",
        ),
        (
            BinOp::LShift,
            Value::Int(1),
            Value::Int(70),
            "1180591620717411303424",
        ),
        (BinOp::RShift, Value::Int(-1), Value::Int(100), "-1"),
        (
            BinOp::Add,
            Value::Bool(B64::TRUE),
            Value::Bool(B64::TRUE),
            "2",
        ),
        (BinOp::Mul, Value::str("ab"), Value::Int(3), "'ababab'"),
        (
            BinOp::Pow,
            Value::Int(10),
            Value::Int(10_000_000_000),
            "MemoryError",
        ),
    ];
    for (op, a, b, want) in cases {
        let got = eval(&mut vm, |vm| vm.binary(op, &a, &b));
        assert_eq!(got, want, "{op:?}");
    }
    let huge = eval(&mut vm, |vm| {
        vm.binary(BinOp::Mul, &Value::str("a"), &Value::Int(1 << 40))
    });
    assert_eq!(huge, "MemoryError");
    let cmp = eval(&mut vm, |vm| {
        vm.compare(CmpOp::Lt, &Value::Int(1), &Value::str("a"))
    });
    assert_eq!(
        cmp,
        "TypeError: '<' not supported between instances of 'int' and 'str'"
    );
    let eq = eval(&mut vm, |vm| {
        vm.compare(CmpOp::Eq, &Value::Int(1), &Value::float(1.0))
    });
    assert_eq!(eq, "True");
}

#[test]
fn reprs_match_cpython() {
    let mut vm = Vm::new(VmOptions::default());
    let inner = Value::list(vec![Value::Int(1), Value::str("it's"), Value::float(-0.0)]);
    let outer = Value::list(vec![inner.clone()]);
    if let Value::List(l) = &outer {
        l.items.borrow_mut().push(outer.clone());
    }
    assert_eq!(
        vm.repr(&outer).unwrap_or_default(),
        "[[1, \"it's\", -0.0], [...]]"
    );
    for (f, want) in [
        (1e16, "1e+16"),
        (0.1, "0.1"),
        (1.5e-7, "1.5e-07"),
        (123456789.0, "123456789.0"),
        (f64::INFINITY, "inf"),
    ] {
        assert_eq!(crate::vm::repr::float_repr(f), want);
    }
    assert_eq!(crate::vm::repr::str_repr("a\n'\"\\"), "'a\\n\\'\"\\\\'");
    let t = Value::tuple(vec![Value::Int(1)]);
    assert_eq!(vm.repr(&t).unwrap_or_default(), "(1,)");
}

#[test]
fn dicts_keep_order_and_sets_match_cpython_order() {
    let mut vm = Vm::new(VmOptions::default());
    let d = Value::new_dict();
    for k in [5, 3, 9, 1] {
        d.insert(&mut vm, Value::Int(k), Value::Int(k * 10))
            .unwrap_or(());
    }
    let _ = d.remove(&mut vm, &Value::Int(3));
    d.insert(&mut vm, Value::float(5.0), Value::str("five"))
        .unwrap_or(());
    assert_eq!(
        vm.repr(&Value::Dict(d)).unwrap_or_default(),
        "{5: 'five', 9: 90, 1: 10}"
    );
    let s = vm
        .set_from(vec![
            Value::Int(3),
            Value::Int(1),
            Value::Int(2),
            Value::Int(100),
            Value::Int(-5),
        ])
        .unwrap_or(Value::None);
    assert_eq!(vm.repr(&s).unwrap_or_default(), "{1, 2, 3, 100, -5}");
    let items: Vec<Value> = (0..20).map(|i| Value::Int(i * 37 % 101)).collect();
    let s = vm.set_from(items).unwrap_or(Value::None);
    assert_eq!(
        vm.repr(&s).unwrap_or_default(),
        "{0, 3, 10, 13, 20, 23, 30, 37, 40, 47, 50, 57, 60, 67, 74, 77, 84, 87, 94, 97}"
    );
}

#[test]
fn c3_mro_orders_diamonds() {
    use crate::vm::object::class::{c3_mro, Layout};
    use crate::vm::types::new_class;
    let o = new_class("O", Vec::new(), Layout::Object);
    let a = new_class("A", vec![o.clone()], Layout::Object);
    let b = new_class("B", vec![o.clone()], Layout::Object);
    let mro = c3_mro(&[a.clone(), b.clone()]).unwrap_or_default();
    let names: Vec<&str> = mro.iter().map(|c| c.name()).collect();
    assert_eq!(names, ["A", "B", "O"]);
    assert!(c3_mro(&[o.clone(), a.clone()]).is_none());
}

#[test]
fn collector_frees_self_referencing_lists() {
    let mut vm = Vm::new(VmOptions::default());
    for _ in 0..200_000 {
        let a = Value::list(Vec::new());
        if let Value::List(l) = &a {
            l.items.borrow_mut().push(a.clone());
        }
        let inst = crate::vm::object::class::Instance::new_value(vm.types.object.clone());
        if let Value::Instance(i) = &inst {
            i.dict().set_item_str("me", inst.clone());
        }
        if crate::vm::gc::should_collect() {
            crate::vm::gc::collect();
        }
    }
    crate::vm::gc::collect_full();
    assert!(
        crate::vm::gc::tracked_count() < 30_000,
        "{}",
        crate::vm::gc::tracked_count()
    );
    let _ = &mut vm;
}
