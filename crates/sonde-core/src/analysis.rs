//! Static checks that need the whole file: every variable a template uses must be defined
//! by something that runs before it.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::diagnostics::{Diagnostic, suggest};
use super::model::{Scenario, Text, Vars};
use super::reader::Reader;
use super::source::SourceFile;
use super::visit;
use crate::template;

/// Reports every template variable of `scenario` that is not in scope where it is used.
/// `outer` holds what the run defines: `--var`, config vars, server names.
pub fn check_variables(scenario: &Scenario, outer: &BTreeSet<String>) -> Vec<Diagnostic> {
    let mut checker = Checker {
        source: &scenario.source,
        scope: outer.clone(),
        errors: Vec::new(),
    };
    checker.define_vars(&scenario.vars);
    visit::settings_texts(&scenario.session, &mut |t| checker.check(t));
    for step in &scenario.steps {
        let saved = checker.scope.clone();
        checker.define_vars(&step.vars);
        if let Some(condition) = &step.skip_when {
            checker.check(condition);
        }
        visit::request_texts(&step.request, &mut |t| checker.check(t));
        visit::expect_texts(&step.expect, &mut |t| checker.check(t));
        checker.scope = saved;
        // Captures join the file's variables for the following steps.
        for capture in &step.capture {
            checker.scope.insert(capture.name.value.clone());
        }
    }
    checker.errors
}

/// Reports schema files that cannot be used: missing, unreadable, or not a JSON Schema.
pub fn check_schema_files(scenario: &Scenario) -> Vec<Diagnostic> {
    let dir = scenario.source.dir();
    scenario
        .steps
        .iter()
        .filter_map(|step| step.expect.schema.as_ref())
        .filter(|schema| matches!(schema.value, super::model::SchemaSource::File(_)))
        .filter_map(|schema| {
            let why = crate::json_schema::problem(&schema.value, dir)?;
            let reader = Reader::new(&scenario.source);
            Some(
                reader
                    .diagnostic(schema.span, "this JSON Schema cannot be used")
                    .label(why.to_string()),
            )
        })
        .collect()
}

struct Checker<'a> {
    source: &'a Arc<SourceFile>,
    scope: BTreeSet<String>,
    errors: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Each variable may use the ones defined before it.
    fn define_vars(&mut self, vars: &Vars) {
        for (name, value) in &vars.0 {
            visit::value_texts(value, &mut |t| self.check(t));
            self.scope.insert(name.value.clone());
        }
    }

    fn check(&mut self, text: &Text) {
        let Ok(used) = template::free_variables(&text.source, &text.kind) else {
            return; // syntax errors were reported when the file was read
        };
        for name in used.iter().filter(|n| !self.scope.contains(*n)) {
            let reader = Reader::new(self.source);
            let offset = find_word(&text.source, name).unwrap_or(0);
            let at = reader.position_in_scalar(text.span, &text.source, offset);
            let mut d = Diagnostic::new(self.source, at, format!("undefined variable `{name}`"))
                .width(name.chars().count());
            if let Some(near) = suggest(name, self.scope.iter().map(String::as_str)) {
                d = d.label(format!("did you mean `{near}`?"));
            } else {
                d = d.label("not defined before this point");
            }
            let in_scope: Vec<&str> = self.scope.iter().map(String::as_str).collect();
            d = d.note(if in_scope.is_empty() {
                "no variables are in scope here".to_string()
            } else {
                format!("variables in scope: {}", in_scope.join(", "))
            });
            d = d.note(
                "define it under `vars`, capture it in an earlier step, pass `--var NAME=VALUE`, \
                 or read the environment with `env.NAME`",
            );
            self.errors.push(d);
        }
    }
}

/// The byte offset of `word` in `text` as a whole identifier.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn undefined(yaml_text: &str, outer: &[&str]) -> Vec<String> {
        let source = SourceFile::new("t.yaml", yaml_text);
        let scenario = yaml::load(&source).expect("valid");
        let outer = outer.iter().map(std::string::ToString::to_string).collect();
        check_variables(&scenario, &outer)
            .into_iter()
            .map(|d| format!("{} {}", d.location(), d.message))
            .collect()
    }

    #[test]
    fn accepts_vars_captures_and_outer_names() {
        let text = "vars:\n  a: 1\n  b: \"{{ a }}\"\nsteps:\n  - request: { url: \"{{ base }}/{{ b }}\" }\n    capture: { id: $.id }\n  - request: { url: \"/x/{{ id }}/{{ env.HOME }}\" }\n";
        assert!(undefined(text, &["base"]).is_empty());
    }

    #[test]
    fn reports_undefined_names_where_they_stand() {
        let text = "steps:\n  - request: { url: \"/x/{{ id }}\" }\n    capture: { id: $.id }\n";
        assert_eq!(
            undefined(text, &[]),
            vec!["t.yaml:2:28 undefined variable `id`"]
        );
    }

    #[test]
    fn a_step_var_does_not_leak_into_the_next_step() {
        let text = "steps:\n  - request: { url: \"/{{ v }}\" }\n    vars: { v: 1 }\n  - request: { url: \"/{{ v }}\" }\n";
        assert_eq!(undefined(text, &[]).len(), 1);
    }
}
