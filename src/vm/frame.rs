//! `Frame`: one activation of a code object, always on the heap in a `Box` of its own (the
//! dispatch loop's frame stack and a suspended generator hold the box, so switching frames
//! moves a pointer). Locals occupy the first slots of `stack`, the operand
//! stack follows.

use crate::vm::gc::{self, Visit};
use crate::vm::object::dict::Dict;
use crate::vm::object::function::{Cell, Code};
use crate::vm::value::Value;
use std::rc::Rc;

/// Frames in their boxes, outermost first: the dispatch loop's callers, a suspended green
/// thread's, the pool of finished ones. Boxed so that moving a frame in or out moves a pointer.
#[allow(clippy::vec_box)]
pub type Frames = Vec<Box<Frame>>;

pub struct Frame {
    pub code: Rc<Code>,
    pub ip: usize,
    /// Locals (`code.n_locals()` slots, `Value::Null` when unbound), then the operand stack.
    pub stack: Vec<Value>,
    /// `cellvars ++ freevars`; a function without cellvars shares its closure here.
    pub cells: Rc<[Rc<Cell>]>,
    pub globals: Rc<Dict>,
    /// The namespace `LoadName`/`StoreName` use: the class namespace in a class body, the
    /// globals in a module body.
    pub namespace: Option<Rc<Dict>>,
    /// Set when this frame runs `__init__` for a new instance: the call's result is the
    /// instance, and `__init__` must return `None`.
    pub init_self: Option<Value>,
    /// The exception being handled when the frame was entered, restored when it leaves.
    pub saved_exc: Value,
    /// A suspended generator frame's own exception being handled (a `yield` inside an
    /// `except` block), put back in place when the frame resumes.
    pub suspended_exc: Value,
}

/// How many unused slots a long-lived frame may keep (`Frame::make_room`).
const EXACT_SLACK: usize = 4;

impl Frame {
    /// Makes room for `n_slots` in the (empty) stack of a pooled frame. A buffer too small
    /// is replaced rather than grown: growing would copy its stale contents for nothing. A
    /// frame that may live long (a generator's or coroutine's, `exact`) gets a buffer of
    /// about its own size, not one a bigger function left: a hundred thousand sleeping tasks
    /// would otherwise each keep the slack. (Within `EXACT_SLACK` slots the buffer is kept:
    /// coroutines that finish at once, like `Queue.get` with an item ready, then reuse
    /// buffers instead of allocating one per call.)
    #[inline(always)]
    pub fn make_room(&mut self, n_slots: usize, exact: bool) {
        debug_assert!(self.stack.is_empty());
        let cap = self.stack.capacity();
        if cap < n_slots || (exact && cap > n_slots + EXACT_SLACK) {
            self.new_buffer(n_slots);
        }
    }

    #[cold]
    #[inline(never)]
    fn new_buffer(&mut self, n_slots: usize) {
        self.stack = Vec::with_capacity(n_slots);
    }

    pub fn new(code: Rc<Code>, globals: Rc<Dict>) -> Box<Frame> {
        Frame::with_stack(code, globals, Vec::new(), Rc::from(Vec::new()))
    }

    /// A frame reusing `stack` (an empty buffer from the VM's pool) for its slots.
    pub fn with_stack(
        code: Rc<Code>,
        globals: Rc<Dict>,
        mut stack: Vec<Value>,
        cells: Rc<[Rc<Cell>]>,
    ) -> Box<Frame> {
        let n_locals = code.n_locals();
        debug_assert!(stack.is_empty());
        stack.reserve(code.n_slots);
        for _ in 0..n_locals {
            stack.push(Value::Null);
        }
        let mut frame = Frame::unfilled(code, globals, cells);
        frame.stack = stack;
        frame
    }

    /// A frame with no slots yet: the caller fills its locals (`Vm::fast_call`).
    pub fn unfilled(code: Rc<Code>, globals: Rc<Dict>, cells: Rc<[Rc<Cell>]>) -> Box<Frame> {
        Box::new(Frame {
            code,
            ip: 0,
            stack: Vec::new(),
            cells,
            globals,
            namespace: None,
            init_self: None,
            saved_exc: Value::None,
            suspended_exc: Value::None,
        })
    }

    pub fn n_locals(&self) -> usize {
        self.code.n_locals()
    }

    pub fn trace(&self, visit: &mut Visit) {
        gc::visit_values(&self.stack, visit);
        for cell in self.cells.iter() {
            gc::visit_rc(cell, visit);
        }
        gc::visit_rc(&self.globals, visit);
        if let Some(ns) = &self.namespace {
            gc::visit_rc(ns, visit);
        }
        if let Some(v) = &self.init_self {
            gc::visit_value(v, visit);
        }
        gc::visit_value(&self.saved_exc, visit);
        gc::visit_value(&self.suspended_exc, visit);
    }
}
