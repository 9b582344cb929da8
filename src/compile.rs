//! AST to `CodeObject`: scope analysis, code generation, and the disassembler.
//! Never sees runtime values.

pub mod code;
pub mod codegen;
pub mod disasm;
pub mod scope;
