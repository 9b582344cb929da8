//! A compact s-expression text of a parsed module, for `--dump-ast` and parser tests:
//! `(def f (a b=1 *c) (return (+ a b)))`. Spans are left out. It recurses once per nesting
//! level, which is safe because `depth.rs` has already rejected trees deeper than 1000.

use crate::syntax::ast::*;
use std::fmt::Write;

/// One line per top-level statement.
pub fn dump_module(module: &Module) -> String {
    let mut out = String::new();
    for s in &module.body {
        stmt(&mut out, s);
        out.push('\n');
    }
    out
}

fn list<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    for (idx, item) in items.iter().enumerate() {
        if idx > 0 {
            out.push(' ');
        }
        each(out, item);
    }
}

fn block(out: &mut String, tag: &str, body: &[Stmt]) {
    if body.is_empty() {
        return;
    }
    let _ = write!(out, " ({tag} ");
    list(out, body, stmt);
    out.push(')');
}

fn opt(out: &mut String, e: &Option<Expr>) {
    if let Some(e) = e {
        out.push(' ');
        expr(out, e);
    }
}

fn stmt(out: &mut String, s: &Stmt) {
    match &s.kind {
        StmtKind::Expr(e) => expr(out, e),
        StmtKind::Assign { targets, value } => {
            out.push_str("(= ");
            list(out, targets, expr);
            out.push(' ');
            expr(out, value);
            out.push(')');
        }
        StmtKind::AugAssign { target, op, value } => {
            let _ = write!(out, "({}= ", op.symbol());
            expr(out, target);
            out.push(' ');
            expr(out, value);
            out.push(')');
        }
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
            simple,
        } => {
            out.push_str(if *simple { "(ann " } else { "(ann-complex " });
            expr(out, target);
            out.push(' ');
            expr(out, annotation);
            opt(out, value);
            out.push(')');
        }
        StmtKind::Delete(targets) => {
            out.push_str("(del ");
            list(out, targets, expr);
            out.push(')');
        }
        StmtKind::Pass => out.push_str("pass"),
        StmtKind::Break => out.push_str("break"),
        StmtKind::Continue => out.push_str("continue"),
        StmtKind::Return(value) => {
            out.push_str("(return");
            opt(out, value);
            out.push(')');
        }
        _ => simple_more(out, s),
    }
}

fn simple_more(out: &mut String, s: &Stmt) {
    match &s.kind {
        StmtKind::Raise { exc, cause } => {
            out.push_str("(raise");
            opt(out, exc);
            if cause.is_some() {
                out.push_str(" from");
                opt(out, cause);
            }
            out.push(')');
        }
        StmtKind::Global(names) | StmtKind::Nonlocal(names) => {
            let tag = if matches!(s.kind, StmtKind::Global(_)) {
                "global"
            } else {
                "nonlocal"
            };
            let _ = write!(out, "({tag} ");
            list(out, names, |out, n| out.push_str(&n.name));
            out.push(')');
        }
        StmtKind::Assert { test, msg } => {
            out.push_str("(assert ");
            expr(out, test);
            opt(out, msg);
            out.push(')');
        }
        StmtKind::Import(names) => {
            out.push_str("(import ");
            list(out, names, alias);
            out.push(')');
        }
        StmtKind::ImportFrom {
            module,
            names,
            level,
        } => {
            let _ = write!(out, "(from {}", ".".repeat(*level as usize));
            if let Some(module) = module {
                out.push_str(&module.name);
            }
            out.push_str(" import ");
            list(out, names, alias);
            out.push(')');
        }
        _ => compound(out, s),
    }
}

fn alias(out: &mut String, a: &Alias) {
    out.push_str(&a.name.name);
    if let Some(asname) = &a.asname {
        let _ = write!(out, " as {}", asname.name);
    }
}

fn compound(out: &mut String, s: &Stmt) {
    match &s.kind {
        StmtKind::If { test, body, orelse } => conditional(out, "if", test, body, orelse),
        StmtKind::While { test, body, orelse } => conditional(out, "while", test, body, orelse),
        StmtKind::For {
            is_async,
            target,
            iter,
            body,
            orelse,
        } => {
            out.push_str(if *is_async { "(async-for " } else { "(for " });
            expr(out, target);
            out.push(' ');
            expr(out, iter);
            block(out, "do", body);
            block(out, "else", orelse);
            out.push(')');
        }
        StmtKind::With {
            is_async,
            items,
            body,
        } => {
            out.push_str(if *is_async { "(async-with" } else { "(with" });
            for item in items {
                out.push_str(" (");
                expr(out, &item.context);
                opt(out, &item.target);
                out.push(')');
            }
            block(out, "do", body);
            out.push(')');
        }
        StmtKind::Try { .. } => try_stmt(out, s),
        StmtKind::FunctionDef(def) => function_def(out, def),
        StmtKind::ClassDef(def) => class_def(out, def),
        StmtKind::Match { subject, cases } => {
            out.push_str("(match ");
            expr(out, subject);
            for case in cases {
                out.push_str(" (case ");
                pattern(out, &case.pattern);
                if let Some(guard) = &case.guard {
                    out.push_str(" (if ");
                    expr(out, guard);
                    out.push(')');
                }
                block(out, "do", &case.body);
                out.push(')');
            }
            out.push(')');
        }
        _ => out.push('?'),
    }
}

fn pattern(out: &mut String, p: &Pattern) {
    let name = |n: &Option<Ident>| n.as_ref().map_or("_".to_string(), |n| n.name.to_string());
    match &p.kind {
        PatternKind::Value(e) => expr(out, e),
        PatternKind::Singleton(c) => constant(out, c),
        PatternKind::Capture(n) => out.push_str(&name(n)),
        PatternKind::Star(n) => {
            let _ = write!(out, "*{}", name(n));
        }
        PatternKind::Sequence(items) => {
            out.push_str("(seq");
            for item in items {
                out.push(' ');
                pattern(out, item);
            }
            out.push(')');
        }
        PatternKind::Mapping {
            keys,
            patterns,
            rest,
        } => {
            out.push_str("(map");
            for (k, v) in keys.iter().zip(patterns) {
                out.push_str(" (");
                expr(out, k);
                out.push(' ');
                pattern(out, v);
                out.push(')');
            }
            if let Some(rest) = rest {
                let _ = write!(out, " **{}", rest.name);
            }
            out.push(')');
        }
        PatternKind::Class {
            cls,
            patterns,
            kwd_names,
            kwd_patterns,
        } => {
            out.push_str("(class ");
            expr(out, cls);
            for item in patterns {
                out.push(' ');
                pattern(out, item);
            }
            for (n, item) in kwd_names.iter().zip(kwd_patterns) {
                let _ = write!(out, " {}=", n.name);
                pattern(out, item);
            }
            out.push(')');
        }
        PatternKind::As {
            pattern: inner,
            name,
        } => {
            out.push_str("(as ");
            pattern(out, inner);
            let _ = write!(out, " {})", name.name);
        }
        PatternKind::Or(items) => {
            out.push_str("(or");
            for item in items {
                out.push(' ');
                pattern(out, item);
            }
            out.push(')');
        }
    }
}

fn conditional(out: &mut String, tag: &str, test: &Expr, body: &[Stmt], orelse: &[Stmt]) {
    let _ = write!(out, "({tag} ");
    expr(out, test);
    block(out, "then", body);
    block(out, "else", orelse);
    out.push(')');
}

fn try_stmt(out: &mut String, s: &Stmt) {
    let StmtKind::Try {
        body,
        handlers,
        orelse,
        finalbody,
        is_star,
    } = &s.kind
    else {
        return;
    };
    out.push_str("(try");
    block(out, "do", body);
    for h in handlers {
        out.push_str(if *is_star { " (except*" } else { " (except" });
        opt(out, &h.typ);
        if let Some(name) = &h.name {
            let _ = write!(out, " as {}", name.name);
        }
        block(out, "do", &h.body);
        out.push(')');
    }
    block(out, "else", orelse);
    block(out, "finally", finalbody);
    out.push(')');
}

fn decorators(out: &mut String, decorators: &[Expr]) {
    for d in decorators {
        out.push('@');
        expr(out, d);
        out.push(' ');
    }
}

fn function_def(out: &mut String, def: &FunctionDef) {
    decorators(out, &def.decorators);
    let tag = if def.is_async { "async-def" } else { "def" };
    let _ = write!(out, "({tag} {} (", def.name.name);
    arguments(out, &def.args);
    out.push(')');
    if let Some(returns) = &def.returns {
        out.push_str(" -> ");
        expr(out, returns);
    }
    block(out, "do", &def.body);
    out.push(')');
}

fn class_def(out: &mut String, def: &ClassDef) {
    decorators(out, &def.decorators);
    let _ = write!(out, "(class {} (", def.name.name);
    list(out, &def.bases, expr);
    for (idx, kw) in def.keywords.iter().enumerate() {
        if idx > 0 || !def.bases.is_empty() {
            out.push(' ');
        }
        keyword(out, kw);
    }
    out.push(')');
    block(out, "do", &def.body);
    out.push(')');
}

fn arg(out: &mut String, a: &Arg) {
    out.push_str(&a.name.name);
    if let Some(ann) = &a.annotation {
        out.push(':');
        expr(out, ann);
    }
}

fn arguments(out: &mut String, args: &Arguments) {
    let mut parts: Vec<String> = Vec::new();
    let positional: Vec<&Arg> = args.posonly.iter().chain(&args.args).collect();
    let first_default = positional.len().saturating_sub(args.defaults.len());
    for (idx, a) in positional.iter().enumerate() {
        let mut text = String::new();
        arg(&mut text, a);
        if let Some(d) = idx
            .checked_sub(first_default)
            .and_then(|i| args.defaults.get(i))
        {
            text.push('=');
            expr(&mut text, d);
        }
        parts.push(text);
        if idx + 1 == args.posonly.len() {
            parts.push("/".into());
        }
    }
    if let Some(v) = &args.vararg {
        let mut text = "*".to_string();
        arg(&mut text, v);
        parts.push(text);
    } else if !args.kwonly.is_empty() {
        parts.push("*".into());
    }
    for (a, d) in args.kwonly.iter().zip(&args.kw_defaults) {
        let mut text = String::new();
        arg(&mut text, a);
        if let Some(d) = d {
            text.push('=');
            expr(&mut text, d);
        }
        parts.push(text);
    }
    if let Some(k) = &args.kwarg {
        let mut text = "**".to_string();
        arg(&mut text, k);
        parts.push(text);
    }
    out.push_str(&parts.join(" "));
}

fn keyword(out: &mut String, kw: &Keyword) {
    match &kw.name {
        Some(name) => {
            let _ = write!(out, "{}=", name.name);
        }
        None => out.push_str("**"),
    }
    expr(out, &kw.value);
}

fn constant(out: &mut String, c: &Constant) {
    let _ = match c {
        Constant::None => write!(out, "None"),
        Constant::True => write!(out, "True"),
        Constant::False => write!(out, "False"),
        Constant::Ellipsis => write!(out, "..."),
        Constant::Int(i) => write!(out, "{i}"),
        Constant::Float(f) => write!(out, "{f:?}"),
        Constant::Str(s) => write!(out, "{s:?}"),
        Constant::Bytes(b) => write!(out, "b{:?}", String::from_utf8_lossy(b)),
    };
}

fn tagged(out: &mut String, tag: &str, items: &[&Expr]) {
    let _ = write!(out, "({tag}");
    for item in items {
        out.push(' ');
        expr(out, item);
    }
    out.push(')');
}

fn comprehension(out: &mut String, tag: &str, elts: &[&Expr], generators: &[Comprehension]) {
    let _ = write!(out, "({tag}");
    for e in elts {
        out.push(' ');
        expr(out, e);
    }
    for g in generators {
        out.push_str(if g.is_async { " async-for " } else { " for " });
        expr(out, &g.target);
        out.push_str(" in ");
        expr(out, &g.iter);
        for cond in &g.ifs {
            out.push_str(" if ");
            expr(out, cond);
        }
    }
    out.push(')');
}

fn fstring(out: &mut String, parts: &[FStringPart]) {
    out.push_str("(f");
    for part in parts {
        out.push(' ');
        match part {
            FStringPart::Literal(text) => {
                let _ = write!(out, "{text:?}");
            }
            FStringPart::Field {
                value,
                conversion,
                spec,
            } => {
                out.push('{');
                expr(out, value);
                if let Some(conv) = conversion {
                    let _ = write!(out, " !{conv}");
                }
                if let Some(spec) = spec {
                    out.push_str(" :");
                    fstring(out, spec);
                }
                out.push('}');
            }
        }
    }
    out.push(')');
}

fn expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Name(id) => out.push_str(&id.name),
        ExprKind::Constant(c) => constant(out, c),
        ExprKind::BoolOp { op, values } => {
            let tag = if *op == BoolOp::And { "and" } else { "or" };
            let refs: Vec<&Expr> = values.iter().collect();
            tagged(out, tag, &refs);
        }
        ExprKind::NamedExpr { target, value } => {
            let _ = write!(out, "(:= {} ", target.name);
            expr(out, value);
            out.push(')');
        }
        ExprKind::BinOp { left, op, right } => tagged(out, op.symbol(), &[left, right]),
        ExprKind::UnaryOp { op, operand } => {
            let tag = match op {
                UnaryOp::Invert => "~",
                UnaryOp::Not => "not",
                UnaryOp::Pos => "+",
                UnaryOp::Neg => "-",
            };
            tagged(out, tag, &[operand]);
        }
        ExprKind::Lambda { args, body } => {
            out.push_str("(lambda (");
            arguments(out, args);
            out.push_str(") ");
            expr(out, body);
            out.push(')');
        }
        ExprKind::IfExp { test, body, orelse } => tagged(out, "ifexp", &[test, body, orelse]),
        _ => expr_more(out, e),
    }
}

fn expr_more(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Set(elts) => tagged(out, "set", &elts.iter().collect::<Vec<_>>()),
        ExprKind::List(elts) => tagged(out, "list", &elts.iter().collect::<Vec<_>>()),
        ExprKind::Tuple(elts) => tagged(out, "tuple", &elts.iter().collect::<Vec<_>>()),
        ExprKind::ListComp { elt, generators } => {
            comprehension(out, "listcomp", &[elt], generators)
        }
        ExprKind::SetComp { elt, generators } => comprehension(out, "setcomp", &[elt], generators),
        ExprKind::GeneratorExp { elt, generators } => {
            comprehension(out, "genexp", &[elt], generators)
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => comprehension(out, "dictcomp", &[key, value], generators),
        ExprKind::Await(v) => tagged(out, "await", &[v]),
        ExprKind::Yield(v) => match v {
            Some(v) => tagged(out, "yield", &[v]),
            None => out.push_str("(yield)"),
        },
        ExprKind::YieldFrom(v) => tagged(out, "yield-from", &[v]),
        ExprKind::FString(parts) => fstring(out, parts),
        ExprKind::Attribute { value, attr } => {
            out.push_str("(. ");
            expr(out, value);
            let _ = write!(out, " {})", attr.name);
        }
        ExprKind::Subscript { value, slice } => tagged(out, "[]", &[value, slice]),
        ExprKind::Starred(v) => tagged(out, "*", &[v]),
        ExprKind::Slice { lower, upper, step } => {
            out.push_str("(slice");
            for part in [lower, upper, step] {
                out.push(' ');
                match part {
                    Some(p) => expr(out, p),
                    None => out.push('_'),
                }
            }
            out.push(')');
        }
        _ => expr_rest(out, e),
    }
}

fn expr_rest(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Dict { keys, values } => {
            out.push_str("(dict");
            for (k, v) in keys.iter().zip(values) {
                out.push(' ');
                match k {
                    Some(k) => expr(out, k),
                    None => out.push_str("**"),
                }
                out.push(':');
                expr(out, v);
            }
            out.push(')');
        }
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } => {
            out.push_str("(cmp ");
            expr(out, left);
            for (op, c) in ops.iter().zip(comparators) {
                let _ = write!(out, " {} ", op.symbol());
                expr(out, c);
            }
            out.push(')');
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            out.push_str("(call ");
            expr(out, func);
            for a in args {
                out.push(' ');
                expr(out, a);
            }
            for kw in keywords {
                out.push(' ');
                keyword(out, kw);
            }
            out.push(')');
        }
        _ => out.push('?'),
    }
}
