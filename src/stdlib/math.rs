//! The `math` module: constants, float functions with CPython's domain and range errors,
//! and the exact integer functions (gcd, lcm, factorial, comb, perm, isqrt) on big ints.

use crate::vm::exception::{Exc, PResult};
use crate::vm::methods::int::as_bigint;
use crate::vm::methods::{arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::value::{Value, B64};
use crate::vm::Vm;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

pub fn init(vm: &mut Vm) -> PResult<Value> {
    let (module, d) = vm.new_module("math");
    for (name, v) in [
        ("pi", std::f64::consts::PI),
        ("e", std::f64::consts::E),
        ("tau", std::f64::consts::TAU),
        ("inf", f64::INFINITY),
        ("nan", f64::NAN),
    ] {
        d.set_item_str(name, Value::float(v));
    }
    let table: &[(&'static str, crate::vm::object::function::NativeFn)] = &[
        ("sqrt", sqrt),
        ("floor", floor),
        ("ceil", ceil),
        ("trunc", trunc),
        ("fabs", fabs),
        ("gcd", gcd),
        ("lcm", lcm),
        ("factorial", factorial),
        ("log", log),
        ("log2", log2),
        ("log10", log10),
        ("log1p", log1p),
        ("exp", exp),
        ("expm1", expm1),
        ("pow", pow),
        ("sin", sin),
        ("cos", cos),
        ("tan", tan),
        ("asin", asin),
        ("acos", acos),
        ("atan", atan),
        ("atan2", atan2),
        ("sinh", sinh),
        ("cosh", cosh),
        ("tanh", tanh),
        ("hypot", hypot),
        ("isclose", isclose),
        ("isfinite", isfinite),
        ("isinf", isinf),
        ("isnan", isnan),
        ("comb", comb),
        ("perm", perm),
        ("prod", prod),
        ("fsum", fsum),
        ("copysign", copysign),
        ("degrees", degrees),
        ("radians", radians),
        ("isqrt", isqrt),
        ("fmod", fmod),
        ("modf", modf),
        ("frexp", frexp),
        ("ldexp", ldexp),
        ("dist", dist),
    ];
    crate::vm::methods::add_functions(&d, table);
    Ok(module)
}

fn to_f64(vm: &mut Vm, v: &Value) -> PResult<f64> {
    match v {
        Value::Float(f) => Ok(f.get()),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(b.get() as i64 as f64),
        Value::BigInt(b) => b
            .to_f64()
            .filter(|f| f.is_finite())
            .ok_or_else(|| Exc::overflow("int too large to convert to float")),
        Value::Instance(inst) => {
            let cls = inst.class.clone();
            match cls.lookup_str("__float__") {
                Some(f) => {
                    let r = vm.call(&f, std::slice::from_ref(v))?;
                    to_f64(vm, &r)
                }
                None => Err(Exc::type_error(format!(
                    "must be real number, not {}",
                    cls.name()
                ))),
            }
        }
        other => Err(Exc::type_error(format!(
            "must be real number, not {}",
            vm.type_name(other)
        ))),
    }
}

fn domain() -> Exc {
    Exc::value_error("math domain error")
}

fn range_err() -> Exc {
    Exc::overflow("math range error")
}

fn unary(vm: &mut Vm, args: &Args, name: &str, f: fn(f64) -> f64) -> PResult<Value> {
    check_count(name, args, 0, 1, 1)?;
    let x = to_f64(vm, arg(args, 0)?)?;
    let r = f(x);
    if r.is_nan() && !x.is_nan() {
        return Err(domain());
    }
    if r.is_infinite() && x.is_finite() {
        return Err(range_err());
    }
    Ok(Value::float(r))
}

fn sqrt(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "sqrt", f64::sqrt)
}
fn exp(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "exp", f64::exp)
}
fn expm1(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "expm1", f64::exp_m1)
}
fn sin(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "sin", f64::sin)
}
fn cos(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "cos", f64::cos)
}
fn tan(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "tan", f64::tan)
}
fn asin(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "asin", f64::asin)
}
fn acos(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "acos", f64::acos)
}
fn atan(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "atan", f64::atan)
}
fn sinh(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "sinh", f64::sinh)
}
fn cosh(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "cosh", f64::cosh)
}
fn tanh(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "tanh", f64::tanh)
}
fn fabs(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "fabs", f64::abs)
}
fn degrees(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "degrees", f64::to_degrees)
}
fn radians(vm: &mut Vm, args: Args) -> PResult<Value> {
    unary(vm, &args, "radians", f64::to_radians)
}

fn int_result(f: f64) -> PResult<Value> {
    if f.is_nan() {
        return Err(Exc::value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(Exc::overflow("cannot convert float infinity to integer"));
    }
    if f.abs() < 9.0e18 {
        return Ok(Value::Int(f as i64));
    }
    Ok(Value::from_bigint(
        crate::vm::hash::float_to_bigint(f).unwrap_or_default(),
    ))
}

fn rounding(
    vm: &mut Vm,
    args: &Args,
    name: &str,
    dunder: &'static str,
    f: fn(f64) -> f64,
) -> PResult<Value> {
    check_count(name, args, 0, 1, 1)?;
    let v = arg(args, 0)?;
    match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v.clone()),
        Value::Bool(b) => Ok(Value::Int(b.get() as i64)),
        Value::Instance(inst) if inst.class.lookup_str(dunder).is_some() => {
            let m = inst.class.lookup_str(dunder).unwrap_or(Value::None);
            vm.call(&m, std::slice::from_ref(v))
        }
        _ => int_result(f(to_f64(vm, v)?)),
    }
}

fn floor(vm: &mut Vm, args: Args) -> PResult<Value> {
    rounding(vm, &args, "floor", "__floor__", f64::floor)
}
fn ceil(vm: &mut Vm, args: Args) -> PResult<Value> {
    rounding(vm, &args, "ceil", "__ceil__", f64::ceil)
}
fn trunc(vm: &mut Vm, args: Args) -> PResult<Value> {
    rounding(vm, &args, "trunc", "__trunc__", f64::trunc)
}

fn log_of(vm: &mut Vm, v: &Value) -> PResult<f64> {
    if let Some(b) = as_bigint(v) {
        if !b.is_positive() {
            return Err(domain());
        }
        if let Some(f) = b.to_f64().filter(|f| f.is_finite()) {
            return Ok(f.ln());
        }
        // Very large ints: ln(m * 2**k) = ln(m) + k ln 2.
        let shift = b.bits().saturating_sub(60);
        let m = (&b >> shift).to_f64().unwrap_or(1.0);
        return Ok(m.ln() + shift as f64 * std::f64::consts::LN_2);
    }
    let x = to_f64(vm, v)?;
    if x <= 0.0 {
        return Err(domain());
    }
    Ok(x.ln())
}

fn log(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("log", &args, 0, 1, 2)?;
    let num = log_of(vm, arg(&args, 0)?)?;
    match args.pos.get(1) {
        Some(base) => {
            let den = log_of(vm, base)?;
            if den == 0.0 {
                return Err(Exc::zero_division("float division by zero"));
            }
            Ok(Value::float(num / den))
        }
        None => Ok(Value::float(num)),
    }
}

fn log2(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("log2", &args, 0, 1, 1)?;
    let v = arg(&args, 0)?;
    if let Some(b) = as_bigint(v) {
        if b.is_positive() && b.bits() > 1000 {
            return Ok(Value::float(log_of(vm, v)? / std::f64::consts::LN_2));
        }
    }
    let x = to_f64(vm, v)?;
    if x <= 0.0 {
        return Err(domain());
    }
    Ok(Value::float(x.log2()))
}

fn log10(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("log10", &args, 0, 1, 1)?;
    let v = arg(&args, 0)?;
    if let Some(b) = as_bigint(v) {
        if b.is_positive() && b.bits() > 1000 {
            return Ok(Value::float(log_of(vm, v)? / std::f64::consts::LN_10));
        }
    }
    let x = to_f64(vm, v)?;
    if x <= 0.0 {
        return Err(domain());
    }
    Ok(Value::float(x.log10()))
}

fn log1p(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("log1p", &args, 0, 1, 1)?;
    let x = to_f64(vm, arg(&args, 0)?)?;
    if x <= -1.0 {
        return Err(domain());
    }
    Ok(Value::float(x.ln_1p()))
}

fn two(vm: &mut Vm, args: &Args, name: &str) -> PResult<(f64, f64)> {
    check_count(name, args, 0, 2, 2)?;
    Ok((to_f64(vm, arg(args, 0)?)?, to_f64(vm, arg(args, 1)?)?))
}

fn pow(vm: &mut Vm, args: Args) -> PResult<Value> {
    let (x, y) = two(vm, &args, "pow")?;
    if x == 0.0 && y < 0.0 {
        return Err(domain());
    }
    if x < 0.0 && y.is_finite() && y.fract() != 0.0 {
        return Err(domain());
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(range_err());
    }
    Ok(Value::float(r))
}

fn atan2(vm: &mut Vm, args: Args) -> PResult<Value> {
    let (y, x) = two(vm, &args, "atan2")?;
    Ok(Value::float(y.atan2(x)))
}

fn copysign(vm: &mut Vm, args: Args) -> PResult<Value> {
    let (x, y) = two(vm, &args, "copysign")?;
    Ok(Value::float(x.copysign(y)))
}

fn fmod(vm: &mut Vm, args: Args) -> PResult<Value> {
    let (x, y) = two(vm, &args, "fmod")?;
    if y == 0.0 || x.is_infinite() {
        return Err(domain());
    }
    Ok(Value::float(x % y))
}

fn modf(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("modf", &args, 0, 1, 1)?;
    let x = to_f64(vm, arg(&args, 0)?)?;
    let int_part = x.trunc();
    let frac = if x.is_infinite() {
        0.0f64.copysign(x)
    } else {
        x - int_part
    };
    Ok(Value::tuple(vec![
        Value::float(frac),
        Value::float(int_part),
    ]))
}

fn frexp(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("frexp", &args, 0, 1, 1)?;
    let x = to_f64(vm, arg(&args, 0)?)?;
    if x == 0.0 || !x.is_finite() {
        return Ok(Value::tuple(vec![Value::float(x), Value::Int(0)]));
    }
    let mut e = x.abs().log2().floor() as i32 + 1;
    let mut m = x / 2f64.powi(e);
    if m.abs() >= 1.0 {
        m /= 2.0;
        e += 1;
    } else if m.abs() < 0.5 {
        m *= 2.0;
        e -= 1;
    }
    Ok(Value::tuple(vec![Value::float(m), Value::Int(e as i64)]))
}

fn ldexp(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("ldexp", &args, 0, 2, 2)?;
    let x = to_f64(vm, arg(&args, 0)?)?;
    let e = match arg(&args, 1)? {
        Value::Int(i) => (*i).clamp(-20_000, 20_000) as i32,
        Value::Bool(b) => b.get() as i32,
        other => {
            return Err(Exc::type_error(format!(
                "Expected an int as second argument to ldexp, not {}",
                vm.type_name(other)
            )))
        }
    };
    let mut r = x;
    let mut left = e;
    while left != 0 {
        let step = left.clamp(-1000, 1000);
        r *= 2f64.powi(step);
        left -= step;
    }
    if r.is_infinite() && x.is_finite() {
        return Err(range_err());
    }
    Ok(Value::float(r))
}

fn hypot(vm: &mut Vm, args: Args) -> PResult<Value> {
    let mut acc = 0.0f64;
    for v in args.pos {
        let x = to_f64(vm, v)?;
        acc = acc.hypot(x);
    }
    Ok(Value::float(acc))
}

fn dist(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("dist", &args, 0, 2, 2)?;
    let p = vm.collect(arg(&args, 0)?)?;
    let q = vm.collect(arg(&args, 1)?)?;
    if p.len() != q.len() {
        return Err(Exc::value_error(
            "both points must have the same number of dimensions",
        ));
    }
    let mut acc = 0.0f64;
    for (a, b) in p.iter().zip(q.iter()) {
        acc = acc.hypot(to_f64(vm, a)? - to_f64(vm, b)?);
    }
    Ok(Value::float(acc))
}

fn isclose(vm: &mut Vm, args: Args) -> PResult<Value> {
    if args.pos.len() != 2 {
        return Err(Exc::type_error(format!(
            "isclose() takes exactly 2 positional arguments ({} given)",
            args.pos.len()
        )));
    }
    let a = to_f64(vm, arg(&args, 0)?)?;
    let b = to_f64(vm, arg(&args, 1)?)?;
    let rel = match args.kw("rel_tol") {
        Some(v) => to_f64(vm, v)?,
        None => 1e-9,
    };
    let abs_tol = match args.kw("abs_tol") {
        Some(v) => to_f64(vm, v)?,
        None => 0.0,
    };
    if rel < 0.0 || abs_tol < 0.0 {
        return Err(Exc::value_error("tolerances must be non-negative"));
    }
    if a == b {
        return Ok(Value::Bool(B64::TRUE));
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(Value::Bool(B64::FALSE));
    }
    let diff = (b - a).abs();
    Ok(Value::bool(
        diff <= (rel * b).abs() || diff <= (rel * a).abs() || diff <= abs_tol,
    ))
}

fn float_test(vm: &mut Vm, args: &Args, name: &str, f: fn(f64) -> bool) -> PResult<Value> {
    check_count(name, args, 0, 1, 1)?;
    let x = to_f64(vm, arg(args, 0)?)?;
    Ok(Value::bool(f(x)))
}

fn isfinite(vm: &mut Vm, args: Args) -> PResult<Value> {
    float_test(vm, &args, "isfinite", f64::is_finite)
}
fn isinf(vm: &mut Vm, args: Args) -> PResult<Value> {
    float_test(vm, &args, "isinf", f64::is_infinite)
}
fn isnan(vm: &mut Vm, args: Args) -> PResult<Value> {
    float_test(vm, &args, "isnan", f64::is_nan)
}

fn int_arg(vm: &Vm, v: &Value) -> PResult<BigInt> {
    as_bigint(v).ok_or_else(|| {
        Exc::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            vm.type_name(v)
        ))
    })
}

fn gcd(vm: &mut Vm, args: Args) -> PResult<Value> {
    let mut acc = BigInt::zero();
    for v in args.pos {
        acc = acc.gcd(&int_arg(vm, v)?);
    }
    Ok(Value::from_bigint(acc))
}

fn lcm(vm: &mut Vm, args: Args) -> PResult<Value> {
    let mut acc = BigInt::one();
    for v in args.pos {
        let n = int_arg(vm, v)?;
        if n.is_zero() {
            return Ok(Value::Int(0));
        }
        acc = acc.lcm(&n);
    }
    Ok(Value::from_bigint(acc.abs()))
}

fn factorial(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("factorial", &args, 0, 1, 1)?;
    let n = int_arg(vm, arg(&args, 0)?)?;
    if n.is_negative() {
        return Err(Exc::value_error(
            "factorial() not defined for negative values",
        ));
    }
    let n = n.to_u64().filter(|&n| n <= 1_000_000).ok_or_else(|| {
        Exc::overflow("factorial() argument should not exceed 9223372036854775807")
    })?;
    let mut acc = BigInt::one();
    for k in 2..=n {
        acc *= k;
    }
    Ok(Value::from_bigint(acc))
}

fn comb_perm(vm: &mut Vm, args: &Args, name: &str, comb: bool) -> PResult<Value> {
    check_count(name, args, 0, if comb { 2 } else { 1 }, 2)?;
    let n = int_arg(vm, arg(args, 0)?)?;
    let k = match args.pos.get(1) {
        Some(v) if !v.is_none() => int_arg(vm, v)?,
        _ => n.clone(),
    };
    if n.is_negative() {
        return Err(Exc::value_error("n must be a non-negative integer"));
    }
    if k.is_negative() {
        return Err(Exc::value_error("k must be a non-negative integer"));
    }
    if k > n {
        return Ok(Value::Int(0));
    }
    let k = k.to_u64().ok_or_else(|| Exc::overflow("k too large"))?;
    let k = if comb {
        k.min((&n - BigInt::from(k)).to_u64().unwrap_or(k))
    } else {
        k
    };
    let mut acc = BigInt::one();
    for i in 0..k {
        acc *= &n - BigInt::from(i);
        if comb {
            acc /= BigInt::from(i + 1);
        }
    }
    Ok(Value::from_bigint(acc))
}

fn comb(vm: &mut Vm, args: Args) -> PResult<Value> {
    comb_perm(vm, &args, "comb", true)
}

fn perm(vm: &mut Vm, args: Args) -> PResult<Value> {
    comb_perm(vm, &args, "perm", false)
}

fn isqrt(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("isqrt", &args, 0, 1, 1)?;
    let n = int_arg(vm, arg(&args, 0)?)?;
    if n.is_negative() {
        return Err(Exc::value_error("isqrt() argument must be nonnegative"));
    }
    Ok(Value::from_bigint(n.sqrt()))
}

fn prod(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("prod", &args, 0, 1, 1)?;
    let mut acc = args.kw("start").cloned().unwrap_or(Value::Int(1));
    for item in vm.collect(arg(&args, 0)?)? {
        acc = vm.binary(crate::syntax::ast::BinOp::Mul, &acc, &item)?;
    }
    Ok(acc)
}

/// Exact float summation (Shewchuk's algorithm, as CPython's `fsum`).
fn fsum(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("fsum", &args, 0, 1, 1)?;
    let mut partials: Vec<f64> = Vec::new();
    let mut special = 0.0f64;
    for item in vm.collect(arg(&args, 0)?)? {
        let mut x = to_f64(vm, &item)?;
        if !x.is_finite() {
            special += x;
            continue;
        }
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }
    if special != 0.0 || special.is_nan() {
        return Ok(Value::float(special));
    }
    let mut hi = 0.0;
    let mut n = partials.len();
    if n > 0 {
        n -= 1;
        hi = partials[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = partials[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
    }
    Ok(Value::float(hi))
}
