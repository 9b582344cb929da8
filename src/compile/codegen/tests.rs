//! Code generation tests: small ASTs compiled and checked through their disassembly. The
//! stack-discipline check in `exit_unit` runs on every compiled unit as well.

use super::compile_module;
use crate::compile::code::CodeObject;
use crate::compile::disasm::disassemble;
use crate::syntax::ast::*;
use crate::syntax::span::{Source, Span};
use std::rc::Rc;

mod build {
    //! A tiny AST builder: every node gets an empty span.
    use super::*;

    pub fn sp() -> Span {
        Span::default()
    }
    pub fn ident(name: &str) -> Ident {
        Ident {
            name: name.into(),
            span: sp(),
        }
    }
    pub fn e(kind: ExprKind) -> Expr {
        Expr { kind, span: sp() }
    }
    pub fn st(kind: StmtKind) -> Stmt {
        Stmt { kind, span: sp() }
    }
    pub fn name(id: &str) -> Expr {
        e(ExprKind::Name(ident(id)))
    }
    pub fn int(value: i64) -> Expr {
        e(ExprKind::Constant(Constant::Int(value.into())))
    }
    pub fn string(text: &str) -> Expr {
        e(ExprKind::Constant(Constant::Str(text.into())))
    }
    pub fn bin(left: Expr, op: BinOp, right: Expr) -> Expr {
        e(ExprKind::BinOp {
            left: Box::new(left),
            op,
            right: Box::new(right),
        })
    }
    pub fn call(func: Expr, args: Vec<Expr>) -> Expr {
        e(ExprKind::Call {
            func: Box::new(func),
            args,
            keywords: Vec::new(),
        })
    }
    pub fn attr(value: Expr, attr: &str) -> Expr {
        e(ExprKind::Attribute {
            value: Box::new(value),
            attr: ident(attr),
        })
    }
    pub fn compare(left: Expr, ops: Vec<CmpOp>, comparators: Vec<Expr>) -> Expr {
        e(ExprKind::Compare {
            left: Box::new(left),
            ops,
            comparators,
        })
    }
    pub fn assign(target: Expr, value: Expr) -> Stmt {
        st(StmtKind::Assign {
            targets: vec![target],
            value,
        })
    }
    pub fn expr(value: Expr) -> Stmt {
        st(StmtKind::Expr(value))
    }
    pub fn ret(value: Expr) -> Stmt {
        st(StmtKind::Return(Some(value)))
    }
    pub fn params(names: &[&str]) -> Arguments {
        Arguments {
            args: names
                .iter()
                .map(|n| Arg {
                    name: ident(n),
                    annotation: None,
                })
                .collect(),
            ..Arguments::default()
        }
    }
    pub fn def(name: &str, args: &[&str], body: Vec<Stmt>) -> Stmt {
        st(StmtKind::FunctionDef(Box::new(FunctionDef {
            name: ident(name),
            args: params(args),
            body,
            decorators: Vec::new(),
            returns: None,
            is_async: false,
        })))
    }
    pub fn class(name: &str, body: Vec<Stmt>) -> Stmt {
        st(StmtKind::ClassDef(Box::new(ClassDef {
            name: ident(name),
            bases: Vec::new(),
            keywords: Vec::new(),
            body,
            decorators: Vec::new(),
        })))
    }
    pub fn try_stmt(body: Vec<Stmt>, handlers: Vec<ExceptHandler>, finalbody: Vec<Stmt>) -> Stmt {
        st(StmtKind::Try {
            body,
            handlers,
            orelse: Vec::new(),
            finalbody,
            is_star: false,
        })
    }
    pub fn handler(typ: Option<Expr>, name: Option<&str>, body: Vec<Stmt>) -> ExceptHandler {
        ExceptHandler {
            typ,
            name: name.map(ident),
            body,
            span: sp(),
        }
    }
}

use build::*;

/// Compiles every example and benchmark program: no compile errors except in the examples
/// that test syntax errors, and the stack check in `exit_unit` passes everywhere. With
/// `APY_SCOPE_DUMP=dir`, writes each program's scope dump there (compared against CPython's
/// `symtable` by hand).
#[test]
fn corpus_compiles() {
    let mut files = Vec::new();
    collect_programs(std::path::Path::new("examples"), &mut files);
    if let Ok(extra) = std::env::var("APY_CORPUS") {
        collect_programs(std::path::Path::new(&extra), &mut files);
    }
    let dump_dir = std::env::var("APY_SCOPE_DUMP").ok();
    let mut problems = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let source = Source::new(path.display().to_string(), text.clone());
        let Ok(module) = crate::syntax::parser::parse_module(&source) else {
            continue;
        };
        let expects_error = text.contains("# expect: SyntaxError");
        match compile_module(&module, &source, false) {
            Ok(_) if expects_error => problems.push(format!("{}: compiled", path.display())),
            Err(errors) if !expects_error => {
                problems.push(format!("{}: {}", path.display(), errors[0].message))
            }
            _ => {}
        }
        if let (Some(dir), Ok(table)) = (
            &dump_dir,
            crate::compile::scope::analyze(&module, &source, false),
        ) {
            let name = path.display().to_string().replace('/', "_");
            let dump = crate::compile::scope::tests::dump(&table);
            std::fs::write(format!("{dir}/{name}.rs.txt"), dump).unwrap();
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn collect_programs(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_programs(&path, found);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "apy" || ext == "py")
        {
            found.push(path);
        }
    }
}

fn dis(body: Vec<Stmt>) -> String {
    let source = Source::new("<test>", "");
    let module = Module { body };
    match compile_module(&module, &source, false) {
        Ok(code) => disassemble(&code),
        Err(errors) => panic!("compile errors: {:?}", errors),
    }
}

fn errors(body: Vec<Stmt>) -> Vec<String> {
    let source = Source::new("<test>", "");
    let module = Module { body };
    match compile_module(&module, &source, false) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().map(|d| d.message).collect(),
    }
}

#[test]
fn assignment_and_call() {
    let text = dis(vec![
        assign(name("x"), bin(int(1), BinOp::Add, int(2))),
        expr(call(name("print"), vec![name("x")])),
        expr(call(attr(name("x"), "m"), vec![int(1)])),
    ]);
    println!("{text}");
    assert!(text.contains("Binary"));
}

#[test]
fn closure_and_class() {
    let text = dis(vec![
        def(
            "f",
            &["a"],
            vec![def("g", &[], vec![ret(name("a"))]), ret(name("g"))],
        ),
        class(
            "C",
            vec![def(
                "m",
                &["self"],
                vec![ret(call(attr(call(name("super"), vec![]), "m"), vec![]))],
            )],
        ),
    ]);
    println!("{text}");
}

#[test]
fn try_except_finally() {
    let text = dis(vec![try_stmt(
        vec![expr(call(name("f"), vec![]))],
        vec![handler(Some(name("E")), Some("e"), vec![expr(name("e"))])],
        vec![expr(call(name("g"), vec![]))],
    )]);
    println!("{text}");
}

#[test]
fn chained_compare() {
    let text = dis(vec![expr(compare(
        name("a"),
        vec![CmpOp::Lt, CmpOp::Lt],
        vec![name("b"), name("c")],
    ))]);
    println!("{text}");
}

#[test]
fn return_and_break_unwind_blocks() {
    let with = st(StmtKind::With {
        is_async: false,
        items: vec![WithItem {
            context: name("cm"),
            target: Some(name("v")),
        }],
        body: vec![
            st(StmtKind::If {
                test: name("v"),
                body: vec![st(StmtKind::Break)],
                orelse: vec![],
            }),
            ret(string("r")),
        ],
    });
    let body = vec![st(StmtKind::For {
        is_async: false,
        target: name("x"),
        iter: name("xs"),
        body: vec![try_stmt(
            vec![with],
            vec![],
            vec![expr(call(name("g"), vec![]))],
        )],
        orelse: vec![],
    })];
    let text = dis(vec![def("f", &[], body)]);
    println!("{text}");
}

#[test]
fn return_outside_function() {
    assert_eq!(errors(vec![ret(int(1))]), vec!["'return' outside function"]);
}

fn comp(target: &str, iter: Expr, ifs: Vec<Expr>, is_async: bool) -> Comprehension {
    Comprehension {
        target: name(target),
        iter,
        ifs,
        is_async,
    }
}

#[test]
fn comprehensions_and_async() {
    let listcomp = e(ExprKind::ListComp {
        elt: Box::new(bin(name("x"), BinOp::Mul, name("y"))),
        generators: vec![
            comp("x", name("xs"), vec![name("x")], false),
            comp("y", name("x"), vec![], true),
        ],
    });
    let genexp = e(ExprKind::GeneratorExp {
        elt: Box::new(name("x")),
        generators: vec![comp("x", name("xs"), vec![], false)],
    });
    let dictcomp = e(ExprKind::DictComp {
        key: Box::new(name("k")),
        value: Box::new(name("k")),
        generators: vec![comp("k", name("ks"), vec![], false)],
    });
    let awaited = e(ExprKind::Await(Box::new(call(name("g"), vec![]))));
    let with = st(StmtKind::With {
        is_async: true,
        items: vec![WithItem {
            context: name("cm"),
            target: None,
        }],
        body: vec![expr(awaited)],
    });
    let mut f = def(
        "f",
        &[],
        vec![ret(listcomp), expr(genexp), expr(dictcomp), with],
    );
    if let StmtKind::FunctionDef(def) = &mut f.kind {
        def.is_async = true;
    }
    let text = dis(vec![f]);
    println!("{text}");
}

#[test]
fn scope_dump_of_closures() {
    let source = Source::new("<test>", "");
    let module = Module {
        body: vec![def(
            "f",
            &["a"],
            vec![
                def("g", &[], vec![ret(bin(name("a"), BinOp::Add, name("b")))]),
                ret(name("g")),
            ],
        )],
    };
    let table = crate::compile::scope::analyze(&module, &source, false).unwrap();
    assert_eq!(
        crate::compile::scope::tests::dump(&table),
        "f: local=g cell=a\ng: free=a implicit=b"
    );
}

fn compile_src(src: &str, interactive: bool) -> Result<Rc<CodeObject>, Vec<String>> {
    let source = Source::new("<test>", src);
    let module = crate::syntax::parser::parse_module(&source)
        .map_err(|errors| errors.into_iter().map(|d| d.message).collect::<Vec<_>>())?;
    compile_module(&module, &source, interactive)
        .map_err(|errors| errors.into_iter().map(|d| d.message).collect())
}

/// The disassembly of `src`, panicking on compile errors.
fn dis_src(src: &str) -> String {
    match compile_src(src, false) {
        Ok(code) => disassemble(&code),
        Err(errors) => panic!("compile errors: {errors:?}"),
    }
}

/// The first compile error of `src`.
fn error_of(src: &str) -> String {
    match compile_src(src, false) {
        Ok(_) => "compiled".into(),
        Err(errors) => errors.first().cloned().unwrap_or_default(),
    }
}

#[test]
fn print_for_review() {
    if let Ok(src) = std::env::var("APY_DIS") {
        println!("{}", dis_src(&std::fs::read_to_string(src).unwrap()));
    }
}
const ERROR_CASES: &[(&str, &str)] = &[
    ("await x\n", "'await' outside function"),
    ("class C:\n    await x\n", "'await' outside function"),
    ("def f():\n    await x\n", "'await' outside async function"),
    (
        "def f():\n    return [x async for x in y]\n",
        "asynchronous comprehension outside of an asynchronous function",
    ),
    (
        "def f():\n    [await x for x in y]\n",
        "asynchronous comprehension outside of an asynchronous function",
    ),
    (
        "async for x in y:\n    pass\n",
        "'async for' outside async function",
    ),
    (
        "def f():\n    async with x:\n        pass\n",
        "'async with' outside async function",
    ),
    (
        "def f():\n    x = 1\n    global x\n",
        "name 'x' is assigned to before global declaration",
    ),
    (
        "def f():\n    print(x)\n    global x\n",
        "name 'x' is used prior to global declaration",
    ),
    (
        "def f(x):\n    global x\n",
        "name 'x' is parameter and global",
    ),
    (
        "def f(x):\n    nonlocal x\n",
        "name 'x' is parameter and nonlocal",
    ),
    (
        "nonlocal x\n",
        "nonlocal declaration not allowed at module level",
    ),
    (
        "def f():\n    nonlocal x\n",
        "no binding for nonlocal 'x' found",
    ),
    (
        "def f():\n    x = 1\n    nonlocal x\n",
        "name 'x' is assigned to before nonlocal declaration",
    ),
    (
        "def f():\n    global x\n    nonlocal x\n",
        "name 'x' is nonlocal and global",
    ),
    (
        "async def f():\n    yield 1\n    return 2\n",
        "'return' with value in async generator",
    ),
    (
        "[(yield 1) for x in y]\n",
        "'yield' inside list comprehension",
    ),
    (
        "def f():\n    {(yield 1) for x in y}\n",
        "'yield' inside set comprehension",
    ),
    (
        "def f():\n    ((yield 1) for x in y)\n",
        "'yield' inside generator expression",
    ),
    (
        "def f():\n    {x: (yield) for x in y}\n",
        "'yield' inside dict comprehension",
    ),
    ("yield 1\n", "'yield' outside function"),
    ("class C:\n    yield 1\n", "'yield' outside function"),
    ("return 1\n", "'return' outside function"),
    ("class C:\n    return 1\n", "'return' outside function"),
    ("break\n", "'break' outside loop"),
    ("continue\n", "'continue' not properly in loop"),
    (
        "while x:\n    def f():\n        break\n",
        "'break' outside loop",
    ),
    (
        "try:\n    pass\nexcept* E:\n    break\n",
        "'break', 'continue' and 'return' cannot appear in an except* block",
    ),
    (
        "for x in y:\n    try:\n        pass\n    except* E:\n        continue\n",
        "'break', 'continue' and 'return' cannot appear in an except* block",
    ),
    (
        "def f():\n    try:\n        pass\n    except* E:\n        return\n",
        "'break', 'continue' and 'return' cannot appear in an except* block",
    ),
    (
        "async def f():\n    yield from x\n",
        "'yield from' inside async function",
    ),
    (
        "class C:\n    [(y := 1) for x in z]\n",
        "assignment expression within a comprehension cannot be used in a class body",
    ),
    (
        "def f(a, a):\n    pass\n",
        "duplicate argument 'a' in function definition",
    ),
    (
        "try:\n    pass\nexcept:\n    pass\nexcept E:\n    pass\n",
        "default 'except:' must be last",
    ),
    (
        "5 = x\n",
        "cannot assign to literal here. Maybe you meant '==' instead of '='?",
    ),
    (
        "f() = 1\n",
        "cannot assign to function call here. Maybe you meant '==' instead of '='?",
    ),
    ("(a, 5) = x\n", "cannot assign to literal"),
    (
        "x + 1 = 2\n",
        "cannot assign to expression here. Maybe you meant '==' instead of '='?",
    ),
    ("for 5 in x:\n    pass\n", "cannot assign to literal"),
    ("a = 5 = x\n", "cannot assign to literal"),
    ("del f()\n", "cannot delete function call"),
    (
        "(a, *b, *c) = d\n",
        "multiple starred expressions in assignment",
    ),
    ("None = 1\n", "cannot assign to None"),
    (
        "{1} = x\n",
        "cannot assign to set display here. Maybe you meant '==' instead of '='?",
    ),
    ("a < b = 1\n", "cannot assign to comparison"),
    ("f(a=1, a=2)\n", "keyword argument repeated: a"),
    ("print(x)\nreturn 2\n", "'return' outside function"),
];

/// Every case reports CPython's message (from the parser or from the compiler).
#[test]
fn errors_match_cpython() {
    let mismatches: Vec<String> = ERROR_CASES
        .iter()
        .filter(|(src, expected)| error_of(src) != *expected)
        .map(|(src, expected)| format!("{src:?}: got {:?}, want {expected:?}", error_of(src)))
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
