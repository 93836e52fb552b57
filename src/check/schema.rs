//! `schema`: the JSON body must satisfy a JSON Schema (drafts 4 to 2020-12), compiled once
//! per run and shared by every step and file that uses it.

use serde_json::Value as J;

use super::Context;
use super::failure::{Failure, Verdicts};
use super::response::ResponseView;
use sonde_core::json_schema::compiled;
use sonde_core::model::{Expect, SchemaSource};

pub(crate) fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Verdicts) {
    let Some(schema) = &expect.schema else { return };
    let validator = compiled(&schema.value, ctx.scenario_dir);
    let validator = match validator.as_ref() {
        Ok(v) => v,
        Err(e) => {
            out.fail(Failure::new(
                schema.span,
                "schema",
                "a usable JSON Schema",
                e.to_string(),
            ));
            return;
        }
    };
    let document = match response.json() {
        Ok(d) => d,
        Err(why) => {
            out.fail(Failure::new(schema.span, "schema", "a JSON body", why));
            return;
        }
    };
    let first = out.failures.len();
    for error in validator.iter_errors(document) {
        let instance = error.instance_path().to_string();
        let keyword = error
            .schema_path()
            .to_string()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        let at = if instance.is_empty() {
            "/".to_string()
        } else {
            instance
        };
        out.fail_with(
            Failure::new(
                schema.span,
                format!("schema at {at}"),
                format!("to satisfy `{keyword}`"),
                error.to_string(),
            ),
            // What came is the value at that place.
            |f| {
                let instance = error.instance().clone().into_owned();
                (J::String(f.expected.clone()), Some(instance))
            },
        );
    }
    if out.failures.len() == first {
        // The whole document satisfies it: nothing else to show than the schema.
        out.pass(
            schema.span,
            || "schema".to_string(),
            || {
                let written = match &schema.value {
                    SchemaSource::Inline(inline) => inline.clone(),
                    SchemaSource::File(path) => J::String(path.clone()),
                };
                (written, None)
            },
        );
    }
}
