//! Request bodies: built anew for every try from a `BodySpec`, files streamed from disk.

use std::path::Path;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use super::record::{PartContent, PartSummary, SentBody};
use super::{BodySpec, HttpError, PartSpec};

/// A body ready to attach, with the headers it implies and its description for the record.
pub(crate) struct BuiltBody {
    pub body: Option<reqwest::Body>,
    /// `Content-Type` / `Content-Length` the body needs unless the user's headers say otherwise.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub record: SentBody,
}

pub(crate) fn build(spec: &BodySpec) -> Result<BuiltBody, HttpError> {
    match spec {
        BodySpec::Empty => Ok(BuiltBody {
            body: None,
            headers: Vec::new(),
            record: SentBody::Empty,
        }),
        BodySpec::Bytes {
            bytes,
            content_type,
        } => Ok(BuiltBody {
            body: Some(reqwest::Body::from(bytes.clone())),
            headers: content_type
                .map(|ct| (CONTENT_TYPE, HeaderValue::from_static(ct)))
                .into_iter()
                .collect(),
            record: SentBody::Bytes(bytes.clone()),
        }),
        BodySpec::File(path) => {
            let (file, size) = open(path)?;
            Ok(BuiltBody {
                body: Some(stream_file(file)),
                headers: vec![(CONTENT_LENGTH, HeaderValue::from(size))],
                record: SentBody::File {
                    path: path.clone(),
                    size,
                },
            })
        }
        BodySpec::Multipart(parts) => build_multipart(parts),
    }
}

fn build_multipart(parts: &[PartSpec]) -> Result<BuiltBody, HttpError> {
    // Raw UTF-8 file names, as urllib3 writes them (HTML5 style), not RFC 2231.
    let mut form = reqwest::multipart::Form::new().percent_encode_noop();
    let mut summaries = Vec::with_capacity(parts.len());
    for part in parts {
        let (name, built, summary) = build_part(part)?;
        form = form.part(name, built);
        summaries.push(summary);
    }
    let content_type = format!("multipart/form-data; boundary={}", form.boundary());
    let content_type = HeaderValue::from_str(&content_type)
        .map_err(|_| HttpError::InvalidRequest("invalid multipart boundary".into()))?;
    // The exact length needs reqwest's private encoder; sending chunked is valid HTTP/1.1
    // and avoids reading the files twice.
    Ok(BuiltBody {
        body: Some(reqwest::Body::wrap_stream(form.into_stream())),
        headers: vec![(CONTENT_TYPE, content_type)],
        record: SentBody::Multipart(summaries),
    })
}

fn build_part(
    part: &PartSpec,
) -> Result<(String, reqwest::multipart::Part, PartSummary), HttpError> {
    match part {
        PartSpec::Text {
            name,
            value,
            filename,
        } => Ok((
            name.clone(),
            match filename {
                Some(f) => reqwest::multipart::Part::text(value.clone()).file_name(f.clone()),
                None => reqwest::multipart::Part::text(value.clone()),
            },
            PartSummary {
                name: name.clone(),
                filename: filename.clone(),
                content_type: None,
                content: PartContent::Text(value.clone()),
            },
        )),
        PartSpec::File {
            name,
            path,
            filename,
            content_type,
            headers,
        } => {
            let (file, size) = open(path)?;
            let filename = filename.clone().unwrap_or_else(|| {
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| name.clone())
            });
            let content_type = content_type.clone().unwrap_or_else(|| {
                mime_guess::from_path(&filename)
                    .first_or_octet_stream()
                    .to_string()
            });
            let built = reqwest::multipart::Part::stream_with_length(stream_file(file), size)
                .file_name(filename.clone())
                .mime_str(&content_type)
                .map_err(|_| {
                    HttpError::InvalidRequest(format!(
                        "`{content_type}` is not a content type (file part `{name}`)"
                    ))
                })?
                .headers(header_map(headers)?);
            Ok((
                name.clone(),
                built,
                PartSummary {
                    name: name.clone(),
                    filename: Some(filename),
                    content_type: Some(content_type),
                    content: PartContent::File {
                        path: path.clone(),
                        size,
                    },
                },
            ))
        }
    }
}

/// Headers given as text, checked.
pub(crate) fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, HttpError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let (name, value) = header(name, value)?;
        map.append(name, value);
    }
    Ok(map)
}

pub(crate) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), HttpError> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| HttpError::InvalidRequest(format!("`{name}` is not a valid header name")))?;
    let header_value = HeaderValue::from_str(value).map_err(|_| {
        HttpError::InvalidRequest(format!(
            "the value of header `{name}` holds characters a header cannot carry (such as a line break)"
        ))
    })?;
    Ok((header_name, header_value))
}

fn open(path: &Path) -> Result<(tokio::fs::File, u64), HttpError> {
    let error = |e: std::io::Error| HttpError::ReadFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(error)?;
    let size = file.metadata().map_err(error)?.len();
    Ok((tokio::fs::File::from_std(file), size))
}

/// The file's bytes as a stream of chunks: never the whole file in memory.
fn stream_file(file: tokio::fs::File) -> reqwest::Body {
    reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file))
}
