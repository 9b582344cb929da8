//! The parts of `match` statements the grammar builds: case blocks and patterns, with the
//! checks CPython makes while parsing (`_` is not a capture target, keyword sub-patterns come
//! last), and the driver's retagging of the soft keywords `match` and `case`.

use crate::syntax::ast::*;
use crate::syntax::grammar_util::{expr, fault};
use crate::syntax::lexer::{Spanned, SyntaxFault};
use crate::syntax::span::{Source, Span};
use crate::syntax::token::Token;
use std::rc::Rc;

type Res<T> = Result<T, SyntaxFault>;

pub fn pattern(kind: PatternKind, l: usize, r: usize) -> Pattern {
    Pattern {
        kind,
        span: Span::new(l, r),
    }
}

pub fn match_case(
    _src: &Rc<Source>,
    pattern: Pattern,
    guard: Option<Expr>,
    body: Vec<Stmt>,
    l: usize,
    r: usize,
) -> Res<MatchCase> {
    Ok(MatchCase {
        pattern,
        guard,
        body,
        span: Span::new(l, r),
    })
}

pub fn prepend<T>(first: T, mut rest: Vec<T>) -> Vec<T> {
    rest.insert(0, first);
    rest
}

fn ident_or_wildcard(name: Rc<str>, l: usize, r: usize) -> Option<Ident> {
    (&*name != "_").then(|| Ident {
        name,
        span: Span::new(l, r),
    })
}

pub fn star_pattern(name: Rc<str>, l: usize, r: usize) -> Pattern {
    // The name's span leaves out the `*`.
    let start = r.saturating_sub(name.len()).max(l);
    pattern(PatternKind::Star(ident_or_wildcard(name, start, r)), l, r)
}

pub fn capture_pattern(name: Rc<str>, l: usize, r: usize) -> Pattern {
    pattern(PatternKind::Capture(ident_or_wildcard(name, l, r)), l, r)
}

pub fn as_pattern(
    src: &Rc<Source>,
    inner: Pattern,
    name: Ident,
    l: usize,
    r: usize,
) -> Res<Pattern> {
    if &*name.name == "_" {
        return Err(fault(src, "cannot use '_' as a target", name.span));
    }
    Ok(pattern(
        PatternKind::As {
            pattern: Box::new(inner),
            name,
        },
        l,
        r,
    ))
}

pub fn or_pattern(first: Pattern, rest: Vec<Pattern>, l: usize, r: usize) -> Pattern {
    pattern(PatternKind::Or(prepend(first, rest)), l, r)
}

pub fn mapping_pattern(
    items: Vec<(Expr, Pattern)>,
    rest: Option<Ident>,
    l: usize,
    r: usize,
) -> Pattern {
    let (keys, patterns) = items.into_iter().unzip();
    pattern(
        PatternKind::Mapping {
            keys,
            patterns,
            rest,
        },
        l,
        r,
    )
}

pub fn class_pattern(
    src: &Rc<Source>,
    cls: Expr,
    args: Vec<(Option<Ident>, Pattern)>,
    l: usize,
    r: usize,
) -> Res<Pattern> {
    let mut patterns = Vec::new();
    let mut kwd_names = Vec::new();
    let mut kwd_patterns = Vec::new();
    for (name, p) in args {
        match name {
            Some(name) => {
                kwd_names.push(name);
                kwd_patterns.push(p);
            }
            None if !kwd_names.is_empty() => {
                return Err(fault(
                    src,
                    "positional patterns follow keyword patterns",
                    p.span,
                ));
            }
            None => patterns.push(p),
        }
    }
    Ok(pattern(
        PatternKind::Class {
            cls,
            patterns,
            kwd_names,
            kwd_patterns,
        },
        l,
        r,
    ))
}

/// `a.b.c` in a pattern: an attribute chain, looked up and compared with `==`.
pub fn dotted_value(first: Rc<str>, rest: Vec<Ident>, l: usize, r: usize) -> Expr {
    let first_end = l + first.len();
    let mut value = expr(
        ExprKind::Name(Ident {
            name: first,
            span: Span::new(l, first_end),
        }),
        l,
        first_end,
    );
    for attr in rest {
        let end = (attr.span.end as usize).min(r);
        value = expr(
            ExprKind::Attribute {
                value: Box::new(value),
                attr,
            },
            l,
            end,
        );
    }
    value
}

/// Retags `match` and `case` names that begin a logical line with a `:` outside brackets as
/// the keywords: `match = 3`, `match(x)` and `case.y` stay names.
pub fn retag_soft_keywords(toks: &mut [Spanned]) {
    let mut line_start = true;
    for idx in 0..toks.len() {
        let tok = &toks[idx].1;
        if matches!(tok, Token::Newline | Token::Indent | Token::Dedent) {
            line_start = true;
            continue;
        }
        if !line_start {
            continue;
        }
        line_start = false;
        let keyword = match tok {
            Token::Name(name) if &**name == "match" => Token::Match,
            Token::Name(name) if &**name == "case" => Token::Case,
            _ => continue,
        };
        let next = toks.get(idx + 1).map(|t| &t.1);
        let starts_expression = !matches!(
            next,
            None | Some(
                Token::Colon
                    | Token::Assign
                    | Token::Dot
                    | Token::Comma
                    | Token::Newline
                    | Token::RParen
                    | Token::RBracket
                    | Token::Semi
            )
        );
        if starts_expression && line_has_colon(toks, idx + 1) {
            toks[idx].1 = keyword;
        }
    }
}

/// Whether the logical line from `from` on has a `:` outside brackets (the header's colon;
/// a case block's body may follow it on the same line).
fn line_has_colon(toks: &[Spanned], from: usize) -> bool {
    let mut depth = 0usize;
    for tok in toks.iter().skip(from) {
        match tok.1 {
            Token::LParen | Token::LBracket | Token::LBrace | Token::WithLParen => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace | Token::WithRParen => {
                depth = depth.saturating_sub(1)
            }
            Token::Colon if depth == 0 => return true,
            Token::Lambda => return false,
            Token::Newline if depth == 0 => return false,
            _ => {}
        }
    }
    false
}
