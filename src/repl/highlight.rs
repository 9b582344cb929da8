//! Colours for the line being typed: keywords, strings, numbers and comments, as ANSI escapes
//! around the unchanged text (rustyline needs the coloured line to keep its display width). A
//! small scanner of its own rather than the real lexer: a half-typed line is usually not a
//! valid token stream (an open string, an open bracket), and colouring must never fail.

const KEYWORD: &str = "\x1b[35m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[36m";
const COMMENT: &str = "\x1b[90m";
const CONSTANT: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

/// Python's keywords (soft keywords too: `match`/`case` are not, apy has no `match`).
pub const KEYWORDS: &[&str] = &[
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

const CONSTANTS: &[&str] = &["None", "True", "False"];

/// `line` with colour escapes added.
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 32);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let (len, colour) = if c == '#' {
            (rest.len(), Some(COMMENT))
        } else if let Some(len) = string_len(rest) {
            (len, Some(STRING))
        } else if c.is_ascii_digit() || (c == '.' && next_is_digit(rest)) {
            (number_len(rest), Some(NUMBER))
        } else if c.is_alphabetic() || c == '_' {
            let len = rest
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..len];
            let colour = if KEYWORDS.contains(&word) {
                Some(KEYWORD)
            } else if CONSTANTS.contains(&word) {
                Some(CONSTANT)
            } else {
                None
            };
            (len, colour)
        } else {
            (c.len_utf8(), None)
        };
        let (piece, tail) = rest.split_at(len);
        match colour {
            Some(colour) => {
                out.push_str(colour);
                out.push_str(piece);
                out.push_str(RESET);
            }
            None => out.push_str(piece),
        }
        rest = tail;
    }
    out
}

fn next_is_digit(text: &str) -> bool {
    text[1..].starts_with(|c: char| c.is_ascii_digit())
}

fn number_len(text: &str) -> usize {
    text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .unwrap_or(text.len())
}

/// The length of the string literal `text` starts with (prefix included; to the end of the
/// line if it is not closed), or `None` if it does not start with one.
fn string_len(text: &str) -> Option<usize> {
    let prefix = text
        .find(|c: char| !matches!(c, 'r' | 'R' | 'b' | 'B' | 'f' | 'F' | 'u' | 'U'))
        .unwrap_or(text.len());
    if prefix > 2 {
        return None;
    }
    let body = &text[prefix..];
    let quote = body.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let raw = text[..prefix].contains(['r', 'R']);
    let (open, close) = if body.starts_with(&triple) {
        (3, triple.as_str())
    } else {
        (1, &body[..1])
    };
    let mut i = open;
    while i < body.len() {
        if body[i..].starts_with(close) {
            return Some(prefix + i + close.len());
        }
        let step = body[i..].chars().next().map_or(1, char::len_utf8);
        i += if !raw && body[i..].starts_with('\\') {
            step + body[i + step..].chars().next().map_or(0, char::len_utf8)
        } else {
            step
        };
    }
    Some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(text: &str) -> String {
        let mut out = String::new();
        let mut in_escape = false;
        for c in text.chars() {
            match (in_escape, c) {
                (false, '\x1b') => in_escape = true,
                (true, 'm') => in_escape = false,
                (true, _) => {}
                (false, c) => out.push(c),
            }
        }
        out
    }

    #[test]
    fn colours_keywords_strings_numbers_and_comments() {
        let line = "async def f(x=1.5): return 'a#b' # done";
        let lit = highlight(line);
        assert_eq!(strip(&lit), line);
        assert!(lit.contains("\x1b[35masync\x1b[0m"));
        assert!(lit.contains("\x1b[35mdef\x1b[0m"));
        assert!(lit.contains("\x1b[36m1.5\x1b[0m"));
        assert!(lit.contains("\x1b[32m'a#b'\x1b[0m"));
        assert!(lit.contains("\x1b[90m# done\x1b[0m"));
        assert!(!lit.contains("\x1b[35mf\x1b"));
    }

    #[test]
    fn half_typed_lines_keep_their_text() {
        for line in [
            "x = \"abc",
            "f'''",
            "print('\\",
            "é = 'ü'",
            "r'\\'",
            "0x",
            ".5",
            "'",
        ] {
            assert_eq!(strip(&highlight(line)), line, "{line}");
        }
    }
}
