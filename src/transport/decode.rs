//! Response bodies: decompressed as they arrive (gzip, deflate, br) into memory, capped,
//! or into a file, in constant memory.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;

use sonde_core::charset::Charset;

use super::HttpError;
use super::record::{BodyContent, ResponseBody};

/// Where decoded bytes go.
pub(crate) enum Target {
    Memory(Vec<u8>),
    File {
        file: BufWriter<File>,
        path: PathBuf,
    },
}

/// The innermost writer: counts, and refuses to grow past the memory limit.
pub(crate) struct Sink {
    target: Target,
    written: u64,
    limit: Option<u64>,
}

/// The marker error a full sink returns, recognised after decoders have passed it along.
#[derive(Debug)]
struct LimitReached;

impl std::fmt::Display for LimitReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("body limit reached")
    }
}

impl std::error::Error for LimitReached {}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self
            .limit
            .is_some_and(|limit| self.written + buf.len() as u64 > limit)
        {
            return Err(io::Error::other(LimitReached));
        }
        let n = match &mut self.target {
            Target::Memory(v) => {
                v.extend_from_slice(buf);
                buf.len()
            }
            Target::File { file, .. } => file.write(buf)?,
        };
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Memory(_) => Ok(()),
            Target::File { file, .. } => file.flush(),
        }
    }
}

/// A `Content-Encoding` decoder in front of the sink.
enum Decoder {
    Identity(Sink),
    Gzip(flate2::write::MultiGzDecoder<Sink>),
    /// `deflate` is zlib-wrapped by the RFC, but some servers send it raw; the first bytes tell.
    DeflateUndecided(Sink),
    Zlib(flate2::write::ZlibDecoder<Sink>),
    RawDeflate(flate2::write::DeflateDecoder<Sink>),
    Brotli(Box<brotli::DecompressorWriter<Sink>>),
}

/// Receives the body's chunks as they arrive.
pub(crate) struct BodyReader {
    decoder: Option<Decoder>,
    encoding: String,
    wire_size: u64,
    max_body: u64,
    path: Option<PathBuf>,
}

impl BodyReader {
    /// `content_encoding` is the response's header; `save_to` streams to a file instead of
    /// memory (no size limit then).
    pub(super) fn new(
        content_encoding: Option<&str>,
        save_to: Option<&Path>,
        max_body: u64,
    ) -> Result<BodyReader, HttpError> {
        let (target, limit) = match save_to {
            Some(path) => {
                // `save_body: downloads/today/x.bin` creates its folders (SPEC §2.1).
                let file = path
                    .parent()
                    .filter(|dir| !dir.as_os_str().is_empty())
                    .map_or(Ok(()), std::fs::create_dir_all)
                    // Opening a FIFO for writing blocks until someone reads it.
                    .and_then(|()| sonde_core::files::writable(path))
                    .and_then(|()| File::create(path))
                    .map_err(|e| HttpError::WriteFile {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    })?;
                (
                    Target::File {
                        file: BufWriter::new(file),
                        path: path.to_path_buf(),
                    },
                    None,
                )
            }
            None => (Target::Memory(Vec::new()), Some(max_body)),
        };
        let sink = Sink {
            target,
            written: 0,
            limit,
        };
        let encoding = content_encoding.unwrap_or("").trim().to_ascii_lowercase();
        let decoder = match encoding.as_str() {
            "gzip" | "x-gzip" => Decoder::Gzip(flate2::write::MultiGzDecoder::new(sink)),
            "deflate" => Decoder::DeflateUndecided(sink),
            "br" => Decoder::Brotli(Box::new(brotli::DecompressorWriter::new(sink, 8192))),
            // Identity, or an encoding sonde cannot undo: the bytes are kept as they came.
            _ => Decoder::Identity(sink),
        };
        Ok(BodyReader {
            decoder: Some(decoder),
            encoding,
            wire_size: 0,
            max_body,
            path: save_to.map(Path::to_path_buf),
        })
    }

    pub(super) fn push(&mut self, chunk: &[u8]) -> Result<(), HttpError> {
        self.wire_size += chunk.len() as u64;
        let decoder = self.decoder.take().map(|d| decide_deflate(d, chunk));
        let result = match decoder {
            Some(mut d) => {
                let r = write_all(&mut d, chunk);
                self.decoder = Some(d);
                r
            }
            None => Ok(()),
        };
        result.map_err(|e| self.error(&e))
    }

    /// Ends the body: flushes decoders and returns what was received.
    pub(super) fn finish(
        mut self,
        charset: Option<Charset>,
        declared: Option<&str>,
    ) -> Result<ResponseBody, HttpError> {
        let Some(decoder) = self.decoder.take() else {
            return Err(HttpError::InvalidRequest("body finished twice".into()));
        };
        let sink = finish(decoder).map_err(|e| self.error(&e))?;
        let written = sink.written;
        let content = match sink.target {
            Target::Memory(bytes) => BodyContent::Memory(Bytes::from(bytes)),
            Target::File { mut file, path } => {
                file.flush().map_err(|e| HttpError::WriteFile {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                BodyContent::Saved {
                    path,
                    size: written,
                }
            }
        };
        Ok(text_of(content, self.wire_size, charset, declared))
    }

    fn error(&self, error: &io::Error) -> HttpError {
        if error.get_ref().is_some_and(
            <dyn std::error::Error + std::marker::Send + std::marker::Sync + 'static>::is::<
                LimitReached,
            >,
        ) {
            return HttpError::BodyTooLarge {
                limit: self.max_body,
            };
        }
        match &self.path {
            Some(path)
                if error.kind() != io::ErrorKind::InvalidData
                    && error.kind() != io::ErrorKind::InvalidInput =>
            {
                HttpError::WriteFile {
                    path: path.display().to_string(),
                    reason: error.to_string(),
                }
            }
            _ => HttpError::Decompress {
                encoding: self.encoding.clone(),
                reason: error.to_string(),
            },
        }
    }
}

fn decide_deflate(decoder: Decoder, first: &[u8]) -> Decoder {
    match decoder {
        Decoder::DeflateUndecided(sink) if looks_like_zlib(first) => {
            Decoder::Zlib(flate2::write::ZlibDecoder::new(sink))
        }
        Decoder::DeflateUndecided(sink) if !first.is_empty() => {
            Decoder::RawDeflate(flate2::write::DeflateDecoder::new(sink))
        }
        other => other,
    }
}

/// A zlib header: compression method 8 and a header checksum divisible by 31.
fn looks_like_zlib(bytes: &[u8]) -> bool {
    match bytes {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0,
        _ => true,
    }
}

fn write_all(decoder: &mut Decoder, chunk: &[u8]) -> io::Result<()> {
    match decoder {
        Decoder::Identity(w) | Decoder::DeflateUndecided(w) => w.write_all(chunk),
        Decoder::Gzip(w) => w.write_all(chunk),
        Decoder::Zlib(w) => w.write_all(chunk),
        Decoder::RawDeflate(w) => w.write_all(chunk),
        Decoder::Brotli(w) => w.write_all(chunk),
    }
}

fn finish(decoder: Decoder) -> io::Result<Sink> {
    match decoder {
        Decoder::Identity(w) | Decoder::DeflateUndecided(w) => Ok(w),
        Decoder::Gzip(w) => w.finish(),
        Decoder::Zlib(w) => w.finish(),
        Decoder::RawDeflate(w) => w.finish(),
        Decoder::Brotli(mut w) => {
            w.close()?;
            w.into_inner()
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "truncated brotli stream"))
        }
    }
}

/// Decodes the text: the `encoding` override first, then the header's charset, else UTF-8
/// (a byte-order mark wins over both, as browsers and `encoding_rs` do).
fn text_of(
    content: BodyContent,
    wire_size: u64,
    charset: Option<Charset>,
    declared: Option<&str>,
) -> ResponseBody {
    let charset = charset
        .or_else(|| declared.and_then(Charset::for_label))
        .unwrap_or(Charset::Whatwg(encoding_rs::UTF_8));
    let (text, used, malformed) = match &content {
        BodyContent::Memory(bytes) => {
            let (text, used, malformed) = charset.decode(bytes);
            (Some(text), used, malformed)
        }
        BodyContent::Saved { .. } => (None, charset.name(), false),
    };
    ResponseBody {
        content,
        wire_size,
        text,
        charset: used.to_string(),
        malformed_text: malformed,
    }
}

/// The `charset` parameter of a `Content-Type` value.
pub(crate) fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}
