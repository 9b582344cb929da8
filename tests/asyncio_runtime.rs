//! Behaviour of the asyncio runtime that golden examples cannot show on their own: the two
//! clocks (a simulated hour finishes at once under the virtual clock; `time.*` and `loop.time`
//! read one clock), the deadlock report under both clocks, and `asyncio.run` inside a running
//! loop. Each case runs a small program through the `apy` binary.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn run(code: &str, virtual_time: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_apy"));
    if virtual_time {
        cmd.arg("--virtual-time");
    }
    cmd.arg("-c")
        .arg(code)
        .env("NO_COLOR", "1")
        .env_remove("APY_VIRTUAL_TIME")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn virtual_clock_simulates_an_hour_at_once() {
    let code = "\
import asyncio, time
async def main():
    loop = asyncio.get_running_loop()
    t0, m0 = loop.time(), time.monotonic()
    await asyncio.gather(asyncio.sleep(3600), asyncio.sleep(1800))
    time.sleep(60)
    print(loop.time() - t0, time.monotonic() - m0, time.perf_counter() == loop.time())
asyncio.run(main())
";
    let started = Instant::now();
    let out = run(code, true);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(stdout(&out), "3660.0 3660.0 True\n");
}

#[test]
fn real_clock_sleeps_for_real() {
    let code = "\
import asyncio
async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await asyncio.sleep(0.05)
    print(loop.time() - t0 >= 0.05)
asyncio.run(main())
";
    assert_eq!(stdout(&run(code, false)), "True\n");
}

const DEADLOCK: &str = "\
import asyncio
async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    print('waiting on a lock held by myself')
    await lock.acquire()
asyncio.run(main())
";

#[test]
fn deadlock_is_reported_under_both_clocks() {
    for virtual_time in [true, false] {
        let out = run(DEADLOCK, virtual_time);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(stdout(&out), "waiting on a lock held by myself\n");
        assert!(err.contains("deadlock"), "{err}");
        assert!(
            err.contains("Task-1 awaits Lock.acquire() at <string>:6"),
            "{err}"
        );
    }
}

#[test]
fn run_inside_a_running_loop_is_refused() {
    let code = "\
import asyncio
async def inner():
    pass
async def main():
    coro = inner()
    try:
        asyncio.run(coro)
    except RuntimeError as exc:
        print(exc)
    await coro
asyncio.run(main())
print(asyncio.run(asyncio.sleep(0, 'again')))
";
    let out = run(code, true);
    assert_eq!(
        stdout(&out),
        "asyncio.run() cannot be called from a running event loop\nagain\n"
    );
}
