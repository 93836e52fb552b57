//! A prepared request as an equivalent `curl` command line.

use crate::report::redact::{MASK, Redactor};
use crate::transport::{AuthSpec, BodySpec, PartSpec, PreparedRequest, default_headers};

/// The `curl` command that sends what `prepared` describes. Credentials are `***` unless
/// `show_secrets`; other secrets are redacted by `redactor`.
pub(crate) fn command(
    prepared: &PreparedRequest,
    show_secrets: bool,
    redactor: &Redactor,
) -> String {
    let secret = |value: &str| {
        if show_secrets {
            value.to_string()
        } else {
            MASK.to_string()
        }
    };
    let mut args: Vec<String> = vec!["curl".into()];
    if prepared.method.as_str() == "HEAD" {
        args.push("--head".into());
    } else if prepared.method.as_str() != "GET" || !matches!(prepared.body, BodySpec::Empty) {
        args.extend(["-X".into(), quote(prepared.method.as_str())]);
    }
    let defaults = default_headers();
    for (name, value) in &prepared.headers {
        let is_default = defaults
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(name) && v == value);
        if !is_default {
            args.extend(["-H".into(), quote(&format!("{name}: {value}"))]);
        }
    }
    if !prepared.cookies.is_empty() {
        let cookies: Vec<String> = prepared
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        args.extend(["-b".into(), quote(&cookies.join("; "))]);
    }
    match &prepared.auth {
        Some(AuthSpec::Basic { user, password }) => args.extend([
            "-u".into(),
            quote(&format!("{}:{}", secret(user), secret(password))),
        ]),
        Some(AuthSpec::Digest { user, password }) => args.extend([
            "--digest".into(),
            "-u".into(),
            quote(&format!("{}:{}", secret(user), secret(password))),
        ]),
        Some(AuthSpec::Bearer(token)) => args.extend([
            "-H".into(),
            quote(&format!("Authorization: Bearer {}", secret(token))),
        ]),
        Some(AuthSpec::Header { name, value }) => {
            args.extend(["-H".into(), quote(&format!("{name}: {}", secret(value)))]);
        }
        None => {}
    }
    match &prepared.body {
        BodySpec::Empty => {}
        BodySpec::Bytes {
            bytes,
            content_type,
        } => {
            let has_type = prepared
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
            if let (Some(ct), false) = (content_type, has_type) {
                args.extend(["-H".into(), quote(&format!("Content-Type: {ct}"))]);
            }
            args.extend(["--data-raw".into(), quote(&String::from_utf8_lossy(bytes))]);
        }
        BodySpec::File(path) => args.extend([
            "--data-binary".into(),
            quote(&format!("@{}", path.display())),
        ]),
        BodySpec::Multipart(parts) => {
            for part in parts {
                let form = match part {
                    PartSpec::Text {
                        name,
                        value,
                        filename: None,
                    } => format!("{name}={value}"),
                    PartSpec::Text {
                        name,
                        value,
                        filename: Some(f),
                    } => format!("{name}={value};filename={f}"),
                    PartSpec::File {
                        name,
                        path,
                        filename,
                        content_type,
                        ..
                    } => {
                        let mut f = format!("{name}=@{}", path.display());
                        if let Some(n) = filename {
                            f.push_str(&format!(";filename={n}"));
                        }
                        if let Some(t) = content_type {
                            f.push_str(&format!(";type={t}"));
                        }
                        f
                    }
                };
                args.extend(["-F".into(), quote(&form)]);
            }
        }
    }
    let options = &prepared.options;
    if options.allow_redirects {
        args.extend([
            "-L".into(),
            "--max-redirs".into(),
            options.max_redirects.to_string(),
        ]);
    }
    if let Some(total) = options.total_timeout {
        args.extend(["--max-time".into(), format!("{}", total.as_secs_f64())]);
    }
    if let Some(connect) = prepared.profile.connect_timeout {
        args.extend([
            "--connect-timeout".into(),
            format!("{}", connect.as_secs_f64()),
        ]);
    }
    if let Some(retries) = &options.retries {
        args.extend(["--retry".into(), retries.count.to_string()]);
    }
    if let Some(path) = &options.save_body {
        args.extend(["-o".into(), quote(&path.display().to_string())]);
    }
    if let Some(proxies) = &prepared.profile.proxies
        && let Some(proxy) = proxies.https.as_ref().or(proxies.http.as_ref())
    {
        args.extend(["-x".into(), quote(proxy)]);
    }
    match &prepared.profile.verify {
        crate::transport::Verification::Default => {}
        crate::transport::Verification::Off => args.push("-k".into()),
        crate::transport::Verification::CaBundle(path) => {
            args.extend(["--cacert".into(), quote(&path.display().to_string())]);
        }
    }
    if let Some((cert, key)) = &prepared.profile.client_cert {
        args.extend(["--cert".into(), quote(&cert.display().to_string())]);
        if let Some(key) = key {
            args.extend(["--key".into(), quote(&key.display().to_string())]);
        }
    }
    args.push("--compressed".into());
    // Placeholders of captured values read `{{name}}`; --globoff keeps curl from
    // taking the braces for a URL pattern.
    let url = prepared
        .url
        .as_str()
        .replace("%7B%7B", "{{")
        .replace("%7D%7D", "}}");
    if url.contains('{') || url.contains('[') {
        args.push("--globoff".into());
    }
    args.push(quote(&url));
    redactor.redact(&args.join(" "))
}

/// Single-quoted for a POSIX shell, unless nothing needs quoting.
fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=,+%".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_for_a_shell() {
        assert_eq!(super::quote("plain/path"), "plain/path");
        assert_eq!(super::quote("it's here"), r"'it'\''s here'");
    }
}
