//! Running an experiment: `cogov sweep` and `cogov merge`.
//!
//! Runs (design point × replicate) go in batches across threads; each finished batch is appended, in
//! run order, to `results.csv.partial` and flushed to disk, so memory stays bounded and a killed sweep
//! loses at most one batch. `--resume` keeps the complete rows of the partial file and runs the rest.
//! `--shard I/N` runs the I-th of N contiguous ranges of design points, so the shards' results,
//! concatenated in shard order by `cogov merge`, are the unsplit results byte for byte. The per-point
//! `summary.csv` and the sensitivity indices are computed from `results.csv` itself, so a merged sweep
//! gets the same tables.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::ProgressBar;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use toml::Value;

use super::design::{self, Design};
use super::{DesignKind, Experiment, Parameter, Range, sensitivity};
use crate::error::{Error, InputError, Result};
use crate::model::World;
use crate::model::observe::StepRecord;
use crate::output::OutputDir;
use crate::output::stats::{paired, summarize};
use crate::output::tables::csv_rows;
use crate::plot;
use crate::scenario::{Params, with_overrides};

/// Runs per batch: the unit of parallel work and of checkpointing.
const BATCH: usize = 64;
const PARTIAL: &str = "results.csv.partial";
const IDENTITY: &str = "sweep.json";

/// Options of `cogov sweep`.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    pub out: Option<PathBuf>,
    /// (index, count): run the index-th of count shards.
    pub shard: Option<(u32, u32)>,
    pub resume: bool,
    pub force: bool,
    pub progress: bool,
}

/// Everything needed to recompute sensitivity from results, and to check that shards belong together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Identity {
    experiment: String,
    digest: String,
    cogov_version: String,
    git_commit: Option<String>,
    shard: u32,
    shards: u32,
    first_point: usize,
    end_point: usize,
    points: usize,
    replicates: u32,
    seed: u64,
    design: DesignSpec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DesignSpec {
    kind: String,
    size: [u32; 2],
    bootstrap: u32,
    parameters: Vec<ParamSpec>,
    metrics: Vec<String>,
}

/// A varied key as recorded in `sweep.json`; min and max are absent for listed levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ParamSpec {
    key: String,
    min: Option<f64>,
    max: Option<f64>,
    log: bool,
    integer: bool,
}

impl DesignSpec {
    fn new(exp: &Experiment) -> Self {
        let (kind, size) = match exp.kind {
            DesignKind::Grid { levels } => ("grid", [levels, 0]),
            DesignKind::Lhs { points } => ("lhs", [points, 0]),
            DesignKind::Morris {
                trajectories,
                levels,
            } => ("morris", [trajectories, levels]),
            DesignKind::Sobol { samples } => ("sobol", [samples, 0]),
        };
        let parameters = exp
            .parameters
            .iter()
            .map(|p| {
                let (min, max, log) = match p.range {
                    Range::Continuous { min, max, log } => (Some(min), Some(max), log),
                    Range::Levels(_) => (None, None, false),
                };
                ParamSpec {
                    key: p.key.clone(),
                    min,
                    max,
                    log,
                    integer: p.integer,
                }
            })
            .collect();
        DesignSpec {
            kind: kind.into(),
            size,
            bootstrap: exp.bootstrap,
            parameters,
            metrics: exp
                .metrics
                .iter()
                .map(|&m| StepRecord::COLUMNS[m].to_string())
                .collect(),
        }
    }

    /// The design kind and continuous parameters, for Morris and Sobol designs.
    fn sensitivity_design(&self) -> Option<(DesignKind, Vec<Parameter>)> {
        let kind = match self.kind.as_str() {
            "morris" => DesignKind::Morris {
                trajectories: self.size[0],
                levels: self.size[1],
            },
            "sobol" => DesignKind::Sobol {
                samples: self.size[0],
            },
            _ => return None,
        };
        let params = self
            .parameters
            .iter()
            .map(|p| {
                Some(Parameter {
                    key: p.key.clone(),
                    range: Range::Continuous {
                        min: p.min?,
                        max: p.max?,
                        log: p.log,
                    },
                    integer: p.integer,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some((kind, params))
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn overrides(exp: &Experiment, row: &[Value]) -> Vec<(String, Value)> {
    exp.parameters
        .iter()
        .zip(row)
        .map(|(p, v)| (p.key.clone(), v.clone()))
        .collect()
}

fn header(exp: &Experiment) -> String {
    let params: Vec<&str> = exp.parameters.iter().map(|p| p.key.as_str()).collect();
    let metrics: Vec<&str> = exp
        .metrics
        .iter()
        .map(|&m| StepRecord::COLUMNS[m])
        .collect();
    format!(
        "point,replicate,{},{}\n",
        params.join(","),
        metrics.join(",")
    )
}

fn design_csv(exp: &Experiment, design: &Design) -> String {
    let params: Vec<&str> = exp.parameters.iter().map(|p| p.key.as_str()).collect();
    let mut out = format!("point,{}\n", params.join(","));
    for (i, row) in design.rows.iter().enumerate() {
        let values: Vec<String> = row.iter().map(text).collect();
        out.push_str(&format!("{i},{}\n", values.join(",")));
    }
    out
}

/// One run: the final-window means of the kept metrics, as a CSV row.
fn run_one(
    exp: &Experiment,
    params: &Params,
    point: usize,
    replicate: u32,
    row: &[Value],
) -> Result<String> {
    let mut world = World::new(params, replicate);
    let steps = params.s.steps as usize;
    let window = (params.s.output.window as usize).min(steps);
    let mut sums = vec![0.0; exp.metrics.len()];
    for t in 0..steps {
        let record = world.step().map_err(|e| {
            Error::Invariant(format!(
                "experiment `{}`, point {point}, replicate {replicate}: {e}",
                exp.name
            ))
        })?;
        if t >= steps - window {
            let values = record.values();
            for (s, &m) in sums.iter_mut().zip(&exp.metrics) {
                *s += values[m];
            }
        }
    }
    let mut line = format!("{point},{replicate}");
    for v in row {
        line.push(',');
        line.push_str(&text(v));
    }
    for s in sums {
        line.push_str(&format!(",{}", s / window as f64));
    }
    line.push('\n');
    Ok(line)
}

/// Validate every design point up front, so a bad range fails before hours of running.
fn check_points(exp: &Experiment, design: &Design) -> Result<()> {
    for (i, row) in design.rows.iter().enumerate() {
        with_overrides(
            &exp.base,
            &overrides(exp, row),
            &format!("{} (design point {i})", exp.file.display()),
        )?;
    }
    Ok(())
}

/// Points [first, end) of shard `index` of `count`.
fn shard_range(points: usize, shard: Option<(u32, u32)>) -> (usize, usize) {
    match shard {
        None => (0, points),
        Some((i, n)) => (
            points * i as usize / n as usize,
            points * (i as usize + 1) / n as usize,
        ),
    }
}

/// Keep the complete rows of a partial results file (a kill may leave half a line); returns how many.
fn recover_partial(path: &Path, header: &str) -> Result<usize> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let mut content = String::new();
    file.read_to_string(&mut content)
        .map_err(|e| Error::io(path, e))?;
    if !content.starts_with(header) {
        return Err(InputError::Usage(format!(
            "{}: not a results file of this experiment; cannot resume",
            path.display()
        ))
        .into());
    }
    let complete = content.rfind('\n').map_or(0, |i| i + 1);
    file.set_len(complete as u64)
        .map_err(|e| Error::io(path, e))?;
    file.seek(SeekFrom::End(0))
        .map_err(|e| Error::io(path, e))?;
    Ok(content[header.len()..complete].lines().count())
}

/// `cogov sweep`: run (a shard of) an experiment into its output directory.
pub fn sweep(exp: &Experiment, opts: &SweepOptions, threads: usize) -> Result<PathBuf> {
    let started = Instant::now();
    let design = design::build(exp.kind, &exp.parameters, exp.base.s.seed);
    check_points(exp, &design)?;
    let (first, end) = shard_range(design.rows.len(), opts.shard);
    let (shard, shards) = opts.shard.unwrap_or((0, 1));
    let default_out = match opts.shard {
        None => PathBuf::from("output/sweep").join(&exp.name),
        Some((i, n)) => {
            PathBuf::from("output/sweep").join(format!("{}-shard-{i}-of-{n}", exp.name))
        }
    };
    let out_path = opts.out.clone().unwrap_or(default_out);
    let identity = Identity {
        experiment: exp.name.clone(),
        digest: exp.digest(),
        cogov_version: env!("CARGO_PKG_VERSION").into(),
        git_commit: crate::output::manifest::git_commit(),
        shard,
        shards,
        first_point: first,
        end_point: end,
        points: design.rows.len(),
        replicates: exp.base.s.replicates,
        seed: exp.base.s.seed,
        design: DesignSpec::new(exp),
    };
    let mut out = if opts.resume {
        let existing = read_identity(&out_path)?;
        if existing != identity {
            return Err(InputError::Usage(format!(
                "{} holds a sweep of another experiment, shard or code version; cannot resume it",
                out_path.display()
            ))
            .into());
        }
        OutputDir::create(&out_path, true)?
    } else {
        OutputDir::create(&out_path, opts.force)?
    };
    out.write(
        IDENTITY,
        serde_json::to_string_pretty(&identity)
            .expect("serializes")
            .as_bytes(),
    )?;
    out.write("design.csv", design_csv(exp, &design).as_bytes())?;

    let header = header(exp);
    let partial = out.path(PARTIAL);
    let finished = out.path("results.csv").is_file() && !partial.exists() && opts.resume;
    let done = if finished {
        usize::MAX
    } else if opts.resume && partial.exists() {
        recover_partial(&partial, &header)?
    } else {
        let mut f = File::create(&partial).map_err(|e| Error::io(&partial, e))?;
        f.write_all(header.as_bytes())
            .map_err(|e| Error::io(&partial, e))?;
        0
    };
    let replicates = exp.base.s.replicates as usize;
    let runs: Vec<(usize, u32)> = (first..end)
        .flat_map(|p| (0..replicates as u32).map(move |r| (p, r)))
        .skip(done)
        .collect();
    let bar = if opts.progress {
        ProgressBar::new(runs.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} runs, {per_sec}, ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(exp.name.clone());
    if !runs.is_empty() {
        let mut file = OpenOptions::new()
            .append(true)
            .open(&partial)
            .map_err(|e| Error::io(&partial, e))?;
        for batch in runs.chunks(BATCH) {
            let lines = batch
                .par_iter()
                .map(|&(point, replicate)| {
                    let row = &design.rows[point];
                    let params = with_overrides(&exp.base, &overrides(exp, row), "experiment")?;
                    let line = run_one(exp, &params, point, replicate, row);
                    bar.inc(1);
                    line
                })
                .collect::<Result<Vec<String>>>()?;
            file.write_all(lines.concat().as_bytes())
                .map_err(|e| Error::io(&partial, e))?;
            file.sync_data().map_err(|e| Error::io(&partial, e))?;
        }
    }
    bar.finish_and_clear();
    if !finished {
        fs::rename(&partial, out.path("results.csv")).map_err(|e| Error::io(&partial, e))?;
    }
    out.record("results.csv")?;
    let run_seconds = started.elapsed().as_secs_f64();
    finish(&mut out, &identity, shards == 1, run_seconds, threads)?;
    Ok(out.root().to_path_buf())
}

fn read_identity(dir: &Path) -> Result<Identity> {
    let path = dir.join(IDENTITY);
    let text = fs::read_to_string(&path).map_err(|e| {
        InputError::Usage(format!("{}: not a sweep directory ({e})", path.display()))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        InputError::Usage(format!(
            "{}: unreadable sweep identity: {e}",
            path.display()
        ))
        .into()
    })
}

/// Per-point summary, sensitivity (when the design has one) and the manifest.
fn finish(
    out: &mut OutputDir,
    id: &Identity,
    complete: bool,
    run_seconds: f64,
    threads: usize,
) -> Result<()> {
    let started = Instant::now();
    if complete {
        write_tables(out, id)?;
    }
    let manifest = serde_json::json!({
        "cogov_version": id.cogov_version,
        "git_commit": id.git_commit,
        "command": "sweep",
        "experiment": id.experiment,
        "experiment_sha256": id.digest,
        "seed": id.seed,
        "replicates": id.replicates,
        "design": id.design,
        "points": id.points,
        "shard": format!("{}/{}", id.shard, id.shards),
        "shard_points": [id.first_point, id.end_point],
        "threads": threads,
        "timing": { "run_seconds": run_seconds, "output_seconds": started.elapsed().as_secs_f64() },
        "outputs": out.hashes,
    });
    out.write(
        "manifest.json",
        (serde_json::to_string_pretty(&manifest).expect("serializes") + "\n").as_bytes(),
    )
}

/// One parameter's estimates: rows of `sensitivity.csv` and a row of the figure.
fn push_indices(
    csv: &mut String,
    rows: &mut Vec<plot::IndexRow>,
    metric: &str,
    parameter: &str,
    written: &[(&'static str, sensitivity::Estimate)],
    drawn: &[(&'static str, sensitivity::Estimate)],
) {
    for (name, e) in written {
        csv.push_str(&format!(
            "{metric},{parameter},{name},{},{},{}\n",
            e.value, e.low, e.high
        ));
    }
    rows.push(plot::IndexRow {
        parameter: parameter.to_string(),
        estimates: drawn.to_vec(),
    });
}

struct SensitivityTable {
    csv: String,
    panels: Vec<plot::IndexPanel>,
}

/// One design point as read back from `results.csv`: its parameter values (as written) and, by
/// replicate, the kept metrics.
struct PointResults<'a> {
    values: Vec<&'a str>,
    replicates: Vec<Vec<f64>>,
}

/// Parse `results.csv` text into its design points, each replicate in replicate order.
fn read_points(
    results: &str,
    points: usize,
    params: usize,
    metrics: usize,
) -> Result<Vec<PointResults<'_>>> {
    let mut rows: Vec<Vec<(usize, Vec<f64>)>> = vec![Vec::new(); points];
    let mut values = vec![Vec::new(); points];
    for row in csv_rows(results, "results.csv", 2 + params + metrics)? {
        let index = |i: usize| row.fields[i].parse::<usize>().ok();
        let (Some(point), Some(replicate)) = (index(0), index(1)) else {
            return Err(row.malformed());
        };
        if point >= points {
            return Err(row.malformed());
        }
        let metric_values = (2 + params..row.fields.len())
            .map(|i| row.num(i))
            .collect::<Result<Vec<f64>>>()?;
        values[point] = row.fields[2..2 + params].to_vec();
        rows[point].push((replicate, metric_values));
    }
    if rows.iter().any(Vec::is_empty) {
        return Err(Error::Other("results.csv lacks some design points".into()));
    }
    Ok(rows
        .into_iter()
        .zip(values)
        .map(|(mut reps, values)| {
            reps.sort_by_key(|r| r.0);
            PointResults {
                values,
                replicates: reps.into_iter().map(|r| r.1).collect(),
            }
        })
        .collect())
}

/// Mean of each kept metric per design point, over replicates.
fn point_means(points: &[PointResults]) -> Vec<Vec<f64>> {
    points
        .iter()
        .map(|p| {
            let n = p.replicates.len() as f64;
            (0..p.replicates[0].len())
                .map(|m| p.replicates.iter().map(|r| r[m]).sum::<f64>() / n)
                .collect()
        })
        .collect()
}

/// `summary.csv`: per design point and metric, the mean over replicates with its 95% interval, and the
/// paired difference from point 0 (every point runs the same seeds, replicate by replicate).
fn point_summary(id: &Identity, results: &str) -> Result<String> {
    let params = &id.design.parameters;
    let metrics = &id.design.metrics;
    let points = read_points(results, id.points, params.len(), metrics.len())?;
    let mut csv = String::from("point");
    for p in params {
        csv.push(',');
        csv.push_str(&p.key);
    }
    csv.push_str(",metric,mean,ci95_low,ci95_high,diff_vs_point0,diff_ci95_low,diff_ci95_high,n\n");
    let column =
        |p: &PointResults, m: usize| p.replicates.iter().map(|r| r[m]).collect::<Vec<f64>>();
    for (i, point) in points.iter().enumerate() {
        for (m, metric) in metrics.iter().enumerate() {
            let s = summarize(&column(point, m));
            let d = paired(&column(point, m), &column(&points[0], m));
            let cells: Vec<String> = [s.mean, s.ci_low, s.ci_high, d.mean, d.ci_low, d.ci_high]
                .iter()
                .map(|v| {
                    if v.is_finite() {
                        v.to_string()
                    } else {
                        String::new()
                    }
                })
                .collect();
            csv.push_str(&format!(
                "{i},{},{metric},{},{}\n",
                point.values.join(","),
                cells.join(","),
                s.n
            ));
        }
    }
    Ok(csv)
}

fn sensitivity_table(
    id: &Identity,
    kind: DesignKind,
    params: &[Parameter],
    results: &str,
) -> Result<SensitivityTable> {
    let k = params.len();
    let metrics = &id.design.metrics;
    let means = point_means(&read_points(results, id.points, k, metrics.len())?);
    let mut csv = String::from("metric,parameter,index,estimate,ci95_low,ci95_high\n");
    let mut panels = Vec::new();
    for (m, metric) in metrics.iter().enumerate() {
        let y: Vec<f64> = means.iter().map(|row| row[m]).collect();
        let mut rows: Vec<plot::IndexRow> = Vec::new();
        match kind {
            DesignKind::Sobol { samples } => {
                let n = samples as usize;
                let fab: Vec<Vec<f64>> = (0..k)
                    .map(|i| y[(2 + i) * n..(3 + i) * n].to_vec())
                    .collect();
                let indices =
                    sensitivity::sobol(&y[..n], &y[n..2 * n], &fab, id.design.bootstrap, id.seed);
                for (p, s) in params.iter().zip(&indices) {
                    let estimates = [("S1", s.first), ("ST", s.total)];
                    push_indices(&mut csv, &mut rows, metric, &p.key, &estimates, &estimates);
                }
            }
            DesignKind::Morris { .. } => {
                let design = design::build(kind, params, id.seed);
                let indices =
                    sensitivity::morris(&y, &design.moves, k, id.design.bootstrap, id.seed);
                for (p, s) in params.iter().zip(&indices) {
                    let written = [("mu_star", s.mu_star), ("mu", s.mu), ("sigma", s.sigma)];
                    let drawn = [("μ*", s.mu_star), ("σ", s.sigma)];
                    push_indices(&mut csv, &mut rows, metric, &p.key, &written, &drawn);
                }
            }
            _ => unreachable!("only Morris and Sobol designs have sensitivity tables"),
        }
        // Most important first: by total index (Sobol) or μ* (Morris).
        let importance = |r: &plot::IndexRow| {
            r.estimates
                .iter()
                .find(|e| e.0 == "ST" || e.0 == "μ*")
                .map_or(0.0, |e| e.1.value)
        };
        rows.sort_by(|a, b| importance(b).total_cmp(&importance(a)));
        if panels.len() < 4 {
            panels.push(plot::IndexPanel {
                metric: metric.clone(),
                rows,
            });
        }
    }
    Ok(SensitivityTable { csv, panels })
}

/// `cogov merge DIR…`: combine complete shard directories into one sweep directory.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<PathBuf> {
    let started = Instant::now();
    let mut shards: Vec<(Identity, &PathBuf)> = dirs
        .iter()
        .map(|d| Ok((read_identity(d)?, d)))
        .collect::<Result<_>>()?;
    shards.sort_by_key(|(id, _)| id.shard);
    let first = shards
        .first()
        .ok_or_else(|| InputError::Usage("merge needs at least one shard directory".into()))?
        .0
        .clone();
    let same = |a: &Identity, b: &Identity| {
        a.digest == b.digest
            && a.cogov_version == b.cogov_version
            && a.git_commit == b.git_commit
            && a.shards == b.shards
    };
    for (id, dir) in &shards {
        if !same(id, &first) {
            return Err(InputError::Usage(format!(
                "{} comes from another experiment or code version than {}",
                dir.display(),
                shards[0].1.display()
            ))
            .into());
        }
    }
    let indices: Vec<u32> = shards.iter().map(|(id, _)| id.shard).collect();
    if indices != (0..first.shards).collect::<Vec<_>>() {
        return Err(InputError::Usage(format!(
            "merge needs each of the {} shards exactly once; got shards {indices:?}",
            first.shards
        ))
        .into());
    }
    let design = fs::read(shards[0].1.join("design.csv"))
        .map_err(|e| Error::io(shards[0].1.join("design.csv"), e))?;
    let mut results = String::new();
    for (i, (_, dir)) in shards.iter().enumerate() {
        let path = dir.join("results.csv");
        let text = fs::read_to_string(&path).map_err(|_| {
            InputError::Usage(format!(
                "{}: missing; is the shard finished?",
                path.display()
            ))
        })?;
        let (head, body) = text.split_at(text.find('\n').map_or(text.len(), |n| n + 1));
        if i == 0 {
            results.push_str(head);
        }
        results.push_str(body);
    }
    let mut dir = OutputDir::create(out, force)?;
    let merged = Identity {
        shard: 0,
        shards: 1,
        first_point: 0,
        end_point: first.points,
        ..first
    };
    dir.write(
        IDENTITY,
        serde_json::to_string_pretty(&merged)
            .expect("serializes")
            .as_bytes(),
    )?;
    dir.write("design.csv", &design)?;
    dir.write("results.csv", results.as_bytes())?;
    finish(
        &mut dir,
        &merged,
        true,
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads(),
    )?;
    Ok(dir.root().to_path_buf())
}

/// `cogov plot` on a sweep directory: recompute the tables and figure from `results.csv`.
pub fn replot(out: &mut OutputDir) -> Result<()> {
    let id = read_identity(out.root())?;
    write_tables(out, &id)
}

/// `summary.csv`, and for Morris and Sobol designs the sensitivity table and figure, from `results.csv`.
fn write_tables(out: &mut OutputDir, id: &Identity) -> Result<()> {
    let results = out.read("results.csv")?;
    out.write("summary.csv", point_summary(id, &results)?.as_bytes())?;
    let Some((kind, params)) = id.design.sensitivity_design() else {
        return Ok(());
    };
    let table = sensitivity_table(id, kind, &params, &results)?;
    out.write("sensitivity.csv", table.csv.as_bytes())?;
    let title = format!(
        "cogov sweep `{}`: {} sensitivity",
        id.experiment, id.design.kind
    );
    plot::sensitivity_figure(out, "sensitivity", &title, &table.panels)
}
