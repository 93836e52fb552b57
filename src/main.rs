use std::process::ExitCode;

use clap::Parser;

// Allocation is a fifth of the instructions of a run (bench/RESULTS.md): mimalloc halves it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = sonde::cli::Cli::parse();
    sonde::cli::main(cli).into()
}
