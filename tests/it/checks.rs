//! Every assertion kind, passing and failing, against a response built by hand; the failure
//! output of each kind is snapshotted (colour off, and once on).

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use sonde::check::predicate::Literal;
use sonde::check::{Context, ResponseView, Values, Verdicts, evaluate};
use sonde_core::model::Expect;
use sonde_core::{SourceFile, yaml};

fn expect(lines: &str) -> Expect {
    let indented: String = lines.lines().map(|l| format!("      {l}\n")).collect();
    let text = format!("steps:\n  - request: {{ url: /x }}\n    expect:\n{indented}");
    let source = SourceFile::new("t.yaml", text);
    match yaml::load(&source) {
        Ok(mut s) => s.steps.remove(0).expect,
        Err(e) => panic!(
            "{}",
            e.iter()
                .map(std::string::ToString::to_string)
                .collect::<String>()
        ),
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    cookies: Vec<(String, String)>,
}

fn response(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Set-Cookie".into(), "sid=abc; Path=/".into()),
            ("Vary".into(), "Accept".into()),
            ("Vary".into(), "Origin".into()),
        ],
        body: body.to_string(),
        cookies: vec![("sid".into(), "abc".into())],
    }
}

const DOC: &str = r#"{"id": 7, "name": "ada", "tags": ["a", "b"], "deep": {"x": {"y": [1, 2, 3]}}, "ratio": 2.0}"#;

/// What the checks of `lines` find against `r`; passes and JSON values recorded when `record`.
fn verdicts(lines: &str, r: &Response, record: bool) -> Verdicts {
    let mut view = ResponseView::new(
        r.status,
        "OK",
        &r.headers,
        r.body.as_bytes(),
        Some(&r.body),
        Duration::from_millis(120),
        "http://h/final",
    );
    view.redirects = 2;
    view.cookies = &r.cookies;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks");
    let ctx = Context {
        resolve: &Literal,
        scenario_dir: &dir,
        record_passes: record,
    };
    evaluate(&expect(lines), &view, &ctx)
}

/// The failures of `lines` against `r`, rendered (in colour when `color`). Recording the
/// passes for a report changes nothing of them: checked on every call.
fn failures_with(lines: &str, r: &Response, color: bool) -> String {
    let render = |record| -> String {
        verdicts(lines, r, record)
            .failures
            .iter()
            .map(|f| f.render("t.yaml", color))
            .collect()
    };
    let out = render(false);
    assert_eq!(out, render(true), "recording passes changed the failures");
    out
}

fn failures(lines: &str) -> String {
    failures_with(lines, &response(200, DOC), false)
}

fn passes(lines: &str) {
    let out = failures(lines);
    assert!(out.is_empty(), "expected `{lines}` to pass:\n{out}");
}

#[test]
fn status_passes_and_fails() {
    passes("status: 200");
    passes("status: [201, 200]");
    passes("status: \"2xx\"");
    passes("status: { ge: 200, lt: 300 }");
    passes("ok: true");
    insta::assert_snapshot!(failures("status: 404\nok: false"));
    insta::assert_snapshot!(
        "status_forms",
        failures("status: [201, 204]")
            + &failures("status: \"4xx\"")
            + &failures("status: { gt: 300 }")
    );
}

#[test]
fn headers_pass_and_fail() {
    passes("headers: { content-type: { contains: json }, x-none: null }");
    passes("headers: { CONTENT-TYPE: application/json }");
    passes("headers: { vary: { contains: Origin } }");
    passes("headers: { vary: \"Accept, Origin\" }");
    passes("headers: { vary: { matches: \"^Orig\" } }");
    insta::assert_snapshot!(failures(
        "headers: { content-type: text/html, vary: null, x-missing: { exists: true } }"
    ));
}

#[test]
fn json_paths_pass_and_fail() {
    passes(
        "json: { $.id: 7, $.ratio: 2, $.tags: [a, b], \"$.tags[*]\": [a, b], $.deep.x.y: { length: 3 }, $.nothing: { exists: false } }",
    );
    passes(
        "json: { $.name: { type: string, starts_with: a, matches: \"^[a-z]+$\" }, $.tags: { contains: b } }",
    );
    insta::assert_snapshot!(failures(
        "json: { $.id: \"7\", $.nothing: 1, $.deep: { x: { y: [1, 2, 4] } } }"
    ));
}

#[test]
fn a_body_that_is_not_json_fails_json_checks_saying_what_came() {
    let r = Response {
        headers: vec![("Content-Type".into(), "text/html".into())],
        ..response(200, "<html>hello</html>")
    };
    insta::assert_snapshot!(failures_with("json: { $.id: 1 }", &r, false));
}

/// Regression (fuzz target `json_pick`): a path read while parsing must not pass on a body
/// the parser refuses, here for a number out of range away from the path.
#[test]
fn a_singular_path_on_a_body_that_is_not_quite_json_fails_like_any_other() {
    let r = response(200, r#"{"id": 7, "big": [5E66666666266]}"#);
    let out = failures_with("json: { $.id: 7 }", &r, false);
    assert!(out.contains("the body is not JSON"), "{out}");
}

#[test]
fn body_passes_and_fails() {
    let r = response(200, "line one\nline two\nline three\n");
    assert!(failures_with("body: { contains: two }", &r, false).is_empty());
    assert!(failures_with("body: \"line one\\nline two\\nline three\\n\"", &r, false).is_empty());
    insta::assert_snapshot!(failures_with(
        "body: \"line one\\nline 2\\nline three\\n\"",
        &r,
        false
    ));
}

#[test]
fn bytes_pass_and_fail() {
    let r = response(200, "test");
    assert!(failures_with("bytes: { length: 4, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, equals_file: test.txt }", &r, false).is_empty());
    insta::assert_snapshot!(failures_with(
        "bytes: { length: { gt: 10 }, sha256: 0000000000000000000000000000000000000000000000000000000000000000, equals_file: other.txt }",
        &r,
        false
    ));
}

#[test]
fn schema_passes_and_lists_every_violation() {
    passes("schema: { type: object, required: [id, name], properties: { id: { type: integer } } }");
    passes("schema: user.schema.json");
    insta::assert_snapshot!(failures(
        "schema: { type: object, required: [id, email], properties: { id: { type: string }, tags: { items: { type: integer } } } }"
    ));
}

#[test]
fn cookies_duration_redirects_and_url() {
    passes(
        "cookies: { sid: abc }\nduration: { lt: 1s, gt: 100 }\nredirects: 2\nurl: { ends_with: /final }",
    );
    insta::assert_snapshot!(failures(
        "cookies: { sid: xyz, other: { exists: true } }\nduration: { lt: 50ms }\nredirects: 0\nurl: http://h/elsewhere"
    ));
}

#[test]
fn every_failure_of_a_step_is_reported() {
    let out = failures("status: 500\nheaders: { content-type: text/plain }\njson: { $.id: 8 }");
    assert_eq!(out.matches("expected:").count(), 3, "{out}");
}

#[test]
fn a_deep_json_difference_is_one_line_of_the_diff_in_colour() {
    let out = failures_with(
        "json: { $.deep: { x: { y: [1, 2, 4] } } }",
        &response(200, DOC),
        true,
    );
    assert!(out.contains("\u{1b}["), "{out}");
    insta::assert_snapshot!(out);
}

/// Every assertion that held, as (name, line, expected, actual), when passes are recorded.
fn recorded_passes(
    lines: &str,
) -> Vec<(String, u32, serde_json::Value, Option<serde_json::Value>)> {
    let found = verdicts(lines, &response(200, DOC), true);
    assert!(found.failures.is_empty(), "{:?}", found.failures);
    found
        .passes
        .into_iter()
        .map(|p| (p.assertion, p.span.line, p.values.expected, p.values.actual))
        .collect()
}

#[test]
fn passes_are_recorded_with_json_values_only_when_asked() {
    let lines = "status: 200\nok: true\nheaders: { content-type: { contains: json }, x-none: null }\njson: { $.id: 7, $.deep: { x: { y: [1, 2, 3] } }, $.nothing: { exists: false } }\nbody: { contains: ada }\nbytes: { length: { gt: 10 } }\ncookies: { sid: abc }\nredirects: 2\nurl: { ends_with: /final }";
    let found = recorded_passes(lines);
    let expected = [
        ("status", 4, json!(200), Some(json!(200))),
        ("ok", 5, json!(true), Some(json!(true))),
        (
            "header content-type",
            6,
            json!({"contains": "json"}),
            Some(json!("application/json")),
        ),
        ("header x-none", 6, json!(null), None),
        ("json $.id", 7, json!(7), Some(json!(7))),
        (
            "json $.deep",
            7,
            json!({"x": {"y": [1, 2, 3]}}),
            Some(json!({"x": {"y": [1, 2, 3]}})),
        ),
        ("json $.nothing", 7, json!({"exists": false}), None),
        ("body", 8, json!({"contains": "ada"}), Some(json!(DOC))),
        ("bytes length", 9, json!({"gt": 10}), Some(json!(DOC.len()))),
        ("cookie sid", 10, json!("abc"), Some(json!("abc"))),
        ("redirects", 11, json!(2), Some(json!(2))),
        (
            "url",
            12,
            json!({"ends_with": "/final"}),
            Some(json!("http://h/final")),
        ),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(a, l, e, v)| (a.to_string(), l, e, v))
        .collect();
    assert_eq!(found, expected);
    let unrecorded = verdicts(lines, &response(200, DOC), false);
    assert!(unrecorded.passes.is_empty() && unrecorded.failures.is_empty());
}

#[test]
fn status_forms_and_schemas_are_recorded_as_written() {
    let passes = recorded_passes("status: [201, 200]");
    assert_eq!(passes[0].2, json!([201, 200]));
    assert_eq!(recorded_passes("status: \"2xx\"")[0].2, json!("2xx"));
    assert_eq!(
        recorded_passes("status: { ge: 200, lt: 300 }")[0].2,
        json!({"ge": 200, "lt": 300})
    );
    let schema = recorded_passes("schema: user.schema.json");
    assert_eq!(
        (schema[0].0.as_str(), &schema[0].2, &schema[0].3),
        ("schema", &json!("user.schema.json"), &None)
    );
}

#[test]
fn failures_carry_json_values_when_recorded_the_failed_word_alone() {
    let found = verdicts(
        "status: 404\nheaders: { vary: null }\njson: { $.id: { gt: 5, lt: 3 }, $.missing: 1, $.deep: { x: 1 } }",
        &response(200, DOC),
        true,
    );
    let values: Vec<_> = found
        .failures
        .iter()
        .map(|f| (f.assertion.as_str(), f.values.clone().unwrap()))
        .collect();
    let v = |e, a| Values {
        expected: e,
        actual: a,
    };
    assert_eq!(
        values,
        [
            ("status", v(json!(404), Some(json!(200)))),
            ("header vary", v(json!(null), Some(json!("Accept, Origin")))),
            ("json $.id", v(json!({"lt": 3}), Some(json!(7)))),
            ("json $.missing", v(json!(1), None)),
            (
                "json $.deep",
                v(json!({"x": 1}), Some(json!({"x": {"y": [1, 2, 3]}})))
            ),
        ]
    );
    // The pass of `gt: 5` is not recorded apart: the assertion as a whole failed.
    assert!(found.passes.is_empty(), "{:?}", found.passes);
    let unrecorded = verdicts("status: 404", &response(200, DOC), false);
    assert_eq!(unrecorded.failures[0].values, None);
}

#[test]
fn passes_say_where_they_stand_among_the_failures() {
    let found = verdicts(
        "status: 404\nheaders: { content-type: { contains: json } }\njson: { $.id: 8, $.name: ada }",
        &response(200, DOC),
        true,
    );
    let order: Vec<_> = found
        .passes
        .iter()
        .map(|p| (p.assertion.as_str(), p.failures_before))
        .collect();
    assert_eq!(order, [("header content-type", 1), ("json $.name", 2)]);
}
