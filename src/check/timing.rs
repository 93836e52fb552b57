//! `duration`: the elapsed time, compared in milliseconds (durations in the file were
//! turned into milliseconds when it was read).

use serde_json::Value as J;

use super::Context;
use super::failure::Verdicts;
use super::predicate::evaluate;
use super::response::ResponseView;
use sonde_core::model::Expect;

pub(super) fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Verdicts) {
    let Some(matcher) = &expect.duration else {
        return;
    };
    let ms = (response.elapsed.as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
    let actual = serde_json::Number::from_f64(ms).map(J::Number);
    let mismatches = evaluate(matcher, actual.as_ref(), ctx.resolve);
    let first = out.failures.len();
    let name = || "duration".to_string();
    out.judged(
        matcher.span,
        name,
        mismatches,
        matcher,
        actual.as_ref(),
        ctx.resolve,
    );
    for f in &mut out.failures[first..] {
        // Both sides in milliseconds, so they read alike.
        f.actual = format!("{ms} ms");
        f.expected = format!("{} ms", f.expected);
    }
}
