//! Runs files in parallel, `jobs` at a time; steps within a file run in order.
//!
//! The work waits on the network far more than on the CPU, so files are not given a thread
//! each: one worker thread per core runs its share of the `jobs` files at once, as tasks on
//! its own single-threaded tokio runtime (the one `crate::transport` sends on). A worker blocks
//! only when none of its files has anything to do, and its files share its connections.
//! Files are taken from one queue in input order, so with `--jobs 1` they run in it.
//!
//! Workers send events over a channel to the one thread that owns the terminal and the
//! reports, so each file's block is printed whole and reports keep the input order.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender, TryRecvError};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;

use super::interrupt::Interrupt;
use crate::events::{Event, FileReport, StepReport, Summary};

/// The default number of files run at once: the work waits on the network, not the CPU.
pub(crate) fn default_jobs() -> usize {
    (cores() * 4).clamp(8, 64)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

/// After an interruption, how long files still running may take to finish their request.
pub(super) const GRACE: Duration = Duration::from_secs(5);

/// How often the terminal's thread collects events when there were none.
const EVENT_POLL: Duration = Duration::from_millis(5);

/// Files are loaded on the workers, recursively: deep documents need room.
const WORKER_STACK: usize = 64 * 1024 * 1024;

pub(super) struct Options {
    pub jobs: usize,
    /// Stop starting new files after the first failure; running ones finish.
    pub fail_fast: bool,
}

/// What the workers share.
struct Queue<F> {
    files: Vec<PathBuf>,
    /// The index of the next file to start.
    next: AtomicUsize,
    run_file: Arc<F>,
    /// Set by `--fail-fast` after a failure.
    stop: AtomicBool,
    interrupted: Arc<AtomicBool>,
    fail_fast: bool,
}

/// Runs every file with `run_file` and hands every event to `on_event`, on this thread.
/// `run_file` returns `None` for a file the selection leaves out entirely. On an
/// interruption no new file starts, and files still running get [`GRACE`] to finish; those
/// that do not are left behind (the process is about to exit).
pub(super) fn execute<F, Fut>(
    files: Vec<PathBuf>,
    options: &Options,
    run_file: Arc<F>,
    interrupt: &Interrupt,
    mut on_event: impl FnMut(&Event),
) -> Summary
where
    F: Fn(usize, PathBuf) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<FileReport>>,
{
    let started = Instant::now();
    on_event(&Event::RunStarted { files: files.len() });
    let (sender, receiver) = mpsc::channel::<Event>();
    let jobs = options.jobs.max(1);
    let workers = cores().min(jobs);
    let queue = Arc::new(Queue {
        files,
        next: AtomicUsize::new(0),
        run_file,
        stop: AtomicBool::new(false),
        interrupted: interrupt.flag(),
        fail_fast: options.fail_fast,
    });
    let mut started_workers = 0;
    for worker in 0..workers {
        // The jobs are shared out evenly: 8 on 3 workers is 3, 3 and 2.
        let slots = jobs / workers + usize::from(worker < jobs % workers);
        let (queue, sender) = (Arc::clone(&queue), sender.clone());
        let collector = std::thread::current();
        let spawned = std::thread::Builder::new()
            .name(format!("sonde-worker-{worker}"))
            .stack_size(WORKER_STACK)
            .spawn(move || {
                run_worker(&queue, slots, &sender);
                drop(sender);
                // The last events are collected now, not at the next poll.
                collector.unpark();
            });
        started_workers += usize::from(spawned.is_ok());
    }
    if started_workers == 0 {
        // No thread could be started: every file says so, rather than vanish.
        report_unrun(&queue, &sender, "sonde could not start a worker thread");
    }
    drop(sender);
    let mut summary = Summary::default();
    let mut steps = StepsByFile::default();
    let mut interrupted_at: Option<Instant> = None;
    loop {
        // Events are collected every few milliseconds rather than waited for: a worker
        // sending to a waiting receiver must wake it (a system call and a context switch
        // per event); sending to one that is not waiting costs nothing.
        match receiver.try_recv() {
            Ok(Event::FileFinished(mut report)) => {
                report.steps = steps.take(report.index);
                summary.add(&report);
                on_event(&Event::FileFinished(report));
            }
            Ok(event) => {
                on_event(&event);
                if let Event::StepFinished { file, step } = event {
                    steps.keep(file, *step);
                }
            }
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => std::thread::park_timeout(EVENT_POLL),
        }
        if interrupt.is_set() {
            let since = *interrupted_at.get_or_insert_with(Instant::now);
            if since.elapsed() > GRACE || interrupt.again() {
                break;
            }
        }
    }
    summary.wall_time = started.elapsed();
    on_event(&Event::RunFinished(summary));
    summary
}

/// The steps of the files still running. A worker sends a file's steps one by one, then the
/// file without them (moved, not copied); they are put back here, so every reporter sees a
/// `FileFinished` with all its steps.
#[derive(Default)]
struct StepsByFile(HashMap<usize, Vec<StepReport>>);

impl StepsByFile {
    fn keep(&mut self, file: usize, step: StepReport) {
        self.0.entry(file).or_default().push(step);
    }

    fn take(&mut self, file: usize) -> Vec<StepReport> {
        self.0.remove(&file).unwrap_or_default()
    }
}

/// One worker thread: `slots` files at a time on this thread's runtime.
fn run_worker<F, Fut>(queue: &Queue<F>, slots: usize, sender: &Sender<Event>)
where
    F: Fn(usize, PathBuf) -> Fut,
    Fut: Future<Output = Option<FileReport>>,
{
    let all = futures_util::future::join_all((0..slots).map(|_| run_slot(queue, sender)));
    if let Err(error) = crate::transport::block_on(all) {
        report_unrun(queue, sender, &format!("sonde could not start: {error}"));
    }
}

/// Runs files one after the other until the queue is empty or the run stops.
async fn run_slot<F, Fut>(queue: &Queue<F>, sender: &Sender<Event>)
where
    F: Fn(usize, PathBuf) -> Fut,
    Fut: Future<Output = Option<FileReport>>,
{
    while let Some((index, path)) = queue.take() {
        let _ = sender.send(Event::FileStarted {
            index,
            path: path.clone(),
        });
        let run = async { (queue.run_file)(index, path.clone()).await };
        // A bug in one file's run must not take the others down with it.
        let report = match std::panic::AssertUnwindSafe(run).catch_unwind().await {
            Ok(Some(report)) => report,
            Ok(None) => continue,
            Err(panic) => super::convert::load_error_report(
                index,
                &path,
                format!(
                    "sonde hit an internal error on this file (a bug: please report it): {}",
                    panic_text(panic.as_ref())
                ),
            ),
        };
        if queue.fail_fast && !report.passed() {
            queue.stop.store(true, Ordering::Relaxed);
        }
        send_file(sender, report);
    }
}

/// A file's steps as events of their own, then the file.
fn send_file(sender: &Sender<Event>, mut report: FileReport) {
    for step in report.steps.drain(..) {
        let _ = sender.send(Event::StepFinished {
            file: report.index,
            step: Box::new(step),
        });
    }
    let _ = sender.send(Event::FileFinished(Box::new(report)));
}

impl<F> Queue<F> {
    /// The next file to start, unless the run is stopping.
    fn take(&self) -> Option<(usize, PathBuf)> {
        if self.stop.load(Ordering::Relaxed) || self.interrupted.load(Ordering::Relaxed) {
            return None;
        }
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        self.files.get(index).map(|path| (index, path.clone()))
    }
}

/// Reports every file not yet taken as one that could not run.
fn report_unrun<F>(queue: &Queue<F>, sender: &Sender<Event>, why: &str) {
    while let Some((index, path)) = queue.take() {
        let report = super::convert::load_error_report(index, &path, why.to_string());
        send_file(sender, report);
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(std::string::ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{StepReport, StepStatus};
    use std::path::Path;
    use std::time::Duration;

    fn report(index: usize, path: &Path, outcome: StepStatus) -> FileReport {
        FileReport {
            index,
            path: path.to_path_buf(),
            name: path.display().to_string(),
            error: None,
            diagnostics: vec![],
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
                flaky: false,
            }],
            flaky: false,
            interrupted: false,
            attempts: vec![],
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
            Arc::new(|i: usize, p: PathBuf| async move {
                tokio::time::sleep(Duration::from_millis((50 - i as u64) % 7)).await;
                Some(report(
                    i,
                    &p,
                    if i.is_multiple_of(10) {
                        StepStatus::Failed
                    } else {
                        StepStatus::Passed
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
        finished.sort_unstable();
        assert_eq!(finished, (0..50).collect::<Vec<_>>());
        assert_eq!((summary.files_failed, summary.steps_passed), (5, 45));
    }

    #[test]
    fn a_file_that_panics_is_reported_and_its_neighbours_still_run() {
        let files: Vec<PathBuf> = (0..20).map(|i| PathBuf::from(format!("f{i}"))).collect();
        let mut errors = Vec::new();
        let mut finished = 0;
        execute(
            files,
            &Options {
                jobs: 4,
                fail_fast: false,
            },
            Arc::new(|i: usize, p: PathBuf| async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                assert!(i != 7, "boom");
                Some(report(i, &p, StepStatus::Passed))
            }),
            &Interrupt::default(),
            |e| {
                if let Event::FileFinished(r) = e {
                    finished += 1;
                    errors.extend(r.error.clone());
                }
            },
        );
        assert_eq!(finished, 20);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("internal error") && errors[0].contains("boom"));
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
            Arc::new(|i: usize, p: PathBuf| async move { Some(report(i, &p, StepStatus::Failed)) }),
            &Interrupt::default(),
            |_| {},
        );
        assert!(summary.files_failed < 200);
    }
}
