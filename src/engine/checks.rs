//! The one place the engine asks whether a response satisfies `expect`: the exchange is
//! shown to the checks (`crate::check`) as a read-only view, and templates in expected
//! values are rendered with the step's scope.

use serde_json::Value as J;

use crate::check::{self, Context, Pass, Resolve, ResponseView, TemplateError};
use crate::transport::{BodyContent, Exchange};
use sonde_core::model::{Expect, Text, Value};

use super::scope::Scope;
use super::{FailureCause, StepFailure};

impl Resolve for Scope {
    fn value(&self, value: &Value) -> Result<J, TemplateError> {
        Scope::value(self, value)
    }
    fn text(&self, text: &Text) -> Result<String, TemplateError> {
        Scope::text(self, text)
    }
}

/// Every failure of `expect` against the exchange, and, when `record_passes`, every
/// assertion that held.
pub(crate) fn evaluate(
    expect: &Expect,
    exchange: &Exchange,
    scope: &Scope,
    record_passes: bool,
) -> (Vec<StepFailure>, Vec<Pass>) {
    let response = &exchange.response;
    let headers = &response.head.headers.0;
    let (body, saved_to): (&[u8], _) = match &response.body.content {
        BodyContent::Memory(bytes) => (bytes, None),
        BodyContent::Saved { path, .. } => (&[], Some(path.as_path())),
    };
    let cookies = exchange.cookies_set();
    let mut view = ResponseView::new(
        response.head.status,
        &response.head.reason,
        headers,
        body,
        response.body.text.as_deref(),
        exchange.elapsed,
        &response.head.url,
    );
    view.saved_to = saved_to;
    view.redirects = exchange.hops.len();
    view.cookies = &cookies;
    let ctx = Context {
        resolve: scope,
        scenario_dir: scope.dir(),
        record_passes,
    };
    let reads_text = expect.body.is_some() || !expect.json.is_empty() || expect.schema.is_some();
    let undecodable = (reads_text && response.body.malformed_text).then(|| StepFailure {
        span: expect
            .body
            .as_ref()
            .map(|b| b.span)
            .or(expect.json.first().map(|j| j.path.source.span))
            .or(expect.schema.as_ref().map(|s| s.span))
            .unwrap_or_default(),
        cause: FailureCause::Undecodable {
            charset: response.body.charset.clone(),
        },
    });
    let verdicts = check::evaluate(expect, &view, &ctx);
    let failures = undecodable
        .into_iter()
        .chain(verdicts.failures.into_iter().map(|f| StepFailure {
            span: f.span,
            cause: FailureCause::Check(Box::new(f)),
        }))
        .collect();
    (failures, verdicts.passes)
}
