//! Complaints: routing, capacity and what a handled complaint does (`docs/MODEL.md` §7.4).
//!
//! A complaint filed through a 12369-style hotline reaches a department chosen by the resident. In
//! silos it stays if that department is competent (n of D), is forwarded with probability `forwarding`
//! otherwise, and is lost if not forwarded. On a shared platform it is routed to the competent
//! department. A department then takes it up with the responsibility regime's probability, within the
//! region's monthly handling capacity. Each handled, founded complaint names a violator at random, so a
//! violator is named with probability 1 − (1 − 1/V)^K for K such complaints and V violators.

use crate::scenario::Params;
use crate::scenario::Sharing;

/// Probability that a complaint reaches a competent department.
pub fn reach(p: &Params, competent: u32) -> f64 {
    match p.information.sharing {
        Sharing::Shared => 1.0,
        Sharing::Silo => {
            let direct = f64::from(competent) / p.departments() as f64;
            direct + (1.0 - direct) * p.complaints.forwarding
        }
    }
}

/// The region's complaints after the capacity limit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ComplaintOutcome {
    pub handled: f64,
    pub lost: f64,
    /// Probability a violator is named by at least one handled, founded complaint.
    pub detection: f64,
}

/// Apply the capacity limit and turn founded complaints into a per-violator detection probability.
pub fn settle(
    filed: f64,
    taken_up: f64,
    founded_taken_up: f64,
    capacity: f64,
    violators: f64,
) -> ComplaintOutcome {
    let handled = taken_up.min(capacity);
    let founded = if taken_up > 0.0 {
        founded_taken_up * handled / taken_up
    } else {
        0.0
    };
    let detection = if violators >= 1.0 {
        1.0 - (1.0 - 1.0 / violators).powf(founded)
    } else {
        0.0
    };
    ComplaintOutcome {
        handled,
        lost: filed - handled,
        detection,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_caps_handled_and_the_rest_is_lost() {
        let o = settle(100.0, 60.0, 30.0, 40.0, 10.0);
        assert_eq!(o.handled, 40.0);
        assert_eq!(o.lost, 60.0);
        // 20 founded complaints handled, spread over 10 violators.
        assert!((o.detection - (1.0 - 0.9f64.powf(20.0))).abs() < 1e-12);
    }

    #[test]
    fn one_violator_is_named_by_any_founded_complaint() {
        assert_eq!(settle(5.0, 5.0, 1.0, 10.0, 1.0).detection, 1.0);
        assert_eq!(settle(5.0, 5.0, 0.0, 10.0, 1.0).detection, 0.0);
    }
}
