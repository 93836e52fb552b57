//! Exit statuses, decided in one place.

use std::process::ExitCode;

/// How a command ended; each maps to one documented exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: every step passed (or every file is valid).
    Success,
    /// 1: a step failed.
    Failure,
    /// 2: invalid input or usage.
    Invalid,
    /// 4: no step was selected to run (`--no-tests fail`, the default).
    NoTests,
    /// 128 + the signal: the run was interrupted (130 for Ctrl-C, 143 for SIGTERM).
    Interrupted(u8),
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Invalid => 2,
            Exit::NoTests => 4,
            Exit::Interrupted(status) => status,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(outcome: Exit) -> ExitCode {
        ExitCode::from(outcome.code())
    }
}
