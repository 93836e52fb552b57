//! Running many files: discovery, planning, execution.

pub mod discover;
