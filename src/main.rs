use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = sonde::cli::Cli::parse();
    sonde::cli::main(cli).into()
}
