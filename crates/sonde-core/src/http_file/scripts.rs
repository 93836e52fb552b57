//! `JetBrains` response handler scripts: sonde runs no JavaScript, but the most common script,
//! `client.global.set("name", response.body.path)`, only stores a value of the response for
//! later requests. Such statements become captures (so `{{name}}` works in the requests
//! below); the script is still reported as not run, naming what was kept.

use std::sync::LazyLock;

use regex::Regex;

use super::jspath;
use crate::model::{CaptureSource, JsonPath};
use crate::source::{Span, Spanned};

/// The captures a script's `client.global.set` statements amount to, and whether the script
/// had nothing else in it.
pub(super) fn captures_from_script(
    code: &str,
    span: Span,
) -> (Vec<(Spanned<String>, CaptureSource)>, bool) {
    let mut captures = Vec::new();
    let mut everything_translated = true;
    for statement in statements(code) {
        match set_statement(statement, span) {
            Some(capture) => captures.push(capture),
            None => everything_translated = false,
        }
    }
    (captures, everything_translated)
}

/// Statements split at `;` and line ends, comments and blanks left out.
fn statements(code: &str) -> impl Iterator<Item = &str> {
    code.split([';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with("//"))
}

fn set_statement(statement: &str, span: Span) -> Option<(Spanned<String>, CaptureSource)> {
    static SET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"^client\.global\.set\(\s*(?:"([A-Za-z_]\w*)"|'([A-Za-z_]\w*)')\s*,\s*(.+?)\s*\)$"#,
        )
        .expect("valid regex")
    });
    let caps = SET.captures(statement)?;
    let name = caps.get(1).or_else(|| caps.get(2))?.as_str();
    let source = response_value(caps.get(3)?.as_str(), span)?;
    Some((Spanned::new(name.to_owned(), span), source))
}

/// What a JavaScript expression reads from the response, when sonde can read it too.
fn response_value(expression: &str, span: Span) -> Option<CaptureSource> {
    static HEADER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^response\.headers\.valueOf\(\s*(?:"([^"]+)"|'([^']+)')\s*\)$"#)
            .expect("valid regex")
    });
    static TRIMMED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*([\s\S]*?)\s*$").expect("valid regex"));
    if let Some(caps) = HEADER.captures(expression) {
        let name = caps.get(1).or_else(|| caps.get(2))?.as_str();
        return Some(CaptureSource::Header(Spanned::new(name.to_owned(), span)));
    }
    match expression {
        "response.status" => return Some(CaptureSource::Status),
        "response.body" => return Some(CaptureSource::Body),
        "response.body.trim()" => {
            return Some(CaptureSource::Regex {
                regex: TRIMMED.clone(),
                group: 1,
            });
        }
        _ => {}
    }
    let access = expression.strip_prefix("response.body")?;
    if !access.starts_with(['.', '[']) {
        return None;
    }
    let path = jspath::to_json_path(&jspath::parse_accessors(access)?);
    let compiled = crate::cache::json_path(&path).ok()?;
    Some(CaptureSource::Json(JsonPath {
        source: Spanned::new(path, span),
        compiled,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translate(code: &str) -> (Vec<String>, bool) {
        let (captures, all) = captures_from_script(code, Span::new(1, 1));
        let shown = captures
            .iter()
            .map(|(name, source)| {
                let what = match source {
                    CaptureSource::Json(p) => p.source.value.clone(),
                    CaptureSource::Header(h) => format!("header {}", h.value),
                    CaptureSource::Body => "body".into(),
                    CaptureSource::Status => "status".into(),
                    CaptureSource::Regex { .. } => "trimmed body".into(),
                    _ => "other".into(),
                };
                format!("{}={what}", name.value)
            })
            .collect();
        (shown, all)
    }

    #[test]
    fn turns_global_sets_into_captures() {
        assert_eq!(
            translate(r#"client.global.set("bearerToken", response.body.trim())"#),
            (vec!["bearerToken=trimmed body".to_string()], true)
        );
        assert_eq!(
            translate(
                "client.global.set(\"projectUUID\", response.body[\"uuid\"]);\nclient.global.set('t', response.headers.valueOf('X-Token'));"
            ),
            (
                vec![
                    "projectUUID=$.uuid".to_string(),
                    "t=header X-Token".to_string()
                ],
                true
            )
        );
        assert_eq!(
            translate("client.global.set('s', response.status)").0,
            vec!["s=status"]
        );
    }

    #[test]
    fn reports_what_it_cannot_translate() {
        let (captures, all) = translate(
            "client.test('ok', function() {\n  client.assert(response.status === 200);\n});\nclient.global.set('a', response.body.id)",
        );
        assert_eq!(captures, vec!["a=$.id"]);
        assert!(!all);
        assert_eq!(
            translate("client.global.set('a', 'literal')"),
            (vec![], false)
        );
        assert_eq!(
            translate("client.global.set('a', response.body.x.toUpperCase())"),
            (vec![], false)
        );
    }
}
