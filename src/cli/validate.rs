//! `sonde validate`: parse, compile and check every file without sending anything.

use std::collections::BTreeSet;
use std::io::Write as _;

use super::args::ValidateArgs;
use super::error::CliError;
use crate::exit::Exit;
use crate::run::discover::discover;
use crate::run::{configs_of, load_config, static_checks};
use sonde_core::{self as scenario, Diagnostic};

pub(super) fn validate(args: &ValidateArgs) -> Result<Exit, CliError> {
    let input = &args.input;
    let color = super::stderr_color(input.color);
    let mut stderr = std::io::stderr().lock();
    let mut print = |diagnostics: &[Diagnostic]| {
        for d in diagnostics {
            let _ = writeln!(stderr, "{}", d.render(color));
        }
    };

    let run_vars = input.variables.run_vars()?;
    let found = discover(&input.paths);
    // The run's config is checked even when no file uses it (a folder with no scenario yet),
    // then each file with what its own config defines (its nearest `sonde.yaml`).
    let configs = match load_config(input.variables.config.as_deref(), &input.paths)
        .and_then(|read| configs_of(input.variables.config.as_deref(), &found.files, &read))
    {
        Ok(configs) => configs,
        Err(diagnostics) => {
            // Printed as every other diagnostic `validate` finds, in colour on a terminal.
            print(&diagnostics);
            return Ok(Exit::Invalid);
        }
    };
    for missing in &found.missing {
        eprintln!("error: {}: no such file or directory", missing.display());
    }
    for (path, why) in &found.unreadable {
        eprintln!("error: {}: cannot be read: {why}", path.display());
    }

    let defined: Vec<BTreeSet<String>> = configs
        .configs
        .iter()
        .map(|(_, config)| {
            run_vars
                .names()
                .chain(config.defined_names())
                .map(str::to_owned)
                .collect()
        })
        .collect();
    let mut invalid = found.missing.len() + found.unreadable.len();
    for (position, path) in found.files.iter().enumerate() {
        let outer = &defined[configs.of_file[position]];
        // A bug (ours or a dependency's) on one file is reported for that file, and the
        // others are still checked, as `run` does.
        let checked = std::panic::catch_unwind(|| {
            match scenario::load(path, input.variables.http_env.as_deref()) {
                Ok(loaded) => {
                    for skipped in &loaded.skipped {
                        eprintln!(
                            "warning: {}:{}:{}: {} (reported as a skipped assertion)",
                            path.display(),
                            skipped.span.line,
                            skipped.span.col,
                            skipped.what
                        );
                    }
                    static_checks(&loaded, outer)
                }
                Err(diagnostics) => diagnostics,
            }
        });
        let Ok(problems) = checked else {
            eprintln!(
                "error: {}: sonde could not check this file because of the internal error above",
                path.display()
            );
            invalid += 1;
            continue;
        };
        if !problems.is_empty() {
            invalid += 1;
            print(&problems);
        }
    }
    let valid = found.files.len() + found.missing.len() + found.unreadable.len() - invalid;
    let noun = |n: usize| if n == 1 { "file" } else { "files" };
    eprintln!(
        "{valid} {} valid, {invalid} {} invalid",
        noun(valid),
        noun(invalid)
    );
    Ok(if invalid > 0 {
        Exit::Invalid
    } else {
        Exit::Success
    })
}
