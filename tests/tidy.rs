//! House rules that a reviewer would otherwise check by hand: every source file opens with a
//! `//!` paragraph, no trailing whitespace, and imports only point one way through the
//! pipeline (syntax → compile → vm → runtime → stdlib → the REPL and the command line).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The stage a file belongs to, by its top-level module under `src/`.
fn stage_of(path: &Path) -> Option<&'static str> {
    let rel = path.strip_prefix("src").ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    ["syntax", "compile", "vm", "runtime", "stdlib"]
        .into_iter()
        .find(|stage| *stage == name)
}

/// The stages a stage may not import: everything to its right in the pipeline.
fn forbidden_for(stage: &str) -> &'static [&'static str] {
    match stage {
        "syntax" => &["compile", "vm", "runtime", "stdlib", "repl", "pipeline"],
        "compile" => &["vm", "runtime", "stdlib", "repl", "pipeline"],
        "vm" => &["runtime", "stdlib", "repl", "pipeline"],
        "runtime" => &["stdlib", "repl", "pipeline"],
        "stdlib" => &["repl", "pipeline"],
        _ => &[],
    }
}

#[test]
fn source_files_follow_house_rules() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    rust_files(Path::new("tests"), &mut files);
    assert!(!files.is_empty());
    let mut problems = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if !text.starts_with("//!") {
            problems.push(format!(
                "{}: must open with a `//!` paragraph",
                path.display()
            ));
        }
        for (idx, line) in text.lines().enumerate() {
            if line.ends_with(' ') || line.ends_with('\t') {
                problems.push(format!(
                    "{}:{}: trailing whitespace",
                    path.display(),
                    idx + 1
                ));
            }
        }
        let Some(stage) = stage_of(path) else {
            continue;
        };
        for (idx, line) in text.lines().enumerate() {
            let line = line.trim_start();
            for banned in forbidden_for(stage) {
                if line.starts_with(&format!("use crate::{banned}"))
                    || line.contains(&format!("crate::{banned}::"))
                {
                    problems.push(format!(
                        "{}:{}: `{stage}` may not depend on `{banned}`",
                        path.display(),
                        idx + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
