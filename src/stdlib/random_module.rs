//! The `random` module object: argument handling and values around the MT19937 core of
//! `random.rs` (which works on numbers and indices only). The module-level generator lives
//! in the VM's extension state.

use crate::stdlib::random::{MersenneTwister, RandomError, RandomErrorKind};
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::methods::int::as_bigint;
use crate::vm::methods::{arg, check_count};
use crate::vm::object::function::{Args, NativeFn};
use crate::vm::value::Value;
use crate::vm::Vm;
use num_bigint::BigInt;

pub fn init(vm: &mut Vm) -> PResult<Value> {
    let (module, d) = vm.new_module("random");
    let table: &[(&'static str, NativeFn)] = &[
        ("seed", seed),
        ("random", random),
        ("randint", randint),
        ("randrange", randrange),
        ("uniform", uniform),
        ("choice", choice),
        ("choices", choices),
        ("shuffle", shuffle),
        ("sample", sample),
        ("gauss", gauss),
        ("normalvariate", normalvariate),
        ("getrandbits", getrandbits),
    ];
    crate::vm::methods::add_functions(&d, table);
    Ok(module)
}

fn rng(vm: &mut Vm) -> &mut MersenneTwister {
    vm.extension(MersenneTwister::new)
}

fn raise(e: RandomError) -> Exc {
    let kind = match e.kind {
        RandomErrorKind::ValueError => ExcKind::ValueError,
        RandomErrorKind::TypeError => ExcKind::TypeError,
        RandomErrorKind::IndexError => ExcKind::IndexError,
        RandomErrorKind::ZeroDivisionError => ExcKind::ZeroDivisionError,
        RandomErrorKind::MemoryError => ExcKind::MemoryError,
    };
    Exc::new(kind, e.message)
}

fn float_arg(vm: &Vm, v: &Value) -> PResult<f64> {
    match v {
        Value::Float(f) => Ok(f.get()),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(b.get() as i64 as f64),
        Value::BigInt(b) => crate::vm::float_repr::bigint_to_f64(b)
            .ok_or_else(|| Exc::overflow("int too large to convert to float")),
        other => Err(Exc::type_error(format!(
            "must be real number, not {}",
            vm.type_name(other)
        ))),
    }
}

fn int_arg(vm: &Vm, v: &Value) -> PResult<BigInt> {
    as_bigint(v).ok_or_else(|| {
        Exc::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            vm.type_name(v)
        ))
    })
}

fn seed(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("seed", &args, 0, 0, 2)?;
    let v = args
        .pos
        .first()
        .or_else(|| args.kw("a"))
        .cloned()
        .unwrap_or(Value::None);
    match &v {
        Value::None => rng(vm).seed_from_os(),
        Value::Int(i) => rng(vm).seed_i64(*i),
        Value::Bool(b) => rng(vm).seed_i64(b.get() as i64),
        Value::BigInt(b) => rng(vm).seed_int(b),
        Value::Str(s) => rng(vm).seed_str(s.as_str()),
        Value::Bytes(b) => rng(vm).seed_bytes(&b.data),
        Value::Float(_) | Value::Tuple(_) => {
            let h = vm.hash(&v)?;
            rng(vm).seed_hash(h);
        }
        other => {
            return Err(Exc::type_error(format!(
                "The only supported seed types are: None,\nint, float, str, bytes, and bytearray. not {}",
                vm.type_name(other)
            )))
        }
    }
    Ok(Value::None)
}

fn random(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("random", &args, 0, 0, 0)?;
    Ok(Value::float(rng(vm).random()))
}

fn randint(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("randint", &args, 0, 2, 2)?;
    let (a, b) = (int_arg(vm, arg(&args, 0)?)?, int_arg(vm, arg(&args, 1)?)?);
    let r = rng(vm).randint_big(&a, &b).map_err(raise)?;
    Ok(Value::from_bigint(r))
}

fn randrange(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("randrange", &args, 0, 1, 3)?;
    let start = int_arg(vm, arg(&args, 0)?)?;
    let stop = match args.pos.get(1) {
        Some(Value::None) | None => None,
        Some(v) => Some(int_arg(vm, v)?),
    };
    let step = match args.pos.get(2) {
        Some(v) => int_arg(vm, v)?,
        None => BigInt::from(1),
    };
    let r = rng(vm)
        .randrange_big(&start, stop.as_ref(), &step)
        .map_err(raise)?;
    Ok(Value::from_bigint(r))
}

fn uniform(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("uniform", &args, 0, 2, 2)?;
    let (a, b) = (
        float_arg(vm, arg(&args, 0)?)?,
        float_arg(vm, arg(&args, 1)?)?,
    );
    Ok(Value::float(rng(vm).uniform(a, b)))
}

fn gauss(vm: &mut Vm, args: Args) -> PResult<Value> {
    let mu = match args.pos.first() {
        Some(v) => float_arg(vm, v)?,
        None => 0.0,
    };
    let sigma = match args.pos.get(1) {
        Some(v) => float_arg(vm, v)?,
        None => 1.0,
    };
    Ok(Value::float(rng(vm).gauss(mu, sigma)))
}

fn normalvariate(vm: &mut Vm, args: Args) -> PResult<Value> {
    let mu = match args.pos.first() {
        Some(v) => float_arg(vm, v)?,
        None => 0.0,
    };
    let sigma = match args.pos.get(1) {
        Some(v) => float_arg(vm, v)?,
        None => 1.0,
    };
    Ok(Value::float(rng(vm).normalvariate(mu, sigma)))
}

fn getrandbits(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("getrandbits", &args, 0, 1, 1)?;
    let k = match arg(&args, 0)? {
        Value::Int(k) if *k >= 0 => *k as u64,
        Value::Int(_) => return Err(Exc::value_error("number of bits must be non-negative")),
        other => {
            return Err(Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(other)
            )))
        }
    };
    let r = rng(vm).getrandbits(k).map_err(raise)?;
    Ok(Value::from_bigint(r))
}

/// The items of a sequence argument (`choice`, `sample`, `choices`).
fn sequence(vm: &mut Vm, v: &Value, func: &str) -> PResult<Vec<Value>> {
    match v {
        Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Range(_) | Value::Bytes(_) => {
            vm.collect(v)
        }
        Value::Set(_) | Value::Dict(_) if func == "sample" => Err(Exc::type_error(
            "Population must be a sequence.  For dicts or sets, use sorted(d).",
        )),
        other => {
            let cls = vm.class_of(other);
            if cls.lookup_str("__getitem__").is_some() && cls.lookup_str("__len__").is_some() {
                let n = vm.len(other)?;
                let mut res = Vec::with_capacity(n);
                for i in 0..n {
                    res.push(vm.get_item(other, &Value::Int(i as i64))?);
                }
                return Ok(res);
            }
            Err(Exc::type_error(format!(
                "object of type '{}' has no len()",
                cls.name()
            )))
        }
    }
}

fn choice(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("choice", &args, 0, 1, 1)?;
    let v = arg(&args, 0)?;
    if let Value::Range(r) = v {
        let n = usize::try_from(r.len())
            .map_err(|_| Exc::overflow("Python int too large to convert to C ssize_t"))?;
        let idx = rng(vm).choice_index(n).map_err(raise)?;
        return Ok(crate::vm::object::misc::int_value(r.item(idx as i128)));
    }
    let items = sequence(vm, v, "choice")?;
    let idx = rng(vm).choice_index(items.len()).map_err(raise)?;
    Ok(items.get(idx).cloned().unwrap_or(Value::None))
}

fn shuffle(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("shuffle", &args, 0, 1, 1)?;
    let Value::List(list) = arg(&args, 0)? else {
        let v = arg(&args, 0)?;
        return Err(Exc::type_error(format!(
            "'{}' object does not support item assignment",
            vm.type_name(v)
        )));
    };
    let n = list.len();
    let swaps = rng(vm).shuffle_swaps(n);
    let mut items = list.items.borrow_mut();
    for (i, j) in swaps {
        if i < items.len() && j < items.len() {
            items.swap(i, j);
        }
    }
    Ok(Value::None)
}

fn sample(vm: &mut Vm, args: Args) -> PResult<Value> {
    let population = args.pos.first().ok_or_else(|| {
        Exc::type_error("sample() missing 1 required positional argument: 'population'")
    })?;
    let k =
        args.pos.get(1).or_else(|| args.kw("k")).ok_or_else(|| {
            Exc::type_error("sample() missing 1 required positional argument: 'k'")
        })?;
    let k = match k {
        Value::Int(k) => *k,
        other => {
            return Err(Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(other)
            )))
        }
    };
    if let Value::Range(r) = population {
        let indices = rng(vm)
            .sample_indices(usize::try_from(r.len()).unwrap_or(usize::MAX), k)
            .map_err(raise)?;
        return Ok(Value::list(
            indices
                .into_iter()
                .map(|i| crate::vm::object::misc::int_value(r.item(i as i128)))
                .collect(),
        ));
    }
    let items = sequence(vm, population, "sample")?;
    let indices = rng(vm).sample_indices(items.len(), k).map_err(raise)?;
    Ok(Value::list(
        indices
            .into_iter()
            .filter_map(|i| items.get(i).cloned())
            .collect(),
    ))
}

fn choices(vm: &mut Vm, args: Args) -> PResult<Value> {
    let population = args.pos.first().ok_or_else(|| {
        Exc::type_error("choices() missing 1 required positional argument: 'population'")
    })?;
    let items = sequence(vm, population, "choices")?;
    let k = match args.kw("k") {
        Some(Value::Int(k)) => (*k).max(0) as usize,
        Some(other) => {
            return Err(Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(other)
            )))
        }
        None => 1,
    };
    let weights = args
        .pos
        .get(1)
        .or_else(|| args.kw("weights"))
        .filter(|w| !w.is_none())
        .cloned();
    let cum = args.kw("cum_weights").filter(|w| !w.is_none()).cloned();
    let indices = match (weights, cum) {
        (None, None) => rng(vm).choices_indices(items.len(), k),
        (Some(_), Some(_)) => {
            return Err(Exc::type_error(
                "Cannot specify both weights and cumulative weights",
            ))
        }
        (Some(w), None) => {
            let mut acc = 0.0;
            let mut cum = Vec::new();
            for x in vm.collect(&w)? {
                acc += float_arg(vm, &x)?;
                cum.push(acc);
            }
            rng(vm)
                .choices_weighted(items.len(), &cum, k)
                .map_err(raise)?
        }
        (None, Some(c)) => {
            let mut cum = Vec::new();
            for x in vm.collect(&c)? {
                cum.push(float_arg(vm, &x)?);
            }
            rng(vm)
                .choices_weighted(items.len(), &cum, k)
                .map_err(raise)?
        }
    };
    Ok(Value::list(
        indices
            .into_iter()
            .filter_map(|i| items.get(i).cloned())
            .collect(),
    ))
}
