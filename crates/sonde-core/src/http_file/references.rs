//! References to earlier responses (`{{login.response.body.$.token}}`) as captures.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::jspath;
use super::names::NameTable;
use crate::model::{Capture, CaptureSource, JsonPath};
use crate::source::{Span, Spanned};

/// The requests a file names (`# @name`, or a one-word `###` title), by step index.
#[derive(Debug, Default)]
pub(super) struct RequestTable {
    entries: Vec<(String, usize)>,
}

impl RequestTable {
    /// Adds a name; `false` when it is taken.
    pub(super) fn insert(&mut self, name: &str, step: usize) -> bool {
        if self.get(name).is_some() {
            return false;
        }
        self.entries.push((name.to_owned(), step));
        true
    }

    pub(super) fn get(&self, name: &str) -> Option<usize> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
    }

    pub(super) fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// The captures that references and scripts add to the steps they read from.
#[derive(Debug, Default)]
pub(super) struct Captures {
    /// (step, what is captured) → the variable holding it, so one value is captured once.
    by_source: HashMap<(usize, String), String>,
    taken: HashSet<String>,
    pub by_step: BTreeMap<usize, Vec<Capture>>,
    /// Capture name → the first step that sets it.
    pub producer: HashMap<String, usize>,
}

impl Captures {
    pub(super) fn add(&mut self, step: usize, name: Spanned<String>, source: CaptureSource) {
        self.taken.insert(name.value.clone());
        self.producer.entry(name.value.clone()).or_insert(step);
        self.by_step
            .entry(step)
            .or_default()
            .push(Capture { name, source });
    }

    /// The variable that holds `key` of `step`, made the first time it is asked for.
    pub(super) fn variable_for(
        &mut self,
        step: usize,
        key: String,
        wanted: &str,
        names: &NameTable,
        make: impl FnOnce() -> (Span, CaptureSource),
    ) -> String {
        if let Some(name) = self.by_source.get(&(step, key.clone())) {
            return name.clone();
        }
        let mut name = wanted.to_owned();
        let mut n = 1;
        while self.taken.contains(&name) || names.has_ident(&name) {
            n += 1;
            name = format!("{wanted}_{n}");
        }
        let (span, source) = make();
        self.add(step, Spanned::new(name.clone(), span), source);
        self.by_source.insert((step, key), name.clone());
        name
    }
}

/// Why a reference to another request's response cannot be used.
#[derive(Debug, thiserror::Error)]
pub(super) enum ReferenceError {
    /// `NAME.request.…`.
    #[error("only the response of another request can be used, not its request")]
    NotTheResponse,
    /// `NAME.response.X` with `X` neither the body nor a header.
    #[error("`{0}` is not `body…` or `headers.NAME`")]
    UnknownPart(String),
    #[error("XPath is not supported: sonde reads JSON bodies")]
    XPath,
    /// `body.a.b` accessors that cannot be read.
    #[error("`{0}` is not a JSON path")]
    NotAJsonPath(String),
    #[error("`{path}` is not a valid JSONPath: {source}")]
    InvalidJsonPath {
        path: String,
        #[source]
        source: crate::json_path::PathError,
    },
}

/// What `response.…` points at: a key identifying it, a name suffix, and the capture source.
pub(super) fn reference_source(
    path: &str,
    at: Span,
) -> Result<(String, String, CaptureSource), ReferenceError> {
    let Some(part) = path.strip_prefix("response.") else {
        return Err(ReferenceError::NotTheResponse);
    };
    if part == "body" || part == "body.*" {
        return Ok(("body".into(), "body".into(), CaptureSource::Body));
    }
    if let Some(header) = part
        .strip_prefix("headers.")
        .filter(|h| super::block::is_token(h))
    {
        let key = format!("header:{}", header.to_ascii_lowercase());
        let suffix = format!("headers__{}", sanitize(header));
        return Ok((
            key,
            suffix,
            CaptureSource::Header(Spanned::new(header.to_owned(), at)),
        ));
    }
    let Some(body_path) = part.strip_prefix("body.") else {
        return Err(ReferenceError::UnknownPart(part.to_owned()));
    };
    if body_path.starts_with('/') {
        return Err(ReferenceError::XPath);
    }
    let json_path = if body_path.starts_with('$') {
        body_path.to_owned()
    } else {
        let accessors = jspath::parse_accessors(body_path)
            .ok_or_else(|| ReferenceError::NotAJsonPath(body_path.to_owned()))?;
        jspath::to_json_path(&accessors)
    };
    let compiled =
        crate::cache::json_path(&json_path).map_err(|source| ReferenceError::InvalidJsonPath {
            path: json_path.clone(),
            source,
        })?;
    let source = CaptureSource::Json(JsonPath {
        source: Spanned::new(json_path.clone(), at),
        compiled,
    });
    Ok((
        format!("json:{json_path}"),
        format!("body__{}", sanitize(&json_path[1..])),
        source,
    ))
}

/// Letters and digits kept, every other run of characters made one `_`.
fn sanitize(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_and_suffix(path: &str) -> Result<(String, String), ReferenceError> {
        reference_source(path, Span::new(1, 1)).map(|(key, suffix, _)| (key, suffix))
    }

    #[test]
    fn reads_what_a_reference_points_at() {
        let pair = |path: &str| key_and_suffix(path).unwrap();
        let owned = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            pair("response.body.$.a[0].b"),
            owned("json:$.a[0].b", "body__a_0_b")
        );
        assert_eq!(pair("response.body.a.b"), owned("json:$.a.b", "body__a_b"));
        assert_eq!(pair("response.body.*"), owned("body", "body"));
        assert_eq!(
            pair("response.headers.X-Token"),
            owned("header:x-token", "headers__X_Token")
        );
    }

    #[test]
    fn says_why_a_reference_cannot_be_used() {
        let message = |path: &str| key_and_suffix(path).unwrap_err().to_string();
        assert!(matches!(
            key_and_suffix("response.body.$["),
            Err(ReferenceError::InvalidJsonPath { .. })
        ));
        assert!(message("response.body.$[").starts_with("`$[` is not a valid JSONPath: "));
        assert_eq!(
            message("response.headers.a b"),
            "`headers.a b` is not `body…` or `headers.NAME`"
        );
        assert_eq!(
            message("request.body"),
            "only the response of another request can be used, not its request"
        );
        assert_eq!(
            message("response.body./a"),
            "XPath is not supported: sonde reads JSON bodies"
        );
    }

    #[test]
    fn one_value_is_captured_once() {
        let mut captures = Captures::default();
        let names = NameTable::default();
        let source = || (Span::new(1, 1), CaptureSource::Body);
        let a = captures.variable_for(0, "body".into(), "x__body", &names, source);
        let b = captures.variable_for(0, "body".into(), "x__body", &names, source);
        let c = captures.variable_for(1, "body".into(), "x__body", &names, source);
        assert_eq!(
            (a.as_str(), b.as_str(), c.as_str()),
            ("x__body", "x__body", "x__body_2")
        );
        assert_eq!(captures.by_step[&0].len(), 1);
        assert_eq!(captures.producer["x__body_2"], 1);
    }
}
