//! Ctrl-C (SIGINT) and SIGTERM: the run stops starting files, lets running ones finish
//! briefly, writes its reports with what finished, and exits 130 or 143. A second signal
//! stops waiting for the running files at once (the reports still hold what finished, and
//! the config's servers are still stopped).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Which signal interrupted the run, if any.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interrupt {
    signal: Arc<AtomicUsize>,
    /// Set with `signal`, for the engine to skip the steps not yet started.
    flag: Arc<AtomicBool>,
    /// Set by a second signal: stop waiting for the files still running.
    again: Arc<AtomicBool>,
}

impl Interrupt {
    /// Listens for SIGINT and SIGTERM from now on.
    pub(crate) fn listen() -> Interrupt {
        let interrupt = Interrupt::default();
        #[cfg(unix)]
        {
            // A thread reads the signals as they come (signal-hook's iterator, no `unsafe`):
            // the first interrupts, a second stops the wait for running files.
            let signals = signal_hook::iterator::Signals::new([
                signal_hook::consts::SIGINT,
                signal_hook::consts::SIGTERM,
            ]);
            if let Ok(mut signals) = signals {
                let seen = interrupt.clone();
                let _ = std::thread::Builder::new()
                    .name("sonde-signals".into())
                    .spawn(move || {
                        for signal in signals.forever() {
                            if seen.flag.load(Ordering::SeqCst) {
                                seen.again.store(true, Ordering::SeqCst);
                            } else {
                                // The signal first: whoever sees the flag finds its status.
                                seen.signal.store(signal as usize, Ordering::SeqCst);
                                seen.flag.store(true, Ordering::SeqCst);
                            }
                        }
                    });
            }
        }
        interrupt
    }

    /// A second signal came: the run stops waiting for the files still running.
    pub(crate) fn again(&self) -> bool {
        self.again.load(Ordering::Relaxed)
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
