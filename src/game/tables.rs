//! The tables of a game's analysis: `info.csv` (what the figures need besides the trajectories),
//! `vertices.csv` (each vertex with its eigenvalues and stability), `trajectories.csv` (from a grid of
//! starts), `abm.csv` (agents, their mean field and the replicator), and the Wang et al. stages table.

use super::{Game, abm};
use crate::error::InputError;
use crate::output::table::{Cell, Table};

use super::SAMPLES_PER_UNIT;

pub(super) fn every(dt: f64) -> usize {
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
pub(super) fn share_columns(n: usize) -> impl Iterator<Item = String> {
    (1..=n).map(|i| format!("x{i}"))
}

pub(super) type Trajectory = Vec<(f64, Vec<f64>)>;

pub(super) fn trajectories(game: &Game) -> Result<Vec<(Vec<f64>, Trajectory)>, InputError> {
    let step = every(game.integration.dt);
    game.grid_starts()
        .into_iter()
        .map(|s| {
            let t = game.trajectory(&s, step);
            shares_stay_shares(game, "integration.dt", game.integration.dt, &t)?;
            Ok((s, t))
        })
        .collect()
}

/// A trajectory of shares must stay in [0, 1]: one that leaves it (or becomes NaN) was integrated
/// with a step (`key`, its value `dt`) too large for the game's payoffs.
pub(super) fn shares_stay_shares(
    game: &Game,
    key: &str,
    dt: f64,
    trajectory: &Trajectory,
) -> Result<(), InputError> {
    const SLACK: f64 = 1e-9;
    let Some((_, start)) = trajectory.first() else {
        return Ok(());
    };
    let bad = trajectory
        .iter()
        .enumerate()
        .find(|(_, (_, x))| x.iter().any(|v| !(-SLACK..=1.0 + SLACK).contains(v)));
    match bad {
        None => Ok(()),
        Some((row, (t, x))) => Err(InputError::Usage(format!(
            "{}: the trajectory from {start:?} leaves the shares' range [0, 1] at t = {t} (its \
             point {row}: {x:?}): `{key}` = {dt} is too large a step for payoffs of this size; use a \
             smaller one",
            game.file
        ))),
    }
}

/// Every number of a game's table `name` is finite: payoffs too large for double precision would
/// otherwise write empty cells.
pub(super) fn all_finite(game: &Game, name: &str, table: &Table) -> Result<(), InputError> {
    match table.first_non_finite() {
        None => Ok(()),
        Some((row, column, value)) => Err(InputError::Usage(format!(
            "{}: {name}.csv row {row}, column `{column}`, would be {value}: the payoffs are too \
             large for double precision; scale them down",
            game.file
        ))),
    }
}

pub(super) fn trajectories_table(game: &Game, all: &[(Vec<f64>, Trajectory)]) -> Table {
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
pub(super) fn abm_runs(game: &Game) -> Result<(Trajectory, Trajectory), InputError> {
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
    shares_stay_shares(game, "abm.dt", game.abm.dt, &field)?;
    shares_stay_shares(game, "abm.dt", game.abm.dt, &agents)?;
    Ok((agents, field))
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
    pub(super) fn of(game: &Game) -> Self {
        Meta {
            title: game.title_or_name().to_string(),
            populations: game.populations.clone(),
            strategies: game.strategies.iter().map(|s| s[0].clone()).collect(),
            t_max: game.integration.t_max,
            agents: game.abm.agents,
            noise: game.abm.noise,
        }
    }

    /// `info.csv`: `key,value` rows, one `population` and one `strategy` row per population.
    pub(super) fn to_table(&self) -> Table {
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
}

impl Game {
    pub(super) fn title_or_name(&self) -> &str {
        if self.title.is_empty() {
            &self.name
        } else {
            &self.title
        }
    }
}

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

/// The Wang et al. (2023) stages of the figure set, in order, with the published stable state.
pub const WANG_STAGES: [(&str, &str); 5] = [
    ("baseline", "(0,0,0)"),
    ("stage1", "(0,0,1)"),
    ("stage2", "(1,0,1)"),
    ("stage3", "(1,1,1)"),
    ("stage4", "(1,1,0)"),
];
