//! `status` and `ok`.

use serde_json::Value as J;

use super::Context;
use super::failure::{Failure, collect};
use super::predicate::evaluate;
use super::response::ResponseView;
use sonde_core::model::{Expect, StatusExpect};

pub(super) fn check(
    expect: &Expect,
    response: &ResponseView,
    ctx: &Context,
    out: &mut Vec<Failure>,
) {
    // Only a failure shows it.
    let actual = || {
        format!("{} {}", response.status, response.reason)
            .trim_end()
            .to_string()
    };
    if let Some(status) = &expect.status {
        let span = status.span;
        let code = response.status;
        match &status.value {
            StatusExpect::Code(expected) if *expected != code => {
                out.push(Failure::new(span, "status", expected.to_string(), actual()));
            }
            StatusExpect::AnyOf(codes) if !codes.contains(&code) => {
                let list: Vec<String> = codes.iter().map(u16::to_string).collect();
                out.push(Failure::new(
                    span,
                    "status",
                    format!("one of {}", list.join(", ")),
                    actual(),
                ));
            }
            StatusExpect::Class(class) if code / 100 != *class => {
                out.push(Failure::new(span, "status", format!("{class}xx"), actual()));
            }
            StatusExpect::Matches(matcher) => {
                let mismatches = evaluate(matcher, Some(&J::from(code)), ctx.resolve);
                out.extend(collect(span, "status", mismatches).map(|mut f| {
                    f.actual = actual();
                    f
                }));
            }
            _ => {}
        }
    }
    if let Some(ok) = &expect.ok {
        let is_ok = response.status < 400;
        if is_ok != ok.value {
            let expected = if ok.value {
                "a status below 400 (ok: true)"
            } else {
                "a status of 400 or more (ok: false)"
            };
            out.push(Failure::new(ok.span, "ok", expected, actual()));
        }
    }
}
