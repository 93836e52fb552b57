//! Transport: timeouts, retries, redirects, proxies, body decoding, limits and failures.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::engine::{RecordExt, StepExt, scenario, server};
use crate::support::proxy::{ForwardProxy, assert_sends_credentials};
use serde_json::json;
use sonde::transport::{AttemptOutcome, BodyContent};

#[test]
fn a_total_timeout_stops_a_slow_response() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/delay/3", timeout: 1s }
"#,
    )
    .against(&s)
    .run();
    let message = record.failure(0);
    assert!(
        message.contains("took longer than its timeout of 1s"),
        "{message}"
    );
}

#[test]
fn a_read_timeout_fires_when_the_server_stops_mid_body() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/drip?numbytes=2&duration=4&delay=0", timeout: { connect: 1s, read: 1s } }
"#,
    )
    .against(&s)
    .run();
    let message = record.failure(0);
    assert!(
        message.contains("sent nothing for 1s (read timeout)"),
        "{message}"
    );
}

#[test]
fn connection_refused_is_one_plain_sentence() {
    let record = scenario("steps:\n  - request: { url: \"http://127.0.0.1:1/\" }\n").run();
    assert_eq!(record.failure(0), "connection refused by 127.0.0.1:1");
}

#[test]
fn an_unknown_host_is_one_plain_sentence() {
    let record = scenario("steps:\n  - request: { url: \"http://no-such-host.invalid/\" }\n").run();
    assert_eq!(
        record.failure(0),
        "cannot resolve the host name `no-such-host.invalid`"
    );
}

#[test]
fn retries_listed_statuses_and_records_every_attempt() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/status/503", retries: { count: 2, backoff: 10ms, on_status: [503] } }
    expect: { status: 503 }
"#,
    )
    .against(&s)
    .passes();
    let attempts = &record.step(0).exchange().unwrap().attempts;
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].outcome, AttemptOutcome::Status(503));
    assert_eq!(attempts[1].waited, 2 * attempts[0].waited);
}

#[test]
fn retries_connect_errors() {
    let record = scenario(
        "steps:\n  - request: { url: \"http://127.0.0.1:1/\", retries: { count: 2, backoff: 1ms } }\n",
    )
    .run();
    let failed = record.step(0).failed_exchange.as_ref().expect("a failure");
    assert_eq!(failed.attempts.len(), 2);
    assert_eq!(
        failed.error.to_string(),
        "connection refused by 127.0.0.1:1"
    );
}

#[test]
fn retry_after_is_honoured() {
    let (url, _server) = one_shot_server(vec![
        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ]);
    let record = scenario(&format!(
        "steps:\n  - request: {{ url: \"{url}\", retries: {{ count: 1, backoff: 1ms, on_status: [503] }} }}\n    expect: {{ status: 200 }}\n"
    ))
    .passes();
    let attempts = &record.step(0).exchange().unwrap().attempts;
    assert_eq!(attempts[0].waited, std::time::Duration::from_secs(1));
}

#[test]
fn a_connection_the_server_closed_after_answering_is_not_reused() {
    const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let (url, _server) = one_shot_server(vec![OK; 3]);
    let step = format!("  - request: {{ url: \"{url}\" }}\n    expect: {{ status: 200 }}\n");
    scenario(&format!("steps:\n{}", step.repeat(3))).passes();
}

#[test]
fn connections_are_reused_and_replaced_after_about_a_hundred_requests() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let opened = Arc::clone(&connections);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            opened.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || keep_alive_ok(stream));
        }
    });
    let step = format!("  - request: {{ url: \"{url}\" }}\n    expect: {{ status: 200 }}\n");
    scenario(&format!("steps:\n{}", step.repeat(200))).passes();
    // 200 requests, 75 to 125 a connection.
    let opened = connections.load(Ordering::SeqCst);
    assert!((2..=3).contains(&opened), "{opened} connections");
}

/// Answers `ok` to every request on the connection until the client closes it.
fn keep_alive_ok(stream: std::net::TcpStream) {
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        loop {
            line.clear();
            if std::io::BufRead::read_line(&mut reader, &mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
        }
        if stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .is_err()
        {
            return;
        }
    }
}

#[test]
fn redirects_are_followed_and_each_hop_recorded() {
    let s = server();
    let record = scenario("steps:\n  - request: { url: \"{{ httpbin }}/redirect/3\" }\n")
        .against(&s)
        .passes();
    let exchange = record.step(0).exchange().unwrap();
    assert_eq!(exchange.hops.len(), 3);
    assert_eq!(exchange.hops[0].response.status, 302);
    assert!(exchange.response.head.url.ends_with("/get"));
}

#[test]
fn see_other_turns_a_post_into_a_get_without_body() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request:
      method: POST
      url: "{{ httpbin }}/redirect-to"
      params: { url: /anything, status_code: 303 }
      json: { a: 1 }
"#,
    )
    .against(&s)
    .passes();
    let echoed = record.echoed();
    assert_eq!(echoed["method"], "GET");
    assert_eq!(echoed["data"], "");
    assert!(echoed["headers"].get("Content-Type").is_none());
}

#[test]
fn temporary_redirect_keeps_method_and_body() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request:
      method: POST
      url: "{{ httpbin }}/redirect-to"
      params: { url: /anything, status_code: 307 }
      json: { a: 1 }
"#,
    )
    .against(&s)
    .passes();
    let echoed = record.echoed();
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["json"], json!({"a": 1}));
}

#[test]
fn cookies_set_on_a_hop_are_sent_on_the_next() {
    let s = server();
    let record = scenario("steps:\n  - request: { url: \"{{ httpbin }}/cookies/set?k=v\" }\n")
        .against(&s)
        .passes();
    assert_eq!(record.echoed()["cookies"], json!({"k": "v"}));
    assert_eq!(
        record.step(0).exchange().unwrap().cookies_set(),
        [("k".to_string(), "v".to_string())]
    );
}

#[test]
fn too_many_redirects_stop_with_a_clear_message() {
    let s = server();
    let record =
        scenario("steps:\n  - request: { url: \"{{ httpbin }}/redirect/5\", max_redirects: 2 }\n")
            .against(&s)
            .run();
    let message = record.failure(0);
    assert!(
        message.starts_with("stopped after 2 redirects (max_redirects)"),
        "{message}"
    );
}

#[test]
fn allow_redirects_false_returns_the_redirect() {
    let s = server();
    let record = scenario(
        "steps:\n  - request: { url: \"{{ httpbin }}/redirect/1\", allow_redirects: false }\n    expect: { status: 302 }\n",
    )
    .against(&s)
    .passes();
    assert!(record.step(0).exchange().unwrap().hops.is_empty());
}

#[test]
fn gzip_deflate_and_brotli_bodies_are_decoded_and_the_header_stays() {
    let s = server();
    let record = scenario(
        r#"
session: { base_url: "{{ httpbin }}" }
steps:
  - request: { url: /gzip }
  - request: { url: /deflate }
  - request: { url: /brotli }
"#,
    )
    .against(&s)
    .passes();
    for (index, (encoding, flag)) in [
        ("gzip", "gzipped"),
        ("deflate", "deflated"),
        ("br", "brotli"),
    ]
    .into_iter()
    .enumerate()
    {
        let step = record.step(index);
        let head = &step.exchange().unwrap().response.head;
        assert_eq!(head.headers.get("content-encoding"), Some(encoding));
        assert_eq!(step.json()[flag], true);
    }
}

#[test]
fn encoding_overrides_the_charset() {
    let s = server();
    let record = scenario(
        "steps:\n  - request: { url: \"{{ httpbin }}/encoding/utf8\", encoding: latin-1 }\n",
    )
    .against(&s)
    .passes();
    let body = &record.step(0).exchange().unwrap().response.body;
    assert_eq!(body.charset, "ISO-8859-1");
    assert!(
        body.text.as_deref().unwrap().contains("Ã"),
        "UTF-8 read as Latin-1"
    );
}

#[test]
fn bodies_above_max_body_fail_the_step() {
    let s = server();
    let record = scenario("steps:\n  - request: { url: \"{{ httpbin }}/bytes/2048\" }\n")
        .against(&s)
        .max_body(1000)
        .run();
    let message = record.failure(0);
    assert!(
        message.contains("larger than the limit of 1000 bytes"),
        "{message}"
    );
}

#[test]
fn save_body_streams_to_disk_past_the_memory_limit() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let record = scenario(
        "steps:\n  - request: { url: \"{{ httpbin }}/stream-bytes/100000?chunk_size=8192\", save_body: out.bin }\n",
    )
    .against(&s)
    .in_dir(dir.path())
    .max_body(1000)
    .passes();
    let body = &record.step(0).exchange().unwrap().response.body;
    let saved = dir.path().join("out.bin");
    assert_eq!(
        body.content,
        BodyContent::Saved {
            path: saved.clone(),
            size: 100_000
        }
    );
    assert_eq!(std::fs::metadata(saved).unwrap().len(), 100_000);
}

#[test]
fn save_body_creates_the_folders_of_its_path() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    scenario(
        "steps:\n  - request: { url: \"{{ httpbin }}/bytes/64\", save_body: downloads/today/x.bin }\n",
    )
    .against(&s)
    .in_dir(dir.path())
    .passes();
    let saved = dir.path().join("downloads/today/x.bin");
    assert_eq!(std::fs::metadata(saved).unwrap().len(), 64);
}

#[test]
fn a_proxy_forwards_requests_with_proxy_authorization() {
    let s = server();
    let proxy = ForwardProxy::start();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/get", proxies: { http: "{{ proxy }}" } }
"#,
    )
    .against(&s)
    .var("proxy", proxy.url_with_credentials().into())
    .passes();
    assert!(record.echoed()["url"].as_str().unwrap().ends_with("/get"));
    let heads = proxy.heads.lock().unwrap();
    assert!(
        heads[0].starts_with(&format!("GET {}/get HTTP/1.1", s.url())),
        "{heads:?}"
    );
    assert_sends_credentials(&heads[0]);
}

#[test]
fn a_proxy_named_by_the_environment_is_used_when_the_file_names_none() {
    let s = server();
    let proxy = ForwardProxy::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("get.yaml"),
        "steps:\n  - request: { url: \"{{ httpbin }}/get\" }\n    expect: { status: 200 }\n",
    )
    .unwrap();
    crate::support::sonde(["run", "--var", &format!("httpbin={}", s.url()), "get.yaml"])
        .current_dir(dir.path())
        .env("HTTP_PROXY", &format!("http://{}", proxy.address))
        .run()
        .expect_status(0);
    let heads = proxy.heads.lock().unwrap();
    assert!(
        heads.len() == 1 && heads[0].starts_with(&format!("GET {}/get HTTP/1.1", s.url())),
        "{heads:?}"
    );
}

/// Serves the given raw responses, one per connection, in order.
fn one_shot_server(responses: Vec<&'static [u8]>) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for response in responses {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            stream.write_all(response).unwrap();
        }
    });
    (url, handle)
}

fn single_response(raw: &'static [u8]) -> String {
    let (url, _thread) = one_shot_server(vec![raw]);
    url
}

#[test]
fn a_truncated_body_fails_the_step_plainly() {
    let url = single_response(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
    let record = scenario("steps:\n  - request: { url: \"{{ url }}\" }\n")
        .var("url", url.into())
        .run();
    let message = record.failure(0);
    assert!(message.contains("was cut short or malformed"), "{message}");
}

#[test]
fn a_malformed_chunked_body_fails_the_step_plainly() {
    let url = single_response(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    );
    let record = scenario("steps:\n  - request: { url: \"{{ url }}\" }\n")
        .var("url", url.into())
        .run();
    let message = record.failure(0);
    assert!(message.contains("was cut short or malformed"), "{message}");
}

#[test]
fn a_server_that_closes_without_answering_fails_plainly() {
    let url = single_response(b"");
    let record = scenario("steps:\n  - request: { url: \"{{ url }}\" }\n")
        .var("url", url.into())
        .run();
    let message = record.failure(0);
    assert!(
        message.ends_with("closed the connection without answering"),
        "{message}"
    );
}

#[test]
fn invalid_utf8_is_recorded_and_flagged() {
    let url = single_response(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\na\xff\xfe",
    );
    let record = scenario("steps:\n  - request: { url: \"{{ url }}\" }\n")
        .var("url", url.into())
        .passes();
    let body = &record.step(0).exchange().unwrap().response.body;
    assert!(body.malformed_text);
    assert_eq!(body.text.as_deref(), Some("a\u{fffd}\u{fffd}"));
}

#[test]
fn one_proxy_url_serves_every_scheme() {
    let s = server();
    let proxy = ForwardProxy::start();
    scenario("steps:\n  - request: { url: \"{{ httpbin }}/get\", proxies: \"{{ proxy }}\" }\n")
        .against(&s)
        .var("proxy", format!("http://{}", proxy.address).into())
        .passes();
    assert_eq!(proxy.heads.lock().unwrap().len(), 1);
}

#[test]
fn retries_as_a_count_use_the_default_statuses() {
    let s = server();
    let record = scenario(
        "steps:\n  - request: { url: \"{{ httpbin }}/status/502\", retries: 1 }\n    expect: { status: 502 }\n",
    )
    .against(&s)
    .passes();
    assert_eq!(record.step(0).exchange().unwrap().attempts.len(), 1);
}
