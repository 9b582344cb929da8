//! `Send` into a generator or coroutine on the running dispatch loop's own frame stack. An
//! `await coro()`, `yield from gen` or `async for` step pushes the sub-generator's frame above
//! the delegating one, as a call pushes its callee, instead of running it in a dispatch loop
//! of its own (`Vm::send_into`, which other awaitables still take). The pushed frame is a
//! *delegate*:
//!
//! - its return finishes the generator and is the `Send`'s result in the frame below (an
//!   async generator's return ends the iteration: `StopAsyncIteration` at the `Send`);
//! - an exception leaving it finishes the generator (a `StopIteration` escaping becomes
//!   `RuntimeError`, as `gen_run` does) and is raised at the `Send` below;
//! - an async generator's own yield finishes its `asend` awaitable: the value is the `Send`'s
//!   result below, and the generator is suspended (`async for` puts the async generator
//!   itself below the `Send` for its `__anext__()`, see `Vm::get_anext`);
//! - any other yield puts every delegate frame back into its generator, innermost first, each
//!   frame below waiting on its `Send` again, and the base frame yields the value; unless a
//!   frame below waits on a `ForIter`: a `for` loop over a plain generator pushes the
//!   generator's frame the same way, and takes the value as its next item (the generator's
//!   return ends the loop).
//!
//! A delegate is recognised by its code: a generator's, coroutine's or async generator's frame
//! never runs as a called frame otherwise, so one above the base of a dispatch loop was pushed
//! by `Send`, and its generator (or `asend` awaitable) is the sub-iterator on top of the frame
//! below.

use crate::compile::code::{CodeKind, Instr};
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::frame::{Frame, Frames};
use crate::vm::interp::Flow;
use crate::vm::machine::Vm;
use crate::vm::object::generator::{GenState, Generator};
use crate::vm::object::iter::{Iter, IterState};
use crate::vm::resume::pending_anext;
use crate::vm::value::Value;
use std::rc::Rc;

/// Whether `frame` runs the body of a generator that `Send` may push.
#[inline]
pub(crate) fn is_delegate_code(frame: &Frame) -> bool {
    frame.code.obj.is_generator_like()
}

/// What `Send` pushes a frame for: a plain generator or coroutine, or the `asend` awaitable of
/// an async generator, not yet done (`async for`'s `__anext__()` is the async generator
/// itself, see `Vm::get_anext`). A green thread, a native-bodied coroutine, an `athrow`
/// awaitable and every other iterator keep their own protocol.
pub(crate) enum Delegate {
    Gen(Rc<Generator>),
    Asend(Rc<Iter>, Rc<Generator>),
}

#[inline]
pub(crate) fn delegate_of(sub: Option<&Value>) -> Option<Delegate> {
    match sub {
        Some(Value::Generator(g)) if g.is_plain() => Some(Delegate::Gen(g.clone())),
        Some(Value::Iter(it)) => match &*it.state.borrow() {
            IterState::AsyncSend {
                gen, done: false, ..
            } if gen.is_plain() => Some(Delegate::Asend(it.clone(), gen.clone())),
            IterState::CoroWrapper { coro } if coro.is_plain() => Some(Delegate::Gen(coro.clone())),
            _ => None,
        },
        _ => None,
    }
}

/// Whether an `asend` step of the async generator `gen` is under way: its frame is parked at
/// the `Send` of an await inside it (one suspended at its own yield is parked just after
/// the yield). Another `__anext__()`/`asend()` starting then fails, as in CPython.
pub(crate) fn anext_running(gen: &Generator) -> bool {
    gen.kind == CodeKind::AsyncGenerator
        && gen.state.get() == GenState::Suspended
        && gen.with_frame(|frame| {
            frame.is_some_and(|f| {
                matches!(f.code.obj.instrs.get(f.ip as usize), Some(Instr::Send(_)))
            })
        })
}

pub(crate) fn anext_running_error() -> Exc {
    Exc::runtime_error("anext(): asynchronous generator is already running")
}

/// Replaces the async generator on top of `cur`'s stack by the `__anext__()` awaitable it
/// stands for, started (`resume::pending_anext`); out of `yield_out`'s loop.
#[cold]
#[inline(never)]
fn start_pending_anext(cur: &mut Frame) {
    let started = cur.stack.last().and_then(pending_anext);
    if let (Some(aw), Some(top)) = (started, cur.stack.last_mut()) {
        *top = aw;
    }
}

/// The generator whose delegate frame runs above a frame whose top is `sub`.
fn delegated(sub: Option<&Value>) -> Option<Rc<Generator>> {
    match sub {
        Some(Value::Generator(g)) => Some(g.clone()),
        Some(Value::Iter(it)) => match &*it.state.borrow() {
            IterState::AsyncSend { gen, .. } => Some(gen.clone()),
            IterState::CoroWrapper { coro } => Some(coro.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Marks an `asend` awaitable finished (awaiting it again is an error).
fn finish_asend(sub: Option<&Value>) {
    if let Some(Value::Iter(it)) = sub {
        if let IterState::AsyncSend { done, .. } = &mut *it.state.borrow_mut() {
            *done = true;
        }
    }
}

/// The target of the `Send` the frame `below` waits on (its instruction pointer is past it).
#[inline]
fn send_target(below: &Frame) -> PResult<u32> {
    match below.code.obj.instrs.get(below.ip.wrapping_sub(1) as usize) {
        Some(Instr::Send(t)) => Ok(*t),
        _ => Err(Exc::internal("delegate frame not below a Send")),
    }
}

/// The loop's end, when the frame `below` waits on a `ForIter` (a `for` loop over the
/// generator whose frame runs above it) rather than a `Send`.
#[inline]
fn for_iter_target(below: &Frame) -> Option<u32> {
    match below.code.obj.instrs.get(below.ip.wrapping_sub(1) as usize) {
        Some(Instr::ForIter(t)) => Some(*t),
        _ => None,
    }
}

/// Where a yield out of a delegate frame went.
pub(crate) enum Yielded {
    /// To a `ForIter` below, whose frame is now `cur`: its loop body runs next.
    Delivered,
    /// Out of the dispatch loop: `cur` is the base frame, which yields the value.
    Out(Value),
}

// The methods the dispatch loop calls are kept out of it (`#[inline(never)]`): inlined there,
// they changed how the loop's own registers are allocated, and a call-heavy program with no
// generators (fib) ran 3-5% longer (CPU time, three alternating comparisons).
impl Vm {
    /// `Send` of `value` into a delegate: its generator's frame goes on the frame stack above
    /// `cur`.
    #[inline(never)]
    pub(crate) fn push_delegate(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        delegate: Delegate,
        value: Value,
    ) -> PResult<Flow> {
        let (gen, value) = match delegate {
            Delegate::Gen(gen) => {
                // An async generator here is a new `__anext__()` (`yield_out` leaves one that
                // has started as an awaitable).
                if anext_running(&gen) {
                    return Err(anext_running_error());
                }
                (gen, value)
            }
            Delegate::Asend(it, gen) => {
                // The awaitable sends its own value first (`None` for `__anext__()`).
                let first = match &mut *it.state.borrow_mut() {
                    IterState::AsyncSend { value: first, .. } => first.take(),
                    _ => None,
                };
                if first.is_some() && anext_running(&gen) {
                    return Err(anext_running_error());
                }
                let res = self.start_delegate(&gen, first.unwrap_or(value));
                if res.is_err() {
                    finish_asend(cur.stack.last());
                }
                return res.map(|frame| self.enter_delegate(cur, frames, frame));
            }
        };
        let frame = self.start_delegate(&gen, value)?;
        Ok(self.enter_delegate(cur, frames, frame))
    }

    /// Takes the generator's frame to run it, with `value` sent in.
    fn start_delegate(&mut self, gen: &Rc<Generator>, value: Value) -> PResult<Box<Frame>> {
        let frame = self.frame_to_send(gen, value)?;
        // As a dispatch loop of its own would: a generator that cannot start is finished.
        if let Err(e) = self.enter_call() {
            gen.state.set(GenState::Finished);
            self.recycle(frame);
            return Err(e);
        }
        gen.state.set(GenState::Running);
        Ok(frame)
    }

    fn enter_delegate(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        mut frame: Box<Frame>,
    ) -> Flow {
        frame.set_saved_exc(self.handling.clone());
        // A generator resuming inside an `except` block handles its own exception again.
        let own = frame.take_suspended_exc();
        if !own.is_none() {
            self.handling = own;
        }
        frames.push(std::mem::replace(cur, frame));
        Flow::Switch
    }

    /// The delegate `cur` returned `v`: the frame below takes it as its `Send`'s result (an
    /// async generator's return ends the iteration instead).
    #[inline(never)]
    pub(crate) fn return_from_delegate(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        v: Value,
    ) -> PResult<Flow> {
        let Some(below) = frames.pop() else {
            return Err(Exc::internal("delegate frame without a caller"));
        };
        let mut done = std::mem::replace(cur, below);
        self.depth -= 1;
        if done.has_saved_exc() || !self.handling.is_none() {
            self.handling = done.take_saved_exc();
        }
        let async_gen = done.code.obj.kind == CodeKind::AsyncGenerator;
        self.recycle(done);
        if let Some(gen) = delegated(cur.stack.last()) {
            gen.state.set(GenState::Finished);
        }
        if async_gen {
            finish_asend(cur.stack.last());
            return Err(Exc::new(ExcKind::StopAsyncIteration, ""));
        }
        if let Some(end) = for_iter_target(cur) {
            // The generator is exhausted: the loop over it ends.
            cur.stack.pop();
            cur.ip = end;
            return Ok(Flow::Switch);
        }
        let target = send_target(cur)?;
        cur.stack.pop();
        cur.push(v);
        cur.ip = target;
        Ok(Flow::Switch)
    }

    /// An async generator's own yield of `v` from the delegate `cur`: the generator is
    /// suspended, and its `asend` awaitable is done with `v` as the `Send`'s result below.
    #[inline(never)]
    pub(crate) fn asend_yield(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        v: Value,
    ) -> PResult<Flow> {
        self.async_own_yield = false;
        let Some(below) = frames.pop() else {
            return Err(Exc::internal("delegate frame without a caller"));
        };
        let own = std::mem::replace(&mut self.handling, cur.saved_exc());
        cur.set_suspended_exc(own);
        let done = std::mem::replace(cur, below);
        self.depth -= 1;
        let target = send_target(cur)?;
        let sub = cur.stack.pop();
        if let Some(gen) = delegated(sub.as_ref()) {
            gen.put_frame(done);
            gen.state.set(GenState::Suspended);
        }
        finish_asend(sub.as_ref());
        cur.push(v);
        cur.ip = target;
        Ok(Flow::Switch)
    }

    /// The delegate that ran above `cur` was left by `exc`: its generator is finished (and
    /// an `asend` awaitable done), and the exception to raise at the `Send` is returned.
    #[inline(never)]
    pub(crate) fn raise_from_delegate(&mut self, cur: &Frame, exc: Value) -> Value {
        let sub = cur.stack.last();
        finish_asend(sub);
        match delegated(sub) {
            Some(gen) => {
                gen.state.set(GenState::Finished);
                self.escaping(&gen, exc)
            }
            None => exc,
        }
    }

    /// A yield of `v` leaves `cur`: every delegate frame goes back into its generator,
    /// innermost first, the one below waiting on its `Send` again, until a frame below waits
    /// on a `ForIter` (it takes `v` as its loop's next item) or `cur` is the base frame of the
    /// dispatch loop (which the caller then suspends, yielding `v`). Each frame keeps the
    /// exception it was handling for its resumption.
    #[inline(never)]
    pub(crate) fn yield_out(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        v: Value,
    ) -> PResult<Yielded> {
        while let Some(below) = frames.pop() {
            if !is_delegate_code(cur) {
                frames.push(below);
                return Err(Exc::internal("yield in a called frame"));
            }
            let own = std::mem::replace(&mut self.handling, cur.saved_exc());
            cur.set_suspended_exc(own);
            let done = std::mem::replace(cur, below);
            self.depth -= 1;
            match delegated(cur.stack.last()) {
                Some(gen) => {
                    gen.put_frame(done);
                    gen.state.set(GenState::Suspended);
                }
                None => return Err(Exc::internal("delegate frame not below a Send")),
            }
            // `async for`'s `__anext__()` has started: the frame below keeps it as an
            // awaitable, so resuming it is not taken for a second one (`anext_running`).
            if matches!(cur.stack.last(), Some(Value::Generator(g)) if g.kind == CodeKind::AsyncGenerator)
            {
                start_pending_anext(cur);
            }
            if for_iter_target(cur).is_some() {
                // A `for` loop over the generator takes the value as its next item.
                cur.push(v);
                return Ok(Yielded::Delivered);
            }
            // Resumed, the frame below runs its `Send` again with the value sent in.
            cur.ip = cur.ip.saturating_sub(1);
        }
        Ok(Yielded::Out(v))
    }

    /// `ForIter` (loop end `end`) over a generator on top of `cur`'s stack. A plain generator
    /// that can run has its frame pushed above `cur`, as `Send` pushes a delegate: its yield is
    /// the loop's next item, its return ends the loop. Any other (running, finished, a green
    /// thread's) is stepped as every iterator is.
    #[inline(never)]
    pub(crate) fn for_iter_generator(
        &mut self,
        cur: &mut Box<Frame>,
        frames: &mut Frames,
        end: u32,
    ) -> PResult<Flow> {
        let Some(Value::Generator(gen)) = cur.stack.last() else {
            return Err(Exc::internal("ForIter without its generator"));
        };
        let gen = gen.clone();
        if gen.is_plain()
            && gen.kind == CodeKind::Generator
            && matches!(gen.state.get(), GenState::Created | GenState::Suspended)
        {
            let frame = self.start_delegate(&gen, Value::None)?;
            return Ok(self.enter_delegate(cur, frames, frame));
        }
        match self.next(&Value::Generator(gen))? {
            Some(v) => {
                cur.push(v);
                Ok(Flow::Next)
            }
            None => {
                cur.stack.pop();
                cur.ip = end;
                Ok(Flow::Switch)
            }
        }
    }

    /// The exception a generator's caller sees when `exc` leaves the generator's frame: a
    /// `StopIteration` (or an async generator's `StopAsyncIteration`) becomes `RuntimeError`,
    /// as PEP 479 has it.
    pub(crate) fn escaping(&mut self, gen: &Generator, exc: Value) -> Value {
        let bad = if self.exc_is(&exc, ExcKind::StopIteration) {
            "raised StopIteration"
        } else if gen.kind == CodeKind::AsyncGenerator
            && self.exc_is(&exc, ExcKind::StopAsyncIteration)
        {
            "raised StopAsyncIteration"
        } else {
            return exc;
        };
        let what = gen.type_name().replace('_', " ");
        let err = self.exc_value(Exc::runtime_error(format!("{what} {bad}")));
        if let Value::Instance(inst) = &err {
            if let Some(d) = &inst.exc {
                *d.cause.borrow_mut() = exc.clone();
                *d.context.borrow_mut() = exc;
                d.suppress_context.set(true);
            }
        }
        err
    }
}
