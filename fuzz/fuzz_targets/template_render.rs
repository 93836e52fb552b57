//! Template rendering with sonde's environment (strict undefined, its functions and
//! filters) and a small context: `free_variables` (what `validate` does) then `render_str`
//! (what `run` does). Errors are fine; panics, overflows and hangs are not. Where
//! `template::substitute` answers, it must give what the engine renders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;

#[path = "common.rs"]
mod common;

fuzz_target!(|text: &str| {
    // `file()` reads the disk: `/dev/zero` or a FIFO would make the target itself hang.
    if text.contains("file") {
        return;
    }
    common::on_worker_stack(|| {
        let kind = sonde_core::template::classify(text);
        let _ = sonde_core::template::free_variables(text, &kind);
        let context = json!({
            "name": "ada",
            "n": 3,
            "ratio": 2.5,
            "ok": true,
            "none": null,
            "items": [1, "two", {"three": 3}],
            "user": {"id": 7, "tags": ["a", "b"], "email": "ada@example.com"},
            "env": {"HOME": "/home/ada"},
        });
        let lookup = |name: &str| context.get(name).and_then(|v| v.as_str());
        let substituted = sonde_core::template::substitute(text, lookup);
        let engine_context = minijinja::Value::from(minijinja::value::Serde(&context));
        let rendered = sonde_core::template::environment().render_str(text, engine_context);
        // Substitution is a shortcut: when it answers, it answers what the engine renders.
        if let Some(fast) = substituted {
            assert_eq!(Some(fast), rendered.ok(), "{text:?}");
        }
    });
});
