//! Expressions: constants, names, operators, comparisons, conditions with jump threading,
//! displays (`[*a, b]`, `{**d}`), calls (plain, method, keyword, star), f-strings, subscripts,
//! `await`, `yield` and `yield from`. Lambdas and comprehensions are in `function.rs`.

use super::{Compiler, Label, NameCtx};
use crate::compile::code::{Const, Conversion, Instr};
use crate::compile::scope::{Resolution, ScopeKind};
use crate::syntax::ast::*;
use num_traits::ToPrimitive;
use std::rc::Rc;

impl<'a> Compiler<'a> {
    pub(super) fn compile_expr(&mut self, expr: &'a Expr) {
        self.with_span(expr.span, |c| c.compile_expr_kind(expr));
    }

    fn compile_expr_kind(&mut self, expr: &'a Expr) {
        match &expr.kind {
            ExprKind::Constant(value) => self.load_const(constant(value)),
            ExprKind::Name(ident) => self.name_op(&ident.name, NameCtx::Load),
            ExprKind::BoolOp { op, values } => self.compile_bool_op(*op, values),
            ExprKind::NamedExpr { target, value } => {
                self.compile_expr(value);
                self.emit(Instr::Copy(1));
                self.name_op(&target.name, NameCtx::Store);
            }
            ExprKind::BinOp { left, op, right } => {
                self.compile_expr(left);
                match number_const(right) {
                    Some(k) => {
                        let k = self.add_const(k);
                        self.emit(Instr::BinaryConst(*op, k));
                    }
                    None => {
                        self.compile_expr(right);
                        self.emit(Instr::Binary(*op));
                    }
                }
            }
            ExprKind::UnaryOp { op, operand } => match fold_constant(expr) {
                Some(folded) => self.load_const(folded),
                None => {
                    self.compile_expr(operand);
                    self.emit(Instr::Unary(*op));
                }
            },
            ExprKind::IfExp { test, body, orelse } => {
                let (otherwise, end) = (self.new_label(), self.new_label());
                self.compile_jump_if(test, false, otherwise);
                self.compile_expr(body);
                self.emit_jump(Instr::Jump, end);
                self.bind(otherwise);
                self.compile_expr(orelse);
                self.bind(end);
            }
            ExprKind::Dict { keys, values } => self.compile_dict(keys, values),
            ExprKind::Set(elts) => {
                self.compile_sequence(elts, Instr::BuildSet, Instr::SetAdd, Instr::SetUpdate)
            }
            ExprKind::List(elts) => {
                self.compile_sequence(elts, Instr::BuildList, Instr::ListAppend, Instr::ListExtend)
            }
            ExprKind::Tuple(elts) => self.compile_tuple(elts),
            ExprKind::Await(value) => {
                self.compile_expr(value);
                self.emit(Instr::GetAwaitable);
                self.emit_send();
            }
            ExprKind::Yield(value) => {
                match value {
                    Some(value) => self.compile_expr(value),
                    None => self.load_const(Const::None),
                }
                if self.scope().is_async {
                    self.emit(Instr::AsyncGenWrap);
                }
                self.emit(Instr::YieldValue);
            }
            ExprKind::YieldFrom(value) => {
                self.compile_expr(value);
                self.emit(Instr::GetYieldFromIter);
                self.emit_send();
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => self.compile_compare(left, ops, comparators),
            ExprKind::Call {
                func,
                args,
                keywords,
            } => self.compile_call(expr, func, args, keywords),
            ExprKind::FString(parts) => self.compile_fstring(parts),
            ExprKind::Attribute { value, attr } => {
                let span = self.attr_span(expr.span, attr);
                if let Some(local) = self.fast_local(value) {
                    let idx = self.attr_name(&attr.name);
                    self.with_span(span, |c| c.emit(Instr::LoadLocalAttr(local, idx)));
                    return;
                }
                self.compile_expr(value);
                let idx = self.attr_name(&attr.name);
                self.with_span(span, |c| c.emit(Instr::LoadAttr(idx)));
            }
            ExprKind::Subscript { value, slice } => {
                self.compile_expr(value);
                self.compile_expr(slice);
                self.emit(Instr::LoadSubscr);
            }
            ExprKind::Slice { lower, upper, step } => {
                for bound in [lower, upper] {
                    match bound {
                        Some(bound) => self.compile_expr(bound),
                        None => self.load_const(Const::None),
                    }
                }
                match step {
                    Some(step) => {
                        self.compile_expr(step);
                        self.emit(Instr::BuildSlice(3));
                    }
                    None => self.emit(Instr::BuildSlice(2)),
                }
            }
            ExprKind::Starred(_) => self.error("can't use starred expression here", expr.span),
            ExprKind::Lambda { args, body } => self.compile_lambda(expr, args, body),
            ExprKind::ListComp { .. }
            | ExprKind::SetComp { .. }
            | ExprKind::DictComp { .. }
            | ExprKind::GeneratorExp { .. } => self.compile_comprehension(expr),
        }
    }

    /// `[sub] -> [result]`: drives an awaitable or `yield from` iterator to completion.
    pub(super) fn emit_send(&mut self) {
        let done = self.new_label();
        self.load_const(Const::None);
        self.emit_jump(Instr::Send, done);
        self.bind(done);
    }

    /// `[awaitable] -> [result]`.
    pub(super) fn emit_await(&mut self) {
        self.emit(Instr::GetAwaitable);
        self.emit_send();
    }

    fn compile_bool_op(&mut self, op: BoolOp, values: &'a [Expr]) {
        let end = self.new_label();
        let jump = match op {
            BoolOp::And => Instr::JumpIfFalseOrPop,
            BoolOp::Or => Instr::JumpIfTrueOrPop,
        };
        for (idx, value) in values.iter().enumerate() {
            self.compile_expr(value);
            if idx + 1 < values.len() {
                self.emit_jump(jump, end);
            }
        }
        self.bind(end);
    }

    /// Evaluates `test` and jumps to `target` when its truth equals `jump_if`, threading
    /// `not`, `and` and `or` into jumps instead of building values.
    pub(super) fn compile_jump_if(&mut self, test: &'a Expr, jump_if: bool, target: Label) {
        match &test.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => self.compile_jump_if(operand, !jump_if, target),
            ExprKind::BoolOp { op, values } => {
                // `and` jumps out on the first false value, `or` on the first true one; when
                // that exit is not where we jump, it skips to `next` instead.
                let exits_on = *op == BoolOp::Or;
                let next = self.new_label();
                let early = if exits_on == jump_if { target } else { next };
                for (idx, value) in values.iter().enumerate() {
                    if idx + 1 < values.len() {
                        self.compile_jump_if(value, exits_on, early);
                    } else {
                        self.compile_jump_if(value, jump_if, target);
                    }
                }
                self.bind(next);
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if none_test(ops, comparators) == Some(!jump_if) => {
                // `x is None` jumping when true, `x is not None` jumping when false: both
                // jump exactly when `x` is None.
                self.compile_expr(left);
                self.with_span(test.span, |c| c.emit_jump(Instr::PopJumpIfNone, target));
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1 && comparators.len() == 1 => {
                self.compile_expr(left);
                let op = ops[0];
                match number_const(&comparators[0]) {
                    Some(k) => {
                        let k = self.add_const(k);
                        self.with_span(test.span, |c| {
                            c.emit(Instr::CompareConstJump(op, jump_if, k, target.0));
                        });
                    }
                    None => {
                        self.compile_expr(&comparators[0]);
                        self.with_span(test.span, |c| {
                            c.emit(Instr::CompareJump(op, jump_if, target.0));
                        });
                    }
                }
            }
            _ => {
                self.compile_expr(test);
                let jump = if jump_if {
                    Instr::PopJumpIfTrue
                } else {
                    Instr::PopJumpIfFalse
                };
                self.with_span(test.span, |c| c.emit_jump(jump, target));
            }
        }
    }

    /// `a < b < c`: each middle operand is evaluated once and kept under the result.
    fn compile_compare(&mut self, left: &'a Expr, ops: &[CmpOp], comparators: &'a [Expr]) {
        self.compile_expr(left);
        let Some((last_op, middle_ops)) = ops.split_last() else {
            return;
        };
        let (cleanup, end) = (self.new_label(), self.new_label());
        for (op, comparator) in middle_ops.iter().zip(comparators) {
            self.compile_expr(comparator);
            self.emit(Instr::Swap(2));
            self.emit(Instr::Copy(2));
            self.emit(Instr::Compare(*op));
            self.emit_jump(Instr::JumpIfFalseOrPop, cleanup);
        }
        if let Some(last) = comparators.get(middle_ops.len()) {
            self.compile_expr(last);
        }
        self.emit(Instr::Compare(*last_op));
        if !middle_ops.is_empty() {
            self.emit_jump(Instr::Jump, end);
            self.bind(cleanup);
            self.emit(Instr::Swap(2));
            self.emit(Instr::PopTop);
            self.bind(end);
        } else {
            self.bind(cleanup);
            self.bind(end);
        }
    }

    /// `[a, *b, c]`, `{a, *b}`: plain items are built at once; with starred items the
    /// collection is started empty-or-prefix and grown item by item.
    fn compile_sequence(
        &mut self,
        elts: &'a [Expr],
        build: fn(u32) -> Instr,
        add: fn(u32) -> Instr,
        extend: fn(u32) -> Instr,
    ) {
        let prefix = elts
            .iter()
            .take_while(|elt| !matches!(elt.kind, ExprKind::Starred(_)))
            .count();
        for elt in &elts[..prefix] {
            self.compile_expr(elt);
        }
        self.emit(build(prefix as u32));
        for elt in &elts[prefix..] {
            match &elt.kind {
                ExprKind::Starred(inner) => {
                    self.compile_expr(inner);
                    self.with_span(elt.span, |c| c.emit(extend(1)));
                }
                _ => {
                    self.compile_expr(elt);
                    self.emit(add(1));
                }
            }
        }
    }

    fn compile_tuple(&mut self, elts: &'a [Expr]) {
        if let Some(folded) = fold_tuple(elts) {
            self.load_const(folded);
        } else if elts
            .iter()
            .any(|elt| matches!(elt.kind, ExprKind::Starred(_)))
        {
            self.compile_sequence(elts, Instr::BuildList, Instr::ListAppend, Instr::ListExtend);
            self.emit(Instr::ListToTuple);
        } else {
            for elt in elts {
                self.compile_expr(elt);
            }
            self.emit(Instr::BuildTuple(elts.len() as u32));
        }
    }

    fn compile_dict(&mut self, keys: &'a [Option<Expr>], values: &'a [Expr]) {
        let prefix = keys.iter().take_while(|key| key.is_some()).count();
        for (key, value) in keys.iter().zip(values).take(prefix) {
            if let Some(key) = key {
                self.compile_expr(key);
            }
            self.compile_expr(value);
        }
        self.emit(Instr::BuildMap(prefix as u32));
        for (key, value) in keys.iter().zip(values).skip(prefix) {
            match key {
                Some(key) => {
                    self.compile_expr(key);
                    self.compile_expr(value);
                    self.emit(Instr::MapAdd(1));
                }
                None => {
                    self.compile_expr(value);
                    self.emit(Instr::DictUpdate(1));
                }
            }
        }
    }

    fn compile_call(
        &mut self,
        call: &'a Expr,
        func: &'a Expr,
        args: &'a [Expr],
        keywords: &'a [Keyword],
    ) {
        if !self.check_keywords(keywords) {
            return;
        }
        let has_star = args
            .iter()
            .any(|arg| matches!(arg.kind, ExprKind::Starred(_)))
            || keywords.iter().any(|kw| kw.name.is_none());
        if self.try_zero_arg_super(func, args, keywords) {
            return;
        }
        if let (ExprKind::Attribute { value, attr }, false) = (&func.kind, has_star) {
            // CPython 3.11 reports a method call on the line of the method name.
            self.compile_expr(value);
            let idx = self.attr_name(&attr.name);
            let method_span = self.attr_span(func.span, attr);
            self.with_span(method_span, |c| c.emit(Instr::LoadMethod(idx)));
            let n_total = self.compile_plain_args(args, keywords);
            let instr = match self.keyword_names(keywords) {
                Some(names) => Instr::CallMethodKw(n_total, names),
                None => Instr::CallMethod(n_total),
            };
            let call_span = self.attr_span(call.span, attr);
            self.with_span(call_span, |c| c.emit(instr));
            return;
        }
        self.compile_expr(func);
        if has_star {
            self.compile_star_args(args, keywords);
            return;
        }
        let n_total = self.compile_plain_args(args, keywords);
        let instr = match self.keyword_names(keywords) {
            Some(names) => Instr::CallKw(n_total, names),
            None => Instr::Call(n_total),
        };
        self.emit(instr);
    }

    /// Rejects `f(a=1, a=2)` and `**` before `*`, as CPython's parser does.
    fn check_keywords(&mut self, keywords: &[Keyword]) -> bool {
        for (idx, keyword) in keywords.iter().enumerate() {
            let Some(name) = &keyword.name else {
                continue;
            };
            if keywords[..idx]
                .iter()
                .any(|earlier| earlier.name.as_ref().map(|n| &n.name) == Some(&name.name))
            {
                let message = format!("keyword argument repeated: {}", name.name);
                self.error(message, keyword.span);
                return false;
            }
        }
        true
    }

    fn compile_plain_args(&mut self, args: &'a [Expr], keywords: &'a [Keyword]) -> u32 {
        for arg in args {
            self.compile_expr(arg);
        }
        for keyword in keywords {
            self.compile_expr(&keyword.value);
        }
        (args.len() + keywords.len()) as u32
    }

    /// The constant tuple of keyword names, if there are keywords.
    fn keyword_names(&mut self, keywords: &[Keyword]) -> Option<u32> {
        if keywords.is_empty() {
            return None;
        }
        let names: Vec<Const> = keywords
            .iter()
            .filter_map(|kw| kw.name.as_ref())
            .map(|name| Const::Str(name.name.clone()))
            .collect();
        Some(self.add_const(Const::Tuple(names.into())))
    }

    /// `f(*a, b, **c, d=1)`: `[f args_tuple kwargs_dict?]` then `CallEx`.
    fn compile_star_args(&mut self, args: &'a [Expr], keywords: &'a [Keyword]) {
        self.compile_sequence(args, Instr::BuildList, Instr::ListAppend, Instr::ListExtend);
        self.emit(Instr::ListToTuple);
        if keywords.is_empty() {
            self.emit(Instr::CallEx(false));
            return;
        }
        self.emit(Instr::BuildMap(0));
        let mut run = 0;
        for keyword in keywords {
            match &keyword.name {
                Some(name) => {
                    self.load_const(Const::Str(name.name.clone()));
                    self.compile_expr(&keyword.value);
                    run += 1;
                }
                None => {
                    if run > 0 {
                        self.emit(Instr::BuildMap(run));
                        self.emit(Instr::DictMerge(1));
                        run = 0;
                    }
                    self.compile_expr(&keyword.value);
                    self.with_span(keyword.span, |c| c.emit(Instr::DictMerge(1)));
                }
            }
        }
        if run > 0 {
            self.emit(Instr::BuildMap(run));
            self.emit(Instr::DictMerge(1));
        }
        self.emit(Instr::CallEx(true));
    }

    /// `super()` in a method becomes `super(__class__, <first parameter>)`.
    fn try_zero_arg_super(&mut self, func: &'a Expr, args: &[Expr], keywords: &[Keyword]) -> bool {
        let ExprKind::Name(ident) = &func.kind else {
            return false;
        };
        let scope = self.scope();
        let applies = &*ident.name == "super"
            && args.is_empty()
            && keywords.is_empty()
            && scope.kind == ScopeKind::Function
            && scope.resolve("super") == Resolution::GlobalImplicit
            && scope.resolve("__class__") == Resolution::Free
            && self.unit_ref().signature.argcount > 0;
        let Some(first) = scope.params.first().cloned().filter(|_| applies) else {
            return false;
        };
        self.with_span(func.span, |c| {
            c.name_op(&ident.name, NameCtx::Load);
            c.name_op(&Rc::from("__class__"), NameCtx::Load);
            c.name_op(&first, NameCtx::Load);
        });
        self.emit(Instr::Call(2));
        true
    }

    fn compile_fstring(&mut self, parts: &'a [FStringPart]) {
        match parts {
            [] => self.load_const(Const::Str("".into())),
            [FStringPart::Literal(text)] => self.load_const(Const::Str(text.as_str().into())),
            [field @ FStringPart::Field { .. }] => self.compile_fstring_part(field),
            _ => {
                for part in parts {
                    self.compile_fstring_part(part);
                }
                self.emit(Instr::BuildString(parts.len() as u32));
            }
        }
    }

    fn compile_fstring_part(&mut self, part: &'a FStringPart) {
        match part {
            FStringPart::Literal(text) => self.load_const(Const::Str(text.as_str().into())),
            FStringPart::Field {
                value,
                conversion,
                spec,
            } => {
                self.compile_expr(value);
                if let Some(spec) = spec {
                    self.compile_fstring(spec);
                }
                let conversion = match conversion {
                    Some('s') => Conversion::Str,
                    Some('r') => Conversion::Repr,
                    Some('a') => Conversion::Ascii,
                    _ => Conversion::None,
                };
                self.with_span(value.span, |c| {
                    c.emit(Instr::FormatValue(conversion, spec.is_some()))
                });
            }
        }
    }
}

/// For `x is None` (`Some(false)`) and `x is not None` (`Some(true)`): whether the test is
/// true when `x` is not None.
fn none_test(ops: &[CmpOp], comparators: &[Expr]) -> Option<bool> {
    match (ops, comparators) {
        (
            [op @ (CmpOp::Is | CmpOp::IsNot)],
            [Expr {
                kind: ExprKind::Constant(Constant::None),
                ..
            }],
        ) => Some(*op == CmpOp::IsNot),
        _ => None,
    }
}

/// The compile-time value of a literal.
pub(super) fn constant(value: &Constant) -> Const {
    match value {
        Constant::None => Const::None,
        Constant::True => Const::Bool(true),
        Constant::False => Const::Bool(false),
        Constant::Ellipsis => Const::Ellipsis,
        Constant::Int(big) => match big.to_i64() {
            Some(small) => Const::Int(small),
            None => Const::BigInt(Rc::new(big.clone())),
        },
        Constant::Float(value) => Const::Float(*value),
        Constant::Str(text) => Const::Str(text.as_str().into()),
        Constant::Bytes(bytes) => Const::Bytes(bytes.as_slice().into()),
    }
}

/// A tuple display of constants (nested constant tuples included) as one constant.
fn fold_tuple(elts: &[Expr]) -> Option<Const> {
    let items: Option<Vec<Const>> = elts.iter().map(fold_constant).collect();
    items.map(|items| Const::Tuple(items.into()))
}

/// Literals, negated numeric literals and tuples of those, as CPython's optimizer folds them.
/// The value of `expr` if it is an int or float literal (negated or not), for the
/// instructions that take a number constant as their right operand.
pub(super) fn number_const(expr: &Expr) -> Option<Const> {
    fold_constant(expr).filter(|c| matches!(c, Const::Int(_) | Const::Float(_)))
}

fn fold_constant(expr: &Expr) -> Option<Const> {
    match &expr.kind {
        ExprKind::Constant(value) => Some(constant(value)),
        ExprKind::Tuple(inner) => fold_tuple(inner),
        ExprKind::UnaryOp {
            op: UnaryOp::Neg,
            operand,
        } => match &operand.kind {
            ExprKind::Constant(Constant::Int(value)) => Some(constant(&Constant::Int(-value))),
            ExprKind::Constant(Constant::Float(value)) => Some(Const::Float(-value)),
            _ => None,
        },
        _ => None,
    }
}
