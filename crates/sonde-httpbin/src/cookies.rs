//! `/cookies`, `/cookies/set`, `/cookies/set/{name}/{value}` and `/cookies/delete`,
//! with Werkzeug's cookie parsing and `Set-Cookie` formatting.

use axum::extract::Path;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::request::RequestInfo;
use super::responses::{self, append_header, json_ok};

/// Analytics cookies httpbin.org's pages set, hidden unless `?show_env` is given.
const ENV_COOKIES: &[&str] = &[
    "_gauges_unique",
    "_gauges_unique_year",
    "_gauges_unique_month",
    "_gauges_unique_day",
    "_gauges_unique_hour",
    "__utmz",
    "__utma",
    "__utmb",
];

pub(crate) async fn list(request: RequestInfo) -> Response {
    let show_env = request.has_arg("show_env");
    let mut cookies = Map::new();
    for (name, value) in request_cookies(&request) {
        if !show_env && ENV_COOKIES.contains(&name.as_str()) {
            continue;
        }
        // `dict(request.cookies.items())` keeps the first of repeated names.
        cookies.entry(name).or_insert(Value::String(value));
    }
    json_ok(&json!({ "cookies": cookies }))
}

pub(crate) async fn set_from_query(request: RequestInfo) -> Response {
    let mut response = responses::flask_redirect("/cookies");
    for (name, value) in first_values(request.query_pairs()) {
        set_cookie(&mut response, &name, &value);
    }
    response
}

pub(crate) async fn set_one(Path((name, value)): Path<(String, String)>) -> Response {
    let mut response = responses::flask_redirect("/cookies");
    set_cookie(&mut response, &name, &value);
    response
}

pub(crate) async fn delete(request: RequestInfo) -> Response {
    let mut response = responses::flask_redirect("/cookies");
    for (name, _) in first_values(request.query_pairs()) {
        delete_cookie(&mut response, &name);
    }
    response
}

/// `dict(request.args.items())`: one entry per name, holding its first value.
fn first_values(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut seen = Vec::<(String, String)>::new();
    for (name, value) in pairs {
        if !seen.iter().any(|(existing, _)| *existing == name) {
            seen.push((name, value));
        }
    }
    seen
}

/// Adds `Set-Cookie: name=value; Path=/`. A name or value that cannot travel in a
/// header is skipped.
pub(crate) fn set_cookie(response: &mut Response, name: &str, value: &str) {
    let header = format!("{name}={}; Path=/", quote_cookie_value(value));
    append_header(response, "set-cookie", &header);
}

/// Werkzeug's `delete_cookie`: an empty value that expired at the epoch.
pub(crate) fn delete_cookie(response: &mut Response, name: &str) {
    let header = format!("{name}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/");
    append_header(response, "set-cookie", &header);
}

/// The request's cookies in order, with quoted values unquoted.
pub(crate) fn request_cookies(request: &RequestInfo) -> Vec<(String, String)> {
    parse_cookie_header(&request.cookie_header())
}

/// The value of the first cookie called `name`.
pub(crate) fn request_cookie(request: &RequestInfo, name: &str) -> Option<String> {
    request_cookies(request)
        .into_iter()
        .find(|(cookie, _)| cookie == name)
        .map(|(_, value)| value)
}

fn parse_cookie_header(header: &str) -> Vec<(String, String)> {
    header
        .split(';')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_owned(), unquote_cookie_value(value.trim())))
        })
        .collect()
}

/// Werkzeug quotes values holding anything outside its safe set, escaping `"` and
/// `\` with a backslash and every other unsafe byte as a three-digit octal escape.
fn quote_cookie_value(value: &str) -> String {
    let is_safe =
        |byte: u8| byte.is_ascii_alphanumeric() || b"_!#$%&'()*+-./:<=>?@[]^`{|}~".contains(&byte);
    if value.bytes().all(is_safe) {
        return value.to_owned();
    }
    let mut quoted = String::from("\"");
    for byte in value.bytes() {
        match byte {
            b'"' | b'\\' => {
                quoted.push('\\');
                quoted.push(char::from(byte));
            }
            b',' | b';' => quoted.push_str(&format!("\\{byte:03o}")),
            0x20..=0x7e => quoted.push(char::from(byte)),
            _ => quoted.push_str(&format!("\\{byte:03o}")),
        }
    }
    quoted.push('"');
    quoted
}

/// Reverses [`quote_cookie_value`] for a value the client sent quoted.
fn unquote_cookie_value(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return value.to_owned();
    };
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let octal = bytes
            .get(index + 1..index + 4)
            .filter(|digits| digits.iter().all(|digit| (b'0'..=b'7').contains(digit)))
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u8::from_str_radix(digits, 8).ok());
        match (bytes[index], octal) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                index += 4;
            }
            (b'\\', None) if index + 1 < bytes.len() => {
                out.push(bytes[index + 1]);
                index += 2;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips() {
        for value in [
            "plain",
            "with space",
            "semi;colon",
            "quote\"back\\slash",
            "é",
        ] {
            let quoted = quote_cookie_value(value);
            assert_eq!(unquote_cookie_value(&quoted), value, "{quoted}");
        }
        assert_eq!(quote_cookie_value("v"), "v");
        assert_eq!(quote_cookie_value("a b"), "\"a b\"");
        assert_eq!(quote_cookie_value("a;b"), "\"a\\073b\"");
    }

    #[test]
    fn parses_cookie_header() {
        assert_eq!(
            parse_cookie_header("a=1; b=\"x y\";junk; =skip; c="),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y".to_owned()),
                ("c".to_owned(), String::new()),
            ]
        );
    }
}
