//! Every accepted form of the format reads into the model it means.

use std::time::Duration;

use sonde_core::model::*;
use sonde_core::{SourceFile, yaml};

fn load(text: &str) -> Scenario {
    let source = SourceFile::new("t.yaml", text);
    match yaml::load(&source) {
        Ok(s) => s,
        Err(errors) => panic!(
            "{}",
            errors
                .iter()
                .map(std::string::ToString::to_string)
                .collect::<String>()
        ),
    }
}

fn errors(text: &str) -> Vec<String> {
    let source = SourceFile::new("t.yaml", text);
    yaml::load(&source)
        .expect_err("the file is invalid")
        .into_iter()
        .map(|d| format!("{}: {}", d.location(), d.message))
        .collect()
}

/// The request of a one-step file whose request has these extra lines.
fn request(lines: &str) -> Request {
    let text = format!("steps:\n  - request:\n      url: /x\n{}", indent(lines, 6));
    load(&text).steps.remove(0).request
}

fn expect(lines: &str) -> Expect {
    let text = format!(
        "steps:\n  - request: {{ url: /x }}\n    expect:\n{}",
        indent(lines, 6)
    );
    load(&text).steps.remove(0).expect
}

fn indent(lines: &str, by: usize) -> String {
    lines
        .lines()
        .map(|l| format!("{}{l}\n", " ".repeat(by)))
        .collect()
}

fn text(v: &Value) -> &str {
    match v {
        Value::String(t) => &t.source,
        other => panic!("not a string: {other:?}"),
    }
}

#[test]
fn top_level_keys_and_defaults() {
    let s = load("description: d\ntags: [a, b]\nsteps:\n  - request: { url: /x }\n");
    assert_eq!(s.name, "t");
    assert_eq!(s.description.as_deref(), Some("d"));
    assert_eq!(s.tags, ["a", "b"]);
    let step = &s.steps[0];
    assert_eq!(step.name, "GET /x");
    assert_eq!(step.request.method.value, "GET");
    assert!(!step.continue_on_failure && step.skip.is_none() && step.poll.is_none());
}

#[test]
fn methods_are_tokens_and_upper_cased() {
    assert_eq!(request("method: purge").method.value, "PURGE");
    assert_eq!(request("method: QUERY").method.value, "QUERY");
}

#[test]
fn params_in_three_forms() {
    let Some(Params::Map(m)) = request("params: { q: x, tag: [a, b] }").settings.params else {
        panic!()
    };
    assert_eq!(m[0].0.value, "q");
    assert!(matches!(m[1].1, Value::Array(ref items) if items.len() == 2));
    let Some(Params::Pairs(p)) = request("params: [[q, x], [q, y]]").settings.params else {
        panic!()
    };
    assert_eq!((text(&p[1].0), text(&p[1].1)), ("q", "y"));
    let Some(Params::Raw(raw)) = request("params: q=requests+language:python")
        .settings
        .params
    else {
        panic!()
    };
    assert_eq!(raw.source, "q=requests+language:python");
}

#[test]
fn auth_in_every_form() {
    let auth = |line: &str| request(line).settings.auth;
    assert!(matches!(
        auth("auth: [u, p]"),
        Setting::Set(Auth::Basic { .. })
    ));
    assert!(matches!(
        auth("auth: { basic: [u, p] }"),
        Setting::Set(Auth::Basic { .. })
    ));
    assert!(matches!(
        auth("auth: { digest: [u, p] }"),
        Setting::Set(Auth::Digest { .. })
    ));
    assert!(matches!(
        auth("auth: { bearer: t }"),
        Setting::Set(Auth::Bearer(_))
    ));
    assert!(matches!(
        auth("auth: { header: { name: X-TokenAuth, value: t } }"),
        Setting::Set(Auth::Header { .. })
    ));
    assert!(matches!(auth("auth: null"), Setting::Remove));
    assert!(matches!(auth("headers: {}"), Setting::Inherit));
}

#[test]
fn timeouts_as_number_duration_or_phases() {
    let t = |line: &str| request(line).settings.timeout.unwrap();
    assert_eq!(t("timeout: 3").total, Some(Duration::from_secs(3)));
    assert_eq!(t("timeout: 2.5").total, Some(Duration::from_millis(2500)));
    assert_eq!(t("timeout: 500ms").total, Some(Duration::from_millis(500)));
    assert_eq!(t("timeout: 1m").total, Some(Duration::from_secs(60)));
    let phases = t("timeout: { connect: 2s, read: 5s }");
    assert_eq!(
        (phases.connect, phases.read, phases.total),
        (
            Some(Duration::from_secs(2)),
            Some(Duration::from_secs(5)),
            None
        )
    );
}

#[test]
fn retries_as_count_or_mapping() {
    let r = request("retries: 2").settings.retries.unwrap();
    assert_eq!((r.count, r.on_status.as_slice()), (2, &[502, 503, 504][..]));
    let r = request("retries: { count: 3, backoff: 200ms, on_status: [503] }")
        .settings
        .retries
        .unwrap();
    assert_eq!(
        (r.count, r.backoff, r.on_status),
        (3, Duration::from_millis(200), vec![503])
    );
}

#[test]
fn verify_cert_and_proxies() {
    assert!(matches!(
        request("verify: false").settings.verify,
        Some(Verify::Enabled(false))
    ));
    assert!(matches!(
        request("verify: ca.pem").settings.verify,
        Some(Verify::CaBundle(_))
    ));
    assert!(matches!(
        request("cert: both.pem").settings.cert,
        Some(ClientCert::Combined(_))
    ));
    assert!(matches!(
        request("cert: [c.pem, k.pem]").settings.cert,
        Some(ClientCert::Pair { .. })
    ));
    assert!(matches!(
        request("proxies: http://p:1").settings.proxies,
        Some(Proxies::All(_))
    ));
    assert!(matches!(
        request("proxies: { https: http://p:2 }").settings.proxies,
        Some(Proxies::PerScheme {
            http: None,
            https: Some(_)
        })
    ));
}

#[test]
fn headers_null_removes_and_numbers_are_text() {
    let h = request("headers: { X-A: null, X-N: 5 }").settings.headers;
    assert!(h.0[0].1.is_none());
    assert_eq!(text(h.0[1].1.as_ref().unwrap()), "5");
}

#[test]
fn bodies_in_every_form() {
    assert!(matches!(
        request("json: { a: [1, null] }").json,
        Some(Value::Object(_))
    ));
    assert!(matches!(request("data: { a: 1 }").data, Some(Data::Form(ref f)) if f.len() == 1));
    assert!(
        matches!(request("data: [[a, 1], [a, 2]]").data, Some(Data::Form(ref f)) if f.len() == 2)
    );
    assert!(matches!(request("data: raw text").data, Some(Data::Raw(_))));
    assert!(matches!(
        request("data: { file: body.bin }").data,
        Some(Data::File(_))
    ));
    let files = request("files: { a: { file: x.csv, filename: y.csv, content_type: text/csv, headers: { X-P: 1 } }, b: inline }").files;
    assert!(matches!(
        &files[0].content,
        FileContent::File {
            filename: Some(_),
            content_type: Some(_),
            ..
        }
    ));
    assert!(matches!(&files[1].content, FileContent::Inline(t) if t.source == "inline"));
}

#[test]
fn a_whole_template_keeps_its_type_and_mixed_text_renders() {
    let r = request("json: { id: \"{{ user_id }}\", path: \"/u/{{ user_id }}\" }");
    let Some(Value::Object(fields)) = r.json else {
        panic!()
    };
    let Value::String(whole) = &fields[0].1 else {
        panic!()
    };
    assert_eq!(whole.kind, TextKind::Expression("user_id".into()));
    let Value::String(mixed) = &fields[1].1 else {
        panic!()
    };
    assert_eq!(mixed.kind, TextKind::Template);
}

#[test]
fn status_in_every_form() {
    let status = |line: &str| expect(line).status.unwrap().value;
    assert!(matches!(status("status: 200"), StatusExpect::Code(200)));
    assert!(matches!(status("status: [200, 201]"), StatusExpect::AnyOf(ref c) if c == &[200, 201]));
    assert!(matches!(status("status: \"2xx\""), StatusExpect::Class(2)));
    assert!(
        matches!(status("status: { ge: 200, lt: 300 }"), StatusExpect::Matches(Matcher::All(ref p)) if p.len() == 2)
    );
}

#[test]
fn a_mapping_is_a_predicate_only_when_every_key_is_a_predicate_word() {
    let e = expect(
        "json:\n  $.a: { eq: 1, type: integer }\n  $.b: { eq: 1, other: 2 }\n  $.c: {}\n  $.d: 5",
    );
    assert!(matches!(e.json[0].matcher.value, Matcher::All(ref p) if p.len() == 2));
    assert!(
        matches!(e.json[1].matcher.value, Matcher::Equals(Value::Object(ref o)) if o.len() == 2)
    );
    assert!(
        matches!(e.json[2].matcher.value, Matcher::Equals(Value::Object(ref o)) if o.is_empty())
    );
    assert!(matches!(
        e.json[3].matcher.value,
        Matcher::Equals(Value::Number(_))
    ));
}

#[test]
fn every_predicate_word_reads() {
    let e = expect(
        "body: { eq: a, ne: b, lt: c, le: d, gt: e, ge: f, contains: g, not_contains: h, starts_with: i, ends_with: j, matches: \"^k\", one_of: [l], type: string, length: { gt: 1 }, exists: true, not: { eq: m } }",
    );
    let Matcher::All(predicates) = &e.body.unwrap().value else {
        panic!()
    };
    assert_eq!(predicates.len(), Predicate::WORDS.len());
}

#[test]
fn the_other_expect_keys() {
    let e = expect(
        "ok: true\nheaders: { content-type: { contains: json }, x-gone: null }\nbytes: { length: 3, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, equals_file: b.bin }\nschema: { type: object }\ncookies: { sid: { exists: true } }\nduration: { lt: 1.5s }\nredirects: 2\nurl: { ends_with: /get }",
    );
    assert!(e.ok.unwrap().value);
    assert!(e.headers[1].matcher.is_none());
    assert!(e.bytes.unwrap().sha256.is_some());
    assert!(matches!(e.schema.unwrap().value, SchemaSource::Inline(_)));
    assert_eq!(e.cookies.len(), 1);
    let Matcher::All(p) = &e.duration.unwrap().value else {
        panic!()
    };
    assert!(matches!(&p[0].value, Predicate::Lt(Value::Number(n)) if n.as_f64() == Some(1500.0)));
    assert!(e.redirects.is_some() && e.url.is_some());
    assert!(matches!(
        expect("schema: schemas/user.json").schema.unwrap().value,
        SchemaSource::File(_)
    ));
}

#[test]
fn every_capture_source() {
    let s = load(
        "steps:\n  - request: { url: /x }\n    capture:\n      a: $.id\n      b: { json: $.x }\n      c: { header: X-T }\n      d: { cookie: sid }\n      e: { status: true }\n      f: { url: true }\n      g: { body: true }\n      h: { regex: \"id=(\\\\d+)\" }\n      i: { regex: \"\\\\d+\", group: 0 }\n      j: { duration: true }\n",
    );
    let sources: Vec<&CaptureSource> = s.steps[0].capture.iter().map(|c| &c.source).collect();
    assert!(matches!(sources[0], CaptureSource::Json(_)));
    assert!(matches!(sources[1], CaptureSource::Json(_)));
    assert!(matches!(sources[2], CaptureSource::Header(_)));
    assert!(matches!(sources[3], CaptureSource::Cookie(_)));
    assert!(matches!(sources[4], CaptureSource::Status));
    assert!(matches!(sources[5], CaptureSource::Url));
    assert!(matches!(sources[6], CaptureSource::Body));
    assert!(matches!(sources[7], CaptureSource::Regex { group: 1, .. }));
    assert!(matches!(sources[8], CaptureSource::Regex { group: 0, .. }));
    assert!(matches!(sources[9], CaptureSource::Duration));
}

#[test]
fn poll_skip_and_continue() {
    let s = load(
        "steps:\n  - request: { url: /x }\n    poll: { every: 250ms, max: 4 }\n    skip: not today\n    continue_on_failure: true\n  - request: { url: /y }\n    skip: true\n",
    );
    let poll = s.steps[0].poll.as_ref().unwrap();
    assert_eq!((poll.every, poll.max), (Duration::from_millis(250), 4));
    assert_eq!(s.steps[0].skip.as_deref(), Some("not today"));
    assert!(s.steps[0].continue_on_failure);
    assert_eq!(s.steps[1].skip.as_deref(), Some(""));
}

#[test]
fn several_problems_in_one_file_are_all_reported_in_line_order() {
    let found = errors(
        "steps:\n  - request: { url: /x, timeout: soon }\n    expcet: {}\n  - request: { method: \"A B\", url: /y }\n",
    );
    assert_eq!(
        found,
        [
            "t.yaml:2:34: `soon` is not a duration (like 500ms, 2s, 1m)",
            "t.yaml:3:5: unknown key `expcet` in a step",
            "t.yaml:4:24: `A B` is not an HTTP method",
        ]
    );
}

#[test]
fn wrong_types_name_what_was_expected() {
    assert_eq!(
        errors("steps: 5"),
        ["t.yaml:1:8: expected a list of steps, found an integer"]
    );
    assert_eq!(
        errors("steps:\n  - request: { url: /x, allow_redirects: maybe }\n"),
        ["t.yaml:2:42: expected `true` or `false`, found a string"]
    );
    assert_eq!(
        errors(""),
        ["t.yaml:1:1: the scenario is empty: it needs `steps`"]
    );
    assert_eq!(
        errors("- a\n- b\n")[0],
        "t.yaml:1:1: expected a mapping (the scenario), found a list"
    );
}

#[test]
fn hostile_yaml_is_refused_without_hanging() {
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nsteps: [*g]\n";
    let source = SourceFile::new("t.yaml", laughs);
    assert!(yaml::load(&source).is_err());
    let deep = format!("steps: {}{}", "[".repeat(5000), "]".repeat(5000));
    let source = SourceFile::new("t.yaml", deep);
    assert!(yaml::load(&source).is_err());
}
