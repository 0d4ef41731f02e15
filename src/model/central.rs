//! Central environmental inspections (ODD submodel "Central inspections").
//!
//! Every `inspection_period` months each region receives a one-month campaign, regions staggered evenly
//! over the round (as the rounds of 2016–2017 and 2019–2022 visited provinces in batches). The central
//! team inspects `inspection_rate` of the region's enterprises, acting directly (no silo, no capture),
//! audits the local government — a region found above its target must raise its enforcement intensity
//! by `escalation` — and leaves accountability A = 1 behind, decaying with the given half-life.
//! Capture is scaled by (1 − A).

use super::local::{self, LocalGovernment};
use crate::scenario::Params;

/// Whether region `r` of `regions` hosts a campaign in month `t`.
pub fn campaign(p: &Params, r: usize, regions: usize, t: u32) -> bool {
    let period = p.central.inspection_period;
    if period == 0 || t == 0 {
        return false;
    }
    let offset = (r as u64 * u64::from(period) / regions as u64) as u32;
    (t + offset).is_multiple_of(period)
}

/// Monthly decay factor of accountability.
pub fn accountability_decay(p: &Params) -> f64 {
    0.5f64.powf(1.0 / p.central.accountability_half_life)
}

/// After this month's campaigns: accountability decays, a campaign leaves A = 1 behind, and a region
/// found above its set-point (monitored relative gap > 0) must raise its intensity by `escalation`.
pub fn follow_up(p: &Params, locals: &mut [LocalGovernment], campaigns: &[bool], gaps: &[f64]) {
    let decay = accountability_decay(p);
    for ((local, &campaign), &gap) in locals.iter_mut().zip(campaigns).zip(gaps) {
        local.accountability *= decay;
        if campaign {
            local.accountability = 1.0;
            if gap > 0.0 {
                local.intensity = local::revise(p, local.intensity + p.central.escalation, 0.0);
            }
        }
    }
}
