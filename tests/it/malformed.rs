//! Malformed input (SPEC §9): every file of `tests/fixtures/malformed/`, and bigger ones
//! generated here at run time (deep nesting, 10 MB strings, thousands of errors), goes
//! through `sonde validate` and `sonde run`. Each must end within a time limit with exit
//! status 2 and a message naming the file (`file:line:col`, at least `file:`), and never
//! panic, overflow its stack or run out of memory.
//!
//! Every committed file is invalid on purpose; one test per file, so that a file sonde
//! mishandles is one `#[ignore = "…"]` naming the bug. Regression tests for crashes found by
//! the fuzz targets (`fuzz/`) are at the end.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The most one command may take on one file (a debug build, on a busy machine).
const LIMIT: Duration = Duration::from_secs(10);

/// The address space the child may use (KiB): a file that makes sonde allocate without
/// bound fails here instead of eating the machine's memory.
const MEMORY_KIB: u64 = 4 * 1024 * 1024;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

struct Finished {
    /// `None` when a signal ended it.
    status: Option<i32>,
    output: String,
    elapsed: Duration,
}

/// `sonde ARGS…` in `dir`, under a memory limit, killed after `limit`.
fn sonde_bounded(dir: &Path, args: &[&str], limit: Duration) -> Result<Finished, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_KIB} 2>/dev/null; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_sonde"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh and the sonde binary start");
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
            let _ = (stdout.join(), stderr.join());
            return Err(format!(
                "`sonde {}` did not finish within {limit:?}",
                args.join(" ")
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = format!(
        "{}{}",
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default()
    );
    Ok(Finished {
        status: status.code(),
        output,
        elapsed: started.elapsed(),
    })
}

/// The first lines of an output, each cut short: enough to see what went wrong.
fn excerpt(output: &str) -> String {
    output
        .lines()
        .take(12)
        .map(|line| line.chars().take(160).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Problems with one command's handling of the file `path` (as passed to sonde).
fn problems_with(outcome: &Finished, path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let output = &outcome.output;
    for bad in [
        "panicked",
        "RUST_BACKTRACE",
        "stack backtrace",
        "overflowed its stack",
        "memory allocation of",
        // A panic caught and reported as a bug is still a bug.
        "internal error",
    ] {
        if output.contains(bad) {
            problems.push(format!("the output contains `{bad}`"));
        }
    }
    match outcome.status {
        Some(2) => {}
        Some(status) => problems.push(format!("exit status {status}, expected 2")),
        None => {
            problems.push("killed by a signal (an abort: stack overflow, out of memory?)".into());
        }
    }
    if !output.contains(&format!("{path}:")) {
        problems.push(format!("no message located in `{path}:`"));
    }
    problems
}

/// `sonde validate` and `sonde run` both reject `name` (in `dir`) plainly, in bounded time.
fn assert_rejected_in(dir: &Path, name: &str, limit: Duration) {
    let mut report = Vec::new();
    for args in [
        vec!["validate", "--color", "never", name],
        vec!["run", "--no-progress", "--color", "never", name],
    ] {
        match sonde_bounded(dir, &args, limit) {
            Err(timeout) => report.push(timeout),
            Ok(outcome) => {
                let problems = problems_with(&outcome, name);
                if !problems.is_empty() {
                    report.push(format!(
                        "`sonde {}` ({:?}): {}\n{}",
                        args[0],
                        outcome.elapsed,
                        problems.join("; "),
                        excerpt(&outcome.output)
                    ));
                }
            }
        }
    }
    assert!(report.is_empty(), "{name}:\n{}", report.join("\n\n"));
}

/// A committed file of `tests/fixtures/malformed/`.
fn assert_fixture_rejected(file: &str) {
    assert_rejected_in(&fixtures(), &format!("malformed/{file}"), LIMIT);
}

/// A file written at run time into a fresh directory.
fn assert_generated_rejected(name: &str, content: impl AsRef<[u8]>) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join(name), content).unwrap();
    assert_rejected_in(dir.path(), name, LIMIT);
}

macro_rules! corpus {
    ($($(#[$attr:meta])* $test:ident => $file:literal,)*) => {
        /// Every committed file, each with its own test below.
        const CORPUS: &[&str] = &[$($file),*];
        $(
            #[test]
            $(#[$attr])*
            fn $test() {
                assert_fixture_rejected($file);
            }
        )*
    };
}

#[test]
fn the_corpus_is_listed_here_and_holds_at_least_50_files() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures().join("malformed"))
        .expect("tests/fixtures/malformed")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "README.md")
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CORPUS
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "tests/fixtures/malformed and CORPUS differ"
    );
    assert!(listed.len() >= 50, "{}", listed.len());
}

corpus! {
    alias_self_reference_yaml => "alias-self-reference.yaml",
    alias_undefined_yaml => "alias-undefined.yaml",
    anchor_on_steps_reused_as_step_yaml => "anchor-on-steps-reused-as-step.yaml",
    assertion_bad_jsonpath_http => "assertion-bad-jsonpath.http",
    assertion_unknown_operator_http => "assertion-unknown-operator.http",
    auth_is_number_yaml => "auth-is-number.yaml",
    auth_three_items_yaml => "auth-three-items.yaml",
    bad_utf8_in_key_yaml => "bad-utf8-in-key.yaml",
    bad_utf8_lone_continuation_yaml => "bad-utf8-lone-continuation.yaml",
    bad_utf8_overlong_yaml => "bad-utf8-overlong.yaml",
    bad_utf8_surrogate_yaml => "bad-utf8-surrogate.yaml",
    bad_utf8_http => "bad-utf8.http",
    billion_laughs_in_steps_yaml => "billion-laughs-in-steps.yaml",
    billion_laughs_yaml => "billion-laughs.yaml",
    binary_junk_valid_utf8_http => "binary-junk-valid-utf8.http",
    binary_junk_http => "binary-junk.http",
    bom_inside_key_yaml => "bom-inside-key.yaml",
    bom_then_error_yaml => "bom-then-error.yaml",
    bom_then_junk_http => "bom-then-junk.http",
    capture_group_is_string_yaml => "capture-group-is-string.yaml",
    capture_is_list_yaml => "capture-is-list.yaml",
    capture_regex_group_out_of_range_yaml => "capture-regex-group-out-of-range.yaml",
    complex_key_yaml => "complex-key.yaml",
    continue_on_failure_yes_yaml => "continue-on-failure-yes.yaml",
    control_characters_yaml => "control-characters.yaml",
    document_markers_only_yaml => "document-markers-only.yaml",
    dotenv_missing_http => "dotenv-missing.http",
    empty_braces_http => "empty-braces.http",
    empty_http => "empty.http",
    empty_yaml => "empty.yaml",
    expect_is_list_yaml => "expect-is-list.yaml",
    graphql_bad_variables_http => "graphql-bad-variables.http",
    header_crlf_injection_yaml => "header-crlf-injection.yaml",
    header_name_with_space_yaml => "header-name-with-space.yaml",
    header_value_is_mapping_yaml => "header-value-is-mapping.yaml",
    header_without_colon_http => "header-without-colon.http",
    headers_before_request_http => "headers-before-request.http",
    headers_is_list_yaml => "headers-is-list.yaml",
    huge_backoff_yaml => "huge-backoff.yaml",
    huge_max_redirects_yaml => "huge-max-redirects.yaml",
    huge_poll_yaml => "huge-poll.yaml",
    huge_retries_yaml => "huge-retries.yaml",
    huge_status_yaml => "huge-status.yaml",
    huge_timeout_seconds_yaml => "huge-timeout-seconds.yaml",
    huge_timeout_suffix_yaml => "huge-timeout-suffix.yaml",
    inf_status_yaml => "inf-status.yaml",
    inf_timeout_yaml => "inf-timeout.yaml",
    json_flavoured_yaml => "json-flavoured.yaml",
    json_path_key_is_number_yaml => "json-path-key-is-number.yaml",
    jsonpath_ends_inside_unicode_escape_yaml => "jsonpath-ends-inside-unicode-escape.yaml",
    jsonpath_error_inside_a_character_yaml => "jsonpath-error-inside-a-character.yaml",
    jsonpath_garbage_yaml => "jsonpath-garbage.yaml",
    jsonpath_nested_filters_20_deep_yaml => "jsonpath-nested-filters-20-deep.yaml",
    lone_carriage_returns_yaml => "lone-carriage-returns.yaml",
    lone_cr_lines_http => "lone-cr-lines.http",
    lone_open_braces_in_header_http => "lone-open-braces-in-header.http",
    lone_open_braces_http => "lone-open-braces.http",
    max_redirects_is_string_yaml => "max-redirects-is-string.yaml",
    merge_key_list_of_scalars_yaml => "merge-key-list-of-scalars.yaml",
    merge_key_scalar_yaml => "merge-key-scalar.yaml",
    merge_key_unknown_keys_yaml => "merge-key-unknown-keys.yaml",
    method_is_list_yaml => "method-is-list.yaml",
    method_with_space_yaml => "method-with-space.yaml",
    name_is_mapping_yaml => "name-is-mapping.yaml",
    nan_timeout_yaml => "nan-timeout.yaml",
    negative_timeout_yaml => "negative-timeout.yaml",
    nested_50_levels_valid_otherwise_yaml => "nested-50-levels-valid-otherwise.yaml",
    nested_50_levels_yaml => "nested-50-levels.yaml",
    nul_bytes_yaml => "nul-bytes.yaml",
    null_key_yaml => "null-key.yaml",
    only_comment_yaml => "only-comment.yaml",
    only_comments_rest => "only-comments.rest",
    only_separators_http => "only-separators.http",
    params_is_number_yaml => "params-is-number.yaml",
    poll_is_string_yaml => "poll-is-string.yaml",
    poll_max_zero_yaml => "poll-max-zero.yaml",
    predicate_type_unknown_yaml => "predicate-type-unknown.yaml",
    proxies_https_url_yaml => "proxies-https-url.yaml",
    proxies_not_a_url_yaml => "proxies-not-a-url.yaml",
    reference_to_itself_http => "reference-to-itself.http",
    reference_to_later_request_http => "reference-to-later-request.http",
    regex_huge_repetition_yaml => "regex-huge-repetition.yaml",
    regex_nested_too_deep_yaml => "regex-nested-too-deep.yaml",
    request_is_list_yaml => "request-is-list.yaml",
    request_line_ftp_http => "request-line-ftp.http",
    request_line_method_only_http => "request-line-method-only.http",
    request_line_version_only_http => "request-line-version-only.http",
    retries_negative_yaml => "retries-negative.yaml",
    rtl_override_in_key_yaml => "rtl-override-in-key.yaml",
    schema_not_a_schema_yaml => "schema-not-a-schema.yaml",
    session_is_string_yaml => "session-is-string.yaml",
    skip_is_number_yaml => "skip-is-number.yaml",
    status_is_float_yaml => "status-is-float.yaml",
    status_predicate_typo_yaml => "status-predicate-typo.yaml",
    step_is_list_yaml => "step-is-list.yaml",
    step_is_number_yaml => "step-is-number.yaml",
    steps_is_mapping_yaml => "steps-is-mapping.yaml",
    steps_is_string_yaml => "steps-is-string.yaml",
    tab_after_dash_yaml => "tab-after-dash.yaml",
    tab_indentation_yaml => "tab-indentation.yaml",
    tag_custom_yaml => "tag-custom.yaml",
    tag_str_on_mapping_yaml => "tag-str-on-mapping.yaml",
    tags_is_mapping_yaml => "tags-is-mapping.yaml",
    template_lone_open_yaml => "template-lone-open.yaml",
    template_unknown_filter_yaml => "template-unknown-filter.yaml",
    template_unknown_function_yaml => "template-unknown-function.yaml",
    template_unterminated_block_yaml => "template-unterminated-block.yaml",
    timeout_directive_garbage_http => "timeout-directive-garbage.http",
    timeout_is_bool_yaml => "timeout-is-bool.yaml",
    top_is_list_yaml => "top-is-list.yaml",
    top_is_null_yaml => "top-is-null.yaml",
    top_is_scalar_yaml => "top-is-scalar.yaml",
    trunc_after_colon_yaml => "trunc-after-colon.yaml",
    trunc_mid_key_yaml => "trunc-mid-key.yaml",
    trunc_mid_predicate_yaml => "trunc-mid-predicate.yaml",
    trunc_open_double_quote_yaml => "trunc-open-double-quote.yaml",
    trunc_open_flow_list_yaml => "trunc-open-flow-list.yaml",
    trunc_open_flow_mapping_yaml => "trunc-open-flow-mapping.yaml",
    trunc_open_single_quote_yaml => "trunc-open-single-quote.yaml",
    trunc_open_template_yaml => "trunc-open-template.yaml",
    trunc_steps_null_yaml => "trunc-steps-null.yaml",
    two_documents_yaml => "two-documents.yaml",
    undefined_variable_http => "undefined-variable.http",
    undefined_variable_yaml => "undefined-variable.yaml",
    unknown_system_variable_http => "unknown-system-variable.http",
    unterminated_pre_script_http => "unterminated-pre-script.http",
    unterminated_script_http => "unterminated-script.http",
    url_file_yaml => "url-file.yaml",
    url_ftp_yaml => "url-ftp.yaml",
    url_is_mapping_yaml => "url-is-mapping.yaml",
    utf16le_with_bom_yaml => "utf16le-with-bom.yaml",
    utf32_be_yaml => "utf32-be.yaml",
    variable_without_name_http => "variable-without-name.http",
    vars_is_list_yaml => "vars-is-list.yaml",
    yaml_directive_2_yaml => "yaml-directive-2.yaml",
    zero_width_space_in_key_yaml => "zero-width-space-in-key.yaml",
}

// ---- generated at run time: too big or too repetitive to commit ------------------------

const DEPTH: usize = 10_000;
const TEN_MB: usize = 10 * 1024 * 1024;
/// Nothing listens on the discard port: should a file be run after all, nothing leaves
/// the machine.
const URL: &str = "http://127.0.0.1:9";

/// `open` × depth, `inner`, `close` × depth.
fn nest(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

/// A scenario with one step whose request URL is `url` (a YAML double-quoted string),
/// plus an unknown key so that the file is invalid whatever sonde makes of the URL.
fn with_url(url: &str) -> String {
    format!("bogus: 1\nsteps:\n  - request:\n      url: \"{url}\"\n")
}

#[test]
fn ten_thousand_nested_lists_as_steps() {
    assert_generated_rejected(
        "deep.yaml",
        format!("steps: {}\n", nest("[", "", "]", DEPTH)),
    );
}

#[test]
fn ten_thousand_nested_flow_lists_in_vars() {
    assert_generated_rejected(
        "deep.yaml",
        format!(
            "bogus: 1\nvars:\n  x: {}\nsteps:\n  - request: {{ url: {URL}/get }}\n",
            nest("[", "1", "]", DEPTH)
        ),
    );
}

#[test]
fn ten_thousand_nested_block_lists_in_vars() {
    assert_generated_rejected(
        "deep.yaml",
        format!(
            "bogus: 1\nvars:\n  x:\n    {}1\nsteps:\n  - request: {{ url: {URL}/get }}\n",
            "- ".repeat(DEPTH)
        ),
    );
}

#[test]
fn ten_thousand_nested_mappings_in_vars() {
    assert_generated_rejected(
        "deep.yaml",
        format!(
            "bogus: 1\nvars:\n  x: {}\nsteps:\n  - request: {{ url: {URL}/get }}\n",
            nest("{a: ", "1", "}", DEPTH)
        ),
    );
}

#[test]
fn ten_thousand_nested_lists_in_a_json_body() {
    assert_generated_rejected(
        "deep.yaml",
        format!(
            "bogus: 1\nsteps:\n  - request:\n      url: {URL}/post\n      json: {}\n",
            nest("[", "", "]", DEPTH)
        ),
    );
}

#[test]
fn ten_thousand_nested_not_predicates() {
    assert_generated_rejected(
        "deep.yaml",
        format!(
            "bogus: 1\nsteps:\n  - request: {{ url: {URL}/get }}\n    expect:\n      json:\n        $.a: {}\n",
            nest("{not: ", "1", "}", DEPTH)
        ),
    );
}

#[test]
fn ten_thousand_nested_schemas() {
    assert_generated_rejected(
        "deep.yaml",
        format!(
            "bogus: 1\nsteps:\n  - request: {{ url: {URL}/get }}\n    expect:\n      schema: {}\n",
            nest("{not: ", "{}", "}", DEPTH)
        ),
    );
}

#[test]
fn ten_thousand_nested_parentheses_in_a_template() {
    let url = format!("{URL}/{{{{ {} }}}}", nest("(", "x", ")", DEPTH));
    assert_generated_rejected("deep.yaml", with_url(&url));
}

#[test]
fn ten_thousand_nested_lists_in_a_template() {
    let url = format!("{URL}/{{{{ {} | length }}}}", nest("[", "", "]", DEPTH));
    assert_generated_rejected("deep.yaml", with_url(&url));
}

#[test]
fn ten_thousand_attribute_lookups_in_a_template() {
    let url = format!("{URL}/{{{{ x{} }}}}", ".a".repeat(DEPTH));
    assert_generated_rejected("deep.yaml", with_url(&url));
}

#[test]
fn ten_thousand_nots_in_a_template() {
    let url = format!("{URL}/{{{{ {}x }}}}", "not ".repeat(DEPTH));
    assert_generated_rejected("deep.yaml", with_url(&url));
}

#[test]
fn ten_thousand_nested_ifs_in_a_template() {
    let url = format!("{URL}/{}", nest("{% if true %}", "x", "{% endif %}", DEPTH));
    assert_generated_rejected("deep.yaml", with_url(&url));
}

#[test]
fn ten_thousand_nested_groups_in_a_regex() {
    assert_generated_rejected(
        "deep.yaml",
        format!(
            "steps:\n  - request: {{ url: {URL}/get }}\n    expect:\n      body: {{ matches: \"{}\" }}\n",
            nest("(", "a", ")", DEPTH)
        ),
    );
}

#[test]
fn ten_thousand_segments_in_a_jsonpath() {
    // An explicit key: YAML limits implicit keys to 1024 characters.
    assert_generated_rejected(
        "deep.yaml",
        format!(
            "bogus: 1\nsteps:\n  - request: {{ url: {URL}/get }}\n    expect:\n      json:\n        ? \"${}\"\n        : 1\n",
            "[0]".repeat(DEPTH)
        ),
    );
}

#[test]
fn ten_thousand_nested_parentheses_in_a_jsonpath_filter() {
    assert_generated_rejected(
        "deep.yaml",
        format!(
            "steps:\n  - request: {{ url: {URL}/get }}\n    expect:\n      json:\n        ? \"$[?{}]\"\n        : 1\n",
            nest("(", "@.a", ")", DEPTH)
        ),
    );
}

#[test]
fn ten_thousand_nested_parentheses_in_an_http_file_template() {
    assert_generated_rejected(
        "deep.http",
        format!("GET {URL}/{{{{{}}}}}\n", nest("(", "x", ")", DEPTH)),
    );
}

#[test]
fn a_ten_megabyte_string() {
    assert_generated_rejected(
        "huge.yaml",
        format!(
            "bogus: 1\nname: \"{}\"\nsteps:\n  - request: {{ url: {URL}/get }}\n",
            "a".repeat(TEN_MB)
        ),
    );
}

#[test]
fn a_ten_megabyte_unknown_key() {
    assert_generated_rejected(
        "huge.yaml",
        format!(
            "{}: 1\nsteps:\n  - request: {{ url: {URL}/get }}\n",
            "a".repeat(TEN_MB)
        ),
    );
}

#[test]
fn a_ten_megabyte_undefined_variable() {
    let url = format!("{URL}/{{{{ {} }}}}", "a".repeat(TEN_MB));
    assert_generated_rejected("huge.yaml", with_url(&url));
}

#[test]
fn an_error_at_the_end_of_a_ten_megabyte_line() {
    assert_generated_rejected(
        "huge.yaml",
        format!(
            "steps: [ {{ request: {{ url: \"{URL}/{}\", bogus: 1 }} }} ]\n",
            "a".repeat(TEN_MB)
        ),
    );
}

#[test]
fn a_ten_megabyte_block_scalar() {
    let line = format!("        {}\n", "b".repeat(1000));
    assert_generated_rejected(
        "huge.yaml",
        format!(
            "bogus: 1\nsteps:\n  - request:\n      url: {URL}/post\n      data: |\n{}",
            line.repeat(TEN_MB / 1000)
        ),
    );
}

#[test]
fn a_ten_megabyte_http_request_line() {
    assert_generated_rejected(
        "huge.http",
        format!("GET ftp://127.0.0.1:9/{}\n", "a".repeat(TEN_MB)),
    );
}

#[test]
fn a_ten_megabyte_http_body_full_of_open_braces() {
    let line = format!("{{{{ x{}\n", "y".repeat(1000));
    assert_generated_rejected(
        "huge.http",
        format!(
            "POST ftp://127.0.0.1:9/post\nContent-Type: text/plain\n\n{}",
            line.repeat(TEN_MB / 1000)
        ),
    );
}

#[test]
fn ten_megabytes_of_binary_junk_as_an_http_file() {
    // A xorshift stream: reproducible, and not valid UTF-8.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let junk: Vec<u8> = (0..TEN_MB)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    assert_generated_rejected("junk.http", junk);
}

#[test]
fn ten_megabytes_of_control_characters_as_an_http_file() {
    const JUNK: &[u8] = b"\x01\x02\x07\x0b\x0c\x1b\x7f{}%#@<>?\t";
    let junk: String = (0..TEN_MB)
        .map(|i| char::from(JUNK[i % JUNK.len()]))
        .collect();
    assert_generated_rejected("junk.http", junk);
}

#[test]
fn twenty_thousand_steps_then_an_error() {
    let step = format!("  - request: {{ url: {URL}/get }}\n");
    assert_generated_rejected(
        "many.yaml",
        format!("steps:\n{}  - bogus: 1\n", step.repeat(20_000)),
    );
}

#[test]
fn ten_thousand_aliases_of_a_ten_thousand_item_list() {
    let items = vec!["a"; 10_000].join(",");
    let aliases = vec!["*x"; 10_000].join(",");
    assert_generated_rejected(
        "many.yaml",
        format!("x: &x [{items}]\nvars:\n  y: [{aliases}]\nsteps:\n  - request: {{ url: /get }}\n"),
    );
}

#[test]
fn fifty_thousand_http_requests_then_an_error() {
    let request = format!("GET {URL}/get\n\n###\n");
    assert_generated_rejected(
        "many.http",
        format!("{}GET ftp://127.0.0.1:9/x\n", request.repeat(50_000)),
    );
}

#[test]
fn two_thousand_errors() {
    let errors: String = (0..2_000).map(|i| format!("bogus{i}: 1\n")).collect();
    assert_generated_rejected(
        "errors.yaml",
        format!("steps:\n  - request: {{ url: {URL}/get }}\n{errors}"),
    );
}

#[test]
fn twenty_thousand_errors() {
    let errors: String = (0..20_000).map(|i| format!("bogus{i}: 1\n")).collect();
    assert_generated_rejected(
        "errors.yaml",
        format!("steps:\n  - request: {{ url: {URL}/get }}\n{errors}"),
    );
}

// ---- messages that are located but not plain ------------------------------------------

/// Rust `Debug` renderings (`Nodes { nodes: 250001 }`) and library jargon in a message.
fn assert_plain_message(file: &str) {
    let path = format!("malformed/{file}");
    let outcome = sonde_bounded(&fixtures(), &["validate", &path], LIMIT).unwrap();
    assert_eq!(outcome.status, Some(2), "{}", outcome.output);
    // The message lines, not the quoted source line (which may well hold a `{ `).
    let messages: String = outcome
        .output
        .lines()
        .filter(|l| l.starts_with("error") || l.contains('^'))
        .collect();
    for bad in ["{ ", "budget breached", "weak recursion types"] {
        assert!(
            !messages.contains(bad),
            "{file}: the message is not a plain sentence (`{bad}`):\n{}",
            excerpt(&outcome.output)
        );
    }
}

#[test]
fn billion_laughs_is_reported_plainly() {
    assert_plain_message("billion-laughs.yaml");
}

#[test]
fn a_self_referencing_alias_is_reported_plainly() {
    assert_plain_message("alias-self-reference.yaml");
}

#[test]
fn a_diagnostic_on_a_huge_line_stays_short() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "steps: [ {{ request: {{ url: \"{URL}/{}\", bogus: 1 }} }} ]\n",
        "a".repeat(TEN_MB)
    );
    std::fs::write(dir.path().join("huge.yaml"), text).unwrap();
    let outcome = sonde_bounded(dir.path(), &["validate", "huge.yaml"], LIMIT).unwrap();
    assert_eq!(outcome.status, Some(2));
    assert!(
        outcome.output.len() < 64 * 1024,
        "{} bytes of output",
        outcome.output.len()
    );
}

// ---- inputs that are valid, however odd ------------------------------------------------

#[test]
fn a_byte_order_mark_before_a_valid_scenario_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bom.yaml"),
        format!("\u{feff}steps:\n  - request: {{ url: {URL}/get }}\n"),
    )
    .unwrap();
    let outcome = sonde_bounded(dir.path(), &["validate", "bom.yaml"], LIMIT).unwrap();
    assert_eq!(outcome.status, Some(0), "{}", outcome.output);
}

#[test]
fn thirty_levels_of_nesting_are_run() {
    // Below the depth that overflows `run`'s worker threads (see `nested_50_levels_yaml`).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nested.yaml"),
        format!(
            "bogus: 1\nvars:\n  x: {}\nsteps:\n  - request: {{ url: {URL}/get }}\n",
            nest("[", "", "]", 30)
        ),
    )
    .unwrap();
    let outcome = sonde_bounded(dir.path(), &["run", "nested.yaml"], LIMIT).unwrap();
    assert_eq!(outcome.status, Some(2), "{}", excerpt(&outcome.output));
}

// ---- regressions found by the fuzz targets ---------------------------------------------

/// `fuzz/` `predicate_eval`, minimised: a body check of `"J\n\n\n\n\n\n\n\np"` against a
/// body of 13 newlines.
const DIFF_EXPECTED: &str = "J\n\n\n\n\n\n\n\np";

#[test]
fn a_text_diff_of_blank_lines_does_not_underflow() {
    let diff = sonde::check::diff::Diff::of_text(DIFF_EXPECTED, &"\n".repeat(13));
    let text = diff.render("", false);
    assert!(!text.contains("1844674407370955"), "{text}");
}

#[test]
fn a_body_check_whose_diff_underflows_fails_the_step_plainly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers: {httpbin: builtin}\n",
    )
    .unwrap();
    // `/base64/…` answers 13 newlines.
    std::fs::write(
        dir.path().join("diff.yaml"),
        format!(
            "session: {{ base_url: \"{{{{ httpbin }}}}\" }}\nsteps:\n  - request: {{ url: /base64/CgoKCgoKCgoKCgoKCg== }}\n    expect: {{ body: {DIFF_EXPECTED:?} }}\n"
        ),
    )
    .unwrap();
    let outcome = sonde_bounded(dir.path(), &["run", "--no-progress", "diff.yaml"], LIMIT).unwrap();
    assert!(
        !outcome.output.contains("panicked"),
        "{}",
        excerpt(&outcome.output)
    );
    assert_eq!(outcome.status, Some(1), "{}", outcome.output);
    assert!(
        !outcome.output.contains("1844674407370955"),
        "{}",
        outcome.output
    );
}

/// `fuzz/` `template_render` (a 10-second timeout): a repeated list is built lazily and cost
/// nothing until it was written out, 45 million items later. Also a repeated string, a
/// loop, a repeated list inside text, and repeated lists turned into text by `~`, `string`,
/// `tojson` and `format`: every one fails its own step, quickly.
#[test]
fn templates_that_build_huge_values_fail_their_step_quickly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers: {httpbin: builtin}\n",
    )
    .unwrap();
    let bombs = [
        r#"json: { v: "{{ items * 8632832 + items * 6644929 }}" }"#,
        r#"params: { x: "{{ 'x' * 90000000 }}" }"#,
        r#"params: { x: "{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}" }"#,
        r#"params: { x: "@{{+items*  8632832 +items*  6644929  }} }}" }"#,
        // Written out by `~` and by filters, which minijinja did not meter (10 s, 900 MB
        // each): the repetition is now charged to the fuel (vendor/minijinja/PATCHED.md).
        r#"params: { x: "{{ 4 ~ [1, 2, 3] * 33333333 }}" }"#,
        r#"params: { x: "{{ (items * 33333333) | string }}" }"#,
        r#"json: { v: "{{ (items * 33333333) | tojson }}" }"#,
        r#"params: { x: "{{ '%s' | format(items * 33333333) }}" }"#,
    ];
    let steps: String = bombs
        .iter()
        .map(|b| format!("  - request: {{ url: /anything, {b} }}\n    continue_on_failure: true\n"))
        .collect();
    std::fs::write(
        dir.path().join("bombs.yaml"),
        format!(
            "session: {{ base_url: \"{{{{ httpbin }}}}\" }}\nvars: {{ items: [1, two, {{ three: 3 }}] }}\nsteps:\n{steps}  - request: {{ url: /get }}\n    expect: {{ status: 200 }}\n"
        ),
    )
    .unwrap();
    let outcome = sonde_bounded(
        dir.path(),
        &["run", "--no-progress", "--color", "never", "bombs.yaml"],
        LIMIT,
    )
    .unwrap();
    assert_eq!(outcome.status, Some(1), "{}", excerpt(&outcome.output));
    assert!(
        outcome.output.contains("1 passed, 8 failed"),
        "{}",
        excerpt(&outcome.output)
    );
    for plain in ["too large", "too much work"] {
        assert!(
            outcome.output.contains(plain),
            "{}",
            excerpt(&outcome.output)
        );
    }
}
