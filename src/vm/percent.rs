//! printf-style `str % args` formatting, following CPython 3.11's `PyUnicode_Format`
//! (`Objects/unicodeobject.c`). Three layers, from plain to generic:
//! `parse_percent` splits a format string into literal text and conversion specs;
//! `format_percent_int`/`_float`/`_str` format one already-converted argument; and
//! `format_percent` walks the pieces, fetching arguments from the caller through the
//! [`PercentSource`] trait in exactly CPython's order, so that which error wins (a missing
//! argument before a bad conversion character, say) is the same. Values, their `str`/`repr`
//! and their conversion to int or float stay on the caller's side of the trait.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::float_repr::{double_to_string, DtoaFlags};
use super::format_spec::{check_field_size, FormatError};

/// `TypeError` when the arguments run out before the conversions do.
pub const NOT_ENOUGH_ARGUMENTS: &str = "not enough arguments for format string";
/// `TypeError` when a tuple has arguments left over after the last conversion.
pub const NOT_ALL_CONVERTED: &str = "not all arguments converted during string formatting";
/// `TypeError` for `%(key)s` when the right operand is not a mapping.
pub const REQUIRES_MAPPING: &str = "format requires a mapping";
/// `TypeError` for a `*` width or precision whose argument is not an int.
pub const STAR_WANTS_INT: &str = "* wants int";
/// `TypeError` for `%c` with something other than an int or a one-character str.
pub const C_REQUIRES_INT_OR_CHAR: &str = "%c requires int or char";
/// `OverflowError` for `%c` with an int outside the code point range.
pub const C_OUT_OF_RANGE: &str = "%c arg not in range(0x110000)";

/// `TypeError` text for `%d`, `%i` or `%u` with a value that is not a real number.
pub fn real_number_required(kind: char, type_name: &str) -> String {
    format!("%{kind} format: a real number is required, not {type_name}")
}

/// `TypeError` text for `%x`, `%X` or `%o` with a value that is not an integer.
pub fn integer_required(kind: char, type_name: &str) -> String {
    format!("%{kind} format: an integer is required, not {type_name}")
}

/// `TypeError` text for `%e`, `%f` or `%g` with a value that is not a real number.
pub fn float_required(type_name: &str) -> String {
    format!("must be real number, not {type_name}")
}

/// The `-+ #0` flags of one conversion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// `-`: pad on the right.
    pub left: bool,
    /// `+`: always write a sign for numbers.
    pub sign: bool,
    /// ` `: a space where a positive number's sign would go.
    pub blank: bool,
    /// `#`: alternate form (`0x` prefix, kept decimal point).
    pub alt: bool,
    /// `0`: pad numbers with zeros after the sign.
    pub zero: bool,
}

/// A width or precision: absent, written in the format, or taken from the arguments (`*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    Absent,
    Fixed(usize),
    Star,
}

impl Count {
    fn fixed(self) -> Option<usize> {
        match self {
            Count::Fixed(n) => Some(n),
            Count::Absent | Count::Star => None,
        }
    }
}

/// What a conversion turned out to be once its last character was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConvKind {
    /// One of `s r a d i u o x X e E f F g G c`.
    Char(char),
    /// Any other character: a `ValueError` raised after the argument has been fetched.
    Unsupported { ch: char, index: usize },
    /// The format ended too early ("incomplete format") or a number was too big: a
    /// `ValueError` raised after any `*` arguments, before the value is fetched.
    Invalid(&'static str),
}

/// One `%` conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conv {
    /// The `name` of `%(name)s`.
    pub key: Option<String>,
    pub flags: Flags,
    pub width: Count,
    pub precision: Count,
    pub kind: ConvKind,
}

impl Conv {
    /// The error text for an unsupported conversion character, CPython's wording.
    pub fn unsupported_message(ch: char, index: usize) -> String {
        let code = ch as u32;
        let shown = if (31..=126).contains(&code) { ch } else { '?' };
        format!("unsupported format character '{shown}' (0x{code:x}) at index {index}")
    }

    /// Settles `*` width and precision with the ints taken from the arguments: a negative
    /// width means left alignment, a negative precision means zero.
    pub fn with_stars(&self, width: Option<i64>, precision: Option<i64>) -> Conv {
        let mut res = self.clone();
        if let Some(width) = width {
            res.flags.left |= width < 0;
            res.width = Count::Fixed(usize::try_from(width.unsigned_abs()).unwrap_or(usize::MAX));
        }
        if let Some(precision) = precision {
            res.precision = Count::Fixed(usize::try_from(precision.max(0)).unwrap_or(0));
        }
        res
    }

    fn char_kind(&self) -> char {
        match self.kind {
            ConvKind::Char(ch) => ch,
            _ => 's',
        }
    }
}

/// A piece of a parsed format string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text copied as is (`%%` already turned into `%`).
    Literal(String),
    Conv(Conv),
    /// A broken `%(key` : "format requires a mapping" (`TypeError`) when there is no
    /// mapping, else this `ValueError` message.
    BadKey(&'static str),
}

/// Splits a format string into pieces. Errors are not returned here but placed where
/// CPython would raise them (see [`ConvKind`] and [`Piece::BadKey`]); the walk stops there.
pub fn parse_percent(fmt: &str) -> Vec<Piece> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut pos = 0;
    while let Some(&ch) = chars.get(pos) {
        pos += 1;
        if ch != '%' {
            literal.push(ch);
            continue;
        }
        if chars.get(pos) == Some(&'%') {
            literal.push('%');
            pos += 1;
            continue;
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        let piece = parse_conv(&chars, &mut pos);
        let stop = !matches!(
            piece,
            Piece::Conv(Conv {
                kind: ConvKind::Char(_),
                ..
            })
        );
        pieces.push(piece);
        if stop {
            return pieces;
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    pieces
}

/// Parses one conversion; `pos` is just past the `%`.
fn parse_conv(chars: &[char], pos: &mut usize) -> Piece {
    let mut conv = Conv {
        key: None,
        flags: Flags::default(),
        width: Count::Absent,
        precision: Count::Absent,
        kind: ConvKind::Invalid("incomplete format"),
    };
    if chars.get(*pos) == Some(&'(') {
        match parse_key(chars, pos) {
            Some(key) => conv.key = Some(key),
            None => return Piece::BadKey("incomplete format key"),
        }
    }
    while let Some(&ch) = chars.get(*pos) {
        match ch {
            '-' => conv.flags.left = true,
            '+' => conv.flags.sign = true,
            ' ' => conv.flags.blank = true,
            '#' => conv.flags.alt = true,
            '0' => conv.flags.zero = true,
            _ => break,
        }
        *pos += 1;
    }
    match parse_count(chars, pos, "width too big") {
        Ok(width) => conv.width = width,
        Err(msg) => return invalid(conv, msg),
    }
    if chars.get(*pos) == Some(&'.') {
        *pos += 1;
        match parse_count(chars, pos, "precision too big") {
            Ok(Count::Absent) => conv.precision = Count::Fixed(0),
            Ok(precision) => conv.precision = precision,
            Err(msg) => return invalid(conv, msg),
        }
    }
    // Length modifiers from C (`%ld`, `%hs`) are accepted and ignored.
    if matches!(chars.get(*pos), Some('h' | 'l' | 'L')) {
        *pos += 1;
    }
    let Some(&ch) = chars.get(*pos) else {
        return Piece::Conv(conv);
    };
    *pos += 1;
    conv.kind = if "sradiuoxXeEfFgGc".contains(ch) {
        ConvKind::Char(ch)
    } else {
        ConvKind::Unsupported {
            ch,
            index: *pos - 1,
        }
    };
    Piece::Conv(conv)
}

fn invalid(mut conv: Conv, msg: &'static str) -> Piece {
    conv.kind = ConvKind::Invalid(msg);
    Piece::Conv(conv)
}

/// Reads `(key)` with balanced inner parentheses; `None` when the format ends first.
fn parse_key(chars: &[char], pos: &mut usize) -> Option<String> {
    let start = *pos + 1;
    let mut depth = 0usize;
    while let Some(&ch) = chars.get(*pos) {
        *pos += 1;
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return chars.get(start..*pos - 1).map(|key| key.iter().collect());
        }
    }
    None
}

/// Reads `*` or a run of digits; the limit is CPython's (a C int for both, in effect).
fn parse_count(
    chars: &[char],
    pos: &mut usize,
    too_big: &'static str,
) -> Result<Count, &'static str> {
    if chars.get(*pos) == Some(&'*') {
        *pos += 1;
        return Ok(Count::Star);
    }
    let mut res: Option<usize> = None;
    while let Some(digit) = chars.get(*pos).and_then(|c| c.to_digit(10)) {
        let next = res
            .unwrap_or(0)
            .checked_mul(10)
            .and_then(|v| v.checked_add(digit as usize))
            .filter(|v| *v <= i32::MAX as usize)
            .ok_or(too_big)?;
        res = Some(next);
        *pos += 1;
    }
    Ok(res.map_or(Count::Absent, Count::Fixed))
}

/// `%d %i %u %o %x %X` of an int, with width, precision and flags.
pub fn format_percent_int(v: &BigInt, conv: &Conv) -> Result<String, FormatError> {
    let kind = conv.char_kind();
    let precision = conv.precision.fixed().unwrap_or(0);
    if precision > i32::MAX as usize - 3 {
        return Err(FormatError::Overflow("precision too large".into()));
    }
    check_field_size(conv.width.fixed())?;
    check_field_size(Some(precision))?;
    let (radix, prefix) = match kind {
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = v.abs().to_str_radix(radix);
    if kind == 'X' {
        digits.make_ascii_uppercase();
    }
    let mut text = String::with_capacity(precision.max(digits.len()) + 3);
    if v.is_negative() {
        text.push('-');
    }
    if conv.flags.alt {
        text.push_str(prefix);
    }
    text.extend(std::iter::repeat_n(
        '0',
        precision.saturating_sub(digits.len()),
    ));
    text.push_str(&digits);
    Ok(output(&text, conv, true))
}

/// `%e %E %f %F %g %G` of a float, with width, precision (default 6) and flags.
pub fn format_percent_float(x: f64, conv: &Conv) -> Result<String, FormatError> {
    check_field_size(conv.width.fixed())?;
    check_field_size(conv.precision.fixed())?;
    let flags = DtoaFlags {
        alt: conv.flags.alt,
        ..DtoaFlags::default()
    };
    let precision = conv.precision.fixed().unwrap_or(6);
    let text = double_to_string(x, conv.char_kind(), precision, flags);
    Ok(output(&text, conv, true))
}

/// `%s %r %a` of an already converted string (the precision truncates it), and `%c` of a
/// one-character string.
pub fn format_percent_str(s: &str, conv: &Conv) -> Result<String, FormatError> {
    check_field_size(conv.width.fixed())?;
    Ok(output(s, conv, false))
}

/// CPython's `unicode_format_arg_output`: truncation, sign, `0x` prefix and padding.
fn output(text: &str, conv: &Conv, numeric: bool) -> String {
    let kind = conv.char_kind();
    let flags = conv.flags;
    let fill = if numeric && flags.zero { '0' } else { ' ' };
    let mut body: Vec<char> = text.chars().collect();
    if let (Some(precision), 's' | 'r' | 'a') = (conv.precision.fixed(), kind) {
        body.truncate(precision);
    }
    let mut sign = None;
    if numeric {
        match body.first() {
            Some(&ch @ ('-' | '+')) => {
                sign = Some(ch);
                body.remove(0);
            }
            _ if flags.sign => sign = Some('+'),
            _ if flags.blank => sign = Some(' '),
            _ => {}
        }
    }
    let has_prefix = flags.alt && numeric && matches!(kind, 'x' | 'X' | 'o');
    let prefix: Vec<char> = if has_prefix {
        body.drain(..2.min(body.len())).collect()
    } else {
        Vec::new()
    };
    let used = body.len() + prefix.len() + usize::from(sign.is_some());
    let n_pad = conv.width.fixed().unwrap_or(0).saturating_sub(used);
    let mut res = String::with_capacity(used + n_pad);
    if fill == '0' {
        res.extend(sign);
        res.extend(&prefix);
    }
    if !flags.left {
        res.extend(std::iter::repeat_n(fill, n_pad));
    }
    if fill == ' ' {
        res.extend(sign);
        res.extend(&prefix);
    }
    res.extend(&body);
    if flags.left {
        res.extend(std::iter::repeat_n(' ', n_pad));
    }
    res
}

/// The exception classes the formatting engine raises itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExcKind {
    TypeError,
    ValueError,
    OverflowError,
    /// Raised with no message, for a field too wide to build (see `format_spec::MAX_FIELD`).
    MemoryError,
}

/// The right operand of `%`, as the caller classified it.
pub enum PercentArgs<V> {
    /// A tuple: its items are the arguments, and all must be used.
    Tuple(Vec<V>),
    /// Anything with `__getitem__` other than a tuple or str (CPython's `PyMapping_Check`,
    /// so a list or bytes too): `%(key)s` looks keys up in it, a plain `%s` formats the
    /// value itself, and unused arguments are not an error (`'abc' % []` is `'abc'`).
    Mapping(V),
    /// Any other single value: the one argument.
    Single(V),
}

/// What `format_percent` needs from the VM.
pub trait PercentSource {
    type Value: Clone;
    type Error;
    /// Builds the exception to raise.
    fn raise(&mut self, kind: ExcKind, msg: String) -> Self::Error;
    /// `mapping[key]`, raising the VM's own `KeyError`.
    fn get_item(&mut self, mapping: &Self::Value, key: &str) -> Result<Self::Value, Self::Error>;
    /// The value if it is an int (bool included), for `*` and `%c`.
    fn exact_int(&mut self, v: &Self::Value) -> Option<BigInt>;
    /// The value if it is a str, for `%c`.
    fn exact_str(&mut self, v: &Self::Value) -> Option<String>;
    /// `str(v)`, `repr(v)` or `ascii(v)` for `kind` `s`, `r` or `a`.
    fn to_text(&mut self, v: &Self::Value, kind: char) -> Result<String, Self::Error>;
    /// The int for `%d %i %u` (any real number, truncated: [`real_number_required`]) or
    /// `%x %X %o` (only integers: [`integer_required`]).
    fn to_int(&mut self, v: &Self::Value, kind: char) -> Result<BigInt, Self::Error>;
    /// The float for `%e %f %g` and friends ([`float_required`] otherwise).
    fn to_float(&mut self, v: &Self::Value) -> Result<f64, Self::Error>;
}

/// The argument cursor of CPython's formatter: `arglen < 0` means one non-tuple argument.
struct Cursor<V> {
    items: Vec<V>,
    arglen: i64,
    argidx: i64,
}

impl<V: Clone> Cursor<V> {
    fn single(value: V) -> Cursor<V> {
        Cursor {
            items: vec![value],
            arglen: -1,
            argidx: -2,
        }
    }

    fn next(&mut self) -> Option<V> {
        if self.argidx >= self.arglen {
            return None;
        }
        let idx = if self.arglen < 0 { 0 } else { self.argidx };
        self.argidx += 1;
        self.items.get(usize::try_from(idx).ok()?).cloned()
    }
}

/// `fmt % args`: the whole of CPython's `PyUnicode_Format` over the caller's values.
pub fn format_percent<S: PercentSource>(
    fmt: &str,
    args: PercentArgs<S::Value>,
    src: &mut S,
) -> Result<String, S::Error> {
    let (mut cursor, mapping) = match args {
        PercentArgs::Tuple(items) => {
            let arglen = items.len() as i64;
            let cursor = Cursor {
                items,
                arglen,
                argidx: 0,
            };
            (cursor, None)
        }
        PercentArgs::Mapping(value) => (Cursor::single(value.clone()), Some(value)),
        PercentArgs::Single(value) => (Cursor::single(value), None),
    };
    let mut res = String::new();
    for piece in parse_percent(fmt) {
        match piece {
            Piece::Literal(text) => res.push_str(&text),
            Piece::BadKey(msg) => {
                return Err(match mapping {
                    None => src.raise(ExcKind::TypeError, REQUIRES_MAPPING.into()),
                    Some(_) => src.raise(ExcKind::ValueError, msg.into()),
                })
            }
            Piece::Conv(conv) => {
                if let Some(key) = &conv.key {
                    let Some(mapping) = &mapping else {
                        return Err(src.raise(ExcKind::TypeError, REQUIRES_MAPPING.into()));
                    };
                    cursor = Cursor::single(src.get_item(mapping, key)?);
                }
                res.push_str(&convert_one(&conv, &mut cursor, src)?);
            }
        }
    }
    if cursor.argidx < cursor.arglen && mapping.is_none() {
        return Err(src.raise(ExcKind::TypeError, NOT_ALL_CONVERTED.into()));
    }
    Ok(res)
}

fn next_arg<S: PercentSource>(
    cursor: &mut Cursor<S::Value>,
    src: &mut S,
) -> Result<S::Value, S::Error> {
    cursor
        .next()
        .ok_or_else(|| src.raise(ExcKind::TypeError, NOT_ENOUGH_ARGUMENTS.into()))
}

/// Fetches a `*` argument and narrows it like CPython (`ssize_t` width, `int` precision).
fn star_arg<S: PercentSource>(
    cursor: &mut Cursor<S::Value>,
    src: &mut S,
    c_type: &str,
    limit: i64,
) -> Result<i64, S::Error> {
    let value = next_arg(cursor, src)?;
    let Some(int) = src.exact_int(&value) else {
        return Err(src.raise(ExcKind::TypeError, STAR_WANTS_INT.into()));
    };
    int.to_i64()
        .filter(|n| (-limit - 1..=limit).contains(n))
        .ok_or_else(|| {
            let msg = format!("Python int too large to convert to C {c_type}");
            src.raise(ExcKind::OverflowError, msg)
        })
}

/// One conversion: `*` arguments, the value, and its text.
fn convert_one<S: PercentSource>(
    conv: &Conv,
    cursor: &mut Cursor<S::Value>,
    src: &mut S,
) -> Result<String, S::Error> {
    let width = match conv.width {
        Count::Star => Some(star_arg(cursor, src, "ssize_t", i64::MAX)?),
        _ => None,
    };
    let precision = match conv.precision {
        Count::Star => Some(star_arg(cursor, src, "int", i32::MAX as i64)?),
        _ => None,
    };
    let conv = conv.with_stars(width, precision);
    // An incomplete or oversized spec fails after its `*` arguments, before its value.
    if let ConvKind::Invalid(msg) = conv.kind {
        return Err(src.raise(ExcKind::ValueError, msg.into()));
    }
    let value = next_arg(cursor, src)?;
    let kind = match conv.kind {
        ConvKind::Char(kind) => kind,
        ConvKind::Unsupported { ch, index } => {
            let msg = Conv::unsupported_message(ch, index);
            return Err(src.raise(ExcKind::ValueError, msg));
        }
        ConvKind::Invalid(msg) => return Err(src.raise(ExcKind::ValueError, msg.into())),
    };
    let res = match kind {
        's' | 'r' | 'a' => format_percent_str(&src.to_text(&value, kind)?, &conv),
        'c' => {
            let ch = char_arg(&value, src)?;
            format_percent_str(&ch.to_string(), &conv)
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => format_percent_float(src.to_float(&value)?, &conv),
        _ => format_percent_int(&src.to_int(&value, kind)?, &conv),
    };
    res.map_err(|err| match err {
        FormatError::Value(msg) => src.raise(ExcKind::ValueError, msg),
        FormatError::Overflow(msg) => src.raise(ExcKind::OverflowError, msg),
        FormatError::Memory => src.raise(ExcKind::MemoryError, String::new()),
    })
}

/// The character for `%c`: an int code point or a one-character str. Lone surrogates,
/// which a Rust string cannot hold, become U+FFFD.
fn char_arg<S: PercentSource>(value: &S::Value, src: &mut S) -> Result<char, S::Error> {
    if let Some(code) = src.exact_int(value) {
        return code
            .to_u32()
            .filter(|code| *code < 0x110000)
            .map(|code| char::from_u32(code).unwrap_or('\u{fffd}'))
            .ok_or_else(|| src.raise(ExcKind::OverflowError, C_OUT_OF_RANGE.into()));
    }
    let text = src.exact_str(value);
    let mut chars = text.as_deref().unwrap_or("").chars();
    match (chars.next(), chars.next()) {
        (Some(ch), None) => Ok(ch),
        _ => Err(src.raise(ExcKind::TypeError, C_REQUIRES_INT_OR_CHAR.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::float_repr::float_repr;

    /// A stand-in for VM values, enough to drive the engine the way the VM will.
    #[derive(Clone, Debug)]
    enum V {
        Int(BigInt),
        Float(f64),
        Str(String),
        Dict(Vec<(String, V)>),
        List(Vec<V>),
        Nothing,
    }

    fn int(text: &str) -> V {
        V::Int(text.parse().unwrap())
    }

    fn fl(text: &str) -> V {
        V::Float(text.parse().unwrap())
    }

    fn st(text: &str) -> V {
        V::Str(text.to_string())
    }

    fn type_name(v: &V) -> &'static str {
        match v {
            V::Int(_) => "int",
            V::Float(_) => "float",
            V::Str(_) => "str",
            V::Dict(_) => "dict",
            V::List(_) => "list",
            V::Nothing => "NoneType",
        }
    }

    fn repr(v: &V) -> String {
        match v {
            V::Int(n) => n.to_string(),
            V::Float(x) => float_repr(*x),
            V::Str(s) => format!("'{s}'"),
            V::Dict(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|(k, v)| format!("'{k}': {}", repr(v)))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
            V::List(items) => {
                let items: Vec<String> = items.iter().map(repr).collect();
                format!("[{}]", items.join(", "))
            }
            V::Nothing => "None".to_string(),
        }
    }

    struct Source;

    impl PercentSource for Source {
        type Value = V;
        type Error = String;

        fn raise(&mut self, kind: ExcKind, msg: String) -> String {
            format!("!{kind:?}: {msg}")
        }

        fn get_item(&mut self, mapping: &V, key: &str) -> Result<V, String> {
            match mapping {
                V::Dict(items) => items
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| format!("!KeyError: '{key}'")),
                _ => Err("!TypeError: list indices must be integers or slices, not str".into()),
            }
        }

        fn exact_int(&mut self, v: &V) -> Option<BigInt> {
            match v {
                V::Int(n) => Some(n.clone()),
                _ => None,
            }
        }

        fn exact_str(&mut self, v: &V) -> Option<String> {
            match v {
                V::Str(s) => Some(s.clone()),
                _ => None,
            }
        }

        fn to_text(&mut self, v: &V, kind: char) -> Result<String, String> {
            Ok(match (v, kind) {
                (V::Str(s), 's') => s.clone(),
                _ => repr(v),
            })
        }

        fn to_int(&mut self, v: &V, kind: char) -> Result<BigInt, String> {
            match v {
                V::Int(n) => Ok(n.clone()),
                V::Float(x) if "diu".contains(kind) => Ok(BigInt::from(x.trunc() as i64)),
                _ if "diu".contains(kind) => {
                    Err(self.raise(ExcKind::TypeError, real_number_required(kind, type_name(v))))
                }
                _ => Err(self.raise(ExcKind::TypeError, integer_required(kind, type_name(v)))),
            }
        }

        fn to_float(&mut self, v: &V) -> Result<f64, String> {
            match v {
                V::Float(x) => Ok(*x),
                V::Int(n) => crate::vm::float_repr::bigint_to_f64(n).ok_or_else(|| {
                    self.raise(
                        ExcKind::OverflowError,
                        "int too large to convert to float".into(),
                    )
                }),
                _ => Err(self.raise(ExcKind::TypeError, float_required(type_name(v)))),
            }
        }
    }

    fn check(fmt: &str, args: PercentArgs<V>, expected: &str) {
        let got = format_percent(fmt, args, &mut Source).unwrap_or_else(|err| err);
        assert_eq!(got, expected, "{fmt:?}");
    }

    /// Expected outputs (or `!Class: message`) produced once by python3 3.11 with `fmt % args`.
    #[test]
    #[rustfmt::skip]
    fn formatting_matches_cpython() {
        check("%d", PercentArgs::Tuple(vec![st("a")]), "!TypeError: %d format: a real number is required, not str");
        check("%d", PercentArgs::Tuple(vec![fl("3.7")]), "3");
        check("%x", PercentArgs::Tuple(vec![fl("3.7")]), "!TypeError: %x format: an integer is required, not float");
        check("%o", PercentArgs::Tuple(vec![st("a")]), "!TypeError: %o format: an integer is required, not str");
        check("%f", PercentArgs::Tuple(vec![st("a")]), "!TypeError: must be real number, not str");
        check("%e", PercentArgs::Tuple(vec![V::Nothing]), "!TypeError: must be real number, not NoneType");
        check("%c", PercentArgs::Tuple(vec![st("ab")]), "!TypeError: %c requires int or char");
        check("%c", PercentArgs::Tuple(vec![int("-1")]), "!OverflowError: %c arg not in range(0x110000)");
        check("%c", PercentArgs::Tuple(vec![fl("1.5")]), "!TypeError: %c requires int or char");
        check("%c", PercentArgs::Tuple(vec![int("1114112")]), "!OverflowError: %c arg not in range(0x110000)");
        check("%*d", PercentArgs::Tuple(vec![st("a"), int("1")]), "!TypeError: * wants int");
        check("%.*d", PercentArgs::Tuple(vec![fl("1.5"), int("1")]), "!TypeError: * wants int");
        check("%*d", PercentArgs::Tuple(vec![int("-5"), int("1")]), "1    ");
        check("%.*f", PercentArgs::Tuple(vec![int("-3"), fl("1.5")]), "2");
        check("%s", PercentArgs::Tuple(vec![V::Dict(vec![("a".into(), int("1"))])]), "{'a': 1}");
        check("%(a)s %s", PercentArgs::Tuple(vec![V::Dict(vec![("a".into(), int("1"))])]), "!TypeError: format requires a mapping");
        check("%s %s", PercentArgs::Tuple(vec![V::Dict(vec![("a".into(), int("1"))])]), "!TypeError: not enough arguments for format string");
        check("%(a)s", PercentArgs::Tuple(vec![int("1")]), "!TypeError: format requires a mapping");
        check("%(a", PercentArgs::Single(int("5")), "!TypeError: format requires a mapping");
        check("%(a", PercentArgs::Mapping(V::Dict(vec![])), "!ValueError: incomplete format key");
        check("%(a)s", PercentArgs::Mapping(V::Dict(vec![("b".into(), int("1"))])), "!KeyError: 'a'");
        check("%s", PercentArgs::Tuple(vec![]), "!TypeError: not enough arguments for format string");
        check("%s", PercentArgs::Tuple(vec![int("1"), int("2")]), "!TypeError: not all arguments converted during string formatting");
        check("%(a)s", PercentArgs::Mapping(V::Dict(vec![("a".into(), int("1")), ("b".into(), int("2"))])), "1");
        check("%(a)*d", PercentArgs::Mapping(V::Dict(vec![("a".into(), int("1"))])), "!TypeError: not enough arguments for format string");
        check("%*.99999999999d", PercentArgs::Tuple(vec![int("1"), int("2")]), "!ValueError: precision too big");
        check("%.2147483645d", PercentArgs::Tuple(vec![int("1")]), "!OverflowError: precision too large");
        check("%s %%", PercentArgs::Tuple(vec![int("1")]), "1 %");
        check("%5%", PercentArgs::Tuple(vec![int("1")]), "!ValueError: unsupported format character '%' (0x25) at index 2");
        check("%5%", PercentArgs::Tuple(vec![]), "!TypeError: not enough arguments for format string");
        check("%r", PercentArgs::Tuple(vec![st("a")]), "'a'");
        check("%.1r", PercentArgs::Tuple(vec![st("abc")]), "'");
        check("%-5s|", PercentArgs::Tuple(vec![st("ab")]), "ab   |");
        check("%05s", PercentArgs::Tuple(vec![st("ab")]), "   ab");
        check("%+s", PercentArgs::Tuple(vec![st("ab")]), "ab");
        check("%.0s", PercentArgs::Tuple(vec![st("ab")]), "");
        check("%x", PercentArgs::Tuple(vec![int("-255")]), "-ff");
        check("%#X", PercentArgs::Tuple(vec![int("-255")]), "-0XFF");
        check("%+#x", PercentArgs::Tuple(vec![int("255")]), "+0xff");
        check("% #8x", PercentArgs::Tuple(vec![int("255")]), "    0xff");
        check("%0#8x", PercentArgs::Tuple(vec![int("-255")]), "-0x000ff");
        check("%-#8x|", PercentArgs::Tuple(vec![int("-255")]), "-0xff   |");
        check("%#.5x", PercentArgs::Tuple(vec![int("255")]), "0x000ff");
        check("%#010o", PercentArgs::Tuple(vec![int("8")]), "0o00000010");
        check("%#o", PercentArgs::Tuple(vec![int("-8")]), "-0o10");
        check("%#.5o", PercentArgs::Tuple(vec![int("-8")]), "-0o00010");
        check("%010.3f", PercentArgs::Tuple(vec![fl("-1.5")]), "-00001.500");
        check("%-010.3f|", PercentArgs::Tuple(vec![fl("-1.5")]), "-1.500    |");
        check("%+e", PercentArgs::Tuple(vec![fl("0.0")]), "+0.000000e+00");
        check("% g", PercentArgs::Tuple(vec![fl("1e+20")]), " 1e+20");
        check("%#.3g", PercentArgs::Tuple(vec![fl("1.0")]), "1.00");
        check("%G", PercentArgs::Tuple(vec![fl("1e-10")]), "1E-10");
        check("%F", PercentArgs::Tuple(vec![fl("nan")]), "NAN");
        check("%+f", PercentArgs::Tuple(vec![fl("nan")]), "+nan");
        check("%+f", PercentArgs::Tuple(vec![fl("-inf")]), "-inf");
        check("%010f", PercentArgs::Tuple(vec![fl("inf")]), "0000000inf");
        check("%010d", PercentArgs::Tuple(vec![int("1000000000000000000000000000000")]), "1000000000000000000000000000000");
        check("%.3d", PercentArgs::Tuple(vec![int("7")]), "007");
        check("%5.3d", PercentArgs::Tuple(vec![int("-7")]), " -007");
        check("%-05.3d|", PercentArgs::Tuple(vec![int("7")]), "007  |");
        check("%i %u", PercentArgs::Tuple(vec![int("1"), int("2")]), "1 2");
        check("%3c|", PercentArgs::Tuple(vec![st("x")]), "  x|");
        check("%-3c|", PercentArgs::Tuple(vec![int("65")]), "A  |");
        check("%03c|", PercentArgs::Tuple(vec![int("65")]), "  A|");
        check("%c", PercentArgs::Tuple(vec![st("\u{e9}")]), "\u{e9}");
        check("%.0f", PercentArgs::Tuple(vec![fl("0.5")]), "0");
        check("%.0f", PercentArgs::Tuple(vec![fl("1.5")]), "2");
        check("%s", PercentArgs::Tuple(vec![fl("1.5")]), "1.5");
        check("%(x)s %(x)r", PercentArgs::Mapping(V::Dict(vec![("x".into(), st("q"))])), "q 'q'");
        check("%(a(b))s", PercentArgs::Mapping(V::Dict(vec![("a(b)".into(), int("1"))])), "1");
        check("%d %d", PercentArgs::Tuple(vec![int("1")]), "!TypeError: not enough arguments for format string");
        check("%y %d", PercentArgs::Tuple(vec![int("1")]), "!ValueError: unsupported format character 'y' (0x79) at index 1");
        check("%s %y", PercentArgs::Tuple(vec![int("1"), int("2")]), "!ValueError: unsupported format character 'y' (0x79) at index 4");
        check("%d", PercentArgs::Tuple(vec![int("10000000000000000000000000000000000000000")]), "10000000000000000000000000000000000000000");
        check("%e", PercentArgs::Tuple(vec![int("10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]), "!OverflowError: int too large to convert to float");
        check("%*s", PercentArgs::Tuple(vec![int("1180591620717411303424"), st("x")]), "!OverflowError: Python int too large to convert to C ssize_t");
        check("%.*s", PercentArgs::Tuple(vec![int("1099511627776"), st("x")]), "!OverflowError: Python int too large to convert to C int");
        check("%s", PercentArgs::Single(int("5")), "5");
        check("%.*", PercentArgs::Tuple(vec![int("5")]), "!ValueError: incomplete format");
        check("%*", PercentArgs::Tuple(vec![int("5")]), "!ValueError: incomplete format");
        check("%.*", PercentArgs::Tuple(vec![]), "!TypeError: not enough arguments for format string");
        check("%s", PercentArgs::Mapping(V::List(vec![int("1"), int("2")])), "[1, 2]");
        check("%s %s", PercentArgs::Mapping(V::List(vec![int("1"), int("2")])), "!TypeError: not enough arguments for format string");
        check("abc", PercentArgs::Mapping(V::List(vec![])), "abc");
        check("abc", PercentArgs::Single(int("5")), "!TypeError: not all arguments converted during string formatting");
        check("abc", PercentArgs::Mapping(V::Dict(vec![])), "abc");
        check("abc", PercentArgs::Tuple(vec![]), "abc");
        check("%", PercentArgs::Tuple(vec![]), "!ValueError: incomplete format");
        check("%5", PercentArgs::Tuple(vec![int("1")]), "!ValueError: incomplete format");
        check("%.", PercentArgs::Tuple(vec![int("1")]), "!ValueError: incomplete format");
        check("abc %z", PercentArgs::Tuple(vec![int("1")]), "!ValueError: unsupported format character 'z' (0x7a) at index 5");
        check("%ld %hs %Lf", PercentArgs::Tuple(vec![int("5"), st("x"), fl("1.5")]), "5 x 1.500000");
        check("%-+ #0d", PercentArgs::Tuple(vec![int("5")]), "+5");
        check("% d|% d", PercentArgs::Tuple(vec![int("5"), int("-5")]), " 5|-5");
        check("%+.2e", PercentArgs::Tuple(vec![fl("12345.678")]), "+1.23e+04");
        check("%10.4g|", PercentArgs::Tuple(vec![fl("3.14159265")]), "     3.142|");
        check("%-10.4G|", PercentArgs::Tuple(vec![fl("1.2345e-05")]), "1.234E-05 |");
        check("%#x %#X %#o", PercentArgs::Tuple(vec![int("0"), int("0"), int("0")]), "0x0 0X0 0o0");
        check("%5s|%-5s|", PercentArgs::Tuple(vec![st("\u{e9}t\u{e9}"), st("\u{e9}")]), "  \u{e9}t\u{e9}|\u{e9}    |");
        check("%.2s", PercentArgs::Tuple(vec![st("\u{e9}t\u{e9}")]), "\u{e9}t");
        check("%*.*f", PercentArgs::Tuple(vec![int("10"), int("2"), fl("3.14159")]), "      3.14");
        check("%-*d|", PercentArgs::Tuple(vec![int("4"), int("7")]), "7   |");
        check("%x", PercentArgs::Tuple(vec![int("1267650600228229401496703205376")]), "10000000000000000000000000");
        check("%(a)d %(b).2f", PercentArgs::Mapping(V::Dict(vec![("a".into(), int("3")), ("b".into(), fl("2.5"))])), "3 2.50");
        check("%(a)s", PercentArgs::Mapping(V::List(vec![int("1")])), "!TypeError: list indices must be integers or slices, not str");
        check("%a", PercentArgs::Tuple(vec![st("x")]), "'x'");
        check("%5c", PercentArgs::Tuple(vec![int("9786")]), "    \u{263a}");
        check("%08.3e", PercentArgs::Tuple(vec![fl("-1e-10")]), "-1.000e-10");
        check("%.10d", PercentArgs::Tuple(vec![int("-1000000000000")]), "-1000000000000");
        check("%+x", PercentArgs::Tuple(vec![int("0")]), "+0");
        check("% o", PercentArgs::Tuple(vec![int("8")]), " 10");
        check("%e", PercentArgs::Tuple(vec![int("5")]), "5.000000e+00");
        check("%d", PercentArgs::Tuple(vec![fl("-0.0")]), "0");
        check("%g", PercentArgs::Tuple(vec![fl("100000.0")]), "100000");
        check("%g", PercentArgs::Tuple(vec![fl("1000000.0")]), "1e+06");
        check("%.3f %s", PercentArgs::Tuple(vec![fl("2.675"), st("x")]), "2.675 x");
        check("%(a)s%%", PercentArgs::Mapping(V::Dict(vec![("a".into(), st("z"))])), "z%");
        check("%(a)5%", PercentArgs::Mapping(V::Dict(vec![("a".into(), int("1"))])), "!ValueError: unsupported format character '%' (0x25) at index 5");
    }

    #[test]
    fn huge_fields_raise_memory_error() {
        check(
            "%999999999d",
            PercentArgs::Single(int("1")),
            "!MemoryError: ",
        );
        check(
            "%.999999999f",
            PercentArgs::Single(fl("1.5")),
            "!MemoryError: ",
        );
        check(
            "%999999999s",
            PercentArgs::Single(st("x")),
            "!MemoryError: ",
        );
    }

    #[test]
    fn parse_splits_literals_and_conversions() {
        let pieces = parse_percent("a%%b%-5.2fc");
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[0], Piece::Literal("a%b".into()));
        let Piece::Conv(conv) = &pieces[1] else {
            panic!("expected a conversion: {pieces:?}");
        };
        assert!(conv.flags.left);
        assert_eq!(conv.width, Count::Fixed(5));
        assert_eq!(conv.precision, Count::Fixed(2));
        assert_eq!(conv.kind, ConvKind::Char('f'));
        assert_eq!(pieces[2], Piece::Literal("c".into()));
    }

    #[test]
    fn parse_stops_at_the_first_error() {
        let pieces = parse_percent("%s %y %s");
        assert_eq!(pieces.len(), 3);
        let Piece::Conv(conv) = &pieces[2] else {
            panic!("expected a conversion: {pieces:?}");
        };
        assert_eq!(conv.kind, ConvKind::Unsupported { ch: 'y', index: 4 });
        assert_eq!(
            Conv::unsupported_message('y', 4),
            "unsupported format character 'y' (0x79) at index 4"
        );
        assert_eq!(
            Conv::unsupported_message('\u{e9}', 1),
            "unsupported format character '?' (0xe9) at index 1"
        );
    }
}
