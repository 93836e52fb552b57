//! User JSON Schemas (`expect.schema`): read, compiled once per run and shared by every step
//! and file that uses them; `sonde validate` compiles them too, so a broken one is said
//! before anything is sent.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::model::SchemaSource;

/// Why a schema cannot be used. Cloned out of the run's cache, so its sources are shared.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaError {
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The file is neither JSON nor YAML.
    #[error("{}:{line}:{col}: {message}", .path.display())]
    Syntax {
        path: PathBuf,
        line: u32,
        col: u32,
        message: String,
    },
    /// Read, but not a valid JSON Schema.
    #[error("the schema is invalid: {source}")]
    Invalid {
        #[source]
        source: Arc<jsonschema::ValidationError<'static>>,
    },
}

/// A compiled schema, or why it cannot be used.
pub type Compiled = Arc<Result<jsonschema::Validator, SchemaError>>;

/// Why a schema cannot be used (unreadable, not JSON or YAML, not a valid JSON Schema), for
/// `sonde validate`; compiling it now also fills the cache the run uses.
pub fn problem(source: &SchemaSource, dir: &Path) -> Option<SchemaError> {
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
        jsonschema::validator_for(&schema).map_err(|e| SchemaError::Invalid {
            source: Arc::new(e),
        })
    }));
    cache.insert(&key, Arc::clone(&result));
    result
}

fn load(source: &SchemaSource, dir: &Path) -> Result<serde_json::Value, SchemaError> {
    match source {
        SchemaSource::Inline(schema) => Ok(schema.clone()),
        SchemaSource::File(path) => {
            let full = dir.join(path);
            let text = match std::fs::read_to_string(&full) {
                Ok(text) => text,
                Err(e) => {
                    return Err(SchemaError::Read {
                        path: full,
                        source: Arc::new(e),
                    });
                }
            };
            crate::node::parse(&text)
                .map(|n| n.to_json())
                .map_err(|e| SchemaError::Syntax {
                    path: full,
                    line: e.span.line,
                    col: e.span.col,
                    message: e.message,
                })
        }
    }
}
