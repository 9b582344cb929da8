//! Stack effects of every instruction and the flow analysis that computes `max_stack`. The
//! analysis also checks the compiler's stack discipline: every instruction must be reached
//! with one depth only, never below zero, and handler depths must not exceed the depth of the
//! code they cover.

use crate::compile::code::{make_fn, Handler, Instr};

/// How an instruction changes the stack depth when it falls through and when it jumps.
struct Effect {
    fall: Option<i32>,
    jump: Option<(u32, i32)>,
}

fn effect(instr: Instr) -> Effect {
    let fall = |delta: i32| Effect {
        fall: Some(delta),
        jump: None,
    };
    let n = |count: u32| count as i32;
    match instr {
        Instr::Jump(target) => Effect {
            fall: None,
            jump: Some((target, 0)),
        },
        Instr::PopJumpIfFalse(target)
        | Instr::PopJumpIfTrue(target)
        | Instr::PopJumpIfNone(target) => Effect {
            fall: Some(-1),
            jump: Some((target, -1)),
        },
        Instr::CompareJump(_, _, target) => Effect {
            fall: Some(-2),
            jump: Some((target, -2)),
        },
        Instr::CompareConstJump(_, _, _, target) => Effect {
            fall: Some(-1),
            jump: Some((target, -1)),
        },
        Instr::JumpIfFalseOrPop(target) | Instr::JumpIfTrueOrPop(target) => Effect {
            fall: Some(-1),
            jump: Some((target, 0)),
        },
        Instr::ForIter(target) => Effect {
            fall: Some(1),
            jump: Some((target, -1)),
        },
        Instr::Send(target) => Effect {
            fall: None,
            jump: Some((target, -1)),
        },
        Instr::ReturnValue
        | Instr::ReturnLocal(_)
        | Instr::ReturnConst(_)
        | Instr::ReturnBinary(_)
        | Instr::Raise(_)
        | Instr::Reraise => Effect {
            fall: None,
            jump: None,
        },
        Instr::Nop
        | Instr::Swap(_)
        | Instr::DeleteLocal(_)
        | Instr::DeleteDeref(_)
        | Instr::DeleteGlobal(_)
        | Instr::DeleteName(_)
        | Instr::LoadAttr(_)
        | Instr::BinaryConst(..)
        | Instr::InplaceConst(..)
        | Instr::Unary(_)
        | Instr::GetIter
        | Instr::ListToTuple
        | Instr::YieldValue
        | Instr::AsyncGenWrap
        | Instr::GetYieldFromIter
        | Instr::GetAwaitable
        | Instr::GetAIter
        | Instr::CheckExcMatch
        | Instr::CheckEgMatch
        | Instr::MatchSequence(..) => fall(0),
        Instr::Copy(_)
        | Instr::LoadConst(_)
        | Instr::LoadLocal(_)
        | Instr::LoadLocal2(..)
        | Instr::LoadLocalInto(_)
        | Instr::LoadLocalAttr(..)
        | Instr::LoadDeref(_)
        | Instr::LoadClosure(_)
        | Instr::LoadClassDeref(_)
        | Instr::LoadGlobal(_)
        | Instr::LoadName(_)
        | Instr::LoadMethod(_)
        | Instr::GetANext
        | Instr::BeforeWith
        | Instr::BeforeAsyncWith
        | Instr::WithExceptStart
        | Instr::PushExcInfo
        | Instr::LoadAssertionError
        | Instr::ImportName(_)
        | Instr::ImportFrom(_) => fall(1),
        Instr::PopTop
        | Instr::StoreLocal(_)
        | Instr::StoreDeref(_)
        | Instr::StoreGlobal(_)
        | Instr::StoreName(_)
        | Instr::DeleteAttr(_)
        | Instr::LoadSubscr
        | Instr::Binary(_)
        | Instr::Inplace(_)
        | Instr::Compare(_)
        | Instr::ListAppend(_)
        | Instr::SetAdd(_)
        | Instr::ListExtend(_)
        | Instr::SetUpdate(_)
        | Instr::DictUpdate(_)
        | Instr::DictMerge(_)
        | Instr::PopExcept
        | Instr::PrintExpr
        | Instr::MatchMapping(_)
        | Instr::StoreLocalAttr(..) => fall(-1),
        Instr::StoreAttr(_)
        | Instr::DeleteSubscr
        | Instr::MapAdd(_)
        | Instr::EndAsyncFor
        | Instr::PrepReraiseStar
        | Instr::MatchClass(_) => fall(-2),
        Instr::StoreSubscr => fall(-3),
        Instr::CallMethod(count) | Instr::CallMethodKw(count, _) => fall(-n(count) - 1),
        Instr::BuildSlice(count) => fall(1 - n(count)),
        Instr::BuildTuple(count)
        | Instr::BuildList(count)
        | Instr::BuildSet(count)
        | Instr::BuildString(count) => fall(1 - n(count)),
        Instr::BuildMap(count) => fall(1 - 2 * n(count)),
        Instr::UnpackSequence(count) => fall(n(count) - 1),
        Instr::UnpackEx(before, after) => fall(n(before) + n(after)),
        Instr::FormatValue(_, has_spec) => fall(if has_spec { -1 } else { 0 }),
        Instr::MakeFunction(bits) => {
            let optional = [make_fn::DEFAULTS, make_fn::KW_DEFAULTS, make_fn::CLOSURE];
            fall(-(optional.iter().filter(|&&bit| bits & bit != 0).count() as i32))
        }
        Instr::Call(count) | Instr::CallKw(count, _) => fall(-n(count)),
        Instr::CallEx(has_kwargs) => fall(if has_kwargs { -2 } else { -1 }),
        Instr::BuildClass(count) => fall(-n(count) - 1),
    }
}

/// The deepest the operand stack gets, or a description of the first inconsistency.
pub(super) fn max_stack(instrs: &[Instr], handlers: &[Handler]) -> Result<u32, String> {
    let mut depth_at: Vec<Option<i32>> = vec![None; instrs.len()];
    let mut work: Vec<(usize, i32)> = vec![(0, 0)];
    for handler in handlers {
        work.push((handler.target as usize, handler.depth as i32 + 1));
    }
    let mut max = 0;
    while let Some((idx, depth)) = work.pop() {
        if idx >= instrs.len() {
            if idx == 0 {
                continue;
            }
            return Err(format!("control reaches past the end at {idx}"));
        }
        match depth_at[idx] {
            Some(seen) if seen == depth => continue,
            Some(seen) => return Err(format!("instruction {idx}: depth {seen} and {depth}")),
            None => depth_at[idx] = Some(depth),
        }
        max = max.max(depth);
        let step = effect(instrs[idx]);
        if let Some(delta) = step.fall {
            let next = depth + delta;
            if next < 0 {
                return Err(format!("instruction {idx}: stack underflow"));
            }
            max = max.max(next);
            work.push((idx + 1, next));
        }
        if let Some((target, delta)) = step.jump {
            let next = depth + delta;
            if next < 0 {
                return Err(format!("instruction {idx}: stack underflow on jump"));
            }
            work.push((target as usize, next));
        }
    }
    check_handlers(&depth_at, handlers)?;
    Ok(max as u32)
}

/// A handler may only cut the stack down, never pad it.
fn check_handlers(depth_at: &[Option<i32>], handlers: &[Handler]) -> Result<(), String> {
    for handler in handlers {
        for idx in handler.start..handler.end {
            if let Some(Some(depth)) = depth_at.get(idx as usize) {
                if (handler.depth as i32) > *depth {
                    return Err(format!(
                        "instruction {idx} at depth {depth} covered by a handler of depth {}",
                        handler.depth
                    ));
                }
            }
        }
    }
    Ok(())
}
