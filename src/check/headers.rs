//! `headers`: names case-insensitive; with a repeated header, `contains` and `matches` hold
//! when any one value satisfies them, and everything else (`eq`, `ne`, `not_contains`…)
//! judges the values joined with `, `, as `response.headers[name]` shows them.

use serde_json::Value as J;

use super::Context;
use super::failure::{Failure, Verdicts};
use super::predicate::{Mismatch, evaluate, evaluate_one};
use super::response::ResponseView;
use sonde_core::model::{Expect, Matcher, Predicate};

pub(super) fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Verdicts) {
    for h in &expect.headers {
        let name = &h.name.value;
        let assertion = || format!("header {name}");
        let values = response.header_values(name);
        let Some(matcher) = &h.matcher else {
            // `name: null`: the header must be absent.
            if values.is_empty() {
                out.pass(h.name.span, assertion, || (J::Null, None));
            } else {
                out.fail_with(
                    Failure::new(
                        h.name.span,
                        assertion(),
                        "no such header",
                        values.join(", "),
                    ),
                    |f| (J::Null, Some(J::String(f.actual.clone()))),
                );
            }
            continue;
        };
        let joined = (!values.is_empty()).then(|| J::String(values.join(", ")));
        let mismatches: Vec<Mismatch> = match &matcher.value {
            Matcher::All(predicates) => predicates
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    judge(&p.value, &values, joined.as_ref(), ctx).map(|m| m.at_word(i))
                })
                .collect(),
            Matcher::Equals(_) => evaluate(matcher, joined.as_ref(), ctx.resolve),
        };
        out.judged(
            matcher.span,
            assertion,
            mismatches,
            matcher,
            joined.as_ref(),
            ctx.resolve,
        );
    }
}

/// The mismatch of one predicate word against the header's values, if any.
fn judge(
    predicate: &Predicate,
    values: &[&str],
    joined: Option<&J>,
    ctx: &Context,
) -> Option<Mismatch> {
    let any_value_holds = matches!(predicate, Predicate::Contains(_) | Predicate::Matches(_))
        && values.iter().any(|v| {
            evaluate_one(predicate, Some(&J::String((*v).to_string())), ctx.resolve).is_none()
        });
    if any_value_holds {
        None
    } else {
        evaluate_one(predicate, joined, ctx.resolve)
    }
}
