//! `status` and `ok`.

use serde_json::Value as J;

use super::Context;
use super::failure::{Failure, Verdicts};
use super::predicate::{evaluate, matcher_json};
use super::response::ResponseView;
use sonde_core::Span;
use sonde_core::model::{Expect, StatusExpect};

pub(super) fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Verdicts) {
    // Only a failure shows it.
    let actual = || {
        format!("{} {}", response.status, response.reason)
            .trim_end()
            .to_string()
    };
    if let Some(status) = &expect.status {
        judge(
            status.span,
            &status.value,
            response.status,
            ctx,
            out,
            &actual,
        );
    }
    check_ok(expect, response, out, &actual);
}

fn judge(
    span: Span,
    status: &StatusExpect,
    code: u16,
    ctx: &Context,
    out: &mut Verdicts,
    actual: &dyn Fn() -> String,
) {
    let failed = match status {
        StatusExpect::Code(expected) => (*expected != code).then(|| expected.to_string()),
        StatusExpect::AnyOf(codes) => (!codes.contains(&code)).then(|| {
            let list: Vec<String> = codes.iter().map(u16::to_string).collect();
            format!("one of {}", list.join(", "))
        }),
        StatusExpect::Class(class) => (code / 100 != *class).then(|| format!("{class}xx")),
        StatusExpect::Matches(matcher) => {
            let code = J::from(code);
            let mismatches = evaluate(matcher, Some(&code), ctx.resolve);
            let first = out.failures.len();
            let name = || "status".to_string();
            out.judged(span, name, mismatches, matcher, Some(&code), ctx.resolve);
            for failure in &mut out.failures[first..] {
                failure.actual = actual();
            }
            return;
        }
    };
    let values = || (status_json(status, ctx), Some(J::from(code)));
    match failed {
        Some(expected) => {
            out.fail_with(Failure::new(span, "status", expected, actual()), |_| {
                values()
            });
        }
        None => out.pass(span, || "status".to_string(), values),
    }
}

fn check_ok(
    expect: &Expect,
    response: &ResponseView,
    out: &mut Verdicts,
    actual: &dyn Fn() -> String,
) {
    let Some(ok) = &expect.ok else { return };
    let is_ok = response.status < 400;
    let values = || (J::Bool(ok.value), Some(J::Bool(is_ok)));
    if is_ok == ok.value {
        out.pass(ok.span, || "ok".to_string(), values);
    } else {
        let expected = if ok.value {
            "a status below 400 (ok: true)"
        } else {
            "a status of 400 or more (ok: false)"
        };
        out.fail_with(Failure::new(ok.span, "ok", expected, actual()), |_| {
            values()
        });
    }
}

/// `status` as JSON, as written: `200`, `[200, 201]`, `"2xx"`, a predicate's mapping.
fn status_json(status: &StatusExpect, ctx: &Context) -> J {
    match status {
        StatusExpect::Code(code) => J::from(*code),
        StatusExpect::AnyOf(codes) => J::Array(codes.iter().map(|c| J::from(*c)).collect()),
        StatusExpect::Class(class) => J::String(format!("{class}xx")),
        StatusExpect::Matches(matcher) => matcher_json(matcher, ctx.resolve),
    }
}
