//! What the reports say beyond pass and fail: flaky files (`--retries`), `file` and `line` on
//! every `JUnit` testcase, the diagnostic of a file that does not load, bodies that are not
//! text. Through the binary, against the embedded server.

use crate::support::{project, sonde, xmllint};

/// Fails the first time it runs and passes from then on: its first step compares the body
/// with a file that its second step writes.
const FLAKY: &str = r#"name: flaky login
steps:
  - name: compare with the saved body
    continue_on_failure: true
    request: { url: "{{ httpbin }}/base64/SGVsbG8=" }
    expect: { bytes: { equals_file: marker.txt } }
  - name: save the body
    request: { url: "{{ httpbin }}/base64/SGVsbG8=", save_body: marker.txt }
"#;

const PASSING: &str =
    "name: steady\nsteps:\n  - name: ok\n    request: { url: \"{{ httpbin }}/get\" }\n";

#[test]
fn a_file_that_passes_on_a_retry_is_flaky_in_every_output() {
    let dir = project(&[("flaky.yaml", FLAKY), ("steady.yaml", PASSING)]);
    let out = sonde([
        "run",
        ".",
        "--retries",
        "2",
        "--junit",
        "junit.xml",
        "--json",
        "run.json",
    ])
    .current_dir(dir.path())
    .run()
    .expect_status(0);
    let lines: Vec<&str> = out.stdout.trim_end().lines().collect();
    assert_eq!(
        lines.last().copied(),
        Some("2 passed, 1 flaky, 0 failed, 0 skipped"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("files: 1 passed, 1 flaky, 0 failed;"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("flaky login (flaky: passed on attempt 2;"),
        "{}",
        out.stdout
    );

    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert_eq!(xml.matches("<flakyFailure").count(), 1, "{xml}");
    assert!(xml.contains("attempt 1: "), "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
    xmllint(&dir.path().join("junit.xml"));

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    let flaky = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "flaky login")
        .unwrap();
    assert_eq!(flaky["flaky"], true);
    assert_eq!(flaky["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(flaky["attempts"][0]["steps"][0]["outcome"], "failed");
    assert_eq!(flaky["steps"][0]["flaky"], true);
    assert_eq!(json["summary"]["files_flaky"], 1);
}

#[test]
fn without_retries_the_same_file_fails() {
    let dir = project(&[("flaky.yaml", FLAKY)]);
    let out = sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    assert!(
        out.stdout
            .trim_end()
            .ends_with("1 passed, 1 failed, 0 skipped"),
        "{}",
        out.stdout
    );
}

#[test]
fn retries_can_be_set_in_the_config() {
    let dir = project(&[("flaky.yaml", FLAKY)]);
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers: { httpbin: builtin }\nretries: 1\n",
    )
    .unwrap();
    sonde(["run", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
}

#[test]
fn a_file_that_fails_every_attempt_fails_and_says_its_last_failure() {
    let failing = "name: down\nsteps:\n  - name: wrong\n    request: { url: \"{{ httpbin }}/status/503\" }\n    expect: { status: 200 }\n";
    let dir = project(&[("down.yaml", failing)]);
    let out = sonde(["run", ".", "--retries", "2", "--json", "run.json"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    assert!(
        out.stdout
            .trim_end()
            .ends_with("0 passed, 1 failed, 0 skipped"),
        "{}",
        out.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(json["files"][0]["attempts"].as_array().unwrap().len(), 2);
    assert!(json["files"][0].get("flaky").is_none());
}

#[test]
fn junit_testcases_carry_file_line_and_the_scenario_as_classname() {
    let dir = project(&[
        ("ok.yaml", PASSING),
        (
            "broken.yaml",
            "name: broken\nsteps:\n  - request: { url: 3 }\n    nope: 1\n",
        ),
    ]);
    sonde(["run", ".", "--junit", "junit.xml"])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(
        xml.contains(r#"<testcase name="ok" classname="steady" time="#),
        "{xml}"
    );
    assert!(xml.contains(r#"file="./ok.yaml" line="3""#), "{xml}");
    // The file that does not load: one testcase with a time, the diagnostic's first line as
    // its message, the whole diagnostic in its body.
    let load = xml
        .split("<testcase ")
        .find(|case| case.starts_with("name=\"load\""))
        .unwrap();
    assert!(load.contains(" time=\""), "{load}");
    assert!(load.contains("file=\"./broken.yaml\" line=\"4\""), "{load}");
    assert!(
        load.contains("message=\"error: unknown key `nope`"),
        "{load}"
    );
    xmllint(&dir.path().join("junit.xml"));
}

#[test]
fn a_body_that_is_not_text_is_summarised_never_dumped() {
    let failing = "name: bytes\nsteps:\n  - name: random bytes\n    request: { url: \"{{ httpbin }}/bytes/2048\", params: { seed: 7 } }\n    expect: { status: 201 }\n";
    let dir = project(&[("bytes.yaml", failing)]);
    let out = sonde(["run", ".", "--junit", "junit.xml", "--verbose"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    assert!(
        out.stdout.contains("2048 bytes, application/octet-stream"),
        "{}",
        out.stdout
    );
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(
        xml.contains("2048 bytes, application/octet-stream"),
        "{xml}"
    );
    assert!(!xml.contains('\u{fffd}'), "{xml}");
    xmllint(&dir.path().join("junit.xml"));
}

#[test]
fn junit_stays_well_formed_whatever_a_name_or_body_holds() {
    // U+FFFE and U+FFFF in the scenario's and the step's names, a control character, and a
    // body with the same non-characters and a `\ud800` escape, shown in the failure.
    let body = "eyJhIjogIlx1ZDgwMCB4IiwgImIiOiAi77--77-_In0=";
    let hostile = format!(
        "name: \"hostile \\uFFFE name\"\nsteps:\n  - name: \"step \\uFFFF \\u0001\"\n    request: {{ url: \"{{{{ httpbin }}}}/base64/{body}\" }}\n    expect: {{ body: \"nothing like it\" }}\n"
    );
    let dir = project(&[("hostile.yaml", &hostile)]);
    sonde(["run", ".", "--junit", "junit.xml"])
        .current_dir(dir.path())
        .run()
        .expect_status(1);
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(
        !xml.contains(['\u{fffd}', '\u{fffe}', '\u{ffff}', '\u{1}']),
        "{xml}"
    );
    assert!(xml.contains(r"hostile \uFFFE name"), "{xml}");
    xmllint(&dir.path().join("junit.xml"));
    // What merge-junit reads back, it writes well-formed too.
    let merged = sonde(["merge-junit", "junit.xml"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert!(
        merged.stdout.contains(r"hostile \uFFFE name"),
        "{}",
        merged.stdout
    );
}
