//! sonde's scenario language: from text (YAML, `.http`, `sonde.yaml`) to the model, with
//! diagnostics, templates and `JSONPaths`. No network, no TLS, no server: the runner (the
//! `sonde` crate) sends what this crate describes.

pub mod analysis;
pub mod cache;
pub mod charset;
mod diagnostics;
pub mod duration;
pub mod files;
pub mod http_file;
pub mod json_path;
pub mod json_schema;
pub mod model;
pub mod node;
pub mod panics;
pub mod printable;
pub mod reader;
pub mod schema;
mod source;
pub mod template;
pub mod vars;
mod visit;
pub mod yaml;

pub use diagnostics::Diagnostic;
pub use model::Scenario;
pub use source::{SourceFile, Span, Spanned};
pub mod config;

use std::path::Path;
use std::sync::Arc;

/// The syntax of a scenario file, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Http,
}

impl Syntax {
    pub fn of(path: &Path) -> Option<Syntax> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Syntax::Yaml),
            "http" | "rest" => Some(Syntax::Http),
            _ => None,
        }
    }
}

/// Reads a file from disk into a source, reporting unreadable or non-UTF-8 files.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, Vec<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| {
        let source = SourceFile::new(path, "");
        vec![Diagnostic::new(
            &source,
            Span::UNKNOWN,
            format!("cannot read the file: {e}"),
        )]
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let prefix = String::from_utf8_lossy(valid).into_owned();
        let line = prefix.matches('\n').count() as u32 + 1;
        let col = prefix.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
        let source = SourceFile::new(path, String::from_utf8_lossy(e.as_bytes()).into_owned());
        vec![
            Diagnostic::new(&source, Span::new(line, col), "the file is not valid UTF-8")
                .label("invalid byte here"),
        ]
    })?;
    // A byte-order mark is not part of the document.
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(SourceFile::new(path, text))
}

/// A loaded scenario, with what its syntax could not express in the model.
#[derive(Debug)]
pub struct Loaded {
    pub scenario: Scenario,
    /// Assertions that cannot run (`JetBrains` scripts, handlers): reported as skipped.
    pub skipped: Vec<http_file::SkippedAssertion>,
    /// Values the file's syntax says are secret (a `.http` file's private environment).
    pub secrets: Vec<String>,
}

/// Loads one scenario file, whatever its syntax. `http_env` picks the environment of
/// `http-client.env.json` for `.http` files.
pub fn load(path: &Path, http_env: Option<&str>) -> Result<Loaded, Vec<Diagnostic>> {
    let source = read_source(path)?;
    match Syntax::of(path) {
        Some(Syntax::Yaml) => yaml::load(&source).map(|scenario| Loaded {
            scenario,
            skipped: Vec::new(),
            secrets: Vec::new(),
        }),
        Some(Syntax::Http) => http_file::load_with_env(&source, http_env).map(|mut h| {
            for &index in &h.no_cookie_jar {
                if let Some(step) = h.scenario.steps.get_mut(index) {
                    step.no_cookie_jar = true;
                }
            }
            Loaded {
                scenario: h.scenario,
                skipped: h.skipped,
                secrets: h.secrets,
            }
        }),
        None => Err(vec![Diagnostic::new(
            &source,
            Span::UNKNOWN,
            "not a scenario file: sonde reads .yaml, .yml, .http and .rest files",
        )]),
    }
}
