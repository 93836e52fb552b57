//! What the checks see of a response: read-only views, parsed once and shared by all checks.

use std::cell::OnceCell;
use std::path::Path;
use std::time::Duration;

use serde_json::Value as J;

/// A response as the checks see it. The engine fills it from its record of the exchange.
pub struct ResponseView<'a> {
    pub status: u16,
    pub reason: &'a str,
    /// In order, repeats kept.
    pub headers: &'a [(String, String)],
    /// The body after content decoding (gzip, deflate, br); empty when saved to disk.
    pub body: &'a [u8],
    /// Where the body was streamed to, with `save_body`.
    pub saved_to: Option<&'a Path>,
    /// The body decoded to text with its charset; `None` when it is not text.
    pub text: Option<&'a str>,
    pub elapsed: Duration,
    pub redirects: usize,
    pub url: &'a str,
    /// Cookies set by this response (and the redirects it followed): name and value.
    pub cookies: &'a [(String, String)],
    json: OnceCell<Result<J, String>>,
}

impl<'a> ResponseView<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        status: u16,
        reason: &'a str,
        headers: &'a [(String, String)],
        body: &'a [u8],
        text: Option<&'a str>,
        elapsed: Duration,
        url: &'a str,
    ) -> ResponseView<'a> {
        ResponseView {
            status,
            reason,
            headers,
            body,
            saved_to: None,
            text,
            elapsed,
            redirects: 0,
            url,
            cookies: &[],
            json: OnceCell::new(),
        }
    }

    /// The values of a header, case-insensitively, in order.
    pub fn header_values(&self, name: &str) -> Vec<&'a str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn content_type(&self) -> Option<&'a str> {
        self.header_values("content-type").into_iter().next()
    }

    /// The values at singular `JSONPaths`, read without building the document; `None` when
    /// that cannot be done (see [`sonde_core::json_path::pick`]) or the document is parsed anyway.
    pub fn pick_json(
        &self,
        paths: &[&sonde_core::json_path::CompiledPath],
    ) -> Option<Vec<Option<J>>> {
        if self.json.get().is_some() {
            return None;
        }
        sonde_core::json_path::pick(self.body, paths)
    }

    /// The body as JSON, parsed on first use. The error says what came instead.
    pub fn json(&self) -> Result<&J, &str> {
        self.json
            .get_or_init(|| {
                serde_json::from_slice(self.body).map_err(|e| {
                    let preview: String = String::from_utf8_lossy(self.body).chars().take(120).collect();
                    let more = if self.body.len() > preview.len() { "…" } else { "" };
                    format!(
                        "the body is not JSON ({e}); content-type: {}; body starts: {preview:?}{more}",
                        self.content_type().unwrap_or("none")
                    )
                })
            })
            .as_ref()
            .map_err(String::as_str)
    }
}
