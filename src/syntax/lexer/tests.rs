//! Tests for `lexer.rs`: tokens for tricky strings, f-strings, numbers and names.

use super::*;

/// Renders each token compactly; errors as `!message`.
fn dump(text: &str) -> String {
    let src = Source::new("t", text);
    let mut out = Vec::new();
    for item in Lexer::new(&src, &src.text, 0) {
        match item {
            Ok((_, tok, _)) => out.push(match tok {
                Token::Name(name) => format!("Name({name})"),
                Token::Number(Number::Int(i)) => format!("Int({i})"),
                Token::Number(Number::Float(f)) => format!("Float({f:?})"),
                Token::Str(lit) => format!("{lit:?}"),
                other => format!("{other:?}"),
            }),
            Err(fault) => {
                out.push(format!("!{}", fault.diag.message));
                break;
            }
        }
    }
    out.join(" ")
}

fn check(text: &str, expected: &str) {
    assert_eq!(dump(text), expected, "input: {text:?}");
}

#[test]
fn numbers() {
    check(
        "0x_ff 0o17 0b101 1_000",
        "Int(255) Int(15) Int(5) Int(1000)",
    );
    check(
        "1e5 1_000.5 .5 5.",
        "Float(100000.0) Float(1000.5) Float(0.5) Float(5.0)",
    );
    check(
        "123456789012345678901234567890",
        "Int(123456789012345678901234567890)",
    );
    check("00 0", "Int(0) Int(0)");
    check("1j", "!imaginary literals are not supported");
    check("0777", "!leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
    check("1abc", "!invalid decimal literal");
    check("0b102", "!invalid digit '2' in binary literal");
    check("0o78", "!invalid digit '8' in octal literal");
    check("0x1g", "!invalid hexadecimal literal");
    check("1if x else 2", "Int(1) If Name(x) Else Int(2)");
    check("a...b", "Name(a) Ellipsis Name(b)");
}

#[test]
fn strings() {
    check(
        r#"'a\n' "b\x41\101" r'\n'"#,
        r#"Str("a\n") Str("bAA") Str("\\n")"#,
    );
    check(r#"b'\x00a' Rb"\n""#, r#"Bytes([0, 97]) Bytes([92, 110])"#);
    check("'''a\n'b'''", r#"Str("a\n'b")"#);
    check(r#""\u00e9\U0001F600""#, "Str(\"é😀\")");
    check(
        r#"f'{x!r:>{w}}' rf"\d{y}""#,
        r#"FStr { body: "{x!r:>{w}}", body_start: 2, raw: false } FStr { body: "\\d{y}", body_start: 17, raw: true }"#,
    );
    check(
        "'abc\n",
        "!unterminated string literal (detected at line 1)",
    );
    check(
        "x = '''abc\n\n",
        "Name(x) Assign !unterminated triple-quoted string literal (detected at line 2)",
    );
    check("b'é'", "!bytes can only contain ASCII literal characters");
    check(
        r"'\xZ'",
        r"!(unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: truncated \xXX escape",
    );
    check(r#"'it\'s' "a\"b""#, r#"Str("it's") Str("a\"b")"#);
}

#[test]
fn names_comments_and_continuations() {
    check("héllo _x1 # comment\n", "Name(héllo) Name(_x1) Newline");
    check("a \\\n + b", "Name(a) Plus Name(b)");
    check(
        "a \\ b",
        "Name(a) !unexpected character after line continuation character",
    );
    check("x = €", "Name(x) Assign !invalid character '€' (U+20AC)");
    check("x = $", "Name(x) Assign !invalid syntax");
    check("x\u{a0}= 1", "!invalid non-printable character U+00A0");
    check(
        "print(\u{201c}hi\u{201d})",
        "Name(print) LParen !invalid character '\u{201c}' (U+201C)",
    );
    check(
        "a**=b//c->d:=e",
        "Name(a) DoubleStarEq Name(b) DoubleSlash Name(c) Arrow Name(d) Walrus Name(e)",
    );
    check("match case _", "Name(match) Name(case) Name(_)");
}
