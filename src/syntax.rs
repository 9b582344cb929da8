//! The front end: source text to AST. Knows nothing of bytecode or values.

pub mod ast;
pub mod ast_dump;
pub mod depth;
pub mod grammar_util;
pub mod indent;
pub mod lexer;
pub mod literal;
pub mod parse_error;
pub mod parser;
pub mod pattern;
pub mod signature;
pub mod span;
pub mod target;
pub mod token;
