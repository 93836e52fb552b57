//! `sonde serve`: the embedded httpbin-compatible server in the foreground.

use super::args::ServeArgs;
use crate::exit::Outcome;

pub fn serve(args: &ServeArgs) -> Outcome {
    let result = sonde_httpbin::serve_foreground(args.host, args.port, |addr| {
        eprintln!(
            "sonde serve: httpbin-compatible server listening on http://{addr} (Ctrl-C stops it)"
        );
    });
    match result {
        Ok(()) => Outcome::Success,
        Err(e) => {
            eprintln!("error: cannot serve on {}:{}: {e}", args.host, args.port);
            Outcome::Invalid
        }
    }
}
