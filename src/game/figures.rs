//! The figures of a game, drawn from its saved tables: shares over time, pairwise phase portraits, the
//! agent-based counterpart against its mean field and the replicator, and the Wang et al. stages.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::tables::{Meta, Trajectory, WANG_STAGES};
use crate::error::{InputError, Result};
use crate::output::OutputDir;
use crate::output::table::read_csv;
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render};

/// Reading `info.csv` back.
impl Meta {
    fn size(&self) -> usize {
        self.populations.len()
    }

    fn parse(text: &str, file: &str) -> Result<Self> {
        let mut m = Meta {
            title: String::new(),
            populations: Vec::new(),
            strategies: Vec::new(),
            t_max: 1.0,
            agents: 0,
            noise: 0.0,
        };
        for row in read_csv(text, file, Some(2))?.rows {
            let v = row.get(1);
            match row.get(0) {
                "title" => m.title = v.to_string(),
                "population" => m.populations.push(v.into()),
                "strategy" => m.strategies.push(v.into()),
                "t_max" => m.t_max = row.num(1)?,
                "agents" => m.agents = row.index(1)? as u32,
                "noise" => m.noise = row.num(1)?,
                other => return Err(row.malformed(&format!("unknown key `{other}`"))),
            }
        }
        if m.populations.len() != m.strategies.len() {
            return Err(InputError::Data {
                file: file.into(),
                line: 0,
                reason: "a strategy row for every population".into(),
            }
            .into());
        }
        Ok(m)
    }
}

/// The rows of a game table: the text in column `text` (if any) and every other column as a number.
fn rows(text: &str, file: &str, text_column: Option<usize>) -> Result<Vec<(String, Vec<f64>)>> {
    read_csv(text, file, None)?
        .rows
        .iter()
        .map(|row| {
            let values = (0..row.len())
                .filter(|&i| Some(i) != text_column)
                .map(|i| row.num(i))
                .collect::<Result<Vec<f64>>>()?;
            let label = text_column.map_or(String::new(), |i| row.get(i).to_string());
            Ok((label, values))
        })
        .collect()
}

/// A panel of population i's share over time, axes drawn.
fn share_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    game: &Meta,
    i: usize,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>> {
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{} ({})", game.populations[i], game.strategies[i]),
            (FONT_NAME, 22),
        )
        .margin(14)
        .x_label_area_size(46)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..game.t_max, 0.0..1.0)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("time")
        .y_desc("share playing the first strategy")
        .axis_desc_style((FONT_NAME, 18))
        .label_style((FONT_NAME, 16))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(draw_error)?;
    Ok(chart)
}

struct Dynamics<'a> {
    game: &'a Meta,
    all: &'a [(Vec<f64>, Trajectory)],
}

impl Drawing for Dynamics<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let title = format!(
            "{}: replicator dynamics from {} starting points",
            self.game.title,
            self.all.len()
        );
        let root = root
            .margin(10, 0, 0, 0)
            .titled(&title, (FONT_NAME, 28))
            .map_err(draw_error)?;
        let n = self.game.size();
        for (i, area) in root.split_evenly((1, n)).iter().enumerate() {
            let c = colour("", i);
            let mut chart = share_chart(area, self.game, i)?;
            for (_, traj) in self.all {
                chart
                    .draw_series(LineSeries::new(
                        traj.iter().map(|(t, x)| (*t, x[i])),
                        c.mix(0.7).stroke_width(2),
                    ))
                    .map_err(draw_error)?;
            }
        }
        root.present().map_err(draw_error)
    }
}

struct Phase<'a> {
    game: &'a Meta,
    all: &'a [(Vec<f64>, Trajectory)],
}

impl Drawing for Phase<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let title = format!(
            "{}: phase portrait (pairwise projections; ● start, ■ end)",
            self.game.title
        );
        let root = root
            .margin(10, 0, 0, 0)
            .titled(&title, (FONT_NAME, 28))
            .map_err(draw_error)?;
        let n = self.game.size();
        let pairs: Vec<(usize, usize)> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        for (area, &(a, b)) in root.split_evenly((1, pairs.len())).iter().zip(&pairs) {
            let mut chart = ChartBuilder::on(area)
                .margin(16)
                .x_label_area_size(46)
                .y_label_area_size(60)
                .build_cartesian_2d(-0.02..1.02, -0.02..1.02)
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .x_desc(format!(
                    "{} ({})",
                    self.game.populations[a], self.game.strategies[a]
                ))
                .y_desc(format!(
                    "{} ({})",
                    self.game.populations[b], self.game.strategies[b]
                ))
                .axis_desc_style((FONT_NAME, 18))
                .label_style((FONT_NAME, 16))
                .x_label_formatter(&|x| format!("{x:.1}"))
                .y_label_formatter(&|y| format!("{y:.1}"))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(draw_error)?;
            for (k, (_, traj)) in self.all.iter().enumerate() {
                let c = colour("", k % 5);
                chart
                    .draw_series(LineSeries::new(
                        traj.iter().map(|(_, x)| (x[a], x[b])),
                        c.mix(0.6).stroke_width(2),
                    ))
                    .map_err(draw_error)?;
                let (first, last) = (&traj[0].1, &traj[traj.len() - 1].1);
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (first[a], first[b]),
                        4,
                        c.filled(),
                    )))
                    .map_err(draw_error)?;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [
                            (last[a] - 0.012, last[b] - 0.012),
                            (last[a] + 0.012, last[b] + 0.012),
                        ],
                        BLACK.filled(),
                    )))
                    .map_err(draw_error)?;
            }
        }
        root.present().map_err(draw_error)
    }
}

struct Agents<'a> {
    game: &'a Meta,
    replicator: &'a Trajectory,
    field: &'a Trajectory,
    agents: &'a Trajectory,
}

impl Drawing for Agents<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let title = format!(
            "{}: {} agents per population (Fermi imitation, K = {}) over the mean field and the replicator",
            self.game.title, self.game.agents, self.game.noise
        );
        let root = root
            .margin(10, 0, 0, 0)
            .titled(&title, (FONT_NAME, 24))
            .map_err(draw_error)?;
        for (i, area) in root.split_evenly((1, self.game.size())).iter().enumerate() {
            let mut chart = share_chart(area, self.game, i)?;
            let c = colour("", i);
            chart
                .draw_series(LineSeries::new(
                    self.agents.iter().map(|(t, x)| (*t, x[i])),
                    c.stroke_width(5),
                ))
                .map_err(draw_error)?
                .label("agents")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(5))
                });
            chart
                .draw_series(DashedLineSeries::new(
                    self.field.iter().map(|(t, x)| (*t, x[i])),
                    8,
                    5,
                    BLACK.stroke_width(2),
                ))
                .map_err(draw_error)?
                .label("expected dynamics (mean-field map)")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2))
                });
            chart
                .draw_series(LineSeries::new(
                    self.replicator.iter().map(|(t, x)| (*t, x[i])),
                    RGBColor(213, 94, 0).stroke_width(2),
                ))
                .map_err(draw_error)?
                .label("replicator")
                .legend(|(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x + 24, y)],
                        RGBColor(213, 94, 0).stroke_width(2),
                    )
                });
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::MiddleRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .label_font((FONT_NAME, 15))
                .draw()
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)
    }
}

/// Draw a game's figures from its saved tables (`info.csv`, `trajectories.csv`, `abm.csv`).
pub fn draw_game(out: &mut OutputDir, prefix: &str) -> Result<()> {
    let file = |name: &str| format!("{prefix}{name}.csv");
    let meta = Meta::parse(&out.read(&file("info"))?, &file("info"))?;
    // trajectories.csv: start,t,x1..xn (no text column: parse everything, group by start).
    let mut all: Vec<(Vec<f64>, Trajectory)> = Vec::new();
    let text = out.read(&file("trajectories"))?;
    for (_, v) in rows(&text, &file("trajectories"), None)? {
        let (start, t, x) = (v[0] as usize, v[1], v[2..].to_vec());
        if all.len() <= start {
            all.push((x.clone(), Vec::new()));
        }
        all[start].1.push((t, x));
    }
    let mut sources: Vec<(String, Trajectory)> = Vec::new();
    for (source, v) in rows(&out.read(&file("abm"))?, &file("abm"), Some(1))? {
        if sources.last().is_none_or(|s| s.0 != source) {
            sources.push((source.clone(), Vec::new()));
        }
        sources
            .last_mut()
            .expect("just pushed")
            .1
            .push((v[0], v[1..].to_vec()));
    }
    let find = |name: &str| {
        sources
            .iter()
            .find(|s| s.0 == name)
            .map(|s| s.1.clone())
            .unwrap_or_default()
    };
    let (agents, field, replicator) = (find("agents"), find("mean_field"), find("replicator"));
    let width = 520 * meta.size() as u32;
    render(
        out,
        &format!("{prefix}dynamics"),
        (width, 620),
        &Dynamics {
            game: &meta,
            all: &all,
        },
    )?;
    let pairs = meta.size() * (meta.size() - 1) / 2;
    render(
        out,
        &format!("{prefix}phase"),
        (560 * pairs as u32, 620),
        &Phase {
            game: &meta,
            all: &all,
        },
    )?;
    render(
        out,
        &format!("{prefix}abm"),
        (width, 620),
        &Agents {
            game: &meta,
            replicator: &replicator,
            field: &field,
            agents: &agents,
        },
    )
}

struct Stages {
    /// (stage, trajectories)
    stages: Vec<(String, Vec<Trajectory>)>,
}

impl Drawing for Stages {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root
            .margin(10, 0, 0, 0)
            .titled(
                "Wang et al. (2023) reproduced: 27 starts per stage, enterprises treat (green), public participates (purple), government regulates (blue)",
                (FONT_NAME, 24),
            )
            .map_err(draw_error)?;
        for (area, (stage, trajectories)) in root
            .split_evenly((1, self.stages.len().max(1)))
            .iter()
            .zip(&self.stages)
        {
            let expected = WANG_STAGES
                .iter()
                .find(|s| s.0 == stage)
                .map_or("", |s| s.1);
            let t_max = trajectories
                .iter()
                .flat_map(|t| t.last().map(|p| p.0))
                .fold(1.0, f64::max);
            let mut chart = ChartBuilder::on(area)
                .caption(format!("{stage}: ESS {expected}"), (FONT_NAME, 22))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(50)
                .build_cartesian_2d(0.0..t_max, 0.0..1.0)
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .x_desc("time")
                .y_desc("share")
                .axis_desc_style((FONT_NAME, 17))
                .label_style((FONT_NAME, 15))
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_label_formatter(&|y| format!("{y:.1}"))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(draw_error)?;
            for trajectory in trajectories {
                for i in 0..3 {
                    let c = colour("", i);
                    chart
                        .draw_series(LineSeries::new(
                            trajectory.iter().map(|(t, x)| (*t, x[i])),
                            c.mix(0.55).stroke_width(2),
                        ))
                        .map_err(draw_error)?;
                }
            }
        }
        root.present().map_err(draw_error)
    }
}

/// Draw the stage summary from the text of `stages_table` as `{stem}.png`/`.svg`.
pub fn draw_stages(out: &mut OutputDir, stem: &str, text: &str) -> Result<()> {
    let mut stages: Vec<(String, Vec<Trajectory>)> = Vec::new();
    for (stage, v) in rows(text, &format!("{stem}.csv"), Some(0))? {
        if stages.last().is_none_or(|s| s.0 != stage) {
            stages.push((stage.clone(), Vec::new()));
        }
        let trajectories = &mut stages.last_mut().expect("just pushed").1;
        let start = v[0] as usize;
        if trajectories.len() <= start {
            trajectories.push(Vec::new());
        }
        trajectories[start].push((v[1], v[2..].to_vec()));
    }
    render(out, stem, (2200, 600), &Stages { stages })
}
