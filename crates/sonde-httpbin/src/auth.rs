//! `/basic-auth`, `/hidden-basic-auth` and `/bearer`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::response::Response;
use base64::Engine as _;
use serde_json::json;

use super::request::RequestInfo;
use super::responses::{self, json_ok};
use super::status::status_response;

pub(crate) async fn basic(
    Path((user, password)): Path<(String, String)>,
    request: RequestInfo,
) -> Response {
    if has_basic_credentials(&request, &user, &password) {
        json_ok(&json!({ "authenticated": true, "user": user }))
    } else {
        status_response(StatusCode::UNAUTHORIZED)
    }
}

/// Like `/basic-auth`, but a failure looks like a missing page, with no challenge.
pub(crate) async fn hidden_basic(
    Path((user, password)): Path<(String, String)>,
    request: RequestInfo,
) -> Response {
    if has_basic_credentials(&request, &user, &password) {
        json_ok(&json!({ "authenticated": true, "user": user }))
    } else {
        responses::empty_html(StatusCode::NOT_FOUND)
    }
}

pub(crate) async fn bearer(request: RequestInfo) -> Response {
    match request
        .header(AUTHORIZATION.as_str())
        .and_then(|value| value.strip_prefix("Bearer "))
    {
        Some(token) => json_ok(&json!({ "authenticated": true, "token": token })),
        None => {
            let mut response = responses::empty_html(StatusCode::UNAUTHORIZED);
            responses::set_header(&mut response, WWW_AUTHENTICATE, "Bearer");
            response
        }
    }
}

fn has_basic_credentials(request: &RequestInfo, user: &str, password: &str) -> bool {
    request
        .header(AUTHORIZATION.as_str())
        .and_then(decode_basic)
        .is_some_and(|(given_user, given_password)| {
            given_user == user && given_password == password
        })
}

/// Splits `Basic base64(user:password)`; the scheme name is case-insensitive.
fn decode_basic(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':').unwrap_or((&decoded, ""));
    Some((user.to_owned(), password.to_owned()))
}
