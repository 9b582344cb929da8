//! The format-spec mini-language of `format(value, spec)`, `str.format` and f-strings, for
//! the three built-in kinds that have one: int, float and str. It follows CPython 3.11's
//! `Python/formatter_unicode.c` step by step (parse, validate, then lay the number out as
//! padding, sign, prefix, grouped digits, decimal point and remainder) so that output and
//! error messages match exactly. The digits of floats come from `float_repr`. Nothing here
//! knows about VM values: the caller picks the kind, and an empty spec means `str(value)`,
//! which the caller may short-cut.

use std::fmt;

use num_bigint::BigInt;
use num_traits::Signed;

use super::float_repr::{bigint_to_f64, double_to_string, DtoaFlags};

/// A formatting failure, tagged with the Python exception class it becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// Raised as `ValueError`: a bad or unsupported spec.
    Value(String),
    /// Raised as `OverflowError`: `%c` out of range, int too large for a float.
    Overflow(String),
    /// Raised as `MemoryError` (with no message): a width or precision so large that the
    /// result would not fit in memory. CPython fails the same way, only later.
    Memory,
}

impl FormatError {
    pub fn message(&self) -> &str {
        match self {
            FormatError::Value(msg) | FormatError::Overflow(msg) => msg,
            FormatError::Memory => "",
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// The longest field, in characters, a width or precision may ask for. Beyond it formatting
/// fails with [`FormatError::Memory`] instead of aborting the process on a huge allocation.
pub const MAX_FIELD: usize = 1 << 28;

/// Rejects a width or precision beyond [`MAX_FIELD`].
pub fn check_field_size(size: Option<usize>) -> Result<(), FormatError> {
    match size {
        Some(size) if size > MAX_FIELD => Err(FormatError::Memory),
        _ => Ok(()),
    }
}

fn value_error(msg: impl Into<String>) -> FormatError {
    FormatError::Value(msg.into())
}

/// The thousands separator asked for by `,` or `_`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    None,
    Comma,
    Underscore,
}

impl Default for FormatSpec {
    /// The empty spec as parsed for a float: no options and no presentation type.
    fn default() -> FormatSpec {
        FormatSpec {
            fill: ' ',
            align: '>',
            sign: None,
            no_neg_0: false,
            alternate: false,
            width: None,
            grouping: Grouping::None,
            precision: None,
            kind: None,
        }
    }
}

/// A parsed `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`, with the
/// defaults of the kind it was parsed for already applied (align `<` for str and `>` for
/// numbers; type `s` for str, `d` for int and none for float).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub fill: char,
    /// One of `<`, `>`, `^`, `=`.
    pub align: char,
    /// One of `+`, `-`, ` `, or `None` when not given.
    pub sign: Option<char>,
    /// The `z` option: negative zero after rounding is written as zero (floats only).
    pub no_neg_0: bool,
    /// The `#` option.
    pub alternate: bool,
    pub width: Option<usize>,
    pub grouping: Grouping,
    pub precision: Option<usize>,
    /// The presentation type; `None` only for floats without one.
    pub kind: Option<char>,
}

/// Which family of presentation types a spec is parsed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Int,
    Float,
    Str,
}

/// Parses `spec` for a value whose Python type is `type_name`. `"str"` and `"float"` select
/// those kinds; every other name (`"int"`, `"bool"`) selects the int kind. The name also
/// appears in error messages ("Unknown format code 'x' for object of type 'str'").
pub fn parse(spec: &str, type_name: &str) -> Result<FormatSpec, FormatError> {
    let family = match type_name {
        "str" => Family::Str,
        "float" => Family::Float,
        _ => Family::Int,
    };
    let chars: Vec<char> = spec.chars().collect();
    let mut res = FormatSpec {
        fill: ' ',
        align: if family == Family::Str { '<' } else { '>' },
        sign: None,
        no_neg_0: false,
        alternate: false,
        width: None,
        grouping: Grouping::None,
        precision: None,
        kind: match family {
            Family::Str => Some('s'),
            Family::Int => Some('d'),
            Family::Float => None,
        },
    };
    let mut pos = parse_fill_align(&chars, &mut res);
    let align_specified = pos > 0;
    let fill_specified = pos == 2;
    let at = |pos: usize| chars.get(pos).copied();
    if let Some(sign @ ('+' | '-' | ' ')) = at(pos) {
        res.sign = Some(sign);
        pos += 1;
    }
    if at(pos) == Some('z') {
        res.no_neg_0 = true;
        pos += 1;
    }
    if at(pos) == Some('#') {
        res.alternate = true;
        pos += 1;
    }
    // A leading zero before the width means zero padding after the sign, for numbers.
    if !fill_specified && at(pos) == Some('0') {
        res.fill = '0';
        if !align_specified && family != Family::Str {
            res.align = '=';
        }
        pos += 1;
    }
    res.width = parse_integer(&chars, &mut pos)?;
    parse_grouping(&chars, &mut pos, &mut res)?;
    if at(pos) == Some('.') {
        pos += 1;
        res.precision = parse_integer(&chars, &mut pos)?;
        if res.precision.is_none() {
            return Err(value_error("Format specifier missing precision"));
        }
    }
    match chars.len() - pos {
        0 => {}
        1 => res.kind = at(pos),
        _ => {
            return Err(value_error(format!(
                "Invalid format specifier '{spec}' for object of type '{type_name}'"
            )))
        }
    }
    check_grouping_type(&res)?;
    check_kind(&res, family, type_name)?;
    Ok(res)
}

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '^' | '=')
}

/// Reads `[[fill]align]` and returns how many characters it took (0, 1 or 2).
fn parse_fill_align(chars: &[char], res: &mut FormatSpec) -> usize {
    match (chars.first(), chars.get(1)) {
        (Some(&fill), Some(&align)) if is_align(align) => {
            res.fill = fill;
            res.align = align;
            2
        }
        (Some(&align), _) if is_align(align) => {
            res.align = align;
            1
        }
        _ => 0,
    }
}

/// Reads a run of decimal digits; `None` when there is none.
fn parse_integer(chars: &[char], pos: &mut usize) -> Result<Option<usize>, FormatError> {
    let mut res: Option<usize> = None;
    while let Some(digit) = chars.get(*pos).and_then(|c| c.to_digit(10)) {
        let acc = res.unwrap_or(0);
        let next = acc
            .checked_mul(10)
            .and_then(|v| v.checked_add(digit as usize))
            .filter(|v| *v <= isize::MAX as usize)
            .ok_or_else(|| value_error("Too many decimal digits in format string"))?;
        res = Some(next);
        *pos += 1;
    }
    Ok(res)
}

fn parse_grouping(
    chars: &[char],
    pos: &mut usize,
    res: &mut FormatSpec,
) -> Result<(), FormatError> {
    let both = || value_error("Cannot specify both ',' and '_'.");
    if chars.get(*pos) == Some(&',') {
        res.grouping = Grouping::Comma;
        *pos += 1;
    }
    if chars.get(*pos) == Some(&'_') {
        if res.grouping != Grouping::None {
            return Err(both());
        }
        res.grouping = Grouping::Underscore;
        *pos += 1;
    }
    if chars.get(*pos) == Some(&',') && res.grouping == Grouping::Underscore {
        return Err(both());
    }
    Ok(())
}

/// Writes a presentation type the way CPython's messages do: printable ASCII as itself,
/// anything else as `\x` and its hex code.
fn describe_kind(kind: char) -> String {
    let code = kind as u32;
    if code > 32 && code < 128 {
        kind.to_string()
    } else {
        format!("\\x{code:x}")
    }
}

fn check_grouping_type(spec: &FormatSpec) -> Result<(), FormatError> {
    let sep = match spec.grouping {
        Grouping::None => return Ok(()),
        Grouping::Comma => ',',
        Grouping::Underscore => '_',
    };
    match spec.kind {
        None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => Ok(()),
        Some('b' | 'o' | 'x' | 'X') if sep == '_' => Ok(()),
        Some(kind) => Err(value_error(format!(
            "Cannot specify '{sep}' with '{}'.",
            describe_kind(kind)
        ))),
    }
}

fn check_kind(spec: &FormatSpec, family: Family, type_name: &str) -> Result<(), FormatError> {
    let known = match (family, spec.kind) {
        (Family::Str, kind) => kind == Some('s'),
        (Family::Float, None) => true,
        (Family::Float, Some(kind)) => "eEfFgGn%".contains(kind),
        (Family::Int, None) => true,
        (Family::Int, Some(kind)) => "bcdoxXneEfFgG%".contains(kind),
    };
    match spec.kind {
        Some(kind) if !known => Err(value_error(format!(
            "Unknown format code '{}' for object of type '{type_name}'",
            describe_kind(kind)
        ))),
        _ => Ok(()),
    }
}

/// A number split into the pieces that padding and grouping treat differently.
struct NumberParts<'a> {
    negative: bool,
    /// `0x`-style prefix, written after the sign and before any `=` padding.
    prefix: &'a str,
    /// The integer digits, which get thousands separators.
    digits: &'a str,
    has_decimal: bool,
    /// Everything after the decimal point (or after the digits): fraction, exponent, `%`.
    remainder: &'a str,
}

/// CPython's `calc_number_widths` followed by `fill_number`.
fn layout_number(
    parts: &NumberParts,
    spec: &FormatSpec,
    grouping: Option<(usize, char)>,
) -> String {
    let sign = match (spec.sign, parts.negative) {
        (_, true) => Some('-'),
        (Some('+'), false) => Some('+'),
        (Some(' '), false) => Some(' '),
        _ => None,
    };
    let n_non_digit = usize::from(sign.is_some())
        + parts.prefix.chars().count()
        + usize::from(parts.has_decimal)
        + parts.remainder.chars().count();
    let width = spec.width.unwrap_or(0);
    let min_width = if spec.fill == '0' && spec.align == '=' {
        width.saturating_sub(n_non_digit)
    } else {
        0
    };
    let grouped = if parts.digits.is_empty() {
        String::new()
    } else {
        group_digits(parts.digits, min_width, grouping)
    };
    let n_padding = width.saturating_sub(n_non_digit + grouped.chars().count());
    let (lpad, spad, rpad) = match spec.align {
        '<' => (0, 0, n_padding),
        '^' => (n_padding / 2, 0, n_padding - n_padding / 2),
        '=' => (0, n_padding, 0),
        _ => (n_padding, 0, 0),
    };
    let mut res = String::with_capacity(width.max(n_non_digit + grouped.len()));
    push_fill(&mut res, spec.fill, lpad);
    res.extend(sign);
    res.push_str(parts.prefix);
    push_fill(&mut res, spec.fill, spad);
    res.push_str(&grouped);
    if parts.has_decimal {
        res.push('.');
    }
    res.push_str(parts.remainder);
    push_fill(&mut res, spec.fill, rpad);
    res
}

fn push_fill(res: &mut String, fill: char, count: usize) {
    res.extend(std::iter::repeat_n(fill, count));
}

/// CPython's `_PyUnicode_InsertThousandsGrouping`: separators every `size` digits from the
/// right, and leading zeros (themselves grouped) until the result is `min_width` long.
fn group_digits(digits: &str, min_width: usize, grouping: Option<(usize, char)>) -> String {
    let digits = digits.as_bytes();
    let mut rev: Vec<u8> = Vec::with_capacity(digits.len() + min_width);
    let mut remaining = digits.len();
    let mut min_width = min_width as i64;
    let emit = |rev: &mut Vec<u8>, remaining: &mut usize, l: usize, sep: Option<char>| {
        if let Some(sep) = sep {
            rev.push(sep as u8);
        }
        let n_chars = (*remaining).min(l);
        let n_zeros = l - n_chars;
        let start = *remaining - n_chars;
        rev.extend(digits.get(start..*remaining).unwrap_or(&[]).iter().rev());
        rev.extend(std::iter::repeat_n(b'0', n_zeros));
        *remaining -= n_chars;
    };
    match grouping {
        Some((size, sep)) => {
            let mut first = true;
            loop {
                let want = (remaining as i64).max(min_width).max(1) as usize;
                let l = size.min(want);
                emit(&mut rev, &mut remaining, l, (!first).then_some(sep));
                first = false;
                min_width -= l as i64;
                if remaining == 0 && min_width <= 0 {
                    break;
                }
                min_width -= 1;
            }
        }
        None => {
            let l = (remaining as i64).max(min_width).max(1) as usize;
            emit(&mut rev, &mut remaining, l, None);
        }
    }
    rev.reverse();
    // The buffer holds ASCII digits, zeros and an ASCII separator only.
    String::from_utf8(rev).unwrap_or_default()
}

/// The separator and group size for a spec, given the presentation type actually used.
fn grouping_for(spec: &FormatSpec, kind: char) -> Option<(usize, char)> {
    match (spec.grouping, kind) {
        (_, 'n') | (Grouping::None, _) => None,
        (Grouping::Comma, _) => Some((3, ',')),
        (Grouping::Underscore, 'b' | 'o' | 'x' | 'X') => Some((4, '_')),
        (Grouping::Underscore, _) => Some((3, '_')),
    }
}

/// `format(v, spec)` for an int `v` with a spec parsed for the int kind. Float presentation
/// types convert `v` to a float first.
pub fn format_int(v: &BigInt, spec: &FormatSpec) -> Result<String, FormatError> {
    check_field_size(spec.width)?;
    let kind = spec.kind.unwrap_or('d');
    if "eEfFgG%".contains(kind) {
        let x = bigint_to_f64(v)
            .ok_or_else(|| FormatError::Overflow("int too large to convert to float".into()))?;
        return format_float(x, spec);
    }
    if spec.precision.is_some() {
        return Err(value_error(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_neg_0 {
        return Err(value_error(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if kind == 'c' {
        return format_int_char(v, spec);
    }
    let (radix, prefix) = match kind {
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = v.abs().to_str_radix(radix);
    if kind == 'X' {
        digits.make_ascii_uppercase();
    }
    let parts = NumberParts {
        negative: v.is_negative(),
        prefix: if spec.alternate { prefix } else { "" },
        digits: &digits,
        has_decimal: false,
        remainder: "",
    };
    Ok(layout_number(&parts, spec, grouping_for(spec, kind)))
}

/// `format(v, spec)` for an int that fits in an i64: the common case without a BigInt.
pub fn format_i64(v: i64, spec: &FormatSpec) -> Result<String, FormatError> {
    let plain = FormatSpec {
        kind: Some('d'),
        ..FormatSpec::default()
    };
    if *spec == plain {
        return Ok(v.to_string());
    }
    format_int(&BigInt::from(v), spec)
}

fn format_int_char(v: &BigInt, spec: &FormatSpec) -> Result<String, FormatError> {
    if spec.sign.is_some() {
        return Err(value_error(
            "Sign not allowed with integer format specifier 'c'",
        ));
    }
    if spec.alternate {
        return Err(value_error(
            "Alternate form (#) not allowed with integer format specifier 'c'",
        ));
    }
    let out_of_range = || FormatError::Overflow("%c arg not in range(0x110000)".into());
    let code = i64::try_from(v)
        .map_err(|_| FormatError::Overflow("Python int too large to convert to C long".into()))?;
    let code = u32::try_from(code)
        .ok()
        .filter(|code| *code <= 0x10ffff)
        .ok_or_else(out_of_range)?;
    // Lone surrogates cannot live in a Rust string; they are written as U+FFFD.
    let ch = char::from_u32(code).unwrap_or('\u{fffd}').to_string();
    let parts = NumberParts {
        negative: false,
        prefix: "",
        digits: "",
        has_decimal: false,
        remainder: &ch,
    };
    Ok(layout_number(&parts, spec, None))
}

/// `format(x, spec)` for a float `x` (or an int with a float presentation type).
pub fn format_float(x: f64, spec: &FormatSpec) -> Result<String, FormatError> {
    check_field_size(spec.width)?;
    if spec.precision.is_some_and(|p| p > i32::MAX as usize) {
        return Err(value_error("precision too big"));
    }
    check_field_size(spec.precision)?;
    let mut flags = DtoaFlags {
        add_dot_0: false,
        alt: spec.alternate,
        no_neg_0: spec.no_neg_0,
    };
    let kind = spec.kind.unwrap_or('r');
    let (code, precision, value, add_pct) = match (kind, spec.precision) {
        ('r', None) => {
            flags.add_dot_0 = true;
            ('r', 0, x, false)
        }
        ('r', Some(precision)) => {
            flags.add_dot_0 = true;
            ('g', precision, x, false)
        }
        ('n', precision) => ('g', precision.unwrap_or(6), x, false),
        ('%', precision) => ('f', precision.unwrap_or(6), x * 100.0, true),
        (code, precision) => (code, precision.unwrap_or(6), x, false),
    };
    let mut text = double_to_string(value, code, precision, flags);
    if add_pct {
        text.push('%');
    }
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let n_int = body.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = body.split_at(n_int);
    let (has_decimal, remainder) = match rest.strip_prefix('.') {
        Some(after) => (true, after),
        None => (false, rest),
    };
    let parts = NumberParts {
        negative,
        prefix: "",
        digits,
        has_decimal,
        remainder,
    };
    Ok(layout_number(&parts, spec, grouping_for(spec, kind)))
}

/// `format(s, spec)` for a str `s` with a spec parsed for the str kind.
pub fn format_str(s: &str, spec: &FormatSpec) -> Result<String, FormatError> {
    check_field_size(spec.width)?;
    match spec.sign {
        Some(' ') => return Err(value_error("Space not allowed in string format specifier")),
        Some(_) => return Err(value_error("Sign not allowed in string format specifier")),
        None => {}
    }
    if spec.no_neg_0 {
        return Err(value_error(
            "Negative zero coercion (z) not allowed in string format specifier",
        ));
    }
    if spec.alternate {
        return Err(value_error(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    if spec.align == '=' {
        return Err(value_error(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    let shown: &str = match spec.precision {
        Some(precision) => match s.char_indices().nth(precision) {
            Some((cut, _)) => s.get(..cut).unwrap_or(s),
            None => s,
        },
        None => s,
    };
    Ok(pad(shown, spec.width, spec.align, spec.fill))
}

/// Pads `s` to `width` characters with `fill`, aligned by `<`, `>` or `^` (`=` acts as `<`),
/// like CPython's `calc_padding`. Also serves objects whose `__format__` only pads.
pub fn pad(s: &str, width: Option<usize>, align: char, fill: char) -> String {
    let n_chars = s.chars().count();
    let total = width.unwrap_or(0).max(n_chars);
    let lpad = match align {
        '>' => total - n_chars,
        '^' => (total - n_chars) / 2,
        _ => 0,
    };
    let mut res = String::with_capacity(s.len() + total - n_chars);
    push_fill(&mut res, fill, lpad);
    res.push_str(s);
    push_fill(&mut res, fill, total - n_chars - lpad);
    res
}

#[cfg(test)]
mod tests;
