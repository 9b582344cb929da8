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

// ------------------------------------------------------------------ rendering

use ariadne::{CharSet, Color, Config, IndexType, Label, Report, ReportKind};

/// The span clamped to the text and widened to whole characters: ariadne slices lines at the
/// span's ends and must never cut a character in two.
fn clamp(source: &Source, span: Span) -> std::ops::Range<usize> {
    let text = &source.text;
    let mut start = (span.start as usize).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (span.end as usize).clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

fn config(color: bool) -> Config {
    Config::default()
        .with_color(color)
        .with_index_type(IndexType::Byte)
        .with_char_set(CharSet::Unicode)
}

fn write_report(report: Report<(String, std::ops::Range<usize>)>, source: &Source) -> String {
    let mut out = Vec::new();
    let cache = (
        source.name.clone(),
        ariadne::Source::from(source.text.as_str()),
    );
    if report.write(cache, &mut out).is_err() {
        return String::new();
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A syntax or compile error as an ariadne report: `KIND: message`, a `file:line:col` header,
/// the span underlined with its label, secondary labels, and the notes as help lines.
pub fn render_diagnostic(d: &Diagnostic, color: bool) -> String {
    let name = d.source.name.clone();
    let range = clamp(&d.source, d.span);
    // ariadne underlines only labels with text, so a diagnostic without its own label
    // text still says "here".
    let primary = Label::new((name.clone(), range.clone()))
        .with_color(Color::Red)
        .with_order(0)
        .with_message(d.label.as_deref().unwrap_or("here"));
    let mut builder = Report::build(
        ReportKind::Custom(d.kind, Color::Red),
        name.clone(),
        range.start,
    )
    .with_config(config(color))
    .with_message(&d.message)
    .with_label(primary);
    for (idx, (span, text)) in d.labels.iter().enumerate() {
        let label = Label::new((name.clone(), clamp(&d.source, *span)))
            .with_message(text)
            .with_color(Color::Blue)
            .with_order(idx as i32 + 1);
        builder = builder.with_label(label);
    }
    if !d.notes.is_empty() {
        builder = builder.with_help(d.notes.join("\n"));
    }
    let text = write_report(builder.finish(), &d.source);
    let text = if color { text } else { strip_ansi(&text) };
    // CPython's layout: where, then the snippet, then `KIND: message` as the last line, so
    // the last line is the same one python3 prints. ariadne's own header would say it twice.
    let body = text.split_once('\n').map_or("", |(_, rest)| rest);
    format!("{body}{}: {}\n", d.kind, d.message)
}

/// Removes ANSI colour sequences. ariadne colours a custom report kind even when colour is
/// off, and plain output must never contain escape codes.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        if ch == '\u{1b}' {
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(ch);
        }
    }
    out
}

/// An uncaught exception in CPython's layout, with an ariadne snippet under the innermost
/// frame. The last line is always the exception's summary line.
pub fn render_traceback(tb: &Traceback, color: bool) -> String {
    render_chain(tb, Some(color), &|name| name.to_owned())
}

/// The traceback as CPython's `traceback.format_exception` writes it: the same lines as
/// `render_traceback` without the source snippet (nor, unlike CPython 3.11, the `^^^` marks
/// under the failing expression).
pub fn render_traceback_plain(tb: &Traceback) -> String {
    render_chain(tb, None, &|name| name.to_owned())
}

/// `render_traceback_plain` with each source named by `file` (the `traceback` module shows
/// files as Python code sees them, as CPython does).
pub fn render_traceback_plain_as(tb: &Traceback, file: &dyn Fn(&str) -> String) -> String {
    render_chain(tb, None, file)
}

/// `snippet_color`: `None` for no snippet, else whether the snippet is coloured; `file`
/// names each frame's source.
fn render_chain(
    tb: &Traceback,
    snippet_color: Option<bool>,
    file: &dyn Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    for (report, link) in &tb.chain {
        render_exception(&mut out, report, snippet_color, file);
        if let Some(link) = link {
            out.push('\n');
            out.push_str(link.sentence());
            out.push_str("\n\n");
        }
    }
    out
}

fn render_exception(
    out: &mut String,
    report: &ExceptionReport,
    snippet_color: Option<bool>,
    file: &dyn Fn(&str) -> String,
) {
    if !report.frames.is_empty() {
        out.push_str("Traceback (most recent call last):\n");
    }
    let mut repeats = 0;
    for (idx, frame) in report.frames.iter().enumerate() {
        let line = frame.source.line_of(frame.span.start);
        let same_as_previous = idx > 0 && {
            let prev = &report.frames[idx - 1];
            Rc::ptr_eq(&prev.source, &frame.source)
                && prev.source.line_of(prev.span.start) == line
                && prev.function == frame.function
        };
        repeats = if same_as_previous { repeats + 1 } else { 0 };
        // Like CPython, a frame repeated more than three times in a row is counted, not shown.
        if repeats >= 3 {
            let next_same = report.frames.get(idx + 1).is_some_and(|next| {
                Rc::ptr_eq(&next.source, &frame.source)
                    && next.source.line_of(next.span.start) == line
                    && next.function == frame.function
            });
            if !next_same {
                let more = repeats - 2;
                let plural = if more == 1 { "time" } else { "times" };
                out.push_str(&format!(
                    "  [Previous line repeated {more} more {plural}]\n"
                ));
            }
            continue;
        }
        out.push_str(&format!(
            "  File \"{}\", line {line}, in {}\n",
            file(&frame.source.name),
            frame.function
        ));
        let text = frame.source.line_text(line).trim();
        if !text.is_empty() {
            out.push_str(&format!("    {text}\n"));
        }
    }
    if let (Some(frame), Some(color)) = (report.frames.last(), snippet_color) {
        out.push_str(&snippet(frame, color));
    }
    for note in &report.notes {
        out.push_str(note);
        out.push('\n');
    }
    out.push_str(&report.summary);
    out.push('\n');
}

/// The ariadne snippet of a frame's span, without the report's header line (the traceback
/// already says what and where).
fn snippet(frame: &TraceFrame, color: bool) -> String {
    let name = frame.source.name.clone();
    let range = clamp(&frame.source, frame.span);
    // ariadne draws no underline for a label without text, so the label says "here".
    let label = Label::new((name.clone(), range.clone()))
        .with_color(Color::Red)
        .with_message("here");
    let report = Report::build(ReportKind::Error, name, range.start)
        .with_config(config(color))
        .with_label(label)
        .finish();
    let mut text = write_report(report, &frame.source);
    if !color {
        text = strip_ansi(&text);
    }
    match text.split_once('\n') {
        Some((_, rest)) => rest.to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(actual: &str, expected: &str) {
        assert_eq!(
            actual, expected,
            "\n--- actual ---\n{actual}\n--- expected ---\n{expected}"
        );
    }

    #[test]
    fn diagnostic_with_label_and_note() {
        let src = Source::new("x.apy", "x = 1\nif x\n    pass\n");
        let d = Diagnostic::new("SyntaxError", "expected ':'", &src, Span::new(10, 11))
            .with_label("a ':' belongs here")
            .with_note("a block starts with ':' after the `if` condition");
        check(
            &render_diagnostic(&d, false),
            "   ╭─[x.apy:2:5]\n   │\n 2 │ if x\n   │     ┬  \n   │     ╰── a ':' belongs here\n   │ \n   │ Help: a block starts with ':' after the `if` condition\n───╯\nSyntaxError: expected ':'\n",
        );
    }

    #[test]
    fn diagnostic_with_secondary_label() {
        let src = Source::new("x.apy", "x = (1,\n  2]\n");
        let d = Diagnostic::new(
            "SyntaxError",
            "closing parenthesis ']' does not match opening parenthesis '(' on line 1",
            &src,
            Span::new(11, 12),
        )
        .with_secondary(Span::new(4, 5), "opened here");
        let text = render_diagnostic(&d, false);
        assert!(
            text.ends_with("opening parenthesis '(' on line 1\n"),
            "{text}"
        );
        assert!(text.contains("x.apy:2:4"), "{text}");
        assert!(text.contains("opened here"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
    }

    #[test]
    fn spans_inside_a_character_still_render() {
        let src = Source::new("x.apy", "s = f\"{é!x}\"\n");
        let d = Diagnostic::new("SyntaxError", "bad", &src, Span::new(8, 9));
        assert!(render_diagnostic(&d, false).contains("s = f\"{é!x}\""));
    }

    #[test]
    fn empty_source_and_empty_spans() {
        for (text, start, end) in [("", 0, 0), ("x", 1, 1), ("x\n", 2, 9), ("é", 1, 1)] {
            let src = Source::new("e.apy", text);
            let d = Diagnostic::new("SyntaxError", "m", &src, Span::new(start, end));
            assert!(render_diagnostic(&d, false).ends_with("SyntaxError: m\n"));
            let tb = Traceback {
                chain: vec![(
                    ExceptionReport {
                        frames: vec![TraceFrame {
                            source: src.clone(),
                            span: Span::new(start, end),
                            function: "<module>".into(),
                        }],
                        summary: "E".into(),
                        notes: Vec::new(),
                    },
                    None,
                )],
            };
            assert!(render_traceback(&tb, false).ends_with("\nE\n"));
        }
    }

    #[test]
    fn diagnostic_at_end_of_input() {
        let src = Source::new("<stdin>", "x = (");
        let d = Diagnostic::new("SyntaxError", "unexpected EOF", &src, Span::new(5, 6));
        assert!(render_diagnostic(&d, false).ends_with("\nSyntaxError: unexpected EOF\n"));
    }

    fn frame(src: &Rc<Source>, function: &str, needle: &str) -> TraceFrame {
        let start = src.text.find(needle).unwrap();
        TraceFrame {
            source: src.clone(),
            span: Span::new(start, start + needle.len()),
            function: function.into(),
        }
    }

    #[test]
    fn traceback_layout() {
        let src = Source::new("t.apy", "def f():\n    return 1 / 0\n\nf()\n");
        let tb = Traceback {
            chain: vec![(
                ExceptionReport {
                    frames: vec![frame(&src, "<module>", "f()\n"), frame(&src, "f", "1 / 0")],
                    summary: "ZeroDivisionError: division by zero".into(),
                    notes: Vec::new(),
                },
                None,
            )],
        };
        check(
            &render_traceback(&tb, false),
            "Traceback (most recent call last):\n  File \"t.apy\", line 4, in <module>\n    f()\n  File \"t.apy\", line 2, in f\n    return 1 / 0\n   ╭─[t.apy:2:12]\n   │\n 2 │     return 1 / 0\n   │            ──┬──  \n   │              ╰──── here\n───╯\nZeroDivisionError: division by zero\n",
        );
    }

    #[test]
    fn traceback_chain_and_bare_summary() {
        let src = Source::new("t.apy", "raise E from e\n");
        let first = ExceptionReport {
            frames: Vec::new(),
            summary: "KeyError: 'k'".into(),
            notes: Vec::new(),
        };
        let second = ExceptionReport {
            frames: vec![frame(&src, "<module>", "raise E from e")],
            summary: "E".into(),
            notes: Vec::new(),
        };
        let tb = Traceback {
            chain: vec![(first, Some(ChainLink::Cause)), (second, None)],
        };
        let text = render_traceback(&tb, false);
        assert!(text.starts_with("KeyError: 'k'\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  File \"t.apy\", line 1, in <module>\n    raise E from e\n"), "{text}");
        assert_eq!(text.lines().last(), Some("E"));
    }

    #[test]
    fn repeated_frames_are_counted() {
        let src = Source::new("t.apy", "def f(n):\n    return f(n)\n\nf(1)\n");
        let mut frames = vec![frame(&src, "<module>", "f(1)")];
        frames.extend((0..10).map(|_| frame(&src, "f", "f(n)")));
        let tb = Traceback {
            chain: vec![(
                ExceptionReport {
                    frames,
                    summary: "RecursionError: maximum recursion depth exceeded".into(),
                    notes: Vec::new(),
                },
                None,
            )],
        };
        let text = render_traceback(&tb, false);
        assert_eq!(text.matches("in f\n").count(), 3, "{text}");
        assert!(
            text.contains("\n  [Previous line repeated 7 more times]\n"),
            "{text}"
        );
    }
}
