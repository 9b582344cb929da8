//! The REPL driven through a pseudo-terminal, as a person at a keyboard would: the real binary
//! started with no program on a terminal, keys sent, the screen's text (escape codes stripped)
//! expected. Each test has its own history file.

use rexpect::reader::Options;
use rexpect::session::{spawn_with_options, PtySession};
use std::path::PathBuf;
use std::process::Command;

/// Generous: the machines running the suite are shared and slow.
const TIMEOUT_MS: u64 = 20_000;

fn history_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apy-repl-tests-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn start(history: &PathBuf) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apy"));
    command
        .env("APY_HISTORY", history)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("APY_VIRTUAL_TIME");
    let options = Options::new()
        .timeout_ms(Some(TIMEOUT_MS))
        .strip_ansi_escape_codes(true);
    let mut session = spawn_with_options(command, options).expect("spawn apy in a pty");
    session
        .exp_regex(&fresh_prompt(">>> "))
        .expect("first prompt");
    session
}

/// Types `line` and Enter, then waits for the next prompt (`>>> ` or `... `) at the start of
/// a new line (a redraw of the line being typed follows a carriage return alone) and returns
/// what came before it.
fn enter(session: &mut PtySession, line: &str, prompt: &str) -> String {
    session.send_line(line).expect("send");
    let (before, _) = session.exp_regex(&fresh_prompt(prompt)).expect(prompt);
    before
}

/// Sends keys without Enter (the editor sees each at once: it reads the terminal raw).
fn type_keys(session: &mut PtySession, keys: &str) {
    session.send(keys).expect("send keys");
    session.flush().expect("flush keys");
}

/// A regex for `prompt` drawn at the start of a new line (the editor starts every redraw
/// with a carriage return).
fn fresh_prompt(prompt: &str) -> String {
    format!("\n\r*{}", prompt.replace('.', "\\."))
}

#[test]
fn multi_line_async_def_and_top_level_await() {
    let mut s = start(&history_file("multi"));
    enter(&mut s, "import asyncio", ">>> ");
    enter(&mut s, "async def twice(x):", "... ");
    enter(&mut s, "    await asyncio.sleep(0.01)", "... ");
    enter(&mut s, "    return x * 2", "... ");
    enter(&mut s, "", ">>> ");
    let out = enter(&mut s, "await twice(21)", ">>> ");
    assert!(out.contains("42"), "{out:?}");
    let out = enter(
        &mut s,
        "r = await asyncio.gather(twice(1), twice(2)); r",
        ">>> ",
    );
    assert!(out.contains("[2, 4]"), "{out:?}");
    // `_` holds the last echoed value; None is not echoed.
    let out = enter(&mut s, "_ + [6]", ">>> ");
    assert!(out.contains("[2, 4, 6]"), "{out:?}");
    let out = enter(&mut s, "print('x') or None", ">>> ");
    let lines: Vec<&str> = out.lines().map(|l| l.trim_matches('\r')).collect();
    assert!(lines.contains(&"x") && !lines.contains(&"None"), "{out:?}");
    // asyncio.run at the prompt runs on the session's loop.
    let out = enter(&mut s, "asyncio.run(twice(5))", ">>> ");
    assert!(out.contains("10"), "{out:?}");
}

#[test]
fn background_task_prints_above_the_redrawn_prompt() {
    let mut s = start(&history_file("background"));
    enter(&mut s, "import asyncio", ">>> ");
    enter(&mut s, "async def tick():", "... ");
    enter(&mut s, "    for i in range(3):", "... ");
    enter(&mut s, "        await asyncio.sleep(0.2)", "... ");
    enter(&mut s, "        print('tick', i)", "... ");
    enter(&mut s, "", ">>> ");
    enter(&mut s, "t = asyncio.create_task(tick())", ">>> ");
    // A half-typed line while the task prints: the output goes above, the prompt and the
    // typed text are drawn again below it.
    type_keys(&mut s, "x = 1");
    s.exp_string("tick 0").expect("tick 0");
    s.exp_string(">>> x = 1")
        .expect("redrawn prompt after tick 0");
    s.exp_string("tick 2").expect("tick 2");
    s.exp_string(">>> x = 1")
        .expect("redrawn prompt after tick 2");
    s.send_line("0").expect("finish the line");
    s.exp_regex(&fresh_prompt(">>> ")).expect("prompt");
    let out = enter(&mut s, "x, t.done()", ">>> ");
    assert!(out.contains("(10, True)"), "{out:?}");
}

#[test]
fn errors_do_not_end_the_session() {
    let mut s = start(&history_file("errors"));
    let out = enter(&mut s, "def (", ">>> ");
    assert!(out.contains("SyntaxError: invalid syntax"), "{out:?}");
    assert!(out.contains("<stdin>:1:5"), "{out:?}");
    let out = enter(&mut s, "1 + 1", ">>> ");
    assert!(out.contains('2'), "{out:?}");
    enter(&mut s, "def f(d):", "... ");
    enter(&mut s, "    return d['k']", "... ");
    enter(&mut s, "", ">>> ");
    let out = enter(&mut s, "f({})", ">>> ");
    assert!(
        out.contains("Traceback (most recent call last):"),
        "{out:?}"
    );
    assert!(out.contains("File \"<stdin>\", line 2, in f"), "{out:?}");
    assert!(out.contains("KeyError: 'k'"), "{out:?}");
    let out = enter(&mut s, "f({'k': 'still here'})", ">>> ");
    assert!(out.contains("'still here'"), "{out:?}");
    // An await that nothing can ever finish is reported, and the session goes on.
    enter(&mut s, "import asyncio", ">>> ");
    let out = enter(&mut s, "await asyncio.Event().wait()", ">>> ");
    assert!(out.contains("apy: deadlock"), "{out:?}");
    assert!(out.contains("awaits Event.wait() at <stdin>:1"), "{out:?}");
    let out = enter(&mut s, "'alive'", ">>> ");
    assert!(out.contains("'alive'"), "{out:?}");
}

#[test]
fn ctrl_c_cancels_an_await_and_keeps_background_tasks() {
    let mut s = start(&history_file("ctrlc"));
    enter(&mut s, "import asyncio", ">>> ");
    enter(&mut s, "ev = asyncio.Event()", ">>> ");
    enter(&mut s, "async def waiter():", "... ");
    enter(&mut s, "    await ev.wait()", "... ");
    enter(&mut s, "    print('woke up')", "... ");
    enter(&mut s, "", ">>> ");
    enter(&mut s, "t = asyncio.create_task(waiter())", ">>> ");
    s.send_line("await asyncio.sleep(100)").expect("send");
    s.exp_string("await asyncio.sleep(100)").expect("echo");
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.send_control('c').expect("ctrl-c");
    s.exp_string("KeyboardInterrupt")
        .expect("KeyboardInterrupt");
    s.exp_regex(&fresh_prompt(">>> "))
        .expect("prompt after ctrl-c");
    // Ctrl-C while typing clears the line.
    type_keys(&mut s, "this is not run");
    s.send_control('c').expect("ctrl-c");
    s.exp_regex(&fresh_prompt(">>> ")).expect("prompt");
    // The waiter wakes when the loop next runs, while the prompt waits: its line comes with
    // or just before the prompt, and a prompt always follows it.
    s.send_line("ev.set()").expect("send");
    s.exp_string("woke up").expect("the background task ran");
    s.exp_regex(&fresh_prompt(">>> ")).expect("prompt");
    let out = enter(&mut s, "t.done(), t.cancelled()", ">>> ");
    assert!(out.contains("(True, False)"), "{out:?}");
}

#[test]
fn tab_completes_module_members_and_names() {
    let mut s = start(&history_file("complete"));
    enter(&mut s, "import asyncio", ">>> ");
    type_keys(&mut s, "asyncio.create_ta\t");
    s.exp_string("create_task").expect("completed name");
    s.send_control('c').expect("clear");
    s.exp_regex(&fresh_prompt(">>> ")).expect("prompt");
    enter(&mut s, "long_variable_name = 7", ">>> ");
    type_keys(&mut s, "long_var\t");
    s.exp_string("long_variable_name")
        .expect("completed global");
    s.send_line("").expect("enter");
    s.exp_string("7").expect("value");
}

#[test]
fn history_recalls_a_block_as_one_entry_across_sessions() {
    let history = history_file("history");
    let mut s = start(&history);
    enter(&mut s, "def answer():", "... ");
    enter(&mut s, "    return 6 * 7", "... ");
    enter(&mut s, "", ">>> ");
    s.send_control('d').expect("ctrl-d");
    s.exp_eof().expect("Ctrl-D leaves");

    let mut s = start(&history);
    // Up recalls the whole block; running it defines the function again.
    type_keys(&mut s, "\x1b[A");
    s.exp_string("return 6 * 7").expect("recalled block");
    s.send_line("").expect("enter");
    s.exp_regex(&fresh_prompt(">>> ")).expect("prompt");
    let out = enter(&mut s, "answer()", ">>> ");
    assert!(out.contains("42"), "{out:?}");
    s.send_line("exit()").expect("exit");
    s.exp_eof().expect("exit() leaves");
}

#[test]
fn commands_list_tasks_and_switch_the_clock() {
    let mut s = start(&history_file("commands"));
    enter(&mut s, "import asyncio", ">>> ");
    enter(
        &mut s,
        "t = asyncio.create_task(asyncio.Event().wait(), name='idle')",
        ">>> ",
    );
    let out = enter(&mut s, ":tasks", ">>> ");
    assert!(out.contains("idle (pending)"), "{out:?}");
    assert!(out.contains("created at <stdin>:1"), "{out:?}");
    let out = enter(&mut s, ":time virtual", ">>> ");
    assert!(out.contains("clock: virtual"), "{out:?}");
    // A simulated hour passes at once on the virtual clock.
    let out = enter(
        &mut s,
        "import time; t0 = time.monotonic(); await asyncio.sleep(3600); time.monotonic() - t0",
        ">>> ",
    );
    assert!(out.contains("3600.0"), "{out:?}");
    let out = enter(&mut s, ":help", ">>> ");
    assert!(out.contains(":tasks"), "{out:?}");
}
