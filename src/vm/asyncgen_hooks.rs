//! The async generator hooks (`sys.set_asyncgen_hooks` in CPython): an event loop registers a
//! `firstiter` callable, called with each async generator the first time one of its
//! `__anext__`/`asend`/`athrow`/`aclose` methods is called, so that the loop can close the
//! generators still suspended when it shuts down. The VM stores the hook and calls it; it never
//! knows what the hook does.

use crate::vm::exception::PResult;
use crate::vm::machine::Vm;
use crate::vm::object::generator::{GenState, Generator};
use crate::vm::value::Value;
use std::rc::Rc;

/// The registered hooks (kept in the VM's extension state).
#[derive(Default)]
pub struct AsyncGenHooks {
    pub firstiter: Option<Value>,
}

impl Vm {
    /// Calls the `firstiter` hook for an async generator that has not started yet. A generator
    /// whose methods are called several times before it starts is reported each time; the hook
    /// is expected to keep a set.
    pub fn async_gen_first_iter(&mut self, gen: &Rc<Generator>) -> PResult<()> {
        if gen.state.get() != GenState::Created {
            return Ok(());
        }
        let Some(hook) = self.extension(AsyncGenHooks::default).firstiter.clone() else {
            return Ok(());
        };
        self.call(&hook, &[Value::Generator(gen.clone())])?;
        Ok(())
    }

    /// Sets (or, with `None`, removes) the `firstiter` hook; returns the previous one.
    pub fn set_async_gen_firstiter(&mut self, hook: Option<Value>) -> Option<Value> {
        std::mem::replace(&mut self.extension(AsyncGenHooks::default).firstiter, hook)
    }
}
