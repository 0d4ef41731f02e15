//! Error types and the exit codes users' scripts rely on: 0 success, 2 bad input, 1 anything
//! else. Library functions return [`Error`]; the binary maps it to a short message and an exit code.

use std::path::PathBuf;

/// Exit status for success.
pub const EXIT_OK: i32 = 0;
/// Exit status for anything but bad input (I/O failure, internal invariant broken).
pub const EXIT_FAILURE: i32 = 1;
/// Exit status for bad input: usage, scenario or data.
pub const EXIT_BAD_INPUT: i32 = 2;

/// A problem with what the user gave us, located as precisely as we can.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InputError {
    #[error("{file}: cannot read the file: {reason}")]
    Read { file: String, reason: String },
    #[error("{file}: {}", windowed(message))]
    Syntax { file: String, message: String },
    #[error("{file}: unknown key `{key}`{hint}")]
    UnknownKey {
        file: String,
        key: String,
        hint: String,
    },
    #[error(
        "{file}: key `{key}` = {} has the wrong type: expected {expected}",
        shown(value)
    )]
    WrongType {
        file: String,
        key: String,
        value: String,
        expected: String,
    },
    #[error("{file}: key `{key}` = {} is not allowed: {allowed}", shown(value))]
    OutOfRange {
        file: String,
        key: String,
        value: String,
        allowed: String,
    },
    #[error("{file}: `extends = \"{}\"`: {reason}", shown(parent))]
    Extends {
        file: String,
        parent: String,
        reason: String,
    },
    #[error("--set {}: {reason}", shown(arg))]
    BadSet { arg: String, reason: String },
    /// A table cogov reads back (to redraw, merge or resume) is not as cogov writes it.
    #[error("{file} line {line}: {reason}")]
    Data {
        file: String,
        line: u64,
        reason: String,
    },
    #[error("{0}")]
    Usage(String),
}

/// Longest value an error quotes whole; a longer one is cut with its length said.
const SHOWN_CHARS: usize = 160;

/// A parser's message with its quoted source line cut to [`SHOWN_CHARS`] characters around the
/// caret, so a line of a megabyte is not printed whole. A source line is `N | text`, its caret line
/// `  | ` followed by spaces and `^`.
fn windowed(message: &str) -> String {
    let lines: Vec<&str> = message.lines().collect();
    let Some(caret) = lines
        .iter()
        .position(|l| l.trim_start().starts_with('|') && l.contains('^'))
    else {
        return message.to_string();
    };
    let Some(source) = caret.checked_sub(1).filter(|&i| lines[i].contains(" | ")) else {
        return message.to_string();
    };
    let (head, text) = lines[source].split_at(lines[source].find(" | ").unwrap_or(0) + 3);
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= SHOWN_CHARS {
        return message.to_string();
    }
    let gutter = head.chars().count();
    let at = lines[caret]
        .chars()
        .position(|c| c == '^')
        .unwrap_or(gutter);
    let column = at.saturating_sub(gutter);
    let start = column
        .saturating_sub(SHOWN_CHARS / 2)
        .min(chars.len() - SHOWN_CHARS);
    let window: String = chars[start..start + SHOWN_CHARS].iter().collect();
    let lead = if start > 0 { "…" } else { "" };
    let pad = " ".repeat(column - start + lead.chars().count());
    let bar: String = lines[caret].chars().take(gutter).collect();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[source] = format!("{head}{lead}{window}… ({} characters in all)", chars.len());
    out[caret] = format!("{bar}{pad}^");
    out.join("\n")
}

/// A value as an error quotes it: whole if short, else its start and how long it is.
fn shown(value: &str) -> String {
    match value.char_indices().nth(SHOWN_CHARS) {
        None => value.to_string(),
        Some((cut, _)) => format!(
            "{}… ({} characters in all)",
            &value[..cut],
            value.chars().count()
        ),
    }
}

/// Why an output directory cannot be written. All are bad input (exit 2).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OutputError {
    #[error("output directory {0} already exists; pass --force to replace it")]
    Exists(PathBuf),
    #[error(
        "{0} is not an output directory of cogov (it holds no manifest.json that cogov wrote); cogov replaces only its own \
         outputs: choose another --out, or empty it yourself"
    )]
    Foreign(PathBuf),
    #[error(
        "another cogov command is writing {target} (it holds the lock {lock}); wait for it to finish"
    )]
    Busy { target: PathBuf, lock: PathBuf },
    #[error(
        "an interrupted sweep into {target} is in {checkpoint}: continue it with --resume, or discard \
         it with --force"
    )]
    Interrupted {
        target: PathBuf,
        checkpoint: PathBuf,
    },
    #[error("--out {path}: {reason}")]
    BadPath { path: PathBuf, reason: String },
    #[error("the lock file {path} {reason}")]
    LockFile { path: PathBuf, reason: String },
    #[error("{0} holds no outputs of cogov")]
    NotOutput(PathBuf),
    #[error(
        "{target} holds files cogov did not write ({}): replacing it would delete them; move them out \
         first",
        files.join(", ")
    )]
    Unlisted { target: PathBuf, files: Vec<String> },
}

/// Every error a library call can return.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A world broke an invariant (mass, money, a finite state); the message locates it.
    #[error("invariant broken: {0}")]
    Invariant(String),
    #[error("cannot start threads: {0}")]
    Threads(String),
    /// The caller asked the run to stop (an interrupt from a notebook or a terminal).
    #[error("the run was stopped before it finished")]
    Stopped,
    #[error("drawing a figure failed: {0}")]
    Draw(String),
    /// A check of `cogov validate` did not pass (its table says which).
    #[error("a validation check failed")]
    ValidationFailed,
    /// The closed form of a validation anchor does not apply to its scenario.
    #[error("{0}")]
    Anchor(String),
    /// A command needs a feature this binary was built without.
    #[error(
        "this cogov was built without the `{feature}` feature, which {what} needs; rebuild with `cargo build --release` (default features)"
    )]
    Feature {
        feature: &'static str,
        what: &'static str,
    },
}

impl Error {
    /// The process exit status this error maps to.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::Output(_) | Error::Feature { .. } => EXIT_BAD_INPUT,
            _ => EXIT_FAILURE,
        }
    }

    /// An I/O error on `path`, as messages name it.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
