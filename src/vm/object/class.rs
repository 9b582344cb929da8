//! `Class` (every type, built-in or user-defined, is one) and `Instance` (objects of user
//! classes, exceptions included: an exception instance carries an `ExcData` payload).
//! Also the C3 linearisation that computes a class's MRO.

use crate::vm::gc::{self, GcHeader, Trace, Visit};
use crate::vm::methods::exception::is_own_method;
use crate::vm::object::dict::{type_epoch, Dict};
use crate::vm::object::function::{Code, Function, NativeFn};
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;

/// One remembered `Class::lookup` result: where the name was found (the class at `pos` in
/// the class-then-MRO order, entry `entry` of its dict). Valid while the type epoch is the
/// same: any change to any class dict, and any new class, moves the epoch on. The entry's key
/// is checked against the name on use, so a reused address cannot return a wrong value.
#[derive(Clone, Copy)]
struct LookupEntry {
    epoch: u64,
    class: usize,
    name: usize,
    pos: usize,
    entry: usize,
}

const LOOKUP_SLOTS: usize = 1024;

thread_local! {
    /// The `()` every new exception starts with as its args (tuples are immutable).
    static EMPTY_TUPLE: Value = Value::tuple(Vec::new());
}

/// The shared empty tuple.
pub fn empty_tuple() -> Value {
    EMPTY_TUPLE.with(Value::clone)
}

thread_local! {
    static LOOKUPS: Vec<Cell<LookupEntry>> = vec![
        Cell::new(LookupEntry { epoch: 0, class: 0, name: 0, pos: 0, entry: 0 });
        LOOKUP_SLOTS
    ];
}

thread_local! {
    /// Moves on whenever a class attribute that can make a data descriptor comes or goes
    /// (`descriptors_changed`); a class's `data_descriptors` answer is kept with the value it
    /// was computed at.
    static DESCRIPTOR_EPOCH: Cell<u64> = const { Cell::new(1) };
}

/// Called when a class gains or loses an attribute that is (or may make) a data descriptor:
/// every class, its subclasses included, works out `has_data_descriptors` again.
pub fn descriptors_changed() {
    DESCRIPTOR_EPOCH.with(|e| e.set(e.get() + 1));
}

/// Whether setting or deleting a class attribute named `name` whose value is or was `value`
/// can change `has_data_descriptors` for the class or its subclasses.
pub fn may_change_descriptors(name: &str, value: Option<&Value>) -> bool {
    matches!(name, "__setattr__" | "__set__" | "__delete__")
        || matches!(
            value,
            Some(Value::Property(_) | Value::Member(_) | Value::Instance(_))
        )
}

/// What instances of a class are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A built-in type whose values are not `Instance`s (int, str, list, ...).
    Builtin,
    /// `object` and user classes: an `Instance` with a dict, or with `__slots__` values.
    Object,
    /// `BaseException` and subclasses: an `Instance` with `ExcData`.
    Exception,
}

pub struct Class {
    pub name: Rc<PyStr>,
    pub qualname: RefCell<Rc<PyStr>>,
    pub bases: Vec<Rc<Class>>,
    /// The MRO without the class itself (which always comes first).
    pub mro: Vec<Rc<Class>>,
    pub dict: Rc<Dict>,
    pub layout: Layout,
    /// True for classes created by a `class` statement.
    pub is_user: bool,
    /// Whether the class or a base defines a data descriptor (a property, a slot member, or
    /// an object with `__set__`; see `has_data_descriptors`), with the descriptor epoch it
    /// was computed at; `None` until computed. Without one, an instance attribute can be read
    /// from the instance dict before looking at the class.
    pub data_descriptors: Cell<Option<(u64, bool)>>,
    /// How many `__slots__` values an instance holds (its own and its bases').
    pub slot_count: usize,
    /// Whether instances have a `__dict__`: false for `object`, and for a class whose MRO
    /// declares `__slots__` (without `"__dict__"`) wherever a dict could come from.
    pub has_dict: bool,
    /// The attribute names instances have set, in the order first set (user classes only):
    /// an instance that sets its attributes in this order keeps just their values
    /// (`Instance::values`), as CPython's key-sharing dictionaries do.
    pub shared_keys: RefCell<Vec<Rc<PyStr>>>,
    /// A built-in type's native `__new__`, remembered the first time it is called
    /// (`builtin_new`).
    pub builtin_new: Cell<Option<NativeFn>>,
    /// `constructor()`'s answer and the type epoch it was found at.
    pub ctor: RefCell<Option<(u64, Constructor)>>,
    /// `lookup_special()`'s answers: the name's address, the type epoch, what was found.
    pub special: RefCell<Vec<(usize, u64, Option<Value>)>>,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

/// How many protocol methods a class remembers (`lookup_special`).
const SPECIAL_MAX: usize = 8;

/// What calling a class runs: `__init__` and `__new__` as found along its MRO.
#[derive(Clone)]
pub struct Constructor {
    pub init: Option<Value>,
    pub new: Option<Value>,
}

impl Constructor {
    /// `__new__` and `__init__` are BaseException's own (every built-in exception's, and a
    /// program's exception class that overrides neither).
    fn plain_exception(&self) -> bool {
        let own = |v: &Option<Value>, name| v.as_ref().is_some_and(|v| is_own_method(v, name));
        own(&self.new, "__new__") && own(&self.init, "__init__")
    }

    fn plain_init(&self) -> Option<Rc<Function>> {
        match (&self.init, &self.new) {
            (Some(Value::Function(init)), Some(Value::Native(new)))
                if new.owner == Some("object") && init.shape.plain =>
            {
                Some(init.clone())
            }
            _ => None,
        }
    }
}

/// At most this many shared keys per class; later names go to instance dicts.
const SHARED_KEYS_MAX: usize = 30;

impl Class {
    /// The class itself followed by its MRO.
    pub fn mro_iter<'a>(self: &'a Rc<Class>) -> impl Iterator<Item = &'a Rc<Class>> + 'a {
        std::iter::once(self).chain(self.mro.iter())
    }

    /// Looks `name` up along the MRO, through the lookup cache.
    pub fn lookup(self: &Rc<Class>, name: &PyStr) -> Option<Value> {
        self.lookup_at(name).map(|(_, _, v)| v)
    }

    /// `lookup`, also saying where the value was: the MRO position of the class whose dict
    /// holds it (0: this class) and its entry there.
    pub fn lookup_at(self: &Rc<Class>, name: &PyStr) -> Option<(usize, usize, Value)> {
        self.dict.mark_type_dict_once();
        let epoch = type_epoch();
        let class_addr = Rc::as_ptr(self) as usize;
        let name_addr = name as *const PyStr as usize;
        let slot = ((class_addr >> 4) ^ (name_addr >> 4).wrapping_mul(31)) % LOOKUP_SLOTS;
        let hit = LOOKUPS.with(|cache| cache.get(slot).map(Cell::get));
        if let Some(e) = hit {
            if e.epoch == epoch && e.class == class_addr && e.name == name_addr {
                let owner = match e.pos {
                    0 => Some(self),
                    pos => self.mro.get(pos - 1),
                };
                if let Some(v) = owner.and_then(|c| c.dict.str_entry_value(e.entry, name)) {
                    return Some((e.pos, e.entry, v));
                }
            }
        }
        for (pos, c) in self.mro_iter().enumerate() {
            c.dict.mark_type_dict_once();
            if let Some((entry, v)) = c.dict.find_str(name) {
                // Marking a base may have moved the epoch on.
                let entry = LookupEntry {
                    epoch: type_epoch(),
                    class: class_addr,
                    name: name_addr,
                    pos,
                    entry,
                };
                LOOKUPS.with(|cache| {
                    if let Some(cell) = cache.get(slot) {
                        cell.set(entry);
                    }
                });
                return Some((pos, entry.entry, v));
            }
        }
        None
    }

    /// The native `__new__` of a built-in type (`int`, `str`, `list`, ...), which a call of
    /// the type runs with the type before the arguments (`Layout::Builtin` types need no
    /// `__init__`). Found once and remembered: a built-in type cannot be changed (setting an
    /// attribute on one is a `TypeError`) nor subclassed, so the answer stays right. `None`
    /// for every other class, and for a built-in type that cannot be created.
    #[inline]
    pub fn builtin_new(self: &Rc<Class>) -> Option<NativeFn> {
        if self.layout != Layout::Builtin {
            return None;
        }
        if let Some(func) = self.builtin_new.get() {
            return Some(func);
        }
        let Some(Value::Native(new)) = self.lookup_str("__new__") else {
            return None;
        };
        self.builtin_new.set(Some(new.func));
        Some(new.func)
    }

    /// The class's `__init__` and `__new__`, remembered until a type changes (the type
    /// epoch moves): every instantiation asks, and two lookups along the MRO cost more than
    /// the rest of making a plain instance.
    pub fn constructor(self: &Rc<Class>) -> Constructor {
        self.with_constructor(Constructor::clone)
    }

    /// The class's `__init__` when it is a plain function (`FunctionShape::plain`) and
    /// `object.__new__` makes the instances: what `Vm::fast_init` calls straight. Every
    /// instantiation asks: the remembered constructor is read, not cloned.
    pub fn plain_init(self: &Rc<Class>) -> Option<Rc<Function>> {
        self.with_constructor(Constructor::plain_init)
    }

    /// Whether instances are made by BaseException's own `__new__` and `__init__` alone
    /// (`Vm::instantiate` then makes them directly).
    pub fn plain_exception(self: &Rc<Class>) -> bool {
        self.layout == Layout::Exception && self.with_constructor(Constructor::plain_exception)
    }

    fn with_constructor<R>(self: &Rc<Class>, read: impl FnOnce(&Constructor) -> R) -> R {
        if let Ok(ctor) = self.ctor.try_borrow() {
            if let Some((at, found)) = &*ctor {
                if *at == type_epoch() {
                    return read(found);
                }
            }
        }
        read(&self.find_constructor())
    }

    /// Looks `__init__` and `__new__` up and remembers them.
    fn find_constructor(self: &Rc<Class>) -> Constructor {
        let found = Constructor {
            init: self.lookup_str("__init__"),
            new: self.lookup_str("__new__"),
        };
        // A lookup may have moved the epoch on (marking a type dict).
        if let Ok(mut ctor) = self.ctor.try_borrow_mut() {
            *ctor = Some((type_epoch(), found.clone()));
        }
        found
    }

    /// `lookup_str` for a protocol method the VM looks up on every use (`__await__`,
    /// `__eq__`, `__len__`, `__getitem__`, ...), remembered until a type changes (the type
    /// epoch moves), as `constructor` is. A class remembers its first few.
    pub fn lookup_special(self: &Rc<Class>, name: &'static str) -> Option<Value> {
        let key = name.as_ptr() as usize;
        let epoch = type_epoch();
        if let Ok(special) = self.special.try_borrow() {
            if let Some((_, _, found)) = special.iter().find(|(k, at, _)| *k == key && *at == epoch)
            {
                return found.clone();
            }
        }
        let found = self.lookup_str(name);
        // A lookup may have moved the epoch on (marking a type dict).
        if let Ok(mut special) = self.special.try_borrow_mut() {
            let entry = (key, type_epoch(), found.clone());
            let full = special.len() >= SPECIAL_MAX;
            match special.iter_mut().find(|(k, _, _)| *k == key) {
                Some(slot) => *slot = entry,
                None if !full => special.push(entry),
                None => {}
            }
        }
        found
    }

    /// Looks up a name known at compile time (dunders), interned so no string is built.
    pub fn lookup_str(self: &Rc<Class>, name: &'static str) -> Option<Value> {
        self.lookup(&crate::vm::object::str::interned(name))
    }

    /// The class (in MRO order) that defines `name`.
    pub fn lookup_owner(self: &Rc<Class>, name: &PyStr) -> Option<(Rc<Class>, Value)> {
        self.mro_iter()
            .find_map(|c| c.dict.get_str(name).map(|v| (c.clone(), v)))
    }

    pub fn is_subclass(self: &Rc<Class>, other: &Rc<Class>) -> bool {
        self.mro_iter().any(|c| Rc::ptr_eq(c, other))
    }

    /// Whether attribute access cannot go straight to the instance dict: a data descriptor
    /// (property, `__slots__` member, an object with `__set__`/`__delete__`), a user
    /// `__setattr__`, or instances without a dict.
    pub fn has_data_descriptors(self: &Rc<Class>) -> bool {
        let epoch = DESCRIPTOR_EPOCH.with(Cell::get);
        if let Some((at, known)) = self.data_descriptors.get() {
            if at == epoch {
                return known;
            }
        }
        let found = !self.has_dict
            || self.has_user_setattr()
            || self.mro_iter().any(|c| {
                c.dict.values().iter().any(|v| match v {
                    Value::Property(_) | Value::Member(_) => true,
                    Value::Instance(i) => {
                        i.class.lookup_str("__set__").is_some()
                            || i.class.lookup_str("__delete__").is_some()
                    }
                    _ => false,
                })
            });
        self.data_descriptors.set(Some((epoch, found)));
        found
    }

    /// The position of `name` among the shared keys.
    pub fn shared_key(&self, name: &PyStr) -> Option<usize> {
        let keys = self.shared_keys.try_borrow().ok()?;
        let hash = name.hash();
        keys.iter().position(|k| {
            std::ptr::eq(&**k, name) || (k.hash() == hash && k.as_str() == name.as_str())
        })
    }

    /// Adds `name` as shared key number `at`, unless the keys have moved on or are full.
    fn add_shared_key(&self, at: usize, name: &Rc<PyStr>) -> bool {
        let Ok(mut keys) = self.shared_keys.try_borrow_mut() else {
            return false;
        };
        if keys.len() != at || at >= SHARED_KEYS_MAX {
            return false;
        }
        keys.push(name.clone());
        true
    }

    /// Whether a class of the MRO defines `__setattr__` in apy.
    pub fn has_user_setattr(self: &Rc<Class>) -> bool {
        let setattr = crate::vm::object::str::interned("__setattr__");
        self.mro_iter()
            .any(|c| c.is_user && c.dict.get_str(&setattr).is_some())
    }

    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    pub fn qualname(&self) -> Rc<PyStr> {
        self.qualname.borrow().clone()
    }

    /// `__module__` from the class dict (`builtins` for built-in types).
    pub fn module(&self) -> String {
        match self.dict.get_str(&PyStr::new("__module__")) {
            Some(Value::Str(s)) => s.as_str().to_owned(),
            _ => "builtins".to_owned(),
        }
    }
}

impl Drop for Class {
    /// A new class may be put at this address: forget what the lookup cache knows.
    fn drop(&mut self) {
        crate::vm::object::dict::bump_type_epoch();
    }
}

impl Trace for Class {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        for base in self.bases.iter().chain(self.mro.iter()) {
            gc::visit_rc(base, visit);
        }
        gc::visit_rc(&self.dict, visit);
        if let Ok(ctor) = self.ctor.try_borrow() {
            if let Some((_, found)) = &*ctor {
                for v in found.init.iter().chain(found.new.iter()) {
                    gc::visit_value(v, visit);
                }
            }
        }
        if let Ok(special) = self.special.try_borrow() {
            for (_, _, found) in special.iter() {
                if let Some(v) = found {
                    gc::visit_value(v, visit);
                }
            }
        }
        true
    }

    fn clear(&self) {
        if let Ok(mut ctor) = self.ctor.try_borrow_mut() {
            *ctor = None;
        }
        if let Ok(mut special) = self.special.try_borrow_mut() {
            special.clear();
        }
    }
}

/// C3 linearisation of `bases`; `None` when no consistent order exists.
pub fn c3_mro(bases: &[Rc<Class>]) -> Option<Vec<Rc<Class>>> {
    let mut seqs: Vec<Vec<Rc<Class>>> = bases
        .iter()
        .map(|b| b.mro_iter().cloned().collect())
        .collect();
    seqs.push(bases.to_vec());
    let mut res = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Some(res);
        }
        let head = seqs.iter().find_map(|seq| {
            let cand = seq.first()?;
            let in_tail = seqs
                .iter()
                .any(|s| s.iter().skip(1).any(|c| Rc::ptr_eq(c, cand)));
            (!in_tail).then(|| cand.clone())
        })?;
        for seq in &mut seqs {
            if seq.first().is_some_and(|c| Rc::ptr_eq(c, &head)) {
                seq.remove(0);
            }
        }
        res.push(head);
    }
}

/// One traceback entry: the code and the instruction that was running.
#[derive(Clone)]
pub struct TbEntry {
    pub code: Rc<Code>,
    pub ip: usize,
}

/// What a "Did you mean" hint is computed from, recorded when the error is raised.
#[derive(Clone)]
pub enum Suggest {
    Name {
        name: Rc<PyStr>,
        varnames: Vec<Rc<PyStr>>,
        globals: Rc<Dict>,
    },
    Attr {
        name: Rc<PyStr>,
        obj: Value,
    },
}

/// The native part of an exception instance.
pub struct ExcData {
    pub suggest: RefCell<Option<Suggest>>,
    pub args: RefCell<Value>,
    /// Innermost frame first (entries are appended as the exception travels outward).
    pub traceback: RefCell<Vec<TbEntry>>,
    pub cause: RefCell<Value>,
    pub context: RefCell<Value>,
    pub suppress_context: Cell<bool>,
}

pub struct Instance {
    pub class: Rc<Class>,
    /// Made on first use (`dict()`): an instance that keeps its attributes in slots or as
    /// shared-key values never needs one.
    dict: OnceCell<Rc<Dict>>,
    pub exc: Option<Box<ExcData>>,
    /// First the `__slots__` values (`Value::Null` while unset), `class.slot_count` of them;
    /// then, until the dict is made, the values of the class's first `kept` shared keys (no
    /// gaps: the instance's attributes in the order they were set), then room for more
    /// (`Value::Null`). In a `Cell`, taken out for each access (`values`, `put_values`) and
    /// put back before anything else can run: a word less than a `RefCell`'s flag and a
    /// `Vec`'s length, so that an instance is one 64-byte block.
    values: Cell<Box<[Value]>>,
    /// How many shared-key values the instance holds.
    kept: Cell<u32>,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

impl Instance {
    pub fn new_value(class: Rc<Class>) -> Value {
        let exc = (class.layout == Layout::Exception).then(|| {
            Box::new(ExcData {
                suggest: RefCell::new(None),
                args: RefCell::new(empty_tuple()),
                traceback: RefCell::new(Vec::new()),
                cause: RefCell::new(Value::None),
                context: RefCell::new(Value::None),
                suppress_context: Cell::new(false),
            })
        });
        // Room for the attributes earlier instances set (the shared keys), so that setting
        // them in `__init__` does not grow the vector step by step.
        let shared = class.shared_keys.try_borrow().map_or(0, |k| k.len());
        let values = null_values(class.slot_count + shared);
        let inst = Rc::new(Instance {
            gc: Default::default(),
            class,
            dict: OnceCell::new(),
            exc,
            values: Cell::new(values),
            kept: Cell::new(0),
        });
        gc::track(&inst);
        Value::Instance(inst)
    }

    /// The instance dict, made now if it does not exist yet (from the shared keys and their
    /// values, if the instance kept those).
    pub fn dict(&self) -> &Rc<Dict> {
        self.dict.get_or_init(|| {
            let dict = Dict::new();
            let first = self.class.slot_count;
            let mut values = self.values();
            let kept: Vec<Value> = values
                .iter_mut()
                .skip(first)
                .take(self.kept())
                .map(|v| std::mem::replace(v, Value::Null))
                .collect();
            self.put_values(values);
            self.kept.set(0);
            if let (false, Ok(keys)) = (kept.is_empty(), self.class.shared_keys.try_borrow()) {
                for (key, value) in keys.iter().zip(kept) {
                    dict.set_str(key.clone(), value);
                }
            }
            Rc::new(dict)
        })
    }

    /// The instance dict if it was ever made.
    #[inline]
    pub fn dict_if_any(&self) -> Option<&Rc<Dict>> {
        self.dict.get()
    }

    /// Whether the attributes are still kept as values of the shared keys: only for user
    /// classes' plain instances, until their dict is made.
    #[inline]
    fn keeps_values(&self) -> bool {
        self.dict.get().is_none() && self.class.is_user && self.exc.is_none()
    }

    /// How many shared-key values the instance holds.
    #[inline]
    fn kept(&self) -> usize {
        self.kept.get() as usize
    }

    /// Takes the values out of their cell: the caller puts them back (`put_values`) before
    /// it runs anything that could reach this instance (an apy call, a drop), which would
    /// see none meanwhile.
    #[inline(always)]
    fn values(&self) -> Box<[Value]> {
        self.values.take()
    }

    #[inline(always)]
    fn put_values(&self, values: Box<[Value]>) {
        // What the cell holds meanwhile is the empty box `values()` left, which owns no
        // memory: forgotten, not dropped, so that no drop code runs on each access.
        let empty = self.values.replace(values);
        debug_assert!(empty.is_empty());
        std::mem::forget(empty);
    }

    /// The value of instance attribute `key` (from the dict or the shared-key values).
    pub fn dict_get(&self, key: &PyStr) -> Option<Value> {
        if let Some(dict) = self.dict.get() {
            return dict.get_str(key);
        }
        if self.kept() == 0 {
            return None;
        }
        self.value_at(self.class.shared_key(key)?)
    }

    /// `dict_get` for native code that reads one name again and again (a library class's
    /// field): `hint` remembers the shared-key index the name had, so the next read checks
    /// that key alone instead of searching the keys.
    pub fn dict_get_hinted(&self, key: &PyStr, hint: &Cell<usize>) -> Option<Value> {
        if self.dict.get().is_none() {
            if let Some(at) = self.hinted_key(key, hint) {
                return self.value_at(at);
            }
        }
        self.dict_get(key)
    }

    /// `dict_set` with a `hint` as in `dict_get_hinted`.
    pub fn dict_set_hinted(&self, name: &Rc<PyStr>, value: Value, hint: &Cell<usize>) {
        let value = match self.hinted_key(name, hint) {
            Some(at) if self.keeps_values() && at <= self.kept() => {
                match self.set_value_at(at, value) {
                    Ok(()) => return,
                    Err(value) => value,
                }
            }
            _ => value,
        };
        self.dict_set(name, value);
    }

    /// The shared-key index of `key`: `hint` when that key is it, else found (and `hint`
    /// updated).
    fn hinted_key(&self, key: &PyStr, hint: &Cell<usize>) -> Option<usize> {
        let at = hint.get();
        let hit = self
            .class
            .shared_keys
            .try_borrow()
            .is_ok_and(|keys| keys.get(at).is_some_and(|k| std::ptr::eq(&**k, key)));
        if hit {
            return Some(at);
        }
        let found = self.class.shared_key(key)?;
        hint.set(found);
        Some(found)
    }

    /// Sets instance attribute `name`: among the values while it is the next shared key (or
    /// one already set), else in the dict (made then).
    pub fn dict_set(&self, name: &Rc<PyStr>, value: Value) {
        let index = match self.value_index(name) {
            None if self.keeps_values() && self.class.add_shared_key(self.kept(), name) => {
                Some(self.kept())
            }
            index => index,
        };
        let value = match index {
            Some(i) => match self.set_value_at(i, value) {
                Ok(()) => return,
                Err(value) => value,
            },
            None => value,
        };
        self.dict().set_str(name.clone(), value);
    }

    /// Removes instance attribute `name`, returning its value (the dict is made first: the
    /// values cannot have gaps).
    pub fn dict_remove(&self, name: &PyStr) -> Option<Value> {
        self.dict_get(name)?;
        self.dict().remove_str(name)
    }

    /// The instance attribute names, in order.
    pub fn dict_keys(&self) -> Vec<Value> {
        if let Some(dict) = self.dict.get() {
            return dict.keys();
        }
        let n = self.kept();
        match self.class.shared_keys.try_borrow() {
            Ok(keys) => keys.iter().take(n).map(|k| Value::Str(k.clone())).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Shared-key value `index` (for the attribute cache), while the instance keeps values.
    #[inline(always)]
    pub fn value_at(&self, index: usize) -> Option<Value> {
        if self.dict.get().is_some() || index >= self.kept() {
            return None;
        }
        let at = self.class.slot_count.checked_add(index)?;
        let values = self.values();
        let v = values.get(at).map(Value::dup);
        self.put_values(values);
        v
    }

    /// Sets shared-key value `index` (the key's value, or the next one), while the instance
    /// keeps values; gives the value back otherwise.
    #[inline(always)]
    pub fn set_value_at(&self, index: usize, value: Value) -> Result<(), Value> {
        let kept = self.kept();
        if self.dict.get().is_some() || index > kept {
            return Err(value);
        }
        let (Some(at), Ok(next)) = (
            self.class.slot_count.checked_add(index),
            u32::try_from(kept + 1),
        ) else {
            return Err(value);
        };
        let mut values = self.values();
        if at >= values.len() {
            values = grow_values(values, at + 1);
        }
        let Some(slot) = values.get_mut(at) else {
            self.put_values(values);
            return Err(value);
        };
        let old = std::mem::replace(slot, value);
        self.put_values(values);
        if index == kept {
            self.kept.set(next);
        }
        // Most often `Null` (a first store) or a number: nothing to drop.
        if old.is_unboxed() {
            std::mem::forget(old);
        } else {
            drop(old);
        }
        Ok(())
    }

    /// Where attribute `name` would sit among the shared-key values (for the attribute
    /// cache), if the instance keeps values and has it or sets it next.
    pub fn value_index(&self, name: &PyStr) -> Option<usize> {
        if !self.keeps_values() {
            return None;
        }
        let kept = self.kept();
        self.class.shared_key(name).filter(|&i| i <= kept)
    }

    /// The value of slot `index`, `None` while it is unset.
    #[inline]
    pub fn slot(&self, index: usize) -> Option<Value> {
        if !self.has_slot(index) {
            return None;
        }
        let values = self.values();
        let v = match values.get(index) {
            Some(Value::Null) | None => None,
            Some(v) => Some(v.dup()),
        };
        self.put_values(values);
        v
    }

    /// Sets slot `index` (to `Value::Null` to unset it); returns the old value, `None` when
    /// the instance has no such slot.
    #[inline]
    pub fn set_slot(&self, index: usize, value: Value) -> Option<Value> {
        if !self.has_slot(index) {
            return None;
        }
        let mut values = self.values();
        let old = values.get_mut(index).map(|v| std::mem::replace(v, value));
        self.put_values(values);
        old
    }

    #[inline]
    pub fn has_slot(&self, index: usize) -> bool {
        index < self.class.slot_count
    }
}

/// `n` unset values, in a block of exactly that size.
fn null_values(n: usize) -> Box<[Value]> {
    std::iter::repeat_with(|| Value::Null).take(n).collect()
}

/// `values` with room for at least `n` (half again as many, at least four more): an
/// instance that goes on setting new attributes copies its values now and then, not for
/// each one.
#[cold]
#[inline(never)]
fn grow_values(values: Box<[Value]>, n: usize) -> Box<[Value]> {
    let len = values.len();
    let mut grown = Vec::with_capacity(n.max(len + len / 2).max(len + 4));
    grown.extend(values.into_vec());
    grown.resize_with(grown.capacity(), || Value::Null);
    grown.into_boxed_slice()
}

impl Trace for Instance {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        gc::visit_rc(&self.class, visit);
        // The dict is traced as part of the instance (it is not tracked itself). One held
        // elsewhere too (`d = obj.__dict__`) is a reference the counts cannot see: the
        // instance then counts as held from outside.
        let ok = match self.dict.get() {
            None => true,
            Some(d) => d.trace(visit) && Rc::strong_count(d) == 1,
        };
        // Tracing runs no apy code, so the values are back before anything could look.
        let values = self.values();
        gc::visit_values(&values, visit);
        self.put_values(values);
        if let Some(exc) = &self.exc {
            let (Ok(args), Ok(cause), Ok(context)) = (
                exc.args.try_borrow(),
                exc.cause.try_borrow(),
                exc.context.try_borrow(),
            ) else {
                return false;
            };
            gc::visit_value(&args, visit);
            gc::visit_value(&cause, visit);
            gc::visit_value(&context, visit);
        }
        ok
    }

    fn clear(&self) {
        if let Some(d) = self.dict.get() {
            Trace::clear(&**d);
        }
        let values = self.values();
        self.kept.set(0);
        drop(values);
        if let Some(exc) = &self.exc {
            for slot in [&exc.args, &exc.cause, &exc.context] {
                if let Ok(mut v) = slot.try_borrow_mut() {
                    let old = std::mem::replace(&mut *v, Value::None);
                    drop(v);
                    drop(old);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instance is one 64-byte block with its reference counts: every task, future and
    /// user object has one.
    #[test]
    fn instance_fits_48_bytes_beside_its_counts() {
        assert!(std::mem::size_of::<Instance>() <= 48);
    }
}
