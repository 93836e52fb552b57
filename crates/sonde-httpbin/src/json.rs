//! JSON text written the way httpbin's Python writes it, so bodies compare byte for
//! byte: Flask's `jsonify` (keys sorted, indent 2, trailing newline) and plain
//! `json.dumps` (one line, `", "` and `": "` separators). Both escape every
//! non-ASCII character as `\uXXXX`, and floats follow Python's `repr`.

use std::fmt::Write as _;

use serde_json::{Number, Value};

/// Flask's `jsonify` output.
pub(crate) fn pretty(value: &Value) -> String {
    let mut out = String::new();
    write_pretty(&mut out, value, 0);
    out.push('\n');
    out
}

/// Python's `json.dumps(value)` with default settings; keys keep their order.
pub(crate) fn compact(value: &Value) -> String {
    let mut out = String::new();
    write_compact(&mut out, value);
    out
}

fn write_pretty(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                newline_and_indent(out, depth + 1);
                write_pretty(out, item, depth + 1);
            }
            newline_and_indent(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            let mut entries: Vec<_> = map.iter().collect();
            // Python sorts by code point, which is also the byte order of UTF-8.
            entries.sort_by_key(|(key, _)| *key);
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                newline_and_indent(out, depth + 1);
                write_string(out, key);
                out.push_str(": ");
                write_pretty(out, item, depth + 1);
            }
            newline_and_indent(out, depth);
            out.push('}');
        }
        other => write_compact(out, other),
    }
}

fn write_compact(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => out.push_str(&python_number(number)),
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (index, (key, item)) in map.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_string(out, key);
                out.push_str(": ");
                write_compact(out, item);
            }
            out.push('}');
        }
    }
}

fn newline_and_indent(out: &mut String, depth: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', depth * 2));
}

/// Python's `ensure_ascii=True` escaping.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(ch),
            _ => {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

fn python_number(number: &Number) -> String {
    match number.as_f64() {
        Some(float) if number.is_f64() => python_float(float),
        _ => number.to_string(),
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, positional notation
/// for decimal exponents -4..=15 (always with a fractional part), scientific
/// notation with a signed two-digit exponent otherwise.
fn python_float(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` yields the same shortest digits as Python, e.g. "-1.25e-7".
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let body = if (-4..16).contains(&exponent) {
        positional(&digits, exponent)
    } else {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{first}{fraction}e{exponent_sign}{:02}",
            exponent.unsigned_abs()
        )
    };
    format!("{sign}{body}")
}

fn positional(digits: &str, exponent: i32) -> String {
    if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        return format!("0.{zeros}{digits}");
    }
    let integer_len = exponent as usize + 1;
    if digits.len() <= integer_len {
        let zeros = "0".repeat(integer_len - digits.len());
        format!("{digits}{zeros}.0")
    } else {
        let (integer, fraction) = digits.split_at(integer_len);
        format!("{integer}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_like_python_repr() {
        let cases = [
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123_456_789_012_345_678.0, "1.2345678901234568e+17"),
            (1.5e300, "1.5e+300"),
            (-0.0, "-0.0"),
            (2.5e-7, "2.5e-07"),
            (2.5, "2.5"),
            (100.0, "100.0"),
            (1e15, "1000000000000000.0"),
        ];
        for (value, expected) in cases {
            assert_eq!(python_float(value), expected, "{value}");
        }
    }

    #[test]
    fn pretty_sorts_keys_and_escapes_non_ascii() {
        let value = json!({"z": 1, "a": ["é😀", {}], "m": {"b": [], "a": null}});
        let expected = "{\n  \"a\": [\n    \"\\u00e9\\ud83d\\ude00\",\n    {}\n  ],\n  \"m\": {\n    \"a\": null,\n    \"b\": []\n  },\n  \"z\": 1\n}\n";
        assert_eq!(pretty(&value), expected);
    }

    #[test]
    fn compact_keeps_order_and_uses_python_separators() {
        let value = json!({"url": "u", "args": {}, "id": 0, "l": [1, 2]});
        assert_eq!(
            compact(&value),
            r#"{"url": "u", "args": {}, "id": 0, "l": [1, 2]}"#
        );
    }
}
