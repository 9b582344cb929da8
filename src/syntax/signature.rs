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
                let keyword = keyword_arg(src, name, value, span, &keywords)?;
                keywords.push(keyword);
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

/// `name=value` in a call: the name must be a plain name, used once.
fn keyword_arg(
    src: &Rc<Source>,
    name: Expr,
    value: Expr,
    span: Span,
    earlier: &[Keyword],
) -> Res<Keyword> {
    let ExprKind::Name(ident) = name.kind else {
        let msg = "expression cannot contain assignment, perhaps you meant \"==\"?";
        return Err(fault(src, msg, span));
    };
    let repeated = earlier
        .iter()
        .any(|kw| kw.name.as_ref().is_some_and(|n| n.name == ident.name));
    if repeated {
        let msg = format!("keyword argument repeated: {}", ident.name);
        return Err(fault(src, msg, ident.span));
    }
    Ok(Keyword {
        name: Some(ident),
        value,
        span,
    })
}

/// Where the parameter list parser is: before `*`, after `*` (keyword-only), after `**`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ParamStage {
    Positional,
    KeywordOnly,
    Closed,
}

/// Sorts parameters one at a time, remembering what the order rules need to know.
struct ParamSorter<'a> {
    src: &'a Rc<Source>,
    what: &'a str,
    res: Arguments,
    stage: ParamStage,
    seen_default: bool,
    /// A bare `*` not yet followed by a keyword-only parameter.
    bare_star: Option<Span>,
    names: Vec<Ident>,
}

/// Sorts a flat parameter list into `Arguments`, with CPython's checks and messages.
pub fn arguments(src: &Rc<Source>, items: Vec<ParamItem>, what: &str) -> Res<Arguments> {
    let mut sorter = ParamSorter {
        src,
        what,
        res: Arguments::default(),
        stage: ParamStage::Positional,
        seen_default: false,
        bare_star: None,
        names: Vec::new(),
    };
    for item in items {
        sorter.add(item)?;
    }
    if let Some(span) = sorter.bare_star {
        return Err(fault(src, "named arguments must follow bare *", span));
    }
    Ok(sorter.res)
}

impl ParamSorter<'_> {
    fn add(&mut self, item: ParamItem) -> Res<()> {
        if self.stage == ParamStage::Closed {
            let msg = "arguments cannot follow var-keyword argument";
            return Err(fault(self.src, msg, param_span(&item)));
        }
        match item {
            ParamItem::Plain(arg, default) => self.plain(arg, default),
            ParamItem::Slash(span) => self.slash(span),
            ParamItem::BareStar(span)
            | ParamItem::VarArgs(Arg {
                name: Ident { span, .. },
                ..
            }) if self.stage != ParamStage::Positional => {
                Err(fault(self.src, "* argument may appear only once", span))
            }
            ParamItem::BareStar(span) => {
                self.stage = ParamStage::KeywordOnly;
                self.bare_star = Some(span);
                Ok(())
            }
            ParamItem::VarArgs(arg) => {
                self.note_name(&arg)?;
                self.stage = ParamStage::KeywordOnly;
                self.res.vararg = Some(arg);
                Ok(())
            }
            ParamItem::KwArgs(arg) => {
                if let Some(span) = self.bare_star {
                    return Err(fault(self.src, "named arguments must follow bare *", span));
                }
                self.note_name(&arg)?;
                self.stage = ParamStage::Closed;
                self.res.kwarg = Some(arg);
                Ok(())
            }
        }
    }

    fn plain(&mut self, arg: Arg, default: Option<Expr>) -> Res<()> {
        self.note_name(&arg)?;
        if self.stage == ParamStage::KeywordOnly {
            self.bare_star = None;
            self.res.kwonly.push(arg);
            self.res.kw_defaults.push(default);
            return Ok(());
        }
        match default {
            Some(default) => {
                self.seen_default = true;
                self.res.defaults.push(default);
            }
            None if self.seen_default => {
                let msg = "non-default argument follows default argument";
                return Err(fault(self.src, msg, arg.name.span)
                    .with_label("this parameter needs a default value")
                    .with_note(
                        "once a parameter has a default, every later positional parameter needs one too",
                    ));
            }
            None => {}
        }
        self.res.args.push(arg);
        Ok(())
    }

    fn slash(&mut self, span: Span) -> Res<()> {
        let msg = if !self.res.posonly.is_empty() {
            "/ may appear only once"
        } else if self.stage != ParamStage::Positional {
            "/ must be ahead of *"
        } else if self.res.args.is_empty() {
            "at least one argument must precede /"
        } else {
            self.res.posonly = std::mem::take(&mut self.res.args);
            return Ok(());
        };
        Err(fault(self.src, msg, span))
    }

    fn note_name(&mut self, arg: &Arg) -> Res<()> {
        if let Some(first) = self.names.iter().find(|n| n.name == arg.name.name) {
            let msg = format!("duplicate argument '{}' in {}", arg.name.name, self.what);
            return Err(fault(self.src, msg, arg.name.span)
                .with_label("named again here")
                .with_secondary(first.span, "first named here"));
        }
        self.names.push(arg.name.clone());
        Ok(())
    }
}

fn param_span(item: &ParamItem) -> Span {
    match item {
        ParamItem::Plain(arg, _) | ParamItem::VarArgs(arg) | ParamItem::KwArgs(arg) => {
            arg.name.span
        }
        ParamItem::BareStar(span) | ParamItem::Slash(span) => *span,
    }
}
