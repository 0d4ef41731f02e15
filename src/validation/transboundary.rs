//! Transboundary anchors: Montgomery's least-cost caps within a region and across a river, and the
//! Pigou/Coase result on a river (Nash vs joint abatement, Pigou payments restore the optimum,
//! protection keeps 2s − s² of the welfare gain).

use super::{Check, check, last_of, params};
use crate::error::Result;
use crate::model::World;
use crate::scenario::Params;

/// Anchor 5: least-cost caps cost A²/(a_ref²·Σe²/c), uniform caps A²·Σc/(a_ref²·(Σe)²), for the same
/// abated tonnes A (within one region, where every tonne has the same ambient impact).
pub fn montgomery(_quick: bool) -> Result<Vec<Check>> {
    let mut costs = Vec::new();
    let mut out = Vec::new();
    for allocation in ["uniform", "least_cost"] {
        let p = params(
            "montgomery.toml",
            &[format!("targets.allocation={allocation}")],
        )?;
        let mut world = World::new(&p, 0);
        let record = last_of(&mut world, 1)?;
        let a_r = world.region_records[0].abatement_required;
        let a_ref = p.targets.standard_abatement;
        let firms = world.enterprises();
        let sum_e: f64 = firms.iter().map(|e| f64::from(e.emission)).sum();
        let sum_c: f64 = firms.iter().map(|e| f64::from(e.cost)).sum();
        let sum_e2_c: f64 = firms
            .iter()
            .map(|e| f64::from(e.emission).powi(2) / f64::from(e.cost))
            .sum();
        let max_share = firms
            .iter()
            .map(|e| f64::from(e.allocation) * a_r)
            .fold(0.0, f64::max);
        if max_share > 1.0 {
            return Err(crate::error::Error::Anchor(format!(
                "montgomery.toml asks an enterprise to abate {max_share:.2} of its emission; the closed form needs at most 1"
            )));
        }
        let abated = a_r * sum_e;
        let expected = if allocation == "uniform" {
            abated * abated * sum_c / (a_ref * a_ref * sum_e * sum_e)
        } else {
            abated * abated / (a_ref * a_ref * sum_e2_c)
        };
        let label = if allocation == "uniform" {
            "uniform caps"
        } else {
            "least-cost caps"
        };
        out.push(check(
            "5 least-cost decomposition (Montgomery)",
            format!("{label}, a_r = {a_r:.3}: abatement cost"),
            expected,
            record.abatement_cost,
            1e-6 * expected,
            "deterministic: 1e-6 relative (f32 state)",
        ));
        costs.push((expected, record.abatement_cost, record.emissions));
    }
    let (uniform, least) = (costs[0], costs[1]);
    out.push(check(
        "5 least-cost decomposition (Montgomery)",
        "saving of least-cost over uniform caps".into(),
        uniform.0 - least.0,
        uniform.1 - least.1,
        1e-6 * uniform.0,
        "deterministic: 1e-6 relative (f32 state)",
    ));
    out.push(check(
        "5 least-cost decomposition (Montgomery)",
        "same emissions under both allocations (t)".into(),
        uniform.2,
        least.2,
        1e-6 * uniform.2,
        "deterministic: 1e-6 relative (f32 state)",
    ));
    out.extend(montgomery_basin()?);
    Ok(out)
}

/// Anchor 5 across regions: with impact m_r per tonne (months in the basin, closed form on a river),
/// caps with equal marginal cost per unit of impact cost R²/Σ((B·m)²/K) for the impact reduction
/// R = Σ B·m·a, and the equal-percentage cut ā = R/Σ B·m that leaves the same stock costs R²·ΣK/(ΣB·m)².
fn montgomery_basin() -> Result<Vec<Check>> {
    const ANCHOR: &str = "5 least-cost decomposition (Montgomery)";
    const EXACT: &str = "deterministic: 1e-9 relative";
    let least = settled("montgomery-basin.toml", &[])?;
    let w = &least.params.world;
    let (delta, phi, n) = (w.decay, w.spillover, w.regions as usize);
    let impact: Vec<f64> = (0..n)
        .map(|r| {
            let (own, down) = river_residence(delta, phi, n, r);
            least.baseline[r] * (own + down)
        })
        .collect();
    let reduction: f64 = (0..n).map(|r| impact[r] * least.abatement[r]).sum();
    let uniform_share = reduction / impact.iter().sum::<f64>();
    let uniform = settled(
        "montgomery-basin.toml",
        &[
            format!("targets.min_abatement={uniform_share}"),
            format!("targets.max_abatement={uniform_share}"),
        ],
    )?;
    let sum_k: f64 = least.curvature.iter().sum();
    let least_cost = reduction * reduction
        / (0..n)
            .map(|r| impact[r] * impact[r] / least.curvature[r])
            .sum::<f64>();
    let uniform_cost = uniform_share * uniform_share * sum_k;
    let shares: Vec<String> = least.abatement.iter().map(|a| format!("{a:.3}")).collect();
    Ok(vec![
        check(
            ANCHOR,
            format!(
                "river of {n}, impact-weighted caps a = {}: cost (M¥/month)",
                shares.join("/")
            ),
            least_cost,
            least.cost,
            1e-9 * least_cost,
            EXACT,
        ),
        check(
            ANCHOR,
            format!("river of {n}, equal-percentage cut ā = {uniform_share:.3}: cost (M¥/month)"),
            uniform_cost,
            uniform.cost,
            1e-9 * uniform_cost,
            EXACT,
        ),
        check(
            ANCHOR,
            format!("river of {n}: saving of impact-weighted over equal-percentage caps"),
            uniform_cost - least_cost,
            uniform.cost - least.cost,
            1e-9 * uniform_cost,
            EXACT,
        ),
        check(
            ANCHOR,
            format!("river of {n}: same stock in the basin under both (t)"),
            least.basin_stock,
            uniform.basin_stock,
            1e-9 * least.basin_stock,
            EXACT,
        ),
    ])
}

/// Months a tonne emitted in region r of an n-region river (spillover φ, decay δ) stays at home,
/// 1/(δ+φ), and downstream, Σ_{j=1}^{n−1−r} q^j/(δ+φ) = q(1 − q^{n−1−r})/((1 − q)(δ+φ)), q = φ/(δ+φ).
fn river_residence(delta: f64, phi: f64, n: usize, r: usize) -> (f64, f64) {
    let own = 1.0 / (delta + phi);
    let q = phi / (delta + phi);
    let reach = (n - 1 - r) as i32;
    (own, own * q * (1.0 - q.powi(reach)) / (1.0 - q))
}

/// A run of a river or mixed-basin scenario settled into its steady state.
struct Settled {
    params: Params,
    /// Abatement share of each region, 1 − E_r/B_r, at the last step.
    abatement: Vec<f64>,
    /// Baseline load B_r and cost curvature K_r of each region, from the enterprises as drawn.
    baseline: Vec<f64>,
    curvature: Vec<f64>,
    /// −(abatement cost + damage) at the last step (M¥/month).
    welfare: f64,
    /// Compensation paid at the last step (a settlement).
    paid: f64,
    /// Abatement cost and total stock in the basin at the last step.
    cost: f64,
    basin_stock: f64,
}

fn settled(file: &str, sets: &[String]) -> Result<Settled> {
    let params = params(file, sets)?;
    let mut world = World::new(&params, 0);
    let last = last_of(&mut world, params.steps)?;
    let regions = params.world.regions as usize;
    let facts: Vec<_> = (0..regions).map(|r| world.region_facts(r)).collect();
    Ok(Settled {
        abatement: (0..regions)
            .map(|r| 1.0 - world.region_records[r].emissions / facts[r].baseline)
            .collect(),
        baseline: facts.iter().map(|f| f.baseline).collect(),
        curvature: facts.iter().map(|f| f.curvature).collect(),
        welfare: -(last.abatement_cost + last.damage),
        paid: last.compensation_paid,
        cost: last.abatement_cost,
        basin_stock: last.pollution_mean * regions as f64,
        params,
    })
}

/// Anchor 4: on a river, protectionist regions abate at the Nash level d·B·own/2K, joint governance at
/// d·B·(own + downstream)/2K, and a Pigou payment of the downstream damage per tonne abated restores
/// the joint levels; away from them the basin's steady-state welfare falls by Σ K·(a − a_J)². With N
/// symmetric, evenly mixed regions, protection reaches 2s − s² of the joint welfare gain.
pub fn pigou(_quick: bool) -> Result<Vec<Check>> {
    const ANCHOR: &str = "4 transboundary spillover (Pigou)";
    const EXACT: &str = "deterministic: 1e-9 relative";
    let regime = |cooperation: &str, scheme: &str, share: f64| {
        vec![
            format!("cooperation.mode={cooperation}"),
            format!("compensation.scheme={scheme}"),
            format!("compensation.pigou_share={share}"),
        ]
    };
    let mut out = Vec::new();

    // The river.
    let nash = settled("pigou.toml", &regime("protectionist", "none", 1.0))?;
    let joint = settled("pigou.toml", &regime("joint", "none", 1.0))?;
    let w = &nash.params.world;
    let (delta, phi, d, n) = (w.decay, w.spillover, w.damage_per_tonne, w.regions as usize);
    let level = |r: usize, share: f64| {
        let (own, down) = river_residence(delta, phi, n, r);
        d * nash.baseline[r] * (own + share * down) / (2.0 * nash.curvature[r])
    };
    for (run, label, share) in [(&nash, "protectionist (Nash)", 0.0), (&joint, "joint", 1.0)] {
        for r in 0..n {
            let expected = level(r, share);
            out.push(check(
                ANCHOR,
                format!("river, {label}: abatement of region {r}"),
                expected,
                run.abatement[r],
                1e-9 * expected,
                EXACT,
            ));
        }
    }
    let pigou = settled("pigou.toml", &regime("protectionist", "pigou", 1.0))?;
    let gap = (0..n)
        .map(|r| (pigou.abatement[r] - joint.abatement[r]).abs())
        .fold(0.0, f64::max);
    out.push(check(
        ANCHOR,
        "river, protectionist + Pigou: max |a − a_joint|".into(),
        0.0,
        gap,
        1e-9 * level(0, 1.0),
        EXACT,
    ));
    let period = f64::from(pigou.params.compensation.period);
    let payments: f64 = (0..n)
        .map(|r| {
            let (_, down) = river_residence(delta, phi, n, r);
            d * down * period * nash.baseline[r] * level(r, 1.0)
        })
        .sum();
    out.push(check(
        ANCHOR,
        "river, Pigou payments per settlement (M¥)".into(),
        payments,
        pigou.paid,
        1e-9 * payments,
        EXACT,
    ));
    for share in [0.0, 1.5] {
        let run = settled("pigou.toml", &regime("protectionist", "pigou", share))?;
        let expected: f64 = (0..n)
            .map(|r| nash.curvature[r] * (level(r, share) - level(r, 1.0)).powi(2))
            .sum();
        out.push(check(
            ANCHOR,
            format!("river, Pigou share {share}: welfare loss Σ K(a − a_J)² (M¥/month)"),
            expected,
            joint.welfare - run.welfare,
            1e-9 * joint.welfare.abs(),
            "deterministic: 1e-9 of welfare",
        ));
    }

    // Symmetric, evenly mixed regions: gains over no abatement.
    for (regions, share) in [(2usize, 0.0), (4, 0.0), (8, 0.0), (4, 0.5), (4, 1.5)] {
        let base = params("pigou-symmetric.toml", &[])?;
        let delta = base.world.decay;
        let mix = (1.0 - delta) / regions as f64;
        let rows: Vec<String> = (0..regions)
            .map(|u| {
                let row: Vec<String> = (0..regions)
                    .map(|k| {
                        if k == u {
                            "0.0".into()
                        } else {
                            format!("{mix}")
                        }
                    })
                    .collect();
                format!("[{}]", row.join(","))
            })
            .collect();
        let mut sets = vec![
            format!("world.regions={regions}"),
            format!("world.adjacency=[{}]", rows.join(",")),
        ];
        let gain =
            |sets: &[String]| -> Result<f64> { Ok(settled("pigou-symmetric.toml", sets)?.welfare) };
        let none = gain(&[sets.clone(), vec!["targets.max_abatement=0".into()]].concat())?;
        let optimum = gain(&[sets.clone(), regime("joint", "none", 1.0)].concat())? - none;
        sets.extend(regime("protectionist", "pigou", share));
        let achieved = gain(&sets)? - none;
        let s = delta + (1.0 - delta) / regions as f64;
        let x = s + share * (1.0 - s);
        let case = if share == 0.0 {
            format!(
                "{regions} mixed regions, Nash: gain ratio 2s − s², s = {s:.4}; (2N−1)/N² = {:.4} at δ = 0",
                (2 * regions - 1) as f64 / (regions * regions) as f64
            )
        } else {
            format!(
                "{regions} mixed regions, Pigou share {share}: gain ratio 2x − x², x = s + share·(1 − s)"
            )
        };
        out.push(check(
            ANCHOR,
            case,
            2.0 * x - x * x,
            achieved / optimum,
            1e-8,
            "deterministic: 1e-8 of the ratio",
        ));
    }
    Ok(out)
}
