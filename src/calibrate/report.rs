//! What a finished calibration writes: the weighted posterior, the acceptance history, a summary of
//! each parameter, the posterior-predictive check against every target, `calibrated.toml` at the
//! posterior median (itself checked against every target) and the figures.

use rayon::prelude::*;
use toml::Value;

use super::abc::{self, Particles, Population};
use super::simulate::{measure, simulate};
use super::{Calibration, Target};
use crate::error::Result;
use crate::output::OutputDir;
use crate::output::table::{Cell, Table};
use crate::scenario::{resolve_str, with_overrides};

pub const CALIBRATED: &str = "calibrated.toml";

/// The generation number of the predictive draws' random streams (no ABC generation reaches it).
const PREDICTIVE: u32 = u32::MAX;

/// Write every output of a finished calibration into `out`.
pub fn write(cal: &Calibration, populations: &[Population], out: &mut OutputDir) -> Result<()> {
    let last = populations
        .last()
        .expect("a finished calibration has a generation");
    out.write_table("posterior", &posterior_table(cal, last))?;
    out.write_table("generations", &history_table(cal, populations))?;
    out.write_table("posterior-summary", &summary_table(cal, last))?;
    let medians = medians(cal, last);
    let calibrated = calibrated_toml(cal, &medians)?;
    out.write(CALIBRATED, calibrated.as_bytes())?;
    let (draws, predictive) = predictive_check(cal, last, &calibrated)?;
    out.write_table("predictive-draws", &draws)?;
    out.write_table("predictive", &predictive)?;
    #[cfg(feature = "figures")]
    {
        let priors: Vec<abc::PriorRange> = cal
            .priors
            .iter()
            .map(|p| (p.key.clone(), p.min, p.max))
            .collect();
        let title = format!("{}: posterior", cal.name);
        super::figures::pairs(out, "pairs", &title, &priors, &last_particles(cal, last))?;
        super::figures::predictive(out, &cal.name, &predictive.to_csv())?;
    }
    Ok(())
}

fn last_particles(cal: &Calibration, p: &Population) -> Particles {
    Particles {
        values: (0..cal.priors.len())
            .map(|k| {
                p.particles
                    .iter()
                    .map(|q| cal.priors[k].value(q.sim.u[k]))
                    .collect()
            })
            .collect(),
        weights: p.particles.iter().map(|q| q.weight).collect(),
    }
}

fn posterior_table(cal: &Calibration, p: &Population) -> Table {
    let mut columns = vec!["particle".to_string(), "weight".to_string()];
    columns.extend(cal.priors.iter().map(|q| q.key.clone()));
    columns.extend(cal.priors.iter().map(|q| format!("u.{}", q.key)));
    columns.extend(cal.fitted().map(|t| t.name.clone()));
    columns.push("distance".into());
    let mut t = Table::new(&columns);
    for q in &p.particles {
        let mut row = vec![Cell::from(q.sim.index), Cell::Num(q.weight)];
        row.extend(
            cal.priors
                .iter()
                .zip(&q.sim.u)
                .map(|(pr, &u)| Cell::Text(pr.toml(u).to_string())),
        );
        row.extend(q.sim.u.iter().map(|&u| Cell::Num(u)));
        row.extend(q.sim.values.iter().map(|&v| Cell::Num(v)));
        row.push(Cell::Num(q.sim.distance));
        t.push(row);
    }
    t
}

fn history_table(cal: &Calibration, populations: &[Population]) -> Table {
    let mut columns: Vec<String> = [
        "generation",
        "simulations",
        "tolerance",
        "within_previous_tolerance",
        "effective_sample_size",
    ]
    .map(String::from)
    .to_vec();
    columns.extend(cal.priors.iter().map(|q| format!("mean.{}", q.key)));
    let mut t = Table::new(&columns);
    for p in populations {
        let weights: Vec<f64> = p.particles.iter().map(|q| q.weight).collect();
        let mut row = vec![
            Cell::from(p.generation),
            Cell::from(cal.method.simulations),
            Cell::Num(p.tolerance),
            Cell::Num(p.acceptance),
            Cell::Num(p.ess),
        ];
        for (k, prior) in cal.priors.iter().enumerate() {
            let v: Vec<f64> = p
                .particles
                .iter()
                .map(|q| prior.value(q.sim.u[k]))
                .collect();
            row.push(Cell::Num(abc::weighted_moments(&v, &weights).0));
        }
        t.push(row);
    }
    t
}

fn summary_table(cal: &Calibration, p: &Population) -> Table {
    let columns = [
        "parameter",
        "prior_min",
        "prior_max",
        "scale",
        "mean",
        "sd",
        "q025",
        "median",
        "q975",
        "sd_over_prior_sd",
    ];
    let mut t = Table::new(&columns);
    let particles = last_particles(cal, p);
    for (k, prior) in cal.priors.iter().enumerate() {
        let v = &particles.values[k];
        let w = &particles.weights;
        let (mean, sd) = abc::weighted_moments(v, w);
        // The prior's standard deviation of the value: uniform, or log-uniform.
        let prior_sd = if prior.log {
            let (a, b) = (prior.min, prior.max);
            let l = b.ln() - a.ln();
            let m1 = (b - a) / l;
            let m2 = (b * b - a * a) / (2.0 * l);
            (m2 - m1 * m1).max(0.0).sqrt()
        } else {
            (prior.max - prior.min) / 12f64.sqrt()
        };
        t.push(vec![
            Cell::from(prior.key.as_str()),
            Cell::Num(prior.min),
            Cell::Num(prior.max),
            Cell::from(if prior.log { "log" } else { "linear" }),
            Cell::Num(mean),
            Cell::Num(sd),
            Cell::Num(abc::weighted_quantile(v, w, 0.025)),
            Cell::Num(abc::weighted_quantile(v, w, 0.5)),
            Cell::Num(abc::weighted_quantile(v, w, 0.975)),
            Cell::Num(sd / prior_sd),
        ]);
    }
    t
}

/// Each parameter's weighted posterior median, as the scenario receives it.
fn medians(cal: &Calibration, p: &Population) -> Vec<(String, Value)> {
    let particles = last_particles(cal, p);
    cal.priors
        .iter()
        .enumerate()
        .map(|(k, prior)| {
            let m = abc::weighted_quantile(&particles.values[k], &particles.weights, 0.5);
            let v = if prior.integer {
                Value::Integer(m.round() as i64)
            } else {
                Value::Float(m)
            };
            (prior.key.clone(), v)
        })
        .collect()
}

/// The base scenario at its own run size with the posterior medians.
fn calibrated_toml(cal: &Calibration, medians: &[(String, Value)]) -> Result<String> {
    let mut o = medians.to_vec();
    o.push((
        "name".into(),
        Value::String(format!("{}-calibrated", cal.scenario.name())),
    ));
    let p = with_overrides(
        &cal.scenario,
        &o,
        &format!("{} (posterior median)", cal.file.display()),
    )?;
    let keys: Vec<String> = medians
        .iter()
        .map(|(k, v)| format!("#   {k} = {v}"))
        .collect();
    Ok(format!(
        "# `{}` at the posterior median of `cogov calibrate {}`:\n{}\n{}",
        cal.scenario.name(),
        cal.file.display(),
        keys.join("\n"),
        p.to_toml()
    ))
}

/// Simulate `cal.predictive` draws of the posterior and the calibrated scenario against every
/// target; the draws' table and the check's table.
fn predictive_check(cal: &Calibration, p: &Population, calibrated: &str) -> Result<(Table, Table)> {
    let all: Vec<usize> = (0..cal.targets.len()).collect();
    let mut cumulative = Vec::with_capacity(p.particles.len());
    let mut total = 0.0;
    for q in &p.particles {
        total += q.weight;
        cumulative.push(total);
    }
    let draws: Vec<(usize, u64, Vec<f64>)> = (0..cal.predictive)
        .into_par_iter()
        .map(|i| {
            let x = abc::stream(cal.base.seed, PREDICTIVE, i).uniform() * total;
            let j = cumulative
                .partition_point(|&c| c <= x)
                .min(cumulative.len() - 1);
            let seed = abc::sim_seed(cal.base.seed, PREDICTIVE, i);
            Ok((j, seed, simulate(cal, &p.particles[j].sim.u, seed, &all)?))
        })
        .collect::<Result<_>>()?;
    let mut columns = vec!["draw".to_string(), "particle".into(), "seed".into()];
    columns.extend(cal.targets.iter().map(|t| t.name.clone()));
    let mut draw_table = Table::new(&columns);
    for (i, (j, seed, values)) in draws.iter().enumerate() {
        let mut row = vec![
            Cell::from(i),
            Cell::from(p.particles[*j].sim.index),
            Cell::Text(seed.to_string()),
        ];
        row.extend(values.iter().map(|&v| Cell::Num(v)));
        draw_table.push(row);
    }
    // The calibrated scenario as written, at its own size, under each target's overrides.
    let mut at_median = vec![f64::NAN; cal.targets.len()];
    for (sets, _) in &cal.groups {
        let params = resolve_str(calibrated, CALIBRATED, sets)?;
        let here: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| cal.targets[i].sets == *sets)
            .collect();
        let targets: Vec<&Target> = here.iter().map(|&i| &cal.targets[i]).collect();
        for (&i, v) in here.iter().zip(measure(&params, &targets)?) {
            at_median[i] = v;
        }
    }
    let columns = [
        "target",
        "label",
        "fitted",
        "observed",
        "low",
        "high",
        "scale",
        "predictive_mean",
        "predictive_q025",
        "predictive_q975",
        "predictive_defined",
        "predictive_pass",
        "calibrated",
        "calibrated_pass",
    ];
    let mut check = Table::new(&columns);
    for (i, t) in cal.targets.iter().enumerate() {
        let values: Vec<f64> = draws
            .iter()
            .map(|d| d.2[i])
            .filter(|v| v.is_finite())
            .collect();
        let ones = vec![1.0; values.len()];
        let (mean, low, high) = if values.is_empty() {
            (f64::NAN, f64::NAN, f64::NAN)
        } else {
            (
                abc::weighted_moments(&values, &ones).0,
                abc::weighted_quantile(&values, &ones, 0.025),
                abc::weighted_quantile(&values, &ones, 0.975),
            )
        };
        let inside = |v: f64| (t.low..=t.high).contains(&v);
        check.push(vec![
            Cell::from(t.name.as_str()),
            Cell::from(t.label.as_str()),
            Cell::from(t.fitted),
            Cell::Num(t.observed),
            Cell::Num(t.low),
            Cell::Num(t.high),
            Cell::Num(t.scale),
            Cell::Num(mean),
            Cell::Num(low),
            Cell::Num(high),
            Cell::Num(values.len() as f64 / draws.len() as f64),
            Cell::from(inside(mean)),
            Cell::Num(at_median[i]),
            Cell::from(inside(at_median[i])),
        ]);
    }
    Ok((draw_table, check))
}
