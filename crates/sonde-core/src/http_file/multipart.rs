//! Hand-written `multipart/form-data` bodies.
//!
//! When every part can be said in sonde's own terms, the body becomes `files` and `data`
//! (so binary files upload byte for byte and sonde makes the boundary, dropping the
//! `Content-Type` that named the user's):
//! - a part whose content is one `< path` line → a file part (`filename` and `Content-Type`
//!   from the part's headers; its other headers kept);
//! - a part with text and no `filename` → a form field (trailing blank lines before the next
//!   boundary are layout, not content).
//!
//! Otherwise (a part with inline content *and* a filename, extra headers on a text field,
//! text before the first boundary, no file part at all, a templated boundary…) the body is
//! kept as written, lines joined with CRLF, every `< path` line replaced by the file's text at
//! run time (`{{ file("path") }}`, text files only) and every `<@ path` by the file's text
//! with its variables processed. The user's `Content-Type` and boundary are kept.

use super::block::RawRequest;
use super::body::{Body, file_line, raw_text};
use super::lines::SourceLine;
use super::translate::{Scope, Translator, span_at};
use crate::model::{Data, FileContent, FilePart, Headers, Text, Value};
use crate::source::{Span, Spanned};

pub(super) fn build(
    raw: &RawRequest,
    lines: &[SourceLine],
    tr: &mut Translator,
    scope: Scope,
) -> Option<Body> {
    let boundary = raw.header("content-type").and_then(|v| boundary(&v.value));
    if let Some(parts) = boundary.as_deref().and_then(|b| split_parts(lines, b)) {
        let converted = parts
            .iter()
            .map(|p| convert_part(p, tr, scope))
            .collect::<Option<Vec<_>>>();
        if let Some(converted) = converted {
            let has_file = converted.iter().any(|c| matches!(c, Converted::File(_)));
            if has_file {
                return Some(structured(converted));
            }
        }
    }
    let joiners = vec!["\r\n"; lines.len()];
    let text = raw_text(lines, &joiners, tr, scope)?;
    Some(Body {
        data: Some(Data::Raw(text)),
        ..Body::default()
    })
}

/// `boundary=…` of a literal `Content-Type` value.
fn boundary(content_type: &str) -> Option<String> {
    if content_type.contains("{{") {
        return None;
    }
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// One part as written.
struct Part<'a> {
    headers: Vec<(&'a SourceLine, &'a str, &'a str)>,
    content: &'a [SourceLine],
}

/// The parts between `--boundary` lines; `None` when text stands outside every part.
fn split_parts<'a>(lines: &'a [SourceLine], boundary: &str) -> Option<Vec<Part<'a>>> {
    let delimiter = format!("--{boundary}");
    let closing = format!("--{boundary}--");
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let text = lines[i].text.trim_end();
            text == delimiter || text == closing
        })
        .collect();
    let first = *starts.first()?;
    if lines[..first].iter().any(|l| !l.is_blank()) {
        return None;
    }
    let mut parts = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        if lines[start].text.trim_end() == closing {
            if lines[start + 1..].iter().any(|l| !l.is_blank()) {
                return None;
            }
            break;
        }
        parts.push(read_part(&lines[start + 1..end])?);
    }
    Some(parts)
}

fn read_part(lines: &[SourceLine]) -> Option<Part<'_>> {
    let blank = lines
        .iter()
        .position(SourceLine::is_blank)
        .unwrap_or(lines.len());
    let headers = lines[..blank]
        .iter()
        .map(|l| {
            let (name, value) = l.text.split_once(':')?;
            Some((l, name.trim(), value.trim()))
        })
        .collect::<Option<Vec<_>>>()?;
    let mut content = lines.get(blank + 1..).unwrap_or(&[]);
    while let [rest @ .., last] = content
        && last.is_blank()
    {
        content = rest;
    }
    Some(Part { headers, content })
}

enum Converted {
    Field(Value, Value),
    File(FilePart),
}

fn structured(converted: Vec<Converted>) -> Body {
    let mut fields = Vec::new();
    let mut files = Vec::new();
    for c in converted {
        match c {
            Converted::Field(name, value) => fields.push((name, value)),
            Converted::File(part) => files.push(part),
        }
    }
    Body {
        data: (!fields.is_empty()).then_some(Data::Form(fields)),
        files,
        dropped_headers: vec!["content-type"],
        ..Body::default()
    }
}

/// A part in sonde's terms; `None` when it cannot be (the body is then kept as written).
fn convert_part(part: &Part, tr: &mut Translator, scope: Scope) -> Option<Converted> {
    let (disposition_line, _, disposition) = *part
        .headers
        .iter()
        .find(|(_, name, _)| name.eq_ignore_ascii_case("content-disposition"))?;
    let params = disposition_params(disposition)?;
    let name = param(&params, "name")?;
    let filename = param(&params, "filename");
    let field = Spanned::new(name.to_owned(), disposition_line.start());
    let others: Vec<_> = part
        .headers
        .iter()
        .filter(|(_, n, _)| !n.eq_ignore_ascii_case("content-disposition"))
        .collect();
    if let [only] = part.content
        && let Some(file) = file_line(&only.text).filter(|f| !f.process_variables)
    {
        let path_span = span_at(Span::new(only.number, 1), &only.text, file.offset);
        let path = tr.text_line(file.path, path_span, scope)?;
        let filename = filename.map(|f| Translator::literal(f, disposition_line.start()));
        let mut content_type = None;
        let mut headers = Vec::new();
        for (line, name, value) in others {
            let text = tr.text_line(value, line.start(), scope)?;
            if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(text);
            } else {
                headers.push((
                    Spanned::new((*name).to_owned(), line.start()),
                    Some(Value::String(text)),
                ));
            }
        }
        let content = FileContent::File {
            path,
            filename,
            content_type,
            headers: Headers(headers),
        };
        return Some(Converted::File(FilePart { field, content }));
    }
    let inline_allowed = filename.is_none()
        && others.is_empty()
        && part.content.iter().all(|l| file_line(&l.text).is_none());
    if !inline_allowed {
        return None;
    }
    let pieces: Vec<Spanned<String>> = part
        .content
        .iter()
        .map(|l| Spanned::new(l.text.clone(), Span::new(l.number, 1)))
        .collect();
    let span = pieces.first().map_or(field.span, |p| p.span);
    let value = if pieces.is_empty() {
        Text::literal("", span)
    } else {
        tr.text(&pieces, "\r\n", span, scope)?
    };
    Some(Converted::Field(
        Value::String(Text::literal(field.value, field.span)),
        Value::String(value),
    ))
}

/// `form-data; name="a"; filename="b.txt"` → its parameters; `None` unless `form-data`.
fn disposition_params(value: &str) -> Option<Vec<(String, String)>> {
    let mut items = value.split(';');
    if !items.next()?.trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    items
        .map(|item| {
            let (k, v) = item.split_once('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            Some((k.trim().to_ascii_lowercase(), v.to_owned()))
        })
        .collect()
}

fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_boundary() {
        assert_eq!(
            boundary("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("multipart/form-data; charset=x; Boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("multipart/form-data; boundary={{b}}"), None);
    }

    #[test]
    fn reads_disposition_parameters() {
        let p = disposition_params("form-data; name=\"bom\"; filename=\"bom.xml\"").unwrap();
        assert_eq!(param(&p, "name"), Some("bom"));
        assert_eq!(param(&p, "filename"), Some("bom.xml"));
        assert!(disposition_params("attachment; name=a").is_none());
    }
}
