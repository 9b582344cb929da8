//! Scope analysis: CPython's symbol-table rules for the AST. Every module, class, function,
//! lambda and comprehension gets a `Scope` saying how each name it mentions is resolved (local,
//! cell, free, global, or by name), which locals inner functions capture, and what kind of code
//! it becomes (generator, coroutine, ...). Misplaced `return`/`yield`/`await`/`nonlocal` are
//! reported here with spans. Instruction selection stays out: that is `codegen`'s job.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::span::{Source, Span};
use hashbrown::{HashMap, HashSet};
use std::rc::Rc;

/// The hidden variable a `match` statement keeps the subject at `depth`, position `index` in
/// (a name no user can write).
pub fn match_temp(depth: usize, index: usize) -> Rc<str> {
    format!(".m{depth}_{index}").into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    /// A `def` or a `lambda`.
    Function,
    Comprehension(CompKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
    Generator,
}

impl CompKind {
    /// The code name CPython gives the comprehension's function.
    pub fn code_name(self) -> &'static str {
        match self {
            CompKind::List => "<listcomp>",
            CompKind::Set => "<setcomp>",
            CompKind::Dict => "<dictcomp>",
            CompKind::Generator => "<genexpr>",
        }
    }

    fn description(self) -> &'static str {
        match self {
            CompKind::List => "list comprehension",
            CompKind::Set => "set comprehension",
            CompKind::Dict => "dict comprehension",
            CompKind::Generator => "generator expression",
        }
    }
}

/// How code in one scope reaches a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A fast local of a function.
    Local,
    /// A local of this function captured by an inner one.
    Cell,
    /// A variable of an enclosing function (read with `LoadClassDeref` in a class body).
    Free,
    /// Declared `global` (or bound by `:=` in a module-level comprehension).
    GlobalExplicit,
    /// Not bound anywhere visible: globals, then builtins.
    GlobalImplicit,
    /// Module and class bodies: the current namespace, then globals and builtins.
    Name,
}

pub type ScopeId = usize;

/// Which AST node opened a scope; the key is the node's address, stable while the AST is
/// borrowed by the compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKey {
    Function(usize),
    Class(usize),
    /// A lambda or comprehension expression.
    Expr(usize),
}

impl NodeKey {
    pub fn function(def: &FunctionDef) -> NodeKey {
        NodeKey::Function(def as *const FunctionDef as usize)
    }
    pub fn class(def: &ClassDef) -> NodeKey {
        NodeKey::Class(def as *const ClassDef as usize)
    }
    pub fn expr(expr: &Expr) -> NodeKey {
        NodeKey::Expr(expr as *const Expr as usize)
    }
}

const DEF_LOCAL: u8 = 1;
const DEF_PARAM: u8 = 2;
const USE: u8 = 4;
const DEF_GLOBAL: u8 = 8;
const DEF_NONLOCAL: u8 = 16;
const BOUND: u8 = DEF_LOCAL | DEF_PARAM;

#[derive(Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    pub name: Rc<str>,
    pub qualname: Rc<str>,
    pub span: Span,
    /// Parameters in `varnames` order (`.0` for a comprehension).
    pub params: Vec<Rc<str>>,
    /// Names in first-mention order with their flags.
    order: Vec<Rc<str>>,
    flags: HashMap<Rc<str>, u8>,
    /// Where each `nonlocal` was declared, for the "no binding" error.
    nonlocal_spans: HashMap<Rc<str>, Span>,
    pub resolved: HashMap<Rc<str>, Resolution>,
    /// Fast locals that are not parameters, in first-mention order.
    pub locals: Vec<Rc<str>>,
    pub cellvars: Vec<Rc<str>>,
    pub freevars: Vec<Rc<str>>,
    pub is_generator: bool,
    /// `async def`, an async comprehension, or an interactive module using `await`.
    pub is_async: bool,
    /// A class whose methods use `__class__` (or zero-argument `super()`).
    pub needs_class_cell: bool,
    /// A module or class body with an annotated name (`x: int`): it starts by creating
    /// `__annotations__`.
    pub has_annotations: bool,
    pub children: Vec<ScopeId>,
    /// The innermost enclosing class's name (this one's, for a class): `__x` names are
    /// mangled to `_Class__x` in this scope.
    pub private: Option<Rc<str>>,
    return_value_span: Option<Span>,
}

impl Scope {
    fn new(kind: ScopeKind, name: Rc<str>, qualname: Rc<str>, span: Span) -> Scope {
        Scope {
            kind,
            name,
            qualname,
            span,
            params: Vec::new(),
            order: Vec::new(),
            flags: HashMap::new(),
            nonlocal_spans: HashMap::new(),
            resolved: HashMap::new(),
            locals: Vec::new(),
            cellvars: Vec::new(),
            freevars: Vec::new(),
            is_generator: false,
            is_async: false,
            needs_class_cell: false,
            has_annotations: false,
            children: Vec::new(),
            private: None,
            return_value_span: None,
        }
    }

    /// True for scopes compiled with fast locals.
    pub fn is_function_like(&self) -> bool {
        matches!(self.kind, ScopeKind::Function | ScopeKind::Comprehension(_))
    }

    /// How this scope's code reaches `name`.
    pub fn resolve(&self, name: &str) -> Resolution {
        match self.resolved.get(name) {
            Some(&res) => res,
            None if self.is_function_like() => Resolution::GlobalImplicit,
            None => Resolution::Name,
        }
    }

    /// `name` as this scope's code spells it: private names mangled.
    pub fn mangle(&self, name: &Rc<str>) -> Rc<str> {
        mangle(self.private.as_deref(), name)
    }

    /// Records a flag for `name` (mangled here) and returns the mangled name.
    fn add(&mut self, name: &Rc<str>, flag: u8) -> Rc<str> {
        let name = &self.mangle(name);
        match self.flags.get_mut(name) {
            Some(flags) => *flags |= flag,
            None => {
                self.order.push(name.clone());
                self.flags.insert(name.clone(), flag);
            }
        }
        name.clone()
    }

    fn flags_of(&self, name: &Rc<str>) -> u8 {
        self.flags.get(&self.mangle(name)).copied().unwrap_or(0)
    }
}

/// CPython's private-name mangling: inside class `_C`, `__x` is `_C__x`; dunder names, dotted
/// names and classes named only with underscores are left alone.
pub fn mangle(private: Option<&str>, name: &Rc<str>) -> Rc<str> {
    let Some(class) = private else {
        return name.clone();
    };
    let stripped = class.trim_start_matches('_');
    if !name.starts_with("__") || name.ends_with("__") || name.contains('.') || stripped.is_empty()
    {
        return name.clone();
    }
    format!("_{stripped}{name}").into()
}

/// Every scope of a module, the module's own scope first.
#[derive(Debug)]
pub struct ScopeTable {
    pub scopes: Vec<Scope>,
    by_node: HashMap<NodeKey, ScopeId>,
}

impl ScopeTable {
    pub const MODULE: ScopeId = 0;

    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id]
    }

    /// The scope a `def`, `class`, lambda or comprehension opened.
    pub fn lookup(&self, key: NodeKey) -> Option<ScopeId> {
        self.by_node.get(&key).copied()
    }
}

/// Builds the scope table for a module, or every scope error found.
pub fn analyze(
    module: &Module,
    source: &Rc<Source>,
    interactive: bool,
) -> Result<ScopeTable, Vec<Diagnostic>> {
    let mut builder = Builder {
        source,
        interactive,
        scopes: vec![Scope::new(
            ScopeKind::Module,
            "<module>".into(),
            "<module>".into(),
            Span::default(),
        )],
        stack: vec![ScopeTable::MODULE],
        by_node: HashMap::new(),
        errors: Vec::new(),
    };
    for stmt in &module.body {
        builder.visit_stmt(stmt);
    }
    let mut table = ScopeTable {
        scopes: builder.scopes,
        by_node: builder.by_node,
    };
    let mut errors = builder.errors;
    let mut resolver = Resolver {
        table: &mut table,
        source,
        errors: &mut errors,
    };
    resolver.resolve(ScopeTable::MODULE, &HashSet::new(), &HashSet::new());
    if errors.is_empty() {
        Ok(table)
    } else {
        errors.sort_by_key(|diag| diag.span.start);
        Err(errors)
    }
}

fn syntax_error(source: &Rc<Source>, message: String, span: Span) -> Diagnostic {
    Diagnostic::new("SyntaxError", message, source, span)
}

/// The first pass: records what each scope does with each name.
struct Builder<'a> {
    source: &'a Rc<Source>,
    interactive: bool,
    scopes: Vec<Scope>,
    stack: Vec<ScopeId>,
    by_node: HashMap<NodeKey, ScopeId>,
    errors: Vec<Diagnostic>,
}

mod visit;

/// The second pass: CPython's `analyze_block`, top-down with the names bound in enclosing
/// functions, returning the free names each subtree needs from outside.
struct Resolver<'a> {
    table: &'a mut ScopeTable,
    source: &'a Rc<Source>,
    errors: &'a mut Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn resolve(
        &mut self,
        id: ScopeId,
        bound: &HashSet<Rc<str>>,
        global: &HashSet<Rc<str>>,
    ) -> HashSet<Rc<str>> {
        let mut bound = bound.clone();
        let mut global = global.clone();
        let mut free = HashSet::new();
        let mut local = HashSet::new();
        self.resolve_names(id, &mut bound, &mut global, &mut free, &mut local);

        let scope = &self.table.scopes[id];
        let mut new_bound = bound.clone();
        if scope.kind == ScopeKind::Class {
            new_bound.insert(Rc::from("__class__"));
        } else if scope.is_function_like() {
            new_bound.extend(local.iter().cloned());
        }
        let mut child_free = HashSet::new();
        for child in scope.children.clone() {
            child_free.extend(self.resolve(child, &new_bound, &global));
        }
        self.settle_free(id, &local, child_free, &mut free);
        free
    }

    /// Resolves the names this scope itself mentions.
    fn resolve_names(
        &mut self,
        id: ScopeId,
        bound: &mut HashSet<Rc<str>>,
        global: &mut HashSet<Rc<str>>,
        free: &mut HashSet<Rc<str>>,
        local: &mut HashSet<Rc<str>>,
    ) {
        let scope = &mut self.table.scopes[id];
        let function_like = scope.is_function_like();
        for name in scope.order.clone() {
            let flags = scope.flags.get(&name).copied().unwrap_or(0);
            let res = if flags & DEF_GLOBAL != 0 {
                global.insert(name.clone());
                bound.remove(&name);
                Resolution::GlobalExplicit
            } else if flags & DEF_NONLOCAL != 0 {
                if !bound.contains(&name) {
                    let span = scope.nonlocal_spans.get(&name).copied().unwrap_or_default();
                    let message = format!("no binding for nonlocal '{name}' found");
                    self.errors.push(syntax_error(self.source, message, span));
                }
                free.insert(name.clone());
                Resolution::Free
            } else if flags & BOUND != 0 {
                local.insert(name.clone());
                global.remove(&name);
                if function_like {
                    Resolution::Local
                } else {
                    Resolution::Name
                }
            } else if bound.contains(&name) {
                free.insert(name.clone());
                Resolution::Free
            } else if function_like {
                Resolution::GlobalImplicit
            } else {
                Resolution::Name
            };
            scope.resolved.insert(name, res);
        }
    }

    /// Turns locals captured by children into cells and records the free variables this
    /// scope's code object must carry (including ones it only passes through).
    fn settle_free(
        &mut self,
        id: ScopeId,
        local: &HashSet<Rc<str>>,
        mut child_free: HashSet<Rc<str>>,
        free: &mut HashSet<Rc<str>>,
    ) {
        let scope = &mut self.table.scopes[id];
        let mut cellvars = Vec::new();
        match scope.kind {
            ScopeKind::Function | ScopeKind::Comprehension(_) => {
                for name in local {
                    if child_free.remove(name) {
                        scope.resolved.insert(name.clone(), Resolution::Cell);
                        cellvars.push(name.clone());
                    }
                }
            }
            ScopeKind::Class => {
                if child_free.remove("__class__") {
                    scope.needs_class_cell = true;
                    cellvars.push(Rc::from("__class__"));
                }
            }
            ScopeKind::Module => {}
        }
        free.extend(child_free);
        let mut freevars: Vec<Rc<str>> = free.iter().cloned().collect();
        freevars.sort();
        cellvars.sort();
        scope.locals = scope
            .order
            .iter()
            .filter(|name| {
                scope.resolved.get(*name) == Some(&Resolution::Local)
                    && !scope.params.contains(name)
            })
            .cloned()
            .collect();
        scope.cellvars = cellvars;
        scope.freevars = freevars;
    }
}

#[cfg(test)]
pub(crate) mod tests;
