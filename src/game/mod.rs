//! Evolutionary-game twin: a multi-population game defined in a file, its replicator
//! dynamics, the stability of its vertices, and an agent-based counterpart.
//!
//! A game file lists 2–4 populations with two strategies each, numeric parameters, derived
//! definitions, and the payoff of every population in every pure profile, as expressions:
//!
//! ```toml
//! [[populations]]
//! name = "enterprises"
//! strategies = ["treat", "not treat"]
//! initial = 0.2                        # share playing the first strategy
//! [parameters]
//! PA = 40
//! [definitions]                        # evaluated in order, may use parameters and earlier definitions
//! P = "PA + (1 - eA)*(1 - gov)*Pe"
//! [payoffs]                            # "1" = first strategy, "0" = second, one digit per population
//! "111" = ["payoff of population 1", "payoff of population 2", "payoff of population 3"]
//! ```
//!
//! With x_i the share of population i playing its first strategy, the expected payoff difference is
//! D_i(x) = Σ over the others' pure profiles s of Π_{j≠i} x_j^{s_j}(1 − x_j)^{1−s_j}·(π_i(1, s) − π_i(0, s)),
//! and the replicator dynamics are ẋ_i = x_i(1 − x_i)·D_i(x). At a vertex v the Jacobian is diagonal
//! (every off-diagonal term carries the factor x_i(1 − x_i) = 0), with eigenvalues
//! λ_i = (1 − 2v_i)·D_i(v); a vertex is asymptotically stable iff every λ_i < 0. Only strict
//! equilibria, which are vertices, can be asymptotically stable in multi-population replicator
//! dynamics (Ritzberger & Weibull 1995), so the vertices are the candidates.

pub mod abm;
pub mod expr;
#[cfg(feature = "figures")]
mod figures;
pub mod report;
mod tables;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Value;

use crate::error::InputError;
use crate::scenario::read_chain;

/// Most populations a game may have.
pub const MAX_POPULATIONS: usize = 4;
/// Most steps of one trajectory (integration or agent-based).
pub const MAX_GAME_STEPS: f64 = 1e6;
/// Most rows of a game's trajectory table.
pub const MAX_GAME_ROWS: f64 = 5e6;
/// Most agent updates of the agent-based twin (agents × populations × steps).
pub const MAX_AGENT_UPDATES: f64 = 2e9;
/// Trajectory samples per unit of time in the tables and figures.
pub const SAMPLES_PER_UNIT: f64 = 20.0;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPopulation {
    name: String,
    strategies: [String; 2],
    #[serde(default = "half")]
    initial: f64,
}

fn half() -> f64 {
    0.5
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGame {
    #[serde(default)]
    title: Option<String>,
    populations: Vec<RawPopulation>,
    #[serde(default)]
    parameters: BTreeMap<String, f64>,
    #[serde(default)]
    definitions: toml::Table,
    payoffs: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    integration: Integration,
    #[serde(default)]
    abm: AbmSettings,
}

/// Fixed-step RK4 settings.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Integration {
    /// Step of the fourth-order Runge–Kutta scheme.
    pub dt: f64,
    /// Length of every trajectory.
    pub t_max: f64,
}

impl Default for Integration {
    fn default() -> Self {
        Integration {
            dt: 0.01,
            t_max: 15.0,
        }
    }
}

/// Agent-based counterpart settings.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AbmSettings {
    /// Agents per population.
    pub agents: u32,
    /// Fermi noise K: an agent adopts a peer's strategy with probability 1/(1 + exp(−Δπ/K)).
    pub noise: f64,
    /// Time step; each agent revises with probability 2K·dt per step (≤ 1).
    pub dt: f64,
    pub seed: u64,
}

impl Default for AbmSettings {
    fn default() -> Self {
        AbmSettings {
            agents: 10_000,
            noise: 25.0,
            dt: 0.01,
            seed: 1,
        }
    }
}

/// A validated game: payoffs evaluated to numbers.
#[derive(Debug, Clone)]
pub struct Game {
    pub name: String,
    pub title: String,
    pub populations: Vec<String>,
    pub strategies: Vec<[String; 2]>,
    pub initial: Vec<f64>,
    /// payoff\[profile\]\[population\], profile bit i (from the most significant) = population i plays
    /// its first strategy.
    pub payoff: Vec<Vec<f64>>,
    pub integration: Integration,
    pub abm: AbmSettings,
    /// The game file with `extends` and parameter overrides applied, as TOML (for the manifest).
    pub resolved: String,
    /// The file it came from, for error messages.
    pub file: String,
}

fn bad(file: &str, key: &str, value: impl ToString, allowed: &str) -> InputError {
    InputError::OutOfRange {
        file: file.into(),
        key: key.into(),
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

/// Load a game file (with `extends`, key by key, like scenarios).
pub fn load_game(path: &Path) -> Result<Game, InputError> {
    load_game_with(path, &[])
}

/// Load a game file with some `[parameters]` replaced (used by validation to vary the fine).
pub fn load_game_with(path: &Path, parameters: &[(&str, f64)]) -> Result<Game, InputError> {
    let file = path.display().to_string();
    let (mut table, _) = read_chain(path, &mut Vec::new())?;
    if !parameters.is_empty() {
        let section = table
            .entry("parameters")
            .or_insert_with(|| Value::Table(toml::Table::new()));
        if let Value::Table(t) = section {
            for (k, v) in parameters {
                t.insert((*k).to_string(), Value::Float(*v));
            }
        }
    }
    let name = path
        .file_stem()
        .map_or("game".into(), |s| s.to_string_lossy().into_owned());
    let resolved = toml::to_string_pretty(&table).unwrap_or_default();
    let raw: RawGame = table
        .try_into()
        .map_err(|e: toml::de::Error| InputError::Syntax {
            file: file.clone(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
    let n = raw.populations.len();
    if !(2..=MAX_POPULATIONS).contains(&n) {
        return Err(bad(&file, "populations", n, "2 to 4 populations"));
    }
    for (i, p) in raw.populations.iter().enumerate() {
        if !(0.0..=1.0).contains(&p.initial) {
            return Err(bad(
                &file,
                &format!("populations[{i}].initial"),
                p.initial,
                "a share in [0, 1]",
            ));
        }
    }
    // Names: parameters, then definitions in file order.
    let mut names: Vec<String> = raw.parameters.keys().cloned().collect();
    let mut values: Vec<f64> = raw.parameters.values().copied().collect();
    if let Some((k, v)) = raw.parameters.iter().find(|(_, v)| !v.is_finite()) {
        return Err(bad(&file, &format!("parameters.{k}"), v, "a finite number"));
    }
    for (k, v) in &raw.definitions {
        let Value::String(text) = v else {
            return Err(bad(
                &file,
                &format!("definitions.{k}"),
                v,
                "an expression in quotes",
            ));
        };
        let e = expr::parse(text, &names).map_err(|m| {
            bad(
                &file,
                &format!("definitions.{k}"),
                format!("\"{text}\""),
                &m.to_string(),
            )
        })?;
        values.push(e.eval(&values));
        names.push(k.clone());
    }
    let mut payoff = vec![Vec::new(); 1 << n];
    for (key, row) in &raw.payoffs {
        let at = format!("payoffs.\"{key}\"");
        let profile = (key.len() == n && key.chars().all(|c| c == '0' || c == '1'))
            .then(|| usize::from_str_radix(key, 2).ok())
            .flatten()
            .ok_or_else(|| {
                bad(
                    &file,
                    &at,
                    key,
                    &format!("{n} digits of 0 and 1, one per population (1 = first strategy)"),
                )
            })?;
        if row.len() != n {
            return Err(bad(
                &file,
                &at,
                format!("{} payoffs", row.len()),
                &format!("{n} payoffs, one per population"),
            ));
        }
        payoff[profile] = row
            .iter()
            .map(|text| {
                let v = expr::parse(text, &names)
                    .map_err(|m| bad(&file, &at, format!("\"{text}\""), &m.to_string()))?
                    .eval(&values);
                if v.is_finite() {
                    Ok(v)
                } else {
                    Err(bad(
                        &file,
                        &at,
                        format!("\"{text}\" = {v}"),
                        "a finite payoff",
                    ))
                }
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(missing) = payoff.iter().position(Vec::is_empty) {
        let key = format!("{missing:0n$b}");
        return Err(bad(
            &file,
            "payoffs",
            "(incomplete)",
            &format!("a row for every profile; \"{key}\" is missing"),
        ));
    }
    let i = raw.integration;
    // The work and the tables are bounded: steps per trajectory, and the rows of trajectories.csv
    // (every start, sampled SAMPLES_PER_UNIT times per unit of time).
    let starts = 3f64.powi(n as i32);
    if !(i.dt > 0.0
        && i.t_max > 0.0
        && i.t_max / i.dt <= MAX_GAME_STEPS
        && starts * i.t_max * SAMPLES_PER_UNIT <= MAX_GAME_ROWS)
    {
        return Err(bad(
            &file,
            "integration",
            format!("dt {} t_max {}", i.dt, i.t_max),
            &format!(
                "dt > 0 and t_max > 0, at most {MAX_GAME_STEPS:e} steps (t_max / dt) and {MAX_GAME_ROWS:e} \
                 rows of trajectories ({} starts × {SAMPLES_PER_UNIT} per unit of time)",
                starts
            ),
        ));
    }
    let a = raw.abm;
    let abm_steps = i.t_max / a.dt;
    if !(a.noise > 0.0
        && a.dt > 0.0
        && 2.0 * a.noise * a.dt <= 1.0
        && (1..=10_000_000).contains(&a.agents)
        && abm_steps <= MAX_GAME_STEPS
        && abm_steps * f64::from(a.agents) * n as f64 <= MAX_AGENT_UPDATES)
    {
        return Err(bad(
            &file,
            "abm",
            format!("noise {} dt {} agents {}", a.noise, a.dt, a.agents),
            &format!(
                "noise > 0, dt > 0 with 2·noise·dt ≤ 1, 1 to 10^7 agents, at most {MAX_GAME_STEPS:e} \
                 steps (integration.t_max / abm.dt) and {MAX_AGENT_UPDATES:e} agent updates"
            ),
        ));
    }
    Ok(Game {
        name,
        title: raw.title.unwrap_or_default(),
        populations: raw.populations.iter().map(|p| p.name.clone()).collect(),
        strategies: raw
            .populations
            .iter()
            .map(|p| p.strategies.clone())
            .collect(),
        initial: raw.populations.iter().map(|p| p.initial).collect(),
        payoff,
        integration: i,
        abm: a,
        resolved,
        file,
    })
}

impl Game {
    pub fn size(&self) -> usize {
        self.populations.len()
    }

    /// D_i(x): expected payoff of population i's first strategy minus its second.
    pub fn advantage(&self, i: usize, x: &[f64]) -> f64 {
        let n = self.size();
        let bit = |j: usize| 1usize << (n - 1 - j);
        let mut d = 0.0;
        for profile in 0..(1usize << n) {
            if profile & bit(i) == 0 {
                continue; // enumerate others' profiles once, with i on its first strategy
            }
            let weight: f64 = (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    if profile & bit(j) != 0 {
                        x[j]
                    } else {
                        1.0 - x[j]
                    }
                })
                .product();
            d += weight * (self.payoff[profile][i] - self.payoff[profile & !bit(i)][i]);
        }
        d
    }

    /// Replicator velocity ẋ_i = x_i(1 − x_i)·D_i(x).
    pub fn velocity(&self, x: &[f64], out: &mut [f64]) {
        for i in 0..self.size() {
            out[i] = x[i] * (1.0 - x[i]) * self.advantage(i, x);
        }
    }

    /// One fourth-order Runge–Kutta step of size `dt` of the field `f`.
    pub fn rk4_step(f: impl Fn(&[f64], &mut [f64]), x: &mut [f64], dt: f64) {
        // Stack scratch: games have at most MAX_POPULATIONS populations (validated on load).
        let n = x.len();
        let mut scratch = [[0.0; MAX_POPULATIONS]; 5];
        let [k1, k2, k3, k4, tmp] = scratch.each_mut().map(|a| &mut a[..n]);
        f(x, k1);
        for i in 0..n {
            tmp[i] = x[i] + 0.5 * dt * k1[i];
        }
        f(tmp, k2);
        for i in 0..n {
            tmp[i] = x[i] + 0.5 * dt * k2[i];
        }
        f(tmp, k3);
        for i in 0..n {
            tmp[i] = x[i] + dt * k3[i];
        }
        f(tmp, k4);
        for i in 0..n {
            x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }

    /// Replicator trajectory from `start`, sampled every `every` steps: (t, x).
    pub fn trajectory(&self, start: &[f64], every: usize) -> Vec<(f64, Vec<f64>)> {
        let Integration { dt, t_max } = self.integration;
        let steps = (t_max / dt).round() as usize;
        let mut x = start.to_vec();
        let mut out = vec![(0.0, x.clone())];
        for k in 1..=steps {
            Self::rk4_step(|y, o| self.velocity(y, o), &mut x, dt);
            if k % every == 0 || k == steps {
                out.push((k as f64 * dt, x.clone()));
            }
        }
        out
    }

    /// Every vertex with its Jacobian eigenvalues and whether it is asymptotically stable.
    pub fn vertices(&self) -> Vec<(Vec<f64>, Vec<f64>, bool)> {
        let n = self.size();
        (0..(1usize << n))
            .rev()
            .map(|profile| {
                let v: Vec<f64> = (0..n)
                    .map(|j| f64::from(u8::from(profile & (1 << (n - 1 - j)) != 0)))
                    .collect();
                let lambda: Vec<f64> = (0..n)
                    .map(|i| (1.0 - 2.0 * v[i]) * self.advantage(i, &v))
                    .collect();
                let stable = lambda.iter().all(|l| *l < 0.0);
                (v, lambda, stable)
            })
            .collect()
    }

    /// Starting points {0.1, 0.5, 0.9}^n.
    pub fn grid_starts(&self) -> Vec<Vec<f64>> {
        let n = self.size();
        (0..3usize.pow(n as u32))
            .map(|k| {
                (0..n)
                    .map(|j| [0.1, 0.5, 0.9][(k / 3usize.pow((n - 1 - j) as u32)) % 3])
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
