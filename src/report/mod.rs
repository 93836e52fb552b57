//! Reporters: independent consumers of the executor's events.

pub mod console;
pub mod curl;
pub mod json;
pub mod junit;
pub mod redact;

use crate::run::events::ExchangeReport;

/// Text without ANSI escape sequences (reports are not terminals).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The request and response summary of an exchange, as plain lines.
pub fn exchange_text(e: &ExchangeReport) -> String {
    let mut out = format!("> {} {}\n", e.method, e.url);
    for (name, value) in &e.request_headers {
        out.push_str(&format!("> {name}: {value}\n"));
    }
    if e.request_body_size > 0 {
        out.push_str(&format!("> ({} bytes of body)\n", e.request_body_size));
    }
    for hop in &e.redirects {
        out.push_str(&format!("~ redirected: {hop}\n"));
    }
    if let Some(status) = e.status {
        out.push_str(&format!(
            "< {status} {}\n",
            e.reason.as_deref().unwrap_or("")
        ));
        for (name, value) in &e.response_headers {
            out.push_str(&format!("< {name}: {value}\n"));
        }
        if let Some(preview) = &e.response_body_preview {
            out.push_str(&format!("<\n{preview}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_colour_codes() {
        assert_eq!(
            super::strip_ansi("\u{1b}[31mred\u{1b}[0m plain"),
            "red plain"
        );
    }
}
