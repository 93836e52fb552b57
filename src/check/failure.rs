//! A failed assertion: where it is written, what was expected, what came.

use super::diff::Diff;
use super::predicate::Mismatch;
use sonde_core::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Where the assertion stands in the scenario file.
    pub span: Span,
    /// What was asserted: `status`, `header content-type`, `json $.a.b`.
    pub assertion: String,
    pub expected: String,
    pub actual: String,
    pub diff: Option<Diff>,
}

impl Failure {
    pub fn new(
        span: Span,
        assertion: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Failure {
        Failure {
            span,
            assertion: assertion.into(),
            expected: expected.into(),
            actual: actual.into(),
            diff: None,
        }
    }

    pub fn from_mismatch(span: Span, assertion: &str, m: Mismatch) -> Failure {
        Failure {
            span,
            assertion: assertion.to_string(),
            expected: m.expected,
            actual: m.actual,
            diff: m.documents.map(|d| Diff::of_json(&d.0, &d.1)),
        }
    }

    /// The failure as plain lines: the assertion and its line, expected, actual, the diff.
    pub fn render(&self, path: &str, color: bool) -> String {
        let mut out = format!(
            "{} ({path}:{})\n  expected: {}\n  actual:   {}\n",
            self.assertion, self.span.line, self.expected, self.actual
        );
        if let Some(diff) = &self.diff {
            out.push_str(&diff.render("    ", color));
        }
        out
    }
}

/// Failures of one matcher at one place.
pub(crate) fn collect(
    span: Span,
    assertion: &str,
    mismatches: Vec<Mismatch>,
) -> impl Iterator<Item = Failure> + '_ {
    mismatches
        .into_iter()
        .map(move |m| Failure::from_mismatch(span, assertion, m))
}
