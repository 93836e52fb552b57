//! Requests: method, URL joining, params, headers, cookies, bodies.

use crate::support::engine::{RecordExt, scenario, server};
use serde_json::json;

#[test]
fn any_method_token_is_sent() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { method: PURGE, url: "{{ httpbin }}/anything" }
    expect: { status: 200 }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(record.echoed()["method"], "PURGE");
}

#[test]
fn relative_urls_join_onto_the_base_path() {
    let s = server();
    let record = scenario(
        r#"
session: { base_url: "{{ httpbin }}/anything/api/v1" }
steps:
  - request: { url: /users }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(
        record.echoed()["url"],
        format!("{}/anything/api/v1/users", s.url())
    );
}

#[test]
fn params_mapping_repeats_list_values_and_drops_nulls() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request:
      url: "{{ httpbin }}/get?x=1"
      params: { q: "requests language:python", tag: [a, b], gone: null }
"#,
    )
    .against(&s)
    .passes();
    let url = &record.step(0).exchange().unwrap().request.url;
    assert!(
        url.ends_with("/get?x=1&q=requests+language%3Apython&tag=a&tag=b"),
        "{url}"
    );
    assert_eq!(
        record.echoed()["args"],
        json!({"x": "1", "q": "requests language:python", "tag": ["a", "b"]})
    );
}

#[test]
fn params_pairs_keep_their_order() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/get", params: [[b, "2"], [a, "1"], [b, "3"]] }
"#,
    )
    .against(&s)
    .passes();
    let url = &record.step(0).exchange().unwrap().request.url;
    assert!(url.ends_with("/get?b=2&a=1&b=3"), "{url}");
}

#[test]
fn params_raw_string_is_appended_as_is() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/get", params: "q=requests+language:python" }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(record.echoed()["args"]["q"], "requests language:python");
}

#[test]
fn session_params_merge_with_step_params_and_the_step_wins() {
    let s = server();
    let record = scenario(
        r#"
session: { base_url: "{{ httpbin }}", params: { per_page: 5, page: 1 } }
steps:
  - request: { url: /get, params: { page: 2, q: x } }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(
        record.echoed()["args"],
        json!({"per_page": "5", "page": "2", "q": "x"})
    );
}

#[test]
fn headers_merge_case_insensitively_and_null_removes() {
    let s = server();
    let record = scenario(
        r#"
session: { base_url: "{{ httpbin }}", headers: { X-One: session, X-Two: session } }
steps:
  - request: { url: /headers, headers: { x-one: step, X-Two: null, User-Agent: null } }
"#,
    )
    .against(&s)
    .passes();
    let headers = &record.echoed()["headers"];
    assert_eq!(headers["X-One"], "step");
    assert!(headers.get("X-Two").is_none(), "{headers}");
    assert!(headers.get("User-Agent").is_none(), "{headers}");
}

#[test]
fn default_headers_are_sent() {
    let s = server();
    let record = scenario("steps:\n  - request: { url: \"{{ httpbin }}/headers\" }\n")
        .against(&s)
        .passes();
    let headers = &record.echoed()["headers"];
    assert_eq!(
        headers["User-Agent"],
        concat!("sonde/", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(headers["Accept"], "*/*");
    assert_eq!(headers["Accept-Encoding"], "gzip, deflate, br");
}

#[test]
fn cookies_are_sent_on_the_request() {
    let s = server();
    let record = scenario(
        r#"
session: { base_url: "{{ httpbin }}", cookies: { theme: dark } }
steps:
  - request: { url: /cookies, cookies: { lang: fr } }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(
        record.echoed()["cookies"],
        json!({"theme": "dark", "lang": "fr"})
    );
}

#[test]
fn json_body_sets_the_content_type_and_keeps_types() {
    let s = server();
    let record = scenario(
        r#"
vars: { id: 42 }
steps:
  - request:
      method: POST
      url: "{{ httpbin }}/post"
      json: { id: "{{ id }}", name: "user {{ id }}", tags: [a], ok: true }
"#,
    )
    .against(&s)
    .passes();
    let echoed = record.echoed();
    assert_eq!(
        echoed["json"],
        json!({"id": 42, "name": "user 42", "tags": ["a"], "ok": true})
    );
    assert_eq!(echoed["headers"]["Content-Type"], "application/json");
}

#[test]
fn json_body_keeps_a_content_type_given_in_headers() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request:
      method: POST
      url: "{{ httpbin }}/post"
      headers: { Content-Type: application/vnd.api+json }
      json: { a: 1 }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(
        record.echoed()["headers"]["Content-Type"],
        "application/vnd.api+json"
    );
}

#[test]
fn data_mapping_is_sent_as_a_form() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { method: POST, url: "{{ httpbin }}/post", data: { name: "a b", tag: [x, y] } }
"#,
    )
    .against(&s)
    .passes();
    let echoed = record.echoed();
    assert_eq!(echoed["form"], json!({"name": "a b", "tag": ["x", "y"]}));
    assert_eq!(
        echoed["headers"]["Content-Type"],
        "application/x-www-form-urlencoded"
    );
}

#[test]
fn data_pairs_are_sent_as_a_form_in_order() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { method: POST, url: "{{ httpbin }}/post", data: [[b, "2"], [a, "1"]] }
"#,
    )
    .against(&s)
    .passes();
    let sent = &record.step(0).exchange().unwrap().request.body;
    assert_eq!(sent, &sonde::transport::SentBody::Bytes("b=2&a=1".into()));
}

#[test]
fn data_string_is_sent_raw() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { method: PUT, url: "{{ httpbin }}/put", data: "raw text" }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(record.echoed()["data"], "raw text");
}

#[test]
fn data_file_is_streamed_from_disk_relative_to_the_scenario() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { method: POST, url: "{{ httpbin }}/post", data: { file: upload.txt } }
"#,
    )
    .against(&s)
    .passes();
    let echoed = record.echoed();
    assert_eq!(echoed["data"], "hello from a file\n");
    assert_eq!(echoed["headers"]["Content-Length"], "18");
}

#[test]
fn files_upload_file_parts_inline_text_and_data_fields() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request:
      method: POST
      url: "{{ httpbin }}/post"
      data: { field: value }
      files:
        doc: { file: upload.txt, filename: renamed.txt, content_type: text/x-custom }
        note: "inline text"
"#,
    )
    .against(&s)
    .passes();
    let echoed = record.echoed();
    assert_eq!(echoed["files"]["doc"], "hello from a file\n");
    assert_eq!(echoed["form"]["field"], "value");
    // As python-requests does, inline text is a file part named after its field.
    assert_eq!(echoed["files"]["note"], "inline text");
    assert!(
        echoed["headers"]["Content-Type"]
            .as_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
}

#[test]
fn a_missing_upload_file_fails_the_step_plainly() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { method: POST, url: "{{ httpbin }}/post", data: { file: nowhere.bin } }
"#,
    )
    .against(&s)
    .run();
    assert!(
        record.failure(0).starts_with("cannot read "),
        "{}",
        record.failure(0)
    );
}

#[test]
fn the_record_holds_the_request_as_sent_and_the_response() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { method: POST, url: "{{ httpbin }}/post", json: [1] }
"#,
    )
    .against(&s)
    .passes();
    let exchange = record.step(0).exchange().unwrap();
    assert_eq!(exchange.request.method, "POST");
    assert_eq!(
        exchange.request.headers.get("content-type"),
        Some("application/json")
    );
    assert_eq!(
        exchange.request.body,
        sonde::transport::SentBody::Bytes("[1]".into())
    );
    let response = &exchange.response;
    assert_eq!(
        (response.head.status, response.head.reason.as_str()),
        (200, "OK")
    );
    assert_eq!(response.head.version, "HTTP/1.1");
    assert_eq!(response.body.charset, "UTF-8");
    assert!(response.timing.first_byte <= response.timing.total);
}

#[test]
fn a_bodiless_post_says_content_length_zero() {
    let s = server();
    let record = scenario("steps:\n  - request: { method: POST, url: \"{{ httpbin }}/post\" }\n")
        .against(&s)
        .passes();
    assert_eq!(record.echoed()["headers"]["Content-Length"], "0");
}

#[test]
fn a_relative_url_without_base_url_fails_plainly() {
    let record = scenario("steps:\n  - request: { url: /get }\n").run();
    assert_eq!(
        record.failure(0),
        "`/get` is a relative URL and no base_url is set (give an absolute URL or set session.base_url)"
    );
}
