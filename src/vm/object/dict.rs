//! `Dict`: insertion-ordered hash map with CPython's layout (an open-addressing index table
//! over a dense entries vector). Keys whose equality needs apy code (`__eq__` of instances)
//! are compared with no borrow held: the probe stops, the caller compares through the `Vm`,
//! and the probe resumes (or restarts if the table changed meanwhile).

use crate::vm::exception::PResult;
use crate::vm::gc::{self, GcHeader, Trace, Visit};
use crate::vm::hash::fast_eq;
use crate::vm::machine::Vm;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use std::cell::{Cell, RefCell};

thread_local! {
    /// The last dict version handed out: versions are unique across all dicts, so a cache
    /// that saw version `v` knows both which dict and which layout it saw.
    static LAST_VERSION: Cell<u64> = const { Cell::new(0) };
    /// Bumped on every change to a class's dict and on every new class: the key of the class
    /// attribute caches (`Class::lookup`).
    static TYPE_EPOCH: Cell<u64> = const { Cell::new(1) };
}

fn fresh_version() -> u64 {
    LAST_VERSION.with(|v| {
        let next = v.get() + 1;
        v.set(next);
        next
    })
}

/// The current class-dict epoch.
pub fn type_epoch() -> u64 {
    TYPE_EPOCH.with(Cell::get)
}

/// Invalidates every class attribute cache.
pub fn bump_type_epoch() {
    TYPE_EPOCH.with(|e| e.set(e.get() + 1));
}

/// Index-table cells: an entry's position, or one of these two markers. Four bytes each, as
/// no dict holds four billion entries.
const EMPTY: u32 = u32::MAX;
const DUMMY: u32 = u32::MAX - 1;

#[derive(Clone)]
pub struct Entry {
    pub hash: i64,
    pub key: Value,
    pub value: Value,
}

#[derive(Default, Clone)]
pub struct DictTable {
    indices: Vec<u32>,
    entries: Vec<Option<Entry>>,
    used: usize,
    /// Renewed (from `fresh_version`) on every structural change, so a probe interrupted by
    /// apy code can tell, and so can `LoadGlobal`'s cache. Overwriting a value keeps it.
    version: u64,
}

#[derive(Default)]
pub struct Dict {
    pub table: RefCell<DictTable>,
    /// Set for a class's dict: every change to it bumps the type epoch.
    type_dict: Cell<bool>,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

/// A finished lookup: `Ok((entry, slot))` if present, `Err(slot)` to insert at.
type Probe = Result<(usize, usize), usize>;

enum Step {
    Found { entry: usize, slot: usize },
    Missing { slot: usize },
    Ask { entry: usize, key: Value },
}

struct ProbeState {
    slot: usize,
    perturb: u64,
    free: Option<usize>,
}

impl DictTable {
    fn mask(&self) -> usize {
        self.indices.len().wrapping_sub(1)
    }

    fn start(&self, hash: i64) -> ProbeState {
        ProbeState {
            slot: (hash as u64 as usize) & self.mask(),
            perturb: hash as u64,
            free: None,
        }
    }

    fn advance(&self, st: &mut ProbeState) {
        st.perturb >>= 5;
        st.slot = (st
            .slot
            .wrapping_mul(5)
            .wrapping_add(st.perturb as usize)
            .wrapping_add(1))
            & self.mask();
    }

    /// Probes from `st` until found, missing, or a comparison needs the VM.
    fn probe(&self, key: &Value, hash: i64, st: &mut ProbeState) -> Step {
        if self.indices.is_empty() {
            return Step::Missing { slot: 0 };
        }
        loop {
            let idx = self.indices.get(st.slot).copied().unwrap_or(EMPTY);
            if idx == EMPTY {
                return Step::Missing {
                    slot: st.free.unwrap_or(st.slot),
                };
            }
            if idx == DUMMY {
                st.free.get_or_insert(st.slot);
            } else if let Some(Some(entry)) = self.entries.get(idx as usize) {
                let idx = idx as usize;
                if entry.hash == hash {
                    if entry.key.is(key) {
                        return Step::Found {
                            entry: idx,
                            slot: st.slot,
                        };
                    }
                    match fast_eq(&entry.key, key) {
                        Some(true) => {
                            return Step::Found {
                                entry: idx,
                                slot: st.slot,
                            }
                        }
                        Some(false) => {}
                        None => {
                            return Step::Ask {
                                entry: idx,
                                key: entry.key.clone(),
                            }
                        }
                    }
                }
            }
            self.advance(st);
        }
    }

    /// Grows (and compacts) so one more entry fits under a 2/3 load.
    fn reserve_one(&mut self) {
        if (self.entries.len() + 1) * 3 < self.indices.len() * 2 {
            return;
        }
        let mut size = 8;
        while size * 2 <= (self.used + 1) * 3 {
            size *= 2;
        }
        let entries: Vec<Option<Entry>> = std::mem::take(&mut self.entries)
            .into_iter()
            .filter(Option::is_some)
            .collect();
        self.indices = vec![EMPTY; size];
        let mask = size - 1;
        for (idx, entry) in entries.iter().enumerate() {
            let Some(entry) = entry else { continue };
            let mut st = ProbeState {
                slot: (entry.hash as u64 as usize) & mask,
                perturb: entry.hash as u64,
                free: None,
            };
            while self.indices.get(st.slot).is_some_and(|&i| i != EMPTY) {
                self.advance(&mut st);
            }
            if let Some(cell) = self.indices.get_mut(st.slot) {
                *cell = idx as u32;
            }
        }
        self.entries = entries;
        self.version = fresh_version();
    }

    fn insert_at(&mut self, slot: usize, hash: i64, key: Value, value: Value) {
        let idx = self.entries.len();
        self.entries.push(Some(Entry { hash, key, value }));
        if let Some(cell) = self.indices.get_mut(slot) {
            *cell = idx as u32;
        }
        self.used += 1;
        self.version = fresh_version();
    }

    fn remove_at(&mut self, entry: usize, slot: usize) -> Option<Entry> {
        if let Some(cell) = self.indices.get_mut(slot) {
            *cell = DUMMY;
        }
        self.used -= 1;
        self.version = fresh_version();
        self.entries.get_mut(entry).and_then(Option::take)
    }
}

impl Dict {
    pub fn new() -> Dict {
        Dict::default()
    }

    /// Marks this dict as a class's namespace: from now on its changes invalidate the class
    /// attribute caches.
    pub fn mark_type_dict(&self) {
        self.type_dict.set(true);
        bump_type_epoch();
    }

    /// Marks the dict as a class's namespace unless it already is.
    #[inline]
    pub fn mark_type_dict_once(&self) {
        if !self.type_dict.get() {
            self.mark_type_dict();
        }
    }

    /// The value of entry `idx` if that entry's key is the string `key`.
    #[inline(always)]
    pub fn str_entry_value(&self, idx: usize, key: &PyStr) -> Option<Value> {
        let table = self.table.borrow();
        match table.entries.get(idx) {
            Some(Some(Entry {
                key: Value::Str(s),
                value,
                ..
            })) if std::ptr::eq(&**s, key) || s.as_str() == key.as_str() => Some(value.dup()),
            _ => None,
        }
    }

    /// Called after every change.
    fn changed(&self) {
        if self.type_dict.get() {
            bump_type_epoch();
        }
    }

    /// The entry index and value of string key `key` (for `LoadGlobal`'s cache).
    pub fn find_str(&self, key: &PyStr) -> Option<(usize, Value)> {
        let table = self.table.borrow();
        if table.used == 0 {
            return None;
        }
        let hash = key.hash();
        let mut st = table.start(hash);
        loop {
            let idx = table.indices.get(st.slot).copied().unwrap_or(EMPTY);
            if idx == EMPTY {
                return None;
            }
            if let Some(Some(entry)) = table.entries.get(idx as usize) {
                if entry.hash == hash {
                    if let Value::Str(s) = &entry.key {
                        if std::ptr::eq(&**s, key) || s.as_str() == key.as_str() {
                            return Some((idx as usize, entry.value.clone()));
                        }
                    }
                }
            }
            table.advance(&mut st);
        }
    }

    /// The value of entry `idx` if the dict still has version `version`.
    #[inline(always)]
    pub fn value_at_version(&self, idx: usize, version: u64) -> Option<Value> {
        let table = self.table.borrow();
        if table.version != version {
            return None;
        }
        match table.entries.get(idx) {
            Some(Some(entry)) => Some(entry.value.dup()),
            _ => None,
        }
    }

    /// `value_at_version`, pushed onto `out` (`stack::push`, inlined: a value loaded before
    /// a call of `Vec::push` was kept across it in two halves, and the wide load that read it
    /// back stalled).
    #[inline(always)]
    pub fn push_at_version(&self, idx: usize, version: u64, out: &mut Vec<Value>) -> bool {
        let table = self.table.borrow();
        if table.version != version {
            return false;
        }
        match table.entries.get(idx) {
            Some(Some(entry)) => {
                crate::vm::stack::push(out, entry.value.dup());
                true
            }
            _ => false,
        }
    }

    pub fn len(&self) -> usize {
        self.table.borrow().used
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Finds `key`: `Ok(Ok((entry, slot)))` if present, `Ok(Err(slot))` with the slot to insert
    /// at, checked against `version` by the caller.
    fn lookup(&self, vm: &mut Vm, key: &Value, hash: i64) -> PResult<(Probe, u64)> {
        'restart: loop {
            let version = self.table.borrow().version;
            let mut st = self.table.borrow().start(hash);
            loop {
                let step = self.table.borrow().probe(key, hash, &mut st);
                match step {
                    Step::Found { entry, slot } => return Ok((Ok((entry, slot)), version)),
                    Step::Missing { slot } => return Ok((Err(slot), version)),
                    Step::Ask { entry, key: cand } => {
                        let equal = vm.eq(&cand, key)?;
                        let table = self.table.borrow();
                        if table.version != version {
                            continue 'restart;
                        }
                        if equal {
                            return Ok((Ok((entry, st.slot)), version));
                        }
                        table.advance(&mut st);
                    }
                }
            }
        }
    }

    pub fn get(&self, vm: &mut Vm, key: &Value) -> PResult<Option<Value>> {
        let hash = vm.hash(key)?;
        self.get_hashed(vm, key, hash)
    }

    pub fn get_hashed(&self, vm: &mut Vm, key: &Value, hash: i64) -> PResult<Option<Value>> {
        if self.table.borrow().used == 0 {
            return Ok(None);
        }
        let (found, _) = self.lookup(vm, key, hash)?;
        Ok(match found {
            Ok((entry, _)) => self.value_of_entry(entry),
            Err(_) => None,
        })
    }

    pub fn contains(&self, vm: &mut Vm, key: &Value) -> PResult<bool> {
        Ok(self.get(vm, key)?.is_some())
    }

    pub fn insert(&self, vm: &mut Vm, key: Value, value: Value) -> PResult<()> {
        let hash = vm.hash(&key)?;
        self.insert_hashed(vm, key, hash, value)
    }

    pub fn insert_hashed(&self, vm: &mut Vm, key: Value, hash: i64, value: Value) -> PResult<()> {
        loop {
            self.table.borrow_mut().reserve_one();
            let (found, version) = self.lookup(vm, &key, hash)?;
            let mut table = self.table.borrow_mut();
            if table.version != version {
                continue;
            }
            match found {
                Ok((entry, _)) => {
                    if let Some(Some(e)) = table.entries.get_mut(entry) {
                        e.value = value;
                    }
                }
                Err(slot) => table.insert_at(slot, hash, key, value),
            }
            drop(table);
            self.changed();
            return Ok(());
        }
    }

    pub fn remove(&self, vm: &mut Vm, key: &Value) -> PResult<Option<Value>> {
        let hash = vm.hash(key)?;
        loop {
            if self.table.borrow().used == 0 {
                return Ok(None);
            }
            let (found, version) = self.lookup(vm, key, hash)?;
            let mut table = self.table.borrow_mut();
            if table.version != version {
                continue;
            }
            let res = match found {
                Ok((entry, slot)) => table.remove_at(entry, slot).map(|e| e.value),
                Err(_) => None,
            };
            drop(table);
            self.changed();
            return Ok(res);
        }
    }

    /// Lookup by string key without the VM (attribute and global dictionaries). A key of
    /// another kind with the same hash is treated as different.
    pub fn get_str(&self, key: &PyStr) -> Option<Value> {
        self.find_str(key).map(|(_, value)| value)
    }

    pub fn set_str(&self, key: std::rc::Rc<PyStr>, value: Value) {
        self.set_str_entry(key, value);
    }

    /// Insert with a string key without the VM; returns the entry index.
    pub fn set_str_entry(&self, key: std::rc::Rc<PyStr>, value: Value) -> usize {
        let mut table = self.table.borrow_mut();
        table.reserve_one();
        let hash = key.hash();
        let key = Value::Str(key);
        let mut st = table.start(hash);
        let res = match table.probe(&key, hash, &mut st) {
            Step::Found { entry, .. } => {
                if let Some(Some(e)) = table.entries.get_mut(entry) {
                    e.value = value;
                }
                entry
            }
            Step::Missing { slot } => {
                table.insert_at(slot, hash, key, value);
                table.entries.len() - 1
            }
            // A non-str key with an equal hash: keep probing as if it differed.
            Step::Ask { .. } => {
                table.advance(&mut st);
                let mut slot = st.slot;
                while table
                    .indices
                    .get(slot)
                    .is_some_and(|&i| i != EMPTY && i != DUMMY)
                {
                    table.advance(&mut st);
                    slot = st.slot;
                }
                table.insert_at(slot, hash, key, value);
                table.entries.len() - 1
            }
        };
        drop(table);
        self.changed();
        res
    }

    /// Overwrites the value of entry `idx` if that entry's key is the string `key`; gives the
    /// value back otherwise.
    #[inline]
    pub fn replace_str_at(&self, idx: usize, key: &PyStr, value: Value) -> Result<(), Value> {
        let mut table = self.table.borrow_mut();
        match table.entries.get_mut(idx) {
            Some(Some(Entry {
                key: Value::Str(s),
                value: slot,
                ..
            })) if std::ptr::eq(&**s, key) || s.as_str() == key.as_str() => {
                let old = std::mem::replace(slot, value);
                drop(table);
                drop(old);
                self.changed();
                Ok(())
            }
            _ => Err(value),
        }
    }

    pub fn set_item_str(&self, key: &str, value: Value) {
        self.set_str(crate::vm::object::str::intern_name(key), value);
    }

    pub fn remove_str(&self, key: &PyStr) -> Option<Value> {
        let mut table = self.table.borrow_mut();
        if table.used == 0 {
            return None;
        }
        let hash = key.hash();
        let probe_key = Value::str(key.as_str());
        let mut st = table.start(hash);
        let res = match table.probe(&probe_key, hash, &mut st) {
            Step::Found { entry, slot } => table.remove_at(entry, slot).map(|e| e.value),
            _ => None,
        };
        drop(table);
        self.changed();
        res
    }

    /// Number of entry positions (holes included), for index-based iteration.
    pub fn entry_span(&self) -> usize {
        self.table.borrow().entries.len()
    }

    /// The value of entry `idx` (without copying its key, as `entry_at` does).
    pub fn value_of_entry(&self, idx: usize) -> Option<Value> {
        match self.table.borrow().entries.get(idx) {
            Some(Some(entry)) => Some(entry.value.dup()),
            _ => None,
        }
    }

    /// The key of entry `idx`.
    pub fn key_of_entry(&self, idx: usize) -> Option<Value> {
        match self.table.borrow().entries.get(idx) {
            Some(Some(entry)) => Some(entry.key.dup()),
            _ => None,
        }
    }

    pub fn entry_at(&self, idx: usize) -> Option<Entry> {
        match self.table.borrow().entries.get(idx) {
            Some(Some(e)) => Some(Entry {
                hash: e.hash,
                key: e.key.dup(),
                value: e.value.dup(),
            }),
            _ => None,
        }
    }

    pub fn version(&self) -> u64 {
        self.table.borrow().version
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.table
            .borrow()
            .entries
            .iter()
            .flatten()
            .cloned()
            .collect()
    }

    pub fn keys(&self) -> Vec<Value> {
        self.table
            .borrow()
            .entries
            .iter()
            .flatten()
            .map(|e| e.key.clone())
            .collect()
    }

    pub fn values(&self) -> Vec<Value> {
        self.table
            .borrow()
            .entries
            .iter()
            .flatten()
            .map(|e| e.value.clone())
            .collect()
    }

    pub fn copy(&self) -> Dict {
        let mut table = self.table.borrow().clone();
        table.version = fresh_version();
        Dict {
            gc: Default::default(),
            table: RefCell::new(table),
            type_dict: Cell::new(false),
        }
    }

    pub fn clear(&self) {
        let old = std::mem::take(&mut *self.table.borrow_mut());
        self.table.borrow_mut().version = fresh_version();
        drop(old);
        self.changed();
    }

    /// Removes and returns the last entry (`popitem`).
    pub fn pop_last(&self) -> Option<Entry> {
        let mut table = self.table.borrow_mut();
        let last = table.entries.iter().rposition(Option::is_some)?;
        let entry = table.entries.get(last).cloned().flatten()?;
        let mut st = table.start(entry.hash);
        loop {
            match table.indices.get(st.slot).copied() {
                Some(idx) if idx as usize == last => break,
                Some(EMPTY) | None => return None,
                _ => table.advance(&mut st),
            }
        }
        let slot = st.slot;
        let res = table.remove_at(last, slot);
        table.entries.truncate(last);
        drop(table);
        self.changed();
        res
    }
}

impl Drop for Dict {
    fn drop(&mut self) {
        let table = std::mem::take(self.table.get_mut());
        if !table.entries.is_empty() {
            crate::vm::gc::guarded_drop(table);
        }
    }
}

impl Trace for Dict {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        match self.table.try_borrow() {
            Ok(table) => {
                for entry in table.entries.iter().flatten() {
                    gc::visit_value(&entry.key, visit);
                    gc::visit_value(&entry.value, visit);
                }
                true
            }
            Err(_) => false,
        }
    }

    fn clear(&self) {
        if let Ok(mut table) = self.table.try_borrow_mut() {
            let old = std::mem::take(&mut *table);
            table.version = fresh_version();
            drop(table);
            drop(old);
            self.changed();
        }
    }
}
