//! Response inspection: `/cache`, `/cache/{n}`, `/etag/{etag}` and
//! `/response-headers`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, ETAG, LAST_MODIFIED, TRANSFER_ENCODING};
use axum::response::Response;
use serde_json::{Map, Value};

use super::json;
use super::request::{GET_FIELDS, RequestInfo};
use super::responses::{self, append_header, json_ok, set_header};
use super::status::status_response;
use super::stream::parse_count;

/// `/cache`: a 304 for any conditional request, otherwise `/get` with fresh
/// `Last-Modified` and `ETag` validators.
pub(crate) async fn cache(request: RequestInfo) -> Response {
    let is_conditional = ["If-Modified-Since", "If-None-Match"]
        .iter()
        .any(|name| request.header(name).is_some_and(|value| !value.is_empty()));
    if is_conditional {
        return status_response(StatusCode::NOT_MODIFIED);
    }
    let mut response = get_echo(&request);
    set_header(
        &mut response,
        LAST_MODIFIED,
        &httpdate::fmt_http_date(std::time::SystemTime::now()),
    );
    set_header(
        &mut response,
        ETAG,
        &uuid::Uuid::new_v4().simple().to_string(),
    );
    response
}

/// `/cache/{n}`: `/get` with `Cache-Control: public, max-age=n`.
pub(crate) async fn cache_for(Path(n): Path<String>, request: RequestInfo) -> Response {
    let Some(seconds) = parse_count(&n) else {
        return responses::not_found_page();
    };
    let mut response = get_echo(&request);
    set_header(
        &mut response,
        CACHE_CONTROL,
        &format!("public, max-age={seconds}"),
    );
    response
}

/// `/etag/{etag}`: `If-None-Match` that matches gives 304, `If-Match` that does
/// not gives 412, anything else `/get` with the `ETag`.
pub(crate) async fn etag(Path(etag): Path<String>, request: RequestInfo) -> Response {
    let if_none_match = entity_tags(request.header("If-None-Match"));
    let if_match = entity_tags(request.header("If-Match"));
    let matches = |tags: &[String]| tags.iter().any(|tag| *tag == etag || tag == "*");
    if !if_none_match.is_empty() {
        if matches(&if_none_match) {
            let mut response = status_response(StatusCode::NOT_MODIFIED);
            set_header(&mut response, ETAG, &etag);
            return response;
        }
    } else if !if_match.is_empty() && !matches(&if_match) {
        return status_response(StatusCode::PRECONDITION_FAILED);
    }
    let mut response = get_echo(&request);
    set_header(&mut response, ETAG, &etag);
    response
}

/// httpbin's `parse_multi_value_header`: comma-separated tags with any `W/` prefix
/// and quotes removed.
fn entity_tags(header: Option<&str>) -> Vec<String> {
    let Some(header) = header.filter(|header| !header.is_empty()) else {
        return Vec::new();
    };
    header
        .split(',')
        .map(|part| {
            let part = part.trim_start();
            let part = part.strip_prefix("W/").unwrap_or(part);
            let part = part.strip_prefix('"').unwrap_or(part);
            part.split('"').next().unwrap_or("").to_owned()
        })
        .collect()
}

/// `/response-headers?k=v`: sets every query pair as a response header and echoes
/// all response headers in the body, including a `Content-Length` that counts the
/// body it appears in.
pub(crate) async fn response_headers(request: RequestInfo) -> Response {
    let requested = request.query_pairs();
    let body = self_describing_body(&requested);
    let mut response = responses::with_content(StatusCode::OK, "application/json", body);
    for (name, value) in &requested {
        // The real length is set by the server; a second one would corrupt framing.
        let is_framing = [CONTENT_LENGTH, TRANSFER_ENCODING]
            .iter()
            .any(|framing| framing.as_str().eq_ignore_ascii_case(name));
        if !is_framing {
            append_header(&mut response, name, value);
        }
    }
    response
}

/// Renders the header map until the `Content-Length` it reports equals its own
/// length, exactly as httpbin's loop does.
fn self_describing_body(requested: &[(String, String)]) -> String {
    let mut content_length = 0;
    let mut body = String::new();
    // The length's digit count settles within a few rounds.
    for _ in 0..10 {
        let mut headers = vec![
            (CONTENT_TYPE_NAME.to_owned(), "application/json".to_owned()),
            (CONTENT_LENGTH_NAME.to_owned(), content_length.to_string()),
        ];
        headers.extend(requested.iter().cloned());
        body = json::pretty(&Value::Object(header_map(&headers)));
        if body.len() == content_length {
            break;
        }
        content_length = body.len();
    }
    body
}

const CONTENT_TYPE_NAME: &str = "Content-Type";
const CONTENT_LENGTH_NAME: &str = "Content-Length";

/// Werkzeug's `{key: headers.get_all(key)}`: lookups ignore case, one value stays a
/// string and several become a list.
fn header_map(headers: &[(String, String)]) -> Map<String, Value> {
    let mut map = Map::new();
    for (name, _) in headers {
        let values: Vec<Value> = headers
            .iter()
            .filter(|(other, _)| other.eq_ignore_ascii_case(name))
            .map(|(_, value)| Value::String(value.clone()))
            .collect();
        let value = match <[Value; 1]>::try_from(values) {
            Ok([single]) => single,
            Err(values) => Value::Array(values),
        };
        map.insert(name.clone(), value);
    }
    map
}

fn get_echo(request: &RequestInfo) -> Response {
    json_ok(&Value::Object(request.echo(GET_FIELDS)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_reports_its_own_length() {
        let requested = vec![
            ("Foo".to_owned(), "bar".to_owned()),
            ("Foo".to_owned(), "baz".to_owned()),
        ];
        let body = self_describing_body(&requested);
        let parsed: Value = serde_json::from_str(&body).expect("valid JSON");
        assert_eq!(parsed["Content-Length"], body.len().to_string());
        assert_eq!(parsed["Foo"], serde_json::json!(["bar", "baz"]));
    }

    #[test]
    fn entity_tags_drop_quotes_and_weak_prefix() {
        assert_eq!(entity_tags(Some(r#""a", W/"b",c"#)), ["a", "b", "c"]);
        assert!(entity_tags(None).is_empty());
    }
}
