//! Secrets replaced by `***`, once, where events are made: no reporter ever sees one.

/// Replaces every known secret in a text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor {
    /// Each secret as written and as it appears encoded: percent-encoded in URLs and forms,
    /// escaped in JSON strings (quotes, backslashes, control characters). Longest first, so
    /// that a secret containing another is replaced whole.
    secrets: Vec<String>,
}

pub(crate) const MASK: &str = "***";

impl Redactor {
    /// A JSON value with every secret replaced in its strings and keys; a number that shows
    /// a secret (a PIN that came back as a number) becomes the string it reads as, redacted.
    pub(crate) fn redact_json(&self, value: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value as J;
        match value {
            J::String(text) => J::String(self.redact(text)),
            J::Number(n) if !self.secrets.is_empty() => {
                let text = n.to_string();
                let redacted = self.redact(&text);
                if redacted == text {
                    value.clone()
                } else {
                    J::String(redacted)
                }
            }
            J::Array(items) => J::Array(items.iter().map(|v| self.redact_json(v)).collect()),
            J::Object(map) => J::Object(
                map.iter()
                    .map(|(k, v)| (self.redact(k), self.redact_json(v)))
                    .collect(),
            ),
            J::Null | J::Bool(_) | J::Number(_) => value.clone(),
        }
    }

    pub(crate) fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        let mut r = Redactor::default();
        r.extend(secrets);
        r
    }

    pub(crate) fn extend(&mut self, secrets: impl IntoIterator<Item = String>) {
        for s in secrets {
            if s.is_empty() {
                continue;
            }
            let encoded: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
            let quoted = serde_json::to_string(&s).unwrap_or_default();
            let escaped = quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .unwrap_or_default()
                .to_owned();
            for form in [s, encoded, escaped] {
                if !form.is_empty() && !self.secrets.contains(&form) {
                    self.secrets.push(form);
                }
            }
        }
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_the_strings_and_keys_of_json_values() {
        let r = Redactor::new(["s3cret".to_string()]);
        let value = serde_json::json!({"s3cret": ["x s3cret y", 1, null], "b": true});
        assert_eq!(
            r.redact_json(&value),
            serde_json::json!({"***": ["x *** y", 1, null], "b": true})
        );
        let pin = Redactor::new(["483920".to_string()]);
        assert_eq!(
            pin.redact_json(&serde_json::json!([483_920, 48_392])),
            serde_json::json!(["***", 48392])
        );
    }

    #[test]
    fn replaces_every_secret_longest_first() {
        let r = Redactor::new([
            "abc".to_string(),
            "abcdef".to_string(),
            "p@ss word".to_string(),
        ]);
        assert_eq!(r.redact("x abcdef y abc"), "x *** y ***");
        assert_eq!(r.redact("?pw=p%40ss+word"), "?pw=***");
        let quoted = Redactor::new(["a\"b\\c".to_string()]);
        assert_eq!(quoted.redact(r#"{"pw": "a\"b\\c"}"#), r#"{"pw": "***"}"#);
    }
}
