//! Behaviour Flask and httpbin add around every view: CORS headers, automatic
//! `OPTIONS` answers, Werkzeug's 404/405 pages and its `Allow` header format.

use axum::extract::Request;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, ALLOW,
    ORIGIN,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::responses;

pub(crate) async fn not_found() -> Response {
    responses::not_found_page()
}

pub(crate) async fn method_not_allowed() -> Response {
    responses::method_not_allowed_page()
}

/// httpbin's `after_request` CORS hook plus Flask's automatic `OPTIONS` handling.
pub(crate) async fn flask_conventions(request: Request, next: Next) -> Response {
    let is_preflight = request.method() == Method::OPTIONS;
    let origin = request.headers().get(ORIGIN).cloned();
    let requested_headers = request
        .headers()
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned();

    let mut response = next.run(request).await;
    normalize_allow_header(&mut response);
    if is_preflight && response.status() == StatusCode::METHOD_NOT_ALLOWED {
        // Flask answers OPTIONS itself on every route that exists.
        let allow = response.headers().get(ALLOW).cloned();
        response = responses::empty_html(StatusCode::OK);
        if let Some(allow) = allow {
            response.headers_mut().insert(ALLOW, allow);
        }
    }

    let headers = response.headers_mut();
    headers.insert(
        ACCESS_CONTROL_ALLOW_ORIGIN,
        origin.unwrap_or(HeaderValue::from_static("*")),
    );
    headers.insert(
        ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    if is_preflight {
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE, PATCH, OPTIONS"),
        );
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("3600"));
        if let Some(requested) = requested_headers {
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, requested);
        }
    }
    response
}

/// Rewrites axum's `GET,HEAD` into Werkzeug's `GET, HEAD, OPTIONS`.
fn normalize_allow_header(response: &mut Response) {
    let Some(allow) = response.headers().get(ALLOW) else {
        return;
    };
    let Ok(allow) = allow.to_str() else {
        return;
    };
    let mut methods: Vec<&str> = allow
        .split(',')
        .map(str::trim)
        .filter(|method| !method.is_empty())
        .collect();
    if !methods.contains(&"OPTIONS") {
        methods.push("OPTIONS");
    }
    let joined = methods.join(", ");
    if let Ok(value) = HeaderValue::from_str(&joined) {
        response.headers_mut().insert(ALLOW, value);
    }
}
