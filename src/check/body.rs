//! `body`: the decoded text, exactly or through a predicate.

use serde_json::Value as J;

use super::Context;
use super::failure::{Failure, Verdicts};
use super::predicate::evaluate;
use super::response::ResponseView;
use sonde_core::model::Expect;

/// How much of the body's text an assertion's JSON value keeps (reports keep data, not
/// whole pages).
const VALUE_CHARS: usize = 2000;

pub(super) fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Verdicts) {
    let Some(matcher) = &expect.body else { return };
    let Some(text) = response.text else {
        let why = if response.saved_to.is_some() {
            "the body was saved to disk (save_body): check it with `bytes`"
        } else {
            "the body is not text in its charset"
        };
        out.fail(Failure::new(matcher.span, "body", "a text body", why));
        return;
    };
    let actual = J::String(text.to_string());
    let mismatches = evaluate(matcher, Some(&actual), ctx.resolve);
    // A report keeps the start of the text, not a whole page.
    let shown = out.recording().then(|| J::String(cut(text)));
    out.judged(
        matcher.span,
        || "body".to_string(),
        mismatches,
        matcher,
        shown.as_ref(),
        ctx.resolve,
    );
}

/// The first [`VALUE_CHARS`] characters of a text, and how many more there are.
fn cut(text: &str) -> String {
    let mut chars = text.char_indices();
    match chars.nth(VALUE_CHARS) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}… ({} more characters)", &text[..end], 1 + chars.count()),
    }
}
