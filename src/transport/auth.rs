//! Authentication schemes: basic, digest (RFC 7616, via `http-auth`), bearer, custom header.

use base64::Engine as _;
use url::Url;

use super::HttpError;
use super::session::Session;

#[derive(Debug, Clone, PartialEq)]
pub enum AuthSpec {
    Basic { user: String, password: String },
    Digest { user: String, password: String },
    Bearer(String),
    Header { name: String, value: String },
}

impl AuthSpec {
    /// The header to send with a request to `url`. Digest answers only once the server has
    /// challenged this session (the answer is then reused, the nonce count going up).
    pub(crate) fn header(
        &self,
        session: &mut Session,
        method: &str,
        url: &Url,
    ) -> Result<Option<(String, String)>, HttpError> {
        Ok(match self {
            AuthSpec::Basic { user, password } => {
                Some(("Authorization".into(), basic(user, password)))
            }
            AuthSpec::Bearer(token) => Some(("Authorization".into(), format!("Bearer {token}"))),
            AuthSpec::Header { name, value } => Some((name.clone(), value.clone())),
            AuthSpec::Digest { user, password } => session
                .digest_answer(url, user, password, method)?
                .map(|value| ("Authorization".into(), value)),
        })
    }
}

/// `Basic base64(user:password)`.
pub(super) fn basic(user: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

/// The request-target a digest answer signs: path and query.
pub(crate) fn digest_uri(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}
