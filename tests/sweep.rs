//! Sweeps: shards merged and resumed sweeps are byte-identical to an uninterrupted, unsplit sweep.

mod common;

use common::cogov;

fn scratch(name: &str) -> PathBuf {
    common::scratch("sweep", name, true)
}

use std::path::{Path, PathBuf};
use std::process::Output;

/// A small Morris experiment over the shipped fragmented scenario: 4 trajectories × 4 points × 2
/// replicates = 32 runs of a tiny basin.
fn experiment(dir: &Path) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fragmented.toml");
    let text = format!(
        r#"name = "tiny-morris"
base = "{}"
steps = 24
replicates = 2
metrics = ["pollution_mean", "compliance_rate"]
[design]
kind = "morris"
trajectories = 4
levels = 4
bootstrap = 50
[[parameters]]
key = "law.fine"
min = 0.05
max = 1.0
[[parameters]]
key = "monitoring.coverage"
min = 0.0
max = 1.0
[[parameters]]
key = "monitoring.latency"
min = 0
max = 6
"#,
        base.display()
    );
    let path = dir.join("tiny.toml");
    std::fs::write(&path, text).unwrap();
    path
}

const SMALL: [&str; 8] = [
    "--set",
    "world.regions=3",
    "--set",
    "enterprises.per_region=200",
    "--set",
    "public.per_region=600",
    "--quiet",
    "--threads",
];

fn sweep(exp: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(&SMALL);
    args.push("2");
    args.extend_from_slice(extra);
    cogov(&args)
}

fn same_files(a: &Path, b: &Path) {
    for f in [
        "design.csv",
        "results.csv",
        "summary.csv",
        "differences.csv",
        "sensitivity.csv",
        "sensitivity.svg",
        "sensitivity.png",
    ] {
        let (x, y) = (std::fs::read(a.join(f)), std::fs::read(b.join(f)));
        assert!(
            x.is_ok() && x.ok() == y.ok(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn shards_merged_equal_the_unsplit_sweep_byte_for_byte() {
    let dir = scratch("shards");
    let exp = experiment(&dir);
    let whole = dir.join("whole");
    let o = sweep(&exp, &whole, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let results = std::fs::read_to_string(whole.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 1 + 16 * 2);
    let summary = std::fs::read_to_string(whole.join("summary.csv")).unwrap();
    let differences = std::fs::read_to_string(whole.join("differences.csv")).unwrap();
    summary_agrees_with_results(&results, &summary, &differences);
    common::assert_manifest_matches(&whole);

    let shards: Vec<PathBuf> = (0..3).map(|i| dir.join(format!("s{i}"))).collect();
    for (i, s) in shards.iter().enumerate() {
        let o = sweep(&exp, s, &["--shard", &format!("{i}/3")]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let merged = dir.join("merged");
    let mut args = vec!["merge"];
    // Out of order on purpose: merge sorts by shard index.
    args.extend(
        [&shards[2], &shards[0], &shards[1]]
            .iter()
            .map(|p| p.to_str().unwrap()),
    );
    args.extend(["--out", merged.to_str().unwrap()]);
    let o = cogov(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    same_files(&whole, &merged);
    let manifest = common::assert_manifest_matches(&merged);
    assert_eq!(manifest["command"], "merge");
    assert_eq!(manifest["shard"], "0/1");
    assert!(manifest["experiment"]["resolved"].is_string());

    // Missing or foreign shards are refused.
    let o = cogov(&[
        "merge",
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        dir.join("bad").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exactly once"));
}

#[test]
fn a_resumed_sweep_ends_with_the_same_bytes() {
    let dir = scratch("resume");
    let exp = experiment(&dir);
    let whole = dir.join("whole");
    assert!(sweep(&exp, &whole, &[]).status.success());
    let results = std::fs::read_to_string(whole.join("results.csv")).unwrap();

    // A sweep killed mid-write leaves its staging directory beside the output directory: the identity,
    // the design, and a partial file of 11 complete rows and half of the 12th.
    let done = dir.join("done");
    assert!(sweep(&exp, &done, &[]).status.success());
    let checkpoint = dir.join(".killed.cogov-AbCdE12345");
    std::fs::create_dir(&checkpoint).unwrap();
    for f in ["sweep.json", "design.csv"] {
        std::fs::copy(done.join(f), checkpoint.join(f)).unwrap();
    }
    let lines: Vec<&str> = results.split_inclusive('\n').collect();
    let mut partial: String = lines[..12].concat();
    partial.push_str(&lines[12][..lines[12].len() / 2]);
    std::fs::write(checkpoint.join("results.csv.partial"), partial).unwrap();
    // A kill while a table was being written leaves its temporary file in the checkpoint.
    std::fs::write(checkpoint.join(".design.csv.Xy12ab34CD.tmp"), "point,law.f").unwrap();
    let killed = dir.join("killed");

    // Without --resume the interrupted sweep is neither discarded nor mixed in.
    let o = sweep(&exp, &killed, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("--resume"),
        "{}",
        common::stderr(&o)
    );
    let o = sweep(&exp, &killed, &["--resume"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    same_files(&whole, &killed);
    assert!(!checkpoint.exists(), "the checkpoint became the output");
    let hidden: Vec<String> = common::files_under(&killed)
        .into_iter()
        .filter(|f| f.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "temporary files published: {hidden:?}");
    common::assert_manifest_matches(&killed);

    // Resuming a finished sweep changes nothing.
    let before = common::files_under(&killed);
    let o = sweep(&exp, &killed, &["--resume"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(common::files_under(&killed), before);

    // Resuming another experiment's directory is refused.
    let o = sweep(&exp, &killed, &["--resume", "--set", "law.fine=0.3"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn bad_experiments_exit_2_with_a_located_message() {
    let dir = scratch("bad");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fragmented.toml");
    let cases = [
        (
            "[design]\nkind = \"factorial\"\n[[parameters]]\nkey = \"law.fine\"\nmin = 0.1\nmax = 1.0\n",
            "design.kind",
        ),
        (
            "[design]\nkind = \"lhs\"\npoints = 4\n[[parameters]]\nkey = \"law.fien\"\nmin = 0.1\nmax = 1.0\n",
            "parameters[0].key",
        ),
        (
            "[design]\nkind = \"lhs\"\npoints = 4\n[[parameters]]\nkey = \"law.clarity\"\nmin = 0.5\nmax = 1.5\n",
            "law.clarity",
        ),
        (
            "[design]\nkind = \"morris\"\nlevels = 3\n[[parameters]]\nkey = \"law.fine\"\nmin = 0.1\nmax = 1.0\n",
            "design.levels",
        ),
    ];
    for (i, (body, needle)) in cases.iter().enumerate() {
        let path = dir.join(format!("e{i}.toml"));
        std::fs::write(&path, format!("base = \"{}\"\n{body}", base.display())).unwrap();
        let o = cogov(&[
            "sweep",
            path.to_str().unwrap(),
            "--out",
            dir.join(format!("o{i}")).to_str().unwrap(),
            "--quiet",
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "case {i}: {err}");
        assert!(err.contains(needle), "case {i}: {err}");
    }
    let o = cogov(&["sweep", "x.toml", "--shard", "3/3"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn every_shipped_experiment_and_scenario_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut checked = 0;
    for dir in [
        "",
        "figures",
        "validation",
        "experiments",
        "history",
        "calibration",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") || path.ends_with("history.toml") {
                continue;
            }
            if dir == "calibration" {
                cogov::calibrate::load_calibration(&path, &[])
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            } else if dir == "experiments" {
                cogov::experiment::load_experiment(&path, &[])
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            } else {
                cogov::scenario::load_scenario(&path, &[])
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} files found");
}

/// summary.csv restates results.csv (each point's mean and SD over its replicates), and
/// differences.csv its paired difference from point 0 (replicate by replicate; 0 for point 0).
fn summary_agrees_with_results(results: &str, summary: &str, differences: &str) {
    let read = |text: &str| -> (Vec<String>, Vec<Vec<String>>) {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header = r.headers().unwrap().iter().map(String::from).collect();
        let rows = r
            .records()
            .map(|x| x.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    };
    let (header, rows) = read(results);
    let value = |point: &str, replicate: &str, column: usize| -> f64 {
        rows.iter()
            .find(|r| r[0] == point && r[1] == replicate)
            .map(|r| r[column].parse().unwrap())
            .unwrap()
    };
    for (text, kind) in [(summary, "summary"), (differences, "differences")] {
        let (sheader, srows) = read(text);
        let col = |name: &str| sheader.iter().position(|h| h == name).unwrap();
        let mut checked = 0;
        for f in &srows {
            let metric = header.iter().position(|h| *h == f[col("metric")]).unwrap();
            let v: Vec<f64> = ["0", "1"].iter().map(|r| value(&f[0], r, metric)).collect();
            let d: Vec<f64> = ["0", "1"]
                .iter()
                .zip(&v)
                .map(|(r, x)| x - value("0", r, metric))
                .collect();
            let num = |name: &str| f[col(name)].parse::<f64>().unwrap();
            let scale = v[0].abs().max(1.0);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * scale;
            if kind == "summary" {
                assert!(close(num("mean"), (v[0] + v[1]) / 2.0), "{f:?}");
                assert!(close(num("sd"), (v[0] - v[1]).abs() / 2f64.sqrt()), "{f:?}");
            } else {
                assert_eq!(f[col("baseline")], "0");
                assert!(close(num("difference"), (d[0] + d[1]) / 2.0), "{f:?}");
                if f[0] == "0" {
                    assert_eq!(num("difference"), 0.0);
                }
            }
            assert_eq!(num("n"), 2.0);
            checked += 1;
        }
        assert_eq!(checked, 16 * 2, "one {kind} row per point and metric");
    }
}
