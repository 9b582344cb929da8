//! Every error a user sees: the `Diagnostic` type for syntax and compile errors, the
//! `Traceback` report for uncaught exceptions, and their rendering with ariadne.
//! This is the only module that imports ariadne and the only one that formats errors for
//! humans; other stages build these values and hand them over.

use crate::syntax::span::{Source, Span};
use std::rc::Rc;

/// A source-level error: syntax, indentation, or a compile-time check.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// The Python exception class it corresponds to: `SyntaxError`, `IndentationError`, ...
    pub kind: &'static str,
    /// One plain sentence.
    pub message: String,
    pub source: Rc<Source>,
    /// Where the error is; the label text says what is wrong right there.
    pub span: Span,
    pub label: Option<String>,
    /// Secondary places, e.g. "unclosed '(' opened here".
    pub labels: Vec<(Span, String)>,
    /// Hints shown under the snippet.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(
        kind: &'static str,
        message: impl Into<String>,
        source: &Rc<Source>,
        span: Span,
    ) -> Diagnostic {
        Diagnostic {
            kind,
            message: message.into(),
            source: source.clone(),
            span,
            label: None,
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.labels.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }
}

/// One frame of a traceback: the function's name and the span of the expression it was
/// executing.
#[derive(Clone, Debug)]
pub struct TraceFrame {
    pub source: Rc<Source>,
    pub span: Span,
    pub function: String,
}

/// One exception of an uncaught chain, as CPython prints it.
#[derive(Clone, Debug)]
pub struct ExceptionReport {
    /// Outermost call first, as in "most recent call last".
    pub frames: Vec<TraceFrame>,
    /// The final line, exactly as CPython prints it: `TypeError: unsupported operand ...`,
    /// or only the class name when the message is empty.
    pub summary: String,
    /// Extra lines CPython prints for this exception (task creation site, group members).
    pub notes: Vec<String>,
}

/// How an exception in a chain relates to the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainLink {
    /// `raise X from Y`: Y is printed first, then this sentence, then X.
    Cause,
    /// An exception raised while handling another.
    Context,
}

/// An uncaught exception with its causes and contexts, earliest first.
#[derive(Clone, Debug)]
pub struct Traceback {
    /// `(report, link to the next report)`; the last entry's link is `None`.
    pub chain: Vec<(ExceptionReport, Option<ChainLink>)>,
}

impl ChainLink {
    pub fn sentence(self) -> &'static str {
        match self {
            ChainLink::Cause => {
                "The above exception was the direct cause of the following exception:"
            }
            ChainLink::Context => {
                "During handling of the above exception, another exception occurred:"
            }
        }
    }
}
