//! Instructions that run as one step with the one after them, chosen once a code object's
//! instructions are final. The instruction after a fused one stays in place, so no jump
//! target moves, the stack analysis (run before) sees the plain sequence, and an error in
//! the second part is raised by that instruction with its own span.

use crate::compile::code::Instr;

/// Fuses each instruction with the one after it where one step does both: one dispatch
/// less. `LoadLocal(a)` before a `LoadLocal(b)` becomes `LoadLocal2(a, b)` (`a + b`,
/// `f(x, y)`, `t += s`), before a `BinaryConst`, `InplaceConst` or `CompareConstJump`
/// `LoadLocalInto(a)` (`n - 1`, `i += 1`, `if n < 2`). Before a `ReturnValue`, a
/// `LoadLocal(a)`, `LoadConst(k)` or `Binary(op)` becomes `ReturnLocal(a)` (`return n`),
/// `ReturnConst(k)` (`return 0`, the implicit `return None`) or `ReturnBinary(op)`
/// (`return a + b`).
pub(super) fn pairs(instrs: &mut [Instr]) {
    for at in 1..instrs.len() {
        let fused = match instrs.get(at - 1..=at) {
            Some(&[Instr::LoadLocal(a), Instr::LoadLocal(b)]) => Instr::LoadLocal2(a, b),
            Some(&[Instr::LoadLocal(a), next]) if takes_a_local(next) => Instr::LoadLocalInto(a),
            Some(&[Instr::LoadLocal(a), Instr::ReturnValue]) => Instr::ReturnLocal(a),
            Some(&[Instr::LoadConst(k), Instr::ReturnValue]) => Instr::ReturnConst(k),
            Some(&[Instr::Binary(op), Instr::ReturnValue]) => Instr::ReturnBinary(op),
            _ => continue,
        };
        if let Some(first) = instrs.get_mut(at - 1) {
            *first = fused;
        }
    }
}

/// The instructions `LoadLocalInto` runs in its step (`vm::fused::local_into`).
fn takes_a_local(next: Instr) -> bool {
    matches!(
        next,
        Instr::BinaryConst(..) | Instr::InplaceConst(..) | Instr::CompareConstJump(..)
    )
}

#[cfg(test)]
mod tests {
    use super::pairs;
    use crate::compile::code::Instr;
    use crate::syntax::ast::BinOp;

    #[test]
    fn fuses_each_load_with_the_next_and_keeps_the_second() {
        let mut instrs = vec![
            Instr::LoadLocal(0),
            Instr::LoadLocal(1),
            Instr::LoadLocal(2),
            Instr::Binary(BinOp::Add),
            Instr::Binary(BinOp::Mul),
            Instr::ReturnValue,
            Instr::LoadLocal(3),
            Instr::BinaryConst(BinOp::Sub, 0),
            Instr::LoadLocal(4),
            Instr::ReturnValue,
        ];
        pairs(&mut instrs);
        assert_eq!(
            instrs,
            vec![
                Instr::LoadLocal2(0, 1),
                Instr::LoadLocal2(1, 2),
                Instr::LoadLocal(2),
                Instr::Binary(BinOp::Add),
                Instr::ReturnBinary(BinOp::Mul),
                Instr::ReturnValue,
                Instr::LoadLocalInto(3),
                Instr::BinaryConst(BinOp::Sub, 0),
                Instr::ReturnLocal(4),
                Instr::ReturnValue,
            ]
        );
    }
}
