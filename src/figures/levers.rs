//! Figure 2, "which lever matters": the effect of switching each lever on from fragmented governance
//! and off from coordinated governance. Figure 9, "pricing pollution": the effect of compensation
//! schemes and cost-benefit caps, each switched on from fragmented governance. Each variant runs with
//! the same seeds as its base scenario (common random numbers), so the effect is the mean of paired
//! per-replicate differences of the final-window means, with a Student-t 95% interval.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{final_window, run};
use crate::error::{InputError, Result};
use crate::model::ScenarioRun;
use crate::model::observe::Indicator;
use crate::output::OutputDir;
use crate::output::stats::paired;
use crate::output::table::{Cell, Table, csv_rows};
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render, tick_label};

pub const LEVERS: [&str; 9] = [
    "information",
    "responsibility",
    "law",
    "monitoring",
    "compensation",
    "cooperation",
    "targets",
    "feedback",
    "participation",
];

/// The options inside a lever, each switched on from fragmented and off from coordinated by
/// `scenarios/option-<name>-on.toml` and `-off.toml`: label and name. Coordinated has clear
/// responsibility, so river chiefs "off" puts river chiefs in its place.
pub const OPTIONS: [(&str, &str); 3] = [
    ("vertical monitoring (4)", "vertical-monitoring"),
    ("environmental veto (7)", "veto"),
    ("river chiefs (2)", "river-chiefs"),
];

/// Figure 9's variants of fragmented governance: label and scenario file.
pub const PRICING: [(&str, &str); 6] = [
    (
        "boundary compensation (lever 5)",
        "lever-compensation-on.toml",
    ),
    (
        "Pigou payments (uniform standard)",
        "figures/pricing-pigou.toml",
    ),
    (
        "cost-benefit caps (protectionist)",
        "figures/pricing-cost-benefit.toml",
    ),
    (
        "cost-benefit caps (joint)",
        "figures/pricing-cost-benefit-joint.toml",
    ),
    (
        "cost-benefit + Pigou → inspections",
        "figures/pricing-pigou-inspections.toml",
    ),
    (
        "cost-benefit + Pigou → subsidies",
        "figures/pricing-pigou-subsidies.toml",
    ),
];

const METRICS: [(Indicator, &str); 3] = [
    (
        Indicator::PollutionMean,
        "Δ pollution (t, mean stock per region)",
    ),
    (Indicator::WelfareNet, "Δ welfare net of output (M¥/month)"),
    (Indicator::EnforcementCost, "Δ enforcement cost (M¥/month)"),
];

const HEADER: [&str; 7] = [
    "lever",
    "direction",
    "metric",
    "effect",
    "ci95_low",
    "ci95_high",
    "n",
];

/// Append the paired effects of `variant` against `base`, one row per metric.
fn push_effects(
    out: &mut Table,
    label: &str,
    direction: &str,
    variant: &ScenarioRun,
    base: &ScenarioRun,
) {
    for (metric, _) in METRICS {
        let s = paired(&final_window(variant, metric), &final_window(base, metric));
        out.push(vec![
            label.into(),
            direction.into(),
            metric.name().into(),
            s.mean.into(),
            s.ci_low.into(),
            s.ci_high.into(),
            Cell::from(s.n),
        ]);
    }
}

/// Run the bases, the 18 lever variants and the 6 option variants; return
/// `lever,direction,metric,effect,ci95_low,ci95_high,n`.
pub fn compute(quick: bool) -> Result<Table> {
    let fragmented = run("fragmented.toml", quick, &[])?;
    let coordinated = run("coordinated.toml", quick, &[])?;
    let mut out = Table::new(&HEADER);
    for lever in LEVERS {
        for (direction, base) in [("on", &fragmented), ("off", &coordinated)] {
            let variant = run(&format!("lever-{lever}-{direction}.toml"), quick, &[])?;
            push_effects(&mut out, lever, direction, &variant, base);
        }
    }
    for (label, name) in OPTIONS {
        for (direction, base) in [("on", &fragmented), ("off", &coordinated)] {
            let variant = run(&format!("option-{name}-{direction}.toml"), quick, &[])?;
            push_effects(&mut out, label, direction, &variant, base);
        }
    }
    Ok(out)
}

/// Run fragmented and figure 9's variants of it; the same columns as figure 2.
pub fn compute_pricing(quick: bool) -> Result<Table> {
    let fragmented = run("fragmented.toml", quick, &[])?;
    let mut out = Table::new(&HEADER);
    for (label, file) in PRICING {
        let variant = run(file, quick, &[])?;
        push_effects(&mut out, label, "on", &variant, &fragmented);
    }
    Ok(out)
}

struct Row {
    label: String,
    on: bool,
    /// (effect, low, high) per metric of `METRICS`.
    values: Vec<(f64, f64, f64)>,
}

fn parse(text: &str, file: &str) -> Result<Vec<Row>> {
    let mut rows: Vec<Row> = Vec::new();
    for row in csv_rows(text, file, 7)? {
        let label = format!("{}\t{}", row.get(0), row.get(1));
        if rows.last().is_none_or(|r| r.label != label) {
            rows.push(Row {
                label,
                on: row.get(1) == "on",
                values: Vec::new(),
            });
        }
        let v = (row.num_or_nan(3)?, row.num_or_nan(4)?, row.num_or_nan(5)?);
        rows.last_mut().expect("just pushed").values.push(v);
    }
    if rows.iter().any(|r| r.values.len() != METRICS.len()) {
        return Err(InputError::Data {
            file: file.into(),
            line: 0,
            reason: format!(
                "each lever needs a row for every metric ({})",
                METRICS.len()
            ),
        }
        .into());
    }
    Ok(rows)
}

struct Effects {
    rows: Vec<Row>,
    title: &'static str,
    /// Label rows "lever on/off" (figure 2) or by the variant alone (figure 9).
    directions: bool,
    /// Width of the row labels (px).
    label_width: u32,
}

impl Drawing for Effects {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root
            .margin(12, 0, 0, 0)
            .titled(self.title, (FONT_NAME, 30))
            .map_err(draw_error)?;
        let (labels, panels) = root.split_horizontally(self.label_width);
        let n = self.rows.len();
        let on = colour("coordinated", 0);
        let off = colour("fragmented", 0);
        for (m, (area, (_, title))) in panels
            .split_evenly((1, METRICS.len()))
            .iter()
            .zip(METRICS)
            .enumerate()
        {
            let values = self
                .rows
                .iter()
                .flat_map(|r| [r.values[m].1, r.values[m].2, r.values[m].0]);
            let (lo, hi) = values
                .filter(|v| v.is_finite())
                .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
            let pad = ((hi - lo) * 0.08).max(1e-9);
            let span = hi - lo + 2.0 * pad;
            let mut chart = ChartBuilder::on(area)
                .caption(title, (FONT_NAME, 20))
                .margin(12)
                .x_label_area_size(40)
                .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n as f64 - 0.5))
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(6)
                .x_label_formatter(&|x| tick_label(*x, span))
                .label_style((FONT_NAME, 15))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(draw_error)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                    BLACK.stroke_width(1),
                )))
                .map_err(draw_error)?;
            let y = |i: usize| (n - 1 - i) as f64;
            chart
                .draw_series(self.rows.iter().enumerate().map(|(i, r)| {
                    let c = if r.on { on } else { off };
                    PathElement::new(
                        vec![(r.values[m].1, y(i)), (r.values[m].2, y(i))],
                        c.stroke_width(3),
                    )
                }))
                .map_err(draw_error)?;
            chart
                .draw_series(self.rows.iter().enumerate().map(|(i, r)| {
                    let c = if r.on { on } else { off };
                    Circle::new((r.values[m].0, y(i)), 6, c.filled())
                }))
                .map_err(draw_error)?;
        }
        // Row labels, aligned with the panels' rows (caption 20 px + margins, x-label area 40 px).
        let (_, h) = labels.dim_in_pixel();
        let top = 12.0 + 20.0 + 14.0;
        let bottom = h as f64 - 12.0 - 40.0;
        for (i, r) in self.rows.iter().enumerate() {
            let yy = top + (i as f64 + 0.5) * (bottom - top) / n as f64;
            let c = if r.on { on } else { off };
            let name = r.label.split('\t').next().unwrap_or("");
            labels
                .draw(&Text::new(
                    if self.directions {
                        format!("{name} {}", if r.on { "on" } else { "off" })
                    } else {
                        name.to_string()
                    },
                    (16, yy as i32 - 9),
                    (FONT_NAME, 18).into_font().color(&c),
                ))
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)
    }
}

pub fn draw(out: &mut OutputDir, text: &str) -> Result<()> {
    let mut rows = parse(text, "fig2-levers.csv")?;
    // Most pollution-reducing first.
    rows.sort_by(|a, b| a.values[0].0.total_cmp(&b.values[0].0));
    let effects = Effects {
        rows,
        title: "Which lever matters: switching one lever or option on from fragmented or off from coordinated",
        directions: true,
        label_width: 280,
    };
    render(out, "fig2-levers", (1750, 1250), &effects)
}

/// Figure 9, in the order of `PRICING` (from the scheme in use today to pricing with its uses).
pub fn draw_pricing(out: &mut OutputDir, text: &str) -> Result<()> {
    let effects = Effects {
        rows: parse(text, "fig9-pricing.csv")?,
        title: "Pricing pollution: compensation schemes and cost-benefit caps, each switched on from fragmented",
        directions: false,
        label_width: 360,
    };
    render(out, "fig9-pricing", (1800, 560), &effects)
}
