//! sonde: a declarative HTTP test runner.

pub mod allocator;
pub mod check;
pub mod cli;
pub mod engine;
pub mod events;
pub mod exit;
pub mod report;
pub mod run;
pub mod transport;
