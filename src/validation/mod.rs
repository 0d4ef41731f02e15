//! `cogov validate`: the model reproduces closed-form results under degenerate settings. Each anchor
//! runs the real model from a scenario in `scenarios/validation/` (settings only, no test-only code
//! paths), computes the expected value from its closed form, and compares within a tolerance derived
//! from the standard error of the simulated quantity (4 SE) or, for deterministic quantities, from
//! floating-point accuracy. An anchor the model could not reproduce would be reported as failing,
//! never tuned away. Details and sources: docs/VALIDATION.md.
//!
//! Anchors by mechanism: enforcement (`enforcement.rs`: Becker, pooled detection, residents'
//! reporting, the volunteer's dilemma of shared responsibility), dynamics (`dynamics.rs`: the stock's
//! path, DeGroot consensus, the feedback bound, Tsebelis's inspection game), transboundary
//! (`transboundary.rs`: Montgomery's least-cost caps, Pigou payments). The command and its table are
//! in `report.rs`, the figure in `figure.rs`.

mod dynamics;
mod enforcement;
#[cfg(feature = "figures")]
mod figure;
pub mod patterns;
mod report;
mod resolution;
mod transboundary;

pub use dynamics::{degroot, feedback, feedback_bound, feedback_radius, stock, tsebelis};
pub use enforcement::{becker, pooling, reporting, responsibility};
pub use patterns::{Label, PATTERNS, Pattern, PatternResult, patterns};
pub use report::{markdown, patterns_markdown, validate};
pub use resolution::{PEOPLE_PER_AGENT, Resolution, resolution};
pub use transboundary::{montgomery, pigou};

use crate::engine::{self, Collect};
use crate::error::{Error, Result};
use crate::model::World;
use crate::model::observe::{Indicator, StepRecord};
use crate::model::run::WindowMeans;
use crate::scenario::{Params, load_scenario};

/// One comparison of a closed form with the simulator.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub anchor: &'static str,
    pub case: String,
    pub expected: f64,
    pub simulated: f64,
    pub tolerance: f64,
    pub basis: &'static str,
    pub pass: bool,
}

pub(crate) fn check(
    anchor: &'static str,
    case: String,
    expected: f64,
    simulated: f64,
    tolerance: f64,
    basis: &'static str,
) -> Check {
    let pass = (simulated - expected).abs() <= tolerance;
    Check {
        anchor,
        case,
        expected,
        simulated,
        tolerance,
        basis,
        pass,
    }
}

fn params(file: &str, sets: &[String]) -> Result<Params> {
    let path = crate::scenario::shipped_dir()?
        .join("validation")
        .join(file);
    Ok(load_scenario(&path, sets)?.params)
}

fn run(p: &Params) -> Result<Vec<StepRecord>> {
    engine::run_one(p, 0, Collect::default()).map_err(|e| Error::Invariant(e.to_string()))
}

/// Each replicate's final-window mean of every one of `indicators`, replicates in parallel.
fn window_means(p: &Params, indicators: &[Indicator]) -> Result<Vec<Vec<f64>>> {
    Ok(engine::run_replicates(p, &|_| {}, |_| WindowMeans::new(p, indicators))?.outputs)
}

/// Step `world` `steps` (≥ 1) times; the last step's record.
fn last_of(world: &mut World, steps: u32) -> Result<StepRecord> {
    let records = engine::drive(world, steps, Collect::default(), &|_| {})
        .map_err(|e| Error::Invariant(e.to_string()))?;
    Ok(*records
        .last()
        .expect("a validation run has at least one step"))
}

/// Standard error of a proportion q over n Bernoulli trials (at least 1/n).
fn binomial_se(q: f64, n: f64) -> f64 {
    (q * (1.0 - q) / n).sqrt().max(1.0 / n)
}

/// Every anchor, in the order of docs/VALIDATION.md.
pub fn all(quick: bool) -> Result<Vec<Check>> {
    let mut out = becker(quick)?;
    out.extend(pooling(quick)?);
    out.extend(reporting(quick)?);
    out.extend(stock(quick)?);
    out.extend(pigou(quick)?);
    out.extend(montgomery(quick)?);
    out.extend(feedback(quick)?);
    out.extend(responsibility(quick)?);
    out.extend(degroot(quick)?);
    out.extend(tsebelis(quick)?);
    Ok(out)
}
