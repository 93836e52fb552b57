//! `/redirect/{n}`, `/relative-redirect/{n}`, `/absolute-redirect/{n}` and
//! `/redirect-to`. Each hop of a chain lowers `n` until the last one lands on `/get`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

use super::request::RequestInfo;
use super::responses::{self, bare_redirect, flask_redirect};
use super::stream::parse_count;

/// `/redirect/{n}`: relative hops by default, absolute ones with `?absolute=true`.
pub(crate) async fn redirect(Path(n): Path<String>, request: RequestInfo) -> Response {
    let Some(n) = parse_count(&n) else {
        return responses::not_found_page();
    };
    let absolute = request
        .arg_ignoring_case("absolute")
        .is_some_and(|value| value.eq_ignore_ascii_case("true"));
    let base = if absolute {
        request.base_url()
    } else {
        String::new()
    };
    match n {
        // httpbin asserts n > 0.
        0 => responses::internal_error_page(),
        1 => flask_redirect(&format!("{base}/get")),
        _ if absolute => flask_redirect(&format!("{base}/absolute-redirect/{}", n - 1)),
        _ => flask_redirect(&format!("/relative-redirect/{}", n - 1)),
    }
}

pub(crate) async fn relative(Path(n): Path<String>) -> Response {
    match parse_count(&n) {
        None => responses::not_found_page(),
        Some(0) => responses::internal_error_page(),
        Some(1) => bare_redirect(StatusCode::FOUND, "/get"),
        Some(n) => bare_redirect(StatusCode::FOUND, &format!("/relative-redirect/{}", n - 1)),
    }
}

/// Absolute URLs are built from the request's own `Host` header.
pub(crate) async fn absolute(Path(n): Path<String>, request: RequestInfo) -> Response {
    let base = request.base_url();
    match parse_count(&n) {
        None => responses::not_found_page(),
        Some(0) => responses::internal_error_page(),
        Some(1) => flask_redirect(&format!("{base}/get")),
        Some(n) => flask_redirect(&format!("{base}/absolute-redirect/{}", n - 1)),
    }
}

/// `/redirect-to?url=...&status_code=...`; a status outside 3xx falls back to 302.
pub(crate) async fn redirect_to(request: RequestInfo) -> Response {
    let Some(url) = request.arg_ignoring_case("url") else {
        return responses::internal_error_page();
    };
    let status = match request.arg_ignoring_case("status_code") {
        None => StatusCode::FOUND,
        Some(code) => match code.trim().parse::<i64>() {
            Ok(code) => u16::try_from(code)
                .ok()
                .filter(|code| (300..400).contains(code))
                .and_then(|code| StatusCode::from_u16(code).ok())
                .unwrap_or(StatusCode::FOUND),
            Err(_) => return responses::internal_error_page(),
        },
    };
    let mut response = responses::empty_html(status);
    if !responses::set_header(&mut response, axum::http::header::LOCATION, &url) {
        return responses::internal_error_page();
    }
    response
}
