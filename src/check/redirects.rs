//! `redirects` (how many were followed) and `url` (where the exchange ended).

use serde_json::Value as J;

use super::Context;
use super::failure::Verdicts;
use super::predicate::evaluate;
use super::response::ResponseView;
use sonde_core::model::Expect;

pub(super) fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Verdicts) {
    if let Some(matcher) = &expect.redirects {
        let actual = J::from(response.redirects);
        let mismatches = evaluate(matcher, Some(&actual), ctx.resolve);
        let name = || "redirects".to_string();
        out.judged(
            matcher.span,
            name,
            mismatches,
            matcher,
            Some(&actual),
            ctx.resolve,
        );
    }
    if let Some(matcher) = &expect.url {
        let actual = J::String(response.url.to_string());
        let mismatches = evaluate(matcher, Some(&actual), ctx.resolve);
        let name = || "url".to_string();
        out.judged(
            matcher.span,
            name,
            mismatches,
            matcher,
            Some(&actual),
            ctx.resolve,
        );
    }
}
