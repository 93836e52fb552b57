//! From the engine's records to the reporters' events, redacting secrets on the way.

use std::path::Path;

use crate::engine::{FailureCause, FileRecord, StepOutcome, StepRecord};
use crate::events::{AssertionReport, ExchangeReport, FileReport, StepReport, StepStatus};
use crate::report::redact::{MASK, Redactor};
use crate::transport::{Exchange, PartContent, RequestRecord, SentBody};
use sonde_core::Loaded;

/// How much of a response body a report shows.
const PREVIEW_CHARS: usize = 2000;

/// The report of a file that ran. Passed steps carry their exchange only when `detailed`
/// (`--verbose`, `--json`, `--html`): nobody else shows it, and building it costs.
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
    FileReport {
        index,
        path: path.to_path_buf(),
        name: redactor.redact(&record.name),
        error: None,
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

/// The report of a file that could not be loaded.
pub(super) fn load_error_report(index: usize, path: &Path, rendered: String) -> FileReport {
    FileReport {
        index,
        path: path.to_path_buf(),
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        error: Some(rendered),
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
    for failure in failures {
        match &failure.cause {
            FailureCause::Check(a) => assertions.push(AssertionReport {
                assertion: r.redact(&a.assertion),
                line: a.span.line,
                expected: r.redact(&a.expected),
                actual: r.redact(&a.actual),
                diff: a
                    .diff
                    .as_ref()
                    .map(|d| r.redact(&d.render("      ", false))),
                diff_colored: a.diff.as_ref().map(|d| r.redact(&d.render("      ", true))),
            }),
            _ => errors.push(r.redact(&failure.message())),
        }
    }
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
        request_body_preview: request_preview(&request.body).map(|text| r.redact(&text)),
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
    // A body that is not text is summarised by the reports (its size and type), never dumped:
    // bytes shown as text break terminals and reports (xunit-viewer gave up on a JUnit file
    // holding a `/bytes` body).
    let content_type = response.head.headers.get("content-type");
    let text = response
        .body
        .text
        .as_deref()
        .filter(|text| !binary_type(content_type) && looks_like_text(text));
    report.response_body_preview = text.map(|text| r.redact(&preview(text)));
    report.time = exchange.elapsed;
    report.redirects = exchange
        .hops
        .iter()
        .map(|h| format!("{} {}", h.response.status, r.redact(&h.response.url)))
        .collect();
    report
}

/// Whether a content type says the body is data rather than text.
fn binary_type(content_type: Option<&str>) -> bool {
    let mime = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    ["image/", "audio/", "video/", "font/"]
        .iter()
        .any(|family| mime.starts_with(family) && !mime.contains("svg"))
        || [
            "application/octet-stream",
            "application/pdf",
            "application/zip",
            "application/gzip",
            "application/x-protobuf",
            "application/wasm",
        ]
        .contains(&mime.as_str())
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
fn request_preview(body: &SentBody) -> Option<String> {
    match body {
        SentBody::Bytes(bytes) => std::str::from_utf8(bytes)
            .ok()
            .filter(|text| looks_like_text(text))
            .map(preview),
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
        SentBody::Empty | SentBody::File { .. } => None,
    }
}

/// Text, not bytes that happened to decode, judged on the part a report shows: no control
/// characters but those text holds (tab, line breaks, form feed, escape for colours), and
/// few characters that were invalid in the charset (U+FFFD; a stray one is still text).
fn looks_like_text(text: &str) -> bool {
    let mut chars = 0;
    let mut invalid = 0;
    for c in text.chars().take(PREVIEW_CHARS) {
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}' | '\u{1b}') {
            return false;
        }
        chars += 1;
        invalid += usize::from(c == '\u{fffd}');
    }
    invalid * 32 <= chars
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

#[cfg(test)]
mod tests {
    #[test]
    fn binary_bodies_are_not_taken_for_text() {
        use super::looks_like_text;
        assert!(looks_like_text("{\"a\": 1}\r\n\tok \u{1b}[31mred\u{1b}[0m"));
        assert!(looks_like_text(&format!(
            "caf\u{fffd} au lait {}",
            "x".repeat(40)
        )));
        assert!(!looks_like_text("\u{fffd}PNG\r\n\u{1a}\n\0\0\0\rIHDR"));
        assert!(!looks_like_text("PK\u{3}\u{4}"));
        assert!(!looks_like_text(&"\u{fffd}".repeat(10)));
    }

    #[test]
    fn previews_stop_at_their_length_and_say_how_much_more() {
        use super::{PREVIEW_CHARS, preview};
        assert_eq!(
            preview("é".repeat(PREVIEW_CHARS).as_str()),
            "é".repeat(PREVIEW_CHARS)
        );
        let long = "é".repeat(PREVIEW_CHARS + 3);
        assert_eq!(
            preview(&long),
            format!("{}\n… (3 more characters)", "é".repeat(PREVIEW_CHARS))
        );
    }
}
