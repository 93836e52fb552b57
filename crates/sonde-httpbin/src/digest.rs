//! `/digest-auth/{qop}/{user}/{password}[/{algorithm}[/{stale_after}]]`: real HTTP
//! Digest authentication (RFC 7616, RFC 2617) with MD5, SHA-256 and SHA-512, `qop`
//! of `auth`, `auth-int` or none, and httpbin's cookie games (`stale_after`,
//! `last_nonce`, `fake`, `?require-cookie`).

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, COOKIE, WWW_AUTHENTICATE};
use axum::response::Response;
use md5::Md5;
use rand::RngCore as _;
use serde_json::json;
use sha2::{Digest as _, Sha256, Sha512};

use super::cookies::{request_cookie, set_cookie};
use super::request::RequestInfo;
use super::responses::{self, json_ok, json_with_status};

const REALM: &str = "me@kennethreitz.com";

pub(crate) async fn default_algorithm(
    Path((qop, user, password)): Path<(String, String, String)>,
    request: RequestInfo,
) -> Response {
    digest_auth(&request, &qop, &user, &password, "MD5", "never")
}

pub(crate) async fn with_algorithm(
    Path((qop, user, password, algorithm)): Path<(String, String, String, String)>,
    request: RequestInfo,
) -> Response {
    digest_auth(&request, &qop, &user, &password, &algorithm, "never")
}

pub(crate) async fn with_stale_after(
    Path((qop, user, password, algorithm, stale_after)): Path<(
        String,
        String,
        String,
        String,
        String,
    )>,
    request: RequestInfo,
) -> Response {
    digest_auth(&request, &qop, &user, &password, &algorithm, &stale_after)
}

/// The hash function named by a digest `algorithm` parameter.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Algorithm {
    Md5,
    Sha256,
    Sha512,
}

impl Algorithm {
    /// httpbin falls back to MD5 for anything it does not know.
    fn from_name(name: &str) -> Self {
        let base = name.strip_suffix("-sess").unwrap_or(name);
        match base.to_ascii_uppercase().as_str() {
            "SHA-256" => Self::Sha256,
            "SHA-512" => Self::Sha512,
            _ => Self::Md5,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA-256",
            Self::Sha512 => "SHA-512",
        }
    }

    fn hex(self, data: &[u8]) -> String {
        match self {
            Self::Md5 => hex::encode(Md5::digest(data)),
            Self::Sha256 => hex::encode(Sha256::digest(data)),
            Self::Sha512 => hex::encode(Sha512::digest(data)),
        }
    }
}

/// The route's `qop`: `auth`, `auth-int`, or anything else meaning "either".
#[derive(Clone, Copy, PartialEq, Eq)]
enum OfferedQop {
    Auth,
    AuthInt,
    Either,
}

impl OfferedQop {
    fn from_route(qop: &str) -> Self {
        match qop {
            "auth" => Self::Auth,
            "auth-int" => Self::AuthInt,
            _ => Self::Either,
        }
    }

    fn header_value(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
            Self::Either => "auth, auth-int",
        }
    }
}

fn digest_auth(
    request: &RequestInfo,
    qop: &str,
    user: &str,
    password: &str,
    algorithm: &str,
    stale_after: &str,
) -> Response {
    let offered_qop = OfferedQop::from_route(qop);
    // Unlike the client's choice, the route's algorithm name must be exact.
    let offered_algorithm = match algorithm {
        "SHA-256" => Algorithm::Sha256,
        "SHA-512" => Algorithm::Sha512,
        _ => Algorithm::Md5,
    };
    let require_cookie = request
        .arg_ignoring_case("require-cookie")
        .is_some_and(|value| matches!(value.to_ascii_lowercase().as_str(), "1" | "t" | "true"));
    // Every challenge resets httpbin's cookies; after a failed attempt it also
    // remembers the nonce, so that replaying it is answered as stale.
    let challenge_with_cookies = |stale: bool, last_nonce: Option<&str>| {
        let mut response = challenge(request, offered_qop, offered_algorithm, stale);
        set_cookie(&mut response, "stale_after", stale_after);
        if let Some(nonce) = last_nonce {
            set_cookie(&mut response, "last_nonce", nonce);
        }
        set_cookie(&mut response, "fake", "fake_value");
        response
    };

    let credentials = request
        .header(AUTHORIZATION.as_str())
        .and_then(parse_digest_header);
    let Some(credentials) =
        credentials.filter(|_| !require_cookie || request.headers.contains_key(COOKIE))
    else {
        return challenge_with_cookies(false, None);
    };

    if require_cookie && request_cookie(request, "fake").as_deref() != Some("fake_value") {
        let mut response = json_with_status(
            StatusCode::FORBIDDEN,
            &json!({ "errors": ["missing cookie set on challenge"] }),
        );
        set_cookie(&mut response, "fake", "fake_value");
        return response;
    }

    let nonce = credentials.get("nonce").cloned().unwrap_or_default();
    let stale_after_cookie = request_cookie(request, "stale_after");
    let nonce_reused = request_cookie(request, "last_nonce").as_deref() == Some(nonce.as_str());
    if nonce_reused || stale_after_cookie.as_deref() == Some("0") {
        return challenge_with_cookies(true, Some(&nonce));
    }
    if !is_valid_response(&credentials, request, user, password) {
        return challenge_with_cookies(false, Some(&nonce));
    }

    let mut response = json_ok(&json!({ "authenticated": true, "user": user }));
    set_cookie(&mut response, "fake", "fake_value");
    if let Some(remaining) = stale_after_cookie {
        set_cookie(&mut response, "stale_after", &count_down(&remaining));
    }
    response
}

/// `stale_after` counts successful logins down to the one that gets `stale=True`.
fn count_down(stale_after: &str) -> String {
    stale_after
        .trim()
        .parse::<i64>()
        .map_or_else(|_| "never".to_owned(), |count| (count - 1).to_string())
}

/// A 401 carrying a fresh `WWW-Authenticate: Digest ...` challenge, formatted as
/// Werkzeug formats it.
fn challenge(
    request: &RequestInfo,
    qop: OfferedQop,
    algorithm: Algorithm,
    stale: bool,
) -> Response {
    let mut noise = [0u8; 10];
    rand::rng().fill_bytes(&mut noise);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs_f64())
        .unwrap_or_default();
    let mut nonce_source = format!("{}:{now}:", request.origin()).into_bytes();
    nonce_source.extend_from_slice(&noise);
    let nonce = algorithm.hex(&nonce_source);
    rand::rng().fill_bytes(&mut noise);
    let opaque = algorithm.hex(&noise);
    let header = format!(
        "Digest realm=\"{REALM}\", nonce=\"{nonce}\", opaque=\"{opaque}\", qop=\"{}\", algorithm={}, stale={}",
        qop.header_value(),
        algorithm.name(),
        if stale { "True" } else { "False" },
    );
    let mut response = responses::empty_html(StatusCode::UNAUTHORIZED);
    responses::set_header(&mut response, WWW_AUTHENTICATE, &header);
    response
}

/// Checks the client's `response` against the one computed from the route's
/// password, the request's own method, target and body.
fn is_valid_response(
    credentials: &HashMap<String, String>,
    request: &RequestInfo,
    user: &str,
    password: &str,
) -> bool {
    // httpbin trusts the username in the header; requiring the route's user as well
    // keeps a wrong user from logging in with the right password.
    if credentials.get("username").map(String::as_str) != Some(user) {
        return false;
    }
    let request_target = request
        .uri
        .path_and_query()
        .map_or("/", |target| target.as_str());
    let expected = expected_response(
        credentials,
        request.method.as_str(),
        request_target,
        &request.body,
        password,
    );
    expected.is_some_and(|expected| {
        credentials
            .get("response")
            .is_some_and(|given| given.eq_ignore_ascii_case(&expected))
    })
}

/// RFC 7616 §3.4.1: the `response` a client knowing `password` would send.
fn expected_response(
    credentials: &HashMap<String, String>,
    method: &str,
    request_target: &str,
    body: &[u8],
    password: &str,
) -> Option<String> {
    let field = |name: &str| credentials.get(name).map(String::as_str);
    let algorithm_name = field("algorithm").unwrap_or("MD5");
    let algorithm = Algorithm::from_name(algorithm_name);
    let h = |data: &str| algorithm.hex(data.as_bytes());
    let nonce = field("nonce")?;

    let mut ha1 = h(&format!(
        "{}:{}:{password}",
        field("username")?,
        field("realm").unwrap_or("")
    ));
    if algorithm_name.to_ascii_lowercase().ends_with("-sess") {
        ha1 = h(&format!("{ha1}:{nonce}:{}", field("cnonce")?));
    }
    let ha2 = match field("qop") {
        None | Some("auth") => h(&format!("{method}:{request_target}")),
        Some("auth-int") => h(&format!(
            "{method}:{request_target}:{}",
            algorithm.hex(body)
        )),
        Some(_) => return None,
    };
    match field("qop") {
        None => Some(h(&format!("{ha1}:{nonce}:{ha2}"))),
        Some(qop) => Some(h(&format!(
            "{ha1}:{nonce}:{}:{}:{qop}:{ha2}",
            field("nc")?,
            field("cnonce")?
        ))),
    }
}

/// Parses `Digest k=v, k="quoted", ...` into lower-cased keys and unquoted values.
/// Returns `None` for another scheme or when a required parameter is missing.
fn parse_digest_header(header: &str) -> Option<HashMap<String, String>> {
    let (scheme, parameters) = header.trim().split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let credentials = parse_parameters(parameters);
    let required = ["username", "realm", "nonce", "uri", "response"];
    let has = |name: &str| credentials.contains_key(name);
    if !required.iter().all(|name| has(name)) {
        return None;
    }
    if has("qop") && !(has("nc") && has("cnonce")) {
        return None;
    }
    Some(credentials)
}

fn parse_parameters(text: &str) -> HashMap<String, String> {
    let mut parameters = HashMap::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|ch: char| ch == ',' || ch.is_whitespace());
        let Some((key, after_key)) = rest.split_once('=') else {
            return parameters;
        };
        let after_key = after_key.trim_start();
        let (value, remaining) = match after_key.strip_prefix('"') {
            Some(quoted) => read_quoted(quoted),
            None => {
                let end = after_key.find(',').unwrap_or(after_key.len());
                (after_key[..end].trim().to_owned(), &after_key[end..])
            }
        };
        parameters.insert(key.trim().to_ascii_lowercase(), value);
        rest = remaining;
    }
}

/// Reads a quoted-string body up to its closing quote, undoing backslash escapes.
fn read_quoted(text: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((index, ch)) = chars.next() {
        match ch {
            '"' => return (value, &text[index + 1..]),
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            _ => value.push(ch),
        }
    }
    (value, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn parses_quoted_and_bare_parameters() {
        let parsed = parse_digest_header(
            r#"Digest username="u", realm="me@kennethreitz.com", nonce="abc", uri="/x?a=1,2", cnonce="c\"q", nc=00000001, qop=auth, response="r", algorithm=MD5"#,
        );
        let parsed = parsed.expect("complete header parses");
        assert_eq!(parsed["uri"], "/x?a=1,2");
        assert_eq!(parsed["cnonce"], "c\"q");
        assert_eq!(parsed["nc"], "00000001");
        assert_eq!(parsed["algorithm"], "MD5");
        assert!(parse_digest_header("Basic dTpw").is_none());
        assert!(parse_digest_header(r#"Digest username="u""#).is_none());
    }

    #[test]
    fn matches_the_response_curl_sent_to_httpbin() {
        // Captured from `curl --digest -u u:p` against httpbin's /digest-auth/auth/u/p.
        let sent = credentials(&[
            ("username", "u"),
            ("realm", "me@kennethreitz.com"),
            ("nonce", "397c095c5d6304dbc724556d93a6e1a1"),
            ("uri", "/digest-auth/auth/u/p"),
            ("cnonce", "ZWZkYjcyMjcxYWFlZjI1ZDM5NTAyZmZmMzBhNGMxZjQ="),
            ("nc", "00000001"),
            ("qop", "auth"),
            ("algorithm", "MD5"),
        ]);
        assert_eq!(
            expected_response(&sent, "GET", "/digest-auth/auth/u/p", b"", "p").as_deref(),
            Some("fe878daf735014ab15e8cc8ab5fcb419")
        );
    }
}
