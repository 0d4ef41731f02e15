//! Robustness: no input crashes cogov, a full disk is a clear error, and a sweep killed at any moment
//! resumes to the same bytes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use cogov::model::World;
use cogov::scenario::{load_scenario, resolve_str, with_overrides};
use proptest::prelude::*;

fn coordinated() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/coordinated.toml")
}

/// Every key of the schema, as `section.key`.
fn keys() -> Vec<String> {
    let table = toml::Table::try_from(cogov::scenario::Scenario::default()).unwrap();
    let mut out = Vec::new();
    for (section, v) in &table {
        match v {
            toml::Value::Table(t) => out.extend(t.keys().map(|k| format!("{section}.{k}"))),
            _ => out.push(section.clone()),
        }
    }
    out
}

/// Values of every type and magnitude, as `--set` text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        (-5i64..100).prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| format!("{v:?}")),
        (-1.0f64..2.0).prop_map(|v| v.to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e308".to_string()),
        Just("true".to_string()),
        Just("\"shared\"".to_string()),
        Just("clear".to_string()),
        Just("cost_benefit".to_string()),
        Just("pigou".to_string()),
        Just("[]".to_string()),
        Just("[0.5, 0.5]".to_string()),
        Just("[[0.0]]".to_string()),
        Just("{ a = 1 }".to_string()),
        "[a-z_\\.=\\[\\]\"0-9 ]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_give_a_scenario_or_a_located_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = resolve_str(&text, "fuzz.toml", &[]) {
            prop_assert!(e.to_string().contains("fuzz.toml"), "unlocated error: {e}");
        }
    }

    #[test]
    fn set_arguments_give_a_scenario_or_a_located_error(arg in "[a-z_\\.]{0,30}=?[ -~]{0,20}") {
        if let Err(e) = resolve_str("", "fuzz.toml", std::slice::from_ref(&arg)) {
            let text = e.to_string();
            prop_assert!(text.contains("--set") || text.contains("fuzz.toml"), "unlocated error for {arg:?}: {text}");
        }
    }
}

/// A value of key `i` (of [`keys`]) inside its registered plausible range, or one of its choices.
fn plausible(i: usize) -> BoxedStrategy<String> {
    use cogov::scenario::registry::{Valid, registry};
    let key = registry()
        .key(&keys()[i])
        .expect("every key is registered")
        .clone();
    if let Some(choices) = key.choices() {
        return proptest::sample::select(choices.to_vec())
            .prop_map(str::to_string)
            .boxed();
    }
    match (key.plausible, key.valid) {
        (Some([lo, hi]), Valid::Count(_)) => {
            (lo as i64..=hi as i64).prop_map(|v| v.to_string()).boxed()
        }
        (Some([lo, hi]), _) => (lo..=hi).prop_map(|v| format!("{v:?}")).boxed(),
        (None, Valid::Bool) => any::<bool>().prop_map(|b| b.to_string()).boxed(),
        _ => value().boxed(),
    }
}

/// What one mutation of a shipped scenario led to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// Refused with an error naming the key or the file.
    Refused,
    /// Ran every month.
    Ran,
    /// Stopped by a broken invariant, named with its month.
    Broken,
}

/// Load `base` with `key=value`, shrink it, and run it: a located refusal, a run, or a clean invariant
/// error — never a panic, never a swallowed error.
fn mutate_and_run(base: &Path, file: &str, key: &str, v: &str) -> Result<Outcome, String> {
    let set = format!("{key}={v}");
    let located = |text: String| -> Result<Outcome, String> {
        if text.contains(key.split('.').next().unwrap())
            || text.contains(file)
            || text.contains("test")
        {
            Ok(Outcome::Refused)
        } else {
            Err(format!("unlocated: {text}"))
        }
    };
    let source = match load_scenario(base, std::slice::from_ref(&set)) {
        Err(e) => return located(e.to_string()),
        Ok(source) => source,
    };
    let small: Vec<(String, toml::Value)> = [
        ("steps", toml::Value::Integer(4)),
        ("replicates", toml::Value::Integer(1)),
        ("enterprises.per_region", toml::Value::Integer(40)),
        ("public.per_region", toml::Value::Integer(100)),
        (
            "world.regions",
            toml::Value::Integer(source.params.world.regions.min(64).into()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // The smaller size can conflict with the mutation (a matrix of another size): a located error.
    let p = match with_overrides(&source.params, &small, "test") {
        Err(e) => return located(e.to_string()),
        Ok(p) => p,
    };
    let mut world = World::new(&p, 0);
    for _ in 0..p.steps {
        if let Err(e) = world.step() {
            let text = e.to_string();
            return if text.starts_with("step ") {
                Ok(Outcome::Broken)
            } else {
                Err(format!("an invariant error without its month: {text}"))
            };
        }
    }
    Ok(Outcome::Ran)
}

#[test]
fn mutated_shipped_scenarios_load_or_fail_cleanly_and_run() {
    use proptest::test_runner::{Config, TestRunner};
    let keys = keys();
    let outcomes = std::sync::Mutex::new(Vec::new());
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    let n = keys.len();
    let strategy =
        (0..n).prop_flat_map(move |i| (Just(i), prop_oneof![value(), plausible(i)], any::<bool>()));
    runner
        .run(&strategy, |(key_index, v, priced)| {
            let key = &keys[key_index];
            // Coordinated governance, or fragmented with cost-benefit caps paid by Pigou payments.
            let (base, file) = if priced {
                (
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("scenarios/figures/pricing-pigou-subsidies.toml"),
                    "pricing-",
                )
            } else {
                (coordinated(), "coordinated.toml")
            };
            let outcome = mutate_and_run(&base, file, key, &v)
                .map_err(|e| TestCaseError::fail(format!("{key} = {v}: {e}")))?;
            outcomes.lock().unwrap().push(outcome);
            Ok(())
        })
        .unwrap();
    let outcomes = outcomes.into_inner().unwrap();
    let ran = outcomes.iter().filter(|o| **o == Outcome::Ran).count();
    let refused = outcomes.iter().filter(|o| **o == Outcome::Refused).count();
    // Both kinds of case must really occur, or the test checks nothing.
    assert!(
        ran >= 50 && refused >= 50,
        "{ran} ran, {refused} refused of {}",
        outcomes.len()
    );
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("robust", name, true)
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_no_partial_file() {
    // RLIMIT_FSIZE of 16 KiB makes any larger write fail with EFBIG, as a full disk would (ENOSPC).
    let dir = scratch("full");
    let out = dir.join("run");
    let bin = env!("CARGO_BIN_EXE_cogov");
    let o = Command::new("bash")
        .args([
            "-c",
            "ulimit -f 16; trap '' XFSZ; exec \"$@\"",
            "bash",
            bin,
            "run",
            "scenarios/fragmented.toml",
            "--out",
        ])
        .arg(&out)
        .args([
            "--steps",
            "60",
            "--replicates",
            "3",
            "--quiet",
            "--set",
            "world.regions=2",
            "--set",
            "public.per_region=200",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("timeseries.csv") && err.to_lowercase().contains("file too large"),
        "{err}"
    );
    // Nothing is published, and the staging directory and lock are gone.
    assert!(!out.exists(), "a failed run published {}", out.display());
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn sweep(exp: &Path, out: &Path, resume: bool) -> Command {
    let mut c = common::command();
    c.args([
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ])
    .args([
        "--set",
        "world.regions=1",
        "--set",
        "public.per_region=0",
        "--set",
        "enterprises.per_region=1500",
    ])
    .current_dir(env!("CARGO_MANIFEST_DIR"))
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    if resume {
        c.arg("--resume");
    }
    c
}

#[test]
fn a_sweep_killed_at_random_moments_resumes_to_the_same_bytes() {
    let dir = scratch("kill");
    let exp = dir.join("kill.toml");
    std::fs::write(
        &exp,
        format!(
            "base = \"{}\"\nsteps = 36\nreplicates = 1\nmetrics = [\"pollution_mean\"]\n[design]\nkind = \"lhs\"\npoints = 320\n[[parameters]]\nkey = \"law.fine\"\nmin = 0.05\nmax = 1.0\n",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fragmented.toml").display()
        ),
    )
    .unwrap();
    let whole = dir.join("whole");
    let started = Instant::now();
    let o: Output = sweep(&exp, &whole, false).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let full_time = started.elapsed();

    let killed = dir.join("killed");
    let mut kills = 0;
    let mut done = false;
    // Kill points spread over the sweep's duration, from a fixed list (deterministic test).
    for (i, fraction) in [0.05, 0.4, 0.15, 0.7, 0.3, 0.55, 0.9, 0.2, 0.8, 0.45]
        .iter()
        .enumerate()
    {
        // `--resume` continues the checkpoint a kill left, or starts the sweep if there is none.
        let mut child = sweep(&exp, &killed, true).spawn().unwrap();
        std::thread::sleep(Duration::from_secs_f64(full_time.as_secs_f64() * fraction));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
            let rows = checkpoints(&dir, "killed")
                .first()
                .and_then(|c| std::fs::read_to_string(c.join("results.csv.partial")).ok())
                .map_or(0, |t| t.lines().count());
            eprintln!(
                "kill {kills} at {:.0}% of the sweep's time: {rows} lines in the partial file",
                fraction * 100.0
            );
        }
        let status = child.wait().unwrap();
        if status.success() && killed.join("results.csv").is_file() {
            done = i > 0;
            break;
        }
    }
    if !done {
        let o = sweep(&exp, &killed, true).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert!(
        checkpoints(&dir, "killed").is_empty(),
        "the finished sweep left its checkpoint"
    );
    assert!(
        kills >= 3,
        "the sweep finished too fast to be killed ({kills} kills)"
    );
    for f in ["design.csv", "results.csv"] {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(killed.join(f)).unwrap(),
            "{f} differs after {kills} kills"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(&killed)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    common::assert_manifest_matches(&killed);
}

/// The staging directories beside output directory `name` in `parent`.
fn checkpoints(parent: &Path, name: &str) -> Vec<PathBuf> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!(".{name}.cogov-"))
        })
        .map(|e| e.path())
        .collect()
}

/// Every file under `dir`, relative to it, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn commands_write_only_under_their_out_directory() {
    // Run from a working directory that holds only a link to the shipped scenarios (where the default
    // `output/` would go), with --out elsewhere.
    let cwd = scratch("cwd");
    let out = scratch("outs");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    std::os::unix::fs::symlink(&shipped, cwd.join("scenarios")).unwrap();
    let mut small = vec!["--steps", "6", "--replicates", "2", "--quiet"];
    small.extend(common::TINY_BASIN);
    let scenario = coordinated();
    let runs: Vec<Vec<&str>> = vec![
        vec!["run", scenario.to_str().unwrap()],
        vec!["compare"],
        vec!["validate", "--quick"],
    ];
    for (i, args) in runs.into_iter().enumerate() {
        let target = out.join(format!("o{i}"));
        let mut cmd = common::command();
        cmd.current_dir(&cwd).args(&args).arg("--out").arg(&target);
        if args[0] != "validate" {
            cmd.args(&small);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", common::stderr(&o));
        assert!(!tree(&target).is_empty(), "{args:?} wrote nothing");
    }
    let beside: Vec<String> = std::fs::read_dir(&cwd)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["scenarios"], "files outside --out");
    // Nothing but the three output directories, and no temporary files left in them.
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let leftovers: Vec<PathBuf> = tree(&out)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Without the shipped scenarios at hand, a command that needs them says so; it never reads the
    // source tree it was built from.
    let bare = scratch("bare");
    let o = common::command()
        .current_dir(&bare)
        .args(["compare", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("no scenarios/ directory"),
        "{}",
        common::stderr(&o)
    );
    assert!(tree(&bare).is_empty());
}
