//! The JSON report (`--json`) through the real binary against the embedded server: every
//! assertion with its JSON values, diffs as lines, load errors as structured diagnostics,
//! request body previews, secrets absent in every form; and the console and `JUnit` output
//! the same with or without it.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{project, sonde};

/// The report, after checking it against `schema/report.schema.json`.
fn report(dir: &Path, name: &str) -> Value {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
    let schema: Value = serde_json::from_str(&sonde::report::json::schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    report
}

/// One step that passes and one that fails three ways, one of them with a diff.
const PASS_AND_FAIL: &str = r#"name: pass and fail
steps:
  - name: passes
    request: { url: "{{ httpbin }}/json" }
    expect:
      status: 200
      headers: { content-type: { contains: json } }
      json:
        $.slideshow.author: Yours Truly
        $.slideshow.slides[0]: { title: Wake up to WonderWidgets!, type: all }
  - name: fails
    request:
      url: "{{ httpbin }}/anything"
      method: POST
      json: { name: Grace }
    expect:
      status: 201
      headers: { content-type: { contains: json } }
      json:
        $.json: { name: Ada }
        $.json.name: { type: string, starts_with: A }
"#;

#[test]
fn every_assertion_is_listed_with_json_values_passed_ones_too() {
    let dir = project(&[("a.yaml", PASS_AND_FAIL)]);
    sonde(["run", ".", "--json", "run.json"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    let report = report(dir.path(), "run.json");
    let steps = &report["files"][0]["steps"];

    let passed = &steps[0]["assertions"];
    assert_eq!(steps[0]["outcome"], "passed");
    assert_eq!(passed.as_array().unwrap().len(), 4, "{passed:#}");
    assert!(
        passed
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["passed"] == true)
    );
    assert_eq!(passed[0]["assertion"], "status");
    assert_eq!(passed[0]["line"], 6);
    assert_eq!(passed[0]["expected"], json!(200), "a status is a number");
    assert_eq!(passed[0]["actual"], json!(200));
    assert_eq!(passed[1]["assertion"], "header content-type");
    assert_eq!(passed[1]["expected"], json!({"contains": "json"}));
    assert_eq!(passed[1]["actual"], json!("application/json"));
    assert_eq!(
        passed[2]["expected"],
        json!("Yours Truly"),
        "not \"\\\"Yours Truly\\\"\""
    );
    let slide = json!({"title": "Wake up to WonderWidgets!", "type": "all"});
    assert_eq!(passed[3]["assertion"], "json $.slideshow.slides[0]");
    assert_eq!(passed[3]["expected"], slide);
    assert_eq!(passed[3]["actual"], slide);
    assert!(passed[0].get("message").is_none() && passed[0].get("diff").is_none());

    // In the order they were judged: status, the header (held), then the JSON values.
    let failed = steps[1]["assertions"].as_array().unwrap();
    let summary: Vec<(&str, bool)> = failed
        .iter()
        .map(|a| {
            (
                a["assertion"].as_str().unwrap(),
                a["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("status", false),
            ("header content-type", true),
            ("json $.json", false),
            ("json $.json.name", false),
        ]
    );
    assert_eq!(failed[0]["expected"], json!(201));
    assert_eq!(failed[0]["actual"], json!(200));
    assert_eq!(failed[0]["message"], "status: expected 201, got 200 OK");
    assert_eq!(failed[2]["expected"], json!({"name": "Ada"}));
    assert_eq!(
        failed[2]["actual"],
        json!({"name": "Grace"}),
        "an object, not its text"
    );
    let diff: Vec<&str> = failed[2]["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(diff[..2], ["--- expected", "+++ actual"]);
    assert!(diff.contains(&"-  \"name\": \"Ada\""), "{diff:?}");
    assert!(diff.contains(&"+  \"name\": \"Grace\""), "{diff:?}");
    assert!(
        diff.iter()
            .all(|l| !l.starts_with("  ") && !l.contains('\u{1b}')),
        "plain lines: no indentation, no colour: {diff:?}"
    );
    // Of a predicate of several words, the word that failed.
    assert_eq!(failed[3]["expected"], json!({"starts_with": "A"}));
    assert_eq!(failed[3]["actual"], json!("Grace"));
}

#[test]
fn the_request_body_is_previewed() {
    let scenario = "steps:\n  - request:\n      url: \"{{ httpbin }}/post\"\n      method: POST\n      json: { name: Grace }\n  - request:\n      url: \"{{ httpbin }}/post\"\n      method: POST\n      headers: { Content-Type: application/octet-stream }\n      data: \"\\0\\x01\\x02binary\"\n  - request: { url: \"{{ httpbin }}/get\" }\n";
    let dir = project(&[("a.yaml", scenario)]);
    sonde(["run", ".", "--json", "run.json"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    let report = report(dir.path(), "run.json");
    let steps = &report["files"][0]["steps"];
    let preview = |i: usize| steps[i]["exchange"]["request_body_preview"].clone();
    assert_eq!(preview(0), json!(r#"{"name":"Grace"}"#));
    assert_eq!(preview(1), json!("9 bytes, application/octet-stream"));
    assert_eq!(preview(2), Value::Null);
}

#[test]
fn a_file_that_does_not_load_has_structured_diagnostics() {
    let bad = "steps:\n  - name: typo\n    request: { url: \"{{ httpbin }}/get\" }\n    expcet:\n      status: 200\n";
    let dir = project(&[("bad.yaml", bad)]);
    sonde(["run", "bad.yaml", "--json", "run.json"])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    let report = report(dir.path(), "run.json");
    let file = &report["files"][0];
    assert!(
        file["error"].as_str().unwrap().contains("--> bad.yaml:4:5"),
        "the rendered text stays: {file:#}"
    );
    assert_eq!(
        file["diagnostics"],
        json!([{
            "file": "bad.yaml",
            "line": 4,
            "column": 5,
            "message": "unknown key `expcet` in a step",
            "label": "did you mean `expect`?",
            "notes": ["note: expected one of: name, request, expect, capture, vars, tags, poll, skip, continue_on_failure"],
        }])
    );
}

#[test]
fn a_secret_never_appears_in_the_json_report_in_any_form() {
    // Used in the URL (percent-encoded), a header, a JSON body (escaped), expectations that
    // hold and that fail, and a number that comes back.
    let scenario = r#"steps:
  - name: uses the secrets
    request:
      url: "{{ httpbin }}/anything/{{ token }}?key={{ token }}"
      method: POST
      headers: { X-Api-Key: "{{ token }}" }
      json: { password: "{{ quoted }}", pin: "{{ pin | int }}" }
    expect:
      json:
        $.json.password: "{{ quoted }}"
        $.json.pin: { gt: 0 }
        $.headers.X-Api-Key: { eq: "{{ token }}" }
        $.url: { contains: "{{ token }}", ends_with: nope }
        $.json: { password: "{{ quoted }}", pin: 1 }
"#;
    let dir = project(&[("a.yaml", scenario)]);
    let quoted = r#"pa"ss\word-4471"#;
    sonde([
        "run",
        ".",
        "--secret",
        "token=tok-987-secret",
        "--secret",
        &format!("quoted={quoted}"),
        "--secret",
        "pin=483920",
        "--json",
        "r.json",
    ])
    .current_dir(dir.path())
    .run()
    .expect_status(1);
    let text = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    let escaped = serde_json::to_string(quoted).unwrap();
    let escaped = escaped.trim_matches('"');
    for form in [
        "tok-987-secret",
        quoted,
        escaped,
        "pa%22ss%5Cword-4471",
        "483920",
    ] {
        assert!(!text.contains(form), "{form} leaked:\n{text}");
    }
    let report = report(dir.path(), "r.json");
    let assertions = &report["files"][0]["steps"][0]["assertions"];
    assert_eq!(assertions[0]["passed"], true, "{assertions:#}");
    assert_eq!(assertions[0]["expected"], "***");
    assert_eq!(
        assertions[1]["actual"], "***",
        "a number that shows a secret"
    );
    assert!(text.contains("***"));
}

/// The text with every number as `N`: times differ from run to run.
fn without_numbers(text: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() || (in_number && c == '.') {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

#[test]
fn the_console_and_junit_say_the_same_with_or_without_the_json_report() {
    let dir = project(&[("a.yaml", PASS_AND_FAIL)]);
    let plain = sonde(["run", ".", "--no-progress", "--junit", "plain.xml"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    let with_json = sonde([
        "run",
        ".",
        "--no-progress",
        "--junit",
        "with.xml",
        "--json",
        "run.json",
    ])
    .current_dir(dir.path())
    .run()
    .expect_status(1);
    assert!(
        plain.stdout.contains("expected: {\"name\":\"Ada\"}"),
        "{}",
        plain.stdout
    );
    assert_eq!(
        without_numbers(&plain.stdout),
        without_numbers(&with_json.stdout)
    );
    let junit = |name: &str| {
        let xml = std::fs::read_to_string(dir.path().join(name)).unwrap();
        without_numbers(&xml.replace(name, "REPORT"))
    };
    assert_eq!(junit("plain.xml"), junit("with.xml"));
}
