//! The request of a block: request line, URL, headers (and the auth they carry), body.

use std::sync::LazyLock;

use regex::Regex;

use super::block::{RawRequest, is_token};
use super::body::{Body, build_body};
use super::lines::count_chars;
use super::translate::{Scope, Translator, span_at};
use crate::model::{Auth, Headers, Request, Setting, Settings, Text, Value};
use crate::source::{Span, Spanned};

/// Headers sonde sets itself: the user's copies would be wrong once templates are rendered
/// (the REST Client drops `Content-Length` for the same reason).
const COMPUTED_HEADERS: [&str; 1] = ["content-length"];

/// A request and the URL as written (the step's default name).
pub(super) struct BuiltRequest {
    pub request: Request,
    pub written: String,
}

pub(super) fn build_request(
    raw: &RawRequest,
    tr: &mut Translator,
    step: usize,
) -> Option<BuiltRequest> {
    let scope = Scope::Step(step);
    let (method, target) = split_request_line(&raw.line, tr)?;
    let form = target_form(&target, tr)?;
    let host = raw.header("host").filter(|_| form == TargetForm::Origin);
    let pieces = url_pieces(&target, form, host);
    let written: String = pieces.iter().map(|p| p.value.as_str()).collect();
    let url = tr.text(&pieces, "", target[0].span, scope);
    let body = build_body(raw, tr, step);
    let (headers, auth) = read_headers(raw, host.is_some(), body.as_ref(), tr, scope)?;
    let (url, body) = (url?, body?);
    check_absolute_url(&url, tr)?;
    let settings = Settings {
        headers,
        auth,
        ..Settings::default()
    };
    let request = Request {
        method,
        url,
        settings,
        json: body.json,
        data: body.data,
        files: body.files,
        encoding: None,
        save_body: None,
    };
    Some(BuiltRequest { request, written })
}

/// `METHOD target [HTTP/x]`, or a target alone (GET). The target keeps its continuation lines.
fn split_request_line(
    pieces: &[Spanned<String>],
    tr: &mut Translator,
) -> Option<(Spanned<String>, Vec<Spanned<String>>)> {
    let first = pieces.first()?;
    let text = first.value.as_str();
    let (method, target_start) = match text.split_once(char::is_whitespace) {
        Some((word, _)) if is_token(word) && !looks_like_target(word) => {
            let rest = text[word.len()..].trim_start();
            let offset = text.len() - rest.len();
            let target = Spanned::new(rest.to_owned(), span_at(first.span, text, offset));
            (Spanned::new(word.to_ascii_uppercase(), first.span), target)
        }
        _ => (Spanned::new("GET".to_owned(), first.span), first.clone()),
    };
    let mut target = vec![target_start];
    target.extend(pieces[1..].iter().cloned());
    strip_http_version(&mut target);
    if target.iter().all(|p| p.value.is_empty()) {
        let d = not_a_request_line(first, tr);
        tr.report(d);
        return None;
    }
    Some((method, target))
}

fn looks_like_target(word: &str) -> bool {
    word.contains("://") || word.starts_with('/') || word.starts_with("{{")
}

/// Drops a trailing ` HTTP/1.1` (or a continuation line holding only it).
fn strip_http_version(target: &mut Vec<Spanned<String>>) {
    static VERSION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)(^|\s+)HTTP/[0-9.]+\s*$").expect("valid regex"));
    let Some(last) = target.last_mut() else {
        return;
    };
    if let Some(m) = VERSION.find(&last.value) {
        last.value.truncate(m.start());
        if last.value.is_empty() && target.len() > 1 {
            target.pop();
        }
    }
}

fn not_a_request_line(line: &Spanned<String>, tr: &mut Translator) -> crate::Diagnostic {
    tr.error(line.span, format!("`{}` is not a request line", line.value))
        .width(count_chars(&line.value) as usize)
        .label("expected `METHOD URL [HTTP/1.1]`")
        .note(
            "like `GET https://example.com/users` or `POST /users HTTP/1.1` with a `Host:` header",
        )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetForm {
    /// `http://…` or `https://…`.
    Absolute,
    /// `/path`: joined to the `Host` header, or to the session's `base_url`.
    Origin,
    /// `{{base}}/path`: known when rendered.
    Templated,
    /// `example.com/path`: `http://` is added.
    Schemeless,
}

fn target_form(target: &[Spanned<String>], tr: &mut Translator) -> Option<TargetForm> {
    static HOST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(localhost|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|\[[0-9A-Fa-f:.]+\])(:[0-9]+)?([/?#].*)?$",
        )
        .expect("valid regex")
    });
    let first = &target[0];
    let text = first.value.as_str();
    let lower = text.to_ascii_lowercase();
    let form = if lower.starts_with("http://") || lower.starts_with("https://") {
        TargetForm::Absolute
    } else if text.starts_with("{{") {
        TargetForm::Templated
    } else if text.starts_with('/') {
        TargetForm::Origin
    } else if text.contains("://") {
        let d = tr
            .error(first.span, format!("`{text}` is not an http or https URL"))
            .width(count_chars(text) as usize)
            .label("sonde speaks HTTP: use http:// or https://");
        tr.report(d);
        return None;
    } else if HOST.is_match(text) {
        TargetForm::Schemeless
    } else {
        let line = Spanned::new(text.to_owned(), first.span);
        let d = not_a_request_line(&line, tr);
        tr.report(d);
        return None;
    };
    Some(form)
}

/// The URL as pieces of `.http` text: an origin-form target is joined to its `Host` header,
/// with `https` for ports 443 and 8443 as the REST Client does.
fn url_pieces(
    target: &[Spanned<String>],
    form: TargetForm,
    host: Option<&Spanned<String>>,
) -> Vec<Spanned<String>> {
    let scheme = |span: Span, scheme: &str| Spanned::new(format!("{scheme}://"), span);
    let mut pieces = Vec::with_capacity(target.len() + 2);
    match (form, host) {
        (TargetForm::Origin, Some(host)) => {
            let port = host.value.rsplit_once(':').map(|(_, p)| p);
            let secure = matches!(port, Some("443" | "8443"));
            pieces.push(scheme(host.span, if secure { "https" } else { "http" }));
            pieces.push(host.clone());
        }
        (TargetForm::Schemeless, _) => pieces.push(scheme(target[0].span, "http")),
        _ => {}
    }
    pieces.extend(target.iter().cloned());
    pieces
}

/// A literal absolute URL must parse now, not fail at run time.
fn check_absolute_url(url: &Text, tr: &mut Translator) -> Option<()> {
    if !url.is_literal() || !url.source.contains("://") {
        return Some(());
    }
    match url::Url::parse(&url.source) {
        Ok(_) => Some(()),
        Err(e) => {
            let d = tr
                .error(
                    url.span,
                    format!("`{}` is not a valid URL: {e}", url.source),
                )
                .width(count_chars(&url.source) as usize);
            tr.report(d);
            None
        }
    }
}

/// The headers to send and the auth found in `Authorization`; `None` on an error.
fn read_headers(
    raw: &RawRequest,
    host_in_url: bool,
    body: Option<&Body>,
    tr: &mut Translator,
    scope: Scope,
) -> Option<(Headers, Setting<Auth>)> {
    let mut headers = Vec::with_capacity(raw.headers.len());
    let mut auth = Setting::Inherit;
    let mut ok = true;
    for (name, value) in &raw.headers {
        let lower = name.value.to_ascii_lowercase();
        let dropped = COMPUTED_HEADERS.contains(&lower.as_str())
            || (lower == "host" && host_in_url)
            || body.is_some_and(|b| b.dropped_headers.contains(&lower.as_str()));
        if dropped {
            continue;
        }
        if lower == "authorization" {
            match header_auth(value, tr, scope) {
                HeaderAuth::Ordinary => {}
                HeaderAuth::Auth(a) => {
                    auth = Setting::Set(a);
                    continue;
                }
                HeaderAuth::Invalid => {
                    ok = false;
                    continue;
                }
            }
        }
        match tr.text_line(&value.value, value.span, scope) {
            Some(text) => headers.push((name.clone(), Some(Value::String(text)))),
            None => ok = false,
        }
    }
    ok.then_some((Headers(headers), auth))
}

/// What [`header_auth`] makes of an `Authorization` header.
enum HeaderAuth {
    /// An ordinary header (a base64 token, a full digest header…), sent as written.
    Ordinary,
    /// A shorthand, read as sonde auth.
    Auth(Auth),
    /// A shorthand whose user or password is in error (reported already).
    Invalid,
}

/// The REST Client's shorthands `Authorization: Basic user:pass` (or `Basic user pass`) and
/// `Authorization: Digest user pass` as sonde auth (so the password is treated as a secret).
fn header_auth(value: &Spanned<String>, tr: &mut Translator, scope: Scope) -> HeaderAuth {
    let text = value.value.as_str();
    let Some((scheme, _)) = text.split_once(char::is_whitespace) else {
        return HeaderAuth::Ordinary;
    };
    let rest_offset = text.len() - text[scheme.len()..].trim_start().len();
    let rest = &text[rest_offset..];
    let digest = match scheme.to_ascii_lowercase().as_str() {
        "basic" => false,
        "digest" if !rest.contains(['=', '"', ',']) => true,
        _ => return HeaderAuth::Ordinary,
    };
    let Some((user_end, pass_start)) = split_credentials(rest, !digest) else {
        return HeaderAuth::Ordinary;
    };
    let span_of = |offset: usize| span_at(value.span, text, rest_offset + offset);
    let user = tr.text_line(&rest[..user_end], span_of(0), scope);
    let password = tr.text_line(&rest[pass_start..], span_of(pass_start), scope);
    let (Some(user), Some(password)) = (user, password) else {
        return HeaderAuth::Invalid;
    };
    HeaderAuth::Auth(if digest {
        Auth::Digest { user, password }
    } else {
        Auth::Basic { user, password }
    })
}

/// Where the user name ends and the password starts: at the first `:` (when `colon` is
/// allowed) or run of blanks outside `{{…}}`; `None` for one word, or more than two.
fn split_credentials(text: &str, colon: bool) -> Option<(usize, usize)> {
    let outside = outside_templates(text);
    let &(at, c) = outside
        .iter()
        .find(|&&(_, c)| (colon && c == ':') || c.is_whitespace())?;
    if c == ':' {
        return Some((at, at + 1));
    }
    let pass_start = at + (text[at..].len() - text[at..].trim_start().len());
    let more_words = outside
        .iter()
        .any(|&(i, c)| i >= pass_start && c.is_whitespace() && !text[i..].trim().is_empty());
    (pass_start < text.len() && !more_words).then_some((at, pass_start))
}

/// The characters of `text` that stand outside `{{…}}`, with their byte offsets.
fn outside_templates(text: &str) -> Vec<(usize, char)> {
    let mut outside = Vec::new();
    let mut depth = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let doubled = chars.peek().is_some_and(|&(_, next)| next == c);
        if c == '{' && doubled {
            depth += 1;
            chars.next();
        } else if c == '}' && doubled && depth > 0 {
            depth -= 1;
            chars.next();
        } else if depth == 0 {
            outside.push((i, c));
        }
    }
    outside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_credentials_outside_templates() {
        assert_eq!(split_credentials("user:pass", true), Some((4, 5)));
        assert_eq!(split_credentials("user  pass", true), Some((4, 6)));
        assert_eq!(split_credentials("{{ a:b }}:{{ c }}", true), Some((9, 10)));
        assert_eq!(
            split_credentials("{{ user }} {{ pass }}", false),
            Some((10, 11))
        );
        assert_eq!(split_credentials("dXNlcjpwYXNz", true), None);
        assert_eq!(split_credentials("{{ token }}", true), None);
        assert_eq!(split_credentials("a b c", false), None);
        assert_eq!(split_credentials("é ü", false), Some((2, 3)));
        assert_eq!(split_credentials("{{é", true), None);
    }

    #[test]
    fn strips_the_http_version() {
        let piece = |t: &str| Spanned::new(t.to_owned(), Span::new(1, 1));
        let mut target = vec![piece("http://x/a HTTP/1.1")];
        strip_http_version(&mut target);
        assert_eq!(target[0].value, "http://x/a");
        let mut target = vec![piece("http://x/a"), piece("HTTP/2")];
        strip_http_version(&mut target);
        assert_eq!(target.len(), 1);
        let mut target = vec![piece("http://x/HTTP/1.1")];
        strip_http_version(&mut target);
        assert_eq!(target[0].value, "http://x/HTTP/1.1");
    }
}
