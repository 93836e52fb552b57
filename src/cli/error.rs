//! Why a command could not do its work. Every subcommand returns these; [`report`] is the one
//! place they are said and turned into an exit status.

use sonde_core::Diagnostic;
use sonde_core::vars::VarsError;

use crate::exit::Exit;
use crate::report::junit::MergeError;
use crate::run::RunError;
use crate::run::plan::ShardError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error(transparent)]
    Vars(#[from] VarsError),
    #[error(transparent)]
    Shard(#[from] ShardError),
    #[error(transparent)]
    Size(#[from] SizeError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error("cannot write to standard output: {0}")]
    Stdout(#[source] std::io::Error),
    #[error("cannot write the merged report: {0}")]
    WriteMerged(#[source] std::io::Error),
    #[cfg(feature = "httpbin")]
    #[error("cannot serve on {address}: {source}")]
    Serve {
        address: String,
        source: std::io::Error,
    },
    #[cfg_attr(feature = "httpbin", allow(dead_code))]
    #[error("this sonde was built without the embedded server (the `httpbin` feature)")]
    NotBuiltIn,
    #[error("no step named `{step}` in {file}")]
    NoSuchStep { step: String, file: String },
    /// Input that does not load: the diagnostics, each rendered compiler-style.
    #[error("{}", Diagnostic::render_all(.0))]
    Invalid(Vec<Diagnostic>),
}

/// `--max-body` that is not a size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SizeError {
    #[error("--max-body: `{0}` is not a size like 64MiB")]
    NotASize(String),
    #[error("--max-body: `{0}` is too large")]
    TooLarge(String),
}

/// Says what went wrong on stderr and gives the exit status: every error here is invalid
/// input or usage (2).
pub(crate) fn report(error: &CliError) -> Exit {
    match error {
        // A diagnostic says `error:` itself, with its place.
        CliError::Invalid(_) => eprintln!("{error}"),
        _ => eprintln!("error: {error}"),
    }
    Exit::Invalid
}
