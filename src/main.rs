//! The `apy` command line: parses flags, runs a file, `-c` code or stdin, and sets the exit
//! code (0 success, 1 uncaught error, 2 bad usage). Everything runs on one thread with a large
//! stack, so that deep native re-entrance ends in RecursionError rather than a crash.

use apy::pipeline::{self, Input, Mode, RunOptions};
use std::io::IsTerminal;
use std::process::ExitCode;

mod alloc;

#[global_allocator]
static ALLOCATOR: alloc::Mimalloc = alloc::Mimalloc;

const USAGE: &str = "\
usage: apy [options] [FILE | -c CODE | -] [ARGS...]

Runs an apy program (a subset of Python 3.11 with asyncio built in).

  FILE              run the program in FILE; ARGS become sys.argv[1:]
  -c CODE           run CODE
  -                 read the program from standard input
  (nothing)         read the program from standard input when it is not a terminal

options:
  --virtual-time    run on a virtual clock that jumps to the next timer (also APY_VIRTUAL_TIME=1)
  --dis             print the bytecode of the program instead of running it
  --dump-tokens     print the token stream instead of running the program
  --dump-ast        print the syntax tree instead of running the program
  -h, --help        show this help
  -V, --version     show the version
";

/// Stack for the interpreter thread: generous, because only touched pages cost memory.
const STACK_SIZE: usize = 1 << 30;

fn parse_args() -> Result<Option<(Input, RunOptions)>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut options = RunOptions::from_env();
    let mut input = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("virtual-time") => options.virtual_time = true,
            Long("dis") => options.mode = Mode::Disassemble,
            Long("dump-tokens") => options.mode = Mode::DumpTokens,
            Long("dump-ast") => options.mode = Mode::DumpAst,
            Short('h') | Long("help") => {
                print!("{USAGE}");
                return Ok(None);
            }
            Short('V') | Long("version") => {
                println!("apy {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            Short('c') => {
                let code = parser.value()?.string()?;
                options.argv.push("-c".to_string());
                input = Some(Input::Code(code));
                break;
            }
            Value(value) => {
                let name = value.string()?;
                options.argv.push(name.clone());
                input = Some(if name == "-" {
                    Input::Stdin
                } else {
                    Input::File(name)
                });
                break;
            }
            _ => return Err(arg.unexpected()),
        }
    }
    for rest in parser.raw_args()? {
        options.argv.push(rest.string()?);
    }
    let input = match input {
        Some(input) => input,
        None if std::io::stdin().is_terminal() => Input::Repl,
        None => {
            options.argv.push(String::new());
            Input::Stdin
        }
    };
    Ok(Some((input, options)))
}

/// Ctrl-C asks the VM to raise `KeyboardInterrupt` where it is. A second Ctrl-C before the
/// first was noticed (a native computation that never returns to the dispatch loop) ends the
/// process the way an unhandled SIGINT does.
fn install_interrupt_handler() {
    let Ok(mut signals) = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT]) else {
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("apy-sigint".to_string())
        .spawn(move || {
            for _ in signals.forever() {
                if apy::vm::interrupt::is_pending() {
                    eprintln!("\nKeyboardInterrupt");
                    std::process::exit(130);
                }
                apy::vm::interrupt::request();
            }
        });
    drop(spawned);
}

fn main() -> ExitCode {
    let (input, options) = match parse_args() {
        Ok(Some(parsed)) => parsed,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("apy: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    install_interrupt_handler();
    let worker = std::thread::Builder::new()
        .name("apy".to_string())
        .stack_size(STACK_SIZE)
        .spawn(move || pipeline::run(input, options));
    let code = match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => {
            eprintln!("apy: internal error: the interpreter stopped unexpectedly");
            70
        }
        Err(e) => {
            eprintln!("apy: cannot start the interpreter thread: {e}");
            1
        }
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
