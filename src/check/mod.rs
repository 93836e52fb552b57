//! Judging responses: one file per assertion kind, one shared predicate engine. Every
//! assertion of a step is evaluated and every failure is returned, not only the first; the
//! assertions that hold are recorded too when a report shows them (`--json`).

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

pub use failure::{Failure, Pass, Values, Verdicts};
pub use predicate::{Resolve, TemplateError};
pub use response::ResponseView;

use sonde_core::model::Expect;

/// What the checks need besides the response.
pub struct Context<'a> {
    /// Renders templates in expected values with the step's variables.
    pub resolve: &'a dyn Resolve,
    /// Relative paths (`schema`, `equals_file`) are resolved against it.
    pub scenario_dir: &'a Path,
    /// Also record the assertions that hold, with their JSON values ([`Verdicts::passes`]).
    /// Only the JSON report shows them: without it, the checks look for failures alone and
    /// build nothing for an assertion that holds.
    pub record_passes: bool,
}

/// Every failure of `expect` against `response` (and every pass, when recorded), in the order
/// the kinds are listed in the format.
pub fn evaluate(expect: &Expect, response: &ResponseView, ctx: &Context) -> Verdicts {
    let mut verdicts = Verdicts::new(ctx.record_passes);
    status::check(expect, response, ctx, &mut verdicts);
    headers::check(expect, response, ctx, &mut verdicts);
    json::check(expect, response, ctx, &mut verdicts);
    body::check(expect, response, ctx, &mut verdicts);
    bytes::check(expect, response, ctx, &mut verdicts);
    schema::check(expect, response, ctx, &mut verdicts);
    cookies::check(expect, response, ctx, &mut verdicts);
    timing::check(expect, response, ctx, &mut verdicts);
    redirects::check(expect, response, ctx, &mut verdicts);
    verdicts
}
