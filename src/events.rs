//! What the engine tells the reporters. Reporters see only these types, never HTTP internals;
//! secrets are redacted before an event is made, so no reporter can leak one.

use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;

/// One message from the run to the reporters, in this order: `RunStarted`; for each file,
/// `FileStarted`, a `StepFinished` per step, `FileFinished`; `RunFinished`. Files run in
/// parallel, so the events of different files interleave; a file's own come in order.
#[derive(Debug, Clone)]
pub enum Event {
    RunStarted {
        files: usize,
    },
    FileStarted {
        index: usize,
        path: PathBuf,
    },
    /// A step of file `file`, with its full record.
    StepFinished {
        file: usize,
        step: Box<StepReport>,
    },
    /// The file, with every step its `StepFinished` events carried, in order.
    FileFinished(Box<FileReport>),
    RunFinished(Summary),
}

/// One scenario file, as reported: a `JUnit` testsuite.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileReport {
    /// The file's position in the run's input order.
    #[serde(skip)]
    pub index: usize,
    /// The path as given or discovered.
    #[schemars(with = "String")]
    pub path: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// Set when the file could not be loaded: the diagnostics, as printed.
    pub error: Option<String>,
    /// Things the user should know that are not failures (TLS verification turned off).
    pub warnings: Vec<String>,
    #[serde(serialize_with = "seconds")]
    #[schemars(with = "f64")]
    /// Wall time of the file, in seconds.
    pub time: Duration,
    pub steps: Vec<StepReport>,
}

impl FileReport {
    pub fn count(&self, outcome: StepStatus) -> usize {
        self.steps.iter().filter(|s| s.outcome == outcome).count()
    }

    /// A file passes when it loaded and no step failed.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.count(StepStatus::Failed) == 0
    }
}

/// One step: a `JUnit` testcase.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StepReport {
    pub name: String,
    /// The line of the step in its file.
    pub line: u32,
    pub outcome: StepStatus,
    /// Why a step was skipped.
    pub skip_reason: Option<String>,
    /// Wall time of the step, all tries included, in seconds.
    #[serde(serialize_with = "seconds")]
    #[schemars(with = "f64")]
    pub time: Duration,
    /// How many times the request was sent (retries and polls included).
    pub tries: u32,
    /// Problems that are not assertions: transport errors, captures that found nothing.
    pub errors: Vec<String>,
    /// Every failed assertion.
    pub assertions: Vec<AssertionReport>,
    /// Assertions that cannot run (`JetBrains` scripts in `.http` files), said, never passed silently.
    pub warnings: Vec<String>,
    /// The last exchange, when a request was sent.
    pub exchange: Option<ExchangeReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Passed,
    Failed,
    Skipped,
}

/// A failed assertion.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AssertionReport {
    /// What was asserted: `status`, `header content-type`, `json $.id`.
    pub assertion: String,
    /// The line of the assertion in its file.
    pub line: u32,
    pub expected: String,
    pub actual: String,
    /// A unified diff of expected and actual, when both are documents or texts.
    pub diff: Option<String>,
    /// The same diff with colours and word emphasis, for terminals.
    #[serde(skip)]
    #[schemars(skip)]
    pub diff_colored: Option<String>,
}

/// The request as sent and a summary of the response.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExchangeReport {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body_size: u64,
    /// The start of the request body, as text: JSON, form and raw bodies, or the parts of a
    /// multipart body, one a line; `None` for no body, a file streamed from disk, or bytes
    /// that are not text.
    pub request_body_preview: Option<String>,
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub response_headers: Vec<(String, String)>,
    pub response_body_size: u64,
    /// The start of the response body, as text.
    pub response_body_preview: Option<String>,
    /// Time to the whole response, in seconds.
    #[serde(serialize_with = "seconds")]
    #[schemars(with = "f64")]
    pub time: Duration,
    /// Redirects followed, as `status url` lines.
    pub redirects: Vec<String>,
}

/// Counts for the closing lines of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Summary {
    pub files_passed: usize,
    pub files_failed: usize,
    pub steps_passed: usize,
    pub steps_failed: usize,
    pub steps_skipped: usize,
    #[serde(serialize_with = "seconds")]
    #[schemars(with = "f64")]
    pub wall_time: Duration,
}

impl Summary {
    pub fn add(&mut self, file: &FileReport) {
        if file.passed() {
            self.files_passed += 1;
        } else {
            self.files_failed += 1;
        }
        self.steps_passed += file.count(StepStatus::Passed);
        self.steps_failed += file.count(StepStatus::Failed);
        self.steps_skipped += file.count(StepStatus::Skipped);
    }

    pub fn failed(&self) -> bool {
        self.files_failed > 0
    }
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}
