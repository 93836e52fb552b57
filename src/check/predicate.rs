//! Evaluating a matcher (a bare value or a predicate mapping) against an actual JSON value.

use std::cmp::Ordering;

use serde_json::Value as J;

use super::json_value::{is_integer, json_cmp, json_eq, show, type_name};
use sonde_core::model::{JsonType, Matcher, Pattern, Predicate, Text, Value};

/// Turns the expected side of an assertion into JSON: templates are rendered with the
/// step's variables.
pub trait Resolve {
    fn value(&self, value: &Value) -> Result<J, TemplateError>;
    fn text(&self, text: &Text) -> Result<String, TemplateError>;
}

/// A template that could not be rendered, in one sentence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub message: String,
}

/// Resolves values that hold no template; a template is an error. For tests and for
/// checks that run without variables.
pub struct Literal;

impl Resolve for Literal {
    fn value(&self, value: &Value) -> Result<J, TemplateError> {
        literal_json(value).ok_or_else(needs_variables)
    }
    fn text(&self, text: &Text) -> Result<String, TemplateError> {
        text.is_literal()
            .then(|| text.source.clone())
            .ok_or_else(needs_variables)
    }
}

fn needs_variables() -> TemplateError {
    TemplateError {
        message: "a template needs variables".to_string(),
    }
}

/// The JSON a value stands for, when it holds no template.
pub fn literal_json(value: &Value) -> Option<J> {
    Some(match value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => J::Number(n.clone()),
        Value::String(t) if t.is_literal() => J::String(t.source.clone()),
        Value::String(_) => return None,
        Value::Array(items) => J::Array(items.iter().map(literal_json).collect::<Option<_>>()?),
        Value::Object(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| literal_json(v).map(|v| (k.clone(), v)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// One way the actual value fails a matcher.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// What was expected, in words: `greater than 5`, `"abc"`.
    pub expected: String,
    /// What came, as shown to the user.
    pub actual: String,
    /// Both sides, when they are documents or long texts worth a diff.
    pub documents: Option<Box<(J, J)>>,
    /// Which word of a predicate mapping failed (its position), so that a report can show
    /// that word alone as what was expected ([`expected_json`]).
    pub word: Option<usize>,
}

impl Mismatch {
    fn new(expected: impl Into<String>, actual: Option<&J>) -> Mismatch {
        Mismatch {
            expected: expected.into(),
            actual: actual.map_or_else(|| "nothing".to_string(), show),
            documents: None,
            word: None,
        }
    }

    #[must_use]
    pub(crate) fn at_word(mut self, position: usize) -> Mismatch {
        self.word = Some(position);
        self
    }
}

/// Every way `actual` (`None`: nothing there) fails `matcher`; empty when it holds.
pub fn evaluate(matcher: &Matcher, actual: Option<&J>, r: &dyn Resolve) -> Vec<Mismatch> {
    match matcher {
        Matcher::Equals(expected) => match r.value(expected) {
            Ok(expected) => equals(&expected, actual).into_iter().collect(),
            Err(e) => vec![Mismatch::new(
                format!("a value that could not be computed: {e}"),
                actual,
            )],
        },
        Matcher::All(predicates) => predicates
            .iter()
            .enumerate()
            .filter_map(|(i, p)| predicate(&p.value, actual, r).err().map(|m| m.at_word(i)))
            .collect(),
    }
}

/// One predicate word: the mismatch, if it does not hold.
pub fn evaluate_one(p: &Predicate, actual: Option<&J>, r: &dyn Resolve) -> Option<Mismatch> {
    predicate(p, actual, r).err()
}

/// What a mismatch of `matcher` expected, as JSON: the failed word alone (`{"gt": 5}`) when
/// it says which, else the whole matcher.
pub fn expected_json(matcher: &Matcher, mismatch: &Mismatch, r: &dyn Resolve) -> J {
    match (matcher, mismatch.word) {
        (Matcher::All(predicates), Some(i)) if i < predicates.len() => {
            predicate_json(&predicates[i].value, r)
        }
        _ => matcher_json(matcher, r),
    }
}

/// A matcher as JSON, as the file writes it with its templates rendered: the bare value, or
/// the predicate mapping (`{"contains": "json"}`).
pub fn matcher_json(matcher: &Matcher, r: &dyn Resolve) -> J {
    match matcher {
        Matcher::Equals(v) => value_json(v, r),
        Matcher::All(predicates) => J::Object(
            predicates
                .iter()
                .map(|p| (word(&p.value).to_string(), operand_json(&p.value, r)))
                .collect(),
        ),
    }
}

/// One predicate word as its mapping: `{"gt": 5}`.
fn predicate_json(p: &Predicate, r: &dyn Resolve) -> J {
    J::Object(std::iter::once((word(p).to_string(), operand_json(p, r))).collect())
}

fn word(p: &Predicate) -> &'static str {
    match p {
        Predicate::Eq(_) => "eq",
        Predicate::Ne(_) => "ne",
        Predicate::Lt(_) => "lt",
        Predicate::Le(_) => "le",
        Predicate::Gt(_) => "gt",
        Predicate::Ge(_) => "ge",
        Predicate::Contains(_) => "contains",
        Predicate::NotContains(_) => "not_contains",
        Predicate::StartsWith(_) => "starts_with",
        Predicate::EndsWith(_) => "ends_with",
        Predicate::Matches(_) => "matches",
        Predicate::OneOf(_) => "one_of",
        Predicate::Type(_) => "type",
        Predicate::Length(_) => "length",
        Predicate::Exists(_) => "exists",
        Predicate::Not(_) => "not",
    }
}

fn operand_json(p: &Predicate, r: &dyn Resolve) -> J {
    match p {
        Predicate::Eq(v)
        | Predicate::Ne(v)
        | Predicate::Lt(v)
        | Predicate::Le(v)
        | Predicate::Gt(v)
        | Predicate::Ge(v)
        | Predicate::Contains(v)
        | Predicate::NotContains(v)
        | Predicate::StartsWith(v)
        | Predicate::EndsWith(v) => value_json(v, r),
        Predicate::Matches(Pattern::Compiled(re)) => J::String(re.as_str().to_string()),
        Predicate::Matches(Pattern::Template(t)) => {
            J::String(r.text(t).unwrap_or_else(|_| t.source.clone()))
        }
        Predicate::OneOf(values) => J::Array(values.iter().map(|v| value_json(v, r)).collect()),
        Predicate::Type(t) => J::String(type_label(*t).to_string()),
        Predicate::Length(m) | Predicate::Not(m) => matcher_json(m, r),
        Predicate::Exists(b) => J::Bool(*b),
    }
}

/// A value with its templates rendered; one that cannot be rendered is shown as written.
fn value_json(value: &Value, r: &dyn Resolve) -> J {
    r.value(value).unwrap_or_else(|_| as_written(value))
}

/// A value as written in the file, templates as their source text.
fn as_written(value: &Value) -> J {
    match value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => J::Number(n.clone()),
        Value::String(t) => J::String(t.source.clone()),
        Value::Array(items) => J::Array(items.iter().map(as_written).collect()),
        Value::Object(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), as_written(v)))
                .collect(),
        ),
    }
}

fn equals(expected: &J, actual: Option<&J>) -> Option<Mismatch> {
    if actual.is_some_and(|a| json_eq(expected, a)) {
        return None;
    }
    let mut m = Mismatch::new(show(expected), actual);
    if let Some(actual) = actual
        && worth_a_diff(expected, actual)
    {
        m.documents = Some(Box::new((expected.clone(), actual.clone())));
    }
    Some(m)
}

/// Documents, and texts of several lines, are shown as a diff.
fn worth_a_diff(expected: &J, actual: &J) -> bool {
    match (expected, actual) {
        (J::Object(_) | J::Array(_), J::Object(_) | J::Array(_)) => true,
        (J::String(e), J::String(a)) => {
            e.contains('\n') || a.contains('\n') || e.len() + a.len() > 160
        }
        _ => false,
    }
}

fn predicate(p: &Predicate, actual: Option<&J>, r: &dyn Resolve) -> Result<(), Mismatch> {
    let operand = |v: &Value| {
        r.value(v)
            .map_err(|e| Mismatch::new(format!("a value that could not be computed: {e}"), actual))
    };
    let fail = |expected: String| Err(Mismatch::new(expected, actual));
    match p {
        Predicate::Exists(should) => match (actual.is_some(), should) {
            (true, true) | (false, false) => Ok(()),
            (false, true) => fail("something (exists: true)".into()),
            (true, false) => fail("nothing (exists: false)".into()),
        },
        Predicate::Not(inner) => {
            if evaluate(inner, actual, r).is_empty() {
                fail(format!("not {}", describe(inner, r)))
            } else {
                Ok(())
            }
        }
        _ if actual.is_none() => fail(describe_predicate(p, r)),
        Predicate::Eq(v) => equals(&operand(v)?, actual).map_or(Ok(()), Err),
        Predicate::Ne(v) => {
            let v = operand(v)?;
            if actual.is_some_and(|a| json_eq(&v, a)) {
                fail(format!("not {}", show(&v)))
            } else {
                Ok(())
            }
        }
        Predicate::Lt(v) => order(actual, &operand(v)?, "less than", |o| o == Ordering::Less),
        Predicate::Le(v) => order(actual, &operand(v)?, "at most", |o| o != Ordering::Greater),
        Predicate::Gt(v) => order(actual, &operand(v)?, "greater than", |o| {
            o == Ordering::Greater
        }),
        Predicate::Ge(v) => order(actual, &operand(v)?, "at least", |o| o != Ordering::Less),
        Predicate::Contains(v) => {
            let v = operand(v)?;
            match contains(actual, &v) {
                Some(true) => Ok(()),
                Some(false) => fail(format!("something containing {}", show(&v))),
                None => fail(format!("a string or a list containing {}", show(&v))),
            }
        }
        Predicate::NotContains(v) => {
            let v = operand(v)?;
            match contains(actual, &v) {
                Some(false) => Ok(()),
                Some(true) => fail(format!("something not containing {}", show(&v))),
                None => fail(format!("a string or a list not containing {}", show(&v))),
            }
        }
        Predicate::StartsWith(v) => affix(actual, &operand(v)?, "starting with", |s, p| {
            s.starts_with(p)
        }),
        Predicate::EndsWith(v) => affix(actual, &operand(v)?, "ending with", |s, p| s.ends_with(p)),
        Predicate::Matches(pattern) => {
            let regex = match pattern {
                Pattern::Compiled(re) => re.clone(),
                Pattern::Template(t) => {
                    let source = r.text(t).map_err(|e| {
                        Mismatch::new(format!("a pattern that could not be computed: {e}"), actual)
                    })?;
                    sonde_core::cache::regex(&source).map_err(|e| {
                        Mismatch::new(format!("a valid regex, but `{source}` is not: {e}"), actual)
                    })?
                }
            };
            match actual {
                Some(J::String(s)) if regex.is_match(s) => Ok(()),
                _ => fail(format!("a string matching /{}/", regex.as_str())),
            }
        }
        Predicate::OneOf(values) => {
            let values: Vec<J> = values.iter().map(operand).collect::<Result<_, _>>()?;
            if values.iter().any(|v| actual.is_some_and(|a| json_eq(v, a))) {
                Ok(())
            } else {
                fail(format!("one of {}", show(&J::Array(values))))
            }
        }
        Predicate::Type(t) => {
            if actual.is_some_and(|a| has_type(a, *t)) {
                Ok(())
            } else {
                fail(format!("a value of type {}", type_label(*t)))
            }
        }
        Predicate::Length(inner) => {
            let Some(length) = actual.and_then(length_of) else {
                return fail("a string, list or object with a length".into());
            };
            let length = J::from(length);
            match evaluate(inner, Some(&length), r).into_iter().next() {
                None => Ok(()),
                Some(m) => Err(Mismatch {
                    expected: format!("a length of {}", m.expected),
                    actual: format!("{} (length {length})", actual.map(show).unwrap_or_default()),
                    ..Mismatch::new("", None)
                }),
            }
        }
    }
}

fn order(
    actual: Option<&J>,
    bound: &J,
    words: &str,
    holds: impl Fn(Ordering) -> bool,
) -> Result<(), Mismatch> {
    match actual.and_then(|a| json_cmp(a, bound)) {
        Some(o) if holds(o) => Ok(()),
        Some(_) => Err(Mismatch::new(format!("{words} {}", show(bound)), actual)),
        None => Err(Mismatch {
            expected: format!("{words} {}", show(bound)),
            actual: match actual {
                Some(a) => format!(
                    "{} ({}, which does not compare with {})",
                    show(a),
                    with_article(type_name(a)),
                    with_article(type_name(bound))
                ),
                None => "nothing".into(),
            },
            ..Mismatch::new("", None)
        }),
    }
}

/// `Some(found)` when `actual` is a string or a list, `None` when it cannot contain anything.
fn contains(actual: Option<&J>, needle: &J) -> Option<bool> {
    match (actual?, needle) {
        (J::String(s), J::String(n)) => Some(s.contains(n.as_str())),
        (J::String(s), other) => Some(s.contains(&show(other))),
        (J::Array(items), n) => Some(items.iter().any(|i| json_eq(i, n))),
        _ => None,
    }
}

fn affix(
    actual: Option<&J>,
    operand: &J,
    words: &str,
    holds: impl Fn(&str, &str) -> bool,
) -> Result<(), Mismatch> {
    let affix = match operand {
        J::String(s) => s.clone(),
        other => show(other),
    };
    match actual {
        Some(J::String(s)) if holds(s, &affix) => Ok(()),
        _ => Err(Mismatch::new(
            format!("a string {words} {}", show(&J::String(affix))),
            actual,
        )),
    }
}

fn with_article(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

fn length_of(value: &J) -> Option<usize> {
    match value {
        J::String(s) => Some(s.chars().count()),
        J::Array(items) => Some(items.len()),
        J::Object(map) => Some(map.len()),
        _ => None,
    }
}

fn has_type(value: &J, t: JsonType) -> bool {
    match (t, value) {
        (JsonType::String, J::String(_))
        | (JsonType::Number, J::Number(_))
        | (JsonType::Boolean, J::Bool(_))
        | (JsonType::Array, J::Array(_))
        | (JsonType::Object, J::Object(_))
        | (JsonType::Null, J::Null) => true,
        (JsonType::Integer, J::Number(n)) => is_integer(n),
        _ => false,
    }
}

fn type_label(t: JsonType) -> &'static str {
    JsonType::NAMES[t as usize]
}

/// What a matcher expects, in words, for messages about `not`.
pub fn describe(matcher: &Matcher, r: &dyn Resolve) -> String {
    match matcher {
        Matcher::Equals(v) => r.value(v).map_or_else(|e| e.message, |v| show(&v)),
        Matcher::All(predicates) => predicates
            .iter()
            .map(|p| describe_predicate(&p.value, r))
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

fn describe_predicate(p: &Predicate, r: &dyn Resolve) -> String {
    let v = |v: &Value| r.value(v).map_or_else(|e| e.message, |v| show(&v));
    match p {
        Predicate::Eq(x) => v(x),
        Predicate::Ne(x) => format!("not {}", v(x)),
        Predicate::Lt(x) => format!("less than {}", v(x)),
        Predicate::Le(x) => format!("at most {}", v(x)),
        Predicate::Gt(x) => format!("greater than {}", v(x)),
        Predicate::Ge(x) => format!("at least {}", v(x)),
        Predicate::Contains(x) => format!("something containing {}", v(x)),
        Predicate::NotContains(x) => format!("something not containing {}", v(x)),
        Predicate::StartsWith(x) => format!("a string starting with {}", v(x)),
        Predicate::EndsWith(x) => format!("a string ending with {}", v(x)),
        Predicate::Matches(Pattern::Compiled(re)) => format!("a string matching /{}/", re.as_str()),
        Predicate::Matches(Pattern::Template(t)) => format!("a string matching /{}/", t.source),
        Predicate::OneOf(xs) => format!(
            "one of [{}]",
            xs.iter().map(v).collect::<Vec<_>>().join(", ")
        ),
        Predicate::Type(t) => format!("a value of type {}", type_label(*t)),
        Predicate::Length(m) => format!("a length of {}", describe(m, r)),
        Predicate::Exists(true) => "something (exists: true)".into(),
        Predicate::Exists(false) => "nothing (exists: false)".into(),
        Predicate::Not(m) => format!("not {}", describe(m, r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sonde_core::SourceFile;
    use sonde_core::node;
    use sonde_core::reader::Reader;
    use sonde_core::yaml::read_matcher;

    fn matcher(yaml: &str) -> Matcher {
        let source = SourceFile::new("t.yaml", yaml);
        let node = node::parse(yaml).unwrap();
        let mut r = Reader::new(&source);
        let m = read_matcher(&mut r, &node);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        m.unwrap()
    }

    fn holds(yaml: &str, actual: &J) -> bool {
        evaluate(&matcher(yaml), Some(actual), &Literal).is_empty()
    }

    fn first_failure(yaml: &str, actual: Option<&J>) -> Mismatch {
        evaluate(&matcher(yaml), actual, &Literal).remove(0)
    }

    #[test]
    fn bare_values_compare_as_json() {
        assert!(holds("2", &json!(2.0)));
        assert!(!holds("\"2\"", &json!(2)));
        assert!(holds("{}", &json!({})));
        assert!(holds("{a: 1, b: [true]}", &json!({"b": [true], "a": 1.0})));
        assert!(
            !holds("{eq: 1, other: 2}", &json!(1)),
            "a mixed mapping is a literal object"
        );
    }

    #[test]
    fn every_predicate_passes_and_fails() {
        let cases: &[(&str, J, J)] = &[
            ("{eq: 1}", json!(1), json!(2)),
            ("{ne: 1}", json!(2), json!(1)),
            ("{lt: 5}", json!(4), json!(5)),
            ("{le: 5}", json!(5), json!(6)),
            ("{gt: 5}", json!(6), json!(5)),
            ("{ge: 5}", json!(5), json!(4)),
            ("{lt: b}", json!("a"), json!("c")),
            ("{contains: ell}", json!("hello"), json!("world")),
            ("{contains: 2}", json!([1, 2]), json!([1, 3])),
            ("{not_contains: x}", json!("abc"), json!("xyz")),
            ("{starts_with: ab}", json!("abc"), json!("cab")),
            ("{ends_with: bc}", json!("abc"), json!("bca")),
            (
                "{matches: \"^[0-9a-f-]{36}$\"}",
                json!("0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"),
                json!("nope"),
            ),
            ("{one_of: [a, b]}", json!("b"), json!("c")),
            ("{type: integer}", json!(3), json!(3.5)),
            ("{type: number}", json!(3.5), json!("3.5")),
            ("{type: string}", json!("s"), json!(1)),
            ("{type: boolean}", json!(false), json!(0)),
            ("{type: array}", json!([]), json!({})),
            ("{type: object}", json!({}), json!([])),
            ("{type: null}", json!(null), json!(0)),
            ("{length: 3}", json!("abc"), json!("ab")),
            ("{length: {gt: 1}}", json!([1, 2]), json!([1])),
            ("{exists: true}", json!(0), json!(null)),
            ("{not: {eq: 5}}", json!(4), json!(5)),
            ("{not: 5}", json!(4), json!(5)),
            ("{gt: 1, lt: 10, type: integer}", json!(5), json!(50)),
        ];
        for (yaml, pass, fail) in cases {
            assert!(holds(yaml, pass), "{yaml} should hold for {pass}");
            if *yaml != "{exists: true}" {
                assert!(!holds(yaml, fail), "{yaml} should fail for {fail}");
            }
        }
    }

    #[test]
    fn exists_false_is_the_only_way_to_pass_on_nothing() {
        let m = matcher("{exists: false}");
        assert!(evaluate(&m, None, &Literal).is_empty());
        assert_eq!(
            first_failure("{exists: true}", None).expected,
            "something (exists: true)"
        );
        assert_eq!(first_failure("5", None).actual, "nothing");
        assert_eq!(first_failure("{gt: 1}", None).expected, "greater than 1");
    }

    #[test]
    fn every_failing_word_is_reported() {
        let all = evaluate(
            &matcher("{gt: 10, type: string, contains: z}"),
            Some(&json!(5)),
            &Literal,
        );
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].expected, "greater than 10");
        assert_eq!(all[1].expected, "a value of type string");
    }

    #[test]
    fn documents_carry_both_sides_for_a_diff() {
        let m = first_failure("{a: 1}", Some(&json!({"a": 2})));
        assert!(m.documents.is_some());
        assert!(first_failure("1", Some(&json!(2))).documents.is_none());
    }

    #[test]
    fn comparing_unlike_types_says_so() {
        let m = first_failure("{lt: 5}", Some(&json!("3")));
        assert_eq!(m.expected, "less than 5");
        assert_eq!(
            m.actual,
            "\"3\" (a string, which does not compare with an integer)"
        );
    }
}
