//! Sensitivity indices with intervals (dot and whisker), one panel per metric.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Drawing, FONT_NAME, colour, draw_error, render, tick_label};
use crate::error::Result;
use crate::output::OutputDir;

/// One parameter's sensitivity estimates (e.g. ("S1", …), ("ST", …)).
pub struct IndexRow {
    pub parameter: String,
    pub estimates: Vec<(&'static str, crate::output::stats::Estimate)>,
}

/// Sensitivity of one metric: rows sorted by importance.
pub struct IndexPanel {
    pub metric: String,
    pub rows: Vec<IndexRow>,
}

/// The label a measure of `sensitivity.csv` is drawn with, if it is drawn: both Sobol indices, and
/// μ* and σ of Morris (μ, signed, is in the table only).
fn drawn(measure: &str) -> Option<&'static str> {
    match measure {
        "S1" => Some("S1"),
        "ST" => Some("ST"),
        "mu_star" => Some("μ*"),
        "sigma" => Some("σ"),
        _ => None,
    }
}

/// The panels of the sensitivity figure from the text of `sensitivity.csv`: the first four metrics,
/// each with its parameters sorted by importance (total index ST, or μ*), most important first.
pub fn panels_from_table(text: &str) -> Result<Vec<IndexPanel>> {
    let mut panels: Vec<IndexPanel> = Vec::new();
    for row in crate::output::table::csv_rows(text, "sensitivity.csv", 6)? {
        let estimate = crate::output::stats::Estimate {
            value: row.num_or_nan(3)?,
            low: row.num_or_nan(4)?,
            high: row.num_or_nan(5)?,
        };
        if panels.last().is_none_or(|p| p.metric != row.get(0)) {
            panels.push(IndexPanel {
                metric: row.get(0).to_string(),
                rows: Vec::new(),
            });
        }
        let panel = panels.last_mut().expect("just pushed");
        if panel.rows.last().is_none_or(|r| r.parameter != row.get(1)) {
            panel.rows.push(IndexRow {
                parameter: row.get(1).to_string(),
                estimates: Vec::new(),
            });
        }
        if let Some(label) = drawn(row.get(2)) {
            let r = panel.rows.last_mut().expect("just pushed");
            r.estimates.push((label, estimate));
        }
    }
    let importance = |r: &IndexRow| {
        r.estimates
            .iter()
            .find(|e| e.0 == "ST" || e.0 == "μ*")
            .map_or(0.0, |e| e.1.value)
    };
    for panel in &mut panels {
        panel
            .rows
            .sort_by(|a, b| importance(b).total_cmp(&importance(a)));
    }
    panels.truncate(4);
    Ok(panels)
}

fn draw_indices<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    panels: &[IndexPanel],
) -> Result<()> {
    root.fill(&WHITE).map_err(draw_error)?;
    let root = root
        .margin(12, 0, 0, 0)
        .titled(title, (FONT_NAME, 30))
        .map_err(draw_error)?;
    let cols = if panels.len() > 1 { 2 } else { 1 };
    let areas = root.split_evenly((panels.len().div_ceil(cols), cols));
    for (area, panel) in areas.iter().zip(panels) {
        let n = panel.rows.len();
        let values = panel.rows.iter().flat_map(|r| {
            r.estimates
                .iter()
                .flat_map(|(_, e)| [e.low, e.high, e.value])
        });
        let (lo, hi) = values
            .filter(|v| v.is_finite())
            .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
        let pad = ((hi - lo) * 0.08).max(1e-9);
        let names: Vec<String> = panel.rows.iter().map(|r| r.parameter.clone()).collect();
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.metric, (FONT_NAME, 24))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(330)
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n as f64 - 0.5))
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                    names[names.len() - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| tick_label(*x, hi - lo))
            .x_desc("index (95% bootstrap interval)")
            .label_style((FONT_NAME, 16))
            .axis_desc_style((FONT_NAME, 18))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_error)?;
        let kinds = panel.rows.first().map_or(0, |r| r.estimates.len());
        for k in 0..kinds {
            let c = colour("", k);
            let offset = (k as f64 - (kinds as f64 - 1.0) / 2.0) * 0.22;
            let at = |i: usize| (n - 1 - i) as f64 + offset;
            let label = panel.rows[0].estimates[k].0;
            chart
                .draw_series(panel.rows.iter().enumerate().map(|(i, r)| {
                    let e = r.estimates[k].1;
                    PathElement::new(vec![(e.low, at(i)), (e.high, at(i))], c.stroke_width(2))
                }))
                .map_err(draw_error)?;
            chart
                .draw_series(
                    panel
                        .rows
                        .iter()
                        .enumerate()
                        .map(|(i, r)| Circle::new((r.estimates[k].1.value, at(i)), 5, c.filled())),
                )
                .map_err(draw_error)?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, c.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .label_font((FONT_NAME, 16))
            .draw()
            .map_err(draw_error)?;
    }
    root.present().map_err(draw_error)
}

struct Indices<'a> {
    title: &'a str,
    panels: &'a [IndexPanel],
}

impl Drawing for Indices<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        draw_indices(root, self.title, self.panels)
    }
}

/// Sensitivity indices with intervals, one panel per metric, as `{stem}.png` and `{stem}.svg`.
pub fn sensitivity_figure(
    out: &mut OutputDir,
    stem: &str,
    title: &str,
    panels: &[IndexPanel],
) -> Result<()> {
    let rows = panels.len().div_ceil(2).max(1) as u32;
    render(
        out,
        stem,
        (1600, 120 + rows * 520),
        &Indices { title, panels },
    )
}
