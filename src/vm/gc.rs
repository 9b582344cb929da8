//! The cycle collector: reference counting frees everything except cycles; this finds them
//! by trial deletion (CPython's algorithm). Every container registers a `Weak` when created
//! (`track`). A collection counts, for each tracked object, the references that come from
//! other tracked objects; whatever has more strong references than that is held from outside
//! (the VM's stacks, Rust locals), so no rooting is needed. Objects not reachable from those
//! are cleared, which breaks their cycles. Collections run only at safe points chosen by the
//! dispatch loop, with two generations so the cost stays proportional to allocation.
//!
//! The counts live in the objects (`GcHeader`, as CPython keeps `gc_refs` in its object
//! header): following a reference is a field access, not a lookup in an index of the set,
//! and a collection allocates nothing per object but its work list.

mod handles;

use crate::vm::value::Value;
pub use handles::Register;
use handles::{Handles, Kind, Split};
use hashbrown::HashMap;
use std::cell::{Cell, RefCell};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::{Rc, Weak};

/// What a collection does with each object of a tracked kind that a traced object holds
/// (see `visit_value`; values of other kinds, numbers, strings, code, can never be in a
/// collected set, so tracing skips them). A concrete type rather than a closure: tracing
/// calls it once per reference, and a direct call inlines.
pub struct Visit {
    /// Counting (each reference lowers the count of the object it reaches), or reaching.
    counting: bool,
    /// Reaching: the positions of objects newly reached, still to trace.
    work: Vec<usize>,
    /// Reaching: how many objects of the set are not known reachable yet.
    unknown: usize,
    /// The marks of the set's objects that have no header, by address.
    side: SideMarks,
}

impl Visit {
    #[inline]
    fn header(&mut self, header: &GcHeader) {
        Visit::mark(self.counting, &mut self.work, &mut self.unknown, header);
    }

    /// An object of a kind without a header, at `addr`: marked if it is in the set.
    #[inline]
    fn side_marked(&mut self, addr: usize) {
        if self.side.is_empty() {
            return;
        }
        if let Some(header) = self.side.get(&addr) {
            Visit::mark(self.counting, &mut self.work, &mut self.unknown, header);
        }
    }

    #[inline]
    fn mark(counting: bool, work: &mut Vec<usize>, unknown: &mut usize, header: &GcHeader) {
        if counting {
            header.drop_ref();
        } else if let Some(idx) = header.reach() {
            *unknown -= 1;
            work.push(idx);
        }
    }
}

/// The marks of a collection's tuples, by address. A tuple has no header: most tuples are
/// never tracked (those of numbers and strings cannot be part of a cycle, `Value::tuple`),
/// and four bytes more would grow every one by a whole allocation step.
type SideMarks = HashMap<usize, GcHeader, BuildHasherDefault<AddrHasher>>;

/// Hashes the heap addresses that key `SideMarks`: one multiply and fold, instead of
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

fn addr_of<T: ?Sized>(rc: &Rc<T>) -> usize {
    Rc::as_ptr(rc) as *const () as usize
}

/// The mark of `obj`: its header, or its entry in `side`.
fn mark_of<'a, T: Trace + ?Sized>(obj: &'a Rc<T>, side: &'a SideMarks) -> Option<&'a GcHeader> {
    obj.gc_header().or_else(|| side.get(&addr_of(obj)))
}

/// A heap kind that can hold other values.
pub trait Trace {
    /// Visits every tracked-kind value held (`visit_value`, `visit_values`, `visit_rc`).
    /// Returns false if the contents could not be read (a `RefCell` is borrowed): the object
    /// then counts as reachable from outside.
    fn trace(&self, visit: &mut Visit) -> bool;
    /// Drops every value held (only called on garbage).
    fn clear(&self);
    /// The collector's mark in the object; `None` for a kind that has no room for one
    /// (tuples), whose mark a collection keeps by address instead (`SideMarks`).
    fn gc_header(&self) -> Option<&GcHeader>;
}

/// The collector's mark in a tracked object: idle outside a collection; during one, first
/// the count of references not yet explained by other objects in the set, then whether the
/// object was reached from outside it (with, until it is, its position in the set).
#[derive(Default)]
pub struct GcHeader(Cell<u32>);

const STATE: u32 = 3 << 30;
const LOW: u32 = (1 << 30) - 1;
const COUNTING: u32 = 1 << 30;
const UNREACHED: u32 = 2 << 30;
const REACHED: u32 = 3 << 30;

impl GcHeader {
    fn is_idle(&self) -> bool {
        self.0.get() == 0
    }

    /// Starts counting from the object's strong count (a count of `LOW` or more stands for
    /// "held from outside" and is never lowered).
    fn start_count(&self, strong: usize) {
        let refs = u32::try_from(strong).map_or(LOW, |n| n.min(LOW));
        self.0.set(COUNTING | refs);
    }

    /// Marks the object as held from outside the set.
    fn pin(&self) {
        self.0.set(COUNTING | LOW);
    }

    /// One reference to the object comes from an object in the set.
    fn drop_ref(&self) {
        let s = self.0.get();
        if s & STATE == COUNTING && s & LOW != 0 && s & LOW != LOW {
            self.0.set(s - 1);
        }
    }

    /// Ends counting: true (and reached) if references from outside the set remain,
    /// otherwise unreached until something reached refers to it.
    fn classify(&self, idx: usize) -> bool {
        match u32::try_from(idx) {
            Ok(idx) if self.0.get() & LOW == 0 && idx < LOW => {
                self.0.set(UNREACHED | idx);
                false
            }
            _ => {
                self.0.set(REACHED);
                true
            }
        }
    }

    /// Marks an unreached object reached and returns its position in the set; `None` for
    /// objects already reached or not in the set.
    fn reach(&self) -> Option<usize> {
        let s = self.0.get();
        if s & STATE != UNREACHED {
            return None;
        }
        self.0.set(REACHED);
        Some((s & LOW) as usize)
    }

    fn is_unreached(&self) -> bool {
        self.0.get() & STATE == UNREACHED
    }

    fn reset(&self) {
        self.0.set(0);
    }
}

/// New objects tracked between two young collections.
const YOUNG_THRESHOLD: usize = 10_000;

/// A full collection waits until the old generation has grown by a percentage of its size
/// after the last one (plus one young generation's worth). Scanning the old generation costs
/// time proportional to its size, so with growth by a fraction `g` the full scans of a program
/// that keeps building up live objects add up to about `(1 + g) / g` times the final size: 2x
/// for doubling (Go's default heap goal), 5x for CPython's quarter. Garbage cycles that reach
/// the old generation wait at most that long.
///
/// The percentage starts at `FULL_GROWTH_PERCENT`. A full collection that frees less than
/// one object in `LOW_YIELD` of its set doubles it, up to `FULL_GROWTH_MAX_PERCENT`; one that
/// frees more puts it back. A program building up live objects (a hundred thousand waiting
/// tasks) then scans them about 1.25 times instead of twice, while one whose full
/// collections keep finding garbage cycles keeps the doubling rule. The cost is one longer
/// wait when a program turns from building up objects to dropping cycles: the collection
/// that finds them puts the percentage back.
const FULL_GROWTH_PERCENT: usize = 100;
const FULL_GROWTH_MAX_PERCENT: usize = 400;
const LOW_YIELD: usize = 20;

struct Collector {
    /// Every tracked object: the old generation, then from `young_start` the young one. One
    /// set of vectors, so that a collection never holds two copies of a generation's
    /// handles and the slack of only one growing vector per kind is paid (a hundred
    /// thousand waiting tasks track a quarter of a million objects).
    tracked: Handles,
    young_start: Split,
    /// How many objects were tracked since the last collection.
    young_count: usize,
    /// Size of the old generation after the last full collection.
    old_after_full: usize,
    /// How much the old generation may grow before the next full collection, in percent
    /// of `old_after_full`.
    growth_percent: usize,
    /// Full collections run so far (statistics, and the test of the policy).
    full_runs: usize,
    enabled: bool,
}

thread_local! {
    /// Set when the young generation is full; read on every call, so a plain `Cell`.
    static DUE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static COLLECTOR: RefCell<Collector> = const {
        RefCell::new(Collector {
            tracked: Handles::new(),
            young_start: Split::START,
            young_count: 0,
            old_after_full: 0,
            growth_percent: FULL_GROWTH_PERCENT,
            full_runs: 0,
            enabled: true,
        })
    };
}

pub fn track<T: Register>(obj: &Rc<T>) {
    COLLECTOR.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            T::register(obj, &mut c.tracked);
            c.young_count += 1;
            if c.young_count >= YOUNG_THRESHOLD && c.enabled {
                DUE.with(|d| d.set(true));
            }
        }
    });
}

/// `track`, kept out of line: for kinds made on hot paths that are tracked only sometimes
/// (slices, iterators) or are small (super objects), so their constructors stay small.
#[inline(never)]
pub fn track_rc<T: Register>(obj: &Rc<T>) {
    track(obj);
}

/// Whether `v` is of a kind the collector tracks, so an object holding it could be part of
/// a cycle.
#[inline]
pub fn may_hold(v: &Value) -> bool {
    matches!(v, Value::Tuple(_)) || tracked_header(v).is_some()
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

/// Whether automatic collections run (`gc.isenabled()`).
pub fn is_enabled() -> bool {
    COLLECTOR.with(|c| c.try_borrow().map_or(true, |c| c.enabled))
}

/// Number of tracked entries (live or not yet pruned); for tests and `gc` statistics.
pub fn tracked_count() -> usize {
    COLLECTOR.with(|c| c.try_borrow().map(|c| c.tracked.len()).unwrap_or(0))
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
        c.try_borrow_mut().ok().map(|mut c| {
            c.young_count = 0;
            let start = c.young_start;
            c.tracked.split_off(start)
        })
    }) else {
        return 0;
    };
    let (freed, mut survivors) = collect_set(young);
    let full_due = COLLECTOR.with(|c| {
        let Ok(mut c) = c.try_borrow_mut() else {
            return false;
        };
        c.tracked.append(&mut survivors);
        c.young_start = c.tracked.end();
        let growth = c.old_after_full / 100 * c.growth_percent;
        c.tracked.len() > c.old_after_full + growth + YOUNG_THRESHOLD
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
            c.young_start = Split::START;
            c.young_count = 0;
            std::mem::take(&mut c.tracked)
        })
    }) else {
        return 0;
    };
    let scanned = all.len();
    let (freed, survivors) = collect_set(all);
    COLLECTOR.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.growth_percent = if freed.saturating_mul(LOW_YIELD) < scanned {
                (c.growth_percent * 2).min(FULL_GROWTH_MAX_PERCENT)
            } else {
                FULL_GROWTH_PERCENT
            };
            c.old_after_full = survivors.len();
            c.full_runs += 1;
            // The set's own vector goes back (objects tracked meanwhile after it), trimmed
            // when the collection freed most of it.
            let mut tracked = survivors;
            tracked.append(&mut c.tracked);
            tracked.trim();
            c.young_start = tracked.end();
            c.tracked = tracked;
        }
    });
    freed
}

/// Visits `v` if it is of a kind the collector tracks. (A value of such a kind that was
/// never tracked has an idle header, which a collection passes over.)
#[inline]
pub fn visit_value(v: &Value, visit: &mut Visit) {
    if let Value::Tuple(t) = v {
        visit.side_marked(addr_of(t));
    } else if let Some(header) = tracked_header(v) {
        visit.header(header);
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
pub fn visit_rc<T: Trace>(rc: &Rc<T>, visit: &mut Visit) {
    match rc.gc_header() {
        Some(header) => visit.header(header),
        None => visit.side_marked(addr_of(rc)),
    }
}

/// The header of a value of a kind the collector tracks (`track` is only ever called for
/// these); strings, numbers, code and the like can never be in a collected set, so tracing
/// skips them. Tuples have none (`SideMarks`).
#[inline]
fn tracked_header(v: &Value) -> Option<&GcHeader> {
    match v {
        Value::List(v) => v.gc_header(),
        Value::Dict(v) => v.gc_header(),
        Value::Set(v) => v.gc_header(),
        Value::Function(v) => v.gc_header(),
        Value::Method(v) => v.gc_header(),
        Value::Class(v) => v.gc_header(),
        Value::Instance(v) => v.gc_header(),
        Value::Cell(v) => v.gc_header(),
        Value::Generator(v) => v.gc_header(),
        Value::Iter(v) => v.gc_header(),
        Value::Property(v) => v.gc_header(),
        Value::Wrapper(v) => v.gc_header(),
        Value::DictView(v) => v.gc_header(),
        Value::Slice(v) => v.gc_header(),
        Value::Super(v) => v.gc_header(),
        _ => None,
    }
}

/// Trial deletion over one set of tracked objects; returns the freed count and the weak
/// handles of the survivors (the set's own vectors, filtered in place). No object can die
/// before the garbage is cleared (tracing runs no apy code and drops nothing), so the
/// handles are upgraded only for as long as each step needs one object. Each step runs over
/// the set's vectors one kind at a time.
fn collect_set(mut set: Handles) -> (usize, Handles) {
    // Counts start at the strong counts.
    let mut side = SideMarks::default();
    let (instances, generators, others) = set.parts();
    start_counts(instances, &mut side);
    start_counts(generators, &mut side);
    start_counts(others, &mut side);
    // Each reference from an object in the set lowers the count of the object it reaches.
    let mut visit = Visit {
        counting: true,
        work: Vec::new(),
        unknown: 0,
        side,
    };
    let (instances, generators, others) = set.parts();
    subtract_inner(instances, &mut visit);
    subtract_inner(generators, &mut visit);
    subtract_inner(others, &mut visit);
    // What keeps references from outside is reached, and so is everything it reaches; only
    // the objects not yet known reachable can change the outcome, so tracing stops once
    // every one of them has been reached.
    visit.counting = false;
    let (instances, generators, others) = set.parts();
    let base = classify(instances, 0, &mut visit);
    let base = classify(generators, base, &mut visit);
    classify(others, base, &mut visit);
    while visit.unknown > 0 {
        let Some(idx) = visit.work.pop() else { break };
        if let Some(obj) = set.get(idx) {
            obj.trace(&mut visit);
        }
    }
    let side = visit.side;
    // The unreached are garbage: held strongly while their contents are dropped, which
    // breaks their cycles. Every header is idle again afterwards.
    let mut garbage: Vec<Rc<dyn Trace>> = Vec::new();
    let (instances, generators, others) = set.parts();
    sweep(instances, &side, &mut garbage);
    sweep(generators, &side, &mut garbage);
    sweep(others, &side, &mut garbage);
    for obj in &garbage {
        obj.clear();
    }
    (garbage.len(), set)
}

/// Starts each object's count at its strong count. A handle to a dead object goes, as does
/// a second handle to one object (its count would be lowered twice).
fn start_counts<T: Kind + ?Sized>(handles: &mut Vec<Weak<T>>, side: &mut SideMarks) {
    handles.retain(|weak| {
        let Some(obj) = weak.upgrade() else {
            return false;
        };
        let header = match obj.gc_header() {
            Some(header) => header,
            None => side.entry(addr_of(&obj)).or_default(),
        };
        if !header.is_idle() {
            return false;
        }
        header.start_count(Rc::strong_count(&obj) - 1);
        true
    });
}

/// Lowers the count of every object the set's objects reach.
fn subtract_inner<T: Kind + ?Sized>(handles: &[Weak<T>], visit: &mut Visit) {
    for weak in handles {
        if let Some(obj) = weak.upgrade() {
            if !obj.trace(visit) {
                if let Some(header) = mark_of(&obj, &visit.side) {
                    header.pin();
                }
            }
        }
    }
}

/// Sorts the objects at positions `base..` into those held from outside (to trace) and
/// those not known reachable yet; returns the position after them.
fn classify<T: Kind + ?Sized>(handles: &[Weak<T>], base: usize, visit: &mut Visit) -> usize {
    for (i, weak) in handles.iter().enumerate() {
        if let Some(obj) = weak.upgrade() {
            let idx = base + i;
            match mark_of(&obj, &visit.side).map(|header| header.classify(idx)) {
                Some(false) => visit.unknown += 1,
                _ => visit.work.push(idx),
            }
        }
    }
    base + handles.len()
}

/// Moves the unreached objects' handles out, the objects themselves into `garbage`.
fn sweep<T: Kind + ?Sized>(
    handles: &mut Vec<Weak<T>>,
    side: &SideMarks,
    garbage: &mut Vec<Rc<dyn Trace>>,
) {
    handles.retain(|weak| {
        let Some(obj) = weak.upgrade() else {
            return false;
        };
        let Some(header) = mark_of(&obj, side) else {
            return true;
        };
        let unreached = header.is_unreached();
        header.reset();
        if unreached {
            garbage.push(T::into_dyn(obj));
        }
        !unreached
    });
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

    fn growth_percent() -> usize {
        COLLECTOR.with(|c| c.borrow().growth_percent)
    }

    fn self_cycle() -> Value {
        let list = Value::list(Vec::new());
        if let Value::List(l) = &list {
            l.items.borrow_mut().push(list.clone());
        }
        list
    }

    #[test]
    fn full_collections_space_out_while_they_free_little() {
        let live: Vec<Value> = (0..20_000).map(|_| self_cycle()).collect();
        collect_full();
        assert_eq!(growth_percent(), 2 * FULL_GROWTH_PERCENT);
        collect_full();
        collect_full();
        collect_full();
        assert_eq!(growth_percent(), FULL_GROWTH_MAX_PERCENT);
        // Garbage: a tenth of the set, more than one in `LOW_YIELD`.
        for _ in 0..2_000 {
            drop(self_cycle());
        }
        assert_eq!(collect_full(), 2_000);
        assert_eq!(growth_percent(), FULL_GROWTH_PERCENT);
        assert_eq!(live.len(), 20_000);
    }

    #[test]
    fn a_cycle_held_from_outside_survives_and_marks_are_cleared() {
        // a <-> b, with `a` also held here; `c` is tracked twice (a second handle must not
        // lower its count twice) and refers to `a`.
        let (a, b, c) = (
            Value::list(Vec::new()),
            Value::list(Vec::new()),
            Value::list(Vec::new()),
        );
        let (Value::List(la), Value::List(lb), Value::List(lc)) = (&a, &b, &c) else {
            panic!("three lists were made");
        };
        la.items.borrow_mut().push(b.clone());
        lb.items.borrow_mut().push(a.clone());
        lc.items.borrow_mut().push(a.clone());
        track(lc);
        let weak_b = Rc::downgrade(lb);
        drop(b);
        collect_full();
        assert!(
            weak_b.upgrade().is_some(),
            "reachable through the outside reference"
        );
        for list in [la, lc] {
            assert!(list.gc_header().is_some_and(GcHeader::is_idle));
        }
        assert_eq!(lc.len(), 1);
        drop((a, c));
        collect_full();
        assert!(
            weak_b.upgrade().is_none(),
            "garbage once the outside references went"
        );
    }

    #[test]
    fn cycles_through_tuples_are_marked_by_address() {
        // list <-> tuple, dropped: garbage. kept_list <-> kept, with `kept` held here: live
        // until it goes too.
        let (list, kept_list) = (Value::list(Vec::new()), Value::list(Vec::new()));
        let (tuple, kept) = (
            Value::tuple(vec![list.clone()]),
            Value::tuple(vec![kept_list.clone()]),
        );
        let (Value::List(l), Value::List(kl)) = (&list, &kept_list) else {
            panic!("two lists were made");
        };
        l.items.borrow_mut().push(tuple.clone());
        kl.items.borrow_mut().push(kept.clone());
        let (weak, weak_kept) = (Rc::downgrade(l), Rc::downgrade(kl));
        drop((list, tuple, kept_list));
        collect_full();
        assert!(weak.upgrade().is_none(), "the unreachable cycle went");
        assert!(
            weak_kept.upgrade().is_some(),
            "the held tuple kept its list"
        );
        drop(kept);
        collect_full();
        assert!(weak_kept.upgrade().is_none());
    }

    #[test]
    fn a_cycle_through_an_iterator_is_collected() {
        use crate::vm::object::iter::{Iter, IterKind, IterState};
        // A list holding an iterator over itself: only the iterator's edge closes the cycle.
        let list = Value::list(Vec::new());
        let iter = Iter::new_value(
            IterState::Seq {
                seq: list.clone(),
                idx: 0,
            },
            IterKind::List,
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

    #[test]
    fn a_set_of_instances_lists_and_cycles_keeps_what_is_held() {
        use crate::vm::object::class::{Instance, Layout};
        use crate::vm::object::str::intern_name;
        use crate::vm::types::new_class;
        // Instances (kept in a vector of their own) and lists (in the shared one) in one
        // collection: a held instance reaches a list that reaches a second instance, which
        // must survive; a pair of instances holding each other through a list goes.
        let cls = new_class("C", Vec::new(), Layout::Object);
        let attr = intern_name("x");
        let instance = |v: Value| {
            let inst = Instance::new_value(cls.clone());
            if let Value::Instance(i) = &inst {
                i.dict_set(&attr, v);
            }
            inst
        };
        let inner = instance(Value::None);
        let held = instance(Value::list(vec![inner.clone()]));
        let (first, second) = (instance(Value::None), instance(Value::None));
        if let (Value::Instance(a), Value::Instance(b)) = (&first, &second) {
            a.dict_set(&attr, Value::list(vec![second.clone()]));
            b.dict_set(&attr, first.clone());
        }
        let weak = |v: &Value| match v {
            Value::Instance(i) => Rc::downgrade(i),
            _ => panic!("an instance was made"),
        };
        let (weak_inner, weak_first, weak_second) = (weak(&inner), weak(&first), weak(&second));
        drop((inner, first, second));
        collect_full();
        assert!(
            weak_inner.upgrade().is_some(),
            "reached from a held instance"
        );
        assert!(weak_first.upgrade().is_none() && weak_second.upgrade().is_none());
        drop(held);
        collect_full();
        assert!(weak_inner.upgrade().is_none());
    }
}
