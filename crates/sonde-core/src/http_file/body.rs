//! Request bodies as the VS Code REST Client builds them.
//!
//! - `< ./file` alone: the file's bytes, streamed (`data: {file: …}`), read at run time.
//! - `<@ ./file`: the file's text with its variables processed; read when the file loads.
//! - `< file` lines among other lines: the file's text inlined at run time (`{{ file("…") }}`).
//! - `application/x-www-form-urlencoded`: lines joined, a line starting with `&` directly.
//! - `multipart/form-data`: see `multipart`.
//! - `X-Request-Type: GraphQL`: the query, a blank line, then the variables as JSON.
//! - anything else, JSON included: the text as written (trailing blank lines removed), sent
//!   with the `Content-Type` the user wrote.

use std::sync::LazyLock;

use regex::Regex;

use super::block::RawRequest;
use super::lines::SourceLine;
use super::multipart;
use super::translate::{Scope, Translator};
use crate::model::{Data, FilePart, Text, Value};
use crate::source::{Span, Spanned};

/// What a body turns into in the model.
#[derive(Debug, Default)]
pub(super) struct Body {
    pub json: Option<Value>,
    pub data: Option<Data>,
    pub files: Vec<FilePart>,
    /// Lower-case names of headers the body replaces (a multipart boundary sonde makes).
    pub dropped_headers: Vec<&'static str>,
}

/// `< path`, `<@ path`, `<@latin1 path`.
pub(super) struct FileLine<'a> {
    pub process_variables: bool,
    pub path: &'a str,
    /// Where the path starts in the line.
    pub offset: usize,
}

pub(super) fn file_line(text: &str) -> Option<FileLine<'_>> {
    static FILE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^<(?:(@)(\w+)?)?\s+(.+?)\s*$").expect("valid regex"));
    let caps = FILE.captures(text)?;
    let path = caps.get(3)?;
    Some(FileLine {
        process_variables: caps.get(1).is_some(),
        path: path.as_str(),
        offset: path.start(),
    })
}

pub(super) fn build_body(raw: &RawRequest, tr: &mut Translator, step: usize) -> Option<Body> {
    let lines = &raw.body;
    if lines.is_empty() {
        return Some(Body::default());
    }
    let content_type = raw
        .header("content-type")
        .map(|v| v.value.to_ascii_lowercase())
        .unwrap_or_default();
    let scope = Scope::Step(step);
    if raw
        .header("x-request-type")
        .is_some_and(|v| v.value.eq_ignore_ascii_case("graphql"))
    {
        return graphql(lines, tr, scope);
    }
    if content_type.starts_with("multipart/") {
        return multipart::build(raw, lines, tr, scope);
    }
    if let [only] = lines.as_slice()
        && let Some(file) = file_line(&only.text).filter(|f| !f.process_variables)
    {
        let span = super::translate::span_at(Span::new(only.number, 1), &only.text, file.offset);
        let path = tr.text_line(file.path, span, scope)?;
        return Some(Body {
            data: Some(Data::File(path)),
            ..Body::default()
        });
    }
    let joiners = if content_type.starts_with("application/x-www-form-urlencoded") {
        form_joiners(lines)
    } else {
        vec!["\n"; lines.len()]
    };
    let mut text = raw_text(lines, &joiners, tr, scope)?;
    if content_type.contains("ndjson") || content_type.contains("jsonlines") {
        // Newline-delimited JSON ends with a newline; minijinja drops a final `\n`, so it is
        // written as an expression.
        text = tr.finish(
            format!(
                "{}{}",
                text.source,
                if text.is_literal() {
                    "\n"
                } else {
                    "{{ \"\\n\" }}"
                }
            ),
            text.span,
        )?;
    }
    Some(Body {
        data: Some(Data::Raw(text)),
        ..Body::default()
    })
}

/// The REST Client joins form lines with a newline, except before a line starting with `&`.
fn form_joiners(lines: &[SourceLine]) -> Vec<&'static str> {
    lines
        .iter()
        .map(|l| if l.text.starts_with('&') { "" } else { "\n" })
        .collect()
}

/// The lines as one template, `joiners[i]` between line i-1 and line i; `< file` lines are
/// inlined (see the module doc).
pub(super) fn raw_text(
    lines: &[SourceLine],
    joiners: &[&str],
    tr: &mut Translator,
    scope: Scope,
) -> Option<Text> {
    let mut out = String::new();
    let mut ok = true;
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str(joiners.get(i).copied().unwrap_or("\n"));
        }
        match body_line(line, tr, scope) {
            Some(text) => out.push_str(&text),
            None => ok = false,
        }
    }
    let span = Span::new(lines.first()?.number, 1);
    if !ok {
        return None;
    }
    tr.finish(out, span)
}

/// One body line as template source: text, or the contents of the file it names.
fn body_line(line: &SourceLine, tr: &mut Translator, scope: Scope) -> Option<String> {
    let span = Span::new(line.number, 1);
    match file_line(&line.text) {
        Some(file) if file.process_variables => included_template(file.path, span, tr, scope),
        Some(file) => {
            let quoted = serde_json::to_string(file.path).unwrap_or_default();
            Some(format!("{{{{ file({quoted}) }}}}"))
        }
        None => tr.line(&line.text, span, scope),
    }
}

/// `<@ path`: the file's text, its variables translated like the `.http` file's own.
pub(super) fn included_template(
    path: &str,
    span: Span,
    tr: &mut Translator,
    scope: Scope,
) -> Option<String> {
    let full = tr.source.dir().join(path);
    let text = match std::fs::read_to_string(&full) {
        Ok(text) => text,
        Err(e) => {
            let d = tr
                .error(span, format!("cannot read {} for `<@`: {e}", full.display()))
                .width(path.chars().count() + 3)
                .note("`<@ file` bodies are templates, read when the .http file loads; `< file` is read when the request is sent");
            tr.report(d);
            return None;
        }
    };
    let lines: Vec<Option<String>> = text.lines().map(|l| tr.line(l, span, scope)).collect();
    Some(lines.into_iter().collect::<Option<Vec<_>>>()?.join("\n"))
}

/// A GraphQL request (REST Client): the query, then after a blank line its variables as JSON.
fn graphql(lines: &[SourceLine], tr: &mut Translator, scope: Scope) -> Option<Body> {
    let split = lines
        .iter()
        .position(SourceLine::is_blank)
        .unwrap_or(lines.len());
    let (query_lines, variable_lines) = lines.split_at(split);
    let query_pieces: Vec<Spanned<String>> = query_lines
        .iter()
        .map(|l| Spanned::new(l.text.clone(), Span::new(l.number, 1)))
        .collect();
    let span = query_pieces.first().map_or(Span::UNKNOWN, |p| p.span);
    let query = tr.text(&query_pieces, "\n", span, scope);
    let variables_text: Vec<&str> = variable_lines.iter().map(|l| l.text.as_str()).collect();
    let variables_text = variables_text.join("\n");
    let variables = if variables_text.trim().is_empty() {
        Some(Value::Object(Vec::new()))
    } else {
        let at = variable_lines
            .iter()
            .find(|l| !l.is_blank())
            .map_or(span, |l| Span::new(l.number, 1));
        match serde_json::from_str(&variables_text) {
            Ok(json) => tr.json_value(json, at, scope, true),
            Err(e) => {
                let d = tr
                    .error(at, format!("the GraphQL variables are not JSON: {e}"))
                    .note("put template values inside quotes: \"id\": \"{{id}}\"");
                tr.report(d);
                None
            }
        }
    };
    let json = Value::Object(vec![
        ("query".to_owned(), Value::String(query?)),
        ("variables".to_owned(), variables?),
    ]);
    Some(Body {
        json: Some(json),
        dropped_headers: vec!["x-request-type"],
        ..Body::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_file_lines() {
        let f = file_line("< ./a.json").unwrap();
        assert_eq!(
            (f.process_variables, f.path, f.offset),
            (false, "./a.json", 2)
        );
        let f = file_line("<@latin1  data/x.xml  ").unwrap();
        assert_eq!((f.process_variables, f.path), (true, "data/x.xml"));
        assert!(file_line("<xml>").is_none());
        assert!(file_line(" < a").is_none());
    }
}
