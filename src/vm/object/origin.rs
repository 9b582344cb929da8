//! Where generators and coroutines were made: the "created at" of a task, and the place a
//! coroutine that was never awaited is reported at. Each distinct place (a code object and
//! the index of the call instruction in it) gets a 16-bit number, the first time a
//! generator is made there; a generator keeps that number in two bytes beside its state,
//! where a pointer and an index took sixteen and made every generator a 64-byte block
//! rather than a 48-byte one. A program has a few places that make generators, each used
//! again and again; past 65,535 of them, generators made at new places have none.

use crate::vm::object::function::Code;
use hashbrown::HashMap;
use std::cell::RefCell;
use std::mem::ManuallyDrop;
use std::rc::Rc;

/// A place's number; `NONE` stands for no place.
pub type Origin = u16;
pub const NONE: Origin = 0;

struct Places {
    /// Place `n` is `places[n - 1]`; it keeps its code alive (a REPL input's code outlives
    /// the input: its tasks report where they were made), so no other code object can take
    /// its address.
    places: Vec<(Rc<Code>, u32)>,
    numbers: HashMap<(usize, u32), Origin>,
    /// The places numbered lately, by a hash of the place: a program makes most of its
    /// generators at a few places, in turn (a task's coroutine, then its `sleep`).
    recent: [((usize, u32), Origin); RECENT],
}

const RECENT: usize = 8;

impl Default for Places {
    fn default() -> Places {
        Places {
            places: Vec::new(),
            numbers: HashMap::new(),
            recent: [((0, 0), NONE); RECENT],
        }
    }
}

/// Where place `key` sits in `Places::recent`.
#[inline]
fn slot(key: (usize, u32)) -> usize {
    ((key.0 >> 4) ^ key.1 as usize) % RECENT
}

thread_local! {
    /// Never dropped: dropping a code object at the thread's end could reach thread-locals
    /// already gone. The thread's end is the interpreter's.
    static PLACES: ManuallyDrop<RefCell<Places>> = ManuallyDrop::new(RefCell::default());
}

/// The number of the place `ip` in `code` (`NONE` once every number is taken, or if the
/// instruction index does not fit 32 bits).
#[inline]
pub fn number(code: &Rc<Code>, ip: usize) -> Origin {
    let Ok(ip) = u32::try_from(ip) else {
        return NONE;
    };
    let key = (Rc::as_ptr(code) as usize, ip);
    PLACES
        .try_with(|p| {
            let Ok(mut p) = p.try_borrow_mut() else {
                return NONE;
            };
            match p.recent.get(slot(key)) {
                Some(&(seen, n)) if seen == key && n != NONE => n,
                _ => p.number_of(code, key),
            }
        })
        .unwrap_or(NONE)
}

/// The code and instruction index of place `n`.
pub fn place(n: Origin) -> Option<(Rc<Code>, usize)> {
    let idx = usize::from(n).checked_sub(1)?;
    PLACES
        .try_with(|p| {
            let p = p.try_borrow().ok()?;
            let (code, ip) = p.places.get(idx)?;
            Some((code.clone(), *ip as usize))
        })
        .ok()
        .flatten()
}

impl Places {
    #[inline(never)]
    fn number_of(&mut self, code: &Rc<Code>, key: (usize, u32)) -> Origin {
        let n = match self.numbers.get(&key) {
            Some(&n) => n,
            None => {
                let Ok(n) = Origin::try_from(self.places.len() + 1) else {
                    return NONE;
                };
                self.places.push((code.clone(), key.1));
                self.numbers.insert(key, n);
                n
            }
        };
        if let Some(entry) = self.recent.get_mut(slot(key)) {
            *entry = (key, n);
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::code::CodeKind;

    #[test]
    fn each_place_has_one_number_and_gives_its_code_back() {
        let code = |name| {
            let obj =
                crate::vm::tests::code(CodeKind::Module, name, vec![], vec![], &[], &[], 0, vec![]);
            Code::load(obj)
        };
        let (a, b) = (code("a"), code("b"));
        let first = number(&a, 3);
        assert_ne!(first, NONE);
        assert_eq!(number(&a, 3), first);
        let other = number(&b, 3);
        let later = number(&a, 7);
        assert!(other != first && later != first && later != other);
        assert_eq!(number(&a, 3), first, "found again after others");
        let (found, ip) = place(other).expect("a numbered place");
        assert!(Rc::ptr_eq(&found, &b) && ip == 3);
        assert!(place(NONE).is_none());
    }
}
