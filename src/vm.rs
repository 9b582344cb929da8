//! The virtual machine: values, heap objects, frames and the dispatch loop.
//! It never names event-loop types: when bytecode has to wait, the dispatch loop returns a
//! `Halt` saying why, and the runtime decides what to do.
pub mod float_repr;
pub mod format_spec;
pub mod percent;
