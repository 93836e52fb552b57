//! The HTTP/1.1 client of one transport profile: hyper's pooled client over a connector that
//! reaches the server directly or through a proxy (absolute-form for `http`, a `CONNECT`
//! tunnel for `https`), then speaks TLS when the URL asks for it.
//!
//! sonde builds on hyper rather than on a higher-level client because it does everything
//! such clients add (redirects, cookies, auth, decoding, timeouts) itself, and the layers
//! it would not use cost as much per request as hyper itself.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Uri};
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
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

/// How long an unused connection is kept for the next request, as python-requests' pool
/// (through urllib3) and most servers allow.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// A pooled client; clones share its connections.
#[derive(Clone)]
pub struct Transport {
    client: Client<Connector, RequestBody>,
    proxies: Option<Arc<Matcher>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("proxies", &self.proxies)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub(crate) fn new(profile: &TransportProfile) -> Result<Transport, HttpError> {
        let proxies = proxy_matcher(profile)?.map(Arc::new);
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let connector = Connector {
            tcp,
            tls: TlsConnector::from(super::tls::client_config(profile)?),
            proxies: proxies.clone(),
            timeout: profile.connect_timeout,
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .http1_title_case_headers(true)
            .build(connector);
        Ok(Transport { client, proxies })
    }

    /// The proxy a request to `uri` goes through, if any.
    pub(crate) fn proxy_for(&self, uri: &Uri) -> Option<Intercept> {
        self.proxies.as_ref()?.intercept(uri)
    }

    /// Sends `request` on a pooled connection, or a new one.
    pub(crate) async fn send(
        &self,
        request: Request<RequestBody>,
    ) -> Result<Response<Incoming>, hyper_util::client::legacy::Error> {
        self.client.request(request).await
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

impl Connection for Conn {
    fn connected(&self) -> Connected {
        Connected::new().proxy(self.proxied)
    }
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
