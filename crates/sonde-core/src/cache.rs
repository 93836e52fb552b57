//! Process-wide caches of things compiled from source text: templates, `JSONPaths`, regular
//! expressions, URLs. Every file of a suite usually repeats the same ones, and `run` also reads
//! files on several threads, so the first compile serves every later file.

use std::sync::{Arc, OnceLock, RwLock};

use crate::json_path::CompiledPath;

/// How many distinct sources a cache holds. Past that, values are compiled anew for each
/// use (as without a cache), so that memory stays bounded however many distinct sources a
/// run has.
pub const LIMIT: usize = 16_384;

/// How much source text a cache holds, all its keys together: a compiled value grows with
/// its source, so a few thousand long templates must not fill memory where sixteen thousand
/// URLs take a megabyte.
pub const SOURCE_BYTES: usize = 4 << 20;

/// Compiled values by source text.
pub struct Cache<T> {
    /// foldhash: lookups happen for every step, and the keys come from the suite's own files.
    map: RwLock<Stored<T>>,
    /// How many values it keeps at most.
    limit: usize,
}

struct Stored<T> {
    values: foldhash::HashMap<Box<str>, T>,
    /// The length of every key together.
    source_bytes: usize,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache::with_limit(LIMIT)
    }
}

impl<T> Cache<T> {
    /// A cache of at most `limit` values (and [`SOURCE_BYTES`] of keys).
    pub fn with_limit(limit: usize) -> Self {
        Cache {
            map: RwLock::new(Stored {
                values: foldhash::HashMap::default(),
                source_bytes: 0,
            }),
            limit,
        }
    }

    fn room_in(&self, stored: &Stored<T>, source: &str) -> bool {
        stored.values.len() < self.limit && stored.source_bytes + source.len() <= SOURCE_BYTES
    }
}

impl<T: Clone> Cache<T> {
    pub fn get(&self, source: &str) -> Option<T> {
        // A poisoned lock only means another thread panicked while inserting; the map
        // itself is still consistent.
        let map = self
            .map
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.values.get(source).cloned()
    }

    /// Whether `source` would be kept.
    pub fn has_room_for(&self, source: &str) -> bool {
        self.room_in(
            &self
                .map
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            source,
        )
    }

    pub fn insert(&self, source: &str, value: T) {
        let mut map = self
            .map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.room_in(&map, source) && !map.values.contains_key(source) {
            map.source_bytes += source.len();
            map.values.insert(source.into(), value);
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

/// The largest compiled program of a regular expression the cache keeps: what checks match
/// with takes a few kilobytes; a pattern of a few bytes may take megabytes (`\w{200}`), and
/// thousands of those must not stay for the run.
const CACHED_REGEX_SIZE: usize = 256 << 10;

/// How many regular expressions are kept: each holds its program and matching caches (tens
/// of kilobytes even for a short pattern), and a suite has a few dozen distinct ones.
const CACHED_REGEXES: usize = 1_024;

static REGEXES: OnceLock<Cache<regex::Regex>> = OnceLock::new();

/// A regular expression, compiled once per process for each distinct pattern (compiling
/// costs far more than matching; a `Regex` clone is cheap). A pattern whose program is
/// larger than [`CACHED_REGEX_SIZE`] is compiled for each use instead, within the regex
/// crate's own limits.
pub fn regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    let cache = REGEXES.get_or_init(|| Cache::with_limit(CACHED_REGEXES));
    if let Some(found) = cache.get(pattern) {
        return Ok(found);
    }
    match regex::RegexBuilder::new(pattern)
        .size_limit(CACHED_REGEX_SIZE)
        .build()
    {
        Ok(compiled) => {
            cache.insert(pattern, compiled.clone());
            Ok(compiled)
        }
        Err(regex::Error::CompiledTooBig(_)) => regex::Regex::new(pattern),
        Err(error) => Err(error),
    }
}

/// A `JSONPath` (RFC 9535), compiled once per process for each distinct text.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_stops_keeping_values_at_its_count_or_its_bytes_of_source() {
        let by_count = Cache::default();
        for i in 0..LIMIT + 10 {
            by_count.insert(&i.to_string(), i);
        }
        assert_eq!(by_count.get("0"), Some(0));
        assert_eq!(by_count.get(&(LIMIT - 1).to_string()), Some(LIMIT - 1));
        assert_eq!(by_count.get(&LIMIT.to_string()), None);

        let by_bytes = Cache::default();
        let long = |i: usize| format!("{i}{}", "x".repeat(SOURCE_BYTES / 4 - 1));
        for i in 0..8 {
            by_bytes.insert(&long(i), i);
        }
        assert_eq!(by_bytes.get(&long(3)), Some(3));
        assert_eq!(by_bytes.get(&long(4)), None);
        assert!(!by_bytes.has_room_for("more"));
        // A value not kept is still compiled and returned.
        assert_eq!(by_bytes.get_or_try(&long(5), |_| Ok::<_, ()>(5)), Ok(5));
    }

    #[test]
    fn a_large_regular_expression_is_compiled_but_not_kept() {
        // Megabytes of program from seven bytes of pattern: allowed, not cached.
        assert!(regex("\\w{200}").is_ok());
        assert!(regex("[a-z]{3}-\\d+").is_ok());
        assert!(regex("(a{1000}){1000}").is_err());
        let kept = REGEXES.get().unwrap();
        assert!(kept.get("\\w{200}").is_none());
        assert!(kept.get("[a-z]{3}-\\d+").is_some());
    }
}
