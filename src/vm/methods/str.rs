//! Methods of `str` (and its constructor). Indices are in characters; ASCII strings take the
//! byte fast paths of `PyStr`.

use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::machine::Vm;
use crate::vm::methods::{add_methods, arg, check_count};
use crate::vm::object::function::Args;
use crate::vm::object::str::{count_str, find_str, py_space, rfind_str, split_str, PyStr};
use crate::vm::value::{Value, B64};
use std::rc::Rc;

pub fn register(vm: &mut Vm) {
    add_methods(
        &vm.types.str_,
        "str",
        &[
            ("__new__", str_new),
            ("join", join),
            ("split", split),
            ("rsplit", rsplit),
            ("splitlines", splitlines),
            ("strip", strip),
            ("lstrip", lstrip),
            ("rstrip", rstrip),
            ("upper", upper),
            ("lower", lower),
            ("casefold", casefold),
            ("swapcase", swapcase),
            ("title", title),
            ("capitalize", capitalize),
            ("replace", replace),
            ("startswith", startswith),
            ("endswith", endswith),
            ("find", find),
            ("rfind", rfind),
            ("index", index),
            ("rindex", rindex),
            ("count", count),
            ("format", format),
            ("format_map", format_map),
            ("isdigit", isdigit),
            ("isdecimal", isdecimal),
            ("isnumeric", isnumeric),
            ("isalpha", isalpha),
            ("isascii", isascii),
            ("isprintable", isprintable),
            ("isalnum", isalnum),
            ("isspace", isspace),
            ("isupper", isupper),
            ("islower", islower),
            ("isidentifier", isidentifier),
            ("istitle", istitle),
            ("center", center),
            ("ljust", ljust),
            ("rjust", rjust),
            ("zfill", zfill),
            ("partition", partition),
            ("rpartition", rpartition),
            ("removeprefix", removeprefix),
            ("removesuffix", removesuffix),
            ("encode", encode),
            ("expandtabs", expandtabs),
            ("__format__", str_format_method),
        ],
    );
}

fn this<'a>(vm: &Vm, args: &Args<'a>, method: &str) -> PResult<&'a Rc<PyStr>> {
    match args.pos.first() {
        Some(Value::Str(s)) => Ok(s),
        Some(other) => Err(crate::vm::methods::wrong_self(vm, "str", method, other)),
        None => Err(Exc::type_error(format!(
            "unbound method str.{method}() needs an argument"
        ))),
    }
}

/// `v` as a string; else a TypeError naming `what` ("must be str, not int" when empty).
fn str_arg<'a>(vm: &Vm, v: &'a Value, what: &str) -> PResult<&'a str> {
    match v {
        Value::Str(s) => Ok(s.as_str()),
        other => {
            let sep = if what.is_empty() { "" } else { " " };
            Err(Exc::type_error(format!(
                "{what}{sep}must be str, not {}",
                vm.type_name(other)
            )))
        }
    }
}

fn str_new(vm: &mut Vm, args: Args) -> PResult<Value> {
    // `args.pos` starts with the type itself.
    let given = args.pos.len().saturating_sub(1) + args.kwnames.len();
    if given > 3 {
        return Err(Exc::type_error(format!(
            "str() takes at most 3 arguments ({given} given)"
        )));
    }
    if let Some(bad) = args
        .kwnames
        .iter()
        .find(|k| !matches!(k.as_str(), "object" | "encoding" | "errors"))
    {
        return Err(Exc::type_error(format!(
            "'{}' is an invalid keyword argument for str()",
            bad.as_str()
        )));
    }
    let decoding =
        args.pos.len() > 2 || args.kw("encoding").is_some() || args.kw("errors").is_some();
    let v = args.pos.get(1).or_else(|| args.kw("object"));
    match v {
        None => Ok(Value::str("")),
        Some(other) if decoding && !matches!(other, Value::Bytes(_)) => {
            Err(Exc::type_error(format!(
                "decoding to str: need a bytes-like object, {} found",
                vm.type_name(other)
            )))
        }
        Some(Value::Bytes(b)) if decoding => match String::from_utf8(b.data.to_vec()) {
            Ok(s) => Ok(Value::string(s)),
            Err(_) => Err(Exc::new(
                crate::vm::exception::ExcKind::UnicodeError,
                "'utf-8' codec can't decode bytes",
            )),
        },
        Some(v) => Ok(Value::string(vm.to_str(v)?)),
    }
}

fn join(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("join", &args, 1, 1, 1)?;
    let sep = this(vm, &args, "join")?;
    // A list or tuple is read where it lies (nothing here can run code that changes it);
    // anything else is collected first.
    match arg(&args, 1)? {
        Value::List(list) => join_items(vm, sep, &list.items.borrow()),
        Value::Tuple(tuple) => join_items(vm, sep, &tuple.items),
        other => {
            let items = vm.collect(other)?;
            join_items(vm, sep, &items)
        }
    }
}

/// `sep.join(items)`, sized once: the total length is known before anything is copied.
fn join_items(vm: &Vm, sep: &PyStr, items: &[Value]) -> PResult<Value> {
    let seps = items.len().saturating_sub(1);
    let mut len = sep.as_str().len() * seps;
    let mut n_chars = sep.char_len() * seps;
    for (idx, item) in items.iter().enumerate() {
        match item {
            Value::Str(s) => {
                len += s.as_str().len();
                n_chars += s.char_len();
            }
            other => {
                return Err(Exc::type_error(format!(
                    "sequence item {idx}: expected str instance, {} found",
                    vm.type_name(other)
                )))
            }
        }
    }
    let mut out = String::with_capacity(len);
    for (idx, item) in items.iter().enumerate() {
        if idx > 0 {
            out.push_str(sep.as_str());
        }
        if let Value::Str(s) = item {
            out.push_str(s.as_str());
        }
    }
    Ok(Value::counted_string(out, n_chars))
}

fn split_args<'a>(vm: &Vm, args: &Args<'a>) -> PResult<(Option<&'a str>, i64)> {
    let sep = args.pos.get(1).or_else(|| args.kw("sep"));
    let maxsplit = args.pos.get(2).or_else(|| args.kw("maxsplit"));
    let sep = match sep {
        None | Some(Value::None) => None,
        Some(v) => {
            let s = str_arg(vm, v, "must be str or None")?;
            if s.is_empty() {
                return Err(Exc::value_error("empty separator"));
            }
            Some(s)
        }
    };
    let maxsplit = match maxsplit {
        None => -1,
        Some(Value::Int(i)) => *i,
        Some(other) => {
            return Err(Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(other)
            )))
        }
    };
    Ok((sep, maxsplit))
}

/// The parts of `whole` as a list of strings (an ASCII string's parts are ASCII: not
/// counted again).
fn to_list(whole: &PyStr, parts: Vec<&str>) -> Value {
    let ascii = whole.is_ascii();
    Value::list(
        parts
            .into_iter()
            .map(|p| match ascii {
                true => Value::counted_string(p.to_owned(), p.len()),
                false => Value::str(p),
            })
            .collect(),
    )
}

fn split(vm: &mut Vm, args: Args) -> PResult<Value> {
    let whole = this(vm, &args, "split")?.clone();
    let (sep, maxsplit) = split_args(vm, &args)?;
    let s = whole.as_str();
    let parts: Vec<&str> = match (&sep, maxsplit) {
        (Some(sep), m) => split_str(s, sep, usize::try_from(m).ok()),
        (None, m) => {
            let mut parts = Vec::new();
            let mut rest = s.trim_start_matches(py_space);
            let mut n = 0;
            while !rest.is_empty() {
                if m >= 0 && n >= m {
                    parts.push(rest);
                    break;
                }
                let end = rest.find(py_space).unwrap_or(rest.len());
                parts.push(&rest[..end]);
                rest = rest[end..].trim_start_matches(py_space);
                n += 1;
            }
            parts
        }
    };
    Ok(to_list(&whole, parts))
}

fn rsplit(vm: &mut Vm, args: Args) -> PResult<Value> {
    let whole = this(vm, &args, "rsplit")?.clone();
    let (sep, maxsplit) = split_args(vm, &args)?;
    let s = whole.as_str();
    let mut parts: Vec<&str> = match (&sep, maxsplit) {
        (Some(sep), m) if m < 0 => s.rsplit(*sep).collect(),
        (Some(sep), m) => s.rsplitn(m as usize + 1, *sep).collect(),
        (None, m) => {
            let mut parts = Vec::new();
            let mut rest = s.trim_end_matches(py_space);
            let mut n = 0;
            while !rest.is_empty() {
                if m >= 0 && n >= m {
                    parts.push(rest);
                    break;
                }
                let start = rest.rfind(py_space).map_or(0, |i| {
                    i + rest[i..].chars().next().map_or(1, char::len_utf8)
                });
                parts.push(&rest[start..]);
                rest = rest[..start].trim_end_matches(py_space);
                n += 1;
            }
            parts
        }
    };
    parts.reverse();
    Ok(to_list(&whole, parts))
}

fn splitlines(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "splitlines")?.clone();
    let keepends = match args.pos.get(1).or_else(|| args.kw("keepends")) {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    let mut res = Vec::new();
    let text = s.as_str();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' || c == b'\r' {
            let mut end = i + 1;
            if c == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                end += 1;
            }
            let line = if keepends {
                &text[start..end]
            } else {
                &text[start..i]
            };
            res.push(Value::str(line));
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if start < text.len() {
        res.push(Value::str(&text[start..]));
    }
    Ok(Value::list(res))
}

fn strip_with(vm: &mut Vm, args: &Args, name: &str, left: bool, right: bool) -> PResult<Value> {
    let s = this(vm, args, name)?.clone();
    let chars: Option<Vec<char>> = match args.pos.get(1) {
        None | Some(Value::None) => None,
        Some(v) => Some(str_arg(vm, v, "strip arg")?.chars().collect()),
    };
    let text = s.as_str();
    // Most strings stripped have nothing to strip: ends that are printable ASCII say so at
    // once (Python's whitespace is all at or below a space, or beyond ASCII).
    let printable = |b: Option<&u8>| b.is_some_and(|b| (b'!'..=b'~').contains(b));
    let bytes = text.as_bytes();
    if chars.is_none() && (!left || printable(bytes.first())) && (!right || printable(bytes.last()))
    {
        return Ok(Value::Str(s));
    }
    let res = match &chars {
        None => match (left, right) {
            (true, true) => text.trim_matches(py_space),
            (true, false) => text.trim_start_matches(py_space),
            _ => text.trim_end_matches(py_space),
        },
        Some(set) => {
            let pred = |c: char| set.contains(&c);
            match (left, right) {
                (true, true) => text.trim_matches(pred),
                (true, false) => text.trim_start_matches(pred),
                _ => text.trim_end_matches(pred),
            }
        }
    };
    // Nothing stripped: the string itself, as CPython returns it.
    if res.len() == text.len() {
        return Ok(Value::Str(s));
    }
    Ok(Value::str(res))
}

fn strip(vm: &mut Vm, args: Args) -> PResult<Value> {
    strip_with(vm, &args, "strip", true, true)
}

fn lstrip(vm: &mut Vm, args: Args) -> PResult<Value> {
    strip_with(vm, &args, "lstrip", true, false)
}

fn rstrip(vm: &mut Vm, args: Args) -> PResult<Value> {
    strip_with(vm, &args, "rstrip", false, true)
}

fn upper(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "upper")?;
    Ok(if s.is_ascii() {
        Value::counted_string(s.as_str().to_ascii_uppercase(), s.char_len())
    } else {
        Value::string(s.as_str().to_uppercase())
    })
}

fn lower(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "lower")?;
    Ok(if s.is_ascii() {
        Value::counted_string(s.as_str().to_ascii_lowercase(), s.char_len())
    } else {
        Value::string(s.as_str().to_lowercase())
    })
}

fn casefold(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::string(
        this(vm, &args, "casefold")?
            .as_str()
            .to_lowercase()
            .replace('ß', "ss"),
    ))
}

fn swapcase(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "swapcase")?;
    Ok(Value::string(
        s.as_str()
            .chars()
            .flat_map(|c| {
                if c.is_uppercase() {
                    c.to_lowercase().collect::<Vec<_>>()
                } else {
                    c.to_uppercase().collect::<Vec<_>>()
                }
            })
            .collect(),
    ))
}

fn title(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "title")?;
    let mut out = String::new();
    let mut prev_cased = false;
    for c in s.as_str().chars() {
        if prev_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        prev_cased = c.is_alphabetic();
    }
    Ok(Value::string(out))
}

fn capitalize(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "capitalize")?;
    let mut chars = s.as_str().chars();
    let mut out = String::new();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(&chars.as_str().to_lowercase());
    }
    Ok(Value::string(out))
}

fn replace(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("replace", &args, 1, 2, 3)?;
    let s = this(vm, &args, "replace")?.clone();
    let old = str_arg(vm, arg(&args, 1)?, "replace() argument 1")?;
    let new = str_arg(vm, arg(&args, 2)?, "replace() argument 2")?;
    let count = match args.pos.get(3) {
        Some(Value::Int(n)) => *n,
        _ => -1,
    };
    // Nothing to replace: the string itself, as CPython returns it.
    if count == 0 || (!old.is_empty() && find_str(s.as_str(), old).is_none()) {
        return Ok(Value::Str(s));
    }
    let text = s.as_str();
    // A one-byte `old` is replaced as a char (std's memchr search, the quickest for the
    // short strings most replacements see).
    let one_byte = match old.as_bytes() {
        [b] => Some(char::from(*b)),
        _ => None,
    };
    Ok(Value::string(
        match (usize::try_from(count).ok(), one_byte) {
            (None, Some(c)) => text.replace(c, new),
            (None, None) => text.replace(old, new),
            (Some(n), Some(c)) => text.replacen(c, new, n),
            (Some(n), None) => text.replacen(old, new, n),
        },
    ))
}

/// The `[start:end]` window of a search method, as a byte range of `s`.
fn window(vm: &mut Vm, s: &PyStr, args: &Args, first: usize) -> PResult<(usize, usize)> {
    let len = s.char_len() as i64;
    let norm = |v: i64| -> usize {
        let v = if v < 0 { (v + len).max(0) } else { v.min(len) };
        v as usize
    };
    let start = match args.pos.get(first) {
        None | Some(Value::None) => 0,
        Some(v) => norm(vm.index_value(
            v,
            "slice indices must be integers or None or have an __index__ method",
        )?),
    };
    let end = match args.pos.get(first + 1) {
        None | Some(Value::None) => len as usize,
        Some(v) => norm(vm.index_value(
            v,
            "slice indices must be integers or None or have an __index__ method",
        )?),
    };
    Ok((s.byte_offset(start), s.byte_offset(end.max(start))))
}

fn affix(vm: &mut Vm, args: &Args, name: &str, prefix: bool) -> PResult<Value> {
    let s = this(vm, args, name)?.clone();
    let (a, b) = window(vm, &s, args, 2)?;
    let text = s.as_str().get(a..b).unwrap_or("");
    let test = |p: &str| {
        if prefix {
            text.starts_with(p)
        } else {
            text.ends_with(p)
        }
    };
    match arg(args, 1)? {
        Value::Str(p) => Ok(Value::bool(test(p.as_str()))),
        Value::Tuple(t) => {
            for item in t.items.iter() {
                if test(str_arg(vm, item, "tuple for startswith")?) {
                    return Ok(Value::Bool(B64::TRUE));
                }
            }
            Ok(Value::Bool(B64::FALSE))
        }
        other => Err(Exc::type_error(format!(
            "{name} first arg must be str or a tuple of str, not {}",
            vm.type_name(other)
        ))),
    }
}

fn startswith(vm: &mut Vm, args: Args) -> PResult<Value> {
    affix(vm, &args, "startswith", true)
}

fn endswith(vm: &mut Vm, args: Args) -> PResult<Value> {
    affix(vm, &args, "endswith", false)
}

fn search(vm: &mut Vm, args: &Args, name: &str, reverse: bool) -> PResult<Option<usize>> {
    check_count(name, args, 1, 1, 3)?;
    let s = this(vm, args, name)?.clone();
    let needle = str_arg(vm, arg(args, 1)?, "")?;
    let (a, b) = window(vm, &s, args, 2)?;
    let hay = s.as_str().get(a..b).unwrap_or("");
    let found = if reverse {
        rfind_str(hay, needle)
    } else {
        find_str(hay, needle)
    };
    Ok(found.map(|off| s.char_index(a + off)))
}

fn find(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::Int(
        search(vm, &args, "find", false)?.map_or(-1, |i| i as i64),
    ))
}

fn rfind(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::Int(
        search(vm, &args, "rfind", true)?.map_or(-1, |i| i as i64),
    ))
}

fn index(vm: &mut Vm, args: Args) -> PResult<Value> {
    match search(vm, &args, "index", false)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(Exc::value_error("substring not found")),
    }
}

fn rindex(vm: &mut Vm, args: Args) -> PResult<Value> {
    match search(vm, &args, "rindex", true)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(Exc::value_error("substring not found")),
    }
}

fn count(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("count", &args, 1, 1, 3)?;
    let s = this(vm, &args, "count")?.clone();
    let needle = str_arg(vm, arg(&args, 1)?, "")?;
    let (a, b) = window(vm, &s, &args, 2)?;
    let hay = s.as_str().get(a..b).unwrap_or("");
    let n = if needle.is_empty() {
        hay.chars().count() + 1
    } else {
        count_str(hay, needle)
    };
    Ok(Value::Int(n as i64))
}

fn format(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "format")?.clone();
    let rest = args.pos.get(1..).unwrap_or(&[]);
    Ok(Value::string(vm.str_format(
        s.as_str(),
        rest,
        args.kwnames,
        args.kwvals,
    )?))
}

/// `str.format_map(mapping)`: `format(**mapping)` for a dict (the names a format string
/// can use are strings; other keys are never looked up).
fn format_map(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("format_map", &args, 1, 1, 1)?;
    let s = this(vm, &args, "format_map")?.clone();
    let Value::Dict(mapping) = arg(&args, 1)? else {
        return Err(Exc::type_error(format!(
            "format_map() argument must be a dict, not {}",
            vm.type_name(arg(&args, 1)?)
        )));
    };
    let (mut names, mut values) = (Vec::new(), Vec::new());
    for entry in mapping.entries() {
        if let Value::Str(name) = entry.key {
            names.push(name);
            values.push(entry.value);
        }
    }
    match vm.str_format(s.as_str(), &[], &names, &values) {
        Ok(text) => Ok(Value::string(text)),
        // There are no positional arguments to index.
        Err(e) if vm.exc_matches(&e, ExcKind::IndexError) => {
            Err(Exc::value_error("Format string contains positional fields"))
        }
        Err(e) => Err(e),
    }
}

fn str_format_method(vm: &mut Vm, args: Args) -> PResult<Value> {
    let spec = args.pos.get(1).and_then(|s| s.as_str()).unwrap_or("");
    Ok(Value::string(vm.format_spec(arg(&args, 0)?, spec)?))
}

fn char_test(vm: &Vm, args: &Args, name: &str, pred: fn(char) -> bool) -> PResult<Value> {
    let s = this(vm, args, name)?;
    Ok(Value::bool(
        !s.as_str().is_empty() && s.as_str().chars().all(pred),
    ))
}

fn isdigit(vm: &mut Vm, args: Args) -> PResult<Value> {
    char_test(vm, &args, "isdigit", |c| {
        c.is_ascii_digit()
            || is_unicode_decimal(c)
            || matches!(c, '\u{b2}' | '\u{b3}' | '\u{b9}' | '\u{2070}'..='\u{2079}' | '\u{2080}'..='\u{2089}' | '\u{2460}'..='\u{2468}')
    })
}

fn isprintable(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "isprintable")?;
    let text = s.as_str();
    let ok = text.chars().all(|c| {
        let r = crate::vm::repr::str_repr(&c.to_string());
        c == '\'' || c == '\\' || r.chars().count() == 3
    });
    Ok(Value::bool(ok))
}

fn isascii(vm: &mut Vm, args: Args) -> PResult<Value> {
    Ok(Value::bool(this(vm, &args, "isascii")?.is_ascii()))
}

fn isdecimal(vm: &mut Vm, args: Args) -> PResult<Value> {
    char_test(vm, &args, "isdecimal", |c| {
        c.is_ascii_digit() || is_unicode_decimal(c)
    })
}

/// Decimal digits of other scripts (Arabic-Indic, Devanagari, fullwidth, ...).
fn is_unicode_decimal(c: char) -> bool {
    let cp = c as u32;
    [
        0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xe50,
        0xed0, 0xf20, 0x1040, 0xff10,
    ]
    .iter()
    .any(|&base| (base..base + 10).contains(&cp))
}

fn isnumeric(vm: &mut Vm, args: Args) -> PResult<Value> {
    char_test(vm, &args, "isnumeric", char::is_numeric)
}

fn isalpha(vm: &mut Vm, args: Args) -> PResult<Value> {
    char_test(vm, &args, "isalpha", char::is_alphabetic)
}

fn isalnum(vm: &mut Vm, args: Args) -> PResult<Value> {
    char_test(vm, &args, "isalnum", char::is_alphanumeric)
}

fn isspace(vm: &mut Vm, args: Args) -> PResult<Value> {
    char_test(vm, &args, "isspace", py_space)
}

fn isupper(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "isupper")?;
    let t = s.as_str();
    Ok(Value::bool(
        t.chars().any(char::is_uppercase) && !t.chars().any(char::is_lowercase),
    ))
}

fn islower(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "islower")?;
    let t = s.as_str();
    Ok(Value::bool(
        t.chars().any(char::is_lowercase) && !t.chars().any(char::is_uppercase),
    ))
}

fn istitle(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "istitle")?;
    let mut prev_cased = false;
    let mut any = false;
    for c in s.as_str().chars() {
        if c.is_uppercase() {
            if prev_cased {
                return Ok(Value::Bool(B64::FALSE));
            }
            prev_cased = true;
            any = true;
        } else if c.is_lowercase() {
            if !prev_cased {
                return Ok(Value::Bool(B64::FALSE));
            }
            prev_cased = true;
        } else {
            prev_cased = false;
        }
    }
    Ok(Value::bool(any))
}

fn isidentifier(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "isidentifier")?;
    Ok(Value::bool(is_identifier(s.as_str())))
}

/// `str.isidentifier`: a letter or `_`, then letters, digits and `_`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => chars.all(|c| c == '_' || c.is_alphanumeric()),
        _ => false,
    }
}

fn pad_args(vm: &mut Vm, args: &Args, name: &str) -> PResult<(Rc<PyStr>, usize, char)> {
    check_count(name, args, 1, 1, 2)?;
    let s = this(vm, args, name)?.clone();
    let width = vm.index_value(arg(args, 1)?, "integer argument expected")?;
    let fill = match args.pos.get(2) {
        Some(Value::Str(f)) if f.char_len() == 1 => f.as_str().chars().next().unwrap_or(' '),
        Some(_) => {
            return Err(Exc::type_error(
                "The fill character must be exactly one character long",
            ))
        }
        None => ' ',
    };
    Ok((s, width.max(0) as usize, fill))
}

fn center(vm: &mut Vm, args: Args) -> PResult<Value> {
    let (s, width, fill) = pad_args(vm, &args, "center")?;
    let n = s.char_len();
    if width <= n {
        return Ok(Value::Str(s));
    }
    let total = width - n;
    let left = total / 2 + (total & width & 1);
    let f = |k: usize| fill.to_string().repeat(k);
    Ok(Value::string(format!(
        "{}{}{}",
        f(left),
        s.as_str(),
        f(total - left)
    )))
}

fn ljust(vm: &mut Vm, args: Args) -> PResult<Value> {
    let (s, width, fill) = pad_args(vm, &args, "ljust")?;
    let n = s.char_len();
    Ok(Value::string(format!(
        "{}{}",
        s.as_str(),
        fill.to_string().repeat(width.saturating_sub(n))
    )))
}

fn rjust(vm: &mut Vm, args: Args) -> PResult<Value> {
    let (s, width, fill) = pad_args(vm, &args, "rjust")?;
    let n = s.char_len();
    Ok(Value::string(format!(
        "{}{}",
        fill.to_string().repeat(width.saturating_sub(n)),
        s.as_str()
    )))
}

fn zfill(vm: &mut Vm, args: Args) -> PResult<Value> {
    check_count("zfill", &args, 1, 1, 1)?;
    let s = this(vm, &args, "zfill")?.clone();
    let width = vm
        .index_value(arg(&args, 1)?, "integer argument expected")?
        .max(0) as usize;
    let text = s.as_str();
    let n = s.char_len();
    if width <= n {
        return Ok(Value::Str(s));
    }
    let zeros = "0".repeat(width - n);
    Ok(Value::string(match text.strip_prefix(['+', '-']) {
        Some(rest) => format!("{}{zeros}{rest}", &text[..1]),
        None => format!("{zeros}{text}"),
    }))
}

fn partition_with(vm: &mut Vm, args: &Args, name: &str, reverse: bool) -> PResult<Value> {
    check_count(name, args, 1, 1, 1)?;
    let s = this(vm, args, name)?.clone();
    let sep = str_arg(vm, arg(args, 1)?, "")?.to_owned();
    if sep.is_empty() {
        return Err(Exc::value_error("empty separator"));
    }
    let text = s.as_str();
    let found = if reverse {
        text.rfind(&sep)
    } else {
        text.find(&sep)
    };
    let parts = match found {
        Some(i) => [&text[..i], sep.as_str(), &text[i + sep.len()..]],
        None if reverse => ["", "", text],
        None => [text, "", ""],
    };
    Ok(Value::tuple(parts.iter().map(|p| Value::str(p)).collect()))
}

fn partition(vm: &mut Vm, args: Args) -> PResult<Value> {
    partition_with(vm, &args, "partition", false)
}

fn rpartition(vm: &mut Vm, args: Args) -> PResult<Value> {
    partition_with(vm, &args, "rpartition", true)
}

fn removeprefix(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "removeprefix")?.clone();
    let p = str_arg(vm, arg(&args, 1)?, "removeprefix() argument")?;
    Ok(Value::str(s.as_str().strip_prefix(p).unwrap_or(s.as_str())))
}

fn removesuffix(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "removesuffix")?.clone();
    let p = str_arg(vm, arg(&args, 1)?, "removesuffix() argument")?;
    Ok(Value::str(s.as_str().strip_suffix(p).unwrap_or(s.as_str())))
}

fn encode(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "encode")?.clone();
    let encoding = args
        .pos
        .get(1)
        .or_else(|| args.kw("encoding"))
        .and_then(|v| v.as_str())
        .unwrap_or("utf-8");
    let errors = args
        .pos
        .get(2)
        .or_else(|| args.kw("errors"))
        .and_then(|v| v.as_str())
        .unwrap_or("strict");
    let norm = encoding.to_ascii_lowercase().replace('_', "-");
    let limit = match norm.as_str() {
        "utf-8" | "utf8" => None,
        "ascii" | "us-ascii" => Some((128u32, "ascii")),
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" => Some((256u32, "latin-1")),
        _ => {
            return Err(Exc::new(
                crate::vm::exception::ExcKind::LookupError,
                format!("unknown encoding: {encoding}"),
            ))
        }
    };
    let data = match limit {
        None => s.as_str().as_bytes().to_vec(),
        Some((limit, codec)) => {
            let mut out = Vec::new();
            for (pos, c) in s.as_str().chars().enumerate() {
                if (c as u32) < limit {
                    out.push(c as u32 as u8);
                } else if errors == "replace" {
                    out.push(b'?');
                } else if errors != "ignore" {
                    let shown =
                        crate::vm::format::ascii_of(&crate::vm::repr::str_repr(&c.to_string()));
                    return Err(Exc::new(
                        crate::vm::exception::ExcKind::UnicodeEncodeError,
                        format!("'{codec}' codec can't encode character {shown} in position {pos}: ordinal not in range({limit})"),
                    ));
                }
            }
            out
        }
    };
    Ok(Value::Bytes(Rc::new(crate::vm::object::Bytes::new(data))))
}

fn expandtabs(vm: &mut Vm, args: Args) -> PResult<Value> {
    let s = this(vm, &args, "expandtabs")?.clone();
    let size = match args.pos.get(1) {
        Some(Value::Int(n)) => (*n).max(0) as usize,
        _ => 8,
    };
    let mut out = String::new();
    let mut col = 0;
    for c in s.as_str().chars() {
        match c {
            '\t' => {
                let n = if size == 0 { 0 } else { size - col % size };
                out.push_str(&" ".repeat(n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    Ok(Value::string(out))
}
