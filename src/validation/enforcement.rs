//! Enforcement anchors: Becker's deterrence threshold, pooled detection across departments, residents'
//! reporting through the complaint channel, and the volunteer's dilemma of shared responsibility.

use super::{Check, binomial_se, check, params, run};
use crate::engine;
use crate::error::{Error, Result};
use crate::model::World;
use crate::model::inspection::volunteer_take_up;
use crate::model::observe::StepRecord;

/// Anchor 1: compliance share min(1, pF/G).
pub fn becker(quick: bool) -> Result<Vec<Check>> {
    let n = if quick { 5_000 } else { 20_000 };
    let mut out = Vec::new();
    for (p, fine) in [(0.1, 0.1), (0.2, 0.1), (0.05, 0.4), (0.5, 0.2)] {
        let sets = vec![
            format!("enterprises.per_region={n}"),
            format!("enterprises.prior_sanction={p}"),
            format!("law.fine={fine}"),
        ];
        let params = params("becker.toml", &sets)?;
        let e = &params.enterprises;
        let g_max = 2.0 * e.abatement_cost_share * e.output_mean * e.abatement_cost_spread;
        let expected: f64 = (p * fine / g_max).min(1.0);
        let simulated = run(&params)?[0].compliance_rate;
        let tol = 4.0 * binomial_se(expected, n as f64);
        out.push(check(
            "1 Becker deterrence",
            format!("p = {p}, F = {fine}"),
            expected,
            simulated,
            tol,
            "4 SE of a binomial share",
        ));
    }
    Ok(out)
}

/// Anchor 2: detection p in silos, 1 − (1 − p)^k on a shared platform.
pub fn pooling(quick: bool) -> Result<Vec<Check>> {
    let n = if quick { 5_000 } else { 20_000 };
    let mut out = Vec::new();
    for (sharing, label) in [("silo", "silos"), ("shared", "shared platform")] {
        let sets = vec![
            format!("enterprises.per_region={n}"),
            format!("departments.budget={}", 0.4 * 0.01 * n as f64),
            format!("information.sharing={sharing}"),
        ];
        let params = params("pooling.toml", &sets)?;
        let p = 0.1f64;
        let k = params.departments() as i32;
        let expected = if sharing == "silo" {
            p
        } else {
            1.0 - (1.0 - p).powi(k)
        };
        let records = run(&params)?;
        let simulated =
            records.iter().map(|r| r.detection_rate).sum::<f64>() / records.len() as f64;
        let tol = 4.0 * binomial_se(expected, n as f64 * records.len() as f64);
        out.push(check(
            "2 information pooling",
            format!("{label}, k = {k}, p = {p}"),
            expected,
            simulated,
            tol,
            "4 SE of a binomial share",
        ));
    }
    Ok(out)
}

/// Anchor 2b: a violator is reported by at least one of n residents with probability 1 − Π(1 − r_j).
pub fn reporting(quick: bool) -> Result<Vec<Check>> {
    let regions = if quick { 200 } else { 400 };
    let p = params("reporting.toml", &[format!("world.regions={regions}")])?;
    let s = &p;
    let visibility = s.public.visibility + (1.0 - s.public.visibility) * s.public.disclosure;
    let residents = s.public.per_region as usize;
    let mut world = World::new(&p, 0);
    let awareness: Vec<f64> = world.awareness().iter().map(|&a| f64::from(a)).collect();
    let mut stock = vec![s.world.initial_stock * s.targets.stock; regions];
    let (mut expected_sum, mut variance, mut detected, mut trials) = (0.0, 0.0, 0.0, 0.0);
    let observe = |world: &World, t: u32, record: StepRecord| {
        // From the second month on the violation share the public sees is 1 (the one firm violates).
        if t > 0 {
            for (r, &st) in stock.iter().enumerate() {
                let observed = visibility * st / (st + s.targets.stock);
                let silent: f64 = awareness[r * residents..(r + 1) * residents]
                    .iter()
                    .map(|a| 1.0 - s.complaints_per_agent() * a * observed * s.complaints.accuracy)
                    .product();
                expected_sum += 1.0 - silent;
                variance += silent * (1.0 - silent);
            }
            detected += record.detection_rate * record.violations;
            trials += record.violations;
        }
        for (r, st) in stock.iter_mut().enumerate() {
            *st = world.region_records[r].stock;
        }
    };
    engine::drive(&mut world, s.steps, observe, &|_| {})
        .map_err(|e| Error::Invariant(e.to_string()))?;
    let expected = expected_sum / trials;
    let simulated = detected / trials;
    let tol = 4.0 * variance.sqrt() / trials;
    Ok(vec![check(
        "2 information pooling",
        format!(
            "{residents} residents reporting, {regions} regions × {} months",
            s.steps - 1
        ),
        expected,
        simulated,
        tol,
        "4 SE of a sum of Bernoulli trials",
    )])
}

/// Anchor 7: take-up 1 − (c/v)^{n/(n−1)} with n competent departments; 1 with a lead department.
pub fn responsibility(quick: bool) -> Result<Vec<Check>> {
    let n_firms = if quick { 5_000 } else { 20_000 };
    let mut out = Vec::new();
    for (mode, overlap) in [
        ("diffuse", 2u32),
        ("diffuse", 3),
        ("diffuse", 4),
        ("clear", 1),
    ] {
        let sets = vec![
            format!("enterprises.per_region={n_firms}"),
            format!("responsibility.mode={mode}"),
            format!("responsibility.overlap={overlap}"),
        ];
        let params = params("responsibility.toml", &sets)?;
        let c = params.responsibility.handling_cost_ratio;
        let expected = if mode == "clear" {
            1.0
        } else {
            volunteer_take_up(overlap, c)
        };
        let records = run(&params)?;
        let (sanctions, violations): (f64, f64) = records
            .iter()
            .fold((0.0, 0.0), |a, r| (a.0 + r.sanctions, a.1 + r.violations));
        let simulated = sanctions / violations;
        let tol = 4.0 * binomial_se(expected, violations);
        let case = if mode == "clear" {
            "lead department".to_string()
        } else {
            format!("{overlap} departments, c/v = {c}")
        };
        out.push(check(
            "7 responsibility diffusion",
            case,
            expected,
            simulated,
            tol,
            "4 SE of a binomial share",
        ));
    }
    Ok(out)
}
