//! Turns a parser failure into one plain sentence, CPython's where it has one: looks at the
//! token found, the tokens around it and the set the grammar expected, and never lists token
//! sets. The parser driver lowers lalrpop's error into `Failure` first, so this module does not
//! depend on lalrpop.

use crate::diagnostics::Diagnostic;
use crate::syntax::lexer::{Spanned, SyntaxFault};
use crate::syntax::parser::parse_field;
use crate::syntax::span::{Source, Span};
use crate::syntax::target::{check_target, TargetCtx};
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
            } else if ctx.expects("except") && ctx.expects("finally") {
                let msg = "expected 'except' or 'finally' block";
                ctx.fault("SyntaxError", msg, span)
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
    if let Some(fault) = layout_problem(ctx, idx, tok.as_ref(), span) {
        return fault;
    }
    if let Some(fault) = missing_piece(ctx, idx, tok.as_ref(), span) {
        return fault;
    }
    if let Some(fault) = bracket_problem(ctx, idx, tok.as_ref(), span) {
        return fault;
    }
    if let Some(fault) = bad_target(ctx, idx) {
        return fault;
    }
    let span = if tok == Some(Token::Newline) || tok == Some(Token::Dedent) {
        point(span)
    } else {
        span
    };
    let fault = ctx.fault("SyntaxError", "invalid syntax", span);
    match misspelled_keyword(ctx, idx) {
        Some(keyword) => fault.with_note(format!("did you mean the keyword `{keyword}`?")),
        None => fault,
    }
}

/// A `for`, `del` or `with ... as` target that is a whole expression (`for a and b in y`):
/// the grammar stops inside it, so it is parsed on its own to say what it is, as CPython does.
fn bad_target(ctx: &Ctx, idx: usize) -> Option<SyntaxFault> {
    // Never from inside a sub-parse: that would recurse once per `for` on a line.
    if matches!(ctx.toks.first(), Some((_, Token::FieldStart, _))) {
        return None;
    }
    let start = line_start(ctx.toks, idx);
    let line = ctx.toks.get(start..idx)?;
    let opener = line
        .iter()
        .rposition(|t| matches!(t.1, Token::For | Token::Del | Token::As))?;
    let opener_tok = &line.get(opener)?.1;
    let is_with = matches!(line.first().map(|t| &t.1), Some(Token::With | Token::Async));
    if (opener_tok == &Token::Del && opener != 0) || (opener_tok == &Token::As && !is_with) {
        return None;
    }
    if line.get(opener + 1..)?.iter().any(|t| t.1 == Token::In) {
        return None;
    }
    let end_tok = |t: &Spanned| match opener_tok {
        Token::For => t.1 == Token::In,
        Token::As => matches!(t.1, Token::Colon | Token::Comma),
        _ => matches!(t.1, Token::Newline | Token::Semi),
    };
    let rest = ctx.toks.get(start + opener + 1..)?;
    let first = rest.first()?;
    // The target may itself hold the end token (`as lambda: 1:`): the first end that gives a
    // whole expression wins.
    let line_end = rest
        .iter()
        .position(|t| t.1 == Token::Newline)
        .map_or(rest.len(), |p| p + 1);
    let target = rest
        .get(..line_end)?
        .iter()
        .filter(|t| end_tok(t))
        .find_map(|end| parse_field(ctx.source, first.0, end.0).ok())?;
    let target_ctx = if opener_tok == &Token::Del {
        TargetCtx::Delete
    } else {
        TargetCtx::Assign
    };
    check_target(ctx.source, &target, target_ctx).err()
}

/// Statement keywords a typo at the start of a line most likely meant.
const STATEMENT_KEYWORDS: [&str; 20] = [
    "if", "elif", "else", "while", "for", "def", "class", "return", "import", "from", "try",
    "except", "finally", "with", "raise", "pass", "break", "continue", "global", "async",
];

/// A name at the start of the failing line that is one typo away from a statement keyword.
fn misspelled_keyword(ctx: &Ctx, idx: usize) -> Option<&'static str> {
    let start = line_start(ctx.toks, idx);
    let Some((_, Token::Name(name), _)) = ctx.toks.get(start) else {
        return None;
    };
    if name.len() < 3 {
        return None;
    }
    STATEMENT_KEYWORDS
        .into_iter()
        .find(|keyword| one_typo_apart(name, keyword))
}

/// True when `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours.
fn one_typo_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (rest_a, rest_b) = (&a[prefix..], &b[prefix..]);
    match rest_a.len() as isize - rest_b.len() as isize {
        0 => {
            rest_a.get(1..) == rest_b.get(1..)
                || (rest_a.len() >= 2
                    && rest_a[0] == rest_b[1]
                    && rest_a[1] == rest_b[0]
                    && rest_a[2..] == rest_b[2..])
        }
        1 => rest_a.get(1..) == Some(rest_b),
        -1 => Some(rest_a) == rest_b.get(1..),
        _ => false,
    }
}

/// Unexpected INDENT, a missing block, a missing ':' at the end of a header.
fn layout_problem(ctx: &Ctx, idx: usize, tok: Option<&Token>, span: Span) -> Option<SyntaxFault> {
    match tok {
        Some(Token::Indent) => {
            let next_span = ctx.toks.get(idx + 1).map_or(span, |t| Span::new(t.0, t.2));
            let fault = ctx.fault("IndentationError", "unexpected indent", next_span);
            Some(fault.with_label("indented, but no block was opened by a ':' line above"))
        }
        _ if ctx.expects("INDENT") => {
            let mut fault = expected_block(ctx, idx, span);
            // Only layout tokens follow: the input ended before the block's body.
            fault.incomplete = ctx
                .toks
                .get(idx..)
                .is_some_and(|rest| rest.iter().all(|t| t.1 == Token::Dedent));
            Some(fault)
        }
        Some(tok) if ctx.expects(":") && ctx.expected.len() == 1 && tok != &Token::Newline => {
            let mut fault = ctx
                .fault("SyntaxError", "expected ':'", span)
                .with_label("a ':' is needed before this");
            let prev = idx.checked_sub(1).and_then(|p| ctx.toks.get(p));
            if tok == &Token::If && prev.is_some_and(|p| p.1 == Token::Else) {
                fault = fault.with_note("write `elif condition:` for another condition");
            }
            Some(fault)
        }
        Some(Token::Newline) if ctx.expects(":") => {
            let header = header_keyword(ctx, idx);
            let mut fault = ctx
                .fault("SyntaxError", "expected ':'", point(span))
                .with_label("a ':' is needed here");
            if let Some(hint) = header.and_then(colon_hint) {
                fault = fault.with_note(hint);
            }
            Some(fault)
        }
        _ => None,
    }
}

/// A missing `else`, `except`/`finally`, or an `=` where a comparison was meant.
fn missing_piece(ctx: &Ctx, idx: usize, tok: Option<&Token>, span: Span) -> Option<SyntaxFault> {
    let prev = idx.checked_sub(1).and_then(|p| ctx.toks.get(p));
    if tok == Some(&Token::Newline) && ctx.expects("else") && ctx.expected.len() <= 2 {
        let msg = "expected 'else' after 'if' expression";
        return Some(ctx.fault("SyntaxError", msg, point(span)));
    }
    if ctx.expects("except") && ctx.expects("finally") {
        let msg = "expected 'except' or 'finally' block";
        return Some(ctx.fault("SyntaxError", msg, point(span)));
    }
    if ctx.expects("(") && ctx.expected.len() == 1 {
        return Some(ctx.fault("SyntaxError", "expected '('", span));
    }
    let trailing_comma = tok == Some(&Token::Newline) && prev.is_some_and(|p| p.1 == Token::Comma);
    if trailing_comma && first_of_line(ctx, idx) == Some(&Token::From) {
        let msg = "trailing comma not allowed without surrounding parentheses";
        return Some(ctx.fault("SyntaxError", msg, point(span)));
    }
    if tok == Some(&Token::Comma) && first_of_line(ctx, idx) == Some(&Token::Except) {
        let msg = "multiple exception types must be parenthesized";
        let fault = ctx.fault("SyntaxError", msg, span);
        return Some(fault.with_note("write `except (A, B):` to catch either exception"));
    }
    if tok == Some(&Token::Assign) {
        let prev = prev.filter(|p| ends_expr(&p.1))?;
        let msg = "invalid syntax. Maybe you meant '==' or ':=' instead of '='?";
        return Some(ctx.fault("SyntaxError", msg, Span::new(prev.0, span.end as usize)));
    }
    let prev = prev?;
    if is_print_statement(ctx, idx, tok?) {
        let msg = "Missing parentheses in call to 'print'. Did you mean print(...)?";
        return Some(ctx.fault("SyntaxError", msg, Span::new(prev.0, span.end as usize)));
    }
    None
}

/// Errors inside brackets: a bracket left open across lines, or a missing comma.
fn bracket_problem(ctx: &Ctx, idx: usize, tok: Option<&Token>, span: Span) -> Option<SyntaxFault> {
    let (open_start, open_tok, open_end) = open_bracket(ctx.toks, idx)?;
    let open_line = ctx.source.line_of(*open_start as u32);
    if open_tok != &Token::FieldStart && ctx.source.line_of(span.start) > open_line {
        let symbol = match open_tok {
            Token::LBracket => '[',
            Token::LBrace => '{',
            _ => '(',
        };
        let fault = ctx.fault(
            "SyntaxError",
            format!("'{symbol}' was never closed"),
            Span::new(*open_start, *open_end),
        );
        return Some(fault.with_label("opened here"));
    }
    let prev = idx.checked_sub(1).and_then(|p| ctx.toks.get(p))?;
    let open_idx = ctx
        .toks
        .iter()
        .position(|t| t.0 == *open_start && &t.1 == open_tok);
    if open_tok == &Token::LBrace && dict_key_without_colon(ctx.toks, open_idx, idx) {
        let msg = "':' expected after dictionary key";
        let fault = ctx.fault("SyntaxError", msg, Span::new(prev.0, span.end as usize));
        return Some(fault.with_label("a ':' should separate the key from its value"));
    }
    // In a `def` parameter list two names in a row are not a missing comma (CPython agrees).
    let open_idx = ctx
        .toks
        .iter()
        .position(|t| t.0 == *open_start && &t.1 == open_tok);
    let in_def = open_idx
        .and_then(|i| i.checked_sub(2))
        .and_then(|i| ctx.toks.get(i))
        .is_some_and(|t| t.1 == Token::Def);
    if starts_expr(tok?) && ends_expr(&prev.1) && !in_def {
        let msg = "invalid syntax. Perhaps you forgot a comma?";
        let fault = ctx.fault("SyntaxError", msg, Span::new(prev.0, span.end as usize));
        return Some(fault.with_label("two expressions in a row"));
    }
    None
}

fn first_of_line<'a>(ctx: &'a Ctx, idx: usize) -> Option<&'a Token> {
    ctx.toks.get(line_start(ctx.toks, idx)).map(|t| &t.1)
}

/// True inside a dict display (some entry has a ':') whose current entry has no ':' yet.
fn dict_key_without_colon(toks: &[Spanned], open_idx: Option<usize>, idx: usize) -> bool {
    let Some(open_idx) = open_idx else {
        return false;
    };
    let mut depth = 0usize;
    let (mut is_dict, mut entry_has_colon) = (false, false);
    for tok in toks.iter().take(idx).skip(open_idx + 1) {
        match tok.1 {
            Token::LParen | Token::LBracket | Token::LBrace => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace => depth = depth.saturating_sub(1),
            Token::Colon if depth == 0 => {
                is_dict = true;
                entry_has_colon = true;
            }
            Token::Comma if depth == 0 => entry_has_colon = false,
            _ => {}
        }
    }
    is_dict && !entry_has_colon
}

/// Index of the first token of the logical line holding token `idx`.
fn line_start(toks: &[Spanned], idx: usize) -> usize {
    toks.get(..idx.min(toks.len()))
        .and_then(|before| {
            before
                .iter()
                .rposition(|t| matches!(t.1, Token::Newline | Token::Indent | Token::Dedent))
        })
        .map_or(0, |p| p + 1)
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
    .with_label("this line should be indented")
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

/// The innermost bracket still open before token `idx` (an f-string field counts as one,
/// since its expression is parsed as if parenthesised).
fn open_bracket(toks: &[Spanned], idx: usize) -> Option<&Spanned> {
    let mut stack = Vec::new();
    for tok in toks.iter().take(idx) {
        match tok.1 {
            Token::LParen
            | Token::LBracket
            | Token::LBrace
            | Token::WithLParen
            | Token::FieldStart => stack.push(tok),
            Token::RParen | Token::RBracket | Token::RBrace | Token::WithRParen => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}
