//! A server that misbehaves (the embedded server's `/fault/…` endpoints) fails the one
//! step that met it, with one plain sentence, and the run goes on (SPEC §9).
//!
//! Each test runs the real binary on a scenario of three steps: a normal one, the fault
//! (with `continue_on_failure: true`), and another normal one. It must exit 1 with exactly
//! that step failed, in bounded time, with no panic, backtrace or `Debug` dump anywhere:
//! not on the console, not in the JSON or `JUnit` report.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// No run here may take longer: a stuck client is a bug, not a slow test.
const LIMIT: Duration = Duration::from_secs(30);

struct Run {
    status: Option<i32>,
    /// Standard output and standard error, one after the other.
    output: String,
    json: Value,
    junit: String,
    elapsed: Duration,
}

/// Runs `sonde run` with `args` in `dir`, killing it after `limit`.
fn run_bounded(dir: &Path, args: &[&str], limit: Duration) -> (Option<i32>, String, Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sonde"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sonde binary starts");
    let reader = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = reader(Box::new(child.stdout.take().unwrap()));
    let stderr = reader(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting on sonde") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "sonde {args:?} did not finish within {limit:?}; output so far:\n{}\n{}",
                stdout.join().unwrap_or_default(),
                stderr.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let output = format!(
        "{}{}",
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default()
    );
    (status.code(), output, elapsed)
}

/// Three steps around `request`/`expect` of the fault step, run with `args` added.
fn run_fault(request: &str, expect: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers: {httpbin: builtin}\n",
    )
    .unwrap();
    let scenario = format!(
        r#"name: faults
session:
  base_url: "{{{{ httpbin }}}}"
steps:
  - name: before
    request: {{ url: /get }}
    expect: {{ status: 200 }}
  - name: fault
    continue_on_failure: true
    request: {request}
    expect: {expect}
  - name: after
    request: {{ url: /anything/after }}
    expect:
      status: 200
      json: {{ $.url: {{ ends_with: /anything/after }} }}
"#
    );
    std::fs::write(dir.path().join("faults.yaml"), scenario).unwrap();
    let mut all = vec![
        "run",
        "--no-progress",
        "--color",
        "never",
        "--json",
        "report.json",
        "--junit",
        "junit.xml",
    ];
    all.extend_from_slice(args);
    all.push("faults.yaml");
    let (status, output, elapsed) = run_bounded(dir.path(), &all, LIMIT);
    let json = std::fs::read_to_string(dir.path().join("report.json"))
        .map_or(Value::Null, |text| {
            serde_json::from_str(&text).expect("the JSON report is JSON")
        });
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap_or_default();
    Run {
        status,
        output,
        json,
        junit,
        elapsed,
    }
}

/// No panic, backtrace or `Debug` rendering of an error or a struct.
fn assert_plain(text: &str, what: &str) {
    for bad in [
        "panicked",
        "RUST_BACKTRACE",
        "stack backtrace",
        "{ ",
        "Custom {",
        "Os {",
        "kind: ",
        "hyper::Error(",
        "reqwest::Error",
        "Some(",
        "Err(",
    ] {
        assert!(!text.contains(bad), "{what} contains `{bad}`:\n{text}");
    }
}

/// The steps of the only file of the JSON report: `(name, outcome, messages)`.
fn steps(json: &Value) -> Vec<(String, String, String)> {
    json["files"][0]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps in the JSON report: {json}"))
        .iter()
        .map(|step| {
            (
                step["name"].as_str().unwrap_or_default().to_owned(),
                step["outcome"].as_str().unwrap_or_default().to_owned(),
                format!("{}{}", step["errors"], step["assertions"]),
            )
        })
        .collect()
}

/// Exit 1, the fault step alone failed with a message containing `needle`, plainly.
fn assert_one_plain_failure(run: &Run, needle: &str) {
    let output = &run.output;
    assert_eq!(run.status, Some(1), "exit status; output:\n{output}");
    assert!(
        output.contains("2 passed, 1 failed, 0 skipped"),
        "not exactly one failed step:\n{output}"
    );
    assert!(
        output.contains("✗ faults › fault (faults.yaml:8)"),
        "the fault step is not the failed one:\n{output}"
    );
    assert!(
        !output.contains("› before") && !output.contains("› after"),
        "{output}"
    );
    assert!(
        output.contains(needle),
        "the console does not say `{needle}`:\n{output}"
    );
    assert_plain(output, "the console output");

    let steps = steps(&run.json);
    let outcomes: Vec<(&str, &str)> = steps
        .iter()
        .map(|(name, outcome, _)| (name.as_str(), outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("before", "passed"),
            ("fault", "failed"),
            ("after", "passed")
        ]
    );
    let messages = &steps[1].2;
    assert!(
        messages.contains(needle),
        "the JSON report does not say `{needle}`: {messages}"
    );
    assert_plain(messages, "the JSON report's messages");

    assert!(run.junit.contains(r#"failures="1""#), "{}", run.junit);
    assert!(
        run.junit.contains(&xml_escape(needle)),
        "the JUnit report does not say `{needle}`:\n{}",
        run.junit
    );
    assert_plain(&run.junit, "the JUnit report");
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn a_reset_before_the_response_fails_the_step() {
    let run = run_fault("{ url: /fault/reset }", "{ status: 200 }", &[]);
    assert_one_plain_failure(&run, "connection reset by 127.0.0.1:");
}

#[test]
fn a_reset_during_the_body_fails_the_step() {
    let run = run_fault("{ url: /fault/reset-body }", "{ status: 200 }", &[]);
    assert_one_plain_failure(&run, "connection reset by 127.0.0.1:");
}

#[test]
fn a_body_shorter_than_its_content_length_fails_the_step() {
    let run = run_fault("{ url: /fault/truncated }", "{ status: 200 }", &[]);
    assert_one_plain_failure(&run, "was cut short or malformed");
}

#[test]
fn a_malformed_chunked_body_fails_the_step() {
    let run = run_fault("{ url: /fault/bad-chunked }", "{ status: 200 }", &[]);
    assert_one_plain_failure(&run, "was cut short or malformed");
}

#[test]
fn headers_that_never_end_hit_the_read_timeout() {
    let run = run_fault(
        "{ url: /fault/stall-headers, timeout: { read: 1s } }",
        "{ status: 200 }",
        &[],
    );
    assert_one_plain_failure(&run, "sent nothing for 1s (read timeout)");
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
}

#[test]
fn a_total_timeout_also_ends_headers_that_never_end() {
    let run = run_fault(
        "{ url: /fault/stall-headers, timeout: 1s }",
        "{ status: 200 }",
        &[],
    );
    assert_one_plain_failure(&run, "took longer than its timeout of 1s");
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
}

#[test]
fn a_body_that_is_not_json_fails_a_json_check_plainly() {
    let run = run_fault(
        "{ url: /fault/bad-json }",
        "{ status: 200, json: { $.id: 1 } }",
        &[],
    );
    assert_one_plain_failure(&run, "the body is not JSON");
}

#[test]
fn a_body_that_is_not_utf8_fails_a_text_check_plainly() {
    // The text sonde compares has U+FFFD where the bytes were invalid.
    let run = run_fault(
        "{ url: /fault/bad-utf8 }",
        r#"{ status: 200, body: { starts_with: "café" } }"#,
        &[],
    );
    assert_one_plain_failure(&run, "a string starting with");
}

#[test]
fn terminal_escapes_in_a_body_are_not_sent_to_the_terminal() {
    // "line one\nline ESC[2J two\nthree\n": a screen-clearing sequence in a diffed body.
    let run = run_fault(
        "{ url: /base64/bGluZSBvbmUKbGluZSAbWzJKIHR3bwp0aHJlZQo= }",
        r#"{ status: 200, body: "line one\nline 2\nthree\n" }"#,
        &["--verbose"],
    );
    assert!(run.output.contains("+line ␛[2J two"), "{}", run.output);
    assert!(!run.output.contains('\u{1b}'), "{}", run.output);
}

#[test]
fn a_body_that_is_not_utf8_is_reported_as_such() {
    let run = run_fault(
        "{ url: /fault/bad-utf8 }",
        "{ status: 200, body: { contains: end } }",
        &[],
    );
    assert_one_plain_failure(&run, "UTF-8");
}

#[test]
fn a_huge_body_is_capped_by_max_body_and_fails_fast() {
    // 10 GiB: reading it all would take far longer than the limit below.
    let run = run_fault(
        "{ url: /fault/huge, params: { size: 10737418240 } }",
        "{ status: 200 }",
        &["--max-body", "1MiB"],
    );
    assert_one_plain_failure(
        &run,
        "the response body is larger than the limit of 1048576 bytes",
    );
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
}

#[test]
fn a_huge_body_saved_to_a_file_is_streamed_past_max_body() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("huge.bin");
    let run = run_fault(
        &format!(
            "{{ url: /fault/huge, params: {{ size: 52428800 }}, save_body: {:?} }}",
            target.display().to_string()
        ),
        "{ status: 200, bytes: { length: 52428800 } }",
        &["--max-body", "1MiB"],
    );
    assert_eq!(run.status, Some(0), "{}", run.output);
    assert!(
        run.output.contains("3 passed, 0 failed, 0 skipped"),
        "{}",
        run.output
    );
    assert_plain(&run.output, "the console output");
    assert_eq!(std::fs::metadata(&target).unwrap().len(), 52_428_800);
}

#[test]
fn a_redirect_loop_stops_at_max_redirects() {
    let run = run_fault(
        "{ url: /fault/loop, max_redirects: 3 }",
        "{ status: 200 }",
        &[],
    );
    assert_one_plain_failure(&run, "stopped after 3 redirects (max_redirects)");
}

#[test]
fn a_redirect_loop_stops_at_the_default_of_10() {
    let run = run_fault("{ url: /fault/loop }", "{ status: 200 }", &[]);
    assert_one_plain_failure(&run, "stopped after 10 redirects (max_redirects)");
}

#[test]
fn a_gzip_bomb_is_capped_by_max_body_on_its_decompressed_size() {
    // About 1 MB on the wire, 1 GiB inflated: the 2 MiB cap is only passed after inflating.
    let run = run_fault(
        "{ url: /fault/gzip-bomb }",
        "{ status: 200 }",
        &["--max-body", "2MiB"],
    );
    assert_one_plain_failure(
        &run,
        "the response body is larger than the limit of 2097152 bytes",
    );
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
}

#[test]
fn a_gzip_bomb_is_capped_by_the_default_max_body() {
    let run = run_fault("{ url: /fault/gzip-bomb }", "{ status: 200 }", &[]);
    assert_one_plain_failure(
        &run,
        "the response body is larger than the limit of 67108864 bytes",
    );
}

#[test]
fn https_to_a_plain_http_port_fails_the_tls_handshake() {
    let run = run_fault(
        r#"{ url: "{{ httpbin | replace('http://', 'https://') }}/get" }"#,
        "{ status: 200 }",
        &[],
    );
    assert_one_plain_failure(&run, "TLS handshake with 127.0.0.1:");
}

#[test]
fn a_refused_connection_fails_the_step() {
    // A port that was free a moment ago: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = run_fault(
        &format!("{{ url: \"http://127.0.0.1:{port}/get\" }}"),
        "{ status: 200 }",
        &[],
    );
    assert_one_plain_failure(&run, &format!("connection refused by 127.0.0.1:{port}"));
}

#[test]
fn raw_faults_are_one_redirect_away() {
    let run = run_fault(
        "{ url: /fault/reset, allow_redirects: false }",
        "{ status: 307, headers: { location: { matches: '^http://127\\.0\\.0\\.1:[0-9]+/fault/reset$' } } }",
        &[],
    );
    // The redirect itself is fine: every step passes.
    assert_eq!(run.status, Some(0), "{}", run.output);
    assert!(
        run.output.contains("3 passed, 0 failed, 0 skipped"),
        "{}",
        run.output
    );
}

/// A FIFO in a temporary folder (`mkfifo`), or `None` where there is no `mkfifo`.
fn fifo() -> Option<(tempfile::TempDir, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&path).status();
    made.is_ok_and(|s| s.success())
        .then(|| (dir, path.display().to_string()))
}

#[test]
fn a_fifo_as_a_body_fails_its_step_instead_of_hanging_the_run() {
    let Some((_dir, pipe)) = fifo() else {
        eprintln!("skipped: no mkfifo");
        return;
    };
    let run = run_fault(
        &format!("{{ url: /post, method: POST, data: {{ file: \"{pipe}\" }} }}"),
        "{ status: 200 }",
        &[],
    );
    assert_one_plain_failure(&run, "it is a FIFO (named pipe), not a regular file");
}

#[test]
fn a_fifo_as_save_body_fails_its_step_instead_of_hanging_the_run() {
    let Some((_dir, pipe)) = fifo() else {
        eprintln!("skipped: no mkfifo");
        return;
    };
    let run = run_fault(
        &format!("{{ url: /bytes/16, save_body: \"{pipe}\" }}"),
        "{ status: 200 }",
        &[],
    );
    assert_one_plain_failure(&run, "it is a FIFO (named pipe), not a regular file");
}

#[test]
fn file_of_a_device_or_a_fifo_fails_its_step_plainly() {
    let run = run_fault(
        "{ url: /post, method: POST, data: \"{{ file('/dev/zero') }}\" }",
        "{ status: 200 }",
        &[],
    );
    // The failure quotes the template (`{{ … }}`), so not `assert_one_plain_failure`.
    assert_eq!(run.status, Some(1), "{}", run.output);
    assert!(
        run.output.contains("2 passed, 1 failed, 0 skipped"),
        "{}",
        run.output
    );
    assert!(
        run.output.contains(
            "file(\"/dev/zero\"): cannot read /dev/zero: it is a device, not a regular file"
        ),
        "{}",
        run.output
    );
}

#[test]
fn a_redirect_to_another_scheme_fails_plainly_never_sent_as_http() {
    let run = run_fault(
        "{ url: /redirect-to, params: { url: \"gopher://127.0.0.1:1/x\" } }",
        "{ status: 200 }",
        &[],
    );
    assert_one_plain_failure(
        &run,
        "redirect to gopher://127.0.0.1:1/x: only http and https are followed",
    );
}

#[test]
fn a_step_url_of_another_scheme_fails_plainly() {
    // Written as they are, `file://` and `ftp://` URLs are refused when the file is read; made
    // by a template, they are known only when the step runs.
    for (url, said) in [
        ("data:text/plain,hello", "`data:text/plain,hello`"),
        (
            "{{ 'file:///etc/' ~ 'hostname' }}",
            "`file:///etc/hostname`",
        ),
        ("{{ 'ftp://127.0.0.1:1/' ~ 'x' }}", "`ftp://127.0.0.1:1/x`"),
    ] {
        let run = run_fault(&format!("{{ url: \"{url}\" }}"), "{ status: 200 }", &[]);
        assert_one_plain_failure(&run, &format!("{said}: only http and https URLs are sent"));
    }
}
