//! The destructuring steps of `match` (`MatchSequence`, `MatchMapping`, `MatchClass`): each
//! answers with a tuple of the subject's parts, or `None` when the subject does not have the
//! pattern's shape. Errors are CPython's (`__match_args__` checks, too many positional
//! sub-patterns, a pattern that names something other than a class).

use crate::compile::code::Instr;
use crate::vm::exception::{Exc, PResult};
use crate::vm::frame::Frame;
use crate::vm::object::class::Class;
use crate::vm::value::Value;
use crate::vm::Vm;
use std::rc::Rc;

impl Vm {
    /// `MatchSequence`, `MatchMapping` or `MatchClass` (`instr`) on `cur`'s stack.
    pub(crate) fn op_match(&mut self, cur: &mut Frame, instr: &Instr) -> PResult<()> {
        let mut pop = || {
            cur.stack
                .pop()
                .ok_or_else(|| Exc::internal("operand stack underflow"))
        };
        let parts = match *instr {
            Instr::MatchSequence(n, star) => {
                let subject = pop()?;
                let star = (star != u32::MAX).then_some(star as usize);
                self.match_sequence(&subject, n as usize, star)?
            }
            Instr::MatchMapping(rest) => {
                let keys = pop()?;
                let subject = pop()?;
                self.match_mapping(&subject, &keys, rest)?
            }
            Instr::MatchClass(npos) => {
                let names = pop()?;
                let cls = pop()?;
                let subject = pop()?;
                self.match_class(&subject, &cls, npos as usize, &names)?
            }
            _ => return Err(Exc::internal("not a match instruction")),
        };
        cur.push(parts);
        Ok(())
    }

    /// Whether `v` counts as a sequence for a pattern: lists, tuples, ranges and instances
    /// with `__len__` and `__getitem__` but no `keys` (str, bytes and mappings do not).
    fn is_pattern_sequence(&self, v: &Value) -> bool {
        match v {
            Value::List(_) | Value::Tuple(_) | Value::Range(_) => true,
            Value::Instance(inst) => {
                inst.class.lookup_str("__len__").is_some()
                    && inst.class.lookup_str("__getitem__").is_some()
                    && inst.class.lookup_str("keys").is_none()
            }
            _ => false,
        }
    }

    pub fn match_sequence(
        &mut self,
        subject: &Value,
        n: usize,
        star: Option<usize>,
    ) -> PResult<Value> {
        if !self.is_pattern_sequence(subject) {
            return Ok(Value::None);
        }
        let items = self.collect(subject)?;
        let Some(star) = star else {
            return Ok(if items.len() == n {
                Value::tuple(items)
            } else {
                Value::None
            });
        };
        let fixed = n.saturating_sub(1);
        if items.len() < fixed {
            return Ok(Value::None);
        }
        let after = fixed - star.min(fixed);
        let middle_end = items.len() - after;
        let mut parts = Vec::with_capacity(n);
        parts.extend(items[..star].iter().cloned());
        parts.push(Value::list(items[star..middle_end].to_vec()));
        parts.extend(items[middle_end..].iter().cloned());
        Ok(Value::tuple(parts))
    }

    pub fn match_mapping(&mut self, subject: &Value, keys: &Value, rest: bool) -> PResult<Value> {
        let keys = match keys {
            Value::Tuple(t) => t.items.to_vec(),
            _ => return Err(Exc::internal("MatchMapping without a key tuple")),
        };
        for (idx, key) in keys.iter().enumerate() {
            for other in &keys[..idx] {
                if self.eq(key, other)? {
                    let text = self.repr(key)?;
                    return Err(Exc::value_error(format!(
                        "mapping pattern checks duplicate key ({text})"
                    )));
                }
            }
        }
        let mut parts = Vec::with_capacity(keys.len() + 1);
        match subject {
            Value::Dict(d) => {
                for key in &keys {
                    match d.get(self, key)? {
                        Some(v) => parts.push(v),
                        None => return Ok(Value::None),
                    }
                }
                if rest {
                    let others = Value::new_dict();
                    for entry in d.entries() {
                        let mut taken = false;
                        for key in &keys {
                            if self.eq(&entry.key, key)? {
                                taken = true;
                                break;
                            }
                        }
                        if !taken {
                            others.insert(self, entry.key, entry.value)?;
                        }
                    }
                    parts.push(Value::Dict(others));
                }
            }
            Value::Instance(inst)
                if inst.class.lookup_str("keys").is_some()
                    && inst.class.lookup_str("__getitem__").is_some() =>
            {
                for key in &keys {
                    if !self.contains(subject, key)? {
                        return Ok(Value::None);
                    }
                    parts.push(self.get_item(subject, key)?);
                }
                if rest {
                    let others = Value::new_dict();
                    let all = self.call_method(subject, "keys", &[])?;
                    for key in self.collect(&all)? {
                        let mut taken = false;
                        for k in &keys {
                            if self.eq(&key, k)? {
                                taken = true;
                                break;
                            }
                        }
                        if !taken {
                            let value = self.get_item(subject, &key)?;
                            others.insert(self, key, value)?;
                        }
                    }
                    parts.push(Value::Dict(others));
                }
            }
            _ => return Ok(Value::None),
        }
        Ok(Value::tuple(parts))
    }

    pub fn match_class(
        &mut self,
        subject: &Value,
        cls: &Value,
        npos: usize,
        kwnames: &Value,
    ) -> PResult<Value> {
        let Value::Class(class) = cls else {
            return Err(Exc::type_error("called match pattern must be a type"));
        };
        if !self.class_of(subject).is_subclass(class) {
            return Ok(Value::None);
        }
        let kwnames: Vec<Value> = match kwnames {
            Value::Tuple(t) => t.items.to_vec(),
            _ => Vec::new(),
        };
        let mut names: Vec<Value> = Vec::with_capacity(npos + kwnames.len());
        let mut parts = Vec::with_capacity(npos + kwnames.len());
        if npos > 0 {
            if npos == 1 && self.matches_self(class) {
                parts.push(subject.clone());
            } else {
                let match_args = match self.get_attr_str(cls, "__match_args__") {
                    Ok(Value::Tuple(t)) => t.items.to_vec(),
                    Ok(other) => {
                        return Err(Exc::type_error(format!(
                            "{}.__match_args__ must be a tuple (got {})",
                            class.name(),
                            self.type_name(&other)
                        )))
                    }
                    Err(_) => Vec::new(),
                };
                if npos > match_args.len() {
                    let s = if match_args.len() == 1 { "" } else { "s" };
                    return Err(Exc::type_error(format!(
                        "{}() accepts {} positional sub-pattern{s} ({npos} given)",
                        class.name(),
                        match_args.len()
                    )));
                }
                for name in match_args.into_iter().take(npos) {
                    if !matches!(name, Value::Str(_)) {
                        return Err(Exc::type_error(format!(
                            "__match_args__ elements must be strings (got {})",
                            self.type_name(&name)
                        )));
                    }
                    names.push(name);
                }
            }
        }
        names.extend(kwnames);
        for (idx, name) in names.iter().enumerate() {
            let Value::Str(text) = name else { continue };
            if names[..idx]
                .iter()
                .any(|n| matches!(n, Value::Str(s) if s.as_str() == text.as_str()))
            {
                return Err(Exc::type_error(format!(
                    "{}() got multiple sub-patterns for attribute '{}'",
                    class.name(),
                    text.as_str()
                )));
            }
            match self.get_attr_str(subject, text.as_str()) {
                Ok(v) => parts.push(v),
                Err(e) if self.exc_matches(&e, crate::vm::exception::ExcKind::AttributeError) => {
                    return Ok(Value::None)
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Value::tuple(parts))
    }

    /// The built-in classes whose single positional sub-pattern matches the subject itself
    /// (`case int(n)`).
    fn matches_self(&self, class: &Rc<Class>) -> bool {
        let t = &self.types;
        [
            &t.int,
            &t.bool_,
            &t.float,
            &t.str_,
            &t.bytes,
            &t.list,
            &t.tuple,
            &t.dict,
            &t.set,
            &t.frozenset,
        ]
        .iter()
        .any(|c| Rc::ptr_eq(c, class))
    }
}
