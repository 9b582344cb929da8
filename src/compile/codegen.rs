//! Code generation: walks the AST (with the scope table from `scope.rs`) and emits one
//! `CodeObject` per module, class body, function, lambda and comprehension, every instruction
//! with the span of the expression or statement that caused it. This file holds the per-code
//! `Unit` (instructions, labels, constants, names, the exception-handler and block stacks) and
//! the entry point; expressions, statements, exception handling and nested code objects live in
//! the files under `codegen/`. Scope rules stay in `scope.rs`, text output in `disasm.rs`.

mod block;
mod expr;
mod function;
mod fuse;
mod pattern;
mod stack;
mod stmt;
#[cfg(test)]
mod tests;
mod try_with;

use crate::compile::code::{CodeKind, CodeObject, Const, Handler, Instr};
use crate::compile::scope::{self, Resolution, ScopeId, ScopeKind, ScopeTable};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast;
use crate::syntax::span::{Source, Span};
use block::FBlock;
use hashbrown::HashMap;
use std::rc::Rc;

/// Compiles a parsed module. With `interactive`, top-level expression statements echo their
/// value (`PrintExpr`) and top-level `await` is allowed, making the module a coroutine.
pub fn compile_module(
    module: &ast::Module,
    source: &Rc<Source>,
    interactive: bool,
) -> Result<Rc<CodeObject>, Vec<Diagnostic>> {
    let table = scope::analyze(module, source, interactive)?;
    let mut compiler = Compiler {
        source,
        table: &table,
        units: Vec::new(),
        errors: Vec::new(),
        interactive,
    };
    let span = match (module.body.first(), module.body.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => Span::default(),
    };
    compiler.enter_unit(ScopeTable::MODULE, span);
    compiler.setup_annotations();
    compiler.compile_body(&module.body);
    compiler.emit_return_none();
    let code = compiler.exit_unit();
    if compiler.errors.is_empty() {
        Ok(code)
    } else {
        compiler.errors.sort_by_key(|diag| diag.span.start);
        Err(compiler.errors)
    }
}

/// A jump target inside one unit; bound to an instruction index with `Compiler::bind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Label(u32);

/// An active exception handler: where to jump and how deep the operand stack is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ActiveHandler {
    target: Label,
    depth: u32,
}

/// One code object under construction.
struct Unit<'a> {
    scope: ScopeId,
    kind: CodeKind,
    span: Span,
    instrs: Vec<Instr>,
    spans: Vec<Span>,
    /// The innermost active handler of each instruction; runs of equal entries become the
    /// exception table.
    covered_by: Vec<Option<ActiveHandler>>,
    labels: Vec<Option<u32>>,
    consts: Vec<Const>,
    /// Where each hashable constant already is, so that deduplication stays linear.
    const_index: HashMap<ConstKey, u32>,
    names: Vec<Rc<str>>,
    name_index: HashMap<Rc<str>, u32>,
    varnames: Vec<Rc<str>>,
    var_index: HashMap<Rc<str>, u32>,
    cellvars: Vec<Rc<str>>,
    freevars: Vec<Rc<str>>,
    handlers: Vec<ActiveHandler>,
    fblocks: Vec<FBlock<'a>>,
    /// The span new instructions get.
    cur_span: Span,
    signature: Signature,
}

/// The parameter counts of a code object; all zero except for functions and comprehensions.
#[derive(Clone, Copy, Debug, Default)]
struct Signature {
    argcount: u32,
    posonly: u32,
    kwonly: u32,
    has_varargs: bool,
    has_varkw: bool,
}

struct Compiler<'a> {
    source: &'a Rc<Source>,
    table: &'a ScopeTable,
    units: Vec<Unit<'a>>,
    errors: Vec<Diagnostic>,
    interactive: bool,
}

impl<'a> Compiler<'a> {
    fn unit(&mut self) -> &mut Unit<'a> {
        let last = self.units.len().saturating_sub(1);
        debug_assert!(!self.units.is_empty());
        &mut self.units[last]
    }

    fn unit_ref(&self) -> &Unit<'a> {
        let last = self.units.len().saturating_sub(1);
        &self.units[last]
    }

    fn scope(&self) -> &scope::Scope {
        self.table.scope(self.unit_ref().scope)
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.errors
            .push(Diagnostic::new("SyntaxError", message, self.source, span));
    }

    /// Starts a code object for `scope_id`; `exit_unit` finishes it.
    fn enter_unit(&mut self, scope_id: ScopeId, span: Span) {
        let scope = self.table.scope(scope_id);
        let kind = code_kind(scope);
        let mut varnames = Vec::new();
        if scope.is_function_like() {
            varnames.extend(scope.params.iter().cloned());
            varnames.extend(scope.locals.iter().cloned());
        }
        self.units.push(Unit {
            scope: scope_id,
            kind,
            span,
            instrs: Vec::new(),
            spans: Vec::new(),
            covered_by: Vec::new(),
            labels: Vec::new(),
            consts: Vec::new(),
            const_index: HashMap::new(),
            names: Vec::new(),
            name_index: HashMap::new(),
            var_index: varnames
                .iter()
                .enumerate()
                .map(|(idx, name)| (name.clone(), idx as u32))
                .collect(),
            varnames,
            cellvars: scope.cellvars.clone(),
            freevars: scope.freevars.clone(),
            handlers: Vec::new(),
            fblocks: Vec::new(),
            cur_span: span,
            signature: Signature::default(),
        });
    }

    /// Finishes the innermost unit: resolves labels, builds the exception table and computes
    /// the stack size.
    fn exit_unit(&mut self) -> Rc<CodeObject> {
        let Some(mut unit) = self.units.pop() else {
            unreachable!("exit_unit without enter_unit");
        };
        let scope = self.table.scope(unit.scope);
        for instr in &mut unit.instrs {
            if let Some(label) = jump_target(instr) {
                let target = unit.labels.get(label as usize).copied().flatten();
                debug_assert!(target.is_some(), "unbound label");
                set_jump_target(instr, target.unwrap_or(0));
            }
        }
        let handlers = handler_table(&unit);
        let stack_check = stack::max_stack(&unit.instrs, &handlers);
        fuse::pairs(&mut unit.instrs);
        let cell_params = unit
            .cellvars
            .iter()
            .map(|cell| {
                scope
                    .params
                    .iter()
                    .position(|param| param == cell)
                    .map(|idx| idx as u32)
            })
            .collect();
        let sig = unit.signature;
        let mut code = CodeObject {
            kind: unit.kind,
            name: scope.name.clone(),
            qualname: scope.qualname.clone(),
            source: self.source.clone(),
            span: unit.span,
            instrs: unit.instrs,
            spans: unit.spans,
            consts: unit.consts,
            names: unit.names,
            varnames: unit.varnames,
            cellvars: unit.cellvars,
            freevars: unit.freevars,
            cell_params,
            argcount: sig.argcount,
            posonlyargcount: sig.posonly,
            kwonlyargcount: sig.kwonly,
            has_varargs: sig.has_varargs,
            has_varkw: sig.has_varkw,
            handlers,
            max_stack: 0,
        };
        match stack_check {
            Ok(depth) => code.max_stack = depth,
            Err(problem) => {
                debug_assert!(
                    false,
                    "stack discipline broken: {problem}\n{}",
                    crate::compile::disasm::disassemble(&code)
                );
                code.max_stack = u32::MAX / 4;
            }
        }
        Rc::new(code)
    }

    fn new_label(&mut self) -> Label {
        let unit = self.unit();
        unit.labels.push(None);
        Label((unit.labels.len() - 1) as u32)
    }

    fn bind(&mut self, label: Label) {
        let unit = self.unit();
        let here = unit.instrs.len() as u32;
        if let Some(slot) = unit.labels.get_mut(label.0 as usize) {
            debug_assert!(slot.is_none(), "label bound twice");
            *slot = Some(here);
        }
    }

    fn emit(&mut self, instr: Instr) {
        let unit = self.unit();
        let handler = unit.handlers.last().copied();
        unit.instrs.push(instr);
        unit.spans.push(unit.cur_span);
        unit.covered_by.push(handler);
    }

    /// Emits a jump-like instruction whose operand is `label` (patched in `exit_unit`).
    fn emit_jump(&mut self, make: fn(u32) -> Instr, label: Label) {
        self.emit(make(label.0));
    }

    /// Runs `body` with instructions getting `span`.
    fn with_span<R>(&mut self, span: Span, body: impl FnOnce(&mut Self) -> R) -> R {
        let saved = std::mem::replace(&mut self.unit().cur_span, span);
        let res = body(self);
        self.unit().cur_span = saved;
        res
    }

    fn push_handler(&mut self, target: Label, depth: u32) {
        self.unit().handlers.push(ActiveHandler { target, depth });
    }

    fn pop_handler(&mut self) {
        let popped = self.unit().handlers.pop();
        debug_assert!(popped.is_some());
    }

    fn add_const(&mut self, value: Const) -> u32 {
        let unit = self.unit();
        let key = ConstKey::of(&value);
        if let Some(idx) = key.as_ref().and_then(|key| unit.const_index.get(key)) {
            return *idx;
        }
        unit.consts.push(value);
        let idx = (unit.consts.len() - 1) as u32;
        if let Some(key) = key {
            unit.const_index.insert(key, idx);
        }
        idx
    }

    fn load_const(&mut self, value: Const) {
        let idx = self.add_const(value);
        self.emit(Instr::LoadConst(idx));
    }

    fn add_name(&mut self, name: &Rc<str>) -> u32 {
        let unit = self.unit();
        if let Some(&idx) = unit.name_index.get(name) {
            return idx;
        }
        unit.names.push(name.clone());
        let idx = (unit.names.len() - 1) as u32;
        unit.name_index.insert(name.clone(), idx);
        idx
    }

    fn emit_return_none(&mut self) {
        self.load_const(Const::None);
        self.emit(Instr::ReturnValue);
    }

    /// The operand-stack depth at statement level: what the enclosing blocks keep there.
    fn block_depth(&self) -> u32 {
        self.unit_ref()
            .fblocks
            .iter()
            .map(FBlock::stack_items)
            .sum()
    }

    /// Where an attribute access is reported: as in CPython 3.11, from the attribute name on
    /// when the object expression starts on an earlier line.
    fn attr_span(&self, expr_span: Span, attr: &ast::Ident) -> Span {
        if self.source.line_of(expr_span.start) == self.source.line_of(attr.span.start) {
            expr_span
        } else {
            Span {
                start: attr.span.start,
                end: expr_span.end.max(attr.span.end),
            }
        }
    }

    /// The `names` index of an attribute name, private names mangled.
    fn attr_name(&mut self, attr: &Rc<str>) -> u32 {
        let mangled = self.scope().mangle(attr);
        self.add_name(&mangled)
    }

    /// The local slot `expr` reads when it is a plain name that is a function's local (what
    /// `LoadLocal` would load).
    pub(super) fn fast_local(&mut self, expr: &ast::Expr) -> Option<u32> {
        let ast::ExprKind::Name(ident) = &expr.kind else {
            return None;
        };
        let name = &self.scope().mangle(&ident.name);
        let scope = self.scope();
        if scope.resolve(name) != Resolution::Local || !scope.is_function_like() {
            return None;
        }
        Some(self.local_index(name))
    }

    fn name_op(&mut self, name: &Rc<str>, ctx: NameCtx) {
        let name = &self.scope().mangle(name);
        let scope = self.scope();
        let res = scope.resolve(name);
        let in_class = scope.kind == ScopeKind::Class;
        let function_like = scope.is_function_like();
        let instr = match res {
            Resolution::Local if function_like => {
                let idx = self.local_index(name);
                ctx.pick(Instr::LoadLocal, Instr::StoreLocal, Instr::DeleteLocal)(idx)
            }
            Resolution::Cell | Resolution::Free => {
                let idx = self.cell_index(name);
                if in_class && res == Resolution::Free && ctx == NameCtx::Load {
                    Instr::LoadClassDeref(idx)
                } else {
                    ctx.pick(Instr::LoadDeref, Instr::StoreDeref, Instr::DeleteDeref)(idx)
                }
            }
            Resolution::GlobalExplicit => {
                let idx = self.add_name(name);
                ctx.pick(Instr::LoadGlobal, Instr::StoreGlobal, Instr::DeleteGlobal)(idx)
            }
            Resolution::GlobalImplicit if function_like => {
                let idx = self.add_name(name);
                ctx.pick(Instr::LoadGlobal, Instr::StoreGlobal, Instr::DeleteGlobal)(idx)
            }
            _ => {
                let idx = self.add_name(name);
                ctx.pick(Instr::LoadName, Instr::StoreName, Instr::DeleteName)(idx)
            }
        };
        self.emit(instr);
    }

    fn local_index(&mut self, name: &Rc<str>) -> u32 {
        let unit = self.unit();
        if let Some(&idx) = unit.var_index.get(name) {
            return idx;
        }
        debug_assert!(false, "local {name} missing from varnames");
        unit.varnames.push(name.clone());
        let idx = (unit.varnames.len() - 1) as u32;
        unit.var_index.insert(name.clone(), idx);
        idx
    }

    /// Index into `cellvars ++ freevars`.
    fn cell_index(&mut self, name: &Rc<str>) -> u32 {
        let unit = self.unit();
        if let Some(idx) = unit.cellvars.iter().position(|v| v == name) {
            return idx as u32;
        }
        let n_cells = unit.cellvars.len();
        match unit.freevars.iter().position(|v| v == name) {
            Some(idx) => (n_cells + idx) as u32,
            None => {
                debug_assert!(false, "cell {name} missing");
                unit.freevars.push(name.clone());
                (n_cells + unit.freevars.len() - 1) as u32
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameCtx {
    Load,
    Store,
    Delete,
}

impl NameCtx {
    fn pick(
        self,
        load: fn(u32) -> Instr,
        store: fn(u32) -> Instr,
        delete: fn(u32) -> Instr,
    ) -> fn(u32) -> Instr {
        match self {
            NameCtx::Load => load,
            NameCtx::Store => store,
            NameCtx::Delete => delete,
        }
    }
}

fn code_kind(scope: &scope::Scope) -> CodeKind {
    match scope.kind {
        ScopeKind::Module if scope.is_async => CodeKind::Coroutine,
        ScopeKind::Module => CodeKind::Module,
        ScopeKind::Class => CodeKind::Class,
        ScopeKind::Comprehension(scope::CompKind::Generator) if scope.is_async => {
            CodeKind::AsyncGenerator
        }
        ScopeKind::Comprehension(scope::CompKind::Generator) => CodeKind::Generator,
        ScopeKind::Comprehension(_) if scope.is_async => CodeKind::Coroutine,
        ScopeKind::Comprehension(_) => CodeKind::Function,
        ScopeKind::Function => match (scope.is_async, scope.is_generator) {
            (true, true) => CodeKind::AsyncGenerator,
            (true, false) => CodeKind::Coroutine,
            (false, true) => CodeKind::Generator,
            (false, false) => CodeKind::Function,
        },
    }
}

/// The identity of a constant for deduplication: constants are shared when they are the same
/// value of the same type (`1`, `1.0` and `True` stay apart); code objects never are.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ConstKey {
    None,
    Ellipsis,
    Bool(bool),
    Int(i64),
    BigInt(Rc<num_bigint::BigInt>),
    Float(u64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Vec<ConstKey>),
}

impl ConstKey {
    fn of(value: &Const) -> Option<ConstKey> {
        Some(match value {
            Const::None => ConstKey::None,
            Const::Ellipsis => ConstKey::Ellipsis,
            Const::Bool(b) => ConstKey::Bool(*b),
            Const::Int(i) => ConstKey::Int(*i),
            Const::BigInt(big) => ConstKey::BigInt(big.clone()),
            Const::Float(f) => ConstKey::Float(f.to_bits()),
            Const::Str(text) => ConstKey::Str(text.clone()),
            Const::Bytes(bytes) => ConstKey::Bytes(bytes.clone()),
            Const::Tuple(items) => {
                ConstKey::Tuple(items.iter().map(ConstKey::of).collect::<Option<_>>()?)
            }
            Const::Code(_) => return None,
        })
    }
}

/// The operand of an instruction that jumps, if it does.
pub(crate) fn jump_target(instr: &Instr) -> Option<u32> {
    match *instr {
        Instr::Jump(t)
        | Instr::PopJumpIfFalse(t)
        | Instr::PopJumpIfTrue(t)
        | Instr::PopJumpIfNone(t)
        | Instr::JumpIfFalseOrPop(t)
        | Instr::JumpIfTrueOrPop(t)
        | Instr::CompareJump(_, _, t)
        | Instr::CompareConstJump(_, _, _, t)
        | Instr::ForIter(t)
        | Instr::Send(t) => Some(t),
        _ => None,
    }
}

fn set_jump_target(instr: &mut Instr, target: u32) {
    match instr {
        Instr::Jump(t)
        | Instr::PopJumpIfFalse(t)
        | Instr::PopJumpIfTrue(t)
        | Instr::PopJumpIfNone(t)
        | Instr::JumpIfFalseOrPop(t)
        | Instr::JumpIfTrueOrPop(t)
        | Instr::CompareJump(_, _, t)
        | Instr::CompareConstJump(_, _, _, t)
        | Instr::ForIter(t)
        | Instr::Send(t) => *t = target,
        _ => {}
    }
}

/// Turns each instruction's innermost handler into table entries, one per maximal run.
fn handler_table(unit: &Unit<'_>) -> Vec<Handler> {
    let mut table: Vec<Handler> = Vec::new();
    for (idx, covered) in unit.covered_by.iter().enumerate() {
        let Some(active) = covered else {
            continue;
        };
        let target = unit.labels.get(active.target.0 as usize).copied().flatten();
        debug_assert!(target.is_some(), "unbound handler label");
        let target = target.unwrap_or(0);
        let idx = idx as u32;
        match table.last_mut() {
            Some(last)
                if last.end == idx && last.target == target && last.depth == active.depth =>
            {
                last.end = idx + 1;
            }
            _ => table.push(Handler {
                start: idx,
                end: idx + 1,
                target,
                depth: active.depth,
            }),
        }
    }
    table
}
