//! Robustness: thousands of mutated example programs (lines deleted, duplicated and swapped,
//! characters deleted and duplicated, brackets and quotes inserted) go through the lexer, the
//! parser, the compiler and the VM with an instruction budget. Whatever they do, nothing may
//! panic: every outcome must be a diagnostic, an exception, or a normal end.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Mutants per example; with ~250 examples (asyncio ones included) this is about five
/// thousand programs, several minutes in a debug build.
const MUTANTS_PER_EXAMPLE: usize = 20;
const INSTRUCTION_BUDGET: u64 = 20_000;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return String::from("(");
    }
    for _ in 0..1 + rng.below(3) {
        let n = lines.len();
        let at = rng.below(n);
        match rng.below(7) {
            0 if n > 1 => {
                lines.remove(at);
            }
            1 => {
                let line = lines[at].clone();
                lines.insert(at, line);
            }
            2 => {
                let other = rng.below(n);
                lines.swap(at, other);
            }
            3 => lines[at] = mutate_chars(&lines[at], rng, None),
            4 => {
                let bracket = ["(", ")", "[", "]", "{", "}", "'", "\"", ":", "\\"][rng.below(10)];
                lines[at] = mutate_chars(&lines[at], rng, Some(bracket));
            }
            5 => lines[at] = format!("    {}", lines[at]),
            _ => lines[at] = lines[at].trim_start().to_string(),
        }
    }
    lines.join("\n")
}

fn mutate_chars(line: &str, rng: &mut Rng, insert: Option<&str>) -> String {
    let chars: Vec<char> = line.chars().collect();
    let at = rng.below(chars.len() + 1);
    let mut res: String = chars[..at].iter().collect();
    match insert {
        Some(text) => res.push_str(text),
        None if at < chars.len() && rng.below(2) == 0 => res.push(chars[at]),
        None => {}
    }
    let skip = if insert.is_none() && at < chars.len() {
        1
    } else {
        0
    };
    res.extend(chars.iter().skip(at + skip));
    res
}

fn examples(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            examples(&path, found);
        } else if path.extension().is_some_and(|e| e == "apy") {
            found.push(path);
        }
    }
}

fn check_all() -> Vec<String> {
    let mut files = Vec::new();
    examples(Path::new("examples"), &mut files);
    files.sort();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut failures = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for n in 0..MUTANTS_PER_EXAMPLE {
            let mutant = mutate(&text, &mut rng);
            let run = catch_unwind(AssertUnwindSafe(|| {
                apy::pipeline::check_quietly(&mutant, INSTRUCTION_BUDGET)
            }));
            if run.is_err() {
                failures.push(format!(
                    "{} mutant {n} panicked; its source:\n{mutant}\n",
                    file.display()
                ));
            }
        }
    }
    failures
}

#[test]
fn mutated_examples_never_panic() {
    let worker = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(check_all)
        .expect("the test thread starts");
    let failures = worker.join().expect("the test thread ends");
    assert!(
        failures.is_empty(),
        "{} mutants panicked:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
