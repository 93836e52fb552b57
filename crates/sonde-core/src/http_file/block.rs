//! One block of a `.http` file (the lines between two separators) read into its parts:
//! directives, variables, scripts, assertions, and at most one request.

use std::sync::Arc;

use super::lines::{Block, SourceLine, directive, is_comment, variable_definition};
use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, Span, Spanned};

/// A block, read but not yet interpreted: texts are still as written.
#[derive(Debug, Default)]
pub(super) struct ParsedBlock {
    pub title: Option<Spanned<String>>,
    /// `# @name value`: (name, value).
    pub directives: Vec<(Spanned<String>, Spanned<String>)>,
    /// `@name = value`.
    pub variables: Vec<(Spanned<String>, Spanned<String>)>,
    /// The text after `??`, spanned at the `??`.
    pub assertions: Vec<Spanned<String>>,
    pub scripts: Vec<Script>,
    pub request: Option<RawRequest>,
}

/// A request as written: the request line (with its continuation lines), headers, body.
#[derive(Debug)]
pub(super) struct RawRequest {
    /// The request line and its query continuation lines, trimmed.
    pub line: Vec<Spanned<String>>,
    /// `(name, value)`, both trimmed.
    pub headers: Vec<(Spanned<String>, Spanned<String>)>,
    /// The body lines, comments and trailing blank lines removed.
    pub body: Vec<SourceLine>,
}

impl RawRequest {
    pub(super) fn span(&self) -> Span {
        self.line.first().map_or(Span::UNKNOWN, |l| l.span)
    }

    /// The value of the first header named `name` (case-insensitive).
    pub(super) fn header(&self, name: &str) -> Option<&Spanned<String>> {
        self.headers
            .iter()
            .find(|(n, _)| n.value.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// Something the file asks to run that sonde cannot: kept to be reported, never dropped.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Script {
    pub kind: ScriptKind,
    pub span: Span,
    /// The script's code, or the path of the file it names.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScriptKind {
    /// `JetBrains` `< {% … %}`, run before the request.
    PreRequest,
    /// `JetBrains` `> {% … %}`, run on the response.
    ResponseHandler,
    /// `JetBrains` `< script.js` before the request line.
    PreRequestFile,
    /// `JetBrains` `> handler.js`.
    ResponseHandlerFile,
    /// `JetBrains` `>> file` / `>>! file`: the response saved to a file.
    OutputRedirect,
    /// httpyac `{{ … }}` on lines of their own: JavaScript.
    HttpyacScript,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the request line: comments, variables, directives, scripts.
    Head,
    /// Right after the request line: query continuation lines may follow.
    RequestLine,
    Headers,
    Body,
}

/// Reads one block. Problems are pushed onto `errors`; what could be read is returned.
pub(super) fn parse_block(
    block: Block,
    source: &Arc<SourceFile>,
    errors: &mut Vec<Diagnostic>,
) -> ParsedBlock {
    let mut parsed = ParsedBlock {
        title: block.title,
        ..ParsedBlock::default()
    };
    let lines = block.lines;
    let mut state = State::Head;
    let mut index = 0;
    while index < lines.len() {
        let line = &lines[index];
        if let Some(kind) = script_start(&line.text, state) {
            let (script, next) = read_script(&lines, index, kind, source, errors);
            parsed.scripts.extend(script);
            index = next;
            continue;
        }
        index += 1;
        if let Some(assertion) = assertion(line) {
            parsed.assertions.push(assertion);
        } else if is_comment(&line.text) {
            parsed.directives.extend(directive(line));
        } else if line.text.trim_start().starts_with("<>") {
            // A JetBrains link to a response saved by the IDE: history, not part of the test.
        } else {
            state = read_line(&mut parsed, line, state, source, errors);
        }
    }
    if let Some(request) = &mut parsed.request {
        while request.body.last().is_some_and(SourceLine::is_blank) {
            request.body.pop();
        }
    }
    parsed
}

/// Takes one ordinary line in `state`; returns the next state.
fn read_line(
    parsed: &mut ParsedBlock,
    line: &SourceLine,
    state: State,
    source: &Arc<SourceFile>,
    errors: &mut Vec<Diagnostic>,
) -> State {
    match state {
        State::Head if line.is_blank() => State::Head,
        State::Head => {
            if let Some(variable) = variable_definition(line) {
                parsed.variables.push(variable);
                return State::Head;
            }
            parsed.request = Some(RawRequest {
                line: vec![line.trimmed()],
                headers: Vec::new(),
                body: Vec::new(),
            });
            State::RequestLine
        }
        State::RequestLine if is_continuation(&line.text) => {
            if let Some(request) = &mut parsed.request {
                request.line.push(line.trimmed());
            }
            State::RequestLine
        }
        State::RequestLine | State::Headers if line.is_blank() => State::Body,
        State::RequestLine | State::Headers => {
            match header(line) {
                Some(h) => parsed
                    .request
                    .iter_mut()
                    .for_each(|r| r.headers.push(h.clone())),
                None => errors.push(header_error(line, source)),
            }
            State::Headers
        }
        State::Body => {
            if let Some(request) = &mut parsed.request {
                request.body.push(line.clone());
            }
            State::Body
        }
    }
}

/// `?a=1`, `&b=2` or an indented line right after the request line continue the URL.
fn is_continuation(text: &str) -> bool {
    let trimmed = text.trim_start();
    trimmed.starts_with('?')
        || trimmed.starts_with('&')
        || (!trimmed.is_empty() && text.starts_with([' ', '\t']))
}

fn header(line: &SourceLine) -> Option<(Spanned<String>, Spanned<String>)> {
    let (name, value) = line.text.split_once(':')?;
    let name_trimmed = name.trim();
    if !is_token(name_trimmed) {
        return None;
    }
    let start = line.start();
    let value_offset = name.len() + 1 + (value.len() - value.trim_start().len());
    Some((
        Spanned::new(name_trimmed.to_owned(), start),
        Spanned::new(
            value.trim().to_owned(),
            super::lines::column_span(line, value_offset),
        ),
    ))
}

/// An HTTP token (RFC 9110): a method or a header name.
pub(super) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn header_error(line: &SourceLine, source: &Arc<SourceFile>) -> Diagnostic {
    let text = line.text.trim();
    let width = text.chars().count();
    let d = Diagnostic::new(source, line.start(), format!("`{text}` is not a header")).width(width);
    if text.contains(':') {
        d.label("a header name is a token: letters, digits and !#$%&'*+-.^_`|~")
    } else {
        d.label("expected `Name: value`")
            .note("the body must be separated from the headers by a blank line")
    }
}

/// `?? …`: an httpyac assertion, spanned where its text starts.
fn assertion(line: &SourceLine) -> Option<Spanned<String>> {
    let rest = line.text.trim_start().strip_prefix("??")?;
    let text = rest.trim();
    let offset = line.text.len() - rest.trim_start().len();
    let span = if text.is_empty() {
        line.start()
    } else {
        super::lines::column_span(line, offset)
    };
    Some(Spanned::new(text.to_owned(), span))
}

/// Whether `text` opens a script (or names a script file) in `state`.
fn script_start(text: &str, state: State) -> Option<ScriptKind> {
    let t = text.trim_start();
    let after = |prefix: &str| t.strip_prefix(prefix).map(str::trim_start);
    if after(">").is_some_and(|rest| rest.starts_with("{%")) {
        return Some(ScriptKind::ResponseHandler);
    }
    if after("<").is_some_and(|rest| rest.starts_with("{%")) {
        return Some(ScriptKind::PreRequest);
    }
    if t.starts_with(">>") && t.trim_start_matches(['>', '!']).starts_with([' ', '\t']) {
        return Some(ScriptKind::OutputRedirect);
    }
    if t.starts_with("> ") && is_single_word(&t[2..]) {
        return Some(ScriptKind::ResponseHandlerFile);
    }
    if state == State::Head {
        if t.starts_with("< ") && is_single_word(&t[2..]) {
            return Some(ScriptKind::PreRequestFile);
        }
        if t.starts_with("{{") && !t.contains("}}") {
            return Some(ScriptKind::HttpyacScript);
        }
    }
    None
}

fn is_single_word(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && !t.contains(char::is_whitespace)
}

/// Reads the script starting at line `start`; returns it and the index of the next line.
fn read_script(
    lines: &[SourceLine],
    start: usize,
    kind: ScriptKind,
    source: &Arc<SourceFile>,
    errors: &mut Vec<Diagnostic>,
) -> (Option<Script>, usize) {
    let first = &lines[start];
    let span = first.start();
    let one_line = |text: String| (Some(Script { kind, span, text }), start + 1);
    match kind {
        ScriptKind::ResponseHandler | ScriptKind::PreRequest => {
            let opened = first.text.find("{%").map_or("", |i| &first.text[i + 2..]);
            if let Some(end) = opened.find("%}") {
                return one_line(opened[..end].trim().to_owned());
            }
            read_until(lines, start, opened, "%}", kind, source, errors)
        }
        ScriptKind::HttpyacScript => {
            let opened = first.text.trim_start().trim_start_matches('{');
            read_until(lines, start, opened, "}}", kind, source, errors)
        }
        ScriptKind::OutputRedirect => one_line(first.text.trim().to_owned()),
        ScriptKind::ResponseHandlerFile | ScriptKind::PreRequestFile => {
            one_line(first.text.trim()[1..].trim().to_owned())
        }
    }
}

/// Collects the lines of a multi-line script up to the one holding `close`.
fn read_until(
    lines: &[SourceLine],
    start: usize,
    opened: &str,
    close: &str,
    kind: ScriptKind,
    source: &Arc<SourceFile>,
    errors: &mut Vec<Diagnostic>,
) -> (Option<Script>, usize) {
    let span = lines[start].start();
    let mut code = vec![opened.trim().to_owned()];
    for (offset, line) in lines[start + 1..].iter().enumerate() {
        if let Some(end) = line.text.find(close) {
            code.push(line.text[..end].to_owned());
            let text = code.join("\n").trim().to_owned();
            return (Some(Script { kind, span, text }), start + offset + 2);
        }
        code.push(line.text.clone());
    }
    let open_mark = if close == "%}" { "{%" } else { "{{" };
    errors.push(
        Diagnostic::new(
            source,
            span,
            format!("this script is never closed: `{open_mark}` without `{close}`"),
        )
        .width(lines[start].text.trim().chars().count())
        .label(format!(
            "expected a line with `{close}` before the next `###`"
        )),
    );
    (None, lines.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http_file::lines::split_blocks;

    fn parse(text: &str) -> (Vec<ParsedBlock>, Vec<String>) {
        let source = SourceFile::new("t.http", text);
        let mut errors = Vec::new();
        let blocks = split_blocks(text)
            .into_iter()
            .map(|b| parse_block(b, &source, &mut errors))
            .collect();
        (
            blocks,
            errors
                .iter()
                .map(|d| format!("{} {}", d.location(), d.message))
                .collect(),
        )
    }

    fn only_request(text: &str) -> RawRequest {
        let (mut blocks, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        blocks.remove(0).request.expect("a request")
    }

    #[test]
    fn reads_request_line_headers_and_body() {
        let r = only_request(
            "POST http://x/a\nContent-Type: text/plain\nX-A:b\n\nline 1\n\nline 3\n\n\n",
        );
        assert_eq!(r.line[0].value, "POST http://x/a");
        let headers: Vec<_> = r
            .headers
            .iter()
            .map(|(n, v)| (n.value.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(headers, vec![("Content-Type", "text/plain"), ("X-A", "b")]);
        assert_eq!(r.headers[1].1.span, Span::new(3, 5));
        let body: Vec<_> = r.body.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(body, vec!["line 1", "", "line 3"]);
    }

    #[test]
    fn continuation_lines_extend_the_request_line() {
        let r = only_request("GET http://x/a\n  ?b=1\n&c=2\n    /more\nAccept: */*\n");
        let pieces: Vec<_> = r.line.iter().map(|l| l.value.as_str()).collect();
        assert_eq!(pieces, vec!["GET http://x/a", "?b=1", "&c=2", "/more"]);
        assert_eq!(r.headers.len(), 1);
    }

    #[test]
    fn comments_are_dropped_everywhere() {
        let r = only_request("# a\n// b\nGET http://x\n# c\nA: 1\n\n{\n// d\n}\n# trailing\n");
        assert_eq!(r.headers.len(), 1);
        let body: Vec<_> = r.body.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(body, vec!["{", "}"]);
    }

    #[test]
    fn collects_variables_directives_and_assertions() {
        let (blocks, errors) = parse(
            "@a = 1\n# @name x\nGET http://x\n?? status == 200\n\nbody\n?? body contains b\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let b = &blocks[0];
        assert_eq!(b.variables[0].0.value, "a");
        assert_eq!(b.directives[0].1.value, "x");
        let asserts: Vec<_> = b.assertions.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(asserts, vec!["status == 200", "body contains b"]);
        assert_eq!(b.request.as_ref().unwrap().body.len(), 1);
    }

    #[test]
    fn reads_scripts_of_one_or_many_lines() {
        let text = "< {% request.variables.set('a', 1) %}\nGET http://x\n\nbody\n\n> {%\n  client.test('t', function() {});\n%}\n>> out.json\n> handler.js\n<> 2024-01-01T000000.200.json\n";
        let (blocks, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        let kinds: Vec<_> = blocks[0].scripts.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ScriptKind::PreRequest,
                ScriptKind::ResponseHandler,
                ScriptKind::OutputRedirect,
                ScriptKind::ResponseHandlerFile
            ]
        );
        assert_eq!(
            blocks[0].scripts[1].text,
            "client.test('t', function() {});"
        );
        assert_eq!(blocks[0].scripts[1].span, Span::new(6, 1));
        assert_eq!(blocks[0].scripts[3].text, "handler.js");
        let body: Vec<_> = blocks[0]
            .request
            .as_ref()
            .unwrap()
            .body
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(body, vec!["body"]);
    }

    #[test]
    fn reads_httpyac_script_blocks_before_the_request() {
        let (blocks, errors) = parse("{{\n  exports.a = 1;\n}}\nGET http://x\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(blocks[0].scripts[0].kind, ScriptKind::HttpyacScript);
        assert_eq!(blocks[0].scripts[0].text, "exports.a = 1;");
        assert!(blocks[0].request.is_some());
    }

    #[test]
    fn an_unclosed_script_is_reported() {
        let (_, errors) = parse("GET http://x\n\n> {%\nclient.log(1)\n");
        assert_eq!(
            errors,
            vec!["t.http:3:1 this script is never closed: `{%` without `%}`"]
        );
        let (_, errors) = parse("{{");
        assert_eq!(
            errors,
            vec!["t.http:1:1 this script is never closed: `{{` without `}}`"]
        );
    }

    #[test]
    fn a_line_without_colon_among_headers_is_reported() {
        let (_, errors) = parse("POST http://x\nContent-Type: a\n{\"a\": 1}\n");
        assert_eq!(errors, vec!["t.http:3:1 `{\"a\": 1}` is not a header"]);
        let (_, errors) = parse("GET http://x\nBad Name: 1\n");
        assert_eq!(errors, vec!["t.http:2:1 `Bad Name: 1` is not a header"]);
    }
}
