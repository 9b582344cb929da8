//! The builtins namespace: `print`, `len`, `range`, `sorted`, `isinstance`, ... and the
//! built-in types and exception classes under their names. The arithmetic ones (`abs`,
//! `round`, `divmod`, `pow`, `bin`/`hex`/`oct`) are in `builtins/numbers.rs`.

mod numbers;
use numbers::{abs, bin, divmod, hex, oct, pow, round};

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::methods::list::{sort_options, sort_with};
use crate::vm::methods::{arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::object::iter::{Iter, IterKind, IterState};
use crate::vm::value::{Value, B64};
use crate::vm::Vm;
use num_traits::ToPrimitive;
use std::rc::Rc;

pub fn register(vm: &mut Vm) {
    let b = vm.builtins.clone();
    for (name, cls) in vm.types.builtin_names() {
        b.set_item_str(name, Value::Class(cls));
    }
    let table: &[(&'static str, crate::vm::object::function::NativeFn)] = &[
        ("print", print),
        ("input", input),
        ("len", len),
        ("repr", repr),
        ("ascii", ascii),
        ("enumerate", enumerate),
        ("zip", zip),
        ("map", map),
        ("filter", filter),
        ("reversed", reversed),
        ("sorted", sorted),
        ("sum", sum),
        ("min", min),
        ("max", max),
        ("abs", abs),
        ("round", round),
        ("divmod", divmod),
        ("pow", pow),
        ("isinstance", isinstance),
        ("issubclass", issubclass),
        ("id", id),
        ("hash", hash),
        ("chr", chr),
        ("ord", ord),
        ("bin", bin),
        ("hex", hex),
        ("oct", oct),
        ("any", any),
        ("all", all),
        ("iter", iter),
        ("next", next),
        ("callable", callable),
        ("getattr", getattr),
        ("setattr", setattr),
        ("hasattr", hasattr),
        ("delattr", delattr),
        ("format", format),
        ("exit", exit),
        ("quit", exit),
        ("vars", vars),
        ("dir", dir),
        ("aiter", aiter),
        ("anext", anext),
    ];
    crate::vm::methods::add_functions(&b, table);
    b.set_item_str("None", Value::None);
    b.set_item_str("True", Value::Bool(B64::TRUE));
    b.set_item_str("False", Value::Bool(B64::FALSE));
    b.set_item_str("NotImplemented", Value::NotImplemented);
    b.set_item_str("Ellipsis", Value::Ellipsis);
    b.set_item_str("__name__", Value::str("builtins"));
}

fn print(vm: &mut Vm, args: Args) -> PResult<Value> {
    let mut sep = " ".to_owned();
    let mut end = "\n".to_owned();
    let mut file = Value::None;
    let mut flush = false;
    for (k, v) in args.kwnames.iter().zip(args.kwvals.iter()) {
        match (k.as_str(), v) {
            ("sep", Value::None) | ("end", Value::None) => {}
            ("flush", v) => flush = vm.truthy(v)?,
            ("sep", Value::Str(s)) => sep = s.as_str().to_owned(),
            ("end", Value::Str(s)) => end = s.as_str().to_owned(),
            ("sep" | "end", other) => {
                return Err(Exc::type_error(format!(
                    "{} must be None or a string, not {}",
                    k.as_str(),
                    vm.type_name(other)
                )))
            }
            ("file", v) => file = v.clone(),
            (name, _) => {
                return Err(Exc::type_error(format!(
                    "'{name}' is an invalid keyword argument for print()"
                )))
            }
        }
    }
    let mut text = String::new();
    for (idx, v) in args.pos.iter().enumerate() {
        if idx > 0 {
            text.push_str(&sep);
        }
        match v {
            Value::Str(s) => text.push_str(s.as_str()),
            other => text.push_str(&vm.to_str(other)?),
        }
    }
    text.push_str(&end);
    crate::stdlib::sys::write_to(vm, &file, &text)?;
    if flush && file.is_none() {
        vm.flush_out();
    }
    Ok(Value::None)
}

fn input(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("input", &args, 0, 0, 1)?;
    if let Some(prompt) = args.pos.first() {
        let text = vm.to_str(prompt)?;
        vm.write_out(&text);
    }
    vm.flush_out();
    if vm.can_switch() && !vm.options.quiet {
        // In a green thread: the thread waits for the line, the loop runs on (`vm::green`).
        vm.request_switch(Value::str("input"));
        return Ok(Value::None);
    }
    let mut line = String::new();
    let read = if vm.options.quiet {
        Ok(0)
    } else {
        std::io::stdin().read_line(&mut line)
    };
    match read {
        Ok(_) => crate::stdlib::asyncio::input_result(line),
        Err(e) => Err(Exc::new(ExcKind::OSError, e.to_string())),
    }
}

fn len(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("len", &args, 0, 1, 1)?;
    Ok(Value::Int(vm.len(arg(&args, 0)?)? as i64))
}

fn repr(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("repr", &args, 0, 1, 1)?;
    Ok(Value::string(vm.repr(arg(&args, 0)?)?))
}

fn ascii(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("ascii", &args, 0, 1, 1)?;
    let r = vm.repr(arg(&args, 0)?)?;
    Ok(Value::string(crate::vm::format::ascii_of(&r)))
}

fn enumerate(vm: &mut Vm, args: Args) -> PResult<Value> {
    let iterable = args
        .pos
        .first()
        .or_else(|| args.kw("iterable"))
        .ok_or_else(|| Exc::type_error("enumerate() missing required argument 'iterable'"))?;
    let start = match args.pos.get(1).or_else(|| args.kw("start")) {
        Some(Value::Int(i)) => *i,
        Some(Value::Bool(b)) => b.get() as i64,
        Some(other) => {
            return Err(Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(other)
            )))
        }
        None => 0,
    };
    let it = vm.iter(iterable)?;
    Ok(Iter::new_value(
        IterState::Enumerate {
            iter: it,
            count: start,
        },
        IterKind::Enumerate,
    ))
}

fn zip(vm: &mut Vm, args: Args) -> PResult<Value> {
    let strict = match args.kw("strict") {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    let mut iters = Vec::with_capacity(args.pos.len());
    for v in args.pos {
        iters.push(vm.iter(v)?);
    }
    Ok(Iter::new_value(
        IterState::Zip {
            iters: iters.into(),
            strict,
        },
        IterKind::Zip,
    ))
}

fn map(vm: &mut Vm, args: Args) -> PResult<Value> {
    if args.pos.len() < 2 {
        return Err(Exc::type_error("map() must have at least two arguments."));
    }
    let func = arg(&args, 0)?.clone();
    let mut iters = Vec::new();
    for v in args.pos.get(1..).unwrap_or(&[]) {
        iters.push(vm.iter(v)?);
    }
    Ok(Iter::new_value(
        IterState::Map {
            func: Box::new(func),
            iters: iters.into(),
        },
        IterKind::Map,
    ))
}

fn filter(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("filter", &args, 0, 2, 2)?;
    let it = vm.iter(arg(&args, 1)?)?;
    Ok(Iter::new_value(
        IterState::Filter {
            func: Box::new(arg(&args, 0)?.clone()),
            iter: it,
        },
        IterKind::Filter,
    ))
}

fn reversed(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("reversed", &args, 0, 1, 1)?;
    let v = arg(&args, 0)?;
    let (seq, name) = match v {
        Value::List(_) => (v.clone(), IterKind::ListReverse),
        Value::Tuple(_) | Value::Str(_) | Value::Bytes(_) => (v.clone(), IterKind::Reversed),
        Value::Range(r) => {
            let n = r.len();
            let (start, step) = (r.item(n - 1), -r.step);
            let state = IterState::range(start, n, step);
            return Ok(Iter::new_value(state, IterKind::Range));
        }
        Value::Dict(_) | Value::DictView(_) => {
            (Value::list(vm.collect(v)?), IterKind::DictReverseKey)
        }
        Value::Instance(inst) => {
            let cls = inst.class.clone();
            if let Some(f) = cls.lookup_str("__reversed__") {
                return vm.call(&f, std::slice::from_ref(v));
            }
            if cls.lookup_str("__getitem__").is_some() && cls.lookup_str("__len__").is_some() {
                let n = vm.len(v)?;
                let mut items = Vec::with_capacity(n);
                for i in 0..n {
                    items.push(vm.get_item(v, &Value::Int(i as i64))?);
                }
                (Value::list(items), IterKind::Reversed)
            } else {
                return Err(Exc::type_error(format!(
                    "'{}' object is not reversible",
                    cls.name()
                )));
            }
        }
        other => {
            return Err(Exc::type_error(format!(
                "'{}' object is not reversible",
                vm.type_name(other)
            )))
        }
    };
    // A string's index is a byte offset, as in a forward string iterator.
    let n = match &seq {
        Value::Str(s) => s.as_str().len(),
        _ => vm.len(&seq)?,
    };
    Ok(Iter::new_value(IterState::Reversed { seq, idx: n }, name))
}

fn sorted(vm: &mut Vm, args: Args) -> PResult<Value> {
    if args.pos.len() != 1 {
        return Err(Exc::type_error(format!(
            "sorted expected 1 argument, got {}",
            args.pos.len()
        )));
    }
    let (key, reverse) = sort_options(vm, &args, "sort")?;
    let items = vm.collect(arg(&args, 0)?)?;
    Ok(Value::list(sort_with(vm, items, key, reverse)?))
}

fn sum(vm: &mut Vm, args: Args) -> PResult<Value> {
    if args.pos.is_empty() || args.pos.len() > 2 {
        return Err(Exc::type_error(format!(
            "sum() takes at most 2 arguments ({} given)",
            args.pos.len()
        )));
    }
    let mut acc = args
        .pos
        .get(1)
        .or_else(|| args.kw("start"))
        .cloned()
        .unwrap_or(Value::Int(0));
    if matches!(acc, Value::Str(_)) {
        return Err(Exc::type_error(
            "sum() can't sum strings [use ''.join(seq) instead]",
        ));
    }
    let it = vm.iter(arg(&args, 0)?)?;
    while let Some(item) = vm.next(&it)? {
        acc = match (&acc, &item) {
            (Value::Int(a), Value::Int(b)) => match a.checked_add(*b) {
                Some(s) => Value::Int(s),
                None => vm.binary(crate::syntax::ast::BinOp::Add, &acc, &item)?,
            },
            (Value::Float(a), Value::Float(b)) => Value::float(a.get() + b.get()),
            _ => vm.binary(crate::syntax::ast::BinOp::Add, &acc, &item)?,
        };
    }
    Ok(acc)
}

fn min_max(vm: &mut Vm, args: Args, name: &str, want_max: bool) -> PResult<Value> {
    let key = args.kw("key").filter(|k| !k.is_none()).cloned();
    let default = args.kw("default").cloned();
    for k in args.kwnames {
        if !matches!(k.as_str(), "key" | "default") {
            return Err(Exc::type_error(format!(
                "'{}' is an invalid keyword argument for {name}()",
                k.as_str()
            )));
        }
    }
    let items = match args.pos {
        [] => {
            return Err(Exc::type_error(format!(
                "{name} expected at least 1 argument, got 0"
            )))
        }
        [one] => vm.collect(one)?,
        many => {
            if default.is_some() {
                return Err(Exc::type_error(format!(
                    "Cannot specify a default for {name}() with multiple positional arguments"
                )));
            }
            many.to_vec()
        }
    };
    let mut best: Option<(Value, Value)> = None;
    for item in items {
        let k = match &key {
            Some(f) => vm.call(f, std::slice::from_ref(&item))?,
            None => item.clone(),
        };
        let replace = match &best {
            None => true,
            Some((bk, _)) => {
                if want_max {
                    vm.gt(&k, bk)?
                } else {
                    vm.lt(&k, bk)?
                }
            }
        };
        if replace {
            best = Some((k, item));
        }
    }
    match (best, default) {
        (Some((_, v)), _) => Ok(v),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(Exc::value_error(format!(
            "{name}() arg is an empty sequence"
        ))),
    }
}

fn min(vm: &mut Vm, args: Args) -> PResult<Value> {
    min_max(vm, args, "min", false)
}

fn max(vm: &mut Vm, args: Args) -> PResult<Value> {
    min_max(vm, args, "max", true)
}

/// `isinstance(v, spec)` where spec is a class or a (nested) tuple of classes.
pub fn instance_of(vm: &mut Vm, v: &Value, spec: &Value) -> PResult<bool> {
    match spec {
        Value::Class(c) => Ok(vm.class_of(v).is_subclass(c)),
        Value::Tuple(t) => {
            for item in t.items.iter() {
                if instance_of(vm, v, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        other => match vm.union_args(other) {
            Some(members) => instance_of(vm, v, &Value::tuple(members)),
            None => Err(Exc::type_error(
                "isinstance() arg 2 must be a type, a tuple of types, or a union",
            )),
        },
    }
}

fn isinstance(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("isinstance", &args, 0, 2, 2)?;
    Ok(Value::bool(instance_of(
        vm,
        arg(&args, 0)?,
        arg(&args, 1)?,
    )?))
}

fn subclass_of(cls: &Value, spec: &Value) -> PResult<bool> {
    let Value::Class(c) = cls else {
        return Err(Exc::type_error("issubclass() arg 1 must be a class"));
    };
    match spec {
        Value::Class(s) => Ok(c.is_subclass(s)),
        Value::Tuple(t) => {
            for item in t.items.iter() {
                if subclass_of(cls, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(Exc::type_error(
            "issubclass() arg 2 must be a class, a tuple of classes, or a union",
        )),
    }
}

fn issubclass(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("issubclass", &args, 0, 2, 2)?;
    Ok(Value::bool(subclass_of(arg(&args, 0)?, arg(&args, 1)?)?))
}

fn id(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("id", &args, 0, 1, 1)?;
    Ok(Value::Int(arg(&args, 0)?.id()))
}

fn hash(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("hash", &args, 0, 1, 1)?;
    Ok(Value::Int(vm.hash(arg(&args, 0)?)?))
}

fn chr(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("chr", &args, 0, 1, 1)?;
    let v = arg(&args, 0)?;
    let msg = format!(
        "'{}' object cannot be interpreted as an integer",
        vm.type_name(v)
    );
    let i = vm.index_value(v, &msg)?;
    match u32::try_from(i).ok().and_then(char::from_u32) {
        Some(c) => Ok(Value::string(c.to_string())),
        None => Err(Exc::value_error("chr() arg not in range(0x110000)")),
    }
}

fn ord(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("ord", &args, 0, 1, 1)?;
    match arg(&args, 0)? {
        Value::Str(s) if s.char_len() == 1 => Ok(Value::Int(
            s.as_str().chars().next().map_or(0, |c| c as i64),
        )),
        Value::Str(s) => Err(Exc::type_error(format!(
            "ord() expected a character, but string of length {} found",
            s.char_len()
        ))),
        Value::Bytes(b) if b.data.len() == 1 => Ok(Value::Int(b.data[0] as i64)),
        other => Err(Exc::type_error(format!(
            "ord() expected string of length 1, but {} found",
            vm.type_name(other)
        ))),
    }
}

fn any(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("any", &args, 0, 1, 1)?;
    let it = vm.iter(arg(&args, 0)?)?;
    while let Some(v) = vm.next(&it)? {
        if vm.truthy(&v)? {
            return Ok(Value::Bool(B64::TRUE));
        }
    }
    Ok(Value::Bool(B64::FALSE))
}

fn all(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("all", &args, 0, 1, 1)?;
    let it = vm.iter(arg(&args, 0)?)?;
    while let Some(v) = vm.next(&it)? {
        if !vm.truthy(&v)? {
            return Ok(Value::Bool(B64::FALSE));
        }
    }
    Ok(Value::Bool(B64::TRUE))
}

fn iter(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("iter", &args, 0, 1, 2)?;
    if let Some(sentinel) = args.pos.get(1) {
        let func = arg(&args, 0)?.clone();
        return Ok(Iter::new_value(
            IterState::Callable {
                func: Box::new(func),
                sentinel: sentinel.clone(),
            },
            IterKind::Callable,
        ));
    }
    vm.iter(arg(&args, 0)?)
}

fn next(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("next", &args, 0, 1, 2)?;
    let it = arg(&args, 0)?;
    // Of the generator kinds only a plain generator is an iterator (not a coroutine or an
    // async generator).
    let native = match it {
        Value::Iter(_) => true,
        Value::Generator(g) => g.kind == crate::compile::code::CodeKind::Generator,
        _ => false,
    };
    if !native && vm.class_of(it).lookup_str("__next__").is_none() {
        return Err(Exc::type_error(format!(
            "'{}' object is not an iterator",
            vm.type_name(it)
        )));
    }
    let keeps_return = match it {
        Value::Generator(_) => true,
        Value::Iter(i) => matches!(
            &*i.state.borrow(),
            crate::vm::object::iter::IterState::NativeAwait { .. }
                | crate::vm::object::iter::IterState::CoroWrapper { .. }
        ),
        _ => false,
    };
    if keeps_return {
        // Keep the generator's (or native awaitable's) return value in the StopIteration.
        if args.pos.get(1).is_none() {
            return match vm.send_into(it, Value::None)? {
                crate::vm::resume::GenResult::Yield(v) => Ok(v),
                crate::vm::resume::GenResult::Return(v) => {
                    let a = if v.is_none() { Vec::new() } else { vec![v] };
                    Err(Exc::value(vm.new_exception(ExcKind::StopIteration, a)))
                }
            };
        }
    }
    match vm.next(it)? {
        Some(v) => Ok(v),
        None => match args.pos.get(1) {
            Some(d) => Ok(d.clone()),
            None => Err(Exc::stop_iteration()),
        },
    }
}

fn callable(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("callable", &args, 0, 1, 1)?;
    let v = arg(&args, 0)?;
    Ok(Value::Bool(match v {
        Value::Function(_) | Value::Native(_) | Value::Method(_) | Value::Class(_) => {
            B64::new(true)
        }
        Value::Instance(inst) => B64::new(inst.class.lookup_str("__call__").is_some()),
        _ => {
            let _ = vm;
            B64::new(false)
        }
    }))
}

fn name_arg(vm: &Vm, v: &Value, func: &str) -> PResult<Rc<crate::vm::object::str::PyStr>> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => Err(Exc::type_error(format!(
            "{func}(): attribute name must be string, not '{}'",
            vm.type_name(other)
        ))),
    }
}

fn getattr(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("getattr", &args, 0, 2, 3)?;
    let name = name_arg(vm, arg(&args, 1)?, "getattr")?;
    match vm.get_attr(arg(&args, 0)?, &name) {
        Ok(v) => Ok(v),
        Err(e) if args.pos.len() == 3 && vm.exc_matches(&e, ExcKind::AttributeError) => {
            Ok(arg(&args, 2)?.clone())
        }
        Err(e) => Err(e),
    }
}

fn setattr(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("setattr", &args, 0, 3, 3)?;
    let name = name_arg(vm, arg(&args, 1)?, "setattr")?;
    vm.set_attr(arg(&args, 0)?, &name, arg(&args, 2)?.clone())?;
    Ok(Value::None)
}

fn hasattr(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("hasattr", &args, 0, 2, 2)?;
    let name = name_arg(vm, arg(&args, 1)?, "hasattr")?;
    match vm.get_attr(arg(&args, 0)?, &name) {
        Ok(_) => Ok(Value::Bool(B64::TRUE)),
        Err(e) if vm.exc_matches(&e, ExcKind::AttributeError) => Ok(Value::Bool(B64::FALSE)),
        Err(e) => Err(e),
    }
}

fn delattr(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("delattr", &args, 0, 2, 2)?;
    let name = name_arg(vm, arg(&args, 1)?, "delattr")?;
    vm.del_attr(arg(&args, 0)?, &name)?;
    Ok(Value::None)
}

fn format(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("format", &args, 0, 1, 2)?;
    let spec = match args.pos.get(1) {
        Some(Value::Str(s)) => s.as_str().to_owned(),
        Some(other) => {
            return Err(Exc::type_error(format!(
                "format() argument 2 must be str, not {}",
                vm.type_name(other)
            )))
        }
        None => String::new(),
    };
    Ok(Value::string(vm.format_spec(arg(&args, 0)?, &spec)?))
}

fn exit(vm: &mut Vm, args: Args) -> PResult<Value> {
    let a: Vec<Value> = args.pos.first().cloned().into_iter().collect();
    Err(Exc::value(vm.new_exception(ExcKind::SystemExit, a)))
}

fn vars(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("vars", &args, 0, 1, 1)?;
    vm.get_attr_str(arg(&args, 0)?, "__dict__")
        .map_err(|_| Exc::type_error("vars() argument must have __dict__ attribute"))
}

fn dir(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("dir", &args, 0, 1, 1)?;
    let v = arg(&args, 0)?;
    let mut names: Vec<String> = Vec::new();
    let mut add_keys = |keys: Vec<Value>| {
        for k in keys {
            if let Value::Str(s) = k {
                names.push(s.as_str().to_owned());
            }
        }
    };
    match v {
        Value::Instance(inst) => {
            add_keys(inst.dict_keys());
            for c in inst.class.mro_iter() {
                add_keys(c.dict.keys());
            }
        }
        Value::Class(c) => {
            for c in c.mro_iter() {
                add_keys(c.dict.keys());
            }
        }
        Value::Module(m) => add_keys(m.dict.keys()),
        other => {
            for c in vm.class_of(other).mro_iter() {
                add_keys(c.dict.keys());
            }
        }
    }
    names.sort();
    names.dedup();
    Ok(Value::list(names.into_iter().map(Value::string).collect()))
}

fn aiter(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("aiter", &args, 0, 1, 1)?;
    let obj = arg(&args, 0)?;
    if vm.class_of(obj).lookup_special("__aiter__").is_none() {
        return Err(Exc::type_error(format!(
            "'{}' object is not an async iterable",
            vm.type_name(obj)
        )));
    }
    vm.call_method(obj, "__aiter__", &[])
}

fn anext(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("anext", &args, 0, 1, 2)?;
    let awaitable = vm.call_method(arg(&args, 0)?, "__anext__", &[])?;
    let Some(default) = args.pos.get(1) else {
        return Ok(awaitable);
    };
    // With a default, the awaitable must turn StopAsyncIteration into that default: a small
    // coroutine in the asyncio library (written in apy) does exactly that.
    let asyncio = vm.import("asyncio")?;
    let wrap = vm.get_attr_str(&asyncio, "_anext_with_default")?;
    vm.call(&wrap, &[awaitable, default.clone()])
}

/// Used by `math` and `round`: an int-like value as i64 if it fits.
pub fn small_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(b.get() as i64),
        Value::BigInt(b) => b.to_i64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::syntax::span::Source;
    use crate::vm::VmOptions;

    /// Development aid: `APY_VM_FILE=prog.py cargo test --lib run_file_from_env -- --nocapture`
    /// runs one program through parser, compiler and VM, printing a CPython-style traceback.
    #[test]
    fn run_file_from_env() {
        let Ok(path) = std::env::var("APY_VM_FILE") else {
            return;
        };
        crate::vm::run_on_big_stack(move || run_file(path));
    }

    fn run_file(path: String) {
        println!();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let source = Source::new(path.clone(), text);
        let module = match crate::syntax::parser::parse_module(&source) {
            Ok(m) => m,
            Err(diags) => {
                for d in diags {
                    println!("{}: {}", d.kind, d.message);
                }
                return;
            }
        };
        let code = match crate::compile::codegen::compile_module(&module, &source, false) {
            Ok(c) => c,
            Err(diags) => {
                for d in diags {
                    println!("{}: {}", d.kind, d.message);
                }
                return;
            }
        };
        let outcome = crate::stdlib::run_main(
            code,
            VmOptions {
                argv: vec![path],
                virtual_time: true,
                script_dir: None,
                quiet: false,
                budget: None,
            },
        );
        if let Some(tb) = outcome.uncaught {
            for (idx, (report, link)) in tb.chain.iter().enumerate() {
                let _ = idx;
                eprintln!("Traceback (most recent call last):");
                for f in &report.frames {
                    let line = f.source.line_of(f.span.start);
                    eprintln!(
                        "  File \"{}\", line {}, in {}",
                        f.source.name, line, f.function
                    );
                    eprintln!("    {}", f.source.line_text(line).trim());
                }
                eprintln!("{}", report.summary);
                if let Some(link) = link {
                    eprintln!("\n{}\n", link.sentence());
                }
            }
        }
        eprintln!("[exit {}]", outcome.exit_code);
    }

    /// Runs a program through the whole pipeline and returns its stdout.
    fn run_source(text: &str) -> String {
        let source = Source::new("t.apy", text);
        let Ok(module) = crate::syntax::parser::parse_module(&source) else {
            return "<syntax error>".to_owned();
        };
        let Ok(code) = crate::compile::codegen::compile_module(&module, &source, false) else {
            return "<compile error>".to_owned();
        };
        let mut vm = crate::stdlib::new_vm(VmOptions::default());
        let globals = vm.main_globals();
        let res = vm.run_code(code, globals);
        let mut out = String::from_utf8_lossy(&vm.out).into_owned();
        if let Err(e) = res {
            let v = vm.exc_value(e);
            out.push_str(&vm.exception_summary(&v));
        }
        out
    }

    #[test]
    fn collector_keeps_cyclic_garbage_bounded() {
        let out = run_source(
            "class Node:\n    def __init__(self):\n        self.me = self\nfor i in range(300000):\n    a = []\n    a.append(a)\n    n = Node()\nprint('done')\n",
        );
        assert_eq!(out, "done\n");
        assert!(
            crate::vm::gc::tracked_count() < 60_000,
            "{}",
            crate::vm::gc::tracked_count()
        );
    }

    #[test]
    fn deep_structures_drop_without_overflow() {
        let out = run_source("l = []\nfor i in range(200000):\n    l = [l]\nl = None\nd = {}\nfor i in range(200000):\n    d = {'d': d}\nprint('ok')\n");
        assert_eq!(out, "ok\n");
    }

    #[test]
    fn programs_match_cpython_output() {
        let cases = [
            ("print({3, 1, 2}, {10: 'a', 2: 'b'}, [1.5, -0.0, 1e16], (1,))", "{1, 2, 3} {10: 'a', 2: 'b'} [1.5, -0.0, 1e+16] (1,)\n"),
            ("x = [1]\nx.append(x)\nprint(x)", "[1, [...]]\n"),
            ("def f(a, b=2, *c, d, **e): return a, b, c, d, e\nprint(f(1, d=4, z=5))", "(1, 2, (), 4, {'z': 5})\n"),
            ("def f(a, b): pass\nf(1)", "TypeError: f() missing 1 required positional argument: 'b'"),
            ("class E(ValueError):\n    def __init__(self, m):\n        super().__init__(m)\ntry:\n    raise E('bad')\nexcept ValueError as e:\n    print(repr(e), str(e), e.args)", "E('bad') bad ('bad',)\n"),
            ("print(7 // -2, -7 % 3, 2 ** -2, 10 / 4, 1 == 1.0, hash(1) == hash(1.0) == hash(True))", "-4 2 0.25 2.5 True True\n"),
            ("d = {}\nd['k']", "KeyError: 'k'"),
        ];
        for (src, want) in cases {
            assert_eq!(run_source(src), want, "{src}");
        }
    }
}
