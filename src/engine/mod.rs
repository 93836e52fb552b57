//! The request engine: runs a scenario file's steps in order within one session and
//! records every exchange.
//!
//! ```no_run
//! # use sonde::engine::{RunContext, run_scenario};
//! # let scenario: sonde_core::Scenario = todo!();
//! let ctx = RunContext::default();
//! let record = run_scenario(&scenario, &ctx, &mut |step| println!("{}: {:?}", step.name, step.outcome));
//! ```
//!
//! A file is a session: its own cookie jar, defaults and digest state. Connections are
//! pooled across files through the [`ClientPool`] of the [`RunContext`].

pub mod captures;
pub(crate) mod checks;
pub mod prepare;
pub(crate) mod scope;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::Value as J;

use crate::transport::{self, ClientPool, Exchange, FailedExchange, Session};
pub use prepare::PrepareError;
use prepare::{Layers, prepare};
use scope::{Scope, TemplateError};
use sonde_core::Span;
use sonde_core::model::{Scenario, Settings, Step, Text, Value, Vars};

/// What a whole run shares.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// `--var` / `--vars-file` / `--secret` values: stronger than any file's vars.
    pub vars: IndexMap<String, J>,
    /// `vars` of `sonde.yaml`: weaker than a file's vars.
    pub config_vars: Vars,
    /// `session` of `sonde.yaml`: the weakest settings layer.
    pub config_session: Settings,
    /// Bodies larger than this fail their step (`--max-body`); `save_body` is not limited.
    pub max_body: u64,
    /// The clients, one per transport profile, shared by every file.
    pub pool: Arc<ClientPool>,
    /// Set on Ctrl-C or SIGTERM: steps not yet started are skipped.
    pub interrupted: Arc<std::sync::atomic::AtomicBool>,
    /// Record the assertions that hold too ([`StepRecord::passes`]): only a report that
    /// shows them asks (`--json`); without it the checks build nothing for them.
    pub record_passes: bool,
}

impl Default for RunContext {
    fn default() -> Self {
        RunContext {
            vars: IndexMap::new(),
            config_vars: Vars::default(),
            config_session: Settings::default(),
            max_body: transport::DEFAULT_MAX_BODY,
            pool: ClientPool::global(),
            interrupted: Arc::default(),
            record_passes: false,
        }
    }
}

/// The record of one file.
#[derive(Debug, Clone)]
pub struct FileRecord {
    pub name: String,
    pub path: PathBuf,
    pub steps: Vec<StepRecord>,
    pub duration: Duration,
}

impl FileRecord {
    pub fn passed(&self) -> bool {
        self.steps.iter().all(|s| !s.outcome.is_failed())
    }
}

/// The record of one step.
#[derive(Debug, Clone)]
pub struct StepRecord {
    /// 0-based position in the file.
    pub index: usize,
    pub name: String,
    /// Where the step is written.
    pub span: Span,
    pub outcome: StepOutcome,
    /// Every exchange, in order: one, or one per try when polling. The last is the one judged.
    pub exchanges: Vec<Exchange>,
    /// When the last try got no response: what was sent and why it failed.
    pub failed_exchange: Option<FailedExchange>,
    /// Values captured by this step, in the order written.
    pub captures: IndexMap<String, J>,
    /// The assertions that held on the judged exchange, when the run records them
    /// ([`RunContext::record_passes`]); the failed ones are in the outcome.
    pub passes: Vec<crate::check::Pass>,
    pub duration: Duration,
    /// The credentials this step used (auth, proxy passwords), in every form they may be
    /// seen in: reports replace them with `***`.
    pub secrets: Vec<String>,
}

impl StepRecord {
    /// The exchange that was judged.
    pub fn exchange(&self) -> Option<&Exchange> {
        self.exchanges.last()
    }

    fn new(index: usize, step: &Step, outcome: StepOutcome) -> StepRecord {
        StepRecord {
            index,
            name: step.name.clone(),
            span: step.span,
            outcome,
            exchanges: Vec::new(),
            failed_exchange: None,
            captures: IndexMap::new(),
            passes: Vec::new(),
            secrets: Vec::new(),
            duration: Duration::ZERO,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    Passed,
    Failed(Vec<StepFailure>),
    Skipped(String),
}

impl StepOutcome {
    pub fn is_failed(&self) -> bool {
        matches!(self, StepOutcome::Failed(_))
    }
}

/// One reason a step failed.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFailure {
    /// Where the cause is written (the step, the assertion, the capture).
    pub span: Span,
    pub cause: FailureCause,
}

impl StepFailure {
    /// The cause in one sentence (`run/convert.rs` says it so, redacted, in reports).
    pub fn message(&self) -> String {
        self.cause.to_string()
    }
}

/// Why a step failed, typed until the record becomes an event.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FailureCause {
    /// A template or a setting could not be turned into a request.
    #[error(transparent)]
    Request(#[from] PrepareError),
    /// No usable response: refused, timed out, TLS, too many redirects, body too large…
    #[error(transparent)]
    Transport(#[from] transport::HttpError),
    /// The body's text has bytes its charset cannot decode, and checks would read it.
    #[error(
        "the body is not valid {charset} text: some bytes cannot be decoded, so checks on its text would judge a replaced text"
    )]
    Undecodable { charset: String },
    /// An assertion of `expect` did not hold: what was expected, what came, and a diff.
    #[error("{}: expected {}, got {}", .0.assertion, .0.expected, .0.actual)]
    Check(Box<crate::check::Failure>),
    /// A capture found nothing.
    #[error(transparent)]
    Capture(#[from] captures::CaptureError),
}

/// Why the steps not yet started when the run was interrupted were skipped.
pub const INTERRUPTED: &str = "the run was interrupted";

/// Runs the steps of `scenario` in order, calling `on_step` as each one ends (skipped
/// ones included). The first failing step ends the file, the rest being skipped, unless it
/// has `continue_on_failure`.
///
/// Blocks the calling thread; must not be called from inside a tokio runtime.
pub fn run_scenario(
    scenario: &Scenario,
    ctx: &RunContext,
    on_step: &mut dyn FnMut(&StepRecord),
) -> FileRecord {
    let started = Instant::now();
    transport::block_on(run_scenario_async(scenario, ctx, on_step)).unwrap_or_else(|error| {
        // No runtime: the system refused the resources for one. Every step says so.
        let steps = (scenario.steps.iter().enumerate())
            .map(|(index, step)| {
                let failure = StepFailure {
                    span: step.span,
                    cause: FailureCause::Transport(error.clone()),
                };
                StepRecord::new(index, step, StepOutcome::Failed(vec![failure]))
            })
            .collect();
        FileRecord {
            name: scenario.name.clone(),
            path: scenario.source.path.clone(),
            steps,
            duration: started.elapsed(),
        }
    })
}

/// [`run_scenario`] on the caller's single-threaded tokio runtime, so that one thread can
/// run several files at once (the executor of `crate::run`).
pub async fn run_scenario_async(
    scenario: &Scenario,
    ctx: &RunContext,
    on_step: &mut dyn FnMut(&StepRecord),
) -> FileRecord {
    let started = Instant::now();
    let dir = scenario.source.dir().to_path_buf();
    let mut file = FileRun {
        scenario,
        ctx,
        session: Session::new(),
        scope: Scope::new(&dir, &ctx.vars, &ctx.config_vars, &scenario.vars),
        dir,
        last_check: None,
    };
    let mut steps = Vec::with_capacity(scenario.steps.len());
    let mut stopped_by: Option<String> = None;
    for (index, step) in scenario.steps.iter().enumerate() {
        let record = match (&stopped_by, &step.skip) {
            (Some(failed), _) => {
                let reason = format!("after failure of step \"{failed}\"");
                StepRecord::new(index, step, StepOutcome::Skipped(reason))
            }
            (None, Some(reason)) => {
                let reason = if reason.is_empty() {
                    "skip: true"
                } else {
                    reason
                };
                StepRecord::new(index, step, StepOutcome::Skipped(reason.to_string()))
            }
            (None, None) if ctx.interrupted.load(std::sync::atomic::Ordering::Relaxed) => {
                StepRecord::new(index, step, StepOutcome::Skipped(INTERRUPTED.into()))
            }
            (None, None) => file.run_step(index, step).await,
        };
        if record.outcome.is_failed() && !step.continue_on_failure {
            stopped_by = Some(step.name.clone());
        }
        on_step(&record);
        steps.push(record);
    }
    FileRecord {
        name: scenario.name.clone(),
        path: scenario.source.path.clone(),
        steps,
        duration: started.elapsed(),
    }
}

/// The state of one file while it runs: its session and its variables.
struct FileRun<'a> {
    scenario: &'a Scenario,
    ctx: &'a RunContext,
    session: Session,
    scope: Scope,
    dir: PathBuf,
    /// The failures (and passes) of the last exchange sent, so that the judging does not
    /// check twice.
    last_check: Option<(Vec<StepFailure>, Vec<crate::check::Pass>)>,
}

impl FileRun<'_> {
    async fn run_step(&mut self, index: usize, step: &Step) -> StepRecord {
        let started = Instant::now();
        if let Some(condition) = &step.skip_when {
            match self.skips(step, condition) {
                Ok(true) => {
                    let reason = format!("skip: {}", condition.source);
                    return StepRecord::new(index, step, StepOutcome::Skipped(reason));
                }
                Ok(false) => {}
                Err(error) => {
                    let failure = StepFailure {
                        span: condition.span,
                        cause: FailureCause::Request(error.into()),
                    };
                    return StepRecord::new(index, step, StepOutcome::Failed(vec![failure]));
                }
            }
        }
        let mut record = StepRecord::new(index, step, StepOutcome::Passed);
        let failures = match self.send_step(step, &mut record).await {
            Ok(()) => self.judge(step, &mut record),
            Err(failure) => vec![failure],
        };
        record.outcome = if failures.is_empty() {
            StepOutcome::Passed
        } else {
            StepOutcome::Failed(failures)
        };
        record.duration = started.elapsed();
        record
    }

    /// Whether a `skip: "{{ … }}"` condition holds, with the step's variables in scope.
    fn skips(&mut self, step: &Step, condition: &Text) -> Result<bool, TemplateError> {
        self.scope.enter_step(&step.vars)?;
        let value = self.scope.value(&Value::String(condition.clone()))?;
        Ok(match value {
            J::Null => false,
            J::Bool(b) => b,
            J::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
            J::String(s) => {
                let s = s.trim();
                !(s.is_empty() || ["false", "0", "no"].contains(&s.to_ascii_lowercase().as_str()))
            }
            J::Array(items) => !items.is_empty(),
            J::Object(map) => !map.is_empty(),
        })
    }

    /// Prepares and sends the step, polling when asked; fills the record's exchanges.
    async fn send_step(&mut self, step: &Step, record: &mut StepRecord) -> Result<(), StepFailure> {
        let request_failure = |error: PrepareError| StepFailure {
            span: step.span,
            cause: FailureCause::Request(error),
        };
        self.scope
            .enter_step(&step.vars)
            .map_err(|e| request_failure(e.into()))?;
        let layers = Layers([
            &self.ctx.config_session,
            &self.scenario.session,
            &step.request.settings,
        ]);
        let prepared = prepare(
            &step.request,
            &layers,
            &self.scope,
            &self.dir,
            self.ctx.max_body,
        )
        .map_err(request_failure)?;
        record.secrets = secrets_of(&prepared);
        let tries = step.poll.as_ref().map_or(1, |p| p.max.max(1));
        for attempt in 1..=tries {
            if attempt > 1
                && let Some(poll) = &step.poll
            {
                tokio::time::sleep(poll.every).await;
            }
            // `@no-cookie-jar`: the step neither sends nor keeps the session's cookies.
            let mut detached = Session::new();
            let session = if step.no_cookie_jar {
                &mut detached
            } else {
                &mut self.session
            };
            match transport::send_async(&self.ctx.pool, session, &prepared).await {
                Ok(exchange) => {
                    record.failed_exchange = None;
                    let verdicts = checks::evaluate(
                        &step.expect,
                        &exchange,
                        &self.scope,
                        self.ctx.record_passes,
                    );
                    let passed = verdicts.0.is_empty();
                    record.exchanges.push(exchange);
                    self.last_check = Some(verdicts);
                    if passed {
                        break;
                    }
                }
                Err(failed) => record.failed_exchange = Some(*failed),
            }
        }
        match &record.failed_exchange {
            Some(failed) => Err(StepFailure {
                span: step.span,
                cause: FailureCause::Transport(failed.error.clone()),
            }),
            None => Ok(()),
        }
    }

    /// Checks the last exchange, then takes the captures (also when a check failed, so
    /// that `continue_on_failure` steps still see them).
    fn judge(&mut self, step: &Step, record: &mut StepRecord) -> Vec<StepFailure> {
        let Some(exchange) = record.exchanges.last() else {
            return Vec::new();
        };
        let (mut failures, passes) = self.last_check.take().unwrap_or_else(|| {
            checks::evaluate(&step.expect, exchange, &self.scope, self.ctx.record_passes)
        });
        record.passes = passes;
        for capture in &step.capture {
            match captures::take(capture, exchange, &self.session) {
                Ok(value) => {
                    self.scope.capture(&capture.name.value, value.clone());
                    record.captures.insert(capture.name.value.clone(), value);
                }
                Err(error) => failures.push(StepFailure {
                    span: capture.name.span,
                    cause: error.into(),
                }),
            }
        }
        failures
    }
}

/// The credentials of a prepared request, and the encoded forms they travel in.
pub fn secrets_of(prepared: &transport::PreparedRequest) -> Vec<String> {
    use base64::Engine as _;
    let mut secrets = Vec::new();
    match &prepared.auth {
        Some(
            transport::AuthSpec::Basic { user, password }
            | transport::AuthSpec::Digest { user, password },
        ) => {
            let pair = format!("{user}:{password}");
            secrets.push(base64::engine::general_purpose::STANDARD.encode(&pair));
            secrets.push(password.clone());
            secrets.push(user.clone());
        }
        Some(transport::AuthSpec::Bearer(token)) => secrets.push(token.clone()),
        Some(transport::AuthSpec::Header { value, .. }) => secrets.push(value.clone()),
        None => {}
    }
    if let Some(proxies) = &prepared.profile.proxies {
        for proxy in proxies.http.iter().chain(&proxies.https) {
            if let Ok(url) = ::url::Url::parse(proxy)
                && let Some(password) = url.password()
            {
                let user = url.username();
                secrets.push(
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")),
                );
                secrets.push(password.to_string());
            }
        }
    }
    secrets.retain(|s| s.len() >= 3);
    secrets
}
