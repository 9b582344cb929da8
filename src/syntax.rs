//! The front end: source text to AST. Knows nothing of bytecode or values.

pub mod ast;
pub mod span;
