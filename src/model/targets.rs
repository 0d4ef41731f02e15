//! Quality targets and their decomposition (ODD submodel "Targets"; lever 7).
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
//! `c_i·(a_i/a_ref)²`. The region's requirement is carried uniformly (a_i = a_r) or, with
//! `allocation = "least_cost"`, in proportion to emission over cost (a_i = w_i·a_r, Montgomery 1972).

use super::enterprise::Enterprise;
use crate::scenario::Params;
use crate::scenario::validate::{Allocation, Decomposition};

/// Required abatement share for a region with baseline load `baseline` (t/month) and monitored
/// inflow `inflow` (t/month), whose stock loses the share `loss` (decay + outflow) per month.
pub fn required_abatement(p: &Params, baseline: f64, inflow: f64, loss: f64) -> f64 {
    let t = &p.s.targets;
    match p.decomposition {
        Decomposition::Macro => t.standard_abatement,
        Decomposition::Caps => {
            let allowed = set_point(p) * loss - inflow;
            let share = if baseline > 0.0 {
                1.0 - allowed / baseline
            } else {
                0.0
            };
            share.clamp(t.min_abatement, t.max_abatement)
        }
    }
}

/// Closed-loop correction of a cap from the monitored relative gap g (caps only; macro standards stay).
pub fn correct(p: &Params, abatement: f64, gap: f64) -> f64 {
    let t = &p.s.targets;
    match p.decomposition {
        Decomposition::Macro => abatement,
        Decomposition::Caps => {
            (abatement + p.s.feedback.cap_gain * gap).clamp(t.min_abatement, t.max_abatement)
        }
    }
}

/// The stock governments steer towards: the target less the safety margin.
pub fn set_point(p: &Params) -> f64 {
    p.s.targets.stock * (1.0 - p.s.targets.margin)
}

/// Least-cost allocation weights (Montgomery 1972): within a region, the cost c_i·(a_i/a_ref)² of
/// abating e_i·a_i tonnes is lowest in total when marginal cost per tonne is equal, i.e. a_i ∝ e_i/c_i.
/// Weights w_i = (e_i/c_i)·Σe/Σ(e²/c) keep the region's abated tonnes Σ e_i·w_i·a_r = a_r·Σ e_i.
/// Under uniform allocation every w_i = 1. Enterprises without cost get the uniform weight.
pub fn assign_allocation(p: &Params, region: &mut [Enterprise]) {
    region.iter_mut().for_each(|e| e.allocation = 1.0);
    if p.allocation != Allocation::LeastCost {
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
