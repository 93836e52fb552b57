//! Many files under many workers: every step of every file is reported exactly once, in the
//! file it belongs to, in the `JUnit` and the JSON report: 10,000 files of 5 steps under 64
//! workers give exactly 50,000 testcases. (Their memory is measured in bench/, not here.)

use std::collections::HashMap;

use crate::support::sonde;

#[test]
fn ten_thousand_files_of_five_steps_are_all_reported_once_and_in_the_right_file() {
    const FILES: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers: { httpbin: builtin }\n",
    )
    .unwrap();
    for i in 0..FILES {
        let steps: String = (0..5)
            .map(|s| format!("  - name: step {s} of file {i}\n    request: {{ url: \"{{{{ httpbin }}}}/anything/{i}/{s}\" }}\n    expect: {{ json: {{ $.url: {{ ends_with: /anything/{i}/{s} }} }} }}\n"))
            .collect();
        std::fs::write(
            dir.path().join(format!("f{i:05}.yaml")),
            format!("name: file {i}\nsteps:\n{steps}"),
        )
        .unwrap();
    }
    let out = sonde([
        "run",
        ".",
        "--jobs",
        "64",
        "--junit",
        "j.xml",
        "--json",
        "r.json",
        "--no-progress",
    ])
    .current_dir(dir.path())
    .run()
    .expect_status(0);
    assert!(
        out.stdout
            .trim_end()
            .ends_with(&format!("{} passed, 0 failed, 0 skipped", FILES * 5)),
        "{}",
        out.stdout
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), FILES);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, file) in files.iter().enumerate() {
        assert_eq!(
            file["name"],
            format!("file {index}"),
            "files are in input order"
        );
        for step in file["steps"].as_array().unwrap() {
            let name = step["name"].as_str().unwrap();
            assert!(
                name.ends_with(&format!(" of file {index}")),
                "{name} misattributed to file {index}"
            );
            *seen.entry(name.to_string()).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), FILES * 5);
    assert!(seen.values().all(|&n| n == 1));

    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), FILES * 5);
    assert_eq!(junit.matches("<testsuite ").count(), FILES);
}
