//! Ordering tests for the event loop: each pins one rule of CPython 3.11's `_run_once`, using
//! string labels as callbacks. The expected orders were checked against python3.

use std::thread;
use std::time::{Duration, Instant};

use super::*;

/// A test callback: a label to log, or a worker's completion.
#[derive(Clone, Debug, PartialEq)]
enum Cb {
    Log(&'static str),
    Completed(u32),
}

impl From<u32> for Cb {
    fn from(payload: u32) -> Cb {
        Cb::Completed(payload)
    }
}

type Loop = EventLoop<Cb, u32>;

fn virtual_loop() -> Loop {
    EventLoop::new(Clock::new_virtual()).unwrap()
}

fn real_loop() -> Loop {
    EventLoop::new(Clock::new_real()).unwrap()
}

/// Runs one iteration and returns its batch, letting `react` schedule more for each callback.
fn batch_with(ev: &mut Loop, mut react: impl FnMut(&mut Loop, &Cb)) -> Vec<Cb> {
    let Iteration::Ready(n_ready) = ev.run_once().unwrap() else {
        panic!("the loop stalled");
    };
    let mut res = Vec::new();
    while let Some(callback) = ev.next_ready() {
        react(ev, &callback);
        res.push(callback);
    }
    assert_eq!(res.len(), n_ready);
    res
}

fn batch(ev: &mut Loop) -> Vec<Cb> {
    batch_with(ev, |_, _| {})
}

fn logs(labels: &[&'static str]) -> Vec<Cb> {
    labels.iter().map(|label| Cb::Log(label)).collect()
}

#[test]
fn same_deadline_timers_fire_in_insertion_order() {
    let mut ev = virtual_loop();
    ev.call_later(1.0, Cb::Log("a"));
    ev.call_later(0.5, Cb::Log("early"));
    ev.call_later(1.0, Cb::Log("b"));
    ev.call_at(1.0, Cb::Log("c"));
    ev.call_later(1.0, Cb::Log("d"));
    assert_eq!(batch(&mut ev), logs(&["early"]));
    assert_eq!(ev.time(), 0.5);
    assert_eq!(batch(&mut ev), logs(&["a", "b", "c", "d"]));
    assert_eq!(ev.time(), 1.0);
}

#[test]
fn ready_callbacks_come_before_due_timers() {
    let mut ev = virtual_loop();
    ev.call_at(0.0, Cb::Log("timer"));
    ev.call_soon(Cb::Log("soon"));
    assert_eq!(batch(&mut ev), logs(&["soon", "timer"]));
}

/// The scenario of this python3 program, whose output is the expected string:
/// a `SelectorEventLoop` subclass logging "|" at each `_run_once`, two timers already past due,
/// `a` scheduling `b` and another past-due timer, `c` calling `stop()`, then `d` scheduled and a
/// second `stop(); run_forever()`.
#[test]
fn callbacks_scheduled_during_an_iteration_wait_for_the_next() {
    let mut ev = virtual_loop();
    ev.clock().advance_to(10.0);
    let t0 = ev.time();
    let mut log: Vec<&'static str> = Vec::new();
    ev.call_at(t0 - 1.0, Cb::Log("t_past"));
    ev.call_soon(Cb::Log("a"));
    ev.call_soon(Cb::Log("c"));
    ev.call_at(t0 - 2.0, Cb::Log("t_earlier"));
    let run = |ev: &mut Loop, callback: Cb, log: &mut Vec<&'static str>| {
        let Cb::Log(label) = callback else { return };
        log.push(label);
        match label {
            "a" => {
                ev.call_soon(Cb::Log("b"));
                ev.call_at(t0 - 0.5, Cb::Log("t_in_a"));
            }
            "c" => ev.stop(),
            _ => {}
        }
    };
    log.push("|");
    let end = ev.run_forever(|ev, callback| run(ev, callback, &mut log));
    assert_eq!(end.unwrap(), RunEnd::Stopped);
    assert!(!ev.is_stopping());
    log.push("STOP");
    ev.call_soon(Cb::Log("d"));
    ev.stop();
    log.push("|");
    let end = ev.run_forever(|ev, callback| run(ev, callback, &mut log));
    assert_eq!(end.unwrap(), RunEnd::Stopped);
    assert_eq!(log.join(" "), "| a c t_earlier t_past STOP | b d t_in_a");
}

#[test]
fn virtual_clock_jumps_exactly_to_deadlines() {
    let mut ev = virtual_loop();
    let started = Instant::now();
    let delays = [0.5, 1.0, 0.1, 0.1, 3600.0];
    let mut times = Vec::new();
    ev.call_soon(Cb::Log("sleeper"));
    for delay in delays {
        batch(&mut ev);
        ev.call_later(delay, Cb::Log("sleeper"));
        times.push(ev.next_deadline().unwrap());
    }
    batch(&mut ev);
    // The same sums python3 prints for 0.5, +1.0, +0.1, +0.1, +3600.
    assert_eq!(times, [0.5, 1.5, 1.6, 1.7000000000000002, 3601.7]);
    assert_eq!(ev.time(), 3601.7);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(ev.run_once().unwrap(), Iteration::Stalled);
}

#[test]
fn cancelled_timers_do_not_fire() {
    let mut ev = virtual_loop();
    let first = ev.call_later(1.0, Cb::Log("cancelled"));
    ev.call_later(2.0, Cb::Log("kept"));
    assert_eq!(ev.cancel_timer(first), Some(Cb::Log("cancelled")));
    assert_eq!(ev.cancel_timer(first), None);
    assert_eq!(ev.timer_count(), 1);
    assert_eq!(batch(&mut ev), logs(&["kept"]));
    assert_eq!(ev.time(), 2.0);
    let last = ev.call_later(1.0, Cb::Log("last"));
    ev.cancel_timer(last);
    assert_eq!(ev.run_once().unwrap(), Iteration::Stalled);
    assert_eq!(ev.time(), 2.0);
}

#[test]
fn stalled_only_when_nothing_can_happen() {
    let mut ev = virtual_loop();
    assert!(!ev.has_pending_work());
    assert_eq!(ev.run_once().unwrap(), Iteration::Stalled);
    ev.call_soon(Cb::Log("x"));
    assert!(ev.has_pending_work());
    assert_eq!(batch(&mut ev), logs(&["x"]));
    assert_eq!(ev.run_once().unwrap(), Iteration::Stalled);
    ev.external_begin();
    assert!(ev.has_pending_work());
    ev.external_end();
    ev.call_at(f64::INFINITY, Cb::Log("never"));
    ev.call_at(f64::NAN, Cb::Log("never either"));
    assert!(!ev.has_pending_work());
    assert_eq!(ev.run_once().unwrap(), Iteration::Stalled);
    ev.stop();
    assert_eq!(ev.run_once().unwrap(), Iteration::Ready(0));
    ev.clear_stop();
    assert_eq!(ev.run_forever(|_, _| {}).unwrap(), RunEnd::Stalled);
}

#[test]
fn stop_before_run_forever_runs_one_iteration() {
    let mut ev = virtual_loop();
    ev.call_soon(Cb::Log("first"));
    ev.stop();
    let mut seen = Vec::new();
    let end = ev.run_forever(|ev, callback| {
        ev.call_soon(Cb::Log("second"));
        seen.push(callback);
    });
    assert_eq!(end.unwrap(), RunEnd::Stopped);
    assert_eq!(seen, logs(&["first"]));
    assert_eq!(ev.ready_len(), 1);
}

#[test]
fn abandoned_batch_runs_first_next_time() {
    let mut ev = virtual_loop();
    ev.call_soon(Cb::Log("a"));
    ev.call_soon(Cb::Log("b"));
    assert_eq!(ev.run_once().unwrap(), Iteration::Ready(2));
    assert_eq!(ev.next_ready(), Some(Cb::Log("a")));
    ev.call_soon(Cb::Log("c"));
    assert_eq!(batch(&mut ev), logs(&["b", "c"]));
}

#[test]
fn completions_come_after_ready_and_before_timers() {
    let mut ev = virtual_loop();
    ev.call_at(0.0, Cb::Log("timer"));
    ev.call_soon(Cb::Log("soon"));
    ev.completer().complete(5).unwrap();
    assert!(ev.has_pending_work());
    assert_eq!(
        batch(&mut ev),
        [Cb::Log("soon"), Cb::Completed(5), Cb::Log("timer")]
    );
}

#[test]
fn worker_completes_through_the_waker_under_the_real_clock() {
    let mut ev = real_loop();
    ev.call_later(30.0, Cb::Log("far timer"));
    ev.external_begin();
    let completer = ev.completer();
    let started = Instant::now();
    let worker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(30));
        completer.complete(7).unwrap();
    });
    assert_eq!(batch(&mut ev), [Cb::Completed(7)]);
    ev.external_end();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(30), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    assert_eq!(ev.timer_count(), 1);
    worker.join().unwrap();
}

#[test]
fn worker_without_timers_blocks_until_done_under_the_real_clock() {
    let mut ev = real_loop();
    ev.external_begin();
    let completer = ev.completer();
    let worker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(10));
        completer.complete(1).unwrap();
        completer.complete(2).unwrap();
    });
    worker.join().unwrap();
    assert_eq!(batch(&mut ev), [Cb::Completed(1), Cb::Completed(2)]);
    ev.external_end();
    assert_eq!(ev.run_once().unwrap(), Iteration::Stalled);
}

#[test]
fn real_clock_timer_sleeps_until_due() {
    let mut ev = real_loop();
    let started = ev.time();
    ev.call_later(0.03, Cb::Log("t"));
    let mut fired = Vec::new();
    while fired.is_empty() {
        fired = batch(&mut ev);
    }
    assert_eq!(fired, logs(&["t"]));
    assert!(ev.time() - started >= 0.03);
}

#[test]
fn virtual_time_stands_still_while_a_worker_runs() {
    let mut ev = virtual_loop();
    ev.call_later(1.0, Cb::Log("timer"));
    ev.external_begin();
    let completer = ev.completer();
    let worker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(30));
        completer.complete(3).unwrap();
    });
    assert_eq!(batch(&mut ev), [Cb::Completed(3)]);
    assert_eq!(ev.time(), 0.0);
    ev.external_end();
    assert_eq!(batch(&mut ev), logs(&["timer"]));
    assert_eq!(ev.time(), 1.0);
    worker.join().unwrap();
}

#[test]
fn wake_without_payload_ends_a_real_wait_early() {
    let mut ev = real_loop();
    ev.call_later(30.0, Cb::Log("far timer"));
    let completer = ev.completer();
    let started = Instant::now();
    let waker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(10));
        completer.wake().unwrap();
    });
    assert_eq!(ev.run_once().unwrap(), Iteration::Ready(0));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(ev.timer_count(), 1);
    waker.join().unwrap();
}

#[test]
fn a_drained_ready_queue_gives_its_room_back_and_keeps_its_order() {
    let mut ev = virtual_loop();
    let labels = ["a", "b", "c", "d"];
    for i in 0..40_000 {
        ev.call_soon(Cb::Log(labels[i % 4]));
    }
    let grown = ev.ready.capacity();
    assert!(grown >= 40_000);
    // Each callback of the batch schedules one for the next iteration, in the same order.
    let first = batch_with(&mut ev, |ev, cb| ev.call_soon(cb.clone()));
    assert_eq!(first.len(), 40_000);
    assert!(first
        .iter()
        .enumerate()
        .all(|(i, cb)| *cb == Cb::Log(labels[i % 4])));
    let second = batch(&mut ev);
    assert_eq!(second, first);
    let left = ev.ready.capacity();
    assert!(
        left < grown && left <= 2 * MIN_KEPT_ROOM,
        "{left} of {grown} kept"
    );
}
