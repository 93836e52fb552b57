//! Templates: one minijinja environment for the whole run.
//!
//! Strict about undefined variables (an undefined value is an error naming it, never an
//! empty string), no auto-escaping (these are not HTML pages), and values rendered inside
//! text as JSON renders them (`true`, `null`), because they end up in JSON bodies and URLs.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use crate::cache::Cache;

use base64::Engine as _;
use minijinja::value::Value as JinjaValue;
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, Expression, State, Template, UndefinedBehavior,
};
use sha2::Digest as _;

use crate::model::TextKind;

/// The name under which the scenario's directory is passed to `file()`.
pub const SCENARIO_DIR_VAR: &str = "__scenario_dir";

/// Names that templates may use without defining them.
pub const GLOBALS: [&str; 8] = [
    "env",
    // Every variable in scope by name, for names a template cannot write bare
    // (`--var boss-api=x` is `vars['boss-api']`: `boss-api` would read as `boss - api`).
    "vars",
    "uuid",
    "now",
    "timestamp",
    "random_int",
    "file",
    SCENARIO_DIR_VAR,
];

/// Whether templates may use `name` without defining it: sonde's globals and the
/// environment's own (`range`, `dict`, `namespace`…).
pub fn is_global(name: &str) -> bool {
    GLOBALS.contains(&name) || environment().globals().any(|(global, _)| global == name)
}

/// The shared environment, with sonde's functions and filters.
pub fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(build_environment)
}

/// The work one render may do: about a million instructions, or 64 MB of values (the
/// default `--max-body`). `{{ 'x' * 10**12 }}` or a runaway loop fails its step with a
/// plain message instead of eating the machine.
const FUEL: u64 = 1_000_000;

fn build_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_formatter(|out, _state, value| {
        if value.is_none() || value.is_undefined() {
            out.write_str("null")?;
        } else if value.as_str().is_some() || value.is_number() {
            write!(out, "{value}")?;
        } else if value.kind() == minijinja::value::ValueKind::Bool {
            out.write_str(if value.is_true() { "true" } else { "false" })?;
        } else {
            within_size(value)?;
            let json = serde_json::to_string(value)
                .map_err(|e| Error::new(ErrorKind::BadSerialization, e.to_string()))?;
            out.write_str(&json)?;
        }
        Ok(())
    });
    env.add_function("uuid", || uuid::Uuid::new_v4().to_string());
    env.add_function("now", now_rfc3339);
    env.add_function("timestamp", || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    env.add_function("random_int", random_int);
    env.add_function("file", read_file);
    env.add_filter("b64encode", |value: String| {
        base64::engine::general_purpose::STANDARD.encode(value)
    });
    env.add_filter("b64decode", b64decode);
    env.add_filter("sha256", |value: String| {
        hex::encode(sha2::Sha256::digest(value.as_bytes()))
    });
    env
}

fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now();
    httpdate_to_rfc3339(now)
}

/// RFC 3339 in UTC with second precision, computed without a date crate.
fn httpdate_to_rfc3339(time: std::time::SystemTime) -> String {
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn random_int(low: i64, high: i64) -> Result<i64, Error> {
    if low > high {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("random_int({low}, {high}): the low bound is above the high one"),
        ));
    }
    Ok(rand::random_range(low..=high))
}

/// The most `file()` reads: its text is held in memory and rendered into templates.
const FILE_LIMIT: u64 = 64 << 20;

#[allow(
    clippy::needless_pass_by_value,
    reason = "minijinja function argument: as `String` minijinja turns any value into text (`file(2024)`), as `&str` it refuses non-strings"
)]
fn read_file(state: &State, path: String) -> Result<String, Error> {
    let dir = state
        .lookup(SCENARIO_DIR_VAR)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| ".".into());
    let full = std::path::Path::new(&dir).join(&path);
    let cannot = |why: String| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("file({path:?}): cannot read {}: {why}", full.display()),
        )
    };
    let metadata = crate::files::regular(&full).map_err(|e| cannot(e.to_string()))?;
    if metadata.len() > FILE_LIMIT {
        return Err(cannot(format!(
            "it is {} bytes, more than file() reads ({FILE_LIMIT} bytes; a `{{ file: }}` body streams any size)",
            metadata.len()
        )));
    }
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(
            std::fs::File::open(&full).map_err(|e| cannot(e.to_string()))?,
            FILE_LIMIT,
        ),
        &mut text,
    )
    .map_err(|e| cannot(e.to_string()))?;
    Ok(text)
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "minijinja filter argument: as `String` minijinja turns any value into text (`1234 | b64decode`), as `&str` it refuses non-strings"
)]
fn b64decode(value: String) -> Result<String, Error> {
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines
        .iter()
        .find_map(|e| e.decode(value.trim()).ok())
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "b64decode: not base64"))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, "b64decode: not UTF-8 text"))
}

/// How a string is to be used: as is, rendered, or evaluated keeping its type.
pub fn classify(text: &str) -> TextKind {
    if !(text.contains("{{") || text.contains("{%") || text.contains("{#")) {
        return TextKind::Literal;
    }
    let trimmed = text.trim();
    if let Some(inner) = trimmed
        .strip_prefix("{{")
        .and_then(|rest| rest.strip_suffix("}}"))
        && !inner.contains("{{")
        && !inner.contains("}}")
        && !inner.contains("{%")
    {
        return TextKind::Expression(inner.trim().to_string());
    }
    TextKind::Template
}

fn templates() -> &'static Cache<Template<'static, 'static>> {
    static CACHE: OnceLock<Cache<Template<'static, 'static>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn expressions() -> &'static Cache<Arc<Expression<'static, 'static>>> {
    static CACHE: OnceLock<Cache<Arc<Expression<'static, 'static>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Calls `f` with the compiled template of `source`, compiling it once per process.
fn with_template<R>(source: &str, f: impl FnOnce(&Template<'_, '_>) -> R) -> Result<R, Error> {
    if let Some(template) = templates().get(source) {
        return Ok(f(&template));
    }
    let env = environment();
    // Compiled from the borrowed text first, so that a text that does not compile is
    // neither kept nor leaked.
    let template = env.template_from_str(source)?;
    if templates().has_room_for(source) {
        // A compiled template borrows its source: the cache keeps the text for the whole
        // process, which its bound limits.
        let leaked: &'static str = Box::leak(source.into());
        let owned = env.template_from_str(leaked)?;
        templates().insert(source, owned.clone());
        return Ok(f(&owned));
    }
    Ok(f(&template))
}

/// The compiled expression (the inside of `{{ … }}`), compiled once per process.
fn compiled_expression(expr: &str) -> Result<Arc<Expression<'static, 'static>>, Error> {
    expressions().get_or_try(expr, |expr| {
        Ok(Arc::new(
            environment().compile_expression_owned(expr.to_owned())?,
        ))
    })
}

/// Renders a template text with `ctx`; the same as `environment().render_str`, without
/// compiling the text again.
pub fn render(source: &str, ctx: JinjaValue) -> Result<String, Error> {
    with_template(source, |template| template.render(ctx))?.map_err(plain)
}

/// What rendering `source` gives when it is only text and `{{ name }}` holes whose values
/// `lookup` has as strings: the common `{{ base }}/users` is then a concatenation, not a run
/// of the template engine. `None` when anything else is in the text (tags, comments,
/// expressions, filters, a trailing line break, which the engine drops) or a name has no string
/// value: the caller renders with the engine, which gives the same result or the error.
pub fn substitute<'v>(source: &str, lookup: impl Fn(&str) -> Option<&'v str>) -> Option<String> {
    if source.ends_with(['\n', '\r']) || source.contains("{%") || source.contains("{#") {
        return None;
    }
    let mut out = String::with_capacity(source.len() + 32);
    let mut rest = source;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let name = after[..close].trim_matches(' ');
        let identifier = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !identifier || matches!(name, "true" | "false" | "none" | "True" | "False" | "None") {
            return None;
        }
        out.push_str(lookup(name)?);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// Evaluates an expression with `ctx`; the same as
/// `environment().compile_expression(expr)?.eval(ctx)`, without compiling it again.
pub fn eval(expr: &str, ctx: JinjaValue) -> Result<JinjaValue, Error> {
    let value = compiled_expression(expr)?.eval(ctx).map_err(plain)?;
    within_size(&value)?;
    Ok(value)
}

/// The most items (list elements, object entries, at any depth) a template's value may
/// have. A repeated list (`items * 10**8`) costs minijinja nothing until it is written
/// out, item by item: that is where it is stopped.
const MAX_ITEMS: usize = 1_000_000;

/// Values nest no deeper than the texts that build them may (see `scenario::reader`).
const MAX_DEPTH: usize = 1000;

fn within_size(value: &JinjaValue) -> Result<(), Error> {
    let mut budget = MAX_ITEMS;
    if fits(value, &mut budget, 0) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("this template's value is too large (more than {MAX_ITEMS} items)"),
        ))
    }
}

fn fits(value: &JinjaValue, budget: &mut usize, depth: usize) -> bool {
    use minijinja::value::ValueKind;
    let is_map = match value.kind() {
        ValueKind::Map => true,
        ValueKind::Seq | ValueKind::Iterable => false,
        _ => return true,
    };
    if depth > MAX_DEPTH || value.len().is_some_and(|n| n > *budget) {
        return false;
    }
    let Ok(items) = value.try_iter() else {
        return true;
    };
    for item in items {
        let Some(left) = budget.checked_sub(1) else {
            return false;
        };
        *budget = left;
        let child = if is_map {
            value.get_item(&item).unwrap_or_default()
        } else {
            item
        };
        if !fits(&child, budget, depth + 1) {
            return false;
        }
    }
    true
}

/// minijinja's "engine ran out of fuel" in the words of a test author.
fn plain(error: Error) -> Error {
    if error.kind() != ErrorKind::OutOfFuel {
        return error;
    }
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "this template does too much work (more than {FUEL} steps or {} MB of values): a repetition or a loop too large?",
            FUEL * 64 / 1_000_000
        ),
    )
}

/// A template that does not compile: where (a byte offset into the text) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

/// Compiles a template and returns the variables it uses that are not sonde's globals.
pub fn free_variables(text: &str, kind: &TextKind) -> Result<BTreeSet<String>, SyntaxError> {
    // Every file of a suite usually repeats the same templates: their variables are
    // computed once. Only texts that compile are cached.
    static IN_TEMPLATES: OnceLock<Cache<BTreeSet<String>>> = OnceLock::new();
    static IN_EXPRESSIONS: OnceLock<Cache<BTreeSet<String>>> = OnceLock::new();
    let (cache, key) = match kind {
        TextKind::Literal => return Ok(BTreeSet::new()),
        TextKind::Expression(expr) => (&IN_EXPRESSIONS, expr.as_str()),
        TextKind::Template => (&IN_TEMPLATES, text),
    };
    cache
        .get_or_init(Default::default)
        .get_or_try(key, |_| free_variables_uncached(text, kind))
}

fn free_variables_uncached(text: &str, kind: &TextKind) -> Result<BTreeSet<String>, SyntaxError> {
    let names = match kind {
        TextKind::Literal => return Ok(BTreeSet::new()),
        TextKind::Expression(expr) => {
            let offset = text.find(expr.as_str()).unwrap_or(0);
            compiled_expression(expr)
                .map_err(|e| syntax_error(&e, expr, offset))?
                .undeclared_variables(false)
        }
        TextKind::Template => with_template(text, |t| t.undeclared_variables(false))
            .map_err(|e| syntax_error(&e, text, 0))?,
    };
    // Filters and tests are looked up only when a template runs: `validate` finds the
    // unknown ones here, from the compiled template (an expression is its `{{ … }}` text).
    if let Some(error) = with_template(text, unknown_filter_or_test).ok().flatten() {
        return Err(error.located_in(text));
    }
    Ok(names.into_iter().filter(|n| !is_global(n)).collect())
}

/// A filter or test the template uses that the environment does not have.
struct UnknownName {
    name: String,
    what: &'static str,
}

impl UnknownName {
    fn located_in(self, text: &str) -> SyntaxError {
        SyntaxError {
            offset: text.find(self.name.as_str()).unwrap_or(0),
            message: format!("unknown {} `{}`", self.what, self.name),
        }
    }
}

fn unknown_filter_or_test(template: &Template<'_, '_>) -> Option<UnknownName> {
    use minijinja::machinery::{Instruction, Instructions};
    let compiled = minijinja::machinery::get_compiled_template(template);
    let all = std::iter::once(&compiled.instructions).chain(compiled.blocks.values());
    let each = |instructions: &Instructions<'_>| {
        (0..)
            .map_while(|i| instructions.get(i))
            .find_map(|instruction| match instruction {
                Instruction::ApplyFilter(name, ..) if !is_known(name, "filter") => {
                    Some(UnknownName {
                        name: name.to_string(),
                        what: "filter",
                    })
                }
                Instruction::PerformTest(name, ..) if !is_known(name, "test") => {
                    Some(UnknownName {
                        name: name.to_string(),
                        what: "test",
                    })
                }
                _ => None,
            })
    };
    all.into_iter().find_map(each)
}

/// Whether the environment has a filter or test of this name, found by trying it once
/// (the environment does not list them); answers are kept for the process.
fn is_known(name: &str, what: &'static str) -> bool {
    static KNOWN: OnceLock<Cache<bool>> = OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    let key = format!("{what} {name}");
    if let Some(found) = known.get(&key) {
        return found;
    }
    let (probe, unknown) = if what == "filter" {
        (format!("{{{{ none | {name} }}}}"), ErrorKind::UnknownFilter)
    } else {
        (format!("{{{{ none is {name} }}}}"), ErrorKind::UnknownTest)
    };
    let found = !matches!(environment().render_str(&probe, ()), Err(e) if e.kind() == unknown);
    known.insert(&key, found);
    found
}

fn syntax_error(error: &Error, source: &str, base: usize) -> SyntaxError {
    let offset = error
        .range()
        .map(|r| r.start)
        .or_else(|| {
            error.line().map(|line| {
                source
                    .split_inclusive('\n')
                    .take(line.saturating_sub(1))
                    .map(str::len)
                    .sum()
            })
        })
        .unwrap_or(0);
    SyntaxError {
        offset: base + offset.min(source.len()),
        message: error
            .detail()
            .map_or_else(|| error.kind().to_string(), str::to_owned),
    }
}

/// Renders a value of the template engine as JSON.
pub fn to_json(value: &JinjaValue) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {

    #[test]
    fn substitution_gives_what_the_engine_renders_or_steps_aside() {
        let vars = serde_json::json!({"base": "http://h:1", "id": "7", "n": 3, "e": "", "odd": "{{ id }}"});
        let lookup = |name: &str| vars.get(name).and_then(|v| v.as_str());
        let substituted = [
            "{{ base }}/users/{{id}}",
            "{{  base  }}",
            "plain } and }} and { text",
            "{{ e }}{{ odd }}",
            "",
        ];
        for source in substituted {
            let fast = substitute(source, lookup).unwrap_or_else(|| panic!("{source}"));
            let engine = render(
                source,
                minijinja::Value::from(minijinja::value::Serde(&vars)),
            )
            .unwrap();
            assert_eq!(fast, engine, "{source}");
        }
        let left_to_the_engine = [
            "{{ n }}",
            "{{ missing }}",
            "{{ id | upper }}",
            "{{ base ~ id }}",
            "{{- base }}",
            "{% if true %}x{% endif %}",
            "{# c #}{{ id }}",
            "{{ id }}\n",
            "\r",
            "{{ true }}",
            "{{ id }",
        ];
        for source in left_to_the_engine {
            assert_eq!(substitute(source, lookup), None, "{source}");
        }
    }
    use super::*;

    #[test]
    fn classifies_texts() {
        assert_eq!(classify("plain"), TextKind::Literal);
        assert_eq!(
            classify("{{ user_id }}"),
            TextKind::Expression("user_id".into())
        );
        assert_eq!(classify("/users/{{ id }}"), TextKind::Template);
        assert_eq!(classify("{{ a }}{{ b }}"), TextKind::Template);
    }

    #[test]
    fn finds_free_variables_but_not_globals() {
        let vars = free_variables(
            "{{ base }}/{{ uuid() }}/{{ env.HOME }}",
            &TextKind::Template,
        )
        .unwrap();
        assert_eq!(vars.into_iter().collect::<Vec<_>>(), vec!["base"]);
    }

    #[test]
    fn reports_syntax_errors_with_offset() {
        let err = free_variables("abc {{ x + }}", &TextKind::Template).unwrap_err();
        assert!(err.offset >= 4, "{err:?}");
    }

    #[test]
    fn reports_unknown_filters_and_tests_but_not_known_ones() {
        let text = "{{ x | upper | nosuchfilter }}";
        let err = free_variables(text, &classify(text)).unwrap_err();
        assert_eq!(err.message, "unknown filter `nosuchfilter`");
        assert_eq!(err.offset, text.find("nosuchfilter").unwrap());
        let text = "a{% if x is nosuchtest %}b{% endif %}";
        let err = free_variables(text, &classify(text)).unwrap_err();
        assert_eq!(err.message, "unknown test `nosuchtest`");
        let text = "{{ x | b64encode | sha256 | length }}{% if x is defined %}{% endif %}";
        assert!(free_variables(text, &classify(text)).is_ok());
    }

    #[test]
    fn a_template_that_does_too_much_fails_quickly_and_plainly() {
        let ctx = minijinja::context! { items => vec![1, 2, 3] };
        let err = render("{{ 'x' * 90000000 }}", ctx.clone()).unwrap_err();
        assert!(err.to_string().contains("too much work"), "{err}");
        let err = eval("items * 10000000", ctx.clone()).unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
        let err = render("{{ items * 10000000 }}", ctx.clone()).unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
        let text = "{% for i in range(3) %}{{ i }}{% endfor %}";
        assert!(free_variables(text, &classify(text)).unwrap().is_empty());
        assert_eq!(render(text, ctx).unwrap(), "012");
    }

    #[test]
    fn renders_booleans_and_null_as_json() {
        let env = environment();
        let out = env
            .render_str(
                "{{ a }} {{ b }} {{ c }}",
                minijinja::context! { a => true, b => (), c => vec![1, 2] },
            )
            .unwrap();
        assert_eq!(out, "true null [1,2]");
    }

    #[test]
    fn formats_dates() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(httpdate_to_rfc3339(t), "2023-11-14T22:13:20Z");
    }
}
