//! Exception matching for `except` and `except*`: `CheckExcMatch`, exception-group
//! splitting (`CheckEgMatch`, `split`, `subgroup`, `derive`) and `PrepReraiseStar`, which
//! recombines what the `except*` handlers re-raised with what they did not handle.

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::machine::Vm;
use crate::vm::object::class::{Instance, Layout};
use crate::vm::value::Value;
use std::rc::Rc;

impl Vm {
    fn check_catchable(&self, typ: &Value) -> PResult<()> {
        // Exactly the subclasses of BaseException have its layout (`classdef`).
        let exception = |c: &Value| matches!(c, Value::Class(c) if c.layout == Layout::Exception);
        let ok = match typ {
            Value::Tuple(t) => t.items.iter().all(exception),
            other => exception(other),
        };
        if ok {
            Ok(())
        } else {
            Err(Exc::type_error(
                "catching classes that do not inherit from BaseException is not allowed",
            ))
        }
    }

    /// `isinstance(exc, typ)` for `except typ`.
    pub fn exc_match(&mut self, exc: &Value, typ: &Value) -> PResult<bool> {
        self.check_catchable(typ)?;
        let cls = self.class_of(exc);
        Ok(match typ {
            Value::Class(c) => cls.is_subclass(c),
            Value::Tuple(t) => t
                .items
                .iter()
                .any(|c| matches!(c, Value::Class(c) if cls.is_subclass(c))),
            _ => false,
        })
    }

    pub fn is_group(&self, v: &Value) -> bool {
        self.exc_is(v, ExcKind::BaseExceptionGroup)
    }

    /// The member exceptions of a group.
    pub fn group_members(&self, eg: &Value) -> Vec<Value> {
        match self.exc_args(eg).get(1) {
            Some(Value::List(l)) => l.snapshot(),
            Some(Value::Tuple(t)) => t.items.to_vec(),
            _ => Vec::new(),
        }
    }

    /// `BaseExceptionGroup(msg, excs)`, as `ExceptionGroup` when every member is an Exception.
    pub fn new_group(&mut self, msg: Value, excs: Vec<Value>) -> Value {
        let all_exc = excs.iter().all(|e| self.exc_is(e, ExcKind::Exception));
        let kind = if all_exc {
            ExcKind::ExceptionGroup
        } else {
            ExcKind::BaseExceptionGroup
        };
        self.new_exception(kind, vec![msg, Value::list(excs)])
    }

    /// `eg.derive(excs)` plus copying traceback, cause, context and notes.
    fn derive_group(&mut self, eg: &Value, excs: Vec<Value>) -> PResult<Value> {
        let cls = self.class_of(eg);
        let msg = self
            .exc_args(eg)
            .into_iter()
            .next()
            .unwrap_or(Value::str(""));
        let res = if cls.is_user {
            match cls.lookup_str("derive") {
                Some(f) if !matches!(f, Value::Native(_)) => {
                    self.call(&f, &[eg.clone(), Value::list(excs)])?
                }
                _ => self.new_group(msg, excs),
            }
        } else {
            self.new_group(msg, excs)
        };
        if let (Value::Instance(src), Value::Instance(dst)) = (eg, &res) {
            if let (Some(s), Some(d)) = (&src.exc, &dst.exc) {
                *d.traceback.borrow_mut() = s.traceback.borrow().clone();
                *d.cause.borrow_mut() = s.cause.borrow().clone();
                *d.context.borrow_mut() = s.context.borrow().clone();
                d.suppress_context.set(s.suppress_context.get());
            }
            if let Some(notes) = src.dict_get(&crate::vm::object::str::PyStr::new("__notes__")) {
                dst.dict().set_item_str("__notes__", notes);
            }
        }
        Ok(res)
    }

    /// Splits a group by a leaf predicate into `(matching, rest)`.
    pub fn split_group(
        &mut self,
        eg: &Value,
        pred: &mut dyn FnMut(&mut Vm, &Value) -> PResult<bool>,
    ) -> PResult<(Option<Value>, Option<Value>)> {
        if pred(self, eg)? {
            return Ok((Some(eg.clone()), None));
        }
        if !self.is_group(eg) {
            return Ok((None, Some(eg.clone())));
        }
        let mut matched = Vec::new();
        let mut rest = Vec::new();
        for member in self.group_members(eg) {
            let (m, r) = self.split_group(&member, pred)?;
            matched.extend(m);
            rest.extend(r);
        }
        let m = if matched.is_empty() {
            None
        } else {
            Some(self.derive_group(eg, matched)?)
        };
        let r = if rest.is_empty() {
            None
        } else {
            Some(self.derive_group(eg, rest)?)
        };
        Ok((m, r))
    }

    /// `CheckEgMatch`: `(rest, match)`.
    pub fn check_eg_match(&mut self, exc: Value, typ: &Value) -> PResult<(Value, Value)> {
        self.check_catchable(typ)?;
        if !self.is_group(&exc) {
            if self.exc_match(&exc, typ)? {
                let group = self.new_exception(
                    ExcKind::ExceptionGroup,
                    vec![Value::str(""), Value::tuple(vec![exc.clone()])],
                );
                let group = if self.exc_is(&exc, ExcKind::Exception) {
                    group
                } else {
                    self.new_exception(
                        ExcKind::BaseExceptionGroup,
                        vec![Value::str(""), Value::tuple(vec![exc.clone()])],
                    )
                };
                if let (Value::Instance(src), Value::Instance(dst)) = (&exc, &group) {
                    if let (Some(s), Some(d)) = (&src.exc, &dst.exc) {
                        *d.traceback.borrow_mut() = s.traceback.borrow().clone();
                    }
                }
                return Ok((Value::None, group));
            }
            return Ok((exc, Value::None));
        }
        let typ = typ.clone();
        let (m, r) = self.split_group(&exc, &mut |vm, e| vm.exc_match(e, &typ))?;
        Ok((r.unwrap_or(Value::None), m.unwrap_or(Value::None)))
    }

    /// `CheckEgMatch` for an `except*` clause: the matched part (if any) becomes the exception
    /// being handled inside the clause (`sys.exc_info()`, a bare `raise`, the context of
    /// what the clause raises), as in CPython.
    pub fn enter_star_clause(&mut self, matched: &Value) {
        if !matched.is_none() {
            self.handling = matched.clone();
        }
    }

    fn leaves(&self, exc: &Value, out: &mut Vec<i64>) {
        if self.is_group(exc) {
            for m in self.group_members(exc) {
                self.leaves(&m, out);
            }
        } else {
            out.push(exc.id());
        }
    }

    /// `PrepReraiseStar`: what an `except*` block re-raises at its end.
    pub fn prep_reraise_star(&mut self, orig: Value, raised: Value, rest: Value) -> PResult<Value> {
        let mut raised: Vec<Value> = match &raised {
            Value::List(l) => l.snapshot(),
            Value::Tuple(t) => t.items.to_vec(),
            Value::None => Vec::new(),
            other => vec![other.clone()],
        };
        raised.retain(|v| !v.is_none());
        if !rest.is_none() {
            raised.push(rest);
        }
        if raised.is_empty() {
            return Ok(Value::None);
        }
        let mut orig_leaves = Vec::new();
        self.leaves(&orig, &mut orig_leaves);
        let mut kept_leaves = Vec::new();
        let mut new_raised = Vec::new();
        for e in raised {
            let mut l = Vec::new();
            self.leaves(&e, &mut l);
            // Re-raised (a bare `raise`, or the part no clause matched) rather than raised
            // anew: part of the original with its traceback and chaining unchanged, as
            // CPython tells them apart (`raise e` adds a traceback entry).
            let reraised = !l.is_empty()
                && l.iter().all(|id| orig_leaves.contains(id))
                && same_metadata(&e, &orig);
            if reraised {
                kept_leaves.extend(l);
            } else {
                new_raised.push(e);
            }
        }
        let keep = if kept_leaves.is_empty() {
            None
        } else {
            self.split_group(&orig, &mut |vm, e| {
                Ok(!vm.is_group(e) && kept_leaves.contains(&e.id()))
            })?
            .0
        };
        if new_raised.is_empty() {
            return Ok(keep.unwrap_or(Value::None));
        }
        new_raised.extend(keep);
        if new_raised.len() == 1 {
            return Ok(new_raised.pop().unwrap_or(Value::None));
        }
        Ok(self.new_group(Value::str(""), new_raised))
    }

    /// Validates `ExceptionGroup(msg, excs)` arguments.
    pub fn check_group_args(
        &mut self,
        cls_is_exception_group: bool,
        args: &[Value],
    ) -> PResult<()> {
        let [msg, excs] = args else {
            return Err(Exc::type_error(format!(
                "BaseExceptionGroup.__new__() takes exactly 2 arguments ({} given)",
                args.len()
            )));
        };
        if !matches!(msg, Value::Str(_)) {
            return Err(Exc::type_error(
                "argument 1 must be str, not ".to_owned() + &self.type_name(msg),
            ));
        }
        let items = match excs {
            Value::List(l) => l.snapshot(),
            Value::Tuple(t) => t.items.to_vec(),
            _ => {
                return Err(Exc::type_error(
                    "second argument (exceptions) must be a sequence",
                ))
            }
        };
        if items.is_empty() {
            return Err(Exc::value_error(
                "second argument (exceptions) must be a non-empty sequence",
            ));
        }
        for (idx, item) in items.iter().enumerate() {
            if !matches!(item, Value::Instance(i) if i.exc.is_some()) {
                return Err(Exc::value_error(format!(
                    "Item {idx} of second argument (exceptions) is not an exception"
                )));
            }
            if cls_is_exception_group && !self.exc_is(item, ExcKind::Exception) {
                return Err(Exc::type_error(
                    "Cannot nest BaseExceptions in an ExceptionGroup",
                ));
            }
        }
        Ok(())
    }

    pub fn instance_exc(v: &Value) -> Option<&Instance> {
        match v {
            Value::Instance(i) if i.exc.is_some() => Some(i),
            _ => None,
        }
    }
}

/// Whether `e` carries `orig`'s traceback, cause and context unchanged (CPython's
/// `is_same_exception_metadata`).
fn same_metadata(e: &Value, orig: &Value) -> bool {
    let (Value::Instance(e), Value::Instance(orig)) = (e, orig) else {
        return false;
    };
    let (Some(a), Some(b)) = (&e.exc, &orig.exc) else {
        return false;
    };
    let same_tb = {
        let (ta, tb) = (a.traceback.borrow(), b.traceback.borrow());
        ta.len() == tb.len()
            && ta
                .iter()
                .zip(tb.iter())
                .all(|(x, y)| Rc::ptr_eq(&x.code, &y.code) && x.ip == y.ip)
    };
    same_tb
        && a.cause.borrow().id() == b.cause.borrow().id()
        && a.context.borrow().id() == b.context.borrow().id()
}
