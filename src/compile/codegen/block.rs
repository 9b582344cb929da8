//! The compile-time block stack (CPython's "fblocks"): which loops, `try`, `with` and
//! handler bodies enclose the current statement, what each keeps on the operand stack, and how
//! `return`, `break` and `continue` unwind them (inline `finally` bodies, `__exit__` calls,
//! `PopExcept`, popping iterators). Statement compilation itself lives in `stmt.rs`.

use super::{Compiler, Label};
use crate::compile::code::{Const, Instr};
use crate::syntax::ast::Stmt;
use crate::syntax::span::Span;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub(super) enum FBlockKind<'a> {
    While {
        cont: Label,
        brk: Label,
    },
    /// Keeps the iterator on the stack.
    For {
        cont: Label,
        brk: Label,
    },
    /// The body of a `try` with `except` clauses.
    TryExcept,
    /// The body of a `try` with `finally`: unwinding runs the final body inline.
    FinallyTry {
        body: &'a [Stmt],
    },
    /// The `finally` body on the exceptional path: `[prev exc]` on the stack.
    FinallyEnd,
    /// A `with` body: the exit callable on the stack.
    With {
        is_async: bool,
    },
    /// An `except` clause body: `[prev]` on the stack; the bound name is cleared on exit.
    HandlerCleanup {
        name: Option<Rc<str>>,
    },
    /// An `except*` clause body, which `return`/`break`/`continue` may not leave.
    ExceptStar,
    /// A return value kept on the stack while a `finally` body runs inline.
    PopValue,
}

/// One enclosing block; `outer_handlers` is the handler-stack length outside the block, which
/// code emitted while unwinding it must use.
#[derive(Clone, Debug)]
pub(super) struct FBlock<'a> {
    pub kind: FBlockKind<'a>,
    pub outer_handlers: usize,
}

impl FBlock<'_> {
    /// Values this block keeps on the operand stack below statements inside it.
    pub fn stack_items(&self) -> u32 {
        match self.kind {
            FBlockKind::While { .. } | FBlockKind::TryExcept | FBlockKind::FinallyTry { .. } => 0,
            FBlockKind::For { .. }
            | FBlockKind::With { .. }
            | FBlockKind::HandlerCleanup { .. }
            | FBlockKind::PopValue => 1,
            FBlockKind::FinallyEnd => 2,
            FBlockKind::ExceptStar => 4,
        }
    }

    fn is_loop(&self) -> bool {
        matches!(self.kind, FBlockKind::While { .. } | FBlockKind::For { .. })
    }
}

/// What a jump out of blocks is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Exit {
    Return,
    Break,
    Continue,
}

impl<'a> Compiler<'a> {
    pub(super) fn push_fblock(&mut self, kind: FBlockKind<'a>, outer_handlers: usize) {
        self.unit().fblocks.push(FBlock {
            kind,
            outer_handlers,
        });
    }

    pub(super) fn pop_fblock(&mut self) {
        let popped = self.unit().fblocks.pop();
        debug_assert!(popped.is_some());
    }

    /// `break`, `continue` or `return` (whose value, if any, is already on the stack when
    /// `preserve_tos`): checks placement, unwinds the blocks in between and jumps or returns.
    pub(super) fn compile_exit(&mut self, exit: Exit, preserve_tos: bool, span: Span) {
        let fblocks = &self.unit_ref().fblocks;
        let stop = match exit {
            Exit::Return => None,
            _ => fblocks.iter().rposition(FBlock::is_loop),
        };
        let crossed = &fblocks[stop.map_or(0, |idx| idx + 1)..];
        if crossed
            .iter()
            .any(|block| matches!(block.kind, FBlockKind::ExceptStar))
        {
            let message = "'break', 'continue' and 'return' cannot appear in an except* block";
            self.error(message, span);
            return;
        }
        match (exit, stop) {
            (Exit::Break, None) => return self.error("'break' outside loop", span),
            (Exit::Continue, None) => return self.error("'continue' not properly in loop", span),
            _ => {}
        }
        // Unwinding leaves only the handlers outside the blocks it crossed active, for the
        // final jump or return too; the block's own code after this exit still needs them.
        let saved_handlers = self.unit().handlers.clone();
        let target = self.unwind_fblocks(preserve_tos, exit != Exit::Return);
        self.emit_exit(exit, target, preserve_tos);
        self.unit().handlers = saved_handlers;
    }

    fn emit_exit(&mut self, exit: Exit, target: Option<FBlockKind<'a>>, preserve_tos: bool) {
        match (exit, target) {
            (Exit::Return, _) => {
                if !preserve_tos {
                    self.load_const(Const::None);
                }
                self.emit(Instr::ReturnValue);
            }
            (Exit::Break, Some(FBlockKind::For { brk, .. })) => {
                self.emit(Instr::PopTop);
                self.emit_jump(Instr::Jump, brk);
            }
            (Exit::Break, Some(FBlockKind::While { brk, .. })) => self.emit_jump(Instr::Jump, brk),
            (
                Exit::Continue,
                Some(FBlockKind::For { cont, .. } | FBlockKind::While { cont, .. }),
            ) => self.emit_jump(Instr::Jump, cont),
            _ => debug_assert!(false, "loop block expected"),
        }
    }

    /// Emits the unwinding of every block down to (not including) the innermost loop when
    /// `stop_at_loop`, else all of them, and returns the loop block reached.
    fn unwind_fblocks(&mut self, preserve_tos: bool, stop_at_loop: bool) -> Option<FBlockKind<'a>> {
        let top = self.unit_ref().fblocks.last()?.clone();
        if stop_at_loop && top.is_loop() {
            return Some(top.kind);
        }
        self.unit().fblocks.pop();
        self.unit().handlers.truncate(top.outer_handlers);
        self.unwind_one(&top.kind, preserve_tos);
        let res = self.unwind_fblocks(preserve_tos, stop_at_loop);
        self.unit().fblocks.push(top);
        res
    }

    fn unwind_one(&mut self, kind: &FBlockKind<'a>, preserve_tos: bool) {
        match kind {
            FBlockKind::While { .. } | FBlockKind::TryExcept | FBlockKind::ExceptStar => {}
            FBlockKind::For { .. } | FBlockKind::PopValue => {
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.emit(Instr::PopTop);
            }
            FBlockKind::FinallyTry { body } => {
                if preserve_tos {
                    let outer = self.unit_ref().handlers.len();
                    self.push_fblock(FBlockKind::PopValue, outer);
                }
                self.compile_body(body);
                if preserve_tos {
                    self.pop_fblock();
                }
            }
            FBlockKind::FinallyEnd => {
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.emit(Instr::PopTop);
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.emit(Instr::PopExcept);
            }
            FBlockKind::With { is_async } => {
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.call_exit_with_nones(*is_async);
            }
            FBlockKind::HandlerCleanup { name } => {
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.emit(Instr::PopExcept);
                if let Some(name) = name {
                    self.clear_name(name);
                }
            }
        }
    }
}
