//! The public face of the VM: `Vm` (interpreter state shared by every frame: types, builtins,
//! modules, recursion depth, the exception being handled, buffered stdout), `VmOptions`,
//! `Outcome`, and `run_main_with`, which runs a module as `__main__`.

use crate::compile::code::CodeObject;
use crate::diagnostics::Traceback;
use crate::vm::exception::{Exc, ExcKind, PResult};
use crate::vm::frame::{Frame, Frames};
use crate::vm::halt::Halt;
use crate::vm::object::dict::Dict;
use crate::vm::object::function::{Cells, Code, Native, NativeFn};
use crate::vm::object::misc::Module;
use crate::vm::object::str::PyStr;
use crate::vm::types::Types;
use crate::vm::value::Value;
use hashbrown::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

#[derive(Clone, Debug, Default)]
pub struct VmOptions {
    pub argv: Vec<String>,
    pub virtual_time: bool,
    pub script_dir: Option<PathBuf>,
    /// Discard output and read no input (`input()` sees end of file): for tests that run
    /// many programs in one process.
    pub quiet: bool,
    /// Stop the program with a RuntimeError after this many backward jumps and calls.
    pub budget: Option<u64>,
}

/// How a program ended, as plain data (it crosses back from the VM thread).
#[derive(Clone, Debug)]
pub struct Outcome {
    pub exit_code: i32,
    pub uncaught: Option<Traceback>,
}

/// Loads `name.apy` for an import: `None` if there is no such file.
pub type SourceLoader = fn(&mut Vm, &str) -> Option<PResult<Value>>;

/// Builds a built-in module's namespace.
pub type ModuleInit = fn(&mut Vm) -> PResult<Value>;

pub use crate::vm::clock::Clock;

pub struct Vm {
    pub types: Types,
    pub builtins: Rc<Dict>,
    /// Imported modules by name (`sys.modules`).
    pub modules: HashMap<String, Value>,
    /// Built-in modules that can be imported, by name.
    pub module_registry: HashMap<&'static str, ModuleInit>,
    /// Frames currently live across all dispatch loops (the recursion depth).
    pub depth: usize,
    pub recursion_limit: usize,
    /// The exception being handled (`None` outside handlers).
    pub handling: Value,
    /// The exception that last left a dispatch loop, until the loop below takes it (see
    /// `Vm::unwind`): one passing through native code keeps the context it was raised with.
    pub escaped: Value,
    /// The current `contextvars.Context`, once a program uses contextvars
    /// (`stdlib/contextvars.rs`); asyncio swaps each task's own in while it runs.
    pub context: Option<Value>,
    /// Buffered stdout, flushed at exit, before stderr writes and on `input()`.
    pub out: Vec<u8>,
    /// Containers whose repr is in progress (self-reference shows as `[...]`).
    pub repr_guard: Vec<usize>,
    pub options: VmOptions,
    /// The one clock `time.*` and every event loop read (loops hold clones of it).
    pub clock: Clock,
    /// Hook to load `name.apy` for an import (set by the pipeline, which can compile).
    pub source_loader: Option<SourceLoader>,
    /// Finished frames (`recycle`), boxes and buffers reused by `fast_call`.
    pub frame_pool: Frames,
    /// An emptied frame stack of a finished dispatch loop, for the next (`Vm::execute`).
    pub spare_frames: Frames,
    /// The cells of a recycled frame: none.
    no_cells: Cells,
    /// Native state of built-in modules (the `random` generator, ...), one value per type.
    /// (Few enough that a scan beats hashing the type id.)
    extensions: Vec<(std::any::TypeId, Box<dyn std::any::Any>)>,
    /// What is left of `VmOptions::budget` (`u64::MAX` without one).
    fuel: u64,
    /// Where stdout and stderr text goes instead of the process's streams (the REPL prints
    /// above its prompt through this).
    pub sink: Option<Box<dyn FnMut(String)>>,
    /// Nesting of dispatch loops and native calls: each `execute` and each native call is
    /// one level (green threads use it to tell a direct call from a nested one).
    pub nest: u32,
    /// `nest` inside the native a call instruction is calling (`Vm::call_direct`).
    pub direct_nest: u32,
    /// The green thread whose dispatch loop is running (`vm::green`).
    pub green: Option<crate::vm::green::GreenRun>,
    /// A switch a native or the slice counter asked of the running green thread: what to
    /// yield, and whether the resuming value is the call's result.
    pub switch_request: Option<(Value, bool)>,
    /// Set by `AsyncGenWrap`: the value the `YieldValue` right after it yields is the async
    /// generator's own (it finishes the `asend` awaitable), not one an inner `await` passes
    /// through. Taken by `finish_async_step`, the only driver of an async generator's frame.
    pub async_own_yield: bool,
}

impl Vm {
    pub fn new(options: VmOptions) -> Vm {
        let options_budget = options.budget.unwrap_or(u64::MAX);
        let mut vm = Vm {
            types: Types::new(),
            builtins: Rc::new(Dict::new()),
            modules: HashMap::new(),
            module_registry: HashMap::new(),
            depth: 0,
            recursion_limit: 1000,
            handling: Value::None,
            escaped: Value::None,
            context: None,
            out: Vec::with_capacity(1 << 16),
            repr_guard: Vec::new(),
            clock: if options.virtual_time {
                Clock::new_virtual()
            } else {
                Clock::new_real()
            },
            options,
            source_loader: None,
            extensions: Vec::new(),
            frame_pool: Vec::new(),
            spare_frames: Vec::new(),
            no_cells: Rc::new(Vec::new()),
            fuel: options_budget,
            sink: None,
            nest: 0,
            direct_nest: 0,
            green: None,
            switch_request: None,
            async_own_yield: false,
        };
        // Warnings queued by an earlier VM on this thread are not this program's.
        let _ = crate::vm::warnings::take();
        crate::vm::methods::register_all(&mut vm);
        for (name, cls) in vm.types.builtin_names() {
            vm.builtins.set_item_str(name, Value::Class(cls));
        }
        vm
    }

    /// A frame for `code` (locals unbound), in a recycled box when there is one.
    pub fn new_frame(&mut self, code: &Rc<Code>, globals: &Rc<Dict>, cells: &Cells) -> Box<Frame> {
        let Some(mut frame) = self.frame_pool.pop() else {
            return Frame::with_stack(code.clone(), globals.clone(), Vec::new(), cells.clone());
        };
        frame.make_room(code.n_slots, code.obj.is_generator_like());
        frame.stack.resize_with(code.n_locals(), || Value::Null);
        frame.start(code, globals, cells);
        frame
    }

    /// Keeps a finished frame's box and buffer for the next call (`fast_call`). What it
    /// held that a program could observe goes now; its code and globals stay until reuse.
    /// Inline: every return makes this call.
    #[inline(always)]
    pub fn recycle(&mut self, mut frame: Box<Frame>) {
        frame.stack.clear();
        if self.frame_pool.len() >= 256 || frame.stack.capacity() > 1024 {
            return;
        }
        // Each field is dropped only when it holds something (most frames hold nothing
        // there), which keeps a call's return cheap.
        if !frame.cells.is_empty() {
            frame.cells = self.no_cells.clone();
        }
        frame.clear_rare();
        frame.init = false;
        crate::vm::stack::push(&mut self.frame_pool, frame);
    }

    /// The module state of type `T`, created with `make` on first use.
    pub fn extension<T: 'static>(&mut self, make: fn() -> T) -> &mut T {
        let id = std::any::TypeId::of::<T>();
        let at = match self.extensions.iter().position(|(t, _)| *t == id) {
            Some(at) => at,
            None => {
                self.extensions.push((id, Box::new(make())));
                self.extensions.len() - 1
            }
        };
        let Some((_, entry)) = self.extensions.get_mut(at) else {
            unreachable_state()
        };
        match entry.downcast_mut::<T>() {
            Some(v) => v,
            None => unreachable_state(),
        }
    }

    pub fn native(name: &'static str, func: NativeFn) -> Value {
        Value::Native(Rc::new(Native {
            name,
            func,
            owner: None,
        }))
    }

    pub fn new_module(&mut self, name: &str) -> (Value, Rc<Dict>) {
        let dict = Value::new_dict();
        dict.set_item_str("__name__", Value::str(name));
        let module = Value::Module(Rc::new(Module {
            name: Rc::new(PyStr::new(name)),
            dict: dict.clone(),
        }));
        (module, dict)
    }

    /// Every backward jump, conditional or not, is a loop's back edge: the place to spend
    /// the budget and to let the cycle collector run. True when a running green thread's
    /// slice is over and it must switch (`vm::green`).
    #[inline]
    pub fn back_edge(&mut self) -> PResult<bool> {
        self.spend_fuel()?;
        if crate::vm::gc::should_collect() {
            crate::vm::gc::collect();
        }
        Ok(self.green.is_some() && self.slice_over())
    }

    /// Called on every backward jump and call: ends a program that ran out of its budget.
    #[inline(always)]
    pub fn spend_fuel(&mut self) -> PResult<()> {
        if self.fuel == 0 || crate::vm::interrupt::is_pending() {
            return self.spend_fuel_slow();
        }
        self.fuel -= 1;
        Ok(())
    }

    /// Spends `units` of the budget at once, for native work that grows with its operands
    /// (arithmetic on big integers): a loop that doubles a number's size each time must run
    /// out of a budget as surely as one that counts, and Ctrl-C must reach it.
    pub fn spend_fuel_for(&mut self, units: u64) -> PResult<()> {
        self.spend_fuel()?;
        match self.fuel.checked_sub(units) {
            Some(left) => {
                self.fuel = left;
                Ok(())
            }
            None => {
                self.fuel = 0;
                self.spend_fuel_slow()
            }
        }
    }

    /// `spend_fuel` when the budget is spent or Ctrl-C was pressed.
    #[cold]
    #[inline(never)]
    fn spend_fuel_slow(&mut self) -> PResult<()> {
        self.check_interrupt()?;
        if self.fuel == 0 {
            return Err(Exc::new(
                ExcKind::RuntimeError,
                "the program ran out of its instruction budget",
            ));
        }
        self.fuel -= 1;
        Ok(())
    }

    /// Raises `KeyboardInterrupt` if Ctrl-C was pressed since the last check.
    pub fn check_interrupt(&mut self) -> PResult<()> {
        if crate::vm::interrupt::take() {
            return Err(Exc::new(ExcKind::KeyboardInterrupt, ""));
        }
        Ok(())
    }

    /// Writes to stdout through the buffer.
    pub fn write_out(&mut self, text: &str) {
        if self.options.quiet {
            return;
        }
        self.out.extend_from_slice(text.as_bytes());
        if self.out.len() > 1 << 16 {
            self.flush_out();
        }
    }

    pub fn flush_out(&mut self) {
        if let Some(sink) = &mut self.sink {
            if !self.out.is_empty() {
                sink(String::from_utf8_lossy(&self.out).into_owned());
                self.out.clear();
            }
        } else {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(&self.out);
            let _ = stdout.flush();
            self.out.clear();
        }
        self.flush_warnings();
    }

    /// Writes the warnings destructors queued (see `warnings`) to stderr.
    fn flush_warnings(&mut self) {
        let pending = crate::vm::warnings::take();
        if pending.is_empty() || self.options.quiet {
            return;
        }
        for text in pending {
            match &mut self.sink {
                Some(sink) => sink(text),
                None => {
                    let mut stderr = std::io::stderr().lock();
                    let _ = stderr.write_all(text.as_bytes());
                    let _ = stderr.flush();
                }
            }
        }
    }

    pub fn write_err(&mut self, text: &str) {
        if self.options.quiet {
            return;
        }
        self.flush_out();
        if let Some(sink) = &mut self.sink {
            sink(text.to_owned());
            return;
        }
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(text.as_bytes());
        let _ = stderr.flush();
    }

    /// Runs a module-level code object against `globals` (the REPL calls this repeatedly).
    /// Marks the uncaught-exception path too: `uncaught` turns an exception that ended a
    /// program (or a REPL input) into an `Outcome`.
    pub fn run_code(&mut self, code: Rc<CodeObject>, globals: Rc<Dict>) -> PResult<Value> {
        let code = Code::load(code);
        let mut frame = Frame::new(code, globals.clone());
        frame.set_namespace(globals);
        match self.run_frame(frame) {
            (Halt::Returned(v), _) => Ok(v),
            (Halt::Raised(e), _) => Err(Exc::value(e)),
            (Halt::Yielded(_), _) => Err(Exc::runtime_error("'yield' outside function")),
            (Halt::Suspended { .. }, _) => Err(Exc::internal("a module body switched threads")),
        }
    }

    /// Runs `code` as the module `name` and returns the module. It is in `sys.modules` while
    /// it runs, so modules that import each other see a partial module (as in CPython), and
    /// is taken out again if running it fails.
    pub fn exec_module(&mut self, name: &str, code: Rc<CodeObject>) -> PResult<Value> {
        let (module, globals) = self.new_module(name);
        globals.set_item_str("__builtins__", Value::Dict(self.builtins.clone()));
        if let Some(file) = module_file(&code.source.name) {
            globals.set_item_str("__file__", Value::string(file));
        }
        self.modules.insert(name.to_owned(), module.clone());
        if let Err(e) = self.run_code(code, globals) {
            self.modules.remove(name);
            return Err(e);
        }
        Ok(module)
    }

    /// The coroutine a module compiled with a top-level `await` (the REPL's inputs) becomes:
    /// awaiting it runs the module's code against `globals`.
    pub fn module_coroutine(&mut self, code: Rc<CodeObject>, globals: Rc<Dict>) -> Value {
        let mut frame = Frame::new(Code::load(code), globals.clone());
        frame.set_namespace(globals);
        crate::vm::object::generator::Generator::new_value(frame)
    }

    /// A fresh `__main__` namespace.
    pub fn main_globals(&mut self) -> Rc<Dict> {
        let (module, dict) = self.new_module("__main__");
        dict.set_item_str("__builtins__", Value::Dict(self.builtins.clone()));
        self.modules.insert("__main__".to_owned(), module);
        dict
    }

    /// Runs the program and turns its end into an `Outcome` (printing SystemExit messages).
    pub fn run_main_code(&mut self, code: Rc<CodeObject>) -> Outcome {
        let globals = self.main_globals();
        if let Some(file) = module_file(&code.source.name) {
            globals.set_item_str("__file__", Value::string(file));
        }
        let res = self.run_code(code, globals);
        self.run_finalizers();
        let outcome = match res {
            Ok(_) => Outcome {
                exit_code: 0,
                uncaught: None,
            },
            Err(exc) => {
                let exc = self.exc_value(exc);
                self.uncaught(exc)
            }
        };
        self.flush_out();
        crate::vm::gc::collect_full();
        self.flush_warnings();
        outcome
    }

    pub fn uncaught(&mut self, exc: Value) -> Outcome {
        if self.exc_is(&exc, ExcKind::SystemExit) {
            let args = self.exc_args(&exc);
            let code = match args.as_slice() {
                [] | [Value::None] => 0,
                [Value::Int(i)] => *i as i32,
                [Value::Bool(b)] => b.get() as i32,
                [other] => {
                    let text = self.to_str(other).unwrap_or_default();
                    self.write_err(&format!("{text}\n"));
                    1
                }
                _ => {
                    let text = self.to_str(&Value::tuple(args.clone())).unwrap_or_default();
                    self.write_err(&format!("{text}\n"));
                    1
                }
            };
            return Outcome {
                exit_code: code,
                uncaught: None,
            };
        }
        self.flush_out();
        // As CPython, which ends by re-raising SIGINT: the shell sees 128 + 2.
        let interrupted = self.exc_is(&exc, ExcKind::KeyboardInterrupt);
        Outcome {
            exit_code: if interrupted { 130 } else { 1 },
            uncaught: Some(self.build_traceback(&exc)),
        }
    }
}

/// The extension map holds exactly one value per type id, so a failed downcast cannot happen;
/// this keeps the signature total without a panic in release builds.
fn unreachable_state() -> ! {
    debug_assert!(false, "extension state of the wrong type");
    std::process::abort()
}

/// A module's `__file__`, as CPython sets it: a source file's path made absolute (joined to
/// the working directory as given, not normalised), `<stdin>` for a program read from standard
/// input, and none for `-c`.
pub(crate) fn module_file(source_name: &str) -> Option<String> {
    match source_name {
        "<stdin>" => Some(source_name.to_owned()),
        name if name.starts_with('<') => None,
        name => {
            let path = std::path::Path::new(name);
            let absolute = match std::env::current_dir() {
                Ok(cwd) if path.is_relative() => cwd.join(path),
                _ => path.to_path_buf(),
            };
            Some(absolute.to_string_lossy().into_owned())
        }
    }
}

/// A source's name as Python code sees it (`__file__`, `co_filename`, the file in a task's
/// repr, the `traceback` module's text): a path made absolute as for `__file__`; `<string>`
/// and the like unchanged. The report of an uncaught error and apy's own reports keep the
/// name as given.
pub fn python_path(source_name: &str) -> String {
    module_file(source_name).unwrap_or_else(|| source_name.to_owned())
}

/// Runs `code` as `__main__` in a fresh VM that `install` fills with the standard library
/// (`stdlib::run_main` passes its installer; the VM itself never names the stdlib). Runs on
/// the current thread: wrap the whole pipeline in `run_on_big_stack` so native re-entrance
/// (reprs of deep structures, key functions) cannot overflow the Rust stack.
pub fn run_main_with(code: Rc<CodeObject>, options: VmOptions, install: fn(&mut Vm)) -> Outcome {
    let mut vm = Vm::new(options);
    install(&mut vm);
    vm.run_main_code(code)
}

/// Runs `f` on a thread with a 256 MiB stack and returns its result. Everything `Rc`-based
/// must be created inside `f`; only plain data crosses back.
pub fn run_on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    std::thread::Builder::new()
        .name("apy-vm".to_owned())
        .stack_size(256 << 20)
        .spawn(f)
        .ok()?
        .join()
        .ok()
}
