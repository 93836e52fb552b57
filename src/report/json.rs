//! The JSON report (`--json`): every file (with the diagnostics of one that did not load),
//! step, exchange and assertion, passed ones too, each with its expected and actual values
//! as JSON. Its shape is `schema/report.schema.json`, generated from these types.

use std::io::Write as _;
use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;

use super::{ReportError, Reporter};
use crate::events::{Event, FileReport, Summary};

/// `--json F`: keeps the files as they finish, writes the report at the end.
pub struct JsonReporter {
    path: std::path::PathBuf,
    files: Vec<FileReport>,
    summary: Summary,
}

impl JsonReporter {
    pub fn new(path: std::path::PathBuf) -> JsonReporter {
        JsonReporter {
            path,
            files: Vec::new(),
            summary: Summary::default(),
        }
    }
}

impl Reporter for JsonReporter {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::FileFinished(file) => self.files.push(file.as_ref().clone()),
            Event::RunFinished(summary) => self.summary = *summary,
            _ => {}
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.files.sort_by_key(|f| f.index);
        write(self.files.iter().collect(), &self.summary, &self.path).map_err(|source| {
            ReportError {
                kind: "JSON",
                path: self.path.clone(),
                source,
            }
        })
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "sonde run report")]
pub struct JsonReport<'a> {
    /// The sonde version that wrote the report.
    pub version: &'static str,
    pub summary: Summary,
    /// Files in input order.
    pub files: Vec<&'a FileReport>,
}

pub fn write(files: Vec<&FileReport>, summary: &Summary, path: &Path) -> std::io::Result<()> {
    let report = JsonReport {
        version: env!("CARGO_PKG_VERSION"),
        summary: *summary,
        files,
    };
    // Straight to the file: the text of a large run's report is larger than the report.
    super::write_atomically(path, |out| {
        serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    })
}

/// The JSON Schema of the report, as committed in `schema/report.schema.json`.
pub fn schema_json() -> String {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<JsonReport>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
