//! One file's way through a run: loaded and checked as `validate` does, its steps selected,
//! run by the engine as a session, and its record turned into a report (redacted there).

use std::collections::BTreeSet;
use std::path::Path;

use super::convert::{file_report, load_error_report};
use super::plan::Selection;
use crate::engine::{RunContext, run_scenario_async};
use crate::events::FileReport;
use crate::report::redact::Redactor;

/// What every file of a run shares.
pub(super) struct FilePipeline {
    pub(super) context: RunContext,
    pub(super) redactor: Redactor,
    pub(super) selection: Selection,
    /// Reports of passed steps carry their exchange (`--verbose`, `--json`, `--html`).
    pub(super) detailed: bool,
    /// What the run defines for templates: `--var`s, config vars, server names.
    pub(super) defined: BTreeSet<String>,
    pub(super) http_env: Option<String>,
}

impl FilePipeline {
    /// The file's report, or `None` when the selection leaves the whole file out.
    pub(super) async fn run_file(&self, index: usize, path: &Path) -> Option<FileReport> {
        let mut loaded = match super::load_checked(path, &self.defined, self.http_env.as_deref()) {
            Ok(loaded) => loaded,
            Err(diagnostics) => {
                let text = super::render(&diagnostics);
                return Some(load_error_report(index, path, self.redactor.redact(&text)));
            }
        };
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
}
