//! Code generation tests on real source: exact disassembly of small programs
//! (`tests/snapshot.rs`), CPython's messages for misplaced statements and bad targets, the
//! whole example corpus compiling with a consistent stack (the check in `exit_unit` runs on
//! every unit), and scope resolution compared with CPython's `symtable`.

mod exec;
mod programs;
mod snapshot;

use super::compile_module;
use crate::compile::code::{CodeKind, CodeObject, Const, Instr};
use crate::compile::disasm::disassemble;
use crate::syntax::span::Source;
use std::rc::Rc;

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

/// The code object of the first function defined in `src`.
fn first_function(src: &str) -> Rc<CodeObject> {
    let module = compile_src(src, false).unwrap();
    module
        .consts
        .iter()
        .find_map(|c| match c {
            Const::Code(code) => Some(code.clone()),
            _ => None,
        })
        .unwrap()
}

/// `APY_DIS=file cargo test --lib print_for_review -- --nocapture` prints a disassembly.
#[test]
fn print_for_review() {
    if let Ok(path) = std::env::var("APY_DIS") {
        println!("{}", dis_src(&std::fs::read_to_string(path).unwrap()));
    }
}

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

#[test]
fn scope_dump_matches_symtable() {
    let src = "def f(a):\n    def g():\n        return a + b\n    return g\n\
               class C:\n    def m(self):\n        return super().m()\n";
    let source = Source::new("<test>", src);
    let module = crate::syntax::parser::parse_module(&source).unwrap();
    let table = crate::compile::scope::analyze(&module, &source, false).unwrap();
    // CPython's symtable prints the same, except that it does not list the `__class__` cell.
    assert_eq!(
        crate::compile::scope::tests::dump(&table),
        "f: local=g cell=a\ng: free=a implicit=b\nclass C: cell=__class__\nm: local=self free=__class__ implicit=super"
    );
}

#[test]
fn function_kinds() {
    let kind = |src: &str| first_function(src).kind;
    assert_eq!(kind("def f():\n    return 1\n"), CodeKind::Function);
    assert_eq!(kind("def f():\n    yield 1\n"), CodeKind::Generator);
    assert_eq!(kind("async def f():\n    await g()\n"), CodeKind::Coroutine);
    assert_eq!(
        kind("async def f():\n    yield 1\n"),
        CodeKind::AsyncGenerator
    );
    assert_eq!(kind("x = (i for i in y)\n"), CodeKind::Generator);
    assert_eq!(kind("x = (await i for i in y)\n"), CodeKind::AsyncGenerator);
    assert_eq!(
        kind("async def f():\n    return [i async for i in y]\n"),
        CodeKind::Coroutine
    );
    assert_eq!(kind("class C:\n    pass\n"), CodeKind::Class);
}

#[test]
fn docstrings() {
    let f = first_function("def f():\n    \"Doc.\"\n    return 1\n");
    assert!(matches!(&f.consts[0], Const::Str(doc) if &**doc == "Doc."));
    let g = first_function("def g():\n    return 1\n");
    assert!(matches!(g.consts[0], Const::None));
    assert!(dis_src("class C:\n    \"Doc.\"\n").contains("StoreName          0      (__doc__)"));
}

#[test]
fn interactive_mode_echoes_and_awaits() {
    let code = compile_src("1 + 1\nawait f()\n", true).unwrap();
    assert_eq!(code.kind, CodeKind::Coroutine);
    assert_eq!(
        code.instrs
            .iter()
            .filter(|i| **i == Instr::PrintExpr)
            .count(),
        2
    );
    let plain = compile_src("x = 1\nx\n", true).unwrap();
    assert_eq!(plain.kind, CodeKind::Module);
    assert_eq!(error_of("await f()\n"), "'await' outside function");
}

#[test]
fn stack_sizes() {
    let code = compile_src("f(a, b, (c, d))\n", false).unwrap();
    assert_eq!(code.max_stack, 5);
    let loop_code = first_function("def f(xs):\n    for x in xs:\n        g(x)\n");
    assert_eq!(loop_code.max_stack, 3);
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

/// Parentheses nest up to 200 levels and other expressions up to the parser's depth bound
/// of 1000; compiling either must not exhaust a test thread's stack (the interpreter thread
/// has a much larger one).
#[test]
fn deep_nesting_compiles() {
    let parens = 195;
    let depth = 990;
    let expr = format!("{}1{}", "(-".repeat(parens), ")".repeat(parens));
    let mut src = format!(
        "x = {expr}\ny = {}0{}\n",
        "[".repeat(parens),
        "]".repeat(parens)
    );
    src.push_str(&format!("z = {}1\n", "not ".repeat(depth)));
    src.push_str(&format!("w = {}\n", vec!["a"; depth].join(" + ")));
    src.push_str(&format!("v = {}0\n", "lambda: ".repeat(depth)));
    if let Err(errors) = compile_src(&src, false) {
        panic!("{errors:?}");
    }
}
