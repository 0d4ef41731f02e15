//! A calibration's state: the rows of `simulations.csv` and the populations recomputed from them.
//! Every row is checked to be the proposal this calibration makes at its place, so a file from
//! another calibration, or from shards started from another state, is refused; the identity says
//! which calibration, build and shard a directory belongs to.

use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Value;

use super::Calibration;
use super::abc::{self, Kernel, Population, Sim};
use crate::error::{Error, InputError, Result};
use crate::output::BUILD;
use crate::output::dir::CALIBRATION_IDENTITY;
use crate::output::table::{Cell, read_csv};

/// The columns of `simulations.csv`.
pub fn columns(cal: &Calibration) -> Vec<String> {
    let mut c: Vec<String> = ["generation", "simulation", "seed"]
        .map(String::from)
        .to_vec();
    c.extend(cal.priors.iter().map(|p| p.key.clone()));
    c.extend(cal.priors.iter().map(|p| format!("u.{}", p.key)));
    c.extend(cal.fitted().map(|t| t.name.clone()));
    c.push("distance".into());
    c
}

fn value_cell(v: &Value) -> Cell {
    Cell::Text(v.to_string())
}

pub fn row(cal: &Calibration, s: &Sim) -> Vec<Cell> {
    let mut cells = vec![
        Cell::from(s.generation),
        Cell::from(s.index),
        Cell::Text(s.seed.to_string()),
    ];
    cells.extend(
        cal.priors
            .iter()
            .zip(&s.u)
            .map(|(p, &u)| value_cell(&p.toml(u))),
    );
    cells.extend(s.u.iter().map(|&u| Cell::Num(u)));
    cells.extend(s.values.iter().map(|&v| Cell::Num(v)));
    cells.push(Cell::Num(s.distance));
    cells
}

/// The simulations of a `simulations.csv` text.
pub fn parse(cal: &Calibration, text: &str, file: &str) -> Result<Vec<Sim>> {
    let columns = columns(cal);
    let table = read_csv(text, file, Some(columns.len()))?;
    if table.columns != columns {
        return Err(InputError::Usage(format!(
            "{file}: not the simulations of this calibration (its columns differ)"
        ))
        .into());
    }
    let k = cal.priors.len();
    let fitted = cal.fitted().count();
    table
        .rows
        .iter()
        .map(|r| {
            let seed = r
                .get(2)
                .parse::<u64>()
                .map_err(|_| r.malformed("a seed that is not a whole number"))?;
            Ok(Sim {
                generation: r.index(0)? as u32,
                index: r.index(1)? as u32,
                seed,
                u: (0..k).map(|i| r.num(3 + k + i)).collect::<Result<_>>()?,
                values: (0..fitted)
                    .map(|i| r.num_or_nan(3 + 2 * k + i))
                    .collect::<Result<_>>()?,
                distance: {
                    let at = 3 + 2 * k + fitted;
                    if r.get(at).is_empty() {
                        f64::INFINITY
                    } else {
                        r.num(at)?
                    }
                },
            })
        })
        .collect()
}
/// Where a calibration stands after its rows: the populations of its complete generations and
/// whether the stopping rule has ended it.
pub struct State {
    pub populations: Vec<Population>,
    /// Rows of the first incomplete generation.
    pub current: Vec<Sim>,
    pub done: bool,
}

impl State {
    pub fn generation(&self) -> u32 {
        self.populations.len() as u32
    }
}

pub(super) fn previous(state: &State) -> Result<Option<(Population, Kernel)>> {
    state
        .populations
        .last()
        .map(|p| Ok((p.clone(), Kernel::new(p)?)))
        .transpose()
}

/// The proposal `index` of the next generation of `state`, from its random stream.
pub(super) fn proposal(
    cal: &Calibration,
    generation: u32,
    index: u32,
    prev: &Option<(Population, Kernel)>,
) -> Result<(Vec<f64>, u64)> {
    let u = abc::propose(
        cal.base.seed,
        generation,
        index,
        cal.priors.len(),
        prev.as_ref().map(|(p, k)| (p, k)),
    )?;
    Ok((u, abc::sim_seed(cal.base.seed, generation, index)))
}

/// Rebuild the state from rows, checking that each row is the proposal this calibration makes at
/// its place (`first` is the first proposal index a shard's rows of the last generation start at).
pub fn replay(cal: &Calibration, rows: Vec<Sim>, first: u32, file: &str) -> Result<State> {
    let m = &cal.method;
    let mut state = State {
        populations: Vec::new(),
        current: Vec::new(),
        done: false,
    };
    let mut prev = None;
    for sim in rows {
        if state.done {
            return Err(not_ours(
                file,
                &sim,
                "after the calibration's last generation",
            ));
        }
        let g = state.generation();
        // A generation starts at proposal 0; only a shard's last one starts at its `first`.
        let expected = match state.current.first() {
            Some(c) => c.index + state.current.len() as u32,
            None if sim.index == first => first,
            None => 0,
        };
        if sim.generation != g || sim.index != expected {
            return Err(not_ours(file, &sim, "out of order"));
        }
        let (u, seed) = proposal(cal, g, sim.index, &prev)?;
        if u != sim.u || seed != sim.seed {
            return Err(not_ours(
                file,
                &sim,
                "not the proposal this calibration makes there",
            ));
        }
        state.current.push(sim);
        if state.current.len() == m.simulations as usize && state.current[0].index == 0 {
            close_generation(cal, &mut state, &prev);
            prev = previous(&state)?;
        }
    }
    Ok(state)
}

/// Select the population of the complete generation in `state.current` and apply the stopping
/// rule.
pub(super) fn close_generation(
    cal: &Calibration,
    state: &mut State,
    prev: &Option<(Population, Kernel)>,
) {
    let m = &cal.method;
    let g = state.generation();
    let rows = std::mem::take(&mut state.current);
    let population = abc::select(
        &rows,
        m.particles as usize,
        prev.as_ref().map(|(p, k)| (p, k)),
    );
    state.done =
        !m.smc || g + 1 >= m.generations || (g > 0 && population.acceptance < m.min_acceptance);
    state.populations.push(population);
}

fn not_ours(file: &str, sim: &Sim, why: &str) -> Error {
    InputError::Usage(format!(
        "{file}: generation {} simulation {} is {why}; the file is not this calibration's",
        sim.generation, sim.index
    ))
    .into()
}

/// The weighted particles of a finished calibration.
pub const POSTERIOR: &str = "posterior.csv";

/// What makes two calibration directories parts of one calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub calibration: String,
    pub digest: String,
    pub cogov_version: String,
    pub git_commit: Option<String>,
    pub git_dirty: Option<bool>,
    pub shard: u32,
    pub shards: u32,
    /// The generation a shard (or a merge of shards) simulated; none for a whole calibration.
    pub generation: Option<u32>,
}

impl Identity {
    pub fn new(cal: &Calibration, shard: Option<(u32, u32)>, generation: Option<u32>) -> Self {
        let (shard, shards) = shard.unwrap_or((0, 1));
        Identity {
            calibration: cal.name.clone(),
            digest: cal.digest(),
            cogov_version: BUILD.version.into(),
            git_commit: BUILD.commit.map(str::to_string),
            git_dirty: BUILD.dirty,
            shard,
            shards,
            generation,
        }
    }

    pub fn read(dir: &Path) -> Result<Identity> {
        let path = dir.join(CALIBRATION_IDENTITY);
        let text = crate::files::read_regular(&path, 1 << 20).map_err(|e| {
            InputError::Usage(format!(
                "{}: not a calibration directory ({e})",
                path.display()
            ))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            InputError::Usage(format!(
                "{}: not the identity of a calibration of this version of cogov ({e})",
                path.display()
            ))
            .into()
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializes") + "\n"
    }

    /// What makes `other` another calibration, in words: the file, the build (unless `any_build`),
    /// or (unless `whole`) the shard.
    pub fn differs(&self, other: &Identity, whole: bool, any_build: bool) -> Option<String> {
        if self.digest != other.digest {
            return Some(
                "another calibration (parameters, targets, method, base scenario or run size)"
                    .into(),
            );
        }
        if !whole && (self.shard, self.shards) != (other.shard, other.shards) {
            return Some(format!(
                "shard {}/{} instead of {}/{}",
                other.shard, other.shards, self.shard, self.shards
            ));
        }
        let same_build = (&self.cogov_version, &self.git_commit, self.git_dirty)
            == (&other.cogov_version, &other.git_commit, other.git_dirty);
        if !any_build && !same_build {
            return Some(format!(
                "another build: cogov {} at {} (--allow-other-build accepts it)",
                other.cogov_version,
                other.git_commit.as_deref().unwrap_or("an unknown commit")
            ));
        }
        None
    }
}
