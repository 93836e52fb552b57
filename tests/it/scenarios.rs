//! The contract suites of `scenarios/`, run through the real (debug) binary:
//!
//! - `scenarios/httpbin` against its own embedded server (its `sonde.yaml` starts it): every
//!   step must pass;
//! - `scenarios/github` can only be validated offline: it must be valid;
//! - `tests/fixtures/scenarios/must-fail`: the limits the suites cannot express as passing
//!   steps (`max_redirects`, timeouts, refused connections) must fail, each with its message;
//! - `tests/fixtures/scenarios/known-bugs`: reproductions of bugs found while writing the
//!   suites, now fixed: regression tests.

use std::path::Path;
use std::process::Command;

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The last non-empty line of standard output: the run's summary.
    fn summary(&self) -> &str {
        self.stdout.trim_end().lines().last().unwrap_or("")
    }

    fn explain(&self) -> String {
        format!(
            "exit status {}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// `sonde ARGS…` from the crate's root, colour and progress bar off.
fn sonde(args: &[&str]) -> Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_sonde"))
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_TOKEN")
        .output()
        .expect("the sonde binary runs");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `N passed, F failed, S skipped` → (N, F, S).
fn counts(summary: &str) -> Option<(u32, u32, u32)> {
    let mut numbers = summary.split(", ").map(|part| {
        let (n, _word) = part.split_once(' ')?;
        n.parse::<u32>().ok()
    });
    let passed = numbers.next()??;
    let failed = numbers.next()??;
    let skipped = numbers.next()??;
    Some((passed, failed, skipped))
}

#[test]
fn the_httpbin_suite_passes_against_the_embedded_server() {
    // Downloads (`save_body`) go to a directory of the test's own, removed afterwards.
    let downloads = tempfile::tempdir().unwrap();
    let downloads_var = format!("downloads={}", downloads.path().display());
    let run = sonde(&[
        "run",
        "scenarios/httpbin",
        "--no-progress",
        "--color",
        "never",
        "--var",
        &downloads_var,
    ]);
    assert_eq!(run.status, 0, "{}", run.explain());
    let (passed, failed, skipped) = counts(run.summary())
        .unwrap_or_else(|| panic!("no summary line at the end\n{}", run.explain()));
    assert_eq!(failed, 0, "{}", run.explain());
    assert_eq!(skipped, 0, "{}", run.explain());
    assert!(
        passed >= 150,
        "fewer steps than expected\n{}",
        run.explain()
    );
    assert!(
        run.stdout.contains(" passed, 0 failed;"),
        "the files line: {}",
        run.explain()
    );
    // Every download landed in the directory given, none next to the scenarios.
    let saved = std::fs::read_dir(downloads.path()).unwrap().count();
    assert!(saved >= 7, "{saved} files saved\n{}", run.explain());
}

#[test]
fn the_github_suite_is_valid() {
    let run = sonde(&["validate", "scenarios/github"]);
    assert_eq!(run.status, 0, "{}", run.explain());
    assert!(
        run.stdout.contains("0 files invalid") || run.stderr.contains("0 files invalid"),
        "{}",
        run.explain()
    );
}

#[test]
fn the_httpbin_suite_is_valid_too() {
    let run = sonde(&["validate", "scenarios/httpbin"]);
    assert_eq!(run.status, 0, "{}", run.explain());
}

#[test]
fn limits_fail_with_their_own_message() {
    let run = sonde(&[
        "run",
        "tests/fixtures/scenarios/must-fail",
        "--no-progress",
        "--color",
        "never",
    ]);
    assert_eq!(run.status, 1, "{}", run.explain());
    assert_eq!(
        run.summary(),
        "0 passed, 4 failed, 0 skipped",
        "{}",
        run.explain()
    );
    for message in [
        "stopped after 2 redirects (max_redirects)",
        "took longer than its timeout of 300ms",
        "sent nothing for 300ms (read timeout)",
        "after 2 tries",
        "connection refused by 127.0.0.1:1",
    ] {
        assert!(
            run.stdout.contains(message),
            "missing `{message}`\n{}",
            run.explain()
        );
    }
}

// --- known bugs: each passes once its bug is fixed --------------------------------------

fn run_known_bug(file: &str) -> Run {
    sonde(&[
        "run",
        &format!("tests/fixtures/scenarios/known-bugs/{file}"),
        "--no-progress",
        "--color",
        "never",
    ])
}

#[test]

fn fixed_bug_digest_state_survives_an_unsupported_challenge() {
    let run = run_known_bug("digest-state.yaml");
    assert_eq!(
        run.summary(),
        "1 passed, 1 failed, 0 skipped",
        "{}",
        run.explain()
    );
}

#[test]

fn fixed_bug_repeated_headers_are_judged_joined() {
    let run = run_known_bug("repeated-headers.yaml");
    assert_eq!(
        run.summary(),
        "0 passed, 3 failed, 0 skipped",
        "{}",
        run.explain()
    );
}

#[test]

fn fixed_bug_a_header_capture_joins_repeated_headers() {
    let run = run_known_bug("repeated-header-capture.yaml");
    assert_eq!(run.status, 0, "{}", run.explain());
}

#[test]

fn fixed_bug_latin_1_is_iso_8859_1() {
    let run = run_known_bug("latin-1.yaml");
    assert_eq!(run.status, 0, "{}", run.explain());
}

#[test]

fn fixed_bug_empty_bodies_carry_a_content_length() {
    let run = run_known_bug("empty-body-length.yaml");
    assert_eq!(run.status, 0, "{}", run.explain());
}

#[test]

fn fixed_bug_one_job_runs_files_in_order() {
    let run = sonde(&[
        "run",
        "tests/fixtures/scenarios/known-bugs/order",
        "--jobs",
        "1",
        "--no-progress",
        "--color",
        "never",
    ]);
    assert_eq!(run.status, 0, "{}", run.explain());
    let order: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("✓ order "))
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(order, ["a", "b", "c"], "{}", run.explain());
}

#[test]

fn fixed_bug_validate_checks_schema_files() {
    let run = sonde(&[
        "validate",
        "tests/fixtures/scenarios/known-bugs/validate-schema-file.yaml",
    ]);
    assert_eq!(run.status, 2, "{}", run.explain());
}
