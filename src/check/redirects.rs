//! `redirects` (how many were followed) and `url` (where the exchange ended).

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
    if let Some(matcher) = &expect.redirects {
        let actual = J::from(response.redirects);
        out.extend(collect(
            matcher.span,
            "redirects",
            evaluate(matcher, Some(&actual), ctx.resolve),
        ));
    }
    if let Some(matcher) = &expect.url {
        let actual = J::String(response.url.to_string());
        out.extend(collect(
            matcher.span,
            "url",
            evaluate(matcher, Some(&actual), ctx.resolve),
        ));
    }
}
