//! `Generator`: one kind for generators, coroutines and async generators. It holds the
//! suspended frame between resumptions; `vm::resume` moves the frame into a dispatch loop and
//! back. `running` guards against re-entrance ("generator already executing").

use crate::compile::code::CodeKind;
use crate::vm::frame::Frame;
use crate::vm::gc::{self, Trace, Visit};
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GenState {
    Created,
    Suspended,
    Running,
    Finished,
}

pub struct Generator {
    pub kind: CodeKind,
    pub name: Rc<PyStr>,
    pub qualname: Rc<PyStr>,
    pub frame: RefCell<Option<Box<Frame>>>,
    pub state: Cell<GenState>,
}

impl Generator {
    pub fn new_value(frame: Frame) -> Value {
        let gen = Rc::new(Generator {
            kind: frame.code.obj.kind,
            name: frame.code.name.clone(),
            qualname: frame.code.qualname.clone(),
            frame: RefCell::new(Some(Box::new(frame))),
            state: Cell::new(GenState::Created),
        });
        gc::track(&gen);
        Value::Generator(gen)
    }

    /// `generator`, `coroutine` or `async_generator`.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            CodeKind::Coroutine => "coroutine",
            CodeKind::AsyncGenerator => "async_generator",
            _ => "generator",
        }
    }
}

impl Trace for Generator {
    fn trace(&self, visit: &mut Visit) -> bool {
        match self.frame.try_borrow() {
            Ok(frame) => {
                if let Some(frame) = &*frame {
                    frame.trace(visit);
                }
                true
            }
            Err(_) => false,
        }
    }

    fn clear(&self) {
        if let Ok(mut frame) = self.frame.try_borrow_mut() {
            let old = frame.take();
            drop(frame);
            drop(old);
        }
    }
}
