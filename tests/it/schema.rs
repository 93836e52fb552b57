//! `sonde schema` is generated from the model; the committed copy must be current, and every
//! example, contract suite and valid fixture must satisfy it.

use std::path::Path;

use crate::support::sonde;
use sonde_core::node;

const COMMITTED: &str = "schema/scenario.schema.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_committed_schema_is_current() {
    let generated = sonde_core::schema::scenario_schema_json();
    let committed = std::fs::read_to_string(root().join(COMMITTED)).unwrap_or_default();
    assert!(
        committed == generated,
        "{COMMITTED} is stale: run `cargo run -- schema > {COMMITTED}`"
    );
}

#[test]
fn the_command_prints_the_schema() {
    let out = sonde(["schema"]).run().expect_status(0);
    assert_eq!(out.stdout, sonde_core::schema::scenario_schema_json());
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) && !path.ends_with("sonde.yaml")
        {
            out.push(path);
        }
    }
}

#[test]
fn every_example_suite_and_valid_fixture_satisfies_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&sonde_core::schema::scenario_schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let mut files = Vec::new();
    for dir in ["examples", "scenarios", "tests/fixtures/valid"] {
        yaml_files(&root().join(dir), &mut files);
    }
    assert!(files.len() >= 2, "no files found");
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let document = node::parse(&text).unwrap().to_json();
        if document.get("steps").is_none() {
            continue; // not a scenario (a data file beside one)
        }
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            file.display(),
            errors.join("\n")
        );
        checked += 1;
    }
    assert!(checked >= 2);
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let schema: serde_json::Value =
        serde_json::from_str(&sonde_core::schema::scenario_schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for bad in [
        "steps: [{request: {url: /x}, expcet: {}}]",
        "steps: [{request: {url: /x, auth: {digset: [a, b]}}}]",
        "steps: [{request: {url: /x}, expect: {status: \"two hundred\"}}]",
        "nmae: x\nsteps: [{request: {url: /x}}]",
    ] {
        let document = node::parse(bad).unwrap().to_json();
        assert!(!validator.is_valid(&document), "the schema accepted: {bad}");
    }
}

#[test]
fn the_committed_report_schema_is_current() {
    let generated = sonde::report::json::schema_json();
    let committed =
        std::fs::read_to_string(root().join("schema/report.schema.json")).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/report.schema.json is stale: regenerate it with `cargo test --test schema -- --ignored write_schemas`"
    );
}

/// Writes the committed schemas from the model: `cargo test --test schema -- --ignored write_schemas`.
#[test]
#[ignore]
fn write_schemas() {
    std::fs::write(
        root().join(COMMITTED),
        sonde_core::schema::scenario_schema_json(),
    )
    .unwrap();
    std::fs::write(
        root().join("schema/report.schema.json"),
        sonde::report::json::schema_json(),
    )
    .unwrap();
}
