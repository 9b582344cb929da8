//! The first pass of scope analysis: a walk over the AST that records, per scope, which names
//! are bound, used, or declared `global`/`nonlocal`, opens child scopes, and reports misplaced
//! `return`, `yield` and `await`. Resolution of the recorded flags lives in `scope.rs`.

use super::{
    match_temp, syntax_error, Builder, CompKind, NodeKey, Scope, ScopeId, ScopeKind, DEF_GLOBAL,
    DEF_LOCAL, DEF_NONLOCAL, DEF_PARAM, USE,
};
use crate::syntax::ast::*;
use crate::syntax::span::Span;
use std::rc::Rc;

impl Builder<'_> {
    fn cur(&mut self) -> &mut Scope {
        let id = self.cur_id();
        &mut self.scopes[id]
    }

    fn cur_id(&self) -> ScopeId {
        self.stack.last().copied().unwrap_or(0)
    }

    fn add(&mut self, name: &Rc<str>, flag: u8) -> Rc<str> {
        self.cur().add(name, flag)
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.errors
            .push(syntax_error(self.source, message.into(), span));
    }

    fn push_scope(&mut self, kind: ScopeKind, name: &str, span: Span, key: NodeKey) -> ScopeId {
        let parent = &self.scopes[self.cur_id()];
        let qualname: Rc<str> = match parent.kind {
            ScopeKind::Module => name.into(),
            ScopeKind::Class => format!("{}.{name}", parent.qualname).into(),
            ScopeKind::Function | ScopeKind::Comprehension(_) => {
                format!("{}.<locals>.{name}", parent.qualname).into()
            }
        };
        let private = match kind {
            ScopeKind::Class => Some(Rc::from(name)),
            _ => parent.private.clone(),
        };
        let id = self.scopes.len();
        let mut scope = Scope::new(kind, name.into(), qualname, span);
        scope.private = private;
        self.scopes.push(scope);
        let parent_id = self.cur_id();
        self.scopes[parent_id].children.push(id);
        self.by_node.insert(key, id);
        self.stack.push(id);
        id
    }

    fn pop_scope(&mut self) {
        let scope = self.cur();
        if let (true, true, Some(span)) =
            (scope.is_async, scope.is_generator, scope.return_value_span)
        {
            if scope.kind == ScopeKind::Function {
                self.error("'return' with value in async generator", span);
            }
        }
        self.stack.pop();
    }

    pub(super) fn visit_body(&mut self, body: &[Stmt]) {
        for stmt in body {
            self.visit_stmt(stmt);
        }
    }

    /// A pattern whose subject is in `.m{depth}_*`: its captures bind names, its values and
    /// class names are used, and its parts get the hidden variables one level down.
    fn visit_pattern(&mut self, pattern: &Pattern, depth: usize) {
        match &pattern.kind {
            PatternKind::Value(value) => self.visit_expr(value),
            PatternKind::Singleton(_) | PatternKind::Capture(None) | PatternKind::Star(None) => {}
            PatternKind::Capture(Some(name)) | PatternKind::Star(Some(name)) => {
                self.add(&name.name, DEF_LOCAL);
            }
            PatternKind::As { pattern, name } => {
                self.visit_pattern(pattern, depth);
                self.add(&name.name, DEF_LOCAL);
            }
            PatternKind::Or(alternatives) => {
                for alternative in alternatives {
                    self.visit_pattern(alternative, depth);
                }
            }
            PatternKind::Sequence(items) => self.visit_parts(items.iter(), depth),
            PatternKind::Mapping {
                keys,
                patterns,
                rest,
            } => {
                for key in keys {
                    self.visit_expr(key);
                }
                self.visit_parts(patterns.iter(), depth);
                if let Some(rest) = rest {
                    self.add(&match_temp(depth + 1, patterns.len()), DEF_LOCAL);
                    self.add(&rest.name, DEF_LOCAL);
                }
            }
            PatternKind::Class {
                cls,
                patterns,
                kwd_patterns,
                ..
            } => {
                self.visit_expr(cls);
                self.visit_parts(patterns.iter().chain(kwd_patterns), depth);
            }
        }
    }

    fn visit_parts<'p>(&mut self, parts: impl Iterator<Item = &'p Pattern>, depth: usize) {
        for (idx, part) in parts.enumerate() {
            self.add(&match_temp(depth + 1, idx), DEF_LOCAL);
            self.visit_pattern(part, depth + 1);
        }
    }

    pub(super) fn visit_stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Expr(expr) => self.visit_expr(expr),
            StmtKind::Assign { targets, value } => {
                self.visit_expr(value);
                for target in targets {
                    self.visit_target(target);
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                if let ExprKind::Name(ident) = &target.kind {
                    self.add(&ident.name, DEF_LOCAL | USE);
                } else {
                    self.visit_target(target);
                }
                self.visit_expr(value);
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                if let Some(value) = value {
                    self.visit_expr(value);
                }
                self.visit_target(target);
                // Module and class bodies evaluate annotations and record the simple ones in
                // `__annotations__`; function bodies do neither.
                if matches!(self.cur().kind, ScopeKind::Module | ScopeKind::Class) {
                    self.visit_expr(annotation);
                    if *simple {
                        self.add(&Rc::from("__annotations__"), USE);
                        self.cur().has_annotations = true;
                    }
                }
            }
            StmtKind::Delete(targets) => {
                for target in targets {
                    self.visit_target(target);
                }
            }
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
            StmtKind::Return(value) => self.visit_return(value.as_ref(), stmt.span),
            StmtKind::Raise { exc, cause } => {
                self.visit_opt(exc.as_ref());
                self.visit_opt(cause.as_ref());
            }
            StmtKind::Global(names) => self.visit_declaration(names, DEF_GLOBAL),
            StmtKind::Nonlocal(names) => {
                if self.cur().kind == ScopeKind::Module {
                    self.error(
                        "nonlocal declaration not allowed at module level",
                        stmt.span,
                    );
                } else {
                    self.visit_declaration(names, DEF_NONLOCAL);
                }
            }
            StmtKind::Assert { test, msg } => {
                self.visit_expr(test);
                self.visit_opt(msg.as_ref());
            }
            StmtKind::Import(aliases) => {
                for alias in aliases {
                    let bound = match &alias.asname {
                        Some(asname) => asname.name.clone(),
                        None => first_component(&alias.name.name),
                    };
                    self.add(&bound, DEF_LOCAL);
                }
            }
            StmtKind::ImportFrom { names, .. } => {
                for alias in names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.add(&bound.name, DEF_LOCAL);
                }
            }
            StmtKind::FunctionDef(def) => self.visit_function(def, stmt.span),
            StmtKind::ClassDef(def) => self.visit_class(def, stmt.span),
            _ => self.visit_compound(stmt),
        }
    }

    /// `if`, `while`, `for`, `with` and `try`.
    fn visit_compound(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                self.visit_expr(test);
                self.visit_body(body);
                self.visit_body(orelse);
            }
            StmtKind::Match { subject, cases } => {
                self.visit_expr(subject);
                self.add(&match_temp(0, 0), DEF_LOCAL);
                for case in cases {
                    self.visit_pattern(&case.pattern, 0);
                    if let Some(guard) = &case.guard {
                        self.visit_expr(guard);
                    }
                    self.visit_body(&case.body);
                }
            }
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => {
                if *is_async {
                    self.note_async_statement("'async for' outside async function", stmt.span);
                }
                self.visit_expr(iter);
                self.visit_target(target);
                self.visit_body(body);
                self.visit_body(orelse);
            }
            StmtKind::With {
                is_async,
                items,
                body,
            } => {
                if *is_async {
                    self.note_async_statement("'async with' outside async function", stmt.span);
                }
                for item in items {
                    self.visit_expr(&item.context);
                    if let Some(target) = &item.target {
                        self.visit_target(target);
                    }
                }
                self.visit_body(body);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
                ..
            } => {
                self.visit_body(body);
                for handler in handlers {
                    self.visit_opt(handler.typ.as_ref());
                    if let Some(name) = &handler.name {
                        self.add(&name.name, DEF_LOCAL);
                    }
                    self.visit_body(&handler.body);
                }
                self.visit_body(orelse);
                self.visit_body(finalbody);
            }
            _ => {}
        }
    }

    fn visit_opt(&mut self, expr: Option<&Expr>) {
        if let Some(expr) = expr {
            self.visit_expr(expr);
        }
    }

    fn visit_return(&mut self, value: Option<&Expr>, span: Span) {
        let scope = self.cur();
        if scope.kind != ScopeKind::Function {
            self.error("'return' outside function", span);
        } else if value.is_some() && scope.return_value_span.is_none() {
            scope.return_value_span = Some(span);
        }
        self.visit_opt(value);
    }

    /// `global` or `nonlocal` names, with CPython's checks against earlier uses.
    fn visit_declaration(&mut self, names: &[Ident], flag: u8) {
        let what = if flag == DEF_GLOBAL {
            "global"
        } else {
            "nonlocal"
        };
        for ident in names {
            let flags = self.cur().flags_of(&ident.name);
            let name = &ident.name;
            let problem = if flags & DEF_PARAM != 0 {
                Some(format!("name '{name}' is parameter and {what}"))
            } else if flags & USE != 0 {
                Some(format!("name '{name}' is used prior to {what} declaration"))
            } else if flags & DEF_LOCAL != 0 {
                Some(format!(
                    "name '{name}' is assigned to before {what} declaration"
                ))
            } else if flags & (DEF_GLOBAL | DEF_NONLOCAL) & !flag != 0 {
                Some(format!("name '{name}' is nonlocal and global"))
            } else {
                None
            };
            if let Some(message) = problem {
                self.error(message, ident.span);
                continue;
            }
            let name = self.add(name, flag);
            if flag == DEF_NONLOCAL {
                self.cur().nonlocal_spans.entry(name).or_insert(ident.span);
            }
        }
    }

    /// A binding position: names become local, sub-expressions are ordinary uses.
    fn visit_target(&mut self, target: &Expr) {
        match &target.kind {
            ExprKind::Name(ident) => {
                self.add(&ident.name, DEF_LOCAL);
            }
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                for elt in elts {
                    self.visit_target(elt);
                }
            }
            ExprKind::Starred(inner) => self.visit_target(inner),
            _ => self.visit_expr(target),
        }
    }

    pub(super) fn visit_expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Name(ident) => {
                self.add(&ident.name, USE);
                if &*ident.name == "super" && self.cur().kind == ScopeKind::Function {
                    self.add(&Rc::from("__class__"), USE);
                }
            }
            ExprKind::NamedExpr { target, value } => {
                self.visit_expr(value);
                self.bind_walrus(target);
            }
            ExprKind::Lambda { args, body } => self.visit_lambda(expr, args, body),
            ExprKind::ListComp { elt, generators } => {
                self.visit_comprehension(expr, CompKind::List, generators, &[elt])
            }
            ExprKind::SetComp { elt, generators } => {
                self.visit_comprehension(expr, CompKind::Set, generators, &[elt])
            }
            ExprKind::GeneratorExp { elt, generators } => {
                self.visit_comprehension(expr, CompKind::Generator, generators, &[elt])
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.visit_comprehension(expr, CompKind::Dict, generators, &[key, value]),
            ExprKind::Await(value) => {
                self.note_await(expr.span);
                self.visit_expr(value);
            }
            ExprKind::Yield(value) => {
                self.note_yield(expr.span, false);
                if let Some(value) = value {
                    self.visit_expr(value);
                }
            }
            ExprKind::YieldFrom(value) => {
                self.note_yield(expr.span, true);
                self.visit_expr(value);
            }
            _ => self.visit_children(expr),
        }
    }

    /// Expressions without scope effects of their own: visit the sub-expressions.
    fn visit_children(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::BoolOp { values, .. } => self.visit_all(values),
            ExprKind::BinOp { left, right, .. } => {
                self.visit_expr(left);
                self.visit_expr(right);
            }
            ExprKind::UnaryOp { operand, .. } => self.visit_expr(operand),
            ExprKind::IfExp { test, body, orelse } => {
                self.visit_expr(test);
                self.visit_expr(body);
                self.visit_expr(orelse);
            }
            ExprKind::Dict { keys, values } => {
                for key in keys.iter().flatten() {
                    self.visit_expr(key);
                }
                self.visit_all(values);
            }
            ExprKind::Set(elts) | ExprKind::List(elts) | ExprKind::Tuple(elts) => {
                self.visit_all(elts)
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.visit_expr(left);
                self.visit_all(comparators);
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.visit_expr(func);
                self.visit_all(args);
                for keyword in keywords {
                    self.visit_expr(&keyword.value);
                }
            }
            ExprKind::FString(parts) => self.visit_fstring(parts),
            ExprKind::Attribute { value, .. } | ExprKind::Starred(value) => self.visit_expr(value),
            ExprKind::Subscript { value, slice } => {
                self.visit_expr(value);
                self.visit_expr(slice);
            }
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.visit_expr(part);
                }
            }
            _ => {}
        }
    }

    fn visit_all(&mut self, exprs: &[Expr]) {
        for expr in exprs {
            self.visit_expr(expr);
        }
    }

    fn visit_fstring(&mut self, parts: &[FStringPart]) {
        for part in parts {
            if let FStringPart::Field { value, spec, .. } = part {
                self.visit_expr(value);
                if let Some(spec) = spec {
                    self.visit_fstring(spec);
                }
            }
        }
    }

    /// `await` (or an async comprehension being awaited) at `span` in the current scope.
    fn note_await(&mut self, span: Span) {
        let interactive = self.interactive;
        let scope = self.cur();
        match scope.kind {
            ScopeKind::Module if interactive => scope.is_async = true,
            ScopeKind::Module | ScopeKind::Class => self.error("'await' outside function", span),
            ScopeKind::Function if !scope.is_async => {
                self.error("'await' outside async function", span)
            }
            ScopeKind::Function => {}
            ScopeKind::Comprehension(_) => scope.is_async = true,
        }
    }

    /// `async for` / `async with` statements: only in `async def` or the interactive top level.
    fn note_async_statement(&mut self, message: &str, span: Span) {
        let interactive = self.interactive;
        let scope = self.cur();
        match scope.kind {
            ScopeKind::Module if interactive => scope.is_async = true,
            ScopeKind::Function if scope.is_async => {}
            _ => self.error(message, span),
        }
    }

    fn note_yield(&mut self, span: Span, is_from: bool) {
        let scope = self.cur();
        match scope.kind {
            ScopeKind::Module | ScopeKind::Class => self.error("'yield' outside function", span),
            ScopeKind::Comprehension(kind) => {
                let message = format!("'yield' inside {}", kind.description());
                self.error(message, span);
            }
            ScopeKind::Function if is_from && scope.is_async => {
                self.error("'yield from' inside async function", span)
            }
            ScopeKind::Function => scope.is_generator = true,
        }
    }

    /// `x := v`: inside comprehensions the binding goes to the nearest enclosing function or
    /// module, and the comprehensions in between see it as free (or global).
    fn bind_walrus(&mut self, target: &Ident) {
        let name = &target.name;
        let mut comps = Vec::new();
        for &id in self.stack.iter().rev() {
            match self.scopes[id].kind {
                ScopeKind::Comprehension(_) => comps.push(id),
                ScopeKind::Function | ScopeKind::Module => {
                    let through = if self.scopes[id].kind == ScopeKind::Module {
                        DEF_GLOBAL
                    } else {
                        DEF_NONLOCAL
                    };
                    self.scopes[id].add(name, DEF_LOCAL);
                    for &comp in &comps {
                        self.scopes[comp].add(name, through);
                    }
                    return;
                }
                ScopeKind::Class if comps.is_empty() => break,
                ScopeKind::Class => {
                    let message = "assignment expression within a comprehension cannot be used \
                                   in a class body";
                    self.error(message, target.span);
                    return;
                }
            }
        }
        self.add(name, DEF_LOCAL);
    }

    fn visit_params(&mut self, args: &Arguments) {
        let ordered = args
            .posonly
            .iter()
            .chain(&args.args)
            .chain(&args.kwonly)
            .chain(&args.vararg)
            .chain(&args.kwarg);
        for arg in ordered {
            let name = &arg.name.name;
            if self.cur().flags_of(name) & DEF_PARAM != 0 {
                let message = format!("duplicate argument '{name}' in function definition");
                self.error(message, arg.name.span);
                continue;
            }
            let name = self.add(name, DEF_PARAM);
            self.cur().params.push(name);
        }
    }

    fn visit_defaults(&mut self, args: &Arguments) {
        self.visit_all(&args.defaults);
        for default in args.kw_defaults.iter().flatten() {
            self.visit_expr(default);
        }
    }

    fn visit_function(&mut self, def: &FunctionDef, span: Span) {
        self.visit_all(&def.decorators);
        self.visit_defaults(&def.args);
        self.add(&def.name.name, DEF_LOCAL);
        let key = NodeKey::function(def);
        self.push_scope(ScopeKind::Function, &def.name.name, span, key);
        self.cur().is_async = def.is_async;
        self.visit_params(&def.args);
        self.visit_body(&def.body);
        self.pop_scope();
    }

    fn visit_lambda(&mut self, expr: &Expr, args: &Arguments, body: &Expr) {
        self.visit_defaults(args);
        let key = NodeKey::expr(expr);
        self.push_scope(ScopeKind::Function, "<lambda>", expr.span, key);
        self.visit_params(args);
        self.visit_expr(body);
        self.pop_scope();
    }

    fn visit_class(&mut self, def: &ClassDef, span: Span) {
        self.visit_all(&def.decorators);
        self.visit_all(&def.bases);
        for keyword in &def.keywords {
            self.visit_expr(&keyword.value);
        }
        self.add(&def.name.name, DEF_LOCAL);
        let key = NodeKey::class(def);
        self.push_scope(ScopeKind::Class, &def.name.name, span, key);
        self.visit_body(&def.body);
        self.pop_scope();
    }

    /// A comprehension: the first iterable belongs to the enclosing scope, everything else to
    /// the comprehension's own function scope, whose only parameter is `.0`.
    fn visit_comprehension(
        &mut self,
        expr: &Expr,
        kind: CompKind,
        generators: &[Comprehension],
        elts: &[&Expr],
    ) {
        let Some(first) = generators.first() else {
            return;
        };
        self.visit_expr(&first.iter);
        let key = NodeKey::expr(expr);
        self.push_scope(
            ScopeKind::Comprehension(kind),
            kind.code_name(),
            expr.span,
            key,
        );
        let implicit: Rc<str> = ".0".into();
        let implicit = self.add(&implicit, DEF_PARAM);
        self.cur().params.push(implicit);
        for (idx, generator) in generators.iter().enumerate() {
            if generator.is_async {
                self.cur().is_async = true;
            }
            if idx > 0 {
                self.visit_expr(&generator.iter);
            }
            self.visit_target(&generator.target);
            self.visit_all(&generator.ifs);
        }
        for elt in elts {
            self.visit_expr(elt);
        }
        let is_async = self.cur().is_async;
        self.pop_scope();
        if is_async && kind != CompKind::Generator {
            self.note_async_comprehension(expr.span);
        }
    }

    /// Building an async list/set/dict comprehension awaits it in the enclosing scope.
    fn note_async_comprehension(&mut self, span: Span) {
        let interactive = self.interactive;
        let scope = self.cur();
        match scope.kind {
            ScopeKind::Comprehension(_) => scope.is_async = true,
            ScopeKind::Function if scope.is_async => {}
            ScopeKind::Module if interactive => scope.is_async = true,
            _ => self.error(
                "asynchronous comprehension outside of an asynchronous function",
                span,
            ),
        }
    }
}

/// `a` for `a.b.c`: what `import a.b.c` binds.
pub(super) fn first_component(dotted: &Rc<str>) -> Rc<str> {
    match dotted.split_once('.') {
        Some((first, _)) => first.into(),
        None => dotted.clone(),
    }
}
