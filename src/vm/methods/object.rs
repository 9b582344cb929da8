//! Methods of `object` and `type`, and the constructors and methods of the small built-in
//! kinds: generators and coroutines, property, staticmethod, classmethod, super, range, slice.

use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::class::Instance;
use crate::vm::object::function::Args;
use crate::vm::object::misc::{Member, Property, Range, Wrapper, WrapperKind};
use crate::vm::object::str::PyStr;
use crate::vm::resume::GenResult;
use crate::vm::value::{Value, B64};
use std::rc::Rc;

pub fn register(vm: &mut Vm) {
    let t = &vm.types;
    add_methods(
        &t.object,
        "object",
        &[
            ("__new__", object_new),
            ("__init__", object_init),
            ("__repr__", object_repr),
            ("__str__", object_str),
            ("__eq__", object_eq),
            ("__ne__", object_ne),
            ("__hash__", object_hash),
            ("__setattr__", object_setattr),
            ("__getattribute__", object_getattribute),
            ("__delattr__", object_delattr),
            ("__format__", object_format),
            ("__init_subclass__", object_init_subclass),
        ],
    );
    add_methods(&t.type_, "type", &[("__new__", type_new)]);
    add_methods(
        &t.generator,
        "generator",
        &[
            ("send", gen_send),
            ("throw", gen_throw),
            ("close", gen_close),
            ("__next__", gen_next),
            ("__iter__", identity),
        ],
    );
    // A coroutine is not an iterator: `coro.__await__()` gives one (`coroutine_wrapper`).
    add_methods(
        &t.coroutine,
        "coroutine",
        &[
            ("send", gen_send),
            ("throw", gen_throw),
            ("close", gen_close),
            ("__await__", coro_await),
        ],
    );
    add_methods(
        &t.property,
        "property",
        &[
            ("__new__", property_new),
            ("getter", property_getter),
            ("setter", property_setter),
            ("deleter", property_deleter),
        ],
    );
    add_methods(
        &t.member_descriptor,
        "member_descriptor",
        &[
            ("__get__", member_get),
            ("__set__", member_set),
            ("__delete__", member_delete),
        ],
    );
    add_methods(
        &t.staticmethod,
        "staticmethod",
        &[("__new__", staticmethod_new)],
    );
    add_methods(
        &t.classmethod,
        "classmethod",
        &[("__new__", classmethod_new)],
    );
    add_methods(&t.super_, "super", &[("__new__", super_new)]);
    add_methods(
        &t.async_generator,
        "async_generator",
        &[
            ("__aiter__", identity),
            ("__anext__", agen_anext),
            ("asend", agen_asend),
            ("athrow", agen_athrow),
            ("aclose", agen_aclose),
        ],
    );
    add_methods(
        &t.range,
        "range",
        &[
            ("__new__", range_new),
            ("index", range_index),
            ("count", range_count),
        ],
    );
    add_methods(
        &t.slice,
        "slice",
        &[("__new__", slice_new), ("indices", slice_indices)],
    );
}

fn identity(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(arg(&args, 0)?.clone())
}

fn object_new(_vm: &mut Vm, args: Args) -> PResult<Value> {
    match args.pos.first() {
        Some(Value::Class(cls)) => Ok(Instance::new_value(cls.clone())),
        _ => Err(Exc::type_error("object.__new__(X): X is not a type object")),
    }
}

fn object_init(_vm: &mut Vm, _args: Args) -> PResult<Value> {
    Ok(Value::None)
}

/// `object.__init_subclass__`: the end of the chain of `super().__init_subclass__(**kw)`.
fn object_init_subclass(vm: &mut Vm, args: Args) -> PResult<Value> {
    if !args.kwnames.is_empty() {
        let name = match args.pos.first() {
            Some(Value::Class(c)) => c.qualname().as_str().to_owned(),
            Some(other) => vm.type_name(other).to_owned(),
            None => "object".to_owned(),
        };
        return Err(Exc::type_error(format!(
            "{name}.__init_subclass__() takes no keyword arguments"
        )));
    }
    Ok(Value::None)
}

fn object_repr(vm: &mut Vm, args: Args) -> PResult<Value> {
    let v = arg(&args, 0)?;
    if !matches!(v, Value::Instance(_)) {
        return Ok(Value::string(vm.repr(v)?));
    }
    let cls = vm.class_of(v);
    let module = cls.module();
    let name = if module == "builtins" {
        cls.qualname().as_str().to_owned()
    } else {
        format!("{module}.{}", cls.qualname().as_str())
    };
    Ok(Value::string(format!(
        "<{name} object at {}>",
        crate::vm::repr::addr(v)
    )))
}

fn object_str(vm: &mut Vm, args: Args) -> PResult<Value> {
    let v = arg(&args, 0)?;
    if !matches!(v, Value::Instance(_)) {
        return Ok(Value::string(vm.to_str(v)?));
    }
    Ok(Value::string(vm.repr(v)?))
}

fn object_eq(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("__eq__", &args, 1, 1, 1)?;
    Ok(if arg(&args, 0)?.is(arg(&args, 1)?) {
        Value::Bool(B64::TRUE)
    } else {
        Value::NotImplemented
    })
}

fn object_ne(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("__ne__", &args, 1, 1, 1)?;
    let eq = vm.eq(arg(&args, 0)?, arg(&args, 1)?)?;
    Ok(Value::bool(!eq))
}

fn object_hash(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let id = arg(&args, 0)?.id();
    Ok(Value::Int(id.rotate_right(4)))
}

fn object_setattr(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("__setattr__", &args, 1, 2, 2)?;
    let obj = arg(&args, 0)?;
    let Value::Str(name) = arg(&args, 1)? else {
        return Err(Exc::type_error("attribute name must be string"));
    };
    let value = arg(&args, 2)?.clone();
    match obj {
        Value::Instance(inst) => {
            let inst = inst.clone();
            vm.generic_setattr(&inst, obj, name, value)?;
        }
        other => vm.set_attr(other, name, value)?,
    }
    Ok(Value::None)
}

fn object_getattribute(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("__getattribute__", &args, 1, 1, 1)?;
    let Value::Str(name) = arg(&args, 1)? else {
        return Err(Exc::type_error("attribute name must be string"));
    };
    vm.get_attr(arg(&args, 0)?, name)
}

fn object_delattr(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("__delattr__", &args, 1, 1, 1)?;
    let obj = arg(&args, 0)?;
    let Value::Str(name) = arg(&args, 1)? else {
        return Err(Exc::type_error("attribute name must be string"));
    };
    match obj {
        Value::Instance(inst) => match inst.class.lookup(name) {
            Some(Value::Member(m)) => vm.member_delete(&m, obj).map(|_| Value::None),
            _ => match inst.dict_remove(name) {
                Some(_) => Ok(Value::None),
                None => Err(Exc::attribute_error(format!(
                    "'{}' object has no attribute '{}'",
                    inst.class.name(),
                    name.as_str()
                ))),
            },
        },
        other => vm.del_attr(other, name).map(|_| Value::None),
    }
}

fn object_format(vm: &mut Vm, args: Args) -> PResult<Value> {
    let v = arg(&args, 0)?;
    let spec = args.pos.get(1).and_then(|s| s.as_str()).unwrap_or("");
    if !spec.is_empty() {
        return Err(Exc::type_error(format!(
            "unsupported format string passed to {}.__format__",
            vm.type_name(v)
        )));
    }
    Ok(Value::string(vm.to_str(v)?))
}

fn type_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    match args.pos.len() {
        2 => Ok(Value::Class(vm.class_of(arg(&args, 1)?))),
        4 => {
            let name = arg(&args, 1)?.as_str().unwrap_or("?").to_owned();
            let bases = vm.collect(arg(&args, 2)?)?;
            let mut classes = Vec::new();
            for b in bases {
                match b {
                    Value::Class(c) => classes.push(c),
                    _ => return Err(Exc::type_error("bases must be types")),
                }
            }
            let ns = Value::new_dict();
            if let Value::Dict(d) = arg(&args, 3)? {
                for e in d.entries() {
                    ns.insert(vm, e.key, e.value)?;
                }
            }
            if ns.get_str(&PyStr::new("__module__")).is_none() {
                ns.set_item_str("__module__", Value::str("__main__"));
            }
            Ok(Value::Class(vm.make_class(&name, classes, ns)?))
        }
        _ => Err(Exc::type_error("type() takes 1 or 3 arguments")),
    }
}

/// The generator a method is called on; for a `coroutine_wrapper`, its coroutine.
fn gen_of(args: &Args) -> PResult<Rc<crate::vm::object::generator::Generator>> {
    match args.pos.first() {
        Some(Value::Generator(g)) => Ok(g.clone()),
        Some(Value::Iter(it)) => it
            .wrapped_coroutine()
            .ok_or_else(|| Exc::type_error("descriptor requires a generator")),
        _ => Err(Exc::type_error("descriptor requires a generator")),
    }
}

/// `coro.__await__()`.
fn coro_await(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(crate::vm::object::iter::Iter::coroutine_wrapper(gen_of(
        &args,
    )?))
}

/// `send`, `throw`, `close` and `__await__` of an async generator's `asend`/`athrow`
/// awaitable: the coroutine protocol, so that a task or `wait_for` can drive one.
pub fn async_step_method(name: &str) -> Option<Value> {
    match name {
        "send" => Some(Vm::native("send", async_step_send)),
        "throw" => Some(Vm::native("throw", async_step_throw)),
        "close" => Some(Vm::native("close", async_step_close)),
        "__await__" => Some(Vm::native("__await__", identity)),
        _ => None,
    }
}

fn async_step_send(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("send", &args, 1, 1, 1)?;
    let it = arg(&args, 0)?.clone();
    let r = vm.send_into(&it, arg(&args, 1)?.clone())?;
    gen_result(vm, r)
}

fn async_step_throw(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("throw", &args, 1, 1, 3)?;
    let it = arg(&args, 0)?.clone();
    let exc = vm.exception_from(arg(&args, 1)?.clone())?;
    let r = vm.throw_into(&it, Exc::value(exc))?;
    gen_result(vm, r)
}

fn async_step_close(_vm: &mut Vm, args: Args) -> PResult<Value> {
    if let Value::Iter(it) = arg(&args, 0)? {
        it.close_async_step();
    }
    Ok(Value::None)
}

/// `send`, `throw` and `close` of a `coroutine_wrapper`: its coroutine's.
pub fn coroutine_wrapper_method(name: &str) -> Option<Value> {
    match name {
        "send" => Some(Vm::native("send", gen_send)),
        "throw" => Some(Vm::native("throw", gen_throw)),
        "close" => Some(Vm::native("close", gen_close)),
        _ => None,
    }
}

fn gen_result(vm: &mut Vm, r: GenResult) -> PResult<Value> {
    match r {
        GenResult::Yield(v) => Ok(v),
        GenResult::Return(v) => {
            let args = if v.is_none() { Vec::new() } else { vec![v] };
            Err(Exc::value(vm.new_exception(
                crate::vm::exception::ExcKind::StopIteration,
                args,
            )))
        }
    }
}

fn gen_send(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("send", &args, 1, 1, 1)?;
    let g = gen_of(&args)?;
    let r = vm.gen_send(&g, arg(&args, 1)?.clone())?;
    gen_result(vm, r)
}

fn gen_next(vm: &mut Vm, args: Args) -> PResult<Value> {
    let g = gen_of(&args)?;
    let r = vm.gen_send(&g, Value::None)?;
    gen_result(vm, r)
}

fn gen_throw(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("throw", &args, 1, 1, 3)?;
    let g = gen_of(&args)?;
    let exc = vm.exception_from(arg(&args, 1)?.clone())?;
    let r = vm.gen_throw(&g, Exc::value(exc))?;
    gen_result(vm, r)
}

fn gen_close(vm: &mut Vm, args: Args) -> PResult<Value> {
    let g = gen_of(&args)?;
    vm.gen_close(&g)?;
    Ok(Value::None)
}

fn agen_anext(vm: &mut Vm, args: Args) -> PResult<Value> {
    let g = gen_of(&args)?;
    vm.async_gen_first_iter(&g)?;
    Ok(vm.async_gen_awaitable(&g, None, None, false))
}

fn agen_asend(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("asend", &args, 1, 1, 1)?;
    let g = gen_of(&args)?;
    vm.async_gen_first_iter(&g)?;
    Ok(vm.async_gen_awaitable(&g, Some(arg(&args, 1)?.clone()), None, false))
}

fn agen_athrow(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("athrow", &args, 1, 1, 3)?;
    let g = gen_of(&args)?;
    vm.async_gen_first_iter(&g)?;
    let exc = vm.exception_from(arg(&args, 1)?.clone())?;
    Ok(vm.async_gen_awaitable(&g, None, Some(exc), false))
}

fn agen_aclose(vm: &mut Vm, args: Args) -> PResult<Value> {
    let g = gen_of(&args)?;
    vm.async_gen_first_iter(&g)?;
    Ok(vm.async_gen_awaitable(&g, None, None, true))
}

/// The member descriptor a method of `member_descriptor` was called on.
fn this_member(args: &Args, name: &str) -> PResult<Rc<Member>> {
    match args.pos.first() {
        Some(Value::Member(m)) => Ok(m.clone()),
        _ => Err(Exc::type_error(format!(
            "descriptor '{name}' requires a 'member_descriptor' object"
        ))),
    }
}

/// `member.__get__(obj, type=None)`: the slot's value, or the member itself for no object.
fn member_get(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("__get__", &args, 1, 1, 2)?;
    let m = this_member(&args, "__get__")?;
    match arg(&args, 1)? {
        Value::None => Ok(Value::Member(m)),
        obj => vm.member_get(&m, obj),
    }
}

fn member_set(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("__set__", &args, 1, 2, 2)?;
    let m = this_member(&args, "__set__")?;
    vm.member_set(&m, arg(&args, 1)?, arg(&args, 2)?.clone())?;
    Ok(Value::None)
}

fn member_delete(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("__delete__", &args, 1, 1, 1)?;
    let m = this_member(&args, "__delete__")?;
    vm.member_delete(&m, arg(&args, 1)?)?;
    Ok(Value::None)
}

fn property_new(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let get = |idx: usize, name: &str| {
        args.pos
            .get(idx)
            .or_else(|| args.kw(name))
            .cloned()
            .unwrap_or(Value::None)
    };
    Ok(Property::new_value(
        get(1, "fget"),
        get(2, "fset"),
        get(3, "fdel"),
        get(4, "doc"),
    ))
}

fn property_with(args: &Args, which: usize) -> PResult<Value> {
    let Some(Value::Property(p)) = args.pos.first() else {
        return Err(Exc::type_error("descriptor requires a property"));
    };
    let f = arg(args, 1)?.clone();
    let mut parts = [p.fget.clone(), p.fset.clone(), p.fdel.clone()];
    parts[which] = f;
    let [fget, fset, fdel] = parts;
    Ok(Property::new_value(fget, fset, fdel, p.doc.clone()))
}

fn property_getter(_vm: &mut Vm, args: Args) -> PResult<Value> {
    property_with(&args, 0)
}

fn property_setter(_vm: &mut Vm, args: Args) -> PResult<Value> {
    property_with(&args, 1)
}

fn property_deleter(_vm: &mut Vm, args: Args) -> PResult<Value> {
    property_with(&args, 2)
}

fn staticmethod_new(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("staticmethod", &args, 1, 1, 1)?;
    Ok(Wrapper::new_value(
        WrapperKind::StaticMethod,
        arg(&args, 1)?.clone(),
    ))
}

fn classmethod_new(_vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("classmethod", &args, 1, 1, 1)?;
    Ok(Wrapper::new_value(
        WrapperKind::ClassMethod,
        arg(&args, 1)?.clone(),
    ))
}

fn super_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    match args.pos.get(1..) {
        Some([Value::Class(cls), obj]) => vm.new_super(cls.clone(), obj.clone()),
        Some([]) => Err(Exc::runtime_error("super(): no arguments")),
        _ => Err(Exc::type_error("super() argument 1 must be a type")),
    }
}

fn range_arg(vm: &mut Vm, v: &Value) -> PResult<i128> {
    match v {
        Value::Int(i) => Ok(*i as i128),
        Value::Bool(b) => Ok(b.get() as i128),
        Value::BigInt(b) => num_traits::ToPrimitive::to_i128(&**b)
            .ok_or_else(|| Exc::overflow("Python int too large to convert to C ssize_t")),
        other => {
            let msg = format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(other)
            );
            Ok(vm.index_value(other, &msg)? as i128)
        }
    }
}

fn range_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    if args.has_kw() {
        return Err(Exc::type_error("range() takes no keyword arguments"));
    }
    let nums: Vec<Value> = args.pos.get(1..).unwrap_or(&[]).to_vec();
    let (start, stop, step) = match nums.as_slice() {
        [stop] => (0i128, range_arg(vm, stop)?, 1i128),
        [start, stop] => (range_arg(vm, start)?, range_arg(vm, stop)?, 1),
        [start, stop, step] => (
            range_arg(vm, start)?,
            range_arg(vm, stop)?,
            range_arg(vm, step)?,
        ),
        [] => return Err(Exc::type_error("range expected at least 1 argument, got 0")),
        _ => {
            return Err(Exc::type_error(format!(
                "range expected at most 3 arguments, got {}",
                nums.len()
            )))
        }
    };
    if step == 0 {
        return Err(Exc::value_error("range() arg 3 must not be zero"));
    }
    Ok(Value::Range(Rc::new(Range { start, stop, step })))
}

fn range_self(args: &Args) -> PResult<Rc<Range>> {
    match args.pos.first() {
        Some(Value::Range(r)) => Ok(r.clone()),
        _ => Err(Exc::type_error("descriptor requires a range")),
    }
}

fn range_index(vm: &mut Vm, args: Args) -> PResult<Value> {
    let r = range_self(&args)?;
    let v = arg(&args, 1)?;
    if vm.contains(&Value::Range(r.clone()), v)? {
        if let Some(i) =
            crate::vm::methods::int::as_bigint(v).and_then(|b| num_traits::ToPrimitive::to_i128(&b))
        {
            return Ok(crate::vm::object::misc::int_value((i - r.start) / r.step));
        }
    }
    Err(Exc::value_error(format!("{} is not in range", vm.repr(v)?)))
}

fn range_count(vm: &mut Vm, args: Args) -> PResult<Value> {
    let r = range_self(&args)?;
    let found = vm.contains(&Value::Range(r), arg(&args, 1)?)?;
    Ok(Value::Int(found as i64))
}

fn slice_indices(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("indices", &args, 1, 1, 1)?;
    let Some(Value::Slice(s)) = args.pos.first() else {
        return Err(Exc::type_error(
            "descriptor 'indices' requires a 'slice' object",
        ));
    };
    let len = vm.index_value(
        arg(&args, 1)?,
        "'str' object cannot be interpreted as an integer",
    )?;
    if len < 0 {
        return Err(Exc::value_error("length should not be negative"));
    }
    let (start, stop, step, _) = crate::vm::item::slice_indices(vm, s, len as usize)?;
    Ok(Value::tuple(vec![
        Value::Int(start),
        Value::Int(stop),
        Value::Int(step),
    ]))
}

fn slice_new(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let a: Vec<Value> = args.pos.get(1..).unwrap_or(&[]).to_vec();
    let (start, stop, step) = match a.as_slice() {
        [stop] => (Value::None, stop.clone(), Value::None),
        [start, stop] => (start.clone(), stop.clone(), Value::None),
        [start, stop, step] => (start.clone(), stop.clone(), step.clone()),
        _ => return Err(Exc::type_error("slice expected at least 1 argument, got 0")),
    };
    Ok(crate::vm::object::misc::Slice::new_value(start, stop, step))
}
