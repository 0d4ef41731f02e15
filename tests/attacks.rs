//! Adversarial tests: each performs an attack on the commands as a hostile or careless user would,
//! and checks the promise `docs/ERRORS.md` makes about it — nothing written outside `--out`, no
//! silent mixing of runs, bounded resources before work starts, no input that crashes.

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::stderr;

fn scratch(name: &str) -> PathBuf {
    common::scratch("attack", name, true)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn shipped(name: &str) -> String {
    root().join("scenarios").join(name).display().to_string()
}

/// `cogov ARGS` run in `cwd`.
fn cogov_in(cwd: &Path, args: &[&str]) -> Output {
    common::command()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `cogov ARGS` under `sh -c 'ulimit LIMIT; exec …'`.
fn cogov_limited(limit: &str, cwd: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit {limit}; exec \"$@\""))
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_cogov"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// Exit status 2 (bad input) with a message containing each of `needles`; the message is short and
/// names no temporary file.
fn refused(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "expected exit 2, got: {err}");
    for n in needles {
        assert!(err.contains(n), "the message lacks {n:?}: {err}");
    }
    assert!(err.len() < 2000, "a message of {} bytes", err.len());
    assert!(!err.contains("panicked"), "{err}");
}

/// Wait for `child` at most `seconds`; a command that blocks (on a pipe, say) fails the test.
fn bounded(mut child: std::process::Child, seconds: u64, what: &str) -> Output {
    let mut waited = 0;
    while child.try_wait().unwrap().is_none() {
        if waited >= seconds * 10 {
            let _ = child.kill();
            panic!("{what} runs on after {seconds} s");
        }
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    }
    child.wait_with_output().unwrap()
}

/// A run of two regions, two replicates and six months, without progress output.
fn tiny_run() -> Vec<&'static str> {
    let mut args = vec!["--steps", "6", "--replicates", "2", "--quiet"];
    args.extend(common::TINY_BASIN);
    args
}

/// The names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const SWEEP_BASIN: [&str; 7] = [
    "--quiet",
    "--set",
    "world.regions=1",
    "--set",
    "public.per_region=0",
    "--set",
    "enterprises.per_region=100",
];

/// An experiment file in `dir` over the shipped fragmented scenario.
fn experiment(dir: &Path, name: &str, points: usize, extra: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "base = \"{}\"\n{extra}steps = 6\nreplicates = 1\nmetrics = [\"pollution_mean\"]\n[design]\nkind = \"grid\"\nlevels = {points}\n[[parameters]]\nkey = \"law.fine\"\nmin = 0.05\nmax = 1.0\n",
            shipped("fragmented.toml")
        ),
    )
    .unwrap();
    path
}

/// Files outside the output tree that links point to: one that exists, and one that must not come to.
struct Targets {
    existing: PathBuf,
    absent: PathBuf,
}

const UNTOUCHED: &str = "this file is not cogov's\n";

impl Targets {
    fn new(dir: &Path) -> Self {
        let outside = dir.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        let existing = outside.join("precious.txt");
        std::fs::write(&existing, UNTOUCHED).unwrap();
        Targets {
            existing,
            absent: outside.join("planted"),
        }
    }

    /// Plant links named `names` in `dir`, alternately to the existing target and to absent ones.
    fn plant(&self, dir: &Path, names: &[String]) {
        for (i, name) in names.iter().enumerate() {
            let link = dir.join(name);
            let _ = std::fs::remove_file(&link);
            let target = if i % 2 == 0 {
                self.existing.clone()
            } else {
                self.absent.with_extension(i.to_string())
            };
            symlink(&target, &link).unwrap();
        }
    }

    fn assert_untouched(&self) {
        assert_eq!(
            std::fs::read_to_string(&self.existing).unwrap(),
            UNTOUCHED,
            "a link's target was written"
        );
        let created: Vec<_> = std::fs::read_dir(self.existing.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n != "precious.txt")
            .collect();
        assert!(created.is_empty(), "written through links: {created:?}");
    }
}

/// The names a command wrote into `out`, and the temporary names of earlier releases for each
/// (`.NAME.<pid>.tmp`, `NAME.partial`).
fn names_to_plant(out: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for f in common::files_under(out) {
        for pid in [1, 999, std::process::id() + 1] {
            names.push(format!(".{f}.{pid}.tmp"));
        }
        names.push(format!("{f}.partial"));
        names.push(f);
    }
    names.push("results.csv.partial".into());
    names.push(".results.csv.partial".into());
    names
}

#[test]
fn links_planted_at_every_output_and_temporary_name_are_never_written_through() {
    let dir = scratch("links");
    let targets = Targets::new(&dir);
    let out = dir.join("run");
    let scenario = shipped("fragmented.toml");
    let o = cogov_in(
        &dir,
        &[&["run", &scenario[..], "--out", "run"], &tiny_run()[..]].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let names = names_to_plant(&out);
    // Beside the output directory too: its lock and staging-directory patterns.
    let beside = vec![".run.lock.tmp".to_string(), ".run.1234.tmp".to_string()];
    targets.plant(&dir, &beside);
    // A link at each name in turn, in a fresh copy of the directory: --force replaces the old tree
    // (the link with it) when the name is one of its outputs, and refuses a directory holding a
    // file it did not write (or a manifest that is a link); it never writes through a link.
    let listed = common::files_under(&out);
    let run = |force: bool| {
        let mut args = vec!["run", &scenario[..], "--out", "run"];
        if force {
            args.push("--force");
        }
        cogov_in(&dir, &[&args[..], &tiny_run()[..]].concat())
    };
    let mut replaced = 0;
    for name in &names {
        std::fs::remove_dir_all(&out).unwrap();
        assert!(run(false).status.success());
        targets.plant(&out, std::slice::from_ref(name));
        let o = run(true);
        targets.assert_untouched();
        if listed.contains(name) && name != "manifest.json" {
            assert!(o.status.success(), "a link at {name}: {}", stderr(&o));
            common::assert_manifest_matches(&out);
            replaced += 1;
        } else {
            refused(&o, &["run"]);
            assert!(
                std::fs::symlink_metadata(out.join(name))
                    .unwrap()
                    .file_type()
                    .is_symlink(),
                "the refused directory lost {name}"
            );
        }
    }
    assert_eq!(replaced, listed.len() - 1);
    // All the names at once (the manifest a link: refused), then a sweep with --force over them.
    targets.plant(&out, &names);
    let exp = experiment(&dir, "links", 3, "");
    for args in [
        vec![
            "run",
            &shipped("fragmented.toml")[..],
            "--out",
            "run",
            "--force",
        ],
        vec!["sweep", exp.to_str().unwrap(), "--out", "run", "--force"],
    ] {
        let extra: &[&str] = if args[0] == "run" {
            &tiny_run()[..]
        } else {
            &SWEEP_BASIN
        };
        let o = cogov_in(&dir, &[&args[..], extra].concat());
        targets.assert_untouched();
        refused(&o, &["run"]);
    }
    // A sweep whose directory holds links at its own names and a partial file's old name.
    let o = cogov_in(
        &dir,
        &[
            &["sweep", exp.to_str().unwrap(), "--out", "sw"],
            &SWEEP_BASIN[..],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sweep_names = names_to_plant(&dir.join("sw"));
    targets.plant(&dir.join("sw"), &sweep_names);
    let o = cogov_in(
        &dir,
        &[
            &["sweep", exp.to_str().unwrap(), "--out", "sw", "--force"],
            &SWEEP_BASIN[..],
        ]
        .concat(),
    );
    targets.assert_untouched();
    refused(&o, &["sw"]);
}

#[test]
fn a_link_at_the_lock_is_refused_and_left_alone() {
    let dir = scratch("lock");
    let targets = Targets::new(&dir);
    symlink(&targets.existing, dir.join(".out.lock")).unwrap();
    let o = cogov_in(
        &dir,
        &[
            &["run", &shipped("fragmented.toml"), "--out", "out"],
            &tiny_run()[..],
        ]
        .concat(),
    );
    refused(&o, &[".out.lock", "symbolic link"]);
    targets.assert_untouched();
    assert!(!dir.join("out").exists());
    assert!(
        std::fs::symlink_metadata(dir.join(".out.lock"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn force_keeps_hidden_files_that_are_not_cogovs() {
    let dir = scratch("hidden");
    let scenario = shipped("fragmented.toml");
    let run = |force: bool| {
        let mut args = vec!["run", &scenario[..], "--out", "out"];
        if force {
            args.push("--force");
        }
        cogov_in(&dir, &[&args[..], &tiny_run()[..]].concat())
    };
    assert!(run(false).status.success());
    let keep = [".invoice.tmpl", ".cache.tmp.keep", ".out.tmp"];
    for name in keep {
        std::fs::write(dir.join(name), name).unwrap();
    }
    // Beside the output directory: untouched by --force.
    let o = run(true);
    assert!(o.status.success(), "{}", stderr(&o));
    for name in keep {
        assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), name);
    }
    // Inside it: --force refuses to delete a directory holding files it did not write.
    for name in keep {
        std::fs::write(dir.join("out").join(name), name).unwrap();
    }
    let o = run(true);
    refused(&o, &[".invoice.tmpl", ".cache.tmp.keep"]);
    for name in keep {
        assert_eq!(
            std::fs::read_to_string(dir.join("out").join(name)).unwrap(),
            name
        );
    }
}

#[test]
fn names_that_are_paths_are_refused() {
    let dir = scratch("names");
    let nested = dir.join("a/b/c");
    std::fs::create_dir_all(&nested).unwrap();
    for name in [
        "..",
        ".",
        "/tmp/cogov-absolute",
        "../../../x",
        "a/b",
        ".hidden",
        "",
    ] {
        let scenario = nested.join("s.toml");
        std::fs::write(
            &scenario,
            format!(
                "extends = \"{}\"\nname = {name:?}\n",
                shipped("fragmented.toml")
            ),
        )
        .unwrap();
        for args in [
            vec!["run", "s.toml", "--out", "out"],
            vec!["compare", "s.toml", "--out", "out"],
            vec!["check", "s.toml"],
        ] {
            let size: &[&str] = if args[0] == "check" {
                &[]
            } else {
                &tiny_run()[..]
            };
            let o = cogov_in(&nested, &[&args[..], size].concat());
            refused(&o, &["s.toml", "name"]);
        }
        let o = cogov_in(
            &nested,
            &[
                &["run", &shipped("fragmented.toml"), "--out", "out"],
                &tiny_run()[..],
                &["--set", &format!("name={name:?}")],
            ]
            .concat(),
        );
        refused(&o, &["name"]);
        let exp = experiment(&nested, "e", 3, &format!("name = {name:?}\n"));
        let o = cogov_in(
            &nested,
            &[
                &["sweep", exp.to_str().unwrap(), "--out", "out"],
                &SWEEP_BASIN[..],
            ]
            .concat(),
        );
        refused(&o, &["e.toml", "name"]);
    }
    // Nothing was written anywhere in the tree, nor at the absolute path.
    assert_eq!(
        common::files_under(&dir),
        ["a/b/c/e.toml", "a/b/c/s.toml"],
        "files written"
    );
    assert!(!Path::new("/tmp/cogov-absolute").exists());
}

#[test]
fn extends_of_files_outside_the_users_scenarios_never_quotes_them() {
    let dir = scratch("extends");
    let secret = "cogov-secret-hunter2";
    // Links named like scenarios, to files that are not.
    symlink("/etc/shadow", dir.join("shadow.toml")).unwrap();
    symlink("/proc/self/environ", dir.join("environ.toml")).unwrap();
    for target in [
        "/etc/shadow",
        "/etc/passwd",
        "/proc/self/environ",
        "/dev/zero",
        "/",
        "shadow.toml",
        "environ.toml",
    ] {
        let s = dir.join("s.toml");
        std::fs::write(&s, format!("extends = {target:?}\n")).unwrap();
        let o = common::command()
            .current_dir(&dir)
            .env("COGOV_SECRET", secret)
            .args(["check", "s.toml"])
            .output()
            .unwrap();
        refused(&o, &["s.toml", "extends"]);
        let err = stderr(&o);
        assert!(
            !err.contains(secret) && !err.contains("root:") && !err.contains("PATH="),
            "{target}: the message quotes the target: {err}"
        );
    }
}

#[test]
fn inputs_that_are_not_small_regular_files_are_refused_before_reading() {
    let dir = scratch("special");
    let fifo = dir.join("pipe.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let big = dir.join("big.toml");
    std::fs::write(&big, "# padding\n".repeat(500_000)).unwrap();
    for (path, why) in [
        ("/dev/zero", "not a regular file"),
        (fifo.to_str().unwrap(), "not a regular file"),
        (dir.to_str().unwrap(), "not a regular file"),
        (big.to_str().unwrap(), "MiB"),
    ] {
        for command in ["check", "run", "sweep", "game"] {
            let out: &[&str] = if command == "check" {
                &[]
            } else {
                &["--out", "out"]
            };
            let child = common::command()
                .current_dir(&dir)
                .args([command, path])
                .args(out)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // A command that blocked on the pipe would never exit.
            let o = bounded(child, 10, &format!("`{command} {path}`"));
            refused(&o, &[path, why]);
        }
    }
    assert!(!dir.join("out").exists());
    // A syntax error on a line of 200,000 characters, nested past the parser's depth: a short
    // message that still points at the place.
    let deep = dir.join("deep.toml");
    std::fs::write(
        &deep,
        format!("x = {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    let o = cogov_in(&dir, &["check", deep.to_str().unwrap()]);
    refused(
        &o,
        &["deep.toml", "line 1", "200004 characters in all", "^"],
    );
}

#[test]
fn runs_into_one_directory_at_once_never_mix() {
    let dir = scratch("concurrent");
    let args = |force: bool, seed: &str| {
        let mut a: Vec<String> = [
            "run",
            &shipped("fragmented.toml"),
            "--out",
            "out",
            "--seed",
            seed,
            "--steps",
            "24",
            "--replicates",
            "4",
            "--quiet",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if force {
            a.push("--force".into());
        }
        a
    };
    let spawn = |a: Vec<String>| {
        common::command()
            .current_dir(&dir)
            .args(a)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Two runs into one new directory: one writes it, the other is told so.
    let children: Vec<_> = ["1", "2"].map(|s| spawn(args(false, s))).into();
    let outcomes: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let ok = outcomes.iter().filter(|o| o.status.success()).count();
    assert_eq!(
        ok,
        1,
        "{:?}",
        outcomes.iter().map(stderr).collect::<Vec<_>>()
    );
    for o in outcomes.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        let err = stderr(o);
        assert!(
            err.contains("another cogov command is writing") || err.contains("--force"),
            "{err}"
        );
    }
    common::assert_manifest_matches(&dir.join("out"));
    // Six at once with --force: the directory is whole, from one of them.
    let children: Vec<_> = (1..=6).map(|s| spawn(args(true, &s.to_string()))).collect();
    let outcomes: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    assert!(outcomes.iter().any(|o| o.status.success()));
    for o in outcomes.iter().filter(|o| !o.status.success()) {
        refused(o, &["another cogov command is writing"]);
    }
    let manifest = common::assert_manifest_matches(&dir.join("out"));
    assert!(manifest["seed"].is_u64(), "{manifest}");
    let names = entries(&dir);
    assert_eq!(names, ["out"], "left beside the output: {names:?}");
}

#[test]
fn two_resumes_of_one_sweep_at_once_never_duplicate_rows() {
    let dir = scratch("resumes");
    let exp = experiment(&dir, "r", 60, "");
    let sweep = |out: &str, resume: bool| {
        let mut c = common::command();
        c.current_dir(&dir)
            .args(["sweep", exp.to_str().unwrap(), "--out", out])
            .args(SWEEP_BASIN)
            .args(["--set", "enterprises.per_region=1500"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if resume {
            c.arg("--resume");
        }
        c
    };
    let whole = sweep("whole", false).output().unwrap();
    assert!(whole.status.success(), "{}", stderr(&whole));
    let a = sweep("out", true).spawn().unwrap();
    let b = sweep("out", true).spawn().unwrap();
    let outcomes = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let ok = outcomes.iter().filter(|o| o.status.success()).count();
    assert!(
        ok >= 1,
        "{:?}",
        outcomes.iter().map(stderr).collect::<Vec<_>>()
    );
    for o in outcomes.iter().filter(|o| !o.status.success()) {
        refused(o, &["another cogov command is writing"]);
    }
    assert_eq!(
        std::fs::read(dir.join("whole/results.csv")).unwrap(),
        std::fs::read(dir.join("out/results.csv")).unwrap(),
        "the resumed sweep differs from the whole one"
    );
    common::assert_manifest_matches(&dir.join("out"));
}

#[test]
fn a_kill_during_force_leaves_the_old_directory_or_the_new_one_never_a_mix() {
    let dir = scratch("killforce");
    let args = |seed: &str| -> Vec<String> {
        [
            "run",
            &shipped("fragmented.toml"),
            "--out",
            "out",
            "--force",
            "--seed",
            seed,
            "--steps",
            "48",
            "--replicates",
            "4",
            "--quiet",
            "--set",
            "public.per_region=5000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let run = |seed: &str| {
        let mut c = common::command();
        c.current_dir(&dir)
            .args(args(seed))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    };
    let started = std::time::Instant::now();
    let o = run("1").output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let full = started.elapsed().as_secs_f64();
    let mut seeds_seen = std::collections::BTreeSet::new();
    for (i, fraction) in [0.3, 0.9, 0.6, 0.97, 0.1, 0.8].iter().enumerate() {
        let seed = (i + 2).to_string();
        let mut child = run(&seed).spawn().unwrap();
        std::thread::sleep(Duration::from_secs_f64(full * fraction));
        let _ = child.kill();
        let _ = child.wait();
        let manifest = common::assert_manifest_matches(&dir.join("out"));
        seeds_seen.insert(manifest["seed"].to_string());
    }
    eprintln!("seeds found after kills: {seeds_seen:?}");
    // What a kill leaves beside the directory (a staging directory, the lock) goes with the next run.
    let o = run("9").output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let names = entries(&dir);
    assert_eq!(names, ["out"], "left after a kill: {names:?}");
}

#[test]
fn what_changes_a_number_is_part_of_a_sweeps_identity() {
    let dir = scratch("identity");
    let exp = experiment(&dir, "id", 4, "");
    let sweep = |out: &str, extra: &[&str]| {
        cogov_in(
            &dir,
            &[
                &["sweep", exp.to_str().unwrap(), "--out", out],
                &SWEEP_BASIN[..],
                extra,
            ]
            .concat(),
        )
    };
    let ok = |o: Output| assert!(o.status.success(), "{}", stderr(&o));
    ok(sweep("whole", &[]));
    refused(
        &sweep("whole", &["--resume", "--steps", "9"]),
        &["another run size", "9 steps"],
    );
    refused(
        &sweep("whole", &["--resume", "--seed", "5"]),
        &["another run size", "seed 5"],
    );
    refused(
        &sweep("whole", &["--resume", "--replicates", "2"]),
        &["another run size", "2 replicates"],
    );
    ok(sweep("s0", &["--shard", "0/2"]));
    for (name, extra, why) in [
        ("seed", vec!["--seed", "5"], "seed 5"),
        ("steps", vec!["--steps", "9"], "9 steps"),
        ("replicates", vec!["--replicates", "2"], "2 replicates"),
    ] {
        let shard = format!("s1-{name}");
        ok(sweep(&shard, &[&["--shard", "1/2"], &extra[..]].concat()));
        let o = cogov_in(&dir, &["merge", "s0", &shard, "--out", "merged"]);
        refused(&o, &["not shards of one sweep", why]);
    }
    // Another build: the same sweep, its record edited to come from another commit.
    ok(sweep("s1", &["--shard", "1/2"]));
    // A shard whose saved files are pipes: merge reads only regular files.
    for file in ["sweep.json", "results.csv"] {
        let piped = dir.join(format!("s0-{file}"));
        std::fs::create_dir_all(&piped).unwrap();
        for f in common::files_under(&dir.join("s0")) {
            std::fs::copy(dir.join("s0").join(&f), piped.join(&f)).unwrap();
        }
        std::fs::remove_file(piped.join(file)).unwrap();
        assert!(
            Command::new("mkfifo")
                .arg(piped.join(file))
                .status()
                .unwrap()
                .success()
        );
        let child = common::command()
            .current_dir(&dir)
            .args(["merge", piped.to_str().unwrap(), "s1", "--out", "merged"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let o = bounded(child, 10, &format!("merge with a pipe at {file}"));
        refused(&o, &[file, "not a regular file"]);
    }
    let record = dir.join("s1/sweep.json");
    let text = std::fs::read_to_string(&record).unwrap();
    let commit = serde_json::from_str::<serde_json::Value>(&text).unwrap()["git_commit"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(&record, text.replace(&commit, &"0".repeat(commit.len()))).unwrap();
    let o = cogov_in(&dir, &["merge", "s0", "s1", "--out", "merged"]);
    refused(&o, &["another build", "--allow-other-build"]);
    let o = cogov_in(
        &dir,
        &[
            "merge",
            "s0",
            "s1",
            "--out",
            "merged",
            "--allow-other-build",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(dir.join("merged/results.csv")).unwrap(),
        std::fs::read(dir.join("whole/results.csv")).unwrap()
    );
    // The same for a resume of a finished sweep from another build.
    let record = dir.join("whole/sweep.json");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, text.replace(&commit, &"0".repeat(commit.len()))).unwrap();
    refused(&sweep("whole", &["--resume"]), &["another build"]);
}

#[test]
fn sizes_are_checked_before_any_work() {
    let dir = scratch("sizes");
    let run = |extra: &[&str]| {
        cogov_in(
            &dir,
            &[
                &["run", &shipped("fragmented.toml"), "--out", "out"],
                &tiny_run()[..],
                extra,
            ]
            .concat(),
        )
    };
    refused(&run(&["--threads", "30000"]), &["--threads", "30000"]);
    refused(
        &run(&["--seed", "18446744073709551615"]),
        &["--seed", "9223372036854775807"],
    );
    let o = cogov_in(
        &dir,
        &["run", &shipped("fragmented.toml"), "--replicates", "100001"],
    );
    refused(&o, &["replicates", "100000"]);
    refused(
        &run(&["--set", "public.per_region=4000000000"]),
        &["public.per_region"],
    );
    // A design point far larger than its base, under a 600 MB address-space limit.
    let exp = dir.join("big.toml");
    std::fs::write(
        &exp,
        format!(
            "base = \"{}\"\nsteps = 6\nreplicates = 1\n[design]\nkind = \"grid\"\nlevels = 2\n[[parameters]]\nkey = \"public.per_region\"\nmin = 100\nmax = 20000000\n",
            shipped("fragmented.toml")
        ),
    )
    .unwrap();
    let o = cogov_limited(
        "-v 600000",
        &dir,
        &["sweep", exp.to_str().unwrap(), "--out", "out", "--quiet"],
    );
    refused(&o, &["memory", "ulimit"]);
    // Bootstrap resamples and design sizes out of range.
    for (extra, key) in [
        ("[design]\nkind = \"morris\"\nbootstrap = 0\n", "bootstrap"),
        (
            "[design]\nkind = \"morris\"\nbootstrap = 4294967295\n",
            "bootstrap",
        ),
        (
            "[design]\nkind = \"lhs\"\npoints = 4294967295\n",
            "4294967295 points in all",
        ),
        (
            "[design]\nkind = \"grid\"\npoints = 3\n",
            "no `points` in a grid design",
        ),
    ] {
        let exp = dir.join("b.toml");
        std::fs::write(
            &exp,
            format!(
                "base = \"{}\"\nsteps = 6\nreplicates = 1\n{extra}[[parameters]]\nkey = \"law.fine\"\nmin = 0.05\nmax = 1.0\n",
                shipped("fragmented.toml")
            ),
        )
        .unwrap();
        let o = cogov_in(
            &dir,
            &[
                &["sweep", exp.to_str().unwrap(), "--out", "out"],
                &SWEEP_BASIN[..],
            ]
            .concat(),
        );
        refused(&o, &["b.toml", key]);
    }
    // More shards than design points.
    let exp = experiment(&dir, "few", 3, "");
    let o = cogov_in(
        &dir,
        &[
            &[
                "sweep",
                exp.to_str().unwrap(),
                "--out",
                "out",
                "--shard",
                "4/1000",
            ],
            &SWEEP_BASIN[..],
        ]
        .concat(),
    );
    refused(&o, &["--shard 4/1000", "3 points"]);
    // A run list of 10¹² (point, replicate) runs: its results could never be read back.
    let exp = dir.join("runs.toml");
    std::fs::write(
        &exp,
        format!(
            "base = \"{}\"\nsteps = 6\nreplicates = 100000\n[design]\nkind = \"lhs\"\npoints = 10000000\n[[parameters]]\nkey = \"law.fine\"\nmin = 0.05\nmax = 1.0\n",
            shipped("fragmented.toml")
        ),
    )
    .unwrap();
    let o = cogov_in(
        &dir,
        &["sweep", exp.to_str().unwrap(), "--out", "out", "--quiet"],
    );
    refused(&o, &["its design, and its results", "TiB", "--shard"]);
    // --out naming a file; a file for another command.
    std::fs::write(dir.join("afile"), "x").unwrap();
    let o = cogov_in(
        &dir,
        &[
            &["run", &shipped("fragmented.toml"), "--out", "afile"],
            &tiny_run()[..],
        ]
        .concat(),
    );
    refused(&o, &["afile", "not a directory"]);
    assert_eq!(std::fs::read_to_string(dir.join("afile")).unwrap(), "x");
    let o = cogov_in(&dir, &["run", &shipped("experiments/morris.toml")]);
    refused(&o, &["cogov sweep"]);
    let o = cogov_in(&dir, &["run", &shipped("games/tsebelis.toml")]);
    refused(&o, &["cogov game"]);
    assert!(!dir.join("out").exists());
}

/// A game file in `dir` with the Tsebelis populations and the given payoff and integration text.
fn game(dir: &Path, name: &str, payoffs: &str, rest: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "[[populations]]\nname = \"a\"\nstrategies = [\"x\", \"y\"]\ninitial = 0.4\n\
             [[populations]]\nname = \"b\"\nstrategies = [\"x\", \"y\"]\ninitial = 0.5\n\
             [payoffs]\n{payoffs}\n{rest}"
        ),
    )
    .unwrap();
    path
}

#[test]
fn games_that_would_hang_crash_or_overflow_are_refused_with_a_located_error() {
    let dir = scratch("games");
    let plain = "\"11\" = [\"1\", \"1\"]\n\"10\" = [\"0\", \"1\"]\n\"01\" = [\"1\", \"0\"]\n\"00\" = [\"0\", \"0\"]";
    let cases: Vec<(&str, String, String, Vec<&str>)> = vec![
        (
            "long",
            plain.into(),
            "[integration]\ndt = 1\nt_max = 1e7\n".into(),
            vec!["integration", "t_max"],
        ),
        (
            "twin",
            plain.into(),
            "[abm]\ndt = 1e-12\n".into(),
            vec!["abm", "dt"],
        ),
        (
            "deep",
            plain.replacen(
                "[\"1\", \"1\"]",
                &format!("[\"{}1{}\", \"1\"]", "(".repeat(20_000), ")".repeat(20_000)),
                1,
            ),
            String::new(),
            vec!["payoffs", "characters in all", "at most 10000"],
        ),
        (
            "nested",
            plain.replacen(
                "[\"1\", \"1\"]",
                &format!("[\"{}1{}\", \"1\"]", "(".repeat(100), ")".repeat(100)),
                1,
            ),
            String::new(),
            vec!["payoffs", "nested deeper than 64"],
        ),
        (
            "sum",
            plain.replacen(
                "[\"1\", \"1\"]",
                &format!("[\"{}1\", \"1\"]", "1+".repeat(200_000)),
                1,
            ),
            String::new(),
            vec!["payoffs", "characters"],
        ),
        (
            "huge",
            "\"11\" = [\"600\", \"-600\"]\n\"10\" = [\"-600\", \"600\"]\n\"01\" = [\"600\", \"-600\"]\n\"00\" = [\"-600\", \"600\"]".into(),
            "[integration]\ndt = 0.5\nt_max = 60\n".into(),
            vec!["t =", "dt"],
        ),
    ];
    for (name, payoffs, rest, needles) in cases {
        let path = game(&dir, name, &payoffs, &rest);
        let child = common::command()
            .current_dir(&dir)
            .args(["game", path.to_str().unwrap(), "--out", "out"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let o = bounded(child, 30, &format!("game {name}"));
        let file = format!("{name}.toml");
        let mut all = vec![file.as_str()];
        all.extend(&needles);
        refused(&o, &all);
        assert!(!dir.join("out").exists(), "game {name} published output");
    }
}

#[test]
fn a_figure_that_does_not_fit_on_disk_is_a_located_error_without_a_trap() {
    // 100 KiB of file size: the tables fit, the PNG figure does not. No `trap '' XFSZ`: cogov itself
    // must turn the signal into an error.
    let dir = scratch("png");
    let o = cogov_limited(
        "-f 100",
        &dir,
        &[
            &["run", &shipped("fragmented.toml"), "--out", "out"],
            &tiny_run()[..],
        ]
        .concat(),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("out/run.png") && err.contains("File too large"),
        "{err}"
    );
    assert!(
        !err.contains(".tmp"),
        "the message names a temporary file: {err}"
    );
    let left = entries(&dir);
    assert!(left.is_empty(), "left behind: {left:?}");
}
