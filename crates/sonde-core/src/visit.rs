//! Walks every string of a scenario that may be a template, in the order they are used.
//! One walker serves the static variable check, secret collection and exports.

use super::model::{
    Auth, ClientCert, Data, Expect, FileContent, Headers, Matcher, Params, Pattern, Predicate,
    Proxies, Request, Setting, Settings, StatusExpect, Text, Value, Verify,
};

/// Calls `f` on every text of `value`.
pub(crate) fn value_texts<'a>(value: &'a Value, f: &mut dyn FnMut(&'a Text)) {
    match value {
        Value::String(t) => f(t),
        Value::Array(items) => items.iter().for_each(|v| value_texts(v, f)),
        Value::Object(entries) => entries.iter().for_each(|(_, v)| value_texts(v, f)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn matcher_texts<'a>(matcher: &'a Matcher, f: &mut dyn FnMut(&'a Text)) {
    match matcher {
        Matcher::Equals(v) => value_texts(v, f),
        Matcher::All(predicates) => {
            for p in predicates {
                match &p.value {
                    Predicate::Eq(v)
                    | Predicate::Ne(v)
                    | Predicate::Lt(v)
                    | Predicate::Le(v)
                    | Predicate::Gt(v)
                    | Predicate::Ge(v)
                    | Predicate::Contains(v)
                    | Predicate::NotContains(v)
                    | Predicate::StartsWith(v)
                    | Predicate::EndsWith(v) => value_texts(v, f),
                    Predicate::OneOf(vs) => vs.iter().for_each(|v| value_texts(v, f)),
                    Predicate::Matches(Pattern::Template(t)) => f(t),
                    Predicate::Length(m) | Predicate::Not(m) => matcher_texts(m, f),
                    Predicate::Matches(Pattern::Compiled(_))
                    | Predicate::Type(_)
                    | Predicate::Exists(_) => {}
                }
            }
        }
    }
}

/// The texts of session-like settings.
pub(crate) fn settings_texts<'a>(s: &'a Settings, f: &mut dyn FnMut(&'a Text)) {
    if let Some(t) = &s.base_url {
        f(t);
    }
    headers_texts(&s.headers, f);
    match &s.params {
        Some(Params::Map(entries)) => entries.iter().for_each(|(_, v)| value_texts(v, f)),
        Some(Params::Pairs(pairs)) => pairs.iter().for_each(|(k, v)| {
            value_texts(k, f);
            value_texts(v, f);
        }),
        Some(Params::Raw(t)) => f(t),
        None => {}
    }
    s.cookies.iter().for_each(|(_, v)| value_texts(v, f));
    if let Setting::Set(auth) = &s.auth {
        auth_texts(auth, f);
    }
    match &s.proxies {
        Some(Proxies::All(t)) => f(t),
        Some(Proxies::PerScheme { http, https }) => http.iter().chain(https).for_each(&mut *f),
        None => {}
    }
    if let Some(Verify::CaBundle(t)) = &s.verify {
        f(t);
    }
    match &s.cert {
        Some(ClientCert::Combined(t)) => f(t),
        Some(ClientCert::Pair { cert, key }) => {
            f(cert);
            f(key);
        }
        None => {}
    }
}

/// The texts of an auth setting: the credentials.
pub(crate) fn auth_texts<'a>(auth: &'a Auth, f: &mut dyn FnMut(&'a Text)) {
    match auth {
        Auth::Basic { user, password } | Auth::Digest { user, password } => {
            f(user);
            f(password);
        }
        Auth::Bearer(token) => f(token),
        Auth::Header { name, value } => {
            f(name);
            f(value);
        }
    }
}

fn headers_texts<'a>(headers: &'a Headers, f: &mut dyn FnMut(&'a Text)) {
    headers
        .0
        .iter()
        .filter_map(|(_, v)| v.as_ref())
        .for_each(|v| value_texts(v, f));
}

/// The texts a step uses before its response arrives: its request.
pub(crate) fn request_texts<'a>(r: &'a Request, f: &mut dyn FnMut(&'a Text)) {
    f(&r.url);
    settings_texts(&r.settings, f);
    if let Some(json) = &r.json {
        value_texts(json, f);
    }
    match &r.data {
        Some(Data::Form(pairs)) => pairs.iter().for_each(|(k, v)| {
            value_texts(k, f);
            value_texts(v, f);
        }),
        Some(Data::Raw(t) | Data::File(t)) => f(t),
        None => {}
    }
    for part in &r.files {
        match &part.content {
            FileContent::Inline(t) => f(t),
            FileContent::File {
                path,
                filename,
                content_type,
                headers,
            } => {
                f(path);
                filename.iter().chain(content_type).for_each(&mut *f);
                headers_texts(headers, f);
            }
        }
    }
    if let Some(t) = &r.save_body {
        f(t);
    }
}

/// The texts of a step's expectations.
pub(crate) fn expect_texts<'a>(e: &'a Expect, f: &mut dyn FnMut(&'a Text)) {
    if let Some(status) = &e.status
        && let StatusExpect::Matches(m) = &status.value
    {
        matcher_texts(m, f);
    }
    for h in &e.headers {
        if let Some(m) = &h.matcher {
            matcher_texts(m, f);
        }
    }
    e.json.iter().for_each(|j| matcher_texts(&j.matcher, f));
    let singles = [&e.body, &e.duration, &e.redirects, &e.url];
    singles
        .into_iter()
        .flatten()
        .for_each(|m| matcher_texts(m, f));
    e.cookies.iter().for_each(|(_, m)| matcher_texts(m, f));
    if let Some(bytes) = &e.bytes {
        if let Some(m) = &bytes.length {
            matcher_texts(m, f);
        }
        if let Some(t) = &bytes.equals_file {
            f(t);
        }
    }
}
