//! Golden examples: every `examples/**/*.apy` runs through the real `apy` binary under the
//! virtual clock, and its stdout, then its stderr, then a non-zero exit status are compared with
//! the sibling `.out`. `APY_UPDATE=1` rewrites the `.out` files; a missing one is created.
//! The same programs also run under `python3` (when present) and must print the same stdout
//! and, when they fail, the same last stderr line — the CPython promise, tested.
//! An example opts out of the CPython check with a line `# python3: skip (reason)`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const TIME_LIMIT: Duration = Duration::from_secs(20);

fn discover(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            discover(&path, found);
        } else if path.extension().is_some_and(|e| e == "apy") {
            found.push(path);
        }
    }
}

fn examples() -> Vec<PathBuf> {
    let mut found = Vec::new();
    discover(Path::new("examples"), &mut found);
    found.sort();
    found
}

/// Runs a command with the example's `.in` file (or nothing) on stdin, killing it after the
/// time limit so a hang fails one example instead of the whole suite.
fn run_with_limit(mut cmd: Command, example: &Path) -> Result<Output, String> {
    let input = example.with_extension("in");
    let stdin = match std::fs::File::open(&input) {
        Ok(file) => Stdio::from(file),
        Err(_) => Stdio::null(),
    };
    let mut child = cmd
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    // Read both pipes while the child runs: a child that fills a pipe would otherwise block.
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {TIME_LIMIT:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let collect = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    Ok(Output {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

fn apy(example: &Path) -> Result<Output, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_apy"));
    cmd.arg("--virtual-time").arg(example).env("NO_COLOR", "1");
    run_with_limit(cmd, example)
}

/// What the `.out` file holds: stdout, stderr, then the exit status if it is not zero.
fn transcript(out: &Output) -> String {
    let mut res = String::from_utf8_lossy(&out.stdout).into_owned();
    res.push_str(&String::from_utf8_lossy(&out.stderr));
    let code = out.status.code().unwrap_or(-1);
    if code != 0 {
        res.push_str(&format!("[exit status: {code}]\n"));
    }
    res
}

fn last_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

fn check_golden(example: &Path, out: &Output, failures: &mut Vec<String>) {
    let expected_path = example.with_extension("out");
    let actual = transcript(out);
    let update = std::env::var_os("APY_UPDATE").is_some();
    match std::fs::read_to_string(&expected_path) {
        Ok(expected) if expected == actual => {}
        Ok(_) if update => write(&expected_path, &actual),
        Err(_) => write(&expected_path, &actual),
        Ok(expected) => failures.push(format!(
            "{}: output differs from .out\n{}",
            example.display(),
            diff(&expected, &actual)
        )),
    }
}

fn write(path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("cannot write {}: {e}", path.display());
    }
}

/// A short line diff: the first differing line with its neighbours.
fn diff(expected: &str, actual: &str) -> String {
    let exp: Vec<&str> = expected.lines().collect();
    let act: Vec<&str> = actual.lines().collect();
    let first = (0..exp.len().max(act.len()))
        .find(|&i| exp.get(i) != act.get(i))
        .unwrap_or(0);
    let mut res = String::new();
    for i in first.saturating_sub(2)..(first + 3).min(exp.len().max(act.len())) {
        let e = exp.get(i).copied().unwrap_or("<missing>");
        let a = act.get(i).copied().unwrap_or("<missing>");
        if e == a {
            res.push_str(&format!("   {:>4} | {e}\n", i + 1));
        } else {
            res.push_str(&format!(" - {:>4} | {e}\n + {:>4} | {a}\n", i + 1, i + 1));
        }
    }
    res
}

fn python3() -> Option<String> {
    let exe = std::env::var("APY_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = Command::new(&exe)
        .arg("-c")
        .arg("import sys; assert sys.version_info >= (3, 11)")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(exe)
}

fn skips_python(example: &Path) -> bool {
    std::fs::read_to_string(example)
        .map(|text| {
            text.lines()
                .any(|l| l.trim_start().starts_with("# python3: skip"))
        })
        .unwrap_or(true)
}

fn check_python(python: &str, example: &Path, ours: &Output, failures: &mut Vec<String>) {
    let mut cmd = Command::new(python);
    cmd.arg(example).env("PYTHONHASHSEED", "0");
    let theirs = match run_with_limit(cmd, example) {
        Ok(out) => out,
        Err(e) => return failures.push(format!("{}: python3 {e}", example.display())),
    };
    if theirs.stdout != ours.stdout {
        failures.push(format!(
            "{}: stdout differs from python3's\n{}",
            example.display(),
            diff(
                &String::from_utf8_lossy(&theirs.stdout),
                &String::from_utf8_lossy(&ours.stdout)
            )
        ));
    }
    let their_code = theirs.status.code().unwrap_or(-1);
    let our_code = ours.status.code().unwrap_or(-1);
    if (their_code == 0) != (our_code == 0) {
        failures.push(format!(
            "{}: exit status {our_code}, python3 exits {their_code}",
            example.display()
        ));
    } else if their_code != 0 && last_line(&theirs.stderr) != last_line(&ours.stderr) {
        failures.push(format!(
            "{}: last error line differs\n python3: {}\n apy:     {}",
            example.display(),
            last_line(&theirs.stderr),
            last_line(&ours.stderr)
        ));
    }
}

#[test]
fn golden_examples() {
    let all = examples();
    assert!(!all.is_empty(), "no examples found under examples/");
    let python = python3();
    let n_workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunks: Vec<Vec<PathBuf>> = (0..n_workers)
        .map(|w| all.iter().skip(w).step_by(n_workers).cloned().collect())
        .collect();
    let (mut failures, mut n_python) = (Vec::new(), 0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let python = python.as_deref();
                scope.spawn(move || {
                    let (mut failures, mut n_python) = (Vec::new(), 0);
                    for example in chunk {
                        let ours = match apy(example) {
                            Ok(out) => out,
                            Err(e) => {
                                failures.push(format!("{}: apy {e}", example.display()));
                                continue;
                            }
                        };
                        check_golden(example, &ours, &mut failures);
                        if let Some(python) = python.filter(|_| !skips_python(example)) {
                            check_python(python, example, &ours, &mut failures);
                            n_python += 1;
                        }
                    }
                    (failures, n_python)
                })
            })
            .collect();
        for handle in handles {
            let (f, n) = handle.join().expect("an example worker panicked");
            failures.extend(f);
            n_python += n;
        }
    });
    println!(
        "{} golden examples, {} also checked against python3",
        all.len(),
        n_python
    );
    assert!(
        failures.is_empty(),
        "{} of {} examples failed:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
