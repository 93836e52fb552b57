//! One connection pool per transport profile and thread, shared by every file of the run, so that
//! connections are pooled across sessions (cookies, auth and defaults stay per session:
//! the client itself holds none of them).

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::HttpError;
use super::connector::Transport;

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
    static CLIENTS: RefCell<foldhash::HashMap<usize, foldhash::HashMap<TransportProfile, Transport>>> =
        RefCell::new(foldhash::HashMap::default());
}

impl ClientPool {
    /// The pool of the process: every run and every file share its connections.
    pub fn global() -> Arc<ClientPool> {
        static POOL: std::sync::OnceLock<Arc<ClientPool>> = std::sync::OnceLock::new();
        Arc::clone(POOL.get_or_init(|| Arc::new(ClientPool::default())))
    }

    /// The calling thread's client for `profile`; clones share one connection pool.
    pub fn client(&self, profile: &TransportProfile) -> Result<Transport, HttpError> {
        let key = std::ptr::from_ref::<ClientPool>(self) as usize;
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
        let client = Transport::new(profile)?;
        CLIENTS.with(|clients| {
            clients
                .borrow_mut()
                .entry(key)
                .or_default()
                .insert(profile.clone(), client.clone())
        });
        // A poisoned lock only means another thread panicked while inserting; the set
        // itself is still consistent.
        let mut profiles = self
            .profiles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        profiles.insert(profile.clone());
        Ok(client)
    }
}
