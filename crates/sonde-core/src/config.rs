//! `sonde.yaml`: what a whole run shares (vars, session defaults, jobs, retries, reports,
//! servers).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::diagnostics::Diagnostic;
use super::model::{Settings, Text, Vars};
use super::node::{Node, NodeKind};
use super::reader::Reader;
use super::source::{SourceFile, Spanned};
use super::yaml;

pub const CONFIG_FILE_NAMES: [&str; 2] = ["sonde.yaml", "sonde.yml"];
const CONFIG_KEYS: &[&str] = &["vars", "session", "jobs", "retries", "reports", "servers"];

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub source: Option<Arc<SourceFile>>,
    pub vars: Vars,
    pub session: Settings,
    pub jobs: Option<usize>,
    /// `retries: N`: a failed file is run again up to N times (`--retries`).
    pub retries: Option<u32>,
    pub reports: Reports,
    pub servers: Vec<Server>,
}

#[derive(Debug, Clone, Default)]
pub struct Reports {
    pub junit: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Server {
    /// Also the variable that holds the server's URL.
    pub name: Spanned<String>,
    pub kind: ServerKind,
}

#[derive(Debug, Clone)]
pub enum ServerKind {
    /// The embedded httpbin-compatible server, on a free port.
    Builtin,
    /// A command started before the run; `{{ port }}` is a free port, `ready` is polled until 2xx.
    Command {
        command: Text,
        ready: Option<Text>,
        timeout: std::time::Duration,
    },
}

impl Config {
    /// The config file that applies to `paths`: `sonde.yaml` in the first directory given
    /// (or beside the first file), else in the current directory.
    pub fn find(paths: &[PathBuf]) -> Option<PathBuf> {
        let dirs = paths
            .iter()
            .map(|p| {
                if p.is_dir() {
                    p.clone()
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or_default()
                }
            })
            .chain(std::iter::once(PathBuf::from(".")));
        dirs.flat_map(|dir| CONFIG_FILE_NAMES.map(|name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    }

    /// The config of one scenario file: the nearest `sonde.yaml` in its folder or above, up
    /// to the folder the run was started from (SPEC §5). A file outside that folder looks in
    /// its own folder only.
    pub fn nearest(file: &Path) -> Option<PathBuf> {
        let dir = file.parent().unwrap_or(Path::new(""));
        let relative = if dir.is_absolute() {
            std::env::current_dir()
                .ok()
                .and_then(|cwd| dir.strip_prefix(cwd).ok().map(Path::to_path_buf))
        } else if dir
            .components()
            .any(|c| c == std::path::Component::ParentDir)
        {
            None
        } else {
            Some(dir.to_path_buf())
        };
        let candidates: Vec<PathBuf> = match relative {
            // `a/b` is searched in `a/b`, `a` and `` (the current folder).
            Some(relative) => relative.ancestors().map(Path::to_path_buf).collect(),
            None => vec![dir.to_path_buf()],
        };
        candidates
            .iter()
            .flat_map(|dir| CONFIG_FILE_NAMES.map(|name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    }

    pub fn load(source: &Arc<SourceFile>) -> Result<Config, Vec<Diagnostic>> {
        let root = yaml::parse_document(source)?;
        let mut r = Reader::new(source);
        let config = read_config(&mut r, &root);
        match config {
            Some(c) if r.errors.is_empty() => Ok(c),
            _ => Err(r.errors),
        }
    }

    /// The names the config defines for templates: its vars and its servers.
    pub fn defined_names(&self) -> impl Iterator<Item = &str> {
        self.vars
            .0
            .iter()
            .map(|(k, _)| k.value.as_str())
            .chain(self.servers.iter().map(|s| s.name.value.as_str()))
    }
}

fn read_config(r: &mut Reader, root: &Node) -> Option<Config> {
    let mut config = Config {
        source: Some(Arc::clone(r.source)),
        ..Config::default()
    };
    if root.is_null() {
        return Some(config);
    }
    let f = r.fields(root, "the config", CONFIG_KEYS)?;
    config.vars = yaml::read_vars(r, f.get("vars"));
    if let Some(n) = f.get("session") {
        let sf = r.fields(n, "session", yaml::SETTINGS_KEYS)?;
        config.session = yaml::read_settings(r, &sf);
    }
    if let Some(n) = f.get("jobs") {
        config.jobs = r
            .unsigned(n, "a number of parallel files", 4096)
            .map(|j| j as usize);
    }
    if let Some(n) = f.get("retries") {
        config.retries = r
            .unsigned(n, "a number of times a failed file is run again", 100)
            .map(|n| n as u32);
    }
    if let Some(n) = f.get("reports") {
        let rf = r.fields(n, "reports", &["junit", "json", "html"])?;
        let path = |r: &mut Reader, key: &str| {
            rf.get(key)
                .and_then(|n| r.string(n, "a file path"))
                .map(|s| PathBuf::from(s.value))
        };
        config.reports = Reports {
            junit: path(r, "junit"),
            json: path(r, "json"),
            html: path(r, "html"),
        };
    }
    if let Some(n) = f.get("servers") {
        config.servers = read_servers(r, n)?;
    }
    Some(config)
}

fn read_servers(r: &mut Reader, node: &Node) -> Option<Vec<Server>> {
    let entries = r.entries(node, "a mapping of server names", false)?;
    let mut servers = Vec::with_capacity(entries.len());
    for (name, value) in entries {
        if !yaml::is_identifier(&name.value) {
            r.error(
                name.span,
                format!(
                    "`{}` is not a valid server name: it becomes a variable",
                    name.value
                ),
            );
            continue;
        }
        let kind = match &value.kind {
            NodeKind::Str(s) if s == "builtin" => Some(ServerKind::Builtin),
            NodeKind::Map(_) => read_command_server(r, value),
            _ => {
                r.type_error(value, "`builtin` or `{command, ready}`");
                None
            }
        };
        if let Some(kind) = kind {
            servers.push(Server { name, kind });
        }
    }
    Some(servers)
}

fn read_command_server(r: &mut Reader, node: &Node) -> Option<ServerKind> {
    let f = r.fields(node, "a server", &["command", "ready", "timeout"])?;
    let Some(command) = f.get("command") else {
        r.error(node.span, "a server needs `command` (or write `builtin`)");
        return None;
    };
    let command = r.text(command, "a command line")?;
    let ready = match f.get("ready") {
        Some(n) => Some(r.text(n, "a URL polled until it answers 2xx")?),
        None => None,
    };
    let timeout = match f.get("timeout") {
        Some(n) => r.duration(n)?,
        None => std::time::Duration::from_secs(30),
    };
    Some(ServerKind::Command {
        command,
        ready,
        timeout,
    })
}
