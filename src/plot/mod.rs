//! Figures, drawn from finished observations. Fonts are embedded (DejaVu Sans), so rendering needs no
//! system fonts. One palette for the whole project: fragmented is always vermilion, coordinated always
//! blue (Okabe–Ito colours, readable by colour-blind readers).

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::engine::ScenarioRun;
use crate::error::{Error, Result};
use crate::model::observe::StepRecord;
use crate::output::stats::summarize;
use crate::output::{OutputDir, temporary_path};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_NAME: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in; failing to parse it is a build defect, caught by the tests.
        plotters::style::register_font(FONT_NAME, FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("embedded DejaVu Sans font is invalid"));
    });
}

/// The project palette: a scenario's colour follows its name where it is a known regime.
pub fn colour(name: &str, index: usize) -> RGBColor {
    const OTHERS: [RGBColor; 6] = [
        RGBColor(0, 158, 115),
        RGBColor(230, 159, 0),
        RGBColor(204, 121, 167),
        RGBColor(86, 180, 233),
        RGBColor(240, 228, 66),
        RGBColor(0, 0, 0),
    ];
    match name {
        "fragmented" => RGBColor(213, 94, 0),
        "coordinated" => RGBColor(0, 114, 178),
        _ => OTHERS[index % OTHERS.len()],
    }
}

/// One panel of a time-series figure.
pub struct Panel {
    pub metric: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
}

/// The panels of the comparison figure.
pub const COMPARE_PANELS: [Panel; 4] = [
    Panel {
        metric: "pollution_mean",
        title: "Pollution",
        unit: "mean stock per region (t)",
    },
    Panel {
        metric: "compliance_rate",
        title: "Enterprise compliance",
        unit: "share of enterprises",
    },
    Panel {
        metric: "welfare_net",
        title: "Welfare net of output (output is equal in every regime)",
        unit: "−(abatement + enforcement + damage), M¥/month",
    },
    Panel {
        metric: "awareness_mean",
        title: "Public awareness",
        unit: "mean awareness (0–1)",
    },
];

/// Mean and 95% band of one metric per step over replicates.
struct Band {
    name: String,
    colour: RGBColor,
    mean: Vec<(f64, f64)>,
    low: Vec<f64>,
    high: Vec<f64>,
}

fn band(run: &ScenarioRun, metric: usize, index: usize) -> Band {
    let steps = run.replicates.first().map_or(0, |r| r.steps.len());
    let mut b = Band {
        name: run.params.name().to_string(),
        colour: colour(run.params.name(), index),
        mean: Vec::with_capacity(steps),
        low: Vec::with_capacity(steps),
        high: Vec::with_capacity(steps),
    };
    for t in 0..steps {
        let values: Vec<f64> = run
            .replicates
            .iter()
            .map(|r| r.steps[t].values()[metric])
            .collect();
        let s = summarize(&values);
        let (lo, hi) = if s.n >= 2 {
            (s.ci_low, s.ci_high)
        } else {
            (s.mean, s.mean)
        };
        b.mean.push(((t + 1) as f64, s.mean));
        b.low.push(lo);
        b.high.push(hi);
    }
    b
}

fn draw_error<E: std::fmt::Debug>(e: E) -> Error {
    Error::Other(format!("drawing a figure failed: {e:?}"))
}

fn tick_label(v: f64, span: f64) -> String {
    if span >= 100.0 {
        format!("{v:.0}")
    } else if span >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    bands: &[Band],
) -> Result<()> {
    let steps = bands.iter().map(|b| b.mean.len()).max().unwrap_or(1).max(1) as f64;
    let lo = bands
        .iter()
        .flat_map(|b| b.low.iter().copied())
        .fold(f64::INFINITY, f64::min);
    let hi = bands
        .iter()
        .flat_map(|b| b.high.iter().copied())
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let pad = ((hi - lo) * 0.08).max(1e-9 * hi.abs().max(1.0));
    let (y0, y1) = (lo - pad, hi + pad);
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, (FONT_NAME, 28))
        .margin(16)
        .x_label_area_size(52)
        .y_label_area_size(92)
        .build_cartesian_2d(1.0..steps, y0..y1)
        .map_err(draw_error)?;
    let span = y1 - y0;
    chart
        .configure_mesh()
        .x_desc("Month")
        .y_desc(panel.unit)
        .axis_desc_style((FONT_NAME, 20))
        .label_style((FONT_NAME, 17))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| tick_label(*y, span))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(draw_error)?;
    for b in bands {
        let mut outline: Vec<(f64, f64)> = b
            .mean
            .iter()
            .zip(&b.high)
            .map(|(&(x, _), &h)| (x, h))
            .collect();
        outline.extend(b.mean.iter().zip(&b.low).rev().map(|(&(x, _), &l)| (x, l)));
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                b.colour.mix(0.22).filled(),
            )))
            .map_err(draw_error)?;
    }
    for b in bands {
        let c = b.colour;
        chart
            .draw_series(LineSeries::new(b.mean.iter().copied(), c.stroke_width(3)))
            .map_err(draw_error)?
            .label(b.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)));
    }
    // Put the legend on the right where the lines are not: count band points of the last third of
    // the run in the top, middle and bottom of the plot and take the emptiest.
    let mut counts = [0usize; 3];
    for b in bands {
        for v in b.low[b.low.len() * 2 / 3..]
            .iter()
            .chain(&b.high[b.high.len() * 2 / 3..])
        {
            let y = (v - y0) / span;
            counts[if y > 0.68 {
                0
            } else if y > 0.32 {
                1
            } else {
                2
            }] += 1;
        }
    }
    let emptiest = (0..3).min_by_key(|&i| (counts[i], i)).unwrap_or(0);
    let position = match emptiest {
        0 => SeriesLabelPosition::UpperRight,
        1 => SeriesLabelPosition::MiddleRight,
        _ => SeriesLabelPosition::LowerRight,
    };
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FONT_NAME, 18))
        .draw()
        .map_err(draw_error)?;
    Ok(())
}

fn draw_grid<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    runs: &[ScenarioRun],
    panels: &[Panel],
) -> Result<()> {
    root.fill(&WHITE).map_err(draw_error)?;
    let root = root
        .margin(12, 0, 0, 0)
        .titled(title, (FONT_NAME, 32))
        .map_err(draw_error)?;
    let cols = 2;
    let rows = panels.len().div_ceil(cols);
    for (area, panel) in root.split_evenly((rows, cols)).iter().zip(panels) {
        let metric = StepRecord::COLUMNS
            .iter()
            .position(|c| *c == panel.metric)
            .ok_or_else(|| Error::Other(format!("no metric {}", panel.metric)))?;
        let bands: Vec<Band> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| band(r, metric, i))
            .collect();
        draw_panel(area, panel, &bands)?;
    }
    root.present().map_err(draw_error)
}

const SIZE: (u32, u32) = (1600, 1150);

/// Draw a small-multiples time-series figure as `{stem}.png` and `{stem}.svg` in `out`.
pub fn time_series_figure(
    out: &mut OutputDir,
    stem: &str,
    title: &str,
    runs: &[ScenarioRun],
    panels: &[Panel],
) -> Result<()> {
    register_font();
    let mut svg = String::new();
    draw_grid(
        SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(),
        title,
        runs,
        panels,
    )?;
    out.write(&format!("{stem}.svg"), svg.as_bytes())?;

    let png = out.path(&format!("{stem}.png"));
    let tmp = temporary_path(&png, ".png");
    draw_grid(
        BitMapBackend::new(&tmp, SIZE).into_drawing_area(),
        title,
        runs,
        panels,
    )?;
    rename_into_place(&tmp, &png)?;
    out.record(&format!("{stem}.png"))
}

fn rename_into_place(tmp: &Path, dest: &Path) -> Result<()> {
    std::fs::rename(tmp, dest).map_err(|e| {
        let _ = std::fs::remove_file(tmp);
        Error::io(dest, e)
    })
}

/// A named line of (x, y) points for [`line_figure`].
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
        return Err(Error::Other(
            "a log-log figure needs positive values".into(),
        ));
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

/// Draw lines on log–log axes as `{stem}.png` and `{stem}.svg` in `out`.
pub fn log_log_figure(
    out: &mut OutputDir,
    stem: &str,
    title: &str,
    axes: (&str, &str),
    lines: &[Line],
) -> Result<()> {
    register_font();
    const LINE_SIZE: (u32, u32) = (1100, 800);
    let mut svg = String::new();
    draw_lines(
        SVGBackend::with_string(&mut svg, LINE_SIZE).into_drawing_area(),
        title,
        axes,
        lines,
    )?;
    out.write(&format!("{stem}.svg"), svg.as_bytes())?;
    let png = out.path(&format!("{stem}.png"));
    let tmp = temporary_path(&png, ".png");
    draw_lines(
        BitMapBackend::new(&tmp, LINE_SIZE).into_drawing_area(),
        title,
        axes,
        lines,
    )?;
    rename_into_place(&tmp, &png)?;
    out.record(&format!("{stem}.png"))
}

/// One parameter's sensitivity estimates (e.g. ("S1", …), ("ST", …)).
pub struct IndexRow {
    pub parameter: String,
    pub estimates: Vec<(&'static str, crate::experiment::sensitivity::Estimate)>,
}

/// Sensitivity of one metric: rows sorted by importance.
pub struct IndexPanel {
    pub metric: String,
    pub rows: Vec<IndexRow>,
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

/// Sensitivity indices with intervals, one panel per metric, as `{stem}.png` and `{stem}.svg`.
pub fn sensitivity_figure(
    out: &mut OutputDir,
    stem: &str,
    title: &str,
    panels: &[IndexPanel],
) -> Result<()> {
    register_font();
    let rows = panels.len().div_ceil(2).max(1) as u32;
    let size = (1600, 120 + rows * 520);
    let mut svg = String::new();
    draw_indices(
        SVGBackend::with_string(&mut svg, size).into_drawing_area(),
        title,
        panels,
    )?;
    out.write(&format!("{stem}.svg"), svg.as_bytes())?;
    let png = out.path(&format!("{stem}.png"));
    let tmp = temporary_path(&png, ".png");
    draw_indices(
        BitMapBackend::new(&tmp, size).into_drawing_area(),
        title,
        panels,
    )?;
    rename_into_place(&tmp, &png)?;
    out.record(&format!("{stem}.png"))
}
