//! `headers`: names case-insensitive; repeated headers pass `contains`/`matches` when any
//! value does, and compare joined with `, ` for equality.

use serde_json::Value as J;

use super::Context;
use super::failure::{Failure, collect};
use super::predicate::evaluate;
use super::response::ResponseView;
use crate::scenario::model::Expect;

pub fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Vec<Failure>) {
    for h in &expect.headers {
        let name = &h.name.value;
        let values = response.header_values(name);
        let assertion = format!("header {name}");
        let Some(matcher) = &h.matcher else {
            if !values.is_empty() {
                out.push(Failure::new(
                    h.name.span,
                    assertion,
                    "no such header",
                    values.join(", "),
                ));
            }
            continue;
        };
        let joined = (!values.is_empty()).then(|| J::String(values.join(", ")));
        let mismatches = evaluate(matcher, joined.as_ref(), ctx.resolve);
        let any_single_passes = values.len() > 1
            && values.iter().any(|v| {
                evaluate(matcher, Some(&J::String((*v).to_string())), ctx.resolve).is_empty()
            });
        if !mismatches.is_empty() && !any_single_passes {
            out.extend(collect(matcher.span, &assertion, mismatches));
        }
    }
}
