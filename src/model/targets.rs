//! Quality targets and their decomposition (`docs/MODEL.md` §7.9; lever 7).
//!
//! *Macro* targets leave enterprises with a uniform technology standard: a compliant enterprise abates
//! the reference share `a_ref` wherever it is ("effective but not precise", essay 2 §3.1).
//! *Caps* decompose the regional target into enterprise caps: the load a region may emit so that its
//! stock settles at the target, `L_r = T*·(δ + out_r) − inflow_r`, T* = (1 − margin)·T the set-point (steady state of the stock equation),
//! with the inflow estimated from monitored upstream stocks, becomes a required abatement share
//! `a_r = clamp(1 − L_r / B_r, a_min, a_max)` of the baseline load B_r. This plan is made at the start
//! and, under one-way management, again at each evaluation. Under the closed loop the caps are instead
//! corrected from the monitored gap at every revision, `a_r ← clamp(a_r + k_cap·g_r, a_min, a_max)`
//! (integral control; essay 2 §4.1 "dynamic revision from monitoring"). Abatement cost is convex:
//! `c_i·(a_i/a_ref)²`, so the region's cost is K·a_r² with K = Σ c_i·w_i²/a_ref².
//! *Cost-benefit* caps price a tonne instead of aiming at the target: the region abates where the
//! marginal cost 2K·a equals the marginal damage it counts, d·m·B with d the damage per tonne-month and
//! m the months a tonne stays where the region cares (own region, the basin, or own plus the Pigou
//! payment; `counted_residence`). With linear damage that level does not depend on the stock, so the
//! closed loop leaves it. The region's requirement is carried uniformly (a_i = a_r) or, with
//! `allocation = "least_cost"`, in proportion to emission over cost (a_i = w_i·a_r, Montgomery 1972).

use super::enterprise::Enterprise;
use super::pollution::Basin;
use crate::scenario::Params;
use crate::scenario::{Allocation, CooperationMode, Decomposition, Scheme, TargetKind};

/// What a local government knows about its region when it plans caps.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegionFacts {
    /// Monthly load if no enterprise abated (tonnes).
    pub baseline: f64,
    /// Share of the stock that leaves each month (decay + outflow).
    pub loss: f64,
    /// Curvature K of the region's abatement cost K·a² when every enterprise carries its share of a
    /// (million yuan per month): K = Σ c_i·w_i² / a_ref².
    pub curvature: f64,
    /// Months a tonne emitted here stays here, and in the whole basin (`pollution::Residence`).
    pub own_residence: f64,
    pub total_residence: f64,
}

impl RegionFacts {
    /// The curvature K = Σ c_i·w_i² / a_ref² of the region's abatement cost.
    pub fn curvature(p: &Params, region: &[Enterprise]) -> f64 {
        let a_ref = p.targets.standard_abatement;
        region
            .iter()
            .map(|e| f64::from(e.cost) * f64::from(e.allocation).powi(2))
            .sum::<f64>()
            / (a_ref * a_ref)
    }
}

/// Required abatement share for a region, given the monitored inflow `inflow` (t/month).
pub fn required_abatement(p: &Params, r: &RegionFacts, inflow: f64) -> f64 {
    let t = &p.targets;
    let share = match p.targets.decomposition {
        Decomposition::Macro => return t.standard_abatement,
        Decomposition::Caps => {
            let allowed = set_point(p) * r.loss - inflow;
            if r.baseline > 0.0 {
                1.0 - allowed / r.baseline
            } else {
                0.0
            }
        }
        Decomposition::CostBenefit => {
            // Abating a share a of B saves a·B tonnes a month, each worth d·m: the marginal benefit
            // d·m·B equals the marginal cost 2K·a at a = d·m·B / 2K.
            let benefit = p.world.damage_per_tonne * counted_residence(p, r) * r.baseline;
            if r.curvature > 0.0 {
                benefit / (2.0 * r.curvature)
            } else {
                t.max_abatement
            }
        }
    };
    share.clamp(t.min_abatement, t.max_abatement)
}

/// Months of damage m a region counts per tonne it emits: its own G\[u\]\[u\] when protectionist; the
/// basin's Σ_k G\[k\]\[u\] under joint governance; its own plus the Pigou payment it earns per tonne
/// abated, `pigou_share`·(Σ_k G\[k\]\[u\] − G\[u\]\[u\]), when protectionist under a Pigou scheme. Under joint
/// governance Pigou payments are transfers within the coalition and do not count again.
pub fn counted_residence(p: &Params, r: &RegionFacts) -> f64 {
    let downstream = r.total_residence - r.own_residence;
    match (p.cooperation.mode, p.compensation.scheme) {
        (CooperationMode::Joint, _) => r.total_residence,
        (CooperationMode::Protectionist, Scheme::Pigou) => {
            r.own_residence + p.compensation.pigou_share * downstream
        }
        (CooperationMode::Protectionist, _) => r.own_residence,
    }
}

/// Closed-loop correction of a cap from the monitored relative gap g (caps only; macro standards stay).
pub fn correct(p: &Params, abatement: f64, gap: f64) -> f64 {
    let t = &p.targets;
    match p.targets.decomposition {
        // Cost-benefit caps do not depend on the stock (damage is linear in it).
        Decomposition::Macro | Decomposition::CostBenefit => abatement,
        Decomposition::Caps => {
            (abatement + p.feedback.cap_gain * gap).clamp(t.min_abatement, t.max_abatement)
        }
    }
}

/// Each region's required abatement share, planned from (monitored) stocks: the steady-state load of
/// [`required_abatement`] given the inflow those stocks send downstream.
pub fn planned_abatement(
    p: &Params,
    basin: &Basin,
    facts: &[RegionFacts],
    monitored: &[f64],
) -> Vec<f64> {
    let mut inflow = vec![0.0; facts.len()];
    for (u, &m) in monitored.iter().enumerate() {
        for &(d, share) in basin.downstream(u) {
            inflow[d] += share * m;
        }
    }
    facts
        .iter()
        .zip(&inflow)
        .map(|(f, &i)| required_abatement(p, f, i))
        .collect()
}

/// The stock a region is assessed against: the quality standard `targets.stock` (absolute), or no
/// worse than its baseline at the boundary section, the initial stock (non-deterioration; every
/// region starts at the same stock).
pub fn assessed(p: &Params) -> f64 {
    match p.targets.kind {
        TargetKind::Absolute => p.targets.stock,
        TargetKind::NonDeterioration => p.world.initial_stock * p.targets.stock,
    }
}

/// The stock governments steer towards: the assessed target less the safety margin.
pub fn set_point(p: &Params) -> f64 {
    assessed(p) * (1.0 - p.targets.margin)
}

/// Least-cost allocation weights (Montgomery 1972): within a region, the cost c_i·(a_i/a_ref)² of
/// abating e_i·a_i tonnes is lowest in total when marginal cost per tonne is equal, i.e. a_i ∝ e_i/c_i.
/// Weights w_i = (e_i/c_i)·Σe/Σ(e²/c) keep the region's abated tonnes Σ e_i·w_i·a_r = a_r·Σ e_i.
/// Under uniform allocation every w_i = 1. Enterprises without cost get the uniform weight.
pub fn assign_allocation(p: &Params, region: &mut [Enterprise]) {
    region.iter_mut().for_each(|e| e.allocation = 1.0);
    if p.targets.allocation != Allocation::LeastCost {
        return;
    }
    let (mut total, mut weighted) = (0.0f64, 0.0f64);
    for e in region.iter().filter(|e| e.cost > 0.0) {
        let (em, c) = (f64::from(e.emission), f64::from(e.cost));
        total += em;
        weighted += em * em / c;
    }
    if weighted <= 0.0 {
        return;
    }
    for e in region.iter_mut().filter(|e| e.cost > 0.0) {
        e.allocation = (f64::from(e.emission) / f64::from(e.cost) * total / weighted) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::test_params as params;

    #[test]
    fn non_deterioration_holds_a_clean_region_to_its_baseline_and_a_dirty_one_to_its_own() {
        let facts = RegionFacts {
            baseline: 300.0,
            loss: 0.3,
            curvature: 2.0,
            own_residence: 0.0,
            total_residence: 0.0,
        };
        for (initial, stricter) in [(0.5, true), (1.6, false)] {
            let absolute = params(&[
                "targets.decomposition=caps",
                &format!("world.initial_stock={initial}"),
            ]);
            let kept = params(&[
                "targets.decomposition=caps",
                "targets.kind=non_deterioration",
                &format!("world.initial_stock={initial}"),
            ]);
            let t = absolute.targets.stock;
            assert_eq!(assessed(&absolute), t);
            assert!((assessed(&kept) - initial * t).abs() < 1e-9);
            // The cap a region must meet: stricter than the standard where the baseline is cleaner.
            let (a, k) = (
                required_abatement(&absolute, &facts, 0.0),
                required_abatement(&kept, &facts, 0.0),
            );
            assert_eq!(k > a, stricter, "initial {initial}: absolute {a}, kept {k}");
        }
    }

    #[test]
    fn regions_count_own_basin_or_own_plus_payment_damage_and_never_twice() {
        let facts = RegionFacts {
            baseline: 10.0,
            loss: 0.3,
            curvature: 2.0,
            own_residence: 4.0,
            total_residence: 10.0,
        };
        let cases = [
            (
                ["cooperation.mode=protectionist", "compensation.scheme=none"],
                4.0,
            ),
            (["cooperation.mode=joint", "compensation.scheme=none"], 10.0),
            (
                [
                    "cooperation.mode=protectionist",
                    "compensation.scheme=pigou",
                ],
                10.0,
            ),
            // Payments inside a joint coalition are transfers: the basin's damage counts once.
            (
                ["cooperation.mode=joint", "compensation.scheme=pigou"],
                10.0,
            ),
            (
                [
                    "cooperation.mode=protectionist",
                    "compensation.scheme=boundary",
                ],
                4.0,
            ),
        ];
        for (sets, expected) in cases {
            let p = params(&[sets[0], sets[1], "targets.decomposition=cost_benefit"]);
            assert_eq!(counted_residence(&p, &facts), expected, "{sets:?}");
        }
        let half = params(&[
            "compensation.scheme=pigou",
            "compensation.pigou_share=0.5",
            "targets.decomposition=cost_benefit",
        ]);
        assert_eq!(counted_residence(&half, &facts), 4.0 + 0.5 * 6.0);
        // a = d·m·B / 2K (inside the default bounds [0.2, 0.9] here).
        let a = required_abatement(&half, &facts, 0.0);
        let d = half.world.damage_per_tonne;
        assert!((a - d * 7.0 * 10.0 / 4.0).abs() < 1e-12, "{a}");
    }
}
