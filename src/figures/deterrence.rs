//! Figure 3, the deterrence map: compliance over the fine × online-monitoring coverage grid of
//! `scenarios/experiments/deterrence-grid.toml`, with the Becker frontier drawn over it.
//!
//! The frontier is where an enterprise of mean abatement cost c̄ is indifferent:
//! p̂(coverage)·(F + disclosure·R) = c̄, with p̂ the enterprises' learned sanction probability at that
//! coverage, measured in the same sweep (it does not depend on the fine), c̄ = cost share × mean output
//! and R the reputational cost. Becker's result is that compliance switches on across this line; with
//! heterogeneous costs and logit noise it is where compliance passes through its middle range.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, InputError, Result};
use crate::experiment::sweep::sweep_nested;
use crate::experiment::{DesignKind, load_experiment};
use crate::output::table::{Table, csv_rows, read_csv};
use crate::output::{Cell, OutputDir};
use crate::plot::{Drawing, FONT_NAME, draw_error, render};

/// Run the grid sweep into `fig3-deterrence-sweep/` and write the map and frontier tables.
pub fn compute(out: &mut OutputDir, quick: bool) -> Result<()> {
    let mut exp = load_experiment(&super::scenario("experiments/deterrence-grid.toml")?, &[])?;
    if quick {
        exp.kind = DesignKind::Grid { levels: 5 };
        exp.base = exp.base.with_run_size(None, Some(60), Some(2))?;
    }
    let dir = sweep_nested(
        &exp,
        out.nested("fig3-deterrence-sweep")?,
        rayon::current_num_threads(),
    )?;
    let results = std::fs::read_to_string(dir.join("results.csv"))
        .map_err(|e| Error::io(dir.join("results.csv"), e))?;
    let table = read_csv(&results, "results.csv", None)?;
    let col = |name: &str| table.column("results.csv", name);
    let (fine, coverage, compliance, belief) = (
        col("law.fine")?,
        col("monitoring.coverage")?,
        col("compliance_rate")?,
        col("belief_mean")?,
    );
    // (fine, coverage) as exact bit patterns → sums over replicates.
    let mut cells: BTreeMap<(u64, u64), (f64, f64, f64)> = BTreeMap::new();
    for f in numbers(&results, table.columns.len(), "results.csv")? {
        let e = cells
            .entry((f[fine].to_bits(), f[coverage].to_bits()))
            .or_default();
        *e = (e.0 + f[compliance], e.1 + f[belief], e.2 + 1.0);
    }
    let mut grid = Table::new(&["fine", "coverage", "compliance_rate", "belief_mean"]);
    let mut by_coverage: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    let mut rows: Vec<(f64, f64, f64, f64)> = cells
        .iter()
        .map(|(&(f, c), &(comp, bel, n))| (f64::from_bits(f), f64::from_bits(c), comp / n, bel / n))
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    for (f, c, comp, bel) in &rows {
        grid.push(vec![
            Cell::Num(*f),
            Cell::Num(*c),
            Cell::Num(*comp),
            Cell::Num(*bel),
        ]);
        let e = by_coverage.entry(c.to_bits()).or_default();
        *e = (e.0 + bel, e.1 + 1.0);
    }
    let s = &exp.base;
    let mean_cost = s.enterprises.abatement_cost_share * s.enterprises.output_mean;
    let reputation = s.public.disclosure * s.enterprises.reputation_cost;
    let mut frontier = Table::new(&[
        "coverage",
        "belief_mean",
        "frontier_fine",
        "mean_cost",
        "disclosed_reputation",
    ]);
    let mut by_coverage: Vec<(f64, f64)> = by_coverage
        .iter()
        .map(|(&c, &(sum, n))| (f64::from_bits(c), sum / n))
        .collect();
    by_coverage.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (c, p) in by_coverage {
        let f_star = if p > 0.0 {
            mean_cost / p - reputation
        } else {
            f64::INFINITY
        };
        frontier.push(
            [c, p, f_star, mean_cost, reputation]
                .map(Cell::Num)
                .to_vec(),
        );
    }
    out.write_table("fig3-deterrence", &grid)?;
    out.write_table("fig3-frontier", &frontier)
}

fn numbers(text: &str, columns: usize, name: &str) -> Result<Vec<Vec<f64>>> {
    csv_rows(text, name, columns)?
        .iter()
        .map(|row| (0..columns).map(|i| row.num_or_nan(i)).collect())
        .collect()
}

/// Viridis-like colour for v ∈ [0, 1].
fn viridis(v: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let x = v.clamp(0.0, 1.0) * 4.0;
    let i = (x.floor() as usize).min(3);
    let t = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + t * (q - p)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Cell edges: midpoints between levels (geometric for a log axis), extended half a cell outwards.
fn edges(levels: &[f64], log: bool) -> Vec<f64> {
    let t = |x: f64| if log { x.ln() } else { x };
    let u = |x: f64| if log { x.exp() } else { x };
    let mut e = Vec::with_capacity(levels.len() + 1);
    let n = levels.len();
    let step = if n > 1 {
        t(levels[1]) - t(levels[0])
    } else {
        1.0
    };
    e.push(u(t(levels[0]) - step / 2.0));
    for w in levels.windows(2) {
        e.push(u((t(w[0]) + t(w[1])) / 2.0));
    }
    let last_step = if n > 1 {
        t(levels[n - 1]) - t(levels[n - 2])
    } else {
        1.0
    };
    e.push(u(t(levels[n - 1]) + last_step / 2.0));
    e
}

struct Map {
    grid: Vec<Vec<f64>>,
    frontier: Vec<Vec<f64>>,
}

impl Drawing for Map {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let mut fines: Vec<f64> = self.grid.iter().map(|r| r[0]).collect();
        let mut covs: Vec<f64> = self.grid.iter().map(|r| r[1]).collect();
        for v in [&mut fines, &mut covs] {
            v.sort_by(f64::total_cmp);
            v.dedup();
        }
        let (fe, ce) = (edges(&fines, true), edges(&covs, false));
        let (map_area, bar_area) = root.margin(16, 16, 16, 16).split_horizontally(1180);
        let mut chart = ChartBuilder::on(&map_area)
            .caption(
                "Deterrence map: compliance over fine × monitoring coverage (fragmented)",
                (FONT_NAME, 28),
            )
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(
                (fe[0]..fe[fe.len() - 1])
                    .log_scale()
                    .with_key_points(vec![0.05, 0.1, 0.2, 0.5, 1.0, 2.0]),
                ce[0]..ce[ce.len() - 1],
            )
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("fine per sanctioned violation (million yuan, log scale)")
            .y_desc("share of enterprises under online monitoring")
            .x_label_formatter(&|x| format!("{x:.2}"))
            .y_label_formatter(&|y| format!("{y:.1}"))
            .axis_desc_style((FONT_NAME, 20))
            .label_style((FONT_NAME, 17))
            .draw()
            .map_err(draw_error)?;
        chart
            .draw_series(self.grid.iter().map(|r| {
                let i = fines.iter().position(|f| *f == r[0]).unwrap_or(0);
                let j = covs.iter().position(|c| *c == r[1]).unwrap_or(0);
                Rectangle::new(
                    [(fe[i], ce[j]), (fe[i + 1], ce[j + 1])],
                    viridis(r[2]).filled(),
                )
            }))
            .map_err(draw_error)?;
        chart
            .draw_series(self.grid.iter().map(|r| {
                let colour = if r[2] > 0.6 { BLACK } else { WHITE };
                Text::new(
                    format!("{:.2}", r[2]),
                    (r[0], r[1]),
                    (FONT_NAME, 15).into_font().color(&colour).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Center,
                            plotters::style::text_anchor::VPos::Center,
                        ),
                    ),
                )
            }))
            .map_err(draw_error)?;
        let (x0, x1) = (fe[0], fe[fe.len() - 1]);
        let line: Vec<(f64, f64)> = self
            .frontier
            .iter()
            .filter(|r| r[2] >= x0 && r[2] <= x1)
            .map(|r| (r[2], r[0]))
            .collect();
        chart
            .draw_series(LineSeries::new(line.clone(), WHITE.stroke_width(7)))
            .map_err(draw_error)?;
        if line.len() < 2 {
            // The mean enterprise would comply at every plotted fine: say so instead of drawing
            // nothing, so the missing line is not read as a missing result.
            let below = self
                .frontier
                .iter()
                .filter(|r| r[2] < x0 || r[2] > x1)
                .all(|r| r[2] < x0);
            let note = match (line.len(), below) {
                (0, true) => "Becker frontier below every fine shown (fig3-frontier.csv)",
                (0, false) => "Becker frontier outside the fines shown (fig3-frontier.csv)",
                (_, true) => {
                    "Becker frontier below the fines shown but at one coverage, the dot (fig3-frontier.csv)"
                }
                (_, false) => {
                    "Becker frontier outside the fines shown but at one coverage, the dot (fig3-frontier.csv)"
                }
            };
            chart
                .draw_series(line.iter().map(|&p| Circle::new(p, 8, WHITE.filled())))
                .map_err(draw_error)?;
            chart
                .draw_series(
                    line.iter()
                        .map(|&p| Circle::new(p, 5, RGBColor(213, 94, 0).filled())),
                )
                .map_err(draw_error)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    note,
                    (x0 * 1.08, ce[ce.len() - 1] - 0.03),
                    (FONT_NAME, 20).into_font().color(&BLACK),
                )))
                .map_err(draw_error)?;
        }
        let label_at = if line.len() >= 2 {
            line.last().copied()
        } else {
            None
        };
        chart
            .draw_series(LineSeries::new(line, RGBColor(213, 94, 0).stroke_width(4)))
            .map_err(draw_error)?;
        if let Some((x, y)) = label_at {
            let style = (FONT_NAME, 20).into_font().color(&WHITE);
            chart
                .draw_series(std::iter::once(Text::new(
                    "Becker frontier",
                    (x * 1.06, y + 0.07),
                    style,
                )))
                .map_err(draw_error)?;
        }
        // Colour bar.
        let mut bar = ChartBuilder::on(&bar_area.margin(60, 70, 10, 10))
            .x_label_area_size(0)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(draw_error)?;
        bar.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_desc("compliance rate")
            .y_label_formatter(&|y| format!("{y:.1}"))
            .axis_desc_style((FONT_NAME, 18))
            .label_style((FONT_NAME, 16))
            .draw()
            .map_err(draw_error)?;
        bar.draw_series((0..100).map(|k| {
            let (a, b) = (k as f64 / 100.0, (k + 1) as f64 / 100.0);
            Rectangle::new([(0.0, a), (1.0, b)], viridis(a).filled())
        }))
        .map_err(draw_error)?;
        root.present().map_err(draw_error)
    }
}

pub fn draw(out: &mut OutputDir, grid: &str, frontier: &str) -> Result<()> {
    let map = Map {
        grid: numbers(grid, 4, "fig3-deterrence.csv")?,
        frontier: numbers(frontier, 5, "fig3-frontier.csv")?,
    };
    if map.grid.is_empty() {
        return Err(InputError::Data {
            file: "fig3-deterrence.csv".into(),
            line: 1,
            reason: "no rows".into(),
        }
        .into());
    }
    render(out, "fig3-deterrence", (1400, 1000), &map)
}
