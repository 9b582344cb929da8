//! The whole pipeline as short functions: read the program, parse, compile, run, and hand any
//! error to `diagnostics` for rendering. The only place (with the REPL) that joins every stage.

use crate::compile::codegen::compile_module;
use crate::compile::disasm::disassemble;
use crate::diagnostics::{render_diagnostic, render_traceback, Diagnostic};
use crate::stdlib::run_main;
use crate::syntax::parser::{dump_tokens, parse_module};
use crate::syntax::span::Source;
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::{Value, Vm, VmOptions};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::rc::Rc;

/// Where the program comes from.
pub enum Input {
    File(String),
    Code(String),
    Stdin,
    Repl,
}

/// What to do with the program.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Run,
    Disassemble,
    DumpTokens,
    DumpAst,
}

pub struct RunOptions {
    pub virtual_time: bool,
    pub mode: Mode,
    /// `sys.argv`: the program name first.
    pub argv: Vec<String>,
    /// Colour in diagnostics: stderr is a terminal and `NO_COLOR` is unset.
    pub color: bool,
}

impl RunOptions {
    pub fn from_env() -> RunOptions {
        RunOptions {
            virtual_time: std::env::var_os("APY_VIRTUAL_TIME").is_some_and(|v| v == "1"),
            mode: Mode::Run,
            argv: Vec::new(),
            color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// Runs the program and returns the process exit status.
pub fn run(input: Input, options: RunOptions) -> i32 {
    if let Input::Repl = input {
        return crate::repl::run(options.virtual_time, options.color);
    }
    let source = match load(input) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("apy: {message}");
            return 2;
        }
    };
    match options.mode {
        Mode::DumpTokens => {
            print!("{}", dump_tokens(&source));
            0
        }
        Mode::DumpAst => match parse_module(&source) {
            Ok(module) => {
                print!("{}", crate::syntax::ast_dump::dump_module(&module));
                0
            }
            Err(diags) => report(&diags, options.color),
        },
        Mode::Disassemble => match front_end(&source) {
            Ok(code) => {
                print!("{}", disassemble(&code));
                0
            }
            Err(diags) => report(&diags, options.color),
        },
        Mode::Run => execute(&source, options),
    }
}

fn load(input: Input) -> Result<Rc<Source>, String> {
    match input {
        Input::File(path) => std::fs::read_to_string(&path)
            .map(|text| Source::new(path.clone(), text))
            .map_err(|e| format!("can't open file '{path}': {e}")),
        Input::Code(text) => Ok(Source::new("<string>", text)),
        Input::Stdin => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(Source::new("<stdin>", text))
        }
        Input::Repl => Err("the interactive prompt reads no program".into()),
    }
}

fn front_end(source: &Rc<Source>) -> Result<Rc<crate::compile::code::CodeObject>, Vec<Diagnostic>> {
    let module = parse_module(source)?;
    compile_module(&module, source, false)
}

fn report(diags: &[Diagnostic], color: bool) -> i32 {
    let mut stderr = std::io::stderr().lock();
    for diag in diags {
        let _ = stderr.write_all(render_diagnostic(diag, color).as_bytes());
    }
    1
}

fn execute(source: &Rc<Source>, options: RunOptions) -> i32 {
    let code = match front_end(source) {
        Ok(code) => code,
        Err(diags) => return report(&diags, options.color),
    };
    let script_dir = Path::new(&source.name).parent().map(Path::to_path_buf);
    let outcome = crate::vm::run_main_with(
        code,
        VmOptions {
            argv: options.argv,
            virtual_time: options.virtual_time,
            script_dir,
            quiet: false,
            budget: None,
        },
        install_with_imports,
    );
    if let Some(tb) = &outcome.uncaught {
        let _ = std::io::stderr().write_all(render_traceback(tb, options.color).as_bytes());
    }
    outcome.exit_code
}

/// Runs `text` through every stage with output discarded, no input, the virtual clock and an
/// instruction budget, and returns the exit status. Used by the robustness test, which feeds
/// it thousands of mangled programs: whatever the text, this must return, never panic.
pub fn check_quietly(text: &str, budget: u64) -> i32 {
    let source = Source::new("<mutant>", text);
    let code = match front_end(&source) {
        Ok(code) => code,
        Err(diags) => {
            // Rendering is part of the pipeline too: it must survive any span.
            for diag in &diags {
                let _ = render_diagnostic(diag, false);
            }
            return 1;
        }
    };
    let outcome = run_main(
        code,
        VmOptions {
            argv: vec!["<mutant>".to_string()],
            virtual_time: true,
            script_dir: None,
            quiet: true,
            budget: Some(budget),
        },
    );
    if let Some(tb) = &outcome.uncaught {
        let _ = render_traceback(tb, false);
    }
    outcome.exit_code
}

/// A VM with the standard library and imports of `NAME.apy` files (the REPL's).
pub fn new_vm(options: VmOptions) -> Vm {
    let mut vm = Vm::new(options);
    install_with_imports(&mut vm);
    vm
}

/// The standard library plus imports of `NAME.apy` files beside the main script.
fn install_with_imports(vm: &mut Vm) {
    crate::stdlib::install(vm);
    vm.source_loader = Some(load_module_source);
}

/// `import name` for a `name.apy` next to the script: parse, compile and run it as module
/// `name`. `None` when there is no such file, so the import fails as CPython's does.
fn load_module_source(vm: &mut Vm, name: &str) -> Option<PResult<Value>> {
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let dir = vm.options.script_dir.clone().unwrap_or_default();
    let path = dir.join(format!("{name}.apy"));
    let text = std::fs::read_to_string(&path).ok()?;
    let source = Source::new(path.to_string_lossy().into_owned(), text);
    let code = match front_end(&source) {
        Ok(code) => code,
        Err(diags) => {
            let (kind, message) =
                diags
                    .first()
                    .map_or((ExcKind::SyntaxError, String::new()), |d| {
                        let kind = if d.kind == "IndentationError" {
                            ExcKind::IndentationError
                        } else {
                            ExcKind::SyntaxError
                        };
                        let line = d.source.line_of(d.span.start);
                        (
                            kind,
                            format!("{} ({}, line {line})", d.message, d.source.name),
                        )
                    });
            return Some(Err(Exc::new(kind, message)));
        }
    };
    Some(vm.exec_module(name, code))
}

#[cfg(test)]
mod tests {
    use super::check_quietly;

    /// The error that ends a program at a loop's back edge (here the instruction budget; a
    /// Ctrl-C is raised in the same place) belongs to the loop, so the `finally` around the
    /// loop runs.
    #[test]
    fn an_error_at_a_back_edge_runs_the_enclosing_finally() {
        let text = "try:\n    while True:\n        pass\nfinally:\n    raise SystemExit(7)\n";
        assert_eq!(check_quietly(text, 10_000), 7);
        let text = "i = 0\ntry:\n    for i in range(10**9):\n        i += 1\nfinally:\n    raise SystemExit(8)\n";
        assert_eq!(check_quietly(text, 10_000), 8);
    }
}
