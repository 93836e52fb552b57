//! Response builders shared by the endpoints, reproducing the bodies and content
//! types Flask and Werkzeug produce.

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::json;

/// What Flask's own `Response` and `make_response` default to.
pub(crate) const HTML_UTF8: &str = "text/html; charset=utf-8";
/// What httpbin's bare Werkzeug `Response(...)` objects default to.
pub(crate) const PLAIN_UTF8: &str = "text/plain; charset=utf-8";

/// `jsonify(value)` with status 200.
pub(crate) fn json_ok(value: &Value) -> Response {
    json_with_status(StatusCode::OK, value)
}

pub(crate) fn json_with_status(status: StatusCode, value: &Value) -> Response {
    with_content(status, "application/json", json::pretty(value))
}

/// A body with an explicit content type.
pub(crate) fn with_content(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Body>,
) -> Response {
    (status, [(CONTENT_TYPE, content_type)], body.into()).into_response()
}

/// What a Flask view returning `""` or `make_response()` sends.
pub(crate) fn empty_html(status: StatusCode) -> Response {
    with_content(status, HTML_UTF8, Body::empty())
}

/// Flask's `redirect(location)`: a 302 with a small HTML page pointing at the target.
pub(crate) fn flask_redirect(location: &str) -> Response {
    let escaped = escape_html(location);
    let body = format!(
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href=\"{escaped}\">{escaped}</a>. If not, click the link.\n"
    );
    let mut response = with_content(StatusCode::FOUND, HTML_UTF8, body);
    set_header(&mut response, LOCATION, location);
    response
}

/// A redirect whose body is empty, as httpbin's hand-built redirects are.
pub(crate) fn bare_redirect(status: StatusCode, location: &str) -> Response {
    let mut response = empty_html(status);
    set_header(&mut response, LOCATION, location);
    response
}

pub(crate) fn not_found_page() -> Response {
    werkzeug_error_page(
        StatusCode::NOT_FOUND,
        "Not Found",
        "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
    )
}

pub(crate) fn method_not_allowed_page() -> Response {
    werkzeug_error_page(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        "The method is not allowed for the requested URL.",
    )
}

/// What httpbin answers when its view raises, e.g. on `/delay/abc` or `/redirect/0`.
pub(crate) fn internal_error_page() -> Response {
    werkzeug_error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal Server Error",
        "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
    )
}

pub(crate) fn payload_too_large_page() -> Response {
    werkzeug_error_page(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request Entity Too Large",
        "The data value transmitted exceeds the capacity limit.",
    )
}

pub(crate) fn bad_request_page() -> Response {
    werkzeug_error_page(
        StatusCode::BAD_REQUEST,
        "Bad Request",
        "The browser (or proxy) sent a request that this server could not understand.",
    )
}

fn werkzeug_error_page(status: StatusCode, title: &str, description: &str) -> Response {
    let code = status.as_u16();
    let body = format!(
        "<!doctype html>\n<html lang=en>\n<title>{code} {title}</title>\n<h1>{title}</h1>\n<p>{description}</p>\n"
    );
    with_content(status, HTML_UTF8, body)
}

/// Sets a header whose value may come from the client; a value that cannot be a
/// header is dropped rather than failing the whole response.
pub(crate) fn set_header(response: &mut Response, name: HeaderName, value: &str) -> bool {
    match HeaderValue::from_str(value) {
        Ok(value) => {
            response.headers_mut().insert(name, value);
            true
        }
        Err(_) => false,
    }
}

/// Like [`set_header`] but keeps earlier values of the same header.
pub(crate) fn append_header(response: &mut Response, name: &str, value: &str) -> bool {
    match (HeaderName::try_from(name), HeaderValue::from_str(value)) {
        (Ok(name), Ok(value)) => {
            response.headers_mut().append(name, value);
            true
        }
        _ => false,
    }
}

pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&#34;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(ch),
        }
    }
    escaped
}
