//! sonde: a declarative HTTP test runner.

pub mod duration;
pub mod scenario;
pub mod server;
pub mod template;
