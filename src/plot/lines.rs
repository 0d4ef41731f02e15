//! Line figures on log–log axes (the scaling figure).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Drawing, FONT_NAME, colour, draw_error, render};
use crate::error::{Error, Result};
use crate::output::OutputDir;

/// A named line of (x, y) points for [`log_log_figure`].
pub struct Line {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

fn draw_lines<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    axes: (&str, &str),
    lines: &[Line],
) -> Result<()> {
    root.fill(&WHITE).map_err(draw_error)?;
    let all = || lines.iter().flat_map(|l| l.points.iter().copied());
    let (x0, x1) = all().fold((f64::INFINITY, 0.0f64), |(a, b), (x, _)| {
        (a.min(x), b.max(x))
    });
    let (y0, y1) = all().fold((f64::INFINITY, 0.0f64), |(a, b), (_, y)| {
        (a.min(y), b.max(y))
    });
    if !(x0 > 0.0 && y0 > 0.0) {
        return Err(Error::Draw("a log-log figure needs positive values".into()));
    }
    let mut chart = ChartBuilder::on(&root.margin(12, 12, 12, 12))
        .caption(title, (FONT_NAME, 30))
        .x_label_area_size(56)
        .y_label_area_size(96)
        .build_cartesian_2d(
            (x0 / 1.5..x1 * 1.5).log_scale(),
            (y0 / 2.0..y1 * 2.0).log_scale(),
        )
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc(axes.0)
        .y_desc(axes.1)
        .axis_desc_style((FONT_NAME, 20))
        .label_style((FONT_NAME, 17))
        .x_label_formatter(&|x| format!("{x:.0e}"))
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .draw()
        .map_err(draw_error)?;
    for (i, line) in lines.iter().enumerate() {
        let c = colour(&line.name, i);
        chart
            .draw_series(LineSeries::new(
                line.points.iter().copied(),
                c.stroke_width(3),
            ))
            .map_err(draw_error)?
            .label(line.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)));
        chart
            .draw_series(line.points.iter().map(|&p| Circle::new(p, 5, c.filled())))
            .map_err(draw_error)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FONT_NAME, 18))
        .draw()
        .map_err(draw_error)?;
    root.present().map_err(draw_error)
}

struct LogLog<'a> {
    title: &'a str,
    axes: (&'a str, &'a str),
    lines: &'a [Line],
}

impl Drawing for LogLog<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        draw_lines(root, self.title, self.axes, self.lines)
    }
}

/// Draw lines on log–log axes as `{stem}.png` and `{stem}.svg` in `out`.
pub fn log_log_figure(
    out: &mut OutputDir,
    stem: &str,
    title: &str,
    axes: (&str, &str),
    lines: &[Line],
) -> Result<()> {
    render(out, stem, (1100, 800), &LogLog { title, axes, lines })
}
