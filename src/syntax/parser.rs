//! The parser driver: runs lexer → layout pass → the lalrpop-generated parser, and turns
//! lalrpop's raw errors into one plain sentence each. Large sources are parsed on a thread with
//! a big stack, so that dropping a rejected, absurdly deep tree cannot overflow the caller's.
//! This is the only module that names lalrpop types; the grammar itself lives in
//! `grammar/apy.lalrpop`, its action helpers in `grammar_util.rs`, error wording in
//! `parse_error.rs`, and the depth guard in `depth.rs`.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Expr, Module, Stmt, StmtKind};
use crate::syntax::depth::check_depth;
use crate::syntax::grammar_util::Top;
use crate::syntax::indent::{Layout, MAX_BRACKET_DEPTH};
use crate::syntax::lexer::{Lexer, Spanned, SyntaxFault};
use crate::syntax::parse_error::{describe, Failure};
use crate::syntax::span::{Source, Span};
use crate::syntax::token::Token;
use lalrpop_util::ParseError;
use std::rc::Rc;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused)]
    grammar,
    "/apy.rs"
);

type RawError = ParseError<usize, Token, SyntaxFault>;

// Parsing never recurses per nesting level, but dropping a rejected, very deep tree does:
// callers run on the interpreter thread, whose large stack (see main.rs) absorbs that.

/// Parses a whole module. Errors: the first syntax error, as one diagnostic.
pub fn parse_module(source: &Rc<Source>) -> Result<Module, Vec<Diagnostic>> {
    parse_here(source).map_err(|fault| vec![*fault.diag])
}

/// True when the only problem with `source` is that it ended too early: an open bracket, a
/// block header with no body yet, an unfinished triple-quoted string, a trailing backslash.
pub fn is_incomplete(source: &Rc<Source>) -> bool {
    matches!(parse_here(source), Err(fault) if fault.incomplete)
}

/// The REPL's question, answered as CPython's interactive prompt does: more lines are needed
/// when the input is incomplete, or when it ends in a compound statement (`if`, `def`, ...,
/// even a one-line `if x: pass`) that no empty line has closed yet. The text is every line
/// entered so far, each followed by `\n`; an empty line entered shows up as a final `\n\n`.
pub fn needs_more_input(source: &Rc<Source>) -> bool {
    match parse_here(source) {
        Err(fault) => fault.incomplete,
        Ok(module) => {
            let compound = module.body.last().is_some_and(|stmt| {
                matches!(
                    stmt.kind,
                    StmtKind::If { .. }
                        | StmtKind::While { .. }
                        | StmtKind::For { .. }
                        | StmtKind::With { .. }
                        | StmtKind::Try { .. }
                        | StmtKind::FunctionDef(_)
                        | StmtKind::ClassDef(_)
                        | StmtKind::Match { .. }
                )
            });
            compound && !ends_with_empty_line(&source.text)
        }
    }
}

fn ends_with_empty_line(text: &str) -> bool {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let last_line = text.rsplit('\n').next().unwrap_or("");
    text.contains('\n') && last_line.trim().is_empty()
}

/// The token stream after the layout pass, one token per line, for `--dump-tokens`.
pub fn dump_tokens(source: &Rc<Source>) -> String {
    let mut out = String::new();
    for item in Layout::new(Lexer::new(source, &source.text, 0), source) {
        match item {
            Ok((start, tok, end)) => {
                let line = source.line_of(start as u32);
                let col = source.column_of(start as u32);
                let text = source.text.get(start..end).unwrap_or("");
                out.push_str(&format!("{line}:{col} {} {text:?}\n", token_name(&tok)));
            }
            Err(fault) => {
                out.push_str(&format!("{}: {}\n", fault.diag.kind, fault.diag.message));
                break;
            }
        }
    }
    out
}

fn token_name(tok: &Token) -> String {
    match tok {
        Token::Name(_) => "Name".into(),
        Token::Number(_) => "Number".into(),
        Token::Str(_) => "String".into(),
        Token::Newline => "NEWLINE".into(),
        Token::Indent => "INDENT".into(),
        Token::Dedent => "DEDENT".into(),
        other => format!("{other:?}"),
    }
}

/// Tokens up to the first lexical error, which is kept so the parser reports it only if it
/// gets that far (errors are reported in source order, as CPython does).
fn tokens(source: &Rc<Source>, text: &str, base: usize) -> (Vec<Spanned>, Option<SyntaxFault>) {
    let mut toks = Vec::new();
    for item in Layout::new(Lexer::new(source, text, base), source) {
        match item {
            Ok(tok) => toks.push(tok),
            Err(fault) => return (toks, Some(fault)),
        }
    }
    (toks, None)
}

fn run_parser(
    source: &Rc<Source>,
    toks: &[Spanned],
    lex_fault: Option<SyntaxFault>,
) -> Result<Top, SyntaxFault> {
    let stream = toks.iter().cloned().map(Ok).chain(lex_fault.map(Err));
    grammar::TopParser::new()
        .parse(source, stream)
        .map_err(|err| describe(source, toks, lower(err)))
}

fn parse_here(source: &Rc<Source>) -> Result<Module, SyntaxFault> {
    let (mut toks, lex_fault) = tokens(source, &source.text, 0);
    retag_with_parens(&mut toks);
    crate::syntax::pattern::retag_soft_keywords(&mut toks);
    let body = match run_parser(source, &toks, lex_fault)? {
        Top::Module(body) => body,
        Top::Field(_) => Vec::new(),
    };
    let module = Module { body };
    check_depth(source, &module)?;
    Ok(module)
}

/// Parses `source` as one expression, as `eval()` does: leading blanks and trailing newlines
/// are allowed, a second line is not.
pub fn parse_expression(source: &Rc<Source>) -> Result<Expr, Vec<Diagnostic>> {
    expression_here(source).map_err(|fault| vec![*fault.diag])
}

fn expression_here(source: &Rc<Source>) -> Result<Expr, SyntaxFault> {
    let text = source.text.trim_start_matches([' ', '\t']);
    let base = source.text.len() - text.len();
    let (mut toks, lex_fault) = tokens(source, text, base);
    // The layout pass measures the first line's blanks, which `eval()` ignores.
    if matches!(toks.first(), Some((_, Token::Indent, _))) {
        toks.remove(0);
    }
    if lex_fault.is_none() {
        while matches!(toks.last(), Some((_, Token::Newline | Token::Dedent, _))) {
            toks.pop();
        }
    }
    toks.insert(0, (base, Token::FieldStart, base));
    let Top::Field(expr) = run_parser(source, &toks, lex_fault)? else {
        let span = Span::new(base, source.text.len());
        let diag = Diagnostic::new("SyntaxError", "invalid syntax", source, span);
        return Err(SyntaxFault::new(diag));
    };
    // The depth guard walks statements, so the expression visits one briefly.
    let span = expr.span;
    let mut module = Module {
        body: vec![Stmt {
            kind: StmtKind::Expr(expr),
            span,
        }],
    };
    check_depth(source, &module)?;
    match module.body.pop().map(|stmt| stmt.kind) {
        Some(StmtKind::Expr(expr)) => Ok(expr),
        _ => Err(SyntaxFault::new(Diagnostic::new(
            "SyntaxError",
            "invalid syntax",
            source,
            span,
        ))),
    }
}

/// Parses the expression of an f-string replacement field at `start..end` of `source`.
pub fn parse_field(source: &Rc<Source>, start: usize, end: usize) -> Result<Expr, SyntaxFault> {
    let (toks, lex_fault) = field_tokens(source, start, end);
    match run_parser(source, &toks, lex_fault) {
        Ok(Top::Field(expr)) => Ok(expr),
        Ok(Top::Module(_)) => Err(SyntaxFault::new(Diagnostic::new(
            "SyntaxError",
            "f-string: invalid syntax",
            source,
            Span::new(start, end),
        ))),
        Err(mut fault) => {
            if fault.incomplete {
                // The field's text ended early: inside an f-string that is plain bad syntax.
                fault.incomplete = false;
                fault.diag.message = "invalid syntax".to_string();
            }
            if !fault.diag.message.starts_with("f-string") {
                fault.diag.message = format!("f-string: {}", fault.diag.message);
            }
            Err(fault)
        }
    }
}

/// The tokens of a field's text, after a `FieldStart`. Newlines are dropped (a field is
/// parsed as if parenthesised), and the layout pass's bracket limit is kept here.
fn field_tokens(
    source: &Rc<Source>,
    start: usize,
    end: usize,
) -> (Vec<Spanned>, Option<SyntaxFault>) {
    let text = source.text.get(start..end).unwrap_or("");
    let mut toks = vec![(start, Token::FieldStart, start)];
    let mut depth = 0usize;
    for item in Lexer::new(source, text, start) {
        let tok = match item {
            Ok((_, Token::Newline, _)) => continue,
            Ok(tok) => tok,
            Err(fault) => return (toks, Some(fault)),
        };
        match tok.1 {
            Token::LParen | Token::LBracket | Token::LBrace => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_BRACKET_DEPTH {
            let span = Span::new(tok.0, tok.2);
            let msg = "too many nested parentheses";
            let diag = Diagnostic::new("SyntaxError", msg, source, span);
            return (toks, Some(SyntaxFault::new(diag)));
        }
        toks.push(tok);
    }
    (toks, None)
}

/// Marks the brackets of `with (a as b, c):`. A `(` right after `with` whose matching `)` is
/// directly followed by `:` encloses with-items, not a parenthesised expression; telling the
/// two apart in the grammar would need unbounded lookahead.
fn retag_with_parens(toks: &mut [Spanned]) {
    let mut idx = 0;
    while idx + 1 < toks.len() {
        let opens = toks[idx].1 == Token::With && toks[idx + 1].1 == Token::LParen;
        if opens {
            if let Some(close) = matching_paren(toks, idx + 1) {
                if toks.get(close + 1).is_some_and(|t| t.1 == Token::Colon) {
                    toks[idx + 1].1 = Token::WithLParen;
                    toks[close].1 = Token::WithRParen;
                }
            }
        }
        idx += 1;
    }
}

fn matching_paren(toks: &[Spanned], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (idx, tok) in toks.iter().enumerate().skip(open) {
        match tok.1 {
            Token::LParen | Token::LBracket | Token::LBrace => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(idx);
                }
            }
            _ => {}
        }
    }
    None
}

/// Converts lalrpop's error into the driver's own shape, so no other module names lalrpop.
fn lower(err: RawError) -> Failure {
    match err {
        ParseError::InvalidToken { location } => Failure::Token {
            start: location,
            end: location,
            tok: None,
            expected: Vec::new(),
        },
        ParseError::UnrecognizedEof { location, expected } => Failure::Eof { location, expected },
        ParseError::UnrecognizedToken {
            token: (start, tok, end),
            expected,
        } => Failure::Token {
            start,
            end,
            tok: Some(tok),
            expected,
        },
        ParseError::ExtraToken {
            token: (start, tok, end),
        } => Failure::Token {
            start,
            end,
            tok: Some(tok),
            expected: Vec::new(),
        },
        ParseError::User { error } => Failure::User(error),
    }
}

#[cfg(test)]
mod tests;
