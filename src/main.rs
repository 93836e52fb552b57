use std::process::ExitCode;

use clap::Parser;

// glibc's malloc was a third of the instructions of a run (bench/RESULTS.md); mimalloc
// cuts the run's instructions by a fifth. Without transparent huge pages (`no_thp`), its
// peak RSS stays that of glibc; with them it doubled.
#[global_allocator]
static ALLOCATOR: sonde::allocator::Allocator = sonde::allocator::Allocator;

/// Parsers of nested documents and expressions recurse: the main work gets a roomy stack.
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    quiet_panics();
    let cli = sonde::cli::Cli::parse();
    let worker = std::thread::Builder::new()
        .name("sonde".into())
        .stack_size(STACK_SIZE)
        .spawn(move || sonde::cli::main(cli));
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(outcome)) => outcome.into(),
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            ExitCode::from(2)
        }
    }
}

/// A bug should read as one plain line, not a Rust panic with a backtrace hint. A panic in
/// a file's run is caught and becomes that file's error report, so it prints nothing here.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let on_worker = std::thread::current()
            .name()
            .is_some_and(|name| name.starts_with("sonde-worker-"));
        if on_worker || sonde_core::panics::is_quiet() {
            return;
        }
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(std::string::ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        // `sonde curl … | head`: the reader closed standard output. That ends the command
        // quietly (exit 0), as a closed pipe ends ripgrep or cat, not as an internal error.
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: sonde hit an internal error (a bug: please report it): {message}{place}");
    }));
}
