//! The YAML scenario loader, then the template-variable analysis `validate` runs, on any
//! text; every diagnostic is rendered.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use sonde_core::{SourceFile, analysis, yaml};

#[path = "common.rs"]
mod common;

fuzz_target!(init: common::quiet_expected_panics(), |text: &str| {
    common::on_worker_stack(|| {
        let source = SourceFile::new("f.yaml", text);
        match yaml::load(&source) {
            Ok(scenario) => {
                common::render_all(&analysis::check_variables(&scenario, &BTreeSet::new()))
            }
            Err(diagnostics) => {
                assert!(!diagnostics.is_empty(), "an error without a diagnostic");
                common::render_all(&diagnostics);
            }
        }
    });
});
