//! Figure 4, "the river": the final-year stock of each region from upstream to downstream under
//! fragmented governance, with Xin'an-style boundary compensation alone, and under coordination.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::run;
use crate::error::Result;
use crate::model::targets;
use crate::output::OutputDir;
use crate::output::stats::summarize;
use crate::output::table::{Cell, Table, csv_rows};
use crate::plot::{BandPoint, Drawing, FONT_NAME, colour, draw_error, render, tick_label};

const SCENARIOS: [&str; 3] = [
    "fragmented.toml",
    "figures/river-compensation.toml",
    "coordinated.toml",
];

/// `scenario,region,stock_mean,ci95_low,ci95_high,target,set_point`.
pub fn compute(quick: bool) -> Result<Table> {
    let mut out = Table::new(&[
        "scenario",
        "region",
        "stock_mean",
        "ci95_low",
        "ci95_high",
        "target",
        "set_point",
    ]);
    for file in SCENARIOS {
        let r = run(file, quick, &["output.regions=true"])?;
        let window = (r.params.output.window as usize).min(r.params.steps as usize);
        let regions = r.params.world.regions as usize;
        for g in 0..regions {
            let means: Vec<f64> = r
                .replicates
                .iter()
                .map(|rep| {
                    let tail = &rep.regions[rep.regions.len() - window..];
                    tail.iter().map(|step| step[g].stock).sum::<f64>() / window as f64
                })
                .collect();
            let s = summarize(&means);
            out.push(vec![
                r.params.name().into(),
                Cell::from(g + 1),
                s.mean.into(),
                s.ci_low.into(),
                s.ci_high.into(),
                r.params.targets.stock.into(),
                targets::set_point(&r.params).into(),
            ]);
        }
    }
    Ok(out)
}

struct River {
    /// (scenario, [(region, mean, low, high)]), target, set-point.
    series: Vec<(String, Vec<BandPoint>)>,
    target: f64,
    set_point: f64,
}

fn parse(text: &str) -> Result<River> {
    let mut river = River {
        series: Vec::new(),
        target: 0.0,
        set_point: 0.0,
    };
    for row in csv_rows(text, "fig4-river.csv", 7)? {
        let (lo, hi) = (row.num_or_nan(3)?, row.num_or_nan(4)?);
        let mean = row.num(2)?;
        let point = (
            row.num(1)?,
            mean,
            if lo.is_finite() { lo } else { mean },
            if hi.is_finite() { hi } else { mean },
        );
        river.target = row.num(5)?;
        river.set_point = row.num(6)?;
        let region = row.get(0);
        match river.series.last_mut() {
            Some((s, points)) if s == region => points.push(point),
            _ => river.series.push((region.to_string(), vec![point])),
        }
    }
    Ok(river)
}

impl Drawing for River {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let regions = self.series.iter().map(|s| s.1.len()).max().unwrap_or(1) as f64;
        let hi = self
            .series
            .iter()
            .flat_map(|s| s.1.iter().map(|p| p.3))
            .fold(self.target, f64::max)
            * 1.08;
        let mut chart = ChartBuilder::on(&root.margin(16, 24, 16, 16))
            .caption(
                "The river: pollution by region, upstream to downstream (final year)",
                (FONT_NAME, 30),
            )
            .x_label_area_size(60)
            .y_label_area_size(100)
            .build_cartesian_2d(0.7..regions + 0.3, 0.0..hi)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_labels(regions as usize)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| tick_label(*y, hi))
            .x_desc("region (1 = upstream … downstream)")
            .y_desc("pollutant stock (t)")
            .axis_desc_style((FONT_NAME, 20))
            .label_style((FONT_NAME, 17))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_error)?;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.7, self.target), (regions + 0.3, self.target)],
                10,
                6,
                BLACK.stroke_width(2),
            ))
            .map_err(draw_error)?
            .label(format!("target ({:.0} t)", self.target))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2)));
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.7, self.set_point), (regions + 0.3, self.set_point)],
                3,
                5,
                BLACK.mix(0.6).stroke_width(2),
            ))
            .map_err(draw_error)?
            .label(format!("set-point ({:.0} t)", self.set_point))
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], BLACK.mix(0.6).stroke_width(2))
            });
        for (i, (name, points)) in self.series.iter().enumerate() {
            let c = colour(name, i);
            let mut outline: Vec<(f64, f64)> = points.iter().map(|p| (p.0, p.3)).collect();
            outline.extend(points.iter().rev().map(|p| (p.0, p.2)));
            chart
                .draw_series(std::iter::once(Polygon::new(outline, c.mix(0.2).filled())))
                .map_err(draw_error)?;
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|p| (p.0, p.1)),
                    c.stroke_width(3),
                ))
                .map_err(draw_error)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
                });
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| Circle::new((p.0, p.1), 6, c.filled())),
                )
                .map_err(draw_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.4))
            .label_font((FONT_NAME, 18))
            .draw()
            .map_err(draw_error)?;
        root.present().map_err(draw_error)
    }
}

pub fn draw(out: &mut OutputDir, text: &str) -> Result<()> {
    render(out, "fig4-river", (1400, 850), &parse(text)?)
}
