//! The checks CPython makes around the async protocols, with its messages: `async for` needs
//! `__aiter__` (and the iterator it returns needs `__anext__`), and `__await__` must return an
//! iterator, and `yield from` takes no coroutine. The dispatch loop calls these for
//! `GetAIter`, `GetANext`, `GetAwaitable` and `GetYieldFromIter`.

use crate::compile::code::CodeKind;
use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::value::Value;

impl Vm {
    /// `GetYieldFromIter`: what `yield from v` delegates to. A plain generator is its own
    /// iterator; a coroutine is refused with CPython's message (a plain generator cannot
    /// delegate to one), and so is an async generator (`iter` says so).
    pub fn yield_from_iter(&mut self, v: Value) -> PResult<Value> {
        match &v {
            Value::Generator(g) if g.kind == CodeKind::Generator => Ok(v),
            Value::Generator(g) if g.kind == CodeKind::Coroutine => Err(Exc::type_error(
                "cannot 'yield from' a coroutine object in a non-coroutine generator",
            )),
            _ => self.iter(&v),
        }
    }

    /// `GetANext`: the awaitable of `it.__anext__()`, for the `Send` that follows. For an
    /// async generator that is the generator itself: no program can see this awaitable, and
    /// a `Send` with an async generator below it steps the generator as its `__anext__()`
    /// awaitable would (`delegate_of`; `Vm::async_step` makes the awaitable when a step
    /// takes the general way), so none is allocated. The method is not looked up (the type
    /// cannot be subclassed, so it is always the built-in one).
    pub fn get_anext(&mut self, it: &Value) -> PResult<Value> {
        if let Value::Generator(gen) = it {
            if gen.kind == CodeKind::AsyncGenerator {
                let gen = gen.clone();
                self.async_gen_first_iter(&gen)?;
                return Ok(Value::Generator(gen));
            }
        }
        let aw = self.call_method(it, "__anext__", &[])?;
        let awaitable = matches!(aw, Value::Generator(_) | Value::Iter(_))
            || self.class_of(&aw).lookup_special("__await__").is_some();
        if !awaitable {
            return Err(Exc::type_error(format!(
                "'async for' received an invalid object from __anext__: {}",
                self.type_name(&aw)
            )));
        }
        self.get_awaitable(aw)
    }

    /// `GetAIter`: `type(v).__aiter__(v)`, checked.
    pub fn get_aiter(&mut self, v: &Value) -> PResult<Value> {
        let cls = self.class_of(v);
        if cls.lookup_str("__aiter__").is_none() {
            return Err(Exc::type_error(format!(
                "'async for' requires an object with __aiter__ method, got {}",
                cls.name()
            )));
        }
        let it = self.call_method(v, "__aiter__", &[])?;
        let it_cls = self.class_of(&it);
        if it_cls.lookup_str("__anext__").is_none() {
            return Err(Exc::type_error(format!(
                "'async for' received an object from __aiter__ that does not implement \
                 __anext__: {}",
                it_cls.name()
            )));
        }
        Ok(it)
    }

    /// The check on what `__await__` returned: it must be an iterator.
    pub fn check_await_iterator(&mut self, it: &Value) -> PResult<()> {
        if matches!(it, Value::Generator(_) | Value::Iter(_)) {
            return Ok(());
        }
        let cls = self.class_of(it);
        if cls.lookup_str("__next__").is_none() {
            return Err(Exc::type_error(format!(
                "__await__() returned non-iterator of type '{}'",
                cls.name()
            )));
        }
        Ok(())
    }
}
