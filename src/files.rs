//! Reading files that someone else may have put in place: only regular files, of bounded size. A
//! device, a pipe or a directory could block or never end; the open does not block, and the open
//! file itself is asked what it is, so nothing can be swapped in between.

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadFailure {
    Io(io::Error),
    NotRegular,
    /// Larger than this many bytes.
    TooLarge(u64),
}

impl std::fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadFailure::Io(e) => write!(f, "{e}"),
            ReadFailure::NotRegular => write!(f, "not a regular file"),
            ReadFailure::TooLarge(max) => write!(f, "larger than {}", size(*max)),
        }
    }
}

/// `bytes` for a message: MiB or GiB.
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

/// The text of the regular file `path`, if it holds at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<String, ReadFailure> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let handle = options.open(path).map_err(ReadFailure::Io)?;
    let meta = handle.metadata().map_err(ReadFailure::Io)?;
    if !meta.is_file() {
        return Err(ReadFailure::NotRegular);
    }
    if meta.len() > max {
        return Err(ReadFailure::TooLarge(max));
    }
    let mut text = String::new();
    handle
        .take(max.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(ReadFailure::Io)?;
    if text.len() as u64 > max {
        return Err(ReadFailure::TooLarge(max));
    }
    Ok(text)
}
