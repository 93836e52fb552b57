//! The transport: sends fully prepared requests (no templates left) and records each
//! exchange. Redirects, retries, auth challenges, cookies and body decoding happen here;
//! what to send is decided by the engine (`crate::engine`).
//!
//! Internally async (hyper on a single-threaded tokio runtime of the calling thread, which
//! gives per-read timeouts and streamed bodies), but the API is blocking: call it from plain
//! threads, never from inside a tokio runtime.

mod auth;
mod body;
mod connector;
mod decode;
mod error;
mod pool;
pub(crate) mod record;
pub(crate) mod request_url;
mod send;
mod session;
mod tls;

use std::path::PathBuf;
use std::time::Duration;

pub use auth::AuthSpec;
pub use error::HttpError;
pub use pool::{ClientPool, ProxyUrls, TransportProfile, Verification};
pub use record::*;
pub use request_url::UrlError;
pub use send::send_async;
pub use session::Session;
pub use sonde_core::charset::Charset;

/// The headers sonde sends unless a setting overrides or removes them.
pub fn default_headers() -> [(&'static str, String); 3] {
    [
        (
            "User-Agent",
            concat!("sonde/", env!("CARGO_PKG_VERSION")).to_string(),
        ),
        ("Accept", "*/*".to_string()),
        ("Accept-Encoding", "gzip, deflate, br".to_string()),
    ]
}

/// The largest body kept in memory unless the run says otherwise: 64 MiB.
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// The most redirects followed unless `max_redirects` says otherwise.
pub const DEFAULT_MAX_REDIRECTS: u32 = 10;

/// A request with every template rendered and every setting merged.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    pub method: http::Method,
    /// Query included.
    pub url: ::url::Url,
    /// Merged headers in order; names as written.
    pub headers: Vec<(String, String)>,
    /// Cookies given by settings, sent besides the session jar's (they win on a name clash).
    pub cookies: Vec<(String, String)>,
    pub body: BodySpec,
    pub auth: Option<AuthSpec>,
    pub options: SendOptions,
    pub profile: TransportProfile,
}

/// What to send as the body; built anew for each try, so files are reopened, never held.
#[derive(Debug, Clone)]
pub enum BodySpec {
    Empty,
    /// Bytes with the `Content-Type` to add when no header gives one.
    Bytes {
        bytes: bytes::Bytes,
        content_type: Option<&'static str>,
    },
    /// The file's bytes, streamed.
    File(PathBuf),
    Multipart(Vec<PartSpec>),
}

#[derive(Debug, Clone)]
pub enum PartSpec {
    Text {
        name: String,
        value: String,
        /// Set for inline `files` entries: python-requests sends those as files named
        /// after their field, so servers see an upload, not a form field.
        filename: Option<String>,
    },
    File {
        name: String,
        path: PathBuf,
        /// Defaults to the file's name.
        filename: Option<String>,
        /// Defaults to a guess from the file name.
        content_type: Option<String>,
        headers: Vec<(String, String)>,
    },
}

/// How to send: time limits, retries, redirects, and what to do with the body.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// Bounds the whole exchange, redirects included, per try.
    pub total_timeout: Option<Duration>,
    /// Bounds the wait for the response headers and each read of the body.
    pub read_timeout: Option<Duration>,
    pub retries: Option<RetryPolicy>,
    pub allow_redirects: bool,
    pub max_redirects: u32,
    pub max_body: u64,
    pub save_body: Option<PathBuf>,
    /// A charset label overriding the one the headers give.
    pub encoding: Option<Charset>,
}

impl Default for SendOptions {
    fn default() -> Self {
        SendOptions {
            total_timeout: None,
            read_timeout: None,
            retries: None,
            allow_redirects: true,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            max_body: DEFAULT_MAX_BODY,
            save_body: None,
            encoding: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first try.
    pub count: u32,
    /// The first wait; the n-th retry waits `backoff × 2^n`.
    pub backoff: Duration,
    pub on_status: Vec<u16>,
}

/// The longest `Retry-After` honoured: a server asking for more is not waited on longer.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// Runs `future` to completion on the calling thread's own runtime.
///
/// Each thread that sends gets a single-threaded runtime of its own (and its own clients,
/// see [`ClientPool`]): a request, its connection task and its body are all driven by the
/// thread that waits for them. With one shared multi-threaded runtime, every request went
/// from the worker thread to a runtime thread and back (several wake-ups and context
/// switches per request), and the runtime's few threads were shared by all the workers.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, HttpError> {
    thread_local! {
        static RUNTIME: Result<tokio::runtime::Runtime, String> =
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string());
    }
    RUNTIME.with(|runtime| match runtime {
        Ok(runtime) => Ok(runtime.block_on(future)),
        Err(e) => Err(HttpError::Runtime(e.clone())),
    })
}
