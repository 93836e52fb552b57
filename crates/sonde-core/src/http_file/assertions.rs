//! httpyac assertions (`?? status == 200`) as the model's `expect`.
//!
//! `?? FIELD [ARG] OPERATOR [VALUE]` with FIELD one of `status`, `header NAME`, `body`,
//! `duration` (milliseconds) and `js EXPRESSION`, where the expression must be plain property
//! access on `response.parsedBody` / `response.body` (a `JSONPath`: `response.parsedBody.a.b[0]`
//! is `$.a.b[0]`, a final `.length` checks the length), `response.statusCode` or
//! `response.headers[NAME]`. Values are JSON when they parse as JSON, text otherwise; for
//! `header` and `body`, which are text, a value is always text (a quoted JSON string is
//! unquoted). What cannot be checked (other JavaScript, `xpath`, hash operators) is skipped
//! with a warning, never passed silently.

use super::jspath::{self, Accessor};
use super::translate::{Scope, Translator, span_at};
use crate::diagnostics::suggest;
use crate::model::{
    Expect, HeaderExpect, JsonExpect, JsonPath, JsonType, Matcher, Pattern, Predicate,
    StatusExpect, Value,
};
use crate::source::{Span, Spanned};

const OPERATORS: [&str; 19] = [
    "==",
    "equals",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "includes",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "exists",
    "isTrue",
    "isFalse",
    "isNumber",
    "isString",
    "isBoolean",
    "isArray",
];
const UNARY: [&str; 7] = [
    "exists",
    "isTrue",
    "isFalse",
    "isNumber",
    "isString",
    "isBoolean",
    "isArray",
];
/// httpyac operators that sonde cannot evaluate: the assertion is skipped, with a warning.
const UNSUPPORTED_OPERATORS: [&str; 3] = ["sha256", "sha512", "md5"];

/// What became of one assertion.
#[derive(Debug, PartialEq)]
pub(super) enum Translated {
    Applied,
    /// Cannot be checked; the text says why.
    Skipped(String),
}

/// What an assertion is about.
#[derive(Debug, Clone, PartialEq)]
enum Subject {
    Status,
    Header(String),
    Body,
    Duration,
    Json { path: String, length: bool },
}

/// Adds the assertion `text` (what follows `??`) to `expect`; `None` on an error (reported).
pub(super) fn apply(
    expect: &mut Expect,
    text: &Spanned<String>,
    tr: &mut Translator,
    scope: Scope,
) -> Option<Translated> {
    let words = words(&text.value);
    let at = |offset: usize| span_at(text.span, &text.value, offset);
    let Some(&(_, field)) = words.first() else {
        let d = tr
            .error(text.span, "empty assertion")
            .label("expected like `?? status == 200`");
        tr.report(d);
        return None;
    };
    let (subject, op_index) = match field {
        "status" => (Subject::Status, 1),
        "duration" => (Subject::Duration, 1),
        "body" => (Subject::Body, 1),
        "header" => match words.get(1) {
            Some(&(_, name)) if !OPERATORS.contains(&name) => (Subject::Header(name.to_owned()), 2),
            _ => {
                let d = tr.error(at(field.len()), "expected a header name after `header`");
                tr.report(d);
                return None;
            }
        },
        "js" => match js_assertion(&text.value, &words) {
            Ok(found) => found,
            Err(outcome) => return Some(outcome),
        },
        other => {
            return Some(Translated::Skipped(format!(
                "`?? {other} …` cannot be checked: sonde checks status, header, body, duration and \
                 `js response.parsedBody…`"
            )));
        }
    };
    let Some(&(op_offset, op)) = words.get(op_index) else {
        let d = tr
            .error(
                text.span,
                format!("expected an operator in `?? {}`", text.value),
            )
            .note(format!("operators: {}", OPERATORS.join(" ")));
        tr.report(d);
        return None;
    };
    if UNSUPPORTED_OPERATORS.contains(&op) {
        return Some(Translated::Skipped(format!(
            "`?? {}` cannot be checked: sonde has no `{op}` operator",
            text.value
        )));
    }
    if !OPERATORS.contains(&op) {
        let mut d = tr
            .error(at(op_offset), format!("unknown operator `{op}`"))
            .width(op.chars().count());
        if let Some(near) = suggest(op, OPERATORS) {
            d = d.label(format!("did you mean `{near}`?"));
        }
        tr.report(d.note(format!("operators: {}", OPERATORS.join(" "))));
        return None;
    }
    let value_offset = op_offset + op.len();
    let value_text = text.value[value_offset..].trim();
    let value_span = at(text.value.len() - text.value[value_offset..].trim_start().len());
    let op_span = at(op_offset);
    let operand = Operand {
        text: value_text,
        span: value_span,
    };
    let matcher = matcher(op, op_span, &subject, operand, tr, scope)?;
    add(expect, subject, matcher, text.span, tr)?;
    Some(Translated::Applied)
}

/// `(byte offset, word)` of each blank-separated word.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

/// `js EXPRESSION OPERATOR …`: the subject and the index of the operator word.
fn js_assertion(text: &str, words: &[(usize, &str)]) -> Result<(Subject, usize), Translated> {
    let op_index = (2..words.len())
        .find(|&i| OPERATORS.contains(&words[i].1) || UNSUPPORTED_OPERATORS.contains(&words[i].1))
        .unwrap_or(words.len());
    let start = words.get(1).map_or(text.len(), |w| w.0);
    let end = words.get(op_index).map_or(text.len(), |w| w.0);
    let expression = text[start..end].trim();
    match js_subject(expression) {
        Some(subject) => Ok((subject, op_index)),
        None => Err(Translated::Skipped(format!(
            "`?? js {expression} …` cannot be checked: sonde runs no JavaScript, it reads only \
             `response.parsedBody…`, `response.statusCode` and `response.headers[…]`"
        ))),
    }
}

/// The subject of a JavaScript expression that is plain property access on the response.
fn js_subject(expression: &str) -> Option<Subject> {
    let rest = expression.strip_prefix("response.")?;
    if rest == "statusCode" || rest == "status" {
        return Some(Subject::Status);
    }
    if let Some(access) = rest.strip_prefix("headers") {
        return match jspath::parse_accessors(access)?.as_slice() {
            [Accessor::Key(name)] => Some(Subject::Header(name.clone())),
            _ => None,
        };
    }
    for prefix in ["parsedBody", "body"] {
        let Some(access) = rest
            .strip_prefix(prefix)
            .filter(|a| a.is_empty() || a.starts_with(['.', '[']))
        else {
            continue;
        };
        let mut accessors = jspath::parse_accessors(access)?;
        if prefix == "body" && accessors.is_empty() {
            return Some(Subject::Body);
        }
        let length = accessors.last() == Some(&Accessor::Key("length".into()));
        if length {
            accessors.pop();
        }
        return Some(Subject::Json {
            path: jspath::to_json_path(&accessors),
            length,
        });
    }
    None
}

/// The written value after the operator.
#[derive(Clone, Copy)]
struct Operand<'a> {
    text: &'a str,
    span: Span,
}

fn matcher(
    op: &str,
    op_span: Span,
    subject: &Subject,
    operand: Operand,
    tr: &mut Translator,
    scope: Scope,
) -> Option<Matcher> {
    let unary = UNARY.contains(&op);
    if unary != operand.text.is_empty() {
        let message = if unary {
            format!("`{op}` takes no value")
        } else {
            format!("`{op}` needs a value")
        };
        let d = tr.error(if unary { operand.span } else { op_span }, message);
        tr.report(d);
        return None;
    }
    let predicate = match op {
        "exists" => Predicate::Exists(true),
        "isTrue" => Predicate::Eq(Value::Bool(true)),
        "isFalse" => Predicate::Eq(Value::Bool(false)),
        "isNumber" => Predicate::Type(JsonType::Number),
        "isString" => Predicate::Type(JsonType::String),
        "isBoolean" => Predicate::Type(JsonType::Boolean),
        "isArray" => Predicate::Type(JsonType::Array),
        "matches" => Predicate::Matches(pattern(operand, tr, scope)?),
        _ => {
            let value = value(subject, operand, tr, scope)?;
            match op {
                "==" | "equals" => return Some(Matcher::Equals(value)),
                "!=" => Predicate::Ne(value),
                "<" => Predicate::Lt(value),
                "<=" => Predicate::Le(value),
                ">" => Predicate::Gt(value),
                ">=" => Predicate::Ge(value),
                "startsWith" => Predicate::StartsWith(value),
                "endsWith" => Predicate::EndsWith(value),
                _ => Predicate::Contains(value),
            }
        }
    };
    Some(Matcher::All(vec![Spanned::new(predicate, op_span)]))
}

/// The value to compare with (see the module doc).
fn value(subject: &Subject, operand: Operand, tr: &mut Translator, scope: Scope) -> Option<Value> {
    match subject {
        Subject::Header(_) | Subject::Body => {
            let text = unquoted(operand.text);
            tr.text_line(&text, operand.span, scope).map(Value::String)
        }
        Subject::Duration => milliseconds(operand, tr),
        Subject::Status | Subject::Json { .. } => match serde_json::from_str(operand.text) {
            Ok(json) => tr.json_value(json, operand.span, scope, true),
            Err(_) => tr
                .text_line(operand.text, operand.span, scope)
                .map(Value::String),
        },
    }
}

/// A quoted JSON string's content, or the text as it is.
fn unquoted(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::String(s)) => s,
        _ => text.to_owned(),
    }
}

/// `500`, `500ms`, `1.5s`: a number of milliseconds.
fn milliseconds(operand: Operand, tr: &mut Translator) -> Option<Value> {
    let ms = match operand.text.parse::<f64>() {
        Ok(n) => Some(n),
        Err(_) => crate::duration::parse(operand.text)
            .ok()
            .map(|d| d.as_secs_f64() * 1000.0),
    };
    match ms.and_then(serde_json::Number::from_f64) {
        Some(n) => Some(Value::Number(integral(n))),
        None => {
            let d = tr
                .error(
                    operand.span,
                    format!("`{}` is not a duration", operand.text),
                )
                .label("expected milliseconds, like 500, or a duration like 2s");
            tr.report(d);
            None
        }
    }
}

/// `500.0` as `500`, so that reports show what the user wrote.
fn integral(n: serde_json::Number) -> serde_json::Number {
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => serde_json::Number::from(f as i64),
        _ => n,
    }
}

fn pattern(operand: Operand, tr: &mut Translator, scope: Scope) -> Option<Pattern> {
    let source = unquoted(operand.text);
    let text = tr.text_line(&source, operand.span, scope)?;
    if text.is_template() {
        return Some(Pattern::Template(text));
    }
    match crate::cache::regex(&text.source) {
        Ok(regex) => Some(Pattern::Compiled(regex)),
        Err(e) => {
            let detail = e.to_string().lines().last().unwrap_or("").trim().to_owned();
            let d = tr
                .error(
                    operand.span,
                    format!("invalid regular expression `{}`", text.source),
                )
                .width(operand.text.chars().count())
                .label(detail);
            tr.report(d);
            None
        }
    }
}

/// Puts `matcher` where `subject` says; several assertions on one subject must all hold.
fn add(
    expect: &mut Expect,
    subject: Subject,
    matcher: Matcher,
    line: Span,
    tr: &mut Translator,
) -> Option<()> {
    // The assertion's own line, so that a failure points at its `??`.
    let span = Some(matcher_span(&matcher))
        .filter(|s| s.is_known())
        .unwrap_or(line);
    let matcher = Spanned::new(matcher, span);
    match subject {
        Subject::Status => expect.status = Some(add_status(expect.status.take(), matcher)),
        Subject::Header(name) => expect.headers.push(header_expect(name, matcher)),
        Subject::Body => expect.body = Some(merge(expect.body.take(), matcher)),
        Subject::Duration => expect.duration = Some(merge(expect.duration.take(), matcher)),
        Subject::Json { path, length } => {
            let compiled = match crate::cache::json_path(&path) {
                Ok(compiled) => compiled,
                Err(e) => {
                    let d = tr.error(span, format!("`{path}` is not a valid JSONPath: {e}"));
                    tr.report(d);
                    return None;
                }
            };
            let matcher = if length {
                Spanned::new(
                    Matcher::All(vec![Spanned::new(
                        Predicate::Length(Box::new(matcher.value)),
                        span,
                    )]),
                    span,
                )
            } else {
                matcher
            };
            let path = JsonPath {
                source: Spanned::new(path, span),
                compiled,
            };
            expect.json.push(JsonExpect { path, matcher });
        }
    }
    Some(())
}

fn matcher_span(matcher: &Matcher) -> Span {
    match matcher {
        Matcher::All(predicates) => predicates.first().map_or(Span::UNKNOWN, |p| p.span),
        Matcher::Equals(Value::String(t)) => t.span,
        Matcher::Equals(_) => Span::UNKNOWN,
    }
}

/// `?? header x isFalse` asserts the header is absent, as httpyac's falsy check does.
fn header_expect(name: String, matcher: Spanned<Matcher>) -> HeaderExpect {
    let span = matcher.span;
    let absent = matches!(&matcher.value, Matcher::All(p) if p.len() == 1 && matches!(p[0].value, Predicate::Eq(Value::Bool(false))));
    HeaderExpect {
        name: Spanned::new(name, span),
        matcher: (!absent).then_some(matcher),
    }
}

fn add_status(
    existing: Option<Spanned<StatusExpect>>,
    matcher: Spanned<Matcher>,
) -> Spanned<StatusExpect> {
    let span = matcher.span;
    if existing.is_none()
        && let Matcher::Equals(Value::Number(n)) = &matcher.value
        && let Some(code) = n.as_u64().filter(|c| (100..=599).contains(c))
    {
        return Spanned::new(StatusExpect::Code(code as u16), span);
    }
    let mut predicates = existing.map(status_predicates).unwrap_or_default();
    predicates.extend(predicates_of(matcher));
    Spanned::new(StatusExpect::Matches(Matcher::All(predicates)), span)
}

fn status_predicates(status: Spanned<StatusExpect>) -> Vec<Spanned<Predicate>> {
    let span = status.span;
    let number = |n: u16| Value::Number(n.into());
    let one = |p: Predicate| vec![Spanned::new(p, span)];
    match status.value {
        StatusExpect::Code(code) => one(Predicate::Eq(number(code))),
        StatusExpect::AnyOf(codes) => {
            one(Predicate::OneOf(codes.into_iter().map(number).collect()))
        }
        StatusExpect::Class(class) => vec![
            Spanned::new(Predicate::Ge(number(class * 100)), span),
            Spanned::new(Predicate::Lt(number(class * 100 + 100)), span),
        ],
        StatusExpect::Matches(m) => predicates_of(Spanned::new(m, span)),
    }
}

fn merge(existing: Option<Spanned<Matcher>>, new: Spanned<Matcher>) -> Spanned<Matcher> {
    match existing {
        None => new,
        Some(old) => {
            let span = old.span;
            let mut predicates = predicates_of(old);
            predicates.extend(predicates_of(new));
            Spanned::new(Matcher::All(predicates), span)
        }
    }
}

fn predicates_of(matcher: Spanned<Matcher>) -> Vec<Spanned<Predicate>> {
    match matcher.value {
        Matcher::Equals(v) => vec![Spanned::new(Predicate::Eq(v), matcher.span)],
        Matcher::All(predicates) => predicates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_with_offsets() {
        assert_eq!(words(" a  bc\td "), vec![(1, "a"), (4, "bc"), (7, "d")]);
        assert!(words("").is_empty());
    }

    #[test]
    fn reads_javascript_subjects() {
        let json = |p: &str, length| {
            Some(Subject::Json {
                path: p.into(),
                length,
            })
        };
        assert_eq!(
            js_subject("response.parsedBody.a.b[0]"),
            json("$.a.b[0]", false)
        );
        assert_eq!(js_subject("response.parsedBody"), json("$", false));
        assert_eq!(
            js_subject("response.body.items.length"),
            json("$.items", true)
        );
        assert_eq!(js_subject("response.body"), Some(Subject::Body));
        assert_eq!(js_subject("response.statusCode"), Some(Subject::Status));
        assert_eq!(
            js_subject("response.headers['content-type']"),
            Some(Subject::Header("content-type".into()))
        );
        assert_eq!(js_subject("response.parsedBodyX"), None);
        assert_eq!(js_subject("response.parsedBody.a.map(x => x)"), None);
        assert_eq!(js_subject("client.global.get('a')"), None);
    }

    #[test]
    fn durations_are_milliseconds() {
        assert_eq!(
            integral(serde_json::Number::from_f64(500.0).unwrap()).to_string(),
            "500"
        );
        assert_eq!(
            integral(serde_json::Number::from_f64(1.5).unwrap()).to_string(),
            "1.5"
        );
    }
}
