//! Assignment and deletion targets: which expressions may be assigned to or deleted, and
//! CPython's exact messages when they may not ("cannot assign to function call here. Maybe you
//! meant '==' instead of '='?"). Only checks; nothing here builds AST nodes.

use crate::syntax::ast::*;
use crate::syntax::grammar_util::fault;
use crate::syntax::lexer::SyntaxFault;
use crate::syntax::span::Source;
use std::rc::Rc;

type Res<T> = Result<T, SyntaxFault>;

/// Where a target appears; decides the wording of CPython's messages.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TargetCtx {
    /// The only target of `target = value`, where CPython suggests `==`.
    FirstAssign,
    Assign,
    Delete,
}

/// Checks that `target` can be assigned to (or deleted). Recursion follows tuple and list
/// nesting only, which needs brackets and so is bounded by the bracket depth limit.
pub fn check_target(src: &Rc<Source>, target: &Expr, ctx: TargetCtx) -> Res<()> {
    match &target.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => Ok(()),
        ExprKind::Starred(_) if ctx == TargetCtx::Delete => {
            Err(fault(src, "cannot delete starred", target.span))
        }
        ExprKind::Starred(_) => Err(fault(
            src,
            "starred assignment target must be in a list or tuple",
            target.span,
        )),
        ExprKind::Tuple(elts) | ExprKind::List(elts) => check_elements(src, elts, ctx),
        _ => Err(bad_target(src, target, ctx)),
    }
}

fn check_elements(src: &Rc<Source>, elts: &[Expr], ctx: TargetCtx) -> Res<()> {
    let inner = if ctx == TargetCtx::Delete {
        TargetCtx::Delete
    } else {
        TargetCtx::Assign
    };
    let mut seen_star = false;
    for elt in elts {
        match &elt.kind {
            ExprKind::Starred(value) if inner == TargetCtx::Assign => {
                if seen_star {
                    let msg = "multiple starred expressions in assignment";
                    return Err(fault(src, msg, elt.span));
                }
                seen_star = true;
                check_target(src, value, inner)?;
            }
            _ => check_target(src, elt, inner)?,
        }
    }
    Ok(())
}

fn bad_target(src: &Rc<Source>, target: &Expr, ctx: TargetCtx) -> SyntaxFault {
    let name = expr_name(target);
    let msg = match ctx {
        TargetCtx::Delete => format!("cannot delete {name}"),
        TargetCtx::FirstAssign if suggests_equality(target) => {
            format!("cannot assign to {name} here. Maybe you meant '==' instead of '='?")
        }
        _ if matches!(target.kind, ExprKind::Yield(_) | ExprKind::YieldFrom(_))
            && ctx == TargetCtx::Assign
            && !parenthesised(src, target) =>
        {
            "assignment to yield expression not possible".to_string()
        }
        _ => format!("cannot assign to {name}"),
    };
    fault(src, msg, target.span).with_label(format!("this is {}", with_article(name)))
}

/// Whether the source shows `(` right before the expression (`(yield)` rather than `yield`).
fn parenthesised(src: &Rc<Source>, e: &Expr) -> bool {
    src.text
        .get(..e.span.start as usize)
        .is_some_and(|before| before.trim_end().ends_with('('))
}

fn with_article(name: &str) -> String {
    match name {
        "None" | "True" | "False" => name.to_string(),
        _ if name.starts_with(['a', 'e', 'i', 'o', 'u', 'f']) => format!("an {name}"),
        _ => format!("a {name}"),
    }
}

/// CPython adds the `==` hint only for targets that look like a mistyped comparison operand.
fn suggests_equality(target: &Expr) -> bool {
    !matches!(
        target.kind,
        ExprKind::BoolOp { .. }
            | ExprKind::UnaryOp {
                op: UnaryOp::Not,
                ..
            }
            | ExprKind::Compare { .. }
            | ExprKind::Lambda { .. }
            | ExprKind::IfExp { .. }
            | ExprKind::GeneratorExp { .. }
            | ExprKind::Constant(Constant::None | Constant::True | Constant::False)
    )
}

/// CPython's name for an expression kind in messages ("function call", "literal", ...).
pub fn expr_name(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::BoolOp { .. } | ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } => "expression",
        ExprKind::NamedExpr { .. } => "named expression",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::Dict { .. } => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Await(_) => "await expression",
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => "yield expression",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::Call { .. } => "function call",
        ExprKind::FString(_) => "f-string expression",
        ExprKind::Constant(Constant::None) => "None",
        ExprKind::Constant(Constant::True) => "True",
        ExprKind::Constant(Constant::False) => "False",
        ExprKind::Constant(Constant::Ellipsis) => "ellipsis",
        ExprKind::Constant(_) => "literal",
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::Starred(_) => "starred",
        ExprKind::Name(_) => "name",
        ExprKind::List(_) => "list",
        ExprKind::Tuple(_) => "tuple",
        ExprKind::Slice { .. } => "slice",
    }
}
