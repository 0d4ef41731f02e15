//! The manifest reports the build: the commit a binary was compiled from and whether its sources
//! differed from it, fresh after an incremental rebuild, and known to a copy of the binary run where
//! there is no git at all.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(repo: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=cogov test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .current_dir(repo)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Build the scratch checkout's binary into `target` (incrementally after the first time).
fn build(repo: &Path, target: &Path) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // The variables `cargo test` sets for this process would make the inner build look different to
    // Cargo every time; it gets a plain environment.
    let mut c = Command::new(cargo);
    c.env_clear();
    for keep in [
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "TMPDIR",
    ] {
        if let Some(v) = std::env::var_os(keep) {
            c.env(keep, v);
        }
    }
    let o = c
        .args([
            "build",
            "--quiet",
            "--offline",
            "--locked",
            "--bin",
            "cogov",
        ])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(repo)
        .output()
        .expect("cargo runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    target.join("debug").join("cogov")
}

/// Run a one-month, one-agent scenario with `bin` from `cwd` and `path`, and return its manifest.
fn manifest(bin: &Path, repo: &Path, cwd: &Path, path: &str) -> serde_json::Value {
    let out = cwd.join("run-out");
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new(bin)
        .arg("run")
        .arg(repo.join("scenarios/fragmented.toml"))
        .arg("--out")
        .arg(&out)
        .args(["--steps", "1", "--replicates", "1", "--quiet"])
        .args([
            "--set",
            "world.regions=1",
            "--set",
            "enterprises.per_region=1",
        ])
        .args(["--set", "public.per_region=1"])
        .env("PATH", path)
        .current_dir(cwd)
        .output()
        .expect("the binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn the_manifest_reports_the_commit_and_dirty_flag_of_the_build_even_without_git() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Ok(listed) = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
    else {
        eprintln!("warning: no git here; the build-commit test is skipped");
        return;
    };
    if !listed.status.success() {
        eprintln!("warning: not a git checkout; the build-commit test is skipped");
        return;
    }
    // A scratch checkout holding the files of this checkout as they are now (untracked ones too).
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-info");
    let (repo, target) = (scratch.join("repo"), scratch.join("target"));
    let _ = std::fs::remove_dir_all(&repo);
    for name in listed.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let (from, to) = (root.join(&name), repo.join(&name));
        if from.is_file() {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
    git(&repo, &["init", "--quiet"]);
    git(&repo, &["add", "--all"]);
    git(&repo, &["commit", "--quiet", "-m", "first"]);
    let first = git(&repo, &["rev-parse", "HEAD"]);
    let path = std::env::var("PATH").unwrap_or_default();

    let bin = build(&repo, &target);
    let m = manifest(&bin, &repo, &scratch, &path);
    assert_eq!(m["git_commit"], first.as_str());
    assert_eq!(m["git_dirty"], false);

    // An edit to a compiled source makes the rebuilt binary dirty.
    let lib = repo.join("src/lib.rs");
    let mut text = std::fs::read_to_string(&lib).unwrap();
    text.push_str("\n// An edit after the commit.\n");
    std::fs::write(&lib, &text).unwrap();
    let bin = build(&repo, &target);
    let m = manifest(&bin, &repo, &scratch, &path);
    assert_eq!(m["git_commit"], first.as_str());
    assert_eq!(m["git_dirty"], true);

    // Committing it: the next incremental build reports the new commit, clean.
    git(&repo, &["commit", "--quiet", "-am", "second"]);
    let second = git(&repo, &["rev-parse", "HEAD"]);
    assert_ne!(first, second);
    let bin = build(&repo, &target);
    let m = manifest(&bin, &repo, &scratch, &path);
    assert_eq!(m["git_commit"], second.as_str());
    assert_eq!(m["git_dirty"], false);

    // A copy of the binary, run outside any checkout with no git on the PATH, still knows.
    let elsewhere = scratch.join("no-git");
    let _ = std::fs::remove_dir_all(&elsewhere);
    std::fs::create_dir_all(&elsewhere).unwrap();
    let copy = elsewhere.join("cogov");
    std::fs::copy(&bin, &copy).unwrap();
    let m = manifest(&copy, &repo, &elsewhere, "/nonexistent");
    assert_eq!(m["git_commit"], second.as_str());
    assert_eq!(m["git_dirty"], false);
}
