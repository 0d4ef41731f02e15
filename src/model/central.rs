//! Central environmental inspections as campaigns with an on-site stay (`docs/MODEL.md` §7.6).
//!
//! Every `inspection_period` months a central team stays in each region for `stay` months, regions
//! staggered evenly over the round (as the rounds of 2016–2017 and 2019–2022 visited provinces in
//! batches). During the stay the team inspects `inspection_rate` of the region's enterprises a month,
//! acting directly (no silo, no capture); its complaint channel multiplies what residents file and
//! what is handled by `complaint_multiplier`; and the local government orders temporary production
//! limits, `production_limit` of every enterprise's output and emission. When the team leaves it
//! holds officials accountable (A = 1, decaying with the given half-life, which raises the risk term
//! of the cadre evaluation, `cadre.rs`) and, if the region's stock is above its set-point as the team
//! measured it, orders rectification: `escalation` added to the enforcement intensity, fading with
//! accountability instead of ratcheting up for ever.

use super::enterprise::EnterpriseTally;
use super::local::LocalGovernment;
use crate::scenario::Params;

/// Whether region `r` of `regions` hosts the central team in month `t`: a stay starts in every month
/// s ≥ 1 with (s + ⌊r·P/R⌋) mod P = 0 and lasts `stay` months.
pub fn campaign(p: &Params, r: usize, regions: usize, t: u32) -> bool {
    stay_month(p, r, regions, t).is_some()
}

/// Which month of a stay month `t` is for region `r` (0 = the first), if any.
fn stay_month(p: &Params, r: usize, regions: usize, t: u32) -> Option<u32> {
    let period = p.central.inspection_period;
    if period == 0 {
        return None;
    }
    let offset = (r as u64 * u64::from(period) / regions as u64) as u32;
    let phase = (t + offset) % period;
    (phase < p.central.stay.min(period) && t > phase).then_some(phase)
}

/// Whether a stay starts in region `r` in month `t`.
pub fn arrives(p: &Params, r: usize, regions: usize, t: u32) -> bool {
    stay_month(p, r, regions, t) == Some(0)
}

/// Whether month `t` is the last month of region `r`'s stay (the team leaves at its end).
pub fn leaves(p: &Params, r: usize, regions: usize, t: u32) -> bool {
    stay_month(p, r, regions, t)
        .is_some_and(|month| month + 1 == p.central.stay.min(p.central.inspection_period))
}

/// The factor on complaints filed and handled in a region: `complaint_multiplier` while the team
/// stays, else 1.
pub fn complaint_factor(p: &Params, campaign: bool) -> f64 {
    if campaign {
        p.central.complaint_multiplier
    } else {
        1.0
    }
}

/// Temporary production limits where the team stays: `production_limit` of every enterprise's output
/// and emission is held back (and the abatement cost of what is not produced is not spent); the
/// output held back joins the tally's output lost. Returns the output held back (M¥).
pub fn limit_production(p: &Params, campaigns: &[bool], tallies: &mut [EnterpriseTally]) -> f64 {
    let limit = p.central.production_limit;
    let mut held = 0.0;
    for (tally, _) in tallies.iter_mut().zip(campaigns).filter(|(_, c)| **c) {
        let lost = tally.output * limit;
        tally.output -= lost;
        tally.output_lost += lost;
        tally.emissions *= 1.0 - limit;
        tally.abatement_cost *= 1.0 - limit;
        held += lost;
    }
    held
}

/// Monthly decay factor of accountability.
pub fn accountability_decay(p: &Params) -> f64 {
    0.5f64.powf(1.0 / p.central.accountability_half_life)
}

/// The enforcement intensity a region applies: its own plus the rectification still owed.
pub fn applied_intensity(p: &Params, local: &LocalGovernment) -> f64 {
    (local.intensity + local.rectification).min(p.local.intensity_max)
}

/// At the end of every month: accountability and rectification decay; where the team leaves this
/// month, A = 1 and, if the region's stock as the team measured it (`gaps`, relative to the
/// set-point) is above zero, the rectification becomes `escalation`.
pub fn follow_up(p: &Params, t: u32, locals: &mut [LocalGovernment], gaps: &[f64]) {
    let decay = accountability_decay(p);
    let regions = locals.len();
    for (r, (local, &gap)) in locals.iter_mut().zip(gaps).enumerate() {
        local.accountability *= decay;
        local.rectification *= decay;
        if leaves(p, r, regions, t) {
            local.accountability = 1.0;
            if gap > 0.0 {
                local.rectification = p.central.escalation;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::test_params as params;

    #[test]
    fn each_region_hosts_one_stay_per_round_staggered_and_none_before_month_one() {
        let p = params(&["central.inspection_period=12", "world.regions=4"]);
        for r in 0..4 {
            let months: Vec<u32> = (0..48).filter(|&t| campaign(&p, r, 4, t)).collect();
            // Region r is offset by r·P/R = 3r months: its stays start where (t + 3r) mod 12 = 0.
            let first = if r == 0 { 12 } else { 12 - 3 * r as u32 };
            let expected: Vec<u32> = (0..4).map(|k| first + 12 * k).filter(|&t| t < 48).collect();
            assert_eq!(months, expected, "region {r}");
        }
        let none = params(&["central.inspection_period=0"]);
        assert!((0..100).all(|t| !campaign(&none, 0, 8, t)));
        // A three-month stay: three consecutive months, the team leaves at the end of the third.
        let long = params(&["central.inspection_period=12", "central.stay=3"]);
        let months: Vec<u32> = (0..30).filter(|&t| campaign(&long, 0, 1, t)).collect();
        assert_eq!(months, vec![12, 13, 14, 24, 25, 26]);
        let leaving: Vec<u32> = (0..30).filter(|&t| leaves(&long, 0, 1, t)).collect();
        assert_eq!(leaving, vec![14, 26]);
        let arriving: Vec<u32> = (0..30).filter(|&t| arrives(&long, 0, 1, t)).collect();
        assert_eq!(arriving, vec![12, 24]);
        // Region 1 of 2 starts at month 6: a stay that would begin in month 0 is not cut short.
        let months: Vec<u32> = (0..12).filter(|&t| campaign(&long, 1, 2, t)).collect();
        assert_eq!(months, vec![6, 7, 8]);
    }

    #[test]
    fn a_stay_limits_production_and_multiplies_complaints_only_where_the_team_is() {
        let p = params(&[
            "central.production_limit=0.1",
            "central.complaint_multiplier=3",
        ]);
        let tally = EnterpriseTally {
            output: 100.0,
            emissions: 50.0,
            abatement_cost: 4.0,
            ..EnterpriseTally::default()
        };
        let mut tallies = vec![tally; 2];
        let held = limit_production(&p, &[true, false], &mut tallies);
        assert!((held - 10.0).abs() < 1e-12);
        assert!((tallies[0].output - 90.0).abs() < 1e-12);
        assert!((tallies[0].output_lost - 10.0).abs() < 1e-12);
        assert!((tallies[0].emissions - 45.0).abs() < 1e-12);
        assert!((tallies[0].abatement_cost - 3.6).abs() < 1e-12);
        assert_eq!(tallies[1].output, 100.0);
        assert_eq!(tallies[1].emissions, 50.0);
        assert_eq!(complaint_factor(&p, true), 3.0);
        assert_eq!(complaint_factor(&p, false), 1.0);
    }

    #[test]
    fn the_escalation_after_a_stay_decays_instead_of_ratcheting() {
        let p = params(&[
            "central.inspection_period=12",
            "central.accountability_half_life=3",
            "central.escalation=0.5",
            "local.intensity_max=4",
        ]);
        let local = LocalGovernment {
            intensity: 1.0,
            ..LocalGovernment::default()
        };
        let mut locals = vec![local; 2];
        // Month 12 ends region 0's stay; region 0 is above its set-point, region 1 (offset 6,
        // no stay this month) would be too.
        follow_up(&p, 12, &mut locals, &[0.2, 0.2]);
        assert_eq!(locals[0].accountability, 1.0);
        assert_eq!(applied_intensity(&p, &locals[0]), 1.5);
        assert_eq!(
            applied_intensity(&p, &locals[1]),
            1.0,
            "no stay, no rectification"
        );
        for t in 13..16 {
            follow_up(&p, t, &mut locals, &[0.2, -0.1]);
        }
        assert!((locals[0].accountability - 0.5).abs() < 1e-12);
        assert!((applied_intensity(&p, &locals[0]) - 1.25).abs() < 1e-12);
        // Met target when the team leaves: accountability, but no rectification.
        let mut met = vec![local];
        follow_up(&p, 12, &mut met, &[-0.1]);
        assert_eq!(met[0].accountability, 1.0);
        assert_eq!(met[0].rectification, 0.0);
        // Two rounds later the region is back where it started: the escalation does not ratchet.
        for t in 16..40 {
            follow_up(&p, t, &mut locals, &[-0.1, -0.1]);
        }
        assert!(applied_intensity(&p, &locals[0]) < 1.0 + 0.5 * 0.5f64.powi(8) + 1e-12);
    }
}
