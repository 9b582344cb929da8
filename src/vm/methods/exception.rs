//! Methods of `BaseException` and the exception groups: construction (`args`),
//! `with_traceback`, `add_note`, `split`, `subgroup`, `derive`.

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::class::{Class, Instance};
use crate::vm::object::function::Args;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::rc::Rc;

pub fn register(vm: &mut Vm) {
    let base = vm.types.exc(ExcKind::BaseException);
    add_methods(
        &base,
        "BaseException",
        &[
            ("__new__", exc_new),
            ("__init__", exc_init),
            ("with_traceback", with_traceback),
            ("add_note", add_note),
        ],
    );
    let group = vm.types.exc(ExcKind::BaseExceptionGroup);
    add_methods(
        &group,
        "BaseExceptionGroup",
        &[
            ("__new__", group_new),
            ("__init__", group_init),
            ("split", split),
            ("subgroup", subgroup),
            ("derive", derive),
        ],
    );
}

fn set_args(v: &Value, args: &[Value]) {
    if let Value::Instance(inst) = v {
        if let Some(data) = &inst.exc {
            let mut current = data.args.borrow_mut();
            // `__init__` after `__new__` with the same arguments (every `raise E(...)`):
            // the tuple `__new__` made already holds them.
            if let Value::Tuple(t) = &*current {
                let same =
                    t.items.len() == args.len() && t.items.iter().zip(args).all(|(a, b)| a.is(b));
                if same {
                    return;
                }
            }
            *current = Value::tuple(args.to_vec());
        }
    }
}

/// Whether `v` is BaseException's own method `name` (`__new__`, `__init__`).
pub fn is_own_method(v: &Value, name: &str) -> bool {
    matches!(v, Value::Native(n) if n.owner == Some("BaseException") && n.name == name)
}

/// `cls(*args)` for an exception class whose `__new__` and `__init__` are BaseException's
/// own (`Class::plain_exception`): what calling the two would make, without the calls.
pub fn new_plain(cls: &Rc<Class>, args: &[Value]) -> Value {
    let inst = Instance::new_value(cls.clone());
    set_args(&inst, args);
    inst
}

fn exc_new(_vm: &mut Vm, args: Args) -> PResult<Value> {
    let Some(Value::Class(cls)) = args.pos.first() else {
        return Err(Exc::type_error(
            "BaseException.__new__(X): X is not a type object",
        ));
    };
    let inst = Instance::new_value(cls.clone());
    set_args(&inst, args.pos.get(1..).unwrap_or(&[]));
    Ok(inst)
}

fn exc_init(vm: &mut Vm, args: Args) -> PResult<Value> {
    if args.has_kw() {
        let v = arg(&args, 0)?;
        return Err(Exc::type_error(format!(
            "{}() takes no keyword arguments",
            vm.type_name(v)
        )));
    }
    set_args(arg(&args, 0)?, args.pos.get(1..).unwrap_or(&[]));
    Ok(Value::None)
}

fn with_traceback(_vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(arg(&args, 0)?.clone())
}

fn add_note(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("add_note", &args, 1, 1, 1)?;
    let Value::Instance(inst) = arg(&args, 0)? else {
        return Err(Exc::type_error("add_note() requires an exception"));
    };
    let note = arg(&args, 1)?;
    if !matches!(note, Value::Str(_)) {
        return Err(Exc::type_error(format!(
            "note must be a str, not '{}'",
            vm.type_name(note)
        )));
    }
    let key = PyStr::new("__notes__");
    let notes = match inst.dict_get(&key) {
        Some(v @ Value::List(_)) => v,
        _ => {
            let l = Value::list(Vec::new());
            inst.dict().set_item_str("__notes__", l.clone());
            l
        }
    };
    if let Value::List(l) = notes {
        l.items.borrow_mut().push(note.clone());
    }
    Ok(Value::None)
}

fn group_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    let Some(Value::Class(cls)) = args.pos.first() else {
        return Err(Exc::type_error(
            "BaseExceptionGroup.__new__(X): X is not a type object",
        ));
    };
    let rest = args.pos.get(1..).unwrap_or(&[]);
    let is_eg = cls.is_subclass(&vm.types.exc(ExcKind::ExceptionGroup));
    vm.check_group_args(is_eg, rest)?;
    let excs = vm.collect(&rest[1])?;
    let base_group = vm.types.exc(ExcKind::BaseExceptionGroup);
    let cls = if std::rc::Rc::ptr_eq(cls, &base_group)
        && excs.iter().all(|e| vm.exc_is(e, ExcKind::Exception))
    {
        vm.types.exc(ExcKind::ExceptionGroup)
    } else {
        cls.clone()
    };
    if !is_eg && !cls.is_subclass(&vm.types.exc(ExcKind::Exception)) {
        // A BaseExceptionGroup subclass may hold anything.
    }
    let inst = Instance::new_value(cls);
    set_args(&inst, &[rest[0].clone(), rest[1].clone()]);
    Ok(inst)
}

fn group_init(_vm: &mut Vm, _args: Args) -> PResult<Value> {
    Ok(Value::None)
}

/// The predicate of `split`/`subgroup`: an exception type, a tuple of types, or a callable.
/// A predicate over exceptions.
type Matcher = Box<dyn FnMut(&mut Vm, &Value) -> PResult<bool>>;

fn matcher(vm: &mut Vm, cond: &Value) -> PResult<Matcher> {
    let cond = cond.clone();
    match &cond {
        Value::Class(_) | Value::Tuple(_) => {
            let probe = vm.types.exc(ExcKind::BaseException);
            let _ = probe;
            Ok(Box::new(move |vm: &mut Vm, e: &Value| {
                vm.exc_match(e, &cond)
            }))
        }
        _ => Ok(Box::new(move |vm: &mut Vm, e: &Value| {
            let r = vm.call(&cond, std::slice::from_ref(e))?;
            vm.truthy(&r)
        })),
    }
}

fn split(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("split", &args, 1, 1, 1)?;
    let eg = arg(&args, 0)?.clone();
    let mut pred = matcher(vm, arg(&args, 1)?)?;
    let (m, r) = vm.split_group(&eg, &mut *pred)?;
    Ok(Value::tuple(vec![
        m.unwrap_or(Value::None),
        r.unwrap_or(Value::None),
    ]))
}

fn subgroup(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("subgroup", &args, 1, 1, 1)?;
    let eg = arg(&args, 0)?.clone();
    let mut pred = matcher(vm, arg(&args, 1)?)?;
    let (m, _) = vm.split_group(&eg, &mut *pred)?;
    Ok(m.unwrap_or(Value::None))
}

fn derive(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("derive", &args, 1, 1, 1)?;
    let eg = arg(&args, 0)?;
    let msg = vm.exc_args(eg).into_iter().next().unwrap_or(Value::str(""));
    let excs = vm.collect(arg(&args, 1)?)?;
    Ok(vm.new_group(msg, excs))
}
