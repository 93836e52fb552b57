//! Reading typed values out of the node tree, collecting every problem as a diagnostic.
//!
//! Each `read_*` returns `None` when it reported an error, so one pass over a file finds
//! every problem in it instead of stopping at the first.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use super::diagnostics::{Diagnostic, suggest};
use super::model::{JsonPath, Text, TextKind, Value};
use super::node::{Node, NodeKind};
use super::source::{SourceFile, Span, Spanned};
use crate::json_path::CompiledPath;
use crate::template;

pub struct Reader<'s> {
    pub source: &'s Arc<SourceFile>,
    pub errors: Vec<Diagnostic>,
}

/// The entries of a mapping whose keys were checked against the known ones.
pub struct Fields<'n> {
    entries: Vec<KeyedEntry<'n>>,
}

/// A mapping's entry: its key as text (borrowed from the document when it is a string).
pub type KeyedEntry<'n> = (Spanned<Cow<'n, str>>, &'n Node);

impl<'n> Fields<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(_, v)| *v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(k, _)| k.span)
    }

    pub fn keys(&self) -> impl Iterator<Item = &Spanned<Cow<'n, str>>> {
        self.entries.iter().map(|(k, _)| k)
    }
}

impl<'s> Reader<'s> {
    pub fn new(source: &'s Arc<SourceFile>) -> Reader<'s> {
        Reader {
            source,
            errors: Vec::new(),
        }
    }

    /// A diagnostic at `span`, its caret as wide as the token written there.
    pub fn diagnostic(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.source, span, message).width(self.token_width(span))
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.errors.push(diagnostic);
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        let d = self.diagnostic(span, message);
        self.report(d);
    }

    /// "expected X, found Y", with a hint when the node looks like an unquoted template.
    pub fn type_error(&mut self, node: &Node, expected: &str) {
        let mut d = self
            .diagnostic(
                node.span,
                format!("expected {expected}, found {}", node.kind.describe()),
            )
            .label(format!("expected {expected}"));
        if looks_like_unquoted_template(node) {
            let fixed = self
                .source
                .line(node.span.line)
                .and_then(quote_unquoted_template)
                .unwrap_or_else(|| "\"{{ name }}\"".into());
            d = d.note(format!(
                "help: a value starting with `{{{{` must be quoted, or YAML reads it as a mapping: \
                 write `{}`",
                fixed.trim()
            ));
        }
        self.report(d);
    }

    /// The width of the token starting at `span`: a quoted string, or a plain word.
    fn token_width(&self, span: Span) -> usize {
        let Some(line) = self.source.line(span.line) else {
            return 1;
        };
        let rest: String = line
            .chars()
            .skip(span.col.saturating_sub(1) as usize)
            .collect();
        let mut chars = rest.chars();
        match chars.next() {
            Some(quote @ ('"' | '\'')) => chars
                .position(|c| c == quote)
                .map_or(rest.chars().count(), |p| p + 2),
            Some('{' | '[') => 1,
            Some(_) => {
                let end = rest
                    .char_indices()
                    .find(|&(i, c)| {
                        matches!(c, ',' | ']' | '}')
                            || (c == ':' && rest[i + 1..].starts_with([' ', '\t']))
                            || (c == ':' && i + 1 == rest.len())
                            || (c == '#' && rest[..i].ends_with(' '))
                    })
                    .map_or(rest.len(), |(i, _)| i);
                rest[..end].trim_end().chars().count().max(1)
            }
            None => 1,
        }
    }

    /// A mapping's entries with string keys, duplicates reported. `fold_case` treats keys
    /// that differ only by case as the same (header names).
    pub fn entries<'n>(
        &mut self,
        node: &'n Node,
        expected: &str,
        fold_case: bool,
    ) -> Option<Vec<(Spanned<String>, &'n Node)>> {
        let entries = self.entries_expecting(node, || expected.to_owned(), fold_case)?;
        Some(
            entries
                .into_iter()
                .map(|(key, node)| (Spanned::new(key.value.into_owned(), key.span), node))
                .collect(),
        )
    }

    /// [`Reader::entries`] with the keys borrowed from the document, for mappings whose keys
    /// are only read, not kept.
    pub fn keyed_entries<'n>(
        &mut self,
        node: &'n Node,
        expected: &str,
    ) -> Option<Vec<KeyedEntry<'n>>> {
        self.entries_expecting(node, || expected.to_owned(), false)
    }

    /// [`Reader::entries`], with the expectation worded only when it is needed.
    fn entries_expecting<'n>(
        &mut self,
        node: &'n Node,
        expected: impl FnOnce() -> String,
        fold_case: bool,
    ) -> Option<Vec<KeyedEntry<'n>>> {
        let NodeKind::Map(pairs) = &node.kind else {
            if !node.is_null() {
                self.type_error(node, &expected());
                return None;
            }
            return Some(Vec::new());
        };
        let mut out: Vec<KeyedEntry<'n>> = Vec::with_capacity(pairs.len());
        // Small mappings (nearly all) look back over the keys kept; large ones hash.
        let mut seen: std::collections::HashMap<String, Span> = std::collections::HashMap::new();
        let small = pairs.len() <= 16;
        for (key, value) in pairs {
            let Some(name) = key.scalar_str().filter(|_| !key.is_null()) else {
                if looks_like_unquoted_template(key) {
                    self.type_error(key, "a key");
                } else {
                    self.error(
                        key.span,
                        format!("a key must be a string, found {}", key.kind.describe()),
                    );
                }
                continue;
            };
            let first = if small {
                out.iter()
                    .find(|(kept, _)| {
                        if fold_case {
                            kept.value.eq_ignore_ascii_case(&name)
                        } else {
                            kept.value == name
                        }
                    })
                    .map(|(kept, _)| kept.span)
            } else {
                let identity = if fold_case {
                    name.to_ascii_lowercase()
                } else {
                    name.clone().into_owned()
                };
                let first = seen.get(&identity).copied();
                seen.entry(identity).or_insert(key.span);
                first
            };
            if let Some(first) = first {
                let d = self
                    .diagnostic(key.span, format!("duplicate key `{name}`"))
                    .label(format!(
                        "already defined at line {}, column {}",
                        first.line, first.col
                    ))
                    .note("a repeated key would silently override the first: keep one");
                self.report(d);
                continue;
            }
            out.push((Spanned::new(name, key.span), value));
        }
        // Bad entries were reported; the good ones are still read, to find more problems.
        Some(out)
    }

    /// A mapping whose keys must be among `known`; unknown keys get a "did you mean" and are
    /// left out, so that the rest of the mapping is still checked.
    pub fn fields<'n>(&mut self, node: &'n Node, what: &str, known: &[&str]) -> Option<Fields<'n>> {
        let mut entries = self.entries_expecting(node, || format!("a mapping ({what})"), false)?;
        entries.retain(|(key, _)| {
            let is_known = known.contains(&key.value.as_ref());
            if !is_known {
                self.unknown_key(key, what, known);
            }
            is_known
        });
        Some(Fields { entries })
    }

    pub fn unknown_key(&mut self, key: &Spanned<impl AsRef<str>>, what: &str, known: &[&str]) {
        let key = Spanned::new(key.value.as_ref(), key.span);
        let mut d = self.diagnostic(key.span, format!("unknown key `{}` in {what}", key.value));
        if let Some(near) = suggest(key.value, known.iter().copied()) {
            d = d.label(format!("did you mean `{near}`?"));
        }
        d = d.note(format!("expected one of: {}", known.join(", ")));
        self.report(d);
    }

    pub fn string(&mut self, node: &Node, expected: &str) -> Option<Spanned<String>> {
        match &node.kind {
            NodeKind::Str(s) => Some(Spanned::new(s.as_str().to_owned(), node.span)),
            _ => {
                self.type_error(node, expected);
                None
            }
        }
    }

    /// A scalar as text: numbers and booleans are taken as their text (`X-Count: 5`).
    pub fn scalar(&mut self, node: &Node, expected: &str) -> Option<Spanned<String>> {
        match &node.kind {
            NodeKind::Seq(_) | NodeKind::Map(_) | NodeKind::Null => {
                self.type_error(node, expected);
                None
            }
            _ => node.scalar_text().map(|s| Spanned::new(s, node.span)),
        }
    }

    pub fn bool(&mut self, node: &Node, expected: &str) -> Option<bool> {
        match node.kind {
            NodeKind::Bool(b) => Some(b),
            _ => {
                self.type_error(node, expected);
                None
            }
        }
    }

    pub fn unsigned(&mut self, node: &Node, expected: &str, max: u64) -> Option<u64> {
        match node.kind {
            NodeKind::Int(i) if (0..=i128::from(max)).contains(&i) => Some(i as u64),
            NodeKind::Int(_) => {
                self.error(
                    node.span,
                    format!("expected {expected}, a whole number from 0 to {max}"),
                );
                None
            }
            _ => {
                self.type_error(node, expected);
                None
            }
        }
    }

    pub fn string_list(&mut self, node: &Node, expected: &str) -> Option<Vec<String>> {
        match &node.kind {
            NodeKind::Seq(items) => items
                .iter()
                .map(|item| self.scalar(item, "a string").map(|s| s.value))
                .collect::<Vec<_>>()
                .into_iter()
                .collect(),
            NodeKind::Str(s) => Some(vec![s.as_str().to_owned()]),
            _ => {
                self.type_error(node, expected);
                None
            }
        }
    }

    /// `500ms`, `2s`, `1m`, or a bare number of seconds.
    pub fn duration(&mut self, node: &Node) -> Option<Duration> {
        let parsed = match &node.kind {
            NodeKind::Int(i) => crate::duration::from_seconds(*i as f64).ok_or_else(|| {
                crate::duration::DurationError::Seconds {
                    number: i.to_string(),
                }
            }),
            NodeKind::Float(f) => crate::duration::from_seconds(*f).ok_or_else(|| {
                crate::duration::DurationError::Seconds {
                    number: f.to_string(),
                }
            }),
            NodeKind::Str(s) => crate::duration::parse(s),
            _ => {
                self.type_error(
                    node,
                    "a duration (like 500ms, 2s, 1m, or a number of seconds)",
                );
                return None;
            }
        };
        parsed
            .map_err(|error| {
                let d = self
                    .diagnostic(node.span, error.to_string())
                    .label("expected a duration like 500ms, 2s, 1m");
                self.report(d);
            })
            .ok()
    }

    /// A string that may be a template; its syntax is checked now.
    pub fn text(&mut self, node: &Node, expected: &str) -> Option<Text> {
        let s = self.scalar(node, expected)?;
        self.text_from(s.value, s.span)
    }

    pub fn text_from(&mut self, source: String, span: Span) -> Option<Text> {
        let kind = template::classify(&source);
        if kind != TextKind::Literal && nesting(&source) > MAX_NESTING {
            let d = self
                .diagnostic(span, "this template is too deeply nested")
                .label(format!("more than {MAX_NESTING} operators in one text"));
            self.report(d);
            return None;
        }
        if let Err(e) = template::free_variables(&source, &kind) {
            let at = self.position_in_scalar(span, &source, e.offset);
            let d = Diagnostic::new(self.source, at, format!("invalid template: {}", e.message))
                .label("here");
            self.report(d);
            return None;
        }
        Some(Text { source, span, kind })
    }

    /// The position of byte `offset` of a scalar's text, which starts at `span`.
    pub fn position_in_scalar(&self, span: Span, text: &str, offset: usize) -> Span {
        // A parser may point into the middle of a character: the position is its start.
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line_offset = before.matches('\n').count() as u32;
        let col_in_line = before.rsplit('\n').next().unwrap_or("").chars().count() as u32;
        if line_offset > 0 {
            // Block scalars start on the line after their indicator.
            return Span::new(span.line + line_offset, col_in_line + 1);
        }
        let quoted = self
            .source
            .line(span.line)
            .and_then(|l| l.chars().nth(span.col.saturating_sub(1) as usize))
            .is_some_and(|c| c == '"' || c == '\'');
        span.advanced(0, col_in_line + u32::from(quoted))
    }

    /// Any YAML value; its strings may be templates.
    pub fn value(&mut self, node: &Node) -> Option<Value> {
        Some(match &node.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Int(_) | NodeKind::Float(_) => match node.to_json() {
                serde_json::Value::Number(n) => Value::Number(n),
                _ => {
                    self.error(node.span, "this number cannot be represented in JSON");
                    return None;
                }
            },
            NodeKind::Str(s) => Value::String(self.text_from(s.as_str().to_owned(), node.span)?),
            NodeKind::Seq(items) => {
                let values: Vec<Option<Value>> = items.iter().map(|i| self.value(i)).collect();
                Value::Array(values.into_iter().collect::<Option<_>>()?)
            }
            NodeKind::Map(_) => {
                let entries = self.entries(node, "a mapping", false)?;
                let values: Vec<Option<(String, Value)>> = entries
                    .into_iter()
                    .map(|(k, v)| self.value(v).map(|v| (k.value, v)))
                    .collect();
                Value::Object(values.into_iter().collect::<Option<_>>()?)
            }
        })
    }

    /// A `JSONPath`, compiled now.
    pub fn json_path(&mut self, source: &str, span: Span) -> Option<JsonPath> {
        // Keyed by the text as written: suites repeat the same paths in every step.
        static AS_WRITTEN: std::sync::OnceLock<crate::cache::Cache<Arc<CompiledPath>>> =
            std::sync::OnceLock::new();
        let known = AS_WRITTEN.get_or_init(Default::default);
        if let Some(compiled) = known.get(source) {
            return Some(JsonPath {
                source: Spanned::new(source.to_owned(), span),
                compiled,
            });
        }
        if nesting(source) > MAX_NESTING {
            let d = self
                .diagnostic(span, "this JSONPath is too deeply nested")
                .label(format!("more than {MAX_NESTING} operators"));
            self.report(d);
            return None;
        }
        match crate::cache::json_path(&bracket_dotted_names(source)) {
            Ok(compiled) => {
                known.insert(source, Arc::clone(&compiled));
                Some(JsonPath {
                    source: Spanned::new(source.to_owned(), span),
                    compiled,
                })
            }
            Err(e) => {
                let at = self.position_in_scalar(span, source, e.position());
                let message = e.to_string();
                let d = Diagnostic::new(self.source, at, format!("invalid JSONPath `{source}`"))
                    .label(message.lines().next().unwrap_or("").to_string())
                    .note("JSONPath (RFC 9535) looks like `$.items[0].id` or `$['odd key']`");
                self.report(d);
                None
            }
        }
    }

    /// A regular expression, compiled now.
    pub fn regex(&mut self, source: &str, span: Span) -> Option<regex::Regex> {
        crate::cache::regex(source)
            .map_err(|e| {
                let message = e.to_string();
                let detail = message.lines().last().unwrap_or("").trim().to_string();
                let d = self
                    .diagnostic(span, format!("invalid regular expression `{source}`"))
                    .label(detail);
                self.report(d);
            })
            .ok()
    }
}

/// `url: {{ x }}/y` → `url: "{{ x }}/y"`, when the line holds an unquoted template value.
pub fn quote_unquoted_template(line: &str) -> Option<String> {
    let at = line
        .find(": {{")
        .map(|i| i + 2)
        .or_else(|| line.find("- {{").map(|i| i + 2))?;
    let (key, value) = line.split_at(at);
    Some(format!(
        "{key}\"{}\"",
        value.trim_end().replace('"', "\\\"")
    ))
}

/// `$.headers.X-Trace` → `$.headers['X-Trace']`. RFC 9535 shorthand names cannot hold `-`,
/// but header names do, and every httpbin echo is keyed by them: the dotted form is what
/// users write (the contract's own example does), so it is read as the bracketed one.
pub fn bracket_dotted_names(path: &str) -> std::borrow::Cow<'_, str> {
    let shorthand_ok = |name: &str| {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || !c.is_ascii())
            && chars.all(|c| c.is_alphanumeric() || c == '_' || !c.is_ascii())
    };
    let mut out = String::with_capacity(path.len() + 8);
    let mut changed = false;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut chars = path.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') if depth > 0 => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, '.')
                if depth == 0 && !matches!(chars.peek(), Some((_, '.' | '[' | '*')) | None) =>
            {
                let start = i + 1;
                let end = path[start..]
                    .find(['.', '['])
                    .map_or(path.len(), |offset| start + offset);
                let name = &path[start..end];
                if !name.is_empty() && !shorthand_ok(name) && !name.contains(char::is_whitespace) {
                    out.push_str(&format!(
                        "['{}']",
                        name.replace('\\', "\\\\").replace('\'', "\\'")
                    ));
                    changed = true;
                    while chars.peek().is_some_and(|(j, _)| *j < end) {
                        chars.next();
                    }
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    if changed {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(path)
    }
}

/// Templates and `JSONPaths` are compiled by recursive parsers: far past anything written by
/// hand, they are refused instead of risking the stack.
const MAX_NESTING: usize = 1000;

/// A bound on how deep a template or `JSONPath` nests: its operators and brackets (in a
/// template, only those inside `{{ … }}` and `{% … %}`).
fn nesting(text: &str) -> usize {
    let operators = |code: &str| {
        code.bytes()
            .filter(|b| matches!(b, b'.' | b'(' | b'[' | b'|' | b'!' | b'-' | b'+' | b'~'))
            .count()
            + code.matches("not ").count()
    };
    if !text.contains("{{") && !text.contains("{%") {
        return operators(text);
    }
    // One pass: count inside tags only, each tag adding a level.
    let bytes = text.as_bytes();
    let (mut total, mut inside, mut i) = (0, false, 0);
    while i + 1 < bytes.len() {
        let pair = (bytes[i], bytes[i + 1]);
        if !inside && matches!(pair, (b'{', b'{' | b'%')) {
            inside = true;
            total += 1;
            i += 2;
            continue;
        }
        if inside && matches!(pair, (b'}' | b'%', b'}')) {
            inside = false;
            i += 2;
            continue;
        }
        if inside
            && matches!(
                bytes[i],
                b'.' | b'(' | b'[' | b'|' | b'!' | b'-' | b'+' | b'~'
            )
        {
            total += 1;
        }
        if inside && bytes[i..].starts_with(b"not ") {
            total += 1;
        }
        i += 1;
    }
    total
}

/// YAML reads `{{ name }}` as a mapping whose only key is a mapping: the user meant a template.
pub fn looks_like_unquoted_template(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Map(entries) => {
            entries.len() == 1 && matches!(entries[0].0.kind, NodeKind::Map(_))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::bracket_dotted_names;

    #[test]
    fn dotted_names_with_dashes_become_bracketed() {
        assert_eq!(
            bracket_dotted_names("$.headers.X-Trace"),
            "$.headers['X-Trace']"
        );
        assert_eq!(bracket_dotted_names("$.a.b-c[0].d"), "$.a['b-c'][0].d");
        assert_eq!(bracket_dotted_names("$.plain.path[*]"), "$.plain.path[*]");
        assert_eq!(bracket_dotted_names("$..id"), "$..id");
        assert_eq!(bracket_dotted_names("$[?@.a-1 > 2]"), "$[?@.a-1 > 2]");
        assert_eq!(bracket_dotted_names("$['x-y'].z"), "$['x-y'].z");
    }
}
