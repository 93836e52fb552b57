//! `sonde run`: the flags made into [`RunOptions`] once, the run prepared and executed by the
//! library, and its result said and turned into an exit status.

use std::io::IsTerminal;

use super::args::{NoTests, RunArgs};
use super::error::{CliError, SizeError};
use crate::exit::Exit;
use crate::report::ReportOptions;
use crate::run::interrupt::Interrupt;
use crate::run::plan::{Selection, Shard};
use crate::run::{Run, RunOptions, RunResult};

pub(super) fn run(args: &RunArgs) -> Result<Exit, CliError> {
    let options = options(args)?;
    let interrupt = Interrupt::listen();
    let run = match Run::prepare(options, &interrupt) {
        Ok(run) => run,
        // Ctrl-C while a config's server was getting ready: it is stopped; say so as any
        // interrupted run does.
        Err(_) if interrupt.exit_status().is_some() => {
            eprintln!(
                "interrupted by {} while the servers were starting; nothing was run",
                interrupt.signal_name()
            );
            return Ok(Exit::Interrupted(interrupt.exit_status().unwrap_or(130)));
        }
        Err(error) => return Err(error.into()),
    };
    if args.verbose {
        for path in &run.passed_over {
            eprintln!("passed over (no top-level `steps`): {}", path.display());
        }
    }
    for missing in &run.missing {
        eprintln!("error: {}: no such file or directory", missing.display());
    }
    for (path, why) in &run.unreadable {
        eprintln!("error: {}: cannot be read: {why}", path.display());
    }
    let result = run.execute(&interrupt);
    Ok(outcome(&result, &interrupt, args.no_tests))
}

/// The flags, parsed and checked.
fn options(args: &RunArgs) -> Result<RunOptions, CliError> {
    let input = &args.input;
    let vars = input.variables.run_vars()?;
    let shard = args.shard.as_deref().map(str::parse::<Shard>).transpose()?;
    let max_body = args.max_body.as_deref().map(parse_size).transpose()?;
    let progress =
        !args.no_progress && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    Ok(RunOptions {
        paths: input.paths.clone(),
        vars,
        config: input.variables.config.clone(),
        http_env: input.variables.http_env.clone(),
        jobs: args.jobs,
        selection: Selection {
            tags: args.tags.clone(),
            skip_tags: args.skip_tags.clone(),
            filter: args.filter.clone(),
        },
        fail_fast: args.fail_fast,
        retries: args.retries,
        shard,
        max_body,
        reports: ReportOptions {
            color: super::stdout_color(input.color),
            verbose: args.verbose,
            progress,
            junit: args.junit.clone(),
            json: args.json.clone(),
            html: args.html.clone(),
        },
    })
}

/// A run that selected no step, as `--no-tests` says.
fn no_tests(policy: NoTests) -> Exit {
    let what = "no step was selected to run (no scenario found, or none that the paths, \
                --tag, --skip-tag, --filter and --shard select)";
    match policy {
        NoTests::Fail => {
            eprintln!("error: {what}; --no-tests warn or pass accepts an empty run");
            Exit::NoTests
        }
        NoTests::Warn => {
            eprintln!("warning: {what}");
            Exit::Success
        }
        NoTests::Pass => Exit::Success,
    }
}

fn outcome(result: &RunResult, interrupt: &Interrupt, no_tests_policy: NoTests) -> Exit {
    for error in &result.report_errors {
        eprintln!("error: {error}");
    }
    let summary = &result.summary;
    if let Some(status) = interrupt.exit_status() {
        let not_run = result
            .files
            .saturating_sub(summary.files_passed + summary.files_failed);
        eprintln!(
            "interrupted by {}: {not_run} file(s) not run or not finished; the reports hold what finished",
            interrupt.signal_name()
        );
        return Exit::Interrupted(status);
    }
    if !result.report_errors.is_empty() || result.invalid_files > 0 {
        Exit::Invalid
    } else if result.selected_steps == 0 {
        no_tests(no_tests_policy)
    } else if summary.failed() {
        Exit::Failure
    } else {
        Exit::Success
    }
}

/// `64MiB`, `10MB`, `512k`, `1000`: a size in bytes.
fn parse_size(text: &str) -> Result<u64, SizeError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| SizeError::NotASize(text.to_owned()))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return Err(SizeError::NotASize(text.to_owned())),
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| SizeError::TooLarge(text.to_owned()))
}
