//! `{{…}}` of `.http` files into minijinja, the template language of sonde.
//!
//! `{{name}}` is already minijinja; what differs is translated here: names that are not
//! identifiers (see `names`), system variables (`{{$guid}}` → `{{ uuid() }}`), references to
//! earlier responses (`{{login.response.body.$.token}}` → a capture on `login`), and the
//! `{%` / `{#` that minijinja would read as its own syntax but a `.http` file means literally.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::env::DotEnv;
use super::jspath;
use super::names::{NameTable, identifier_for, is_plain_identifier};
use crate::scenario::diagnostics::{Diagnostic, suggest};
use crate::scenario::model::{Capture, CaptureSource, JsonPath, Text, Value};
use crate::scenario::source::{SourceFile, Span, Spanned};
use crate::template;

/// Where a text is used, for the check that a response reference points backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// In the request or assertions of step `n`.
    Step(usize),
    /// In a file variable: checked where the variable is used.
    Variable,
}

/// The requests a file names (`# @name`, or a one-word `###` title), by step index.
#[derive(Debug, Default)]
pub struct RequestTable {
    entries: Vec<(String, usize)>,
}

impl RequestTable {
    /// Adds a name; `false` when it is taken.
    pub fn insert(&mut self, name: &str, step: usize) -> bool {
        if self.get(name).is_some() {
            return false;
        }
        self.entries.push((name.to_owned(), step));
        true
    }

    pub fn get(&self, name: &str) -> Option<usize> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, s)| *s)
    }

    fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// The captures that references and scripts add to the steps they read from.
#[derive(Debug, Default)]
pub struct Captures {
    /// (step, what is captured) → the variable holding it, so one value is captured once.
    by_source: HashMap<(usize, String), String>,
    taken: HashSet<String>,
    pub by_step: BTreeMap<usize, Vec<Capture>>,
    /// Capture name → the first step that sets it.
    pub producer: HashMap<String, usize>,
}

impl Captures {
    pub fn add(&mut self, step: usize, name: Spanned<String>, source: CaptureSource) {
        self.taken.insert(name.value.clone());
        self.producer.entry(name.value.clone()).or_insert(step);
        self.by_step.entry(step).or_default().push(Capture { name, source });
    }

    /// The variable that holds `key` of `step`, made the first time it is asked for.
    fn variable_for(
        &mut self,
        step: usize,
        key: String,
        wanted: String,
        names: &NameTable,
        make: impl FnOnce() -> (Span, CaptureSource),
    ) -> String {
        if let Some(name) = self.by_source.get(&(step, key.clone())) {
            return name.clone();
        }
        let mut name = wanted.clone();
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

pub struct Translator<'a> {
    pub source: &'a Arc<SourceFile>,
    pub names: &'a NameTable,
    pub requests: &'a RequestTable,
    pub captures: Captures,
    dotenv: DotEnv,
    /// `dotenv__NAME` variables made for `{{$dotenv NAME}}`, with their values.
    pub dotenv_vars: Vec<(String, String)>,
    pub errors: Vec<Diagnostic>,
}

impl<'a> Translator<'a> {
    pub fn new(source: &'a Arc<SourceFile>, names: &'a NameTable, requests: &'a RequestTable) -> Self {
        Translator {
            source,
            names,
            requests,
            captures: Captures::default(),
            dotenv: DotEnv::default(),
            dotenv_vars: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.source, span, message)
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.errors.push(diagnostic);
    }

    /// A text made of `pieces` (each one line, spanned where it starts) joined by `joiner`.
    pub fn text(&mut self, pieces: &[Spanned<String>], joiner: &str, span: Span, scope: Scope) -> Option<Text> {
        let translated: Vec<Option<String>> = pieces.iter().map(|p| self.line(&p.value, p.span, scope)).collect();
        let translated: Vec<String> = translated.into_iter().collect::<Option<_>>()?;
        self.finish(translated.join(joiner), span)
    }

    /// One line of `.http` text as a model text.
    pub fn text_line(&mut self, line: &str, span: Span, scope: Scope) -> Option<Text> {
        let translated = self.line(line, span, scope)?;
        self.finish(translated, span)
    }

    /// A model text from translated template source; its syntax is checked now.
    pub fn finish(&mut self, source: String, span: Span) -> Option<Text> {
        let kind = template::classify(&source);
        if let Err(e) = template::free_variables(&source, &kind) {
            let d = self.error(span, format!("invalid template: {}", e.message)).label("in this text");
            self.report(d);
            return None;
        }
        Some(Text { source, span, kind })
    }

    /// Translates one line; `None` when it had an error (reported).
    pub fn line(&mut self, text: &str, span: Span, scope: Scope) -> Option<String> {
        let mut out = String::with_capacity(text.len() + 8);
        let mut ok = true;
        let mut offset = 0;
        while let Some(open) = text[offset..].find("{{").map(|i| offset + i) {
            out.push_str(&escape_literal(&text[offset..open], true));
            let at = span_at(span, text, open);
            let Some(close) = text[open + 2..].find("}}").map(|i| open + 2 + i) else {
                let d = self
                    .error(at, "unterminated `{{`: expected `}}` on the same line")
                    .width(2)
                    .label("opened here");
                self.report(d);
                return None;
            };
            match self.expression(&text[open + 2..close], at, scope) {
                Some(expr) => out.push_str(&format!("{{{{ {expr} }}}}")),
                None => ok = false,
            }
            offset = close + 2;
        }
        out.push_str(&escape_literal(&text[offset..], false));
        ok.then_some(out)
    }

    /// The minijinja expression for the inside of one `{{…}}` written at `at`.
    fn expression(&mut self, inner: &str, at: Span, scope: Scope) -> Option<String> {
        let trimmed = inner.trim();
        let expr = if trimmed.is_empty() {
            let d = self.error(at, "empty `{{}}`: expected a variable name").width(4);
            self.report(d);
            return None;
        } else if let Some(system) = trimmed.strip_prefix('$') {
            self.system_variable(system, at)?
        } else if let Some(ident) = self.names.get(trimmed) {
            ident.to_owned()
        } else if let Some(reference) = self.response_reference(trimmed, at, scope) {
            reference?
        } else {
            self.rewrite_names(trimmed)
        };
        if let Err(e) = template::environment().compile_expression(&expr) {
            let message = e.detail().map(str::to_owned).unwrap_or_else(|| e.kind().to_string());
            let d = self
                .error(at, format!("invalid template `{{{{{inner}}}}}`: {message}"))
                .width(inner.chars().count() + 4);
            self.report(d);
            return None;
        }
        Some(expr)
    }

    /// Known variable names that are not identifiers, rewritten inside an expression.
    fn rewrite_names(&self, expr: &str) -> String {
        let is_name_char = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
        let mut out = String::with_capacity(expr.len());
        let mut rest = expr;
        while let Some(c) = rest.chars().next() {
            if c == '"' || c == '\'' {
                let end = rest[1..].find(c).map_or(rest.len(), |i| i + 2);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            } else if is_name_char(c) {
                let end = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
                let word = &rest[..end];
                out.push_str(self.head_rewritten(word).as_deref().unwrap_or(word));
                rest = &rest[end..];
            } else {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    /// `name.rest` where `name` is a known variable whose identifier differs.
    fn head_rewritten(&self, word: &str) -> Option<String> {
        if let Some(ident) = self.names.get(word) {
            return Some(ident.to_owned());
        }
        let (head, rest) = word.split_at(word.find(['.', '['])?);
        self.names.get(head).map(|ident| format!("{ident}{rest}"))
    }

    /// `{{name.response.…}}`: `None` when `text` is not a reference, `Some(None)` on an error.
    fn response_reference(&mut self, text: &str, at: Span, scope: Scope) -> Option<Option<String>> {
        let (head, path) = text.split_once('.')?;
        let is_reference_path = path == "response" || path.starts_with("response.") || path.starts_with("request.");
        let Some(step) = self.requests.get(head) else {
            let unknown = is_reference_path && !head.contains(char::is_whitespace) && self.names.get(head).is_none();
            return unknown.then(|| {
                self.unknown_request(head, text, at);
                None
            });
        };
        if !is_reference_path {
            return None;
        }
        Some(self.capture_reference(head, step, path, text, at, scope))
    }

    fn unknown_request(&mut self, head: &str, text: &str, at: Span) {
        let known = self.requests.names();
        let mut d = self
            .error(at, format!("`{{{{{text}}}}}` refers to an unknown request `{head}`"))
            .width(text.chars().count() + 4);
        if let Some(near) = suggest(head, known.iter().copied()) {
            d = d.label(format!("did you mean `{near}`?"));
        }
        d = d.note(if known.is_empty() {
            "no request of this file has a name: add `# @name NAME` above the request line".to_string()
        } else {
            format!("named requests: {}", known.join(", "))
        });
        self.report(d);
    }

    /// The variable of a capture on `step` holding what `path` (after `name.`) points at.
    fn capture_reference(
        &mut self,
        head: &str,
        step: usize,
        path: &str,
        text: &str,
        at: Span,
        scope: Scope,
    ) -> Option<String> {
        let width = text.chars().count() + 4;
        if let Scope::Step(current) = scope
            && step >= current
        {
            let when = if step == current { "is this request itself" } else { "is sent after this one" };
            let d = self
                .error(at, format!("`{{{{{text}}}}}` uses the response of `{head}`, which {when}"))
                .width(width)
                .note("a request can only use the responses of the requests above it");
            self.report(d);
            return None;
        }
        let (key, suffix, source) = match self.reference_source(path, at) {
            Ok(found) => found,
            Err(message) => {
                let d = self.error(at, format!("cannot use `{{{{{text}}}}}`: {message}")).width(width).note(
                    "sonde reads `NAME.response.body.$.json.path`, `NAME.response.body.a.b`, \
                     `NAME.response.body.*` and `NAME.response.headers.Header-Name`",
                );
                self.report(d);
                return None;
            }
        };
        let wanted = format!("{}__{suffix}", identifier_for(head).trim_end_matches('_'));
        Some(self.captures.variable_for(step, key, wanted, self.names, || (at, source)))
    }

    /// What `response.…` points at: a key identifying it, a name suffix, and the capture source.
    fn reference_source(&self, path: &str, at: Span) -> Result<(String, String, CaptureSource), String> {
        let Some(part) = path.strip_prefix("response.") else {
            return Err("only the response of another request can be used, not its request".into());
        };
        if part == "body" || part == "body.*" {
            return Ok(("body".into(), "body".into(), CaptureSource::Body));
        }
        if let Some(header) = part.strip_prefix("headers.").filter(|h| super::block::is_token(h)) {
            let key = format!("header:{}", header.to_ascii_lowercase());
            let suffix = format!("headers__{}", sanitize(header));
            return Ok((key, suffix, CaptureSource::Header(Spanned::new(header.to_owned(), at))));
        }
        let Some(body_path) = part.strip_prefix("body.") else {
            return Err(format!("`{part}` is not `body…` or `headers.NAME`"));
        };
        if body_path.starts_with('/') {
            return Err("XPath is not supported: sonde reads JSON bodies".into());
        }
        let json_path = if body_path.starts_with('$') {
            body_path.to_owned()
        } else {
            let accessors = jspath::parse_accessors(body_path).ok_or_else(|| format!("`{body_path}` is not a JSON path"))?;
            jspath::to_json_path(&accessors)
        };
        let compiled = serde_json_path::JsonPath::parse(&json_path)
            .map_err(|e| format!("`{json_path}` is not a valid JSONPath: {e}"))?;
        let source = CaptureSource::Json(JsonPath {
            source: Spanned::new(json_path.clone(), at),
            compiled,
        });
        Ok((format!("json:{json_path}"), format!("body__{}", sanitize(&json_path[1..])), source))
    }

    /// The expression for `{{$…}}` (`text` is what follows the `$`).
    fn system_variable(&mut self, text: &str, at: Span) -> Option<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let result = match words.as_slice() {
            ["guid" | "uuid" | "random.uuid"] => Ok("uuid()".to_owned()),
            ["timestamp", offset @ ..] => timestamp(offset),
            ["isoTimestamp"] | ["datetime", "iso8601"] => Ok("now()".to_owned()),
            ["datetime", ..] | ["localDatetime", ..] => Err(
                "only `{{$datetime iso8601}}` (without an offset) is supported: it becomes `now()`".to_owned(),
            ),
            ["randomInt", bounds @ ..] => random_int(bounds),
            ["processEnv", name] => self.process_env(name),
            ["dotenv", name] => return self.dotenv(name, at),
            [name] if name.starts_with("env.") => Ok(env_lookup(&name[4..])),
            _ if text.starts_with("random.integer") => random_integer_call(&text["random.integer".len()..]),
            _ => Err(format!("unknown system variable `${text}`")),
        };
        result
            .map_err(|message| {
                let d = self.error(at, message).width(text.chars().count() + 5).note(
                    "sonde knows $guid, $uuid, $random.uuid, $timestamp [offset unit], $isoTimestamp, \
                     $datetime iso8601, $randomInt [min max], $random.integer(min, max), \
                     $processEnv NAME, $env.NAME, $dotenv NAME",
                );
                self.report(d);
            })
            .ok()
    }

    /// `$processEnv NAME`, or `$processEnv %var` (the name is the value of variable `var`).
    fn process_env(&self, name: &str) -> Result<String, String> {
        let Some(variable) = name.strip_prefix('%') else {
            return Ok(env_lookup(name));
        };
        match self.names.get(variable) {
            Some(ident) => Ok(format!("env[{ident}]")),
            None => Err(format!("`$processEnv %{variable}`: `{variable}` is not a variable of this file")),
        }
    }

    /// `$dotenv NAME`: the value from `.env` beside the file, held in a `dotenv__NAME` variable.
    fn dotenv(&mut self, name: &str, at: Span) -> Option<String> {
        let ident = format!("dotenv__{}", identifier_for(name).trim_start_matches('_'));
        if self.dotenv_vars.iter().any(|(i, _)| *i == ident) {
            return Some(ident);
        }
        let width = name.chars().count() + 12;
        let lookup = match self.dotenv.load(self.source.dir()) {
            DotEnv::Loaded { entries, path } => match entries.iter().find(|(k, _)| k == name) {
                Some((_, value)) => Ok(value.clone()),
                None => {
                    let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
                    let defined = if keys.is_empty() { "nothing".to_string() } else { keys.join(", ") };
                    Err((format!("`{name}` is not defined in {}", path.display()), format!("it defines: {defined}")))
                }
            },
            DotEnv::Missing(path) => Err((
                format!("`{{{{$dotenv {name}}}}}`: there is no {}", path.display()),
                "it needs a .env file beside the .http file".to_string(),
            )),
            DotEnv::NotRead => Err(("the .env file could not be read".to_string(), String::new())),
        };
        match lookup {
            Ok(value) => {
                self.dotenv_vars.push((ident.clone(), value));
                Some(ident)
            }
            Err((message, note)) => {
                let d = self.error(at, message).width(width).note(note);
                self.report(d);
                None
            }
        }
    }

    /// A string of an outside file (environment, `.env`) kept literally, even with `{{` in it.
    pub fn literal(text: &str, span: Span) -> Text {
        let source = literal_template(text);
        let kind = template::classify(&source);
        Text { source, span, kind }
    }

    /// A JSON value as a model value; strings are `.http` text, translated, when `templated`.
    pub fn json_value(&mut self, json: serde_json::Value, span: Span, scope: Scope, templated: bool) -> Option<Value> {
        Some(match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) if templated => Value::String(self.text_line(&s, span, scope)?),
            serde_json::Value::String(s) => Value::String(Self::literal(&s, span)),
            serde_json::Value::Array(items) => {
                let items: Vec<Option<Value>> = items.into_iter().map(|v| self.json_value(v, span, scope, templated)).collect();
                Value::Array(items.into_iter().collect::<Option<_>>()?)
            }
            serde_json::Value::Object(entries) => {
                let entries: Vec<Option<(String, Value)>> = entries
                    .into_iter()
                    .map(|(k, v)| self.json_value(v, span, scope, templated).map(|v| (k, v)))
                    .collect();
                Value::Object(entries.into_iter().collect::<Option<_>>()?)
            }
        })
    }
}

/// `text` with what minijinja would read as its own syntax made literal: `{%`, `{#`, and a
/// `{` right before an expression (`{{{x}}` would otherwise open at the first brace).
fn escape_literal(text: &str, before_expression: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let opens_syntax = matches!(next, Some('%' | '#')) || (next.is_none() && before_expression);
        if c == '{' && opens_syntax {
            out.push_str("{{ \"{\" }}");
        } else {
            out.push(c);
        }
    }
    out
}

/// A template that renders `text` as it is.
pub fn literal_template(text: &str) -> String {
    if text.contains("{{") || text.contains("{%") || text.contains("{#") {
        let quoted = serde_json::to_string(text).unwrap_or_default();
        format!("{{{{ {quoted} }}}}")
    } else {
        text.to_owned()
    }
}

/// The span of byte `offset` of a one-line `text` that starts at `span`.
pub fn span_at(span: Span, text: &str, offset: usize) -> Span {
    let before = text.get(..offset).unwrap_or(text);
    span.advanced(0, super::lines::count_chars(before))
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

fn env_lookup(name: &str) -> String {
    if is_plain_identifier(name) {
        format!("env.{name}")
    } else {
        format!("env[{}]", serde_json::to_string(name).unwrap_or_default())
    }
}

/// `$timestamp`, or `$timestamp -1 d` (REST Client offsets; calendar units cannot be added).
fn timestamp(offset: &[&str]) -> Result<String, String> {
    let (amount, unit) = match offset {
        [] => return Ok("timestamp()".to_owned()),
        [amount, unit] => (amount, *unit),
        _ => return Err("expected `{{$timestamp}}` or `{{$timestamp OFFSET UNIT}}` like `-1 d`".to_owned()),
    };
    let amount: i64 = amount.parse().map_err(|_| format!("`{amount}` is not a whole number"))?;
    let seconds = match unit {
        "ms" => amount.div_euclid(1000),
        "s" => amount,
        "m" => amount.saturating_mul(60),
        "h" => amount.saturating_mul(3600),
        "d" => amount.saturating_mul(86_400),
        "w" => amount.saturating_mul(604_800),
        "y" | "Q" | "M" => return Err(format!("a `{unit}` offset is not supported: use w, d, h, m, s or ms")),
        other => return Err(format!("`{other}` is not a time unit: use w, d, h, m, s or ms")),
    };
    Ok(match seconds {
        0 => "timestamp()".to_owned(),
        s if s < 0 => format!("(timestamp() - {})", s.unsigned_abs()),
        s => format!("(timestamp() + {s})"),
    })
}

/// `$randomInt min max`: REST Client excludes `max`, sonde's `random_int` includes both bounds.
/// Without bounds (JetBrains), a number from 0 to 1000.
fn random_int(bounds: &[&str]) -> Result<String, String> {
    match bounds {
        [] => Ok("random_int(0, 1000)".to_owned()),
        [low, high] => exclusive_range(low, high),
        _ => Err("expected `{{$randomInt MIN MAX}}`".to_owned()),
    }
}

/// `$random.integer(from, to)` (JetBrains; `to` excluded).
fn random_integer_call(args: &str) -> Result<String, String> {
    let inner = args
        .trim()
        .strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .ok_or("expected `{{$random.integer(FROM, TO)}}`")?;
    if inner.trim().is_empty() {
        return Ok("random_int(0, 1000)".to_owned());
    }
    match inner.split(',').map(str::trim).collect::<Vec<_>>().as_slice() {
        [low, high] => exclusive_range(low, high),
        _ => Err("expected `{{$random.integer(FROM, TO)}}`".to_owned()),
    }
}

fn exclusive_range(low: &str, high: &str) -> Result<String, String> {
    let parse = |s: &str| s.parse::<i64>().map_err(|_| format!("`{s}` is not a whole number"));
    let (low, high) = (parse(low)?, parse(high)?);
    if low >= high {
        return Err(format!("the range {low}..{high} is empty: the maximum is excluded, so it must be above the minimum"));
    }
    Ok(format!("random_int({low}, {})", high - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture {
        source: Arc<SourceFile>,
        names: NameTable,
        requests: RequestTable,
    }

    fn fixture(vars: &[&str], requests: &[&str]) -> Fixture {
        let mut names = NameTable::default();
        for v in vars {
            names.insert(v).unwrap();
        }
        let mut table = RequestTable::default();
        for (i, r) in requests.iter().enumerate() {
            table.insert(r, i);
        }
        Fixture {
            source: SourceFile::new("t.http", "x\n"),
            names,
            requests: table,
        }
    }

    fn translate(f: &Fixture, text: &str, scope: Scope) -> Result<String, Vec<String>> {
        let mut tr = Translator::new(&f.source, &f.names, &f.requests);
        let out = tr.line(text, Span::new(1, 1), scope);
        match out {
            Some(out) if tr.errors.is_empty() => Ok(out),
            _ => Err(tr.errors.iter().map(|d| format!("{} {}", d.location(), d.message)).collect()),
        }
    }

    fn ok(text: &str) -> String {
        translate(&fixture(&["Catalog.API_HostAddress", "host", "env"], &[]), text, Scope::Step(0)).unwrap()
    }

    #[test]
    fn keeps_plain_variables_and_rewrites_dotted_ones() {
        assert_eq!(ok("{{host}}/x"), "{{ host }}/x");
        assert_eq!(ok("{{ host }}"), "{{ host }}");
        assert_eq!(ok("{{Catalog.API_HostAddress}}/a"), "{{ Catalog__API_HostAddress }}/a");
        assert_eq!(ok("{{ Catalog.API_HostAddress | upper }}"), "{{ Catalog__API_HostAddress | upper }}");
        assert_eq!(ok("{{env}}"), "{{ env_ }}");
        assert_eq!(ok("{{ 'Catalog.API_HostAddress' }}"), "{{ 'Catalog.API_HostAddress' }}");
    }

    #[test]
    fn translates_system_variables() {
        assert_eq!(ok("{{$guid}}"), "{{ uuid() }}");
        assert_eq!(ok("{{$uuid}}-{{$random.uuid}}"), "{{ uuid() }}-{{ uuid() }}");
        assert_eq!(ok("{{$timestamp}}"), "{{ timestamp() }}");
        assert_eq!(ok("{{$timestamp -1 d}}"), "{{ (timestamp() - 86400) }}");
        assert_eq!(ok("{{$timestamp 2 h}}"), "{{ (timestamp() + 7200) }}");
        assert_eq!(ok("{{$isoTimestamp}}"), "{{ now() }}");
        assert_eq!(ok("{{$datetime iso8601}}"), "{{ now() }}");
        assert_eq!(ok("{{$randomInt 1 10}}"), "{{ random_int(1, 9) }}");
        assert_eq!(ok("{{$randomInt}}"), "{{ random_int(0, 1000) }}");
        assert_eq!(ok("{{$random.integer(5, 7)}}"), "{{ random_int(5, 6) }}");
        assert_eq!(ok("{{$processEnv HOME}}"), "{{ env.HOME }}");
        assert_eq!(ok("{{$processEnv MY-VAR}}"), "{{ env[\"MY-VAR\"] }}");
        assert_eq!(ok("{{$processEnv %host}}"), "{{ env[host] }}");
        assert_eq!(ok("{{$env.USER}}"), "{{ env.USER }}");
    }

    #[test]
    fn rejects_unsupported_system_variables() {
        let f = fixture(&[], &[]);
        let err = |t: &str| translate(&f, t, Scope::Step(0)).unwrap_err();
        assert_eq!(err("a {{$nope}}"), vec!["t.http:1:3 unknown system variable `$nope`"]);
        assert!(err("{{$randomInt 5 5}}")[0].contains("empty"));
        assert!(err("{{$datetime rfc1123}}")[0].contains("iso8601"));
        assert!(err("{{$timestamp 1 M}}")[0].contains("not supported"));
        assert!(err("{{$processEnv %nope}}")[0].contains("not a variable"));
    }

    #[test]
    fn escapes_what_minijinja_would_read_as_syntax() {
        assert_eq!(ok("{% not a tag %}"), "{{ \"{\" }}% not a tag %}");
        assert_eq!(ok("{#x"), "{{ \"{\" }}#x");
        assert_eq!(ok("{{{host}}}"), "{{ \"{\" }}{{ host }}}");
        assert_eq!(ok("{\"a\":{\"b\":1}}"), "{\"a\":{\"b\":1}}");
    }

    #[test]
    fn reports_broken_templates_where_they_stand() {
        let f = fixture(&[], &[]);
        let err = |t: &str| translate(&f, t, Scope::Step(0)).unwrap_err();
        assert_eq!(err("ab {{x"), vec!["t.http:1:4 unterminated `{{`: expected `}}` on the same line"]);
        assert_eq!(err("{{"), vec!["t.http:1:1 unterminated `{{`: expected `}}` on the same line"]);
        assert_eq!(err("é{{ }}"), vec!["t.http:1:2 empty `{{}}`: expected a variable name"]);
        assert!(err("{{ a + }}")[0].starts_with("t.http:1:1 invalid template `{{ a + }}`"));
    }

    #[test]
    fn response_references_become_captures_on_the_earlier_step() {
        let f = fixture(&[], &["login", "other"]);
        let mut tr = Translator::new(&f.source, &f.names, &f.requests);
        let out = tr.line(
            "{{login.response.body.$.token}} {{login.response.body.token}} {{login.response.headers.X-Token}} {{login.response.body.*}} {{login.response.body.a[0]['b c']}}",
            Span::new(1, 1),
            Scope::Step(2),
        );
        assert!(tr.errors.is_empty(), "{:?}", tr.errors);
        assert_eq!(
            out.unwrap(),
            "{{ login__body__token }} {{ login__body__token }} {{ login__headers__X_Token }} {{ login__body }} {{ login__body__a_0_b_c }}"
        );
        let captures = &tr.captures.by_step[&0];
        let names: Vec<&str> = captures.iter().map(|c| c.name.value.as_str()).collect();
        assert_eq!(names, vec!["login__body__token", "login__headers__X_Token", "login__body", "login__body__a_0_b_c"]);
        assert!(matches!(&captures[1].source, CaptureSource::Header(h) if h.value == "X-Token"));
        assert!(matches!(&captures[3].source, CaptureSource::Json(p) if p.source.value == "$.a[0]['b c']"));
    }

    #[test]
    fn a_reference_must_point_to_an_earlier_known_request() {
        let f = fixture(&[], &["login", "later"]);
        let err = |t: &str| translate(&f, t, Scope::Step(1)).unwrap_err();
        assert_eq!(err("{{logn.response.body.x}}"), vec!["t.http:1:1 `{{logn.response.body.x}}` refers to an unknown request `logn`"]);
        assert!(err("{{later.response.body.x}}")[0].contains("which is this request itself"));
        assert!(err("{{login.request.body.x}}")[0].contains("not its request"));
        assert!(err("{{login.response.body.//a}}")[0].contains("XPath"));
        assert!(err("{{login.response.status}}")[0].contains("is not `body…`"));
        assert!(translate(&f, "{{later.response.body.x}}", Scope::Variable).is_ok());
        assert!(translate(&f, "{{login.token}}", Scope::Step(1)).is_ok());
    }

    #[test]
    fn capture_names_avoid_variables() {
        let f = fixture(&["login__body__id"], &["login"]);
        assert_eq!(translate(&f, "{{login.response.body.id}}", Scope::Step(1)).unwrap(), "{{ login__body__id_2 }}");
    }

    #[test]
    fn reads_dotenv_values_into_variables() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "API_KEY=abc\n").unwrap();
        let source = SourceFile::new(dir.path().join("t.http"), "x\n");
        let (names, requests) = (NameTable::default(), RequestTable::default());
        let mut tr = Translator::new(&source, &names, &requests);
        assert_eq!(tr.line("{{$dotenv API_KEY}}", Span::new(1, 1), Scope::Step(0)).unwrap(), "{{ dotenv__API_KEY }}");
        assert_eq!(tr.dotenv_vars, vec![("dotenv__API_KEY".to_string(), "abc".to_string())]);
        assert!(tr.line("{{$dotenv NOPE}}", Span::new(1, 1), Scope::Step(0)).is_none());
        assert!(tr.errors[0].message.contains("`NOPE` is not defined"), "{}", tr.errors[0]);
    }

    #[test]
    fn a_missing_dotenv_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let source = SourceFile::new(dir.path().join("t.http"), "x\n");
        let (names, requests) = (NameTable::default(), RequestTable::default());
        let mut tr = Translator::new(&source, &names, &requests);
        assert!(tr.line("{{$dotenv A}}", Span::new(1, 1), Scope::Step(0)).is_none());
        assert!(tr.errors[0].message.contains("there is no"), "{}", tr.errors[0]);
    }

    #[test]
    fn literal_templates_render_as_written() {
        assert_eq!(literal_template("plain"), "plain");
        let t = literal_template("a {{b}} \"c\"");
        let env = template::environment();
        assert_eq!(env.render_str(&t, ()).unwrap(), "a {{b}} \"c\"");
    }
}
