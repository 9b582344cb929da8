//! `repr()` and `str()` of every kind exactly as CPython prints them: quote choice and
//! escapes for strings and bytes, self-referencing containers (`[...]`), default object
//! reprs, exceptions, and floats (shortest round-trip).

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::machine::Vm;
use crate::vm::object::generator::Generator;
use crate::vm::object::misc::{ViewKind, WrapperKind};
use crate::vm::value::{Value, B64};
use std::fmt::Write;

/// Shortest round-trip repr of a float, CPython style (`1e+16`, `1.5e-07`, `inf`).
pub fn float_repr(v: f64) -> String {
    crate::vm::float_repr::float_repr(v)
}

/// Python's `repr` of a string.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
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
            c if (0x80..=0xa0).contains(&(c as u32)) || c == '\u{ad}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unprintable(c) || (c.is_whitespace() && c != ' ') => {
                if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn is_unprintable(c: char) -> bool {
    let cp = c as u32;
    matches!(cp, 0x2028 | 0x2029 | 0x200b..=0x200f | 0x2060..=0x2064 | 0xfeff | 0xd800..=0xdfff | 0xe000..=0xf8ff | 0xfff0..=0xfffb)
        || (0xf0000..).contains(&cp)
}

pub fn bytes_repr(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(quote as char);
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b if b == quote => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

impl Vm {
    /// `repr(v)`.
    pub fn repr(&mut self, v: &Value) -> PResult<String> {
        Ok(match v {
            Value::None => "None".to_owned(),
            Value::Null => "<NULL>".to_owned(),
            Value::NotImplemented => "NotImplemented".to_owned(),
            Value::Ellipsis => "Ellipsis".to_owned(),
            Value::Bool(B64::TRUE) => "True".to_owned(),
            Value::Bool(_) => "False".to_owned(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(b) => {
                if b.bits() > 200_000 {
                    return Err(Exc::value_error(
                        "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit",
                    ));
                }
                let s = b.to_string();
                if s.trim_start_matches('-').len() > 4300 {
                    return Err(Exc::value_error("Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"));
                }
                s
            }
            Value::Float(f) => float_repr(f.get()),
            Value::Str(s) => str_repr(s.as_str()),
            Value::Bytes(b) => bytes_repr(&b.data),
            Value::List(_)
            | Value::Tuple(_)
            | Value::Dict(_)
            | Value::Set(_)
            | Value::DictView(_) => return self.container_repr(v),
            Value::Function(f) => {
                format!("<function {} at {}>", f.qualname.borrow().as_str(), addr(v))
            }
            Value::Native(n) => match n.owner {
                Some(owner) => format!("<method '{}' of '{owner}' objects>", n.name),
                None => format!("<built-in function {}>", n.name),
            },
            Value::Method(m) => {
                let obj_repr = self.repr(&m.obj)?;
                match &m.func {
                    Value::Native(n) => match &m.obj {
                        Value::Module(_) => format!("<built-in function {}>", n.name),
                        _ => format!(
                            "<built-in method {} of {} object at {}>",
                            n.name,
                            self.type_name(&m.obj),
                            addr(&m.obj)
                        ),
                    },
                    Value::Function(f) => format!(
                        "<bound method {} of {obj_repr}>",
                        f.qualname.borrow().as_str()
                    ),
                    other => format!("<bound method {} of {obj_repr}>", self.repr(other)?),
                }
            }
            Value::Class(cls) => {
                let module = cls.module();
                if module == "builtins" {
                    format!("<class '{}'>", cls.qualname().as_str())
                } else {
                    format!("<class '{module}.{}'>", cls.qualname().as_str())
                }
            }
            Value::Instance(_) => return self.instance_repr(v),
            Value::Module(m) => format!("<module '{}' (built-in)>", m.name.as_str()),
            Value::Cell(_) => format!("<cell at {}>", addr(v)),
            Value::Code(c) => format!("<code object {} at {}>", c.name.as_str(), addr(v)),
            Value::Generator(g) => generator_repr(g, v),
            Value::Iter(it) => format!("<{} object at {}>", it.type_name(), addr(v)),
            Value::Range(r) => {
                if r.step == 1 {
                    format!("range({}, {})", r.start, r.stop)
                } else {
                    format!("range({}, {}, {})", r.start, r.stop, r.step)
                }
            }
            Value::Slice(s) => {
                let (a, b, c) = (s.start.clone(), s.stop.clone(), s.step.clone());
                format!(
                    "slice({}, {}, {})",
                    self.repr(&a)?,
                    self.repr(&b)?,
                    self.repr(&c)?
                )
            }
            Value::Property(_) => format!("<property object at {}>", addr(v)),
            Value::Member(m) => format!(
                "<member '{}' of '{}' objects>",
                m.name.as_str(),
                m.owner_name.as_str()
            ),
            Value::Wrapper(w) => format!(
                "<{} object at {}>",
                if w.kind == WrapperKind::StaticMethod {
                    "staticmethod"
                } else {
                    "classmethod"
                },
                addr(v)
            ),
            Value::Super(s) => format!(
                "<super: <class '{}'>, <{} object>>",
                s.cls.name(),
                self.type_name(&s.obj)
            ),
        })
    }

    fn instance_repr(&mut self, v: &Value) -> PResult<String> {
        if let Some(members) = self.union_args(v) {
            return self.union_repr(&members);
        }
        if let Some((origin, args)) = self.alias_parts(v) {
            return self.alias_repr(&origin, &args);
        }
        let cls = self.class_of(v);
        if let Some(f) = cls.lookup_str("__repr__") {
            if !matches!(f, Value::Native(_)) {
                self.enter_native()?;
                let r = self.call(&f, std::slice::from_ref(v));
                self.leave_native();
                return match r? {
                    Value::Str(s) => Ok(s.as_str().to_owned()),
                    other => Err(Exc::type_error(format!(
                        "__repr__ returned non-string (type {})",
                        self.type_name(&other)
                    ))),
                };
            }
        }
        if cls.layout == crate::vm::object::class::Layout::Exception {
            let args = self.exc_args(v);
            let inner = if args.len() == 1 {
                self.repr(&args[0])?
            } else {
                let t = self.repr(&Value::tuple(args))?;
                let inner = t.strip_prefix('(').unwrap_or(&t);
                inner.strip_suffix(')').unwrap_or(inner).to_owned()
            };
            return Ok(format!("{}({inner})", cls.name()));
        }
        let module = cls.module();
        let name = if module == "builtins" {
            cls.qualname().as_str().to_owned()
        } else {
            format!("{module}.{}", cls.qualname().as_str())
        };
        Ok(format!("<{name} object at {}>", addr(v)))
    }

    /// Guards native recursion (reprs of nested containers) with the recursion limit.
    pub fn enter_native(&mut self) -> PResult<()> {
        if self.depth >= self.recursion_limit {
            return Err(Exc::new(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded while getting the repr of an object",
            ));
        }
        self.depth += 1;
        Ok(())
    }

    pub fn leave_native(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn container_repr(&mut self, v: &Value) -> PResult<String> {
        let id = v.id() as usize;
        if self.repr_guard.contains(&id) {
            return Ok(match v {
                Value::List(_) => "[...]",
                Value::Tuple(_) => "(...)",
                _ => "{...}",
            }
            .to_owned());
        }
        self.enter_native()?;
        self.repr_guard.push(id);
        let res = self.container_repr_inner(v);
        self.repr_guard.pop();
        self.leave_native();
        res
    }

    fn join_reprs(&mut self, items: &[Value]) -> PResult<String> {
        let mut out = String::new();
        for (idx, item) in items.iter().enumerate() {
            if idx > 0 {
                out.push_str(", ");
            }
            out.push_str(&self.repr(item)?);
        }
        Ok(out)
    }

    fn container_repr_inner(&mut self, v: &Value) -> PResult<String> {
        Ok(match v {
            Value::List(l) => format!("[{}]", self.join_reprs(&l.snapshot())?),
            Value::Tuple(t) => {
                if t.items.len() == 1 {
                    format!("({},)", self.repr(&t.items[0])?)
                } else {
                    let items = t.items.to_vec();
                    format!("({})", self.join_reprs(&items)?)
                }
            }
            Value::Dict(d) => {
                let mut out = String::from("{");
                for (idx, e) in d.entries().iter().enumerate() {
                    if idx > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&self.repr(&e.key)?);
                    out.push_str(": ");
                    out.push_str(&self.repr(&e.value)?);
                }
                out.push('}');
                out
            }
            Value::Set(s) => {
                let items = s.items();
                let name = if s.frozen { "frozenset" } else { "set" };
                if items.is_empty() {
                    format!("{name}()")
                } else if s.frozen {
                    format!("frozenset({{{}}})", self.join_reprs(&items)?)
                } else {
                    format!("{{{}}}", self.join_reprs(&items)?)
                }
            }
            Value::DictView(view) => {
                let items = self.collect(v)?;
                let name = match view.kind {
                    ViewKind::Keys => "dict_keys",
                    ViewKind::Values => "dict_values",
                    ViewKind::Items => "dict_items",
                };
                format!("{name}([{}])", self.join_reprs(&items)?)
            }
            _ => String::new(),
        })
    }

    /// `str(v)`.
    pub fn to_str(&mut self, v: &Value) -> PResult<String> {
        match v {
            Value::Str(s) => Ok(s.as_str().to_owned()),
            Value::Instance(inst) => {
                let cls = inst.class.clone();
                if let Some(f) = cls.lookup_str("__str__") {
                    if !matches!(f, Value::Native(_)) {
                        return match self.call(&f, std::slice::from_ref(v))? {
                            Value::Str(s) => Ok(s.as_str().to_owned()),
                            other => Err(Exc::type_error(format!(
                                "__str__ returned non-string (type {})",
                                self.type_name(&other)
                            ))),
                        };
                    }
                }
                if inst.exc.is_some() {
                    return self.exception_str(v);
                }
                self.repr(v)
            }
            _ => self.repr(v),
        }
    }

    fn exception_str(&mut self, v: &Value) -> PResult<String> {
        let args = self.exc_args(v);
        let is_key_error = self.exc_is(v, ExcKind::KeyError);
        match args.as_slice() {
            [] => Ok(String::new()),
            [one] if is_key_error => self.repr(one),
            [one] => self.to_str(one),
            _ => {
                if self.exc_is(v, ExcKind::BaseExceptionGroup) {
                    let msg = self.to_str(&args[0])?;
                    let n = match args.get(1) {
                        Some(Value::List(l)) => l.len(),
                        Some(Value::Tuple(t)) => t.items.len(),
                        _ => 0,
                    };
                    return Ok(format!(
                        "{msg} ({n} sub-exception{})",
                        if n == 1 { "" } else { "s" }
                    ));
                }
                self.repr(&Value::tuple(args))
            }
        }
    }
}

fn generator_repr(g: &Generator, v: &Value) -> String {
    format!(
        "<{} object {} at {}>",
        g.type_name(),
        g.code.qualname.as_str(),
        addr(v)
    )
}

/// `0x7f...`: the address shown in default reprs.
pub fn addr(v: &Value) -> String {
    format!("0x{:012x}", v.id() as u64)
}
