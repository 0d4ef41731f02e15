//! The validation figure: for every check, (simulated − expected) / tolerance, with the pass band
//! [−1, 1]; one-sided checks are marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Check, PEOPLE_PER_AGENT, Resolution};
use crate::error::Result;
use crate::output::OutputDir;
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render, tick_label};

struct Validation<'a> {
    checks: &'a [Check],
}

impl Drawing for Validation<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root
            .margin(10, 0, 0, 0)
            .titled("cogov validate: simulated minus expected, in units of the tolerance (pass: inside the band)", (FONT_NAME, 26))
            .map_err(draw_error)?;
        let (labels, plot_area) = root.split_horizontally(1020);
        let n = self.checks.len();
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(20)
            .x_label_area_size(44)
            .build_cartesian_2d(-3.0..3.0, -0.5..(n as f64 - 0.5))
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc("(simulated − expected) / tolerance")
            .axis_desc_style((FONT_NAME, 18))
            .label_style((FONT_NAME, 16))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_error)?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(-1.0, -0.5), (1.0, n as f64 - 0.5)],
                colour("", 0).mix(0.15).filled(),
            )))
            .map_err(draw_error)?;
        let y = |i: usize| (n - 1 - i) as f64;
        for (i, c) in self.checks.iter().enumerate() {
            let (x, style) = if !c.tolerance.is_finite() {
                (if c.pass { 0.0 } else { 2.9 }, colour("", 2))
            } else {
                (
                    ((c.simulated - c.expected) / c.tolerance).clamp(-2.9, 2.9),
                    if c.pass {
                        colour("", 0)
                    } else {
                        colour("fragmented", 0)
                    },
                )
            };
            chart
                .draw_series(std::iter::once(Circle::new((x, y(i)), 7, style.filled())))
                .map_err(draw_error)?;
        }
        let (_, h) = labels.dim_in_pixel();
        let (top, bottom) = (20.0, h as f64 - 20.0 - 44.0);
        for (i, c) in self.checks.iter().enumerate() {
            let yy = top + (i as f64 + 0.5) * (bottom - top) / n as f64;
            let status = if c.tolerance.is_finite() {
                ""
            } else {
                " (one-sided)"
            };
            let text = format!("{}: {}{status}", c.anchor, c.case);
            let text: String = text.chars().take(140).collect();
            labels
                .draw(&Text::new(
                    text,
                    (12, yy as i32 - 8),
                    (FONT_NAME, 15).into_font().color(&BLACK),
                ))
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)
    }
}

/// Draw the validation figure as `{stem}.png` and `{stem}.svg`.
pub fn validation_figure(out: &mut OutputDir, stem: &str, checks: &[Check]) -> Result<()> {
    render(
        out,
        stem,
        (2000, 140 + 34 * checks.len() as u32),
        &Validation { checks },
    )
}

struct ResolutionFigure<'a> {
    rows: &'a [Resolution],
}

impl Drawing for ResolutionFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root
            .margin(10, 0, 0, 0)
            .titled(
                "Resolution invariance: final-window means with 95% intervals, by people per resident agent",
                (FONT_NAME, 24),
            )
            .map_err(draw_error)?;
        let panels = root.split_evenly((1, self.rows.len().max(1)));
        for (row, area) in self.rows.iter().zip(&panels) {
            let lo = row
                .at
                .iter()
                .map(|s| s.ci_low)
                .fold(f64::INFINITY, f64::min);
            let hi = row
                .at
                .iter()
                .map(|s| s.ci_high)
                .fold(f64::NEG_INFINITY, f64::max);
            let pad = ((hi - lo) * 0.6).max(hi.abs() * 1e-3).max(1e-9);
            let (y0, y1) = ((lo - pad).max(0.0), hi + pad);
            let result = if row.pass { "pass" } else { "FAIL" };
            let mut chart = ChartBuilder::on(area)
                .margin(18)
                .caption(format!("{} ({result})", row.metric.name()), (FONT_NAME, 18))
                .x_label_area_size(44)
                .y_label_area_size(80)
                .build_cartesian_2d(-0.5..(row.at.len() as f64 - 0.5), y0..y1)
                .map_err(draw_error)?;
            let span = y1 - y0;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(row.at.len())
                .x_label_formatter(&|x| {
                    let i = x.round() as usize;
                    PEOPLE_PER_AGENT
                        .get(i)
                        .map_or(String::new(), |p| format!("{p:.0}"))
                })
                .y_label_formatter(&|y| tick_label(*y, span))
                .x_desc("people per resident agent")
                .y_desc(row.metric.unit())
                .axis_desc_style((FONT_NAME, 16))
                .label_style((FONT_NAME, 14))
                .draw()
                .map_err(draw_error)?;
            let style = if row.pass {
                colour("", 0)
            } else {
                colour("fragmented", 0)
            };
            for (i, s) in row.at.iter().enumerate() {
                let x = i as f64;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, s.ci_low), (x, s.ci_high)],
                        style.stroke_width(3),
                    )))
                    .map_err(draw_error)?;
                chart
                    .draw_series(std::iter::once(Circle::new((x, s.mean), 6, style.filled())))
                    .map_err(draw_error)?;
            }
        }
        root.present().map_err(draw_error)
    }
}

/// Draw the resolution-invariance figure as `{stem}.png` and `{stem}.svg`.
pub fn resolution_figure(out: &mut OutputDir, stem: &str, rows: &[Resolution]) -> Result<()> {
    render(out, stem, (1800, 520), &ResolutionFigure { rows })
}
