//! sonde: a declarative HTTP test runner. The binary (`src/main.rs`) calls [`cli::main`];
//! the rest is public only as far as the integration tests and the fuzz targets need.
//!
//! Layers, lowest first (each uses only those before it; `tests/it/layers.rs` keeps it so):
//! `exit`, `events`, `transport`, `check`, `engine`, `report`, `run`, `cli`.

pub mod allocator;
pub mod check;
pub mod cli;
pub mod engine;
pub mod events;
pub mod exit;
pub mod report;
mod run;
pub mod transport;
