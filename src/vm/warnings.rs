//! Warnings raised where the VM cannot be reached (an object's destructor): queued here, per
//! thread, and written to stderr by the VM at its next flush of output. `RuntimeWarning:
//! coroutine 'f' was never awaited` is the one there is.

use std::cell::RefCell;
use std::collections::HashSet;

thread_local! {
    static PENDING: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// Every warning text queued so far.
    static SHOWN: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Queues a warning's full text, unless the same text was queued before: as under CPython's
/// default filter, a warning is shown once per place (the text names the file and line), so
/// a loop that drops a coroutine a thousand times warns once.
pub fn queue(text: String) {
    // A destructor may run while the thread is being torn down: then the warning is lost.
    let first = SHOWN
        .try_with(|shown| {
            shown
                .try_borrow_mut()
                .is_ok_and(|mut shown| shown.insert(text.clone()))
        })
        .unwrap_or(false);
    if !first {
        return;
    }
    let _ = PENDING.try_with(|p| {
        if let Ok(mut pending) = p.try_borrow_mut() {
            pending.push(text);
        }
    });
}

/// Takes every queued warning, oldest first.
pub fn take() -> Vec<String> {
    PENDING
        .try_with(|p| {
            p.try_borrow_mut()
                .map(|mut v| std::mem::take(&mut *v))
                .unwrap_or_default()
        })
        .unwrap_or_default()
}
