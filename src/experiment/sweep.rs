//! Running an experiment: `cogov sweep` and `cogov merge`.
//!
//! Runs (design point × replicate) go in batches across threads; each finished batch is appended, in
//! run order, to `results.csv.partial` in the sweep's staging directory and flushed to disk, so memory
//! stays bounded and a killed sweep loses at most one batch. The staging directory is the sweep's
//! checkpoint: `--resume` adopts it, keeps the complete rows and runs the rest; the finished sweep is
//! published as the output directory in one step. `--shard I/N` runs the I-th of N contiguous ranges
//! of design points, so the shards' results, concatenated in shard order by `cogov merge`, are the
//! unsplit results byte for byte. The per-point tables and the sensitivity indices are computed from
//! `results.csv` itself ([`super::results`]), so a merged or resumed sweep gets the same tables.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use toml::Value;

use super::design::{self, Design};
use super::results::{DesignSpec, write_tables};
use super::{Experiment, Parameter};
use crate::engine;
use crate::error::{Error, InputError, Result};
use crate::model::run::WindowMeans;
use crate::output::dir::SWEEP_IDENTITY;
use crate::output::manifest::{Manifest, ScenarioEntry, Timing};
use crate::output::table::{Cell, CsvSink, Table, TableSink};
use crate::output::{BUILD, Claim, Existing, OutputDir};
use crate::progress::Progress;
use crate::scenario::{Params, with_overrides};

/// Runs per batch: the unit of parallel work and of checkpointing.
const BATCH: usize = 64;
const PARTIAL: &str = "results.csv.partial";

/// Options of `cogov sweep`.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    pub out: Option<PathBuf>,
    /// (index, count): run the index-th of count shards.
    pub shard: Option<(u32, u32)>,
    pub resume: bool,
    pub force: bool,
    pub progress: bool,
    /// The `--set` overrides applied to the base scenario, for the manifest.
    pub sets: Vec<String>,
    /// Run even if the memory estimate exceeds what the machine has available.
    pub allow_large_memory: bool,
    /// Resume a checkpoint written by another build of cogov.
    pub allow_other_build: bool,
    /// Set by the caller to stop the sweep: runs in flight end at their next step, the checkpoint
    /// keeps every finished batch, and the sweep returns [`Error::Stopped`].
    pub stop: Option<std::sync::Arc<AtomicBool>>,
    /// With Parquet, `results.parquet` is written beside `results.csv` (the record that `--resume`
    /// and `merge` read).
    pub format: crate::output::table::Format,
}

/// What makes two sweeps the same: the experiment as resolved (base scenario and run size
/// included), the build, and the shard. A sweep resumes, and shards merge, only within one identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub(super) experiment: String,
    pub(super) digest: String,
    pub(super) cogov_version: String,
    pub(super) git_commit: Option<String>,
    pub(super) git_dirty: Option<bool>,
    pub(super) shard: u32,
    pub(super) shards: u32,
    pub(super) first_point: usize,
    pub(super) end_point: usize,
    pub(super) points: usize,
    pub(super) replicates: u32,
    pub(super) steps: u32,
    pub(super) seed: u64,
    pub(super) design: DesignSpec,
}

impl Identity {
    fn new(exp: &Experiment, points: usize, shard: Option<(u32, u32)>) -> Self {
        let (first_point, end_point) = shard_range(points, shard);
        let (shard, shards) = shard.unwrap_or((0, 1));
        Identity {
            experiment: exp.name.clone(),
            digest: exp.digest(),
            cogov_version: BUILD.version.into(),
            git_commit: BUILD.commit.map(str::to_string),
            git_dirty: BUILD.dirty,
            shard,
            shards,
            first_point,
            end_point,
            points,
            replicates: exp.base.replicates,
            steps: exp.base.steps,
            seed: exp.base.seed,
            design: DesignSpec::new(exp),
        }
    }

    /// What makes `other` another sweep than this one, in words, if anything: `whole` ignores the
    /// shard, `any_build` the build.
    pub(super) fn differs(&self, other: &Identity, whole: bool, any_build: bool) -> Option<String> {
        let build = |id: &Identity| {
            format!(
                "cogov {} at {}{}",
                id.cogov_version,
                id.git_commit
                    .as_deref()
                    .map_or("an unknown commit", |c| &c[..c.len().min(12)]),
                if id.git_dirty == Some(true) {
                    " (dirty)"
                } else {
                    ""
                }
            )
        };
        if (self.seed, self.steps, self.replicates) != (other.seed, other.steps, other.replicates) {
            return Some(format!(
                "another run size: seed {}, {} steps, {} replicates, not seed {}, {} steps, {} replicates",
                other.seed, other.steps, other.replicates, self.seed, self.steps, self.replicates
            ));
        }
        if self.digest != other.digest || self.design != other.design || self.points != other.points
        {
            return Some("another experiment (design, base scenario or overrides)".into());
        }
        if !whole
            && (self.shard, self.shards, self.first_point, self.end_point)
                != (
                    other.shard,
                    other.shards,
                    other.first_point,
                    other.end_point,
                )
        {
            return Some(format!(
                "shard {}/{} instead of {}/{}",
                other.shard, other.shards, self.shard, self.shards
            ));
        }
        if whole && self.shards != other.shards {
            return Some(format!(
                "a split into {} shards instead of {}",
                other.shards, self.shards
            ));
        }
        let same_build = (&self.cogov_version, &self.git_commit, self.git_dirty)
            == (&other.cogov_version, &other.git_commit, other.git_dirty);
        if !any_build && !same_build {
            return Some(format!(
                "another build: {}, not {} (--allow-other-build accepts it)",
                build(other),
                build(self)
            ));
        }
        None
    }

    pub(super) fn read(dir: &Path) -> Result<Identity> {
        let path = dir.join(SWEEP_IDENTITY);
        let text = crate::files::read_regular(&path, 1 << 20).map_err(|e| {
            InputError::Usage(format!("{}: not a sweep directory ({e})", path.display()))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            InputError::Usage(format!(
                "{}: not the identity of a sweep of this version of cogov ({e})",
                path.display()
            ))
            .into()
        })
    }

    pub(super) fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializes") + "\n"
    }
}

/// A design value as written in `design.csv` and `results.csv`: text as text, numbers as TOML
/// writes them (the value the model receives, exactly).
fn value_cell(v: &Value) -> Cell {
    match v {
        Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Text(other.to_string()),
    }
}

fn overrides(exp: &Experiment, row: &[Value]) -> Vec<(String, Value)> {
    exp.parameters
        .iter()
        .zip(row)
        .map(|(p, v)| (p.key.clone(), v.clone()))
        .collect()
}

fn design_table(exp: &Experiment, design: &Design) -> Table {
    let mut columns = vec!["point".to_string()];
    columns.extend(exp.parameters.iter().map(|p: &Parameter| p.key.clone()));
    let mut table = Table::new(&columns);
    for (i, row) in design.rows.iter().enumerate() {
        let mut cells = vec![Cell::from(i)];
        cells.extend(row.iter().map(value_cell));
        table.push(cells);
    }
    table
}

/// One run: the final-window means of the kept metrics, as a row of `results.csv`.
fn run_one(
    exp: &Experiment,
    params: &Params,
    point: usize,
    replicate: u32,
    row: &[Value],
    stop: &AtomicBool,
) -> Result<Vec<Cell>> {
    let means = engine::drive_until(
        &mut engine::Model::world(params, replicate),
        params.steps,
        WindowMeans::new(params, &exp.metrics),
        &|_| {},
        stop,
    )
    .map_err(|e| {
        Error::Invariant(format!(
            "experiment `{}`, point {point}, replicate {replicate}: {e}",
            exp.name
        ))
    })?
    .ok_or(Error::Stopped)?;
    let mut cells = vec![Cell::from(point), Cell::from(replicate)];
    cells.extend(row.iter().map(value_cell));
    cells.extend(means.into_iter().map(Cell::Num));
    Ok(cells)
}

/// Validate every design point up front, so a bad range fails before hours of running.
/// Returns the bytes of the largest design point's world.
/// Bytes a sweep holds besides its worlds: the design (a row of values per point) and, when it
/// writes the summaries, every run's row of `results.csv` read back (its text and its numbers).
fn held_bytes(exp: &Experiment, tables: bool) -> u64 {
    let points = design::point_count(exp.kind, &exp.parameters);
    let k = exp.parameters.len() as u64;
    let value = std::mem::size_of::<toml::Value>() as u64;
    let design = points.saturating_mul(48 + k * (value + 8));
    if !tables {
        return design;
    }
    // A cell: about 20 characters of text and a parsed f64, with slack for the containers.
    const CELL: u64 = 40;
    let cells = exp.metrics.len() as u64 + k + 2;
    let runs = points.saturating_mul(u64::from(exp.base.replicates));
    design.saturating_add(runs.saturating_mul(cells).saturating_mul(CELL))
}

fn check_points(exp: &Experiment, design: &Design) -> Result<u64> {
    let mut largest = 0;
    for (i, row) in design.rows.iter().enumerate() {
        let p = with_overrides(
            &exp.base,
            &overrides(exp, row),
            &format!("{} (design point {i})", exp.file.display()),
        )?;
        largest = largest.max(engine::Model::world_bytes(&p));
    }
    Ok(largest)
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

/// Keep the complete rows of a partial results file (a kill may leave half a row); returns how many.
fn recover_partial(out: &OutputDir, columns: &[String]) -> Result<usize> {
    let path = out.shown(PARTIAL);
    let mut file = out.open_existing(PARTIAL)?;
    let mut content = Vec::new();
    file.read_to_end(&mut content)
        .map_err(|e| Error::io(&path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(content.as_slice());
    let file_name = path.display().to_string();
    let (mut rows, mut complete) = (0usize, 0u64);
    let mut record = csv::StringRecord::new();
    while let Ok(true) = reader.read_record(&mut record) {
        let end = reader.position().byte();
        // A row is complete when its line end was written.
        if end == 0 || content.get(end as usize - 1) != Some(&b'\n') {
            break;
        }
        if complete == 0 {
            if record.iter().ne(columns.iter().map(String::as_str)) {
                return Err(InputError::Usage(format!(
                    "{file_name}: not a results file of this experiment; cannot resume"
                ))
                .into());
            }
        } else if record.len() != columns.len() {
            return Err(InputError::Data {
                file: file_name,
                line: rows as u64 + 2,
                reason: "not the header's width".into(),
            }
            .into());
        } else {
            rows += 1;
        }
        complete = end;
    }
    if complete == 0 {
        // Killed before the header was complete: start the file again.
        file.set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .map_err(|e| Error::io(&path, e))?;
        write_header(&mut file, columns, &path)?;
        return Ok(0);
    }
    file.set_len(complete).map_err(|e| Error::io(&path, e))?;
    Ok(rows)
}

fn write_header(file: &mut std::fs::File, columns: &[String], path: &Path) -> Result<()> {
    let header = Table::new(columns).to_csv();
    file.write_all(header.as_bytes())
        .and_then(|_| file.sync_data())
        .map_err(|e| Error::io(path, e))
}

/// How `--resume` finds the claimed directory.
enum Resume {
    /// An interrupted run of this sweep, to continue.
    Checkpoint(PathBuf),
    /// This sweep, finished.
    Complete,
    /// Nothing of this sweep: start it.
    Start,
}

fn resumable(claim: &Claim, id: &Identity, opts: &SweepOptions) -> Result<Resume> {
    let differs = |dir: &Path| match Identity::read(dir) {
        Ok(other) => id.differs(&other, false, opts.allow_other_build),
        Err(e) => Some(e.to_string()),
    };
    for (path, checkpoint) in claim.leftovers()? {
        if !checkpoint {
            continue;
        }
        match differs(&path) {
            None => return Ok(Resume::Checkpoint(path)),
            Some(why) if !opts.force => {
                return Err(InputError::Usage(format!(
                    "{} holds an interrupted sweep of {why}; cannot resume it (--force discards it)",
                    path.display()
                ))
                .into());
            }
            Some(_) => {}
        }
    }
    let target = claim.target();
    if claim.existing()? == Existing::Output && target.join(SWEEP_IDENTITY).is_file() {
        match differs(target) {
            None => return Ok(Resume::Complete),
            Some(why) if !opts.force => {
                return Err(InputError::Usage(format!(
                    "{} holds a sweep of {why}; cannot resume it (--force replaces it)",
                    target.display()
                ))
                .into());
            }
            Some(_) => {}
        }
    }
    Ok(Resume::Start)
}

fn default_out(exp: &Experiment, shard: Option<(u32, u32)>) -> PathBuf {
    let name = match shard {
        None => exp.name.clone(),
        Some((i, n)) => format!("{}-shard-{i}-of-{n}", exp.name),
    };
    PathBuf::from("output/sweep").join(name)
}

/// `cogov sweep`: run (a shard of) an experiment, or continue it with `--resume`, and publish it.
pub fn sweep(exp: &Experiment, opts: &SweepOptions, threads: usize) -> Result<PathBuf> {
    let started = Instant::now();
    // The design and the final tables first: they grow with points × replicates, whatever the
    // size of one world.
    let held = held_bytes(exp, opts.shard.is_none());
    engine::memory::check_advising(
        held,
        "this sweep (its design, and its results read back for the summaries)",
        "use fewer design points or replicates, or split the sweep with --shard I/N",
        opts.allow_large_memory,
    )?;
    let design = design::build(exp.kind, &exp.parameters, exp.base.seed);
    // One world per thread at a time: the largest design point's.
    let largest = check_points(exp, &design)?;
    engine::memory::check(
        (threads as u64)
            .saturating_mul(largest)
            .saturating_add(held),
        "this sweep (one world of its largest design point per thread, its design and results)",
        opts.allow_large_memory,
    )?;
    if let Some((i, n)) = opts.shard
        && n as usize > design.rows.len()
    {
        return Err(InputError::Usage(format!(
            "--shard {i}/{n}: more shards than the design's {} points (a shard would run none); \
             use at most {} shards",
            design.rows.len(),
            design.rows.len()
        ))
        .into());
    }
    let id = Identity::new(exp, design.rows.len(), opts.shard);
    let target = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out(exp, opts.shard));
    let claim = Claim::new(&target)?;
    let mut out = if opts.resume {
        match resumable(&claim, &id, opts)? {
            Resume::Checkpoint(path) => claim.adopt(path)?,
            Resume::Complete => {
                crate::sayln!("sweep `{}` in {} is complete", exp.name, target.display());
                return Ok(target);
            }
            Resume::Start => claim.fresh(opts.force)?,
        }
    } else {
        claim.fresh(opts.force)?
    };
    out.keep_on_failure();
    let stop = opts.stop.as_deref().unwrap_or(&engine::NEVER);
    run_into(exp, &design, &id, &mut out, opts.progress, stop)?;
    if opts.format == crate::output::table::Format::Parquet {
        results_as(&mut out, opts.format)?;
    }
    let mut manifest = sweep_manifest(exp, &id, &opts.sets, threads, "sweep");
    publish(out, &id, &mut manifest, started)
}

/// Run a whole experiment into `dir`, a directory inside another command's output (the figure set),
/// and write its tables and manifest there.
pub fn sweep_nested(exp: &Experiment, mut dir: OutputDir, threads: usize) -> Result<PathBuf> {
    let started = Instant::now();
    let design = design::build(exp.kind, &exp.parameters, exp.base.seed);
    check_points(exp, &design)?;
    let id = Identity::new(exp, design.rows.len(), None);
    run_into(exp, &design, &id, &mut dir, false, &engine::NEVER)?;
    let mut manifest = sweep_manifest(exp, &id, &[], threads, "sweep");
    publish(dir, &id, &mut manifest, started)
}

/// Run the runs of `id` not yet in `out`'s partial results, then make them `results.csv`.
fn run_into(
    exp: &Experiment,
    design: &Design,
    id: &Identity,
    out: &mut OutputDir,
    progress: bool,
    stop: &AtomicBool,
) -> Result<()> {
    out.write(SWEEP_IDENTITY, id.to_json().as_bytes())?;
    out.write_table("design", &design_table(exp, design))?;
    let columns = id.design.results_columns();
    let done = if out.path(PARTIAL).is_file() {
        recover_partial(out, &columns)?
    } else if out.path("results.csv").is_file() {
        // Killed after its last row and before its manifest.
        return Ok(());
    } else {
        let mut file = out.append(PARTIAL)?;
        write_header(&mut file, &columns, &out.shown(PARTIAL))?;
        0
    };
    // Run k of the shard is (point first + k / replicates, replicate k % replicates); the list is
    // never held in memory.
    let replicates = exp.base.replicates as usize;
    let total = (id.end_point - id.first_point) * replicates;
    let run = |k: usize| (id.first_point + k / replicates, (k % replicates) as u32);
    let bar = Progress::new(
        total.saturating_sub(done) as u64,
        "runs",
        &exp.name,
        progress,
    );
    let partial = out.shown(PARTIAL);
    let mut file = out.append(PARTIAL)?;
    for start in (done..total).step_by(BATCH) {
        let batch: Vec<(usize, u32)> = (start..(start + BATCH).min(total)).map(run).collect();
        // The batch's design points, each resolved once for all its replicates (runs are in point
        // order, so a batch holds consecutive points).
        let first = batch[0].0;
        let points: Vec<Params> = (first..=batch[batch.len() - 1].0)
            .into_par_iter()
            .map(|point| {
                let row = &design.rows[point];
                Ok(with_overrides(
                    &exp.base,
                    &overrides(exp, row),
                    "experiment",
                )?)
            })
            .collect::<Result<_>>()?;
        let rows = batch
            .par_iter()
            .map(|&(point, replicate)| {
                let cells = run_one(
                    exp,
                    &points[point - first],
                    point,
                    replicate,
                    &design.rows[point],
                    stop,
                );
                bar.inc(1);
                cells
            })
            .collect::<Result<Vec<Vec<Cell>>>>()?;
        let mut sink = CsvSink::append(&mut file);
        for row in &rows {
            sink.row(row).map_err(|e| Error::io(&partial, e))?;
        }
        sink.into_inner()
            .and_then(|f| f.sync_data())
            .map_err(|e| Error::io(&partial, e))?;
    }
    bar.finish();
    out.rename(PARTIAL, "results.csv")
}

/// `results.csv` written again in `format` through the writer seam: `point` and `replicate` whole
/// numbers, every other cell a number where it reads as one, empty where missing, text otherwise.
fn results_as(out: &mut OutputDir, format: crate::output::table::Format) -> Result<()> {
    let text = out.read("results.csv")?;
    let table = crate::output::table::read_csv(&text, "results.csv", None)?;
    let mut w = out.table_as("results", &table.columns, format)?;
    let mut cells = Vec::with_capacity(table.columns.len());
    for row in &table.rows {
        cells.clear();
        cells.push(Cell::from(row.index(0)?));
        cells.push(Cell::from(row.index(1)?));
        for i in 2..row.len() {
            let field = row.get(i);
            cells.push(match field.parse::<f64>() {
                Ok(v) if !field.is_empty() => Cell::Num(v),
                _ => Cell::from(field),
            });
        }
        w.row(&cells)?;
    }
    w.finish()
}

/// The manifest of a sweep: the experiment and its base scenario resolved, the overrides, the run
/// size, the design and the shard.
fn sweep_manifest(
    exp: &Experiment,
    id: &Identity,
    sets: &[String],
    threads: usize,
    command: &str,
) -> Manifest {
    let mut m = Manifest::new(command, threads);
    m.experiment = Some(ScenarioEntry::new(
        &exp.name,
        Some(&exp.file),
        exp.resolved(),
    ));
    m.scenarios = vec![ScenarioEntry::new(
        exp.base.name(),
        None,
        exp.base.to_toml(),
    )];
    m.overrides = sets.to_vec();
    m.seed = Some(id.seed);
    m.replicates = Some(id.replicates);
    m.steps = Some(id.steps);
    shard_details(&mut m, id);
    m
}

pub(super) fn shard_details(m: &mut Manifest, id: &Identity) {
    m.detail("design", &id.design);
    m.detail("points", id.points);
    m.detail("shard", format!("{}/{}", id.shard, id.shards));
    m.detail("shard_points", [id.first_point, id.end_point]);
}

/// Write the tables of a complete sweep (only when it is not one shard of several) and publish it.
pub(super) fn publish(
    mut out: OutputDir,
    id: &Identity,
    manifest: &mut Manifest,
    started: Instant,
) -> Result<PathBuf> {
    let run_seconds = started.elapsed().as_secs_f64();
    let tables = Instant::now();
    if id.shards == 1 {
        write_tables(&mut out, &id.experiment, &id.design, id.points, id.seed)?;
    }
    manifest.timing = Timing {
        init_seconds: None,
        run_seconds: Some(run_seconds),
        output_seconds: tables.elapsed().as_secs_f64(),
        ..Timing::default()
    };
    out.commit(|hashes| manifest.to_json(hashes))
}

/// `cogov plot` on a sweep directory: recompute the tables and figure from `results.csv`.
pub fn replot(out: &mut OutputDir) -> Result<()> {
    let id = Identity::read(out.root())?;
    if id.shards != 1 {
        return Ok(());
    }
    write_tables(out, &id.experiment, &id.design, id.points, id.seed)
}
