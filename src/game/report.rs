//! `cogov game FILE`: vertices with eigenvalues, trajectories from a grid of starts, the agent-based
//! counterpart, and their figures.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{Game, abm, load_game};
use crate::error::{Error, Result};
use crate::output::OutputDir;
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render};

/// Trajectory samples per unit of time in the CSV and figures.
const SAMPLES_PER_UNIT: f64 = 20.0;

fn every(dt: f64) -> usize {
    ((1.0 / SAMPLES_PER_UNIT) / dt).round().max(1.0) as usize
}

/// `vertices.csv`: v1..vn, lambda1..lambdan, stable.
pub fn vertices_csv(game: &Game) -> String {
    let n = game.size();
    let head: Vec<String> = (1..=n)
        .map(|i| format!("v{i}"))
        .chain((1..=n).map(|i| format!("lambda{i}")))
        .collect();
    let mut out = format!("{},stable\n", head.join(","));
    for (v, l, stable) in game.vertices() {
        let cells: Vec<String> = v.iter().chain(&l).map(|x| x.to_string()).collect();
        writeln!(out, "{},{stable}", cells.join(",")).expect("writing to a String");
    }
    out
}

type Trajectory = Vec<(f64, Vec<f64>)>;

fn trajectories(game: &Game) -> Vec<(Vec<f64>, Trajectory)> {
    let step = every(game.integration.dt);
    game.grid_starts()
        .into_iter()
        .map(|s| {
            let t = game.trajectory(&s, step);
            (s, t)
        })
        .collect()
}

fn trajectories_csv(game: &Game, all: &[(Vec<f64>, Trajectory)]) -> String {
    let xs: Vec<String> = (1..=game.size()).map(|i| format!("x{i}")).collect();
    let mut out = format!("start,t,{}\n", xs.join(","));
    for (k, (_, traj)) in all.iter().enumerate() {
        for (t, x) in traj {
            let cells: Vec<String> = x.iter().map(|v| v.to_string()).collect();
            writeln!(out, "{k},{t},{}", cells.join(",")).expect("writing to a String");
        }
    }
    out
}

/// Mean-field (Fermi) and agent-based runs from the file's initial state.
fn abm_runs(game: &Game) -> (Trajectory, Trajectory) {
    let step = every(game.abm.dt);
    let agents = abm::simulate(game, &game.initial, step);
    let mut x = game.initial.clone();
    let mut field = vec![(0.0, x.clone())];
    let steps = (game.integration.t_max / game.abm.dt).round() as usize;
    for s in 1..=steps {
        abm::mean_field_step(game, &mut x);
        if s % step == 0 || s == steps {
            field.push((s as f64 * game.abm.dt, x.clone()));
        }
    }
    (agents, field)
}

/// What the figures need to know about a game besides its trajectories (`info.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub title: String,
    pub populations: Vec<String>,
    pub strategies: Vec<String>,
    pub t_max: f64,
    pub agents: u32,
    pub noise: f64,
}

impl Meta {
    fn of(game: &Game) -> Self {
        Meta {
            title: game.title_or_name().to_string(),
            populations: game.populations.clone(),
            strategies: game.strategies.iter().map(|s| s[0].clone()).collect(),
            t_max: game.integration.t_max,
            agents: game.abm.agents,
            noise: game.abm.noise,
        }
    }

    fn size(&self) -> usize {
        self.populations.len()
    }

    fn to_csv(&self) -> String {
        let mut out = String::from("key,value\n");
        // Values run to the end of the line, so they may contain commas.
        writeln!(out, "title,{}", self.title.replace('\n', " ")).expect("writing to a String");
        for (p, s) in self.populations.iter().zip(&self.strategies) {
            writeln!(
                out,
                "population,{}|{}",
                p.replace(['|', '\n'], " "),
                s.replace(['|', '\n'], " ")
            )
            .expect("writing to a String");
        }
        writeln!(
            out,
            "t_max,{}\nagents,{}\nnoise,{}",
            self.t_max, self.agents, self.noise
        )
        .expect("writing to a String");
        out
    }

    fn parse(text: &str) -> Result<Self> {
        let mut m = Meta {
            title: String::new(),
            populations: Vec::new(),
            strategies: Vec::new(),
            t_max: 1.0,
            agents: 0,
            noise: 0.0,
        };
        let bad = || Error::Other("info.csv: malformed".into());
        for line in text.lines().skip(1) {
            let (k, v) = line.split_once(',').ok_or_else(bad)?;
            match k {
                "title" => m.title = v.to_string(),
                "population" => {
                    let (p, s) = v.split_once('|').ok_or_else(bad)?;
                    m.populations.push(p.into());
                    m.strategies.push(s.into());
                }
                "t_max" => m.t_max = v.parse().map_err(|_| bad())?,
                "agents" => m.agents = v.parse().map_err(|_| bad())?,
                "noise" => m.noise = v.parse().map_err(|_| bad())?,
                _ => return Err(bad()),
            }
        }
        Ok(m)
    }
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

impl Game {
    fn title_or_name(&self) -> &str {
        if self.title.is_empty() {
            &self.name
        } else {
            &self.title
        }
    }
}

/// Write every output of one game into `out` (file names prefixed with `prefix`), then draw the
/// figures from the written tables.
pub fn write_game(game: &Game, out: &mut OutputDir, prefix: &str) -> Result<()> {
    let all = trajectories(game);
    out.write(
        &format!("{prefix}info.csv"),
        Meta::of(game).to_csv().as_bytes(),
    )?;
    out.write(
        &format!("{prefix}vertices.csv"),
        vertices_csv(game).as_bytes(),
    )?;
    out.write(
        &format!("{prefix}trajectories.csv"),
        trajectories_csv(game, &all).as_bytes(),
    )?;
    let (agents, field) = abm_runs(game);
    let replicator = game.trajectory(&game.initial, every(game.integration.dt));
    let mut abm_csv = String::from("t,source,");
    abm_csv.push_str(
        &(1..=game.size())
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join(","),
    );
    abm_csv.push('\n');
    for (source, traj) in [
        ("agents", &agents),
        ("mean_field", &field),
        ("replicator", &replicator),
    ] {
        for (t, x) in traj {
            let cells: Vec<String> = x.iter().map(|v| v.to_string()).collect();
            writeln!(abm_csv, "{t},{source},{}", cells.join(",")).expect("writing to a String");
        }
    }
    out.write(&format!("{prefix}abm.csv"), abm_csv.as_bytes())?;
    draw_game(out, prefix)
}

fn rows(text: &str, skip: usize) -> Result<Vec<(String, Vec<f64>)>> {
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let values: Option<Vec<f64>> = f
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, v)| v.parse().ok())
                .collect();
            Ok((
                f.get(skip).unwrap_or(&"").to_string(),
                values.ok_or_else(|| Error::Other(format!("malformed line: {line}")))?,
            ))
        })
        .collect()
}

/// Draw a game's figures from its saved tables (`info.csv`, `trajectories.csv`, `abm.csv`).
pub fn draw_game(out: &mut OutputDir, prefix: &str) -> Result<()> {
    let meta = Meta::parse(&out.read(&format!("{prefix}info.csv"))?)?;
    // trajectories.csv: start,t,x1..xn (no text column: parse everything, group by start).
    let mut all: Vec<(Vec<f64>, Trajectory)> = Vec::new();
    for (_, v) in rows(&out.read(&format!("{prefix}trajectories.csv"))?, usize::MAX)? {
        let (start, t, x) = (v[0] as usize, v[1], v[2..].to_vec());
        if all.len() <= start {
            all.push((x.clone(), Vec::new()));
        }
        all[start].1.push((t, x));
    }
    let mut sources: Vec<(String, Trajectory)> = Vec::new();
    for (source, v) in rows(&out.read(&format!("{prefix}abm.csv"))?, 1)? {
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

/// `cogov game FILE [--out DIR]`.
pub fn game_command(path: &Path, out: Option<PathBuf>, force: bool) -> Result<PathBuf> {
    let game = load_game(path)?;
    let out = out.unwrap_or_else(|| PathBuf::from("output/game").join(&game.name));
    let mut dir = OutputDir::create(&out, force)?;
    write_game(&game, &mut dir, "")?;
    let stable: Vec<String> = game
        .vertices()
        .into_iter()
        .filter(|v| v.2)
        .map(|(v, _, _)| {
            format!(
                "({})",
                v.iter()
                    .map(|x| format!("{x:.0}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect();
    crate::sayln!(
        "{}: asymptotically stable vertices {}; outputs in {}",
        game.name,
        if stable.is_empty() {
            "none".into()
        } else {
            stable.join(" ")
        },
        dir.root().display()
    );
    Ok(dir.root().to_path_buf())
}

/// The Wang et al. (2023) stages of the figure set, in order, with the published stable state.
pub const WANG_STAGES: [(&str, &str); 5] = [
    ("baseline", "(0,0,0)"),
    ("stage1", "(0,0,1)"),
    ("stage2", "(1,0,1)"),
    ("stage3", "(1,1,1)"),
    ("stage4", "(1,1,0)"),
];

/// `stage,start,t,x1,x2,x3` for every stage and start, sampled every quarter time unit.
pub fn stages_csv(games: &[(String, Game)]) -> String {
    let mut out = String::from("stage,start,t,x1,x2,x3\n");
    for (stage, g) in games {
        let step = (0.25 / g.integration.dt).round().max(1.0) as usize;
        for (k, start) in g.grid_starts().iter().enumerate() {
            for (t, x) in g.trajectory(start, step) {
                let cells: Vec<String> = x.iter().map(|v| v.to_string()).collect();
                writeln!(out, "{stage},{k},{t},{}", cells.join(",")).expect("writing to a String");
            }
        }
    }
    out
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

/// Draw the stage summary from `stages_csv` text as `{stem}.png`/`.svg`.
pub fn draw_stages(out: &mut OutputDir, stem: &str, text: &str) -> Result<()> {
    let mut stages: Vec<(String, Vec<Trajectory>)> = Vec::new();
    for (stage, v) in rows(text, 0)? {
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
