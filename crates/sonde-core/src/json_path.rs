//! `JSONPath` queries (RFC 9535), compiled once per distinct text.
//!
//! Most checks and captures ask a body for one value at a path of names and indexes
//! (`$.items[0].id`). Such a *singular* path can be answered while the body is parsed, by
//! skipping what lies off the path, without building the whole document: on a small JSON
//! response, building the tree cost more than everything else the check did. Any other path,
//! and any body that is not plainly JSON, goes through the parsed document as before, so the
//! answers and the error messages are the same either way.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value as J;

/// A compiled query, and its singular form when it has one.
#[derive(Debug)]
pub struct CompiledPath {
    query: serde_json_path::JsonPath,
    singular: Option<Vec<Segment>>,
}

#[derive(Debug, PartialEq)]
enum Segment {
    Name(String),
    Index(usize),
}

impl CompiledPath {
    pub fn parse(text: &str) -> Result<CompiledPath, PathError> {
        let (brackets, all) = nesting(text);
        if brackets > MAX_BRACKET_DEPTH || all > MAX_NESTING {
            return Err(PathError::TooDeep);
        }
        // serde_json_path 0.7 panics ("we do not use streaming parsers") on some texts that
        // end too early, inside an escape (found by the `json_pick` fuzz target).
        let query = crate::panics::quietly(|| serde_json_path::JsonPath::parse(text))
            .ok_or(PathError::EndsTooEarly(text.chars().count()))??;
        Ok(CompiledPath {
            query,
            singular: singular(text),
        })
    }

    pub fn query<'b>(&self, document: &'b J) -> serde_json_path::NodeList<'b> {
        self.query.query(document)
    }
}

/// How deeply brackets may nest (`$[?@[?@[?…]]]`). `serde_json_path`'s parser takes time
/// exponential in it (twice as long per level: 1.5 s at 20 levels, found by the `json_pick`
/// fuzz target); real paths nest two or three.
pub const MAX_BRACKET_DEPTH: usize = 10;

/// How deeply brackets and parentheses together may nest: the parser recurses for each
/// level, and a path of thousands overflows the stack (also found by `json_pick`).
pub const MAX_NESTING: usize = 64;

/// Why a `JSONPath` cannot be used.
#[derive(Debug)]
pub enum PathError {
    Syntax(serde_json_path::ParseError),
    TooDeep,
    /// The parser gave up where the text ends (at this character).
    EndsTooEarly(usize),
}

impl PathError {
    /// Where in the text the problem is, in characters.
    pub fn position(&self) -> usize {
        match self {
            PathError::Syntax(e) => e.position(),
            PathError::TooDeep => 0,
            PathError::EndsTooEarly(at) => *at,
        }
    }
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            PathError::Syntax(e) => e.fmt(f),
            PathError::EndsTooEarly(_) => {
                f.write_str("the path ends too early (inside an escape?)")
            }
            PathError::TooDeep => write!(
                f,
                "nested too deeply (at most {MAX_BRACKET_DEPTH} brackets, {MAX_NESTING} brackets and parentheses): split the query into simpler ones"
            ),
        }
    }
}

impl std::error::Error for PathError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PathError::Syntax(e) => Some(e),
            PathError::TooDeep | PathError::EndsTooEarly(_) => None,
        }
    }
}

impl From<serde_json_path::ParseError> for PathError {
    fn from(e: serde_json_path::ParseError) -> Self {
        PathError::Syntax(e)
    }
}

/// The deepest nesting outside quoted names: of `[` alone, and of `[` and `(` together.
fn nesting(text: &str) -> (usize, usize) {
    let (mut brackets, mut all) = (0usize, 0usize);
    let (mut deepest_brackets, mut deepest) = (0usize, 0usize);
    let mut open: Vec<char> = Vec::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '(') => {
                open.push(c);
                all += 1;
                brackets += usize::from(c == '[');
                deepest = deepest.max(all);
                deepest_brackets = deepest_brackets.max(brackets);
            }
            (None, ']' | ')') => {
                if let Some(opened) = open.pop() {
                    all -= 1;
                    brackets -= usize::from(opened == '[');
                }
            }
            _ => {}
        }
    }
    (deepest_brackets, deepest)
}

/// `$` followed by `.name`, `['name']`, `["name"]` or `[index]` only; `None` for anything else
/// (wildcards, slices, filters, negative indexes, escapes), which the full query handles.
fn singular(text: &str) -> Option<Vec<Segment>> {
    let mut rest = text.strip_prefix('$')?;
    let mut segments = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..end];
            if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                return None;
            }
            segments.push(Segment::Name(name.to_owned()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']')?;
            let inside = &after[..close];
            segments.push(bracketed(inside)?);
            rest = &after[close + 1..];
        } else {
            return None;
        }
    }
    Some(segments)
}

fn bracketed(inside: &str) -> Option<Segment> {
    let quote = inside.chars().next()?;
    if quote == '\'' || quote == '"' {
        let name = inside.strip_prefix(quote)?.strip_suffix(quote)?;
        if name.contains(['\\', quote]) {
            return None;
        }
        return Some(Segment::Name(name.to_owned()));
    }
    let canonical = inside == "0" || (!inside.starts_with('0') && !inside.is_empty());
    if canonical && inside.bytes().all(|b| b.is_ascii_digit()) {
        return inside.parse().ok().map(Segment::Index);
    }
    None
}

/// The value at each of `paths` in `body` (`None` where a path finds nothing), read in one
/// pass that still checks the whole body is JSON (see `Skip`). `None` when a path is not
/// singular or the body is not JSON: the caller then parses the document, which says what is wrong.
pub fn pick(body: &[u8], paths: &[&CompiledPath]) -> Option<Vec<Option<J>>> {
    // One check of the whole body is cheaper than the parser's check of each string in it.
    pick_in_text(std::str::from_utf8(body).ok()?, paths)
}

/// [`pick`] on a body already known to be text.
pub fn pick_in_text(text: &str, paths: &[&CompiledPath]) -> Option<Vec<Option<J>>> {
    let segments: Vec<&[Segment]> = paths
        .iter()
        .map(|p| p.singular.as_deref())
        .collect::<Option<_>>()?;
    let mut found = vec![None; paths.len()];
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let seed = Pick {
        paths: &segments,
        active: (0..paths.len()).collect(),
        depth: 0,
        found: &mut found,
    };
    seed.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(found)
}

/// Reads one value, keeping what lies on the `active` paths, `depth` segments down.
struct Pick<'a> {
    paths: &'a [&'a [Segment]],
    active: Vec<usize>,
    depth: usize,
    found: &'a mut [Option<J>],
}

impl Pick<'_> {
    fn matching(&self, wanted: impl Fn(&Segment) -> bool) -> Vec<usize> {
        self.active
            .iter()
            .copied()
            .filter(|&p| wanted(&self.paths[p][self.depth]))
            .collect()
    }

    fn below(&mut self, active: Vec<usize>) -> Pick<'_> {
        Pick {
            paths: self.paths,
            active,
            depth: self.depth + 1,
            found: &mut *self.found,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Pick<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // A repeated key replaces the earlier value in the parsed document; so here.
        for &p in &self.active {
            self.found[p] = None;
        }
        if self
            .active
            .iter()
            .any(|&p| self.paths[p].len() == self.depth)
        {
            let value = <J as serde::Deserialize>::deserialize(deserializer)?;
            for &p in &self.active {
                self.found[p] = walk(&value, &self.paths[p][self.depth..]).cloned();
            }
            return Ok(());
        }
        deserializer.deserialize_any(self)
    }
}

fn walk<'v>(mut value: &'v J, segments: &[Segment]) -> Option<&'v J> {
    for segment in segments {
        value = match (segment, value) {
            (Segment::Name(name), J::Object(map)) => map.get(name)?,
            (Segment::Index(i), J::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

impl<'de> Visitor<'de> for Pick<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key>()? {
            let wanted = self.matching(|s| matches!(s, Segment::Name(n) if *n == *key.0));
            if wanted.is_empty() {
                map.next_value::<Skip>()?;
            } else {
                map.next_value_seed(self.below(wanted))?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        for index in 0.. {
            let wanted = self.matching(|s| *s == Segment::Index(index));
            let more = if wanted.is_empty() {
                seq.next_element::<Skip>()?.is_some()
            } else {
                seq.next_element_seed(self.below(wanted))?.is_some()
            };
            if !more {
                break;
            }
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A value read and dropped, as strictly as building it would be (numbers in range, valid
/// strings, the same nesting limit) so that a body is JSON for `pick` exactly when it is for
/// the parser; serde's `IgnoredAny` skips numbers without reading them.
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Skip, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
}

/// An object key, borrowed from the body when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(v.to_owned().into()))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(text: &str) -> CompiledPath {
        CompiledPath::parse(text).unwrap()
    }

    /// What the full query finds, in the shape `pick` gives: one node or none.
    fn queried(body: &str, path: &CompiledPath) -> Option<J> {
        let document: J = serde_json::from_str(body).ok()?;
        let nodes = path.query(&document).all();
        assert!(nodes.len() <= 1, "a singular path found several nodes");
        nodes.first().map(|v| (*v).clone())
    }

    #[test]
    fn deep_nesting_is_refused_before_the_parser_sees_it() {
        let deep = format!("$[?{}@{}]", "@[?".repeat(20), "]".repeat(20));
        assert!(matches!(
            CompiledPath::parse(&deep),
            Err(PathError::TooDeep)
        ));
        assert!(CompiledPath::parse("$[?@.a[?@.b[?@.c == 1]]]").is_ok());
        assert!(
            CompiledPath::parse("$['[[[[[[[[[[[[[[[[[[[[[[']").is_ok(),
            "quoted brackets"
        );
        let parentheses = format!("$[?{}@.a{}]", "(".repeat(5000), ")".repeat(5000));
        assert!(matches!(
            CompiledPath::parse(&parentheses),
            Err(PathError::TooDeep)
        ));
        let many = format!("$[?{}@.a == 1{}]", "(".repeat(60), ")".repeat(60));
        assert!(CompiledPath::parse(&many).is_ok());
    }

    #[test]
    fn a_path_ending_inside_a_unicode_escape_is_an_error_not_a_panic() {
        for text in [
            "$[\"\\u",
            "$['\\u",
            "$[?@.a==\"\\u",
            "$[\"\\uD800\\u",
            "$[?$[?$[?$[?$['* q\\uD",
        ] {
            assert!(CompiledPath::parse(text).is_err(), "{text}");
        }
        assert!(
            CompiledPath::parse("$[\"\\\\u\"]").is_ok(),
            "an escaped backslash, then u"
        );
    }

    #[test]
    fn singular_paths_are_recognised_and_others_are_not() {
        for yes in [
            "$",
            "$.a",
            "$.a.b_c[0]",
            "$['a b']",
            "$[\"x\"][12]",
            "$._x1",
        ] {
            assert!(singular(yes).is_some(), "{yes}");
        }
        for no in [
            "$.*",
            "$..a",
            "$[-1]",
            "$[0:2]",
            "$[?@.a]",
            "$['a\\'b']",
            "$[01]",
            "$.é",
            "$[ 0 ]",
            "$['a','b']",
        ] {
            assert!(singular(no).is_none(), "{no}");
        }
    }

    #[test]
    fn picking_agrees_with_the_full_query() {
        let bodies = [
            r#"{"a":{"b":[10,{"c":"x"},null]},"d":true,"e":"\u00e9","a b":1}"#,
            r#"{"a":{"b":1},"a":{"c":2}}"#,
            r#"{"a":1,"a":{"b":[1,2]}}"#,
            r#"[{"a":1},[2,3],"s"]"#,
            r#"{"k\"q":1,"esc\u0041":{"x":[[]]}}"#,
            "3",
            "null",
        ];
        let paths = [
            "$",
            "$.a",
            "$.a.b",
            "$.a.b[1].c",
            "$.a.b[2]",
            "$.a.b[9]",
            "$.d",
            "$.e",
            "$['a b']",
            "$[0].a",
            "$[1][1]",
            "$[2]",
            "$['escA'].x[0]",
            "$.a.c",
            "$.a.b[0].c",
            "$[0][0]",
        ];
        for body in bodies {
            let compiled: Vec<CompiledPath> = paths.iter().map(|p| compiled(p)).collect();
            let refs: Vec<&CompiledPath> = compiled.iter().collect();
            // Alone, and all at once (where `$` makes the whole document be built).
            for path in &compiled {
                let got = pick(body.as_bytes(), &[path]).unwrap().pop().unwrap();
                assert_eq!(got, queried(body, path), "{body} at {path:?}");
            }
            let picked = pick(body.as_bytes(), &refs).unwrap();
            for (path, got) in compiled.iter().zip(picked) {
                assert_eq!(got, queried(body, path), "{body} at {path:?}, all at once");
            }
        }
    }

    #[test]
    fn bodies_that_are_not_plain_json_are_left_to_the_parser() {
        let path = compiled("$.a");
        // Off the path too: a number out of range, a bad escape, nesting past serde_json's
        // limit (the fuzz target `json_pick` found the first).
        let deep = format!("{{\"a\":1,\"b\":{}{}}}", "[".repeat(200), "]".repeat(200));
        for body in [
            &b"{\"a\":1"[..],
            b"{\"a\":1} x",
            b"",
            b"{\"b\":\"\xff\"}",
            b"nope",
            b"{\"a\":1,\"b\":[5E66666666266]}",
            b"{\"a\":1,\"b\":\"\\q\"}",
            deep.as_bytes(),
        ] {
            assert!(serde_json::from_slice::<J>(body).is_err(), "{body:?}");
            assert!(pick(body, &[&path]).is_none(), "{body:?}");
        }
        let wildcard = compiled("$.*");
        assert!(pick(b"{\"a\":1}", &[&path, &wildcard]).is_none());
    }
}
