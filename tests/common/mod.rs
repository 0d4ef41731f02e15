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

/// A two-region basin with few agents: any command on it takes a fraction of a second.
pub const TINY_BASIN: [&str; 6] = [
    "--set",
    "world.regions=2",
    "--set",
    "enterprises.per_region=50",
    "--set",
    "public.per_region=200",
];

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

/// Every file under `dir`, by '/'-separated path relative to it, sorted.
pub fn files_under(dir: &std::path::Path) -> Vec<String> {
    fn walk(dir: &std::path::Path, prefix: &str, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.sort();
    out
}

/// The manifest of output directory `dir`: its `outputs` name every other file under `dir` with its
/// SHA-256, and every subdirectory that has a manifest of its own passes the same check. Returns the
/// manifest.
pub fn assert_manifest_matches(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .unwrap_or_else(|e| panic!("{}: no manifest ({e})", dir.display()));
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let outputs = manifest["outputs"].as_object().expect("outputs");
    let mut listed: Vec<String> = outputs.keys().cloned().collect();
    listed.sort();
    let present: Vec<String> = files_under(dir)
        .into_iter()
        .filter(|f| f != "manifest.json")
        .collect();
    assert_eq!(
        listed,
        present,
        "{}: manifest lists other files",
        dir.display()
    );
    for (name, hash) in outputs {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(
            hash.as_str().unwrap(),
            cogov::output::sha256_hex(&bytes),
            "{}: stale hash of {name}",
            dir.display()
        );
        if let Some(sub) = name.strip_suffix("/manifest.json") {
            assert_manifest_matches(&dir.join(sub));
        }
    }
    manifest
}
