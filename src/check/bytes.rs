//! `bytes`: length, SHA-256 and equality with a file, over the raw body (or the saved file).

use std::io::Read as _;

use serde_json::Value as J;
use sha2::{Digest as _, Sha256};

use super::Context;
use super::failure::{Failure, Verdicts};
use super::predicate::evaluate;
use super::response::ResponseView;
use sonde_core::model::Expect;

pub(super) fn check(expect: &Expect, response: &ResponseView, ctx: &Context, out: &mut Verdicts) {
    let Some(bytes) = &expect.bytes else { return };
    let summary = match body_summary(response) {
        Ok(s) => s,
        Err(e) => {
            let span = bytes
                .length
                .as_ref()
                .map(|m| m.span)
                .or(bytes.sha256.as_ref().map(|s| s.span));
            out.fail(Failure::new(
                span.unwrap_or_default(),
                "bytes",
                "a readable body",
                e.to_string(),
            ));
            return;
        }
    };
    if let Some(length) = &bytes.length {
        let actual = J::from(summary.length);
        let mismatches = evaluate(length, Some(&actual), ctx.resolve);
        let name = || "bytes length".to_string();
        out.judged(
            length.span,
            name,
            mismatches,
            length,
            Some(&actual),
            ctx.resolve,
        );
    }
    if let Some(sha) = &bytes.sha256 {
        if sha.value == summary.sha256 {
            out.pass(
                sha.span,
                || "bytes sha256".to_string(),
                || {
                    (
                        J::from(sha.value.as_str()),
                        Some(J::from(summary.sha256.as_str())),
                    )
                },
            );
        } else {
            out.fail(Failure::new(
                sha.span,
                "bytes sha256",
                &sha.value,
                &summary.sha256,
            ));
        }
    }
    if let Some(file) = &bytes.equals_file {
        let written = match ctx.resolve.text(file) {
            Ok(p) => p,
            Err(e) => {
                out.fail(Failure::new(
                    file.span,
                    "bytes equals_file",
                    "a file path",
                    e.to_string(),
                ));
                return;
            }
        };
        let path = ctx.scenario_dir.join(&written);
        let name = || "bytes equals_file".to_string();
        match file_summary(&path) {
            Ok(expected) if expected == summary => {
                out.pass(file.span, name, || (expected.json(), Some(summary.json())));
            }
            Ok(expected) => out.fail_with(
                Failure::new(
                    file.span,
                    name(),
                    format!("the {} bytes of {written}", expected.length),
                    format!(
                        "{} bytes that differ (sha256 {})",
                        summary.length, summary.sha256
                    ),
                ),
                |_| (expected.json(), Some(summary.json())),
            ),
            Err(e) => out.fail(Failure::new(
                file.span,
                "bytes equals_file",
                format!("the bytes of {written}"),
                e.to_string(),
            )),
        }
    }
}

#[derive(Debug, PartialEq)]
struct Summary {
    length: u64,
    sha256: String,
}

impl Summary {
    /// `{"length": …, "sha256": …}`: what `equals_file` compares, as a report shows it.
    fn json(&self) -> J {
        serde_json::json!({"length": self.length, "sha256": self.sha256})
    }
}

/// A saved body or an `equals_file` that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
struct ReadError {
    path: std::path::PathBuf,
    source: std::io::Error,
}

fn body_summary(response: &ResponseView) -> Result<Summary, ReadError> {
    match response.saved_to {
        Some(path) => file_summary(path),
        None => Ok(Summary {
            length: response.body.len() as u64,
            sha256: hex::encode(Sha256::digest(response.body)),
        }),
    }
}

/// Length and hash of a file, read in chunks so a large download is never held in memory.
fn file_summary(path: &std::path::Path) -> Result<Summary, ReadError> {
    let unreadable = |source| ReadError {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut length = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        length += n as u64;
    }
    Ok(Summary {
        length,
        sha256: hex::encode(hasher.finalize()),
    })
}
