//! Exception handling: `try`/`except`/`else`/`finally`, `except*`, and `with`/`async with`,
//! using the "zero-cost" scheme: handlers are table entries (pushed with `push_handler`), and
//! the handler code sits after the protected code.
//!
//! Stack layouts, with `d` the statement-level depth (`block_depth()`):
//!
//! ```text
//! try/except      body [H, d]; else; Jump END
//!   H:            PushExcInfo                  [prev exc]        [CLEANUP, d+1 from here]
//!                 per clause: type; CheckExcMatch; PopJumpIfFalse NEXT
//!                   store name | PopTop        [prev]
//!                   body [NAMECLEAN, d+1]; PopExcept; name = None; del name; Jump END
//!                   NAMECLEAN: name = None; del name; Reraise
//!                 NEXT: ... no clause matched: Reraise (CLEANUP restores prev)
//!   CLEANUP:      Swap 2; PopExcept; Reraise   [prev exc2]
//! try/finally     body [F, d]; finally body; Jump END
//!   F:            PushExcInfo; finally body; Reraise      [prev exc]  [CLEANUP, d+1]
//! except*         H: PushExcInfo; Copy 1; BuildList 0; Swap 2   [prev orig raised rest]
//!                 per clause: type; CheckEgMatch          [.. raised rest' match]
//!                   Copy 1; PopJumpIfNone SKIP; store name | PopTop
//!                   body [EH, d+4]; (clear name); Jump NEXT
//!                   EH: (clear name); ListAppend 2 (exc2 into raised); Jump NEXT
//!                   SKIP: PopTop (the None match)
//!                 NEXT: ...
//!                 PrepReraiseStar                         [prev to_raise]
//!                 Copy 1; PopJumpIfNone NORAISE; Reraise (CLEANUP restores prev)
//!                 NORAISE: PopTop; PopExcept; Jump END
//! with            ctx; BeforeWith                  [exit enter]    [W, d+1 from here]
//!                 store target | PopTop; body; None; None; None; Call 3; PopTop; Jump END
//!   W:            PushExcInfo; WithExceptStart     [exit prev exc res]   [CLEANUP, d+2]
//!                 PopJumpIfTrue SUPPRESS; Reraise
//!   SUPPRESS:     PopTop; PopExcept; PopTop; Jump END
//! ```
//! `async with` awaits `__aenter__()`, the exit call and `WithExceptStart`'s result.

use super::block::FBlockKind;
use super::Compiler;
use crate::compile::code::{Const, Instr};
use crate::syntax::ast::*;

impl<'a> Compiler<'a> {
    pub(super) fn compile_try(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
        finalbody: &'a [Stmt],
        is_star: bool,
    ) {
        if finalbody.is_empty() {
            self.compile_try_except(body, handlers, orelse, is_star);
            return;
        }
        let depth = self.block_depth();
        let outer = self.unit_ref().handlers.len();
        let (fin, cleanup, end) = (self.new_label(), self.new_label(), self.new_label());
        self.push_handler(fin, depth);
        self.push_fblock(FBlockKind::FinallyTry { body: finalbody }, outer);
        if handlers.is_empty() {
            self.compile_body(body);
            self.compile_body(orelse);
        } else {
            self.compile_try_except(body, handlers, orelse, is_star);
        }
        self.pop_fblock();
        self.pop_handler();
        self.compile_body(finalbody);
        self.emit_jump(Instr::Jump, end);

        self.bind(fin);
        self.push_handler(cleanup, depth + 1);
        self.emit(Instr::PushExcInfo);
        self.push_fblock(FBlockKind::FinallyEnd, outer);
        self.compile_body(finalbody);
        self.pop_fblock();
        self.emit(Instr::Reraise);
        self.pop_handler();
        self.emit_cleanup(cleanup);
        self.bind(end);
    }

    /// `CLEANUP: Swap 2; PopExcept; Reraise` restoring the previously handled exception.
    fn emit_cleanup(&mut self, cleanup: super::Label) {
        self.bind(cleanup);
        self.emit(Instr::Swap(2));
        self.emit(Instr::PopExcept);
        self.emit(Instr::Reraise);
    }

    fn compile_try_except(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
        is_star: bool,
    ) {
        let depth = self.block_depth();
        let outer = self.unit_ref().handlers.len();
        let (dispatch, cleanup, end) = (self.new_label(), self.new_label(), self.new_label());
        self.push_handler(dispatch, depth);
        self.push_fblock(FBlockKind::TryExcept, outer);
        self.compile_body(body);
        self.pop_fblock();
        self.pop_handler();
        self.compile_body(orelse);
        self.emit_jump(Instr::Jump, end);

        self.bind(dispatch);
        self.push_handler(cleanup, depth + 1);
        if is_star {
            self.compile_star_clauses(handlers, depth, outer, end);
        } else {
            self.emit(Instr::PushExcInfo);
            for (idx, handler) in handlers.iter().enumerate() {
                if handler.typ.is_none() && idx + 1 < handlers.len() {
                    self.error("default 'except:' must be last", handler.span);
                }
                self.with_span(handler.span, |c| {
                    c.compile_clause(handler, depth, outer, end)
                });
            }
            self.emit(Instr::Reraise);
        }
        self.pop_handler();
        self.emit_cleanup(cleanup);
        self.bind(end);
    }

    /// One `except T as name:` clause; entered with `[prev exc]`.
    fn compile_clause(
        &mut self,
        handler: &'a ExceptHandler,
        depth: u32,
        outer: usize,
        end: super::Label,
    ) {
        let next = self.new_label();
        if let Some(typ) = &handler.typ {
            self.compile_expr(typ);
            self.emit(Instr::CheckExcMatch);
            self.emit_jump(Instr::PopJumpIfFalse, next);
        }
        match &handler.name {
            Some(ident) => {
                let name = ident.name.clone();
                self.name_op(&name, super::NameCtx::Store);
                let name_clean = self.new_label();
                self.push_handler(name_clean, depth + 1);
                let kind = FBlockKind::HandlerCleanup {
                    name: Some(name.clone()),
                };
                self.push_fblock(kind, outer);
                self.compile_body(&handler.body);
                self.pop_fblock();
                self.pop_handler();
                self.with_handlers(outer, |c| {
                    c.emit(Instr::PopExcept);
                    c.clear_name(&name);
                    c.emit_jump(Instr::Jump, end);
                });
                self.bind(name_clean);
                self.clear_name(&name);
                self.emit(Instr::Reraise);
            }
            None => {
                self.emit(Instr::PopTop);
                self.push_fblock(FBlockKind::HandlerCleanup { name: None }, outer);
                self.compile_body(&handler.body);
                self.pop_fblock();
                self.with_handlers(outer, |c| {
                    c.emit(Instr::PopExcept);
                    c.emit_jump(Instr::Jump, end);
                });
            }
        }
        self.bind(next);
    }

    /// The `except*` clauses, entered with `[exc]` at `depth` (see the module comment).
    fn compile_star_clauses(
        &mut self,
        handlers: &'a [ExceptHandler],
        depth: u32,
        outer: usize,
        end: super::Label,
    ) {
        self.emit(Instr::PushExcInfo);
        self.emit(Instr::Copy(1));
        self.emit(Instr::BuildList(0));
        self.emit(Instr::Swap(2));
        for handler in handlers {
            let Some(typ) = &handler.typ else {
                self.error("expected exception type after 'except*'", handler.span);
                continue;
            };
            self.with_span(handler.span, |c| {
                c.compile_star_clause(handler, typ, depth, outer)
            });
        }
        let no_raise = self.new_label();
        self.emit(Instr::PrepReraiseStar);
        self.emit(Instr::Copy(1));
        self.emit_jump(Instr::PopJumpIfNone, no_raise);
        self.emit(Instr::Reraise);
        self.bind(no_raise);
        self.emit(Instr::PopTop);
        self.with_handlers(outer, |c| {
            c.emit(Instr::PopExcept);
            c.emit_jump(Instr::Jump, end);
        });
    }

    /// Runs `body` with only the first `outer` handlers active: code after a `PopExcept` has
    /// left the handler's cleanup region.
    fn with_handlers(&mut self, outer: usize, body: impl FnOnce(&mut Self)) {
        let saved = self.unit().handlers.clone();
        self.unit().handlers.truncate(outer);
        body(self);
        self.unit().handlers = saved;
    }

    /// One `except* T as name:` clause, entered and left with `[prev orig raised rest]`.
    fn compile_star_clause(
        &mut self,
        handler: &'a ExceptHandler,
        typ: &'a Expr,
        depth: u32,
        outer: usize,
    ) {
        let (next, skip, raised) = (self.new_label(), self.new_label(), self.new_label());
        self.compile_expr(typ);
        self.emit(Instr::CheckEgMatch);
        self.emit(Instr::Copy(1));
        self.emit_jump(Instr::PopJumpIfNone, skip);
        let name = handler.name.as_ref().map(|ident| ident.name.clone());
        match &name {
            Some(name) => self.name_op(name, super::NameCtx::Store),
            None => self.emit(Instr::PopTop),
        }
        self.push_handler(raised, depth + 4);
        self.push_fblock(FBlockKind::ExceptStar, outer);
        self.compile_body(&handler.body);
        self.pop_fblock();
        self.pop_handler();
        if let Some(name) = &name {
            self.clear_name(name);
        }
        self.emit_jump(Instr::Jump, next);
        // An exception raised by the clause body joins `raised`, two below it.
        self.bind(raised);
        if let Some(name) = &name {
            self.clear_name(name);
        }
        self.emit(Instr::ListAppend(2));
        self.emit_jump(Instr::Jump, next);
        self.bind(skip);
        self.emit(Instr::PopTop);
        self.bind(next);
    }

    pub(super) fn compile_with(&mut self, is_async: bool, items: &'a [WithItem], body: &'a [Stmt]) {
        let Some((item, rest)) = items.split_first() else {
            self.compile_body(body);
            return;
        };
        let depth = self.block_depth();
        let outer = self.unit_ref().handlers.len();
        let (handler, cleanup, suppress, end) = (
            self.new_label(),
            self.new_label(),
            self.new_label(),
            self.new_label(),
        );
        self.compile_expr(&item.context);
        self.with_span(item.context.span, |c| {
            if is_async {
                c.emit(Instr::BeforeAsyncWith);
                c.emit_await();
            } else {
                c.emit(Instr::BeforeWith);
            }
        });
        self.push_handler(handler, depth + 1);
        match &item.target {
            Some(target) => self.compile_store(target),
            None => self.emit(Instr::PopTop),
        }
        self.push_fblock(FBlockKind::With { is_async }, outer);
        self.compile_with(is_async, rest, body);
        self.pop_fblock();
        self.pop_handler();
        self.with_span(item.context.span, |c| c.call_exit_with_nones(is_async));
        self.emit_jump(Instr::Jump, end);

        self.bind(handler);
        self.with_span(item.context.span, |c| {
            c.push_handler(cleanup, depth + 2);
            c.emit(Instr::PushExcInfo);
            c.emit(Instr::WithExceptStart);
            if is_async {
                c.emit_await();
            }
            c.emit_jump(Instr::PopJumpIfTrue, suppress);
            c.emit(Instr::Reraise);
            c.pop_handler();
            c.bind(suppress);
            c.emit(Instr::PopTop);
            c.emit(Instr::PopExcept);
            c.emit(Instr::PopTop);
            c.emit_jump(Instr::Jump, end);
        });
        self.emit_cleanup(cleanup);
        self.bind(end);
    }

    /// `[exit] -> []`: calls `exit(None, None, None)` (awaiting it for `async with`).
    pub(super) fn call_exit_with_nones(&mut self, is_async: bool) {
        for _ in 0..3 {
            self.load_const(Const::None);
        }
        self.emit(Instr::Call(3));
        if is_async {
            self.emit_await();
        }
        self.emit(Instr::PopTop);
    }
}
