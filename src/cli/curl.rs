//! `sonde curl FILE [--step NAME]`: each step as a runnable `curl` command. Templates are
//! resolved where they can be without sending: captures of earlier steps and the URLs of
//! the config's servers stay as `{{name}}` placeholders, said in a comment.

use super::args::CurlArgs;
use super::error::CliError;
use crate::engine::prepare::{Layers, PrepareError, prepare};
use crate::engine::scope::Scope;
use crate::exit::Exit;
use crate::report::redact::Redactor;
use crate::run::configs_of;
use sonde_core as scenario;

pub(super) fn curl(args: &CurlArgs) -> Result<Exit, CliError> {
    let run_vars = args.variables.run_vars()?;
    let loaded = scenario::load(&args.file, args.variables.http_env.as_deref())
        .map_err(CliError::Invalid)?;
    // The file's own config: `--config`, else its nearest `sonde.yaml`.
    let config = configs_of(
        args.variables.config.as_deref(),
        std::slice::from_ref(&args.file),
        &sonde_core::config::Config::default(),
    )
    .map_err(CliError::Invalid)?
    .configs
    .swap_remove(0)
    .1;
    let scenario = &loaded.scenario;
    let mut vars = indexmap::IndexMap::new();
    for server in &config.servers {
        let name = &server.name.value;
        if !run_vars.values.contains_key(name) {
            println!(
                "# `{name}` is a server sonde starts (sonde.yaml): shown as http://localhost:8080 \
                 (`sonde serve --port 8080`); pass --var {name}=URL for another"
            );
            vars.insert(
                name.clone(),
                serde_json::Value::String("http://localhost:8080".into()),
            );
        }
    }
    vars.extend(run_vars.values.clone());
    let secrets = run_vars
        .secret_names
        .iter()
        .filter_map(|n| run_vars.values.get(n))
        .filter_map(|v| v.as_str().map(str::to_owned));
    // The private environment of a `.http` file is secret, as `--secret` values are.
    let redactor = Redactor::new(secrets.chain(loaded.secrets.iter().cloned()));
    let dir = scenario.source.dir().to_path_buf();
    let mut scope = Scope::new(&dir, &vars, &config.vars, &scenario.vars);
    let mut printed = 0;
    let mut outcome = Exit::Success;
    for step in &scenario.steps {
        let selected = args.step.as_ref().is_none_or(|name| &step.name == name);
        if selected {
            let layers = Layers([&config.session, &scenario.session, &step.request.settings]);
            let prepared = scope
                .enter_step(&step.vars)
                .map_err(PrepareError::from)
                .and_then(|()| {
                    prepare(
                        &step.request,
                        &layers,
                        &scope,
                        &dir,
                        crate::transport::DEFAULT_MAX_BODY,
                    )
                });
            println!("# {}", step.name);
            match prepared {
                Ok(prepared) => {
                    let mut redactor = redactor.clone();
                    if !args.show_secrets {
                        redactor.extend(crate::engine::secrets_of(&prepared));
                    }
                    println!(
                        "{}\n",
                        crate::report::curl::command(&prepared, args.show_secrets, &redactor)
                    );
                }
                Err(error) => {
                    // Said here and the other steps still printed: the exit status says it.
                    let message = redactor.redact(&error.to_string());
                    eprintln!("error: step `{}`: {message}", step.name);
                    outcome = Exit::Invalid;
                }
            }
            printed += 1;
        }
        // What later steps capture is not known without sending: a placeholder stands in.
        for capture in &step.capture {
            let name = &capture.name.value;
            scope.capture(name, serde_json::Value::String(format!("{{{{{name}}}}}")));
        }
    }
    if printed == 0 {
        return Err(CliError::NoSuchStep {
            step: args.step.clone().unwrap_or_default(),
            file: args.file.display().to_string(),
        });
    }
    Ok(outcome)
}
