//! The figures of a calibration: the pair plot of the weighted posterior and the posterior-predictive
//! check of every target.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::abc::{Particles, PriorRange};
use crate::error::Result;
use crate::output::OutputDir;
use crate::output::table::read_csv;
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render, tick_label};

const BINS: usize = 20;

struct Pairs<'a> {
    title: String,
    names: Vec<String>,
    ranges: Vec<(f64, f64)>,
    particles: &'a Particles,
}

impl Drawing for Pairs<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root
            .margin(10, 10, 10, 10)
            .titled(&self.title, (FONT_NAME, 26))
            .map_err(draw_error)?;
        let k = self.names.len();
        let cells = root.split_evenly((k, k));
        let w = &self.particles.weights;
        let top = w.iter().copied().fold(0.0, f64::max);
        let blue = colour("coordinated", 0);
        for (at, area) in cells.iter().enumerate() {
            let (row, col) = (at / k, at % k);
            if col > row {
                continue;
            }
            let (x0, x1) = self.ranges[col];
            let x_desc = if row == k - 1 {
                self.names[col].as_str()
            } else {
                ""
            };
            if row == col {
                // The weighted histogram of one parameter over its prior range (flat: the prior).
                let v = &self.particles.values[col];
                let mut h = [0.0; BINS];
                for (x, wi) in v.iter().zip(w) {
                    let b = (((x - x0) / (x1 - x0)) * BINS as f64).floor() as isize;
                    h[b.clamp(0, BINS as isize - 1) as usize] += wi;
                }
                let density = |m: f64| m * BINS as f64 / (x1 - x0);
                let peak = h.iter().copied().fold(0.0, f64::max);
                let mut chart = ChartBuilder::on(area)
                    .margin(6)
                    .x_label_area_size(if row == k - 1 { 40 } else { 14 })
                    .y_label_area_size(14)
                    .build_cartesian_2d(x0..x1, 0.0..density(peak).max(1.0 / (x1 - x0)) * 1.1)
                    .map_err(draw_error)?;
                chart
                    .configure_mesh()
                    .disable_y_axis()
                    .x_labels(3)
                    .x_label_formatter(&|x| tick_label(*x, x1 - x0))
                    .x_desc(x_desc)
                    .label_style((FONT_NAME, 12))
                    .axis_desc_style((FONT_NAME, 13))
                    .light_line_style(WHITE.mix(0.0))
                    .draw()
                    .map_err(draw_error)?;
                chart
                    .draw_series(h.iter().enumerate().map(|(b, &m)| {
                        let a = x0 + (x1 - x0) * b as f64 / BINS as f64;
                        let z = x0 + (x1 - x0) * (b + 1) as f64 / BINS as f64;
                        Rectangle::new([(a, 0.0), (z, density(m))], blue.mix(0.6).filled())
                    }))
                    .map_err(draw_error)?;
                let prior = 1.0 / (x1 - x0);
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x0, prior), (x1, prior)],
                        BLACK.mix(0.6).stroke_width(1),
                    )))
                    .map_err(draw_error)?;
                continue;
            }
            let (y0, y1) = self.ranges[row];
            let y_desc = if col == 0 {
                self.names[row].as_str()
            } else {
                ""
            };
            let mut chart = ChartBuilder::on(area)
                .margin(6)
                .x_label_area_size(if row == k - 1 { 40 } else { 14 })
                .y_label_area_size(if col == 0 { 60 } else { 14 })
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .x_labels(3)
                .y_labels(3)
                .x_label_formatter(&|x| {
                    if row == k - 1 {
                        tick_label(*x, x1 - x0)
                    } else {
                        String::new()
                    }
                })
                .y_label_formatter(&|y| {
                    if col == 0 {
                        tick_label(*y, y1 - y0)
                    } else {
                        String::new()
                    }
                })
                .x_desc(x_desc)
                .y_desc(y_desc)
                .label_style((FONT_NAME, 12))
                .axis_desc_style((FONT_NAME, 13))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(draw_error)?;
            let (xs, ys) = (&self.particles.values[col], &self.particles.values[row]);
            chart
                .draw_series(xs.iter().zip(ys).zip(w).map(|((&x, &y), &wi)| {
                    let size = 1 + (4.0 * (wi / top).sqrt()).round() as i32;
                    Circle::new((x, y), size, blue.mix(0.45).filled())
                }))
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)
    }
}

/// The pair plot `{stem}.png`/`.svg`: each parameter's weighted histogram over its prior range on
/// the diagonal (the line is the flat prior), the particles of each pair below it (area ∝ weight).
pub fn pairs(
    out: &mut OutputDir,
    stem: &str,
    title: &str,
    priors: &[PriorRange],
    particles: &Particles,
) -> Result<()> {
    let k = priors.len();
    let figure = Pairs {
        title: format!("{title} ({} particles)", particles.weights.len()),
        names: priors.iter().map(|p| p.0.clone()).collect(),
        ranges: priors.iter().map(|p| (p.1, p.2)).collect(),
        particles,
    };
    let side = (260 * k as u32).clamp(520, 2600);
    render(out, stem, (side, side + 40), &figure)
}

/// The priors (key, min, max) of a `posterior-summary.csv` and the particles of the matching
/// `posterior.csv`: everything the pair plot needs, from the files alone.
pub fn read_pairs(posterior: &str, summary: &str) -> Result<(Vec<PriorRange>, Particles)> {
    let s = read_csv(summary, "posterior-summary.csv", None)?;
    let (key, min, max) = (
        s.column("posterior-summary.csv", "parameter")?,
        s.column("posterior-summary.csv", "prior_min")?,
        s.column("posterior-summary.csv", "prior_max")?,
    );
    let priors: Vec<PriorRange> = s
        .rows
        .iter()
        .map(|r| Ok((r.get(key).to_string(), r.num(min)?, r.num(max)?)))
        .collect::<Result<_>>()?;
    let p = read_csv(posterior, "posterior.csv", None)?;
    let weight = p.column("posterior.csv", "weight")?;
    let columns: Vec<usize> = priors
        .iter()
        .map(|(k, _, _)| p.column("posterior.csv", k))
        .collect::<Result<_>>()?;
    let mut particles = Particles {
        values: vec![Vec::new(); priors.len()],
        weights: Vec::new(),
    };
    for r in &p.rows {
        particles.weights.push(r.num(weight)?);
        for (k, &c) in columns.iter().enumerate() {
            particles.values[k].push(r.num(c)?);
        }
    }
    Ok((priors, particles))
}

struct Row {
    name: String,
    label: String,
    fitted: bool,
    /// Standardised: (value − observed)/scale.
    low: f64,
    high: f64,
    mean: f64,
    q025: f64,
    q975: f64,
    calibrated: f64,
}

struct Check {
    title: String,
    rows: Vec<Row>,
}

impl Drawing for Check {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root
            .margin(10, 20, 10, 10)
            .titled(&self.title, (FONT_NAME, 24))
            .map_err(draw_error)?;
        let n = self.rows.len();
        let values = self
            .rows
            .iter()
            .flat_map(|r| [r.low, r.high, r.q025, r.q975, r.calibrated])
            .filter(|v| v.is_finite());
        let (lo, hi) = values.fold((-1.5f64, 1.5f64), |(a, b), v| (a.min(v), b.max(v)));
        let (lo, hi) = (lo.max(-16.0) - 0.3, hi.min(16.0) + 0.3);
        let names: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                if r.fitted {
                    format!("{} (fitted)", r.name)
                } else {
                    format!("{} ({}, reported)", r.name, r.label)
                }
            })
            .collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(48)
            .y_label_area_size(380)
            .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                    names[n - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| tick_label(*x, hi - lo))
            .x_desc("(value − observed) / scale: grey, the accepted range; bar, the 95% predictive interval; dot, its mean; diamond, calibrated.toml")
            .label_style((FONT_NAME, 15))
            .axis_desc_style((FONT_NAME, 15))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_error)?;
        let at = |i: usize| (n - 1 - i) as f64;
        let clip = |v: f64| v.clamp(lo, hi);
        chart
            .draw_series(self.rows.iter().enumerate().map(|(i, r)| {
                Rectangle::new(
                    [(clip(r.low), at(i) - 0.3), (clip(r.high), at(i) + 0.3)],
                    BLACK.mix(0.12).filled(),
                )
            }))
            .map_err(draw_error)?;
        for (i, r) in self.rows.iter().enumerate() {
            let c = if r.fitted {
                colour("coordinated", 0)
            } else {
                colour("", 0)
            };
            if r.q025.is_finite() {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(clip(r.q025), at(i)), (clip(r.q975), at(i))],
                        c.stroke_width(3),
                    )))
                    .map_err(draw_error)?;
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (clip(r.mean), at(i)),
                        6,
                        c.filled(),
                    )))
                    .map_err(draw_error)?;
            }
            if r.calibrated.is_finite() {
                let (x, y) = (clip(r.calibrated), at(i) - 0.22);
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        vec![
                            (x - 0.06 * (hi - lo) / 10.0, y),
                            (x, y + 0.1),
                            (x + 0.06 * (hi - lo) / 10.0, y),
                            (x, y - 0.1),
                        ],
                        BLACK.filled(),
                    )))
                    .map_err(draw_error)?;
            }
        }
        root.present().map_err(draw_error)
    }
}

/// The posterior-predictive check `predictive.png`/`.svg` from the text of `predictive.csv`.
pub fn predictive(out: &mut OutputDir, name: &str, text: &str) -> Result<()> {
    let t = read_csv(text, "predictive.csv", None)?;
    let col = |c: &str| t.column("predictive.csv", c);
    let (observed, scale, low, high) = (col("observed")?, col("scale")?, col("low")?, col("high")?);
    let (mean, q025, q975, calibrated) = (
        col("predictive_mean")?,
        col("predictive_q025")?,
        col("predictive_q975")?,
        col("calibrated")?,
    );
    let fitted = col("fitted")?;
    let label = col("label")?;
    let rows = t
        .rows
        .iter()
        .map(|r| {
            let (o, s) = (r.num(observed)?, r.num(scale)?);
            let z = |c: usize| -> Result<f64> { Ok((r.num_or_nan(c)? - o) / s) };
            Ok(Row {
                name: r.get(0).to_string(),
                label: r.get(label).to_string(),
                fitted: r.get(fitted) == "true",
                low: z(low)?,
                high: z(high)?,
                mean: z(mean)?,
                q025: z(q025)?,
                q975: z(q975)?,
                calibrated: z(calibrated)?,
            })
        })
        .collect::<Result<Vec<Row>>>()?;
    let n = rows.len() as u32;
    let figure = Check {
        title: format!("{name}: posterior-predictive check"),
        rows,
    };
    render(out, "predictive", (1500, 160 + 60 * n), &figure)
}

/// `cogov plot` on a calibration directory: redraw the pair plot and the predictive check from
/// `posterior.csv`, `posterior-summary.csv` and `predictive.csv`.
pub fn replot(out: &mut OutputDir) -> Result<()> {
    let id = super::state::Identity::read(out.root())?;
    let (priors, particles) = read_pairs(
        &out.read(super::state::POSTERIOR)?,
        &out.read("posterior-summary.csv")?,
    )?;
    let title = format!("{}: posterior", id.calibration);
    pairs(out, "pairs", &title, &priors, &particles)?;
    let text = out.read("predictive.csv")?;
    predictive(out, &id.calibration, &text)
}
