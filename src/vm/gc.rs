//! The cycle collector: reference counting frees everything except cycles; this finds them
//! by trial deletion (CPython's algorithm). Every container registers a `Weak` when created
//! (`track`). A collection counts, for each tracked object, the references that come from
//! other tracked objects; whatever has more strong references than that is held from outside
//! (the VM's stacks, Rust locals), so no rooting is needed. Objects not reachable from those
//! are cleared, which breaks their cycles. Collections run only at safe points chosen by the
//! dispatch loop, with two generations so the cost stays proportional to allocation.

use crate::vm::value::Value;
use hashbrown::HashMap;
use std::cell::RefCell;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::{Rc, Weak};

/// Called with the address of each object of a tracked kind that an object holds (see
/// `tracked_addr`): values of other kinds (numbers, strings, code) can never be in a
/// collected set, so `visit_value` skips them without a call.
pub type Visit<'a> = dyn FnMut(usize) + 'a;

/// A heap kind that can hold other values.
pub trait Trace {
    /// Visits every tracked-kind value held (`visit_value`, `visit_values`, `visit_rc`).
    /// Returns false if the contents could not be read (a `RefCell` is borrowed): the object
    /// then counts as reachable from outside.
    fn trace(&self, visit: &mut Visit) -> bool;
    /// Drops every value held (only called on garbage).
    fn clear(&self);
}

/// New objects tracked between two young collections.
const YOUNG_THRESHOLD: usize = 10_000;

/// A full collection waits until the old generation has grown by this percentage of its size
/// after the last one (plus one young generation's worth). Scanning the old generation costs
/// time proportional to its size, so with growth by a fraction `g` the full scans of a program
/// that keeps building up live objects add up to about `(1 + g) / g` times the final size: 2x
/// for doubling (Go's default heap goal), 5x for CPython's quarter. Garbage cycles that reach
/// the old generation wait at most that long.
const FULL_GROWTH_PERCENT: usize = 100;

struct Collector {
    young: Vec<Weak<dyn Trace>>,
    old: Vec<Weak<dyn Trace>>,
    /// Size of the old generation after the last full collection.
    old_after_full: usize,
    /// Full collections run so far (statistics, and the test of the policy).
    full_runs: usize,
    enabled: bool,
}

thread_local! {
    /// Set when the young generation is full; read on every call, so a plain `Cell`.
    static DUE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static COLLECTOR: RefCell<Collector> = const {
        RefCell::new(Collector {
            young: Vec::new(),
            old: Vec::new(),
            old_after_full: 0,
            full_runs: 0,
            enabled: true,
        })
    };
}

pub fn track<T: Trace + 'static>(obj: &Rc<T>) {
    let weak: Weak<dyn Trace> = Rc::downgrade(obj) as Weak<dyn Trace>;
    COLLECTOR.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.young.push(weak);
            if c.young.len() >= YOUNG_THRESHOLD && c.enabled {
                DUE.with(|d| d.set(true));
            }
        }
    });
}

/// `track`, kept out of line: for kinds made on hot paths that are tracked only sometimes
/// (slices, iterators) or are small (super objects), so their constructors stay small.
#[inline(never)]
pub fn track_rc<T: Trace + 'static>(obj: &Rc<T>) {
    track(obj);
}

/// Whether `v` is of a kind the collector tracks, so an object holding it could be part of
/// a cycle.
#[inline]
pub fn may_hold(v: &Value) -> bool {
    tracked_addr(v).is_some()
}

/// True when enough objects were allocated since the last collection.
#[inline]
pub fn should_collect() -> bool {
    DUE.with(|d| d.get())
}

pub fn set_enabled(enabled: bool) {
    COLLECTOR.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.enabled = enabled;
        }
    });
}

/// Number of tracked entries (live or not yet pruned); for tests and `gc` statistics.
pub fn tracked_count() -> usize {
    COLLECTOR.with(|c| {
        c.try_borrow()
            .map(|c| c.young.len() + c.old.len())
            .unwrap_or(0)
    })
}

/// Number of full collections so far.
pub fn full_runs() -> usize {
    COLLECTOR.with(|c| c.try_borrow().map(|c| c.full_runs).unwrap_or(0))
}

/// Runs a young collection, and a full one when the old generation grew enough (see
/// `FULL_GROWTH_PERCENT`).
/// Must be called only where no `RefCell` of a tracked object is borrowed mutably in a way
/// that matters (failed borrows are treated conservatively anyway). Returns the number of
/// objects freed.
pub fn collect() -> usize {
    DUE.with(|d| d.set(false));
    let Some(young) = COLLECTOR.with(|c| {
        c.try_borrow_mut()
            .ok()
            .map(|mut c| std::mem::replace(&mut c.young, Vec::with_capacity(YOUNG_THRESHOLD)))
    }) else {
        return 0;
    };
    let (freed, survivors) = collect_set(young);
    let full_due = COLLECTOR.with(|c| {
        let Ok(mut c) = c.try_borrow_mut() else {
            return false;
        };
        c.old.extend(survivors);
        let growth = c.old_after_full / 100 * FULL_GROWTH_PERCENT;
        c.old.len() > c.old_after_full + growth + YOUNG_THRESHOLD
    });
    if !full_due {
        return freed;
    }
    freed + collect_full()
}

/// Collects every generation at once.
pub fn collect_full() -> usize {
    DUE.with(|d| d.set(false));
    let Some(all) = COLLECTOR.with(|c| {
        c.try_borrow_mut().ok().map(|mut c| {
            let mut all = std::mem::take(&mut c.old);
            all.append(&mut c.young);
            all
        })
    }) else {
        return 0;
    };
    let (freed, survivors) = collect_set(all);
    COLLECTOR.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.old_after_full = survivors.len();
            c.full_runs += 1;
            c.old.extend(survivors);
        }
    });
    freed
}

/// Hashes the heap addresses that index a collection: one multiply and fold, instead of
/// SipHash's rounds (the keys are addresses, never chosen by a user).
#[derive(Default)]
struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_usize(&mut self, addr: usize) {
        self.write_u64(addr as u64);
    }

    fn write_u64(&mut self, key: u64) {
        let wide = u128::from(self.0 ^ key) * 0x9E37_79B9_7F4A_7C15_u128;
        self.0 = (wide as u64) ^ ((wide >> 64) as u64);
    }
}

/// Visits `v` if it is of a kind the collector tracks.
#[inline]
pub fn visit_value(v: &Value, visit: &mut Visit) {
    if let Some(addr) = tracked_addr(v) {
        visit(addr);
    }
}

/// `visit_value` for each of `values`.
#[inline]
pub fn visit_values(values: &[Value], visit: &mut Visit) {
    for v in values {
        visit_value(v, visit);
    }
}

/// Visits an object held by a typed reference (a class, dict or cell), without making a
/// `Value` of it.
#[inline]
pub fn visit_rc<T: ?Sized>(rc: &Rc<T>, visit: &mut Visit) {
    visit(Rc::as_ptr(rc) as *const () as usize);
}

/// The address of a value of a kind the collector tracks (`track` is only ever called for
/// these); strings, numbers, code and the like can never be in a collected set, so tracing
/// skips them without a lookup.
#[inline]
fn tracked_addr(v: &Value) -> Option<usize> {
    fn addr<T: ?Sized>(rc: &Rc<T>) -> Option<usize> {
        Some(Rc::as_ptr(rc) as *const () as usize)
    }
    match v {
        Value::List(v) => addr(v),
        Value::Tuple(v) => addr(v),
        Value::Dict(v) => addr(v),
        Value::Set(v) => addr(v),
        Value::Function(v) => addr(v),
        Value::Method(v) => addr(v),
        Value::Class(v) => addr(v),
        Value::Instance(v) => addr(v),
        Value::Cell(v) => addr(v),
        Value::Generator(v) => addr(v),
        Value::Iter(v) => addr(v),
        Value::Property(v) => addr(v),
        Value::Wrapper(v) => addr(v),
        Value::DictView(v) => addr(v),
        Value::Slice(v) => addr(v),
        Value::Super(v) => addr(v),
        _ => None,
    }
}

type AddrMap = HashMap<usize, u32, BuildHasherDefault<AddrHasher>>;

/// Trial deletion over one set of tracked objects; returns the freed count and the weak
/// handles of the survivors.
fn collect_set(set: Vec<Weak<dyn Trace>>) -> (usize, Vec<Weak<dyn Trace>>) {
    // The vectors below are per object, and a full collection can cover millions of them:
    // the handles are converted in place (weak to strong here, strong to weak for the
    // survivors at the end), and counts and positions are 32-bit.
    let objs: Vec<Rc<dyn Trace>> = set.into_iter().filter_map(|w| w.upgrade()).collect();
    let mut index = AddrMap::with_capacity_and_hasher(objs.len(), Default::default());
    for (idx, obj) in objs.iter().enumerate() {
        index.insert(Rc::as_ptr(obj) as *const () as usize, idx as u32);
    }
    // Our own upgrade holds one reference to each object. (A count beyond `i32` saturates:
    // such an object is held from outside anyway.)
    let mut gc_refs: Vec<i32> = objs
        .iter()
        .map(|o| i32::try_from(Rc::strong_count(o) - 1).unwrap_or(i32::MAX))
        .collect();
    let mut external = vec![false; objs.len()];
    for (idx, obj) in objs.iter().enumerate() {
        let traced = obj.trace(&mut |addr: usize| {
            if let Some(&child) = index.get(&addr) {
                if let Some(count) = gc_refs.get_mut(child as usize) {
                    *count = count.saturating_sub(1);
                }
            }
        });
        if !traced {
            external[idx] = true;
        }
    }
    let mut reachable = external;
    for (flag, &count) in reachable.iter_mut().zip(&gc_refs) {
        *flag |= count > 0;
    }
    drop(gc_refs);
    let mut work: Vec<u32> = (0..objs.len() as u32)
        .filter(|&i| reachable[i as usize])
        .collect();
    // Only the objects not yet known reachable can change the outcome: once every one of
    // them has been reached, the rest of the tracing would find nothing new.
    let mut unknown = objs.len() - work.len();
    while unknown > 0 {
        let Some(idx) = work.pop() else { break };
        if let Some(obj) = objs.get(idx as usize) {
            obj.trace(&mut |addr: usize| {
                if let Some(&child) = index.get(&addr) {
                    if reachable.get(child as usize) == Some(&false) {
                        reachable[child as usize] = true;
                        unknown -= 1;
                        work.push(child);
                    }
                }
            });
        }
    }
    drop((index, work));
    let mut freed = 0;
    for (obj, &live) in objs.iter().zip(&reachable) {
        if !live {
            obj.clear();
            freed += 1;
        }
    }
    let survivors = objs
        .into_iter()
        .zip(reachable)
        .filter_map(|(obj, live)| live.then(|| Rc::downgrade(&obj)))
        .collect();
    (freed, survivors)
}

thread_local! {
    static DROP_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static DEFERRED: RefCell<Vec<Box<dyn std::any::Any>>> = const { RefCell::new(Vec::new()) };
}

/// How deep container drops may nest before the rest is deferred.
const MAX_DROP_DEPTH: usize = 64;

/// Drops a container's contents without unbounded Rust recursion: dropping a list that holds
/// a list that holds a list... would otherwise recurse once per level and overflow the
/// stack (CPython's "trashcan" solves the same problem). Past a fixed depth the contents are
/// queued and dropped iteratively by the outermost drop.
pub fn guarded_drop<T: 'static>(contents: T) {
    let depth = DROP_DEPTH.with(|d| d.get());
    if depth >= MAX_DROP_DEPTH {
        let queued = DEFERRED.with(|q| match q.try_borrow_mut() {
            Ok(mut q) => {
                q.push(Box::new(contents));
                None
            }
            Err(_) => Some(contents),
        });
        drop(queued);
        return;
    }
    DROP_DEPTH.with(|d| d.set(depth + 1));
    drop(contents);
    DROP_DEPTH.with(|d| d.set(depth));
    if depth == 0 {
        loop {
            let next = DEFERRED.with(|q| q.try_borrow_mut().ok().and_then(|mut q| q.pop()));
            let Some(next) = next else { break };
            DROP_DEPTH.with(|d| d.set(1));
            drop(next);
            DROP_DEPTH.with(|d| d.set(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::object::List;

    /// Drives the collector as the dispatch loop does: at safe points, when due.
    fn safe_point() {
        if should_collect() {
            collect();
        }
    }

    #[test]
    fn many_live_objects_need_few_full_collections_and_cycles_still_go() {
        let runs_before = full_runs();
        let mut live = Vec::new();
        for idx in 0..400_000 {
            let list = Value::list(Vec::new());
            if idx % 2 == 0 {
                live.push(list);
            } else if let Value::List(l) = &list {
                // A cycle: the list holds itself, so only the collector can free it.
                l.items.borrow_mut().push(list.clone());
            }
            safe_point();
        }
        let full = full_runs() - runs_before;
        // 200,000 live objects reached by doubling from one young generation: about
        // log2(20) full scans, never one per young collection (there were 40).
        assert!(full <= 6, "{full} full collections");
        collect_full();
        let tracked = tracked_count();
        assert!(tracked < live.len() + 1_000, "{tracked} tracked");
        let cycle = Rc::new(List::new(Vec::new()));
        track(&cycle);
        cycle.items.borrow_mut().push(Value::List(cycle.clone()));
        let weak = Rc::downgrade(&cycle);
        drop(cycle);
        collect_full();
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn a_cycle_through_an_iterator_is_collected() {
        use crate::vm::object::iter::{Iter, IterState};
        // A list holding an iterator over itself: only the iterator's edge closes the cycle.
        let list = Value::list(Vec::new());
        let iter = Iter::new_value(
            IterState::Seq {
                seq: list.clone(),
                idx: 0,
            },
            "list_iterator",
        );
        let (Value::List(l), Value::Iter(it)) = (&list, &iter) else {
            panic!("a list and an iterator were made");
        };
        l.items.borrow_mut().push(iter.clone());
        let (weak_list, weak_iter) = (Rc::downgrade(l), Rc::downgrade(it));
        drop((list, iter));
        collect_full();
        assert!(weak_list.upgrade().is_none() && weak_iter.upgrade().is_none());
    }

    #[test]
    fn a_cycle_through_a_slice_of_objects_is_collected() {
        use crate::vm::object::misc::Slice;
        let list = Value::list(Vec::new());
        let slice = Slice::new_value(list.clone(), Value::None, Value::None);
        let Value::List(l) = &list else {
            panic!("a list was made");
        };
        l.items.borrow_mut().push(slice);
        let weak = Rc::downgrade(l);
        drop(list);
        collect_full();
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn a_cycle_through_a_property_is_collected() {
        use crate::vm::object::misc::Property;
        // As a class made in a function: its dict holds a property whose getter reaches it.
        let list = Value::list(Vec::new());
        let prop = Property::new_value(list.clone(), Value::None, Value::None, Value::None);
        let Value::List(l) = &list else {
            panic!("a list was made");
        };
        l.items.borrow_mut().push(prop);
        let weak = Rc::downgrade(l);
        drop(list);
        collect_full();
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn a_cycle_through_a_remembered_constructor_is_collected() {
        use crate::vm::object::class::{Constructor, Layout};
        use crate::vm::types::new_class;
        // A class whose remembered `__init__` reaches the class again (as a method does
        // through its globals or a `__class__` cell): only the cache's edge closes the cycle.
        let cls = new_class("C", Vec::new(), Layout::Object);
        track(&cls);
        let init = Value::list(vec![Value::Class(cls.clone())]);
        *cls.ctor.borrow_mut() = Some((
            0,
            Constructor {
                init: Some(init),
                new: None,
            },
        ));
        let weak = Rc::downgrade(&cls);
        drop(cls);
        collect_full();
        assert!(weak.upgrade().is_none());
    }
}
