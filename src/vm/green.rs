//! Green threads (`asyncio.to_thread`): a function running on a suspendable frame stack of
//! its own, stepped like a coroutine by a driver in the asyncio library.
//!
//! A green thread is a `Generator` whose frame stack may hold called frames as well: its
//! dispatch loop can stop in the middle of a call chain (`Flow::Suspend`) and hand the whole
//! stack back (`Halt::Suspended`). It stops in two places:
//!
//! - a blocking native called straight from the thread's own dispatch loop (`time.sleep`,
//!   `input`) asks for a switch with `Vm::request_switch` instead of blocking; the value it
//!   asks with is what the thread yields to its driver (the seconds to sleep, say), and the
//!   value the driver resumes it with becomes the native's result;
//! - after `SLICE` back edges and calls of its own code, like the GIL's switch interval, it
//!   yields `None` so that the event loop runs the other tasks (counted, not timed, so the
//!   interleaving is the same on every run and under both clocks).
//!
//! A blocking call reached through native code (a `sorted` key, a generator the thread
//! iterates, a dunder method) runs in a nested dispatch loop that cannot stop the outer
//! one; there `time.sleep` falls back to running the event loop nested until the sleep is
//! over (asyncio's `_thread_sleep` hook), and `input()` blocks.

use crate::vm::exception::PResult;
use crate::vm::frame::{Frame, Frames};
use crate::vm::halt::Halt;
use crate::vm::machine::Vm;
use crate::vm::object::function::{Args, Native, NativeFn};
use crate::vm::value::Value;

/// Back edges and calls a green thread runs before it lets the loop run (about the work
/// CPython does in its 5 ms switch interval).
pub const SLICE: u32 = 50_000;

/// The green thread whose dispatch loop is running.
pub struct GreenRun {
    /// `Vm::nest` inside the thread's dispatch loop.
    pub nest: u32,
    /// Back edges and calls left in the current slice.
    pub ticks: u32,
}

/// What a suspended green thread keeps besides its innermost frame.
#[derive(Default)]
pub struct GreenState {
    /// The frames that called the innermost one, outermost first.
    pub callers: Frames,
    /// Whether the value the thread is resumed with is the result of the native call it
    /// stopped in (false after a slice ended: nothing waits for a value).
    pub push_on_resume: bool,
    /// The `contextvars` context that was current in the thread when it stopped: it comes
    /// back when the thread resumes, and the loop's own is current meanwhile (CPython's
    /// threads each have their own current context).
    pub context: Option<Value>,
}

impl Vm {
    /// Keeps the emptied frame stack of a finished loop for the next one: a task step pushes
    /// the frames of what its coroutine awaits, and would allocate the stack every step.
    #[inline]
    pub(crate) fn keep_frames(&mut self, frames: Frames) {
        if frames.capacity() > self.spare_frames.capacity() {
            self.spare_frames = frames;
        }
    }

    /// Leaves the dispatch loop yielding `v` from `cur`, a generator's frame, which keeps
    /// the exception it was handling for its resumption.
    pub(crate) fn yield_halt(
        &mut self,
        mut cur: Box<Frame>,
        frames: Frames,
        v: Value,
    ) -> (Halt, Box<Frame>) {
        let own = std::mem::replace(&mut self.handling, cur.saved_exc());
        cur.set_suspended_exc(own);
        self.keep_frames(frames);
        (Halt::Yielded(v), cur)
    }

    /// Stops the running green thread: its frame stack goes back to the driver with what
    /// it asked for, and the exception state is the driver's again.
    pub(crate) fn suspend(&mut self, mut cur: Box<Frame>, callers: Frames) -> (Halt, Box<Frame>) {
        let (request, push_on_resume) = self.switch_request.take().unwrap_or((Value::None, false));
        let outer = callers.first().unwrap_or(&cur).saved_exc();
        let own = std::mem::replace(&mut self.handling, outer);
        cur.set_suspended_exc(own);
        self.depth -= callers.len();
        let halt = Halt::Suspended {
            request,
            callers,
            push_on_resume,
        };
        (halt, cur)
    }
    /// Calls a native function, one level deeper in `nest`.
    #[inline]
    pub fn call_native(&mut self, native: &Native, args: Args) -> PResult<Value> {
        self.call_native_fn(native.func, args)
    }

    /// `call_native` by the native's function.
    #[inline]
    pub fn call_native_fn(&mut self, func: NativeFn, args: Args) -> PResult<Value> {
        self.nest += 1;
        let res = func(self, args);
        self.nest -= 1;
        res
    }

    /// Calls `callable` from a call instruction: a native it reaches directly may ask the
    /// running green thread to switch (see `can_switch`).
    pub fn call_direct(&mut self, callable: &Value, args: Args) -> PResult<Value> {
        let outer = std::mem::replace(&mut self.direct_nest, self.nest + 1);
        let res = self.call_args(callable, args);
        self.direct_nest = outer;
        res
    }

    /// `call_direct` of a native, by its function.
    #[inline]
    pub fn call_native_direct(&mut self, func: NativeFn, args: Args) -> PResult<Value> {
        let outer = std::mem::replace(&mut self.direct_nest, self.nest + 1);
        self.nest += 1;
        let res = func(self, args);
        self.nest -= 1;
        self.direct_nest = outer;
        res
    }

    /// True inside a native that a call instruction of the running green thread's own
    /// dispatch loop called: the one place a switch can stop the thread.
    pub fn can_switch(&self) -> bool {
        match &self.green {
            Some(g) => g.nest + 1 == self.nest && self.direct_nest == self.nest,
            None => false,
        }
    }

    /// Asks the running green thread to stop after the current native call returns, yielding
    /// `request` to its driver; the value it is resumed with replaces the call's result.
    /// Only valid when `can_switch()`.
    pub fn request_switch(&mut self, request: Value) {
        self.switch_request = Some((request, true));
    }

    /// Takes a switch a native asked for, if the caller is the running green thread's
    /// dispatch loop.
    #[inline]
    pub(crate) fn take_switch(&mut self) -> bool {
        self.switch_request.is_some() && self.green.as_ref().is_some_and(|g| g.nest == self.nest)
    }

    /// Counts one back edge or call: true when the running green thread's slice is over
    /// and its own dispatch loop (not a nested one) is the one running.
    #[inline]
    pub(crate) fn slice_over(&mut self) -> bool {
        let Some(g) = &mut self.green else {
            return false;
        };
        if g.nest != self.nest {
            return false;
        }
        g.ticks = g.ticks.saturating_sub(1);
        if g.ticks > 0 {
            return false;
        }
        g.ticks = SLICE;
        self.switch_request = Some((Value::None, false));
        true
    }

    /// Runs a green thread's frame stack until the thread returns, raises or switches.
    pub(crate) fn run_green(
        &mut self,
        cur: Box<Frame>,
        callers: Frames,
        throw: Option<crate::vm::exception::Exc>,
    ) -> (crate::vm::halt::Halt, Box<Frame>) {
        let outer = self.green.replace(GreenRun {
            nest: self.nest + 1,
            ticks: SLICE,
        });
        let res = self.execute_stack(callers, cur, throw);
        self.green = outer;
        res
    }
}
