//! What the checks find: every assertion that failed (where it is written, what was expected,
//! what came) and, when asked, every one that held.

use serde_json::Value as J;

use super::diff::Diff;
use super::predicate::{Mismatch, Resolve, expected_json, matcher_json};
use sonde_core::Span;
use sonde_core::model::Matcher;

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Where the assertion stands in the scenario file.
    pub span: Span,
    /// What was asserted: `status`, `header content-type`, `json $.a.b`.
    pub assertion: String,
    /// What was expected, in words (`one of 200, 201`, `greater than 5`).
    pub expected: String,
    /// What came, in words (`404 Not Found`).
    pub actual: String,
    pub diff: Option<Diff>,
    /// Both sides as JSON, when the run records them ([`super::Context::record_passes`]).
    pub values: Option<Values>,
}

/// The two sides of an assertion as JSON, for reports that keep data rather than words.
#[derive(Debug, Clone, PartialEq)]
pub struct Values {
    /// What the file asks for, templates rendered: the value, or the predicate mapping
    /// (`{"contains": "json"}`); the words, as a string, where the assertion has no value
    /// (`a JSON body`).
    pub expected: J,
    /// What came: a status is a number, a header a string, a `JSONPath` value its JSON;
    /// `None`: nothing came.
    pub actual: Option<J>,
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
            values: None,
        }
    }

    pub fn from_mismatch(span: Span, assertion: &str, m: Mismatch) -> Failure {
        Failure {
            span,
            assertion: assertion.to_string(),
            expected: m.expected,
            actual: m.actual,
            diff: m.documents.map(|d| Diff::of_json(&d.0, &d.1)),
            values: None,
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

/// An assertion that held, with both sides as JSON. Recorded only when asked
/// ([`super::Context::record_passes`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    pub span: Span,
    pub assertion: String,
    pub values: Values,
    /// How many failures were found before this one held: passes and failures put back in
    /// this order are the assertions in the order they were judged.
    pub failures_before: usize,
}

/// What the checks of one `expect` found.
#[derive(Debug, Default)]
pub struct Verdicts {
    /// Every assertion that failed, in the order they were judged; with their JSON values
    /// when passes are recorded.
    pub failures: Vec<Failure>,
    /// Every assertion that held, when passes are recorded; else empty.
    pub passes: Vec<Pass>,
    record_passes: bool,
}

impl Verdicts {
    pub(crate) fn new(record_passes: bool) -> Verdicts {
        Verdicts {
            failures: Vec::new(),
            passes: Vec::new(),
            record_passes,
        }
    }

    /// A failure said in words: when values are recorded, the words stand for them.
    pub(crate) fn fail(&mut self, failure: Failure) {
        self.fail_with(failure, |f| {
            (
                J::String(f.expected.clone()),
                Some(J::String(f.actual.clone())),
            )
        });
    }

    /// A failure and its JSON values, computed only when values are recorded.
    pub(crate) fn fail_with(
        &mut self,
        mut failure: Failure,
        values: impl FnOnce(&Failure) -> (J, Option<J>),
    ) {
        if self.record_passes {
            let (expected, actual) = values(&failure);
            failure.values = Some(Values { expected, actual });
        }
        self.failures.push(failure);
    }

    /// Whether passes and values are recorded.
    pub(crate) fn recording(&self) -> bool {
        self.record_passes
    }

    /// An assertion held: recorded when passes are, its name and values computed only then.
    pub(crate) fn pass(
        &mut self,
        span: Span,
        assertion: impl FnOnce() -> String,
        values: impl FnOnce() -> (J, Option<J>),
    ) {
        if self.record_passes {
            let (expected, actual) = values();
            self.passes.push(Pass {
                span,
                assertion: assertion(),
                values: Values { expected, actual },
                failures_before: self.failures.len(),
            });
        }
    }

    /// The judgement of one matcher at one place: each of its mismatches a failure, or, when
    /// there are none, a pass.
    pub(crate) fn judged(
        &mut self,
        span: Span,
        assertion: impl FnOnce() -> String,
        mismatches: Vec<Mismatch>,
        matcher: &Matcher,
        actual: Option<&J>,
        resolve: &dyn Resolve,
    ) {
        if mismatches.is_empty() {
            self.pass(span, assertion, || {
                (matcher_json(matcher, resolve), actual.cloned())
            });
        } else {
            let assertion = assertion();
            for m in mismatches {
                let values = self.record_passes.then(|| Values {
                    expected: expected_json(matcher, &m, resolve),
                    actual: actual.cloned(),
                });
                let mut failure = Failure::from_mismatch(span, &assertion, m);
                failure.values = values;
                self.failures.push(failure);
            }
        }
    }
}
