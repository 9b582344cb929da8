//! Code generation tests: small ASTs compiled and checked through their disassembly. The
//! stack-discipline check in `exit_unit` runs on every compiled unit as well.

use super::compile_module;
use crate::compile::disasm::disassemble;
use crate::syntax::ast::*;
use crate::syntax::span::{Source, Span};

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
