//! The variables a template sees, and rendering with them (SPEC §3).
//!
//! Lookup order, strongest first: captures of earlier steps, run variables (`--var`,
//! `--vars-file`), step `vars`, file `vars`, config `vars`, then `env.NAME`.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use indexmap::IndexMap;
use minijinja::ErrorKind;
use serde_json::Value as J;

use sonde_core::model::{Text, TextKind, Value, Vars};
use sonde_core::template;

pub(crate) use crate::check::TemplateError;

#[derive(Debug, Clone)]
pub(crate) struct Scope {
    config: IndexMap<String, J>,
    file: IndexMap<String, J>,
    step: IndexMap<String, J>,
    run: IndexMap<String, J>,
    captures: IndexMap<String, J>,
    /// Variables whose own template failed, with why: named when a template uses them.
    broken: IndexMap<String, String>,
    dir: String,
    /// The template context, built on first use after any change.
    context: OnceCell<minijinja::Value>,
}

impl Scope {
    /// The scenario's directory, which relative paths are resolved against.
    pub(crate) fn dir(&self) -> &Path {
        Path::new(&self.dir)
    }

    /// The scope of a file: config and file vars are evaluated now, in order, each seeing
    /// the ones above it (and the run's variables, which override them).
    pub(crate) fn new(
        dir: &Path,
        run: &IndexMap<String, J>,
        config_vars: &Vars,
        file_vars: &Vars,
    ) -> Scope {
        let mut scope = Scope {
            config: IndexMap::new(),
            file: IndexMap::new(),
            step: IndexMap::new(),
            run: run.clone(),
            captures: IndexMap::new(),
            broken: IndexMap::new(),
            dir: dir.display().to_string(),
            context: OnceCell::new(),
        };
        for (name, value) in &config_vars.0 {
            if let Some(v) = scope.evaluate_var(&name.value, value) {
                scope.config.insert(name.value.clone(), v);
                scope.context.take();
            }
        }
        for (name, value) in &file_vars.0 {
            if let Some(v) = scope.evaluate_var(&name.value, value) {
                scope.file.insert(name.value.clone(), v);
                scope.context.take();
            }
        }
        scope
    }

    /// A variable's value, or `None` (remembered as broken) when its template fails, so
    /// that only the templates that use it fail.
    fn evaluate_var(&mut self, name: &str, value: &Value) -> Option<J> {
        if self.run.contains_key(name) {
            return None; // the command line wins; no need to evaluate the default
        }
        match self.value(value) {
            Ok(v) => {
                self.broken.shift_remove(name);
                Some(v)
            }
            Err(e) => {
                self.broken.insert(name.to_string(), e.message);
                None
            }
        }
    }

    /// Sets the variables of a step (replacing the previous step's), evaluated in order.
    pub(crate) fn enter_step(&mut self, vars: &Vars) -> Result<(), TemplateError> {
        if self.step.is_empty() && vars.0.is_empty() {
            return Ok(()); // nothing changes: the context stays
        }
        self.step.clear();
        self.context.take();
        for (name, value) in &vars.0 {
            let v = self.value(value).map_err(|e| TemplateError {
                message: format!("step variable `{}`: {}", name.value, e.message),
            })?;
            self.step.insert(name.value.clone(), v);
            self.context.take();
        }
        Ok(())
    }

    /// A captured value, visible to the following steps.
    pub(crate) fn capture(&mut self, name: &str, value: J) {
        self.captures.insert(name.to_string(), value);
        self.context.take();
    }

    /// The layers of variables, weakest first: a name in a later one hides the earlier.
    fn layers(&self) -> [&IndexMap<String, J>; 5] {
        [
            &self.config,
            &self.file,
            &self.step,
            &self.run,
            &self.captures,
        ]
    }

    /// Every variable in scope, strongest last-inserted, `env` excluded.
    pub(crate) fn variables(&self) -> IndexMap<String, J> {
        let mut all = IndexMap::new();
        for layer in self.layers() {
            for (k, v) in layer {
                all.insert(k.clone(), v.clone());
            }
        }
        all
    }

    /// A variable that templates see as a plain string, by the context's precedence.
    fn string(&self, name: &str) -> Option<&str> {
        if name == "env" || name == template::SCENARIO_DIR_VAR || self.broken.contains_key(name) {
            return None;
        }
        self.layers()
            .into_iter()
            .rev()
            .find_map(|layer| layer.get(name))
            .and_then(J::as_str)
    }

    fn context(&self) -> minijinja::Value {
        self.context.get_or_init(|| self.build_context()).clone()
    }

    fn build_context(&self) -> minijinja::Value {
        let mut all: BTreeMap<String, minijinja::Value> = self
            .variables()
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    minijinja::Value::from(minijinja::value::Serde(v)),
                )
            })
            .collect();
        // `vars['boss-api']`: every variable by name, for names that are not identifiers. A
        // variable of the user's own called `vars` wins.
        if !all.contains_key("vars") {
            let by_name = minijinja::Value::from(all.clone());
            all.insert("vars".into(), by_name);
        }
        all.insert("env".into(), environment_value());
        all.insert(
            template::SCENARIO_DIR_VAR.into(),
            minijinja::Value::from(self.dir.as_str()),
        );
        minijinja::Value::from(all)
    }

    /// Renders a text to a string.
    pub(crate) fn text(&self, text: &Text) -> Result<String, TemplateError> {
        match &text.kind {
            TextKind::Literal => Ok(text.source.clone()),
            TextKind::Template => match template::substitute(&text.source, |n| self.string(n)) {
                Some(rendered) => Ok(rendered),
                None => {
                    template::render(&text.source, self.context()).map_err(|e| self.error(text, &e))
                }
            },
            TextKind::Expression(_) => {
                template::render(&text.source, self.context()).map_err(|e| self.error(text, &e))
            }
        }
    }

    /// Renders a value; a string that is exactly one `{{ expr }}` keeps its result's type.
    pub(crate) fn value(&self, value: &Value) -> Result<J, TemplateError> {
        Ok(match value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Number(n.clone()),
            Value::String(text) => match &text.kind {
                TextKind::Expression(expr) => self.expression(text, expr)?,
                _ => J::String(self.text(text)?),
            },
            Value::Array(items) => J::Array(
                items
                    .iter()
                    .map(|v| self.value(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
                    .collect::<Result<_, TemplateError>>()?,
            ),
        })
    }

    fn expression(&self, text: &Text, expr: &str) -> Result<J, TemplateError> {
        let result = template::eval(expr, self.context()).map_err(|e| self.error(text, &e))?;
        if result.is_undefined() {
            return Err(self.undefined(text, None));
        }
        Ok(template::to_json(&result))
    }

    fn error(&self, text: &Text, error: &minijinja::Error) -> TemplateError {
        if error.kind() == ErrorKind::UndefinedError {
            let what = error
                .range()
                .and_then(|r| text.source.get(r))
                .map(str::to_owned);
            return self.undefined(text, what);
        }
        let detail = error
            .detail()
            .map_or_else(|| error.kind().to_string(), str::to_owned);
        TemplateError {
            message: format!("template `{}`: {detail}", text.source),
        }
    }

    /// Names the undefined variable and lists those in scope.
    fn undefined(&self, text: &Text, what: Option<String>) -> TemplateError {
        let defined = self.variables();
        let missing = template::free_variables(&text.source, &text.kind)
            .unwrap_or_default()
            .into_iter()
            .find(|name| !defined.contains_key(name));
        if let Some(name) = &missing
            && let Some(reason) = self.broken.get(name)
        {
            return TemplateError {
                message: format!(
                    "template `{}`: variable `{name}` could not be evaluated: {reason}",
                    text.source
                ),
            };
        }
        let subject = match (missing, what) {
            (Some(name), _) => format!("undefined variable `{name}`"),
            (None, Some(expr)) => format!("undefined value `{expr}`"),
            (None, None) => "undefined value".to_string(),
        };
        let names: Vec<&str> = defined.keys().map(String::as_str).collect();
        let in_scope = if names.is_empty() {
            "no variables are in scope (env.NAME reads the environment)".to_string()
        } else {
            format!("variables in scope: {}", names.join(", "))
        };
        TemplateError {
            message: format!("{subject} in `{}` ({in_scope})", text.source),
        }
    }
}

/// `env`: the process environment, read once and shared by every file and step (it does not
/// change during a run).
fn environment_value() -> minijinja::Value {
    static ENV: OnceLock<minijinja::Value> = OnceLock::new();
    ENV.get_or_init(|| {
        let vars: BTreeMap<String, minijinja::Value> = std::env::vars()
            .map(|(k, v)| (k, minijinja::Value::from(v)))
            .collect();
        minijinja::Value::from(vars)
    })
    .clone()
}

/// A JSON value as text for a header, a query parameter or a form field; `null` is `None`.
pub(crate) fn scalar_text(value: &J) -> Option<String> {
    match value {
        J::Null => None,
        J::String(s) => Some(s.clone()),
        J::Bool(b) => Some(b.to_string()),
        J::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}
