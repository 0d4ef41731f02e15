//! A calibration's simulations: a proposal's parameters applied to the base scenario under each
//! target's overrides, and the targets' values measured on the runs.

use toml::Value;

use super::{Calibration, Statistic, Target};
use crate::engine;
use crate::error::Result;
use crate::model::run::WindowMeans;
use crate::scenario::{Params, with_overrides};
use crate::validation::patterns::stay_effects;

/// The values of `targets` (all measured under one set of overrides) on the scenario `p`: per
/// replicate the statistic, then its mean over the replicates where it is defined.
pub fn measure(p: &Params, targets: &[&Target]) -> Result<Vec<f64>> {
    let mut indicators = Vec::new();
    for t in targets {
        if let Statistic::Window {
            numerator,
            denominator,
        } = t.statistic
        {
            for i in std::iter::once(numerator).chain(denominator) {
                if !indicators.contains(&i) {
                    indicators.push(i);
                }
            }
        }
    }
    let windows = if indicators.is_empty() {
        Vec::new()
    } else {
        engine::run_replicates(p, &|_| {}, |_| WindowMeans::new(p, &indicators))?.outputs
    };
    let stays = if targets
        .iter()
        .any(|t| matches!(t.statistic, Statistic::Stay { .. }))
    {
        stay_effects(p)?
    } else {
        Vec::new()
    };
    let column = |i| indicators.iter().position(|&j| j == i).expect("listed");
    let mean = |v: Vec<f64>| {
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    Ok(targets
        .iter()
        .map(|t| match t.statistic {
            Statistic::Window {
                numerator,
                denominator,
            } => mean(
                windows
                    .iter()
                    .filter_map(|r| {
                        let top = r[column(numerator)];
                        match denominator {
                            None => Some(top),
                            Some(d) if r[column(d)] > 0.0 => Some(top / r[column(d)]),
                            Some(_) => None,
                        }
                    })
                    .collect(),
            ),
            Statistic::Stay { after } => mean(
                stays
                    .iter()
                    .filter_map(|e| if after { e.after } else { e.during })
                    .collect(),
            ),
        })
        .collect())
}

/// The parameters at unit coordinates `u` as scenario overrides, with the seed.
pub fn overrides(cal: &Calibration, u: &[f64], seed: u64) -> Vec<(String, Value)> {
    let mut o: Vec<(String, Value)> = cal
        .priors
        .iter()
        .zip(u)
        .map(|(p, &x)| (p.key.clone(), p.toml(x)))
        .collect();
    o.push(("seed".into(), Value::Integer(seed as i64)));
    o
}

/// Simulate the targets `which` (indices into `cal.targets`) at `u` with scenario seed `seed`.
pub fn simulate(cal: &Calibration, u: &[f64], seed: u64, which: &[usize]) -> Result<Vec<f64>> {
    let o = overrides(cal, u, seed);
    let mut values = vec![f64::NAN; which.len()];
    for (sets, base) in &cal.groups {
        let here: Vec<usize> = (0..which.len())
            .filter(|&i| cal.targets[which[i]].sets == *sets)
            .collect();
        if here.is_empty() {
            continue;
        }
        let p = with_overrides(base, &o, &format!("{} (calibration)", cal.file.display()))?;
        let targets: Vec<&Target> = here.iter().map(|&i| &cal.targets[which[i]]).collect();
        for (&i, v) in here.iter().zip(measure(&p, &targets)?) {
            values[i] = v;
        }
    }
    Ok(values)
}
