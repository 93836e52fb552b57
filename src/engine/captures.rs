//! Captures (SPEC §2.3): values taken from a response for the following steps.

use serde_json::Value as J;

use crate::transport::{BodyJsonError, Exchange, Session};
use sonde_core::model::{Capture, CaptureSource, JsonPath};

/// A capture that found nothing, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("capture `{name}`: {why}")]
pub struct CaptureError {
    pub name: String,
    pub why: NothingCaptured,
}

/// Why a capture found nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NothingCaptured {
    #[error("the JSONPath `{0}` matched nothing in the body")]
    JsonPath(String),
    #[error(transparent)]
    Body(#[from] BodyJsonError),
    #[error("the response has no `{0}` header")]
    Header(String),
    #[error("the body was saved to a file (save_body), not kept as text")]
    Saved,
    #[error("the pattern `{0}` does not match the body")]
    NoMatch(String),
    #[error("group {group} of `{pattern}` took no part in the match")]
    Group { group: usize, pattern: String },
    #[error("no cookie `{0}` was set or is held for this URL")]
    Cookie(String),
}

/// Takes one capture from `exchange`.
pub(crate) fn take(
    capture: &Capture,
    exchange: &Exchange,
    session: &Session,
) -> Result<J, CaptureError> {
    value_of(&capture.source, exchange, session).map_err(|why| CaptureError {
        name: capture.name.value.clone(),
        why,
    })
}

fn value_of(
    source: &CaptureSource,
    exchange: &Exchange,
    session: &Session,
) -> Result<J, NothingCaptured> {
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
                Err(NothingCaptured::Header(name.value.clone()))
            } else {
                Ok(J::String(values.join(", ")))
            }
        }
        CaptureSource::Cookie(name) => cookie(name, exchange, session),
        CaptureSource::Status => Ok(J::from(response.head.status)),
        CaptureSource::Url => Ok(J::String(response.head.url.clone())),
        CaptureSource::Body => response
            .body
            .text
            .clone()
            .map(J::String)
            .ok_or(NothingCaptured::Saved),
        CaptureSource::Regex { regex, group } => {
            let text = response
                .body
                .text
                .as_deref()
                .ok_or(NothingCaptured::Saved)?;
            let found = regex
                .captures(text)
                .ok_or_else(|| NothingCaptured::NoMatch(regex.as_str().to_owned()))?;
            found
                .get(*group)
                .map(|m| J::String(m.as_str().to_string()))
                .ok_or_else(|| NothingCaptured::Group {
                    group: *group,
                    pattern: regex.as_str().to_owned(),
                })
        }
        // Milliseconds, from the first byte sent to the last received, redirects included.
        CaptureSource::Duration => Ok(J::from(exchange.elapsed.as_millis() as u64)),
    }
}

/// A cookie set by this exchange (the last one set wins), else one the session holds for
/// the final URL.
fn cookie(name: &str, exchange: &Exchange, session: &Session) -> Result<J, NothingCaptured> {
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
        .ok_or_else(|| NothingCaptured::Cookie(name.to_owned()))
}

fn nothing_at(path: &JsonPath) -> NothingCaptured {
    NothingCaptured::JsonPath(path.source.value.clone())
}
