//! The asyncio golden examples under the real clock: each `examples/asyncio/*.apy` (not the
//! `errors/` ones, which fail on purpose) runs through the `apy` binary without
//! `--virtual-time` and must print exactly its `.out` (stdout, then stderr), as it does under
//! CPython's real clock. The examples keep their sleeps short and round printed times, so
//! real and virtual time give the same text; this test keeps both clocks honest. Examples run a
//! few at a time because they mostly sleep; one that fails is retried alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// Examples running at once (they mostly sleep, so more than the cores).
const PARALLEL: usize = 6;

fn asyncio_examples() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("examples/asyncio")
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "apy"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Runs one example under the real clock; `Some(report)` when its stdout differs from `.out`.
fn check(example: &Path) -> Option<String> {
    let expected = std::fs::read_to_string(example.with_extension("out")).ok()?;
    // The example's `.in` file (or nothing) on stdin, as tests/examples.rs gives it.
    let stdin = match std::fs::File::open(example.with_extension("in")) {
        Ok(file) => Stdio::from(file),
        Err(_) => Stdio::null(),
    };
    let out = Command::new(env!("CARGO_BIN_EXE_apy"))
        .arg(example)
        .env("NO_COLOR", "1")
        .env_remove("APY_VIRTUAL_TIME")
        .stdin(stdin)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => return Some(format!("{}: cannot run apy: {e}", example.display())),
    };
    // A `.out` holds stdout, then stderr (warnings), as tests/examples.rs writes it.
    let got = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if got == expected && out.status.success() {
        return None;
    }
    Some(format!(
        "{}: real-clock run differs (exit {:?})\n--- expected\n{expected}--- got\n{got}",
        example.display(),
        out.status.code(),
    ))
}

#[test]
fn asyncio_examples_match_under_the_real_clock() {
    let queue = Arc::new(Mutex::new(asyncio_examples()));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let failures = Arc::clone(&failures);
            std::thread::spawn(move || loop {
                let next = queue.lock().unwrap().pop();
                let Some(example) = next else { break };
                if let Some(report) = check(&example) {
                    failures.lock().unwrap().push(report);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    // A loaded machine can make a real-clock run late enough to reorder two wake-ups; what
    // failed in the parallel pass runs once more on its own before it counts.
    let first_pass = std::mem::take(&mut *failures.lock().unwrap());
    let failures: Vec<String> = first_pass
        .iter()
        .filter_map(|report| {
            let path = report.split(": real-clock").next().unwrap_or_default();
            check(Path::new(path))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} example(s) differ under the real clock:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
