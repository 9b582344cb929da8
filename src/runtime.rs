//! The event loop, tasks, timers and clocks (asyncio's machinery). Never parses or compiles.
//! The scheduling core here (`clock`, `timers`, `event_loop`, `io`) is generic over the
//! callback type and depends on nothing else in the crate; `mio` is used only under this
//! module.

pub mod clock;
pub mod event_loop;
pub mod io;
pub mod timers;

pub use clock::Clock;
pub use event_loop::{EventLoop, Iteration, RunEnd};
pub use io::Completer;
pub use timers::TimerHandle;
