//! What one scenario file carries from request to request, like a `requests.Session`:
//! the cookie jar and the digest state. Defaults (headers, params, auth) are merged by
//! the engine before a request gets here.

use std::collections::HashMap;

use cookie_store::{CookieStore, RawCookie};
use url::Url;

use super::HttpError;
use super::auth::digest_uri;

#[derive(Debug, Default)]
pub struct Session {
    jar: CookieStore,
    /// Digest state per origin and user: the server's last challenge and its nonce count.
    digest: HashMap<(String, String), http_auth::PasswordClient>,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// The jar's cookies for `url`, as `name=value` pairs.
    pub fn cookies_for(&self, url: &Url) -> Vec<(String, String)> {
        self.jar
            .get_request_values(url)
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// Stores the `Set-Cookie` lines of a response from `url`.
    pub fn store_cookies<'a>(&mut self, url: &Url, set_cookie: impl Iterator<Item = &'a str>) {
        let cookies = set_cookie.filter_map(|line| RawCookie::parse(line.to_owned()).ok());
        self.jar.store_response_cookies(cookies, url);
    }

    /// The `Authorization` value for a digest request, when a challenge of this origin is known.
    pub(crate) fn digest_answer(
        &mut self,
        url: &Url,
        user: &str,
        password: &str,
        method: &str,
    ) -> Result<Option<String>, HttpError> {
        let key = digest_key(url, user);
        let Some(client) = self.digest.get_mut(&key) else {
            return Ok(None);
        };
        let uri = digest_uri(url);
        let answer = client.respond(&http_auth::PasswordParams {
            username: user,
            password,
            uri: &uri,
            method,
            body: None,
        });
        if answer.is_err() {
            // A challenge sonde cannot answer (auth-int) must not stand in the way of the
            // next one: forget it, so the next request gets a fresh challenge.
            self.digest.remove(&key);
        }
        answer.map(Some).map_err(HttpError::Digest)
    }

    /// Takes in a `WWW-Authenticate` challenge; true when it holds a digest challenge sonde
    /// can answer.
    pub(crate) fn digest_challenge<'a>(
        &mut self,
        url: &Url,
        user: &str,
        challenges: impl Iterator<Item = &'a str>,
    ) -> Result<bool, HttpError> {
        let mut builder = http_auth::PasswordClient::builder();
        for value in challenges {
            builder = builder.challenges(value);
        }
        match builder.build() {
            Ok(client @ http_auth::PasswordClient::Digest(_)) => {
                self.digest.insert(digest_key(url, user), client);
                Ok(true)
            }
            Ok(_) => Ok(false),
            Err(reason) => Err(HttpError::Digest(format!(
                "the server's challenge cannot be answered: {reason}"
            ))),
        }
    }
}

fn digest_key(url: &Url, user: &str) -> (String, String) {
    (url.origin().ascii_serialization(), user.to_string())
}
