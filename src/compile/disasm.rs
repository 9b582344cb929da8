//! The text form of a `CodeObject` for `--dis` and for the compiler's tests: a header with the
//! code's kind, name and variables, one line per instruction (source line, index, name,
//! operands, and what the operand resolves to), the exception table, then every nested code
//! object the same way. Reads only `code.rs` types; it never evaluates anything.

use crate::compile::code::{CodeObject, Const, Conversion, Instr};
use std::fmt::Write;

/// Disassembles `code` and, recursively, the code objects among its constants.
pub fn disassemble(code: &CodeObject) -> String {
    let mut out = String::new();
    write_code(&mut out, code);
    out
}

fn write_code(out: &mut String, code: &CodeObject) {
    let _ = writeln!(
        out,
        "Disassembly of {} ({:?}, qualname {}):",
        code.name, code.kind, code.qualname
    );
    if code.argcount + code.kwonlyargcount > 0 || code.has_varargs || code.has_varkw {
        let _ = writeln!(
            out,
            "  args: {} positional ({} positional-only), {} keyword-only{}{}",
            code.argcount,
            code.posonlyargcount,
            code.kwonlyargcount,
            if code.has_varargs { ", *args" } else { "" },
            if code.has_varkw { ", **kwargs" } else { "" },
        );
    }
    for (label, names) in [
        ("varnames", &code.varnames),
        ("cellvars", &code.cellvars),
        ("freevars", &code.freevars),
    ] {
        if !names.is_empty() {
            let joined: Vec<&str> = names.iter().map(|name| &**name).collect();
            let _ = writeln!(out, "  {label}: {}", joined.join(", "));
        }
    }
    let mut last_line = 0;
    for (idx, instr) in code.instrs.iter().enumerate() {
        let line = code.source.line_of(code.span_at(idx).start);
        let line_text = if line != last_line {
            line.to_string()
        } else {
            String::new()
        };
        last_line = line;
        let (name, operand, resolved) = describe(code, *instr);
        let mut text = format!("{line_text:>6} {idx:>5}  {name:<18}");
        if !operand.is_empty() {
            let _ = write!(text, " {operand:<6}");
        }
        if let Some(resolved) = resolved {
            let _ = write!(text, " ({resolved})");
        }
        let _ = writeln!(out, "{}", text.trim_end());
    }
    if !code.handlers.is_empty() {
        let _ = writeln!(out, "  exception table:");
        for handler in &code.handlers {
            let _ = writeln!(
                out,
                "    {} to {} -> {} [depth {}]",
                handler.start, handler.end, handler.target, handler.depth
            );
        }
    }
    for constant in &code.consts {
        if let Const::Code(inner) = constant {
            out.push('\n');
            write_code(out, inner);
        }
    }
}

/// The instruction's name, its operand(s) as numbers, and what they resolve to.
fn describe(code: &CodeObject, instr: Instr) -> (String, String, Option<String>) {
    let debug = format!("{instr:?}");
    let name = debug.split('(').next().unwrap_or("").to_string();
    let name_of = |idx: u32| code.names.get(idx as usize).map(|n| n.to_string());
    let local_of = |idx: u32| code.varnames.get(idx as usize).map(|n| n.to_string());
    let cell_of = |idx: u32| {
        code.cellvars
            .iter()
            .chain(&code.freevars)
            .nth(idx as usize)
            .map(|n| n.to_string())
    };
    let const_of = |idx: u32| code.consts.get(idx as usize).map(const_repr);
    let num = |idx: u32| idx.to_string();
    match instr {
        Instr::LoadConst(idx) | Instr::ReturnConst(idx) => (name, num(idx), const_of(idx)),
        Instr::LoadLocal(idx)
        | Instr::LoadLocalInto(idx)
        | Instr::ReturnLocal(idx)
        | Instr::StoreLocal(idx)
        | Instr::DeleteLocal(idx) => (name, num(idx), local_of(idx)),
        Instr::LoadLocal2(a, b) => (
            name,
            format!("{a} {b}"),
            local_of(a)
                .zip(local_of(b))
                .map(|(a, b)| format!("{a}, {b}")),
        ),
        Instr::LoadLocalAttr(local, attr) | Instr::StoreLocalAttr(local, attr) => (
            name,
            format!("{local} {attr}"),
            local_of(local)
                .zip(name_of(attr))
                .map(|(l, a)| format!("{l}.{a}")),
        ),
        Instr::LoadDeref(idx)
        | Instr::StoreDeref(idx)
        | Instr::DeleteDeref(idx)
        | Instr::LoadClosure(idx)
        | Instr::LoadClassDeref(idx) => (name, num(idx), cell_of(idx)),
        Instr::LoadGlobal(idx)
        | Instr::StoreGlobal(idx)
        | Instr::DeleteGlobal(idx)
        | Instr::LoadName(idx)
        | Instr::StoreName(idx)
        | Instr::DeleteName(idx)
        | Instr::LoadAttr(idx)
        | Instr::StoreAttr(idx)
        | Instr::DeleteAttr(idx)
        | Instr::LoadMethod(idx)
        | Instr::ImportName(idx)
        | Instr::ImportFrom(idx) => (name, num(idx), name_of(idx)),
        Instr::CallMethodKw(count, names) | Instr::CallKw(count, names) => {
            (name, format!("{count} {names}"), const_of(names))
        }
        Instr::Jump(target)
        | Instr::PopJumpIfFalse(target)
        | Instr::PopJumpIfTrue(target)
        | Instr::PopJumpIfNone(target)
        | Instr::JumpIfFalseOrPop(target)
        | Instr::JumpIfTrueOrPop(target)
        | Instr::ForIter(target)
        | Instr::Send(target) => (name, num(target), Some(format!("to {target}"))),
        Instr::Binary(op) | Instr::Inplace(op) | Instr::ReturnBinary(op) => {
            (name, String::new(), Some(op.symbol().into()))
        }
        Instr::Compare(op) => (name, String::new(), Some(op.symbol().into())),
        Instr::CompareJump(op, jump_if, target) => (
            name,
            num(target),
            Some(format!("{} {jump_if}: to {target}", op.symbol())),
        ),
        Instr::BinaryConst(op, k) | Instr::InplaceConst(op, k) => (
            name,
            num(k),
            Some(format!(
                "{} {}",
                op.symbol(),
                const_of(k).unwrap_or_default()
            )),
        ),
        Instr::CompareConstJump(op, jump_if, k, target) => (
            name,
            format!("{k} {target}"),
            Some(format!(
                "{} {} {jump_if}: to {target}",
                op.symbol(),
                const_of(k).unwrap_or_default()
            )),
        ),
        Instr::Unary(op) => (name, String::new(), Some(format!("{op:?}"))),
        Instr::FormatValue(conversion, has_spec) => {
            let conversion = match conversion {
                Conversion::None => "",
                Conversion::Str => "!s",
                Conversion::Repr => "!r",
                Conversion::Ascii => "!a",
            };
            let spec = if has_spec { " with spec" } else { "" };
            let resolved = format!("{conversion}{spec}").trim().to_string();
            (
                name,
                String::new(),
                Some(resolved).filter(|s| !s.is_empty()),
            )
        }
        Instr::UnpackEx(before, after) => (name, format!("{before} {after}"), None),
        Instr::MakeFunction(bits) => (name, num(bits.into()), make_function_flags(bits)),
        Instr::CallEx(has_kwargs) => (name, num(has_kwargs.into()), None),
        _ => {
            let operand = debug
                .split_once('(')
                .map(|(_, rest)| rest.trim_end_matches(')').to_string())
                .unwrap_or_default();
            (name, operand, None)
        }
    }
}

fn make_function_flags(bits: u8) -> Option<String> {
    use crate::compile::code::make_fn;
    let flags: Vec<&str> = [
        (make_fn::DEFAULTS, "defaults"),
        (make_fn::KW_DEFAULTS, "kwdefaults"),
        (make_fn::CLOSURE, "closure"),
    ]
    .iter()
    .filter(|(bit, _)| bits & bit != 0)
    .map(|(_, label)| *label)
    .collect();
    Some(flags.join(", ")).filter(|s| !s.is_empty())
}

/// A Python-like repr of a constant.
pub fn const_repr(constant: &Const) -> String {
    match constant {
        Const::None => "None".into(),
        Const::Bool(true) => "True".into(),
        Const::Bool(false) => "False".into(),
        Const::Ellipsis => "Ellipsis".into(),
        Const::Int(value) => value.to_string(),
        Const::BigInt(value) => value.to_string(),
        Const::Float(value) => format!("{value:?}"),
        Const::Str(text) => str_repr(text),
        Const::Bytes(bytes) => {
            let mut out = String::from("b'");
            for &byte in bytes.iter() {
                match byte {
                    b'\'' => out.push_str("\\'"),
                    b'\\' => out.push_str("\\\\"),
                    b'\n' => out.push_str("\\n"),
                    0x20..=0x7e => out.push(byte as char),
                    _ => {
                        let _ = write!(out, "\\x{byte:02x}");
                    }
                }
            }
            out.push('\'');
            out
        }
        Const::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(const_repr).collect();
            if inner.len() == 1 {
                format!("({},)", inner.join(""))
            } else {
                format!("({})", inner.join(", "))
            }
        }
        Const::Code(code) => format!("<code {}>", code.qualname),
    }
}

fn str_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
