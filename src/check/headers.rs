//! `headers`: names case-insensitive; with a repeated header, `contains` and `matches` hold
//! when any one value satisfies them, and everything else (`eq`, `ne`, `not_contains`…)
//! judges the values joined with `, `, as `response.headers[name]` shows them.

use serde_json::Value as J;

use super::Context;
use super::failure::{Failure, collect};
use super::predicate::{Mismatch, evaluate};
use super::response::ResponseView;
use crate::scenario::Spanned;
use crate::scenario::model::{Expect, Matcher, Predicate};

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
        let mismatches = match &matcher.value {
            Matcher::All(predicates) => predicates
                .iter()
                .flat_map(|p| judge(p, &values, joined.as_ref(), ctx))
                .collect(),
            Matcher::Equals(_) => evaluate(matcher, joined.as_ref(), ctx.resolve),
        };
        out.extend(collect(matcher.span, &assertion, mismatches));
    }
}

/// The mismatches of one predicate word against the header's values.
fn judge(
    predicate: &Spanned<Predicate>,
    values: &[&str],
    joined: Option<&J>,
    ctx: &Context,
) -> Vec<Mismatch> {
    let one = Matcher::All(vec![predicate.clone()]);
    let any_value_holds = matches!(
        predicate.value,
        Predicate::Contains(_) | Predicate::Matches(_)
    ) && values
        .iter()
        .any(|v| evaluate(&one, Some(&J::String((*v).to_string())), ctx.resolve).is_empty());
    if any_value_holds {
        Vec::new()
    } else {
        evaluate(&one, joined, ctx.resolve)
    }
}
