//! The HTTP/1.1 client of one transport profile: a pool of hyper connections, opened by a
//! connector that reaches the server directly or through a proxy (absolute-form for `http`,
//! a `CONNECT` tunnel for `https`), then speaks TLS when the URL asks for it.
//!
//! sonde builds on hyper rather than on a higher-level client because it does everything
//! such clients add (redirects, cookies, auth, decoding, timeouts) itself, and the layers
//! it would not use cost as much per request as hyper itself.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::HOST;
use http::{HeaderValue, Request, Response, Uri};
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::client::conn::http1;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_util::either::Either;
use tower_service::Service;

use super::HttpError;
use super::pool::TransportProfile;

/// What a request's body is: bytes, a file streamed from disk, or a multipart form.
pub(crate) type RequestBody = UnsyncBoxBody<Bytes, std::io::Error>;

type BoxError = Box<dyn StdError + Send + Sync>;

/// How many requests a connection carries before it is closed and another opened, give or
/// take a quarter at random. Servers spread connections over their workers (or a balancer
/// over its backends) when they are opened; a connection kept for a whole run pins its
/// share of the load to wherever it landed first. Like nginx's `keepalive_requests` and
/// gRPC's jittered maximum connection age, this lets the load spread again, for one
/// reconnection in a hundred requests.
const REQUESTS_PER_CONNECTION: u32 = 100;

/// A pool of connections per destination; clones share it.
#[derive(Clone)]
pub struct Transport {
    connector: Connector,
    idle: Arc<Mutex<HashMap<Destination, Vec<Connection>>>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("proxies", &self.connector.proxies)
            .finish_non_exhaustive()
    }
}

/// Where connections go: the scheme and `host:port` of the URL (through a proxy or not,
/// which the URL decides).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Destination {
    https: bool,
    authority: String,
}

/// A connection's sending side, and how many more requests it may carry.
struct Connection {
    sender: http1::SendRequest<RequestBody>,
    proxied: bool,
    remaining: u32,
}

/// A send that failed, and whether it failed while connecting.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SendError {
    #[error("cannot connect")]
    Connect(#[source] BoxError),
    #[error(transparent)]
    Http(#[from] hyper::Error),
}

impl SendError {
    pub(crate) fn is_connect(&self) -> bool {
        matches!(self, SendError::Connect(_))
    }
}

impl Transport {
    pub(crate) fn new(profile: &TransportProfile) -> Result<Transport, HttpError> {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let connector = Connector {
            tcp,
            tls: TlsConnector::from(super::tls::client_config(profile)?),
            proxies: proxy_matcher(profile)?.map(Arc::new),
            timeout: profile.connect_timeout,
        };
        Ok(Transport {
            connector,
            idle: Arc::default(),
        })
    }

    /// The proxy a request to `uri` goes through, if any.
    pub(crate) fn proxy_for(&self, uri: &Uri) -> Option<Intercept> {
        self.connector.proxies.as_ref()?.intercept(uri)
    }

    /// Sends `request` (its URI absolute) on an idle connection to its destination, or a
    /// new one. A request an idle connection could not take (the server had closed it) goes
    /// on the next one.
    pub(crate) async fn send(
        &self,
        mut request: Request<RequestBody>,
    ) -> Result<Response<ResponseBody>, SendError> {
        let destination = Destination {
            https: request.uri().scheme_str() == Some("https"),
            authority: request
                .uri()
                .authority()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
        };
        if !request.headers().contains_key(HOST)
            && let Some(host) = host_header(request.uri())
        {
            request.headers_mut().insert(HOST, host);
        }
        let absolute = request.uri().clone();
        loop {
            let (mut connection, fresh) = match self.checkout(&destination) {
                Some(idle) => (idle, false),
                None => (self.connect(absolute.clone()).await?, true),
            };
            if let Err(error) = connection.sender.ready().await {
                if fresh {
                    return Err(error.into());
                }
                continue;
            }
            *request.uri_mut() = if connection.proxied {
                absolute.clone()
            } else {
                origin_form(&absolute)
            };
            match connection.sender.try_send_request(request).await {
                Ok(response) => {
                    connection.remaining = connection.remaining.saturating_sub(1);
                    let returning = Returning {
                        idle: Arc::clone(&self.idle),
                        destination,
                        connection,
                    };
                    return Ok(response.map(|body| ResponseBody {
                        body,
                        returning: Some(returning),
                    }));
                }
                Err(mut error) => match error.take_message() {
                    Some(unsent) if !fresh => request = unsent,
                    _ => return Err(error.into_error().into()),
                },
            }
        }
    }

    /// An idle connection to `destination` that is still open.
    fn checkout(&self, destination: &Destination) -> Option<Connection> {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let connections = idle.get_mut(destination)?;
        while let Some(connection) = connections.pop() {
            if !connection.sender.is_closed() {
                return Some(connection);
            }
        }
        None
    }

    async fn connect(&self, destination: Uri) -> Result<Connection, SendError> {
        let io = self
            .connector
            .clone()
            .call(destination)
            .await
            .map_err(SendError::Connect)?;
        let proxied = io.proxied;
        let (sender, connection) = http1::Builder::new()
            .title_case_headers(true)
            .handshake(io)
            .await?;
        // The connection is driven by this thread's runtime until it closes; its errors
        // reach the request that is waiting on it.
        tokio::spawn(connection);
        Ok(Connection {
            sender,
            proxied,
            remaining: with_jitter(REQUESTS_PER_CONNECTION),
        })
    }
}

/// `n`, give or take a quarter, at random: connections opened together are not all
/// replaced together.
fn with_jitter(n: u32) -> u32 {
    let quarter = n / 4;
    n - quarter + rand::random_range(0..=2 * quarter)
}

/// `Host: host[:port]`, the port left out when it is the scheme's own.
fn host_header(uri: &Uri) -> Option<HeaderValue> {
    let authority = uri.authority()?;
    let default_port = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    let text = match authority.port_u16() {
        Some(port) if port != default_port => authority.as_str(),
        _ => authority.host(),
    };
    // An authority may carry `user:password@`, which is no part of `Host`.
    let text = text.rsplit_once('@').map_or(text, |(_, host)| host);
    HeaderValue::from_str(text).ok()
}

/// `/path?query` of an absolute URI: what goes on the request line to the server itself.
fn origin_form(uri: &Uri) -> Uri {
    match uri.path_and_query() {
        Some(path) if path.as_str() != "/" => {
            let mut parts = http::uri::Parts::default();
            parts.path_and_query = Some(path.clone());
            Uri::from_parts(parts).unwrap_or_default()
        }
        _ => Uri::default(),
    }
}

/// A response body that puts its connection back in the pool once it has been read to
/// the end. A body dropped before its end takes the connection with it, as hyper then
/// closes it.
pub(crate) struct ResponseBody {
    body: Incoming,
    returning: Option<Returning>,
}

struct Returning {
    idle: Arc<Mutex<HashMap<Destination, Vec<Connection>>>>,
    destination: Destination,
    connection: Connection,
}

impl Returning {
    fn put_back(self) {
        if self.connection.remaining == 0 {
            return;
        }
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        idle.entry(self.destination)
            .or_default()
            .push(self.connection);
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.get_mut();
        let frame = Pin::new(&mut this.body).poll_frame(cx);
        if let Poll::Ready(None) = frame
            && let Some(returning) = this.returning.take()
        {
            returning.put_back();
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The proxies of a profile: the file's own replace those of the environment
/// (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`, as curl and python-requests
/// read them). `None` when no request of the profile goes through one.
fn proxy_matcher(profile: &TransportProfile) -> Result<Option<Matcher>, HttpError> {
    let Some(proxies) = &profile.proxies else {
        return Ok(environment_names_a_proxy().then(Matcher::from_env));
    };
    let mut builder = Matcher::builder();
    let probes = [
        (&proxies.http, "http://sonde.invalid/"),
        (&proxies.https, "https://sonde.invalid/"),
    ];
    if let Some(url) = &proxies.http {
        builder = builder.http(url.as_str());
    }
    if let Some(url) = &proxies.https {
        builder = builder.https(url.as_str());
    }
    let matcher = builder.build();
    // The matcher drops a URL it cannot use; a file's proxy must not vanish silently.
    for (url, probe) in probes {
        if let Some(url) = url {
            let usable = matcher
                .intercept(&Uri::from_static(probe))
                .is_some_and(|proxy| proxy.uri().scheme_str() == Some("http"));
            if !usable {
                return Err(HttpError::Proxy(url.clone()));
            }
        }
    }
    Ok(Some(matcher))
}

/// Whether a variable naming a proxy is set. Without one, no request asks the matcher.
fn environment_names_a_proxy() -> bool {
    [
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

/// Opens connections: TCP to the server or its proxy, a tunnel through the proxy for
/// `https`, then TLS for `https`; all of it within the connect timeout.
#[derive(Clone)]
struct Connector {
    tcp: HttpConnector,
    tls: TlsConnector,
    proxies: Option<Arc<Matcher>>,
    timeout: Option<Duration>,
}

impl Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, destination: Uri) -> Self::Future {
        let connector = self.clone();
        Box::pin(async move {
            let connecting = connector.connect(destination);
            match connector.timeout {
                Some(limit) => tokio::time::timeout(limit, connecting)
                    .await
                    .unwrap_or_else(|_| Err(ConnectTimedOut.into())),
                None => connecting.await,
            }
        })
    }
}

impl Connector {
    async fn connect(&self, destination: Uri) -> Result<Conn, BoxError> {
        let https = destination.scheme_str() == Some("https");
        let proxy = self
            .proxies
            .as_ref()
            .and_then(|m| m.intercept(&destination));
        let mut tcp = self.tcp.clone();
        let (stream, proxied) = match proxy {
            None => (tcp.call(destination.clone()).await?, false),
            Some(proxy) => {
                if proxy.uri().scheme_str() != Some("http") {
                    return Err(format!(
                        "the proxy {} is not an http:// proxy, the only kind sonde speaks",
                        proxy.uri()
                    )
                    .into());
                }
                if https {
                    let mut tunnel = Tunnel::new(proxy.uri().clone(), tcp);
                    if let Some(auth) = proxy.basic_auth() {
                        tunnel = tunnel.with_auth(auth.clone());
                    }
                    (tunnel.call(destination.clone()).await?, false)
                } else {
                    (tcp.call(proxy.uri().clone()).await?, true)
                }
            }
        };
        let stream = stream.into_inner();
        if !https {
            return Ok(Conn {
                io: TokioIo::new(Either::Left(stream)),
                proxied,
            });
        }
        let host = destination.host().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host.to_owned())?;
        let stream = self.tls.connect(name, stream).await?;
        Ok(Conn {
            io: TokioIo::new(Either::Right(stream)),
            proxied,
        })
    }
}

/// The connect timeout ran out; found in the error's causes by the error mapping.
#[derive(Debug, thiserror::Error)]
#[error("connect timeout")]
pub(crate) struct ConnectTimedOut;

/// One connection: plain or TLS, and whether it goes to a proxy that takes absolute-form
/// requests.
pub(crate) struct Conn {
    io: TokioIo<Either<TcpStream, TlsStream<TcpStream>>>,
    proxied: bool,
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_header_leaves_out_the_schemes_own_port_and_credentials() {
        let host = |uri: &str| host_header(&uri.parse().unwrap()).unwrap();
        assert_eq!(host("http://a.test:80/x"), "a.test");
        assert_eq!(host("https://a.test:443/"), "a.test");
        assert_eq!(host("https://a.test/"), "a.test");
        assert_eq!(host("http://a.test:8080/"), "a.test:8080");
        assert_eq!(host("https://a.test:80/"), "a.test:80");
        assert_eq!(host("http://[::1]:8080/"), "[::1]:8080");
        assert_eq!(host("http://u:p@a.test:81/"), "a.test:81");
        assert_eq!(host("http://u:p@a.test/"), "a.test");
    }

    #[test]
    fn the_origin_form_keeps_path_and_query_only() {
        let origin = |uri: &str| origin_form(&uri.parse().unwrap()).to_string();
        assert_eq!(origin("http://a.test/p/q?x=1"), "/p/q?x=1");
        assert_eq!(origin("http://a.test"), "/");
        assert_eq!(origin("http://a.test/"), "/");
    }
}
