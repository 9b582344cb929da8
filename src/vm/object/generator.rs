//! `Generator`: one kind for generators, coroutines and async generators. It holds the
//! suspended frame between resumptions; `vm::resume` moves the frame into a dispatch loop and
//! back. `running` guards against re-entrance ("generator already executing"). A coroutine
//! whose function has a native body (`NativeBody`, asyncio's `sleep`) has no frame: its
//! resumptions run native code.

use crate::compile::code::CodeKind;
use crate::vm::exception::{Exc, PResult};
use crate::vm::frame::{Frame, Frames};
use crate::vm::gc::{self, GcHeader, Trace, Visit};
use crate::vm::green::GreenState;
use crate::vm::machine::Vm;
use crate::vm::object::function::Code;
use crate::vm::object::origin::{self, Origin};
use crate::vm::resume::GenResult;
use crate::vm::value::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GenState {
    Created,
    Suspended,
    Running,
    Finished,
}

pub struct Generator {
    pub kind: CodeKind,
    /// The code it runs: its name and where it was defined outlive the frame.
    pub code: Rc<Code>,
    /// The frame while the generator is suspended (or not started); `None` while it runs and
    /// once it finished. A `Cell`, not a `RefCell` (`take_frame`, `put_frame`, `with_frame`):
    /// a word fewer, one allocator size class smaller per generator.
    frame: Cell<Option<Box<Frame>>>,
    pub state: Cell<GenState>,
    /// Where the call that made it ran (the caller's code and instruction, numbered by
    /// `object::origin`), when the dispatch loop made it: the "created at" of tasks, and the
    /// place a never-awaited coroutine is reported at.
    origin: Cell<Origin>,
    /// What a green thread or a native-bodied coroutine keeps besides (or instead of) the
    /// frame; `None` for every other generator.
    extra: Option<Box<Extra>>,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

/// A generator's out-of-line part, for the two kinds that have one.
enum Extra {
    /// A green thread (`vm::green`): the frames below the innermost one while it is
    /// suspended (boxed again, so that a native body's block stays small).
    Green(Box<RefCell<GreenState>>),
    /// A coroutine whose body is native code (`NativeBody`): it has no frame.
    Native(NativeBody),
}

/// One resumption of a native body: a value sent in, or an exception thrown in.
pub enum Resume {
    Send(Value),
    Throw(Exc),
}

/// The body of a native-bodied coroutine, run for each resumption after `Vm::native_resume`
/// checked the states, as for a frame.
pub type NativeStep = fn(&mut Vm, &Rc<Generator>, &NativeBody, Resume) -> PResult<GenResult>;

/// A coroutine function whose code has a native step (`Code::native`, asyncio's `sleep`) is
/// called like any other, its arguments bound into a frame with the usual checks and
/// messages; its coroutine then keeps those bound arguments here instead of the frame, and
/// each resumption runs the step. (A sleeping task's `sleep` thus holds one 32-byte block,
/// not a frame of 64 bytes and its buffer of slots.) `Cell`s, not a `RefCell`: a word less.
pub struct NativeBody {
    /// The bound arguments (the first locals of the frame the call made), then whatever the
    /// step keeps in their place: the first value itself while the others are `None`
    /// (`sleep(delay)`), else a tuple of them all (`packed`), so that the body takes one
    /// value's room.
    first: Cell<Value>,
    packed: Cell<bool>,
    /// The step's own progress.
    stage: Cell<u16>,
    /// Which `await` of the code's body (0 for the first) the coroutine is suspended at, in
    /// reprs and `:tasks` (the body the native step stands for).
    at_await: Cell<u16>,
}

/// How many locals a code with a native body may have.
pub const NATIVE_VALUES: usize = 2;

impl NativeBody {
    fn new(values: [Value; NATIVE_VALUES]) -> NativeBody {
        let packed = values.iter().skip(1).any(|v| !matches!(v, Value::None));
        let first = if packed {
            Value::tuple(values.to_vec())
        } else {
            let [first, ..] = values;
            first
        };
        NativeBody {
            first: Cell::new(first),
            packed: Cell::new(packed),
            stage: Cell::new(0),
            at_await: Cell::new(0),
        }
    }

    /// A copy of `first`.
    fn first(&self) -> Value {
        let v = self.first.replace(Value::None);
        let copy = v.clone();
        self.first.set(v);
        copy
    }

    /// Value `i` (`None` past the end).
    pub fn value(&self, i: usize) -> Value {
        match (self.packed.get(), self.first()) {
            (true, Value::Tuple(t)) => t.items.get(i).cloned().unwrap_or(Value::None),
            (false, first) if i == 0 => first,
            _ => Value::None,
        }
    }

    pub fn set_value(&self, i: usize, v: Value) {
        if i >= NATIVE_VALUES {
            return;
        }
        if !self.packed.get() {
            if i == 0 {
                drop(self.first.replace(v));
                return;
            }
            if matches!(v, Value::None) {
                return;
            }
        }
        let mut values: Vec<Value> = (0..NATIVE_VALUES).map(|k| self.value(k)).collect();
        if let Some(slot) = values.get_mut(i) {
            *slot = v;
        }
        self.packed.set(true);
        drop(self.first.replace(Value::tuple(values)));
    }

    pub fn stage(&self) -> u16 {
        self.stage.get()
    }

    pub fn set_stage(&self, stage: u16) {
        self.stage.set(stage);
    }

    pub fn at_await(&self) -> u16 {
        self.at_await.get()
    }

    pub fn set_at_await(&self, at: u16) {
        self.at_await.set(at);
    }

    fn trace(&self, visit: &mut Visit) {
        let v = self.first.replace(Value::None);
        gc::visit_value(&v, visit);
        self.first.set(v);
    }

    fn clear(&self) {
        self.packed.set(false);
        drop(self.first.replace(Value::None));
    }
}

impl Generator {
    pub fn new_value(frame: Box<Frame>) -> Value {
        Generator::build(frame, None)
    }

    /// A green thread (see `vm::green`) that starts by running `frame`.
    pub fn new_green(frame: Box<Frame>) -> Value {
        let green = Extra::Green(Box::default());
        Generator::build(frame, Some(Box::new(green)))
    }

    /// A coroutine of `code` (which has a native step) with the arguments a call bound. It
    /// is tracked by the collector only if they could hold a cycle (`sleep(1.0)`'s float and
    /// `None` cannot); a step that keeps an object later tracks it then (`track_native`).
    pub fn new_native(code: Rc<Code>, values: [Value; NATIVE_VALUES]) -> Value {
        let track = values.iter().any(gc::may_hold);
        let body = NativeBody::new(values);
        let gen = Generator::untracked(code, None, Some(Box::new(Extra::Native(body))));
        if track {
            gc::track(&gen);
        }
        Value::Generator(gen)
    }

    /// Tracks a native-bodied coroutine whose step now keeps an object (tracking twice is
    /// harmless: a collection counts each object once).
    pub fn track_native(gen: &Rc<Generator>) {
        gc::track(gen);
    }

    fn build(frame: Box<Frame>, extra: Option<Box<Extra>>) -> Value {
        Generator::make(frame.code.clone(), Some(frame), extra)
    }

    fn make(code: Rc<Code>, frame: Option<Box<Frame>>, extra: Option<Box<Extra>>) -> Value {
        let gen = Generator::untracked(code, frame, extra);
        gc::track(&gen);
        Value::Generator(gen)
    }

    fn untracked(
        code: Rc<Code>,
        frame: Option<Box<Frame>>,
        extra: Option<Box<Extra>>,
    ) -> Rc<Generator> {
        Rc::new(Generator {
            gc: Default::default(),
            kind: code.obj.kind,
            code,
            frame: Cell::new(frame),
            state: Cell::new(GenState::Created),
            origin: Cell::new(origin::NONE),
            extra,
        })
    }

    /// A green thread's suspended state (`None` for every other generator).
    #[inline]
    pub fn green(&self) -> Option<&RefCell<GreenState>> {
        match self.extra.as_deref() {
            Some(Extra::Green(green)) => Some(green),
            _ => None,
        }
    }

    /// The native body of a native-bodied coroutine.
    #[inline]
    pub fn native(&self) -> Option<&NativeBody> {
        match self.extra.as_deref() {
            Some(Extra::Native(body)) => Some(body),
            _ => None,
        }
    }

    /// Whether the generator runs a frame of its own that `Send` may push (not a green
    /// thread, not a native body).
    #[inline]
    pub fn is_plain(&self) -> bool {
        self.extra.is_none()
    }

    /// Takes the frame out (to run it, or because the generator finished).
    pub fn take_frame(&self) -> Option<Box<Frame>> {
        self.frame.take()
    }

    /// Puts the (suspended) frame back.
    pub fn put_frame(&self, frame: Box<Frame>) {
        drop(self.frame.replace(Some(frame)));
    }

    /// `look` at the frame, if the generator holds one; nothing it calls may run the
    /// generator (the frame is out of its place meanwhile).
    pub fn with_frame<R>(&self, look: impl FnOnce(Option<&Frame>) -> R) -> R {
        let frame = self.frame.take();
        let res = look(frame.as_deref());
        self.frame.set(frame);
        res
    }

    /// Records where the call that made it ran.
    pub fn set_origin(&self, code: &Rc<Code>, ip: usize) {
        self.origin.set(origin::number(code, ip));
    }

    /// `(file, line, source line)` of `origin`.
    pub fn origin_site(&self) -> Option<(String, usize, String)> {
        let (code, ip) = origin::place(self.origin.get())?;
        let source = &code.obj.source;
        let line = source.line_of(code.obj.span_at(ip.saturating_sub(1)).start);
        Some((
            source.name.clone(),
            line,
            source.line_text(line).trim().to_string(),
        ))
    }

    /// CPython's warning for a coroutine that is destroyed before anything awaited it; queued
    /// for the VM to print (a destructor cannot reach the VM). Reported once.
    fn warn_if_never_awaited(&self) {
        if self.kind != CodeKind::Coroutine || self.state.get() != GenState::Created {
            return;
        }
        self.state.set(GenState::Finished);
        let mut text = String::new();
        if let Some((file, line, source)) = self.origin_site() {
            text.push_str(&format!("{file}:{line}: "));
            text.push_str(&format!(
                "RuntimeWarning: coroutine '{}' was never awaited\n",
                self.code.qualname.as_str()
            ));
            if !source.is_empty() {
                text.push_str(&format!("  {source}\n"));
            }
        } else {
            text.push_str(&format!(
                "RuntimeWarning: coroutine '{}' was never awaited\n",
                self.code.qualname.as_str()
            ));
        }
        text.push_str(
            "RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n",
        );
        crate::vm::warnings::queue(text);
    }

    /// The prefix of the state attributes of this kind: `gi_` for a generator, `cr_` for a
    /// coroutine, `ag_` for an async generator (`gi_running`, `cr_suspended`, ...).
    pub fn attr_prefix(&self) -> &'static str {
        match self.kind {
            CodeKind::Coroutine => "cr_",
            CodeKind::AsyncGenerator => "ag_",
            _ => "gi_",
        }
    }

    /// `generator`, `coroutine` or `async_generator`.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            CodeKind::Coroutine => "coroutine",
            CodeKind::AsyncGenerator => "async_generator",
            _ => "generator",
        }
    }
}

impl Trace for Generator {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        self.with_frame(|frame| {
            if let Some(frame) = frame {
                frame.trace(visit);
            }
        });
        match self.extra.as_deref() {
            Some(Extra::Green(green)) => match green.try_borrow() {
                Ok(green) => green.callers.iter().for_each(|f| f.trace(visit)),
                Err(_) => return false,
            },
            Some(Extra::Native(body)) => body.trace(visit),
            None => {}
        }
        true
    }

    fn clear(&self) {
        self.warn_if_never_awaited();
        // A garbage generator suspended in a `try` is closed (later, `queue_close`), as
        // CPython finalizes one in a cycle before breaking it.
        self.queue_close();
        drop(self.frame.take());
        match self.extra.as_deref() {
            Some(Extra::Green(green)) => {
                if let Ok(mut green) = green.try_borrow_mut() {
                    let callers = std::mem::take(&mut green.callers);
                    drop(green);
                    drop(callers);
                }
            }
            Some(Extra::Native(body)) => body.clear(),
            None => {}
        }
    }
}

impl Drop for Generator {
    fn drop(&mut self) {
        self.warn_if_never_awaited();
        self.queue_close();
    }
}

thread_local! {
    /// Generators dropped while suspended inside a `try`/`with` block: their frames, to be
    /// closed (`GeneratorExit` thrown in, so `finally` blocks and `__exit__` run) by
    /// `Vm::run_finalizers` at the next call instruction, as CPython closes a generator when
    /// its last reference goes (a destructor cannot reach the VM).
    static TO_CLOSE: RefCell<Frames> = const { RefCell::new(Vec::new()) };
    static CLOSE_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// Whether dropped generators wait to be closed.
#[inline(always)]
pub fn close_pending() -> bool {
    CLOSE_PENDING.with(Cell::get)
}

/// The frames of dropped generators waiting to be closed, oldest first.
pub fn take_to_close() -> Frames {
    CLOSE_PENDING.with(|p| p.set(false));
    TO_CLOSE
        .try_with(|q| q.try_borrow_mut().map(|mut q| std::mem::take(&mut *q)))
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default()
}

impl Generator {
    /// A plain generator suspended where a handler covers its `yield` (a `try` with
    /// `finally` or `except`, a `with`) has code to run on closing: its frame is queued.
    fn queue_close(&self) {
        if self.kind != CodeKind::Generator
            || self.extra.is_some()
            || self.state.get() != GenState::Suspended
        {
            return;
        }
        let Some(frame) = self.frame.take() else {
            return;
        };
        if frame
            .code
            .obj
            .handler_for(frame.at().saturating_sub(1))
            .is_none()
        {
            return;
        }
        // A destructor may run while the thread is being torn down: then nothing is closed.
        let _ = TO_CLOSE.try_with(|q| {
            if let Ok(mut q) = q.try_borrow_mut() {
                q.push(frame);
                CLOSE_PENDING.with(|p| p.set(true));
            }
        });
    }

    /// A suspended generator around `frame` (a dropped generator's, to be closed).
    pub fn suspended(frame: Box<Frame>) -> Rc<Generator> {
        let gen = Rc::new(Generator {
            gc: Default::default(),
            kind: frame.code.obj.kind,
            code: frame.code.clone(),
            frame: Cell::new(Some(frame)),
            state: Cell::new(GenState::Suspended),
            origin: Cell::new(origin::NONE),
            extra: None,
        });
        gc::track(&gen);
        gen
    }
}

#[cfg(test)]
mod tests {
    /// With its reference counts a generator fits a 48-byte block: every coroutine of every
    /// task is one, and one more word would make it take 64.
    #[test]
    fn generator_fits_a_48_byte_block() {
        assert!(std::mem::size_of::<super::Generator>() <= 32);
    }

    /// A native body (a sleeping task's `sleep`) is one 32-byte block beside its generator,
    /// where a frame would take a 64-byte one and a buffer of slots.
    #[test]
    fn native_body_fits_a_32_byte_block() {
        assert!(std::mem::size_of::<super::Extra>() <= 32);
    }

    /// The values a native body keeps: the first alone while the rest are `None`, else all
    /// of them in a tuple, however they are set.
    #[test]
    fn a_native_body_keeps_its_values_packed_or_not() {
        use super::{NativeBody, Value};
        let int = |v: &Value| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        };
        let body = NativeBody::new([Value::Int(1), Value::None]);
        assert!(!body.packed.get());
        assert_eq!((int(&body.value(0)), int(&body.value(1))), (Some(1), None));
        body.set_value(0, Value::Int(2));
        body.set_value(1, Value::None);
        assert!(!body.packed.get() && int(&body.value(0)) == Some(2));
        body.set_value(1, Value::Int(3));
        assert!(body.packed.get());
        assert_eq!(
            (int(&body.value(0)), int(&body.value(1))),
            (Some(2), Some(3))
        );
        body.set_value(0, Value::Int(4));
        assert_eq!(
            (int(&body.value(0)), int(&body.value(1))),
            (Some(4), Some(3))
        );
        assert!(body.value(2).is_none());
        let packed = NativeBody::new([Value::Int(5), Value::Int(6)]);
        assert_eq!(
            (int(&packed.value(0)), int(&packed.value(1))),
            (Some(5), Some(6))
        );
    }
}
