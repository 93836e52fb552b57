//! Predicates on arbitrary JSON. The input is `MATCHER\0JSON`: the matcher is YAML, read the
//! way a scenario's `expect.json` values are (so only matchers sonde accepts are evaluated);
//! the JSON is the actual value (a string when it is not JSON). Each matcher is evaluated
//! with `check::predicate::evaluate`, then the whole `expect` with `check::evaluate` against
//! a response whose body is that JSON.
#![no_main]

use std::path::Path;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sonde::check::predicate::{Literal, evaluate};
use sonde::check::{Context, ResponseView};
use sonde_core::{SourceFile, yaml};

#[path = "common.rs"]
mod common;

fuzz_target!(init: common::quiet_expected_panics(), |data: &[u8]| {
    let (matcher, actual) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b""[..]),
    };
    let (Ok(matcher), Ok(actual_text)) =
        (std::str::from_utf8(matcher), std::str::from_utf8(actual))
    else {
        return;
    };
    let indented: String = matcher
        .lines()
        .map(|l| format!("          {l}\n"))
        .collect();
    let text = format!(
        "steps:\n  - request: {{ url: /x }}\n    expect:\n      json:\n        $.v:\n{indented}      body:\n{indented}"
    );
    let source = SourceFile::new("f.yaml", text);
    let Ok(mut scenario) = yaml::load(&source) else {
        return;
    };
    let expect = scenario.steps.remove(0).expect;
    let actual: Value =
        serde_json::from_str(actual_text).unwrap_or_else(|_| Value::String(actual_text.to_owned()));
    common::on_worker_stack(|| {
        for json in &expect.json {
            for mismatch in evaluate(&json.matcher.value, Some(&actual), &Literal) {
                assert!(!mismatch.expected.is_empty());
            }
            let _ = evaluate(&json.matcher.value, None, &Literal);
        }
        let body = serde_json::json!({ "v": actual }).to_string();
        let view = ResponseView::new(
            200,
            "OK",
            &[],
            body.as_bytes(),
            Some(&body),
            Duration::from_millis(5),
            "http://127.0.0.1/x",
        );
        let context = Context {
            resolve: &Literal,
            scenario_dir: Path::new("/nonexistent-sonde-fuzz"),
            record_passes: true,
        };
        let verdicts = sonde::check::evaluate(&expect, &view, &context);
        for failure in &verdicts.failures {
            let _ = failure.render("f.yaml", false);
            let _ = failure.render("f.yaml", true);
            assert!(failure.values.is_some(), "recorded values");
        }
        for pass in &verdicts.passes {
            assert!(pass.failures_before <= verdicts.failures.len());
        }
    });
});
