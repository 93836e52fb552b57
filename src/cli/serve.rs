//! `sonde serve`: the embedded httpbin-compatible server in the foreground.

use super::args::ServeArgs;
use crate::exit::Exit;

pub(super) fn serve(args: &ServeArgs) -> Exit {
    let result = sonde_httpbin::serve_foreground(args.host, args.port, |addr| {
        eprintln!(
            "sonde serve: httpbin-compatible server listening on http://{addr} (Ctrl-C stops it)"
        );
    });
    match result {
        Ok(()) => Exit::Success,
        Err(e) => {
            eprintln!("error: cannot serve on {}:{}: {e}", args.host, args.port);
            Exit::Invalid
        }
    }
}
