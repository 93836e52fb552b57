//! Where the variables of a `.http` file go in the model.
//!
//! A `.http` file's variables are the file's (`vars`), except:
//! - a variable whose value uses a response (`@token = {{login.response.body.token}}`, or a
//!   variable that uses such a one) cannot be computed before that response: it becomes a
//!   `vars` entry of each step that uses it;
//! - a name defined again further down takes its new value from the block where it is
//!   redefined on (as httpyac and `JetBrains` do): the new value is a `vars` entry of each
//!   later step that uses it.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::model::{Step, Value, Vars};
use crate::source::{SourceFile, Spanned};
use crate::template;
use crate::visit;

/// One `@name = value`.
#[derive(Debug, Clone)]
pub(super) struct VarDef {
    /// The template identifier (see `names`), spanned where the name is written.
    pub ident: Spanned<String>,
    pub value: Value,
    /// The block it is written in.
    pub block: usize,
}

/// The names a value's templates use.
pub(super) fn value_uses(value: &Value) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    visit::value_texts(value, &mut |t| {
        used.extend(template::free_variables(&t.source, &t.kind).unwrap_or_default());
    });
    used
}

/// The names a step's request and assertions use.
pub(super) fn step_uses(step: &Step) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut add = |t: &crate::model::Text| {
        used.extend(template::free_variables(&t.source, &t.kind).unwrap_or_default());
    };
    visit::request_texts(&step.request, &mut add);
    visit::expect_texts(&step.expect, &mut add);
    used
}

pub(super) struct Placement<'a> {
    source: &'a Arc<SourceFile>,
    defs: &'a [VarDef],
    uses: Vec<BTreeSet<String>>,
    first: HashMap<&'a str, usize>,
    /// Capture name → the step that makes it.
    producers: &'a HashMap<String, usize>,
    deferred: Vec<Option<bool>>,
}

impl<'a> Placement<'a> {
    pub(super) fn new(
        source: &'a Arc<SourceFile>,
        defs: &'a [VarDef],
        producers: &'a HashMap<String, usize>,
    ) -> Self {
        let mut first = HashMap::new();
        for (i, def) in defs.iter().enumerate() {
            first.entry(def.ident.value.as_str()).or_insert(i);
        }
        Placement {
            source,
            defs,
            uses: defs.iter().map(|d| value_uses(&d.value)).collect(),
            first,
            producers,
            deferred: vec![None; defs.len()],
        }
    }

    /// The file's own variables: first definitions that need no response.
    pub(super) fn file_vars(&mut self) -> Vec<(Spanned<String>, Value)> {
        let kept: Vec<usize> = (0..self.defs.len())
            .filter(|&i| self.is_first(i) && !self.is_deferred(i, &mut BTreeSet::new()))
            .collect();
        kept.into_iter()
            .map(|i| (self.defs[i].ident.clone(), self.defs[i].value.clone()))
            .collect()
    }

    /// The variables step `index` (written in block `block`) needs for itself, in file order;
    /// an error when one of them needs a response that comes later.
    pub(super) fn step_vars(
        &mut self,
        index: usize,
        block: usize,
        step: &Step,
        names: &[String],
    ) -> (Vars, Vec<Diagnostic>) {
        let mut needed = BTreeSet::new();
        let mut pending: Vec<String> = step_uses(step).into_iter().collect();
        while let Some(name) = pending.pop() {
            let Some(def) = self.effective(&name, block) else {
                continue;
            };
            if self.is_first(def) && !self.is_deferred(def, &mut BTreeSet::new()) {
                continue;
            }
            if needed.insert(def) {
                pending.extend(self.uses[def].iter().cloned());
            }
        }
        let mut errors = Vec::new();
        for &def in &needed {
            for used in &self.uses[def] {
                if let Some(producer) = self.response_step(used).filter(|&p| p >= index) {
                    errors.push(self.too_early(def, used, producer, step, names));
                }
            }
        }
        let vars = needed
            .into_iter()
            .map(|i| (self.defs[i].ident.clone(), self.defs[i].value.clone()))
            .collect();
        (Vars(vars), errors)
    }

    fn too_early(
        &self,
        def: usize,
        used: &str,
        producer: usize,
        step: &Step,
        names: &[String],
    ) -> Diagnostic {
        let ident = &self.defs[def].ident;
        let producer_name = names
            .get(producer)
            .map_or("a later request", String::as_str);
        Diagnostic::new(
            self.source,
            ident.span,
            format!(
                "`{}` uses the response of `{producer_name}` too early",
                ident.value
            ),
        )
        .width(ident.value.chars().count())
        .label(format!("needs `{used}`"))
        .note(format!(
            "the request on line {} uses `{}`, but `{producer_name}` is not sent before it",
            step.span.line, ident.value
        ))
    }

    /// The step whose response sets `name`, unless the file also defines it.
    fn response_step(&self, name: &str) -> Option<usize> {
        let step = *self.producers.get(name)?;
        (!self.first.contains_key(name)).then_some(step)
    }

    fn is_first(&self, def: usize) -> bool {
        self.first.get(self.defs[def].ident.value.as_str()) == Some(&def)
    }

    /// The definition of `ident` in force in `block`: the last one written up to it, or the
    /// first one of the file (the REST Client sees variables defined below a request too).
    fn effective(&self, ident: &str, block: usize) -> Option<usize> {
        let first = *self.first.get(ident)?;
        let latest = (0..self.defs.len())
            .rev()
            .find(|&i| self.defs[i].ident.value == ident && self.defs[i].block <= block);
        Some(latest.unwrap_or(first))
    }

    /// Whether a definition needs a response, directly or through other variables.
    fn is_deferred(&mut self, def: usize, visiting: &mut BTreeSet<usize>) -> bool {
        if let Some(known) = self.deferred[def] {
            return known;
        }
        if !visiting.insert(def) {
            return false;
        }
        let uses: Vec<String> = self.uses[def].iter().cloned().collect();
        let deferred = uses.iter().any(|name| {
            self.response_step(name).is_some()
                || self
                    .first
                    .get(name.as_str())
                    .copied()
                    .is_some_and(|d| self.is_deferred(d, visiting))
        });
        self.deferred[def] = Some(deferred);
        deferred
    }
}
