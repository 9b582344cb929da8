//! Statements: assignments and their targets, `del`, control flow (`if`, `while`, `for`,
//! `async for`, `break`/`continue`/`return`), `raise`, `assert` and imports. `try` and `with`
//! live in `try_with.rs`, definitions in `function.rs`, expressions in `expr.rs`.

use super::block::{Exit, FBlockKind};
use super::expr::number_const;
use super::{Compiler, NameCtx};
use crate::compile::code::{Const, Instr};
use crate::compile::scope::ScopeKind;
use crate::syntax::ast::*;
use std::rc::Rc;

impl<'a> Compiler<'a> {
    pub(super) fn compile_body(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            self.compile_stmt(stmt);
        }
    }

    fn compile_stmt(&mut self, stmt: &'a Stmt) {
        self.with_span(stmt.span, |c| c.compile_stmt_kind(stmt));
    }

    fn compile_stmt_kind(&mut self, stmt: &'a Stmt) {
        match &stmt.kind {
            StmtKind::Expr(expr) => self.compile_expr_stmt(expr),
            StmtKind::Assign { targets, value } => {
                if let [target] = targets.as_slice() {
                    if suggests_comparison(target) {
                        let message = format!(
                            "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                            describe(target)
                        );
                        return self.error(message, target.span);
                    }
                }
                self.compile_expr(value);
                for (idx, target) in targets.iter().enumerate() {
                    if idx + 1 < targets.len() {
                        self.emit(Instr::Copy(1));
                    }
                    self.compile_store(target);
                }
            }
            StmtKind::AugAssign { target, op, value } => {
                self.compile_aug_assign(target, *op, value)
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => self.compile_ann_assign(target, annotation, value.as_ref(), *simple),
            StmtKind::Delete(targets) => {
                for target in targets {
                    self.compile_delete(target);
                }
            }
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => {}
            StmtKind::Break => self.compile_exit(Exit::Break, false, stmt.span),
            StmtKind::Continue => self.compile_exit(Exit::Continue, false, stmt.span),
            StmtKind::Return(value) => {
                if let Some(value) = value {
                    self.compile_expr(value);
                }
                self.compile_exit(Exit::Return, value.is_some(), stmt.span);
            }
            StmtKind::Raise { exc, cause } => self.compile_raise(exc.as_ref(), cause.as_ref()),
            StmtKind::Assert { test, msg } => self.compile_assert(test, msg.as_ref()),
            StmtKind::Import(aliases) => self.compile_import(aliases),
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => self.compile_import_from(module.as_ref(), names, *level, stmt),
            StmtKind::If { test, body, orelse } => self.compile_if(test, body, orelse),
            StmtKind::While { test, body, orelse } => self.compile_while(test, body, orelse),
            StmtKind::Match { subject, cases } => self.compile_match(subject, cases),
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => self.compile_for(*is_async, target, iter, body, orelse),
            StmtKind::With {
                is_async,
                items,
                body,
            } => self.compile_with(*is_async, items, body),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
                is_star,
            } => self.compile_try(body, handlers, orelse, finalbody, *is_star),
            StmtKind::FunctionDef(def) => self.compile_function_def(def, stmt.span),
            StmtKind::ClassDef(def) => self.compile_class_def(def, stmt.span),
        }
    }

    fn compile_expr_stmt(&mut self, expr: &'a Expr) {
        let top_level = self.units.len() == 1 && self.scope().kind == ScopeKind::Module;
        if self.interactive && top_level {
            self.compile_expr(expr);
            self.emit(Instr::PrintExpr);
        } else if !matches!(expr.kind, ExprKind::Constant(_)) {
            self.compile_expr(expr);
            self.emit(Instr::PopTop);
        }
    }

    /// Stores the value on top of the stack into an assignment target.
    /// `target: annotation = value`. In a module or class body the annotation is evaluated
    /// and, for a bare name, recorded in `__annotations__` (created by `setup_annotations`).
    fn compile_ann_assign(
        &mut self,
        target: &'a Expr,
        annotation: &'a Expr,
        value: Option<&'a Expr>,
        simple: bool,
    ) {
        if let Some(value) = value {
            self.compile_expr(value);
            self.compile_store(target);
        }
        if !matches!(self.scope().kind, ScopeKind::Module | ScopeKind::Class) {
            return;
        }
        self.compile_expr(annotation);
        match (&target.kind, simple) {
            (ExprKind::Name(ident), true) => {
                let name = self.scope().mangle(&ident.name);
                self.name_op(&Rc::from("__annotations__"), NameCtx::Load);
                self.load_const(Const::Str(name));
                self.emit(Instr::StoreSubscr);
            }
            _ => self.emit(Instr::PopTop),
        }
    }

    /// The start of a module or class body with annotated names: `__annotations__ = {}`.
    pub(super) fn setup_annotations(&mut self) {
        if self.scope().has_annotations {
            self.emit(Instr::BuildMap(0));
            self.name_op(&Rc::from("__annotations__"), NameCtx::Store);
        }
    }

    pub(super) fn compile_store(&mut self, target: &'a Expr) {
        self.with_span(target.span, |c| match &target.kind {
            ExprKind::Name(ident) => c.name_op(&ident.name, NameCtx::Store),
            ExprKind::Attribute { value, attr } => {
                let span = c.attr_span(target.span, attr);
                if let Some(local) = c.fast_local(value) {
                    let idx = c.attr_name(&attr.name);
                    c.with_span(span, |c| c.emit(Instr::StoreLocalAttr(local, idx)));
                    return;
                }
                c.compile_expr(value);
                let idx = c.attr_name(&attr.name);
                c.with_span(span, |c| c.emit(Instr::StoreAttr(idx)));
            }
            ExprKind::Subscript { value, slice } => {
                c.compile_expr(value);
                c.compile_expr(slice);
                c.emit(Instr::StoreSubscr);
            }
            ExprKind::Tuple(elts) | ExprKind::List(elts) => c.compile_unpack(elts, target),
            ExprKind::Starred(_) => c.error(
                "starred assignment target must be in a list or tuple",
                target.span,
            ),
            _ => {
                let message = format!("cannot assign to {}", describe(target));
                c.error(message, target.span);
            }
        });
    }

    fn compile_unpack(&mut self, elts: &'a [Expr], target: &Expr) {
        let starred: Vec<usize> = elts
            .iter()
            .enumerate()
            .filter(|(_, elt)| matches!(elt.kind, ExprKind::Starred(_)))
            .map(|(idx, _)| idx)
            .collect();
        match starred.as_slice() {
            [] => self.emit(Instr::UnpackSequence(elts.len() as u32)),
            [idx] => {
                let after = elts.len() - idx - 1;
                self.emit(Instr::UnpackEx(*idx as u32, after as u32));
            }
            _ => {
                self.error("multiple starred expressions in assignment", target.span);
                return;
            }
        }
        for elt in elts {
            match &elt.kind {
                ExprKind::Starred(inner) => self.compile_store(inner),
                _ => self.compile_store(elt),
            }
        }
    }

    fn compile_delete(&mut self, target: &'a Expr) {
        self.with_span(target.span, |c| match &target.kind {
            ExprKind::Name(ident) => c.name_op(&ident.name, NameCtx::Delete),
            ExprKind::Attribute { value, attr } => {
                c.compile_expr(value);
                let idx = c.attr_name(&attr.name);
                let span = c.attr_span(target.span, attr);
                c.with_span(span, |c| c.emit(Instr::DeleteAttr(idx)));
            }
            ExprKind::Subscript { value, slice } => {
                c.compile_expr(value);
                c.compile_expr(slice);
                c.emit(Instr::DeleteSubscr);
            }
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                for elt in elts {
                    c.compile_delete(elt);
                }
            }
            _ => {
                let message = format!("cannot delete {}", describe(target));
                c.error(message, target.span);
            }
        });
    }

    /// `op=` with `value` on the right: a number literal is the instruction's constant.
    fn compile_inplace(&mut self, op: BinOp, value: &'a Expr) {
        match number_const(value) {
            Some(k) => {
                let k = self.add_const(k);
                self.emit(Instr::InplaceConst(op, k));
            }
            None => {
                self.compile_expr(value);
                self.emit(Instr::Inplace(op));
            }
        }
    }

    fn compile_aug_assign(&mut self, target: &'a Expr, op: BinOp, value: &'a Expr) {
        match &target.kind {
            ExprKind::Name(ident) => {
                self.with_span(target.span, |c| c.name_op(&ident.name, NameCtx::Load));
                self.compile_inplace(op, value);
                self.with_span(target.span, |c| c.name_op(&ident.name, NameCtx::Store));
            }
            ExprKind::Attribute { value: obj, attr } => {
                self.compile_expr(obj);
                let idx = self.attr_name(&attr.name);
                let span = self.attr_span(target.span, attr);
                self.with_span(span, |c| {
                    c.emit(Instr::Copy(1));
                    c.emit(Instr::LoadAttr(idx));
                });
                self.compile_inplace(op, value);
                self.with_span(span, |c| {
                    c.emit(Instr::Swap(2));
                    c.emit(Instr::StoreAttr(idx));
                });
            }
            ExprKind::Subscript { value: obj, slice } => {
                self.compile_expr(obj);
                self.compile_expr(slice);
                self.with_span(target.span, |c| {
                    c.emit(Instr::Copy(2));
                    c.emit(Instr::Copy(2));
                    c.emit(Instr::LoadSubscr);
                });
                self.compile_inplace(op, value);
                self.with_span(target.span, |c| {
                    c.emit(Instr::Swap(3));
                    c.emit(Instr::Swap(2));
                    c.emit(Instr::StoreSubscr);
                });
            }
            _ => {
                let message = format!(
                    "'{}' is an illegal expression for augmented assignment",
                    describe(target)
                );
                self.error(message, target.span);
            }
        }
    }

    fn compile_raise(&mut self, exc: Option<&'a Expr>, cause: Option<&'a Expr>) {
        let mut n_args = 0;
        if let Some(exc) = exc {
            self.compile_expr(exc);
            n_args = 1;
            if let Some(cause) = cause {
                self.compile_expr(cause);
                n_args = 2;
            }
        }
        self.emit(Instr::Raise(n_args));
    }

    fn compile_assert(&mut self, test: &'a Expr, msg: Option<&'a Expr>) {
        let ok = self.new_label();
        self.compile_jump_if(test, true, ok);
        self.emit(Instr::LoadAssertionError);
        if let Some(msg) = msg {
            self.compile_expr(msg);
            self.emit(Instr::Call(1));
        }
        self.emit(Instr::Raise(1));
        self.bind(ok);
    }

    fn compile_import(&mut self, aliases: &'a [Alias]) {
        for alias in aliases {
            self.with_span(alias.name.span, |c| {
                let idx = c.add_name(&alias.name.name);
                c.emit(Instr::ImportName(idx));
                let bound: Rc<str> = match &alias.asname {
                    Some(asname) => asname.name.clone(),
                    None => match alias.name.name.split_once('.') {
                        Some((first, _)) => first.into(),
                        None => alias.name.name.clone(),
                    },
                };
                c.name_op(&bound, NameCtx::Store);
            });
        }
    }

    fn compile_import_from(
        &mut self,
        module: Option<&'a Ident>,
        names: &'a [Alias],
        level: u32,
        stmt: &Stmt,
    ) {
        let Some(module) = module.filter(|_| level == 0) else {
            self.error("relative imports are not supported", stmt.span);
            return;
        };
        if names.is_empty() {
            self.error("'from ... import *' is not supported", stmt.span);
            return;
        }
        if &*module.name == "__future__" {
            // Every feature CPython 3.11 knows is on already (or, like annotations, moot).
            return;
        }
        let idx = self.add_name(&module.name);
        self.emit(Instr::ImportName(idx));
        for alias in names {
            self.with_span(alias.name.span, |c| {
                let idx = c.add_name(&alias.name.name);
                c.emit(Instr::ImportFrom(idx));
                let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                c.name_op(&bound.name, NameCtx::Store);
            });
        }
        self.emit(Instr::PopTop);
    }

    fn compile_if(&mut self, test: &'a Expr, body: &'a [Stmt], orelse: &'a [Stmt]) {
        let end = self.new_label();
        if orelse.is_empty() {
            self.compile_jump_if(test, false, end);
            self.compile_body(body);
        } else {
            let otherwise = self.new_label();
            self.compile_jump_if(test, false, otherwise);
            self.compile_body(body);
            self.emit_jump(Instr::Jump, end);
            self.bind(otherwise);
            self.compile_body(orelse);
        }
        self.bind(end);
    }

    /// `while`, with the test repeated at the bottom as CPython 3.11 does, so that each
    /// iteration takes one conditional jump instead of a test and an unconditional jump.
    fn compile_while(&mut self, test: &'a Expr, body: &'a [Stmt], orelse: &'a [Stmt]) {
        let (top, cont, otherwise, end) = (
            self.new_label(),
            self.new_label(),
            self.new_label(),
            self.new_label(),
        );
        let forever = is_constant_true(test);
        if !forever {
            self.compile_jump_if(test, false, otherwise);
        }
        self.bind(top);
        let outer = self.unit_ref().handlers.len();
        self.push_fblock(FBlockKind::While { cont, brk: end }, outer);
        self.compile_body(body);
        self.pop_fblock();
        self.bind(cont);
        if forever {
            self.emit_jump(Instr::Jump, top);
        } else {
            self.compile_jump_if(test, true, top);
        }
        self.bind(otherwise);
        self.compile_body(orelse);
        self.bind(end);
    }

    fn compile_for(
        &mut self,
        is_async: bool,
        target: &'a Expr,
        iter: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) {
        let (top, otherwise, end) = (self.new_label(), self.new_label(), self.new_label());
        self.compile_expr(iter);
        if is_async {
            self.with_span(iter.span, |c| c.emit(Instr::GetAIter));
            self.bind(top);
            let depth = self.block_depth() + 1;
            self.with_span(iter.span, |c| c.emit_async_next(otherwise, depth));
        } else {
            self.with_span(iter.span, |c| {
                c.emit(Instr::GetIter);
                c.bind(top);
                c.emit_jump(Instr::ForIter, otherwise);
            });
        }
        self.compile_store(target);
        let outer = self.unit_ref().handlers.len();
        self.push_fblock(
            FBlockKind::For {
                cont: top,
                brk: end,
            },
            outer,
        );
        self.compile_body(body);
        self.pop_fblock();
        self.emit_jump(Instr::Jump, top);
        self.bind(otherwise);
        if is_async {
            self.with_span(iter.span, |c| c.emit(Instr::EndAsyncFor));
        }
        self.compile_body(orelse);
        self.bind(end);
    }

    /// `[aiter] -> [aiter next]` awaiting `__anext__()`, with `exhausted` as the handler
    /// (depth `depth`, the aiterator included) that `EndAsyncFor` starts. `GetANext` pushes
    /// an awaitable already (checked as `GetAwaitable` would), so `Send` follows at once.
    pub(super) fn emit_async_next(&mut self, exhausted: super::Label, depth: u32) {
        self.push_handler(exhausted, depth);
        self.emit(Instr::GetANext);
        self.emit_send();
        self.pop_handler();
    }

    /// `name = None; del name`, clearing an `except ... as name` binding.
    pub(super) fn clear_name(&mut self, name: &Rc<str>) {
        self.load_const(Const::None);
        self.name_op(name, NameCtx::Store);
        self.name_op(name, NameCtx::Delete);
    }
}

fn is_constant_true(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Constant(Constant::True) => true,
        ExprKind::Constant(Constant::Int(value)) => *value != 0.into(),
        _ => false,
    }
}

/// CPython's parser reads `5 = x` as a mistyped comparison when the lone target is an
/// operand-level expression, and says so.
fn suggests_comparison(target: &Expr) -> bool {
    match &target.kind {
        ExprKind::Constant(Constant::None | Constant::True | Constant::False) => false,
        ExprKind::UnaryOp { op, .. } => *op != UnaryOp::Not,
        ExprKind::Constant(_)
        | ExprKind::Call { .. }
        | ExprKind::BinOp { .. }
        | ExprKind::FString(_)
        | ExprKind::NamedExpr { .. }
        | ExprKind::Dict { .. }
        | ExprKind::Set(_)
        | ExprKind::ListComp { .. }
        | ExprKind::SetComp { .. }
        | ExprKind::DictComp { .. }
        | ExprKind::Await(_)
        | ExprKind::Yield(_)
        | ExprKind::YieldFrom(_) => true,
        _ => false,
    }
}

/// How CPython names an expression in "cannot assign to ..." messages.
pub(super) fn describe(expr: &Expr) -> &'static str {
    match &expr.kind {
        ExprKind::Call { .. } => "function call",
        ExprKind::Constant(Constant::None) => "None",
        ExprKind::Constant(Constant::True) => "True",
        ExprKind::Constant(Constant::False) => "False",
        ExprKind::Constant(Constant::Ellipsis) => "ellipsis",
        ExprKind::Constant(_) => "literal",
        ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } => "expression",
        ExprKind::BoolOp { .. } => "expression",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::NamedExpr { .. } => "named expression",
        ExprKind::Dict { .. } => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Await(_) => "await expression",
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => "yield expression",
        ExprKind::FString(_) => "f-string expression",
        ExprKind::Starred(_) => "starred",
        ExprKind::Name(_) => "name",
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::List(_) => "list",
        ExprKind::Tuple(_) => "tuple",
        ExprKind::Slice { .. } => "slice",
    }
}
