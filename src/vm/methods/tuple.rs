//! Methods of `tuple` and `bytes` (constructors, `index`, `count`, `decode`).

use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::object::Bytes;
use crate::vm::value::{Value, B64};
use std::rc::Rc;

pub fn register(vm: &mut Vm) {
    register_bytes(vm);
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

fn decode(vm: &mut Vm, args: Args) -> PResult<Value> {
    let Some(Value::Bytes(b)) = args.pos.first() else {
        return Err(Exc::type_error(
            "descriptor 'decode' requires a 'bytes' object",
        ));
    };
    let encoding = args
        .pos
        .get(1)
        .or_else(|| args.kw("encoding"))
        .and_then(|v| v.as_str())
        .unwrap_or("utf-8");
    let errors = args
        .pos
        .get(2)
        .or_else(|| args.kw("errors"))
        .and_then(|v| v.as_str())
        .unwrap_or("strict");
    let norm = encoding.to_ascii_lowercase().replace('_', "-");
    let _ = vm;
    match norm.as_str() {
        "latin-1" | "latin1" | "iso-8859-1" => {
            return Ok(Value::string(b.data.iter().map(|&c| c as char).collect()))
        }
        "ascii" | "utf-8" | "utf8" => {}
        _ => {
            return Err(Exc::new(
                crate::vm::exception::ExcKind::LookupError,
                format!("unknown encoding: {encoding}"),
            ))
        }
    }
    let ascii = norm == "ascii";
    let mut out = String::new();
    let mut rest: &[u8] = &b.data;
    let mut offset = 0;
    loop {
        let valid_len = match std::str::from_utf8(rest) {
            Ok(s) if !ascii || s.is_ascii() => {
                out.push_str(s);
                return Ok(Value::string(out));
            }
            Ok(s) => s.bytes().position(|c| c >= 0x80).unwrap_or(s.len()),
            Err(e) => e.valid_up_to(),
        };
        let valid_len = if ascii {
            rest[..valid_len]
                .iter()
                .position(|&c| c >= 0x80)
                .unwrap_or(valid_len)
        } else {
            valid_len
        };
        out.push_str(std::str::from_utf8(&rest[..valid_len]).unwrap_or(""));
        let bad = rest.get(valid_len).copied().unwrap_or(0);
        match errors {
            "ignore" => {}
            "replace" => out.push('\u{fffd}'),
            _ => {
                let (codec, reason) = if ascii {
                    ("ascii", "ordinal not in range(128)")
                } else {
                    ("utf-8", "invalid start byte")
                };
                return Err(Exc::new(
                    crate::vm::exception::ExcKind::UnicodeDecodeError,
                    format!(
                        "'{codec}' codec can't decode byte 0x{bad:02x} in position {}: {reason}",
                        offset + valid_len
                    ),
                ));
            }
        }
        offset += valid_len + 1;
        rest = rest.get(valid_len + 1..).unwrap_or(&[]);
    }
}

/// The methods of `bytes` beyond construction and decoding.
pub fn register_bytes(vm: &mut Vm) {
    add_methods(
        &vm.types.bytes,
        "bytes",
        &[
            ("upper", bytes_upper),
            ("lower", bytes_lower),
            ("split", bytes_split),
            ("join", bytes_join),
            ("hex", bytes_hex),
            ("startswith", bytes_startswith),
            ("endswith", bytes_endswith),
            ("find", bytes_find),
            ("count", bytes_count),
            ("replace", bytes_replace),
            ("strip", bytes_strip),
        ],
    );
    let fromhex = Value::Native(Rc::new(crate::vm::object::function::Native {
        name: "fromhex",
        func: bytes_fromhex,
        owner: Some("bytes"),
    }));
    vm.types.bytes.dict.set_item_str(
        "fromhex",
        Value::Wrapper(Rc::new(crate::vm::object::misc::Wrapper {
            gc: Default::default(),
            kind: crate::vm::object::misc::WrapperKind::ClassMethod,
            func: fromhex,
        })),
    );
}

fn data<'a>(vm: &Vm, v: &'a Value, what: &str) -> PResult<&'a [u8]> {
    match v {
        Value::Bytes(b) => Ok(&b.data),
        other => Err(Exc::type_error(format!(
            "{what}: a bytes-like object is required, not '{}'",
            vm.type_name(other)
        ))),
    }
}

fn new_bytes(data: Vec<u8>) -> Value {
    Value::Bytes(Rc::new(Bytes::new(data)))
}

fn bytes_upper(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(new_bytes(
        data(vm, arg(&args, 0)?, "upper")?.to_ascii_uppercase(),
    ))
}

fn bytes_lower(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(new_bytes(
        data(vm, arg(&args, 0)?, "lower")?.to_ascii_lowercase(),
    ))
}

fn bytes_split(vm: &mut Vm, args: Args) -> PResult<Value> {
    let me = data(vm, arg(&args, 0)?, "split")?;
    let parts: Vec<Value> = match args.pos.get(1) {
        Some(sep @ Value::Bytes(_)) => {
            let sep = data(vm, sep, "split")?;
            if sep.is_empty() {
                return Err(Exc::value_error("empty separator"));
            }
            let mut res = Vec::new();
            let mut start = 0;
            let mut i = 0;
            while i + sep.len() <= me.len() {
                if &me[i..i + sep.len()] == sep {
                    res.push(new_bytes(me[start..i].to_vec()));
                    i += sep.len();
                    start = i;
                } else {
                    i += 1;
                }
            }
            res.push(new_bytes(me[start..].to_vec()));
            res
        }
        _ => me
            .split(|b| b.is_ascii_whitespace())
            .filter(|p| !p.is_empty())
            .map(|p| new_bytes(p.to_vec()))
            .collect(),
    };
    Ok(Value::list(parts))
}

fn bytes_join(vm: &mut Vm, args: Args) -> PResult<Value> {
    let sep = data(vm, arg(&args, 0)?, "join")?.to_vec();
    let items = vm.collect(arg(&args, 1)?)?;
    let mut out = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        if idx > 0 {
            out.extend_from_slice(&sep);
        }
        match item {
            Value::Bytes(b) => out.extend_from_slice(&b.data),
            other => {
                return Err(Exc::type_error(format!(
                    "sequence item {idx}: expected a bytes-like object, {} found",
                    vm.type_name(other)
                )))
            }
        }
    }
    Ok(new_bytes(out))
}

fn bytes_hex(vm: &mut Vm, args: Args) -> PResult<Value> {
    let me = data(vm, arg(&args, 0)?, "hex")?;
    Ok(Value::string(
        me.iter().map(|b| format!("{b:02x}")).collect(),
    ))
}

fn bytes_fromhex(vm: &mut Vm, args: Args) -> PResult<Value> {
    let text = match args.pos.get(1) {
        Some(Value::Str(s)) => s.as_str().to_owned(),
        Some(other) => {
            return Err(Exc::type_error(format!(
                "fromhex() argument must be str, not {}",
                vm.type_name(other)
            )))
        }
        None => {
            return Err(Exc::type_error(
                "fromhex() takes exactly one argument (0 given)",
            ))
        }
    };
    let digits: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = Vec::new();
    for (idx, pair) in digits.chunks(2).enumerate() {
        let s: String = pair.iter().collect();
        match (pair.len(), u8::from_str_radix(&s, 16)) {
            (2, Ok(b)) => out.push(b),
            _ => {
                return Err(Exc::value_error(format!(
                    "non-hexadecimal number found in fromhex() arg at position {}",
                    idx * 2 + 1
                )))
            }
        }
    }
    Ok(new_bytes(out))
}

fn bytes_affix(vm: &mut Vm, args: &Args, prefix: bool) -> PResult<Value> {
    let me = data(vm, arg(args, 0)?, "startswith")?;
    let p = data(vm, arg(args, 1)?, "startswith")?;
    Ok(Value::Bool(if prefix {
        B64::new(me.starts_with(p))
    } else {
        B64::new(me.ends_with(p))
    }))
}

fn bytes_startswith(vm: &mut Vm, args: Args) -> PResult<Value> {
    bytes_affix(vm, &args, true)
}

fn bytes_endswith(vm: &mut Vm, args: Args) -> PResult<Value> {
    bytes_affix(vm, &args, false)
}

fn bytes_find(vm: &mut Vm, args: Args) -> PResult<Value> {
    let me = data(vm, arg(&args, 0)?, "find")?;
    let sub = data(vm, arg(&args, 1)?, "find")?;
    let pos = if sub.is_empty() {
        Some(0)
    } else {
        me.windows(sub.len()).position(|w| w == sub)
    };
    Ok(Value::Int(pos.map_or(-1, |p| p as i64)))
}

fn bytes_count(vm: &mut Vm, args: Args) -> PResult<Value> {
    let me = data(vm, arg(&args, 0)?, "count")?;
    let sub = data(vm, arg(&args, 1)?, "count")?;
    if sub.is_empty() {
        return Ok(Value::Int(me.len() as i64 + 1));
    }
    let mut n = 0;
    let mut i = 0;
    while i + sub.len() <= me.len() {
        if &me[i..i + sub.len()] == sub {
            n += 1;
            i += sub.len();
        } else {
            i += 1;
        }
    }
    Ok(Value::Int(n))
}

fn bytes_replace(vm: &mut Vm, args: Args) -> PResult<Value> {
    let me = data(vm, arg(&args, 0)?, "replace")?;
    let old = data(vm, arg(&args, 1)?, "replace")?;
    let new = data(vm, arg(&args, 2)?, "replace")?;
    if old.is_empty() {
        return Ok(new_bytes(me.to_vec()));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < me.len() {
        if me[i..].starts_with(old) {
            out.extend_from_slice(new);
            i += old.len();
        } else {
            out.push(me[i]);
            i += 1;
        }
    }
    Ok(new_bytes(out))
}

fn bytes_strip(vm: &mut Vm, args: Args) -> PResult<Value> {
    let me = data(vm, arg(&args, 0)?, "strip")?;
    let start = me
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(me.len());
    let end = me
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    Ok(new_bytes(me.get(start..end).unwrap_or(&[]).to_vec()))
}
