//! Calling: binding arguments to a function's parameters (with CPython's messages for every
//! mismatch), building the callee frame, and `Vm::call`/`Vm::call_args` for native code that
//! must call any callable (which runs a nested dispatch loop for apy functions).

use crate::vm::exception::{Exc, PResult};
use crate::vm::frame::Frame;
use crate::vm::halt::Halt;
use crate::vm::machine::Vm;
use crate::vm::object::class::{Class, Instance, Layout};
use crate::vm::object::function::{Args, BoundMethod, Cell, Function};
use crate::vm::object::misc::WrapperKind;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::rc::Rc;

/// What calling a function produced: a frame to run, or (for generator-like functions) the
/// generator object, which is the call's result.
pub enum Callee {
    Frame(Box<Frame>),
    Done(Value),
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`.
fn name_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    }
}

impl Vm {
    /// `Call(n)` (`method` false) or `CallMethod(n)` (true: `m1` is a method found on the
    /// class, `m2` the receiver, its first argument): a plain function's call
    /// (`Vm::fast_call`) is made here, inline in the dispatch loop; anything else goes
    /// through `op_call` or `op_call_method`. (Dropped generators waiting to be closed are
    /// closed there before the call, as for every call.)
    #[inline(always)]
    pub(crate) fn op_call_positional(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut crate::vm::frame::Frames,
        n: u32,
        method: bool,
    ) -> PResult<crate::vm::interp::Flow> {
        let n = n as usize;
        let n_args = n + method as usize;
        if !crate::vm::object::generator::close_pending() {
            if let Some(fpos) = cur.stack.len().checked_sub(n_args + 1) {
                if let Some(res) = self.fast_call(cur, frames, fpos, n_args) {
                    return res;
                }
            }
        }
        if method {
            self.op_call_method(cur, frames, n, &[])
        } else {
            self.op_call(cur, frames, n, &[])
        }
    }

    /// `cls(args...)` with positional arguments, for a user class whose instances
    /// `object.__new__` makes and whose `__init__` is a plain function (as `fast_call`
    /// takes it): the instance is made, the arguments move from the caller's stack into the
    /// `__init__` frame after it (`bind_call` would clone them, and the caller drop its
    /// copies), and the instance waits where the call's result goes (`Frame::init`). `None`,
    /// with nothing changed, for anything else.
    pub(crate) fn fast_init(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut crate::vm::frame::Frames,
        fpos: usize,
        n: usize,
    ) -> Option<PResult<crate::vm::interp::Flow>> {
        let Some(Value::Class(cls)) = cur.stack.get(fpos) else {
            return None;
        };
        if !cls.is_user || cls.layout != Layout::Object || cur.stack.len() != fpos + n + 1 {
            return None;
        }
        let cls = cls.clone();
        let init = &cls.plain_init()?;
        let n_defaults = crate::vm::interp_ops::fast_defaults(init, n + 1)?;
        let shape = init.shape;
        let inst = Instance::new_value(cls);
        let mut frame = match self.frame_pool.pop() {
            Some(frame) => frame,
            None => Frame::unfilled(
                init.code.clone(),
                init.globals.clone(),
                init.closure.clone(),
            ),
        };
        frame.make_room(shape.n_slots, false);
        frame.push(inst.clone());
        for slot in cur.stack.iter_mut().skip(fpos + 1) {
            frame.push(std::mem::replace(slot, Value::Null));
        }
        cur.stack.truncate(fpos);
        if n_defaults > 0 {
            let defaults = init.defaults.borrow();
            let from = defaults.len() - n_defaults;
            frame.stack.extend(defaults.iter().skip(from).cloned());
        }
        if frame.stack.len() < shape.n_locals {
            frame.stack.resize_with(shape.n_locals, || Value::Null);
        }
        frame.init = true;
        frame.start(&init.code, &init.globals, &init.closure);
        cur.push(inst);
        let flow = self.push_frame(cur, frames, frame);
        if flow.is_ok() && shape.has_cellvars {
            // `cur` is the `__init__` frame now.
            self.finish_frame(init, cur);
        }
        Some(flow)
    }

    /// Binds `prefix ++ args` to `func`'s parameters and returns the frame (or generator).
    pub fn bind_call(
        &mut self,
        func: &Rc<Function>,
        prefix: Option<&Value>,
        args: Args,
    ) -> PResult<Callee> {
        let obj = &func.code.obj;
        let argcount = obj.argcount as usize;
        let n_pos = args.pos.len() + prefix.is_some() as usize;
        let mut frame = self.new_frame(&func.code, &func.globals, &func.closure);
        let simple = !args.has_kw()
            && n_pos == argcount
            && obj.kwonlyargcount == 0
            && !obj.has_varargs
            && !obj.has_varkw;
        if simple {
            let mut slots = frame.stack.iter_mut();
            if let Some(p) = prefix {
                if let Some(slot) = slots.next() {
                    *slot = p.clone();
                }
            }
            for (slot, v) in slots.zip(args.pos.iter()) {
                *slot = v.clone();
            }
        } else {
            self.bind_general(func, &mut frame, prefix, args)?;
        }
        self.finish_frame(func, &mut frame);
        if obj.is_generator_like() {
            return Ok(Callee::Done(self.new_generator(frame)));
        }
        Ok(Callee::Frame(frame))
    }

    /// Gives a frame of a function with cellvars its fresh cells (the others share the
    /// function's closure, set when the frame was made).
    pub(crate) fn finish_frame(&mut self, func: &Rc<Function>, frame: &mut Frame) {
        let obj = &func.code.obj;
        if obj.cellvars.is_empty() {
            return;
        }
        let mut cells = Vec::with_capacity(obj.cellvars.len() + obj.freevars.len());
        for idx in 0..obj.cellvars.len() {
            let init = obj
                .cell_params
                .get(idx)
                .copied()
                .flatten()
                .and_then(|p| frame.stack.get(p as usize).cloned())
                .unwrap_or(Value::Null);
            cells.push(Cell::new(init));
        }
        cells.extend(func.closure.iter().cloned());
        frame.cells = Rc::new(cells);
    }

    /// Binds a call the simple path in `bind_call` does not take: keywords, defaults,
    /// `*args`, `**kwargs`. Nothing is allocated unless the call needs it (a tuple for
    /// `*args`, a dict for `**kwargs`) or fails (the messages name the function).
    fn bind_general(
        &mut self,
        func: &Rc<Function>,
        frame: &mut Frame,
        prefix: Option<&Value>,
        args: Args,
    ) -> PResult<()> {
        let code = &func.code;
        let obj = &code.obj;
        let fname = || func.qualname.borrow().as_str().to_owned();
        let argcount = obj.argcount as usize;
        let kwonly = obj.kwonlyargcount as usize;
        let n_pos = args.pos.len() + prefix.is_some() as usize;
        let pos = || prefix.into_iter().chain(args.pos.iter());
        if n_pos > argcount && !obj.has_varargs {
            let given_kwonly = args
                .kwnames
                .iter()
                .filter(|k| {
                    code.varnames
                        .get(argcount..argcount + kwonly)
                        .is_some_and(|ks| ks.iter().any(|n| n.as_str() == k.as_str()))
                })
                .count();
            let n_defaults = func.defaults.borrow().len();
            let takes = if n_defaults == 0 {
                plural(argcount, "positional argument")
            } else {
                format!(
                    "from {} to {} positional arguments",
                    argcount - n_defaults.min(argcount),
                    argcount
                )
            };
            let given = if given_kwonly > 0 {
                format!(
                    "{} (and {}) were",
                    plural(n_pos, "positional argument"),
                    plural(given_kwonly, "keyword-only argument")
                )
            } else if n_pos == 1 {
                "1 was".to_owned()
            } else {
                format!("{n_pos} were")
            };
            return Err(Exc::type_error(format!(
                "{}() takes {takes} but {given} given",
                fname()
            )));
        }
        for (slot, v) in frame.stack.iter_mut().zip(pos().take(argcount)) {
            *slot = v.clone();
        }
        let mut slot_idx = argcount + kwonly;
        if obj.has_varargs {
            let extra: Vec<Value> = pos().skip(argcount).cloned().collect();
            if let Some(slot) = frame.stack.get_mut(slot_idx) {
                *slot = Value::tuple(extra);
            }
            slot_idx += 1;
        }
        let varkw = if obj.has_varkw {
            let d = Value::new_dict();
            if let Some(slot) = frame.stack.get_mut(slot_idx) {
                *slot = Value::Dict(d.clone());
            }
            Some(d)
        } else {
            None
        };
        let posonly = obj.posonlyargcount as usize;
        let mut posonly_as_kw: Vec<String> = Vec::new();
        // Keyword names and parameter names are interned alike, so most match by address.
        let same = |a: &Rc<PyStr>, b: &Rc<PyStr>| Rc::ptr_eq(a, b) || a.as_str() == b.as_str();
        let params = code.varnames.get(posonly..argcount + kwonly).unwrap_or(&[]);
        for (name, val) in args.kwnames.iter().zip(args.kwvals.iter()) {
            let found = params
                .iter()
                .position(|n| same(n, name))
                .map(|i| i + posonly);
            match found {
                Some(idx) => {
                    let slot = frame
                        .stack
                        .get_mut(idx)
                        .ok_or_else(|| Exc::internal("bad local"))?;
                    if !matches!(slot, Value::Null) {
                        return Err(Exc::type_error(format!(
                            "{}() got multiple values for argument '{}'",
                            fname(),
                            name.as_str()
                        )));
                    }
                    *slot = val.clone();
                }
                None => match &varkw {
                    Some(d) => d.set_str(name.clone(), val.clone()),
                    None => {
                        if code
                            .varnames
                            .iter()
                            .take(posonly)
                            .any(|n| n.as_str() == name.as_str())
                        {
                            posonly_as_kw.push(name.as_str().to_owned());
                            continue;
                        }
                        return Err(Exc::type_error(format!(
                            "{}() got an unexpected keyword argument '{}'",
                            fname(),
                            name.as_str()
                        )));
                    }
                },
            }
        }
        if !posonly_as_kw.is_empty() {
            return Err(Exc::type_error(format!(
                "{}() got some positional-only arguments passed as keyword arguments: '{}'",
                fname(),
                posonly_as_kw.join(", ")
            )));
        }
        Self::fill_defaults(func, frame)
    }

    /// Fills the parameters still unbound from the function's defaults; a parameter with
    /// none is a `TypeError` naming every one missing.
    fn fill_defaults(func: &Function, frame: &mut Frame) -> PResult<()> {
        let code = &func.code;
        let argcount = code.obj.argcount as usize;
        let kwonly = code.obj.kwonlyargcount as usize;
        let missing_error = |missing: &[&str], kind: &str| {
            Exc::type_error(format!(
                "{}() missing {}: {}",
                func.qualname.borrow().as_str(),
                plural(missing.len(), kind),
                name_list(missing)
            ))
        };
        let mut missing: Vec<&str> = Vec::new();
        {
            // No program code runs while the arguments are bound, so the defaults cannot
            // change under this borrow.
            let defaults = func.defaults.borrow();
            let first_default = argcount.saturating_sub(defaults.len());
            for (idx, slot) in frame.stack.iter_mut().take(argcount).enumerate() {
                if matches!(slot, Value::Null) {
                    match idx.checked_sub(first_default).and_then(|d| defaults.get(d)) {
                        Some(d) => *slot = d.clone(),
                        None => missing.push(code.varnames.get(idx).map_or("?", |n| n.as_str())),
                    }
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing_error(&missing, "required positional argument"));
        }
        if kwonly == 0 {
            return Ok(());
        }
        let kwdefaults = func.kwdefaults.borrow().clone();
        for idx in argcount..argcount + kwonly {
            let Some(slot) = frame.stack.get_mut(idx) else {
                break;
            };
            if matches!(slot, Value::Null) {
                let default = match (&kwdefaults, code.varnames.get(idx)) {
                    (Some(d), Some(n)) => d.get_str(n),
                    _ => None,
                };
                match default {
                    Some(d) => *slot = d,
                    None => missing.push(code.varnames.get(idx).map_or("?", |n| n.as_str())),
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing_error(&missing, "required keyword-only argument"));
        }
        Ok(())
    }

    /// Calls `callable` with positional arguments (from native code).
    pub fn call(&mut self, callable: &Value, args: &[Value]) -> PResult<Value> {
        self.call_args(callable, Args::new(args))
    }

    /// Calls anything callable; apy functions run in a nested dispatch loop.
    pub fn call_args(&mut self, callable: &Value, args: Args) -> PResult<Value> {
        match callable {
            Value::Native(native) => self.call_native(native, args),
            Value::Function(func) => {
                let func = func.clone();
                match self.bind_call(&func, None, args)? {
                    Callee::Done(v) => Ok(v),
                    Callee::Frame(frame) => self.run_to_value(frame),
                }
            }
            Value::Method(method) => {
                let (func, obj) = (method.func.clone(), method.obj.clone());
                self.call_bound(&func, &obj, args)
            }
            Value::Class(cls) => self.instantiate(&cls.clone(), args),
            Value::Instance(inst) => match inst.class.lookup_special("__call__") {
                Some(func) => {
                    let bound = self.bind_descriptor(&func, callable, &inst.class)?;
                    self.call_args(&bound, args)
                }
                None => Err(self.not_callable(callable)),
            },
            Value::Wrapper(w) if w.kind == WrapperKind::StaticMethod => {
                let func = w.func.clone();
                self.call_args(&func, args)
            }
            _ => Err(self.not_callable(callable)),
        }
    }

    /// Calls `func` with `obj` before the arguments (a method call), without making the
    /// bound method.
    pub fn call_bound(&mut self, func: &Value, obj: &Value, args: Args) -> PResult<Value> {
        if let Value::Function(f) = func {
            return match self.bind_call(f, Some(obj), args)? {
                Callee::Done(v) => Ok(v),
                Callee::Frame(frame) => self.run_to_value(frame),
            };
        }
        self.with_receiver(obj, args, |vm, args| vm.call_args(func, args))
    }

    /// Runs `call` with `obj` before the positional arguments of `args`. The common short
    /// argument lists go without a heap vector.
    fn with_receiver<R>(
        &mut self,
        obj: &Value,
        args: Args,
        call: impl FnOnce(&mut Vm, Args) -> R,
    ) -> R {
        match args.pos {
            [] => call(
                self,
                Args {
                    pos: std::slice::from_ref(obj),
                    ..args
                },
            ),
            [a] => {
                let pos = [obj.clone(), a.clone()];
                call(self, Args { pos: &pos, ..args })
            }
            [a, b] => {
                let pos = [obj.clone(), a.clone(), b.clone()];
                call(self, Args { pos: &pos, ..args })
            }
            _ => {
                let mut pos = Vec::with_capacity(args.pos.len() + 1);
                pos.push(obj.clone());
                pos.extend_from_slice(args.pos);
                call(self, Args { pos: &pos, ..args })
            }
        }
    }

    pub fn not_callable(&self, v: &Value) -> Exc {
        Exc::type_error(format!("'{}' object is not callable", self.type_name(v)))
    }

    /// Runs a frame to completion in a nested dispatch loop.
    pub fn run_to_value(&mut self, frame: Box<Frame>) -> PResult<Value> {
        let (halt, frame) = self.run_frame(frame);
        self.recycle(frame);
        match halt {
            Halt::Returned(v) => Ok(v),
            Halt::Raised(e) => Err(Exc::value(e)),
            Halt::Yielded(_) => Err(Exc::internal("yield from a plain frame")),
            Halt::Suspended { .. } => Err(Exc::internal("a plain frame switched threads")),
        }
    }

    /// `cls(*args)`: `__new__` then `__init__`.
    pub fn instantiate(&mut self, cls: &Rc<Class>, args: Args) -> PResult<Value> {
        if let Some(new) = cls.builtin_new() {
            let cls = Value::Class(cls.clone());
            return self.with_receiver(&cls, args, |vm, args| vm.call_native_fn(new, args));
        }
        if !args.has_kw() && cls.plain_exception() {
            return Ok(crate::vm::methods::exception::new_plain(cls, args.pos));
        }
        let ctor = cls.constructor();
        let obj = match &ctor.new {
            Some(Value::Native(n)) if n.owner == Some("object") => {
                let plain_init =
                    matches!(&ctor.init, Some(Value::Native(n)) if n.owner == Some("object"));
                if plain_init && (!args.pos.is_empty() || args.has_kw()) {
                    return Err(Exc::type_error(format!(
                        "{}() takes no arguments",
                        cls.name()
                    )));
                }
                Instance::new_value(cls.clone())
            }
            Some(new) => {
                let new = match new {
                    Value::Wrapper(w) => w.func.clone(),
                    other => other.clone(),
                };
                self.call_new(&new, cls, args)?
            }
            None => {
                return Err(Exc::type_error(format!(
                    "cannot create '{}' instances",
                    cls.name()
                )))
            }
        };
        if cls.layout == Layout::Builtin {
            return Ok(obj);
        }
        let is_instance = matches!(&obj, Value::Instance(i) if i.class.is_subclass(cls));
        if !is_instance {
            return Ok(obj);
        }
        // Looked up again: a `__new__` of the program's may have changed the class.
        match &cls.constructor().init {
            Some(Value::Native(n)) if n.owner == Some("object") => {}
            Some(init) => {
                let res = match init {
                    // What binding would make, called without making it.
                    Value::Function(_) | Value::Native(_) => self.call_bound(init, &obj, args)?,
                    _ => {
                        let bound = self.bind_descriptor(init, &obj, cls)?;
                        self.call_args(&bound, args)?
                    }
                };
                if !res.is_none() {
                    return Err(Exc::type_error(format!(
                        "__init__() should return None, not '{}'",
                        self.type_name(&res)
                    )));
                }
            }
            None => {}
        }
        Ok(obj)
    }

    /// Calls `__new__` with the class before the arguments.
    pub(crate) fn call_new(&mut self, new: &Value, cls: &Rc<Class>, args: Args) -> PResult<Value> {
        // BaseException's own (a program's exception class with its own `__init__`): what
        // it would make, without the call.
        if crate::vm::methods::exception::is_own_method(new, "__new__") {
            return Ok(crate::vm::methods::exception::new_plain(cls, args.pos));
        }
        self.call_bound(new, &Value::Class(cls.clone()), args)
    }

    /// Binds a class attribute found for `obj` (functions become bound methods).
    pub fn bind_descriptor(
        &mut self,
        attr: &Value,
        obj: &Value,
        cls: &Rc<Class>,
    ) -> PResult<Value> {
        Ok(match attr {
            Value::Function(_) | Value::Native(_) => {
                BoundMethod::new_value(attr.clone(), obj.clone())
            }
            Value::Wrapper(w) => match w.kind {
                WrapperKind::StaticMethod => w.func.clone(),
                WrapperKind::ClassMethod => {
                    BoundMethod::new_value(w.func.clone(), Value::Class(cls.clone()))
                }
            },
            Value::Member(m) => self.member_get(m, obj)?,
            Value::Property(p) => {
                if p.fget.is_none() {
                    return Err(Exc::attribute_error("property has no getter"));
                }
                let getter = p.fget.clone();
                self.call(&getter, std::slice::from_ref(obj))?
            }
            other => other.clone(),
        })
    }

    pub fn intern(&self, name: &str) -> Rc<PyStr> {
        Rc::new(PyStr::new(name))
    }
}
