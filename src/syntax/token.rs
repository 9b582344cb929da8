//! The token type: the logos `Token` enum with its literal payloads, and nothing else.
//! Scanning of string bodies and number conversion lives in `lexer.rs`; layout tokens
//! (NEWLINE, INDENT, DEDENT) are never produced by logos but by `indent.rs`.

use crate::syntax::lexer::{lex_name, lex_number, lex_string, LexErrorKind};
use logos::Logos;
use num_bigint::BigInt;
use std::rc::Rc;

/// A string literal as the lexer saw it. Plain strings and bytes are already decoded; an
/// f-string keeps its raw body so the parser can parse the replacement fields.
#[derive(Clone, Debug, PartialEq)]
pub enum StrLit {
    Str(String),
    Bytes(Vec<u8>),
    /// `body_start` is the byte offset of the body (after the prefix and opening quote) in the
    /// source; `raw` is true for `rf"..."`, where backslashes are kept.
    FStr {
        body: Rc<str>,
        body_start: usize,
        raw: bool,
    },
}

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexErrorKind)]
#[logos(skip r"[ \t\x0C]+")]
#[logos(skip r"#[^\r\n]*")]
pub enum Token {
    #[regex(r"[a-zA-Z_\u{80}-\u{10FFFF}][a-zA-Z0-9_\u{80}-\u{10FFFF}]*", lex_name)]
    Name(Rc<str>),
    #[regex(r"[0-9](_?[0-9])*", lex_number)]
    #[regex(r"0[xX](_?[0-9a-fA-F])+", lex_number)]
    #[regex(r"0[oO](_?[0-7])+", lex_number)]
    #[regex(r"0[bB](_?[01])+", lex_number)]
    #[regex(
        r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?",
        lex_number
    )]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?", lex_number)]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*", lex_number)]
    #[regex(r"([0-9](_?[0-9])*|[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?|\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?|[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*)[jJ]", lex_number)]
    Number(Number),
    #[regex(r#"([rRuUbBfF]|[rR][bBfF]|[bBfF][rR])?['"]"#, lex_string)]
    Str(Rc<StrLit>),

    #[regex(r"\r?\n")]
    Newline,
    /// A backslash ending a line; the lexer drops it (or reports it when input ends there).
    #[regex(r"\\\r?\n")]
    Continuation,
    /// Produced by the layout pass only.
    Indent,
    /// Produced by the layout pass only.
    Dedent,
    /// Marks the start of an f-string replacement field's expression; produced by the parser
    /// driver only, so one generated parser serves both modules and fields.
    FieldStart,
    /// `(` and `)` around a parenthesised `with` item list; retagged by the parser driver.
    WithLParen,
    WithRParen,
    /// The soft keywords `match` and `case` where they open a match statement or a case
    /// block; retagged from names by the parser driver.
    Match,
    Case,

    #[token("False")]
    False,
    #[token("None")]
    None,
    #[token("True")]
    True,
    #[token("and")]
    And,
    #[token("as")]
    As,
    #[token("assert")]
    Assert,
    #[token("async")]
    Async,
    #[token("await")]
    Await,
    #[token("break")]
    Break,
    #[token("class")]
    Class,
    #[token("continue")]
    Continue,
    #[token("def")]
    Def,
    #[token("del")]
    Del,
    #[token("elif")]
    Elif,
    #[token("else")]
    Else,
    #[token("except")]
    Except,
    #[token("finally")]
    Finally,
    #[token("for")]
    For,
    #[token("from")]
    From,
    #[token("global")]
    Global,
    #[token("if")]
    If,
    #[token("import")]
    Import,
    #[token("in")]
    In,
    #[token("is")]
    Is,
    #[token("lambda")]
    Lambda,
    #[token("nonlocal")]
    Nonlocal,
    #[token("not")]
    Not,
    #[token("or")]
    Or,
    #[token("pass")]
    Pass,
    #[token("raise")]
    Raise,
    #[token("return")]
    Return,
    #[token("try")]
    Try,
    #[token("while")]
    While,
    #[token("with")]
    With,
    #[token("yield")]
    Yield,

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(".")]
    Dot,
    #[token("...")]
    Ellipsis,
    #[token("->")]
    Arrow,
    #[token(":=")]
    Walrus,
    #[token("@")]
    At,
    #[token("=")]
    Assign,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("**")]
    DoubleStar,
    #[token("/")]
    Slash,
    #[token("//")]
    DoubleSlash,
    #[token("%")]
    Percent,
    #[token("|")]
    Pipe,
    #[token("&")]
    Amp,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("<<")]
    LShift,
    #[token(">>")]
    RShift,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("<=")]
    LtE,
    #[token(">=")]
    GtE,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("//=")]
    DoubleSlashEq,
    #[token("%=")]
    PercentEq,
    #[token("@=")]
    AtEq,
    #[token("&=")]
    AmpEq,
    #[token("|=")]
    PipeEq,
    #[token("^=")]
    CaretEq,
    #[token("<<=")]
    LShiftEq,
    #[token(">>=")]
    RShiftEq,
    #[token("**=")]
    DoubleStarEq,
}

/// A numeric literal's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(BigInt),
    Float(f64),
}
