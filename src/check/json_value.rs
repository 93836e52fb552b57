//! Comparing JSON values the way the format promises: `2` equals `2.0`, `"2"` is not `2`.

use std::cmp::Ordering;

use serde_json::Value as J;

/// Equality by JSON value, with numbers compared by value.
pub(crate) fn json_eq(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => number_eq(x, y),
        (J::Array(xs), J::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| json_eq(x, y))
        }
        (J::Object(xs), J::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| json_eq(x, y)))
        }
        _ => a == b,
    }
}

fn number_eq(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
        (Some(a), Some(b), _, _) => a == b,
        (_, _, Some(a), Some(b)) => a == b,
        _ => x.as_f64() == y.as_f64(),
    }
}

/// Orders two numbers or two strings; anything else cannot be ordered.
pub(crate) fn json_cmp(a: &J, b: &J) -> Option<Ordering> {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (J::String(x), J::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The JSON type name, as `type:` spells it (`integer` for whole numbers).
pub(crate) fn type_name(value: &J) -> &'static str {
    match value {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(n) if is_integer(n) => "integer",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

pub(crate) fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// A value as it is shown in messages: strings quoted, documents compact.
pub(crate) fn show(value: &J) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    if text.chars().count() > 200 {
        let cut: String = text.chars().take(200).collect();
        format!("{cut}… ({} characters)", text.chars().count())
    } else {
        text
    }
}

/// Pretty-printed with keys sorted, so that two documents diff line by line.
pub(crate) fn pretty_sorted(value: &J) -> String {
    fn sort(value: &J) -> J {
        match value {
            J::Object(map) => {
                let mut entries: Vec<(&String, &J)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                J::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sort(v)))
                        .collect(),
                )
            }
            J::Array(items) => J::Array(items.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&sort(value)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value_and_strings_do_not_equal_numbers() {
        assert!(json_eq(&json!(2), &json!(2.0)));
        assert!(!json_eq(&json!("2"), &json!(2)));
        assert!(json_eq(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!json_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }

    #[test]
    fn orders_numbers_and_strings_only() {
        assert_eq!(json_cmp(&json!(1), &json!(2.5)), Some(Ordering::Less));
        assert_eq!(json_cmp(&json!("b"), &json!("a")), Some(Ordering::Greater));
        assert_eq!(json_cmp(&json!("1"), &json!(1)), None);
    }

    #[test]
    fn names_types() {
        assert_eq!(type_name(&json!(1)), "integer");
        assert_eq!(type_name(&json!(1.5)), "number");
        assert_eq!(type_name(&json!(null)), "null");
    }

    #[test]
    fn sorts_keys_when_pretty_printing() {
        assert_eq!(
            pretty_sorted(&json!({"b": 1, "a": {"d": 2, "c": 3}})),
            "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": 2\n  },\n  \"b\": 1\n}"
        );
    }
}
