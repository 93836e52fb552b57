//! From paths to checked scenarios, shared by `sonde run` and `sonde validate`: the config,
//! then each file loaded and given the same static checks, so a file `validate` accepts is a
//! file `run` sends, and one it refuses is refused by `run` before anything is sent.

use std::collections::{BTreeSet, HashMap};
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

/// The configs of a run's files: `--config F` for every file, else each file's nearest
/// `sonde.yaml` (SPEC §5), so `sonde run .` in a repository of several suites runs each with
/// its own config. Each config is read once.
pub(crate) struct Configs {
    /// Each config, with where it was read from (`None`: no config, the defaults).
    pub(crate) configs: Vec<(Option<PathBuf>, Config)>,
    /// For the file at each position of the run's list, the index of its config.
    pub(crate) of_file: Vec<usize>,
}

/// Reads the configs of `files`; the diagnostics of every config that does not load. The
/// run's own config (`load_config`), already read, is taken as it is where a file uses it.
pub(crate) fn configs_of(
    explicit: Option<&Path>,
    files: &[PathBuf],
    read: &Config,
) -> Result<Configs, Vec<Diagnostic>> {
    let mut configs: Vec<(Option<PathBuf>, Config)> = Vec::new();
    let mut of_file = Vec::with_capacity(files.len());
    let mut problems = Vec::new();
    // The files of a suite share folders: each folder is searched once.
    let mut nearest_of_dir: HashMap<&Path, Option<PathBuf>> = HashMap::new();
    let read_path = read.source.as_ref().map(|source| source.path.as_path());
    for file in files {
        let path = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => nearest_of_dir
                .entry(file.parent().unwrap_or(Path::new("")))
                .or_insert_with(|| Config::nearest(file))
                .clone(),
        };
        if let Some(known) = configs.iter().position(|(p, _)| *p == path) {
            of_file.push(known);
            continue;
        }
        let config = match &path {
            None => Ok(Config::default()),
            Some(path) if Some(path.as_path()) == read_path => Ok(read.clone()),
            Some(path) => scenario::read_source(path).and_then(|source| Config::load(&source)),
        };
        match config {
            Ok(config) => configs.push((path, config)),
            Err(diagnostics) => {
                problems.extend(diagnostics);
                configs.push((path, Config::default()));
            }
        }
        of_file.push(configs.len() - 1);
    }
    if problems.is_empty() {
        Ok(Configs { configs, of_file })
    } else {
        Err(problems)
    }
}
