//! `json`: `JSONPath` (RFC 9535) queries, compiled at load; one node compares its value,
//! several compare the list of values.

use serde_json::Value as J;

use super::Context;
use super::failure::{Failure, Verdicts};
use super::predicate::{evaluate, matcher_json};
use super::response::ResponseView;
use sonde_core::model::{Expect, JsonExpect, Matcher, Predicate};

pub(super) fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Verdicts) {
    if expect.json.is_empty() {
        return;
    }
    let paths: Vec<_> = expect.json.iter().map(|j| &*j.path.compiled).collect();
    if let Some(picked) = response.pick_json(&paths) {
        for (j, actual) in expect.json.iter().zip(picked) {
            judge(j, actual.as_ref(), ctx, out);
        }
        return;
    }
    let document = match response.json() {
        Ok(d) => d,
        Err(why) => {
            let first = &expect.json[0];
            out.fail(Failure::new(
                first.path.source.span,
                "json",
                "a JSON body",
                why,
            ));
            return;
        }
    };
    for j in &expect.json {
        let nodes = j.path.compiled.query(document).all();
        match nodes.len() {
            0 => judge(j, None, ctx, out),
            1 => judge(j, Some(nodes[0]), ctx, out),
            _ => {
                let list = J::Array(nodes.into_iter().cloned().collect());
                judge(j, Some(&list), ctx, out);
            }
        }
    }
}

fn judge(j: &JsonExpect, actual: Option<&J>, ctx: &Context, out: &mut Verdicts) {
    let assertion = || format!("json {}", j.path.source.value);
    if actual.is_none() && !allows_nothing(&j.matcher) {
        out.fail_with(
            Failure::new(
                j.matcher.span,
                assertion(),
                expected_words(&j.matcher, ctx),
                "nothing: the path matched nothing",
            ),
            |_| (matcher_json(&j.matcher, ctx.resolve), None),
        );
        return;
    }
    let mismatches = evaluate(&j.matcher, actual, ctx.resolve);
    out.judged(
        j.matcher.span,
        assertion,
        mismatches,
        &j.matcher,
        actual,
        ctx.resolve,
    );
}

/// Only `exists: false` passes on a path that matched nothing.
fn allows_nothing(matcher: &Matcher) -> bool {
    matches!(matcher, Matcher::All(ps) if ps.iter().any(|p| matches!(p.value, Predicate::Exists(false))))
}

fn expected_words(matcher: &Matcher, ctx: &Context) -> String {
    super::predicate::describe(matcher, ctx.resolve)
}
