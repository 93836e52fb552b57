//! Variable names of `.http` files as template identifiers.
//!
//! `.http` files name variables freely (`@Catalog.API_HostAddress`, `@api-key`), but a
//! minijinja identifier is ASCII letters, digits and `_`, and `{{ a.b }}` means "attribute
//! `b` of `a`". Every name is therefore given one identifier, used both where the variable
//! is defined and everywhere it is referenced:
//! - an ASCII letter, digit or `_` stays as it is;
//! - any other character (`.`, `-`, non-ASCII…) becomes `__`;
//! - a leading digit gets a `_` in front;
//! - a template keyword (`true`, `in`, …) or one of sonde's globals (`env`, `uuid`, …) gets a
//!   trailing `_`, so that it does not hide them.
//!
//! `Catalog.API_HostAddress` → `Catalog__API_HostAddress`, `api-key` → `api__key`,
//! `env` → `env_`. Two names that end up with the same identifier are reported.

use std::collections::HashMap;

/// Words minijinja reads as keywords or literals: a variable cannot be called that.
const KEYWORDS: [&str; 13] = [
    "true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if", "else",
];

/// The template identifier of a `.http` variable name (see the module doc).
pub fn identifier_for(name: &str) -> String {
    let mut ident = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            ident.push(c);
        } else {
            ident.push_str("__");
        }
    }
    if !ident.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        ident.insert(0, '_');
    }
    if KEYWORDS.contains(&ident.as_str()) || crate::template::is_global(&ident) {
        ident.push('_');
    }
    ident
}

/// Whether `name` can be used in a template as it is.
pub(super) fn is_plain_identifier(name: &str) -> bool {
    identifier_for(name) == name
}

/// Two variable names with the same template identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the variables `{existing}` and `{name}` clash")]
pub(super) struct NameClash {
    /// The name registered first.
    pub existing: String,
    /// The name that was refused.
    pub name: String,
}

/// The variables a file knows, by the name written in the file.
#[derive(Debug, Default)]
pub(super) struct NameTable {
    by_name: HashMap<String, String>,
    /// identifier → the first name that got it, to report collisions.
    by_ident: HashMap<String, String>,
}

impl NameTable {
    /// Registers `name`; `Err` names the other name that already has the same identifier.
    pub(super) fn insert(&mut self, name: &str) -> Result<&str, NameClash> {
        let ident = identifier_for(name);
        if let Some(other) = self.by_ident.get(&ident)
            && other != name
        {
            return Err(NameClash {
                existing: other.clone(),
                name: name.to_owned(),
            });
        }
        self.by_ident.insert(ident.clone(), name.to_owned());
        Ok(self.by_name.entry(name.to_owned()).or_insert(ident))
    }

    /// The identifier of a known variable.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.by_name.get(name).map(String::as_str)
    }

    /// Whether some known variable has this identifier.
    pub(super) fn has_ident(&self, ident: &str) -> bool {
        self.by_ident.contains_key(ident)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_names_to_identifiers() {
        assert_eq!(identifier_for("host"), "host");
        assert_eq!(
            identifier_for("Catalog.API_HostAddress"),
            "Catalog__API_HostAddress"
        );
        assert_eq!(identifier_for("api-key"), "api__key");
        assert_eq!(identifier_for("2fa"), "_2fa");
        assert_eq!(identifier_for("env"), "env_");
        assert_eq!(identifier_for("true"), "true_");
        assert_eq!(identifier_for("größe"), "gr____e");
        assert_eq!(identifier_for(""), "_");
    }

    #[test]
    fn reports_names_that_collide() {
        let mut names = NameTable::default();
        assert_eq!(names.insert("a.b"), Ok("a__b"));
        assert_eq!(names.insert("a.b"), Ok("a__b"));
        let clash = names.insert("a-b").unwrap_err();
        assert_eq!(clash.existing, "a.b");
        assert_eq!(clash.to_string(), "the variables `a.b` and `a-b` clash");
        assert_eq!(names.get("a.b"), Some("a__b"));
        assert!(names.has_ident("a__b"));
    }
}
