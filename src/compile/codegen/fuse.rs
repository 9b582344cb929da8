//! Instructions that run as one step with the one after them, chosen once a code object's
//! instructions are final. The instruction after a fused one stays in place, so no jump
//! target moves, the stack analysis (run before) sees the plain sequence, and an error in
//! the second part is raised by that instruction with its own span.

use crate::compile::code::Instr;

/// Turns each `LoadLocal(a)` followed by `LoadLocal(b)` into `LoadLocal2(a, b)` (`a + b`,
/// `f(x, y)`, `t += s`): one dispatch less when both are bound.
pub(super) fn local_pairs(instrs: &mut [Instr]) {
    for at in 1..instrs.len() {
        if let Some(&[Instr::LoadLocal(a), Instr::LoadLocal(b)]) = instrs.get(at - 1..=at) {
            if let Some(first) = instrs.get_mut(at - 1) {
                *first = Instr::LoadLocal2(a, b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::local_pairs;
    use crate::compile::code::Instr;

    #[test]
    fn fuses_each_load_with_the_next_and_keeps_the_second() {
        let mut instrs = vec![
            Instr::LoadLocal(0),
            Instr::LoadLocal(1),
            Instr::LoadLocal(2),
            Instr::Binary(crate::syntax::ast::BinOp::Add),
            Instr::LoadLocal(3),
            Instr::ReturnValue,
        ];
        local_pairs(&mut instrs);
        assert_eq!(
            instrs,
            vec![
                Instr::LoadLocal2(0, 1),
                Instr::LoadLocal2(1, 2),
                Instr::LoadLocal(2),
                Instr::Binary(crate::syntax::ast::BinOp::Add),
                Instr::LoadLocal(3),
                Instr::ReturnValue,
            ]
        );
    }
}
