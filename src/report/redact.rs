//! Secrets replaced by `***`, once, where events are made: no reporter ever sees one.

/// Replaces every known secret in a text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor {
    /// Longest first, so that a secret containing another is replaced whole.
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
            if !s.is_empty() && !self.secrets.contains(&s) {
                self.secrets.push(s);
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
            // URLs carry secrets percent-encoded.
            let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            if encoded != *secret && out.contains(&encoded) {
                out = out.replace(&encoded, MASK);
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
    }
}
