//! The clock lives in the VM (`crate::vm::clock`) so that `time.*` and the event loop read one
//! time source; this module re-exports it under the runtime's historical path.

pub use crate::vm::clock::{duration_from_secs, Clock, RESOLUTION};
