//! Panics that sonde expects from a dependency and turns into errors.
//!
//! `quietly` runs a call that may panic on input it should have refused (`serde_json_path`'s
//! parser does, on some truncated texts), and says so instead of unwinding further. The
//! process's panic hook (in `main.rs`, and the fuzz targets') stays silent meanwhile, so the
//! user sees the error, not a bug report.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// `f`'s result, or `None` when it panicked.
pub fn quietly<R>(f: impl FnOnce() -> R) -> Option<R> {
    let was = QUIET.replace(true);
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.set(was);
    result.ok()
}

/// Whether the current thread is inside `quietly`: panic hooks print nothing then.
pub fn is_quiet() -> bool {
    QUIET.get()
}
