//! Central environmental inspections (`docs/MODEL.md` §7.6).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::test_params as params;

    #[test]
    fn each_region_hosts_one_campaign_per_round_staggered_and_none_in_month_zero() {
        let p = params(&["central.inspection_period=12", "world.regions=4"]);
        for r in 0..4 {
            let months: Vec<u32> = (0..48).filter(|&t| campaign(&p, r, 4, t)).collect();
            // Region r is offset by r·P/R = 3r months: its campaigns fall where (t + 3r) mod 12 = 0.
            let first = if r == 0 { 12 } else { 12 - 3 * r as u32 };
            let expected: Vec<u32> = (0..4).map(|k| first + 12 * k).filter(|&t| t < 48).collect();
            assert_eq!(months, expected, "region {r}");
        }
        let none = params(&["central.inspection_period=0"]);
        assert!((0..100).all(|t| !campaign(&none, 0, 8, t)));
    }

    #[test]
    fn accountability_halves_per_half_life_and_escalation_needs_a_missed_target() {
        let p = params(&[
            "central.accountability_half_life=3",
            "central.escalation=0.5",
            "local.intensity_max=4",
        ]);
        let local = LocalGovernment {
            intensity: 1.0,
            accountability: 0.0,
            earmarked: 0.0,
            abatement: 0.5,
            violation_share: 0.5,
            complaint_detection: 0.0,
        };
        let mut locals = vec![local; 2];
        // Month of a campaign in both regions: region 0 is above its set-point, region 1 below.
        follow_up(&p, &mut locals, &[true, true], &[0.2, -0.1]);
        assert_eq!(locals[0].accountability, 1.0);
        assert_eq!(locals[0].intensity, 1.5);
        assert_eq!(
            locals[1].intensity, 1.0,
            "no escalation where the target is met"
        );
        for _ in 0..3 {
            follow_up(&p, &mut locals, &[false, false], &[0.2, 0.2]);
        }
        assert!((locals[0].accountability - 0.5).abs() < 1e-12);
        assert_eq!(locals[0].intensity, 1.5, "no escalation without a campaign");
    }
}
