//! Files read beside a `.http` file: `JetBrains` environments (`http-client.env.json`,
//! `http-client.private.env.json`) and the `.env` file of `{{$dotenv NAME}}`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, Span};

pub const PUBLIC_ENV_FILE: &str = "http-client.env.json";
pub const PRIVATE_ENV_FILE: &str = "http-client.private.env.json";
/// The `JetBrains` environment whose variables every environment shares.
const SHARED: &str = "$shared";

/// An environment's variables, and the values that came from the private file: secrets, as
/// the file's name says (they are kept out of version control), redacted in every output.
#[derive(Debug, Default)]
pub(super) struct Environment {
    pub(super) vars: Vec<(String, serde_json::Value)>,
    pub(super) secrets: Vec<String>,
}

/// The variables of environment `name`, merged in this order, each overriding the previous:
/// public `$shared`, private `$shared`, public `name`, private `name`.
pub(super) fn environment_variables(
    http_file: &Arc<SourceFile>,
    name: &str,
) -> Result<Environment, Vec<Diagnostic>> {
    let dir = http_file.dir();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for file_name in [PUBLIC_ENV_FILE, PRIVATE_ENV_FILE] {
        match read_env_file(&dir.join(file_name)) {
            Ok(Some(file)) => files.push(file),
            Ok(None) => {}
            Err(d) => errors.push(*d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let known = environment_names(&files);
    if !known.iter().any(|k| k == name) {
        return Err(vec![unknown_environment(http_file, &files, name, &known)]);
    }
    let mut merged: Vec<(String, serde_json::Value)> = Vec::new();
    let mut secrets = Vec::new();
    for section in [SHARED, name] {
        for file in &files {
            if let Some(serde_json::Value::Object(vars)) = file.environments.get(section) {
                for (key, value) in vars {
                    set(&mut merged, key, value.clone());
                    if file.private {
                        secrets.extend(secret_texts(value));
                    }
                }
            }
        }
    }
    Ok(Environment {
        vars: merged,
        secrets,
    })
}

/// The texts of a private value: a string, a number, or those inside a list or mapping.
fn secret_texts(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Number(n) => vec![n.to_string()],
        serde_json::Value::Array(items) => items.iter().flat_map(secret_texts).collect(),
        serde_json::Value::Object(map) => map.values().flat_map(secret_texts).collect(),
        _ => Vec::new(),
    }
}

/// One environment file, parsed.
struct EnvFile {
    source: Arc<SourceFile>,
    /// `http-client.private.env.json`: its values are secrets.
    private: bool,
    environments: serde_json::Map<String, serde_json::Value>,
}

/// `Ok(None)` when the file does not exist.
fn read_env_file(path: &Path) -> Result<Option<EnvFile>, Box<Diagnostic>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            let source = SourceFile::new(path, "");
            return Err(Box::new(Diagnostic::new(
                &source,
                Span::UNKNOWN,
                format!("cannot read {}: {e}", path.display()),
            )));
        }
    };
    let source = SourceFile::new(path, text);
    let json: serde_json::Value = serde_json::from_str(&source.text).map_err(|e| {
        let at = Span::new(
            u32::try_from(e.line()).unwrap_or(0),
            u32::try_from(e.column()).unwrap_or(0),
        );
        Box::new(
            Diagnostic::new(&source, at, "invalid JSON in the environment file")
                .label(e.to_string()),
        )
    })?;
    let serde_json::Value::Object(environments) = json else {
        let d = Diagnostic::new(
            &source,
            Span::new(1, 1),
            "an environment file must hold a JSON object",
        )
        .note(
            "like {\"dev\": {\"host\": \"localhost:8080\"}, \"prod\": {\"host\": \"example.com\"}}",
        );
        return Err(Box::new(d));
    };
    if let Some((env, _)) = environments.iter().find(|(_, v)| !v.is_object()) {
        let d = Diagnostic::new(
            &source,
            Span::UNKNOWN,
            format!("environment `{env}` must be a JSON object of variables"),
        );
        return Err(Box::new(d));
    }
    let private = path.file_name().is_some_and(|n| n == PRIVATE_ENV_FILE);
    Ok(Some(EnvFile {
        source,
        private,
        environments,
    }))
}

fn environment_names(files: &[EnvFile]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for file in files {
        for name in file.environments.keys() {
            if name != SHARED && !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

fn unknown_environment(
    http_file: &Arc<SourceFile>,
    files: &[EnvFile],
    name: &str,
    known: &[String],
) -> Diagnostic {
    let Some(first) = files.first() else {
        let looked_at: PathBuf = http_file.dir().join(PUBLIC_ENV_FILE);
        return Diagnostic::new(
            http_file,
            Span::UNKNOWN,
            format!("unknown environment `{name}`"),
        )
        .note(format!(
            "there is no {} beside this file",
            looked_at.display()
        ));
    };
    let mut d = Diagnostic::new(
        &first.source,
        Span::UNKNOWN,
        format!("unknown environment `{name}`"),
    );
    if let Some(near) = crate::diagnostics::suggest(name, known.iter().map(String::as_str)) {
        d = d.label(format!("did you mean `{near}`?"));
    }
    d.note(if known.is_empty() {
        "the environment files define no environment".to_string()
    } else {
        format!("known environments: {}", known.join(", "))
    })
}

fn set(vars: &mut Vec<(String, serde_json::Value)>, key: &str, value: serde_json::Value) {
    match vars.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => vars.push((key.to_owned(), value)),
    }
}

/// The `.env` file beside the `.http` file, read once when `{{$dotenv}}` first asks for it.
#[derive(Debug, Default)]
pub(super) enum DotEnv {
    #[default]
    NotRead,
    Missing(PathBuf),
    Loaded {
        path: PathBuf,
        entries: Vec<(String, String)>,
    },
}

impl DotEnv {
    pub(super) fn load(&mut self, dir: &Path) -> &DotEnv {
        if matches!(self, DotEnv::NotRead) {
            let path = dir.join(".env");
            *self = match std::fs::read_to_string(&path) {
                Ok(text) => DotEnv::Loaded {
                    entries: parse_dotenv(&text),
                    path,
                },
                Err(_) => DotEnv::Missing(path),
            };
        }
        self
    }
}

/// `KEY=value` lines as dotenv reads them: `export` prefixes, `#` comments, quoted values
/// (escapes `\n`, `\t`, `\"` in double quotes), and unquoted values cut at ` #`.
pub(super) fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().to_owned();
        let value = dotenv_value(value.trim());
        match entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => entries.push((key, value)),
        }
    }
    entries
}

fn dotenv_value(raw: &str) -> String {
    for quote in ['"', '\'', '`'] {
        if let Some(inner) = raw.strip_prefix(quote)
            && let Some(end) = inner.rfind(quote)
        {
            let inner = &inner[..end];
            return if quote == '"' {
                unescape(inner)
            } else {
                inner.to_owned()
            };
        }
    }
    match raw.find(" #") {
        Some(comment) => raw[..comment].trim_end().to_owned(),
        None => raw.to_owned(),
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dotenv_files() {
        let text =
            "# c\nA=1\nexport B = two words # note\nC=\"x\\ny\"\nD='$raw'\nnot a pair\nA=3\nE=\n";
        let entries = parse_dotenv(text);
        let get = |k: &str| {
            entries
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("A"), Some("3"));
        assert_eq!(get("B"), Some("two words"));
        assert_eq!(get("C"), Some("x\ny"));
        assert_eq!(get("D"), Some("$raw"));
        assert_eq!(get("E"), Some(""));
        assert_eq!(entries.len(), 5);
    }

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn merges_shared_public_and_private_environments() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            PUBLIC_ENV_FILE,
            r#"{"$shared": {"a": "shared", "b": 1}, "dev": {"a": "dev", "c": true}, "prod": {}}"#,
        );
        write(dir.path(), PRIVATE_ENV_FILE, r#"{"dev": {"c": "secret"}}"#);
        let http = SourceFile::new(dir.path().join("t.http"), "");
        let environment = environment_variables(&http, "dev").unwrap();
        let shown: Vec<String> = environment
            .vars
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(shown, vec!["a=\"dev\"", "b=1", "c=\"secret\""]);
        // What came from the private file is secret.
        assert_eq!(environment.secrets, vec!["secret"]);
    }

    #[test]
    fn an_unknown_environment_lists_the_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), PUBLIC_ENV_FILE, r#"{"dev": {}, "prod": {}}"#);
        let http = SourceFile::new(dir.path().join("t.http"), "");
        let errors = environment_variables(&http, "dve").unwrap_err();
        let text = errors[0].to_string();
        assert!(text.contains("unknown environment `dve`"), "{text}");
        assert!(text.contains("known environments: dev, prod"), "{text}");
    }

    #[test]
    fn a_missing_environment_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let http = SourceFile::new(dir.path().join("t.http"), "");
        let errors = environment_variables(&http, "dev").unwrap_err();
        assert!(
            errors[0].notes[0].contains(PUBLIC_ENV_FILE),
            "{:?}",
            errors[0].notes
        );
    }

    #[test]
    fn invalid_json_is_reported_with_its_position() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), PUBLIC_ENV_FILE, "{\n  \"dev\": {,}\n}");
        let http = SourceFile::new(dir.path().join("t.http"), "");
        let errors = environment_variables(&http, "dev").unwrap_err();
        assert!(
            errors[0]
                .location()
                .ends_with(&format!("{PUBLIC_ENV_FILE}:2:11")),
            "{}",
            errors[0].location()
        );
    }
}
