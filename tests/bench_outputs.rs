//! Every benchmark program in `benches/progs/` is valid Python and valid apy: this test runs
//! each under `apy` and under `python3` (when present) and requires the same stdout, so the
//! benchmark runner always compares like with like. The programs are sized for a release
//! build (a million tasks), so the test builds one, in a target directory of its own (the
//! outer `cargo test` may hold the default one), and runs that. Programs run two at a time;
//! timing is never asserted.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

const PARALLEL: usize = 2;

fn programs() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("benches/progs")
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "py"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn python3() -> Option<String> {
    let exe = std::env::var("APY_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = Command::new(&exe)
        .arg("-c")
        .arg("import sys; assert sys.version_info >= (3, 11)")
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(exe)
}

/// Builds the release binary the benchmarks use and returns its path.
fn release_apy() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-check");
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "apy", "--target-dir"])
        .arg(&target)
        .status()
        .expect("run cargo build --release");
    assert!(status.success(), "cargo build --release failed");
    target.join("release/apy")
}

fn stdout_of(command: &mut Command) -> Result<String, String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn check(apy: &PathBuf, program: &PathBuf, python: &Option<String>) -> Option<String> {
    let ours = match stdout_of(Command::new(apy).arg(program)) {
        Ok(text) => text,
        Err(e) => return Some(format!("{}: apy failed: {e}", program.display())),
    };
    let python = python.as_ref()?;
    match stdout_of(Command::new(python).arg(program)) {
        Ok(theirs) if theirs == ours => None,
        Ok(theirs) => Some(format!(
            "{}: apy printed {ours:?}, python3 printed {theirs:?}",
            program.display()
        )),
        Err(e) => Some(format!("{}: python3 failed: {e}", program.display())),
    }
}

#[test]
fn bench_programs_print_what_python_prints() {
    let queue = Arc::new(Mutex::new(programs()));
    assert!(
        !queue.lock().unwrap().is_empty(),
        "no programs in benches/progs"
    );
    let apy = release_apy();
    let python = python3();
    if python.is_none() {
        eprintln!("python3 (3.11+) not found: checking only that apy runs the programs");
    }
    let failures = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let (queue, failures) = (queue.clone(), failures.clone());
            let (apy, python) = (apy.clone(), python.clone());
            std::thread::spawn(move || loop {
                let Some(program) = queue.lock().unwrap().pop() else {
                    return;
                };
                if let Some(problem) = check(&apy, &program, &python) {
                    failures.lock().unwrap().push(problem);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
