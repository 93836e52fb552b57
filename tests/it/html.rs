//! The HTML report (`--html`): what the page holds (every file and step, failures with
//! expected and actual), that names and bodies stay text, that secrets never reach it, and,
//! where Chromium is installed, that a real browser draws it and its filter works.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{project_with, sonde};

const PASSING: &str = "name: all good\nsteps:\n  - name: passing step one\n    request: { url: \"{{ httpbin }}/get\" }\n    expect: { status: 200 }\n";
const FAILING: &str = "name: \"~checkout\"\nsteps:\n  - name: wrong status\n    request: { url: \"{{ httpbin }}/status/404\" }\n    expect: { status: 200 }\n  - name: never sent\n    request: { url: \"{{ httpbin }}/get\" }\n";
/// A name, a step name and a body with markup in them, and a secret in the URL and a header.
const HOSTILE: &str = "name: \"hostile <script>alert('file')</script>\"\nsteps:\n  - name: \"<script>alert('step')</script>\"\n    request:\n      method: POST\n      url: \"{{ httpbin }}/anything/{{ token }}\"\n      headers: { X-Api-Key: \"{{ token }}\" }\n      json: { html: \"<script>alert('body')</script>\", key: \"{{ token }}\" }\n    expect:\n      json:\n        $.json.html: plain\n";
const UNLOADABLE: &str = "steps:\n  - name: typo\n    reqest: { url: \"{{ httpbin }}/get\" }\n";
const SECRET: &str = "tok-987-secret";

fn mixed_project_with() -> tempfile::TempDir {
    project_with(
        "",
        &[
            ("a.yaml", PASSING),
            ("b.yaml", FAILING),
            ("c.yaml", HOSTILE),
            ("d-broken.yaml", UNLOADABLE),
        ],
    )
}

/// Runs the mixed project with `--html out/report.html`; the report's text.
fn mixed_report(dir: &Path) -> String {
    sonde([
        "run",
        ".",
        "--html",
        "out/report.html",
        "--secret",
        &format!("token={SECRET}"),
    ])
    .current_dir(dir)
    .run()
    .expect_status(2);
    std::fs::read_to_string(dir.join("out/report.html")).unwrap()
}

/// Replaces every reference `"~N"` by its string.
fn resolve(v: &mut Value, strings: &[String]) {
    match v {
        Value::String(s) if s.starts_with('~') => {
            let index = usize::from_str_radix(&s[1..], 36).unwrap();
            s.clone_from(&strings[index]);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(v, strings)),
        Value::Object(fields) => fields.values_mut().for_each(|v| resolve(v, strings)),
        _ => {}
    }
}

/// The page's data with every `"~N"` replaced by its string (src/report/html.rs).
fn data(page: &str) -> Value {
    let start = page
        .find("<script type=\"application/json\" id=\"sonde-data\">")
        .expect("the data element");
    let text = &page[start..];
    let text = &text[text.find('>').unwrap() + 1..text.find("</script>").unwrap()];
    let mut data: Value = serde_json::from_str(text).expect("the data is JSON");
    let strings: Vec<String> = serde_json::from_value(data["strings"].take()).unwrap();
    resolve(&mut data, &strings);
    data
}

#[test]
fn the_html_report_holds_every_file_step_and_failure() {
    let dir = mixed_project_with();
    let page = mixed_report(dir.path());
    let data = data(&page);
    let files = data["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "all good",
            "~checkout",
            "hostile <script>alert('file')</script>",
            "d-broken"
        ]
    );
    let steps: Vec<(&str, &str)> = files
        .iter()
        .flat_map(|f| f["steps"].as_array().into_iter().flatten())
        .map(|s| (s["name"].as_str().unwrap(), s["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("passing step one", "passed"),
            ("wrong status", "failed"),
            ("never sent", "skipped"),
            ("<script>alert('step')</script>", "failed"),
        ]
    );
    let failure = &files[1]["steps"][0]["assertions"][0];
    assert_eq!(failure["assertion"], "status");
    assert_eq!(failure["passed"], false);
    assert_eq!(failure["expected"], 200);
    assert_eq!(failure["actual"], 404);
    let error = files[3]["error"].as_str().unwrap();
    assert!(error.contains("unknown key `reqest`"), "{error}");
    // Passed steps carry their request and response too.
    let exchange = &files[0]["steps"][0]["exchange"];
    assert_eq!(exchange["method"], "GET");
    assert_eq!(exchange["status"], 200);
    assert!(
        exchange["response_body_preview"]
            .as_str()
            .unwrap()
            .contains("\"url\"")
    );
    assert_eq!(data["summary"]["steps_failed"], 2);
    assert_eq!(data["summary"]["steps_skipped"], 1);
    // One file, written whole: nothing left beside it, nothing fetched to open it.
    let written: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(written, ["report.html"]);
    for remote in ["<link", " src=", "@import", "url("] {
        assert!(!page.contains(remote), "the page loads something: {remote}");
    }
}

#[test]
fn markup_in_names_and_bodies_stays_text_and_secrets_never_appear() {
    let dir = mixed_project_with();
    let page = mixed_report(dir.path());
    // Two script elements, the data and the code: no name or body opens or closes one.
    assert_eq!(page.matches("<script").count(), 2, "{page}");
    assert_eq!(page.matches("</script>").count(), 2, "{page}");
    for raw in ["alert('file')", "alert('step')", "alert('body')"] {
        assert!(!page.contains(&format!("<script>{raw}")), "{raw} unescaped");
    }
    // …and yet they are all there, as data.
    let data = data(&page);
    let hostile = &data["files"][2];
    assert_eq!(
        hostile["steps"][0]["name"],
        "<script>alert('step')</script>"
    );
    let body = hostile["steps"][0]["exchange"]["response_body_preview"]
        .as_str()
        .unwrap();
    assert!(body.contains("<script>alert('body')</script>"), "{body}");
    let sent = hostile["steps"][0]["exchange"]["request_body_preview"]
        .as_str()
        .unwrap();
    assert!(sent.contains("<script>alert('body')</script>"), "{sent}");
    assert!(sent.contains("\"key\":\"***\""), "{sent}");
    let url = hostile["steps"][0]["exchange"]["url"].as_str().unwrap();
    assert!(url.ends_with("/anything/***"), "{url}");
    assert!(!page.contains(SECRET), "the secret leaked into the page");
    assert!(
        !data.to_string().contains(SECRET),
        "the secret leaked into the data"
    );
}

#[test]
fn the_config_can_ask_for_the_html_report() {
    let dir = project_with(
        "reports: { html: reports/run.html }\n",
        &[("a.yaml", PASSING)],
    );
    sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    let page = std::fs::read_to_string(dir.path().join("reports/run.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(data(&page)["files"][0]["name"], "all good");
}

/// Chromium, when this machine has it.
fn chromium() -> Option<PathBuf> {
    let fixed = Path::new("/usr/bin/chromium");
    if fixed.exists() {
        return Some(fixed.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|p| p.is_file())
    })
}

/// Headless Chromium on `url` with `args`, stopped after a minute; its standard output.
fn headless(chromium: &Path, profile: &Path, args: &[&str], url: &str) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
        text
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

#[test]
fn a_real_browser_draws_the_report_and_its_filter_and_search_hide_the_rest() {
    let Some(chromium) = chromium() else {
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
        return;
    };
    let dir = mixed_project_with();
    mixed_report(dir.path());
    let report = dir.path().join("out/report.html");
    let url = format!("file://{}", report.display());
    let profile = tempfile::tempdir().unwrap();

    let all = headless(&chromium, profile.path(), &["--dump-dom"], &url);
    assert!(
        all.contains("data-ready-ms="),
        "the script did not run:\n{all}"
    );
    assert!(
        !all.contains("id=\"sonde-data\""),
        "the data was not read:\n{all}"
    );
    for shown in [
        "<span class=\"fname\">all good</span>",
        // A text that starts like a reference to the string table is still itself.
        "<span class=\"fname\">~checkout</span>",
        "<span class=\"sname\">wrong status</span>",
        "<span class=\"sname\">never sent</span>",
        "<span class=\"fname\">d-broken</span>",
        // Markup in a name is drawn as text.
        "<span class=\"sname\">&lt;script&gt;alert('step')&lt;/script&gt;</span>",
        "expected</div><div class=\"exp\"><pre>200</pre>",
        "act\"><pre>404</pre>",
    ] {
        assert!(all.contains(shown), "{shown} is not drawn:\n{all}");
    }
    assert!(
        !all.contains("<script>alert("),
        "markup became elements:\n{all}"
    );

    let failed = headless(
        &chromium,
        profile.path(),
        &["--dump-dom"],
        &format!("{url}#filter=failed"),
    );
    assert!(failed.contains("<span class=\"sname\">wrong status</span>"));
    assert!(failed.contains("<span class=\"fname\">d-broken</span>"));
    for hidden in [
        "<span class=\"fname\">all good</span>",
        "<span class=\"sname\">never sent</span>",
    ] {
        assert!(
            !failed.contains(hidden),
            "{hidden} is drawn under #filter=failed"
        );
    }

    let searched = headless(
        &chromium,
        profile.path(),
        &["--dump-dom"],
        &format!("{url}#q=NEVER"),
    );
    assert!(searched.contains("<span class=\"sname\">never sent</span>"));
    for hidden in [
        "<span class=\"fname\">all good</span>",
        "<span class=\"sname\">wrong status</span>",
    ] {
        assert!(
            !searched.contains(hidden),
            "{hidden} is drawn under #q=NEVER"
        );
    }

    let shot = profile.path().join("shot.png");
    headless(
        &chromium,
        profile.path(),
        &[
            "--window-size=1280,900",
            &format!("--screenshot={}", shot.display()),
        ],
        &url,
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.len() > 1000, "a screenshot of {} bytes", png.len());
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
}

#[test]
fn a_flaky_file_is_open_with_its_failed_attempts_in_a_real_browser() {
    let Some(chromium) = chromium() else {
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
        return;
    };
    // Fails the first time (the file it compares with is written by its second step).
    let flaky = r#"name: flaky login
steps:
  - name: compare with the saved body
    continue_on_failure: true
    request: { url: "{{ httpbin }}/base64/SGVsbG8=" }
    expect: { bytes: { equals_file: marker.txt } }
  - name: save the body
    request: { url: "{{ httpbin }}/base64/SGVsbG8=", save_body: marker.txt }
"#;
    let dir = project_with("", &[("flaky.yaml", flaky)]);
    sonde(["run", ".", "--retries", "1", "--html", "report.html"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    let url = format!(
        "file://{}#filter=flaky",
        dir.path().join("report.html").display()
    );
    let profile = tempfile::tempdir().unwrap();
    let page = headless(&chromium, profile.path(), &["--dump-dom"], &url);
    assert!(
        page.contains("<span class=\"fname\">flaky login</span>"),
        "{page}"
    );
    assert!(page.contains("Attempt 1 failed ("), "{page}");
    assert!(page.contains("✗ compare with the saved body :3"), "{page}");
}
