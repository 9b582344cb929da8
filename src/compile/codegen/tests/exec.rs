//! A small test-only interpreter for the compiler's output, so that compiled programs can be
//! run and their printed output compared with CPython's. It follows the stack effects in
//! `code.rs` literally, with heap frames that generators, coroutines and async generators
//! suspend; classes have single inheritance and no dunder methods. It is not the real VM.

mod call;
mod value;

use crate::compile::code::{make_fn, CodeKind, CodeObject, Const, Conversion, Instr};
use crate::syntax::ast::UnaryOp;
use call::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use value::*;

pub(super) struct Frame {
    code: Rc<CodeObject>,
    ip: usize,
    stack: Vec<V>,
    locals: Vec<Option<V>>,
    cells: Vec<Cell>,
    /// A class body's namespace; `None` for module and function code.
    ns: Option<Namespace>,
}

/// Why a frame stopped running.
enum Halt {
    Return(V),
    Yield(V),
}

/// A suspended generator-like frame; `None` once finished.
pub(super) struct Gen {
    frame: Option<Frame>,
    started: bool,
}

enum Resumed {
    Yielded(V),
    Returned(V),
}

#[derive(Default)]
struct Vm {
    globals: HashMap<Rc<str>, V>,
    out: String,
    handled: Option<V>,
}

/// Runs a module and returns what it printed (plus the uncaught exception, if any).
pub(super) fn run_module(code: &Rc<CodeObject>) -> String {
    let mut vm = Vm::default();
    let mut frame = Frame::new(code.clone(), Vec::new(), Vec::new());
    match vm.run_frame(&mut frame) {
        Ok(Halt::Return(_)) => {}
        Ok(Halt::Yield(_)) => vm.out.push_str("module yielded\n"),
        Err(exc) => vm.out.push_str(&format!("uncaught {}\n", repr(&exc))),
    }
    vm.out
}

impl Frame {
    fn new(code: Rc<CodeObject>, locals: Vec<Option<V>>, cells: Vec<Cell>) -> Frame {
        Frame {
            code,
            ip: 0,
            stack: Vec::new(),
            locals,
            cells,
            ns: None,
        }
    }
}

fn pop(stack: &mut Vec<V>) -> V {
    stack.pop().expect("stack underflow")
}

/// The value of local `idx`, or CPython's `UnboundLocalError`.
fn local(locals: &[Option<V>], code: &CodeObject, idx: u32) -> R<V> {
    match &locals[idx as usize] {
        Some(value) => Ok(value.clone()),
        None => {
            let var = &code.varnames[idx as usize];
            let message = format!(
                "cannot access local variable '{var}' where it is not associated with a value"
            );
            Err(err("UnboundLocalError", message))
        }
    }
}

impl Vm {
    fn run_frame(&mut self, frame: &mut Frame) -> R<Halt> {
        loop {
            let instr = frame.code.instrs[frame.ip];
            frame.ip += 1;
            match self.step(frame, instr) {
                Ok(None) => {}
                Ok(Some(halt)) => return Ok(halt),
                Err(exc) => match frame.code.handler_for(frame.ip - 1) {
                    Some(handler) => {
                        assert!(frame.stack.len() >= handler.depth as usize, "handler depth");
                        frame.stack.truncate(handler.depth as usize);
                        frame.stack.push(exc);
                        frame.ip = handler.target as usize;
                    }
                    None => return Err(exc),
                },
            }
            assert!(
                frame.stack.len() <= frame.code.max_stack as usize,
                "max_stack exceeded"
            );
        }
    }

    fn resume(&mut self, gen: &Rc<RefCell<Gen>>, sent: V) -> R<Resumed> {
        let (frame, started) = {
            let mut state = gen.borrow_mut();
            let started = std::mem::replace(&mut state.started, true);
            (state.frame.take(), started)
        };
        let Some(mut frame) = frame else {
            return Ok(Resumed::Returned(V::None));
        };
        if started {
            // A frame suspended in `Send` gets the sent value in place of the one it sent.
            if matches!(frame.code.instrs[frame.ip], Instr::Send(_)) {
                *frame.stack.last_mut().expect("Send operand") = sent;
            } else {
                frame.stack.push(sent);
            }
        }
        match self.run_frame(&mut frame)? {
            Halt::Yield(value) => {
                gen.borrow_mut().frame = Some(frame);
                Ok(Resumed::Yielded(value))
            }
            Halt::Return(value) => Ok(Resumed::Returned(value)),
        }
    }

    /// Every item of an iterable, running generators to the end.
    fn items(&mut self, value: &V) -> R<Vec<V>> {
        match value {
            V::Gen(gen) => {
                let mut items = Vec::new();
                while let Resumed::Yielded(item) = self.resume(gen, V::None)? {
                    items.push(item);
                }
                Ok(items)
            }
            other => to_vec(other),
        }
    }

    fn load_name(&self, frame: &Frame, name: &str) -> R<V> {
        if let Some(value) = frame
            .ns
            .as_ref()
            .and_then(|ns| ns.borrow().get(name).cloned())
        {
            return Ok(value);
        }
        if let Some(value) = self.globals.get(name) {
            return Ok(value.clone());
        }
        builtin(name).ok_or_else(|| err("NameError", format!("name '{name}' is not defined")))
    }

    fn step(&mut self, frame: &mut Frame, instr: Instr) -> R<Option<Halt>> {
        let code = frame.code.clone();
        let name = |idx: u32| code.names[idx as usize].clone();
        let stack = &mut frame.stack;
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
            Instr::LoadLocal(idx) => stack.push(local(&frame.locals, &code, idx)?),
            // Run as its first load: the `LoadLocal(b)` after it does the second.
            Instr::LoadLocal2(idx, _) | Instr::LoadLocalInto(idx) => {
                stack.push(local(&frame.locals, &code, idx)?)
            }
            Instr::StoreLocal(idx) => frame.locals[idx as usize] = Some(pop(stack)),
            Instr::DeleteLocal(idx) => frame.locals[idx as usize] = None,
            Instr::LoadDeref(idx) => match &*frame.cells[idx as usize].borrow() {
                Some(value) => stack.push(value.clone()),
                None => return Err(err("NameError", "empty cell")),
            },
            Instr::LoadClassDeref(idx) => {
                let cell_name = code
                    .cellvars
                    .iter()
                    .chain(&code.freevars)
                    .nth(idx as usize)
                    .expect("cell name")
                    .clone();
                let in_class = frame
                    .ns
                    .as_ref()
                    .and_then(|ns| ns.borrow().get(&cell_name).cloned());
                let value = in_class.or_else(|| frame.cells[idx as usize].borrow().clone());
                stack.push(value.ok_or_else(|| err("NameError", "empty cell"))?);
            }
            Instr::StoreDeref(idx) => *frame.cells[idx as usize].borrow_mut() = Some(pop(stack)),
            Instr::DeleteDeref(idx) => *frame.cells[idx as usize].borrow_mut() = None,
            Instr::LoadClosure(idx) => stack.push(V::Cell(frame.cells[idx as usize].clone())),
            Instr::LoadGlobal(idx) => {
                let value =
                    self.load_name(&Frame::new(code.clone(), vec![], vec![]), &name(idx))?;
                frame.stack.push(value);
            }
            Instr::LoadName(idx) => {
                let value = self.load_name(frame, &name(idx))?;
                frame.stack.push(value);
            }
            Instr::StoreGlobal(idx) => {
                let value = pop(stack);
                self.globals.insert(name(idx), value);
            }
            Instr::StoreName(idx) => {
                let value = pop(stack);
                match &frame.ns {
                    Some(ns) => {
                        ns.borrow_mut().insert(name(idx), value);
                    }
                    None => {
                        self.globals.insert(name(idx), value);
                    }
                }
            }
            Instr::DeleteGlobal(idx) | Instr::DeleteName(idx) => {
                self.globals.remove(&name(idx));
            }
            Instr::LoadAttr(idx) => {
                let obj = pop(stack);
                let value = self.getattr(&obj, &name(idx))?;
                frame.stack.push(value);
            }
            Instr::LoadLocalAttr(slot, idx) => {
                let obj = local(&frame.locals, &code, slot)?;
                let value = self.getattr(&obj, &name(idx))?;
                frame.stack.push(value);
            }
            Instr::StoreAttr(idx) | Instr::StoreLocalAttr(_, idx) => {
                let obj = match instr {
                    Instr::StoreLocalAttr(slot, _) => local(&frame.locals, &code, slot)?,
                    _ => pop(stack),
                };
                let value = pop(stack);
                match obj {
                    V::Instance(inst) => {
                        inst.attrs.borrow_mut().insert(name(idx), value);
                    }
                    V::Class(class) => {
                        class.ns.borrow_mut().insert(name(idx), value);
                    }
                    _ => return Err(err("TypeError", "cannot set attribute")),
                }
            }
            Instr::LoadMethod(idx) => {
                let obj = pop(stack);
                stack.push(V::Method(name(idx)));
                stack.push(obj);
            }
            Instr::CallMethod(n) | Instr::CallMethodKw(n, _) => {
                let (args, kwargs) =
                    split_kwargs(&code, instr, stack.split_off(stack.len() - n as usize));
                let obj = pop(stack);
                let V::Method(method) = pop(stack) else {
                    panic!("CallMethod without LoadMethod");
                };
                let res = self.call_method(&obj, &method, args, kwargs)?;
                frame.stack.push(res);
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
            Instr::BinaryConst(op, k) | Instr::InplaceConst(op, k) => {
                let right = const_value(&code.consts[k as usize]);
                let left = pop(stack);
                let inplace = matches!(instr, Instr::InplaceConst(..));
                stack.push(binary(op, &left, &right, inplace)?);
            }
            Instr::CompareConstJump(op, jump_if, k, target) => {
                let right = const_value(&code.consts[k as usize]);
                let left = pop(stack);
                if compare(op, &left, &right)? == jump_if {
                    frame.ip = target as usize;
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
            Instr::Jump(target) => frame.ip = target as usize,
            Instr::CompareJump(op, jump_if, target) => {
                let right = pop(stack);
                let left = pop(stack);
                if compare(op, &left, &right)? == jump_if {
                    frame.ip = target as usize;
                }
            }
            Instr::PopJumpIfFalse(target) => {
                if !truthy(&pop(stack)) {
                    frame.ip = target as usize;
                }
            }
            Instr::PopJumpIfTrue(target) => {
                if truthy(&pop(stack)) {
                    frame.ip = target as usize;
                }
            }
            Instr::PopJumpIfNone(target) => {
                if matches!(pop(stack), V::None) {
                    frame.ip = target as usize;
                }
            }
            Instr::JumpIfFalseOrPop(target) | Instr::JumpIfTrueOrPop(target) => {
                let want = matches!(instr, Instr::JumpIfTrueOrPop(_));
                if truthy(stack.last().expect("empty")) == want {
                    frame.ip = target as usize;
                } else {
                    pop(stack);
                }
            }
            Instr::GetIter | Instr::GetYieldFromIter => {
                let value = pop(stack);
                let iter = match value {
                    V::Gen(_) | V::Iter(_) => value,
                    other => V::Iter(Rc::new(RefCell::new((to_vec(&other)?, 0)))),
                };
                stack.push(iter);
            }
            Instr::ForIter(target) => {
                let item = match stack.last().expect("empty").clone() {
                    V::Iter(iter) => {
                        let mut state = iter.borrow_mut();
                        let item = state.0.get(state.1).cloned();
                        state.1 += 1;
                        item
                    }
                    V::Gen(gen) => match self.resume(&gen, V::None)? {
                        Resumed::Yielded(item) => Some(item),
                        Resumed::Returned(_) => None,
                    },
                    _ => panic!("ForIter on a non-iterator"),
                };
                match item {
                    Some(item) => frame.stack.push(item),
                    None => {
                        pop(&mut frame.stack);
                        frame.ip = target as usize;
                    }
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
                let iterable = pop(stack);
                let items = self.items(&iterable)?;
                let stack = &mut frame.stack;
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
                let seq = pop(stack);
                let items = self.items(&seq)?;
                if items.len() != n as usize {
                    return Err(err("ValueError", "unpack mismatch"));
                }
                frame.stack.extend(items.into_iter().rev());
            }
            Instr::UnpackEx(before, after) => {
                let seq = pop(stack);
                let items = self.items(&seq)?;
                let (before, after) = (before as usize, after as usize);
                if items.len() < before + after {
                    return Err(err("ValueError", "not enough values to unpack"));
                }
                let middle = items[before..items.len() - after].to_vec();
                let stack = &mut frame.stack;
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
            Instr::MakeFunction(bits) => make_function(stack, bits)?,
            Instr::Call(n) | Instr::CallKw(n, _) => {
                let (args, kwargs) =
                    split_kwargs(&code, instr, stack.split_off(stack.len() - n as usize));
                let func = pop(stack);
                let res = self.call(&func, args, kwargs)?;
                frame.stack.push(res);
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
                let res = self.call(&func, args, kwargs)?;
                frame.stack.push(res);
            }
            Instr::BuildClass(n_bases) => {
                let bases = stack.split_off(stack.len() - n_bases as usize);
                let class_name = pop(stack);
                let body = pop(stack);
                let class = self.build_class(&body, &class_name, bases)?;
                frame.stack.push(class);
            }
            Instr::ReturnValue => return Ok(Some(Halt::Return(pop(stack)))),
            Instr::ReturnBinary(op) => {
                let right = pop(stack);
                let left = pop(stack);
                return Ok(Some(Halt::Return(binary(op, &left, &right, false)?)));
            }
            Instr::ReturnConst(idx) => {
                return Ok(Some(Halt::Return(const_value(&code.consts[idx as usize]))))
            }
            Instr::ReturnLocal(idx) => {
                return Ok(Some(Halt::Return(local(&frame.locals, &code, idx)?)))
            }
            Instr::YieldValue => return Ok(Some(Halt::Yield(pop(stack)))),
            Instr::AsyncGenWrap => {
                let value = pop(stack);
                stack.push(V::Wrapped(Box::new(value)));
            }
            Instr::GetAwaitable | Instr::GetAIter => {}
            Instr::GetANext => {
                let V::Gen(gen) = stack.last().expect("empty").clone() else {
                    return Err(err("TypeError", "not an async iterator"));
                };
                stack.push(V::Anext(gen));
            }
            Instr::Send(target) => return self.send(frame, target),
            Instr::EndAsyncFor => {
                let exc = pop(stack);
                if !matches!(&exc, V::Exc(e) if e.class == "StopAsyncIteration") {
                    return Err(exc);
                }
                pop(stack);
            }
            Instr::BeforeWith => {
                let V::Cm(name) = pop(stack) else {
                    return Err(err("TypeError", "not a context manager"));
                };
                self.out.push_str(&format!("enter {name}\n"));
                frame.stack.push(V::CmExit(name.clone()));
                frame.stack.push(V::Str(name));
            }
            Instr::BeforeAsyncWith => {
                let V::Acm(name) = pop(stack) else {
                    return Err(err("TypeError", "not an async context manager"));
                };
                self.out.push_str(&format!("aenter {name}\n"));
                frame.stack.push(V::AcmExit(name.clone()));
                frame.stack.push(V::Done(Box::new(V::Str(name))));
            }
            Instr::WithExceptStart => {
                let exc = stack.last().expect("empty").clone();
                let exit = stack[stack.len() - 3].clone();
                let class = match &exc {
                    V::Exc(e) => V::ExcClass(e.class),
                    _ => V::None,
                };
                let res = self.call(&exit, vec![class, exc, V::None], Vec::new())?;
                frame.stack.push(res);
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
                let exc = stack.last().expect("empty").clone();
                stack.push(V::Bool(exc_matches(&exc, &typ)?));
            }
            Instr::CheckEgMatch => {
                let typ = pop(stack);
                let rest = pop(stack);
                let (rest, matched) = split_group(&rest, &typ)?;
                if !matches!(matched, V::None) {
                    self.handled = Some(matched.clone());
                }
                frame.stack.push(rest);
                frame.stack.push(matched);
            }
            Instr::PrepReraiseStar => {
                let rest = pop(stack);
                let V::List(raised) = pop(stack) else {
                    panic!("PrepReraiseStar raised list");
                };
                pop(stack);
                let mut raised = raised.borrow().clone();
                let to_raise = match (raised.len(), rest) {
                    (0, rest) => rest,
                    (1, V::None) => raised.remove(0),
                    (_, rest) => {
                        if !matches!(rest, V::None) {
                            raised.insert(0, rest);
                        }
                        group("", raised)
                    }
                };
                frame.stack.push(to_raise);
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

    /// `Send`: `[sub value]`, suspending this frame while `sub` yields.
    fn send(&mut self, frame: &mut Frame, target: u32) -> R<Option<Halt>> {
        let len = frame.stack.len();
        let (sub, value) = (frame.stack[len - 2].clone(), frame.stack[len - 1].clone());
        let resumed = match &sub {
            V::Gen(gen) => self.resume(gen, value)?,
            V::Iter(iter) => {
                let mut state = iter.borrow_mut();
                let item = state.0.get(state.1).cloned();
                state.1 += 1;
                match item {
                    Some(item) => Resumed::Yielded(item),
                    None => Resumed::Returned(V::None),
                }
            }
            V::Done(result) => Resumed::Returned((**result).clone()),
            V::Anext(gen) => match self.resume(gen, value)? {
                Resumed::Yielded(V::Wrapped(item)) => Resumed::Returned(*item),
                Resumed::Yielded(passed) => Resumed::Yielded(passed),
                Resumed::Returned(_) => return Err(err("StopAsyncIteration", "")),
            },
            _ => return Err(err("TypeError", "object can't be awaited")),
        };
        match resumed {
            Resumed::Yielded(item) => {
                frame.ip -= 1;
                Ok(Some(Halt::Yield(item)))
            }
            Resumed::Returned(result) => {
                frame.stack.truncate(len - 2);
                frame.stack.push(result);
                frame.ip = target as usize;
                Ok(None)
            }
        }
    }

    fn getattr(&mut self, obj: &V, attr: &str) -> R<V> {
        let missing = || err("AttributeError", format!("no attribute '{attr}'"));
        match obj {
            V::Exc(exc) if attr == "args" => Ok(V::Tuple(Rc::new(exc.args.clone()))),
            V::Instance(inst) => {
                if let Some(value) = inst.attrs.borrow().get(attr) {
                    return Ok(value.clone());
                }
                match inst.class.lookup(attr).ok_or_else(missing)? {
                    func @ V::Func(_) => Ok(V::Bound(Box::new(obj.clone()), Box::new(func))),
                    other => Ok(other),
                }
            }
            V::Class(class) if attr == "__name__" => Ok(V::Str(class.name.clone())),
            V::Class(class) => class.lookup(attr).ok_or_else(missing),
            V::Super(class, inner) => {
                let base = class.base.as_ref().ok_or_else(missing)?;
                match base.lookup(attr).ok_or_else(missing)? {
                    func @ V::Func(_) => Ok(V::Bound(inner.clone(), Box::new(func))),
                    other => Ok(other),
                }
            }
            _ => Err(missing()),
        }
    }

    fn build_class(&mut self, body: &V, name: &V, bases: Vec<V>) -> R<V> {
        let V::Func(func) = body else {
            panic!("BuildClass without a body function");
        };
        let base = match bases.first() {
            Some(V::Class(base)) => Some(base.clone()),
            Some(_) => return Err(err("TypeError", "bad base")),
            None => None,
        };
        let ns: Namespace = Rc::default();
        let cells = fresh_cells(&func.code, &[], &func.closure);
        let mut frame = Frame::new(func.code.clone(), Vec::new(), cells);
        frame.ns = Some(ns.clone());
        let Halt::Return(cell) = self.run_frame(&mut frame)? else {
            panic!("class body yielded");
        };
        let class = V::Class(Rc::new(Class {
            name: to_str(name).into(),
            ns,
            base,
        }));
        if let V::Cell(cell) = cell {
            *cell.borrow_mut() = Some(class.clone());
        }
        Ok(class)
    }
}

fn group(message: &str, items: Vec<V>) -> V {
    let list = V::List(Rc::new(RefCell::new(items)));
    V::Exc(Rc::new(Exc {
        class: "ExceptionGroup",
        args: vec![V::Str(message.into()), list],
    }))
}

/// `except*` matching: `(rest, match)`, each `None` when empty.
fn split_group(rest: &V, typ: &V) -> R<(V, V)> {
    let V::Exc(exc) = rest else {
        return Ok((V::None, V::None));
    };
    if exc.class != "ExceptionGroup" {
        if exc_matches(rest, typ)? {
            let naked = V::Tuple(Rc::new(vec![rest.clone()]));
            let wrapped = V::Exc(Rc::new(Exc {
                class: "ExceptionGroup",
                args: vec![V::Str("".into()), naked],
            }));
            return Ok((V::None, wrapped));
        }
        return Ok((rest.clone(), V::None));
    }
    let message = to_str(&exc.args[0]);
    let (mut matched, mut unmatched) = (Vec::new(), Vec::new());
    for item in to_vec(&exc.args[1])? {
        if exc_matches(&item, typ)? {
            matched.push(item);
        } else {
            unmatched.push(item);
        }
    }
    let wrap = |items: Vec<V>| {
        if items.is_empty() {
            V::None
        } else {
            group(&message, items)
        }
    };
    Ok((wrap(unmatched), wrap(matched)))
}

fn exc_matches(exc: &V, typ: &V) -> R<bool> {
    let V::Exc(exc) = exc else {
        panic!("CheckExcMatch on a non-exception");
    };
    Ok(match typ {
        V::ExcClass(class) => is_subclass(exc.class, class),
        V::Tuple(classes) => classes
            .iter()
            .any(|c| matches!(c, V::ExcClass(class) if is_subclass(exc.class, class))),
        _ => return Err(err("TypeError", "catching classes that do not inherit")),
    })
}
