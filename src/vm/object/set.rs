//! `Set` (and frozenset, by a flag): CPython's set table reproduced slot for slot (linear
//! probes of 9, perturbation shift 5, the same fill and resize rules) so iteration order
//! matches CPython for numbers and tuples of numbers. Comparisons that need apy code run with
//! no borrow held, as in `dict.rs`.

use crate::vm::exception::PResult;
use crate::vm::gc::{self, GcHeader, Trace, Visit};
use crate::vm::hash::fast_eq;
use crate::vm::machine::Vm;
use crate::vm::value::Value;
use std::cell::RefCell;

const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

#[derive(Clone)]
pub enum Slot {
    Empty,
    Dummy,
    Full(i64, Value),
}

#[derive(Clone)]
pub struct SetTable {
    pub slots: Vec<Slot>,
    fill: usize,
    used: usize,
    version: u64,
}

pub struct Set {
    pub table: RefCell<SetTable>,
    pub frozen: bool,
    /// The cycle collector's mark.
    pub gc: GcHeader,
}

enum Step {
    Found(usize),
    Missing { slot: usize, dummy: bool },
    Ask(usize, Value),
}

/// Position within a probe sequence: the start of the current run of linear probes and the
/// offset inside it.
#[derive(Clone, Copy)]
struct ProbeState {
    base: usize,
    offset: usize,
    perturb: u64,
    free: Option<usize>,
}

impl Default for SetTable {
    fn default() -> SetTable {
        SetTable {
            slots: vec![Slot::Empty; MIN_SIZE],
            fill: 0,
            used: 0,
            version: 0,
        }
    }
}

impl SetTable {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn start(&self, hash: i64) -> ProbeState {
        ProbeState {
            base: (hash as u64 as usize) & self.mask(),
            offset: 0,
            perturb: hash as u64,
            free: None,
        }
    }

    fn advance(&self, st: &mut ProbeState) {
        let probes = if st.base + LINEAR_PROBES <= self.mask() {
            LINEAR_PROBES
        } else {
            0
        };
        if st.offset < probes {
            st.offset += 1;
            return;
        }
        st.perturb >>= PERTURB_SHIFT;
        st.base = (st
            .base
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(st.perturb as usize))
            & self.mask();
        st.offset = 0;
    }

    fn probe(&self, key: &Value, hash: i64, st: &mut ProbeState) -> Step {
        loop {
            let slot = st.base + st.offset;
            match self.slots.get(slot) {
                None | Some(Slot::Empty) => {
                    return match st.free {
                        Some(free) => Step::Missing {
                            slot: free,
                            dummy: true,
                        },
                        None => Step::Missing { slot, dummy: false },
                    }
                }
                Some(Slot::Dummy) => {
                    st.free.get_or_insert(slot);
                }
                Some(Slot::Full(h, k)) if *h == hash => {
                    if k.is(key) {
                        return Step::Found(slot);
                    }
                    match fast_eq(k, key) {
                        Some(true) => return Step::Found(slot),
                        Some(false) => {}
                        None => return Step::Ask(slot, k.clone()),
                    }
                }
                Some(Slot::Full(..)) => {}
            }
            self.advance(st);
        }
    }

    fn insert_clean(slots: &mut [Slot], hash: i64, key: Value) {
        let mask = slots.len() - 1;
        let mut perturb = hash as u64;
        let mut base = (hash as u64 as usize) & mask;
        loop {
            let probes = if base + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for slot in base..=base + probes {
                if let Some(cell @ Slot::Empty) = slots.get_mut(slot) {
                    *cell = Slot::Full(hash, key);
                    return;
                }
            }
            perturb >>= PERTURB_SHIFT;
            base = (base
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    fn resize(&mut self, min_used: usize) {
        let mut size = MIN_SIZE;
        while size <= min_used {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.slots, vec![Slot::Empty; size]);
        for slot in old {
            if let Slot::Full(hash, key) = slot {
                SetTable::insert_clean(&mut self.slots, hash, key);
            }
        }
        self.fill = self.used;
        self.version += 1;
    }

    fn insert_at(&mut self, slot: usize, dummy: bool, hash: i64, key: Value) {
        if let Some(cell) = self.slots.get_mut(slot) {
            *cell = Slot::Full(hash, key);
        }
        self.used += 1;
        self.version += 1;
        if dummy {
            return;
        }
        self.fill += 1;
        if self.fill * 5 >= self.mask() * 3 {
            let target = if self.used > 50_000 {
                self.used * 2
            } else {
                self.used * 4
            };
            self.resize(target);
        }
    }
}

impl Set {
    pub fn new(frozen: bool) -> Set {
        Set {
            gc: Default::default(),
            table: RefCell::new(SetTable::default()),
            frozen,
        }
    }

    pub fn len(&self) -> usize {
        self.table.borrow().used
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lookup(&self, vm: &mut Vm, key: &Value, hash: i64) -> PResult<(Step, u64)> {
        'restart: loop {
            let version = self.table.borrow().version;
            let mut st = self.table.borrow().start(hash);
            loop {
                let step = self.table.borrow().probe(key, hash, &mut st);
                let Step::Ask(slot, cand) = step else {
                    return Ok((step, version));
                };
                let equal = vm.eq(&cand, key)?;
                let table = self.table.borrow();
                if table.version != version {
                    continue 'restart;
                }
                if equal {
                    return Ok((Step::Found(slot), version));
                }
                table.advance(&mut st);
            }
        }
    }

    pub fn contains(&self, vm: &mut Vm, key: &Value) -> PResult<bool> {
        let hash = vm.hash(key)?;
        Ok(matches!(self.lookup(vm, key, hash)?.0, Step::Found(_)))
    }

    /// Adds `key`; returns false if it was already present.
    pub fn add(&self, vm: &mut Vm, key: Value) -> PResult<bool> {
        let hash = vm.hash(&key)?;
        self.add_hashed(vm, key, hash)
    }

    pub fn add_hashed(&self, vm: &mut Vm, key: Value, hash: i64) -> PResult<bool> {
        loop {
            let (step, version) = self.lookup(vm, &key, hash)?;
            let mut table = self.table.borrow_mut();
            if table.version != version {
                continue;
            }
            return Ok(match step {
                Step::Missing { slot, dummy } => {
                    table.insert_at(slot, dummy, hash, key);
                    true
                }
                _ => false,
            });
        }
    }

    /// Removes `key`; returns false if it was absent.
    pub fn discard(&self, vm: &mut Vm, key: &Value) -> PResult<bool> {
        let hash = vm.hash(key)?;
        loop {
            let (step, version) = self.lookup(vm, key, hash)?;
            let mut table = self.table.borrow_mut();
            if table.version != version {
                continue;
            }
            let Step::Found(slot) = step else {
                return Ok(false);
            };
            if let Some(cell) = table.slots.get_mut(slot) {
                *cell = Slot::Dummy;
            }
            table.used -= 1;
            table.version += 1;
            return Ok(true);
        }
    }

    /// The members in table order with their hashes.
    pub fn entries(&self) -> Vec<(i64, Value)> {
        self.table
            .borrow()
            .slots
            .iter()
            .filter_map(|s| match s {
                Slot::Full(h, k) => Some((*h, k.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn items(&self) -> Vec<Value> {
        self.entries().into_iter().map(|(_, k)| k).collect()
    }

    /// The member at or after slot `pos`, with the next position (for iterators).
    pub fn next_from(&self, pos: usize) -> Option<(usize, Value)> {
        let table = self.table.borrow();
        let slots = table.slots.get(pos..)?;
        slots.iter().enumerate().find_map(|(off, s)| match s {
            Slot::Full(_, k) => Some((pos + off + 1, k.clone())),
            _ => None,
        })
    }

    pub fn version(&self) -> u64 {
        self.table.borrow().version
    }

    pub fn copy(&self, frozen: bool) -> Set {
        Set {
            gc: Default::default(),
            table: RefCell::new(self.table.borrow().clone()),
            frozen,
        }
    }

    pub fn clear(&self) {
        let mut table = self.table.borrow_mut();
        let version = table.version + 1;
        let old = std::mem::take(&mut *table);
        table.version = version;
        drop(table);
        drop(old);
    }

    /// Removes an arbitrary member (the first in table order, as CPython's `pop`... close
    /// enough: CPython keeps a finger; we scan from the start).
    pub fn pop(&self) -> Option<Value> {
        let mut table = self.table.borrow_mut();
        let pos = table
            .slots
            .iter()
            .position(|s| matches!(s, Slot::Full(..)))?;
        let old = std::mem::replace(table.slots.get_mut(pos)?, Slot::Dummy);
        table.used -= 1;
        table.version += 1;
        match old {
            Slot::Full(_, k) => Some(k),
            _ => None,
        }
    }
}

impl Trace for Set {
    fn gc_header(&self) -> Option<&GcHeader> {
        Some(&self.gc)
    }

    fn trace(&self, visit: &mut Visit) -> bool {
        match self.table.try_borrow() {
            Ok(table) => {
                for slot in &table.slots {
                    if let Slot::Full(_, k) = slot {
                        gc::visit_value(k, visit);
                    }
                }
                true
            }
            Err(_) => false,
        }
    }

    fn clear(&self) {
        if let Ok(mut table) = self.table.try_borrow_mut() {
            let old = std::mem::take(&mut *table);
            drop(table);
            drop(old);
        }
    }
}
