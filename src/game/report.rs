//! `cogov game FILE`: vertices with eigenvalues, trajectories from a grid of starts, the agent-based
//! counterpart, and their figures.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{Game, abm, load_game};
use crate::error::{InputError, Result};
use crate::output::OutputDir;
use crate::output::manifest::{Manifest, ScenarioEntry};
use crate::output::table::{Cell, Table, read_csv};
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render};

/// Trajectory samples per unit of time in the CSV and figures.
const SAMPLES_PER_UNIT: f64 = 20.0;

fn every(dt: f64) -> usize {
    ((1.0 / SAMPLES_PER_UNIT) / dt).round().max(1.0) as usize
}

/// `vertices.csv`: v1..vn, lambda1..lambdan, stable.
pub fn vertices_table(game: &Game) -> Table {
    let n = game.size();
    let mut head: Vec<String> = (1..=n)
        .map(|i| format!("v{i}"))
        .chain((1..=n).map(|i| format!("lambda{i}")))
        .collect();
    head.push("stable".into());
    let mut out = Table::new(&head);
    for (v, l, stable) in game.vertices() {
        let mut cells: Vec<Cell> = v.iter().chain(&l).map(|&x| Cell::Num(x)).collect();
        cells.push(stable.into());
        out.push(cells);
    }
    out
}

/// `x1..xn`, the share columns of a game's tables.
fn share_columns(n: usize) -> impl Iterator<Item = String> {
    (1..=n).map(|i| format!("x{i}"))
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

fn trajectories_table(game: &Game, all: &[(Vec<f64>, Trajectory)]) -> Table {
    let mut head = vec!["start".to_string(), "t".to_string()];
    head.extend(share_columns(game.size()));
    let mut out = Table::new(&head);
    for (k, (_, traj)) in all.iter().enumerate() {
        for (t, x) in traj {
            let mut cells = vec![Cell::from(k), Cell::Num(*t)];
            cells.extend(x.iter().map(|&v| Cell::Num(v)));
            out.push(cells);
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

    /// `info.csv`: `key,value` rows, one `population` and one `strategy` row per population.
    fn to_table(&self) -> Table {
        let mut out = Table::new(&["key", "value"]);
        out.push(vec!["title".into(), self.title.as_str().into()]);
        for (p, s) in self.populations.iter().zip(&self.strategies) {
            out.push(vec!["population".into(), p.as_str().into()]);
            out.push(vec!["strategy".into(), s.as_str().into()]);
        }
        out.push(vec!["t_max".into(), self.t_max.into()]);
        out.push(vec!["agents".into(), self.agents.into()]);
        out.push(vec!["noise".into(), self.noise.into()]);
        out
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
    out.write_table(&format!("{prefix}info"), &Meta::of(game).to_table())?;
    out.write_table(&format!("{prefix}vertices"), &vertices_table(game))?;
    out.write_table(
        &format!("{prefix}trajectories"),
        &trajectories_table(game, &all),
    )?;
    let (agents, field) = abm_runs(game);
    let replicator = game.trajectory(&game.initial, every(game.integration.dt));
    let mut head = vec!["t".to_string(), "source".to_string()];
    head.extend(share_columns(game.size()));
    let mut abm = Table::new(&head);
    for (source, traj) in [
        ("agents", &agents),
        ("mean_field", &field),
        ("replicator", &replicator),
    ] {
        for (t, x) in traj {
            let mut cells = vec![Cell::Num(*t), Cell::from(source)];
            cells.extend(x.iter().map(|&v| Cell::Num(v)));
            abm.push(cells);
        }
    }
    out.write_table(&format!("{prefix}abm"), &abm)?;
    draw_game(out, prefix)
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

/// `cogov game FILE [--out DIR]`.
pub fn game_command(path: &Path, out: Option<PathBuf>, force: bool) -> Result<PathBuf> {
    let started = std::time::Instant::now();
    let game = load_game(path)?;
    let out = out.unwrap_or_else(|| PathBuf::from("output/game").join(&game.name));
    let mut dir = OutputDir::create(&out, force)?;
    write_game(&game, &mut dir, "")?;
    let mut manifest = Manifest::new("game", 1);
    manifest.game = Some(ScenarioEntry::new(
        &game.name,
        Some(path),
        game.resolved.clone(),
    ));
    manifest.seed = Some(game.abm.seed);
    manifest.timing.output_seconds = started.elapsed().as_secs_f64();
    let published = dir.commit(|hashes| manifest.to_json(hashes))?;
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
        published.display()
    );
    Ok(published)
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
pub fn stages_table(games: &[(String, Game)]) -> Table {
    let mut out = Table::new(&["stage", "start", "t", "x1", "x2", "x3"]);
    for (stage, g) in games {
        let step = (0.25 / g.integration.dt).round().max(1.0) as usize;
        for (k, start) in g.grid_starts().iter().enumerate() {
            for (t, x) in g.trajectory(start, step) {
                let mut cells = vec![Cell::from(stage.as_str()), Cell::from(k), Cell::Num(t)];
                cells.extend(x.iter().map(|&v| Cell::Num(v)));
                out.push(cells);
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
