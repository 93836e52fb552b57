//! User JSON Schemas (`expect.schema`): read, compiled once per run and shared by every step
//! and file that uses them; `sonde validate` compiles them too, so a broken one is said
//! before anything is sent.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::model::SchemaSource;

/// A compiled schema, or why it cannot be used.
pub type Compiled = Arc<Result<jsonschema::Validator, String>>;

/// Why a schema cannot be used (unreadable, not JSON or YAML, not a valid JSON Schema), for
/// `sonde validate`; compiling it now also fills the cache the run uses.
pub fn problem(source: &SchemaSource, dir: &Path) -> Option<String> {
    compiled(source, dir).as_ref().as_ref().err().cloned()
}

/// The validator for a schema, compiled on first use and cached for the run.
pub fn compiled(source: &SchemaSource, dir: &Path) -> Compiled {
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
            crate::node::parse(&text).map(|n| n.to_json()).map_err(|e| {
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
