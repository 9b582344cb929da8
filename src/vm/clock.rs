//! The one clock every timing question in apy reads: `loop.time()`, `time.monotonic()`,
//! `time.perf_counter()` and `time.time()`. It is either real monotonic time or virtual time that
//! only moves when the event loop jumps it to the next timer (or a blocking `time.sleep` advances
//! it). Nothing here knows about timers, tasks or the event loop; scheduling lives in
//! `event_loop.rs` and `timers.rs`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The resolution CPython reports for `time.monotonic` on Linux
/// (`time.get_clock_info('monotonic').resolution`). The event loop adds it to "now" when deciding
/// which timers are due, exactly as `BaseEventLoop._run_once` adds `_clock_resolution`. The
/// virtual clock uses the same figure so that both modes select the same timers.
pub const RESOLUTION: f64 = 1e-9;

/// How long a real blocking sleep waits at most before it looks at the Ctrl-C flag again.
const SLEEP_SLICE: Duration = Duration::from_millis(20);

/// A source of "now" in seconds, real or virtual.
///
/// Clones share one time source: advancing a clone of a virtual clock advances them all. This
/// lets the VM keep a clock for `time.*` and hand clones to every event loop that
/// `asyncio.run` creates, so virtual time carries on from one `run` to the next. The REPL's
/// `:time` switches the shared clock between real and virtual; time carries on from where it
/// stood, so it never goes backwards across a switch.
#[derive(Clone, Debug)]
pub struct Clock {
    shared: Rc<Shared>,
}

#[derive(Debug)]
struct Shared {
    is_virtual: Cell<bool>,
    /// The time when the current mode began (virtual: the time itself, since only
    /// `advance_to` moves it).
    base: Cell<f64>,
    /// When the current real period began.
    since: Cell<Instant>,
}

impl Clock {
    fn with_mode(is_virtual: bool) -> Clock {
        Clock {
            shared: Rc::new(Shared {
                is_virtual: Cell::new(is_virtual),
                base: Cell::new(0.0),
                since: Cell::new(Instant::now()),
            }),
        }
    }

    /// A real monotonic clock whose origin is now.
    pub fn new_real() -> Clock {
        Clock::with_mode(false)
    }

    /// A virtual clock standing at 0.0.
    pub fn new_virtual() -> Clock {
        Clock::with_mode(true)
    }

    /// Whether this is the virtual clock.
    pub fn is_virtual(&self) -> bool {
        self.shared.is_virtual.get()
    }

    /// Switches every clone of this clock to virtual or real time, carrying on from now.
    pub fn set_virtual(&self, is_virtual: bool) {
        let now = self.now();
        self.shared.base.set(now);
        self.shared.since.set(Instant::now());
        self.shared.is_virtual.set(is_virtual);
    }

    /// The current time in seconds since the clock's origin (like `time.monotonic()`).
    pub fn now(&self) -> f64 {
        let shared = &self.shared;
        if shared.is_virtual.get() {
            shared.base.get()
        } else {
            shared.base.get() + shared.since.get().elapsed().as_secs_f64()
        }
    }

    /// The time for `time.time()`. The real clock answers with UNIX time (seconds since
    /// 1970-01-01 UTC, negative if the system clock is set before that). The virtual clock
    /// answers with its virtual now: a simulated program then sees `time.time()` and
    /// `time.monotonic()` move together, and its output never depends on the date it ran.
    pub fn wall_time(&self) -> f64 {
        if self.is_virtual() {
            return self.now();
        }
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => since.as_secs_f64(),
            Err(before) => -before.duration().as_secs_f64(),
        }
    }

    /// The clock's resolution in seconds (see [`RESOLUTION`]).
    pub fn resolution(&self) -> f64 {
        RESOLUTION
    }

    /// Moves a virtual clock forward to `time`. Does nothing if `time` is not later than now
    /// (the clock never goes backwards), if `time` is not finite, or on the real clock (real time
    /// cannot be moved). Returns whether the clock moved.
    pub fn advance_to(&self, time: f64) -> bool {
        let base = &self.shared.base;
        if self.is_virtual() && time.is_finite() && time > base.get() {
            base.set(time);
            return true;
        }
        false
    }

    /// Moves a virtual clock forward by `delta` seconds: the new time is exactly `now + delta`,
    /// the same sum a timer set `delta` seconds from now gets as its deadline. Negative, zero or
    /// non-finite deltas, and the real clock, leave the time unchanged.
    pub fn advance_by(&self, delta: f64) -> bool {
        self.advance_to(self.now() + delta)
    }

    /// A blocking sleep of `secs` seconds, as `time.sleep` does: the real clock puts the OS
    /// thread to sleep; the virtual clock advances by `secs` at once. Non-positive or NaN
    /// durations return immediately; durations too large for the OS are clamped to
    /// `Duration::MAX` (callers validate the argument first, as CPython's `time.sleep` raises
    /// `OverflowError` for them). A real sleep ends early when Ctrl-C is pressed; the caller
    /// then raises `KeyboardInterrupt` (see `interrupt`).
    pub fn sleep(&self, secs: f64) {
        if self.is_virtual() {
            self.advance_by(secs);
            return;
        }
        let Some(duration) = duration_from_secs(secs) else {
            return;
        };
        let start = Instant::now();
        while !crate::vm::interrupt::is_pending() {
            let left = duration.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(SLEEP_SLICE));
        }
    }
}

/// Converts seconds to a `Duration` without panicking: `None` for zero, negative or NaN
/// seconds, `Duration::MAX` for anything too large to represent.
pub fn duration_from_secs(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs <= 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_starts_at_zero_and_jumps_exactly() {
        let clock = Clock::new_virtual();
        assert!(clock.is_virtual());
        assert_eq!(clock.now(), 0.0);
        assert!(clock.advance_to(0.5));
        assert!(clock.advance_by(1.0));
        assert_eq!(clock.now(), 1.5);
        assert_eq!(clock.wall_time(), 1.5);
    }

    #[test]
    fn virtual_clock_never_goes_backwards() {
        let clock = Clock::new_virtual();
        clock.advance_to(2.0);
        assert!(!clock.advance_to(1.0));
        assert!(!clock.advance_by(-1.0));
        assert!(!clock.advance_to(f64::NAN));
        assert!(!clock.advance_to(f64::INFINITY));
        assert_eq!(clock.now(), 2.0);
    }

    #[test]
    fn clones_share_virtual_time() {
        let clock = Clock::new_virtual();
        let other = clock.clone();
        other.sleep(3.25);
        assert_eq!(clock.now(), 3.25);
    }

    #[test]
    fn real_clock_moves_forward_and_ignores_advance() {
        let clock = Clock::new_real();
        let start = clock.now();
        assert!(!clock.advance_by(100.0));
        clock.sleep(0.002);
        let after = clock.now();
        assert!(after >= start + 0.002, "{start} -> {after}");
        assert!(after < 50.0);
        clock.set_virtual(true);
        let frozen = clock.now();
        assert!(frozen >= after);
        assert!(clock.advance_by(10.0));
        clock.set_virtual(false);
        assert!(clock.now() >= frozen + 10.0);
        // Any machine running this test is past 2020-01-01.
        assert!(clock.wall_time() > 1_577_836_800.0);
    }

    #[test]
    fn duration_conversion_never_panics() {
        assert_eq!(duration_from_secs(-1.0), None);
        assert_eq!(duration_from_secs(f64::NAN), None);
        assert_eq!(duration_from_secs(f64::INFINITY), Some(Duration::MAX));
        assert_eq!(duration_from_secs(1e300), Some(Duration::MAX));
        assert_eq!(duration_from_secs(0.25), Some(Duration::from_millis(250)));
    }
}
