//! Canned content: `/json`, `/xml`, `/html`, `/robots.txt`, `/deny`,
//! `/encoding/utf8`, `/forms/post`, `/base64/{value}`, `/links`, and the images.
//!
//! The files under `assets/` are httpbin's own (MIT/ISC licensed), rendered the
//! way its Jinja templates come out, i.e. without the final newline.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::ACCEPT;
use axum::response::Response;
use serde_json::json;

use super::request::RequestInfo;
use super::responses::{self, HTML_UTF8, json_ok, with_content};
use super::status::status_response;
use super::stream::parse_count;

const MOBY_DICK_HTML: &str = include_str!("assets/moby.html");
const SAMPLE_XML: &str = include_str!("assets/sample.xml");
const UTF8_DEMO: &str = include_str!("assets/UTF-8-demo.txt");
const PIZZA_FORM_HTML: &str = include_str!("assets/forms-post.html");
const PNG: &[u8] = include_bytes!("assets/pig_icon.png");
const JPEG: &[u8] = include_bytes!("assets/jackal.jpg");
const WEBP: &[u8] = include_bytes!("assets/wolf_1.webp");
const SVG: &[u8] = include_bytes!("assets/svg_logo.svg");

const ROBOTS_TXT: &str = "User-agent: *\nDisallow: /deny\n";

const ANGRY_ASCII: &str = r#"
          .-''''''-.
        .' _      _ '.
       /   O      O   \
      :                :
      |                |
      :       __       :
       \  .-"`  `"-.  /
        '.          .'
          '-......-'
     YOU SHOULDN'T BE HERE
"#;

const BASE64_ERROR: &str = "Incorrect Base64 data try: SFRUUEJJTiBpcyBhd2Vzb21l";

/// The slideshow document every httpbin tutorial queries.
pub(crate) async fn json() -> Response {
    json_ok(&json!({
        "slideshow": {
            "title": "Sample Slide Show",
            "date": "date of publication",
            "author": "Yours Truly",
            "slides": [
                {"type": "all", "title": "Wake up to WonderWidgets!"},
                {
                    "type": "all",
                    "title": "Overview",
                    "items": [
                        "Why <em>WonderWidgets</em> are great",
                        "Who <em>buys</em> WonderWidgets",
                    ],
                },
            ],
        }
    }))
}

pub(crate) async fn xml() -> Response {
    with_content(StatusCode::OK, "application/xml", SAMPLE_XML)
}

pub(crate) async fn html() -> Response {
    with_content(StatusCode::OK, HTML_UTF8, MOBY_DICK_HTML)
}

pub(crate) async fn robots() -> Response {
    with_content(StatusCode::OK, "text/plain", ROBOTS_TXT)
}

pub(crate) async fn deny() -> Response {
    with_content(StatusCode::OK, "text/plain", ANGRY_ASCII)
}

/// Markus Kuhn's UTF-8 sampler, served as httpbin does (as HTML).
pub(crate) async fn utf8_demo() -> Response {
    with_content(StatusCode::OK, HTML_UTF8, UTF8_DEMO)
}

/// `/forms/post`: an HTML form that submits to `/post`.
pub(crate) async fn pizza_form() -> Response {
    with_content(StatusCode::OK, HTML_UTF8, PIZZA_FORM_HTML)
}

/// `/base64/{value}`: URL-safe base64 decoded to text, or httpbin's hint.
pub(crate) async fn base64_decode(Path(value): Path<String>) -> Response {
    let text = decode_urlsafe_base64(&value).unwrap_or_else(|| BASE64_ERROR.to_owned());
    with_content(StatusCode::OK, HTML_UTF8, text)
}

/// Python's `urlsafe_b64decode`, which is lenient about stray characters (they
/// are skipped, as is anything after a complete padding sequence) but strict
/// about missing padding. The decoded bytes must be UTF-8.
fn decode_urlsafe_base64(value: &str) -> Option<String> {
    let mut decoded = Vec::new();
    let mut accumulator: u32 = 0;
    let mut bits = 0;
    let mut quad_position = 0;
    let mut pads = 0;
    for byte in value.bytes() {
        if byte == b'=' {
            if quad_position >= 2 {
                pads += 1;
                if quad_position + pads >= 4 {
                    return String::from_utf8(decoded).ok();
                }
            }
            continue;
        }
        let Some(sextet) = base64_sextet(byte) else {
            continue;
        };
        pads = 0;
        accumulator = (accumulator << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            // Keeping only the low eight bits is the decoding step.
            decoded.push((accumulator >> bits) as u8);
            accumulator &= (1 << bits) - 1;
        }
        quad_position = (quad_position + 1) % 4;
    }
    if quad_position != 0 {
        return None;
    }
    String::from_utf8(decoded).ok()
}

/// The value of a base64 digit; both the standard and URL-safe 62 and 63 count.
fn base64_sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'-' | b'+' => Some(62),
        b'_' | b'/' => Some(63),
        _ => None,
    }
}

/// `/links/{n}` redirects to the first page of the link set.
pub(crate) async fn links_start(Path(n): Path<String>) -> Response {
    match parse_count(&n) {
        Some(n) => responses::flask_redirect(&format!("/links/{n}/0")),
        None => responses::not_found_page(),
    }
}

/// `/links/{n}/{offset}`: a page of `n` links to its siblings, `offset` unlinked.
pub(crate) async fn links_page(Path((n, offset)): Path<(String, String)>) -> Response {
    let (Some(n), Some(offset)) = (parse_count(&n), parse_count(&offset)) else {
        return responses::not_found_page();
    };
    let n = n.clamp(1, 200);
    let mut page = String::from("<html><head><title>Links</title></head><body>");
    for index in 0..n {
        if index == offset {
            page.push_str(&format!("{index} "));
        } else {
            page.push_str(&format!("<a href='/links/{n}/{index}'>{index}</a> "));
        }
    }
    page.push_str("</body></html>");
    with_content(StatusCode::OK, HTML_UTF8, page)
}

/// `/image`: the format the `Accept` header prefers, PNG when it names none.
pub(crate) async fn image_negotiated(request: RequestInfo) -> Response {
    let Some(accept) = request.header(ACCEPT.as_str()).map(str::to_ascii_lowercase) else {
        return png_response();
    };
    if accept.contains("image/webp") {
        webp_response()
    } else if accept.contains("image/svg+xml") {
        svg_response()
    } else if accept.contains("image/jpeg") {
        jpeg_response()
    } else if accept.contains("image/png") || accept.contains("image/*") {
        png_response()
    } else {
        status_response(StatusCode::NOT_ACCEPTABLE)
    }
}

pub(crate) async fn image_png() -> Response {
    png_response()
}

pub(crate) async fn image_jpeg() -> Response {
    jpeg_response()
}

pub(crate) async fn image_webp() -> Response {
    webp_response()
}

pub(crate) async fn image_svg() -> Response {
    svg_response()
}

fn png_response() -> Response {
    with_content(StatusCode::OK, "image/png", PNG)
}

fn jpeg_response() -> Response {
    with_content(StatusCode::OK, "image/jpeg", JPEG)
}

fn webp_response() -> Response {
    with_content(StatusCode::OK, "image/webp", WEBP)
}

fn svg_response() -> Response {
    with_content(StatusCode::OK, "image/svg+xml", SVG)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_pythons_urlsafe_b64decode() {
        assert_eq!(
            decode_urlsafe_base64("SFRUUEJJTiBpcyBhd2Vzb21l").as_deref(),
            Some("HTTPBIN is awesome")
        );
        assert_eq!(decode_urlsafe_base64("YQ==").as_deref(), Some("a"));
        assert_eq!(decode_urlsafe_base64("YQ==junk").as_deref(), Some("a"));
        assert_eq!(decode_urlsafe_base64("YWI=").as_deref(), Some("ab"));
        assert_eq!(decode_urlsafe_base64("@@@").as_deref(), Some(""));
        assert_eq!(decode_urlsafe_base64("YQ"), None, "padding is required");
        assert_eq!(decode_urlsafe_base64("_w=="), None, "0xFF is not UTF-8");
    }
}
