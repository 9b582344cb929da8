//! The timer heap behind `call_at`/`call_later`: callbacks ordered by (deadline, insertion
//! sequence), so timers due at the same instant fire in the order they were set, with O(log n)
//! push and pop and O(1) cancellation by handle. It is generic over the callback type and knows
//! nothing about clocks, polling or tasks; the event loop decides what "due" means.
//!
//! Layout: the heap holds small entries (deadline, sequence, slot) and the callbacks live in a
//! slab of slots beside it. Cancelling takes the callback out of its slot at once (so whatever it
//! holds is freed immediately, as CPython's `TimerHandle.cancel` drops its callback) and leaves
//! the heap entry behind as a tombstone, skipped when it reaches the top. Like CPython, the heap
//! is rebuilt without tombstones once they are more than half of it (and it holds more than 100
//! entries), so a program that keeps cancelling timeouts does not grow without bound.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Below this many heap entries tombstones are never swept in bulk
/// (CPython's `_MIN_SCHEDULED_TIMER_HANDLES`).
const MIN_ENTRIES_TO_REBUILD: usize = 100;

/// The room (in entries) that the timer heap, the slab and the event loop's ready queue
/// always keep as they drain: below that, freeing it would cost more than it saves.
pub(crate) const MIN_KEPT_ROOM: usize = 4096;

/// Identifies one timer for cancellation. A handle whose timer has fired or been cancelled
/// stays dead after its slot holds another timer: it names its timer by the low
/// `HANDLE_SEQ_BITS` bits of the timer's sequence number, so a stale handle could only match a
/// timer set 2^31 timers later in the same slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerHandle {
    seq: u32,
    slot: u32,
}

const HANDLE_SEQ_BITS: u32 = 31;
const HANDLE_SEQ_MASK: u32 = (1 << HANDLE_SEQ_BITS) - 1;

impl TimerHandle {
    /// The handle as one non-negative integer (what the event loop gives apy code, which
    /// passes it back to cancel the timer).
    pub fn to_bits(self) -> i64 {
        (i64::from(self.seq) << 32) | i64::from(self.slot)
    }

    /// The handle `to_bits` made; `None` for an integer it cannot have made.
    pub fn from_bits(bits: i64) -> Option<TimerHandle> {
        // Any non-negative integer has a seq within HANDLE_SEQ_BITS.
        let seq = u32::try_from(bits >> 32).ok()?;
        Some(TimerHandle {
            seq,
            slot: bits as u32,
        })
    }

    fn names(self, seq: u32) -> bool {
        self.seq == seq & HANDLE_SEQ_MASK
    }
}

/// One heap entry (16 bytes: a hundred thousand sleeping tasks keep one each). Ordered by
/// deadline (with `f64::total_cmp`; `push` keeps NaN out) and then by insertion sequence: the
/// low 32 bits of the timer's number, compared as a wrapping difference, which orders two
/// timers set fewer than 2^31 timers apart.
#[derive(Clone, Copy, Debug)]
struct Entry {
    deadline: f64,
    seq: u32,
    slot: u32,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.deadline
            .total_cmp(&other.deadline)
            .then((self.seq.wrapping_sub(other.seq) as i32).cmp(&0))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

/// A slab slot: the sequence number of the timer that last used it and, while that timer is
/// pending, its callback; while the slot is free, the next free one (the free list runs
/// through the slots, in the padding beside `seq`, so freeing costs no memory).
#[derive(Debug)]
struct Slot<C> {
    seq: u32,
    next_free: u32,
    callback: Option<C>,
}

/// The end of the free list.
const NO_SLOT: u32 = u32::MAX;

/// The pending timers of one event loop.
#[derive(Debug)]
pub struct Timers<C> {
    heap: BinaryHeap<Reverse<Entry>>,
    slots: Vec<Slot<C>>,
    /// The first free slot (`NO_SLOT`: none).
    free_head: u32,
    next_seq: u64,
    /// Heap entries whose timer was cancelled. Invariant: the top of the heap is never one of
    /// them, so `next_deadline` can answer without mutating.
    n_tombstones: usize,
}

impl<C> Default for Timers<C> {
    fn default() -> Self {
        Timers::new()
    }
}

impl<C> Timers<C> {
    /// An empty timer heap.
    pub fn new() -> Timers<C> {
        Timers {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free_head: NO_SLOT,
            next_seq: 0,
            n_tombstones: 0,
        }
    }

    /// The number of pending (set, not yet fired, not cancelled) timers.
    pub fn len(&self) -> usize {
        self.heap.len() - self.n_tombstones
    }

    /// Whether no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The earliest deadline among pending timers.
    pub fn next_deadline(&self) -> Option<f64> {
        self.heap.peek().map(|Reverse(entry)| entry.deadline)
    }

    /// Sets a timer firing `callback` at `deadline`. Among timers with equal deadlines, the one
    /// pushed first fires first.
    ///
    /// A NaN deadline is stored as +infinity (a timer that never fires) so that the heap order
    /// stays total, and -0.0 as 0.0 so that it ties with 0.0 by insertion order.
    pub fn push(&mut self, deadline: f64, callback: C) -> TimerHandle {
        let deadline = if deadline.is_nan() {
            f64::INFINITY
        } else {
            deadline + 0.0
        };
        let seq = self.next_seq as u32;
        self.next_seq = self.next_seq.wrapping_add(1);
        let slot_value = Slot {
            seq,
            next_free: NO_SLOT,
            callback: Some(callback),
        };
        let slot = match self.slots.get_mut(self.free_head as usize) {
            Some(entry) => {
                let slot = self.free_head;
                self.free_head = entry.next_free;
                *entry = slot_value;
                slot
            }
            None => {
                self.slots.push(slot_value);
                // A slab of 2^32 slots cannot be allocated, so this never saturates.
                u32::try_from(self.slots.len() - 1).unwrap_or(NO_SLOT)
            }
        };
        self.heap.push(Reverse(Entry {
            deadline,
            seq,
            slot,
        }));
        TimerHandle {
            seq: seq & HANDLE_SEQ_MASK,
            slot,
        }
    }

    /// Cancels a pending timer and gives its callback back. Returns `None` (and changes
    /// nothing) if the timer already fired or was already cancelled.
    pub fn cancel(&mut self, handle: TimerHandle) -> Option<C> {
        let index = usize::try_from(handle.slot).ok()?;
        let slot = self.slots.get_mut(index)?;
        if !handle.names(slot.seq) {
            return None;
        }
        let callback = slot.callback.take()?;
        slot.next_free = self.free_head;
        self.free_head = handle.slot;
        self.n_tombstones += 1;
        self.drop_dead_top();
        if self.heap.len() > MIN_ENTRIES_TO_REBUILD && self.n_tombstones * 2 > self.heap.len() {
            self.rebuild();
        }
        Some(callback)
    }

    /// Removes and yields, earliest first, every pending timer whose deadline is strictly before
    /// `end_time` (CPython's `handle._when < end_time`). Timers left unvisited when the iterator
    /// is dropped stay pending.
    pub fn pop_due(&mut self, end_time: f64) -> PopDue<'_, C> {
        PopDue {
            timers: self,
            end_time,
        }
    }

    /// Whether a heap entry still stands for a pending timer.
    fn is_live(&self, entry: &Entry) -> bool {
        self.slots
            .get(entry.slot as usize)
            .is_some_and(|slot| slot.seq == entry.seq && slot.callback.is_some())
    }

    /// Pops tombstones off the top of the heap, restoring the invariant that the top is live.
    fn drop_dead_top(&mut self) {
        while let Some(Reverse(top)) = self.heap.peek() {
            if self.is_live(top) {
                break;
            }
            self.heap.pop();
            debug_assert!(self.n_tombstones > 0);
            self.n_tombstones = self.n_tombstones.saturating_sub(1);
        }
    }

    /// Rebuilds the heap from its live entries only.
    fn rebuild(&mut self) {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        entries.retain(|Reverse(entry)| self.is_live(entry));
        self.heap = BinaryHeap::from(entries);
        self.n_tombstones = 0;
    }

    /// Frees most of the room of a heap and slab that many timers once needed, as they fire:
    /// the heap's when under a quarter of it is used, the slab's once no timer is pending
    /// (then every slot is free, and a handle to one names no slot at all, so cancelling it
    /// finds nothing, as it should).
    fn give_room_back(&mut self) {
        if self.heap.capacity() > MIN_KEPT_ROOM && self.heap.len() < self.heap.capacity() / 4 {
            self.heap.shrink_to(self.heap.len() * 2);
        }
        if self.heap.is_empty() && self.slots.capacity() > MIN_KEPT_ROOM {
            self.slots = Vec::new();
            self.free_head = NO_SLOT;
        }
    }

    /// Pops the top timer if it is due before `end_time`.
    fn pop_if_before(&mut self, end_time: f64) -> Option<C> {
        let Reverse(top) = *self.heap.peek()?;
        if top.deadline >= end_time || end_time.is_nan() {
            return None;
        }
        self.heap.pop();
        let mut callback = None;
        if let Some(slot) = self.slots.get_mut(top.slot as usize) {
            callback = slot.callback.take();
            slot.next_free = self.free_head;
            self.free_head = top.slot;
        }
        debug_assert!(callback.is_some(), "the top of the timer heap must be live");
        self.drop_dead_top();
        self.give_room_back();
        callback
    }
}

/// The iterator returned by [`Timers::pop_due`].
pub struct PopDue<'a, C> {
    timers: &'a mut Timers<C>,
    end_time: f64,
}

impl<C> Iterator for PopDue<'_, C> {
    type Item = C;

    fn next(&mut self) -> Option<C> {
        self.timers.pop_if_before(self.end_time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(timers: &mut Timers<&'static str>, end_time: f64) -> Vec<&'static str> {
        timers.pop_due(end_time).collect()
    }

    #[test]
    fn insertion_order_holds_across_the_sequence_wrapping() {
        let mut timers = Timers::new();
        timers.next_seq = u64::from(u32::MAX) - 2;
        for label in ["a", "b", "c", "d", "e", "f"] {
            timers.push(1.0, label);
        }
        assert_eq!(due(&mut timers, 2.0), ["a", "b", "c", "d", "e", "f"]);
        assert!(std::mem::size_of::<Entry>() <= 16);
    }

    #[test]
    fn same_deadline_fires_in_insertion_order() {
        let mut timers = Timers::new();
        for label in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            timers.push(1.0, label);
        }
        timers.push(0.5, "early");
        assert_eq!(timers.next_deadline(), Some(0.5));
        assert_eq!(
            due(&mut timers, 2.0),
            ["early", "a", "b", "c", "d", "e", "f", "g", "h"]
        );
        assert!(timers.is_empty());
    }

    #[test]
    fn pop_due_is_strictly_before_end_time() {
        let mut timers = Timers::new();
        timers.push(1.0, "one");
        timers.push(2.0, "two");
        assert_eq!(due(&mut timers, 1.0), Vec::<&str>::new());
        assert_eq!(due(&mut timers, 1.0 + 1e-9), ["one"]);
        assert_eq!(timers.len(), 1);
        assert_eq!(timers.next_deadline(), Some(2.0));
    }

    #[test]
    fn cancelled_timers_never_fire() {
        let mut timers = Timers::new();
        let a = timers.push(1.0, "a");
        let b = timers.push(2.0, "b");
        timers.push(3.0, "c");
        assert_eq!(timers.cancel(a), Some("a"));
        assert_eq!(timers.cancel(a), None);
        assert_eq!(timers.next_deadline(), Some(2.0));
        assert_eq!(timers.cancel(b), Some("b"));
        assert_eq!(timers.len(), 1);
        assert_eq!(due(&mut timers, 10.0), ["c"]);
    }

    #[test]
    fn stale_handle_does_not_cancel_a_reused_slot() {
        let mut timers = Timers::new();
        let old = timers.push(1.0, "old");
        assert_eq!(due(&mut timers, 5.0), ["old"]);
        timers.push(2.0, "new");
        assert_eq!(timers.cancel(old), None);
        assert_eq!(due(&mut timers, 5.0), ["new"]);
    }

    #[test]
    fn fired_and_cancelled_slots_are_reused_last_freed_first() {
        let mut timers = Timers::new();
        let handles: Vec<_> = ["a", "b", "c", "d"]
            .iter()
            .enumerate()
            .map(|(i, label)| timers.push(i as f64, *label))
            .collect();
        assert_eq!(due(&mut timers, 1.5), ["a", "b"]);
        assert_eq!(timers.cancel(handles[3]), Some("d"));
        // Three slots are free now (d's, then b's, then a's): new timers take them, the slab
        // does not grow, and every timer still fires in deadline order.
        let e = timers.push(9.0, "e");
        let f = timers.push(8.0, "f");
        let g = timers.push(7.0, "g");
        assert_eq!([e.slot, f.slot, g.slot], [3, 1, 0]);
        assert_eq!(timers.slots.len(), 4);
        assert_eq!(timers.push(6.0, "h").slot, 4);
        assert_eq!(due(&mut timers, 100.0), ["c", "h", "g", "f", "e"]);
        assert!(std::mem::size_of::<Slot<&'static str>>() <= 24);
    }

    #[test]
    fn handles_survive_the_trip_through_an_integer() {
        let mut timers = Timers::new();
        let first = timers.push(1.0, "first");
        let second = timers.push(1.0, "second");
        let bits = second.to_bits();
        assert!(bits >= 0 && bits != first.to_bits());
        assert_eq!(TimerHandle::from_bits(bits), Some(second));
        assert_eq!(TimerHandle::from_bits(-1), None);
        let nowhere = TimerHandle::from_bits(i64::MAX).unwrap();
        assert_eq!(timers.cancel(nowhere), None);
        assert_eq!(
            timers.cancel(TimerHandle::from_bits(bits).unwrap()),
            Some("second")
        );
        assert_eq!(due(&mut timers, 5.0), ["first"]);
    }

    #[test]
    fn cancelling_many_rebuilds_and_keeps_order() {
        let mut timers = Timers::new();
        let handles: Vec<_> = (0..300).map(|i| timers.push(f64::from(i % 7), i)).collect();
        for handle in handles.iter().filter(|h| h.seq % 3 != 0) {
            assert!(timers.cancel(*handle).is_some());
        }
        assert_eq!(timers.len(), 100);
        assert!(timers.heap.len() < 300, "tombstones were swept");
        let fired: Vec<i32> = timers.pop_due(100.0).collect();
        let mut expected: Vec<i32> = (0..300).filter(|i| i % 3 == 0).collect();
        expected.sort_by_key(|i| (i % 7, *i));
        assert_eq!(fired, expected);
    }

    #[test]
    fn nan_and_infinite_deadlines_never_come_due() {
        let mut timers = Timers::new();
        timers.push(f64::NAN, "nan");
        timers.push(f64::INFINITY, "inf");
        timers.push(-f64::NAN, "negative nan");
        timers.push(1.0, "one");
        assert_eq!(due(&mut timers, f64::INFINITY), ["one"]);
        assert_eq!(timers.next_deadline(), Some(f64::INFINITY));
        assert_eq!(timers.len(), 3);
    }

    #[test]
    fn negative_zero_ties_with_zero_by_insertion_order() {
        let mut timers = Timers::new();
        timers.push(0.0, "zero");
        timers.push(-0.0, "negative zero");
        assert_eq!(due(&mut timers, 1.0), ["zero", "negative zero"]);
    }

    #[test]
    fn a_burst_of_fired_timers_gives_its_room_back_and_old_handles_stay_dead() {
        let mut timers = Timers::new();
        let handles: Vec<TimerHandle> = (0..20_000).map(|i| timers.push(1.0, i)).collect();
        timers.push(9.0, -1);
        assert_eq!(timers.pop_due(2.0).count(), 20_000);
        // The heap shrank as it drained; the slab still holds the pending timer.
        assert!(timers.heap.capacity() <= 2 * MIN_KEPT_ROOM);
        assert!(timers.slots.capacity() >= 20_000);
        assert_eq!(timers.pop_due(10.0).collect::<Vec<_>>(), [-1]);
        assert!(timers.slots.capacity() == 0 && timers.is_empty());
        // A handle from before names no slot of the new slab.
        let fresh = timers.push(3.0, 7);
        assert_eq!(timers.cancel(handles[0]), None);
        assert_eq!(timers.cancel(fresh), Some(7));
    }
}
