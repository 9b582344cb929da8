//! Raising: the `Exc` error type every fallible VM function returns, the built-in exception
//! kinds with CPython's hierarchy, turning a raised exception into an instance, chaining, and
//! building the `Traceback` report for an uncaught exception.

use crate::diagnostics::{ChainLink, ExceptionReport, TraceFrame, Traceback};
use crate::vm::machine::Vm;
use crate::vm::object::class::{Instance, TbEntry};
use crate::vm::object::function::Args;
use crate::vm::value::Value;
use std::rc::Rc;

/// A raised exception, boxed whole: `Exc` is one pointer, so a `PResult<Value>` is two words
/// (an `Err` takes a tag no `Value` uses) and every fallible function returns its result in
/// two registers. (With the instance unboxed, a `PResult<Value>` was three words, returned
/// through memory.) Raising pays one small allocation.
pub struct Exc(Box<Raised>);

/// What an `Exc` holds: a built-in kind with a message, made into an instance only when
/// something looks at it, or an exception instance.
enum Raised {
    Lazy(ExcKind, String),
    Value(Value),
}

pub type PResult<T> = Result<T, Exc>;

macro_rules! exc_kinds {
    ($($kind:ident = $name:literal, $parent:ident;)*) => {
        /// The built-in exception classes, each with its parent (`BaseException` is its own).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ExcKind { $($kind),* }

        impl ExcKind {
            pub const ALL: &'static [ExcKind] = &[$(ExcKind::$kind),*];

            pub fn name(self) -> &'static str {
                match self { $(ExcKind::$kind => $name),* }
            }

            pub fn parent(self) -> ExcKind {
                match self { $(ExcKind::$kind => ExcKind::$parent),* }
            }
        }
    };
}

exc_kinds! {
    BaseException = "BaseException", BaseException;
    Exception = "Exception", BaseException;
    ArithmeticError = "ArithmeticError", Exception;
    ZeroDivisionError = "ZeroDivisionError", ArithmeticError;
    OverflowError = "OverflowError", ArithmeticError;
    LookupError = "LookupError", Exception;
    IndexError = "IndexError", LookupError;
    KeyError = "KeyError", LookupError;
    ValueError = "ValueError", Exception;
    UnicodeError = "UnicodeError", ValueError;
    UnicodeEncodeError = "UnicodeEncodeError", UnicodeError;
    UnicodeDecodeError = "UnicodeDecodeError", UnicodeError;
    TypeError = "TypeError", Exception;
    AttributeError = "AttributeError", Exception;
    NameError = "NameError", Exception;
    UnboundLocalError = "UnboundLocalError", NameError;
    RuntimeError = "RuntimeError", Exception;
    RecursionError = "RecursionError", RuntimeError;
    NotImplementedError = "NotImplementedError", RuntimeError;
    StopIteration = "StopIteration", Exception;
    StopAsyncIteration = "StopAsyncIteration", Exception;
    AssertionError = "AssertionError", Exception;
    KeyboardInterrupt = "KeyboardInterrupt", BaseException;
    SystemExit = "SystemExit", BaseException;
    GeneratorExit = "GeneratorExit", BaseException;
    OSError = "OSError", Exception;
    TimeoutError = "TimeoutError", OSError;
    FileNotFoundError = "FileNotFoundError", OSError;
    FileExistsError = "FileExistsError", OSError;
    IsADirectoryError = "IsADirectoryError", OSError;
    NotADirectoryError = "NotADirectoryError", OSError;
    PermissionError = "PermissionError", OSError;
    InterruptedError = "InterruptedError", OSError;
    BlockingIOError = "BlockingIOError", OSError;
    ChildProcessError = "ChildProcessError", OSError;
    ProcessLookupError = "ProcessLookupError", OSError;
    ConnectionError = "ConnectionError", OSError;
    BrokenPipeError = "BrokenPipeError", ConnectionError;
    ConnectionAbortedError = "ConnectionAbortedError", ConnectionError;
    ConnectionRefusedError = "ConnectionRefusedError", ConnectionError;
    ConnectionResetError = "ConnectionResetError", ConnectionError;
    ImportError = "ImportError", Exception;
    ModuleNotFoundError = "ModuleNotFoundError", ImportError;
    MemoryError = "MemoryError", Exception;
    EOFError = "EOFError", Exception;
    SyntaxError = "SyntaxError", Exception;
    IndentationError = "IndentationError", SyntaxError;
    TabError = "TabError", IndentationError;
    FloatingPointError = "FloatingPointError", ArithmeticError;
    BufferError = "BufferError", Exception;
    ReferenceError = "ReferenceError", Exception;
    SystemError = "SystemError", Exception;
    Warning = "Warning", Exception;
    UserWarning = "UserWarning", Warning;
    DeprecationWarning = "DeprecationWarning", Warning;
    PendingDeprecationWarning = "PendingDeprecationWarning", Warning;
    SyntaxWarning = "SyntaxWarning", Warning;
    RuntimeWarning = "RuntimeWarning", Warning;
    FutureWarning = "FutureWarning", Warning;
    ImportWarning = "ImportWarning", Warning;
    UnicodeWarning = "UnicodeWarning", Warning;
    BytesWarning = "BytesWarning", Warning;
    ResourceWarning = "ResourceWarning", Warning;
    BaseExceptionGroup = "BaseExceptionGroup", BaseException;
    ExceptionGroup = "ExceptionGroup", BaseExceptionGroup;
}

impl Exc {
    pub fn new(kind: ExcKind, msg: impl Into<String>) -> Exc {
        Exc(Box::new(Raised::Lazy(kind, msg.into())))
    }

    /// An exception instance (or whatever value is being raised) as an `Exc`.
    pub fn value(v: Value) -> Exc {
        Exc(Box::new(Raised::Value(v)))
    }

    pub fn type_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::TypeError, msg)
    }

    pub fn value_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::ValueError, msg)
    }

    pub fn index_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::IndexError, msg)
    }

    pub fn attribute_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::AttributeError, msg)
    }

    pub fn runtime_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::RuntimeError, msg)
    }

    pub fn overflow(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::OverflowError, msg)
    }

    pub fn zero_division(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::ZeroDivisionError, msg)
    }

    pub fn memory() -> Exc {
        Exc::new(ExcKind::MemoryError, "")
    }

    pub fn stop_iteration() -> Exc {
        Exc::new(ExcKind::StopIteration, "")
    }

    /// An internal invariant broke: reported as a RuntimeError rather than a crash.
    pub fn internal(what: &str) -> Exc {
        Exc::runtime_error(format!("internal error: {what}"))
    }

    /// The kind when known without materialising (lazy errors only).
    pub fn lazy_kind(&self) -> Option<ExcKind> {
        match &*self.0 {
            Raised::Lazy(kind, _) => Some(*kind),
            Raised::Value(_) => None,
        }
    }
}

impl Vm {
    /// The exception `Raise(n)` raises (`n` = 0 only without an exception being handled):
    /// `raise` (a `RuntimeError`), `raise exc` (`[exc]`) or `raise exc from cause`
    /// (`[exc cause]`).
    pub(crate) fn op_raise(&mut self, cur: &mut crate::vm::frame::Frame, n: u32) -> Exc {
        let mut pop = || {
            cur.stack
                .pop()
                .ok_or_else(|| Exc::internal("operand stack underflow"))
        };
        let made = match n {
            0 => return Exc::runtime_error("No active exception to reraise"),
            1 => pop().and_then(|exc| self.make_raise(exc, None)),
            _ => pop().and_then(|cause| {
                let exc = pop()?;
                self.make_raise(exc, Some(cause))
            }),
        };
        match made {
            Ok(e) => Exc::value(e),
            Err(e) => e,
        }
    }

    /// `raise exc [from cause]`: instantiates classes, checks types, sets the cause.
    pub(crate) fn make_raise(&mut self, exc: Value, cause: Option<Value>) -> PResult<Value> {
        let exc = self.exception_from(exc)?;
        if let Some(cause) = cause {
            let cause = if cause.is_none() {
                cause
            } else {
                self.exception_from(cause).map_err(|_| {
                    Exc::type_error("exception causes must derive from BaseException")
                })?
            };
            if let Value::Instance(inst) = &exc {
                if let Some(data) = &inst.exc {
                    *data.cause.borrow_mut() = cause;
                    data.suppress_context.set(true);
                }
            }
        }
        Ok(exc)
    }

    /// An exception instance from a raised value (a class is instantiated with no args).
    pub fn exception_from(&mut self, v: Value) -> PResult<Value> {
        match &v {
            Value::Instance(inst) if inst.exc.is_some() => Ok(v),
            Value::Class(cls) if cls.is_subclass(&self.types.exc(ExcKind::BaseException)) => {
                let cls = cls.clone();
                self.instantiate(&cls, Args::new(&[]))
            }
            _ => Err(Exc::type_error("exceptions must derive from BaseException")),
        }
    }

    /// The exception instance for `exc`.
    pub fn exc_value(&mut self, exc: Exc) -> Value {
        match *exc.0 {
            Raised::Value(v) => v,
            Raised::Lazy(kind, msg) => {
                let args = if msg.is_empty() && kind_has_empty_args(kind) {
                    Vec::new()
                } else {
                    vec![Value::string(msg)]
                };
                self.new_exception(kind, args)
            }
        }
    }

    pub fn new_exception(&mut self, kind: ExcKind, args: Vec<Value>) -> Value {
        let class = self.types.exc(kind);
        let inst = Instance::new_value(class);
        if let Value::Instance(i) = &inst {
            if let Some(data) = &i.exc {
                *data.args.borrow_mut() = Value::tuple(args);
            }
        }
        inst
    }

    /// `KeyError(key)`.
    pub fn key_error(&mut self, key: Value) -> Exc {
        Exc::value(self.new_exception(ExcKind::KeyError, vec![key]))
    }

    /// Does `exc` (an instance) belong to `kind`?
    pub fn exc_is(&self, exc: &Value, kind: ExcKind) -> bool {
        match exc {
            Value::Instance(inst) => inst.class.is_subclass(&self.types.exc(kind)),
            _ => false,
        }
    }

    /// Same test on an `Exc` without materialising a lazy one.
    pub fn exc_matches(&self, exc: &Exc, kind: ExcKind) -> bool {
        match &*exc.0 {
            Raised::Lazy(kind_raised, _) => {
                let mut cur = *kind_raised;
                loop {
                    if cur == kind {
                        return true;
                    }
                    if cur == ExcKind::BaseException {
                        return false;
                    }
                    cur = cur.parent();
                }
            }
            Raised::Value(v) => self.exc_is(v, kind),
        }
    }

    /// The `args` tuple of an exception instance.
    pub fn exc_args(&self, exc: &Value) -> Vec<Value> {
        match exc {
            Value::Instance(inst) => match inst.exc.as_ref().map(|d| d.args.borrow().clone()) {
                Some(Value::Tuple(t)) => t.items.to_vec(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    pub fn add_traceback(&self, exc: &Value, entry: TbEntry) {
        if let Value::Instance(inst) = exc {
            if let Some(data) = &inst.exc {
                data.traceback.borrow_mut().push(entry);
            }
        }
    }

    /// Implicit chaining: an exception raised while another is handled gets it as context.
    pub fn set_context(&self, exc: &Value, context: &Value) {
        if context.is_none() || exc.is(context) {
            return;
        }
        let Value::Instance(inst) = exc else { return };
        let Some(data) = &inst.exc else { return };
        // Break a cycle the new context would create, as CPython does.
        let mut cur = context.clone();
        for _ in 0..1000 {
            let next = match &cur {
                Value::Instance(i) => match &i.exc {
                    Some(d) => d.context.borrow().clone(),
                    None => break,
                },
                _ => break,
            };
            if next.is(exc) {
                if let Value::Instance(i) = &cur {
                    if let Some(d) = &i.exc {
                        *d.context.borrow_mut() = Value::None;
                    }
                }
                break;
            }
            cur = next;
        }
        *data.context.borrow_mut() = context.clone();
    }

    /// The report of an uncaught exception with its causes and contexts, earliest first.
    pub fn build_traceback(&mut self, exc: &Value) -> Traceback {
        let mut chain: Vec<(ExceptionReport, Option<ChainLink>)> = Vec::new();
        let mut cur = exc.clone();
        let mut link: Option<ChainLink> = None;
        let mut seen: Vec<usize> = Vec::new();
        loop {
            let report = self.exception_report(&cur);
            chain.push((report, link));
            seen.push(cur.id() as usize);
            let Value::Instance(inst) = &cur else { break };
            let Some(data) = &inst.exc else { break };
            let cause = data.cause.borrow().clone();
            let context = data.context.borrow().clone();
            let (next, next_link) = if !cause.is_none() {
                (cause, ChainLink::Cause)
            } else if !context.is_none() && !data.suppress_context.get() {
                (context, ChainLink::Context)
            } else {
                break;
            };
            if seen.contains(&(next.id() as usize)) {
                break;
            }
            cur = next;
            link = Some(next_link);
        }
        // Collected latest first; the report lists the earliest first, each entry carrying the
        // link to the entry after it.
        chain.reverse();
        let links: Vec<Option<ChainLink>> = chain.iter().map(|(_, l)| *l).collect();
        let n = chain.len();
        for (idx, entry) in chain.iter_mut().enumerate() {
            entry.1 = if idx + 1 < n {
                links.get(idx).copied().flatten()
            } else {
                None
            };
        }
        Traceback { chain }
    }

    fn exception_report(&mut self, exc: &Value) -> ExceptionReport {
        let mut frames = Vec::new();
        if let Value::Instance(inst) = exc {
            if let Some(data) = &inst.exc {
                for entry in data.traceback.borrow().iter().rev() {
                    frames.push(TraceFrame {
                        source: entry.code.obj.source.clone(),
                        span: entry.code.obj.span_at(entry.ip),
                        function: entry.code.obj.name.to_string(),
                    });
                }
            }
        }
        // Frames of the library modules written in apy (sources named `<module>/file.apy`) are
        // machinery, not the user's program: they are left out unless nothing else remains.
        let is_library =
            |f: &TraceFrame| f.source.name.starts_with('<') && f.source.name.contains(">/");
        // Ctrl-C lands wherever the program happened to be, often inside the event loop: the
        // library's frames say nothing about the program then.
        if frames.iter().any(|f| !is_library(f)) || self.exc_is(exc, ExcKind::KeyboardInterrupt) {
            frames.retain(|f| !is_library(f));
        }
        ExceptionReport {
            frames,
            summary: self.exception_summary(exc),
            notes: self.exception_notes(exc),
        }
    }

    /// `ValueError: bad`, `KeyError: 'k'`, `__main__.MyError: msg`, or only the name.
    pub fn exception_summary(&mut self, exc: &Value) -> String {
        let class = self.class_of(exc);
        let module = class.module();
        let name = class.qualname();
        let qualified = if module == "builtins" || module == "__main__" {
            name.as_str().to_owned()
        } else {
            format!("{module}.{}", name.as_str())
        };
        let text = match self.to_str(exc) {
            Ok(s) => s,
            Err(_) => "<exception str() failed>".to_owned(),
        };
        let hint = match self.suggestion(exc) {
            Some(s) => format!(". Did you mean: '{s}'?"),
            None => String::new(),
        };
        if text.is_empty() {
            qualified
        } else {
            format!("{qualified}: {text}{hint}")
        }
    }

    fn exception_notes(&mut self, exc: &Value) -> Vec<String> {
        let Value::Instance(inst) = exc else {
            return Vec::new();
        };
        match inst.dict_get(&crate::vm::object::str::PyStr::new("__notes__")) {
            Some(Value::List(list)) => list
                .snapshot()
                .iter()
                .map(|n| self.to_str(n).unwrap_or_default())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Kinds raised with no arguments when the message is empty (`raise StopIteration`).
fn kind_has_empty_args(_kind: ExcKind) -> bool {
    true
}

pub fn rc_exc(v: &Value) -> Option<Rc<Instance>> {
    match v {
        Value::Instance(i) if i.exc.is_some() => Some(i.clone()),
        _ => None,
    }
}
