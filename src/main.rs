use std::process::ExitCode;

use clap::Parser;

/// Parsers of nested documents and expressions recurse: the main work gets a roomy stack.
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = sonde::cli::Cli::parse();
    let worker = std::thread::Builder::new()
        .name("sonde".into())
        .stack_size(STACK_SIZE)
        .spawn(move || sonde::cli::main(cli));
    match worker.map(|w| w.join()) {
        Ok(Ok(outcome)) => outcome.into(),
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            ExitCode::from(2)
        }
    }
}
