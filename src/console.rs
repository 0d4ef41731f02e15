//! Console output that survives a closed pipe. `println!` panics when stdout is gone
//! (`cogov validate | head`); these macros drop what cannot be printed and let the command finish its
//! work, so the output files are still written. Tables and messages only: data go to files.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static SILENT: AtomicBool = AtomicBool::new(false);

/// Silence every message of this process (a library embedding cogov, such as the Python package,
/// returns its results instead of printing them).
pub fn silence() {
    SILENT.store(true, Ordering::Relaxed);
}

/// Write to stdout, ignoring a closed or failing stdout.
pub fn print(args: std::fmt::Arguments) {
    if !SILENT.load(Ordering::Relaxed) {
        let _ = std::io::stdout().lock().write_fmt(args);
    }
}

/// `print!` that ignores a closed stdout.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { $crate::console::print(format_args!($($arg)*)) };
}

/// `println!` that ignores a closed stdout.
#[macro_export]
macro_rules! sayln {
    () => { $crate::console::print(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::console::print(format_args!("{}\n", format_args!($($arg)*))) };
}
