//! `/status/{codes}`: one code, a random pick from `a,b,c`, or a weighted pick from
//! `a:0.9,b:0.1`, answered with httpbin's canned body and headers for that code.

use axum::extract::Path;
use axum::http::header::{CONTENT_TYPE, LOCATION, PROXY_AUTHENTICATE, WWW_AUTHENTICATE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng as _;
use serde_json::json;

use super::responses::{self, PLAIN_UTF8};

/// Where httpbin sends clients that ask for a redirect status.
const REDIRECT_LOCATION: &str = "/redirect/1";

const TEAPOT: &str = r#"
    -=[ teapot ]=-

       _...._
     .'  _ _ `.
    | ."` ^ `". _,
    \_;`"---"`|//
      |       ;/
      \_     _/
        `"""`
"#;

const ACCEPTED_MEDIA_TYPES: [&str; 5] = [
    "image/webp",
    "image/svg+xml",
    "image/jpeg",
    "image/png",
    "image/*",
];

pub(crate) async fn status(Path(codes): Path<String>) -> Response {
    match pick_code(&codes) {
        Some(code) => status_response(code),
        None => responses::with_content(StatusCode::BAD_REQUEST, PLAIN_UTF8, "Invalid status code"),
    }
}

/// Chooses the code to answer with, or `None` when the list does not parse.
fn pick_code(codes: &str) -> Option<StatusCode> {
    let choices = parse_choices(codes)?;
    let total: f64 = choices.iter().map(|(_, weight)| weight).sum();
    if choices.len() == 1 {
        return Some(choices[0].0);
    }
    if !(total > 0.0 && total.is_finite()) {
        return None;
    }
    // Python's `bisect` over cumulative weights: the first choice whose running
    // total exceeds the draw.
    let draw = rand::rng().random::<f64>() * total;
    let mut cumulative = 0.0;
    for (code, weight) in &choices {
        cumulative += weight;
        if draw < cumulative {
            return Some(*code);
        }
    }
    choices.last().map(|(code, _)| *code)
}

fn parse_choices(codes: &str) -> Option<Vec<(StatusCode, f64)>> {
    codes
        .split(',')
        .map(|choice| {
            let (code, weight) = match choice.split_once(':') {
                Some((code, weight)) => (code, weight.trim().parse::<f64>().ok()?),
                None => (choice, 1.0),
            };
            if weight.is_nan() || weight < 0.0 {
                return None;
            }
            let code: u16 = code.trim().parse().ok()?;
            Some((final_status(code)?, weight))
        })
        .collect()
}

/// A status that can end an exchange: 200 to 999. A 1xx cannot be a final
/// answer in HTTP/1.1 (and a 101 would hand the connection over to nothing).
pub(crate) fn final_status(code: u16) -> Option<StatusCode> {
    StatusCode::from_u16(code)
        .ok()
        .filter(|status| !status.is_informational())
}

/// httpbin's `status_code(code)`: an empty page, except for the codes it dresses up.
pub(crate) fn status_response(code: StatusCode) -> Response {
    let redirect = [(LOCATION, REDIRECT_LOCATION)];
    let response = match code.as_u16() {
        301 | 302 | 303 | 305 | 307 => (code, redirect).into_response(),
        // A 304 carries no body and, after Werkzeug, no content type either.
        304 => code.into_response(),
        401 => (code, [(WWW_AUTHENTICATE, "Basic realm=\"Fake Realm\"")]).into_response(),
        402 => (
            code,
            [(more_info(), "http://vimeo.com/22053820")],
            "Fuck you, pay me!",
        )
            .into_response(),
        406 => {
            let body = json!({
                "message": "Client did not request a supported media type.",
                "accept": ACCEPTED_MEDIA_TYPES,
            });
            (
                code,
                [(CONTENT_TYPE, "application/json")],
                super::json::compact(&body),
            )
                .into_response()
        }
        407 => (code, [(PROXY_AUTHENTICATE, "Basic realm=\"Fake Realm\"")]).into_response(),
        418 => (
            code,
            [(more_info(), "http://tools.ietf.org/html/rfc2324")],
            TEAPOT,
        )
            .into_response(),
        _ => return responses::empty_html(code),
    };
    without_default_content_type(response)
}

fn more_info() -> HeaderName {
    HeaderName::from_static("x-more-info")
}

/// httpbin replaces the whole header set for its canned codes, so those responses
/// carry no `Content-Type` unless the code's entry names one; axum gives string
/// bodies `text/plain`, which is taken back out here.
fn without_default_content_type(mut response: Response) -> Response {
    let plain = HeaderValue::from_static("text/plain; charset=utf-8");
    if response.headers().get(CONTENT_TYPE) == Some(&plain) {
        response.headers_mut().remove(CONTENT_TYPE);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_weighted_lists() {
        assert_eq!(pick_code("418"), Some(StatusCode::IM_A_TEAPOT));
        assert_eq!(pick_code("200:0,201:1"), Some(StatusCode::CREATED));
        assert!(matches!(
            pick_code("200,201").map(|code| code.as_u16()),
            Some(200 | 201)
        ));
        assert_eq!(pick_code("abc"), None);
        assert_eq!(pick_code("200:x,201"), None);
        assert_eq!(pick_code("99999"), None);
        assert_eq!(pick_code("101"), None);
        assert_eq!(pick_code("200:0,201:0"), None);
    }
}
