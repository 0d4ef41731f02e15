//! Each region's policy for the month: what every enterprise of the region faces — inspection
//! rates by department, which detections lead to action, online monitoring, complaints, NGO checks,
//! central-campaign and joint-team detection, take-up, the waiver rate the government chose, legal
//! clarity, the sanction and its deterrent value, the abatement asked and the subsidy offered
//! (`docs/MODEL.md` §7.3 Inspections, information sharing and responsibility; §7.6 Central inspections;
//! §7.7 Local government). Assembled once per region per month from the local government's state.

use super::central;
use super::enterprise::RegionPolicy;
use super::inspection::{self, MAX_DEPARTMENTS};
use super::local::LocalGovernment;
use crate::scenario::{CompensationUse, CooperationMode, DailyPenaltyFor, Params};

/// What the assembly reads of the world besides the local governments.
pub struct Facts<'a> {
    /// Which regions host the central team this month.
    pub campaigns: &'a [bool],
    pub enterprises_per_region: usize,
    /// Which departments' detections lead to action, per violation type (lever 1).
    pub acting: [u16; MAX_DEPARTMENTS],
    /// Probability a routed case is taken up without a river chief's order (lever 2).
    pub take_up: f64,
    /// Mean output of each region's enterprises.
    pub mean_output: &'a [f64],
}

/// Region `r`'s policy for this month, from its local government.
pub fn region(p: &Params, facts: &Facts, r: usize, local: &LocalGovernment) -> RegionPolicy {
    let per_region = facts.enterprises_per_region;
    let miss = p.departments.inspector_miss;
    // The daily penalty rides on every sanction for `correction_days`, or only on refusals to correct.
    let orders = p.law.daily_penalty_for == DailyPenaltyFor::Refusers;
    let sanction = if orders {
        p.law.fine
    } else {
        p.law.fine + p.law.daily_penalty * p.law.correction_days
    };
    let joint = match p.cooperation.mode {
        CooperationMode::Joint => p.cooperation.joint_inspection_rate * (1.0 - miss),
        CooperationMode::Protectionist => 0.0,
    };
    let central_check = if facts.campaigns[r] {
        p.central.inspection_rate * (1.0 - miss)
    } else {
        0.0
    };
    let (extra_inspections, subsidy_pool) = match p.compensation.use_for {
        CompensationUse::Enforcement => (local.earmarked, 0.0),
        CompensationUse::Subsidy => (0.0, local.earmarked),
    };
    let budget = central::applied_intensity(p, local)
        * p.departments.budget
        * inspection::inspection_share(p, local.chief_order)
        + extra_inspections;
    RegionPolicy {
        departments: p.departments(),
        inspect: inspection::inspection_rates(p, budget, per_region),
        acting: facts.acting,
        monitor_hit: 1.0 - p.monitoring.false_negative,
        false_positive: p.monitoring.false_positive,
        complaint_detect: local.complaint_detection,
        ngo_check: (p.ngo.capacity / per_region as f64).min(1.0),
        litigation_share: p.ngo.litigation_share,
        direct_check: 1.0 - (1.0 - central_check) * (1.0 - joint),
        handle: inspection::regional_take_up(facts.take_up, local.chief_order),
        capture: local.waiver,
        mean_output: facts.mean_output[r],
        clarity: p.law.clarity,
        sanction,
        deterrent: sanction + p.public.disclosure * p.enterprises.reputation_cost,
        abatement: local.abatement,
        reference_abatement: p.targets.standard_abatement,
        subsidy: subsidy_pool / per_region as f64,
        orders,
        daily_penalty: p.law.daily_penalty,
        correction_days: p.law.correction_days,
        follow_up: p.law.follow_up,
        seal_up: p.law.seal_up,
    }
}
