//! Tests for `parser.rs`: parses of every statement kind (compared as compact dumps),
//! CPython's messages for common mistakes, incomplete input, deep nesting, spans.

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
        (
            "from x import a,\n",
            "SyntaxError: trailing comma not allowed without surrounding parentheses @1:17",
        ),
        (
            "for a and b in y: pass\n",
            "SyntaxError: cannot assign to expression @1:5",
        ),
        (
            "del a if b else c\n",
            "SyntaxError: cannot delete conditional expression @1:5",
        ),
        (
            "with a as lambda: 1: pass\n",
            "SyntaxError: cannot assign to lambda @1:11",
        ),
        (
            "[x for a if b else c in y]\n",
            "SyntaxError: cannot assign to conditional expression @1:8",
        ),
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
fn repl_continuation() {
    let more = |text: &str| needs_more_input(&Source::new("<stdin>", text));
    assert!(more("if x:\n"));
    assert!(more("if x:\n    pass\n"));
    assert!(more("if x: pass\n"));
    assert!(more("def f():\n    return 1"));
    assert!(more("x = (1,\n"));
    assert!(!more("if x:\n    pass\n\n"));
    assert!(!more("if x:\n    pass\n    \n"));
    assert!(!more("x = 1\n"));
    assert!(!more("x = 1"));
    assert!(!more("x = 1 +\n"));
    assert!(!more(""));
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
    // Dropping a rejected deep tree recurses: give it the interpreter thread's stack size.
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(deep_nesting_cases)
        .expect("thread starts")
        .join()
        .expect("no panic");
}

fn deep_nesting_cases() {
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
    let many_fors = format!("[x {}]", "for ".repeat(50_000));
    assert!(outcome(&many_fors).starts_with("SyntaxError"));
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

#[test]
fn match_statements_and_soft_keywords() {
    check(
        "match p:\n    case [1, *rest] | (2, *rest):\n        x\n    case {'k': v, **kw} if v:\n        y\n    case P(a, b=2) as q:\n        z\n    case _: w",
        "(match p (case (or (seq 1 *rest) (seq 2 *rest)) (do x)) (case (map (\"k\" v) **kw) (if v) (do y)) (case (as (class P a b=2) q) (do z)) (case _ (do w)))",
    );
    check(
        "match a, b:\n case -1, x.y: pass",
        "(match (tuple a b) (case (seq (- 1) (. x y)) (do pass)))",
    );
    // Outside a statement header, `match` and `case` are names.
    check("match = 1\ncase = match", "(= match 1)\n(= case match)");
    check("match(x)\nmatch.y = 2", "(call match x)\n(= (. match y) 2)");
    check("print(match, case)", "(call print match case)");
    check(
        "match x:\n    case a as _: pass",
        "SyntaxError: cannot use '_' as a target @2:15",
    );
    check(
        "match x:\n    case P(a=1, 2): pass",
        "SyntaxError: positional patterns follow keyword patterns @2:17",
    );
    assert!(is_incomplete(&Source::new("<stdin>", "match x:\n")));
}
