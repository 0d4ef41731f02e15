//! Embeds the commit this binary is built from, and whether the sources compiled into it differ from
//! that commit, so that every manifest records its build even where no git is installed.
//!
//! Sets `COGOV_GIT_COMMIT` (empty when unknown: no git, or not a checkout) and `COGOV_GIT_DIRTY`
//! (`true`, `false`, or empty when unknown). Cargo reruns this script when the checkout's HEAD, the
//! current branch, the index or any compiled source changes, so an incremental rebuild after a commit
//! or an edit reports the new state.

use std::path::PathBuf;
use std::process::Command;

/// What goes into the binary: a change here makes the build dirty.
const BUILD_INPUTS: [&str; 5] = ["src", "assets", "build.rs", "Cargo.toml", "Cargo.lock"];

fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("Cargo sets CARGO_MANIFEST_DIR"))
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(manifest_dir())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    for input in BUILD_INPUTS {
        println!("cargo:rerun-if-changed={input}");
    }
    let commit = git(&["rev-parse", "--verify", "HEAD"]).filter(|c| !c.is_empty());
    let dirty = commit.as_ref().and_then(|_| {
        let mut args = vec!["status", "--porcelain", "--untracked-files=all", "--"];
        args.extend(BUILD_INPUTS);
        git(&args).map(|s| !s.is_empty())
    });
    if commit.is_some() {
        watch_git_state();
    }
    println!(
        "cargo:rustc-env=COGOV_GIT_COMMIT={}",
        commit.unwrap_or_default()
    );
    println!(
        "cargo:rustc-env=COGOV_GIT_DIRTY={}",
        dirty.map_or(String::new(), |d| d.to_string())
    );
}

/// Rerun when HEAD moves: a commit, a checkout, a reset, or staging a file.
fn watch_git_state() {
    let dir = |flag: &str| git(&["rev-parse", flag]).map(PathBuf::from);
    let root = manifest_dir();
    let absolute = |p: PathBuf| if p.is_absolute() { p } else { root.join(p) };
    let (Some(git_dir), Some(common)) = (dir("--git-dir"), dir("--git-common-dir")) else {
        return;
    };
    let (git_dir, common) = (absolute(git_dir), absolute(common));
    let mut watched = vec![
        git_dir.join("HEAD"),
        git_dir.join("index"),
        common.join("packed-refs"),
    ];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(common.join(branch));
    }
    // A path that does not exist would make Cargo rerun the script on every build.
    for path in watched.into_iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
