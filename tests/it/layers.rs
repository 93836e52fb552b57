//! The layering of the code, kept: each top-level module of the `sonde` crate uses only the
//! modules below it, and the crates of the workspace depend one way (the server on nothing
//! of sonde's, the scenario language on no network, TLS or server crate).

use std::path::{Path, PathBuf};

/// The `sonde` crate's modules, lowest first: a module may use those before it.
const LAYERS: &[&str] = &[
    "allocator",
    "exit",
    "events",
    "transport",
    "check",
    "engine",
    "report",
    "run",
    "cli",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a file names as `crate::module`, outside comments.
fn modules_used(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut used = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            let name: String = code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            used.push(name);
        }
    }
    used
}

fn layer_of(path: &Path) -> &'static str {
    let relative = path.strip_prefix(root().join("src")).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    let name = Path::new(first).file_stem().unwrap().to_str().unwrap();
    LAYERS
        .iter()
        .find(|layer| **layer == name)
        .copied()
        .unwrap_or("")
}

#[test]
fn each_module_uses_only_the_modules_below_it() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut breaches = Vec::new();
    for file in &files {
        let layer = layer_of(file);
        if layer.is_empty() {
            continue; // lib.rs and main.rs sit above every layer
        }
        let rank = LAYERS.iter().position(|l| *l == layer).unwrap();
        for used in modules_used(file) {
            match LAYERS.iter().position(|l| *l == used) {
                Some(other) if other > rank => {
                    breaches.push(format!("{}: {layer} uses {used}", file.display()));
                }
                None => breaches.push(format!(
                    "{}: crate::{used} is not a layer of tests/it/layers.rs",
                    file.display()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}

/// The `[dependencies]` of a crate's manifest, by name.
fn dependencies(manifest: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(manifest)).unwrap();
    let section = text.split("[dependencies]").nth(1).unwrap_or("");
    let section = section.split("\n[").next().unwrap_or("");
    section
        .lines()
        .filter_map(|line| line.split('=').next())
        .map(str::trim)
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_scenario_crate_needs_no_network_and_the_server_nothing_of_sonde() {
    let core = dependencies("crates/sonde-core/Cargo.toml");
    assert!(core.contains(&"minijinja".to_string()), "{core:?}");
    for network in [
        "hyper",
        "hyper-util",
        "tokio",
        "rustls",
        "tokio-rustls",
        "axum",
        "sonde-httpbin",
    ] {
        assert!(
            !core.iter().any(|d| d == network),
            "sonde-core uses {network}"
        );
    }
    let server = dependencies("crates/sonde-httpbin/Cargo.toml");
    assert!(server.contains(&"axum".to_string()), "{server:?}");
    assert!(
        !server.iter().any(|d| d.starts_with("sonde")),
        "the server depends on {server:?}"
    );
}
