//! Sessions: each file its own cookie jar; connections pooled across files; step flow.

use crate::support::engine::{RecordExt, StepExt, scenario, server};
use serde_json::json;
use sonde::engine::StepOutcome;

#[test]
fn two_files_never_see_each_others_cookies() {
    let s = server();
    let first = scenario(
        r#"
session: { base_url: "{{ httpbin }}" }
steps:
  - request: { url: "/cookies/set?owner=first" }
  - request: { url: /cookies }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(first.step(1).json()["cookies"], json!({"owner": "first"}));
    let second = scenario("steps:\n  - request: { url: \"{{ httpbin }}/cookies\" }\n")
        .against(&s)
        .passes();
    assert_eq!(second.echoed()["cookies"], json!({}));
}

#[test]
fn connections_are_reused_across_steps_and_files() {
    let s = server();
    let file = "session: { base_url: \"{{ httpbin }}\" }\nsteps:\n  - request: { url: /get }\n  - request: { url: /get }\n  - request: { url: /get }\n";
    scenario(file).against(&s).passes();
    scenario(file).against(&s).passes();
    assert_eq!(s.connections_accepted(), 1);
}

#[test]
fn the_first_failure_skips_the_rest() {
    let s = server();
    let record = scenario(
        r#"
session: { base_url: "{{ httpbin }}" }
steps:
  - name: boom
    request: { url: /status/500 }
    expect: { status: 200 }
  - request: { url: /get }
"#,
    )
    .against(&s)
    .run();
    assert_eq!(
        record.failure(0),
        "status: expected 200, got 500 Internal Server Error"
    );
    assert_eq!(
        record.step(1).outcome,
        StepOutcome::Skipped("after failure of step \"boom\"".into())
    );
}

#[test]
fn continue_on_failure_lets_the_next_steps_run() {
    let s = server();
    let record = scenario(
        r#"
session: { base_url: "{{ httpbin }}" }
steps:
  - request: { url: /status/404 }
    expect: { status: "2xx" }
    continue_on_failure: true
  - request: { url: /get }
    expect: { status: [200, 201] }
"#,
    )
    .against(&s)
    .run();
    assert!(record.step(0).outcome.is_failed());
    assert_eq!(record.step(1).outcome, StepOutcome::Passed);
}

#[test]
fn skip_is_honoured_with_its_reason() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/get" }
    skip: not today
  - request: { url: "{{ httpbin }}/get" }
    skip: true
"#,
    )
    .against(&s)
    .run();
    assert_eq!(
        record.step(0).outcome,
        StepOutcome::Skipped("not today".into())
    );
    assert!(matches!(record.step(1).outcome, StepOutcome::Skipped(_)));
    assert!(record.step(0).exchanges.is_empty());
}

#[test]
fn poll_sends_again_until_the_status_check_passes() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/status/503" }
    poll: { every: 10ms, max: 3 }
    expect: { status: 200 }
"#,
    )
    .against(&s)
    .run();
    assert_eq!(record.step(0).exchanges.len(), 3);
    assert!(record.step(0).outcome.is_failed());
}

#[test]
fn on_step_is_called_for_every_step() {
    let s = server();
    let source = sonde_core::SourceFile::new(
        crate::support::engine::fixtures().join("x.yaml"),
        "steps:\n  - request: { url: \"{{ httpbin }}/get\" }\n  - request: { url: \"{{ httpbin }}/get\" }\n    skip: true\n",
    );
    let scenario = sonde_core::yaml::load(&source).unwrap();
    let mut ctx = sonde::engine::RunContext::default();
    ctx.vars.insert("httpbin".into(), s.url().into());
    let mut seen = Vec::new();
    sonde::engine::run_scenario(&scenario, &ctx, &mut |step| seen.push(step.index));
    assert_eq!(seen, [0, 1]);
}
