//! From a step to a prepared request: settings merged (config → session → step, the
//! nearer wins, mappings merge key by key) and every template rendered.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde_json::Value as J;

use super::scope::{Scope, TemplateError, scalar_text};
use crate::transport::UrlError;
use crate::transport::request_url::{QueryParams, add_query, join, quote_plus};
use crate::transport::{
    AuthSpec, BodySpec, PartSpec, PreparedRequest, RetryPolicy, SendOptions, TransportProfile,
    default_headers,
};
use crate::transport::{ProxyUrls, Verification};
use sonde_core::model::{
    Auth, ClientCert, Data, FileContent, FilePart, Headers, Params, Proxies, Request, Setting,
    Settings, Text, Value, Verify,
};

/// Why a step could not be turned into a request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("`{0}` is not an HTTP method")]
    Method(String),
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error("cannot encode the JSON body: {0}")]
    Json(String),
    #[error("with `files`, `data` must be a mapping or a list of pairs (form fields)")]
    DataWithFiles,
    #[error("`{0}` is not a known charset (encoding)")]
    Charset(String),
}

/// The settings that apply to a step, weakest first: config, session, step.
pub(crate) struct Layers<'a>(pub [&'a Settings; 3]);

impl<'a> Layers<'a> {
    /// The nearest layer's value.
    fn nearest<T: 'a>(&self, pick: impl Fn(&'a Settings) -> Option<&'a T>) -> Option<&'a T> {
        self.0.iter().rev().find_map(|s| pick(s))
    }
}

pub(crate) fn prepare(
    request: &Request,
    layers: &Layers,
    scope: &Scope,
    dir: &Path,
    max_body: u64,
) -> Result<PreparedRequest, PrepareError> {
    let method = http::Method::from_bytes(request.method.value.trim().as_bytes())
        .map_err(|_| PrepareError::Method(request.method.value.clone()))?;
    let base = layers
        .nearest(|s| s.base_url.as_ref())
        .map(|t| scope.text(t))
        .transpose()?;
    let mut url = join(base.as_deref(), &scope.text(&request.url)?)?;
    if let Some(params) = merged_params(layers, scope)? {
        add_query(&mut url, &params);
    }
    let body = body(request, scope, dir)?;
    Ok(PreparedRequest {
        method,
        url,
        headers: merged_headers(layers, scope)?,
        cookies: merged_cookies(layers, scope)?,
        body,
        auth: auth(layers, scope)?,
        options: options(request, layers, scope, dir, max_body)?,
        profile: profile(layers, scope, dir)?,
    })
}

/// Defaults, then each layer: a name replaces the same name in any case, `null` removes it.
fn merged_headers(layers: &Layers, scope: &Scope) -> Result<Vec<(String, String)>, PrepareError> {
    let mut headers: Vec<(String, String)> = default_headers()
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    for layer in layers.0 {
        apply_headers(&mut headers, &layer.headers, scope)?;
    }
    Ok(headers)
}

fn apply_headers(
    headers: &mut Vec<(String, String)>,
    layer: &Headers,
    scope: &Scope,
) -> Result<(), PrepareError> {
    for (name, value) in &layer.0 {
        let rendered = match value {
            Some(v) => scalar_text(&scope.value(v)?),
            None => None,
        };
        match (
            headers
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(name)),
            rendered,
        ) {
            (Some(i), Some(v)) => headers[i] = (name.value.clone(), v),
            (Some(i), None) => {
                headers.remove(i);
            }
            (None, Some(v)) => headers.push((name.value.clone(), v)),
            (None, None) => {}
        }
    }
    Ok(())
}

fn merged_cookies(layers: &Layers, scope: &Scope) -> Result<Vec<(String, String)>, PrepareError> {
    let mut cookies: Vec<(String, String)> = Vec::new();
    for layer in layers.0 {
        for (name, value) in &layer.cookies {
            cookies.retain(|(n, _)| n != &name.value);
            if let Some(v) = scalar_text(&scope.value(value)?) {
                cookies.push((name.value.clone(), v));
            }
        }
    }
    Ok(cookies)
}

/// Params as `requests.sessions.merge_setting` merges them: two mappings merge key by key
/// (the nearer wins, `null` removes); otherwise the nearer setting replaces the other.
fn merged_params(layers: &Layers, scope: &Scope) -> Result<Option<QueryParams>, PrepareError> {
    let mut merged: Option<Merged> = None;
    for layer in layers.0 {
        let Some(params) = &layer.params else {
            continue;
        };
        merged = Some(match (merged, params) {
            (Some(Merged::Map(mut map)), Params::Map(entries)) => {
                for (key, value) in entries {
                    map.shift_remove(&key.value);
                    map.insert(key.value.clone(), scope.value(value)?);
                }
                Merged::Map(map)
            }
            (_, Params::Map(entries)) => Merged::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.value.clone(), scope.value(v)?)))
                    .collect::<Result<_, TemplateError>>()?,
            ),
            (_, Params::Pairs(pairs)) => Merged::Pairs(
                pairs
                    .iter()
                    .map(|(k, v)| Ok((scope.value(k)?, scope.value(v)?)))
                    .collect::<Result<_, TemplateError>>()?,
            ),
            (_, Params::Raw(text)) => Merged::Raw(scope.text(text)?),
        });
    }
    Ok(merged.map(Merged::into_query))
}

enum Merged {
    Map(indexmap::IndexMap<String, J>),
    Pairs(Vec<(J, J)>),
    Raw(String),
}

impl Merged {
    /// `None` values dropped, a list value repeating its key (`urlencode(doseq=True)`).
    fn into_query(self) -> QueryParams {
        let spread = |key: String, value: &J, out: &mut Vec<(String, String)>| match value {
            J::Array(items) => out.extend(
                items
                    .iter()
                    .filter_map(scalar_text)
                    .map(|v| (key.clone(), v)),
            ),
            other => out.extend(scalar_text(other).map(|v| (key, v))),
        };
        let mut pairs = Vec::new();
        match self {
            Merged::Raw(raw) => return QueryParams::Raw(raw),
            Merged::Map(map) => map.into_iter().for_each(|(k, v)| spread(k, &v, &mut pairs)),
            Merged::Pairs(list) => list.into_iter().for_each(|(k, v)| {
                if let Some(k) = scalar_text(&k) {
                    spread(k, &v, &mut pairs);
                }
            }),
        }
        QueryParams::Pairs(pairs)
    }
}

fn auth(layers: &Layers, scope: &Scope) -> Result<Option<AuthSpec>, PrepareError> {
    let nearest = layers.0.iter().rev().find_map(|s| match &s.auth {
        Setting::Inherit => None,
        Setting::Remove => Some(None),
        Setting::Set(auth) => Some(Some(auth)),
    });
    let Some(Some(auth)) = nearest else {
        return Ok(None);
    };
    Ok(Some(match auth {
        Auth::Basic { user, password } => AuthSpec::Basic {
            user: scope.text(user)?,
            password: scope.text(password)?,
        },
        Auth::Digest { user, password } => AuthSpec::Digest {
            user: scope.text(user)?,
            password: scope.text(password)?,
        },
        Auth::Bearer(token) => AuthSpec::Bearer(scope.text(token)?),
        Auth::Header { name, value } => AuthSpec::Header {
            name: scope.text(name)?,
            value: scope.text(value)?,
        },
    }))
}

fn body(request: &Request, scope: &Scope, dir: &Path) -> Result<BodySpec, PrepareError> {
    if let Some(json) = &request.json {
        let value = scope.value(json)?;
        let bytes = serde_json::to_vec(&value).map_err(|e| PrepareError::Json(e.to_string()))?;
        return Ok(BodySpec::Bytes {
            bytes: Bytes::from(bytes),
            content_type: Some("application/json"),
        });
    }
    if !request.files.is_empty() {
        return multipart(request, scope, dir);
    }
    let body = match &request.data {
        None => BodySpec::Empty,
        Some(Data::Form(pairs)) => {
            let encoded = form_fields(pairs, scope)?
                .iter()
                .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
                .collect::<Vec<_>>()
                .join("&");
            BodySpec::Bytes {
                bytes: Bytes::from(encoded),
                content_type: Some("application/x-www-form-urlencoded"),
            }
        }
        Some(Data::Raw(text)) => BodySpec::Bytes {
            bytes: Bytes::from(scope.text(text)?),
            content_type: None,
        },
        Some(Data::File(path)) => BodySpec::File(path_in(dir, &scope.text(path)?)),
    };
    // An empty form or text is no body, as python-requests has it: `Content-Length: 0`
    // and no `Content-Type`.
    Ok(match body {
        BodySpec::Bytes { bytes, .. } if bytes.is_empty() => BodySpec::Empty,
        other => other,
    })
}

/// Form fields as pairs; a list value repeats its key, `null` drops the field.
fn form_fields(
    pairs: &[(Value, Value)],
    scope: &Scope,
) -> Result<Vec<(String, String)>, PrepareError> {
    let mut fields = Vec::new();
    for (key, value) in pairs {
        let Some(key) = scalar_text(&scope.value(key)?) else {
            continue;
        };
        match scope.value(value)? {
            J::Array(items) => fields.extend(
                items
                    .iter()
                    .filter_map(scalar_text)
                    .map(|v| (key.clone(), v)),
            ),
            other => fields.extend(scalar_text(&other).map(|v| (key, v))),
        }
    }
    Ok(fields)
}

/// `files` with `data` pairs as ordinary fields first, as python-requests orders them.
fn multipart(request: &Request, scope: &Scope, dir: &Path) -> Result<BodySpec, PrepareError> {
    let mut parts = Vec::new();
    match &request.data {
        Some(Data::Form(pairs)) => {
            parts.extend(form_fields(pairs, scope)?.into_iter().map(|(name, value)| {
                PartSpec::Text {
                    name,
                    value,
                    filename: None,
                }
            }));
        }
        Some(_) => {
            return Err(PrepareError::DataWithFiles);
        }
        None => {}
    }
    for part in &request.files {
        parts.push(file_part(part, scope, dir)?);
    }
    Ok(BodySpec::Multipart(parts))
}

fn file_part(part: &FilePart, scope: &Scope, dir: &Path) -> Result<PartSpec, PrepareError> {
    let name = part.field.value.clone();
    Ok(match &part.content {
        FileContent::Inline(text) => PartSpec::Text {
            filename: Some(name.clone()),
            name,
            value: scope.text(text)?,
        },
        FileContent::File {
            path,
            filename,
            content_type,
            headers,
        } => {
            let mut part_headers = Vec::new();
            apply_headers(&mut part_headers, headers, scope)?;
            PartSpec::File {
                name,
                path: path_in(dir, &scope.text(path)?),
                filename: filename.as_ref().map(|t| scope.text(t)).transpose()?,
                content_type: content_type.as_ref().map(|t| scope.text(t)).transpose()?,
                headers: part_headers,
            }
        }
    })
}

fn options(
    request: &Request,
    layers: &Layers,
    scope: &Scope,
    dir: &Path,
    max_body: u64,
) -> Result<SendOptions, PrepareError> {
    let timeout = layers
        .nearest(|s| s.timeout.as_ref())
        .copied()
        .unwrap_or_default();
    let encoding = match &request.encoding {
        Some(label) => Some(
            crate::transport::Charset::for_label(&label.value)
                .ok_or_else(|| PrepareError::Charset(label.value.clone()))?,
        ),
        None => None,
    };
    Ok(SendOptions {
        total_timeout: timeout.total,
        read_timeout: timeout.read,
        retries: layers.nearest(|s| s.retries.as_ref()).map(|r| RetryPolicy {
            count: r.count,
            backoff: r.backoff,
            on_status: r.on_status.clone(),
        }),
        allow_redirects: layers
            .nearest(|s| s.allow_redirects.as_ref())
            .copied()
            .unwrap_or(true),
        max_redirects: layers
            .nearest(|s| s.max_redirects.as_ref())
            .copied()
            .unwrap_or(crate::transport::DEFAULT_MAX_REDIRECTS),
        max_body,
        save_body: request
            .save_body
            .as_ref()
            .map(|t| scope.text(t).map(|p| path_in(dir, &p)))
            .transpose()?,
        encoding,
    })
}

fn profile(layers: &Layers, scope: &Scope, dir: &Path) -> Result<TransportProfile, PrepareError> {
    let path = |t: &Text| -> Result<PathBuf, PrepareError> { Ok(path_in(dir, &scope.text(t)?)) };
    let verify = match layers.nearest(|s| s.verify.as_ref()) {
        None | Some(Verify::Enabled(true)) => Verification::Default,
        Some(Verify::Enabled(false)) => Verification::Off,
        Some(Verify::CaBundle(t)) => Verification::CaBundle(path(t)?),
    };
    let client_cert = match layers.nearest(|s| s.cert.as_ref()) {
        None => None,
        Some(ClientCert::Combined(t)) => Some((path(t)?, None)),
        Some(ClientCert::Pair { cert, key }) => Some((path(cert)?, Some(path(key)?))),
    };
    let proxies = match layers.nearest(|s| s.proxies.as_ref()) {
        None => None,
        Some(Proxies::All(t)) => {
            let url = scope.text(t)?;
            Some(ProxyUrls {
                http: Some(url.clone()),
                https: Some(url),
            })
        }
        Some(Proxies::PerScheme { http, https }) => Some(ProxyUrls {
            http: http.as_ref().map(|t| scope.text(t)).transpose()?,
            https: https.as_ref().map(|t| scope.text(t)).transpose()?,
        }),
    };
    Ok(TransportProfile {
        verify,
        client_cert,
        proxies,
        connect_timeout: layers
            .nearest(|s| s.timeout.as_ref())
            .and_then(|t| t.connect),
    })
}

/// A path as written, relative to the scenario's directory.
fn path_in(dir: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    }
}
