//! The record of one exchange: what was sent and what came back, hop by hop.
//!
//! This is the contract between the request engine and everything that reads its
//! results (checks, captures, console, `JUnit` and JSON reports). It holds plain data only,
//! no live connection, so that a reporter never needs to know about HTTP internals.

use super::HttpError;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

/// Header lines in the order they were sent or received, repeats kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeaderList(pub Vec<(String, String)>);

impl HeaderList {
    /// The first value of `name`, compared case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order, compared case-insensitively.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// A request as it went on the wire (after templates, merging, auth and cookies).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    pub method: String,
    /// The full URL, query included.
    pub url: String,
    pub headers: HeaderList,
    pub body: SentBody,
}

/// What a request carried. Streamed bodies are described, not copied.
#[derive(Debug, Clone, PartialEq)]
pub enum SentBody {
    Empty,
    /// JSON, form and raw bodies, whole.
    Bytes(Bytes),
    /// A file streamed from disk (`data: {file: …}`).
    File {
        path: PathBuf,
        size: u64,
    },
    /// A multipart upload: the parts, without the files' bytes.
    Multipart(Vec<PartSummary>),
}

impl SentBody {
    /// The body's size in bytes, when known without reading a file.
    pub fn size(&self) -> Option<u64> {
        match self {
            SentBody::Empty => Some(0),
            SentBody::Bytes(b) => Some(b.len() as u64),
            SentBody::File { size, .. } => Some(*size),
            SentBody::Multipart(_) => None,
        }
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub struct PartSummary {
    pub name: String,
    /// Set for file parts.
    pub filename: Option<String>,
    pub content_type: Option<String>,
    /// Inline text parts keep their text; file parts give their path and size.
    pub content: PartContent,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PartContent {
    Text(String),
    File { path: PathBuf, size: u64 },
}

/// The status line and headers of a response.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHead {
    pub status: u16,
    /// The reason phrase of the status (`OK`, `Not Found`), from the standard list.
    pub reason: String,
    /// `HTTP/1.1`, `HTTP/2.0`, …
    pub version: String,
    pub headers: HeaderList,
    /// The URL this response answered.
    pub url: String,
}

impl ResponseHead {
    /// The `name=value` pairs of this response's `Set-Cookie` headers, in order.
    pub fn set_cookies(&self) -> Vec<(String, String)> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|line| cookie_store::RawCookie::parse(line.to_owned()).ok())
            .map(|c| (c.name().to_owned(), c.value().to_owned()))
            .collect()
    }
}

/// The final response of an exchange, with its body.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseRecord {
    pub head: ResponseHead,
    pub body: ResponseBody,
    pub timing: Timing,
}

/// A response body, decoded from its `Content-Encoding` (the header stays in `head`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseBody {
    pub content: BodyContent,
    /// Bytes received on the wire, before decompression.
    pub wire_size: u64,
    /// The text of the body, decoded with `charset` (invalid sequences become U+FFFD, as
    /// `response.text` does); `None` when the body was saved to a file.
    pub text: Option<String>,
    /// The charset the text was decoded with (WHATWG name, e.g. `UTF-8`).
    pub charset: String,
    /// Some bytes were invalid in `charset` (they became U+FFFD in `text`).
    pub malformed_text: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BodyContent {
    /// The decoded bytes (`response.content`).
    Memory(Bytes),
    /// `save_body`: the decoded bytes went to this file.
    Saved { path: PathBuf, size: u64 },
}

impl ResponseBody {
    /// The decoded size in bytes.
    pub fn len(&self) -> u64 {
        match &self.content {
            BodyContent::Memory(b) => b.len() as u64,
            BodyContent::Saved { size, .. } => *size,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, BodyJsonError> {
        let text = self.text.as_deref().ok_or(BodyJsonError::Saved)?;
        serde_json::from_str(text).map_err(|e| BodyJsonError::NotJson(e.to_string()))
    }
}

/// Why a response body cannot be read as JSON.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BodyJsonError {
    #[error("the body was saved to a file, not kept in memory")]
    Saved,
    #[error("the body is not JSON: {0}")]
    NotJson(String),
}

/// When things happened, measured from the moment the request started.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Timing {
    /// Until the response headers arrived.
    pub first_byte: Duration,
    /// Until the last byte of the body.
    pub total: Duration,
}

/// A redirect that was followed: the request that got it and the redirecting response.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub request: RequestRecord,
    pub response: ResponseHead,
    pub timing: Timing,
}

/// An attempt that was retried.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// 1 for the first try.
    pub number: u32,
    pub outcome: AttemptOutcome,
    /// How long sonde waited before the next try (backoff or `Retry-After`).
    pub waited: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttemptOutcome {
    /// A status listed in `retries.on_status`.
    Status(u16),
    /// A connect error or a timeout, in one sentence.
    Error(String),
}

/// One request and its final response, with the redirects and retries on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// The request that got the final response (after redirects).
    pub request: RequestRecord,
    pub response: ResponseRecord,
    /// Redirects followed, in order (`response.history`); empty when there were none.
    pub hops: Vec<Hop>,
    /// Tries that were retried before the one recorded here.
    pub attempts: Vec<Attempt>,
    /// From the first byte sent, redirects and retries included.
    pub elapsed: Duration,
}

impl Exchange {
    /// Cookies set by every response of the exchange, redirects included, in order.
    pub fn cookies_set(&self) -> Vec<(String, String)> {
        self.hops
            .iter()
            .map(|h| &h.response)
            .chain(std::iter::once(&self.response.head))
            .flat_map(ResponseHead::set_cookies)
            .collect()
    }
}

/// A request that got no usable response: why, and what was tried.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedExchange {
    /// The last request sent (or about to be sent).
    pub request: Option<RequestRecord>,
    pub hops: Vec<Hop>,
    pub attempts: Vec<Attempt>,
    /// Why.
    pub error: HttpError,
}
