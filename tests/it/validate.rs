//! `sonde validate`: every invalid fixture exits 2 with a located message (snapshotted, so a
//! change of wording or position shows up), every valid one exits 0.

use std::path::Path;

use crate::support::{fixtures, sonde};

fn fixture_names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join(dir))
        .expect("fixture directory")
        .filter_map(std::result::Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            Path::new(n)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml"))
        })
        .collect();
    names.sort();
    names
}

/// `invalid/NAME` exits 2 with a message located in it, snapshotted as NAME without its
/// `.yaml` (the snapshot is taken here, in `validate`, so its file keeps that module's name).
fn assert_invalid(name: &str) {
    let path = format!("invalid/{name}");
    let out = sonde(["validate", "--color", "never", &path])
        .run()
        .expect_status(2);
    assert!(
        out.stderr.contains(&format!("--> {path}:")),
        "{path}: no file:line:col in\n{}",
        out.stderr
    );
    insta::assert_snapshot!(name.trim_end_matches(".yaml"), out.stderr);
}

/// `valid/NAME` exits 0.
fn assert_valid(name: &str) {
    let out = sonde(["validate", &format!("valid/{name}")]).run();
    assert_eq!(out.status, 0, "{name}:\n{}", out.stderr);
    assert!(
        out.stderr.contains("1 file valid, 0 files invalid"),
        "{}",
        out.stderr
    );
}

/// Every file of `tests/fixtures/invalid` exits 2 with its location: one test each.
mod invalid {
    use crate::support::one_test_per_file;

    #[test]
    fn the_corpus_is_listed_here_and_holds_at_least_25_files() {
        let on_disk = super::fixture_names("invalid");
        let mut listed: Vec<String> = FILES.iter().map(std::string::ToString::to_string).collect();
        listed.sort();
        assert_eq!(on_disk, listed, "tests/fixtures/invalid and FILES differ");
        assert!(
            listed.len() >= 25,
            "the invalid corpus shrank: {}",
            listed.len()
        );
    }

    one_test_per_file! {
        list FILES, check super::assert_invalid;
        bad_auth => "bad-auth.yaml",
        bad_base_url => "bad-base-url.yaml",
        bad_capture => "bad-capture.yaml",
        bad_duration => "bad-duration.yaml",
        bad_jsonpath => "bad-jsonpath.yaml",
        bad_method => "bad-method.yaml",
        bad_predicate_type => "bad-predicate-type.yaml",
        bad_regex => "bad-regex.yaml",
        bad_schema => "bad-schema.yaml",
        bad_template => "bad-template.yaml",
        bad_url => "bad-url.yaml",
        capture_used_too_early => "capture-used-too-early.yaml",
        duplicate_header => "duplicate-header.yaml",
        duplicate_key => "duplicate-key.yaml",
        json_and_data => "json-and-data.yaml",
        no_steps => "no-steps.yaml",
        not_utf8 => "not-utf8.yaml",
        several_errors => "several-errors.yaml",
        status_out_of_range => "status-out-of-range.yaml",
        step_without_request => "step-without-request.yaml",
        undefined_variable => "undefined-variable.yaml",
        unknown_key => "unknown-key.yaml",
        unknown_top_key => "unknown-top-key.yaml",
        unquoted_template => "unquoted-template.yaml",
        unquoted_whole_template => "unquoted-whole-template.yaml",
        wrong_status_type => "wrong-status-type.yaml",
        yaml_syntax => "yaml-syntax.yaml",
    }
}

/// Every file of `tests/fixtures/valid` exits 0: one test each.
mod valid {
    use crate::support::one_test_per_file;

    #[test]
    fn the_corpus_is_listed_here() {
        let on_disk = super::fixture_names("valid");
        let mut listed: Vec<String> = FILES.iter().map(std::string::ToString::to_string).collect();
        listed.sort();
        assert_eq!(on_disk, listed, "tests/fixtures/valid and FILES differ");
    }

    one_test_per_file! {
        list FILES, check super::assert_valid;
        every_expect_form => "every-expect-form.yaml",
        every_request_form => "every-request-form.yaml",
    }
}

#[test]
fn a_directory_reports_every_broken_file_and_counts_the_good_ones() {
    let out = sonde(["validate", "invalid", "valid"])
        .run()
        .expect_status(2);
    let reported =
        out.stderr.matches("\nerror: ").count() + usize::from(out.stderr.starts_with("error: "));
    assert!(reported >= fixture_names("invalid").len(), "{}", out.stderr);
    let valid = fixture_names("valid").len();
    let invalid = fixture_names("invalid").len();
    assert!(
        out.stderr
            .ends_with(&format!("{valid} files valid, {invalid} files invalid\n")),
        "{}",
        out.stderr
    );
}

#[test]
fn var_on_the_command_line_defines_a_variable() {
    sonde(["validate", "invalid/undefined-variable.yaml"])
        .run()
        .expect_status(2);
    sonde([
        "validate",
        "--var",
        "usr_id=3",
        "invalid/undefined-variable.yaml",
    ])
    .run()
    .expect_status(0);
}

#[test]
fn config_vars_and_servers_are_in_scope() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "vars: { token: t }\nservers: { api: builtin }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "steps:\n  - request: { url: \"{{ api }}/x?t={{ token }}\" }\n",
    )
    .unwrap();
    sonde(["validate", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
}

#[test]
fn a_broken_config_is_reported_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers:\n  api: { comand: ./run }\n",
    )
    .unwrap();
    let out = sonde(["validate", "."])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    assert!(out.stderr.contains("sonde.yaml:2:10"), "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `command`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_path_is_an_error() {
    let out = sonde(["validate", "no/such/file.yaml"])
        .run()
        .expect_status(2);
    assert!(
        out.stderr
            .contains("no/such/file.yaml: no such file or directory"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_bad_flag_exits_2() {
    sonde(["validate", "--no-such-flag"]).run().expect_status(2);
}

#[test]
fn a_file_of_100000_steps_loads() {
    // 600,000 YAML nodes: more than serde-saphyr's default budget of 250,000, which is there
    // to stop alias bombs, not large suites.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("steps:\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "  - name: s{i}\n    request: {{ url: \"http://127.0.0.1:1/{i}\" }}\n"
        ));
    }
    std::fs::write(dir.path().join("big.yaml"), text).unwrap();
    let out = sonde(["validate", "big.yaml"])
        .current_dir(dir.path())
        .run()
        .expect_status(0);
    assert!(out.stderr.contains("1 file valid"), "{}", out.stderr);
}

#[test]
fn a_skip_condition_is_checked_like_every_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        "steps:\n  - request: { url: \"http://127.0.0.1:1/\" }\n    skip: \"{{ nope == 1 }}\"\n",
    )
    .unwrap();
    let out = sonde(["validate", "s.yaml"])
        .current_dir(dir.path())
        .run()
        .expect_status(2);
    assert!(
        out.stderr.contains("undefined variable `nope`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("s.yaml:3:"), "{}", out.stderr);
}
