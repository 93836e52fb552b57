//! Which files a run takes: directories searched recursively in a stable order.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sonde_core::Syntax;
use sonde_core::config::CONFIG_FILE_NAMES;

/// What discovery found.
#[derive(Debug, Default)]
pub(crate) struct Discovered {
    /// Scenario files, in a stable order: arguments in the order given, each directory sorted.
    pub files: Vec<PathBuf>,
    /// YAML files passed over because they have no top-level `steps` (shown with `--verbose`).
    pub passed_over: Vec<PathBuf>,
    /// Paths given that do not exist.
    pub missing: Vec<PathBuf>,
    /// Folders and scenario files met on the way that cannot be read, and why: an error for
    /// that path (exit 2), never a file silently left out.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Finds the scenario files under `paths` (the current directory when empty).
///
/// In directories: `*.yaml`/`*.yml` holding a top-level `steps`, and `*.http`/`*.rest`;
/// hidden directories and `target`/`node_modules` are not entered. Files named explicitly
/// are always taken. `sonde.yaml` is a config, never a scenario.
pub(crate) fn discover(paths: &[PathBuf]) -> Discovered {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut found = Discovered::default();
    // Directories given twice, or a file inside a directory also given, are taken once.
    let mut seen = HashSet::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut found, &mut seen);
        } else if path.is_file() {
            if !is_config(path) && seen.insert(path.clone()) {
                found.files.push(path.clone());
            }
        } else {
            found.missing.push(path.clone());
        }
    }
    found
}

fn walk(dir: &Path, found: &mut Discovered, seen: &mut HashSet<PathBuf>) {
    let entries = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_skipped_dir(e));
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error.path().unwrap_or(dir).to_path_buf();
                let why = error
                    .io_error()
                    .map_or_else(|| error.to_string(), ToString::to_string);
                found.unreadable.push((path, why));
                continue;
            }
        };
        let path = entry.path();
        if Syntax::of(path).is_none() || is_config(path) || seen.contains(path) {
            continue;
        }
        // A link is followed: to a scenario it is one, and a broken one is said.
        if entry.file_type().is_symlink() {
            match std::fs::metadata(path) {
                Ok(target) if target.is_file() => {}
                Ok(_) => continue,
                Err(e) => {
                    found.unreadable.push((path.to_path_buf(), e.to_string()));
                    continue;
                }
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        let is_scenario = match Syntax::of(path) {
            Some(Syntax::Http) => true,
            Some(Syntax::Yaml) if has_top_level_steps(path) => true,
            Some(Syntax::Yaml) => {
                found.passed_over.push(path.to_path_buf());
                false
            }
            None => false,
        };
        if is_scenario {
            seen.insert(path.to_path_buf());
            found.files.push(path.to_path_buf());
        }
    }
}

fn is_skipped_dir(entry: &walkdir::DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    entry.file_type().is_dir()
        && (name.starts_with('.') || name == "target" || name == "node_modules")
}

fn is_config(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| CONFIG_FILE_NAMES.contains(&n))
}

/// A cheap look for a `steps:` key at the top level, without parsing the YAML. The file is
/// read a block at a time and the look stops at the first such line, which most scenarios
/// have near their top: three system calls a file rather than `fs::read`'s five.
/// A file that cannot be opened is taken: loading it then says why, for that file.
fn has_top_level_steps(path: &Path) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else {
        return true;
    };
    let mut text = Vec::new();
    let mut block = [0u8; 4096];
    // Where the first line not yet looked at starts.
    let mut unread = 0;
    loop {
        let read = match std::io::Read::read(&mut file, &mut block) {
            Ok(0) => return is_steps_line(&text[unread..]),
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return true,
        };
        text.extend_from_slice(&block[..read]);
        while let Some(end) = memchr::memchr(b'\n', &text[unread..]) {
            if is_steps_line(&text[unread..unread + end]) {
                return true;
            }
            unread += end + 1;
        }
    }
}

fn is_steps_line(line: &[u8]) -> bool {
    line.starts_with(b"steps:") || line.starts_with(b"\"steps\":") || line.starts_with(b"'steps':")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_scenarios_in_sorted_order_and_skips_configs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/.hidden")).unwrap();
        std::fs::write(root.join("b/z.yaml"), "steps: []\n").unwrap();
        std::fs::write(root.join("b/a.http"), "GET http://x\n").unwrap();
        std::fs::write(root.join("b/.hidden/h.yaml"), "steps: []\n").unwrap();
        std::fs::write(root.join("a.yml"), "name: x\nsteps:\n").unwrap();
        std::fs::write(root.join("data.yaml"), "key: value\n").unwrap();
        std::fs::write(root.join("sonde.yaml"), "steps: []\n").unwrap();
        std::fs::write(root.join("notes.txt"), "steps:\n").unwrap();
        // Past the first block, and on a last line without a line break.
        let long = format!(
            "name: x\nvars: {{ a: \"{}\" }}\n'steps': []",
            "a".repeat(5000)
        );
        std::fs::write(root.join("long.yaml"), long).unwrap();
        std::fs::write(root.join("nested.yaml"), "x:\n  steps: []\n").unwrap();
        let found = discover(&[root.to_path_buf()]);
        let names: Vec<_> = found
            .files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.yml", "b/a.http", "b/z.yaml", "long.yaml"]);
        assert_eq!(
            found.passed_over,
            [root.join("data.yaml"), root.join("nested.yaml")]
        );
    }

    #[test]
    fn takes_explicit_files_and_reports_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain.yaml");
        std::fs::write(&file, "key: 1\n").unwrap();
        let found = discover(&[file.clone(), dir.path().join("nope.yaml")]);
        assert_eq!(found.files, [file]);
        assert_eq!(found.missing.len(), 1);
    }
}
