//! The `.http` parser, then the template-variable analysis, on any text; every diagnostic
//! is rendered.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use sonde_core::{SourceFile, analysis, http_file};

#[path = "common.rs"]
mod common;

fuzz_target!(init: common::quiet_expected_panics(), |text: &str| {
    // `< file` bodies and `$dotenv` are read relative to the file: keep them in a
    // directory that holds nothing.
    common::on_worker_stack(|| {
        let source = SourceFile::new("/nonexistent-sonde-fuzz/f.http", text);
        match http_file::load(&source) {
            Ok(http) => {
                common::render_all(&analysis::check_variables(&http.scenario, &BTreeSet::new()))
            }
            Err(diagnostics) => {
                assert!(!diagnostics.is_empty(), "an error without a diagnostic");
                common::render_all(&diagnostics);
            }
        }
    });
});
