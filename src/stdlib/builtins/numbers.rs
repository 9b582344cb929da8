//! The arithmetic builtins: `abs`, `round`, `divmod`, `pow` (with a modulus, and a
//! negative exponent's modular inverse), and `bin`, `hex`, `oct`.

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::methods::{arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::value::Value;
use crate::vm::Vm;
use num_bigint::BigInt;
use num_traits::{Signed, Zero};

pub(super) fn abs(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("abs", &args, 0, 1, 1)?;
    let v = arg(&args, 0)?;
    Ok(match v {
        Value::Int(i) => match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => Value::from_bigint(BigInt::from(*i).abs()),
        },
        Value::Bool(b) => Value::Int(b.get() as i64),
        Value::BigInt(b) => Value::from_bigint(b.abs()),
        Value::Float(f) => Value::float(f.get().abs()),
        Value::Instance(inst) => {
            let cls = inst.class.clone();
            match cls.lookup_str("__abs__") {
                Some(f) => return vm.call(&f, std::slice::from_ref(v)),
                None => {
                    return Err(Exc::type_error(format!(
                        "bad operand type for abs(): '{}'",
                        cls.name()
                    )))
                }
            }
        }
        other => {
            return Err(Exc::type_error(format!(
                "bad operand type for abs(): '{}'",
                vm.type_name(other)
            )))
        }
    })
}

fn round_float(x: f64, digits: i64) -> PResult<f64> {
    crate::vm::float_repr::round_float(x, digits).map_err(Exc::overflow)
}

pub(super) fn round(vm: &mut Vm, args: Args) -> PResult<Value> {
    let v = args
        .pos
        .first()
        .or_else(|| args.kw("number"))
        .ok_or_else(|| Exc::type_error("round() missing required argument 'number' (pos 1)"))?;
    let nd = args
        .pos
        .get(1)
        .or_else(|| args.kw("ndigits"))
        .filter(|v| !v.is_none());
    match (v, nd) {
        (Value::Float(f), None) => {
            if f.get().is_nan() {
                return Err(Exc::value_error("cannot convert float NaN to integer"));
            }
            if f.get().is_infinite() {
                return Err(Exc::overflow("cannot convert float infinity to integer"));
            }
            let mut r = f.get().round();
            if (f.get() - f.get().trunc()).abs() == 0.5 {
                r = 2.0 * (f.get() / 2.0).round();
            }
            if r.abs() < 9.0e18 {
                Ok(Value::Int(r as i64))
            } else {
                Ok(Value::from_bigint(
                    crate::vm::hash::float_to_bigint(r).unwrap_or_default(),
                ))
            }
        }
        (Value::Float(f), Some(nd)) => {
            let digits =
                vm.index_value(nd, "'float' object cannot be interpreted as an integer")?;
            Ok(Value::float(round_float(f.get(), digits)?))
        }
        (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), None) => {
            Ok(crate::vm::methods::int::to_int(v))
        }
        (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), Some(nd)) => {
            let digits = vm.index_value(nd, "integer expected")?;
            if digits >= 0 {
                return Ok(crate::vm::methods::int::to_int(v));
            }
            let n = crate::vm::methods::int::as_bigint(v).unwrap_or_default();
            let p = num_traits::pow::Pow::pow(
                &BigInt::from(10),
                digits.unsigned_abs().min(100_000) as u32,
            );
            let (q, r) = num_integer::Integer::div_mod_floor(&n, &p);
            let twice = &r * 2;
            let q = if twice > p || (twice == p && num_integer::Integer::is_odd(&q)) {
                q + 1
            } else {
                q
            };
            Ok(Value::from_bigint(q * p))
        }
        (Value::Instance(inst), _) => {
            let cls = inst.class.clone();
            match cls.lookup_str("__round__") {
                Some(f) => {
                    let mut a = vec![v.clone()];
                    a.extend(nd.cloned());
                    vm.call(&f, &a)
                }
                None => Err(Exc::type_error(format!(
                    "type {} doesn't define __round__ method",
                    cls.name()
                ))),
            }
        }
        (other, _) => Err(Exc::type_error(format!(
            "type {} doesn't define __round__ method",
            vm.type_name(other)
        ))),
    }
}

pub(super) fn divmod(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("divmod", &args, 0, 2, 2)?;
    let (a, b) = (arg(&args, 0)?, arg(&args, 1)?);
    if let (Value::Instance(_), _) | (_, Value::Instance(_)) = (a, b) {
        let cls = vm.class_of(a);
        if let Some(f) = cls.lookup_str("__divmod__") {
            return vm.call(&f, &[a.clone(), b.clone()]);
        }
    }
    let q = vm
        .binary(crate::syntax::ast::BinOp::FloorDiv, a, b)
        .map_err(|e| divmod_error(vm, e, a, b))?;
    let r = vm.binary(crate::syntax::ast::BinOp::Mod, a, b)?;
    Ok(Value::tuple(vec![q, r]))
}

fn divmod_error(vm: &Vm, e: Exc, a: &Value, b: &Value) -> Exc {
    if vm.exc_matches(&e, ExcKind::TypeError) {
        return Exc::type_error(format!(
            "unsupported operand type(s) for divmod(): '{}' and '{}'",
            vm.type_name(a),
            vm.type_name(b)
        ));
    }
    e
}

pub(super) fn pow(vm: &mut Vm, args: Args) -> PResult<Value> {
    let base = args
        .pos
        .first()
        .or_else(|| args.kw("base"))
        .ok_or_else(|| Exc::type_error("pow() missing required argument 'base' (pos 1)"))?;
    let exp = args
        .pos
        .get(1)
        .or_else(|| args.kw("exp"))
        .ok_or_else(|| Exc::type_error("pow() missing required argument 'exp' (pos 2)"))?;
    let modulus = args
        .pos
        .get(2)
        .or_else(|| args.kw("mod"))
        .filter(|m| !m.is_none());
    let Some(m) = modulus else {
        return vm.binary(crate::syntax::ast::BinOp::Pow, base, exp);
    };
    let (Some(b), Some(e), Some(m)) = (
        crate::vm::methods::int::as_bigint(base),
        crate::vm::methods::int::as_bigint(exp),
        crate::vm::methods::int::as_bigint(m),
    ) else {
        return Err(Exc::type_error(
            "pow() 3rd argument not allowed unless all arguments are integers",
        ));
    };
    if m.is_zero() {
        return Err(Exc::value_error("pow() 3rd argument cannot be 0"));
    }
    let base = if e.is_negative() {
        mod_inverse(&b, &m)
            .ok_or_else(|| Exc::value_error("base is not invertible for the given modulus"))?
    } else {
        b
    };
    let r = base.modpow(&e.abs(), &m.abs());
    let r = if m.is_negative() && !r.is_zero() {
        r + &m
    } else {
        r
    };
    Ok(Value::from_bigint(r))
}

fn mod_inverse(a: &BigInt, m: &BigInt) -> Option<BigInt> {
    let m = m.abs();
    let g = num_integer::Integer::extended_gcd(&num_integer::Integer::mod_floor(a, &m), &m);
    if g.gcd != BigInt::from(1) {
        return None;
    }
    Some(num_integer::Integer::mod_floor(&g.x, &m))
}

fn radix(vm: &mut Vm, args: &Args, name: &str, base: u32, prefix: &str) -> PResult<Value> {
    check_count(name, args, 0, 1, 1)?;
    let v = arg(args, 0)?;
    let n = match crate::vm::methods::int::as_bigint(v) {
        Some(n) => n,
        None => {
            let msg = format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(v)
            );
            BigInt::from(vm.index_value(v, &msg)?)
        }
    };
    let sign = if n.is_negative() { "-" } else { "" };
    Ok(Value::string(format!(
        "{sign}{prefix}{}",
        n.abs().to_str_radix(base)
    )))
}

pub(super) fn bin(vm: &mut Vm, args: Args) -> PResult<Value> {
    radix(vm, &args, "bin", 2, "0b")
}

pub(super) fn hex(vm: &mut Vm, args: Args) -> PResult<Value> {
    radix(vm, &args, "hex", 16, "0x")
}

pub(super) fn oct(vm: &mut Vm, args: Args) -> PResult<Value> {
    radix(vm, &args, "oct", 8, "0o")
}
