//! Callable kinds: `Code` (a loaded CodeObject with its constants turned into values),
//! `Function` (code + globals + defaults + closure), `Native` (a Rust function), `BoundMethod`,
//! and `Cell` (a closure variable). Argument binding lives in `vm::call`.

use crate::compile::code::{CodeObject, Const};
use crate::vm::exception::PResult;
use crate::vm::gc::{self, GcHeader, Trace, Visit};
use crate::vm::machine::Vm;
use crate::vm::object::cache::{AttrCache, ClassCache, MethodCache};
use crate::vm::object::dict::Dict;
use crate::vm::object::generator::{NativeStep, NATIVE_VALUES};
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::cell::{Cell as StdCell, RefCell};
use std::rc::Rc;

/// A CodeObject ready to run: constants as values, names as interned strings with their hash
/// cached, keyword-name tuples pre-split for `CallKw`.
pub struct Code {
    pub obj: Rc<CodeObject>,
    pub consts: Vec<Value>,
    pub names: Vec<Rc<PyStr>>,
    pub varnames: Vec<Rc<PyStr>>,
    /// `cellvars ++ freevars`.
    pub cellnames: Vec<Rc<PyStr>>,
    /// For each constant that is a tuple of strings, those strings (keyword names of calls).
    pub kwnames: Vec<Rc<[Rc<PyStr>]>>,
    pub name: Rc<PyStr>,
    pub qualname: Rc<PyStr>,
    /// True when a call can bind positional arguments straight into the locals: a plain
    /// function (not a generator or coroutine) with no keyword-only parameters, `*args` or
    /// `**kwargs`.
    pub plain_call: bool,
    /// Slots a frame needs: the locals and the deepest operand stack.
    pub n_slots: usize,
    /// What `fast_call` reads, copied into each function made from this code.
    pub shape: CallShape,
    /// `LoadGlobal`'s cache, one entry per name (see `GlobalCache`).
    pub global_cache: Vec<StdCell<GlobalCache>>,
    /// `LoadAttr`/`StoreAttr`'s cache for instance attributes, one per name.
    pub attr_cache: Vec<ClassCache<AttrCache>>,
    /// `LoadMethod`'s cache for methods of instances, one per name.
    pub method_cache: Vec<ClassCache<MethodCache>>,
    /// Set on a coroutine function's code whose body runs natively (`Code::set_native`).
    pub native: StdCell<Option<NativeStep>>,
}

/// Where a global name was last found, valid while the dictionaries keep the versions seen
/// then (a dict version is unique across all dicts and changes with every insertion or
/// removal, so a matching version proves the same dict with the same layout; overwriting a
/// value keeps its entry, so the entry index stays right).
#[derive(Clone, Copy, Default)]
pub struct GlobalCache {
    /// The globals' version (0: nothing cached).
    pub globals_version: u64,
    /// The builtins' version when the name was found there, 0 when found in the globals.
    pub builtins_version: u64,
    /// The entry index in the dict that holds the name.
    pub entry: usize,
}

impl Code {
    /// The keyword names of a call (`CallKw`, `CallMethodKw`): constant `k`'s strings.
    pub fn kwnames_at(&self, k: u32) -> Rc<[Rc<PyStr>]> {
        self.kwnames
            .get(k as usize)
            .cloned()
            .unwrap_or_else(|| Rc::from(Vec::new()))
    }

    pub fn load(obj: Rc<CodeObject>) -> Rc<Code> {
        let consts: Vec<Value> = obj.consts.iter().map(const_value).collect();
        let kwnames = obj
            .consts
            .iter()
            .map(|c| match c {
                Const::Tuple(items) => items
                    .iter()
                    .filter_map(|i| match i {
                        Const::Str(s) => Some(Rc::new(PyStr::new(s))),
                        _ => None,
                    })
                    .collect(),
                _ => Rc::from(Vec::new()),
            })
            .collect();
        let intern = |names: &[Rc<str>]| -> Vec<Rc<PyStr>> {
            names
                .iter()
                .map(|n| crate::vm::object::str::intern_name(n))
                .collect()
        };
        let plain_args = obj.kwonlyargcount == 0 && !obj.has_varargs && !obj.has_varkw;
        let plain_call = plain_args && obj.kind == crate::compile::code::CodeKind::Function;
        let n_slots = obj.varnames.len() + obj.max_stack as usize;
        let shape = CallShape {
            plain: plain_call,
            plain_generator: plain_args && obj.is_generator_like(),
            has_cellvars: !obj.cellvars.is_empty(),
            argcount: obj.argcount,
            n_locals: obj.varnames.len(),
            n_slots,
        };
        Rc::new(Code {
            plain_call,
            n_slots,
            shape,
            global_cache: vec![StdCell::new(GlobalCache::default()); obj.names.len()],
            attr_cache: (0..obj.names.len())
                .map(|_| ClassCache::default())
                .collect(),
            method_cache: (0..obj.names.len())
                .map(|_| ClassCache::default())
                .collect(),
            names: intern(&obj.names),
            varnames: intern(&obj.varnames),
            cellnames: intern(&[obj.cellvars.clone(), obj.freevars.clone()].concat()),
            name: Rc::new(PyStr::new(&obj.name)),
            qualname: Rc::new(PyStr::new(&obj.qualname)),
            consts,
            kwnames,
            obj,
            native: StdCell::new(None),
        })
    }

    /// Gives a coroutine function's code a native body (see `NativeBody`): its calls still
    /// bind arguments as written, and the coroutine made keeps them instead of a frame.
    /// False (nothing set) for code that is not a coroutine's or has more locals than a
    /// native body keeps, or cells.
    pub fn set_native(&self, step: NativeStep) -> bool {
        let fits = self.obj.kind == crate::compile::code::CodeKind::Coroutine
            && self.n_locals() <= NATIVE_VALUES
            && self.cellnames.is_empty();
        if fits {
            self.native.set(Some(step));
        }
        fits
    }

    pub fn n_locals(&self) -> usize {
        self.obj.varnames.len()
    }
}

fn const_value(c: &Const) -> Value {
    match c {
        Const::None => Value::None,
        Const::Bool(b) => Value::bool(*b),
        Const::Ellipsis => Value::Ellipsis,
        Const::Int(i) => Value::Int(*i),
        Const::BigInt(b) => Value::from_bigint((**b).clone()),
        Const::Float(f) => Value::float(*f),
        Const::Str(s) => Value::str(s),
        Const::Bytes(b) => Value::Bytes(Rc::new(crate::vm::object::Bytes::new(b.to_vec()))),
        Const::Tuple(items) => Value::tuple(items.iter().map(const_value).collect()),
        Const::Code(code) => Value::Code(Code::load(code.clone())),
    }
}

/// What a call of a plain function needs to know of its code, kept in the `Function` itself:
/// one pointer hop from the callee on the stack instead of three (`fast_call`).
#[derive(Clone, Copy)]
pub struct CallShape {
    /// `Code::plain_call`.
    pub plain: bool,
    /// A generator, coroutine or async generator function with a plain call's parameters
    /// (`Vm::fast_generator`).
    pub plain_generator: bool,
    /// Frames need fresh cells (`Vm::finish_frame`).
    pub has_cellvars: bool,
    pub argcount: u32,
    pub n_locals: usize,
    pub n_slots: usize,
}

pub struct Function {
    pub code: Rc<Code>,
    /// `code.shape`.
    pub shape: CallShape,
    pub globals: Rc<Dict>,
    pub name: RefCell<Rc<PyStr>>,
    pub qualname: RefCell<Rc<PyStr>>,
    pub defaults: RefCell<Vec<Value>>,
    pub kwdefaults: RefCell<Option<Rc<Dict>>>,
    /// The cells of the code's freevars (shared with every frame of a function without
    /// cellvars).
    pub closure: Cells,
    /// Attributes set on the function object (`f.calls = 0`), created on first use.
    pub dict: RefCell<Option<Rc<Dict>>>,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

impl Function {
    pub fn new_value(
        code: Rc<Code>,
        globals: Rc<Dict>,
        defaults: Vec<Value>,
        kwdefaults: Option<Rc<Dict>>,
        closure: Vec<Rc<Cell>>,
    ) -> Value {
        let func = Rc::new(Function {
            gc: Default::default(),
            shape: code.shape,
            name: RefCell::new(code.name.clone()),
            qualname: RefCell::new(code.qualname.clone()),
            code,
            globals,
            defaults: RefCell::new(defaults),
            kwdefaults: RefCell::new(kwdefaults),
            closure: Rc::new(closure),
            dict: RefCell::new(None),
        });
        gc::track(&func);
        Value::Function(func)
    }
}

impl Trace for Function {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        let (Ok(defaults), Ok(kwdefaults), Ok(dict)) = (
            self.defaults.try_borrow(),
            self.kwdefaults.try_borrow(),
            self.dict.try_borrow(),
        ) else {
            return false;
        };
        gc::visit_rc(&self.globals, visit);
        gc::visit_values(&defaults, visit);
        if let Some(kw) = &*kwdefaults {
            gc::visit_rc(kw, visit);
        }
        if let Some(d) = &*dict {
            gc::visit_rc(d, visit);
        }
        for cell in self.closure.iter() {
            gc::visit_rc(cell, visit);
        }
        true
    }

    fn clear(&self) {
        if let Ok(mut d) = self.defaults.try_borrow_mut() {
            let old = std::mem::take(&mut *d);
            drop(d);
            drop(old);
        }
        if let Ok(mut d) = self.kwdefaults.try_borrow_mut() {
            let old = d.take();
            drop(d);
            drop(old);
        }
        if let Ok(mut d) = self.dict.try_borrow_mut() {
            let old = d.take();
            drop(d);
            drop(old);
        }
        // The globals and closure stay: the dict and cells are tracked and cleared themselves.
    }
}

/// Positional and keyword arguments of a call, borrowed from the caller's stack.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    pub pos: &'a [Value],
    pub kwnames: &'a [Rc<PyStr>],
    pub kwvals: &'a [Value],
}

impl<'a> Args<'a> {
    pub fn new(pos: &'a [Value]) -> Args<'a> {
        Args {
            pos,
            kwnames: &[],
            kwvals: &[],
        }
    }

    pub fn has_kw(&self) -> bool {
        !self.kwnames.is_empty()
    }

    /// The keyword argument `name`, if given.
    pub fn kw(&self, name: &str) -> Option<&'a Value> {
        self.kwnames
            .iter()
            .position(|k| k.as_str() == name)
            .and_then(|idx| self.kwvals.get(idx))
    }
}

pub type NativeFn = fn(&mut Vm, Args) -> PResult<Value>;

pub struct Native {
    pub name: &'static str,
    pub func: NativeFn,
    /// The type whose method this is (`str` for `str.upper`), for reprs.
    pub owner: Option<&'static str>,
}

pub struct BoundMethod {
    pub func: Value,
    pub obj: Value,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

impl BoundMethod {
    pub fn new_value(func: Value, obj: Value) -> Value {
        let method = Rc::new(BoundMethod {
            gc: Default::default(),
            func,
            obj,
        });
        gc::track(&method);
        Value::Method(method)
    }
}

impl Trace for BoundMethod {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        gc::visit_value(&self.func, visit);
        gc::visit_value(&self.obj, visit);
        true
    }

    /// Immutable: cycles through a bound method are broken elsewhere.
    fn clear(&self) {}
}

/// A function's closure cells, and a frame's `cellvars ++ freevars` (which a function
/// without cellvars shares with its frames): behind one thin pointer, so that a frame keeps
/// them in a word and fits 64 bytes.
pub type Cells = Rc<Vec<Rc<Cell>>>;

/// A closure variable; `Value::Null` while unbound.
pub struct Cell {
    pub value: RefCell<Value>,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

impl Cell {
    pub fn new(value: Value) -> Rc<Cell> {
        let cell = Rc::new(Cell {
            gc: Default::default(),
            value: RefCell::new(value),
        });
        gc::track(&cell);
        cell
    }

    pub fn get(&self) -> Value {
        self.value.borrow().clone()
    }

    pub fn set(&self, value: Value) {
        let old = std::mem::replace(&mut *self.value.borrow_mut(), value);
        drop(old);
    }
}

impl Trace for Cell {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        match self.value.try_borrow() {
            Ok(v) => {
                gc::visit_value(&v, visit);
                true
            }
            Err(_) => false,
        }
    }

    fn clear(&self) {
        if let Ok(mut v) = self.value.try_borrow_mut() {
            let old = std::mem::replace(&mut *v, Value::Null);
            drop(v);
            drop(old);
        }
    }
}
