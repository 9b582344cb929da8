//! "Did you mean" hints for uncaught `NameError` and `AttributeError`, computed as CPython
//! 3.11 does (`Python/suggestions.c`): a Levenshtein distance where a case change costs 1 and
//! any other edit 2, accepting a candidate when at most a third of the characters change.

use crate::vm::machine::Vm;
use crate::vm::object::class::Suggest;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;

const MOVE_COST: usize = 2;
const CASE_COST: usize = 1;
const MAX_STRING_SIZE: usize = 40;
const MAX_CANDIDATE_ITEMS: usize = 750;

fn substitution_cost(a: u8, b: u8) -> usize {
    if a == b {
        0
    } else if a.eq_ignore_ascii_case(&b) {
        CASE_COST
    } else {
        MOVE_COST
    }
}

fn levenshtein(a: &[u8], b: &[u8], max_cost: usize) -> usize {
    let (mut a, mut b) = (a, b);
    while let (Some(x), Some(y)) = (a.first(), b.first()) {
        if x != y {
            break;
        }
        a = &a[1..];
        b = &b[1..];
    }
    while let (Some(x), Some(y)) = (a.last(), b.last()) {
        if x != y {
            break;
        }
        a = &a[..a.len() - 1];
        b = &b[..b.len() - 1];
    }
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > MAX_STRING_SIZE || b.len() > MAX_STRING_SIZE {
        return max_cost + 1;
    }
    if b.len() < a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    let mut buffer: Vec<usize> = (1..=a.len()).map(|i| i * MOVE_COST).collect();
    let mut result = 0;
    for (b_index, &code) in b.iter().enumerate() {
        let mut distance = b_index * MOVE_COST;
        result = distance;
        let mut minimum = usize::MAX;
        for (index, slot) in buffer.iter_mut().enumerate() {
            let substitute = distance + substitution_cost(code, a[index]);
            distance = *slot;
            let insert_delete = result.min(distance) + MOVE_COST;
            result = insert_delete.min(substitute);
            *slot = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}

/// The closest candidate to `name`, if close enough.
pub fn closest(candidates: &[String], name: &str) -> Option<String> {
    if candidates.len() >= MAX_CANDIDATE_ITEMS {
        return None;
    }
    let mut best: Option<&String> = None;
    let mut best_distance = usize::MAX;
    for item in candidates {
        if item == name {
            continue;
        }
        let max_distance =
            ((name.len() + item.len() + 3) * MOVE_COST / 6).min(best_distance.saturating_sub(1));
        let distance = levenshtein(name.as_bytes(), item.as_bytes(), max_distance);
        if distance > max_distance {
            continue;
        }
        if best.is_none() || distance < best_distance {
            best = Some(item);
            best_distance = distance;
        }
    }
    best.cloned()
}

fn dict_names(d: &crate::vm::object::dict::Dict) -> Vec<String> {
    d.keys()
        .iter()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect()
}

impl Vm {
    /// The "Did you mean" hint of an exception, if it has one.
    pub fn suggestion(&mut self, exc: &Value) -> Option<String> {
        let Value::Instance(inst) = exc else {
            return None;
        };
        let data = inst.exc.as_ref()?;
        let ctx = data.suggest.borrow().clone()?;
        match ctx {
            Suggest::Name {
                name,
                varnames,
                globals,
            } => {
                let locals: Vec<String> = varnames.iter().map(|n| n.as_str().to_owned()).collect();
                closest(&locals, name.as_str())
                    .or_else(|| closest(&dict_names(&globals), name.as_str()))
                    .or_else(|| {
                        let builtins = self.builtins.clone();
                        closest(&dict_names(&builtins), name.as_str())
                    })
            }
            Suggest::Attr { name, obj } => {
                let names = self.dir_names(&obj);
                closest(&names, name.as_str())
            }
        }
    }

    /// `dir(obj)`: sorted attribute names.
    pub fn dir_names(&mut self, obj: &Value) -> Vec<String> {
        let mut names = Vec::new();
        match obj {
            Value::Instance(inst) => {
                names.extend(
                    inst.dict_keys()
                        .iter()
                        .filter_map(|k| k.as_str().map(str::to_owned)),
                );
                for c in inst.class.mro_iter() {
                    names.extend(dict_names(&c.dict));
                }
            }
            Value::Class(cls) => {
                for c in cls.mro_iter() {
                    names.extend(dict_names(&c.dict));
                }
            }
            Value::Module(m) => names.extend(dict_names(&m.dict)),
            other => {
                for c in self.class_of(other).mro_iter() {
                    names.extend(dict_names(&c.dict));
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// Records what a NameError's hint is computed from.
    pub fn attach_suggestion(&self, exc: &Value, ctx: Suggest) {
        if let Value::Instance(inst) = exc {
            if let Some(data) = &inst.exc {
                *data.suggest.borrow_mut() = Some(ctx);
            }
        }
    }
}

pub fn name_key(name: &PyStr) -> String {
    name.as_str().to_owned()
}
