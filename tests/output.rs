//! The output layer as a user meets it: every command's directory carries a manifest that hashes every
//! file in it; `--force` replaces a directory whole; a kill leaves the old outputs or the new ones;
//! one writer at a time; tables every reader splits the same way.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use common::{assert_manifest_matches, cogov, files_under, stderr};

fn scratch(name: &str) -> PathBuf {
    common::scratch("output", name, true)
}

/// A small run of the tiny basin: every command finishes in a fraction of a second.
fn small() -> Vec<&'static str> {
    let mut args = vec!["--steps", "12", "--replicates", "2", "--quiet"];
    args.extend(common::TINY_BASIN);
    args
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

fn run(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "scenarios/coordinated.toml",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(small());
    args.extend(extra);
    cogov(&args)
}

/// A Morris or grid experiment over a tiny basin.
fn experiment(dir: &Path, kind: &str) -> PathBuf {
    let design = match kind {
        "morris" => "kind = \"morris\"\ntrajectories = 2\nlevels = 4\nbootstrap = 20",
        _ => "kind = \"grid\"\nlevels = 2",
    };
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fragmented.toml");
    let path = dir.join(format!("{kind}.toml"));
    std::fs::write(
        &path,
        format!(
            "name = \"{kind}\"\nbase = \"{}\"\nsteps = 12\nreplicates = 2\nmetrics = [\"pollution_mean\"]\n\
             [design]\n{design}\n[[parameters]]\nkey = \"law.fine\"\nmin = 0.05\nmax = 1.0\n\
             [[parameters]]\nkey = \"monitoring.coverage\"\nmin = 0.0\nmax = 1.0\n",
            base.display()
        ),
    )
    .unwrap();
    path
}

fn sweep(exp: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--set",
        "world.regions=2",
        "--set",
        "enterprises.per_region=50",
        "--set",
        "public.per_region=0",
    ];
    args.extend(extra);
    cogov(&args)
}

#[test]
fn every_command_writes_a_manifest_that_hashes_every_file_it_wrote() {
    let dir = scratch("manifests");
    let out = |name: &str| dir.join(name);

    ok(&run(&out("run"), &["--set", "output.regions=true"]));
    let m = assert_manifest_matches(&out("run"));
    assert_eq!(m["command"], "run");
    assert_eq!(m["steps"], 12);
    assert_eq!(m["replicates"], 2);
    assert_eq!(m["threads"].as_u64().map(|t| t >= 1), Some(true));
    assert_eq!(m["overrides"][0], "world.regions=2");
    assert_eq!(m["overrides"][3], "output.regions=true");
    assert!(
        m["scenarios"][0]["resolved"]
            .as_str()
            .unwrap()
            .contains("regions = true"),
        "the resolved scenario carries the overrides"
    );
    assert!(m["git_dirty"].is_boolean() || m["git_commit"].is_null());

    let compared = out("compare");
    let mut args = vec!["compare", "--out", compared.to_str().unwrap()];
    args.extend(small());
    ok(&cogov(&args));
    assert_eq!(
        assert_manifest_matches(&out("compare"))["scenarios"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let exp = experiment(&dir, "morris");
    ok(&sweep(&exp, &out("sweep"), &["--steps", "6"]));
    let m = assert_manifest_matches(&out("sweep"));
    assert_eq!(
        m["steps"], 6,
        "the --steps override is the sweep's run size"
    );
    assert_eq!(m["overrides"].as_array().unwrap().len(), 3);
    assert!(
        m["experiment"]["resolved"]
            .as_str()
            .unwrap()
            .contains("steps = 6")
    );

    ok(&cogov(&[
        "game",
        "scenarios/games/tsebelis.toml",
        "--out",
        out("game").to_str().unwrap(),
    ]));
    let m = assert_manifest_matches(&out("game"));
    assert!(
        m["game"]["resolved"]
            .as_str()
            .unwrap()
            .contains("[payoffs]")
    );

    ok(&cogov(&[
        "validate",
        "--quick",
        "--out",
        out("validate").to_str().unwrap(),
    ]));
    let m = assert_manifest_matches(&out("validate"));
    assert!(m["inputs"]["validation/becker.toml"].is_string());

    // Redrawing keeps the manifest true to the directory and records the redraw.
    std::fs::remove_file(out("run").join("run.svg")).unwrap();
    ok(&cogov(&["plot", out("run").to_str().unwrap()]));
    let m = assert_manifest_matches(&out("run"));
    assert_eq!(m["command"], "run");
    let redrawn: Vec<&str> = m["redrawn"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(redrawn, ["run.png", "run.svg"]);

    // Nothing beside the output directories: no lock, no staging directory.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn force_replaces_the_whole_directory_and_leaves_no_earlier_file() {
    let dir = scratch("force");
    let out = dir.join("run");
    ok(&run(&out, &["--set", "output.regions=true"]));
    assert!(out.join("regions.csv").is_file());
    let o = run(&out, &[]);
    assert_eq!(o.status.code(), Some(2), "no overwrite without --force");
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    ok(&run(&out, &["--force"]));
    assert!(!out.join("regions.csv").exists(), "a stale regions.csv");
    assert_manifest_matches(&out);

    // A grid sweep over a Morris sweep: no Morris sensitivity table or figure survives.
    let swept = dir.join("sweep");
    ok(&sweep(&experiment(&dir, "morris"), &swept, &[]));
    assert!(swept.join("sensitivity.png").is_file());
    ok(&sweep(&experiment(&dir, "grid"), &swept, &["--force"]));
    for stale in ["sensitivity.png", "sensitivity.svg", "sensitivity.csv"] {
        assert!(!swept.join(stale).exists(), "a stale {stale}");
    }
    ok(&cogov(&["plot", swept.to_str().unwrap()]));
    assert!(!swept.join("sensitivity.png").exists());
    assert_manifest_matches(&swept);
}

#[test]
fn a_directory_cogov_did_not_write_is_never_replaced() {
    let dir = scratch("foreign");
    let mine = dir.join("notes");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("thesis.tex"), "years of work").unwrap();
    let o = run(&mine, &["--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not an output directory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("thesis.tex")).unwrap(),
        "years of work"
    );
    assert_eq!(files_under(&mine), ["thesis.tex"]);

    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = run(&file, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));

    // An empty directory is there to be filled.
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    ok(&run(&empty, &[]));
    assert_manifest_matches(&empty);
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let dir = scratch("lock");
    let out = dir.join("run");
    let lock = std::fs::File::create(dir.join(".run.lock")).unwrap();
    lock.lock().unwrap();
    let o = run(&out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("another cogov command is writing") && err.contains(".run.lock"),
        "{err}"
    );
    assert!(!out.exists());
    lock.unlock().unwrap();
    ok(&run(&out, &[]));
}

#[test]
fn game_and_validation_tables_have_every_row_the_width_of_their_header() {
    let dir = scratch("widths");
    let game = dir.join("game");
    ok(&cogov(&[
        "game",
        "scenarios/games/wang2023-stage3.toml",
        "--out",
        game.to_str().unwrap(),
    ]));
    let validation = dir.join("validation");
    ok(&cogov(&[
        "validate",
        "--quick",
        "--out",
        validation.to_str().unwrap(),
    ]));
    let mut checked = 0;
    for dir in [&game, &validation] {
        for name in files_under(dir).iter().filter(|n| n.ends_with(".csv")) {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(text.as_bytes());
            let width = reader.headers().unwrap().len();
            for (i, record) in reader.records().enumerate() {
                assert_eq!(record.unwrap().len(), width, "{name} row {}", i + 1);
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked} tables");
    let info = std::fs::read_to_string(game.join("info.csv")).unwrap();
    assert!(
        info.contains("title,\"Wang et al. (2023), stage 3\""),
        "{info}"
    );
}

/// A deterministic stream of kill times (fractions of a run's duration).
fn fractions(n: usize) -> Vec<f64> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64 * 1.1
        })
        .collect()
}

#[test]
fn a_force_run_killed_at_any_moment_leaves_the_old_outputs_or_the_new_ones() {
    let dir = scratch("kill-force");
    let out = dir.join("run");
    // Large tables and a figure, so that kills also land while files are written.
    let heavy = [
        "--steps",
        "60",
        "--replicates",
        "2",
        "--set",
        "world.regions=40",
        "--set",
        "enterprises.per_region=50",
        "--set",
        "public.per_region=200",
        "--set",
        "output.regions=true",
        "--quiet",
    ];
    let command = |seed: &str| -> Command {
        let mut c = common::command();
        c.args(["run", "scenarios/fragmented.toml", "--out"])
            .arg(&out)
            .args(heavy)
            .args(["--seed", seed, "--force"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let started = Instant::now();
    assert!(command("1").status().unwrap().success());
    let duration = started.elapsed();
    let seed_of = |m: &serde_json::Value| m["seed"].as_u64().unwrap();
    let mut previous = seed_of(&assert_manifest_matches(&out));
    let (mut mid_write, mut trials) = (0, 0);
    for (i, fraction) in fractions(24).into_iter().enumerate() {
        let seed = (i + 2).to_string();
        let mut child = command(&seed).spawn().unwrap();
        std::thread::sleep(duration.mul_f64(fraction));
        let staged = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".run.cogov-"))
            .any(|e| !files_under(&e.path()).is_empty());
        let _ = child.kill();
        child.wait().unwrap();
        trials += 1;
        // Either the complete old outputs or the complete new ones, never a mix.
        let manifest = assert_manifest_matches(&out);
        let seed_now = seed_of(&manifest);
        assert!(
            seed_now == previous || seed_now == i as u64 + 2,
            "trial {i}: outputs of seed {seed_now}"
        );
        if staged && seed_now == previous {
            mid_write += 1;
        }
        previous = seed_now;
    }
    eprintln!("{trials} kills, {mid_write} while files were being staged");
    assert!(trials >= 20);
    assert!(
        mid_write >= 3,
        "only {mid_write} kills landed while outputs were written"
    );
    // The next command cleans what the kills left beside the directory.
    assert!(command("99").status().unwrap().success());
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Every row of a Parquet table as text cells, in the form the CSV writes them (null: empty).
#[cfg(feature = "parquet")]
fn parquet_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let columns = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(_, f)| match f {
                    Field::Null => String::new(),
                    Field::Str(s) => s.clone(),
                    Field::Long(v) => v.to_string(),
                    Field::Double(v) => v.to_string(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect();
    (columns, rows)
}

#[cfg(feature = "parquet")]
fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let columns = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (columns, rows)
}

#[test]
#[cfg(feature = "parquet")]
fn parquet_holds_the_same_cells_as_csv_and_the_manifest_hashes_it() {
    let dir = scratch("parquet");
    let (csv, pq) = (dir.join("csv"), dir.join("parquet"));
    ok(&run(&csv, &["--set", "output.regions=true"]));
    ok(&run(
        &pq,
        &["--set", "output.regions=true", "--format", "parquet"],
    ));
    for stem in ["timeseries", "regions"] {
        assert!(!pq.join(format!("{stem}.csv")).exists());
        let (c1, r1) = csv_rows(&csv.join(format!("{stem}.csv")));
        let (c2, r2) = parquet_rows(&pq.join(format!("{stem}.parquet")));
        assert_eq!(c1, c2, "{stem}");
        assert!(!r1.is_empty());
        // Integral numbers print as "3" in CSV and as "3" from a double here too: cell for cell.
        assert_eq!(r1, r2, "{stem}");
    }
    // The small tables stay CSV, byte for byte; the figure is the same figure.
    for name in ["summary.csv", "run.svg"] {
        assert_eq!(
            std::fs::read(csv.join(name)).unwrap(),
            std::fs::read(pq.join(name)).unwrap(),
            "{name}"
        );
    }
    let manifest = assert_manifest_matches(&pq);
    assert!(manifest["outputs"]["timeseries.parquet"].is_string());
    // The same run, the same bytes.
    let again = dir.join("again");
    ok(&run(
        &again,
        &[
            "--set",
            "output.regions=true",
            "--format",
            "parquet",
            "--threads",
            "1",
        ],
    ));
    assert_eq!(
        std::fs::read(pq.join("timeseries.parquet")).unwrap(),
        std::fs::read(again.join("timeseries.parquet")).unwrap()
    );
}

#[test]
#[cfg(feature = "parquet")]
fn a_sweep_in_parquet_keeps_its_csv_record_and_adds_the_same_results() {
    let dir = scratch("parquet-sweep");
    let grid = dir.join("grid.toml");
    std::fs::write(
        &grid,
        format!(
            "name = \"grid\"\nbase = \"{}\"\nsteps = 6\nreplicates = 2\n\
             metrics = [\"pollution_mean\"]\n[design]\nkind = \"grid\"\nlevels = 3\n\
             [[parameters]]\nkey = \"law.fine\"\nmin = 0.05\nmax = 1.6\n\
             [[parameters]]\nkey = \"information.sharing\"\nvalues = [\"silo\", \"shared\"]\n",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios/fragmented.toml")
                .display()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let mut args = vec![
        "sweep",
        grid.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "parquet",
    ];
    args.extend(small());
    ok(&cogov(&args));
    let (c1, r1) = csv_rows(&out.join("results.csv"));
    let (c2, r2) = parquet_rows(&out.join("results.parquet"));
    assert_eq!((c1, r1.len()), (c2, 12));
    assert_eq!(r1, r2);
    assert_manifest_matches(&out);
}

#[test]
fn format_parquet_is_refused_where_every_table_is_small() {
    let dir = scratch("parquet-refused");
    let o = cogov(&[
        "calibrate",
        "scenarios/calibration/china-2020-quick.toml",
        "--format",
        "parquet",
        "--out",
        dir.join("c").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--format applies to run, compare and sweep"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("c").exists());
}
