//! `JUnit` XML: a testsuite per file, a testcase per step (quick-junit writes valid XML,
//! stripping what XML cannot hold).

use std::path::Path;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};

use super::{ReportError, Reporter};
use crate::events::{AssertionReport, Event, FileReport, StepReport, StepStatus, Summary};

/// `--junit F`: a testsuite made as each file finishes, the report written at the end.
pub struct JunitReporter {
    path: std::path::PathBuf,
    /// Suites with their file's index: files finish out of order, reports keep the input's.
    suites: Vec<(usize, TestSuite)>,
    summary: Summary,
}

impl JunitReporter {
    pub fn new(path: std::path::PathBuf) -> JunitReporter {
        JunitReporter {
            path,
            suites: Vec::new(),
            summary: Summary::default(),
        }
    }
}

impl Reporter for JunitReporter {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::FileFinished(file) => self.suites.push((file.index, suite(file))),
            Event::RunFinished(summary) => self.summary = *summary,
            _ => {}
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.suites.sort_by_key(|(index, _)| *index);
        let suites = self.suites.drain(..).map(|(_, suite)| suite);
        write(&assemble(suites, &self.summary), &self.path).map_err(|source| ReportError {
            kind: "JUnit",
            path: self.path.clone(),
            source,
        })
    }
}

/// The report of a run, files in input order (what the reporter writes; for the fuzz target).
pub fn report<'a>(files: impl IntoIterator<Item = &'a FileReport>, summary: &Summary) -> Report {
    assemble(files.into_iter().map(suite), summary)
}

fn assemble(suites: impl IntoIterator<Item = TestSuite>, summary: &Summary) -> Report {
    let mut report = Report::new("sonde");
    report.set_time(summary.wall_time);
    report.add_test_suites(suites);
    report
}

pub fn write(report: &Report, path: &Path) -> std::io::Result<()> {
    super::write_atomically(path, |out| {
        let mut out = XmlChars::new(out);
        report.serialize(&mut out).map_err(std::io::Error::other)?;
        std::io::Write::flush(&mut out)
    })
}

/// The report as text, as `write` would write it.
pub fn to_text(report: &Report) -> std::io::Result<String> {
    let mut out = XmlChars::new(Vec::new());
    report.serialize(&mut out).map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut out)?;
    String::from_utf8(out.inner).map_err(std::io::Error::other)
}

/// U+FFFE and U+FFFF are not XML characters, and quick-junit lets them through (it drops the
/// C0 controls XML forbids; Rust strings hold no lone surrogates): a step name or a body
/// holding one made the whole report unreadable ("Char 0xFFFE out of allowed range"). And a
/// report holding U+FFFD (what undecodable bytes become) is taken for cp1252 by the encoding
/// sniffer of xunit-viewer, which then crashes. So the three are written as the text
/// `\uFFFD`, `\uFFFE`, `\uFFFF`, in every string, whatever it came from: the report stays
/// plain, well-formed UTF-8 and still says what was there.
struct XmlChars<W: std::io::Write> {
    inner: W,
    /// Bytes that may begin a U+FFFE or U+FFFF whose end has not been written yet.
    pending: Vec<u8>,
}

impl<W: std::io::Write> XmlChars<W> {
    fn new(inner: W) -> XmlChars<W> {
        XmlChars {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes `bytes`, spelling out U+FFFD, U+FFFE and U+FFFF.
    fn pass(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let mut start = 0;
        let mut i = 0;
        while i + 2 < bytes.len() {
            let escape: Option<&[u8]> = match (bytes[i], bytes[i + 1], bytes[i + 2]) {
                (0xEF, 0xBF, 0xBD) => Some(b"\\uFFFD"),
                (0xEF, 0xBF, 0xBE) => Some(b"\\uFFFE"),
                (0xEF, 0xBF, 0xBF) => Some(b"\\uFFFF"),
                _ => None,
            };
            if let Some(escape) = escape {
                self.inner.write_all(&bytes[start..i])?;
                self.inner.write_all(escape)?;
                i += 3;
                start = i;
            } else {
                i += 1;
            }
        }
        self.inner.write_all(&bytes[start..])
    }
}

impl<W: std::io::Write> std::io::Write for XmlChars<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let pending = std::mem::take(&mut self.pending);
        // Keep back a trailing `EF` or `EF BF`: the next write may complete it.
        let keep = match pending.as_slice() {
            [.., 0xEF, 0xBF] => 2,
            [.., 0xEF] => 1,
            _ => 0,
        };
        let (ready, rest) = pending.split_at(pending.len() - keep);
        self.pass(ready)?;
        self.pending = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        self.inner.write_all(&pending)?;
        self.inner.flush()
    }
}

fn suite(file: &FileReport) -> TestSuite {
    let path = file.path.display().to_string();
    let mut suite = TestSuite::new(file.name.as_str());
    suite.extra.insert("file".into(), path.as_str().into());
    suite.set_time(file.time);
    if let Some(error) = &file.error {
        // A file that does not load is one failing testcase, so pipelines show it; its
        // message is the diagnostic's first line (annotations show only the message), and
        // it has a time (dorny/test-reporter shows "NaN ms" without one).
        let error = crate::report::strip_ansi(error);
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(
            error
                .lines()
                .next()
                .unwrap_or("the file could not be loaded"),
        );
        status.set_type("invalid input");
        status.set_description(error.as_str());
        let mut case = TestCase::new("load", status);
        case.set_classname(file.name.as_str());
        case.set_time(file.time);
        case.extra.insert("file".into(), path.as_str().into());
        case.extra
            .insert("line".into(), first_line_number(&error).to_string().into());
        suite.add_test_case(case);
        return suite;
    }
    for step in &file.steps {
        let mut case = case(step, &file.name, &path);
        if step.flaky {
            case.status.add_reruns(earlier_failures(file, step));
        }
        suite.add_test_case(case);
    }
    suite
}

/// The line a diagnostic points at (`--> file:LINE:COL`), else 1.
fn first_line_number(diagnostic: &str) -> u32 {
    diagnostic
        .lines()
        .find_map(|line| {
            let place = line.trim_start().strip_prefix("--> ")?;
            let mut parts = place.rsplitn(3, ':');
            let _col = parts.next()?;
            parts.next()?.parse().ok()
        })
        .unwrap_or(1)
}

/// A flaky step's failures in the attempts before the one that passed, as Maven Surefire
/// writes them (`<flakyFailure>` inside the passing testcase).
fn earlier_failures(file: &FileReport, step: &StepReport) -> Vec<TestRerun> {
    file.attempts
        .iter()
        .filter_map(|attempt| {
            let failed = attempt
                .steps
                .iter()
                .find(|s| s.line == step.line && s.outcome == StepStatus::Failed)?;
            let mut rerun = TestRerun::new(NonSuccessKind::Failure);
            rerun.set_message(format!(
                "attempt {}: {}",
                attempt.number,
                failure_message(failed)
            ));
            rerun.set_type(failure_type(failed));
            rerun.set_description(crate::report::strip_ansi(&failure_text(failed)));
            Some(rerun)
        })
        .collect()
}

fn failure_type(step: &StepReport) -> &'static str {
    if step.assertions.iter().any(AssertionReport::failed) {
        "assertion"
    } else {
        "error"
    }
}

/// A step's testcase: classname the scenario's name (CI tools split a classname with dots
/// into package and class: a path would read as `suite/02-fail` `yaml`), `file` and `line`
/// for the tools that link and annotate (GitLab, the GitHub annotation actions).
fn case(step: &StepReport, scenario: &str, path: &str) -> TestCase {
    let status = match step.outcome {
        StepStatus::Passed => TestCaseStatus::success(),
        StepStatus::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(step.skip_reason.clone().unwrap_or_default());
            status
        }
        StepStatus::Failed => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(failure_message(step));
            status.set_type(failure_type(step));
            status.set_description(crate::report::strip_ansi(&failure_text(step)));
            status
        }
    };
    let mut case = TestCase::new(step.name.as_str(), status);
    case.set_classname(scenario);
    case.set_time(step.time);
    case.extra.insert("file".into(), path.into());
    case.extra
        .insert("line".into(), step.line.to_string().into());
    if !step.warnings.is_empty() {
        case.set_system_err(format!("warning: {}", step.warnings.join("\nwarning: ")));
    }
    if step.outcome == StepStatus::Failed
        && let Some(exchange) = &step.exchange
    {
        case.set_system_out(crate::report::exchange_text(exchange));
    }
    case
}

/// One line: the first problem, and how many more there are.
fn failure_message(step: &StepReport) -> String {
    let first = step
        .errors
        .first()
        .cloned()
        .or_else(|| {
            step.assertions.iter().find(|a| a.failed()).map(|a| {
                let (expected, actual) = a.in_words();
                format!("{}: expected {expected}, got {actual}", a.assertion)
            })
        })
        .unwrap_or_else(|| "failed".into());
    let failed = step.assertions.iter().filter(|a| a.failed()).count();
    let total = step.errors.len() + failed;
    if total > 1 {
        format!("{first} (and {} more)", total - 1)
    } else {
        first
    }
}

/// Every problem of the step, with diffs.
pub fn failure_text(step: &StepReport) -> String {
    let mut out = String::new();
    for e in &step.errors {
        out.push_str(e);
        out.push('\n');
    }
    for a in step.assertions.iter().filter(|a| a.failed()) {
        let (expected, actual) = a.in_words();
        out.push_str(&format!(
            "{} (line {})\n  expected: {expected}\n  actual:   {actual}\n",
            a.assertion, a.line
        ));
        if let Some(diff) = a.diff_text(crate::report::DIFF_INDENT) {
            out.push_str(&diff);
        }
    }
    out
}

/// Merges the reports of several shards into one: every testsuite of every file, in the
/// order given, with the run's time the longest of theirs (shards run side by side).
/// A report `sonde merge-junit` cannot take.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a JUnit report: {source}", path.display())]
    NotJunit {
        path: std::path::PathBuf,
        source: quick_junit::DeserializeError,
    },
}

pub fn merge(paths: &[std::path::PathBuf]) -> Result<Report, MergeError> {
    let mut merged = Report::new("sonde");
    let mut longest = std::time::Duration::ZERO;
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|source| MergeError::Read {
            path: path.clone(),
            source,
        })?;
        let report =
            Report::deserialize_from_str(&text).map_err(|source| MergeError::NotJunit {
                path: path.clone(),
                source,
            })?;
        longest = longest.max(report.time.unwrap_or_default());
        merged.add_test_suites(report.test_suites);
    }
    merged.set_time(longest);
    Ok(merged)
}

#[cfg(test)]
mod xml_chars_tests {
    use std::io::Write as _;

    #[test]
    fn the_three_are_spelled_out_even_when_split_across_writes() {
        let text = "a\u{fffe}b\u{ffff}c\u{fffd}d".as_bytes();
        for split in 0..=text.len() {
            let mut out = super::XmlChars::new(Vec::new());
            out.write_all(&text[..split]).unwrap();
            out.write_all(&text[split..]).unwrap();
            out.flush().unwrap();
            assert_eq!(
                String::from_utf8(out.inner).unwrap(),
                r"a\uFFFEb\uFFFFc\uFFFDd",
                "split at {split}"
            );
        }
    }
}
