//! Comparisons: `==` and ordering for built-in kinds (numbers exactly across int/float,
//! strings, bytes, sequences lexicographically, sets as subsets), the rich-comparison dunder
//! protocol with reflected operands and NotImplemented, `is` and `in`.

use crate::syntax::ast::CmpOp;
use crate::vm::exception::{Exc, PResult};
use crate::vm::hash::{as_num, fast_eq, num_cmp};
use crate::vm::machine::Vm;
use crate::vm::value::Value;
use std::cmp::Ordering;
use std::rc::Rc;

fn dunder(op: CmpOp) -> (&'static str, &'static str) {
    match op {
        CmpOp::Eq => ("__eq__", "__eq__"),
        CmpOp::NotEq => ("__ne__", "__ne__"),
        CmpOp::Lt => ("__lt__", "__gt__"),
        CmpOp::LtE => ("__le__", "__ge__"),
        CmpOp::Gt => ("__gt__", "__lt__"),
        _ => ("__ge__", "__le__"),
    }
}

fn ordering_matches(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::LtE => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::GtE => ord != Ordering::Less,
        CmpOp::Eq => ord == Ordering::Equal,
        _ => ord != Ordering::Equal,
    }
}

impl Vm {
    /// `a op b` for any comparison operator.
    pub fn compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> PResult<Value> {
        match op {
            CmpOp::Is => Ok(Value::bool(a.is(b))),
            CmpOp::IsNot => Ok(Value::bool(!a.is(b))),
            CmpOp::In => Ok(Value::bool(self.contains(b, a)?)),
            CmpOp::NotIn => Ok(Value::bool(!self.contains(b, a)?)),
            _ => match (a, b) {
                // Two strings (never of a user class): the same object is equal to itself.
                (Value::Str(x), Value::Str(y)) => {
                    if let CmpOp::Eq | CmpOp::NotEq = op {
                        // Equality compares lengths before bytes.
                        let eq = Rc::ptr_eq(x, y) || x.as_str() == y.as_str();
                        return Ok(Value::bool(eq == (op == CmpOp::Eq)));
                    }
                    let ord = if Rc::ptr_eq(x, y) {
                        Ordering::Equal
                    } else {
                        x.as_str().cmp(y.as_str())
                    };
                    Ok(Value::bool(ordering_matches(op, ord)))
                }
                _ => self.rich_compare(op, a, b),
            },
        }
    }

    /// Container equality: identity first, then `==`.
    pub fn eq(&mut self, a: &Value, b: &Value) -> PResult<bool> {
        if a.is(b) {
            return Ok(true);
        }
        if let Some(r) = fast_eq(a, b) {
            return Ok(r);
        }
        let v = self.rich_compare(CmpOp::Eq, a, b)?;
        self.truthy(&v)
    }

    /// `a < b` as a bool (sorting, min/max).
    pub fn lt(&mut self, a: &Value, b: &Value) -> PResult<bool> {
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            return Ok(x < y);
        }
        let v = self.rich_compare(CmpOp::Lt, a, b)?;
        self.truthy(&v)
    }

    /// `a > b` as a bool (`max`).
    pub fn gt(&mut self, a: &Value, b: &Value) -> PResult<bool> {
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            return Ok(x > y);
        }
        let v = self.rich_compare(CmpOp::Gt, a, b)?;
        self.truthy(&v)
    }

    pub fn rich_compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> PResult<Value> {
        let (ca, cb) = (self.class_of(a), self.class_of(b));
        if ca.is_user || cb.is_user {
            if let Some(v) = self.compare_dunder(op, a, b)? {
                return Ok(v);
            }
        }
        if let Some(ord) = self.builtin_cmp(op, a, b)? {
            return Ok(Value::bool(ord));
        }
        match op {
            CmpOp::Eq => Ok(Value::bool(a.is(b))),
            CmpOp::NotEq => Ok(Value::bool(!a.is(b))),
            _ => Err(Exc::type_error(format!(
                "'{}' not supported between instances of '{}' and '{}'",
                op.symbol(),
                ca.name(),
                cb.name()
            ))),
        }
    }

    fn compare_dunder(&mut self, op: CmpOp, a: &Value, b: &Value) -> PResult<Option<Value>> {
        let (ca, cb) = (self.class_of(a), self.class_of(b));
        let (name, rname) = dunder(op);
        let reflected_first = cb.is_user && !Rc::ptr_eq(&ca, &cb) && cb.is_subclass(&ca);
        let attempts: [(bool, &Rc<_>, &str, &Value, &Value); 2] = if reflected_first {
            [(true, &cb, rname, b, a), (true, &ca, name, a, b)]
        } else {
            [(true, &ca, name, a, b), (true, &cb, rname, b, a)]
        };
        for (enabled, cls, method, x, y) in attempts {
            if !enabled || !cls.is_user {
                continue;
            }
            let found = cls.lookup_str(method);
            // `object.__ne__` inverts `__eq__`; other built-in methods compare as their type.
            let default_ne = match &found {
                None => true,
                Some(Value::Native(n)) => n.owner == Some("object"),
                Some(_) => false,
            };
            if let (Some(f), false) = (found, default_ne) {
                if matches!(f, Value::Native(_)) {
                    continue;
                }
                let v = self.call(&f, &[x.clone(), y.clone()])?;
                if !matches!(v, Value::NotImplemented) {
                    return Ok(Some(v));
                }
            } else if op == CmpOp::NotEq {
                // The default `__ne__` inverts `__eq__`.
                if let Some(f) = cls.lookup_special("__eq__") {
                    if !matches!(f, Value::Native(_)) {
                        let v = self.call(&f, &[x.clone(), y.clone()])?;
                        if !matches!(v, Value::NotImplemented) {
                            let t = self.truthy(&v)?;
                            return Ok(Some(Value::bool(!t)));
                        }
                    }
                }
            }
        }
        Ok(None)
    }

    /// Built-in comparison: `Ok(None)` when the kinds do not compare.
    pub(crate) fn builtin_cmp(&mut self, op: CmpOp, a: &Value, b: &Value) -> PResult<Option<bool>> {
        if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
            return Ok(Some(match num_cmp(&x, &y) {
                Some(ord) => ordering_matches(op, ord),
                None => op == CmpOp::NotEq,
            }));
        }
        let is_eq = matches!(op, CmpOp::Eq | CmpOp::NotEq);
        let res = match (a, b) {
            (Value::Str(x), Value::Str(y)) => {
                Some(ordering_matches(op, x.as_str().cmp(y.as_str())))
            }
            (Value::Bytes(x), Value::Bytes(y)) => Some(ordering_matches(op, x.data.cmp(&y.data))),
            (Value::List(x), Value::List(y)) => {
                let (x, y) = (x.snapshot(), y.snapshot());
                Some(self.seq_cmp(op, &x, &y)?)
            }
            (Value::Tuple(x), Value::Tuple(y)) => {
                let (x, y) = (x.clone(), y.clone());
                Some(self.seq_cmp(op, &x.items, &y.items)?)
            }
            (Value::Set(x), Value::Set(y)) => {
                let (x, y) = (x.clone(), y.clone());
                let sub = |vm: &mut Vm,
                           p: &Rc<crate::vm::object::set::Set>,
                           q: &Rc<crate::vm::object::set::Set>|
                 -> PResult<bool> {
                    for item in p.items() {
                        if !q.contains(vm, &item)? {
                            return Ok(false);
                        }
                    }
                    Ok(true)
                };
                Some(match op {
                    CmpOp::Eq => x.len() == y.len() && sub(self, &x, &y)?,
                    CmpOp::NotEq => !(x.len() == y.len() && sub(self, &x, &y)?),
                    CmpOp::LtE => sub(self, &x, &y)?,
                    CmpOp::Lt => x.len() < y.len() && sub(self, &x, &y)?,
                    CmpOp::GtE => sub(self, &y, &x)?,
                    _ => x.len() > y.len() && sub(self, &y, &x)?,
                })
            }
            (Value::Dict(x), Value::Dict(y)) if is_eq => {
                let equal = self.dict_eq(x, y)?;
                Some(equal == (op == CmpOp::Eq))
            }
            (Value::Range(x), Value::Range(y)) if is_eq => {
                let equal = x.len() == y.len()
                    && (x.is_empty() || (x.start == y.start && (x.len() == 1 || x.step == y.step)));
                Some(equal == (op == CmpOp::Eq))
            }
            (Value::DictView(x), Value::DictView(y)) if is_eq => {
                let (xs, ys) = (self.collect(a)?, self.collect(b)?);
                let _ = (x, y);
                let sx = self.set_from(xs)?;
                let sy = self.set_from(ys)?;
                return self.builtin_cmp(op, &sx, &sy);
            }
            (Value::Slice(x), Value::Slice(y)) if is_eq => {
                let (x, y) = (x.clone(), y.clone());
                let equal = self.eq(&x.start, &y.start)?
                    && self.eq(&x.stop, &y.stop)?
                    && self.eq(&x.step, &y.step)?;
                Some(equal == (op == CmpOp::Eq))
            }
            (Value::DictView(v), Value::Set(_)) | (Value::Set(_), Value::DictView(v))
                if v.kind != crate::vm::object::misc::ViewKind::Values =>
            {
                let xs = self.collect(a)?;
                let sx = self.set_from(xs)?;
                let ys = self.collect(b)?;
                let sy = self.set_from(ys)?;
                return self.builtin_cmp(op, &sx, &sy);
            }
            (Value::Method(x), Value::Method(y)) if is_eq => {
                let equal = x.obj.is(&y.obj) && x.func.is(&y.func);
                Some(equal == (op == CmpOp::Eq))
            }
            _ => {
                if is_eq {
                    if let Some(r) = fast_eq(a, b) {
                        return Ok(Some(r == (op == CmpOp::Eq)));
                    }
                }
                None
            }
        };
        Ok(res)
    }

    fn seq_cmp(&mut self, op: CmpOp, x: &[Value], y: &[Value]) -> PResult<bool> {
        if matches!(op, CmpOp::Eq | CmpOp::NotEq) && x.len() != y.len() {
            return Ok(op == CmpOp::NotEq);
        }
        for (p, q) in x.iter().zip(y.iter()) {
            if !self.eq(p, q)? {
                if op == CmpOp::Eq {
                    return Ok(false);
                }
                if op == CmpOp::NotEq {
                    return Ok(true);
                }
                let v = self.rich_compare(op, p, q)?;
                return self.truthy(&v);
            }
        }
        Ok(ordering_matches(op, x.len().cmp(&y.len())))
    }

    fn dict_eq(
        &mut self,
        x: &Rc<crate::vm::object::dict::Dict>,
        y: &Rc<crate::vm::object::dict::Dict>,
    ) -> PResult<bool> {
        if x.len() != y.len() {
            return Ok(false);
        }
        for entry in x.entries() {
            match y.get_hashed(self, &entry.key, entry.hash)? {
                Some(v) => {
                    if !self.eq(&entry.value, &v)? {
                        return Ok(false);
                    }
                }
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    pub fn set_from(&mut self, items: Vec<Value>) -> PResult<Value> {
        let set = crate::vm::object::set::Set::new(false);
        for item in items {
            set.add(self, item)?;
        }
        Ok(Value::set(set))
    }
}
