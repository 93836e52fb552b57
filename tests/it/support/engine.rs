//! A fluent helper that makes each engine test a few lines:
//! `scenario(yaml).against(&server).run()` returns the file's record.
//!
//! The scenario sees the server's URL as `{{ httpbin }}`; relative paths resolve against
//! `tests/fixtures/engine` unless `in_dir` says otherwise.

use std::path::{Path, PathBuf};

use serde_json::Value as J;
use sonde::engine::{FileRecord, RunContext, StepOutcome, StepRecord, run_scenario};
use sonde_core::{SourceFile, yaml};
use sonde_httpbin::ServerHandle;

pub(crate) fn server() -> ServerHandle {
    sonde_httpbin::spawn("127.0.0.1".parse().expect("an IP"), 0).expect("the test server starts")
}

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine")
}

pub(crate) struct ScenarioRun {
    yaml: String,
    dir: PathBuf,
    ctx: RunContext,
}

pub(crate) fn scenario(yaml: &str) -> ScenarioRun {
    ScenarioRun {
        yaml: yaml.to_string(),
        dir: fixtures(),
        ctx: RunContext::default(),
    }
}

impl ScenarioRun {
    pub(crate) fn against(self, server: &ServerHandle) -> ScenarioRun {
        self.var("httpbin", J::String(server.url()))
    }

    pub(crate) fn var(mut self, name: &str, value: J) -> ScenarioRun {
        self.ctx.vars.insert(name.to_string(), value);
        self
    }

    pub(crate) fn in_dir(mut self, dir: &Path) -> ScenarioRun {
        self.dir = dir.to_path_buf();
        self
    }

    /// Takes `vars` and `session` from a `sonde.yaml` text, as a run with a config does.
    pub(crate) fn config(mut self, yaml: &str) -> ScenarioRun {
        let source = SourceFile::new(self.dir.join("sonde.yaml"), yaml);
        let config = sonde_core::config::Config::load(&source).expect("a valid config");
        self.ctx.config_vars = config.vars;
        self.ctx.config_session = config.session;
        self
    }

    pub(crate) fn max_body(mut self, bytes: u64) -> ScenarioRun {
        self.ctx.max_body = bytes;
        self
    }

    pub(crate) fn run(self) -> FileRecord {
        let source = SourceFile::new(self.dir.join("scenario.yaml"), self.yaml);
        let scenario = match yaml::load(&source) {
            Ok(s) => s,
            Err(errors) => panic!(
                "invalid test scenario: {:?}",
                errors.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
            ),
        };
        run_scenario(&scenario, &self.ctx, &mut |_| {})
    }

    /// Runs and asserts every step passed.
    pub(crate) fn passes(self) -> FileRecord {
        let record = self.run();
        for step in &record.steps {
            if let StepOutcome::Failed(failures) = &step.outcome {
                panic!("step `{}` failed: {failures:#?}", step.name);
            }
        }
        record
    }
}

pub(crate) trait RecordExt {
    fn step(&self, index: usize) -> &StepRecord;
    /// What httpbin echoed for the first step (the JSON body of its last exchange).
    fn echoed(&self) -> J;
    /// The failure messages of a step, joined.
    fn failure(&self, index: usize) -> String;
}

impl RecordExt for FileRecord {
    fn step(&self, index: usize) -> &StepRecord {
        &self.steps[index]
    }

    fn echoed(&self) -> J {
        self.step(0).json()
    }

    fn failure(&self, index: usize) -> String {
        match &self.step(index).outcome {
            StepOutcome::Failed(failures) => failures
                .iter()
                .map(sonde::engine::StepFailure::message)
                .collect::<Vec<_>>()
                .join("\n"),
            other => panic!("step {index} did not fail: {other:?}"),
        }
    }
}

pub(crate) trait StepExt {
    fn json(&self) -> J;
    fn status(&self) -> u16;
}

impl StepExt for StepRecord {
    fn json(&self) -> J {
        let exchange = self
            .exchange()
            .unwrap_or_else(|| panic!("step `{}` has no exchange: {:?}", self.name, self.outcome));
        exchange.response.body.json().expect("a JSON body")
    }

    fn status(&self) -> u16 {
        self.exchange().expect("an exchange").response.head.status
    }
}
