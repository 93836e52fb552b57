//! The request body as httpbin reports it: `form` for URL-encoded and multipart
//! bodies, `files` for multipart uploads, and for anything else the raw `data` and,
//! when it parses, the `json` value.

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use base64::Engine as _;
use serde_json::{Map, Value};

/// The largest request body accepted; bigger ones get a 413.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The body as httpbin reports it.
pub(crate) struct Payload {
    pub form: Value,
    pub files: Value,
    pub data: Value,
    pub json: Value,
}

impl Payload {
    pub(crate) async fn parse(headers: &HeaderMap, body: &Bytes) -> Self {
        let mut payload = Self {
            form: Value::Object(Map::new()),
            files: Value::Object(Map::new()),
            data: Value::String(String::new()),
            json: Value::Null,
        };
        match mime_type(headers).as_deref() {
            // Werkzeug consumes form bodies while parsing them, so `data` stays empty.
            Some("application/x-www-form-urlencoded") => {
                payload.form = semiflatten(
                    form_urlencoded::parse(body)
                        .map(|(key, value)| (key.into_owned(), value.into_owned())),
                );
            }
            Some("multipart/form-data") => {
                let (form, files) = parse_multipart(headers, body).await;
                payload.form = form;
                payload.files = files;
            }
            _ => {
                payload.data = Value::String(json_safe(body, "application/octet-stream"));
                payload.json = std::str::from_utf8(body)
                    .ok()
                    .and_then(|text| serde_json::from_str(text).ok())
                    .unwrap_or(Value::Null);
            }
        }
        payload
    }
}

fn mime_type(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = content_type.split(';').next().unwrap_or("");
    Some(essence.trim().to_ascii_lowercase())
}

/// Parses a multipart body into `form` and `files`. A malformed body keeps
/// whatever parts came before the damage, as Werkzeug does.
async fn parse_multipart(headers: &HeaderMap, body: &Bytes) -> (Value, Value) {
    let mut form_pairs = Vec::new();
    let mut files = Map::new();
    let mut request = Request::new(Body::from(body.clone()));
    if let Some(content_type) = headers.get(CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, content_type.clone());
    }
    DefaultBodyLimit::max(MAX_BODY_BYTES).apply(&mut request);
    if let Ok(mut multipart) = Multipart::from_request(request, &()).await {
        while let Ok(Some(field)) = multipart.next_field().await {
            let Some(name) = field.name().map(str::to_owned) else {
                continue;
            };
            let is_file = field.file_name().is_some();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let Ok(content) = field.bytes().await else {
                break;
            };
            if is_file {
                // httpbin iterates `request.files.items()`, which yields only the
                // first upload for a repeated field name.
                files
                    .entry(name)
                    .or_insert_with(|| Value::String(json_safe(&content, &content_type)));
            } else {
                form_pairs.push((name, String::from_utf8_lossy(&content).into_owned()));
            }
        }
    }
    (semiflatten(form_pairs), Value::Object(files))
}

/// httpbin's `json_safe`: text stays text, binary becomes a base64 `data:` URL.
pub(crate) fn json_safe(bytes: &[u8], content_type: &str) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => format!(
            "data:{content_type};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
    }
}

/// Werkzeug's `semiflatten`: one value stays a string, repeats become a list.
pub(crate) fn semiflatten(pairs: impl IntoIterator<Item = (String, String)>) -> Value {
    let mut map = Map::new();
    for (key, value) in pairs {
        match map.get_mut(&key) {
            None => {
                map.insert(key, Value::String(value));
            }
            Some(Value::Array(values)) => values.push(Value::String(value)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value)]);
            }
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semiflatten_lists_repeated_keys() {
        let pairs = [("a", "1"), ("b", "x"), ("a", "2"), ("a", "3")]
            .map(|(key, value)| (key.to_owned(), value.to_owned()));
        assert_eq!(
            semiflatten(pairs),
            serde_json::json!({"a": ["1", "2", "3"], "b": "x"})
        );
    }
}
