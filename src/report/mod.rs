//! Reporters: independent consumers of the run's events (`crate::events`). Each
//! implements [`Reporter`]; [`reporters`] builds those the options ask for, in one place.
//! A new report format is a file here, a line in [`reporters`] and a flag.
//!
//! Reporters see only events, already redacted: they never reach back into the engine or
//! the command line.

pub(crate) mod console;
pub(crate) mod curl;
pub mod html;
pub mod json;
pub mod junit;
pub(crate) mod redact;

use std::path::{Path, PathBuf};

use crate::events::{Event, ExchangeReport};

/// How far the console and `JUnit` indent a diff under its failure.
pub(crate) const DIFF_INDENT: &str = "      ";

/// A consumer of a run's events.
pub trait Reporter {
    /// Called for every event, in the order of [`Event`]'s documentation, on the one
    /// thread that reports.
    fn on_event(&mut self, event: &Event);

    /// Called once after `RunFinished`: a reporter that writes a file writes it now.
    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}

/// Which reporters a run has, and their settings.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Colours on the terminal.
    pub color: bool,
    /// Every exchange of every step on the terminal.
    pub verbose: bool,
    /// A progress bar on the terminal.
    pub progress: bool,
    /// `--junit F`.
    pub junit: Option<PathBuf>,
    /// `--json F`.
    pub json: Option<PathBuf>,
    /// `--html F`.
    pub html: Option<PathBuf>,
}

impl ReportOptions {
    /// Whether a reporter shows the exchange of passed steps (`--verbose`, `--json`).
    pub fn wants_every_exchange(&self) -> bool {
        self.verbose || self.json.is_some() || self.html.is_some()
    }

    /// Whether a reporter shows the assertions that held, with the JSON values of every
    /// assertion (`--json`, `--html`): without one, the checks record neither.
    pub fn wants_every_assertion(&self) -> bool {
        self.json.is_some() || self.html.is_some()
    }
}

/// A report that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the {kind} report {}: {source}", path.display())]
pub struct ReportError {
    pub kind: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The reporters the options ask for: the console always, then each file report.
pub fn reporters(options: &ReportOptions) -> Vec<Box<dyn Reporter>> {
    let mut reporters: Vec<Box<dyn Reporter>> = vec![Box::new(console::Console::new(
        options.color,
        options.verbose,
        options.progress,
    ))];
    if let Some(path) = &options.junit {
        reporters.push(Box::new(junit::JunitReporter::new(path.clone())));
    }
    if let Some(path) = &options.json {
        reporters.push(Box::new(json::JsonReporter::new(path.clone())));
    }
    if let Some(path) = &options.html {
        reporters.push(Box::new(html::HtmlReporter::new(path.clone())));
    }
    reporters
}

/// Writes a report to a temporary file beside `path` (`.NAME.PID.tmp`) and renames it into
/// place, so a reader never sees half a report (SPEC §7); the temporary file is removed if
/// writing fails.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let Some(name) = path.file_name() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file name",
        ));
    };
    let mut temporary = std::ffi::OsString::from(".");
    temporary.push(name);
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(temporary);
    let written = std::fs::File::create(&temporary).and_then(|file| {
        let mut out = std::io::BufWriter::new(file);
        write(&mut out)?;
        std::io::Write::flush(&mut out)
    });
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            Err(error)
        }
    }
}

/// Text without ANSI escape sequences (reports are not terminals).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The request and response summary of an exchange, as plain lines.
pub fn exchange_text(e: &ExchangeReport) -> String {
    let mut out = format!("> {} {}\n", e.method, e.url);
    for (name, value) in &e.request_headers {
        out.push_str(&format!("> {name}: {value}\n"));
    }
    if e.request_body_size > 0 {
        out.push_str(&format!("> ({} bytes of body)\n", e.request_body_size));
    }
    for hop in &e.redirects {
        out.push_str(&format!("~ redirected: {hop}\n"));
    }
    if let Some(status) = e.status {
        out.push_str(&format!(
            "< {status} {}\n",
            e.reason.as_deref().unwrap_or("")
        ));
        for (name, value) in &e.response_headers {
            out.push_str(&format!("< {name}: {value}\n"));
        }
        if let Some(preview) = &e.response_body_preview {
            out.push_str(&format!("<\n{preview}\n"));
        } else if e.response_body_size > 0 {
            out.push_str(&format!("<\n({})\n", body_summary(e)));
        }
    }
    out
}

/// A response body that is not shown as text: `102400 bytes, application/octet-stream`.
pub fn body_summary(e: &ExchangeReport) -> String {
    let content_type = e
        .response_headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.as_str());
    match content_type {
        Some(t) => format!("{} bytes, {t}", e.response_body_size),
        None => format!("{} bytes", e.response_body_size),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_report_that_fails_halfway_leaves_the_old_one_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junit.xml");
        std::fs::write(&path, "old, whole").unwrap();
        let result = super::write_atomically(&path, |out| {
            std::io::Write::write_all(out, b"<half")?;
            Err(std::io::Error::other("the disk is full"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old, whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        super::write_atomically(&path, |out| std::io::Write::write_all(out, b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn strips_colour_codes() {
        assert_eq!(
            super::strip_ansi("\u{1b}[31mred\u{1b}[0m plain"),
            "red plain"
        );
    }
}
