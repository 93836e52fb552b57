//! Running many files: discovery, planning, execution, and the events reporters consume.
//!
//! [`Run::prepare`] decides everything before the first request (config, variables,
//! servers, the files of this shard); [`Run::execute`] runs the files in parallel and hands
//! every event to the reporters, then returns what happened for the CLI to turn into an exit
//! status. Nothing here prints.

mod convert;
pub(crate) mod discover;
mod executor;
pub(crate) mod interrupt;
mod load;
mod pipeline;
pub(crate) mod plan;
mod servers;

use std::path::PathBuf;
use std::sync::Arc;

use sonde_core::Diagnostic;
use sonde_core::vars::RunVars;

pub(crate) use executor::default_jobs;
pub(crate) use load::{configs_of, load_checked, load_config, static_checks};

use crate::engine::RunContext;
use crate::events::{Event, Summary};
use crate::report::redact::Redactor;
use crate::report::{ReportError, ReportOptions, Reporter};
use interrupt::Interrupt;
use pipeline::FilePipeline;
use plan::{Selection, Shard};
use servers::Servers;

/// What `sonde run` was asked to do, validated (the CLI parses flags into this once).
#[derive(Debug, Clone, Default)]
pub(crate) struct RunOptions {
    pub paths: Vec<PathBuf>,
    pub vars: RunVars,
    pub config: Option<PathBuf>,
    /// The environment of `http-client.env.json` for `.http` files.
    pub http_env: Option<String>,
    pub jobs: Option<usize>,
    pub selection: Selection,
    pub fail_fast: bool,
    /// A failed file is run again up to this many times (`--retries`, or the config's).
    pub retries: Option<u32>,
    pub shard: Option<Shard>,
    /// The largest body held in memory, in bytes.
    pub max_body: Option<u64>,
    /// Where reports go; the config's `reports:` fill what is not given here.
    pub reports: ReportOptions,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    #[error("{}", Diagnostic::render_all(.0))]
    Config(Vec<Diagnostic>),
    #[error(transparent)]
    Servers(#[from] servers::ServerError),
}

/// How a run went, for the CLI to say and turn into an exit status.
#[derive(Debug)]
pub(crate) struct RunResult {
    pub summary: Summary,
    /// Files that could not be loaded (and paths that do not exist).
    pub invalid_files: usize,
    /// Reports that could not be written.
    pub report_errors: Vec<ReportError>,
    /// Files selected for the run.
    pub files: usize,
    /// Steps the selection took (run, or skipped for a reason of their own), over every file.
    pub selected_steps: usize,
}

/// A run decided and ready: its servers run until it is dropped.
pub(crate) struct Run {
    files: Vec<PathBuf>,
    /// Paths named on the command line that do not exist.
    pub missing: Vec<PathBuf>,
    /// Files found but not taken (no top-level `steps`), for `--verbose`.
    pub passed_over: Vec<PathBuf>,
    /// Folders and files met that cannot be read, and why.
    pub unreadable: Vec<(PathBuf, String)>,
    pipeline: Arc<FilePipeline>,
    jobs: usize,
    fail_fast: bool,
    reports: ReportOptions,
    // Dropped last: the servers stop after the run, whatever happened.
    _servers: Vec<Servers>,
}

impl Run {
    /// Loads the configs, starts their servers (each config's once) and picks the files of
    /// this shard. The run's own settings (`jobs`, `retries`, `reports`) come from the config
    /// of the first path given; what a file's steps see (vars, session, servers) from its own.
    pub(crate) fn prepare(options: RunOptions, interrupt: &Interrupt) -> Result<Run, RunError> {
        let config =
            load_config(options.config.as_deref(), &options.paths).map_err(RunError::Config)?;
        let found = discover::discover(&options.paths);
        let files = match options.shard {
            Some(shard) => shard.select(found.files),
            None => found.files,
        };
        let configs = load::configs_of(options.config.as_deref(), &files, &config)
            .map_err(RunError::Config)?;
        let run_vars = &options.vars;
        let mut reports = options.reports;
        let record_passes = reports.wants_every_assertion();
        let mut servers = Vec::with_capacity(configs.configs.len());
        let mut suites = Vec::with_capacity(configs.configs.len());
        for (_, suite_config) in &configs.configs {
            let started = Servers::start(&suite_config.servers, &interrupt.flag())
                .map_err(RunError::Servers)?;
            let mut vars = indexmap::IndexMap::new();
            for (name, url) in &started.urls {
                vars.insert(name.clone(), serde_json::Value::String(url.clone()));
            }
            vars.extend(run_vars.values.clone());
            suites.push(pipeline::Suite {
                context: RunContext {
                    vars,
                    config_vars: suite_config.vars.clone(),
                    config_session: suite_config.session.clone(),
                    max_body: options
                        .max_body
                        .unwrap_or(crate::transport::DEFAULT_MAX_BODY),
                    interrupted: interrupt.flag(),
                    // The assertions that hold are recorded only when a reporter shows them.
                    record_passes,
                    ..RunContext::default()
                },
                defined: run_vars
                    .names()
                    .chain(suite_config.defined_names())
                    .map(str::to_owned)
                    .collect(),
            });
            servers.push(started);
        }
        let secrets = run_vars
            .secret_names
            .iter()
            .filter_map(|name| run_vars.values.get(name))
            .filter_map(|v| v.as_str().map(str::to_owned));
        reports.junit = reports.junit.or(config.reports.junit.clone());
        reports.json = reports.json.or(config.reports.json.clone());
        reports.html = reports.html.or(config.reports.html.clone());
        let pipeline = FilePipeline {
            suites,
            suite_of_file: configs.of_file,
            redactor: Redactor::new(secrets),
            selection: options.selection,
            // Reports of passed steps carry their exchange only when a reporter shows it.
            detailed: reports.wants_every_exchange(),
            http_env: options.http_env,
            retries: options.retries.or(config.retries).unwrap_or(0),
            selected_steps: std::sync::atomic::AtomicUsize::new(0),
        };
        Ok(Run {
            files,
            missing: found.missing,
            passed_over: found.passed_over,
            unreadable: found.unreadable,
            pipeline: Arc::new(pipeline),
            jobs: options.jobs.or(config.jobs).unwrap_or_else(default_jobs),
            fail_fast: options.fail_fast,
            reports,
            _servers: servers,
        })
    }

    /// Runs every file, `jobs` at a time, and hands every event to each reporter.
    pub(crate) fn execute(self, interrupt: &Interrupt) -> RunResult {
        let mut reporters: Vec<Box<dyn Reporter>> = crate::report::reporters(&self.reports);
        let mut invalid_files = self.missing.len() + self.unreadable.len();
        let pipeline = Arc::clone(&self.pipeline);
        let summary = executor::execute(
            self.files.clone(),
            &executor::Options {
                jobs: self.jobs,
                fail_fast: self.fail_fast,
            },
            Arc::new(move |index: usize, path: PathBuf| {
                let pipeline = Arc::clone(&pipeline);
                async move { pipeline.run_file(index, &path).await }
            }),
            interrupt,
            |event| {
                if let Event::FileFinished(report) = event {
                    invalid_files += usize::from(report.error.is_some());
                }
                for reporter in &mut reporters {
                    reporter.on_event(event);
                }
            },
        );
        let report_errors = reporters
            .iter_mut()
            .filter_map(|reporter| reporter.finish().err())
            .collect();
        RunResult {
            summary,
            invalid_files,
            report_errors,
            files: self.files.len(),
            selected_steps: self
                .pipeline
                .selected_steps
                .load(std::sync::atomic::Ordering::Relaxed),
        }
    }
}
