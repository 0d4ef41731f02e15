//! Progress of long commands on stderr: a bar (through indicatif, with the `cli` feature), or nothing
//! in a build without it. Progress never changes a result.

/// A count of done units out of a total.
pub struct Progress {
    #[cfg(feature = "cli")]
    bar: indicatif::ProgressBar,
}

impl Progress {
    /// Progress over `total` units (e.g. "runs"), labelled `message`; shown only when `show`.
    pub fn new(total: u64, unit: &str, message: &str, show: bool) -> Self {
        #[cfg(feature = "cli")]
        {
            use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
            let bar = if show {
                ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
            } else {
                ProgressBar::hidden()
            };
            let template =
                format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{per_sec}}, ETA {{eta}}");
            bar.set_style(
                ProgressStyle::with_template(&template)
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(message.to_string());
            Progress { bar }
        }
        #[cfg(not(feature = "cli"))]
        {
            let _ = (total, unit, message, show);
            Progress {}
        }
    }

    /// `n` more units are done.
    pub fn inc(&self, n: u64) {
        #[cfg(feature = "cli")]
        self.bar.inc(n);
        #[cfg(not(feature = "cli"))]
        let _ = n;
    }

    pub fn set_message(&self, message: &str) {
        #[cfg(feature = "cli")]
        self.bar.set_message(message.to_string());
        #[cfg(not(feature = "cli"))]
        let _ = message;
    }

    /// Remove the bar.
    pub fn finish(&self) {
        #[cfg(feature = "cli")]
        self.bar.finish_and_clear();
    }
}
