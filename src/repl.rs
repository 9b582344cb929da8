//! The interactive prompt, made for exploring async code: one VM and one event loop for the
//! session (`session.rs`), a line-reader thread owning rustyline (`reader.rs`) so background
//! tasks keep running and print above the prompt while a line is typed, Tab completion
//! (`complete.rs`, answered by the VM thread), colouring (`highlight.rs`), and the `:` commands
//! (`commands.rs`). The only module that uses rustyline.

mod commands;
mod complete;
mod editor;
pub mod highlight;
mod reader;
mod session;

use crate::vm::VmOptions;
use reader::Notifier;
use session::Session;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;

/// Runs a REPL session on the terminal; returns the exit status.
pub fn run(virtual_time: bool, color: bool) -> i32 {
    let vm = crate::pipeline::new_vm(VmOptions {
        argv: vec![String::new()],
        virtual_time,
        script_dir: None,
        quiet: false,
        budget: None,
    });
    let (request_tx, request_rx) = std::sync::mpsc::channel();
    let (event_tx, event_rx) = std::sync::mpsc::channel();
    let listener = Arc::new(AtomicI64::new(-1));
    let mut session = Session {
        vm,
        globals: Default::default(),
        prelude: None,
        color,
        requests: request_tx,
        events: event_rx,
        listener: listener.clone(),
        pending: None,
    };
    session.globals = session.vm.main_globals();
    let loop_id = session.start_loop();
    let poster = loop_id.and_then(|id| crate::stdlib::asyncio::poster(&mut session.vm, id));
    let notifier = Notifier {
        events: event_tx,
        listener,
        poster,
    };
    let printer = match reader::spawn(notifier, request_rx, color) {
        Ok(printer) => printer,
        Err(e) => {
            eprintln!("apy: cannot start the interactive prompt: {e}");
            return 1;
        }
    };
    let mut printer = printer;
    session.vm.sink = Some(Box::new(move |text: String| {
        let _ = printer.print(text);
    }));
    let clock = if virtual_time { "virtual" } else { "real" };
    session.vm.write_out(&format!(
        "apy {} (Python 3.11 syntax, asyncio built in; {clock} clock)\n\
         Type :help for help; await works at the prompt; exit() or Ctrl-D leaves.\n",
        env!("CARGO_PKG_VERSION")
    ));
    session.vm.flush_out();
    let code = session.run();
    session.vm.flush_out();
    code
}
