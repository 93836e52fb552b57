//! Judging responses: one file per assertion kind, one shared predicate engine. Every
//! assertion of a step is evaluated and every failure is returned, not only the first.

mod body;
mod bytes;
mod cookies;
pub mod diff;
pub(crate) mod failure;
mod headers;
mod json;
pub(crate) mod json_value;
pub mod predicate;
mod redirects;
pub(crate) mod response;
pub(crate) mod schema;
mod status;
mod timing;

use std::path::Path;

pub use failure::Failure;
pub use predicate::{Resolve, TemplateError};
pub use response::ResponseView;

use sonde_core::model::Expect;

/// What the checks need besides the response.
pub struct Context<'a> {
    /// Renders templates in expected values with the step's variables.
    pub resolve: &'a dyn Resolve,
    /// Relative paths (`schema`, `equals_file`) are resolved against it.
    pub scenario_dir: &'a Path,
}

/// Every failure of `expect` against `response`, in the order the kinds are listed in the format.
pub fn evaluate(expect: &Expect, response: &ResponseView, ctx: &Context) -> Vec<Failure> {
    let mut failures = Vec::new();
    status::check(expect, response, ctx, &mut failures);
    headers::check(expect, response, ctx, &mut failures);
    json::check(expect, response, ctx, &mut failures);
    body::check(expect, response, ctx, &mut failures);
    bytes::check(expect, response, ctx, &mut failures);
    schema::check(expect, response, ctx, &mut failures);
    cookies::check(expect, response, ctx, &mut failures);
    timing::check(expect, response, ctx, &mut failures);
    redirects::check(expect, response, ctx, &mut failures);
    failures
}
