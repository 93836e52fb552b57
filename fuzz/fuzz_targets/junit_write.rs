//! JUnit XML from reports whose names and messages are arbitrary strings (the input, split
//! on NUL bytes). The XML must serialize, parse back (with `quick-junit`, as
//! `sonde merge-junit` does), and keep every suite and case.
#![no_main]

use std::path::PathBuf;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use sonde::events::{
    AssertionReport, ExchangeReport, FailureWords, FileReport, StepReport, StepStatus, Summary,
};

fuzz_target!(|text: &str| {
    let mut parts = text.split('\0').map(str::to_owned);
    let mut next = || parts.next().unwrap_or_default();
    let exchange = ExchangeReport {
        method: next(),
        url: next(),
        request_headers: vec![(next(), next())],
        request_body_size: 3,
        request_body_preview: Some(next()),
        status: Some(500),
        reason: Some(next()),
        response_headers: vec![(next(), next())],
        response_body_size: 12,
        response_body_preview: Some(next()),
        time: Duration::from_millis(12),
        redirects: vec![next()],
    };
    let step = |name: String, outcome: StepStatus, message: String, expected: String| StepReport {
        name,
        line: 3,
        outcome,
        skip_reason: Some(message.clone()),
        time: Duration::from_millis(7),
        tries: 1,
        errors: vec![message],
        assertions: vec![
            AssertionReport {
                assertion: expected.clone(),
                line: 4,
                passed: false,
                expected: serde_json::Value::String(expected.clone()),
                actual: Some(serde_json::Value::String(expected.clone())),
                message: Some(expected.clone()),
                diff: Some(expected.lines().map(str::to_owned).collect()),
                words: Some(FailureWords {
                    expected: expected.clone(),
                    actual: expected.clone(),
                    diff_colored: None,
                }),
            },
            AssertionReport {
                assertion: expected.clone(),
                line: 5,
                passed: true,
                expected: serde_json::Value::String(expected.clone()),
                actual: None,
                message: None,
                diff: None,
                words: None,
            },
        ],
        warnings: Vec::new(),
        exchange: Some(exchange.clone()),
        flaky: false,
    };
    let files = vec![
        FileReport {
            index: 0,
            path: PathBuf::from(next()),
            name: next(),
            error: None,
            diagnostics: Vec::new(),
            warnings: vec![next()],
            time: Duration::from_millis(20),
            steps: vec![
                step(next(), StepStatus::Failed, next(), next()),
                step(next(), StepStatus::Skipped, next(), next()),
                step(next(), StepStatus::Passed, next(), next()),
            ],
            flaky: false,
            interrupted: false,
            attempts: Vec::new(),
        },
        FileReport {
            index: 1,
            path: PathBuf::from(next()),
            name: next(),
            error: Some(next()),
            diagnostics: Vec::new(),
            warnings: Vec::new(),
            time: Duration::ZERO,
            steps: Vec::new(),
            flaky: false,
            interrupted: false,
            attempts: Vec::new(),
        },
    ];
    let summary = Summary::default();
    let report = sonde::report::junit::report(&files, &summary);
    let xml = report.to_string().expect("the report serializes");
    let back = quick_junit::Report::deserialize_from_str(&xml)
        .unwrap_or_else(|e| panic!("sonde wrote XML it cannot read back: {e}\n{xml}"));
    assert_eq!(back.test_suites.len(), 2, "{xml}");
    assert_eq!(back.test_suites[0].test_cases.len(), 3, "{xml}");
    assert_eq!(back.test_suites[1].test_cases.len(), 1, "{xml}");
    // Names without control characters come back as written, up to white space
    // (quick-junit drops control characters and terminal escape sequences).
    for (suite, file) in back.test_suites.iter().zip(&files) {
        if printable(&file.name) {
            assert_eq!(words(&suite.name), words(&file.name), "{xml}");
        }
        for (case, step) in suite.test_cases.iter().zip(&file.steps) {
            if printable(&step.name) {
                assert_eq!(words(&case.name), words(&step.name), "{xml}");
            }
        }
    }
});

/// The words of a text: white space is not compared.
fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// No control characters, and nothing XML 1.0 cannot carry.
fn printable(text: &str) -> bool {
    text.chars()
        .all(|c| c == ' ' || (!c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}'))
}
