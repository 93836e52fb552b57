//! Captures (SPEC §2.3): values taken from a response for the following steps.

use serde_json::Value as J;

use crate::transport::{Exchange, Session};
use sonde_core::model::{Capture, CaptureSource, JsonPath};

/// Takes one capture from `exchange`; the error says which capture found nothing and why.
pub(crate) fn take(capture: &Capture, exchange: &Exchange, session: &Session) -> Result<J, String> {
    let name = &capture.name.value;
    value_of(&capture.source, exchange, session).map_err(|why| format!("capture `{name}`: {why}"))
}

fn value_of(source: &CaptureSource, exchange: &Exchange, session: &Session) -> Result<J, String> {
    let response = &exchange.response;
    match source {
        CaptureSource::Json(path) => {
            let picked = response
                .body
                .text
                .as_deref()
                .and_then(|text| sonde_core::json_path::pick_in_text(text, &[&path.compiled]));
            if let Some(value) = picked.and_then(|mut found| found.pop()) {
                return value.ok_or_else(|| nothing_at(path));
            }
            let document = response.body.json()?;
            let nodes = path.compiled.query(&document).all();
            match nodes.as_slice() {
                [] => Err(nothing_at(path)),
                [one] => Ok((*one).clone()),
                many => Ok(J::Array(many.iter().map(|v| (*v).clone()).collect())),
            }
        }
        CaptureSource::Header(name) => {
            // Repeated headers are joined with `, `, as `response.headers[name]` does.
            let values: Vec<&str> = response.head.headers.get_all(name).collect();
            if values.is_empty() {
                Err(format!("the response has no `{}` header", name.value))
            } else {
                Ok(J::String(values.join(", ")))
            }
        }
        CaptureSource::Cookie(name) => cookie(name, exchange, session),
        CaptureSource::Status => Ok(J::from(response.head.status)),
        CaptureSource::Url => Ok(J::String(response.head.url.clone())),
        CaptureSource::Body => response.body.text.clone().map(J::String).ok_or_else(|| {
            "the body was saved to a file (save_body), not kept as text".to_string()
        }),
        CaptureSource::Regex { regex, group } => {
            let text = response
                .body
                .text
                .as_deref()
                .ok_or("the body was saved to a file (save_body), not kept as text")?;
            let found = regex.captures(text).ok_or_else(|| {
                format!("the pattern `{}` does not match the body", regex.as_str())
            })?;
            found
                .get(*group)
                .map(|m| J::String(m.as_str().to_string()))
                .ok_or_else(|| {
                    format!(
                        "group {group} of `{}` took no part in the match",
                        regex.as_str()
                    )
                })
        }
        // Milliseconds, from the first byte sent to the last received, redirects included.
        CaptureSource::Duration => Ok(J::from(exchange.elapsed.as_millis() as u64)),
    }
}

/// A cookie set by this exchange (the last one set wins), else one the session holds for
/// the final URL.
fn cookie(name: &str, exchange: &Exchange, session: &Session) -> Result<J, String> {
    let set = exchange
        .cookies_set()
        .into_iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v);
    let held = || {
        url::Url::parse(&exchange.response.head.url)
            .ok()
            .and_then(|url| {
                session
                    .cookies_for(&url)
                    .into_iter()
                    .find(|(n, _)| n == name)
            })
            .map(|(_, v)| v)
    };
    set.or_else(held)
        .map(J::String)
        .ok_or_else(|| format!("no cookie `{name}` was set or is held for this URL"))
}

fn nothing_at(path: &JsonPath) -> String {
    format!(
        "the JSONPath `{}` matched nothing in the body",
        path.source.value
    )
}
