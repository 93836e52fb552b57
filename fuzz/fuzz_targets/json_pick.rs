//! Singular JSONPaths read while parsing (`json_path::pick`) against the full query on the
//! parsed document. The input is `PATH\0BODY`. Where `pick` answers, it must give what the
//! query finds; where the body is JSON it must answer for singular paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sonde_core::json_path::{CompiledPath, pick};

#[path = "common.rs"]
mod common;

fuzz_target!(init: common::quiet_expected_panics(), |data: &[u8]| {
    let Some(at) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let (Ok(path), body) = (std::str::from_utf8(&data[..at]), &data[at + 1..]) else {
        return;
    };
    let Ok(compiled) = CompiledPath::parse(path) else {
        return;
    };
    let picked = pick(body, &[&compiled]);
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    match (picked, parsed) {
        (Some(mut found), Some(document)) => {
            let nodes = compiled.query(&document).all();
            assert!(nodes.len() <= 1, "a singular path found {} nodes", nodes.len());
            assert_eq!(found.pop().unwrap(), nodes.first().map(|v| (*v).clone()), "{path}");
        }
        // serde_json stops building values 128 levels down; skipping has no such limit.
        (Some(_), None) => assert!(deeper_than_128(body), "picked from a body that is not JSON"),
        (None, _) => {}
    }
});

fn deeper_than_128(body: &[u8]) -> bool {
    let mut depth = 0usize;
    for &b in body {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > 128 {
            return true;
        }
    }
    false
}
