//! From the engine's records to the reporters' events, redacting secrets on the way.

use std::path::Path;

use crate::check::{Failure, Pass, Values};
use crate::engine::{FailureCause, FileRecord, StepOutcome, StepRecord};
use crate::events::{
    AssertionReport, DiagnosticReport, ExchangeReport, FailureWords, FileReport, StepReport,
    StepStatus,
};
use crate::report::DIFF_INDENT;
use crate::report::redact::{MASK, Redactor};
use crate::transport::{Exchange, PartContent, RequestRecord, SentBody};
use sonde_core::{Diagnostic, Loaded};

/// How much of a body a report shows.
const PREVIEW_CHARS: usize = 2000;

/// The report of a file that ran. Passed steps carry their exchange only when `detailed`
/// (`--verbose`, `--json`): nobody else shows it, and building it costs.
pub(super) fn file_report(
    index: usize,
    path: &Path,
    loaded: &Loaded,
    record: &FileRecord,
    redactor: &Redactor,
    detailed: bool,
) -> FileReport {
    let mut redactor = redactor.clone();
    redactor.extend(record.steps.iter().flat_map(|s| s.secrets.iter().cloned()));
    redactor.extend(loaded.secrets.iter().cloned());
    FileReport {
        index,
        path: path.to_path_buf(),
        name: redactor.redact(&record.name),
        error: None,
        diagnostics: Vec::new(),
        warnings: tls_warnings(&loaded.scenario, path),
        time: record.duration,
        steps: record
            .steps
            .iter()
            .map(|step| step_report(step, loaded, &redactor, detailed))
            .collect(),
        flaky: false,
        interrupted: record.steps.iter().any(
            |s| matches!(&s.outcome, StepOutcome::Skipped(why) if why == crate::engine::INTERRUPTED),
        ),
        attempts: Vec::new(),
    }
}

/// The report of a file whose diagnostics say why it could not be loaded: `error` has them
/// as printed, `diagnostics` as data, both redacted.
pub(super) fn diagnostics_report(
    index: usize,
    path: &Path,
    diagnostics: &[Diagnostic],
    redactor: &Redactor,
) -> FileReport {
    let rendered = Diagnostic::render_all(diagnostics);
    let mut report = load_error_report(index, path, redactor.redact(&rendered));
    report.diagnostics = diagnostics
        .iter()
        .map(|d| diagnostic_report(d, redactor))
        .collect();
    report
}

fn diagnostic_report(d: &Diagnostic, r: &Redactor) -> DiagnosticReport {
    let known = d.span.is_known();
    DiagnosticReport {
        file: r.redact(&d.source.path.display().to_string()),
        line: known.then_some(d.span.line),
        column: known.then_some(d.span.col),
        message: r.redact(&d.message),
        label: d.label.as_deref().map(|l| r.redact(l)),
        notes: d.notes.iter().map(|n| r.redact(n)).collect(),
    }
}

/// The report of a file that could not be loaded or run, for a reason without a place in
/// it (an internal error, a run stopped before it): one diagnostic without a line.
pub(super) fn load_error_report(index: usize, path: &Path, message: String) -> FileReport {
    let diagnostics = vec![DiagnosticReport {
        file: path.display().to_string(),
        line: None,
        column: None,
        message: message.clone(),
        label: None,
        notes: Vec::new(),
    }];
    FileReport {
        index,
        path: path.to_path_buf(),
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        error: Some(message),
        diagnostics,
        warnings: Vec::new(),
        time: std::time::Duration::ZERO,
        steps: Vec::new(),
        flaky: false,
        interrupted: false,
        attempts: Vec::new(),
    }
}

/// Where the file turns TLS verification off: said, so it is never off unnoticed.
fn tls_warnings(scenario: &sonde_core::Scenario, path: &Path) -> Vec<String> {
    use sonde_core::model::Verify;
    let session = std::iter::once((scenario.session.verify.as_ref(), 1));
    let steps = scenario
        .steps
        .iter()
        .map(|s| (s.request.settings.verify.as_ref(), s.span.line));
    session
        .chain(steps)
        .filter(|(verify, _)| matches!(verify, Some(Verify::Enabled(false))))
        .map(|(_, line)| {
            format!(
                "{}:{line}: TLS certificates are not verified (verify: false)",
                path.display()
            )
        })
        .collect()
}

fn step_report(step: &StepRecord, loaded: &Loaded, r: &Redactor, detailed: bool) -> StepReport {
    let (outcome, skip_reason, failures) = match &step.outcome {
        StepOutcome::Passed => (StepStatus::Passed, None, &[][..]),
        StepOutcome::Failed(failures) => (StepStatus::Failed, None, failures.as_slice()),
        StepOutcome::Skipped(reason) => (StepStatus::Skipped, Some(r.redact(reason)), &[][..]),
    };
    let mut errors = Vec::new();
    let mut assertions = Vec::new();
    // The passes (recorded for `--json`) go back between the failures in the order the
    // assertions were judged.
    let mut passes = step.passes.iter().peekable();
    let mut failed_checks = 0;
    for failure in failures {
        match &failure.cause {
            FailureCause::Check(a) => {
                while let Some(pass) = passes.next_if(|p| p.failures_before <= failed_checks) {
                    assertions.push(passed(pass, r));
                }
                assertions.push(failed(a, &failure.message(), r));
                failed_checks += 1;
            }
            _ => errors.push(r.redact(&failure.message())),
        }
    }
    assertions.extend(passes.map(|pass| passed(pass, r)));
    let warnings = loaded
        .skipped
        .iter()
        .filter(|s| s.step == step.index)
        .map(|s| {
            format!(
                "{} (line {}): not run, reported as skipped",
                s.what, s.span.line
            )
        })
        .collect();
    let retries: usize = step.exchange().map_or(0, |e| e.attempts.len())
        + step
            .failed_exchange
            .as_ref()
            .map_or(0, |f| f.attempts.len());
    let sends = step.exchanges.len() + usize::from(step.failed_exchange.is_some());
    StepReport {
        name: r.redact(&step.name),
        line: step.span.line,
        outcome,
        skip_reason,
        time: step.duration,
        tries: (sends + retries) as u32,
        errors,
        assertions,
        warnings,
        exchange: (detailed || outcome == StepStatus::Failed)
            .then(|| exchange_report(step, r))
            .flatten(),
        flaky: false,
    }
}

fn failed(a: &Failure, message: &str, r: &Redactor) -> AssertionReport {
    // Without a report that records them, the words stand for the values.
    let (expected, actual) = match &a.values {
        Some(Values { expected, actual }) => (
            r.redact_json(expected),
            actual.as_ref().map(|v| r.redact_json(v)),
        ),
        None => (
            serde_json::Value::String(r.redact(&a.expected)),
            Some(serde_json::Value::String(r.redact(&a.actual))),
        ),
    };
    AssertionReport {
        assertion: r.redact(&a.assertion),
        line: a.span.line,
        passed: false,
        expected,
        actual,
        message: Some(r.redact(message)),
        diff: a
            .diff
            .as_ref()
            .map(|d| d.plain_lines().iter().map(|line| r.redact(line)).collect()),
        words: Some(FailureWords {
            expected: r.redact(&a.expected),
            actual: r.redact(&a.actual),
            diff_colored: a
                .diff
                .as_ref()
                .map(|d| r.redact(&d.render(DIFF_INDENT, true))),
        }),
    }
}

fn passed(pass: &Pass, r: &Redactor) -> AssertionReport {
    AssertionReport {
        assertion: r.redact(&pass.assertion),
        line: pass.span.line,
        passed: true,
        expected: r.redact_json(&pass.values.expected),
        actual: pass.values.actual.as_ref().map(|v| r.redact_json(v)),
        message: None,
        diff: None,
        words: None,
    }
}

fn exchange_report(step: &StepRecord, r: &Redactor) -> Option<ExchangeReport> {
    if let Some(exchange) = step.exchange() {
        return Some(from_exchange(exchange, r));
    }
    let failed = step.failed_exchange.as_ref()?;
    let request = failed.request.as_ref()?;
    let mut report = request_only(request, r);
    report.redirects = failed
        .hops
        .iter()
        .map(|h| format!("{} {}", h.response.status, r.redact(&h.response.url)))
        .collect();
    Some(report)
}

fn request_only(request: &RequestRecord, r: &Redactor) -> ExchangeReport {
    ExchangeReport {
        method: request.method.clone(),
        url: r.redact(&request.url),
        request_headers: headers(request.headers.iter(), r),
        request_body_size: request.body.size().unwrap_or(0),
        request_body_preview: request_preview(request).map(|text| r.redact(&text)),
        status: None,
        reason: None,
        response_headers: Vec::new(),
        response_body_size: 0,
        response_body_preview: None,
        time: std::time::Duration::ZERO,
        redirects: Vec::new(),
    }
}

fn from_exchange(exchange: &Exchange, r: &Redactor) -> ExchangeReport {
    let mut report = request_only(&exchange.request, r);
    let response = &exchange.response;
    report.status = Some(response.head.status);
    report.reason = Some(response.head.reason.clone());
    report.response_headers = headers(response.head.headers.iter(), r);
    report.response_body_size = response.body.len();
    let content_type = response.head.headers.get("content-type");
    report.response_body_preview = response.body.text.as_deref().map(|text| {
        if is_binary(text, response.body.malformed_text, content_type) {
            // Bytes shown as text break terminals and reports (xunit-viewer gave up on a
            // JUnit file holding a `/bytes` body): say what they are instead.
            return summary(response.body.len(), content_type);
        }
        r.redact(&preview(text))
    });
    report.time = exchange.elapsed;
    report.redirects = exchange
        .hops
        .iter()
        .map(|h| format!("{} {}", h.response.status, r.redact(&h.response.url)))
        .collect();
    report
}

/// `12 bytes, application/octet-stream`: what a report says of a body that is not text.
fn summary(size: u64, content_type: Option<&str>) -> String {
    format!(
        "{size} bytes, {}",
        content_type.unwrap_or("no content-type")
    )
}

/// The first [`PREVIEW_CHARS`] characters of a text, and how many more there are.
fn preview(text: &str) -> String {
    let mut chars = text.char_indices();
    match chars.nth(PREVIEW_CHARS) {
        None => text.to_owned(),
        Some((end, _)) => {
            let more = 1 + chars.count();
            format!("{}\n… ({more} more characters)", &text[..end])
        }
    }
}

/// What a report shows of a request body (see `ExchangeReport::request_body_preview`).
fn request_preview(request: &RequestRecord) -> Option<String> {
    let content_type = request.headers.get("content-type");
    match &request.body {
        SentBody::Empty => None,
        SentBody::Bytes(bytes) if bytes.is_empty() => None,
        SentBody::Bytes(bytes) => Some(
            match std::str::from_utf8(bytes)
                .ok()
                .filter(|text| !is_binary(text, false, content_type))
            {
                Some(text) => preview(text),
                None => summary(bytes.len() as u64, content_type),
            },
        ),
        SentBody::File { path, size } => Some(format!(
            "{}, from {}",
            summary(*size, content_type),
            path.display()
        )),
        SentBody::Multipart(parts) => {
            let lines: Vec<String> = parts
                .iter()
                .map(|part| match &part.content {
                    PartContent::Text(text) => format!("{}: {text}", part.name),
                    PartContent::File { path, size } => format!(
                        "{}: {} ({size} bytes{})",
                        part.name,
                        part.filename
                            .clone()
                            .unwrap_or_else(|| path.display().to_string()),
                        part.content_type
                            .as_deref()
                            .map(|t| format!(", {t}"))
                            .unwrap_or_default()
                    ),
                })
                .collect();
            Some(preview(&lines.join("\n")))
        }
    }
}

/// Whether a body is data rather than text: its type says so, some bytes were not text in
/// its charset, or it holds NUL characters, which no text has.
fn is_binary(text: &str, malformed: bool, content_type: Option<&str>) -> bool {
    let mime = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let binary_type = ["image/", "audio/", "video/", "font/"]
        .iter()
        .any(|family| mime.starts_with(family))
        || [
            "application/octet-stream",
            "application/pdf",
            "application/zip",
            "application/gzip",
            "application/x-protobuf",
            "application/wasm",
        ]
        .contains(&mime.as_str());
    let nul = text.chars().take(PREVIEW_CHARS).any(|c| c == '\0');
    binary_type || malformed || nul
}

/// Header values redacted; credentials headers keep only their scheme word.
fn headers<'a>(
    list: impl Iterator<Item = (&'a str, &'a str)>,
    r: &Redactor,
) -> Vec<(String, String)> {
    list.map(|(name, value)| {
        let lower = name.to_ascii_lowercase();
        let value = if lower == "authorization" || lower == "proxy-authorization" {
            match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} {MASK}"),
                None => MASK.to_string(),
            }
        } else {
            r.redact(value)
        };
        (name.to_string(), value)
    })
    .collect()
}
