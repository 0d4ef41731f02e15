//! Resolution invariance: each resident agent stands for `world.population / public.per_region`
//! people, and the per-agent complaint rate is the per-person rate times that number, so the metrics in
//! real units must not depend on how many agents represent a region. The default scenario runs at
//! three numbers of people per agent; for every real-unit metric the three 95% intervals of the
//! final-window mean must overlap pairwise.

use super::window_means;
use crate::error::Result;
use crate::model::observe::Indicator;
use crate::output::stats::{Summary, summarize};
use crate::scenario::load_scenario;

/// People per resident agent compared (the default scenario stands at 840).
pub const PEOPLE_PER_AGENT: [f64; 3] = [1600.0, 800.0, 200.0];

/// The metrics compared: the real-unit ones and the mean awareness they rest on.
pub const METRICS: [Indicator; 4] = [
    Indicator::ComplaintsPer1000,
    Indicator::SanctionsPerSource,
    Indicator::FinePerCase,
    Indicator::AwarenessMean,
];

/// One metric at every resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub metric: Indicator,
    /// One summary per entry of [`PEOPLE_PER_AGENT`].
    pub at: Vec<Summary>,
    /// Whether every pair of 95% intervals overlaps.
    pub pass: bool,
}

fn overlap(a: &Summary, b: &Summary) -> bool {
    a.ci_low <= b.ci_high && b.ci_low <= a.ci_high
}

/// The default scenario (`scenarios/fragmented.toml`) at each resolution: quick is 2 regions,
/// 36 months and 10 replicates; the full size is the scenario's own.
pub fn resolution(quick: bool) -> Result<Vec<Resolution>> {
    let path = crate::scenario::shipped_dir()?.join("fragmented.toml");
    let mut per_resolution: Vec<Vec<Summary>> = Vec::new();
    for people in PEOPLE_PER_AGENT {
        let mut sets: Vec<String> = if quick {
            ["world.regions=2", "steps=36", "replicates=30"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        };
        let population = load_scenario(&path, &sets)?.params.world.population;
        let agents = (f64::from(population) / people).round();
        sets.push(format!("public.per_region={agents}"));
        let params = load_scenario(&path, &sets)?.params;
        let means = window_means(&params, &METRICS)?;
        per_resolution.push(
            (0..METRICS.len())
                .map(|m| {
                    let values: Vec<f64> = means.iter().map(|r| r[m]).collect();
                    summarize(&values).within(METRICS[m].domain().bounds())
                })
                .collect(),
        );
    }
    Ok(METRICS
        .iter()
        .enumerate()
        .map(|(m, &metric)| {
            let at: Vec<Summary> = per_resolution.iter().map(|s| s[m]).collect();
            let pass = at
                .iter()
                .enumerate()
                .all(|(i, a)| at[i + 1..].iter().all(|b| overlap(a, b)));
            Resolution { metric, at, pass }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(lo: f64, hi: f64) -> Summary {
        Summary {
            mean: (lo + hi) / 2.0,
            sd: 1.0,
            ci_low: lo,
            ci_high: hi,
            n: 10,
        }
    }

    #[test]
    fn intervals_overlap_only_when_they_share_a_point() {
        assert!(overlap(&s(0.0, 1.0), &s(1.0, 2.0)));
        assert!(overlap(&s(0.0, 3.0), &s(1.0, 2.0)));
        assert!(!overlap(&s(0.0, 1.0), &s(1.5, 2.0)));
        assert!(!overlap(&s(1.5, 2.0), &s(0.0, 1.0)));
    }
}
