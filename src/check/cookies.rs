//! `cookies`: the cookies this response set.

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
    for (name, matcher) in &expect.cookies {
        let actual = response
            .cookies
            .iter()
            .rev()
            .find(|(n, _)| n == &name.value)
            .map(|(_, v)| J::String(v.clone()));
        let assertion = format!("cookie {}", name.value);
        out.extend(collect(
            matcher.span,
            &assertion,
            evaluate(matcher, actual.as_ref(), ctx.resolve),
        ));
    }
}
