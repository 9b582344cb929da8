//! The caches behind a code object's attribute and method instructions (`vm::attr`): per
//! name, where instances of a class keep the attribute or find the method. One name's cache
//! remembers up to `WAYS` classes, so a site that sees a few classes in turn (a base-class
//! method called on the instances of its subclasses) keeps hitting. The first way is inline;
//! the others are allocated when a second class shows up, so a name that only ever meets one
//! class costs one entry.

use std::cell::{Cell, OnceCell};

/// How many classes one name's cache remembers.
const WAYS: usize = 4;

/// An entry of a `ClassCache`: valid for instances of the class at address `class()` while
/// the type epoch is `epoch()`. The default entry (class 0) matches nothing.
pub trait ClassKeyed: Copy + Default {
    fn class(&self) -> usize;
    fn epoch(&self) -> u64;
}

#[derive(Default)]
pub struct ClassCache<T> {
    first: Cell<T>,
    more: OnceCell<Box<[Cell<T>; WAYS - 1]>>,
}

impl<T: ClassKeyed> ClassCache<T> {
    /// The entry for instances of `class` in type epoch `epoch`, with the way it is in.
    #[inline(always)]
    pub fn find(&self, class: usize, epoch: u64) -> Option<(usize, T)> {
        let first = self.first.get();
        if first.class() == class && first.epoch() == epoch {
            return Some((0, first));
        }
        self.find_more(class, epoch)
    }

    fn find_more(&self, class: usize, epoch: u64) -> Option<(usize, T)> {
        let more = self.more.get()?;
        more.iter().enumerate().find_map(|(i, way)| {
            let entry = way.get();
            (entry.class() == class && entry.epoch() == epoch).then_some((i + 1, entry))
        })
    }

    /// Replaces the entry in `way` (as `find` returned it).
    pub fn set(&self, way: usize, entry: T) {
        match way.checked_sub(1) {
            None => self.first.set(entry),
            Some(i) => {
                if let Some(cell) = self.more.get().and_then(|more| more.get(i)) {
                    cell.set(entry);
                }
            }
        }
    }

    /// Remembers `entry` (for a class `find` did not find) as the most recent, forgetting the
    /// oldest. While the first way holds nothing current, it is the only one used.
    pub fn insert(&self, entry: T) {
        let first = self.first.get();
        if first.class() == 0 || first.epoch() != entry.epoch() || first.class() == entry.class() {
            self.first.set(entry);
            return;
        }
        let more = self
            .more
            .get_or_init(|| Box::new(std::array::from_fn(|_| Cell::new(T::default()))));
        for i in (1..more.len()).rev() {
            if let (Some(to), Some(from)) = (more.get(i), more.get(i - 1)) {
                to.set(from.get());
            }
        }
        if let Some(newest) = more.first() {
            newest.set(first);
        }
        self.first.set(entry);
    }
}

/// A method found for instances of the class at `class`, valid while the type epoch is
/// `epoch`: the function at entry `entry` of the dict of the class at MRO position `pos` (0:
/// the class itself; a hint, its key is checked on use). For an instance of a user class, no
/// instance attribute can hide it while the instance has no dict and the class still has
/// `keys` shared keys (the name was not one of them, and shared keys only grow); values of
/// built-in types (str, list, ...) have no attributes of their own, and `keys` is 0. With
/// `pos` `MODULE_POS`, `class` is a module's address and the name was at entry `entry` of
/// its dict (checked on use); `LoadMethod` then gives the attribute itself.
/// `MethodCache::pos` of a module's attribute.
pub const MODULE_POS: usize = usize::MAX;

#[derive(Clone, Copy, Default)]
pub struct MethodCache {
    pub class: usize,
    pub epoch: u64,
    pub keys: usize,
    pub pos: usize,
    pub entry: usize,
}

/// An instance attribute read or written through a name: for instances of the class at
/// `class`, valid while the type epoch is `epoch`. For `Dict` and `Value`, the class has no
/// data descriptors (so the instance decides) and the attribute was last seen at entry `entry`
/// of the instance dict (a hint: the entry's key is checked on use) or is shared key `entry`
/// of the class (exact: shared keys only grow). For `Slot`, the name is the class's
/// `__slots__` member for slot `entry` and the class has no `__setattr__` of its own. For
/// `Module`, `class` is a module's address and the name was at entry `entry` of its dict (a
/// hint checked on use, as for `Dict`). A module and a class never share an entry: making or
/// dropping a class moves the type epoch on.
#[derive(Clone, Copy, Default)]
pub struct AttrCache {
    pub class: usize,
    pub epoch: u64,
    pub entry: usize,
    pub kind: AttrKind,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub enum AttrKind {
    #[default]
    Dict,
    Value,
    Slot,
    Module,
}

impl ClassKeyed for MethodCache {
    fn class(&self) -> usize {
        self.class
    }
    fn epoch(&self) -> u64 {
        self.epoch
    }
}

impl ClassKeyed for AttrCache {
    fn class(&self) -> usize {
        self.class
    }
    fn epoch(&self) -> u64 {
        self.epoch
    }
}

/// A cache entry that can also remember where a module keeps an attribute: the module at
/// address `module`, the name at entry `entry` of its dict, in type epoch `epoch`.
pub trait ModuleKeyed: ClassKeyed {
    fn for_module(module: usize, epoch: u64, entry: usize) -> Self;
    /// The dict entry, if this is a module's entry.
    fn module_entry(&self) -> Option<usize>;
}

impl ModuleKeyed for MethodCache {
    fn for_module(module: usize, epoch: u64, entry: usize) -> Self {
        MethodCache {
            class: module,
            epoch,
            keys: 0,
            pos: MODULE_POS,
            entry,
        }
    }
    fn module_entry(&self) -> Option<usize> {
        (self.pos == MODULE_POS).then_some(self.entry)
    }
}

impl ModuleKeyed for AttrCache {
    fn for_module(module: usize, epoch: u64, entry: usize) -> Self {
        AttrCache {
            class: module,
            epoch,
            entry,
            kind: AttrKind::Module,
        }
    }
    fn module_entry(&self) -> Option<usize> {
        (self.kind == AttrKind::Module).then_some(self.entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(class: usize, epoch: u64, at: usize) -> AttrCache {
        AttrCache {
            class,
            epoch,
            entry: at,
            kind: AttrKind::Value,
        }
    }

    #[test]
    fn remembers_up_to_four_classes_most_recent_first() {
        let cache = ClassCache::default();
        for class in 1..=5 {
            cache.insert(entry(class, 7, class * 10));
        }
        // Class 1 was the oldest of five: forgotten.
        assert!(cache.find(1, 7).is_none());
        for class in 2..=5 {
            let (way, found) = cache.find(class, 7).expect("remembered");
            assert_eq!(found.entry, class * 10);
            assert_eq!(way, 5 - class);
        }
        assert!(cache.find(3, 8).is_none(), "another epoch");
    }

    #[test]
    fn one_class_uses_only_the_inline_way() {
        let cache = ClassCache::default();
        cache.insert(entry(1, 1, 0));
        cache.insert(entry(1, 1, 3));
        cache.insert(entry(2, 2, 4)); // the first entry is stale: replaced, not kept
        assert!(cache.more.get().is_none());
        assert_eq!(
            cache.find(2, 2).map(|(way, e)| (way, e.entry)),
            Some((0, 4))
        );
        cache.set(0, entry(2, 2, 5));
        assert_eq!(cache.find(2, 2).map(|(_, e)| e.entry), Some(5));
    }
}
