//! `{{…}}` of `.http` files into minijinja, the template language of sonde.
//!
//! `{{name}}` is already minijinja; what differs is translated here: names that are not
//! identifiers (see `names`), system variables (`{{$guid}}` → `{{ uuid() }}`), references to
//! earlier responses (`{{login.response.body.$.token}}` → a capture on `login`), and the
//! `{%` / `{#` that minijinja would read as its own syntax but a `.http` file means literally.

use std::sync::Arc;

use super::env::DotEnv;
use super::names::{NameTable, identifier_for};
use super::references::{Captures, RequestTable, reference_source};
use super::system::{self, System, SystemError, env_lookup};
use crate::diagnostics::{Diagnostic, suggest};
use crate::model::{Text, Value};
use crate::source::{SourceFile, Span, Spanned};
use crate::template;

/// Where a text is used, for the check that a response reference points backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// In the request or assertions of step `n`.
    Step(usize),
    /// In a file variable: checked where the variable is used.
    Variable,
}

/// What [`Translator::response_reference`] makes of the inside of a `{{…}}`.
enum Reference {
    /// Not a response reference: an ordinary expression.
    Plain,
    /// A response reference, read as the variable of a capture.
    Capture(String),
    /// A response reference in error (reported already).
    Invalid,
}

pub(super) struct Translator<'a> {
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
    pub(super) fn new(
        source: &'a Arc<SourceFile>,
        names: &'a NameTable,
        requests: &'a RequestTable,
    ) -> Self {
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

    pub(super) fn error(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.source, span, message)
    }

    pub(super) fn report(&mut self, diagnostic: Diagnostic) {
        self.errors.push(diagnostic);
    }

    /// A text made of `pieces` (each one line, spanned where it starts) joined by `joiner`.
    pub(super) fn text(
        &mut self,
        pieces: &[Spanned<String>],
        joiner: &str,
        span: Span,
        scope: Scope,
    ) -> Option<Text> {
        let translated: Vec<Option<String>> = pieces
            .iter()
            .map(|p| self.line(&p.value, p.span, scope))
            .collect();
        let translated: Vec<String> = translated.into_iter().collect::<Option<_>>()?;
        self.finish(translated.join(joiner), span)
    }

    /// One line of `.http` text as a model text.
    pub(super) fn text_line(&mut self, line: &str, span: Span, scope: Scope) -> Option<Text> {
        let translated = self.line(line, span, scope)?;
        self.finish(translated, span)
    }

    /// A model text from translated template source; its syntax is checked now.
    pub(super) fn finish(&mut self, source: String, span: Span) -> Option<Text> {
        let kind = template::classify(&source);
        if let Err(e) = template::free_variables(&source, &kind) {
            let d = self
                .error(span, format!("invalid template: {}", e.message))
                .label("in this text");
            self.report(d);
            return None;
        }
        Some(Text { source, span, kind })
    }

    /// Translates one line; `None` when it had an error (reported).
    pub(super) fn line(&mut self, text: &str, span: Span, scope: Scope) -> Option<String> {
        let mut out = String::with_capacity(text.len() + 8);
        let mut ok = true;
        let mut offset = 0;
        while let Some(mut open) = text[offset..].find("{{").map(|i| offset + i) {
            // `{{{x}}}`: a literal brace around `{{x}}`.
            while text[open..].starts_with("{{{") {
                open += 1;
            }
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
            let d = self
                .error(at, "empty `{{}}`: expected a variable name")
                .width(4);
            self.report(d);
            return None;
        } else if let Some(system) = trimmed.strip_prefix('$') {
            self.system_variable(system, at)?
        } else if let Some(ident) = self.names.get(trimmed) {
            ident.to_owned()
        } else {
            match self.response_reference(trimmed, at, scope) {
                Reference::Capture(variable) => variable,
                Reference::Invalid => return None,
                Reference::Plain => self.rewrite_names(trimmed),
            }
        };
        if let Err(e) = template::environment().compile_expression(&expr) {
            let message = e
                .detail()
                .map_or_else(|| e.kind().to_string(), str::to_owned);
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

    /// `{{name.response.…}}`, read as the variable of a capture.
    fn response_reference(&mut self, text: &str, at: Span, scope: Scope) -> Reference {
        let Some((head, path)) = text.split_once('.') else {
            return Reference::Plain;
        };
        let is_reference_path =
            path == "response" || path.starts_with("response.") || path.starts_with("request.");
        let Some(step) = self.requests.get(head) else {
            let unknown = is_reference_path
                && !head.contains(char::is_whitespace)
                && self.names.get(head).is_none();
            if !unknown {
                return Reference::Plain;
            }
            self.unknown_request(head, text, at);
            return Reference::Invalid;
        };
        if !is_reference_path {
            return Reference::Plain;
        }
        self.capture_reference(head, step, path, text, at, scope)
            .map_or(Reference::Invalid, Reference::Capture)
    }

    fn unknown_request(&mut self, head: &str, text: &str, at: Span) {
        let known = self.requests.names();
        let mut d = self
            .error(
                at,
                format!("`{{{{{text}}}}}` refers to an unknown request `{head}`"),
            )
            .width(text.chars().count() + 4);
        if let Some(near) = suggest(head, known.iter().copied()) {
            d = d.label(format!("did you mean `{near}`?"));
        }
        d = d.note(if known.is_empty() {
            "no request of this file has a name: add `# @name NAME` above the request line"
                .to_string()
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
            let when = if step == current {
                "is this request itself"
            } else {
                "is sent after this one"
            };
            let d = self
                .error(
                    at,
                    format!("`{{{{{text}}}}}` uses the response of `{head}`, which {when}"),
                )
                .width(width)
                .note("a request can only use the responses of the requests above it");
            self.report(d);
            return None;
        }
        let (key, suffix, source) = match reference_source(path, at) {
            Ok(found) => found,
            Err(error) => {
                let d = self
                    .error(at, format!("cannot use `{{{{{text}}}}}`: {error}"))
                    .width(width)
                    .note(
                        "sonde reads `NAME.response.body.$.json.path`, `NAME.response.body.a.b`, \
                     `NAME.response.body.*` and `NAME.response.headers.Header-Name`",
                    );
                self.report(d);
                return None;
            }
        };
        let wanted = format!("{}__{suffix}", identifier_for(head).trim_end_matches('_'));
        Some(
            self.captures
                .variable_for(step, key, &wanted, self.names, || (at, source)),
        )
    }

    /// The expression for `{{$…}}` (`text` is what follows the `$`).
    fn system_variable(&mut self, text: &str, at: Span) -> Option<String> {
        let result = match system::parse(text) {
            Ok(System::Expression(expr)) => Ok(expr),
            Ok(System::ProcessEnv(name)) => self.process_env(name),
            Ok(System::DotEnv(name)) => return self.dotenv(name, at),
            Err(error) => Err(error),
        };
        result
            .map_err(|error| {
                let d = self
                    .error(at, error.to_string())
                    .width(text.chars().count() + 5)
                    .note(system::KNOWN);
                self.report(d);
            })
            .ok()
    }

    /// `$processEnv NAME`, or `$processEnv %var` (the name is the value of variable `var`).
    fn process_env(&self, name: &str) -> Result<String, SystemError> {
        let Some(variable) = name.strip_prefix('%') else {
            return Ok(env_lookup(name));
        };
        match self.names.get(variable) {
            Some(ident) => Ok(format!("env[{ident}]")),
            None => Err(SystemError::UnknownProcessEnvVariable(variable.to_owned())),
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
                    let defined = if keys.is_empty() {
                        "nothing".to_string()
                    } else {
                        keys.join(", ")
                    };
                    Err((
                        format!("`{name}` is not defined in {}", path.display()),
                        format!("it defines: {defined}"),
                    ))
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
    pub(super) fn literal(text: &str, span: Span) -> Text {
        let source = literal_template(text);
        let kind = template::classify(&source);
        Text { source, span, kind }
    }

    /// A JSON value as a model value; strings are `.http` text, translated, when `templated`.
    pub(super) fn json_value(
        &mut self,
        json: serde_json::Value,
        span: Span,
        scope: Scope,
        templated: bool,
    ) -> Option<Value> {
        Some(match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) if templated => {
                Value::String(self.text_line(&s, span, scope)?)
            }
            serde_json::Value::String(s) => Value::String(Self::literal(&s, span)),
            serde_json::Value::Array(items) => {
                let items: Vec<Option<Value>> = items
                    .into_iter()
                    .map(|v| self.json_value(v, span, scope, templated))
                    .collect();
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
pub(super) fn literal_template(text: &str) -> String {
    if text.contains("{{") || text.contains("{%") || text.contains("{#") {
        let quoted = serde_json::to_string(text).unwrap_or_default();
        format!("{{{{ {quoted} }}}}")
    } else {
        text.to_owned()
    }
}

/// The span of byte `offset` of a one-line `text` that starts at `span`.
pub(super) fn span_at(span: Span, text: &str, offset: usize) -> Span {
    let before = text.get(..offset).unwrap_or(text);
    span.advanced(0, super::lines::count_chars(before))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CaptureSource;

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
            _ => Err(tr
                .errors
                .iter()
                .map(|d| format!("{} {}", d.location(), d.message))
                .collect()),
        }
    }

    fn ok(text: &str) -> String {
        translate(
            &fixture(&["Catalog.API_HostAddress", "host", "env"], &[]),
            text,
            Scope::Step(0),
        )
        .unwrap()
    }

    #[test]
    fn keeps_plain_variables_and_rewrites_dotted_ones() {
        assert_eq!(ok("{{host}}/x"), "{{ host }}/x");
        assert_eq!(ok("{{ host }}"), "{{ host }}");
        assert_eq!(
            ok("{{Catalog.API_HostAddress}}/a"),
            "{{ Catalog__API_HostAddress }}/a"
        );
        assert_eq!(
            ok("{{ Catalog.API_HostAddress | upper }}"),
            "{{ Catalog__API_HostAddress | upper }}"
        );
        assert_eq!(ok("{{env}}"), "{{ env_ }}");
        assert_eq!(
            ok("{{ 'Catalog.API_HostAddress' }}"),
            "{{ 'Catalog.API_HostAddress' }}"
        );
    }

    #[test]
    fn translates_system_variables() {
        assert_eq!(ok("{{$guid}}"), "{{ uuid() }}");
        assert_eq!(
            ok("{{$uuid}}-{{$random.uuid}}"),
            "{{ uuid() }}-{{ uuid() }}"
        );
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
        assert_eq!(
            err("a {{$nope}}"),
            vec!["t.http:1:3 unknown system variable `$nope`"]
        );
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
        assert_eq!(
            err("ab {{x"),
            vec!["t.http:1:4 unterminated `{{`: expected `}}` on the same line"]
        );
        assert_eq!(
            err("{{"),
            vec!["t.http:1:1 unterminated `{{`: expected `}}` on the same line"]
        );
        assert_eq!(
            err("é{{ }}"),
            vec!["t.http:1:2 empty `{{}}`: expected a variable name"]
        );
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
        assert_eq!(
            names,
            vec![
                "login__body__token",
                "login__headers__X_Token",
                "login__body",
                "login__body__a_0_b_c"
            ]
        );
        assert!(matches!(&captures[1].source, CaptureSource::Header(h) if h.value == "X-Token"));
        assert!(
            matches!(&captures[3].source, CaptureSource::Json(p) if p.source.value == "$.a[0]['b c']")
        );
    }

    #[test]
    fn a_reference_must_point_to_an_earlier_known_request() {
        let f = fixture(&[], &["login", "later"]);
        let err = |t: &str| translate(&f, t, Scope::Step(1)).unwrap_err();
        assert_eq!(
            err("{{logn.response.body.x}}"),
            vec!["t.http:1:1 `{{logn.response.body.x}}` refers to an unknown request `logn`"]
        );
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
        assert_eq!(
            translate(&f, "{{login.response.body.id}}", Scope::Step(1)).unwrap(),
            "{{ login__body__id_2 }}"
        );
    }

    #[test]
    fn reads_dotenv_values_into_variables() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "API_KEY=abc\n").unwrap();
        let source = SourceFile::new(dir.path().join("t.http"), "x\n");
        let (names, requests) = (NameTable::default(), RequestTable::default());
        let mut tr = Translator::new(&source, &names, &requests);
        assert_eq!(
            tr.line("{{$dotenv API_KEY}}", Span::new(1, 1), Scope::Step(0))
                .unwrap(),
            "{{ dotenv__API_KEY }}"
        );
        assert_eq!(
            tr.dotenv_vars,
            vec![("dotenv__API_KEY".to_string(), "abc".to_string())]
        );
        assert!(
            tr.line("{{$dotenv NOPE}}", Span::new(1, 1), Scope::Step(0))
                .is_none()
        );
        assert!(
            tr.errors[0].message.contains("`NOPE` is not defined"),
            "{}",
            tr.errors[0]
        );
    }

    #[test]
    fn a_missing_dotenv_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let source = SourceFile::new(dir.path().join("t.http"), "x\n");
        let (names, requests) = (NameTable::default(), RequestTable::default());
        let mut tr = Translator::new(&source, &names, &requests);
        assert!(
            tr.line("{{$dotenv A}}", Span::new(1, 1), Scope::Step(0))
                .is_none()
        );
        assert!(
            tr.errors[0].message.contains("there is no"),
            "{}",
            tr.errors[0]
        );
    }

    #[test]
    fn literal_templates_render_as_written() {
        assert_eq!(literal_template("plain"), "plain");
        let t = literal_template("a {{b}} \"c\"");
        let env = template::environment();
        assert_eq!(env.render_str(&t, ()).unwrap(), "a {{b}} \"c\"");
    }
}
