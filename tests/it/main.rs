//! The integration tests of the `sonde` crate, one binary (a binary per file linked the whole
//! dependency tree twenty times over: 12 GB of disk for a clean `cargo test`).

mod checks;
mod completions;
mod curl;
mod engine_auth;
mod engine_captures;
mod engine_requests;
mod engine_sessions;
mod engine_templates;
mod engine_tls;
mod engine_transport;
mod faults;
mod html;
mod http_file;
mod interrupt;
mod json_report;
mod layers;
mod malformed;
mod model;
mod reports;
mod run;
mod scale;
mod scenarios;
mod schema;
mod support;
mod validate;
