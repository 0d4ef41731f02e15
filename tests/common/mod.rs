//! Helpers shared by the end-to-end tests: run the binary like a user, in a scratch directory.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output};

/// The `cogov` binary, run from the repository root.
pub fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cogov"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Run `cogov ARGS` and collect its output.
pub fn cogov(args: &[&str]) -> Output {
    command().args(args).output().expect("the binary runs")
}

/// A fresh, empty directory for one test (`create`: made; otherwise only cleared).
pub fn scratch(suite: &str, name: &str, create: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cogov-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if create {
        std::fs::create_dir_all(&dir).unwrap();
    }
    dir
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
