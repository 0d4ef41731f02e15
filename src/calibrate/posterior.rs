//! Findings over the posterior: scenarios compared at parameter values drawn from a calibration's
//! `posterior.csv`, so every effect carries the parameters' uncertainty as an interval.
//!
//! Draw i picks a particle with probability equal to its weight (one uniform from its own seeded
//! stream). Every compared scenario runs with the draw's parameter values and its own replicates and
//! seeds (common random numbers across scenarios and draws); a draw's effect is the difference of the
//! final-window means over replicates, and the interval is the 2.5–97.5% quantiles over draws.

use std::path::Path;

use rayon::prelude::*;
use toml::Value;

use super::abc;
use crate::engine;
use crate::error::{InputError, Result};
use crate::model::observe::Indicator;
use crate::model::run::WindowMeans;
use crate::output::table::{Cell, Table, read_csv};
use crate::scenario::registry::registry;
use crate::scenario::{Params, with_overrides};

/// One posterior draw: the particle it came from and its parameter values.
#[derive(Debug, Clone)]
pub struct Draw {
    pub particle: String,
    pub overrides: Vec<(String, Value)>,
}

/// The random streams of the draws (no ABC generation or predictive draw uses this number).
const DRAWS: u32 = u32::MAX - 1;

/// `n` draws from the weighted particles of `posterior.csv` at `path`.
pub fn read_draws(path: &Path, n: u32, seed: u64) -> Result<Vec<Draw>> {
    let file = path.display().to_string();
    let text = crate::scenario::read_text(path)?;
    let table = read_csv(&text, &file, None)?;
    let weight = table.column(&file, "weight")?;
    let particle = table.column(&file, "particle")?;
    let keys: Vec<(usize, &str)> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| registry().key(c).is_some())
        .map(|(i, c)| (i, c.as_str()))
        .collect();
    if keys.is_empty() || table.rows.is_empty() {
        return Err(InputError::Usage(format!(
            "{file}: no particles with scenario keys; expected the posterior.csv of `cogov calibrate`"
        ))
        .into());
    }
    let mut cumulative = Vec::with_capacity(table.rows.len());
    let mut total = 0.0;
    for r in &table.rows {
        let w = r.num(weight)?;
        if !(w.is_finite() && w >= 0.0) {
            return Err(r.malformed("a weight that is not a number ≥ 0"));
        }
        total += w;
        cumulative.push(total);
    }
    if total <= 0.0 {
        return Err(InputError::Usage(format!("{file}: the weights sum to 0")).into());
    }
    (0..n)
        .map(|i| {
            let x = abc::stream(seed, DRAWS, i).uniform() * total;
            let j = cumulative
                .partition_point(|&c| c <= x)
                .min(cumulative.len() - 1);
            let row = &table.rows[j];
            let overrides = keys
                .iter()
                .map(|&(c, key)| {
                    let text = row.get(c);
                    let value = if let Ok(v) = text.parse::<i64>() {
                        Value::Integer(v)
                    } else {
                        Value::Float(
                            text.parse::<f64>()
                                .map_err(|_| row.malformed(&format!("{key}: not a number")))?,
                        )
                    };
                    Ok((key.to_string(), value))
                })
                .collect::<Result<_>>()?;
            Ok(Draw {
                particle: row.get(particle).to_string(),
                overrides,
            })
        })
        .collect()
}

/// Final-window means over replicates of `metrics`: `[draw][scenario][metric]`.
pub fn run_draws(
    scenarios: &[Params],
    draws: &[Draw],
    metrics: &[Indicator],
    file: &str,
) -> Result<Vec<Vec<Vec<f64>>>> {
    let jobs: Vec<(usize, usize)> = (0..draws.len())
        .flat_map(|d| (0..scenarios.len()).map(move |s| (d, s)))
        .collect();
    let means = jobs
        .par_iter()
        .map(|&(d, s)| {
            let p = with_overrides(
                &scenarios[s],
                &draws[d].overrides,
                &format!("{file} (particle {})", draws[d].particle),
            )?;
            let reps =
                engine::run_replicates(&p, &|_| {}, |_| WindowMeans::new(&p, metrics))?.outputs;
            Ok((0..metrics.len())
                .map(|m| reps.iter().map(|r| r[m]).sum::<f64>() / reps.len() as f64)
                .collect::<Vec<f64>>())
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(means.chunks(scenarios.len()).map(|c| c.to_vec()).collect())
}

/// Median and 95% interval of `values` over equally weighted draws.
pub fn interval(values: &[f64]) -> (f64, f64, f64) {
    let ones = vec![1.0; values.len()];
    (
        abc::weighted_quantile(values, &ones, 0.5),
        abc::weighted_quantile(values, &ones, 0.025),
        abc::weighted_quantile(values, &ones, 0.975),
    )
}

/// The effect of every scenario against the first, per metric, over the draws: median, interval,
/// relative median (against the first scenario's median) and the share of draws with a negative
/// effect.
pub fn effects_table(names: &[&str], metrics: &[Indicator], means: &[Vec<Vec<f64>>]) -> Table {
    let columns = [
        "scenario",
        "baseline",
        "metric",
        "baseline_median",
        "effect_median",
        "effect_q025",
        "effect_q975",
        "relative_median",
        "relative_q025",
        "relative_q975",
        "share_negative",
        "draws",
    ];
    let mut t = Table::new(&columns);
    for s in 1..names.len() {
        for (m, metric) in metrics.iter().enumerate() {
            let base: Vec<f64> = means.iter().map(|d| d[0][m]).collect();
            let effect: Vec<f64> = means.iter().map(|d| d[s][m] - d[0][m]).collect();
            let relative: Vec<f64> = means
                .iter()
                .map(|d| (d[s][m] - d[0][m]) / d[0][m].abs())
                .collect();
            let (e, el, eh) = interval(&effect);
            let (r, rl, rh) = interval(&relative);
            t.push(vec![
                Cell::from(names[s]),
                Cell::from(names[0]),
                Cell::from(metric.name()),
                Cell::Num(interval(&base).0),
                Cell::Num(e),
                Cell::Num(el),
                Cell::Num(eh),
                Cell::Num(r),
                Cell::Num(rl),
                Cell::Num(rh),
                Cell::Num(effect.iter().filter(|v| **v < 0.0).count() as f64 / effect.len() as f64),
                Cell::from(means.len()),
            ]);
        }
    }
    t
}
