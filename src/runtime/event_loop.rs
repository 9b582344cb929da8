//! The scheduling core: a FIFO ready queue, the timer heap, the clock, a `mio::Poll` with a
//! waker for worker threads, and the iteration step that reproduces CPython 3.11's
//! `BaseEventLoop._run_once` exactly. It is generic over the callback type `C` (and the type `P`
//! of payloads worker threads post), so it knows nothing of tasks, futures or values: the owner
//! runs each callback it is handed. What a callback does, and cancellation of `call_soon`
//! handles, belong to the owner.
//!
//! One iteration, as in CPython:
//! 1. compute the poll timeout: zero if a callback is ready (or `stop` was called), else until
//!    the next timer, else forever;
//! 2. wait (see below), then move the completions posted by worker threads to the ready queue;
//! 3. move every timer due before `now + resolution` to the ready queue, earliest first;
//! 4. hand back exactly the callbacks ready at that point. Callbacks they schedule wait for the
//!    next iteration.
//!
//! Waiting. Real clock: the poll really sleeps for the timeout (a worker's completion wakes it
//! early). Virtual clock: virtual time never passes while an external operation (a worker
//! thread) is outstanding: with one outstanding and nothing ready, the loop blocks in the poll
//! until a completion arrives, and the clock stands still. With nothing outstanding and nothing
//! ready, it does not sleep at all but jumps the clock to the next deadline. So under the virtual
//! clock a worker's blocking operation takes zero virtual time, and a run's output never depends
//! on how fast the machine is.
//!
//! Signals: a poll interrupted by a signal ends the iteration normally (possibly with no
//! callbacks), so an owner that records Ctrl-C in a flag sees it after the batch. A signal
//! delivered to another thread does not interrupt the poll; that thread calls
//! [`Completer::wake`].
//!
//! The owner's loop (what `run_forever` does, for owners that keep the loop inside a larger
//! state and cannot lend it to a closure):
//!
//! ```text
//! loop {
//!     match ev.run_once()? {
//!         Iteration::Stalled => return deadlock_report(),
//!         Iteration::Ready(_) => {}
//!     }
//!     while let Some(callback) = ev.next_ready() {
//!         run(callback); // may call ev.call_soon, ev.call_later, ev.stop, ...
//!     }
//!     if ev.is_stopping() {
//!         ev.clear_stop();
//!         break;
//!     }
//! }
//! ```

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use mio::{Events, Poll};

use crate::runtime::clock::{duration_from_secs, Clock};
use crate::runtime::io::{Completer, CompletionQueue};
use crate::runtime::timers::{TimerHandle, Timers, MIN_KEPT_ROOM};

/// The longest single poll, as CPython's `MAXIMUM_SELECT_TIMEOUT` (one day); the loop simply
/// polls again after it.
const MAX_POLL_TIMEOUT: f64 = 24.0 * 3600.0;

/// How many readiness events one poll collects at most (more wait for the next poll).
const EVENTS_CAPACITY: usize = 64;

/// What [`EventLoop::run_once`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Iteration {
    /// This many callbacks were ready when the iteration began (possibly none, e.g. after a
    /// poll was interrupted by a signal). Take them with [`EventLoop::next_ready`].
    Ready(usize),
    /// Nothing is ready, no timer can ever fire, no external operation is outstanding, and
    /// `stop` was not called: nothing can ever happen again. CPython would block forever; the
    /// owner reports a deadlock instead. The loop is left unchanged.
    Stalled,
}

/// Why [`EventLoop::run_forever`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// `stop` was called; the iteration during which it was called ran to its end.
    Stopped,
    /// The loop stalled (see [`Iteration::Stalled`]).
    Stalled,
}

/// How the next iteration waits before collecting due timers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Wait {
    /// Nothing to wait for and nothing that could post: skip the poll system call.
    Skip,
    /// Poll with this timeout (`None` = until woken).
    Poll(Option<Duration>),
    /// Virtual clock: move time to this deadline without sleeping.
    JumpTo(f64),
    /// Nothing can ever happen.
    Stalled,
}

/// An event loop scheduling callbacks of type `C`. Worker threads post payloads of type `P`
/// through a [`Completer`]; each becomes the ready callback `C::from(payload)`.
#[derive(Debug)]
pub struct EventLoop<C, P = C> {
    clock: Clock,
    ready: VecDeque<C>,
    timers: Timers<C>,
    /// How many callbacks of the current iteration's batch `next_ready` has yet to hand out.
    /// Invariant: at most `ready.len()`.
    n_batch_left: usize,
    n_external: usize,
    /// Waits for input that may come at any time (the REPL's prompt): like an external
    /// operation they keep the loop from stalling, but they do not hold virtual time still.
    n_listeners: usize,
    stopping: bool,
    poll: Poll,
    events: Events,
    completions: CompletionQueue<P>,
    /// Keeps this loop's waker registered with Ctrl-C, which wakes the poll.
    _interrupt: crate::vm::interrupt::WakerGuard,
}

impl<C, P> EventLoop<C, P> {
    /// A loop reading `clock` (a clone shares its time with the caller's). Fails only if the OS
    /// refuses an epoll instance or an eventfd.
    pub fn new(clock: Clock) -> io::Result<EventLoop<C, P>> {
        let poll = Poll::new()?;
        let completions = CompletionQueue::new(poll.registry())?;
        let waker = completions.waker();
        let interrupt = crate::vm::interrupt::register_waker(std::sync::Arc::new(move || {
            let _ = waker.wake();
        }));
        Ok(EventLoop {
            clock,
            ready: VecDeque::new(),
            timers: Timers::new(),
            n_batch_left: 0,
            n_external: 0,
            n_listeners: 0,
            stopping: false,
            poll,
            events: Events::with_capacity(EVENTS_CAPACITY),
            completions,
            _interrupt: interrupt,
        })
    }

    /// The loop's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// `loop.time()`: the clock's now.
    pub fn time(&self) -> f64 {
        self.clock.now()
    }

    /// Appends `callback` to the ready queue (`loop.call_soon`). If called while the current
    /// batch is being run, it runs in the next iteration.
    pub fn call_soon(&mut self, callback: C) {
        self.ready.push_back(callback);
    }

    /// Sets a timer running `callback` in the first iteration that finds `when` due
    /// (`loop.call_at`). Timers with equal deadlines fire in the order they were set.
    pub fn call_at(&mut self, when: f64, callback: C) -> TimerHandle {
        self.timers.push(when, callback)
    }

    /// `loop.call_later`: a timer at exactly `time() + delay`.
    pub fn call_later(&mut self, delay: f64, callback: C) -> TimerHandle {
        self.call_at(self.time() + delay, callback)
    }

    /// Cancels a timer that has not fired yet and returns its callback; `None` if it already
    /// fired or was cancelled.
    pub fn cancel_timer(&mut self, handle: TimerHandle) -> Option<C> {
        self.timers.cancel(handle)
    }

    /// How many callbacks are in the ready queue (including any not yet taken from the current
    /// batch).
    pub fn ready_len(&self) -> usize {
        self.ready.len()
    }

    /// How many timers are pending.
    pub fn timer_count(&self) -> usize {
        self.timers.len()
    }

    /// The earliest pending timer's deadline, if any (possibly +infinity for a timer that can
    /// never fire).
    pub fn next_deadline(&self) -> Option<f64> {
        self.timers.next_deadline()
    }

    /// Whether anything could still happen: a ready callback, a timer that can fire, an
    /// outstanding external operation, or a posted completion not yet collected.
    pub fn has_pending_work(&self) -> bool {
        !self.ready.is_empty()
            || self.next_firing_deadline().is_some()
            || self.n_external > 0
            || self.n_listeners > 0
            || self.completions.has_posted()
    }

    /// Records that the owner waits for input that may arrive at any time (see `n_listeners`).
    pub fn listen_begin(&mut self) {
        self.n_listeners = self.n_listeners.saturating_add(1);
    }

    /// Ends a `listen_begin`.
    pub fn listen_end(&mut self) {
        self.n_listeners = self.n_listeners.saturating_sub(1);
    }

    /// Records that an external operation (a worker thread's job, later a socket wait) has
    /// started. While any is outstanding the loop cannot stall, and virtual time stands still.
    pub fn external_begin(&mut self) {
        self.n_external = self.n_external.saturating_add(1);
    }

    /// Records that an external operation has ended, normally when its completion callback
    /// runs. Unbalanced calls are a bug in the owner (checked in debug builds).
    pub fn external_end(&mut self) {
        debug_assert!(self.n_external > 0, "external_end without external_begin");
        self.n_external = self.n_external.saturating_sub(1);
    }

    /// How many external operations are outstanding.
    pub fn external_count(&self) -> usize {
        self.n_external
    }

    /// A thread-safe handle worker threads post their results through.
    pub fn completer(&self) -> Completer<P> {
        self.completions.completer()
    }

    /// `loop.stop()`: the current iteration (or, if none is running, the next one) runs to its
    /// end, then `run_forever` returns. Owners driving `run_once` themselves check
    /// [`EventLoop::is_stopping`] after each batch and call [`EventLoop::clear_stop`].
    pub fn stop(&mut self) {
        self.stopping = true;
    }

    /// Whether `stop` was called since the loop last stopped.
    pub fn is_stopping(&self) -> bool {
        self.stopping
    }

    /// Forgets a `stop` request (what the end of CPython's `run_forever` does).
    pub fn clear_stop(&mut self) {
        self.stopping = false;
    }

    /// Takes the next callback of the current iteration's batch, or `None` once the batch is
    /// done. Callbacks scheduled after `run_once` returned are not part of the batch. If the owner
    /// abandons a batch halfway (an exception escaping the loop), the rest stays at the front of
    /// the ready queue and runs first in the next iteration, as in CPython.
    pub fn next_ready(&mut self) -> Option<C> {
        if self.n_batch_left == 0 {
            return None;
        }
        self.n_batch_left -= 1;
        let next = self.ready.pop_front();
        // A queue that held many callbacks once gives its room back as it drains, so that
        // the memory goes to what those callbacks make.
        if self.ready.capacity() > MIN_KEPT_ROOM && self.ready.len() < self.ready.capacity() / 4 {
            self.ready.shrink_to(self.ready.len() * 2);
        }
        next
    }

    /// The earliest deadline of a timer that can still fire (a +infinity deadline never does).
    fn next_firing_deadline(&self) -> Option<f64> {
        self.timers
            .next_deadline()
            .filter(|deadline| *deadline < f64::INFINITY)
    }

    /// Step 1 of an iteration: decide how to wait.
    fn plan_wait(&self) -> Wait {
        let runnable = !self.ready.is_empty() || self.stopping || self.completions.has_posted();
        let deadline = self.next_firing_deadline();
        if runnable {
            // A zero-timeout poll only matters if something external could have produced
            // events; otherwise skipping the system call changes nothing.
            return match self.n_external {
                0 => Wait::Skip,
                _ => Wait::Poll(Some(Duration::ZERO)),
            };
        }
        match (self.clock.is_virtual(), deadline, self.n_external) {
            (_, None, 0) if self.n_listeners > 0 => Wait::Poll(None),
            (_, None, 0) => Wait::Stalled,
            (true, _, 1..) => Wait::Poll(None),
            (true, Some(deadline), 0) => Wait::JumpTo(deadline),
            (false, Some(deadline), _) => {
                let secs = (deadline - self.time()).min(MAX_POLL_TIMEOUT);
                Wait::Poll(Some(duration_from_secs(secs).unwrap_or(Duration::ZERO)))
            }
            (false, None, _) => Wait::Poll(None),
        }
    }

    /// Polls, treating an interruption by a signal as an empty poll (the owner checks its own
    /// Ctrl-C flag after the iteration).
    fn poll_events(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match self.poll.poll(&mut self.events, timeout) {
            Err(err) if err.kind() != io::ErrorKind::Interrupted => Err(err),
            _ => Ok(()),
        }
    }
}

impl<C, P> EventLoop<C, P>
where
    C: From<P>,
{
    /// One iteration of CPython's `_run_once` (see the module comment). After `Ready(n)`, take
    /// the `n` callbacks with [`EventLoop::next_ready`] and run them in that order. Errors are
    /// the poll's own (never a signal interruption).
    pub fn run_once(&mut self) -> io::Result<Iteration> {
        match self.plan_wait() {
            Wait::Stalled => return Ok(Iteration::Stalled),
            Wait::Skip => {}
            Wait::Poll(timeout) => self.poll_events(timeout)?,
            Wait::JumpTo(deadline) => {
                self.clock.advance_to(deadline);
            }
        }
        let ready = &mut self.ready;
        self.completions
            .drain_into(|payload| ready.push_back(C::from(payload)));
        if !self.timers.is_empty() {
            let end_time = self.clock.now() + self.clock.resolution();
            self.ready.extend(self.timers.pop_due(end_time));
        }
        self.n_batch_left = self.ready.len();
        Ok(Iteration::Ready(self.n_batch_left))
    }

    /// `loop.run_forever()`: runs iterations, handing each callback to `run` together with the
    /// loop, until `stop` is called (that iteration still finishes) or the loop stalls. The stop
    /// request is cleared on return, whatever the reason.
    pub fn run_forever(&mut self, mut run: impl FnMut(&mut Self, C)) -> io::Result<RunEnd> {
        let res = loop {
            match self.run_once() {
                Err(err) => break Err(err),
                Ok(Iteration::Stalled) => break Ok(RunEnd::Stalled),
                Ok(Iteration::Ready(_)) => {}
            }
            while let Some(callback) = self.next_ready() {
                run(self, callback);
            }
            if self.stopping {
                break Ok(RunEnd::Stopped);
            }
        };
        self.stopping = false;
        res
    }
}

#[cfg(test)]
mod tests;
