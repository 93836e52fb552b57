//! Runs files in parallel on a pool of `jobs` workers; steps within a file run in order.
//! Workers send events over a channel to the one thread that owns the terminal and the
//! reports, so each file's block is printed whole and reports keep the input order.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::events::{Event, FileReport, Summary};
use super::interrupt::Interrupt;

/// The default number of parallel files: the work waits on the network, not the CPU.
pub fn default_jobs() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores * 4).clamp(8, 64)
}

/// After an interruption, how long files still running may take to finish their request.
pub const GRACE: Duration = Duration::from_secs(5);

pub struct Options {
    pub jobs: usize,
    /// Stop starting new files after the first failure; running ones finish.
    pub fail_fast: bool,
}

/// Runs every file with `run_file` and hands every event to `on_event`, on this thread.
/// `run_file` returns `None` for a file the selection leaves out entirely. On an
/// interruption no new file starts, and files still running get [`GRACE`] to finish; those
/// that do not are left behind (the process is about to exit).
pub fn execute<F>(
    files: Vec<PathBuf>,
    options: &Options,
    run_file: Arc<F>,
    interrupt: &Interrupt,
    mut on_event: impl FnMut(Event),
) -> Summary
where
    F: Fn(usize, &Path, &dyn Fn(Event)) -> Option<FileReport> + Send + Sync + 'static,
{
    let started = Instant::now();
    on_event(Event::RunStarted { files: files.len() });
    let stop = Arc::new(AtomicBool::new(false));
    let (sender, receiver) = mpsc::channel::<Event>();
    let jobs = options.jobs.max(1);
    let fail_fast = options.fail_fast;
    let workers_stop = Arc::clone(&stop);
    let interrupted = interrupt.flag();
    std::thread::spawn(move || {
        let work = || {
            // FIFO, so files start in input order (with --jobs 1, they run in it).
            rayon::scope_fifo(|s| {
                for (index, path) in files.iter().enumerate() {
                    let (sender, stop, run_file, interrupted) =
                        (sender.clone(), &workers_stop, &run_file, &interrupted);
                    s.spawn_fifo(move |_| {
                        if stop.load(Ordering::Relaxed) || interrupted.load(Ordering::Relaxed) {
                            return;
                        }
                        let _ = sender.send(Event::FileStarted {
                            index,
                            path: path.clone(),
                        });
                        let emit = |event: Event| {
                            let _ = sender.send(event);
                        };
                        // A bug in one file's run must not take the others down with it.
                        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            run_file(index, path, &emit)
                        }));
                        let report = match outcome {
                            Ok(Some(report)) => report,
                            Ok(None) => return,
                            Err(panic) => super::convert::load_error_report(
                                index,
                                path,
                                format!(
                                    "sonde hit an internal error on this file (a bug: please report it): {}",
                                    panic_text(panic.as_ref())
                                ),
                            ),
                        };
                        if fail_fast && !report.passed() {
                            stop.store(true, Ordering::Relaxed);
                        }
                        let _ = sender.send(Event::FileFinished(Box::new(report)));
                    });
                }
            });
        };
        match rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .thread_name(|i| format!("sonde-worker-{i}"))
            // Files are parsed on the workers, recursively: deep documents need room.
            .stack_size(64 * 1024 * 1024)
            .build()
        {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        }
    });
    let mut summary = Summary::default();
    let mut interrupted_at: Option<Instant> = None;
    loop {
        match receiver.recv_timeout(Duration::from_millis(50)) {
            Ok(event) => {
                if let Event::FileFinished(report) = &event {
                    summary.add(report);
                }
                on_event(event);
            }
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {}
        }
        if interrupt.is_set() {
            let since = *interrupted_at.get_or_insert_with(Instant::now);
            if since.elapsed() > GRACE {
                break;
            }
        }
    }
    summary.wall_time = started.elapsed();
    on_event(Event::RunFinished(summary));
    summary
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::events::{Outcome, StepReport};
    use std::time::Duration;

    fn report(index: usize, path: &Path, outcome: Outcome) -> FileReport {
        FileReport {
            index,
            path: path.to_path_buf(),
            name: path.display().to_string(),
            error: None,
            warnings: vec![],
            time: Duration::ZERO,
            steps: vec![StepReport {
                name: "s".into(),
                line: 1,
                outcome,
                skip_reason: None,
                time: Duration::ZERO,
                tries: 1,
                errors: vec![],
                assertions: vec![],
                warnings: vec![],
                exchange: None,
            }],
        }
    }

    #[test]
    fn every_file_reports_once_whatever_the_order_of_finishing() {
        let files: Vec<PathBuf> = (0..50).map(|i| PathBuf::from(format!("f{i}"))).collect();
        let mut finished = Vec::new();
        let summary = execute(
            files,
            &Options {
                jobs: 8,
                fail_fast: false,
            },
            Arc::new(|i: usize, p: &Path, _: &dyn Fn(Event)| {
                std::thread::sleep(Duration::from_millis((50 - i as u64) % 7));
                Some(report(
                    i,
                    p,
                    if i.is_multiple_of(10) {
                        Outcome::Failed
                    } else {
                        Outcome::Passed
                    },
                ))
            }),
            &Interrupt::default(),
            |e| {
                if let Event::FileFinished(r) = e {
                    finished.push(r.index);
                }
            },
        );
        finished.sort();
        assert_eq!(finished, (0..50).collect::<Vec<_>>());
        assert_eq!((summary.files_failed, summary.steps_passed), (5, 45));
    }

    #[test]
    fn fail_fast_stops_starting_files() {
        let files: Vec<PathBuf> = (0..200).map(|i| PathBuf::from(format!("f{i}"))).collect();
        let summary = execute(
            files,
            &Options {
                jobs: 1,
                fail_fast: true,
            },
            Arc::new(|i: usize, p: &Path, _: &dyn Fn(Event)| Some(report(i, p, Outcome::Failed))),
            &Interrupt::default(),
            |_| {},
        );
        assert!(summary.files_failed < 200);
    }
}
