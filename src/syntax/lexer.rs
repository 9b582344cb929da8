//! Drives logos over a source text: scans string bodies and numbers for the token callbacks,
//! decodes escapes, and turns bad input into diagnostics. Layout (indentation) is not handled
//! here but in `indent.rs`; no grammar knowledge lives here.

use crate::diagnostics::Diagnostic;
use crate::syntax::span::{Source, Span};
use crate::syntax::token::{Number, StrLit, Token};
use logos::Logos;
use num_bigint::BigInt;
use std::rc::Rc;

/// A syntax error on its way out of the front end. `incomplete` is set when the only problem
/// is that the input ended too early, which the REPL turns into a continuation prompt.
#[derive(Clone, Debug)]
pub struct SyntaxFault {
    /// Boxed so that `Result<_, SyntaxFault>` stays small in the parser's hot paths.
    pub diag: Box<Diagnostic>,
    pub incomplete: bool,
}

impl SyntaxFault {
    pub fn new(diag: Diagnostic) -> SyntaxFault {
        SyntaxFault {
            diag: Box::new(diag),
            incomplete: false,
        }
    }

    /// Sets the text under the primary span.
    pub fn with_label(mut self, label: impl Into<String>) -> SyntaxFault {
        self.diag.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> SyntaxFault {
        self.diag.labels.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> SyntaxFault {
        self.diag.notes.push(note.into());
        self
    }
}

/// What a token callback found wrong; the driver turns it into a `SyntaxFault` with a span.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum LexErrorKind {
    /// A character no token starts with.
    #[default]
    Unexpected,
    /// A non-letter character inside an identifier.
    BadIdentChar(char),
    Imaginary,
    LeadingZeros,
    /// A number runs into letters or digits that do not belong to it; the text names the
    /// literal kind ("decimal", "hexadecimal", ...), or the bad digit and the kind.
    InvalidLiteral(String),
    /// The string runs to the end of a line (or the file, when `triple`).
    /// `continued` when input ended right after a backslash-newline inside the string.
    Unterminated {
        triple: bool,
        continued: bool,
    },
    /// A string escape that cannot be decoded; the message is CPython's.
    BadEscape(String),
    NonAsciiBytes,
}

/// One lexed token with its byte range.
pub type Spanned = (usize, Token, usize);

/// Iterates over the tokens of `text`, which sits at byte offset `base` of `source`.
pub struct Lexer<'s> {
    inner: logos::Lexer<'s, Token>,
    source: Rc<Source>,
    base: usize,
}

impl<'s> Lexer<'s> {
    pub fn new(source: &Rc<Source>, text: &'s str, base: usize) -> Lexer<'s> {
        // A byte-order mark at the start of a file is skipped, as CPython does.
        let (text, base) = match text.strip_prefix('\u{FEFF}') {
            Some(rest) if base == 0 => (rest, '\u{FEFF}'.len_utf8()),
            _ => (text, base),
        };
        Lexer {
            inner: Token::lexer(text),
            source: source.clone(),
            base,
        }
    }

    fn fault(&self, kind: LexErrorKind) -> SyntaxFault {
        let range = self.inner.span();
        let start = self.base + range.start;
        let end = self.base + range.end;
        let slice = self.inner.slice();
        let src = &self.source;
        let err = |msg: String, span: Span| {
            SyntaxFault::new(Diagnostic::new("SyntaxError", msg, src, span))
        };
        match kind {
            LexErrorKind::Unexpected => self.unexpected_char(slice, start),
            LexErrorKind::BadIdentChar(ch) => {
                let at = slice.find(ch).map_or(start, |idx| start + idx);
                err(invalid_char_message(ch), Span::new(at, at + ch.len_utf8()))
            }
            LexErrorKind::Imaginary => err(
                "imaginary literals are not supported".into(),
                Span::new(start, end),
            )
            .with_note("apy has no complex numbers; use a pair of floats instead"),
            LexErrorKind::LeadingZeros => err(
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers".into(),
                Span::new(start, end),
            ),
            LexErrorKind::InvalidLiteral(msg) => err(msg, Span::new(start, end)),
            LexErrorKind::Unterminated { triple, continued } => {
                let mut fault = self.unterminated(triple, start, end);
                fault.incomplete |= continued;
                fault
            }
            LexErrorKind::BadEscape(msg) => err(msg, Span::new(start, end)),
            LexErrorKind::NonAsciiBytes => err(
                "bytes can only contain ASCII literal characters".into(),
                Span::new(start, end),
            ),
        }
    }

    fn unexpected_char(&self, slice: &str, start: usize) -> SyntaxFault {
        let ch = slice.chars().next().unwrap_or(' ');
        let span = Span::new(start, start + ch.len_utf8());
        if ch == '\\' {
            let rest = self.inner.remainder();
            let at_eof = rest.trim_start_matches([' ', '\t']).is_empty();
            let msg = if at_eof {
                "unexpected EOF while parsing"
            } else {
                "unexpected character after line continuation character"
            };
            let diag = Diagnostic::new("SyntaxError", msg, &self.source, span).with_note(
                "a backslash continues a line only when it is the last character of the line",
            );
            return SyntaxFault {
                diag: Box::new(diag),
                incomplete: at_eof,
            };
        }
        let radix_word = match slice.get(..2) {
            Some("0x" | "0X") => Some("hexadecimal"),
            Some("0o" | "0O") => Some("octal"),
            Some("0b" | "0B") => Some("binary"),
            _ => None,
        };
        let msg = if let Some(word) = radix_word {
            format!("invalid {word} literal")
        } else if ch.is_ascii() {
            "invalid syntax".to_string()
        } else {
            invalid_char_message(ch)
        };
        SyntaxFault::new(Diagnostic::new("SyntaxError", msg, &self.source, span))
    }

    fn continuation_at_eof(&self) -> SyntaxFault {
        let range = self.inner.span();
        let start = self.base + range.start;
        let diag = Diagnostic::new(
            "SyntaxError",
            "unexpected EOF while parsing",
            &self.source,
            Span::new(start, start + 1),
        )
        .with_label("the line continues after this backslash, but the input ends");
        SyntaxFault {
            diag: Box::new(diag),
            incomplete: true,
        }
    }

    fn unterminated(&self, triple: bool, start: usize, end: usize) -> SyntaxFault {
        // A triple-quoted string is detected at the end of input, which CPython reports as
        // the line of the last character.
        let at = if triple { end.saturating_sub(1) } else { end };
        let line = self.source.line_of(at.max(start) as u32);
        let (msg, incomplete) = if triple {
            (
                format!("unterminated triple-quoted string literal (detected at line {line})"),
                true,
            )
        } else {
            (
                format!("unterminated string literal (detected at line {line})"),
                false,
            )
        };
        let diag = Diagnostic::new(
            "SyntaxError",
            msg,
            &self.source,
            Span::new(start, start + 1),
        )
        .with_label("the string starts here");
        SyntaxFault {
            diag: Box::new(diag),
            incomplete,
        }
    }
}

fn invalid_char_message(ch: char) -> String {
    let code = ch as u32;
    let invisible = ch.is_whitespace()
        || ch.is_control()
        || matches!(code, 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF);
    if invisible {
        format!("invalid non-printable character U+{code:04X}")
    } else {
        format!("invalid character '{ch}' (U+{code:04X})")
    }
}

impl Iterator for Lexer<'_> {
    type Item = Result<Spanned, SyntaxFault>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut tok = self.inner.next()?;
        while tok == Ok(Token::Continuation) {
            if self.inner.remainder().trim().is_empty() {
                return Some(Err(self.continuation_at_eof()));
            }
            tok = self.inner.next()?;
        }
        let range = self.inner.span();
        Some(match tok {
            Ok(Token::Str(lit)) if self.base != 0 => {
                let lit = match &*lit {
                    StrLit::FStr {
                        body,
                        body_start,
                        raw,
                    } => Rc::new(StrLit::FStr {
                        body: body.clone(),
                        body_start: body_start + self.base,
                        raw: *raw,
                    }),
                    _ => lit,
                };
                Ok((
                    self.base + range.start,
                    Token::Str(lit),
                    self.base + range.end,
                ))
            }
            Ok(tok) => Ok((self.base + range.start, tok, self.base + range.end)),
            Err(kind) => Err(self.fault(kind)),
        })
    }
}

/// Logos callback for identifiers. Without Unicode tables at hand, a non-ASCII character is
/// accepted unless it is a letter-less symbol, punctuation or space; an identifier must still
/// start with a letter or `_`. This keeps scripts with combining marks (Devanagari, ...) working
/// while catching smart quotes, dashes, arrows, currency signs and emoji.
pub fn lex_name(lex: &mut logos::Lexer<Token>) -> Result<Rc<str>, LexErrorKind> {
    let slice = lex.slice();
    let mut chars = slice.chars();
    if let Some(first) = chars.next() {
        if !first.is_ascii() && !first.is_alphabetic() {
            return Err(LexErrorKind::BadIdentChar(first));
        }
    }
    if let Some(bad) = chars.find(|&ch| !ch.is_ascii() && !is_identifier_char(ch)) {
        return Err(LexErrorKind::BadIdentChar(bad));
    }
    Ok(Rc::from(slice))
}

fn is_identifier_char(ch: char) -> bool {
    if ch.is_alphanumeric() || ch == '\u{B7}' {
        return true;
    }
    let code = ch as u32;
    let symbol_or_space = matches!(
        code,
        0x80..=0xBF
            | 0xD7
            | 0xF7
            | 0x2000..=0x2BFF
            | 0x3000..=0x303F
            | 0xE000..=0xF8FF
            | 0xFE10..=0xFE6F
            | 0xFEFF
            | 0xFF00..=0xFF0F
            | 0xFF1A..=0xFF20
            | 0xFF3B..=0xFF40
            | 0xFF5B..=0xFF65
            | 0xFFF0..=0xFFFF
            | 0x1F000..=0x1FAFF
    );
    !symbol_or_space
}

/// Words that may directly follow a number (`1if x else 2`), as CPython allows.
const AFTER_NUMBER: [&str; 8] = ["and", "or", "if", "else", "in", "is", "not", "for"];

/// CPython's message for a number followed by characters that cannot continue it.
fn invalid_literal(slice: &str, rest: &str) -> String {
    let kind = match slice.get(..2) {
        Some("0x" | "0X") => "hexadecimal",
        Some("0o" | "0O") => "octal",
        Some("0b" | "0B") => "binary",
        _ => "decimal",
    };
    match rest.chars().next() {
        Some(digit) if digit.is_ascii_digit() && matches!(kind, "octal" | "binary") => {
            format!("invalid digit '{digit}' in {kind} literal")
        }
        _ => format!("invalid {kind} literal"),
    }
}

/// Logos callback for every numeric literal.
pub fn lex_number(lex: &mut logos::Lexer<Token>) -> Result<Number, LexErrorKind> {
    let slice = lex.slice();
    if slice.ends_with(['j', 'J']) {
        return Err(LexErrorKind::Imaginary);
    }
    let rest = lex.remainder();
    let word_len = rest
        .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
        .unwrap_or(rest.len());
    if word_len > 0 && !AFTER_NUMBER.iter().any(|kw| rest.starts_with(kw)) {
        return Err(LexErrorKind::InvalidLiteral(invalid_literal(slice, rest)));
    }
    let digits: String = slice.chars().filter(|&ch| ch != '_').collect();
    let radix = match digits.get(..2) {
        Some("0x" | "0X") => 16,
        Some("0o" | "0O") => 8,
        Some("0b" | "0B") => 2,
        _ => 10,
    };
    if radix != 10 {
        let body = digits.get(2..).unwrap_or("");
        return BigInt::parse_bytes(body.as_bytes(), radix)
            .map(Number::Int)
            .ok_or(LexErrorKind::Unexpected);
    }
    if digits.contains(['.', 'e', 'E']) {
        return digits
            .parse::<f64>()
            .map(Number::Float)
            .map_err(|_| LexErrorKind::Unexpected);
    }
    if digits.starts_with('0') && digits.bytes().any(|b| b != b'0') {
        return Err(LexErrorKind::LeadingZeros);
    }
    // Most literals fit a machine word; skip the general BigInt parser for them.
    if let Ok(small) = digits.parse::<u64>() {
        return Ok(Number::Int(BigInt::from(small)));
    }
    BigInt::parse_bytes(digits.as_bytes(), 10)
        .map(Number::Int)
        .ok_or(LexErrorKind::Unexpected)
}

/// Logos callback for a string literal: the slice is the prefix and the opening quote.
/// Scans to the closing quote, bumps the lexer past it, and decodes the body.
pub fn lex_string(lex: &mut logos::Lexer<Token>) -> Result<Rc<StrLit>, LexErrorKind> {
    let opening = lex.slice();
    let prefix = opening.get(..opening.len().saturating_sub(1)).unwrap_or("");
    let lower = prefix.to_ascii_lowercase();
    let (raw, bytes, fstr) = (
        lower.contains('r'),
        lower.contains('b'),
        lower.contains('f'),
    );
    let quote = opening.bytes().last().unwrap_or(b'"');
    let rest = lex.remainder().as_bytes();
    let triple = rest.len() >= 2 && rest[0] == quote && rest[1] == quote;
    let skip = if triple { 2 } else { 0 };
    let body_len = match scan_body(&rest[skip..], quote, triple) {
        Ok(len) => len,
        Err(stop) => {
            // Bump to where scanning stopped so the error knows where it was detected. Input
            // that ends right after a backslash-newline may still be continued (REPL).
            let tail = &rest[skip..];
            let continued =
                stop == tail.len() && (tail.ends_with(b"\\\n") || tail.ends_with(b"\\\r\n"));
            lex.bump(skip + stop.min(tail.len()));
            return Err(LexErrorKind::Unterminated { triple, continued });
        }
    };
    let body_start_local = lex.span().end + skip;
    let body = lex
        .remainder()
        .get(skip..skip + body_len)
        .unwrap_or("")
        .to_string();
    let closing = if triple { 3 } else { 1 };
    lex.bump(skip + body_len + closing);
    let lit = if fstr {
        // The f-string body stays as written so field offsets match the source; its literal
        // parts are normalised when they are decoded.
        StrLit::FStr {
            body: Rc::from(body.as_str()),
            body_start: body_start_local,
            raw,
        }
    } else if bytes {
        StrLit::Bytes(decode_bytes(&normalize_newlines(&body), raw)?)
    } else if raw {
        StrLit::Str(normalize_newlines(&body).into_owned())
    } else {
        StrLit::Str(decode_str(&normalize_newlines(&body))?)
    };
    Ok(Rc::new(lit))
}

/// Line endings inside literals read as `\n`, whatever the file uses (as in CPython).
pub fn normalize_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Length of a string body up to (not including) its closing quote, or, when the string is
/// not closed, `Err` with where scanning stopped (an unescaped newline, or the end of input).
/// A backslash always protects the next byte, even in raw strings.
fn scan_body(text: &[u8], quote: u8, triple: bool) -> Result<usize, usize> {
    let mut idx = 0;
    while let Some(&byte) = text.get(idx) {
        match byte {
            b'\\' => idx += 2,
            b'\n' if !triple => return Err(idx),
            b if b == quote => {
                if !triple
                    || (text.get(idx + 1) == Some(&quote) && text.get(idx + 2) == Some(&quote))
                {
                    return Ok(idx);
                }
                idx += 1;
            }
            _ => idx += 1,
        }
    }
    Err(text.len())
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// Decodes the escapes of a non-raw `str` literal body (also used for f-string literal parts).
pub fn decode_str(body: &str) -> Result<String, LexErrorKind> {
    let mut res = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        if ch != '\\' {
            res.push(ch);
            continue;
        }
        let Some((_, esc)) = chars.next() else {
            res.push('\\');
            break;
        };
        match esc {
            'x' | 'u' | 'U' => {
                let n_digits = match esc {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let code = hex_escape(&mut chars, n_digits, at).map_err(|last| {
                    let shape = format!("\\{esc}{}", "X".repeat(n_digits));
                    LexErrorKind::BadEscape(format!(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position {at}-{last}: truncated {shape} escape"
                    ))
                })?;
                if code > 0x10FFFF {
                    let end = at + 1 + n_digits;
                    return Err(LexErrorKind::BadEscape(format!(
                        "(unicode error) 'unicodeescape' codec can't decode bytes in position {at}-{end}: illegal Unicode character"
                    )));
                }
                // Lone surrogates cannot live in a Rust string; they become U+FFFD.
                let decoded = char::from_u32(code).unwrap_or('\u{FFFD}');
                res.push(decoded);
            }
            'N' => return Err(LexErrorKind::BadEscape(NAMED_UNSUPPORTED.to_string())),
            '0'..='7' => {
                let code = octal_escape(esc, &mut chars);
                res.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            other => match simple_escape(other) {
                Some(Some(decoded)) => res.push(decoded),
                Some(None) => {}
                None => {
                    res.push('\\');
                    res.push(other);
                }
            },
        }
    }
    Ok(res)
}

const NAMED_UNSUPPORTED: &str = "\\N{...} escapes are not supported in apy";

/// The one-character escapes; `Some(None)` is a backslash-newline, which vanishes.
fn simple_escape(esc: char) -> Option<Option<char>> {
    Some(Some(match esc {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '\\' => '\\',
        '\'' => '\'',
        '"' => '"',
        'a' => '\u{7}',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'v' => '\u{b}',
        '\n' => return Some(None),
        _ => return None,
    }))
}

/// Reads `n_digits` hex digits after `\x`, `\u` or `\U` (whose backslash is at `at`).
/// On failure, returns the index of the last character that belonged to the escape.
fn hex_escape(chars: &mut Chars, n_digits: usize, at: usize) -> Result<u32, usize> {
    let mut code: u32 = 0;
    let mut last = at + 1;
    for _ in 0..n_digits {
        match chars
            .peek()
            .and_then(|&(idx, ch)| Some((idx, ch.to_digit(16)?)))
        {
            Some((idx, digit)) => {
                chars.next();
                last = idx;
                code = code.wrapping_mul(16).wrapping_add(digit);
            }
            None => return Err(last),
        }
    }
    Ok(code)
}

fn octal_escape(first: char, chars: &mut Chars) -> u32 {
    let mut code = first.to_digit(8).unwrap_or(0);
    for _ in 0..2 {
        match chars.peek().and_then(|&(_, ch)| ch.to_digit(8)) {
            Some(digit) => {
                code = code * 8 + digit;
                chars.next();
            }
            None => break,
        }
    }
    code
}

fn decode_bytes(body: &str, raw: bool) -> Result<Vec<u8>, LexErrorKind> {
    if !body.is_ascii() {
        return Err(LexErrorKind::NonAsciiBytes);
    }
    if raw {
        return Ok(body.as_bytes().to_vec());
    }
    let mut res = Vec::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        if ch != '\\' {
            res.push(ch as u8);
            continue;
        }
        match chars.next().map(|(_, esc)| esc) {
            None => res.push(b'\\'),
            Some('x') => {
                let code = hex_escape(&mut chars, 2, at).map_err(|_| {
                    LexErrorKind::BadEscape(format!(
                        "(value error) invalid \\x escape at position {at}"
                    ))
                })?;
                res.push((code & 0xFF) as u8);
            }
            Some(esc @ '0'..='7') => res.push((octal_escape(esc, &mut chars) & 0xFF) as u8),
            Some(other) => match simple_escape(other) {
                Some(Some(decoded)) => res.push(decoded as u8),
                Some(None) => {}
                None => {
                    res.push(b'\\');
                    res.push(other as u8);
                }
            },
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests;
