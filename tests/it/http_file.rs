//! `.http` / `.rest` files read into the scenario model: one test per feature, no network.

use std::collections::BTreeSet;
use std::path::Path;

use sonde_core::http_file::{self, HttpScenario};
use sonde_core::model::{
    Auth, CaptureSource, Data, FileContent, Matcher, Pattern, Predicate, Setting, StatusExpect,
    Step, Text, TextKind, Value,
};
use sonde_core::{SourceFile, Span, analysis};

// ---- helpers ------------------------------------------------------------------------------

fn parse(text: &str) -> HttpScenario {
    parse_at("t.http", text)
}

fn parse_at(path: impl AsRef<Path>, text: &str) -> HttpScenario {
    let source = SourceFile::new(path.as_ref(), text);
    http_file::load(&source).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors.iter().map(ToString::to_string).collect::<String>()
        )
    })
}

/// `file:line:col message` of each problem.
fn errors(text: &str) -> Vec<String> {
    let source = SourceFile::new("t.http", text);
    match http_file::load(&source) {
        Ok(_) => panic!("expected errors"),
        Err(errors) => errors
            .iter()
            .map(|d| format!("{} {}", d.location(), d.message))
            .collect(),
    }
}

/// A public `.http` file of `../shared/fixtures/http` (beside the clone, as CI has it; never
/// copied into the repository). `None`, said, where it is not there (a user's fresh clone).
fn fixture(name: &str) -> Option<HttpScenario> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/http")
        .join(name);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipped: {} is not here (../shared is not beside this clone)",
            path.display()
        );
        return None;
    };
    Some(parse_at(&path, &text))
}

fn step(text: &str) -> Step {
    parse(text).scenario.steps.remove(0)
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

fn body(step: &Step) -> &str {
    match &step.request.data {
        Some(Data::Raw(text)) => &text.source,
        other => panic!("expected a raw body, found {other:?}"),
    }
}

fn render(text: &Text, context: minijinja::Value) -> String {
    sonde_core::template::environment()
        .render_str(&text.source, context)
        .unwrap()
}

fn string(value: &Value) -> &str {
    match value {
        Value::String(t) => &t.source,
        other => panic!("expected a string, found {other:?}"),
    }
}

fn urls(h: &HttpScenario) -> Vec<&str> {
    h.scenario
        .steps
        .iter()
        .map(|s| s.request.url.source.as_str())
        .collect()
}

// ---- the fixtures -------------------------------------------------------------------------

#[test]
fn fixture_eshop_catalog_api() {
    let Some(h) = fixture("eShop-Catalog.API.http") else {
        return;
    };
    let s = &h.scenario;
    assert_eq!(s.steps.len(), 6);
    let methods: Vec<&str> = s
        .steps
        .iter()
        .map(|s| s.request.method.value.as_str())
        .collect();
    assert_eq!(methods, vec!["GET", "GET", "GET", "GET", "GET", "PUT"]);
    assert_eq!(
        urls(&h)[0],
        "{{ Catalog__API_HostAddress }}/openapi/v1.json"
    );
    assert_eq!(
        urls(&h)[5],
        "{{ Catalog__API_HostAddress }}/api/catalog/items?api-version={{ ApiVersion }}"
    );
    assert_eq!(
        s.steps[0].name,
        "GET {{Catalog.API_HostAddress}}/openapi/v1.json"
    );
    let vars: Vec<(&str, &str)> = s
        .vars
        .0
        .iter()
        .map(|(n, v)| (n.value.as_str(), string(v)))
        .collect();
    assert_eq!(
        vars,
        vec![
            ("Catalog__API_HostAddress", "http://localhost:5222"),
            ("ApiVersion", "1.0")
        ]
    );
    let put = &s.steps[5];
    assert_eq!(header(put, "content-type"), Some("application/json"));
    let json: serde_json::Value = serde_json::from_str(body(put)).unwrap();
    assert_eq!(json["id"], 999);
    assert_eq!(json["catalogBrandId"], 2);
    assert!(analysis::check_variables(s, &BTreeSet::default()).is_empty());
    let url = render(
        &s.steps[1].request.url,
        minijinja::context! { Catalog__API_HostAddress => "http://localhost:5222", ApiVersion => "1.0" },
    );
    assert_eq!(
        url,
        "http://localhost:5222/api/catalog/items?api-version=1.0"
    );
    assert!(h.skipped.is_empty());
}

#[test]
fn fixture_hyades_apiserver_requests() {
    let Some(h) = fixture("hyades-apiserver-requests.http") else {
        return;
    };
    let s = &h.scenario;
    let names: Vec<&str> = s.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Change Admin Password",
            "Login as Admin",
            "Delete Project",
            "Create Project",
            "Get Project",
            "Upload BOM",
            "Check BOM Upload Token Status",
            "Get Project Findings"
        ]
    );
    let methods: Vec<&str> = s
        .steps
        .iter()
        .map(|s| s.request.method.value.as_str())
        .collect();
    assert_eq!(
        methods,
        vec!["POST", "POST", "DELETE", "PUT", "GET", "POST", "GET", "GET"]
    );
    assert_eq!(
        urls(&h)[0],
        "http://localhost:8080/api/v1/user/forceChangePassword"
    );
    assert_eq!(
        urls(&h)[2],
        "http://localhost:8080/api/v1/project/{{ projectUUID }}"
    );
    assert_eq!(header(&s.steps[0], "host"), None);
    assert_eq!(
        body(&s.steps[1]),
        "username=admin&password={{ adminPassword }}"
    );
    assert_eq!(
        header(&s.steps[2], "authorization"),
        Some("Bearer {{ bearerToken }}")
    );
    // The scripts are reported, their `client.global.set` kept as captures.
    let skipped: Vec<(usize, u32)> = h.skipped.iter().map(|k| (k.step, k.span.line)).collect();
    assert_eq!(skipped, vec![(1, 17), (3, 38), (4, 46), (5, 72)]);
    assert_eq!(s.steps[1].capture[0].name.value, "bearerToken");
    assert!(
        matches!(&s.steps[3].capture[0].source, CaptureSource::Json(p) if p.source.value == "$.uuid")
    );
    // The hand-written multipart body: a file part and two fields.
    let upload = &s.steps[5];
    assert_eq!(
        header(upload, "content-type"),
        None,
        "sonde makes the boundary"
    );
    assert_eq!(upload.request.files.len(), 1);
    let part = &upload.request.files[0];
    assert_eq!(part.field.value, "bom");
    match &part.content {
        FileContent::File { path, filename, .. } => {
            assert_eq!(path.source, "src/test/resources/bom-1.xml");
            assert_eq!(filename.as_ref().unwrap().source, "bom.xml");
        }
        other @ FileContent::Inline(_) => panic!("{other:?}"),
    }
    match &upload.request.data {
        Some(Data::Form(fields)) => {
            let fields: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (string(k), string(v))).collect();
            assert_eq!(
                fields,
                vec![
                    ("projectName", "{{ projectName }}"),
                    ("projectVersion", "{{ projectVersion }}")
                ]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn fixture_rest_client_query_method_examples() {
    let Some(h) = fixture("vscode-restclient-query-method-examples.http") else {
        return;
    };
    let s = &h.scenario;
    assert_eq!(s.steps.len(), 7);
    let methods: Vec<&str> = s
        .steps
        .iter()
        .map(|s| s.request.method.value.as_str())
        .collect();
    assert_eq!(
        methods,
        vec!["QUERY", "QUERY", "QUERY", "QUERY", "QUERY", "QUERY", "POST"]
    );
    assert!(
        urls(&h)
            .iter()
            .all(|u| *u == "https://httpbin.org/anything")
    );
    assert_eq!(s.steps[0].name, "QUERY with JSON body");
    assert_eq!(
        s.steps[6].name,
        "Using POST (not safe, potentially not idempotent)"
    );
    assert!(body(&s.steps[1]).starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<query>"));
    assert_eq!(body(&s.steps[2]), "search=keyword&category=all&page=1");
    assert_eq!(header(&s.steps[3], "accept"), Some("application/json"));
    assert_eq!(
        header(&s.steps[4], "authorization"),
        Some("Bearer {{ token }}")
    );
    assert_eq!(s.vars.0[0].0.value, "token");
    let json: serde_json::Value = serde_json::from_str(body(&s.steps[0])).unwrap();
    assert_eq!(json["pagination"]["limit"], 10);
    assert!(analysis::check_variables(s, &BTreeSet::default()).is_empty());
}

// ---- blocks, names, comments --------------------------------------------------------------

#[test]
fn separators_split_requests_and_title_them() {
    let h =
        parse("GET http://a\n### second\nGET http://b\n#############\n#### fourth\nGET http://d\n");
    let names: Vec<&str> = h.scenario.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["GET http://a", "second", "fourth"]);
}

#[test]
fn name_directives_win_over_titles() {
    let h = parse("### Log in\n# @name login\nPOST http://a\n###\n// @name me\nGET http://b\n");
    let names: Vec<&str> = h.scenario.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["login", "me"]);
}

#[test]
fn comments_stand_anywhere() {
    let s = step(
        "# before\n// before\nPOST http://a\n# among headers\nX-A: 1\n\n{\n  // in the body\n  \"a\": 1\n}\n# after\n",
    );
    assert_eq!(header(&s, "x-a"), Some("1"));
    assert_eq!(body(&s), "{\n  \"a\": 1\n}");
}

// ---- variables ----------------------------------------------------------------------------

#[test]
fn file_variables_with_dots_resolve() {
    let h = parse(
        "@Catalog.API_HostAddress = http://h:1\n@base = {{Catalog.API_HostAddress}}/api\nGET {{ base }}/x\n",
    );
    let s = &h.scenario;
    assert_eq!(s.vars.0[0].0.value, "Catalog__API_HostAddress");
    assert_eq!(string(&s.vars.0[1].1), "{{ Catalog__API_HostAddress }}/api");
    assert!(analysis::check_variables(s, &BTreeSet::default()).is_empty());
}

#[test]
fn variables_defined_inside_a_block() {
    let h =
        parse("GET http://a\n###\n@token = abc\nGET http://b\nAuthorization: Bearer {{token}}\n");
    assert_eq!(h.scenario.vars.0[0].0.value, "token");
    assert_eq!(
        header(&h.scenario.steps[1], "authorization"),
        Some("Bearer {{ token }}")
    );
}

#[test]
fn spaced_and_unspaced_references_are_templates() {
    let s = step("GET http://a/{{x}}/{{ y }}\n");
    assert_eq!(s.request.url.source, "http://a/{{ x }}/{{ y }}");
    assert_eq!(s.request.url.kind, TextKind::Template);
}

#[test]
fn system_variables_become_template_functions() {
    let s = step(
        "POST http://a\n\n{{$guid}} {{$uuid}} {{$timestamp}} {{$isoTimestamp}} {{$randomInt 1 10}} {{$datetime iso8601}} {{$processEnv HOME}}\n",
    );
    assert_eq!(
        body(&s),
        "{{ uuid() }} {{ uuid() }} {{ timestamp() }} {{ now() }} {{ random_int(1, 9) }} {{ now() }} {{ env.HOME }}"
    );
}

#[test]
fn dotenv_values_are_read_when_the_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "API_KEY=s3cret\n").unwrap();
    let h = parse_at(
        dir.path().join("t.http"),
        "GET http://a\nX-Key: {{$dotenv API_KEY}}\n",
    );
    assert_eq!(
        header(&h.scenario.steps[0], "x-key"),
        Some("{{ dotenv__API_KEY }}")
    );
    let (name, value) = &h.scenario.vars.0[0];
    assert_eq!(
        (name.value.as_str(), string(value)),
        ("dotenv__API_KEY", "s3cret")
    );
}

#[test]
fn a_missing_dotenv_value_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let source = SourceFile::new(dir.path().join("t.http"), "GET http://a/{{$dotenv A}}\n");
    let errors = http_file::load(&source).unwrap_err();
    assert!(errors[0].message.contains("there is no"), "{}", errors[0]);
    assert_eq!(errors[0].span, Span::new(1, 14));
}

#[test]
fn response_references_become_captures() {
    let h = parse(
        "# @name login\nPOST http://a/login\n\n###\nGET http://a/{{login.response.body.$.id}}/{{login.response.body.user.name}}\nX-Token: {{login.response.headers.X-Token}}\n",
    );
    let s = &h.scenario;
    assert_eq!(
        s.steps[1].request.url.source,
        "http://a/{{ login__body__id }}/{{ login__body__user_name }}"
    );
    assert_eq!(
        header(&s.steps[1], "x-token"),
        Some("{{ login__headers__X_Token }}")
    );
    let captures: Vec<&str> = s.steps[0]
        .capture
        .iter()
        .map(|c| c.name.value.as_str())
        .collect();
    assert_eq!(
        captures,
        vec![
            "login__body__id",
            "login__body__user_name",
            "login__headers__X_Token"
        ]
    );
    assert!(
        matches!(&s.steps[0].capture[1].source, CaptureSource::Json(p) if p.source.value == "$.user.name")
    );
    assert!(analysis::check_variables(s, &BTreeSet::default()).is_empty());
}

#[test]
fn references_to_unknown_or_later_requests_are_errors() {
    assert_eq!(
        errors("# @name a\nGET http://a\n###\nGET http://b/{{b.response.body.x}}\n"),
        vec!["t.http:4:14 `{{b.response.body.x}}` refers to an unknown request `b`"]
    );
    let later = errors("GET http://a/{{b.response.body.x}}\n###\n# @name b\nGET http://b\n");
    assert!(
        later[0].contains("which is sent after this one"),
        "{later:?}"
    );
}

// ---- request lines ------------------------------------------------------------------------

#[test]
fn request_line_forms() {
    let h = parse(
        "GET http://a/1\n###\nhttp://a/2\n###\nGET http://a/3 HTTP/1.1\n###\ndelete http://a/4 HTTP/2\n###\nexample.com/5\n",
    );
    assert_eq!(
        urls(&h),
        vec![
            "http://a/1",
            "http://a/2",
            "http://a/3",
            "http://a/4",
            "http://example.com/5"
        ]
    );
    let methods: Vec<&str> = h
        .scenario
        .steps
        .iter()
        .map(|s| s.request.method.value.as_str())
        .collect();
    assert_eq!(methods, vec!["GET", "GET", "GET", "DELETE", "GET"]);
}

#[test]
fn any_method_token() {
    assert_eq!(step("PURGE http://a\n").request.method.value, "PURGE");
    assert_eq!(step("QUERY http://a\n").request.method.value, "QUERY");
}

#[test]
fn origin_form_targets_use_the_host_header() {
    assert_eq!(
        step("GET /x HTTP/1.1\nHost: example.com\n")
            .request
            .url
            .source,
        "http://example.com/x"
    );
    assert_eq!(
        step("GET /x\nHost: example.com:443\n").request.url.source,
        "https://example.com:443/x"
    );
    assert_eq!(
        step("GET /x\nHost: {{host}}\n").request.url.source,
        "http://{{ host }}/x"
    );
}

#[test]
fn query_continuation_lines() {
    let s =
        step("GET http://a/search\n    ?q=rust\n    &page=2\n&per_page=5 HTTP/1.1\nAccept: */*\n");
    assert_eq!(
        s.request.url.source,
        "http://a/search?q=rust&page=2&per_page=5"
    );
    assert_eq!(header(&s, "accept"), Some("*/*"));
}

// ---- headers and bodies -------------------------------------------------------------------

#[test]
fn headers_end_at_the_first_blank_line_and_bodies_are_trimmed() {
    let s = step("POST http://a\nA: 1\nB:2\n\nline: not a header\n\nlast\n\n\n\n###\n");
    assert_eq!(s.request.settings.headers.0.len(), 2);
    assert_eq!(body(&s), "line: not a header\n\nlast");
}

#[test]
fn file_bodies_are_read_at_run_time() {
    let s = step("POST http://a\nContent-Type: application/json\n\n< ./missing/payload.json\n");
    match &s.request.data {
        Some(Data::File(path)) => assert_eq!(path.source, "./missing/payload.json"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn variable_file_bodies_are_templates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("body.json"),
        "{\"id\": \"{{$guid}}\", \"n\": {{n}}}\n",
    )
    .unwrap();
    let h = parse_at(
        dir.path().join("t.http"),
        "POST http://a\n\n<@ ./body.json\n",
    );
    assert_eq!(
        body(&h.scenario.steps[0]),
        "{\"id\": \"{{ uuid() }}\", \"n\": {{ n }}}"
    );
}

#[test]
fn json_bodies_stay_raw_text_with_the_content_type_written() {
    let s = step("POST http://a\nContent-Type: application/vnd.api+json\n\n{\"a\": {{n}}}\n");
    assert_eq!(body(&s), "{\"a\": {{ n }}}");
    assert!(s.request.json.is_none());
    assert_eq!(header(&s, "content-type"), Some("application/vnd.api+json"));
}

#[test]
fn urlencoded_lines_are_joined() {
    let s = step(
        "POST http://a\nContent-Type: application/x-www-form-urlencoded\n\nname=foo\n&password=bar\n&x={{y}}\n",
    );
    assert_eq!(body(&s), "name=foo&password=bar&x={{ y }}");
}

#[test]
fn multipart_bodies_with_file_parts_become_files_and_fields() {
    let s = step(
        "POST http://a\nContent-Type: multipart/form-data; boundary=XX\n\n--XX\nContent-Disposition: form-data; name=\"text\"\n\nhello\n--XX\nContent-Disposition: form-data; name=\"image\"; filename=\"1.png\"\nContent-Type: image/png\n\n< ./1.png\n--XX--\n",
    );
    assert_eq!(header(&s, "content-type"), None);
    match &s.request.files[0].content {
        FileContent::File {
            path, content_type, ..
        } => {
            assert_eq!(path.source, "./1.png");
            assert_eq!(content_type.as_ref().unwrap().source, "image/png");
        }
        other @ FileContent::Inline(_) => panic!("{other:?}"),
    }
    assert!(matches!(&s.request.data, Some(Data::Form(f)) if string(&f[0].1) == "hello"));
}

#[test]
fn other_multipart_bodies_stay_raw_with_files_inlined_at_run_time() {
    let s = step(
        "POST http://a\nContent-Type: multipart/form-data; boundary=XX\n\n--XX\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\n\ninline text\n< ./more.txt\n--XX--\n",
    );
    assert_eq!(
        header(&s, "content-type"),
        Some("multipart/form-data; boundary=XX")
    );
    assert_eq!(
        body(&s),
        "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\ninline text\r\n{{ file(\"./more.txt\") }}\r\n--XX--"
    );
}

#[test]
fn graphql_requests_become_json() {
    let s = step(
        "POST http://a/graphql\nX-Request-Type: GraphQL\nContent-Type: application/json\n\nquery ($id: ID!) {\n  user(id: $id) { name }\n}\n\n{\"id\": \"{{id}}\"}\n",
    );
    assert_eq!(header(&s, "x-request-type"), None);
    match s.request.json.as_ref().unwrap() {
        Value::Object(entries) => {
            assert_eq!(
                string(&entries[0].1),
                "query ($id: ID!) {\n  user(id: $id) { name }\n}"
            );
            assert!(matches!(&entries[1].1, Value::Object(v) if string(&v[0].1) == "{{ id }}"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn basic_auth_shorthand_becomes_auth() {
    let s = step("GET http://a\nAuthorization: Basic alice {{password}}\n");
    assert!(
        matches!(&s.request.settings.auth, Setting::Set(Auth::Basic { user, password }) if user.source == "alice" && password.source == "{{ password }}")
    );
}

// ---- assertions ---------------------------------------------------------------------------

#[test]
fn status_assertions() {
    let s = step("GET http://a\n?? status == 200\n");
    assert!(matches!(
        s.expect.status.unwrap().value,
        StatusExpect::Code(200)
    ));
    let s = step("GET http://a\n?? status < 400\n");
    assert!(
        matches!(s.expect.status.unwrap().value, StatusExpect::Matches(Matcher::All(p)) if matches!(p[0].value, Predicate::Lt(_)))
    );
}

#[test]
fn header_assertions() {
    let s = step(
        "GET http://a\n?? header content-type includes json\n?? header x-gone isFalse\n?? header etag exists\n",
    );
    let h = &s.expect.headers;
    assert_eq!(h[0].name.value, "content-type");
    assert!(
        matches!(&h[0].matcher.as_ref().unwrap().value, Matcher::All(p) if matches!(&p[0].value, Predicate::Contains(v) if string(v) == "json"))
    );
    assert!(
        h[1].matcher.is_none(),
        "isFalse on a header asserts its absence"
    );
    assert!(
        matches!(&h[2].matcher.as_ref().unwrap().value, Matcher::All(p) if matches!(p[0].value, Predicate::Exists(true)))
    );
}

#[test]
fn body_assertions_compare_text() {
    let s = step("GET http://a\n?? body contains 42\n");
    assert!(
        matches!(&s.expect.body.unwrap().value, Matcher::All(p) if matches!(&p[0].value, Predicate::Contains(v) if string(v) == "42"))
    );
}

#[test]
fn duration_assertions_are_milliseconds() {
    let s = step("GET http://a\n?? duration < 500\n?? duration <= 2s\n");
    let Matcher::All(p) = s.expect.duration.unwrap().value else {
        panic!()
    };
    assert!(matches!(&p[0].value, Predicate::Lt(Value::Number(n)) if n.as_u64() == Some(500)));
    assert!(matches!(&p[1].value, Predicate::Le(Value::Number(n)) if n.as_u64() == Some(2000)));
}

#[test]
fn js_assertions_on_the_parsed_body_are_json_paths() {
    let s = step(
        "GET http://a\n?? js response.parsedBody.a.b[0] == 1\n?? js response.parsedBody.items.length > 2\n?? js response.parsedBody.name == \"x y\"\n",
    );
    let json = &s.expect.json;
    assert_eq!(json[0].path.source.value, "$.a.b[0]");
    assert!(
        matches!(&json[0].matcher.value, Matcher::Equals(Value::Number(n)) if n.as_u64() == Some(1))
    );
    assert_eq!(json[1].path.source.value, "$.items");
    assert!(
        matches!(&json[1].matcher.value, Matcher::All(p) if matches!(&p[0].value, Predicate::Length(_)))
    );
    assert!(matches!(&json[2].matcher.value, Matcher::Equals(v) if string(v) == "x y"));
}

#[test]
fn every_operator_maps_to_a_predicate() {
    let cases = [
        ("!= 1", "Ne"),
        ("< 1", "Lt"),
        ("<= 1", "Le"),
        ("> 1", "Gt"),
        (">= 1", "Ge"),
        ("includes 1", "Contains"),
        ("contains 1", "Contains"),
        ("startsWith a", "StartsWith"),
        ("endsWith a", "EndsWith"),
        ("matches ^a+$", "Matches"),
        ("exists", "Exists"),
        ("isTrue", "Eq"),
        ("isFalse", "Eq"),
        ("isNumber", "Type"),
        ("isString", "Type"),
        ("isBoolean", "Type"),
        ("isArray", "Type"),
    ];
    for (assertion, variant) in cases {
        let s = step(&format!(
            "GET http://a\n?? js response.parsedBody.v {assertion}\n"
        ));
        let Matcher::All(p) = &s.expect.json[0].matcher.value else {
            panic!("{assertion}")
        };
        assert!(
            format!("{:?}", p[0].value).starts_with(variant),
            "{assertion}: {:?}",
            p[0].value
        );
    }
    let s = step("GET http://a\n?? js response.parsedBody.v matches ^a{{x}}$\n");
    assert!(
        matches!(&s.expect.json[0].matcher.value, Matcher::All(p) if matches!(&p[0].value, Predicate::Matches(Pattern::Template(_))))
    );
    let s = step("GET http://a\n?? js response.parsedBody.v equals true\n");
    assert!(matches!(
        &s.expect.json[0].matcher.value,
        Matcher::Equals(Value::Bool(true))
    ));
}

#[test]
fn assertions_that_cannot_be_checked_are_skipped_with_a_reason() {
    let h = parse(
        "GET http://a\n?? js response.parsedBody.items.map(i => i.id).includes(3) isTrue\n?? xpath /a/b == 1\n?? body sha256 abc=\n",
    );
    let what: Vec<&str> = h.skipped.iter().map(|k| k.what.as_str()).collect();
    assert_eq!(what.len(), 3);
    assert!(what[0].contains("runs no JavaScript"), "{}", what[0]);
    assert!(what[1].starts_with("`?? xpath"), "{}", what[1]);
    assert!(what[2].contains("sha256"), "{}", what[2]);
    assert_eq!(h.skipped[1].span.line, 3);
}

#[test]
fn malformed_assertions_are_errors() {
    assert_eq!(
        errors("GET http://a\n?? status\n"),
        vec!["t.http:2:4 expected an operator in `?? status`"]
    );
    assert_eq!(
        errors("GET http://a\n?? status === 200\n"),
        vec!["t.http:2:11 unknown operator `===`"]
    );
    assert_eq!(
        errors("GET http://a\n?? body contains\n"),
        vec!["t.http:2:9 `contains` needs a value"]
    );
    assert_eq!(
        errors("GET http://a\n?? body matches (\n"),
        vec!["t.http:2:17 invalid regular expression `(`"]
    );
}

// ---- what cannot run ----------------------------------------------------------------------

#[test]
fn scripts_handlers_and_redirections_are_reported() {
    let h = parse(
        "< {% request.variables.set('a', 1) %}\nGET http://a\n\n> {%\n  client.test('ok', function() {\n    client.assert(response.status === 200);\n  });\n%}\n> ./handler.js\n>> ./out.json\n>>! ./out.json\n",
    );
    let lines: Vec<u32> = h.skipped.iter().map(|k| k.span.line).collect();
    assert_eq!(lines, vec![1, 4, 9, 10, 11]);
    assert!(h.skipped[1].what.contains("response handler script"));
    assert!(h.skipped[2].what.contains("./handler.js"));
    assert!(h.skipped[3].what.contains(">> ./out.json"));
    assert!(h.scenario.steps[0].request.data.is_none());
}

#[test]
fn unknown_directives_are_reported() {
    let h = parse("# @loop for 3\n// @ref login\nGET http://a\n");
    let what: Vec<&str> = h.skipped.iter().map(|k| k.what.as_str()).collect();
    assert_eq!(
        what,
        vec![
            "`# @loop` is not supported: ignored",
            "`# @ref` is not supported: ignored"
        ]
    );
}

#[test]
fn no_redirect_no_cookie_jar_and_timeouts() {
    let h = parse(
        "GET http://a\n###\n# @no-redirect\n# @no-cookie-jar\n# @timeout 600\n# @connection-timeout 2 m\nGET http://b\n",
    );
    let s = &h.scenario.steps[1];
    assert_eq!(s.request.settings.allow_redirects, Some(false));
    let timeout = s.request.settings.timeout.unwrap();
    assert_eq!(timeout.read, Some(std::time::Duration::from_secs(600)));
    assert_eq!(timeout.connect, Some(std::time::Duration::from_secs(120)));
    assert_eq!(h.no_cookie_jar, vec![1]);
    assert_eq!(h.scenario.steps[0].request.settings.allow_redirects, None);
}

// ---- environments -------------------------------------------------------------------------

#[test]
fn jetbrains_environments_become_variables() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(http_file::PUBLIC_ENV_FILE),
        r#"{"$shared": {"version": "v1"}, "dev": {"host": "localhost:8080", "token": "public"}, "prod": {"host": "example.com"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join(http_file::PRIVATE_ENV_FILE),
        r#"{"dev": {"token": "private"}}"#,
    )
    .unwrap();
    let source = SourceFile::new(
        dir.path().join("t.http"),
        "GET http://{{host}}/{{version}}\nX-Token: {{token}}\n",
    );
    let h = http_file::load_with_env(&source, Some("dev")).unwrap();
    let vars: Vec<(&str, &str)> = h
        .scenario
        .vars
        .0
        .iter()
        .map(|(n, v)| (n.value.as_str(), string(v)))
        .collect();
    assert_eq!(
        vars,
        vec![
            ("version", "v1"),
            ("host", "localhost:8080"),
            ("token", "private")
        ]
    );
    assert!(analysis::check_variables(&h.scenario, &BTreeSet::default()).is_empty());

    let errors = http_file::load_with_env(&source, Some("staging")).unwrap_err();
    assert!(
        errors[0]
            .notes
            .iter()
            .any(|n| n.ends_with("known environments: dev, prod")),
        "{:?}",
        errors[0].notes
    );
}

// ---- diagnostics --------------------------------------------------------------------------

#[test]
fn malformed_input_is_reported_with_line_and_column() {
    assert_eq!(
        errors("@a = 1\n\nthis is not a request\n"),
        vec!["t.http:3:6 `is not a request` is not a request line"]
    );
    assert_eq!(
        errors("GET ftp://a\n"),
        vec!["t.http:1:5 `ftp://a` is not an http or https URL"]
    );
    assert_eq!(
        errors("POST http://a\nContent-Type: text/plain\noops\n"),
        vec!["t.http:3:1 `oops` is not a header"]
    );
    assert_eq!(
        errors("GET http://a/{{id\n"),
        vec!["t.http:1:14 unterminated `{{`: expected `}}` on the same line"]
    );
    assert_eq!(
        errors("GET http://a/{{ id + }}\n")[0],
        "t.http:1:14 invalid template `{{ id + }}`: unexpected end of input, expected expression"
    );
    assert_eq!(
        errors("GET http://a/{{$nope}}\n"),
        vec!["t.http:1:14 unknown system variable `$nope`"]
    );
}

#[test]
fn a_diagnostic_quotes_the_line() {
    let source = SourceFile::new("t.http", "POST http://a\nContent-Type: text/plain\noops\n");
    let text = http_file::load(&source).unwrap_err()[0].to_string();
    assert!(text.contains("--> t.http:3:1"), "{text}");
    assert!(text.contains("3 | oops"), "{text}");
}

#[test]
fn empty_and_junk_files_are_errors_not_panics() {
    assert_eq!(errors(""), vec!["t.http:1:1 this file has no request"]);
    assert_eq!(
        errors("###\n###\n# only comments\n"),
        vec!["t.http:1:1 this file has no request"]
    );
    assert!(!errors("{{").is_empty());
    let junk: String = (1u8..=255).map(char::from).collect();
    let source = SourceFile::new("t.http", junk);
    assert!(http_file::load(&source).is_err());
}
