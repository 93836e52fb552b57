//! Request bodies: built anew for every try from a `BodySpec`, files streamed from disk.

use std::path::Path;

use bytes::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use http_body_util::{BodyExt as _, Full, StreamBody};
use hyper::body::Frame;

use super::connector::RequestBody;
use super::record::{PartContent, PartSummary, SentBody};
use super::{BodySpec, HttpError, PartSpec};

/// A body ready to attach, with the headers it implies and its description for the record.
pub(crate) struct BuiltBody {
    pub body: Option<RequestBody>,
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
            body: Some(in_memory(bytes.clone())),
            headers: content_type
                .map(|ct| (CONTENT_TYPE, HeaderValue::from_static(ct)))
                .into_iter()
                .collect(),
            record: SentBody::Bytes(bytes.clone()),
        }),
        BodySpec::File(path) => {
            let (file, size) = open(path)?;
            Ok(BuiltBody {
                body: Some(streamed(vec![Segment::File { file, size }])),
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

/// A piece of a streamed body: bytes at hand, or a file read as it is sent.
enum Segment {
    Bytes(Bytes),
    File { file: tokio::fs::File, size: u64 },
}

impl Segment {
    fn len(&self) -> u64 {
        match self {
            Segment::Bytes(bytes) => bytes.len() as u64,
            Segment::File { size, .. } => *size,
        }
    }
}

/// `multipart/form-data` as urllib3 writes it: raw UTF-8 names (HTML5 style, not
/// RFC 2231), files streamed, and the exact length announced.
fn build_multipart(parts: &[PartSpec]) -> Result<BuiltBody, HttpError> {
    let boundary = boundary();
    let mut segments = Vec::with_capacity(parts.len() * 3 + 1);
    let mut length: u64 = 0;
    let mut summaries = Vec::with_capacity(parts.len());
    for part in parts {
        let (head, content, summary) = build_part(part)?;
        let head = format!("--{boundary}\r\n{head}\r\n\r\n");
        length += head.len() as u64 + content.len() + 2;
        segments.push(Segment::Bytes(Bytes::from(head)));
        segments.push(content);
        segments.push(Segment::Bytes(Bytes::from_static(b"\r\n")));
        summaries.push(summary);
    }
    let end = format!("--{boundary}--\r\n");
    length += end.len() as u64;
    segments.push(Segment::Bytes(Bytes::from(end)));
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let content_type = HeaderValue::from_str(&content_type)
        .map_err(|_| HttpError::InvalidRequest("invalid multipart boundary".into()))?;
    Ok(BuiltBody {
        body: Some(streamed(segments)),
        headers: vec![
            (CONTENT_TYPE, content_type),
            (CONTENT_LENGTH, HeaderValue::from(length)),
        ],
        record: SentBody::Multipart(summaries),
    })
}

/// Four random 64-bit numbers: no part's content will hold them by chance.
fn boundary() -> String {
    let random = || rand::random::<u64>();
    format!(
        "{:016x}-{:016x}-{:016x}-{:016x}",
        random(),
        random(),
        random(),
        random()
    )
}

/// A part's headers (without the blank line that ends them), its content, and its summary.
fn build_part(part: &PartSpec) -> Result<(String, Segment, PartSummary), HttpError> {
    match part {
        PartSpec::Text {
            name,
            value,
            filename,
        } => Ok((
            disposition(name, filename.as_deref()),
            Segment::Bytes(Bytes::from(value.clone())),
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
                    .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned())
            });
            let content_type = content_type.clone().unwrap_or_else(|| {
                mime_guess::from_path(&filename)
                    .first_or_octet_stream()
                    .to_string()
            });
            if content_type.parse::<mime_guess::mime::Mime>().is_err()
                || HeaderValue::from_str(&content_type).is_err()
            {
                return Err(HttpError::InvalidRequest(format!(
                    "`{content_type}` is not a content type (file part `{name}`)"
                )));
            }
            let mut head = disposition(name, Some(&filename));
            head.push_str("\r\nContent-Type: ");
            head.push_str(&content_type);
            for (header, value) in &header_map(headers)? {
                head.push_str("\r\n");
                head.push_str(header.as_str());
                head.push_str(": ");
                head.push_str(&String::from_utf8_lossy(value.as_bytes()));
            }
            Ok((
                head,
                Segment::File { file, size },
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

/// `Content-Disposition: form-data; name="…"; filename="…"`, quotes and line breaks in
/// the file name escaped (RFC 7578 §4.2 rules out `filename*=`).
fn disposition(name: &str, filename: Option<&str>) -> String {
    let mut head = format!("Content-Disposition: form-data; name=\"{name}\"");
    if let Some(filename) = filename {
        let escaped = filename
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\r', "\\\r")
            .replace('\n', "\\\n");
        head.push_str("; filename=\"");
        head.push_str(&escaped);
        head.push('"');
    }
    head
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
    // Checked before opening: opening a FIFO blocks until someone writes to it.
    sonde_core::files::regular(path).map_err(error)?;
    let file = std::fs::File::open(path).map_err(error)?;
    let size = file.metadata().map_err(error)?.len();
    Ok((tokio::fs::File::from_std(file), size))
}

fn in_memory(bytes: Bytes) -> RequestBody {
    Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// The segments one after the other, files read in chunks: never a whole file in memory.
fn streamed(segments: Vec<Segment>) -> RequestBody {
    let chunks = futures_util::stream::iter(segments).flat_map(|segment| match segment {
        Segment::Bytes(bytes) => {
            futures_util::stream::once(std::future::ready(Ok(bytes))).left_stream()
        }
        Segment::File { file, .. } => tokio_util::io::ReaderStream::new(file).right_stream(),
    });
    StreamBody::new(chunks.map_ok(Frame::data)).boxed_unsync()
}
