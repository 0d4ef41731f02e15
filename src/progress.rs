//! Progress of long commands on stderr. On a terminal, a bar (indicatif, with the `cli` feature); in a
//! log (stderr not a terminal, e.g. a SLURM job), a plain line every few seconds with what is done,
//! the rate and the time left, so a batch log is never silent for minutes. Progress never changes a
//! result.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Seconds between two plain progress lines, unless `COGOV_PROGRESS_SECONDS` says otherwise.
pub const LINE_SECONDS: f64 = 5.0;

/// Plain lines for a log.
struct Lines {
    what: Mutex<String>,
    unit: String,
    total: u64,
    done: AtomicU64,
    started: Instant,
    every: Duration,
    last: Mutex<Instant>,
}

impl Lines {
    fn line(&self, done: u64) -> String {
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = done as f64 / seconds.max(1e-9);
        let left = if done > 0 {
            format!(
                "{:.0} s left",
                (self.total.saturating_sub(done)) as f64 / rate
            )
        } else {
            "time left unknown".into()
        };
        let percent = if self.total > 0 {
            100.0 * done as f64 / self.total as f64
        } else {
            100.0
        };
        format!(
            "{}: {done}/{} {} ({percent:.0}%), {rate:.1} {}/s, {left}",
            self.what.lock().map_or(String::new(), |w| w.clone()),
            self.total,
            self.unit,
            self.unit
        )
    }
}

/// A count of done units out of a total.
pub struct Progress {
    #[cfg(feature = "cli")]
    bar: Option<indicatif::ProgressBar>,
    lines: Option<Lines>,
}

fn line_interval() -> Duration {
    let seconds = std::env::var("COGOV_PROGRESS_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(LINE_SECONDS);
    Duration::from_secs_f64(seconds)
}

impl Progress {
    /// Progress over `total` units (e.g. "runs"), labelled `message`; shown only when `show`.
    pub fn new(total: u64, unit: &str, message: &str, show: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let lines = (show && !terminal).then(|| Lines {
            what: Mutex::new(message.to_string()),
            unit: unit.to_string(),
            total,
            done: AtomicU64::new(0),
            started: Instant::now(),
            every: line_interval(),
            last: Mutex::new(Instant::now()),
        });
        Progress {
            #[cfg(feature = "cli")]
            bar: (show && terminal).then(|| bar(total, unit, message)),
            lines,
        }
    }

    /// `n` more units are done.
    pub fn inc(&self, n: u64) {
        #[cfg(feature = "cli")]
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
        if let Some(lines) = &self.lines {
            let done = lines.done.fetch_add(n, Ordering::Relaxed) + n;
            // One thread prints; the others go on.
            if let Ok(mut last) = lines.last.try_lock()
                && last.elapsed() >= lines.every
            {
                *last = Instant::now();
                eprintln!("{}", lines.line(done));
            }
        }
    }

    pub fn set_message(&self, message: &str) {
        #[cfg(feature = "cli")]
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_string());
        }
        if let Some(lines) = &self.lines
            && let Ok(mut what) = lines.what.lock()
        {
            *what = message.to_string();
        }
    }

    /// A line of its own on stderr, above the bar if there is one; nothing when progress is not shown.
    pub fn println(&self, line: &str) {
        #[cfg(feature = "cli")]
        if let Some(bar) = &self.bar {
            bar.println(line);
        }
        if self.lines.is_some() {
            eprintln!("{line}");
        }
    }

    /// Remove the bar; a log gets its last line.
    pub fn finish(&self) {
        #[cfg(feature = "cli")]
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if let Some(lines) = &self.lines {
            eprintln!("{}", lines.line(lines.done.load(Ordering::Relaxed)));
        }
    }
}

#[cfg(feature = "cli")]
fn bar(total: u64, unit: &str, message: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{per_sec}}, ETA {{eta}}");
    bar.set_style(
        ProgressStyle::with_template(&template)
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}
