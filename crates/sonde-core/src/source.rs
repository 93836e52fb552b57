//! Source files and positions inside them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A 1-based line and column (in characters) inside a source file.
/// Line 0 means "the whole file" (no better position is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub line: u32,
    pub col: u32,
}

impl Span {
    pub const UNKNOWN: Span = Span { line: 0, col: 0 };

    pub fn new(line: u32, col: u32) -> Span {
        Span { line, col }
    }

    pub fn is_known(self) -> bool {
        self.line > 0
    }

    /// The position `offset` lines and columns further, for errors found inside a string
    /// (a template, a `JSONPath`) whose own position is relative to its start.
    pub fn advanced(self, line_offset: u32, col_offset: u32) -> Span {
        if line_offset == 0 {
            Span::new(self.line, self.col + col_offset)
        } else {
            Span::new(self.line + line_offset, col_offset + 1)
        }
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned::new(f(self.value), self.span)
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// The text of one input file, kept so that every diagnostic can quote the offending line.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Where each line starts, computed on the first quote: diagnostics stay linear.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        })
    }

    /// The directory relative paths in this file are resolved against.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The 1-based line `line`, without its line ending.
    pub fn line(&self, line: u32) -> Option<&str> {
        if line == 0 {
            return None;
        }
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let start = *starts.get(line as usize - 1)?;
        let end = starts
            .get(line as usize)
            .map_or(self.text.len(), |next| next - 1);
        let l = &self.text[start..end];
        Some(l.strip_suffix('\r').unwrap_or(l))
    }

    /// The file stem, the default name of a scenario.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}
