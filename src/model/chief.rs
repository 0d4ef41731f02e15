//! River chiefs (河长制; `docs/MODEL.md` §7.3.1): one chief per reach, a local leader whose own
//! evaluation depends on the quality at the reach's boundary section, who can order the departments
//! to take up a case nobody volunteers for.
//!
//! The region's stock stands for its boundary section. Each month the chief weighs the reported
//! relative gap g^rep_r of that section: ordering a share o of the cases that would otherwise be
//! dropped brings the section's quality on by an amount he reckons proportional to g·o, and the
//! coordination it takes costs him o²/2 in the same units, spent as o·`coordination_cost` of the
//! enforcement budget (the working group he convenes). The best share is o*_r = clamp(k·g^rep_r,
//! 0, 1), k = `chief_response`: nothing is ordered while the section meets its set-point, every
//! case once the gap reaches 1/k. Take-up becomes h + (1 − h)·o_r (`inspection::regional_take_up`),
//! for inspections and complaints alike; mandates stay as overlapping as in the diffuse mode.

use super::local::LocalGovernment;
use crate::scenario::{Params, ResponsibilityMode};

/// o*_r: the share of undecided cases the chief orders departments to take up.
pub fn order(p: &Params, reported_gap: f64) -> f64 {
    if p.responsibility.mode != ResponsibilityMode::RiverChief {
        return 0.0;
    }
    (p.responsibility.chief_response * reported_gap).clamp(0.0, 1.0)
}

/// Each chief's order share for next month, from the reported gaps of this month.
pub fn decide(p: &Params, locals: &mut [LocalGovernment], reported_gaps: &[f64]) {
    for (local, &gap) in locals.iter_mut().zip(reported_gaps) {
        local.chief_order = order(p, gap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::inspection::{self, regional_take_up};
    use crate::scenario::test_params as params;

    #[test]
    fn take_up_across_departments_rises_with_the_boundary_gap_as_no_clear_mandate_does() {
        let chief = params(&[
            "responsibility.mode=river_chief",
            "responsibility.chief_response=2",
        ]);
        let clear = params(&["responsibility.mode=clear"]);
        let diffuse = params(&["responsibility.mode=diffuse"]);
        let base = inspection::take_up(&chief);
        assert_eq!(base, inspection::take_up(&diffuse));
        assert!(base < 1.0);
        let gaps = [-0.3, 0.0, 0.1, 0.2, 0.4, 0.6];
        let take_ups: Vec<f64> = gaps
            .iter()
            .map(|&g| regional_take_up(inspection::take_up(&chief), order(&chief, g)))
            .collect();
        // At or below the set-point the chief orders nothing: take-up is the volunteer's dilemma.
        assert_eq!(take_ups[0], base);
        assert_eq!(take_ups[1], base);
        for pair in take_ups[1..5].windows(2) {
            assert!(pair[1] > pair[0], "{take_ups:?}");
        }
        // From a gap of 1/k every case is ordered.
        assert_eq!(take_ups[5], 1.0);
        assert!((order(&chief, 0.2) - 0.4).abs() < 1e-12);
        // Clear responsibility: the same take-up whatever the gap, and no chief.
        for g in gaps {
            assert_eq!(order(&clear, g), 0.0);
            assert_eq!(
                regional_take_up(inspection::take_up(&clear), order(&clear, g)),
                1.0
            );
        }
        // The coordination the chief convenes is paid from the inspection budget.
        let c = chief.responsibility.coordination_cost;
        assert_eq!(inspection::inspection_share(&chief, 0.0), 1.0);
        assert!((inspection::inspection_share(&chief, 0.4) - (1.0 - 0.4 * c)).abs() < 1e-12);
    }
}
