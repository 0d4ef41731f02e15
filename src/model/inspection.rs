//! Departments, inspections and the routing of what they find (`docs/MODEL.md` §7.3, inspections,
//! information sharing and responsibility).
//!
//! Each department k of a local government spends its budget share on on-site inspections: an
//! enterprise of weight w is inspected with probability `π_k·w`, `π_k = budget_k / (cost · N_r)`, and
//! an inspector finds a violation with probability `1 − miss`. Online monitoring data go to the
//! environment department (k = 0).
//!
//! *Lever 1, information.* In silos a detection counts only if the department holding it is competent
//! for the violation type; on a shared platform every detection is pooled and routed to the competent
//! department, so k departments each detecting with p give 1 − (1 − p)^k instead of p.
//!
//! *Lever 2, responsibility.* Diffuse: each type has `overlap` = n competent departments, and a routed
//! case is taken up only if one of them volunteers: in the symmetric mixed equilibrium of the
//! volunteer's dilemma (Diekmann 1985) nobody acts with probability (c/v)^{n/(n−1)}. Clear: one
//! department is competent for each type and always acts; the joint working group costs a share of
//! the budget. Lead: the n departments keep their competence (so each one's detections still lead to
//! action in silos), and a lead department takes up every case at the same coordination cost. River
//! chief: mandates overlap as in the diffuse mode, and the region's chief orders departments to take
//! up a case with the probability he chose (`chief.rs`), spending that share of the coordination
//! cost.

use crate::scenario::Params;
use crate::scenario::{ResponsibilityMode, Sharing};

/// Upper bound on departments per local government (validated).
pub const MAX_DEPARTMENTS: usize = 16;

/// Responsible department set of each violation type, as bit masks.
pub fn responsible_sets(p: &Params) -> [u16; MAX_DEPARTMENTS] {
    let d = p.departments();
    let n = competent_departments(p) as usize;
    let mut sets = [0u16; MAX_DEPARTMENTS];
    for (kind, set) in sets.iter_mut().enumerate().take(d) {
        for j in 0..n {
            *set |= 1 << ((kind + j) % d);
        }
    }
    sets
}

/// Which departments' detections lead to action, per violation type (lever 1).
pub fn acting_sets(p: &Params) -> [u16; MAX_DEPARTMENTS] {
    match p.information.sharing {
        Sharing::Silo => responsible_sets(p),
        Sharing::Shared => [u16::MAX; MAX_DEPARTMENTS],
    }
}

/// Number of departments competent for each violation type.
pub fn competent_departments(p: &Params) -> u32 {
    match p.responsibility.mode {
        ResponsibilityMode::Clear => 1,
        ResponsibilityMode::Diffuse | ResponsibilityMode::Lead | ResponsibilityMode::RiverChief => {
            p.responsibility.overlap
        }
    }
}

/// Probability that at least one of n symmetric departments takes up a case, in the mixed equilibrium
/// of the volunteer's dilemma with cost-to-benefit ratio c/v: 1 − (c/v)^{n/(n−1)}; 1 for n = 1.
pub fn volunteer_take_up(n: u32, cost_ratio: f64) -> f64 {
    if n <= 1 {
        1.0
    } else {
        let n = f64::from(n);
        1.0 - cost_ratio.powf(n / (n - 1.0))
    }
}

/// Probability a routed case is taken up without a river chief's order: 1 where one department
/// is competent or a lead department takes up every case, the volunteer's dilemma otherwise.
pub fn take_up(p: &Params) -> f64 {
    match p.responsibility.mode {
        ResponsibilityMode::Clear | ResponsibilityMode::Lead => 1.0,
        ResponsibilityMode::Diffuse | ResponsibilityMode::RiverChief => volunteer_take_up(
            competent_departments(p),
            p.responsibility.handling_cost_ratio,
        ),
    }
}

/// Take-up in a region whose river chief orders departments to act with probability `order`:
/// h + (1 − h)·order (a case nobody volunteers for is taken up if the chief orders it).
pub fn regional_take_up(base: f64, order: f64) -> f64 {
    base + (1.0 - base) * order
}

/// Share of the enforcement budget left for inspections after coordination costs (lever 2), given
/// the region's river-chief order probability.
pub fn inspection_share(p: &Params, order: f64) -> f64 {
    let c = p.responsibility.coordination_cost;
    match p.responsibility.mode {
        ResponsibilityMode::Clear | ResponsibilityMode::Lead => 1.0 - c,
        ResponsibilityMode::RiverChief => 1.0 - c * order,
        ResponsibilityMode::Diffuse => 1.0,
    }
}

/// Per-department detection probability for a weight-1 enterprise, given the money spent on
/// inspections this month.
pub fn inspection_rates(
    p: &Params,
    inspection_budget: f64,
    enterprises: usize,
) -> [f64; MAX_DEPARTMENTS] {
    let d = &p.departments;
    let mut rates = [0.0; MAX_DEPARTMENTS];
    let per_enterprise = inspection_budget / (d.inspection_cost * enterprises.max(1) as f64);
    for (k, share) in d.budget_shares.iter().enumerate() {
        rates[k] = (per_enterprise * share).min(1.0) * (1.0 - d.inspector_miss);
    }
    rates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::test_params as params;

    #[test]
    fn a_lead_department_takes_up_every_case_and_leaves_the_others_their_competence() {
        let lead = params(&["responsibility.mode=lead", "information.sharing=silo"]);
        let diffuse = params(&["responsibility.mode=diffuse", "information.sharing=silo"]);
        let clear = params(&["responsibility.mode=clear", "information.sharing=silo"]);
        // Competence as under overlapping mandates: each type has `overlap` acting departments.
        assert_eq!(acting_sets(&lead), acting_sets(&diffuse));
        assert_ne!(acting_sets(&lead), acting_sets(&clear));
        assert_eq!(acting_sets(&lead)[0].count_ones(), 2);
        // Take-up and coordination cost as under clear responsibility.
        assert_eq!(take_up(&lead), 1.0);
        assert!(take_up(&diffuse) < 1.0);
        assert_eq!(inspection_share(&lead, 0.0), inspection_share(&clear, 0.0));
        assert!(inspection_share(&lead, 0.0) < 1.0);
    }

    #[test]
    fn volunteer_dilemma_matches_diekmann() {
        assert_eq!(volunteer_take_up(1, 0.5), 1.0);
        // n = 2: nobody acts with probability (c/v)^2.
        assert!((volunteer_take_up(2, 0.5) - 0.75).abs() < 1e-12);
        // Nobody acting becomes more likely as responsibility is shared more widely.
        assert!(volunteer_take_up(3, 0.5) < volunteer_take_up(2, 0.5));
        assert!((volunteer_take_up(3, 0.5) - (1.0 - 0.5f64.powf(1.5))).abs() < 1e-12);
    }
}
