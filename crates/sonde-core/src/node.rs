//! The YAML document as a tree of nodes that each know where they were written.
//!
//! serde-saphyr parses the text; the model is then read from this tree by hand (see
//! `yaml.rs`), which gives every error an exact position, a "did you mean", and lets the
//! either/or fields of the format (`auth: [u, p]` or `auth: {digest: …}`) be told apart
//! without losing spans, as serde's untagged enums would.
//!
//! Reading through serde is slow, so `parse` first tries two cheaper readers that build the
//! same tree: `simple.rs` (a line-based reader for the plain subset scenario files are
//! written in) and `fast.rs` (straight from granit-parser's events). Both give up on
//! anything they do not reproduce exactly, and serde-saphyr then decides; `fast_tests.rs`
//! holds the three to the same trees, positions and errors.

use std::fmt;

use compact_str::CompactString;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::source::Span;

mod fast;
#[cfg(test)]
mod fast_tests;
mod simple;

/// Whether `parse` first tries the direct event reader (see `fast.rs`), which falls back to
/// serde-saphyr for anything it does not reproduce with certainty.
const FAST_PATH: bool = true;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    /// Short strings (most keys and values) are kept inline, without an allocation.
    Str(CompactString),
    Seq(Vec<Node>),
    /// Entries in document order; duplicates are kept so that the reader can report them.
    Map(Vec<(Node, Node)>),
}

impl NodeKind {
    /// How the kind is named in messages ("expected a mapping, found a string").
    pub fn describe(&self) -> &'static str {
        match self {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as the text it stands for (`5` → "5"), for keys and header values.
    /// [`Node::scalar_text`], borrowed when the node is a string.
    pub fn scalar_str(&self) -> Option<std::borrow::Cow<'_, str>> {
        match &self.kind {
            NodeKind::Str(s) => Some(std::borrow::Cow::Borrowed(s.as_str())),
            _ => self.scalar_text().map(std::borrow::Cow::Owned),
        }
    }

    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            NodeKind::Str(s) => Some(s.as_str().to_owned()),
            NodeKind::Int(i) => Some(i.to_string()),
            NodeKind::Float(f) => Some(f.to_string()),
            NodeKind::Bool(b) => Some(b.to_string()),
            NodeKind::Null => Some("null".into()),
            NodeKind::Seq(_) | NodeKind::Map(_) => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// The node as plain JSON, without templates or spans.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Int(i) => i64::try_from(*i)
                .map(Value::from)
                .or_else(|_| u64::try_from(*i).map(Value::from))
                .unwrap_or_else(|_| Value::from(*i as f64)),
            NodeKind::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            NodeKind::Str(s) => Value::String(s.as_str().to_owned()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<NodeKind>::deserialize(deserializer)?;
        let loc = spanned.referenced;
        Ok(Node {
            span: Span::new(
                u32::try_from(loc.line()).unwrap_or(u32::MAX),
                u32::try_from(loc.column()).unwrap_or(u32::MAX),
            ),
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = NodeKind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
        NodeKind::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeKind, E> {
        Ok(NodeKind::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<NodeKind, E> {
        i128::try_from(v)
            .map(NodeKind::Int)
            .or(Ok(NodeKind::Float(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeKind, E> {
        Ok(NodeKind::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v.into()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v.into()))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(String::from_utf8_lossy(v).into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(NodeKind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(NodeKind::Map(entries))
    }
}

/// Why a text could not be read as YAML at all.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// Parses one YAML document. An empty document is `Null`.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if FAST_PATH
        && !text.trim().is_empty()
        && let Some(node) = fast::parse(text)
    {
        return Ok(node);
    }
    parse_with_serde(text)
}

/// Whether a YAML text may hold an alias (`*name`): a cheap look (a `*` in a string counts too,
/// which only keeps the default budget).
fn has_alias(text: &str) -> bool {
    text.bytes().any(|b| b == b'*')
}

/// The most nodes a file may have (100,000 steps take 600,000).
const MAX_NODES: usize = 5_000_000;

/// The reference path: serde-saphyr with a `Spanned<NodeKind>` per node.
fn parse_with_serde(text: &str) -> Result<Node, SyntaxError> {
    let mut options = serde_saphyr::Options::default();
    // Duplicates reach our own reader, which names both places.
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    options.with_snippet = false;
    // YAML 1.2 as users of other tools expect: `yes`, `no`, `on`, `y` stay strings (the
    // "Norway problem"), and so do numbers with leading zeros such as zip codes (`007`).
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    // `!include` and other application tags mean nothing to sonde: dropping them silently
    // would send `other.yaml` as a URL.
    options.reject_unsupported_tags = true;
    // A suite of 100,000 steps in one file is 600,000 nodes and 1.5 million events: above
    // serde-saphyr's defaults (250,000 and 1 million), which stop large files and alias bombs
    // alike. A file with no alias cannot expand: it gets the larger budget. One with aliases
    // keeps the defaults (with 5 million nodes a billion-laughs file took seconds and hundreds
    // of megabytes to be refused).
    if !has_alias(text) {
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = MAX_NODES;
        budget.max_events = 4 * MAX_NODES;
        options.budget = Some(budget);
    }
    if text.trim().is_empty() {
        return Ok(Node {
            span: Span::new(1, 1),
            kind: NodeKind::Null,
        });
    }
    serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|e| {
        let span = e.location().map_or(Span::UNKNOWN, |l| {
            Span::new(
                u32::try_from(l.line()).unwrap_or(u32::MAX),
                u32::try_from(l.column()).unwrap_or(u32::MAX),
            )
        });
        SyntaxError {
            span,
            message: plain_message(&e, text),
        }
    })
}

/// serde-saphyr's message, except where it names its own internals.
fn plain_message(error: &serde_saphyr::Error, text: &str) -> String {
    use serde_saphyr::Error;
    let mut inner = error;
    while let Error::WithSnippet { error, .. } | Error::AliasError { error, .. } = inner {
        inner = error;
    }
    match inner {
        Error::Budget {
            breach:
                serde_saphyr::budget::BudgetBreach::Nodes { .. }
                | serde_saphyr::budget::BudgetBreach::Events { .. },
            ..
        } if !has_alias(text) => format!(
            "this file has more than {MAX_NODES} YAML values (keys, values, lists, mappings): \
             more than sonde reads in one file; split it into several files"
        ),
        Error::Budget { .. } => "the aliases of this document expand to too many nodes (more \
             than sonde reads in one file): an alias repeated inside repeated aliases?"
            .into(),
        Error::RecursiveReferencesRequireWeakTypes { .. } => {
            "this alias refers to the anchor that contains it: the value would be infinite".into()
        }
        Error::UnsupportedTag { tag, .. } => format!(
            "the YAML tag `{tag}` is not supported: sonde reads plain YAML values (remove the tag)"
        ),
        _ => error.without_snippet().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_nested_nodes() {
        let node = parse("a: 1\nb:\n  - x\n  - {c: true}\n").unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!()
        };
        assert_eq!(entries[0].0.span, Span::new(1, 1));
        assert_eq!(entries[0].1.span, Span::new(1, 4));
        let NodeKind::Seq(items) = &entries[1].1.kind else {
            panic!()
        };
        assert_eq!(items[0].span, Span::new(3, 5));
        assert_eq!(items[1].span.line, 4);
        assert_eq!(entries[1].1.kind.describe(), "a list");
    }

    #[test]
    fn keeps_duplicate_keys_for_the_reader() {
        let node = parse("a: 1\na: 2\n").unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!()
        };
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn distinguishes_quoted_numbers() {
        let node = parse("a: \"200\"\nb: 200\nc: 2.5\nd: ~\n").unwrap();
        let json = node.to_json();
        assert_eq!(
            json,
            serde_json::json!({"a": "200", "b": 200, "c": 2.5, "d": null})
        );
    }

    #[test]
    fn reads_yaml_1_2_scalars() {
        let node = parse("a: y\nb: no\nc: 007\nd: True\n").unwrap();
        assert_eq!(
            node.to_json(),
            serde_json::json!({"a": "y", "b": "no", "c": "007", "d": true})
        );
    }

    #[test]
    fn reports_syntax_errors_with_position() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.span.is_known(), "{err:?}");
    }
}
