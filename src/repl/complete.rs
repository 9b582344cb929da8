//! Tab completion, answered on the VM thread: keywords and the names in scope (globals,
//! builtins) for a plain word, and the attributes of the object a dotted name refers to after
//! a dot (`asyncio.create_ta` → `create_task`). Only names and attribute chains are looked up,
//! never calls, so completing cannot start a computation.

use crate::repl::highlight::KEYWORDS;
use crate::vm::object::dict::Dict;
use crate::vm::object::str::PyStr;
use crate::vm::value::Value;
use crate::vm::Vm;
use std::rc::Rc;

/// The byte offset where the completed word starts and the candidates, sorted.
pub fn candidates(vm: &mut Vm, globals: &Rc<Dict>, line: &str, pos: usize) -> (usize, Vec<String>) {
    let before = line.get(..pos).unwrap_or(line);
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    let expr = &before[start..];
    let mut found = match expr.rsplit_once('.') {
        Some((base, word)) => {
            let names = attribute_names(vm, globals, base).unwrap_or_default();
            let hide_private = !word.starts_with('_');
            let found: Vec<String> = names
                .into_iter()
                .filter(|n| n.starts_with(word) && !(hide_private && n.starts_with('_')))
                .collect();
            return (pos - word.len(), sorted(found));
        }
        None => {
            let mut names: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
            names.extend(["None", "True", "False"].map(str::to_string));
            names.extend(dict_names(globals));
            names.extend(dict_names(&vm.builtins.clone()));
            names.retain(|n| n.starts_with(expr) && (expr.starts_with('_') || !n.starts_with('_')));
            names
        }
    };
    found = sorted(found);
    (start, found)
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

fn dict_names(dict: &Dict) -> Vec<String> {
    dict.keys()
        .into_iter()
        .filter_map(|k| match k {
            Value::Str(s) => Some(s.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

/// The attribute names of the object `dotted` (like `a.b.c`) names, if it names one.
fn attribute_names(vm: &mut Vm, globals: &Rc<Dict>, dotted: &str) -> Option<Vec<String>> {
    let mut parts = dotted.split('.');
    let first = parts.next()?;
    let first = PyStr::new(first);
    let mut obj = globals
        .get_str(&first)
        .or_else(|| vm.builtins.get_str(&first))?;
    for part in parts {
        if part.is_empty() {
            return None;
        }
        obj = vm.get_attr_str(&obj, part).ok()?;
    }
    let dir = vm.builtins.get_str(&PyStr::new("dir"))?;
    let listed = vm.call(&dir, &[obj]).ok()?;
    let names = match listed {
        Value::List(list) => list
            .snapshot()
            .into_iter()
            .filter_map(|v| match v {
                Value::Str(s) => Some(s.as_str().to_owned()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(names)
}
