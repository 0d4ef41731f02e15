//! Figure 12, the historical run 2015–2025 (`scenarios/history/`): the yearly share of monitoring
//! sections at class I–III of GB 3838-2002, with complaints, sanctions and compliance, over draws of
//! the calibrated posterior, beside the published national share.
//!
//! Each region's boundary section is one monitoring section. A region's yearly mean stock S (t) maps
//! to a COD concentration c = 20·S/S₆₄.₅ mg/L, where S₆₄.₅ is the 64.5% quantile of the regions'
//! 2015 means in the same draw: the one flow volume that puts 64.5% of the sections at class I–III
//! (COD ≤ 20 mg/L) in 2015, as the 2015 bulletin reports. Classes IV–V are 20 < c ≤ 40 mg/L, worse
//! than V above. Only COD is classified (the bulletins classify by the worst of 21 indicators), and
//! the national section set grew in 2016 and 2021 while the model's stays fixed.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Deserialize;

use super::posterior::CALIBRATION;
use super::scenario;
use crate::calibrate::posterior::{interval, read_draws};
use crate::error::{InputError, Result};
use crate::model::history::{run, structural_difference};
use crate::model::observe::Indicator;
use crate::output::OutputDir;
use crate::output::table::{Cell, Table, read_csv};
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render, tick_label};
use crate::scenario::{Params, load_scenario, with_overrides};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    first_year: u32,
    /// The first year reported: the flow volume is set from it, and the prediction starts there.
    reference_year: u32,
    years: u32,
    draws: u32,
    stages: Vec<RawStage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    month: u32,
    scenario: String,
    label: String,
}

/// The national share of monitoring sections at class I–III by year, from the annual bulletins
/// (2015: the 2015 bulletin, the run's one input from water quality; the rest only compared).
pub const PUBLISHED: [(u32, f64); 10] = [
    (2015, 0.645),
    (2016, 0.678),
    (2017, 0.679),
    (2018, 0.710),
    (2019, 0.749),
    (2020, 0.834),
    (2021, 0.849),
    (2022, 0.879),
    (2023, 0.894),
    (2024, 0.904),
];

/// COD limits of GB 3838-2002 (mg/L): class III and class V.
const CLASS_III: f64 = 20.0;
const CLASS_V: f64 = 40.0;
const SHARE_2015: f64 = 0.645;

const METRICS: [&str; 6] = [
    "share_I_III",
    "share_IV_V",
    "share_worse_than_V",
    "complaints_per_1000_year",
    "sanctions_per_source_year",
    "compliance_rate",
];

/// The stages of `history.toml` in `dir`, checked: the first at month 0, months increasing inside
/// the run, and no stage changing the structure of the first.
fn stages(dir: &Path) -> Result<(RawHistory, Vec<(u32, Params)>)> {
    let path = dir.join("history.toml");
    let file = path.display().to_string();
    let text = crate::scenario::read_text(&path)?;
    let raw: RawHistory = toml::from_str(&text).map_err(|e| InputError::Syntax {
        file: file.clone(),
        message: e.to_string().trim_end().replace('\n', " "),
    })?;
    let steps = raw.years * 12;
    let bad = |key: String, value: String, allowed: &str| InputError::OutOfRange {
        file: file.clone(),
        key,
        value,
        allowed: allowed.into(),
    };
    if !(1..=50).contains(&raw.years)
        || !(1..=1000).contains(&raw.draws)
        || !(raw.first_year..raw.first_year + raw.years).contains(&raw.reference_year)
    {
        return Err(bad(
            "years".into(),
            format!(
                "{} years from {}, reference year {}, {} draws",
                raw.years, raw.first_year, raw.reference_year, raw.draws
            ),
            "1 to 50 years, a reference year inside them, and 1 to 1000 draws",
        )
        .into());
    }
    let mut out: Vec<(u32, Params)> = Vec::new();
    for (i, s) in raw.stages.iter().enumerate() {
        let first_ok = if i == 0 {
            s.month == 0
        } else {
            s.month > out[i - 1].0 && s.month < steps
        };
        if !first_ok {
            return Err(bad(
                format!("stages[{i}].month"),
                s.month.to_string(),
                "0 for the first stage, then increasing months inside the run",
            )
            .into());
        }
        let p = load_scenario(&dir.join(&s.scenario), &[])?
            .params
            .with_run_size(None, Some(steps), Some(1))?;
        if let Some((_, first)) = out.first()
            && let Some(key) = structural_difference(first, &p)
        {
            return Err(bad(
                format!("stages[{i}].scenario"),
                format!("\"{}\"", s.scenario),
                &format!(
                    "a scenario that changes only arrangements from the first stage (it changes `{key}`)"
                ),
            )
            .into());
        }
        out.push((s.month, p));
    }
    if out.is_empty() {
        return Err(bad("stages".into(), "[]".into(), "at least one stage").into());
    }
    Ok((raw, out))
}

/// One draw's yearly values of `METRICS`, from year `reference` (0-based) of the run on.
fn yearly(stages: &[(u32, Params)], years: u32, reference: usize) -> Result<Vec<[f64; 6]>> {
    let months = run(stages, years * 12, 0)?;
    let regions = months[0].stocks.len();
    let year_means: Vec<Vec<f64>> = months
        .chunks(12)
        .map(|y| {
            (0..regions)
                .map(|r| y.iter().map(|m| m.stocks[r]).sum::<f64>() / y.len() as f64)
                .collect()
        })
        .collect();
    let mut first = year_means[reference].clone();
    first.sort_by(f64::total_cmp);
    let at = ((SHARE_2015 * regions as f64).ceil() as usize).clamp(1, regions) - 1;
    let s_ref = first[at];
    Ok(months
        .chunks(12)
        .zip(&year_means)
        .skip(reference)
        .map(|(y, stocks)| {
            let share = |f: &dyn Fn(f64) -> bool| {
                stocks.iter().filter(|&&s| f(CLASS_III * s / s_ref)).count() as f64 / regions as f64
            };
            let mean =
                |i: Indicator| y.iter().map(|m| m.record.get(i)).sum::<f64>() / y.len() as f64;
            [
                share(&|c| c <= CLASS_III),
                share(&|c| c > CLASS_III && c <= CLASS_V),
                share(&|c| c > CLASS_V),
                mean(Indicator::ComplaintsPer1000),
                mean(Indicator::SanctionsPerSource),
                mean(Indicator::ComplianceRate),
            ]
        })
        .collect())
}

/// Run the historical stages over posterior draws (quick: 3 draws); the yearly table
/// `year,metric,median,q025,q975,published` and the stages `month,label`.
pub fn compute(quick: bool) -> Result<(Table, Table)> {
    use rayon::prelude::*;
    let dir = scenario("history")?;
    let (raw, stages) = stages(&dir)?;
    let draws = if quick { 3 } else { raw.draws };
    let posterior = scenario(CALIBRATION)?.join("posterior.csv");
    let drawn = read_draws(&posterior, draws, stages[0].1.seed)?;
    let file = posterior.display().to_string();
    let per_draw: Vec<Vec<[f64; 6]>> = drawn
        .par_iter()
        .map(|d| {
            let staged = stages
                .iter()
                .map(|(m, p)| {
                    Ok((
                        *m,
                        with_overrides(p, &d.overrides, &format!("{file} ({})", d.particle))?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            yearly(
                &staged,
                raw.years,
                (raw.reference_year - raw.first_year) as usize,
            )
        })
        .collect::<Result<_>>()?;
    let mut t = Table::new(&["year", "metric", "median", "q025", "q975", "published"]);
    for y in 0..(raw.first_year + raw.years - raw.reference_year) as usize {
        let year = raw.reference_year + y as u32;
        for (m, name) in METRICS.iter().enumerate() {
            let values: Vec<f64> = per_draw.iter().map(|d| d[y][m]).collect();
            let (median, low, high) = interval(&values);
            let published = PUBLISHED
                .iter()
                .find(|(py, _)| *py == year && m == 0)
                .map_or(f64::NAN, |p| p.1);
            t.push(vec![
                Cell::from(year),
                Cell::from(*name),
                Cell::Num(median),
                Cell::Num(low),
                Cell::Num(high),
                Cell::Num(published),
            ]);
        }
    }
    // Stage starts as fractional years.
    let mut s = Table::new(&["year", "label"]);
    for stage in &raw.stages {
        s.push(vec![
            Cell::Num(f64::from(raw.first_year) + f64::from(stage.month) / 12.0),
            Cell::from(stage.label.as_str()),
        ]);
    }
    Ok((t, s))
}

struct Panel {
    title: &'static str,
    metric: &'static str,
    unit: &'static str,
}

const PANELS: [Panel; 4] = [
    Panel {
        title: "Sections at class I–III (COD)",
        metric: "share_I_III",
        unit: "share of sections",
    },
    Panel {
        title: "Water complaints",
        metric: "complaints_per_1000_year",
        unit: "per 1,000 people and year",
    },
    Panel {
        title: "Sanctions",
        metric: "sanctions_per_source_year",
        unit: "per registered source and year",
    },
    Panel {
        title: "Compliance",
        metric: "compliance_rate",
        unit: "share of sources",
    },
];

struct History {
    /// (year, metric, median, low, high, published)
    rows: Vec<(f64, String, f64, f64, f64, f64)>,
    /// Stage starts in fractional years, and labels.
    stages: Vec<(f64, String)>,
    draws: String,
}

impl Drawing for History {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root
            .margin(12, 10, 10, 10)
            .titled(
                &format!(
                    "The historical run 2015–2025: a prediction from 2015 ({})",
                    self.draws
                ),
                (FONT_NAME, 26),
            )
            .map_err(draw_error)?;
        let (x0, x1) = self.rows.iter().fold((f64::MAX, f64::MIN), |(a, b), r| {
            (a.min(r.0), b.max(r.0 + 1.0))
        });
        let blue = colour("coordinated", 0);
        let reform = colour("fragmented", 0);
        for (area, panel) in root.split_evenly((2, 2)).iter().zip(&PANELS) {
            let rows: Vec<_> = self.rows.iter().filter(|r| r.1 == panel.metric).collect();
            let (lo, hi) = rows
                .iter()
                .flat_map(|r| [r.3, r.4, r.5])
                .filter(|v| v.is_finite())
                .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
            let (lo, hi) = if panel.metric.starts_with("share") || panel.metric == "compliance_rate"
            {
                (0.0, 1.0)
            } else {
                (0.0, hi.max(lo) * 1.15 + 1e-9)
            };
            let mut chart = ChartBuilder::on(area)
                .caption(panel.title, (FONT_NAME, 22))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(70)
                .build_cartesian_2d(x0..x1, lo..hi)
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .x_labels(6)
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_label_formatter(&|y| tick_label(*y, hi - lo))
                .y_desc(panel.unit)
                .label_style((FONT_NAME, 15))
                .axis_desc_style((FONT_NAME, 16))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(draw_error)?;
            for (x, _) in &self.stages {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(*x, lo), (*x, hi)],
                        reform.mix(0.6).stroke_width(2),
                    )))
                    .map_err(draw_error)?;
            }
            // Yearly values are drawn at mid-year.
            let mid = |r: &&(f64, String, f64, f64, f64, f64)| r.0 + 0.5;
            let mut band: Vec<(f64, f64)> = rows.iter().map(|r| (mid(r), r.3)).collect();
            band.extend(rows.iter().rev().map(|r| (mid(r), r.4)));
            chart
                .draw_series(std::iter::once(Polygon::new(band, blue.mix(0.2).filled())))
                .map_err(draw_error)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    rows.iter().map(|r| (mid(r), r.2)).collect::<Vec<_>>(),
                    blue.stroke_width(2),
                )))
                .map_err(draw_error)?
                .label("model: median and 95% band over posterior draws")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(2))
                });
            let published: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| r.5.is_finite())
                .map(|r| (mid(r), r.5))
                .collect();
            if !published.is_empty() {
                let black = BLACK;
                chart
                    .draw_series(published.iter().map(|&p| Circle::new(p, 5, black.filled())))
                    .map_err(draw_error)?
                    .label("published national share (bulletins)")
                    .legend(move |(x, y)| Circle::new((x + 10, y), 5, black.filled()));
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::LowerRight)
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.4))
                    .label_font((FONT_NAME, 14))
                    .draw()
                    .map_err(draw_error)?;
            }
        }
        root.present().map_err(draw_error)
    }
}

/// Figure 12 from its tables.
pub fn draw(out: &mut OutputDir, text: &str, stages: &str) -> Result<()> {
    let file = "fig12-history.csv";
    let t = read_csv(text, file, Some(6))?;
    let rows = t
        .rows
        .iter()
        .map(|r| {
            Ok((
                r.num(0)?,
                r.get(1).to_string(),
                r.num(2)?,
                r.num(3)?,
                r.num(4)?,
                r.num_or_nan(5)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let first = rows.first().map_or(f64::NEG_INFINITY, |r| r.0);
    let s = read_csv(stages, "fig12-stages.csv", Some(2))?;
    let stages = s
        .rows
        .iter()
        .map(|r| Ok((r.num(0)?, r.get(1).to_string())))
        .filter(|s| s.as_ref().map_or(true, |(x, _)| *x > first))
        .collect::<Result<Vec<_>>>()?;
    render(
        out,
        "fig12-history",
        (1600, 1100),
        &History {
            rows,
            stages,
            draws: "china-2020's calibrated posterior, 56 sections".into(),
        },
    )
}
