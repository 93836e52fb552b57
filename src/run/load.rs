//! From paths to checked scenarios, shared by `sonde run` and `sonde validate`: the config,
//! then each file loaded and given the same static checks, so a file `validate` accepts is a
//! file `run` sends, and one it refuses is refused by `run` before anything is sent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sonde_core::analysis::{check_schema_files, check_variables};
use sonde_core::config::Config;
use sonde_core::{self as scenario, Diagnostic, Loaded};

/// The config named with `--config`, else a `sonde.yaml` beside the scenarios, else none.
pub(crate) fn load_config(
    explicit: Option<&Path>,
    paths: &[PathBuf],
) -> Result<Config, Vec<Diagnostic>> {
    let Some(path) = explicit
        .map(Path::to_path_buf)
        .or_else(|| Config::find(paths))
    else {
        return Ok(Config::default());
    };
    let source = scenario::read_source(&path)?;
    Config::load(&source)
}

/// Loads one file and checks it as far as can be done without sending anything: every
/// template names a variable in scope (`defined` holds what the run defines: `--var`s,
/// config vars, server names), every schema file can be used.
pub(crate) fn load_checked(
    path: &Path,
    defined: &BTreeSet<String>,
    http_env: Option<&str>,
) -> Result<Loaded, Vec<Diagnostic>> {
    let loaded = scenario::load(path, http_env)?;
    let problems = static_checks(&loaded, defined);
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(problems)
    }
}

/// The checks of [`load_checked`] on a file already loaded.
pub(crate) fn static_checks(loaded: &Loaded, defined: &BTreeSet<String>) -> Vec<Diagnostic> {
    let mut problems = check_variables(&loaded.scenario, defined);
    problems.extend(check_schema_files(&loaded.scenario));
    problems
}
