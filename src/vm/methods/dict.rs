//! Methods of `dict` (and its constructor), the dict views, and `Vm::dict_update` /
//! `Vm::dict_merge` used by `{**a}` and `f(**a)`.

use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::dict::Dict;
use crate::vm::object::function::Args;
use crate::vm::object::misc::{DictView, ViewKind};
use crate::vm::value::Value;
use std::rc::Rc;

pub fn register(vm: &mut Vm) {
    add_methods(
        &vm.types.dict,
        "dict",
        &[
            ("__new__", dict_new),
            ("keys", keys),
            ("values", values),
            ("items", items),
            ("get", get),
            ("setdefault", setdefault),
            ("update", update),
            ("pop", pop),
            ("popitem", popitem),
            ("clear", clear),
            ("copy", copy),
            ("fromkeys", fromkeys),
        ],
    );
    if let Some(Value::Native(n)) = vm
        .types
        .dict
        .dict
        .get_str(&crate::vm::object::str::PyStr::new("fromkeys"))
    {
        vm.types.dict.dict.set_item_str(
            "fromkeys",
            Value::Wrapper(Rc::new(crate::vm::object::misc::Wrapper {
                gc: Default::default(),
                kind: crate::vm::object::misc::WrapperKind::ClassMethod,
                func: Value::Native(n),
            })),
        );
    }
}

fn this<'a>(vm: &Vm, args: &Args<'a>, method: &str) -> PResult<&'a Rc<Dict>> {
    match args.pos.first() {
        Some(Value::Dict(d)) => Ok(d),
        Some(other) => Err(crate::vm::methods::wrong_self(vm, "dict", method, other)),
        None => Err(Exc::type_error(format!(
            "unbound method dict.{method}() needs an argument"
        ))),
    }
}

impl Vm {
    /// `d.update(other)`: a mapping (dict or object with `keys`) or an iterable of pairs.
    pub fn dict_update(&mut self, d: &Rc<Dict>, other: &Value) -> PResult<()> {
        match other {
            Value::Dict(src) => {
                for e in src.entries() {
                    d.insert_hashed(self, e.key, e.hash, e.value)?;
                }
                Ok(())
            }
            _ if self.get_attr_str(other, "keys").is_ok()
                && !matches!(other, Value::List(_) | Value::Tuple(_)) =>
            {
                let keys = self.call_method(other, "keys", &[])?;
                for k in self.collect(&keys)? {
                    let v = self.get_item(other, &k)?;
                    d.insert(self, k, v)?;
                }
                Ok(())
            }
            _ => {
                let items = self.collect(other)?;
                for (idx, item) in items.iter().enumerate() {
                    let pair = match self.collect(item) {
                        Ok(p) => p,
                        Err(_) => {
                            return Err(Exc::type_error(format!(
                                "cannot convert dictionary update sequence element #{idx} to a sequence"
                            )))
                        }
                    };
                    let [k, v] = <[Value; 2]>::try_from(pair).map_err(|p| {
                        Exc::value_error(format!(
                            "dictionary update sequence element #{idx} has length {}; 2 is required",
                            p.len()
                        ))
                    })?;
                    d.insert(self, k, v)?;
                }
                Ok(())
            }
        }
    }

    /// `f(**m)`: like update, but a repeated key is an error.
    pub fn dict_merge(&mut self, d: &Rc<Dict>, other: &Value) -> PResult<()> {
        let entries: Vec<(Value, Value)> = match other {
            Value::Dict(src) => src
                .entries()
                .into_iter()
                .map(|e| (e.key, e.value))
                .collect(),
            _ => {
                if self.get_attr_str(other, "keys").is_err() {
                    return Err(Exc::type_error(format!(
                        "argument after ** must be a mapping, not {}",
                        self.type_name(other)
                    )));
                }
                let keys = self.call_method(other, "keys", &[])?;
                let mut res = Vec::new();
                for k in self.collect(&keys)? {
                    let v = self.get_item(other, &k)?;
                    res.push((k, v));
                }
                res
            }
        };
        for (k, v) in entries {
            if d.contains(self, &k)? {
                let name = self.repr(&k)?;
                return Err(Exc::type_error(format!(
                    "function got multiple values for keyword argument {name}"
                )));
            }
            d.insert(self, k, v)?;
        }
        Ok(())
    }
}

fn dict_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    if args.pos.len() > 2 {
        return Err(Exc::type_error(format!(
            "dict expected at most 1 argument, got {}",
            args.pos.len() - 1
        )));
    }
    let d = Value::new_dict();
    if let Some(src) = args.pos.get(1) {
        vm.dict_update(&d, src)?;
    }
    for (k, v) in args.kwnames.iter().zip(args.kwvals.iter()) {
        d.set_str(k.clone(), v.clone());
    }
    Ok(Value::Dict(d))
}

fn view(vm: &mut Vm, args: &Args, kind: ViewKind, name: &str) -> PResult<Value> {
    check_count(name, args, 1, 0, 0)?;
    let d = this(vm, args, name)?.clone();
    Ok(DictView::new_value(d, kind))
}

fn keys(vm: &mut Vm, args: Args) -> PResult<Value> {
    view(vm, &args, ViewKind::Keys, "keys")
}

fn values(vm: &mut Vm, args: Args) -> PResult<Value> {
    view(vm, &args, ViewKind::Values, "values")
}

fn items(vm: &mut Vm, args: Args) -> PResult<Value> {
    view(vm, &args, ViewKind::Items, "items")
}

fn get(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("get", &args, 1, 1, 2)?;
    let d = this(vm, &args, "get")?.clone();
    let default = args.pos.get(2).cloned().unwrap_or(Value::None);
    Ok(d.get(vm, arg(&args, 1)?)?.unwrap_or(default))
}

fn setdefault(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("setdefault", &args, 1, 1, 2)?;
    let d = this(vm, &args, "setdefault")?.clone();
    let key = arg(&args, 1)?;
    if let Some(v) = d.get(vm, key)? {
        return Ok(v);
    }
    let default = args.pos.get(2).cloned().unwrap_or(Value::None);
    d.insert(vm, key.clone(), default.clone())?;
    Ok(default)
}

fn update(vm: &mut Vm, args: Args) -> PResult<Value> {
    if args.pos.len() > 2 {
        return Err(Exc::type_error(format!(
            "update expected at most 1 argument, got {}",
            args.pos.len() - 1
        )));
    }
    let d = this(vm, &args, "update")?.clone();
    if let Some(src) = args.pos.get(1) {
        vm.dict_update(&d, src)?;
    }
    for (k, v) in args.kwnames.iter().zip(args.kwvals.iter()) {
        d.set_str(k.clone(), v.clone());
    }
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("pop", &args, 1, 1, 2)?;
    let d = this(vm, &args, "pop")?.clone();
    let key = arg(&args, 1)?;
    match d.remove(vm, key)? {
        Some(v) => Ok(v),
        None => match args.pos.get(2) {
            Some(default) => Ok(default.clone()),
            None => Err(vm.key_error(key.clone())),
        },
    }
}

fn popitem(vm: &mut Vm, args: Args) -> PResult<Value> {
    let d = this(vm, &args, "popitem")?.clone();
    match d.pop_last() {
        Some(e) => Ok(Value::tuple(vec![e.key, e.value])),
        None => Err(vm.key_error(Value::str("popitem(): dictionary is empty"))),
    }
}

fn clear(vm: &mut Vm, args: Args) -> PResult<Value> {
    this(vm, &args, "clear")?.clear();
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: Args) -> PResult<Value> {
    let d = this(vm, &args, "copy")?;
    Ok(Value::dict(d.copy()))
}

fn fromkeys(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("fromkeys", &args, 1, 1, 2)?;
    let keys = vm.collect(arg(&args, 1)?)?;
    let value = args.pos.get(2).cloned().unwrap_or(Value::None);
    let d = Value::new_dict();
    for k in keys {
        d.insert(vm, k, value.clone())?;
    }
    Ok(Value::Dict(d))
}
