//! The HTML report (`--html F`): one self-contained page, with its style and script inline,
//! that opens from disk without a network.
//!
//! The page holds the run as one JSON document in a `<script type="application/json">`
//! and draws it with its own script, a batch of files at a time and the steps of a file when
//! it is opened: a page of 10,000 files would take seconds to open as ready-made HTML
//! (bench/RESULTS.md). Files are serialized as they finish, so what is kept is text, not the
//! reports; every `<` in the JSON is written `\u003c`, so no name, header or body can close
//! the script element, and the script puts text into the page only as text nodes.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{ReportError, Reporter};
use crate::events::{Event, FileReport, Summary};

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// `--html F`: each file's JSON made as the file finishes, the page written at the end.
pub struct HtmlReporter {
    path: PathBuf,
    /// Each file's JSON (script-safe) with its index: files finish out of order, the page
    /// keeps the input's.
    files: Vec<(usize, String)>,
    summary: Summary,
    started: Option<SystemTime>,
}

impl HtmlReporter {
    pub fn new(path: PathBuf) -> HtmlReporter {
        HtmlReporter {
            path,
            files: Vec::new(),
            summary: Summary::default(),
            started: None,
        }
    }
}

impl Reporter for HtmlReporter {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. } => self.started = Some(SystemTime::now()),
            Event::FileFinished(file) => self.files.push((file.index, file_json(file))),
            Event::RunFinished(summary) => self.summary = *summary,
            _ => {}
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.files.sort_by_key(|(index, _)| *index);
        let started = self
            .started
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_millis());
        super::write_atomically(&self.path, |out| {
            write_page(out, &self.summary, started, &self.files)
        })
        .map_err(|source| ReportError {
            kind: "HTML",
            path: self.path.clone(),
            source,
        })
    }
}

/// A file as the page's script reads it: the JSON report's shape (so fields added to the
/// reports, as `flaky`, reach the page as they are), the load error without colour codes.
fn file_json(file: &FileReport) -> String {
    let json = match &file.error {
        Some(error) if error.contains('\u{1b}') => {
            let mut plain = file.clone();
            plain.error = Some(super::strip_ansi(error));
            serde_json::to_string(&plain)
        }
        _ => serde_json::to_string(file),
    };
    script_safe(json.expect("a file report has only string keys"))
}

/// JSON that can stand inside a `<script>` element: no `<` at all, so neither `</script>`
/// nor `<!--` can appear. Outside strings JSON has no `<`, and inside one `\u003c` is `<`.
fn script_safe(json: String) -> String {
    if json.contains('<') {
        json.replace('<', "\\u003c")
    } else {
        json
    }
}

/// Text for an HTML element or attribute.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn write_page(
    out: &mut impl std::io::Write,
    summary: &Summary,
    started_ms: u128,
    files: &[(usize, String)],
) -> std::io::Result<()> {
    let steps = summary.steps_passed + summary.steps_failed + summary.steps_skipped;
    let title = if summary.failed() {
        format!(
            "✗ {} failed, {} passed: sonde report",
            summary.steps_failed, summary.steps_passed
        )
    } else {
        format!("✓ {steps} steps passed: sonde report")
    };
    let summary_json =
        script_safe(serde_json::to_string(summary).expect("a summary has only string keys"));
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"sonde {version}\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <div id=\"app\"><noscript><p class=\"noscript\">This report is drawn by its \
         script: open it in a browser with JavaScript on. The data is also in \
         <code>sonde run --json</code>.</p></noscript></div>\n\
         <script type=\"application/json\" id=\"sonde-data\">\
         {{\"version\":\"{version}\",\"started\":{started_ms},\"summary\":{summary_json},\"files\":[",
        version = env!("CARGO_PKG_VERSION"),
        title = escape_html(&title),
    )?;
    for (n, (_, file)) in files.iter().enumerate() {
        if n > 0 {
            out.write_all(b",\n")?;
        }
        out.write_all(file.as_bytes())?;
    }
    write!(
        out,
        "]}}</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_cannot_close_it() {
        let json = serde_json::to_string("</script><!-- <script>").unwrap();
        let safe = script_safe(json);
        assert!(!safe.contains('<'), "{safe}");
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "</script><!-- <script>"
        );
    }

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
