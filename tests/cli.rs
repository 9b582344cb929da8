//! The command line as a user meets it: `-c`, `-` and piped stdin, `sys.argv`, exit statuses
//! (0, 1 for errors, 2 for bad usage, `sys.exit(n)`), `--dis`, `--version`, `--help`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn apy(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_apy"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("apy starts");
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.as_bytes())
            .expect("stdin is writable");
    }
    child.wait_with_output().expect("apy finishes")
}

fn check(args: &[&str], stdin: &str, status: i32, stdout: &str) -> Output {
    let out = apy(args, stdin);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        stdout,
        "stdout of apy {args:?}; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(status), "status of apy {args:?}");
    out
}

#[test]
fn code_from_the_command_line_sees_its_arguments() {
    check(
        &["-c", "import sys; print(sys.argv)", "a", "b"],
        "",
        0,
        "['-c', 'a', 'b']\n",
    );
}

#[test]
fn program_from_stdin_with_dash_and_without_arguments() {
    let program = "import sys\nprint(sys.argv, 6 * 7)\n";
    check(&["-", "x"], program, 0, "['-', 'x'] 42\n");
    check(&[], program, 0, "[''] 42\n");
}

#[test]
fn exit_statuses() {
    check(&["-c", "import sys; sys.exit(3)"], "", 3, "");
    check(&["-c", "print('before'); 1 / 0"], "", 1, "before\n");
    let out = check(&["-c", "if True print(1)"], "", 1, "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("SyntaxError: ")),
        "{stderr}"
    );
    check(&["--no-such-flag"], "", 2, "");
    check(&["no/such/file.apy"], "", 2, "");
}

#[test]
fn uncaught_exception_ends_with_cpythons_line() {
    let out = check(&["-c", "def f(d):\n    return d['k']\nf({})"], "", 1, "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("Traceback (most recent call last):\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 2, in f\n    return d['k']\n"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().last(), Some("KeyError: 'k'"));
}

#[test]
fn disassembler_version_and_help() {
    check(
        &["--dis", "-c", "x = 1"],
        "",
        0,
        "Disassembly of <module> (Module, qualname <module>):\n     1     0  LoadConst          0      (1)\n           1  StoreName          0      (x)\n           2  ReturnConst        1      (None)\n           3  ReturnValue\n",
    );
    let out = apy(&["--dis", "examples/hello.apy"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("StoreName") && text.contains("ForIter"),
        "{text}"
    );
    check(
        &["--version"],
        "",
        0,
        concat!("apy ", env!("CARGO_PKG_VERSION"), "\n"),
    );
    let out = apy(&["--help"], "");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("usage: apy"));
}

#[test]
fn a_never_awaited_coroutine_warns_once_per_place() {
    let program = "\
async def job(i):
    return i
for i in range(3):
    job(i)
job(9)
print('done')
";
    let out = check(&["-"], program, 0, "done\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr
            .matches("RuntimeWarning: coroutine 'job' was never awaited")
            .count(),
        2,
        "one warning for line 4, one for line 5: {stderr}"
    );
    assert!(stderr.contains(":4: RuntimeWarning") && stderr.contains(":5: RuntimeWarning"));
}

#[test]
fn the_traceback_module_names_the_script_by_its_absolute_path() {
    let dir = std::env::temp_dir().join(format!("apy-cli-tb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("tb_path.py");
    std::fs::write(
        &script,
        "import traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n    print(traceback.format_exc())\n",
    )
    .expect("script written");
    let out = Command::new(env!("CARGO_BIN_EXE_apy"))
        .arg("tb_path.py")
        .current_dir(&dir)
        .output()
        .expect("apy runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let absolute = dir.canonicalize().expect("dir").join("tb_path.py");
    let expected = format!("  File \"{}\", line 3, in <module>", absolute.display());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(stdout.contains(&expected), "{stdout}");
}
