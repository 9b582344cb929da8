//! Constructors and methods of `int`, `bool` and `float`, and the string-to-number parsing
//! they share with the rest of the VM.

use crate::vm::exception::{Exc, PResult};
use crate::vm::hash::float_to_bigint;
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::value::{Value, B64};
use num_bigint::BigInt;
use num_traits::{Num, Signed, ToPrimitive, Zero};

pub fn register(vm: &mut Vm) {
    let t = &vm.types;
    add_methods(
        &t.int,
        "int",
        &[
            ("__new__", int_new),
            ("bit_length", int_bit_length),
            ("bit_count", int_bit_count),
            ("as_integer_ratio", int_ratio),
            ("conjugate", to_int_method),
            ("__index__", to_int_method),
            ("__int__", to_int_method),
            ("__format__", number_format),
        ],
    );
    add_methods(&t.bool_, "bool", &[("__new__", bool_new)]);
    add_methods(
        &t.float,
        "float",
        &[
            ("__new__", float_new),
            ("is_integer", float_is_integer),
            ("as_integer_ratio", float_ratio),
            ("conjugate", float_conjugate),
            ("__format__", number_format),
            ("__int__", float_int),
        ],
    );
}

/// An int-like value as an int (`True` becomes `1`).
pub fn to_int(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::Int(b.get() as i64),
        other => other.clone(),
    }
}

fn to_int_method(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(to_int(arg(&args, 0)?))
}

fn number_format(vm: &mut Vm, args: Args) -> PResult<Value> {
    let spec = args.pos.get(1).and_then(|s| s.as_str()).unwrap_or("");
    Ok(Value::string(vm.format_spec(arg(&args, 0)?, spec)?))
}

fn int_bit_length(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::Int(match arg(&args, 0)? {
        Value::Int(i) => 64 - i.unsigned_abs().leading_zeros() as i64,
        Value::Bool(b) => b.get() as i64,
        Value::BigInt(b) => b.bits() as i64,
        _ => 0,
    }))
}

fn int_bit_count(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let n = as_bigint(arg(&args, 0)?).unwrap_or_default();
    let ones: u64 = n
        .magnitude()
        .to_u64_digits()
        .iter()
        .map(|d| d.count_ones() as u64)
        .sum();
    Ok(Value::Int(ones as i64))
}

fn int_ratio(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::tuple(vec![to_int(arg(&args, 0)?), Value::Int(1)]))
}

fn float_ratio(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let Value::Float(x) = arg(&args, 0)? else {
        return Err(Exc::type_error(
            "descriptor 'as_integer_ratio' requires a 'float' object",
        ));
    };
    if x.get().is_nan() {
        return Err(Exc::value_error("cannot convert NaN to integer ratio"));
    }
    if x.get().is_infinite() {
        return Err(Exc::overflow("cannot convert Infinity to integer ratio"));
    }
    let bits = x.get().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mantissa = (bits & ((1u64 << 52) - 1)) as i64;
    let mut e = if exp == 0 {
        -1074
    } else {
        mantissa |= 1 << 52;
        exp - 1075
    };
    while mantissa != 0 && mantissa & 1 == 0 {
        mantissa >>= 1;
        e += 1;
    }
    let sign = if x.get() < 0.0 { -1 } else { 1 };
    let num = BigInt::from(mantissa * sign);
    if e >= 0 {
        Ok(Value::tuple(vec![
            Value::from_bigint(num << e as u64),
            Value::Int(1),
        ]))
    } else {
        Ok(Value::tuple(vec![
            Value::from_bigint(num),
            Value::from_bigint(BigInt::from(1) << (-e) as u64),
        ]))
    }
}

/// `parse_int` as a value. A short decimal, the usual `int("42")`, is read straight into a
/// small int; anything else (underscores, other bases, Unicode digits or spaces, more than
/// 18 digits) takes the general path.
pub fn parse_int_value(text: &str, base: u32) -> Option<Value> {
    if base == 10 {
        let t = text.trim_ascii();
        let (negative, digits) = match t.as_bytes().first() {
            Some(b'-') => (true, t.get(1..).unwrap_or("")),
            Some(b'+') => (false, t.get(1..).unwrap_or("")),
            _ => (false, t),
        };
        if !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()) {
            let v = digits
                .bytes()
                .fold(0i64, |v, b| v * 10 + i64::from(b - b'0'));
            return Some(Value::Int(if negative { -v } else { v }));
        }
    }
    parse_int(text, base).map(Value::from_bigint)
}

/// Parses an int literal the way `int(s, base)` does.
pub fn parse_int(text: &str, base: u32) -> Option<BigInt> {
    let s = text.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (base, s) = if base == 0 || base == 16 || base == 8 || base == 2 {
        let lower = s.to_ascii_lowercase();
        if (base == 0 || base == 16) && lower.starts_with("0x") {
            (16, &s[2..])
        } else if (base == 0 || base == 8) && lower.starts_with("0o") {
            (8, &s[2..])
        } else if (base == 0 || base == 2) && lower.starts_with("0b") {
            (2, &s[2..])
        } else if base == 0 {
            if s.len() > 1 && s.starts_with('0') && s.chars().any(|c| c != '0' && c != '_') {
                return None;
            }
            (10, s)
        } else {
            (base, s)
        }
    } else {
        (base, s)
    };
    let s = s.strip_prefix('_').filter(|_| base != 10).unwrap_or(s);
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    let digits: String = s.chars().filter(|&c| c != '_').collect();
    if !digits.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let v = BigInt::from_str_radix(&digits, base).ok()?;
    Some(if negative { -v } else { v })
}

fn float_to_int(f: f64) -> PResult<Value> {
    if f.is_nan() {
        return Err(Exc::value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(Exc::overflow("cannot convert float infinity to integer"));
    }
    let t = f.trunc();
    if t.abs() < 9.0e18 {
        return Ok(Value::Int(t as i64));
    }
    Ok(Value::from_bigint(float_to_bigint(t).unwrap_or_default()))
}

fn int_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    let pos = args.pos.get(1..).unwrap_or(&[]);
    let base_arg = pos.get(1).or_else(|| args.kw("base"));
    let Some(v) = pos.first() else {
        if base_arg.is_some() {
            return Err(Exc::type_error("int() missing string argument"));
        }
        return Ok(Value::Int(0));
    };
    if let Some(base) = base_arg {
        let base = match base {
            Value::Int(b) if *b == 0 || (2..=36).contains(b) => *b as u32,
            _ => return Err(Exc::value_error("int() base must be >= 2 and <= 36, or 0")),
        };
        let Value::Str(s) = v else {
            return Err(Exc::type_error(
                "int() can't convert non-string with explicit base",
            ));
        };
        return parse_int_value(s.as_str(), base).ok_or_else(|| {
            Exc::value_error(format!(
                "invalid literal for int() with base {base}: {}",
                crate::vm::repr::str_repr(s.as_str())
            ))
        });
    }
    match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v.clone()),
        Value::Bool(b) => Ok(Value::Int(b.get() as i64)),
        Value::Float(f) => float_to_int(f.get()),
        Value::Str(s) => parse_int_value(s.as_str(), 10).ok_or_else(|| {
            Exc::value_error(format!(
                "invalid literal for int() with base 10: {}",
                crate::vm::repr::str_repr(s.as_str())
            ))
        }),
        Value::Bytes(b) => {
            let s = String::from_utf8_lossy(&b.data).into_owned();
            parse_int_value(&s, 10).ok_or_else(|| {
                Exc::value_error(format!(
                    "invalid literal for int() with base 10: {}",
                    crate::vm::repr::bytes_repr(&b.data)
                ))
            })
        }
        Value::Instance(inst) => {
            let cls = inst.class.clone();
            for name in ["__int__", "__index__", "__trunc__"] {
                if let Some(f) = cls.lookup_str(name) {
                    return vm.call(&f, std::slice::from_ref(v));
                }
            }
            Err(int_type_error(vm, v))
        }
        _ => Err(int_type_error(vm, v)),
    }
}

fn int_type_error(vm: &Vm, v: &Value) -> Exc {
    Exc::type_error(format!(
        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
        vm.type_name(v)
    ))
}

fn bool_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("bool", &args, 1, 0, 1)?;
    match args.pos.get(1) {
        Some(v) => Ok(Value::bool(vm.truthy(v)?)),
        None => Ok(Value::Bool(B64::FALSE)),
    }
}

/// Parses a float literal the way `float(s)` does.
pub fn parse_float(text: &str) -> Option<f64> {
    let s = text.trim();
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    let negative = lower.starts_with('-');
    let special = match unsigned {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(v) = special {
        return Some(if negative { -v } else { v });
    }
    if s.is_empty() || s.contains("__") || s.starts_with('_') || s.ends_with('_') {
        return None;
    }
    let cleaned: String = s.chars().filter(|&c| c != '_').collect();
    if !cleaned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    cleaned.parse::<f64>().ok()
}

fn float_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("float", &args, 1, 0, 1)?;
    let Some(v) = args.pos.get(1) else {
        return Ok(Value::float(0.0));
    };
    match v {
        Value::Float(_) => Ok(v.clone()),
        Value::Int(i) => Ok(Value::float(*i as f64)),
        Value::Bool(b) => Ok(Value::float(b.get() as i64 as f64)),
        Value::BigInt(b) => match b.to_f64() {
            Some(f) if f.is_finite() => Ok(Value::float(f)),
            _ => Err(Exc::overflow("int too large to convert to float")),
        },
        Value::Str(s) => parse_float(s.as_str()).map(Value::float).ok_or_else(|| {
            Exc::value_error(format!(
                "could not convert string to float: {}",
                crate::vm::repr::str_repr(s.as_str())
            ))
        }),
        Value::Instance(inst) => {
            let cls = inst.class.clone();
            if let Some(f) = cls.lookup_str("__float__") {
                return vm.call(&f, std::slice::from_ref(v));
            }
            if let Some(f) = cls.lookup_str("__index__") {
                let i = vm.call(&f, std::slice::from_ref(v))?;
                return float_new(vm, Args::new(&[Value::None, i]));
            }
            Err(float_type_error(vm, v))
        }
        _ => Err(float_type_error(vm, v)),
    }
}

fn float_type_error(vm: &Vm, v: &Value) -> Exc {
    Exc::type_error(format!(
        "float() argument must be a string or a real number, not '{}'",
        vm.type_name(v)
    ))
}

fn float_is_integer(_vm: &mut Vm, args: Args) -> PResult<Value> {
    match arg(&args, 0)? {
        Value::Float(f) => Ok(Value::bool(f.get().is_finite() && f.get().fract() == 0.0)),
        _ => Err(Exc::type_error(
            "descriptor 'is_integer' requires a 'float' object",
        )),
    }
}

fn float_conjugate(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(arg(&args, 0)?.clone())
}

fn float_int(_vm: &mut Vm, args: Args) -> PResult<Value> {
    match arg(&args, 0)? {
        Value::Float(f) => float_to_int(f.get()),
        other => Ok(other.clone()),
    }
}

/// The integer value of an int-like `v` as BigInt, if it is one.
pub fn as_bigint(v: &Value) -> Option<BigInt> {
    match v {
        Value::Int(i) => Some(BigInt::from(*i)),
        Value::Bool(b) => Some(BigInt::from(b.get() as i64)),
        Value::BigInt(b) => Some((**b).clone()),
        _ => None,
    }
}

pub fn is_negative(v: &Value) -> bool {
    match v {
        Value::Int(i) => *i < 0,
        Value::BigInt(b) => b.is_negative(),
        Value::Float(f) => f.get() < 0.0,
        _ => false,
    }
}

pub fn is_zero_value(v: &Value) -> bool {
    match v {
        Value::Int(i) => *i == 0,
        Value::BigInt(b) => b.is_zero(),
        Value::Bool(b) => !b.get(),
        Value::Float(f) => f.get() == 0.0,
        _ => false,
    }
}
