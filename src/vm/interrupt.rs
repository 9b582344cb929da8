//! Ctrl-C. Whoever catches SIGINT (the command line installs the handler) calls `request`; the
//! VM notices the pending interrupt on its next call or backward jump (and a real `time.sleep`
//! notices it within a few milliseconds) and raises `KeyboardInterrupt` there. Event loops
//! register a wake function, so an interrupt also ends a poll that is waiting for a timer.
//! Only plain data and `Send` closures live here: any thread may request an interrupt.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

static PENDING: AtomicBool = AtomicBool::new(false);

/// A function that wakes one event loop's poll.
pub type WakeFn = Arc<dyn Fn() + Send + Sync>;

static WAKERS: Mutex<Vec<(u64, WakeFn)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Marks an interrupt as pending and wakes every registered loop.
pub fn request() {
    PENDING.store(true, Ordering::SeqCst);
    let wakers = WAKERS.lock().unwrap_or_else(PoisonError::into_inner);
    for (_, wake) in wakers.iter() {
        wake();
    }
}

/// Whether an interrupt is waiting to be raised.
#[inline]
pub fn is_pending() -> bool {
    PENDING.load(Ordering::Relaxed)
}

/// Takes the pending interrupt, if any: true once per `request`.
pub fn take() -> bool {
    PENDING.swap(false, Ordering::SeqCst)
}

/// Forgets a pending interrupt (the REPL does, after Ctrl-C on an empty prompt).
pub fn clear() {
    PENDING.store(false, Ordering::SeqCst);
}

/// Keeps `wake` registered until the guard is dropped.
pub struct WakerGuard {
    id: u64,
}

/// Registers a function that `request` calls to wake a sleeping poll.
pub fn register_waker(wake: WakeFn) -> WakerGuard {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    WAKERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((id, wake));
    WakerGuard { id }
}

impl Drop for WakerGuard {
    fn drop(&mut self) {
        WAKERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(id, _)| *id != self.id);
    }
}

impl std::fmt::Debug for WakerGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WakerGuard({})", self.id)
    }
}
