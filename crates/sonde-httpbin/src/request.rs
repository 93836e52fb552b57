//! The request as httpbin's `get_dict` sees it: URL, query arguments, headers,
//! origin, and the body split into `form`, `files`, `data` and `json`.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Request};
use axum::http::header::{COOKIE, HOST};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use serde_json::{Map, Value};

use super::body::{MAX_BODY_BYTES, Payload, semiflatten};
use super::responses;
use super::wsgi::{iri_from_uri, latin1, title_case};

/// Headers set by httpbin.org's hosting proxies, hidden unless `?show_env` is given.
const ENV_HEADERS: &[&str] = &[
    "X-Varnish",
    "X-Request-Start",
    "X-Heroku-Queue-Depth",
    "X-Real-Ip",
    "X-Forwarded-Proto",
    "X-Forwarded-Protocol",
    "X-Forwarded-Ssl",
    "X-Heroku-Queue-Wait-Time",
    "X-Forwarded-For",
    "X-Heroku-Dynos-In-Use",
    "X-Forwarded-Port",
    "X-Request-Id",
    "Via",
    "Total-Route-Time",
    "Connect-Time",
];

/// A field of httpbin's request echo.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Field {
    Url,
    Args,
    Form,
    Data,
    Origin,
    Headers,
    Files,
    Json,
    Method,
}

/// `/get` and friends.
pub(crate) const GET_FIELDS: &[Field] = &[Field::Url, Field::Args, Field::Headers, Field::Origin];
/// `/post`, `/put`, `/patch`, `/delete`.
pub(crate) const BODY_FIELDS: &[Field] = &[
    Field::Url,
    Field::Args,
    Field::Form,
    Field::Data,
    Field::Origin,
    Field::Headers,
    Field::Files,
    Field::Json,
];
/// `/anything`: the body fields plus the method.
pub(crate) const ANYTHING_FIELDS: &[Field] = &[
    Field::Url,
    Field::Args,
    Field::Headers,
    Field::Origin,
    Field::Method,
    Field::Form,
    Field::Data,
    Field::Files,
    Field::Json,
];
/// `/delay/{n}`: the body fields without `json`.
pub(crate) const DELAY_FIELDS: &[Field] = &[
    Field::Url,
    Field::Args,
    Field::Form,
    Field::Data,
    Field::Origin,
    Field::Headers,
    Field::Files,
];

/// The address the server listens on, for requests that arrive without `Host`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServerAddr(pub SocketAddr);

/// An extracted request; handlers take it as their only extractor.
pub(crate) struct RequestInfo {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    peer: Option<SocketAddr>,
    server: Option<SocketAddr>,
    pub body: Bytes,
    payload: Payload,
}

impl<S: Send + Sync> FromRequest<S> for RequestInfo {
    type Rejection = Response;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|error| {
                if is_length_limit(&error) {
                    responses::payload_too_large_page()
                } else {
                    responses::bad_request_page()
                }
            })?;
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| *addr);
        let server = parts
            .extensions
            .get::<ServerAddr>()
            .map(|ServerAddr(addr)| *addr);
        let payload = Payload::parse(&parts.headers, &body).await;
        Ok(Self {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            peer,
            server,
            body,
            payload,
        })
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if current.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = current.source();
    }
    false
}

impl RequestInfo {
    /// httpbin's `get_dict(*fields)`.
    pub(crate) fn echo(&self, fields: &[Field]) -> Map<String, Value> {
        fields
            .iter()
            .map(|field| match field {
                Field::Url => ("url", Value::String(self.url())),
                Field::Args => ("args", self.args()),
                Field::Form => ("form", self.payload.form.clone()),
                Field::Data => ("data", self.payload.data.clone()),
                Field::Origin => ("origin", Value::String(self.origin())),
                Field::Headers => ("headers", self.headers_echo()),
                Field::Files => ("files", self.payload.files.clone()),
                Field::Json => ("json", self.payload.json.clone()),
                Field::Method => ("method", Value::String(self.method.to_string())),
            })
            .map(|(key, value)| (key.to_owned(), value))
            .collect()
    }

    /// The full request URL, with the scheme a forwarding proxy reports.
    pub(crate) fn url(&self) -> String {
        let target = self
            .uri
            .path_and_query()
            .map_or("/", |target| target.as_str());
        format!("{}{}", self.base_url(), iri_from_uri(target))
    }

    /// `scheme://host`, as Flask's `url_for(..., _external=True)` builds it.
    pub(crate) fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.host())
    }

    fn scheme(&self) -> &str {
        let forwarded = self
            .header("X-Forwarded-Proto")
            .or_else(|| self.header("X-Forwarded-Protocol"));
        match forwarded {
            Some(scheme) => scheme,
            None if self.header("X-Forwarded-Ssl") == Some("on") => "https",
            None => "http",
        }
    }

    fn host(&self) -> String {
        if let Some(host) = self.header(HOST.as_str()) {
            return host.to_owned();
        }
        if let Some(authority) = self.uri.authority() {
            return authority.to_string();
        }
        // HTTP/1.0 without Host: name the address we listen on, as WSGI's
        // SERVER_NAME and SERVER_PORT would.
        self.server
            .map_or_else(|| "localhost".to_owned(), |addr| addr.to_string())
    }

    /// The client address, or what `X-Forwarded-For` claims it is.
    pub(crate) fn origin(&self) -> String {
        if let Some(forwarded) = self.header("X-Forwarded-For") {
            return forwarded.to_owned();
        }
        self.peer
            .map(|peer| peer.ip().to_string())
            .unwrap_or_default()
    }

    /// Query arguments: a string per key, or a list when the key repeats.
    pub(crate) fn args(&self) -> Value {
        semiflatten(self.query_pairs())
    }

    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        let query = self.uri.query().unwrap_or("");
        form_urlencoded::parse(query.as_bytes())
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect()
    }

    /// Whether the query has `name`, compared exactly as Flask's `in request.args`.
    pub(crate) fn has_arg(&self, name: &str) -> bool {
        self.query_pairs().iter().any(|(key, _)| key == name)
    }

    /// The first value of the first argument whose name matches ignoring case, as
    /// httpbin's `CaseInsensitiveDict(request.args.items())` lookups do.
    pub(crate) fn arg_ignoring_case(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// The first value of a header, if it is valid text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// All `Cookie` headers as one string.
    pub(crate) fn cookie_header(&self) -> String {
        let values: Vec<String> = self
            .headers
            .get_all(COOKIE)
            .iter()
            .map(|value| latin1(value.as_bytes()))
            .collect();
        values.join("; ")
    }

    /// Request headers as WSGI shows them: title-cased names, repeated headers
    /// joined with commas, proxy headers hidden unless `?show_env` is given.
    pub(crate) fn headers_echo(&self) -> Value {
        let show_env = self.has_arg("show_env");
        let mut echoed = Map::new();
        for name in self.headers.keys() {
            let title = title_case(name.as_str());
            if !show_env && ENV_HEADERS.contains(&title.as_str()) {
                continue;
            }
            let values: Vec<String> = self
                .headers
                .get_all(name)
                .iter()
                .map(|value| latin1(value.as_bytes()))
                .collect();
            echoed.insert(title, Value::String(values.join(",")));
        }
        Value::Object(echoed)
    }
}
