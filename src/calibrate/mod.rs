//! Calibration by approximate Bayesian computation: `cogov calibrate CALIBRATION`.
//!
//! A calibration file names a base scenario, the parameters to infer (each with a uniform prior over
//! the registry's plausible range unless the file gives one), the targets (rows of the observed-pattern
//! suite, or any indicator's final-window mean, each with an observed value and a scale) and the
//! method:
//!
//! ```toml
//! name = "china-2020"
//! base = "../china-2020.toml"     # scenario, relative to this file
//! replicates = 2                  # optional run size of every simulation
//! [method]
//! kind = "smc"                    # smc | rejection
//! particles = 200                 # population kept each generation
//! simulations = 600               # proposals simulated each generation
//! generations = 6                 # smc: at most
//! [[parameters]]
//! key = "departments.budget"      # min/max default to the plausible range; scale = "log" optional
//! [[targets]]
//! pattern = "sanctions_per_source"    # observed = middle of the accepted range, scale = half its width
//! [[targets]]
//! indicator = "detection_rate"        # or a final-window mean (denominator = "…" for a ratio)
//! observed = 0.3
//! scale = 0.05
//! ```
//!
//! The distance of a simulation is the root mean square of (simulated − observed)/scale over the
//! targets. The algorithm is in [`abc`], the driver (checkpoints, shards, outputs) in [`run`].

pub mod abc;
#[cfg(feature = "figures")]
pub mod figures;
pub mod merge;
pub mod posterior;
pub mod report;
pub mod run;
pub mod simulate;
pub mod state;
mod targets;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Value;

use crate::error::InputError;
use crate::model::observe::Indicator;
use crate::output::sha256_hex;
use crate::scenario::registry::registry;
use crate::scenario::{Params, load_scenario, schema};
use crate::validation::patterns::PATTERNS;
use targets::{RawTarget, pattern_ids, pattern_target, target};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibration {
    #[serde(default)]
    name: Option<String>,
    base: String,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    steps: Option<u32>,
    #[serde(default)]
    replicates: Option<u32>,
    method: RawMethod,
    parameters: Vec<RawPrior>,
    targets: Vec<RawTarget>,
    /// Patterns reported in the predictive check without being fitted.
    #[serde(default)]
    report: Vec<String>,
    /// Posterior draws simulated for the predictive check.
    #[serde(default)]
    predictive: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMethod {
    kind: String,
    #[serde(default)]
    particles: Option<u32>,
    #[serde(default)]
    simulations: Option<u32>,
    #[serde(default)]
    generations: Option<u32>,
    #[serde(default)]
    min_acceptance: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrior {
    key: String,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    scale: Option<String>,
}

/// The algorithm and its sizes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// Sequential Monte Carlo (several generations) or rejection (generation 0 only).
    pub smc: bool,
    pub particles: u32,
    pub simulations: u32,
    pub generations: u32,
    /// SMC stops after a generation in which fewer of the proposals than this share fall within the
    /// previous generation's tolerance.
    pub min_acceptance: f64,
}

/// A uniform prior over `[min, max]`, or log-uniform with `log`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    pub key: String,
    pub min: f64,
    pub max: f64,
    pub log: bool,
    /// The key takes whole numbers: the model receives the rounded value.
    pub integer: bool,
}

impl Prior {
    /// The value at unit coordinate u ∈ [0, 1].
    pub fn value(&self, u: f64) -> f64 {
        let x = if self.log {
            (self.min.ln() + u * (self.max.ln() - self.min.ln())).exp()
        } else {
            self.min + u * (self.max - self.min)
        };
        x.clamp(self.min, self.max)
    }

    /// The value as the scenario receives it.
    pub fn toml(&self, u: f64) -> Value {
        let x = self.value(u);
        if self.integer {
            Value::Integer(x.round() as i64)
        } else {
            Value::Float(x)
        }
    }
}

/// How a target's simulated value is computed, per replicate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    /// numerator / denominator of final-window means.
    Window {
        numerator: Indicator,
        denominator: Option<Indicator>,
    },
    /// The central-inspection event study of the pattern suite.
    Stay { after: bool },
}

/// One observed statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    pub statistic: Statistic,
    /// Overrides of the base scenario the statistic is measured under (e.g. local monitoring).
    pub sets: Vec<String>,
    pub observed: f64,
    pub scale: f64,
    /// The accepted range of the predictive check.
    pub low: f64,
    pub high: f64,
    /// Fitted (in the distance) or only reported.
    pub fitted: bool,
    /// The suite's label of a pattern target (set, fitted, independent), or "indicator".
    pub label: String,
}

/// A validated calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub name: String,
    pub file: PathBuf,
    pub base_file: String,
    /// The base scenario at the calibration's run size: every simulation starts from it.
    pub base: Params,
    /// The base scenario at its own run size (what `calibrated.toml` is written from).
    pub scenario: Params,
    pub method: Method,
    pub priors: Vec<Prior>,
    /// Fitted targets first, then the reported ones.
    pub targets: Vec<Target>,
    pub predictive: u32,
    /// The base scenario under each distinct set of target overrides, in first-use order.
    pub groups: Vec<(Vec<String>, Params)>,
}

impl Calibration {
    pub fn fitted(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter().filter(|t| t.fitted)
    }

    /// Everything the results depend on, as text: what shards and resumes must share.
    pub fn resolved(&self) -> String {
        let mut text = format!(
            "# calibration {}\n{}\n# targets\n{:#?}\n",
            self.name,
            serde_json::to_string_pretty(&(&self.method, &self.priors, self.predictive))
                .expect("serializes"),
            self.targets
        );
        for (sets, params) in &self.groups {
            text.push_str(&format!(
                "# base scenario with {sets:?}\n{}",
                params.to_toml()
            ));
        }
        text
    }

    pub fn digest(&self) -> String {
        sha256_hex(self.resolved().as_bytes())
    }
}

/// Most simulations one generation may hold (each is a row kept in memory).
const MAX_SIMULATIONS: u32 = 1_000_000;
const MAX_PARAMETERS: usize = 32;

pub(super) fn invalid(file: &str, key: &str, value: impl ToString, allowed: &str) -> InputError {
    InputError::OutOfRange {
        file: file.into(),
        key: key.into(),
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

/// Load a calibration file; `sets` override keys of its base scenario (as `--set` does).
pub fn load_calibration(path: &Path, sets: &[String]) -> Result<Calibration, InputError> {
    let file = path.display().to_string();
    let (name, raw, base_path) =
        crate::experiment::read_with_base(path, |r: &RawCalibration| &r.base)?;
    let sized = |extra: &[String]| -> Result<Params, InputError> {
        let mut all = sets.to_vec();
        all.extend_from_slice(extra);
        load_scenario(&base_path, &all)?
            .params
            .with_run_size(raw.seed, raw.steps, raw.replicates)
    };
    let base = sized(&[])?;
    let scenario = load_scenario(&base_path, sets)?.params;
    let method = method(&raw.method, &file)?;
    let priors = raw
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| prior(p, i, &file))
        .collect::<Result<Vec<_>, _>>()?;
    if priors.is_empty() || priors.len() > MAX_PARAMETERS {
        return Err(invalid(
            &file,
            "parameters",
            format!("{} entries", priors.len()),
            &format!("1 to {MAX_PARAMETERS} [[parameters]] entries"),
        ));
    }
    let mut keys: Vec<&str> = priors.iter().map(|p| p.key.as_str()).collect();
    keys.sort_unstable();
    if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
        return Err(invalid(&file, "parameters", w[0], "each key at most once"));
    }
    let mut targets = raw
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| target(t, i, &file))
        .collect::<Result<Vec<_>, _>>()?;
    if targets.is_empty() {
        return Err(invalid(
            &file,
            "targets",
            "[]",
            "at least one [[targets]] entry",
        ));
    }
    for (i, id) in raw.report.iter().enumerate() {
        let Some(p) = PATTERNS.iter().find(|p| p.id == id) else {
            return Err(invalid(
                &file,
                &format!("report[{i}]"),
                format!("\"{id}\""),
                &format!("a pattern of the suite: {}", pattern_ids()),
            ));
        };
        let mut t = pattern_target(p);
        t.fitted = false;
        targets.push(t);
    }
    let mut names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(invalid(
            &file,
            "targets",
            format!("\"{}\"", w[0]),
            "each target (and reported pattern) at most once",
        ));
    }
    let mut groups: Vec<(Vec<String>, Params)> = Vec::new();
    for t in &targets {
        if !groups.iter().any(|(s, _)| *s == t.sets) {
            groups.push((t.sets.clone(), sized(&t.sets)?));
        }
        if matches!(t.statistic, Statistic::Stay { .. }) {
            let p = &groups.iter().find(|(s, _)| *s == t.sets).expect("added").1;
            if p.world.regions < 2 || p.central.inspection_period == 0 {
                return Err(invalid(
                    &file,
                    "targets",
                    format!("\"{}\"", t.name),
                    "an event-study target on a base with at least two regions and central inspections",
                ));
            }
        }
    }
    // Every prior's whole range must give a valid scenario: try both ends on every group.
    for (sets, p) in &groups {
        for end in [0.0, 1.0] {
            let overrides: Vec<(String, Value)> = priors
                .iter()
                .map(|q| (q.key.clone(), q.toml(end)))
                .collect();
            crate::scenario::with_overrides(
                p,
                &overrides,
                &format!("{file} (prior range, with {sets:?})"),
            )?;
        }
    }
    let predictive = raw.predictive.unwrap_or(100);
    if !(2..=100_000).contains(&predictive) {
        return Err(invalid(
            &file,
            "predictive",
            predictive,
            "a whole number in [2, 100000] (posterior draws of the predictive check)",
        ));
    }
    Ok(Calibration {
        name,
        file: path.to_path_buf(),
        base_file: raw.base,
        base,
        scenario,
        method,
        priors,
        targets,
        predictive,
        groups,
    })
}

fn method(m: &RawMethod, file: &str) -> Result<Method, InputError> {
    let smc = match m.kind.as_str() {
        "smc" => true,
        "rejection" => false,
        other => {
            return Err(invalid(
                file,
                "method.kind",
                format!("\"{other}\""),
                "\"smc\" (sequential Monte Carlo) or \"rejection\"",
            ));
        }
    };
    if !smc && (m.generations.is_some() || m.min_acceptance.is_some()) {
        return Err(invalid(
            file,
            "method",
            "generations or min_acceptance",
            "no `generations` or `min_acceptance` for rejection, which has one generation",
        ));
    }
    let particles = m.particles.unwrap_or(200);
    let simulations = m.simulations.unwrap_or(3 * particles);
    if particles < 10 || simulations < particles || simulations > MAX_SIMULATIONS {
        return Err(invalid(
            file,
            "method.simulations",
            format!("{simulations} simulations for {particles} particles"),
            &format!(
                "at least 10 particles, and particles ≤ simulations ≤ {MAX_SIMULATIONS} per generation"
            ),
        ));
    }
    let generations = if smc { m.generations.unwrap_or(6) } else { 1 };
    if !(1..=100).contains(&generations) {
        return Err(invalid(
            file,
            "method.generations",
            generations,
            "a whole number in [1, 100]",
        ));
    }
    let min_acceptance = m.min_acceptance.unwrap_or(0.02);
    if !(0.0..1.0).contains(&min_acceptance) {
        return Err(invalid(
            file,
            "method.min_acceptance",
            min_acceptance,
            "a share in [0, 1)",
        ));
    }
    Ok(Method {
        smc,
        particles,
        simulations,
        generations,
        min_acceptance,
    })
}

fn prior(p: &RawPrior, index: usize, file: &str) -> Result<Prior, InputError> {
    let at = |field: &str| format!("parameters[{index}].{field}");
    let (Some(default), Some(key)) = (schema::default_value(&p.key), registry().key(&p.key)) else {
        return Err(invalid(
            file,
            &at("key"),
            format!("\"{}\"", p.key),
            "a scenario key such as \"law.fine\" (see docs/MODEL.md §7.11)",
        ));
    };
    if !matches!(default, Value::Float(_) | Value::Integer(_)) || p.key == "seed" {
        return Err(invalid(
            file,
            &at("key"),
            format!("\"{}\"", p.key),
            "a numeric model parameter",
        ));
    }
    let log = match p.scale.as_deref() {
        None | Some("linear") => false,
        Some("log") => true,
        Some(other) => {
            return Err(invalid(
                file,
                &at("scale"),
                format!("\"{other}\""),
                "\"linear\" or \"log\"",
            ));
        }
    };
    let plausible = key.plausible.unwrap_or([f64::NAN, f64::NAN]);
    let (min, max) = (p.min.unwrap_or(plausible[0]), p.max.unwrap_or(plausible[1]));
    if !(min.is_finite() && max.is_finite() && min < max) || (log && min <= 0.0) {
        return Err(invalid(
            file,
            &at("max"),
            format!("[{min}, {max}]"),
            "finite min < max (and min > 0 with scale = \"log\"); without them the registry's plausible range",
        ));
    }
    Ok(Prior {
        key: p.key.clone(),
        min,
        max,
        log,
        integer: matches!(default, Value::Integer(_)),
    })
}
