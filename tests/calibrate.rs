//! `cogov calibrate`: a known posterior recovered, and shards, resumes and thread counts that end with
//! the bytes of one uninterrupted run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cogov;

fn scratch(name: &str) -> PathBuf {
    common::scratch("calibrate", name, true)
}

fn calibrate(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "calibrate",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    cogov(&args)
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", common::stderr(o));
}

/// Weighted mean and standard deviation of column `column` of `posterior.csv`.
fn posterior_moments(dir: &Path, column: &str) -> (f64, f64, usize) {
    let text = std::fs::read_to_string(dir.join("posterior.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (w, x) = (at("weight"), at(column));
    let rows: Vec<(f64, f64)> = lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[w].parse().unwrap(), c[x].parse().unwrap())
        })
        .collect();
    let total: f64 = rows.iter().map(|r| r.0).sum();
    let mean = rows.iter().map(|(w, x)| w * x).sum::<f64>() / total;
    let var = rows
        .iter()
        .map(|(w, x)| w * (x - mean).powi(2))
        .sum::<f64>()
        / total;
    (mean, var.sqrt(), rows.len())
}

/// Beta(71, 31): the posterior of the miss rate after 30 of 100 violations were found, under a
/// uniform prior.
const BETA_MEAN: f64 = 71.0 / 102.0;
fn beta_sd() -> f64 {
    (71.0f64 * 31.0 / (102.0 * 102.0 * 103.0)).sqrt()
}

#[test]
fn smc_recovers_the_beta_posterior_of_a_binomial_detection_count() {
    let dir = scratch("smc");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calibration/binomial.toml");
    let out = dir.join("out");
    ok(&calibrate(&file, &out, &[]));
    let (mean, sd, n) = posterior_moments(&out, "departments.inspector_miss");
    assert_eq!(n, 300);
    // Tolerances: three times the spread of the posterior mean (0.005) and sd (6%) over five seeds.
    assert!(
        (mean - BETA_MEAN).abs() < 0.015,
        "mean {mean} vs {BETA_MEAN}"
    );
    assert!(
        (sd / beta_sd() - 1.0).abs() < 0.2,
        "sd {sd} vs {}",
        beta_sd()
    );
    // The predictive mean of the detection share lies in the accepted 0.25–0.35 (prior draws
    // would give a mean of 0.5).
    let predictive = std::fs::read_to_string(out.join("predictive.csv")).unwrap();
    let mut lines = predictive.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |c: &str| row[header.iter().position(|h| *h == c).unwrap()];
    let mean: f64 = at("predictive_mean").parse().unwrap();
    assert!((0.25..=0.35).contains(&mean), "{predictive}");
    assert_eq!(at("predictive_pass"), "true", "{predictive}");
    common::assert_manifest_matches(&out);
    let calibrated = out.join("calibrated.toml");
    let o = cogov(&["check", calibrated.to_str().unwrap()]);
    ok(&o);
}

#[test]
fn rejection_with_exact_matches_samples_the_beta_posterior() {
    let dir = scratch("rejection");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/validation/binomial.toml");
    // 20,000 prior draws; about 1 in 101 gives exactly 30 detections, so the 150 closest all do.
    let file = dir.join("rejection.toml");
    std::fs::write(
        &file,
        format!(
            r#"base = "{}"
seed = 5
replicates = 1
[method]
kind = "rejection"
particles = 150
simulations = 20000
[[parameters]]
key = "departments.inspector_miss"
min = 0.0
max = 1.0
[[targets]]
indicator = "detection_rate"
observed = 0.3
scale = 0.05
"#,
            base.display()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    ok(&calibrate(&file, &out, &[]));
    let history = std::fs::read_to_string(out.join("generations.csv")).unwrap();
    assert_eq!(history.lines().count(), 2, "{history}");
    assert!(
        history.lines().nth(1).unwrap().starts_with("0,20000,0,"),
        "{history}"
    );
    let (mean, sd, _) = posterior_moments(&out, "departments.inspector_miss");
    // Independent exact draws: the mean within 3 standard errors, the sd within 20%.
    let se = beta_sd() / 150f64.sqrt();
    assert!(
        (mean - BETA_MEAN).abs() < 3.0 * se,
        "mean {mean} vs {BETA_MEAN} ± {se}"
    );
    assert!(
        (sd / beta_sd() - 1.0).abs() < 0.2,
        "sd {sd} vs {}",
        beta_sd()
    );
}

/// A small SMC calibration of two parameters of a tiny basin: 3 generations of 40 simulations.
fn small(dir: &Path) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/china-2020.toml");
    let file = dir.join("small.toml");
    std::fs::write(
        &file,
        format!(
            r#"name = "small"
base = "{}"
steps = 24
replicates = 2
predictive = 6
report = ["reoffences"]
[method]
kind = "smc"
particles = 12
simulations = 40
generations = 3
min_acceptance = 0.0
[[parameters]]
key = "departments.budget"
[[parameters]]
key = "complaints.rate_per_1000"
[[targets]]
pattern = "sanctions_per_source"
[[targets]]
pattern = "complaints_per_1000"
"#,
            base.display()
        ),
    )
    .unwrap();
    file
}

const TINY: [&str; 8] = [
    "--set",
    "world.regions=2",
    "--set",
    "enterprises.per_region=60",
    "--set",
    "public.per_region=200",
    "--set",
    "output.window=6",
];

fn same_files(a: &Path, b: &Path) {
    for f in [
        "simulations.csv",
        "posterior.csv",
        "generations.csv",
        "posterior-summary.csv",
        "predictive.csv",
        "predictive-draws.csv",
        "calibrated.toml",
        "pairs.png",
        "pairs.svg",
        "predictive.png",
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
fn shards_merges_resumes_and_threads_give_the_same_bytes() {
    let dir = scratch("bytes");
    let file = small(&dir);
    let run = |out: &Path, extra: &[&str]| {
        let mut args = TINY.to_vec();
        args.extend_from_slice(extra);
        calibrate(&file, out, &args)
    };
    let whole = dir.join("whole");
    ok(&run(&whole, &["--threads", "2"]));
    let sims = std::fs::read_to_string(whole.join("simulations.csv")).unwrap();
    assert_eq!(sims.lines().count(), 1 + 3 * 40);
    common::assert_manifest_matches(&whole);
    let predictive = std::fs::read_to_string(whole.join("predictive.csv")).unwrap();
    assert!(
        predictive.contains("reoffences,independent,false"),
        "{predictive}"
    );

    let one = dir.join("one-thread");
    ok(&run(&one, &["--threads", "1"]));
    same_files(&whole, &one);

    // Generation 0 on two shards, merged; generation 1 on three shards from the merge, merged;
    // then the rest by --resume.
    let shard = |i: u32, n: u32, from: Option<&Path>| {
        let out = dir.join(format!("g{}-s{i}", from.is_some() as u8));
        let s = format!("{i}/{n}");
        let mut extra = vec!["--shard", s.as_str()];
        if let Some(f) = from {
            extra.extend(["--from", f.to_str().unwrap()]);
        }
        ok(&run(&out, &extra));
        out
    };
    let merge = |dirs: &[PathBuf], out: &Path| {
        let mut args = vec!["merge"];
        args.extend(dirs.iter().rev().map(|d| d.to_str().unwrap()));
        args.extend(["--out", out.to_str().unwrap()]);
        ok(&cogov(&args));
    };
    let m0 = dir.join("m0");
    merge(&[shard(0, 2, None), shard(1, 2, None)], &m0);
    let m1 = dir.join("m1");
    merge(
        &[
            shard(0, 3, Some(&m0)),
            shard(1, 3, Some(&m0)),
            shard(2, 3, Some(&m0)),
        ],
        &m1,
    );
    // A merge that leaves a shard out is refused.
    let o = cogov(&[
        "merge",
        dir.join("g1-s0").to_str().unwrap(),
        "--out",
        dir.join("bad").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    ok(&run(&m1, &["--resume"]));
    same_files(&whole, &m1);

    // A calibration killed mid-generation: its checkpoint holds the identity and a partial file of
    // generation 0, 17 rows of generation 1 and half a row.
    let checkpoint = dir.join(".killed.cogov-AbCdE12345");
    std::fs::create_dir(&checkpoint).unwrap();
    std::fs::copy(
        whole.join("calibration.json"),
        checkpoint.join("calibration.json"),
    )
    .unwrap();
    let lines: Vec<&str> = sims.split_inclusive('\n').collect();
    let mut partial: String = lines[..1 + 40 + 17].concat();
    partial.push_str(&lines[58][..lines[58].len() / 2]);
    std::fs::write(checkpoint.join("simulations.csv.partial"), partial).unwrap();
    let killed = dir.join("killed");
    let o = run(&killed, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(
        common::stderr(&o).contains("--resume"),
        "{}",
        common::stderr(&o)
    );
    ok(&run(&killed, &["--resume"]));
    same_files(&whole, &killed);
    assert!(!checkpoint.exists());

    // A finished calibration resumes to itself; another calibration's directory is refused.
    let before = common::files_under(&killed);
    ok(&run(&killed, &["--resume"]));
    assert_eq!(common::files_under(&killed), before);
    let o = run(&killed, &["--resume", "--set", "law.fine=0.2"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
}

#[test]
fn bad_calibrations_exit_2_with_a_located_message() {
    let dir = scratch("bad");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/china-2020.toml");
    let cases = [
        ("[method]\nkind = \"mcmc\"", "method.kind"),
        (
            "[method]\nkind = \"smc\"\nparticles = 5",
            "method.simulations",
        ),
        ("[method]\nkind = \"rejection\"\ngenerations = 3", "method"),
        (
            "[[parameters]]\nkey = \"law.nonsense\"",
            "parameters[1].key",
        ),
        (
            "[[parameters]]\nkey = \"information.sharing\"",
            "parameters[1].key",
        ),
        (
            "[[targets]]\npattern = \"no_such_row\"",
            "targets[1].pattern",
        ),
        (
            "[[targets]]\nindicator = \"pollution_mean\"",
            "targets[1].observed",
        ),
        ("report = [\"nothing\"]", "report[0]"),
    ];
    for (i, (extra, key)) in cases.iter().enumerate() {
        let method = if extra.starts_with("[method]") {
            ""
        } else {
            "[method]\nkind = \"smc\"\n"
        };
        // `report` is a top-level key: it goes before any table.
        let (top, tail) = if extra.starts_with("report") {
            (*extra, "")
        } else {
            ("", *extra)
        };
        let text = format!(
            "{top}\nbase = \"{}\"\n{method}[[parameters]]\nkey = \"law.fine\"\n[[targets]]\npattern = \"report_gap\"\n{tail}\n",
            base.display()
        );
        let file = dir.join(format!("bad{i}.toml"));
        std::fs::write(&file, text).unwrap();
        let o = calibrate(&file, &dir.join(format!("out{i}")), &[]);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{key}: {err}");
        assert!(err.contains(key) && err.contains("bad"), "{key}: {err}");
        assert!(!dir.join(format!("out{i}")).exists(), "{key}: wrote output");
    }
}

#[test]
fn compare_over_the_shipped_posterior_is_the_same_for_any_thread_count() {
    let dir = scratch("posterior");
    let posterior = "scenarios/calibration/china-2020/posterior.csv";
    let run = |out: &Path, threads: &str| {
        let mut args = vec![
            "compare",
            "--posterior",
            posterior,
            "--draws",
            "3",
            "--replicates",
            "2",
            "--steps",
            "24",
            "--threads",
            threads,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(&TINY);
        cogov(&args)
    };
    let (a, b) = (dir.join("a"), dir.join("b"));
    let o = run(&a, "1");
    ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("coordinated: pollution"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    ok(&run(&b, "2"));
    for f in ["posterior-effects.csv", "posterior-draws.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    common::assert_manifest_matches(&a);
    let effects = std::fs::read_to_string(a.join("posterior-effects.csv")).unwrap();
    // One row per headline metric of coordinated against fragmented, over the 3 draws.
    assert_eq!(effects.lines().count(), 1 + 6, "{effects}");
    assert!(
        effects
            .lines()
            .all(|l| l.ends_with(",3") || l.starts_with("scenario"))
    );

    // A file that is not a posterior is refused, naming it.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "particle,law.fine\n0,0.1\n").unwrap();
    let o = cogov(&[
        "compare",
        "--posterior",
        bad.to_str().unwrap(),
        "--out",
        dir.join("c").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(
        common::stderr(&o).contains("bad.csv"),
        "{}",
        common::stderr(&o)
    );
    assert!(!dir.join("c").exists());
}
