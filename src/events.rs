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
    /// Why the file could not be loaded, as data: one entry a problem, with its place (the
    /// same problems as `error`). Empty when it loaded.
    pub diagnostics: Vec<DiagnosticReport>,
    /// Things the user should know that are not failures (TLS verification turned off).
    pub warnings: Vec<String>,
    #[serde(serialize_with = "seconds")]
    #[schemars(with = "f64")]
    /// Wall time of the file, in seconds.
    pub time: Duration,
    pub steps: Vec<StepReport>,
    /// Passed on a retry (`--retries`) after failing: not counted as passed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub flaky: bool,
    /// The run was interrupted (Ctrl-C, SIGTERM) before every step of the file ran.
    #[serde(default, skip_serializing_if = "is_false")]
    pub interrupted: bool,
    /// The failed attempts before the last one, oldest first (`--retries`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
}

/// One failed run of a file that was then run again.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Attempt {
    /// 1 for the first run.
    pub number: u32,
    /// Wall time of the attempt, in seconds.
    #[serde(serialize_with = "seconds")]
    #[schemars(with = "f64")]
    pub time: Duration,
    pub steps: Vec<StepReport>,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_false(value: &bool) -> bool {
    !*value
}

impl FileReport {
    /// Records the failed attempts before this one; when this one passed, the file and the
    /// steps that failed before are flaky.
    pub fn mark_flaky(&mut self, failed_attempts: Vec<Attempt>) {
        if self.passed() && !failed_attempts.is_empty() {
            self.flaky = true;
            for step in &mut self.steps {
                step.flaky = step.outcome == StepStatus::Passed
                    && failed_attempts.iter().any(|a| {
                        a.steps
                            .iter()
                            .any(|s| s.line == step.line && s.outcome == StepStatus::Failed)
                    });
            }
        }
        self.attempts = failed_attempts;
    }

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
    /// Every assertion, in the order they were judged: the failed ones, and the passed ones
    /// too when a report shows them (`--json`).
    pub assertions: Vec<AssertionReport>,
    /// Assertions that cannot run (`JetBrains` scripts in `.http` files), said, never passed silently.
    pub warnings: Vec<String>,
    /// The last exchange, when a request was sent.
    pub exchange: Option<ExchangeReport>,
    /// Passed in the last attempt after failing in an earlier one (`--retries`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub flaky: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Passed,
    Failed,
    Skipped,
}

/// An assertion of `expect`, failed or (with `--json`) passed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AssertionReport {
    /// What was asserted: `status`, `header content-type`, `json $.id`.
    pub assertion: String,
    /// The line of the assertion in its file.
    pub line: u32,
    /// Whether the assertion held.
    pub passed: bool,
    /// What the file asks for, as JSON, its templates rendered: a status is a number (`200`),
    /// a list (`[200, 201]`) or a class (`"2xx"`); a header value a string; a `JSONPath`
    /// value whatever JSON it is; a predicate its mapping (`{"contains": "json"}`); an
    /// assertion on something that has no value says it in words (`"a JSON body"`). A failed
    /// predicate of several words gives one entry a failed word.
    pub expected: serde_json::Value,
    /// What came, as JSON: the status as a number, a header's values joined with `, `, the
    /// value at a `JSONPath` (the list of values when it matched several), a body's text (cut
    /// after 2,000 characters, saying how many more there were). Absent when nothing came: a
    /// header that was not sent, a path that matched nothing, a schema that held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<serde_json::Value>,
    /// A failed assertion in one line, as `JUnit` says it:
    /// `status: expected 200, got 404 Not Found`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A unified diff of expected and actual, when both are documents or texts: its lines,
    /// plain (`--- expected`, `+++ actual`, `@@ … @@`, then ` `, `-` or `+` and the text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<String>>,
    /// How a failure reads on the console and in `JUnit`.
    #[serde(skip)]
    #[schemars(skip)]
    pub words: Option<FailureWords>,
}

/// A failed assertion in words, as the console and `JUnit` show it.
#[derive(Debug, Clone)]
pub struct FailureWords {
    /// What was expected, in words: `one of 200, 201`, `greater than 5`, `"abc"`.
    pub expected: String,
    /// What came, in words: `404 Not Found`.
    pub actual: String,
    /// The diff with colours and word emphasis, for terminals.
    pub diff_colored: Option<String>,
}

impl AssertionReport {
    pub fn failed(&self) -> bool {
        !self.passed
    }

    /// Expected and actual as the console and `JUnit` say them: in words for a failure, as
    /// JSON text otherwise.
    pub fn in_words(&self) -> (String, String) {
        match &self.words {
            Some(words) => (words.expected.clone(), words.actual.clone()),
            None => (
                self.expected.to_string(),
                self.actual
                    .as_ref()
                    .map_or_else(|| "nothing".to_string(), ToString::to_string),
            ),
        }
    }

    /// The diff as printed under a failure: each line indented by `indent`.
    pub fn diff_text(&self, indent: &str) -> Option<String> {
        self.diff.as_ref().map(|lines| {
            lines
                .iter()
                .map(|line| format!("{indent}{line}\n"))
                .collect()
        })
    }
}

/// A problem that kept a file from loading, as `sonde validate` shows it, in data.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DiagnosticReport {
    /// The file the problem is in: the scenario, or a file it names (a schema).
    pub file: String,
    /// 1-based; `null` when the problem has no place in the file (it cannot be read, the
    /// run stopped before it).
    pub line: Option<u32>,
    /// 1-based, in characters; `null` with `line`.
    pub column: Option<u32>,
    /// What is wrong: ``unknown key `expcet` in a step``.
    pub message: String,
    /// The words printed after the caret under the spot: ``did you mean `expect`?``.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Lines of context, each starting with its kind: `note: …`, `help: …`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The request as sent and a summary of the response.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExchangeReport {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body_size: u64,
    /// The start of the request body, as text: JSON, form and raw bodies, or the parts of a
    /// multipart body, one a line. A body that is not text is summarised
    /// (`12 bytes, application/octet-stream`), as is a file streamed from disk. `None` when
    /// there was no body.
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
    /// Files that passed the first time.
    pub files_passed: usize,
    /// Files that passed on a retry after failing (`--retries`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub files_flaky: usize,
    pub files_failed: usize,
    /// Steps that passed, flaky ones apart.
    pub steps_passed: usize,
    /// Steps that passed on a retry of their file after failing.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub steps_flaky: usize,
    pub steps_failed: usize,
    pub steps_skipped: usize,
    #[serde(serialize_with = "seconds")]
    #[schemars(with = "f64")]
    pub wall_time: Duration,
}

impl Summary {
    pub fn add(&mut self, file: &FileReport) {
        if file.flaky {
            self.files_flaky += 1;
        } else if file.passed() {
            self.files_passed += 1;
        } else {
            self.files_failed += 1;
        }
        let flaky = file.steps.iter().filter(|s| s.flaky).count();
        self.steps_flaky += flaky;
        self.steps_passed += file.count(StepStatus::Passed) - flaky;
        self.steps_failed += file.count(StepStatus::Failed);
        self.steps_skipped += file.count(StepStatus::Skipped);
    }

    pub fn failed(&self) -> bool {
        self.files_failed > 0
    }
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(value: &usize) -> bool {
    *value == 0
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}
