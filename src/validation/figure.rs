//! The validation figure: for every check, (simulated − expected) / tolerance, with the pass band
//! [−1, 1]; one-sided checks are marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Check;
use crate::error::Result;
use crate::output::OutputDir;
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render};

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
