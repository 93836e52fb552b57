//! JavaScript property access (`response.parsedBody.items[0]['odd key']`), the subset of
//! JavaScript that `.http` files use to point into a JSON body, turned into `JSONPath`.

/// One step of a property access.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Accessor {
    /// `.name` or `['name']`.
    Key(String),
    /// `[0]`.
    Index(u64),
}

/// Reads `a.b[0]['c']` or `.a.b`; `None` when the text is not plain property access
/// (a call, an operator, a computed index…).
pub(super) fn parse_accessors(text: &str) -> Option<Vec<Accessor>> {
    let mut accessors = Vec::new();
    let mut rest = text.trim();
    if !rest.is_empty() && !rest.starts_with(['.', '[']) {
        let (name, after) = take_name(rest)?;
        accessors.push(Accessor::Key(name.to_owned()));
        rest = after;
    }
    while !rest.is_empty() {
        if let Some(after_dot) = rest.strip_prefix('.') {
            let (name, after) = take_name(after_dot)?;
            accessors.push(Accessor::Key(name.to_owned()));
            rest = after;
        } else if let Some(after_bracket) = rest.strip_prefix('[') {
            let (accessor, after) = take_bracket(after_bracket)?;
            accessors.push(accessor);
            rest = after;
        } else {
            return None;
        }
    }
    Some(accessors)
}

/// A JavaScript identifier (ASCII letters, digits, `_`, `$`, and `-` as JSON keys often have).
fn take_name(text: &str) -> Option<(&str, &str)> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-'))
        .unwrap_or(text.len());
    (end > 0).then(|| text.split_at(end))
}

/// The inside of `[…]` and what follows the `]`.
fn take_bracket(text: &str) -> Option<(Accessor, &str)> {
    let quote = text.chars().next()?;
    if quote == '\'' || quote == '"' {
        let inner = &text[1..];
        let end = inner.find(quote)?;
        let after = inner[end + 1..].strip_prefix(']')?;
        return Some((Accessor::Key(inner[..end].to_owned()), after));
    }
    let end = text.find(']')?;
    let index = text[..end].trim().parse().ok()?;
    Some((Accessor::Index(index), &text[end + 1..]))
}

/// The `JSONPath` (RFC 9535) of a property access from the document root.
pub(super) fn to_json_path(accessors: &[Accessor]) -> String {
    let mut path = String::from("$");
    for accessor in accessors {
        match accessor {
            Accessor::Key(key) if is_shorthand_name(key) => {
                path.push('.');
                path.push_str(key);
            }
            Accessor::Key(key) => {
                path.push_str("['");
                path.push_str(&key.replace('\\', "\\\\").replace('\'', "\\'"));
                path.push_str("']");
            }
            Accessor::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    path
}

/// A name that RFC 9535 allows after a dot.
fn is_shorthand_name(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Option<String> {
        parse_accessors(text).map(|a| to_json_path(&a))
    }

    #[test]
    fn turns_property_access_into_json_path() {
        assert_eq!(path("a.b[0]").as_deref(), Some("$.a.b[0]"));
        assert_eq!(
            path(".a['odd key'][\"x\"]").as_deref(),
            Some("$.a['odd key'].x")
        );
        assert_eq!(path("").as_deref(), Some("$"));
        assert_eq!(path("a-b.c").as_deref(), Some("$['a-b'].c"));
        assert_eq!(path("['it''s']"), None);
        assert_eq!(path("['it\\'s']"), None);
        assert_eq!(path("[\"it's\"]").as_deref(), Some("$['it\\'s']"));
    }

    #[test]
    fn rejects_what_is_not_plain_access() {
        assert_eq!(path("a.trim()"), None);
        assert_eq!(path("a[i]"), None);
        assert_eq!(path("a + 1"), None);
        assert_eq!(path("a..b"), None);
        assert_eq!(path("a[0"), None);
    }

    #[test]
    fn generated_paths_compile() {
        for text in ["a.b[0]", "['odd key']", "a-b", "[\"it's\"]"] {
            let p = path(text).unwrap();
            assert!(serde_json_path::JsonPath::parse(&p).is_ok(), "{p}");
        }
    }
}
