//! `sonde run` through the real binary against the embedded server: exit statuses, the
//! console's closing lines, `JUnit` validity, the JSON report's shape, selection, shards,
//! fail-fast and secrets.

use std::path::{Path, PathBuf};

use crate::support::{project, sonde, xmllint};

const PASSING: &str = "steps:\n  - name: ok\n    request: { url: \"{{ httpbin }}/get\" }\n    expect: { status: 200 }\n";
const FAILING: &str = "steps:\n  - name: wrong status\n    request: { url: \"{{ httpbin }}/status/404\" }\n    expect: { status: 200 }\n  - name: never sent\n    request: { url: \"{{ httpbin }}/get\" }\n";

fn last_line(text: &str) -> &str {
    text.trim_end().lines().last().unwrap_or("")
}

#[test]
fn the_examples_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = sonde(["run", "examples/", "--no-progress"])
        .current_dir(root)
        .run()
        .expect_status(0);
    assert!(
        last_line(&out.stdout).ends_with(" passed, 0 failed, 0 skipped"),
        "{}",
        out.stdout
    );
}

#[test]
fn exit_0_when_every_step_passes_and_the_last_line_is_the_summary() {
    let dir = project(&[("a.yaml", PASSING), ("b.yaml", PASSING)]);
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert_eq!(last_line(&out.stdout), "2 passed, 0 failed, 0 skipped");
    assert!(
        out.stdout.contains("files: 2 passed, 0 failed;"),
        "{}",
        out.stdout
    );
}

#[test]
fn exit_1_when_a_step_fails_and_the_rest_of_its_file_is_skipped() {
    let dir = project(&[("a.yaml", PASSING), ("b.yaml", FAILING)]);
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    assert_eq!(last_line(&out.stdout), "1 passed, 1 failed, 1 skipped");
    assert!(
        out.stdout.contains("✗ b › wrong status (./b.yaml:2)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("expected: 200"), "{}", out.stdout);
    assert!(
        out.stdout.contains("actual:   404 Not Found"),
        "{}",
        out.stdout
    );
}

#[test]
fn exit_2_when_a_file_is_invalid_and_the_others_still_run() {
    let dir = project(&[
        ("a.yaml", PASSING),
        ("bad.yaml", "steps:\n  - expcet: {}\n"),
    ]);
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    assert!(out.stdout.contains("bad.yaml:2:5"), "{}", out.stdout);
    assert_eq!(last_line(&out.stdout), "1 passed, 0 failed, 0 skipped");
}

#[test]
fn an_unreachable_server_fails_one_step_with_a_plain_sentence() {
    let dir = project(&[(
        "a.yaml",
        "steps:\n  - request: { url: \"http://127.0.0.1:1/x\" }\n    continue_on_failure: true\n  - request: { url: \"{{ httpbin }}/get\" }\n",
    )]);
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    assert!(
        out.stdout.contains("connection refused by 127.0.0.1:1"),
        "{}",
        out.stdout
    );
    assert_eq!(last_line(&out.stdout), "1 passed, 1 failed, 0 skipped");
}

#[test]
fn every_failed_assertion_of_a_step_is_shown_with_a_diff_for_documents() {
    let dir = project(&[(
        "a.yaml",
        "steps:\n  - request: { url: \"{{ httpbin }}/json\" }\n    expect:\n      status: 201\n      headers: { content-type: text/html }\n      json:\n        $.slideshow.slides[0]: { title: Wake up to WonderWidgets!, type: news }\n",
    )]);
    let out = sonde(["run", ".", "--color", "never"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    assert_eq!(out.stdout.matches("expected:").count(), 3, "{}", out.stdout);
    assert!(
        out.stdout.contains("-  \"type\": \"news\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("+  \"type\": \"all\""),
        "{}",
        out.stdout
    );
}

#[test]
fn junit_is_valid_against_the_common_xsd_and_lists_every_step() {
    let dir = project(&[
        ("a.yaml", PASSING),
        ("b.yaml", FAILING),
        (
            "c.yaml",
            "steps:\n  - request: { url: /x }\n    skip: not today\n",
        ),
    ]);
    sonde(["run", ".", "--junit", "out/junit.xml"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    let xml = std::fs::read_to_string(dir.path().join("out/junit.xml")).unwrap();
    assert_eq!(xml.matches("<testsuite ").count(), 3, "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 4, "{xml}");
    assert!(xml.contains("file=\"./b.yaml\""), "{xml}");
    assert!(
        xml.contains("<skipped message=\"after failure of step &quot;wrong status&quot;\""),
        "{xml}"
    );
    assert!(xml.contains("<skipped message=\"not today\""), "{xml}");
    assert!(xml.contains("<system-out>"), "{xml}");
    xmllint(&dir.path().join("out/junit.xml"));
}

#[test]
fn the_json_report_satisfies_its_schema() {
    let dir = project(&[("a.yaml", PASSING), ("b.yaml", FAILING)]);
    sonde(["run", ".", "--json", "run.json"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&sonde::report::json::schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(report["summary"]["steps_failed"], 1);
    assert_eq!(report["files"][1]["steps"][0]["exchange"]["status"], 404);
    assert_eq!(
        report["files"][1]["steps"][0]["assertions"][0]["assertion"],
        "status"
    );
}

#[test]
fn tags_and_filter_select_steps_and_files() {
    let tagged =
        "tags: [smoke]\nsteps:\n  - name: first\n    request: { url: \"{{ httpbin }}/get\" }\n";
    let stepped = "steps:\n  - name: login\n    tags: [smoke]\n    request: { url: \"{{ httpbin }}/get\" }\n  - name: search\n    request: { url: \"{{ httpbin }}/get\" }\n";
    let dir = project(&[("a.yaml", tagged), ("b.yaml", stepped), ("c.yaml", PASSING)]);
    let out = sonde(["run", ".", "--tag", "smoke"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert_eq!(last_line(&out.stdout), "2 passed, 0 failed, 1 skipped");
    let out = sonde(["run", ".", "--filter", "search"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert_eq!(last_line(&out.stdout), "1 passed, 0 failed, 1 skipped");
    let out = sonde(["run", ".", "--skip-tag", "smoke"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert_eq!(last_line(&out.stdout), "2 passed, 0 failed, 1 skipped");
}

#[test]
fn shards_are_disjoint_cover_everything_and_merge_into_a_valid_report() {
    let files: Vec<(String, &str)> = (0..7).map(|i| (format!("f{i}.yaml"), PASSING)).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let dir = project(&refs);
    let mut suites: Vec<String> = Vec::new();
    let mut reports: Vec<PathBuf> = Vec::new();
    for i in 1..=3 {
        let report = dir.path().join(format!("shard{i}.xml"));
        sonde([
            "run",
            ".",
            "--shard",
            &format!("{i}/3"),
            "--junit",
            report.to_str().unwrap(),
        ])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
        let xml = std::fs::read_to_string(&report).unwrap();
        suites.extend(
            xml.split("<testsuite name=\"")
                .skip(1)
                .map(|s| s.split('"').next().unwrap().to_string()),
        );
        reports.push(report);
    }
    suites.sort();
    let expected: Vec<String> = (0..7).map(|i| format!("f{i}")).collect();
    assert_eq!(suites, expected, "shards overlap or miss files");
    let merged = dir.path().join("merged.xml");
    let mut args = vec![
        "merge-junit".to_string(),
        "-o".into(),
        merged.display().to_string(),
    ];
    args.extend(reports.iter().map(|r| r.display().to_string()));
    sonde(&args).run().expect_status(0);
    let xml = std::fs::read_to_string(&merged).unwrap();
    assert_eq!(xml.matches("<testsuite ").count(), 7, "{xml}");
    xmllint(&merged);
    sonde(["run", ".", "--shard", "4/3"])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
}

#[test]
fn fail_fast_stops_starting_files_and_still_writes_the_report() {
    let files: Vec<(String, &str)> = (0..30)
        .map(|i| (format!("f{i:02}.yaml"), FAILING))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let dir = project(&refs);
    let out = sonde(["run", ".", "--fail-fast", "--jobs", "1", "--junit", "j.xml"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    let xml = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    let suites = xml.matches("<testsuite ").count();
    assert!(suites < 30, "{}", out.stdout);
    xmllint(&dir.path().join("j.xml"));
}

#[test]
fn secrets_never_appear_in_any_output() {
    let scenario = "vars:\n  password: hunter2-secret\nsteps:\n  - name: leaks everywhere\n    request:\n      url: \"{{ httpbin }}/anything/{{ token }}?key={{ token }}\"\n      headers: { X-Api-Key: \"{{ token }}\" }\n      auth: [alice, \"{{ password }}\"]\n    expect:\n      status: 500\n      json:\n        $.headers.X-Api-Key: wrong\n";
    let dir = project(&[("a.yaml", scenario)]);
    let out = sonde([
        "run",
        ".",
        "--secret",
        "token=tok-987-secret",
        "--verbose",
        "--junit",
        "j.xml",
        "--json",
        "r.json",
    ])
    .current_dir(dir.path())
    .run()
    .expect_status(1);
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    let json = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    let basic = "YWxpY2U6aHVudGVyMi1zZWNyZXQ="; // base64 of alice:hunter2-secret
    for (name, text) in [
        ("stdout", &out.stdout),
        ("stderr", &out.stderr),
        ("junit", &junit),
        ("json", &json),
    ] {
        for secret in ["tok-987-secret", "hunter2-secret", basic] {
            assert!(!text.contains(secret), "{secret} leaked in {name}:\n{text}");
        }
    }
    assert!(out.stdout.contains("***"), "{}", out.stdout);
}

#[test]
fn a_missing_path_and_a_bad_flag_exit_2() {
    let dir = project(&[("a.yaml", PASSING)]);
    let out = sonde(["run", "nope.yaml", "a.yaml"])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    assert!(
        out.stderr.contains("nope.yaml: no such file or directory"),
        "{}",
        out.stderr
    );
    sonde(["run", "--max-body", "lots"])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    sonde(["run", "--jobs", "many"])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
}

#[test]
fn http_files_run_like_yaml() {
    let http = "@host = {{ httpbin }}\n\n### get\nGET {{host}}/get?x=1\nAccept: application/json\n\n?? status == 200\n?? js response.parsedBody.args.x == \"1\"\n\n### post\nPOST {{host}}/post\nContent-Type: application/json\n\n{\"a\": 1}\n\n?? js response.parsedBody.json.a == 1\n";
    let dir = project(&[("api.http", http)]);
    let out = sonde(["run", "."]).current_dir(dir.path()).run();
    assert_eq!(
        last_line(&out.stdout),
        "2 passed, 0 failed, 0 skipped",
        "{}\n{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn no_cookie_jar_requests_neither_send_nor_keep_cookies() {
    let http = "### set\nGET {{httpbin}}/cookies/set?a=1\n\n### detached\n# @no-cookie-jar\nGET {{httpbin}}/cookies\n\n?? js response.parsedBody.cookies == {}\n\n### attached\nGET {{httpbin}}/cookies\n\n?? js response.parsedBody.cookies.a == \"1\"\n";
    let dir = project(&[("c.http", http)]);
    let out = sonde(["run", "."]).current_dir(dir.path()).run();
    assert_eq!(
        last_line(&out.stdout),
        "3 passed, 0 failed, 0 skipped",
        "{}\n{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn turning_tls_verification_off_is_said() {
    let dir = project(&[(
        "a.yaml",
        "session: { verify: false }\nsteps:\n  - request: { url: \"{{ httpbin }}/get\" }\n",
    )]);
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert!(
        out.stdout
            .contains("warning: ./a.yaml:1: TLS certificates are not verified (verify: false)"),
        "{}",
        out.stdout
    );
}

#[test]
fn scripts_that_cannot_run_are_reported_never_passed_silently() {
    let http = "### get\nGET {{httpbin}}/get\n\n> {%\n  client.test(\"ok\", () => {});\n%}\n";
    let dir = project(&[("s.http", http)]);
    let out = sonde(["run", ".", "--junit", "j.xml"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert!(
        out.stdout.contains("warning:") && out.stdout.contains("line 4"),
        "{}",
        out.stdout
    );
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    assert!(junit.contains("<system-err>warning:"), "{junit}");
    xmllint(&dir.path().join("j.xml"));
}

#[test]
fn command_servers_are_stopped_when_a_run_fails() {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is needed for this test"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers:\n  api:\n    command: python3 -m http.server {{ port }} --bind 127.0.0.1\n    ready: \"{{ url }}/\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "steps:\n  - request: { url: \"{{ api }}/nope\" }\n    expect: { status: 200 }\n",
    )
    .unwrap();
    let out = sonde(["run", ".", "--verbose"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    let url = out
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("> GET "))
        .expect("the request is shown")
        .to_string();
    let port: u16 = url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the server on {port} is still up"
    );
}

#[test]
fn a_server_that_never_gets_ready_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers:\n  api:\n    command: sh -c 'echo booting; echo failed to bind >&2; sleep 30'\n    ready: \"{{ url }}/health\"\n    timeout: 1s\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.yaml"), PASSING).unwrap();
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    assert!(out.stderr.contains("server `api`"), "{}", out.stderr);
    assert!(
        out.stderr.contains("did not answer 2xx within 1s"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("failed to bind"), "{}", out.stderr);
}

#[test]
fn an_undefined_variable_is_invalid_input_before_anything_is_sent() {
    let dir = project(&[(
        "a.yaml",
        "steps:\n  - request: { url: \"{{ httpbin }}/get?x={{ nope }}\" }\n",
    )]);
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    assert!(
        out.stdout.contains("undefined variable `nope`"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("a.yaml:2:"), "{}", out.stdout);
}

#[test]
fn deeply_nested_documents_do_not_overflow_the_workers() {
    let deep = format!(
        "steps:\n  - request: {{ url: \"{{{{ httpbin }}}}/post\", method: POST, json: {}1{} }}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let dir = project(&[("deep.yaml", &deep)]);
    let out = sonde(["run", "."]).current_dir(dir.path()).run();
    assert!(
        out.status == 0 || out.status == 2,
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    assert!(!out.stderr.contains("overflow"), "{}", out.stderr);
}

#[test]
fn a_run_that_selects_no_step_exits_4_unless_told_otherwise() {
    let dir = project(&[("a.yaml", PASSING)]);
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    for args in [
        vec!["run", "empty"],
        vec!["run", ".", "--filter", "nomatch"],
        vec!["run", ".", "--tag", "nosuchtag"],
    ] {
        let out = sonde(args.clone())
            .current_dir(dir.path())
            .run()
            .expect_status(4);
        assert!(
            out.stderr.contains("error: no step was selected to run"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let warned = sonde(["run", "empty", "--no-tests", "warn"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert!(
        warned
            .stderr
            .contains("warning: no step was selected to run"),
        "{}",
        warned.stderr
    );
    let passed = sonde(["run", "empty", "--no-tests", "pass"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert!(!passed.stderr.contains("no step"), "{}", passed.stderr);
    // A file whose only step is skipped on purpose was selected: not an empty run.
    let skipped = project(&[(
        "s.yaml",
        "steps:\n  - request: { url: \"{{ httpbin }}/get\" }\n    skip: later\n",
    )]);
    sonde(["run", "."])
        .current_dir(skipped.path())
        .run()
        .expect_status(0);
}

#[test]
fn each_file_takes_its_nearest_config() {
    // Two suites, each with its own sonde.yaml: its own server and its own vars.
    let dir = tempfile::tempdir().unwrap();
    for (suite, greeting) in [("a", "hello"), ("b/deep", "bonjour")] {
        let folder = dir.path().join(suite);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("sonde.yaml"),
            format!("servers: {{ httpbin: builtin }}\nvars: {{ greeting: {greeting} }}\n"),
        )
        .unwrap();
    }
    let check = |greeting: &str| {
        format!(
            "steps:\n  - request: {{ url: \"{{{{ httpbin }}}}/anything/{{{{ greeting }}}}\" }}\n    expect: {{ json: {{ $.url: {{ ends_with: /{greeting} }} }} }}\n"
        )
    };
    std::fs::write(dir.path().join("a/one.yaml"), check("hello")).unwrap();
    std::fs::create_dir_all(dir.path().join("b/deep/more")).unwrap();
    std::fs::write(dir.path().join("b/deep/more/two.yaml"), check("bonjour")).unwrap();
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert_eq!(last_line(&out.stdout), "2 passed, 0 failed, 0 skipped");
    let valid = sonde(["validate", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert!(valid.stderr.contains("2 files valid"), "{}", valid.stderr);
    // `--config` stands for every file: the other suite's variable is then unknown.
    sonde(["validate", ".", "--config", "a/sonde.yaml"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    std::fs::write(
        dir.path().join("b/deep/sonde.yaml"),
        "vars: { other: x }\nservers: { httpbin: builtin }\n",
    )
    .unwrap();
    let invalid = sonde(["validate", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    assert!(invalid.stderr.contains("greeting"), "{}", invalid.stderr);
}

#[test]
fn a_scenario_that_cannot_be_read_is_an_error_never_left_out() {
    let dir = project(&[("a.yaml", PASSING), ("real/b.yaml", PASSING)]);
    // A broken link where a scenario stands, and a link to a real one.
    std::os::unix::fs::symlink("gone.yaml", dir.path().join("broken.yaml")).unwrap();
    std::os::unix::fs::symlink("real/b.yaml", dir.path().join("linked.yaml")).unwrap();
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    assert!(
        out.stderr
            .contains("broken.yaml: cannot be read: No such file or directory"),
        "{}",
        out.stderr
    );
    // The others still ran, the linked one included.
    assert_eq!(last_line(&out.stdout), "3 passed, 0 failed, 0 skipped");
    let valid = sonde(["validate", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    assert!(
        valid.stderr.contains("3 files valid, 1 file invalid"),
        "{}",
        valid.stderr
    );
}

#[test]
fn values_of_the_private_environment_are_secrets() {
    let dir = project(&[
        (
            "api.http",
            "GET {{httpbin}}/anything?token={{token}}&user={{user}}\nX-Token: {{token}}\n",
        ),
        ("http-client.env.json", r#"{"dev": {"user": "ada"}}"#),
        (
            "http-client.private.env.json",
            r#"{"dev": {"token": "tok-priv-4242"}}"#,
        ),
    ]);
    let out = sonde([
        "run",
        ".",
        "--env",
        "dev",
        "--verbose",
        "--json",
        "r.json",
        "--junit",
        "j.xml",
    ])
    .current_dir(dir.path())
    .run()
    .expect_status(0);
    let json = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    for (what, text) in [
        ("stdout", &out.stdout),
        ("stderr", &out.stderr),
        ("json", &json),
        ("junit", &junit),
    ] {
        assert!(!text.contains("tok-priv-4242"), "{what}: {text}");
    }
    // The public environment is not secret, and the request did carry the token.
    assert!(out.stdout.contains("user=ada"), "{}", out.stdout);
    assert!(json.contains("token=***"), "{json}");
    let curl = sonde(["curl", "api.http", "--env", "dev", "--show-secrets"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert!(!curl.stdout.contains("tok-priv-4242"), "{}", curl.stdout);
}
