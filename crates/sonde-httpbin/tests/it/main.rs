//! The embedded server's integration tests, one binary.

mod server;
