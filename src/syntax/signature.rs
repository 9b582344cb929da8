//! Signatures and call arguments: sorts a flat parameter list into `ast::Arguments` and a flat
//! argument list into positional and keyword arguments, enforcing Python's ordering rules with
//! CPython's messages. Grammar actions call in here; nothing here knows about tokens.

use crate::syntax::ast::*;
use crate::syntax::grammar_util::{fault, ArgItem, ParamItem};
use crate::syntax::lexer::SyntaxFault;
use crate::syntax::span::{Source, Span};
use std::rc::Rc;

type Res<T> = Result<T, SyntaxFault>;

/// Sorts call arguments into positional and keyword lists, enforcing Python's order rules.
pub fn call_args(
    src: &Rc<Source>,
    (items, trailing_comma): (Vec<ArgItem>, bool),
) -> Res<(Vec<Expr>, Vec<Keyword>)> {
    let n_items = items.len() + usize::from(trailing_comma);
    let mut args = Vec::new();
    let mut keywords: Vec<Keyword> = Vec::new();
    let mut seen_double_star = false;
    for item in items {
        match item {
            ArgItem::Pos(e) | ArgItem::Gen(e) if !keywords.is_empty() => {
                let msg = if seen_double_star {
                    "positional argument follows keyword argument unpacking"
                } else {
                    "positional argument follows keyword argument"
                };
                return Err(fault(src, msg, e.span)
                    .with_note("positional arguments must come before keyword arguments"));
            }
            ArgItem::Gen(e) if n_items > 1 => {
                return Err(fault(
                    src,
                    "Generator expression must be parenthesized",
                    e.span,
                ));
            }
            ArgItem::Pos(e) | ArgItem::Gen(e) => args.push(e),
            ArgItem::Star(e) if seen_double_star => {
                let msg = "iterable argument unpacking follows keyword argument unpacking";
                return Err(fault(src, msg, e.span));
            }
            ArgItem::Star(e) => args.push(e),
            ArgItem::Kw(name, value, span) => {
                let ExprKind::Name(ident) = name.kind else {
                    let msg = "expression cannot contain assignment, perhaps you meant \"==\"?";
                    return Err(fault(src, msg, span));
                };
                if keywords
                    .iter()
                    .any(|kw| kw.name.as_ref().is_some_and(|n| n.name == ident.name))
                {
                    let msg = format!("keyword argument repeated: {}", ident.name);
                    return Err(fault(src, msg, ident.span));
                }
                keywords.push(Keyword {
                    name: Some(ident),
                    value,
                    span,
                });
            }
            ArgItem::DoubleStar(value, span) => {
                seen_double_star = true;
                keywords.push(Keyword {
                    name: None,
                    value,
                    span,
                });
            }
        }
    }
    Ok((args, keywords))
}

/// Where the parameter list parser is: before `/`, before `*`, after `*`, after `**`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ParamStage {
    Positional,
    KeywordOnly,
    Closed,
}

/// Sorts a flat parameter list into `Arguments`, with CPython's checks and messages.
pub fn arguments(src: &Rc<Source>, items: Vec<ParamItem>, what: &str) -> Res<Arguments> {
    let mut res = Arguments::default();
    let mut stage = ParamStage::Positional;
    let mut seen_default = false;
    let mut bare_star: Option<Span> = None;
    let mut names: Vec<Ident> = Vec::new();
    let mut note_name = |arg: &Arg| -> Res<()> {
        if let Some(first) = names.iter().find(|n| n.name == arg.name.name) {
            let msg = format!("duplicate argument '{}' in {what}", arg.name.name);
            return Err(fault(src, msg, arg.name.span)
                .with_label("named again here")
                .with_secondary(first.span, "first named here"));
        }
        names.push(arg.name.clone());
        Ok(())
    };
    for item in items {
        if stage == ParamStage::Closed {
            let span = param_span(&item);
            return Err(fault(
                src,
                "arguments cannot follow var-keyword argument",
                span,
            ));
        }
        match item {
            ParamItem::Plain(arg, default) => {
                note_name(&arg)?;
                if stage == ParamStage::KeywordOnly {
                    bare_star = None;
                    res.kwonly.push(arg);
                    res.kw_defaults.push(default);
                    continue;
                }
                match default {
                    Some(default) => {
                        seen_default = true;
                        res.defaults.push(default);
                    }
                    None if seen_default => {
                        let msg = "non-default argument follows default argument";
                        return Err(fault(src, msg, arg.name.span)
                            .with_label("this parameter needs a default value")
                            .with_note("once a parameter has a default, every later positional parameter needs one too"));
                    }
                    None => {}
                }
                res.args.push(arg);
            }
            ParamItem::Slash(span) => {
                if !res.posonly.is_empty() {
                    return Err(fault(src, "/ may appear only once", span));
                }
                if stage != ParamStage::Positional {
                    return Err(fault(src, "/ must be ahead of *", span));
                }
                if res.args.is_empty() {
                    let msg = "at least one argument must precede /";
                    return Err(fault(src, msg, span));
                }
                res.posonly = std::mem::take(&mut res.args);
            }
            ParamItem::BareStar(span)
            | ParamItem::VarArgs(Arg {
                name: Ident { span, .. },
                ..
            }) if stage != ParamStage::Positional => {
                return Err(fault(src, "* argument may appear only once", span));
            }
            ParamItem::BareStar(span) => {
                stage = ParamStage::KeywordOnly;
                bare_star = Some(span);
            }
            ParamItem::VarArgs(arg) => {
                note_name(&arg)?;
                stage = ParamStage::KeywordOnly;
                res.vararg = Some(arg);
            }
            ParamItem::KwArgs(arg) => {
                if let Some(span) = bare_star {
                    return Err(fault(src, "named arguments must follow bare *", span));
                }
                note_name(&arg)?;
                stage = ParamStage::Closed;
                res.kwarg = Some(arg);
            }
        }
    }
    if let Some(span) = bare_star {
        return Err(fault(src, "named arguments must follow bare *", span));
    }
    Ok(res)
}

fn param_span(item: &ParamItem) -> Span {
    match item {
        ParamItem::Plain(arg, _) | ParamItem::VarArgs(arg) | ParamItem::KwArgs(arg) => {
            arg.name.span
        }
        ParamItem::BareStar(span) | ParamItem::Slash(span) => *span,
    }
}
