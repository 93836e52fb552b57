//! Process-wide caches of things compiled from source text: templates, JSONPaths, regular
//! expressions, URLs. Every file of a suite usually repeats the same ones, and `run` also reads
//! files on several threads, so the first compile serves every later file.

use std::sync::{Arc, OnceLock, RwLock};

use crate::json_path::CompiledPath;

/// How many distinct sources a cache holds. Past that, values are compiled anew for each
/// use (as without a cache), so that memory stays bounded however many distinct sources a
/// run has.
pub const LIMIT: usize = 16_384;

/// Compiled values by source text.
pub struct Cache<T> {
    /// foldhash: lookups happen for every step, and the keys come from the suite's own files.
    map: RwLock<foldhash::HashMap<Box<str>, T>>,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache {
            map: RwLock::new(foldhash::HashMap::default()),
        }
    }
}

impl<T: Clone> Cache<T> {
    pub fn get(&self, source: &str) -> Option<T> {
        // A poisoned lock only means another thread panicked while inserting; the map
        // itself is still consistent.
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(source).cloned()
    }

    pub fn has_room(&self) -> bool {
        self.map.read().unwrap_or_else(|e| e.into_inner()).len() < LIMIT
    }

    pub fn insert(&self, source: &str, value: T) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() < LIMIT {
            map.entry(source.into()).or_insert(value);
        }
    }

    /// The cached value for `source`, or `compile(source)`, kept when it succeeds.
    pub fn get_or_try<E>(
        &self,
        source: &str,
        compile: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, E> {
        if let Some(found) = self.get(source) {
            return Ok(found);
        }
        let value = compile(source)?;
        self.insert(source, value.clone());
        Ok(value)
    }
}

/// A regular expression, compiled once per process for each distinct pattern (compiling
/// costs far more than matching; a `Regex` clone is cheap).
pub fn regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    static CACHE: OnceLock<Cache<regex::Regex>> = OnceLock::new();
    CACHE
        .get_or_init(Default::default)
        .get_or_try(pattern, regex::Regex::new)
}

/// A JSONPath (RFC 9535), compiled once per process for each distinct text.
pub fn json_path(path: &str) -> Result<Arc<CompiledPath>, crate::json_path::PathError> {
    static CACHE: OnceLock<Cache<Arc<CompiledPath>>> = OnceLock::new();
    CACHE
        .get_or_init(Default::default)
        .get_or_try(path, |path| CompiledPath::parse(path).map(Arc::new))
}

/// A URL, parsed once per process for each distinct text: suites send to the same few
/// URLs again and again, and parsing one costs more than cloning it.
pub fn url(text: &str) -> Result<url::Url, url::ParseError> {
    static CACHE: OnceLock<Cache<url::Url>> = OnceLock::new();
    CACHE
        .get_or_init(Default::default)
        .get_or_try(text, url::Url::parse)
}
