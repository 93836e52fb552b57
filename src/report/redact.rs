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
