//! The HTML report (`--html F`): one self-contained page, with its style and script inline,
//! that opens from disk without a network.
//!
//! The page holds the run as one JSON document in a `<script type="application/json">`
//! and draws it with its own script, a batch of files at a time, the steps of a file when
//! it is opened. The document is the JSON report's files (so fields added to the reports
//! reach the page as they are), made smaller for large runs: nulls and empty lists left
//! out, and every string of [`SHARED_MIN`] bytes or more (headers, URLs, bodies, which
//! repeat from step to step) written once in a table and referred to as `"~index"` (base
//! 36); a string that starts with `~` is always in the table, so a reference is never
//! mistaken for text. Files are made into this form as they finish: what is kept is text
//! and the table, not the reports. Every `<` in the JSON is written `\u003c`, so no name,
//! header or body can close the script element, and the script puts text into the page
//! only as text nodes.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use indexmap::IndexSet;
use serde_json::Value;

use super::{ReportError, Reporter};
use crate::events::{Event, FileReport, Summary};

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Strings this long or longer are written once, in the table (shorter ones cost less
/// written out than referred to).
const SHARED_MIN: usize = 8;

/// `--html F`: each file's JSON made as the file finishes, the page written at the end.
pub struct HtmlReporter {
    path: PathBuf,
    /// Each file's JSON (script-safe) with its index: files finish out of order, the page
    /// keeps the input's.
    files: Vec<(usize, String)>,
    /// The strings the files refer to, by index.
    strings: IndexSet<String>,
    summary: Summary,
    started: Option<SystemTime>,
}

impl HtmlReporter {
    pub fn new(path: PathBuf) -> HtmlReporter {
        HtmlReporter {
            path,
            files: Vec::new(),
            strings: IndexSet::new(),
            summary: Summary::default(),
            started: None,
        }
    }
}

impl Reporter for HtmlReporter {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. } => self.started = Some(SystemTime::now()),
            Event::FileFinished(file) => {
                let json = file_json(file, &mut self.strings);
                self.files.push((file.index, json));
            }
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
            write_page(out, &self.summary, started, &self.strings, &self.files)
        })
        .map_err(|source| ReportError {
            kind: "HTML",
            path: self.path.clone(),
            source,
        })
    }
}

/// A file as the page's script reads it: the JSON report's shape, compacted (module
/// documentation), the load error without colour codes.
fn file_json(file: &FileReport, strings: &mut IndexSet<String>) -> String {
    let mut value = serde_json::to_value(file).expect("a file report has only string keys");
    if let Some(Value::String(error)) = value.get_mut("error")
        && error.contains('\u{1b}')
    {
        *error = super::strip_ansi(error);
    }
    compact(&mut value, strings);
    script_safe(value.to_string())
}

/// Leaves out nulls and empty lists, and puts long strings in the table.
fn compact(value: &mut Value, strings: &mut IndexSet<String>) {
    match value {
        Value::String(text) if text.len() >= SHARED_MIN || text.starts_with('~') => {
            let (index, _) = strings.insert_full(std::mem::take(text));
            *text = reference(index);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| compact(v, strings)),
        Value::Object(fields) => {
            fields.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
            fields.values_mut().for_each(|v| compact(v, strings));
        }
        _ => {}
    }
}

/// `~` and the index in base 36.
fn reference(mut index: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[index % 36]);
        index /= 36;
        if index == 0 {
            break;
        }
    }
    digits.push(b'~');
    digits.iter().rev().map(|&d| char::from(d)).collect()
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
    strings: &IndexSet<String>,
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
         {{\"version\":\"{version}\",\"started\":{started_ms},\"summary\":{summary_json},\"strings\":[",
        version = env!("CARGO_PKG_VERSION"),
        title = escape_html(&title),
    )?;
    for (n, text) in strings.iter().enumerate() {
        if n > 0 {
            out.write_all(b",\n")?;
        }
        let json = serde_json::to_string(text).expect("a string serializes");
        out.write_all(script_safe(json).as_bytes())?;
    }
    out.write_all(b"],\"files\":[")?;
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
    fn long_and_tilde_strings_are_shared_the_rest_kept() {
        let mut strings = IndexSet::new();
        let mut value = serde_json::json!({
            "a": "application/json", "b": ["application/json", "short", "~x"],
            "c": null, "d": [], "e": 0, "f": {"g": []}
        });
        compact(&mut value, &mut strings);
        assert_eq!(
            value,
            serde_json::json!({"a": "~0", "b": ["~0", "short", "~1"], "e": 0, "f": {}})
        );
        assert_eq!(
            strings.iter().collect::<Vec<_>>(),
            ["application/json", "~x"]
        );
        assert_eq!(reference(36 * 36 + 35), "~10z");
    }

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
