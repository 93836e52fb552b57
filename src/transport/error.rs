//! Transport failures, each told in one plain sentence.

use std::error::Error as StdError;
use std::time::Duration;

use sonde_core::duration;

/// Why a request got no usable response. Kept typed until the record becomes an event
/// (`run/convert.rs`), where it is said in one sentence and redacted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HttpError {
    #[error("connection refused by {0}")]
    ConnectionRefused(String),
    #[error("cannot resolve the host name `{0}`")]
    Dns(String),
    #[error("cannot connect to {address}: {reason}")]
    Connect { address: String, reason: String },
    #[error("TLS handshake with {address} failed: {reason}")]
    Tls { address: String, reason: String },
    #[error("{0} closed the connection without answering")]
    ClosedWithoutAnswer(String),
    #[error("connection reset by {0}")]
    Reset(String),
    #[error("no connection to {address} within the connect timeout of {}", duration::display(*.limit))]
    ConnectTimeout { address: String, limit: Duration },
    #[error("{address} sent nothing for {} (read timeout)", duration::display(*.limit))]
    ReadTimeout { address: String, limit: Duration },
    #[error("the request to {address} took longer than its timeout of {}", duration::display(*.limit))]
    TotalTimeout { address: String, limit: Duration },
    #[error("the response body from {address} was cut short or malformed: {reason}")]
    BadBody { address: String, reason: String },
    #[error(
        "the response body is larger than the limit of {limit} bytes (raise --max-body, or use save_body)"
    )]
    BodyTooLarge { limit: u64 },
    #[error("stopped after {max} redirects (max_redirects): the last one pointed to {last}")]
    TooManyRedirects { max: u32, last: String },
    #[error("redirect to {location}: only http and https are followed")]
    RedirectScheme { location: String },
    #[error("the redirect from {from} has an invalid Location `{location}`")]
    BadLocation { from: String, location: String },
    #[error("cannot read {path}: {reason}")]
    ReadFile { path: String, reason: String },
    #[error("cannot write the body to {path}: {reason}")]
    WriteFile { path: String, reason: String },
    #[error("cannot decode the {encoding} body: {reason}")]
    Decompress { encoding: String, reason: String },
    #[error("invalid TLS setting: {0}")]
    TlsSetting(String),
    #[error("invalid proxy `{0}`: an http:// URL is expected")]
    Proxy(String),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("digest authentication failed: {0}")]
    Digest(String),
    #[error("the HTTP runtime could not start: {0}")]
    Runtime(String),
    #[error("request to {address} failed: {reason}")]
    Other { address: String, reason: String },
}

impl HttpError {
    /// Errors that python-requests' `HTTPAdapter(max_retries=…)` would retry: the request
    /// did not reach the server, or the server did not answer in time.
    pub fn is_retriable(&self) -> bool {
        matches!(
            self,
            HttpError::ConnectionRefused(_)
                | HttpError::Dns(_)
                | HttpError::Connect { .. }
                | HttpError::Reset(_)
                | HttpError::ConnectTimeout { .. }
                | HttpError::ReadTimeout { .. }
                | HttpError::TotalTimeout { .. }
        )
    }

    /// Translates a transport error about `url` into one sentence, looking through its
    /// causes for what really happened (refused, DNS, TLS, reset). `connecting` says the
    /// error came while opening the connection.
    pub fn from_transport(
        error: &(dyn StdError + 'static),
        connecting: bool,
        url: &url::Url,
    ) -> HttpError {
        let address = address_of(url);
        if let Some(io) = chain(error).find_map(|e| e.downcast_ref::<std::io::Error>()) {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    return HttpError::ConnectionRefused(address);
                }
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe => {
                    return HttpError::Reset(address);
                }
                _ => {}
            }
        }
        if let Some(tls) = chain(error).find_map(tls_inside) {
            return HttpError::Tls {
                address,
                reason: tls,
            };
        }
        let causes: Vec<String> = chain(error).map(std::string::ToString::to_string).collect();
        let text = causes.join(": ");
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return HttpError::Dns(url.host_str().unwrap_or_default().to_string());
        }
        if text.contains("connection closed before message completed") {
            return HttpError::ClosedWithoutAnswer(address);
        }
        let reason = causes.last().cloned().unwrap_or_default();
        if connecting {
            return HttpError::Connect { address, reason };
        }
        HttpError::Other { address, reason }
    }
}

/// Whether the connect timeout, rather than the network, ended the connection attempt.
pub(crate) fn connect_timed_out(error: &(dyn StdError + 'static)) -> bool {
    chain(error).any(<dyn std::error::Error + 'static>::is::<super::connector::ConnectTimedOut>)
}

/// The error and its causes, outermost first.
fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |e| (*e).source())
}

/// `host:port` of a URL, the way messages name a server.
pub(super) fn address_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Looks through nested `io::Error`s too: their `source()` skips the error they wrap.
fn tls_inside(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(tls.to_string());
    }
    let inner = error.downcast_ref::<std::io::Error>()?.get_ref()?;
    tls_inside(inner)
}
