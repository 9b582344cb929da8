//! The parser driver: runs lexer → layout pass → the lalrpop-generated parser, and turns
//! lalrpop's raw errors into one plain sentence each. Large sources are parsed on a thread with
//! a big stack, so that dropping a rejected, absurdly deep tree cannot overflow the caller's.
//! This is the only module that names lalrpop types; the grammar itself lives in
//! `grammar/apy.lalrpop`, its action helpers in `grammar_util.rs`, error wording in
//! `parse_error.rs`, and the depth guard in `depth.rs`.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Expr, Module, Stmt, StmtKind};
use crate::syntax::depth::check_depth;
use crate::syntax::grammar_util::Top;
use crate::syntax::indent::{Layout, MAX_BRACKET_DEPTH};
use crate::syntax::lexer::{Lexer, Spanned, SyntaxFault};
use crate::syntax::parse_error::{describe, Failure};
use crate::syntax::span::{Source, Span};
use crate::syntax::token::Token;
use lalrpop_util::ParseError;
use std::rc::Rc;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused)]
    grammar,
    "/apy.rs"
);

type RawError = ParseError<usize, Token, SyntaxFault>;

/// Stack for the parsing thread. Parsing itself never recurses per nesting level, but dropping
/// a rejected, very deep tree does, so that happens here rather than on the caller's stack.
const PARSE_STACK_BYTES: usize = 512 << 20;

/// Parses a whole module. Errors: the first syntax error, as one diagnostic.
pub fn parse_module(source: &Rc<Source>) -> Result<Module, Vec<Diagnostic>> {
    parse_on_big_stack(source).map_err(|fault| vec![*fault.diag])
}

/// True when the only problem with `source` is that it ended too early: an open bracket, a
/// block header with no body yet, an unfinished triple-quoted string, a trailing backslash.
pub fn is_incomplete(source: &Rc<Source>) -> bool {
    matches!(parse_on_big_stack(source), Err(fault) if fault.incomplete)
}

/// The token stream after the layout pass, one token per line, for `--dump-tokens`.
pub fn dump_tokens(source: &Rc<Source>) -> String {
    let mut out = String::new();
    for item in Layout::new(Lexer::new(source, &source.text, 0), source) {
        match item {
            Ok((start, tok, end)) => {
                let line = source.line_of(start as u32);
                let col = source.column_of(start as u32);
                let text = source.text.get(start..end).unwrap_or("");
                out.push_str(&format!("{line}:{col} {} {text:?}\n", token_name(&tok)));
            }
            Err(fault) => {
                out.push_str(&format!("{}: {}\n", fault.diag.kind, fault.diag.message));
                break;
            }
        }
    }
    out
}

fn token_name(tok: &Token) -> String {
    match tok {
        Token::Name(_) => "Name".into(),
        Token::Number(_) => "Number".into(),
        Token::Str(_) => "String".into(),
        Token::Newline => "NEWLINE".into(),
        Token::Indent => "INDENT".into(),
        Token::Dedent => "DEDENT".into(),
        other => format!("{other:?}"),
    }
}

/// Lets the parsing thread borrow the caller's `Rc`s. Sound because the caller blocks in
/// `thread::scope` until the parsing thread has finished, so the reference counts are never
/// touched by two threads at once, and joining orders every access.
struct Handoff<T>(T);

// SAFETY: see the type's comment: only one thread uses the value at any time.
unsafe impl<T> Send for Handoff<T> {}

impl<T> Handoff<T> {
    fn into_inner(self) -> T {
        self.0
    }
}

fn parse_on_big_stack(source: &Rc<Source>) -> Result<Module, SyntaxFault> {
    on_big_stack(source, parse_here)
}

/// Sources up to this size are parsed on the caller's thread: no tree built from them can be
/// deeper than their length, and dropping a few thousand levels fits any thread's stack. This
/// spares REPL lines and small scripts the cost of a thread.
const SMALL_SOURCE_BYTES: usize = 4096;

/// Runs `parse` on a thread with a large stack (see `PARSE_STACK_BYTES`).
fn on_big_stack<T>(
    source: &Rc<Source>,
    parse: fn(&Rc<Source>) -> Result<T, SyntaxFault>,
) -> Result<T, SyntaxFault> {
    if source.text.len() <= SMALL_SOURCE_BYTES {
        return parse(source);
    }
    let input = Handoff(source.clone());
    let joined = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, move || {
                let source = input.into_inner();
                Handoff(parse(&source))
            });
        spawned.ok().map(|handle| handle.join())
    });
    match joined {
        Some(Ok(res)) => res.into_inner(),
        // A panic is a bug in the front end; let it surface where the caller can see it.
        Some(Err(payload)) => std::panic::resume_unwind(payload),
        // No thread could be started: parse on this thread, as deep as its stack allows.
        None => parse(source),
    }
}

/// Tokens up to the first lexical error, which is kept so the parser reports it only if it
/// gets that far (errors are reported in source order, as CPython does).
fn tokens(source: &Rc<Source>, text: &str, base: usize) -> (Vec<Spanned>, Option<SyntaxFault>) {
    let mut toks = Vec::new();
    for item in Layout::new(Lexer::new(source, text, base), source) {
        match item {
            Ok(tok) => toks.push(tok),
            Err(fault) => return (toks, Some(fault)),
        }
    }
    (toks, None)
}

fn run_parser(
    source: &Rc<Source>,
    toks: &[Spanned],
    lex_fault: Option<SyntaxFault>,
) -> Result<Top, SyntaxFault> {
    let stream = toks.iter().cloned().map(Ok).chain(lex_fault.map(Err));
    grammar::TopParser::new()
        .parse(source, stream)
        .map_err(|err| describe(source, toks, lower(err)))
}

fn parse_here(source: &Rc<Source>) -> Result<Module, SyntaxFault> {
    let (mut toks, lex_fault) = tokens(source, &source.text, 0);
    retag_with_parens(&mut toks);
    let body = match run_parser(source, &toks, lex_fault)? {
        Top::Module(body) => body,
        Top::Field(_) => Vec::new(),
    };
    let module = Module { body };
    check_depth(source, &module)?;
    Ok(module)
}

/// Parses `source` as one expression, as `eval()` does: leading blanks and trailing newlines
/// are allowed, a second line is not.
pub fn parse_expression(source: &Rc<Source>) -> Result<Expr, Vec<Diagnostic>> {
    on_big_stack(source, expression_here).map_err(|fault| vec![*fault.diag])
}

fn expression_here(source: &Rc<Source>) -> Result<Expr, SyntaxFault> {
    let text = source.text.trim_start_matches([' ', '\t']);
    let base = source.text.len() - text.len();
    let (mut toks, lex_fault) = tokens(source, text, base);
    // The layout pass measures the first line's blanks, which `eval()` ignores.
    if matches!(toks.first(), Some((_, Token::Indent, _))) {
        toks.remove(0);
    }
    if lex_fault.is_none() {
        while matches!(toks.last(), Some((_, Token::Newline | Token::Dedent, _))) {
            toks.pop();
        }
    }
    toks.insert(0, (base, Token::FieldStart, base));
    let Top::Field(expr) = run_parser(source, &toks, lex_fault)? else {
        let span = Span::new(base, source.text.len());
        let diag = Diagnostic::new("SyntaxError", "invalid syntax", source, span);
        return Err(SyntaxFault::new(diag));
    };
    // The depth guard walks statements, so the expression visits one briefly.
    let span = expr.span;
    let mut module = Module {
        body: vec![Stmt {
            kind: StmtKind::Expr(expr),
            span,
        }],
    };
    check_depth(source, &module)?;
    match module.body.pop().map(|stmt| stmt.kind) {
        Some(StmtKind::Expr(expr)) => Ok(expr),
        _ => Err(SyntaxFault::new(Diagnostic::new(
            "SyntaxError",
            "invalid syntax",
            source,
            span,
        ))),
    }
}

/// Parses the expression of an f-string replacement field at `start..end` of `source`.
pub fn parse_field(source: &Rc<Source>, start: usize, end: usize) -> Result<Expr, SyntaxFault> {
    let text = source.text.get(start..end).unwrap_or("");
    let mut toks = vec![(start, Token::FieldStart, start)];
    let mut lex_fault = None;
    let mut depth = 0usize;
    for item in Lexer::new(source, text, start) {
        match item {
            Ok((_, Token::Newline, _)) => {}
            Ok(tok) => {
                // The layout pass does not run over a field, so its bracket limit is kept here.
                match tok.1 {
                    Token::LParen | Token::LBracket | Token::LBrace => depth += 1,
                    Token::RParen | Token::RBracket | Token::RBrace => {
                        depth = depth.saturating_sub(1)
                    }
                    _ => {}
                }
                if depth > MAX_BRACKET_DEPTH {
                    let span = Span::new(tok.0, tok.2);
                    let diag =
                        Diagnostic::new("SyntaxError", "too many nested parentheses", source, span);
                    lex_fault = Some(SyntaxFault::new(diag));
                    break;
                }
                toks.push(tok);
            }
            Err(fault) => {
                lex_fault = Some(fault);
                break;
            }
        }
    }
    match run_parser(source, &toks, lex_fault) {
        Ok(Top::Field(expr)) => Ok(expr),
        Ok(Top::Module(_)) => Err(SyntaxFault::new(Diagnostic::new(
            "SyntaxError",
            "f-string: invalid syntax",
            source,
            Span::new(start, end),
        ))),
        Err(mut fault) => {
            if fault.incomplete {
                // The field's text ended early: inside an f-string that is plain bad syntax.
                fault.incomplete = false;
                fault.diag.message = "invalid syntax".to_string();
            }
            if !fault.diag.message.starts_with("f-string") {
                fault.diag.message = format!("f-string: {}", fault.diag.message);
            }
            Err(fault)
        }
    }
}

/// Marks the brackets of `with (a as b, c):`. A `(` right after `with` whose matching `)` is
/// directly followed by `:` encloses with-items, not a parenthesised expression; telling the
/// two apart in the grammar would need unbounded lookahead.
fn retag_with_parens(toks: &mut [Spanned]) {
    let mut idx = 0;
    while idx + 1 < toks.len() {
        let opens = toks[idx].1 == Token::With && toks[idx + 1].1 == Token::LParen;
        if opens {
            if let Some(close) = matching_paren(toks, idx + 1) {
                if toks.get(close + 1).is_some_and(|t| t.1 == Token::Colon) {
                    toks[idx + 1].1 = Token::WithLParen;
                    toks[close].1 = Token::WithRParen;
                }
            }
        }
        idx += 1;
    }
}

fn matching_paren(toks: &[Spanned], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (idx, tok) in toks.iter().enumerate().skip(open) {
        match tok.1 {
            Token::LParen | Token::LBracket | Token::LBrace => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(idx);
                }
            }
            _ => {}
        }
    }
    None
}

/// Converts lalrpop's error into the driver's own shape, so no other module names lalrpop.
fn lower(err: RawError) -> Failure {
    match err {
        ParseError::InvalidToken { location } => Failure::Token {
            start: location,
            end: location,
            tok: None,
            expected: Vec::new(),
        },
        ParseError::UnrecognizedEof { location, expected } => Failure::Eof { location, expected },
        ParseError::UnrecognizedToken {
            token: (start, tok, end),
            expected,
        } => Failure::Token {
            start,
            end,
            tok: Some(tok),
            expected,
        },
        ParseError::ExtraToken {
            token: (start, tok, end),
        } => Failure::Token {
            start,
            end,
            tok: Some(tok),
            expected: Vec::new(),
        },
        ParseError::User { error } => Failure::User(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Module, Vec<Diagnostic>> {
        parse_module(&Source::new("t.apy", text))
    }

    /// The compact dump of a good parse, or `kind: message @line:col` for an error.
    fn outcome(text: &str) -> String {
        match parse(text) {
            Ok(module) => crate::syntax::ast_dump::dump_module(&module)
                .trim_end()
                .to_string(),
            Err(diags) => {
                let d = &diags[0];
                let line = d.source.line_of(d.span.start);
                let col = d.source.column_of(d.span.start);
                format!("{}: {} @{line}:{col}", d.kind, d.message)
            }
        }
    }

    fn check(text: &str, expected: &str) {
        let shown: String = text.chars().take(80).collect();
        assert_eq!(outcome(text), expected, "input: {shown:?}");
    }

    fn span_text(text: &str, pick: impl Fn(&Module) -> crate::syntax::span::Span) -> String {
        let module = parse(text).unwrap();
        text[pick(&module).range()].to_string()
    }

    #[test]
    fn spans_cover_the_source() {
        use crate::syntax::ast::{ExprKind, FStringPart, StmtKind};
        let text = "if a:\n  x  # note\n\ny = 1\n";
        assert_eq!(span_text(text, |m| m.body[0].span), "if a:\n  x");
        assert_eq!(span_text(text, |m| m.body[1].span), "y = 1");
        let field = |m: &Module| match &m.body[0].kind {
            StmtKind::Expr(e) => match &e.kind {
                ExprKind::FString(parts) => match &parts[1] {
                    FStringPart::Field { value, .. } => value.span,
                    _ => unreachable!(),
                },
                _ => unreachable!(),
            },
            _ => unreachable!(),
        };
        assert_eq!(span_text("f'x{a + b}'", field), "a + b");
        let call = |m: &Module| match &m.body[0].kind {
            StmtKind::Assign { value, .. } => value.span,
            _ => unreachable!(),
        };
        assert_eq!(
            span_text("r = obj.method(1, *a)  # c", call),
            "obj.method(1, *a)"
        );
    }

    #[test]
    fn simple_statements() {
        check("a = b = 1", "(= a b 1)");
        check("a, *b = c", "(= (tuple a (* b)) c)");
        check("[a, (b, c)] = x", "(= (list a (tuple b c)) x)");
        check("x += 1; y //= 2;", "(+= x 1)\n(//= y 2)");
        check("x: int = 3\n(y): int", "(ann x int 3)\n(ann-complex y int)");
        check("del a, b[0], c.d", "(del a ([] b 0) (. c d))");
        check("pass\nbreak\ncontinue", "pass\nbreak\ncontinue");
        check("return\nreturn 1, 2", "(return)\n(return (tuple 1 2))");
        check("raise\nraise E from e", "(raise)\n(raise E from e)");
        check("global a, b\nnonlocal c", "(global a b)\n(nonlocal c)");
        check("assert x, 'm'", "(assert x \"m\")");
        check("import a.b as c, d", "(import a.b as c d)");
        check("from ..x import (y, z as w,)", "(from ..x import y z as w)");
        check("from . import y", "(from . import y)");
        check(
            "x = yield v\nyield\nyield from g",
            "(= x (yield v))\n(yield)\n(yield-from g)",
        );
    }

    #[test]
    fn compound_statements() {
        check(
            "if a:\n  x\nelif b:\n  y\nelse:\n  z",
            "(if a (then x) (else (if b (then y) (else z))))",
        );
        check("while x: pass\nelse: y", "(while x (then pass) (else y))");
        check(
            "for k, v in d.items():\n    pass",
            "(for (tuple k v) (call (. d items)) (do pass))",
        );
        check("async for x in y: pass", "(async-for x y (do pass))");
        check("with a as b, c: pass", "(with (a b) (c) (do pass))");
        check("with (a as b, c,): pass", "(with (a b) (c) (do pass))");
        check("with (a, b) as c: pass", "(with ((tuple a b) c) (do pass))");
        check(
            "try:\n x\nexcept E as e:\n y\nexcept:\n z\nelse:\n w\nfinally:\n v",
            "(try (do x) (except E as e (do y)) (except (do z)) (else w) (finally v))",
        );
        check("try: x\nexcept* E: y", "(try (do x) (except* E (do y)))");
        check(
            "@d\nasync def f(a, /, b=1, *c, d, e=2, **f) -> int:\n  return a",
            "@d (async-def f (a / b=1 *c d e=2 **f) -> int (do (return a)))",
        );
        check("def f(*, a): pass", "(def f (* a) (do pass))");
        check(
            "class A(B, metaclass=M): pass",
            "(class A (B metaclass=M) (do pass))",
        );
    }

    #[test]
    fn expressions() {
        check("-2**2", "(- (** 2 2))");
        check("2**-1**2", "(** 2 (- (** 1 2)))");
        check("a or b and not c", "(or a (and b (not c)))");
        check(
            "a < b <= c is not d not in e",
            "(cmp a < b <= c is not d not in e)",
        );
        check(
            "a | b ^ c & d << 1 + 2 * 3 @ m",
            "(| a (^ b (& c (<< d (+ 1 (@ (* 2 3) m))))))",
        );
        check("x if c else y", "(ifexp c x y)");
        check("lambda a, *b, c=1, **d: a", "(lambda (a *b c=1 **d) a)");
        check("(y := 3)", "(:= y 3)");
        check("await f(x)", "(await (call f x))");
        check("f(a, *b, c=1, **d)", "(call f a (* b) c=1 **d)");
        check("f(x for x in y)", "(call f (genexp x for x in y))");
        check(
            "a[1:2, ::3, 4]",
            "([] a (tuple (slice 1 2 _) (slice _ _ 3) 4))",
        );
        check("a[:]", "([] a (slice _ _ _))");
        check("a[*b]", "([] a (tuple (* b)))");
        check("{**a, 'b': 1}", "(dict **:a \"b\":1)");
        check("{1, *s}", "(set 1 (* s))");
        check("[*a, b]", "(list (* a) b)");
        check(
            "{}, (), [], (1,)",
            "(tuple (dict) (tuple) (list) (tuple 1))",
        );
        check(
            "[x*y async for x in a if x if y for y in b]",
            "(listcomp (* x y) async-for x in a if x if y for y in b)",
        );
        check(
            "{k: v for k, v in d}",
            "(dictcomp k v for (tuple k v) in d)",
        );
        check("{x for x in s}", "(setcomp x for x in s)");
        check("'a' 'b' \"c\"", "\"abc\"");
        check("b'a' b'b'", "b\"ab\"");
        check("...; None; True; 0x10; 1.5", "...\nNone\nTrue\n16\n1.5");
    }

    #[test]
    fn fstrings() {
        check("f'a{x}b'", "(f \"a\" {x} \"b\")");
        check("f'{x!r:>{w}}'", "(f {x !r :(f \">\" {w})})");
        check("f'{x=}'", "(f \"x=\" {x !r})");
        check("f'{x = :>3}'", "(f \"x = \" {x :(f \">3\")})");
        check("f'{{a}}' 'b' f\"{d['k']}\"", "(f \"{a}b\" {([] d \"k\")})");
        check("f'{a + b}'", "(f {(+ a b)})");
        check(
            "f'{x!z}'",
            "SyntaxError: f-string: invalid conversion character: expected 's', 'r', or 'a' @1:6",
        );
        check(
            "f'{}'",
            "SyntaxError: f-string: empty expression not allowed @1:4",
        );
        check(
            "f'{a b}'",
            "SyntaxError: f-string: invalid syntax. Perhaps you forgot a comma? @1:4",
        );
    }

    #[test]
    fn common_mistakes() {
        let cases = [
            ("if x\n  pass", "SyntaxError: expected ':' @1:5"),
            ("x = (1,\n2", "SyntaxError: '(' was never closed @1:5"),
            ("if x:\npass", "IndentationError: expected an indented block after 'if' statement on line 1 @2:1"),
            ("def f():\n\nx = 1", "IndentationError: expected an indented block after function definition on line 1 @3:1"),
            ("  x = 1", "IndentationError: unexpected indent @1:3"),
            ("if x:\n    a\n  b", "IndentationError: unindent does not match any outer indentation level @3:1"),
            ("x = 'abc\n", "SyntaxError: unterminated string literal (detected at line 1) @1:5"),
            ("x = '''abc\n\ny", "SyntaxError: unterminated triple-quoted string literal (detected at line 3) @1:5"),
            ("1 = x", "SyntaxError: cannot assign to literal here. Maybe you meant '==' instead of '='? @1:1"),
            ("f() = 1", "SyntaxError: cannot assign to function call here. Maybe you meant '==' instead of '='? @1:1"),
            ("x = )", "SyntaxError: unmatched ')' @1:5"),
            ("f(a b)", "SyntaxError: invalid syntax. Perhaps you forgot a comma? @1:3"),
            ("print 'x'", "SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)? @1:1"),
            ("def f(a=1, b): pass", "SyntaxError: non-default argument follows default argument @1:12"),
            ("def f(a, a): pass", "SyntaxError: duplicate argument 'a' in function definition @1:10"),
            ("f(a=1, b)", "SyntaxError: positional argument follows keyword argument @1:8"),
            ("*a = 1", "SyntaxError: starred assignment target must be in a list or tuple @1:1"),
            ("x = *a", "SyntaxError: can't use starred expression here @1:5"),
            ("a, b += 1", "SyntaxError: 'tuple' is an illegal expression for augmented assignment @1:1"),
            ("del f()", "SyntaxError: cannot delete function call @1:5"),
            ("if x = 3:\n pass", "SyntaxError: invalid syntax. Maybe you meant '==' or ':=' instead of '='? @1:4"),
            ("x = 1 +", "SyntaxError: invalid syntax @1:8"),
            ("x = 1 if y", "SyntaxError: expected 'else' after 'if' expression @1:11"),
            ("f(x for x in y, 1)", "SyntaxError: Generator expression must be parenthesized @1:3"),
            ("x = 1j", "SyntaxError: imaginary literals are not supported @1:5"),
            ("else:\n pass", "SyntaxError: invalid syntax @1:1"),
            ("x = (]", "SyntaxError: closing parenthesis ']' does not match opening parenthesis '(' @1:6"),
            ("try:\n pass\nexcept* A:\n pass\nexcept B:\n pass", "SyntaxError: cannot have both 'except' and 'except*' on the same 'try' @5:1"),
        ];
        let more = [
            (
                "try:\n  x\nexcept E, F:\n  pass\n",
                "SyntaxError: multiple exception types must be parenthesized @3:9",
            ),
            (
                "f(a for a in b, )\n",
                "SyntaxError: Generator expression must be parenthesized @1:3",
            ),
            ("def f(x y):\n  pass\n", "SyntaxError: invalid syntax @1:9"),
            (
                "x = [\n  1,\n  2\n",
                "SyntaxError: '[' was never closed @1:5",
            ),
            (
                "foo = bar(\n  1,\n  2\nbaz = 3\n",
                "SyntaxError: '(' was never closed @1:10",
            ),
            (
                "d = {'a': 1 'b': 2}\n",
                "SyntaxError: invalid syntax. Perhaps you forgot a comma? @1:11",
            ),
            ("x = 1 === 2\n", "SyntaxError: invalid syntax @1:9"),
            (
                "try:\n  pass\nx = 1\n",
                "SyntaxError: expected 'except' or 'finally' block @3:1",
            ),
            (
                "*a, *b = c\n",
                "SyntaxError: multiple starred expressions in assignment @1:5",
            ),
            (
                "def f(a, /, /): pass\n",
                "SyntaxError: / may appear only once @1:13",
            ),
            (
                "def f(*, **k): pass\n",
                "SyntaxError: named arguments must follow bare * @1:7",
            ),
            (
                "f(**k, *a)\n",
                "SyntaxError: iterable argument unpacking follows keyword argument unpacking @1:8",
            ),
            (
                "f(a.b=1)\n",
                "SyntaxError: expression cannot contain assignment, perhaps you meant \"==\"? @1:3",
            ),
            (
                "(a.b := 1)\n",
                "SyntaxError: cannot use assignment expressions with attribute @1:2",
            ),
            (
                "x = yield = 1\n",
                "SyntaxError: assignment to yield expression not possible @1:5",
            ),
            ("None = 1\n", "SyntaxError: cannot assign to None @1:1"),
            ("whille x:\n  pass\n", "SyntaxError: invalid syntax @1:8"),
            (
                "[x for f() in y]\n",
                "SyntaxError: cannot assign to function call @1:8",
            ),
            (
                "[x for *a in y]\n",
                "SyntaxError: starred assignment target must be in a list or tuple @1:8",
            ),
            (
                "if a:\n  pass\nelse if x:\n  pass\n",
                "SyntaxError: expected ':' @3:6",
            ),
            (
                "x = {\"a\": 1, \"b\" 2}\n",
                "SyntaxError: ':' expected after dictionary key @1:14",
            ),
            (
                "x\u{a0}= 1\n",
                "SyntaxError: invalid non-printable character U+00A0 @1:2",
            ),
        ];
        for (text, expected) in cases.into_iter().chain(more) {
            check(text, expected);
        }
    }

    #[test]
    fn expressions_for_eval() {
        let eval = |text: &str| match parse_expression(&Source::new("<string>", text)) {
            Ok(e) => {
                let mut out = String::new();
                let module = Module {
                    body: vec![crate::syntax::ast::Stmt {
                        span: e.span,
                        kind: crate::syntax::ast::StmtKind::Expr(e),
                    }],
                };
                out.push_str(crate::syntax::ast_dump::dump_module(&module).trim_end());
                out
            }
            Err(d) => format!("{}: {}", d[0].kind, d[0].message),
        };
        assert_eq!(eval("  1 + 2\n\n"), "(+ 1 2)");
        assert_eq!(eval("(1,\n 2)"), "(tuple 1 2)");
        assert_eq!(eval("1\n2"), "SyntaxError: invalid syntax");
        assert_eq!(
            eval("x = 1"),
            "SyntaxError: invalid syntax. Maybe you meant '==' or ':=' instead of '='?"
        );
    }

    #[test]
    fn token_dump() {
        let src = Source::new("t", "if x:\n    print(f'{x!r}', 0x1F)\n");
        let expected = [
            "1:1 If \"if\"",
            "1:4 Name \"x\"",
            "1:5 Colon \":\"",
            "1:6 NEWLINE \"\"",
            "2:1 INDENT \"    \"",
            "2:5 Name \"print\"",
            "2:10 LParen \"(\"",
            "2:11 String \"f'{x!r}'\"",
            "2:19 Comma \",\"",
            "2:21 Number \"0x1F\"",
            "2:25 RParen \")\"",
            "2:26 NEWLINE \"\"",
            "2:26 DEDENT \"\"",
        ];
        assert_eq!(dump_tokens(&src), expected.join("\n") + "\n");
        let bad = Source::new("t", "x = (1,\n");
        assert!(dump_tokens(&bad).ends_with("SyntaxError: '(' was never closed\n"));
    }

    #[test]
    fn incomplete_input() {
        let incomplete = |text: &str| is_incomplete(&Source::new("<stdin>", text));
        assert!(incomplete("if x:\n"));
        assert!(incomplete("x = (1,\n"));
        assert!(incomplete("s = '''abc\n"));
        assert!(incomplete("x = 1 + \\\n"));
        assert!(incomplete("x = 1 + \\"));
        assert!(incomplete("s = 'abc\\\n"));
        assert!(!incomplete("s = 'abc"));
        assert!(incomplete("@dec\n"));
        assert!(incomplete("def f():\n    if x:\n"));
        assert!(!incomplete("x = 1\n"));
        assert!(!incomplete("x = 1 +\n"));
        assert!(!incomplete("x = (1,]\n"));
        assert!(!incomplete("if x:\n    pass\n"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let sum = format!("x = {}1", "1+".repeat(200_000));
        assert!(outcome(&sum)
            .starts_with("RecursionError: maximum recursion depth exceeded during compilation"));
        let brackets = format!("x = {}", "(".repeat(100_000));
        check(&brackets, "SyntaxError: too many nested parentheses @1:205");
        let unary = format!("x = {}1", "-".repeat(100_000));
        assert!(outcome(&unary).starts_with("RecursionError"));
        let attrs = format!("x = a{}", ".b".repeat(100_000));
        assert!(outcome(&attrs).starts_with("RecursionError"));
        let sum_err = format!("x = {}1 )", "1+".repeat(200_000));
        assert!(outcome(&sum_err).starts_with("SyntaxError"));
        let long_sum = format!("x = {}1", "1+".repeat(999));
        assert!(parse(&long_sum).is_ok());
        let too_long_sum = format!("x = {}1", "1+".repeat(1000));
        assert!(outcome(&too_long_sum).starts_with("RecursionError"));
        let deep_field = format!("f'{{{}1{}}}'", "[".repeat(100_000), "]".repeat(100_000));
        assert!(outcome(&deep_field).contains("too many nested parentheses"));
        let nested_ok = format!("x = {}1{}", "(".repeat(150), ")".repeat(150));
        check(&nested_ok, "(= x 1)");
    }

    #[test]
    fn windows_line_endings() {
        check(
            "if a:\r\n    x = '''1\r\n2'''\r\n# c\r\ny = \\\r\n 3\r\n",
            "(if a (then (= x \"1\\n2\")))\n(= y 3)",
        );
    }

    #[test]
    fn bench_programs_parse() {
        let Ok(dir) = std::fs::read_dir("/work/shared/bench/progs") else {
            return;
        };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "py") {
                let text = std::fs::read_to_string(&path).unwrap();
                if let Err(diags) = parse(&text) {
                    let d = &diags[0];
                    let line = d.source.line_of(d.span.start);
                    panic!("{}:{line}: {}", path.display(), d.message);
                }
            }
        }
    }
}
