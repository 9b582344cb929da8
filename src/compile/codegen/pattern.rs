//! `match` statements. The subject and every sub-subject live in hidden variables named
//! `.m{depth}_{index}` (the scope pass declares them; they cannot clash with user names), so a
//! failed pattern never leaves values on the operand stack: each pattern loads what it tests
//! and jumps to its case's failure label. Destructuring uses three instructions that answer
//! with a tuple of the parts or `None`: `MatchSequence`, `MatchMapping` and `MatchClass`.
//! Captures bind as they match, as CPython allows ("a failed match may bind some names").

use super::{Compiler, Label, NameCtx};
use crate::compile::code::{Const, Instr};
use crate::compile::scope::match_temp as temp_name;
use crate::syntax::ast::*;
use crate::syntax::span::Span;
use std::rc::Rc;

/// One part of a destructured subject: a sub-pattern, or the `**rest` of a mapping pattern.
enum Part<'a> {
    Pattern(&'a Pattern),
    Bind(&'a Ident),
}

impl<'a> Compiler<'a> {
    pub(super) fn compile_match(&mut self, subject: &'a Expr, cases: &'a [MatchCase]) {
        for (idx, case) in cases.iter().enumerate() {
            if idx + 1 < cases.len() && case.guard.is_none() {
                if let Some(message) = irrefutable(&case.pattern) {
                    self.error(message, case.pattern.span);
                }
            }
            self.check_bindings(&case.pattern);
        }
        self.compile_expr(subject);
        self.store_temp(0, 0);
        let end = self.new_label();
        for case in cases {
            let next = self.new_label();
            self.with_span(case.pattern.span, |c| {
                c.compile_pattern(&case.pattern, 0, 0, next)
            });
            if let Some(guard) = &case.guard {
                self.compile_jump_if(guard, false, next);
            }
            self.compile_body(&case.body);
            self.emit_jump(Instr::Jump, end);
            self.bind(next);
        }
        self.bind(end);
    }

    fn store_temp(&mut self, depth: usize, index: usize) {
        self.name_op(&temp_name(depth, index), NameCtx::Store);
    }

    fn load_temp(&mut self, depth: usize, index: usize) {
        self.name_op(&temp_name(depth, index), NameCtx::Load);
    }

    /// Tests the subject in `.m{depth}_{index}` against `pattern`; jumps to `fail` if it does
    /// not match.
    fn compile_pattern(&mut self, pattern: &'a Pattern, depth: usize, index: usize, fail: Label) {
        match &pattern.kind {
            PatternKind::Value(value) => {
                self.load_temp(depth, index);
                self.compile_expr(value);
                self.emit(Instr::Compare(CmpOp::Eq));
                self.emit_jump(Instr::PopJumpIfFalse, fail);
            }
            PatternKind::Singleton(constant) => {
                self.load_temp(depth, index);
                self.load_const(match constant {
                    Constant::True => Const::Bool(true),
                    Constant::False => Const::Bool(false),
                    _ => Const::None,
                });
                self.emit(Instr::Compare(CmpOp::Is));
                self.emit_jump(Instr::PopJumpIfFalse, fail);
            }
            PatternKind::Capture(None) => {}
            PatternKind::Capture(Some(name)) | PatternKind::Star(Some(name)) => {
                self.load_temp(depth, index);
                self.name_op(&name.name, NameCtx::Store);
            }
            PatternKind::Star(None) => {}
            PatternKind::As { pattern, name } => {
                self.compile_pattern(pattern, depth, index, fail);
                self.load_temp(depth, index);
                self.name_op(&name.name, NameCtx::Store);
            }
            PatternKind::Or(alternatives) => {
                let matched = self.new_label();
                for (idx, alternative) in alternatives.iter().enumerate() {
                    if idx + 1 < alternatives.len() {
                        if let Some(message) = irrefutable(alternative) {
                            self.error(message, alternative.span);
                        }
                    }
                    if idx + 1 == alternatives.len() {
                        self.compile_pattern(alternative, depth, index, fail);
                    } else {
                        let next = self.new_label();
                        self.compile_pattern(alternative, depth, index, next);
                        self.emit_jump(Instr::Jump, matched);
                        self.bind(next);
                    }
                }
                self.bind(matched);
            }
            PatternKind::Sequence(items) => {
                let star = items
                    .iter()
                    .position(|p| matches!(p.kind, PatternKind::Star(_)));
                self.load_temp(depth, index);
                let star_at = star.map_or(u32::MAX, |s| s as u32);
                self.emit(Instr::MatchSequence(items.len() as u32, star_at));
                self.destructure(items.iter().map(Part::Pattern).collect(), depth, fail);
            }
            PatternKind::Mapping {
                keys,
                patterns,
                rest,
            } => {
                self.load_temp(depth, index);
                for key in keys {
                    self.compile_expr(key);
                }
                self.emit(Instr::BuildTuple(keys.len() as u32));
                self.emit(Instr::MatchMapping(rest.is_some()));
                let mut parts: Vec<Part<'a>> = patterns.iter().map(Part::Pattern).collect();
                if let Some(rest) = rest {
                    parts.push(Part::Bind(rest));
                }
                self.destructure(parts, depth, fail);
            }
            PatternKind::Class {
                cls,
                patterns,
                kwd_names,
                kwd_patterns,
            } => {
                self.load_temp(depth, index);
                self.compile_expr(cls);
                let names: Vec<Const> = kwd_names
                    .iter()
                    .map(|n| Const::Str(n.name.clone()))
                    .collect();
                self.load_const(Const::Tuple(names.into()));
                self.emit(Instr::MatchClass(patterns.len() as u32));
                let parts = patterns.iter().chain(kwd_patterns).map(Part::Pattern);
                self.destructure(parts.collect(), depth, fail);
            }
        }
    }

    /// After a `Match*` instruction left a tuple of the parts (or `None`) on the stack: fails
    /// on `None`, else stores each part in `.m{depth+1}_{i}` and matches it.
    fn destructure(&mut self, parts: Vec<Part<'a>>, depth: usize, fail: Label) {
        let matched = self.new_label();
        self.emit(Instr::Copy(1));
        self.emit_jump(Instr::PopJumpIfNone, matched);
        self.emit(Instr::UnpackSequence(parts.len() as u32));
        for idx in 0..parts.len() {
            self.store_temp(depth + 1, idx);
        }
        let decided = self.new_label();
        self.emit_jump(Instr::Jump, decided);
        // The `None` answer: drop it and fail.
        self.bind(matched);
        self.emit(Instr::PopTop);
        self.emit_jump(Instr::Jump, fail);
        self.bind(decided);
        for (idx, part) in parts.into_iter().enumerate() {
            match part {
                Part::Pattern(pattern) => self.compile_pattern(pattern, depth + 1, idx, fail),
                Part::Bind(name) => {
                    self.load_temp(depth + 1, idx);
                    self.name_op(&name.name, NameCtx::Store);
                }
            }
        }
    }

    /// Reports CPython's binding errors: a name bound twice in one pattern, and or-pattern
    /// alternatives that bind different names.
    fn check_bindings(&mut self, pattern: &Pattern) {
        let mut names = Vec::new();
        if let Err((message, span)) = bound_names(pattern, &mut names) {
            self.error(message, span);
        }
        if let Some((message, span)) = duplicate_literal_key(pattern) {
            self.error(message, span);
        }
    }
}

/// The names a pattern binds, in order; an error for a duplicate or mismatched alternatives.
fn bound_names(pattern: &Pattern, out: &mut Vec<Rc<str>>) -> Result<(), (String, Span)> {
    let bind = |name: &Ident, out: &mut Vec<Rc<str>>| {
        if out.contains(&name.name) {
            return Err((
                format!("multiple assignments to name '{}' in pattern", name.name),
                name.span,
            ));
        }
        out.push(name.name.clone());
        Ok(())
    };
    match &pattern.kind {
        PatternKind::Value(_) | PatternKind::Singleton(_) => Ok(()),
        PatternKind::Capture(None) | PatternKind::Star(None) => Ok(()),
        PatternKind::Capture(Some(name)) | PatternKind::Star(Some(name)) => bind(name, out),
        PatternKind::As { pattern, name } => {
            bound_names(pattern, out)?;
            bind(name, out)
        }
        PatternKind::Mapping { patterns, rest, .. } => {
            patterns.iter().try_for_each(|p| bound_names(p, out))?;
            match rest {
                Some(rest) => bind(rest, out),
                None => Ok(()),
            }
        }
        PatternKind::Sequence(_) | PatternKind::Class { .. } => pattern
            .subpatterns()
            .into_iter()
            .try_for_each(|p| bound_names(p, out)),
        PatternKind::Or(alternatives) => {
            let mut first: Option<Vec<Rc<str>>> = None;
            for alternative in alternatives {
                let mut names = Vec::new();
                bound_names(alternative, &mut names)?;
                names.sort();
                match &first {
                    None => first = Some(names),
                    Some(expected) if *expected != names => {
                        return Err((
                            "alternative patterns bind different names".to_string(),
                            alternative.span,
                        ))
                    }
                    Some(_) => {}
                }
            }
            for name in first.unwrap_or_default() {
                if out.contains(&name) {
                    return Err((
                        format!("multiple assignments to name '{name}' in pattern"),
                        pattern.span,
                    ));
                }
                out.push(name);
            }
            Ok(())
        }
    }
}

/// CPython's message when a case that always matches is followed by more cases.
fn irrefutable(pattern: &Pattern) -> Option<String> {
    match &pattern.kind {
        PatternKind::Capture(None) => Some("wildcard makes remaining patterns unreachable".into()),
        PatternKind::Capture(Some(name)) => Some(format!(
            "name capture '{}' makes remaining patterns unreachable",
            name.name
        )),
        PatternKind::As { pattern, .. } => irrefutable(pattern),
        PatternKind::Or(alternatives) => alternatives.iter().find_map(irrefutable),
        _ => None,
    }
}

/// A mapping pattern (at any depth) that lists the same literal key twice.
fn duplicate_literal_key(pattern: &Pattern) -> Option<(String, Span)> {
    if let PatternKind::Mapping { keys, .. } = &pattern.kind {
        for (idx, key) in keys.iter().enumerate() {
            let ExprKind::Constant(constant) = &key.kind else {
                continue;
            };
            let repeated = keys[..idx]
                .iter()
                .any(|k| matches!(&k.kind, ExprKind::Constant(c) if c == constant));
            if repeated {
                let message = format!(
                    "mapping pattern checks duplicate key ({})",
                    literal_repr(constant)
                );
                return Some((message, key.span));
            }
        }
    }
    pattern
        .subpatterns()
        .into_iter()
        .find_map(duplicate_literal_key)
}

/// Python's repr of a literal key, for the duplicate-key message.
fn literal_repr(constant: &Constant) -> String {
    match constant {
        Constant::None => "None".into(),
        Constant::True => "True".into(),
        Constant::False => "False".into(),
        Constant::Ellipsis => "Ellipsis".into(),
        Constant::Int(i) => i.to_string(),
        Constant::Float(f) => format!("{f:?}"),
        Constant::Str(text) if text.contains('\'') && !text.contains('"') => format!("\"{text}\""),
        Constant::Str(text) => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        Constant::Bytes(bytes) => format!("b{:?}", String::from_utf8_lossy(bytes)),
    }
}
