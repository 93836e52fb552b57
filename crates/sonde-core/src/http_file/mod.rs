//! `.http` / `.rest` files, as the VS Code REST Client, the `JetBrains` HTTP client and httpyac
//! write them, read into the same [`Scenario`] model as YAML files: one step per request.
//!
//! # What is read
//! - Blocks are separated by lines starting with `###` (so `#####…` rulers too); the text after
//!   the hashes names the request of the block. `# @name NAME` (or `// @name`) names it too and
//!   wins. A one-word title can be referenced like an `@name`.
//! - `#` and `//` lines are comments wherever they stand, in bodies too (as in the REST Client).
//! - `@name = value` defines a variable (see "Variables").
//! - The request line is `METHOD target [HTTP/x]` (any method token) or a target alone (GET).
//!   Lines starting with `?` or `&`, and indented lines, right after it continue the URL. An
//!   origin-form target (`/path`) is joined to the `Host` header (`https` on ports 443 and
//!   8443) and that header is not sent again; without a `Host` it stays relative, for a
//!   `base_url` of the config. `example.com/x` gets `http://`.
//! - Headers run to the first blank line. `Content-Length` is dropped (sonde computes it).
//!   `Authorization: Basic user:pass` / `Basic user pass` and `Authorization: Digest user pass`
//!   (REST Client shorthands) become the step's `auth`.
//! - The body runs to the next separator, trailing blank lines removed; see `body` and
//!   `multipart` for files, forms, multipart and GraphQL. Other bodies (JSON included) are
//!   raw text, sent with the `Content-Type` the user wrote.
//! - `?? …` lines are httpyac assertions, see `assertions`.
//! - `<> file` lines (links the `JetBrains` IDE writes to responses it saved) are history, not
//!   part of the test: they are ignored.
//! - Directives: `@no-redirect` (`allow_redirects: false`), `@no-cookie-jar`
//!   ([`HttpScenario::no_cookie_jar`]), `@timeout N` (read timeout) and
//!   `@connection-timeout N` (seconds, or with a unit: `500 ms`, `2 m`), `@disabled` (the step
//!   is skipped). `@no-log` and `@note` only concern an editor and are ignored. Directives
//!   written before the first request apply to every request. Any other directive is reported.
//!
//! # Variables
//! `{{name}}` is already minijinja, the template language of sonde. What is translated:
//! - names that are not template identifiers: every character other than an ASCII letter,
//!   digit or `_` becomes `__` (`{{Catalog.API_HostAddress}}` is `Catalog__API_HostAddress`),
//!   a leading digit gets a `_` in front, and a keyword or a sonde global gets a trailing `_`
//!   (`@env` is `env_`). Definitions and references are rewritten alike; see `names`.
//! - system variables: `$guid` / `$uuid` / `$random.uuid` → `uuid()`, `$timestamp [±N unit]`
//!   → `timestamp()` (± the offset), `$isoTimestamp` / `$datetime iso8601` → `now()`,
//!   `$randomInt min max` → `random_int(min, max - 1)` (the REST Client excludes `max`, sonde
//!   includes it), `$processEnv NAME` / `$env.NAME` → `env.NAME` (unset, it is an error, where
//!   the REST Client sends an empty string), `$processEnv %var` → `env[var]`, `$dotenv NAME` → a
//!   `dotenv__NAME` file variable holding the value read from `.env` beside the file when it
//!   loads. Other system variables are errors.
//! - `{{login.response.body.$.token}}`, `{{login.response.body.token}}` (httpyac),
//!   `{{login.response.body.*}}` and `{{login.response.headers.X-Token}}`: a capture is added
//!   to the step `login`, named `login__body__token` / `login__body` /
//!   `login__headers__X_Token` (letters and digits of the path kept, other runs made `_`; `_2`
//!   added should the name be taken), and the reference reads that variable. A reference to an
//!   unknown request, to the request itself or to a later one is an error.
//! - `{%` and `{#` mean nothing in a `.http` file: they are escaped so that they stay text.
//!
//! File variables become the scenario's `vars`, in file order after those of the environment
//! (`--env NAME`: `http-client.env.json`, then `http-client.private.env.json`, `$shared`
//! first; a file variable wins over an environment variable of the same name). A value is
//! trimmed and `\n`, `\r`, `\t`, `\\` in it are unescaped as the REST Client does. See
//! `vars` for variables that use responses and for redefinitions.
//!
//! # What cannot run
//! `JetBrains` scripts (`< {% … %}`, `> {% … %}`, `> handler.js`, `< script.js`), httpyac
//! `{{ … }}` script blocks, `>> file` output redirection, unknown directives and assertions
//! sonde cannot evaluate are returned in [`HttpScenario::skipped`], each with its line, to be
//! reported as skipped assertions with a warning. A response handler's
//! `client.global.set("name", response.body.path)` statements are kept as captures (see
//! `scripts`); the script is still reported.

mod assertions;
mod block;
mod body;
mod env;
mod jspath;
mod lines;
mod multipart;
mod names;
mod references;
mod request;
mod scripts;
mod system;
mod translate;
mod vars;

use std::collections::HashMap;
use std::sync::Arc;

use self::assertions::Translated;
use self::block::{ParsedBlock, Script, ScriptKind};
use self::names::NameTable;
use self::references::RequestTable;
use self::translate::{Scope, Translator};
use self::vars::{Placement, VarDef};
use super::diagnostics::Diagnostic;
use super::model::{Expect, Scenario, Settings, Step, Timeout, Value, Vars};
use super::source::{SourceFile, Span, Spanned};

pub use self::env::{PRIVATE_ENV_FILE, PUBLIC_ENV_FILE};
pub use self::names::identifier_for;

/// A `.http` file read into the model, with what the model cannot say.
#[derive(Debug, Clone)]
pub struct HttpScenario {
    pub scenario: Scenario,
    /// Scripts, directives and assertions that are not run: to be reported, never dropped.
    pub skipped: Vec<SkippedAssertion>,
    /// Indices of the steps marked `# @no-cookie-jar`: sent without the session's cookies,
    /// and what they receive is not stored.
    pub no_cookie_jar: Vec<usize>,
    /// Values of `http-client.private.env.json`: redacted in every output.
    pub secrets: Vec<String>,
}

/// Something the file asks for that is not done, and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedAssertion {
    /// The step it belongs to (the next request for what stands outside any request).
    pub step: usize,
    pub span: Span,
    pub what: String,
}

/// Reads a `.http` / `.rest` file. Every problem in it is reported, not only the first.
pub fn load(source: &Arc<SourceFile>) -> Result<HttpScenario, Vec<Diagnostic>> {
    load_with_env(source, None)
}

/// Like [`load`], with the variables of `JetBrains` environment `env` (`--env NAME`).
pub fn load_with_env(
    source: &Arc<SourceFile>,
    env: Option<&str>,
) -> Result<HttpScenario, Vec<Diagnostic>> {
    let environment = match env {
        Some(name) => env::environment_variables(source, name)?,
        None => env::Environment::default(),
    };
    let mut errors = Vec::new();
    let blocks: Vec<ParsedBlock> = lines::split_blocks(&source.text)
        .into_iter()
        .map(|b| block::parse_block(b, source, &mut errors))
        .collect();
    let steps_of = step_indices(&blocks);
    let requests = request_table(&blocks, &steps_of, source, &mut errors);
    let names = name_table(&environment.vars, &blocks, source, &mut errors);
    if steps_of.iter().all(Option::is_none) {
        errors.push(no_requests(source));
    }
    let mut loader = Loader::new(source, &names, &requests, &steps_of);
    loader.tr.errors = errors;
    for (index, block) in blocks.iter().enumerate() {
        loader.read_block(index, block);
    }
    let mut read = loader.finish(environment.vars)?;
    read.secrets = environment.secrets;
    Ok(read)
}

/// The step index of each block that holds a request.
fn step_indices(blocks: &[ParsedBlock]) -> Vec<Option<usize>> {
    let mut next = 0;
    blocks
        .iter()
        .map(|b| {
            b.request.as_ref().map(|_| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

fn name_directive(block: &ParsedBlock) -> Option<&Spanned<String>> {
    block
        .directives
        .iter()
        .find(|(name, _)| name.value == "name")
        .map(|(_, value)| value)
}

/// The names requests can be referenced by: `# @name`s, then one-word titles.
fn request_table(
    blocks: &[ParsedBlock],
    steps_of: &[Option<usize>],
    source: &Arc<SourceFile>,
    errors: &mut Vec<Diagnostic>,
) -> RequestTable {
    let mut table = RequestTable::default();
    let mut first_seen: HashMap<String, u32> = HashMap::new();
    for (block, step) in blocks.iter().zip(steps_of) {
        let (Some(step), Some(name)) = (step, name_directive(block)) else {
            continue;
        };
        let problem = if name.value.is_empty() {
            Some("`# @name` needs a name, like `# @name login`".to_string())
        } else if name.value.contains(char::is_whitespace) {
            Some(format!(
                "`{}` is not a request name: use one word, like `# @name login`",
                name.value
            ))
        } else if !table.insert(&name.value, *step) {
            let line = first_seen.get(&name.value).copied().unwrap_or(0);
            Some(format!(
                "the request name `{}` is already used on line {line}",
                name.value
            ))
        } else {
            first_seen.insert(name.value.clone(), name.span.line);
            None
        };
        if let Some(message) = problem {
            errors.push(
                Diagnostic::new(source, name.span, message).width(name.value.chars().count()),
            );
        }
    }
    for (block, step) in blocks.iter().zip(steps_of) {
        if let (Some(step), Some(title), None) = (step, &block.title, name_directive(block))
            && !title.value.contains(char::is_whitespace)
        {
            table.insert(&title.value, *step);
        }
    }
    table
}

/// Every variable name of the environment and the file, with its template identifier.
fn name_table(
    environment: &[(String, serde_json::Value)],
    blocks: &[ParsedBlock],
    source: &Arc<SourceFile>,
    errors: &mut Vec<Diagnostic>,
) -> NameTable {
    let mut names = NameTable::default();
    let env_names = environment
        .iter()
        .map(|(k, _)| Spanned::new(k.clone(), Span::UNKNOWN));
    let file_names = blocks
        .iter()
        .flat_map(|b| b.variables.iter().map(|(name, _)| name.clone()));
    for name in env_names.chain(file_names) {
        if let Err(clash) = names.insert(&name.value) {
            let ident = identifier_for(&name.value);
            let d = Diagnostic::new(source, name.span, clash.to_string())
                .width(name.value.chars().count())
                .label(format!("both are `{ident}` in templates"))
                .note("rename one of them");
            errors.push(d);
        }
    }
    names
}

fn no_requests(source: &Arc<SourceFile>) -> Diagnostic {
    Diagnostic::new(source, Span::new(1, 1), "this file has no request")
        .note("a request is a line like `GET https://example.com/users`; requests are separated by `###` lines")
}

/// Reads the blocks in order into steps, variables, settings and skipped items.
struct Loader<'a> {
    tr: Translator<'a>,
    steps_of: &'a [Option<usize>],
    steps: Vec<Option<Step>>,
    /// The name each step is referenced by (for messages).
    step_names: Vec<String>,
    defs: Vec<VarDef>,
    session: Settings,
    skipped: Vec<SkippedAssertion>,
    no_cookie_jar: Vec<usize>,
    no_cookie_jar_anywhere: bool,
}

impl<'a> Loader<'a> {
    fn new(
        source: &'a Arc<SourceFile>,
        names: &'a NameTable,
        requests: &'a RequestTable,
        steps_of: &'a [Option<usize>],
    ) -> Self {
        let count = steps_of.iter().flatten().count();
        Loader {
            tr: Translator::new(source, names, requests),
            steps_of,
            steps: vec![None; count],
            step_names: vec![String::new(); count],
            defs: Vec::new(),
            session: Settings::default(),
            skipped: Vec::new(),
            no_cookie_jar: Vec::new(),
            no_cookie_jar_anywhere: false,
        }
    }

    fn read_block(&mut self, index: usize, block: &ParsedBlock) {
        for (name, value) in &block.variables {
            self.variable(index, name, value);
        }
        match self.steps_of[index] {
            Some(step) => self.request_block(step, block),
            None => self.loose_block(index, block),
        }
    }

    fn variable(&mut self, block: usize, name: &Spanned<String>, value: &Spanned<String>) {
        let Some(ident) = self.tr.names.get(&name.value) else {
            return; // a clash, reported with the names
        };
        let ident = Spanned::new(ident.to_owned(), name.span);
        let text = unescape_value(&value.value);
        if let Some(text) = self.tr.text_line(&text, value.span, Scope::Variable) {
            self.defs.push(VarDef {
                ident,
                value: Value::String(text),
                block,
            });
        }
    }

    fn skip(&mut self, step: usize, span: Span, what: String) {
        self.skipped.push(SkippedAssertion { step, span, what });
    }

    fn request_block(&mut self, step: usize, block: &ParsedBlock) {
        let Some(raw) = &block.request else { return };
        let built = request::build_request(raw, &mut self.tr, step);
        let mut expect = Expect::default();
        for assertion in &block.assertions {
            if let Some(Translated::Skipped(what)) =
                assertions::apply(&mut expect, assertion, &mut self.tr, Scope::Step(step))
            {
                self.skip(step, assertion.span, what);
            }
        }
        for script in &block.scripts {
            self.script(step, script);
        }
        let Some(built) = built else { return };
        let mut request = built.request;
        let mut skip = None;
        for (name, value) in &block.directives {
            self.step_directive(step, name, value, &mut request.settings, &mut skip);
        }
        let reference = name_directive(block)
            .or(block.title.as_ref())
            .map(|n| n.value.clone());
        let name = reference
            .clone()
            .unwrap_or_else(|| format!("{} {}", request.method.value, built.written));
        self.step_names[step] = reference.unwrap_or_else(|| name.clone());
        self.steps[step] = Some(Step {
            span: raw.span(),
            name,
            request,
            expect,
            capture: Vec::new(),
            vars: Vars::default(),
            tags: Vec::new(),
            poll: None,
            skip,
            skip_when: None,
            continue_on_failure: false,
            no_cookie_jar: false,
        });
    }

    fn step_directive(
        &mut self,
        step: usize,
        name: &Spanned<String>,
        value: &Spanned<String>,
        settings: &mut Settings,
        skip: &mut Option<String>,
    ) {
        match name.value.as_str() {
            "name" | "no-log" | "note" => {}
            "no-redirect" => settings.allow_redirects = Some(false),
            "no-cookie-jar" => self.no_cookie_jar.push(step),
            "timeout" | "connection-timeout" => self.timeout(name, value, &mut settings.timeout),
            "disabled" if value.value.is_empty() => {
                *skip = Some("disabled with `# @disabled`".to_string());
            }
            "disabled" => self.skip(
                step,
                name.span,
                "`# @disabled CONDITION` is not supported (only a bare `# @disabled`): ignored"
                    .to_string(),
            ),
            other => self.skip(
                step,
                name.span,
                format!("`# @{other}` is not supported: ignored"),
            ),
        }
    }

    /// `@timeout` sets the read timeout, `@connection-timeout` the connect one.
    fn timeout(
        &mut self,
        name: &Spanned<String>,
        value: &Spanned<String>,
        timeout: &mut Option<Timeout>,
    ) {
        let compact: String = value.value.split_whitespace().collect();
        match crate::duration::parse(&compact) {
            Ok(duration) => {
                let t = timeout.get_or_insert_with(Timeout::default);
                if name.value == "timeout" {
                    t.read = Some(duration);
                } else {
                    t.connect = Some(duration);
                }
            }
            Err(error) => {
                let d = self
                    .tr
                    .error(value.span, error.to_string())
                    .width(value.value.chars().count())
                    .label("expected seconds, or a number with a unit: 500 ms, 2 s, 1 m");
                self.tr.report(d);
            }
        }
    }

    /// A block without a request: directives before the first request apply to all of them;
    /// anything else in it is reported on the next request.
    fn loose_block(&mut self, index: usize, block: &ParsedBlock) {
        let next = self.steps_of[index..].iter().flatten().next().copied();
        let before_first_request = self.steps_of[..index].iter().all(Option::is_none);
        let step = next.unwrap_or(self.steps.len().saturating_sub(1));
        for (name, value) in &block.directives {
            match name.value.as_str() {
                "no-redirect" if before_first_request => self.session.allow_redirects = Some(false),
                "no-cookie-jar" if before_first_request => self.no_cookie_jar_anywhere = true,
                "timeout" | "connection-timeout" if before_first_request => {
                    let mut timeout = self.session.timeout.take();
                    self.timeout(name, value, &mut timeout);
                    self.session.timeout = timeout;
                }
                "no-log" | "note" => {}
                other => self.skip(
                    step,
                    name.span,
                    format!("`# @{other}` stands outside any request: ignored"),
                ),
            }
        }
        for assertion in &block.assertions {
            let what = format!(
                "`?? {}` stands outside any request: not checked",
                assertion.value
            );
            self.skip(step, assertion.span, what);
        }
        for script in &block.scripts {
            let what = format!("{} (outside any request)", script_description(script));
            self.skip(step, script.span, what);
        }
    }

    /// Reports a script as not run; a response handler's `client.global.set`s become captures.
    fn script(&mut self, step: usize, script: &Script) {
        let mut what = script_description(script);
        if script.kind == ScriptKind::ResponseHandler {
            let (captures, complete) = scripts::captures_from_script(&script.text, script.span);
            if !captures.is_empty() {
                let names: Vec<String> = captures
                    .iter()
                    .map(|(n, _)| format!("`{}`", n.value))
                    .collect();
                what.push_str(&format!(
                    "; its `client.global.set` of {} became captures",
                    names.join(", ")
                ));
                if !complete {
                    what.push_str(", the rest of it is skipped");
                }
            }
            for (name, source) in captures {
                self.tr.captures.add(step, name, source);
            }
        }
        self.skip(step, script.span, what);
    }

    fn finish(
        mut self,
        environment: Vec<(String, serde_json::Value)>,
    ) -> Result<HttpScenario, Vec<Diagnostic>> {
        for (step, captures) in std::mem::take(&mut self.tr.captures.by_step) {
            if let Some(Some(s)) = self.steps.get_mut(step) {
                s.capture.extend(captures);
            }
        }
        let blocks_of_steps: Vec<usize> = (0..self.steps_of.len())
            .filter(|&b| self.steps_of[b].is_some())
            .collect();
        let mut placement = Placement::new(self.tr.source, &self.defs, &self.tr.captures.producer);
        let mut errors = Vec::new();
        for (index, slot) in self.steps.iter_mut().enumerate() {
            if let Some(step) = slot {
                let (vars, problems) =
                    placement.step_vars(index, blocks_of_steps[index], step, &self.step_names);
                step.vars = vars;
                errors.extend(problems);
            }
        }
        let file_vars = placement.file_vars();
        let file_idents: Vec<String> = self.defs.iter().map(|d| d.ident.value.clone()).collect();
        let mut vars = Vec::new();
        for (name, json) in environment {
            let ident = identifier_for(&name);
            if file_idents.contains(&ident) {
                continue;
            }
            if let Some(value) = self
                .tr
                .json_value(json, Span::UNKNOWN, Scope::Variable, false)
            {
                vars.push((Spanned::new(ident, Span::UNKNOWN), value));
            }
        }
        for (ident, value) in &self.tr.dotenv_vars {
            let text = Translator::literal(value, Span::UNKNOWN);
            vars.push((
                Spanned::new(ident.clone(), Span::UNKNOWN),
                Value::String(text),
            ));
        }
        vars.extend(file_vars);
        let mut all_errors = std::mem::take(&mut self.tr.errors);
        all_errors.extend(errors);
        if !all_errors.is_empty() {
            return Err(all_errors);
        }
        let steps: Vec<Step> = self.steps.into_iter().flatten().collect();
        let no_cookie_jar = if self.no_cookie_jar_anywhere {
            (0..steps.len()).collect()
        } else {
            self.no_cookie_jar
        };
        let source = self.tr.source;
        Ok(HttpScenario {
            scenario: Scenario {
                source: Arc::clone(source),
                name: source.stem(),
                description: None,
                tags: Vec::new(),
                vars: Vars(vars),
                session: self.session,
                steps,
            },
            skipped: self.skipped,
            no_cookie_jar,
            secrets: Vec::new(),
        })
    }
}

fn script_description(script: &Script) -> String {
    let not_run = "is not run: sonde runs no JavaScript";
    match script.kind {
        ScriptKind::PreRequest => format!("the pre-request script `< {{% … %}}` {not_run}"),
        ScriptKind::ResponseHandler => {
            format!("the response handler script `> {{% … %}}` {not_run}")
        }
        ScriptKind::PreRequestFile => {
            format!("the pre-request script file `{}` {not_run}", script.text)
        }
        ScriptKind::ResponseHandlerFile => {
            format!("the response handler file `{}` {not_run}", script.text)
        }
        ScriptKind::HttpyacScript => format!("the script block `{{{{ … }}}}` {not_run}"),
        ScriptKind::OutputRedirect => format!(
            "`{}` (saving the response to a file) is ignored",
            script.text
        ),
    }
}

/// The REST Client's escapes in a variable's value: `\n`, `\r`, `\t` and `\\`; any other
/// backslash stays (a regular expression, a Windows path).
fn unescape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let replacement = match (c, chars.peek()) {
            ('\\', Some('n')) => Some('\n'),
            ('\\', Some('r')) => Some('\r'),
            ('\\', Some('t')) => Some('\t'),
            ('\\', Some('\\')) => Some('\\'),
            _ => None,
        };
        match replacement {
            Some(r) => {
                out.push(r);
                chars.next();
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
