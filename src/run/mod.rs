//! Running many files: discovery, planning, execution.

pub mod convert;
pub mod discover;
pub mod events;
pub mod executor;
pub mod interrupt;
pub mod plan;
pub mod servers;
