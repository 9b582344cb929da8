//! Small programs compiled and run by the test interpreter (`exec.rs`), their output compared
//! with what CPython 3.11 printed for them (`programs/NAME.py.expected`, produced by running
//! `programs/prelude.py.txt` followed by the program: it defines the `cm` context manager,
//! `sleep0` and `run` that the test interpreter has built in).

use super::exec::run_module;

fn run(src: &str, expected: &str) {
    let code = match super::compile_src(src, false) {
        Ok(code) => code,
        Err(errors) => panic!("compile errors: {errors:?}"),
    };
    let got = run_module(&code);
    assert_eq!(
        got,
        expected,
        "\n{}",
        crate::compile::disasm::disassemble(&code)
    );
}

#[test]
fn async_code() {
    run(
        include_str!("programs/async_code.py"),
        include_str!("programs/async_code.py.expected"),
    );
}

#[test]
fn classes() {
    run(
        include_str!("programs/classes.py"),
        include_str!("programs/classes.py.expected"),
    );
}

#[test]
fn closures() {
    run(
        include_str!("programs/closures.py"),
        include_str!("programs/closures.py.expected"),
    );
}

#[test]
fn displays() {
    run(
        include_str!("programs/displays.py"),
        include_str!("programs/displays.py.expected"),
    );
}

#[test]
fn exceptions() {
    run(
        include_str!("programs/exceptions.py"),
        include_str!("programs/exceptions.py.expected"),
    );
}

#[test]
fn finally_unwind() {
    run(
        include_str!("programs/finally_unwind.py"),
        include_str!("programs/finally_unwind.py.expected"),
    );
}

#[test]
fn generators() {
    run(
        include_str!("programs/generators.py"),
        include_str!("programs/generators.py.expected"),
    );
}

#[test]
fn loops() {
    run(
        include_str!("programs/loops.py"),
        include_str!("programs/loops.py.expected"),
    );
}

#[test]
fn with_blocks() {
    run(
        include_str!("programs/with_blocks.py"),
        include_str!("programs/with_blocks.py.expected"),
    );
}

#[test]
fn except_star() {
    run(
        include_str!("programs/except_star.py"),
        include_str!("programs/except_star.py.expected"),
    );
}

#[test]
fn async_with() {
    run(
        include_str!("programs/async_with.py"),
        include_str!("programs/async_with.py.expected"),
    );
}

#[test]
fn name_mangling() {
    run(
        include_str!("programs/name_mangling.py"),
        include_str!("programs/name_mangling.py.expected"),
    );
}

#[test]
fn none_tests() {
    run(
        include_str!("programs/none_tests.py"),
        include_str!("programs/none_tests.py.expected"),
    );
}
