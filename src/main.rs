use std::process::ExitCode;

use clap::Parser;

// glibc's malloc was a third of the instructions of a run (bench/RESULTS.md); mimalloc
// cuts the run's instructions by a fifth. Without transparent huge pages (`no_thp`), its
// peak RSS stays that of glibc; with them it doubled.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
