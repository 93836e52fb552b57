//! `sonde run`: discover, select, start the config's servers, run the files in parallel,
//! report to the terminal and the requested files, and say how it went.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::args::RunArgs;
use super::validate::load_config;
use crate::engine::{RunContext, run_scenario_async};
use crate::exit::Outcome;
use crate::report::console::Console;
use crate::report::redact::Redactor;
use crate::run::convert::{file_report, load_error_report};
use crate::run::discover::discover;
use crate::run::events::{Event, FileReport, Summary};
use crate::run::executor::{self, Options};
use crate::run::interrupt::Interrupt;
use crate::run::plan::{Selection, Shard};
use crate::run::servers::Servers;
use sonde_core as scenario;
use sonde_core::analysis::{check_schema_files, check_variables};

pub fn run(args: &RunArgs) -> Outcome {
    let interrupt = Interrupt::listen();
    match Run::prepare(args, &interrupt) {
        // The servers stop when `_servers` is dropped, after the run, whatever happened;
        // worker threads left behind by an interruption do not keep them alive.
        Ok((run, _servers)) => run.execute(args, &interrupt),
        Err(message) => {
            eprintln!("error: {message}");
            Outcome::Invalid
        }
    }
}

/// Everything decided before the first request.
struct Run {
    files: Vec<PathBuf>,
    missing: Vec<PathBuf>,
    context: RunContext,
    redactor: Redactor,
    selection: Selection,
    jobs: usize,
    junit: Option<PathBuf>,
    json: Option<PathBuf>,
    /// Reports of passed steps carry their exchange (`--verbose`, `--json`).
    detailed: bool,
    /// What the run defines for templates: `--var`s, config vars, server names.
    defined_names: std::collections::BTreeSet<String>,
}

impl Run {
    fn prepare(args: &RunArgs, interrupt: &Interrupt) -> Result<(Run, Servers), String> {
        let input = &args.input;
        let run_vars = input.variables.run_vars()?;
        let config = load_config(input.variables.config.as_deref(), &input.paths).map_err(
            |diagnostics| {
                diagnostics
                    .iter()
                    .map(|d| d.render(false))
                    .collect::<Vec<_>>()
                    .join("\n")
            },
        )?;
        let shard = args.shard.as_deref().map(str::parse::<Shard>).transpose()?;
        let max_body = match &args.max_body {
            Some(size) => parse_size(size)?,
            None => crate::transport::DEFAULT_MAX_BODY,
        };
        let found = discover(&input.paths);
        if args.verbose {
            for path in &found.passed_over {
                eprintln!("passed over (no top-level `steps`): {}", path.display());
            }
        }
        let files = match shard {
            Some(shard) => shard.select(found.files),
            None => found.files,
        };
        let servers = Servers::start(&config.servers)?;
        let mut vars = indexmap::IndexMap::new();
        for (name, url) in &servers.urls {
            vars.insert(name.clone(), serde_json::Value::String(url.clone()));
        }
        vars.extend(run_vars.values.clone());
        let secrets = run_vars
            .secret_names
            .iter()
            .filter_map(|name| run_vars.values.get(name))
            .filter_map(|v| v.as_str().map(str::to_owned));
        let run = Run {
            files,
            missing: found.missing,
            context: RunContext {
                vars,
                config_vars: config.vars.clone(),
                config_session: config.session.clone(),
                max_body,
                interrupted: interrupt.flag(),
                ..RunContext::default()
            },
            redactor: Redactor::new(secrets),
            selection: Selection {
                tags: args.tags.clone(),
                skip_tags: args.skip_tags.clone(),
                filter: args.filter.clone(),
            },
            jobs: args
                .jobs
                .or(config.jobs)
                .unwrap_or_else(executor::default_jobs),
            junit: args.junit.clone().or(config.reports.junit.clone()),
            json: args.json.clone().or(config.reports.json.clone()),
            detailed: args.verbose || args.json.is_some() || config.reports.json.is_some(),
            defined_names: run_vars
                .names()
                .chain(config.defined_names())
                .map(str::to_owned)
                .collect(),
        };
        Ok((run, servers))
    }

    fn execute(self, args: &RunArgs, interrupt: &Interrupt) -> Outcome {
        for missing in &self.missing {
            eprintln!("error: {}: no such file or directory", missing.display());
        }
        let color = super::stdout_color(args.input.color);
        let progress = !args.no_progress
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none();
        let mut console = Console::new(color, args.verbose, progress);
        let keep_reports = self.junit.is_some() || self.json.is_some();
        let mut reports: Vec<FileReport> = Vec::new();
        let mut invalid_files = self.missing.len();
        let http_env = args.input.variables.http_env.clone();
        let run = Arc::new(self);
        let worker = Arc::clone(&run);
        let summary = executor::execute(
            run.files.clone(),
            &Options {
                jobs: run.jobs,
                fail_fast: args.fail_fast,
            },
            Arc::new(move |index: usize, path: PathBuf| {
                let (run, http_env) = (Arc::clone(&worker), http_env.clone());
                async move { run.run_file(index, &path, http_env.as_deref()).await }
            }),
            interrupt,
            |event| {
                console.on_event(&event);
                if let Event::FileFinished(report) = event {
                    invalid_files += usize::from(report.error.is_some());
                    if keep_reports {
                        reports.push(*report);
                    }
                }
            },
        );
        reports.sort_by_key(|r| r.index);
        let written = run.write_reports(&reports, &summary);
        if let Some(status) = interrupt.exit_status() {
            let not_run = run
                .files
                .len()
                .saturating_sub(summary.files_passed + summary.files_failed);
            eprintln!(
                "interrupted by {}: {not_run} file(s) not run or not finished; the reports hold what finished",
                interrupt.signal_name()
            );
            return Outcome::Interrupted(status);
        }
        if !written || invalid_files > 0 {
            Outcome::Invalid
        } else if summary.failed() {
            Outcome::Failure
        } else {
            Outcome::Success
        }
    }

    async fn run_file(
        &self,
        index: usize,
        path: &Path,
        http_env: Option<&str>,
    ) -> Option<FileReport> {
        let mut loaded = match scenario::load(path, http_env) {
            Ok(loaded) => loaded,
            Err(diagnostics) => {
                let text = diagnostics
                    .iter()
                    .map(|d| d.render(false))
                    .collect::<Vec<_>>()
                    .join("\n");
                return Some(load_error_report(index, path, self.redactor.redact(&text)));
            }
        };
        // The same static checks as `sonde validate`: a template naming nothing, or a schema
        // that cannot be used, is invalid input, said before anything is sent.
        let mut problems = check_variables(&loaded.scenario, &self.defined_names);
        problems.extend(check_schema_files(&loaded.scenario));
        if !problems.is_empty() {
            let text = problems
                .iter()
                .map(|d| d.render(false))
                .collect::<Vec<_>>()
                .join("\n");
            return Some(load_error_report(index, path, self.redactor.redact(&text)));
        }
        if !self
            .selection
            .apply(&mut loaded.scenario, &path.display().to_string())
        {
            return None;
        }
        let record = run_scenario_async(&loaded.scenario, &self.context, &mut |_| {}).await;
        Some(file_report(
            index,
            path,
            &loaded,
            &record,
            &self.redactor,
            self.detailed,
        ))
    }

    /// Writes the JUnit and JSON reports asked for; `false` when one could not be written.
    fn write_reports(&self, reports: &[FileReport], summary: &Summary) -> bool {
        let mut ok = true;
        if let Some(path) = &self.junit {
            let report = crate::report::junit::report(reports, summary);
            if let Err(e) = crate::report::junit::write(&report, path) {
                eprintln!(
                    "error: cannot write the JUnit report {}: {e}",
                    path.display()
                );
                ok = false;
            }
        }
        if let Some(path) = &self.json
            && let Err(e) = crate::report::json::write(reports.iter().collect(), summary, path)
        {
            eprintln!(
                "error: cannot write the JSON report {}: {e}",
                path.display()
            );
            ok = false;
        }
        ok
    }
}

/// `64MiB`, `10MB`, `512k`, `1000`: a size in bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("--max-body: `{text}` is not a size like 64MiB"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return Err(format!("--max-body: `{text}` is not a size like 64MiB")),
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("--max-body: `{text}` is too large"))
}
