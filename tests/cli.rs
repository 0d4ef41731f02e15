//! End-to-end tests that run the `cogov` binary as a user would.

mod common;

use common::{cogov, stderr};

fn scratch(name: &str) -> PathBuf {
    common::scratch("cli", name, true)
}

use std::path::{Path, PathBuf};
use std::process::Output;

/// A small model: few regions and agents, still several random-stream chunks per family.
const SMALL: [&str; 10] = [
    "--set",
    "world.regions=3",
    "--set",
    "enterprises.per_region=1500",
    "--set",
    "public.per_region=9000",
    "--set",
    "central.inspection_period=12",
    "--set",
    "output.regions=true",
];

fn run_small(scenario: &str, out: &Path, extra: &[&str]) -> Output {
    run_sized(scenario, out, "24", "3", extra)
}

fn run_sized(scenario: &str, out: &Path, steps: &str, replicates: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        scenario,
        "--out",
        out.to_str().unwrap(),
        "--steps",
        steps,
        "--replicates",
        replicates,
        "--quiet",
    ];
    args.extend_from_slice(&SMALL);
    args.extend_from_slice(extra);
    cogov(&args)
}

#[test]
fn outputs_are_byte_identical_for_one_and_two_threads() {
    let dir = scratch("threads");
    let (a, b) = (dir.join("t1"), dir.join("t2"));
    for (out, threads) in [(&a, "1"), (&b, "2")] {
        let o = run_small("scenarios/coordinated.toml", out, &["--threads", threads]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for file in ["timeseries.csv", "summary.csv", "regions.csv", "run.svg"] {
        let (x, y) = (
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between --threads 1 and 2");
    }
}

#[test]
fn run_writes_the_contracted_files_and_columns() {
    let dir = scratch("files");
    let out = dir.join("run");
    let o = run_small("scenarios/fragmented.toml", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "manifest.json",
        "timeseries.csv",
        "summary.csv",
        "regions.csv",
        "run.png",
        "run.svg",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header = ts.lines().next().unwrap();
    assert!(header.starts_with(
        "scenario,replicate,step,pollution_mean,target_met_share,compliance_rate,detection_rate,\
         complaints_filed,complaints_handled,complaints_lost,fines,enforcement_cost,abatement_cost,\
         compensation_paid,output,welfare,"
    ));
    assert!(header.contains("awareness_mean"));
    assert_eq!(ts.lines().count(), 1 + 3 * 24);
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("scenario,metric,mean,sd,ci95_low,ci95_high,n\n"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    for key in [
        "cogov_version",
        "scenarios",
        "seed",
        "replicates",
        "steps",
        "threads",
        "agents",
        "timing",
        "outputs",
    ] {
        assert!(manifest.get(key).is_some(), "manifest lacks {key}");
    }
    assert_eq!(manifest["steps"], 24);
    assert_eq!(manifest["agents"]["fragmented"]["enterprises"], 4500);
    assert!(
        manifest["outputs"]["timeseries.csv"]
            .as_str()
            .unwrap()
            .len()
            == 64
    );
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn existing_output_is_not_overwritten_without_force() {
    let dir = scratch("force");
    let out = dir.join("run");
    assert!(
        run_small("scenarios/fragmented.toml", &out, &[])
            .status
            .success()
    );
    let again = run_small("scenarios/fragmented.toml", &out, &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"));
    assert!(
        run_small("scenarios/fragmented.toml", &out, &["--force"])
            .status
            .success()
    );
}

/// Final-window means of a few headline metrics from a summary.csv.
#[cfg(feature = "figures")]
fn headline(out: &Path) -> Vec<f64> {
    let text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    [
        "pollution_mean",
        "compliance_rate",
        "enforcement_cost",
        "compensation_paid",
        "detection_rate",
        "complaints_lost",
    ]
    .iter()
    .map(|m| {
        let line = text
            .lines()
            .find(|l| l.split(',').nth(1) == Some(m))
            .unwrap();
        line.split(',').nth(2).unwrap().parse().unwrap()
    })
    .collect()
}

// The list of levers lives in the figures module.
#[cfg(feature = "figures")]
#[test]
fn every_one_lever_variant_changes_the_outcome() {
    let dir = scratch("levers");
    let levers = cogov::figures::LEVERS;
    let run = |scenario: &str, name: &str| {
        let out = dir.join(name);
        let o = run_sized(scenario, &out, "36", "2", &["--set", "world.regions=4"]);
        assert!(o.status.success(), "{scenario}: {}", stderr(&o));
        headline(&out)
    };
    let fragmented = run("scenarios/fragmented.toml", "fragmented");
    let coordinated = run("scenarios/coordinated.toml", "coordinated");
    for lever in levers {
        for (state, base) in [("on", &fragmented), ("off", &coordinated)] {
            let variant = run(
                &format!("scenarios/lever-{lever}-{state}.toml"),
                &format!("{lever}-{state}"),
            );
            let changed = variant
                .iter()
                .zip(base.iter())
                .any(|(v, b)| (v - b).abs() > 0.01 * b.abs().max(1e-3));
            assert!(
                changed,
                "lever-{lever}-{state} does not change any headline metric: {variant:?} vs {base:?}"
            );
        }
    }
}

#[test]
fn check_prints_the_resolved_scenario() {
    let o = cogov(&[
        "check",
        "scenarios/lever-law-off.toml",
        "--set",
        "law.fine=0.7",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("name = \"lever-law-off\""));
    assert!(
        text.contains("sharing = \"shared\""),
        "inherits coordinated"
    );
    assert!(text.contains("clarity = 0.55") && text.contains("fine = 0.7"));
    assert!(!text.contains("extends"));
}

fn bad_input(name: &str, files: &[(&str, &str)], extra: &[&str]) -> String {
    let dir = scratch(name);
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let scenario = dir.join(files[0].0);
    let mut args = vec!["check", scenario.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = cogov(&args);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{name}: expected exit 2, got {:?}: {}",
        o.status,
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"));
    stderr(&o)
}

#[test]
fn bad_input_exits_2_naming_file_key_value_and_what_is_allowed() {
    let e = bad_input("unknown", &[("s.toml", "[law]\nfien = 1.0\n")], &[]);
    assert!(
        e.contains("s.toml") && e.contains("law.fien") && e.contains("did you mean `law.fine`"),
        "{e}"
    );

    let e = bad_input("type", &[("s.toml", "[law]\nfine = \"high\"\n")], &[]);
    assert!(
        e.contains("law.fine") && e.contains("\"high\"") && e.contains("expected a number"),
        "{e}"
    );

    let e = bad_input("range", &[("s.toml", "[law]\nclarity = 1.5\n")], &[]);
    assert!(
        e.contains("law.clarity") && e.contains("1.5") && e.contains("[0, 1]"),
        "{e}"
    );

    let e = bad_input(
        "choice",
        &[("s.toml", "[information]\nsharing = \"pooled\"\n")],
        &[],
    );
    assert!(
        e.contains("information.sharing") && e.contains("\"silo\", \"shared\""),
        "{e}"
    );

    let e = bad_input("syntax", &[("s.toml", "steps = 12\n[law\nfine = 1\n")], &[]);
    assert!(e.contains("s.toml") && e.contains("line 2"), "{e}");

    let e = bad_input("parent", &[("s.toml", "extends = \"nowhere.toml\"\n")], &[]);
    assert!(
        e.contains("nowhere.toml") && e.contains("no such file"),
        "{e}"
    );

    let e = bad_input(
        "cycle",
        &[
            ("a.toml", "extends = \"b.toml\"\n"),
            ("b.toml", "extends = \"a.toml\"\n"),
        ],
        &[],
    );
    assert!(e.contains("cycle"), "{e}");

    let e = bad_input(
        "inherited",
        &[
            ("child.toml", "extends = \"parent.toml\"\n"),
            ("parent.toml", "[law]\nclarity = 2.0\n"),
        ],
        &[],
    );
    assert!(
        e.contains("parent.toml") && e.contains("law.clarity"),
        "the parent that set the value is named: {e}"
    );

    let e = bad_input("set", &[("s.toml", "")], &["--set", "law.fine=-1"]);
    assert!(
        e.contains("--set law.fine=-1") && e.contains("law.fine"),
        "{e}"
    );

    let e = bad_input(
        "set-unknown",
        &[("s.toml", "")],
        &["--set", "monitoring.coverag=0.5"],
    );
    assert!(e.contains("did you mean `monitoring.coverage`"), "{e}");

    let e = bad_input(
        "priced-without-decay",
        &[(
            "s.toml",
            "[world]\ndecay = 0.0\n[compensation]\nscheme = \"pigou\"\n",
        )],
        &[],
    );
    assert!(
        e.contains("s.toml")
            && e.contains("world.decay")
            && e.contains("compensation.scheme")
            && e.contains("(0, 1]"),
        "{e}"
    );

    let o = cogov(&["check", "does/not/exist.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does/not/exist.toml"));

    let o = cogov(&["run"]);
    assert_eq!(o.status.code(), Some(2), "usage error");
}

#[test]
fn a_general_adjacency_matrix_runs_and_rejects_bad_rows() {
    let dir = scratch("matrix");
    // A tributary (0) and a main stem (1) join at 2, which flows out of the basin.
    let scenario = dir.join("delta.toml");
    let text = format!(
        "extends = \"{}\"\n[world]\nregions = 3\ntopology = \"matrix\"\nadjacency = [[0.0, 0.0, 0.3], [0.0, 0.0, 0.2], [0.0, 0.0, 0.0]]\n",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/coordinated.toml")
            .display()
    );
    std::fs::write(&scenario, text).unwrap();
    let o = run_sized(
        scenario.to_str().unwrap(),
        &dir.join("out"),
        "12",
        "2",
        &[
            "--set",
            "enterprises.per_region=200",
            "--set",
            "public.per_region=500",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = bad_input(
        "matrix-bad",
        &[(
            "m.toml",
            "[world]\nregions = 2\ntopology = \"matrix\"\nadjacency = [[0.0, 0.95], [0.0, 0.0]]\n",
        )],
        &[],
    );
    assert!(e.contains("world.adjacency") && e.contains("row 0"), "{e}");
    let e = bad_input(
        "chain-adjacency",
        &[("c.toml", "[world]\nregions = 1\nadjacency = [[0.0]]\n")],
        &[],
    );
    assert!(e.contains("world.adjacency") && e.contains("matrix"), "{e}");
}

#[test]
fn a_river_network_runs_and_rejects_cycles_and_bad_indices() {
    let dir = scratch("tree");
    // Two tributaries (0, 1) join the main stem at 2, which reaches the sea at 3; 4 is a basin of
    // its own.
    let scenario = dir.join("network.toml");
    let text = format!(
        "extends = \"{}\"\n[world]\nregions = 5\ntopology = \"tree\"\ndownstream = [2, 2, 3, -1, -1]\n",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/coordinated.toml")
            .display()
    );
    std::fs::write(&scenario, text).unwrap();
    let out = dir.join("out");
    let o = run_sized(
        scenario.to_str().unwrap(),
        &out,
        "12",
        "1",
        &[
            "--set",
            "enterprises.per_region=200",
            "--set",
            "public.per_region=500",
            "--set",
            "output.regions=true",
            "--set",
            "world.regions=5",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let regions = std::fs::read_to_string(out.join("regions.csv")).unwrap();
    let header: Vec<&str> = regions.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (region, inflow) = (col("region"), col("inflow"));
    // Only the regions with something upstream receive an inflow.
    let mut received = [0.0f64; 5];
    for line in regions.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let r: usize = f[region].parse().unwrap();
        received[r] += f[inflow].parse::<f64>().unwrap();
    }
    assert!(received[2] > 0.0 && received[3] > 0.0, "{received:?}");
    assert_eq!((received[0], received[1], received[4]), (0.0, 0.0, 0.0));
    for (name, downstream, key) in [
        ("tree-cycle", "[1, 0, -1]", "world.downstream[0]"),
        ("tree-cycle-below", "[1, 2, 1]", "world.downstream[0]"),
        ("tree-self", "[0, -1, -1]", "world.downstream[0]"),
        ("tree-range", "[3, -1, -1]", "world.downstream[0]"),
        ("tree-length", "[-1, -1]", "world.downstream"),
    ] {
        let e = bad_input(
            name,
            &[(
                "t.toml",
                &format!("[world]\nregions = 3\ntopology = \"tree\"\ndownstream = {downstream}\n"),
            )],
            &[],
        );
        assert!(e.contains(key) && e.contains("mouth"), "{name}: {e}");
    }
}

#[test]
fn game_reproduces_a_published_stable_state_and_rejects_bad_files() {
    let dir = scratch("game");
    let out = dir.join("stage1");
    let o = cogov(&[
        "game",
        "scenarios/games/wang2023-stage1.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("asymptotically stable vertices (0,0,1)"));
    let vertices = std::fs::read_to_string(out.join("vertices.csv")).unwrap();
    assert!(vertices.starts_with("v1,v2,v3,lambda1,lambda2,lambda3,stable\n"));
    let stable: Vec<&str> = vertices.lines().filter(|l| l.ends_with(",true")).collect();
    assert_eq!(stable.len(), 1);
    assert!(stable[0].starts_with("0,0,1,"));
    let trajectories = std::fs::read_to_string(out.join("trajectories.csv")).unwrap();
    assert!(
        trajectories.starts_with("start,t,x1,x2,x3\n")
            && trajectories.lines().any(|l| l.starts_with("26,"))
    );
    for f in ["dynamics.png", "phase.svg", "abm.png", "abm.csv"] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[[populations]]\nname = \"a\"\nstrategies = [\"x\", \"y\"]\n[payoffs]\n",
    )
    .unwrap();
    let o = cogov(&[
        "game",
        bad.to_str().unwrap(),
        "--out",
        dir.join("bad").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.toml") && stderr(&o).contains("2 to 4 populations"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn validate_passes_every_anchor_and_writes_its_table() {
    let out = scratch("validate");
    let o = cogov(&[
        "validate",
        "--quick",
        "--out",
        out.to_str().unwrap(),
        "--force",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}{}", stderr(&o));
    for anchor in 1..=9 {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("{anchor} ")) && l.ends_with("pass")),
            "anchor {anchor} has no passing row:\n{stdout}"
        );
    }
    // Anchors and resolution rows all pass; observed patterns are reported whatever they give.
    let (checks, observed) = stdout
        .split_once("observed patterns on china-2020")
        .expect("the pattern table is printed");
    assert!(!checks.contains("FAIL"), "{stdout}");
    let independent = cogov::validation::PATTERNS
        .iter()
        .filter(|p| p.label == cogov::validation::Label::Independent)
        .count();
    assert_eq!(
        observed
            .lines()
            .filter(|l| l.contains("independent"))
            .count(),
        independent
    );
    for file in [
        "patterns.csv",
        "patterns.md",
        "validation.csv",
        "validation.md",
        "validation.png",
        "validation.svg",
        "resolution.csv",
        "resolution.png",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
}

#[test]
fn a_closed_stdout_does_not_crash_a_command_or_stop_its_files() {
    // `cogov validate | head -1`: the reader goes away before the table is printed.
    let out = scratch("closed-stdout");
    let mut child = common::command()
        .args([
            "validate",
            "--quick",
            "--force",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(out.join("validation.md").is_file());
}

#[test]
fn compare_writes_paired_differences_from_the_first_scenario() {
    let out = scratch("differences");
    let mut args = vec![
        "compare",
        "--out",
        out.to_str().unwrap(),
        "--steps",
        "24",
        "--replicates",
        "3",
        "--quiet",
    ];
    args.extend_from_slice(&SMALL);
    let o = cogov(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = |name: &str| -> Vec<Vec<String>> {
        std::fs::read_to_string(out.join(name))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect()
    };
    let (summary, differences) = (table("summary.csv"), table("differences.csv"));
    let mean = |scenario: &str, metric: &str| -> f64 {
        let row = summary
            .iter()
            .find(|r| r[0] == scenario && r[1] == metric)
            .unwrap();
        row[2].parse().unwrap()
    };
    assert_eq!(differences.len(), summary.len() / 2, "one row per metric");
    for d in &differences {
        assert_eq!(
            (d[0].as_str(), d[1].as_str()),
            ("coordinated", "fragmented")
        );
        // The mean of paired differences is the difference of the means.
        let expected = mean("coordinated", &d[2]) - mean("fragmented", &d[2]);
        let got: f64 = d[3].parse().unwrap();
        assert!(
            (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{d:?}"
        );
        assert_eq!(d[7], "3");
    }
}

#[test]
fn completions_source_cleanly_in_bash_and_complete_the_commands() {
    let o = cogov(&["completions", "bash"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = scratch("completions").join("cogov.bash");
    std::fs::write(&script, &o.stdout).unwrap();
    // Sourced in a clean bash, the script registers a completion for cogov; asked to complete
    // `cogov sw`, it offers `sweep`.
    let check = format!(
        "set -e; source {}; complete -p cogov; COMP_WORDS=(cogov sw); COMP_CWORD=1; COMP_LINE='cogov sw'; COMP_POINT=8; _cogov cogov sw cogov; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let o = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &check])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "sourcing printed: {}", stderr(&o));
    assert!(out.contains("-F _cogov cogov"), "{out}");
    assert!(out.lines().any(|l| l == "sweep"), "{out}");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let o = cogov(&["completions", shell]);
        assert!(o.status.success() && o.stdout.len() > 1000, "{shell}");
    }
    let o = cogov(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_manual_pages_are_roff_and_cover_every_command() {
    let o = cogov(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH cogov 1"),
        "{}",
        &page[..200]
    );
    assert!(page.contains(".TH cogov 1"), "{}", &page[..200]);
    for command in [
        "run",
        "compare",
        "sweep",
        "merge",
        "reproduce",
        "game",
        "validate",
        "plot",
    ] {
        assert!(page.contains(command), "the page lacks {command}");
        let o = cogov(&["man", command]);
        assert!(o.status.success(), "{command}: {}", stderr(&o));
        let sub = String::from_utf8_lossy(&o.stdout);
        assert!(sub.contains(&format!(".TH cogov-{command} 1")), "{command}");
    }
    let sweep = String::from_utf8_lossy(&cogov(&["man", "sweep"]).stdout).into_owned();
    assert!(sweep.contains("resume") && sweep.contains("shard"));
    let o = cogov(&["man", "swep"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no such command; one of"),
        "{}",
        stderr(&o)
    );
}
