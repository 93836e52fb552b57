//! Shared by the targets (included with `#[path]`, not a crate of its own).

/// The stack of the threads `sonde run` loads files on (rayon's default): a file that
/// parses on the 8 MiB main thread may still overflow there.
#[allow(dead_code)]
pub const WORKER_STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a thread with `sonde run`'s stack size; a panic in it is re-raised here so
/// that libFuzzer sees it (a stack overflow aborts the process, which libFuzzer sees too).
#[allow(dead_code)]
pub fn on_worker_stack<F: FnOnce() + Send>(f: F) {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, f)
            .expect("a thread");
        if let Err(panic) = handle.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// Renders every diagnostic, as `validate` and `run` print them: a location or a caret
/// computed wrongly panics here (slicing inside a character, say).
#[allow(dead_code)]
pub fn render_all(diagnostics: &[sonde_core::Diagnostic]) {
    for diagnostic in diagnostics {
        let plain = diagnostic.render(false);
        let _ = diagnostic.render(true);
        assert!(!plain.is_empty());
    }
}

/// libFuzzer's panic hook aborts at once, before `catch_unwind` can act: panics that sonde
/// catches on purpose (see `sonde_core::panics`) must not count as crashes.
#[allow(dead_code)]
pub fn quiet_expected_panics() {
    let aborting = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !sonde_core::panics::is_quiet() {
            aborting(info);
        }
    }));
}
