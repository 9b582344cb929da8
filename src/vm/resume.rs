//! Resuming generators and coroutines from native code: `send`, `throw`, `close`, and `Send`'s
//! delegation to a sub-iterator that is not a plain generator (a native awaitable, an
//! `athrow`, an object with `send`). A resumed frame runs in its own dispatch loop
//! (`Vm::execute`) and comes back here when it yields, returns or raises; a yield from the
//! innermost of a chain of `await`s travels outward through every delegating frame, each
//! staying on its `Send`. (`Send` into a plain generator, coroutine or `asend` pushes the
//! sub-generator's frame on the running loop instead: `vm/delegate.rs`.)

use crate::compile::code::{CodeKind, Instr};
use crate::vm::delegate::{anext_running, anext_running_error};
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::frame::Frame;
use crate::vm::green::GreenState;
use crate::vm::halt::Halt;
use crate::vm::machine::Vm;
use crate::vm::object::function::Args;
use crate::vm::object::generator::{GenState, Generator, Resume};
use crate::vm::object::iter::{Iter, IterKind, IterState};
use crate::vm::value::Value;
use std::rc::Rc;

pub enum GenResult {
    Yield(Value),
    Return(Value),
}

/// The step of an async generator's `asend`/`athrow` awaitable still to run.
enum AsyncStep {
    Send(Rc<Generator>, Value),
    Throw(Rc<Generator>, Exc, bool),
}

impl Vm {
    /// The generator, coroutine or async generator that runs `frame`, just bound by a call
    /// of its function; a native-bodied coroutine (`NativeBody`) takes the bound arguments
    /// out of the frame, which goes back to the pool.
    pub(crate) fn new_generator(&mut self, mut frame: Box<Frame>) -> Value {
        if frame.code.native.get().is_none() {
            return Generator::new_value(frame);
        }
        let mut values = std::array::from_fn(|_| Value::None);
        for (value, slot) in values.iter_mut().zip(frame.stack.iter_mut()) {
            *value = std::mem::replace(slot, Value::Null);
        }
        let code = frame.code.clone();
        self.recycle(frame);
        Generator::new_native(code, values)
    }

    /// Resumes a native-bodied coroutine (`gen_send` and `gen_throw` for one): the checks a
    /// frame's coroutine makes (`resumable`, `just_started_error`), then the body's step.
    fn native_resume(&mut self, gen: &Rc<Generator>, how: Resume) -> PResult<GenResult> {
        let (Some(body), Some(step)) = (gen.native(), gen.code.native.get()) else {
            return Err(Exc::internal("not a native coroutine"));
        };
        let state = gen.state.get();
        let how = match how {
            // As `gen_throw`: nothing runs; one not started is finished.
            Resume::Throw(exc) if matches!(state, GenState::Created | GenState::Finished) => {
                gen.state.set(GenState::Finished);
                return Err(exc);
            }
            Resume::Send(v) if state == GenState::Created && !v.is_none() => {
                return Err(just_started_error(gen));
            }
            how => how,
        };
        resumable(gen)?;
        gen.state.set(GenState::Running);
        let res = step(self, gen, body, how);
        let next = match res {
            Ok(GenResult::Yield(_)) => GenState::Suspended,
            _ => GenState::Finished,
        };
        gen.state.set(next);
        res
    }

    pub(crate) fn gen_start(
        &mut self,
        gen: &Rc<Generator>,
    ) -> PResult<Box<crate::vm::frame::Frame>> {
        resumable(gen)?;
        let frame = gen.take_frame();
        frame.ok_or_else(|| Exc::internal("generator without a frame"))
    }

    /// Runs the generator's frame after `prepare` set it up, and files the outcome.
    fn gen_run(
        &mut self,
        gen: &Rc<Generator>,
        frame: Box<crate::vm::frame::Frame>,
        throw: Option<Exc>,
    ) -> PResult<GenResult> {
        gen.state.set(GenState::Running);
        let mut thread_context = None;
        let (halt, frame) = match gen.green() {
            Some(green) => {
                let (callers, context) = {
                    let mut state = green.borrow_mut();
                    (std::mem::take(&mut state.callers), state.context.take())
                };
                let outer = self.context.clone();
                if context.is_some() {
                    self.context = context;
                }
                let res = self.run_green(frame, callers, throw);
                thread_context = std::mem::replace(&mut self.context, outer);
                res
            }
            None => self.execute(frame, throw),
        };
        match halt {
            Halt::Suspended {
                request,
                callers,
                push_on_resume,
            } => {
                gen.put_frame(frame);
                if let Some(green) = gen.green() {
                    *green.borrow_mut() = GreenState {
                        callers,
                        push_on_resume,
                        context: thread_context,
                    };
                }
                gen.state.set(GenState::Suspended);
                Ok(GenResult::Yield(request))
            }
            Halt::Yielded(v) => {
                gen.put_frame(frame);
                gen.state.set(GenState::Suspended);
                Ok(GenResult::Yield(v))
            }
            Halt::Returned(v) => {
                gen.state.set(GenState::Finished);
                self.recycle(frame);
                Ok(GenResult::Return(v))
            }
            Halt::Raised(e) => {
                gen.state.set(GenState::Finished);
                self.recycle(frame);
                Err(Exc::value(self.escaping(gen, e)))
            }
        }
    }

    /// `gen.send(value)` (`next(gen)` is `send(None)`).
    pub fn gen_send(&mut self, gen: &Rc<Generator>, value: Value) -> PResult<GenResult> {
        if gen.native().is_some() {
            return self.native_resume(gen, Resume::Send(value));
        }
        let frame = self.frame_to_send(gen, value)?;
        self.gen_run(gen, frame, None)
    }

    /// Takes the generator's frame to resume it with `value` sent in (pushed where the frame
    /// waits for it; a just-started generator takes only `None`).
    #[inline(always)]
    pub(crate) fn frame_to_send(
        &mut self,
        gen: &Rc<Generator>,
        value: Value,
    ) -> PResult<Box<crate::vm::frame::Frame>> {
        let was = gen.state.get();
        let mut frame = self.gen_start(gen)?;
        if was == GenState::Created {
            if !value.is_none() {
                gen.put_frame(frame);
                return Err(just_started_error(gen));
            }
        } else if gen
            .green()
            .is_none_or(|green| green.borrow().push_on_resume)
        {
            frame.stack.push(value);
        }
        Ok(frame)
    }

    /// `gen.throw(exc)`: raised where the generator is suspended; a frame waiting in `Send`
    /// passes it to its sub-iterator first.
    pub fn gen_throw(&mut self, gen: &Rc<Generator>, exc: Exc) -> PResult<GenResult> {
        if gen.native().is_some() {
            return self.native_resume(gen, Resume::Throw(exc));
        }
        if gen.state.get() == GenState::Created {
            gen.state.set(GenState::Finished);
            drop(gen.take_frame());
            return Err(exc);
        }
        if gen.state.get() == GenState::Finished {
            return Err(exc);
        }
        let mut frame = self.gen_start(gen)?;
        let at_send = match frame.code.obj.instrs.get(frame.at()) {
            Some(Instr::Send(target)) => Some(*target),
            _ => None,
        };
        let Some(target) = at_send else {
            return self.gen_run(gen, frame, Some(exc));
        };
        let mut sub = frame.stack.last().cloned().unwrap_or(Value::None);
        // `async for`'s pending `__anext__()` becomes an awaitable that has started, which
        // the frame keeps if the throw suspends it.
        if let Some(aw) = pending_anext(&sub) {
            if let Some(top) = frame.stack.last_mut() {
                *top = aw.clone();
            }
            sub = aw;
        }
        gen.state.set(GenState::Running);
        let res = self.throw_into(&sub, exc);
        match res {
            Ok(GenResult::Yield(v)) => {
                gen.put_frame(frame);
                gen.state.set(GenState::Suspended);
                Ok(GenResult::Yield(v))
            }
            Ok(GenResult::Return(r)) => {
                frame.stack.pop();
                frame.stack.push(r);
                frame.ip = target;
                self.gen_run(gen, frame, None)
            }
            Err(e) => {
                frame.stack.pop();
                frame.ip += 1;
                self.gen_run(gen, frame, Some(e))
            }
        }
    }

    /// Throws into whatever a `Send` delegates to.
    pub(crate) fn throw_into(&mut self, sub: &Value, exc: Exc) -> PResult<GenResult> {
        if let Some(coro) = wrapped_coroutine(sub) {
            return self.gen_throw(&coro, exc);
        }
        if let Value::Iter(it) = sub {
            // A native awaitable has no handler: the exception is raised where it waits, and
            // the iterator is finished, as a generator would be.
            if let IterState::NativeAwait { stage, .. } = &mut *it.state.borrow_mut() {
                *stage = u32::MAX;
                return Err(exc);
            }
        }
        let exc = match self.async_step_throw(sub, exc) {
            Ok(res) => return res,
            Err(exc) => exc,
        };
        match sub {
            Value::Generator(g) => {
                let g = g.clone();
                self.gen_throw(&g, exc)
            }
            _ => {
                let Ok(throw) = self.get_attr_str(sub, "throw") else {
                    return Err(exc);
                };
                let exc = self.exc_value(exc);
                match self.call(&throw, &[exc]) {
                    Ok(v) => Ok(GenResult::Yield(v)),
                    Err(e) => self.stop_to_return(e),
                }
            }
        }
    }

    /// Closes the generators dropped while suspended in a `try`/`with` block
    /// (`generator::take_to_close`), oldest first, with no exception being handled: their
    /// `finally` blocks and `__exit__` methods run now. An exception out of one is reported
    /// as CPython reports it ("Exception ignored in: ...") and the rest still run.
    #[cold]
    #[inline(never)]
    pub fn run_finalizers(&mut self) {
        let outer = std::mem::replace(&mut self.handling, Value::None);
        loop {
            let frames = crate::vm::object::generator::take_to_close();
            if frames.is_empty() {
                break;
            }
            for frame in frames {
                let gen = Generator::suspended(frame);
                if let Err(e) = self.gen_close(&gen) {
                    let exc = self.exc_value(e);
                    let what = self
                        .repr(&Value::Generator(gen.clone()))
                        .unwrap_or_default();
                    let tb = self.build_traceback(&exc);
                    let text = crate::diagnostics::render_traceback_plain(&tb);
                    self.write_err(&format!("Exception ignored in: {what}\n{text}"));
                }
            }
        }
        self.handling = outer;
    }

    /// `gen.close()`.
    pub fn gen_close(&mut self, gen: &Rc<Generator>) -> PResult<()> {
        match gen.state.get() {
            GenState::Finished => return Ok(()),
            GenState::Created => {
                gen.state.set(GenState::Finished);
                drop(gen.take_frame());
                return Ok(());
            }
            _ => {}
        }
        match self.gen_throw(gen, Exc::new(ExcKind::GeneratorExit, "")) {
            Ok(GenResult::Yield(_)) => Err(Exc::runtime_error(format!(
                "{} ignored GeneratorExit",
                gen.type_name()
            ))),
            Ok(GenResult::Return(_)) => Ok(()),
            Err(e)
                if self.exc_matches(&e, ExcKind::GeneratorExit)
                    || self.exc_matches(&e, ExcKind::StopIteration) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// `StopIteration(v)` from an iterator protocol call becomes a return of `v`.
    fn stop_to_return(&mut self, e: Exc) -> PResult<GenResult> {
        if !self.exc_matches(&e, ExcKind::StopIteration) {
            return Err(e);
        }
        let e = self.exc_value(e);
        let value = self.exc_args(&e).into_iter().next().unwrap_or(Value::None);
        Ok(GenResult::Return(value))
    }

    /// Sends `value` into a native awaitable's iterator. The state is copied out and written
    /// back, so no borrow is held while the step runs (it may run apy code).
    pub fn native_await_send(&mut self, it: &Iter, value: Value) -> PResult<GenResult> {
        let (target, mut stage, step) = match &*it.state.borrow() {
            IterState::NativeAwait {
                target,
                stage,
                step,
            } => (target.clone(), *stage, *step),
            _ => return Err(Exc::internal("not a native awaitable")),
        };
        let res = step(self, &target, &mut stage, value);
        if let IterState::NativeAwait { stage: at, .. } = &mut *it.state.borrow_mut() {
            *at = stage;
        }
        res
    }

    /// One step of `Send`: sends `value` into `sub`.
    pub fn send_into(&mut self, sub: &Value, value: Value) -> PResult<GenResult> {
        if let Some(coro) = wrapped_coroutine(sub) {
            return self.gen_send(&coro, value);
        }
        if let Value::Iter(it) = sub {
            if matches!(&*it.state.borrow(), IterState::NativeAwait { .. }) {
                let it = it.clone();
                return self.native_await_send(&it, value);
            }
        }
        if let Some(res) = self.async_step(sub, Some(value.clone()), None) {
            return res;
        }
        match sub {
            Value::Generator(g) => {
                let g = g.clone();
                self.gen_send(&g, value)
            }
            Value::Iter(_) if value.is_none() => match self.next(sub)? {
                Some(v) => Ok(GenResult::Yield(v)),
                None => Ok(GenResult::Return(Value::None)),
            },
            _ => {
                let res = if value.is_none() {
                    self.call_method(sub, "__next__", &[])
                } else {
                    self.call_method(sub, "send", &[value])
                };
                match res {
                    Ok(v) => Ok(GenResult::Yield(v)),
                    Err(e) => self.stop_to_return(e),
                }
            }
        }
    }

    /// Throws into an async generator awaitable; gives the exception back for other kinds.
    fn async_step_throw(&mut self, sub: &Value, exc: Exc) -> Result<PResult<GenResult>, Exc> {
        match sub {
            Value::Iter(it)
                if matches!(
                    &*it.state.borrow(),
                    IterState::AsyncSend { .. } | IterState::AsyncThrow { .. }
                ) =>
            {
                let gen = match &*it.state.borrow() {
                    IterState::AsyncSend { gen, .. } | IterState::AsyncThrow { gen, .. } => {
                        gen.clone()
                    }
                    _ => return Err(exc),
                };
                let res = self.gen_throw(&gen, exc);
                Ok(self.finish_async_step(it, res, false))
            }
            _ => Err(exc),
        }
    }

    /// Drives an async generator's `asend`/`athrow` awaitable one step; `None` for other kinds.
    fn async_step(
        &mut self,
        sub: &Value,
        value: Option<Value>,
        _unused: Option<()>,
    ) -> Option<PResult<GenResult>> {
        if let Some(aw) = pending_anext(sub) {
            return self.async_step(&aw, value, None);
        }
        let Value::Iter(it) = sub else { return None };
        let step = {
            let mut state = it.state.borrow_mut();
            match &mut *state {
                IterState::AsyncSend {
                    gen,
                    value: first,
                    done,
                } => {
                    if *done {
                        return Some(Err(Exc::runtime_error(
                            "cannot reuse already awaited __anext__()/asend()",
                        )));
                    }
                    if first.is_some() && anext_running(gen) {
                        return Some(Err(anext_running_error()));
                    }
                    let v = first
                        .take()
                        .unwrap_or_else(|| value.clone().unwrap_or(Value::None));
                    AsyncStep::Send(gen.clone(), v)
                }
                IterState::AsyncThrow {
                    gen,
                    exc,
                    closing,
                    done,
                } => {
                    if *done {
                        return Some(Err(Exc::runtime_error(
                            "cannot reuse already awaited aclose()/athrow()",
                        )));
                    }
                    if exc.is_some() && anext_running(gen) {
                        let what = if *closing { "aclose" } else { "athrow" };
                        return Some(Err(Exc::runtime_error(format!(
                            "{what}(): asynchronous generator is already running"
                        ))));
                    }
                    match exc.take() {
                        Some(e) => AsyncStep::Throw(gen.clone(), Exc::value(e), *closing),
                        None => AsyncStep::Send(gen.clone(), value.clone().unwrap_or(Value::None)),
                    }
                }
                _ => return None,
            }
        };
        let (res, closing) = match step {
            AsyncStep::Send(gen, v) => (self.gen_send(&gen, v), false),
            AsyncStep::Throw(gen, e, closing) => (self.gen_throw(&gen, e), closing),
        };
        Some(self.finish_async_step(it, res, closing))
    }

    /// Maps an async generator's step to the awaitable's: its own yields finish the
    /// awaitable, inner awaits pass through, and its end is `StopAsyncIteration`.
    fn finish_async_step(
        &mut self,
        it: &Rc<Iter>,
        res: PResult<GenResult>,
        closing: bool,
    ) -> PResult<GenResult> {
        // Whether a yield is the generator's own (`AsyncGenWrap` just ran) or passed through.
        let own = std::mem::take(&mut self.async_own_yield);
        let closing = closing
            || matches!(
                &*it.state.borrow(),
                IterState::AsyncThrow { closing: true, .. }
            );
        let mark_done = |it: &Rc<Iter>| match &mut *it.state.borrow_mut() {
            IterState::AsyncSend { done, .. } | IterState::AsyncThrow { done, .. } => *done = true,
            _ => {}
        };
        match res {
            Ok(GenResult::Yield(_)) if own && closing => {
                mark_done(it);
                Err(Exc::runtime_error("async generator ignored GeneratorExit"))
            }
            Ok(GenResult::Yield(v)) if own => {
                mark_done(it);
                Ok(GenResult::Return(v))
            }
            Ok(GenResult::Yield(v)) => Ok(GenResult::Yield(v)),
            Ok(GenResult::Return(_)) => {
                mark_done(it);
                if closing {
                    return Ok(GenResult::Return(Value::None));
                }
                Err(Exc::new(ExcKind::StopAsyncIteration, ""))
            }
            Err(e) => {
                mark_done(it);
                if closing
                    && (self.exc_matches(&e, ExcKind::GeneratorExit)
                        || self.exc_matches(&e, ExcKind::StopAsyncIteration))
                {
                    return Ok(GenResult::Return(Value::None));
                }
                Err(e)
            }
        }
    }

    /// `agen.__anext__()`, `agen.asend(v)`, `agen.athrow(e)`, `agen.aclose()` awaitables.
    pub fn async_gen_awaitable(
        &mut self,
        gen: &Rc<Generator>,
        send: Option<Value>,
        throw: Option<Value>,
        closing: bool,
    ) -> Value {
        if throw.is_some() || closing {
            let exc = match throw {
                Some(e) => e,
                None => self.new_exception(ExcKind::GeneratorExit, Vec::new()),
            };
            let state = IterState::AsyncThrow {
                gen: gen.clone(),
                exc: Some(exc),
                closing,
                done: false,
            };
            return Iter::new_value(state, IterKind::AsyncGenAthrow);
        }
        let state = IterState::AsyncSend {
            gen: gen.clone(),
            value: Some(send.unwrap_or(Value::None)),
            done: false,
        };
        Iter::new_value(state, IterKind::AsyncGenAsend)
    }

    /// `GetAwaitable`: a coroutine as is, else `__await__()`.
    pub fn get_awaitable(&mut self, v: Value) -> PResult<Value> {
        if let Value::Iter(it) = &v {
            if matches!(
                &*it.state.borrow(),
                IterState::AsyncSend { .. } | IterState::AsyncThrow { .. }
            ) {
                return Ok(v);
            }
        }
        if let Value::Generator(g) = &v {
            if g.kind == CodeKind::Coroutine {
                if g.state.get() == GenState::Finished {
                    return Err(Exc::runtime_error("cannot reuse already awaited coroutine"));
                }
                return Ok(v);
            }
        }
        let cls = self.class_of(&v);
        match cls.lookup_special("__await__") {
            Some(method) => {
                let it = match &method {
                    // What binding would make of them: the awaitable comes first.
                    Value::Native(_) | Value::Function(_) => {
                        self.call_args(&method, Args::new(std::slice::from_ref(&v)))?
                    }
                    _ => {
                        let bound = self.bind_descriptor(&method, &v, &cls)?;
                        self.call_args(&bound, Args::new(&[]))?
                    }
                };
                self.check_await_iterator(&it)?;
                if let Value::Generator(g) = &it {
                    if g.kind == CodeKind::Coroutine {
                        return Err(Exc::type_error("__await__() returned a coroutine"));
                    }
                }
                Ok(it)
            }
            None => Err(Exc::type_error(format!(
                "object {} can't be used in 'await' expression",
                cls.name()
            ))),
        }
    }
}

/// The coroutine of a `coroutine_wrapper` (`coro.__await__()`).
/// The error of resuming a generator that is running or finished.
fn resumable(gen: &Generator) -> PResult<()> {
    match gen.state.get() {
        GenState::Running => Err(Exc::value_error(format!(
            "{} already executing",
            gen.type_name()
        ))),
        GenState::Finished => Err(match gen.kind {
            CodeKind::Coroutine => Exc::runtime_error("cannot reuse already awaited coroutine"),
            // An exhausted async generator's `asend` awaitable ends the iteration.
            CodeKind::AsyncGenerator => Exc::new(ExcKind::StopAsyncIteration, ""),
            _ => Exc::stop_iteration(),
        }),
        _ => Ok(()),
    }
}

/// The error of sending a value other than `None` into a generator not started.
fn just_started_error(gen: &Generator) -> Exc {
    Exc::type_error(format!(
        "can't send non-None value to a just-started {}",
        gen.type_name().replace('_', " ")
    ))
}

fn wrapped_coroutine(v: &Value) -> Option<Rc<Generator>> {
    match v {
        Value::Iter(it) => it.wrapped_coroutine(),
        _ => None,
    }
}

/// For an async generator below a `Send` (`async for`'s `__anext__()`, see `Vm::get_anext`),
/// the awaitable it stands for once its step has started and cannot finish on the dispatch
/// loop's frame stack (the frames are suspended, or a throw comes in): not done, with its
/// first value already sent.
pub(crate) fn pending_anext(sub: &Value) -> Option<Value> {
    match sub {
        Value::Generator(gen) if gen.kind == CodeKind::AsyncGenerator => {
            let state = IterState::AsyncSend {
                gen: gen.clone(),
                value: None,
                done: false,
            };
            Some(Iter::new_value(state, IterKind::AsyncGenAsend))
        }
        _ => None,
    }
}
