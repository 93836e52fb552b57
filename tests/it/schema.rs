//! `sonde schema` is generated from the model; the committed copy must be current, and every
//! example, contract suite and valid fixture must satisfy it.

use std::path::Path;
use std::sync::LazyLock;

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

/// The directories whose scenarios must satisfy the schema (searched recursively).
const SCENARIO_DIRS: [&str; 3] = ["examples", "scenarios", "tests/fixtures/valid"];

/// The file `path` (relative to the crate) is a scenario, and satisfies the schema.
fn assert_satisfies_the_schema(path: &str) {
    static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
        let schema: serde_json::Value =
            serde_json::from_str(&sonde_core::schema::scenario_schema_json()).unwrap();
        jsonschema::validator_for(&schema).expect("the schema compiles")
    });
    let text = std::fs::read_to_string(root().join(path)).expect("the file reads");
    let document = node::parse(&text).unwrap().to_json();
    assert!(
        document.get("steps").is_some(),
        "{path}: no top-level `steps`, not a scenario: drop it from FILES"
    );
    let errors: Vec<String> = VALIDATOR
        .iter_errors(&document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{path}:\n{}", errors.join("\n"));
}

/// Every example, contract suite and valid fixture satisfies the schema: one test each.
mod satisfied_by {
    use crate::support::one_test_per_file;

    /// The scenarios of `SCENARIO_DIRS` on disk: YAML files but `sonde.yaml`, and of those
    /// only the ones with a top-level `steps` (not the data files beside them).
    fn scenarios_on_disk() -> Vec<String> {
        let root = super::root();
        let mut files = Vec::new();
        for dir in super::SCENARIO_DIRS {
            super::yaml_files(&root.join(dir), &mut files);
        }
        let mut scenarios: Vec<String> = files
            .into_iter()
            .filter(|file| {
                let text = std::fs::read_to_string(file).unwrap();
                super::node::parse(&text)
                    .unwrap()
                    .to_json()
                    .get("steps")
                    .is_some()
            })
            .map(|file| {
                let relative = file.strip_prefix(root).expect("a file under the crate");
                relative.to_string_lossy().replace('\\', "/")
            })
            .collect();
        scenarios.sort();
        scenarios
    }

    #[test]
    fn every_example_suite_and_valid_fixture_is_listed_here() {
        let on_disk = scenarios_on_disk();
        let mut listed: Vec<String> = FILES.iter().map(std::string::ToString::to_string).collect();
        listed.sort();
        assert_eq!(
            on_disk,
            listed,
            "the scenarios of {:?} and FILES differ",
            super::SCENARIO_DIRS
        );
        assert!(listed.len() >= 2, "no files found");
    }

    one_test_per_file! {
        list FILES, check super::assert_satisfies_the_schema;
        examples_01_first_request => "examples/01-first-request.yaml",
        examples_02_params => "examples/02-params.yaml",
        examples_03_headers => "examples/03-headers.yaml",
        examples_04_bodies => "examples/04-bodies.yaml",
        examples_05_auth => "examples/05-auth.yaml",
        examples_06_sessions_and_cookies => "examples/06-sessions-and-cookies.yaml",
        examples_07_redirects => "examples/07-redirects.yaml",
        examples_08_timeouts_and_retries => "examples/08-timeouts-and-retries.yaml",
        examples_09_downloads_and_encodings => "examples/09-downloads-and-encodings.yaml",
        examples_10_chaining => "examples/10-chaining.yaml",
        examples_11_contracts => "examples/11-contracts.yaml",
        scenarios_github_01_rate_limit => "scenarios/github/01-rate-limit.yaml",
        scenarios_github_02_search_repositories => "scenarios/github/02-search-repositories.yaml",
        scenarios_github_03_repository => "scenarios/github/03-repository.yaml",
        scenarios_github_04_user => "scenarios/github/04-user.yaml",
        scenarios_github_05_errors => "scenarios/github/05-errors.yaml",
        scenarios_httpbin_01_methods => "scenarios/httpbin/01-methods.yaml",
        scenarios_httpbin_02_params => "scenarios/httpbin/02-params.yaml",
        scenarios_httpbin_03_headers => "scenarios/httpbin/03-headers.yaml",
        scenarios_httpbin_04_response_content => "scenarios/httpbin/04-response-content.yaml",
        scenarios_httpbin_05_status_codes => "scenarios/httpbin/05-status-codes.yaml",
        scenarios_httpbin_06_bodies => "scenarios/httpbin/06-bodies.yaml",
        scenarios_httpbin_07_multipart => "scenarios/httpbin/07-multipart.yaml",
        scenarios_httpbin_08_auth => "scenarios/httpbin/08-auth.yaml",
        scenarios_httpbin_08b_session_auth => "scenarios/httpbin/08b-session-auth.yaml",
        scenarios_httpbin_09_cookies_sessions => "scenarios/httpbin/09-cookies-sessions.yaml",
        scenarios_httpbin_10_redirects => "scenarios/httpbin/10-redirects.yaml",
        scenarios_httpbin_11_timeouts => "scenarios/httpbin/11-timeouts.yaml",
        scenarios_httpbin_12_retries => "scenarios/httpbin/12-retries.yaml",
        scenarios_httpbin_13_downloads => "scenarios/httpbin/13-downloads.yaml",
        scenarios_httpbin_14_compression => "scenarios/httpbin/14-compression.yaml",
        scenarios_httpbin_15_encodings => "scenarios/httpbin/15-encodings.yaml",
        scenarios_httpbin_16_chaining => "scenarios/httpbin/16-chaining.yaml",
        scenarios_httpbin_17_contracts => "scenarios/httpbin/17-contracts.yaml",
        scenarios_httpbin_18_proxies => "scenarios/httpbin/18-proxies.yaml",
        tests_fixtures_valid_every_expect_form => "tests/fixtures/valid/every-expect-form.yaml",
        tests_fixtures_valid_every_request_form => "tests/fixtures/valid/every-request-form.yaml",
    }
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
        "schema/report.schema.json is stale: regenerate it with `cargo test --test it -- --ignored write_schemas`"
    );
}

/// Writes the committed schemas from the model: `cargo test --test it -- --ignored write_schemas`.
#[test]
#[ignore = "writes schema/*.schema.json: run on purpose to regenerate them"]
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
