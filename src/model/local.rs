//! Local governments: enforcement intensity, capture and the feedback loop (`docs/MODEL.md` §7.7,
//! local government and feedback; levers 6 and 8; ODD+D decision-making).
//!
//! The local government spends `intensity × budget` on inspections each month. It revises intensity
//! by integral control on the *monitored* relative gap g_r = (Ŝ_r − T*)/T* (T* the set-point, `targets.rs`), where Ŝ_r is the stock
//! `latency` months ago with relative noise:
//!   e_r ← clamp(e_r + k·π_r, e_min, e_max),
//!   π_r = g_r + stake_r·g^std_r + [joint] Σ_d c_{r→d}·g_d,
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
    pub monitored: &'a [f64],
    pub gaps: &'a [f64],
    pub facts: &'a [RegionFacts],
}

/// At a feedback month (see [`adjusts`]): revise every region's intensity from its pressure, then
/// correct caps (closed loop) or plan them anew from the monitored stocks (one-way management).
pub fn revise_all(p: &Params, t: u32, locals: &mut [LocalGovernment], e: &Evidence) {
    if !adjusts(p, t) {
        return;
    }
    let standard = p.compensation.standard * p.targets.stock;
    for r in 0..locals.len() {
        let mut pressure = e.gaps[r];
        pressure += compensation::stake(p, e.basin, r) * (e.monitored[r] - standard) / standard;
        if p.cooperation.mode == CooperationMode::Joint {
            pressure += downstream_pressure(e, r);
        }
        locals[r].intensity = revise(p, locals[r].intensity, pressure);
    }
    match p.feedback.mode {
        // Closed loop: caps are corrected from the monitored gap (integral control).
        FeedbackMode::Closed => {
            for (local, gap) in locals.iter_mut().zip(e.gaps) {
                local.abatement = targets::correct(p, local.abatement, *gap);
            }
        }
        // One-way management: caps are planned anew at each evaluation.
        FeedbackMode::OneWay => {
            let planned = targets::planned_abatement(p, e.basin, e.facts, e.monitored);
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
}
