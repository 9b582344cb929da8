//! apy: a small interpreted language with Python 3.11 syntax and asyncio's concurrency model.
//! This file only names the stages; `pipeline.rs` joins them (source → tokens → AST →
//! CodeObject → VM), and `main.rs` is the command line around it.

pub mod compile;
pub mod diagnostics;
pub mod pipeline;
pub mod repl;
pub mod runtime;
pub mod stdlib;
pub mod syntax;
pub mod vm;
