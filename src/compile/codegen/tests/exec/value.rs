//! Values of the test interpreter and the operations on them that need no frames.

use crate::compile::code::{CodeObject, Const};
use crate::syntax::ast::{BinOp, CmpOp};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub(super) type Cell = Rc<RefCell<Option<V>>>;
pub(super) type Namespace = Rc<RefCell<HashMap<Rc<str>, V>>>;
pub(super) type R<T> = Result<T, V>;

#[derive(Clone)]
pub(super) enum V {
    None,
    Bool(bool),
    Int(i64),
    Str(Rc<str>),
    List(Rc<RefCell<Vec<V>>>),
    Tuple(Rc<Vec<V>>),
    Dict(Rc<RefCell<Vec<(V, V)>>>),
    Code(Rc<CodeObject>),
    Func(Rc<Func>),
    Cell(Cell),
    Builtin(&'static str),
    ExcClass(&'static str),
    Exc(Rc<Exc>),
    Iter(Rc<RefCell<(Vec<V>, usize)>>),
    /// A context manager printing `enter NAME` / `exit NAME TYPE`; names starting with
    /// `suppress` swallow the exception.
    Cm(Rc<str>),
    CmExit(Rc<str>),
    /// The async variant of `Cm`: `aenter NAME` / `aexit NAME TYPE`.
    Acm(Rc<str>),
    AcmExit(Rc<str>),
    /// An awaitable that finishes at once with its value.
    Done(Box<V>),
    /// The first slot `LoadMethod` pushes: the method name.
    Method(Rc<str>),
    /// A generator, coroutine or async generator.
    Gen(Rc<RefCell<super::Gen>>),
    /// `__anext__()` of an async generator, awaited with `Send`.
    Anext(Rc<RefCell<super::Gen>>),
    /// A value an async generator yields (as opposed to one its awaits pass through).
    Wrapped(Box<V>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    Bound(Box<V>, Box<V>),
    Super(Rc<Class>, Box<V>),
}

pub(super) struct Func {
    pub code: Rc<CodeObject>,
    pub defaults: Vec<V>,
    pub kwdefaults: Vec<(V, V)>,
    pub closure: Vec<Cell>,
}

pub(super) struct Exc {
    pub class: &'static str,
    pub args: Vec<V>,
}

pub(super) struct Class {
    pub name: Rc<str>,
    pub ns: Namespace,
    pub base: Option<Rc<Class>>,
}

pub(super) struct Instance {
    pub class: Rc<Class>,
    pub attrs: Namespace,
}

impl Class {
    /// The attribute from this class or its bases.
    pub fn lookup(&self, name: &str) -> Option<V> {
        if let Some(value) = self.ns.borrow().get(name) {
            return Some(value.clone());
        }
        self.base.as_ref().and_then(|base| base.lookup(name))
    }
}

const EXC_CLASSES: &[(&str, Option<&str>)] = &[
    ("BaseException", None),
    ("Exception", Some("BaseException")),
    ("ValueError", Some("Exception")),
    ("TypeError", Some("Exception")),
    ("RuntimeError", Some("Exception")),
    ("LookupError", Some("Exception")),
    ("KeyError", Some("LookupError")),
    ("IndexError", Some("LookupError")),
    ("ArithmeticError", Some("Exception")),
    ("ZeroDivisionError", Some("ArithmeticError")),
    ("AssertionError", Some("Exception")),
    ("NameError", Some("Exception")),
    ("UnboundLocalError", Some("NameError")),
    ("StopIteration", Some("Exception")),
    ("AttributeError", Some("Exception")),
    ("ExceptionGroup", Some("Exception")),
    ("StopAsyncIteration", Some("Exception")),
];

pub(super) fn exc_class(name: &str) -> Option<&'static str> {
    EXC_CLASSES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, _)| *n)
}

pub(super) fn is_subclass(class: &str, of: &str) -> bool {
    let mut cur = Some(class);
    while let Some(name) = cur {
        if name == of {
            return true;
        }
        cur = EXC_CLASSES
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, p)| *p);
    }
    false
}

pub(super) fn err(class: &'static str, msg: impl Into<String>) -> V {
    V::Exc(Rc::new(Exc {
        class,
        args: vec![V::Str(msg.into().into())],
    }))
}

pub(super) fn builtin(name: &str) -> Option<V> {
    if let Some(class) = exc_class(name) {
        return Some(V::ExcClass(class));
    }
    [
        "print", "len", "range", "list", "str", "repr", "cm", "acm", "super", "next", "run",
        "sleep0",
    ]
    .iter()
    .find(|b| **b == name)
    .map(|b| V::Builtin(b))
}

pub(super) fn const_value(constant: &Const) -> V {
    match constant {
        Const::None => V::None,
        Const::Bool(b) => V::Bool(*b),
        Const::Int(i) => V::Int(*i),
        Const::Str(s) => V::Str(s.clone()),
        Const::Tuple(items) => V::Tuple(Rc::new(items.iter().map(const_value).collect())),
        Const::Code(code) => V::Code(code.clone()),
        other => panic!("the test interpreter has no {other:?}"),
    }
}

pub(super) fn truthy(value: &V) -> bool {
    match value {
        V::None => false,
        V::Bool(b) => *b,
        V::Int(i) => *i != 0,
        V::Str(s) => !s.is_empty(),
        V::List(items) => !items.borrow().is_empty(),
        V::Tuple(items) => !items.is_empty(),
        V::Dict(items) => !items.borrow().is_empty(),
        _ => true,
    }
}

pub(super) fn equal(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::None, V::None) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Int(x), V::Int(y)) => x == y,
        (V::Bool(x), V::Int(y)) | (V::Int(y), V::Bool(x)) => i64::from(*x) == *y,
        (V::Str(x), V::Str(y)) => x == y,
        (V::List(x), V::List(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        (V::Tuple(x), V::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        _ => false,
    }
}

pub(super) fn compare(op: CmpOp, a: &V, b: &V) -> R<bool> {
    Ok(match op {
        CmpOp::Eq => equal(a, b),
        CmpOp::NotEq => !equal(a, b),
        CmpOp::Is => matches!((a, b), (V::None, V::None)) || equal(a, b),
        CmpOp::IsNot => !(matches!((a, b), (V::None, V::None)) || equal(a, b)),
        CmpOp::In => to_vec(b)?.iter().any(|item| equal(a, item)),
        CmpOp::NotIn => !to_vec(b)?.iter().any(|item| equal(a, item)),
        _ => {
            let ord = match (a, b) {
                (V::Int(x), V::Int(y)) => x.cmp(y),
                (V::Str(x), V::Str(y)) => x.cmp(y),
                _ => return Err(err("TypeError", "'<' not supported")),
            };
            match op {
                CmpOp::Lt => ord.is_lt(),
                CmpOp::LtE => ord.is_le(),
                CmpOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            }
        }
    })
}

pub(super) fn binary(op: BinOp, a: &V, b: &V, inplace: bool) -> R<V> {
    Ok(match (op, a, b) {
        (BinOp::Add, V::Int(x), V::Int(y)) => V::Int(x + y),
        (BinOp::Sub, V::Int(x), V::Int(y)) => V::Int(x - y),
        (BinOp::Mul, V::Int(x), V::Int(y)) => V::Int(x * y),
        (BinOp::FloorDiv | BinOp::Mod, V::Int(_), V::Int(0)) => {
            return Err(err(
                "ZeroDivisionError",
                "integer division or modulo by zero",
            ))
        }
        (BinOp::FloorDiv, V::Int(x), V::Int(y)) => V::Int(x.div_euclid(*y)),
        (BinOp::Mod, V::Int(x), V::Int(y)) => V::Int(x.rem_euclid(*y)),
        (BinOp::Add, V::Str(x), V::Str(y)) => V::Str(format!("{x}{y}").into()),
        (BinOp::Mul, V::Str(x), V::Int(y)) => V::Str(x.repeat(*y as usize).into()),
        (BinOp::Add, V::List(x), V::List(y)) if inplace => {
            let extra = y.borrow().clone();
            x.borrow_mut().extend(extra);
            a.clone()
        }
        (BinOp::Add, V::List(x), V::List(y)) => {
            let mut items = x.borrow().clone();
            items.extend(y.borrow().iter().cloned());
            V::List(Rc::new(RefCell::new(items)))
        }
        _ => return Err(err("TypeError", "unsupported operand type(s)")),
    })
}

pub(super) fn subscr(container: &V, key: &V) -> R<V> {
    match (container, key) {
        (V::List(_) | V::Tuple(_) | V::Str(_), V::Int(i)) => {
            let items = to_vec(container)?;
            let idx = if *i < 0 { items.len() as i64 + i } else { *i };
            items
                .get(idx as usize)
                .cloned()
                .ok_or_else(|| err("IndexError", "index out of range"))
        }
        (V::Dict(items), _) => dict_get(items, key).ok_or_else(|| {
            V::Exc(Rc::new(Exc {
                class: "KeyError",
                args: vec![key.clone()],
            }))
        }),
        _ => Err(err("TypeError", "not subscriptable")),
    }
}

pub(super) fn dict_get(dict: &RefCell<Vec<(V, V)>>, key: &V) -> Option<V> {
    dict.borrow()
        .iter()
        .find(|(k, _)| equal(k, key))
        .map(|(_, v)| v.clone())
}

pub(super) fn dict_set(dict: &RefCell<Vec<(V, V)>>, key: V, value: V) {
    let mut items = dict.borrow_mut();
    match items.iter_mut().find(|(k, _)| equal(k, &key)) {
        Some(slot) => slot.1 = value,
        None => items.push((key, value)),
    }
}

pub(super) fn to_vec(value: &V) -> R<Vec<V>> {
    match value {
        V::List(items) => Ok(items.borrow().clone()),
        V::Tuple(items) => Ok(items.to_vec()),
        V::Str(text) => Ok(text.chars().map(|c| V::Str(c.to_string().into())).collect()),
        V::Dict(items) => Ok(items.borrow().iter().map(|(k, _)| k.clone()).collect()),
        V::Iter(state) => {
            let state = state.borrow();
            Ok(state.0[state.1..].to_vec())
        }
        _ => Err(err("TypeError", "object is not iterable")),
    }
}

pub(super) fn to_str(value: &V) -> String {
    match value {
        V::Str(text) => text.to_string(),
        V::Exc(exc) => match exc.args.as_slice() {
            [] => String::new(),
            [one] => to_str(one),
            _ => repr(&V::Tuple(Rc::new(exc.args.clone()))),
        },
        other => repr(other),
    }
}

pub(super) fn repr(value: &V) -> String {
    let join = |items: &[V]| items.iter().map(repr).collect::<Vec<_>>().join(", ");
    match value {
        V::None => "None".into(),
        V::Bool(true) => "True".into(),
        V::Bool(false) => "False".into(),
        V::Int(i) => i.to_string(),
        V::Str(text) => format!("'{text}'"),
        V::List(items) => format!("[{}]", join(&items.borrow())),
        V::Tuple(items) if items.len() == 1 => format!("({},)", repr(&items[0])),
        V::Tuple(items) => format!("({})", join(items)),
        V::Dict(items) => {
            let pairs: Vec<String> = items
                .borrow()
                .iter()
                .map(|(k, v)| format!("{}: {}", repr(k), repr(v)))
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
        V::Exc(exc) => format!("{}({})", exc.class, join(&exc.args)),
        V::Instance(inst) => format!("<{} object>", inst.class.name),
        V::Class(class) => format!("<class '{}'>", class.name),
        V::ExcClass(class) => format!("<class '{class}'>"),
        _ => "<object>".into(),
    }
}
