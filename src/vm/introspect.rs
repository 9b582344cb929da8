//! Read-only views of suspended generators and coroutines for tools outside the dispatch loop:
//! where a coroutine is suspended (its chain of `await`s down to the innermost frame) and where
//! a code object was defined. The event loop's deadlock report and task reprs use these. Nothing
//! here runs bytecode or changes a frame.

use crate::compile::code::Instr;
use crate::vm::object::generator::{GenState, Generator, NativeBody};
use crate::vm::value::Value;
use std::rc::Rc;

/// One suspended frame of an `await` chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSite {
    /// The function's name (`co_name`).
    pub name: String,
    /// The file the code was compiled from.
    pub file: String,
    /// The 1-based line the frame is suspended at (or, for a frame not started yet, where its
    /// function was defined).
    pub line: usize,
}

/// How deep an `await` chain is followed at most (a guard against pathological nesting; real
/// chains are a handful of frames).
const MAX_CHAIN: usize = 256;

/// The frames of the `await` chain suspended in `gen`, outermost first: the generator's own
/// frame, then whatever generator its pending `Send` delegates to, and so on. Empty for a
/// finished or running generator.
pub fn await_chain(gen: &Rc<Generator>) -> Vec<FrameSite> {
    let mut sites = Vec::new();
    let mut current = gen.clone();
    while sites.len() < MAX_CHAIN {
        if matches!(current.state.get(), GenState::Finished | GenState::Running) {
            break;
        }
        let created = current.state.get() == GenState::Created;
        if let Some(body) = current.native() {
            sites.push(native_site(&current, body, created));
            break;
        }
        let next = current.with_frame(|frame| {
            let frame = frame?;
            let obj = &frame.code.obj;
            let span = if created {
                obj.span
            } else {
                obj.span_at(frame.at())
            };
            sites.push(FrameSite {
                name: obj.name.to_string(),
                file: obj.source.name.clone(),
                line: obj.source.line_of(span.start),
            });
            match (obj.instrs.get(frame.at()), frame.stack.last()) {
                (Some(Instr::Send(_)), Some(Value::Generator(sub))) => Some(sub.clone()),
                (Some(Instr::Send(_)), Some(Value::Iter(it))) => it.wrapped_coroutine(),
                _ => None,
            }
        });
        match next {
            Some(sub) => current = sub,
            None => break,
        }
    }
    sites
}

/// Where a native-bodied coroutine is: at the `await` of its code's body that its step stands
/// for (`NativeBody::at_await`), or at its `def` before it started.
fn native_site(gen: &Generator, body: &NativeBody, created: bool) -> FrameSite {
    let obj = &gen.code.obj;
    let at_await = body.at_await() as usize;
    let send = obj
        .instrs
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i, Instr::Send(_)))
        .nth(at_await)
        .map(|(ip, _)| ip);
    let span = match send {
        Some(ip) if !created => obj.span_at(ip),
        _ => obj.span,
    };
    FrameSite {
        name: obj.name.to_string(),
        file: obj.source.name.clone(),
        line: obj.source.line_of(span.start),
    }
}

/// Where the function of `gen` was defined: (file, line of its `def`).
pub fn definition_site(gen: &Generator) -> (String, usize) {
    let obj = &gen.code.obj;
    (obj.source.name.clone(), obj.source.line_of(obj.span.start))
}
