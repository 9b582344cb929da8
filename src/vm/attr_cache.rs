//! The attribute and method caches of `LoadAttr`, `StoreAttr` and `LoadMethod`: each
//! instruction remembers where it found the name last time (a slot, a dict entry, a shared
//! key, a class's method) and checks the class and type epoch before trusting it. A miss falls
//! back to the general lookup in `attr.rs`.

use crate::vm::exception::PResult;
use crate::vm::interp_ops::name_at;
use crate::vm::machine::Vm;
use crate::vm::object::cache::{AttrCache, AttrKind, ClassCache, MethodCache, ModuleKeyed};
use crate::vm::object::class::Instance;
use crate::vm::object::dict::type_epoch;
use crate::vm::object::function::Code;
use crate::vm::object::misc::Module;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::rc::Rc;

impl Vm {
    /// `LoadMethod` through the code's method cache: for an instance whose class's method
    /// no instance attribute can hide, the function and the instance without any lookup.
    /// The pair is pushed onto `stack` here, where it is made: returned through memory to
    /// the dispatch loop, it was written as words and read back as one wide load, which
    /// stalled (a tenth of the loop's time in a string-method-heavy program).
    #[inline(always)]
    pub(crate) fn load_method_cached(
        &mut self,
        code: &Code,
        idx: u32,
        obj: Value,
        stack: &mut Vec<Value>,
    ) -> PResult<()> {
        let name = name_at(&code.names, idx)?;
        let Some(cache) = code.method_cache.get(idx as usize) else {
            return self
                .load_method(obj, name)
                .map(|pair| push_pair(stack, pair));
        };
        let inst = match &obj {
            Value::Instance(inst) => inst,
            Value::Module(m) => {
                let v = self.module_attr_cached(cache, m, &obj, name)?;
                push_pair(stack, (Value::Null, v));
                return Ok(());
            }
            Value::Class(_) | Value::Super(_) => {
                return self
                    .load_method(obj, name)
                    .map(|pair| push_pair(stack, pair))
            }
            _ => return self.builtin_method_cached(cache, obj, name, stack),
        };
        let class = Rc::as_ptr(&inst.class) as usize;
        let found = cache.find(class, type_epoch());
        if let Some((_, cached)) = found {
            if unshadowed(inst, cached.keys) {
                let owner = match cached.pos {
                    0 => Some(&inst.class),
                    pos => inst.class.mro.get(pos - 1),
                };
                if let Some(f) = owner.and_then(|c| c.dict.str_entry_value(cached.entry, name)) {
                    push_pair(stack, (f, obj));
                    return Ok(());
                }
            }
        }
        let inst = inst.clone();
        let (pair, entry) = self.instance_method(&inst, obj, name)?;
        match (entry, found) {
            (Some(entry), Some((way, _))) => cache.set(way, entry),
            (Some(entry), None) => cache.insert(entry),
            (None, _) => {}
        }
        push_pair(stack, pair);
        Ok(())
    }

    /// `module.name` (for `LoadAttr` and `LoadMethod`): from the dict entry the cache
    /// remembers, else looked up (and remembered when the module's dict has it).
    fn module_attr_cached<T: ModuleKeyed>(
        &mut self,
        cache: &ClassCache<T>,
        m: &Rc<Module>,
        obj: &Value,
        name: &Rc<PyStr>,
    ) -> PResult<Value> {
        let key = Rc::as_ptr(m) as usize;
        let found = cache.find(key, type_epoch());
        if let Some(entry) = found.and_then(|(_, cached)| cached.module_entry()) {
            if let Some(v) = m.dict.str_entry_value(entry, name) {
                return Ok(v);
            }
        }
        let Some((entry, v)) = m.dict.find_str(name) else {
            return self.get_attr(obj, name);
        };
        let entry = T::for_module(key, type_epoch(), entry);
        match found {
            Some((way, _)) => cache.set(way, entry),
            None => cache.insert(entry),
        }
        Ok(v)
    }

    /// `load_method_cached` for a value of a built-in type (a str, a list, ...): the method
    /// from where the cache says the type has it, else found and remembered.
    fn builtin_method_cached(
        &mut self,
        cache: &ClassCache<MethodCache>,
        obj: Value,
        name: &Rc<PyStr>,
        stack: &mut Vec<Value>,
    ) -> PResult<()> {
        // A hit borrows the class (the usual kinds need no new reference to it).
        let owned;
        let cls = match self.builtin_class_ref(&obj) {
            Some(cls) => cls,
            None => {
                owned = self.class_of(&obj);
                &owned
            }
        };
        let class = Rc::as_ptr(cls) as usize;
        let found = cache.find(class, type_epoch());
        if let Some((_, cached)) = found {
            let owner = match cached.pos {
                0 => Some(cls),
                pos => cls.mro.get(pos - 1),
            };
            if let Some(f) = owner.and_then(|c| c.dict.str_entry_value(cached.entry, name)) {
                push_pair(stack, (f, obj));
                return Ok(());
            }
        }
        let cls = cls.clone();
        match cls.lookup_at(name) {
            Some((pos, entry, f @ (Value::Function(_) | Value::Native(_)))) => {
                let entry = MethodCache {
                    class,
                    epoch: type_epoch(),
                    keys: 0,
                    pos,
                    entry,
                };
                match found {
                    Some((way, _)) => cache.set(way, entry),
                    None => cache.insert(entry),
                }
                push_pair(stack, (f, obj));
                Ok(())
            }
            _ => {
                let v = self.get_attr(&obj, name)?;
                push_pair(stack, (Value::Null, v));
                Ok(())
            }
        }
    }

    /// `load_method` for an instance; when the method is the class's and no instance
    /// attribute can hide it, also the method cache entry that finds it again.
    pub(super) fn instance_method(
        &mut self,
        inst: &Rc<Instance>,
        obj: Value,
        name: &Rc<PyStr>,
    ) -> PResult<((Value, Value), Option<MethodCache>)> {
        if inst.dict_get(name).is_some() {
            let v = self.get_attr(&obj, name)?;
            return Ok(((Value::Null, v), None));
        }
        match inst.class.lookup_at(name) {
            Some((pos, entry, f @ (Value::Function(_) | Value::Native(_)))) => {
                // Another instance may yet set a shared key of that name.
                let keys = inst.class.shared_keys.try_borrow().map(|k| k.len());
                let entry = match (keys, inst.dict_if_any(), inst.class.shared_key(name)) {
                    (Ok(keys), None, None) => Some(MethodCache {
                        class: Rc::as_ptr(&inst.class) as usize,
                        epoch: type_epoch(),
                        keys,
                        pos,
                        entry,
                    }),
                    _ => None,
                };
                Ok(((f, obj), entry))
            }
            _ => {
                let v = self.get_attr(&obj, name)?;
                Ok(((Value::Null, v), None))
            }
        }
    }

    /// `LoadAttr`: `obj.name` through the code's attribute cache. Inline, only the hit on an
    /// instance's slot or shared-key value, the attribute loads programs make most; the
    /// rest (`load_attr_slow`) is out of line.
    #[inline(always)]
    pub(crate) fn load_attr_cached(
        &mut self,
        code: &Code,
        idx: u32,
        obj: &Value,
    ) -> PResult<Value> {
        if let (Value::Instance(inst), Some(cache)) = (obj, code.attr_cache.get(idx as usize)) {
            let class = Rc::as_ptr(&inst.class) as usize;
            if let Some((_, cached)) = cache.find(class, type_epoch()) {
                let hit = match cached.kind {
                    AttrKind::Value => inst.value_at(cached.entry),
                    AttrKind::Slot => inst.slot(cached.entry),
                    AttrKind::Module | AttrKind::Dict => None,
                };
                if let Some(v) = hit {
                    return Ok(v);
                }
            }
        }
        self.load_attr_slow(code, idx, obj)
    }

    /// `load_attr_cached` past its inline hit: modules, instances' dicts, misses, unset
    /// slots, and every other kind of object.
    #[inline(never)]
    fn load_attr_slow(&mut self, code: &Code, idx: u32, obj: &Value) -> PResult<Value> {
        let name = name_at(&code.names, idx)?;
        if let (Value::Module(m), Some(cache)) = (obj, code.attr_cache.get(idx as usize)) {
            return self.module_attr_cached(cache, m, obj, name);
        }
        if let (Value::Instance(inst), Some(cache)) = (obj, code.attr_cache.get(idx as usize)) {
            let class = Rc::as_ptr(&inst.class) as usize;
            if let Some((way, cached)) = cache.find(class, type_epoch()) {
                let hit = match cached.kind {
                    AttrKind::Module => None,
                    // Unset: the general path raises (or calls `__getattr__`).
                    AttrKind::Slot => {
                        return match inst.slot(cached.entry) {
                            Some(v) => Ok(v),
                            None => self.get_attr(obj, name),
                        }
                    }
                    AttrKind::Value => inst.value_at(cached.entry),
                    AttrKind::Dict => inst
                        .dict_if_any()
                        .and_then(|d| d.str_entry_value(cached.entry, name)),
                };
                if let Some(v) = hit {
                    return Ok(v);
                }
                if let Some((kind, entry, v)) = instance_attr(inst, name) {
                    cache.set(
                        way,
                        AttrCache {
                            kind,
                            entry,
                            ..cached
                        },
                    );
                    return Ok(v);
                }
            } else if self.plain_instance_attr(inst, name) {
                if let Some((kind, entry, v)) = instance_attr(inst, name) {
                    cache.insert(AttrCache {
                        class,
                        epoch: type_epoch(),
                        entry,
                        kind,
                    });
                    return Ok(v);
                }
            } else if let Some(index) = slot_index(inst, name) {
                cache.insert(AttrCache {
                    class,
                    epoch: type_epoch(),
                    entry: index,
                    kind: AttrKind::Slot,
                });
                if let Some(v) = inst.slot(index) {
                    return Ok(v);
                }
            }
        }
        self.get_attr(obj, name)
    }

    /// `StoreAttr`: `obj.name = value` through the code's attribute cache. The commonest
    /// hit (an instance's shared-key value, as `self.x = x` sets it) is inline.
    #[inline(always)]
    pub(crate) fn store_attr_cached(
        &mut self,
        code: &Code,
        idx: u32,
        obj: &Value,
        value: Value,
    ) -> PResult<()> {
        let mut value = value;
        if let (Value::Instance(inst), Some(cache)) = (obj, code.attr_cache.get(idx as usize)) {
            let class = Rc::as_ptr(&inst.class) as usize;
            if let Some((_, cached)) = cache.find(class, type_epoch()) {
                if cached.kind == AttrKind::Value {
                    match inst.set_value_at(cached.entry, value) {
                        Ok(()) => return Ok(()),
                        Err(v) => value = v,
                    }
                }
            }
        }
        self.store_attr_slow(code, idx, obj, value)
    }

    /// `store_attr_cached` past its inline hit.
    #[inline(never)]
    fn store_attr_slow(&mut self, code: &Code, idx: u32, obj: &Value, value: Value) -> PResult<()> {
        let name = name_at(&code.names, idx)?;
        if let (Value::Instance(inst), Some(cache)) = (obj, code.attr_cache.get(idx as usize)) {
            let class = Rc::as_ptr(&inst.class) as usize;
            let found = cache
                .find(class, type_epoch())
                .filter(|(_, c)| c.kind != AttrKind::Module);
            let known = found.is_some();
            let mut value = value;
            if let Some((_, cached)) = found {
                let missed = match cached.kind {
                    // Filtered out above (a module's, never an instance's).
                    AttrKind::Module => Err(value),
                    AttrKind::Slot => {
                        drop(inst.set_slot(cached.entry, value));
                        return Ok(());
                    }
                    AttrKind::Value => inst.set_value_at(cached.entry, value),
                    AttrKind::Dict => match inst.dict_if_any() {
                        Some(d) => d.replace_str_at(cached.entry, name, value),
                        None => Err(value),
                    },
                };
                match missed {
                    Ok(()) => return Ok(()),
                    Err(v) => value = v,
                }
            }
            if known || self.plain_instance_attr(inst, name) {
                // The instance's own attribute: remember where it went.
                let placed = match inst.dict_if_any() {
                    Some(d) => Some((AttrKind::Dict, d.set_str_entry(name.clone(), value))),
                    None => {
                        inst.dict_set(name, value);
                        match inst.dict_if_any() {
                            Some(d) => d.find_str(name).map(|(e, _)| (AttrKind::Dict, e)),
                            None => inst.value_index(name).map(|i| (AttrKind::Value, i)),
                        }
                    }
                };
                if let Some((kind, entry)) = placed {
                    let entry = AttrCache {
                        class,
                        epoch: type_epoch(),
                        entry,
                        kind,
                    };
                    match found {
                        Some((way, _)) => cache.set(way, entry),
                        None => cache.insert(entry),
                    }
                }
                return Ok(());
            }
            if let Some(index) = slot_index(inst, name) {
                cache.insert(AttrCache {
                    class,
                    epoch: type_epoch(),
                    entry: index,
                    kind: AttrKind::Slot,
                });
                drop(inst.set_slot(index, value));
                return Ok(());
            }
            return self.set_attr(obj, name, value);
        }
        self.set_attr(obj, name, value)
    }

    /// Whether `inst.name` can only be the instance's own attribute (in its dict or shared
    /// keys): no data descriptor in the class, and not a field an exception keeps natively.
    fn plain_instance_attr(&self, inst: &Instance, name: &PyStr) -> bool {
        !inst.class.has_data_descriptors()
            && (inst.exc.is_none() || !self.is_exception_field(&inst.class, name.as_str()))
    }
}

/// The slot `inst.name` reads and writes when that is all the name does (the class's member
/// decides, and no `__setattr__` of the class's own stands in between): what the attribute
/// cache may remember.
fn slot_index(inst: &Instance, name: &PyStr) -> Option<usize> {
    match inst.class.lookup(name) {
        Some(Value::Member(m))
            if inst.has_slot(m.index)
                && m.owner
                    .upgrade()
                    .is_some_and(|o| inst.class.is_subclass(&o))
                && !inst.class.has_user_setattr() =>
        {
            Some(m.index)
        }
        _ => None,
    }
}

/// Where instance attribute `name` is now, for the attribute cache: a dict entry, or a
/// shared-key value.
fn instance_attr(inst: &Instance, name: &PyStr) -> Option<(AttrKind, usize, Value)> {
    if let Some(d) = inst.dict_if_any() {
        return d.find_str(name).map(|(e, v)| (AttrKind::Dict, e, v));
    }
    let index = inst.value_index(name)?;
    inst.value_at(index).map(|v| (AttrKind::Value, index, v))
}

/// Whether no instance attribute can hide a class attribute that was not among the class's
/// `keys` shared keys: the instance has no dict, and the shared keys have not grown since.
#[inline]
fn unshadowed(inst: &Instance, keys: usize) -> bool {
    inst.dict_if_any().is_none()
        && inst
            .class
            .shared_keys
            .try_borrow()
            .is_ok_and(|k| k.len() == keys)
}

/// Pushes a `LoadMethod` pair: the method (or `Null`), then the object (or the attribute).
#[inline(always)]
fn push_pair(stack: &mut Vec<Value>, (first, second): (Value, Value)) {
    crate::vm::stack::push(stack, first);
    crate::vm::stack::push(stack, second);
}
