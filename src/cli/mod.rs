//! The `sonde` command: one function per subcommand, each returning an [`Exit`].

pub mod args;
mod curl;
mod run;
mod serve;
mod validate;

use std::io::IsTerminal;

pub use args::{Cli, ColorChoice, Command};

use crate::exit::Exit;

/// Runs a parsed command line.
pub fn main(cli: Cli) -> Exit {
    match cli.command {
        Command::Validate(args) => validate::validate(&args),
        Command::Schema => {
            print!("{}", sonde_core::schema::scenario_schema_json());
            Exit::Success
        }
        Command::Serve(args) => serve::serve(&args),
        Command::MergeJunit(args) => merge_junit(&args),
        Command::Curl(args) => curl::curl(&args),
        Command::Run(args) => run::run(&args),
    }
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

fn merge_junit(args: &args::MergeJunitArgs) -> Exit {
    let report = match crate::report::junit::merge(&args.reports) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Invalid;
        }
    };
    let written = match &args.output {
        Some(path) => crate::report::junit::write(&report, path),
        None => report
            .to_string()
            .map_err(std::io::Error::other)
            .map(|xml| print!("{xml}")),
    };
    match written {
        Ok(()) => Exit::Success,
        Err(e) => {
            eprintln!("error: cannot write the merged report: {e}");
            Exit::Invalid
        }
    }
}
