//! Nested code objects: `def`, `lambda`, `class` and comprehensions. Each compiles its body as
//! a new unit, then emits what builds the function (defaults, closure tuple, `MakeFunction`)
//! or class (`BuildClass`) in the enclosing code.
//!
//! As in CPython 3.11, `consts[0]` of a `def` or lambda code object is its docstring (a string,
//! or `None` when it has none); the VM reads `__doc__` from there.

use super::{Compiler, Label, NameCtx, Signature};
use crate::compile::code::{make_fn, CodeObject, Const, Instr};
use crate::compile::scope::{CompKind, NodeKey, ScopeId};
use crate::syntax::ast::*;
use crate::syntax::span::Span;
use std::rc::Rc;

impl<'a> Compiler<'a> {
    fn scope_for(&mut self, key: NodeKey, span: Span) -> Option<ScopeId> {
        let found = self.table.lookup(key);
        if found.is_none() {
            debug_assert!(false, "scope analysis missed a node");
            self.error("internal error: unanalyzed scope", span);
        }
        found
    }

    pub(super) fn compile_function_def(&mut self, def: &'a FunctionDef, span: Span) {
        for decorator in &def.decorators {
            self.compile_expr(decorator);
        }
        let Some(scope_id) = self.scope_for(NodeKey::function(def), span) else {
            return;
        };
        let bits = self.compile_defaults(&def.args);
        self.enter_unit(scope_id, span);
        self.unit().signature = signature(&def.args);
        self.add_const(docstring(&def.body).unwrap_or(Const::None));
        self.compile_body(&def.body);
        self.emit_return_none();
        let code = self.exit_unit();
        self.make_function(code, bits);
        for decorator in def.decorators.iter().rev() {
            self.with_span(decorator.span, |c| c.emit(Instr::Call(1)));
        }
        self.name_op(&def.name.name, NameCtx::Store);
    }

    pub(super) fn compile_lambda(&mut self, expr: &'a Expr, args: &'a Arguments, body: &'a Expr) {
        let Some(scope_id) = self.scope_for(NodeKey::expr(expr), expr.span) else {
            return;
        };
        let bits = self.compile_defaults(args);
        self.enter_unit(scope_id, expr.span);
        self.unit().signature = signature(args);
        self.add_const(Const::None);
        self.compile_expr(body);
        self.emit(Instr::ReturnValue);
        let code = self.exit_unit();
        self.make_function(code, bits);
    }

    /// Pushes the defaults tuple and keyword-only defaults dict; returns the `make_fn` bits.
    fn compile_defaults(&mut self, args: &'a Arguments) -> u8 {
        let mut bits = 0;
        if !args.defaults.is_empty() {
            for default in &args.defaults {
                self.compile_expr(default);
            }
            self.emit(Instr::BuildTuple(args.defaults.len() as u32));
            bits |= make_fn::DEFAULTS;
        }
        let mut n_kw = 0;
        for (arg, default) in args.kwonly.iter().zip(&args.kw_defaults) {
            if let Some(default) = default {
                self.load_const(Const::Str(arg.name.name.clone()));
                self.compile_expr(default);
                n_kw += 1;
            }
        }
        if n_kw > 0 {
            self.emit(Instr::BuildMap(n_kw));
            bits |= make_fn::KW_DEFAULTS;
        }
        bits
    }

    /// `[defaults? kwdefaults?] -> [function]`, adding the closure tuple the code needs.
    fn make_function(&mut self, code: Rc<CodeObject>, mut bits: u8) {
        if !code.freevars.is_empty() {
            for name in &code.freevars {
                let idx = self.cell_index(name);
                self.emit(Instr::LoadClosure(idx));
            }
            self.emit(Instr::BuildTuple(code.freevars.len() as u32));
            bits |= make_fn::CLOSURE;
        }
        self.load_const(Const::Code(code));
        self.emit(Instr::MakeFunction(bits));
    }

    pub(super) fn compile_class_def(&mut self, def: &'a ClassDef, span: Span) {
        if let Some(keyword) = def.keywords.first() {
            let message = "class keyword arguments (such as metaclass=...) are not supported";
            self.error(message, keyword.span);
            return;
        }
        if let Some(starred) = def
            .bases
            .iter()
            .find(|base| matches!(base.kind, ExprKind::Starred(_)))
        {
            self.error("starred base classes are not supported", starred.span);
            return;
        }
        for decorator in &def.decorators {
            self.compile_expr(decorator);
        }
        let Some(scope_id) = self.scope_for(NodeKey::class(def), span) else {
            return;
        };
        let code = self.compile_class_body(scope_id, span, &def.body);
        self.make_function(code, 0);
        self.load_const(Const::Str(def.name.name.clone()));
        for base in &def.bases {
            self.compile_expr(base);
        }
        self.emit(Instr::BuildClass(def.bases.len() as u32));
        for decorator in def.decorators.iter().rev() {
            self.with_span(decorator.span, |c| c.emit(Instr::Call(1)));
        }
        self.name_op(&def.name.name, NameCtx::Store);
    }

    /// The class body function: its statements, then the `__class__` cell (or `None`).
    fn compile_class_body(
        &mut self,
        scope_id: ScopeId,
        span: Span,
        body: &'a [Stmt],
    ) -> Rc<CodeObject> {
        self.enter_unit(scope_id, span);
        if let Some(doc) = docstring(body) {
            // A class docstring becomes `__doc__` in the class namespace.
            self.load_const(doc);
            self.name_op(&Rc::from("__doc__"), NameCtx::Store);
        }
        self.setup_annotations();
        self.compile_body(body);
        if self.scope().needs_class_cell {
            let idx = self.cell_index(&Rc::from("__class__"));
            self.emit(Instr::LoadClosure(idx));
            self.emit(Instr::ReturnValue);
        } else {
            self.emit_return_none();
        }
        self.exit_unit()
    }

    /// A comprehension: a nested function over the first iterator (`.0`), called at once.
    pub(super) fn compile_comprehension(&mut self, expr: &'a Expr) {
        let (kind, generators, elts): (CompKind, &'a [Comprehension], Vec<&'a Expr>) =
            match &expr.kind {
                ExprKind::ListComp { elt, generators } => (CompKind::List, generators, vec![elt]),
                ExprKind::SetComp { elt, generators } => (CompKind::Set, generators, vec![elt]),
                ExprKind::GeneratorExp { elt, generators } => {
                    (CompKind::Generator, generators, vec![elt])
                }
                ExprKind::DictComp {
                    key,
                    value,
                    generators,
                } => (CompKind::Dict, generators, vec![key, value]),
                _ => return,
            };
        let Some(first) = generators.first() else {
            return;
        };
        let Some(scope_id) = self.scope_for(NodeKey::expr(expr), expr.span) else {
            return;
        };
        let comp = Comp {
            kind,
            generators,
            elts,
        };
        let (code, is_async) = self.compile_comprehension_code(scope_id, expr.span, &comp);
        self.make_function(code, 0);
        // CPython reports the outermost iterator's `iter()` at the comprehension itself.
        self.compile_expr(&first.iter);
        self.emit(if first.is_async {
            Instr::GetAIter
        } else {
            Instr::GetIter
        });
        self.emit(Instr::Call(1));
        if is_async && kind != CompKind::Generator {
            self.emit_await();
        }
    }

    /// The comprehension's own function: build the collection, loop, return it.
    fn compile_comprehension_code(
        &mut self,
        scope_id: ScopeId,
        span: Span,
        comp: &Comp<'a>,
    ) -> (Rc<CodeObject>, bool) {
        self.enter_unit(scope_id, span);
        self.unit().signature = Signature {
            argcount: 1,
            ..Signature::default()
        };
        let is_async = self.scope().is_async;
        let build = match comp.kind {
            CompKind::Generator => None,
            CompKind::List => Some(Instr::BuildList(0)),
            CompKind::Set => Some(Instr::BuildSet(0)),
            CompKind::Dict => Some(Instr::BuildMap(0)),
        };
        if let Some(build) = build {
            self.emit(build);
        }
        self.compile_comp_loop(comp, 0, u32::from(build.is_some()));
        if comp.kind == CompKind::Generator {
            self.load_const(Const::None);
        }
        self.emit(Instr::ReturnValue);
        (self.exit_unit(), is_async)
    }

    /// One `for` of a comprehension; `depth` counts the values below its iterator.
    fn compile_comp_loop(&mut self, comp: &Comp<'a>, idx: usize, depth: u32) {
        let Some(generator) = comp.generators.get(idx) else {
            return self.compile_comp_element(comp, depth);
        };
        if idx == 0 {
            self.name_op(&Rc::from(".0"), NameCtx::Load);
        } else {
            self.compile_expr(&generator.iter);
            self.with_span(generator.iter.span, |c| {
                c.emit(if generator.is_async {
                    Instr::GetAIter
                } else {
                    Instr::GetIter
                })
            });
        }
        let (top, end): (Label, Label) = (self.new_label(), self.new_label());
        self.bind(top);
        if generator.is_async {
            self.emit_async_next(end, depth + 1);
        } else {
            self.emit_jump(Instr::ForIter, end);
        }
        self.compile_store(&generator.target);
        for test in &generator.ifs {
            self.compile_jump_if(test, false, top);
        }
        self.compile_comp_loop(comp, idx + 1, depth + 1);
        self.emit_jump(Instr::Jump, top);
        self.bind(end);
        if generator.is_async {
            self.emit(Instr::EndAsyncFor);
        }
    }

    /// The innermost body: add to the collection (below `depth - 1` iterators) or yield.
    fn compile_comp_element(&mut self, comp: &Comp<'a>, depth: u32) {
        let n_iters = depth.saturating_sub(1);
        match (comp.kind, comp.elts.as_slice()) {
            (CompKind::Generator, [elt]) => {
                self.compile_expr(elt);
                if self.scope().is_async {
                    self.emit(Instr::AsyncGenWrap);
                }
                self.emit(Instr::YieldValue);
                self.emit(Instr::PopTop);
            }
            (CompKind::List, [elt]) => {
                self.compile_expr(elt);
                self.emit(Instr::ListAppend(n_iters + 1));
            }
            (CompKind::Set, [elt]) => {
                self.compile_expr(elt);
                self.emit(Instr::SetAdd(n_iters + 1));
            }
            (CompKind::Dict, [key, value]) => {
                self.compile_expr(key);
                self.compile_expr(value);
                self.emit(Instr::MapAdd(n_iters + 1));
            }
            _ => debug_assert!(false, "comprehension shape"),
        }
    }
}

struct Comp<'a> {
    kind: CompKind,
    generators: &'a [Comprehension],
    elts: Vec<&'a Expr>,
}

/// The docstring of a body: its first statement when that is a string literal.
fn docstring(body: &[Stmt]) -> Option<Const> {
    match &body.first()?.kind {
        StmtKind::Expr(Expr {
            kind: ExprKind::Constant(Constant::Str(text)),
            ..
        }) => Some(Const::Str(text.as_str().into())),
        _ => None,
    }
}

fn signature(args: &Arguments) -> Signature {
    Signature {
        argcount: (args.posonly.len() + args.args.len()) as u32,
        posonly: args.posonly.len() as u32,
        kwonly: args.kwonly.len() as u32,
        has_varargs: args.vararg.is_some(),
        has_varkw: args.kwarg.is_some(),
    }
}
