//! The built-in types as `Class` values (so `type(x)`, `isinstance` and subclassing work
//! uniformly) and `Vm::class_of`. The methods in their dicts are registered by `vm::methods`.

use crate::compile::code::CodeKind;
use crate::vm::exception::ExcKind;
use crate::vm::machine::Vm;
use crate::vm::object::class::{Class, Layout};
use crate::vm::object::dict::Dict;
use crate::vm::object::misc::WrapperKind;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use hashbrown::HashMap;
use std::cell::RefCell;
use std::rc::Rc;

pub struct Types {
    pub object: Rc<Class>,
    pub type_: Rc<Class>,
    pub int: Rc<Class>,
    pub bool_: Rc<Class>,
    pub float: Rc<Class>,
    pub str_: Rc<Class>,
    pub bytes: Rc<Class>,
    pub list: Rc<Class>,
    pub tuple: Rc<Class>,
    pub dict: Rc<Class>,
    pub set: Rc<Class>,
    pub frozenset: Rc<Class>,
    pub none: Rc<Class>,
    pub not_implemented: Rc<Class>,
    pub ellipsis: Rc<Class>,
    pub function: Rc<Class>,
    pub builtin_function: Rc<Class>,
    pub method: Rc<Class>,
    pub module: Rc<Class>,
    pub cell: Rc<Class>,
    pub code: Rc<Class>,
    pub generator: Rc<Class>,
    pub coroutine: Rc<Class>,
    pub async_generator: Rc<Class>,
    pub range: Rc<Class>,
    pub slice: Rc<Class>,
    pub property: Rc<Class>,
    pub member_descriptor: Rc<Class>,
    pub staticmethod: Rc<Class>,
    pub classmethod: Rc<Class>,
    pub super_: Rc<Class>,
    pub dict_keys: Rc<Class>,
    pub dict_values: Rc<Class>,
    pub dict_items: Rc<Class>,
    exceptions: Vec<Rc<Class>>,
    /// Iterator types, created on first use by name (`list_iterator`, `zip`, ...).
    iterators: RefCell<HashMap<&'static str, Rc<Class>>>,
}

pub fn new_class(name: &str, bases: Vec<Rc<Class>>, layout: Layout) -> Rc<Class> {
    let mro = match bases.first() {
        Some(base) => {
            let mut mro = vec![base.clone()];
            mro.extend(base.mro.iter().cloned());
            mro
        }
        None => Vec::new(),
    };
    let name = Rc::new(PyStr::new(name));
    Rc::new(Class {
        gc: Default::default(),
        qualname: RefCell::new(name.clone()),
        name,
        mro,
        dict: Rc::new(Dict::new()),
        layout,
        is_user: false,
        data_descriptors: std::cell::Cell::new(None),
        slot_count: 0,
        // Every built-in class but `object` gives its instances a dict.
        has_dict: !bases.is_empty(),
        shared_keys: RefCell::new(Vec::new()),
        builtin_new: std::cell::Cell::new(None),
        ctor: RefCell::new(None),
        special: RefCell::new(Vec::new()),
        bases,
    })
}

impl Types {
    pub fn new() -> Types {
        let object = new_class("object", Vec::new(), Layout::Object);
        let b = |name: &str| new_class(name, vec![object.clone()], Layout::Builtin);
        let int = b("int");
        let bool_ = new_class("bool", vec![int.clone()], Layout::Builtin);
        let mut exceptions: Vec<Rc<Class>> = Vec::new();
        for kind in ExcKind::ALL {
            let base = if *kind == ExcKind::BaseException {
                object.clone()
            } else {
                exceptions
                    .get(kind.parent() as usize)
                    .cloned()
                    .unwrap_or_else(|| object.clone())
            };
            exceptions.push(new_class(kind.name(), vec![base], Layout::Exception));
        }
        let eg_idx = ExcKind::ExceptionGroup as usize;
        if let (Some(beg), Some(exc)) = (
            exceptions
                .get(ExcKind::BaseExceptionGroup as usize)
                .cloned(),
            exceptions.get(ExcKind::Exception as usize).cloned(),
        ) {
            let bases = vec![beg, exc];
            if let Some(mro) = crate::vm::object::class::c3_mro(&bases) {
                let name = Rc::new(PyStr::new("ExceptionGroup"));
                let cls = Rc::new(Class {
                    gc: Default::default(),
                    qualname: RefCell::new(name.clone()),
                    name,
                    bases,
                    mro,
                    dict: Rc::new(Dict::new()),
                    layout: Layout::Exception,
                    is_user: false,
                    data_descriptors: std::cell::Cell::new(None),
                    slot_count: 0,
                    has_dict: true,
                    shared_keys: RefCell::new(Vec::new()),
                    builtin_new: std::cell::Cell::new(None),
                    ctor: RefCell::new(None),
                    special: RefCell::new(Vec::new()),
                });
                if let Some(slot) = exceptions.get_mut(eg_idx) {
                    *slot = cls;
                }
            }
        }
        Types {
            type_: b("type"),
            float: b("float"),
            str_: b("str"),
            bytes: b("bytes"),
            list: b("list"),
            tuple: b("tuple"),
            dict: b("dict"),
            set: b("set"),
            frozenset: b("frozenset"),
            none: b("NoneType"),
            not_implemented: b("NotImplementedType"),
            ellipsis: b("ellipsis"),
            function: b("function"),
            builtin_function: b("builtin_function_or_method"),
            method: b("method"),
            module: b("module"),
            cell: b("cell"),
            code: b("code"),
            generator: b("generator"),
            coroutine: b("coroutine"),
            async_generator: b("async_generator"),
            range: b("range"),
            slice: b("slice"),
            property: b("property"),
            member_descriptor: b("member_descriptor"),
            staticmethod: b("staticmethod"),
            classmethod: b("classmethod"),
            super_: b("super"),
            dict_keys: b("dict_keys"),
            dict_values: b("dict_values"),
            dict_items: b("dict_items"),
            int,
            bool_,
            object,
            exceptions,
            iterators: RefCell::new(HashMap::new()),
        }
    }

    pub fn exc(&self, kind: ExcKind) -> Rc<Class> {
        self.exceptions
            .get(kind as usize)
            .cloned()
            .unwrap_or_else(|| self.object.clone())
    }

    pub fn iterator(&self, name: &'static str) -> Rc<Class> {
        let mut map = self.iterators.borrow_mut();
        map.entry(name)
            .or_insert_with(|| new_class(name, vec![self.object.clone()], Layout::Builtin))
            .clone()
    }

    /// Every built-in class that should be visible as a builtin name.
    pub fn builtin_names(&self) -> Vec<(&'static str, Rc<Class>)> {
        let mut res = vec![
            ("object", self.object.clone()),
            ("type", self.type_.clone()),
            ("int", self.int.clone()),
            ("bool", self.bool_.clone()),
            ("float", self.float.clone()),
            ("str", self.str_.clone()),
            ("bytes", self.bytes.clone()),
            ("list", self.list.clone()),
            ("tuple", self.tuple.clone()),
            ("dict", self.dict.clone()),
            ("set", self.set.clone()),
            ("frozenset", self.frozenset.clone()),
            ("range", self.range.clone()),
            ("slice", self.slice.clone()),
            ("property", self.property.clone()),
            ("staticmethod", self.staticmethod.clone()),
            ("classmethod", self.classmethod.clone()),
            ("super", self.super_.clone()),
        ];
        for kind in ExcKind::ALL {
            res.push((kind.name(), self.exc(*kind)));
        }
        // CPython's old names for OSError.
        res.push(("EnvironmentError", self.exc(ExcKind::OSError)));
        res.push(("IOError", self.exc(ExcKind::OSError)));
        res
    }
}

impl Default for Types {
    fn default() -> Types {
        Types::new()
    }
}

impl Vm {
    /// The class of a value of the built-in kinds whose methods programs call most, borrowed
    /// (`class_of` returns a new reference); `None` for the other kinds.
    #[inline(always)]
    pub fn builtin_class_ref(&self, v: &Value) -> Option<&Rc<Class>> {
        let t = &self.types;
        Some(match v {
            Value::Str(_) => &t.str_,
            Value::List(_) => &t.list,
            Value::Dict(_) => &t.dict,
            Value::Tuple(_) => &t.tuple,
            Value::Int(_) | Value::BigInt(_) => &t.int,
            Value::Float(_) => &t.float,
            Value::Bytes(_) => &t.bytes,
            _ => return None,
        })
    }

    pub fn class_of(&self, v: &Value) -> Rc<Class> {
        let t = &self.types;
        match v {
            Value::None => t.none.clone(),
            Value::Null => t.none.clone(),
            Value::NotImplemented => t.not_implemented.clone(),
            Value::Ellipsis => t.ellipsis.clone(),
            Value::Bool(_) => t.bool_.clone(),
            Value::Int(_) | Value::BigInt(_) => t.int.clone(),
            Value::Float(_) => t.float.clone(),
            Value::Str(_) => t.str_.clone(),
            Value::Bytes(_) => t.bytes.clone(),
            Value::List(_) => t.list.clone(),
            Value::Tuple(_) => t.tuple.clone(),
            Value::Dict(_) => t.dict.clone(),
            Value::Set(s) => {
                if s.frozen {
                    t.frozenset.clone()
                } else {
                    t.set.clone()
                }
            }
            Value::Function(_) => t.function.clone(),
            Value::Native(_) => t.builtin_function.clone(),
            Value::Method(m) => match m.func {
                Value::Native(_) => t.builtin_function.clone(),
                _ => t.method.clone(),
            },
            Value::Class(_) => t.type_.clone(),
            Value::Instance(i) => i.class.clone(),
            Value::Module(_) => t.module.clone(),
            Value::Cell(_) => t.cell.clone(),
            Value::Code(_) => t.code.clone(),
            Value::Generator(g) => match g.kind {
                CodeKind::Coroutine => t.coroutine.clone(),
                CodeKind::AsyncGenerator => t.async_generator.clone(),
                _ => t.generator.clone(),
            },
            Value::Iter(it) => t.iterator(it.type_name()),
            Value::Range(_) => t.range.clone(),
            Value::Slice(_) => t.slice.clone(),
            Value::Property(_) => t.property.clone(),
            Value::Member(_) => t.member_descriptor.clone(),
            Value::Wrapper(w) => match w.kind {
                WrapperKind::StaticMethod => t.staticmethod.clone(),
                WrapperKind::ClassMethod => t.classmethod.clone(),
            },
            Value::Super(_) => t.super_.clone(),
            Value::DictView(view) => match view.kind {
                crate::vm::object::misc::ViewKind::Keys => t.dict_keys.clone(),
                crate::vm::object::misc::ViewKind::Values => t.dict_values.clone(),
                crate::vm::object::misc::ViewKind::Items => t.dict_items.clone(),
            },
        }
    }

    /// `type(v).__name__`.
    pub fn type_name(&self, v: &Value) -> String {
        self.class_of(v).name().to_owned()
    }
}
