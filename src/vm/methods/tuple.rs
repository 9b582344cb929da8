//! Methods of `tuple` and `bytes` (constructors, `index`, `count`, `decode`).

use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::object::Bytes;
use crate::vm::value::Value;
use std::rc::Rc;

pub fn register(vm: &mut Vm) {
    add_methods(
        &vm.types.tuple,
        "tuple",
        &[("__new__", tuple_new), ("index", index), ("count", count)],
    );
    add_methods(
        &vm.types.bytes,
        "bytes",
        &[("__new__", bytes_new), ("decode", decode)],
    );
}

fn tuple_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("tuple", &args, 1, 0, 1)?;
    match args.pos.get(1) {
        Some(v @ Value::Tuple(_)) => Ok(v.clone()),
        Some(v) => {
            let items = vm.collect(v)?;
            Ok(Value::tuple(items))
        }
        None => Ok(Value::tuple(Vec::new())),
    }
}

fn items_of(vm: &Vm, args: &Args, method: &str) -> PResult<Vec<Value>> {
    match args.pos.first() {
        Some(Value::Tuple(t)) => Ok(t.items.to_vec()),
        Some(other) => Err(crate::vm::methods::wrong_self(vm, "tuple", method, other)),
        None => Err(Exc::type_error("unbound method")),
    }
}

fn index(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("index", &args, 1, 1, 3)?;
    let items = items_of(vm, &args, "index")?;
    let v = arg(&args, 1)?;
    let len = items.len() as i64;
    let norm = |i: i64| {
        if i < 0 {
            (i + len).max(0) as usize
        } else {
            i as usize
        }
    };
    let start = match args.pos.get(2) {
        Some(s) => norm(vm.index_value(s, "slice indices must be integers")?),
        None => 0,
    };
    let end = match args.pos.get(3) {
        Some(e) => norm(vm.index_value(e, "slice indices must be integers")?),
        None => items.len(),
    };
    for (idx, item) in items.iter().enumerate().take(end).skip(start) {
        if vm.eq(item, v)? {
            return Ok(Value::Int(idx as i64));
        }
    }
    Err(Exc::value_error("tuple.index(x): x not in tuple"))
}

fn count(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("count", &args, 1, 1, 1)?;
    let items = items_of(vm, &args, "count")?;
    let v = arg(&args, 1)?;
    let mut n = 0;
    for item in &items {
        if vm.eq(item, v)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn bytes_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    let data = match args.pos.get(1) {
        None => Vec::new(),
        Some(Value::Str(s)) => {
            if args.pos.len() < 3 && args.kw("encoding").is_none() {
                return Err(Exc::type_error("string argument without an encoding"));
            }
            s.as_str().as_bytes().to_vec()
        }
        Some(Value::Int(n)) => {
            if *n < 0 {
                return Err(Exc::value_error("negative count"));
            }
            if *n as u64 > crate::vm::ops::MAX_SEQ_LEN as u64 {
                return Err(Exc::memory());
            }
            vec![0; *n as usize]
        }
        Some(Value::Bytes(b)) => b.data.to_vec(),
        Some(v) => {
            let mut out = Vec::new();
            for item in vm.collect(v)? {
                match item {
                    Value::Int(i) if (0..256).contains(&i) => out.push(i as u8),
                    Value::Int(_) => {
                        return Err(Exc::value_error("bytes must be in range(0, 256)"))
                    }
                    other => {
                        return Err(Exc::type_error(format!(
                            "'{}' object cannot be interpreted as an integer",
                            vm.type_name(&other)
                        )))
                    }
                }
            }
            out
        }
    };
    Ok(Value::Bytes(Rc::new(Bytes::new(data))))
}

fn decode(_vm: &mut Vm, args: Args) -> PResult<Value> {
    match args.pos.first() {
        Some(Value::Bytes(b)) => {
            match String::from_utf8(b.data.to_vec()) {
                Ok(s) => Ok(Value::string(s)),
                Err(e) => Err(Exc::new(
                    crate::vm::exception::ExcKind::UnicodeError,
                    format!(
                    "'utf-8' codec can't decode byte 0x{:02x} in position {}: invalid start byte",
                    b.data.get(e.utf8_error().valid_up_to()).copied().unwrap_or(0),
                    e.utf8_error().valid_up_to()
                ),
                )),
            }
        }
        _ => Err(Exc::type_error(
            "descriptor 'decode' requires a 'bytes' object",
        )),
    }
}
