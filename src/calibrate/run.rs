//! Running a calibration: checkpoints, shards and the simulations of each generation.
//!
//! The whole state of a calibration is `simulations.csv`: every proposal of every generation, in
//! (generation, proposal) order, with its seed, its parameters and its distance. The populations are
//! recomputed from it (they are a function of the rows), so a calibration killed at any moment
//! continues with `--resume` from its last complete batch and ends with the same bytes. Rows are
//! appended batch by batch to `simulations.csv.partial` in the staging directory, which is the
//! checkpoint. `--shard I/N` runs the I-th of N contiguous ranges of one generation's proposals (the
//! first generation the `--from` directory has not finished, or generation 0); `cogov merge` joins the
//! shards into a calibration directory that `--resume` (or further shards with `--from`) continues.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::Calibration;
use super::abc::{self, Sim};
use super::simulate::simulate;
use super::state::{
    Identity, State, close_generation, columns, parse, previous, proposal, replay, row,
};
use crate::error::{Error, InputError, Result};
use crate::output::dir::{CALIBRATION_IDENTITY, MANIFEST};
use crate::output::manifest::{Manifest, ScenarioEntry, Timing};
use crate::output::table::{CsvSink, Table, TableSink};
use crate::output::{Claim, Existing, OutputDir};
use crate::progress::Progress;

pub const SIMULATIONS: &str = "simulations.csv";
const PARTIAL: &str = "simulations.csv.partial";

/// Options of `cogov calibrate`.
#[derive(Debug, Clone, Default)]
pub struct CalibrateOptions {
    pub out: Option<PathBuf>,
    pub shard: Option<(u32, u32)>,
    /// A calibration directory whose finished generations a shard continues from.
    pub from: Option<PathBuf>,
    pub resume: bool,
    pub force: bool,
    pub progress: bool,
    pub sets: Vec<String>,
    pub allow_other_build: bool,
}

/// Simulate proposals `from..to` of the next generation of `state`, appending each batch's rows to
/// `file` (flushed to disk) and to `state.current`.
fn run_generation(
    cal: &Calibration,
    state: &mut State,
    (from, to): (u32, u32),
    out: &OutputDir,
    progress: bool,
) -> Result<()> {
    let g = state.generation();
    let prev = previous(state)?;
    let done = state.current.len() as u32;
    let fitted: Vec<usize> = (0..cal.targets.len())
        .filter(|&i| cal.targets[i].fitted)
        .collect();
    let observed: Vec<(f64, f64)> = cal.fitted().map(|t| (t.observed, t.scale)).collect();
    let bar = Progress::new(
        u64::from(to - from - done),
        "simulations",
        &format!("{} generation {g}", cal.name),
        progress,
    );
    let batch = (4 * rayon::current_num_threads()).max(16) as u32;
    let path = out.shown(PARTIAL);
    let mut file = out.append(PARTIAL)?;
    let mut start = from + done;
    while start < to {
        let end = (start + batch).min(to);
        let sims = (start..end)
            .into_par_iter()
            .map(|i| {
                let (u, seed) = proposal(cal, g, i, &prev)?;
                let values = simulate(cal, &u, seed, &fitted)?;
                let distance = abc::distance(&values, &observed);
                bar.inc(1);
                Ok(Sim {
                    generation: g,
                    index: i,
                    seed,
                    u,
                    values,
                    distance,
                })
            })
            .collect::<Result<Vec<Sim>>>()?;
        let mut sink = CsvSink::append(&mut file);
        for s in &sims {
            sink.row(&row(cal, s)).map_err(|e| Error::io(&path, e))?;
        }
        sink.into_inner()
            .and_then(|f| f.sync_data())
            .map_err(|e| Error::io(&path, e))?;
        state.current.extend(sims);
        start = end;
    }
    bar.finish();
    Ok(())
}

fn write_header(out: &OutputDir, cal: &Calibration, rows: &str) -> Result<()> {
    let path = out.shown(PARTIAL);
    let mut file = out.append(PARTIAL)?;
    file.set_len(0).map_err(|e| Error::io(&path, e))?;
    let header = Table::new(&columns(cal)).to_csv();
    file.write_all(header.as_bytes())
        .and_then(|_| file.write_all(rows.as_bytes()))
        .and_then(|_| file.sync_data())
        .map_err(|e| Error::io(&path, e))
}

/// The rows (without header) of a simulations text.
fn body(text: &str) -> &str {
    text.split_once('\n').map_or("", |(_, rest)| rest)
}

/// `cogov calibrate`: run, continue or shard a calibration, and publish it.
pub fn calibrate(cal: &Calibration, opts: &CalibrateOptions, threads: usize) -> Result<PathBuf> {
    let started = Instant::now();
    let target = opts.out.clone().unwrap_or_else(|| {
        let name = match opts.shard {
            None => cal.name.clone(),
            Some((i, n)) => format!("{}-shard-{i}-of-{n}", cal.name),
        };
        PathBuf::from("output/calibrate").join(name)
    });
    if opts.from.is_some() && opts.shard.is_none() {
        return Err(InputError::Usage(
            "--from DIR is for --shard I/N (a whole calibration continues with --resume)".into(),
        )
        .into());
    }
    if let Some((i, n)) = opts.shard
        && n > cal.method.simulations
    {
        return Err(InputError::Usage(format!(
            "--shard {i}/{n}: more shards than the {} simulations of a generation",
            cal.method.simulations
        ))
        .into());
    }
    let claim = Claim::new(&target)?;
    let mut id = Identity::new(cal, opts.shard, None);
    let out = match resume_point(&claim, &id, opts)? {
        Some(Start::Complete) => {
            crate::sayln!(
                "calibration `{}` in {} is complete",
                cal.name,
                target.display()
            );
            return Ok(target);
        }
        Some(Start::Checkpoint(path)) => claim.adopt(path)?,
        Some(Start::Published) => {
            let out = claim.revise()?;
            out.rename(SIMULATIONS, PARTIAL)?;
            out
        }
        None => {
            let mut out = claim.fresh(opts.force)?;
            out.keep_on_failure();
            let rows = match &opts.from {
                Some(dir) => from_rows(cal, dir, opts.allow_other_build)?,
                None => String::new(),
            };
            write_header(&out, cal, &rows)?;
            out
        }
    };
    let mut out = out;
    out.keep_on_failure();
    keep_complete_rows(&out, cal)?;
    let text = out.read(PARTIAL)?;
    let n = cal.method.simulations;
    let (first, end) = match opts.shard {
        None => (0, n),
        Some((i, k)) => {
            let at = |i: u32| (u64::from(n) * u64::from(i) / u64::from(k)) as u32;
            (at(i), at(i + 1))
        }
    };
    let file = out.shown(PARTIAL).display().to_string();
    let mut state = replay(cal, parse(cal, &text, &file)?, first, &file)?;
    drop(text);
    if opts.shard.is_some() {
        if state.done {
            return Err(InputError::Usage(format!(
                "calibration `{}` has no generation left to shard: its last generation is complete; \
                 run `cogov calibrate {} --resume --out DIR` on the directory given to --from",
                cal.name,
                cal.file.display()
            ))
            .into());
        }
        let g = state.generation();
        id.generation = Some(g);
        out.write(CALIBRATION_IDENTITY, id.to_json().as_bytes())?;
        run_generation(cal, &mut state, (first, end), &out, opts.progress)?;
        out.rename(PARTIAL, SIMULATIONS)?;
        let mut m = manifest(cal, &id, &opts.sets, threads);
        m.detail(
            "status",
            format!("generation {g} simulated by shard {}", id.shard),
        );
        return publish(out, &mut m, started);
    }
    out.write(CALIBRATION_IDENTITY, id.to_json().as_bytes())?;
    while !state.done {
        run_generation(cal, &mut state, (0, n), &out, opts.progress)?;
        let prev = previous(&state)?;
        close_generation(cal, &mut state, &prev);
        let p = state.populations.last().expect("just closed");
        crate::sayln!(
            "generation {}: tolerance {:.4}, {:.1}% of proposals within the previous one, effective sample size {:.0}",
            p.generation,
            p.tolerance,
            100.0 * p.acceptance,
            p.ess
        );
    }
    out.rename(PARTIAL, SIMULATIONS)?;
    let report_started = Instant::now();
    super::report::write(cal, &state.populations, &mut out)?;
    let mut m = manifest(cal, &id, &opts.sets, threads);
    m.detail("status", "complete");
    m.detail("generations", state.populations.len());
    m.detail("simulations", state.populations.len() as u64 * u64::from(n));
    m.detail("report_seconds", report_started.elapsed().as_secs_f64());
    publish(out, &mut m, started)
}

/// Cut a partial simulations file after its last complete row (a kill may leave half a row); a
/// file without a complete header starts again.
fn keep_complete_rows(out: &OutputDir, cal: &Calibration) -> Result<()> {
    let path = out.shown(PARTIAL);
    let text = out.read(PARTIAL)?;
    let header = Table::new(&columns(cal)).to_csv();
    if !text.starts_with(&header) {
        if header.starts_with(&text) {
            return write_header(out, cal, "");
        }
        return Err(InputError::Usage(format!(
            "{}: not the simulations of this calibration; cannot resume",
            path.display()
        ))
        .into());
    }
    let complete = text.rfind('\n').map_or(0, |i| i + 1);
    out.append(PARTIAL)?
        .set_len(complete as u64)
        .map_err(|e| Error::io(&path, e))
}

fn publish(out: OutputDir, m: &mut Manifest, started: Instant) -> Result<PathBuf> {
    m.timing = Timing {
        run_seconds: Some(started.elapsed().as_secs_f64()),
        ..Timing::default()
    };
    out.commit(|hashes| m.to_json(hashes))
}

fn manifest(cal: &Calibration, id: &Identity, sets: &[String], threads: usize) -> Manifest {
    let mut m = Manifest::new("calibrate", threads);
    m.experiment = Some(ScenarioEntry::new(
        &cal.name,
        Some(&cal.file),
        cal.resolved(),
    ));
    m.scenarios = vec![ScenarioEntry::new(
        cal.base.name(),
        None,
        cal.base.to_toml(),
    )];
    m.overrides = sets.to_vec();
    m.seed = Some(cal.base.seed);
    m.replicates = Some(cal.base.replicates);
    m.steps = Some(cal.base.steps);
    m.detail("method", cal.method);
    m.detail("shard", format!("{}/{}", id.shard, id.shards));
    m
}

/// The rows of the finished generations of the calibration directory `dir` (for a shard).
fn from_rows(cal: &Calibration, dir: &Path, any_build: bool) -> Result<String> {
    let theirs = Identity::read(dir)?;
    let ours = Identity::new(cal, None, None);
    if let Some(why) = ours.differs(&theirs, false, any_build) {
        return Err(InputError::Usage(format!("--from {}: it holds {why}", dir.display())).into());
    }
    let path = dir.join(SIMULATIONS);
    let text = crate::files::read_regular(&path, 1 << 34).map_err(|e| {
        InputError::Usage(format!(
            "{}: {e}; is the calibration there finished or merged?",
            path.display()
        ))
    })?;
    let file = path.display().to_string();
    let state = replay(cal, parse(cal, &text, &file)?, 0, &file)?;
    if !state.current.is_empty() {
        return Err(InputError::Usage(format!(
            "--from {}: generation {} is incomplete there; merge all its shards first",
            dir.display(),
            state.generation()
        ))
        .into());
    }
    Ok(body(&text).to_string())
}

enum Start {
    Checkpoint(PathBuf),
    Published,
    Complete,
}

/// Where `--resume` continues: an interrupted run's staging directory, or a published calibration
/// directory (merged shards, or complete). None: start afresh.
fn resume_point(claim: &Claim, id: &Identity, opts: &CalibrateOptions) -> Result<Option<Start>> {
    if !opts.resume {
        return Ok(None);
    }
    let differs = |dir: &Path| match Identity::read(dir) {
        Ok(other) => id.differs(&other, false, opts.allow_other_build),
        Err(e) => Some(e.to_string()),
    };
    for (path, checkpoint) in claim.leftovers()? {
        if !checkpoint {
            continue;
        }
        match differs(&path) {
            None => return Ok(Some(Start::Checkpoint(path))),
            Some(why) if !opts.force => {
                return Err(InputError::Usage(format!(
                    "{} holds an interrupted calibration of {why}; cannot resume it (--force discards it)",
                    path.display()
                ))
                .into());
            }
            Some(_) => {}
        }
    }
    let target = claim.target();
    if claim.existing()? == Existing::Output && target.join(CALIBRATION_IDENTITY).is_file() {
        match differs(target) {
            None if target.join(super::state::POSTERIOR).is_file() => {
                return Ok(Some(Start::Complete));
            }
            // A finished shard is complete; merged shards are continued.
            None if target.join(MANIFEST).is_file() && opts.shard.is_some() => {
                return Ok(Some(Start::Complete));
            }
            None if target.join(MANIFEST).is_file() => {
                return Ok(Some(Start::Published));
            }
            None => {}
            Some(why) if !opts.force => {
                return Err(InputError::Usage(format!(
                    "{} holds a calibration of {why}; cannot resume it (--force replaces it)",
                    target.display()
                ))
                .into());
            }
            Some(_) => {}
        }
    }
    Ok(None)
}
