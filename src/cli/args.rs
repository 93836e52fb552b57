//! The command line, parsed once into these structs (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "sonde",
    version,
    about = "A declarative HTTP test runner: YAML scenarios and .http files, JUnit, JSON and HTML reports",
    after_help = "Exit status: 0 every step passed (a flaky file counts as passed), 1 a step \
                  failed, 2 invalid input or usage, 4 no step was selected to run \
                  (--no-tests), 130/143 interrupted (SIGINT/SIGTERM)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files and directories.
    Run(RunArgs),
    /// Parse, template-check and schema-check files without sending anything.
    Validate(ValidateArgs),
    /// Run the embedded httpbin-compatible server in the foreground.
    Serve(ServeArgs),
    /// Print the JSON Schema of the scenario format.
    Schema,
    /// Print each step of a file as an equivalent `curl` command.
    Curl(CurlArgs),
    /// Merge `JUnit` reports (of shards) into one, written to standard output or `--output`.
    MergeJunit(MergeJunitArgs),
    /// Print a shell's completion script: `sonde completions bash > /etc/bash_completion.d/sonde`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `sonde man > sonde.1; man ./sonde.1`.
    Man,
}

#[derive(Debug, Args, Clone)]
pub struct CurlArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// Only the steps with this name.
    #[arg(long, value_name = "NAME")]
    pub step: Option<String>,
    /// Show credentials instead of `***`.
    #[arg(long)]
    pub show_secrets: bool,
    #[command(flatten)]
    pub variables: VariableArgs,
}

#[derive(Debug, Args, Clone)]
pub struct MergeJunitArgs {
    /// The reports to merge.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// Write the merged report here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What selects files and defines variables, shared by `run` and `validate`.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// Files and directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub variables: VariableArgs,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Where templates take their values from, shared by every command that reads scenarios.
#[derive(Debug, Args, Clone, Default)]
pub struct VariableArgs {
    /// Set a variable: `--var name=value` (repeatable; overrides values written in files).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_key_value)]
    pub vars: Vec<(String, String)>,
    /// Read variables from a YAML mapping or `.env` lines.
    #[arg(long = "vars-file", value_name = "FILE")]
    pub vars_files: Vec<PathBuf>,
    /// Set a secret variable, shown as `***` in every output.
    #[arg(long = "secret", value_name = "NAME=VALUE", value_parser = parse_key_value)]
    pub secrets: Vec<(String, String)>,
    /// The config file (default: `sonde.yaml` beside the scenarios).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The environment of `http-client.env.json` for `.http` files.
    #[arg(long = "env", value_name = "NAME")]
    pub http_env: Option<String>,
}

impl VariableArgs {
    /// The variables the command line defines.
    pub fn run_vars(&self) -> Result<sonde_core::vars::RunVars, sonde_core::vars::VarsError> {
        sonde_core::vars::RunVars::new(&self.vars, &self.vars_files, &self.secrets)
    }
}

#[derive(Debug, Args, Clone, Default)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Files run in parallel.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only files or steps with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Skip files or steps with this tag (repeatable).
    #[arg(long = "skip-tag", value_name = "TAG")]
    pub skip_tags: Vec<String>,
    /// Run only files or steps whose name contains this text.
    #[arg(long, value_name = "SUBSTR")]
    pub filter: Option<String>,
    /// Stop scheduling new files after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// Run a failed file again, from its first step, up to N times; one that then passes is
    /// reported flaky.
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// What a run that selects no step does: fail (exit 4), warn (exit 0), pass.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = NoTests::Fail)]
    pub no_tests: NoTests,
    /// Run part i of n of the files: `--shard 1/3`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Write a `JUnit` XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write an HTML report: one self-contained page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print each request and response (secrets redacted).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// No progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// The largest response body held in memory (default 64MiB).
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// The port (0: any free port).
    #[arg(long, short = 'p', default_value_t = 8080)]
    pub port: u16,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// A `--var` or `--secret` that is not `NAME=VALUE`.
#[derive(Debug, thiserror::Error)]
#[error("expected NAME=VALUE, got `{0}`")]
pub struct NotKeyValue(String);

/// `--no-tests`: a typo in a `--tag` or a path must not turn a pipeline green.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum NoTests {
    #[default]
    Fail,
    Warn,
    Pass,
}

fn parse_key_value(text: &str) -> Result<(String, String), NotKeyValue> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(NotKeyValue(text.to_owned())),
    }
}
