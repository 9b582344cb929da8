//! Literal assembly for the grammar: numbers, adjacent string concatenation, and f-string
//! bodies split into literal parts and replacement fields. A field's expression text is
//! handed back to the parser (`parser::parse_field`) with its source offset, so its spans are
//! real source positions. Token scanning and escape decoding stay in `lexer.rs`.

use crate::syntax::ast::{Constant, Expr, ExprKind, FStringPart};
use crate::syntax::grammar_util::{expr, fault};
use crate::syntax::lexer::{decode_str, normalize_newlines, SyntaxFault};
use crate::syntax::parser::parse_field;
use crate::syntax::span::{Source, Span};
use crate::syntax::token::{Number, StrLit};
use std::rc::Rc;

type Res<T> = Result<T, SyntaxFault>;

/// Format specs may hold fields, whose specs may hold fields again, but no deeper (CPython).
const MAX_SPEC_NESTING: usize = 2;

pub fn number(n: Number, l: usize, r: usize) -> Expr {
    let constant = match n {
        Number::Int(i) => Constant::Int(i),
        Number::Float(f) => Constant::Float(f),
    };
    expr(ExprKind::Constant(constant), l, r)
}

/// Joins adjacent literals: all bytes, all plain strings, or strings with at least one
/// f-string (giving an `FString` whose literal parts are merged).
pub fn strings(src: &Rc<Source>, lits: Vec<Rc<StrLit>>, l: usize, r: usize) -> Res<Expr> {
    let span = Span::new(l, r);
    let n_bytes = lits
        .iter()
        .filter(|lit| matches!(***lit, StrLit::Bytes(_)))
        .count();
    if n_bytes == lits.len() {
        let mut res = Vec::new();
        for lit in &lits {
            if let StrLit::Bytes(bytes) = &**lit {
                res.extend_from_slice(bytes);
            }
        }
        return Ok(expr(ExprKind::Constant(Constant::Bytes(res)), l, r));
    }
    if n_bytes > 0 {
        return Err(fault(src, "cannot mix bytes and nonbytes literals", span));
    }
    let mut parts = Vec::new();
    let mut any_fstring = false;
    for lit in &lits {
        match &**lit {
            StrLit::Str(text) => push_literal(&mut parts, text),
            StrLit::FStr {
                body,
                body_start,
                raw,
            } => {
                any_fstring = true;
                let mut scanner = FScanner {
                    src,
                    body,
                    base: *body_start,
                    raw: *raw,
                };
                for part in scanner.parse(0, body.len(), 0)? {
                    match part {
                        FStringPart::Literal(text) => push_literal(&mut parts, &text),
                        field => parts.push(field),
                    }
                }
            }
            StrLit::Bytes(_) => {}
        }
    }
    if !any_fstring {
        let text = match parts.pop() {
            Some(FStringPart::Literal(text)) => text,
            _ => String::new(),
        };
        return Ok(expr(ExprKind::Constant(Constant::Str(text)), l, r));
    }
    Ok(expr(ExprKind::FString(parts), l, r))
}

fn push_literal(parts: &mut Vec<FStringPart>, text: &str) {
    if let Some(FStringPart::Literal(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(FStringPart::Literal(text.to_string()));
    }
}

/// Splits one f-string body (or a format spec inside it) into parts.
struct FScanner<'a> {
    src: &'a Rc<Source>,
    body: &'a str,
    /// Source offset of `body`'s first byte.
    base: usize,
    raw: bool,
}

impl FScanner<'_> {
    fn byte(&self, idx: usize) -> Option<u8> {
        self.body.as_bytes().get(idx).copied()
    }

    fn err(&self, msg: &str, at: usize) -> SyntaxFault {
        let start = self.base + at;
        fault(self.src, msg, Span::new(start, start + 1))
    }

    fn literal(&self, from: usize, to: usize) -> Res<String> {
        let text = normalize_newlines(self.body.get(from..to).unwrap_or(""));
        if self.raw {
            return Ok(text.into_owned());
        }
        decode_str(&text).map_err(|_| self.err("invalid escape in f-string", from))
    }

    /// Parses `body[from..to]` into parts; `nesting` counts enclosing format specs.
    fn parse(&mut self, from: usize, to: usize, nesting: usize) -> Res<Vec<FStringPart>> {
        let mut parts = Vec::new();
        let mut chunk_start = from;
        let mut idx = from;
        while idx < to {
            match self.byte(idx) {
                Some(b'{') if self.byte(idx + 1) == Some(b'{') && nesting == 0 => {
                    push_literal(&mut parts, &self.literal(chunk_start, idx + 1)?);
                    idx += 2;
                    chunk_start = idx;
                }
                Some(b'}') if self.byte(idx + 1) == Some(b'}') && nesting == 0 => {
                    push_literal(&mut parts, &self.literal(chunk_start, idx + 1)?);
                    idx += 2;
                    chunk_start = idx;
                }
                Some(b'}') => return Err(self.err("f-string: single '}' is not allowed", idx)),
                Some(b'{') => {
                    if nesting > MAX_SPEC_NESTING {
                        return Err(self.err("f-string: expressions nested too deeply", idx));
                    }
                    if chunk_start < idx {
                        push_literal(&mut parts, &self.literal(chunk_start, idx)?);
                    }
                    idx = self.field(idx, to, nesting, &mut parts)?;
                    chunk_start = idx;
                }
                _ => idx += 1,
            }
        }
        if chunk_start < to {
            push_literal(&mut parts, &self.literal(chunk_start, to)?);
        }
        parts.retain(|part| !matches!(part, FStringPart::Literal(text) if text.is_empty()));
        Ok(parts)
    }

    /// Parses the field opening at `open`; returns the index after its closing `}`.
    fn field(
        &mut self,
        open: usize,
        to: usize,
        nesting: usize,
        parts: &mut Vec<FStringPart>,
    ) -> Res<usize> {
        let expr_start = open + 1;
        let (expr_end, stop) = self.expression_end(expr_start, to)?;
        let text = self.body.get(expr_start..expr_end).unwrap_or("");
        if text.trim().is_empty() {
            return Err(self.err("f-string: empty expression not allowed", expr_end));
        }
        let mut idx = expr_end;
        let mut debug_text = None;
        if stop == b'=' {
            idx += 1;
            while matches!(self.byte(idx), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                idx += 1;
            }
            debug_text = Some(self.body.get(expr_start..idx).unwrap_or("").to_string());
        }
        let (mut conversion, mut idx) = self.conversion(idx)?;
        let mut spec = None;
        if self.byte(idx) == Some(b':') {
            let spec_end = self.spec_end(idx + 1, to)?;
            spec = Some(self.parse(idx + 1, spec_end, nesting + 1)?);
            idx = spec_end;
        }
        if self.byte(idx) != Some(b'}') || idx >= to {
            return Err(self.err("f-string: expecting '}'", idx.min(to)));
        }
        let start = self.base + expr_start;
        let value = parse_field(self.src, start, start + text.len())?;
        if let Some(debug) = debug_text {
            push_literal(parts, &debug);
            if conversion.is_none() && spec.is_none() {
                conversion = Some('r');
            }
        }
        parts.push(FStringPart::Field {
            value: Box::new(value),
            conversion,
            spec,
        });
        Ok(idx + 1)
    }

    /// Reads an optional `!r`, `!s` or `!a` at `idx`; returns it and the index after it.
    fn conversion(&self, idx: usize) -> Res<(Option<char>, usize)> {
        if self.byte(idx) != Some(b'!') {
            return Ok((None, idx));
        }
        match self.byte(idx + 1) {
            Some(ch @ (b'r' | b's' | b'a')) => Ok((Some(ch as char), idx + 2)),
            _ => {
                let msg = "f-string: invalid conversion character: expected 's', 'r', or 'a'";
                Err(self.err(msg, idx + 1))
            }
        }
    }

    /// Finds where a field's expression ends: at a top-level `!`, `:`, `}` or debug `=`.
    fn expression_end(&self, from: usize, to: usize) -> Res<(usize, u8)> {
        let mut depth = 0usize;
        let mut idx = from;
        while idx < to {
            let Some(byte) = self.byte(idx) else { break };
            match byte {
                b'\'' | b'"' => {
                    let close = self
                        .body
                        .get(idx + 1..to)
                        .and_then(|rest| rest.bytes().position(|b| b == byte));
                    match close {
                        Some(offset) => idx += offset + 2,
                        None => return Err(self.err("f-string: unterminated string", idx)),
                    }
                    continue;
                }
                b'\\' => {
                    let msg = "f-string expression part cannot include a backslash";
                    return Err(self.err(msg, idx));
                }
                b'#' => {
                    let msg = "f-string expression part cannot include '#'";
                    return Err(self.err(msg, idx));
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' => depth = depth.saturating_sub(1),
                b'}' if depth == 0 => return Ok((idx, b'}')),
                b'}' => depth -= 1,
                b'!' if depth == 0 && self.byte(idx + 1) != Some(b'=') => return Ok((idx, b'!')),
                b':' if depth == 0 => return Ok((idx, b':')),
                b'=' if depth == 0 && self.is_debug_equals(idx) => return Ok((idx, b'=')),
                _ => {}
            }
            idx += 1;
        }
        Err(self.err("f-string: expecting '}'", to.saturating_sub(1)))
    }

    fn is_debug_equals(&self, idx: usize) -> bool {
        let prev = idx.checked_sub(1).and_then(|p| self.byte(p));
        let next = self.byte(idx + 1);
        !matches!(prev, Some(b'=' | b'!' | b'<' | b'>')) && next != Some(b'=')
    }

    /// Finds the `}` closing a format spec, skipping nested fields.
    fn spec_end(&self, from: usize, to: usize) -> Res<usize> {
        let mut depth = 0usize;
        for idx in from..to {
            match self.byte(idx) {
                Some(b'{') => depth += 1,
                Some(b'}') if depth == 0 => return Ok(idx),
                Some(b'}') => depth -= 1,
                _ => {}
            }
        }
        Err(self.err("f-string: expecting '}'", to.saturating_sub(1)))
    }
}
