//! URLs as python-requests builds them: base URL joining, query encoding and requoting.

use url::Url;

/// Joins a step URL onto the session's `base_url`.
///
/// An absolute URL (`http://…`, `https://…`) is taken as is. Any other URL is appended to
/// the base's path with exactly one `/` between them, whatever slashes either side has:
/// `http://h/api/v1` + `/users` and `http://h/api/v1/` + `users` both give
/// `http://h/api/v1/users` (unlike RFC 3986 resolution, where `/users` would replace the
/// base path; this is what Hurl and `requests` users with a base URL expect). A URL starting
/// with `?` adds a query to the base; an empty URL is the base itself.
pub(crate) fn join(base: Option<&str>, url: &str) -> Result<Url, UrlError> {
    let url = url.trim();
    let joined = join_any(base, url)?;
    if matches!(joined.scheme(), "http" | "https") {
        Ok(joined)
    } else {
        Err(UrlError::Scheme(joined.to_string()))
    }
}

/// `url` on `base_url`, whatever its scheme.
fn join_any(base: Option<&str>, url: &str) -> Result<Url, UrlError> {
    // `data:` and `file:` URLs have no `//`: they are not paths under `base_url`.
    if ["data:", "file:"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    }) {
        return Err(UrlError::Scheme(url.to_owned()));
    }
    if has_scheme(url) {
        return sonde_core::cache::url(url).map_err(|e| UrlError::Invalid {
            url: url.to_owned(),
            reason: e.to_string(),
        });
    }
    let Some(base) = base.map(str::trim) else {
        return Err(UrlError::RelativeWithoutBase(url.to_owned()));
    };
    let joined = if url.is_empty() || url.starts_with('?') || url.starts_with('#') {
        format!("{base}{url}")
    } else {
        format!(
            "{}/{}",
            base.trim_end_matches('/'),
            url.trim_start_matches('/')
        )
    };
    sonde_core::cache::url(&joined).map_err(|e| UrlError::InvalidJoined {
        reason: e.to_string(),
        url: joined,
    })
}

/// Why a step's URL cannot be sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UrlError {
    #[error("invalid URL `{url}`: {reason}")]
    Invalid { url: String, reason: String },
    #[error(
        "`{0}` is a relative URL and no base_url is set (give an absolute URL or set session.base_url)"
    )]
    RelativeWithoutBase(String),
    #[error("invalid URL `{url}` (base_url + url): {reason}")]
    InvalidJoined { url: String, reason: String },
    #[error("`{0}`: only http and https URLs are sent")]
    Scheme(String),
}

fn has_scheme(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// Query parameters ready to encode: pairs in order, a list value already spread.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum QueryParams {
    Pairs(Vec<(String, String)>),
    /// Appended as written.
    Raw(String),
}

/// Appends `params` to the query `url` already has, encoded like
/// `requests.models.RequestEncodingMixin._encode_params` (`urlencode` with `quote_plus`),
/// then requotes the whole query like `requests.utils.requote_uri`.
pub(crate) fn add_query(url: &mut Url, params: &QueryParams) {
    let encoded = match params {
        QueryParams::Pairs(pairs) => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
            .collect::<Vec<_>>()
            .join("&"),
        QueryParams::Raw(raw) => raw.clone(),
    };
    let query = match (url.query().filter(|q| !q.is_empty()), encoded.is_empty()) {
        (Some(existing), false) => format!("{existing}&{encoded}"),
        (Some(existing), true) => existing.to_string(),
        (None, _) => encoded,
    };
    if query.is_empty() {
        url.set_query(None);
    } else {
        url.set_query(Some(&requote(&query)));
    }
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"_.-~".contains(&byte)
}

/// Python's `urllib.parse.quote_plus(text, safe='')`.
pub(crate) fn quote_plus(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b if is_unreserved(b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `requests.utils.requote_uri`: unquote the unreserved characters, then quote whatever is
/// neither reserved, unreserved nor an already valid `%XX`.
pub(crate) fn requote(text: &str) -> String {
    const SAFE: &[u8] = b"!#$%&'()*+,/:;=?@[]~";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'%' {
            if let Some(decoded) = hex_pair(bytes.get(i + 1..i + 3)) {
                if is_unreserved(decoded) {
                    out.push(decoded as char);
                } else {
                    out.push_str(&text[i..i + 3]);
                }
                i += 3;
                continue;
            }
            // A `%` not followed by two hex digits is itself quoted, as requote_uri's
            // fallback does.
            out.push_str("%25");
        } else if is_unreserved(byte) || SAFE.contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
        i += 1;
    }
    out
}

fn hex_pair(pair: Option<&[u8]>) -> Option<u8> {
    let pair = std::str::from_utf8(pair?).ok()?;
    u8::from_str_radix(pair, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_a_base_url_user_expects() {
        let j = |b: &str, u: &str| join(Some(b), u).unwrap().to_string();
        assert_eq!(j("http://h/api/v1", "/users"), "http://h/api/v1/users");
        assert_eq!(j("http://h/api/v1/", "users"), "http://h/api/v1/users");
        assert_eq!(j("http://h", "/get"), "http://h/get");
        assert_eq!(j("http://h/x", "?a=1"), "http://h/x?a=1");
        assert_eq!(j("http://h/x", "https://o/y"), "https://o/y");
        assert!(
            join(None, "/x")
                .unwrap_err()
                .to_string()
                .contains("base_url")
        );
    }

    #[test]
    fn encodes_params_like_requests() {
        let mut url = Url::parse("http://h/p?x=1").unwrap();
        let pairs = vec![
            ("q".to_string(), "requests language:python".to_string()),
            ("é".to_string(), "a/b&c".to_string()),
        ];
        add_query(&mut url, &QueryParams::Pairs(pairs));
        assert_eq!(
            url.query(),
            Some("x=1&q=requests+language%3Apython&%C3%A9=a%2Fb%26c")
        );
    }

    #[test]
    fn raw_params_are_appended_and_requoted() {
        let mut url = Url::parse("http://h/p").unwrap();
        add_query(
            &mut url,
            &QueryParams::Raw("q=requests+language:python&s=a b&p=%41%zz".into()),
        );
        assert_eq!(
            url.query(),
            Some("q=requests+language:python&s=a%20b&p=A%25zz")
        );
    }
}
