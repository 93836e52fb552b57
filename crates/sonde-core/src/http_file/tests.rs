//! The loader as a whole: `.http` text in, model out.

use super::*;
use crate::model::{CaptureSource, Data, Matcher, Predicate, Setting, StatusExpect, Text};

fn load_str(text: &str) -> HttpScenario {
    let source = SourceFile::new("t.http", text);
    match load(&source) {
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

fn errors_of(text: &str) -> Vec<String> {
    let source = SourceFile::new("t.http", text);
    match load(&source) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|d| format!("{} {}", d.location(), d.message))
            .collect(),
    }
}

fn raw_body(step: &Step) -> &Text {
    match &step.request.data {
        Some(Data::Raw(text)) => text,
        other => panic!("expected a raw body, found {other:?}"),
    }
}

fn header<'s>(step: &'s Step, name: &str) -> Option<&'s str> {
    step.request
        .settings
        .headers
        .0
        .iter()
        .find(|(n, _)| n.value.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| match v {
            Some(Value::String(t)) => Some(t.source.as_str()),
            _ => None,
        })
}

#[test]
fn one_step_per_request_with_spans() {
    let s = load_str("GET http://a/1\n\n###\n\nPOST http://a/2\n").scenario;
    assert_eq!(s.steps.len(), 2);
    assert_eq!(s.steps[1].span, Span::new(5, 1));
    assert_eq!(s.steps[1].request.method.value, "POST");
    assert_eq!(s.steps[1].name, "POST http://a/2");
    assert_eq!(s.name, "t");
}

#[test]
fn names_come_from_directives_then_titles() {
    let s = load_str("### Title one\n# @name first\nGET http://a\n### Title two\nGET http://b\n###\nGET http://c\n").scenario;
    let names: Vec<&str> = s.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["first", "Title two", "GET http://c"]);
}

#[test]
fn file_variables_keep_order_and_escapes() {
    let s = load_str("@a = 1\n@b = {{a}}\\n2\nGET http://x/{{b}}\n").scenario;
    let vars: Vec<(&str, &str)> = s
        .vars
        .0
        .iter()
        .map(|(n, v)| match v {
            Value::String(t) => (n.value.as_str(), t.source.as_str()),
            _ => panic!(),
        })
        .collect();
    assert_eq!(vars, vec![("a", "1"), ("b", "{{ a }}\n2")]);
}

#[test]
fn a_redefined_variable_applies_from_its_block_on() {
    let s = load_str("@t = one\nGET http://x/{{t}}\n###\n@t = two\nGET http://x/{{t}}\n###\nGET http://x/{{t}}\n").scenario;
    assert_eq!(s.vars.0.len(), 1);
    assert!(s.steps[0].vars.0.is_empty());
    for step in &s.steps[1..] {
        let (name, value) = &step.vars.0[0];
        assert_eq!(name.value, "t");
        assert!(matches!(value, Value::String(t) if t.source == "two"));
    }
}

#[test]
fn variables_that_use_responses_go_on_the_steps_that_use_them() {
    let text = "@token = {{login.response.body.token}}\n@auth = Bearer {{token}}\n# @name login\nPOST http://x/login\n###\nGET http://x/me\nAuthorization: {{auth}}\n";
    let s = load_str(text).scenario;
    assert!(s.vars.0.is_empty(), "{:?}", s.vars);
    let step_vars: Vec<&str> = s.steps[1]
        .vars
        .0
        .iter()
        .map(|(n, _)| n.value.as_str())
        .collect();
    assert_eq!(step_vars, vec!["token", "auth"]);
    assert_eq!(s.steps[0].capture[0].name.value, "login__body__token");
    let errors = crate::analysis::check_variables(&s, &std::collections::BTreeSet::default());
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_variable_using_a_later_response_is_reported_where_used() {
    let text = "@token = {{login.response.body.token}}\nGET http://x/{{token}}\n###\n# @name login\nPOST http://x/login\n";
    assert_eq!(
        errors_of(text),
        vec!["t.http:1:2 `token` uses the response of `login` too early"]
    );
}

#[test]
fn translated_templates_render() {
    let text = "@Catalog.API_HostAddress = http://localhost:5222\nGET {{Catalog.API_HostAddress}}/items?id={{$randomInt 5 6}}\n";
    let s = load_str(text).scenario;
    let url = &s.steps[0].request.url;
    let env = crate::template::environment();
    let out = env
        .render_str(
            &url.source,
            minijinja::context! { Catalog__API_HostAddress => "http://localhost:5222" },
        )
        .unwrap();
    assert_eq!(out, "http://localhost:5222/items?id=5");
}

#[test]
fn origin_form_targets_join_the_host_header() {
    let s = load_str("GET /a?b=1 HTTP/1.1\nHost: example.com:443\nAccept: */*\n").scenario;
    assert_eq!(
        s.steps[0].request.url.source,
        "https://example.com:443/a?b=1"
    );
    assert_eq!(header(&s.steps[0], "host"), None);
    assert_eq!(header(&s.steps[0], "accept"), Some("*/*"));
    let s = load_str("GET /a\n").scenario;
    assert_eq!(s.steps[0].request.url.source, "/a");
}

#[test]
fn basic_and_digest_shorthands_become_auth() {
    let s = load_str("GET http://x\nAuthorization: Basic user:{{pass}}\n###\nGET http://x\nAuthorization: Digest u p\n###\nGET http://x\nAuthorization: Basic dXNlcjpw\n").scenario;
    assert!(
        matches!(&s.steps[0].request.settings.auth, Setting::Set(Auth::Basic { user, password }) if user.source == "user" && password.source == "{{ pass }}")
    );
    assert!(matches!(
        &s.steps[1].request.settings.auth,
        Setting::Set(Auth::Digest { .. })
    ));
    assert_eq!(header(&s.steps[2], "authorization"), Some("Basic dXNlcjpw"));
    assert!(header(&s.steps[0], "authorization").is_none());
}

use crate::model::Auth;

#[test]
fn content_length_is_left_to_sonde() {
    let s = load_str("POST http://x\nContent-Length: 3\n\nabc\n").scenario;
    assert_eq!(header(&s.steps[0], "content-length"), None);
    assert_eq!(raw_body(&s.steps[0]).source, "abc");
}

#[test]
fn ndjson_bodies_end_with_a_newline() {
    let s =
        load_str("POST http://x\nContent-Type: application/x-ndjson\n\n{\"a\":1}\n{\"a\":{{n}}}\n")
            .scenario;
    let body = raw_body(&s.steps[0]);
    let out = crate::template::environment()
        .render_str(&body.source, minijinja::context! { n => 2 })
        .unwrap();
    assert_eq!(out, "{\"a\":1}\n{\"a\":2}\n");
}

#[test]
fn several_assertions_on_one_subject_all_hold() {
    let s = load_str(
        "GET http://x\n?? status >= 200\n?? status < 300\n?? body contains a\n?? body contains b\n",
    )
    .scenario;
    let e = &s.steps[0].expect;
    match &e.status.as_ref().unwrap().value {
        StatusExpect::Matches(Matcher::All(p)) => assert_eq!(p.len(), 2),
        other => panic!("{other:?}"),
    }
    assert!(matches!(&e.body.as_ref().unwrap().value, Matcher::All(p) if p.len() == 2));
    let s = load_str("GET http://x\n?? status == 201\n?? status != 500\n").scenario;
    match &s.steps[0].expect.status.as_ref().unwrap().value {
        StatusExpect::Matches(Matcher::All(p)) => {
            assert!(
                matches!(&p[0].value, Predicate::Eq(Value::Number(n)) if n.as_u64() == Some(201))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn scripts_are_reported_and_global_sets_become_captures() {
    let text = "POST http://x/login\n\nuser=a\n\n> {% client.global.set(\"token\", response.body.trim()) %}\n\n###\nGET http://x/me\nAuthorization: Bearer {{token}}\n";
    let h = load_str(text);
    assert_eq!(h.skipped.len(), 1);
    assert_eq!(h.skipped[0].step, 0);
    assert_eq!(h.skipped[0].span, Span::new(5, 1));
    assert!(
        h.skipped[0].what.contains("`token` became captures"),
        "{}",
        h.skipped[0].what
    );
    assert!(matches!(
        h.scenario.steps[0].capture[0].source,
        CaptureSource::Regex { group: 1, .. }
    ));
    assert_eq!(raw_body(&h.scenario.steps[0]).source, "user=a");
}

#[test]
fn directives_before_the_first_request_apply_to_all() {
    let h = load_str(
        "# @no-redirect\n# @no-cookie-jar\n# @timeout 2 s\n###\nGET http://a\n###\nGET http://b\n",
    );
    assert_eq!(h.scenario.session.allow_redirects, Some(false));
    assert_eq!(
        h.scenario.session.timeout.unwrap().read,
        Some(std::time::Duration::from_secs(2))
    );
    assert_eq!(h.no_cookie_jar, vec![0, 1]);
}

#[test]
fn things_outside_requests_are_reported_on_the_next_one() {
    let h = load_str("GET http://a\n###\n?? status == 200\n# @name lost\n###\nGET http://b\n");
    let steps: Vec<usize> = h.skipped.iter().map(|s| s.step).collect();
    assert_eq!(steps, vec![1, 1]);
}

#[test]
fn disabled_requests_are_skipped() {
    let s = load_str("# @disabled\nGET http://a\n").scenario;
    assert!(s.steps[0].skip.is_some());
}

#[test]
fn unescapes_like_the_rest_client() {
    assert_eq!(unescape_value(r"a\nb\tc\\d\e"), "a\nb\tc\\d\\e");
    assert_eq!(unescape_value("trailing\\"), "trailing\\");
}

#[test]
fn request_names_must_be_unique_words() {
    assert_eq!(
        errors_of("# @name a\nGET http://x\n###\n# @name a\nGET http://y\n"),
        vec!["t.http:4:9 the request name `a` is already used on line 1"]
    );
    assert_eq!(
        errors_of("# @name\nGET http://x\n"),
        vec!["t.http:1:4 `# @name` needs a name, like `# @name login`"]
    );
}

#[test]
fn clashing_variable_names_are_reported() {
    assert_eq!(
        errors_of("@a.b = 1\n@a-b = 2\nGET http://x\n"),
        vec!["t.http:2:2 the variables `a.b` and `a-b` clash"]
    );
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let errors = errors_of("GET http://x/{{\n###\nnot a request\n###\nGET http://x\nBad header\n");
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn never_panics_on_odd_input() {
    let inputs = [
        "",
        "###",
        "###\n###\n####",
        "{{",
        "}}",
        "{{}}",
        "\u{0}\u{1}\u{fffd}\u{7f}",
        "GET",
        "GET ",
        "GET {{",
        "@",
        "@=",
        "@a=",
        "# @",
        "??",
        "?? js",
        "?? header",
        "> {%",
        "< {%",
        "<",
        ">",
        ">>",
        "\r\n\r\n",
        "GET http://x\n\n<",
        "GET http://x\n\n<@ /nonexistent/file",
        "POST http://x\nContent-Type: multipart/form-data; boundary=b\n\n--b\n--b--",
        "GET http://[::1\n",
        "GET http://x\n?? status == \"{{\"",
        "GET http://x\n?? duration < soon",
        "GET /x\nHost: {{h}}\n",
        "GET http://x\nAuthorization: Basic {{",
        "é GET ü",
        "GET http://x\n\n{{$dotenv A}}",
    ];
    for input in inputs {
        let source = SourceFile::new("/nonexistent/t.http", input);
        let _ = load(&source);
    }
    let junk: String = (0u8..=255).map(char::from).cycle().take(3000).collect();
    let _ = load(&SourceFile::new("t.http", junk));
}

#[test]
fn never_panics_on_random_fragments() {
    use rand::{Rng, SeedableRng};
    const FRAGMENTS: [&str; 48] = [
        "GET ",
        "POST ",
        "http://x",
        "/",
        "{{",
        "}}",
        "{{$guid}}",
        "{{$randomInt 1 ",
        "é",
        "ü",
        " ",
        ":",
        "\n",
        "\n\n",
        "###",
        "# @name a",
        "# @timeout ",
        "@a = ",
        "@a.b = ",
        "?? ",
        "status ",
        "== ",
        "js response.parsedBody",
        ".x",
        "[0]",
        "> {%",
        "%}",
        "< ",
        "<@ ",
        "--b",
        "--b--",
        "Content-Type: multipart/form-data; boundary=b",
        "Content-Disposition: form-data; name=\"f\"",
        "Authorization: Basic ",
        "Host: ",
        "\t",
        "&",
        "?",
        "'",
        "\"",
        "a.response.body.",
        "a.response.headers.",
        "{%",
        "{#",
        "#",
        "X-Request-Type: GraphQL",
        "\r",
        "\u{0}",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..3000 {
        let len = rng.random_range(0..40);
        let text: String = (0..len)
            .map(|_| FRAGMENTS[rng.random_range(0..FRAGMENTS.len())])
            .collect();
        let source = SourceFile::new("/nonexistent/t.http", text);
        let _ = load(&source);
    }
}
