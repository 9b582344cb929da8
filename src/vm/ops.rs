//! Operators: arithmetic on the numeric tower (i64 fast paths with overflow checks, BigInt,
//! float), sequence concatenation and repetition, set algebra, truthiness, unary operators,
//! and the dunder protocol for instances (reflected operands, in-place forms, NotImplemented).

use crate::syntax::ast::{BinOp, UnaryOp};
use crate::vm::exception::{Exc, PResult};
use crate::vm::hash::{as_num, Num};
use crate::vm::machine::Vm;
use crate::vm::object::set::Set;
use crate::vm::object::Bytes;
use crate::vm::value::Value;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use std::rc::Rc;

/// Results larger than this many bits raise MemoryError instead of allocating.
pub const MAX_INT_BITS: u64 = 1 << 32;
/// Sequences longer than this (in items, or bytes for str and bytes) raise MemoryError rather
/// than exhausting the machine.
pub const MAX_SEQ_LEN: usize = 1 << 31;

/// `a op b` for two i64 when it cannot overflow or fail; `None` sends it to the slow path.
#[inline(always)]
pub fn int_fast(op: BinOp, a: i64, b: i64) -> Option<Value> {
    let v = match op {
        BinOp::Add => a.checked_add(b)?,
        BinOp::Sub => a.checked_sub(b)?,
        BinOp::Mul => a.checked_mul(b)?,
        BinOp::FloorDiv if b != 0 => {
            let q = a.checked_div(b)?;
            // Truncation rounded toward zero; floor needs one less when the signs differ.
            if q * b != a && ((a < 0) != (b < 0)) {
                q - 1
            } else {
                q
            }
        }
        BinOp::Mod if b != 0 => {
            let r = a.checked_rem(b)?;
            if r != 0 && ((r < 0) != (b < 0)) {
                r + b
            } else {
                r
            }
        }
        BinOp::BitAnd => a & b,
        BinOp::BitOr => a | b,
        BinOp::BitXor => a ^ b,
        BinOp::RShift if b >= 0 => a >> b.min(63),
        BinOp::LShift if (0..63).contains(&b) => {
            let r = a.checked_shl(b as u32)?;
            if r >> b != a {
                return None;
            }
            r
        }
        _ => return None,
    };
    Some(Value::Int(v))
}

/// Float arithmetic that cannot raise (IEEE results are Python's); `None` for the rest.
#[inline(always)]
pub fn float_fast(op: BinOp, a: f64, b: f64) -> Option<Value> {
    let v = match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div if b != 0.0 => a / b,
        _ => return None,
    };
    Some(Value::float(v))
}

#[inline]
pub fn int_compare(op: crate::syntax::ast::CmpOp, a: i64, b: i64) -> Option<bool> {
    use crate::syntax::ast::CmpOp;
    Some(match op {
        CmpOp::Eq | CmpOp::Is => a == b,
        CmpOp::NotEq | CmpOp::IsNot => a != b,
        CmpOp::Lt => a < b,
        CmpOp::LtE => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::GtE => a >= b,
        _ => return None,
    })
}

pub fn dunder_names(op: BinOp) -> (&'static str, &'static str, &'static str) {
    match op {
        BinOp::Add => ("__add__", "__radd__", "__iadd__"),
        BinOp::Sub => ("__sub__", "__rsub__", "__isub__"),
        BinOp::Mul => ("__mul__", "__rmul__", "__imul__"),
        BinOp::MatMul => ("__matmul__", "__rmatmul__", "__imatmul__"),
        BinOp::Div => ("__truediv__", "__rtruediv__", "__itruediv__"),
        BinOp::FloorDiv => ("__floordiv__", "__rfloordiv__", "__ifloordiv__"),
        BinOp::Mod => ("__mod__", "__rmod__", "__imod__"),
        BinOp::Pow => ("__pow__", "__rpow__", "__ipow__"),
        BinOp::LShift => ("__lshift__", "__rlshift__", "__ilshift__"),
        BinOp::RShift => ("__rshift__", "__rrshift__", "__irshift__"),
        BinOp::BitOr => ("__or__", "__ror__", "__ior__"),
        BinOp::BitXor => ("__xor__", "__rxor__", "__ixor__"),
        BinOp::BitAnd => ("__and__", "__rand__", "__iand__"),
    }
}

pub fn to_big(n: &Num) -> Option<BigInt> {
    match n {
        Num::Int(i) => Some(BigInt::from(*i)),
        Num::Big(b) => Some((*b).clone()),
        Num::Float(_) => None,
    }
}

pub fn num_to_f64(n: &Num) -> PResult<f64> {
    match n {
        Num::Int(i) => Ok(*i as f64),
        Num::Float(f) => Ok(*f),
        Num::Big(b) => match b.to_f64() {
            Some(f) if f.is_finite() => Ok(f),
            _ => Err(Exc::overflow("int too large to convert to float")),
        },
    }
}

/// Python's float `divmod`.
pub fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(x / y)
    };
    (floordiv, m)
}

fn float_op(op: BinOp, x: f64, y: f64) -> PResult<Value> {
    let v = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(Exc::zero_division("float division by zero"));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(Exc::zero_division("float floor division by zero"));
            }
            float_divmod(x, y).0
        }
        BinOp::Mod => {
            if y == 0.0 {
                return Err(Exc::zero_division("float modulo"));
            }
            float_divmod(x, y).1
        }
        BinOp::Pow => return float_pow(x, y),
        _ => return Err(Exc::internal("float op")),
    };
    Ok(Value::float(v))
}

pub fn float_pow(x: f64, y: f64) -> PResult<Value> {
    if x == 0.0 && y < 0.0 {
        return Err(Exc::zero_division(
            "0.0 cannot be raised to a negative power",
        ));
    }
    if x < 0.0 && y.fract() != 0.0 && y.is_finite() {
        return Err(Exc::value_error("complex numbers are not supported"));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(Exc::overflow("(34, 'Numerical result out of range')"));
    }
    Ok(Value::float(r))
}

fn int_pow(a: &BigInt, b: &BigInt) -> PResult<Value> {
    if b.is_negative() {
        let (x, y) = (num_to_f64(&Num::Big(a))?, num_to_f64(&Num::Big(b))?);
        return float_pow(x, y);
    }
    if a.is_zero() || *a == BigInt::from(1) {
        return Ok(Value::from_bigint(if b.is_zero() {
            BigInt::from(1)
        } else {
            a.clone()
        }));
    }
    if *a == BigInt::from(-1) {
        return Ok(Value::Int(if b.is_even() { 1 } else { -1 }));
    }
    let exp = b.to_u64().ok_or_else(Exc::memory)?;
    if a.bits().saturating_mul(exp) > MAX_INT_BITS {
        return Err(Exc::memory());
    }
    let exp = u32::try_from(exp).map_err(|_| Exc::memory())?;
    Ok(Value::from_bigint(num_traits::pow::Pow::pow(a, exp)))
}

fn int_op(op: BinOp, a: &BigInt, b: &BigInt) -> PResult<Value> {
    let v = match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => {
            if a.bits() + b.bits() > MAX_INT_BITS {
                return Err(Exc::memory());
            }
            a * b
        }
        BinOp::Div => {
            if b.is_zero() {
                return Err(Exc::zero_division("division by zero"));
            }
            return Ok(Value::float(true_div(a, b)?));
        }
        BinOp::FloorDiv => {
            if b.is_zero() {
                return Err(Exc::zero_division("integer division or modulo by zero"));
            }
            a.div_floor(b)
        }
        BinOp::Mod => {
            if b.is_zero() {
                return Err(Exc::zero_division("integer modulo by zero"));
            }
            a.mod_floor(b)
        }
        BinOp::Pow => return int_pow(a, b),
        BinOp::LShift => {
            if b.is_negative() {
                return Err(Exc::value_error("negative shift count"));
            }
            let n = b
                .to_u64()
                .filter(|n| a.bits() + n <= MAX_INT_BITS)
                .ok_or_else(Exc::memory)?;
            if a.is_zero() {
                BigInt::zero()
            } else {
                a << n
            }
        }
        BinOp::RShift => {
            if b.is_negative() {
                return Err(Exc::value_error("negative shift count"));
            }
            match b.to_u64() {
                Some(n) if n < a.bits() + 1 => a >> n,
                _ => {
                    if a.is_negative() {
                        BigInt::from(-1)
                    } else {
                        BigInt::zero()
                    }
                }
            }
        }
        BinOp::BitAnd => a & b,
        BinOp::BitOr => a | b,
        BinOp::BitXor => a ^ b,
        BinOp::MatMul => return Err(Exc::internal("int matmul")),
    };
    Ok(Value::from_bigint(v))
}

/// Correctly rounded enough `a / b` for integers.
fn true_div(a: &BigInt, b: &BigInt) -> PResult<f64> {
    if let (Some(x), Some(y)) = (a.to_i64(), b.to_i64()) {
        if x.unsigned_abs() < (1 << 53) && y.unsigned_abs() < (1 << 53) {
            return Ok(x as f64 / y as f64);
        }
    }
    {
        // Scale so the integer quotient carries 64+ significant bits, with a sticky bit for
        // the remainder, then convert once: correctly rounded in all but rare double-rounding
        // cases.
        let (na, nb) = (a.abs(), b.abs());
        let shift = 66i64 - (na.bits() as i64 - nb.bits() as i64);
        let (num, den) = if shift >= 0 {
            (na << shift as u64, nb)
        } else {
            (na, nb << (-shift) as u64)
        };
        let (q, r) = num.div_rem(&den);
        let q = if r.is_zero() { q } else { q | BigInt::from(1) };
        let mag = q.to_f64().unwrap_or(f64::INFINITY);
        let res = mag * 2f64.powi((-shift).clamp(-1074, 1023) as i32);
        let res = if !(-1023..=1074).contains(&shift) {
            mag * 2f64.powf(-shift as f64)
        } else {
            res
        };
        if res.is_infinite() {
            return Err(Exc::overflow(
                "integer division result too large for a float",
            ));
        }
        let negative = a.is_negative() != b.is_negative();
        Ok(if negative { -res } else { res })
    }
}

impl Vm {
    /// `a op b`.
    pub fn binary(&mut self, op: BinOp, a: &Value, b: &Value) -> PResult<Value> {
        self.binary_as(op, a, b, false)
    }

    /// `a op b`, or the last step of `a op= b` (`inplace`: its error names `op=`).
    fn binary_as(&mut self, op: BinOp, a: &Value, b: &Value, inplace: bool) -> PResult<Value> {
        if let Some(v) = self.binary_builtin(op, a, b)? {
            return Ok(v);
        }
        if let Some(v) = self.binary_dunder(op, a, b)? {
            return Ok(v);
        }
        if op == BinOp::BitOr {
            if let Some(union) = self.type_union(a, b)? {
                return Ok(union);
            }
        }
        Err(self.binary_type_error(op, a, b, inplace))
    }

    fn binary_type_error(&self, op: BinOp, a: &Value, b: &Value, inplace: bool) -> Exc {
        let (ta, tb) = (self.type_name(a), self.type_name(b));
        match (op, a) {
            (BinOp::Add, Value::List(_) | Value::Tuple(_) | Value::Str(_)) if ta != tb => {
                Exc::type_error(format!("can only concatenate {ta} (not \"{tb}\") to {ta}"))
            }
            (BinOp::Mul, Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Bytes(_)) => {
                Exc::type_error(format!("can't multiply sequence by non-int of type '{tb}'"))
            }
            _ if inplace => Exc::type_error(format!(
                "unsupported operand type(s) for {}=: '{ta}' and '{tb}'",
                op.symbol()
            )),
            (BinOp::Pow, _) => Exc::type_error(format!(
                "unsupported operand type(s) for ** or pow(): '{ta}' and '{tb}'"
            )),
            _ => Exc::type_error(format!(
                "unsupported operand type(s) for {}: '{ta}' and '{tb}'",
                op.symbol()
            )),
        }
    }

    /// Built-in types; `Ok(None)` means "not implemented" for this pair.
    pub(crate) fn binary_builtin(
        &mut self,
        op: BinOp,
        a: &Value,
        b: &Value,
    ) -> PResult<Option<Value>> {
        if let (Value::Bool(p), Value::Bool(q)) = (a, b) {
            match op {
                BinOp::BitAnd => return Ok(Some(Value::bool(p.get() & q.get()))),
                BinOp::BitOr => return Ok(Some(Value::bool(p.get() | q.get()))),
                BinOp::BitXor => return Ok(Some(Value::bool(p.get() ^ q.get()))),
                _ => {}
            }
        }
        if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
            return self.num_binary(op, &x, &y);
        }
        Ok(match (op, a, b) {
            (BinOp::Add, Value::Str(x), Value::Str(y)) => {
                let mut s = String::with_capacity(x.as_str().len() + y.as_str().len());
                s.push_str(x.as_str());
                s.push_str(y.as_str());
                Some(Value::string(s))
            }
            (BinOp::Add, Value::List(x), Value::List(y)) => {
                let mut items = x.snapshot();
                items.extend(y.snapshot());
                Some(Value::list(items))
            }
            (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
                let mut items = x.items.to_vec();
                items.extend(y.items.iter().cloned());
                Some(Value::tuple(items))
            }
            (BinOp::Add, Value::Bytes(x), Value::Bytes(y)) => {
                let mut data = x.data.to_vec();
                data.extend_from_slice(&y.data);
                Some(Value::Bytes(Rc::new(Bytes::new(data))))
            }
            (BinOp::Mul, Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_), _) => {
                match repeat_count(b)? {
                    Some(n) => Some(repeat(a, n)?),
                    None => None,
                }
            }
            (BinOp::Mul, _, Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_)) => {
                match repeat_count(a)? {
                    Some(n) => Some(repeat(b, n)?),
                    None => None,
                }
            }
            (BinOp::Mod, Value::Str(fmt), _) => Some(self.printf_format(fmt.as_str(), b)?),
            (
                BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor,
                Value::Set(x),
                Value::Set(y),
            ) => Some(self.set_op(op, x, y)?),
            (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, Value::DictView(v), _)
                if v.kind != crate::vm::object::misc::ViewKind::Values =>
            {
                let left = self.collect(a)?;
                let left = self.set_from(left)?;
                let right = self.collect(b)?;
                let right = self.set_from(right)?;
                return self.binary_builtin(op, &left, &right);
            }
            (
                BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor,
                Value::Set(_),
                Value::DictView(_),
            ) => {
                let right = self.collect(b)?;
                let right = self.set_from(right)?;
                return self.binary_builtin(op, a, &right);
            }
            (BinOp::BitOr, Value::Dict(x), Value::Dict(y)) => {
                let res = Value::new_dict();
                self.dict_update(&res, &Value::Dict(x.clone()))?;
                self.dict_update(&res, &Value::Dict(y.clone()))?;
                Some(Value::Dict(res))
            }
            _ => None,
        })
    }

    fn num_binary(&mut self, op: BinOp, x: &Num, y: &Num) -> PResult<Option<Value>> {
        if matches!(x, Num::Float(_)) || matches!(y, Num::Float(_)) {
            if !matches!(
                op,
                BinOp::Add
                    | BinOp::Sub
                    | BinOp::Mul
                    | BinOp::Div
                    | BinOp::FloorDiv
                    | BinOp::Mod
                    | BinOp::Pow
            ) {
                return Ok(None);
            }
            return float_op(op, num_to_f64(x)?, num_to_f64(y)?).map(Some);
        }
        if op == BinOp::MatMul {
            return Ok(None);
        }
        if let (Num::Int(a), Num::Int(b)) = (x, y) {
            if let Some(v) = int_fast(op, *a, *b) {
                return Ok(Some(v));
            }
            if op == BinOp::Div {
                if *b == 0 {
                    return Err(Exc::zero_division("division by zero"));
                }
                if a.unsigned_abs() < (1 << 53) && b.unsigned_abs() < (1 << 53) {
                    return Ok(Some(Value::float(*a as f64 / *b as f64)));
                }
            }
            if op == BinOp::Pow && *b >= 0 {
                if let Ok(e) = u32::try_from(*b) {
                    if let Some(r) = a.checked_pow(e) {
                        return Ok(Some(Value::Int(r)));
                    }
                }
            }
        }
        let (Some(a), Some(b)) = (to_big(x), to_big(y)) else {
            return Ok(None);
        };
        // One unit of the budget per word of the operands.
        self.spend_fuel_for((a.bits() + b.bits()) / 64)?;
        int_op(op, &a, &b).map(Some)
    }

    /// Instances: `a.__op__(b)`, then `b.__rop__(a)` (reflected first when `b`'s class is a
    /// subclass of `a`'s that overrides it).
    fn binary_dunder(&mut self, op: BinOp, a: &Value, b: &Value) -> PResult<Option<Value>> {
        let (ca, cb) = (self.class_of(a), self.class_of(b));
        if !ca.is_user && !cb.is_user {
            return Ok(None);
        }
        let (name, rname, _) = dunder_names(op);
        let same = Rc::ptr_eq(&ca, &cb);
        let mut tried_reflected = false;
        if cb.is_user && !same && cb.is_subclass(&ca) {
            if let Some(f) = cb.lookup_str(rname) {
                tried_reflected = true;
                let v = self.call(&f, &[b.clone(), a.clone()])?;
                if !matches!(v, Value::NotImplemented) {
                    return Ok(Some(v));
                }
            }
        }
        if ca.is_user {
            if let Some(f) = ca.lookup_str(name) {
                let v = self.call(&f, &[a.clone(), b.clone()])?;
                if !matches!(v, Value::NotImplemented) {
                    return Ok(Some(v));
                }
            }
        }
        if cb.is_user && !same && !tried_reflected {
            if let Some(f) = cb.lookup_str(rname) {
                let v = self.call(&f, &[b.clone(), a.clone()])?;
                if !matches!(v, Value::NotImplemented) {
                    return Ok(Some(v));
                }
            }
        }
        // A user class that did not handle it: the built-in operation of its builtin base may.
        Ok(None)
    }

    /// `a op= b`.
    pub fn inplace(&mut self, op: BinOp, a: &Value, b: &Value) -> PResult<Value> {
        match (op, a) {
            (BinOp::Add, Value::List(list)) => {
                let items = match b {
                    Value::List(other) => other.snapshot(),
                    _ => self.collect(b)?,
                };
                list.items.borrow_mut().extend(items);
                return Ok(a.clone());
            }
            (BinOp::Mul, Value::List(list)) => {
                if let Some(n) = repeat_count(b)? {
                    let items = list.snapshot();
                    let total = items.len().saturating_mul(n);
                    if total > MAX_SEQ_LEN {
                        return Err(Exc::memory());
                    }
                    let mut res = Vec::new();
                    res.try_reserve(total).map_err(|_| Exc::memory())?;
                    for _ in 0..n {
                        res.extend(items.iter().cloned());
                    }
                    *list.items.borrow_mut() = res;
                    return Ok(a.clone());
                }
            }
            (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, Value::Set(set))
                if !set.frozen && matches!(b, Value::Set(_)) =>
            {
                if let Value::Set(other) = b {
                    let res = self.set_op(op, set, other)?;
                    if let Value::Set(res) = res {
                        let new_table = res.table.borrow().clone();
                        *set.table.borrow_mut() = new_table;
                    }
                    return Ok(a.clone());
                }
            }
            (BinOp::BitOr, Value::Dict(d)) => {
                self.dict_update(d, b)?;
                return Ok(a.clone());
            }
            (_, Value::Instance(inst)) => {
                let (_, _, iname) = dunder_names(op);
                if let Some(f) = inst.class.lookup_str(iname) {
                    let v = self.call(&f, &[a.clone(), b.clone()])?;
                    if !matches!(v, Value::NotImplemented) {
                        return Ok(v);
                    }
                }
            }
            _ => {}
        }
        self.binary_as(op, a, b, true)
    }

    fn set_op(&mut self, op: BinOp, x: &Rc<Set>, y: &Rc<Set>) -> PResult<Value> {
        let res = Set::new(x.frozen);
        match op {
            BinOp::BitOr => {
                for (h, k) in x.entries().into_iter().chain(y.entries()) {
                    res.add_hashed(self, k, h)?;
                }
            }
            BinOp::BitAnd => {
                let (small, big) = if x.len() <= y.len() { (x, y) } else { (y, x) };
                for (h, k) in small.entries() {
                    if big.contains(self, &k)? {
                        res.add_hashed(self, k, h)?;
                    }
                }
            }
            BinOp::Sub => {
                for (h, k) in x.entries() {
                    if !y.contains(self, &k)? {
                        res.add_hashed(self, k, h)?;
                    }
                }
            }
            _ => {
                for (h, k) in x.entries() {
                    if !y.contains(self, &k)? {
                        res.add_hashed(self, k, h)?;
                    }
                }
                for (h, k) in y.entries() {
                    if !x.contains(self, &k)? {
                        res.add_hashed(self, k, h)?;
                    }
                }
            }
        }
        Ok(Value::set(res))
    }

    /// `bool(v)`.
    pub fn truthy(&mut self, v: &Value) -> PResult<bool> {
        Ok(match v {
            Value::Bool(b) => b.get(),
            Value::None => false,
            Value::Int(i) => *i != 0,
            Value::Float(f) => f.get() != 0.0,
            Value::BigInt(_) => true,
            Value::Str(s) => !s.as_str().is_empty(),
            Value::Bytes(b) => !b.data.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Tuple(t) => !t.items.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Set(s) => !s.is_empty(),
            Value::Range(r) => !r.is_empty(),
            Value::DictView(v) => !v.dict.is_empty(),
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                if let Some(f) = cls.lookup_special("__bool__") {
                    return match self.call(&f, std::slice::from_ref(v))? {
                        Value::Bool(b) => Ok(b.get()),
                        other => Err(Exc::type_error(format!(
                            "__bool__ should return bool, returned {}",
                            self.type_name(&other)
                        ))),
                    };
                }
                if cls.lookup_special("__len__").is_some() {
                    return Ok(self.len(v)? != 0);
                }
                true
            }
            _ => true,
        })
    }

    /// `op a`.
    pub fn unary(&mut self, op: UnaryOp, a: &Value) -> PResult<Value> {
        if op == UnaryOp::Not {
            return Ok(Value::bool(!self.truthy(a)?));
        }
        let res = match (op, a) {
            (UnaryOp::Neg, Value::Int(i)) => Some(match i.checked_neg() {
                Some(n) => Value::Int(n),
                None => Value::from_bigint(-BigInt::from(*i)),
            }),
            (UnaryOp::Neg, Value::Bool(b)) => Some(Value::Int(-(b.get() as i64))),
            (UnaryOp::Neg, Value::BigInt(b)) => Some(Value::from_bigint(-(**b).clone())),
            (UnaryOp::Neg, Value::Float(f)) => Some(Value::float(-f.get())),
            (UnaryOp::Pos, Value::Int(_) | Value::BigInt(_) | Value::Float(_)) => Some(a.clone()),
            (UnaryOp::Pos, Value::Bool(b)) => Some(Value::Int(b.get() as i64)),
            (UnaryOp::Invert, Value::Int(i)) => Some(Value::Int(!i)),
            (UnaryOp::Invert, Value::Bool(b)) => Some(Value::Int(!(b.get() as i64))),
            (UnaryOp::Invert, Value::BigInt(b)) => Some(Value::from_bigint(-(**b).clone() - 1)),
            _ => None,
        };
        if let Some(v) = res {
            return Ok(v);
        }
        let (name, sym) = match op {
            UnaryOp::Neg => ("__neg__", "-"),
            UnaryOp::Pos => ("__pos__", "+"),
            _ => ("__invert__", "~"),
        };
        if let Value::Instance(inst) = a {
            if let Some(f) = inst.class.lookup_str(name) {
                return self.call(&f, std::slice::from_ref(a));
            }
        }
        Err(Exc::type_error(format!(
            "bad operand type for unary {sym}: '{}'",
            self.type_name(a)
        )))
    }
}

/// The repeat count of `seq * n`: `Ok(None)` if `n` is not an integer.
fn repeat_count(n: &Value) -> PResult<Option<usize>> {
    match n {
        Value::Int(i) => Ok(Some((*i).max(0) as usize)),
        Value::Bool(b) => Ok(Some(b.get() as usize)),
        Value::BigInt(b) => {
            if b.is_negative() {
                Ok(Some(0))
            } else {
                Err(Exc::overflow(
                    "cannot fit 'int' into an index-sized integer",
                ))
            }
        }
        _ => Ok(None),
    }
}

fn repeat(seq: &Value, n: usize) -> PResult<Value> {
    let len = match seq {
        Value::Str(s) => s.as_str().len(),
        Value::List(l) => l.len(),
        Value::Tuple(t) => t.items.len(),
        Value::Bytes(b) => b.data.len(),
        _ => 0,
    };
    let total = len.checked_mul(n).ok_or_else(Exc::memory)?;
    if total > MAX_SEQ_LEN {
        return Err(Exc::memory());
    }
    Ok(match seq {
        Value::Str(s) => {
            let mut out = String::new();
            out.try_reserve(total).map_err(|_| Exc::memory())?;
            for _ in 0..n {
                out.push_str(s.as_str());
            }
            Value::string(out)
        }
        Value::Bytes(b) => Value::Bytes(Rc::new(Bytes::new(b.data.repeat(n)))),
        Value::List(_) | Value::Tuple(_) => {
            let items = match seq {
                Value::List(l) => l.snapshot(),
                Value::Tuple(t) => t.items.to_vec(),
                _ => Vec::new(),
            };
            let mut out = Vec::new();
            out.try_reserve(total).map_err(|_| Exc::memory())?;
            for _ in 0..n {
                out.extend(items.iter().cloned());
            }
            if matches!(seq, Value::List(_)) {
                Value::list(out)
            } else {
                Value::tuple(out)
            }
        }
        _ => return Err(Exc::internal("repeat")),
    })
}
