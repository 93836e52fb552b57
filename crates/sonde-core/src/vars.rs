//! Variables given on the command line: `--var`, `--vars-file`, `--secret`.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::node::{self, NodeKind};

/// Why a vars file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VarsError {
    #[error("{}: cannot read the vars file: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A `.yaml`, `.yml` or `.json` file that is not YAML.
    #[error("{}:{line}:{col}: invalid YAML: {message}", .path.display())]
    Yaml {
        path: PathBuf,
        line: u32,
        col: u32,
        message: String,
    },
    /// A YAML file whose document is not a mapping.
    #[error("{}: a vars file holds a mapping of names to values", .path.display())]
    NotAMapping { path: PathBuf },
    /// A `.env` line that is not `NAME=value`.
    #[error("{}:{}:1: {source}", .path.display(), .source.line)]
    Dotenv {
        path: PathBuf,
        #[source]
        source: DotenvError,
    },
}

/// A `.env` line that is not `NAME=value`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected NAME=value, found `{found}`")]
pub struct DotenvError {
    /// 1-based.
    pub line: usize,
    /// The line, trimmed.
    pub found: String,
}

/// Variables defined by the run, strongest last-written: `--vars-file` then `--var`, then `--secret`.
#[derive(Debug, Clone, Default)]
pub struct RunVars {
    pub values: IndexMap<String, serde_json::Value>,
    /// Names whose values must never be shown.
    pub secret_names: Vec<String>,
}

impl RunVars {
    pub fn new(
        vars: &[(String, String)],
        files: &[impl AsRef<Path>],
        secrets: &[(String, String)],
    ) -> Result<RunVars, VarsError> {
        let mut run = RunVars::default();
        for file in files {
            for (k, v) in read_vars_file(file.as_ref())? {
                run.values.insert(k, v);
            }
        }
        for (k, v) in vars {
            run.values
                .insert(k.clone(), serde_json::Value::String(v.clone()));
        }
        for (k, v) in secrets {
            run.values
                .insert(k.clone(), serde_json::Value::String(v.clone()));
            run.secret_names.push(k.clone());
        }
        Ok(run)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

/// A YAML mapping, or `.env` lines (`NAME=value`, `#` comments, optional `export`, quotes).
pub fn read_vars_file(path: &Path) -> Result<Vec<(String, serde_json::Value)>, VarsError> {
    let text = std::fs::read_to_string(path).map_err(|source| VarsError::Read {
        path: path.to_owned(),
        source,
    })?;
    let is_yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    );
    if is_yaml {
        let root = node::parse(&text).map_err(|e| VarsError::Yaml {
            path: path.to_owned(),
            line: e.span.line,
            col: e.span.col,
            message: e.message,
        })?;
        return match root.kind {
            NodeKind::Map(entries) => Ok(entries
                .iter()
                .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                .collect()),
            NodeKind::Null => Ok(Vec::new()),
            _ => Err(VarsError::NotAMapping {
                path: path.to_owned(),
            }),
        };
    }
    parse_dotenv(&text).map_err(|source| VarsError::Dotenv {
        path: path.to_owned(),
        source,
    })
}

/// `.env` lines into pairs; errors carry the 1-based line.
pub fn parse_dotenv(text: &str) -> Result<Vec<(String, serde_json::Value)>, DotenvError> {
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            return Err(DotenvError {
                line: index + 1,
                found: line.to_owned(),
            });
        };
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
            .unwrap_or(value);
        out.push((
            name.trim().to_string(),
            serde_json::Value::String(unquoted.to_string()),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dotenv_lines() {
        let vars = parse_dotenv("# c\nA=1\nexport B = \"two words\"\n\nC='x=y'\n").unwrap();
        let names: Vec<_> = vars
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
            .collect();
        assert_eq!(names, ["A=1", "B=two words", "C=x=y"]);
        let error = parse_dotenv("oops\n").unwrap_err();
        assert_eq!(error.line, 1);
        assert_eq!(error.to_string(), "expected NAME=value, found `oops`");
    }

    #[test]
    fn command_line_overrides_files_and_secrets_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("v.yaml");
        std::fs::write(&file, "a: 1\nb: {c: true}\n").unwrap();
        let run = RunVars::new(
            &[("a".into(), "cli".into())],
            &[file],
            &[("token".into(), "s3cret".into())],
        )
        .unwrap();
        assert_eq!(run.values["a"], "cli");
        assert_eq!(run.values["b"], serde_json::json!({"c": true}));
        assert_eq!(run.secret_names, ["token"]);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let message = |name: &str, text: &str| {
            let file = dir.path().join(name);
            std::fs::write(&file, text).unwrap();
            let error = read_vars_file(&file).unwrap_err().to_string();
            let prefix = file.display().to_string();
            error.strip_prefix(&prefix).unwrap().to_owned()
        };
        assert_eq!(
            message("v.env", "A=1\noops\n"),
            ":2:1: expected NAME=value, found `oops`"
        );
        assert_eq!(
            message("v.yaml", "- a\n"),
            ": a vars file holds a mapping of names to values"
        );
        assert!(message("v.yml", "a: [\n").contains(": invalid YAML: "));
        let file = dir.path().join("none.env");
        let missing = read_vars_file(&file).unwrap_err();
        assert!(matches!(missing, VarsError::Read { .. }));
        assert!(
            missing
                .to_string()
                .starts_with(&format!("{}: cannot read the vars file: ", file.display()))
        );
    }
}
