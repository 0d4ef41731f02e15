//! `cogov game FILE`: vertices with eigenvalues, trajectories from a grid of starts, the agent-based
//! counterpart, and their figures.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Game, abm, load_game};
use crate::error::Result;
use crate::output::OutputDir;
use crate::plot::{Drawing, FONT_NAME, colour, draw_error, render};

/// Trajectory samples per unit of time in the CSV and figures.
const SAMPLES_PER_UNIT: f64 = 20.0;

fn every(game: &Game, dt: f64) -> usize {
    ((1.0 / SAMPLES_PER_UNIT) / dt).round().max(1.0) as usize * usize::from(game.size() > 0)
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
    let step = every(game, game.integration.dt);
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
    let step = every(game, game.abm.dt);
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

struct Dynamics<'a> {
    game: &'a Game,
    all: &'a [(Vec<f64>, Trajectory)],
}

impl Drawing for Dynamics<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let title = format!(
            "{}: replicator dynamics from {} starting points",
            self.game.title_or_name(),
            self.all.len()
        );
        let root = root
            .margin(10, 0, 0, 0)
            .titled(&title, (FONT_NAME, 28))
            .map_err(draw_error)?;
        let n = self.game.size();
        for (i, area) in root.split_evenly((1, n)).iter().enumerate() {
            let c = colour("", i);
            let mut chart = ChartBuilder::on(area)
                .caption(
                    format!(
                        "{} ({})",
                        self.game.populations[i], self.game.strategies[i][0]
                    ),
                    (FONT_NAME, 22),
                )
                .margin(14)
                .x_label_area_size(46)
                .y_label_area_size(60)
                .build_cartesian_2d(0.0..self.game.integration.t_max, 0.0..1.0)
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
    game: &'a Game,
    all: &'a [(Vec<f64>, Trajectory)],
}

impl Drawing for Phase<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let title = format!(
            "{}: phase portrait (pairwise projections; ● start, ■ end)",
            self.game.title_or_name()
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
                    self.game.populations[a], self.game.strategies[a][0]
                ))
                .y_desc(format!(
                    "{} ({})",
                    self.game.populations[b], self.game.strategies[b][0]
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
    game: &'a Game,
    replicator: &'a Trajectory,
    field: &'a Trajectory,
    agents: &'a Trajectory,
}

impl Drawing for Agents<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let a = self.game.abm;
        let title = format!(
            "{}: {} agents per population (Fermi imitation, K = {}) over the mean field and the replicator",
            self.game.title_or_name(),
            a.agents,
            a.noise
        );
        let root = root
            .margin(10, 0, 0, 0)
            .titled(&title, (FONT_NAME, 24))
            .map_err(draw_error)?;
        for (i, area) in root.split_evenly((1, self.game.size())).iter().enumerate() {
            let mut chart = ChartBuilder::on(area)
                .caption(
                    format!(
                        "{} ({})",
                        self.game.populations[i], self.game.strategies[i][0]
                    ),
                    (FONT_NAME, 22),
                )
                .margin(14)
                .x_label_area_size(46)
                .y_label_area_size(60)
                .build_cartesian_2d(0.0..self.game.integration.t_max, 0.0..1.0)
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

/// Write every output of one game into `out` (the figures prefixed with `prefix`).
pub fn write_game(game: &Game, out: &mut OutputDir, prefix: &str) -> Result<()> {
    let all = trajectories(game);
    out.write(
        &format!("{prefix}vertices.csv"),
        vertices_csv(game).as_bytes(),
    )?;
    out.write(
        &format!("{prefix}trajectories.csv"),
        trajectories_csv(game, &all).as_bytes(),
    )?;
    let (agents, field) = abm_runs(game);
    let replicator = game.trajectory(&game.initial, every(game, game.integration.dt));
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
    let width = 520 * game.size() as u32;
    render(
        out,
        &format!("{prefix}dynamics"),
        (width, 620),
        &Dynamics { game, all: &all },
    )?;
    let pairs = game.size() * (game.size() - 1) / 2;
    render(
        out,
        &format!("{prefix}phase"),
        (560 * pairs as u32, 620),
        &Phase { game, all: &all },
    )?;
    render(
        out,
        &format!("{prefix}abm"),
        (width, 620),
        &Agents {
            game,
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
    println!(
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
