//! `sonde serve`: the embedded httpbin-compatible server in the foreground.

use super::args::ServeArgs;
use super::error::CliError;
use crate::exit::Exit;

#[cfg(not(feature = "httpbin"))]
pub(super) fn serve(_args: &ServeArgs) -> Result<Exit, CliError> {
    Err(CliError::NotBuiltIn)
}

#[cfg(feature = "httpbin")]
pub(super) fn serve(args: &ServeArgs) -> Result<Exit, CliError> {
    sonde_httpbin::serve_foreground(args.host, args.port, |addr| {
        eprintln!(
            "sonde serve: httpbin-compatible server listening on http://{addr} (Ctrl-C stops it)"
        );
    })
    .map_err(|source| CliError::Serve {
        address: format!("{}:{}", args.host, args.port),
        source,
    })?;
    Ok(Exit::Success)
}
