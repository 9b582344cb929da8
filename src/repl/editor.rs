//! The rustyline helper: Tab completion (asked of the VM thread, which knows the names in
//! scope) and syntax colouring. Validation and hints stay rustyline's defaults: whether an
//! input is complete is the parser's call, made on the VM thread line by line.

use crate::repl::highlight::{highlight, KEYWORDS};
use crate::repl::reader::{Event, Notifier};
use rustyline::completion::Completer;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::time::Duration;

/// How long Tab waits for the VM thread (busy running a CPU-bound task, say) before it falls
/// back to completing keywords only.
const COMPLETION_WAIT: Duration = Duration::from_millis(500);

pub struct EditorHelper {
    notifier: Notifier,
    color: bool,
}

impl EditorHelper {
    pub fn new(notifier: Notifier, color: bool) -> EditorHelper {
        EditorHelper { notifier, color }
    }
}

impl Completer for EditorHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = line.get(..pos).unwrap_or(line);
        // Tab in the indentation indents, as in Python's prompt.
        if before.chars().all(char::is_whitespace) {
            return Ok((pos, vec!["    ".to_string()]));
        }
        let (reply, answer) = std::sync::mpsc::channel();
        let asked = self.notifier.send(Event::Complete {
            line: line.to_string(),
            pos,
            reply,
        });
        if asked {
            if let Ok(found) = answer.recv_timeout(COMPLETION_WAIT) {
                return Ok(found);
            }
        }
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        let found = KEYWORDS
            .iter()
            .filter(|k| k.starts_with(word))
            .map(|k| k.to_string())
            .collect();
        Ok((start, found))
    }
}

impl Highlighter for EditorHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

impl Hinter for EditorHelper {
    type Hint = String;
}

impl Validator for EditorHelper {}

impl Helper for EditorHelper {}
