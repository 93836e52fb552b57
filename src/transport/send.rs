//! Sending one prepared request: retries around redirects around auth challenges around
//! a single HTTP exchange, every step recorded.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CONTENT_LENGTH, COOKIE, HeaderMap, HeaderValue, PROXY_AUTHORIZATION,
};
use http::{Method, Uri};
use http_body_util::BodyExt as _;
use url::Url;

use super::body::{self, header};
use super::connector::{RequestBody, ResponseBody, SendError, Transport};
use super::decode::{BodyReader, charset_param};
use super::error::address_of;
use super::record::{
    Attempt, AttemptOutcome, Exchange, FailedExchange, HeaderList, Hop, RequestRecord,
    ResponseHead, ResponseRecord, Timing,
};
use super::session::Session;
use super::{
    AuthSpec, BodySpec, ClientPool, HttpError, MAX_RETRY_AFTER, PreparedRequest, RetryPolicy,
};

/// Sends `request` within `session`, following redirects and retrying as its options say,
/// on the caller's single-threaded tokio runtime: the connections it opens are driven by
/// that runtime, and pooled for the other requests of this thread.
pub async fn send_async(
    pool: &ClientPool,
    session: &mut Session,
    request: &PreparedRequest,
) -> Result<Exchange, Box<FailedExchange>> {
    let client = pool.client(&request.profile).map_err(|e| failed(&e))?;
    send_with_retries(&client, session, request)
        .await
        .map_err(Box::new)
}

fn failed(error: &HttpError) -> Box<FailedExchange> {
    Box::new(FailedExchange {
        request: None,
        hops: Vec::new(),
        attempts: Vec::new(),
        error: error.clone(),
    })
}

/// A try that got no usable response.
struct Failure {
    error: HttpError,
    request: Option<RequestRecord>,
    hops: Vec<Hop>,
}

async fn send_with_retries(
    client: &Transport,
    session: &mut Session,
    request: &PreparedRequest,
) -> Result<Exchange, FailedExchange> {
    let started = Instant::now();
    let mut attempts = Vec::new();
    let mut number: u32 = 1;
    loop {
        let result = follow_redirects(client, session, request).await;
        let policy = request
            .options
            .retries
            .as_ref()
            .filter(|p| number <= p.count);
        let retry = policy.and_then(|policy| retry_wait(&result, policy, number));
        match (result, retry) {
            (_, Some((outcome, waited))) => {
                attempts.push(Attempt {
                    number,
                    outcome,
                    waited,
                });
                tokio::time::sleep(waited).await;
                number += 1;
            }
            (Ok(mut exchange), None) => {
                exchange.attempts = attempts;
                exchange.elapsed = started.elapsed();
                return Ok(exchange);
            }
            (Err(failure), None) => {
                return Err(FailedExchange {
                    request: failure.request,
                    hops: failure.hops,
                    attempts,
                    error: failure.error,
                });
            }
        }
    }
}

/// Whether this try is retried, and after how long.
fn retry_wait(
    result: &Result<Exchange, Failure>,
    policy: &RetryPolicy,
    number: u32,
) -> Option<(AttemptOutcome, Duration)> {
    match result {
        Ok(exchange) if policy.on_status.contains(&exchange.response.head.status) => {
            let wait = retry_after(&exchange.response.head.headers)
                .unwrap_or_else(|| backoff(policy, number));
            Some((AttemptOutcome::Status(exchange.response.head.status), wait))
        }
        Err(failure) if failure.error.is_retriable() => Some((
            AttemptOutcome::Error(failure.error.to_string()),
            backoff(policy, number),
        )),
        _ => None,
    }
}

/// `backoff × 2^n` for the n-th retry (n from 0), capped like `Retry-After`.
fn backoff(policy: &RetryPolicy, number: u32) -> Duration {
    let factor = 2u32.saturating_pow(number.saturating_sub(1));
    policy
        .backoff
        .checked_mul(factor)
        .unwrap_or(MAX_RETRY_AFTER)
        .min(MAX_RETRY_AFTER)
}

/// `Retry-After: 3` or `Retry-After: <HTTP date>`, capped at [`MAX_RETRY_AFTER`].
fn retry_after(headers: &HeaderList) -> Option<Duration> {
    let value = headers.get("retry-after")?.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let when = httpdate::parse_http_date(value).ok()?;
            when.duration_since(std::time::SystemTime::now())
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// One request of a redirect chain; the first borrows what the request says.
#[derive(Clone)]
struct Leg<'r> {
    method: Method,
    url: Cow<'r, Url>,
    headers: Cow<'r, [(String, String)]>,
    body: Cow<'r, BodySpec>,
    /// False once a redirect left the first origin: auth and the step's own cookies stay behind.
    credentials: bool,
}

/// The time limits of one try.
#[derive(Clone, Copy)]
struct Limits {
    /// When the whole try must be over, and the limit it came from.
    deadline: Option<(Instant, Duration)>,
    read: Option<Duration>,
    connect: Option<Duration>,
}

impl Limits {
    /// How long the next wait may take, and which limit that is.
    fn next_wait(&self, first_read: bool) -> Option<(Duration, Limit)> {
        // Waiting for the headers of a new request may include connecting.
        let read = self.read.map(|read| {
            let allowance = if first_read {
                self.connect.unwrap_or_default()
            } else {
                Duration::ZERO
            };
            (read + allowance, Limit::Read(read))
        });
        let total = self.deadline.map(|(at, limit)| {
            (
                at.saturating_duration_since(Instant::now()),
                Limit::Total(limit),
            )
        });
        match (read, total) {
            (Some(r), Some(t)) => Some(if r.0 <= t.0 { r } else { t }),
            (r, t) => r.or(t),
        }
    }
}

/// The limit a wait ran into.
#[derive(Clone, Copy)]
enum Limit {
    Read(Duration),
    Total(Duration),
}

impl Limit {
    fn error(self, url: &Url) -> HttpError {
        let address = address_of(url);
        match self {
            Limit::Read(limit) => HttpError::ReadTimeout { address, limit },
            Limit::Total(limit) => HttpError::TotalTimeout { address, limit },
        }
    }
}

/// Runs `future` within the next wait's limit.
async fn limited<T>(
    limits: &Limits,
    url: &Url,
    first_read: bool,
    future: impl Future<Output = T>,
) -> Result<T, HttpError> {
    match limits.next_wait(first_read) {
        Some((wait, limit)) => tokio::time::timeout(wait, future)
            .await
            .map_err(|_| limit.error(url)),
        None => Ok(future.await),
    }
}

async fn follow_redirects(
    client: &Transport,
    session: &mut Session,
    request: &PreparedRequest,
) -> Result<Exchange, Failure> {
    let options = &request.options;
    let limits = Limits {
        deadline: options
            .total_timeout
            .map(|limit| (Instant::now() + limit, limit)),
        read: options.read_timeout,
        connect: request.profile.connect_timeout,
    };
    let mut leg = Leg {
        method: request.method.clone(),
        url: Cow::Borrowed(&request.url),
        headers: Cow::Borrowed(&request.headers),
        body: Cow::Borrowed(&request.body),
        credentials: true,
    };
    let mut hops = Vec::new();
    loop {
        let sent = match send_with_auth(client, session, request, &leg, &limits).await {
            Ok(sent) => sent,
            Err((error, record)) => {
                return Err(Failure {
                    error,
                    request: record,
                    hops,
                });
            }
        };
        let next = options
            .allow_redirects
            .then(|| next_leg(&leg, &sent.head))
            .flatten();
        let Some(next) = next else {
            return finish(sent, request, &limits, &leg.url, hops).await;
        };
        let next = match next {
            Ok(next) if hops.len() as u32 >= options.max_redirects => {
                Err(HttpError::TooManyRedirects {
                    max: options.max_redirects,
                    last: next.url.to_string(),
                })
            }
            other => other,
        };
        let next = match next {
            Ok(next) => next,
            Err(error) => {
                return Err(Failure {
                    error,
                    request: Some(sent.record),
                    hops,
                });
            }
        };
        drain(sent.body, &limits, &leg.url, options.max_body).await;
        hops.push(Hop {
            request: sent.record,
            response: sent.head,
            timing: Timing {
                first_byte: sent.first_byte,
                total: sent.started.elapsed(),
            },
        });
        leg = next;
    }
}

/// Reads the final response's body.
async fn finish(
    sent: Sent,
    request: &PreparedRequest,
    limits: &Limits,
    url: &Url,
    hops: Vec<Hop>,
) -> Result<Exchange, Failure> {
    let options = &request.options;
    let fail = |error: HttpError, record: &RequestRecord, hops: Vec<Hop>| Failure {
        error,
        request: Some(record.clone()),
        hops,
    };
    let mut reader = match BodyReader::new(
        sent.head.headers.get("content-encoding"),
        options.save_body.as_deref(),
        options.max_body,
    ) {
        Ok(reader) => reader,
        Err(error) => return Err(fail(error, &sent.record, hops)),
    };
    let mut body = sent.body;
    loop {
        let chunk = limited(limits, url, false, next_chunk(&mut body)).await;
        let chunk = match chunk {
            Ok(Ok(chunk)) => chunk,
            Ok(Err(error)) => {
                let error = HttpError::from_transport(&error, false, url);
                return Err(fail(body_error(error, url), &sent.record, hops));
            }
            Err(error) => return Err(fail(error, &sent.record, hops)),
        };
        let Some(chunk) = chunk else { break };
        if let Err(error) = reader.push(&chunk) {
            return Err(fail(error, &sent.record, hops));
        }
    }
    let declared = sent
        .head
        .headers
        .get("content-type")
        .and_then(charset_param)
        .map(str::to_owned);
    let body = reader
        .finish(options.encoding, declared.as_deref())
        .map_err(|error| fail(error, &sent.record, hops.clone()))?;
    Ok(Exchange {
        request: sent.record,
        response: ResponseRecord {
            head: sent.head,
            body,
            timing: Timing {
                first_byte: sent.first_byte,
                total: sent.started.elapsed(),
            },
        },
        hops,
        attempts: Vec::new(),
        elapsed: Duration::ZERO,
    })
}

/// An error while reading a body is a body problem, whatever the cause was called.
fn body_error(error: HttpError, url: &Url) -> HttpError {
    match error {
        HttpError::Other { reason, .. } => HttpError::BadBody {
            address: address_of(url),
            reason,
        },
        other => other,
    }
}

/// The next piece of the body; trailers are skipped.
async fn next_chunk(body: &mut ResponseBody) -> Result<Option<Bytes>, hyper::Error> {
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            return Ok(Some(data));
        }
    }
    Ok(None)
}

/// Reads and drops a body nobody looks at (a redirect's, a challenge's), so that the
/// connection can be reused. Problems here are not the step's problems.
async fn drain(mut body: ResponseBody, limits: &Limits, url: &Url, max: u64) {
    let mut read: u64 = 0;
    while let Ok(Ok(Some(chunk))) = limited(limits, url, false, next_chunk(&mut body)).await {
        read += chunk.len() as u64;
        if read > max {
            break;
        }
    }
}

/// A request sent and its response head received.
struct Sent {
    record: RequestRecord,
    body: ResponseBody,
    head: ResponseHead,
    started: Instant,
    first_byte: Duration,
}

/// Sends a leg; a digest challenge is answered once, by sending the leg again.
async fn send_with_auth(
    client: &Transport,
    session: &mut Session,
    request: &PreparedRequest,
    leg: &Leg<'_>,
    limits: &Limits,
) -> Result<Sent, (HttpError, Option<RequestRecord>)> {
    let sent = send_once(client, session, request, leg, limits).await?;
    let Some(AuthSpec::Digest { user, .. }) = request.auth.as_ref().filter(|_| leg.credentials)
    else {
        return Ok(sent);
    };
    if sent.head.status != 401 {
        return Ok(sent);
    }
    let challenged = session
        .digest_challenge(
            &leg.url,
            user,
            sent.head.headers.get_all("www-authenticate"),
        )
        .map_err(|e| (e, Some(sent.record.clone())))?;
    if !challenged {
        return Ok(sent);
    }
    drain(sent.body, limits, &leg.url, request.options.max_body).await;
    send_once(client, session, request, leg, limits).await
}

async fn send_once(
    client: &Transport,
    session: &mut Session,
    request: &PreparedRequest,
    leg: &Leg<'_>,
    limits: &Limits,
) -> Result<Sent, (HttpError, Option<RequestRecord>)> {
    let (http_request, record) =
        build_request(client, session, request, leg).map_err(|error| (error, None))?;
    let started = Instant::now();
    let response = limited(limits, &leg.url, true, client.send(http_request))
        .await
        .and_then(|r| r.map_err(|e| transport_error(&e, &leg.url, limits)))
        .map_err(|error| (error, Some(record.clone())))?;
    let first_byte = started.elapsed();
    let (parts, body) = response.into_parts();
    let head = head_of(&parts, &leg.url);
    session.store_cookies(&leg.url, head.headers.get_all("set-cookie"));
    Ok(Sent {
        record,
        body,
        head,
        started,
        first_byte,
    })
}

fn transport_error(error: &SendError, url: &Url, limits: &Limits) -> HttpError {
    match limits.connect {
        Some(limit) if error.is_connect() && super::error::connect_timed_out(error) => {
            HttpError::ConnectTimeout {
                address: address_of(url),
                limit,
            }
        }
        _ => HttpError::from_transport(error, error.is_connect(), url),
    }
}

/// The request for one leg: headers, then cookies, auth and body headers unless the
/// headers already give them.
fn build_request(
    client: &Transport,
    session: &mut Session,
    request: &PreparedRequest,
    leg: &Leg<'_>,
) -> Result<(http::Request<RequestBody>, RequestRecord), HttpError> {
    let uri = Uri::try_from(leg.url.as_str())
        .map_err(|e| HttpError::InvalidRequest(format!("`{}`: {e}", leg.url)))?;
    let mut headers = body::header_map(&leg.headers)?;
    if !headers.contains_key(COOKIE)
        && let Some(cookie) = cookie_header(session, request, leg)
    {
        let (name, value) = header("Cookie", &cookie)?;
        headers.insert(name, value);
    }
    if leg.credentials
        && let Some(auth) = &request.auth
        && let Some((name, value)) = auth.header(session, leg.method.as_str(), &leg.url)?
    {
        let (name, value) = header(&name, &value)?;
        headers.insert(name, value);
    }
    let mut built = body::build(&leg.body)?;
    for (name, value) in std::mem::take(&mut built.headers) {
        if !headers.contains_key(&name) {
            headers.insert(name, value);
        }
    }
    // Like python-requests, a bodiless request whose method may carry one says so.
    if built.body.is_none()
        && leg.method != Method::GET
        && leg.method != Method::HEAD
        && !headers.contains_key(CONTENT_LENGTH)
    {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(0));
    }
    // A proxy's credentials go with each request to an http:// URL, and with the tunnel's
    // CONNECT for an https:// one; the record shows them either way.
    let proxy_authorization = client
        .proxy_for(&uri)
        .and_then(|proxy| proxy.basic_auth().cloned());
    let mut record_headers = list_of(&headers);
    if let Some(value) = proxy_authorization {
        record_headers.0.push((
            "proxy-authorization".into(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        ));
        if leg.url.scheme() == "http" && !headers.contains_key(PROXY_AUTHORIZATION) {
            headers.insert(PROXY_AUTHORIZATION, value);
        }
    }
    let record = RequestRecord {
        method: leg.method.to_string(),
        url: leg.url.to_string(),
        headers: record_headers,
        body: built.record,
    };
    let mut http_request = http::Request::new(built.body.unwrap_or_else(empty_body));
    *http_request.method_mut() = leg.method.clone();
    *http_request.uri_mut() = uri;
    *http_request.headers_mut() = headers;
    Ok((http_request, record))
}

fn empty_body() -> RequestBody {
    http_body_util::Empty::new()
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// The jar's cookies for this URL, with the request's own on top (they win by name).
fn cookie_header(session: &Session, request: &PreparedRequest, leg: &Leg) -> Option<String> {
    let mut cookies = session.cookies_for(&leg.url);
    if leg.credentials {
        for (name, value) in &request.cookies {
            cookies.retain(|(n, _)| n != name);
            cookies.push((name.clone(), value.clone()));
        }
    }
    (!cookies.is_empty()).then(|| {
        cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// The next leg when `head` is a redirect sonde follows, as python-requests'
/// `SessionRedirectMixin` does it.
fn next_leg<'r>(leg: &Leg<'r>, head: &ResponseHead) -> Option<Result<Leg<'r>, HttpError>> {
    if !matches!(head.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = head.headers.get("location")?;
    let Ok(mut url) = leg.url.join(location) else {
        return Some(Err(HttpError::BadLocation {
            from: leg.url.to_string(),
            location: location.to_string(),
        }));
    };
    // python-requests would hand `gopher://` to no adapter; sending it as HTTP could pass.
    if !matches!(url.scheme(), "http" | "https") {
        return Some(Err(HttpError::RedirectScheme {
            location: url.to_string(),
        }));
    }
    // A fragment carries over when the new URL has none (RFC 7231 §7.1.2).
    if url.fragment().is_none() && leg.url.fragment().is_some() {
        url.set_fragment(leg.url.fragment());
    }
    let mut next = leg.clone();
    next.method = redirected_method(head.status, &leg.method);
    if !matches!(head.status, 307 | 308) {
        next.body = Cow::Owned(BodySpec::Empty);
        next.headers.to_mut().retain(|(name, _)| {
            !["content-type", "content-length", "transfer-encoding"]
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
        });
    }
    if !same_origin(&leg.url, &url) {
        next.credentials = false;
        next.headers.to_mut().retain(|(name, _)| {
            ![AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION]
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h.as_str()))
        });
    }
    next.url = Cow::Owned(url);
    Some(Ok(next))
}

/// `requests.Session.rebuild_method`: 303 and 302 turn into GET (but HEAD stays HEAD),
/// 301 turns POST into GET; 307 and 308 keep the method.
fn redirected_method(status: u16, method: &Method) -> Method {
    match status {
        302 | 303 if method != Method::HEAD => Method::GET,
        301 if method == Method::POST => Method::GET,
        _ => method.clone(),
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn head_of(response: &http::response::Parts, url: &Url) -> ResponseHead {
    let status = response.status;
    ResponseHead {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or_default().to_string(),
        version: version_name(response.version),
        headers: list_of(&response.headers),
        url: url.to_string(),
    }
}

fn version_name(version: http::Version) -> String {
    match version {
        http::Version::HTTP_10 => "HTTP/1.0".into(),
        http::Version::HTTP_11 => "HTTP/1.1".into(),
        http::Version::HTTP_2 => "HTTP/2.0".into(),
        other => format!("{other:?}"),
    }
}

fn list_of(headers: &HeaderMap) -> HeaderList {
    HeaderList(
        headers
            .iter()
            .map(|(name, value)| {
                let value = match value.to_str() {
                    Ok(text) => text.to_owned(),
                    Err(_) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
                };
                (name.as_str().to_string(), value)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_change_methods_like_requests() {
        assert_eq!(redirected_method(303, &Method::PUT), Method::GET);
        assert_eq!(redirected_method(303, &Method::HEAD), Method::HEAD);
        assert_eq!(redirected_method(302, &Method::POST), Method::GET);
        assert_eq!(redirected_method(301, &Method::POST), Method::GET);
        assert_eq!(redirected_method(301, &Method::PUT), Method::PUT);
        assert_eq!(redirected_method(307, &Method::POST), Method::POST);
        assert_eq!(redirected_method(308, &Method::PATCH), Method::PATCH);
    }

    #[test]
    fn backoff_doubles_and_retry_after_is_read() {
        let policy = RetryPolicy {
            count: 3,
            backoff: Duration::from_millis(100),
            on_status: vec![503],
        };
        assert_eq!(backoff(&policy, 1), Duration::from_millis(100));
        assert_eq!(backoff(&policy, 3), Duration::from_millis(400));
        let headers = HeaderList(vec![("Retry-After".into(), "2".into())]);
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        let far = HeaderList(vec![("retry-after".into(), "99999".into())]);
        assert_eq!(retry_after(&far), Some(MAX_RETRY_AFTER));
        let past = HeaderList(vec![(
            "Retry-After".into(),
            "Wed, 21 Oct 2015 07:28:00 GMT".into(),
        )]);
        assert_eq!(retry_after(&past), Some(Duration::ZERO));
        let soon = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(30));
        let soon = HeaderList(vec![("Retry-After".into(), soon)]);
        let wait = retry_after(&soon).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
    }
}
