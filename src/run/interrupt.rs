//! Ctrl-C (SIGINT) and SIGTERM: the run stops starting files, lets running ones finish
//! briefly, writes its reports with what finished, and exits 130 or 143.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Which signal interrupted the run, if any.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interrupt {
    signal: Arc<AtomicUsize>,
    /// Set with `signal`, for the engine to skip the steps not yet started.
    flag: Arc<AtomicBool>,
}

impl Interrupt {
    /// Listens for SIGINT and SIGTERM from now on.
    pub(crate) fn listen() -> Interrupt {
        let interrupt = Interrupt::default();
        #[cfg(unix)]
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            let _ = signal_hook::flag::register_usize(
                signal,
                Arc::clone(&interrupt.signal),
                signal as usize,
            );
            let _ = signal_hook::flag::register(signal, Arc::clone(&interrupt.flag));
        }
        interrupt
    }

    pub(crate) fn is_set(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.flag)
    }

    /// The exit status for the signal received: 128 + its number (130 for SIGINT, 143 for
    /// SIGTERM).
    pub(crate) fn exit_status(&self) -> Option<u8> {
        match self.signal.load(Ordering::Relaxed) {
            0 => None,
            signal => Some(128 + signal as u8),
        }
    }

    pub(crate) fn signal_name(&self) -> &'static str {
        match self.signal.load(Ordering::Relaxed) {
            2 => "SIGINT",
            15 => "SIGTERM",
            _ => "a signal",
        }
    }
}
