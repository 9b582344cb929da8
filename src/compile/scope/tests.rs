//! Scope analysis tests: resolutions dumped in the format of CPython's `symtable` (see
//! `dump`), and the scope errors with CPython's messages.

use super::*;

/// One line per function-like scope and class, in creation order, as
/// `name: local=.. cell=.. free=.. global=.. implicit=..` (names sorted).
pub(crate) fn dump(table: &ScopeTable) -> String {
    let mut out = Vec::new();
    for &child in &table.scope(ScopeTable::MODULE).children {
        dump_scope(table, child, &mut out);
    }
    out.join("\n")
}

fn dump_scope(table: &ScopeTable, id: ScopeId, out: &mut Vec<String>) {
    let scope = table.scope(id);
    if scope.kind == ScopeKind::Class {
        let mut cells: Vec<&str> = scope.cellvars.iter().map(|n| &**n).collect();
        cells.sort();
        out.push(format!("class {}: cell={}", scope.name, cells.join(",")));
    } else {
        let pick = |wanted: Resolution| {
            let mut names: Vec<&str> = scope
                .resolved
                .iter()
                .filter(|(_, &res)| res == wanted)
                .map(|(name, _)| &**name)
                .collect();
            names.sort();
            names.join(",")
        };
        let frees: Vec<&str> = scope.freevars.iter().map(|n| &**n).collect();
        let categories = [
            ("local", pick(Resolution::Local)),
            ("cell", pick(Resolution::Cell)),
            ("free", frees.join(",")),
            ("global", pick(Resolution::GlobalExplicit)),
            ("implicit", pick(Resolution::GlobalImplicit)),
        ];
        let mut line = scope.name.trim_matches(['<', '>']).to_string();
        line.push(':');
        for (label, names) in categories {
            if !names.is_empty() {
                line.push_str(&format!(" {label}={names}"));
            }
        }
        out.push(line);
    }
    for &child in &scope.children {
        dump_scope(table, child, out);
    }
}
