//! The REPL's own commands, typed at the `>>> ` prompt: `:help`, `:tasks` (the live tasks of
//! the session loop: name, state, what each awaits and where) and `:time virtual|real`.

use crate::repl::session::Session;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;

const HELP: &str = "\
apy REPL: type Python (3.11 subset) and asyncio code; `await` works at the prompt.
  Tasks made with asyncio.create_task keep running while you type; what they print
  appears above the prompt.
commands:
  :help            this text
  :tasks           the session's live tasks: name, state, what each awaits, where
  :time            which clock the session runs on
  :time virtual    switch to the virtual clock (sleeps finish at once, time jumps)
  :time real       switch back to real time
keys: Tab completes, Up/Down recall history, Ctrl-C cancels, Ctrl-D or exit() leaves.
";

pub fn run(session: &mut Session, line: &str) {
    let mut words = line.split_whitespace();
    let command = words.next().unwrap_or("");
    let argument = words.next();
    let text = match (command, argument) {
        (":help" | ":h" | ":?", _) => HELP.to_string(),
        (":tasks", _) => tasks(session),
        (":time", None) => clock_line(session),
        (":time", Some("virtual")) => {
            session.vm.clock.set_virtual(true);
            clock_line(session)
        }
        (":time", Some("real")) => {
            session.vm.clock.set_virtual(false);
            clock_line(session)
        }
        (":time", Some(other)) => {
            format!("unknown clock '{other}': use :time virtual or :time real\n")
        }
        _ => format!("unknown command '{command}': type :help for the list\n"),
    };
    session.vm.write_out(&text);
    session.vm.flush_out();
}

fn clock_line(session: &Session) -> String {
    let kind = if session.vm.clock.is_virtual() {
        "virtual"
    } else {
        "real"
    };
    format!("clock: {kind}, now {:.3}\n", session.vm.clock.now())
}

fn tasks(session: &mut Session) -> String {
    let Some(prelude) = session.prelude.clone() else {
        return "no event loop in this session\n".to_string();
    };
    let Some(describe) = prelude.get_str(&PyStr::new("describe_tasks")) else {
        return "no event loop in this session\n".to_string();
    };
    let rows = match session.vm.call(&describe, &[]) {
        Ok(Value::List(rows)) => rows.snapshot(),
        Ok(_) => Vec::new(),
        Err(exc) => {
            session.report_exception(exc);
            return String::new();
        }
    };
    if rows.is_empty() {
        return "no live tasks\n".to_string();
    }
    let mut text = String::new();
    for row in rows {
        if let Value::Str(s) = row {
            text.push_str(s.as_str());
            text.push('\n');
        }
    }
    text
}
