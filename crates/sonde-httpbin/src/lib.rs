//! The embedded httpbin-compatible server behind `sonde serve`, `servers: {x: builtin}`
//! and sonde's own tests.
//!
//! Responses copy httpbin (the Flask application) closely enough that a scenario
//! written against httpbin.org runs unchanged: same JSON field names and value
//! types, keys sorted and indented the way Flask's `jsonify` does it, header names
//! title-cased the way WSGI presents them, the same redirect and status bodies.

mod auth;
mod body;
mod cache;
mod content;
mod cookies;
mod digest;
mod echo;
mod encoding;
mod fault;
mod json;
mod middleware;
mod python_random;
mod redirect;
mod request;
mod responses;
mod routes;
mod status;
mod stream;
mod timing;
mod wsgi;

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A server started by [`spawn`], running on its own thread until shut down or dropped.
pub struct ServerHandle {
    addr: SocketAddr,
    connections: Arc<AtomicU64>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`, with no trailing slash.
    ///
    /// A server bound to an unspecified address (`0.0.0.0`, `::`) is reachable on
    /// loopback, so the URL names loopback rather than an address nobody can dial.
    pub fn url(&self) -> String {
        format!("http://{}", dialable(self.addr))
    }

    /// How many TCP connections the server has accepted so far.
    pub fn connections_accepted(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }

    /// Stops the server and waits for its thread to finish.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The server may already have stopped on its own; nothing to tell it then.
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been reported by the panic hook.
            let _ = thread.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .field("connections_accepted", &self.connections_accepted())
            .finish_non_exhaustive()
    }
}

/// Starts the server on its own thread with its own tokio runtime; returns once it is
/// listening. Port 0 picks an ephemeral port.
pub fn spawn(host: IpAddr, port: u16) -> io::Result<ServerHandle> {
    // A single-threaded runtime keeps each server cheap: tests start many at once.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let listener = {
        let _entered = runtime.enter();
        bind(host, port)?
    };
    let addr = listener.local_addr()?;
    let connections = Arc::new(AtomicU64::new(0));
    let (stop, stopped) = oneshot::channel::<()>();
    let counter = Arc::clone(&connections);
    let thread = std::thread::Builder::new()
        .name(format!("sonde-server-{}", addr.port()))
        .spawn(move || {
            // Serving only ends on an accept-loop error, which has nowhere to go from
            // here; dropping the runtime afterwards cancels every open connection.
            let _ = runtime.block_on(serve_until(listener, counter, async {
                let _ = stopped.await;
            }));
        })?;
    Ok(ServerHandle {
        addr,
        connections,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Runs the server in the foreground until Ctrl-C or SIGTERM. `on_ready` is called
/// with the bound address once the server is listening.
pub fn serve_foreground(
    host: IpAddr,
    port: u16,
    on_ready: impl FnOnce(SocketAddr),
) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = bind(host, port)?;
        on_ready(listener.local_addr()?);
        serve_until(listener, Arc::new(AtomicU64::new(0)), termination_signal()).await
    })
}

fn bind(host: IpAddr, port: u16) -> io::Result<TcpListener> {
    let listener = std::net::TcpListener::bind(SocketAddr::new(host, port))?;
    listener.set_nonblocking(true)?;
    TcpListener::from_std(listener)
}

/// Serves HTTP/1.1 (keep-alive included) on `listener` until `stop` completes.
async fn serve_until(
    listener: TcpListener,
    connections: Arc<AtomicU64>,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    let local_addr = listener.local_addr()?;
    // Counting in the accept tap (rather than per request) is what lets tests prove
    // that a client reused its connection.
    let listener = listener.tap_io(move |stream| {
        connections.fetch_add(1, Ordering::SeqCst);
        // Small responses written as headers + body must not wait on Nagle.
        let _ = stream.set_nodelay(true);
    });
    // The `/fault/…` endpoints that need the raw TCP stream live on a listener of their own.
    let faults = fault::RawListener::start(local_addr.ip()).await?;
    let app = routes::router()
        .layer(axum::Extension(request::ServerAddr(local_addr)))
        .layer(axum::Extension(faults.addr()))
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::select! {
        served = axum::serve(listener, app).into_future() => served,
        () = stop => Ok(()),
    }
}

async fn termination_signal() {
    let ctrl_c = async {
        // Without a Ctrl-C handler we can still be stopped by SIGTERM.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

fn dialable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}
