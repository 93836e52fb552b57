//! `schema`: the JSON body must satisfy a JSON Schema (drafts 4 to 2020-12), compiled once
//! per run and shared by every step and file that uses it.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::Context;
use super::failure::Failure;
use super::response::ResponseView;
use crate::scenario::model::{Expect, SchemaSource};

type Compiled = Arc<Result<jsonschema::Validator, String>>;

pub fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Vec<Failure>) {
    let Some(schema) = &expect.schema else { return };
    let validator = compiled(&schema.value, ctx.scenario_dir);
    let validator = match validator.as_ref() {
        Ok(v) => v,
        Err(e) => {
            out.push(Failure::new(
                schema.span,
                "schema",
                "a usable JSON Schema",
                e.clone(),
            ));
            return;
        }
    };
    let document = match response.json() {
        Ok(d) => d,
        Err(why) => {
            out.push(Failure::new(schema.span, "schema", "a JSON body", why));
            return;
        }
    };
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
        out.push(Failure::new(
            schema.span,
            format!("schema at {at}"),
            format!("to satisfy `{keyword}`"),
            error.to_string(),
        ));
    }
}

/// Why a schema cannot be used (unreadable, not JSON or YAML, not a valid JSON Schema), for
/// `sonde validate`; compiling it now also fills the cache the run uses.
pub fn problem(source: &SchemaSource, dir: &Path) -> Option<String> {
    compiled(source, dir).as_ref().as_ref().err().cloned()
}

/// The validator for a schema, compiled on first use and cached for the run.
fn compiled(source: &SchemaSource, dir: &Path) -> Compiled {
    static CACHE: OnceLock<crate::cache::Cache<Compiled>> = OnceLock::new();
    let key = match source {
        SchemaSource::File(path) => format!("file:{}", dir.join(path).display()),
        // Content-addressed: the same schema written in two places compiles once.
        SchemaSource::Inline(schema) => format!("inline:{schema}"),
    };
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.get(&key) {
        return hit;
    }
    let result = Arc::new(load(source, dir).and_then(|schema| {
        jsonschema::validator_for(&schema).map_err(|e| format!("the schema is invalid: {e}"))
    }));
    cache.insert(&key, Arc::clone(&result));
    result
}

fn load(source: &SchemaSource, dir: &Path) -> Result<serde_json::Value, String> {
    match source {
        SchemaSource::Inline(schema) => Ok(schema.clone()),
        SchemaSource::File(path) => {
            let full = dir.join(path);
            let text = std::fs::read_to_string(&full)
                .map_err(|e| format!("cannot read {}: {e}", full.display()))?;
            crate::scenario::node::parse(&text)
                .map(|n| n.to_json())
                .map_err(|e| {
                    format!(
                        "{}:{}:{}: {}",
                        full.display(),
                        e.span.line,
                        e.span.col,
                        e.message
                    )
                })
        }
    }
}
