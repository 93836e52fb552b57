//! The `sonde` command: one function per subcommand, each returning an [`Exit`].

pub mod args;
mod curl;
mod error;
mod run;
mod serve;
mod validate;

use std::io::IsTerminal;

pub use args::{Cli, ColorChoice, Command};

use crate::exit::Exit;
use error::CliError;

/// Runs a parsed command line.
pub fn main(cli: Cli) -> Exit {
    let result = match cli.command {
        Command::Validate(args) => validate::validate(&args),
        Command::Schema => {
            print!("{}", sonde_core::schema::scenario_schema_json());
            Ok(Exit::Success)
        }
        Command::Serve(args) => serve::serve(&args),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
        Command::MergeJunit(args) => merge_junit(&args),
        Command::Curl(args) => curl::curl(&args),
        Command::Run(args) => run::run(&args),
    };
    result.unwrap_or_else(|error| error::report(&error))
}

/// Whether to colour what goes to stdout.
pub fn stdout_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Whether to colour what goes to stderr.
pub fn stderr_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// The completion script of `shell`, made from the same definitions as `--help`.
fn completions(shell: clap_complete::Shell) -> Result<Exit, CliError> {
    let mut script = Vec::new();
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "sonde", &mut script);
    print_bytes(&script)
}

/// The manual page (roff), made from the same definitions as `--help`.
fn man() -> Result<Exit, CliError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
        .render(&mut page)
        .map_err(CliError::Stdout)?;
    print_bytes(&page)
}

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
fn print_bytes(bytes: &[u8]) -> Result<Exit, CliError> {
    match std::io::Write::write_all(&mut std::io::stdout().lock(), bytes) {
        Ok(()) => Ok(Exit::Success),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Success),
        Err(e) => Err(CliError::Stdout(e)),
    }
}

fn merge_junit(args: &args::MergeJunitArgs) -> Result<Exit, CliError> {
    let report = crate::report::junit::merge(&args.reports)?;
    let written = match &args.output {
        Some(path) => crate::report::junit::write(&report, path),
        None => crate::report::junit::to_text(&report).map(|xml| print!("{xml}")),
    };
    written.map_err(CliError::WriteMerged)?;
    Ok(Exit::Success)
}
