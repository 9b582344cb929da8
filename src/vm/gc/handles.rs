//! The collector's weak handles to the objects it tracks. A `Weak<dyn Trace>` is two words
//! (pointer and vtable); the kinds a program makes by the hundred thousand (instances, and
//! the generators behind coroutines and tasks) keep one-word handles in vectors of their
//! own instead, which halves what a hundred thousand waiting tasks cost the collector.

use super::Trace;
use crate::vm::object::class::Instance;
use crate::vm::object::generator::Generator;
use std::rc::{Rc, Weak};

/// A set of tracked objects: a generation, or the whole tracked list. An object's position
/// in the set (`get`, `for_each`) counts the instances first, then the generators, then the
/// rest.
#[derive(Default)]
pub struct Handles {
    instances: Vec<Weak<Instance>>,
    generators: Vec<Weak<Generator>>,
    others: Vec<Weak<dyn Trace>>,
}

/// The vectors of a set, by kind.
pub type Parts<'a> = (
    &'a mut Vec<Weak<Instance>>,
    &'a mut Vec<Weak<Generator>>,
    &'a mut Vec<Weak<dyn Trace>>,
);

/// A kind a set keeps handles of, typed or not.
pub trait Kind: Trace {
    fn into_dyn(rc: Rc<Self>) -> Rc<dyn Trace>;
}

impl<T: Trace + 'static> Kind for T {
    fn into_dyn(rc: Rc<Self>) -> Rc<dyn Trace> {
        rc
    }
}

impl Kind for dyn Trace {
    fn into_dyn(rc: Rc<Self>) -> Rc<dyn Trace> {
        rc
    }
}

/// Where one set ends and the next begins, in each of the three vectors.
#[derive(Clone, Copy)]
pub struct Split([usize; 3]);

impl Split {
    /// The start of every vector.
    pub const START: Split = Split([0; 3]);
}

/// How a tracked kind is put into a set: by default as a `Weak<dyn Trace>`.
pub trait Register: Trace + Sized + 'static {
    fn register(this: &Rc<Self>, set: &mut Handles) {
        set.others.push(Rc::downgrade(this) as Weak<dyn Trace>);
    }
}

impl Register for Instance {
    fn register(this: &Rc<Self>, set: &mut Handles) {
        set.instances.push(Rc::downgrade(this));
    }
}

impl Register for Generator {
    fn register(this: &Rc<Self>, set: &mut Handles) {
        set.generators.push(Rc::downgrade(this));
    }
}

impl Handles {
    pub const fn new() -> Handles {
        Handles {
            instances: Vec::new(),
            generators: Vec::new(),
            others: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.instances.len() + self.generators.len() + self.others.len()
    }

    /// The end of the set as it is now.
    pub fn end(&self) -> Split {
        Split([
            self.instances.len(),
            self.generators.len(),
            self.others.len(),
        ])
    }

    /// The object at position `idx`, if it is still alive.
    pub fn get(&self, mut idx: usize) -> Option<Rc<dyn Trace>> {
        if let Some(w) = self.instances.get(idx) {
            return w.upgrade().map(|o| o as Rc<dyn Trace>);
        }
        idx -= self.instances.len();
        if let Some(w) = self.generators.get(idx) {
            return w.upgrade().map(|o| o as Rc<dyn Trace>);
        }
        idx -= self.generators.len();
        self.others.get(idx).and_then(Weak::upgrade)
    }

    /// The three vectors, for the steps of a collection that run over each in turn
    /// (typed, so that reading an instance's or a generator's mark is a direct call).
    pub fn parts(&mut self) -> Parts<'_> {
        (&mut self.instances, &mut self.generators, &mut self.others)
    }

    /// Takes out everything after `at` (the young generation), leaving the rest.
    pub fn split_off(&mut self, at: Split) -> Handles {
        let [i, g, o] = at.0;
        Handles {
            instances: self.instances.split_off(i.min(self.instances.len())),
            generators: self.generators.split_off(g.min(self.generators.len())),
            others: self.others.split_off(o.min(self.others.len())),
        }
    }

    /// Moves every handle of `other` to the end of this set.
    pub fn append(&mut self, other: &mut Handles) {
        self.instances.append(&mut other.instances);
        self.generators.append(&mut other.generators);
        self.others.append(&mut other.others);
    }

    /// Gives back most of the room of vectors that a collection emptied.
    pub fn trim(&mut self) {
        fn trim<T>(v: &mut Vec<T>) {
            if v.len() < v.capacity() / 4 {
                v.shrink_to(v.len() * 2);
            }
        }
        trim(&mut self.instances);
        trim(&mut self.generators);
        trim(&mut self.others);
    }
}

/// The kinds kept as `Weak<dyn Trace>`.
macro_rules! register_as_others {
    ($($kind:ty),* $(,)?) => {
        $(impl Register for $kind {})*
    };
}

register_as_others!(
    crate::vm::object::List,
    crate::vm::object::Tuple,
    crate::vm::object::dict::Dict,
    crate::vm::object::set::Set,
    crate::vm::object::class::Class,
    crate::vm::object::misc::Slice,
    crate::vm::object::misc::Property,
    crate::vm::object::misc::Wrapper,
    crate::vm::object::misc::Super,
    crate::vm::object::misc::DictView,
    crate::vm::object::function::Function,
    crate::vm::object::function::BoundMethod,
    crate::vm::object::function::Cell,
    crate::vm::object::iter::Iter,
);
