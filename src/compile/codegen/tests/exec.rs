//! A tiny test-only interpreter for the instructions that plain functions use (no classes,
//! generators or async), so that the compiler's output can be run and its printed output
//! compared with what CPython prints for the same program. It follows the stack effects in
//! `code.rs` literally; it is not the real VM and never will be.

use crate::compile::code::{make_fn, CodeKind, CodeObject, Const, Conversion, Instr};
use crate::syntax::ast::{BinOp, CmpOp, UnaryOp};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

type Cell = Rc<RefCell<Option<V>>>;

#[derive(Clone)]
pub enum V {
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
    Method(Rc<str>),
}

pub struct Func {
    code: Rc<CodeObject>,
    defaults: Vec<V>,
    kwdefaults: Vec<(V, V)>,
    closure: Vec<Cell>,
}

pub struct Exc {
    class: &'static str,
    args: Vec<V>,
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
];

fn exc_class(name: &str) -> Option<&'static str> {
    EXC_CLASSES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, _)| *n)
}

fn is_subclass(class: &str, of: &str) -> bool {
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

fn err(class: &'static str, msg: impl Into<String>) -> V {
    V::Exc(Rc::new(Exc {
        class,
        args: vec![V::Str(msg.into().into())],
    }))
}

type R<T> = Result<T, V>;

#[derive(Default)]
pub struct Vm {
    globals: HashMap<Rc<str>, V>,
    pub out: String,
    handled: Option<V>,
}

/// Runs a module and returns what it printed (plus the uncaught exception, if any).
pub fn run_module(code: &Rc<CodeObject>) -> String {
    let mut vm = Vm::default();
    if let Err(exc) = vm.run(code, Vec::new(), Vec::new()) {
        vm.out.push_str(&format!("uncaught {}\n", repr(&exc)));
    }
    vm.out
}

impl Vm {
    fn run(&mut self, code: &Rc<CodeObject>, mut locals: Vec<Option<V>>, cells: Vec<Cell>) -> R<V> {
        assert!(!matches!(
            code.kind,
            CodeKind::Generator | CodeKind::Coroutine
        ));
        let mut stack: Vec<V> = Vec::new();
        let mut ip = 0;
        loop {
            let instr = code.instrs[ip];
            ip += 1;
            let res = self.step(code, instr, &mut stack, &mut locals, &cells, &mut ip);
            match res {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => {}
                Err(exc) => match code.handler_for(ip - 1) {
                    Some(handler) => {
                        assert!(stack.len() >= handler.depth as usize, "handler depth");
                        stack.truncate(handler.depth as usize);
                        stack.push(exc);
                        ip = handler.target as usize;
                    }
                    None => return Err(exc),
                },
            }
            assert!(stack.len() <= code.max_stack as usize, "max_stack exceeded");
        }
    }

    fn load_name(&self, name: &str) -> R<V> {
        if let Some(value) = self.globals.get(name) {
            return Ok(value.clone());
        }
        builtin(name).ok_or_else(|| err("NameError", format!("name '{name}' is not defined")))
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        code: &Rc<CodeObject>,
        instr: Instr,
        stack: &mut Vec<V>,
        locals: &mut [Option<V>],
        cells: &[Cell],
        ip: &mut usize,
    ) -> R<Option<V>> {
        let pop = |stack: &mut Vec<V>| stack.pop().expect("stack underflow");
        let name = |idx: u32| code.names[idx as usize].clone();
        match instr {
            Instr::Nop => {}
            Instr::PopTop => {
                pop(stack);
            }
            Instr::Copy(n) => stack.push(stack[stack.len() - n as usize].clone()),
            Instr::Swap(n) => {
                let len = stack.len();
                stack.swap(len - 1, len - n as usize);
            }
            Instr::LoadConst(idx) => stack.push(const_value(&code.consts[idx as usize])),
            Instr::LoadLocal(idx) => match &locals[idx as usize] {
                Some(value) => stack.push(value.clone()),
                None => {
                    let var = &code.varnames[idx as usize];
                    return Err(err(
                        "UnboundLocalError",
                        format!("cannot access local variable '{var}' where it is not associated with a value"),
                    ));
                }
            },
            Instr::StoreLocal(idx) => locals[idx as usize] = Some(pop(stack)),
            Instr::DeleteLocal(idx) => locals[idx as usize] = None,
            Instr::LoadDeref(idx) => match &*cells[idx as usize].borrow() {
                Some(value) => stack.push(value.clone()),
                None => return Err(err("NameError", "empty cell")),
            },
            Instr::StoreDeref(idx) => *cells[idx as usize].borrow_mut() = Some(pop(stack)),
            Instr::DeleteDeref(idx) => *cells[idx as usize].borrow_mut() = None,
            Instr::LoadClosure(idx) => stack.push(V::Cell(cells[idx as usize].clone())),
            Instr::LoadGlobal(idx) | Instr::LoadName(idx) => {
                stack.push(self.load_name(&name(idx))?)
            }
            Instr::StoreGlobal(idx) | Instr::StoreName(idx) => {
                let value = pop(stack);
                self.globals.insert(name(idx), value);
            }
            Instr::DeleteGlobal(idx) | Instr::DeleteName(idx) => {
                self.globals.remove(&name(idx));
            }
            Instr::LoadAttr(idx) => {
                let obj = pop(stack);
                match (&obj, &*name(idx)) {
                    (V::Exc(exc), "args") => stack.push(V::Tuple(Rc::new(exc.args.clone()))),
                    _ => return Err(err("TypeError", "no attribute")),
                }
            }
            Instr::LoadMethod(idx) => {
                let obj = pop(stack);
                stack.push(V::Method(name(idx)));
                stack.push(obj);
            }
            Instr::CallMethod(n) | Instr::CallMethodKw(n, _) => {
                let args = stack.split_off(stack.len() - n as usize);
                let obj = pop(stack);
                let V::Method(method) = pop(stack) else {
                    panic!("CallMethod without LoadMethod");
                };
                stack.push(call_method(&obj, &method, args)?);
            }
            Instr::LoadSubscr => {
                let key = pop(stack);
                let container = pop(stack);
                stack.push(subscr(&container, &key)?);
            }
            Instr::StoreSubscr => {
                let key = pop(stack);
                let container = pop(stack);
                let value = pop(stack);
                match (&container, &key) {
                    (V::List(items), V::Int(i)) => items.borrow_mut()[*i as usize] = value,
                    (V::Dict(items), _) => dict_set(items, key, value),
                    _ => return Err(err("TypeError", "store subscr")),
                }
            }
            Instr::Binary(op) | Instr::Inplace(op) => {
                let right = pop(stack);
                let left = pop(stack);
                let inplace = matches!(instr, Instr::Inplace(_));
                stack.push(binary(op, &left, &right, inplace)?);
            }
            Instr::Unary(op) => {
                let value = pop(stack);
                stack.push(match (op, value) {
                    (UnaryOp::Not, v) => V::Bool(!truthy(&v)),
                    (UnaryOp::Neg, V::Int(i)) => V::Int(-i),
                    (UnaryOp::Invert, V::Int(i)) => V::Int(!i),
                    (UnaryOp::Pos, v) => v,
                    _ => return Err(err("TypeError", "bad operand type for unary op")),
                });
            }
            Instr::Compare(op) => {
                let right = pop(stack);
                let left = pop(stack);
                stack.push(V::Bool(compare(op, &left, &right)?));
            }
            Instr::Jump(target) => *ip = target as usize,
            Instr::PopJumpIfFalse(target) => {
                if !truthy(&pop(stack)) {
                    *ip = target as usize;
                }
            }
            Instr::PopJumpIfTrue(target) => {
                if truthy(&pop(stack)) {
                    *ip = target as usize;
                }
            }
            Instr::PopJumpIfNone(target) => {
                if matches!(pop(stack), V::None) {
                    *ip = target as usize;
                }
            }
            Instr::JumpIfFalseOrPop(target) | Instr::JumpIfTrueOrPop(target) => {
                let want = matches!(instr, Instr::JumpIfTrueOrPop(_));
                if truthy(stack.last().expect("empty")) == want {
                    *ip = target as usize;
                } else {
                    pop(stack);
                }
            }
            Instr::GetIter => {
                let items = to_vec(&pop(stack))?;
                stack.push(V::Iter(Rc::new(RefCell::new((items, 0)))));
            }
            Instr::ForIter(target) => {
                let V::Iter(iter) = stack.last().expect("empty").clone() else {
                    panic!("ForIter on a non-iterator");
                };
                let mut state = iter.borrow_mut();
                if state.1 < state.0.len() {
                    let item = state.0[state.1].clone();
                    state.1 += 1;
                    stack.push(item);
                } else {
                    pop(stack);
                    *ip = target as usize;
                }
            }
            Instr::BuildTuple(n) => {
                let items = stack.split_off(stack.len() - n as usize);
                stack.push(V::Tuple(Rc::new(items)));
            }
            Instr::BuildList(n) => {
                let items = stack.split_off(stack.len() - n as usize);
                stack.push(V::List(Rc::new(RefCell::new(items))));
            }
            Instr::BuildMap(n) => {
                let flat = stack.split_off(stack.len() - 2 * n as usize);
                let dict = Rc::new(RefCell::new(Vec::new()));
                for pair in flat.chunks(2) {
                    dict_set(&dict, pair[0].clone(), pair[1].clone());
                }
                stack.push(V::Dict(dict));
            }
            Instr::BuildString(n) => {
                let parts = stack.split_off(stack.len() - n as usize);
                let text: String = parts.iter().map(to_str).collect();
                stack.push(V::Str(text.into()));
            }
            Instr::ListAppend(n) => {
                let value = pop(stack);
                let V::List(list) = &stack[stack.len() - n as usize] else {
                    panic!("ListAppend target");
                };
                list.borrow_mut().push(value);
            }
            Instr::ListExtend(n) => {
                let items = to_vec(&pop(stack))?;
                let V::List(list) = &stack[stack.len() - n as usize] else {
                    panic!("ListExtend target");
                };
                list.borrow_mut().extend(items);
            }
            Instr::MapAdd(n) => {
                let value = pop(stack);
                let key = pop(stack);
                let V::Dict(dict) = &stack[stack.len() - n as usize] else {
                    panic!("MapAdd target");
                };
                dict_set(dict, key, value);
            }
            Instr::DictUpdate(n) | Instr::DictMerge(n) => {
                let V::Dict(source) = pop(stack) else {
                    return Err(err("TypeError", "not a mapping"));
                };
                let V::Dict(dict) = &stack[stack.len() - n as usize] else {
                    panic!("DictUpdate target");
                };
                for (key, value) in source.borrow().iter() {
                    if matches!(instr, Instr::DictMerge(_)) && dict_get(dict, key).is_some() {
                        return Err(err("TypeError", "multiple values for keyword argument"));
                    }
                    dict_set(dict, key.clone(), value.clone());
                }
            }
            Instr::ListToTuple => {
                let list = to_vec(&pop(stack))?;
                stack.push(V::Tuple(Rc::new(list)));
            }
            Instr::UnpackSequence(n) => {
                let items = to_vec(&pop(stack))?;
                if items.len() != n as usize {
                    return Err(err("ValueError", "unpack mismatch"));
                }
                stack.extend(items.into_iter().rev());
            }
            Instr::UnpackEx(before, after) => {
                let items = to_vec(&pop(stack))?;
                let (before, after) = (before as usize, after as usize);
                if items.len() < before + after {
                    return Err(err("ValueError", "not enough values to unpack"));
                }
                let middle = items[before..items.len() - after].to_vec();
                stack.extend(items[items.len() - after..].iter().rev().cloned());
                stack.push(V::List(Rc::new(RefCell::new(middle))));
                stack.extend(items[..before].iter().rev().cloned());
            }
            Instr::FormatValue(conversion, has_spec) => {
                if has_spec {
                    pop(stack);
                }
                let value = pop(stack);
                let text = match conversion {
                    Conversion::Repr => repr(&value),
                    _ => to_str(&value),
                };
                stack.push(V::Str(text.into()));
            }
            Instr::MakeFunction(bits) => {
                let V::Code(code) = pop(stack) else {
                    panic!("MakeFunction without code");
                };
                let closure = if bits & make_fn::CLOSURE != 0 {
                    let V::Tuple(cells) = pop(stack) else {
                        panic!("closure tuple");
                    };
                    cells
                        .iter()
                        .map(|c| match c {
                            V::Cell(cell) => cell.clone(),
                            _ => panic!("closure item"),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let kwdefaults = if bits & make_fn::KW_DEFAULTS != 0 {
                    let V::Dict(d) = pop(stack) else {
                        panic!("kwdefaults");
                    };
                    let pairs = d.borrow().clone();
                    pairs
                } else {
                    Vec::new()
                };
                let defaults = if bits & make_fn::DEFAULTS != 0 {
                    to_vec(&pop(stack))?
                } else {
                    Vec::new()
                };
                stack.push(V::Func(Rc::new(Func {
                    code,
                    defaults,
                    kwdefaults,
                    closure,
                })));
            }
            Instr::Call(n) => {
                let args = stack.split_off(stack.len() - n as usize);
                let func = pop(stack);
                stack.push(self.call(&func, args, Vec::new())?);
            }
            Instr::CallKw(n, names_idx) => {
                let Const::Tuple(names) = &code.consts[names_idx as usize] else {
                    panic!("CallKw names");
                };
                let mut args = stack.split_off(stack.len() - n as usize);
                let kwvalues = args.split_off(args.len() - names.len());
                let kwargs = names.iter().map(const_value).zip(kwvalues).collect();
                let func = pop(stack);
                stack.push(self.call(&func, args, kwargs)?);
            }
            Instr::CallEx(has_kwargs) => {
                let kwargs = if has_kwargs {
                    let V::Dict(d) = pop(stack) else {
                        panic!("kwargs dict");
                    };
                    let pairs = d.borrow().clone();
                    pairs
                } else {
                    Vec::new()
                };
                let args = to_vec(&pop(stack))?;
                let func = pop(stack);
                stack.push(self.call(&func, args, kwargs)?);
            }
            Instr::ReturnValue => return Ok(Some(pop(stack))),
            Instr::BeforeWith => {
                let V::Cm(name) = pop(stack) else {
                    return Err(err("TypeError", "not a context manager"));
                };
                self.out.push_str(&format!("enter {name}\n"));
                stack.push(V::CmExit(name.clone()));
                stack.push(V::Str(name));
            }
            Instr::WithExceptStart => {
                let exc = stack.last().expect("empty").clone();
                let exit = stack[stack.len() - 3].clone();
                let class = match &exc {
                    V::Exc(e) => V::ExcClass(e.class),
                    _ => V::None,
                };
                stack.push(self.call(&exit, vec![class, exc, V::None], Vec::new())?);
            }
            Instr::PushExcInfo => {
                let exc = pop(stack);
                stack.push(self.handled.take().unwrap_or(V::None));
                self.handled = Some(exc.clone());
                stack.push(exc);
            }
            Instr::PopExcept => {
                let prev = pop(stack);
                self.handled = match prev {
                    V::None => None,
                    other => Some(other),
                };
            }
            Instr::CheckExcMatch => {
                let typ = pop(stack);
                let V::Exc(exc) = stack.last().expect("empty").clone() else {
                    panic!("CheckExcMatch on a non-exception");
                };
                let matches = match &typ {
                    V::ExcClass(class) => is_subclass(exc.class, class),
                    V::Tuple(classes) => classes
                        .iter()
                        .any(|c| matches!(c, V::ExcClass(class) if is_subclass(exc.class, class))),
                    _ => return Err(err("TypeError", "catching classes that do not inherit")),
                };
                stack.push(V::Bool(matches));
            }
            Instr::Raise(n) => {
                let exc = match n {
                    0 => self
                        .handled
                        .clone()
                        .unwrap_or_else(|| err("RuntimeError", "No active exception to reraise")),
                    1 => pop(stack),
                    _ => {
                        pop(stack);
                        pop(stack)
                    }
                };
                let exc = match exc {
                    V::ExcClass(_) => self.call(&exc, Vec::new(), Vec::new())?,
                    other => other,
                };
                return Err(exc);
            }
            Instr::Reraise => return Err(pop(stack)),
            Instr::LoadAssertionError => stack.push(V::ExcClass("AssertionError")),
            Instr::PrintExpr => {
                pop(stack);
            }
            other => panic!("the test interpreter does not run {other:?}"),
        }
        Ok(None)
    }

    fn call(&mut self, func: &V, args: Vec<V>, kwargs: Vec<(V, V)>) -> R<V> {
        match func {
            V::Func(func) => self.call_function(func, args, kwargs),
            V::ExcClass(class) => Ok(V::Exc(Rc::new(Exc { class, args }))),
            V::CmExit(name) => {
                let typ = match &args[0] {
                    V::ExcClass(class) => class.to_string(),
                    _ => "None".into(),
                };
                self.out.push_str(&format!("exit {name} {typ}\n"));
                Ok(V::Bool(name.starts_with("suppress")))
            }
            V::Builtin(name) => self.call_builtin(name, args, kwargs),
            _ => Err(err("TypeError", "object is not callable")),
        }
    }

    fn call_builtin(&mut self, name: &str, args: Vec<V>, kwargs: Vec<(V, V)>) -> R<V> {
        match name {
            "print" => {
                let sep = kwargs
                    .iter()
                    .find(|(k, _)| to_str(k) == "sep")
                    .map_or(" ".to_string(), |(_, v)| to_str(v));
                let line: Vec<String> = args.iter().map(to_str).collect();
                self.out.push_str(&line.join(&sep));
                self.out.push('\n');
                Ok(V::None)
            }
            "len" => Ok(V::Int(to_vec(&args[0])?.len() as i64)),
            "range" => {
                let (start, stop) = match args.as_slice() {
                    [V::Int(stop)] => (0, *stop),
                    [V::Int(start), V::Int(stop)] => (*start, *stop),
                    _ => return Err(err("TypeError", "range")),
                };
                let items = (start..stop).map(V::Int).collect();
                Ok(V::List(Rc::new(RefCell::new(items))))
            }
            "list" => Ok(V::List(Rc::new(RefCell::new(to_vec(&args[0])?)))),
            "str" => Ok(V::Str(to_str(&args[0]).into())),
            "repr" => Ok(V::Str(repr(&args[0]).into())),
            "cm" => Ok(V::Cm(to_str(&args[0]).into())),
            _ => Err(err("NameError", name.to_string())),
        }
    }

    fn call_function(&mut self, func: &Rc<Func>, args: Vec<V>, kwargs: Vec<(V, V)>) -> R<V> {
        let code = &func.code;
        let argcount = code.argcount as usize;
        let n_named = argcount + code.kwonlyargcount as usize;
        let mut locals: Vec<Option<V>> = vec![None; code.varnames.len()];
        let mut extra = Vec::new();
        for (idx, arg) in args.into_iter().enumerate() {
            if idx < argcount {
                locals[idx] = Some(arg);
            } else {
                extra.push(arg);
            }
        }
        let mut slot = n_named;
        if code.has_varargs {
            locals[slot] = Some(V::Tuple(Rc::new(extra)));
            slot += 1;
        } else if !extra.is_empty() {
            return Err(err("TypeError", "too many positional arguments"));
        }
        let kw_dict = Rc::new(RefCell::new(Vec::new()));
        for (key, value) in kwargs {
            let key_text = to_str(&key);
            match code.varnames[..n_named]
                .iter()
                .position(|v| **v == *key_text)
            {
                Some(idx) => locals[idx] = Some(value),
                None if code.has_varkw => dict_set(&kw_dict, key, value),
                None => return Err(err("TypeError", "unexpected keyword argument")),
            }
        }
        if code.has_varkw {
            locals[slot] = Some(V::Dict(kw_dict));
        }
        let first_default = argcount - func.defaults.len();
        for (idx, default) in func.defaults.iter().enumerate() {
            if locals[first_default + idx].is_none() {
                locals[first_default + idx] = Some(default.clone());
            }
        }
        for (key, value) in &func.kwdefaults {
            let key_text = to_str(key);
            if let Some(idx) = code.varnames.iter().position(|v| **v == *key_text) {
                if locals[idx].is_none() {
                    locals[idx] = Some(value.clone());
                }
            }
        }
        if locals[..n_named].iter().any(Option::is_none) {
            return Err(err("TypeError", "missing argument"));
        }
        let mut cells: Vec<Cell> = code
            .cell_params
            .iter()
            .map(|param| {
                let value = param.and_then(|idx| locals[idx as usize].clone());
                Rc::new(RefCell::new(value))
            })
            .collect();
        cells.extend(func.closure.iter().cloned());
        self.run(code, locals, cells)
    }
}

fn builtin(name: &str) -> Option<V> {
    if let Some(class) = exc_class(name) {
        return Some(V::ExcClass(class));
    }
    ["print", "len", "range", "list", "str", "repr", "cm"]
        .iter()
        .find(|b| **b == name)
        .map(|b| V::Builtin(b))
}

fn const_value(constant: &Const) -> V {
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

fn truthy(value: &V) -> bool {
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

fn equal(a: &V, b: &V) -> bool {
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

fn compare(op: CmpOp, a: &V, b: &V) -> R<bool> {
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

fn binary(op: BinOp, a: &V, b: &V, inplace: bool) -> R<V> {
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

fn subscr(container: &V, key: &V) -> R<V> {
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

fn dict_get(dict: &RefCell<Vec<(V, V)>>, key: &V) -> Option<V> {
    dict.borrow()
        .iter()
        .find(|(k, _)| equal(k, key))
        .map(|(_, v)| v.clone())
}

fn dict_set(dict: &RefCell<Vec<(V, V)>>, key: V, value: V) {
    let mut items = dict.borrow_mut();
    match items.iter_mut().find(|(k, _)| equal(k, &key)) {
        Some(slot) => slot.1 = value,
        None => items.push((key, value)),
    }
}

fn call_method(obj: &V, method: &str, args: Vec<V>) -> R<V> {
    match (obj, method) {
        (V::List(items), "append") => {
            items.borrow_mut().push(args[0].clone());
            Ok(V::None)
        }
        (V::Str(sep), "join") => {
            let parts: Vec<String> = to_vec(&args[0])?.iter().map(to_str).collect();
            Ok(V::Str(parts.join(sep).into()))
        }
        (V::Str(text), "upper") => Ok(V::Str(text.to_uppercase().into())),
        _ => Err(err("TypeError", format!("no method {method}"))),
    }
}

fn to_vec(value: &V) -> R<Vec<V>> {
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

fn to_str(value: &V) -> String {
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

fn repr(value: &V) -> String {
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
        V::ExcClass(class) => format!("<class '{class}'>"),
        _ => "<object>".into(),
    }
}
