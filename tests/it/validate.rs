//! `sonde validate`: every invalid fixture exits 2 with a located message (snapshotted, so a
//! change of wording or position shows up), every valid one exits 0.

use crate::support::{fixtures, sonde};

fn fixture_names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join(dir))
        .expect("fixture directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_invalid_file_exits_2_with_its_location() {
    let names = fixture_names("invalid");
    assert!(
        names.len() >= 25,
        "the invalid corpus shrank: {}",
        names.len()
    );
    for name in names {
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
}

#[test]
fn every_valid_file_exits_0() {
    for name in fixture_names("valid") {
        let out = sonde(["validate", &format!("valid/{name}")]).run();
        assert_eq!(out.status, 0, "{name}:\n{}", out.stderr);
        assert!(
            out.stderr.contains("1 file valid, 0 files invalid"),
            "{}",
            out.stderr
        );
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
