//! `Frame`: one activation of a code object, always on the heap in a `Box` of its own (the
//! dispatch loop's frame stack and a suspended generator hold the box, so switching frames
//! moves a pointer). Locals occupy the first slots of `stack`, the operand
//! stack follows.

use crate::vm::gc::{self, Visit};
use crate::vm::object::dict::Dict;
use crate::vm::object::function::{Cells, Code};
use crate::vm::value::Value;
use std::rc::Rc;

/// Frames in their boxes, outermost first: the dispatch loop's callers, a suspended green
/// thread's, the pool of finished ones. Boxed so that moving a frame in or out moves a pointer.
#[allow(clippy::vec_box)]
pub type Frames = Vec<Box<Frame>>;

pub struct Frame {
    pub code: Rc<Code>,
    /// The next instruction's index (`at()` as a `usize`): four bytes, which with `init`
    /// and a thin `cells` make the frame one 64-byte block.
    pub ip: u32,
    /// Locals (`code.n_locals()` slots, `Value::Null` when unbound), then the operand stack.
    pub stack: Vec<Value>,
    /// `cellvars ++ freevars`; a function without cellvars shares its closure here (one
    /// word: `Cells` is a thin pointer).
    pub cells: Cells,
    pub globals: Rc<Dict>,
    /// What few frames hold (a class body's namespace, an exception being handled): out of
    /// line, so that every frame, a suspended coroutine's included, is smaller. `None` means
    /// all of it is empty.
    rare: Option<Box<FrameRare>>,
    /// Set on the frame of `__init__` run for `cls(...)` in the dispatch loop: the new
    /// instance already waits on the caller's stack where the call's result goes, and the
    /// frame must return `None`. (The flag fits in the padding beside `ip`.)
    pub init: bool,
}

/// The fields of a `Frame` that most frames leave empty.
struct FrameRare {
    /// The namespace `LoadName`/`StoreName` use: the class namespace in a class body, the
    /// globals in a module body.
    namespace: Option<Rc<Dict>>,
    /// The exception being handled when the frame was entered, restored when it leaves.
    saved_exc: Value,
    /// A suspended generator frame's own exception being handled (a `yield` inside an
    /// `except` block), put back in place when the frame resumes.
    suspended_exc: Value,
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
        Frame::with_stack(code, globals, Vec::new(), Rc::new(Vec::new()))
    }

    /// A frame reusing `stack` (an empty buffer from the VM's pool) for its slots.
    pub fn with_stack(
        code: Rc<Code>,
        globals: Rc<Dict>,
        mut stack: Vec<Value>,
        cells: Cells,
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
    pub fn unfilled(code: Rc<Code>, globals: Rc<Dict>, cells: Cells) -> Box<Frame> {
        Box::new(Frame {
            code,
            ip: 0,
            stack: Vec::new(),
            cells,
            globals,
            rare: None,
            init: false,
        })
    }

    /// Points a (pooled) frame at a code, its globals and cells, at its first instruction. A
    /// pooled frame often last ran this same function (recursion, a callback called in a
    /// loop): then the references it holds are the ones wanted, and none is counted again.
    #[inline(always)]
    pub fn start(&mut self, code: &Rc<Code>, globals: &Rc<Dict>, cells: &Cells) {
        self.ip = 0;
        if !Rc::ptr_eq(&self.code, code) {
            self.code = code.clone();
        }
        if !Rc::ptr_eq(&self.cells, cells) {
            self.cells = cells.clone();
        }
        if !Rc::ptr_eq(&self.globals, globals) {
            self.globals = globals.clone();
        }
    }

    /// Pushes `v` onto the operand stack (`stack::push`: always inlined).
    #[inline(always)]
    pub fn push(&mut self, v: Value) {
        crate::vm::stack::push(&mut self.stack, v);
    }

    fn rare_mut(&mut self) -> &mut FrameRare {
        self.rare.get_or_insert_with(|| {
            Box::new(FrameRare {
                namespace: None,
                saved_exc: Value::None,
                suspended_exc: Value::None,
            })
        })
    }

    /// Empties the rare fields (a recycled frame).
    #[inline]
    pub fn clear_rare(&mut self) {
        if self.rare.is_some() {
            self.rare = None;
        }
    }

    /// The namespace `LoadName`/`StoreName` use: the class namespace in a class body, the
    /// globals in a module body.
    #[inline]
    pub fn namespace(&self) -> Option<&Rc<Dict>> {
        self.rare.as_ref().and_then(|r| r.namespace.as_ref())
    }

    pub fn set_namespace(&mut self, ns: Rc<Dict>) {
        self.rare_mut().namespace = Some(ns);
    }

    /// The exception being handled when the frame was entered.
    #[inline]
    pub fn saved_exc(&self) -> Value {
        match &self.rare {
            Some(r) => r.saved_exc.clone(),
            None => Value::None,
        }
    }

    #[inline]
    pub fn has_saved_exc(&self) -> bool {
        self.rare.as_ref().is_some_and(|r| !r.saved_exc.is_none())
    }

    /// Sets the exception being handled at entry (no allocation for `None`).
    #[inline(always)]
    pub fn set_saved_exc(&mut self, exc: Value) {
        self.set_rare_exc(exc, |r| &mut r.saved_exc);
    }

    /// Sets one of the two exception fields, allocating the box only for an exception. The
    /// usual case, `None` into a frame without the box, is a test in the caller (a
    /// generator's every resumption and suspension sets both).
    #[inline(always)]
    fn set_rare_exc(&mut self, exc: Value, field: fn(&mut FrameRare) -> &mut Value) {
        if !(exc.is_none() && self.rare.is_none()) {
            self.set_rare_exc_slow(exc, field);
        }
    }

    #[inline(never)]
    fn set_rare_exc_slow(&mut self, exc: Value, field: fn(&mut FrameRare) -> &mut Value) {
        if exc.is_none() {
            if let Some(r) = &mut self.rare {
                *field(r) = Value::None;
            }
        } else {
            *field(self.rare_mut()) = exc;
        }
    }

    #[inline]
    pub fn take_saved_exc(&mut self) -> Value {
        match &mut self.rare {
            Some(r) => std::mem::replace(&mut r.saved_exc, Value::None),
            None => Value::None,
        }
    }

    /// Sets a suspending generator frame's own exception being handled (none: `None`).
    #[inline(always)]
    pub fn set_suspended_exc(&mut self, exc: Value) {
        self.set_rare_exc(exc, |r| &mut r.suspended_exc);
    }

    #[inline]
    pub fn take_suspended_exc(&mut self) -> Value {
        match &mut self.rare {
            Some(r) => std::mem::replace(&mut r.suspended_exc, Value::None),
            None => Value::None,
        }
    }

    /// The instruction pointer, as an index into the code's instructions.
    #[inline(always)]
    pub fn at(&self) -> usize {
        self.ip as usize
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
        if let Some(rare) = &self.rare {
            if let Some(ns) = &rare.namespace {
                gc::visit_rc(ns, visit);
            }
            gc::visit_value(&rare.saved_exc, visit);
            gc::visit_value(&rare.suspended_exc, visit);
        }
    }
}

#[cfg(test)]
mod tests {
    /// A frame is one 64-byte block: every suspended coroutine keeps one.
    #[test]
    fn frame_fits_64_bytes() {
        assert!(std::mem::size_of::<super::Frame>() <= 64);
    }
}
