//! Exit statuses, decided in one place.

use std::process::ExitCode;

/// How a command ended; each maps to one documented exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: every step passed (or every file is valid).
    Success,
    /// 1: a step failed.
    Failure,
    /// 2: invalid input or usage.
    Invalid,
    /// 128 + the signal: the run was interrupted (130 for Ctrl-C, 143 for SIGTERM).
    Interrupted(u8),
}

impl Outcome {
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failure => 1,
            Outcome::Invalid => 2,
            Outcome::Interrupted(status) => status,
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(outcome.code())
    }
}

/// Says why a command could not do its work, and gives the status for invalid input.
pub fn invalid(error: &dyn std::fmt::Display) -> Outcome {
    eprintln!("error: {error}");
    Outcome::Invalid
}
