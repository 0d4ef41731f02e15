//! The figure set of a paper on this model: `cogov reproduce` runs every scenario and
//! experiment the figures need, writes the data behind each figure as CSV, then draws each figure from
//! its CSV. `cogov plot DIR` redraws from those CSVs without running anything, byte for byte.
//!
//! | id | figure | data |
//! |---|---|---|
//! | fig1-compare | fragmented vs coordinated over time | band table |
//! | fig2-levers | effect of each lever and option, on from fragmented and off from coordinated | paired effects |
//! | fig3-deterrence | compliance over fine × monitoring coverage with the Becker frontier | grid sweep |
//! | fig4-river | pollution by region along the river | regional final-window means |
//! | fig5-networks | the governance wiring of fragmented and coordinated | edge list |
//! | fig6-feedback | target gap over time: one-way vs closed loops with monitoring lags | band table |
//! | fig7-participation | complaints and awareness: fragmented vs shared platform | band table |
//! | fig8-wang2023 | the evolutionary-game twin reproducing Wang et al. (2023) | trajectories |
//! | fig9-pricing | compensation schemes and cost-benefit caps switched on from fragmented | paired effects |

mod deterrence;
mod history;
mod levers;
mod network;
mod posterior;
mod river;
mod wiring;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::Result;
use crate::game;
use crate::model::observe::{Domain, Indicator};
use crate::model::targets;
use crate::model::{ScenarioRun, run_scenario};
use crate::output::manifest::{Redrawn, Timing, hash_inputs};
use crate::output::{Claim, Manifest, OutputDir, tables};
use crate::plot::{self, BandTable, Panel, Series};
use crate::progress::Progress;
use crate::scenario::load_scenario;

pub use levers::LEVERS;
pub use wiring::{Edge, wiring};

/// Options of `cogov reproduce`.
#[derive(Debug, Clone, Default)]
pub struct ReproduceOptions {
    pub out: Option<PathBuf>,
    /// Fewer replicates and months: the whole set in well under two minutes on 2 cores.
    pub quick: bool,
    pub force: bool,
    pub threads: Option<usize>,
    /// A progress bar on a terminal, progress lines in a log.
    pub progress: bool,
}

/// A figure of the set: its id (file stem) and caption.
pub struct Figure {
    pub id: &'static str,
    pub caption: &'static str,
}

pub const FIGURES: [Figure; 12] = [
    Figure {
        id: "fig1-compare",
        caption: "Fragmented vs coordinated governance over ten years: pollution, compliance, welfare net of output and public awareness (mean and 95% band over replicates).",
    },
    Figure {
        id: "fig2-levers",
        caption: "Which lever matters: the effect of switching each lever, and three options inside levers (vertical monitoring, the environmental veto, river chiefs), on from fragmented (blue) and off from coordinated (vermilion) on pollution, welfare net of output and enforcement cost (paired differences over common random numbers, 95% intervals), sorted by the effect on pollution. River chiefs \"off\" replaces coordinated's clear responsibility by river chiefs.",
    },
    Figure {
        id: "fig3-deterrence",
        caption: "Deterrence map: enterprise compliance over the fine and online-monitoring coverage under fragmented governance; the line is the Becker frontier p·(F + disclosed reputation) = mean abatement cost, with p the enterprises' learned sanction probability at that coverage, and a note replaces it where it falls outside the fines shown.",
    },
    Figure {
        id: "fig4-river",
        caption: "The river: pollution by region from upstream to downstream, under fragmented governance, with Xin'an-style boundary compensation alone, and under coordinated governance (final-year mean and 95% interval); dashed: the target, dotted: the set-point.",
    },
    Figure {
        id: "fig5-networks",
        caption: "Governance networks drawn from the scenarios' wiring: who informs, inspects, sanctions, complains to and compensates whom, fragmented beside coordinated; line width is the strength of the link.",
    },
    Figure {
        id: "fig6-feedback",
        caption: "The feedback loop: relative gap between the mean stock and the set-point over twenty years, under one-way management and under the closed loop with monitoring lags of 1 to 24 months; long lags overshoot and oscillate, and one-way management jumps at each five-year evaluation.",
    },
    Figure {
        id: "fig7-participation",
        caption: "Public participation: complaints filed, handled and lost per month and public awareness, fragmented vs fragmented with the shared complaint platform vs coordinated.",
    },
    Figure {
        id: "fig8-wang2023",
        caption: "The evolutionary-game twin reproduces Wang et al. (2023): replicator dynamics of the five stages of their scenario 4 from 27 starting points each, every start ending at the paper's stable state; per-stage dynamics, phase portraits, vertices and the agent-based counterpart are in fig8-<stage>-*.",
    },
    Figure {
        id: "fig9-pricing",
        caption: "Pricing pollution: boundary compensation, Pigou payments per tonne abated, and cost-benefit caps (protectionist, joint, and paid by Pigou payments spent on inspections or on abatement subsidies), each switched on from fragmented governance (paired differences over common random numbers, 95% intervals).",
    },
    Figure {
        id: "fig10-posterior",
        caption: "The calibration of china-2020 to the fitted patterns (approximate Bayesian computation, scenarios/calibration/china-2020.toml): the weighted posterior of each parameter over its prior range (diagonal; the line is the flat prior) and of each pair (below), read from the committed posterior.csv.",
    },
    Figure {
        id: "fig11-levers-posterior",
        caption: "Findings that carry the parameters' uncertainty: the change in pollution of coordinated against fragmented and against china-2020, and of each lever switched on from fragmented, over draws of the calibrated posterior (median and 2.5–97.5% quantiles over draws), with the share of draws in which each lever cuts pollution most.",
    },
    Figure {
        id: "fig12-history",
        caption: "The historical run 2015–2025 (scenarios/history/): seven rivers of eight prefectures under the 2015 arrangements, after five years under the arrangements before the 2015 law, with the reforms switched on in the months they happened (vermilion lines), over draws of the calibrated posterior (median and 95% band); the share of the 56 boundary sections at class I–III by COD (GB 3838-2002, the flow volume set only from the 2015 share of 64.5%) beside the published national share, and complaints, sanctions and compliance per year. A prediction: nothing is tuned to water quality after 2015.",
    },
];

/// A shipped scenario, experiment or game file: the figure set's inputs.
fn scenario(path: &str) -> Result<PathBuf> {
    Ok(crate::scenario::shipped_dir()?.join(path))
}

/// Run one shipped scenario at the reproduce size.
fn run(path: &str, quick: bool, sets: &[&str]) -> Result<ScenarioRun> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let s = load_scenario(&scenario(path)?, &sets)?;
    let (steps, replicates) = if quick {
        (Some((s.params.steps / 2).max(24)), Some(4))
    } else {
        (None, None)
    };
    let params = s.params.with_run_size(None, steps, replicates)?;
    run_scenario(&params, &|_| {})
}

/// `values[replicate][step]` of one indicator.
fn records(run: &ScenarioRun, indicator: Indicator) -> Vec<Vec<f64>> {
    run.replicates
        .iter()
        .map(|r| r.steps.iter().map(|s| s.get(indicator)).collect())
        .collect()
}

/// The band table of the panels' indicators (derived series are computed by their figure).
fn band_table(runs: &[ScenarioRun], panels: &[Panel]) -> BandTable {
    let mut t = BandTable::default();
    for run in runs {
        for p in panels {
            if let Series::Indicator(i) = p.series {
                t.push(run.params.name(), i.name(), i.domain(), &records(run, i));
            }
        }
    }
    t
}

const PARTICIPATION_PANELS: [Panel; 4] = [
    Panel::indicator(
        Indicator::ComplaintsFiled,
        "Complaints filed",
        "complaints per month (basin)",
    ),
    Panel::indicator(
        Indicator::ComplaintsHandled,
        "Complaints handled",
        "complaints per month (basin)",
    ),
    Panel::indicator(
        Indicator::ComplaintsLost,
        "Complaints lost",
        "complaints per month (basin)",
    ),
    Panel::indicator(
        Indicator::AwarenessMean,
        "Public awareness",
        "mean awareness (0–1)",
    ),
];

/// Figure 6's series: the relative gap between the mean stock and the set-point.
const TARGET_GAP: Series = Series::Derived("target_gap", Domain::Signed);

const FEEDBACK_PANEL: [Panel; 1] = [Panel {
    series: TARGET_GAP,
    title: "Gap between the mean stock and the set-point",
    unit: "(stock − set-point) / set-point",
}];

/// `cogov reproduce`: run everything and draw the whole set into `out`.
pub fn reproduce(opts: &ReproduceOptions) -> Result<PathBuf> {
    let out_path = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output/figures"));
    let mut out = OutputDir::create(&out_path, opts.force)?;
    let pool = crate::engine::thread_pool(opts.threads)?;
    let quick = opts.quick;
    let mut timings = Vec::new();
    // Nine figures' data, then the drawing of them all.
    let progress = Progress::new(
        FIGURES.len() as u64 + 1,
        "steps",
        "fig1-compare",
        opts.progress,
    );
    pool.install(|| -> Result<()> {
        let mut timed =
            |id: &'static str, f: &mut dyn FnMut(&mut OutputDir) -> Result<()>| -> Result<()> {
                progress.set_message(id);
                let t = Instant::now();
                f(&mut out)?;
                timings.push((id, t.elapsed().as_secs_f64()));
                progress.println(&format!("{id}: {:.1} s", t.elapsed().as_secs_f64()));
                progress.inc(1);
                Ok(())
            };
        timed("fig1-compare", &mut |out| {
            let runs = [
                run("fragmented.toml", quick, &[])?,
                run("coordinated.toml", quick, &[])?,
            ];
            out.write_table(
                "fig1-compare",
                &band_table(&runs, &plot::COMPARE_PANELS).to_table(),
            )
        })?;
        timed("fig2-levers", &mut |out| {
            out.write_table("fig2-levers", &levers::compute(quick)?)
        })?;
        timed("fig3-deterrence", &mut |out| {
            deterrence::compute(out, quick)
        })?;
        timed("fig4-river", &mut |out| {
            out.write_table("fig4-river", &river::compute(quick)?)
        })?;
        timed("fig5-networks", &mut |out| {
            out.write_table("fig5-networks", &wiring::compute()?)
        })?;
        timed("fig6-feedback", &mut |out| {
            let mut t = BandTable::default();
            for file in [
                "figures/feedback-one-way.toml",
                "figures/feedback-lag-1.toml",
                "figures/feedback-lag-6.toml",
                "figures/feedback-lag-12.toml",
                "figures/feedback-lag-24.toml",
            ] {
                let r = run(file, quick, &[])?;
                let set_point = targets::set_point(&r.params);
                let gaps: Vec<Vec<f64>> = records(&r, Indicator::PollutionMean)
                    .into_iter()
                    .map(|rep| {
                        rep.into_iter()
                            .map(|s| (s - set_point) / set_point)
                            .collect()
                    })
                    .collect();
                t.push(
                    r.params.name(),
                    TARGET_GAP.name(),
                    TARGET_GAP.domain(),
                    &gaps,
                );
            }
            out.write_table("fig6-feedback", &t.to_table())
        })?;
        timed("fig8-wang2023", &mut |out| {
            let mut games = Vec::new();
            for (stage, _) in game::report::WANG_STAGES {
                let g = game::load_game(&scenario(&format!("games/wang2023-{stage}.toml"))?)?;
                game::report::write_game(&g, out, &format!("fig8-{stage}-"))?;
                games.push((stage.to_string(), g));
            }
            out.write_table("fig8-wang2023", &game::report::stages_table(&games))
        })?;
        timed("fig7-participation", &mut |out| {
            let runs = [
                run("fragmented.toml", quick, &[])?,
                run("figures/participation-platform.toml", quick, &[])?,
                run("coordinated.toml", quick, &[])?,
            ];
            out.write_table(
                "fig7-participation",
                &band_table(&runs, &PARTICIPATION_PANELS).to_table(),
            )
        })?;
        timed("fig9-pricing", &mut |out| {
            out.write_table("fig9-pricing", &levers::compute_pricing(quick)?)
        })?;
        timed("fig10-posterior", &mut |out| posterior::copy_posterior(out))?;
        timed("fig11-levers-posterior", &mut |out| {
            out.write_table("fig11-levers-posterior", &posterior::compute(quick)?)
        })?;
        timed("fig12-history", &mut |out| {
            let (years, stages) = history::compute(quick)?;
            out.write_table("fig12-history", &years)?;
            out.write_table("fig12-stages", &stages)
        })?;
        Ok(())
    })?;
    let drawing = Instant::now();
    progress.set_message("drawing");
    draw_all(&mut out)?;
    progress.inc(1);
    progress.finish();
    let total: f64 = timings.iter().map(|t| t.1).sum();
    eprintln!(
        "reproduce{}: {total:.1} s of runs",
        if quick { " --quick" } else { "" }
    );
    let mut manifest = Manifest::new("reproduce", pool.current_num_threads());
    manifest.quick = Some(quick);
    let inputs = crate::scenario::shipped_dir()?;
    hash_inputs(&inputs, &inputs, &mut manifest.inputs)?;
    manifest.detail("inputs_dir", inputs.display().to_string());
    manifest.detail(
        "figure_seconds",
        timings
            .iter()
            .copied()
            .collect::<std::collections::BTreeMap<_, _>>(),
    );
    manifest.timing = Timing {
        init_seconds: None,
        run_seconds: Some(total),
        output_seconds: drawing.elapsed().as_secs_f64(),
        ..Timing::default()
    };
    out.commit(|hashes| manifest.to_json(hashes))
}

/// Draw every figure whose data is in `out`, and the figure index.
fn draw_all(out: &mut OutputDir) -> Result<()> {
    // A figure is drawn when its table is present.
    let read = |out: &OutputDir, name: &str| -> Result<Option<String>> {
        if out.path(name).is_file() {
            out.read(name).map(Some)
        } else {
            Ok(None)
        }
    };
    if let Some(text) = read(out, "fig1-compare.csv")? {
        let t = BandTable::parse(&text, "band table")?;
        plot::time_series_figure(
            out,
            "fig1-compare",
            "Fragmented vs coordinated governance",
            &t,
            &plot::COMPARE_PANELS,
            None,
        )?;
    }
    if let Some(text) = read(out, "fig2-levers.csv")? {
        levers::draw(out, &text)?;
    }
    if let Some(text) = read(out, "fig9-pricing.csv")? {
        levers::draw_pricing(out, &text)?;
    }
    if let (Some(posterior), Some(priors)) = (
        read(out, "fig10-posterior.csv")?,
        read(out, "fig10-priors.csv")?,
    ) {
        posterior::draw_pairs(out, &posterior, &priors)?;
    }
    if let Some(text) = read(out, "fig11-levers-posterior.csv")? {
        posterior::draw_levers(out, &text)?;
    }
    if let (Some(years), Some(stages)) = (
        read(out, "fig12-history.csv")?,
        read(out, "fig12-stages.csv")?,
    ) {
        history::draw(out, &years, &stages)?;
    }
    if let (Some(grid), Some(frontier)) = (
        read(out, "fig3-deterrence.csv")?,
        read(out, "fig3-frontier.csv")?,
    ) {
        deterrence::draw(out, &grid, &frontier)?;
    }
    if let Some(text) = read(out, "fig4-river.csv")? {
        river::draw(out, &text)?;
    }
    if let Some(text) = read(out, "fig5-networks.csv")? {
        network::draw(out, &text)?;
    }
    if let Some(text) = read(out, "fig6-feedback.csv")? {
        let t = BandTable::parse(&text, "band table")?;
        plot::time_series_figure(
            out,
            "fig6-feedback",
            "The feedback loop: one-way management vs closed loops with monitoring lags",
            &t,
            &FEEDBACK_PANEL,
            Some(0.0),
        )?;
    }
    if let Some(text) = read(out, "fig7-participation.csv")? {
        let t = BandTable::parse(&text, "band table")?;
        plot::time_series_figure(
            out,
            "fig7-participation",
            "Public participation: complaints and awareness",
            &t,
            &PARTICIPATION_PANELS,
            None,
        )?;
    }
    if let Some(text) = read(out, "fig8-wang2023.csv")? {
        game::report::draw_stages(out, "fig8-wang2023", &text)?;
        for (stage, _) in game::report::WANG_STAGES {
            let prefix = format!("fig8-{stage}-");
            if out.path(&format!("{prefix}info.csv")).is_file() {
                game::report::draw_game(out, &prefix)?;
            }
        }
    }
    let mut index = String::from(
        "# cogov figure set\n\nRegenerate with `cargo run --release -- reproduce` (add `--quick` for a fast draft); redraw from the CSVs with `cogov plot DIR`.\n\n",
    );
    for f in &FIGURES {
        if out.path(&format!("{}.png", f.id)).is_file() {
            index.push_str(&format!(
                "- **{0}** (`{0}.png`, `{0}.svg`, data `{0}.csv`): {1}\n",
                f.id, f.caption
            ));
        }
    }
    out.write("figures.md", index.as_bytes())
}

/// What `cogov plot` finds in a directory.
enum Saved {
    Figures,
    Run,
    Game,
    Sweep,
    Calibration,
}

fn saved(dir: &Path) -> Result<Saved> {
    let has = |name: &str| dir.join(name).is_file();
    Ok(if has("fig1-compare.csv") || has("figures.md") {
        Saved::Figures
    } else if has("timeseries.csv") {
        Saved::Run
    } else if has("info.csv") && has("trajectories.csv") {
        Saved::Game
    } else if has("sweep.json") {
        Saved::Sweep
    } else if has("calibration.json") && has("posterior.csv") {
        Saved::Calibration
    } else {
        return Err(crate::error::InputError::Usage(format!(
            "{}: no data to plot (expected the output of reproduce, run, compare, sweep, calibrate or game)",
            dir.display()
        ))
        .into());
    })
}

/// `cogov plot DIR`: redraw the figures of a `reproduce`, `run`/`compare`, `sweep` or `game` directory
/// from its saved data, as a new version of the directory whose manifest hashes what is there now
/// and records the redraw. Returns the files redrawn.
pub fn replot(dir: &Path) -> Result<Vec<String>> {
    let kind = saved(dir)?;
    let mut out = Claim::new(dir)?.revise()?;
    let mut manifest = Manifest::read_or_wrap(dir)?;
    match kind {
        Saved::Figures => draw_all(&mut out)?,
        Saved::Run => {
            let command = match manifest.command.as_str() {
                "compare" => "compare",
                _ => "run",
            };
            let names: Vec<&str> = manifest.scenarios.iter().map(|s| s.name.as_str()).collect();
            let title = format!(
                "cogov: {}",
                if names.is_empty() {
                    "run".to_string()
                } else {
                    names.join(" vs ")
                }
            );
            plot::run_figure(&mut out, command, &title)?;
        }
        Saved::Game => crate::game::report::draw_game(&mut out, "")?,
        Saved::Sweep => crate::experiment::sweep::replot(&mut out)?,
        Saved::Calibration => crate::calibrate::figures::replot(&mut out)?,
    }
    let files = out.written();
    manifest.redrawn.push(Redrawn::now(files.clone()));
    out.commit(|hashes| manifest.to_json(hashes))?;
    Ok(files)
}

/// Final-window means per replicate of one indicator, by scenario run.
fn final_window(run: &ScenarioRun, indicator: Indicator) -> Vec<f64> {
    tables::final_window_means(run)
        .iter()
        .map(|v| v[indicator.index()])
        .collect()
}
