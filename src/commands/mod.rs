//! The user-facing commands as library functions: `check`, `run`, `compare`, `sweep`, `merge`,
//! `params`. The binary only parses arguments and calls these; a notebook binding or web explorer can
//! call them the same way.

pub mod params;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::error::{InputError, Result};
use crate::model::observe::Indicator;
use crate::model::{ScenarioRun, run_scenario_until};
use crate::output::manifest::{Manifest, ScenarioEntry, Timing};
use crate::output::table::Format;
use crate::output::{OutputDir, Table, tables};
use crate::progress::Progress;
use crate::scenario::{ScenarioSource, load_scenario};

/// Options shared by `run`, `compare` and `sweep` (the common flags).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub out: Option<PathBuf>,
    pub seed: Option<u64>,
    pub replicates: Option<u32>,
    pub steps: Option<u32>,
    pub threads: Option<usize>,
    pub sets: Vec<String>,
    pub force: bool,
    /// Show a progress bar on stderr (when stderr is a terminal).
    pub progress: bool,
    /// Run even if the memory estimate exceeds what the machine has available.
    pub allow_large_memory: bool,
    /// Set by the caller to stop the run: replicates in flight end at their next step and the
    /// command returns [`crate::Error::Stopped`] having written nothing.
    pub stop: Option<Arc<AtomicBool>>,
    /// The format of the large tables (`timeseries`, `regions`, a sweep's `results`).
    pub format: Format,
}

impl RunOptions {
    /// Commands whose tables are all small take CSV only.
    fn csv_only(&self, command: &str) -> Result<()> {
        if self.format != Format::Csv {
            return Err(InputError::Usage(format!(
                "--format {}: {command} writes small tables only, in CSV; --format applies to run, \
                 compare and sweep",
                self.format.extension()
            ))
            .into());
        }
        Ok(())
    }
}

/// Load and validate a scenario with the command-line overrides applied.
pub fn load(path: &Path, opts: &RunOptions) -> Result<ScenarioSource> {
    let mut source = load_scenario(path, &opts.sets).map_err(|e| other_kind(path).unwrap_or(e))?;
    source.params = source
        .params
        .with_run_size(opts.seed, opts.steps, opts.replicates)?;
    Ok(source)
}

/// An experiment or game file given where a scenario is expected: which command takes it.
fn other_kind(path: &Path) -> Option<InputError> {
    let table: toml::Table = crate::scenario::read_text(path).ok()?.parse().ok()?;
    let command = if table.contains_key("design") && table.contains_key("parameters") {
        "sweep"
    } else if table.contains_key("populations") && table.contains_key("payoffs") {
        "game"
    } else {
        return None;
    };
    Some(InputError::Usage(format!(
        "{} is {} file, not a scenario: run it with `cogov {command} {}`",
        path.display(),
        if command == "sweep" {
            "an experiment"
        } else {
            "a game"
        },
        path.display()
    )))
}

/// `cogov check`: the fully resolved scenario as TOML.
pub fn check(path: &Path, sets: &[String]) -> Result<String> {
    Ok(load_scenario(path, sets)
        .map_err(|e| other_kind(path).unwrap_or(e))?
        .params
        .to_toml())
}

/// `cogov run SCENARIO`: default output `output/run/<name>`.
pub fn run(path: &Path, opts: &RunOptions) -> Result<PathBuf> {
    let source = load(path, opts)?;
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output/run").join(source.params.name()));
    execute("run", vec![source], &out, opts, None)
}

/// `cogov compare [SCENARIO…]`: default fragmented vs coordinated into `output/compare`.
pub fn compare(paths: &[PathBuf], opts: &RunOptions) -> Result<PathBuf> {
    let sources = compared(paths, opts)?;
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output/compare"));
    let title = format!(
        "cogov: {}",
        sources
            .iter()
            .map(|s| s.params.name())
            .collect::<Vec<_>>()
            .join(" vs ")
    );
    execute("compare", sources, &out, opts, Some(title))
}

/// The scenarios `compare` runs: `paths` loaded with the options (none: the shipped fragmented and
/// coordinated), with distinct names.
pub fn compared(paths: &[PathBuf], opts: &RunOptions) -> Result<Vec<ScenarioSource>> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        let dir = crate::scenario::shipped_dir()?;
        vec![dir.join("fragmented.toml"), dir.join("coordinated.toml")]
    } else {
        paths.to_vec()
    };
    let sources = paths
        .iter()
        .map(|p| load(p, opts))
        .collect::<Result<Vec<_>>>()?;
    distinct_names(&sources)?;
    Ok(sources)
}

/// Compared scenarios must be told apart in every table: two with one name are bad input.
pub fn distinct_names(sources: &[ScenarioSource]) -> Result<()> {
    let mut names: Vec<&str> = sources.iter().map(|s| s.params.name()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(InputError::Usage(format!(
            "two compared scenarios are both named `{}`; give them distinct `name`s",
            w[0]
        ))
        .into());
    }
    Ok(())
}

/// The headline metrics of `compare` (its summary on stdout and its posterior effects).
pub const HEADLINE: [Indicator; 6] = [
    Indicator::PollutionMean,
    Indicator::TargetMetShare,
    Indicator::ComplianceRate,
    Indicator::EnforcementCost,
    Indicator::WelfareNet,
    Indicator::AwarenessMean,
];

/// `cogov compare [SCENARIO…] --posterior FILE`: the scenarios compared over `draws` draws of a
/// calibration's posterior; writes `posterior-effects.csv` (each scenario against the first, with
/// intervals over the draws) and `posterior-draws.csv`.
pub fn compare_posterior(
    paths: &[PathBuf],
    opts: &RunOptions,
    posterior: &Path,
    draws: u32,
) -> Result<PathBuf> {
    use crate::calibrate::posterior::{effects_table, read_draws, run_draws};
    let started = Instant::now();
    opts.csv_only("compare --posterior")?;
    if !(1..=10_000).contains(&draws) {
        return Err(InputError::OutOfRange {
            file: "--draws".into(),
            key: "draws".into(),
            value: draws.to_string(),
            allowed: "a whole number in [1, 10000]".into(),
        }
        .into());
    }
    let paths: Vec<PathBuf> = if paths.is_empty() {
        let dir = crate::scenario::shipped_dir()?;
        vec![dir.join("fragmented.toml"), dir.join("coordinated.toml")]
    } else {
        paths.to_vec()
    };
    let sources = paths
        .iter()
        .map(|p| load(p, opts))
        .collect::<Result<Vec<_>>>()?;
    let params: Vec<crate::scenario::Params> = sources.iter().map(|s| s.params.clone()).collect();
    let names: Vec<&str> = params.iter().map(|p| p.name()).collect();
    let file = posterior.display().to_string();
    let drawn = read_draws(posterior, draws, params[0].seed)?;
    let pool = crate::engine::thread_pool(opts.threads)?;
    let out_path = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output/compare-posterior"));
    let mut out = OutputDir::create(&out_path, opts.force)?;
    let means = pool.install(|| run_draws(&params, &drawn, &HEADLINE, &file))?;
    let mut columns = vec!["draw".to_string(), "particle".into(), "scenario".into()];
    columns.extend(HEADLINE.iter().map(|m| m.name().to_string()));
    let mut table = crate::output::table::Table::new(&columns);
    for (d, per) in means.iter().enumerate() {
        for (s, values) in per.iter().enumerate() {
            let mut row = vec![
                crate::output::table::Cell::from(d),
                crate::output::table::Cell::from(drawn[d].particle.as_str()),
                crate::output::table::Cell::from(names[s]),
            ];
            row.extend(values.iter().map(|&v| crate::output::table::Cell::Num(v)));
            table.push(row);
        }
    }
    out.write_table("posterior-draws", &table)?;
    let effects = effects_table(&names, &HEADLINE, &means);
    out.write_table("posterior-effects", &effects)?;
    for s in 1..names.len() {
        let pollution: Vec<f64> = means
            .iter()
            .map(|d| (d[s][0] - d[0][0]) / d[0][0].abs())
            .collect();
        let (m, lo, hi) = crate::calibrate::posterior::interval(&pollution);
        crate::sayln!(
            "{}: pollution {:+.0}% [{:+.0}, {:+.0}] against {} over {} posterior draws",
            names[s],
            100.0 * m,
            100.0 * lo,
            100.0 * hi,
            names[0],
            means.len()
        );
    }
    let mut manifest = Manifest::new("compare", pool.current_num_threads());
    manifest.scenarios = sources
        .iter()
        .map(|s| ScenarioEntry::new(s.params.name(), s.path.as_deref(), s.params.to_toml()))
        .collect();
    manifest.overrides = opts.sets.clone();
    manifest.seed = Some(params[0].seed);
    manifest.detail("posterior", &file);
    manifest.detail(
        "posterior_sha256",
        crate::output::sha256_hex(crate::scenario::read_text(posterior)?.as_bytes()),
    );
    manifest.detail("draws", draws);
    manifest.timing = Timing {
        run_seconds: Some(started.elapsed().as_secs_f64()),
        ..Timing::default()
    };
    let out = out.commit(|hashes| manifest.to_json(hashes))?;
    crate::sayln!("outputs written to {}", out.display());
    Ok(out)
}

/// A finished `run` or `compare` held in memory: every scenario's replicates and the manifest
/// (with its timing) that the files would carry.
pub struct Simulation {
    pub runs: Vec<ScenarioRun>,
    pub manifest: Manifest,
}

impl Simulation {
    /// The tables `run` and `compare` write, by stem, in the order they are written:
    /// `timeseries`, `summary`, `differences` (more than one scenario), `regions` (where asked).
    pub fn tables(&self) -> Vec<(&'static str, Table)> {
        let mut out = vec![("timeseries", timeseries_table(&self.runs))];
        out.push(("summary", tables::summary(&self.runs)));
        if self.runs.len() > 1 {
            out.push(("differences", tables::differences(&self.runs)));
        }
        if self.runs.iter().any(|r| r.params.output.regions) {
            let mut regions = Table::new(&tables::regions_columns());
            tables::regions_rows(&self.runs, |row| {
                regions.push(row.to_vec());
                Ok::<(), ()>(())
            })
            .expect("rows into memory");
            out.push(("regions", regions));
        }
        out
    }
}

/// `timeseries` held in memory.
fn timeseries_table(runs: &[ScenarioRun]) -> Table {
    let mut t = Table::new(&tables::timeseries_columns());
    tables::timeseries_rows(runs, |row| {
        t.push(row.to_vec());
        Ok::<(), ()>(())
    })
    .expect("rows into memory");
    t
}

/// The memory `command` would need for `sources`, checked against what the machine has.
fn check_memory(command: &str, sources: &[ScenarioSource], opts: &RunOptions) -> Result<u64> {
    let params: Vec<&crate::scenario::Params> = sources.iter().map(|s| &s.params).collect();
    let estimate = crate::model::size::run_bytes(&params);
    crate::engine::memory::check(
        estimate,
        &format!("`cogov {command}`"),
        opts.allow_large_memory,
    )?;
    Ok(estimate)
}

/// Run `sources` as `cogov {command}` does, into memory: nothing is written.
pub fn simulate(
    command: &str,
    sources: Vec<ScenarioSource>,
    opts: &RunOptions,
) -> Result<Simulation> {
    let estimate = check_memory(command, &sources, opts)?;
    simulate_checked(command, sources, opts, estimate)
}

fn simulate_checked(
    command: &str,
    sources: Vec<ScenarioSource>,
    opts: &RunOptions,
    estimate: u64,
) -> Result<Simulation> {
    let pool = crate::engine::thread_pool(opts.threads)?;
    let total: u64 = sources
        .iter()
        .map(|s| u64::from(s.params.steps) * u64::from(s.params.replicates))
        .sum();
    let stop = opts.stop.as_deref().unwrap_or(&crate::engine::NEVER);
    let bar = Progress::new(total, "replicate-steps", "", opts.progress);
    let runs = pool.install(|| {
        sources
            .iter()
            .map(|s| {
                bar.set_message(s.params.name());
                run_scenario_until(&s.params, &|n| bar.inc(n), stop)
            })
            .collect::<Result<Vec<ScenarioRun>>>()
    })?;
    bar.finish();
    let mut manifest = run_manifest(command, &sources, &runs, opts, pool.current_num_threads());
    manifest.timing.memory_estimate_bytes = Some(estimate);
    manifest.timing.peak_rss_bytes = crate::engine::memory::peak_rss();
    Ok(Simulation { runs, manifest })
}

fn execute(
    command: &str,
    sources: Vec<ScenarioSource>,
    out: &Path,
    opts: &RunOptions,
    title: Option<String>,
) -> Result<PathBuf> {
    let estimate = check_memory(command, &sources, opts)?;
    let format = opts.format.available()?;
    let mut dir = OutputDir::create(out, opts.force)?;
    dir.format = format;
    let Simulation { runs, mut manifest } = simulate_checked(command, sources, opts, estimate)?;

    let started = Instant::now();
    tables::write_timeseries(&mut dir, &runs)?;
    dir.write_table("summary", &tables::summary(&runs))?;
    if runs.len() > 1 {
        dir.write_table("differences", &tables::differences(&runs))?;
    }
    if runs.iter().any(|r| r.params.output.regions) {
        tables::write_regions(&mut dir, &runs)?;
    }
    let title = title.unwrap_or_else(|| format!("cogov: {}", runs[0].params.name()));
    #[cfg(feature = "figures")]
    if format == Format::Csv {
        crate::plot::run_figure(&mut dir, command, &title)?;
    } else {
        // Drawn from the table as its CSV would hold it: the same figure in either format.
        let text = timeseries_table(&runs).to_csv();
        crate::plot::run_figure_from(&mut dir, command, &title, &text)?;
    }
    #[cfg(not(feature = "figures"))]
    let _ = title;
    manifest.timing.output_seconds = started.elapsed().as_secs_f64();
    manifest.timing.peak_rss_bytes = crate::engine::memory::peak_rss();
    let published = dir.commit(|hashes| manifest.to_json(hashes))?;
    print_summary(&runs, &published);
    Ok(published)
}

/// The manifest of a `run` or `compare`: every scenario resolved, the overrides, sizes and timing.
fn run_manifest(
    command: &str,
    sources: &[ScenarioSource],
    runs: &[ScenarioRun],
    opts: &RunOptions,
    threads: usize,
) -> Manifest {
    let mut m = Manifest::new(command, threads);
    m.scenarios = sources
        .iter()
        .map(|s| ScenarioEntry::new(s.params.name(), s.path.as_deref(), s.params.to_toml()))
        .collect();
    m.overrides = opts.sets.clone();
    let first = &runs[0].params;
    m.seed = Some(first.seed);
    m.replicates = Some(first.replicates);
    m.steps = Some(first.steps);
    m.agents = runs
        .iter()
        .map(|r| (r.params.name().to_string(), r.agents))
        .collect();
    m.timing = Timing {
        init_seconds: Some(runs.iter().map(|r| r.init_seconds).sum()),
        run_seconds: Some(runs.iter().map(|r| r.run_seconds).sum()),
        ..Timing::default()
    };
    m
}

/// A short table of headline results on stdout.
fn print_summary(runs: &[ScenarioRun], out: &Path) {
    const SHOWN: [Indicator; 6] = HEADLINE;
    let window = runs[0].params.output.window;
    crate::sayln!("final {window}-month means over replicates (95% CI):");
    crate::say!("{:<18}", "metric");
    for r in runs {
        crate::say!(" {:>28}", r.params.name());
    }
    crate::sayln!();
    let per_run: Vec<Vec<Vec<f64>>> = runs.iter().map(tables::final_window_means).collect();
    for metric in SHOWN {
        let m = metric.index();
        crate::say!("{:<18}", metric.name());
        for reps in &per_run {
            let values: Vec<f64> = reps.iter().map(|v| v[m]).collect();
            let s = crate::output::stats::summarize(&values).within(metric.domain().bounds());
            let cell = if s.n >= 2 {
                format!("{:.3} [{:.3}, {:.3}]", s.mean, s.ci_low, s.ci_high)
            } else {
                format!("{:.3}", s.mean)
            };
            crate::say!(" {cell:>28}");
        }
        crate::sayln!();
    }
    crate::sayln!("outputs written to {}", out.display());
}

/// Parse `--shard I/N` (0 ≤ I < N).
pub fn parse_shard(text: &str) -> Result<(u32, u32)> {
    let bad = || {
        InputError::Usage(format!(
            "--shard {text}: expected I/N with 0 ≤ I < N, e.g. --shard 0/4"
        ))
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u32, u32) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad().into());
    }
    Ok((i, n))
}

/// `cogov sweep EXPERIMENT`: run an experiment (or one shard of it).
/// How `cogov sweep` runs: one shard of several, continuing an interrupted sweep, and whether another
/// build's checkpoint may be continued.
#[derive(Debug, Clone, Copy, Default)]
pub struct SweepHow {
    pub shard: Option<(u32, u32)>,
    pub resume: bool,
    pub allow_other_build: bool,
}

pub fn sweep(path: &Path, opts: &RunOptions, how: SweepHow) -> Result<PathBuf> {
    let mut exp = crate::experiment::load_experiment(path, &opts.sets)?;
    exp.base = exp
        .base
        .with_run_size(opts.seed, opts.steps, opts.replicates)?;
    let pool = crate::engine::thread_pool(opts.threads)?;
    let sweep_opts = crate::experiment::sweep::SweepOptions {
        out: opts.out.clone(),
        shard: how.shard,
        resume: how.resume,
        force: opts.force,
        progress: opts.progress,
        sets: opts.sets.clone(),
        allow_large_memory: opts.allow_large_memory,
        allow_other_build: how.allow_other_build,
        stop: opts.stop.clone(),
        format: opts.format.available()?,
    };
    let threads = pool.current_num_threads();
    // The design rows, and one world of the base per thread, before the design is built (the sweep
    // checks its largest design point once it is).
    let points = crate::experiment::design::point_count(exp.kind, &exp.parameters);
    let estimate = threads as u64 * crate::engine::Model::world_bytes(&exp.base)
        + points.saturating_mul(exp.parameters.len() as u64 * 32 + 64);
    crate::engine::memory::check(estimate, "this sweep", opts.allow_large_memory)?;
    let out = pool.install(|| crate::experiment::sweep::sweep(&exp, &sweep_opts, threads))?;
    crate::sayln!("sweep `{}` written to {}", exp.name, out.display());
    Ok(out)
}

/// How `cogov calibrate` runs: a shard of one generation (continuing `from`), or continuing an
/// interrupted calibration.
#[derive(Debug, Clone, Default)]
pub struct CalibrateHow {
    pub shard: Option<(u32, u32)>,
    pub from: Option<PathBuf>,
    pub resume: bool,
    pub allow_other_build: bool,
}

/// `cogov calibrate CALIBRATION`: approximate Bayesian computation of a scenario's parameters.
pub fn calibrate(path: &Path, opts: &RunOptions, how: CalibrateHow) -> Result<PathBuf> {
    opts.csv_only("calibrate")?;
    if opts.seed.is_some() || opts.steps.is_some() || opts.replicates.is_some() {
        return Err(InputError::Usage(
            "calibrate takes its run size from the calibration file (seed, steps, replicates), \
             so that a resume or a shard cannot change it"
                .into(),
        )
        .into());
    }
    let cal = crate::calibrate::load_calibration(path, &opts.sets)?;
    let pool = crate::engine::thread_pool(opts.threads)?;
    let threads = pool.current_num_threads();
    let per_sim: u64 = cal
        .groups
        .iter()
        .map(|(_, p)| crate::engine::Model::world_bytes(p))
        .max()
        .unwrap_or(0)
        .saturating_mul(u64::from(cal.base.replicates));
    // A batch of 4 simulations per thread in flight, each holding its replicates' worlds.
    crate::engine::memory::check(
        per_sim.saturating_mul(4 * threads as u64),
        "this calibration (a batch of simulations per thread, each with its replicates' worlds)",
        opts.allow_large_memory,
    )?;
    let copts = crate::calibrate::run::CalibrateOptions {
        out: opts.out.clone(),
        shard: how.shard,
        from: how.from,
        resume: how.resume,
        force: opts.force,
        progress: opts.progress,
        sets: opts.sets.clone(),
        allow_other_build: how.allow_other_build,
    };
    let out = pool.install(|| crate::calibrate::run::calibrate(&cal, &copts, threads))?;
    crate::sayln!("calibration `{}` written to {}", cal.name, out.display());
    Ok(out)
}

/// `cogov merge DIR…`: combine finished shards into one sweep (or calibration) directory.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool, any_build: bool) -> Result<PathBuf> {
    let calibration = dirs
        .first()
        .is_some_and(|d| d.join(crate::output::dir::CALIBRATION_IDENTITY).is_file());
    let out = if calibration {
        crate::calibrate::merge::merge(dirs, out, force, any_build)?
    } else {
        crate::experiment::merge::merge(dirs, out, force, any_build)?
    };
    crate::sayln!("merged {} shards into {}", dirs.len(), out.display());
    Ok(out)
}
