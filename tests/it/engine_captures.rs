//! Captures (SPEC §2.3): every source, typed values, and failures that say why.

use crate::support::engine::{RecordExt, scenario, server};
use serde_json::json;

fn captured(yaml: &str) -> indexmap::IndexMap<String, serde_json::Value> {
    let s = server();
    let record = scenario(yaml).against(&s).passes();
    record.step(0).captures.clone()
}

#[test]
fn jsonpath_gives_one_value_with_its_type_or_a_list() {
    let c = captured(
        r#"
steps:
  - request: { method: POST, url: "{{ httpbin }}/post", json: { id: 7, items: [{ n: 1 }, { n: 2 }] } }
    capture: { id: $.json.id, ns: "$.json.items[*].n", obj: { json: "$.json.items[0]" } }
"#,
    );
    assert_eq!(c["id"], json!(7));
    assert_eq!(c["ns"], json!([1, 2]));
    assert_eq!(c["obj"], json!({"n": 1}));
}

#[test]
fn header_cookie_status_url_body_duration() {
    let c = captured(
        r#"
steps:
  - request: { url: "{{ httpbin }}/cookies/set?k=v" }
    capture:
      type: { header: content-type }
      k: { cookie: k }
      code: { status: true }
      where: { url: true }
      text: { body: true }
      took: { duration: true }
"#,
    );
    assert_eq!(c["type"], "application/json");
    assert_eq!(c["k"], "v");
    assert_eq!(c["code"], json!(200));
    assert!(c["where"].as_str().unwrap().ends_with("/cookies"));
    assert!(c["text"].as_str().unwrap().contains("\"k\""));
    assert!(c["took"].is_u64());
}

#[test]
fn regex_group() {
    let c = captured(
        r#"
steps:
  - request: { url: "{{ httpbin }}/get?token=abc123" }
    capture: { token: { regex: "token=([a-z0-9]+)", group: 1 } }
"#,
    );
    assert_eq!(c["token"], "abc123");
}

#[test]
fn captured_values_feed_later_steps() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { method: POST, url: "{{ httpbin }}/post", json: { id: 7 } }
    capture: { id: $.json.id }
  - request: { method: POST, url: "{{ httpbin }}/post", json: { again: "{{ id }}" } }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(
        record
            .step(1)
            .exchange()
            .unwrap()
            .response
            .body
            .json()
            .unwrap()["json"],
        json!({"again": 7})
    );
}

#[test]
fn a_capture_that_finds_nothing_fails_the_step_saying_why() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/get" }
    capture: { missing: $.nothing.here, h: { header: X-Absent } }
"#,
    )
    .against(&s)
    .run();
    assert_eq!(
        record.failure(0),
        "capture `missing`: the JSONPath `$.nothing.here` matched nothing in the body\n\
         capture `h`: the response has no `X-Absent` header"
    );
}
