//! The dispatch loop. `Vm::execute` runs a base frame and every apy frame it calls on its own
//! frame stack (an apy-to-apy call pushes a frame, a return pops it; no Rust recursion), and
//! returns a `Halt` when the base frame returns, yields or raises. Exceptions unwind through
//! each code's handler table. Longer instruction bodies live in `interp_ops.rs`.

use crate::compile::code::{CodeKind, Instr};
use crate::syntax::ast::BinOp;
use crate::vm::delegate::{delegate_of, is_delegate_code, Yielded};
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::frame::{Frame, Frames};
use crate::vm::fused::{local_into, Fused};
use crate::vm::gc;
use crate::vm::halt::Halt;
use crate::vm::interp_ops::{
    concat_top, discard, name_at, name_error, number_fast, number_pair, pop_n, replace_top,
    replace_top_two, unbound_local, CollectionOp,
};
use crate::vm::machine::Vm;
use crate::vm::resume::GenResult;
use crate::vm::value::Value;
use std::rc::Rc;

/// An exception on its way out of an instruction.
pub struct Pending {
    pub exc: Exc,
    /// False for `Reraise`/bare `raise`: no traceback entry for the current line.
    pub add_tb: bool,
}

macro_rules! pop {
    ($l:lifetime, $frame:expr) => {
        match $frame.stack.pop() {
            Some(v) => v,
            None => break $l Err(Exc::internal("operand stack underflow")),
        }
    };
}

macro_rules! top {
    ($l:lifetime, $frame:expr) => {
        match $frame.stack.last() {
            Some(v) => v,
            None => break $l Err(Exc::internal("operand stack underflow")),
        }
    };
}

macro_rules! tri {
    ($l:lifetime, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => break $l Err(e),
        }
    };
}

/// Jumps to `$t`. A backward jump is a loop's back edge (`Vm::back_edge`): an exception
/// raised there belongs to the jump instruction, so the budget is spent before the jump, and a
/// green thread whose slice is over stops after it.
macro_rules! jump {
    ($l:lifetime, $vm:ident, $ip:ident, $t:expr) => {{
        let target = $t as usize;
        if target < $ip {
            let switch = tri!($l, $vm.back_edge());
            set_ip!($ip, target);
            if switch {
                break $l Ok(Flow::Suspend);
            }
        } else {
            set_ip!($ip, target);
        }
    }};
}

/// Moves the loop's instruction pointer. The frame's own (`Frame::ip`) is written back only
/// where something can read it (`sync_ip!`).
macro_rules! set_ip {
    ($ip:ident, $t:expr) => {{
        $ip = $t;
    }};
}

/// Writes the loop's instruction pointer back into the frame. The loop keeps it in a local
/// and stores it only before what can read the frame's: an instruction that pushes the frame
/// under a callee or a delegate (its return resumes there), one that leaves the loop with
/// the frame suspended, and the exception and suspension paths after every instruction
/// (`Vm::dispatch`). A store on every instruction cost fib 3.6% of its CPU time.
macro_rules! sync_ip {
    ($cur:ident, $ip:ident) => {{
        $cur.ip = $ip as u32;
    }};
}

/// What to do after an instruction that may switch frames.
pub(crate) enum Flow {
    Next,
    /// A new frame was pushed or popped: reload the code.
    Switch,
    /// The running green thread stops here (`vm::green`): `Vm::switch_request` says what it
    /// asks for.
    Suspend,
}

impl Vm {
    /// Runs a frame to its end (or first yield) in a fresh dispatch loop.
    pub fn run_frame(&mut self, frame: Box<Frame>) -> (Halt, Box<Frame>) {
        self.execute(frame, None)
    }

    /// Runs `base` (and the frames it calls); `throw` is raised at the current instruction
    /// first (for `generator.throw`).
    pub fn execute(&mut self, base: Box<Frame>, throw: Option<Exc>) -> (Halt, Box<Frame>) {
        let callers = std::mem::take(&mut self.spare_frames);
        self.execute_stack(callers, base, throw)
    }

    /// Runs `cur` with `callers` (outermost first) below it: a green thread's frame stack
    /// resumes this way (`vm::green`); every other run has no callers.
    pub(crate) fn execute_stack(
        &mut self,
        mut callers: Frames,
        mut cur: Box<Frame>,
        throw: Option<Exc>,
    ) -> (Halt, Box<Frame>) {
        let handling = self.handling.clone();
        callers
            .first_mut()
            .unwrap_or(&mut cur)
            .set_saved_exc(handling);
        // Native callers (an event loop running callbacks, a sort key) spend the budget too.
        if let Err(exc) = self.spend_fuel() {
            let exc = self.exc_value(exc);
            return (Halt::Raised(exc), cur);
        }
        if self.depth >= self.recursion_limit {
            let exc = Exc::new(ExcKind::RecursionError, "maximum recursion depth exceeded");
            let exc = self.exc_value(exc);
            return (Halt::Raised(exc), cur);
        }
        self.depth += 1 + callers.len();
        self.nest += 1;
        // A generator resuming inside an `except` block handles its own exception again.
        let own = cur.take_suspended_exc();
        if !own.is_none() {
            self.handling = own;
        }
        if !self.escaped.is_none() {
            self.escaped = Value::None;
        }
        let (halt, frame) = self.dispatch(callers, cur, throw);
        if let Halt::Raised(exc) = &halt {
            self.escaped = exc.clone();
        }
        self.nest -= 1;
        self.depth -= 1;
        (halt, frame)
    }

    fn dispatch(
        &mut self,
        callers: Frames,
        base: Box<Frame>,
        throw: Option<Exc>,
    ) -> (Halt, Box<Frame>) {
        let mut frames: Frames = callers;
        let mut cur = base;
        let mut pending: Option<Pending> = throw.map(|exc| Pending { exc, add_tb: true });
        let mut code = cur.code.clone();
        loop {
            if let Some(p) = pending.take() {
                if let Err(exc) = self.unwind(p, &mut cur, &mut frames) {
                    self.keep_frames(frames);
                    return (Halt::Raised(exc), cur);
                }
            }
            // A switch of frames often stays in one function (recursion, a generator's
            // frame in a loop of the same code): then no count changes.
            if !Rc::ptr_eq(&code, &cur.code) {
                code = cur.code.clone();
            }
            let instrs = &code.obj.instrs;
            // The instruction pointer, in a local: `set_ip!` moves it, `sync_ip!` writes it
            // back; a switch of frames reloads it from the new frame.
            let mut ip = cur.ip as usize;
            // The frame the loop runs: an instruction that fails or suspends after switching
            // frames leaves the new frame's position alone.
            let mut running: *const Frame = &*cur;
            'run: loop {
                let Some(instr) = instrs.get(ip) else {
                    pending = Some(Pending {
                        exc: Exc::internal("instruction pointer out of range"),
                        add_tb: true,
                    });
                    break 'run;
                };
                ip += 1;
                // A frame's buffer is sized from the compiler's `max_stack` (`Code::n_slots`);
                // the test suite checks that bound on every instruction it runs.
                debug_assert!(
                    cur.stack.len() <= cur.code.n_slots,
                    "{}: operand stack above max_stack",
                    cur.code.obj.name
                );
                let res: PResult<Flow> = 'instr: {
                    // Matched in place: each arm reads the operands it uses, where a copy of
                    // the whole instruction loaded all five fields before the jump.
                    match *instr {
                        Instr::Nop => {}
                        Instr::PopTop => {
                            discard(pop!('instr, cur));
                        }
                        Instr::Copy(n) => {
                            let idx = cur.stack.len().checked_sub(n as usize);
                            let v = match idx.and_then(|i| cur.stack.get(i)) {
                                Some(v) => v.clone(),
                                None => break 'instr Err(Exc::internal("bad Copy")),
                            };
                            cur.push(v);
                        }
                        Instr::Swap(n) => {
                            let len = cur.stack.len();
                            match len.checked_sub(n as usize) {
                                Some(i) => cur.stack.swap(i, len - 1),
                                None => break 'instr Err(Exc::internal("bad Swap")),
                            }
                        }
                        Instr::LoadConst(i) => match code.consts.get(i as usize) {
                            Some(v) => cur.push(v.dup()),
                            None => break 'instr Err(Exc::internal("bad constant")),
                        },
                        Instr::LoadLocal(i) => match cur.stack.get(i as usize) {
                            Some(Value::Null) | None => {
                                break 'instr Err(unbound_local(&code.varnames, i))
                            }
                            Some(v) => {
                                let v = v.dup();
                                cur.push(v);
                            }
                        },
                        Instr::LoadLocalInto(i) => {
                            match local_into(&cur.stack, &code.consts, instrs.get(ip), i) {
                                Some(Fused::Push(v)) => {
                                    set_ip!(ip, ip + 1);
                                    cur.push(v);
                                }
                                Some(Fused::Next) => set_ip!(ip, ip + 1),
                                Some(Fused::Jump(t)) => jump!('instr, self, ip, t),
                                None => match cur.stack.get(i as usize) {
                                    Some(Value::Null) | None => {
                                        break 'instr Err(unbound_local(&code.varnames, i))
                                    }
                                    Some(v) => {
                                        let v = v.dup();
                                        cur.push(v);
                                    }
                                },
                            }
                        }
                        Instr::LoadLocal2(a, b) => match cur.stack.get(a as usize) {
                            Some(Value::Null) | None => {
                                break 'instr Err(unbound_local(&code.varnames, a))
                            }
                            Some(v) => {
                                let v = v.dup();
                                cur.push(v);
                                // Unbound, `b` is left to the `LoadLocal(b)` that follows.
                                if let Some(w) = cur
                                    .stack
                                    .get(b as usize)
                                    .filter(|w| !matches!(w, Value::Null))
                                {
                                    let w = w.dup();
                                    cur.push(w);
                                    set_ip!(ip, ip + 1);
                                }
                            }
                        },
                        Instr::StoreLocal(i) => {
                            let v = pop!('instr, cur);
                            match cur.stack.get_mut(i as usize) {
                                Some(slot) => discard(std::mem::replace(slot, v)),
                                None => break 'instr Err(Exc::internal("bad local")),
                            }
                        }
                        Instr::DeleteLocal(i) => match cur.stack.get_mut(i as usize) {
                            Some(slot) if !matches!(slot, Value::Null) => *slot = Value::Null,
                            _ => break 'instr Err(unbound_local(&code.varnames, i)),
                        },
                        Instr::LoadDeref(i) => {
                            let bound = cur.cells.get(i as usize).and_then(|cell| {
                                let v = cell.value.borrow();
                                (!matches!(*v, Value::Null)).then(|| v.dup())
                            });
                            let v = match bound {
                                Some(v) => v,
                                None => tri!('instr, self.load_deref(&cur, i)),
                            };
                            cur.push(v);
                        }
                        Instr::StoreDeref(i) => {
                            let v = pop!('instr, cur);
                            match cur.cells.get(i as usize) {
                                Some(cell) => cell.set(v),
                                None => break 'instr Err(Exc::internal("bad cell")),
                            }
                        }
                        Instr::DeleteDeref(i) => {
                            tri!('instr, self.load_deref(&cur, i));
                            if let Some(cell) = cur.cells.get(i as usize) {
                                cell.set(Value::Null);
                            }
                        }
                        Instr::LoadClosure(i) => match cur.cells.get(i as usize) {
                            Some(cell) => cur.push(Value::Cell(cell.clone())),
                            None => break 'instr Err(Exc::internal("bad cell")),
                        },
                        Instr::LoadClassDeref(i) => {
                            let name = code.cellnames.get(i as usize).cloned();
                            let found = match (cur.namespace(), &name) {
                                (Some(ns), Some(n)) => ns.get_str(n),
                                _ => None,
                            };
                            let v = match found {
                                Some(v) => v,
                                None => tri!('instr, self.load_deref(&cur, i)),
                            };
                            cur.push(v);
                        }
                        Instr::LoadGlobal(i) => {
                            if !self.push_global_hit(&mut cur, &code, i) {
                                let v = tri!('instr, self.load_global_slow(&cur, &code, i));
                                cur.push(v);
                            }
                        }
                        Instr::StoreGlobal(i) => {
                            let v = pop!('instr, cur);
                            let name = tri!('instr, name_at(&code.names, i));
                            cur.globals.set_str(name.clone(), v);
                        }
                        Instr::DeleteGlobal(i) => {
                            let name = tri!('instr, name_at(&code.names, i));
                            if cur.globals.remove_str(name).is_none() {
                                break 'instr Err(name_error(name));
                            }
                        }
                        Instr::LoadName(i) => {
                            let name = tri!('instr, name_at(&code.names, i));
                            let local = cur.namespace().and_then(|ns| ns.get_str(name));
                            let v = match local {
                                Some(v) => v,
                                None => tri!('instr, self.load_global(&cur, &code, i)),
                            };
                            cur.push(v);
                        }
                        Instr::StoreName(i) => {
                            let v = pop!('instr, cur);
                            let name = tri!('instr, name_at(&code.names, i));
                            match cur.namespace() {
                                Some(ns) => ns.set_str(name.clone(), v),
                                None => cur.globals.set_str(name.clone(), v),
                            }
                        }
                        Instr::DeleteName(i) => {
                            let name = tri!('instr, name_at(&code.names, i));
                            let ns = cur.namespace().unwrap_or(&cur.globals).clone();
                            if ns.remove_str(name).is_none() {
                                break 'instr Err(name_error(name));
                            }
                        }
                        Instr::LoadAttr(i) => {
                            let obj = top!('instr, cur);
                            let v = tri!('instr, self.load_attr_cached(&code, i, obj));
                            replace_top(&mut cur.stack, v);
                        }
                        Instr::LoadLocalAttr(local, i) => {
                            let v = match cur.stack.get(local as usize) {
                                Some(Value::Null) | None => {
                                    break 'instr Err(unbound_local(&code.varnames, local))
                                }
                                Some(obj) => tri!('instr, self.load_attr_cached(&code, i, obj)),
                            };
                            cur.push(v);
                        }
                        Instr::StoreAttr(i) => {
                            let obj = pop!('instr, cur);
                            let v = pop!('instr, cur);
                            tri!('instr, self.store_attr_cached(&code, i, &obj, v));
                        }
                        Instr::StoreLocalAttr(local, i) => {
                            let v = pop!('instr, cur);
                            match cur.stack.get(local as usize) {
                                Some(Value::Null) | None => {
                                    break 'instr Err(unbound_local(&code.varnames, local))
                                }
                                Some(obj) => tri!('instr, self.store_attr_cached(&code, i, obj, v)),
                            }
                        }
                        Instr::DeleteAttr(i) => {
                            let obj = pop!('instr, cur);
                            let name = tri!('instr, name_at(&code.names, i));
                            tri!('instr, self.del_attr(&obj, name));
                        }
                        Instr::LoadMethod(i) => {
                            let obj = pop!('instr, cur);
                            tri!('instr, self.load_method_cached(&code, i, obj, &mut cur.stack));
                        }
                        Instr::CallMethod(n) => {
                            sync_ip!(cur, ip);
                            break 'instr self.op_call_positional(&mut cur, &mut frames, n, true);
                        }
                        Instr::CallMethodKw(n, k) => {
                            let names = code.kwnames_at(k);
                            sync_ip!(cur, ip);
                            break 'instr self.op_call_method(
                                &mut cur,
                                &mut frames,
                                n as usize,
                                &names,
                            );
                        }
                        Instr::LoadSubscr => {
                            let key = pop!('instr, cur);
                            let container = pop!('instr, cur);
                            let v = tri!('instr, self.get_item(&container, &key));
                            cur.push(v);
                        }
                        Instr::StoreSubscr => {
                            let key = pop!('instr, cur);
                            let container = pop!('instr, cur);
                            let v = pop!('instr, cur);
                            tri!('instr, self.set_item(&container, key, v));
                        }
                        Instr::DeleteSubscr => {
                            let key = pop!('instr, cur);
                            let container = pop!('instr, cur);
                            tri!('instr, self.del_item(&container, &key));
                        }
                        Instr::BuildSlice(n) => {
                            let step = if n == 3 {
                                pop!('instr, cur)
                            } else {
                                Value::None
                            };
                            let stop = pop!('instr, cur);
                            let start = pop!('instr, cur);
                            cur.stack
                                .push(crate::vm::object::misc::Slice::new_value(start, stop, step));
                        }
                        Instr::Binary(op) => {
                            if let Some(v) = number_fast(op, &cur.stack) {
                                replace_top_two(&mut cur.stack, v);
                            } else if op == BinOp::Add
                                && self.concat_in_place(&mut cur, &code, instrs.get(ip))
                            {
                            } else {
                                let b = pop!('instr, cur);
                                let a = pop!('instr, cur);
                                let v = tri!('instr, self.binary(op, &a, &b));
                                cur.push(v);
                            }
                        }
                        Instr::BinaryConst(op, k) | Instr::InplaceConst(op, k) => {
                            let Some(b) = code.consts.get(k as usize) else {
                                break 'instr Err(Exc::internal("bad constant"));
                            };
                            let top = cur.stack.last_mut();
                            match top.as_ref().and_then(|a| number_pair(op, a, b)) {
                                // The number on top owns nothing: overwritten in place.
                                Some(v) => {
                                    if let Some(top) = top {
                                        std::mem::forget(std::mem::replace(top, v));
                                    }
                                }
                                None => {
                                    let a = pop!('instr, cur);
                                    let v = match *instr {
                                        Instr::InplaceConst(..) => self.inplace(op, &a, b),
                                        _ => self.binary(op, &a, b),
                                    };
                                    cur.push(tri!('instr, v));
                                }
                            }
                        }
                        Instr::Inplace(op) => {
                            if let Some(v) = number_fast(op, &cur.stack) {
                                replace_top_two(&mut cur.stack, v);
                            } else if op == BinOp::Add
                                && self.concat_in_place(&mut cur, &code, instrs.get(ip))
                            {
                            } else {
                                let b = pop!('instr, cur);
                                let a = pop!('instr, cur);
                                let v = tri!('instr, self.inplace(op, &a, &b));
                                cur.push(v);
                            }
                        }
                        Instr::Unary(op) => {
                            let a = pop!('instr, cur);
                            let v = tri!('instr, self.unary(op, &a));
                            cur.push(v);
                        }
                        Instr::Compare(op) => {
                            let fast = match cur.stack.as_slice() {
                                [.., Value::Int(x), Value::Int(y)] => {
                                    crate::vm::ops::int_compare(op, *x, *y)
                                }
                                _ => None,
                            };
                            if let Some(b) = fast {
                                replace_top_two(&mut cur.stack, Value::bool(b));
                            } else {
                                let b = pop!('instr, cur);
                                let a = pop!('instr, cur);
                                let v = tri!('instr, self.compare(op, &a, &b));
                                cur.push(v);
                            }
                        }
                        Instr::CompareJump(op, jump_if, t) => {
                            let fast = match cur.stack.as_slice() {
                                [.., Value::Int(x), Value::Int(y)] => {
                                    crate::vm::ops::int_compare(op, *x, *y)
                                }
                                _ => None,
                            };
                            let truth = match fast {
                                Some(truth) => {
                                    // Two ints: nothing to drop.
                                    let len = cur.stack.len();
                                    cur.stack.truncate(len - 2);
                                    truth
                                }
                                None => {
                                    let b = pop!('instr, cur);
                                    let a = pop!('instr, cur);
                                    match tri!('instr, self.compare(op, &a, &b)) {
                                        Value::Bool(truth) => truth.get(),
                                        v => tri!('instr, self.truthy(&v)),
                                    }
                                }
                            };
                            if truth == jump_if {
                                jump!('instr, self, ip, t);
                            }
                        }
                        Instr::CompareConstJump(op, jump_if, k, t) => {
                            let Some(b) = code.consts.get(k as usize) else {
                                break 'instr Err(Exc::internal("bad constant"));
                            };
                            let fast = match (cur.stack.last(), b) {
                                (Some(Value::Int(x)), Value::Int(y)) => {
                                    crate::vm::ops::int_compare(op, *x, *y)
                                }
                                _ => None,
                            };
                            let truth = match fast {
                                Some(truth) => {
                                    // An int: nothing to drop.
                                    std::mem::forget(cur.stack.pop());
                                    truth
                                }
                                None => {
                                    let a = pop!('instr, cur);
                                    match tri!('instr, self.compare(op, &a, b)) {
                                        Value::Bool(truth) => truth.get(),
                                        v => tri!('instr, self.truthy(&v)),
                                    }
                                }
                            };
                            if truth == jump_if {
                                jump!('instr, self, ip, t);
                            }
                        }
                        Instr::Jump(t) => {
                            jump!('instr, self, ip, t);
                        }
                        Instr::PopJumpIfFalse(t) => {
                            let v = pop!('instr, cur);
                            let truth = match v {
                                Value::Bool(b) => b.get(),
                                _ => {
                                    let truth = self.truthy(&v);
                                    discard(v);
                                    tri!('instr, truth)
                                }
                            };
                            if !truth {
                                jump!('instr, self, ip, t);
                            }
                        }
                        Instr::PopJumpIfTrue(t) => {
                            let v = pop!('instr, cur);
                            let truth = match v {
                                Value::Bool(b) => b.get(),
                                _ => {
                                    let truth = self.truthy(&v);
                                    discard(v);
                                    tri!('instr, truth)
                                }
                            };
                            if truth {
                                jump!('instr, self, ip, t);
                            }
                        }
                        Instr::PopJumpIfNone(t) => {
                            if pop!('instr, cur).is_none() {
                                jump!('instr, self, ip, t);
                            }
                        }
                        Instr::JumpIfFalseOrPop(t) => {
                            if tri!('instr, self.truthy(top!('instr, cur))) {
                                pop!('instr, cur);
                            } else {
                                set_ip!(ip, t as usize);
                            }
                        }
                        Instr::JumpIfTrueOrPop(t) => {
                            if tri!('instr, self.truthy(top!('instr, cur))) {
                                set_ip!(ip, t as usize);
                            } else {
                                pop!('instr, cur);
                            }
                        }
                        Instr::GetIter => {
                            let v = pop!('instr, cur);
                            let it = tri!('instr, self.iter(&v));
                            cur.push(it);
                        }
                        Instr::ForIter(t) => {
                            if let Some(Value::Generator(_)) = cur.stack.last() {
                                sync_ip!(cur, ip);
                                break 'instr self.for_iter_generator(&mut cur, &mut frames, t);
                            }
                            let next = self.for_next(top!('instr, cur));
                            match tri!('instr, next) {
                                // The `StoreLocal` of a simple `for` target runs here: a step
                                // of the loop is one dispatch less.
                                Some(v) => match instrs.get(ip) {
                                    Some(&Instr::StoreLocal(i))
                                        if (i as usize) < cur.stack.len() =>
                                    {
                                        if let Some(slot) = cur.stack.get_mut(i as usize) {
                                            discard(std::mem::replace(slot, v));
                                        }
                                        set_ip!(ip, ip + 1);
                                    }
                                    _ => cur.push(v),
                                },
                                None => {
                                    pop!('instr, cur);
                                    set_ip!(ip, t as usize);
                                    if gc::should_collect() {
                                        gc::collect();
                                    }
                                }
                            }
                        }
                        Instr::BuildTuple(n) => {
                            let items = tri!('instr, pop_n(&mut cur, n as usize));
                            cur.push(Value::tuple(items));
                        }
                        Instr::BuildList(n) => {
                            let items = tri!('instr, pop_n(&mut cur, n as usize));
                            cur.push(Value::list(items));
                        }
                        Instr::BuildSet(n) => tri!('instr, self.op_build_set(&mut cur, n as usize)),
                        Instr::BuildMap(n) => tri!('instr, self.op_build_map(&mut cur, n as usize)),
                        Instr::BuildString(n) => {
                            let s = tri!('instr, concat_top(&mut cur, n as usize));
                            cur.push(s);
                        }
                        Instr::ListAppend(n) => {
                            let v = pop!('instr, cur);
                            tri!('instr, self.op_collection_add(&cur, n, v, CollectionOp::ListAppend));
                        }
                        Instr::SetAdd(n) => {
                            let v = pop!('instr, cur);
                            tri!('instr, self.op_collection_add(&cur, n, v, CollectionOp::SetAdd));
                        }
                        Instr::MapAdd(n) => {
                            let v = pop!('instr, cur);
                            let k = pop!('instr, cur);
                            tri!('instr, self.op_map_add(&cur, n, k, v));
                        }
                        Instr::ListExtend(n) => {
                            let v = pop!('instr, cur);
                            tri!('instr, self.op_collection_add(&cur, n, v, CollectionOp::ListExtend));
                        }
                        Instr::SetUpdate(n) => {
                            let v = pop!('instr, cur);
                            tri!('instr, self.op_collection_add(&cur, n, v, CollectionOp::SetUpdate));
                        }
                        Instr::DictUpdate(n) => {
                            let v = pop!('instr, cur);
                            tri!('instr, self.op_collection_add(&cur, n, v, CollectionOp::DictUpdate));
                        }
                        Instr::DictMerge(n) => {
                            let v = pop!('instr, cur);
                            tri!('instr, self.op_collection_add(&cur, n, v, CollectionOp::DictMerge));
                        }
                        Instr::ListToTuple => {
                            let v = pop!('instr, cur);
                            let items = match &v {
                                Value::List(l) => l.snapshot(),
                                _ => break 'instr Err(Exc::internal("ListToTuple on a non-list")),
                            };
                            cur.push(Value::tuple(items));
                        }
                        Instr::UnpackSequence(n) => {
                            let v = pop!('instr, cur);
                            tri!('instr, self.op_unpack(&mut cur, v, n as usize));
                        }
                        Instr::UnpackEx(before, after) => {
                            let v = pop!('instr, cur);
                            tri!('instr, self.op_unpack_ex(&mut cur, v, before as usize, after as usize));
                        }
                        Instr::FormatValue(conv, has_spec) => {
                            let spec = if has_spec {
                                Some(pop!('instr, cur))
                            } else {
                                None
                            };
                            let v = pop!('instr, cur);
                            let s = tri!('instr, self.format_value(&v, conv, spec.as_ref()));
                            cur.push(s);
                        }
                        Instr::MakeFunction(flags) => {
                            let f = tri!('instr, self.op_make_function(&mut cur, flags));
                            cur.push(f);
                        }
                        Instr::Call(n) => {
                            sync_ip!(cur, ip);
                            break 'instr self.op_call_positional(&mut cur, &mut frames, n, false);
                        }
                        Instr::CallKw(n, k) => {
                            let names = code.kwnames_at(k);
                            sync_ip!(cur, ip);
                            break 'instr self.op_call(&mut cur, &mut frames, n as usize, &names);
                        }
                        Instr::CallEx(has_kw) => {
                            let kwargs = if has_kw {
                                Some(pop!('instr, cur))
                            } else {
                                None
                            };
                            let args = pop!('instr, cur);
                            let callable = pop!('instr, cur);
                            sync_ip!(cur, ip);
                            break 'instr self.op_call_ex(
                                &mut cur,
                                &mut frames,
                                &callable,
                                &args,
                                kwargs.as_ref(),
                            );
                        }
                        Instr::BuildClass(n) => {
                            let bases = tri!('instr, pop_n(&mut cur, n as usize));
                            let name = pop!('instr, cur);
                            let body = pop!('instr, cur);
                            let cls = tri!('instr, self.build_class(&body, &name, bases));
                            cur.push(cls);
                        }
                        Instr::ReturnValue
                        | Instr::ReturnConst(_)
                        | Instr::ReturnLocal(_)
                        | Instr::ReturnBinary(_) => {
                            let v = tri!('instr, self.return_operand(&mut cur, &code, instr));
                            if is_delegate_code(&cur) && !frames.is_empty() {
                                break 'instr self.return_from_delegate(&mut cur, &mut frames, v);
                            }
                            match frames.pop() {
                                None => {
                                    self.handling = cur.saved_exc();
                                    self.keep_frames(frames);
                                    return (Halt::Returned(v), cur);
                                }
                                Some(caller) => {
                                    // Nothing is written into `cur` before it moves: a
                                    // fresh narrow store under a wide copy stalls.
                                    let mut done = std::mem::replace(&mut cur, caller);
                                    self.depth -= 1;
                                    if done.has_saved_exc() || !self.handling.is_none() {
                                        self.handling = done.take_saved_exc();
                                    }
                                    let init = done.init;
                                    self.recycle(done);
                                    if !init {
                                        cur.push(v);
                                    } else if !v.is_none() {
                                        break 'instr Err(Exc::type_error(format!(
                                            "__init__() should return None, not '{}'",
                                            self.type_name(&v)
                                        )));
                                    }
                                    break 'instr Ok(Flow::Switch);
                                }
                            }
                        }
                        Instr::YieldValue => {
                            sync_ip!(cur, ip);
                            let mut v = pop!('instr, cur);
                            if !frames.is_empty() {
                                if code.obj.kind == CodeKind::AsyncGenerator {
                                    break 'instr self.asend_yield(&mut cur, &mut frames, v);
                                }
                                match tri!('instr, self.yield_out(&mut cur, &mut frames, v)) {
                                    Yielded::Delivered => break 'instr Ok(Flow::Switch),
                                    Yielded::Out(out) => v = out,
                                }
                            }
                            return self.yield_halt(cur, frames, v);
                        }
                        Instr::AsyncGenWrap => {
                            self.async_own_yield = true;
                        }
                        Instr::GetYieldFromIter => {
                            let v = pop!('instr, cur);
                            let it = tri!('instr, self.yield_from_iter(v));
                            cur.push(it);
                        }
                        Instr::GetAwaitable => {
                            let v = pop!('instr, cur);
                            let it = tri!('instr, self.get_awaitable(v));
                            cur.push(it);
                        }
                        Instr::Send(t) => {
                            sync_ip!(cur, ip);
                            let value = pop!('instr, cur);
                            if let Some(delegate) = delegate_of(cur.stack.last()) {
                                break 'instr self.push_delegate(
                                    &mut cur,
                                    &mut frames,
                                    delegate,
                                    value,
                                );
                            }
                            let sub = top!('instr, cur).clone();
                            match tri!('instr, self.send_into(&sub, value)) {
                                GenResult::Yield(mut v) => {
                                    // Resumed, this `Send` runs again with the value sent in.
                                    cur.ip -= 1;
                                    if !frames.is_empty() {
                                        match tri!('instr, self.yield_out(&mut cur, &mut frames, v))
                                        {
                                            Yielded::Delivered => break 'instr Ok(Flow::Switch),
                                            Yielded::Out(out) => v = out,
                                        }
                                    }
                                    return self.yield_halt(cur, frames, v);
                                }
                                GenResult::Return(r) => {
                                    pop!('instr, cur);
                                    cur.push(r);
                                    set_ip!(ip, t as usize);
                                }
                            }
                        }
                        Instr::GetAIter => {
                            let v = pop!('instr, cur);
                            let it = tri!('instr, self.get_aiter(&v));
                            cur.push(it);
                        }
                        Instr::GetANext => {
                            let it = top!('instr, cur).clone();
                            let aw = tri!('instr, self.get_anext(&it));
                            cur.push(aw);
                        }
                        Instr::EndAsyncFor => {
                            let exc = pop!('instr, cur);
                            pop!('instr, cur);
                            if !self.exc_is(&exc, ExcKind::StopAsyncIteration) {
                                break 'instr Err(Exc::value(exc));
                            }
                        }
                        Instr::BeforeWith => {
                            let mgr = pop!('instr, cur);
                            let (exit, entered) = tri!('instr, self.before_with(&mgr, false));
                            cur.push(exit);
                            cur.push(entered);
                        }
                        Instr::BeforeAsyncWith => {
                            let mgr = pop!('instr, cur);
                            let (exit, entered) = tri!('instr, self.before_with(&mgr, true));
                            cur.push(exit);
                            cur.push(entered);
                        }
                        Instr::WithExceptStart => {
                            let exc = top!('instr, cur).clone();
                            let len = cur.stack.len();
                            let exit = match len.checked_sub(3).and_then(|i| cur.stack.get(i)) {
                                Some(v) => v.clone(),
                                None => break 'instr Err(Exc::internal("bad with stack")),
                            };
                            let typ = Value::Class(self.class_of(&exc));
                            let res = tri!('instr, self.call(&exit, &[typ, exc, Value::None]));
                            cur.push(res);
                        }
                        Instr::PushExcInfo => {
                            let exc = pop!('instr, cur);
                            let prev = std::mem::replace(&mut self.handling, exc.clone());
                            cur.push(prev);
                            cur.push(exc);
                        }
                        Instr::PopExcept => {
                            self.handling = pop!('instr, cur);
                        }
                        Instr::CheckExcMatch => {
                            let typ = pop!('instr, cur);
                            let exc = top!('instr, cur).clone();
                            let m = tri!('instr, self.exc_match(&exc, &typ));
                            cur.push(Value::bool(m));
                        }
                        Instr::CheckEgMatch => {
                            let typ = pop!('instr, cur);
                            let rest = pop!('instr, cur);
                            let (rest, matched) = tri!('instr, self.check_eg_match(rest, &typ));
                            self.enter_star_clause(&matched);
                            cur.push(rest);
                            cur.push(matched);
                        }
                        Instr::PrepReraiseStar => {
                            let rest = pop!('instr, cur);
                            let raised = pop!('instr, cur);
                            let orig = pop!('instr, cur);
                            let v = tri!('instr, self.prep_reraise_star(orig, raised, rest));
                            cur.push(v);
                        }
                        Instr::Raise(n) => {
                            // A bare `raise` re-raises without a new traceback entry.
                            if n == 0 && !self.handling.is_none() {
                                let exc = Exc::value(self.handling.clone());
                                sync_ip!(cur, ip);
                                pending = Some(Pending { exc, add_tb: false });
                                break 'run;
                            }
                            break 'instr Err(self.op_raise(&mut cur, n));
                        }
                        Instr::Reraise => {
                            let exc = pop!('instr, cur);
                            sync_ip!(cur, ip);
                            pending = Some(Pending {
                                exc: Exc::value(exc),
                                add_tb: false,
                            });
                            break 'run;
                        }
                        Instr::LoadAssertionError => {
                            cur.stack
                                .push(Value::Class(self.types.exc(ExcKind::AssertionError)));
                        }
                        Instr::ImportName(_) | Instr::ImportFrom(_) => {
                            tri!('instr, self.op_import(&mut cur, &code.names, instr));
                        }
                        Instr::PrintExpr => {
                            let v = pop!('instr, cur);
                            tri!('instr, self.print_expr(v));
                        }
                        Instr::MatchSequence(..)
                        | Instr::MatchMapping(..)
                        | Instr::MatchClass(..) => {
                            tri!('instr, self.op_match(&mut cur, instr));
                        }
                    }
                    Ok(Flow::Next)
                };
                match res {
                    Ok(Flow::Next) => {}
                    // A call or return within one function (recursion) goes on here.
                    Ok(Flow::Switch) if Rc::ptr_eq(&code, &cur.code) => {
                        ip = cur.ip as usize;
                        running = &*cur;
                    }
                    Ok(Flow::Switch) => break,
                    Ok(Flow::Suspend) => {
                        if std::ptr::eq(&*cur, running) {
                            sync_ip!(cur, ip);
                        }
                        return self.suspend(cur, frames);
                    }
                    Err(exc) => {
                        if std::ptr::eq(&*cur, running) {
                            sync_ip!(cur, ip);
                        }
                        pending = Some(Pending { exc, add_tb: true });
                        break;
                    }
                }
            }
        }
    }
}
