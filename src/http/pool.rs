//! One reqwest client per transport profile, shared by every file of the run, so that
//! connections are pooled across sessions (cookies, auth and defaults stay per session:
//! the client itself holds none of them).

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::HttpError;

/// Everything that changes how connections are made; requests that agree on it share
/// connections.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TransportProfile {
    pub verify: Verification,
    /// A PEM file holding certificate and key, or the certificate file and the key file.
    pub client_cert: Option<(PathBuf, Option<PathBuf>)>,
    pub proxies: Option<ProxyUrls>,
    pub connect_timeout: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Verification {
    /// The built-in web roots.
    #[default]
    Default,
    /// `verify: false`.
    Off,
    /// `verify: ca.pem`: these roots only, as python-requests does with a bundle.
    CaBundle(PathBuf),
}

/// Proxy URLs per scheme of the target URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ProxyUrls {
    pub http: Option<String>,
    pub https: Option<String>,
}

/// The clients of a run, one per profile and thread, built on first use.
///
/// A client's connections are driven by the runtime of the thread that opened them (see
/// `super::block_on`), so each sending thread has its own client per profile: the files a
/// worker thread runs one after the other share its connections.
#[derive(Debug, Default)]
pub struct ClientPool {
    /// The profiles a client was built for, on any thread.
    profiles: Mutex<HashSet<TransportProfile>>,
}

thread_local! {
    /// This thread's clients: by pool (its address) and profile.
    static CLIENTS: RefCell<foldhash::HashMap<usize, foldhash::HashMap<TransportProfile, reqwest::Client>>> =
        RefCell::new(foldhash::HashMap::default());
}

impl ClientPool {
    /// The pool of the process: every run and every file share its connections.
    pub fn global() -> Arc<ClientPool> {
        static POOL: std::sync::OnceLock<Arc<ClientPool>> = std::sync::OnceLock::new();
        Arc::clone(POOL.get_or_init(|| Arc::new(ClientPool::default())))
    }

    /// The calling thread's client for `profile`; clones share one connection pool.
    pub fn client(&self, profile: &TransportProfile) -> Result<reqwest::Client, HttpError> {
        let key = self as *const ClientPool as usize;
        let found = CLIENTS.with(|clients| {
            clients
                .borrow()
                .get(&key)
                .and_then(|by_profile| by_profile.get(profile))
                .cloned()
        });
        if let Some(client) = found {
            return Ok(client);
        }
        let client = build_client(profile)?;
        CLIENTS.with(|clients| {
            clients
                .borrow_mut()
                .entry(key)
                .or_default()
                .insert(profile.clone(), client.clone())
        });
        // A poisoned lock only means another thread panicked while inserting; the set
        // itself is still consistent.
        let mut profiles = self.profiles.lock().unwrap_or_else(|e| e.into_inner());
        profiles.insert(profile.clone());
        Ok(client)
    }

    /// How many distinct profiles the pool has built clients for.
    pub fn len(&self) -> usize {
        self.profiles.lock().map_or(0, |p| p.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn build_client(profile: &TransportProfile) -> Result<reqwest::Client, HttpError> {
    // sonde follows redirects itself (to record hops and keep per-session cookies) and
    // decodes bodies itself (so that `Content-Encoding` stays visible to checks).
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .http1_title_case_headers()
        .use_rustls_tls();
    if let Some(limit) = profile.connect_timeout {
        builder = builder.connect_timeout(limit);
    }
    builder = match &profile.verify {
        Verification::Default => builder,
        Verification::Off => builder.danger_accept_invalid_certs(true),
        Verification::CaBundle(path) => {
            let pem = read(path)?;
            let roots = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                HttpError::TlsSetting(format!("{}: not a PEM CA bundle ({e})", path.display()))
            })?;
            if roots.is_empty() {
                return Err(HttpError::TlsSetting(format!(
                    "{}: no certificate in this CA bundle",
                    path.display()
                )));
            }
            roots
                .into_iter()
                .fold(builder.tls_built_in_root_certs(false), |b, root| {
                    b.add_root_certificate(root)
                })
        }
    };
    if let Some((cert, key)) = &profile.client_cert {
        let mut pem = read(cert)?;
        if let Some(key) = key {
            pem.push(b'\n');
            pem.extend(read(key)?);
        }
        let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
            HttpError::TlsSetting(format!(
                "{}: not a PEM certificate with its private key ({e})",
                cert.display()
            ))
        })?;
        builder = builder.identity(identity);
    }
    // Explicit proxies replace those of the environment (HTTP_PROXY and friends). Without
    // either, reqwest would still ask its matcher of the environment on every request.
    if profile.proxies.is_some() || !environment_names_a_proxy() {
        builder = builder.no_proxy();
    }
    if let Some(proxies) = &profile.proxies {
        if let Some(url) = &proxies.http {
            builder = builder.proxy(
                reqwest::Proxy::http(url.as_str()).map_err(|_| HttpError::Proxy(url.clone()))?,
            );
        }
        if let Some(url) = &proxies.https {
            builder = builder.proxy(
                reqwest::Proxy::https(url.as_str()).map_err(|_| HttpError::Proxy(url.clone()))?,
            );
        }
    }
    builder
        .build()
        .map_err(|e| HttpError::TlsSetting(e.to_string()))
}

/// Whether a variable reqwest reads its proxies from (as curl and python-requests do) is set.
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

fn read(path: &Path) -> Result<Vec<u8>, HttpError> {
    std::fs::read(path).map_err(|e| HttpError::ReadFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}
