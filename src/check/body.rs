//! `body`: the decoded text, exactly or through a predicate.

use serde_json::Value as J;

use super::Context;
use super::failure::{Failure, collect};
use super::predicate::evaluate;
use super::response::ResponseView;
use sonde_core::model::Expect;

pub(super) fn check(
    expect: &Expect,
    response: &ResponseView,
    ctx: &Context,
    out: &mut Vec<Failure>,
) {
    let Some(matcher) = &expect.body else { return };
    let Some(text) = response.text else {
        let why = if response.saved_to.is_some() {
            "the body was saved to disk (save_body): check it with `bytes`"
        } else {
            "the body is not text in its charset"
        };
        out.push(Failure::new(matcher.span, "body", "a text body", why));
        return;
    };
    let actual = J::String(text.to_string());
    out.extend(collect(
        matcher.span,
        "body",
        evaluate(matcher, Some(&actual), ctx.resolve),
    ));
}
