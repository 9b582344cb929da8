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
mod tests {
    use super::*;

    /// `kind|value|spec|expected` rows produced once by python3 3.11 with `format(value,
    /// spec)`; an expected text starting with `!V:` or `!O:` is a ValueError or
    /// OverflowError message.
    const TABLE: &str = "\
int|0||0\n\
int|-42||-42\n\
int|-9999999999999999999999997||-9999999999999999999999997\n\
int|-1|d|-1\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|d|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216\n\
int|7|d|7\n\
int|7|5|    7\n\
int|255|5|  255\n\
int|65|5|   65\n\
int|-42|<5|-42  \n\
int|0|<5|0    \n\
int|255|^7|  255  \n\
int|1234567|^7|1234567\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|^7|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216\n\
int|1234567|=8| 1234567\n\
int|-1|=8|-      1\n\
int|255|=8|     255\n\
int|-9999999999999999999999997|*>8|-9999999999999999999999997\n\
int|0|*>8|*******0\n\
int|65|+|+65\n\
int|7|+|+7\n\
int|1234567|+|+1234567\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216| | 179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216\n\
int|65| | 65\n\
int|-1| |-1\n\
int|0|-|0\n\
int|-42|-|-42\n\
int|-9999999999999999999999997|-|-9999999999999999999999997\n\
int|-1|05|-0001\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|05|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216\n\
int|7|05|00007\n\
int|7|010|0000000007\n\
int|255|010|0000000255\n\
int|65|010|0000000065\n\
int|-42|+010|-000000042\n\
int|0|+010|+000000000\n\
int|255|,|255\n\
int|1234567|,|1,234,567\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|,|179,769,313,486,231,590,772,930,519,078,902,473,361,797,697,894,230,657,273,430,081,157,732,675,805,500,963,132,708,477,322,407,536,021,120,113,879,871,393,357,658,789,768,814,416,622,492,847,430,639,474,124,377,767,893,424,865,485,276,302,219,601,246,094,119,453,082,952,085,005,768,838,150,682,342,462,881,473,913,110,540,827,237,163,350,510,684,586,298,239,947,245,938,479,716,304,835,356,329,624,224,137,216\n\
int|1234567|_|1_234_567\n\
int|-1|_|-1\n\
int|255|_|255\n\
int|-9999999999999999999999997|010,|-9,999,999,999,999,999,999,999,997\n\
int|0|010,|00,000,000\n\
int|65|012_|0_000_000_065\n\
int|7|012_|0_000_000_007\n\
int|1234567|012_|0_001_234_567\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|x|10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n\
int|65|x|41\n\
int|-1|x|-1\n\
int|0|X|0\n\
int|-42|X|-2A\n\
int|-9999999999999999999999997|X|-845951614014849FFFFFD\n\
int|-1|#x|-0x1\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|#x|0x10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n\
int|7|#x|0x7\n\
int|7|#X|0X7\n\
int|255|#X|0XFF\n\
int|65|#X|0X41\n\
int|-42|o|-52\n\
int|0|o|0\n\
int|255|#o|0o377\n\
int|1234567|#o|0o4553207\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|#o|0o200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n\
int|1234567|b|100101101011010000111\n\
int|-1|b|-1\n\
int|255|b|11111111\n\
int|-9999999999999999999999997|#b|-0b100001000101100101010001011000010100000000010100100001001001111111111111111111111101\n\
int|0|#b|0b0\n\
int|65|_b|100_0001\n\
int|7|_b|111\n\
int|1234567|_b|1_0010_1101_0110_1000_0111\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|#_x|0x1_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000\n\
int|65|#_x|0x41\n\
int|-1|#_x|-0x1\n\
int|0|#010x|0x00000000\n\
int|-42|#010x|-0x000002a\n\
int|-9999999999999999999999997|#010x|-0x845951614014849fffffd\n\
int|-1|#012_b|-0b0000_0001\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|#012_b|0b1_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000\n\
int|7|#012_b|0b0_0000_0111\n\
int|7|n|7\n\
int|255|n|255\n\
int|65|n|65\n\
int|-42|e|-4.200000e+01\n\
int|0|e|0.000000e+00\n\
int|255|.2e|2.55e+02\n\
int|1234567|.2e|1.23e+06\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|.2e|!O:int too large to convert to float\n\
int|1234567|f|1234567.000000\n\
int|-1|f|-1.000000\n\
int|255|f|255.000000\n\
int|-9999999999999999999999997|.1f|-10000000000000000905969664.0\n\
int|0|.1f|0.0\n\
int|65|g|65\n\
int|7|g|7\n\
int|1234567|g|1.23457e+06\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|%|!O:int too large to convert to float\n\
int|65|%|6500.000000%\n\
int|-1|%|-100.000000%\n\
int|0|.2%|0.00%\n\
int|-42|.2%|-4200.00%\n\
int|-9999999999999999999999997|.2%|-1000000000000000150726508544.00%\n\
int|-1|,.2f|-1.00\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|,.2f|!O:int too large to convert to float\n\
int|7|,.2f|7.00\n\
int|7|c|\u{7}\n\
int|255|c|\u{ff}\n\
int|65|c|A\n\
int|-42|#^10X|###-2A####\n\
int|0|#^10X|####0#####\n\
int|255| ^9|   255   \n\
int|1234567| ^9| 1234567 \n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216| ^9|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216\n\
int|1234567|08_x|012_d687\n\
int|-1|08_x|-00_0001\n\
int|255|08_x|000_00ff\n\
int|-9999999999999999999999997|-#10o|-0o4105452130240024411177777775\n\
int|0|-#10o|       0o0\n\
int|65|.3|!V:Precision not allowed in integer format specifier\n\
int|7|.3|!V:Precision not allowed in integer format specifier\n\
int|1234567|.3|!V:Precision not allowed in integer format specifier\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|z|!V:Negative zero coercion (z) not allowed in integer format specifier\n\
int|65|z|!V:Negative zero coercion (z) not allowed in integer format specifier\n\
int|-1|z|!V:Negative zero coercion (z) not allowed in integer format specifier\n\
int|0|y|!V:Unknown format code 'y' for object of type 'int'\n\
int|-42|y|!V:Unknown format code 'y' for object of type 'int'\n\
int|-9999999999999999999999997|y|!V:Unknown format code 'y' for object of type 'int'\n\
int|-1|s|!V:Unknown format code 's' for object of type 'int'\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|s|!V:Unknown format code 's' for object of type 'int'\n\
int|7|s|!V:Unknown format code 's' for object of type 'int'\n\
int|7|,x|!V:Cannot specify ',' with 'x'.\n\
int|255|,x|!V:Cannot specify ',' with 'x'.\n\
int|65|,x|!V:Cannot specify ',' with 'x'.\n\
int|-42|_c|!V:Cannot specify '_' with 'c'.\n\
int|0|_c|!V:Cannot specify '_' with 'c'.\n\
int|255|+c|!V:Sign not allowed with integer format specifier 'c'\n\
int|1234567|+c|!V:Sign not allowed with integer format specifier 'c'\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|+c|!V:Sign not allowed with integer format specifier 'c'\n\
int|1234567|0=10|0001234567\n\
int|-1|0=10|-000000001\n\
int|255|0=10|0000000255\n\
int|-9999999999999999999999997|<05|-9999999999999999999999997\n\
int|0|<05|00000\n\
int|65|,,|!V:Cannot specify ',' with ','.\n\
int|7|,,|!V:Cannot specify ',' with ','.\n\
int|1234567|,,|!V:Cannot specify ',' with ','.\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|,_|!V:Cannot specify both ',' and '_'.\n\
int|65|,_|!V:Cannot specify both ',' and '_'.\n\
int|-1|,_|!V:Cannot specify both ',' and '_'.\n\
int|0|_,|!V:Cannot specify both ',' and '_'.\n\
int|-42|_,|!V:Cannot specify both ',' and '_'.\n\
int|-9999999999999999999999997|_,|!V:Cannot specify both ',' and '_'.\n\
int|-1|.|!V:Format specifier missing precision\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|.|!V:Format specifier missing precision\n\
int|7|.|!V:Format specifier missing precision\n\
int|7|abc|!V:Invalid format specifier 'abc' for object of type 'int'\n\
int|255|abc|!V:Invalid format specifier 'abc' for object of type 'int'\n\
int|65|abc|!V:Invalid format specifier 'abc' for object of type 'int'\n\
int|-42|99999999999999999999|!V:Too many decimal digits in format string\n\
int|0|99999999999999999999|!V:Too many decimal digits in format string\n\
int|255|5c|    \u{ff}\n\
int|1234567|5c|!O:%c arg not in range(0x110000)\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|5c|!O:Python int too large to convert to C long\n\
int|1234567|^5c|!O:%c arg not in range(0x110000)\n\
int|-1|^5c|!O:%c arg not in range(0x110000)\n\
int|255|^5c|  \u{ff}  \n\
int|-9999999999999999999999997|\u{1}|!V:Unknown format code '\\x1' for object of type 'int'\n\
int|0|\u{1}|!V:Unknown format code '\\x1' for object of type 'int'\n\
int|65|\u{e9}|!V:Unknown format code '\\xe9' for object of type 'int'\n\
int|7|\u{e9}|!V:Unknown format code '\\xe9' for object of type 'int'\n\
int|1234567|\u{e9}|!V:Unknown format code '\\xe9' for object of type 'int'\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|,\u{e9}|!V:Cannot specify ',' with '\\xe9'.\n\
int|65|,\u{e9}|!V:Cannot specify ',' with '\\xe9'.\n\
int|-1|,\u{e9}|!V:Cannot specify ',' with '\\xe9'.\n\
int|0|x<+#012_x|+0x0xxxxxxxx\n\
int|-42|x<+#012_x|-0x2axxxxxxx\n\
int|-9999999999999999999999997|x<+#012_x|-0x8_4595_1614_0148_49ff_fffd\n\
int|-1|0<+#012_x|-0x100000000\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|0<+#012_x|+0x1_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000\n\
int|7|0<+#012_x|+0x700000000\n\
int|7|=+011,|+00,000,007\n\
int|255|=+011,|+00,000,255\n\
int|65|=+011,|+00,000,065\n\
int|-42|#c|!V:Alternate form (#) not allowed with integer format specifier 'c'\n\
int|0|#c|!V:Alternate form (#) not allowed with integer format specifier 'c'\n\
int|255|.2c|!V:Precision not allowed in integer format specifier\n\
int|1234567|.2c|!V:Precision not allowed in integer format specifier\n\
int|179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216|.2c|!V:Precision not allowed in integer format specifier\n\
int|1234567|12,.3G|    1.23E+06\n\
int|-1|12,.3G|          -1\n\
int|255|12,.3G|         255\n\
int|-9999999999999999999999997|\u{20ac}^+9,|-9,999,999,999,999,999,999,999,997\n\
int|0|\u{20ac}^+9,|\u{20ac}\u{20ac}\u{20ac}+0\u{20ac}\u{20ac}\u{20ac}\u{20ac}\n\
float|0.0||0.0\n\
float|-2.25||-2.25\n\
float|1e+16||1e+16\n\
float|-0.0|.3|-0.0\n\
float|0.1|.3|0.1\n\
float|nan|.3|nan\n\
float|1.5|.0|2e+00\n\
float|999.9999|.0|1e+03\n\
float|1.7976931348623157e+308|.0|2e+308\n\
float|-2.25|.17|-2.25\n\
float|0.0|.17|0.0\n\
float|1234567.891|10|1234567.891\n\
float|1e-07|10|     1e-07\n\
float|0.1|10|       0.1\n\
float|1e-07|<10|1e-07     \n\
float|-inf|<10|-inf      \n\
float|999.9999|<10|999.9999  \n\
float|1e+16|^12|   1e+16    \n\
float|5e-324|^12|   5e-324   \n\
float|0.0|^12|    0.0     \n\
float|1.2345678901234568e+17|=+12|+1.2345678901234568e+17\n\
float|1.5|=+12|+        1.5\n\
float|1e-07|=+12|+      1e-07\n\
float|0.1|010|00000000.1\n\
float|1.2345678901234568e+17|010|1.2345678901234568e+17\n\
float|-inf|010|-000000inf\n\
float|inf|+|+inf\n\
float|2.5|+|+2.5\n\
float|5e-324|+|+5e-324\n\
float|-inf| |-inf\n\
float|12.0| | 12.0\n\
float|1.5| | 1.5\n\
float|nan|z|nan\n\
float|1234567.891|z|1234567.891\n\
float|1.2345678901234568e+17|z|1.2345678901234568e+17\n\
float|2.5|z.1f|2.5\n\
float|inf|z.1f|inf\n\
float|999.9999|z.3|1e+03\n\
float|-0.0001|z.3|-0.0001\n\
float|12.0|z.3|12.0\n\
float|-0.0001|,|-0.0001\n\
float|-0.0|,|-0.0\n\
float|1234567.891|,|1,234,567.891\n\
float|5e-324|_|5e-324\n\
float|1e+16|_|1e+16\n\
float|inf|_|inf\n\
float|1.7976931348623157e+308|015,.2f|179,769,313,486,231,570,814,527,423,731,704,356,798,070,567,525,844,996,598,917,476,803,157,260,780,028,538,760,589,558,632,766,878,171,540,458,953,514,382,464,234,321,326,889,464,182,768,467,546,703,537,516,986,049,910,576,551,282,076,245,490,090,389,328,944,075,868,508,455,133,942,304,583,236,903,222,948,165,808,559,332,123,348,274,797,826,204,144,723,168,738,177,180,919,299,881,250,404,026,184,124,858,368.00\n\
float|nan|015,.2f|000000000000nan\n\
float|-0.0001|015,.2f|-000,000,000.00\n\
float|12.0|,.2f|12.00\n\
float|1.7976931348623157e+308|,.2f|179,769,313,486,231,570,814,527,423,731,704,356,798,070,567,525,844,996,598,917,476,803,157,260,780,028,538,760,589,558,632,766,878,171,540,458,953,514,382,464,234,321,326,889,464,182,768,467,546,703,537,516,986,049,910,576,551,282,076,245,490,090,389,328,944,075,868,508,455,133,942,304,583,236,903,222,948,165,808,559,332,123,348,274,797,826,204,144,723,168,738,177,180,919,299,881,250,404,026,184,124,858,368.00\n\
float|-0.0|,.2f|-0.00\n\
float|0.0|e|0.000000e+00\n\
float|-2.25|e|-2.250000e+00\n\
float|1e+16|e|1.000000e+16\n\
float|-0.0|.3e|-0.000e+00\n\
float|0.1|.3e|1.000e-01\n\
float|nan|.3e|nan\n\
float|1.5|E|1.500000E+00\n\
float|999.9999|E|9.999999E+02\n\
float|1.7976931348623157e+308|E|1.797693E+308\n\
float|-2.25|#.0e|-2.e+00\n\
float|0.0|#.0e|0.e+00\n\
float|1234567.891|f|1234567.891000\n\
float|1e-07|f|0.000000\n\
float|0.1|f|0.100000\n\
float|1e-07|.0f|0\n\
float|-inf|.0f|-inf\n\
float|999.9999|.0f|1000\n\
float|1e+16|#.0f|10000000000000000.\n\
float|5e-324|#.0f|0.\n\
float|0.0|#.0f|0.\n\
float|1.2345678901234568e+17|F|123456789012345680.000000\n\
float|1.5|F|1.500000\n\
float|1e-07|F|0.000000\n\
float|0.1|g|0.1\n\
float|1.2345678901234568e+17|g|1.23457e+17\n\
float|-inf|g|-inf\n\
float|inf|.2g|inf\n\
float|2.5|.2g|2.5\n\
float|5e-324|.2g|4.9e-324\n\
float|-inf|#g|-inf\n\
float|12.0|#g|12.0000\n\
float|1.5|#g|1.50000\n\
float|nan|#.3g|nan\n\
float|1234567.891|#.3g|1.23e+06\n\
float|1.2345678901234568e+17|#.3g|1.23e+17\n\
float|2.5|G|2.5\n\
float|inf|G|INF\n\
float|999.9999|.10G|999.9999\n\
float|-0.0001|.10G|-0.0001\n\
float|12.0|.10G|12\n\
float|-0.0001|n|-0.0001\n\
float|-0.0|n|-0\n\
float|1234567.891|n|1.23457e+06\n\
float|5e-324|.3n|4.94e-324\n\
float|1e+16|.3n|1e+16\n\
float|inf|.3n|inf\n\
float|1.7976931348623157e+308|%|inf%\n\
float|nan|%|nan%\n\
float|-0.0001|%|-0.010000%\n\
float|12.0|.1%|1200.0%\n\
float|1.7976931348623157e+308|.1%|inf%\n\
float|-0.0|.1%|-0.0%\n\
float|0.0|#|0.0\n\
float|-2.25|#|-2.25\n\
float|1e+16|#|1.e+16\n\
float|-0.0|#.3|-0.00\n\
float|0.1|#.3|0.100\n\
float|nan|#.3|nan\n\
float|1.5|#10.1|    2.e+00\n\
float|999.9999|#10.1|    1.e+03\n\
float|1.7976931348623157e+308|#10.1|   2.e+308\n\
float|-2.25|*^+15,.3f|****-2.250*****\n\
float|0.0|*^+15,.3f|****+0.000*****\n\
float|1234567.891|-010.3e|01.235e+06\n\
float|1e-07|-010.3e|01.000e-07\n\
float|0.1|-010.3e|01.000e-01\n\
float|1e-07|d|!V:Unknown format code 'd' for object of type 'float'\n\
float|-inf|d|!V:Unknown format code 'd' for object of type 'float'\n\
float|999.9999|d|!V:Unknown format code 'd' for object of type 'float'\n\
float|1e+16|c|!V:Unknown format code 'c' for object of type 'float'\n\
float|5e-324|c|!V:Unknown format code 'c' for object of type 'float'\n\
float|0.0|c|!V:Unknown format code 'c' for object of type 'float'\n\
float|1.2345678901234568e+17|x|!V:Unknown format code 'x' for object of type 'float'\n\
float|1.5|x|!V:Unknown format code 'x' for object of type 'float'\n\
float|1e-07|x|!V:Unknown format code 'x' for object of type 'float'\n\
float|0.1|,x|!V:Cannot specify ',' with 'x'.\n\
float|1.2345678901234568e+17|,x|!V:Cannot specify ',' with 'x'.\n\
float|-inf|,x|!V:Cannot specify ',' with 'x'.\n\
float|inf|.|!V:Format specifier missing precision\n\
float|2.5|.|!V:Format specifier missing precision\n\
float|5e-324|.|!V:Format specifier missing precision\n\
float|-inf|.1000000000000|!V:precision too big\n\
float|12.0|.1000000000000|!V:precision too big\n\
float|1.5|.1000000000000|!V:precision too big\n\
float|nan|08.3%|0000nan%\n\
float|1234567.891|08.3%|123456789.100%\n\
float|1.2345678901234568e+17|08.3%|12345678901234567168.000%\n\
float|2.5|z+010.1f|!V:Invalid format specifier 'z+010.1f' for object of type 'float'\n\
float|inf|z+010.1f|!V:Invalid format specifier 'z+010.1f' for object of type 'float'\n\
float|999.9999|,g|1,000\n\
float|-0.0001|,g|-0.0001\n\
float|12.0|,g|12\n\
float|-0.0001|_e|-1.000000e-04\n\
float|-0.0|_e|-0.000000e+00\n\
float|1234567.891|_e|1.234568e+06\n\
float|5e-324|0=+10_|+0_005e-324\n\
float|1e+16|0=+10_|+0_001e+16\n\
float|inf|0=+10_|+000000inf\n\
float|1.7976931348623157e+308|10.4|1.798e+308\n\
float|nan|10.4|       nan\n\
float|-0.0001|10.4|   -0.0001\n\
float|12.0|z,|12.0\n\
float|1.7976931348623157e+308|z,|1.7976931348623157e+308\n\
float|-0.0|z,|0.0\n\
str|||\n\
str|xxxxxxxxxxxx||xxxxxxxxxxxx\n\
str|abc|s|abc\n\
str||s|\n\
str|h\u{e9}llo w\u{f6}rld|5|h\u{e9}llo w\u{f6}rld\n\
str|abc|5|abc  \n\
str|xxxxxxxxxxxx|<5|xxxxxxxxxxxx\n\
str|h\u{e9}llo w\u{f6}rld|<5|h\u{e9}llo w\u{f6}rld\n\
str||>5|     \n\
str|xxxxxxxxxxxx|>5|xxxxxxxxxxxx\n\
str|abc|^6| abc  \n\
str||^6|      \n\
str|h\u{e9}llo w\u{f6}rld|*^9|h\u{e9}llo w\u{f6}rld\n\
str|abc|*^9|***abc***\n\
str|xxxxxxxxxxxx|.2|xx\n\
str|h\u{e9}llo w\u{f6}rld|.2|h\u{e9}\n\
str||^8.3|        \n\
str|xxxxxxxxxxxx|^8.3|  xxx   \n\
str|abc|05|abc00\n\
str||05|00000\n\
str|h\u{e9}llo w\u{f6}rld|0>5|h\u{e9}llo w\u{f6}rld\n\
str|abc|0>5|00abc\n\
str|xxxxxxxxxxxx|+|!V:Sign not allowed in string format specifier\n\
str|h\u{e9}llo w\u{f6}rld|+|!V:Sign not allowed in string format specifier\n\
str|| |!V:Space not allowed in string format specifier\n\
str|xxxxxxxxxxxx| |!V:Space not allowed in string format specifier\n\
str|abc|-|!V:Sign not allowed in string format specifier\n\
str||-|!V:Sign not allowed in string format specifier\n\
str|h\u{e9}llo w\u{f6}rld|z|!V:Negative zero coercion (z) not allowed in string format specifier\n\
str|abc|z|!V:Negative zero coercion (z) not allowed in string format specifier\n\
str|xxxxxxxxxxxx|#|!V:Alternate form (#) not allowed in string format specifier\n\
str|h\u{e9}llo w\u{f6}rld|#|!V:Alternate form (#) not allowed in string format specifier\n\
str||=5|!V:'=' alignment not allowed in string format specifier\n\
str|xxxxxxxxxxxx|=5|!V:'=' alignment not allowed in string format specifier\n\
str|abc|,|!V:Cannot specify ',' with 's'.\n\
str||,|!V:Cannot specify ',' with 's'.\n\
str|h\u{e9}llo w\u{f6}rld|_|!V:Cannot specify '_' with 's'.\n\
str|abc|_|!V:Cannot specify '_' with 's'.\n\
str|xxxxxxxxxxxx|d|!V:Unknown format code 'd' for object of type 'str'\n\
str|h\u{e9}llo w\u{f6}rld|d|!V:Unknown format code 'd' for object of type 'str'\n\
str||x<10.1s|xxxxxxxxxx\n\
str|xxxxxxxxxxxx|x<10.1s|xxxxxxxxxx\n\
str|abc|\u{e9}>7|\u{e9}\u{e9}\u{e9}\u{e9}abc\n\
str||\u{e9}>7|\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\n\
str|h\u{e9}llo w\u{f6}rld|.0|\n\
str|abc|.0|\n\
str|xxxxxxxxxxxx|ss|!V:Invalid format specifier 'ss' for object of type 'str'\n\
str|h\u{e9}llo w\u{f6}rld|ss|!V:Invalid format specifier 'ss' for object of type 'str'\n\
str||10.20|          \n\
str|xxxxxxxxxxxx|10.20|xxxxxxxxxxxx\n\
";

    fn run(kind: &str, value: &str, spec: &str) -> Result<String, FormatError> {
        let type_name = if kind == "str" { "str" } else { kind };
        let parsed = parse(spec, type_name)?;
        match kind {
            "int" => format_int(&value.parse::<BigInt>().unwrap(), &parsed),
            "float" => format_float(value.parse::<f64>().unwrap(), &parsed),
            _ => format_str(value, &parsed),
        }
    }

    /// Describes a mismatch, or `None` when the output is the expected one.
    fn check(kind: &str, value: &str, spec: &str, expected: &str) -> Option<String> {
        let got = match run(kind, value, spec) {
            Ok(text) => text,
            Err(FormatError::Value(msg)) => format!("!V:{msg}"),
            Err(FormatError::Overflow(msg)) => format!("!O:{msg}"),
            Err(FormatError::Memory) => "!MemoryError".to_string(),
        };
        (got != expected)
            .then(|| format!("format({kind} {value}, {spec:?}) = {got:?}, want {expected:?}"))
    }

    #[test]
    fn table_matches_cpython() {
        let rows: Vec<Vec<&str>> = TABLE
            .lines()
            .map(|row| row.splitn(4, '|').collect())
            .collect();
        assert!(rows.len() > 300);
        let failures: Vec<String> = rows
            .iter()
            .filter_map(|fields| check(fields[0], fields[1], fields[2], fields[3]))
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn i64_fast_path_agrees_with_bigint_path() {
        for spec in ["", "d", "5", "+,", "#x", "c"] {
            let parsed = parse(spec, "int").unwrap();
            for v in [0i64, 65, -7, i64::MAX, i64::MIN] {
                let slow = format_int(&BigInt::from(v), &parsed);
                assert_eq!(format_i64(v, &parsed), slow, "{v} {spec:?}");
            }
        }
    }

    #[test]
    fn bool_uses_its_own_type_name() {
        assert_eq!(
            parse("y", "bool"),
            Err(FormatError::Value(
                "Unknown format code 'y' for object of type 'bool'".into()
            ))
        );
        let spec = parse("x", "bool").unwrap();
        assert_eq!(format_i64(1, &spec).unwrap(), "1");
    }

    #[test]
    fn pad_aligns_like_str_format() {
        assert_eq!(pad("ab", Some(5), '^', '*'), "*ab**");
        assert_eq!(pad("ab", Some(1), '>', '*'), "ab");
        assert_eq!(pad("ab", None, '<', ' '), "ab");
    }

    #[test]
    fn huge_fields_fail_instead_of_allocating() {
        let spec = parse("999999999999", "int").unwrap();
        assert_eq!(format_i64(1, &spec), Err(FormatError::Memory));
        let spec = parse(".999999999", "float").unwrap();
        assert_eq!(format_float(1.0, &spec), Err(FormatError::Memory));
        let spec = parse("999999999999", "str").unwrap();
        assert_eq!(format_str("a", &spec), Err(FormatError::Memory));
    }
}
