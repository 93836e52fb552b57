//! The YAML scenario format: from the node tree to the model.

use std::sync::Arc;

use super::diagnostics::Diagnostic;
use super::model::{
    Auth, BytesExpect, Capture, CaptureSource, ClientCert, Data, Expect, FileContent, FilePart,
    HeaderExpect, Headers, JsonExpect, JsonType, Matcher, Params, Pattern, Poll, Predicate,
    Proxies, Request, Retries, Scenario, SchemaSource, Setting, Settings, StatusExpect, Step, Text,
    Timeout, Value, Vars, Verify,
};
use super::node::{self, Node, NodeKind};
use super::reader::{Fields, Reader, looks_like_unquoted_template, quote_unquoted_template};
use super::source::{SourceFile, Span, Spanned};

pub const SCENARIO_KEYS: &[&str] = &["name", "description", "tags", "vars", "session", "steps"];
pub const STEP_KEYS: &[&str] = &[
    "name",
    "request",
    "expect",
    "capture",
    "vars",
    "tags",
    "poll",
    "skip",
    "continue_on_failure",
];
pub const SETTINGS_KEYS: &[&str] = &[
    "base_url",
    "headers",
    "params",
    "cookies",
    "auth",
    "timeout",
    "retries",
    "allow_redirects",
    "max_redirects",
    "proxies",
    "verify",
    "cert",
];
pub const REQUEST_ONLY_KEYS: &[&str] = &[
    "method",
    "url",
    "json",
    "data",
    "files",
    "encoding",
    "save_body",
];
pub const EXPECT_KEYS: &[&str] = &[
    "status",
    "ok",
    "headers",
    "json",
    "body",
    "bytes",
    "schema",
    "cookies",
    "duration",
    "redirects",
    "url",
];
const CAPTURE_KEYS: &[&str] = &[
    "json", "header", "cookie", "status", "url", "body", "regex", "group", "duration",
];

/// Parses a YAML scenario file. Every problem in it is reported, not only the first.
pub fn load(source: &Arc<SourceFile>) -> Result<Scenario, Vec<Diagnostic>> {
    let root = parse_document(source)?;
    let mut reader = Reader::new(source);
    let scenario = read_scenario(&mut reader, &root);
    match scenario {
        Some(s) if reader.errors.is_empty() => Ok(s),
        _ => {
            let mut errors = reader.errors;
            errors.sort_by_key(|d| d.span);
            Err(errors)
        }
    }
}

/// Parses the YAML text into nodes, turning a syntax error into a diagnostic.
pub fn parse_document(source: &Arc<SourceFile>) -> Result<Node, Vec<Diagnostic>> {
    node::parse(&source.text).map_err(|e| {
        let message = e.message.lines().next().unwrap_or("");
        // The position is shown by the diagnostic itself.
        let message = message.split(" at line ").next().unwrap_or(message);
        let mut d = Diagnostic::new(source, e.span, "invalid YAML").label(message.to_string());
        let lines = [e.span.line, e.span.line.saturating_sub(1)];
        if let Some(fixed) = lines
            .iter()
            .find_map(|&n| source.line(n).and_then(quote_unquoted_template))
        {
            d = d.note(format!(
                "help: a value starting with `{{{{` must be quoted, or YAML reads it as a mapping: \
                 write `{}`",
                fixed.trim()
            ));
        }
        vec![d]
    })
}

fn read_scenario(r: &mut Reader, root: &Node) -> Option<Scenario> {
    if root.is_null() {
        r.error(Span::new(1, 1), "the scenario is empty: it needs `steps`");
        return None;
    }
    let f = r.fields(root, "the scenario", SCENARIO_KEYS)?;
    let name = f
        .get("name")
        .and_then(|n| r.scalar(n, "a name"))
        .map(|s| s.value);
    let description = f
        .get("description")
        .and_then(|n| r.scalar(n, "a description"))
        .map(|s| s.value);
    let tags = f
        .get("tags")
        .and_then(|n| r.string_list(n, "a list of tags"))
        .unwrap_or_default();
    let vars = read_vars(r, f.get("vars"));
    let session = f
        .get("session")
        .and_then(|n| {
            let sf = r.fields(n, "session", SETTINGS_KEYS)?;
            Some(read_settings(r, &sf))
        })
        .unwrap_or_default();
    let steps = match f.get("steps") {
        Some(node) => read_steps(r, node)?,
        None => {
            let d = r
                .diagnostic(Span::new(1, 1), "the scenario has no `steps`")
                .note("add `steps:` with a list of requests");
            r.report(d);
            return None;
        }
    };
    Some(Scenario {
        source: Arc::clone(r.source),
        name: name.unwrap_or_else(|| r.source.stem()),
        description,
        tags,
        vars,
        session,
        steps,
    })
}

pub(crate) fn read_vars(r: &mut Reader, node: Option<&Node>) -> Vars {
    let Some(node) = node else {
        return Vars::default();
    };
    let Some(entries) = r.entries(node, "a mapping of variables", false) else {
        return Vars::default();
    };
    let mut vars = Vec::new();
    for (name, value) in entries {
        if !is_identifier(&name.value) {
            let d = r
                .diagnostic(
                    name.span,
                    format!("`{}` is not a valid variable name", name.value),
                )
                .label("use letters, digits and `_`, not starting with a digit");
            r.report(d);
            continue;
        }
        if let Some(v) = r.value(value) {
            vars.push((name, v));
        }
    }
    Vars(vars)
}

pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn read_steps(r: &mut Reader, node: &Node) -> Option<Vec<Step>> {
    let NodeKind::Seq(items) = &node.kind else {
        r.type_error(node, "a list of steps");
        return None;
    };
    if items.is_empty() {
        r.error(
            node.span,
            "`steps` is empty: a scenario needs at least one step",
        );
        return None;
    }
    let steps: Vec<Option<Step>> = items.iter().map(|item| read_step(r, item)).collect();
    steps.into_iter().collect()
}

fn read_step(r: &mut Reader, node: &Node) -> Option<Step> {
    let f = r.fields(node, "a step", STEP_KEYS)?;
    let request = match f.get("request") {
        Some(n) => read_request(r, n),
        None => {
            let d = r
                .diagnostic(node.span, "this step has no `request`")
                .note("every step sends one request: `request: { method: GET, url: /get }`");
            r.report(d);
            None
        }
    };
    let expect = f
        .get("expect")
        .map_or(Some(Expect::default()), |n| read_expect(r, n));
    let capture = f
        .get("capture")
        .map_or(Some(Vec::new()), |n| read_captures(r, n));
    let vars = read_vars(r, f.get("vars"));
    let tags = f
        .get("tags")
        .and_then(|n| r.string_list(n, "a list of tags"))
        .unwrap_or_default();
    let poll = f.get("poll").and_then(|n| read_poll(r, n));
    let mut skip_when = None;
    let skip = f.get("skip").and_then(|n| match &n.kind {
        NodeKind::Bool(true) => Some(String::new()),
        NodeKind::Bool(false) | NodeKind::Null => None,
        // A template is a condition, decided when the step is reached (SPEC §2.4).
        NodeKind::Str(text) if text.contains("{{") => {
            skip_when = r.text(n, "a condition");
            None
        }
        NodeKind::Str(reason) => Some(reason.as_str().to_owned()),
        _ => {
            r.type_error(n, "`true`, a reason or a condition (`{{ … }}`)");
            None
        }
    });
    let continue_on_failure = f
        .get("continue_on_failure")
        .and_then(|n| r.bool(n, "`true` or `false`"))
        .unwrap_or(false);
    let name = f
        .get("name")
        .and_then(|n| r.scalar(n, "a step name"))
        .map(|s| s.value);
    let (request, expect, capture) = (request?, expect?, capture?);
    Some(Step {
        span: node.span,
        name: name.unwrap_or_else(|| format!("{} {}", request.method.value, request.url.source)),
        request,
        expect,
        capture,
        vars,
        tags,
        poll,
        skip,
        skip_when,
        continue_on_failure,
        no_cookie_jar: false,
    })
}

fn read_poll(r: &mut Reader, node: &Node) -> Option<Poll> {
    let f = r.fields(node, "poll", &["every", "max"])?;
    let every = match f.get("every") {
        Some(n) => r.duration(n)?,
        None => std::time::Duration::from_secs(1),
    };
    let max = match f.get("max") {
        Some(n) => r.unsigned(n, "a number of tries", 100_000)? as u32,
        None => 10,
    };
    if max == 0 {
        r.error(
            f.get("max").map_or(node.span, |n| n.span),
            "`max` must be at least 1",
        );
        return None;
    }
    Some(Poll { every, max })
}

fn read_request(r: &mut Reader, node: &Node) -> Option<Request> {
    let known: Vec<&str> = REQUEST_ONLY_KEYS
        .iter()
        .chain(SETTINGS_KEYS)
        .copied()
        .collect();
    let f = r.fields(node, "a request", &known)?;
    let method = match f.get("method") {
        Some(n) => read_method(r, n),
        None => Some(Spanned::new("GET".to_string(), node.span)),
    };
    let url = match f.get("url") {
        Some(n) => read_url(r, n, false),
        None => {
            let d = r
                .diagnostic(node.span, "this request has no `url`")
                .note("write an absolute URL, or a path joined onto `session.base_url`");
            r.report(d);
            None
        }
    };
    let settings = read_settings(r, &f);
    let json = f.get("json").map(|n| r.value(n));
    let data = f.get("data").map(|n| read_data(r, n));
    let files = f
        .get("files")
        .map_or(Some(Vec::new()), |n| read_files(r, n));
    let encoding = f.get("encoding").and_then(|n| {
        let name = r.string(n, "a charset name")?;
        if encoding_rs_known(&name.value) {
            Some(name)
        } else {
            r.error(
                n.span,
                format!("`{}` is not a charset sonde knows", name.value),
            );
            None
        }
    });
    let save_body = f.get("save_body").and_then(|n| r.text(n, "a file path"));

    if let (Some(json_span), Some(data_span)) = (f.key_span("json"), f.key_span("data")) {
        let d = r
            .diagnostic(data_span, "`json` and `data` cannot both be given")
            .label(format!("`json` is at line {}", json_span.line))
            .note("a request has one body: keep `json` (sent as JSON) or `data` (form or raw)");
        r.report(d);
        return None;
    }
    let files = files?;
    if !files.is_empty() {
        if let Some(span) = f.key_span("json") {
            r.error(
                span,
                "`json` cannot go with `files`: a multipart body has fields, use `data` pairs",
            );
            return None;
        }
        if let Some(Some(Data::Raw(_) | Data::File(_))) = &data {
            let span = f.key_span("data").unwrap_or(node.span);
            r.error(
                span,
                "with `files`, `data` must be a mapping or a list of pairs (multipart fields)",
            );
            return None;
        }
    }
    Some(Request {
        method: method?,
        url: url?,
        settings,
        json: match json {
            Some(v) => Some(v?),
            None => None,
        },
        data: match data {
            Some(d) => Some(d?),
            None => None,
        },
        files,
        encoding,
        save_body,
    })
}

/// Whether `name` is a charset the decoder knows (WHATWG labels and Python's spellings).
fn encoding_rs_known(name: &str) -> bool {
    crate::charset::Charset::for_label(name).is_some()
}

fn read_method(r: &mut Reader, node: &Node) -> Option<Spanned<String>> {
    let method = r.string(node, "an HTTP method")?;
    let is_token = !method.value.is_empty()
        && method
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    if !is_token {
        let d = r
            .diagnostic(
                node.span,
                format!("`{}` is not an HTTP method", method.value),
            )
            .label("expected a token like GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS")
            .note("a method is one word of letters, digits and !#$%&'*+-.^_`|~");
        r.report(d);
        return None;
    }
    Some(method.map(|m| m.to_ascii_uppercase()))
}

/// A URL; when it is literal and absolute, it must parse. `absolute` requires a scheme.
fn read_url(r: &mut Reader, node: &Node, absolute: bool) -> Option<Text> {
    let text = r.text(node, "a URL")?;
    if !text.is_literal() {
        return Some(text);
    }
    let has_scheme = text.source.contains("://");
    if has_scheme || absolute {
        if let Err(e) = url::Url::parse(&text.source) {
            let d = r
                .diagnostic(
                    node.span,
                    format!("`{}` is not a valid URL: {e}", text.source),
                )
                .label(if absolute {
                    "expected an absolute URL like http://localhost:8080"
                } else {
                    "expected an absolute URL, or a path like /users/1"
                });
            r.report(d);
            return None;
        }
        if !text.source.starts_with("http://") && !text.source.starts_with("https://") {
            let d = r
                .diagnostic(
                    node.span,
                    format!("`{}` is not an http or https URL", text.source),
                )
                .label("sonde speaks HTTP: use http:// or https://");
            r.report(d);
            return None;
        }
    }
    Some(text)
}

pub(crate) fn read_settings(r: &mut Reader, f: &Fields) -> Settings {
    let mut s = Settings::default();
    if let Some(n) = f.get("base_url") {
        s.base_url = read_url(r, n, true);
    }
    if let Some(n) = f.get("headers") {
        s.headers = read_headers(r, n).unwrap_or_default();
    }
    if let Some(n) = f.get("params") {
        s.params = read_params(r, n);
    }
    if let Some(n) = f.get("cookies") {
        s.cookies = read_value_map(r, n, "a mapping of cookies").unwrap_or_default();
    }
    if let Some(n) = f.get("auth") {
        s.auth = if n.is_null() {
            Setting::Remove
        } else {
            read_auth(r, n).map(Setting::Set).unwrap_or_default()
        };
    }
    if let Some(n) = f.get("timeout") {
        s.timeout = read_timeout(r, n);
    }
    if let Some(n) = f.get("retries") {
        s.retries = read_retries(r, n);
    }
    if let Some(n) = f.get("allow_redirects") {
        s.allow_redirects = r.bool(n, "`true` or `false`");
    }
    if let Some(n) = f.get("max_redirects") {
        s.max_redirects = r
            .unsigned(n, "a number of redirects", 1000)
            .map(|v| v as u32);
    }
    if let Some(n) = f.get("proxies") {
        s.proxies = read_proxies(r, n);
    }
    if let Some(n) = f.get("verify") {
        s.verify = match &n.kind {
            NodeKind::Bool(b) => Some(Verify::Enabled(*b)),
            NodeKind::Str(_) => r.text(n, "a CA bundle path").map(Verify::CaBundle),
            _ => {
                r.type_error(n, "`true`, `false`, or the path of a CA bundle");
                None
            }
        };
    }
    if let Some(n) = f.get("cert") {
        s.cert = read_cert(r, n);
    }
    s
}

fn read_headers(r: &mut Reader, node: &Node) -> Option<Headers> {
    let entries = r.entries(node, "a mapping of headers", true)?;
    let mut headers = Vec::with_capacity(entries.len());
    for (name, value) in entries {
        if !is_header_name(&name.value) {
            r.error(
                name.span,
                format!("`{}` is not a valid header name", name.value),
            );
            continue;
        }
        if value.is_null() {
            headers.push((name, None));
            continue;
        }
        let text = match &value.kind {
            NodeKind::Seq(_) | NodeKind::Map(_) if !looks_like_unquoted_template(value) => {
                r.type_error(value, "a header value (a string)");
                continue;
            }
            _ => r.text(value, "a header value (a string)"),
        };
        if let Some(text) = text {
            if text.source.contains(['\r', '\n']) {
                let d = r
                    .diagnostic(
                        value.span,
                        format!("the value of header `{}` holds a line break", name.value),
                    )
                    .label("a header value is one line")
                    .note(
                        "a line break would end the header and let the rest be read as another one",
                    );
                r.report(d);
                continue;
            }
            headers.push((name, Some(Value::String(text))));
        }
    }
    Some(Headers(headers))
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn read_value_map(
    r: &mut Reader,
    node: &Node,
    expected: &str,
) -> Option<Vec<(Spanned<String>, Value)>> {
    let entries = r.entries(node, expected, false)?;
    let values: Vec<Option<(Spanned<String>, Value)>> = entries
        .into_iter()
        .map(|(k, v)| r.value(v).map(|v| (k, v)))
        .collect();
    values.into_iter().collect()
}

fn read_pairs(r: &mut Reader, items: &[Node], what: &str) -> Option<Vec<(Value, Value)>> {
    let mut pairs = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        match &item.kind {
            NodeKind::Seq(pair) if pair.len() == 2 => {
                match (r.value(&pair[0]), r.value(&pair[1])) {
                    (Some(k), Some(v)) => pairs.push((k, v)),
                    _ => ok = false,
                }
            }
            _ => {
                r.type_error(item, &format!("a `[key, value]` pair ({what})"));
                ok = false;
            }
        }
    }
    ok.then_some(pairs)
}

fn read_params(r: &mut Reader, node: &Node) -> Option<Params> {
    match &node.kind {
        NodeKind::Map(_) if !looks_like_unquoted_template(node) => {
            read_value_map(r, node, "a mapping of params").map(Params::Map)
        }
        NodeKind::Seq(items) => read_pairs(r, items, "params").map(Params::Pairs),
        NodeKind::Str(_) => r.text(node, "a query string").map(Params::Raw),
        _ => {
            r.type_error(
                node,
                "a mapping, a list of `[key, value]` pairs, or a raw query string",
            );
            None
        }
    }
}

fn read_credentials(r: &mut Reader, node: &Node, what: &str) -> Option<(Text, Text)> {
    match &node.kind {
        NodeKind::Seq(items) if items.len() == 2 => {
            let user = r.text(&items[0], "a user name");
            let password = r.text(&items[1], "a password");
            Some((user?, password?))
        }
        _ => {
            r.type_error(node, &format!("`[user, password]` ({what})"));
            None
        }
    }
}

fn read_auth(r: &mut Reader, node: &Node) -> Option<Auth> {
    const FORMS: &[&str] = &["basic", "digest", "bearer", "header"];
    if let NodeKind::Seq(_) = node.kind {
        let (user, password) = read_credentials(r, node, "basic auth")?;
        return Some(Auth::Basic { user, password });
    }
    if !matches!(node.kind, NodeKind::Map(_)) {
        r.type_error(
            node,
            "`[user, password]` or a mapping with one of basic, digest, bearer, header",
        );
        return None;
    }
    let before = r.errors.len();
    let f = r.fields(node, "auth", FORMS)?;
    if r.errors.len() > before {
        return None;
    }
    let mut keys = f.keys();
    let (Some(key), None) = (keys.next(), keys.next()) else {
        let d = r
            .diagnostic(
                node.span,
                "`auth` takes exactly one of basic, digest, bearer, header",
            )
            .label("expected one key");
        r.report(d);
        return None;
    };
    let value = f.get(&key.value)?;
    match key.value.as_ref() {
        "basic" => read_credentials(r, value, "basic auth")
            .map(|(user, password)| Auth::Basic { user, password }),
        "digest" => read_credentials(r, value, "digest auth")
            .map(|(user, password)| Auth::Digest { user, password }),
        "bearer" => r.text(value, "a token").map(Auth::Bearer),
        _ => {
            let hf = r.fields(value, "header auth", &["name", "value"])?;
            let name = match hf.get("name") {
                Some(n) => r.text(n, "a header name"),
                None => {
                    r.error(
                        value.span,
                        "header auth needs `name` (the header) and `value`",
                    );
                    None
                }
            };
            let token = match hf.get("value") {
                Some(n) => r.text(n, "a header value"),
                None => {
                    r.error(
                        value.span,
                        "header auth needs `name` (the header) and `value`",
                    );
                    None
                }
            };
            Some(Auth::Header {
                name: name?,
                value: token?,
            })
        }
    }
}

fn read_timeout(r: &mut Reader, node: &Node) -> Option<Timeout> {
    if let NodeKind::Map(_) = node.kind {
        let f = r.fields(node, "timeout", &["connect", "read", "total"])?;
        let mut timeout = Timeout::default();
        if let Some(n) = f.get("connect") {
            timeout.connect = Some(r.duration(n)?);
        }
        if let Some(n) = f.get("read") {
            timeout.read = Some(r.duration(n)?);
        }
        if let Some(n) = f.get("total") {
            timeout.total = Some(r.duration(n)?);
        }
        return Some(timeout);
    }
    r.duration(node).map(|d| Timeout {
        total: Some(d),
        ..Timeout::default()
    })
}

fn read_retries(r: &mut Reader, node: &Node) -> Option<Retries> {
    if let NodeKind::Int(_) = node.kind {
        return r
            .unsigned(node, "a number of retries", 100)
            .map(|count| Retries {
                count: count as u32,
                backoff: Retries::DEFAULT_BACKOFF,
                on_status: Retries::DEFAULT_ON_STATUS.to_vec(),
            });
    }
    if !matches!(node.kind, NodeKind::Map(_)) {
        r.type_error(
            node,
            "a number of retries, or `{count, backoff, on_status}`",
        );
        return None;
    }
    let f = r.fields(node, "retries", &["count", "backoff", "on_status"])?;
    let count = match f.get("count") {
        Some(n) => r.unsigned(n, "a number of retries", 100)? as u32,
        None => {
            r.error(node.span, "`retries` needs `count`");
            return None;
        }
    };
    let backoff = match f.get("backoff") {
        Some(n) => r.duration(n)?,
        None => Retries::DEFAULT_BACKOFF,
    };
    let on_status = match f.get("on_status") {
        Some(n) => read_status_list(r, n)?,
        None => Retries::DEFAULT_ON_STATUS.to_vec(),
    };
    Some(Retries {
        count,
        backoff,
        on_status,
    })
}

fn read_status_list(r: &mut Reader, node: &Node) -> Option<Vec<u16>> {
    let NodeKind::Seq(items) = &node.kind else {
        r.type_error(node, "a list of status codes");
        return None;
    };
    let codes: Vec<Option<u16>> = items.iter().map(|n| read_status_code(r, n)).collect();
    codes.into_iter().collect()
}

fn read_status_code(r: &mut Reader, node: &Node) -> Option<u16> {
    let code = match &node.kind {
        NodeKind::Int(i) => Some(*i),
        NodeKind::Str(s) => s.trim().parse::<i128>().ok(),
        _ => None,
    };
    match code {
        Some(c) if (100..=599).contains(&c) => Some(c as u16),
        _ => {
            let d = r
                .diagnostic(
                    node.span,
                    format!(
                        "expected a status code from 100 to 599, found {}",
                        describe_scalar(node)
                    ),
                )
                .label("expected a status code");
            r.report(d);
            None
        }
    }
}

fn describe_scalar(node: &Node) -> String {
    match node.scalar_text() {
        Some(text) if !matches!(node.kind, NodeKind::Null) => format!("`{text}`"),
        _ => node.kind.describe().to_string(),
    }
}

fn read_proxies(r: &mut Reader, node: &Node) -> Option<Proxies> {
    match &node.kind {
        NodeKind::Str(_) => read_proxy_url(r, node).map(Proxies::All),
        NodeKind::Map(_) => {
            let f = r.fields(node, "proxies", &["http", "https"])?;
            let http = f.get("http").map(|n| read_proxy_url(r, n));
            let https = f.get("https").map(|n| read_proxy_url(r, n));
            Some(Proxies::PerScheme {
                http: match http {
                    Some(u) => Some(u?),
                    None => None,
                },
                https: match https {
                    Some(u) => Some(u?),
                    None => None,
                },
            })
        }
        _ => {
            r.type_error(node, "a proxy URL, or `{http: url, https: url}`");
            None
        }
    }
}

/// A proxy's URL: absolute, and `http://`, as sonde speaks to proxies in plain HTTP (an
/// `https` request still goes through one, in a `CONNECT` tunnel).
fn read_proxy_url(r: &mut Reader, node: &Node) -> Option<Text> {
    let text = read_url(r, node, true)?;
    if text.is_literal() && text.source.starts_with("https://") {
        let d = r
            .diagnostic(
                node.span,
                format!("`{}`: sonde reaches proxies over plain HTTP", text.source),
            )
            .label("use the proxy's http:// URL; https requests go through it in a CONNECT tunnel");
        r.report(d);
        return None;
    }
    Some(text)
}

fn read_cert(r: &mut Reader, node: &Node) -> Option<ClientCert> {
    match &node.kind {
        NodeKind::Str(_) => r.text(node, "a PEM path").map(ClientCert::Combined),
        NodeKind::Seq(items) if items.len() == 2 => {
            let cert = r.text(&items[0], "a certificate path");
            let key = r.text(&items[1], "a key path");
            Some(ClientCert::Pair {
                cert: cert?,
                key: key?,
            })
        }
        _ => {
            r.type_error(node, "a PEM path, or `[cert.pem, key.pem]`");
            None
        }
    }
}

fn read_data(r: &mut Reader, node: &Node) -> Option<Data> {
    match &node.kind {
        NodeKind::Map(entries) if entries.len() == 1 && entries[0].0.as_str() == Some("file") => {
            r.text(&entries[0].1, "a file path").map(Data::File)
        }
        NodeKind::Map(_) if !looks_like_unquoted_template(node) => {
            let entries = read_value_map(r, node, "a mapping of form fields")?;
            Some(Data::Form(
                entries
                    .into_iter()
                    .map(|(k, v)| (Value::String(Text::literal(k.value, k.span)), v))
                    .collect(),
            ))
        }
        NodeKind::Seq(items) => read_pairs(r, items, "form fields").map(Data::Form),
        NodeKind::Str(_) | NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_) => {
            r.text(node, "a raw body").map(Data::Raw)
        }
        _ => {
            r.type_error(
                node,
                "a mapping or list of pairs (form), a string (raw body), or `{file: path}`",
            );
            None
        }
    }
}

fn read_files(r: &mut Reader, node: &Node) -> Option<Vec<FilePart>> {
    let entries = r.entries(node, "a mapping of multipart parts", false)?;
    let mut parts = Vec::with_capacity(entries.len());
    let mut ok = true;
    for (field, value) in entries {
        let content = match &value.kind {
            NodeKind::Str(_) => r.text(value, "inline text").map(FileContent::Inline),
            NodeKind::Map(_) => read_file_spec(r, value),
            _ => {
                r.type_error(
                    value,
                    "`{file: path, filename?, content_type?, headers?}` or inline text",
                );
                None
            }
        };
        match content {
            Some(content) => parts.push(FilePart { field, content }),
            None => ok = false,
        }
    }
    ok.then_some(parts)
}

fn read_file_spec(r: &mut Reader, node: &Node) -> Option<FileContent> {
    let f = r.fields(
        node,
        "a file part",
        &["file", "filename", "content_type", "headers"],
    )?;
    let path = match f.get("file") {
        Some(n) => r.text(n, "a file path"),
        None => {
            r.error(node.span, "a file part needs `file: path`");
            None
        }
    };
    let filename = f.get("filename").map(|n| r.text(n, "a file name"));
    let content_type = f.get("content_type").map(|n| r.text(n, "a content type"));
    let headers = f.get("headers").map(|n| read_headers(r, n));
    Some(FileContent::File {
        path: path?,
        filename: match filename {
            Some(t) => Some(t?),
            None => None,
        },
        content_type: match content_type {
            Some(t) => Some(t?),
            None => None,
        },
        headers: match headers {
            Some(h) => h?,
            None => Headers::default(),
        },
    })
}

fn read_expect(r: &mut Reader, node: &Node) -> Option<Expect> {
    let f = r.fields(node, "expect", EXPECT_KEYS)?;
    let mut e = Expect::default();
    let before = r.errors.len();
    if let Some(n) = f.get("status") {
        e.status = read_status(r, n).map(|s| Spanned::new(s, n.span));
    }
    if let Some(n) = f.get("ok") {
        e.ok = r
            .bool(n, "`true` or `false`")
            .map(|b| Spanned::new(b, n.span));
    }
    if let Some(n) = f.get("headers") {
        e.headers = read_header_expects(r, n).unwrap_or_default();
    }
    if let Some(n) = f.get("json") {
        e.json = read_json_expects(r, n).unwrap_or_default();
    }
    if let Some(n) = f.get("body") {
        e.body = read_matcher(r, n).map(|m| Spanned::new(m, n.span));
    }
    if let Some(n) = f.get("bytes") {
        e.bytes = read_bytes_expect(r, n);
    }
    if let Some(n) = f.get("schema") {
        e.schema = read_schema(r, n).map(|s| Spanned::new(s, n.span));
    }
    if let Some(n) = f.get("cookies") {
        e.cookies = r
            .entries(
                n,
                "a mapping of cookie names to values or predicates",
                false,
            )
            .map(|entries| {
                entries
                    .into_iter()
                    .filter_map(|(k, v)| read_matcher(r, v).map(|m| (k, Spanned::new(m, v.span))))
                    .collect()
            })
            .unwrap_or_default();
    }
    if let Some(n) = f.get("duration") {
        e.duration = read_matcher(r, n)
            .and_then(|m| durations_to_millis(r, m))
            .map(|m| Spanned::new(m, n.span));
    }
    if let Some(n) = f.get("redirects") {
        e.redirects = read_matcher(r, n).map(|m| Spanned::new(m, n.span));
    }
    if let Some(n) = f.get("url") {
        e.url = read_matcher(r, n).map(|m| Spanned::new(m, n.span));
    }
    (r.errors.len() == before).then_some(e)
}

fn read_status(r: &mut Reader, node: &Node) -> Option<StatusExpect> {
    match &node.kind {
        NodeKind::Int(_) => read_status_code(r, node).map(StatusExpect::Code),
        NodeKind::Seq(_) => read_status_list(r, node).map(StatusExpect::AnyOf),
        NodeKind::Str(s) => {
            let lower = s.trim().to_ascii_lowercase();
            if let Some(digit) = lower.strip_suffix("xx").and_then(|d| d.parse::<u16>().ok())
                && (1..=5).contains(&digit)
                && lower.len() == 3
            {
                return Some(StatusExpect::Class(digit));
            }
            if lower.parse::<u16>().is_ok() {
                return read_status_code(r, node).map(StatusExpect::Code);
            }
            let d = r
                .diagnostic(node.span, format!("`{s}` is not a status"))
                .label(
                    "expected a status code, a list of codes, a class like \"2xx\", or a predicate",
                );
            r.report(d);
            None
        }
        // No status equals an object: a mapping here can only be predicates.
        NodeKind::Map(_) => read_predicates(r, node).map(StatusExpect::Matches),
        _ => {
            r.type_error(
                node,
                "a status code, a list of codes, a class like \"2xx\", or a predicate",
            );
            None
        }
    }
}

fn read_header_expects(r: &mut Reader, node: &Node) -> Option<Vec<HeaderExpect>> {
    let entries = r.entries(
        node,
        "a mapping of header names to values or predicates",
        true,
    )?;
    let mut out = Vec::with_capacity(entries.len());
    for (name, value) in entries {
        let matcher = if value.is_null() {
            None
        } else {
            Some(Spanned::new(read_matcher(r, value)?, value.span))
        };
        out.push(HeaderExpect { name, matcher });
    }
    Some(out)
}

fn read_json_expects(r: &mut Reader, node: &Node) -> Option<Vec<JsonExpect>> {
    let entries = r.entries(
        node,
        "a mapping of JSONPaths to values or predicates",
        false,
    )?;
    let mut out = Vec::with_capacity(entries.len());
    for (path, value) in entries {
        let compiled = r.json_path(&path.value, path.span);
        let matcher = read_matcher(r, value);
        if let (Some(path), Some(matcher)) = (compiled, matcher) {
            out.push(JsonExpect {
                path,
                matcher: Spanned::new(matcher, value.span),
            });
        }
    }
    Some(out)
}

fn read_bytes_expect(r: &mut Reader, node: &Node) -> Option<BytesExpect> {
    let f = r.fields(node, "bytes", &["length", "sha256", "equals_file"])?;
    let mut b = BytesExpect::default();
    if let Some(n) = f.get("length") {
        b.length = Some(Spanned::new(read_matcher(r, n)?, n.span));
    }
    if let Some(n) = f.get("sha256") {
        let hash = r.string(n, "a hex SHA-256")?;
        if hash.value.len() != 64 || !hash.value.chars().all(|c| c.is_ascii_hexdigit()) {
            r.error(n.span, "expected a SHA-256 as 64 hexadecimal digits");
            return None;
        }
        b.sha256 = Some(hash.map(|h| h.to_ascii_lowercase()));
    }
    if let Some(n) = f.get("equals_file") {
        b.equals_file = Some(r.text(n, "a file path")?);
    }
    Some(b)
}

fn read_schema(r: &mut Reader, node: &Node) -> Option<SchemaSource> {
    match &node.kind {
        NodeKind::Str(path) => Some(SchemaSource::File(path.as_str().to_owned())),
        NodeKind::Map(_) | NodeKind::Bool(_) => {
            let json = node.to_json();
            if let Err(e) = jsonschema::meta::validate(&json) {
                let d = r
                    .diagnostic(node.span, "this is not a valid JSON Schema")
                    .label(e.to_string());
                r.report(d);
                return None;
            }
            Some(SchemaSource::Inline(json))
        }
        _ => {
            r.type_error(node, "a JSON Schema (a mapping) or the path of one");
            None
        }
    }
}

/// A bare value (equality), or a mapping whose keys are all predicate words.
pub fn read_matcher(r: &mut Reader, node: &Node) -> Option<Matcher> {
    let NodeKind::Map(entries) = &node.kind else {
        return r.value(node).map(Matcher::Equals);
    };
    // As the SPEC says: a mapping is a predicate only when every key is a predicate word.
    let is_predicate = !entries.is_empty()
        && entries
            .iter()
            .all(|(k, _)| k.as_str().is_some_and(|k| Predicate::WORDS.contains(&k)));
    if !is_predicate {
        if looks_like_unquoted_template(node) {
            r.type_error(node, "a value or a predicate");
            return None;
        }
        return r.value(node).map(Matcher::Equals);
    }
    read_predicates(r, node)
}

/// A mapping that can only be predicates (a status never equals an object): other keys
/// are reported, with the nearest word.
fn read_predicates(r: &mut Reader, node: &Node) -> Option<Matcher> {
    let pairs = r.keyed_entries(node, "a predicate")?;
    if pairs.is_empty() {
        r.type_error(node, "a predicate such as `{ ge: 200, lt: 300 }`");
        return None;
    }
    let unknown: Vec<_> = pairs
        .iter()
        .filter(|(word, _)| !Predicate::WORDS.contains(&word.value.as_ref()))
        .map(|(word, _)| word.clone())
        .collect();
    for word in &unknown {
        r.unknown_key(word, "a predicate", &Predicate::WORDS);
    }
    if !unknown.is_empty() {
        return None;
    }
    let mut predicates = Vec::with_capacity(pairs.len());
    let mut ok = true;
    for (word, operand) in pairs {
        match read_predicate(r, &word.value, operand) {
            Some(p) => predicates.push(Spanned::new(p, word.span)),
            None => ok = false,
        }
    }
    ok.then_some(Matcher::All(predicates))
}

fn read_predicate(r: &mut Reader, word: &str, operand: &Node) -> Option<Predicate> {
    Some(match word {
        "eq" => Predicate::Eq(r.value(operand)?),
        "ne" => Predicate::Ne(r.value(operand)?),
        "lt" => Predicate::Lt(r.value(operand)?),
        "le" => Predicate::Le(r.value(operand)?),
        "gt" => Predicate::Gt(r.value(operand)?),
        "ge" => Predicate::Ge(r.value(operand)?),
        "contains" => Predicate::Contains(r.value(operand)?),
        "not_contains" => Predicate::NotContains(r.value(operand)?),
        "starts_with" => Predicate::StartsWith(r.value(operand)?),
        "ends_with" => Predicate::EndsWith(r.value(operand)?),
        "matches" => {
            let pattern = r.string(operand, "a regular expression")?;
            let text = r.text_from(pattern.value.clone(), pattern.span)?;
            if text.is_template() {
                Predicate::Matches(Pattern::Template(text))
            } else {
                Predicate::Matches(Pattern::Compiled(r.regex(&pattern.value, pattern.span)?))
            }
        }
        "one_of" => match &operand.kind {
            NodeKind::Seq(items) => {
                let values: Vec<Option<Value>> = items.iter().map(|i| r.value(i)).collect();
                Predicate::OneOf(values.into_iter().collect::<Option<_>>()?)
            }
            _ => {
                r.type_error(operand, "a list of values");
                return None;
            }
        },
        "type" if operand.is_null() => Predicate::Type(JsonType::Null),
        "type" => {
            let name = r.string(operand, "a JSON type name")?;
            match JsonType::from_name(&name.value) {
                Some(t) => Predicate::Type(t),
                None => {
                    let mut d =
                        r.diagnostic(operand.span, format!("`{}` is not a JSON type", name.value));
                    if let Some(near) = super::diagnostics::suggest(&name.value, JsonType::NAMES) {
                        d = d.label(format!("did you mean `{near}`?"));
                    }
                    r.report(d.note(format!("expected one of: {}", JsonType::NAMES.join(", "))));
                    return None;
                }
            }
        }
        "length" => match &operand.kind {
            NodeKind::Int(_) => Predicate::Length(Box::new(Matcher::Equals(r.value(operand)?))),
            NodeKind::Map(_) => Predicate::Length(Box::new(read_matcher(r, operand)?)),
            _ => {
                r.type_error(operand, "a length or a predicate on it");
                return None;
            }
        },
        "exists" => Predicate::Exists(r.bool(operand, "`true` or `false`")?),
        _ => Predicate::Not(Box::new(read_matcher(r, operand)?)),
    })
}

/// In `duration`, operands are durations (`500ms`); they are compared as milliseconds.
fn durations_to_millis(r: &mut Reader, matcher: Matcher) -> Option<Matcher> {
    fn convert(r: &mut Reader, value: Value) -> Option<Value> {
        match value {
            Value::String(text) if text.is_literal() => {
                match crate::duration::parse(&text.source) {
                    Ok(d) => Some(Value::Number(millis(d))),
                    Err(error) => {
                        let d = r
                            .diagnostic(text.span, error.to_string())
                            .label("expected a duration like 500ms");
                        r.report(d);
                        None
                    }
                }
            }
            Value::Array(items) => {
                let items: Vec<Option<Value>> = items.into_iter().map(|v| convert(r, v)).collect();
                Some(Value::Array(items.into_iter().collect::<Option<_>>()?))
            }
            other => Some(other),
        }
    }
    fn convert_matcher(r: &mut Reader, matcher: Matcher) -> Option<Matcher> {
        Some(match matcher {
            Matcher::Equals(v) => Matcher::Equals(convert(r, v)?),
            Matcher::All(predicates) => {
                let mut out = Vec::with_capacity(predicates.len());
                for p in predicates {
                    let span = p.span;
                    let converted = match p.value {
                        Predicate::Eq(v) => Predicate::Eq(convert(r, v)?),
                        Predicate::Ne(v) => Predicate::Ne(convert(r, v)?),
                        Predicate::Lt(v) => Predicate::Lt(convert(r, v)?),
                        Predicate::Le(v) => Predicate::Le(convert(r, v)?),
                        Predicate::Gt(v) => Predicate::Gt(convert(r, v)?),
                        Predicate::Ge(v) => Predicate::Ge(convert(r, v)?),
                        Predicate::OneOf(vs) => {
                            let vs: Vec<Option<Value>> =
                                vs.into_iter().map(|v| convert(r, v)).collect();
                            Predicate::OneOf(vs.into_iter().collect::<Option<_>>()?)
                        }
                        Predicate::Not(m) => Predicate::Not(Box::new(convert_matcher(r, *m)?)),
                        other => other,
                    };
                    out.push(Spanned::new(converted, span));
                }
                Matcher::All(out)
            }
        })
    }
    convert_matcher(r, matcher)
}

/// Whole milliseconds as an integer, so that messages read `500`, not `500.0`.
fn millis(d: std::time::Duration) -> serde_json::Number {
    let ms = d.as_secs_f64() * 1000.0;
    if ms.fract() == 0.0 && ms < u64::MAX as f64 {
        serde_json::Number::from(ms as u64)
    } else {
        serde_json::Number::from_f64(ms).unwrap_or_else(|| serde_json::Number::from(0))
    }
}

fn read_captures(r: &mut Reader, node: &Node) -> Option<Vec<Capture>> {
    let entries = r.entries(node, "a mapping of variable names to sources", false)?;
    let mut captures = Vec::with_capacity(entries.len());
    let mut ok = true;
    for (name, source) in entries {
        if !is_identifier(&name.value) {
            r.error(
                name.span,
                format!("`{}` is not a valid variable name", name.value),
            );
            ok = false;
            continue;
        }
        match read_capture_source(r, source) {
            Some(source) => captures.push(Capture { name, source }),
            None => ok = false,
        }
    }
    ok.then_some(captures)
}

fn read_capture_source(r: &mut Reader, node: &Node) -> Option<CaptureSource> {
    const EXPECTED: &str = "a JSONPath (`$.id`), or one of `{json: path}`, `{header: name}`, \
                            `{cookie: name}`, `{status: true}`, `{url: true}`, `{body: true}`, \
                            `{regex: pattern, group: 1}`, `{duration: true}`";
    if let NodeKind::Str(path) = &node.kind {
        if path.starts_with('$') {
            return r.json_path(path, node.span).map(CaptureSource::Json);
        }
        let d = r
            .diagnostic(node.span, format!("`{path}` is not a capture source"))
            .label("a JSONPath starts with `$`")
            .note(format!("expected {EXPECTED}"));
        r.report(d);
        return None;
    }
    if !matches!(node.kind, NodeKind::Map(_)) {
        r.type_error(node, EXPECTED);
        return None;
    }
    let f = r.fields(node, "a capture", CAPTURE_KEYS)?;
    let kinds: Vec<_> = f.keys().filter(|k| k.value != "group").collect();
    if kinds.len() != 1 || (f.has("group") && !f.has("regex")) {
        let d = r
            .diagnostic(node.span, "a capture takes exactly one source")
            .note(format!("expected {EXPECTED}"));
        r.report(d);
        return None;
    }
    let kind = kinds[0].value.clone().into_owned();
    let value = f.get(&kind)?;
    let flag = |r: &mut Reader, source: CaptureSource| -> Option<CaptureSource> {
        match value.kind {
            NodeKind::Bool(true) => Some(source),
            _ => {
                r.type_error(value, "`true`");
                None
            }
        }
    };
    match kind.as_str() {
        "json" => {
            let path = r.string(value, "a JSONPath")?;
            r.json_path(&path.value, path.span).map(CaptureSource::Json)
        }
        "header" => r.scalar(value, "a header name").map(CaptureSource::Header),
        "cookie" => r.scalar(value, "a cookie name").map(CaptureSource::Cookie),
        "status" => flag(r, CaptureSource::Status),
        "url" => flag(r, CaptureSource::Url),
        "body" => flag(r, CaptureSource::Body),
        "duration" => flag(r, CaptureSource::Duration),
        _ => {
            let pattern = r.string(value, "a regular expression")?;
            let regex = r.regex(&pattern.value, pattern.span)?;
            let groups = regex.captures_len() - 1;
            let group = match f.get("group") {
                Some(n) => r.unsigned(n, "a group number", 1000)? as usize,
                None => usize::from(groups > 0),
            };
            if group > groups {
                let span = f.get("group").map_or(value.span, |n| n.span);
                r.error(
                    span,
                    format!("the regex has {groups} group(s): there is no group {group}"),
                );
                return None;
            }
            Some(CaptureSource::Regex { regex, group })
        }
    }
}
