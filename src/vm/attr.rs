//! Attribute access: instance dicts and class MROs with descriptors (functions bind,
//! property, staticmethod, classmethod), `__getattr__` fallback, modules, classes, `super`,
//! and the special attributes of built-in kinds (`__name__`, exception `args`, ...).
//! `load_method` avoids allocating bound methods for `obj.method(...)` calls.

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::frame::Frame;
use crate::vm::machine::Vm;
use crate::vm::object::class::{descriptors_changed, may_change_descriptors, Class, Instance};
use crate::vm::object::function::{Args, BoundMethod};
use crate::vm::object::misc::{Member, Super};
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::rc::Rc;

impl Vm {
    pub fn get_attr_str(&mut self, obj: &Value, name: &str) -> PResult<Value> {
        self.get_attr(obj, &Rc::new(PyStr::new(name)))
    }

    /// `obj.name(*args)`.
    pub fn call_method(&mut self, obj: &Value, name: &str, args: &[Value]) -> PResult<Value> {
        let (m1, m2) = self.load_method(obj.clone(), &Rc::new(PyStr::new(name)))?;
        if matches!(m1, Value::Null) {
            return self.call(&m2, args);
        }
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(m2);
        all.extend_from_slice(args);
        self.call(&m1, &all)
    }

    /// `LoadMethod`: `(function, self)` when the attribute is a plain method found on the
    /// class, else `(Null, attribute)`.
    pub fn load_method(&mut self, obj: Value, name: &Rc<PyStr>) -> PResult<(Value, Value)> {
        let cls = match &obj {
            Value::Instance(inst) => {
                let inst = inst.clone();
                return self.instance_method(&inst, obj, name).map(|(pair, _)| pair);
            }
            Value::Class(_) | Value::Module(_) | Value::Super(_) => {
                let v = self.get_attr(&obj, name)?;
                return Ok((Value::Null, v));
            }
            _ => self.class_of(&obj),
        };
        match cls.lookup(name) {
            Some(f @ (Value::Function(_) | Value::Native(_))) => Ok((f, obj)),
            _ => {
                let v = self.get_attr(&obj, name)?;
                Ok((Value::Null, v))
            }
        }
    }

    /// `obj.name`.
    pub fn get_attr(&mut self, obj: &Value, name: &Rc<PyStr>) -> PResult<Value> {
        match obj {
            Value::Instance(inst) => self.instance_getattr(inst, obj, name),
            Value::Class(cls) => self.class_getattr(cls, name),
            Value::Module(m) => match m.dict.get_str(name) {
                Some(v) => Ok(v),
                None => {
                    if name.as_str() == "__dict__" {
                        return Ok(Value::Dict(m.dict.clone()));
                    }
                    let exc = Exc::attribute_error(format!(
                        "module '{}' has no attribute '{}'",
                        m.name.as_str(),
                        name.as_str()
                    ));
                    Err(self.with_attr_hint(exc, obj, name))
                }
            },
            Value::Super(sup) => self.super_getattr(sup, name),
            _ => {
                if let Some(v) = self.special_attr(obj, name.as_str())? {
                    return Ok(v);
                }
                let cls = self.class_of(obj);
                match cls.lookup(name) {
                    Some(attr) => self.bind_descriptor(&attr, obj, &cls),
                    None => Err(self.no_attribute(obj, name)),
                }
            }
        }
    }

    fn no_attribute(&mut self, obj: &Value, name: &Rc<PyStr>) -> Exc {
        let exc = Exc::attribute_error(format!(
            "'{}' object has no attribute '{}'",
            self.type_name(obj),
            name.as_str()
        ));
        self.with_attr_hint(exc, obj, name)
    }

    /// Makes an AttributeError remember the object and name, for the uncaught hint.
    fn with_attr_hint(&mut self, exc: Exc, obj: &Value, name: &Rc<PyStr>) -> Exc {
        let exc = self.exc_value(exc);
        if let Value::Instance(inst) = &exc {
            inst.dict().set_item_str("name", Value::Str(name.clone()));
        }
        let ctx = crate::vm::object::class::Suggest::Attr {
            name: name.clone(),
            obj: obj.clone(),
        };
        self.attach_suggestion(&exc, ctx);
        Exc::value(exc)
    }

    fn instance_getattr(
        &mut self,
        inst: &Rc<Instance>,
        obj: &Value,
        name: &Rc<PyStr>,
    ) -> PResult<Value> {
        if inst.exc.is_none() && !inst.class.has_data_descriptors() {
            if let Some(v) = inst.dict_get(name) {
                return Ok(v);
            }
        }
        let cls = inst.class.clone();
        let attr = cls.lookup(name);
        match &attr {
            Some(Value::Property(_)) => {
                return self.bind_descriptor(attr.as_ref().unwrap_or(&Value::None), obj, &cls)
            }
            Some(Value::Member(m)) => {
                if let Some(v) = self.member_target(m, obj)?.slot(m.index) {
                    return Ok(v);
                }
                if let Some(getattr) = cls.lookup_str("__getattr__") {
                    return self.call(&getattr, &[obj.clone(), Value::Str(name.clone())]);
                }
                return Err(self.no_attribute(obj, name));
            }
            _ => {}
        }
        if inst.exc.is_some() {
            if let Some(v) = self.exception_attr(inst, name.as_str()) {
                return Ok(v);
            }
        }
        if let Some(v) = inst.dict_get(name) {
            return Ok(v);
        }
        if let Some(attr) = attr {
            if let Value::Instance(desc) = &attr {
                if let Some(get) = desc.class.lookup_str("__get__") {
                    return self.call(
                        &get,
                        &[attr.clone(), obj.clone(), Value::Class(cls.clone())],
                    );
                }
            }
            return self.bind_descriptor(&attr, obj, &cls);
        }
        match name.as_str() {
            "__class__" => return Ok(Value::Class(cls)),
            "__dict__" if cls.has_dict => return Ok(Value::Dict(inst.dict().clone())),
            _ => {}
        }
        if let Some(getattr) = cls.lookup_str("__getattr__") {
            return self.call(&getattr, &[obj.clone(), Value::Str(name.clone())]);
        }
        Err(self.no_attribute(obj, name))
    }

    /// Whether `name` is one of the attributes the exceptions of `cls` keep natively
    /// (`exception_attr` reads them, `generic_setattr` writes some): the attribute caches
    /// leave those to the general path, and cache an exception's other attributes (those in
    /// its dict) as any instance's.
    pub(crate) fn is_exception_field(&self, cls: &Rc<Class>, name: &str) -> bool {
        let under = |kind: ExcKind| cls.is_subclass(&self.types.exc(kind));
        match name {
            "args" | "__cause__" | "__context__" | "__suppress_context__" | "__traceback__" => true,
            "value" => under(ExcKind::StopIteration),
            "code" => under(ExcKind::SystemExit),
            "message" | "exceptions" => under(ExcKind::BaseExceptionGroup),
            _ => false,
        }
    }

    /// The native attributes of exceptions (`args`, `__cause__`, ...): keep
    /// `is_exception_field` in step.
    fn exception_attr(&mut self, inst: &Rc<Instance>, name: &str) -> Option<Value> {
        let data = inst.exc.as_ref()?;
        Some(match name {
            "args" => data.args.borrow().clone(),
            "__cause__" => data.cause.borrow().clone(),
            "__context__" => data.context.borrow().clone(),
            "__suppress_context__" => Value::bool(data.suppress_context.get()),
            "__traceback__" => {
                if data.traceback.borrow().is_empty() {
                    Value::None
                } else {
                    Value::str("<traceback>")
                }
            }
            "value"
                if inst
                    .class
                    .is_subclass(&self.types.exc(ExcKind::StopIteration)) =>
            {
                if let Some(v) = inst.dict_get(&PyStr::new("value")) {
                    return Some(v);
                }
                self.exc_args(&Value::Instance(inst.clone()))
                    .into_iter()
                    .next()
                    .unwrap_or(Value::None)
            }
            "code" if inst.class.is_subclass(&self.types.exc(ExcKind::SystemExit)) => {
                if let Some(v) = inst.dict_get(&PyStr::new("code")) {
                    return Some(v);
                }
                let args = self.exc_args(&Value::Instance(inst.clone()));
                match args.len() {
                    0 => Value::None,
                    1 => args.into_iter().next().unwrap_or(Value::None),
                    _ => Value::tuple(args),
                }
            }
            "message" | "exceptions"
                if inst
                    .class
                    .is_subclass(&self.types.exc(ExcKind::BaseExceptionGroup)) =>
            {
                let args = self.exc_args(&Value::Instance(inst.clone()));
                let idx = if name == "message" { 0 } else { 1 };
                match args.get(idx) {
                    Some(Value::List(l)) => Value::tuple(l.snapshot()),
                    Some(v) => v.clone(),
                    None => Value::None,
                }
            }
            _ => return None,
        })
    }

    fn class_getattr(&mut self, cls: &Rc<Class>, name: &Rc<PyStr>) -> PResult<Value> {
        if let Some(attr) = cls.lookup(name) {
            return Ok(match &attr {
                Value::Wrapper(w) => match w.kind {
                    crate::vm::object::misc::WrapperKind::StaticMethod => w.func.clone(),
                    crate::vm::object::misc::WrapperKind::ClassMethod => {
                        BoundMethod::new_value(w.func.clone(), Value::Class(cls.clone()))
                    }
                },
                _ => attr,
            });
        }
        let v = match name.as_str() {
            "__name__" => Value::Str(cls.name.clone()),
            "__qualname__" => Value::Str(cls.qualname()),
            "__module__" => Value::string(cls.module()),
            "__mro__" => Value::tuple(cls.mro_iter().map(|c| Value::Class(c.clone())).collect()),
            "__bases__" => {
                Value::tuple(cls.bases.iter().map(|c| Value::Class(c.clone())).collect())
            }
            "__base__" => cls
                .bases
                .first()
                .map_or(Value::None, |c| Value::Class(c.clone())),
            "__dict__" => Value::Dict(cls.dict.clone()),
            "__class__" => Value::Class(self.types.type_.clone()),
            "__doc__" => Value::None,
            "mro" => {
                let list = Value::list(cls.mro_iter().map(|c| Value::Class(c.clone())).collect());
                return Ok(BoundMethod::new_value(
                    Vm::native("mro", |_, args| {
                        Ok(args.pos.first().cloned().unwrap_or(Value::None))
                    }),
                    list,
                ));
            }
            _ => {
                let exc = Exc::attribute_error(format!(
                    "type object '{}' has no attribute '{}'",
                    cls.name(),
                    name.as_str()
                ));
                return Err(self.with_attr_hint(exc, &Value::Class(cls.clone()), name));
            }
        };
        Ok(v)
    }

    fn super_getattr(&mut self, sup: &Rc<Super>, name: &Rc<PyStr>) -> PResult<Value> {
        let mut after = false;
        for cls in sup.start.mro_iter() {
            if after {
                if let Some(attr) = cls.dict.get_str(name) {
                    let start = sup.start.clone();
                    return match &sup.obj {
                        Value::Class(_) => match attr {
                            Value::Wrapper(w)
                                if w.kind == crate::vm::object::misc::WrapperKind::ClassMethod =>
                            {
                                Ok(BoundMethod::new_value(w.func.clone(), sup.obj.clone()))
                            }
                            Value::Wrapper(w) => Ok(w.func.clone()),
                            other => Ok(other),
                        },
                        obj => {
                            let obj = obj.clone();
                            self.bind_descriptor(&attr, &obj, &start)
                        }
                    };
                }
            } else if Rc::ptr_eq(cls, &sup.cls) {
                after = true;
            }
        }
        if name.as_str() == "__class__" {
            return Ok(Value::Class(self.types.super_.clone()));
        }
        Err(Exc::attribute_error(format!(
            "'super' object has no attribute '{}'",
            name.as_str()
        )))
    }

    pub(crate) fn zero_arg_super(&mut self, cur: &Frame) -> PResult<Value> {
        let idx = cur
            .code
            .cellnames
            .iter()
            .position(|n| n.as_str() == "__class__");
        let cls = match idx.and_then(|i| cur.cells.get(i)).map(|c| c.get()) {
            Some(Value::Class(c)) => c,
            _ => return Err(Exc::runtime_error("super(): __class__ cell not found")),
        };
        let first = if cur.code.obj.argcount > 0 {
            match cur.stack.first() {
                Some(Value::Null) | None => {
                    // The first argument may have been moved into a cell.
                    let name = cur.code.varnames.first().map(|n| n.as_str().to_owned());
                    let cell_idx = cur
                        .code
                        .cellnames
                        .iter()
                        .position(|n| Some(n.as_str()) == name.as_deref());
                    match cell_idx.and_then(|i| cur.cells.get(i)).map(|c| c.get()) {
                        Some(v) if !matches!(v, Value::Null) => v,
                        _ => return Err(Exc::runtime_error("super(): arg[0] deleted")),
                    }
                }
                Some(v) => v.clone(),
            }
        } else {
            return Err(Exc::runtime_error("super(): no arguments"));
        };
        self.new_super(cls, first)
    }

    pub fn new_super(&mut self, cls: Rc<Class>, obj: Value) -> PResult<Value> {
        let start = match &obj {
            Value::Class(c) if c.is_subclass(&cls) => c.clone(),
            _ => {
                let c = self.class_of(&obj);
                if !c.is_subclass(&cls) {
                    return Err(Exc::type_error(
                        "super(type, obj): obj must be an instance or subtype of type",
                    ));
                }
                c
            }
        };
        let sup = Rc::new(Super {
            gc: Default::default(),
            cls,
            obj,
            start,
        });
        // `self.s = super()` closes a cycle through it.
        crate::vm::gc::track_rc(&sup);
        Ok(Value::Super(sup))
    }

    /// Attributes of built-in kinds that are not methods.
    fn special_attr(&mut self, obj: &Value, name: &str) -> PResult<Option<Value>> {
        Ok(Some(match (obj, name) {
            (_, "__class__") => Value::Class(self.class_of(obj)),
            (Value::Function(f), "__name__") => Value::Str(f.name.borrow().clone()),
            (Value::Function(f), "__qualname__") => Value::Str(f.qualname.borrow().clone()),
            (Value::Function(f), "__module__") => f
                .globals
                .get_str(&PyStr::new("__name__"))
                .unwrap_or(Value::None),
            (Value::Function(f), "__doc__") => {
                // An assigned `__doc__` (functools.wraps) wins over the docstring.
                let assigned = f
                    .dict
                    .borrow()
                    .as_ref()
                    .and_then(|d| d.get_str(&PyStr::new("__doc__")));
                match (assigned, f.code.consts.first()) {
                    (Some(doc), _) => doc,
                    (None, Some(v @ Value::Str(_))) => v.clone(),
                    _ => Value::None,
                }
            }
            (Value::Function(f), "__kwdefaults__") => match &*f.kwdefaults.borrow() {
                Some(d) => Value::Dict(d.clone()),
                None => Value::None,
            },
            (Value::Function(f), "__code__") => Value::Code(f.code.clone()),
            (Value::Function(f), "__globals__") => Value::Dict(f.globals.clone()),
            (Value::Function(f), "__closure__") => {
                if f.closure.is_empty() {
                    Value::None
                } else {
                    Value::tuple(f.closure.iter().map(|c| Value::Cell(c.clone())).collect())
                }
            }
            (Value::Code(c), "co_name") => Value::Str(c.name.clone()),
            (Value::Code(c), "co_qualname") => Value::Str(c.qualname.clone()),
            (Value::Code(c), "co_filename") => {
                Value::string(crate::vm::machine::python_path(&c.obj.source.name))
            }
            (Value::Code(c), "co_firstlineno") => {
                Value::Int(c.obj.source.line_of(c.obj.span.start) as i64)
            }
            (Value::Code(c), "co_argcount") => Value::Int(c.obj.argcount as i64),
            (Value::Cell(c), "cell_contents") => {
                let v = c.get();
                if matches!(v, Value::Null) {
                    return Err(Exc::value_error("Cell is empty"));
                }
                v
            }
            (Value::Function(f), "__defaults__") => {
                let d = f.defaults.borrow().clone();
                if d.is_empty() {
                    Value::None
                } else {
                    Value::tuple(d)
                }
            }
            (Value::Function(f), "__dict__") => {
                let d = f
                    .dict
                    .borrow_mut()
                    .get_or_insert_with(Value::new_dict)
                    .clone();
                Value::Dict(d)
            }
            (Value::Function(f), _) => {
                let d = f.dict.borrow().clone();
                match d.and_then(|d| d.get_str(&PyStr::new(name))) {
                    Some(v) => v,
                    None => return Ok(None),
                }
            }
            (Value::Native(n), "__name__" | "__qualname__") => Value::str(n.name),
            (Value::Method(m), "__self__") => m.obj.clone(),
            (Value::Method(m), "__func__") => m.func.clone(),
            (Value::Method(m), "__name__" | "__qualname__" | "__doc__") => {
                let f = m.func.clone();
                return self.get_attr_str(&f, name).map(Some);
            }
            (Value::Generator(g), "__name__") => Value::Str(g.code.name.clone()),
            (Value::Generator(g), "__qualname__") => Value::Str(g.code.qualname.clone()),
            (Value::Generator(g), "gi_running" | "cr_running")
                if name.starts_with(g.attr_prefix()) =>
            {
                Value::bool(g.state.get() == crate::vm::object::generator::GenState::Running)
            }
            (Value::Generator(g), "gi_suspended" | "cr_suspended")
                if name.starts_with(g.attr_prefix()) =>
            {
                Value::bool(g.state.get() == crate::vm::object::generator::GenState::Suspended)
            }
            (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), "real" | "numerator") => {
                crate::vm::methods::int::to_int(obj)
            }
            (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), "imag") => Value::Int(0),
            (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), "denominator") => Value::Int(1),
            (Value::Float(f), "real") => Value::Float(*f),
            (Value::Float(_), "imag") => Value::float(0.0),
            (Value::Range(r), "start") => crate::vm::object::misc::int_value(r.start),
            (Value::Range(r), "stop") => crate::vm::object::misc::int_value(r.stop),
            (Value::Range(r), "step") => crate::vm::object::misc::int_value(r.step),
            (Value::Slice(s), "start") => s.start.clone(),
            (Value::Slice(s), "stop") => s.stop.clone(),
            (Value::Slice(s), "step") => s.step.clone(),
            (Value::Property(p), "fget") => p.fget.clone(),
            (Value::Property(p), "fset") => p.fset.clone(),
            (Value::Property(p), "fdel") => p.fdel.clone(),
            (Value::Property(p), "__doc__") => p.doc.clone(),
            (Value::Wrapper(w), "__func__") => w.func.clone(),
            (Value::Member(m), "__name__") => Value::Str(m.name.clone()),
            (Value::Member(m), "__objclass__") => match m.owner.upgrade() {
                Some(cls) => Value::Class(cls),
                None => return Ok(None),
            },
            (Value::Iter(_), "__next__" | "__iter__") => {
                match crate::vm::methods::dunder::iterator_method(name) {
                    Some(f) => BoundMethod::new_value(f, obj.clone()),
                    None => return Ok(None),
                }
            }
            (Value::Iter(it), "send" | "throw" | "close" | "__await__") if it.is_async_step() => {
                match crate::vm::methods::object::async_step_method(name) {
                    Some(f) => BoundMethod::new_value(f, obj.clone()),
                    None => return Ok(None),
                }
            }
            (Value::Iter(it), "send" | "throw" | "close") if it.wrapped_coroutine().is_some() => {
                match crate::vm::methods::object::coroutine_wrapper_method(name) {
                    Some(f) => BoundMethod::new_value(f, obj.clone()),
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        }))
    }

    /// `obj.name = value`.
    pub fn set_attr(&mut self, obj: &Value, name: &Rc<PyStr>, value: Value) -> PResult<()> {
        match obj {
            Value::Instance(inst) => {
                if inst.exc.is_none() && !inst.class.has_data_descriptors() {
                    inst.dict_set(name, value);
                    return Ok(());
                }
                let cls = inst.class.clone();
                if cls.is_user {
                    if let Some(f) = cls.lookup_str("__setattr__") {
                        if !matches!(f, Value::Native(_)) {
                            self.call(&f, &[obj.clone(), Value::Str(name.clone()), value])?;
                            return Ok(());
                        }
                    }
                }
                self.generic_setattr(inst, obj, name, value)
            }
            Value::Class(cls) => {
                if !cls.is_user {
                    return Err(Exc::type_error(format!(
                        "cannot set '{}' attribute of immutable type '{}'",
                        name.as_str(),
                        cls.name()
                    )));
                }
                if let ("__qualname__", Value::Str(s)) = (name.as_str(), &value) {
                    // Kept on the class itself, not in its dict, where subclasses would
                    // find it.
                    *cls.qualname.borrow_mut() = s.clone();
                    return Ok(());
                }
                let old = cls.dict.get_str(name);
                if may_change_descriptors(name.as_str(), Some(&value))
                    || may_change_descriptors(name.as_str(), old.as_ref())
                {
                    descriptors_changed();
                }
                cls.dict.set_str(name.clone(), value);
                Ok(())
            }
            Value::Module(m) => {
                m.dict.set_str(name.clone(), value);
                Ok(())
            }
            Value::Function(f) => {
                match name.as_str() {
                    "__name__" | "__qualname__" => {
                        let Value::Str(s) = &value else {
                            return Err(Exc::type_error(format!(
                                "{} must be set to a string object",
                                name.as_str()
                            )));
                        };
                        if name.as_str() == "__name__" {
                            *f.name.borrow_mut() = s.clone();
                        } else {
                            *f.qualname.borrow_mut() = s.clone();
                        }
                    }
                    _ => {
                        let d = f
                            .dict
                            .borrow_mut()
                            .get_or_insert_with(Value::new_dict)
                            .clone();
                        d.set_str(name.clone(), value);
                    }
                }
                Ok(())
            }
            _ => {
                let tn = self.type_name(obj);
                let has = self.class_of(obj).lookup(name).is_some();
                Err(Exc::attribute_error(if has {
                    format!("'{tn}' object attribute '{}' is read-only", name.as_str())
                } else {
                    format!("'{tn}' object has no attribute '{}'", name.as_str())
                }))
            }
        }
    }

    /// `object.__setattr__`: properties and exception fields, then the instance dict.
    pub fn generic_setattr(
        &mut self,
        inst: &Rc<Instance>,
        obj: &Value,
        name: &Rc<PyStr>,
        value: Value,
    ) -> PResult<()> {
        let cls = inst.class.clone();
        if let Some(attr) = cls.lookup(name) {
            match &attr {
                Value::Property(p) => {
                    if p.fset.is_none() {
                        return Err(Exc::attribute_error(format!(
                            "property '{}' of '{}' object has no setter",
                            name.as_str(),
                            cls.name()
                        )));
                    }
                    let setter = p.fset.clone();
                    self.call(&setter, &[obj.clone(), value])?;
                    return Ok(());
                }
                Value::Instance(desc) => {
                    if let Some(set) = desc.class.lookup_str("__set__") {
                        self.call(&set, &[attr.clone(), obj.clone(), value])?;
                        return Ok(());
                    }
                }
                Value::Member(m) => return self.member_set(m, obj, value),
                _ => {}
            }
        }
        if let Some(data) = &inst.exc {
            match name.as_str() {
                "args" => {
                    let items = self.collect(&value)?;
                    *data.args.borrow_mut() = Value::tuple(items);
                    return Ok(());
                }
                "__cause__" => {
                    *data.cause.borrow_mut() = value;
                    data.suppress_context.set(true);
                    return Ok(());
                }
                "__context__" => {
                    *data.context.borrow_mut() = value;
                    return Ok(());
                }
                "__suppress_context__" => {
                    let b = self.truthy(&value)?;
                    data.suppress_context.set(b);
                    return Ok(());
                }
                "__traceback__" => return Ok(()),
                "message" | "exceptions"
                    if cls.is_subclass(&self.types.exc(ExcKind::BaseExceptionGroup)) =>
                {
                    return Err(Exc::attribute_error("readonly attribute"));
                }
                _ => {}
            }
        }
        if !cls.has_dict {
            return Err(self.no_attribute(obj, name));
        }
        inst.dict_set(name, value);
        Ok(())
    }

    /// `del obj.name`.
    pub fn del_attr(&mut self, obj: &Value, name: &Rc<PyStr>) -> PResult<()> {
        match obj {
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                let attr = cls.lookup(name);
                if let Some(Value::Member(m)) = &attr {
                    return self.member_delete(m, obj);
                }
                if let Some(Value::Property(p)) = attr {
                    if p.fdel.is_none() {
                        return Err(Exc::attribute_error(format!(
                            "property '{}' of '{}' object has no deleter",
                            name.as_str(),
                            cls.name()
                        )));
                    }
                    let deleter = p.fdel.clone();
                    self.call(&deleter, std::slice::from_ref(obj))?;
                    return Ok(());
                }
                if let Some(f) = cls.lookup_str("__delattr__") {
                    if !matches!(f, Value::Native(_)) {
                        self.call(&f, &[obj.clone(), Value::Str(name.clone())])?;
                        return Ok(());
                    }
                }
                match inst.dict_remove(name) {
                    Some(_) => Ok(()),
                    None => Err(self.no_attribute(obj, name)),
                }
            }
            Value::Class(cls) if cls.is_user => match cls.dict.remove_str(name) {
                Some(old) => {
                    if may_change_descriptors(name.as_str(), Some(&old)) {
                        descriptors_changed();
                    }
                    Ok(())
                }
                None => Err(Exc::attribute_error(format!(
                    "type object '{}' has no attribute '{}'",
                    cls.name(),
                    name.as_str()
                ))),
            },
            Value::Module(m) => match m.dict.remove_str(name) {
                Some(_) => Ok(()),
                None => Err(Exc::attribute_error(format!(
                    "module '{}' has no attribute '{}'",
                    m.name.as_str(),
                    name.as_str()
                ))),
            },
            _ => Err(self.no_attribute(obj, name)),
        }
    }

    /// The instance whose slot `m` names, or the TypeError CPython raises for an object
    /// of another class.
    fn member_target<'a>(&self, m: &Member, obj: &'a Value) -> PResult<&'a Rc<Instance>> {
        if let (Value::Instance(inst), Some(owner)) = (obj, m.owner.upgrade()) {
            if inst.class.is_subclass(&owner) && inst.has_slot(m.index) {
                return Ok(inst);
            }
        }
        Err(Exc::type_error(format!(
            "descriptor '{}' for '{}' objects doesn't apply to a '{}' object",
            m.name.as_str(),
            m.owner_name.as_str(),
            self.type_name(obj)
        )))
    }

    /// Reads a `__slots__` value.
    pub fn member_get(&mut self, m: &Member, obj: &Value) -> PResult<Value> {
        match self.member_target(m, obj)?.slot(m.index) {
            Some(v) => Ok(v),
            None => Err(self.no_attribute(obj, &m.name)),
        }
    }

    /// Sets a `__slots__` value.
    pub fn member_set(&mut self, m: &Member, obj: &Value, value: Value) -> PResult<()> {
        let old = self.member_target(m, obj)?.set_slot(m.index, value);
        drop(old);
        Ok(())
    }

    /// Unsets a `__slots__` value: AttributeError (with just the name) if it is unset.
    pub fn member_delete(&mut self, m: &Member, obj: &Value) -> PResult<()> {
        match self.member_target(m, obj)?.set_slot(m.index, Value::Null) {
            Some(Value::Null) | None => Err(Exc::attribute_error(m.name.as_str())),
            Some(_) => Ok(()),
        }
    }

    /// `BeforeWith`/`BeforeAsyncWith`: `(bound exit, result of enter)`.
    pub fn before_with(&mut self, mgr: &Value, is_async: bool) -> PResult<(Value, Value)> {
        let (enter, exit) = if is_async {
            ("__aenter__", "__aexit__")
        } else {
            ("__enter__", "__exit__")
        };
        let cls = self.class_of(mgr);
        let protocol = if is_async {
            "asynchronous context manager"
        } else {
            "context manager"
        };
        let Some(enter_fn) = cls.lookup_str(enter) else {
            return Err(Exc::type_error(format!(
                "'{}' object does not support the {protocol} protocol",
                cls.name()
            )));
        };
        let Some(exit_fn) = cls.lookup_str(exit) else {
            return Err(Exc::type_error(format!(
                "'{}' object does not support the {protocol} protocol (missed {exit} method)",
                cls.name()
            )));
        };
        let exit_bound = self.bind_descriptor(&exit_fn, mgr, &cls)?;
        let enter_bound = self.bind_descriptor(&enter_fn, mgr, &cls)?;
        let entered = self.call_args(&enter_bound, Args::new(&[]))?;
        Ok((exit_bound, entered))
    }
}
