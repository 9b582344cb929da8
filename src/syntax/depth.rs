//! The nesting guard: after parsing, measures how deeply statements and expressions nest,
//! with an explicit stack (never recursion), and rejects trees the compiler could not walk.
//! Nothing here builds or changes trees.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::lexer::SyntaxFault;
use crate::syntax::span::Source;
use std::rc::Rc;

/// The deepest nesting accepted; CPython's compiler gives up at a similar depth.
pub const MAX_DEPTH: usize = 1000;

enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

/// Fails with CPython's RecursionError text when any node is nested deeper than `MAX_DEPTH`.
/// Top-level statements are at depth 0, so a 1000-term sum (999 operators) is accepted.
pub fn check_depth(source: &Rc<Source>, module: &Module) -> Result<(), SyntaxFault> {
    let mut stack: Vec<(Node, usize)> = module.body.iter().map(|s| (Node::Stmt(s), 0)).collect();
    let mut children = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            let span = match node {
                Node::Stmt(s) => s.span,
                Node::Expr(e) => e.span,
            };
            let diag = Diagnostic::new(
                "RecursionError",
                "maximum recursion depth exceeded during compilation",
                source,
                span,
            )
            .with_label("nested too deeply here");
            return Err(SyntaxFault::new(diag));
        }
        children.clear();
        match node {
            Node::Stmt(s) => stmt_children(s, &mut children),
            Node::Expr(e) => expr_children(e, &mut children),
        }
        stack.extend(children.drain(..).map(|child| (child, depth + 1)));
    }
    Ok(())
}

fn push_exprs<'a>(out: &mut Vec<Node<'a>>, exprs: impl IntoIterator<Item = &'a Expr>) {
    out.extend(exprs.into_iter().map(Node::Expr));
}

fn push_body<'a>(out: &mut Vec<Node<'a>>, body: &'a [Stmt]) {
    out.extend(body.iter().map(Node::Stmt));
}

fn push_args<'a>(out: &mut Vec<Node<'a>>, args: &'a Arguments) {
    let all = args
        .posonly
        .iter()
        .chain(&args.args)
        .chain(&args.vararg)
        .chain(&args.kwonly)
        .chain(&args.kwarg);
    push_exprs(out, all.filter_map(|arg| arg.annotation.as_ref()));
    push_exprs(out, args.kw_defaults.iter().flatten());
    push_exprs(out, &args.defaults);
}

fn stmt_children<'a>(s: &'a Stmt, out: &mut Vec<Node<'a>>) {
    match &s.kind {
        StmtKind::Expr(e) => push_exprs(out, [e]),
        StmtKind::Assign { targets, value } => {
            push_exprs(out, targets);
            push_exprs(out, [value]);
        }
        StmtKind::AugAssign { target, value, .. } => push_exprs(out, [target, value]),
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
            ..
        } => {
            push_exprs(out, [target, annotation]);
            push_exprs(out, value);
        }
        StmtKind::Delete(targets) => push_exprs(out, targets),
        StmtKind::Return(value) => push_exprs(out, value),
        StmtKind::Raise { exc, cause } => push_exprs(out, exc.iter().chain(cause)),
        StmtKind::Assert { test, msg } => push_exprs(out, std::iter::once(test).chain(msg)),
        StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
            push_exprs(out, [test]);
            push_body(out, body);
            push_body(out, orelse);
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
            ..
        } => {
            push_exprs(out, [target, iter]);
            push_body(out, body);
            push_body(out, orelse);
        }
        StmtKind::With { items, body, .. } => {
            for item in items {
                push_exprs(out, std::iter::once(&item.context).chain(&item.target));
            }
            push_body(out, body);
        }
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
            ..
        } => {
            push_body(out, body);
            for handler in handlers {
                push_exprs(out, &handler.typ);
                push_body(out, &handler.body);
            }
            push_body(out, orelse);
            push_body(out, finalbody);
        }
        StmtKind::Match { subject, cases } => {
            // Patterns nest only inside brackets, which the layout pass limits to 200 deep.
            push_exprs(out, [subject]);
            for case in cases {
                push_exprs(out, &case.guard);
                push_body(out, &case.body);
            }
        }
        StmtKind::FunctionDef(def) => {
            push_args(out, &def.args);
            push_exprs(out, def.decorators.iter().chain(&def.returns));
            push_body(out, &def.body);
        }
        StmtKind::ClassDef(def) => {
            push_exprs(out, def.bases.iter().chain(&def.decorators));
            push_exprs(out, def.keywords.iter().map(|kw| &kw.value));
            push_body(out, &def.body);
        }
        StmtKind::Pass
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Global(_)
        | StmtKind::Nonlocal(_)
        | StmtKind::Import(_)
        | StmtKind::ImportFrom { .. } => {}
    }
}

fn push_generators<'a>(out: &mut Vec<Node<'a>>, generators: &'a [Comprehension]) {
    for comp in generators {
        push_exprs(out, [&comp.target, &comp.iter]);
        push_exprs(out, &comp.ifs);
    }
}

fn push_fstring<'a>(out: &mut Vec<Node<'a>>, parts: &'a [FStringPart]) {
    // Format specs nest at most two levels (the lexer enforces it), so this loop over the
    // spec's parts need not be part of the explicit stack.
    for part in parts {
        if let FStringPart::Field { value, spec, .. } = part {
            out.push(Node::Expr(value));
            if let Some(spec) = spec {
                push_fstring(out, spec);
            }
        }
    }
}

fn expr_children<'a>(e: &'a Expr, out: &mut Vec<Node<'a>>) {
    match &e.kind {
        ExprKind::BoolOp { values, .. } => push_exprs(out, values),
        ExprKind::NamedExpr { value, .. } => push_exprs(out, [&**value]),
        ExprKind::BinOp { left, right, .. } => push_exprs(out, [&**left, &**right]),
        ExprKind::UnaryOp { operand, .. } => push_exprs(out, [&**operand]),
        ExprKind::Lambda { args, body } => {
            push_args(out, args);
            push_exprs(out, [&**body]);
        }
        ExprKind::IfExp { test, body, orelse } => push_exprs(out, [&**test, &**body, &**orelse]),
        ExprKind::Dict { keys, values } => {
            push_exprs(out, keys.iter().flatten());
            push_exprs(out, values);
        }
        ExprKind::Set(elts) | ExprKind::List(elts) | ExprKind::Tuple(elts) => push_exprs(out, elts),
        ExprKind::ListComp { elt, generators }
        | ExprKind::SetComp { elt, generators }
        | ExprKind::GeneratorExp { elt, generators } => {
            push_exprs(out, [&**elt]);
            push_generators(out, generators);
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => {
            push_exprs(out, [&**key, &**value]);
            push_generators(out, generators);
        }
        ExprKind::Await(value) | ExprKind::YieldFrom(value) | ExprKind::Starred(value) => {
            push_exprs(out, [&**value])
        }
        ExprKind::Yield(value) => push_exprs(out, value.iter().map(|v| &**v)),
        ExprKind::Compare {
            left, comparators, ..
        } => {
            push_exprs(out, [&**left]);
            push_exprs(out, comparators);
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            push_exprs(out, [&**func]);
            push_exprs(out, args);
            push_exprs(out, keywords.iter().map(|kw| &kw.value));
        }
        ExprKind::FString(parts) => push_fstring(out, parts),
        ExprKind::Attribute { value, .. } => push_exprs(out, [&**value]),
        ExprKind::Subscript { value, slice } => push_exprs(out, [&**value, &**slice]),
        ExprKind::Slice { lower, upper, step } => {
            let parts = [lower, upper, step];
            push_exprs(out, parts.into_iter().flatten().map(|b| &**b));
        }
        ExprKind::Constant(_) | ExprKind::Name(_) => {}
    }
}
