//! The embedded httpbin-compatible server: replays requests recorded against the
//! real httpbin (tests/fixtures/httpbin, made by record.py there) and compares the
//! answers field by field, then checks behaviour a recording cannot show: digest
//! logins, compression, redirects, timing, streaming, connection reuse.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use md5::Md5;
use regex::Regex;
use reqwest::Method;
use reqwest::blocking::{Client, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use sonde_httpbin::ServerHandle;

/// The User-Agent record.py sent, so echoed headers match the recordings.
const USER_AGENT: &str = "sonde-fixture-recorder/1";

fn start_server() -> ServerHandle {
    sonde_httpbin::spawn(IpAddr::V4(Ipv4Addr::LOCALHOST), 0).expect("the server starts")
}

/// A client that shows redirects instead of following them.
fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

fn get(server: &ServerHandle, path: &str) -> Response {
    client()
        .get(format!("{}{path}", server.url()))
        .send()
        .expect("request succeeds")
}

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("response has a {name} header"))
        .to_str()
        .expect("header is text")
}

fn json_body(response: Response) -> Value {
    let text = response.text().expect("body reads");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

// ---------------------------------------------------------------------------
// Fidelity against recorded httpbin responses
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct Fixture {
    request: RecordedRequest,
    response: RecordedResponse,
}

#[derive(Deserialize)]
struct RecordedRequest {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body_base64: Option<String>,
}

#[derive(Deserialize)]
struct RecordedResponse {
    status: u16,
    headers: Vec<(String, String)>,
    json: Option<Value>,
    text: Option<String>,
    body_sha256: Option<String>,
    body_len: Option<usize>,
}

/// Headers that legitimately differ between gunicorn and us, or whose values the
/// body comparison already covers.
const UNCOMPARED_HEADERS: &[&str] = &["content-length", "transfer-encoding", "allow"];

fn recordings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/httpbin")
}

/// The recording `file` replayed against a fresh server gets httpbin's answer.
fn assert_matches_the_recording(file: &str) {
    let name = file.trim_end_matches(".json");
    let text = std::fs::read_to_string(recordings().join(file)).expect("fixture reads");
    let fixture: Fixture = serde_json::from_str(&text).expect("fixture parses");
    let server = start_server();
    let problems: Vec<String> = compare_with_recording(&server, &fixture)
        .into_iter()
        .map(|problem| format!("{name}: {problem}"))
        .collect();
    assert!(
        problems.is_empty(),
        "differences from httpbin:\n{}",
        problems.join("\n")
    );
}

/// One `#[test]` per recording, so that every recording we answer differently is named by
/// its own test: `const RECORDINGS` lists the files, for a test that the list matches the
/// directory; attributes before an entry (`#[ignore = "…"]`) go on its test.
macro_rules! recordings {
    ($($(#[$attr:meta])* $test:ident => $file:literal,)*) => {
        const RECORDINGS: &[&str] = &[$($file),*];
        $(
            #[test]
            $(#[$attr])*
            fn $test() {
                super::assert_matches_the_recording($file);
            }
        )*
    };
}

/// Every recording of tests/fixtures/httpbin is answered as httpbin did: one test each.
mod responses_match_the_recording {
    #[test]
    fn the_recordings_are_listed_here_and_number_at_least_50() {
        let mut on_disk: Vec<String> = std::fs::read_dir(super::recordings())
            .expect("fixture directory exists")
            .map(|entry| entry.expect("directory entry").file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .filter(|name| {
                std::path::Path::new(name)
                    .extension()
                    .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
            })
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = RECORDINGS
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        listed.sort();
        assert_eq!(
            on_disk, listed,
            "tests/fixtures/httpbin and RECORDINGS differ"
        );
        assert!(
            listed.len() >= 50,
            "expected the recorded fixtures, found {}",
            listed.len()
        );
    }

    recordings! {
        anything_delete => "anything_delete.json",
        anything_put => "anything_put.json",
        base64_bad => "base64_bad.json",
        base64_ok => "base64_ok.json",
        basic_auth_missing => "basic_auth_missing.json",
        basic_auth_ok => "basic_auth_ok.json",
        bearer_missing => "bearer_missing.json",
        bearer_ok => "bearer_ok.json",
        brotli => "brotli.json",
        bytes_seeded => "bytes_seeded.json",
        cache_conditional => "cache_conditional.json",
        cache_max_age => "cache_max_age.json",
        cookies_delete => "cookies_delete.json",
        cookies_set => "cookies_set.json",
        cookies_set_path => "cookies_set_path.json",
        cookies_with_cookie => "cookies_with_cookie.json",
        deflate => "deflate.json",
        deny => "deny.json",
        digest_challenge_md5 => "digest_challenge_md5.json",
        digest_challenge_sha256 => "digest_challenge_sha256.json",
        encoding_utf8 => "encoding_utf8.json",
        etag_match => "etag_match.json",
        etag_precondition_failed => "etag_precondition_failed.json",
        get_args_and_header => "get_args_and_header.json",
        gzip => "gzip.json",
        headers_hide_env => "headers_hide_env.json",
        hidden_basic_auth_missing => "hidden_basic_auth_missing.json",
        html => "html.json",
        image_png => "image_png.json",
        ip_forwarded => "ip_forwarded.json",
        json => "json.json",
        method_not_allowed => "method_not_allowed.json",
        not_found => "not_found.json",
        options_preflight => "options_preflight.json",
        patch => "patch.json",
        post_binary => "post_binary.json",
        post_form => "post_form.json",
        post_json => "post_json.json",
        post_multipart => "post_multipart.json",
        range_partial => "range_partial.json",
        redirect_2 => "redirect_2.json",
        redirect_absolute => "redirect_absolute.json",
        redirect_to_307 => "redirect_to_307.json",
        relative_redirect_1 => "relative_redirect_1.json",
        response_headers => "response_headers.json",
        robots => "robots.json",
        status_302 => "status_302.json",
        status_418 => "status_418.json",
        status_invalid => "status_invalid.json",
        status_post_204 => "status_post_204.json",
        stream_2 => "stream_2.json",
        stream_bytes_seeded => "stream_bytes_seeded.json",
        user_agent => "user_agent.json",
        uuid => "uuid.json",
        xml => "xml.json",
    }
}

fn compare_with_recording(server: &ServerHandle, fixture: &Fixture) -> Vec<String> {
    let recorded = &fixture.response;
    let (status, headers, body) = replay(server, &fixture.request);
    let mut problems = Vec::new();
    if status != recorded.status {
        problems.push(format!("status {status}, httpbin said {}", recorded.status));
    }
    problems.extend(compare_headers(&recorded.headers, &headers));

    if let Some(expected) = &recorded.json {
        match serde_json::from_slice::<Value>(&body) {
            Ok(actual) => compare_json(expected, &actual, "$", &mut problems),
            Err(error) => problems.push(format!("body is not JSON ({error})")),
        }
    }
    let is_json = recorded.headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("content-type") && value == "application/json"
    });
    if let (None, Some(expected), true) = (&recorded.json, &recorded.text, is_json) {
        // JSON lines (/stream): the headers inside keep the client's sending order,
        // which differs between Python's client and reqwest, so compare parsed lines.
        compare_json_lines(expected, &String::from_utf8_lossy(&body), &mut problems);
    } else if let Some(expected) = &recorded.text {
        let actual = String::from_utf8_lossy(&body);
        if normalize(expected) != normalize(&actual) {
            problems.push(format!(
                "body text differs:\n  httpbin: {expected:?}\n  ours:    {actual:?}"
            ));
        }
    }
    if let (Some(sha256), Some(len)) = (&recorded.body_sha256, recorded.body_len)
        && (body.len() != len || hex::encode(Sha256::digest(&body)) != *sha256)
    {
        problems.push(format!(
            "body of {} bytes differs from httpbin's {len}",
            body.len()
        ));
    }
    problems
}

/// Sends the recorded request; returns the status, headers and decoded body.
fn replay(
    server: &ServerHandle,
    request: &RecordedRequest,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let method = Method::from_bytes(request.method.as_bytes()).expect("recorded method");
    let mut builder = client().request(method, format!("{}{}", server.url(), request.path));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &request.body_base64 {
        let body = base64::engine::general_purpose::STANDARD
            .decode(body)
            .expect("recorded body is base64");
        builder = builder.body(body);
    }
    let response = builder.send().expect("request succeeds");
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let encoding = response
        .headers()
        .get("content-encoding")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let raw = response.bytes().expect("body reads").to_vec();
    (status, headers, decompress(encoding.as_deref(), &raw))
}

fn decompress(encoding: Option<&str>, raw: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::new();
    match encoding {
        Some("gzip") => flate2::read::GzDecoder::new(raw)
            .read_to_end(&mut decoded)
            .expect("valid gzip"),
        Some("deflate") => flate2::read::ZlibDecoder::new(raw)
            .read_to_end(&mut decoded)
            .expect("valid zlib"),
        Some("br") => brotli::Decompressor::new(raw, 4096)
            .read_to_end(&mut decoded)
            .expect("valid brotli"),
        _ => return raw.to_vec(),
    };
    decoded
}

/// Every header httpbin sent must be there with the same values (order aside).
fn compare_headers(recorded: &[(String, String)], actual: &[(String, String)]) -> Vec<String> {
    let group = |headers: &[(String, String)]| {
        let mut grouped = BTreeMap::<String, Vec<String>>::new();
        for (name, value) in headers {
            grouped
                .entry(name.to_ascii_lowercase())
                .or_default()
                .push(normalize(value));
        }
        for values in grouped.values_mut() {
            values.sort();
        }
        grouped
    };
    let expected = group(recorded);
    let actual = group(actual);
    expected
        .iter()
        .filter(|(name, _)| !UNCOMPARED_HEADERS.contains(&name.as_str()))
        .filter(|(name, values)| actual.get(*name) != Some(values))
        .map(|(name, values)| {
            format!(
                "header {name}: httpbin {values:?}, ours {:?}",
                actual.get(name)
            )
        })
        .collect()
}

/// Same keys, same value types, same values once client-specific parts (ports,
/// random ids) are masked.
fn compare_json(expected: &Value, actual: &Value, path: &str, problems: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            let mut expected_keys: Vec<_> = expected.keys().collect();
            let mut actual_keys: Vec<_> = actual.keys().collect();
            expected_keys.sort();
            actual_keys.sort();
            if expected_keys != actual_keys {
                problems.push(format!(
                    "{path}: keys {actual_keys:?}, httpbin {expected_keys:?}"
                ));
            }
            for (key, value) in expected {
                if let Some(actual_value) = actual.get(key) {
                    compare_json(value, actual_value, &format!("{path}.{key}"), problems);
                }
            }
        }
        (Value::Array(expected), Value::Array(actual)) if expected.len() == actual.len() => {
            for (index, (value, actual_value)) in expected.iter().zip(actual).enumerate() {
                compare_json(value, actual_value, &format!("{path}[{index}]"), problems);
            }
        }
        (Value::String(expected), Value::String(actual)) => {
            if normalize(expected) != normalize(actual) {
                problems.push(format!("{path}: {actual:?}, httpbin {expected:?}"));
            }
        }
        (expected, actual) if expected == actual => {}
        (expected, actual) => problems.push(format!("{path}: {actual}, httpbin {expected}")),
    }
}

fn compare_json_lines(expected: &str, actual: &str, problems: &mut Vec<String>) {
    let parse = |text: &str| -> Vec<Value> {
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap_or(Value::Null))
            .collect()
    };
    compare_json(
        &Value::Array(parse(expected)),
        &Value::Array(parse(actual)),
        "$lines",
        problems,
    );
}

/// Masks what differs by run: the server's port, UUIDs, nonces and other hex ids.
fn normalize(text: &str) -> String {
    static PORT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"127\.0\.0\.1:\d+").expect("regex"));
    static UUID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("regex")
    });
    static HEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9a-f]{32,}").expect("regex"));
    let text = PORT.replace_all(text, "127.0.0.1:PORT");
    let text = UUID.replace_all(&text, "<uuid>");
    HEX.replace_all(&text, "<hex>").into_owned()
}

// ---------------------------------------------------------------------------
// Digest authentication
// ---------------------------------------------------------------------------

/// The parameters of a `WWW-Authenticate: Digest ...` challenge.
fn challenge_parameters(challenge: &str) -> BTreeMap<String, String> {
    static PARAMETER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(\w+)=(?:"([^"]*)"|([^,\s]*))"#).expect("regex"));
    PARAMETER
        .captures_iter(challenge)
        .map(|captures| {
            let value = captures
                .get(2)
                .or_else(|| captures.get(3))
                .map_or("", |m| m.as_str());
            (captures[1].to_owned(), value.to_owned())
        })
        .collect()
}

fn hash_hex(algorithm: &str, data: &str) -> String {
    match algorithm {
        "SHA-256" => hex::encode(Sha256::digest(data.as_bytes())),
        _ => hex::encode(Md5::digest(data.as_bytes())),
    }
}

/// Fetches a challenge from `path`, then answers it by hand (RFC 7616 §3.4.1).
fn digest_login(
    server: &ServerHandle,
    path: &str,
    user: &str,
    password: &str,
    with_qop: bool,
) -> Response {
    let challenge_response = get(server, path);
    assert_eq!(challenge_response.status(), 401);
    let parameters = challenge_parameters(header(&challenge_response, "www-authenticate"));
    let algorithm = parameters["algorithm"].as_str();
    let (realm, nonce, opaque) = (
        &parameters["realm"],
        &parameters["nonce"],
        &parameters["opaque"],
    );
    let ha1 = hash_hex(algorithm, &format!("{user}:{realm}:{password}"));
    let ha2 = hash_hex(algorithm, &format!("GET:{path}"));
    let (cnonce, nc) = ("0a4f113b", "00000001");
    let authorization = if with_qop {
        let response = hash_hex(
            algorithm,
            &format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"),
        );
        format!(
            r#"Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{path}", algorithm={algorithm}, qop=auth, nc={nc}, cnonce="{cnonce}", response="{response}", opaque="{opaque}""#
        )
    } else {
        let response = hash_hex(algorithm, &format!("{ha1}:{nonce}:{ha2}"));
        format!(
            r#"Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{path}", algorithm={algorithm}, response="{response}", opaque="{opaque}""#
        )
    };
    client()
        .get(format!("{}{path}", server.url()))
        .header("Authorization", authorization)
        .send()
        .expect("request succeeds")
}

#[test]
fn digest_md5_login_succeeds_with_the_right_password_only() {
    let server = start_server();
    let path = "/digest-auth/auth/user/passwd";
    let accepted = digest_login(&server, path, "user", "passwd", true);
    assert_eq!(accepted.status(), 200);
    assert_eq!(
        json_body(accepted),
        json!({"authenticated": true, "user": "user"})
    );

    let refused = digest_login(&server, path, "user", "wrong", true);
    assert_eq!(refused.status(), 401);
    assert!(
        header(&refused, "www-authenticate").starts_with("Digest realm=\"me@kennethreitz.com\"")
    );
}

#[test]
fn digest_sha256_login_succeeds_with_the_right_password_only() {
    let server = start_server();
    let path = "/digest-auth/auth/user/passwd/SHA-256";
    let challenge = get(&server, path);
    assert!(header(&challenge, "www-authenticate").contains("algorithm=SHA-256"));

    let accepted = digest_login(&server, path, "user", "passwd", true);
    assert_eq!(accepted.status(), 200);
    assert_eq!(
        json_body(accepted),
        json!({"authenticated": true, "user": "user"})
    );
    assert_eq!(
        digest_login(&server, path, "user", "nope", true).status(),
        401
    );
}

#[test]
fn digest_login_without_qop_uses_the_rfc_2069_response() {
    let server = start_server();
    for path in [
        "/digest-auth/none/user/passwd",
        "/digest-auth/auth/user/passwd/SHA-256",
    ] {
        assert_eq!(
            digest_login(&server, path, "user", "passwd", false).status(),
            200,
            "{path}"
        );
        assert_eq!(
            digest_login(&server, path, "user", "bad", false).status(),
            401,
            "{path}"
        );
    }
}

#[test]
fn digest_login_for_another_user_fails() {
    let server = start_server();
    let response = digest_login(
        &server,
        "/digest-auth/auth/user/passwd",
        "mallory",
        "passwd",
        true,
    );
    assert_eq!(response.status(), 401);
}

// ---------------------------------------------------------------------------
// Bodies, redirects, timing
// ---------------------------------------------------------------------------

#[test]
fn compressed_endpoints_send_really_compressed_json() {
    let server = start_server();
    for (path, encoding, flag) in [
        ("/gzip", "gzip", "gzipped"),
        ("/deflate", "deflate", "deflated"),
        ("/brotli", "br", "brotli"),
    ] {
        let response = get(&server, path);
        assert_eq!(header(&response, "content-encoding"), encoding);
        assert_eq!(header(&response, "content-type"), "application/json");
        let raw = response.bytes().expect("body reads");
        assert!(
            serde_json::from_slice::<Value>(&raw).is_err(),
            "{path} is not plain JSON"
        );
        let body: Value =
            serde_json::from_slice(&decompress(Some(encoding), &raw)).expect("decoded JSON");
        assert_eq!(body[flag], json!(true), "{path}");
        assert_eq!(body["method"], json!("GET"));
    }
}

#[test]
fn redirect_chain_of_three_lands_on_get() {
    let server = start_server();
    let mut path = "/redirect/3".to_owned();
    let mut hops = 0;
    let final_response = loop {
        let response = get(&server, &path);
        if !response.status().is_redirection() {
            break response;
        }
        assert_eq!(response.status(), 302);
        path = header(&response, "location").to_owned();
        hops += 1;
        assert!(hops <= 3, "too many hops, now at {path}");
    };
    assert_eq!(hops, 3);
    assert_eq!(path, "/get");
    assert_eq!(
        json_body(final_response)["url"],
        json!(format!("{}/get", server.url()))
    );
}

#[test]
fn absolute_redirects_are_built_from_the_host_header() {
    let server = start_server();
    let response = client()
        .get(format!("{}/absolute-redirect/2", server.url()))
        .header("Host", "example.test:8080")
        .send()
        .expect("request succeeds");
    assert_eq!(
        header(&response, "location"),
        "http://example.test:8080/absolute-redirect/1"
    );

    let response = get(&server, "/redirect/1?absolute=true");
    assert_eq!(
        header(&response, "location"),
        format!("{}/get", server.url())
    );
}

#[test]
fn redirect_to_takes_any_method_and_a_3xx_status() {
    let server = start_server();
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let response = client()
            .request(
                method.clone(),
                format!("{}/redirect-to?url=/anything&status_code=308", server.url()),
            )
            .send()
            .expect("request succeeds");
        assert_eq!(response.status(), 308, "{method}");
        assert_eq!(header(&response, "location"), "/anything");
    }
    let response = get(&server, "/redirect-to?url=/x&status_code=200");
    assert_eq!(response.status(), 302, "a non-3xx status falls back to 302");
}

#[test]
fn cookies_set_sets_and_redirects_then_cookies_shows_them() {
    let server = start_server();
    let response = get(&server, "/cookies/set?k=v&other=2");
    assert_eq!(response.status(), 302);
    assert_eq!(header(&response, "location"), "/cookies");
    let set_cookies: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert_eq!(set_cookies, ["k=v; Path=/", "other=2; Path=/"]);

    let shown = client()
        .get(format!("{}/cookies", server.url()))
        .header("Cookie", "k=v; other=2")
        .send()
        .expect("request succeeds");
    assert_eq!(
        json_body(shown),
        json!({"cookies": {"k": "v", "other": "2"}})
    );
}

#[test]
fn delay_really_waits() {
    let server = start_server();
    let started = Instant::now();
    let response = get(&server, "/delay/1");
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 200);
    assert!(elapsed >= Duration::from_secs(1), "took {elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    assert_eq!(
        json_body(response)["url"],
        json!(format!("{}/delay/1", server.url()))
    );
}

#[test]
fn drip_spreads_the_bytes_over_the_duration() {
    let server = start_server();
    let started = Instant::now();
    let mut response = get(&server, "/drip?numbytes=5&duration=1&code=201");
    let headers_after = started.elapsed();
    assert_eq!(response.status(), 201);
    assert_eq!(header(&response, "content-length"), "5");

    let mut body = Vec::new();
    response.read_to_end(&mut body).expect("body reads");
    let done_after = started.elapsed();
    assert_eq!(body, b"*****");
    assert!(
        headers_after < Duration::from_millis(500),
        "headers after {headers_after:?}"
    );
    // Byte i is sent at i * 200 ms, so the last one leaves at 800 ms.
    assert!(
        done_after >= Duration::from_millis(750),
        "done after {done_after:?}"
    );
    assert!(
        done_after < Duration::from_secs(3),
        "done after {done_after:?}"
    );
}

#[test]
fn stream_sends_n_json_lines() {
    let server = start_server();
    let response = get(&server, "/stream/5");
    assert_eq!(header(&response, "transfer-encoding"), "chunked");
    let text = response.text().expect("body reads");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 5);
    for (id, line) in lines.iter().enumerate() {
        assert_eq!(line["id"], json!(id));
        assert_eq!(line["url"], json!(format!("{}/stream/5", server.url())));
    }
}

#[test]
fn seeded_bytes_are_deterministic_and_match_pythons_generator() {
    let server = start_server();
    let first = get(&server, "/bytes/100?seed=1")
        .bytes()
        .expect("body reads");
    let second = get(&server, "/bytes/100?seed=1")
        .bytes()
        .expect("body reads");
    assert_eq!(first.len(), 100);
    assert_eq!(first, second);
    // random.seed(1); [random.randint(0, 255) for _ in range(4)]
    assert_eq!(first[..4], [0x44, 0x20, 0x82, 0x3c]);
    let streamed = get(&server, "/stream-bytes/100?seed=1&chunk_size=7")
        .bytes()
        .expect("body reads");
    assert_eq!(streamed, first);

    let unseeded = get(&server, "/bytes/100").bytes().expect("body reads");
    let unseeded_again = get(&server, "/bytes/100").bytes().expect("body reads");
    assert_eq!(unseeded.len(), 100);
    assert_ne!(unseeded, unseeded_again);
}

#[test]
fn status_lists_pick_one_of_the_codes() {
    let server = start_server();
    for _ in 0..5 {
        let status = get(&server, "/status/200,201,202").status().as_u16();
        assert!((200..=202).contains(&status), "{status}");
    }
    assert_eq!(get(&server, "/status/200:0,418:1").status(), 418);
    let redirect = get(&server, "/status/301");
    assert_eq!(header(&redirect, "location"), "/redirect/1");
}

#[test]
fn anything_accepts_custom_method_tokens() {
    let server = start_server();
    for token in ["QUERY", "PURGE", "OPTIONS", "TRACE"] {
        let method = Method::from_bytes(token.as_bytes()).expect("method token");
        let response = client()
            .request(method, format!("{}/anything/deep/path?x=1", server.url()))
            .send()
            .expect("request succeeds");
        let body = json_body(response);
        assert_eq!(body["method"], json!(token));
        assert_eq!(body["args"], json!({"x": "1"}));
    }
}

#[test]
fn bodies_larger_than_axums_default_limit_are_echoed() {
    let server = start_server();
    let payload = "x".repeat(5 * 1024 * 1024);
    let response = client()
        .post(format!("{}/post", server.url()))
        .header("Content-Type", "text/plain")
        .body(payload.clone())
        .send()
        .expect("request succeeds");
    assert_eq!(response.status(), 200);
    assert_eq!(
        json_body(response)["data"].as_str().map(str::len),
        Some(payload.len())
    );
}

#[test]
fn malformed_bodies_never_take_the_server_down() {
    let server = start_server();
    let attempts: [(&str, &[u8]); 5] = [
        (
            "multipart/form-data; boundary=zz",
            b"--zz\r\nContent-Disposition: form-da",
        ),
        ("multipart/form-data", b"no boundary at all"),
        ("application/json", b"{\"unterminated\": "),
        ("application/x-www-form-urlencoded", b"a=%ff%fe&b"),
        ("text/plain", b"\xff\xfe\x00binary"),
    ];
    for (content_type, body) in attempts {
        let response = client()
            .post(format!("{}/anything", server.url()))
            .header("Content-Type", content_type)
            .body(body.to_vec())
            .send()
            .expect("request succeeds");
        assert_eq!(response.status(), 200, "{content_type}");
        assert_eq!(json_body(response)["json"], Value::Null);
    }
    assert_eq!(get(&server, "/get").status(), 200);
}

#[test]
fn caching_endpoints_answer_conditional_requests() {
    let server = start_server();
    let fresh = get(&server, "/cache");
    assert_eq!(fresh.status(), 200);
    assert!(fresh.headers().contains_key("last-modified"));
    assert!(fresh.headers().contains_key("etag"));

    let conditional = |path: &str, name: &str, value: &str| {
        client()
            .get(format!("{}{path}", server.url()))
            .header(name, value)
            .send()
            .expect("request succeeds")
            .status()
            .as_u16()
    };
    assert_eq!(conditional("/cache", "If-None-Match", "anything"), 304);
    assert_eq!(conditional("/etag/v1", "If-None-Match", "\"v1\""), 304);
    assert_eq!(conditional("/etag/v1", "If-None-Match", "\"v2\""), 200);
    assert_eq!(conditional("/etag/v1", "If-Match", "\"v2\""), 412);
    assert_eq!(conditional("/etag/v1", "If-Match", "\"v1\""), 200);
}

#[test]
fn canned_content_is_real() {
    let server = start_server();
    let png = get(&server, "/image/png").bytes().expect("body reads");
    assert_eq!(png[..8], *b"\x89PNG\r\n\x1a\n");
    let utf8 = get(&server, "/encoding/utf8").text().expect("body reads");
    assert!(
        utf8.contains("∮ E⋅da = Q"),
        "the demo has real non-ASCII text"
    );
    assert_eq!(get(&server, "/nothing/here").status(), 404);
}

// ---------------------------------------------------------------------------
// The handle
// ---------------------------------------------------------------------------

#[test]
fn connections_accepted_counts_tcp_connections_not_requests() {
    let server = start_server();
    assert_eq!(server.connections_accepted(), 0);
    let reusing = client();
    for _ in 0..3 {
        let response = reusing
            .get(format!("{}/get", server.url()))
            .send()
            .expect("request succeeds");
        response.bytes().expect("body reads");
    }
    assert_eq!(
        server.connections_accepted(),
        1,
        "keep-alive reuses one connection"
    );

    client()
        .get(format!("{}/get", server.url()))
        .send()
        .expect("request succeeds");
    assert_eq!(
        server.connections_accepted(),
        2,
        "a new client opens a new connection"
    );
}

#[test]
fn servers_run_side_by_side_and_stop_on_shutdown() {
    let first = start_server();
    let second = start_server();
    assert_ne!(first.addr(), second.addr());
    assert!(first.url().starts_with("http://127.0.0.1:"));
    assert!(!first.url().ends_with('/'));
    assert_eq!(first.url(), format!("http://{}", first.addr()));

    let second_url = second.url();
    second.shutdown();
    assert!(
        client().get(format!("{second_url}/get")).send().is_err(),
        "stopped server refuses"
    );
    assert_eq!(
        get(&first, "/get").status(),
        200,
        "the other server keeps running"
    );
}

#[test]
fn shutdown_does_not_wait_for_slow_responses() {
    let server = start_server();
    let url = format!("{}/delay/10", server.url());
    let slow_request = std::thread::spawn(move || client().get(url).send().map(|_| ()));
    while server.connections_accepted() == 0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let started = Instant::now();
    server.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "shutdown took {:?}",
        started.elapsed()
    );
    let outcome = slow_request.join().expect("client thread finishes");
    assert!(
        outcome.is_err(),
        "the cut-off request fails rather than hanging"
    );
}
