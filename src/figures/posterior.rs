//! Figures 10 and 11, from the shipped calibration of china-2020 (its committed posterior; the
//! calibration itself is never rerun here): the pair plot of the posterior, and the lever effects
//! and regime comparisons over posterior draws, with the share of draws in which each lever ranks
//! first.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::levers::LEVERS;
use super::scenario;
use crate::calibrate::posterior::{interval, read_draws, run_draws};
use crate::error::Result;
use crate::model::observe::Indicator;
use crate::output::OutputDir;
use crate::output::table::{Cell, Table, read_csv};
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render, tick_label};
use crate::scenario::load_scenario;

/// The shipped calibration's directory, relative to `scenarios/`.
pub const CALIBRATION: &str = "calibration/china-2020";

/// Copy the committed posterior and its summary as figure 10's data.
pub fn copy_posterior(out: &mut OutputDir) -> Result<()> {
    let dir = scenario(CALIBRATION)?;
    for (from, to) in [
        ("posterior.csv", "fig10-posterior.csv"),
        ("posterior-summary.csv", "fig10-priors.csv"),
    ] {
        let text = crate::scenario::read_text(&dir.join(from))?;
        out.write(to, text.as_bytes())?;
    }
    Ok(())
}

pub fn draw_pairs(out: &mut OutputDir, posterior: &str, priors: &str) -> Result<()> {
    let (priors, particles) = crate::calibrate::figures::read_pairs(posterior, priors)?;
    crate::calibrate::figures::pairs(
        out,
        "fig10-posterior",
        "china-2020 calibrated to the fitted patterns: posterior",
        &priors,
        &particles,
    )
}

/// Draws, replicates and steps of figure 11 (full, quick).
const SIZE: [(u32, u32, Option<u32>); 2] = [(25, 4, None), (5, 2, Some(60))];

/// Run fragmented, the nine one-lever variants of it, china-2020 and coordinated at posterior draws;
/// the table of effects on pollution (median and 95% interval over draws) and each lever's share of
/// draws in which it cuts pollution most.
pub fn compute(quick: bool) -> Result<Table> {
    let (draws, replicates, steps) = SIZE[quick as usize];
    let mut files = vec!["fragmented.toml".to_string()];
    files.extend(LEVERS.iter().map(|l| format!("lever-{l}-on.toml")));
    files.extend(["china-2020.toml".into(), "coordinated.toml".into()]);
    let params = files
        .iter()
        .map(|f| {
            Ok(load_scenario(&scenario(f)?, &[])?.params.with_run_size(
                None,
                steps,
                Some(replicates),
            )?)
        })
        .collect::<Result<Vec<_>>>()?;
    let posterior = scenario(CALIBRATION)?.join("posterior.csv");
    let drawn = read_draws(&posterior, draws, params[0].seed)?;
    let metrics = [Indicator::PollutionMean];
    let means = run_draws(&params, &drawn, &metrics, &posterior.display().to_string())?;
    let (fragmented, china, coordinated) = (0, LEVERS.len() + 1, LEVERS.len() + 2);
    let mut t = Table::new(&[
        "comparison",
        "baseline",
        "effect_median",
        "effect_q025",
        "effect_q975",
        "relative_median",
        "relative_q025",
        "relative_q975",
        "first_share",
        "draws",
    ]);
    let mut push = |name: &str, base_name: &str, s: usize, b: usize, first: f64| {
        let e: Vec<f64> = means.iter().map(|d| d[s][0] - d[b][0]).collect();
        let r: Vec<f64> = means
            .iter()
            .map(|d| (d[s][0] - d[b][0]) / d[b][0])
            .collect();
        let ((em, el, eh), (rm, rl, rh)) = (interval(&e), interval(&r));
        t.push(vec![
            Cell::from(name),
            Cell::from(base_name),
            Cell::Num(em),
            Cell::Num(el),
            Cell::Num(eh),
            Cell::Num(rm),
            Cell::Num(rl),
            Cell::Num(rh),
            Cell::Num(first),
            Cell::from(means.len()),
        ]);
    };
    push(
        "coordinated",
        "fragmented",
        coordinated,
        fragmented,
        f64::NAN,
    );
    push("coordinated", "china-2020", coordinated, china, f64::NAN);
    push("china-2020", "fragmented", china, fragmented, f64::NAN);
    // Each draw's first lever: the largest cut in pollution (ties to the earlier lever).
    let firsts: Vec<usize> = means
        .iter()
        .map(|d| {
            (1..=LEVERS.len())
                .min_by(|&a, &b| d[a][0].total_cmp(&d[b][0]))
                .expect("nine levers")
        })
        .collect();
    for (i, lever) in LEVERS.iter().enumerate() {
        let share = firsts.iter().filter(|&&f| f == i + 1).count() as f64 / firsts.len() as f64;
        push(lever, "fragmented", i + 1, fragmented, share);
    }
    Ok(t)
}

struct Row {
    label: String,
    median: f64,
    low: f64,
    high: f64,
    first: f64,
    lever: bool,
}

struct Effects {
    rows: Vec<Row>,
    draws: usize,
}

impl Drawing for Effects {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let title = format!(
            "Effects on pollution over {} draws of the calibrated posterior (median, 95% interval)",
            self.draws
        );
        let root = root
            .margin(12, 20, 10, 10)
            .titled(&title, (FONT_NAME, 26))
            .map_err(draw_error)?;
        let n = self.rows.len();
        let (lo, hi) = self
            .rows
            .iter()
            .flat_map(|r| [r.low, r.high])
            .filter(|v| v.is_finite())
            .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
        let pad = ((hi - lo) * 0.06).max(0.01);
        let labels: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                if r.lever {
                    format!("{} on (first in {:.0}% of draws)", r.label, 100.0 * r.first)
                } else {
                    r.label.clone()
                }
            })
            .collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(50)
            .y_label_area_size(420)
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n as f64 - 0.5))
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                    labels[n - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| format!("{}%", tick_label(100.0 * x, 100.0 * (hi - lo))))
            .x_desc("change in the mean pollution stock, relative to the baseline")
            .label_style((FONT_NAME, 16))
            .axis_desc_style((FONT_NAME, 17))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_error)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                BLACK.mix(0.5).stroke_width(1),
            )))
            .map_err(draw_error)?;
        for (i, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let c = if r.lever {
                colour("coordinated", 0)
            } else {
                colour("", 0)
            };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(r.low, y), (r.high, y)],
                    c.stroke_width(3),
                )))
                .map_err(draw_error)?;
            chart
                .draw_series(std::iter::once(Circle::new((r.median, y), 6, c.filled())))
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)
    }
}

/// Figure 11 from its table: the regime comparisons on top, the levers below sorted by their median.
pub fn draw_levers(out: &mut OutputDir, text: &str) -> Result<()> {
    let file = "fig11-levers-posterior.csv";
    let t = read_csv(text, file, None)?;
    let col = |c: &str| t.column(file, c);
    let (name, base, m, l, h, first, draws) = (
        col("comparison")?,
        col("baseline")?,
        col("relative_median")?,
        col("relative_q025")?,
        col("relative_q975")?,
        col("first_share")?,
        col("draws")?,
    );
    let mut regimes = Vec::new();
    let mut levers = Vec::new();
    let mut n_draws = 0;
    for r in &t.rows {
        n_draws = r.index(draws)?;
        let first = r.num_or_nan(first)?;
        let lever = first.is_finite();
        let row = Row {
            label: if lever {
                r.get(name).to_string()
            } else {
                format!("{} vs {}", r.get(name), r.get(base))
            },
            median: r.num(m)?,
            low: r.num(l)?,
            high: r.num(h)?,
            first,
            lever,
        };
        if lever {
            levers.push(row);
        } else {
            regimes.push(row);
        }
    }
    levers.sort_by(|a, b| a.median.total_cmp(&b.median));
    regimes.extend(levers);
    let n = regimes.len() as u32;
    render(
        out,
        "fig11-levers-posterior",
        (1500, 140 + 52 * n),
        &Effects {
            rows: regimes,
            draws: n_draws,
        },
    )
}
