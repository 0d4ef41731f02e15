//! The figure set of a paper on this model (issue 3): `cogov reproduce` runs every scenario and
//! experiment the figures need, writes the data behind each figure as CSV, then draws each figure from
//! its CSV. `cogov plot DIR` redraws from those CSVs without running anything, byte for byte.
//!
//! | id | figure | data |
//! |---|---|---|
//! | fig1-compare | fragmented vs coordinated over time | band table |
//! | fig2-levers | effect of each lever, on from fragmented and off from coordinated | paired effects |
//! | fig3-deterrence | compliance over fine × monitoring coverage with the Becker frontier | grid sweep |
//! | fig4-river | pollution by region along the river | regional final-window means |
//! | fig5-networks | the governance wiring of fragmented and coordinated | edge list |
//! | fig6-feedback | target gap over time: one-way vs closed loops with monitoring lags | band table |
//! | fig7-participation | complaints and awareness: fragmented vs shared platform | band table |
//! | fig8-wang2023 | the evolutionary-game twin reproducing Wang et al. (2023) | trajectories |
//! | fig9-pricing | compensation schemes and cost-benefit caps switched on from fragmented | paired effects |

mod deterrence;
mod levers;
mod network;
mod river;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::commands::{self, RunOptions};
use crate::engine::{ScenarioRun, run_scenario};
use crate::error::{Error, Result};
use crate::game;
use crate::model::observe::StepRecord;
use crate::model::targets;
use crate::output::{OutputDir, tables};
use crate::plot::{self, BandTable, Panel};

pub use levers::LEVERS;
pub use network::{Edge, wiring};

/// Options of `cogov reproduce`.
#[derive(Debug, Clone, Default)]
pub struct ReproduceOptions {
    pub out: Option<PathBuf>,
    /// Fewer replicates and months: the whole set in well under two minutes on 2 cores.
    pub quick: bool,
    pub force: bool,
    pub threads: Option<usize>,
}

/// A figure of the set: its id (file stem) and caption.
pub struct Figure {
    pub id: &'static str,
    pub caption: &'static str,
}

pub const FIGURES: [Figure; 9] = [
    Figure {
        id: "fig1-compare",
        caption: "Fragmented vs coordinated governance over ten years: pollution, compliance, welfare net of output and public awareness (mean and 95% band over replicates).",
    },
    Figure {
        id: "fig2-levers",
        caption: "Which lever matters: the effect of switching each lever on from fragmented (blue) and off from coordinated (vermilion) on pollution, welfare net of output and enforcement cost (paired differences over common random numbers, 95% intervals), sorted by the effect on pollution.",
    },
    Figure {
        id: "fig3-deterrence",
        caption: "Deterrence map: enterprise compliance over the fine and online-monitoring coverage under fragmented governance; the line is the Becker frontier p·(F + disclosed reputation) = mean abatement cost, with p the enterprises' learned sanction probability at that coverage.",
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
        caption: "The feedback loop: relative gap between the mean stock and the set-point over twenty years, under one-way management and under the closed loop with monitoring lags of 1 to 24 months; long lags overshoot and oscillate.",
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
];

/// Where the figure set's inputs live.
fn scenario(path: &str) -> PathBuf {
    commands::scenario_dir().join(path)
}

/// Run one shipped scenario at the reproduce size.
fn run(path: &str, quick: bool, sets: &[&str]) -> Result<ScenarioRun> {
    let s = commands::load(
        &scenario(path),
        &RunOptions {
            sets: sets.iter().map(|s| s.to_string()).collect(),
            ..RunOptions::default()
        },
    )?;
    let (steps, replicates) = if quick {
        (Some((s.params.s.steps / 2).max(24)), Some(4))
    } else {
        (None, None)
    };
    let params = s.params.with_run_size(None, steps, replicates)?;
    run_scenario(&params, &|_| {})
}

fn records(run: &ScenarioRun, metric: &str) -> Vec<Vec<f64>> {
    let m = StepRecord::COLUMNS
        .iter()
        .position(|c| *c == metric)
        .expect("known metric");
    run.replicates
        .iter()
        .map(|r| r.steps.iter().map(|s| s.values()[m]).collect())
        .collect()
}

fn band_table(runs: &[ScenarioRun], panels: &[Panel]) -> BandTable {
    let mut t = BandTable::default();
    for run in runs {
        for p in panels {
            t.push(run.params.name(), p.metric, &records(run, p.metric));
        }
    }
    t
}

const PARTICIPATION_PANELS: [Panel; 4] = [
    Panel {
        metric: "complaints_filed",
        title: "Complaints filed",
        unit: "complaints per month (basin)",
    },
    Panel {
        metric: "complaints_handled",
        title: "Complaints handled",
        unit: "complaints per month (basin)",
    },
    Panel {
        metric: "complaints_lost",
        title: "Complaints lost",
        unit: "complaints per month (basin)",
    },
    Panel {
        metric: "awareness_mean",
        title: "Public awareness",
        unit: "mean awareness (0–1)",
    },
];

const FEEDBACK_PANEL: [Panel; 1] = [Panel {
    metric: "target_gap",
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
    let pool = commands::thread_pool(opts.threads)?;
    let quick = opts.quick;
    let mut timings = Vec::new();
    pool.install(|| -> Result<()> {
        let mut timed =
            |id: &'static str, f: &mut dyn FnMut(&mut OutputDir) -> Result<()>| -> Result<()> {
                let t = Instant::now();
                f(&mut out)?;
                timings.push((id, t.elapsed().as_secs_f64()));
                eprintln!("{id}: {:.1} s", t.elapsed().as_secs_f64());
                Ok(())
            };
        timed("fig1-compare", &mut |out| {
            let runs = [
                run("fragmented.toml", quick, &[])?,
                run("coordinated.toml", quick, &[])?,
            ];
            out.write(
                "fig1-compare.csv",
                band_table(&runs, &plot::COMPARE_PANELS).to_csv().as_bytes(),
            )?;
            Ok(())
        })?;
        timed("fig2-levers", &mut |out| {
            out.write("fig2-levers.csv", levers::compute(quick)?.as_bytes())
        })?;
        timed("fig3-deterrence", &mut |out| {
            deterrence::compute(out, quick)
        })?;
        timed("fig4-river", &mut |out| {
            out.write("fig4-river.csv", river::compute(quick)?.as_bytes())
        })?;
        timed("fig5-networks", &mut |out| {
            out.write("fig5-networks.csv", network::compute()?.as_bytes())
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
                let gaps: Vec<Vec<f64>> = records(&r, "pollution_mean")
                    .into_iter()
                    .map(|rep| {
                        rep.into_iter()
                            .map(|s| (s - set_point) / set_point)
                            .collect()
                    })
                    .collect();
                t.push(r.params.name(), "target_gap", &gaps);
            }
            out.write("fig6-feedback.csv", t.to_csv().as_bytes())
        })?;
        timed("fig8-wang2023", &mut |out| {
            let mut games = Vec::new();
            for (stage, _) in game::report::WANG_STAGES {
                let g = game::load_game(&scenario(&format!("games/wang2023-{stage}.toml")))?;
                game::report::write_game(&g, out, &format!("fig8-{stage}-"))?;
                games.push((stage.to_string(), g));
            }
            out.write(
                "fig8-wang2023.csv",
                game::report::stages_csv(&games).as_bytes(),
            )
        })?;
        timed("fig7-participation", &mut |out| {
            let runs = [
                run("fragmented.toml", quick, &[])?,
                run("figures/participation-platform.toml", quick, &[])?,
                run("coordinated.toml", quick, &[])?,
            ];
            out.write(
                "fig7-participation.csv",
                band_table(&runs, &PARTICIPATION_PANELS).to_csv().as_bytes(),
            )
        })?;
        timed("fig9-pricing", &mut |out| {
            out.write(
                "fig9-pricing.csv",
                levers::compute_pricing(quick)?.as_bytes(),
            )
        })?;
        Ok(())
    })?;
    draw_all(&mut out)?;
    let total: f64 = timings.iter().map(|t| t.1).sum();
    eprintln!(
        "reproduce{}: {total:.1} s of runs",
        if quick { " --quick" } else { "" }
    );
    Ok(out.root().to_path_buf())
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
        let t = BandTable::parse(&text)?;
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
        let t = BandTable::parse(&text)?;
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
        let t = BandTable::parse(&text)?;
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

/// `cogov plot DIR`: redraw the figures of a `reproduce`, `run`/`compare` or `sweep` directory from its
/// saved data. Returns the files written.
pub fn replot(dir: &Path) -> Result<Vec<String>> {
    let mut out = OutputDir::create(dir, true)?;
    if dir.join("fig1-compare.csv").is_file() || dir.join("figures.md").is_file() {
        draw_all(&mut out)?;
    } else if dir.join("timeseries.csv").is_file() {
        let text = std::fs::read_to_string(dir.join("timeseries.csv"))
            .map_err(|e| Error::io(dir.join("timeseries.csv"), e))?;
        let manifest: serde_json::Value = std::fs::read_to_string(dir.join("manifest.json"))
            .ok()
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or_default();
        let command = manifest["command"].as_str().unwrap_or("run").to_string();
        let names: Vec<&str> = manifest["scenarios"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
            .unwrap_or_default();
        let title = format!(
            "cogov: {}",
            if names.is_empty() {
                "run".to_string()
            } else {
                names.join(" vs ")
            }
        );
        let metrics: Vec<&str> = plot::COMPARE_PANELS.iter().map(|p| p.metric).collect();
        let bands = plot::bands_from_timeseries(&text, &metrics)?;
        plot::time_series_figure(
            &mut out,
            &command,
            &title,
            &bands,
            &plot::COMPARE_PANELS,
            None,
        )?;
    } else if dir.join("info.csv").is_file() && dir.join("trajectories.csv").is_file() {
        crate::game::report::draw_game(&mut out, "")?;
    } else if dir.join("sweep.json").is_file() {
        crate::experiment::sweep::replot(&mut out)?;
    } else {
        return Err(crate::error::InputError::Usage(format!(
            "{}: no data to plot (expected the output of reproduce, run, compare, sweep or game)",
            dir.display()
        ))
        .into());
    }
    Ok(out.hashes.keys().cloned().collect())
}

/// Final-window means per replicate of one metric, by scenario run.
fn final_window(run: &ScenarioRun, metric: &str) -> Vec<f64> {
    let m = StepRecord::COLUMNS
        .iter()
        .position(|c| *c == metric)
        .expect("known metric");
    tables::final_window_means(run)
        .iter()
        .map(|v| v[m])
        .collect()
}
