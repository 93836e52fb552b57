//! The terminal: one line per file as files finish, a progress bar while the run goes on,
//! every failure with its diff after the run, and the summary as the very last line.

use std::io::Write;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::events::{Event, FileReport, StepReport, StepStatus, Summary};

pub(crate) struct Console {
    color: bool,
    verbose: bool,
    progress: Option<ProgressBar>,
    /// Failed files, kept to print their failures after the run, in input order.
    failed: Vec<FileReport>,
    failures_so_far: usize,
    steps_so_far: usize,
    /// The file started last, shown on the progress bar.
    running: String,
}

impl Console {
    pub(crate) fn new(color: bool, verbose: bool, progress: bool) -> Console {
        Console {
            color,
            verbose,
            progress: progress.then(|| {
                let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{bar:30}] {pos}/{len} files {msg} {elapsed}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            }),
            failed: Vec::new(),
            failures_so_far: 0,
            steps_so_far: 0,
            running: String::new(),
        }
    }
}

impl super::Reporter for Console {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted { files } => {
                if let Some(bar) = &self.progress {
                    bar.set_length(*files as u64);
                }
            }
            Event::FileStarted { path, .. } => self.file_started(path),
            Event::StepFinished { step, .. } => self.step_finished(step),
            Event::FileFinished(report) => self.file_finished(report),
            Event::RunFinished(summary) => self.run_finished(summary),
        }
    }
}

impl Console {
    /// The progress bar names the file started last.
    fn file_started(&mut self, path: &std::path::Path) {
        if let Some(bar) = &self.progress {
            self.running = path.display().to_string();
            bar.set_message(self.progress_message());
        }
    }

    /// The progress bar counts steps as they finish, and failures as they happen.
    fn step_finished(&mut self, step: &StepReport) {
        if let Some(bar) = &self.progress {
            self.steps_so_far += 1;
            self.failures_so_far += usize::from(step.outcome == StepStatus::Failed);
            bar.set_message(self.progress_message());
        }
    }

    fn progress_message(&self) -> String {
        let failed = if self.failures_so_far > 0 {
            format!(", {} failed", self.failures_so_far)
        } else {
            String::new()
        };
        format!("· {} steps{failed} · {}", self.steps_so_far, self.running)
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    /// Prints a block whole, above the progress bar.
    fn print(&self, block: &str) {
        let write = || {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(block.as_bytes());
            let _ = out.flush();
        };
        match &self.progress {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn file_finished(&mut self, report: &FileReport) {
        let (mark, style) = if report.interrupted {
            ("!", Style::new().fg_color(Some(AnsiColor::Yellow.into())))
        } else if report.flaky {
            ("✓", Style::new().fg_color(Some(AnsiColor::Yellow.into())))
        } else if report.passed() {
            ("✓", Style::new().fg_color(Some(AnsiColor::Green.into())))
        } else {
            (
                "✗",
                Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            )
        };
        let mut block = format!(
            "{} {} {}\n",
            self.paint(style, mark),
            report.name,
            self.paint(Style::new().dimmed(), &file_counts(report)),
        );
        let warn = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
        for warning in report
            .warnings
            .iter()
            .chain(report.steps.iter().flat_map(|s| &s.warnings))
        {
            block.push_str(&format!("  {} {warning}\n", self.paint(warn, "warning:")));
        }
        if self.verbose {
            for step in &report.steps {
                block.push_str(&format!("    {} {}\n", step_mark(step.outcome), step.name));
                if let Some(exchange) = &step.exchange {
                    for line in super::exchange_text(exchange).lines() {
                        let line = sonde_core::printable::printable(line);
                        block.push_str(&format!("      {line}\n"));
                    }
                }
            }
        }
        self.print(&block);
        if let Some(bar) = &self.progress {
            bar.inc(1);
        }
        if !report.passed() {
            if let Some(bar) = &self.progress {
                self.failures_so_far += usize::from(report.error.is_some());
                bar.set_message(self.progress_message());
            }
            self.failed.push(report.clone());
        }
    }

    fn run_finished(&mut self, summary: &Summary) {
        if let Some(bar) = self.progress.take() {
            bar.finish_and_clear();
        }
        self.failed.sort_by_key(|f| f.index);
        let mut block = String::new();
        for file in &self.failed {
            block.push_str(&self.failure_block(file));
        }
        let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
        let green = Style::new().fg_color(Some(AnsiColor::Green.into())).bold();
        let files_line = format!(
            "files: {} passed, {}{} failed; {}",
            summary.files_passed,
            flaky_count(summary.files_flaky),
            summary.files_failed,
            sonde_core::duration::display(summary.wall_time)
        );
        block.push_str(&format!("\n{files_line}\n"));
        // CI parsers read `N passed, N failed, N skipped`: flaky steps are said between, and
        // only when there are some.
        let last = format!(
            "{} passed, {}{} failed, {} skipped",
            summary.steps_passed,
            flaky_count(summary.steps_flaky),
            summary.steps_failed,
            summary.steps_skipped
        );
        let style = if summary.failed() { red } else { green };
        block.push_str(&format!("{}\n", self.paint(style, &last)));
        self.print(&block);
    }

    fn failure_block(&self, file: &FileReport) -> String {
        let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
        let mut out = String::new();
        if let Some(error) = &file.error {
            out.push_str(&format!(
                "\n{} {}\n{error}",
                self.paint(red, "✗"),
                file.path.display()
            ));
            return out;
        }
        for step in file
            .steps
            .iter()
            .filter(|s| s.outcome == StepStatus::Failed)
        {
            out.push_str(&self.step_failure(file, step));
        }
        out
    }

    fn step_failure(&self, file: &FileReport, step: &StepReport) -> String {
        let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
        let bold = Style::new().bold();
        let path = file.path.display();
        let mut out = format!(
            "\n{} {} › {} ({path}:{})\n",
            self.paint(red, "✗"),
            self.paint(bold, &file.name),
            self.paint(bold, &step.name),
            step.line
        );
        if step.tries > 1 {
            out.push_str(&format!("  after {} tries\n", step.tries));
        }
        for error in &step.errors {
            out.push_str(&format!("  {}\n", self.paint(red, error)));
        }
        for a in step.assertions.iter().filter(|a| a.failed()) {
            let (expected, actual) = a.in_words();
            out.push_str(&format!(
                "  {} ({path}:{})\n    expected: {expected}\n    actual:   {actual}\n",
                self.paint(bold, &a.assertion),
                a.line,
            ));
            let colored = a.words.as_ref().and_then(|w| w.diff_colored.clone());
            let diff = match colored {
                Some(colored) if self.color => Some(colored),
                _ => a.diff_text(super::DIFF_INDENT),
            };
            if let Some(diff) = diff {
                out.push_str(&diff);
            }
        }
        out
    }
}

/// `N flaky, ` when there are flaky files or steps, else nothing.
fn flaky_count(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("{n} flaky, ")
    }
}

fn file_counts(report: &FileReport) -> String {
    if report.error.is_some() {
        return "(could not be loaded)".into();
    }
    if report.interrupted {
        let run = report
            .steps
            .iter()
            .filter(|s| s.skip_reason.as_deref() != Some(crate::engine::INTERRUPTED))
            .count();
        return format!(
            "(interrupted: {run} of {} steps run; {})",
            report.steps.len(),
            sonde_core::duration::display(report.time)
        );
    }
    if report.flaky {
        return format!(
            "(flaky: passed on attempt {}; {} steps; {})",
            report.attempts.len() + 1,
            report.steps.len(),
            sonde_core::duration::display(report.time)
        );
    }
    let passed = report.count(StepStatus::Passed);
    let failed = report.count(StepStatus::Failed);
    let skipped = report.count(StepStatus::Skipped);
    let mut parts = vec![format!("{passed}/{} steps", report.steps.len())];
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    format!(
        "({}; {})",
        parts.join(", "),
        sonde_core::duration::display(report.time)
    )
}

fn step_mark(outcome: StepStatus) -> &'static str {
    match outcome {
        StepStatus::Passed => "✓",
        StepStatus::Failed => "✗",
        StepStatus::Skipped => "-",
    }
}
