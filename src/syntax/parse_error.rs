//! Turns a parser failure into one plain sentence, CPython's where it has one: looks at the
//! token found, the tokens around it and the set the grammar expected, and never lists token
//! sets. The parser driver lowers lalrpop's error into `Failure` first, so this module does not
//! depend on lalrpop.

use crate::diagnostics::Diagnostic;
use crate::syntax::lexer::{Spanned, SyntaxFault};
use crate::syntax::span::{Source, Span};
use crate::syntax::token::Token;
use std::rc::Rc;

/// A parser failure, independent of the parser generator.
pub enum Failure {
    /// An unexpected token (`tok` is `None` when the parser could not say which).
    Token {
        start: usize,
        end: usize,
        tok: Option<Token>,
        expected: Vec<String>,
    },
    /// The input ended where more was expected.
    Eof {
        location: usize,
        expected: Vec<String>,
    },
    /// An error raised by the lexer, the layout pass or a grammar action.
    User(SyntaxFault),
}

struct Ctx<'a> {
    source: &'a Rc<Source>,
    toks: &'a [Spanned],
    expected: &'a [String],
}

impl Ctx<'_> {
    fn expects(&self, terminal: &str) -> bool {
        self.expected
            .iter()
            .any(|e| e.trim_matches('"') == terminal.trim_matches('"'))
    }

    fn fault(&self, kind: &'static str, msg: impl Into<String>, span: Span) -> SyntaxFault {
        SyntaxFault::new(Diagnostic::new(kind, msg, self.source, span))
    }
}

pub fn describe(source: &Rc<Source>, toks: &[Spanned], failure: Failure) -> SyntaxFault {
    match failure {
        Failure::User(fault) => fault,
        Failure::Eof { location, expected } => {
            let ctx = Ctx {
                source,
                toks,
                expected: &expected,
            };
            let idx = toks.len();
            let span = Span::new(location, location);
            let mut fault = if ctx.expects("INDENT") {
                expected_block(&ctx, idx, span)
            } else {
                ctx.fault("SyntaxError", "unexpected end of input", span)
            };
            fault.incomplete = true;
            fault
        }
        Failure::Token {
            start,
            end,
            tok,
            expected,
        } => {
            let ctx = Ctx {
                source,
                toks,
                expected: &expected,
            };
            let idx = toks
                .iter()
                .position(|t| t.0 == start && Some(&t.1) == tok.as_ref())
                .unwrap_or(toks.len());
            unexpected_token(&ctx, idx, tok, Span::new(start, end))
        }
    }
}

fn unexpected_token(ctx: &Ctx, idx: usize, tok: Option<Token>, span: Span) -> SyntaxFault {
    let prev = idx.checked_sub(1).and_then(|p| ctx.toks.get(p));
    let next_span = ctx.toks.get(idx + 1).map_or(span, |t| Span::new(t.0, t.2));
    match tok {
        Some(Token::Indent) => {
            return ctx.fault("IndentationError", "unexpected indent", next_span);
        }
        _ if ctx.expects("INDENT") => {
            let mut fault = expected_block(ctx, idx, span);
            // Only layout tokens follow: the input ended before the block's body.
            fault.incomplete = ctx
                .toks
                .get(idx..)
                .is_some_and(|rest| rest.iter().all(|t| t.1 == Token::Dedent));
            return fault;
        }
        Some(Token::Newline) if ctx.expects(":") => {
            let header = header_keyword(ctx, idx);
            let mut fault = ctx.fault("SyntaxError", "expected ':'", point(span));
            if let Some(hint) = header.and_then(colon_hint) {
                fault.diag.notes.push(hint.to_string());
            }
            return fault;
        }
        Some(Token::Newline) if ctx.expects("else") && ctx.expected.len() <= 2 => {
            let msg = "expected 'else' after 'if' expression";
            return ctx.fault("SyntaxError", msg, point(span));
        }
        Some(Token::Assign) => {
            let msg = "invalid syntax. Maybe you meant '==' or ':=' instead of '='?";
            return ctx.fault("SyntaxError", msg, span);
        }
        _ => {}
    }
    if let (Some(tok), Some(prev)) = (&tok, prev) {
        if is_print_statement(ctx, idx, tok) {
            let msg = "Missing parentheses in call to 'print'. Did you mean print(...)?";
            return ctx.fault("SyntaxError", msg, Span::new(prev.0, span.end as usize));
        }
        if starts_expr(tok) && ends_expr(&prev.1) && bracket_depth(ctx.toks, idx) > 0 {
            let msg = "invalid syntax. Perhaps you forgot a comma?";
            return ctx.fault("SyntaxError", msg, Span::new(prev.0, span.end as usize));
        }
    }
    let span = if tok == Some(Token::Newline) || tok == Some(Token::Dedent) {
        point(span)
    } else {
        span
    };
    ctx.fault("SyntaxError", "invalid syntax", span)
}

/// A one-character span at `span.start`, for errors at an end of line.
fn point(span: Span) -> Span {
    Span {
        start: span.start,
        end: span.start.saturating_add(1),
    }
}

/// "expected an indented block after 'if' statement on line 3", pointing at what came instead.
fn expected_block(ctx: &Ctx, idx: usize, span: Span) -> SyntaxFault {
    let what = match header_start(ctx, idx) {
        Some((keyword, line)) => format!(" after {} on line {line}", header_description(keyword)),
        None => String::new(),
    };
    let span = if span.start == span.end {
        point(span)
    } else {
        span
    };
    ctx.fault(
        "IndentationError",
        format!("expected an indented block{what}"),
        span,
    )
}

/// The first token of the logical line before the failing token's line, with its line.
fn header_start<'a>(ctx: &'a Ctx, idx: usize) -> Option<(&'a Token, usize)> {
    // Skip back over the NEWLINE that ended the header.
    let end = ctx.toks.get(..idx)?;
    let end = match end.last() {
        Some((_, Token::Newline, _)) => &end[..end.len() - 1],
        _ => end,
    };
    let start = end
        .iter()
        .rposition(|t| matches!(t.1, Token::Newline | Token::Indent | Token::Dedent))
        .map_or(0, |p| p + 1);
    let mut first = end.get(start)?;
    if first.1 == Token::Async {
        first = end.get(start + 1)?;
    }
    Some((&first.1, ctx.source.line_of(first.0 as u32)))
}

fn header_keyword<'a>(ctx: &'a Ctx, idx: usize) -> Option<&'a Token> {
    let start = ctx
        .toks
        .get(..idx)?
        .iter()
        .rposition(|t| matches!(t.1, Token::Newline | Token::Indent | Token::Dedent))
        .map_or(0, |p| p + 1);
    let first = ctx.toks.get(start)?;
    if first.1 == Token::Async {
        return ctx.toks.get(start + 1).map(|t| &t.1);
    }
    Some(&first.1)
}

fn header_description(keyword: &Token) -> &'static str {
    match keyword {
        Token::If => "'if' statement",
        Token::Elif => "'elif' statement",
        Token::Else => "'else' statement",
        Token::While => "'while' statement",
        Token::For => "'for' statement",
        Token::Try => "'try' statement",
        Token::Except => "'except' statement",
        Token::Finally => "'finally' statement",
        Token::With => "'with' statement",
        Token::Def => "function definition",
        Token::Class => "class definition",
        _ => "':'",
    }
}

fn colon_hint(keyword: &Token) -> Option<&'static str> {
    Some(match keyword {
        Token::If => "a block starts with ':' after the `if` condition",
        Token::Elif => "a block starts with ':' after the `elif` condition",
        Token::Else => "write `else:` to start the block",
        Token::While => "a block starts with ':' after the `while` condition",
        Token::For => "a block starts with ':' after `for target in iterable`",
        Token::Try => "write `try:` to start the block",
        Token::Except => "a block starts with ':' after the `except` clause",
        Token::Finally => "write `finally:` to start the block",
        Token::With => "a block starts with ':' after the `with` items",
        Token::Def => "a function body starts with ':' after the parameter list",
        Token::Class => "a class body starts with ':' after the class name or bases",
        _ => return None,
    })
}

fn is_print_statement(ctx: &Ctx, idx: usize, tok: &Token) -> bool {
    let Some(prev_idx) = idx.checked_sub(1) else {
        return false;
    };
    let is_print =
        matches!(ctx.toks.get(prev_idx), Some((_, Token::Name(n), _)) if &**n == "print");
    let line_start = prev_idx == 0
        || matches!(
            ctx.toks.get(prev_idx - 1),
            Some((
                _,
                Token::Newline | Token::Indent | Token::Dedent | Token::Semi,
                _
            ))
        );
    is_print && line_start && starts_expr(tok)
}

fn starts_expr(tok: &Token) -> bool {
    matches!(
        tok,
        Token::Name(_)
            | Token::Number(_)
            | Token::Str(_)
            | Token::None
            | Token::True
            | Token::False
            | Token::LParen
            | Token::LBracket
            | Token::LBrace
            | Token::Ellipsis
            | Token::Lambda
            | Token::Not
            | Token::Tilde
            | Token::Await
    )
}

fn ends_expr(tok: &Token) -> bool {
    matches!(
        tok,
        Token::Name(_)
            | Token::Number(_)
            | Token::Str(_)
            | Token::None
            | Token::True
            | Token::False
            | Token::RParen
            | Token::RBracket
            | Token::RBrace
            | Token::Ellipsis
    )
}

fn bracket_depth(toks: &[Spanned], idx: usize) -> usize {
    let mut depth = 0usize;
    for tok in toks.iter().take(idx) {
        match tok.1 {
            // A replacement field's expression is parsed as if parenthesised.
            Token::LParen
            | Token::LBracket
            | Token::LBrace
            | Token::WithLParen
            | Token::FieldStart => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace | Token::WithRParen => {
                depth = depth.saturating_sub(1)
            }
            _ => {}
        }
    }
    depth
}
