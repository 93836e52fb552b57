//! One file's way through a run: loaded and checked as `validate` does, its steps selected,
//! run by the engine as a session, and its record turned into a report (redacted there).

use std::collections::BTreeSet;
use std::path::Path;

use super::convert::{diagnostics_report, file_report};
use super::plan::Selection;
use crate::engine::{RunContext, run_scenario_async};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::events::{Attempt, FileReport};
use crate::report::redact::Redactor;

/// What the files under one config share: its servers' URLs, vars and session defaults.
pub(super) struct Suite {
    pub(super) context: RunContext,
    /// What the run and the config define for templates: `--var`s, config vars, server names.
    pub(super) defined: BTreeSet<String>,
}

/// What every file of a run shares.
pub(super) struct FilePipeline {
    /// One per config (each file takes its nearest `sonde.yaml`).
    pub(super) suites: Vec<Suite>,
    /// For the file at each position of the run's list, the index of its suite.
    pub(super) suite_of_file: Vec<usize>,
    pub(super) redactor: Redactor,
    pub(super) selection: Selection,
    /// Reports of passed steps carry their exchange (`--verbose`, `--json`, `--html`).
    pub(super) detailed: bool,
    pub(super) http_env: Option<String>,
    /// How many times a failed file is run again.
    pub(super) retries: u32,
    /// Steps the selection took, over every file (`--no-tests`).
    pub(super) selected_steps: AtomicUsize,
}

impl FilePipeline {
    /// The file's report, or `None` when the selection leaves the whole file out.
    pub(super) async fn run_file(&self, index: usize, path: &Path) -> Option<FileReport> {
        let suite = &self.suites[self.suite_of_file.get(index).copied().unwrap_or(0)];
        let mut loaded = match super::load_checked(path, &suite.defined, self.http_env.as_deref()) {
            Ok(loaded) => loaded,
            Err(diagnostics) => {
                return Some(diagnostics_report(
                    index,
                    path,
                    &diagnostics,
                    &self.redactor,
                ));
            }
        };
        let selected = self
            .selection
            .apply(&mut loaded.scenario, &path.display().to_string());
        if selected == 0 {
            return None;
        }
        self.selected_steps.fetch_add(selected, Ordering::Relaxed);
        // A file is a session: a retry runs it again from its first step, so captures and
        // cookies are what they would be in a first run.
        let mut failed_attempts = Vec::new();
        loop {
            let record = run_scenario_async(&loaded.scenario, &suite.context, &mut |_| {}).await;
            let mut report =
                file_report(index, path, &loaded, &record, &self.redactor, self.detailed);
            let interrupted = suite.context.interrupted.load(Ordering::Relaxed);
            if report.passed() || interrupted || failed_attempts.len() >= self.retries as usize {
                report.mark_flaky(failed_attempts);
                return Some(report);
            }
            failed_attempts.push(Attempt {
                number: failed_attempts.len() as u32 + 1,
                time: report.time,
                steps: report.steps,
            });
        }
    }
}
