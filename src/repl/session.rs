//! The VM side of the REPL: one VM, one `__main__` namespace and one event loop for the whole
//! session. Between inputs the loop keeps running (background tasks print above the prompt)
//! until the line reader posts an event; each complete input is compiled in interactive mode
//! (expression statements echo their repr) and run, as a task on the session loop if it awaits
//! at top level. Errors are reported and the session goes on.

use crate::compile::code::CodeKind;
use crate::compile::codegen::compile_module;
use crate::diagnostics::{render_diagnostic, render_traceback};
use crate::repl::commands;
use crate::repl::complete::candidates;
use crate::repl::reader::{Event, Request};
use crate::syntax::parser::{is_incomplete, needs_more_input, parse_module};
use crate::syntax::span::Source;
use crate::vm::exception::{Exc, ExcKind};
use crate::vm::object::dict::Dict;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use crate::vm::Vm;
use std::rc::Rc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::Arc;

const PRELUDE: &str = include_str!("prelude.apy");

pub struct Session {
    pub vm: Vm,
    pub globals: Rc<Dict>,
    /// The prelude's namespace; `None` if the event loop could not be set up, in which case
    /// the session still runs code but waits for input without a loop.
    pub prelude: Option<Rc<Dict>>,
    pub color: bool,
    pub requests: Sender<Request>,
    pub events: Receiver<Event>,
    /// The listener id the line reader posts to (see `reader::Notifier`).
    pub listener: Arc<AtomicI64>,
    /// An event taken off the channel while arming a listener, handled next.
    pub pending: Option<Event>,
}

/// What to do after an input.
pub enum Next {
    Continue,
    Exit(i32),
}

impl Session {
    /// Runs the prelude (the session loop). Returns the loop's id for the reader's poster.
    pub fn start_loop(&mut self) -> Option<i64> {
        let source = Source::new("<repl>/prelude.apy", PRELUDE);
        let code = parse_module(&source)
            .and_then(|m| compile_module(&m, &source, false))
            .ok()?;
        let (_, dict) = self.vm.new_module("_repl");
        dict.set_item_str("__builtins__", Value::Dict(self.vm.builtins.clone()));
        if let Err(exc) = self.vm.run_code(code, dict.clone()) {
            self.report_exception(exc);
            return None;
        }
        let lp = dict.get_str(&PyStr::new("loop"))?;
        let id = self.vm.get_attr_str(&lp, "_id").ok()?;
        self.prelude = Some(dict);
        match id {
            Value::Int(id) => Some(id),
            _ => None,
        }
    }

    /// The read-eval-print loop. Returns the exit status.
    pub fn run(&mut self) -> i32 {
        let mut buffer = String::new();
        loop {
            let prompt = if buffer.is_empty() { ">>> " } else { "... " };
            if self
                .requests
                .send(Request::ReadLine(prompt.to_string()))
                .is_err()
            {
                return 0;
            }
            match self.wait_for_event() {
                Event::Line(line) => {
                    if buffer.is_empty() && line.trim_start().starts_with(':') {
                        commands::run(self, line.trim());
                        continue;
                    }
                    let pasted = line.contains('\n');
                    buffer.push_str(&line);
                    buffer.push('\n');
                    if buffer.trim().is_empty() {
                        buffer.clear();
                        continue;
                    }
                    let source = Source::new("<stdin>", buffer.clone());
                    // A recalled or pasted block is complete once it parses; a typed one, as
                    // in Python's prompt, once an empty line closes its last compound statement.
                    let more = if pasted {
                        is_incomplete(&source)
                    } else {
                        needs_more_input(&source)
                    };
                    if more {
                        continue;
                    }
                    let entry = buffer.trim_end().to_string();
                    let _ = self.requests.send(Request::AddHistory(entry));
                    buffer.clear();
                    if let Next::Exit(code) = self.execute(source) {
                        return code;
                    }
                }
                Event::Interrupted => {
                    buffer.clear();
                    self.vm.write_err("KeyboardInterrupt\n");
                }
                Event::Eof => {
                    self.vm.flush_out();
                    return 0;
                }
                Event::Complete { .. } => {}
            }
        }
    }

    /// Runs the session loop until the reader sends something other than a completion
    /// request (those are answered on the way).
    fn wait_for_event(&mut self) -> Event {
        loop {
            let next = match self.pending.take() {
                Some(event) => Ok(event),
                None => self.events.try_recv(),
            };
            match next {
                Ok(Event::Complete { line, pos, reply }) => {
                    let found = candidates(&mut self.vm, &self.globals.clone(), &line, pos);
                    let _ = reply.send(found);
                    continue;
                }
                Ok(event) => return event,
                Err(TryRecvError::Disconnected) => return Event::Eof,
                Err(TryRecvError::Empty) => {}
            }
            let Some(prelude) = self.prelude.clone() else {
                return match self.events.recv() {
                    Ok(event) => event,
                    Err(_) => Event::Eof,
                };
            };
            if let Err(exc) = self.wait_on_loop(&prelude) {
                self.report_exception(exc);
            }
        }
    }

    /// Arms a listener, publishes its id to the reader, and runs the loop until it fires.
    fn wait_on_loop(&mut self, prelude: &Rc<Dict>) -> Result<(), Exc> {
        let armed = self.call_prelude(prelude, "arm", &[])?;
        let (fut, listener) = match &armed {
            Value::Tuple(t) if t.items.len() == 2 => (t.items[0].clone(), t.items[1].clone()),
            _ => return Err(Exc::runtime_error("the REPL prelude's arm() is broken")),
        };
        if let Value::Int(id) = listener {
            self.listener.store(id, Ordering::SeqCst);
        }
        // An event queued before the id was published may have posted to an old listener:
        // look again now that the new one is visible.
        if let Ok(event) = self.events.try_recv() {
            self.pending = Some(event);
            return self
                .call_prelude(prelude, "disarm", &[listener])
                .map(|_| ());
        }
        self.call_prelude(prelude, "wait", &[fut, listener])
            .map(|_| ())
    }

    fn call_prelude(
        &mut self,
        prelude: &Rc<Dict>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Exc> {
        let func = prelude
            .get_str(&PyStr::new(name))
            .ok_or_else(|| Exc::runtime_error(format!("the REPL prelude has no {name}()")))?;
        self.vm.call(&func, args)
    }

    /// Compiles and runs one complete input.
    fn execute(&mut self, source: Rc<Source>) -> Next {
        let code = match parse_module(&source).and_then(|m| compile_module(&m, &source, true)) {
            Ok(code) => code,
            Err(diags) => {
                for diag in &diags {
                    let text = render_diagnostic(diag, self.color);
                    self.vm.write_err(&text);
                }
                return Next::Continue;
            }
        };
        let res = if code.kind == CodeKind::Coroutine {
            let coro = self.vm.module_coroutine(code, self.globals.clone());
            match self.prelude.clone() {
                Some(prelude) => self.call_prelude(&prelude, "run_input", &[coro]),
                None => Err(Exc::runtime_error(
                    "top-level await needs the session's event loop",
                )),
            }
        } else {
            self.vm.run_code(code, self.globals.clone())
        };
        self.vm.flush_out();
        match res {
            Ok(_) => Next::Continue,
            Err(exc) => self.report_exception(exc),
        }
    }

    /// Prints an exception's traceback; `SystemExit` ends the session.
    pub fn report_exception(&mut self, exc: Exc) -> Next {
        crate::vm::interrupt::clear();
        let exc = self.vm.exc_value(exc);
        let is_exit = self.vm.exc_is(&exc, ExcKind::SystemExit);
        let outcome = self.vm.uncaught(exc);
        if let Some(tb) = &outcome.uncaught {
            let text = render_traceback(tb, self.color);
            self.vm.write_err(&text);
        }
        if is_exit {
            Next::Exit(outcome.exit_code)
        } else {
            Next::Continue
        }
    }
}
