//! Templates (SPEC §3): strict undefined, typed whole values, env, lookup order.

use crate::support::engine::{RecordExt, scenario, server};
use serde_json::json;

#[test]
fn an_undefined_variable_is_named_with_the_variables_in_scope() {
    let s = server();
    let record = scenario(
        r#"
vars: { known: 1 }
steps:
  - request: { url: "{{ httpbin }}/anything/{{ missing }}" }
"#,
    )
    .against(&s)
    .run();
    let message = record.failure(0);
    assert!(
        message.starts_with("undefined variable `missing`"),
        "{message}"
    );
    assert!(
        message.contains("variables in scope: known, httpbin"),
        "{message}"
    );
}

#[test]
fn a_whole_expression_keeps_its_type_in_json() {
    let s = server();
    let record = scenario(
        r#"
vars: { n: 3, flag: true, list: [1, 2] }
steps:
  - request:
      method: POST
      url: "{{ httpbin }}/post"
      json: { n: "{{ n }}", flag: "{{ flag }}", list: "{{ list }}", sum: "{{ n + 1 }}", text: "n={{ n }}" }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(
        record.echoed()["json"],
        json!({"n": 3, "flag": true, "list": [1, 2], "sum": 4, "text": "n=3"})
    );
}

#[test]
fn no_auto_escaping() {
    let s = server();
    let record = scenario(
        r#"
vars: { html: "<a href='x'>&</a>" }
steps:
  - request: { method: POST, url: "{{ httpbin }}/post", data: "{{ html }}!" }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(record.echoed()["data"], "<a href='x'>&</a>!");
}

#[test]
fn env_is_reachable_as_a_map() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/get", params: { p: "{{ env.CARGO_PKG_NAME }}" } }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(record.echoed()["args"]["p"], env!("CARGO_PKG_NAME"));
}

#[test]
fn lookup_order_captures_then_run_vars_then_step_then_file() {
    let s = server();
    let record = scenario(
        r#"
vars: { a: file, b: file, c: file, d: file }
session: { base_url: "{{ httpbin }}" }
steps:
  - request: { url: /get, params: { v: captured } }
    capture: { a: $.args.v }
  - request: { url: /get, params: { a: "{{ a }}", b: "{{ b }}", c: "{{ c }}", d: "{{ d }}" } }
    vars: { a: step, b: step, c: step }
"#,
    )
    .against(&s)
    .var("b", "run".into())
    .passes();
    assert_eq!(
        record
            .step(1)
            .exchange()
            .map(|e| e.response.body.json().unwrap()["args"].clone()),
        Some(json!({"a": "captured", "b": "run", "c": "step", "d": "file"}))
    );
}

#[test]
fn file_vars_are_templated_in_order() {
    let s = server();
    let record = scenario(
        r#"
vars:
  first: "a"
  second: "{{ first }}b"
  third: "{{ second }}c"
steps:
  - request: { url: "{{ httpbin }}/get", params: { v: "{{ third }}" } }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(record.echoed()["args"]["v"], "abc");
}

#[test]
fn a_var_that_fails_is_explained_where_it_is_used() {
    let s = server();
    let record = scenario(
        r#"
vars: { token: "{{ env.SONDE_SURELY_UNSET_VARIABLE }}" }
steps:
  - request: { url: "{{ httpbin }}/get", params: { t: "{{ token }}" } }
"#,
    )
    .against(&s)
    .run();
    let message = record.failure(0);
    assert!(
        message.contains("variable `token` could not be evaluated"),
        "{message}"
    );
    assert!(
        message.contains("env.SONDE_SURELY_UNSET_VARIABLE"),
        "{message}"
    );
}

#[test]
fn functions_and_filters_render() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request:
      url: "{{ httpbin }}/get"
      params: { id: "{{ uuid() }}", b64: "{{ 'hi' | b64encode }}", f: "{{ file('upload.txt') | trim }}" }
"#,
    )
    .against(&s)
    .passes();
    let args = &record.echoed()["args"];
    assert_eq!(args["id"].as_str().unwrap().len(), 36);
    assert_eq!(args["b64"], "aGk=");
    assert_eq!(args["f"], "hello from a file");
}

#[test]
fn an_undefined_environment_variable_is_named() {
    let s = server();
    let record = scenario(
        "steps:\n  - request: { url: \"{{ httpbin }}/get?x={{ env.SONDE_SURELY_UNSET_VARIABLE }}\" }\n",
    )
    .against(&s)
    .run();
    let message = record.failure(0);
    assert!(
        message.starts_with("undefined value `env.SONDE_SURELY_UNSET_VARIABLE`"),
        "{message}"
    );
}

#[test]
fn config_vars_and_session_are_the_weakest_layer() {
    let s = server();
    let record = scenario(
        r#"
vars: { b: file }
steps:
  - request: { url: "{{ httpbin }}/get", params: { a: "{{ a }}", b: "{{ b }}" } }
"#,
    )
    .against(&s)
    .config("vars: { a: config, b: config }\nsession: { headers: { X-From: config }, params: { c: config } }\n")
    .passes();
    let echoed = record.echoed();
    assert_eq!(
        echoed["args"],
        json!({"a": "config", "b": "file", "c": "config"})
    );
    assert_eq!(echoed["headers"]["X-From"], "config");
}

#[test]
fn a_variable_whose_name_is_not_an_identifier_is_read_through_vars() {
    // `--var boss-api=x`: `{{ boss-api }}` would be `boss - api`.
    let s = server();
    let record = scenario(
        "steps:\n  - request: { url: \"{{ httpbin }}/anything/{{ vars['boss-api'] }}\" }\n",
    )
    .against(&s)
    .var("boss-api", serde_json::json!("x-1"))
    .passes();
    assert!(
        record.echoed()["url"]
            .as_str()
            .unwrap()
            .ends_with("/anything/x-1"),
        "{}",
        record.echoed()
    );
}

#[test]
fn a_templated_skip_is_decided_when_the_step_is_reached() {
    let s = server();
    let yaml = "steps:\n  - name: login\n    request: { url: \"{{ httpbin }}/anything/login\" }\n    capture: { role: $.json }\n  - name: staging only\n    skip: \"{{ target != 'staging' }}\"\n    request: { url: \"{{ httpbin }}/anything/staging\" }\n  - name: unless prod\n    skip: \"{{ target == 'prod' }}\"\n    request: { url: \"{{ httpbin }}/anything/other\" }\n";
    let record = scenario(yaml)
        .against(&s)
        .var("target", serde_json::json!("prod"))
        .run();
    assert_eq!(
        record.steps[1].outcome,
        sonde::engine::StepOutcome::Skipped("skip: {{ target != 'staging' }}".into())
    );
    assert_eq!(
        record.steps[2].outcome,
        sonde::engine::StepOutcome::Skipped("skip: {{ target == 'prod' }}".into())
    );
    let staging = scenario(yaml)
        .against(&s)
        .var("target", serde_json::json!("staging"))
        .run();
    assert!(matches!(
        staging.steps[1].outcome,
        sonde::engine::StepOutcome::Passed
    ));
    assert!(matches!(
        staging.steps[2].outcome,
        sonde::engine::StepOutcome::Passed
    ));
}
