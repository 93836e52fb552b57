//! sonde: a declarative HTTP test runner.

pub mod allocator;
pub mod cache;
pub mod check;
pub mod cli;
pub mod duration;
pub mod engine;
pub mod exit;
pub mod http;
pub mod json_path;
pub mod panics;
pub mod printable;
pub mod report;
pub mod run;
pub mod scenario;
pub mod server;
pub mod template;
pub mod vars;
