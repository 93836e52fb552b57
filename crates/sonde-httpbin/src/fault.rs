//! `/fault/…`: endpoints that misbehave on purpose, to prove that a client (sonde first)
//! fails a step with a plain explanation instead of panicking, hanging or eating memory.
//!
//! | endpoint | what the client gets |
//! |---|---|
//! | `/fault/reset` | the connection is reset (TCP RST) once the request has been read, before any byte of a response |
//! | `/fault/reset-body` | a `200` head announcing `Content-Length: 1048576`, 64 KiB of the body, then a reset |
//! | `/fault/truncated` | a `200` head announcing `Content-Length: 1000`, 100 bytes of the body, then a clean close |
//! | `/fault/bad-chunked` | a `200` head with `Transfer-Encoding: chunked`, one good chunk, then a chunk-size line that is not hexadecimal, then a close |
//! | `/fault/stall-headers` | the status line and one header, then nothing: the head never ends. The server gives up after 30 s (or as soon as the client hangs up) and closes |
//! | `/fault/bad-utf8` | a complete `200` response, `Content-Type: text/plain; charset=utf-8`, whose body is not valid UTF-8 |
//! | `/fault/bad-json` | a complete `200` response, `Content-Type: application/json`, whose body is not valid JSON |
//! | `/fault/huge?size=N` | a `200` response of `N` bytes (default 1 GiB, `Content-Length` given), streamed in 64 KiB chunks, never held in memory |
//! | `/fault/loop` | a `302` whose `Location` is `/fault/loop` itself, forever |
//! | `/fault/gzip-bomb?size=N` | a `200` response with `Content-Encoding: gzip`: about 1 MB on the wire that inflates to `N` zero bytes (default 1 GiB). A single valid gzip member (one dynamic-Huffman deflate block, CRC and size correct), built on the fly, never compressed from real data |
//!
//! The first five need control of the TCP stream, which hyper does not give a handler (an
//! upgrade needs a `101` first). They are therefore served by a small raw TCP listener
//! that the server starts beside itself, on the same address and an ephemeral port, and
//! stops with it. On the server's own port those five paths answer `307 Temporary
//! Redirect` to the same path (query kept) on the raw listener, named with the host of
//! the request's `Host` header. So a client following redirects sees one redirect and
//! then the fault; with `allow_redirects: false` it sees the `307`. The raw listener reads
//! the request head (at most 16 KiB, within 10 s) and any `Content-Length` body (at most
//! 1 MiB), answers one request per connection and always closes it.
//! The other five are ordinary handlers of the server.

use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request};
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION};
use axum::http::uri::Authority;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::responses;

/// What `/fault/huge` and `/fault/gzip-bomb` send when no `size` is given: 1 GiB.
pub(crate) const DEFAULT_SIZE: u64 = 1 << 30;

/// How long `/fault/stall-headers` keeps the connection open before giving up.
pub(crate) const STALL: Duration = Duration::from_secs(30);

/// The largest request head the raw listener reads.
const MAX_HEAD: usize = 16 * 1024;
/// The largest request body the raw listener reads (and drops) before answering.
const MAX_REQUEST_BODY: u64 = 1024 * 1024;
/// How long the raw listener waits for a request.
const REQUEST_WAIT: Duration = Duration::from_secs(10);
/// How much of its body `/fault/huge` sends per chunk.
const CHUNK: usize = 64 * 1024;

static ZEROS: [u8; CHUNK] = [0; CHUNK];

/// The faults that need the raw listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RawFault {
    Reset,
    ResetBody,
    Truncated,
    BadChunked,
    StallHeaders,
}

impl RawFault {
    fn from_name(name: &str) -> Option<RawFault> {
        Some(match name {
            "reset" => RawFault::Reset,
            "reset-body" => RawFault::ResetBody,
            "truncated" => RawFault::Truncated,
            "bad-chunked" => RawFault::BadChunked,
            "stall-headers" => RawFault::StallHeaders,
            _ => return None,
        })
    }
}

/// Where the raw listener is, for the redirecting handlers (a request extension).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawAddr(pub SocketAddr);

/// The running raw listener; dropping it stops it (open fault connections end with
/// the runtime).
pub(crate) struct RawListener {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl RawListener {
    /// Binds an ephemeral port on `ip` and starts accepting. Must be called within a
    /// tokio runtime.
    pub(crate) async fn start(ip: IpAddr) -> io::Result<RawListener> {
        let listener = TcpListener::bind(SocketAddr::new(ip, 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(accept_loop(listener));
        Ok(RawListener { addr, task })
    }

    pub(crate) fn addr(&self) -> RawAddr {
        RawAddr(self.addr)
    }
}

impl Drop for RawListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_raw(stream));
            }
            // Out of file descriptors and the like: wait instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// `/fault/{name}` on the server's own port.
pub(crate) async fn endpoint(Path(name): Path<String>, request: Request) -> Response {
    if RawFault::from_name(&name).is_some() {
        return redirect_to_raw(&name, &request);
    }
    match name.as_str() {
        "bad-utf8" => (
            [(CONTENT_TYPE, responses::PLAIN_UTF8)],
            // Latin-1 `é`, a lone continuation byte, a truncated 3-byte sequence, an
            // overlong encoding of `/`.
            &b"caf\xe9 \x80 \xe2\x82 \xc0\xaf end\n"[..],
        )
            .into_response(),
        "bad-json" => (
            [(CONTENT_TYPE, "application/json")],
            "{\"id\": 1, \"name\": \"Ada\", \"tags\": [\"a\", \"b\"",
        )
            .into_response(),
        "huge" => size_arg(&request).map_or_else(bad_size, huge),
        "gzip-bomb" => size_arg(&request).map_or_else(bad_size, gzip_bomb),
        "loop" => responses::bare_redirect(StatusCode::FOUND, "/fault/loop"),
        _ => responses::not_found_page(),
    }
}

/// `?size=N` (bytes, at least 1), or [`DEFAULT_SIZE`]; `None` when it is not a size.
fn size_arg(request: &Request) -> Option<u64> {
    let query = request.uri().query().unwrap_or("");
    let Some((_, value)) = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "size")
    else {
        return Some(DEFAULT_SIZE);
    };
    value.trim().parse::<u64>().ok().filter(|&size| size > 0)
}

fn bad_size() -> Response {
    responses::with_content(
        StatusCode::BAD_REQUEST,
        responses::PLAIN_UTF8,
        "size must be a number of bytes, at least 1\n",
    )
}

/// `size` zero bytes, streamed chunk by chunk.
fn huge(size: u64) -> Response {
    let chunks = futures_util::stream::unfold(size, |remaining| async move {
        if remaining == 0 {
            return None;
        }
        let n = remaining.min(CHUNK as u64) as usize;
        Some((
            Ok::<_, Infallible>(Bytes::from_static(&ZEROS[..n])),
            remaining - n as u64,
        ))
    });
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (CONTENT_LENGTH, HeaderValue::from(size)),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

fn gzip_bomb(size: u64) -> Response {
    static DEFAULT_BOMB: OnceLock<Bytes> = OnceLock::new();
    let body = if size == DEFAULT_SIZE {
        DEFAULT_BOMB
            .get_or_init(|| Bytes::from(gzip_zeros(DEFAULT_SIZE)))
            .clone()
    } else {
        Bytes::from(gzip_zeros(size))
    };
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (CONTENT_ENCODING, HeaderValue::from_static("gzip")),
        ],
        body,
    )
        .into_response()
}

/// A `307` to the same path and query on the raw listener.
fn redirect_to_raw(name: &str, request: &Request) -> Response {
    let Some(RawAddr(raw)) = request.extensions().get::<RawAddr>().copied() else {
        return responses::internal_error_page();
    };
    let host = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.parse::<Authority>().ok())
        .map_or_else(
            || super::dialable(raw).ip().to_string(),
            |a| a.host().to_owned(),
        );
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host
    };
    let query = request
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let location = format!("http://{host}:{}/fault/{name}{query}", raw.port());
    let mut response = responses::empty_html(StatusCode::TEMPORARY_REDIRECT);
    if !responses::set_header(&mut response, LOCATION, &location) {
        return responses::internal_error_page();
    }
    response
}

/// One connection of the raw listener: one request, one fault, then close.
async fn serve_raw(mut stream: TcpStream) {
    let Ok(Some(path)) = tokio::time::timeout(REQUEST_WAIT, read_request(&mut stream)).await else {
        return;
    };
    let name = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .strip_prefix("/fault/")
        .unwrap_or("");
    let Some(fault) = RawFault::from_name(name) else {
        let body = "no such fault\n";
        let head = format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.shutdown().await;
        return;
    };
    // Write errors only mean the client left early, which is its right here.
    let _ = perform(fault, stream).await;
}

async fn perform(fault: RawFault, mut stream: TcpStream) -> io::Result<()> {
    match fault {
        RawFault::Reset => reset(stream),
        RawFault::ResetBody => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n",
                )
                .await?;
            stream.write_all(&ZEROS).await?;
            stream.flush().await?;
            // Long enough for the client to read the head and start on the body.
            tokio::time::sleep(Duration::from_millis(200)).await;
            reset(stream)
        }
        RawFault::Truncated => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1000\r\n\r\n",
                )
                .await?;
            stream.write_all(&[b'x'; 100]).await?;
            stream.shutdown().await
        }
        RawFault::BadChunked => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nnot-a-size\r\nxyz\r\n0\r\n\r\n",
                )
                .await?;
            stream.shutdown().await
        }
        RawFault::StallHeaders => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n")
                .await?;
            stream.flush().await?;
            // Until the client hangs up (a read of 0 bytes or an error), at most STALL.
            let mut scratch = [0u8; 1024];
            let hung_up = async {
                while let Ok(n) = stream.read(&mut scratch).await {
                    if n == 0 {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(STALL, hung_up).await;
            Ok(())
        }
    }
}

/// Closes with a TCP RST rather than a FIN.
fn reset(stream: TcpStream) -> io::Result<()> {
    stream.set_zero_linger()?;
    drop(stream);
    Ok(())
}

/// Reads a request head and its `Content-Length` body; returns the request target.
/// `None` when the client sent no complete head.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 4096];
    let end = loop {
        if let Some(at) = find(&head, b"\r\n\r\n") {
            break at + 4;
        }
        if head.len() > MAX_HEAD {
            return None;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    };
    let text = String::from_utf8_lossy(&head[..end]);
    let mut lines = text.split("\r\n");
    let target = lines.next()?.split(' ').nth(1)?.to_owned();
    let length: u64 = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    let mut left = length
        .min(MAX_REQUEST_BODY)
        .saturating_sub((head.len() - end) as u64);
    while left > 0 {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        left = left.saturating_sub(n as u64);
    }
    Some(target)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A gzip member that inflates to `size` zero bytes (`size` ≥ 1).
pub(crate) fn gzip_zeros(size: u64) -> Vec<u8> {
    let deflate = deflate_zeros(size);
    let mut out = Vec::with_capacity(deflate.len() + 18);
    // Magic, deflate, no flags, no mtime, no extra flags, unknown OS.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    out.extend_from_slice(&deflate);
    out.extend_from_slice(&crc32_of_zeros(size).to_le_bytes());
    out.extend_from_slice(&(size as u32).to_le_bytes());
    out
}

/// One final dynamic-Huffman deflate block (RFC 1951) for `size` zero bytes: a literal
/// zero, then back-references of length 258 at distance 1, coded in 2 bits each, then up
/// to 257 literal zeros. About `size / 1032` bytes.
fn deflate_zeros(size: u64) -> Vec<u8> {
    // Code length code lengths, in the order RFC 1951 lists them: symbol 18 gets 1 bit,
    // symbols 1 and 2 get 2 bits, every other one none.
    const ORDER: [u32; 18] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
    let size = size.max(1);
    let matches = (size - 1) / 258;
    let literals = (size - 1) % 258;
    let mut bits = BitWriter::default();
    bits.value(1, 1); // BFINAL
    bits.value(2, 2); // BTYPE: dynamic Huffman
    bits.value(29, 5); // HLIT: 286 literal/length codes
    bits.value(1, 5); // HDIST: 2 distance codes
    bits.value(14, 4); // HCLEN: 18 code length codes
    // The code length code lengths, in ORDER.
    for symbol in ORDER {
        let length = match symbol {
            18 => 1,
            1 | 2 => 2,
            _ => 0,
        };
        bits.value(length, 3);
    }
    // Canonical codes of the code length alphabet: 18 → 0, 1 → 10, 2 → 11.
    let (len1, len2, zeros) = ((0b10, 2), (0b11, 2), (0b0, 1));
    // Literal/length lengths: 0 → 2 bits, 1..=255 none, 256 → 2, 257..=284 none, 285 → 1.
    bits.code(len2);
    bits.code(zeros);
    bits.value(138 - 11, 7);
    bits.code(zeros);
    bits.value(117 - 11, 7);
    bits.code(len2);
    bits.code(zeros);
    bits.value(28 - 11, 7);
    bits.code(len1);
    // Distance lengths: codes 0 and 1, 1 bit each.
    bits.code(len1);
    bits.code(len1);
    // Canonical literal/length codes: 285 → 0, 0 → 10, 256 → 11; distance 0 → 0.
    let literal_zero = (0b10, 2);
    let end_of_block = (0b11, 2);
    bits.code(literal_zero);
    // Each match is length code 285 (`0`, no extra bits) and distance code 0 (`0`).
    bits.zeros(2 * matches);
    for _ in 0..literals {
        bits.code(literal_zero);
    }
    bits.code(end_of_block);
    bits.finish()
}

/// Packs bits least significant first, as deflate does.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    pending: u32,
    count: u32,
}

impl BitWriter {
    /// `n` bits of `value`, least significant first (header fields, extra bits).
    fn value(&mut self, value: u32, n: u32) {
        for i in 0..n {
            self.bit((value >> i) & 1);
        }
    }

    /// A Huffman code, most significant bit first.
    fn code(&mut self, (code, n): (u32, u32)) {
        for i in (0..n).rev() {
            self.bit((code >> i) & 1);
        }
    }

    fn bit(&mut self, bit: u32) {
        self.pending |= bit << self.count;
        self.count += 1;
        if self.count == 8 {
            self.out.push(self.pending as u8);
            self.pending = 0;
            self.count = 0;
        }
    }

    /// `n` zero bits, a byte at a time where possible.
    fn zeros(&mut self, mut n: u64) {
        while n > 0 && self.count != 0 {
            self.bit(0);
            n -= 1;
        }
        self.out.resize(self.out.len() + (n / 8) as usize, 0);
        for _ in 0..n % 8 {
            self.bit(0);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.pending as u8);
        }
        self.out
    }
}

/// CRC-32 (the gzip one) of `n` zero bytes, in O(log n): zlib's `crc32_combine` idea,
/// the effect of a zero byte on the register being a linear map over GF(2).
fn crc32_of_zeros(n: u64) -> u32 {
    fn times(matrix: &[u32; 32], mut vector: u32) -> u32 {
        let mut sum = 0;
        let mut row = 0;
        while vector != 0 {
            if vector & 1 != 0 {
                sum ^= matrix[row];
            }
            vector >>= 1;
            row += 1;
        }
        sum
    }
    fn square(matrix: &[u32; 32]) -> [u32; 32] {
        let mut out = [0; 32];
        for (row, slot) in out.iter_mut().enumerate() {
            *slot = times(matrix, matrix[row]);
        }
        out
    }
    // One zero bit through the reflected polynomial.
    let mut operator = [0u32; 32];
    operator[0] = 0xEDB8_8320;
    for (row, slot) in operator.iter_mut().enumerate().skip(1) {
        *slot = 1 << (row - 1);
    }
    // Two, four, then eight bits: one zero byte.
    for _ in 0..3 {
        operator = square(&operator);
    }
    let mut crc = 0xFFFF_FFFF;
    let mut n = n;
    while n != 0 {
        if n & 1 != 0 {
            crc = times(&operator, crc);
        }
        operator = square(&operator);
        n >>= 1;
    }
    crc ^ 0xFFFF_FFFF
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn crc_of_zeros_matches_a_real_crc() {
        for n in [0u64, 1, 2, 3, 255, 1000, 65_537, 1 << 20] {
            let mut crc = flate2::Crc::new();
            crc.update(&vec![0; n as usize]);
            assert_eq!(crc32_of_zeros(n), crc.sum(), "n = {n}");
        }
        // zlib.crc32(bytes(2**30)) in Python.
        assert_eq!(crc32_of_zeros(1 << 30), 0x5b64_c2b0);
    }

    #[test]
    fn the_bomb_is_small_and_inflates_to_exactly_its_size() {
        for size in [1u64, 2, 258, 259, 260, 1000, 10_000_019] {
            let bomb = gzip_zeros(size);
            let mut inflated = Vec::new();
            flate2::read::GzDecoder::new(&bomb[..])
                .read_to_end(&mut inflated)
                .expect("a valid gzip member");
            assert_eq!(inflated.len() as u64, size, "size {size}");
            assert!(inflated.iter().all(|&b| b == 0));
        }
        let default = gzip_zeros(DEFAULT_SIZE);
        assert!(default.len() < 1_100_000, "{}", default.len());
        assert!(default.len() > 1_000_000, "{}", default.len());
    }

    #[test]
    fn raw_fault_names() {
        assert_eq!(RawFault::from_name("reset"), Some(RawFault::Reset));
        assert_eq!(RawFault::from_name("huge"), None);
    }
}
