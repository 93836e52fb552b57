//! Judging responses: one file per assertion kind, one shared predicate engine.

pub mod json_value;
pub mod predicate;
pub mod diff;
