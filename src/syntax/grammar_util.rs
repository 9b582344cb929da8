//! Grammar action helpers: AST assembly too long for a one-expression action in
//! `grammar/apy.lalrpop` (statement shapes, calls, displays). Literals live in `literal.rs`,
//! target checks in `target.rs`, parameter and argument lists in `signature.rs`. Nothing here
//! knows about lalrpop's types beyond returning `SyntaxFault` for the user error slot.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::lexer::SyntaxFault;
use crate::syntax::span::{Source, Span};
use std::rc::Rc;

pub use crate::syntax::literal::{number, strings};
pub use crate::syntax::pattern::{
    as_pattern, capture_pattern, class_pattern, dotted_value, mapping_pattern, match_case,
    or_pattern, pattern, prepend, star_pattern,
};
use crate::syntax::signature::{arguments, call_args};
use crate::syntax::target::{check_target, expr_name, TargetCtx};

/// What the single generated parser returns: a whole module, or one f-string field's
/// expression (selected by a leading `FieldStart` token).
pub enum Top {
    Module(Vec<Stmt>),
    Field(Expr),
}

/// One argument of a call or class header, before it is sorted into `args` and `keywords`.
pub enum ArgItem {
    Pos(Expr),
    /// A bare generator expression `f(x for x in y)`; only valid as the sole argument.
    Gen(Expr),
    /// `name=value`; the name is parsed as an expression so bad names get good errors.
    Kw(Expr, Expr, Span),
    Star(Expr),
    DoubleStar(Expr, Span),
}

/// One entry of a parameter list, before it is sorted into `Arguments`.
pub enum ParamItem {
    Plain(Arg, Option<Expr>),
    BareStar(Span),
    VarArgs(Arg),
    KwArgs(Arg),
    Slash(Span),
}

type Res<T> = Result<T, SyntaxFault>;

pub fn fault(src: &Rc<Source>, msg: impl Into<String>, span: Span) -> SyntaxFault {
    SyntaxFault::new(Diagnostic::new("SyntaxError", msg, src, span))
}

/// Unboxes a list of values the grammar kept boxed on the parser's stack.
pub fn unbox<T>(items: Vec<Box<T>>) -> Vec<T> {
    items.into_iter().map(|item| *item).collect()
}

pub fn expr(kind: ExprKind, l: usize, r: usize) -> Expr {
    Expr {
        kind,
        span: Span::new(l, r),
    }
}

pub fn stmt(kind: StmtKind, l: usize, r: usize) -> Stmt {
    Stmt {
        kind,
        span: Span::new(l, r),
    }
}

pub fn bin_op(left: Expr, op: BinOp, right: Expr, l: usize, r: usize) -> Expr {
    let kind = ExprKind::BinOp {
        left: Box::new(left),
        op,
        right: Box::new(right),
    };
    expr(kind, l, r)
}

pub fn unary(op: UnaryOp, operand: Expr, l: usize, r: usize) -> Expr {
    let kind = ExprKind::UnaryOp {
        op,
        operand: Box::new(operand),
    };
    expr(kind, l, r)
}

pub fn bool_op(op: BoolOp, first: Expr, rest: Vec<Expr>, l: usize, r: usize) -> Expr {
    let mut values = Vec::with_capacity(rest.len() + 1);
    values.push(first);
    values.extend(rest);
    expr(ExprKind::BoolOp { op, values }, l, r)
}

pub fn compare(left: Expr, rest: Vec<(CmpOp, Expr)>, l: usize, r: usize) -> Expr {
    let (ops, comparators) = rest.into_iter().unzip();
    let kind = ExprKind::Compare {
        left: Box::new(left),
        ops,
        comparators,
    };
    expr(kind, l, r)
}

/// `value[index]`; a lone starred index `a[*b]` is a one-element tuple, as in CPython.
pub fn subscript(value: Expr, index: Expr, l: usize, r: usize) -> Expr {
    let index = match index.kind {
        ExprKind::Starred(_) => {
            let span = index.span;
            Expr {
                kind: ExprKind::Tuple(vec![index]),
                span,
            }
        }
        _ => index,
    };
    let kind = ExprKind::Subscript {
        value: Box::new(value),
        slice: Box::new(index),
    };
    expr(kind, l, r)
}

pub fn slice(
    lower: Option<Expr>,
    upper: Option<Expr>,
    step: Option<Option<Expr>>,
    l: usize,
    r: usize,
) -> Expr {
    let kind = ExprKind::Slice {
        lower: lower.map(Box::new),
        upper: upper.map(Box::new),
        step: step.flatten().map(Box::new),
    };
    expr(kind, l, r)
}

/// A parenthesised single expression keeps its inner span, as CPython's AST does.
pub fn paren(src: &Rc<Source>, inner: Expr, _l: usize, _r: usize) -> Res<Expr> {
    if let ExprKind::Starred(_) = inner.kind {
        return Err(fault(src, "cannot use starred expression here", inner.span));
    }
    Ok(inner)
}

pub fn named_expr(src: &Rc<Source>, target: Expr, value: Expr, l: usize, r: usize) -> Res<Expr> {
    let ExprKind::Name(ident) = target.kind else {
        let msg = format!(
            "cannot use assignment expressions with {}",
            expr_name(&target)
        );
        return Err(fault(src, msg, target.span));
    };
    let kind = ExprKind::NamedExpr {
        target: ident,
        value: Box::new(value),
    };
    Ok(expr(kind, l, r))
}

/// A dotted module path `a.b.c` as one identifier.
pub fn dotted(first: Rc<str>, rest: Vec<Rc<str>>, l: usize, r: usize) -> Ident {
    let name = if rest.is_empty() {
        first
    } else {
        let mut joined = first.to_string();
        for part in rest {
            joined.push('.');
            joined.push_str(&part);
        }
        Rc::from(joined.as_str())
    };
    Ident {
        name,
        span: Span::new(l, r),
    }
}

/// `{...}` with entries: a dict when every entry is `k: v` or `**m`, a set when every entry
/// is a plain or starred element.
pub fn dict_or_set(
    src: &Rc<Source>,
    items: Vec<(Option<Expr>, Option<Expr>)>,
    l: usize,
    r: usize,
) -> Res<Expr> {
    let is_dict = matches!(items.first(), Some((_, Some(_))));
    let mut keys = Vec::new();
    let mut values = Vec::new();
    let mut elts = Vec::new();
    for item in items {
        match (item, is_dict) {
            ((key, Some(value)), true) => {
                keys.push(key);
                values.push(value);
            }
            ((Some(elt), None), false) => elts.push(elt),
            ((Some(elt), None), true) | ((_, Some(elt)), false) => {
                let msg = if is_dict {
                    "':' expected after dictionary key"
                } else {
                    "invalid syntax"
                };
                return Err(fault(src, msg, elt.span));
            }
            ((None, None), _) => {}
        }
    }
    let kind = if is_dict {
        ExprKind::Dict { keys, values }
    } else {
        ExprKind::Set(elts)
    };
    Ok(expr(kind, l, r))
}

// ------------------------------------------------------------------ statements

pub fn expr_stmt(src: &Rc<Source>, e: Expr) -> Res<StmtKind> {
    if let ExprKind::Starred(_) = e.kind {
        return Err(fault(src, "can't use starred expression here", e.span));
    }
    Ok(StmtKind::Expr(e))
}

pub fn assign(src: &Rc<Source>, first: Expr, mut rest: Vec<Expr>) -> Res<StmtKind> {
    let value = match rest.pop() {
        Some(value) => value,
        None => return expr_stmt(src, first),
    };
    if let ExprKind::Starred(_) = value.kind {
        return Err(fault(src, "can't use starred expression here", value.span));
    }
    let single = rest.is_empty();
    let mut targets = Vec::with_capacity(rest.len() + 1);
    targets.push(first);
    targets.extend(rest);
    for (idx, target) in targets.iter().enumerate() {
        let ctx = if idx == 0 && single {
            TargetCtx::FirstAssign
        } else {
            TargetCtx::Assign
        };
        check_target(src, target, ctx)?;
    }
    Ok(StmtKind::Assign { targets, value })
}

pub fn aug_assign(src: &Rc<Source>, target: Expr, op: BinOp, value: Expr) -> Res<StmtKind> {
    if !matches!(
        target.kind,
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
    ) {
        let msg = format!(
            "'{}' is an illegal expression for augmented assignment",
            expr_name(&target)
        );
        return Err(fault(src, msg, target.span));
    }
    Ok(StmtKind::AugAssign { target, op, value })
}

pub fn ann_assign(
    src: &Rc<Source>,
    start: usize,
    target: Expr,
    annotation: Expr,
    value: Option<Expr>,
) -> Res<StmtKind> {
    let msg = match target.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => None,
        ExprKind::Tuple(_) => Some("only single target (not tuple) can be annotated"),
        ExprKind::List(_) => Some("only single target (not list) can be annotated"),
        _ => Some("illegal target for annotation"),
    };
    if let Some(msg) = msg {
        return Err(fault(src, msg, target.span));
    }
    let simple = matches!(target.kind, ExprKind::Name(_)) && target.span.start as usize == start;
    Ok(StmtKind::AnnAssign {
        target,
        annotation,
        value,
        simple,
    })
}

pub fn delete(src: &Rc<Source>, targets: Vec<Expr>) -> Res<StmtKind> {
    for target in &targets {
        check_target(src, target, TargetCtx::Delete)?;
    }
    Ok(StmtKind::Delete(targets))
}

pub fn import_from(
    src: &Rc<Source>,
    levels: Vec<u32>,
    module: Option<Ident>,
    names: Option<Vec<Alias>>,
    l: usize,
    r: usize,
) -> Res<StmtKind> {
    let level = levels.iter().fold(0u32, |acc, n| acc.saturating_add(*n));
    if level == 0 && module.is_none() {
        return Err(fault(src, "invalid syntax", Span::new(l, r)));
    }
    let Some(names) = names else {
        return Err(fault(
            src,
            "'import *' is not supported in apy",
            Span::new(l, r),
        ));
    };
    Ok(StmtKind::ImportFrom {
        module,
        names,
        level,
    })
}

pub fn decorate(decorators: Vec<Expr>, mut s: Stmt) -> Stmt {
    match &mut s.kind {
        StmtKind::FunctionDef(def) => def.decorators = decorators,
        StmtKind::ClassDef(def) => def.decorators = decorators,
        _ => debug_assert!(false, "only defs and classes take decorators"),
    }
    s
}

/// Folds `elif` clauses into nested `If` statements, innermost last.
pub fn if_stmt(
    test: Expr,
    body: Vec<Stmt>,
    elifs: Vec<(usize, Expr, Vec<Stmt>)>,
    orelse: Option<Vec<Stmt>>,
    l: usize,
    r: usize,
) -> Stmt {
    let mut orelse = orelse.unwrap_or_default();
    for (start, test, body) in elifs.into_iter().rev() {
        let nested = StmtKind::If { test, body, orelse };
        orelse = vec![stmt(nested, start, r)];
    }
    stmt(StmtKind::If { test, body, orelse }, l, r)
}

#[allow(clippy::too_many_arguments)]
pub fn for_stmt(
    src: &Rc<Source>,
    is_async: bool,
    target: Expr,
    iter: Expr,
    body: Vec<Stmt>,
    orelse: Option<Vec<Stmt>>,
    l: usize,
    r: usize,
) -> Res<Stmt> {
    check_target(src, &target, TargetCtx::Assign)?;
    let kind = StmtKind::For {
        is_async,
        target,
        iter,
        body,
        orelse: orelse.unwrap_or_default(),
    };
    Ok(stmt(kind, l, r))
}

pub fn comprehension(
    src: &Rc<Source>,
    is_async: bool,
    target: Expr,
    iter: Expr,
    ifs: Vec<Expr>,
) -> Res<Comprehension> {
    check_target(src, &target, TargetCtx::Assign)?;
    Ok(Comprehension {
        target,
        iter,
        ifs,
        is_async,
    })
}

pub fn with_item(src: &Rc<Source>, context: Expr, target: Option<Expr>) -> Res<WithItem> {
    if let Some(target) = &target {
        check_target(src, target, TargetCtx::Assign)?;
    }
    Ok(WithItem { context, target })
}

pub fn try_stmt(
    src: &Rc<Source>,
    body: Vec<Stmt>,
    clauses: Vec<(ExceptHandler, bool)>,
    orelse: Option<Vec<Stmt>>,
    finalbody: Option<Vec<Stmt>>,
    l: usize,
    r: usize,
) -> Res<Stmt> {
    let is_star = clauses.first().is_some_and(|(_, star)| *star);
    let n_clauses = clauses.len();
    let mut handlers = Vec::with_capacity(n_clauses);
    for (idx, (handler, star)) in clauses.into_iter().enumerate() {
        if star != is_star {
            let msg = "cannot have both 'except' and 'except*' on the same 'try'";
            return Err(fault(src, msg, handler.span));
        }
        if handler.typ.is_none() && idx + 1 < n_clauses {
            return Err(fault(src, "default 'except:' must be last", handler.span));
        }
        handlers.push(handler);
    }
    let kind = StmtKind::Try {
        body,
        handlers,
        orelse: orelse.unwrap_or_default(),
        finalbody: finalbody.unwrap_or_default(),
        is_star,
    };
    Ok(stmt(kind, l, r))
}

#[allow(clippy::too_many_arguments)]
pub fn func_def(
    src: &Rc<Source>,
    is_async: bool,
    name: Ident,
    params: Option<Vec<ParamItem>>,
    returns: Option<Expr>,
    body: Vec<Stmt>,
    l: usize,
    r: usize,
) -> Res<Stmt> {
    let args = arguments(src, params.unwrap_or_default(), "function definition")?;
    let def = FunctionDef {
        name,
        args,
        body,
        decorators: Vec::new(),
        returns,
        is_async,
    };
    Ok(stmt(StmtKind::FunctionDef(Box::new(def)), l, r))
}

pub fn class_def(
    src: &Rc<Source>,
    name: Ident,
    args: Option<Option<(Vec<ArgItem>, bool)>>,
    body: Vec<Stmt>,
    l: usize,
    r: usize,
) -> Res<Stmt> {
    let (bases, keywords) = call_args(src, args.flatten().unwrap_or_default())?;
    let def = ClassDef {
        name,
        bases,
        keywords,
        body,
        decorators: Vec::new(),
    };
    Ok(stmt(StmtKind::ClassDef(Box::new(def)), l, r))
}

pub fn lambda(
    src: &Rc<Source>,
    params: Option<Vec<ParamItem>>,
    body: Expr,
    l: usize,
    r: usize,
) -> Res<Expr> {
    let args = arguments(src, params.unwrap_or_default(), "function definition")?;
    let kind = ExprKind::Lambda {
        args: Box::new(args),
        body: Box::new(body),
    };
    Ok(expr(kind, l, r))
}

pub fn call(
    src: &Rc<Source>,
    func: Expr,
    items: Option<(Vec<ArgItem>, bool)>,
    l: usize,
    r: usize,
) -> Res<Expr> {
    let (args, keywords) = call_args(src, items.unwrap_or_default())?;
    let kind = ExprKind::Call {
        func: Box::new(func),
        args,
        keywords,
    };
    Ok(expr(kind, l, r))
}
