//! Local governments: enforcement intensity and the feedback loop (`docs/MODEL.md` §7.7,
//! local government and feedback; levers 6 and 8; ODD+D decision-making).
//!
//! The local government spends `intensity × budget` on inspections each month. It revises intensity
//! by integral control on the *reported* relative gap g_r = (R_r − T*)/T* (T* the set-point,
//! `targets.rs`; R_r the reported stock, `cadre.rs`, from the stock `latency` months ago with
//! relative noise):
//!   e_r ← clamp(e_r + k·π_r, e_min, e_max),
//!   π_r = w_E·g_r + stake_r·g^std_r + \[joint\] w_E·Σ_d c_{r→d}·g_d,
//! a gradient step on the cadre evaluation's target term (weight w_E, `local.environment_weight`);
//! the output term acts through the waiver rate, the cheaper instrument (`cadre.rs`),
//! with stake_r the compensation at stake per month of budget (`compensation.rs`), g^std the gap to the
//! compensation standard, and c_{r→d} the share of downstream region d's load that came from r last
//! month. A protectionist government ignores the last term: it free-rides on downstream damage.
//! *Closed loop*: revisions every `feedback.period` months. *One-way management*: only at evaluations
//! every `feedback.evaluation_period` months (0 = never).

use super::compensation;
use super::pollution::Basin;
use super::targets::{self, RegionFacts};
use crate::engine::rng::Stream;
use crate::scenario::{CooperationMode, FeedbackMode, Params};

/// State of one local government.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalGovernment {
    /// Enforcement intensity (multiple of the base budget).
    pub intensity: f64,
    /// Rectification a central campaign demanded, added to the intensity and fading with
    /// accountability.
    pub rectification: f64,
    /// Accountability left by the last central campaign or data audit, in [0, 1].
    pub accountability: f64,
    /// Share of taken-up cases waived (`cadre.rs`), and share of the monitored stock reported away.
    pub waiver: f64,
    pub misreport: f64,
    /// Share of undecided cases the river chief orders departments to take up (`chief.rs`).
    pub chief_order: f64,
    /// Monthly extra money from compensation, for inspections or subsidies, until the next settlement.
    pub earmarked: f64,
    /// Abatement share required of compliant enterprises.
    pub abatement: f64,
    /// Violation share and complaint detection probability of the last step.
    pub violation_share: f64,
    pub complaint_detection: f64,
}

/// Whether governments revise intensity and caps at month t.
pub fn adjusts(p: &Params, t: u32) -> bool {
    if t == 0 {
        return false;
    }
    match p.feedback.mode {
        FeedbackMode::Closed => t.is_multiple_of(p.feedback.period),
        FeedbackMode::OneWay => {
            let e = p.feedback.evaluation_period;
            e > 0 && t.is_multiple_of(e)
        }
    }
}

/// New intensity after one revision with pressure π.
pub fn revise(p: &Params, intensity: f64, pressure: f64) -> f64 {
    let l = &p.local;
    (intensity + p.feedback.gain * pressure).clamp(l.intensity_min, l.intensity_max)
}

/// Relative gap of each monitored stock to the set-point, (Ŝ − T*)/T*.
pub fn gaps(p: &Params, monitored: &[f64]) -> Vec<f64> {
    let set_point = targets::set_point(p);
    monitored
        .iter()
        .map(|m| (m - set_point) / set_point)
        .collect()
}

/// What the revision at a feedback month reads of the basin.
pub struct Evidence<'a> {
    pub basin: &'a Basin,
    /// This month's emissions of each region.
    pub emissions: &'a [f64],
    /// What the government's own stations measured (Ŝ), and what it reported (R, `cadre.rs`).
    pub monitored: &'a [f64],
    pub reported: &'a [f64],
    pub gaps: &'a [f64],
    pub facts: &'a [RegionFacts],
}

/// At a feedback month (see [`adjusts`]): revise every region's intensity from its pressure, then
/// correct caps (closed loop) or plan them anew from the reported stocks (one-way management). The
/// target terms read the reported gaps (`gaps`), what the evaluation sees; the compensation term reads
/// the monitored stock, since payments are settled on the true one.
pub fn revise_all(p: &Params, t: u32, locals: &mut [LocalGovernment], e: &Evidence) {
    if !adjusts(p, t) {
        return;
    }
    let standard = compensation::threshold(p);
    // The target terms are the cadre evaluation's: scaled by its environment weight.
    let weight = p.local.environment_weight;
    for r in 0..locals.len() {
        let mut pressure = weight * e.gaps[r];
        pressure += compensation::stake(p, e.basin, r) * (e.monitored[r] - standard) / standard;
        if p.cooperation.mode == CooperationMode::Joint {
            pressure += weight * downstream_pressure(e, r);
        }
        locals[r].intensity = revise(p, locals[r].intensity, pressure);
    }
    match p.feedback.mode {
        // Closed loop: caps are corrected from the reported gap (integral control).
        FeedbackMode::Closed => {
            for (local, gap) in locals.iter_mut().zip(e.gaps) {
                local.abatement = targets::correct(p, local.abatement, *gap);
            }
        }
        // One-way management: caps are planned anew at each evaluation.
        FeedbackMode::OneWay => {
            let planned = targets::planned_abatement(p, e.basin, e.facts, e.reported);
            for (local, a) in locals.iter_mut().zip(planned) {
                local.abatement = a;
            }
        }
    }
}

/// Σ_d c_{r→d}·g_d: region r's share of each downstream region's load times that region's gap.
fn downstream_pressure(e: &Evidence, r: usize) -> f64 {
    e.basin
        .downstream(r)
        .iter()
        .zip(&e.basin.flows[r])
        .map(|(&(d, _), &flow)| {
            let load = e.emissions[d] + e.basin.inflow[d];
            if load > 0.0 {
                flow / load * e.gaps[d]
            } else {
                0.0
            }
        })
        .sum()
}

/// Monitored stocks with latency and noise: a ring buffer of true stocks.
#[derive(Debug, Clone)]
pub struct MonitorHistory {
    rows: Vec<Vec<f64>>,
}

impl MonitorHistory {
    pub fn new(latency: u32, initial: &[f64]) -> Self {
        MonitorHistory {
            rows: vec![initial.to_vec(); latency as usize + 1],
        }
    }

    /// Keep the history under a new monitoring latency from month t on: the rows of the last
    /// months are kept as far as they reach, and a longer latency repeats the oldest one kept.
    pub fn relag(&mut self, t: u32, latency: u32) {
        let n = self.rows.len();
        let t = t as usize;
        // Before month t the newest row is month t − 1's, at (t − 1) mod n; at most n are known.
        let known = |age: usize| self.rows[(t + n - 1 - age.min(n - 1)) % n].clone();
        let m = latency as usize + 1;
        let mut rows = vec![Vec::new(); m];
        for age in 0..m {
            rows[(t + m - 1 - age) % m] = known(age);
        }
        self.rows = rows;
    }

    /// Record the stocks at the end of month t.
    pub fn record(&mut self, t: u32, stock: &[f64]) {
        let n = self.rows.len();
        self.rows[t as usize % n].copy_from_slice(stock);
    }

    /// The stock of region r as it was `latency` months before month t (the oldest row kept).
    pub fn lagged(&self, t: u32, r: usize) -> f64 {
        let n = self.rows.len();
        self.rows[(t as usize + 1) % n][r]
    }

    /// What the governments see in month t: each lagged stock with relative noise.
    pub fn monitored(&self, t: u32, noise: f64, rng: &mut Stream) -> Vec<f64> {
        (0..self.rows[0].len())
            .map(|r| self.lagged(t, r) * (1.0 + noise * rng.normal()).max(0.0))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Topology, test_params as params};

    #[test]
    fn the_intensity_step_is_the_evaluations_target_weight_times_the_reported_gap() {
        let step = |w: f64| {
            let p = params(&[
                "feedback.mode=closed",
                "feedback.period=1",
                "feedback.gain=0.1",
                "compensation.scheme=none",
                "cooperation.mode=protectionist",
                "world.regions=2",
                &format!("local.environment_weight={w}"),
            ]);
            let basin = Basin::new(&Topology::Chain, 2, 0.2, 0.1, 900.0);
            let gaps = [0.5, -0.25];
            let facts = [RegionFacts::default(); 2];
            let evidence = Evidence {
                basin: &basin,
                emissions: &[10.0, 10.0],
                monitored: &[1080.0, 540.0],
                reported: &[1080.0, 540.0],
                gaps: &gaps,
                facts: &facts,
            };
            let mut locals = vec![
                LocalGovernment {
                    intensity: 1.0,
                    ..LocalGovernment::default()
                };
                2
            ];
            revise_all(&p, 1, &mut locals, &evidence);
            [locals[0].intensity - 1.0, locals[1].intensity - 1.0]
        };
        assert_eq!(step(0.0), [0.0, 0.0], "no target weight, no revision");
        let one = step(1.0);
        assert!(
            (one[0] - 0.05).abs() < 1e-12 && (one[1] + 0.025).abs() < 1e-12,
            "{one:?}"
        );
        let two = step(2.0);
        assert!(
            (two[0] - 0.1).abs() < 1e-12 && (two[1] + 0.05).abs() < 1e-12,
            "{two:?}"
        );
    }

    #[test]
    fn history_returns_the_stock_latency_months_back() {
        let mut h = MonitorHistory::new(2, &[0.0]);
        for t in 0..10u32 {
            h.record(t, &[f64::from(t)]);
            if t >= 2 {
                assert_eq!(h.lagged(t, 0), f64::from(t - 2));
            }
        }
        let mut h0 = MonitorHistory::new(0, &[0.0]);
        h0.record(5, &[5.0]);
        assert_eq!(h0.lagged(5, 0), 5.0);
    }

    #[test]
    fn a_shorter_latency_keeps_the_months_it_still_needs() {
        let mut h = MonitorHistory::new(3, &[0.0]);
        for t in 0..10 {
            h.record(t, &[t as f64]);
        }
        // In month 10 a lag of 3 reads month 7's stock; after the reform a lag of 1 reads month 9's.
        assert_eq!(h.lagged(10, 0), 7.0);
        h.relag(10, 1);
        assert_eq!(h.lagged(10, 0), 9.0);
        h.record(10, &[10.0]);
        assert_eq!(h.lagged(11, 0), 10.0);
        // A longer lag repeats the oldest month kept.
        h.relag(11, 4);
        assert_eq!(h.lagged(11, 0), 9.0);
    }
}
