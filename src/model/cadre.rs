//! The cadre evaluation: why a local government protects polluters and shades what it reports
//! (`docs/MODEL.md` §7.7.1, evaluation and capture; §7.7.2, reported data).
//!
//! Officials are scored each year on the output their region keeps, on the environment target and
//! on whether they are held accountable. Two choices follow from the score, both taken at the end of
//! every month for the next:
//!
//! *The waiver rate* ψ_r, the share of taken-up cases the government quietly drops. Waiving spares
//! the region's enterprises the abatement the standard costs them, y_r = K_r·a_r²/`budget` months of
//! budget a month (K_r the abatement-cost curvature, a_r the required share), and by the
//! government's own reckoning raises the stock by Δ_r = a_r·B_r/(loss_r·T*) of the set-point (B_r the
//! baseline load, loss_r the share of the stock leaving each month): the load abated would stay in
//! the river. Waived cases are found in proportion to how many there are, and the penalty grows
//! with what is found, so the expected accountability is ρ_r·C·ψ², ρ_r the risk of a check. The
//! score w_Y·y_r·ψ − w_E·Δ_r·ψ − ρ_r·C·ψ² is highest at
//!   ψ*_r = clamp((w_Y·y_r − w_E·Δ_r) / (2·ρ_r·C), 0, 1).
//! Under the environment's veto (一票否决) a missed target fails the evaluation whatever the output,
//! so the government waives no more than keeps its *reported* stock at the set-point:
//! ψ_r ≤ max(0, −g^rep_r)/Δ_r, zero wherever the reported gap is not below zero.
//!
//! *The reported stock* R_r = Ŝ_r·(1 − m_r). Reporting a share m below the monitored stock Ŝ_r improves
//! the reported gap by m·Ŝ_r/T*, worth w_E·m·Ŝ_r/T*; an audit (the centre's data checks, automated
//! stations) finds a falsification with probability `audit_rate`·m a month, and the penalty grows
//! with its size, so the expected cost is q·C·m². Hence m*_r = clamp(w_E·Ŝ_r/(2·q·C·T*), 0,
//! `MAX_MISREPORT`). Under vertical management of monitoring (the 2016 reform) the stations are
//! out of local hands: m = 0.
//!
//! The risk of a check is ρ_r = 1 − (1 − c)(1 − A_r): c = min(1, 12/P) the chance that a central
//! inspection round (period P months; 0 when there is none) reaches the region within the annual
//! evaluation, A_r the accountability a recent campaign or audit left behind.

use super::local::LocalGovernment;
use super::targets::{self, RegionFacts};
use crate::engine::rng::Stream;
use crate::scenario::{Management, Params};

/// The largest share of the true stock a government will report away.
pub const MAX_MISREPORT: f64 = 0.9;

/// Months of the evaluation over which the chance of a central round is reckoned.
pub const EVALUATION_MONTHS: f64 = 12.0;

/// ρ_r: the risk that what the government does is checked within the evaluation.
pub fn check_risk(p: &Params, accountability: f64) -> f64 {
    let period = p.central.inspection_period;
    let round = if period == 0 {
        0.0
    } else {
        (EVALUATION_MONTHS / f64::from(period)).min(1.0)
    };
    1.0 - (1.0 - round) * (1.0 - accountability)
}

/// What waiving every case would mean by the government's reckoning: (y_r, Δ_r).
pub fn waiver_stakes(p: &Params, facts: &RegionFacts, abatement: f64) -> (f64, f64) {
    let saved = facts.curvature * abatement * abatement / p.departments.budget;
    let set_point = targets::set_point(p);
    let rise = if facts.loss > 0.0 {
        abatement * facts.baseline / (facts.loss * set_point)
    } else {
        f64::INFINITY
    };
    (saved, rise)
}

/// ψ*_r: the waiver rate that maximises the evaluation score, given the reported gap g^rep_r.
pub fn waiver(p: &Params, facts: &RegionFacts, local: &LocalGovernment, reported_gap: f64) -> f64 {
    let l = &p.local;
    let (saved, rise) = waiver_stakes(p, facts, local.abatement);
    let gain = l.output_weight * saved - l.environment_weight * rise;
    if gain <= 0.0 || !gain.is_finite() {
        return 0.0;
    }
    let curvature = 2.0 * check_risk(p, local.accountability) * l.accountability_cost;
    let mut share = if curvature > 0.0 {
        (gain / curvature).min(1.0)
    } else {
        1.0
    };
    if p.targets.veto {
        share = share.min((-reported_gap).max(0.0) / rise);
    }
    share
}

/// m*_r: the share of the monitored stock the government reports away.
pub fn misreport(p: &Params, monitored: f64) -> f64 {
    if p.monitoring.management == Management::Vertical {
        return 0.0;
    }
    let cost = 2.0 * p.monitoring.audit_rate * p.local.accountability_cost;
    let gain = p.local.environment_weight * monitored / targets::set_point(p);
    if cost > 0.0 {
        (gain / cost).clamp(0.0, MAX_MISREPORT)
    } else if gain > 0.0 {
        MAX_MISREPORT
    } else {
        0.0
    }
}

/// The month's reports: each region's misreported share m_r is chosen, written to its government,
/// and an audit may find it (probability `audit_rate`·m_r, one uniform per region from `rng`, drawn
/// whatever the management); a found falsification leaves accountability 1 and that month's report
/// true. Returns the reported stocks.
pub fn report(
    p: &Params,
    locals: &mut [LocalGovernment],
    monitored: &[f64],
    rng: &mut Stream,
) -> Vec<f64> {
    locals
        .iter_mut()
        .zip(monitored)
        .map(|(local, &m)| {
            let share = misreport(p, m);
            let found = rng.chance(p.monitoring.audit_rate * share);
            if found {
                local.accountability = 1.0;
                local.misreport = 0.0;
                m
            } else {
                local.misreport = share;
                m * (1.0 - share)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::test_params as params;

    fn local(abatement: f64, accountability: f64) -> LocalGovernment {
        LocalGovernment {
            abatement,
            accountability,
            ..LocalGovernment::default()
        }
    }

    fn facts() -> RegionFacts {
        RegionFacts {
            baseline: 100.0,
            loss: 0.3,
            curvature: 40.0,
            own_residence: 0.0,
            total_residence: 0.0,
        }
    }

    #[test]
    fn capture_falls_as_the_environment_weighs_more_and_is_zero_under_the_veto() {
        // y = K·a²/budget = 40·0.36/0.3 = 48 months of budget; Δ = 0.6·100/(0.3·720) ≈ 0.28.
        let weights = [0.0, 20.0, 40.0, 80.0, 160.0, 1000.0];
        let waivers: Vec<f64> = weights
            .iter()
            .map(|w| {
                let p = params(&[
                    &format!("local.environment_weight={w}"),
                    "local.accountability_cost=100",
                ]);
                waiver(&p, &facts(), &local(0.6, 0.0), -0.5)
            })
            .collect();
        assert!(waivers[0] > 0.0 && waivers[0] < 1.0, "{waivers:?}");
        for pair in waivers[..5].windows(2) {
            assert!(pair[1] < pair[0], "{waivers:?}");
        }
        assert_eq!(*waivers.last().unwrap(), 0.0);
        // The veto: nothing is waived while the reported stock is above the set-point; below it,
        // no more than the slack allows.
        let veto = params(&["targets.veto=true", "local.environment_weight=0"]);
        let free = params(&["local.environment_weight=0"]);
        for gap in [0.0, 0.1, 2.0] {
            assert_eq!(waiver(&veto, &facts(), &local(0.6, 0.0), gap), 0.0);
            assert!(waiver(&free, &facts(), &local(0.6, 0.0), gap) > 0.0);
        }
        let (_, rise) = waiver_stakes(&veto, &facts(), 0.6);
        let slack = waiver(&veto, &facts(), &local(0.6, 0.0), -0.01);
        assert!(slack > 0.0 && slack <= 0.01 / rise + 1e-15, "{slack}");
    }

    #[test]
    fn accountability_and_a_nearer_round_both_cut_the_waiver() {
        let p = params(&[
            "local.environment_weight=0",
            "local.accountability_cost=500",
        ]);
        let fresh = waiver(&p, &facts(), &local(0.6, 0.0), -0.5);
        let watched = waiver(&p, &facts(), &local(0.6, 0.5), -0.5);
        assert!(watched < fresh, "{watched} {fresh}");
        let rare = params(&[
            "local.environment_weight=0",
            "local.accountability_cost=500",
            "central.inspection_period=96",
        ]);
        assert!(waiver(&rare, &facts(), &local(0.6, 0.0), -0.5) > fresh);
    }

    #[test]
    fn the_reporting_gap_is_zero_under_vertical_management_and_rises_with_the_stake() {
        let vertical = params(&["monitoring.management=vertical"]);
        let target = vertical.targets.stock;
        assert_eq!(misreport(&vertical, 2.0 * target), 0.0);
        let mut last = 0.0;
        for w in [0.01, 0.02, 0.04, 0.08] {
            let p = params(&[
                "monitoring.management=local",
                &format!("local.environment_weight={w}"),
            ]);
            let m = misreport(&p, target);
            assert!(m > last, "w = {w}: {m} after {last}");
            last = m;
        }
        // A larger stock is a larger stake too: the same weight reports more away.
        let p = params(&[
            "monitoring.management=local",
            "local.environment_weight=0.01",
        ]);
        assert!(misreport(&p, 2.0 * target) > misreport(&p, target));
    }

    #[test]
    fn an_audit_that_finds_a_falsification_leaves_accountability_and_a_true_report() {
        let p = params(&[
            "monitoring.management=local",
            "monitoring.audit_rate=1",
            "local.environment_weight=100",
        ]);
        let key = crate::engine::rng::StreamKey::new(1, 0);
        let mut found = 0;
        for t in 0..200 {
            let mut rng = key.stream(crate::engine::rng::Purpose::Government, t, 0);
            let mut locals = vec![local(0.6, 0.0)];
            let reported = report(&p, &mut locals, &[1000.0], &mut rng);
            if locals[0].accountability == 1.0 {
                found += 1;
                assert_eq!(reported[0], 1000.0);
            } else {
                assert!((reported[0] - 1000.0 * (1.0 - MAX_MISREPORT)).abs() < 1e-9);
            }
        }
        // Found with probability audit_rate·m = 0.9.
        assert!((160..=199).contains(&found), "{found}");
    }
}
