//! `cookies`: the cookies this response set.

use serde_json::Value as J;

use super::Context;
use super::failure::Verdicts;
use super::predicate::evaluate;
use super::response::ResponseView;
use sonde_core::model::Expect;

pub(super) fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Verdicts) {
    for (name, matcher) in &expect.cookies {
        let actual = response
            .cookies
            .iter()
            .rev()
            .find(|(n, _)| n == &name.value)
            .map(|(_, v)| J::String(v.clone()));
        let mismatches = evaluate(matcher, actual.as_ref(), ctx.resolve);
        out.judged(
            matcher.span,
            || format!("cookie {}", name.value),
            mismatches,
            matcher,
            actual.as_ref(),
            ctx.resolve,
        );
    }
}
