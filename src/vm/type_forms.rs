//! The type forms annotations use: unions (`int | None`, `types.UnionType`) and generic aliases
//! of the built-in classes (`list[int]`, `types.GenericAlias`). Each is an instance of a class
//! made once per VM, holding `__args__` (and `__origin__` for an alias). A union's members are
//! flattened, without duplicates, in order; `a | b` on types reaches `type_union` when no
//! `__or__` answered, and `isinstance` accepts unions. An alias calls its origin.

use crate::vm::exception::PResult;
use crate::vm::object::class::{Class, Instance};
use crate::vm::object::function::Args;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use crate::vm::Vm;
use std::rc::Rc;

/// Which form a class stands for.
#[derive(Clone, Copy)]
enum Form {
    Union,
    Alias,
}

/// The `UnionType` and `GenericAlias` classes of this VM, made on first use.
#[derive(Default)]
struct FormClasses {
    union: Option<Rc<Class>>,
    alias: Option<Rc<Class>>,
}

impl FormClasses {
    fn slot(&mut self, form: Form) -> &mut Option<Rc<Class>> {
        match form {
            Form::Union => &mut self.union,
            Form::Alias => &mut self.alias,
        }
    }
}

impl Vm {
    fn form_class(&mut self, form: Form) -> PResult<Rc<Class>> {
        if let Some(cls) = self.extension(FormClasses::default).slot(form) {
            return Ok(cls.clone());
        }
        let ns = Value::new_dict();
        ns.set_item_str("__module__", Value::str("types"));
        let name = match form {
            Form::Union => "UnionType",
            Form::Alias => {
                ns.set_item_str("__call__", Vm::native("__call__", alias_call));
                "GenericAlias"
            }
        };
        let cls = self.make_class(name, Vec::new(), ns)?;
        *self.extension(FormClasses::default).slot(form) = Some(cls.clone());
        Ok(cls)
    }

    /// `v`'s `__args__` (and `__origin__`, for an alias) if `v` is of the given form.
    fn form_parts(&mut self, v: &Value, form: Form) -> Option<(Option<Value>, Vec<Value>)> {
        let Value::Instance(inst) = v else {
            return None;
        };
        let cls = self.extension(FormClasses::default).slot(form).clone()?;
        if !Rc::ptr_eq(&inst.class, &cls) {
            return None;
        }
        let origin = inst.dict_get(&PyStr::new("__origin__"));
        match inst.dict_get(&PyStr::new("__args__")) {
            Some(Value::Tuple(t)) => Some((origin, t.items.to_vec())),
            _ => None,
        }
    }

    /// The members of `v` if it is a union.
    pub fn union_args(&mut self, v: &Value) -> Option<Vec<Value>> {
        self.form_parts(v, Form::Union).map(|(_, args)| args)
    }

    /// `a | b` when both are types, `None` or unions; `Ok(None)` otherwise.
    pub fn type_union(&mut self, a: &Value, b: &Value) -> PResult<Option<Value>> {
        let mut members = Vec::new();
        for side in [a, b] {
            match side {
                Value::Class(_) => members.push(side.clone()),
                Value::None => members.push(Value::Class(self.types.none.clone())),
                other => match self.union_args(other) {
                    Some(args) => members.extend(args),
                    None if self.alias_parts(other).is_some() => members.push(other.clone()),
                    None => return Ok(None),
                },
            }
        }
        let mut unique: Vec<Value> = Vec::new();
        for m in members {
            let seen = unique.iter().any(|u| match (u, &m) {
                (Value::Class(x), Value::Class(y)) => Rc::ptr_eq(x, y),
                _ => false,
            });
            if !seen {
                unique.push(m);
            }
        }
        if unique.len() == 1 {
            return Ok(unique.pop());
        }
        let cls = self.form_class(Form::Union)?;
        let union = Instance::new_value(cls);
        if let Value::Instance(inst) = &union {
            inst.dict().set_item_str("__args__", Value::tuple(unique));
        }
        Ok(Some(union))
    }
}

impl Vm {
    /// `repr` of a union: `int | str | None`.
    pub fn union_repr(&mut self, members: &[Value]) -> PResult<String> {
        let mut names = Vec::with_capacity(members.len());
        for m in members {
            names.push(self.type_form_name(m)?);
        }
        Ok(names.join(" | "))
    }
}

impl Vm {
    /// `list[int]`: a generic alias of a built-in class.
    pub fn generic_alias(&mut self, origin: &Value, params: &Value) -> PResult<Value> {
        let cls = self.form_class(Form::Alias)?;
        let args = match params {
            Value::Tuple(_) => params.clone(),
            other => Value::tuple(vec![other.clone()]),
        };
        let alias = Instance::new_value(cls);
        if let Value::Instance(inst) = &alias {
            inst.dict().set_item_str("__origin__", origin.clone());
            inst.dict().set_item_str("__args__", args);
        }
        Ok(alias)
    }

    /// `(origin, args)` if `v` is a generic alias.
    pub fn alias_parts(&mut self, v: &Value) -> Option<(Value, Vec<Value>)> {
        match self.form_parts(v, Form::Alias)? {
            (Some(origin), args) => Some((origin, args)),
            (None, _) => None,
        }
    }

    /// `repr` of a generic alias: `dict[str, list[int]]`, `tuple[int, ...]`.
    pub fn alias_repr(&mut self, origin: &Value, args: &[Value]) -> PResult<String> {
        let mut text = self.type_form_name(origin)?;
        let mut parts = Vec::with_capacity(args.len());
        for a in args {
            parts.push(match a {
                Value::Ellipsis => "...".to_string(),
                other => self.type_form_name(other)?,
            });
        }
        text.push('[');
        text.push_str(&parts.join(", "));
        text.push(']');
        Ok(text)
    }

    fn type_form_name(&mut self, v: &Value) -> PResult<String> {
        Ok(match v {
            Value::Class(c) if Rc::ptr_eq(c, &self.types.none) => "None".to_string(),
            Value::Class(c) if c.module() == "builtins" => c.qualname().as_str().to_string(),
            Value::Class(c) => format!("{}.{}", c.module(), c.qualname().as_str()),
            other => self.repr(other)?,
        })
    }
}

fn alias_call(vm: &mut Vm, args: Args) -> PResult<Value> {
    let Some((origin, _)) = args.pos.first().and_then(|a| vm.alias_parts(a)) else {
        return Err(crate::vm::exception::Exc::type_error(
            "GenericAlias.__call__ needs an alias",
        ));
    };
    let rest = Args {
        pos: args.pos.get(1..).unwrap_or(&[]),
        kwnames: args.kwnames,
        kwvals: args.kwvals,
    };
    vm.call_args(&origin, rest)
}
