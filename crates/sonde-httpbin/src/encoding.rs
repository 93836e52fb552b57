//! `/gzip`, `/deflate` and `/brotli`: the request echo, really compressed, with the
//! matching `Content-Encoding`.

use std::io::Write as _;

use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use flate2::write::{GzEncoder, ZlibEncoder};
use serde_json::Value;

use super::json;
use super::request::{Field, RequestInfo};
use super::responses;

pub(crate) async fn gzip(request: RequestInfo) -> Response {
    let body = echo_with_flag(&request, "gzipped");
    // httpbin uses compression level 4.
    let mut encoder = GzEncoder::new(Vec::new(), Compression::new(4));
    compressed(
        encoder.write_all(&body).and_then(|()| encoder.finish()),
        "gzip",
    )
}

/// HTTP's `deflate` is the zlib format (RFC 1950), which is what httpbin sends.
pub(crate) async fn deflate(request: RequestInfo) -> Response {
    let body = echo_with_flag(&request, "deflated");
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    compressed(
        encoder.write_all(&body).and_then(|()| encoder.finish()),
        "deflate",
    )
}

pub(crate) async fn brotli(request: RequestInfo) -> Response {
    let body = echo_with_flag(&request, "brotli");
    let mut output = Vec::new();
    let parameters = brotli::enc::BrotliEncoderParams::default();
    let result =
        brotli::BrotliCompress(&mut body.as_slice(), &mut output, &parameters).map(|_| output);
    compressed(result, "br")
}

/// `{"origin", "headers", "method", <flag>: true}` as pretty JSON bytes.
fn echo_with_flag(request: &RequestInfo, flag: &str) -> Vec<u8> {
    let mut echo = request.echo(&[Field::Origin, Field::Headers, Field::Method]);
    echo.insert(flag.to_owned(), Value::Bool(true));
    json::pretty(&Value::Object(echo)).into_bytes()
}

fn compressed(body: std::io::Result<Vec<u8>>, encoding: &'static str) -> Response {
    match body {
        Ok(body) => (
            StatusCode::OK,
            [
                (CONTENT_TYPE, HeaderValue::from_static("application/json")),
                (CONTENT_ENCODING, HeaderValue::from_static(encoding)),
            ],
            body,
        )
            .into_response(),
        // Compressing into memory cannot fail in practice; answer like Flask would.
        Err(_) => responses::internal_error_page(),
    }
}
