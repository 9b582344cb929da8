//! The fused steps of the dispatch loop (`codegen::fuse` chooses them) and the bodies of a
//! few collection-building instructions, kept here so that `interp.rs` stays one screenful
//! of arms per instruction family.

use crate::compile::code::Instr;
use crate::vm::exception::{Exc, PResult};
use crate::vm::frame::Frame;
use crate::vm::interp_ops::{number_fast, number_pair, pop_n, replace_top_two, unbound_local};
use crate::vm::machine::Vm;
use crate::vm::object::function::Code;
use crate::vm::value::Value;

impl Vm {
    /// The value a return instruction returns: the one on top (`ReturnValue`), a constant
    /// (`ReturnConst`), a local's (`ReturnLocal`), or the operation's on the two on top
    /// (`ReturnBinary`).
    #[inline(always)]
    pub(crate) fn return_operand(
        &mut self,
        cur: &mut Frame,
        code: &Code,
        instr: &Instr,
    ) -> PResult<Value> {
        let underflow = || Exc::internal("operand stack underflow");
        match *instr {
            Instr::ReturnConst(k) => code
                .consts
                .get(k as usize)
                .map(Value::dup)
                .ok_or_else(|| Exc::internal("bad constant")),
            Instr::ReturnLocal(i) => match cur.stack.get(i as usize) {
                Some(Value::Null) | None => Err(unbound_local(&code.varnames, i)),
                Some(v) => Ok(v.dup()),
            },
            Instr::ReturnBinary(op) => {
                if let Some(v) = number_fast(op, &cur.stack) {
                    replace_top_two(&mut cur.stack, v);
                    return cur.stack.pop().ok_or_else(underflow);
                }
                let b = cur.stack.pop().ok_or_else(underflow)?;
                let a = cur.stack.pop().ok_or_else(underflow)?;
                self.binary(op, &a, &b)
            }
            _ => cur.stack.pop().ok_or_else(underflow),
        }
    }
}

/// What `LoadLocalInto` did in one step with the instruction after it.
pub(crate) enum Fused {
    /// A `BinaryConst` or `InplaceConst`: its result, to push; the next instruction is skipped.
    Push(Value),
    /// A `CompareConstJump` that does not jump: the next instruction is skipped.
    Next,
    /// A `CompareConstJump` that jumps there.
    Jump(u32),
}

/// `LoadLocal(local)` and `next` (the `BinaryConst` or `CompareConstJump` after it) in one
/// step, when the local and the constant are numbers the fast paths take: `n - 1`, `i % 3`,
/// `if n < 2`. `None` when not (an unbound local, another type, an overflow): the local is
/// then loaded as usual and `next` runs as itself.
#[inline(always)]
pub(crate) fn local_into(
    stack: &[Value],
    consts: &[Value],
    next: Option<&Instr>,
    local: u32,
) -> Option<Fused> {
    let a = stack.get(local as usize)?;
    match *next? {
        // On numbers, `op=` is `op`.
        Instr::BinaryConst(op, k) | Instr::InplaceConst(op, k) => {
            number_pair(op, a, consts.get(k as usize)?).map(Fused::Push)
        }
        Instr::CompareConstJump(op, jump_if, k, target) => match (a, consts.get(k as usize)?) {
            (Value::Int(x), Value::Int(y)) => {
                let truth = crate::vm::ops::int_compare(op, *x, *y)?;
                Some(if truth == jump_if {
                    Fused::Jump(target)
                } else {
                    Fused::Next
                })
            }
            _ => None,
        },
        _ => None,
    }
}

impl Vm {
    /// `BuildSet(n)`: `[a_1 ... a_n] -> [{a_1, ..., a_n}]`.
    pub(crate) fn op_build_set(&mut self, cur: &mut Frame, n: usize) -> PResult<()> {
        let items = pop_n(cur, n)?;
        let set = crate::vm::object::set::Set::new(false);
        for item in items {
            set.add(self, item)?;
        }
        cur.push(Value::set(set));
        Ok(())
    }

    /// `BuildMap(n)`: `[k_1 v_1 ... k_n v_n] -> [{k_1: v_1, ...}]`.
    pub(crate) fn op_build_map(&mut self, cur: &mut Frame, n: usize) -> PResult<()> {
        let items = pop_n(cur, 2 * n)?;
        let dict = Value::new_dict();
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            dict.insert(self, k, v)?;
        }
        cur.push(Value::Dict(dict));
        Ok(())
    }
}
