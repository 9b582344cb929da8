//! The line reader: a thread that owns the rustyline editor, so the VM thread can keep the
//! event loop running (background tasks printing above the prompt) while a line is typed.
//! The VM thread asks for a line with a `Request`; the reader answers with an `Event` on a
//! channel and wakes the session's event loop through its mio waker (`Notifier`).

use crate::repl::editor::EditorHelper;
use crate::stdlib::asyncio::Posted;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor, ExternalPrinter};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;

/// What the VM thread asks of the reader.
pub enum Request {
    /// Read one line with this prompt.
    ReadLine(String),
    /// Record a finished input (possibly several lines) as one history entry.
    AddHistory(String),
}

/// What the reader tells the VM thread.
pub enum Event {
    Line(String),
    /// Ctrl-C while typing.
    Interrupted,
    /// Ctrl-D on an empty line, or the terminal went away.
    Eof,
    /// The Tab key: the VM answers with the start of the word and the candidates.
    Complete {
        line: String,
        pos: usize,
        reply: Sender<(usize, Vec<String>)>,
    },
}

/// Sends events to the VM thread and wakes its event loop.
#[derive(Clone)]
pub struct Notifier {
    pub events: Sender<Event>,
    /// The listener the VM armed last (see `session::Session::wait_for_event`).
    pub listener: Arc<AtomicI64>,
    pub poster: Option<crate::runtime::Completer<Posted>>,
}

impl Notifier {
    /// Queues the event first and reads the listener id after, so a listener armed after the
    /// VM last looked at the queue is always the one woken.
    pub fn send(&self, event: Event) -> bool {
        if self.events.send(event).is_err() {
            return false;
        }
        if let Some(poster) = &self.poster {
            let _ = poster.complete(Posted(self.listener.load(Ordering::SeqCst)));
        }
        true
    }
}

/// The history file: `$APY_HISTORY`, else `~/.apy_history`; `None` if there is no home.
pub fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("APY_HISTORY") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".apy_history"))
}

/// Starts the reader thread. Returns the printer through which output reaches the terminal
/// above the prompt, or an error if the terminal cannot be set up.
pub fn spawn(
    notifier: Notifier,
    requests: Receiver<Request>,
    color: bool,
) -> Result<Box<dyn ExternalPrinter + Send>, String> {
    let (printer_tx, printer_rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("apy-reader".to_string())
        .spawn(move || {
            let mut editor = match make_editor(notifier.clone(), color) {
                Ok(editor) => editor,
                Err(e) => {
                    let _ = printer_tx.send(Err(e));
                    return;
                }
            };
            match editor.create_external_printer() {
                Ok(printer) => {
                    let boxed: Box<dyn ExternalPrinter + Send> = Box::new(printer);
                    let _ = printer_tx.send(Ok(boxed));
                }
                Err(e) => {
                    let _ = printer_tx.send(Err(e.to_string()));
                    return;
                }
            }
            serve(&mut editor, &notifier, &requests);
        });
    if let Err(e) = spawned {
        return Err(e.to_string());
    }
    printer_rx
        .recv()
        .map_err(|_| "the line reader stopped".to_string())?
}

fn make_editor(
    notifier: Notifier,
    color: bool,
) -> Result<Editor<EditorHelper, FileHistory>, String> {
    let config = Config::builder()
        .auto_add_history(false)
        .max_history_size(10_000)
        .map_err(|e| e.to_string())?
        .build();
    let mut editor =
        Editor::<EditorHelper, FileHistory>::with_config(config).map_err(|e| e.to_string())?;
    editor.set_helper(Some(EditorHelper::new(notifier, color)));
    if let Some(path) = history_path() {
        let _ = editor.load_history(&path);
    }
    Ok(editor)
}

fn serve(
    editor: &mut Editor<EditorHelper, FileHistory>,
    notifier: &Notifier,
    requests: &Receiver<Request>,
) {
    while let Ok(request) = requests.recv() {
        match request {
            Request::ReadLine(prompt) => {
                let event = match editor.readline(&prompt) {
                    Ok(line) => Event::Line(line),
                    Err(ReadlineError::Interrupted) => Event::Interrupted,
                    Err(_) => Event::Eof,
                };
                if !notifier.send(event) {
                    return;
                }
            }
            Request::AddHistory(entry) => {
                // The history ignores an entry equal to the one before it.
                if editor.add_history_entry(entry).unwrap_or(false) {
                    if let Some(path) = history_path() {
                        let _ = editor.append_history(&path);
                    }
                }
            }
        }
    }
}
