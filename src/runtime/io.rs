//! mio plumbing between OS threads and the event loop: the `mio::Waker` and the completion
//! queue that worker threads (doing blocking system work such as reading stdin or a file) post
//! their results into. Socket registrations will join this file later. Scheduling decisions stay
//! in `event_loop.rs`; this file only moves payloads across threads and wakes the poll.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use mio::{Registry, Token, Waker};

/// The poll token of the waker. Sockets registered later must use other tokens.
pub(crate) const WAKE_TOKEN: Token = Token(0);

/// What the loop and its completers share.
#[derive(Debug)]
struct Shared<P> {
    queue: Mutex<Vec<P>>,
    /// Set (under the lock) whenever `queue` may be non-empty, so the loop can skip the lock on
    /// the common path where nothing was posted.
    posted: AtomicBool,
    waker: Arc<Waker>,
}

impl<P> Shared<P> {
    /// Locks the queue. A worker that panicked while holding the lock can only have been in the
    /// middle of a `Vec::push`, which leaves the vector valid, so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, Vec<P>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A thread-safe handle through which a worker thread hands a result to its event loop.
///
/// Cloning is cheap; every clone posts to the same loop. Posting never runs anything: the
/// payload waits in a queue until the loop's next iteration turns it into a ready callback
/// (appended after the callbacks already ready, before the timers due in that iteration).
#[derive(Debug)]
pub struct Completer<P> {
    shared: Arc<Shared<P>>,
}

impl<P> Clone for Completer<P> {
    fn clone(&self) -> Self {
        Completer {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<P> Completer<P> {
    /// Posts `payload` to the loop and wakes its poll. The error, if any, is the waker's (the
    /// payload is queued regardless); a worker may ignore it, since the loop also drains the
    /// queue whenever it polls with work outstanding.
    pub fn complete(&self, payload: P) -> io::Result<()> {
        {
            let mut queue = self.shared.lock();
            queue.push(payload);
            self.shared.posted.store(true, Ordering::Release);
        }
        self.shared.waker.wake()
    }

    /// Wakes the loop's poll without posting anything, e.g. from a thread that noticed Ctrl-C
    /// and set a flag the owner checks after each iteration. The iteration it ends early may
    /// hand back no callbacks at all.
    pub fn wake(&self) -> io::Result<()> {
        self.shared.waker.wake()
    }
}

/// The loop's side of the completion queue.
#[derive(Debug)]
pub(crate) struct CompletionQueue<P> {
    shared: Arc<Shared<P>>,
    /// A buffer swapped with the shared queue on every drain, so draining does not allocate.
    spare: Vec<P>,
}

impl<P> CompletionQueue<P> {
    /// A queue whose waker is registered with `registry` under [`WAKE_TOKEN`].
    pub(crate) fn new(registry: &Registry) -> io::Result<CompletionQueue<P>> {
        let waker = Arc::new(Waker::new(registry, WAKE_TOKEN)?);
        Ok(CompletionQueue {
            shared: Arc::new(Shared {
                queue: Mutex::new(Vec::new()),
                posted: AtomicBool::new(false),
                waker,
            }),
            spare: Vec::new(),
        })
    }

    /// A new handle for a worker thread.
    pub(crate) fn completer(&self) -> Completer<P> {
        Completer {
            shared: Arc::clone(&self.shared),
        }
    }

    /// The poll's waker, for wake-ups that carry no payload (Ctrl-C).
    pub(crate) fn waker(&self) -> Arc<Waker> {
        Arc::clone(&self.shared.waker)
    }

    /// Whether a payload may be waiting (a cheap check; a `true` may be stale).
    pub(crate) fn has_posted(&self) -> bool {
        self.shared.posted.load(Ordering::Acquire)
    }

    /// Hands every posted payload, oldest first, to `sink`. The lock is held only to swap
    /// buffers, never while `sink` runs.
    pub(crate) fn drain_into(&mut self, mut sink: impl FnMut(P)) {
        if !self.has_posted() {
            return;
        }
        {
            let mut queue = self.shared.lock();
            std::mem::swap(&mut *queue, &mut self.spare);
            self.shared.posted.store(false, Ordering::Release);
        }
        for payload in self.spare.drain(..) {
            sink(payload);
        }
    }
}
