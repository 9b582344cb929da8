//! `Halt`: why a dispatch loop stopped. The VM never names event-loop types; a task stepping a
//! coroutine reads `Yielded` to learn what the coroutine waits on.

use crate::vm::frame::Frames;
use crate::vm::value::Value;

pub enum Halt {
    Returned(Value),
    /// A generator or coroutine frame suspended with this value.
    Yielded(Value),
    /// An exception instance left the base frame.
    Raised(Value),
    /// A green thread stopped (`vm::green`) in the middle of a call chain: what it asks its
    /// driver for, and the frames that called the innermost one, outermost first.
    Suspended {
        request: Value,
        callers: Frames,
        push_on_resume: bool,
    },
}
