//! Text formatting: `format(value, spec)` and f-string `FormatValue`, `str.format`, and
//! printf-style `%`. The format-spec mini-language here is a stand-in covering the common
//! cases until `vm/format_spec.rs` lands.
// TODO(integrator): route `format_spec` to vm/format_spec.rs.

use crate::compile::code::Conversion;
use crate::vm::exception::{Exc, PResult};
use crate::vm::machine::Vm;
use crate::vm::repr::float_repr;
use crate::vm::value::Value;
use num_traits::ToPrimitive;

/// Parsed `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
#[derive(Default)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    alternate: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

fn parse_spec(spec: &str) -> PResult<Spec> {
    let chars: Vec<char> = spec.chars().collect();
    let mut res = Spec::default();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        res.fill = Some(chars[0]);
        res.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        res.align = Some(chars[0]);
        i = 1;
    }
    if let Some(&c) = chars.get(i) {
        if matches!(c, '+' | '-' | ' ') {
            res.sign = Some(c);
            i += 1;
        }
    }
    if chars.get(i) == Some(&'#') {
        res.alternate = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        res.zero = true;
        i += 1;
    }
    let start = i;
    while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
    }
    res.width = chars[start..i]
        .iter()
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    if let Some(&c) = chars.get(i) {
        if c == ',' || c == '_' {
            res.grouping = Some(c);
            i += 1;
        }
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        let start = i;
        while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if start == i {
            return Err(Exc::value_error("Format specifier missing precision"));
        }
        res.precision = chars[start..i].iter().collect::<String>().parse().ok();
    }
    if let Some(&c) = chars.get(i) {
        res.kind = Some(c);
        i += 1;
    }
    if i < chars.len() {
        return Err(Exc::value_error("Invalid format specifier"));
    }
    Ok(res)
}

fn group_digits(digits: &str, sep: char, every: usize) -> String {
    let bytes: Vec<char> = digits.chars().collect();
    let mut out = String::new();
    for (idx, c) in bytes.iter().enumerate() {
        if idx > 0 && (bytes.len() - idx) % every == 0 {
            out.push(sep);
        }
        out.push(*c);
    }
    out
}

/// Pads `body` (with its sign already split off into `sign`) to the spec's width.
fn pad(spec: &Spec, sign: &str, body: &str, numeric: bool) -> String {
    let len = sign.chars().count() + body.chars().count();
    if len >= spec.width {
        return format!("{sign}{body}");
    }
    let fill_n = spec.width - len;
    let (fill, align) = if spec.zero && spec.align.is_none() && numeric {
        ('0', '=')
    } else {
        (
            spec.fill.unwrap_or(' '),
            spec.align.unwrap_or(if numeric { '>' } else { '<' }),
        )
    };
    let fill_s = |n: usize| fill.to_string().repeat(n);
    match align {
        '<' => format!("{sign}{body}{}", fill_s(fill_n)),
        '^' => format!(
            "{}{sign}{body}{}",
            fill_s(fill_n / 2),
            fill_s(fill_n - fill_n / 2)
        ),
        '=' => format!("{sign}{}{body}", fill_s(fill_n)),
        _ => format!("{}{sign}{body}", fill_s(fill_n)),
    }
}

fn sign_str(spec: &Spec, negative: bool) -> &'static str {
    match (negative, spec.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    }
}

fn format_float_body(x: f64, kind: char, precision: Option<usize>) -> String {
    let x = x.abs();
    if x.is_nan() {
        return if kind.is_uppercase() { "NAN" } else { "nan" }.to_owned();
    }
    if x.is_infinite() {
        return if kind.is_uppercase() { "INF" } else { "inf" }.to_owned();
    }
    match kind {
        'f' | 'F' => format!("{:.*}", precision.unwrap_or(6), x),
        '%' => format!("{:.*}%", precision.unwrap_or(6), x * 100.0),
        'e' | 'E' => {
            let s = format!("{:.*e}", precision.unwrap_or(6), x);
            let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
            let e: i32 = e.parse().unwrap_or(0);
            let r = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
            if kind == 'E' {
                r.to_uppercase()
            } else {
                r
            }
        }
        'g' | 'G' => {
            let p = precision.unwrap_or(6).max(1);
            let exp = if x == 0.0 {
                0
            } else {
                x.log10().floor() as i32
            };
            let s = if exp < -4 || exp >= p as i32 {
                let s = format!("{:.*e}", p - 1, x);
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let m = if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.')
                } else {
                    m
                };
                let e: i32 = e.parse().unwrap_or(0);
                format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
            } else {
                let s = format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, x);
                if s.contains('.') {
                    s.trim_end_matches('0').trim_end_matches('.').to_owned()
                } else {
                    s
                }
            };
            if kind == 'G' {
                s.to_uppercase()
            } else {
                s
            }
        }
        _ => float_repr(x),
    }
}

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
        let s = parse_spec(spec)?;
        match v {
            Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => self.format_int(v, &s),
            Value::Float(f) => Ok(self.format_float(*f, &s)),
            Value::Str(text) => {
                if !matches!(s.kind, None | Some('s')) {
                    return Err(Exc::value_error(format!(
                        "Unknown format code '{}' for object of type 'str'",
                        s.kind.unwrap_or('s')
                    )));
                }
                let body: String = match s.precision {
                    Some(p) => text.as_str().chars().take(p).collect(),
                    None => text.as_str().to_owned(),
                };
                Ok(pad(&s, "", &body, false))
            }
            _ => {
                let text = self.to_str(v)?;
                Ok(pad(&s, "", &text, false))
            }
        }
    }

    fn format_int(&mut self, v: &Value, s: &Spec) -> PResult<String> {
        let big = match v {
            Value::Int(i) => num_bigint::BigInt::from(*i),
            Value::Bool(b) => num_bigint::BigInt::from(*b as i64),
            Value::BigInt(b) => (**b).clone(),
            _ => num_bigint::BigInt::from(0),
        };
        let kind = s.kind.unwrap_or('d');
        if matches!(kind, 'f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%') {
            return Ok(self.format_float(big.to_f64().unwrap_or(f64::INFINITY), s));
        }
        let negative = big.sign() == num_bigint::Sign::Minus;
        let mag = if negative { -big } else { big };
        let (digits, prefix) = match kind {
            'd' | 'n' => (mag.to_string(), ""),
            'x' => (mag.to_str_radix(16), "0x"),
            'X' => (mag.to_str_radix(16).to_uppercase(), "0X"),
            'o' => (mag.to_str_radix(8), "0o"),
            'b' => (mag.to_str_radix(2), "0b"),
            'c' => (
                mag.to_u32()
                    .and_then(char::from_u32)
                    .map(String::from)
                    .unwrap_or_default(),
                "",
            ),
            other => {
                return Err(Exc::value_error(format!(
                    "Unknown format code '{other}' for object of type 'int'"
                )))
            }
        };
        let digits = match s.grouping {
            Some(sep) => group_digits(&digits, sep, if kind == 'd' { 3 } else { 4 }),
            None => digits,
        };
        let sign = format!(
            "{}{}",
            sign_str(s, negative),
            if s.alternate { prefix } else { "" }
        );
        Ok(pad(s, &sign, &digits, true))
    }

    fn format_float(&mut self, x: f64, s: &Spec) -> String {
        let negative = x.is_sign_negative() && !x.is_nan();
        let body = match s.kind {
            Some(k) => format_float_body(x, k, s.precision),
            None => match s.precision {
                Some(p) => format_float_body(x, 'g', Some(p)),
                None => float_repr(x.abs()),
            },
        };
        let body = match s.grouping {
            Some(sep) => {
                let (int_part, rest) = match body.find(|c: char| !c.is_ascii_digit()) {
                    Some(idx) => body.split_at(idx),
                    None => (body.as_str(), ""),
                };
                format!("{}{rest}", group_digits(int_part, sep, 3))
            }
            None => body,
        };
        pad(s, sign_str(s, negative), &body, true)
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
                    if let Value::Str(_) = v {
                        return Ok(v.clone());
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
        let items: Vec<Value> = match args {
            Value::Tuple(t) => t.items.to_vec(),
            other => vec![other.clone()],
        };
        let mapping = matches!(args, Value::Dict(_)).then(|| args.clone());
        let mut next = 0usize;
        let mut out = String::new();
        let chars: Vec<char> = fmt.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            if c != '%' {
                out.push(c);
                continue;
            }
            let mut key: Option<String> = None;
            if chars.get(i) == Some(&'(') {
                let end = chars[i..].iter().position(|&c| c == ')').map(|p| p + i);
                let Some(end) = end else {
                    return Err(Exc::value_error("incomplete format key"));
                };
                key = Some(chars[i + 1..end].iter().collect());
                i = end + 1;
            }
            let start = i;
            while i < chars.len() && "-+ #0123456789.".contains(chars[i]) {
                i += 1;
            }
            let flags: String = chars[start..i].iter().collect();
            let Some(&conv) = chars.get(i) else {
                return Err(Exc::value_error("incomplete format"));
            };
            i += 1;
            if conv == '%' {
                out.push('%');
                continue;
            }
            let value = match (&key, &mapping) {
                (Some(k), Some(m)) => self.get_item(m, &Value::str(k))?,
                _ => {
                    let v = items
                        .get(next)
                        .cloned()
                        .ok_or_else(|| Exc::type_error("not enough arguments for format string"))?;
                    next += 1;
                    v
                }
            };
            out.push_str(&self.printf_one(&flags, conv, &value)?);
        }
        if mapping.is_none() && next < items.len() {
            return Err(Exc::type_error(
                "not all arguments converted during string formatting",
            ));
        }
        Ok(Value::string(out))
    }

    fn printf_one(&mut self, flags: &str, conv: char, v: &Value) -> PResult<String> {
        let left = flags.contains('-');
        let zero = flags.contains('0') && !left;
        let plus = flags.contains('+');
        let digits: String = flags
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let digits = digits.trim_start_matches('0');
        let (width, precision) = match digits.split_once('.') {
            Some((w, p)) => (w.parse().unwrap_or(0), Some(p.parse().unwrap_or(0))),
            None => (digits.parse().unwrap_or(0usize), None),
        };
        let mut spec = String::new();
        if left {
            spec.push('<');
        } else if !zero {
            spec.push('>');
        }
        if plus {
            spec.push('+');
        }
        if zero {
            spec.push('0');
        }
        if width > 0 {
            spec.push_str(&width.to_string());
        }
        let text = match conv {
            's' | 'r' | 'a' => {
                let s = if conv == 's' {
                    self.to_str(v)?
                } else {
                    self.repr(v)?
                };
                let s: String = match precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                };
                return self.format_spec(&Value::string(s), &spec.replace('0', ""));
            }
            'd' | 'i' | 'u' => {
                let n = match v {
                    Value::Float(f) => Value::from_bigint(
                        crate::vm::hash::float_to_bigint(f.trunc()).unwrap_or_default(),
                    ),
                    Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => v.clone(),
                    _ => {
                        return Err(Exc::type_error(format!(
                            "%{conv} format: a real number is required, not {}",
                            self.type_name(v)
                        )))
                    }
                };
                self.format_spec(&n, &spec)?
            }
            'x' | 'X' | 'o' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'c' => {
                if let Some(p) = precision {
                    spec.push_str(&format!(".{p}"));
                }
                spec.push(conv);
                let v = match (conv, v) {
                    ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Value::Int(i)) => Value::Float(*i as f64),
                    _ => v.clone(),
                };
                self.format_spec(&v, &spec)?
            }
            other => {
                return Err(Exc::value_error(format!(
                    "unsupported format character '{other}' (0x{:x})",
                    other as u32
                )))
            }
        };
        Ok(text)
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
