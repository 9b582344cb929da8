//! The longer bodies of the dispatch loop's instructions, as `Vm` methods: unwinding to a
//! handler, pushing call frames (with the fast path for plain functions), calls and method
//! calls, globals and closures, function creation and collection building. Unpacking is in
//! `unpack.rs`, `raise` in `exception.rs`, zero-argument `super()` in `attr.rs`. The loop
//! itself (`interp.rs`) only decodes and dispatches.

use crate::compile::code::{make_fn, Instr};
use crate::syntax::ast::BinOp;
use crate::vm::call::Callee;
use crate::vm::delegate::is_delegate_code;
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::frame::{Frame, Frames};
use crate::vm::gc;
use crate::vm::interp::{Flow, Pending};
use crate::vm::machine::Vm;
use crate::vm::object::class::TbEntry;
use crate::vm::object::dict::Dict;
use crate::vm::object::function::{Args, CallShape, Cell, Code, Function, GlobalCache};
use crate::vm::object::str::PyStr;
use crate::vm::stack;
use crate::vm::value::Value;
use std::rc::Rc;

impl Vm {
    /// Finds a handler for the pending exception in `cur` or its callers, popping frames
    /// that have none. `Err` carries the exception out of the base frame.
    pub(crate) fn unwind(
        &mut self,
        p: Pending,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
    ) -> Result<(), Value> {
        let mut exc = self.exc_value(p.exc);
        if p.add_tb {
            // An exception raised here takes the one being handled as its context; one that
            // left a dispatch loop below (through a native call: `list(gen)`, a sort key)
            // keeps the context it was raised with, as in CPython.
            let passing = exc.is(&self.escaped);
            if passing {
                self.escaped = Value::None;
            } else if !self.handling.is_none() {
                let handling = self.handling.clone();
                self.set_context(&exc, &handling);
            }
            self.add_traceback(
                &exc,
                TbEntry {
                    code: cur.code.clone(),
                    ip: cur.at().saturating_sub(1),
                },
            );
        }
        loop {
            let ip = cur.at().saturating_sub(1);
            if let Some(h) = cur.code.obj.handler_for(ip) {
                let keep = cur.n_locals() + h.depth as usize;
                cur.stack.truncate(keep);
                cur.push(exc);
                cur.ip = h.target;
                return Ok(());
            }
            self.handling = cur.saved_exc();
            match frames.pop() {
                None => return Err(exc),
                Some(caller) => {
                    // The frame the exception leaves goes back to the pool, as on a return.
                    let done = std::mem::replace(cur, caller);
                    let delegate = is_delegate_code(&done);
                    self.recycle(done);
                    self.depth -= 1;
                    if delegate {
                        exc = self.raise_from_delegate(cur, exc);
                    }
                    self.add_traceback(
                        &exc,
                        TbEntry {
                            code: cur.code.clone(),
                            ip: cur.at().saturating_sub(1),
                        },
                    );
                }
            }
        }
    }

    /// Pushes a callee frame, checking the recursion limit.
    #[inline(always)]
    pub(crate) fn push_frame(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        mut callee: Box<Frame>,
    ) -> PResult<Flow> {
        self.enter_call()?;
        if !self.handling.is_none() {
            callee.set_saved_exc(self.handling.clone());
        }
        stack::push(frames, std::mem::replace(cur, callee));
        Ok(self.entered())
    }

    /// How the dispatch loop goes on after pushing a frame: a running green thread's slice
    /// may be over (`vm::green`).
    #[inline(always)]
    fn entered(&mut self) -> Flow {
        if self.green.is_some() && self.slice_over() {
            return Flow::Suspend;
        }
        Flow::Switch
    }

    /// `Call`/`CallKw`: `[callable args... kwvals...] -> [result]`.
    pub(crate) fn op_call(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        n: usize,
        kwnames: &[Rc<PyStr>],
    ) -> PResult<Flow> {
        if crate::vm::object::generator::close_pending() {
            self.run_finalizers();
        }
        let fpos = cur
            .stack
            .len()
            .checked_sub(n + 1)
            .ok_or_else(|| Exc::internal("call stack underflow"))?;
        if kwnames.is_empty() {
            if let Some(res) = self.fast_call(cur, frames, fpos, n) {
                return res;
            }
            // A native called with positional arguments reads them where they lie.
            if let Some(Value::Native(native)) = cur.stack.get(fpos) {
                if n > 0 || native.name != "super" {
                    let func = native.func;
                    let args = Args::new(cur.stack.get(fpos + 1..).unwrap_or(&[]));
                    let res = self.call_native_direct(func, args)?;
                    cur.stack.truncate(fpos);
                    return self.push_result(cur, res);
                }
            }
            if let Some(res) = self.fast_generator(cur, fpos, n) {
                return res;
            }
            if let Some(res) = self.fast_init(cur, frames, fpos, n) {
                return res;
            }
        }
        let n_pos = n.saturating_sub(kwnames.len());
        // A built-in type (`str(x)`, `int(s)`, `list(it)`): its `__new__` reads the type and
        // the arguments where they lie, the type in the callee's slot.
        if let Some(Value::Class(cls)) = cur.stack.get(fpos) {
            if let Some(new) = cls.builtin_new() {
                let args = split_args(cur.stack.get(fpos..).unwrap_or(&[]), n_pos + 1, kwnames);
                let res = self.call_native_direct(new, args)?;
                cur.stack.truncate(fpos);
                return self.push_result(cur, res);
            }
        }
        let callee = cur.stack.get(fpos).cloned().unwrap_or(Value::None);
        let args_start = fpos + 1;
        let args = split_args(cur.stack.get(args_start..).unwrap_or(&[]), n_pos, kwnames);
        let prepared = match &callee {
            Value::Function(f) => Some(self.bind_call(f, None, args)?),
            Value::Method(m) => match &m.func {
                Value::Function(f) => Some(self.bind_call(f, Some(&m.obj), args)?),
                _ => None,
            },
            Value::Class(cls) => match self.prepare_init(cls, args)? {
                Some(Init::Frame(frame, inst)) => {
                    // The instance waits where the call's result goes (`Frame::init`).
                    cur.stack.truncate(fpos);
                    cur.push(inst);
                    return self.push_frame(cur, frames, frame);
                }
                Some(Init::Done(v)) => Some(Callee::Done(v)),
                None => None,
            },
            Value::Native(native) if native.name == "super" && n == 0 => {
                let v = self.zero_arg_super(cur)?;
                Some(Callee::Done(v))
            }
            _ => None,
        };
        let res = match prepared {
            Some(Callee::Frame(frame)) => {
                cur.stack.truncate(fpos);
                return self.push_frame(cur, frames, frame);
            }
            Some(Callee::Done(v)) => {
                note_origin(&v, cur);
                v
            }
            None => self.call_direct(&callee, args)?,
        };
        cur.stack.truncate(fpos);
        self.push_result(cur, res)
    }

    /// Pushes a call's result, unless the native called asked the running green thread to
    /// switch: then the value it is resumed with is the result (`vm::green`).
    #[inline(always)]
    fn push_result(&mut self, cur: &mut Frame, res: Value) -> PResult<Flow> {
        if self.switch_request.is_some() && self.take_switch() {
            discard(res);
            return Ok(Flow::Suspend);
        }
        cur.push(res);
        Ok(Flow::Next)
    }

    /// `a + b` for two strings when the next instruction stores the sum back where `a` came
    /// from (`s += t`, `s = s + t`): that binding lets go of `a` first, so `a`, no longer
    /// shared, grows in place instead of being copied, as in CPython (a loop of `+=` would
    /// otherwise copy the whole string each time). `next` is the instruction after the `+`.
    /// False, with nothing changed, otherwise.
    pub(crate) fn concat_in_place(
        &mut self,
        cur: &mut Frame,
        code: &Code,
        next: Option<&Instr>,
    ) -> bool {
        let [.., Value::Str(a), Value::Str(_)] = cur.stack.as_slice() else {
            return false;
        };
        // Shared only by the stack and the binding about to be overwritten.
        if Rc::strong_count(a) != 2 || Rc::weak_count(a) != 0 {
            return false;
        }
        let a_ptr = Rc::as_ptr(a);
        let released = match next {
            Some(&Instr::StoreLocal(i)) => {
                let same = matches!(cur.stack.get(i as usize), Some(Value::Str(s)) if Rc::as_ptr(s) == a_ptr);
                if let (true, Some(slot)) = (same, cur.stack.get_mut(i as usize)) {
                    *slot = Value::Null;
                }
                same
            }
            Some(&Instr::StoreName(i)) => {
                let dict = cur.namespace().unwrap_or(&cur.globals);
                release_name(dict, code.names.get(i as usize), a_ptr)
            }
            Some(&Instr::StoreGlobal(i)) => {
                release_name(&cur.globals, code.names.get(i as usize), a_ptr)
            }
            _ => false,
        };
        if !released {
            return false;
        }
        let Some(Value::Str(b)) = cur.stack.pop() else {
            return false;
        };
        match cur.stack.last_mut() {
            Some(Value::Str(a)) => match Rc::get_mut(a) {
                Some(a) => {
                    a.push_str(&b);
                    true
                }
                None => {
                    cur.push(Value::Str(b));
                    false
                }
            },
            _ => {
                cur.push(Value::Str(b));
                false
            }
        }
    }

    /// `CallEx`: `f(*args, **kwargs)`. An apy function runs in a frame of this loop, as
    /// with `Call`.
    pub(crate) fn op_call_ex(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        callable: &Value,
        args: &Value,
        kwargs: Option<&Value>,
    ) -> PResult<Flow> {
        let spread = self.spread_args(args, kwargs)?;
        let args = spread.args();
        let prepared = match callable {
            Value::Function(f) => Some(self.bind_call(f, None, args)?),
            Value::Method(m) => match &m.func {
                Value::Function(f) => Some(self.bind_call(f, Some(&m.obj), args)?),
                _ => None,
            },
            _ => None,
        };
        let res = match prepared {
            Some(Callee::Frame(frame)) => return self.push_frame(cur, frames, frame),
            Some(Callee::Done(v)) => {
                note_origin(&v, cur);
                v
            }
            None => self.call_direct(callable, args)?,
        };
        self.push_result(cur, res)
    }

    /// The fast path of a call: a plain function (not a generator, no keyword-only
    /// parameters, no `*args`/`**kwargs`) called with only positional arguments, at most its
    /// parameters and at least those without defaults. The arguments move from the caller's
    /// stack into the new frame's locals without being cloned, the callable at `fpos` is
    /// popped, and the new frame is built in place of `cur` (the caller goes onto `frames`).
    /// `None` (nothing changed) when the call needs the general binding.
    #[inline(always)]
    pub(crate) fn fast_call(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        fpos: usize,
        n: usize,
    ) -> Option<PResult<Flow>> {
        let Some(Value::Function(f)) = cur.stack.get(fpos) else {
            return None;
        };
        let shape = f.shape;
        if !shape.plain || cur.stack.len() != fpos + n + 1 {
            return None;
        }
        let n_defaults = fast_defaults(f, n)?;
        let (n_locals, n_slots) = (shape.n_locals, shape.n_slots);
        if let Err(e) = self.enter_call() {
            return Some(Err(e));
        }
        // A pooled frame's stack is empty (`Vm::recycle`).
        let mut frame = match self.frame_pool.pop() {
            Some(frame) => frame,
            None => Frame::unfilled(f.code.clone(), f.globals.clone(), f.closure.clone()),
        };
        frame.make_room(n_slots, false);
        let stack = &mut frame.stack;
        // The arguments move out (their slots keep `Null`, which owns nothing) straight into
        // the new frame's first slots.
        for slot in cur.stack.iter_mut().skip(fpos + 1) {
            stack.push(std::mem::replace(slot, Value::Null));
        }
        for _ in 0..n {
            std::mem::forget(cur.stack.pop());
        }
        let Some(Value::Function(f)) = cur.stack.pop() else {
            return Some(Err(Exc::internal("callable vanished")));
        };
        if n_defaults > 0 {
            let defaults = f.defaults.borrow();
            let from = defaults.len() - n_defaults;
            stack.extend(defaults.iter().skip(from).cloned());
        }
        if stack.len() < n_locals {
            stack.resize_with(n_locals, || Value::Null);
        }
        if !self.handling.is_none() {
            frame.set_saved_exc(self.handling.clone());
        }
        frame.start(&f.code, &f.globals, &f.closure);
        stack::push(frames, std::mem::replace(cur, frame));
        if shape.has_cellvars {
            self.finish_frame(&f, cur);
        }
        Some(Ok(self.entered()))
    }

    /// `fast_call` for a generator, coroutine or async generator function with the same
    /// simple parameters: the frame is built the same way and becomes the new generator's,
    /// which replaces the callable and arguments on the stack.
    #[inline(never)]
    pub(crate) fn fast_generator(
        &mut self,
        cur: &mut Frame,
        fpos: usize,
        n: usize,
    ) -> Option<PResult<Flow>> {
        let Some(Value::Function(f)) = cur.stack.get(fpos) else {
            return None;
        };
        let shape = f.shape;
        if !shape.plain_generator || cur.stack.len() != fpos + n + 1 {
            return None;
        }
        let n_defaults = fast_defaults(f, n)?;
        let (mut frame, f) = match self.fast_frame(cur, fpos, n, n_defaults, shape, true) {
            Some(made) => made,
            None => return Some(Err(Exc::internal("callable vanished"))),
        };
        if shape.has_cellvars {
            self.finish_frame(&f, &mut frame);
        }
        let gen = self.new_generator(frame);
        note_origin(&gen, cur);
        cur.push(gen);
        Some(Ok(Flow::Next))
    }

    /// The frame of a fast generator call of the function at `fpos` (checked by the caller):
    /// its `n` arguments move into its first slots, then the last `n_defaults` defaults are
    /// cloned after them, and the callable and arguments leave `cur`'s stack (`None` if the
    /// callable was not there after all). A pooled frame's stack is empty (`Vm::recycle`);
    /// `exact` asks for a buffer of about the frame's size (one a generator keeps).
    ///
    /// `fast_call` builds its frame with the same steps written out: built through this
    /// function (same instructions, inlined), fib took 1.5-5.9% more CPU time in three
    /// alternating comparisons, from code layout.
    #[inline(always)]
    fn fast_frame(
        &mut self,
        cur: &mut Frame,
        fpos: usize,
        n: usize,
        n_defaults: usize,
        shape: CallShape,
        exact: bool,
    ) -> Option<(Box<Frame>, Rc<Function>)> {
        let (n_locals, n_slots) = (shape.n_locals, shape.n_slots);
        let mut frame = match self.frame_pool.pop() {
            Some(frame) => frame,
            None => match cur.stack.get(fpos) {
                Some(Value::Function(f)) => {
                    Frame::unfilled(f.code.clone(), f.globals.clone(), f.closure.clone())
                }
                _ => return None,
            },
        };
        frame.make_room(n_slots, exact);
        let stack = &mut frame.stack;
        // The arguments move out (their slots keep `Null`, which owns nothing) straight into
        // the new frame's first slots.
        for slot in cur.stack.iter_mut().skip(fpos + 1) {
            stack.push(std::mem::replace(slot, Value::Null));
        }
        for _ in 0..n {
            std::mem::forget(cur.stack.pop());
        }
        let Some(Value::Function(f)) = cur.stack.pop() else {
            return None;
        };
        if n_defaults > 0 {
            let defaults = f.defaults.borrow();
            let from = defaults.len() - n_defaults;
            stack.extend(defaults.iter().skip(from).cloned());
        }
        if stack.len() < n_locals {
            stack.resize_with(n_locals, || Value::Null);
        }
        frame.start(&f.code, &f.globals, &f.closure);
        Some((frame, f))
    }

    /// The checks every call into a new frame makes: the instruction budget, the recursion
    /// limit, and a chance for the collector. Counts the new frame.
    #[inline(always)]
    pub(crate) fn enter_call(&mut self) -> PResult<()> {
        self.spend_fuel()?;
        if self.depth >= self.recursion_limit {
            return Err(Exc::new(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded",
            ));
        }
        if gc::should_collect() {
            gc::collect();
        }
        self.depth += 1;
        Ok(())
    }

    /// `CallMethod`: `[m1 m2 args...] -> [result]`.
    pub(crate) fn op_call_method(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        n: usize,
        kwnames: &[Rc<PyStr>],
    ) -> PResult<Flow> {
        if crate::vm::object::generator::close_pending() {
            self.run_finalizers();
        }
        let base = cur
            .stack
            .len()
            .checked_sub(n + 2)
            .ok_or_else(|| Exc::internal("call stack underflow"))?;
        if matches!(cur.stack.get(base), Some(Value::Null)) {
            // Not a method: `m2` is the callable itself.
            cur.stack.remove(base);
            return self.op_call(cur, frames, n, kwnames);
        }
        if kwnames.is_empty() {
            if let Some(res) = self.fast_call(cur, frames, base, n + 1) {
                return res;
            }
            // A native method (`s.upper()`, `items.append(x)`) reads its receiver and
            // arguments where they lie, as `op_call` does for a native function.
            if let Some(Value::Native(native)) = cur.stack.get(base) {
                let func = native.func;
                let args = Args::new(cur.stack.get(base + 1..).unwrap_or(&[]));
                let res = self.call_native_direct(func, args)?;
                cur.stack.truncate(base);
                return self.push_result(cur, res);
            }
            if let Some(res) = self.fast_generator(cur, base, n + 1) {
                return res;
            }
        }
        let func = cur.stack.get(base).cloned().unwrap_or(Value::None);
        let n_pos = (n + 1).saturating_sub(kwnames.len());
        let (pos, kwvals) = cur
            .stack
            .get(base + 1..)
            .unwrap_or(&[])
            .split_at(n_pos.min(n + 1));
        let args = Args {
            pos,
            kwnames,
            kwvals,
        };
        let res = match &func {
            Value::Function(f) => match self.bind_call(f, None, args)? {
                Callee::Frame(frame) => {
                    cur.stack.truncate(base);
                    return self.push_frame(cur, frames, frame);
                }
                Callee::Done(v) => {
                    note_origin(&v, cur);
                    v
                }
            },
            other => {
                let other = other.clone();
                self.call_direct(&other, args)?
            }
        };
        cur.stack.truncate(base);
        self.push_result(cur, res)
    }

    /// For `cls(...)` of a user class with a native `__new__` and an apy `__init__`: the new
    /// instance and the `__init__` frame, so `__init__` runs in this dispatch loop (as
    /// `instantiate` would run it, after the same `__new__`).
    fn prepare_init(
        &mut self,
        cls: &Rc<crate::vm::object::class::Class>,
        args: Args,
    ) -> PResult<Option<Init>> {
        if !cls.is_user || cls.layout == crate::vm::object::class::Layout::Builtin {
            return Ok(None);
        }
        let ctor = cls.constructor();
        let Some(Value::Function(init)) = ctor.init else {
            return Ok(None);
        };
        if init.code.obj.is_generator_like() {
            return Ok(None);
        }
        let inst = match ctor.new {
            Some(Value::Native(n)) if n.owner == Some("object") => {
                crate::vm::object::class::Instance::new_value(cls.clone())
            }
            Some(new @ Value::Native(_)) => {
                let obj = self.call_new(&new, cls, args)?;
                if !matches!(&obj, Value::Instance(i) if i.class.is_subclass(cls)) {
                    return Ok(Some(Init::Done(obj)));
                }
                obj
            }
            _ => return Ok(None),
        };
        match self.bind_call(&init, Some(&inst), args)? {
            Callee::Frame(mut frame) => {
                frame.init = true;
                Ok(Some(Init::Frame(frame, inst)))
            }
            Callee::Done(_) => Ok(None),
        }
    }

    pub(crate) fn load_deref(&mut self, cur: &Frame, idx: u32) -> PResult<Value> {
        let Some(cell) = cur.cells.get(idx as usize) else {
            return Err(Exc::internal("bad cell"));
        };
        let v = cell.get();
        if !matches!(v, Value::Null) {
            return Ok(v);
        }
        let name = cur
            .code
            .cellnames
            .get(idx as usize)
            .map_or("?", |n| n.as_str());
        if (idx as usize) < cur.code.obj.cellvars.len() {
            Err(Exc::new(
                ExcKind::UnboundLocalError,
                format!(
                    "cannot access local variable '{name}' where it is not associated with a value"
                ),
            ))
        } else {
            Err(Exc::new(
                ExcKind::NameError,
                format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope"),
            ))
        }
    }

    /// `LoadGlobal`: globals, then builtins, through the code's per-name cache.
    #[inline(always)]
    pub(crate) fn load_global(&mut self, cur: &Frame, code: &Code, idx: u32) -> PResult<Value> {
        match self.global_hit(cur, code, idx) {
            Some(v) => Ok(v),
            None => self.load_global_slow(cur, code, idx),
        }
    }

    /// `LoadGlobal` when the code's cache for the name is still valid.
    #[inline(always)]
    pub(crate) fn global_hit(&self, cur: &Frame, code: &Code, idx: u32) -> Option<Value> {
        let cached = code.global_cache.get(idx as usize)?.get();
        if cached.globals_version == 0 {
            None
        } else if cached.builtins_version == 0 {
            cur.globals
                .value_at_version(cached.entry, cached.globals_version)
        } else if cur.globals.version() == cached.globals_version {
            self.builtins
                .value_at_version(cached.entry, cached.builtins_version)
        } else {
            None
        }
    }

    /// `LoadGlobal`'s hit: pushes the value, or returns false. It was kept out of the dispatch
    /// loop while pushes there went through a stack slot, written as two words and read as
    /// one wide load, which stalled; with `stack::push` inlined, inside the loop is faster
    /// (fib -2.8% instructions, 0.98 of the CPU time).
    #[inline(always)]
    pub(crate) fn push_global_hit(&self, cur: &mut Frame, code: &Code, idx: u32) -> bool {
        let Some(slot) = code.global_cache.get(idx as usize) else {
            return false;
        };
        let cached = slot.get();
        if cached.globals_version == 0 {
            false
        } else if cached.builtins_version == 0 {
            cur.globals
                .push_at_version(cached.entry, cached.globals_version, &mut cur.stack)
        } else if cur.globals.version() == cached.globals_version {
            self.builtins
                .push_at_version(cached.entry, cached.builtins_version, &mut cur.stack)
        } else {
            false
        }
    }

    pub(crate) fn load_global_slow(
        &mut self,
        cur: &Frame,
        code: &Code,
        idx: u32,
    ) -> PResult<Value> {
        let name = name_at(&code.names, idx)?;
        let slot = code.global_cache.get(idx as usize);
        if let Some((entry, v)) = cur.globals.find_str(name) {
            if let Some(slot) = slot {
                slot.set(GlobalCache {
                    globals_version: cur.globals.version(),
                    builtins_version: 0,
                    entry,
                });
            }
            return Ok(v);
        }
        match self.builtins.find_str(name) {
            Some((entry, v)) => {
                if let Some(slot) = slot {
                    slot.set(GlobalCache {
                        globals_version: cur.globals.version(),
                        builtins_version: self.builtins.version(),
                        entry,
                    });
                }
                Ok(v)
            }
            None => {
                let exc = self.exc_value(name_error(name));
                if let Value::Instance(inst) = &exc {
                    inst.dict().set_item_str("name", Value::Str(name.clone()));
                }
                let varnames = if cur.code.obj.kind == crate::compile::code::CodeKind::Function
                    || cur.code.obj.is_generator_like()
                {
                    cur.code.varnames.clone()
                } else {
                    Vec::new()
                };
                let ctx = crate::vm::object::class::Suggest::Name {
                    name: name.clone(),
                    varnames,
                    globals: cur.globals.clone(),
                };
                self.attach_suggestion(&exc, ctx);
                Err(Exc::value(exc))
            }
        }
    }

    pub(crate) fn op_make_function(&mut self, cur: &mut Frame, flags: u8) -> PResult<Value> {
        let code = match cur.stack.pop() {
            Some(Value::Code(c)) => c,
            _ => return Err(Exc::internal("MakeFunction without code")),
        };
        let closure: Vec<Rc<Cell>> = if flags & make_fn::CLOSURE != 0 {
            match cur.stack.pop() {
                Some(Value::Tuple(t)) => t
                    .items
                    .iter()
                    .filter_map(|c| match c {
                        Value::Cell(c) => Some(c.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => return Err(Exc::internal("bad closure")),
            }
        } else {
            Vec::new()
        };
        let kwdefaults = if flags & make_fn::KW_DEFAULTS != 0 {
            match cur.stack.pop() {
                Some(Value::Dict(d)) => Some(d),
                _ => return Err(Exc::internal("bad kwdefaults")),
            }
        } else {
            None
        };
        let defaults = if flags & make_fn::DEFAULTS != 0 {
            match cur.stack.pop() {
                Some(Value::Tuple(t)) => t.items.to_vec(),
                _ => return Err(Exc::internal("bad defaults")),
            }
        } else {
            Vec::new()
        };
        Ok(Function::new_value(
            code,
            cur.globals.clone(),
            defaults,
            kwdefaults,
            closure,
        ))
    }

    pub(crate) fn op_collection_add(
        &mut self,
        cur: &Frame,
        n: u32,
        v: Value,
        op: CollectionOp,
    ) -> PResult<()> {
        let idx = cur
            .stack
            .len()
            .checked_sub(n as usize)
            .ok_or_else(|| Exc::internal("collection underflow"))?;
        let target = cur.stack.get(idx).cloned().unwrap_or(Value::None);
        match (op, &target) {
            (CollectionOp::ListAppend, Value::List(l)) => l.items.borrow_mut().push(v),
            (CollectionOp::ListExtend, Value::List(l)) => {
                let items = self.collect(&v).map_err(|e| self.star_error(e, &v))?;
                l.items.borrow_mut().extend(items);
            }
            (CollectionOp::SetAdd, Value::Set(s)) => {
                s.add(self, v)?;
            }
            (CollectionOp::SetUpdate, Value::Set(s)) => {
                for item in self.collect(&v)? {
                    s.add(self, item)?;
                }
            }
            (CollectionOp::DictUpdate, Value::Dict(d)) => {
                if !matches!(v, Value::Dict(_)) && self.get_attr_str(&v, "keys").is_err() {
                    return Err(Exc::type_error(format!(
                        "'{}' object is not a mapping",
                        self.type_name(&v)
                    )));
                }
                self.dict_update(d, &v)?;
            }
            (CollectionOp::DictMerge, Value::Dict(d)) => self.dict_merge(d, &v)?,
            _ => return Err(Exc::internal("collection op on the wrong kind")),
        }
        Ok(())
    }

    pub(crate) fn op_map_add(&mut self, cur: &Frame, n: u32, k: Value, v: Value) -> PResult<()> {
        let idx = cur
            .stack
            .len()
            .checked_sub(n as usize)
            .ok_or_else(|| Exc::internal("collection underflow"))?;
        match cur.stack.get(idx) {
            Some(Value::Dict(d)) => {
                let d = d.clone();
                d.insert(self, k, v)
            }
            _ => Err(Exc::internal("MapAdd on a non-dict")),
        }
    }

    fn star_error(&mut self, e: Exc, v: &Value) -> Exc {
        if self.exc_matches(&e, ExcKind::TypeError) && self.iter(v).is_err() {
            return Exc::type_error(format!(
                "Value after * must be an iterable, not {}",
                self.type_name(v)
            ));
        }
        e
    }
}

#[derive(Clone, Copy)]
pub(crate) enum CollectionOp {
    ListAppend,
    ListExtend,
    SetAdd,
    SetUpdate,
    DictUpdate,
    DictMerge,
}

/// Drops a value, without the out-of-line drop glue for the kinds that own nothing.
/// Unbinds `name` in `dict` (to `None`) if it is bound to the string at `ptr`; for
/// `Vm::concat_in_place`.
fn release_name(dict: &Dict, name: Option<&Rc<PyStr>>, ptr: *const PyStr) -> bool {
    let Some(name) = name else {
        return false;
    };
    match dict.get_str(name) {
        Some(Value::Str(s)) if Rc::as_ptr(&s) == ptr => {
            drop(s);
            dict.set_str(name.clone(), Value::None);
            true
        }
        _ => false,
    }
}

#[inline(always)]
pub(crate) fn discard(v: Value) {
    if matches!(
        v,
        Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::None | Value::Null
    ) {
        std::mem::forget(v);
    } else {
        drop(v);
    }
}

/// The result of a binary operator on the two numbers on top of the stack when plain
/// arithmetic gives it (ints without overflow, floats), else `None`.
#[inline(always)]
pub(crate) fn number_fast(op: BinOp, stack: &[Value]) -> Option<Value> {
    match stack {
        [.., a, b] => number_pair(op, a, b),
        _ => None,
    }
}

/// `a op b` for two numbers whose result needs no allocation and raises nothing.
#[inline(always)]
pub(crate) fn number_pair(op: BinOp, a: &Value, b: &Value) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => crate::vm::ops::int_fast(op, *x, *y),
        (Value::Float(x), Value::Float(y)) => crate::vm::ops::float_fast(op, x.get(), y.get()),
        (Value::Int(x), Value::Float(y)) => crate::vm::ops::float_fast(op, *x as f64, y.get()),
        (Value::Float(x), Value::Int(y)) => crate::vm::ops::float_fast(op, x.get(), *y as f64),
        _ => None,
    }
}

/// Replaces the value on top of the stack by `v` (`obj.name`'s object by its attribute). The
/// object an attribute is read from is most often an instance that stays alive: its count
/// drops inline, without the general drop's call.
#[inline(always)]
pub(crate) fn replace_top(stack: &mut [Value], v: Value) {
    if let Some(top) = stack.last_mut() {
        match std::mem::replace(top, v) {
            Value::Instance(inst) => drop(inst),
            old => discard(old),
        }
    }
}

/// Replaces the two numbers on top of the stack (which own nothing) by `v`.
#[inline(always)]
pub(crate) fn replace_top_two(stack: &mut Vec<Value>, v: Value) {
    std::mem::forget(stack.pop());
    if let Some(top) = stack.last_mut() {
        std::mem::forget(std::mem::replace(top, v));
    }
}

pub(crate) fn pop_n(cur: &mut Frame, n: usize) -> PResult<Vec<Value>> {
    let at = cur
        .stack
        .len()
        .checked_sub(n)
        .ok_or_else(|| Exc::internal("operand stack underflow"))?;
    if at < cur.n_locals() {
        return Err(Exc::internal("operand stack underflow"));
    }
    Ok(cur.stack.split_off(at))
}

/// `BuildString`: the top `n` values (the pieces of an f-string, all strings) joined and
/// popped, the result allocated once at its final length.
pub(crate) fn concat_top(cur: &mut Frame, n: usize) -> PResult<Value> {
    let at = cur
        .stack
        .len()
        .checked_sub(n)
        .filter(|&at| at >= cur.n_locals())
        .ok_or_else(|| Exc::internal("operand stack underflow"))?;
    let pieces = cur.stack.get(at..).unwrap_or(&[]);
    let (mut len, mut n_chars) = (0, 0);
    for piece in pieces {
        if let Value::Str(p) = piece {
            len += p.as_str().len();
            n_chars += p.char_len();
        }
    }
    let mut s = String::with_capacity(len);
    for piece in pieces {
        if let Value::Str(p) = piece {
            s.push_str(p.as_str());
        }
    }
    cur.stack.truncate(at);
    Ok(Value::counted_string(s, n_chars))
}

pub(crate) fn name_at(names: &[Rc<PyStr>], idx: u32) -> PResult<&Rc<PyStr>> {
    names
        .get(idx as usize)
        .ok_or_else(|| Exc::internal("bad name index"))
}

pub(crate) fn name_error(name: &PyStr) -> Exc {
    Exc::new(
        ExcKind::NameError,
        format!("name '{}' is not defined", name.as_str()),
    )
}

pub(crate) fn unbound_local(varnames: &[Rc<PyStr>], idx: u32) -> Exc {
    let name = varnames.get(idx as usize).map_or("?", |n| n.as_str());
    Exc::new(
        ExcKind::UnboundLocalError,
        format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}

/// What `prepare_init` made of `cls(...)`: `__init__`'s frame (marked `Frame::init`) and the
/// new instance, or the call's result when `__new__` returned some other object.
enum Init {
    Frame(Box<Frame>, Value),
    Done(Value),
}

/// How many defaults a fast call of `f` with `n` positional arguments takes: `None` when
/// too few arguments are given for its defaults to make up (the general binding reports it).
#[inline(always)]
pub(crate) fn fast_defaults(f: &Function, n: usize) -> Option<usize> {
    let argc = f.shape.argcount as usize;
    if n == argc {
        return Some(0);
    }
    let missing = argc.checked_sub(n)?;
    (missing <= f.defaults.borrow().len()).then_some(missing)
}

/// Records where a coroutine (or generator) was made: the calling frame's position.
fn note_origin(v: &Value, cur: &Frame) {
    if let Value::Generator(gen) = v {
        gen.set_origin(&cur.code, cur.at());
    }
}

/// A call's arguments as they lie on the stack: `n_pos` positional values, then the values
/// of `kwnames` (all positional if the slice is shorter than `n_pos`).
fn split_args<'a>(values: &'a [Value], n_pos: usize, kwnames: &'a [Rc<PyStr>]) -> Args<'a> {
    let (pos, kwvals) = values.split_at_checked(n_pos).unwrap_or((values, &[]));
    Args {
        pos,
        kwnames,
        kwvals,
    }
}
