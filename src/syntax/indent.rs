//! The layout pass: an iterator adapter from raw tokens to tokens with NEWLINE, INDENT and
//! DEDENT, as CPython's tokenizer produces them. It also tracks bracket nesting (newlines inside
//! brackets vanish, unmatched and unclosed brackets are reported here). It knows nothing of the
//! grammar beyond brackets and line structure.

use crate::diagnostics::Diagnostic;
use crate::syntax::lexer::{Spanned, SyntaxFault};
use crate::syntax::span::{Source, Span};
use crate::syntax::token::Token;
use std::collections::VecDeque;
use std::rc::Rc;

/// The deepest bracket nesting accepted, as in CPython's tokenizer.
pub const MAX_BRACKET_DEPTH: usize = 200;

/// The most indentation levels accepted, as in CPython's tokenizer.
pub const MAX_INDENT_LEVELS: usize = 100;

/// The width of one indentation as CPython measures it twice: with tabs advancing to the next
/// multiple of 8, and with tabs counting 1. Both orders must agree, or the file mixes tabs and
/// spaces ambiguously.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Width {
    tab8: usize,
    tab1: usize,
}

impl Width {
    const ZERO: Width = Width { tab8: 0, tab1: 0 };

    /// Measures leading whitespace: a tab advances to the next multiple of 8 (or by 1 in the
    /// second measure), a form feed resets the column, as in CPython.
    fn measure(whitespace: &str) -> Width {
        let mut width = Width::ZERO;
        for ch in whitespace.chars() {
            match ch {
                '\t' => {
                    width.tab8 = (width.tab8 / 8 + 1) * 8;
                    width.tab1 += 1;
                }
                '\x0c' => width = Width::ZERO,
                _ => {
                    width.tab8 += 1;
                    width.tab1 += 1;
                }
            }
        }
        width
    }
}

pub struct Layout<I> {
    tokens: I,
    source: Rc<Source>,
    indents: Vec<Width>,
    brackets: Vec<(u8, Span)>,
    pending: VecDeque<Result<Spanned, SyntaxFault>>,
    /// True until the first token of the current logical line has been seen.
    at_line_start: bool,
    last_end: usize,
    done: bool,
}

impl<I: Iterator<Item = Result<Spanned, SyntaxFault>>> Layout<I> {
    pub fn new(tokens: I, source: &Rc<Source>) -> Layout<I> {
        Layout {
            tokens,
            source: source.clone(),
            indents: vec![Width::ZERO],
            brackets: Vec::new(),
            pending: VecDeque::new(),
            at_line_start: true,
            last_end: 0,
            done: false,
        }
    }

    fn error(&self, kind: &'static str, msg: impl Into<String>, span: Span) -> SyntaxFault {
        SyntaxFault::new(Diagnostic::new(kind, msg, &self.source, span))
    }

    fn finish(&mut self) {
        self.done = true;
        if let Some(&(open, span)) = self.brackets.last() {
            let diag = Diagnostic::new(
                "SyntaxError",
                format!("'{}' was never closed", open as char),
                &self.source,
                span,
            )
            .with_label("opened here");
            self.pending.push_back(Err(SyntaxFault {
                diag: Box::new(diag),
                incomplete: true,
            }));
            return;
        }
        let end = self.last_end;
        if !self.at_line_start {
            self.pending.push_back(Ok((end, Token::Newline, end)));
        }
        for _ in 1..self.indents.len() {
            self.pending.push_back(Ok((end, Token::Dedent, end)));
        }
    }

    fn tab_error(&self, span: Span) -> SyntaxFault {
        self.error(
            "TabError",
            "inconsistent use of tabs and spaces in indentation",
            span,
        )
    }

    /// Measures the indentation of the line holding `start` and queues INDENT/DEDENT tokens.
    fn indent_line(&mut self, start: usize) -> Result<(), SyntaxFault> {
        let text = &self.source.text;
        let line_start = text
            .get(..start)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |idx| idx + 1);
        let width = Width::measure(text.get(line_start..start).unwrap_or(""));
        let span = Span::new(line_start, start);
        let top = self.top();
        if width.tab8 == top.tab8 {
            if width.tab1 != top.tab1 {
                return Err(self.tab_error(span));
            }
        } else if width.tab8 > top.tab8 {
            if width.tab1 <= top.tab1 {
                return Err(self.tab_error(span));
            }
            if self.indents.len() >= MAX_INDENT_LEVELS {
                return Err(self
                    .error("IndentationError", "too many levels of indentation", span)
                    .with_label("the limit of 100 nested blocks is reached here"));
            }
            self.indents.push(width);
            self.pending
                .push_back(Ok((line_start, Token::Indent, start)));
        } else {
            self.dedent_to(width, span)?;
        }
        Ok(())
    }

    fn top(&self) -> Width {
        self.indents.last().copied().unwrap_or(Width::ZERO)
    }

    /// Closes blocks down to `width`, which must match an enclosing block exactly.
    fn dedent_to(&mut self, width: Width, span: Span) -> Result<(), SyntaxFault> {
        // DEDENT sits at the end of the previous line's last token, so a block statement's
        // span ends where its body ends.
        let end = self.last_end;
        while self.indents.last().is_some_and(|w| w.tab8 > width.tab8) {
            self.indents.pop();
            self.pending.push_back(Ok((end, Token::Dedent, end)));
        }
        let top = self.top();
        if top.tab8 != width.tab8 {
            return Err(self
                .error(
                    "IndentationError",
                    "unindent does not match any outer indentation level",
                    span,
                )
                .with_label("this indentation matches no enclosing block"));
        }
        if top.tab1 != width.tab1 {
            return Err(self.tab_error(span));
        }
        Ok(())
    }

    /// Keeps the bracket stack in step with `tok`.
    fn track_bracket(&mut self, tok: &Token, span: Span) -> Result<(), SyntaxFault> {
        let (open, close) = match tok {
            Token::LParen | Token::WithLParen => (Some(b'('), None),
            Token::LBracket => (Some(b'['), None),
            Token::LBrace => (Some(b'{'), None),
            Token::RParen | Token::WithRParen => (None, Some(b')')),
            Token::RBracket => (None, Some(b']')),
            Token::RBrace => (None, Some(b'}')),
            _ => return Ok(()),
        };
        if let Some(open) = open {
            if self.brackets.len() >= MAX_BRACKET_DEPTH {
                return Err(self
                    .error("SyntaxError", "too many nested parentheses", span)
                    .with_label("the limit of 200 open brackets is reached here"));
            }
            self.brackets.push((open, span));
            return Ok(());
        }
        let close = close.unwrap_or(b')');
        let Some((open, open_span)) = self.brackets.pop() else {
            return Err(self
                .error(
                    "SyntaxError",
                    format!("unmatched '{}'", close as char),
                    span,
                )
                .with_label("nothing is open here for this to close"));
        };
        let matching = matches!((open, close), (b'(', b')') | (b'[', b']') | (b'{', b'}'));
        if matching {
            return Ok(());
        }
        let open_line = self.source.line_of(open_span.start);
        let where_ = if open_line == self.source.line_of(span.start) {
            String::new()
        } else {
            format!(" on line {open_line}")
        };
        let msg = format!(
            "closing parenthesis '{}' does not match opening parenthesis '{}'{where_}",
            close as char, open as char
        );
        Err(self
            .error("SyntaxError", msg, span)
            .with_label("closed here")
            .with_secondary(open_span, "opened here"))
    }

    fn step(&mut self, item: Result<Spanned, SyntaxFault>) -> Result<(), SyntaxFault> {
        let (start, tok, end) = item?;
        if tok == Token::Newline {
            if self.brackets.is_empty() && !self.at_line_start {
                // NEWLINE is placed right after the line's last token, so statement spans
                // exclude trailing comments and errors at the end of a line point there.
                self.at_line_start = true;
                let at = self.last_end;
                self.pending.push_back(Ok((at, Token::Newline, at)));
            }
            return Ok(());
        }
        if self.at_line_start {
            self.indent_line(start)?;
            self.at_line_start = false;
        }
        self.track_bracket(&tok, Span::new(start, end))?;
        self.last_end = end;
        self.pending.push_back(Ok((start, tok, end)));
        Ok(())
    }
}

impl<I: Iterator<Item = Result<Spanned, SyntaxFault>>> Iterator for Layout<I> {
    type Item = Result<Spanned, SyntaxFault>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            match self.tokens.next() {
                None => self.finish(),
                Some(item) => {
                    if let Err(fault) = self.step(item) {
                        self.done = true;
                        self.pending.clear();
                        return Some(Err(fault));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::lexer::Lexer;

    fn check(text: &str, expected: &str) {
        let src = Source::new("t", text);
        let mut out = Vec::new();
        for item in Layout::new(Lexer::new(&src, &src.text, 0), &src) {
            match item {
                Ok((_, tok, _)) => out.push(match tok {
                    Token::Name(name) => name.to_string(),
                    Token::Newline => "NL".into(),
                    Token::Indent => "IN".into(),
                    Token::Dedent => "DE".into(),
                    other => format!("{other:?}"),
                }),
                Err(fault) => out.push(format!("!{}: {}", fault.diag.kind, fault.diag.message)),
            }
        }
        assert_eq!(out.join(" "), expected, "input: {text:?}");
    }

    #[test]
    fn blocks_of_mixed_widths() {
        check(
            "a\nif b:\n  c\n  if d:\n      e\n\n  # note\n  f\ng",
            "a NL If b Colon NL IN c NL If d Colon NL IN e NL DE f NL DE g NL",
        );
        check("if a:\n\tb\n\tc\n", "If a Colon NL IN b NL c NL DE");
        check(
            "if a:\n\tif b:\n\t\tc\n",
            "If a Colon NL IN If b Colon NL IN c NL DE DE",
        );
    }

    #[test]
    fn brackets_hide_newlines() {
        check(
            "x = (1,\n  2)\ny",
            "x Assign LParen Number(Int(1)) Comma Number(Int(2)) RParen NL y NL",
        );
        check(
            "x = (1,\n",
            "x Assign LParen Number(Int(1)) Comma !SyntaxError: '(' was never closed",
        );
        check("x)", "x !SyntaxError: unmatched ')'");
        check(
            "(]",
            "LParen !SyntaxError: closing parenthesis ']' does not match opening parenthesis '('",
        );
    }

    #[test]
    fn indentation_errors() {
        check("if a:\n    b\n  c", "If a Colon NL IN b NL !IndentationError: unindent does not match any outer indentation level");
        check(
            "if a:\n\tb\n        c",
            "If a Colon NL IN b NL !TabError: inconsistent use of tabs and spaces in indentation",
        );
        check("  x", "IN x NL DE");
    }

    #[test]
    fn too_many_indentation_levels() {
        let mut text = String::new();
        for level in 0..101 {
            text.push_str(&" ".repeat(level));
            text.push_str("if x:\n");
        }
        let src = Source::new("t", text);
        let last = Layout::new(Lexer::new(&src, &src.text, 0), &src).last();
        let Some(Err(fault)) = last else {
            panic!("expected an error");
        };
        assert_eq!(fault.diag.message, "too many levels of indentation");
    }

    #[test]
    fn deep_brackets_stop_early() {
        let text = "(".repeat(100_000);
        let src = Source::new("t", text);
        let last = Layout::new(Lexer::new(&src, &src.text, 0), &src).last();
        let Some(Err(fault)) = last else {
            panic!("expected an error");
        };
        assert_eq!(fault.diag.message, "too many nested parentheses");
    }
}
