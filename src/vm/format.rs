//! Text formatting: `format(value, spec)` and f-string `FormatValue`, `str.format`, and
//! printf-style `%`. The format-spec mini-language here is a stand-in covering the common
//! cases until `vm/format_spec.rs` lands.
// TODO(integrator): route `format_spec` to vm/format_spec.rs.

use crate::compile::code::Conversion;
use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::value::Value;

impl Vm {
    /// `format(v, spec)`.
    pub fn format_spec(&mut self, v: &Value, spec: &str) -> PResult<String> {
        if let Value::Instance(inst) = v {
            let cls = inst.class.clone();
            if let Some(f) = cls.lookup_str("__format__") {
                let r = self.call(&f, &[v.clone(), Value::str(spec)])?;
                return self.to_str(&r);
            }
            if spec.is_empty() {
                return self.to_str(v);
            }
            return Err(Exc::type_error(format!(
                "unsupported format string passed to {}.__format__",
                cls.name()
            )));
        }
        if spec.is_empty() {
            return self.to_str(v);
        }
        use crate::vm::format_spec as fs;
        let res = match v {
            Value::Int(i) => fs::parse(spec, "int").and_then(|s| fs::format_i64(*i, &s)),
            Value::Bool(b) => {
                fs::parse(spec, "bool").and_then(|s| fs::format_i64(b.get() as i64, &s))
            }
            Value::BigInt(b) => fs::parse(spec, "int").and_then(|s| fs::format_int(b, &s)),
            Value::Float(f) => fs::parse(spec, "float").and_then(|s| fs::format_float(f.get(), &s)),
            Value::Str(text) => {
                fs::parse(spec, "str").and_then(|s| fs::format_str(text.as_str(), &s))
            }
            _ => {
                return Err(Exc::type_error(format!(
                    "unsupported format string passed to {}.__format__",
                    self.type_name(v)
                )))
            }
        };
        res.map_err(format_error)
    }

    /// `FormatValue`: conversion then `format(value, spec)`.
    pub fn format_value(
        &mut self,
        v: &Value,
        conv: Conversion,
        spec: Option<&Value>,
    ) -> PResult<Value> {
        let converted = match conv {
            Conversion::None => None,
            Conversion::Str => Some(self.to_str(v)?),
            Conversion::Repr => Some(self.repr(v)?),
            Conversion::Ascii => Some(ascii_of(&self.repr(v)?)),
        };
        let spec_text = spec.and_then(|s| s.as_str()).unwrap_or("");
        match converted {
            Some(text) if spec_text.is_empty() => Ok(Value::string(text)),
            Some(text) => Ok(Value::string(
                self.format_spec(&Value::string(text), spec_text)?,
            )),
            None => {
                if spec_text.is_empty() {
                    match v {
                        Value::Str(_) => return Ok(v.clone()),
                        // `f"{i}"`: an int's text without parsing an empty spec.
                        Value::Int(i) => {
                            let text = i.to_string();
                            let n_chars = text.len();
                            return Ok(Value::counted_string(text, n_chars));
                        }
                        _ => {}
                    }
                }
                Ok(Value::string(self.format_spec(v, spec_text)?))
            }
        }
    }

    /// `fmt.format(*args, **kwargs)`.
    pub fn str_format(
        &mut self,
        fmt: &str,
        args: &[Value],
        kwnames: &[std::rc::Rc<crate::vm::object::str::PyStr>],
        kwvals: &[Value],
    ) -> PResult<String> {
        let mut out = String::new();
        let mut chars = fmt.chars().peekable();
        let mut auto_idx = 0usize;
        while let Some(c) = chars.next() {
            if c == '}' {
                if chars.peek() == Some(&'}') {
                    chars.next();
                    out.push('}');
                    continue;
                }
                return Err(Exc::value_error("Single '}' encountered in format string"));
            }
            if c != '{' {
                out.push(c);
                continue;
            }
            if chars.peek() == Some(&'{') {
                chars.next();
                out.push('{');
                continue;
            }
            let mut field = String::new();
            let mut depth = 1;
            for c in chars.by_ref() {
                if c == '{' {
                    depth += 1;
                } else if c == '}' {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                field.push(c);
            }
            if depth != 0 {
                return Err(Exc::value_error("expected '}' before end of string"));
            }
            let (name_conv, spec) = match field.find(':') {
                Some(idx) => (&field[..idx], &field[idx + 1..]),
                None => (field.as_str(), ""),
            };
            let (name, conv) = match name_conv.find('!') {
                Some(idx) => (&name_conv[..idx], Some(&name_conv[idx + 1..])),
                None => (name_conv, None),
            };
            let spec = if spec.contains('{') {
                self.str_format(spec, args, kwnames, kwvals)?
            } else {
                spec.to_owned()
            };
            let value = self.format_field(name, &mut auto_idx, args, kwnames, kwvals)?;
            let value = match conv {
                None => value,
                Some("r") => Value::string(self.repr(&value)?),
                Some("s") => Value::string(self.to_str(&value)?),
                Some("a") => Value::string(ascii_of(&self.repr(&value)?)),
                Some(_) => return Err(Exc::value_error("Unknown conversion specifier")),
            };
            out.push_str(&self.format_spec(&value, &spec)?);
        }
        Ok(out)
    }

    fn format_field(
        &mut self,
        name: &str,
        auto_idx: &mut usize,
        args: &[Value],
        kwnames: &[std::rc::Rc<crate::vm::object::str::PyStr>],
        kwvals: &[Value],
    ) -> PResult<Value> {
        let split = name.find(['.', '[']).unwrap_or(name.len());
        let (head, mut rest) = name.split_at(split);
        let mut value = if head.is_empty() {
            let idx = *auto_idx;
            *auto_idx += 1;
            args.get(idx).cloned().ok_or_else(|| {
                Exc::index_error(format!(
                    "Replacement index {idx} out of range for positional args tuple"
                ))
            })?
        } else if let Ok(idx) = head.parse::<usize>() {
            args.get(idx).cloned().ok_or_else(|| {
                Exc::index_error(format!(
                    "Replacement index {idx} out of range for positional args tuple"
                ))
            })?
        } else {
            match kwnames.iter().position(|k| k.as_str() == head) {
                Some(i) => kwvals.get(i).cloned().unwrap_or(Value::None),
                None => return Err(self.key_error(Value::str(head))),
            }
        };
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                value = self.get_attr_str(&value, &r[..end])?;
                rest = &r[end..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']').unwrap_or(r.len());
                let key = &r[..end];
                let key = match key.parse::<i64>() {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::str(key),
                };
                value = self.get_item(&value, &key)?;
                rest = r.get(end + 1..).unwrap_or("");
            } else {
                break;
            }
        }
        Ok(value)
    }

    /// `fmt % args`.
    pub fn printf_format(&mut self, fmt: &str, args: &Value) -> PResult<Value> {
        use crate::vm::percent::{format_percent, PercentArgs};
        let args = match args {
            Value::Tuple(t) => PercentArgs::Tuple(t.items.to_vec()),
            Value::Dict(_) | Value::List(_) | Value::Bytes(_) => PercentArgs::Mapping(args.clone()),
            Value::Instance(inst) if inst.class.lookup_str("__getitem__").is_some() => {
                PercentArgs::Mapping(args.clone())
            }
            other => PercentArgs::Single(other.clone()),
        };
        format_percent(fmt, args, self).map(Value::string)
    }
}

impl crate::vm::percent::PercentSource for Vm {
    type Value = Value;
    type Error = Exc;

    fn raise(&mut self, kind: crate::vm::percent::ExcKind, msg: String) -> Exc {
        use crate::vm::percent::ExcKind as K;
        match kind {
            K::TypeError => Exc::type_error(msg),
            K::ValueError => Exc::value_error(msg),
            K::OverflowError => Exc::overflow(msg),
            K::MemoryError => Exc::memory(),
        }
    }

    fn get_item(&mut self, mapping: &Value, key: &str) -> PResult<Value> {
        Vm::get_item(self, mapping, &Value::str(key))
    }

    fn exact_int(&mut self, v: &Value) -> Option<num_bigint::BigInt> {
        crate::vm::methods::int::as_bigint(v)
    }

    fn exact_str(&mut self, v: &Value) -> Option<String> {
        v.as_str().map(str::to_owned)
    }

    fn to_text(&mut self, v: &Value, kind: char) -> PResult<String> {
        match kind {
            's' => self.to_str(v),
            'a' => Ok(ascii_of(&self.repr(v)?)),
            _ => self.repr(v),
        }
    }

    fn to_int(&mut self, v: &Value, kind: char) -> PResult<num_bigint::BigInt> {
        use crate::vm::percent::{integer_required, real_number_required};
        if let Some(b) = crate::vm::methods::int::as_bigint(v) {
            return Ok(b);
        }
        let name = self.type_name(v);
        match (v, kind) {
            (Value::Float(f), 'd' | 'i' | 'u') => {
                if !f.get().is_finite() {
                    return Err(if f.get().is_nan() {
                        Exc::value_error("cannot convert float NaN to integer")
                    } else {
                        Exc::overflow("cannot convert float infinity to integer")
                    });
                }
                Ok(crate::vm::float_repr::float_to_bigint(f.get().trunc()).unwrap_or_default())
            }
            (_, 'd' | 'i' | 'u') => Err(Exc::type_error(real_number_required(kind, &name))),
            _ => Err(Exc::type_error(integer_required(kind, &name))),
        }
    }

    fn to_float(&mut self, v: &Value) -> PResult<f64> {
        match v {
            Value::Float(f) => Ok(f.get()),
            Value::Int(i) => Ok(*i as f64),
            Value::Bool(b) => Ok(b.get() as i64 as f64),
            Value::BigInt(b) => crate::vm::float_repr::bigint_to_f64(b)
                .ok_or_else(|| Exc::overflow("int too large to convert to float")),
            other => {
                let name = self.type_name(other);
                Err(Exc::type_error(crate::vm::percent::float_required(&name)))
            }
        }
    }
}

/// A format-spec failure as the exception it becomes.
pub fn format_error(e: crate::vm::format_spec::FormatError) -> Exc {
    use crate::vm::format_spec::FormatError;
    match e {
        FormatError::Value(msg) => Exc::value_error(msg),
        FormatError::Overflow(msg) => Exc::overflow(msg),
        FormatError::Memory => Exc::memory(),
    }
}

/// `ascii()`: a repr with non-ASCII characters escaped.
pub fn ascii_of(repr: &str) -> String {
    let mut out = String::new();
    for c in repr.chars() {
        let cp = c as u32;
        if cp < 0x80 {
            out.push(c);
        } else if cp < 0x100 {
            out.push_str(&format!("\\x{cp:02x}"));
        } else if cp < 0x10000 {
            out.push_str(&format!("\\u{cp:04x}"));
        } else {
            out.push_str(&format!("\\U{cp:08x}"));
        }
    }
    out
}
