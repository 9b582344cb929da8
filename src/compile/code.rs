//! `CodeObject` and the instruction set: the contract between the compiler and the VM.
//! A CodeObject holds compile-time data only (constants are `Const`, never runtime values);
//! the VM turns constants into values when it loads the code. Every instruction has one span.
//!
//! Stack effects are written `[before] -> [after]`, top of stack last. Jump targets are absolute
//! instruction indices. "Name" operands index `names`, "local" operands index `varnames`,
//! "cell" operands index `cellvars ++ freevars`, "const" operands index `consts`.

use crate::syntax::ast::{BinOp, CmpOp, UnaryOp};
use crate::syntax::span::{Source, Span};
use num_bigint::BigInt;
use std::rc::Rc;

/// A compile-time constant. Code constants compare by identity.
#[derive(Clone, Debug)]
pub enum Const {
    None,
    Bool(bool),
    Ellipsis,
    Int(i64),
    BigInt(Rc<BigInt>),
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Rc<[Const]>),
    Code(Rc<CodeObject>),
}

/// What running a code object's body means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// A module body; names are looked up with `LoadName`/`StoreName` in the globals.
    Module,
    /// A class body; `LoadName`/`StoreName` use the class namespace. It returns the `__class__`
    /// cell if the body has one (see `BuildClass`), else `None`.
    Class,
    Function,
    /// Calling the function returns a generator object instead of running the body.
    Generator,
    /// `async def`: calling it returns a coroutine object.
    Coroutine,
    /// `async def` containing `yield`: calling it returns an async generator.
    AsyncGenerator,
}

/// One exception-table entry: an exception raised by an instruction in `start..end` truncates
/// the operand stack to `depth` values (locals not counted), pushes the exception and jumps to
/// `target`. The innermost (first matching, in table order) entry wins; the compiler emits
/// inner regions before outer ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handler {
    pub start: u32,
    pub end: u32,
    pub target: u32,
    pub depth: u32,
}

#[derive(Debug)]
pub struct CodeObject {
    pub kind: CodeKind,
    /// `f`, `<module>`, `<lambda>`, `<listcomp>`, `<genexpr>`, the class name.
    pub name: Rc<str>,
    /// Dotted path as in CPython: `Outer.method.<locals>.inner`.
    pub qualname: Rc<str>,
    pub source: Rc<Source>,
    /// Span of the whole definition (the `def`/`class`/`lambda` header for functions).
    pub span: Span,
    pub instrs: Vec<Instr>,
    /// `spans[i]` is the source of `instrs[i]`; tracebacks and runtime errors point here.
    pub spans: Vec<Span>,
    pub consts: Vec<Const>,
    /// Global, attribute and imported names.
    pub names: Vec<Rc<str>>,
    /// Fast locals: positional parameters, then keyword-only, then `*args`, then `**kwargs`,
    /// then the other locals.
    pub varnames: Vec<Rc<str>>,
    /// Locals captured by inner functions.
    pub cellvars: Vec<Rc<str>>,
    /// Variables of enclosing functions used here; the closure tuple supplies their cells.
    pub freevars: Vec<Rc<str>>,
    /// For each cellvar that is also a parameter, the parameter's local index: the frame copies
    /// the argument into the fresh cell on entry.
    pub cell_params: Vec<Option<u32>>,
    /// Positional parameters, positional-only included.
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub has_varargs: bool,
    pub has_varkw: bool,
    pub handlers: Vec<Handler>,
    /// The deepest the operand stack can get (locals not counted).
    pub max_stack: u32,
}

/// Bits of the `MakeFunction` operand: which optional values sit below the code object.
pub mod make_fn {
    /// A tuple of positional defaults.
    pub const DEFAULTS: u8 = 1;
    /// A dict of keyword-only defaults.
    pub const KW_DEFAULTS: u8 = 2;
    /// A tuple of cells for the code's freevars.
    pub const CLOSURE: u8 = 8;
}

/// Conversion of a `FormatValue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    None,
    Str,
    Repr,
    Ascii,
}

/// The instruction set. Kept `Copy` and at most 12 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instr {
    /// `[] -> []`
    Nop,
    /// `[a] -> []`
    PopTop,
    /// `[a_n ... a_1] -> [a_n ... a_1 a_n]`: pushes a copy of the n-th item (1 = top).
    Copy(u32),
    /// Swaps the top with the n-th item (n >= 2).
    Swap(u32),

    /// `[] -> [consts[i]]`
    LoadConst(u32),
    /// `[] -> [local]`; `UnboundLocalError` ("cannot access local variable 'x' where it is not
    /// associated with a value") if unset.
    LoadLocal(u32),
    /// `[] -> [a b]`: takes the place of a `LoadLocal(a)` followed by `LoadLocal(b)`, which
    /// stays where it was (`codegen::fuse`): both run in one step and the second is skipped,
    /// unless `b` is unbound; then `a` alone is pushed and the `LoadLocal(b)` raises, with
    /// its own span.
    LoadLocal2(u32, u32),
    /// `[] -> [local]` in front of a `BinaryConst` or `CompareConstJump`, which stays where it
    /// was (`codegen::fuse`): when both operands are numbers the fast paths take, the two
    /// run as one step and the second is skipped; otherwise this is a `LoadLocal`.
    LoadLocalInto(u32),
    /// `[v] -> []`
    StoreLocal(u32),
    /// `[] -> []`; unbinds; `UnboundLocalError` if unset.
    DeleteLocal(u32),
    /// `[] -> [cell contents]`; `NameError` ("cannot access free variable 'x' where it is not
    /// associated with a value in enclosing scope") for an empty free cell, `UnboundLocalError`
    /// for an empty own cell.
    LoadDeref(u32),
    /// `[v] -> []` stores into the cell.
    StoreDeref(u32),
    /// `[] -> []` empties the cell.
    DeleteDeref(u32),
    /// `[] -> [cell]`: the cell object itself, to build a closure tuple.
    LoadClosure(u32),
    /// In a class body: `[] -> [v]` looks the name up in the class namespace first, then
    /// reads the cell. The operand is a cell index; the name is that cell's name.
    LoadClassDeref(u32),
    /// `[] -> [v]`: globals, then builtins; `NameError` ("name 'x' is not defined").
    LoadGlobal(u32),
    /// `[v] -> []`
    StoreGlobal(u32),
    /// `[] -> []`
    DeleteGlobal(u32),
    /// Module and class bodies: `[] -> [v]` from the current namespace, then globals, builtins.
    LoadName(u32),
    /// `[v] -> []` into the current namespace.
    StoreName(u32),
    /// `[] -> []`
    DeleteName(u32),

    /// `[obj] -> [obj.name]`
    LoadAttr(u32),
    /// `[] -> [local.name]`: `LoadLocal(local)` then `LoadAttr(name)` in one step, for an
    /// attribute of a function's local (`self.x`), without copying the local onto the stack.
    LoadLocalAttr(u32, u32),
    /// `[v obj] -> []`: `obj.name = v`
    StoreAttr(u32),
    /// `[v] -> []`: `local.name = v` (`self.x = v`), as `LoadLocal(local)` then `StoreAttr`.
    StoreLocalAttr(u32, u32),
    /// `[obj] -> []`
    DeleteAttr(u32),
    /// `[obj] -> [m1 m2]`: two opaque slots that `CallMethod` consumes; the VM may avoid
    /// creating a bound method.
    LoadMethod(u32),
    /// `[m1 m2 arg_1 ... arg_n] -> [result]`
    CallMethod(u32),
    /// `[m1 m2 arg_1 ... arg_n kwv_1 ... kwv_k] -> [result]` where the operand `n + k` is the
    /// total and the second operand indexes a `Const::Tuple` of the k keyword names.
    CallMethodKw(u32, u32),

    /// `[container key] -> [container[key]]`
    LoadSubscr,
    /// `[v container key] -> []`
    StoreSubscr,
    /// `[container key] -> []`
    DeleteSubscr,
    /// `[lower upper] -> [slice]` with 2, `[lower upper step] -> [slice]` with 3.
    BuildSlice(u32),

    /// `[a b] -> [a op b]`
    Binary(BinOp),
    /// `[a] -> [a op consts[k]]` for a number constant: `LoadConst(k)` then `Binary(op)` in
    /// one step (`n - 1`, `i % 3`).
    BinaryConst(BinOp, u32),
    /// `[a] -> [a op= consts[k]]` for a number constant: `LoadConst(k)` then `Inplace(op)` in
    /// one step (`i += 1`).
    InplaceConst(BinOp, u32),
    /// `[a b] -> [a op= b]`: tries `__iop__` first (lists extend in place).
    Inplace(BinOp),
    /// `[a] -> [op a]`
    Unary(UnaryOp),
    /// `[a b] -> [a op b]`; `In` and `NotIn` test `a in b`.
    Compare(CmpOp),

    /// Unconditional jump.
    Jump(u32),
    /// `[v] -> []`, jumps if `v` is falsy.
    PopJumpIfFalse(u32),
    /// `[v] -> []`, jumps if `v` is truthy.
    PopJumpIfTrue(u32),
    /// `[v] -> []`, jumps if `v` is `None`.
    PopJumpIfNone(u32),
    /// `[v] -> [v]` and jumps if falsy, else `[v] -> []`.
    JumpIfFalseOrPop(u32),
    /// `[v] -> [v]` and jumps if truthy, else `[v] -> []`.
    JumpIfTrueOrPop(u32),
    /// `[a b] -> []`, jumps if the truth of `a op b` is the flag: `Compare` then
    /// `PopJumpIfTrue`/`PopJumpIfFalse` in one step (an `if` or `while` on one comparison).
    CompareJump(CmpOp, bool, u32),
    /// `[a] -> []`, jumps to the last operand if the truth of `a op consts[k]` is the flag,
    /// for a number constant: `LoadConst(k)` then `CompareJump` (`if n < 2`, `while i < 10`).
    CompareConstJump(CmpOp, bool, u32, u32),

    /// `[iterable] -> [iterator]`
    GetIter,
    /// `[iterator] -> [iterator next]`, or pops the iterator and jumps when it is exhausted.
    ForIter(u32),

    /// `[a_1 ... a_n] -> [(a_1, ..., a_n)]`
    BuildTuple(u32),
    /// `[a_1 ... a_n] -> [[a_1, ..., a_n]]`
    BuildList(u32),
    /// `[a_1 ... a_n] -> [{a_1, ..., a_n}]`
    BuildSet(u32),
    /// `[k_1 v_1 ... k_n v_n] -> [{k_1: v_1, ...}]`
    BuildMap(u32),
    /// `[s_1 ... s_n] -> [s_1 + ... + s_n]` (all str; for f-strings).
    BuildString(u32),
    /// `[list ... v] -> [list ...]` appends `v` to the list `n` items below `v` (n >= 1,
    /// counted after popping `v`: `ListAppend(1)` appends to the item just below).
    ListAppend(u32),
    /// As `ListAppend`, for a set.
    SetAdd(u32),
    /// `[dict ... k v] -> [dict ...]` with the dict `n` items below `k` after popping both.
    MapAdd(u32),
    /// `[list ... iterable] -> [list ...]`: extends with every item (`[*a, *b]`, star-args).
    ListExtend(u32),
    /// `[set ... iterable] -> [set ...]`
    SetUpdate(u32),
    /// `[dict ... mapping] -> [dict ...]`: `{**a}`; later keys win.
    DictUpdate(u32),
    /// As `DictUpdate` for `f(**a, **b)`: a repeated key is `TypeError` ("f() got multiple
    /// values for keyword argument 'k'") and a non-mapping is `TypeError` too.
    DictMerge(u32),
    /// `[list] -> [tuple]`
    ListToTuple,

    /// `[seq] -> [item_n ... item_1]`: item_1 on top. `ValueError` on a length mismatch
    /// ("not enough values to unpack (expected 2, got 1)", "too many values to unpack (expected 2)").
    UnpackSequence(u32),
    /// `a, *b, c = seq` with `(before, after)` = (1, 1): `[seq] -> [c list_b a]`, `a` on top.
    UnpackEx(u32, u32),

    /// `[value] -> [str]` or, with `has_spec`, `[value spec] -> [str]`: applies the conversion
    /// then `format(value, spec)`.
    FormatValue(Conversion, bool),

    /// `[defaults? kwdefaults? closure? code] -> [function]`, which of the optional values are
    /// present given by the `make_fn` bits of the operand. Name and qualname come from the code.
    MakeFunction(u8),
    /// `[callable arg_1 ... arg_n] -> [result]`
    Call(u32),
    /// `[callable arg_1 ... arg_n kwv_1 ... kwv_k] -> [result]`: the first operand is `n + k`,
    /// the second indexes a `Const::Tuple` of the k keyword names.
    CallKw(u32, u32),
    /// `[callable args_tuple] -> [result]`, or with the flag `[callable args_tuple kwargs_dict]`.
    CallEx(bool),
    /// `[body_function name base_1 ... base_n] -> [class]`: runs the class body in a fresh
    /// namespace, creates the class (metaclass `type`), then fills the body's returned
    /// `__class__` cell, if any, with the new class. Operand: n, the number of bases.
    BuildClass(u32),

    /// `[v] -> (returns v)`
    ReturnValue,
    /// `LoadLocal(i)` then `ReturnValue` in one step (`return n`): `[] -> (returns local i)`.
    /// Made by `codegen::fuse`; the `ReturnValue` stays after it.
    ReturnLocal(u32),
    /// `LoadConst(k)` then `ReturnValue` in one step (`return 0`, a body's implicit `return
    /// None`): `[] -> (returns consts[k])`. Made by `codegen::fuse`; the `ReturnValue` stays.
    ReturnConst(u32),
    /// `Binary(op)` then `ReturnValue` in one step (`return a + b`): `[a b] -> (returns a op
    /// b)`. Made by `codegen::fuse`; the `ReturnValue` stays after it.
    ReturnBinary(BinOp),
    /// Generators: `[v] -> (suspends yielding v) -> [sent]` on resume.
    YieldValue,
    /// Async generators only, right before `YieldValue`: `[v] -> [v]`, marking the value about
    /// to be yielded as the generator's own rather than passed through from an `await`
    /// (`Vm::async_own_yield`).
    AsyncGenWrap,
    /// `[iterable] -> [iterator]` for `yield from` (a coroutine is accepted only when the
    /// current code is itself a coroutine).
    GetYieldFromIter,
    /// `[v] -> [awaitable iterator]`: a coroutine as is, else the result of `__await__()`;
    /// `TypeError` ("object int can't be used in 'await' expression") otherwise.
    GetAwaitable,
    /// `[sub value] -> ...`: sends `value` into the sub-iterator (`next` for `None`).
    /// If it yields `v`, this frame suspends yielding `v` to its own caller, with the ip still
    /// on this instruction; on resume the sent value replaces `value` and `Send` runs again,
    /// and a thrown exception is thrown into `sub` first. If it finishes with result `r`:
    /// `[sub value] -> [r]` and jumps to the target.
    Send(u32),
    /// `[aiterable] -> [aiterator]` via `__aiter__`.
    GetAIter,
    /// `[aiterator] -> [aiterator awaitable]` via `__anext__`.
    GetANext,
    /// Handler for `async for` exhaustion: `[aiterator exc] -> []` if `exc` is a
    /// `StopAsyncIteration`, else re-raises `exc`.
    EndAsyncFor,
    /// `[mgr] -> [exit enter_result]`: looks up `__exit__` (bound) and calls `__enter__`.
    /// `TypeError` if either is missing.
    BeforeWith,
    /// `[mgr] -> [aexit aenter_awaitable]`: `__aexit__` bound, and `__aenter__()` called.
    BeforeAsyncWith,
    /// In a `with` handler: `[exit prev exc] -> [exit prev exc res]` where
    /// `res = exit(type(exc), exc, exc.__traceback__)`.
    WithExceptStart,

    /// Entering an exception handler: `[exc] -> [prev exc]` where `prev` is the exception
    /// being handled before (or `None`); `exc` becomes the one being handled.
    PushExcInfo,
    /// `[prev] -> []`: restores `prev` as the exception being handled.
    PopExcept,
    /// `[exc typ] -> [exc matches]`: `isinstance(exc, typ)` with tuples;
    /// `TypeError` if `typ` is not an exception class ("catching classes that do not inherit
    /// from BaseException is not allowed").
    CheckExcMatch,
    /// `except*`: `[rest typ] -> [rest' match]` where `match` is the subgroup of the exception
    /// group `rest` matching `typ` (`None` if nothing matches) and `rest'` what is left
    /// (`None` if everything matched). A naked exception is wrapped in an `ExceptionGroup('', [exc])`
    /// first.
    CheckEgMatch,
    /// `except*` end: `[orig raised_list rest] -> [to_raise]`: combines the unhandled `rest`
    /// with exceptions raised in the handlers into the group to re-raise, or `None`.
    PrepReraiseStar,
    /// `raise`: `[] ->` re-raises the exception being handled ("No active exception to
    /// reraise" as `RuntimeError` if none); `[exc] ->` with 1; `[exc cause] ->` with 2.
    Raise(u32),
    /// `[exc] ->` raises `exc` again without adding a traceback entry for this line.
    Reraise,
    /// `[] -> [AssertionError]`, immune to shadowing.
    LoadAssertionError,

    /// `import name`: `[] -> [module]`; the operand indexes `names` (dotted paths allowed).
    ImportName(u32),
    /// `[module] -> [module attr]`; `ImportError` ("cannot import name 'x' from 'm'").
    ImportFrom(u32),

    /// REPL only: `[v] -> []` echoes `repr(v)` unless `None`, and binds `_`.
    PrintExpr,

    /// `match`: `[subject] -> [parts]`: a tuple of the subject's `.0` items if it is a
    /// sequence (not str/bytes) of that length, with the star pattern at `.1` (`u32::MAX`: none)
    /// collecting the middle as a list; else `None`.
    MatchSequence(u32, u32),
    /// `[subject keys] -> [parts]`: the values at `keys` if the subject is a mapping holding
    /// them all (plus, if the flag is set, a dict of the other items); else `None`.
    MatchMapping(bool),
    /// `[subject cls kwnames] -> [parts]`: if `isinstance(subject, cls)`, the attributes named
    /// by `cls.__match_args__` for the `.0` positional sub-patterns, then those in `kwnames`
    /// (`None` if one is missing); else `None`.
    MatchClass(u32),
}

impl CodeObject {
    /// The span of the instruction at `ip`, falling back to the whole code's span.
    pub fn span_at(&self, ip: usize) -> Span {
        self.spans.get(ip).copied().unwrap_or(self.span)
    }

    /// The innermost handler covering `ip`.
    pub fn handler_for(&self, ip: usize) -> Option<Handler> {
        let ip = ip as u32;
        self.handlers
            .iter()
            .find(|h| h.start <= ip && ip < h.end)
            .copied()
    }

    pub fn is_generator_like(&self) -> bool {
        matches!(
            self.kind,
            CodeKind::Generator | CodeKind::Coroutine | CodeKind::AsyncGenerator
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_small() {
        assert!(std::mem::size_of::<Instr>() <= 12);
    }
}
