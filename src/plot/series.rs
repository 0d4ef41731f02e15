//! Time-series small multiples: mean and 95% band over replicates, one line per scenario.
//! Figures are drawn from a [`BandTable`], which is computed from `timeseries.csv` and saved, so the
//! same bytes come out whether a figure is drawn after a run or redrawn by `cogov plot`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Drawing, FONT_NAME, colour, draw_error, render, tick_label};
use crate::error::Result;
use crate::model::observe::{Domain, Indicator};
use crate::output::OutputDir;
use crate::output::stats::summarize;
use crate::output::table::{Cell, Table, read_csv};

/// What a panel draws: an indicator of `timeseries.csv`, or a quantity derived from the records
/// (named, with the domain its intervals are clipped to).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Series {
    Indicator(Indicator),
    Derived(&'static str, Domain),
}

impl Series {
    pub const fn name(self) -> &'static str {
        match self {
            Series::Indicator(i) => i.name(),
            Series::Derived(name, _) => name,
        }
    }

    pub const fn domain(self) -> Domain {
        match self {
            Series::Indicator(i) => i.domain(),
            Series::Derived(_, d) => d,
        }
    }
}

/// One panel of a time-series figure.
pub struct Panel {
    pub series: Series,
    pub title: &'static str,
    pub unit: &'static str,
}

impl Panel {
    /// A panel of one indicator of `timeseries.csv`.
    pub const fn indicator(i: Indicator, title: &'static str, unit: &'static str) -> Panel {
        Panel {
            series: Series::Indicator(i),
            title,
            unit,
        }
    }
}

/// The panels of the comparison figure.
pub const COMPARE_PANELS: [Panel; 4] = [
    Panel::indicator(
        Indicator::PollutionMean,
        "Pollution",
        "mean stock per region (t)",
    ),
    Panel::indicator(
        Indicator::ComplianceRate,
        "Enterprise compliance",
        "share of enterprises",
    ),
    Panel::indicator(
        Indicator::WelfareNet,
        "Welfare net of output (lost output counted)",
        "−(costs + damage + lost output), M¥/month",
    ),
    Panel::indicator(
        Indicator::AwarenessMean,
        "Public awareness",
        "mean awareness (0–1)",
    ),
];

/// (step, mean, 95% low, 95% high).
pub type BandPoint = (f64, f64, f64, f64);

/// Mean and 95% interval of metrics per scenario and step: `scenario,metric,step,mean,ci95_low,ci95_high`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BandTable {
    /// (scenario, metric, points (step, mean, low, high)), in order of appearance.
    pub series: Vec<(String, String, Vec<BandPoint>)>,
}

impl BandTable {
    /// Summarise replicate values: `values[replicate][step]` of one metric of one scenario.
    pub fn push(&mut self, scenario: &str, series: &str, domain: Domain, values: &[Vec<f64>]) {
        let steps = values.iter().map(Vec::len).min().unwrap_or(0);
        let points = (0..steps)
            .map(|t| {
                let s = summarize(&values.iter().map(|r| r[t]).collect::<Vec<_>>())
                    .within(domain.bounds());
                let (lo, hi) = if s.n >= 2 {
                    (s.ci_low, s.ci_high)
                } else {
                    (s.mean, s.mean)
                };
                ((t + 1) as f64, s.mean, lo, hi)
            })
            .collect();
        self.series.push((scenario.into(), series.into(), points));
    }

    pub fn to_table(&self) -> Table {
        let mut out = Table::new(&[
            "scenario",
            "metric",
            "step",
            "mean",
            "ci95_low",
            "ci95_high",
        ]);
        for (scenario, metric, points) in &self.series {
            for &(step, mean, lo, hi) in points {
                out.push(vec![
                    scenario.as_str().into(),
                    metric.as_str().into(),
                    Cell::Num(step),
                    Cell::Num(mean),
                    Cell::Num(lo),
                    Cell::Num(hi),
                ]);
            }
        }
        out
    }

    pub fn parse(text: &str, file: &str) -> Result<Self> {
        let mut table = BandTable::default();
        for row in read_csv(text, file, Some(6))?.rows {
            let point = (row.num(2)?, row.num(3)?, row.num(4)?, row.num(5)?);
            match table.series.last_mut() {
                Some((s, m, points)) if s == row.get(0) && m == row.get(1) => points.push(point),
                _ => table
                    .series
                    .push((row.get(0).into(), row.get(1).into(), vec![point])),
            }
        }
        Ok(table)
    }

    fn scenarios(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for (s, _, _) in &self.series {
            if !names.contains(&s.as_str()) {
                names.push(s);
            }
        }
        names
    }
}

/// The figure of a `run` or `compare` directory (`{stem}.png`, `.svg`), drawn from its
/// `timeseries.csv` as written.
pub fn run_figure(dir: &mut OutputDir, stem: &str, title: &str) -> Result<()> {
    let text = dir.read("timeseries.csv")?;
    run_figure_from(dir, stem, title, &text)
}

/// [`run_figure`] from the text of the `timeseries.csv` the run would write (a run whose
/// timeseries is in another format).
pub fn run_figure_from(
    dir: &mut OutputDir,
    stem: &str,
    title: &str,
    timeseries: &str,
) -> Result<()> {
    let bands = bands_from_timeseries(timeseries, &COMPARE_PANELS)?;
    time_series_figure(dir, stem, title, &bands, &COMPARE_PANELS, None)
}

/// Band table of the panels' series from the text of a `timeseries.csv`.
pub fn bands_from_timeseries(text: &str, panels: &[Panel]) -> Result<BandTable> {
    let table = read_csv(text, "timeseries.csv", None)?;
    let columns: Vec<usize> = panels
        .iter()
        .map(|p| table.column("timeseries.csv", p.series.name()))
        .collect::<Result<_>>()?;
    // scenario → replicate → metric → values by step, in order of appearance.
    let mut data: Vec<(String, Vec<Vec<Vec<f64>>>)> = Vec::new();
    for row in &table.rows {
        let replicate = row.index(1)?;
        if data.last().is_none_or(|(s, _)| s != row.get(0)) {
            data.push((row.get(0).to_string(), Vec::new()));
        }
        let reps = &mut data.last_mut().expect("just pushed").1;
        if replicate == reps.len() {
            reps.push(vec![Vec::new(); panels.len()]);
        }
        let rep = reps
            .get_mut(replicate)
            .ok_or_else(|| row.malformed("replicates out of order"))?;
        for (series, &c) in rep.iter_mut().zip(&columns) {
            series.push(row.num(c)?);
        }
    }
    let mut table = BandTable::default();
    for (scenario, reps) in &data {
        for (m, panel) in panels.iter().enumerate() {
            let values: Vec<Vec<f64>> = reps.iter().map(|r| r[m].clone()).collect();
            table.push(
                scenario,
                panel.series.name(),
                panel.series.domain(),
                &values,
            );
        }
    }
    Ok(table)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    table: &BandTable,
    reference: Option<f64>,
) -> Result<()> {
    let scenarios = table.scenarios();
    let bands: Vec<(usize, &Vec<BandPoint>)> = table
        .series
        .iter()
        .filter(|(_, m, _)| m == panel.series.name())
        .map(|(s, _, p)| (scenarios.iter().position(|n| n == s).unwrap_or(0), p))
        .collect();
    let steps = bands
        .iter()
        .flat_map(|(_, p)| p.iter().map(|x| x.0))
        .fold(1.0f64, f64::max);
    let mut lo = bands
        .iter()
        .flat_map(|(_, p)| p.iter().map(|x| x.2))
        .fold(f64::INFINITY, f64::min);
    let mut hi = bands
        .iter()
        .flat_map(|(_, p)| p.iter().map(|x| x.3))
        .fold(f64::NEG_INFINITY, f64::max);
    if let Some(r) = reference {
        lo = lo.min(r);
        hi = hi.max(r);
    }
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let pad = ((hi - lo) * 0.08).max(1e-9 * hi.abs().max(1.0));
    let (y0, y1) = (lo - pad, hi + pad);
    let span = y1 - y0;
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, (FONT_NAME, 28))
        .margin(16)
        .x_label_area_size(52)
        .y_label_area_size(92)
        .build_cartesian_2d(1.0..steps, y0..y1)
        .map_err(draw_error)?;
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
    if let Some(r) = reference {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(1.0, r), (steps, r)],
                8,
                6,
                BLACK.stroke_width(2),
            ))
            .map_err(draw_error)?;
    }
    for &(i, points) in &bands {
        let c = colour(scenarios[i], i);
        let mut outline: Vec<(f64, f64)> = points.iter().map(|p| (p.0, p.3)).collect();
        outline.extend(points.iter().rev().map(|p| (p.0, p.2)));
        chart
            .draw_series(std::iter::once(Polygon::new(outline, c.mix(0.22).filled())))
            .map_err(draw_error)?;
    }
    for &(i, points) in &bands {
        let c = colour(scenarios[i], i);
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.0, p.1)),
                c.stroke_width(3),
            ))
            .map_err(draw_error)?
            .label(scenarios[i])
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)));
    }
    // Put the legend where the data are not: count band points in each of six regions (left or right
    // 38% of the run × top, middle or bottom third) and take the emptiest.
    let mut counts = [0usize; 6];
    for (_, points) in &bands {
        for p in points.iter() {
            let x = (p.0 - 1.0) / (steps - 1.0).max(1.0);
            let side = if x >= 0.62 {
                0
            } else if x <= 0.38 {
                1
            } else {
                continue;
            };
            for v in [p.1, p.2, p.3] {
                let y = (v - y0) / span;
                let third = if y > 0.66 {
                    0
                } else if y > 0.34 {
                    1
                } else {
                    2
                };
                counts[third * 2 + side] += 1;
            }
        }
    }
    let position = match (0..6).min_by_key(|&i| (counts[i], i)).unwrap_or(0) {
        0 => SeriesLabelPosition::UpperRight,
        1 => SeriesLabelPosition::UpperLeft,
        2 => SeriesLabelPosition::MiddleRight,
        3 => SeriesLabelPosition::MiddleLeft,
        4 => SeriesLabelPosition::LowerRight,
        _ => SeriesLabelPosition::LowerLeft,
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

struct Grid<'a> {
    title: &'a str,
    table: &'a BandTable,
    panels: &'a [Panel],
    reference: Option<f64>,
}

impl Drawing for Grid<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root
            .margin(12, 0, 0, 0)
            .titled(self.title, (FONT_NAME, 32))
            .map_err(draw_error)?;
        let cols = if self.panels.len() > 1 { 2 } else { 1 };
        let rows = self.panels.len().div_ceil(cols);
        for (area, panel) in root.split_evenly((rows, cols)).iter().zip(self.panels) {
            draw_panel(area, panel, self.table, self.reference)?;
        }
        root.present().map_err(draw_error)
    }
}

/// Draw small multiples of `panels` from `table` as `{stem}.png` and `{stem}.svg`; `reference` draws a
/// dashed horizontal line (e.g. zero gap) on every panel.
pub fn time_series_figure(
    out: &mut OutputDir,
    stem: &str,
    title: &str,
    table: &BandTable,
    panels: &[Panel],
    reference: Option<f64>,
) -> Result<()> {
    let rows = panels.len().div_ceil(2) as u32;
    let size = if panels.len() == 1 {
        (1400, 800)
    } else {
        (1600, 100 + rows * 525)
    };
    render(
        out,
        stem,
        size,
        &Grid {
            title,
            table,
            panels,
            reference,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_table_round_trips_through_csv() {
        let mut t = BandTable::default();
        t.push("a", "m", Domain::Signed, &[vec![1.0, 2.0], vec![3.0, 4.0]]);
        t.push("b", "m", Domain::Signed, &[vec![0.5, 0.25]]);
        assert_eq!(
            BandTable::parse(&t.to_table().to_csv(), "t.csv").unwrap(),
            t
        );
    }

    #[test]
    fn bands_from_timeseries_group_by_scenario_and_replicate() {
        let text =
            "scenario,replicate,step,fines\na,0,1,1\na,0,2,2\na,1,1,3\na,1,2,4\nb,0,1,5\nb,0,2,6\n";
        let panel = Panel::indicator(Indicator::Fines, "", "");
        let t = bands_from_timeseries(text, &[panel]).unwrap();
        assert_eq!(t.series.len(), 2);
        assert_eq!(t.series[0].2[0].1, 2.0);
        assert_eq!(t.series[0].2[1].1, 3.0);
        assert_eq!(t.series[1].2[1], (2.0, 6.0, 6.0, 6.0));
    }
}
