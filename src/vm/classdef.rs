//! Class creation (`BuildClass`): runs the class body in a fresh namespace, computes the C3
//! MRO, lays out `__slots__` (one member descriptor per slot), creates the class and fills the
//! body's `__class__` cell. Also imports
//! (`ImportName`/`ImportFrom`) and the REPL's `PrintExpr`, which need the same module-level
//! view of the VM.

use crate::compile::scope::mangle;
use crate::vm::call::Callee;
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::gc;
use crate::vm::machine::Vm;
use crate::vm::methods::str::is_identifier;
use crate::vm::object::class::{c3_mro, Class, Layout};
use crate::vm::object::dict::Dict;
use crate::vm::object::function::Args;
use crate::vm::object::misc::Member;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::cell::RefCell;
use std::rc::Rc;

/// Where a new class's own slots go: indices `first..`, one per name (mangled, sorted).
struct SlotsLayout {
    first: usize,
    names: Vec<Rc<PyStr>>,
    has_dict: bool,
}

/// Arguments spread out of a sequence and a mapping (`f(*args, **kwargs)`), owned.
pub struct Spread {
    pub pos: Vec<Value>,
    pub kwnames: Vec<Rc<PyStr>>,
    pub kwvals: Vec<Value>,
}

impl Spread {
    pub fn args(&self) -> Args<'_> {
        Args {
            pos: &self.pos,
            kwnames: &self.kwnames,
            kwvals: &self.kwvals,
        }
    }
}

impl Vm {
    /// `BuildClass`: `body` is the class body function, `name` the class name.
    pub fn build_class(&mut self, body: &Value, name: &Value, bases: Vec<Value>) -> PResult<Value> {
        let Value::Function(func) = body else {
            return Err(Exc::internal("BuildClass without a body function"));
        };
        let Some(name) = name.as_str().map(str::to_owned) else {
            return Err(Exc::type_error("class name must be a string"));
        };
        let mut base_classes = Vec::with_capacity(bases.len());
        for base in &bases {
            match base {
                Value::Class(c) => base_classes.push(c.clone()),
                other => {
                    return Err(Exc::type_error(format!(
                        "bases must be types, not {}",
                        self.type_name(other)
                    )))
                }
            }
        }
        for base in &base_classes {
            if base.layout == Layout::Builtin {
                return Err(Exc::type_error(format!(
                    "subclassing built-in type '{}' is not supported yet",
                    base.name()
                )));
            }
        }
        let ns = Value::new_dict();
        let module = func
            .globals
            .get_str(&PyStr::new("__name__"))
            .unwrap_or(Value::str("__main__"));
        ns.set_item_str("__module__", module);
        ns.set_item_str("__qualname__", Value::Str(func.code.qualname.clone()));
        let frame = match self.bind_call(func, None, Args::new(&[]))? {
            Callee::Frame(mut frame) => {
                frame.set_namespace(ns.clone());
                frame
            }
            Callee::Done(_) => return Err(Exc::internal("class body is a generator")),
        };
        let cell = self.run_to_value(frame)?;
        let cls = self.make_class(&name, base_classes, ns)?;
        if let Value::Cell(cell) = cell {
            cell.set(Value::Class(cls.clone()));
        }
        self.set_names(&cls)?;
        self.init_subclass(&cls)?;
        Ok(Value::Class(cls))
    }

    /// Calls `__set_name__(cls, name)` on every attribute of a new class that has one.
    fn set_names(&mut self, cls: &Rc<Class>) -> PResult<()> {
        for key in cls.dict.keys() {
            let Value::Str(name) = &key else { continue };
            let Some(value) = cls.dict.get_str(name) else {
                continue;
            };
            let has_hook = matches!(value, Value::Instance(_))
                && self.class_of(&value).lookup_str("__set_name__").is_some();
            if has_hook {
                self.call_method(&value, "__set_name__", &[Value::Class(cls.clone()), key])?;
            }
        }
        Ok(())
    }

    /// Calls the nearest base's `__init_subclass__` with the new class (implicitly a class
    /// method, as in CPython; `object`'s does nothing).
    fn init_subclass(&mut self, cls: &Rc<Class>) -> PResult<()> {
        let key = PyStr::new("__init_subclass__");
        let Some(hook) = cls.mro.iter().find_map(|c| c.dict.get_str(&key)) else {
            return Ok(());
        };
        let func = match &hook {
            Value::Wrapper(w) => w.func.clone(),
            other => other.clone(),
        };
        self.call(&func, &[Value::Class(cls.clone())]).map(|_| ())
    }

    /// Creates a user class from its parts (also `type(name, bases, dict)`).
    pub fn make_class(
        &mut self,
        name: &str,
        mut bases: Vec<Rc<Class>>,
        ns: Rc<crate::vm::object::dict::Dict>,
    ) -> PResult<Rc<Class>> {
        if bases.is_empty() {
            bases.push(self.types.object.clone());
        }
        let Some(mro) = c3_mro(&bases) else {
            let names: Vec<&str> = bases.iter().map(|b| b.name()).collect();
            return Err(Exc::type_error(format!(
                "Cannot create a consistent method resolution\norder (MRO) for bases {}",
                names.join(", ")
            )));
        };
        let layout = if bases.iter().any(|b| b.layout == Layout::Exception) {
            Layout::Exception
        } else {
            Layout::Object
        };
        let qualname = match ns.remove_str(&PyStr::new("__qualname__")) {
            Some(Value::Str(s)) => s,
            _ => Rc::new(PyStr::new(name)),
        };
        // `__eq__` without `__hash__` makes instances unhashable.
        let eq_key = PyStr::new("__eq__");
        let hash_key = PyStr::new("__hash__");
        if ns.get_str(&eq_key).is_some() && ns.get_str(&hash_key).is_none() {
            ns.set_item_str("__hash__", Value::None);
        }
        let slots = self.slots_layout(name, &bases, &ns)?;
        let class_name = Rc::new(PyStr::new(name));
        let cls = Rc::new_cyclic(|owner| {
            // One member descriptor per new slot, after the body's names.
            for (i, slot) in slots.names.iter().enumerate() {
                let member = Member {
                    name: slot.clone(),
                    index: slots.first + i,
                    owner: owner.clone(),
                    owner_name: class_name.clone(),
                };
                ns.set_str(slot.clone(), Value::Member(Rc::new(member)));
            }
            Class {
                gc: Default::default(),
                name: class_name.clone(),
                qualname: RefCell::new(qualname),
                bases,
                mro,
                dict: ns,
                layout,
                is_user: true,
                data_descriptors: std::cell::Cell::new(None),
                slot_count: slots.first + slots.names.len(),
                has_dict: slots.has_dict,
                shared_keys: RefCell::new(Vec::new()),
                builtin_new: std::cell::Cell::new(None),
                ctor: RefCell::new(None),
                special: RefCell::new(Vec::new()),
            }
        });
        gc::track(&cls);
        Ok(cls)
    }

    /// The instance layout a class statement's `__slots__` asks for, checked as CPython
    /// checks it. Without `__slots__`, instances have a dict (and the bases' slots).
    fn slots_layout(&mut self, name: &str, bases: &[Rc<Class>], ns: &Dict) -> PResult<SlotsLayout> {
        // The base whose slots come first: the one with the most; any other base with slots
        // must be one of its ancestors, or the two layouts cannot be merged.
        let mut widest: Option<&Rc<Class>> = None;
        for base in bases {
            if base.slot_count > widest.map_or(0, |w| w.slot_count) {
                widest = Some(base);
            }
        }
        if let Some(w) = widest {
            if bases.iter().any(|b| b.slot_count > 0 && !w.is_subclass(b)) {
                return Err(Exc::type_error(
                    "multiple bases have instance lay-out conflict",
                ));
            }
        }
        let first = widest.map_or(0, |w| w.slot_count);
        let mut has_dict = bases.iter().any(|b| b.has_dict);
        let Some(spec) = ns.get_str(&PyStr::new("__slots__")) else {
            return Ok(SlotsLayout {
                first,
                names: Vec::new(),
                has_dict: true,
            });
        };
        let items = match &spec {
            Value::Str(_) => vec![spec.clone()],
            other => self.collect(other)?,
        };
        let mut names: Vec<Rc<PyStr>> = Vec::new();
        for item in &items {
            let Value::Str(slot) = item else {
                return Err(Exc::type_error(format!(
                    "__slots__ items must be strings, not '{}'",
                    self.type_name(item)
                )));
            };
            if !is_identifier(slot.as_str()) {
                return Err(Exc::type_error("__slots__ must be identifiers"));
            }
            match slot.as_str() {
                "__dict__" if has_dict => {
                    return Err(Exc::type_error(
                        "__dict__ slot disallowed: we already got one",
                    ))
                }
                "__dict__" => has_dict = true,
                // Instances cannot be weakly referenced in apy; the name is accepted.
                "__weakref__" => {}
                _ => {
                    let mangled = mangle(Some(name), &Rc::from(slot.as_str()));
                    names.push(Rc::new(PyStr::new(&mangled)));
                }
            }
        }
        // CPython lays the slots out in sorted order.
        names.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        names.dedup_by(|a, b| a.as_str() == b.as_str());
        if let Some(clash) = names.iter().find(|n| ns.get_str(n).is_some()) {
            return Err(Exc::new(
                ExcKind::ValueError,
                format!(
                    "'{}' in __slots__ conflicts with class variable",
                    clash.as_str()
                ),
            ));
        }
        Ok(SlotsLayout {
            first,
            names,
            has_dict,
        })
    }

    /// `import name`.
    pub fn import(&mut self, name: &str) -> PResult<Value> {
        if let Some(m) = self.modules.get(name) {
            return Ok(m.clone());
        }
        if let Some(init) = self.module_registry.get(name).copied() {
            let module = init(self)?;
            self.modules.insert(name.to_owned(), module.clone());
            return Ok(module);
        }
        if let Some(loader) = self.source_loader {
            if let Some(res) = loader(self, name) {
                let module = res?;
                self.modules.insert(name.to_owned(), module.clone());
                return Ok(module);
            }
        }
        let exc = self.exc_value(Exc::new(
            ExcKind::ModuleNotFoundError,
            format!("No module named '{name}'"),
        ));
        if let Value::Instance(inst) = &exc {
            inst.dict().set_item_str("name", Value::str(name));
        }
        Err(Exc::value(exc))
    }

    /// `ImportName` (`[] -> [module]`) or `ImportFrom` (`[module] -> [module value]`).
    pub(crate) fn op_import(
        &mut self,
        cur: &mut crate::vm::frame::Frame,
        names: &[Rc<PyStr>],
        instr: &crate::compile::code::Instr,
    ) -> PResult<()> {
        use crate::compile::code::Instr;
        use crate::vm::interp_ops::name_at;
        let v = match *instr {
            Instr::ImportName(i) => self.import(name_at(names, i)?.as_str())?,
            Instr::ImportFrom(i) => {
                let module = cur.stack.last().cloned();
                let module = module.ok_or_else(|| Exc::internal("operand stack underflow"))?;
                self.import_from(&module, name_at(names, i)?)?
            }
            _ => return Err(Exc::internal("not an import instruction")),
        };
        cur.push(v);
        Ok(())
    }

    /// `from module import name`.
    pub fn import_from(&mut self, module: &Value, name: &Rc<PyStr>) -> PResult<Value> {
        match self.get_attr(module, name) {
            Ok(v) => Ok(v),
            Err(e) if self.exc_matches(&e, ExcKind::AttributeError) => {
                let mname = match module {
                    Value::Module(m) => m.name.as_str().to_owned(),
                    _ => "?".to_owned(),
                };
                Err(Exc::new(
                    ExcKind::ImportError,
                    format!(
                        "cannot import name '{}' from '{mname}' (unknown location)",
                        name.as_str()
                    ),
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// REPL echo: `repr(v)` unless `None`, bound to `_`.
    pub fn print_expr(&mut self, v: Value) -> PResult<()> {
        if v.is_none() {
            return Ok(());
        }
        let text = self.repr(&v)?;
        self.write_out(&text);
        self.write_out("\n");
        // As `sys.displayhook`: `_` lives in the builtins, so a global `_` can shadow it.
        self.builtins.set_item_str("_", v);
        Ok(())
    }

    /// The arguments of `f(*args, **kwargs)`.
    pub fn spread_args(&mut self, args: &Value, kwargs: Option<&Value>) -> PResult<Spread> {
        let pos = match args {
            Value::Tuple(t) => t.items.to_vec(),
            Value::List(l) => l.snapshot(),
            other => self.collect(other)?,
        };
        let mut names = Vec::new();
        let mut vals = Vec::new();
        if let Some(Value::Dict(d)) = kwargs {
            for entry in d.entries() {
                match entry.key {
                    Value::Str(s) => {
                        names.push(s);
                        vals.push(entry.value);
                    }
                    _ => return Err(Exc::type_error("keywords must be strings")),
                }
            }
        }
        Ok(Spread {
            pos,
            kwnames: names,
            kwvals: vals,
        })
    }
}
